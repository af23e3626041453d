// test_pcap_module.cpp - the pcap module through the public C API
// (pfring.h) on "pcap:FILE" devices: receiving from every format, the
// test's writer checked against libpcap, and the other calls (poll,
// recv_parsed, a reentrant ring). Every capture is written by the test
// into a temporary directory: classic pcap (us and ns, both byte orders)
// read in place, and pcapng read through libpcap. Missing, corrupt and
// truncated files: test_pcap_module_errors.cpp; FIFOs: test_pcap_stream.cpp.
#include <errno.h>
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "pfring.h"
#include "unit/pcap_module_fixture.h"
#include "unit/pcap_writer.h"
#include "unit/unit_util.h"

namespace {

using namespace pcapmod;

// ---- every format ---------------------------------------------------------

class PcapModuleFormat : public PcapModuleTest, public ::testing::WithParamInterface<Fmt> {
 protected:
  static constexpr size_t kN = 150;  // more than one 64-packet burst
  void SetUp() override {
    PcapModuleTest::SetUp();
    recs_ = make_records(kN);
    dev_ = device(std::string("cap.") + fmt_name(GetParam()), encode(GetParam(), recs_));
  }
  std::vector<Record> recs_;
  std::string dev_;
};

TEST_P(PcapModuleFormat, CopyAndZeroCopyGiveIdenticalBytes) {
  pfring *zc = open(dev_), *cp = open(dev_);
  ASSERT_TRUE(zc && cp);
  int zc_rc = 0, cp_rc = 0;
  auto a = recv_all(zc, 0, &zc_rc);
  auto b = recv_all(cp, 2048, &cp_rc);
  EXPECT_EQ(zc_rc, PF_RING_ERROR_END_OF_FILE);
  EXPECT_EQ(cp_rc, PF_RING_ERROR_END_OF_FILE);
  ASSERT_EQ(a.size(), kN);
  ASSERT_EQ(b.size(), kN);
  for (size_t i = 0; i < kN; i++) {
    SCOPED_TRACE(i);
    EXPECT_EQ(a[i].data, recs_[i].data);
    EXPECT_EQ(b[i].data, recs_[i].data);
    EXPECT_EQ(a[i].hdr.caplen, recs_[i].data.size());
    EXPECT_EQ(b[i].hdr.caplen, recs_[i].data.size());
    EXPECT_EQ(a[i].hdr.len, recs_[i].wire_len());
    EXPECT_EQ(b[i].hdr.len, recs_[i].wire_len());
    EXPECT_EQ(a[i].hdr.extended_hdr.rx_direction, 1);
  }
  pfring_close(zc);
  pfring_close(cp);
}

TEST_P(PcapModuleFormat, CopyCutsToBufferLen) {
  pfring *r = open(dev_);
  ASSERT_TRUE(r);
  int rc = 0;
  auto got = recv_all(r, 50, &rc);  // exact 50-byte heap buffer: ASan sees any overflow
  EXPECT_EQ(rc, PF_RING_ERROR_END_OF_FILE);
  ASSERT_EQ(got.size(), kN);
  for (size_t i = 0; i < kN; i++) {
    SCOPED_TRACE(i);
    size_t want = std::min<size_t>(50, recs_[i].data.size());
    EXPECT_EQ(got[i].hdr.caplen, want);
    EXPECT_EQ(got[i].hdr.len, recs_[i].wire_len());
    EXPECT_EQ(got[i].data, Bytes(recs_[i].data.begin(), recs_[i].data.begin() + long(want)));
  }
  pfring_close(r);
}

TEST_P(PcapModuleFormat, RingCaplenHonoured) {
  for (u_int32_t caplen : {60u, 64u, 100u}) {
    for (u_int buffer_len : {0u, 2048u}) {
      SCOPED_TRACE("caplen " + std::to_string(caplen) + " buffer_len " + std::to_string(buffer_len));
      pfring *r = open(dev_, caplen);
      ASSERT_TRUE(r);
      int rc = 0;
      auto got = recv_all(r, buffer_len, &rc);
      EXPECT_EQ(rc, PF_RING_ERROR_END_OF_FILE);
      ASSERT_EQ(got.size(), kN);
      for (size_t i = 0; i < kN; i++) {
        size_t want = std::min<size_t>(caplen, recs_[i].data.size());
        EXPECT_EQ(got[i].hdr.caplen, want) << i;
        EXPECT_EQ(got[i].hdr.len, recs_[i].wire_len()) << i;
        EXPECT_EQ(got[i].data, Bytes(recs_[i].data.begin(), recs_[i].data.begin() + long(want))) << i;
      }
      pfring_close(r);
    }
  }
}

TEST_P(PcapModuleFormat, Timestamps) {
  pfring *r = open(dev_);
  ASSERT_TRUE(r);
  int rc = 0;
  auto got = recv_all(r, 0, &rc);
  ASSERT_EQ(got.size(), kN);
  for (size_t i = 0; i < kN; i++) {
    SCOPED_TRACE(i);
    uint64_t ns = expected_ns(GetParam(), recs_[i]);
    EXPECT_EQ(got[i].hdr.extended_hdr.timestamp_ns, ns);
    EXPECT_EQ(uint64_t(got[i].hdr.ts.tv_sec), ns / 1000000000ull);
    EXPECT_EQ(uint64_t(got[i].hdr.ts.tv_usec), ns % 1000000000ull / 1000ull);
  }
  pfring_close(r);
}

TEST_P(PcapModuleFormat, EndOfFileIsRepeatable) {
  pfring *r = open(dev_);
  ASSERT_TRUE(r);
  int rc = 0;
  auto got = recv_all(r, 0, &rc, 1);  // waiting for packets must not block at the end
  EXPECT_EQ(got.size(), kN);
  EXPECT_EQ(rc, PF_RING_ERROR_END_OF_FILE);
  for (int i = 0; i < 5; i++) {
    u_char *buf = nullptr;
    pfring_pkthdr h;
    EXPECT_EQ(pfring_recv(r, &buf, 0, &h, i % 2), PF_RING_ERROR_END_OF_FILE);
    u_char *bufs[4];
    pfring_pkthdr hdrs[4];
    EXPECT_EQ(pfring_recv_burst(r, bufs, hdrs, 4, i % 2), PF_RING_ERROR_END_OF_FILE);
  }
  pfring_close(r);
}

TEST_P(PcapModuleFormat, LoopDeliversEveryPacketThenReturnsZero) {
  pfring *r = open(dev_);
  ASSERT_TRUE(r);
  LoopState s;
  s.ring = r;
  EXPECT_EQ(pfring_loop(r, loop_cb, reinterpret_cast<const u_char *>(&s), 1), 0);
  ASSERT_EQ(s.tags.size(), kN);
  for (size_t i = 0; i < kN; i++) {
    EXPECT_EQ(s.tags[i], i);
    EXPECT_EQ(s.caplens[i], recs_[i].data.size());
  }
  // Again at the end: nothing more, still 0.
  EXPECT_EQ(pfring_loop(r, loop_cb, reinterpret_cast<const u_char *>(&s), 0), 0);
  EXPECT_EQ(s.tags.size(), kN);
  pfring_close(r);
}

TEST_P(PcapModuleFormat, BreakloopFromCallback) {
  for (size_t k : {size_t(1), size_t(5), size_t(64), size_t(65), kN - 1}) {
    SCOPED_TRACE(k);
    pfring *r = open(dev_);
    ASSERT_TRUE(r);
    LoopState s;
    s.ring = r;
    s.break_after = k;
    EXPECT_EQ(pfring_loop(r, loop_cb, reinterpret_cast<const u_char *>(&s), 1), 0);
    ASSERT_EQ(s.tags.size(), k);
    for (size_t i = 0; i < k; i++) EXPECT_EQ(s.tags[i], i);
    // The packets after the break are not lost.
    u_char *buf = nullptr;
    pfring_pkthdr h;
    ASSERT_EQ(pfring_recv(r, &buf, 0, &h, 0), 1);
    EXPECT_EQ(ut::frame_tag(buf, h.caplen), k);
    pfring_close(r);
  }
}

TEST_P(PcapModuleFormat, RecvBurst) {
  for (u_int max : {1u, 7u, 64u, 1000u}) {
    SCOPED_TRACE(max);
    pfring *r = open(dev_);
    ASSERT_TRUE(r);
    std::vector<u_char *> bufs(max);
    std::vector<pfring_pkthdr> hdrs(max);
    size_t total = 0;
    int rc;
    for (int guard = 0; guard < 10000; guard++) {
      rc = pfring_recv_burst(r, bufs.data(), hdrs.data(), max, 0);
      if (rc <= 0) break;
      ASSERT_LE(u_int(rc), max);
      // Every pointer of the burst is still valid and right after the call.
      for (int j = 0; j < rc; j++) {
        ASSERT_LT(total + j, kN);
        const Record &want = recs_[total + j];
        ASSERT_EQ(hdrs[j].caplen, want.data.size());
        EXPECT_EQ(hdrs[j].len, want.wire_len());
        EXPECT_EQ(Bytes(bufs[j], bufs[j] + hdrs[j].caplen), want.data) << total + j;
        EXPECT_EQ(hdrs[j].extended_hdr.timestamp_ns, expected_ns(GetParam(), want));
      }
      total += size_t(rc);
    }
    EXPECT_EQ(rc, PF_RING_ERROR_END_OF_FILE);
    EXPECT_EQ(total, kN);
    pfring_close(r);
  }
}

TEST_P(PcapModuleFormat, StatsCountDelivered) {
  pfring *r = open(dev_);
  ASSERT_TRUE(r);
  pfring_stat st;
  ASSERT_EQ(pfring_stats(r, &st), 0);
  EXPECT_EQ(st.recv, 0u);
  EXPECT_EQ(st.drop, 0u);
  u_char *buf = nullptr;
  pfring_pkthdr h;
  for (int i = 0; i < 10; i++) ASSERT_EQ(pfring_recv(r, &buf, 0, &h, 0), 1);
  ASSERT_EQ(pfring_stats(r, &st), 0);
  EXPECT_EQ(st.recv, 10u);
  EXPECT_EQ(st.drop, 0u);
  int rc = 0;
  recv_all(r, 0, &rc);
  ASSERT_EQ(pfring_stats(r, &st), 0);
  EXPECT_EQ(st.recv, kN);
  EXPECT_EQ(st.drop, 0u);
  pfring_close(r);
}

TEST_P(PcapModuleFormat, NextPktTime) {
  pfring *r = open(dev_);
  ASSERT_TRUE(r);
  for (size_t i = 0; i < kN; i++) {
    SCOPED_TRACE(i);
    struct timespec ts = {0, 0};
    u_int64_t raw = 0;
    int rc = pfring_next_pkt_time(r, &ts);
    int rrc = pfring_next_pkt_raw_timestamp(r, &raw);
    u_char *buf = nullptr;
    pfring_pkthdr h;
    ASSERT_EQ(pfring_recv(r, &buf, 0, &h, 0), 1);
    if (GetParam() == Fmt::kPcapng && rc == PF_RING_ERROR_NOT_SUPPORTED) {
      // libpcap cannot look ahead; the header allows "another negative code".
      EXPECT_EQ(rrc, PF_RING_ERROR_NOT_SUPPORTED);
      continue;
    }
    ASSERT_EQ(rc, 0);
    ASSERT_EQ(rrc, 0);
    uint64_t want = expected_ns(GetParam(), recs_[i]);
    EXPECT_EQ(uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec), want);
    EXPECT_EQ(raw, want);
    EXPECT_EQ(h.extended_hdr.timestamp_ns, want);
  }
  struct timespec ts;
  int end_rc = pfring_next_pkt_time(r, &ts);
  if (GetParam() == Fmt::kPcapng && end_rc == PF_RING_ERROR_NOT_SUPPORTED) end_rc = PF_RING_ERROR_END_OF_FILE;
  EXPECT_EQ(end_rc, PF_RING_ERROR_END_OF_FILE);
  pfring_close(r);
}

