// SPDX-License-Identifier: GPL-2.0
/*
 * pf_ring_rules.c - storage of one socket's wildcard and hash rules (guide
 * 8.10) around the shared evaluation in src/core/rules.c: wildcard rules
 * in an array sorted by rule_id, hash rules in PFR_HASH_BUCKETS buckets.
 * Writers prepare memory outside ps->lock and swap under it.
 */
#include <linux/jiffies.h>
#include <linux/slab.h>

#include "pf_ring_internal.h"
#include "pf_ring_plugin.h"

/* Cap per socket, so a user cannot pin unbounded kernel memory. */
#define PFR_MAX_WC_RULES 4096
#define PFR_MAX_HASH_RULES 65536

static u64 pfr_now_sec(void)
{
	return ktime_get_seconds();
}

/*
 * The plugins a wildcard rule names, each once: its action plugin (which
 * owns plugin_mem) and a different filter plugin. Pinned, and told of the
 * rule (add_rule/del_rule), while the rule exists.
 */
static void pfr_wc_plugin_rules(struct pfr_wc_rule *w, struct pfr_plugin_rule *action,
				struct pfr_plugin_rule *filter)
{
	*action = (struct pfr_plugin_rule){ .rule = &w->r.rule, .plugin_mem = &w->plugin_mem };
	*filter = (struct pfr_plugin_rule){ .rule = &w->r.rule };
}

static u16 pfr_wc_filter_only_plugin(const filtering_rule *rule)
{
	u16 f = rule->extended_fields.filter_plugin_id;

	return f == rule->plugin_action.plugin_id ? 0 : f;
}

static int pfr_wc_plugins_hold(struct pfr_wc_rule *w)
{
	const filtering_rule *rule = &w->r.rule;
	struct pfr_plugin_rule action, filter;
	int err;

	pfr_wc_plugin_rules(w, &action, &filter);
	err = pfr_plugin_hold(rule->plugin_action.plugin_id, &action);
	if (err)
		return err;
	err = pfr_plugin_hold(pfr_wc_filter_only_plugin(rule), &filter);
	if (err)
		pfr_plugin_release(rule->plugin_action.plugin_id, &action);
	return err;
}

static void pfr_wc_rule_free(struct pfc_wc_rule *r)
{
	struct pfr_wc_rule *w = container_of(r, struct pfr_wc_rule, r);
	struct pfr_plugin_rule action, filter;

	pfr_wc_plugin_rules(w, &action, &filter);
	pfr_plugin_release(pfr_wc_filter_only_plugin(&r->rule), &filter);
	pfr_plugin_release(r->rule.plugin_action.plugin_id, &action);
	kfree(w);
}

int pfr_rule_add(struct pfr_sock *ps, const filtering_rule *rule)
{
	struct pfc_wc_rule *r, **arr, **old;
	struct pfr_wc_rule *w;
	u32 i, pos;
	int err = 0;

	if (pfc_wc_rule_validate(rule))
		return -EINVAL;
	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	r = &w->r;
	r->rule = *rule;
	r->rule.internals.reflector_dev = NULL;
	r->last_match_sec = pfr_now_sec();
	err = pfr_wc_plugins_hold(w);
	if (err) {
		kfree(w);
		return err;
	}
	/*
	 * Adds are serialised by pfr_cfg_mutex and removals only shrink the
	 * array, so n_wc + 1 pointers are enough when the swap happens.
	 */
	mutex_lock(&pfr_cfg_mutex);
	arr = kcalloc(ps->n_wc + 1, sizeof(*arr), GFP_KERNEL);
	if (!arr) {
		mutex_unlock(&pfr_cfg_mutex);
		pfr_wc_rule_free(r);
		return -ENOMEM;
	}

	spin_lock_bh(&ps->lock);
	old = ps->wc;
	if (ps->n_wc >= PFR_MAX_WC_RULES) {
		err = -ENOSPC;
	} else {
		for (pos = 0; pos < ps->n_wc && old[pos]->rule.rule_id < rule->rule_id; pos++)
			;
		if (pos < ps->n_wc && old[pos]->rule.rule_id == rule->rule_id) {
			err = -EEXIST;
		} else {
			for (i = 0; i < pos; i++)
				arr[i] = old[i];
			arr[pos] = r;
			for (i = pos; i < ps->n_wc; i++)
				arr[i + 1] = old[i];
			ps->wc = arr;
			ps->n_wc++;
			arr = old;
			r = NULL;
		}
	}
	spin_unlock_bh(&ps->lock);
	mutex_unlock(&pfr_cfg_mutex);
	kfree(arr);
	if (r)
		pfr_wc_rule_free(r);
	return err;
}

