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

#include <vector>

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
  // A libzero pool the NIC receives into (PoolReceiver), mapped for DMA
  // while rings use it.
  BufferLender *lender = nullptr;
  dna::DmaRegion pool_map{};
  uint32_t pool_users = 0;
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

class DnaModule : public Module, public PoolReceiver {
 public:
  DnaModule(std::shared_ptr<DnaDevice> dev, int queue) : dev_(std::move(dev)), queue_(queue) {
    std::lock_guard<std::mutex> lock(dev_->mu);
    for (uint32_t q = 0; q < dev_->queues(); q++)
      if (reads(q) && dev_->readers[q]++ == 0) dev_->drv->set_queue_enabled(q, true);
  }
  ~DnaModule() override {
    detach_pool();
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
    if (lender_) {
      err = "this dna: ring receives into a DNA cluster's pool: its packets go to the cluster's slaves";
      return PF_RING_ERROR_INVALID_STATUS;
    }
    received_ = true;
    std::lock_guard<std::mutex> lock(dev_->mu);
    uint64_t now = realtime_ns();
    unsigned n = read_queues(max, [&](uint32_t q, const igb::RxPacket *pkts, uint32_t got, unsigned at) {
      if (at == max) dev_->drv->rx_release(q);  // no room to read q: its last burst goes back all the same
      for (uint32_t i = 0; i < got; i++) {
        RawPacket &p = out[at + i];
        fill_rx_packet(p, pkts[i].data, pkts[i].len, pkts[i].len, now);
        p.hdr.extended_hdr.pkt_hash = pkts[i].rss_hash;
        p.hdr.extended_hdr.rx_direction = 1;
      }
    });
    return n > 0 ? int(n) : idle_status(err);
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
                    ",\"into_pool\":" + std::to_string(m.into_mapped) + ",\"ring_pool_rx\":" + std::to_string(pool_rx_) +
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

  // PoolReceiver: the NIC's receive descriptors point at pool buffers.
  PoolReceiver *pool_receiver() override { return this; }

  uint32_t pool_buffers_needed() const override {
    uint32_t n = 0;
    for (uint32_t q = 0; q < dev_->queues(); q++)
      if (reads(q)) n += dev_->opt.sim.nic.descriptors - 1;
    return n;
  }

  int attach_pool(BufferLender *lender, std::string &err) override {
    if (queue_ >= int(dev_->queues())) {
      err = "no such queue";
      return PF_RING_ERROR_INVALID_ARGUMENT;
    }
    std::lock_guard<std::mutex> lock(dev_->mu);
    if (lender_) return 0;
    if (received_) {
      err = "the ring received already (a pool is attached before the first receive)";
      return PF_RING_ERROR_INVALID_STATUS;
    }
    if (dev_->lender && dev_->lender != lender) {
      err = "the NIC receives into another pool";
      return PF_RING_ERROR_INVALID_STATUS;
    }
    // The NIC's buffers are whole KiB (SRRCTL.BSIZEPKT): the largest that
    // fits in a pool buffer.
    uint32_t bs = std::min<uint32_t>(16384, lender->pool_buf_size() / 1024 * 1024);
    if (bs < 1024) {
      err = "pool buffers of " + std::to_string(lender->pool_buf_size()) + " bytes (the 82576 needs 1024 or more)";
      return PF_RING_ERROR_INVALID_ARGUMENT;
    }
    for (uint32_t q = 0; q < dev_->queues(); q++)
      if (reads(q) && dev_->readers[q] != 1) {
        err = "queue " + std::to_string(q) + " has another reader";
        return PF_RING_ERROR_INVALID_STATUS;
      }
    if (!dev_->lender) {
      size_t bytes = (size_t(lender->pool_count()) * lender->pool_buf_size() + 4095) / 4096 * 4096;
      if (!dev_->model->dma_map(lender->pool_base(), bytes, &dev_->pool_map, err)) return PF_RING_ERROR_GENERIC;
      dev_->lender = lender;
    }
    dev_->pool_users++;
    for (uint32_t q = 0; q < dev_->queues(); q++) {
      if (!reads(q)) continue;
      if (!dev_->drv->rx_caller(q) && !dev_->drv->rx_use_caller_buffers(q, bs, err)) {
        lender_ = lender;
        detach_locked();
        return PF_RING_ERROR_GENERIC;
      }
      refill(q);
      dev_->drv->set_queue_enabled(q, true);
    }
    lender_ = lender;
    return 0;
  }

  int recv_pool(PoolPacket *out, unsigned max, std::string &err) override {
    if (!lender_) {
      err = "no pool attached";
      return PF_RING_ERROR_INVALID_STATUS;
    }
    std::lock_guard<std::mutex> lock(dev_->mu);
    uint64_t now = realtime_ns();
    unsigned n = read_queues(max, [&](uint32_t q, const igb::RxPacket *pkts, uint32_t got, unsigned at) {
      for (uint32_t i = 0; i < got; i++) out[at + i] = PoolPacket{pkts[i].buf_id, pkts[i].len, pkts[i].rss_hash, now};
      pool_rx_ += got;
      refill(q);
    });
    return n > 0 ? int(n) : idle_status(err);
  }

  void detach_pool() override {
    std::lock_guard<std::mutex> lock(dev_->mu);
    detach_locked();
  }
  int bound_device_address(uint8_t mac[6]) const override {
    std::lock_guard<std::mutex> lock(dev_->mu);
    dev_->drv->mac(mac);
    return 0;
  }

 private:
  bool reads(uint32_t q) const { return queue_ < 0 || uint32_t(queue_) == q; }

  // One burst of each queue this ring reads, max packets in all: got(q,
  // pkts, n, at) for each queue read (n packets, to go at out[at...]).
  // The caller holds dev_->mu. Returns the packets in all.
  template <typename Got>
  unsigned read_queues(unsigned max, Got got) {
    unsigned n = 0;
    igb::RxPacket pkts[kBurst];
    for (uint32_t q = 0; q < dev_->queues(); q++) {
      if (!reads(q)) continue;
      unsigned want = std::min<unsigned>(kBurst, max - n);
      uint32_t k = want ? dev_->drv->rx_burst(q, pkts, want) : 0;
      got(q, pkts, k, n);
      n += k;
    }
    return n;
  }

  // What a receive with no packet returns: 0 while the replay goes on,
  // then how it ended.
  int idle_status(std::string &err) const {
    if (!dev_->model->source_done()) return 0;
    if (int rc = dev_->wire.status()) {
      err = dev_->wire.status_msg();
      return rc;
    }
    return PF_RING_ERROR_END_OF_FILE;
  }

  // Free pool buffers onto queue q's free descriptors (fewer when the pool
  // has fewer free: the rest at a later call).
  void refill(uint32_t q) {
    uint32_t ids[kBurst];
    igb::RxBuf bufs[kBurst];
    const dna::DmaRegion &m = dev_->pool_map;
    BufferLender *l = dev_->lender;
    uint32_t bs = l->pool_buf_size();  // the pool's stride (the NIC may use less of each)
    for (uint32_t room = dev_->drv->rx_free(q); room > 0;) {
      uint32_t k = l->take(ids, std::min<uint32_t>(room, kBurst));
      if (k == 0) break;
      for (uint32_t i = 0; i < k; i++)
        bufs[i] = igb::RxBuf{m.virt + size_t(ids[i]) * bs, m.bus + uint64_t(ids[i]) * bs, ids[i]};
      uint32_t posted = dev_->drv->rx_post(q, bufs, k);  // == k: room was free
      room -= posted;
      if (posted < k) {
        l->give_back(ids + posted, k - posted);
        break;
      }
    }
  }

  // Every pool buffer the NIC holds for this ring's queues goes back; the
  // queues stop; the pool is unmapped with its last user.
  void detach_locked() {
    if (!lender_) return;
    std::vector<uint32_t> ids(dev_->opt.sim.nic.descriptors);
    for (uint32_t q = 0; q < dev_->queues(); q++) {
      if (!reads(q)) continue;
      uint32_t n = dev_->drv->rx_reclaim(q, ids.data());
      if (n) lender_->give_back(ids.data(), n);
    }
    lender_ = nullptr;
    if (--dev_->pool_users == 0) {
      dev_->model->dma_unmap(&dev_->pool_map);
      dev_->lender = nullptr;
    }
  }

  std::shared_ptr<DnaDevice> dev_;
  int queue_;
  BufferLender *lender_ = nullptr;  // attach_pool's
  bool received_ = false;
  uint64_t pool_rx_ = 0;  // packets received into pool buffers
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
