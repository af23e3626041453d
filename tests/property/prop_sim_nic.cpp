// prop_sim_nic.cpp - RapidCheck properties of the software NIC (sim/nic.h)
// against the model (tests/model/model_nic.*) and its own invariants:
//  1. one queue, flow control off, constant service: arrivals and the set
//     of missed frames are exactly the model's;
//  2. flow control on: nothing is missed; when flow control off misses
//     frames of the same back-to-back traffic, the sender was slowed (its
//     last frame arrives later); with a consumer at least twice as slow
//     as the wire and 2D + 1 frames, it always does;
//  3. any config: offered == delivered + missed + queued at every step,
//     offered == delivered + missed after drain (per queue and in total);
//     timestamps are non-decreasing per queue; no two frames overlap on the
//     wire; with flow control on nothing is missed;
//  4. symmetric key: both directions of every flow land on one queue.
//
// A failure prints the shrunk counterexample and the line to replay it:
// RC_PARAMS="reproduce=..." ./prop_sim_nic --gtest_filter=...
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <vector>

#include "generators.h"
#include "model_nic.h"
#include "nic.h"

namespace {

sim::SimNicConfig config_of(const gen::NicParams &p) {
  sim::SimNicConfig c;
  c.speed = static_cast<sim::LinkSpeed>(p.gbps);
  c.num_queues = p.queues;
  c.descriptors = p.descriptors;
  c.flow_control = p.flow_control;
  c.xoff_free = p.xoff_free;
  c.xon_free = p.xon_free;
  c.pause_quanta = p.pause_quanta;
  c.queue_service_ns = p.service_ns;
  if (p.symmetric_key) c.rss_key = sim::symmetric_rss_key();
  return c;
}

std::unique_ptr<sim::SimNic> make(const sim::SimNicConfig &c) {
  std::string err;
  auto nic = sim::SimNic::create(c, &err);
  if (!nic) RC_FAIL("config rejected: " + err);
  return nic;
}

std::vector<sim::SimOfferResult> offer_all(sim::SimNic &nic, const gen::NicTraffic &t) {
  std::vector<sim::SimOfferResult> out;
  for (const gen::NicFrame &f : t.frames) out.push_back(nic.offer(f.bytes.data(), uint32_t(f.bytes.size()), f.ready_ns));
  return out;
}

uint32_t max_len(const gen::NicTraffic &t) {
  uint32_t m = 0;
  for (const gen::NicFrame &f : t.frames) m = std::max(m, uint32_t(f.bytes.size()));
  return m;
}

// 1 -------------------------------------------------------------------
RC_GTEST_PROP(SimNicProp, SingleQueueFcOffMissesWhatTheModelMisses, ()) {
  const uint32_t gbps = *rc::gen::element<uint32_t>(1, 10, 25, 40, 100);
  const uint32_t d = 1u << *rc::gen::inRange<uint32_t>(0, 7);
  const uint64_t service_ns = *rc::gen::inRange<uint64_t>(0, 4000);
  const auto traffic = *gen::nicTraffic(4, 300, false);
  sim::SimNicConfig c;
  c.speed = static_cast<sim::LinkSpeed>(gbps);
  c.descriptors = d;
  c.service_ns = service_ns;
  auto nic = make(c);
  auto results = offer_all(*nic, traffic);

  std::vector<model::NicFrame> mf;
  for (const gen::NicFrame &f : traffic.frames) mf.push_back({f.ready_ns, uint32_t(f.bytes.size())});
  auto arrivals = model::serial_arrivals_ps(mf, gbps);
  auto m = model::single_queue(arrivals, d, service_ns * 1000);
  RC_ASSERT(results.size() == arrivals.size());
  uint64_t missed = 0;
  for (size_t i = 0; i < results.size(); i++) {
    RC_ASSERT(results[i].arrival_ps == arrivals[i]);
    RC_ASSERT((results[i].status == sim::OfferStatus::kMissed) == bool(m.dropped[i]));
    missed += m.dropped[i];
  }
  RC_ASSERT(nic->stats().missed == missed);
  RC_CLASSIFY(missed > 0, "some missed");
}

// 2 -------------------------------------------------------------------
struct Outcome {
  uint64_t last_arrival_ps = 0;
  sim::SimNicStats stats;
};

Outcome run(sim::SimNicConfig c, bool fc, const gen::NicTraffic &t) {
  c.flow_control = fc;
  auto nic = make(c);
  auto r = offer_all(*nic, t);
  nic->drain();
  Outcome o;
  o.last_arrival_ps = r.empty() ? 0 : r.back().arrival_ps;
  o.stats = nic->stats();
  return o;
}

RC_GTEST_PROP(SimNicProp, FlowControlLosesNothingAndSlowsTheSender, ()) {
  auto p = *gen::nicParams(8);
  p.flow_control = true;
  if (p.descriptors < 2) p.descriptors = 2;
  if (p.xon_free >= p.descriptors) p.xoff_free = p.xon_free = 0;
  const auto traffic = *gen::nicTraffic(16, 400, true);
  sim::SimNicConfig c = config_of(p);
  Outcome off = run(c, false, traffic), on = run(c, true, traffic);
  RC_ASSERT(on.stats.missed == 0u);
  RC_ASSERT(on.stats.offered == on.stats.delivered);
  if (off.stats.missed > 0) {
    RC_ASSERT(on.stats.pause_frames > 0u);
    RC_ASSERT(on.last_arrival_ps > off.last_arrival_ps);
  }
  RC_CLASSIFY(off.stats.missed > 0, "fc off missed some");
}

RC_GTEST_PROP(SimNicProp, ConsumerSlowerThanWireIsPaused, ()) {
  const uint32_t gbps = *rc::gen::element<uint32_t>(1, 10, 25, 40, 100);
  const uint32_t d = 1u << *rc::gen::inRange<uint32_t>(1, 7);
  auto traffic = *gen::nicTraffic(8, 2 * d + 40, true);
  RC_PRE(traffic.frames.size() >= 2 * d + 1);
  // At least twice the wire time of the longest frame: the queue must
  // overflow by frame 2D + 1 without flow control.
  uint64_t wire_ns = (sim::wire_time_ps(max_len(traffic), static_cast<sim::LinkSpeed>(gbps)) + 999) / 1000;
  sim::SimNicConfig c;
  c.speed = static_cast<sim::LinkSpeed>(gbps);
  c.descriptors = d;
  c.service_ns = 2 * wire_ns + *rc::gen::inRange<uint64_t>(0, 1000);
  Outcome off = run(c, false, traffic), on = run(c, true, traffic);
  RC_ASSERT(off.stats.missed > 0u);
  RC_ASSERT(on.stats.missed == 0u);
  RC_ASSERT(on.stats.pause_frames > 0u);
  RC_ASSERT(on.stats.xon_frames > 0u);
  RC_ASSERT(on.last_arrival_ps > off.last_arrival_ps);
}

// 3 -------------------------------------------------------------------
RC_GTEST_PROP(SimNicProp, CountersTimestampsAndWireHoldForAnyConfig, ()) {
  const auto p = *gen::nicParams(16);
  const auto traffic = *gen::nicTraffic(24, 300, false);
  auto nic = make(config_of(p));
  const auto speed = static_cast<sim::LinkSpeed>(p.gbps);
  uint64_t prev_arrival = 0;
  std::vector<uint64_t> last_ts(p.queues, 0);
  for (const gen::NicFrame &f : traffic.frames) {
    auto r = nic->offer(f.bytes.data(), uint32_t(f.bytes.size()), f.ready_ns);
    RC_ASSERT(r.status != sim::OfferStatus::kInvalid);
    RC_ASSERT(r.queue < p.queues);
    // Serial wire: the frame started no earlier than the previous arrival
    // nor its ready time.
    RC_ASSERT(r.arrival_ps >= prev_arrival + sim::wire_time_ps(uint32_t(f.bytes.size()), speed));
    RC_ASSERT(r.arrival_ps >= f.ready_ns * 1000 + sim::wire_time_ps(uint32_t(f.bytes.size()), speed));
    prev_arrival = r.arrival_ps;
    RC_ASSERT(r.timestamp_ns >= last_ts[r.queue]);
    last_ts[r.queue] = r.timestamp_ns;
    auto s = nic->stats();
    RC_ASSERT(s.offered == s.delivered + s.missed + s.queued);
    RC_ASSERT(s.queued <= uint64_t(p.queues) * p.descriptors);
  }
  nic->drain();
  auto s = nic->stats();
  RC_ASSERT(s.offered == traffic.frames.size());
  RC_ASSERT(s.offered == s.delivered + s.missed);
  RC_ASSERT(s.queued == 0u);
  if (p.flow_control) RC_ASSERT(s.missed == 0u);
  // What the consumers took, per queue: in timestamp order, each once.
  std::vector<sim::SimRxDesc> out(p.descriptors);
  uint64_t returned = 0, lost = 0;
  for (uint32_t q = 0; q < p.queues; q++) {
    auto qs = nic->queue_stats(q);
    RC_ASSERT(qs.offered == qs.delivered + qs.missed);
    uint32_t n = nic->dequeue_burst(q, out.data(), uint32_t(out.size()), nic->clock().now_ns());
    for (uint32_t i = 1; i < n; i++) RC_ASSERT(out[i].timestamp_ns >= out[i - 1].timestamp_ns);
    qs = nic->queue_stats(q);
    RC_ASSERT(qs.returned == n);
    returned += qs.returned;
    lost += qs.overwritten_unread;
  }
  RC_ASSERT(returned + lost == s.delivered);
  RC_CLASSIFY(p.flow_control, "flow control");
  RC_CLASSIFY(s.missed > 0, "some missed");
}

// 4 -------------------------------------------------------------------
RC_GTEST_PROP(SimNicProp, SymmetricKeyKeepsFlowsOnOneQueue, ()) {
  auto p = *gen::nicParams(64);
  p.symmetric_key = true;
  const auto traffic = *gen::nicTraffic(32, 200, false);
  auto nic = make(config_of(p));
  std::map<size_t, uint32_t> queue_of_flow;
  std::map<size_t, uint32_t> hash_of_flow;
  for (const gen::NicFrame &f : traffic.frames) {
    auto r = nic->offer(f.bytes.data(), uint32_t(f.bytes.size()), f.ready_ns);
    auto it = queue_of_flow.find(f.flow);
    if (it == queue_of_flow.end()) {
      queue_of_flow[f.flow] = r.queue;
      hash_of_flow[f.flow] = r.pkt_hash;
    } else {
      RC_ASSERT(it->second == r.queue);
      RC_ASSERT(hash_of_flow[f.flow] == r.pkt_hash);
    }
  }
}

}  // namespace
