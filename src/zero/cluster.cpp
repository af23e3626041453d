// cluster.cpp - see cluster.h.
#include "zero/cluster.h"

#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>

#include <map>

#include "handle.h"
#include "modules/module_util.h"

extern "C" {
#include "parse.h"
}

namespace pfr::zero {

namespace {

std::mutex g_table_mutex;
std::map<uint32_t, std::weak_ptr<Region>> g_enabled;  // id -> the region of an enabled cluster
std::map<uint32_t, bool> g_ids;                       // ids of live clusters (created, not destroyed)

uint32_t next_pow2(uint32_t v) {
  uint32_t p = 1;
  while (p < v && p < (1u << 24)) p <<= 1;
  return p;
}

// The default distribution: a bidirectional hash of the IP addresses
// (source + destination, IPv4 or IPv6, through VLAN tags); not IP: 0.
uint32_t ip_hash(const uint8_t *data, uint32_t caplen) {
  struct pkt_parsing_info info;
  uint32_t flags = 0;
  std::memset(&info, 0, sizeof(info));
  pfc_parse_pkt(data, caplen, PFC_LEVEL_L3, &info, &flags);
  if (info.ip_version == 4) return info.ip_src.v4 + info.ip_dst.v4;
  if (info.ip_version == 6) {
    uint32_t h = 0, w[8];
    std::memcpy(w, &info.ip_src.v6, 16);
    std::memcpy(w + 4, &info.ip_dst.v6, 16);
    for (uint32_t x : w) h += x;
    return h;
  }
  return 0;
}

}  // namespace

Region::~Region() {
  if (base) munmap(base, bytes);
}

std::shared_ptr<Region> find_cluster(uint32_t id, std::string &err) {
  std::lock_guard<std::mutex> lock(g_table_mutex);
  auto it = g_enabled.find(id);
  std::shared_ptr<Region> r = it == g_enabled.end() ? nullptr : it->second.lock();
  if (!r || !r->hdr()->enabled.load()) {
    err = g_ids.count(id) ? "DNA cluster " + std::to_string(id) + " is not enabled (dna_cluster_enable)"
                          : "no DNA cluster " + std::to_string(id) + " in this process (dna_cluster_create)";
    return nullptr;
  }
  return r;
}

std::unique_ptr<Cluster> Cluster::create(uint32_t id, uint32_t num_apps, uint32_t flags, int *code,
                                         std::string &err) {
  *code = PF_RING_ERROR_INVALID_ARGUMENT;
  if (num_apps < 1 || num_apps > kMaxSlaves) {
    err = "num_apps " + std::to_string(num_apps) + ": a cluster has 1.." + std::to_string(kMaxSlaves) + " slaves";
    return nullptr;
  }
  const uint32_t known = DNA_CLUSTER_DIRECT_FORWARDING | DNA_CLUSTER_NO_ADDITIONAL_BUFFERS | DNA_CLUSTER_HUGEPAGES;
  if (flags & ~known) {
    err = "unknown flags 0x" + std::to_string(flags & ~known);
    return nullptr;
  }
  std::lock_guard<std::mutex> lock(g_table_mutex);
  if (g_ids.count(id)) {
    *code = PF_RING_ERROR_INVALID_STATUS;
    err = "DNA cluster " + std::to_string(id) + " exists already in this process";
    return nullptr;
  }
  std::unique_ptr<Cluster> c(new Cluster());
  c->id_ = id;
  c->num_slaves_ = num_apps;
  c->flags_ = flags;
  if (flags & DNA_CLUSTER_NO_ADDITIONAL_BUFFERS) c->additional_ = 0;
  g_ids[id] = true;
  return c;
}

Cluster::~Cluster() {
  disable();
  {
    std::lock_guard<std::mutex> lock(g_table_mutex);
    g_enabled.erase(id_);
    g_ids.erase(id_);
  }
  for (pfr::Handle *r : rings_) pfring_close(r);
}

int Cluster::low_level_settings(uint32_t rx_len, uint32_t tx_len, uint32_t additional, std::string &err) {
  if (enabled_once_) {
    err = "low-level settings come before dna_cluster_enable";
    return PF_RING_ERROR_INVALID_STATUS;
  }
  if (rx_len < 2 || rx_len > (1u << 20) || tx_len < 2 || tx_len > (1u << 20) || additional > (1u << 20)) {
    err = "queue lengths are 2..2^20 slots and additional buffers at most 2^20 (got rx " + std::to_string(rx_len) +
          ", tx " + std::to_string(tx_len) + ", additional " + std::to_string(additional) + ")";
    return PF_RING_ERROR_INVALID_ARGUMENT;
  }
  rx_len_ = next_pow2(rx_len);
  tx_len_ = next_pow2(tx_len);
  additional_ = (flags_ & DNA_CLUSTER_NO_ADDITIONAL_BUFFERS) ? 0 : additional;
  return 0;
}

int Cluster::register_ring(pfr::Handle *ring, std::string &err) {
  if (!ring) {
    err = "ring is NULL";
    return PF_RING_ERROR_INVALID_ARGUMENT;
  }
  if (enabled_once_) {
    err = "rings are registered before dna_cluster_enable";
    return PF_RING_ERROR_INVALID_STATUS;
  }
  if (rings_.size() >= kMaxRings) {
    err = "a cluster takes at most " + std::to_string(kMaxRings) + " rings";
    return PF_RING_ERROR_INVALID_ARGUMENT;
  }
  for (pfr::Handle *r : rings_)
    if (r == ring) {
      err = "ring is registered already";
      return PF_RING_ERROR_INVALID_ARGUMENT;
    }
  rings_.push_back(ring);
  finite_.push_back(ring->mod->finite() ? 1 : 0);
  ended_.push_back(0);
  in_place_.push_back(nullptr);
  return 0;
}

int Cluster::set_mode(socket_mode mode, std::string &err) {
  if (mode != recv_only_mode && mode != send_only_mode && mode != send_and_recv_mode) {
    err = "mode " + std::to_string(int(mode)) + " is not a socket_mode";
    return PF_RING_ERROR_INVALID_ARGUMENT;
  }
  mode_ = mode;
  return 0;
}

void Cluster::attach_master_ends(uint32_t k) {
  Region &r = *region_;
  ZcSlave *s = r.slave(k);
  const ZcHeader *h = r.hdr();
  SlotRt &rt = slots_[k];
  pfc_dq_producer_attach(&rt.rx, r.queue(s->rx_off), h->queue_bytes[0]);
  pfc_dq_consumer_attach(&rt.ret, r.queue(s->ret_off), h->queue_bytes[1], h->num_buffers, h->buf_size);
  pfc_dq_consumer_attach(&rt.tx, r.queue(s->tx_off), h->queue_bytes[2], h->num_buffers, h->buf_size);
  pfc_dq_producer_attach(&rt.refill, r.queue(s->refill_off), h->queue_bytes[3]);
}

int Cluster::enable(std::string &err) {
  if (running_.load()) return 0;
  if (!enabled_once_) {
    // The geometry is known now: queue lengths, slaves, the largest caplen.
    uint32_t caplen = 1518;
    for (pfr::Handle *r : rings_) caplen = std::max(caplen, r->caplen);
    uint32_t buf_size = static_cast<uint32_t>(zc_align(std::max<uint32_t>(2048, caplen), kLine));
    uint32_t ret_len = next_pow2(rx_len_ + additional_ + tx_len_ + 64);
    uint32_t refill_len = next_pow2(std::max<uint32_t>(additional_, 2));
    uint64_t bufs = uint64_t(num_slaves_) * (rx_len_ + tx_len_ + additional_ + 64) + 64;
    for (pfr::Handle *r : rings_)  // what devices receiving into the pool keep posted
      if (PoolReceiver *pr = in_place_receiver(r)) bufs += pr->pool_buffers_needed();
    if (bufs > (1u << 24)) {
      err = "the pool would need " + std::to_string(bufs) + " buffers (more than 2^24): shorten the queues";
      return PF_RING_ERROR_INVALID_ARGUMENT;
    }
    ZcGeometry g = zc_geometry(num_slaves_, buf_size, static_cast<uint32_t>(bufs), rx_len_, ret_len, tx_len_,
                               refill_len);
    void *m = mmap(nullptr, g.total_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
      err = "cannot map " + std::to_string(g.total_bytes) + " bytes for the buffer pool: " + strerror(errno);
      return PF_RING_ERROR_NOT_ENOUGH_MEMORY;
    }
    region_ = std::make_shared<Region>();
    region_->base = static_cast<uint8_t *>(m);
    region_->bytes = g.total_bytes;
    ZcHeader *h = new (m) ZcHeader();
    h->version = kZcVersion;
    h->cluster_id = id_;
    h->num_slaves = num_slaves_;
    h->buf_size = buf_size;
    h->num_buffers = g.num_buffers;
    h->rx_len = rx_len_;
    h->ret_len = ret_len;
    h->tx_len = tx_len_;
    h->refill_len = refill_len;
    h->additional = additional_;
    h->num_rings = static_cast<uint32_t>(rings_.size());
    h->slaves_off = g.slaves_off;
    h->queues_off = g.queues_off;
    h->refcnt_off = g.refcnt_off;
    h->buffers_off = g.buffers_off;
    h->total_bytes = g.total_bytes;
    for (int k = 0; k < 4; k++) h->queue_bytes[k] = g.queue_bytes[k];
    uint64_t at = g.queues_off;
    const uint32_t lens[4] = {rx_len_, ret_len, tx_len_, refill_len};
    for (uint32_t k = 0; k < num_slaves_; k++) {
      ZcSlave *s = new (region_->slave(k)) ZcSlave();
      uint64_t *offs[4] = {&s->rx_off, &s->ret_off, &s->tx_off, &s->refill_off};
      for (int q = 0; q < 4; q++) {
        *offs[q] = at;
        pfc_dq_init(region_->queue(at), g.queue_bytes[q], lens[q]);
        at += g.queue_bytes[q];
      }
      attach_master_ends(k);
    }
    pool_.init(region_->base + g.buffers_off, buf_size, g.num_buffers,
               reinterpret_cast<uint32_t *>(region_->base + g.refcnt_off));
    h->magic = kZcMagic;
    info_.num_slaves = num_slaves_;
    enabled_once_ = true;
  }
  for (pfr::Handle *r : rings_) pfring_enable_ring(r);
  attach_pools();
  region_->hdr()->enabled.store(1);
  {
    std::lock_guard<std::mutex> lock(g_table_mutex);
    g_enabled[id_] = region_;
  }
  running_ = true;
  thread_ = std::thread([this] { run(); });
  return 0;
}

int Cluster::disable() {
  if (!running_.exchange(false)) return 0;
  if (thread_.joinable()) thread_.join();
  // A slave that left after the thread's last pass is reclaimed here (the
  // thread is gone: this is the master now), or its slot and buffers
  // would stay taken.
  serve_slaves();
  drop_in_flight();
  detach_pools();  // the NIC's posted buffers back on the free list
  region_->hdr()->enabled.store(0);
  // what is queued stays readable; nothing more comes
  for (uint32_t k = 0; k < num_slaves_; k++) PFC_STORE_RELEASE(&slots_[k].rx.q->producer_gone, 1u);
  return 0;
}

uint32_t Cluster::Lender::take(uint32_t *ids, uint32_t n) {
  uint32_t k = 0;
  while (k < n && c->pool_.take(1, &ids[k])) k++;
  return k;
}

void Cluster::Lender::give_back(const uint32_t *ids, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) c->pool_.put(ids[i]);
}

