// slave.cpp - see slave.h.
#include "zero/slave.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "modules/module_util.h"

namespace pfr::zero {

ClusterSlave::~ClusterSlave() {
  if (!slot_) return;
  release_held();
  for (const PktBuff &b : handles_)
    if (b.magic == kPktBuffMagic && b.buf_id != kNoBuffer) give_back(&b.buf_id, 1, kDescRefill);
  if (!stash_.empty()) give_back(stash_.data(), static_cast<uint32_t>(stash_.size()), 0);
  for (PktBuff &b : handles_) b.magic = 0;
  slot_->state.store(kSlaveDetached, std::memory_order_release);  // the master reclaims the rest
}

bool ClusterSlave::open(uint32_t id, int k, uint32_t caplen, int *code, int *errnum, std::string &err) {
  (void)caplen;
  region_ = find_cluster(id, err);
  if (!region_) {
    *code = PF_RING_ERROR_UNKNOWN_ADAPTER;
    *errnum = ENODEV;
    return false;
  }
  const ZcHeader *h = region_->hdr();
  if (k >= 0 && static_cast<uint32_t>(k) >= h->num_slaves) {
    *code = PF_RING_ERROR_INVALID_ARGUMENT;
    *errnum = EINVAL;
    err = "DNA cluster " + std::to_string(id) + " has slaves 0.." + std::to_string(h->num_slaves - 1) + ", not " +
          std::to_string(k);
    return false;
  }
  for (uint32_t s = k >= 0 ? uint32_t(k) : 0; s < h->num_slaves; s++) {
    uint32_t want = kSlaveFree;
    if (region_->slave(s)->state.compare_exchange_strong(want, kSlaveAttached)) {
      k_ = s;
      slot_ = region_->slave(s);
      break;
    }
    if (k >= 0) break;
  }
  if (!slot_) {
    *code = PF_RING_ERROR_INVALID_STATUS;
    *errnum = EBUSY;
    err = k >= 0 ? "slave " + std::to_string(k) + " of DNA cluster " + std::to_string(id) + " is taken (or still "
                       "being given back by the slave before)"
                 : "every slave of DNA cluster " + std::to_string(id) + " is taken";
    return false;
  }
  slot_->pid = static_cast<uint32_t>(getpid());
  pfc_dq_consumer_attach(&rx_, region_->queue(slot_->rx_off), h->queue_bytes[0], h->num_buffers, h->buf_size);
  pfc_dq_producer_attach(&ret_, region_->queue(slot_->ret_off), h->queue_bytes[1]);
  pfc_dq_producer_attach(&tx_, region_->queue(slot_->tx_off), h->queue_bytes[2]);
  pfc_dq_consumer_attach(&refill_, region_->queue(slot_->refill_off), h->queue_bytes[3], h->num_buffers,
                         h->buf_size);
  in_.resize(64);
  held_.reserve(64);
  stash_.reserve(h->additional + 64);
  handles_.resize(h->additional);
  for (uint32_t i = h->additional; i > 0; i--) free_handles_.push_back(i - 1);
  return true;
}

bool ClusterSlave::give_back(const uint32_t *ids, uint32_t n, uint16_t flags) {
  pfc_desc d[64];
  uint32_t done = 0;
  for (int tries = 0; done < n && tries < 20000; tries++) {
    uint32_t m = std::min<uint32_t>(64, n - done);
    for (uint32_t i = 0; i < m; i++) {
      d[i] = pfc_desc{};
      d[i].buf_id = ids[done + i];
      d[i].if_index = -1;
      d[i].flags = flags;
    }
    long put = pfc_dq_enqueue_burst(&ret_, d, m);
    if (put < 0) break;
    done += static_cast<uint32_t>(put);
    if (done < n && !region_->hdr()->enabled.load()) break;  // no master to drain it: do not wait
    if (done < n) sleep_us(50);  // the master drains ret every pass
  }
  given_back_lost_ += n - done;
  return done == n;
}

void ClusterSlave::release_held() {
  if (held_.empty()) return;
  give_back(held_.data(), static_cast<uint32_t>(held_.size()), 0);
  held_.clear();
}

int ClusterSlave::recv_burst(RawPacket *out, unsigned max, int timeout_ms, std::string &err) {
  release_held();
  if (max > in_.size()) max = static_cast<unsigned>(in_.size());
  long n = 0;
  wait_until(timeout_ms, [&] {
    n = pfc_dq_dequeue_burst(&rx_, in_.data(), max);
    return n != 0 || PFC_LOAD_ACQUIRE(&rx_.q->producer_gone);
  });
  if (n < 0) {
    err = "DNA cluster slave " + std::to_string(k_) + ": its queue is damaged";
    return PF_RING_ERROR_CORRUPT_INPUT;
  }
  if (n == 0) {
    if (PFC_LOAD_ACQUIRE(&rx_.q->producer_gone) && pfc_dq_count(&rx_) == 0) return PF_RING_ERROR_END_OF_FILE;
    return 0;
  }
  for (long i = 0; i < n; i++) {
    const pfc_desc &d = in_[i];
    fill_rx_packet(out[i], region_->buffer(d.buf_id), d.caplen, d.len, d.timestamp_ns);
    out[i].hdr.extended_hdr.pkt_hash = d.pkt_hash;
    out[i].hdr.extended_hdr.if_index = d.if_index;
    held_.push_back(d.buf_id);
  }
  slot_->processed.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
  return static_cast<int>(n);
}

int ClusterSlave::poll(int timeout_ms) {
  return wait_until(timeout_ms,
                    [&] { return pfc_dq_count(&rx_) > 0 || PFC_LOAD_ACQUIRE(&rx_.q->producer_gone) != 0; })
             ? 1
             : 0;
}

std::string ClusterSlave::stats_json() const {
  const ZcHeader *h = region_->hdr();
  return "{\"cluster\":" + std::to_string(h->cluster_id) + ",\"slave\":" + std::to_string(k_) +
         ",\"offered\":" + std::to_string(slot_->offered.load()) + ",\"delivered\":" +
         std::to_string(slot_->delivered.load()) + ",\"dropped\":" + std::to_string(slot_->dropped.load()) +
         ",\"processed\":" + std::to_string(slot_->processed.load()) + ",\"sent\":" +
         std::to_string(slot_->sent.load()) + ",\"queued\":" + std::to_string(pfc_dq_count(&rx_)) +
         ",\"own_buffers\":" + std::to_string(stash_.size()) + "}";
}

bool ClusterSlave::take_stash(uint32_t *id) {
  // Empty: the master owes refills (at open, after sends and releases);
  // they come within a pass of its loop, so wait a little for them.
  if (stash_.empty()) {
    pfc_desc d[64];
    wait_until(kRefillWaitMs, [&] {
      long n = pfc_dq_dequeue_burst(&refill_, d, 64);
      for (long i = 0; i < n; i++) stash_.push_back(d[i].buf_id);
      return !stash_.empty() || !region_->hdr()->enabled.load();
    });
  }
  if (stash_.empty()) return false;
  *id = stash_.back();
  stash_.pop_back();
  return true;
}

bool ClusterSlave::tx_room(std::string &err) const {
  if (pfc_dq_free(&tx_) > 0) return true;
  err = "DNA cluster slave " + std::to_string(k_) + ": its TX queue is full";
  return false;
}

void ClusterSlave::put_tx(const pfc_desc &d) {
  pfc_dq_enqueue_burst(&tx_, &d, 1);  // room was checked: one producer, the queue only empties meanwhile
  slot_->sent.fetch_add(1, std::memory_order_relaxed);
}

int ClusterSlave::send(const uint8_t *pkt, unsigned len, bool, int if_index, std::string &err) {
  const ZcHeader *h = region_->hdr();
  if (len == 0 || len > h->buf_size) {
    err = "packet of " + std::to_string(len) + " bytes: this cluster's buffers hold 1.." + std::to_string(h->buf_size);
    return PF_RING_ERROR_INVALID_ARGUMENT;
  }
  if (!tx_room(err)) return PF_RING_ERROR_NO_TX_SLOT_AVAILABLE;
  pfc_desc d{};
  if (!take_stash(&d.buf_id)) {
    err = "DNA cluster slave " + std::to_string(k_) + ": no own buffer free to send from (" +
          std::to_string(h->additional) + " per slave; sent ones come back once the master has sent them)";
    return PF_RING_ERROR_NO_TX_SLOT_AVAILABLE;
  }
  std::memcpy(region_->buffer(d.buf_id), pkt, len);
  d.len = d.caplen = len;
  d.if_index = if_index;
  d.flags = PFC_DESC_F_TX | kDescRefill;
  put_tx(d);
  return static_cast<int>(len);
}

PktBuff *ClusterSlave::check(void *handle) const {
  if (!handle || handles_.empty()) return nullptr;
  auto *b = static_cast<PktBuff *>(handle);
  if (b < handles_.data() || b >= handles_.data() + handles_.size()) return nullptr;
  if ((reinterpret_cast<uintptr_t>(b) - reinterpret_cast<uintptr_t>(handles_.data())) % sizeof(PktBuff)) return nullptr;
  return b->magic == kPktBuffMagic ? b : nullptr;
}

PktBuff *ClusterSlave::alloc_buff(std::string &err) {
  if (free_handles_.empty()) {
    err = "every one of this slave's " + std::to_string(handles_.size()) +
          " packet buffers is allocated (dna_cluster_low_level_settings sets how many)";
    return nullptr;
  }
  uint32_t id;
  if (!take_stash(&id)) {
    err = "no free buffer for this slave now (the master refills it as buffers come back)";
    return nullptr;
  }
  PktBuff &b = handles_[free_handles_.back()];
  free_handles_.pop_back();
  std::memset(&b, 0, sizeof(b));
  b.magic = kPktBuffMagic;
  b.buf_id = id;
  b.in_if = -1;
  return &b;
}

int ClusterSlave::release_buff(PktBuff *b, std::string &err) {
  (void)err;
  if (b->buf_id != kNoBuffer) give_back(&b->buf_id, 1, kDescRefill);
  b->magic = 0;
  free_handles_.push_back(static_cast<uint32_t>(b - handles_.data()));
  return 0;
}

int ClusterSlave::adopt_into(PktBuff *b, const uint8_t *data, const pfring_pkthdr &hdr, std::string &err) {
  const ZcHeader *h = region_->hdr();
  uint8_t *first = region_->buffer(0);
  if (data < first || data >= first + uint64_t(h->num_buffers) * h->buf_size) {
    err = "the packet is not in this cluster's pool";
    return PF_RING_ERROR_INVALID_ARGUMENT;
  }
  uint32_t id = static_cast<uint32_t>((data - first) / h->buf_size);
  for (size_t i = 0; i < held_.size(); i++) {
    if (held_[i] != id) continue;
    held_[i] = held_.back();
    held_.pop_back();
    // the handle's own buffer goes back: it holds the received one instead
    if (b->buf_id != kNoBuffer) give_back(&b->buf_id, 1, 0);
    b->buf_id = id;
    b->len = hdr.caplen;
    b->in_if = hdr.extended_hdr.if_index;
    b->egress_mask = 0;
    b->hdr = hdr;
    return 0;
  }
  err = "the packet is no longer held by this slave";
  return PF_RING_ERROR_INVALID_STATUS;
}

int ClusterSlave::send_buff(PktBuff *b, std::string &err) {
  if (b->buf_id == kNoBuffer) {
    err = "the handle holds no packet (it was sent; receive or allocate into it again)";
    return PF_RING_ERROR_INVALID_ARGUMENT;
  }
  if (!tx_room(err)) return PF_RING_ERROR_NO_TX_SLOT_AVAILABLE;
  pfc_desc d{};
  d.buf_id = b->buf_id;
  d.len = d.caplen = b->len;
  d.flags = PFC_DESC_F_TX | kDescRefill;
  if (b->egress_mask) {
    d.flags |= kDescIfMask;
    d.pkt_hash = b->egress_mask;
  } else {
    d.if_index = b->in_if;  // back out of the ring it came in on (-1: the first)
  }
  put_tx(d);
  int len = static_cast<int>(b->len);
  // "resets the handle": a fresh own buffer, or none until the next receive
  uint32_t id;
  b->buf_id = take_stash(&id) ? id : kNoBuffer;
  b->len = 0;
  b->egress_mask = 0;
  b->in_if = -1;
  return len;
}

uint8_t *ClusterSlave::buff_data(PktBuff *b) {
  if (b->buf_id == kNoBuffer) {
    uint32_t id;
    if (!take_stash(&id)) return nullptr;
    b->buf_id = id;
  }
  return region_->buffer(b->buf_id);
}

}  // namespace pfr::zero
