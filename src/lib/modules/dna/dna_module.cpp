// dna_module.cpp - "dna:model:igb:FILE[,key=value...][@QUEUE]": the igb
// DNA driver (drivers/igb) on the 82576 register model (sim/igb_model.h),
// the model receiving the frames of a classic pcap file (issue 25 step 1;
// docs/dna.md). The application reads the NIC's receive buffers
// directly: a zero-copy receive points into the buffer the NIC wrote,
// given back to the NIC at the next receive on the ring.
//
// The wire in front of the NIC is the software NIC's (sim/nic.h, through
// modules/sim/sim_replay.h): the peer sends the file on the replay
// schedule, and the NIC's packet buffer takes or misses each frame in
// virtual time as on sim:FILE with the same options; what it delivers goes
// on to the model's DMA engine and the driver's descriptors. So a slow
// consumer (consumer_ns=T) or a short ring loses exactly the frames it
// loses on sim:, and pfring_stats counts them.
//
// Options: queues=N (1..16 RX queues, RSS over them; default 1),
// ring=D (descriptors per queue, a power of two 8..4096; default 512;
// the software NIC's buffer has as many), full=wait|drop (a frame whose
// descriptor ring is full: the model waits for the reader, default, or
// the NIC drops it and counts it in MPC/RNBC/RQDPC), tx=PATH (frames sent
// go to a pcap file; without it they are counted and discarded), and the
// software NIC's keys: speed, rate, fc, consumer_ns, rss (the key the
// driver programs too), seed. PF_RING_DNA_SYMMETRIC_RSS at open
// programs the symmetric key (rss.h).
//
#include <pcap/pcap.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>

#include "igb_driver.h"
#include "igb_model.h"
#include "device_options.h"
#include "module.h"
#include "modules/module_util.h"
#include "modules/sim/sim_options.h"
#include "modules/sim/sim_replay.h"
#include "modules/registry_entries.h"

extern "C" {
#include "rss.h"
}

