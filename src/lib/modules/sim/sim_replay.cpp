// sim_replay.cpp - see sim_replay.h.
#include "modules/sim/sim_replay.h"

#include <algorithm>
#include <cerrno>

#include "modules/pcap/replay_file.h"
#include "pfring.h"

namespace pfr {

namespace {
constexpr uint32_t kMaxFrame = 65535;
}

bool SimReplay::open(const SimOptions &opt, const char *who, int *code, int *errnum, std::string &err) {
  opt_ = opt;
  std::string why;
  nic_ = sim::SimNic::create(opt_.nic, &why);
  if (!nic_) {
    *code = PF_RING_ERROR_INVALID_ARGUMENT;
    *errnum = EINVAL;
    err = std::string(who) + " software NIC: " + why;
    return false;
  }
  // Read in as the replay goes, never mapped (capture_image.h): the NIC
  // borrows frames from it for as long as it lives.
  if (!open_replay_file(opt_.path, who, image_, reader_, code, errnum, err)) return false;
  pacer_ = sim::ReplayPacer(opt_.rate, opt_.rate_factor);
  return true;
}

unsigned SimReplay::take(sim::SimRxDesc *out, unsigned max, uint32_t q) {
  unsigned n = 0;
  for (;;) {
    if (uint64_t ready = nic_->unread(q)) {
      if (n > 0 && ready > max - n) return n;
      n += collect(out + n, max - n, q);
      if (n == max) return n;
    }
    if (!have_pending_ && !file_done_) load_next();
    if (have_pending_) {
      if (consumed_to_arrival_) {
        nic_->offer(pending_);
        have_pending_ = consumed_to_arrival_ = false;
        load_next();
      }
      if (have_pending_) {
        nic_->consume_until_ps(nic_->arrival_ps_at(pending_.len, pending_.ready_ps));
        consumed_to_arrival_ = true;
      }
      continue;
    }
    if (!drained_) {
      nic_->drain();
      drained_ = true;
      continue;
    }
    return n;
  }
}

// Takes the file's next frame and the time the replay rate gives it.
void SimReplay::load_next() {
  const uint8_t *data;
  uint32_t caplen, len;
  uint64_t ts;
  for (;;) {
    int rc = reader_.next(&data, &caplen, &len, &ts, status_msg_);
    if (rc <= 0) {
      file_done_ = true;
      if (rc < 0) {
        status_ = PF_RING_ERROR_CORRUPT_INPUT;
        status_msg_ = "capture file '" + opt_.path + "': " + status_msg_;
      }
      return;
    }
    if (len != 0) break;  // nothing goes on the wire
  }
  if (len > kMaxFrame) len = kMaxFrame;
  // A record that kept fewer bytes than went on the wire: the NIC keeps
  // what is known (caplen), the wire time is the length's. The image
  // stays as long as the NIC lives, so the frame is lent, not copied.
  pending_.data = data;
  pending_.caplen = std::min(caplen, len);
  pending_.len = len;
  pending_.ready_ps = pacer_.next(ts);
  if (!pacer_.fits()) {
    // never offered with a time that wraps or that the NIC refuses: the
    // replay ends here, said, instead of losing the rest unseen
    file_done_ = true;
    status_ = PF_RING_ERROR_INVALID_ARGUMENT;
    status_msg_ = "capture file '" + opt_.path + "': record " + std::to_string(reader_.records_read()) + ": " +
                  sim::ReplayPacer::beyond_message();
    return;
  }
  pending_.memory = sim::FrameMemory::kBorrowed;
  have_pending_ = true;
}

// What the consumers took and no call returned: one queue, or all of them
// merged by arrival.
unsigned SimReplay::collect(sim::SimRxDesc *out, unsigned max, uint32_t q) {
  if (q != sim::SimNic::kAllQueues) return nic_->dequeue_taken(q, out, max);
  unsigned n = 0;
  for (uint32_t k = 0; k < opt_.nic.num_queues && n < max; k++)
    if (nic_->unread(k)) n += nic_->dequeue_taken(k, out + n, max - n);
  // Merge by arrival: an insertion sort, stable and allocation-free (bursts
  // are small and each queue's part is already in order).
  for (unsigned i = 1; i < n; i++) {
    sim::SimRxDesc d = out[i];
    unsigned j = i;
    for (; j > 0 && out[j - 1].arrival_ps > d.arrival_ps; j--) out[j] = out[j - 1];
    out[j] = d;
  }
  return n;
}

std::string sim_nic_stats_json(const sim::SimNic &nic, const PcapFileReader &reader) {
  sim::SimNicStats s = nic.stats();
  std::string j = "{\"offered\":" + std::to_string(s.offered) + ",\"delivered\":" + std::to_string(s.delivered) +
                  ",\"missed\":" + std::to_string(s.missed) + ",\"queued\":" + std::to_string(s.queued) +
                  ",\"hw_dropped\":" + std::to_string(s.hw_dropped) +
                  ",\"pause_frames\":" + std::to_string(s.pause_frames) +
                  ",\"xon_frames\":" + std::to_string(s.xon_frames) +
                  ",\"virtual_ns\":" + std::to_string(s.virtual_ns) + "," + reader.policy_json() + ",\"queues\":[";
  for (uint32_t q = 0; q < nic.config().num_queues; q++) {
    sim::SimQueueStats qs = nic.queue_stats(q);
    j += std::string(q ? "," : "") + "{\"delivered\":" + std::to_string(qs.delivered) +
         ",\"missed\":" + std::to_string(qs.missed) + "}";
  }
  return j + "]}";
}

}  // namespace pfr
