// test_igb_driver.cpp - the igb DNA driver (drivers/igb) on the 82576
// register model: bring-up, every frame of a long stream received once,
// in order and byte for byte through a small ring that wraps many times
// (the NIC never owns more than ring - 1 descriptors), RSS queues equal
// to the software NIC's Toeplitz steering for the same key, drops counted
// by the NIC's registers when the reader does not keep up, transmit, and
// descriptors the driver must not trust.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "core/parse.h"
#include "igb_driver.h"
#include "igb_model.h"
#include "igb_regs.h"
#include "rss_steer.h"
#include "unit/pkt_builder.h"

namespace {

using pktb::Bytes;
constexpr uint32_t kSeed = 82576;

Bytes frame(uint32_t i, size_t payload) {
  const pktb::Mac dst = {0x02, 0, 0, 0, 0, 1}, src = {0x02, 0, 0, 0, 0, 2};
  pktb::Builder b;
  b.macs(dst, src).type(0x0800).ipv4(0x0a000000 + (i % 251), 0x0a010000 + (i % 13), i % 3 ? 17 : 6);
  if (i % 3)
    b.udp(uint16_t(1024 + i % 4000), 53);
  else
    b.tcp(uint16_t(1024 + i % 4000), 80, i, 0, 0x10);
  Bytes f = b.payload(payload).done();
  std::memcpy(f.data() + f.size() - 4, &i, 4);  // the frame's number, to check order
  return f;
}

struct Rig {
  std::unique_ptr<sim::IgbModel> model;
  std::unique_ptr<igb::Driver> drv;
  std::vector<Bytes> frames;
  size_t next = 0;
};

Rig rig(uint32_t queues, uint32_t ring, size_t nframes, bool wait = true, uint32_t seed = kSeed) {
  Rig r;
  sim::IgbModelConfig mc;
  mc.wait_when_full = wait;
  std::string err;
  r.model = sim::IgbModel::create(mc, &err);
  EXPECT_NE(r.model, nullptr) << err;
  std::mt19937 rng(seed);
  for (size_t i = 0; i < nframes; i++) r.frames.push_back(frame(uint32_t(i), 8 + rng() % 1400));
  igb::DriverConfig dc;
  dc.rx_queues = queues;
  dc.rx_ring = ring;
  dc.tx_ring = 64;
  r.drv = igb::Driver::open(*r.model, dc, err);
  EXPECT_NE(r.drv, nullptr) << err;
  return r;
}

void attach(Rig &r) {
  r.model->attach_source([&r](sim::IgbFrame *f) {
    if (r.next == r.frames.size()) return false;
    const Bytes &b = r.frames[r.next++];
    *f = sim::IgbFrame{b.data(), uint32_t(b.size()), uint32_t(b.size())};
    return true;
  });
}

uint32_t number_of(const uint8_t *data, uint32_t len) {
  uint32_t n;
  std::memcpy(&n, data + len - 4, 4);
  return n;
}

TEST(IgbDriver, BringUp) {
  Rig r = rig(1, 64, 0);
  ASSERT_TRUE(r.drv);
  EXPECT_TRUE(r.drv->link_up());
  uint8_t mac[6];
  r.drv->mac(mac);
  EXPECT_EQ(mac[0], 0x02);
  EXPECT_EQ(mac[5], 0x60);
  // what bring-up left in the registers
  EXPECT_NE(r.model->read32(igb::RCTL) & igb::RCTL_SECRC, 0u);
  EXPECT_NE(r.model->read32(igb::CTRL_EXT) & igb::CTRL_EXT_DRV_LOAD, 0u);
  EXPECT_EQ(r.model->read32(igb::RDT(0)), 63u);
  EXPECT_EQ(r.model->read32(igb::SRRCTL(0)) & igb::SRRCTL_DESCTYPE_MASK, igb::SRRCTL_DESCTYPE_ADV_ONEBUF);
  EXPECT_EQ(r.model->stats().resets, 1u);
}

TEST(IgbDriver, OpenRefusesWhatTheNicCannotDo) {
  std::string err;
  auto m = sim::IgbModel::create({}, &err);
  igb::DriverConfig c;
  c.rx_queues = 17;
  EXPECT_EQ(igb::Driver::open(*m, c, err), nullptr);
  EXPECT_NE(err.find("16"), std::string::npos) << err;
  c = igb::DriverConfig{};
  c.rx_ring = 100;
  EXPECT_EQ(igb::Driver::open(*m, c, err), nullptr);
  c = igb::DriverConfig{};
  c.buf_size = 1500;
  EXPECT_EQ(igb::Driver::open(*m, c, err), nullptr);
  EXPECT_NE(err.find("1024"), std::string::npos) << err;
}

// Bursts of every size from 1 to 64 over a 64-descriptor ring: 10000
// frames, each once, in order, byte for byte; the NIC's head never passes
// its tail and it never owns more than ring - 1 descriptors.
TEST(IgbDriver, EveryFrameOnceInOrderThroughAWrappingRing) {
  Rig r = rig(1, 64, 10000);
  attach(r);
  std::vector<igb::RxPacket> pkts(64);
  uint32_t expect = 0, burst = 1;
  for (int rounds = 0; rounds < 100000 && expect < r.frames.size(); rounds++) {
    uint32_t n = r.drv->rx_burst(0, pkts.data(), burst);
    for (uint32_t i = 0; i < n; i++) {
      const Bytes &want = r.frames[expect];
      ASSERT_EQ(pkts[i].len, want.size()) << "frame " << expect;
      ASSERT_EQ(std::memcmp(pkts[i].data, want.data(), want.size()), 0) << "frame " << expect;
      expect++;
    }
    uint32_t head = r.model->read32(igb::RDH(0)), tail = r.model->read32(igb::RDT(0));
    ASSERT_LT(head, 64u);
    ASSERT_LT(tail, 64u);
    burst = burst % 64 + 1;
  }
  EXPECT_EQ(expect, r.frames.size());
  r.drv->rx_release(0);
  igb::DeviceStats s = r.drv->read_stats();
  EXPECT_EQ(s.rx_packets, r.frames.size());
  EXPECT_EQ(s.missed, 0u);
  EXPECT_EQ(s.rx_errors + s.rx_chained, 0u);
  EXPECT_TRUE(r.model->source_done());
}

// Four queues: each frame arrives on the queue the software NIC's RSS
// (sim::RssSteering, the same key and default table) picks, with its hash.
TEST(IgbDriver, RssQueuesAreTheSoftwareNicsToeplitzQueues) {
  Rig r = rig(4, 512, 2000);
  attach(r);
  sim::RssSteering ref(pfc_rss_default_key, PFC_RSS_ALL_TYPES, 4, nullptr);
  std::vector<igb::RxPacket> pkts(64);
  std::vector<int> seen(r.frames.size(), 0);
  int per_queue[4] = {};
  for (int rounds = 0; rounds < 1000; rounds++) {
    uint32_t got = 0;
    for (uint32_t q = 0; q < 4; q++) {
      uint32_t n = r.drv->rx_burst(q, pkts.data(), 64);
      for (uint32_t i = 0; i < n; i++) {
        uint32_t k = number_of(pkts[i].data, pkts[i].len);
        ASSERT_LT(k, r.frames.size());
        seen[k]++;
        struct pkt_parsing_info p;
        std::memset(&p, 0, sizeof p);
        uint32_t flags = 0, hash = 0;
        pfc_parse_pkt(r.frames[k].data(), uint32_t(r.frames[k].size()), 4, &p, &flags);
        uint32_t want = ref.steer(p, flags, &hash);
        ASSERT_EQ(q, want) << "frame " << k;
        ASSERT_EQ(pkts[i].rss_hash, hash) << "frame " << k;
        per_queue[q]++;
      }
      got += n;
    }
    if (!got && r.model->source_done()) break;
  }
  for (size_t k = 0; k < seen.size(); k++) ASSERT_EQ(seen[k], 1) << "frame " << k;
  for (int q = 0; q < 4; q++) EXPECT_GT(per_queue[q], 0) << q;
}

// A reader that does not keep up on a NIC that does not wait: exactly the
// frames beyond the free descriptors are dropped, and the NIC's MPC, RNBC
// and RQDPC say how many.
TEST(IgbDriver, SlowReaderGetsDropsCountedByTheNic) {
  Rig r = rig(1, 32, 100, /*wait=*/false);
  for (size_t i = 0; i < 50; i++) {
    const Bytes &b = r.frames[i];
    r.model->receive(sim::IgbFrame{b.data(), uint32_t(b.size()), uint32_t(b.size())});
  }
  std::vector<igb::RxPacket> pkts(64);
  uint32_t n = r.drv->rx_burst(0, pkts.data(), 64);
  EXPECT_EQ(n, 31u);  // ring - 1
  for (uint32_t i = 0; i < n; i++) EXPECT_EQ(number_of(pkts[i].data, pkts[i].len), i);
  igb::DeviceStats s = r.drv->read_stats();
  EXPECT_EQ(s.missed, 19u);
  EXPECT_EQ(s.no_buffer, 19u);
  EXPECT_EQ(s.queue_drops[0], 19u);
  EXPECT_EQ(s.rx_packets, 31u);
}

TEST(IgbDriver, TransmitWrapsTheRingAndSendsEveryFrame) {
  Rig r = rig(1, 64, 300);
  std::vector<Bytes> wire;
  r.model->set_tx_sink([&](const uint8_t *f, uint32_t len) { wire.emplace_back(f, f + len); });
  size_t i = 0;
  while (i < r.frames.size()) {
    const uint8_t *fs[16];
    uint32_t ls[16];
    uint32_t k = 0;
    for (; k < 16 && i + k < r.frames.size(); k++) {
      fs[k] = r.frames[i + k].data();
      ls[k] = uint32_t(r.frames[i + k].size());
    }
    uint32_t sent = r.drv->tx_burst(fs, ls, k);
    ASSERT_GT(sent, 0u);
    i += sent;
  }
  ASSERT_EQ(wire.size(), r.frames.size());
  for (size_t k = 0; k < wire.size(); k++) ASSERT_EQ(wire[k], r.frames[k]) << k;
  EXPECT_EQ(r.drv->read_stats().tx_packets, r.frames.size());
  const uint8_t *none[1] = {nullptr};
  uint32_t zero[1] = {0};
  EXPECT_EQ(r.drv->tx_burst(none, zero, 1), 0u);
}

TEST(IgbDriver, TransmitSpreadsLongFramesOverDescriptors) {
  // 2 KiB per descriptor: a 9000-byte frame takes 5, a 16300-byte one 8,
  // and the ring of 64 wraps several times
  Rig r = rig(1, 64, 0);
  std::vector<Bytes> wire, sent_frames;
  r.model->set_tx_sink([&](const uint8_t *f, uint32_t len) { wire.emplace_back(f, f + len); });
  for (uint32_t i = 0; i < 40; i++) sent_frames.push_back(frame(i, i % 3 == 0 ? 8900 : i % 3 == 1 ? 16300 : 100));
  for (const Bytes &f : sent_frames) {
    const uint8_t *fs[1] = {f.data()};
    uint32_t ls[1] = {uint32_t(f.size())};
    ASSERT_EQ(r.drv->tx_burst(fs, ls, 1), 1u);
  }
  ASSERT_EQ(wire, sent_frames);
  EXPECT_EQ(r.drv->read_stats().tx_packets, 40u);
}

// The driver reads only descriptors it gave the NIC, and checks what the
// NIC wrote: a descriptor without EOP (a frame spread over buffers), an
// error bit, a length of 0 or past the buffer are counted, not handed out;
// DD on the descriptor it kept back is never read.
TEST(IgbDriver, HostileWriteBacksAreCountedNotDelivered) {
  Rig r = rig(1, 16, 0);
  uint64_t base = uint64_t(r.model->read32(igb::RDBAL(0))) | uint64_t(r.model->read32(igb::RDBAH(0))) << 32;
  auto *d = reinterpret_cast<igb::AdvRxDesc *>(r.model->host_address(base, 16 * 16));
  ASSERT_NE(d, nullptr);
  uint64_t good_buf = d[5].read.pkt_addr;
  auto wb = [&](int i, uint32_t status, uint16_t len) {
    d[i].wb.info = 0;
    d[i].wb.rss_hash = 0x1234;
    d[i].wb.length = len;
    d[i].wb.vlan = 0;
    d[i].wb.status_error = status;
  };
  const uint32_t dd = igb::RXD_STAT_DD, eop = igb::RXD_STAT_EOP;
  wb(0, dd, 100);              // first part of a chained frame
  wb(1, dd | eop, 50);         // its end
  wb(2, dd | eop | (1u << 30), 60);  // an error bit
  wb(3, dd | eop, 0);          // no length
  wb(4, dd | eop, 4000);       // longer than the 2 KiB buffer
  wb(5, dd | eop, 60);         // a good one
  wb(15, dd | eop, 60);        // the descriptor the driver keeps back: never posted
  std::vector<igb::RxPacket> pkts(16);
  uint32_t n = r.drv->rx_burst(0, pkts.data(), 16);
  ASSERT_EQ(n, 1u);
  EXPECT_EQ(pkts[0].len, 60u);
  EXPECT_EQ(pkts[0].data, r.model->host_address(good_buf, 2048));  // its own buffer, not an address the NIC wrote
  igb::DeviceStats s = r.drv->read_stats();
  EXPECT_EQ(s.rx_chained, 1u);
  EXPECT_EQ(s.rx_errors, 3u);
  // the next burst gives those six back and reads nothing new; the kept-back
  // descriptor was re-armed before the NIC could own it
  EXPECT_EQ(r.drv->rx_burst(0, pkts.data(), 16), 0u);
  EXPECT_EQ(d[15].wb.status_error & dd, 0u);
  EXPECT_EQ(r.model->read32(igb::RDT(0)), 5u);
}

}  // namespace

