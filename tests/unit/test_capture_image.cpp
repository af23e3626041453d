// test_capture_image.cpp - how pcap: and sim: read a capture file
// (src/lib/modules/pcap/capture_image.h): a file cut while it is read ends with
// the good packets and a message naming its new size and the record (it
// used to be SIGBUS: the file was mmap'ed); records of wire length 0 are
// skipped and counted by both modules; a captured length above the wire
// length is cut to it, the same way everywhere.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "pcap_module_fixture.h"

namespace {

using namespace pcapmod;

// A capture of n records larger than the reader's read-ahead (1 MiB), so
// that a cut lands in bytes not yet read.
std::vector<Record> big_records(size_t n) {
  std::vector<Record> recs;
  for (size_t i = 0; i < n; i++) {
    ut::Flow f;
    f.proto = 17;
    f.sport = uint16_t(1000 + i % 7);
    f.dport = 53;
    Record r;
    r.data = ut::ipv4_frame(f, uint32_t(i), 1400);
    r.ts_ns = kBaseNs + i * 1000;
    recs.push_back(r);
  }
  return recs;
}

class CaptureImage : public PcapModuleTest {};

// The two modules that read capture files.
const char *const kFileModules[] = {"pcap:", "sim:"};

// pfring_get_device_stats_json of r ("" when it fails).
std::string device_json(pfring *r) {
  char json[2048];
  return pfring_get_device_stats_json(r, json, sizeof(json)) > 0 ? std::string(json) : std::string();
}

// Reads what the ring gives until it stops; returns the count, *rc the
// last code.
size_t drain(pfring *r, int *rc) {
  size_t n = 0;
  u_char *buf;
  struct pfring_pkthdr h;
  for (size_t i = 0; i < 100000; i++) {
    *rc = pfring_recv(r, &buf, 0, &h, 1);
    if (*rc != 1) break;
    n++;
  }
  return n;
}

TEST_F(CaptureImage, AFileCutWhileItIsReadEndsWithAMessageNotSigbus) {
  auto recs = big_records(4000);  // about 5.7 MB
  for (const char *module : kFileModules) {
    SCOPED_TRACE(module);
    std::string path = dir_.file(std::string("cut_") + (module[0] == 'p' ? "p" : "s") + ".pcap");
    ASSERT_TRUE(ut::write_file(path, pw::pcap_bytes(recs)));
    pfring *r = open(module + path, 1518);
    ASSERT_TRUE(r);
    u_char *buf;
    struct pfring_pkthdr h;
    ASSERT_EQ(pfring_recv(r, &buf, 0, &h, 1), 1);
    ASSERT_EQ(truncate(path.c_str(), 100000), 0);  // copytruncate, log rotation
    int rc = 0;
    size_t got = 1 + drain(r, &rc);
    EXPECT_LT(got, recs.size());
    EXPECT_EQ(rc, PF_RING_ERROR_CORRUPT_INPUT);
    std::string err = last_error(r);
    EXPECT_NE(err.find("file shrank to 100000 bytes"), std::string::npos) << err;
    EXPECT_NE(err.find("at record " + std::to_string(got + 1)), std::string::npos) << err;
    EXPECT_NE(err.find(path), std::string::npos) << err;
    pfring_close(r);
  }
}

TEST_F(CaptureImage, AFileCutToNothingAtARecordBoundaryIsAnErrorToo) {
  auto recs = big_records(2000);
  std::string path = dir_.file("zero.pcap");
  ASSERT_TRUE(ut::write_file(path, pw::pcap_bytes(recs)));
  pfring *r = open("pcap:" + path);
  ASSERT_TRUE(r);
  u_char *buf;
  struct pfring_pkthdr h;
  ASSERT_EQ(pfring_recv(r, &buf, 0, &h, 1), 1);
  ASSERT_EQ(truncate(path.c_str(), 0), 0);
  int rc = 0;
  drain(r, &rc);
  EXPECT_EQ(rc, PF_RING_ERROR_CORRUPT_INPUT);
  EXPECT_NE(last_error(r).find("file shrank to 0 bytes"), std::string::npos) << last_error(r);
  pfring_close(r);
}

// The record policy, the same in both modules: records of wire length 0
// are skipped and counted; a record claiming more captured bytes than
// were on the wire (tcpdump calls it an invalid header) is cut to the
// wire length and counted.
TEST_F(CaptureImage, ZeroLengthRecordsAreSkippedAndCaplenAboveLenIsCut) {
  auto recs = make_records(6);
  recs[1].orig_len = 20;  // 20 bytes on the wire, more captured
  Bytes file = pw::pcap_bytes(recs);
  auto off = pw::pcap_offsets(recs);
  for (size_t i : {2, 4})
    for (int b = 0; b < 4; b++) file[off[i] + 12 + size_t(b)] = 0;  // orig_len = 0
  std::string path = dir_.file("policy.pcap");
  ASSERT_TRUE(ut::write_file(path, file));
  for (const char *module : kFileModules) {
    SCOPED_TRACE(module);
    pfring *r = open(module + path);
    ASSERT_TRUE(r);
    u_char *buf;
    struct pfring_pkthdr h;
    std::vector<uint32_t> tags;  // record 1 is too short for its tag: its first bytes stand in
    while (pfring_recv(r, &buf, 0, &h, 1) == 1) {
      if (tags.size() == 1) {
        EXPECT_EQ(h.caplen, 20u);
        EXPECT_EQ(h.len, 20u);
        EXPECT_EQ(std::memcmp(buf, recs[1].data.data(), 20), 0);
        tags.push_back(1);
      } else {
        tags.push_back(ut::frame_tag(buf, h.caplen));
      }
    }
    EXPECT_EQ(tags, (std::vector<uint32_t>{0, 1, 3, 5}));
    EXPECT_EQ(pfring_recv(r, &buf, 0, &h, 1), PF_RING_ERROR_END_OF_FILE);
    std::string json = device_json(r);  // empty when the call fails
    EXPECT_NE(json.find("\"skipped_records\":2,\"clamped_records\":1"), std::string::npos) << json;
    pfring_close(r);
  }
}

// pcap: reads regular files through a window of about 1.5 MiB: a burst
// asking for more than fits is cut short, and every packet of it stays
// intact until the next receive.
TEST_F(CaptureImage, BurstsLargerThanTheReadWindowStayIntact) {
  // Runs of small records then large ones: a burst that starts in the
  // small ones fills the window with large ones while its first packets
  // are handed out (a slide then would move them).
  std::vector<Record> recs;
  for (size_t i = 0; i < 3000; i++) {
    ut::Flow f;
    f.proto = 17;
    f.sport = uint16_t(i);
    Record r;
    r.data = ut::ipv4_frame(f, uint32_t(i), i % 100 < 70 ? 40 : 30000);
    r.ts_ns = kBaseNs + i;
    recs.push_back(r);
  }
  std::string path = dir_.file("window.pcap");
  ASSERT_TRUE(ut::write_file(path, pw::pcap_bytes(recs)));
  pfring *r = open("pcap:" + path, 65535);
  ASSERT_TRUE(r);
  std::vector<u_char *> bufs(4096);
  std::vector<pfring_pkthdr> hdrs(4096);
  uint32_t next = 0;
  int bursts = 0, n;
  while ((n = pfring_recv_burst(r, bufs.data(), hdrs.data(), 4096, 1)) > 0 && bursts < 10000) {
    bursts++;
    for (int i = 0; i < n; i++, next++) {
      ASSERT_EQ(hdrs[size_t(i)].caplen, recs[next].data.size());
      ASSERT_EQ(std::memcmp(bufs[size_t(i)], recs[next].data.data(), recs[next].data.size()), 0) << "packet " << next;
    }
  }
  EXPECT_EQ(n, PF_RING_ERROR_END_OF_FILE);
  EXPECT_EQ(next, recs.size());
  EXPECT_GT(bursts, 3);  // the window cut them
  pfring_close(r);
}

}  // namespace
