// test_api_threads.cpp - one handle, several threads (run under TSan in
// CI): pfring_close while another thread waits in a receive, pfring_loop
// or pfring_poll (it is woken, returns INVALID_STATUS, then the handle is
// freed); close from inside a pfring_loop callback; PF_RING_REENTRANT
// receives that wait for traffic without holding the lock that sends,
// filter changes and stats need. The idle device is a userspace: ring
// whose other end sends nothing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "pfring.h"

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

class ApiThreads : public ::testing::Test {
 protected:
  void SetUp() override { name_ = "uthr" + std::to_string(getpid()) + "x" + std::to_string(counter_++); }
  void TearDown() override {
    if (peer_) pfring_close(peer_);
  }
  // The ring under test (flags), and its peer end opened first, idle.
  pfring *open_idle(uint32_t flags) {
    std::string dev = "userspace:" + name_;
    peer_ = pfring_open(dev.c_str(), 1518, 0);
    pfring *r = pfring_open(dev.c_str(), 1518, flags);
    EXPECT_TRUE(peer_ && r);
    return r;
  }
  static int recv_wait(pfring *r) {
    u_char *p = nullptr;
    pfring_pkthdr h;
    return pfring_recv(r, &p, 0, &h, 1);
  }

  std::string name_;
  pfring *peer_ = nullptr;
  static int counter_;
};

int ApiThreads::counter_ = 0;

void count_packet(const struct pfring_pkthdr *, const u_char *, const u_char *user) {
  reinterpret_cast<std::atomic<int> *>(const_cast<u_char *>(user))->fetch_add(1);
}

// A receiver blocked on an idle ring: close from another thread wakes it
// with INVALID_STATUS and frees the handle only after it returned (a use
// after free under ASan before).
TEST_F(ApiThreads, CloseWakesAWaitingReceiveBeforeFreeing) {
  for (uint32_t flags : {0u, uint32_t(PF_RING_REENTRANT)}) {
    SCOPED_TRACE(flags);
    pfring *r = open_idle(flags);
    ASSERT_NE(r, nullptr);
    std::atomic<int> rc{1};
    std::thread t([&] { rc = recv_wait(r); });
    std::this_thread::sleep_for(milliseconds(150));
    auto t0 = Clock::now();
    pfring_close(r);
    EXPECT_LT(Clock::now() - t0, milliseconds(1000));
    t.join();
    EXPECT_EQ(rc.load(), PF_RING_ERROR_INVALID_STATUS);
    pfring_close(peer_);
    peer_ = nullptr;
  }
}

TEST_F(ApiThreads, CloseEndsALoopAndAnEndlessPoll) {
  pfring *r = open_idle(0);
  ASSERT_NE(r, nullptr);
  std::atomic<int> loop_rc{1};
  std::atomic<int> seen{0};
  std::thread t([&] { loop_rc = pfring_loop(r, count_packet, reinterpret_cast<const u_char *>(&seen), 1); });
  std::this_thread::sleep_for(milliseconds(150));
  pfring_close(r);
  t.join();
  EXPECT_EQ(loop_rc.load(), PF_RING_ERROR_INVALID_STATUS);
  EXPECT_EQ(seen.load(), 0);
  pfring_close(peer_);

  r = open_idle(0);
  ASSERT_NE(r, nullptr);
  std::atomic<int> poll_rc{1};
  std::thread p([&] { poll_rc = pfring_poll(r, static_cast<u_int>(-1)); });
  std::this_thread::sleep_for(milliseconds(150));
  pfring_close(r);
  p.join();
  EXPECT_EQ(poll_rc.load(), PF_RING_ERROR_INVALID_STATUS);
}

// The common pattern: pfring_breakloop from a thread (or a signal
// handler), then pfring_close right away, without joining first.
TEST_F(ApiThreads, BreakloopThenCloseWhileTheLoopRuns) {
  pfring *r = open_idle(0);
  ASSERT_NE(r, nullptr);
  std::atomic<int> seen{0};
  std::atomic<int> loop_rc{1};
  std::thread t([&] { loop_rc = pfring_loop(r, count_packet, reinterpret_cast<const u_char *>(&seen), 1); });
  std::this_thread::sleep_for(milliseconds(100));
  pfring_breakloop(r);
  pfring_close(r);
  t.join();
  EXPECT_TRUE(loop_rc.load() == 0 || loop_rc.load() == PF_RING_ERROR_INVALID_STATUS) << loop_rc.load();
}