// Caller buffers (decision 6): a pool the test owns, dma_map'ed; the NIC
// writes each frame into a posted pool buffer, rx_burst hands the buffer
// over by id, and only buffers the test posts again come back to the NIC.
struct Pool {
  static constexpr uint32_t kBuf = 2048, kNum = 96;
  uint8_t *mem = static_cast<uint8_t *>(std::aligned_alloc(4096, size_t(kBuf) * kNum));
  dna::DmaRegion map{};
  ~Pool() { std::free(mem); }
  igb::RxBuf buf(uint32_t id) const { return igb::RxBuf{mem + size_t(id) * kBuf, map.bus + uint64_t(id) * kBuf, id}; }
  // Posts buffers [first, first + n) to queue 0; returns how many went.
  uint32_t post_range(Rig &r, uint32_t first, uint32_t n) const {
    std::vector<igb::RxBuf> bufs;
    for (uint32_t i = first; i < first + n; i++) bufs.push_back(buf(i));
    return r.drv->rx_post(0, bufs.data(), n);
  }
  // Mapped for the rig's NIC, queue 0 switched to it.
  bool lend_to(Rig &r, std::string &err) {
    return r.model->dma_map(mem, size_t(kBuf) * kNum, &map, err) && r.drv->rx_use_caller_buffers(0, kBuf, err);
  }
};

