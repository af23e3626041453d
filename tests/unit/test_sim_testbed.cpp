// test_sim_testbed.cpp - the pfsim engine (tools/pfsim/testbed.h) run in
// this process on a thread, with clients opened through the public API
// (sim:NAME:NIC@Q): hardware filters steer and drop, the device clock is
// shared and adjustable, a send-only handle takes no packets, and a
// stopped testbed is an error, not a hang. (Multi-process behaviour is in
// tests/integration/test_pfsim.py.)
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "pfring.h"
#include "handle.h"
#include "testbed.h"
#include "unit/hw_rule_util.h"

namespace {

class TestbedTest : public ::testing::Test {
 protected:
  // Starts testbed `text` under a unique name, its loop on a thread.
  void start(const std::string &text) {
    name_ = "ut" + std::to_string(getpid()) + "x" + std::to_string(counter_++);
    sim::TestbedConfig cfg;
    std::string err;
    ASSERT_TRUE(sim::parse_testbed(text, cfg, err)) << err;
    tb_ = pfsim::Testbed::create(name_, cfg, sim::shm::Access{}, err);
    ASSERT_TRUE(tb_) << err;
    loop_ = std::thread([this] {
      while (!stop_.load()) {
        if (!tb_->step()) std::this_thread::sleep_for(std::chrono::microseconds(20));
      }
    });
  }

  void stop() {
    if (!tb_) return;
    stop_ = true;
    if (loop_.joinable()) loop_.join();
    tb_->stop();
  }

  void TearDown() override {
    stop();
    if (seg_) munmap(seg_, seg_len_);
  }

  // The testbed's segment mapped read/write, as any member of its group
  // maps it (unmapped at the end of the test); nullptr if it cannot be.
  sim::tb::TbHeader *map_segment() {
    int fd = shm_open(sim::tb::shm_name(name_).c_str(), O_RDWR, 0);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) return nullptr;
    void *m = mmap(nullptr, size_t(st.st_size), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED) return nullptr;
    seg_ = m;
    seg_len_ = size_t(st.st_size);
    return static_cast<sim::tb::TbHeader *>(m);
  }

  pfring *open(const std::string &nic_q) {
    pfring *r = pfring_open(("sim:" + name_ + ":" + nic_q).c_str(), 2048, 0);
    char err[256] = "";
    if (!r) pfring_get_last_error(nullptr, err, sizeof(err));
    EXPECT_NE(r, nullptr) << err;
    return r;
  }

  // Receives until end of file (bounded); returns the count.
  static int drain(pfring *r) {
    int n = 0;
    for (int i = 0; i < 100000; i++) {
      u_char *p = nullptr;
      pfring_pkthdr h;
      int rc = pfring_recv(r, &p, 0, &h, 1);
      if (rc == PF_RING_ERROR_END_OF_FILE) return n;
      if (rc < 0) return -1000 + rc;
      n += rc;
    }
    return -1;
  }

  std::string name_;
  std::unique_ptr<pfsim::Testbed> tb_;
  std::thread loop_;
  std::atomic<bool> stop_{false};
  void *seg_ = nullptr;
  size_t seg_len_ = 0;
  static int counter_;
};

int TestbedTest::counter_ = 0;

using ut::five_tuple_rule;

// 400 synthetic UDP packets to port 5001 over 16 flows: RSS spreads them;
// a rule for UDP port 5001 puts them all on queue 2.
TEST_F(TestbedTest, HardwareRuleSteersToItsQueue) {
  start("nic n queues=4\nsource n synthetic count=400 flows=16 wait_for=4 then=end\n");
  pfring *q[4];
  for (int i = 0; i < 4; i++) q[i] = open("n@" + std::to_string(i));
  ASSERT_EQ(pfring_set_filtering_mode(q[0], hardware_and_software), 0);
  hw_filtering_rule r = five_tuple_rule(1, 17, 5001, 2);
  ASSERT_EQ(pfring_add_hw_rule(q[0], &r), 0);
  for (int i = 0; i < 4; i++) pfring_enable_ring(q[i]);
  int got[4];
  for (int i = 0; i < 4; i++) got[i] = drain(q[i]);
  EXPECT_EQ(got[0], 0);
  EXPECT_EQ(got[1], 0);
  EXPECT_EQ(got[2], 400);
  EXPECT_EQ(got[3], 0);
  for (pfring *x : q) pfring_close(x);
}