namespace pfr {

namespace {

constexpr unsigned kBurst = 64;
constexpr uint32_t kModelMaxFrame = 16384;  // the 82576's largest frame (LPE)

struct DnaOptions {
  SimOptions sim;  // the wire and the NIC's buffer (path, queues, ring, rate, ...)
  bool wait = true;
  std::string tx_path;
};

bool parse_options(const std::string &device, DnaOptions &o, std::string &err) {
  const std::string prefix = "model:igb:";
  if (device.compare(0, prefix.size(), prefix) != 0) {
    err = "dna: devices are model:igb:FILE for now (the 82576 model; VFIO devices come with step 2), not '" +
          device + "'";
    return false;
  }
  KeyValues kv;
  if (!split_options(device.substr(prefix.size()), "dna", o.sim.path, kv, err)) return false;
  if (o.sim.path.empty()) {
    err = "dna:model:igb: needs a capture file: dna:model:igb:FILE";
    return false;
  }
  // Whole frames go on to the model (its buffers decide what fits).
  o.sim.nic.slot_bytes = kModelMaxFrame;
  for (const auto &[k, v] : kv) {
    uint64_t n = 0;
    if (k == "queues") {
      if (!parse_option_uint(v, 16, &n) || n < 1) {
        err = "dna option queues=" + v + ": 1 to 16 (the 82576's queues)";
        return false;
      }
      o.sim.nic.num_queues = uint32_t(n);
    } else if (k == "ring") {
      if (!parse_option_uint(v, 4096, &n) || n < 8 || (n & (n - 1))) {
        err = "dna option ring=" + v + ": a power of two, 8 to 4096 descriptors";
        return false;
      }
      o.sim.nic.descriptors = uint32_t(n);
    } else if (k == "full") {
      if (v != "wait" && v != "drop") {
        err = "dna option full=" + v + ": wait or drop";
        return false;
      }
      o.wait = v == "wait";
    } else if (k == "tx") {
      o.tx_path = v;
    } else if (k == "speed" || k == "rate" || k == "fc" || k == "consumer_ns" || k == "rss" || k == "seed") {
      if (apply_sim_option(k, v, o.sim, err) < 0) {
        err = "dna" + err.substr(3);  // "sim option ..." -> "dna option ..."
        return false;
      }
    } else {
      err = "unknown dna option '" + k + "' (queues, ring, full, tx, speed, rate, fc, consumer_ns, rss, seed)";
      return false;
    }
  }
  return true;
}

uint64_t realtime_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

// One NIC: the wire and packet buffer (the software NIC replaying the
// file), the register model, the driver on it, shared by every ring opened
// on the same name.
struct DnaDevice {
  std::mutex mu;
  DnaOptions opt;
  SimReplay wire;
  sim::SimRxDesc taken[kBurst];  // what the wire delivered, not yet offered to the model
  unsigned taken_n = 0, taken_next = 0;
  std::unique_ptr<sim::IgbModel> model;
  std::unique_ptr<igb::Driver> drv;
  uint32_t readers[igb::kMaxQueues] = {};
  pcap_t *tx_dead = nullptr;
  pcap_dumper_t *tx_dump = nullptr;
  uint32_t queues() const { return opt.sim.nic.num_queues; }
  ~DnaDevice() {
    drv.reset();  // before the model it runs on
    if (tx_dump) pcap_dump_close(tx_dump);
    if (tx_dead) pcap_close(tx_dead);
  }
};

std::mutex g_devices_mu;
std::map<std::string, std::weak_ptr<DnaDevice>> g_devices;

std::shared_ptr<DnaDevice> open_device(const std::string &key, const DnaOptions &o, uint32_t flags, int *code,
                                       int *errnum, std::string &err) {
  std::lock_guard<std::mutex> lock(g_devices_mu);
  if (auto d = g_devices[key].lock()) return d;
  auto fail = [&](int c, int e, const std::string &m) {
    *code = c;
    *errnum = e;
    err = m;
    return nullptr;
  };
  auto d = std::make_shared<DnaDevice>();
  d->opt = o;
  if (flags & PF_RING_DNA_SYMMETRIC_RSS) d->opt.sim.nic.rss_key = sim::symmetric_rss_key();
  if (!d->wire.open(d->opt.sim, "dna:", code, errnum, err)) return nullptr;
  std::string why;
  sim::IgbModelConfig mc;
  mc.wait_when_full = o.wait;
  d->model = sim::IgbModel::create(mc, &why);
  if (!d->model) return fail(PF_RING_ERROR_INVALID_ARGUMENT, EINVAL, "82576 model: " + why);
  igb::DriverConfig dc;
  dc.rx_queues = d->queues();
  dc.rx_ring = o.sim.nic.descriptors;
  dc.rss_key = d->opt.sim.nic.rss_key.data();  // the wire's queues are the NIC's
  d->drv = igb::Driver::open(*d->model, dc, why);
  if (!d->drv) return fail(PF_RING_ERROR_GENERIC, EIO, "igb driver: " + why);
  for (uint32_t q = 0; q < d->queues(); q++) d->drv->set_queue_enabled(q, false);  // until a ring reads it
  DnaDevice *raw = d.get();
  d->model->attach_source([raw](sim::IgbFrame *f) {
    if (raw->taken_next == raw->taken_n) {
      raw->taken_n = raw->wire.take(raw->taken, kBurst, sim::SimNic::kAllQueues);
      raw->taken_next = 0;
      if (raw->taken_n == 0) return false;  // the replay ended (wire.status() says how)
    }
    const sim::SimRxDesc &t = raw->taken[raw->taken_next++];
    *f = sim::IgbFrame{t.data, t.caplen, t.len};
    return true;
  });
  if (!o.tx_path.empty()) {
    d->tx_dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
    d->tx_dump = d->tx_dead ? pcap_dump_open(d->tx_dead, o.tx_path.c_str()) : nullptr;
    if (!d->tx_dump)
      return fail(PF_RING_ERROR_GENERIC, EIO, "cannot write tx file '" + o.tx_path + "'");
    d->model->set_tx_sink([raw](const uint8_t *frame, uint32_t len) {
      struct pcap_pkthdr h;
      uint64_t ns = realtime_ns();
      h.ts.tv_sec = time_t(ns / 1000000000ull);
      h.ts.tv_usec = suseconds_t(ns % 1000000000ull);  // ns precision file
      h.caplen = h.len = len;
      pcap_dump(reinterpret_cast<u_char *>(raw->tx_dump), &h, frame);
    });
  }
  g_devices[key] = d;
  return d;
}

class DnaModule : public Module {
 public:
  DnaModule(std::shared_ptr<DnaDevice> dev, int queue) : dev_(std::move(dev)), queue_(queue) {
    std::lock_guard<std::mutex> lock(dev_->mu);
    for (uint32_t q = 0; q < dev_->queues(); q++)
      if (reads(q) && dev_->readers[q]++ == 0) dev_->drv->set_queue_enabled(q, true);
  }
  ~DnaModule() override {
    std::lock_guard<std::mutex> lock(dev_->mu);
    for (uint32_t q = 0; q < dev_->queues(); q++) {
      if (!reads(q)) continue;
      dev_->drv->rx_release(q);
      if (--dev_->readers[q] == 0) dev_->drv->set_queue_enabled(q, false);
    }
    if (dev_->tx_dump) pcap_dump_flush(dev_->tx_dump);
  }

