// replay_pacer.h - when the link peer has each frame of a capture ready to
// send: the one replay schedule of the software NIC, used by the in-process
// sim: module and by pfsim's sources alike (so the same capture and rate
// give the same arrivals in both).
//
// The first frame is ready at 0. After it, rate recorded keeps the
// recorded gaps, xN divides each gap by N (in picoseconds, so short gaps do
// not round to 0), and line (or top) makes every frame ready at once: the
// wire alone spaces them. A record stamped earlier than the one before it
// (captures merged from several taps) has gap 0: the peer never sends
// into the past. Loops of a file continue the schedule the same way.
//
// next() returns a ready time; the NIC starts the frame at the latest of
// that, the end of the previous frame and the end of a PAUSE (nic.h).
#pragma once

#include <cstdint>

#include "clock.h"
#include "value_parse.h"

namespace sim {

class ReplayPacer {
 public:
  ReplayPacer() = default;
  // factor is used with Rate::kScaled (>= 1; 0 is taken as 1).
  ReplayPacer(Rate rate, uint32_t factor) : rate_(rate), factor_(factor ? factor : 1) {}

  // The ready time, ps, of the next frame, recorded at rec_ns; new_loop
  // for the first frame of a file's second or later loop (gap 0 after the
  // last frame of the loop before).
  uint64_t next(uint64_t rec_ns, bool new_loop = false) {
    if (new_loop) started_ = false;
    if (rate_ != Rate::kLine && started_ && rec_ns > prev_rec_ns_) {
      uint64_t gap_ps = ns_to_ps(rec_ns - prev_rec_ns_);
      ready_ps_ += rate_ == Rate::kScaled ? gap_ps / factor_ : gap_ps;
    }
    if (!started_ || rec_ns > prev_rec_ns_) prev_rec_ns_ = rec_ns;
    started_ = true;
    return ready_ps_;
  }

 private:
  Rate rate_ = Rate::kRecorded;
  uint32_t factor_ = 1;
  bool started_ = false;
  uint64_t prev_rec_ns_ = 0;
  uint64_t ready_ps_ = 0;  // kept across loops
};

}  // namespace sim
