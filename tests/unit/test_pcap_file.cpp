// test_pcap_file.cpp - pfr::PcapFileReader: the in-memory classic pcap
// reader behind the pcap module. Every file is copied into an exact-size
// heap buffer first, so AddressSanitizer reports any read past its end.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "modules/pcap/pcap_file.h"
#include "unit/pcap_writer.h"

namespace {

using pw::Bytes;
using pw::Record;

// An exact-size heap copy of a file.
struct Buffer {
  explicit Buffer(const Bytes &b) : size(b.size()), data(new uint8_t[b.size()]) {
    std::copy(b.begin(), b.end(), data.get());
  }
  size_t size;
  std::unique_ptr<uint8_t[]> data;
};

struct Got {
  Bytes data;
  uint32_t caplen, len;
  uint64_t ts_ns;
};

struct ReadResult {
  bool opened = false;
  std::string open_err;
  std::vector<Got> pkts;
  int final_rc = 99;  // what next() returned after the last packet
  std::string err;
};

ReadResult read_all(const Bytes &file) {
  Buffer buf(file);
  pfr::PcapFileReader r;
  ReadResult out;
  out.opened = r.open(buf.data.get(), buf.size, out.open_err);
  if (!out.opened) return out;
  for (int guard = 0; guard < 100000; guard++) {
    const uint8_t *d = nullptr;
    Got g{};
    int rc = r.next(&d, &g.caplen, &g.len, &g.ts_ns, out.err);
    if (rc != 1) {
      out.final_rc = rc;
      break;
    }
    EXPECT_GE(d, buf.data.get());
    EXPECT_LE(d + g.caplen, buf.data.get() + buf.size);
    g.data.assign(d, d + g.caplen);
    out.pkts.push_back(g);
  }
  EXPECT_EQ(r.records_read(), out.pkts.size());
  return out;
}

Bytes pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; i++) b[i] = uint8_t(seed + i * 3);
  return b;
}

// Three records of different sizes, with sub-microsecond timestamps.
std::vector<Record> three_records() {
  return {
      {pattern(60, 1), 1700000000ull * 1000000000ull + 123456789ull, 0},
      {pattern(61, 2), 1700000001ull * 1000000000ull + 999999999ull, 1514},
      {pattern(75, 3), 1700000001ull * 1000000000ull + 1000ull, 0},
  };
}

bool contains(const std::string &s, const std::string &sub) { return s.find(sub) != std::string::npos; }

// ---- formats ------------------------------------------------------------

struct Format {
  bool nsec, swapped;
};

class PcapFileFormat : public ::testing::TestWithParam<Format> {};

TEST_P(PcapFileFormat, ReadsEveryRecord) {
  pw::PcapOptions o;
  o.nsec = GetParam().nsec;
  o.swapped = GetParam().swapped;
  auto recs = three_records();
  Bytes file = pw::pcap_bytes(recs, o);

  Buffer buf(file);
  pfr::PcapFileReader r;
  std::string err;
  ASSERT_TRUE(r.open(buf.data.get(), buf.size, err)) << err;
  EXPECT_EQ(r.nanosecond(), o.nsec);
  EXPECT_EQ(r.linktype(), 1u);
  EXPECT_EQ(r.snaplen(), 65535u);

  ReadResult res = read_all(file);
  ASSERT_EQ(res.pkts.size(), recs.size());
  EXPECT_EQ(res.final_rc, 0) << res.err;
  for (size_t i = 0; i < recs.size(); i++) {
    SCOPED_TRACE(i);
    EXPECT_EQ(res.pkts[i].data, recs[i].data);
    EXPECT_EQ(res.pkts[i].caplen, recs[i].data.size());
    EXPECT_EQ(res.pkts[i].len, recs[i].wire_len());
    uint64_t want = o.nsec ? recs[i].ts_ns : recs[i].ts_ns / 1000 * 1000;
    EXPECT_EQ(res.pkts[i].ts_ns, want);
  }
}

INSTANTIATE_TEST_SUITE_P(ByteOrderAndPrecision, PcapFileFormat,
                         ::testing::Values(Format{false, false}, Format{false, true}, Format{true, false},
                                           Format{true, true}),
                         [](const ::testing::TestParamInfo<Format> &i) {
                           return std::string(i.param.nsec ? "ns" : "us") + (i.param.swapped ? "_swapped" : "_native");
                         });