int pfr_rule_remove(struct pfr_sock *ps, u16 rule_id)
{
	struct pfc_wc_rule *victim = NULL;
	u32 i;

	spin_lock_bh(&ps->lock);
	for (i = 0; i < ps->n_wc; i++) {
		if (ps->wc[i]->rule.rule_id == rule_id) {
			victim = ps->wc[i];
			for (; i + 1 < ps->n_wc; i++)
				ps->wc[i] = ps->wc[i + 1];
			ps->n_wc--;
			break;
		}
	}
	spin_unlock_bh(&ps->lock);
	if (!victim)
		return -ENOENT;
	pfr_wc_rule_free(victim);
	return 0;
}

static struct hlist_head *pfr_bucket(struct pfr_sock *ps, const struct pfc_hash_key *k)
{
	return &ps->hash[pfc_hash_key_hash(k) % PFR_HASH_BUCKETS];
}

static struct pfr_hash_entry *__pfr_hash_find(struct pfr_sock *ps, const struct pfc_hash_key *k)
{
	struct pfr_hash_entry *e;

	lockdep_assert_held(&ps->lock);
	hlist_for_each_entry(e, pfr_bucket(ps, k), node)
		if (pfc_hash_key_equal(&e->key, k))
			return e;
	return NULL;
}

/* Inserts e unless its key is there; ps->lock held. Returns 0 or -EEXIST/-ENOSPC. */
static int __pfr_hash_insert(struct pfr_sock *ps, struct pfr_hash_entry *e)
{
	lockdep_assert_held(&ps->lock);
	if (__pfr_hash_find(ps, &e->key))
		return -EEXIST;
	if (ps->n_hash >= PFR_MAX_HASH_RULES)
		return -ENOSPC;
	hlist_add_head(&e->node, pfr_bucket(ps, &e->key));
	ps->n_hash++;
	return 0;
}

static struct pfr_plugin_rule pfr_hash_plugin_rule(struct pfr_hash_entry *e)
{
	return (struct pfr_plugin_rule){ .hash_rule = &e->r.rule, .plugin_mem = &e->plugin_mem };
}

static void pfr_hash_entry_free(struct pfr_hash_entry *e)
{
	struct pfr_plugin_rule pr = pfr_hash_plugin_rule(e);

	pfr_plugin_release(e->r.rule.plugin_action.plugin_id, &pr);
	kfree(e);
}

int pfr_hash_rule_add(struct pfr_sock *ps, const hash_filtering_rule *rule)
{
	struct pfr_plugin_rule pr;
	struct pfr_hash_entry *e;
	int err;

	if ((u32)rule->rule_action >= PFC_NUM_RULE_ACTIONS)
		return -EINVAL;
	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->r.rule = *rule;
	e->r.rule.internals.reflector_dev = NULL;
	e->r.last_match_sec = pfr_now_sec();
	pfc_hash_key_from_rule(rule, &e->key);
	pr = pfr_hash_plugin_rule(e);
	err = pfr_plugin_hold(rule->plugin_action.plugin_id, &pr);
	if (err) {
		kfree(e);
		return err;
	}

	spin_lock_bh(&ps->lock);
	err = __pfr_hash_insert(ps, e);
	spin_unlock_bh(&ps->lock);
	if (err)
		pfr_hash_entry_free(e);
	return err;
}

