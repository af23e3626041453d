/*
 * cluster.c - cluster member selection (cluster.h).
 */
#include "cluster.h"
#include "parse.h"

#define PFC_IPPROTO_TCP 6

int pfc_cluster_type_valid(u_int32_t type)
{
	return type <= (u_int32_t)cluster_per_inner_flow_tcp_5_tuple;
}

int pfc_cluster_is_per_flow(cluster_type t)
{
	return t != cluster_round_robin && (u_int32_t)t <= (u_int32_t)cluster_per_inner_flow_tcp_5_tuple;
}

/* Fields of one flow, outer or tunnelled. */
struct flow_fields {
	u_int8_t version, proto;
	const ip_addr *src, *dst;
	u_int16_t sport, dport;
};

static u_int32_t mac_sum(const u_int8_t *a, const u_int8_t *b)
{
	u_int32_t sum = 0;
	int i;

	for (i = 0; i < ETH_ALEN; i += 2)
		sum += ((u_int32_t)a[i] << 8 | a[i + 1]) + ((u_int32_t)b[i] << 8 | b[i + 1]);
	return sum;
}

/* Final mix so that sums differing in a few low bits land on different members. */
static u_int32_t mix32(u_int32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* The outer type whose fields an inner type hashes. */
static cluster_type outer_twin(cluster_type t)
{
	switch (t) {
	case cluster_per_inner_flow:
		return cluster_per_flow;
	case cluster_per_inner_flow_2_tuple:
		return cluster_per_flow_2_tuple;
	case cluster_per_inner_flow_4_tuple:
		return cluster_per_flow_4_tuple;
	case cluster_per_inner_flow_5_tuple:
		return cluster_per_flow_5_tuple;
	case cluster_per_inner_flow_tcp_5_tuple:
		return cluster_per_flow_tcp_5_tuple;
	default:
		return t;
	}
}

u_int32_t pfc_cluster_hash(const struct pkt_parsing_info *p, cluster_type t)
{
	struct flow_fields f;
	u_int32_t h;
	int inner = t >= cluster_per_inner_flow;
	cluster_type base = outer_twin(t);

	if (!pfc_cluster_is_per_flow(t))
		return 0;
	if (inner && p->tunnel.tunnel_id != NO_TUNNEL_ID &&
	    (p->tunnel.tunneled_ip_version == 4 || p->tunnel.tunneled_ip_version == 6)) {
		f.version = p->tunnel.tunneled_ip_version;
		f.proto = p->tunnel.tunneled_proto;
		f.src = &p->tunnel.tunneled_ip_src;
		f.dst = &p->tunnel.tunneled_ip_dst;
		f.sport = p->tunnel.tunneled_l4_src_port;
		f.dport = p->tunnel.tunneled_l4_dst_port;
	} else {
		f.version = p->ip_version;
		f.proto = p->l3_proto;
		f.src = &p->ip_src;
		f.dst = &p->ip_dst;
		f.sport = p->l4_src_port;
		f.dport = p->l4_dst_port;
	}
	if (f.version != 4 && f.version != 6)
		return mix32(mac_sum(p->smac, p->dmac));

	h = pfc_ip_word_sum(f.src, f.version) + pfc_ip_word_sum(f.dst, f.version);
	if (base == cluster_per_flow_tcp_5_tuple)
		base = f.proto == PFC_IPPROTO_TCP ? cluster_per_flow_5_tuple : cluster_per_flow_2_tuple;
	switch (base) {
	case cluster_per_flow:
		/* the VLAN is an outer header: inner flows do not include it */
		if (!inner && p->vlan_id != NO_VLAN)
			h += p->vlan_id;
		h += (u_int32_t)f.proto + f.sport + f.dport;
		break;
	case cluster_per_flow_4_tuple:
		h += (u_int32_t)f.sport + f.dport;
		break;
	case cluster_per_flow_5_tuple:
		h += (u_int32_t)f.sport + f.dport + f.proto;
		break;
	default: /* 2-tuple */
		break;
	}
	return mix32(h);
}

u_int32_t pfc_cluster_member(u_int32_t hash, u_int32_t num_members)
{
	/* multiply-shift: no division, the same spread as hash % n */
	return (u_int32_t)(((u_int64_t)hash * num_members) >> 32);
}
