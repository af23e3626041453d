// igb_model.h - a register-level model of the Intel 82576's receive and
// transmit data path (DESIGN.md decision 7), behind the same accessor
// interface (drivers/dna_hw.h) a VFIO-mapped 82576 is reached through, so
// the igb DNA driver runs unchanged on it.
//
// What it models:
//  - reset (CTRL.RST clears the registers and itself), link up with
//    CTRL.SLU (STATUS.LU, full duplex, 1000 Mb/s), MAC address in RAL0/RAH0
//    (the model's own at reset), interrupt masks (accepted, never raised);
//  - receive: RCTL.EN, UPE/MPE/BAM (promiscuous or the frame's
//    destination is ours, broadcast, multicast with MPE), SECRC (without
//    it the 4-byte FCS is written after the frame, as QEMU's model does),
//    16 queues with RDBAL/RDBAH/RDLEN/RDH/RDT/SRRCTL/RXDCTL, advanced
//    one-buffer descriptors only (a queue set to another type receives
//    nothing), buffer size from SRRCTL.BSIZEPKT, frames larger than one
//    buffer spread over several descriptors (EOP on the last);
//  - RSS: with MRQC's enable field = RSS (2) and RXCSUM.PCSD (both needed,
//    as on QEMU's model) the Toeplitz hash over the MRQC-enabled types,
//    keyed by RSSRK and mapped by the 128-entry RETA (entries 4 bits), the
//    hash and RSS type written back; otherwise every frame to queue 0. A
//    queue other than 0 receives only with RXDCTL.ENABLE set;
//  - the DMA engine writes a descriptor's fields, then its status with DD
//    last (a release store); a descriptor is fetched only between RDH and
//    RDT, RDH never passes RDT;
//  - a frame whose queue has no descriptor (RDH == RDT) waits for one, or
//    with wait_when_full off is dropped: MPC, RNBC and the queue's RQDPC
//    count it; every counter is read to clear (GPRC, GORCL/H, TPR, GPTC,
//    GOTCL/H, TPT, MPC, RNBC, RQDPC);
//  - transmit: TCTL.EN, one queue per TDBAL/TDH/TDT set, advanced data
//    descriptors (legacy ones are skipped unsent and counted), frames
//    gathered across descriptors up to EOP, DD written back with RS; the
//    frame goes to a sink callback (a wire, a capture writer);
//  - bus addresses: the model hands out DMA memory itself (dma_alloc) and
//    maps every address a descriptor names back into it (or into memory
//    the caller mapped with dma_map), bounds checked; a
//    descriptor pointing elsewhere is not written through (counted as
//    dma_errors, the frame dropped), as an IOMMU would refuse it.
// Not modelled: interrupts, VLAN filtering and stripping, checksum
// offloads, header split, timestamps (the 82576 has no per-packet receive
// timestamp in the descriptor), SR-IOV, flow control.
//
// Frames come from a source the owner attaches (attach_source): poll() -
// the driver calls it once per burst (dna_hw.h) - runs the transmit side,
// then receives frames from the source while their queue has a free
// descriptor; it stops at the first frame whose enabled queue is full and
// offers it again at the next poll (the peer waits: nothing is lost to a
// reader that keeps up). Frames for a queue that cannot receive (RX off,
// queue not enabled, not ours) are dropped and counted. Callers serialise
// access (one mutex for all queues' drivers; the owner's).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dna_hw.h"
#include "igb_regs.h"
extern "C" {
#include "rss.h"
}

