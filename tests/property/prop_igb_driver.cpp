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

}  // namespace

RC_GTEST_PROP(IgbDriver, EveryFrameOnceOnItsRssQueueOrCounted, ()) {
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
  }
  // drain: read every queue until the source has ended and nothing is left
  // (a round that began after the source ended writes nothing new, so one
  // that also delivers nothing leaves nothing behind)
  for (int rounds = 0; rounds < 100000; rounds++) {
    uint64_t before = delivered;
    bool ended = model->source_done();
    for (uint32_t q = 0; q < s.queues; q++) read(q, 64);
    if (delivered == before && ended) break;
  }
  RC_ASSERT(model->source_done());
  for (uint32_t q = 0; q < s.queues; q++) {
    drv->rx_release(q);
    RC_ASSERT(owned(*model, q, s.ring) == s.ring - 1);  // every buffer back with the NIC
  }
  igb::DeviceStats st = drv->read_stats();
  RC_ASSERT(st.rx_errors == 0u);
  RC_ASSERT(traffic.frames.size() == delivered + st.missed + st.rx_chained);
  if (s.wait_when_full) {
    RC_ASSERT(st.missed == 0u);
    RC_ASSERT(st.rx_chained == chained_expected);
  } else {
    RC_ASSERT(st.rx_chained <= chained_expected);  // a dropping NIC may have missed some of them
  }
}