TEST(IgbDriver, CallerBuffersAreWrittenByTheNicAndHandedOverById) {
  Rig r = rig(1, 32, 500);
  ASSERT_TRUE(r.drv);
  Pool pool;
  std::string err;
  ASSERT_TRUE(pool.lend_to(r, err)) << err;
  EXPECT_EQ(r.drv->rx_free(0), 31u);
  std::vector<uint32_t> free_ids;
  for (uint32_t i = 0; i < Pool::kNum; i++) free_ids.push_back(i);
  auto post = [&](uint32_t want) {
    std::vector<igb::RxBuf> bufs;
    while (bufs.size() < want && !free_ids.empty()) {
      bufs.push_back(pool.buf(free_ids.back()));
      free_ids.pop_back();
    }
    uint32_t k = r.drv->rx_post(0, bufs.data(), uint32_t(bufs.size()));
    for (size_t i = k; i < bufs.size(); i++) free_ids.push_back(bufs[i].id);  // not taken
    return k;
  };
  EXPECT_EQ(post(40), 31u);  // ring - 1
  attach(r);
  std::vector<bool> held(Pool::kNum, false);
  std::vector<uint32_t> holding;  // handed over, given back a while later
  uint32_t expect = 0;
  igb::RxPacket pkts[16];
  for (int round = 0; round < 10000 && expect < r.frames.size(); round++) {
    uint32_t n = r.drv->rx_burst(0, pkts, 16);
    for (uint32_t i = 0; i < n; i++) {
      ASSERT_LT(pkts[i].buf_id, Pool::kNum);
      ASSERT_FALSE(held[pkts[i].buf_id]) << "buffer handed over twice";
      ASSERT_EQ(pkts[i].data, pool.mem + size_t(pkts[i].buf_id) * Pool::kBuf) << "not the pool buffer";
      const Bytes &f = r.frames[expect];
      ASSERT_EQ(pkts[i].len, f.size());
      ASSERT_EQ(0, std::memcmp(pkts[i].data, f.data(), f.size())) << "frame " << expect;
      held[pkts[i].buf_id] = true;
      holding.push_back(pkts[i].buf_id);
      expect++;
    }
    // give back all but the newest 20 (a slave still reading them)
    while (holding.size() > 20) {
      held[holding.front()] = false;
      free_ids.push_back(holding.front());
      holding.erase(holding.begin());
    }
    post(r.drv->rx_free(0));
  }
  EXPECT_EQ(expect, r.frames.size());
  EXPECT_EQ(r.model->stats().into_mapped, r.frames.size());
  // every buffer is somewhere: free, held, or with the NIC (given back by reclaim)
  uint32_t ids[32];
  uint32_t back = r.drv->rx_reclaim(0, ids);
  EXPECT_EQ(back, 31u);
  EXPECT_EQ(free_ids.size() + holding.size() + back, size_t(Pool::kNum));
  r.model->dma_unmap(&pool.map);
}

