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
//
// The NIC's clock counts picoseconds in 64 bits: kMaxReadyNs (about 208
// days of replay) is the last ready time it takes. A frame the schedule
// puts later (a capture whose records span more than that at this rate)
// is not given a time that wraps or that the NIC would refuse: next()
// says so (fits() false) and the replay must end with beyond_message().
#pragma once

#include <cstdint>

#include "clock.h"
#include "nic.h"
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
  // Once a frame did not fit, every later one does not either.
  uint64_t next(uint64_t rec_ns, bool new_loop = false) {
    if (new_loop) started_ = false;
    if (rate_ != Rate::kLine && started_ && rec_ns > prev_rec_ns_) {
      // gap_ps / factor, worked out from the ns so that a gap of years
      // cannot wrap the ps conversion: floor(g x 1000 / f) = q x 1000 +
      // floor(r x 1000 / f) with g = q x f + r
      uint64_t gap_ns = rec_ns - prev_rec_ns_;
      uint64_t f = rate_ == Rate::kScaled ? factor_ : 1;
      uint64_t q = gap_ns / f, r = gap_ns % f;
      if (q > kMaxReadyNs) {
        beyond_ = true;
      } else {
        uint64_t add = ns_to_ps(q) + r * kPsPerNs / f;
        if (add > kMaxReadyPs - ready_ps_) beyond_ = true;
        else ready_ps_ += add;
      }
    }
    if (!started_ || rec_ns > prev_rec_ns_) prev_rec_ns_ = rec_ns;
    started_ = true;
    return ready_ps_;
  }
  // False once a frame came later than kMaxReadyNs into the replay.
  bool fits() const { return !beyond_; }
  // Why the replay ends there, for a message naming the capture.
  static const char *beyond_message() {
    return "the recorded gaps reach beyond 208 days of replay, more than the software NIC's clock (picoseconds in "
           "64 bits) holds; replay it faster (rate=xN, line or top) or cut the capture";
  }

 private:
  Rate rate_ = Rate::kRecorded;
  uint32_t factor_ = 1;
  bool started_ = false;
  uint64_t prev_rec_ns_ = 0;
  uint64_t ready_ps_ = 0;  // kept across loops
  bool beyond_ = false;
  static constexpr uint64_t kMaxReadyPs = ns_to_ps(kMaxReadyNs);
};

}  // namespace sim