TEST_F(TestbedTest, WithoutRulesRssSpreadsTheFlows) {
  start("nic n queues=4\nsource n synthetic count=400 flows=16 wait_for=4 then=end\n");
  pfring *q[4];
  for (int i = 0; i < 4; i++) q[i] = open("n@" + std::to_string(i));
  for (int i = 0; i < 4; i++) pfring_enable_ring(q[i]);
  int total = 0, used = 0;
  for (int i = 0; i < 4; i++) {
    int n = drain(q[i]);
    total += n;
    used += n > 0;
  }
  EXPECT_EQ(total, 400);
  EXPECT_GE(used, 2);
  for (pfring *x : q) pfring_close(x);
}

// A rule to a queue the NIC does not have drops; removing it restores RSS;
// the lowest rule_id decides; an unknown rule family is refused.
TEST_F(TestbedTest, HardwareRuleToAMissingQueueDrops) {
  start("nic n queues=2\nsource n synthetic count=300 wait_for=1 then=end\n");
  pfring *all = open("n");
  hw_filtering_rule drop = five_tuple_rule(5, 17, 0, 7);
  hw_filtering_rule keep = five_tuple_rule(9, 17, 5001, 1);
  ASSERT_EQ(pfring_add_hw_rule(all, &keep), 0);
  ASSERT_EQ(pfring_add_hw_rule(all, &drop), 0);
  hw_filtering_rule silicom;
  std::memset(&silicom, 0, sizeof(silicom));
  silicom.rule_family_type = silicom_redirector_rule;
  EXPECT_EQ(pfring_add_hw_rule(all, &silicom), PF_RING_ERROR_NOT_SUPPORTED);
  hw_filtering_rule missing = five_tuple_rule(77, 6, 0, 0);
  EXPECT_EQ(pfring_remove_hw_rule(all, &missing), PF_RING_ERROR_NOT_FOUND);
  pfring_enable_ring(all);
  EXPECT_EQ(drain(all), 0);  // rule 5 (lower id) drops everything before rule 9
  char json[2048];
  ASSERT_GE(pfring_get_device_stats_json(all, json, sizeof(json)), 0);
  EXPECT_NE(std::string(json).find("\"hw_dropped\":300"), std::string::npos) << json;
  EXPECT_NE(std::string(json).find("\"offered\":300"), std::string::npos) << json;
  pfring_close(all);
}

TEST_F(TestbedTest, DeviceClockIsSharedAndAdjustable) {
  start("nic n\nsource n synthetic count=100 wait_for=1 then=end\n");
  pfring *a = open("n"), *b = open("n");
  pfring_enable_ring(a);
  ASSERT_EQ(drain(a), 100);
  timespec t1, t2;
  ASSERT_EQ(pfring_get_device_clock(a, &t1), 0);
  EXPECT_GT(t1.tv_nsec + t1.tv_sec, 0);  // 100 frames took virtual time
  timespec set = {1000, 500};
  ASSERT_EQ(pfring_set_device_clock(a, &set), 0);
  ASSERT_EQ(pfring_get_device_clock(b, &t2), 0);  // the other handle sees the NIC's clock
  EXPECT_EQ(t2.tv_sec, 1000);
  EXPECT_EQ(t2.tv_nsec, 500);
  timespec adj = {2, 0};
  ASSERT_EQ(pfring_adjust_device_clock(b, &adj, 1), 0);
  ASSERT_EQ(pfring_get_device_clock(a, &t1), 0);
  EXPECT_EQ(t1.tv_sec, 1002);
  pfring_close(a);
  pfring_close(b);
}

// TX timestamps: back-to-back 60-byte frames at 10G leave 67.2 ns apart
// (84 bytes on the wire), the first one ending at 67 ns.
TEST_F(TestbedTest, SendGetTimeReturnsWireTimes) {
  start("nic a\nnic b\nwire a b\n");
  pfring *tx = open("a");
  u_char frame[60] = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5};
  int64_t prev = -1;
  for (int i = 0; i < 5; i++) {
    timespec ts;
    ASSERT_EQ(pfring_send_get_time(tx, frame, sizeof(frame), &ts), 60);
    int64_t ns = int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
    if (prev < 0)
      EXPECT_EQ(ns, 67);
    else
      EXPECT_GE(ns - prev, 67);  // no two frames overlap on the wire
    prev = ns;
  }
  pfring_close(tx);
}

