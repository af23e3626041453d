/*
 * cluster.c - cluster member selection (cluster.h).
 */
#include "cluster.h"
#include "parse.h"

/* The tuple a hash is taken over, outer or inner. */
struct tuple {
	u_int8_t version, proto;
	const ip_addr *src, *dst;
	u_int16_t sport, dport;
};

static void outer_tuple(const struct pkt_parsing_info *p, struct tuple *t)
{
	t->version = p->ip_version;
	t->proto = p->l3_proto;
	t->src = &p->ip_src;
	t->dst = &p->ip_dst;
	t->sport = p->l4_src_port;
	t->dport = p->l4_dst_port;
}

static void inner_tuple(const struct pkt_parsing_info *p, struct tuple *t)
{
	const tunnel_info *tu = &p->tunnel;

	if (tu->tunnel_id == NO_TUNNEL_ID ||
	    (tu->tunneled_ip_version != 4 && tu->tunneled_ip_version != 6)) {
		outer_tuple(p, t);
		return;
	}
	t->version = tu->tunneled_ip_version;
	t->proto = tu->tunneled_proto;
	t->src = &tu->tunneled_ip_src;
	t->dst = &tu->tunneled_ip_dst;
	t->sport = tu->tunneled_l4_src_port;
	t->dport = tu->tunneled_l4_dst_port;
}

/* Hash of tuple t for the outer-flow type base (cluster_per_flow..tcp_5_tuple). */
static u_int32_t tuple_hash(const struct tuple *t, u_int16_t vlan, u_int32_t base)
{
	u_int32_t addrs, ports;

	if (t->version != 4 && t->version != 6)
		return vlan == NO_VLAN ? 0 : vlan;
	addrs = pfc_addr_sum(t->src, t->version) + pfc_addr_sum(t->dst, t->version);
	ports = (u_int32_t)t->sport + t->dport;
	switch (base) {
	case cluster_per_flow:
		return (vlan == NO_VLAN ? 0 : vlan) + t->proto + addrs + ports;
	case cluster_per_flow_2_tuple:
		return addrs;
	case cluster_per_flow_4_tuple:
		return addrs + ports;
	case cluster_per_flow_5_tuple:
		return addrs + ports + t->proto;
	case cluster_per_flow_tcp_5_tuple:
		return t->proto == PFC_IPPROTO_TCP ? addrs + ports + t->proto : addrs;
	default:
		return 0;
	}
}

u_int32_t pfc_cluster_hash(const struct pkt_parsing_info *p, u_int32_t type)
{
	struct tuple t;
	u_int32_t base;

	if (!p || !pfc_cluster_type_is_hash(type))
		return 0;
	if (type >= cluster_per_inner_flow) {
		inner_tuple(p, &t);
		/* cluster_per_inner_flow .. _tcp_5_tuple mirror the outer list */
		base = type == cluster_per_inner_flow ? (u_int32_t)cluster_per_flow
						      : type - cluster_per_inner_flow + cluster_round_robin;
	} else {
		outer_tuple(p, &t);
		base = type;
	}
	return tuple_hash(&t, p->vlan_id, base);
}

int pfc_cluster_type_is_hash(u_int32_t type)
{
	return type != cluster_round_robin && pfc_cluster_type_valid(type);
}

int pfc_cluster_type_valid(u_int32_t type)
{
	return type <= cluster_per_inner_flow_tcp_5_tuple;
}

u_int32_t pfc_cluster_member(u_int32_t hash, u_int32_t n)
{
	return n ? hash % n : 0;
}