// pfring_close inside the loop's own callback ends the loop, which frees
// the ring when it returns (the callback's thread would deadlock waiting
// for itself, or the loop use a freed handle).
TEST_F(ApiThreads, CloseFromInsideTheLoopCallbackFreesOnReturn) {
  std::string dev = "userspace:" + name_;
  pfring *r = pfring_open(dev.c_str(), 1518, 0);
  peer_ = pfring_open(dev.c_str(), 1518, 0);
  ASSERT_TRUE(r && peer_);
  uint8_t frame[60] = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00};
  for (int i = 0; i < 3; i++) ASSERT_EQ(pfring_send(peer_, frame, sizeof frame, 1), 60);
  struct Ctx {
    pfring *r;
    int calls;
  } ctx{r, 0};
  auto cb = [](const struct pfring_pkthdr *, const u_char *, const u_char *user) {
    auto *c = reinterpret_cast<Ctx *>(const_cast<u_char *>(user));
    c->calls++;
    pfring_close(c->r);
  };
  EXPECT_EQ(pfring_loop(r, cb, reinterpret_cast<const u_char *>(&ctx), 1), PF_RING_ERROR_INVALID_STATUS);
  EXPECT_EQ(ctx.calls, 1);
}

// PF_RING_REENTRANT: while one thread waits for traffic on an idle ring,
// sends, filter changes and statistics from another thread go through at
// once (they waited for the next packet, forever on an idle device).
TEST_F(ApiThreads, AReentrantWaitingReceiveBlocksNoOtherCall) {
  pfring *r = open_idle(PF_RING_REENTRANT);
  ASSERT_NE(r, nullptr);
  std::atomic<int> rc{1};
  std::thread t([&] { rc = recv_wait(r); });
  std::this_thread::sleep_for(milliseconds(150));
  uint8_t frame[60] = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00};
  auto t0 = Clock::now();
  EXPECT_EQ(pfring_send(r, frame, sizeof frame, 1), 60);
  EXPECT_EQ(pfring_set_bpf_filter(r, const_cast<char *>("udp")), 0);
  pfring_stat st;
  EXPECT_EQ(pfring_stats(r, &st), 0);
  EXPECT_EQ(pfring_remove_bpf_filter(r), 0);
  EXPECT_LT(Clock::now() - t0, milliseconds(500));
  EXPECT_EQ(rc.load(), 1);  // still waiting: nothing arrived
  // the peer got the frame; what it sends back reaches the waiting thread
  u_char *p = nullptr;
  pfring_pkthdr h;
  ASSERT_EQ(pfring_recv(peer_, &p, 0, &h, 1), 1);
  ASSERT_EQ(pfring_send(peer_, frame, sizeof frame, 1), 60);
  t.join();
  EXPECT_EQ(rc.load(), 1);
  pfring_close(r);
}

// Two receivers share a reentrant ring, a third thread sends into it
// through the peer: every packet reaches exactly one receiver.
TEST_F(ApiThreads, TwoReentrantReceiversShareTheTraffic) {
  pfring *r = open_idle(PF_RING_REENTRANT);
  ASSERT_NE(r, nullptr);
  const int kN = 2000;
  std::atomic<int> got{0};
  auto rx = [&] {
    while (got.load() < kN) {
      u_char *p = nullptr;
      pfring_pkthdr h;
      int rc = pfring_recv(r, &p, 0, &h, 1);
      if (rc == 1) got++;
      else if (rc < 0) return;
    }
  };
  std::thread a(rx), b(rx);
  uint8_t frame[60] = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00};
  for (int i = 0; i < kN;) {
    int rc = pfring_send(peer_, frame, sizeof frame, 1);
    if (rc == 60) i++;
    else std::this_thread::sleep_for(milliseconds(1));
  }
  auto deadline = Clock::now() + std::chrono::seconds(20);
  while (got.load() < kN && Clock::now() < deadline) std::this_thread::sleep_for(milliseconds(5));
  pfring_breakloop(r);
  pfring_close(r);  // wakes whichever still waits
  a.join();
  b.join();
  EXPECT_EQ(got.load(), kN);
}

}  // namespace
