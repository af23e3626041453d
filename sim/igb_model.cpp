// igb_model.cpp - see igb_model.h.
#include "igb_model.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

extern "C" {
#include "parse.h"
#include "rss.h"
}

namespace sim {

namespace {

constexpr size_t kBarBytes = 128 * 1024;
constexpr uint32_t kFcsBytes = 4;
constexpr uint32_t kMaxFrame = 16384;  // with LPE; 1522 without

// The Ethernet FCS: CRC-32 (IEEE 802.3), sent least significant byte first.
uint32_t crc32_ieee(const uint8_t *p, size_t n) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

// MRQC "RSS field enable" bits -> rss.h hash types.
uint32_t rss_types(uint32_t mrqc) {
  uint32_t t = 0;
  if (mrqc & igb::MRQC_RSS_IPV4) t |= PFC_RSS_IPV4;
  if (mrqc & igb::MRQC_RSS_IPV4_TCP) t |= PFC_RSS_IPV4_TCP;
  if (mrqc & igb::MRQC_RSS_IPV4_UDP) t |= PFC_RSS_IPV4_UDP;
  if (mrqc & (igb::MRQC_RSS_IPV6 | igb::MRQC_RSS_IPV6_EX)) t |= PFC_RSS_IPV6;
  if (mrqc & (igb::MRQC_RSS_IPV6_TCP | igb::MRQC_RSS_IPV6_TCP_EX)) t |= PFC_RSS_IPV6_TCP;
  if (mrqc & igb::MRQC_RSS_IPV6_UDP) t |= PFC_RSS_IPV6_UDP;
  return t;
}

// The write-back RSS type of a hash input (its length tells the type).
uint32_t rss_type_of(uint32_t input_len, uint8_t l3_proto) {
  switch (input_len) {
    case PFC_RSS_IPV4_LEN: return 0x2;
    case PFC_RSS_IPV4_L4_LEN: return l3_proto == 6 ? 0x1 : 0x7;
    case PFC_RSS_IPV6_LEN: return 0x5;
    case PFC_RSS_IPV6_L4_LEN: return l3_proto == 6 ? 0x3 : 0x8;
    default: return 0;
  }
}

// What an access to a BAR0 word does beyond storing or loading it: one
// byte per register, looked up by offset (no scan per access).
enum RegKind : uint8_t {
  kPlain = 0,
  kCounter,     // read to clear; writes ignored (the device's)
  kClearOnRead, // ICR, EICR
  kRdh,         // RDH(q): the device's; a driver sets it only while the queue is stopped
  kRdlen,       // RDLEN(q): a multiple of 128
  kRss,         // RSSRK, RETA, MRQC, RXCSUM: the RSS tables are rebuilt
};

std::vector<uint8_t> make_reg_kinds() {
  std::vector<uint8_t> k(kBarBytes / 4, kPlain);
  for (uint32_t off : {igb::CRCERRS, igb::MPC, igb::GPRC, igb::GPTC, igb::GORCL, igb::GORCH, igb::GOTCL, igb::GOTCH,
                       igb::RNBC, igb::TPR, igb::TPT})
    k[off / 4] = kCounter;
  k[igb::ICR / 4] = k[igb::EICR / 4] = kClearOnRead;
  for (uint32_t q = 0; q < igb::kMaxQueues; q++) {
    k[igb::RQDPC(q) / 4] = kCounter;
    k[igb::RDH(q) / 4] = kRdh;
    k[igb::RDLEN(q) / 4] = kRdlen;
  }
  for (uint32_t i = 0; i < igb::RETA_REGS; i++) k[(igb::RETA_BASE + 4 * i) / 4] = kRss;
  for (uint32_t i = 0; i < igb::RSSRK_REGS; i++) k[(igb::RSSRK_BASE + 4 * i) / 4] = kRss;
  k[igb::MRQC / 4] = k[igb::RXCSUM / 4] = kRss;
  return k;
}

const std::vector<uint8_t> &reg_kinds() {
  static const std::vector<uint8_t> kinds = make_reg_kinds();
  return kinds;
}

}  // namespace

std::unique_ptr<IgbModel> IgbModel::create(const IgbModelConfig &cfg, std::string *err) {
  if (cfg.rx_queues < 1 || cfg.rx_queues > igb::kMaxQueues) {
    if (err) *err = "the 82576 model has 1 to 16 queues";
    return nullptr;
  }
  return std::unique_ptr<IgbModel>(new IgbModel(cfg));
}

IgbModel::IgbModel(const IgbModelConfig &cfg) : cfg_(cfg), regs_(kBarBytes / 4, 0) {
  frame_buf_.resize(kMaxFrame + kFcsBytes);
  tx_buf_.resize(kMaxFrame);
  reset();
  stats_.resets = 0;
}

IgbModel::~IgbModel() {
  for (Region &r : regions_)
    if (r.owned) std::free(r.mem);
}

// Power-on and CTRL.RST values of what the model keeps: everything 0 but
// the link and the factory MAC address.
void IgbModel::reset() {
  std::fill(regs_.begin(), regs_.end(), 0u);
  regs_[igb::STATUS / 4] = igb::STATUS_FD | igb::STATUS_SPEED_1000;
  const auto &m = cfg_.mac;
  regs_[igb::RAL0 / 4] = uint32_t(m[0]) | uint32_t(m[1]) << 8 | uint32_t(m[2]) << 16 | uint32_t(m[3]) << 24;
  regs_[igb::RAH0 / 4] = uint32_t(m[4]) | uint32_t(m[5]) << 8 | igb::RAH_AV;
  // queue 0 is enabled at reset, the others are not (82576: RXDCTL/TXDCTL)
  regs_[igb::RXDCTL(0) / 4] = igb::RXDCTL_ENABLE;
  regs_[igb::TXDCTL(0) / 4] = igb::TXDCTL_ENABLE;
  rss_dirty_ = true;
  stats_.resets++;
}

uint32_t IgbModel::reg(uint32_t off) const { return off / 4 < regs_.size() ? regs_[off / 4] : 0; }

uint32_t IgbModel::read32(uint32_t off) {
  if (off % 4 || off >= kBarBytes) return 0xFFFFFFFFu;  // as a PCI read nothing answers
  uint32_t v = regs_[off / 4];
  uint8_t kind = reg_kinds()[off / 4];
  if (kind == kCounter || kind == kClearOnRead) regs_[off / 4] = 0;  // read to clear
  return v;
}

void IgbModel::write32(uint32_t off, uint32_t value) {
  if (off % 4 || off >= kBarBytes) return;
  switch (off) {
    case igb::CTRL:
      if (value & igb::CTRL_RST) {
        reset();  // self-clearing: CTRL reads 0 afterwards
        return;
      }
      regs_[off / 4] = value & ~igb::CTRL_PHY_RST;
      if (value & igb::CTRL_SLU)
        regs_[igb::STATUS / 4] |= igb::STATUS_LU;
      else
        regs_[igb::STATUS / 4] &= ~igb::STATUS_LU;
      return;
    case igb::STATUS:
    case igb::ICR:
    case igb::EICR:
      return;  // read only (or cleared by reading)
    case igb::IMC:
      regs_[igb::IMS / 4] &= ~value;
      return;
    case igb::EIMC:
      regs_[igb::EIMS / 4] &= ~value;
      return;
    case igb::IMS:
    case igb::EIMS:
      regs_[off / 4] |= value;
      return;
    default:
      switch (reg_kinds()[off / 4]) {
        case kRss:
          rss_dirty_ = true;
          break;
        case kCounter:
          return;  // counters are the device's
        case kRdh:  // the device's; a driver sets it only while the queue is stopped
          if (regs_[(off + 0x18) / 4] & igb::RXDCTL_ENABLE) return;  // RXDCTL is RDH + 0x18
          break;
        case kRdlen:
          value &= 0xFFF80u;  // a multiple of 128
          break;
        default:
          break;
      }
      break;
  }
  regs_[off / 4] = value;
}

bool IgbModel::dma_alloc(size_t len, size_t align, dna::DmaRegion *out, std::string &err) {
  if (!out || len == 0) {
    err = "DMA allocation of 0 bytes";
    return false;
  }
  if (align < 128 || (align & (align - 1))) align = 128;
  size_t rounded = (len + align - 1) / align * align;
  if (rounded > cfg_.dma_limit - dma_used_) {
    err = "the 82576 model's DMA memory is used up (" + std::to_string(cfg_.dma_limit) + " bytes)";
    return false;
  }
  void *mem = std::aligned_alloc(align, rounded);
  if (!mem) {
    err = "out of memory for DMA";
    return false;
  }
  std::memset(mem, 0, rounded);
  uint64_t bus = place(rounded, align);
  regions_.push_back(Region{static_cast<uint8_t *>(mem), bus, rounded, true});
  out->virt = static_cast<uint8_t *>(mem);
  out->bus = bus;
  out->len = rounded;
  dma_used_ += rounded;
  return true;
}

uint64_t IgbModel::place(size_t len, size_t align) {
  next_bus_ = (next_bus_ + align - 1) / align * align;
  uint64_t bus = next_bus_;
  next_bus_ += len + 4096;  // a gap: a descriptor running past a region finds nothing
  return bus;
}

bool IgbModel::dma_map(uint8_t *virt, size_t len, dna::DmaRegion *out, std::string &err) {
  if (!out || !virt || len == 0 || reinterpret_cast<uintptr_t>(virt) % 4096 || len % 4096) {
    err = "dma_map needs page-aligned memory and length";
    return false;
  }
  for (const Region &r : regions_)
    if (virt < r.mem + r.len && r.mem < virt + len) {
      err = "dma_map of memory that is mapped already";
      return false;
    }
  uint64_t bus = place(len, 4096);
  regions_.push_back(Region{virt, bus, len, false});
  out->virt = virt;
  out->bus = bus;
  out->len = len;
  return true;
}

void IgbModel::dma_unmap(dna::DmaRegion *r) {
  if (!r || !r->virt) return;
  for (size_t i = 0; i < regions_.size(); i++)
    if (regions_[i].mem == r->virt && !regions_[i].owned) {
      regions_.erase(regions_.begin() + static_cast<long>(i));
      break;
    }
  *r = dna::DmaRegion{};
}

void IgbModel::dma_free(dna::DmaRegion *r) {
  if (!r || !r->virt) return;
  for (size_t i = 0; i < regions_.size(); i++)
    if (regions_[i].mem == r->virt && regions_[i].owned) {
      dma_used_ -= regions_[i].len;
      std::free(regions_[i].mem);
      regions_.erase(regions_.begin() + static_cast<long>(i));
      break;
    }
  *r = dna::DmaRegion{};
}

dna::PciIdentity IgbModel::identity() const {
  dna::PciIdentity id;
  id.vendor = igb::kVendorIntel;
  id.device = igb::kDevice82576;
  id.subsystem_vendor = igb::kVendorIntel;
  id.subsystem_device = 0;
  id.revision = 1;
  return id;
}

uint8_t *IgbModel::map(uint64_t bus, size_t len, bool *owned) {
  for (Region &r : regions_)
    if (bus >= r.bus && bus - r.bus <= r.len && len <= r.len - (bus - r.bus)) {
      if (owned) *owned = r.owned;
      return r.mem + (bus - r.bus);
    }
  return nullptr;
}

bool IgbModel::accepts(const uint8_t *f, uint32_t caplen) const {
  uint32_t rctl = reg(igb::RCTL);
  if (!(rctl & igb::RCTL_EN) || caplen < 14) return false;
  if (rctl & igb::RCTL_UPE) return true;
  bool broadcast = std::all_of(f, f + 6, [](uint8_t b) { return b == 0xFF; });
  if (broadcast) return (rctl & igb::RCTL_BAM) != 0;
  if (f[0] & 1) return (rctl & igb::RCTL_MPE) != 0;  // multicast: the MTA is not modelled
  uint32_t ral = reg(igb::RAL0), rah = reg(igb::RAH0);
  if (!(rah & igb::RAH_AV)) return false;
  uint8_t ours[6] = {uint8_t(ral), uint8_t(ral >> 8), uint8_t(ral >> 16), uint8_t(ral >> 24), uint8_t(rah),
                     uint8_t(rah >> 8)};
  return std::memcmp(f, ours, 6) == 0;
}

uint32_t IgbModel::steer(const uint8_t *f, uint32_t caplen, uint32_t *hash, uint32_t *rss_type) {
  *hash = 0;
  *rss_type = 0;
  uint32_t mrqc = reg(igb::MRQC);
  if ((mrqc & igb::MRQC_ENABLE_MASK) != igb::MRQC_ENABLE_RSS || !(reg(igb::RXCSUM) & igb::RXCSUM_PCSD)) return 0;
  struct pkt_parsing_info p;
  std::memset(&p, 0, sizeof p);
  uint32_t flags = 0;
  pfc_parse_pkt(f, caplen, 4, &p, &flags);
  uint32_t types = rss_types(mrqc);
  if (flags & PKT_FLAGS_IP_MORE_FRAG) types &= ~uint32_t(PFC_RSS_L4_TYPES);
  uint8_t input[PFC_RSS_MAX_INPUT];
  uint32_t n = pfc_rss_input(&p, types, input);
  if (n == 0) return 0;
  if (rss_dirty_) {
    uint8_t key[PFC_RSS_KEY_LEN];
    for (uint32_t i = 0; i < igb::RSSRK_REGS; i++) {
      uint32_t w = reg(igb::RSSRK_BASE + 4 * i);
      for (int b = 0; b < 4; b++) key[4 * i + b] = uint8_t(w >> (8 * b));
    }
    pfc_rss_table_init(rss_table_.get(), key);
    for (uint32_t i = 0; i < igb::RETA_REGS; i++) {
      uint32_t w = reg(igb::RETA_BASE + 4 * i);
      for (int b = 0; b < 4; b++) reta_[4 * i + b] = uint8_t((w >> (8 * b)) & 0xF);
    }
    rss_dirty_ = false;
  }
  // the one hash input, hashed once
  *hash = pfc_rss_hash(rss_table_.get(), input, n);
  uint32_t q = pfc_rss_queue(reta_, *hash);
  *rss_type = rss_type_of(n, p.l3_proto);
  return q;
}

bool IgbModel::queue_can_receive(uint32_t q) const {
  if (q >= cfg_.rx_queues) return false;
  if (!(reg(igb::RXDCTL(q)) & igb::RXDCTL_ENABLE)) return false;
  if ((reg(igb::SRRCTL(q)) & igb::SRRCTL_DESCTYPE_MASK) != igb::SRRCTL_DESCTYPE_ADV_ONEBUF) return false;
  uint32_t len = reg(igb::RDLEN(q));
  return len >= 128;
}

void IgbModel::add64(uint32_t low_off, uint64_t v) {
  uint64_t cur = uint64_t(regs_[low_off / 4]) | uint64_t(regs_[low_off / 4 + 1]) << 32;
  cur += v;
  regs_[low_off / 4] = uint32_t(cur);
  regs_[low_off / 4 + 1] = uint32_t(cur >> 32);
}

int IgbModel::receive(const IgbFrame &fr) {
  if (!fr.data || fr.caplen == 0) return 0;
  uint32_t caplen = std::min(fr.caplen, fr.len);
  auto drop_not_ours = [&] {
    stats_.not_for_us++;
    return 0;
  };
  if (!accepts(fr.data, caplen)) return drop_not_ours();
  uint32_t hash, rss_type;
  uint32_t q = steer(fr.data, caplen, &hash, &rss_type);
  if (!queue_can_receive(q)) return drop_not_ours();

  // The bytes the device writes: the frame (caplen of it: the capture
  // may be shorter than the wire frame) and, without SECRC, the FCS.
  uint32_t n = std::min<uint32_t>(caplen, kMaxFrame);
  const uint8_t *bytes = fr.data;
  if (!(reg(igb::RCTL) & igb::RCTL_SECRC)) {
    std::memcpy(frame_buf_.data(), fr.data, n);
    uint32_t fcs = crc32_ieee(fr.data, n);
    for (uint32_t i = 0; i < kFcsBytes; i++) frame_buf_[n + i] = uint8_t(fcs >> (8 * i));
    n += kFcsBytes;
    bytes = frame_buf_.data();
  }
  uint32_t bsize = (reg(igb::SRRCTL(q)) & igb::SRRCTL_BSIZEPKT_MASK) * 1024;
  if (bsize == 0) bsize = 2048;
  uint32_t ring = reg(igb::RDLEN(q)) / 16;
  uint32_t head = reg(igb::RDH(q)) % ring, tail = reg(igb::RDT(q)) % ring;
  uint32_t need = (n + bsize - 1) / bsize;
  uint32_t avail = (tail + ring - head) % ring;
  if (avail < need) {
    if (cfg_.wait_when_full) return -1;  // offered again at the next poll
    regs_[igb::MPC / 4]++;
    regs_[igb::RNBC / 4]++;
    regs_[igb::RQDPC(q) / 4]++;
    stats_.no_descriptor++;
    return 0;
  }
  uint64_t base = uint64_t(reg(igb::RDBAL(q))) | uint64_t(reg(igb::RDBAH(q))) << 32;
  auto *descs = reinterpret_cast<igb::AdvRxDesc *>(map(base, size_t(ring) * 16));
  if (!descs) {
    stats_.dma_errors++;
    return 0;
  }
  // Check every buffer first: a frame is written whole or not at all.
  uint8_t *bufs[64];
  if (need > 64) return drop_not_ours();
  bool mapped = false;  // into the caller's memory (dma_map)
  for (uint32_t i = 0; i < need; i++) {
    const igb::AdvRxDesc &d = descs[(head + i) % ring];
    bool owned = true;
    bufs[i] = map(d.read.pkt_addr, bsize, &owned);
    mapped |= !owned;
    if (!bufs[i]) {
      stats_.dma_errors++;
      return 0;
    }
  }
  for (uint32_t i = 0, off = 0; i < need; i++) {
    uint32_t chunk = std::min(bsize, n - off);
    std::memcpy(bufs[i], bytes + off, chunk);
    off += chunk;
    igb::AdvRxDesc &d = descs[(head + i) % ring];
    bool last = i + 1 == need;
    d.wb.info = rss_type;
    d.wb.rss_hash = hash;
    d.wb.length = uint16_t(chunk);
    d.wb.vlan = 0;
    // DD last: the driver may look at any time (dna_hw.h)
    __atomic_store_n(&d.wb.status_error, igb::RXD_STAT_DD | (last ? igb::RXD_STAT_EOP : 0u), __ATOMIC_RELEASE);
  }
  regs_[igb::RDH(q) / 4] = (head + need) % ring;
  regs_[igb::GPRC / 4]++;
  regs_[igb::TPR / 4]++;
  add64(igb::GORCL, n + ((reg(igb::RCTL) & igb::RCTL_SECRC) ? kFcsBytes : 0));
  stats_.received++;
  if (mapped) stats_.into_mapped++;
  return 1;
}

void IgbModel::run_tx() {
  if (!(reg(igb::TCTL) & igb::TCTL_EN)) return;
  for (uint32_t q = 0; q < igb::kMaxQueues; q++) {
    if (!(reg(igb::TXDCTL(q)) & igb::TXDCTL_ENABLE)) continue;
    uint32_t ring = reg(igb::TDLEN(q)) / 16;
    if (ring == 0) continue;
    uint64_t base = uint64_t(reg(igb::TDBAL(q))) | uint64_t(reg(igb::TDBAH(q))) << 32;
    auto *descs = reinterpret_cast<igb::AdvTxDesc *>(map(base, size_t(ring) * 16));
    if (!descs) {
      stats_.dma_errors++;
      continue;
    }
    uint32_t head = reg(igb::TDH(q)) % ring, tail = reg(igb::TDT(q)) % ring;
    uint32_t len = 0;
    bool bad = false;
    while (head != tail) {
      igb::AdvTxDesc &d = descs[head];
      uint32_t ctl = d.cmd_type_len;
      uint32_t n = ctl & 0xFFFF;
      head = (head + 1) % ring;
      if (!(ctl & igb::TXD_CMD_DEXT) || (ctl & (0xFu << 20)) != igb::TXD_DTYP_DATA) {
        stats_.tx_skipped++;  // a legacy or context descriptor: not sent here
      } else {
        const uint8_t *src = map(d.buffer_addr, n);
        if (!src || len + n > tx_buf_.size()) {
          bad = true;
          if (!src) stats_.dma_errors++;
        } else {
          std::memcpy(tx_buf_.data() + len, src, n);
          len += n;
        }
      }
      if (ctl & igb::TXD_CMD_RS) __atomic_store_n(&d.olinfo_status, igb::TXD_STAT_DD, __ATOMIC_RELEASE);
      if (ctl & igb::TXD_CMD_EOP) {
        if (!bad && len > 0) {
          if (tx_sink_) tx_sink_(tx_buf_.data(), len);
          regs_[igb::GPTC / 4]++;
          regs_[igb::TPT / 4]++;
          add64(igb::GOTCL, len + kFcsBytes);
          stats_.transmitted++;
        }
        len = 0;
        bad = false;
      }
    }
    regs_[igb::TDH(q) / 4] = head;
  }
}

void IgbModel::poll() {
  run_tx();
  if (!source_) return;
  for (;;) {
    if (!pending_) {
      if (source_done_ || !source_(&pending_frame_)) {
        source_done_ = true;
        return;
      }
      pending_ = true;
    }
    int rc = receive(pending_frame_);
    if (rc < 0) return;  // its queue is full: offered again at the next poll
    pending_ = false;
  }
}

}  // namespace sim
