/*
 * parse_internal.h - what parse.c (the layered parser) and parse_fast.c
 * (its one-pass common case) share: header sizes, the reset of the layers
 * a parse writes, and the fast path's entry. Not part of the core's API.
 */
#ifndef PFC_PARSE_INTERNAL_H
#define PFC_PARSE_INTERNAL_H

#include "parse.h"

#define PFC_PARSE_LIMIT 0x7FFFu

#define PFC_ETH_HDR_LEN 14u
#define PFC_VLAN_TAG_LEN 4u
#define PFC_IPV4_MIN_HDR_LEN 20u
#define PFC_IPV6_HDR_LEN 40u
#define PFC_TCP_MIN_HDR_LEN 20u
#define PFC_UDP_HDR_LEN 8u
#define PFC_ICMP_HDR_LEN 8u
#define PFC_SCTP_HDR_LEN 12u
#define PFC_GRE_MIN_HDR_LEN 4u
#define PFC_GTPU_HDR_LEN 8u
#define PFC_GTPU_OPT_LEN 4u
#define PFC_VXLAN_HDR_LEN 8u

#define PFC_IPV6_NEXT_HOPOPTS 0
#define PFC_IPV6_NEXT_ROUTING 43
#define PFC_IPV6_NEXT_FRAGMENT 44
#define PFC_IPV6_NEXT_DSTOPTS 60

#define PFC_PKT_FLAGS_IP (PKT_FLAGS_IP_MORE_FRAG | PKT_FLAGS_IP_FRAG_OFFSET)

/* ---- small helpers (no libc) ---- */

/*
 * The compiler's builtins, not libc: with a constant size GCC and clang
 * emit a few moves inline (per-byte loops were a third of a parse).
 */
static inline void addr_clear(ip_addr *a)
{
	__builtin_memset(a, 0, sizeof(*a));
}

static inline void reset_tunnel(tunnel_info *t)
{
	t->tunnel_id = NO_TUNNEL_ID;
	t->tunneled_ip_version = 0;
	t->tunneled_proto = 0;
	addr_clear(&t->tunneled_ip_src);
	addr_clear(&t->tunneled_ip_dst);
	t->tunneled_l4_src_port = 0;
	t->tunneled_l4_dst_port = 0;
}

/* L4 and the tunnel are never kept: there is no offset saying "parsed". */
static inline void reset_l4(struct pkt_parsing_info *p)
{
	p->l4_src_port = 0;
	p->l4_dst_port = 0;
	p->icmp_type = 0;
	p->icmp_code = 0;
	p->tcp.flags = 0;
	p->tcp.seq_num = 0;
	p->tcp.ack_num = 0;
	p->offset.payload_offset = 0;
	reset_tunnel(&p->tunnel);
}

/* RFC 8200 section 4 headers we walk past, plus AH (RFC 4302). */
static inline int is_ipv6_ext(uint8_t next)
{
	return next == PFC_IPV6_NEXT_HOPOPTS ||
	       next == PFC_IPV6_NEXT_ROUTING ||
	       next == PFC_IPV6_NEXT_FRAGMENT ||
	       next == PFC_IPV6_NEXT_DSTOPTS || next == PFC_IPPROTO_AH;
}

/*
 * The common case in one pass (parse_fast.c): 0 with nothing parsed is
 * never returned; -1 means "not taken, nothing written".
 */
int pfc_parse_fast(const uint8_t *d, uint32_t len, uint8_t level,
		   struct pkt_parsing_info *p, uint32_t *flags);

#endif /* PFC_PARSE_INTERNAL_H */
