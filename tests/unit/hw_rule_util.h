// hw_rule_util.h - in-NIC filter rules (guide 8.11) for the tests of the
// NICs that take them (the in-process sim: NIC, testbed NICs).
#pragma once

#include <cstdint>
#include <cstring>

#include "pfring.h"

namespace ut {

// An Intel 82599 five-tuple rule: IPv4 proto and destination port to queue.
inline hw_filtering_rule five_tuple_rule(uint16_t id, uint8_t proto, uint16_t dport, uint16_t queue) {
  hw_filtering_rule r;
  std::memset(&r, 0, sizeof(r));
  r.rule_family_type = intel_82599_five_tuple_rule;
  r.rule_id = id;
  r.rule_family.five_tuple_rule.proto = proto;
  r.rule_family.five_tuple_rule.d_port = dport;
  r.rule_family.five_tuple_rule.queue_id = queue;
  return r;
}

}  // namespace ut
