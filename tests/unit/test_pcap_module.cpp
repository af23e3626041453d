// test_pcap_module.cpp - the pcap module through the public C API
// (pfring.h) on "pcap:FILE" devices. Every capture is written by the test
// into a temporary directory: classic pcap (us and ns, both byte orders)
// read in place, and pcapng read through libpcap.
#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "pfring.h"
#include "unit/pcap_writer.h"
#include "unit/unit_util.h"

namespace {

using pw::Bytes;
using pw::Record;

enum class Fmt { kUs, kNs, kUsSwapped, kNsSwapped, kPcapng };

const char *fmt_name(Fmt f) {
  switch (f) {
    case Fmt::kUs: return "pcap_us";
    case Fmt::kNs: return "pcap_ns";
    case Fmt::kUsSwapped: return "pcap_us_swapped";
    case Fmt::kNsSwapped: return "pcap_ns_swapped";
    case Fmt::kPcapng: return "pcapng";
  }
  return "?";
}

bool ns_precision(Fmt f) { return f != Fmt::kUs && f != Fmt::kUsSwapped; }

Bytes encode(Fmt f, const std::vector<Record> &recs) {
  if (f == Fmt::kPcapng) return pw::pcapng_bytes(recs);
  pw::PcapOptions o;
  o.nsec = ns_precision(f);
  o.swapped = f == Fmt::kUsSwapped || f == Fmt::kNsSwapped;
  return pw::pcap_bytes(recs, o);
}

const uint64_t kBaseNs = 1700000000ull * 1000000000ull;

// n packets of varied size and protocol; packet i carries tag i. Every 10th
// was cut by the capturing tool (wire length > captured length).
std::vector<Record> make_records(size_t n) {
  static const uint16_t kDports[] = {80, 53, 443};
  std::vector<Record> recs;
  for (size_t i = 0; i < n; i++) {
    ut::Flow f;
    f.proto = i % 3 == 1 ? 17 : 6;
    f.sport = uint16_t(1000 + i % 5);
    f.dport = kDports[i % 3];
    Record r;
    r.data = ut::ipv4_frame(f, uint32_t(i), 4 + (i * 37) % 400);
    r.ts_ns = kBaseNs + i * 123456789ull + 7;
    r.orig_len = i % 10 == 9 ? uint32_t(r.data.size() + 100) : 0;
    recs.push_back(r);
  }
  return recs;
}

uint64_t expected_ns(Fmt f, const Record &r) { return ns_precision(f) ? r.ts_ns : r.ts_ns / 1000 * 1000; }

std::string last_error(pfring *r) {
  char buf[PFRING_ERRBUF_SIZE * 4];
  pfring_get_last_error(r, buf, sizeof buf);
  return buf;
}

bool contains(const std::string &s, const std::string &sub) { return s.find(sub) != std::string::npos; }

struct Got {
  Bytes data;
  pfring_pkthdr hdr;
};

// Receives until recv stops returning 1; *final gets what it returned then.
// buffer_len 0: zero copy; otherwise into an exact-size heap buffer.
std::vector<Got> recv_all(pfring *ring, u_int buffer_len, int *final_rc, u_int8_t wait = 0) {
  std::vector<Got> out;
  std::unique_ptr<u_char[]> storage(buffer_len ? new u_char[buffer_len] : nullptr);
  for (int guard = 0; guard < 1000000; guard++) {
    u_char *buf = storage.get();
    Got g;
    std::memset(&g.hdr, 0, sizeof g.hdr);
    int rc = pfring_recv(ring, &buf, buffer_len, &g.hdr, wait);
    if (rc != 1) {
      *final_rc = rc;
      return out;
    }
    g.data.assign(buf, buf + g.hdr.caplen);
    out.push_back(std::move(g));
  }
  *final_rc = 99;
  return out;
}

class PcapModuleTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.ok()); }
  // Writes bytes into the temp dir; returns the device name "pcap:PATH".
  std::string device(const std::string &file, const Bytes &bytes) {
    std::string path = dir_.file(file);
    EXPECT_TRUE(ut::write_file(path, bytes));
    return "pcap:" + path;
  }
  pfring *open(const std::string &dev, u_int32_t caplen = 1518, u_int32_t flags = 0) {
    pfring *r = pfring_open(dev.c_str(), caplen, flags);
    EXPECT_NE(r, nullptr) << dev << ": " << last_error(nullptr);
    return r;
  }
  ut::TempDir dir_;
};

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

