// model_zero.cpp - see model_zero.h.
#include "model_zero.h"

namespace model {

uint32_t zero_mask(const ZeroSpec &spec, const uint8_t *pkt, uint32_t caplen) {
  const uint32_t all = spec.num_slaves >= 32 ? 0xFFFFFFFFu : (1u << spec.num_slaves) - 1;
  uint8_t b = caplen > 20 ? pkt[20] : 0;
  switch (spec.kind) {
    case 0: return 1u << (b % spec.num_slaves);
    case 1: return all;
    default: return b & all;  // 0: dropped
  }
}

std::vector<std::vector<uint32_t>> zero_expected(const ZeroSpec &spec, const std::vector<std::vector<uint8_t>> &pkts) {
  std::vector<std::vector<uint32_t>> out(spec.num_slaves);
  for (uint32_t i = 0; i < pkts.size(); i++) {
    uint32_t mask = zero_mask(spec, pkts[i].data(), static_cast<uint32_t>(pkts[i].size()));
    for (uint32_t k = 0; k < spec.num_slaves; k++)
      if (mask & (1u << k)) out[k].push_back(i);
  }
  return out;
}

}  // namespace model