TEST(PcapFile, VersionCheck) {
  for (bool swapped : {false, true}) {
    for (uint16_t major : {0, 1, 3, 0x0200}) {
      pw::PcapOptions o;
      o.swapped = swapped;
      o.major = major;
      ReadResult res = read_all(pw::pcap_bytes(three_records(), o));
      EXPECT_FALSE(res.opened) << "major " << major;
      EXPECT_TRUE(contains(res.open_err, "version " + std::to_string(major))) << res.open_err;
    }
    for (uint16_t minor : {0, 2, 4, 77}) {
      pw::PcapOptions o;
      o.swapped = swapped;
      o.minor = minor;
      ReadResult res = read_all(pw::pcap_bytes(three_records(), o));
      EXPECT_TRUE(res.opened) << "2." << minor << ": " << res.open_err;
      EXPECT_EQ(res.pkts.size(), 3u);
    }
  }
}

TEST(PcapFile, LinkTypeIsLow16Bits) {
  for (bool swapped : {false, true}) {
    pw::PcapOptions o;
    o.swapped = swapped;
    o.linktype = 101;
    Buffer a(pw::pcap_bytes(three_records(), o));
    pfr::PcapFileReader r;
    std::string err;
    ASSERT_TRUE(r.open(a.data.get(), a.size, err));
    EXPECT_EQ(r.linktype(), 101u);
    // The upper bits may carry FCS information (pcap-linktype(7)).
    o.linktype = 0x14000001u;
    Buffer b(pw::pcap_bytes(three_records(), o));
    ASSERT_TRUE(r.open(b.data.get(), b.size, err));
    EXPECT_EQ(r.linktype(), 1u);
  }
}

TEST(PcapFile, SnaplenTruncatesCaplenAsLibpcapDoes) {
  std::vector<Record> recs = {{pattern(100, 9), 1000, 1000}, {pattern(40, 7), 2000, 40}, {pattern(64, 5), 3000, 64}};
  struct Case {
    uint32_t snaplen, want0;
  } cases[] = {{64, 64}, {0, 100}, {300000, 100}, {100, 100}, {1, 1}};
  for (const Case &c : cases) {
    SCOPED_TRACE("snaplen " + std::to_string(c.snaplen));
    pw::PcapOptions o;
    o.snaplen = c.snaplen;
    ReadResult res = read_all(pw::pcap_bytes(recs, o));
    ASSERT_TRUE(res.opened) << res.open_err;
    ASSERT_EQ(res.pkts.size(), 3u) << res.err;
    EXPECT_EQ(res.final_rc, 0);
    EXPECT_EQ(res.pkts[0].caplen, c.want0);
    EXPECT_EQ(res.pkts[0].len, 1000u);  // the wire length is never cut
    EXPECT_EQ(res.pkts[0].data, Bytes(recs[0].data.begin(), recs[0].data.begin() + c.want0));
    // The next record is found after all the bytes the file holds.
    EXPECT_EQ(res.pkts[1].data, Bytes(recs[1].data.begin(), recs[1].data.begin() + std::min<uint32_t>(40, c.want0)));
    EXPECT_EQ(res.pkts[2].ts_ns, 3000u);
  }
}

TEST(PcapFile, SnaplenGetterReportsTheFileValue) {
  pw::PcapOptions o;
  o.snaplen = 0;
  Buffer b(pw::pcap_bytes({}, o));
  pfr::PcapFileReader r;
  std::string err;
  ASSERT_TRUE(r.open(b.data.get(), b.size, err));
  EXPECT_EQ(r.snaplen(), 0u);
}

TEST(PcapFile, HeaderOnlyFileIsCleanEnd) {
  ReadResult res = read_all(pw::pcap_header());
  ASSERT_TRUE(res.opened) << res.open_err;
  EXPECT_TRUE(res.pkts.empty());
  EXPECT_EQ(res.final_rc, 0);
}

TEST(PcapFile, EmptyFile) {
  ReadResult res = read_all(Bytes{});
  EXPECT_FALSE(res.opened);
  EXPECT_TRUE(contains(res.open_err, "empty")) << res.open_err;
}

TEST(PcapFile, ShorterThanGlobalHeader) {
  Bytes full = pw::pcap_header();
  for (size_t n = 1; n < 24; n++) {
    SCOPED_TRACE(n);
    ReadResult res = read_all(Bytes(full.begin(), full.begin() + n));
    EXPECT_FALSE(res.opened);
    EXPECT_TRUE(contains(res.open_err, std::to_string(n) + " bytes")) << res.open_err;
    EXPECT_TRUE(contains(res.open_err, "24")) << res.open_err;
  }
}

