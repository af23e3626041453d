// model_nic.cpp - see model_nic.h.
#include "model_nic.h"

namespace model {

uint64_t wire_time_ps(uint32_t len, uint32_t gbps) {
  uint64_t frame = len < 60 ? 60 : len;               // padding
  uint64_t on_wire = frame + 4 + 8 + 12;              // FCS, preamble + SFD, IFG
  return on_wire * 8 * 1000 / gbps;                   // exact for 1/10/25/40/100
}

std::vector<uint64_t> serial_arrivals_ps(const std::vector<NicFrame>& frames, uint32_t gbps) {
  std::vector<uint64_t> out;
  uint64_t wire_free = 0;
  for (const NicFrame& f : frames) {
    uint64_t start = f.ready_ns * 1000;
    if (start < wire_free) start = wire_free;
    wire_free = start + wire_time_ps(f.len, gbps);
    out.push_back(wire_free);
  }
  return out;
}

QueueOutcome single_queue(const std::vector<uint64_t>& arrivals, uint64_t capacity, uint64_t service) {
  QueueOutcome out;
  std::vector<uint64_t> accepted_served;  // served times of accepted packets, in order
  for (uint64_t a : arrivals) {
    uint64_t unserved = 0;
    for (uint64_t s : accepted_served)
      if (s > a) unserved++;
    if (unserved >= capacity) {
      out.dropped.push_back(true);
      out.served.push_back(0);
      continue;
    }
    uint64_t begin = a;
    if (!accepted_served.empty() && accepted_served.back() > begin) begin = accepted_served.back();
    accepted_served.push_back(begin + service);
    out.dropped.push_back(false);
    out.served.push_back(begin + service);
  }
  return out;
}

}  // namespace model
