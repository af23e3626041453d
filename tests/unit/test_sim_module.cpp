// test_sim_module.cpp - the sim: module through the public API on the
// shipped capture: RSS queues, consumers, PAUSE or missed packets,
// determinism, options and their errors.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "pfring.h"
#include "unit/hw_rule_util.h"
#include "unit/pcap_writer.h"
#include "replay_pacer.h"

extern "C" {
#include "parse.h"
#include "rss.h"
}

namespace {

std::string demo() {
  const char *d = std::getenv("PFRING_TEST_DATA");
  return std::string(d ? d : "tests/data") + "/demo.pcap";
}

struct SimRun {
  uint64_t received = 0, dropped = 0;
  std::vector<uint64_t> ts;
  std::vector<uint32_t> hash;
  std::string device_json;
};

SimRun run(const std::string &dev, uint32_t flags = 0) {
  SimRun r;
  pfring *ring = pfring_open(dev.c_str(), 1536, flags);
  if (!ring) {
    char msg[256];
    pfring_get_last_error(nullptr, msg, sizeof(msg));
    ADD_FAILURE() << "cannot open " << dev << ": " << msg;
    return r;
  }
  u_char *buf;
  struct pfring_pkthdr h;
  int rc;
  while ((rc = pfring_recv(ring, &buf, 0, &h, 1)) > 0) {
    r.ts.push_back(h.extended_hdr.timestamp_ns);
    r.hash.push_back(h.extended_hdr.pkt_hash);
  }
  EXPECT_EQ(rc, PF_RING_ERROR_END_OF_FILE);
  pfring_stat st;
  EXPECT_EQ(pfring_stats(ring, &st), 0);
  r.received = st.recv;
  r.dropped = st.drop;
  char json[4096];
  EXPECT_GT(pfring_get_device_stats_json(ring, json, sizeof(json)), 0);
  r.device_json = json;
  pfring_close(ring);
  return r;
}

uint64_t json_u64(const std::string &j, const std::string &key) {
  size_t at = j.find("\"" + key + "\":");
  if (at == std::string::npos) return UINT64_MAX;
  return std::strtoull(j.c_str() + at + key.size() + 3, nullptr, 10);
}

const uint64_t kDemoPackets = 2000;

}  // namespace

TEST(SimModule, EveryPacketOnceOverFourQueues) {
  SimRun all = run("sim:" + demo() + ",queues=4");
  EXPECT_EQ(all.received, kDemoPackets);
  EXPECT_EQ(all.dropped, 0u);
  uint64_t sum = 0;
  for (int q = 0; q < 4; q++) {
    SimRun one = run("sim:" + demo() + ",queues=4@" + std::to_string(q));
    EXPECT_GT(one.received, 0u) << "queue " << q;
    sum += one.received;
  }
  EXPECT_EQ(sum, kDemoPackets);
}

// In-NIC filters on the in-process NIC, as on a testbed NIC: a five-tuple
// rule (IPv4) moves DNS (UDP port 53) to queue 3, one whose queue the NIC
// lacks drops HTTP (TCP port 80) before any queue sees it; the rest keeps its
// RSS queue. The same run without rules says how many HTTP packets there
// are; a rule given again under its rule_id replaces the first.
TEST(SimModule, HardwareRulesSteerAndDrop) {
  auto l4 = [](const u_char *buf, uint32_t caplen, uint8_t *proto, uint16_t *dport) {
    struct pkt_parsing_info p;
    std::memset(&p, 0, sizeof(p));
    uint32_t fl = 0;
    pfc_parse_pkt(buf, caplen, 4, &p, &fl);
    // 82599 five-tuple filters match IPv4 only
    *proto = p.ip_version == 4 ? p.l3_proto : 0;
    *dport = p.l4_dst_port;
  };
  auto rule = ut::five_tuple_rule;
  std::string dev = "sim:" + demo() + ",queues=4";
  uint64_t http = 0, dns = 0;
  {
    pfring *ring = pfring_open(dev.c_str(), 1536, 0);
    ASSERT_NE(ring, nullptr);
    u_char *buf;
    struct pfring_pkthdr h;
    while (pfring_recv(ring, &buf, 0, &h, 1) > 0) {
      uint8_t proto;
      uint16_t dport;
      l4(buf, h.caplen, &proto, &dport);
      http += proto == 6 && dport == 80;
      dns += proto == 17 && dport == 53;
    }
    pfring_close(ring);
  }
  ASSERT_GT(http, 0u);
  ASSERT_GT(dns, 0u);

  pfring *ring = pfring_open(dev.c_str(), 1536, 0);
  ASSERT_NE(ring, nullptr);
  hw_filtering_rule dns_rule = rule(1, 17, 53, 2), http_rule = rule(2, 6, 80, 9);
  ASSERT_EQ(pfring_add_hw_rule(ring, &dns_rule), 0);
  dns_rule.rule_family.five_tuple_rule.queue_id = 3;  // the same id: replaces
  ASSERT_EQ(pfring_add_hw_rule(ring, &dns_rule), 0);
  ASSERT_EQ(pfring_add_hw_rule(ring, &http_rule), 0);
  hw_filtering_rule absent = rule(77, 6, 1, 0);
  EXPECT_EQ(pfring_remove_hw_rule(ring, &absent), PF_RING_ERROR_NOT_FOUND);
  u_char *buf;
  struct pfring_pkthdr h;
  uint64_t got = 0, dns_on_3 = 0, http_seen = 0;
  while (pfring_recv(ring, &buf, 0, &h, 1) > 0) {
    uint8_t proto;
    uint16_t dport;
    l4(buf, h.caplen, &proto, &dport);
    got++;
    http_seen += proto == 6 && dport == 80;
    if (proto == 17 && dport == 53) dns_on_3 += h.extended_hdr.if_index == 3;
  }
  char json[4096];
  ASSERT_GT(pfring_get_device_stats_json(ring, json, sizeof(json)), 0);
  pfring_close(ring);
  EXPECT_EQ(http_seen, 0u);
  EXPECT_EQ(dns_on_3, dns);
  EXPECT_EQ(got, kDemoPackets - http);
  EXPECT_EQ(json_u64(json, "hw_dropped"), http);
}