TEST(IgbDriver, CallerBuffersReclaimedThenPostedAgainReceiveOn) {
  // a master disabled and enabled again: the queue stops with frames
  // half read, every buffer comes back, and posting again resumes at the
  // frame after the last one the NIC wrote
  Rig r = rig(1, 16, 100);
  ASSERT_TRUE(r.drv);
  Pool pool;
  std::string err;
  ASSERT_TRUE(pool.lend_to(r, err)) << err;
  ASSERT_EQ(pool.post_range(r, 0, 15), 15u);
  attach(r);
  igb::RxPacket pkts[16];
  ASSERT_EQ(r.drv->rx_burst(0, pkts, 5), 5u);  // 15 written, 5 read
  uint32_t ids[16];
  EXPECT_EQ(r.drv->rx_reclaim(0, ids), 10u);  // 10 written and unread: lost with the stop
  EXPECT_FALSE(r.model->read32(igb::RXDCTL(0)) & igb::RXDCTL_ENABLE);
  EXPECT_EQ(r.model->read32(igb::RDH(0)), 0u);
  EXPECT_EQ(r.model->read32(igb::RDT(0)), 0u);
  ASSERT_EQ(pool.post_range(r, 20, 15), 15u);
  r.drv->set_queue_enabled(0, true);
  uint32_t n = r.drv->rx_burst(0, pkts, 16);
  ASSERT_GT(n, 0u);
  EXPECT_GE(pkts[0].buf_id, 20u);
  EXPECT_EQ(pkts[0].data, pool.mem + size_t(pkts[0].buf_id) * Pool::kBuf);
  EXPECT_GT(number_of(pkts[0].data, pkts[0].len), 14u);  // after the 15 the NIC wrote before
  r.model->dma_unmap(&pool.map);
}

