// test_zero_cluster.cpp - libzero's DNA Cluster in one process (src/zero,
// pfring_zero.h): a master on the shipped capture, slaves on threads;
// distribution, fan-out, DROP, back-pressure on a finite device, end of
// file, pkt_buff handles released with holes, sends through the master,
// and every bad input: an error with a message, never a crash or a leak.
// After each run the pool and per-slave invariants are checked
// (free + referenced = size; offered = delivered + dropped).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pfring.h"
#include "zero/cluster.h"

namespace {

std::string demo() {
  const char *d = std::getenv("PFRING_TEST_DATA");
  return std::string(d ? d : "tests/data") + "/demo.pcap";
}

std::string last_error(pfring *r) {
  char b[512] = "";
  pfring_get_last_error(r, b, sizeof b);
  return b;
}

constexpr uint32_t kDemoPackets = 2000;

// Reads a slave until end of file; the tag of a packet is its checksum.
struct SlaveRun {
  uint64_t packets = 0, bytes = 0;
  std::multiset<uint64_t> tags;
  int rc = 0;
};

uint64_t tag(const u_char *p, uint32_t n) {
  uint64_t h = 1469598103934665603ull;
  for (uint32_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
  return h ^ n;
}

SlaveRun read_slave(const std::string &dev) {
  SlaveRun s;
  pfring *r = pfring_open(dev.c_str(), 1536, 0);
  if (!r) {
    ADD_FAILURE() << dev << ": " << last_error(nullptr);
    return s;
  }
  for (;;) {
    u_char *p = nullptr;
    pfring_pkthdr h;
    s.rc = pfring_recv(r, &p, 0, &h, 1);
    if (s.rc != 1) break;
    s.packets++;
    s.bytes += h.len;
    s.tags.insert(tag(p, h.caplen));
  }
  pfring_close(r);
  return s;
}

std::multiset<uint64_t> reference_tags() {
  std::multiset<uint64_t> t;
  pfring *r = pfring_open(("pcap:" + demo()).c_str(), 1536, 0);
  EXPECT_NE(r, nullptr);
  u_char *p = nullptr;
  pfring_pkthdr h;
  while (r && pfring_recv(r, &p, 0, &h, 1) == 1) t.insert(tag(p, h.caplen));
  pfring_close(r);
  return t;
}

int fanout(const u_char *, const u_int16_t, const pfring_dna_cluster_slaves_info *info, u_int32_t *mask,
           u_int32_t *) {
  *mask = (1u << info->num_slaves) - 1;
  return DNA_CLUSTER_PASS;
}

int drop_odd_length(const u_char *, const u_int16_t len, const u_int32_t, u_int32_t *mask, u_int32_t *) {
  *mask = 1;
  return (len & 1) ? DNA_CLUSTER_DROP : DNA_CLUSTER_PASS;
}

// A cluster on a device with num slaves; destroyed (invariants checked) at the end.
struct Master {
  pfring_dna_cluster *c = nullptr;
  pfring *ring = nullptr;  // registered; closed by the cluster
  Master(uint32_t id, uint32_t num, const std::string &dev, uint32_t flags = 0) {
    c = dna_cluster_create(id, num, flags);
    EXPECT_NE(c, nullptr) << last_error(nullptr);
    ring = pfring_open(dev.c_str(), 1536, 0);
    EXPECT_NE(ring, nullptr) << last_error(nullptr);
    EXPECT_EQ(dna_cluster_register_ring(c, ring), 0) << last_error(nullptr);
  }
  pfr::zero::Cluster *cluster() const { return static_cast<pfr::zero::Cluster *>(c); }
  void check_and_destroy() {
    if (!c) return;
    dna_cluster_disable(c);
    std::string err;
    EXPECT_TRUE(static_cast<pfr::zero::Cluster *>(c)->check_invariants(err)) << err;
    dna_cluster_destroy(c);
    c = nullptr;
  }
  ~Master() { check_and_destroy(); }
};

TEST(ZeroCluster, DefaultHashGivesEveryPacketToExactlyOneSlave) {
  Master m(101, 3, "pcap:" + demo());
  ASSERT_EQ(dna_cluster_enable(m.c), 0) << last_error(nullptr);
  SlaveRun s[3];
  std::thread t[3];
  for (int k = 0; k < 3; k++) t[k] = std::thread([&, k] { s[k] = read_slave("dnacluster:101@" + std::to_string(k)); });
  for (auto &x : t) x.join();
  std::multiset<uint64_t> all;
  for (auto &x : s) {
    EXPECT_EQ(x.rc, PF_RING_ERROR_END_OF_FILE);
    EXPECT_GT(x.packets, 0u);  // the demo capture has many flows
    all.insert(x.tags.begin(), x.tags.end());
  }
  EXPECT_EQ(all, reference_tags());
  pfring_dna_cluster_stat st;
  ASSERT_EQ(dna_cluster_stats(m.c, &st), 0);
  EXPECT_EQ(st.tot_rx_packets, kDemoPackets);
  EXPECT_EQ(st.tot_rx_processed, kDemoPackets);
  u_int64_t rx = 0, tx = 0, proc = 0;
  ASSERT_EQ(dna_cluster_stats(m.c, &rx, &tx, &proc), 0);  // the guide's spelling
  EXPECT_EQ(rx, kDemoPackets);
  EXPECT_EQ(proc, kDemoPackets);
}

TEST(ZeroCluster, FanOutGivesEverySlaveEveryPacketWithoutACopy) {
  Master m(102, 2, "pcap:" + demo());
  dna_cluster_set_distribution_function(m.c, fanout);
  ASSERT_EQ(dna_cluster_enable(m.c), 0);
  SlaveRun a, b;
  std::thread ta([&] { a = read_slave("dnacluster:102@0"); }), tb([&] { b = read_slave("dnacluster:102@1"); });
  ta.join();
  tb.join();
  EXPECT_EQ(a.tags, reference_tags());
  EXPECT_EQ(b.tags, reference_tags());
}

TEST(ZeroCluster, GuideSpellingDropDropsAndCounts) {
  Master m(103, 1, "sim:" + demo());  // the in-process software NIC: finite too
  dna_cluster_set_distribution_function(m.c, drop_odd_length);
  ASSERT_EQ(dna_cluster_enable(m.c), 0);
  SlaveRun s = read_slave("dnacluster:103");
  EXPECT_EQ(s.rc, PF_RING_ERROR_END_OF_FILE);
  uint64_t even = 0;
  pfring *r = pfring_open(("pcap:" + demo()).c_str(), 1536, 0);
  u_char *p;
  pfring_pkthdr h;
  while (pfring_recv(r, &p, 0, &h, 1) == 1) even += (h.caplen & 1) == 0;
  pfring_close(r);
  EXPECT_EQ(s.packets, even);
}

// A slave that reads slowly on a finite device: the master waits instead
// of dropping (a queue of 16 slots, 2000 packets).
TEST(ZeroCluster, AFiniteDeviceIsNeverDroppedFromASlowSlave) {
  Master m(104, 1, "pcap:" + demo());
  ASSERT_EQ(dna_cluster_low_level_settings(m.c, 16, 16, 4), 0);
  ASSERT_EQ(dna_cluster_enable(m.c), 0);
  pfring *r = pfring_open("dnacluster:104@0", 1536, 0);
  ASSERT_NE(r, nullptr) << last_error(nullptr);
  uint64_t n = 0;
  u_char *p;
  pfring_pkthdr h;
  int rc;
  while ((rc = pfring_recv(r, &p, 0, &h, 1)) == 1) {
    if (++n % 200 == 0) usleep(2000);
  }
  EXPECT_EQ(rc, PF_RING_ERROR_END_OF_FILE);
  EXPECT_EQ(n, kDemoPackets);
  pfring_stat st;
  ASSERT_EQ(pfring_stats(r, &st), 0);
  EXPECT_EQ(st.drop, 0u);
  pfring_close(r);
}

// pkt_buff handles: received into, kept aside, released out of order;
// every bad handle is refused with a message.
TEST(ZeroCluster, PktBuffHandlesWithHolesAndBadHandles) {
  Master m(105, 1, "pcap:" + demo());
  ASSERT_EQ(dna_cluster_low_level_settings(m.c, 64, 16, 8), 0);
  ASSERT_EQ(dna_cluster_enable(m.c), 0);
  pfring *r = pfring_open("dnacluster:105@0", 1536, 0);
  ASSERT_NE(r, nullptr) << last_error(nullptr);
  std::vector<pfring_pkt_buff *> kept;
  std::vector<uint64_t> kept_tags;
  std::vector<uint32_t> kept_len;
  for (int i = 0; i < 8; i++) {
    pfring_pkt_buff *b = pfring_alloc_pkt_buff(r);
    ASSERT_NE(b, nullptr) << last_error(r);
    pfring_pkthdr h;
    ASSERT_EQ(pfring_recv_pkt_buff(r, b, &h, 1), 1) << last_error(r);
    kept.push_back(b);
    kept_tags.push_back(tag(pfring_get_pkt_buff_data(r, b), h.caplen));
    kept_len.push_back(h.caplen);
  }
  EXPECT_EQ(pfring_alloc_pkt_buff(r), nullptr);  // all 8 are out
  EXPECT_NE(last_error(r).find("is allocated"), std::string::npos) << last_error(r);
  // 500 more receives: the kept buffers stay as they were
  u_char *p;
  pfring_pkthdr h;
  for (int i = 0; i < 500; i++) ASSERT_EQ(pfring_recv(r, &p, 0, &h, 1), 1);
  for (size_t i = 0; i < kept.size(); i++) {
    const u_char *d = pfring_get_pkt_buff_data(r, kept[i]);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(tag(d, kept_len[i]), kept_tags[i]) << i;  // not overwritten
  }
  // release with holes: odd ones first
  for (size_t i = 1; i < kept.size(); i += 2) pfring_release_pkt_buff(r, kept[i]);
  for (size_t i = 0; i < kept.size(); i += 2) pfring_release_pkt_buff(r, kept[i]);
  // bad handles
  errno = 0;
  pfring_release_pkt_buff(r, kept[0]);  // twice
  EXPECT_EQ(errno, EINVAL);
  EXPECT_NE(last_error(r).find("not a packet buffer"), std::string::npos) << last_error(r);
  int foreign = 0;
  EXPECT_EQ(pfring_recv_pkt_buff(r, &foreign, &h, 0), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(pfring_send_pkt_buff(r, nullptr, 1), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(pfring_get_pkt_buff_data(r, nullptr), nullptr);
  pfring *file = pfring_open(("pcap:" + demo()).c_str(), 1536, 0);
  EXPECT_EQ(pfring_alloc_pkt_buff(file), nullptr);
  EXPECT_NE(last_error(file).find("DNA cluster slaves"), std::string::npos);
  pfring_close(file);
  // the rest of the capture still arrives, then end of file
  uint64_t n = 508;
  while (pfring_recv(r, &p, 0, &h, 1) == 1) n++;
  EXPECT_EQ(n, kDemoPackets);
  pfring_close(r);
}

TEST(ZeroCluster, OpenErrorsNameWhatIsWrong) {
  EXPECT_EQ(pfring_open("dnacluster:999", 1536, 0), nullptr);
  EXPECT_EQ(errno, ENODEV);
  EXPECT_NE(last_error(nullptr).find("no DNA cluster 999"), std::string::npos) << last_error(nullptr);
  EXPECT_EQ(pfring_open("dnacluster:x1", 1536, 0), nullptr);
  EXPECT_EQ(errno, EINVAL);
  Master m(106, 2, "pcap:" + demo());
  EXPECT_EQ(pfring_open("dnacluster:106@0", 1536, 0), nullptr);
  EXPECT_NE(last_error(nullptr).find("is not enabled"), std::string::npos) << last_error(nullptr);
  ASSERT_EQ(dna_cluster_enable(m.c), 0);
  EXPECT_EQ(pfring_open("dnacluster:106@2", 1536, 0), nullptr);
  EXPECT_NE(last_error(nullptr).find("slaves 0..1, not 2"), std::string::npos) << last_error(nullptr);
  pfring *a = pfring_open("dnacluster:106@1", 1536, 0);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(pfring_open("dnacluster:106@1", 1536, 0), nullptr);
  EXPECT_EQ(errno, EBUSY);
  pfring *b = pfring_open("dnacluster:106", 1536, 0);  // the next free: 0
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(pfring_open("dnacluster:106", 1536, 0), nullptr);
  EXPECT_NE(last_error(nullptr).find("every slave"), std::string::npos);
  pfring_close(a);
  pfring_close(b);
  // master calls on bad handles and arguments
  int foreign = 0;
  EXPECT_EQ(dna_cluster_enable(&foreign), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(dna_cluster_enable(nullptr), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(dna_cluster_create(106, 2, 0), nullptr);  // id in use
  EXPECT_EQ(errno, EEXIST);
  EXPECT_EQ(dna_cluster_create(107, 33, 0), nullptr);
  EXPECT_EQ(dna_cluster_create(107, 0, 0), nullptr);
  EXPECT_EQ(dna_cluster_register_ring(m.c, nullptr), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(dna_cluster_low_level_settings(m.c, 64, 64, 64), PF_RING_ERROR_INVALID_STATUS);  // enabled already
  dna_cluster_destroy(&foreign);  // ignored
  EXPECT_EQ(pfring_dna_bouncer_create(nullptr, nullptr), nullptr);  // step 3
}

// A slave sends through the master out of a registered ring; the
// registered userspace: end's peer receives it.
TEST(ZeroCluster, ASlaveSendsOutOfARegisteredRing) {
  std::string name = "uzero" + std::to_string(getpid());
  pfring *peer = pfring_open(("userspace:" + name).c_str(), 1536, 0);
  ASSERT_NE(peer, nullptr);
  pfring_dna_cluster *c = dna_cluster_create(108, 1, 0);
  ASSERT_NE(c, nullptr);
  pfring *port = pfring_open(("userspace:" + name).c_str(), 1536, 0);
  ASSERT_EQ(dna_cluster_register_ring(c, port), 0);
  ASSERT_EQ(dna_cluster_enable(c), 0);
  pfring *s = pfring_open("dnacluster:108@0", 1536, 0);
  ASSERT_NE(s, nullptr) << last_error(nullptr);
  uint8_t frame[60] = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00, 0x45};
  for (int i = 0; i < 20; i++) {
    frame[20] = static_cast<uint8_t>(i);
    ASSERT_EQ(pfring_send(s, frame, sizeof frame, 1), 60) << last_error(s);
  }
  int got = 0;
  for (int i = 0; i < 20; i++) {
    u_char *p;
    pfring_pkthdr h;
    if (pfring_recv(peer, &p, 0, &h, 1) != 1) break;
    EXPECT_EQ(p[20], i);
    got++;
  }
  EXPECT_EQ(got, 20);
  // and what the peer sends reaches the slave, which bounces it in zero copy
  ASSERT_EQ(pfring_send(peer, frame, sizeof frame, 1), 60);
  pfring_pkt_buff *b = pfring_alloc_pkt_buff(s);
  ASSERT_NE(b, nullptr);
  pfring_pkthdr h;
  ASSERT_EQ(pfring_recv_pkt_buff(s, b, &h, 1), 1);
  ASSERT_EQ(pfring_send_pkt_buff(s, b, 1), 60) << last_error(s);
  u_char *p;
  ASSERT_EQ(pfring_recv(peer, &p, 0, &h, 1), 1);
  EXPECT_EQ(h.caplen, 60u);
  pfring_dna_cluster_stat st;
  ASSERT_EQ(dna_cluster_stats(c, &st), 0);
  EXPECT_EQ(st.tot_tx_packets, 21u);
  pfring_release_pkt_buff(s, b);
  pfring_close(s);
  dna_cluster_disable(c);
  std::string err;
  EXPECT_TRUE(static_cast<pfr::zero::Cluster *>(c)->check_invariants(err)) << err;
  dna_cluster_destroy(c);
  pfring_close(peer);
}

// A slave that closes and another that takes its place: nothing it held
// is lost (pool invariant), the new one reads on.
TEST(ZeroCluster, ASlaveClosedAndReopenedLosesNoBuffer) {
  Master m(109, 1, "pcap:" + demo());
  ASSERT_EQ(dna_cluster_low_level_settings(m.c, 64, 16, 8), 0);
  ASSERT_EQ(dna_cluster_enable(m.c), 0);
  uint64_t total = 0;
  for (int round = 0; round < 50; round++) {
    pfring *r = nullptr;
    for (int i = 0; i < 1000 && !r; i++) {  // the slot is free once the master reclaimed it
      r = pfring_open("dnacluster:109@0", 1536, 0);
      if (!r) usleep(1000);
    }
    ASSERT_NE(r, nullptr) << last_error(nullptr);
    pfring_pkt_buff *b = pfring_alloc_pkt_buff(r);
    ASSERT_NE(b, nullptr);
    pfring_pkthdr h;
    int rc = pfring_recv_pkt_buff(r, b, &h, 1);  // held at close
    u_char *p;
    for (int i = 0; i < 30 && rc == 1; i++) {
      rc = pfring_recv(r, &p, 0, &h, 1);
      total += rc == 1;
    }
    pfring_close(r);
  }
  EXPECT_GT(total, 0u);
}

// A slave that reads to the end and closes just before the master is
// disabled: the master thread may not have seen it leave, so disable
// reclaims it (its slot and every buffer it held stayed taken before).
TEST(ZeroCluster, ASlaveThatLeavesJustBeforeDisableIsReclaimed) {
  for (int round = 0; round < 20; round++) {
    const uint32_t id = 110 + uint32_t(round % 2);
    Master m(id, 1, "pcap:" + demo());
    ASSERT_EQ(dna_cluster_enable(m.c), 0) << last_error(nullptr);
    SlaveRun s = read_slave("dnacluster:" + std::to_string(id) + "@0");
    ASSERT_EQ(s.rc, PF_RING_ERROR_END_OF_FILE);
    ASSERT_EQ(s.packets, kDemoPackets);
    dna_cluster_disable(m.c);
    EXPECT_TRUE(m.cluster()->wait_all_slaves_free(0)) << "round " << round;
    EXPECT_TRUE(m.cluster()->all_buffers_free()) << "round " << round;
  }
}

// A master on the igb driver and the 82576 model (DESIGN.md decision 6):
// the NIC's receive descriptors point at pool buffers, so the master hands
// the slaves the buffers the NIC wrote - it copies nothing.
uint64_t json_number(pfring *r, const std::string &key) {
  char buf[4096];
  if (pfring_get_device_stats_json(r, buf, sizeof buf) < 0) return UINT64_MAX;
  std::string s = buf;
  size_t at = s.find("\"" + key + "\":");
  return at == std::string::npos ? UINT64_MAX : std::stoull(s.substr(at + key.size() + 3));
}

std::string dna_demo() { return "dna:model:igb:" + demo(); }

TEST(ZeroClusterOnDna, TwoSlavesShareEveryFrameWrittenByTheNicInPlace) {
  Master m(120, 2, dna_demo());
  ASSERT_EQ(dna_cluster_enable(m.c), 0) << last_error(nullptr);
  SlaveRun s[2];
  std::thread t[2];
  for (int k = 0; k < 2; k++) t[k] = std::thread([&, k] { s[k] = read_slave("dnacluster:120@" + std::to_string(k)); });
  for (auto &x : t) x.join();
  std::multiset<uint64_t> all;
  for (auto &x : s) {
    EXPECT_EQ(x.rc, PF_RING_ERROR_END_OF_FILE);
    EXPECT_GT(x.packets, 0u);
    all.insert(x.tags.begin(), x.tags.end());
  }
  EXPECT_EQ(all, reference_tags());  // none lost, none doubled
  EXPECT_EQ(m.cluster()->rx_in_place(), kDemoPackets);
  EXPECT_EQ(m.cluster()->rx_copied(), 0u);
  dna_cluster_disable(m.c);
  // the NIC wrote every frame into pool memory, and gave its buffers back
  EXPECT_EQ(json_number(m.ring, "into_pool"), kDemoPackets);
  EXPECT_EQ(json_number(m.ring, "ring_pool_rx"), kDemoPackets);
  EXPECT_TRUE(m.cluster()->wait_all_slaves_free(5000));
  EXPECT_TRUE(m.cluster()->all_buffers_free());
  m.check_and_destroy();
}

TEST(ZeroClusterOnDna, FanOutGivesBothSlavesEveryFrameFromOneNicBuffer) {
  Master m(121, 2, dna_demo() + ",queues=4");
  // short slave queues: the master waits for the slaves (a finite device),
  // packets received in place and not yet handed on wait with it
  ASSERT_EQ(dna_cluster_low_level_settings(m.c, 16, 16, 8), 0);
  dna_cluster_set_distribution_function(m.c, fanout);
  ASSERT_EQ(dna_cluster_enable(m.c), 0) << last_error(nullptr);
  SlaveRun s[2];
  std::thread t[2];
  for (int k = 0; k < 2; k++) t[k] = std::thread([&, k] { s[k] = read_slave("dnacluster:121@" + std::to_string(k)); });
  for (auto &x : t) x.join();
  for (auto &x : s) {
    EXPECT_EQ(x.rc, PF_RING_ERROR_END_OF_FILE);
    EXPECT_EQ(x.tags, reference_tags());
  }
  EXPECT_EQ(m.cluster()->rx_in_place(), kDemoPackets);
  EXPECT_EQ(m.cluster()->rx_copied(), 0u);
  dna_cluster_disable(m.c);
  EXPECT_EQ(json_number(m.ring, "into_pool"), kDemoPackets);
  EXPECT_TRUE(m.cluster()->wait_all_slaves_free(5000));
  EXPECT_TRUE(m.cluster()->all_buffers_free());
  m.check_and_destroy();
}

TEST(ZeroClusterOnDna, ARingThatFiltersInSoftwareIsCopiedAndStillFiltered) {
  // a BPF filter on the registered ring runs in the handle: the master
  // reads through pfring_recv (one copy) so the filter still applies
  Master m(122, 1, dna_demo());
  ASSERT_EQ(pfring_set_bpf_filter(m.ring, const_cast<char *>("tcp")), 0) << last_error(m.ring);
  ASSERT_EQ(dna_cluster_enable(m.c), 0) << last_error(nullptr);
  SlaveRun s = read_slave("dnacluster:122@0");
  EXPECT_EQ(s.rc, PF_RING_ERROR_END_OF_FILE);
  pfring *ref = pfring_open(("pcap:" + demo()).c_str(), 1536, 0);
  ASSERT_NE(ref, nullptr);
  ASSERT_EQ(pfring_set_bpf_filter(ref, const_cast<char *>("tcp")), 0);
  uint64_t want = 0;
  u_char *p;
  pfring_pkthdr h;
  while (pfring_recv(ref, &p, 0, &h, 1) == 1) want++;
  pfring_close(ref);
  EXPECT_EQ(s.packets, want);
  EXPECT_GT(want, 0u);
  EXPECT_EQ(m.cluster()->rx_in_place(), 0u);
  dna_cluster_disable(m.c);
  EXPECT_EQ(json_number(m.ring, "into_pool"), 0u);
  m.check_and_destroy();
}

}  // namespace
