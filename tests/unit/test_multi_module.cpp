// test_multi_module.cpp - "multi:DEV1;DEV2;..." through the public API:
// counts and per-member order over capture files, turn taking, if_index,
// end of file, errors naming the member, a live member (userspace) beside
// a finite one, sending by interface index, device statistics.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "modules/multi/multi_module.h"
#include "modules/userspace/userspace_module.h"
#include "pcap_writer.h"
#include "api_fixture.h"
#include "pfring.h"
#include "unit_util.h"

namespace {

std::string demo() {
  const char *d = std::getenv("PFRING_TEST_DATA");
  return std::string(d ? d : "tests/data") + "/demo.pcap";
}

using apitest::last_error;

struct Got {
  std::vector<int> if_index;
  std::vector<uint64_t> ts;
  uint64_t bytes = 0;
  int end = 0;  // the status that ended the reading
};

// Reads dev to its end (or an error).
Got read_all(const std::string &dev) {
  Got g;
  pfring *r = pfring_open(dev.c_str(), 65535, 0);
  if (!r) {
    ADD_FAILURE() << "cannot open " << dev << ": " << last_error(nullptr);
    return g;
  }
  u_char *buf;
  struct pfring_pkthdr h;
  int rc;
  while ((rc = pfring_recv(r, &buf, 0, &h, 1)) > 0) {
    g.if_index.push_back(h.extended_hdr.if_index);
    g.ts.push_back(h.extended_hdr.timestamp_ns);
    g.bytes += h.len;
  }
  g.end = rc;
  pfring_close(r);
  return g;
}

TEST(MultiModule, SplitsMembers) {
  std::vector<std::string> m;
  std::string err;
  ASSERT_TRUE(pfr::split_multi_members("pcap:a;sim:tb:nic0@1;eth0", m, err)) << err;
  EXPECT_EQ(m, (std::vector<std::string>{"pcap:a", "sim:tb:nic0@1", "eth0"}));
  ASSERT_TRUE(pfr::split_multi_members("pcap:only", m, err));
  EXPECT_EQ(m.size(), 1u);
  EXPECT_FALSE(pfr::split_multi_members("pcap:a;;pcap:b", m, err));
  EXPECT_EQ(err, "member 1 is empty (members are separated by ';')");
  EXPECT_FALSE(pfr::split_multi_members("pcap:a;", m, err));
  EXPECT_NE(err.find("member 1 is empty"), std::string::npos) << err;
  EXPECT_FALSE(pfr::split_multi_members("pcap:a;multi:pcap:b", m, err));
  EXPECT_EQ(err, "member 1 'multi:pcap:b' is a multi: device; multi: does not nest");
  std::string many;
  for (int i = 0; i < 33; i++) many += (i ? ";" : "") + std::string("pcap:x");
  EXPECT_FALSE(pfr::split_multi_members(many, m, err));
  EXPECT_EQ(err, "more than 32 members (33 given)");
  // Through pfring_open, with names long enough to fill the error buffer:
  // the reason still arrives whole.
  std::string longer = "multi:";
  for (int i = 0; i < 40; i++) longer += (i ? ";" : "") + std::string("pcap:/a/rather/long/path/to/capture.pcap");
  errno = 0;
  EXPECT_EQ(pfring_open(longer.c_str(), 1500, 0), nullptr);
  EXPECT_EQ(errno, EINVAL);
  char msg[PFRING_ERRBUF_SIZE];
  pfring_get_last_error(nullptr, msg, sizeof(msg));
  EXPECT_NE(std::string(msg).find("more than 32 members (40 given)"), std::string::npos) << msg;
}

TEST(MultiModule, TwoFilesGiveEveryPacketOfBothInFileOrderPerMember) {
  Got one = read_all("pcap:" + demo());
  ASSERT_EQ(one.end, PF_RING_ERROR_END_OF_FILE);
  ASSERT_EQ(one.ts.size(), 2000u);
  Got two = read_all("multi:pcap:" + demo() + ";pcap:" + demo());
  EXPECT_EQ(two.end, PF_RING_ERROR_END_OF_FILE);
  ASSERT_EQ(two.ts.size(), 4000u);
  EXPECT_EQ(two.bytes, 2 * one.bytes);
  std::vector<uint64_t> per[2];
  for (size_t i = 0; i < two.ts.size(); i++) {
    ASSERT_TRUE(two.if_index[i] == 0 || two.if_index[i] == 1) << two.if_index[i];
    per[two.if_index[i]].push_back(two.ts[i]);
  }
  EXPECT_EQ(per[0], one.ts);
  EXPECT_EQ(per[1], one.ts);
}

TEST(MultiModule, MembersTakeTurnsWithinBursts) {
  Got two = read_all("multi:pcap:" + demo() + ";pcap:" + demo());
  ASSERT_EQ(two.if_index.size(), 4000u);
  // a burst of 64 is shared 32/32: neither member runs ahead by more than a burst
  long diff = 0, worst = 0;
  for (int i : two.if_index) {
    diff += i == 0 ? 1 : -1;
    worst = std::max(worst, std::labs(diff));
  }
  EXPECT_LE(worst, 64);
  EXPECT_EQ(diff, 0);
}

TEST(MultiModule, AMemberQueueThatDoesNotExistAddsNothing) {
  Got g = read_all("multi:pcap:" + demo() + "@1;pcap:" + demo());
  EXPECT_EQ(g.end, PF_RING_ERROR_END_OF_FILE);
  EXPECT_EQ(g.ts.size(), 2000u);
  for (int i : g.if_index) EXPECT_EQ(i, 1);
}

TEST(MultiModule, OpenErrorsNameTheMember) {
  struct Case {
    std::string dev, want;
    int err;
  } cases[] = {
      {"multi:pcap:" + demo() + ";nosuch:x", "multi: member 1 'nosuch:x': unknown module 'nosuch' (modules: pcap, sim,",
       ENODEV},
      {"multi:pcap:/nonexistent/a.pcap;pcap:" + demo(),
       "multi: member 0 'pcap:/nonexistent/a.pcap': pcap: cannot open capture file '/nonexistent/a.pcap'", ENOENT},
      {"multi:pcap:" + demo() + ";;pcap:" + demo(), "is empty (members are separated by ';')", EINVAL},
      {"multi:pcap:" + demo() + ";multi:pcap:x", "multi: does not nest", EINVAL},
      {"multi:pcap:" + demo() + ";pcap:x@z", "multi: member 1 'pcap:x@z': queue 'z' in 'pcap:x@z' is not a number",
       EINVAL},
      {"multi:pcap:" + demo() + ";userspace:bad/name", "member 1 'userspace:bad/name': userspace: userspace ring name",
       EINVAL},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.dev);
    errno = 0;
    EXPECT_EQ(pfring_open(c.dev.c_str(), 1500, 0), nullptr);
    EXPECT_EQ(errno, c.err);
    EXPECT_NE(last_error(nullptr).find(c.want), std::string::npos) << last_error(nullptr);
  }
}

