// model_parse.h - the executable specification of pfc_parse_pkt (guide 8.14)
// for the fields rules, clusters and the bidirectional hash use.
//
// Deliberately plain and slow: every read is checked by an accessor that
// throws, every header is handled by one straight-line function, and the
// result is a value type compared field by field. src/core/parse.c is the
// fast implementation; tests/property/prop_core_parse.cpp makes them agree.
//
// The semantics both implement (see the top of src/core/parse.c):
//  - a header counts only when it is captured whole (options included);
//    otherwise parsing stops at the layer before and that level is returned;
//  - the return value is 0 (nothing, or level < 2), 2 (Ethernet + VLAN
//    tags), 3 (IPv4/IPv6 + extension headers), 4 (TCP, UDP, ICMP, ICMPv6,
//    SCTP or GRE header), 5 (inner IP header of a GTP-U, VXLAN or GRE tunnel);
//  - fields of layers not reached hold their "absent" values: 0, NO_VLAN for
//    the VLAN ids, NO_TUNNEL_ID for the tunnel id.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "parse.h"  // PFC_MAX_* limits; pulls pfring_defs.h

namespace model {

// An IP address as rules compare it: IPv4 as a host-order number, IPv6 as
// the 16 bytes in network order. Only the member of the version is used.
struct Addr {
  uint32_t v4 = 0;
  std::array<uint8_t, 16> v6{};
};

// Everything pfc_parse_pkt reports, as the model computes it.
struct Parsed {
  int level = 0;          // the return value
  uint32_t ip_flags = 0;  // PKT_FLAGS_IP_MORE_FRAG | PKT_FLAGS_IP_FRAG_OFFSET

  std::array<uint8_t, 6> dmac{}, smac{};
  uint16_t eth_type = 0;
  uint16_t vlan_id = NO_VLAN;
  uint16_t qinq_vlan_id = NO_VLAN;

  uint8_t ip_version = 0;
  uint8_t l3_proto = 0;
  uint8_t ip_tos = 0;
  Addr ip_src, ip_dst;

  uint16_t l4_src_port = 0, l4_dst_port = 0;
  uint8_t icmp_type = 0, icmp_code = 0;
  uint8_t tcp_flags = 0;
  uint32_t tcp_seq = 0, tcp_ack = 0;

  uint32_t tunnel_id = NO_TUNNEL_ID;
  uint8_t tunneled_ip_version = 0;
  uint8_t tunneled_proto = 0;
  Addr tunneled_ip_src, tunneled_ip_dst;
  uint16_t tunneled_l4_src_port = 0, tunneled_l4_dst_port = 0;

  int eth_offset = 0, vlan_offset = 0, l3_offset = 0, l4_offset = 0,
      payload_offset = 0;
};

// Parses pkt[0, len) stopping after `level` (0..5 and beyond).
Parsed parse(const uint8_t* pkt, size_t len, int level);
Parsed parse(const std::vector<uint8_t>& pkt, int level);

// What a parse that stops at `level` keeps of a parse at level 5: the same
// fields up to that layer, absent values above it, level min(level, full).
Parsed at_level(const Parsed& full, int level);

// The core's result in the model's terms (only the member of ip_version's
// address union is read).
Parsed from_core(const struct pkt_parsing_info& p, int ret, uint32_t flags);

// Field names and printed values, in declaration order.
std::vector<std::pair<std::string, std::string>> fields(const Parsed& p);

// "" when equal, otherwise one line per differing field:
// "name: expected X, got Y".
std::string diff(const Parsed& expected, const Parsed& actual);

std::string show(const Parsed& p);

bool operator==(const Parsed& a, const Parsed& b);
inline bool operator!=(const Parsed& a, const Parsed& b) { return !(a == b); }

}  // namespace model