PoolReceiver *Cluster::in_place_receiver(pfr::Handle *r) {
  PoolReceiver *pr = r->mod->pool_receiver();
  if (!pr || r->bpf.active() || !r->rules.empty() || r->sample_rate > 1 || !r->default_accept || r->reflector_all ||
      r->direction == tx_only_direction)
    return nullptr;
  return pr;
}

// A ring that cannot receive into the pool (another reader on its queue,
// it received already) is read by copying, as any other.
void Cluster::attach_pools() {
  lender_.c = this;
  for (size_t i = 0; i < rings_.size(); i++) {
    PoolReceiver *pr = in_place_receiver(rings_[i]);
    std::string why;
    if (pr && pr->attach_pool(&lender_, why) == 0) in_place_[i] = pr;
  }
}

void Cluster::detach_pools() {
  for (PoolReceiver *&pr : in_place_)
    if (pr) {
      pr->detach_pool();
      pr = nullptr;
    }
}

void Cluster::stats(pfring_dna_cluster_stat *out) const {
  out->tot_rx_packets = rx_packets_.load();
  out->tot_tx_packets = tx_packets_.load();
  uint64_t processed = 0;
  if (region_)
    for (uint32_t k = 0; k < num_slaves_; k++) processed += region_->slave(k)->processed.load();
  out->tot_rx_processed = processed;
}