struct LoopState {
  std::vector<uint32_t> tags;
  std::vector<uint32_t> caplens;
  pfring *ring = nullptr;
  size_t break_after = 0;  // 0: never
};

void loop_cb(const struct pfring_pkthdr *h, const u_char *p, const u_char *user) {
  auto *s = const_cast<LoopState *>(reinterpret_cast<const LoopState *>(user));
  s->tags.push_back(ut::frame_tag(p, h->caplen));
  s->caplens.push_back(h->caplen);
  if (s->break_after && s->tags.size() == s->break_after) pfring_breakloop(s->ring);
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

// ---- corrupt and truncated captures ----------------------------------------

class TruncatedCapture : public PcapModuleTest, public ::testing::WithParamInterface<Fmt> {};

// Cuts the last record: inside its data, and inside its header.
TEST_P(TruncatedCapture, GoodPacketsThenCorruptInput) {
  const size_t kN = 5;
  auto recs = make_records(kN);
  Bytes full = encode(GetParam(), recs);
  size_t last_len = GetParam() == Fmt::kPcapng ? 32 + (recs.back().data.size() + 3) / 4 * 4 : 16 + recs.back().data.size();
  struct Cut {
    const char *what;
    size_t keep_of_last;
  } cuts[] = {{"data", last_len - 10}, {"header", 9}};
  for (const Cut &c : cuts) {
    SCOPED_TRACE(c.what);
    Bytes file(full.begin(), full.end() - long(last_len - c.keep_of_last));
    std::string dev = device(std::string("trunc_") + c.what + "." + fmt_name(GetParam()), file);
    std::string path = dev.substr(5);

    pfring *r = open(dev);
    ASSERT_TRUE(r);
    int rc = 0;
    auto got = recv_all(r, 0, &rc, 1);
    ASSERT_EQ(got.size(), kN - 1);
    for (size_t i = 0; i < kN - 1; i++) EXPECT_EQ(got[i].data, recs[i].data);
    EXPECT_EQ(rc, PF_RING_ERROR_CORRUPT_INPUT);
    std::string err = last_error(r);
    EXPECT_TRUE(contains(err, path)) << "pfring_get_last_error: '" << err << "'";
    // It stays corrupt; no crash, no more packets.
    u_char *buf = nullptr;
    pfring_pkthdr h;
    EXPECT_EQ(pfring_recv(r, &buf, 0, &h, 0), PF_RING_ERROR_CORRUPT_INPUT);
    EXPECT_EQ(pfring_recv(r, &buf, 0, &h, 1), PF_RING_ERROR_CORRUPT_INPUT);
    pfring_close(r);

    // pfring_loop: every good packet, then a negative code.
    r = open(dev);
    ASSERT_TRUE(r);
    LoopState s;
    s.ring = r;
    int lrc = pfring_loop(r, loop_cb, reinterpret_cast<const u_char *>(&s), 1);
    EXPECT_LT(lrc, 0);
    EXPECT_EQ(lrc, PF_RING_ERROR_CORRUPT_INPUT);
    EXPECT_EQ(s.tags.size(), kN - 1);
    err = last_error(r);
    EXPECT_TRUE(contains(err, path)) << "pfring_get_last_error after pfring_loop: '" << err << "'";
    char json[1024];
    ASSERT_GT(pfring_get_device_stats_json(r, json, sizeof json), 0);
    EXPECT_TRUE(contains(json, "\"corrupt\":true")) << json;
    pfring_close(r);
  }
}

// The first record is already bad: nothing is delivered, the error names the file.
TEST_P(TruncatedCapture, FirstRecordBad) {
  auto recs = make_records(1);
  Bytes full = encode(GetParam(), recs);
  Bytes file(full.begin(), full.end() - 6);
  std::string dev = device(std::string("first.") + fmt_name(GetParam()), file);
  pfring *r = open(dev);
  ASSERT_TRUE(r);
  int rc = 0;
  auto got = recv_all(r, 0, &rc);
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(rc, PF_RING_ERROR_CORRUPT_INPUT);
  EXPECT_TRUE(contains(last_error(r), dev.substr(5))) << last_error(r);
  pfring_close(r);
}

INSTANTIATE_TEST_SUITE_P(AllFormats, TruncatedCapture,
                         ::testing::Values(Fmt::kUs, Fmt::kNsSwapped, Fmt::kPcapng),
                         [](const ::testing::TestParamInfo<Fmt> &i) { return std::string(fmt_name(i.param)); });

TEST_F(PcapModuleTest, ClassicRecordTooLargeIsCorrupt) {
  auto recs = make_records(3);
  Bytes file = pw::pcap_header();
  pw::append_record(file, recs[0]);
  pw::append_record(file, recs[1], {}, 262145);  // claims more than libpcap accepts
  std::string dev = device("big.pcap", file);
  pfring *r = open(dev);
  ASSERT_TRUE(r);
  int rc = 0;
  auto got = recv_all(r, 0, &rc);
  EXPECT_EQ(got.size(), 1u);
  EXPECT_EQ(rc, PF_RING_ERROR_CORRUPT_INPUT);
  pfring_close(r);
}

TEST_F(PcapModuleTest, CorruptPcapngBlockLength) {
  auto recs = make_records(3);
  Bytes file = pw::pcapng_bytes(recs);
  // The third EPB's total length (after SHB 28 + IDB 32 + two EPBs) says 12:
  // shorter than any EPB.
  size_t off = 28 + 32;
  for (int i = 0; i < 2; i++) off += 32 + (recs[i].data.size() + 3) / 4 * 4;
  file[off + 4] = 12;
  file[off + 5] = file[off + 6] = file[off + 7] = 0;
  std::string dev = device("badlen.pcapng", file);
  pfring *r = open(dev);
  ASSERT_TRUE(r);
  int rc = 0;
  auto got = recv_all(r, 0, &rc);
  EXPECT_EQ(got.size(), 2u);
  EXPECT_EQ(rc, PF_RING_ERROR_CORRUPT_INPUT);
  std::string err = last_error(r);
  EXPECT_TRUE(contains(err, dev.substr(5))) << err;
  pfring_close(r);
}

TEST_F(PcapModuleTest, NextPktTimeAtCorruptRecord) {
  auto recs = make_records(2);
  Bytes full = pw::pcap_bytes(recs);
  std::string dev = device("nt.pcap", Bytes(full.begin(), full.end() - 3));
  pfring *r = open(dev);
  ASSERT_TRUE(r);
  struct timespec ts;
  ASSERT_EQ(pfring_next_pkt_time(r, &ts), 0);
  u_char *buf = nullptr;
  pfring_pkthdr h;
  ASSERT_EQ(pfring_recv(r, &buf, 0, &h, 0), 1);
  EXPECT_EQ(pfring_next_pkt_time(r, &ts), PF_RING_ERROR_CORRUPT_INPUT);
  pfring_close(r);
}

// ---- classic pcap from a pipe ----------------------------------------------------

// Writes chunks into a FIFO from a thread; the chunk numbered gated_chunk
// waits for open_gate().
class FifoWriter {
 public:
  FifoWriter(const std::string &path, std::vector<Bytes> chunks, size_t gated_chunk = SIZE_MAX)
      : path_(path), gated_(gated_chunk) {
    signal(SIGPIPE, SIG_IGN);  // the reader may close first: write() then fails with EPIPE
    gate_ = gate_promise_.get_future();
    thread_ = std::thread([this, chunks] {
      write_all(chunks);
      done_ = true;
    });
  }
  ~FifoWriter() {
    open_gate();
    // If no reader ever opened the FIFO the writer still waits in open():
    // be that reader, briefly, until the thread is done.
    while (!done_) {
      int fd = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      if (fd >= 0) ::close(fd);
    }
    thread_.join();
  }
  void open_gate() {
    if (!gate_opened_) gate_promise_.set_value();
    gate_opened_ = true;
  }

 private:
  void write_all(const std::vector<Bytes> &chunks) {
    int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return;
    for (size_t i = 0; i < chunks.size(); i++) {
      if (i == gated_) gate_.wait();
      size_t off = 0;
      while (off < chunks[i].size()) {
        ssize_t n = ::write(fd, chunks[i].data() + off, chunks[i].size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          ::close(fd);
          return;
        }
        off += size_t(n);
      }
    }
    ::close(fd);
  }

  std::string path_;
  size_t gated_;
  std::promise<void> gate_promise_;
  std::shared_future<void> gate_;
  bool gate_opened_ = false;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

std::vector<Bytes> split(const Bytes &b, size_t first, size_t piece) {
  std::vector<Bytes> out;
  out.emplace_back(b.begin(), b.begin() + long(first));
  for (size_t off = first; off < b.size(); off += piece)
    out.emplace_back(b.begin() + long(off), b.begin() + long(std::min(b.size(), off + piece)));
  return out;
}

TEST_F(PcapModuleTest, ClassicPcapFromAPipe) {
  std::string path = dir_.file("fifo");
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  auto recs = make_records(200);
  Bytes file = encode(Fmt::kNs, recs);
  // The header and the first packet, then (after the gate) the rest in odd pieces.
  FifoWriter w(path, split(file, pw::pcap_offsets(recs)[1], 777), 1);
  pfring *r = open("pcap:" + path);
  ASSERT_TRUE(r);
  u_char *buf = nullptr;
  pfring_pkthdr h;
  ASSERT_EQ(pfring_recv(r, &buf, 0, &h, 1), 1);
  EXPECT_EQ(Bytes(buf, buf + h.caplen), recs[0].data);
  // Nothing more has been written: no packet, no end, no blocking.
  EXPECT_EQ(pfring_recv(r, &buf, 0, &h, 0), 0);
  EXPECT_EQ(pfring_poll(r, 0), 0);
  w.open_gate();
  int rc = 0;
  auto got = recv_all(r, 0, &rc, 1);
  EXPECT_EQ(rc, PF_RING_ERROR_END_OF_FILE);
  ASSERT_EQ(got.size(), recs.size() - 1);
  for (size_t i = 1; i < recs.size(); i++) {
    EXPECT_EQ(got[i - 1].data, recs[i].data) << i;
    EXPECT_EQ(got[i - 1].hdr.len, recs[i].wire_len()) << i;
    EXPECT_EQ(got[i - 1].hdr.extended_hdr.timestamp_ns, recs[i].ts_ns) << i;
  }
  EXPECT_EQ(pfring_poll(r, 0), 1);  // the end is ready
  pfring_stat st;
  ASSERT_EQ(pfring_stats(r, &st), 0);
  EXPECT_EQ(st.recv, recs.size());
  pfring_close(r);
}

// pfring_breakloop() from another thread ends a pfring_recv(), a
// pfring_recv_burst() or a pfring_loop() waiting on an idle stream.
TEST_F(PcapModuleTest, BreakloopEndsAWaitOnAnIdlePipe) {
  std::string path = dir_.file("fifo_idle");
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  auto recs = make_records(3);
  Bytes file = encode(Fmt::kUs, recs);
  FifoWriter w(path, split(file, pw::pcap_offsets(recs)[1], 1 << 20), 1);
  pfring *r = open("pcap:" + path);
  ASSERT_TRUE(r);
  ASSERT_EQ(pfring_set_poll_duration(r, 20), 0);
  u_char *buf = nullptr;
  pfring_pkthdr h;
  ASSERT_EQ(pfring_recv(r, &buf, 0, &h, 1), 1);
  auto break_later = [r] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    pfring_breakloop(r);
  };
  {
    std::thread t(break_later);
    EXPECT_EQ(pfring_recv(r, &buf, 0, &h, 1), 0);
    t.join();
  }
  {
    std::thread t(break_later);
    u_char *bufs[4];
    pfring_pkthdr hs[4];
    EXPECT_EQ(pfring_recv_burst(r, bufs, hs, 4, 1), 0);
    t.join();
  }
  {
    std::thread t(break_later);
    LoopState s;
    s.ring = r;
    EXPECT_EQ(pfring_loop(r, loop_cb, reinterpret_cast<const u_char *>(&s), 1), 0);
    EXPECT_TRUE(s.tags.empty());
    t.join();
  }
  // Each request was used up: the stream goes on normally.
  w.open_gate();
  int rc = 0;
  auto got = recv_all(r, 0, &rc, 1);
  EXPECT_EQ(rc, PF_RING_ERROR_END_OF_FILE);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].data, recs[2].data);
  pfring_close(r);
}