int pfr_hash_rule_remove(struct pfr_sock *ps, const hash_filtering_rule *rule)
{
	struct pfr_hash_entry *e;
	struct pfc_hash_key k;

	pfc_hash_key_from_rule(rule, &k);
	spin_lock_bh(&ps->lock);
	e = __pfr_hash_find(ps, &k);
	if (e) {
		hlist_del(&e->node);
		ps->n_hash--;
	}
	spin_unlock_bh(&ps->lock);
	if (!e)
		return -ENOENT;
	pfr_hash_entry_free(e);
	return 0;
}

/*
 * PFR_SO_PURGE_IDLE_RULES (guide 8.10.1, pfring_purge_idle_rules): removes
 * the wildcard rules that are not locked and matched nothing (since they
 * were added, if never) for secs seconds; the action plugins of the
 * others may age their own state (purge_idle). 0 or -ENOMEM.
 */
int pfr_rules_purge_idle(struct pfr_sock *ps, u16 secs)
{
	struct pfc_wc_rule **idle, *r;
	struct pfr_plugin_rule pr;
	u32 i, n = 0, kept = 0;
	u64 now = pfr_now_sec();

	/* adds hold the mutex: n_wc can only shrink until it is dropped */
	mutex_lock(&pfr_cfg_mutex);
	idle = kcalloc(ps->n_wc, sizeof(*idle), GFP_KERNEL);
	if (!idle) {
		mutex_unlock(&pfr_cfg_mutex);
		return -ENOMEM;
	}
	spin_lock_bh(&ps->lock);
	for (i = 0; i < ps->n_wc; i++) {
		r = ps->wc[i];
		if (pfc_wc_rule_is_idle(r, now, secs)) {
			idle[n++] = r;
			continue;
		}
		ps->wc[kept++] = r;
		if (r->rule.plugin_action.plugin_id) {
			pr = (struct pfr_plugin_rule){
				.rule = &r->rule,
				.plugin_mem = &container_of(r, struct pfr_wc_rule, r)->plugin_mem,
			};
			pfr_plugin_purge_idle(r->rule.plugin_action.plugin_id, &pr, secs);
		}
	}
	ps->n_wc = kept;
	spin_unlock_bh(&ps->lock);
	mutex_unlock(&pfr_cfg_mutex);
	for (i = 0; i < n; i++)
		pfr_wc_rule_free(idle[i]);
	kfree(idle);
	return 0;
}

/* PFR_SO_PURGE_IDLE_HASH_RULES (guide 8.10.2): the same for hash rules. */
void pfr_hash_rules_purge_idle(struct pfr_sock *ps, u16 secs)
{
	struct pfr_hash_entry *e;
	struct pfr_plugin_rule pr;
	struct hlist_node *tmp;
	HLIST_HEAD(idle);
	u64 now = pfr_now_sec();
	u32 i;

	spin_lock_bh(&ps->lock);
	for (i = 0; i < PFR_HASH_BUCKETS; i++) {
		hlist_for_each_entry_safe(e, tmp, &ps->hash[i], node) {
			if (pfc_hash_rule_is_idle(&e->r, now, secs)) {
				hlist_del(&e->node);
				hlist_add_head(&e->node, &idle);
				ps->n_hash--;
			} else if (e->r.rule.plugin_action.plugin_id) {
				pr = pfr_hash_plugin_rule(e);
				pfr_plugin_purge_idle(e->r.rule.plugin_action.plugin_id, &pr, secs);
			}
		}
	}
	spin_unlock_bh(&ps->lock);
	hlist_for_each_entry_safe(e, tmp, &idle, node)
		pfr_hash_entry_free(e);
}

/*
 * One rule's statistics into buf (len bytes): what its action plugin
 * reports (guide 10.4) or, without one, hash_filtering_rule_stats from the
 * counters. Returns the bytes written or -errno; ps->lock held.
 */