bool Cluster::check_invariants(std::string &err) const {
  if (!region_) return true;
  if (!pool_.check(err)) return false;
  for (uint32_t k = 0; k < num_slaves_; k++) {
    const ZcSlave *s = region_->slave(k);
    if (s->offered.load() != s->delivered.load() + s->dropped.load()) {
      err = "slave " + std::to_string(k) + ": offered " + std::to_string(s->offered.load()) + " != delivered " +
            std::to_string(s->delivered.load()) + " + dropped " + std::to_string(s->dropped.load());
      return false;
    }
  }
  return true;
}

bool Cluster::wait_all_slaves_free(int timeout_ms) const {
  if (!region_) return true;
  return wait_until(timeout_ms, [&] {
    for (uint32_t k = 0; k < num_slaves_; k++)
      if (region_->slave(k)->state.load() != kSlaveFree) return false;
    return true;
  });
}

void Cluster::run() {
  if (core_ >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(core_, &set);
    pthread_setaffinity_np(pthread_self(), sizeof(set), &set);  // best effort: a missing core is ignored
  }
  unsigned idle = 0;
  while (running_.load(std::memory_order_relaxed)) {
    bool work = serve_slaves();
    if (mode_ != send_only_mode) work |= ingress();
    if (work) {
      idle = 0;
    } else if (active_wait_) {
      sched_yield();
    } else {
      sleep_us(idle++ < 100 ? 20 : 200);  // idle: a little, longer the longer it stays idle
    }
  }
}