// send_burst (module.h) on a testbed NIC: one TX-ring commit for the
// burst; the frames cross the wire in order, a bad one ends the burst.
TEST_F(TestbedTest, SendBurstCrossesTheWireInOrder) {
  start("nic a\nnic b\nwire a b\n");
  pfring *rx = open("b"), *tx = open("a");
  pfring_enable_ring(rx);
  std::vector<std::vector<u_char>> frames;
  std::vector<pfr::TxFrame> burst;
  for (int i = 0; i < 6; i++) {
    frames.push_back(std::vector<u_char>(60 + i, 0));
    u_char head[14] = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5};
    std::memcpy(frames.back().data(), head, sizeof(head));
  }
  for (auto &f : frames) burst.push_back({f.data(), uint32_t(f.size())});
  std::string err;
  ASSERT_EQ(pfr::handle(tx)->mod->send_burst(burst.data(), 6, -1, err), 6) << err;
  burst[1].len = 0;  // refused: the burst ends before it
  ASSERT_EQ(pfr::handle(tx)->mod->send_burst(burst.data(), 3, -1, err), 1) << err;
  EXPECT_EQ(pfr::handle(tx)->mod->send_burst(burst.data() + 1, 2, -1, err), PF_RING_ERROR_INVALID_ARGUMENT);
  for (int i = 0; i < 7; i++) {
    u_char *p;
    pfring_pkthdr h;
    ASSERT_EQ(pfring_recv(rx, &p, 0, &h, 1), 1) << i;
    EXPECT_EQ(h.len, i < 6 ? 60u + i : 60u) << i;
  }
  pfring_close(rx);
  pfring_close(tx);
}

TEST_F(TestbedTest, SendOnlyHandleTakesNoPacketsAndStoppedTestbedIsAnError) {
  start("nic a\nnic b\nwire a b\n");
  pfring *rx = open("b"), *tx = open("a"), *idle = open("b");
  ASSERT_EQ(pfring_set_socket_mode(idle, send_only_mode), 0);
  pfring_enable_ring(rx);
  pfring_enable_ring(idle);
  u_char frame[60] = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5};
  for (int i = 0; i < 10; i++) ASSERT_EQ(pfring_send(tx, frame, sizeof(frame), 1), 60);
  int n = 0;
  for (int i = 0; i < 10; i++) {
    u_char *p;
    pfring_pkthdr h;
    ASSERT_EQ(pfring_recv(rx, &p, 0, &h, 1), 1);
    EXPECT_EQ(h.len, 60u);
    n++;
  }
  EXPECT_EQ(n, 10);
  u_char *p;
  pfring_pkthdr h;
  EXPECT_EQ(pfring_recv(idle, &p, 0, &h, 0), 0);
  stop();
  int rc = pfring_recv(rx, &p, 0, &h, 1);
  EXPECT_EQ(rc, PF_RING_ERROR_UNKNOWN_ADAPTER);
  char err[256];
  pfring_get_last_error(rx, err, sizeof(err));
  EXPECT_NE(std::string(err).find("has stopped"), std::string::npos) << err;
  EXPECT_EQ(pfring_send(tx, frame, sizeof(frame), 1), PF_RING_ERROR_UNKNOWN_ADAPTER);
  for (pfring *x : {rx, tx, idle}) pfring_close(x);
}

