// zc_layout.h - the one memory region of a DNA cluster (DESIGN.md decision
// 6): the buffer pool, every slave's four descriptor queues and the
// cluster's shared state, addressed by offsets from the region's start
// (never pointers), so that step 2 maps the same region into the slave
// processes unchanged.
//
//   [ZcHeader][ZcSlave x num_slaves][queues][refcounts][buffers]
//
// Per slave, four SPSC descriptor queues (src/core/desc_queue.h):
//   rx      master -> slave   packets for the slave (a buffer reference each)
//   ret     slave  -> master  references given back (read, released, swapped)
//   tx      slave  -> master  buffers to send out of a registered ring
//   refill  master -> slave   free buffers for the slave's own use
//                             (pfring_alloc_pkt_buff, pfring_send copies)
// A descriptor names a buffer by id: address = buffers + id x buf_size.
// At any instant a reference is in exactly one place: the master's free
// list, a queue, or a slave (its held packets, its stash of own buffers,
// a pkt_buff handle). A fanned-out packet has one reference per slave
// (refcount); the buffer is free again when the last comes back.
#pragma once

#include <atomic>
#include <cstdint>

extern "C" {
#include "desc_queue.h"
}

namespace pfr::zero {

constexpr uint32_t kZcMagic = 0x5046435au;  // "PFCZ"
constexpr uint32_t kZcVersion = 1;
constexpr uint32_t kMaxSlaves = 32;
constexpr uint32_t kMaxRings = 32;
constexpr uint32_t kLine = 64;

// Descriptor flags this layer adds to desc_queue.h's.
constexpr uint16_t kDescRefill = 0x100;   // ret/tx: the slave's own buffer left it: refill one
constexpr uint16_t kDescIfMask = 0x200;   // tx: pkt_hash holds a mask of registered rings

// A slave slot's state (ZcSlave::state).
enum SlaveState : uint32_t {
  kSlaveFree = 0,       // nobody; queues empty and ready
  kSlaveAttached = 1,   // a slave uses the queues
  kSlaveDetached = 2,   // the slave left: the master reclaims what it held, then kSlaveFree
};

struct alignas(kLine) ZcHeader {
  uint32_t magic, version;
  uint32_t cluster_id, num_slaves;
  uint32_t buf_size, num_buffers;
  uint32_t rx_len, ret_len, tx_len, refill_len;  // queue entries
  uint32_t additional;                           // own buffers per slave
  uint32_t num_rings;                            // registered rings
  uint64_t slaves_off, queues_off, refcnt_off, buffers_off, total_bytes;
  uint64_t queue_bytes[4];                       // bytes of each queue kind (rx, ret, tx, refill)
  std::atomic<uint32_t> enabled;                 // the master runs
  std::atomic<uint32_t> ended;                   // every registered ring ended (finite devices)
};

struct alignas(kLine) ZcSlave {
  std::atomic<uint32_t> state;
  uint32_t pid;
  uint64_t rx_off, ret_off, tx_off, refill_off;  // from the region's start
  // Counted by the master: offered = delivered + dropped, always.
  std::atomic<uint64_t> offered, delivered, dropped;
  // Counted by the slave.
  std::atomic<uint64_t> processed;  // taken from rx
  std::atomic<uint64_t> sent;       // put on tx
};

// Bytes of a region for the given geometry, and the offsets of its parts.
struct ZcGeometry {
  uint32_t num_slaves, buf_size, num_buffers, rx_len, ret_len, tx_len, refill_len;
  uint64_t slaves_off, queues_off, refcnt_off, buffers_off, total_bytes;
  uint64_t queue_bytes[4];
};

inline uint64_t zc_align(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

inline ZcGeometry zc_geometry(uint32_t num_slaves, uint32_t buf_size, uint32_t num_buffers, uint32_t rx_len,
                              uint32_t ret_len, uint32_t tx_len, uint32_t refill_len) {
  ZcGeometry g{num_slaves, buf_size, num_buffers, rx_len, ret_len, tx_len, refill_len, 0, 0, 0, 0, 0, {}};
  const uint32_t lens[4] = {rx_len, ret_len, tx_len, refill_len};
  for (int k = 0; k < 4; k++) g.queue_bytes[k] = zc_align(pfc_dq_bytes(lens[k]), kLine);
  g.slaves_off = zc_align(sizeof(ZcHeader), kLine);
  g.queues_off = g.slaves_off + uint64_t(num_slaves) * sizeof(ZcSlave);
  uint64_t per_slave = g.queue_bytes[0] + g.queue_bytes[1] + g.queue_bytes[2] + g.queue_bytes[3];
  g.refcnt_off = zc_align(g.queues_off + per_slave * num_slaves, kLine);
  g.buffers_off = zc_align(g.refcnt_off + uint64_t(num_buffers) * sizeof(uint32_t), 4096);
  g.total_bytes = g.buffers_off + uint64_t(num_buffers) * buf_size;
  return g;
}

}  // namespace pfr::zero