bool Cluster::serve_slaves() {
  bool work = false;
  pfc_desc d[64];
  for (uint32_t k = 0; k < num_slaves_; k++) {
    SlotRt &rt = slots_[k];
    ZcSlave *s = region_->slave(k);
    uint32_t state = s->state.load(std::memory_order_acquire);
    if (state == kSlaveAttached && !rt.active) {
      rt.active = true;
      rt.owed = additional_;  // its own buffers
    }
    for (;;) {  // given back
      long n = pfc_dq_dequeue_burst(&rt.ret, d, 64);
      if (n <= 0) break;
      work = true;
      for (long i = 0; i < n; i++) {
        if (!pool_.put(d[i].buf_id)) bad_returns_++;
        if (d[i].flags & kDescRefill) rt.owed++;
      }
    }
    for (;;) {  // to send
      long n = pfc_dq_dequeue_burst(&rt.tx, d, 64);
      if (n <= 0) break;
      work = true;
      for (long i = 0; i < n; i++) {
        transmit(d[i]);
        if (!pool_.put(d[i].buf_id)) bad_returns_++;
        if (d[i].flags & kDescRefill) rt.owed++;
      }
    }
    while (rt.owed > 0 && rt.active && pfc_dq_free(&rt.refill) > 0) {
      pfc_desc f{};
      if (!pool_.take(1, &f.buf_id)) break;  // paid once buffers come back
      f.if_index = -1;
      pfc_dq_enqueue_burst(&rt.refill, &f, 1);
      rt.owed--;
      work = true;
    }
    if (state == kSlaveDetached) {
      reclaim(k);
      work = true;
    }
  }
  return work;
}

// The slave of slot k left, having given back what it held through ret
// (drained above): what is still in its rx and refill queues comes back,
// the queues start empty, the slot is free for the next slave.
void Cluster::reclaim(uint32_t k) {
  SlotRt &rt = slots_[k];
  ZcSlave *s = region_->slave(k);
  const ZcHeader *h = region_->hdr();
  pfc_desc d[64];
  const uint64_t offs[2] = {s->rx_off, s->refill_off};
  const int kinds[2] = {0, 3};
  for (int q = 0; q < 2; q++) {
    pfc_dq_consumer c;
    if (pfc_dq_consumer_attach(&c, region_->queue(offs[q]), h->queue_bytes[kinds[q]], h->num_buffers, h->buf_size) != 0)
      continue;
    long n;
    while ((n = pfc_dq_dequeue_burst(&c, d, 64)) > 0)
      for (long i = 0; i < n; i++)
        if (!pool_.put(d[i].buf_id)) bad_returns_++;
  }
  const uint64_t all[4] = {s->rx_off, s->ret_off, s->tx_off, s->refill_off};
  const uint32_t lens[4] = {h->rx_len, h->ret_len, h->tx_len, h->refill_len};
  for (int q = 0; q < 4; q++) pfc_dq_init(region_->queue(all[q]), h->queue_bytes[q], lens[q]);
  attach_master_ends(k);
  if (h->ended.load()) PFC_STORE_RELEASE(&rt.rx.q->producer_gone, 1u);
  rt.active = false;
  rt.owed = 0;
  s->state.store(kSlaveFree, std::memory_order_release);
}

