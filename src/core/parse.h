/*
 * parse.h - packet parsing shared by pf_ring.ko, libpfring and the sim NIC
 * (guide 8.14, pfring_parse_pkt). Freestanding C11.
 */
#ifndef PFC_PARSE_H
#define PFC_PARSE_H

#include "pfring_defs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parse levels (the `level` argument of pfring_parse_pkt). */
#define PFC_LEVEL_L2 2
#define PFC_LEVEL_L3 3
#define PFC_LEVEL_L4 4
#define PFC_LEVEL_TUNNEL 5

/* At most this many VLAN tags and IPv6 extension headers are walked. */
#define PFC_MAX_VLAN_TAGS 8
#define PFC_MAX_IPV6_EXT_HDRS 16

/*
 * Parses pkt[0..caplen) into p, stopping after `level`.
 *
 * If p->offset.l3_offset != 0 the L2 fields of p are taken as already
 * parsed and kept; if p->offset.l4_offset != 0 the L3 fields are kept too
 * (guide 8.14). Otherwise p must be zeroed by the caller; the fields of the
 * layers parsed here are (re)written. *flags receives PKT_FLAGS_IP_* bits.
 *
 * Never reads pkt at or beyond caplen. A header that does not fit stops
 * parsing at the layer before it.
 *
 * Returns the topmost level fully parsed: 0 when not even an Ethernet
 * header fits (or level < 2), 2 (L2), 3 (IPv4/IPv6 header), 4 (TCP, UDP,
 * ICMP, ICMPv6, SCTP, GRE header), 5 (inner headers of a GTP-U, VXLAN or GRE
 * tunnel).
 */
int pfc_parse_pkt(const uint8_t *pkt, uint32_t caplen, uint8_t level,
		  struct pkt_parsing_info *p, uint32_t *flags);

/*
 * Bidirectional hash of the parsed packet (guide 8.6 add_hash): the sum of
 * VLAN id, L3 protocol, source and destination address words and ports, so
 * both directions of a flow give the same value. 0 for non-IP packets
 * hashes only the VLAN id.
 */
uint32_t pfc_bidir_hash(const struct pkt_parsing_info *p);

/*
 * Sum of an address as 32-bit words (an IPv4 address is its one word), so
 * adding it for source and destination is symmetric.
 */
uint32_t pfc_addr_sum(const ip_addr *a, uint8_t version);

#ifdef __cplusplus
}
#endif

#endif /* PFC_PARSE_H */
