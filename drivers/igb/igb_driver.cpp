// igb_driver.cpp - see igb_driver.h. Each step of bring-up follows the
// 82576 datasheet's "Initialization Sequence" (chapter "Initialization"),
// named at the step; registers and bits are igb_regs.h's.
#include "igb_driver.h"

#include <algorithm>
#include <cstring>

#include "igb_regs.h"

extern "C" {
#include "rss.h"
}

namespace igb {

namespace {

constexpr uint32_t kResetPollUs = 1000;
constexpr uint32_t kResetPolls = 100;     // 100 ms for CTRL.RST to clear
constexpr uint32_t kEnablePolls = 100;    // 100 ms for RXDCTL/TXDCTL.ENABLE to read back
constexpr uint32_t kLinkPolls = 100;      // 1 s for STATUS.LU, in 10 ms steps
constexpr uint32_t kMaxTxFrame = 16383;
constexpr uint32_t kTxBuf = 2048;  // per TX descriptor: a longer frame takes several

bool ring_size_ok(uint32_t n) { return n >= 8 && n <= 4096 && n % 8 == 0; }

uint32_t lo32(uint64_t v) { return uint32_t(v); }
uint32_t hi32(uint64_t v) { return uint32_t(v >> 32); }

}  // namespace

std::unique_ptr<Driver> Driver::open(dna::HwAccess &hw, const DriverConfig &cfg, std::string &err) {
  dna::PciIdentity id = hw.identity();
  if (id.vendor != kVendorIntel || id.device != kDevice82576) {
    err = "not an Intel 82576 (PCI " + std::to_string(id.vendor) + ":" + std::to_string(id.device) + ")";
    return nullptr;
  }
  if (cfg.rx_queues < 1 || cfg.rx_queues > kMaxQueues) {
    err = "the 82576 has 1 to 16 receive queues";
    return nullptr;
  }
  if (!ring_size_ok(cfg.rx_ring) || !ring_size_ok(cfg.tx_ring)) {
    err = "ring sizes are 8 to 4096 descriptors, a multiple of 8";
    return nullptr;
  }
  if (cfg.buf_size < 1024 || cfg.buf_size > 16384 || cfg.buf_size % 1024) {
    err = "receive buffers are 1024 to 16384 bytes, a multiple of 1024 (SRRCTL.BSIZEPKT)";
    return nullptr;
  }
  std::unique_ptr<Driver> d(new Driver(hw, cfg));
  if (!d->reset(err) || !d->init_rx(err) || !d->init_tx(err)) return nullptr;
  return d;
}

// "Initialization Sequence": interrupts off, global reset, interrupts off
// again (the reset turns nothing on, but the datasheet asks for it), the
// driver-loaded bit, then the link.
bool Driver::reset(std::string &err) {
  hw_.write32(IMC, 0xFFFFFFFFu);
  hw_.write32(EIMC, 0xFFFFFFFFu);
  hw_.write32(CTRL, hw_.read32(CTRL) | CTRL_RST);
  uint32_t i = 0;
  for (; i < kResetPolls; i++) {
    hw_.delay_us(kResetPollUs);
    if (!(hw_.read32(CTRL) & CTRL_RST)) break;
  }
  if (i == kResetPolls) {
    err = "the 82576 did not come out of reset (CTRL.RST stayed set)";
    return false;
  }
  hw_.write32(IMC, 0xFFFFFFFFu);
  hw_.write32(EIMC, 0xFFFFFFFFu);
  (void)hw_.read32(ICR);  // clears pending causes
  dna::set_bits(hw_, CTRL_EXT, CTRL_EXT_DRV_LOAD);
  // "Link Setup": copper, auto-negotiated by the PHY; set link up.
  dna::set_bits(hw_, CTRL, CTRL_SLU | CTRL_FD);
  for (i = 0; i < kLinkPolls && !(hw_.read32(STATUS) & STATUS_LU); i++) hw_.delay_us(10000);
  // No link yet is not an error: frames flow once it comes up.
  return true;
}

void Driver::arm(uint32_t q, uint32_t index) {
  RxQueue &r = rx_[q];
  auto *d = reinterpret_cast<AdvRxDesc *>(r.ring.virt) + index;
  d->read.pkt_addr = r.slots[index].bus;
  d->read.hdr_addr = 0;  // also clears the write-back's status (DD)
}

// "Receive Initialization": receive off while the queues are set up; per
// queue the ring (RDBAL/RDBAH/RDLEN), the advanced one-buffer descriptor
// type with DROP_EN (SRRCTL), head and tail, RXDCTL.ENABLE read back
// before the tail is written; RSS (RSSRK, RETA, MRQC with RXCSUM.PCSD, as
// "Receive-Side Scaling" requires) when several queues; then RCTL with the
// CRC stripped (SECRC) and receive on.
bool Driver::init_rx(std::string &err) {
  hw_.write32(RCTL, 0);
  rx_.resize(cfg_.rx_queues);
  for (uint32_t q = 0; q < cfg_.rx_queues; q++) {
    RxQueue &r = rx_[q];
    if (!hw_.dma_alloc(size_t(cfg_.rx_ring) * sizeof(AdvRxDesc), 128, &r.ring, err) ||
        !hw_.dma_alloc(size_t(cfg_.rx_ring) * cfg_.buf_size, 4096, &r.bufs, err))
      return false;
    r.buf_size = cfg_.buf_size;
    r.slots.resize(cfg_.rx_ring);
    r.recycle.reserve(cfg_.rx_ring);
    for (uint32_t i = 0; i < cfg_.rx_ring; i++) {
      size_t off = size_t(i) * cfg_.buf_size;
      r.slots[i] = RxBuf{r.bufs.virt + off, r.bufs.bus + off, i};
      arm(q, i);
    }
    hw_.write32(RDBAL(q), lo32(r.ring.bus));
    hw_.write32(RDBAH(q), hi32(r.ring.bus));
    hw_.write32(RDLEN(q), cfg_.rx_ring * uint32_t(sizeof(AdvRxDesc)));
    hw_.write32(SRRCTL(q), (cfg_.buf_size / 1024) | SRRCTL_DESCTYPE_ADV_ONEBUF | SRRCTL_DROP_EN);
    hw_.write32(RDH(q), 0);
    hw_.write32(RDT(q), 0);
    dna::set_bits(hw_, RXDCTL(q), RXDCTL_ENABLE);
    uint32_t i = 0;
    for (; i < kEnablePolls && !(hw_.read32(RXDCTL(q)) & RXDCTL_ENABLE); i++) hw_.delay_us(1000);
    if (i == kEnablePolls) {
      err = "receive queue " + std::to_string(q) + " did not enable (RXDCTL.ENABLE)";
      return false;
    }
    // every descriptor but one to the NIC (head == tail means empty)
    r.outstanding = cfg_.rx_ring - 1;
    dna::doorbell_barrier();
    hw_.write32(RDT(q), cfg_.rx_ring - 1);
  }
  if (cfg_.rx_queues > 1) {
    const uint8_t *key = cfg_.rss_key ? cfg_.rss_key : pfc_rss_default_key;
    for (uint32_t i = 0; i < RSSRK_REGS; i++)
      hw_.write32(RSSRK_BASE + 4 * i, uint32_t(key[4 * i]) | uint32_t(key[4 * i + 1]) << 8 |
                                          uint32_t(key[4 * i + 2]) << 16 | uint32_t(key[4 * i + 3]) << 24);
    for (uint32_t i = 0; i < RETA_REGS; i++) {
      uint32_t w = 0;
      for (uint32_t b = 0; b < 4; b++) w |= ((4 * i + b) % cfg_.rx_queues) << (8 * b);
      hw_.write32(RETA_BASE + 4 * i, w);
    }
    hw_.write32(MRQC, MRQC_ENABLE_RSS | MRQC_RSS_IPV4 | MRQC_RSS_IPV4_TCP | MRQC_RSS_IPV4_UDP | MRQC_RSS_IPV6 |
                          MRQC_RSS_IPV6_TCP | MRQC_RSS_IPV6_UDP);
    dna::set_bits(hw_, RXCSUM, RXCSUM_PCSD);
  } else {
    hw_.write32(MRQC, 0);
  }
  uint32_t rctl = RCTL_EN | RCTL_BAM | RCTL_SECRC;
  if (cfg_.promisc) rctl |= RCTL_UPE | RCTL_MPE;
  if (cfg_.buf_size > 2048) rctl |= RCTL_LPE;
  hw_.write32(RCTL, rctl);
  return true;
}

// "Transmit Initialization": the ring (TDBAL/TDBAH/TDLEN), head and tail
// 0, TXDCTL.ENABLE, then TCTL with padding of short frames and transmit on.
bool Driver::init_tx(std::string &err) {
  if (!hw_.dma_alloc(size_t(cfg_.tx_ring) * sizeof(AdvTxDesc), 128, &tx_ring_, err) ||
      !hw_.dma_alloc(size_t(cfg_.tx_ring) * kTxBuf, 4096, &tx_bufs_, err))
    return false;
  hw_.write32(TDBAL(0), lo32(tx_ring_.bus));
  hw_.write32(TDBAH(0), hi32(tx_ring_.bus));
  hw_.write32(TDLEN(0), cfg_.tx_ring * uint32_t(sizeof(AdvTxDesc)));
  hw_.write32(TDH(0), 0);
  hw_.write32(TDT(0), 0);
  dna::set_bits(hw_, TXDCTL(0), TXDCTL_ENABLE);
  hw_.write32(TCTL, TCTL_EN | TCTL_PSP);
  return true;
}

Driver::~Driver() {
  hw_.write32(RCTL, 0);
  hw_.write32(TCTL, 0);
  for (uint32_t q = 0; q < rx_.size(); q++) dna::clear_bits(hw_, RXDCTL(q), RXDCTL_ENABLE);
  dna::clear_bits(hw_, CTRL_EXT, CTRL_EXT_DRV_LOAD);
  for (RxQueue &r : rx_) {
    hw_.dma_free(&r.ring);
    hw_.dma_free(&r.bufs);
  }
  hw_.dma_free(&tx_ring_);
  hw_.dma_free(&tx_bufs_);
}

uint32_t Driver::rx_burst(uint32_t q, RxPacket *out, uint32_t max) {
  if (q >= rx_.size() || !out) return 0;
  RxQueue &r = rx_[q];
  if (r.held) rx_release(q);
  hw_.poll();
  auto *ring = reinterpret_cast<AdvRxDesc *>(r.ring.virt);
  uint32_t n = 0;
  bool in_chain = false;
  // Only descriptors the NIC owns are looked at: DD on any other one (one
  // never posted, or already cleaned) is not trusted.
  while (n < max && r.outstanding > 0) {
    AdvRxDesc &d = ring[r.next];
    uint32_t status = __atomic_load_n(&d.wb.status_error, __ATOMIC_ACQUIRE);
    if (!(status & RXD_STAT_DD)) break;
    uint32_t len = d.wb.length, hash = d.wb.rss_hash;
    const RxBuf &buf = r.slots[r.next];  // ours, not the write-back's
    r.next = (r.next + 1) % cfg_.rx_ring;
    r.outstanding--;
    bool take = false;
    if (!(status & RXD_STAT_EOP)) {  // part of a frame larger than a buffer
      if (!in_chain) stats_.rx_chained++;
      in_chain = true;
    } else if (in_chain) {  // the chain's last part
      in_chain = false;
    } else if ((status & RXD_ERR_MASK) || len == 0 || len > r.buf_size) {
      stats_.rx_errors++;
    } else {
      take = true;
      out[n++] = RxPacket{buf.virt, len, hash, buf.id};
    }
    if (!r.caller) r.held++;              // every descriptor goes back at rx_release
    else if (!take) r.recycle.push_back(buf);  // the caller never saw it: posted again below
  }
  if (!r.recycle.empty()) {
    uint32_t k = rx_post(q, r.recycle.data(), uint32_t(r.recycle.size()));
    r.recycle.erase(r.recycle.begin(), r.recycle.begin() + k);  // k == size: each came off a descriptor
  }
  return n;
}

void Driver::rx_release(uint32_t q) {
  if (q >= rx_.size()) return;
  RxQueue &r = rx_[q];
  if (!r.held) return;
  // The NIC owns [next, next + outstanding) and RDT is its end. The held
  // descriptors are the `held` ones before next; as many descriptors from
  // RDT on (the one kept empty, then the oldest held) are re-armed, each
  // with its own buffer, and RDT moves past them: the newest held one
  // becomes the descriptor kept empty.
  uint32_t tail = (r.next + r.outstanding) % cfg_.rx_ring;
  for (uint32_t i = 0; i < r.held; i++) arm(q, (tail + i) % cfg_.rx_ring);
  tail = (tail + r.held) % cfg_.rx_ring;
  r.outstanding += r.held;
  r.held = 0;
  dna::doorbell_barrier();
  hw_.write32(RDT(q), tail);
}

// "Receive Queue Disable": clear RXDCTL.ENABLE and wait until it reads
// back clear; the queue then fetches and writes no descriptor.
bool Driver::stop_queue(uint32_t q) {
  dna::clear_bits(hw_, RXDCTL(q), RXDCTL_ENABLE);
  for (uint32_t i = 0; i < kEnablePolls; i++) {
    if (!(hw_.read32(RXDCTL(q)) & RXDCTL_ENABLE)) return true;
    hw_.delay_us(1000);
  }
  return false;
}

bool Driver::rx_use_caller_buffers(uint32_t q, uint32_t buf_size, std::string &err) {
  if (q >= rx_.size()) {
    err = "no receive queue " + std::to_string(q);
    return false;
  }
  if (buf_size < 1024 || buf_size > 16384 || buf_size % 1024) {
    err = "caller buffers are 1024 to 16384 bytes, a multiple of 1024 (SRRCTL.BSIZEPKT)";
    return false;
  }
  RxQueue &r = rx_[q];
  if (r.caller) {
    err = "receive queue " + std::to_string(q) + " takes caller buffers already";
    return false;
  }
  auto *ring = reinterpret_cast<AdvRxDesc *>(r.ring.virt);
  if (r.next != 0 || r.held != 0 || (__atomic_load_n(&ring[0].wb.status_error, __ATOMIC_ACQUIRE) & RXD_STAT_DD)) {
    err = "receive queue " + std::to_string(q) + " has received already";
    return false;
  }
  bool was_on = (hw_.read32(RXDCTL(q)) & RXDCTL_ENABLE) != 0;
  if (!stop_queue(q)) {
    err = "receive queue " + std::to_string(q) + " did not stop (RXDCTL.ENABLE)";
    return false;
  }
  // With the queue stopped: empty ring, the new buffer size, our buffers gone.
  hw_.write32(RDH(q), 0);
  hw_.write32(RDT(q), 0);
  hw_.write32(SRRCTL(q), (buf_size / 1024) | SRRCTL_DESCTYPE_ADV_ONEBUF | SRRCTL_DROP_EN);
  if (buf_size > 2048) dna::set_bits(hw_, RCTL, RCTL_LPE);
  hw_.dma_free(&r.bufs);
  std::fill(r.slots.begin(), r.slots.end(), RxBuf{nullptr, 0, 0});
  r.buf_size = buf_size;
  r.caller = true;
  r.outstanding = 0;
  if (was_on) dna::set_bits(hw_, RXDCTL(q), RXDCTL_ENABLE);
  return true;
}

uint32_t Driver::rx_free(uint32_t q) const {
  if (q >= rx_.size() || !rx_[q].caller) return 0;
  return cfg_.rx_ring - 1 - rx_[q].outstanding;  // one descriptor stays empty (head == tail: empty)
}

uint32_t Driver::rx_post(uint32_t q, const RxBuf *bufs, uint32_t n) {
  if (q >= rx_.size() || !bufs) return 0;
  RxQueue &r = rx_[q];
  uint32_t k = std::min(n, rx_free(q));
  if (k == 0) return 0;
  uint32_t tail = (r.next + r.outstanding) % cfg_.rx_ring;
  for (uint32_t i = 0; i < k; i++) {
    r.slots[tail] = bufs[i];
    arm(q, tail);
    tail = (tail + 1) % cfg_.rx_ring;
  }
  r.outstanding += k;
  dna::doorbell_barrier();
  hw_.write32(RDT(q), tail);
  return k;
}

uint32_t Driver::rx_reclaim(uint32_t q, uint32_t *ids) {
  if (q >= rx_.size() || !rx_[q].caller || !ids) return 0;
  RxQueue &r = rx_[q];
  stop_queue(q);  // a model stops at once; a device that does not is past help here
  uint32_t n = 0;
  for (uint32_t i = 0; i < r.outstanding; i++) ids[n++] = r.slots[(r.next + i) % cfg_.rx_ring].id;
  for (const RxBuf &b : r.recycle) ids[n++] = b.id;
  r.recycle.clear();
  r.outstanding = 0;
  r.next = 0;
  hw_.write32(RDH(q), 0);
  hw_.write32(RDT(q), 0);
  return n;
}

void Driver::clean_tx() {
  auto *ring = reinterpret_cast<AdvTxDesc *>(tx_ring_.virt);
  while (tx_used_ > 0 && (__atomic_load_n(&ring[tx_clean_].olinfo_status, __ATOMIC_ACQUIRE) & TXD_STAT_DD)) {
    tx_clean_ = (tx_clean_ + 1) % cfg_.tx_ring;
    tx_used_--;
  }
}

uint32_t Driver::tx_burst(const uint8_t *const *frames, const uint32_t *lens, uint32_t n) {
  if (!frames || !lens) return 0;
  clean_tx();
  auto *ring = reinterpret_cast<AdvTxDesc *>(tx_ring_.virt);
  uint32_t sent = 0;
  // A frame takes one descriptor per 2 KiB of it, EOP on its last; PAYLEN
  // (the whole frame) goes in its first ("Transmit Descriptors").
  for (; sent < n; sent++) {
    uint32_t len = lens[sent];
    if (len == 0 || len > kMaxTxFrame || !frames[sent]) break;
    uint32_t need = (len + kTxBuf - 1) / kTxBuf;
    if (tx_used_ + need > cfg_.tx_ring - 1) break;
    for (uint32_t i = 0, off = 0; i < need; i++) {
      uint32_t chunk = std::min(kTxBuf, len - off);
      std::memcpy(tx_bufs_.virt + size_t(tx_tail_) * kTxBuf, frames[sent] + off, chunk);
      AdvTxDesc &d = ring[tx_tail_];
      d.buffer_addr = tx_bufs_.bus + uint64_t(tx_tail_) * kTxBuf;
      d.cmd_type_len = chunk | TXD_DTYP_DATA | TXD_CMD_DEXT | TXD_CMD_IFCS | TXD_CMD_RS |
                       (i + 1 == need ? TXD_CMD_EOP : 0u);
      d.olinfo_status = i == 0 ? len << TXD_PAYLEN_SHIFT : 0u;
      off += chunk;
      tx_tail_ = (tx_tail_ + 1) % cfg_.tx_ring;
      tx_used_++;
    }
  }
  if (sent) {
    dna::doorbell_barrier();
    hw_.write32(TDT(0), tx_tail_);
    hw_.poll();
  }
  return sent;
}

DeviceStats Driver::read_stats() {
  auto r64 = [&](uint32_t lo, uint32_t hi) {
    uint64_t l = hw_.read32(lo);
    return l | uint64_t(hw_.read32(hi)) << 32;
  };
  stats_.rx_packets += hw_.read32(GPRC);
  stats_.rx_bytes += r64(GORCL, GORCH);
  stats_.tx_packets += hw_.read32(GPTC);
  stats_.tx_bytes += r64(GOTCL, GOTCH);
  stats_.missed += hw_.read32(MPC);
  stats_.no_buffer += hw_.read32(RNBC);
  for (uint32_t q = 0; q < kMaxQueues; q++) stats_.queue_drops[q] += hw_.read32(RQDPC(q));
  return stats_;
}

void Driver::set_queue_enabled(uint32_t q, bool on) {
  if (q >= rx_.size()) return;
  if (on)
    dna::set_bits(hw_, RXDCTL(q), RXDCTL_ENABLE);
  else
    dna::clear_bits(hw_, RXDCTL(q), RXDCTL_ENABLE);
}

bool Driver::link_up() { return (hw_.read32(STATUS) & STATUS_LU) != 0; }

void Driver::mac(uint8_t out[6]) {
  uint32_t ral = hw_.read32(RAL0), rah = hw_.read32(RAH0);
  uint8_t m[6] = {uint8_t(ral), uint8_t(ral >> 8), uint8_t(ral >> 16), uint8_t(ral >> 24), uint8_t(rah),
                  uint8_t(rah >> 8)};
  std::memcpy(out, m, 6);
}

}  // namespace igb
