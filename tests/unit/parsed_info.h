// parsed_info.h - a pkt_parsing_info as pfc_parse_pkt leaves it, for tests
// of code that consumes parsing results (RSS input, cluster hashes).
#pragma once

#include <cstdint>
#include <cstring>

#include "pfring_defs.h"

namespace parsed_info {

// An untagged IPv4 packet parsed to level 4, no tunnel.
inline pkt_parsing_info ipv4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t sport, uint16_t dport) {
  pkt_parsing_info p;
  std::memset(&p, 0, sizeof(p));
  p.vlan_id = NO_VLAN;
  p.qinq_vlan_id = NO_VLAN;
  p.ip_version = 4;
  p.l3_proto = proto;
  p.ip_src.v4 = src;
  p.ip_dst.v4 = dst;
  p.l4_src_port = sport;
  p.l4_dst_port = dport;
  p.tunnel.tunnel_id = NO_TUNNEL_ID;
  p.offset.l3_offset = 14;
  p.offset.l4_offset = 34;
  return p;
}

}  // namespace parsed_info
