// link.h - Ethernet link timing of the software NIC (DESIGN.md "The
// software NIC": a frame occupies the wire for (len + FCS 4 + preamble 8 +
// IFG 12) x 8 / speed, frames shorter than 60 bytes padded).
//
// `len` is the frame as captured: destination MAC to the end of the
// payload, without the FCS. So the 64-byte minimum Ethernet frame of the
// standard (FCS included) is len 60 here, and lasts 84 bytes = 672 bits
// on the wire: 67.2 ns at 10 Gbit/s.
//
// Rounding: none. Times are integer picoseconds and every supported speed
// divides 1000 ps x bits exactly (1 bit = 1000/speed_gbps ps with speed in
// {1, 10, 25, 40, 100}), so long runs cannot drift. Conversions to ns
// (clock.h ps_to_ns) round down.
#pragma once

#include <cstdint>

namespace sim {

// Link speeds the NIC supports, in Gbit/s.
enum class LinkSpeed : uint32_t {
  k1G = 1,
  k10G = 10,
  k25G = 25,
  k40G = 40,
  k100G = 100,
};

constexpr uint32_t kEthMinFrameLen = 60;  // without FCS; shorter frames are padded
constexpr uint32_t kEthFcsLen = 4;
constexpr uint32_t kEthPreambleLen = 8;   // preamble 7 + start-of-frame delimiter 1
constexpr uint32_t kEthIfgLen = 12;       // minimum inter-frame gap
constexpr uint32_t kPauseQuantumBits = 512;  // 802.3x: one quantum = 512 bit times

// True for 1, 10, 25, 40 and 100.
bool link_speed_valid(uint32_t gbps);

// Bits a frame of len bytes (no FCS) occupies on the wire, padding,
// FCS, preamble and inter-frame gap included.
uint64_t wire_bits(uint32_t len);

// Picoseconds a frame of len bytes occupies the wire at this speed. Exact.
uint64_t wire_time_ps(uint32_t len, LinkSpeed speed);

// Picoseconds a PAUSE of `quanta` stops the peer: quanta x 512 bit times.
uint64_t pause_time_ps(uint32_t quanta, LinkSpeed speed);

// Picoseconds one bit lasts (1000 / Gbit/s: 1000, 100, 40, 25 or 10).
uint64_t bit_time_ps(LinkSpeed speed);

}  // namespace sim
