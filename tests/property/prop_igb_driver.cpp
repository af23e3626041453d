// prop_igb_driver.cpp - RapidCheck properties of the igb DNA driver on the
// 82576 model (drivers/igb, sim/igb_model.h), against the RSS model
// (tests/model/model_rss.*) and the pool invariant of DESIGN.md decision 6:
//  1. every frame the peer offers is handed out exactly once, on the queue
//     and with the hash the RSS specification gives (Toeplitz under the
//     key, the default indirection table; a fragment with more to come by
//     its 2-tuple), in offer order within its queue - or, when the NIC
//     drops on a full ring, counted by MPC; frames larger than a buffer
//     are counted as chained (or, on a dropping NIC, maybe missed);
//     nothing else is lost: offered == delivered + missed + chained;
//  2. every packet of a burst lies in a buffer of its own, inside the
//     queue's buffer memory;
//  3. the NIC never owns more than ring - 1 descriptors, RDH and RDT stay
//     in the ring, and once the reader has drained and released every
//     queue, the NIC owns ring - 1 again: no buffer is lost.
// The second property runs the same with every queue on caller buffers (a
// pool the test owns, as libzero's master lends its pool): each packet is
// in a pool buffer the NIC had, at that buffer's address; the reader keeps
// buffers over several bursts and gives them back in any order; at the end
// every pool buffer is exactly once free, held or reclaimed from the NIC.
//
// A failure prints the shrunk scenario and the line to replay it:
// RC_PARAMS="reproduce=..." ./prop_igb_driver --gtest_filter=...
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <vector>

#include "core/parse.h"
#include "generators.h"
#include "igb_driver.h"
#include "igb_model.h"
#include "igb_regs.h"
#include "model_rss.h"

