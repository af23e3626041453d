// SPDX-License-Identifier: GPL-2.0
/*
 * pf_ring_cluster.c - clusters (guide 8.6, pfring_set_cluster): sockets of
 * one namespace that join the same cluster id share its packets, each
 * packet going to one member picked by round robin or by a per-flow hash
 * (src/core/cluster.c). A member bound to another device, inactive or
 * capturing the other direction is skipped for that packet.
 */
#include <linux/slab.h>

#include "pf_ring_internal.h"

static struct pfr_cluster *__pfr_cluster_find(struct pfr_net *pn, u32 id)
{
	struct pfr_cluster *cl;

	lockdep_assert_held(&pfr_cfg_mutex);
	list_for_each_entry(cl, &pn->clusters, node)
		if (cl->id == id)
			return cl;
	return NULL;
}

int __pfr_cluster_join(struct pfr_sock *ps, u32 id, u32 type)
{
	struct pfr_net *pn = pfr_net(sock_net(&ps->sk));
	struct pfr_cluster *cl;

	lockdep_assert_held(&pfr_cfg_mutex);
	if (!pfc_cluster_type_valid(type))
		return -EINVAL;
	if (ps->cluster)
		return ps->cluster->id == id ? -EALREADY : -EBUSY;
	cl = __pfr_cluster_find(pn, id);
	if (cl) {
		/* the first member chose the balancing */
		if (cl->type != type)
			return -EINVAL;
		if (cl->n >= PFR_CLUSTER_MAX_MEMBERS)
			return -ENOSPC;
	} else {
		cl = kzalloc(sizeof(*cl), GFP_KERNEL);
		if (!cl)
			return -ENOMEM;
		cl->id = id;
		cl->type = type;
		atomic_set(&cl->rr, 0);
		list_add_tail_rcu(&cl->node, &pn->clusters);
	}
	WRITE_ONCE(cl->members[cl->n], ps);
	/* a reader that sees the new count sees the member */
	smp_store_release(&cl->n, cl->n + 1);
	WRITE_ONCE(ps->cluster, cl);
	return 0;
}

void __pfr_cluster_leave(struct pfr_sock *ps)
{
	struct pfr_cluster *cl = ps->cluster;
	u32 i, last;

	lockdep_assert_held(&pfr_cfg_mutex);
	if (!cl)
		return;
	last = cl->n - 1;
	for (i = 0; i <= last; i++) {
		if (cl->members[i] == ps) {
			WRITE_ONCE(cl->members[i], cl->members[last]);
			break;
		}
	}
	smp_store_release(&cl->n, last);
	WRITE_ONCE(cl->members[last], NULL);
	WRITE_ONCE(ps->cluster, NULL);
	if (!last) {
		list_del_rcu(&cl->node);
		kfree_rcu(cl, rcu);
	}
}

void pfr_cluster_deliver(struct pfr_cluster *cl, struct sk_buff *skb, struct pfr_pkt *pkt)
{
	struct pfr_sock *eligible[PFR_CLUSTER_MAX_MEMBERS];
	u32 i, n = 0, nm, hash;
	struct pfr_sock *ps;

	nm = min_t(u32, smp_load_acquire(&cl->n), PFR_CLUSTER_MAX_MEMBERS);
	for (i = 0; i < nm; i++) {
		ps = READ_ONCE(cl->members[i]);
		if (ps && pfr_sock_wants(ps, pkt))
			eligible[n++] = ps;
	}
	if (!n)
		return;
	if (cl->type == cluster_round_robin) {
		/* the counter modulo the members: member i, i+1, ... in turn */
		pfr_deliver(eligible[((u32)atomic_inc_return(&cl->rr) - 1) % n], skb, pkt);
		return;
	}
	pfr_pkt_parse(pkt, skb);
	hash = pfc_cluster_hash(&pkt->info, (cluster_type)cl->type);
	pfr_deliver(eligible[pfc_cluster_member(hash, n)], skb, pkt);
}
