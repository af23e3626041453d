// model_hwrule.cpp - see model_hwrule.h.
#include "model_hwrule.h"

#include <algorithm>

namespace model {

std::optional<uint32_t> hw_steer(const std::vector<hw_filtering_rule>& rules, const HwPacket& p, uint32_t rss_queue,
                                 uint32_t num_queues) {
  std::vector<hw_filtering_rule> sorted = rules;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const hw_filtering_rule& a, const hw_filtering_rule& b) { return a.rule_id < b.rule_id; });
  for (const hw_filtering_rule& r : sorted) {
    bool perfect = r.rule_family_type == intel_82599_perfect_filter_hash_rule;
    if (!perfect && r.rule_family_type != intel_82599_five_tuple_rule) continue;
    uint8_t proto = perfect ? r.rule_family.perfect_rule.proto : r.rule_family.five_tuple_rule.proto;
    uint32_t s = perfect ? r.rule_family.perfect_rule.s_addr : r.rule_family.five_tuple_rule.s_addr;
    uint32_t d = perfect ? r.rule_family.perfect_rule.d_addr : r.rule_family.five_tuple_rule.d_addr;
    uint16_t sp = perfect ? r.rule_family.perfect_rule.s_port : r.rule_family.five_tuple_rule.s_port;
    uint16_t dp = perfect ? r.rule_family.perfect_rule.d_port : r.rule_family.five_tuple_rule.d_port;
    uint16_t q = perfect ? r.rule_family.perfect_rule.queue_id : r.rule_family.five_tuple_rule.queue_id;
    uint16_t vlan = perfect ? r.rule_family.perfect_rule.vlan_id : 0;
    bool match = p.ipv4 && (proto == 0 || proto == p.proto) && (s == 0 || s == p.src) && (d == 0 || d == p.dst) &&
                 (sp == 0 || sp == p.sport) && (dp == 0 || dp == p.dport) && (vlan == 0 || vlan == p.vlan);
    if (!match) continue;
    if (q >= num_queues) return std::nullopt;
    return q;
  }
  return rss_queue;
}

}  // namespace model