TEST(IgbDriver, CallerBuffersRefusedOnceTheQueueReceivedOrWhenBadlySized) {
  Rig r = rig(1, 16, 4);
  ASSERT_TRUE(r.drv);
  std::string err;
  EXPECT_FALSE(r.drv->rx_use_caller_buffers(0, 1536, err));
  EXPECT_NE(err.find("multiple of 1024"), std::string::npos) << err;
  EXPECT_FALSE(r.drv->rx_use_caller_buffers(3, 2048, err));
  attach(r);
  igb::RxPacket pkts[4];
  EXPECT_EQ(r.drv->rx_burst(0, pkts, 4), 4u);
  EXPECT_FALSE(r.drv->rx_use_caller_buffers(0, 2048, err));
  EXPECT_NE(err.find("received already"), std::string::npos) << err;
  // a queue on the driver's own buffers posts nothing and reclaims nothing
  igb::RxBuf b{nullptr, 0, 0};
  uint32_t ids[16];
  EXPECT_EQ(r.drv->rx_post(0, &b, 1), 0u);
  EXPECT_EQ(r.drv->rx_reclaim(0, ids), 0u);
  // the model maps only page-aligned caller memory, once
  Pool pool;
  EXPECT_FALSE(r.model->dma_map(pool.mem + 64, 4096, &pool.map, err));
  ASSERT_TRUE(r.model->dma_map(pool.mem, 4096, &pool.map, err)) << err;
  dna::DmaRegion again{};
  EXPECT_FALSE(r.model->dma_map(pool.mem, 4096, &again, err));
  r.model->dma_unmap(&pool.map);
}

