// igb_driver.h - the DNA poll-mode driver for the Intel 82576 (igb),
// written against drivers/dna_hw.h alone: it runs unchanged on the
// register model in sim/ (sim/igb_model.h) and, through VFIO, on a real
// or QEMU-emulated 82576.
//
// Receive is zero copy: rx_burst hands out pointers into the NIC's
// receive buffers, which stay the caller's until rx_release gives them
// back to the NIC (one tail write for the whole burst); or, on a queue set
// to caller buffers, into buffers the caller posted (a libzero pool's),
// which the caller keeps. Transmit copies
// each frame into a TX buffer of the descriptor it takes (one tail write
// per burst). No interrupts: the caller polls. Not thread-safe; one thread
// per queue, the device's caller serialises access to shared registers.
//
// Return conventions: open() gives a driver or nullptr with err; rx_burst
// and tx_burst the number of packets (0 when none); the rest void.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dna_hw.h"

namespace igb {

struct DriverConfig {
  uint32_t rx_queues = 1;     // 1..16 (RSS spreads over them when > 1)
  uint32_t rx_ring = 512;     // descriptors per RX queue: 8..4096, a multiple of 8
  uint32_t tx_ring = 512;     // descriptors of the TX queue: 8..4096, a multiple of 8
  uint32_t buf_size = 2048;   // bytes per RX buffer: 1024..16384, a multiple of 1024
  bool promisc = true;        // every unicast and multicast frame, not only ours
  const uint8_t *rss_key = nullptr;  // 40 bytes; nullptr: the Microsoft default key
};

struct RxPacket {
  uint8_t *data;      // in the NIC's buffer; valid until rx_release(queue)
  uint32_t len;       // bytes (CRC stripped)
  uint32_t rss_hash;  // the NIC's Toeplitz hash (0 when none applied)
  uint32_t buf_id;    // on a queue with caller buffers: the id the buffer was posted with
};

// A receive buffer the caller owns (a libzero pool buffer), for a queue
// set to caller buffers: where the CPU reads it, where the device writes
// it (inside a dna_map'ed range), and the caller's name for it.
struct RxBuf {
  uint8_t *virt;
  uint64_t bus;
  uint32_t id;
};

// Totals of the read-to-clear counters since open().
struct DeviceStats {
  uint64_t rx_packets = 0, rx_bytes = 0;   // GPRC, GORC
  uint64_t tx_packets = 0, tx_bytes = 0;   // GPTC, GOTC
  uint64_t missed = 0;                     // MPC
  uint64_t no_buffer = 0;                  // RNBC
  uint64_t queue_drops[16] = {};           // RQDPC(q)
  // Seen by the driver: descriptors it would not hand out.
  uint64_t rx_errors = 0;    // error bits set, a length of 0 or beyond the buffer
  uint64_t rx_chained = 0;   // frames spread over several descriptors (dropped)
};

class Driver {
 public:
  static std::unique_ptr<Driver> open(dna::HwAccess &hw, const DriverConfig &cfg, std::string &err);
  ~Driver();  // stops receive and transmit, releases the DMA memory
  Driver(const Driver &) = delete;
  Driver &operator=(const Driver &) = delete;

  // Up to max packets received on queue q (< rx_queues), oldest first.
  // The queue's previous burst must have been released.
  uint32_t rx_burst(uint32_t q, RxPacket *out, uint32_t max);
  // Gives the buffers of queue q's last burst back to the NIC.
  void rx_release(uint32_t q);
  // Caller buffers (DESIGN.md decision 6): queue q stops using the
  // driver's own buffers and receives into buffers the caller posts
  // (rx_post), each at least buf_size bytes (1024..16384, a multiple of
  // 1024: SRRCTL.BSIZEPKT), dma_map'ed by the caller. Then rx_burst hands
  // each packet's buffer over to the caller (buf_id names it; no
  // rx_release), and buffers of frames it does not hand out (errors,
  // frames spread over several buffers) are posted again by the driver.
  // Only before the queue received anything: false with err otherwise.
  bool rx_use_caller_buffers(uint32_t q, uint32_t buf_size, std::string &err);
  // Posts up to n caller buffers to queue q's free descriptors, one tail
  // write; returns how many were posted (0 on a queue without caller
  // buffers, or with no free descriptor).
  uint32_t rx_post(uint32_t q, const RxBuf *bufs, uint32_t n);
  // Queue q receives into caller buffers.
  bool rx_caller(uint32_t q) const { return q < rx_.size() && rx_[q].caller; }
  // Descriptors of queue q free for rx_post.
  uint32_t rx_free(uint32_t q) const;
  // Stops queue q (RXDCTL.ENABLE off) and gives back every caller buffer
  // it holds, their ids written to ids (room for the ring's size); frames
  // received and not yet read are lost with them. Returns the count. The
  // queue stays on caller buffers: rx_post and set_queue_enabled start it
  // again. 0 on a queue without caller buffers.
  uint32_t rx_reclaim(uint32_t q, uint32_t *ids);
  // Turns receive queue q on or off in the NIC (RXDCTL.ENABLE): frames RSS
  // sends to a queue that is off are not received. Its ring stays set up.
  void set_queue_enabled(uint32_t q, bool on);
  // Sends n frames (each at most 16383 bytes) from TX queue 0; returns how
  // many were queued (fewer when the ring is full). Each frame is copied
  // into the TX buffers of one descriptor per 2 KiB of it.
  uint32_t tx_burst(const uint8_t *const *frames, const uint32_t *lens, uint32_t n);
  // Descriptors of frames sent whose write-back the NIC has not done yet.
  uint32_t tx_pending() const { return tx_used_; }

  DeviceStats read_stats();  // folds the read-to-clear registers into the totals
  bool link_up();
  void mac(uint8_t out[6]);
  const DriverConfig &config() const { return cfg_; }

 private:
  struct RxQueue {
    dna::DmaRegion ring{}, bufs{};
    std::vector<RxBuf> slots;   // the buffer of each descriptor
    std::vector<RxBuf> recycle; // caller buffers: of frames not handed out, to post again
    uint32_t buf_size = 0;
    bool caller = false;        // receives into caller buffers
    uint32_t next = 0;        // next descriptor to look at
    uint32_t outstanding = 0; // descriptors the NIC owns (posted, not cleaned)
    uint32_t held = 0;        // descriptors of the last burst, not yet released
  };
  Driver(dna::HwAccess &hw, const DriverConfig &cfg) : hw_(hw), cfg_(cfg) {}
  bool reset(std::string &err);
  bool init_rx(std::string &err);
  bool init_tx(std::string &err);
  void arm(uint32_t q, uint32_t index);
  bool stop_queue(uint32_t q);
  void clean_tx();

  dna::HwAccess &hw_;
  DriverConfig cfg_;
  std::vector<RxQueue> rx_;
  dna::DmaRegion tx_ring_{}, tx_bufs_{};
  uint32_t tx_tail_ = 0, tx_clean_ = 0, tx_used_ = 0;
  DeviceStats stats_;
};

}  // namespace igb
