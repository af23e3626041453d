// gen_rules.h - RapidCheck generators for rules and the packets they see
// (section "rules" of the generators; generators.h includes it).
//
// Values come from small pools so that random rules and random packets
// collide often: a rule that never matches tests nothing.
#pragma once

#include <rapidcheck.h>

#include <cstring>
#include <vector>

#include "model_rules.h"

extern "C" {
#include "pfring_defs.h"
#include "rules.h"
}

namespace gen {

// ---- pools ---------------------------------------------------------------

inline rc::Gen<std::array<uint8_t, 6>> mac_from_pool() {
  return rc::gen::element(std::array<uint8_t, 6>{0x00, 0x11, 0x22, 0x33, 0x44, 0x55},
                          std::array<uint8_t, 6>{0x02, 0x00, 0x00, 0x00, 0x00, 0x01},
                          std::array<uint8_t, 6>{0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
}

inline ip_addr v4(uint32_t host_order) {
  ip_addr a;
  std::memset(&a, 0, sizeof(a));
  a.v4 = host_order;
  return a;
}

inline ip_addr v6(uint8_t last, uint8_t first = 0x20) {
  ip_addr a;
  std::memset(&a, 0, sizeof(a));
  a.v6.s6_addr[0] = first;
  a.v6.s6_addr[1] = 0x01;
  a.v6.s6_addr[2] = 0x0d;
  a.v6.s6_addr[3] = 0xb8;
  a.v6.s6_addr[15] = last;
  return a;
}

// Addresses of one IP version from a pool where prefixes overlap.
// One IPv6 address shares its first four bytes with an IPv4 pool address:
// rules compare IPv4 on those bytes (the v4 member), so the two families
// meet there.
inline ip_addr v6_over_v4(uint32_t v4_host_order) {
  ip_addr a = v4(v4_host_order);
  a.v6.s6_addr[15] = 1;
  return a;
}

inline rc::Gen<ip_addr> addr_from_pool(int ipv) {
  if (ipv == 6) return rc::gen::element(v6(1), v6(2), v6(3), v6(1, 0xfe), v6_over_v4(0x0a000002));
  return rc::gen::element(v4(0x0a000001), v4(0x0a000002), v4(0x0a000102), v4(0xc0a80001));
}

inline rc::Gen<uint16_t> port_from_pool() {
  return rc::gen::weightedOneOf<uint16_t>({{4, rc::gen::element<uint16_t>(53, 80, 443, 8080, 1024)},
                                            {1, rc::gen::arbitrary<uint16_t>()}});
}

inline rc::Gen<uint8_t> proto_from_pool() { return rc::gen::element<uint8_t>(6, 17, 1, 58, 132); }

inline const std::vector<std::vector<uint8_t>> &payload_pool() {
  static const std::vector<std::vector<uint8_t>> p = {
      {}, {'G', 'E', 'T', ' ', '/'}, {'x', 'x', 'a', 'b', 'c'}, {'a', 'b'}, {0, 1, 2, 3, 'a', 'b', 'c'}};
  return p;
}

// ---- packets ---------------------------------------------------------------

inline rc::Gen<model::RulePacket> rule_packet() {
  return rc::gen::exec([] {
    model::RulePacket p;
    auto s = *mac_from_pool();
    auto d = *mac_from_pool();
    std::memcpy(p.smac, s.data(), 6);
    std::memcpy(p.dmac, d.data(), 6);
    if (*rc::gen::inRange(0, 3) == 0) p.vlan = *rc::gen::element<uint16_t>(0, 10, 20);
    p.ip_version = *rc::gen::element(0, 4, 4, 6);
    if (p.ip_version) {
      p.proto = *proto_from_pool();
      p.src = *addr_from_pool(p.ip_version);
      p.dst = *addr_from_pool(p.ip_version);
      if (p.proto == 6 || p.proto == 17 || p.proto == 132) {
        p.sport = *port_from_pool();
        p.dport = *port_from_pool();
      }
      p.has_payload = *rc::gen::inRange(0, 4) != 0;
      if (p.has_payload) p.payload = *rc::gen::elementOf(payload_pool());
    }
    return p;
  });
}

// The same packet as the parser would describe it, plus bytes holding the
// payload at payload_offset (the rest of the frame is filler).
struct CorePacket {
  pkt_parsing_info info;
  std::vector<uint8_t> bytes;
};

inline CorePacket to_core(const model::RulePacket &p) {
  CorePacket c;
  std::memset(&c.info, 0, sizeof(c.info));
  auto &i = c.info;
  std::memcpy(i.smac, p.smac, 6);
  std::memcpy(i.dmac, p.dmac, 6);
  i.vlan_id = p.vlan ? *p.vlan : NO_VLAN;
  i.qinq_vlan_id = NO_VLAN;
  i.ip_version = static_cast<uint8_t>(p.ip_version);
  i.l3_proto = p.proto;
  i.ip_src = p.src;
  i.ip_dst = p.dst;
  i.l4_src_port = p.sport;
  i.l4_dst_port = p.dport;
  i.tunnel.tunnel_id = NO_TUNNEL_ID;
  const int16_t payload_at = 54;
  c.bytes.assign(payload_at, 0xEE);
  if (p.ip_version) {
    i.offset.l3_offset = 14;
    if (p.has_payload) {
      i.offset.l4_offset = 34;
      i.offset.payload_offset = payload_at;
      c.bytes.insert(c.bytes.end(), p.payload.begin(), p.payload.end());
    }
  }
  return c;
}

// ---- rules -----------------------------------------------------------------

inline rc::Gen<rule_action_behaviour> rule_action() {
  return rc::gen::map(rc::gen::inRange(0, PFC_NUM_RULE_ACTIONS),
                      [](int a) { return static_cast<rule_action_behaviour>(a); });
}

inline void set_port_range(uint16_t &low, uint16_t &high) {
  switch (*rc::gen::inRange(0, 4)) {
    case 0: low = high = 0; break;                 // any
    case 1: low = *port_from_pool(); high = 0; break;  // single (high 0)
    case 2: low = high = *port_from_pool(); break;     // single
    default: {
      uint16_t a = *port_from_pool(), b = *port_from_pool();
      low = std::min(a, b);
      high = std::max(a, b);
      if (low == 0 && high == 0) high = 1;
    }
  }
}

inline ip_addr v4_mask(int bits) { return v4(bits == 0 ? 0 : 0xFFFFFFFFu << (32 - bits)); }

inline ip_addr v6_mask(int bits) {
  ip_addr m;
  std::memset(&m, 0, sizeof(m));
  for (int i = 0; i < 16; i++) {
    int b = std::max(0, std::min(8, bits - 8 * i));
    m.v6.s6_addr[i] = static_cast<uint8_t>(b == 0 ? 0 : 0xFF << (8 - b));
  }
  return m;
}

inline void set_host(ip_addr &host, ip_addr &mask) {
  std::memset(&host, 0, sizeof(host));
  std::memset(&mask, 0, sizeof(mask));
  int kind = *rc::gen::inRange(0, 5);
  if (kind <= 1) return;  // any host
  int ipv = kind == 4 ? 6 : 4;
  host = *addr_from_pool(ipv);
  // An explicit /32 (or /128) is common in real rule sets: weight it up.
  if (*rc::gen::arbitrary<bool>())
    mask = ipv == 4 ? v4_mask(*rc::gen::element(0, 8, 16, 24, 30, 32, 32, 32)) : v6_mask(*rc::gen::element(0, 32, 64, 120, 128, 128));
}

inline rc::Gen<filtering_rule> wildcard_rule(uint16_t rule_id) {
  return rc::gen::exec([rule_id] {
    filtering_rule r;
    std::memset(&r, 0, sizeof(r));
    r.rule_id = rule_id;
    r.rule_action = *rule_action();
    auto &c = r.core_fields;
    if (*rc::gen::inRange(0, 4) == 0) std::memcpy(c.smac, (*mac_from_pool()).data(), 6);
    if (*rc::gen::inRange(0, 4) == 0) std::memcpy(c.dmac, (*mac_from_pool()).data(), 6);
    if (*rc::gen::inRange(0, 4) == 0) c.vlan_id = *rc::gen::element<uint16_t>(10, 20);
    if (*rc::gen::inRange(0, 2) == 0) c.proto = *proto_from_pool();
    set_host(c.shost, c.shost_mask);
    set_host(c.dhost, c.dhost_mask);
    set_port_range(c.sport_low, c.sport_high);
    set_port_range(c.dport_low, c.dport_high);
    r.bidirectional = *rc::gen::inRange(0, 3) == 0;
    if (*rc::gen::inRange(0, 5) == 0) {
      r.balance_pool = static_cast<uint8_t>(*rc::gen::inRange(1, 4));
      r.balance_id = static_cast<uint8_t>(*rc::gen::inRange(0, static_cast<int>(r.balance_pool)));
    }
    if (*rc::gen::inRange(0, 5) == 0) {
      const char *pat = *rc::gen::element("GET", "abc", "zz", "b");
      std::strncpy(r.extended_fields.payload_pattern, pat, sizeof(r.extended_fields.payload_pattern) - 1);
    }
    std::snprintf(r.reflector_device_name, REFLECTOR_NAME_LEN, "eth%u", rule_id % 3);
    return r;
  });
}

// Wildcard rules with distinct ids in random order.
inline rc::Gen<std::vector<filtering_rule>> wildcard_rules() {
  return rc::gen::exec([] {
    auto ids = *rc::gen::unique<std::vector<uint16_t>>(rc::gen::inRange<uint16_t>(1, 60));
    if (ids.size() > 25) ids.resize(25);
    std::vector<filtering_rule> rules;
    for (uint16_t id : ids) rules.push_back(*wildcard_rule(id));
    return rules;
  });
}

inline rc::Gen<hash_filtering_rule> hash_rule(uint16_t rule_id) {
  return rc::gen::exec([rule_id] {
    hash_filtering_rule r;
    std::memset(&r, 0, sizeof(r));
    r.rule_id = rule_id;
    r.rule_action = *rule_action();
    r.vlan_id = *rc::gen::element<uint16_t>(0, 0, 10);
    r.proto = *proto_from_pool();
    int ipv = *rc::gen::element(4, 4, 6);
    r.host_peer_a = *addr_from_pool(ipv);
    r.host_peer_b = *addr_from_pool(ipv);
    r.port_peer_a = *port_from_pool();
    r.port_peer_b = *port_from_pool();
    std::snprintf(r.reflector_device_name, REFLECTOR_NAME_LEN, "eth%u", rule_id % 3);
    return r;
  });
}

// A packet close to rule r: its fields taken from the rule where the rule
// sets them (the IP version still random, so IPv4 rule hosts meet IPv6
// packets too), so that rules match often and near their edges.
inline model::RulePacket packet_near(const filtering_rule &r) {
  model::RulePacket p = *rule_packet();
  const auto &c = r.core_fields;
  auto zero = [](const uint8_t *b, int n) {
    for (int i = 0; i < n; i++)
      if (b[i]) return false;
    return true;
  };
  if (!zero(c.smac, 6)) std::memcpy(p.smac, c.smac, 6);
  if (!zero(c.dmac, 6)) std::memcpy(p.dmac, c.dmac, 6);
  if (c.vlan_id) p.vlan = c.vlan_id;
  if (p.ip_version == 0) p.ip_version = *rc::gen::element(4, 6);
  if (c.proto) p.proto = c.proto;
  else if (p.proto == 0) p.proto = 17;
  auto near_host = [&](const ip_addr &h, ip_addr &out) {
    if (zero(h.v6.s6_addr, 16) || *rc::gen::inRange(0, 4) == 0) return;
    out = h;
    if (p.ip_version == 6 && zero(h.v6.s6_addr + 4, 12) && *rc::gen::arbitrary<bool>()) out.v6.s6_addr[15] = 1;
  };
  near_host(c.shost, p.src);
  near_host(c.dhost, p.dst);
  auto near_port = [&](uint16_t low, uint16_t high, uint16_t &out) {
    if (low == 0 && high == 0) return;
    uint16_t hi = high ? high : low;
    out = *rc::gen::element<uint16_t>(uint16_t(low), uint16_t(hi), uint16_t(low - 1), uint16_t(hi + 1));
  };
  near_port(c.sport_low, c.sport_high, p.sport);
  near_port(c.dport_low, c.dport_high, p.dport);
  if (*rc::gen::arbitrary<bool>()) {  // sometimes the other direction
    std::swap(p.src, p.dst);
    std::swap(p.sport, p.dport);
    for (int i = 0; i < 6; i++) std::swap(p.smac[i], p.dmac[i]);
  }
  return p;
}

// Hash rules with distinct tuples (duplicates are refused by both sides).
inline rc::Gen<std::vector<hash_filtering_rule>> hash_rules() {
  return rc::gen::exec([] {
    int n = *rc::gen::inRange(0, 12);
    std::vector<hash_filtering_rule> out;
    for (int i = 0; i < n; i++) {
      hash_filtering_rule r = *hash_rule(static_cast<uint16_t>(100 + i));
      bool dup = false;
      for (const auto &o : out) dup = dup || model::same_tuple(o, r);
      if (!dup) out.push_back(r);
    }
    return out;
  });
}

}  // namespace gen