static int __pfr_stats_out(u8 plugin_id, struct pfr_plugin_rule *pr, u64 match, u64 filtered,
			   u64 last_match_sec, void *buf, u32 len)
{
	hash_filtering_rule_stats st;
	int n;

	if (plugin_id) {
		n = pfr_plugin_stats(plugin_id, pr, buf, len);
		if (n != -ENOENT)
			return n;
	}
	memset(&st, 0, sizeof(st));
	st.match = match;
	st.filtered = filtered;
	st.inactivity = (u32)(pfr_now_sec() - last_match_sec);
	n = min_t(u32, len, sizeof(st));
	memcpy(buf, &st, n);
	return n;
}

/* PFR_SO_GET_FILTERING_RULE_STATS: the bytes written into buf, or -errno. */
int pfr_rule_stats(struct pfr_sock *ps, u16 rule_id, void *buf, u32 len)
{
	struct pfr_plugin_rule pr;
	struct pfr_wc_rule *w;
	int n = -ENOENT;
	u32 i;

	spin_lock_bh(&ps->lock);
	for (i = 0; i < ps->n_wc; i++) {
		if (ps->wc[i]->rule.rule_id != rule_id)
			continue;
		w = container_of(ps->wc[i], struct pfr_wc_rule, r);
		pr.rule = &w->r.rule;
		pr.hash_rule = NULL;
		pr.plugin_mem = &w->plugin_mem;
		n = __pfr_stats_out(w->r.rule.plugin_action.plugin_id, &pr, w->r.match, w->r.filtered,
				    w->r.last_match_sec, buf, len);
		break;
	}
	spin_unlock_bh(&ps->lock);
	return n;
}

/* PFR_SO_GET_HASH_FILTERING_RULE_STATS: the rule with rule's 6-tuple. */
int pfr_hash_rule_stats(struct pfr_sock *ps, const hash_filtering_rule *rule, void *buf, u32 len)
{
	struct pfr_plugin_rule pr;
	struct pfr_hash_entry *e;
	struct pfc_hash_key k;
	int n = -ENOENT;

	pfc_hash_key_from_rule(rule, &k);
	spin_lock_bh(&ps->lock);
	e = __pfr_hash_find(ps, &k);
	if (e) {
		pr = pfr_hash_plugin_rule(e);
		n = __pfr_stats_out(e->r.rule.plugin_action.plugin_id, &pr, e->r.match, e->r.filtered,
				    e->r.last_match_sec, buf, len);
	}
	spin_unlock_bh(&ps->lock);
	return n;
}

/* forward_packet_{add,del}_rule_and_stop: called by pfc_filter_eval under ps->lock. */
static void pfr_eval_hash_rule(void *ctx, int add, const struct pfc_hash_key *key, u16 rule_id)
{
	struct pfr_sock *ps = ((struct pfr_eval *)ctx)->ps;
	struct pfr_hash_entry *e;

	lockdep_assert_held(&ps->lock);
	if (!add) {
		e = __pfr_hash_find(ps, key);
		if (e) {
			hlist_del(&e->node);
			ps->n_hash--;
			pfr_hash_entry_free(e);
		}
		return;
	}
	e = kzalloc(sizeof(*e), GFP_ATOMIC);
	if (!e)
		return;
	e->key = *key;
	e->r.rule.rule_id = rule_id;
	e->r.rule.vlan_id = key->vlan_id;
	e->r.rule.proto = key->proto;
	e->r.rule.host_peer_a = key->lo_host;
	e->r.rule.host_peer_b = key->hi_host;
	e->r.rule.port_peer_a = key->lo_port;
	e->r.rule.port_peer_b = key->hi_port;
	e->r.rule.rule_action = forward_packet_and_stop_rule_evaluation;
	e->r.last_match_sec = pfr_now_sec();
	if (__pfr_hash_insert(ps, e))
		kfree(e);
}

