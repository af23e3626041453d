// gen_igb.h - RapidCheck generators for the 82576 model and the igb DNA
// driver (section 7 of the generators; generators.h includes it after the
// sections whose helpers it uses): a NIC set-up and the reader's plan.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <ostream>
#include <vector>

namespace gen {

// =====================================================================
// 7. DNA driver scenarios
// =====================================================================

struct IgbRead {
  uint32_t queue = 0;  // taken modulo the queues
  uint32_t burst = 1;  // 1..64
  bool offer_first = true;  // the peer offers frames before this read
};

struct IgbScenario {
  uint32_t queues = 1;        // 1..4
  uint32_t ring = 16;         // 8, 16, 32 or 64 descriptors
  bool wait_when_full = true; // the peer waits, or the NIC drops
  std::vector<uint8_t> key;   // 40-byte RSS key
  std::vector<IgbRead> reads;
};

inline void showValue(const IgbScenario& s, std::ostream& os) {
  os << s.queues << " queues of " << s.ring << " descriptors, " << (s.wait_when_full ? "peer waits" : "NIC drops")
     << ", " << s.reads.size() << " reads:";
  for (const IgbRead& r : s.reads) os << " q" << r.queue << "x" << r.burst << (r.offer_first ? "+" : "");
}

inline rc::Gen<IgbScenario> igbScenario() {
  return rc::gen::exec([] {
    IgbScenario s;
    s.queues = *rc::gen::inRange<uint32_t>(1, 5);
    s.ring = *rc::gen::element<uint32_t>(8, 16, 32, 64);
    s.wait_when_full = *rc::gen::arbitrary<bool>();
    s.key = *rssKey();
    size_t n = *rc::gen::inRange<size_t>(1, 200);
    for (size_t i = 0; i < n; i++) {
      IgbRead r;
      r.queue = *rc::gen::inRange<uint32_t>(0, 4);
      r.burst = *rc::gen::inRange<uint32_t>(1, 65);
      r.offer_first = *rc::gen::arbitrary<bool>();
      s.reads.push_back(r);
    }
    return s;
  });
}

}  // namespace gen
