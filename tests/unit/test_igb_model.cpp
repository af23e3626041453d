// test_igb_model.cpp - the 82576 register model (sim/igb_model.h) driven
// by raw register writes, as a driver would, with no driver in between:
// reset and link, the receive path (descriptors, DD and EOP, lengths,
// bytes, RDH moving, a full ring), the CRC left in without SECRC, the
// address filter, the descriptor type and queue enable QEMU's model
// insists on, RSS only with MRQC and RXCSUM.PCSD, bus addresses outside
// the DMA memory, read-to-clear counters, and transmit.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "igb_model.h"
#include "core/parse.h"
#include "igb_regs.h"
#include "rss_steer.h"
#include "unit/pkt_builder.h"

namespace {

using namespace igb;
using pktb::Bytes;

const pktb::Mac kOurs = {0x02, 0x00, 0x00, 0x82, 0x57, 0x60};  // the model's default MAC
const pktb::Mac kOther = {0x02, 0x00, 0x00, 0x00, 0x00, 0x09};

Bytes udp_frame(const pktb::Mac &dst, uint16_t sport, size_t payload = 20) {
  return pktb::Builder().macs(dst, kOther).type(0x0800).ipv4(0x0a000001, 0x0a000002, 17).udp(sport, 53)
      .payload(payload).done();
}

// A receive queue set up by hand: n descriptors, 2 KiB buffers.
struct RxSetup {
  dna::DmaRegion ring, bufs;
  uint32_t n;
};

RxSetup setup_queue(sim::IgbModel &m, uint32_t q, uint32_t n, uint32_t srrctl_type = SRRCTL_DESCTYPE_ADV_ONEBUF) {
  RxSetup s{};
  s.n = n;
  std::string err;
  EXPECT_TRUE(m.dma_alloc(n * 16, 128, &s.ring, err)) << err;
  EXPECT_TRUE(m.dma_alloc(size_t(n) * 2048, 4096, &s.bufs, err)) << err;
  auto *d = reinterpret_cast<AdvRxDesc *>(s.ring.virt);
  for (uint32_t i = 0; i < n; i++) d[i].read = AdvRxRead{s.bufs.bus + i * 2048ull, 0};
  m.write32(RDBAL(q), uint32_t(s.ring.bus));
  m.write32(RDBAH(q), uint32_t(s.ring.bus >> 32));
  m.write32(RDLEN(q), n * 16);
  m.write32(SRRCTL(q), 2 | srrctl_type);
  m.write32(RXDCTL(q), RXDCTL_ENABLE);
  m.write32(RDT(q), n - 1);
  return s;
}

// Gives descriptors [from, to) back to the NIC as a driver does: the
// write-back overwrote the buffer address, so it is written again.
void rearm(const RxSetup &s, uint32_t from, uint32_t to) {
  auto *d = reinterpret_cast<AdvRxDesc *>(s.ring.virt);
  for (uint32_t i = from; i != to; i = (i + 1) % s.n) d[i].read = AdvRxRead{s.bufs.bus + i * 2048ull, 0};
}

std::unique_ptr<sim::IgbModel> model(sim::IgbModelConfig cfg = {}) {
  std::string err;
  auto m = sim::IgbModel::create(cfg, &err);
  EXPECT_NE(m, nullptr) << err;
  return m;
}

int offer(sim::IgbModel &m, const Bytes &f) {
  return m.receive(sim::IgbFrame{f.data(), uint32_t(f.size()), uint32_t(f.size())});
}

TEST(IgbModel, ResetLinkAndIdentity) {
  auto m = model();
  EXPECT_EQ(m->identity().vendor, kVendorIntel);
  EXPECT_EQ(m->identity().device, kDevice82576);
  m->write32(RCTL, RCTL_EN);
  m->write32(CTRL, CTRL_RST);
  EXPECT_EQ(m->read32(CTRL) & CTRL_RST, 0u);  // self-clearing
  EXPECT_EQ(m->read32(RCTL), 0u);              // back to its reset value
  EXPECT_EQ(m->read32(STATUS) & STATUS_LU, 0u);
  m->write32(CTRL, CTRL_SLU | CTRL_FD);
  EXPECT_NE(m->read32(STATUS) & STATUS_LU, 0u);
  EXPECT_EQ(m->read32(STATUS) & STATUS_SPEED_MASK, STATUS_SPEED_1000);
  EXPECT_EQ(m->read32(RAL0), 0x82000002u);
  EXPECT_EQ(m->read32(RAH0), 0x6057u | RAH_AV);
  EXPECT_EQ(m->read32(0x20001), 0xFFFFFFFFu);  // unaligned: nothing answers
}

TEST(IgbModel, ReceiveWritesDescriptorsDdLastAndStopsAtTheTail) {
  sim::IgbModelConfig cfg;
  cfg.wait_when_full = false;
  auto m = model(cfg);
  RxSetup s = setup_queue(*m, 0, 8);
  m->write32(RCTL, RCTL_EN | RCTL_UPE | RCTL_SECRC);
  std::vector<Bytes> frames;
  for (int i = 0; i < 9; i++) frames.push_back(udp_frame(kOther, uint16_t(1000 + i), 20 + i));
  for (int i = 0; i < 7; i++) EXPECT_EQ(offer(*m, frames[i]), 1) << i;
  EXPECT_EQ(offer(*m, frames[7]), 0);  // RDH == RDT: no descriptor
  EXPECT_EQ(m->read32(RDH(0)), 7u);
  auto *d = reinterpret_cast<AdvRxDesc *>(s.ring.virt);
  for (int i = 0; i < 7; i++) {
    EXPECT_EQ(d[i].wb.status_error, RXD_STAT_DD | RXD_STAT_EOP) << i;
    ASSERT_EQ(d[i].wb.length, frames[i].size()) << i;
    EXPECT_EQ(std::memcmp(s.bufs.virt + i * 2048, frames[i].data(), frames[i].size()), 0) << i;
    EXPECT_EQ(d[i].wb.rss_hash, 0u);  // RSS off: no hash
  }
  EXPECT_EQ(d[7].read.pkt_addr, s.bufs.bus + 7 * 2048);  // never written
  EXPECT_EQ(m->read32(GPRC), 7u);
  EXPECT_EQ(m->read32(GPRC), 0u);  // read to clear
  EXPECT_EQ(m->read32(MPC), 1u);
  EXPECT_EQ(m->read32(RNBC), 1u);
  EXPECT_EQ(m->read32(RQDPC(0)), 1u);
  EXPECT_EQ(m->read32(MPC), 0u);
  // the reader gives 4 back: 4 more fit
  rearm(s, 7, 3);
  m->write32(RDT(0), 3);
  for (int i = 0; i < 4; i++) EXPECT_EQ(offer(*m, frames[i]), 1);
  EXPECT_EQ(offer(*m, frames[4]), 0);
  EXPECT_EQ(m->read32(RDH(0)), 3u);
}

TEST(IgbModel, WaitingPeerLosesNothing) {
  auto m = model();  // wait_when_full
  RxSetup s = setup_queue(*m, 0, 8);
  m->write32(RCTL, RCTL_EN | RCTL_UPE | RCTL_SECRC);
  std::vector<Bytes> frames;
  for (int i = 0; i < 20; i++) frames.push_back(udp_frame(kOther, uint16_t(i)));
  size_t next = 0;
  m->attach_source([&](sim::IgbFrame *f) {
    if (next == frames.size()) return false;
    *f = sim::IgbFrame{frames[next].data(), uint32_t(frames[next].size()), uint32_t(frames[next].size())};
    next++;
    return true;
  });
  m->poll();
  EXPECT_EQ(m->stats().received, 7u);
  EXPECT_FALSE(m->source_done());
  rearm(s, 7, 6);
  m->write32(RDT(0), 6);  // 7 more
  m->poll();
  EXPECT_EQ(m->stats().received, 14u);
  EXPECT_EQ(m->stats().no_descriptor, 0u);
  EXPECT_EQ(m->read32(MPC), 0u);
}

TEST(IgbModel, CrcStaysWithoutSecrc) {
  auto m = model();
  RxSetup s = setup_queue(*m, 0, 8);
  m->write32(RCTL, RCTL_EN | RCTL_UPE);  // no SECRC
  Bytes f = udp_frame(kOther, 7);
  ASSERT_EQ(offer(*m, f), 1);
  auto *d = reinterpret_cast<AdvRxDesc *>(s.ring.virt);
  ASSERT_EQ(d[0].wb.length, f.size() + 4);
  // the FCS of the frame, least significant byte first (bitwise CRC-32 here)
  uint32_t c = 0xFFFFFFFFu;
  for (uint8_t b : f) {
    c ^= b;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
  }
  c ^= 0xFFFFFFFFu;
  const uint8_t *fcs = s.bufs.virt + f.size();
  EXPECT_EQ(uint32_t(fcs[0]) | uint32_t(fcs[1]) << 8 | uint32_t(fcs[2]) << 16 | uint32_t(fcs[3]) << 24, c);
}

TEST(IgbModel, AddressFilter) {
  auto m = model();
  setup_queue(*m, 0, 16);
  m->write32(RCTL, RCTL_EN | RCTL_SECRC);  // not promiscuous, no broadcast
  EXPECT_EQ(offer(*m, udp_frame(kOther, 1)), 0);
  EXPECT_EQ(offer(*m, udp_frame(kOurs, 1)), 1);
  pktb::Mac bcast = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, mcast = {0x01, 0, 0x5e, 0, 0, 1};
  EXPECT_EQ(offer(*m, udp_frame(bcast, 1)), 0);
  EXPECT_EQ(offer(*m, udp_frame(mcast, 1)), 0);
  m->write32(RCTL, RCTL_EN | RCTL_SECRC | RCTL_BAM | RCTL_MPE);
  EXPECT_EQ(offer(*m, udp_frame(bcast, 1)), 1);
  EXPECT_EQ(offer(*m, udp_frame(mcast, 1)), 1);
  EXPECT_EQ(m->stats().not_for_us, 3u);
}

TEST(IgbModel, LegacyDescriptorsAndDisabledQueuesReceiveNothing) {
  auto m = model();
  setup_queue(*m, 0, 8, 0);  // legacy descriptor type
  m->write32(RCTL, RCTL_EN | RCTL_UPE | RCTL_SECRC);
  EXPECT_EQ(offer(*m, udp_frame(kOther, 1)), 0);
  m->write32(SRRCTL(0), 2 | SRRCTL_DESCTYPE_ADV_ONEBUF);
  EXPECT_EQ(offer(*m, udp_frame(kOther, 1)), 1);
  m->write32(RXDCTL(0), 0);
  EXPECT_EQ(offer(*m, udp_frame(kOther, 1)), 0);
}

TEST(IgbModel, RssNeedsMrqcAndPcsdAndAnEnabledQueue) {
  auto m = model();
  RxSetup q0 = setup_queue(*m, 0, 64), q1 = setup_queue(*m, 1, 64);
  m->write32(RXDCTL(1), 0);  // queue 1 not enabled yet
  m->write32(RCTL, RCTL_EN | RCTL_UPE | RCTL_SECRC);
  for (uint32_t i = 0; i < RSSRK_REGS; i++) {
    const uint8_t *k = pfc_rss_default_key + 4 * i;
    m->write32(RSSRK_BASE + 4 * i, uint32_t(k[0]) | uint32_t(k[1]) << 8 | uint32_t(k[2]) << 16 | uint32_t(k[3]) << 24);
  }
  for (uint32_t i = 0; i < RETA_REGS; i++) m->write32(RETA_BASE + 4 * i, 0x01000100u);  // 0,1,0,1...
  m->write32(MRQC, MRQC_ENABLE_RSS | MRQC_RSS_IPV4 | MRQC_RSS_IPV4_UDP);
  // without PCSD: no RSS, every frame to queue 0
  for (int i = 0; i < 8; i++) ASSERT_EQ(offer(*m, udp_frame(kOther, uint16_t(i))), 1);
  EXPECT_EQ(m->read32(RDH(0)), 8u);
  m->write32(RXCSUM, RXCSUM_PCSD);
  // with it: the Toeplitz hash of the 4-tuple picks RETA entry hash & 127
  sim::RssSteering ref(pfc_rss_default_key, PFC_RSS_IPV4 | PFC_RSS_IPV4_UDP, 16, nullptr);
  int to_q1 = 0, dropped = 0;
  for (int i = 0; i < 64; i++) {
    Bytes f = udp_frame(kOther, uint16_t(2000 + i));
    uint32_t hash = 0;
    struct pkt_parsing_info p;
    std::memset(&p, 0, sizeof p);
    uint32_t flags = 0;
    pfc_parse_pkt(f.data(), uint32_t(f.size()), 4, &p, &flags);
    (void)ref.steer(p, flags, &hash);
    uint32_t want_q = (hash & 127) % 2;
    int rc = offer(*m, f);
    if (want_q == 1) {
      EXPECT_EQ(rc, 0) << "queue 1 is not enabled";
      dropped++;
    } else {
      EXPECT_EQ(rc, 1);
    }
  }
  EXPECT_GT(dropped, 0);
  m->write32(RXDCTL(1), RXDCTL_ENABLE);
  auto *d1 = reinterpret_cast<AdvRxDesc *>(q1.ring.virt);
  for (int i = 0; i < 64 && to_q1 < 5; i++) {
    Bytes f = udp_frame(kOther, uint16_t(3000 + i));
    uint32_t head1 = m->read32(RDH(1));
    ASSERT_EQ(offer(*m, f), 1);
    if (m->read32(RDH(1)) != head1) {
      EXPECT_NE(d1[head1].wb.rss_hash, 0u);
      EXPECT_EQ(d1[head1].wb.info & RXD_RSSTYPE_MASK, 0x7u);  // UDP over IPv4
      to_q1++;
    }
  }
  EXPECT_EQ(to_q1, 5);
  (void)q0;
}

TEST(IgbModel, DescriptorsOutsideDmaMemoryAreRefused) {
  auto m = model();
  RxSetup s = setup_queue(*m, 0, 8);
  m->write32(RCTL, RCTL_EN | RCTL_UPE | RCTL_SECRC);
  auto *d = reinterpret_cast<AdvRxDesc *>(s.ring.virt);
  d[0].read.pkt_addr = 0x12345678;  // nothing there
  EXPECT_EQ(offer(*m, udp_frame(kOther, 1)), 0);
  EXPECT_EQ(m->stats().dma_errors, 1u);
  d[0].read.pkt_addr = s.bufs.bus + s.bufs.len - 100;  // runs past the region's end
  EXPECT_EQ(offer(*m, udp_frame(kOther, 1)), 0);
  EXPECT_EQ(m->stats().dma_errors, 2u);
  EXPECT_EQ(m->read32(RDH(0)), 0u);
  m->write32(RDBAL(0), 0x99999000);  // the ring itself elsewhere
  EXPECT_EQ(offer(*m, udp_frame(kOther, 1)), 0);
  EXPECT_EQ(m->stats().dma_errors, 3u);
}

TEST(IgbModel, TransmitSendsUpToTheTailAndWritesDdBack) {
  auto m = model();
  std::vector<Bytes> sent;
  m->set_tx_sink([&](const uint8_t *f, uint32_t len) { sent.emplace_back(f, f + len); });
  dna::DmaRegion ring, bufs;
  std::string err;
  ASSERT_TRUE(m->dma_alloc(16 * 16, 128, &ring, err));
  ASSERT_TRUE(m->dma_alloc(16 * 2048, 4096, &bufs, err));
  m->write32(TDBAL(0), uint32_t(ring.bus));
  m->write32(TDBAH(0), uint32_t(ring.bus >> 32));
  m->write32(TDLEN(0), 16 * 16);
  m->write32(TCTL, TCTL_EN);
  auto *d = reinterpret_cast<AdvTxDesc *>(ring.virt);
  std::vector<Bytes> frames;
  for (int i = 0; i < 3; i++) {
    frames.push_back(udp_frame(kOther, uint16_t(i), 30 + i));
    std::memcpy(bufs.virt + i * 2048, frames[i].data(), frames[i].size());
    d[i] = AdvTxDesc{bufs.bus + i * 2048ull,
                     uint32_t(frames[i].size()) | TXD_DTYP_DATA | TXD_CMD_DEXT | TXD_CMD_EOP | TXD_CMD_RS, 0};
  }
  // a frame in two descriptors
  Bytes big = udp_frame(kOther, 9, 100);
  std::memcpy(bufs.virt + 3 * 2048, big.data(), 40);
  std::memcpy(bufs.virt + 4 * 2048, big.data() + 40, big.size() - 40);
  d[3] = AdvTxDesc{bufs.bus + 3 * 2048ull, 40u | TXD_DTYP_DATA | TXD_CMD_DEXT, 0};
  d[4] = AdvTxDesc{bufs.bus + 4 * 2048ull, uint32_t(big.size() - 40) | TXD_DTYP_DATA | TXD_CMD_DEXT | TXD_CMD_EOP |
                                               TXD_CMD_RS, 0};
  m->write32(TDT(0), 2);
  m->poll();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0], frames[0]);
  EXPECT_EQ(sent[1], frames[1]);
  EXPECT_EQ(d[0].olinfo_status & TXD_STAT_DD, TXD_STAT_DD);
  EXPECT_EQ(d[2].olinfo_status & TXD_STAT_DD, 0u);  // past the tail: untouched
  m->write32(TDT(0), 5);
  m->poll();
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[2], frames[2]);
  EXPECT_EQ(sent[3], big);
  EXPECT_EQ(m->read32(TDH(0)), 5u);
  EXPECT_EQ(m->read32(GPTC), 4u);
  EXPECT_EQ(m->read32(GPTC), 0u);
}

}  // namespace
