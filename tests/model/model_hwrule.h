// model_hwrule.h - executable specification of in-NIC filters (guide
// 8.11): the queue a NIC gives a packet. Rules are tried by increasing
// rule_id; the first whose every non-zero field equals the packet's field
// (protocol, IPv4 addresses, ports; VLAN for perfect filters; IPv4 only)
// decides: its queue, or a drop when the NIC has no such queue. No rule
// matches: the RSS queue.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

extern "C" {
#include "pfring_defs.h"
}

namespace model {

struct HwPacket {
  bool ipv4 = true;
  uint8_t proto = 17;
  uint32_t src = 0, dst = 0;  // host order
  uint16_t sport = 0, dport = 0;
  uint16_t vlan = 0;          // 0: untagged
};

// The queue, or nullopt for a drop.
std::optional<uint32_t> hw_steer(const std::vector<hw_filtering_rule>& rules, const HwPacket& p, uint32_t rss_queue,
                                 uint32_t num_queues);

}  // namespace model
