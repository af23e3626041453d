// link.cpp - Ethernet link timing (see link.h).
#include "link.h"

namespace sim {

bool link_speed_valid(uint32_t gbps) {
  switch (gbps) {
    case 1:
    case 10:
    case 25:
    case 40:
    case 100:
      return true;
    default:
      return false;
  }
}

uint64_t bit_time_ps(LinkSpeed speed) { return 1000u / static_cast<uint32_t>(speed); }

uint64_t wire_bits(uint32_t len) {
  uint64_t bytes = len < kEthMinFrameLen ? kEthMinFrameLen : len;
  return (bytes + kEthFcsLen + kEthPreambleLen + kEthIfgLen) * 8u;
}

uint64_t wire_time_ps(uint32_t len, LinkSpeed speed) { return wire_bits(len) * bit_time_ps(speed); }

uint64_t pause_time_ps(uint32_t quanta, LinkSpeed speed) {
  return uint64_t(quanta) * kPauseQuantumBits * bit_time_ps(speed);
}

}  // namespace sim
