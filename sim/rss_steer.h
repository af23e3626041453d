// rss_steer.h - a NIC's receive-side scaling unit: Toeplitz table for one
// key, the enabled hash types and the 128-entry indirection table
// (src/core/rss.h). Shared by the in-process NIC (nic.h) and the pfsim
// testbed.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

extern "C" {
#include "pfring_defs.h"
#include "rss.h"
}

namespace sim {

class RssSteering {
 public:
  // reta entries must be below num_queues (nullptr: entry i = i % num_queues).
  RssSteering(const uint8_t key[PFC_RSS_KEY_LEN], uint32_t hash_types, uint32_t num_queues,
              const uint8_t *reta = nullptr);

  // Queue of a packet parsed to level 4 or more (parse flags from
  // pfc_parse_pkt); *hash gets the RSS hash (0 when no hash type applies,
  // and then the queue is 0 itself, as rss.h says).
  uint32_t steer(const pkt_parsing_info &p, uint32_t parse_flags, uint32_t *hash) const;

 private:
  uint32_t types_;
  std::array<uint8_t, PFC_RSS_RETA_SIZE> reta_{};
  std::unique_ptr<pfc_rss_table> table_;
};

}  // namespace sim
