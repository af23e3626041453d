// model_rules.cpp - see model_rules.h. Obviously correct over fast.
#include "model_rules.h"

#include <algorithm>
#include <cstring>

namespace model {

namespace {

bool all_zero(const uint8_t *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (b[i]) return false;
  return true;
}

const uint8_t *bytes(const ip_addr &a) { return reinterpret_cast<const uint8_t *>(&a); }

// "Use '0' for any host"; the mask is a network mask, 0 meaning exact.
bool host_ok(const ip_addr &host, const ip_addr &mask, const ip_addr &addr, int ipv) {
  if (all_zero(bytes(host), 16)) return true;
  if (ipv == 4) {
    if (!all_zero(bytes(host) + 4, 12)) return false;  // an IPv6 rule
    uint32_t m = mask.v4 == 0 ? 0xFFFFFFFFu : mask.v4;
    return (addr.v4 & m) == (host.v4 & m);
  }
  if (ipv == 6) {
    bool exact = all_zero(bytes(mask), 16);
    for (int i = 0; i < 16; i++) {
      uint8_t m = exact ? 0xFF : bytes(mask)[i];
      if ((bytes(addr)[i] & m) != (bytes(host)[i] & m)) return false;
    }
    return true;
  }
  return false;
}

// "All ports between port_low...port_high"; 0..0 is any port.
bool port_ok(uint16_t low, uint16_t high, uint16_t port) {
  if (low == 0 && high == 0) return true;
  uint16_t hi = high == 0 ? low : high;
  return low <= port && port <= hi;
}

bool mac_ok(const uint8_t *rule, const uint8_t *pkt) { return all_zero(rule, 6) || std::memcmp(rule, pkt, 6) == 0; }

bool one_direction(const filtering_rule_core_fields &c, const uint8_t *smac, const uint8_t *dmac,
                   const ip_addr &src, const ip_addr &dst, uint16_t sport, uint16_t dport, int ipv) {
  return mac_ok(c.smac, smac) && mac_ok(c.dmac, dmac) && host_ok(c.shost, c.shost_mask, src, ipv) &&
         host_ok(c.dhost, c.dhost_mask, dst, ipv) && port_ok(c.sport_low, c.sport_high, sport) &&
         port_ok(c.dport_low, c.dport_high, dport);
}

uint32_t word_sum(const ip_addr &a, int ipv) {
  if (ipv == 4) return a.v4;
  uint32_t s = 0;
  for (int i = 0; i < 16; i += 4)
    s += (uint32_t(bytes(a)[i]) << 24) | (uint32_t(bytes(a)[i + 1]) << 16) | (uint32_t(bytes(a)[i + 2]) << 8) |
         bytes(a)[i + 3];
  return s;
}

bool payload_ok(const char *pattern, const RulePacket &p) {
  size_t n = 0;
  while (n < 32 && pattern[n]) n++;
  if (n == 0) return true;
  if (!p.has_payload || p.payload.size() < n) return false;
  return std::search(p.payload.begin(), p.payload.end(), pattern, pattern + n) != p.payload.end();
}

bool filters(rule_action_behaviour a) {
  return a == dont_forward_packet_and_stop_rule_evaluation || a == reflect_packet_and_stop_rule_evaluation ||
         a == reflect_packet_and_continue_rule_evaluation || a == bounce_packet_and_stop_rule_evaluation ||
         a == bounce_packet_and_continue_rule_evaluation;
}

bool ip_equal(const ip_addr &a, const ip_addr &b) { return std::memcmp(&a, &b, 16) == 0; }

std::string device_of(const char *name) { return std::string(name, strnlen(name, REFLECTOR_NAME_LEN)); }

// Applies an action; returns true when evaluation stops. fwd: -1 undecided.
bool act(rule_action_behaviour a, uint16_t id, const std::string &dev, const RulePacket &p, int &fwd,
         std::vector<Event> &ev) {
  switch (a) {
    case forward_packet_and_stop_rule_evaluation: fwd = 1; return true;
    case dont_forward_packet_and_stop_rule_evaluation: fwd = 0; return true;
    case execute_action_and_continue_rule_evaluation: ev.push_back({Event::kPlugin, "", 0}); return false;
    case execute_action_and_stop_rule_evaluation: ev.push_back({Event::kPlugin, "", 0}); return true;
    case forward_packet_add_rule_and_stop_rule_evaluation:
      fwd = 1;
      if (p.ip_version == 4 || p.ip_version == 6) ev.push_back({Event::kAddHash, "", id});
      return true;
    case forward_packet_del_rule_and_stop_rule_evaluation:
      fwd = 1;
      if (p.ip_version == 4 || p.ip_version == 6) ev.push_back({Event::kDelHash, "", id});
      return true;
    case reflect_packet_and_stop_rule_evaluation: fwd = 0; ev.push_back({Event::kReflect, dev, 0}); return true;
    case reflect_packet_and_continue_rule_evaluation: fwd = 0; ev.push_back({Event::kReflect, dev, 0}); return false;
    case bounce_packet_and_stop_rule_evaluation: fwd = 0; ev.push_back({Event::kBounce, dev, 0}); return true;
    case bounce_packet_and_continue_rule_evaluation: fwd = 0; ev.push_back({Event::kBounce, dev, 0}); return false;
  }
  return true;
}

}  // namespace

bool wildcard_matches(const filtering_rule &r, const RulePacket &p) {
  const auto &c = r.core_fields;
  if (c.vlan_id != 0 && !(p.vlan && *p.vlan == c.vlan_id)) return false;
  if (c.proto != 0 && p.proto != c.proto) return false;
  if (r.balance_pool > 0) {
    uint32_t h = p.proto + word_sum(p.src, p.ip_version) + word_sum(p.dst, p.ip_version) + p.sport + p.dport;
    if (h % r.balance_pool != r.balance_id) return false;
  }
  bool fwd = one_direction(c, p.smac, p.dmac, p.src, p.dst, p.sport, p.dport, p.ip_version);
  bool rev = r.bidirectional && one_direction(c, p.dmac, p.smac, p.dst, p.src, p.dport, p.sport, p.ip_version);
  if (!fwd && !rev) return false;
  return payload_ok(r.extended_fields.payload_pattern, p);
}

bool hash_matches(const hash_filtering_rule &r, const RulePacket &p) {
  if (p.ip_version != 4 && p.ip_version != 6) return false;
  if (r.vlan_id != p.vlan.value_or(0) || r.proto != p.proto) return false;
  bool ab = ip_equal(r.host_peer_a, p.src) && r.port_peer_a == p.sport && ip_equal(r.host_peer_b, p.dst) &&
            r.port_peer_b == p.dport;
  bool ba = ip_equal(r.host_peer_b, p.src) && r.port_peer_b == p.sport && ip_equal(r.host_peer_a, p.dst) &&
            r.port_peer_a == p.dport;
  return ab || ba;
}

bool same_tuple(const hash_filtering_rule &a, const hash_filtering_rule &b) {
  if (a.vlan_id != b.vlan_id || a.proto != b.proto) return false;
  bool same = ip_equal(a.host_peer_a, b.host_peer_a) && a.port_peer_a == b.port_peer_a &&
              ip_equal(a.host_peer_b, b.host_peer_b) && a.port_peer_b == b.port_peer_b;
  bool swapped = ip_equal(a.host_peer_a, b.host_peer_b) && a.port_peer_a == b.port_peer_b &&
                 ip_equal(a.host_peer_b, b.host_peer_a) && a.port_peer_b == b.port_peer_a;
  return same || swapped;
}

Outcome evaluate(const std::vector<filtering_rule> &wildcard, const std::vector<hash_filtering_rule> &hash,
                 bool default_accept, const RulePacket &p) {
  Outcome o;
  o.wildcard_counts.resize(wildcard.size());
  int fwd = -1;
  bool stop = false;
  for (size_t i = 0; i < hash.size(); i++) {
    if (!hash_matches(hash[i], p)) continue;
    o.hash_matched = true;
    o.hash_index = i;
    o.hash_count.match = 1;
    o.hash_count.filtered = filters(hash[i].rule_action) ? 1 : 0;
    o.last_matched_rule_id = hash[i].rule_id;
    stop = act(hash[i].rule_action, hash[i].rule_id, device_of(hash[i].reflector_device_name), p, fwd, o.events);
    break;
  }
  std::vector<size_t> order(wildcard.size());
  for (size_t i = 0; i < order.size(); i++) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return wildcard[a].rule_id < wildcard[b].rule_id; });
  for (size_t i : order) {
    if (stop) break;
    const filtering_rule &r = wildcard[i];
    if (!wildcard_matches(r, p)) continue;
    o.wildcard_counts[i].match = 1;
    o.wildcard_counts[i].filtered = filters(r.rule_action) ? 1 : 0;
    o.last_matched_rule_id = r.rule_id;
    stop = act(r.rule_action, r.rule_id, device_of(r.reflector_device_name), p, fwd, o.events);
  }
  o.forward = fwd < 0 ? default_accept : fwd == 1;
  return o;
}

std::vector<bool> sample(size_t n, uint32_t rate) {
  std::vector<bool> out(n);
  for (size_t i = 0; i < n; i++) out[i] = rate <= 1 || i % rate == 0;
  return out;
}

}  // namespace model
