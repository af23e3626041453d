// sim_module.cpp - "sim:FILE[,key=value...][@QUEUE]": a private in-process
// software NIC (sim/nic.h) fed by a capture file (DESIGN.md "The software
// NIC"). The peer replays the file onto the NIC's link at the recorded
// gaps, at line rate, or with the gaps divided by N (sim/replay_pacer.h,
// the schedule pfsim's sources follow too); the NIC steers each
// frame with RSS into its queues, where a modelled consumer takes one
// packet every consumer_ns. The ring reads what the consumers took: every
// queue in arrival order, or one queue with @QUEUE. Everything runs in
// virtual time: counters, drops and timestamps depend only on the file and
// the options.
//
// Each handle has its own NIC, so the handles pfring_open_multichannel()
// opens (one per queue) see the same NIC behaviour.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "module.h"
#include "modules/pcap/capture_image.h"
#include "modules/pcap/linktype.h"
#include "modules/pcap/pcap_file.h"
#include "modules/pcap/replay_file.h"
#include "modules/registry_entries.h"
#include "modules/sim/sim_options.h"
#include "modules/sim/sim_testbed.h"
#include "replay_pacer.h"

namespace pfr {

namespace {

constexpr uint32_t kMaxFrame = 65535;
constexpr size_t kMaxHwRules = 16;  // as a testbed NIC's table

class SimModule : public Module {
 public:
  bool finite() const override { return true; }  // ends with the file

  bool open(const OpenArgs &args, int *code, int *errnum, std::string &err) {
    auto fail = [&](int c, int e, const std::string &msg) {
      *code = c;
      *errnum = e;
      err = msg;
      return false;
    };
    if (!parse_sim_options(args.name.device, opt_, err)) return fail(PF_RING_ERROR_INVALID_ARGUMENT, EINVAL, err);
    // A descriptor's buffer holds min(caplen, slot) bytes of a frame: 2 KiB
    // by default, as NIC RX buffers; slot=9216 (say) keeps jumbo frames whole.
    opt_.nic.slot_bytes = std::min<uint32_t>(args.caplen ? args.caplen : kMaxFrame, opt_.slot);
    std::string why;
    nic_ = sim::SimNic::create(opt_.nic, &why);
    if (!nic_) return fail(PF_RING_ERROR_INVALID_ARGUMENT, EINVAL, "sim NIC: " + why);
    queue_ = args.name.queue;
    // A queue that does not exist captures nothing (guide 8.3).
    empty_ = queue_ >= static_cast<int>(opt_.nic.num_queues);

    // Read in as the replay goes, never mapped (capture_image.h): the NIC
    // borrows frames from it for as long as it lives.
    if (!open_replay_file(opt_.path, "sim:", image_, reader_, code, errnum, err)) return false;
    rx_.resize(256);
    pacer_ = sim::ReplayPacer(opt_.rate, opt_.rate_factor);
    return true;
  }