TEST(PcapFile, BadMagic) {
  Bytes file = pw::pcap_bytes(three_records());
  file[0] = 0xde;
  file[1] = 0xad;
  file[2] = 0xbe;
  file[3] = 0xef;
  ReadResult res = read_all(file);
  EXPECT_FALSE(res.opened);
  EXPECT_TRUE(contains(res.open_err, "magic")) << res.open_err;
  EXPECT_TRUE(contains(res.open_err, "0xefbeadde")) << res.open_err;
  // A pcapng file is not classic pcap: the caller must route it to libpcap.
  ReadResult ng = read_all(pw::pcapng_bytes({{pattern(60, 1), 1, 0}}));
  EXPECT_FALSE(ng.opened);
}

TEST(PcapFile, IsPcapng) {
  Bytes ng = pw::pcapng_bytes({});
  EXPECT_TRUE(pfr::PcapFileReader::is_pcapng(ng.data(), ng.size()));
  Bytes classic = pw::pcap_header();
  EXPECT_FALSE(pfr::PcapFileReader::is_pcapng(classic.data(), classic.size()));
  Buffer three(Bytes(ng.begin(), ng.begin() + 3));
  EXPECT_FALSE(pfr::PcapFileReader::is_pcapng(three.data.get(), three.size));
  Buffer four(Bytes(ng.begin(), ng.begin() + 4));
  EXPECT_TRUE(pfr::PcapFileReader::is_pcapng(four.data.get(), four.size));
}

// ---- truncation at every byte --------------------------------------------

TEST(PcapFile, TruncatedAtEveryOffset) {
  for (bool nsec : {false, true}) {
    for (bool swapped : {false, true}) {
      pw::PcapOptions o;
      o.nsec = nsec;
      o.swapped = swapped;
      auto recs = three_records();
      Bytes file = pw::pcap_bytes(recs, o);
      std::vector<size_t> off = pw::pcap_offsets(recs);
      ASSERT_EQ(off.back(), file.size());
      for (size_t cut = 0; cut <= file.size(); cut++) {
        SCOPED_TRACE("nsec " + std::to_string(nsec) + " swapped " + std::to_string(swapped) + " cut at " +
                     std::to_string(cut));
        Bytes part(file.begin(), file.begin() + cut);
        ReadResult res = read_all(part);
        if (cut < 24) {
          EXPECT_FALSE(res.opened);
          EXPECT_FALSE(res.open_err.empty());
          continue;
        }
        ASSERT_TRUE(res.opened) << res.open_err;
        size_t good = 0;
        while (good < recs.size() && off[good + 1] <= cut) good++;
        ASSERT_EQ(res.pkts.size(), good) << res.err;
        for (size_t i = 0; i < good; i++) EXPECT_EQ(res.pkts[i].data, recs[i].data);
        bool boundary = cut == off[good];
        if (boundary) {
          EXPECT_EQ(res.final_rc, 0) << res.err;
          continue;
        }
        EXPECT_EQ(res.final_rc, -1);
        EXPECT_TRUE(contains(res.err, "record " + std::to_string(good + 1) + " at offset " + std::to_string(off[good])))
            << res.err;
        size_t have = cut - off[good];
        if (have < 16)
          EXPECT_TRUE(contains(res.err, "truncated record header")) << res.err;
        else
          EXPECT_TRUE(contains(res.err, "truncated packet data")) << res.err;
      }
    }
  }
}

TEST(PcapFile, CorruptRecordStaysCorrupt) {
  auto recs = three_records();
  Bytes file = pw::pcap_bytes(recs);
  file.resize(file.size() - 5);
  Buffer buf(file);
  pfr::PcapFileReader r;
  std::string err;
  ASSERT_TRUE(r.open(buf.data.get(), buf.size, err));
  const uint8_t *d;
  uint32_t c, l;
  uint64_t ts;
  ASSERT_EQ(r.next(&d, &c, &l, &ts, err), 1);
  ASSERT_EQ(r.next(&d, &c, &l, &ts, err), 1);
  for (int i = 0; i < 3; i++) {
    err.clear();
    EXPECT_EQ(r.next(&d, &c, &l, &ts, err), -1);
    EXPECT_TRUE(contains(err, "record 3")) << err;
    uint64_t pts;
    std::string perr;
    EXPECT_EQ(r.peek_ts(&pts, perr), -1);
  }
  EXPECT_EQ(r.records_read(), 2u);
}

// ---- captured length limits ----------------------------------------------

