// cluster.h - the DNA Cluster master (guide 9.1.1; DESIGN.md decision 6).
//
// A master reads its registered rings (any module), copies each packet
// once into a pool buffer - or, on a ring whose device receives into the
// pool itself (Module::pool_receiver: dna:, whose NIC descriptors then
// point at pool buffers), takes the buffer the NIC wrote, no copy - asks
// the distribution function which slaves get it, and hands each a reference
// through that slave's rx queue; what slaves give back (ret), send (tx)
// and need for their own use (refill) crosses the other three queues of
// zc_layout.h. One master thread does all of it.
//
// Back-pressure: a finite device (pcap:, the in-process sim:) is never
// dropped from: a full slave queue makes the master wait (serving the
// slaves' returns meanwhile). On a live device a full queue drops that
// packet for that slave only (offered = delivered + dropped, per slave).
// When every finite ring has ended and every packet is queued, each slave
// gets end of file after its queue.
//
// This step: master and slaves are threads of one process; slaves find the
// cluster by id in a process-wide table (Region is shared with them, so a
// slave outliving dna_cluster_destroy reads end of file, not freed memory).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "module.h"
#include "pfring.h"
#include "zero/buffer_pool.h"
#include "zero/zc_layout.h"

namespace pfr {
struct Handle;  // handle.h
}

namespace pfr::zero {

// The region's memory; freed with the last of the master and its slaves.
struct Region {
  uint8_t *base = nullptr;
  uint64_t bytes = 0;
  ZcHeader *hdr() const { return reinterpret_cast<ZcHeader *>(base); }
  ZcSlave *slave(uint32_t k) const { return reinterpret_cast<ZcSlave *>(base + hdr()->slaves_off) + k; }
  pfc_dq_hdr *queue(uint64_t off) const { return reinterpret_cast<pfc_dq_hdr *>(base + off); }
  uint8_t *buffer(uint32_t id) const { return base + hdr()->buffers_off + uint64_t(id) * hdr()->buf_size; }
  ~Region();
};

// The enabled cluster of id, or nullptr (err says why: none, not enabled).
std::shared_ptr<Region> find_cluster(uint32_t id, std::string &err);

class Cluster {
 public:
  // A cluster of num_apps slaves registered under id in this process;
  // nullptr with *code and err (bad arguments, id in use).
  static std::unique_ptr<Cluster> create(uint32_t id, uint32_t num_apps, uint32_t flags, int *code,
                                         std::string &err);
  ~Cluster();  // disable(), unregister, close the rings

  // Every call returns 0 or a negative PF_RING_ERROR_* with err.
  int low_level_settings(uint32_t rx_len, uint32_t tx_len, uint32_t additional, std::string &err);
  int register_ring(pfr::Handle *ring, std::string &err);
  void set_affinity(uint32_t rx_core) { core_ = static_cast<int>(rx_core); }
  int set_mode(socket_mode mode, std::string &err);
  void set_distribution(pfring_dna_cluster_distribution_func f) {
    func_ = f;
    guide_func_ = nullptr;
  }
  void set_distribution_guide(pfring_dna_cluster_guide_distribution_func f) {
    guide_func_ = f;
    func_ = nullptr;
  }
  void set_active_wait(bool on) { active_wait_ = on; }
  int enable(std::string &err);
  int disable();
  void stats(pfring_dna_cluster_stat *out) const;
  uint32_t id() const { return id_; }

  // For the tests: the pool invariant and the per-slave one, checked on
  // the master thread's quiet state (after disable()).
  bool check_invariants(std::string &err) const;
  // Every slave slot is free (its slave left and the master took back
  // what it held) within timeout_ms; and, after disable(), every buffer
  // is back on the free list.
  bool wait_all_slaves_free(int timeout_ms) const;
  bool all_buffers_free() const { return !region_ || pool_.free_count() == pool_.size(); }
  // Packets the master received in place (the device wrote the pool
  // buffer) and by copying.
  uint64_t rx_in_place() const { return rx_in_place_.load(); }
  uint64_t rx_copied() const { return rx_packets_.load() - rx_in_place_.load(); }

 private:
  Cluster() = default;
  struct SlotRt {
    bool active = false;
    uint32_t owed = 0;  // refills the slave is due
    pfc_dq_producer rx{}, refill{};
    pfc_dq_consumer ret{}, tx{};
  };
  struct Pending {  // a packet some slaves still have to get (finite devices)
    bool active = false;
    pfc_desc d{};
    uint32_t mask = 0;
  };

  // The pool as a device sees it (module.h BufferLender): the master
  // thread's, as every pool call.
  struct Lender : BufferLender {
    Cluster *c = nullptr;
    uint8_t *pool_base() const override { return c->pool_.data(0); }
    uint32_t pool_buf_size() const override { return c->pool_.buf_size(); }
    uint32_t pool_count() const override { return c->pool_.size(); }
    uint32_t take(uint32_t *ids, uint32_t n) override;
    void give_back(const uint32_t *ids, uint32_t n) override;
  };

  void run();
  bool serve_slaves();
  bool ingress();
  // The pool receiver of ring r when the master may take its packets in
  // place: the module has one and the handle does nothing in software
  // (no BPF, rules, sampling, drop policy or reflection) that a packet
  // read through pfring_recv would go through.
  static PoolReceiver *in_place_receiver(pfr::Handle *r);
  void attach_pools();
  void detach_pools();
  // A packet in buffer d.buf_id from ring i: to the slaves the
  // distribution picks. False when a slave's queue is full on a finite
  // device (d waits in pending_).
  bool dispatch(pfc_desc &d, uint32_t i);
  // Packets received in place and not yet dispatched (a slave's queue was
  // full); false when it stops at such a packet again.
  bool drain_backlog();
  void drop_in_flight();
  // Hands buffer d to the slaves of mask; on a finite device what does not
  // fit stays in pending_. True when all went (or were dropped).
  bool deliver(const pfc_desc &d, uint32_t mask);
  void transmit(const pfc_desc &d);
  void reclaim(uint32_t k);
  void attach_master_ends(uint32_t k);
  uint32_t pick(const uint8_t *data, uint32_t caplen, uint32_t *hash, int *verdict);

  uint32_t id_ = 0, num_slaves_ = 0, flags_ = 0;
  uint32_t rx_len_ = 1024, tx_len_ = 256, additional_ = 256;
  socket_mode mode_ = send_and_recv_mode;
  bool active_wait_ = false;
  int core_ = -1;
  pfring_dna_cluster_distribution_func func_ = nullptr;
  pfring_dna_cluster_guide_distribution_func guide_func_ = nullptr;
  std::vector<pfr::Handle *> rings_;
  std::vector<uint8_t> finite_, ended_;
  std::vector<PoolReceiver *> in_place_;  // per ring: receiving into the pool, or nullptr
  Lender lender_;
  static constexpr unsigned kBacklog = 64;
  PoolPacket backlog_[kBacklog];
  unsigned backlog_n_ = 0, backlog_pos_ = 0;
  uint32_t backlog_ring_ = 0;
  uint32_t next_ring_ = 0;

  std::shared_ptr<Region> region_;
  BufferPool pool_;
  SlotRt slots_[kMaxSlaves];
  Pending pending_;
  pfring_dna_cluster_slaves_info info_{};

  std::thread thread_;
  std::atomic<bool> running_{false};
  bool enabled_once_ = false;
  std::atomic<uint64_t> rx_packets_{0}, tx_packets_{0}, tx_errors_{0}, func_dropped_{0}, no_buffer_{0},
      bad_returns_{0}, rx_in_place_{0};
};

}  // namespace pfr::zero