TEST(SimModule, HashIsTheToeplitzOfTheParsedPacket) {
  pfring *ring = pfring_open(("sim:" + demo() + ",queues=4").c_str(), 1536, 0);
  ASSERT_NE(ring, nullptr);
  struct pfc_rss_table *t = static_cast<struct pfc_rss_table *>(std::malloc(sizeof(struct pfc_rss_table)));
  pfc_rss_table_init(t, pfc_rss_default_key);
  u_char *buf;
  struct pfring_pkthdr h;
  int checked = 0, nonzero = 0;
  while (pfring_recv(ring, &buf, 0, &h, 1) > 0) {
    struct pkt_parsing_info p;
    std::memset(&p, 0, sizeof(p));
    uint32_t fl = 0;
    pfc_parse_pkt(buf, h.caplen, 4, &p, &fl);
    uint8_t in[36];
    uint32_t types = PFC_RSS_ALL_TYPES;
    if (fl & PKT_FLAGS_IP_MORE_FRAG) types &= ~PFC_RSS_L4_TYPES;
    uint32_t n = pfc_rss_input(&p, types, in);
    EXPECT_EQ(h.extended_hdr.pkt_hash, n ? pfc_rss_hash(t, in, n) : 0u);
    checked++;
    nonzero += h.extended_hdr.pkt_hash != 0;
  }
  std::free(t);
  pfring_close(ring);
  EXPECT_EQ(checked, int(kDemoPackets));
  EXPECT_GT(nonzero, 1000);
}

TEST(SimModule, DeterministicAcrossRuns) {
  std::string dev = "sim:" + demo() + ",queues=4,rate=line,consumer_ns=700,ring=32";
  SimRun a = run(dev), b = run(dev);
  EXPECT_EQ(a.ts, b.ts);
  EXPECT_EQ(a.hash, b.hash);
  EXPECT_EQ(a.device_json, b.device_json);
  EXPECT_EQ(a.received, b.received);
}

TEST(SimModule, SlowConsumerWithoutFlowControlMisses) {
  SimRun r = run("sim:" + demo() + ",queues=2,rate=line,consumer_ns=1000,ring=64,fc=off");
  EXPECT_GT(r.dropped, 0u);
  EXPECT_EQ(r.received + r.dropped, kDemoPackets);  // offered = delivered + dropped
  EXPECT_EQ(json_u64(r.device_json, "offered"), kDemoPackets);
  EXPECT_EQ(json_u64(r.device_json, "delivered"), r.received);
  EXPECT_EQ(json_u64(r.device_json, "missed"), r.dropped);
  EXPECT_EQ(json_u64(r.device_json, "pause_frames"), 0u);
}

TEST(SimModule, FlowControlPausesTheSenderInsteadOfDropping) {
  SimRun off = run("sim:" + demo() + ",queues=2,rate=line,consumer_ns=1000,ring=64,fc=off");
  SimRun on = run("sim:" + demo() + ",queues=2,rate=line,consumer_ns=1000,ring=64,fc=on");
  EXPECT_EQ(on.received, kDemoPackets);
  EXPECT_EQ(on.dropped, 0u);
  EXPECT_GT(json_u64(on.device_json, "pause_frames"), 0u);
  // The sender was slowed: the run takes longer in virtual time.
  EXPECT_GT(json_u64(on.device_json, "virtual_ns"), json_u64(off.device_json, "virtual_ns"));
}

