// model_nic.h - executable specification of the software NIC's timing and
// overflow (DESIGN.md decision 4): one serial wire, one queue of D
// descriptors, one consumer with a constant service time, no flow control.
// Deliberately plain and slow (quadratic); written apart from sim/nic.cpp,
// which tests/property/prop_sim_nic.cpp makes agree with it.
//
// The rules:
//  - a frame of len bytes (no FCS) is on the wire for
//    (max(len, 60) + 4 + 8 + 12) bytes x 8 bits, a bit lasting 1000 / Gbps ps;
//  - the wire carries one frame at a time: frame k starts at
//    max(its ready time, the arrival of frame k-1) and arrives when done;
//  - the consumer serves accepted packets one at a time in order; a packet
//    holds its descriptor until served: served_k = max(arrival_k,
//    served_{previous accepted}) + service;
//  - an arriving packet is dropped when D accepted packets are still
//    unserved at its arrival (a packet served at that very instant is gone).
#pragma once

#include <cstdint>
#include <vector>

namespace model {

struct NicFrame {
  uint64_t ready_ns = 0;
  uint32_t len = 0;
};

// Picoseconds frame of len bytes occupies a link of gbps Gbit/s.
uint64_t wire_time_ps(uint32_t len, uint32_t gbps);

// Arrival (last bit) of each frame on a serial wire, ps.
std::vector<uint64_t> serial_arrivals_ps(const std::vector<NicFrame>& frames, uint32_t gbps);

struct QueueOutcome {
  std::vector<bool> dropped;          // per arrival
  std::vector<uint64_t> served;       // per arrival; 0 for dropped ones
};

// One queue of `capacity` descriptors and a consumer needing `service` per
// packet, fed by `arrivals` (non-decreasing, same unit as service).
QueueOutcome single_queue(const std::vector<uint64_t>& arrivals, uint64_t capacity, uint64_t service);

}  // namespace model
