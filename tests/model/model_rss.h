// model_rss.h - executable specification of the RSS hash (DESIGN.md
// decisions 1 and 4): Toeplitz as Microsoft's "RSS Hashing Functions" page
// writes it in pseudocode, the hash input of each hash type, and the
// indirection table. Deliberately plain and slow: the key is a list of bits
// that is shifted left one bit per input bit. src/core/rss.c (a byte table
// and a window-per-bit loop) must agree with it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

extern "C" {
#include "pfring_defs.h"
}

namespace model {

// ComputeHash(input, n): result = 0; for each input bit from the left (the
// most significant bit of input[0] first): if it is 1, result ^= the
// left-most 32 bits of K; then shift K left one bit (zeros come in on the
// right). Any key length; inputs longer than key - 32 bits hash against the
// zeros shifted in.
uint32_t toeplitz(const std::vector<uint8_t>& key, const std::vector<uint8_t>& input);

// The two ends of a flow as the hash sees them.
struct RssTuple {
  int ip_version = 4;                // 4 or 6
  uint32_t src4 = 0, dst4 = 0;       // host order (IPv4)
  std::array<uint8_t, 16> src6{}, dst6{};  // network order (IPv6)
  std::optional<std::pair<uint16_t, uint16_t>> ports;  // (source, destination); none = 2-tuple
};

// Source address, destination address[, source port, destination port], each
// most significant byte first: 8/12 bytes for IPv4, 32/36 for IPv6.
std::vector<uint8_t> serialize(const RssTuple& t);

// The same flow seen from the other end.
RssTuple reversed(const RssTuple& t);

// The tuple a NIC with these enabled hash types (PFC_RSS_* of rss.h) hashes
// for a parsed packet, or none when it hashes nothing (hash 0). For each IP
// version, in order: TCP 4-tuple if the packet is TCP, UDP 4-tuple if it is
// UDP (both only with the L4 header located: offset.l4_offset != 0), then
// the 2-tuple.
std::optional<RssTuple> rss_tuple(const struct pkt_parsing_info& p, uint32_t hash_types);

// Entry i of the default indirection table: i mod nqueues (128 entries).
std::vector<uint8_t> reta_default(uint32_t nqueues);

// The queue of a hash: the entry at the hash's 7 low bits.
uint32_t reta_queue(const std::vector<uint8_t>& reta, uint32_t hash);

}  // namespace model