/* reflect_packet_* / bounce_packet_*: queued, sent by pfr_reflect() after unlocking. */
static void pfr_eval_reflect(void *ctx, const char *dev, int bounce)
{
	struct pfr_eval *ev = ctx;
	struct pfr_reflect_req *rq;

	if (ev->n_reflect >= PFR_MAX_REFLECT)
		return;
	rq = &ev->reflect[ev->n_reflect++];
	memcpy(rq->dev, dev, REFLECTOR_NAME_LEN);
	rq->dev[REFLECTOR_NAME_LEN] = '\0';
	rq->bounce = bounce;
}

/* execute_action_*: the plugin of the hash rule or wildcard rule that owns action. */
static void pfr_eval_plugin_action(void *ctx, const filtering_rule_plugin_action *action)
{
	struct pfr_eval *ev = ctx;
	struct pfr_hash_entry *e = ev->hash_match;
	struct pfr_plugin_rule pr = { NULL, NULL, NULL };
	struct pfr_wc_rule *w;

	if (e && action == &e->r.rule.plugin_action) {
		pr.hash_rule = &e->r.rule;
		pr.plugin_mem = &e->plugin_mem;
	} else {
		w = container_of(container_of(action, filtering_rule, plugin_action),
				 struct pfr_wc_rule, r.rule);
		pr.rule = &w->r.rule;
		pr.plugin_mem = &w->plugin_mem;
	}
	pfr_plugin_action(ev, action->plugin_id, &pr);
}

static int pfr_eval_filter_plugin(void *ctx, const filtering_rule *rule)
{
	return pfr_plugin_filter(ctx, rule);
}

static const struct pfc_eval_ops pfr_eval_ops = {
	.hash_rule = pfr_eval_hash_rule,
	.reflect = pfr_eval_reflect,
	.plugin_action = pfr_eval_plugin_action,
	.filter_plugin = pfr_eval_filter_plugin,
};

/* Rules and default policy; ps->lock held. True to deliver. */
bool __pfr_rules_accept(struct pfr_sock *ps, struct sk_buff *skb, struct pfr_pkt *pkt,
			struct pfr_eval *ev)
{
	struct pfc_filter_input in;
	struct pfr_hash_entry *e;
	struct pfc_verdict v;
	struct pfc_hash_key k;

	lockdep_assert_held(&ps->lock);
	if (!ps->n_wc && !ps->n_hash)
		return ps->default_accept;
	pfr_pkt_parse(pkt, skb);
	memset(&in, 0, sizeof(in));
	ev->skb = skb;
	ev->pkt = pkt;
	ev->hash_match = NULL;
	if (ps->n_hash && !pfc_hash_key_from_pkt(&pkt->info, &k)) {
		e = __pfr_hash_find(ps, &k);
		if (e) {
			in.hash_match = &e->r;
			ev->hash_match = e;
		}
	}
	in.candidates = (struct pfc_wc_rule *const *)ps->wc;
	in.n_candidates = ps->n_wc;
	in.default_accept = ps->default_accept;
	in.now_sec = pfr_now_sec();
	in.ops = &pfr_eval_ops;
	in.ops_ctx = ev;
	return pfc_filter_eval(&in, &pkt->info, pkt->hdr, pkt->hdr_len, &v) != 0;
}

void pfr_rules_free(struct pfr_sock *ps)
{
	struct pfr_hash_entry *e;
	struct hlist_node *tmp;
	u32 i;

	for (i = 0; i < ps->n_wc; i++)
		pfr_wc_rule_free(ps->wc[i]);
	kfree(ps->wc);
	ps->wc = NULL;
	ps->n_wc = 0;
	for (i = 0; i < PFR_HASH_BUCKETS; i++) {
		hlist_for_each_entry_safe(e, tmp, &ps->hash[i], node) {
			hlist_del(&e->node);
			pfr_hash_entry_free(e);
		}
	}
	ps->n_hash = 0;
}