void Cluster::transmit(const pfc_desc &d) {
  uint32_t mask = 0;
  if (d.flags & kDescIfMask) mask = d.pkt_hash;
  else if (d.if_index >= 0 && static_cast<uint32_t>(d.if_index) < rings_.size()) mask = 1u << d.if_index;
  else if (!rings_.empty()) mask = 1;  // no interface named: the first ring
  for (uint32_t i = 0; i < rings_.size(); i++) {
    if (!(mask & (1u << i))) continue;
    if (pfring_send(rings_[i], pool_.data(d.buf_id), d.caplen, 1) >= 0) tx_packets_++;
    else tx_errors_++;
  }
}

uint32_t Cluster::pick(const uint8_t *data, uint32_t caplen, uint32_t *hash, int *verdict) {
  uint32_t mask = 0;
  *hash = 0;
  const u_int16_t len16 = static_cast<u_int16_t>(caplen > 0xFFFF ? 0xFFFF : caplen);
  if (func_) {
    for (uint32_t k = 0; k < num_slaves_; k++) {
      uint32_t queued = slots_[k].rx.insert_idx - PFC_LOAD_ACQUIRE(&slots_[k].rx.q->remove_idx);
      info_.approximate_stats[k].rx_queued = queued > slots_[k].rx.num_entries ? 0 : queued;
    }
    *verdict = func_(data, len16, &info_, &mask, hash);
  } else if (guide_func_) {
    *verdict = guide_func_(data, len16, num_slaves_, &mask, hash);
  } else {
    *hash = ip_hash(data, caplen);
    mask = 1u << (*hash % num_slaves_);
    *verdict = DNA_CLUSTER_PASS;
  }
  return mask;
}

bool Cluster::deliver(const pfc_desc &d, uint32_t mask) {
  bool finite = finite_[d.if_index >= 0 ? static_cast<uint32_t>(d.if_index) : 0];
  for (uint32_t k = 0; k < num_slaves_; k++) {
    if (!(mask & (1u << k))) continue;
    ZcSlave *s = region_->slave(k);
    if (pfc_dq_enqueue_burst(&slots_[k].rx, &d, 1) == 1) {
      s->offered++;
      s->delivered++;
      mask &= ~(1u << k);
    } else if (!finite) {
      s->offered++;
      s->dropped++;
      pool_.put(d.buf_id);
      mask &= ~(1u << k);
    }
  }
  pending_.active = mask != 0;
  pending_.d = d;
  pending_.mask = mask;
  return mask == 0;
}