TEST(MultiModule, AReadErrorNamesTheMemberAfterThePacketsBeforeIt) {
  ut::TempDir dir;
  ASSERT_TRUE(dir.ok());
  // a pcap file whose third record is cut short
  std::vector<pw::Record> recs;
  for (uint32_t tag = 1; tag <= 3; tag++) recs.push_back({ut::ipv4_frame(ut::Flow{}, tag), 1000 * tag, 0});
  ut::Bytes file = pw::pcap_bytes(recs);
  file.resize(file.size() - 10);
  std::string bad = dir.file("cut.pcap");
  ASSERT_TRUE(ut::write_file(bad, file));
  Got g = read_all("multi:pcap:" + demo() + ";pcap:" + bad);
  EXPECT_EQ(g.end, PF_RING_ERROR_CORRUPT_INPUT);
  size_t from_bad = 0;
  for (int i : g.if_index) from_bad += i == 1;
  EXPECT_EQ(from_bad, 2u);
  // the message names the member
  pfring *r = pfring_open(("multi:pcap:" + bad).c_str(), 1500, 0);
  ASSERT_NE(r, nullptr) << last_error(nullptr);
  u_char *buf;
  struct pfring_pkthdr h;
  int rc;
  while ((rc = pfring_recv(r, &buf, 0, &h, 1)) > 0) {
  }
  EXPECT_EQ(rc, PF_RING_ERROR_CORRUPT_INPUT);
  EXPECT_NE(last_error(r).find("member 0 'pcap:" + bad + "': capture file"), std::string::npos) << last_error(r);
  pfring_close(r);
}