TEST_F(PcapModuleTest, TruncatedPipe) {
  std::string path = dir_.file("fifo_trunc");
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  auto recs = make_records(5);
  Bytes file = encode(Fmt::kUs, recs);
  file.resize(file.size() - 5);
  FifoWriter w(path, {file});
  pfring *r = open("pcap:" + path);
  ASSERT_TRUE(r);
  int rc = 0;
  auto got = recv_all(r, 0, &rc, 1);
  EXPECT_EQ(got.size(), recs.size() - 1);
  EXPECT_EQ(rc, PF_RING_ERROR_CORRUPT_INPUT);
  EXPECT_TRUE(contains(last_error(r), path)) << last_error(r);
  pfring_close(r);
}

TEST_F(PcapModuleTest, PipeOpenFailures) {
  struct Case {
    const char *name;
    Bytes bytes;
    const char *must_say;
  } cases[] = {
      {"empty", {}, "empty"},
      {"short", Bytes(10, 0xd4), "header"},
      {"pcapng", pw::pcapng_bytes(make_records(2)), "pcapng"},
      {"magic", Bytes(64, 0x42), "magic"},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.name);
    std::string path = dir_.file(std::string("fifo_") + c.name);
    ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
    FifoWriter w(path, {c.bytes});
    errno = 0;
    pfring *r = pfring_open(("pcap:" + path).c_str(), 1518, 0);
    EXPECT_EQ(r, nullptr);
    EXPECT_NE(errno, 0);
    std::string err = last_error(nullptr);
    EXPECT_TRUE(contains(err, path)) << err;
    EXPECT_TRUE(contains(err, c.must_say)) << err;
    pfring_close(r);
  }
}