TEST_P(PcapModuleFormat, QueueZeroIsTheFileOtherQueuesAreEmpty) {
  pfring *q0 = open(dev_ + "@0");
  ASSERT_TRUE(q0);
  int rc = 0;
  EXPECT_EQ(recv_all(q0, 0, &rc).size(), kN);
  EXPECT_EQ(rc, PF_RING_ERROR_END_OF_FILE);
  pfring_close(q0);
  // Guide 8.3: a queue that does not exist captures nothing.
  for (const char *q : {"@1", "@7"}) {
    pfring *r = open(dev_ + q);
    ASSERT_TRUE(r);
    u_char *buf = nullptr;
    pfring_pkthdr h;
    EXPECT_EQ(pfring_recv(r, &buf, 0, &h, 1), PF_RING_ERROR_END_OF_FILE);
    EXPECT_EQ(pfring_recv(r, &buf, 0, &h, 0), PF_RING_ERROR_END_OF_FILE);
    LoopState s;
    s.ring = r;
    EXPECT_EQ(pfring_loop(r, loop_cb, reinterpret_cast<const u_char *>(&s), 1), 0);
    EXPECT_TRUE(s.tags.empty());
    pfring_stat st;
    ASSERT_EQ(pfring_stats(r, &st), 0);
    EXPECT_EQ(st.recv, 0u);
    pfring_close(r);
  }
}

