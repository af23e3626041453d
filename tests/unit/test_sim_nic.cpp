// test_sim_nic.cpp - the software NIC's receive side (sim/): exact wire
// times, the serial wire, RSS queue selection against src/core, per-queue
// timestamps, missed packets with flow control off, PAUSE/XON with it on
// (hand-computed cases), determinism, and control tests for bad configs.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "clock.h"
#include "link.h"
#include "model_nic.h"
#include "nic.h"
#include "unit/pkt_builder.h"

extern "C" {
#include "rss.h"
}

namespace {

using pktb::Bytes;

const pktb::Mac kDmac = {0x00, 0x1b, 0x21, 0x00, 0x00, 0x01};
const pktb::Mac kSmac = {0x00, 0x1b, 0x21, 0x00, 0x00, 0x02};

uint32_t ip4(const char *s) {
  in_addr a{};
  EXPECT_EQ(inet_pton(AF_INET, s, &a), 1) << s;
  return ntohl(a.s_addr);
}

// An IPv4 UDP frame of exactly `len` bytes (len >= 42) for flow `flow`.
Bytes udp_frame(uint32_t flow, uint32_t len = 60) {
  pktb::Builder b;
  b.eth(kDmac, kSmac, PFC_ETH_P_IP).ipv4(0x0a000000 + flow, 0xc0a80001, PFC_IPPROTO_UDP)
      .udp(uint16_t(1024 + flow), 53);
  b.payload(len > 42 ? len - 42 : 0);
  return b.done();
}

std::unique_ptr<sim::SimNic> make(const sim::SimNicConfig &cfg) {
  std::string err;
  auto nic = sim::SimNic::create(cfg, &err);
  EXPECT_NE(nic, nullptr) << err;
  return nic;
}

sim::SimOfferResult offer(sim::SimNic &nic, const Bytes &f, uint64_t ready_ns = 0) {
  return nic.offer(f.data(), uint32_t(f.size()), ready_ns);
}

// ------------------------------------------------------------ link, clock

TEST(SimLink, WireTimesAreExact) {
  using sim::LinkSpeed;
  // The 64-byte minimum frame (FCS included) is len 60: 84 bytes, 672 bits.
  EXPECT_EQ(sim::wire_bits(60), 672u);
  EXPECT_EQ(sim::wire_time_ps(60, LinkSpeed::k10G), 67200u);  // 67.2 ns
  EXPECT_EQ(sim::ps_to_ns(sim::wire_time_ps(60, LinkSpeed::k10G)), 67u);  // ns round down
  EXPECT_EQ(sim::wire_time_ps(64, LinkSpeed::k10G), 70400u);
  EXPECT_EQ(sim::wire_time_ps(60, LinkSpeed::k1G), 672000u);
  EXPECT_EQ(sim::wire_time_ps(60, LinkSpeed::k25G), 26880u);
  EXPECT_EQ(sim::wire_time_ps(60, LinkSpeed::k40G), 16800u);
  EXPECT_EQ(sim::wire_time_ps(60, LinkSpeed::k100G), 6720u);
  // 1518 at 1G: 1542 bytes = 12336 bits = 12336 ns.
  EXPECT_EQ(sim::wire_time_ps(1518, LinkSpeed::k1G), 12336000u);
  EXPECT_EQ(sim::wire_time_ps(1518, LinkSpeed::k100G), 123360u);
  // Shorter frames are padded to 60.
  for (uint32_t len : {1u, 14u, 42u, 59u}) EXPECT_EQ(sim::wire_time_ps(len, LinkSpeed::k10G), 67200u) << len;
  EXPECT_EQ(sim::wire_time_ps(61, LinkSpeed::k10G), 68000u);
  // PAUSE: quanta x 512 bit times.
  EXPECT_EQ(sim::pause_time_ps(1, LinkSpeed::k10G), 51200u);
  EXPECT_EQ(sim::pause_time_ps(0xFFFF, LinkSpeed::k10G), 65535ull * 51200u);
  EXPECT_EQ(sim::pause_time_ps(0xFFFF, LinkSpeed::k1G), 65535ull * 512000u);
}

TEST(SimLink, SpeedsAccepted) {
  for (uint32_t g : {1u, 10u, 25u, 40u, 100u}) EXPECT_TRUE(sim::link_speed_valid(g)) << g;
  for (uint32_t g : {0u, 2u, 50u, 400u}) EXPECT_FALSE(sim::link_speed_valid(g)) << g;
}

TEST(SimLink, MatchesModel) {
  for (uint32_t g : {1u, 10u, 25u, 40u, 100u})
    for (uint32_t len = 1; len < 9100; len += 37)
      ASSERT_EQ(sim::wire_time_ps(len, static_cast<sim::LinkSpeed>(g)), model::wire_time_ps(len, g));
}

TEST(SimClock, AdvancesOnlyForward) {
  sim::SimClock c;
  EXPECT_EQ(c.now_ps(), 0u);
  c.advance_to_ps(67200);
  EXPECT_EQ(c.now_ns(), 67u);
  c.advance_to_ns(10);  // the past: no change
  EXPECT_EQ(c.now_ps(), 67200u);
  c.advance_by_ns(1);
  EXPECT_EQ(c.now_ps(), 68200u);
}

// --------------------------------------------------------------- the wire

TEST(SimNic, SerialWire) {
  sim::SimNicConfig cfg;
  auto nic = make(cfg);
  Bytes f = udp_frame(1, 60), g = udp_frame(2, 1000);
  auto r1 = offer(*nic, f), r2 = offer(*nic, f), r3 = offer(*nic, g);
  EXPECT_EQ(r1.arrival_ps, 67200u);
  EXPECT_EQ(r2.arrival_ps, r1.arrival_ps + 67200u);
  EXPECT_EQ(r3.arrival_ps, r2.arrival_ps + sim::wire_time_ps(1000, sim::LinkSpeed::k10G));
  // A frame ready after the wire is free starts when ready.
  auto r4 = offer(*nic, f, 1'000'000);
  EXPECT_EQ(r4.arrival_ps, 1'000'000'000u + 67200u);
  EXPECT_EQ(r4.timestamp_ns, 1'000'067u);
  EXPECT_EQ(nic->stats().virtual_ns, 1'000'067u);
  // The present cannot be rewritten: a frame "ready" in the past starts now.
  auto r5 = offer(*nic, f, 0);
  EXPECT_EQ(r5.arrival_ps, r4.arrival_ps + 67200u);
}

TEST(SimNic, InvalidOfferIsNotCounted) {
  auto nic = make({});
  uint8_t b[1] = {0};
  EXPECT_EQ(nic->offer(nullptr, 60, 0).status, sim::OfferStatus::kInvalid);
  EXPECT_EQ(nic->offer(b, 0, 0).status, sim::OfferStatus::kInvalid);
  EXPECT_EQ(nic->offer(b, 1, sim::kMaxReadyNs + 1).status, sim::OfferStatus::kInvalid);
  EXPECT_EQ(nic->stats().offered, 0u);
  EXPECT_EQ(nic->stats().virtual_ns, 0u);
}

// -------------------------------------------------------------------- RSS

// Microsoft "Verifying the RSS Hash Calculation", IPv4 TCP rows (source
// first in the frame; the table lists the destination first).
struct MsVector {
  const char *src;
  uint16_t sport;
  const char *dst;
  uint16_t dport;
  uint32_t hash_tcp;
};
const MsVector kMs[] = {
    {"66.9.149.187", 2794, "161.142.100.80", 1766, 0x51ccc178},
    {"199.92.111.2", 14230, "65.69.140.83", 4739, 0xc626b0ea},
    {"24.19.198.95", 12898, "12.22.207.184", 38024, 0x5c2b394a},
    {"38.27.205.30", 48228, "209.142.163.6", 2217, 0xafc7327f},
    {"153.39.163.191", 44251, "202.188.127.2", 1303, 0x10e828a2},
};

TEST(SimNic, RssQueueOfMicrosoftVectors) {
  sim::SimNicConfig cfg;
  cfg.num_queues = 4;
  auto nic = make(cfg);
  uint8_t reta[PFC_RSS_RETA_SIZE];
  ASSERT_EQ(pfc_rss_reta_default(reta, 4), 0);
  for (const MsVector &v : kMs) {
    pktb::Builder b;
    b.eth(kDmac, kSmac, PFC_ETH_P_IP).ipv4(ip4(v.src), ip4(v.dst), PFC_IPPROTO_TCP).tcp(v.sport, v.dport, 1, 0, 0x02);
    Bytes f = b.done();
    auto r = offer(*nic, f);
    ASSERT_EQ(r.status, sim::OfferStatus::kEnqueued);
    EXPECT_EQ(r.pkt_hash, v.hash_tcp) << v.src;
    EXPECT_EQ(r.queue, pfc_rss_queue(reta, v.hash_tcp)) << v.src;
  }
  // 0x51ccc178 & 127 = 120 -> queue 0 of 4; 0xc626b0ea & 127 = 106 -> 2.
  EXPECT_EQ(nic->queue_stats(0).offered + nic->queue_stats(1).offered + nic->queue_stats(2).offered +
                nic->queue_stats(3).offered,
            5u);
}

TEST(SimNic, NonIpGoesToQueueZeroWithHashZero) {
  sim::SimNicConfig cfg;
  cfg.num_queues = 8;
  std::array<uint8_t, PFC_RSS_RETA_SIZE> reta;
  reta.fill(7);
  cfg.reta = reta;
  auto nic = make(cfg);
  pktb::Builder b;
  b.eth(kDmac, kSmac, 0x0806).payload(46);
  Bytes arp = b.done();
  auto r = offer(*nic, arp);
  EXPECT_EQ(r.queue, 0u);
  EXPECT_EQ(r.pkt_hash, 0u);
  EXPECT_EQ(offer(*nic, udp_frame(3)).queue, 7u);  // hashed: the table decides
}

TEST(SimNic, SymmetricKeyKeepsBothDirectionsTogether) {
  sim::SimNicConfig cfg;
  cfg.num_queues = 16;
  cfg.rss_key = sim::symmetric_rss_key();
  auto nic = make(cfg);
  for (uint32_t i = 0; i < 50; i++) {
    uint32_t a = 0x0a000001 + i * 7919, c = 0xc0a80001 + i * 104729;
    uint16_t pa = uint16_t(1000 + i * 13), pc = uint16_t(80 + i);
    pktb::Builder f, r;
    f.eth(kDmac, kSmac, PFC_ETH_P_IP).ipv4(a, c, PFC_IPPROTO_TCP).tcp(pa, pc, 1, 0, 0x02);
    r.eth(kSmac, kDmac, PFC_ETH_P_IP).ipv4(c, a, PFC_IPPROTO_TCP).tcp(pc, pa, 1, 1, 0x12);
    Bytes fb = f.done(), rb = r.done();
    auto x = offer(*nic, fb), y = offer(*nic, rb);
    EXPECT_EQ(x.pkt_hash, y.pkt_hash);
    EXPECT_EQ(x.queue, y.queue);
  }
}

// ------------------------------------------------------ delivery, timestamps

TEST(SimNic, DequeueBurstReturnsBytesAndTimestampsInOrder) {
  sim::SimNicConfig cfg;
  cfg.num_queues = 4;
  cfg.descriptors = 64;
  cfg.service_ns = 100;
  cfg.slot_bytes = 64;  // longer frames are truncated
  auto nic = make(cfg);
  std::vector<Bytes> frames;
  for (uint32_t i = 0; i < 40; i++) frames.push_back(udp_frame(i, 60 + (i % 3) * 20));
  for (auto &f : frames) ASSERT_EQ(offer(*nic, f).status, sim::OfferStatus::kEnqueued);
  // Nothing taken before the first service time is over.
  sim::SimRxDesc out[64];
  for (uint32_t q = 0; q < 4; q++) EXPECT_EQ(nic->dequeue_burst(q, out, 64, 67), 0u);
  nic->drain();
  auto st = nic->stats();
  EXPECT_EQ(st.offered, 40u);
  EXPECT_EQ(st.delivered, 40u);
  EXPECT_EQ(st.queued, 0u);
  uint32_t total = 0;
  for (uint32_t q = 0; q < 4; q++) {
    uint32_t n = nic->dequeue_burst(q, out, 64, nic->clock().now_ns());
    total += n;
    EXPECT_EQ(nic->queue_stats(q).returned, n);
    for (uint32_t i = 0; i < n; i++) {
      EXPECT_EQ(out[i].queue, q);
      EXPECT_EQ(out[i].caplen, std::min(out[i].len, 64u));
      EXPECT_EQ(out[i].timestamp_ns, out[i].arrival_ps / 1000);
      EXPECT_GE(out[i].departure_ps, out[i].arrival_ps + 100'000);
      if (i > 0) {
        EXPECT_GE(out[i].timestamp_ns, out[i - 1].timestamp_ns);
        EXPECT_GE(out[i].departure_ps, out[i - 1].departure_ps + 100'000);
      }
      // Frame bytes: the source address (offset 26..29) names the flow.
      uint32_t flow = (uint32_t(out[i].data[28]) << 8 | out[i].data[29]);
      ASSERT_LT(flow, frames.size());
      EXPECT_EQ(out[i].len, frames[flow].size());
      EXPECT_EQ(0, memcmp(out[i].data, frames[flow].data(), out[i].caplen));
    }
    EXPECT_EQ(nic->dequeue_burst(q, out, 64, nic->clock().now_ns()), 0u);  // each packet once
  }
  EXPECT_EQ(total, 40u);
}

TEST(SimNic, LaggingReaderLosesOldestButCountersHold) {
  sim::SimNicConfig cfg;
  cfg.descriptors = 4;
  auto nic = make(cfg);  // service 0: taken at arrival
  Bytes f = udp_frame(1);
  for (int i = 0; i < 10; i++) ASSERT_EQ(offer(*nic, f).status, sim::OfferStatus::kEnqueued);
  sim::SimRxDesc out[16];
  EXPECT_EQ(nic->dequeue_burst(0, out, 16, nic->clock().now_ns() + 1), 4u);  // the last D
  EXPECT_EQ(out[0].arrival_ps, 7 * 67200u);
  auto q = nic->queue_stats(0);
  EXPECT_EQ(q.delivered, 10u);
  EXPECT_EQ(q.overwritten_unread, 6u);
  EXPECT_EQ(q.returned, 4u);
}

// -------------------------------------------------------------- overflow

TEST(SimNic, MissedWithSlowConsumerHandComputed) {
  // D = 2, 1 us per packet, 64-byte frames back to back at 10G (67.2 ns):
  // frames 1 and 2 are taken at 1067.2 and 2067.2 ns; 3 and 4 find both
  // descriptors busy; frame 16 arrives at 1075.2 ns, after the first departure.
  sim::SimNicConfig cfg;
  cfg.descriptors = 2;
  cfg.service_ns = 1000;
  auto nic = make(cfg);
  Bytes f = udp_frame(1);
  std::vector<sim::OfferStatus> st;
  for (int i = 0; i < 16; i++) st.push_back(offer(*nic, f).status);
  for (int i = 0; i < 2; i++) EXPECT_EQ(st[i], sim::OfferStatus::kEnqueued) << i;
  for (int i = 2; i < 15; i++) EXPECT_EQ(st[i], sim::OfferStatus::kMissed) << i;
  EXPECT_EQ(st[15], sim::OfferStatus::kEnqueued);
  auto s = nic->stats();
  EXPECT_EQ(s.missed, 13u);
  EXPECT_EQ(nic->queue_stats(0).missed, 13u);
  EXPECT_EQ(s.offered, s.delivered + s.missed + s.queued);
  EXPECT_EQ(s.pause_frames, 0u);
  nic->drain();
  s = nic->stats();
  EXPECT_EQ(s.offered, s.delivered + s.missed);
  EXPECT_EQ(s.virtual_ns, 3068u);  // frame 16 served from 2067.2 to 3067.2 ns; drain rounds up
}

TEST(SimNic, MissedAgreesWithModel) {
  sim::SimNicConfig cfg;
  cfg.descriptors = 8;
  cfg.service_ns = 3000;
  cfg.speed = sim::LinkSpeed::k1G;
  auto nic = make(cfg);
  std::vector<model::NicFrame> mf;
  std::vector<bool> missed;
  for (uint32_t i = 0; i < 300; i++) {
    uint32_t len = 60 + (i * 37) % 200;
    uint64_t ready = (i / 20) * 5000;
    Bytes f = udp_frame(i, len);
    missed.push_back(offer(*nic, f, ready).status == sim::OfferStatus::kMissed);
    mf.push_back({ready, len});
  }
  auto arrivals = model::serial_arrivals_ps(mf, 1);
  auto m = model::single_queue(arrivals, 8, 3'000'000);
  EXPECT_EQ(missed, m.dropped);
  EXPECT_GT(nic->stats().missed, 0u);
}

// ----------------------------------------------------------- flow control

TEST(SimNic, PauseAndXonHandComputed) {
  // D = 4: xoff 1, xon 1 by default. Four frames fill the queue; the fourth
  // (arriving at 268.8 ns) leaves 0 free < 1: PAUSE. XON when free > 1,
  // i.e. after the second departure at 2067.2 ns; frame 5 starts then.
  sim::SimNicConfig cfg;
  cfg.descriptors = 4;
  cfg.service_ns = 1000;
  cfg.flow_control = true;
  auto nic = make(cfg);
  EXPECT_EQ(nic->xoff_free(), 1u);
  EXPECT_EQ(nic->xon_free(), 1u);
  Bytes f = udp_frame(1);
  for (int i = 0; i < 3; i++) EXPECT_FALSE(offer(*nic, f).paused);
  auto r4 = offer(*nic, f);
  EXPECT_TRUE(r4.paused);
  EXPECT_EQ(r4.arrival_ps, 268'800u);
  EXPECT_EQ(nic->pause_end_ps(), 2'067'200u);
  auto r5 = offer(*nic, f);
  EXPECT_EQ(r5.arrival_ps, 2'067'200u + 67'200u);
  auto s = nic->stats();
  EXPECT_EQ(s.pause_frames, 1u);
  EXPECT_EQ(s.xon_frames, 1u);
  EXPECT_EQ(s.missed, 0u);
}

TEST(SimNic, XonWaitsForEveryQueue) {
  // Two queues of 4: non-IP frames go to queue 0 (1 us each), IP frames to
  // queue 1 through the table (5 us each). Three ARP frames then four UDP
  // frames; the fourth UDP frame (470.4 ns) fills queue 1: PAUSE. Queue 0
  // is down to 2 busy after 1067.2 ns, queue 1 only after its second
  // departure at 268.8 + 2 x 5000 = 10268.8 ns: XON then.
  sim::SimNicConfig cfg;
  cfg.num_queues = 2;
  cfg.descriptors = 4;
  cfg.queue_service_ns = {1000, 5000};
  std::array<uint8_t, PFC_RSS_RETA_SIZE> reta;
  reta.fill(1);
  cfg.reta = reta;
  cfg.flow_control = true;
  auto nic = make(cfg);
  pktb::Builder b;
  b.eth(kDmac, kSmac, 0x0806).payload(46);
  Bytes arp = b.done(), udp = udp_frame(1);
  for (int i = 0; i < 3; i++) EXPECT_EQ(offer(*nic, arp).queue, 0u);
  for (int i = 0; i < 3; i++) EXPECT_FALSE(offer(*nic, udp).paused);
  auto r = offer(*nic, udp);
  EXPECT_EQ(r.queue, 1u);
  EXPECT_EQ(r.arrival_ps, 470'400u);
  EXPECT_TRUE(r.paused);
  EXPECT_EQ(nic->pause_end_ps(), 10'268'800u);
  EXPECT_EQ(offer(*nic, arp).arrival_ps, 10'268'800u + 67'200u);
  EXPECT_EQ(nic->stats().pause_frames, 1u);
  EXPECT_EQ(nic->stats().xon_frames, 1u);
  EXPECT_EQ(nic->stats().missed, 0u);
}

TEST(SimNic, ShortPausesAreRefreshed) {
  // The same with quanta 1 (51.2 ns at 10G): the pause from 268.8 to
  // 2067.2 ns (1798.4 ns) takes ceil(1798.4 / 51.2) = 36 PAUSE frames.
  sim::SimNicConfig cfg;
  cfg.descriptors = 4;
  cfg.service_ns = 1000;
  cfg.flow_control = true;
  cfg.pause_quanta = 1;
  auto nic = make(cfg);
  Bytes f = udp_frame(1);
  for (int i = 0; i < 5; i++) offer(*nic, f);
  EXPECT_EQ(nic->stats().pause_frames, 36u);
  EXPECT_EQ(nic->stats().xon_frames, 1u);
}

// Back-to-back traffic over 4 queues, every consumer slower than the wire.
struct SlowRun {
  std::vector<sim::SimOfferResult> results;
  sim::SimNicStats stats;
};
SlowRun run_slow(bool fc) {
  sim::SimNicConfig cfg;
  cfg.num_queues = 4;
  cfg.descriptors = 32;
  cfg.service_ns = 2000;
  cfg.flow_control = fc;
  auto nic = make(cfg);
  SlowRun r;
  for (uint32_t i = 0; i < 2000; i++) {
    Bytes f = udp_frame(i % 97, 60 + (i % 5) * 100);
    r.results.push_back(offer(*nic, f));
  }
  nic->drain();
  r.stats = nic->stats();
  return r;
}

TEST(SimNic, FlowControlPausesAndLosesNothing) {
  SlowRun off = run_slow(false), on = run_slow(true);
  EXPECT_GT(off.stats.missed, 0u);
  EXPECT_EQ(off.stats.pause_frames, 0u);
  EXPECT_EQ(on.stats.missed, 0u);
  EXPECT_GT(on.stats.pause_frames, 0u);
  EXPECT_EQ(on.stats.xon_frames, on.stats.pause_frames);  // 0xFFFF quanta: never refreshed here
  EXPECT_EQ(on.stats.offered, on.stats.delivered);
  EXPECT_GT(on.results.back().arrival_ps, off.results.back().arrival_ps);  // the sender was slowed
  EXPECT_EQ(off.stats.offered, off.stats.delivered + off.stats.missed);
}

TEST(SimNic, Deterministic) {
  for (bool fc : {false, true}) {
    SlowRun a = run_slow(fc), b = run_slow(fc);
    ASSERT_EQ(a.results.size(), b.results.size());
    for (size_t i = 0; i < a.results.size(); i++) {
      EXPECT_EQ(a.results[i].arrival_ps, b.results[i].arrival_ps);
      EXPECT_EQ(a.results[i].queue, b.results[i].queue);
      EXPECT_EQ(a.results[i].pkt_hash, b.results[i].pkt_hash);
      EXPECT_EQ(a.results[i].status, b.results[i].status);
    }
    EXPECT_EQ(a.stats.offered, b.stats.offered);
    EXPECT_EQ(a.stats.delivered, b.stats.delivered);
    EXPECT_EQ(a.stats.missed, b.stats.missed);
    EXPECT_EQ(a.stats.pause_frames, b.stats.pause_frames);
    EXPECT_EQ(a.stats.xon_frames, b.stats.xon_frames);
    EXPECT_EQ(a.stats.virtual_ns, b.stats.virtual_ns);
  }
}

// ---------------------------------------------------------- bad configs

TEST(SimNicConfig, RejectedWithAClearError) {
  struct Case {
    const char *what;
    void (*edit)(sim::SimNicConfig &);
    const char *message_has;
  };
  const Case cases[] = {
      {"N = 0", [](sim::SimNicConfig &c) { c.num_queues = 0; }, "num_queues"},
      {"N = 65", [](sim::SimNicConfig &c) { c.num_queues = 65; }, "num_queues"},
      {"D = 0", [](sim::SimNicConfig &c) { c.descriptors = 0; }, "power of two"},
      {"D = 3", [](sim::SimNicConfig &c) { c.descriptors = 3; }, "power of two"},
      {"D = 100", [](sim::SimNicConfig &c) { c.descriptors = 100; }, "power of two"},
      {"D = 2^17", [](sim::SimNicConfig &c) { c.descriptors = 1u << 17; }, "power of two"},
      {"speed 2", [](sim::SimNicConfig &c) { c.speed = static_cast<sim::LinkSpeed>(2); }, "speed"},
      {"slot 0", [](sim::SimNicConfig &c) { c.slot_bytes = 0; }, "slot_bytes"},
      {"reta", [](sim::SimNicConfig &c) {
         std::array<uint8_t, PFC_RSS_RETA_SIZE> r{};
         r[5] = 1;
         c.reta = r;
       }, "reta entry 5"},
      {"service list", [](sim::SimNicConfig &c) { c.queue_service_ns = {1, 2}; }, "queue_service_ns"},
      {"xoff > xon", [](sim::SimNicConfig &c) {
         c.flow_control = true;
         c.xoff_free = 100;
         c.xon_free = 50;
       }, "xoff_free <= xon_free"},
      {"xon = D", [](sim::SimNicConfig &c) {
         c.flow_control = true;
         c.xon_free = c.descriptors;
       }, "xon_free < descriptors"},
      {"fc D = 1", [](sim::SimNicConfig &c) {
         c.flow_control = true;
         c.descriptors = 1;
       }, "descriptors"},
      {"quanta 0", [](sim::SimNicConfig &c) {
         c.flow_control = true;
         c.pause_quanta = 0;
       }, "pause_quanta"},
  };
  for (const Case &k : cases) {
    sim::SimNicConfig cfg;
    k.edit(cfg);
    std::string err = "unchanged";
    EXPECT_EQ(sim::SimNic::create(cfg, &err), nullptr) << k.what;
    EXPECT_NE(err.find(k.message_has), std::string::npos) << k.what << ": " << err;
    EXPECT_EQ(sim::SimNic::validate(cfg), err) << k.what;
  }
  // The defaults, and the edges that are allowed.
  EXPECT_EQ(sim::SimNic::validate({}), "");
  sim::SimNicConfig edge;
  edge.num_queues = 64;
  edge.descriptors = 1;
  edge.slot_bytes = 1;
  EXPECT_EQ(sim::SimNic::validate(edge), "");
  edge.descriptors = 2;
  edge.flow_control = true;
  EXPECT_EQ(sim::SimNic::validate(edge), "");
}

}  // namespace