TEST(SimModule, TimestampsFollowTheRecordingAndNeverGoBackPerQueue) {
  SimRun r = run("sim:" + demo() + ",queues=1");
  ASSERT_EQ(r.ts.size(), kDemoPackets);
  for (size_t i = 1; i < r.ts.size(); i++) EXPECT_LE(r.ts[i - 1], r.ts[i]);
  EXPECT_GT(r.ts.back(), 1000000000ull);  // recorded gaps: the capture spans seconds
  SimRun fast = run("sim:" + demo() + ",queues=1,rate=x1000");
  EXPECT_LT(fast.ts.back(), r.ts.back());
}

TEST(SimModule, ChannelsAndMultichannel) {
  pfring *ring = pfring_open(("sim:" + demo() + ",queues=4").c_str(), 1536, 0);
  ASSERT_NE(ring, nullptr);
  EXPECT_EQ(pfring_get_num_rx_channels(ring), 4);
  pfring_close(ring);
  pfring *rings[MAX_NUM_RX_CHANNELS];
  u_int8_t n = pfring_open_multichannel(("sim:" + demo() + ",queues=4").c_str(), 1536, 0, rings);
  ASSERT_EQ(n, 4);  // the number of rings, as PF_RING 5.x returns it
  EXPECT_EQ(rings[4], nullptr);
  for (int i = 0; i < n; i++) pfring_close(rings[i]);
}

TEST(SimModule, BadOptionsNameWhatIsWrong) {
  struct Case {
    std::string opts, needle;
  } cases[] = {{",queues=0", "queues"}, {",queues=65", "queues"}, {",ring=100", "ring"}, {",speed=3g", "speed"},
               {",rate=fast", "rate"},  {",fc=maybe", "fc"},      {",rss=abc", "rss"},   {",color=red", "color"},
               {",consumer_ns=-1", "consumer_ns"}, {",queues", "key=value"}};
  for (const auto &c : cases) {
    errno = 0;
    EXPECT_EQ(pfring_open(("sim:" + demo() + c.opts).c_str(), 1536, 0), nullptr) << c.opts;
    EXPECT_EQ(errno, EINVAL) << c.opts;
    char msg[256];
    pfring_get_last_error(nullptr, msg, sizeof(msg));
    EXPECT_NE(std::string(msg).find(c.needle), std::string::npos) << c.opts << ": " << msg;
  }
  errno = 0;
  EXPECT_EQ(pfring_open("sim:/nonexistent/file.pcap,queues=2", 1536, 0), nullptr);
  EXPECT_EQ(errno, ENOENT);
}

TEST(SimModule, QueuePastTheLastCapturesNothing) {
  SimRun r = run("sim:" + demo() + ",queues=2@5");
  EXPECT_EQ(r.received, 0u);
}

// pfring_set/adjust_device_clock move the device clock and with it the RX
// timestamps of packets that arrive afterwards (packets already in the
// ring keep theirs, as on a NIC: at most a burst of them); hardware
// timestamps are always on.
namespace {

// Receives until a packet stamped in [lo, hi) arrives (at most 300);
// returns its timestamp, or 0.
uint64_t first_stamped_in(pfring *ring, uint64_t lo, uint64_t hi) {
  u_char *buf;
  struct pfring_pkthdr h;
  for (int i = 0; i < 300 && pfring_recv(ring, &buf, 0, &h, 1) == 1; i++)
    if (h.extended_hdr.timestamp_ns >= lo && h.extended_hdr.timestamp_ns < hi) return h.extended_hdr.timestamp_ns;
  return 0;
}

}  // namespace

TEST(SimModule, DeviceClockSetAndAdjustMoveTimestamps) {
  const uint64_t kSec = 1000000000ull;
  std::string dev = "sim:" + demo() + ",rate=line";
  pfring *ring = pfring_open(dev.c_str(), 1536, 0);
  ASSERT_NE(ring, nullptr);
  EXPECT_EQ(pfring_enable_hw_timestamp(ring, "x", 1, 1), 0);
  EXPECT_NE(first_stamped_in(ring, 0, kSec), 0u);  // a line-rate replay starts at virtual 0
  timespec set = {1000, 0};
  ASSERT_EQ(pfring_set_device_clock(ring, &set), 0);
  uint64_t after_set = first_stamped_in(ring, 1000 * kSec, 1001 * kSec);
  EXPECT_NE(after_set, 0u) << "no packet stamped by the new clock";
  timespec back = {5, 0};
  ASSERT_EQ(pfring_adjust_device_clock(ring, &back, -1), 0);
  EXPECT_NE(first_stamped_in(ring, 995 * kSec, 996 * kSec), 0u) << "no packet stamped by the adjusted clock";
  timespec c;
  ASSERT_EQ(pfring_get_device_clock(ring, &c), 0);
  EXPECT_EQ(c.tv_sec, 995);
  pfring_close(ring);
}

