// model_zero.h - the executable specification of a DNA cluster's
// distribution (DESIGN.md decision 4): which slaves get each packet of a
// finite device, in which order, and what is dropped. Deliberately simple:
// one pass over the packets, the function applied to each.
#pragma once

#include <cstdint>
#include <vector>

namespace model {

// How a test's distribution function decides (the same function is given
// to the real cluster; the model only applies it in order).
struct ZeroSpec {
  uint32_t num_slaves = 1;
  int kind = 0;  // 0: one slave by a byte of the packet; 1: fan-out to all; 2: a mask byte, 0 = DROP
};

// The slaves of one packet (mask) under spec, or 0 for a drop.
uint32_t zero_mask(const ZeroSpec &spec, const uint8_t *pkt, uint32_t caplen);

// For each slave, the indices of the packets it must receive, in order
// (a finite device: nothing is dropped for a full queue).
std::vector<std::vector<uint32_t>> zero_expected(const ZeroSpec &spec, const std::vector<std::vector<uint8_t>> &pkts);

}  // namespace model
