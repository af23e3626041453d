// model_rules.h - executable specification of rule evaluation (guide 8.10,
// 8.12, chapter 11; DESIGN.md decision 4). Deliberately plain: every rule
// is checked, in rule-id order, by a literal reading of the field
// descriptions. src/core/rules.c with libpfring's index must agree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

extern "C" {
#include "pfring_defs.h"
}

namespace model {

// The packet fields rules look at.
struct RulePacket {
  uint8_t smac[6] = {0}, dmac[6] = {0};
  std::optional<uint16_t> vlan;  // outer VLAN id
  int ip_version = 0;            // 0 (not IP), 4, 6
  uint8_t proto = 0;             // L3 protocol (0 when not IP)
  ip_addr src{}, dst{};          // as pkt_parsing_info holds them
  uint16_t sport = 0, dport = 0; // 0 when the packet has no ports
  bool has_payload = false;      // an L4 header was parsed
  std::vector<uint8_t> payload;  // bytes after the L4 header
};

struct Event {
  enum Kind { kReflect, kBounce, kAddHash, kDelHash, kPlugin } kind;
  std::string device;  // reflect/bounce
  uint16_t rule_id = 0;
  bool operator==(const Event &o) const { return kind == o.kind && device == o.device && rule_id == o.rule_id; }
};

struct RuleCount {
  uint64_t match = 0, filtered = 0;
};

struct Outcome {
  bool forward = false;
  std::optional<uint16_t> last_matched_rule_id;
  bool hash_matched = false;
  std::vector<Event> events;
  // Per wildcard rule (by position in the rules vector given) and for the hash rule.
  std::vector<RuleCount> wildcard_counts;
  RuleCount hash_count;
  size_t hash_index = 0;  // which hash rule matched (when hash_matched)
};

bool wildcard_matches(const filtering_rule &r, const RulePacket &p);
bool hash_matches(const hash_filtering_rule &r, const RulePacket &p);
// Same 6-tuple in either direction: two such rules cannot coexist.
bool same_tuple(const hash_filtering_rule &a, const hash_filtering_rule &b);

// Evaluates one packet. wildcard rules in any order (sorted here by id).
Outcome evaluate(const std::vector<filtering_rule> &wildcard, const std::vector<hash_filtering_rule> &hash,
                 bool default_accept, const RulePacket &p);

// Sampling: of n packets that passed the filters, which are delivered.
std::vector<bool> sample(size_t n, uint32_t rate);

}  // namespace model