// ---- open failures ------------------------------------------------------------

TEST_F(PcapModuleTest, MissingFile) {
  std::string path = dir_.file("does_not_exist.pcap");
  errno = 0;
  EXPECT_EQ(pfring_open(("pcap:" + path).c_str(), 1518, 0), nullptr);
  EXPECT_EQ(errno, ENOENT);
  std::string err = last_error(nullptr);
  EXPECT_TRUE(contains(err, path)) << err;
}

TEST_F(PcapModuleTest, Directory) {
  std::string path = dir_.file("a_directory");
  ASSERT_EQ(mkdir(path.c_str(), 0700), 0);
  errno = 0;
  EXPECT_EQ(pfring_open(("pcap:" + path).c_str(), 1518, 0), nullptr);
  EXPECT_NE(errno, 0);
  std::string err = last_error(nullptr);
  EXPECT_TRUE(contains(err, path)) << err;
  EXPECT_TRUE(contains(err, "directory")) << err;
}

TEST_F(PcapModuleTest, EmptyFile) {
  std::string dev = device("empty.pcap", Bytes{});
  errno = 0;
  EXPECT_EQ(pfring_open(dev.c_str(), 1518, 0), nullptr);
  EXPECT_NE(errno, 0);
  std::string err = last_error(nullptr);
  EXPECT_TRUE(contains(err, dev.substr(5))) << err;
  EXPECT_TRUE(contains(err, "empty")) << err;
}

