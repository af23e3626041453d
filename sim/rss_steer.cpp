// rss_steer.cpp - see rss_steer.h.
#include "rss_steer.h"

#include <cstring>

namespace sim {

RssSteering::RssSteering(const uint8_t key[PFC_RSS_KEY_LEN], uint32_t hash_types, uint32_t num_queues,
                         const uint8_t *reta)
    : types_(hash_types), table_(new pfc_rss_table) {
  if (reta)
    std::memcpy(reta_.data(), reta, reta_.size());
  else
    (void)pfc_rss_reta_default(reta_.data(), num_queues);  // callers pass 1..64 queues
  pfc_rss_table_init(table_.get(), key);
}

uint32_t RssSteering::steer(const pkt_parsing_info &p, uint32_t parse_flags, uint32_t *hash) const {
  uint32_t types = types_;
  if (parse_flags & PKT_FLAGS_IP_MORE_FRAG) types &= ~uint32_t(PFC_RSS_L4_TYPES);  // rss.h: first fragment
  uint8_t input[PFC_RSS_MAX_INPUT];
  uint32_t n = pfc_rss_input(&p, types, input);
  if (n == 0) {
    *hash = 0;
    return 0;  // rss.h: no hash type applies -> queue 0 itself
  }
  *hash = pfc_rss_hash(table_.get(), input, n);
  return pfc_rss_queue(reta_.data(), *hash);
}

}  // namespace sim
