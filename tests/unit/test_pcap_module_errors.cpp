// test_pcap_module_errors.cpp - the pcap module when the capture is bad:
// corrupt and truncated files deliver their good packets and then
// PF_RING_ERROR_CORRUPT_INPUT; missing, empty, short, unreadable and
// unsupported files and malformed device names fail to open. Every error
// message names the file. Shared helpers: pcap_module_fixture.h.
#include <errno.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "pfring.h"
#include "unit/pcap_module_fixture.h"
#include "unit/pcap_writer.h"
#include "unit/unit_util.h"

namespace {

using namespace pcapmod;

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
    // Both readers name the LINKTYPE_ value and its name (libpcap reports
    // pcapng's as the DLT_ value 12, which is mapped back).
    EXPECT_TRUE(contains(err, "has link type 101 (RAW)")) << err;
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

}  // namespace