TEST_F(PcapModuleTest, ShortFile) {
  Bytes hdr = pw::pcap_header();
  std::string dev = device("short.pcap", Bytes(hdr.begin(), hdr.begin() + 10));
  errno = 0;
  EXPECT_EQ(pfring_open(dev.c_str(), 1518, 0), nullptr);
  EXPECT_NE(errno, 0);
  EXPECT_TRUE(contains(last_error(nullptr), dev.substr(5))) << last_error(nullptr);
}

TEST_F(PcapModuleTest, BadMagic) {
  Bytes file = pw::pcap_bytes(make_records(2));
  file[0] ^= 0x55;
  std::string dev = device("magic.pcap", file);
  errno = 0;
  EXPECT_EQ(pfring_open(dev.c_str(), 1518, 0), nullptr);
  EXPECT_NE(errno, 0);
  std::string err = last_error(nullptr);
  EXPECT_TRUE(contains(err, dev.substr(5))) << err;
  EXPECT_TRUE(contains(err, "magic")) << err;
}

TEST_F(PcapModuleTest, NonEthernetLinkType) {
  pw::PcapOptions o;
  o.linktype = 101;  // DLT_RAW
  std::string classic = device("raw.pcap", pw::pcap_bytes(make_records(2), o));
  std::string ng = device("raw.pcapng", pw::pcapng_bytes(make_records(2), 101));
  for (const std::string &dev : {classic, ng}) {
    SCOPED_TRACE(dev);
    errno = 0;
    EXPECT_EQ(pfring_open(dev.c_str(), 1518, 0), nullptr);
    EXPECT_EQ(errno, EOPNOTSUPP);
    std::string err = last_error(nullptr);
    EXPECT_TRUE(contains(err, "link type")) << err;
    // The classic reader reports the file's LINKTYPE_ value; libpcap (pcapng)
    // reports the DLT_ value it maps it to (DLT_RAW).
    if (dev == classic) {
      EXPECT_TRUE(contains(err, "101")) << err;
    }
    EXPECT_TRUE(contains(err, dev.substr(5))) << err;
  }
}