// A client that rewrites its slot and rings after attaching (another
// process mapping the testbed read/write): an impossible NIC in a new
// request, a damaged TX ring header, an impossible TX index, cluster
// fields flipping. pfsim neither crashes nor writes outside its tables
// (ASan in CI); the hostile client is refused or closed, and an honest
// client still gets every packet.
TEST_F(TestbedTest, AHostileClientCannotCrashTheDaemon) {
  start("nic n\nsource n synthetic count=300 wait_for=1 then=end\n");
  pfring *honest = open("n");
  pfring *hostile = open("n");
  ASSERT_TRUE(honest && hostile);
  auto *h = map_segment();
  ASSERT_NE(h, nullptr);
  sim::tb::TbClient *c = nullptr;
  for (auto &slot : h->clients)
    if (sim::tb::load_acquire(&slot.state) == sim::tb::kAttached && slot.pid == uint32_t(getpid())) c = &slot;  // the last one: hostile
  ASSERT_NE(c, nullptr);
  auto *tx = reinterpret_cast<pfc_ring_hdr *>(reinterpret_cast<uint8_t *>(h) + c->tx_ring_off);
  tx->magic = 0;               // a damaged header pfsim must not re-read
  tx->num_slots = 1u << 30;
  tx->insert_idx = 1u << 31;   // an impossible index
  c->in_cluster = 1;           // cluster fields that change under pfsim
  c->cluster_type = cluster_round_robin;
  c->cluster_id = 0xffffffffu;
  c->nic = 99;                 // and a request for a NIC that does not exist
  sim::tb::store_release(&c->state, static_cast<uint32_t>(sim::tb::kRequest));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  sim::tb::store_release(&c->state, static_cast<uint32_t>(sim::tb::kAttached));
  pfring_enable_ring(honest);
  EXPECT_EQ(drain(honest), 300);
  pfring_close(hostile);
  pfring_close(honest);
}

// A member rewrites the NIC's name in the segment after a client opened
// it: a quote-carrying name, then one without a NUL that runs into the
// next field. The client's JSON stays its own: the name it opened,
// escaped, and valid JSON either way.
TEST_F(TestbedTest, ANicNameRewrittenInTheSegmentCannotInjectJson) {
  start("nic n\n");
  auto *h = map_segment();
  ASSERT_NE(h, nullptr);
  pfring *r = open("n");
  ASSERT_NE(r, nullptr);
  char js[4096];
  std::strcpy(h->nics[0].name, "a\",\"injected\":true");
  ASSERT_GT(pfring_get_device_stats_json(r, js, sizeof js), 0);
  EXPECT_EQ(std::string(js).find("injected"), std::string::npos) << js;
  EXPECT_NE(std::string(js).find("\"nic\":\"n\""), std::string::npos) << js;
  std::memset(h->nics[0].name, 'x', sizeof h->nics[0].name);  // no NUL
  ASSERT_GT(pfring_get_device_stats_json(r, js, sizeof js), 0);
  EXPECT_EQ(std::string(js).find("xxxx"), std::string::npos) << js;
  pfring_close(r);
  // A client opening now sees the damaged name only escaped, in its message.
  std::strcpy(h->nics[0].name, "q\"\n");
  EXPECT_EQ(pfring_open(("sim:" + name_ + ":zz").c_str(), 2048, 0), nullptr);
  char err[512] = "";
  pfring_get_last_error(nullptr, err, sizeof err);
  EXPECT_NE(std::string(err).find("\"q\\\"\\u000a\""), std::string::npos) << err;
}

// pfsim dies without marking the testbed stopped (SIGKILL): made here by
// pointing the segment's daemon pid at a process that has exited. A poll
// with no limit returns at once (ready: the receive says why), the
// receive reports it, and a send fails within a second, although the TX
// ring has room.
TEST_F(TestbedTest, ADeadDaemonIsSeenByPollReceiveAndSend) {
  start("nic n\n");
  pfring *r = open("n");
  pfring *tx = open("n");
  ASSERT_TRUE(r && tx);
  auto *h = map_segment();
  ASSERT_NE(h, nullptr);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  uint32_t real_pid = h->daemon_pid;
  h->daemon_pid = static_cast<uint32_t>(child);  // "pfsim" is now a dead process
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(pfring_poll(r, static_cast<u_int>(-1)), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  u_char *p = nullptr;
  pfring_pkthdr hdr;
  EXPECT_EQ(pfring_recv(r, &p, 0, &hdr, 1), PF_RING_ERROR_UNKNOWN_ADAPTER);
  uint8_t frame[60] = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00};
  int rc = 0, sent = 0;
  t0 = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1)) {
    rc = pfring_send(tx, frame, sizeof frame, 1);
    if (rc < 0) break;
    sent++;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(rc, PF_RING_ERROR_UNKNOWN_ADAPTER) << sent << " sent";
  EXPECT_LT(sent, 100);
  h->daemon_pid = real_pid;
  pfring_close(tx);
  pfring_close(r);
}