namespace sim {

struct IgbModelConfig {
  uint32_t rx_queues = igb::kMaxQueues;  // queues that exist, 1..16
  std::array<uint8_t, 6> mac{{0x02, 0x00, 0x00, 0x82, 0x57, 0x60}};
  size_t dma_limit = size_t(1) << 30;  // bytes dma_alloc may hand out in all
  // A frame whose queue has no free descriptor: true, the peer waits for
  // the reader (as with flow control: nothing is lost); false, it is
  // dropped and counted (MPC, RNBC, RQDPC), as with flow control off.
  bool wait_when_full = true;
};

// A frame the source offers: caplen bytes known of len on the wire.
struct IgbFrame {
  const uint8_t *data = nullptr;
  uint32_t caplen = 0;
  uint32_t len = 0;
};

struct IgbModelStats {
  uint64_t received = 0;      // written to descriptors (all queues)
  uint64_t no_descriptor = 0; // dropped: queue had no free descriptor
  uint64_t not_for_us = 0;    // dropped: RX off, address filter, queue disabled or absent
  uint64_t dma_errors = 0;    // a descriptor named memory outside the DMA regions
  uint64_t transmitted = 0;
  uint64_t tx_skipped = 0;    // TX descriptors of a type the model does not send
  uint64_t resets = 0;
  uint64_t into_mapped = 0;   // frames written into dma_map'ed memory (the caller's buffers)
};

class IgbModel : public dna::HwAccess {
 public:
  // next(frame) gives the next frame and returns true, or false at the end.
  using Source = std::function<bool(IgbFrame *frame)>;
  using TxSink = std::function<void(const uint8_t *frame, uint32_t len)>;

  // nullptr with *err when cfg is not usable.
  static std::unique_ptr<IgbModel> create(const IgbModelConfig &cfg, std::string *err);
  ~IgbModel() override;

  // dna::HwAccess
  uint32_t read32(uint32_t off) override;
  void write32(uint32_t off, uint32_t value) override;
  bool dma_alloc(size_t len, size_t align, dna::DmaRegion *out, std::string &err) override;
  void dma_free(dna::DmaRegion *r) override;
  bool dma_map(uint8_t *virt, size_t len, dna::DmaRegion *out, std::string &err) override;
  void dma_unmap(dna::DmaRegion *r) override;
  dna::PciIdentity identity() const override;
  void delay_us(uint32_t) override {}
  void poll() override;

  void attach_source(Source src) { source_ = std::move(src); }
  void set_tx_sink(TxSink sink) { tx_sink_ = std::move(sink); }
  // The source has ended and every frame it gave was received or dropped.
  bool source_done() const { return source_done_ && !pending_; }
  // Offers one frame now (what poll() does per frame). Returns 1 when it
  // was written to descriptors, 0 when dropped, -1 when its queue is full
  // and wait_when_full asks the caller to offer it again later.
  int receive(const IgbFrame &f);
  const IgbModelStats &stats() const { return stats_; }
  // Host memory behind bus addresses [bus, bus + len) of one DMA region,
  // or nullptr (what the DMA engine uses; tests and fuzzers write
  // descriptors through it as the device would).
  uint8_t *host_address(uint64_t bus, size_t len) { return map(bus, len); }

 private:
  struct Region {
    uint8_t *mem;
    uint64_t bus;
    size_t len;
    bool owned;  // dma_alloc'ed (freed here); else dma_map'ed (the caller's)
  };
  explicit IgbModel(const IgbModelConfig &cfg);
  void reset();
  // Host pointer for [bus, bus + len) inside one DMA region, or nullptr.
  uint8_t *map(uint64_t bus, size_t len, bool *owned = nullptr);
  uint64_t place(size_t len, size_t align);  // the next bus range
  bool accepts(const uint8_t *frame, uint32_t caplen) const;
  uint32_t steer(const uint8_t *frame, uint32_t caplen, uint32_t *hash, uint32_t *rss_type);
  bool queue_can_receive(uint32_t q) const;
  void run_tx();
  uint32_t reg(uint32_t off) const;
  void add64(uint32_t low_off, uint64_t v);

  IgbModelConfig cfg_;
  std::vector<uint32_t> regs_;  // BAR0 as 32-bit words (128 KiB)
  std::vector<Region> regions_;
  size_t dma_used_ = 0;
  uint64_t next_bus_ = 0x10000000;
  // RSS as programmed: Toeplitz table of RSSRK, RETA entries; rebuilt
  // after a write to either (or MRQC) before the next frame.
  std::unique_ptr<pfc_rss_table> rss_table_{new pfc_rss_table};
  uint8_t reta_[PFC_RSS_RETA_SIZE] = {};
  bool rss_dirty_ = true;
  std::vector<uint8_t> frame_buf_;  // a frame with its FCS appended (SECRC off)
  Source source_;
  TxSink tx_sink_;
  IgbFrame pending_frame_{};
  bool pending_ = false, source_done_ = false;
  std::vector<uint8_t> tx_buf_;
  IgbModelStats stats_;
};

}  // namespace sim