TEST(IgbDriver, CallerBuffersOfFramesNotHandedOutGoBackToTheNic) {
  // frames of 3000 bytes spread over two 2 KiB buffers: dropped, counted,
  // and their buffers posted again by the driver, so none is lost
  Rig r = rig(1, 16, 0);
  ASSERT_TRUE(r.drv);
  for (uint32_t i = 0; i < 40; i++) r.frames.push_back(frame(i, i % 2 ? 2900 : 100));
  Pool pool;
  std::string err;
  ASSERT_TRUE(pool.lend_to(r, err)) << err;
  ASSERT_EQ(pool.post_range(r, 0, 15), 15u);
  uint32_t next_id = 15;
  attach(r);
  igb::RxPacket pkts[8];
  uint32_t got = 0;
  for (int round = 0; round < 1000 && r.next < r.frames.size() + 1; round++) {
    uint32_t n = r.drv->rx_burst(0, pkts, 8);
    for (uint32_t i = 0; i < n; i++) {
      EXPECT_EQ(number_of(pkts[i].data, pkts[i].len) % 2, 0u);
      got++;
      // each handed-over buffer is replaced by a fresh one while they last, then by itself
      igb::RxBuf nb = next_id < Pool::kNum ? pool.buf(next_id++) : pool.buf(pkts[i].buf_id);
      EXPECT_EQ(r.drv->rx_post(0, &nb, 1), 1u);
    }
    if (n == 0 && r.model->source_done()) break;
  }
  EXPECT_EQ(got, 20u);
  EXPECT_EQ(r.drv->read_stats().rx_chained, 20u);
  uint32_t ids[16];
  EXPECT_EQ(r.drv->rx_reclaim(0, ids), 15u);  // the NIC still holds a full ring
  r.model->dma_unmap(&pool.map);
}