// preflect -b on a NIC whose TX ring is full: the peer NIC's only client
// never reads, so with flow control the wire stalls and the bouncing
// client's TX ring fills. A receive that asks not to wait must still
// return soon (each bounce once waited 200 ms for TX room, and the
// receive kept refilling while packets arrived: minutes), and a stop
// request must end it at once.
TEST_F(TestbedTest, BouncingIntoAFullTxRingNeverHoldsUpAReceive) {
  start("testbed ring=64\nnic a\nnic b\nwire a b\nsource a synthetic count=100000000 wait_for=1 then=end\n");
  pfring *sink = open("b");  // enabled, never read: its ring fills, the wire stalls
  pfring *r = open("a");
  ASSERT_TRUE(sink && r);
  pfring_enable_ring(sink);
  filtering_rule rule;
  std::memset(&rule, 0, sizeof rule);
  rule.rule_id = 1;
  rule.rule_action = bounce_packet_and_stop_rule_evaluation;
  ASSERT_EQ(pfring_add_filtering_rule(r, &rule), 0);
  ASSERT_EQ(pfring_enable_ring(r), 0);
  auto worst = std::chrono::steady_clock::duration::zero();
  auto t_end = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  int calls = 0;
  while (std::chrono::steady_clock::now() < t_end) {
    u_char *p = nullptr;
    pfring_pkthdr h;
    auto t0 = std::chrono::steady_clock::now();
    int rc = pfring_recv(r, &p, 0, &h, 0);
    worst = std::max(worst, std::chrono::steady_clock::now() - t0);
    ASSERT_GE(rc, 0);
    calls++;
  }
  EXPECT_LT(worst, std::chrono::milliseconds(500)) << calls << " calls";
  char js[4096];
  ASSERT_GT(pfring_get_device_stats_json(r, js, sizeof js), 0);
  hash_filtering_rule_stats rs{};
  u_int len = sizeof rs;
  ASSERT_EQ(pfring_get_filtering_rule_stats(r, 1, reinterpret_cast<char *>(&rs), &len), 0);
  EXPECT_GT(rs.match, 200u) << js;  // far more bounces asked for than 2 rings of 64 hold
  // A stop request ends a receive at once, full TX ring or not.
  pfring_breakloop(r);
  auto t0 = std::chrono::steady_clock::now();
  u_char *p = nullptr;
  pfring_pkthdr h;
  EXPECT_GE(pfring_recv(r, &p, 0, &h, 1), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(300));
  pfring_close(r);
  pfring_close(sink);
}

// A group member truncates the testbed's segment: neither the daemon nor
// a client dies of SIGBUS; the daemon says it must stop, the client's
// receive and send fail naming the cause.
TEST_F(TestbedTest, ASegmentCutShortStopsTheTestbedWithoutSigbus) {
  start("nic n\nsource n synthetic count=100000000 wait_for=1 then=end\n");
  pfring *r = open("n");
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(pfring_enable_ring(r), 0);
  u_char *p = nullptr;
  pfring_pkthdr h;
  ASSERT_EQ(pfring_recv(r, &p, 0, &h, 1), 1);
  int fd = shm_open(sim::tb::shm_name(name_).c_str(), O_RDWR, 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, 4096), 0);
  close(fd);
  int rc = 1;
  for (int i = 0; i < 100000 && rc > 0; i++) rc = pfring_recv(r, &p, 0, &h, 1);
  EXPECT_LT(rc, 0);
  char err[256] = "";
  pfring_get_last_error(r, err, sizeof err);
  EXPECT_NE(std::string(err).find("cut its shared memory short"), std::string::npos) << err;
  uint8_t frame[60] = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00};
  EXPECT_EQ(pfring_send(r, frame, sizeof frame, 1), PF_RING_ERROR_UNKNOWN_ADAPTER);
  pfring_get_last_error(r, err, sizeof err);
  EXPECT_NE(std::string(err).find("cut its shared memory short"), std::string::npos) << err;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!tb_->damaged() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(tb_->damaged());
  EXPECT_NE(tb_->error().find("cut its shared memory short"), std::string::npos) << tb_->error();
  pfring_close(r);
}

}  // namespace
