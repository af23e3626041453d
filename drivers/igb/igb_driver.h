// igb_driver.h - the DNA poll-mode driver for the Intel 82576 (igb),
// written against drivers/dna_hw.h alone: it runs unchanged on the
// register model in sim/ (sim/igb_model.h) and, through VFIO, on a real
// or QEMU-emulated 82576.
//
// Receive is zero copy: rx_burst hands out pointers into the NIC's
// receive buffers, which stay the caller's until rx_release gives them
// back to the NIC (one tail write for the whole burst). Transmit copies
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
  // Turns receive queue q on or off in the NIC (RXDCTL.ENABLE): frames RSS
  // sends to a queue that is off are not received. Its ring stays set up.
  void set_queue_enabled(uint32_t q, bool on);
  // Sends n frames (each at most 16383 bytes) from TX queue 0; returns how
  // many were queued (fewer when the ring is full).
  uint32_t tx_burst(const uint8_t *const *frames, const uint32_t *lens, uint32_t n);
  // Frames sent so far whose descriptors the NIC has not written back yet.
  uint32_t tx_pending() const { return tx_used_; }

  DeviceStats read_stats();  // folds the read-to-clear registers into the totals
  bool link_up();
  void mac(uint8_t out[6]);
  const DriverConfig &config() const { return cfg_; }

 private:
  struct RxQueue {
    dna::DmaRegion ring{}, bufs{};
    uint32_t next = 0;        // next descriptor to look at
    uint32_t outstanding = 0; // descriptors the NIC owns (posted, not cleaned)
    uint32_t held = 0;        // descriptors of the last burst, not yet released
  };
  Driver(dna::HwAccess &hw, const DriverConfig &cfg) : hw_(hw), cfg_(cfg) {}
  bool reset(std::string &err);
  bool init_rx(std::string &err);
  bool init_tx(std::string &err);
  void arm(uint32_t q, uint32_t index);
  void clean_tx();

  dna::HwAccess &hw_;
  DriverConfig cfg_;
  std::vector<RxQueue> rx_;
  dna::DmaRegion tx_ring_{}, tx_bufs_{};
  uint32_t tx_tail_ = 0, tx_clean_ = 0, tx_used_ = 0;
  DeviceStats stats_;
};

}  // namespace igb