  bool finite() const override { return true; }

  // One burst of each queue this ring reads (the buffers of a burst stay
  // the ring's until its next call, when they go back to the NIC).
  int recv_burst(RawPacket *out, unsigned max, int, std::string &err) override {
    if (queue_ >= int(dev_->queues())) return PF_RING_ERROR_END_OF_FILE;  // no such queue (guide 8.3)
    std::lock_guard<std::mutex> lock(dev_->mu);
    unsigned n = 0;
    uint64_t now = realtime_ns();
    igb::RxPacket pkts[kBurst];
    for (uint32_t q = 0; q < dev_->queues(); q++) {
      if (!reads(q)) continue;
      unsigned want = std::min<unsigned>(kBurst, max - n);
      uint32_t got = want ? dev_->drv->rx_burst(q, pkts, want) : 0;
      if (!want) dev_->drv->rx_release(q);
      for (uint32_t i = 0; i < got; i++) {
        fill_rx_packet(out[n], pkts[i].data, pkts[i].len, pkts[i].len, now);
        out[n].hdr.extended_hdr.pkt_hash = pkts[i].rss_hash;
        out[n].hdr.extended_hdr.rx_direction = 1;
        n++;
      }
    }
    if (n > 0) return int(n);
    if (!dev_->model->source_done()) return 0;
    if (int rc = dev_->wire.status()) {
      err = dev_->wire.status_msg();
      return rc;
    }
    return PF_RING_ERROR_END_OF_FILE;
  }

  uint64_t dropped() const override {
    std::lock_guard<std::mutex> lock(dev_->mu);
    // lost on the wire side (the software NIC's buffer) or by the 82576
    // (no free descriptor with full=drop)
    igb::DeviceStats s = dev_->drv->read_stats();
    const sim::SimNic &wire = dev_->wire.nic();
    if (queue_ >= 0 && queue_ < int(igb::kMaxQueues))
      return wire.queue_stats(uint32_t(queue_)).missed + s.queue_drops[queue_];
    return wire.stats().missed + s.missed;
  }