// A live member keeps the device open after the file has ended; sends go
// to the member that can transmit, or to the one named by if_index.
TEST(MultiModule, ALiveMemberBesideAFile) {
  std::string name = "um" + std::to_string(getpid());
  std::string dev = "multi:pcap:" + demo() + ";userspace:" + name;
  pfring *m = pfring_open(dev.c_str(), 1500, 0);
  ASSERT_NE(m, nullptr) << last_error(nullptr);
  pfring *peer = pfring_open(("userspace:" + name).c_str(), 1500, 0);
  ASSERT_NE(peer, nullptr) << last_error(nullptr);
  u_char *buf;
  struct pfring_pkthdr h;
  int files = 0, rc;
  while ((rc = pfring_recv(m, &buf, 0, &h, 0)) > 0) files += h.extended_hdr.if_index == 0;
  EXPECT_EQ(rc, 0) << "the userspace member has not ended";
  EXPECT_EQ(files, 2000);

  ut::Bytes pkt = ut::ipv4_frame(ut::Flow{}, 42);
  ASSERT_EQ(pfring_send(peer, pkt.data(), pkt.size(), 1), int(pkt.size()));
  ASSERT_EQ(pfring_poll(m, 1000), 1);
  ASSERT_EQ(pfring_recv(m, &buf, 0, &h, 1), 1);
  EXPECT_EQ(h.extended_hdr.if_index, 1);
  EXPECT_EQ(ut::frame_tag(buf, h.caplen), 42u);

  // pfring_send: the first member that can transmit (the pcap file cannot)
  ASSERT_EQ(pfring_send(m, pkt.data(), pkt.size(), 1), int(pkt.size())) << last_error(m);
  ASSERT_EQ(pfring_send_ifindex(m, pkt.data(), pkt.size(), 1, 1), int(pkt.size())) << last_error(m);
  EXPECT_EQ(pfring_send_ifindex(m, pkt.data(), pkt.size(), 1, 0), PF_RING_ERROR_NOT_SUPPORTED);
  EXPECT_NE(last_error(m).find("member 0 'pcap:"), std::string::npos) << last_error(m);
  EXPECT_EQ(pfring_send_ifindex(m, pkt.data(), pkt.size(), 1, 2), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(last_error(m).find("has members 0..1"), std::string::npos) << last_error(m);
  for (int i = 0; i < 2; i++) {
    ASSERT_EQ(pfring_recv(peer, &buf, 0, &h, 0), 1);
    EXPECT_EQ(ut::frame_tag(buf, h.caplen), 42u);
  }

  char json[8192];
  ASSERT_GT(pfring_get_device_stats_json(m, json, sizeof(json)), 0);
  std::string js = json;
  EXPECT_NE(js.find("{\"members\":[{\"index\":0,\"device\":\"pcap:"), std::string::npos) << js;
  EXPECT_NE(js.find("\"packets\":2000,\"ended\":true"), std::string::npos) << js;
  EXPECT_NE(js.find("{\"index\":1,\"device\":\"userspace:" + name + "\",\"module\":\"userspace\",\"packets\":1,"
                    "\"ended\":false,\"stats\":{\"ring\":"),
            std::string::npos)
      << js;

  // the peer leaves: now every member has ended
  pfring_close(peer);
  EXPECT_EQ(pfring_recv(m, &buf, 0, &h, 1), PF_RING_ERROR_END_OF_FILE);
  pfring_close(m);
  shm_unlink(pfr::usr::shm_name(name).c_str());
}

TEST(MultiModule, OneChannelAndNoClockOfItsOwn) {
  pfring *m = pfring_open(("multi:pcap:" + demo() + ";pcap:" + demo()).c_str(), 1500, 0);
  ASSERT_NE(m, nullptr) << last_error(nullptr);
  EXPECT_STREQ(pfring_get_module_name(m), "multi");
  EXPECT_EQ(pfring_get_num_rx_channels(m), 1);
  struct timespec ts;
  EXPECT_EQ(pfring_get_device_clock(m, &ts), PF_RING_ERROR_NOT_SUPPORTED);
  pfring_close(m);
}

}  // namespace
