// clock.h - the virtual clock of the software NIC (DESIGN.md decision 5).
//
// Time never comes from the host: a SimClock only moves when its owner
// advances it. It counts picoseconds so that every link time of
// link.h is an exact integer (a bit lasts 1000, 100, 40, 25 or 10 ps at
// 1/10/25/40/100 Gbit/s); nanosecond readings are the picosecond count
// divided by 1000, rounded down. A uint64_t of picoseconds lasts 213 days
// of virtual time.
#pragma once

#include <cstdint>

namespace sim {

constexpr uint64_t kPsPerNs = 1000;

// Nanoseconds to picoseconds (exact) and back (rounded down).
constexpr uint64_t ns_to_ps(uint64_t ns) { return ns * kPsPerNs; }
constexpr uint64_t ps_to_ns(uint64_t ps) { return ps / kPsPerNs; }

class SimClock {
 public:
  // Picoseconds since the clock started (0).
  uint64_t now_ps() const { return now_ps_; }
  // Nanoseconds since the clock started, rounded down.
  uint64_t now_ns() const { return ps_to_ns(now_ps_); }

  // Moves the clock forward to t; a t in the past leaves it where it is
  // (virtual time never runs backwards). Returns the new reading.
  uint64_t advance_to_ps(uint64_t t) {
    if (t > now_ps_) now_ps_ = t;
    return now_ps_;
  }
  uint64_t advance_to_ns(uint64_t t) { return ps_to_ns(advance_to_ps(ns_to_ps(t))); }
  // Moves the clock forward by d.
  uint64_t advance_by_ps(uint64_t d) { return advance_to_ps(now_ps_ + d); }
  uint64_t advance_by_ns(uint64_t d) { return advance_by_ps(ns_to_ps(d)); }

 private:
  uint64_t now_ps_ = 0;
};

}  // namespace sim