TEST(PcapFile, CapturedLengthAboveMaximumIsCorrupt) {
  const uint32_t kMax = pfr::PcapFileReader::kMaxSnaplen;
  ASSERT_EQ(kMax, 262144u);
  for (uint32_t incl : {kMax + 1, 0x7fffffffu, 0xffffffffu}) {
    SCOPED_TRACE(incl);
    Bytes file = pw::pcap_header();
    pw::append_record(file, {pattern(60, 1), 5, 0});
    // The record claims incl bytes; the file holds far fewer (or, for the
    // smallest, exactly that many: the length alone is the problem).
    Record big{Bytes(incl == kMax + 1 ? incl : 64, 0xab), 6, 0};
    pw::append_record(file, big, {}, incl);
    ReadResult res = read_all(file);
    ASSERT_TRUE(res.opened);
    ASSERT_EQ(res.pkts.size(), 1u);
    EXPECT_EQ(res.final_rc, -1);
    EXPECT_TRUE(contains(res.err, "record 2")) << res.err;
    EXPECT_TRUE(contains(res.err, std::to_string(incl))) << res.err;
    EXPECT_TRUE(contains(res.err, "corrupt")) << res.err;
  }
}

TEST(PcapFile, CapturedLengthAtMaximumIsFine) {
  const uint32_t kMax = pfr::PcapFileReader::kMaxSnaplen;
  pw::PcapOptions o;
  o.snaplen = kMax;
  ReadResult res = read_all(pw::pcap_bytes({{pattern(kMax, 4), 7, 0}, {pattern(60, 1), 8, 0}}, o));
  ASSERT_TRUE(res.opened);
  ASSERT_EQ(res.pkts.size(), 2u) << res.err;
  EXPECT_EQ(res.pkts[0].caplen, kMax);
  EXPECT_EQ(res.pkts[0].data, pattern(kMax, 4));
  EXPECT_EQ(res.final_rc, 0);
}

TEST(PcapFile, ZeroLengthRecord) {
  ReadResult res = read_all(pw::pcap_bytes({{Bytes{}, 1, 60}, {pattern(60, 2), 2, 0}}));
  ASSERT_TRUE(res.opened);
  ASSERT_EQ(res.pkts.size(), 2u) << res.err;
  EXPECT_EQ(res.pkts[0].caplen, 0u);
  EXPECT_EQ(res.pkts[0].len, 60u);
  EXPECT_EQ(res.pkts[1].data, pattern(60, 2));
}

// ---- peek_ts --------------------------------------------------------------

TEST(PcapFile, PeekTsDoesNotConsume) {
  for (bool nsec : {false, true}) {
    pw::PcapOptions o;
    o.nsec = nsec;
    auto recs = three_records();
    Buffer buf(pw::pcap_bytes(recs, o));
    pfr::PcapFileReader r;
    std::string err;
    ASSERT_TRUE(r.open(buf.data.get(), buf.size, err));
    for (size_t i = 0; i < recs.size(); i++) {
      uint64_t p1 = 0, p2 = 0, ts = 0;
      ASSERT_EQ(r.peek_ts(&p1, err), 1);
      ASSERT_EQ(r.peek_ts(&p2, err), 1);
      EXPECT_EQ(p1, p2);
      EXPECT_EQ(r.records_read(), i);
      const uint8_t *d;
      uint32_t c, l;
      ASSERT_EQ(r.next(&d, &c, &l, &ts, err), 1);
      EXPECT_EQ(ts, p1);
      EXPECT_EQ(ts, nsec ? recs[i].ts_ns : recs[i].ts_ns / 1000 * 1000);
    }
    uint64_t p = 0;
    EXPECT_EQ(r.peek_ts(&p, err), 0);
  }
}

TEST(PcapFile, ReopenResetsState) {
  Buffer a(pw::pcap_bytes(three_records(), {true, true}));
  Buffer b(pw::pcap_bytes(three_records()));
  pfr::PcapFileReader r;
  std::string err;
  ASSERT_TRUE(r.open(a.data.get(), a.size, err));
  const uint8_t *d;
  uint32_t c, l;
  uint64_t ts;
  ASSERT_EQ(r.next(&d, &c, &l, &ts, err), 1);
  ASSERT_TRUE(r.open(b.data.get(), b.size, err));
  EXPECT_FALSE(r.nanosecond());
  EXPECT_EQ(r.records_read(), 0u);
  int n = 0;
  while (r.next(&d, &c, &l, &ts, err) == 1) {
    EXPECT_GE(d, b.data.get());
    EXPECT_LE(d + c, b.data.get() + b.size);
    n++;
  }
  EXPECT_EQ(n, 3);
}

}  // namespace