TEST_P(PcapModuleFormat, DeviceStatsJson) {
  pfring *r = open(dev_);
  ASSERT_TRUE(r);
  int rc = 0;
  recv_all(r, 0, &rc);
  char buf[1024];
  int n = pfring_get_device_stats_json(r, buf, sizeof buf);
  ASSERT_GT(n, 0);
  std::string s(buf);
  EXPECT_EQ(size_t(n), s.size());
  EXPECT_EQ(s.front(), '{');
  EXPECT_EQ(s.back(), '}');
  EXPECT_TRUE(contains(s, "\"packets\":" + std::to_string(kN))) << s;
  EXPECT_TRUE(ut::JsonChecker::valid(s)) << s;
  // Too small a buffer is refused, with nothing overrun.
  std::unique_ptr<char[]> small(new char[size_t(n)]);
  errno = 0;
  EXPECT_EQ(pfring_get_device_stats_json(r, small.get(), size_t(n)), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(errno, EINVAL);
  pfring_close(r);
}

TEST_F(PcapModuleTest, DeviceStatsJsonEscapesThePath) {
  // A file name with a quote, a backslash and a control character.
  std::string dev = device("q\"b\\s\x01.pcap", pw::pcap_bytes(make_records(2)));
  pfring *r = open(dev);
  ASSERT_TRUE(r);
  char buf[1024];
  ASSERT_GT(pfring_get_device_stats_json(r, buf, sizeof buf), 0);
  std::string s(buf);
  EXPECT_TRUE(ut::JsonChecker::valid(s)) << s;
  EXPECT_TRUE(contains(s, "\"packets\":0")) << s;
  // The checker itself rejects what it should.
  EXPECT_FALSE(ut::JsonChecker::valid("{\"a\":\"x\"y\"}"));
  EXPECT_FALSE(ut::JsonChecker::valid("{\"a\":1,}"));
  EXPECT_FALSE(ut::JsonChecker::valid("{\"a\":\"\x01\"}"));
  EXPECT_TRUE(ut::JsonChecker::valid("{\"a\":[1,-2.5e3,true,null,\"\\u0001\"]}"));
  pfring_close(r);
}

INSTANTIATE_TEST_SUITE_P(AllFormats, PcapModuleFormat,
                         ::testing::Values(Fmt::kUs, Fmt::kNs, Fmt::kUsSwapped, Fmt::kNsSwapped, Fmt::kPcapng),
                         [](const ::testing::TestParamInfo<Fmt> &i) { return std::string(fmt_name(i.param)); });

// ---- the test's writer against libpcap ----------------------------------------

// Files libpcap itself writes (pcap_dump, us and ns) read back exactly.
TEST_F(PcapModuleTest, FilesWrittenByLibpcap) {
  auto recs = make_records(20);
  for (bool nsec : {false, true}) {
    SCOPED_TRACE(nsec ? "ns" : "us");
    std::string path = dir_.file(nsec ? "libpcap_ns.pcap" : "libpcap_us.pcap");
    pcap_t *dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535,
                                                        nsec ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
    ASSERT_NE(dead, nullptr);
    pcap_dumper_t *d = pcap_dump_open(dead, path.c_str());
    ASSERT_NE(d, nullptr) << pcap_geterr(dead);
    for (const Record &r : recs) {
      struct pcap_pkthdr h;
      h.ts.tv_sec = time_t(r.ts_ns / 1000000000ull);
      uint64_t frac = r.ts_ns % 1000000000ull;
      h.ts.tv_usec = suseconds_t(nsec ? frac : frac / 1000);
      h.caplen = uint32_t(r.data.size());
      h.len = r.wire_len();
      pcap_dump(reinterpret_cast<u_char *>(d), &h, r.data.data());
    }
    pcap_dump_close(d);
    pcap_close(dead);

    pfring *ring = open("pcap:" + path);
    ASSERT_TRUE(ring);
    int rc = 0;
    auto got = recv_all(ring, 0, &rc);
    EXPECT_EQ(rc, PF_RING_ERROR_END_OF_FILE);
    ASSERT_EQ(got.size(), recs.size());
    for (size_t i = 0; i < recs.size(); i++) {
      EXPECT_EQ(got[i].data, recs[i].data) << i;
      EXPECT_EQ(got[i].hdr.len, recs[i].wire_len()) << i;
      EXPECT_EQ(got[i].hdr.extended_hdr.timestamp_ns, nsec ? recs[i].ts_ns : recs[i].ts_ns / 1000 * 1000) << i;
    }
    pfring_close(ring);
  }
}

// libpcap reads the test's pcapng and classic files as the test means them.
TEST_F(PcapModuleTest, WriterAgreesWithLibpcap) {
  auto recs = make_records(10);
  for (Fmt f : {Fmt::kUs, Fmt::kNsSwapped, Fmt::kPcapng}) {
    SCOPED_TRACE(fmt_name(f));
    std::string path = dir_.file(std::string("check.") + fmt_name(f));
    ASSERT_TRUE(ut::write_file(path, encode(f, recs)));
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
    ASSERT_NE(p, nullptr) << errbuf;
    EXPECT_EQ(pcap_datalink(p), DLT_EN10MB);
    for (size_t i = 0; i < recs.size(); i++) {
      struct pcap_pkthdr *h;
      const u_char *data;
      ASSERT_EQ(pcap_next_ex(p, &h, &data), 1) << i;
      EXPECT_EQ(h->caplen, recs[i].data.size());
      EXPECT_EQ(h->len, recs[i].wire_len());
      EXPECT_EQ(Bytes(data, data + h->caplen), recs[i].data);
      EXPECT_EQ(uint64_t(h->ts.tv_sec) * 1000000000ull + uint64_t(h->ts.tv_usec), expected_ns(f, recs[i]));
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    EXPECT_EQ(pcap_next_ex(p, &h, &data), PCAP_ERROR_BREAK);
    pcap_close(p);
  }
}

// ---- other calls ----------------------------------------------------------------

TEST_F(PcapModuleTest, FileSnaplenCapsCaplen) {
  auto recs = make_records(4);
  pw::PcapOptions o;
  o.snaplen = 64;
  std::string dev = device("snap64.pcap", pw::pcap_bytes(recs, o));
  pfring *r = open(dev, 1518);
  ASSERT_TRUE(r);
  int rc = 0;
  auto got = recv_all(r, 0, &rc);
  ASSERT_EQ(got.size(), recs.size());
  for (size_t i = 0; i < recs.size(); i++) {
    size_t want = std::min<size_t>(64, recs[i].data.size());
    EXPECT_EQ(got[i].hdr.caplen, want);
    EXPECT_EQ(got[i].hdr.len, recs[i].wire_len());
    EXPECT_EQ(got[i].data, Bytes(recs[i].data.begin(), recs[i].data.begin() + long(want)));
  }
  pfring_close(r);
}

TEST_F(PcapModuleTest, PollReturnsOne) {
  std::string dev = device("poll.pcap", pw::pcap_bytes(make_records(3)));
  for (u_int wait : {0u, 1000u}) {
    pfring *r = open(dev);
    ASSERT_TRUE(r);
    EXPECT_EQ(pfring_poll(r, wait), 1);
    u_char *buf = nullptr;
    pfring_pkthdr h;
    ASSERT_EQ(pfring_recv(r, &buf, 0, &h, 0), 1);
    EXPECT_EQ(pfring_poll(r, wait), 1);
    int rc = 0;
    recv_all(r, 0, &rc);
    // The end of a finite device counts as ready.
    EXPECT_EQ(pfring_poll(r, wait), 1);
    pfring_close(r);
  }
}

TEST_F(PcapModuleTest, RecvParsedFillsParsedPktAndSymmetricHash) {
  ut::Flow f;
  f.proto = 6;
  f.sip = 0x0a000001;
  f.dip = 0xc0a80102;
  f.sport = 40000;
  f.dport = 443;
  ut::Ip6 a{}, b{};
  a[0] = 0x20;
  a[1] = 0x01;
  a[15] = 1;
  b[0] = 0x20;
  b[1] = 0x01;
  b[15] = 2;
  std::vector<Record> recs = {
      {ut::ipv4_frame(f, 0), kBaseNs, 0},
      {ut::ipv4_frame(f.reversed(), 1, 18, false), kBaseNs + 1000, 0},
      {ut::ipv6_frame(17, a, b, 5353, 53, 2), kBaseNs + 2000, 0},
      {ut::ipv6_frame(17, b, a, 53, 5353, 3), kBaseNs + 3000, 0},
  };
  std::string dev = device("parsed.pcap", pw::pcap_bytes(recs));
  pfring *r = open(dev);
  ASSERT_TRUE(r);
  std::vector<pfring_pkthdr> h(recs.size());
  for (size_t i = 0; i < recs.size(); i++) {
    u_char *buf = nullptr;
    std::memset(&h[i], 0, sizeof h[i]);
    ASSERT_EQ(pfring_recv_parsed(r, &buf, 0, &h[i], 0, 4, 1, 1), 1);
    EXPECT_EQ(Bytes(buf, buf + h[i].caplen), recs[i].data);
  }
  const pkt_parsing_info &p0 = h[0].extended_hdr.parsed_pkt;
  EXPECT_EQ(p0.eth_type, 0x0800);
  EXPECT_EQ(p0.ip_version, 4);
  EXPECT_EQ(p0.l3_proto, 6);
  EXPECT_EQ(p0.ip_src.v4, 0x0a000001u);
  EXPECT_EQ(p0.ip_dst.v4, 0xc0a80102u);
  EXPECT_EQ(p0.l4_src_port, 40000);
  EXPECT_EQ(p0.l4_dst_port, 443);
  EXPECT_EQ(p0.tcp.seq_num, 1000u);
  EXPECT_EQ(p0.tcp.ack_num, 2000u);
  EXPECT_EQ(p0.tcp.flags, 0x18);
  EXPECT_EQ(p0.offset.l3_offset, 14);
  EXPECT_EQ(p0.offset.l4_offset, 34);
  EXPECT_EQ(p0.offset.payload_offset, 54);
  EXPECT_EQ(0, std::memcmp(p0.smac, ut::kMacA.data(), 6));
  EXPECT_EQ(0, std::memcmp(p0.dmac, ut::kMacB.data(), 6));
  const pkt_parsing_info &p1 = h[1].extended_hdr.parsed_pkt;
  EXPECT_EQ(p1.l4_src_port, 443);
  EXPECT_EQ(p1.l4_dst_port, 40000);
  const pkt_parsing_info &p2 = h[2].extended_hdr.parsed_pkt;
  EXPECT_EQ(p2.ip_version, 6);
  EXPECT_EQ(p2.l3_proto, 17);
  EXPECT_EQ(0, std::memcmp(p2.ip_src.v6.s6_addr, a.data(), 16));
  EXPECT_EQ(p2.l4_src_port, 5353);
  EXPECT_EQ(p2.l4_dst_port, 53);
  EXPECT_EQ(p2.offset.l4_offset, 54);
  // add_hash: both directions of a flow hash alike, different flows differ.
  EXPECT_NE(h[0].extended_hdr.pkt_hash, 0u);
  EXPECT_EQ(h[0].extended_hdr.pkt_hash, h[1].extended_hdr.pkt_hash);
  EXPECT_EQ(h[2].extended_hdr.pkt_hash, h[3].extended_hdr.pkt_hash);
  EXPECT_NE(h[0].extended_hdr.pkt_hash, h[2].extended_hdr.pkt_hash);
  // add_timestamp keeps a timestamp that is already there.
  EXPECT_EQ(h[0].ts.tv_sec, time_t(kBaseNs / 1000000000ull));
  EXPECT_EQ(h[3].extended_hdr.timestamp_ns, kBaseNs + 3000);
  pfring_close(r);
}

// pfring.h: the whole packet is parsed before caplen or buffer_len cut it.
TEST_F(PcapModuleTest, RecvParsedSeesTheWholePacket) {
  ut::Flow f;
  f.proto = 17;
  f.sport = 5000;
  f.dport = 6000;
  std::vector<Record> recs = {{ut::ipv4_frame(f, 0, 100), kBaseNs, 0}, {ut::ipv4_frame(f, 1, 100), kBaseNs + 1, 0}};
  std::string dev = device("whole.pcap", pw::pcap_bytes(recs));
  pfring *r = open(dev, 20);  // the ring keeps 20 bytes: not even the IP header
  ASSERT_TRUE(r);
  pfring_pkthdr h;
  std::memset(&h, 0, sizeof h);
  u_char *buf = nullptr;
  ASSERT_EQ(pfring_recv_parsed(r, &buf, 0, &h, 0, 4, 0, 1), 1);
  EXPECT_EQ(h.caplen, 20u);
  EXPECT_EQ(h.extended_hdr.parsed_pkt.ip_version, 4);
  EXPECT_EQ(h.extended_hdr.parsed_pkt.l3_proto, 17);
  EXPECT_EQ(h.extended_hdr.parsed_pkt.l4_src_port, 5000);
  EXPECT_EQ(h.extended_hdr.parsed_pkt.l4_dst_port, 6000);
  EXPECT_EQ(h.extended_hdr.parsed_pkt.offset.payload_offset, 42);
  EXPECT_NE(h.extended_hdr.pkt_hash, 0u);
  // A copy into 10 bytes: the same.
  std::unique_ptr<u_char[]> small(new u_char[10]);
  buf = small.get();
  std::memset(&h, 0, sizeof h);
  ASSERT_EQ(pfring_recv_parsed(r, &buf, 10, &h, 0, 4, 0, 0), 1);
  EXPECT_EQ(h.caplen, 10u);
  EXPECT_EQ(h.extended_hdr.parsed_pkt.l4_dst_port, 6000);
  EXPECT_EQ(Bytes(buf, buf + 10), Bytes(recs[1].data.begin(), recs[1].data.begin() + 10));
  pfring_close(r);
}

TEST_F(PcapModuleTest, RecvParsedWithoutHashLeavesItZero) {
  std::string dev = device("nohash.pcap", pw::pcap_bytes(make_records(2)));
  pfring *r = open(dev);
  ASSERT_TRUE(r);
  u_char *buf = nullptr;
  pfring_pkthdr h;
  std::memset(&h, 0, sizeof h);
  ASSERT_EQ(pfring_recv_parsed(r, &buf, 0, &h, 0, 4, 0, 0), 1);
  EXPECT_EQ(h.extended_hdr.pkt_hash, 0u);
  EXPECT_EQ(h.extended_hdr.parsed_pkt.l4_dst_port, 80);
  // Level 2 stops before IP.
  ASSERT_EQ(pfring_recv_parsed(r, &buf, 0, &h, 0, 2, 0, 0), 1);
  EXPECT_EQ(h.extended_hdr.parsed_pkt.eth_type, 0x0800);
  EXPECT_EQ(h.extended_hdr.parsed_pkt.ip_version, 0);
  EXPECT_EQ(h.extended_hdr.parsed_pkt.l4_dst_port, 0);
  pfring_close(r);
}

// Two threads share a PF_RING_REENTRANT ring: every packet reaches exactly one.
TEST_F(PcapModuleTest, ReentrantRingSharedByTwoThreads) {
  const size_t kN = 3000;
  auto recs = make_records(kN);
  for (Fmt fmt : {Fmt::kUs, Fmt::kPcapng}) {
    SCOPED_TRACE(fmt_name(fmt));
    std::string dev = device(std::string("mt.") + fmt_name(fmt), encode(fmt, recs));
    pfring *r = open(dev, 1518, PF_RING_REENTRANT);
    ASSERT_TRUE(r);
    std::vector<uint32_t> seen[2];
    int final_rc[2] = {0, 0};
    auto worker = [&](int id) {
      std::unique_ptr<u_char[]> buf(new u_char[2048]);
      for (;;) {
        u_char *b = buf.get();
        pfring_pkthdr h;
        int rc = pfring_recv(r, &b, 2048, &h, 1);
        if (rc != 1) {
          final_rc[id] = rc;
          return;
        }
        uint32_t tag = ut::frame_tag(b, h.caplen);
        // The bytes belong together with the header they came with.
        if (tag < kN && h.caplen != recs[tag].data.size()) tag = UINT32_MAX - 1;
        seen[id].push_back(tag);
      }
    };
    std::thread t0(worker, 0), t1(worker, 1);
    t0.join();
    t1.join();
    EXPECT_EQ(final_rc[0], PF_RING_ERROR_END_OF_FILE);
    EXPECT_EQ(final_rc[1], PF_RING_ERROR_END_OF_FILE);
    std::vector<uint32_t> all(seen[0]);
    all.insert(all.end(), seen[1].begin(), seen[1].end());
    std::sort(all.begin(), all.end());
    ASSERT_EQ(all.size(), kN);
    for (size_t i = 0; i < kN; i++) ASSERT_EQ(all[i], i);
    // Each thread saw its packets in file order.
    for (auto &v : seen) EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
    pfring_stat st;
    ASSERT_EQ(pfring_stats(r, &st), 0);
    EXPECT_EQ(st.recv, kN);
    pfring_close(r);
  }
}

}  // namespace