bool Cluster::ingress() {
  bool work = false;
  if (pending_.active) {
    if (!deliver(pending_.d, pending_.mask)) return false;  // still waiting for a slave's room
    work = true;
  }
  if (backlog_pos_ < backlog_n_) {
    if (!drain_backlog()) return true;
    work = true;
  }
  ZcHeader *h = region_->hdr();
  if (h->ended.load()) return work;
  uint32_t n_rings = static_cast<uint32_t>(rings_.size());
  uint32_t live = 0;
  for (uint32_t step = 0; step < n_rings; step++) {
    uint32_t i = (next_ring_ + step) % n_rings;
    if (ended_[i]) continue;
    live++;
    if (PoolReceiver *pr = in_place_[i]) {
      // the device wrote the pool buffers: hand them on as they are
      std::string why;
      int rc = pr->recv_pool(backlog_, kBacklog, why);
      if (rc < 0) {
        ended_[i] = 1;
        continue;
      }
      if (rc > 0) work = true;
      backlog_n_ = static_cast<unsigned>(rc);
      backlog_pos_ = 0;
      backlog_ring_ = i;
      rx_packets_ += uint64_t(rc);
      rx_in_place_ += uint64_t(rc);
      if (!drain_backlog()) {
        next_ring_ = i;
        return true;  // a slave's queue is full: wait for it (finite device)
      }
      continue;
    }
    for (int burst = 0; burst < 64; burst++) {
      // no free buffer: a finite device is read later (never dropped from);
      // a live one keeps going and loses what finds no buffer (counted)
      if (finite_[i] && pool_.free_count() == 0) break;
      u_char *p = nullptr;
      pfring_pkthdr ph;
      int rc = pfring_recv(rings_[i], &p, 0, &ph, 0);
      if (rc == 0) break;
      if (rc < 0) {
        ended_[i] = 1;  // end of file, or a device that failed: nothing more from it
        break;
      }
      rx_packets_++;
      work = true;
      pfc_desc d{};
      if (!pool_.take(1, &d.buf_id)) {
        no_buffer_++;
        continue;
      }
      uint32_t caplen = std::min(ph.caplen, pool_.buf_size());
      std::memcpy(pool_.data(d.buf_id), p, caplen);  // the one copy into the pool
      d.len = std::max(ph.len, caplen);
      d.caplen = caplen;
      d.timestamp_ns = ph.extended_hdr.timestamp_ns
                           ? ph.extended_hdr.timestamp_ns
                           : uint64_t(ph.ts.tv_sec) * 1000000000ull + uint64_t(ph.ts.tv_usec) * 1000ull;
      if (!dispatch(d, i)) {
        next_ring_ = i;
        return true;  // a slave's queue is full: wait for it (finite device)
      }
    }
  }
  next_ring_ = n_rings ? (next_ring_ + 1) % n_rings : 0;
  if (live == 0 && !pending_.active && n_rings > 0) {
    // every ring ended: slaves read what is queued, then end of file
    h->ended.store(1);
    for (uint32_t k = 0; k < num_slaves_; k++) PFC_STORE_RELEASE(&slots_[k].rx.q->producer_gone, 1u);
    work = true;
  }
  return work;
}

// Disabled: frames received but not yet in a slave's queue (waiting for
// its room, or in the backlog of a device burst) will not be delivered;
// their buffers go back to the pool. Each slave a waiting frame was for
// counts it as dropped.
void Cluster::drop_in_flight() {
  if (pending_.active) {
    for (uint32_t k = 0; k < num_slaves_; k++)
      if (pending_.mask & (1u << k)) {
        region_->slave(k)->offered++;
        region_->slave(k)->dropped++;
        pool_.put(pending_.d.buf_id);
      }
    pending_.active = false;
    pending_.mask = 0;
  }
  while (backlog_pos_ < backlog_n_) pool_.put(backlog_[backlog_pos_++].buf_id);
}

bool Cluster::drain_backlog() {
  while (backlog_pos_ < backlog_n_) {
    const PoolPacket &p = backlog_[backlog_pos_++];
    pfc_desc d{};
    d.buf_id = p.buf_id;
    d.len = p.len;
    d.caplen = std::min(p.len, rings_[backlog_ring_]->caplen);
    d.timestamp_ns = p.timestamp_ns;
    if (!dispatch(d, backlog_ring_)) return false;  // d waits in pending_
  }
  return true;
}

bool Cluster::dispatch(pfc_desc &d, uint32_t i) {
  d.if_index = static_cast<int32_t>(i);
  int verdict = DNA_CLUSTER_PASS;
  uint32_t hash = 0;
  uint32_t mask = pick(pool_.data(d.buf_id), d.caplen, &hash, &verdict);
  d.pkt_hash = hash;
  if (verdict == DNA_CLUSTER_DROP) {
    func_dropped_++;
    pool_.put(d.buf_id);
    return true;
  }
  if (verdict == DNA_CLUSTER_FRWD && (flags_ & DNA_CLUSTER_DIRECT_FORWARDING)) {
    pfc_desc t = d;
    t.flags = kDescIfMask;
    t.pkt_hash = mask;
    transmit(t);
    pool_.put(d.buf_id);
    return true;
  }
  mask &= num_slaves_ == 32 ? 0xFFFFFFFFu : ((1u << num_slaves_) - 1);
  uint32_t refs = static_cast<uint32_t>(__builtin_popcount(mask));
  if (refs == 0) {
    func_dropped_++;
    pool_.put(d.buf_id);
    return true;
  }
  pool_.add_refs(d.buf_id, refs - 1);
  return deliver(d, mask);
}

}  // namespace pfr::zero
