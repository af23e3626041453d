// test_dna_module.cpp - the dna module (src/lib/modules/dna) through the
// public API: rings of one name share one NIC; one thread per queue
// (pfring_open_multichannel) reads every frame of the file exactly once
// between them, with the NIC's lock the only thing they share (run under
// ThreadSanitizer in CI); zero-copy receives point into the NIC's buffers;
// the NIC's counters reach pfring_stats and the JSON device stats.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "pfring.h"

namespace {

std::string demo() {
  const char *d = std::getenv("PFRING_TEST_DATA");
  return std::string(d ? d : "tests/data") + "/demo.pcap";
}

// The frames a ring receives, as strings, until the end of the file.
std::vector<std::string> drain(pfring *r) {
  std::vector<std::string> out;
  u_char *buf;
  struct pfring_pkthdr h;
  for (int guard = 0; guard < 1000000; guard++) {
    int rc = pfring_recv(r, &buf, 0, &h, 1);
    if (rc != 1) {
      EXPECT_EQ(rc, PF_RING_ERROR_END_OF_FILE);
      break;
    }
    out.emplace_back(reinterpret_cast<char *>(buf), h.caplen);
  }
  return out;
}

TEST(DnaModule, QueueThreadsShareOneNicAndGetEveryFrameOnce) {
  std::string dev = "dna:model:igb:" + demo() + ",queues=4,ring=64";
  pfring *all = pfring_open(("dna:model:igb:" + demo()).c_str(), 1536, 0);
  ASSERT_NE(all, nullptr);
  std::vector<std::string> want = drain(all);
  pfring_close(all);
  ASSERT_EQ(want.size(), 2000u);

  pfring *rings[MAX_NUM_RX_CHANNELS];
  ASSERT_EQ(pfring_open_multichannel(dev.c_str(), 1536, 0, rings), 4);
  std::vector<std::vector<std::string>> got(4);
  std::vector<std::thread> threads;
  for (int q = 0; q < 4; q++) threads.emplace_back([&, q] { got[q] = drain(rings[q]); });
  for (auto &t : threads) t.join();
  std::map<std::string, int> count;
  size_t total = 0;
  for (int q = 0; q < 4; q++) {
    EXPECT_GT(got[q].size(), 0u) << q;
    total += got[q].size();
    for (auto &f : got[q]) count[f]++;
  }
  EXPECT_EQ(total, want.size());
  std::map<std::string, int> want_count;
  for (auto &f : want) want_count[f]++;
  EXPECT_EQ(count, want_count);
  pfring_stat st;
  ASSERT_EQ(pfring_stats(rings[0], &st), 0);
  EXPECT_EQ(st.drop, 0u);
  for (int q = 0; q < 4; q++) pfring_close(rings[q]);
}

TEST(DnaModule, ZeroCopyPointsIntoTheNicAndCountersAreTheNics) {
  std::string dev = "dna:model:igb:" + demo() + ",ring=8,full=drop";
  pfring *r = pfring_open(dev.c_str(), 1536, 0);
  ASSERT_NE(r, nullptr);
  u_char *a = nullptr, *b = nullptr, copy[2048];
  struct pfring_pkthdr h;
  ASSERT_EQ(pfring_recv(r, &a, 0, &h, 1), 1);
  ASSERT_EQ(pfring_recv(r, &b, 0, &h, 1), 1);
  EXPECT_NE(a, b);  // two NIC buffers
  u_char *cp = copy;
  ASSERT_EQ(pfring_recv(r, &cp, sizeof copy, &h, 1), 1);  // a copy receive works too
  // the whole file arrived at once into 8 descriptors: 7 kept, the rest
  // dropped by the NIC and counted
  std::vector<std::string> rest = drain(r);
  pfring_stat st;
  ASSERT_EQ(pfring_stats(r, &st), 0);
  EXPECT_EQ(st.recv, 3u + rest.size());
  EXPECT_EQ(st.recv + st.drop, 2000u);
  char js[2048];
  ASSERT_GT(pfring_get_device_stats_json(r, js, sizeof js), 0);
  EXPECT_NE(std::strstr(js, "\"missed\":"), nullptr) << js;
  u_char mac[6];
  ASSERT_EQ(pfring_get_bound_device_address(r, mac), 0);
  EXPECT_EQ(mac[0], 0x02);
  EXPECT_EQ(pfring_get_num_rx_channels(r), 1);
  pfring_close(r);
}

}  // namespace