namespace {

constexpr uint32_t kBuf = 2048;

struct Expect {
  uint32_t queue, hash;
};

Expect rss_spec(const pktb::Bytes &f, const std::vector<uint8_t> &key, uint32_t queues) {
  if (queues == 1) return {0, 0};  // one queue: RSS is off (MRQC 0), no hash
  struct pkt_parsing_info p;
  std::memset(&p, 0, sizeof p);
  uint32_t flags = 0;
  pfc_parse_pkt(f.data(), uint32_t(f.size()), 4, &p, &flags);
  uint32_t types = PFC_RSS_ALL_TYPES;
  if (flags & PKT_FLAGS_IP_MORE_FRAG) types &= ~uint32_t(PFC_RSS_L4_TYPES);
  auto t = model::rss_tuple(p, types);
  if (!t) return {0, 0};
  uint32_t h = model::toeplitz(key, model::serialize(*t));
  return {model::reta_queue(model::reta_default(queues), h), h};
}

uint32_t owned(sim::IgbModel &m, uint32_t q, uint32_t ring) {
  uint32_t h = m.read32(igb::RDH(q)), t = m.read32(igb::RDT(q));
  RC_ASSERT(h < ring);
  RC_ASSERT(t < ring);
  return (t + ring - h) % ring;
}

// A pool of caller buffers: where each is (0 free, 1 with the NIC, 2 held).
struct CallerPool {
  uint32_t count = 0;
  uint8_t *mem = nullptr;
  dna::DmaRegion map{};
  std::vector<uint8_t> where;
  explicit CallerPool(uint32_t n)
      : count(n), mem(static_cast<uint8_t *>(std::aligned_alloc(4096, size_t(n) * kBuf))), where(n, 0) {}
  ~CallerPool() { std::free(mem); }
  void post(igb::Driver &drv, uint32_t q) {
    std::vector<igb::RxBuf> bufs;
    for (uint32_t id = 0; id < count && bufs.size() < drv.rx_free(q); id++)
      if (where[id] == 0) bufs.push_back(igb::RxBuf{mem + size_t(id) * kBuf, map.bus + uint64_t(id) * kBuf, id});
    uint32_t k = drv.rx_post(q, bufs.data(), uint32_t(bufs.size()));
    RC_ASSERT(k == bufs.size());
    for (uint32_t i = 0; i < k; i++) where[bufs[i].id] = 1;
  }
  void give_back_held() {
    for (auto &w : where)
      if (w == 2) w = 0;
  }
};

void every_frame_once(bool caller_buffers) {
  const gen::IgbScenario s = *gen::igbScenario();
  const gen::NicTraffic traffic = *gen::nicTraffic(6, 300, true);
  sim::IgbModelConfig mc;
  mc.wait_when_full = s.wait_when_full;
  std::string err;
  auto model = sim::IgbModel::create(mc, &err);
  RC_ASSERT(model != nullptr);
  igb::DriverConfig dc;
  dc.rx_queues = s.queues;
  dc.rx_ring = s.ring;
  dc.tx_ring = 8;
  dc.buf_size = kBuf;
  dc.rss_key = s.key.data();
  auto drv = igb::Driver::open(*model, dc, err);
  RC_ASSERT(drv != nullptr);
  std::unique_ptr<CallerPool> pool;
  if (caller_buffers) {
    pool = std::make_unique<CallerPool>(s.queues * s.ring + 32);
    RC_ASSERT(model->dma_map(pool->mem, size_t(pool->count) * kBuf, &pool->map, err));
    for (uint32_t q = 0; q < s.queues; q++) {
      RC_ASSERT(drv->rx_use_caller_buffers(q, kBuf, err));
      pool->post(*drv, q);
    }
  }
  auto refill_all = [&] {
    if (!pool) return;
    for (uint32_t q = 0; q < s.queues; q++) pool->post(*drv, q);
  };

  // What each frame must give; frames are numbered in offer order.
  std::vector<Expect> want;
  for (const auto &f : traffic.frames) want.push_back(rss_spec(f.bytes, s.key, s.queues));
  size_t next = 0, chained_expected = 0;
  model->attach_source([&](sim::IgbFrame *f) {
    if (next == traffic.frames.size()) return false;
    const auto &b = traffic.frames[next].bytes;
    *f = sim::IgbFrame{b.data(), uint32_t(b.size()), uint32_t(b.size())};
    next++;
    return true;
  });

  // Frames are matched to offers by content and per-queue order: the k-th
  // packet of queue q is the k-th frame offered to q that was not dropped.
  std::vector<std::vector<size_t>> offered_to(s.queues);
  for (size_t i = 0; i < want.size(); i++) {
    if (traffic.frames[i].bytes.size() > kBuf) {
      chained_expected++;
      continue;
    }
    offered_to[want[i].queue].push_back(i);
  }
  std::vector<size_t> got_on(s.queues, 0);
  std::vector<uint8_t> seen(want.size(), 0);
  uint64_t delivered = 0;
  igb::RxPacket pkts[64];
  auto read = [&](uint32_t q, uint32_t burst) {
    uint32_t n = drv->rx_burst(q, pkts, burst);
    std::set<const uint8_t *> bufs;
    for (uint32_t i = 0; i < n; i++) {
      RC_ASSERT(pkts[i].len > 0u);
      RC_ASSERT(pkts[i].len <= kBuf);
      RC_ASSERT(bufs.insert(pkts[i].data).second);  // a buffer of its own
      if (pool) {  // a pool buffer the NIC had, at its own address
        RC_ASSERT(pkts[i].buf_id < pool->count);
        RC_ASSERT(pool->where[pkts[i].buf_id] == 1);
        RC_ASSERT(pkts[i].data == pool->mem + size_t(pkts[i].buf_id) * kBuf);
        pool->where[pkts[i].buf_id] = 2;
      }
      // find the frame: the next one offered to q with these bytes (a
      // dropping NIC may have skipped some)
      size_t &k = got_on[q];
      while (k < offered_to[q].size()) {
        const auto &b = traffic.frames[offered_to[q][k]].bytes;
        if (b.size() == pkts[i].len && std::memcmp(b.data(), pkts[i].data, b.size()) == 0) break;
        RC_ASSERT(!s.wait_when_full);  // a waiting peer never skips a frame
        k++;
      }
      RC_ASSERT(k < offered_to[q].size());
      size_t idx = offered_to[q][k++];
      RC_ASSERT(seen[idx] == 0);
      seen[idx] = 1;
      RC_ASSERT(pkts[i].rss_hash == want[idx].hash);
      delivered++;
    }
    RC_ASSERT(owned(*model, q, s.ring) <= s.ring - 1);
  };
  for (const gen::IgbRead &r : s.reads) {
    if (r.offer_first) model->poll();
    read(r.queue % s.queues, r.burst);
    // caller buffers: kept over some bursts (a slave still reading), then
    // all given back and the queues refilled
    if (pool && !r.offer_first) {
      pool->give_back_held();
      refill_all();
    }
  }
  // drain: read every queue until the source has ended and nothing is left
  // (a round that began after the source ended writes nothing new, so one
  // that also delivers nothing leaves nothing behind)
  for (int rounds = 0; rounds < 100000; rounds++) {
    uint64_t before = delivered;
    bool ended = model->source_done();
    for (uint32_t q = 0; q < s.queues; q++) read(q, 64);
    if (pool) pool->give_back_held();
    refill_all();
    if (delivered == before && ended) break;
  }
  RC_ASSERT(model->source_done());
  for (uint32_t q = 0; q < s.queues; q++) {
    drv->rx_release(q);
    RC_ASSERT(owned(*model, q, s.ring) == s.ring - 1);  // every buffer back with the NIC
  }
  if (pool) {  // every pool buffer exactly once: free, or reclaimed from the NIC
    std::vector<uint32_t> ids(s.ring);
    for (uint32_t q = 0; q < s.queues; q++) {
      uint32_t n = drv->rx_reclaim(q, ids.data());
      RC_ASSERT(n == s.ring - 1);
      for (uint32_t i = 0; i < n; i++) {
        RC_ASSERT(ids[i] < pool->count);
        RC_ASSERT(pool->where[ids[i]] == 1);
        pool->where[ids[i]] = 0;
      }
    }
    for (uint8_t w : pool->where) RC_ASSERT(w == 0);
    model->dma_unmap(&pool->map);
  }
  igb::DeviceStats st = drv->read_stats();
  RC_ASSERT(st.rx_errors == 0u);
  RC_ASSERT(traffic.frames.size() == delivered + st.missed + st.rx_chained);
  // every frame written went into the pool when the queues took caller buffers
  RC_ASSERT(model->stats().into_mapped == (pool ? delivered + st.rx_chained : 0u));
  if (s.wait_when_full) {
    RC_ASSERT(st.missed == 0u);
    RC_ASSERT(st.rx_chained == chained_expected);
  } else {
    RC_ASSERT(st.rx_chained <= chained_expected);  // a dropping NIC may have missed some of them
  }
}

}  // namespace

RC_GTEST_PROP(IgbDriver, EveryFrameOnceOnItsRssQueueOrCounted, ()) { every_frame_once(false); }

RC_GTEST_PROP(IgbDriver, EveryFrameOnceIntoCallerBuffersNoneLost, ()) { every_frame_once(true); }
