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
#include "modules/sim/sim_replay.h"
#include "modules/sim/sim_testbed.h"

namespace pfr {

namespace {

constexpr uint32_t kMaxFrame = 65535;
constexpr size_t kMaxHwRules = 16;  // as a testbed NIC's table

class SimModule : public Module {
 public:
  bool finite() const override { return true; }  // ends with the file

  bool open(const OpenArgs &args, int *code, int *errnum, std::string &err) {
    SimOptions opt;
    if (!parse_sim_options(args.name.device, opt, err)) {
      *code = PF_RING_ERROR_INVALID_ARGUMENT;
      *errnum = EINVAL;
      return false;
    }
    // A descriptor's buffer holds min(caplen, slot) bytes of a frame: 2 KiB
    // by default, as NIC RX buffers; slot=9216 (say) keeps jumbo frames whole.
    opt.nic.slot_bytes = std::min<uint32_t>(args.caplen ? args.caplen : kMaxFrame, opt.slot);
    num_queues_ = opt.nic.num_queues;
    if (!replay_.open(opt, "sim:", code, errnum, err)) return false;
    // A queue that does not exist captures nothing (guide 8.3).
    queue_ = args.name.queue < 0 ? sim::SimNic::kAllQueues : static_cast<uint32_t>(args.name.queue);
    rx_.resize(256);
    return true;
  }

  // Reads every packet the consumers take (sim_replay.h). One call goes on
  // replaying until the burst is full, rather than returning after each
  // hand-out (with consumers that keep up, that is one packet per call, and
  // the per-call costs here and in the ring then dominate).
  int recv_burst(RawPacket *out, unsigned max, int, std::string &err) override {
    if (max > rx_.size()) max = static_cast<unsigned>(rx_.size());
    unsigned n = replay_.take(rx_.data(), max, queue_);
    for (unsigned i = 0; i < n; i++) {
      const sim::SimRxDesc &d = rx_[i];
      RawPacket &p = out[i];
      fill_rx_packet(p, d.data, d.caplen, d.len, static_cast<uint64_t>(static_cast<int64_t>(d.timestamp_ns) + clock_offset_));
      p.hdr.extended_hdr.if_index = static_cast<int32_t>(d.queue);  // the RX queue
      p.hdr.extended_hdr.pkt_hash = d.pkt_hash;                     // as the NIC wrote it
    }
    if (n > 0) return static_cast<int>(n);
    if (replay_.status()) err = replay_.status_msg();
    return replay_.status() ? replay_.status() : PF_RING_ERROR_END_OF_FILE;
  }

  uint64_t dropped() const override {
    if (queue_ != sim::SimNic::kAllQueues) return nic().queue_stats(queue_).missed;
    return nic().stats().missed;
  }

  int num_rx_channels() const override { return static_cast<int>(num_queues_); }

  // The device clock is the NIC's virtual clock plus what set/adjust moved
  // it by; RX timestamps read the same clock.
  int get_clock_ns(int64_t *ns) override {
    *ns = static_cast<int64_t>(nic().clock().now_ns()) + clock_offset_;
    return 0;
  }
  int set_clock_ns(int64_t ns) override {
    clock_offset_ = ns - static_cast<int64_t>(nic().clock().now_ns());
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
    replay_.nic().set_hw_rules(hw_.data(), static_cast<uint32_t>(hw_.size()));
    return 0;
  }
  int remove_hw_rule(uint16_t id) override {
    auto it = std::find_if(hw_.begin(), hw_.end(), [&](const hw_filtering_rule &x) { return x.rule_id == id; });
    if (it == hw_.end()) return PF_RING_ERROR_NOT_FOUND;
    hw_.erase(it);
    replay_.nic().set_hw_rules(hw_.data(), static_cast<uint32_t>(hw_.size()));
    return 0;
  }

  std::string stats_json() const override { return sim_nic_stats_json(nic(), replay_.reader()); }

 private:
  const sim::SimNic &nic() const { return replay_.nic(); }

  SimReplay replay_;
  uint32_t queue_ = sim::SimNic::kAllQueues;
  uint32_t num_queues_ = 1;
  std::vector<sim::SimRxDesc> rx_;
  std::vector<hw_filtering_rule> hw_;  // the NIC's filters (set_hw_rules copies them)
  int64_t clock_offset_ = 0;  // pfring_set/adjust_device_clock
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
