// model_cluster.h - executable specification of cluster assignment
// (guide 8.11; DESIGN.md decision 4). A per-flow cluster type names the
// fields that make two packets one flow; the model writes that flow as a
// key in which the two ends are sorted, so both directions give one key.
// The real code (src/core/cluster.c) hashes; the property is that packets
// with one model key always reach one member. Round robin deals packets
// out in turn.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

extern "C" {
#include "pfring_defs.h"
}

namespace model {

// One packet's flow fields as the sender wrote them (not as parsed).
struct FlowFields {
  int ip_version = 4;                   // 4 or 6
  std::array<uint8_t, 16> src{}, dst{};  // address bytes (4 used for IPv4)
  uint16_t sport = 0, dport = 0;
  uint8_t proto = 0;
  uint16_t vlan = 0;                    // 0: untagged
};

// The flow key of packet f under per-flow type t (the inner types take f as
// the tunnelled packet's fields). Two packets belong to one flow iff their
// keys are equal.
std::vector<uint8_t> cluster_flow_key(const FlowFields& f, cluster_type t);

// Member of the k-th packet (0-based) in a round-robin cluster of n members.
uint32_t round_robin_member(uint64_t k, uint32_t n);

}  // namespace model