TEST_F(PcapModuleTest, GarbagePcapngHeader) {
  Bytes file = pw::pcapng_bytes(make_records(1));
  file[8] = 0x00;  // byte-order magic broken
  file[9] = 0x00;
  std::string dev = device("garbage.pcapng", file);
  errno = 0;
  EXPECT_EQ(pfring_open(dev.c_str(), 1518, 0), nullptr);
  EXPECT_NE(errno, 0);
  EXPECT_TRUE(contains(last_error(nullptr), dev.substr(5))) << last_error(nullptr);
}

TEST_F(PcapModuleTest, UnknownModule) {
  errno = 0;
  EXPECT_EQ(pfring_open("foo:x", 1518, 0), nullptr);
  EXPECT_EQ(errno, ENODEV);
  std::string err = last_error(nullptr);
  EXPECT_TRUE(contains(err, "'foo'")) << err;
}

TEST_F(PcapModuleTest, PlainNameWithoutModule) {
  errno = 0;
  EXPECT_EQ(pfring_open("pfr_no_such_dev0", 1518, 0), nullptr);
  EXPECT_NE(errno, 0);
  std::string err = last_error(nullptr);
  EXPECT_TRUE(contains(err, "pfr_no_such_dev0")) << err;
}

TEST_F(PcapModuleTest, NameSyntaxErrors) {
  for (const char *name : {"", "pcap:", "pcap:f@", "pcap:f@x", ":f", "a b:f"}) {
    SCOPED_TRACE(name);
    errno = 0;
    EXPECT_EQ(pfring_open(name, 1518, 0), nullptr);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_GT(pfring_get_last_error(nullptr, nullptr, 0), 0);
  }
  errno = 0;
  EXPECT_EQ(pfring_open(nullptr, 1518, 0), nullptr);
  EXPECT_EQ(errno, EINVAL);
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