  // Reads every packet the consumers take: before a frame is offered, the
  // consumers run up to its arrival and what they took is handed out
  // first, so no descriptor is reused before the ring has read it.
  //
  // One call goes on replaying until the burst is full, rather than
  // returning after each hand-out (with consumers that keep up, that is one
  // packet per call, and the per-call costs here and in the ring then
  // dominate). The packets and their order are the same as with one
  // hand-out per call: a hand-out that would not fit whole in what is left
  // of out[] waits for the next call, where it gets the whole of out[].
  // Every frame is lent from the capture image (never copied into a
  // descriptor's buffer), so offering one never overwrites a packet
  // already in out[].
  int recv_burst(RawPacket *out, unsigned max, int timeout_ms, std::string &err) override {
    if (max > rx_.size()) max = static_cast<unsigned>(rx_.size());
    unsigned n = 0;
    for (;;) {
      if (uint64_t ready = unread()) {
        if (n > 0 && ready > max - n) return static_cast<int>(n);
        n += collect(out + n, max - n);
        if (n == max) return static_cast<int>(n);
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
      if (n > 0) return static_cast<int>(n);
      if (status_) err = status_msg_;
      return status_ ? status_ : PF_RING_ERROR_END_OF_FILE;
    }
  }

  uint64_t dropped() const override {
    if (queue_ >= 0) return nic_->queue_stats(static_cast<uint32_t>(queue_)).missed;
    return nic_->stats().missed;
  }

  int num_rx_channels() const override { return static_cast<int>(opt_.nic.num_queues); }

  // The device clock is the NIC's virtual clock plus what set/adjust moved
  // it by; RX timestamps read the same clock.
  int get_clock_ns(int64_t *ns) override {
    *ns = static_cast<int64_t>(nic_->clock().now_ns()) + clock_offset_;
    return 0;
  }
  int set_clock_ns(int64_t ns) override {
    clock_offset_ = ns - static_cast<int64_t>(nic_->clock().now_ns());
    return 0;
  }
  int adjust_clock_ns(int64_t delta) override {
    clock_offset_ += delta;
    return 0;
  }
  int enable_hw_timestamp(bool, bool) override { return 0; }  // every frame is stamped at arrival

  // In-NIC filters (guide 8.11), as on a testbed NIC: 82599 five-tuple
  // and perfect-filter rules, 16 of them, the same rule_id replaces; they
  // act on the frames that arrive after the call.
  bool has_hw_filters() const override { return true; }
  int add_hw_rule(const hw_filtering_rule *r) override {
    if (!pfc_hw_rule_supported(r)) return PF_RING_ERROR_NOT_SUPPORTED;
    auto same = std::find_if(hw_.begin(), hw_.end(), [&](const hw_filtering_rule &x) { return x.rule_id == r->rule_id; });
    if (same != hw_.end()) {
      *same = *r;
    } else {
      if (hw_.size() >= kMaxHwRules) return PF_RING_ERROR_NOT_ENOUGH_MEMORY;
      hw_.push_back(*r);
    }
    nic_->set_hw_rules(hw_.data(), static_cast<uint32_t>(hw_.size()));
    return 0;
  }
  int remove_hw_rule(uint16_t id) override {
    auto it = std::find_if(hw_.begin(), hw_.end(), [&](const hw_filtering_rule &x) { return x.rule_id == id; });
    if (it == hw_.end()) return PF_RING_ERROR_NOT_FOUND;
    hw_.erase(it);
    nic_->set_hw_rules(hw_.data(), static_cast<uint32_t>(hw_.size()));
    return 0;
  }

  std::string stats_json() const override {
    sim::SimNicStats s = nic_->stats();
    std::string j = "{\"offered\":" + std::to_string(s.offered) + ",\"delivered\":" + std::to_string(s.delivered) +
                    ",\"missed\":" + std::to_string(s.missed) + ",\"queued\":" + std::to_string(s.queued) +
                    ",\"hw_dropped\":" + std::to_string(s.hw_dropped) +
                    ",\"pause_frames\":" + std::to_string(s.pause_frames) +
                    ",\"xon_frames\":" + std::to_string(s.xon_frames) +
                    ",\"virtual_ns\":" + std::to_string(s.virtual_ns) +
                    "," + reader_.policy_json() + ",\"queues\":[";
    for (uint32_t q = 0; q < opt_.nic.num_queues; q++) {
      sim::SimQueueStats qs = nic_->queue_stats(q);
      j += std::string(q ? "," : "") + "{\"delivered\":" + std::to_string(qs.delivered) +
           ",\"missed\":" + std::to_string(qs.missed) + "}";
    }
    return j + "]}";
  }

 private:
  // Takes the file's next frame and the time the replay rate gives it.
  void load_next() {
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

  // Packets the consumers took that the ring has not read (of the queue
  // read, or of all).
  uint64_t unread() const {
    if (empty_) return 0;
    return nic_->unread(queue_ >= 0 ? static_cast<uint32_t>(queue_) : sim::SimNic::kAllQueues);
  }

  // What the consumers took and the ring has not read: one queue, or all
  // of them merged by arrival.
  unsigned collect(RawPacket *out, unsigned max) {
    if (unread() == 0) return 0;
    unsigned n = 0;
    if (queue_ >= 0) {
      n = nic_->dequeue_taken(static_cast<uint32_t>(queue_), rx_.data(), max);
    } else {
      for (uint32_t q = 0; q < opt_.nic.num_queues && n < max; q++)
        if (nic_->unread(q)) n += nic_->dequeue_taken(q, rx_.data() + n, max - n);
      // Merge by arrival: an insertion sort, stable and allocation-free
      // (bursts are small and each queue's part is already in order).
      for (unsigned i = 1; i < n; i++) {
        sim::SimRxDesc d = rx_[i];
        unsigned j = i;
        for (; j > 0 && rx_[j - 1].arrival_ps > d.arrival_ps; j--) rx_[j] = rx_[j - 1];
        rx_[j] = d;
      }
    }
    for (unsigned i = 0; i < n; i++) {
      const sim::SimRxDesc &d = rx_[i];
      RawPacket &p = out[i];
      fill_rx_packet(p, d.data, d.caplen, d.len, static_cast<uint64_t>(static_cast<int64_t>(d.timestamp_ns) + clock_offset_));
      p.hdr.extended_hdr.if_index = static_cast<int32_t>(d.queue);  // the RX queue
      p.hdr.extended_hdr.pkt_hash = d.pkt_hash;                     // as the NIC wrote it
    }
    return n;
  }

  SimOptions opt_;
  std::unique_ptr<sim::SimNic> nic_;
  int queue_ = -1;
  bool empty_ = false;
  CaptureImage image_;  // the file's bytes; frames are lent to the NIC from here
  PcapFileReader reader_;
  std::vector<sim::SimRxDesc> rx_;
  sim::ReplayPacer pacer_;
  std::vector<hw_filtering_rule> hw_;  // the NIC's filters (set_hw_rules copies them)
  int64_t clock_offset_ = 0;  // pfring_set/adjust_device_clock
  bool file_done_ = false, drained_ = false;
  bool have_pending_ = false, consumed_to_arrival_ = false;  // the next frame, not yet offered
  sim::SimFrame pending_;
  int status_ = 0;
  std::string status_msg_;
};

// "NAME:NIC" (before any option) or a NAME that is no file but a running
// testbed: a pfsim client; anything else is a capture file.
bool names_testbed(const std::string &device) {
  std::string spec = device.substr(0, device.find(','));
  if (spec.find(':') != std::string::npos && spec.find('/') == std::string::npos) return true;
  struct stat st;
  return spec == device && stat(spec.c_str(), &st) != 0 && testbed_exists(spec);
}

std::unique_ptr<Module> open_sim(const OpenArgs &args, int *code, int *errnum, std::string &err) {
  if (names_testbed(args.name.device)) {
    return open_testbed_client(args.name.device, args.name.queue, code, errnum, err);
  }
  auto m = std::make_unique<SimModule>();
  if (!m->open(args, code, errnum, err)) return nullptr;
  return m;
}

void list_sim(std::vector<DeviceInfo> &out) {
  DeviceInfo d;
  d.name = "sim:<file>[,queues=N,ring=D,speed=10g,rate=recorded|line|xN,fc=on|off,rss=default|symmetric,consumer_ns=T]";
  d.description = "a software NIC (RSS queues, PAUSE, virtual-time timestamps) replaying a classic pcap file";
  out.push_back(d);
  DeviceInfo t;
  t.name = "sim:<testbed>:<nic>[@queue]";
  t.description = "a NIC of a pfsim testbed shared between processes (clusters, TX, wires)";
  out.push_back(t);
}

}  // namespace

const ModuleInfo kSimModule = {"sim", "in-process software NIC fed by a capture file", open_sim, list_sim};

}  // namespace pfr