// Recorded gaps the software NIC's ps clock cannot hold: a frame after a
// 300-day gap was once stamped 86.5 days (the clock wrapped), and after
// 210 days dropped unseen with exit 0. Now: a gap that fits keeps its exact
// time; one that does not ends the replay with a message after the frames
// before it; a faster rate replays the same capture whole.
TEST(SimModule, RecordedGapsBeyondTheClockEndTheReplayWithAMessage) {
  ut::TempDir dir;
  ASSERT_TRUE(dir.ok());
  const uint64_t day = 86400ull * 1000000000ull;
  std::vector<pw::Record> recs(3);
  for (size_t i = 0; i < recs.size(); i++) {
    recs[i].data.assign(60, 0);
    recs[i].data[5] = uint8_t(i);
  }
  recs[0].ts_ns = 1000;
  recs[1].ts_ns = 1000 + 100 * day;  // fits
  recs[2].ts_ns = 1000 + 400 * day;  // 300 days later: beyond
  pw::PcapOptions nano;
  nano.nsec = true;
  std::string path = dir.file("gaps.pcap");
  ASSERT_TRUE(ut::write_file(path, pw::pcap_bytes(recs, nano)));
  for (const char *rate : {"", ",rate=x2"}) {
    SCOPED_TRACE(rate);
    pfring *r = pfring_open(("sim:" + path + rate).c_str(), 1536, 0);
    ASSERT_NE(r, nullptr);
    u_char *buf;
    pfring_pkthdr h;
    std::vector<uint64_t> ts;
    int rc;
    while ((rc = pfring_recv(r, &buf, 0, &h, 1)) > 0) ts.push_back(h.extended_hdr.timestamp_ns);
    char msg[512] = "";
    pfring_get_last_error(r, msg, sizeof msg);
    if (*rate == '\0') {
      EXPECT_EQ(rc, PF_RING_ERROR_INVALID_ARGUMENT);
      EXPECT_NE(std::string(msg).find("record 3: the recorded gaps reach beyond 208 days"), std::string::npos) << msg;
      ASSERT_EQ(ts.size(), 2u);
      EXPECT_GE(ts[1] - ts[0], 100 * day);  // exact gap plus a wire time, not wrapped
      EXPECT_LT(ts[1] - ts[0], 100 * day + 1000);
    } else {
      EXPECT_EQ(rc, PF_RING_ERROR_END_OF_FILE) << msg;
      ASSERT_EQ(ts.size(), 3u);
      EXPECT_GE(ts[2] - ts[1], 150 * day);  // halved
      EXPECT_LT(ts[2] - ts[1], 150 * day + 1000);
    }
    pfring_close(r);
  }
}

TEST(ReplayPacer, GapsAreExactAndNeverWrap) {
  const uint64_t day_ns = 86400ull * 1000000000ull;
  sim::ReplayPacer rec(sim::Rate::kRecorded, 1);
  EXPECT_EQ(rec.next(5), 0u);
  EXPECT_EQ(rec.next(5 + 200 * day_ns), 200 * day_ns * 1000);
  EXPECT_TRUE(rec.fits());
  rec.next(5 + 209 * day_ns);  // 209 days into the replay: beyond 2^54 ns
  EXPECT_FALSE(rec.fits());
  sim::ReplayPacer years(sim::Rate::kRecorded, 1);
  years.next(0);
  years.next(uint64_t(60) * 365 * day_ns);  // a gap whose ps do not fit 64 bits
  EXPECT_FALSE(years.fits());
  // x3: floor(gap_ps / 3), from the ns without overflow
  sim::ReplayPacer x3(sim::Rate::kScaled, 3);
  x3.next(0);
  EXPECT_EQ(x3.next(10), 3333u);
  EXPECT_EQ(x3.next(10 + uint64_t(600) * day_ns), 3333u + uint64_t(200) * day_ns * 1000);
  EXPECT_TRUE(x3.fits());
  sim::ReplayPacer line(sim::Rate::kLine, 1);
  line.next(0);
  EXPECT_EQ(line.next(uint64_t(60) * 365 * day_ns), 0u);
  EXPECT_TRUE(line.fits());
}
