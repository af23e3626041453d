/*
 * parse_fast.c - pfc_parse_pkt's common case in one pass (see
 * parse_internal.h); parse.c's layered parser takes everything else.
 * Freestanding C11, like the rest of the core.
 */
#include "parse_internal.h"

static uint16_t be16(const uint8_t *d)
{
	return (uint16_t)((uint32_t)d[0] << 8 | d[1]);
}

static uint32_t be32(const uint8_t *d)
{
	return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
	       (uint32_t)d[2] << 8 | d[3];
}

/*
 * Ethernet with at most one 802.1Q tag, an unfragmented IPv4 header or an
 * IPv6 header without extension headers, then (level >= L4) a TCP or UDP
 * header that is not a tunnel's: every field written once, each header
 * checked whole before it is read. Anything else (other types, options
 * that do not fit, fragments, ICMP, tunnels, short captures) returns -1
 * having written nothing, and the layered parser below takes the packet;
 * it gives the same result for every packet this one takes (fuzz_parse
 * and prop_core_parse compare both with the model).
 */
int pfc_parse_fast(const uint8_t *d, uint32_t len, uint8_t level,
		   struct pkt_parsing_info *p, uint32_t *flags)
{
	uint32_t l3 = PFC_ETH_HDR_LEN, l4, hl = 0;
	uint16_t type, vid = NO_VLAN;
	uint8_t ver, proto, tos;

	if (len < PFC_ETH_HDR_LEN + PFC_IPV4_MIN_HDR_LEN)
		return -1;
	type = be16(d + 12);
	if (type == PFC_ETH_P_8021Q) {
		vid = be16(d + 14) & 0x0FFF;
		type = be16(d + 16);
		l3 += PFC_VLAN_TAG_LEN;
	}
	if (type == PFC_ETH_P_IP) {
		uint32_t ihl;

		if (len < l3 + PFC_IPV4_MIN_HDR_LEN || d[l3] >> 4 != 4)
			return -1;
		ihl = (uint32_t)(d[l3] & 0x0F) * 4;
		/*
		 * Fragments (MF or an offset) go the long way; so does a
		 * total length in 1..ihl-1 (0, BIG TCP's, wraps to the top
		 * and passes, as parse_ipv4 accepts it).
		 */
		if (ihl < PFC_IPV4_MIN_HDR_LEN || len < l3 + ihl ||
		    (be16(d + l3 + 6) & 0x3FFF) != 0 ||
		    be16(d + l3 + 2) - 1u < ihl - 1u)
			return -1;
		ver = 4;
		tos = d[l3 + 1];
		proto = d[l3 + 9];
		l4 = l3 + ihl;
	} else if (type == PFC_ETH_P_IPV6) {
		if (len < l3 + PFC_IPV6_HDR_LEN || d[l3] >> 4 != 6)
			return -1;
		ver = 6;
		tos = (uint8_t)(be16(d + l3) >> 4);
		proto = d[l3 + 6];
		if (is_ipv6_ext(proto))
			return -1;
		l4 = l3 + PFC_IPV6_HDR_LEN;
	} else {
		return -1;
	}
	if (level >= PFC_LEVEL_L4) {
		if (proto == PFC_IPPROTO_TCP) {
			if (len < l4 + PFC_TCP_MIN_HDR_LEN)
				return -1;
			hl = (uint32_t)(d[l4 + 12] >> 4) * 4;
			if (hl < PFC_TCP_MIN_HDR_LEN || len < l4 + hl)
				return -1;
		} else if (proto == PFC_IPPROTO_UDP) {
			uint16_t dport;

			if (len < l4 + PFC_UDP_HDR_LEN)
				return -1;
			dport = be16(d + l4 + 2);
			if (level >= PFC_LEVEL_TUNNEL &&
			    (dport == PFC_GTPU_PORT || dport == PFC_VXLAN_PORT))
				return -1;
			hl = PFC_UDP_HDR_LEN;
		} else {
			return -1;
		}
	}

	__builtin_memcpy(p->dmac, d, 2 * ETH_ALEN);
	p->eth_type = type;
	p->vlan_id = vid;
	p->qinq_vlan_id = NO_VLAN;
	p->offset.eth_offset = 0;
	p->offset.vlan_offset = (int16_t)(vid == NO_VLAN ? 0 : 14);
	p->offset.l3_offset = (int16_t)l3;
	p->ip_version = ver;
	p->l3_proto = proto;
	p->ip_tos = tos;
	if (ver == 4) {
		addr_clear(&p->ip_src);
		addr_clear(&p->ip_dst);
		p->ip_src.v4 = be32(d + l3 + 12);
		p->ip_dst.v4 = be32(d + l3 + 16);
	} else {
		__builtin_memcpy(p->ip_src.v6.s6_addr, d + l3 + 8, 16);
		__builtin_memcpy(p->ip_dst.v6.s6_addr, d + l3 + 24, 16);
	}
	p->offset.l4_offset = (int16_t)l4;
	if (flags)
		*flags &= ~(uint32_t)PFC_PKT_FLAGS_IP;
	reset_l4(p);
	if (!hl)
		return PFC_LEVEL_L3;
	p->l4_src_port = be16(d + l4);
	p->l4_dst_port = be16(d + l4 + 2);
	if (proto == PFC_IPPROTO_TCP) {
		p->tcp.seq_num = be32(d + l4 + 4);
		p->tcp.ack_num = be32(d + l4 + 8);
		p->tcp.flags = d[l4 + 13];
	}
	p->offset.payload_offset = (int16_t)(l4 + hl);
	return PFC_LEVEL_L4;
}