  std::string stats_json() const override {
    std::lock_guard<std::mutex> lock(dev_->mu);
    igb::DeviceStats s = dev_->drv->read_stats();
    const sim::IgbModelStats &m = dev_->model->stats();
    std::string j = "{\"nic\":\"82576 model\",\"queues\":" + std::to_string(dev_->queues()) +
                    ",\"ring\":" + std::to_string(dev_->opt.sim.nic.descriptors) + ",\"rx_packets\":" + std::to_string(s.rx_packets) +
                    ",\"rx_bytes\":" + std::to_string(s.rx_bytes) + ",\"tx_packets\":" + std::to_string(s.tx_packets) +
                    ",\"missed\":" + std::to_string(s.missed) + ",\"no_buffer\":" + std::to_string(s.no_buffer) +
                    ",\"rx_errors\":" + std::to_string(s.rx_errors) + ",\"rx_chained\":" + std::to_string(s.rx_chained) +
                    ",\"not_for_us\":" + std::to_string(m.not_for_us) + ",\"dma_errors\":" + std::to_string(m.dma_errors) +
                    ",\"queue_drops\":[";
    for (uint32_t q = 0; q < dev_->queues(); q++) j += (q ? "," : "") + std::to_string(s.queue_drops[q]);
    return j + "],\"wire\":" + sim_nic_stats_json(dev_->wire.nic(), dev_->wire.reader()) + "}";
  }

  bool can_transmit() const override { return true; }
  int send(const uint8_t *pkt, unsigned len, bool, int, std::string &err) override {
    TxFrame f{pkt, len};
    int rc = send_burst(&f, 1, -1, err);
    return rc == 1 ? int(len) : rc;
  }
  int send_burst(const TxFrame *frames, unsigned n, int, std::string &err) override {
    std::lock_guard<std::mutex> lock(dev_->mu);
    const uint8_t *fs[kBurst];
    uint32_t ls[kBurst];
    unsigned done = 0;
    while (done < n) {
      unsigned k = std::min<unsigned>(kBurst, n - done);
      for (unsigned i = 0; i < k; i++) {
        if (frames[done + i].len == 0 || frames[done + i].len > 16383) {
          if (done + i == 0) {
            err = "a frame of " + std::to_string(frames[done + i].len) + " bytes (the 82576 sends 1 to 16383)";
            return PF_RING_ERROR_INVALID_ARGUMENT;
          }
          k = i;
          break;
        }
        fs[i] = frames[done + i].data;
        ls[i] = frames[done + i].len;
      }
      uint32_t sent = k ? dev_->drv->tx_burst(fs, ls, k) : 0;
      done += sent;
      if (sent < k || k == 0) break;
    }
    if (done == 0) {
      err = "the TX ring is full";
      return PF_RING_ERROR_NO_TX_SLOT_AVAILABLE;
    }
    return int(done);
  }

  int num_rx_channels() const override { return int(dev_->queues()); }
  int bound_device_address(uint8_t mac[6]) const override {
    std::lock_guard<std::mutex> lock(dev_->mu);
    dev_->drv->mac(mac);
    return 0;
  }

 private:
  bool reads(uint32_t q) const { return queue_ < 0 || uint32_t(queue_) == q; }

  std::shared_ptr<DnaDevice> dev_;
  int queue_;
};

std::unique_ptr<Module> open_dna(const OpenArgs &args, int *code, int *errnum, std::string &err) {
  DnaOptions o;
  if (!parse_options(args.name.device, o, err)) {
    *code = PF_RING_ERROR_INVALID_ARGUMENT;
    *errnum = EINVAL;
    return nullptr;
  }
  auto dev = open_device(args.name.device, o, args.flags, code, errnum, err);
  if (!dev) return nullptr;
  return std::make_unique<DnaModule>(std::move(dev), args.name.queue);
}

void list_dna(std::vector<DeviceInfo> &out) {
  DeviceInfo d;
  d.name = "dna:model:igb:<file>[,queues=N,ring=D,full=wait|drop,tx=PATH,speed=S,rate=R,fc=on|off,consumer_ns=T,rss=K][@queue]";
  d.description = "the igb DNA driver on an 82576 register model receiving a classic pcap file";
  out.push_back(d);
}

}  // namespace

const ModuleInfo kDnaModule = {"dna", "DNA drivers in userspace (igb on the 82576 model for now)", open_dna, list_dna};

}  // namespace pfr
