// test_userspace_module.cpp - "userspace:NAME" through the public API: two
// handles in one process (and a forked child for a peer that dies), both
// directions, end of file after the peer leaves, removal of the shared
// memory, the third opener, full rings, options, version checks, hostile
// peers and squatted segments, and a producer and a consumer thread (run
// under ThreadSanitizer by CI).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "modules/userspace/userspace_module.h"
#include "usr_segment.h"
#include "api_fixture.h"
#include "handle.h"
#include "pfring.h"

extern "C" {
#include "ring.h"
}

namespace {

using apitest::last_error;

bool shm_exists(const std::string &name) {
  struct stat st;
  return stat(("/dev/shm/pfring-usr." + name).c_str(), &st) == 0;
}

uint64_t now_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

// A packet of len bytes whose first 4 bytes are seq (little endian) and
// whose other bytes derive from seq, so the receiver can check all of it.
std::vector<uint8_t> make_pkt(uint32_t seq, size_t len) {
  std::vector<uint8_t> p(len);
  for (size_t i = 0; i < len; i++) p[i] = uint8_t(seq * 31 + i);
  if (len >= 4) std::memcpy(p.data(), &seq, 4);
  return p;
}

bool pkt_ok(const u_char *data, uint32_t caplen, uint32_t seq, size_t len) {
  std::vector<uint8_t> want = make_pkt(seq, len);
  return caplen == len && std::memcmp(data, want.data(), len) == 0;
}

// Receives packets 0..n-1 of len bytes on r (waiting), then end of file.
void expect_packets_then_eof(pfring *r, uint32_t n, size_t len) {
  u_char *buf;
  struct pfring_pkthdr h;
  for (uint32_t i = 0; i < n; i++) {
    ASSERT_EQ(pfring_recv(r, &buf, 0, &h, 1), 1) << "packet " << i << ": " << last_error(r);
    EXPECT_TRUE(pkt_ok(buf, h.caplen, i, len)) << "packet " << i;
  }
  EXPECT_EQ(pfring_recv(r, &buf, 0, &h, 1), PF_RING_ERROR_END_OF_FILE);
}

// Each test gets its own ring name; the shared memory is removed whatever happens.
class Userspace : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    name_ = "ut" + std::to_string(getpid()) + "x" + std::to_string(counter++);
  }
  void TearDown() override {
    for (pfring *r : open_) pfring_close(r);
    shm_unlink(pfr::usr::shm_name(name_).c_str());
  }
  std::string dev(const std::string &opts = "") const { return "userspace:" + name_ + opts; }
  // Opens an end; fails the test when it cannot.
  pfring *end(const std::string &opts = "") {
    pfring *r = try_end(opts);
    EXPECT_NE(r, nullptr) << last_error(nullptr);
    return r;
  }
  // Opens an end, or returns nullptr (a refusal the test expects).
  pfring *try_end(const std::string &opts = "") {
    pfring *r = pfring_open(dev(opts).c_str(), 9000, 0);
    if (r) open_.push_back(r);
    return r;
  }
  std::string path() const { return "/dev/shm" + pfr::usr::shm_name(name_); }
  // Both ends of a small ring (8 slots of 256 bytes), end A first.
  bool both_small(pfring **a, pfring **b) {
    *a = end(",slots=8,slot=256");
    *b = end();
    return *a && *b;
  }
  // The other end in a forked child: it opens the ring, runs body and
  // exits with body's status without pfring_close (a process that dies).
  // Returns that status (2: the child could not open it, -1: no child).
  template <class Body>
  int peer_process(Body body) {
    std::string d = dev();
    pid_t child = fork();
    if (child < 0) return -1;
    if (child == 0) {
      pfring *b = pfring_open(d.c_str(), 1500, 0);
      _exit(b ? body(b) : 2);
    }
    int status = 0;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
  }
  // One waiting receive.
  static int recv1(pfring *r, u_char **buf, struct pfring_pkthdr *h) { return pfring_recv(r, buf, 0, h, 1); }
  void close_end(pfring *r) {
    for (auto it = open_.begin(); it != open_.end(); ++it)
      if (*it == r) {
        open_.erase(it);
        break;
      }
    pfring_close(r);
  }

  std::string name_;
  std::vector<pfring *> open_;
};

TEST_F(Userspace, BothEndsSendAndReceive) {
  pfring *a = end(), *b = end();
  ASSERT_TRUE(a && b);
  EXPECT_STREQ(pfring_get_module_name(a), "userspace");
  uint64_t before = now_ns();
  for (uint32_t i = 0; i < 3; i++) {
    auto p = make_pkt(i, 60 + i);
    ASSERT_EQ(pfring_send(a, p.data(), p.size(), 1), int(p.size())) << last_error(a);
  }
  for (uint32_t i = 100; i < 102; i++) {
    auto p = make_pkt(i, 1500);
    ASSERT_EQ(pfring_send(b, p.data(), p.size(), 1), 1500) << last_error(b);
  }
  u_char *buf;
  struct pfring_pkthdr h;
  for (uint32_t i = 0; i < 3; i++) {
    ASSERT_EQ(pfring_recv(b, &buf, 0, &h, 0), 1) << last_error(b);
    EXPECT_TRUE(pkt_ok(buf, h.caplen, i, 60 + i)) << "packet " << i;
    EXPECT_EQ(h.len, 60 + i);
    EXPECT_GE(h.extended_hdr.timestamp_ns, before);
    EXPECT_LE(h.extended_hdr.timestamp_ns, now_ns());
    EXPECT_EQ(uint64_t(h.ts.tv_sec), h.extended_hdr.timestamp_ns / 1000000000ull);
    EXPECT_EQ(h.extended_hdr.rx_direction, 1);
  }
  EXPECT_EQ(pfring_recv(b, &buf, 0, &h, 0), 0);  // nothing more, the peer is still there
  for (uint32_t i = 100; i < 102; i++) {
    ASSERT_EQ(pfring_recv(a, &buf, 0, &h, 0), 1) << last_error(a);
    EXPECT_TRUE(pkt_ok(buf, h.caplen, i, 1500));
  }
  pfring_stat st;
  ASSERT_EQ(pfring_stats(b, &st), 0);
  EXPECT_EQ(st.recv, 3u);
  EXPECT_EQ(st.drop, 0u);
  char json[1024];
  ASSERT_GT(pfring_get_device_stats_json(a, json, sizeof(json)), 0);
  EXPECT_NE(std::string(json).find("\"end\":\"A\""), std::string::npos) << json;
  EXPECT_NE(std::string(json).find("\"peer\":\"attached\""), std::string::npos) << json;
  EXPECT_NE(std::string(json).find("\"sent\":3,"), std::string::npos) << json;
  ASSERT_GT(pfring_get_device_stats_json(b, json, sizeof(json)), 0);
  EXPECT_NE(std::string(json).find("\"end\":\"B\""), std::string::npos) << json;
}

TEST_F(Userspace, ZeroCopyPointersStayValidUntilTheNextBurst) {
  pfring *a = end(), *b = end();
  ASSERT_TRUE(a && b);
  for (uint32_t i = 0; i < 10; i++) {
    auto p = make_pkt(i, 64);
    ASSERT_EQ(pfring_send(a, p.data(), p.size(), 1), 64);
  }
  u_char *bufs[10];
  struct pfring_pkthdr hdrs[10];
  ASSERT_EQ(pfring_recv_burst(b, bufs, hdrs, 10, 0), 10);
  // the sender cannot overwrite these slots while they are held
  for (uint32_t i = 0; i < 10; i++) EXPECT_TRUE(pkt_ok(bufs[i], hdrs[i].caplen, i, 64)) << i;
}

// The module interface's burst send (module.h send_burst): what fits of
// the burst goes in with one insert-index store; a frame that cannot go
// ends the burst (the ones before it are sent); nothing fits: the code.
TEST_F(Userspace, SendBurstPublishesWhatFitsWithOneIndexStore) {
  pfring *a = end(",slots=8,slot=256"), *b = end();
  ASSERT_TRUE(a && b);
  std::vector<std::vector<uint8_t>> pkts;
  std::vector<pfr::TxFrame> f;
  for (uint32_t i = 0; i < 12; i++) pkts.push_back(make_pkt(i, 60 + i));
  for (auto &p : pkts) f.push_back({p.data(), uint32_t(p.size())});
  std::string err;
  EXPECT_EQ(pfr::handle(a)->mod->send_burst(f.data(), 5, -1, err), 5) << err;
  EXPECT_EQ(pfr::handle(a)->mod->send_burst(f.data() + 5, 7, -1, err), 3) << err;  // 8 slots: 3 left
  EXPECT_EQ(pfr::handle(a)->mod->send_burst(f.data() + 8, 4, -1, err), PF_RING_ERROR_NO_TX_SLOT_AVAILABLE);
  EXPECT_NE(err.find("is full"), std::string::npos) << err;
  u_char *buf;
  struct pfring_pkthdr h;
  for (uint32_t i = 0; i < 8; i++) {
    ASSERT_EQ(recv1(b, &buf, &h), 1) << i;
    EXPECT_TRUE(pkt_ok(buf, h.caplen, i, 60 + i)) << i;
  }
  EXPECT_EQ(pfring_recv(b, &buf, 0, &h, 0), 0);  // releases the eight
  std::vector<uint8_t> big(300, 1);
  pfr::TxFrame mixed[3] = {f[8], {big.data(), uint32_t(big.size())}, f[9]};
  EXPECT_EQ(pfr::handle(a)->mod->send_burst(mixed, 3, -1, err), 1);  // the 300-byte frame ends the burst
  EXPECT_EQ(pfr::handle(a)->mod->send_burst(mixed + 1, 2, -1, err), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(err.find("carries 1.."), std::string::npos) << err;
  ASSERT_EQ(recv1(b, &buf, &h), 1);
  EXPECT_TRUE(pkt_ok(buf, h.caplen, 8, 68));
}

// Zero copy (module.h ZeroCopy): lent slots stay valid across receives
// until given back, in any order; the sender gets a slot back only when
// it and every slot before it were given back; a handle not lent is
// refused; lending and plain receives do not mix.
TEST_F(Userspace, LentSlotsStayValidUntilGivenBackInAnyOrder) {
  pfring *a = end(",slots=8,slot=256"), *b = end();
  ASSERT_TRUE(a && b);
  pfr::ZeroCopy *zc = pfr::handle(b)->mod->zero_copy();
  ASSERT_NE(zc, nullptr);
  auto send = [&](uint32_t seq) {
    auto p = make_pkt(seq, 64);
    return pfring_send(a, p.data(), p.size(), 1);
  };
  for (uint32_t i = 0; i < 8; i++) ASSERT_EQ(send(i), 64);
  std::string err;
  pfr::LentPacket lp[8];
  ASSERT_EQ(zc->recv_lent(lp, 3, 0, err), 3) << err;
  ASSERT_EQ(zc->recv_lent(lp + 3, 8, 0, err), 5) << err;  // the rest, the first three still lent
  EXPECT_EQ(zc->lent(), 8u);
  EXPECT_EQ(zc->recv_lent(lp, 8, 0, err), 0);
  u_char *buf;
  struct pfring_pkthdr h;
  pfr::RawPacket raw[4];
  EXPECT_EQ(pfr::handle(b)->mod->recv_burst(raw, 4, 0, err), PF_RING_ERROR_INVALID_STATUS);  // lending, not receiving
  EXPECT_NE(err.find("lent buffers are not given back"), std::string::npos) << err;
  EXPECT_EQ(send(8), PF_RING_ERROR_NO_TX_SLOT_AVAILABLE);
  // out of order: 1 and 2 back, 0 still lent: the sender gets nothing
  uint32_t h12[2] = {lp[2].handle, lp[1].handle};
  ASSERT_EQ(zc->release(h12, 2, err), 0) << err;
  EXPECT_EQ(send(8), PF_RING_ERROR_NO_TX_SLOT_AVAILABLE);
  for (uint32_t i = 0; i < 8; i++) EXPECT_TRUE(pkt_ok(lp[i].pkt.data, lp[i].pkt.hdr.caplen, i, 64)) << i;
  uint32_t twice = lp[1].handle, never = lp[7].handle + 1;
  EXPECT_EQ(zc->release(&twice, 1, err), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(zc->release(&never, 1, err), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(err.find("is not lent"), std::string::npos) << err;
  uint32_t h0 = lp[0].handle;
  ASSERT_EQ(zc->release(&h0, 1, err), 0);  // 0, 1, 2 go back together
  EXPECT_EQ(zc->lent(), 5u);
  for (uint32_t i = 8; i < 11; i++) ASSERT_EQ(send(i), 64) << i;
  EXPECT_EQ(send(11), PF_RING_ERROR_NO_TX_SLOT_AVAILABLE);
  for (uint32_t i = 3; i < 8; i++) EXPECT_TRUE(pkt_ok(lp[i].pkt.data, lp[i].pkt.hdr.caplen, i, 64)) << i;
  uint32_t rest[5];
  for (uint32_t i = 0; i < 5; i++) rest[i] = lp[7 - i].handle;
  ASSERT_EQ(zc->release(rest, 5, err), 0);
  EXPECT_EQ(zc->lent(), 0u);
  ASSERT_EQ(pfring_recv(b, &buf, 0, &h, 0), 1) << last_error(b);  // plain receives again
  EXPECT_TRUE(pkt_ok(buf, h.caplen, 8, 64));
}

TEST_F(Userspace, PeerCloseGivesEndOfFileAfterTheLastPacketAndTheLastCloserRemovesTheMemory) {
  pfring *a = end(), *b = end();
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(shm_exists(name_));
  for (uint32_t i = 0; i < 5; i++) {
    auto p = make_pkt(i, 100);
    ASSERT_EQ(pfring_send(b, p.data(), p.size(), 1), 100);
  }
  close_end(b);
  EXPECT_TRUE(shm_exists(name_)) << "end A still has it open";
  EXPECT_EQ(pfring_poll(a, 0), 1);
  expect_packets_then_eof(a, 5, 100);
  auto p = make_pkt(9, 60);
  EXPECT_EQ(pfring_send(a, p.data(), p.size(), 1), PF_RING_ERROR_INVALID_STATUS);
  EXPECT_NE(last_error(a).find("has closed"), std::string::npos) << last_error(a);
  // a pipe that is ending takes no new end
  EXPECT_EQ(pfring_open(dev().c_str(), 1500, 0), nullptr);
  EXPECT_NE(last_error(nullptr).find("is ending"), std::string::npos) << last_error(nullptr);
  close_end(a);
  EXPECT_FALSE(shm_exists(name_));
  // and the name can be used again from scratch
  pfring *a2 = end();
  ASSERT_NE(a2, nullptr);
  char json[1024];
  ASSERT_GT(pfring_get_device_stats_json(a2, json, sizeof(json)), 0);
  EXPECT_NE(std::string(json).find("\"peer\":\"waiting\""), std::string::npos) << json;
}

TEST_F(Userspace, ASenderAloneWaitsForItsPeerWithoutEndOfFile) {
  pfring *a = end();
  ASSERT_TRUE(a);
  auto p = make_pkt(1, 60);
  EXPECT_EQ(pfring_send(a, p.data(), p.size(), 1), 60);  // queued for the peer to come
  u_char *buf;
  struct pfring_pkthdr h;
  EXPECT_EQ(pfring_recv(a, &buf, 0, &h, 0), 0);
  EXPECT_EQ(pfring_poll(a, 20), 0);
  pfring *b = end();
  ASSERT_TRUE(b);
  ASSERT_EQ(pfring_recv(b, &buf, 0, &h, 0), 1);
  EXPECT_TRUE(pkt_ok(buf, h.caplen, 1, 60));
}

TEST_F(Userspace, AThirdOpenerIsRefused) {
  pfring *a = end(), *b = end();
  ASSERT_TRUE(a && b);
  errno = 0;
  EXPECT_EQ(pfring_open(dev().c_str(), 1500, 0), nullptr);
  EXPECT_EQ(errno, EBUSY);
  std::string msg = last_error(nullptr);
  EXPECT_NE(msg.find("userspace: userspace ring '" + name_ + "' already has both ends (pids "), std::string::npos)
      << msg;
}

TEST_F(Userspace, AFullRingSaysNoTxSlotUntilThePeerReads) {
  pfring *a = end(",slots=4"), *b = end();
  ASSERT_TRUE(a && b);
  auto p = make_pkt(0, 60);
  for (int i = 0; i < 4; i++) ASSERT_EQ(pfring_send(a, p.data(), p.size(), 1), 60) << i;
  EXPECT_EQ(pfring_send(a, p.data(), p.size(), 1), PF_RING_ERROR_NO_TX_SLOT_AVAILABLE);
  EXPECT_NE(last_error(a).find("is full"), std::string::npos) << last_error(a);
  u_char *buf;
  struct pfring_pkthdr h;
  ASSERT_EQ(pfring_recv(b, &buf, 0, &h, 0), 1);
  // the four are staged in b; they are released at b's next burst
  EXPECT_EQ(pfring_send(a, p.data(), p.size(), 1), PF_RING_ERROR_NO_TX_SLOT_AVAILABLE);
  for (int i = 0; i < 3; i++) ASSERT_EQ(pfring_recv(b, &buf, 0, &h, 0), 1);
  EXPECT_EQ(pfring_recv(b, &buf, 0, &h, 0), 0);
  EXPECT_EQ(pfring_send(a, p.data(), p.size(), 1), 60);
}

TEST_F(Userspace, PacketSizeFollowsTheSlotOption) {
  pfring *a = end(), *b = end();
  ASSERT_TRUE(a && b);
  auto big = make_pkt(7, 3000);
  EXPECT_EQ(pfring_send(a, big.data(), big.size(), 1), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(last_error(a).find("carries 1..2016 bytes"), std::string::npos) << last_error(a);
  close_end(b);
  close_end(a);
  a = end(",slot=4000");  // rounded up to 4032: packets up to 4000 bytes
  b = end();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(pfring_send(a, big.data(), big.size(), 1), 3000);
  u_char *buf;
  struct pfring_pkthdr h;
  ASSERT_EQ(pfring_recv(b, &buf, 0, &h, 0), 1);
  EXPECT_TRUE(pkt_ok(buf, h.caplen, 7, 3000));
}

TEST_F(Userspace, OptionsAndNamesAreChecked) {
  struct Case {
    std::string dev, want;
  } cases[] = {
      {"userspace:a/b", "userspace ring name 'a/b': want 1..31 of A-Z a-z 0-9 _ -"},
      {"userspace:" + std::string(32, 'x'), "want 1..31"},
      {"userspace:" + name_ + ",slots=3", "userspace option slots='3': want a power of two in 2..1048576"},
      {"userspace:" + name_ + ",slots=1", "slots='1'"},
      {"userspace:" + name_ + ",slot=32", "userspace option slot='32': want bytes per slot in 64..1048576"},
      {"userspace:" + name_ + ",slot=big", "slot='big'"},
      {"userspace:" + name_ + ",size=3", "unknown userspace option 'size' (slots, slot, user, group)"},
      {"userspace:" + name_ + ",slots", "userspace option 'slots' is not key=value"},
      {"userspace:" + name_ + ",slots=1048576,slot=4096", "larger than 1 GiB"},
      {"userspace:" + name_ + "@2", "has no queues"},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.dev);
    errno = 0;
    EXPECT_EQ(pfring_open(c.dev.c_str(), 1500, 0), nullptr);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_NE(last_error(nullptr).find(c.want), std::string::npos) << last_error(nullptr);
  }
  EXPECT_FALSE(shm_exists(name_));
}

TEST_F(Userspace, AnExistingRingKeepsItsGeometry) {
  pfring *a = end(",slots=8,slot=256");
  ASSERT_TRUE(a);
  EXPECT_EQ(pfring_open(dev(",slots=16").c_str(), 1500, 0), nullptr);
  EXPECT_NE(last_error(nullptr).find("exists with slots=8,slot=256, not slots=16,slot=2048"), std::string::npos)
      << last_error(nullptr);
  pfring *b = end();  // no options: takes the ring as it is
  ASSERT_TRUE(b);
  char json[1024];
  ASSERT_GT(pfring_get_device_stats_json(b, json, sizeof(json)), 0);
  EXPECT_NE(std::string(json).find("\"slots\":8,\"slot_size\":256"), std::string::npos) << json;
}


TEST_F(Userspace, WrongMagicOrVersionIsRefusedNamingBoth) {
  pfring *a = end();
  ASSERT_TRUE(a);
  RawSegment seg(name_);
  ASSERT_NE(seg.hdr, nullptr);
  seg.hdr->version = 7;
  EXPECT_EQ(pfring_open(dev().c_str(), 1500, 0), nullptr);
  EXPECT_NE(last_error(nullptr).find("has layout version 7, this libpfring speaks version 1"), std::string::npos)
      << last_error(nullptr);
  seg.hdr->version = pfr::usr::kVersion;
  seg.ring(0)->version = 9;
  EXPECT_EQ(pfring_open(dev().c_str(), 1500, 0), nullptr);
  EXPECT_NE(last_error(nullptr).find("has packet rings of version 9, this libpfring speaks version 1"),
            std::string::npos)
      << last_error(nullptr);
  seg.ring(0)->version = PFC_RING_VERSION;
  seg.hdr->magic = 0x12345678;
  EXPECT_EQ(pfring_open(dev().c_str(), 1500, 0), nullptr);
  EXPECT_NE(last_error(nullptr).find("has magic 0x12345678, not 0x53555046"), std::string::npos) << last_error(nullptr);
  seg.hdr->magic = pfr::usr::kMagic;
  EXPECT_NE(end(), nullptr);  // repaired: end B joins
}

TEST_F(Userspace, ASegmentOfSomethingElseIsRefused) {
  RawSegment seg(name_, 64);  // too small to be a ring, and never becomes one
  ASSERT_NE(seg.hdr, nullptr);
  errno = 0;
  EXPECT_EQ(pfring_open(dev().c_str(), 1500, 0), nullptr);
  EXPECT_EQ(errno, EPROTO);
  EXPECT_NE(last_error(nullptr).find("is too small to be a userspace ring"), std::string::npos) << last_error(nullptr);
}

// The peer's process dies without closing: the survivor drains what it
// sent, then gets end of file; closing then removes the memory.
TEST_F(Userspace, APeerThatDiedCountsAsClosed) {
  pfring *a = end();
  ASSERT_TRUE(a);
  ASSERT_EQ(peer_process([](pfring *b) {
              for (uint32_t i = 0; i < 10; i++) {
                auto p = make_pkt(i, 80);
                if (pfring_send(b, p.data(), p.size(), 1) != 80) return 3;
              }
              return 0;
            }),
            0);
  expect_packets_then_eof(a, 10, 80);
  close_end(a);
  EXPECT_FALSE(shm_exists(name_));
}

// The peer's process dies while the ring has room: sends fail within a
// second (not only once 4096 packets have filled the ring).
TEST_F(Userspace, SendsIntoADeadPeerFailSoon) {
  pfring *a = end();
  ASSERT_TRUE(a);
  ASSERT_EQ(peer_process([](pfring *) { return 0; }), 0);  // attached, then gone
  auto p = make_pkt(1, 80);
  int rc = 0, sent = 0;
  auto t0 = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1)) {
    rc = pfring_send(a, p.data(), p.size(), 1);
    if (rc < 0) break;
    sent++;
    usleep(1000);
  }
  EXPECT_EQ(rc, PF_RING_ERROR_INVALID_STATUS) << sent << " sent";
  EXPECT_LT(sent, 100);  // the ring has 4096 slots: it was not a full ring that stopped it
  EXPECT_NE(last_error(a).find("has closed"), std::string::npos) << last_error(a);
}

// The peer (or anyone who may write the segment) truncates it: both ends
// see an error naming the cause on their next receive or send, no SIGBUS.
TEST_F(Userspace, ASegmentCutShortIsAnErrorNotSigbus) {
  pfring *a = nullptr, *b = nullptr;
  ASSERT_TRUE(both_small(&a, &b));
  auto p = make_pkt(1, 80);
  ASSERT_EQ(pfring_send(b, p.data(), p.size(), 1), 80);
  int fd = open(path().c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, 0), 0);
  close(fd);
  u_char *buf = nullptr;
  pfring_pkthdr h;
  EXPECT_EQ(recv1(a, &buf, &h), PF_RING_ERROR_INVALID_STATUS);
  EXPECT_NE(last_error(a).find("cut its shared memory short"), std::string::npos) << last_error(a);
  EXPECT_EQ(pfring_send(b, p.data(), p.size(), 1), PF_RING_ERROR_INVALID_STATUS);
  EXPECT_NE(last_error(b).find("cut its shared memory short"), std::string::npos) << last_error(b);
}

// pfring_send with flush_packet 0 queues frames in the handle's train; the
// next flushing send (or pfring_flush_tx_packets, 64 frames, close) sends
// them as one burst, in order; what the device refuses is dropped and
// counted, and the flushing call says why.
TEST_F(Userspace, SendWithoutFlushQueuesATrainSentAtTheNextFlush) {
  pfring *a = end(",slots=16,slot=256"), *b = end();
  ASSERT_TRUE(a && b);
  u_char *buf;
  struct pfring_pkthdr h;
  for (uint32_t i = 0; i < 5; i++) {
    auto p = make_pkt(i, 60 + i);
    ASSERT_EQ(pfring_send(a, p.data(), p.size(), 0), int(60 + i));
  }
  EXPECT_EQ(pfring_recv(b, &buf, 0, &h, 0), 0);  // nothing left the train yet
  auto p5 = make_pkt(5, 65);
  ASSERT_EQ(pfring_send(a, p5.data(), p5.size(), 1), 65);
  for (uint32_t i = 0; i < 6; i++) {
    ASSERT_EQ(recv1(b, &buf, &h), 1) << i;
    EXPECT_TRUE(pkt_ok(buf, h.caplen, i, 60 + i)) << i;
  }
  // pfring_flush_tx_packets; then more than the ring holds: 16 go, 4 dropped
  auto p6 = make_pkt(6, 66);
  ASSERT_EQ(pfring_send(a, p6.data(), p6.size(), 0), 66);
  EXPECT_EQ(pfring_flush_tx_packets(a), 0);
  ASSERT_EQ(recv1(b, &buf, &h), 1);
  EXPECT_TRUE(pkt_ok(buf, h.caplen, 6, 66));
  EXPECT_EQ(pfring_recv(b, &buf, 0, &h, 0), 0);  // releases what b holds
  for (uint32_t i = 0; i < 20; i++) {
    auto p = make_pkt(100 + i, 60);
    ASSERT_EQ(pfring_send(a, p.data(), p.size(), 0), 60);
  }
  EXPECT_EQ(pfring_flush_tx_packets(a), PF_RING_ERROR_NO_TX_SLOT_AVAILABLE);
  EXPECT_NE(last_error(a).find("is full"), std::string::npos) << last_error(a);
  char js[1024];
  ASSERT_GT(pfring_get_device_stats_json(a, js, sizeof js), 0);
  EXPECT_NE(std::string(js).find("\"tx_train_dropped\":4}"), std::string::npos) << js;
  for (uint32_t i = 0; i < 16; i++) {
    ASSERT_EQ(recv1(b, &buf, &h), 1) << i;
    EXPECT_TRUE(pkt_ok(buf, h.caplen, 100 + i, 60)) << i;
  }
  // what is queued at close goes out before the handle does
  EXPECT_EQ(pfring_recv(b, &buf, 0, &h, 0), 0);
  auto p7 = make_pkt(7, 67);
  ASSERT_EQ(pfring_send(a, p7.data(), p7.size(), 0), 67);
  close_end(a);
  ASSERT_EQ(recv1(b, &buf, &h), 1);
  EXPECT_TRUE(pkt_ok(buf, h.caplen, 7, 67));
}

// pfring_send_last_rx_packet bounces the last packet on a receive-only
// ring too, as PF_RING 5.x does; a plain send there is still refused.
TEST_F(Userspace, SendLastRxPacketWorksOnAReceiveOnlyRing) {
  pfring *a = end(), *b = end();
  ASSERT_TRUE(a && b);
  ASSERT_EQ(pfring_set_socket_mode(a, recv_only_mode), 0);
  auto p = make_pkt(3, 70);
  ASSERT_EQ(pfring_send(b, p.data(), p.size(), 1), 70);
  u_char *buf;
  struct pfring_pkthdr h;
  ASSERT_EQ(recv1(a, &buf, &h), 1);
  EXPECT_EQ(pfring_send(a, p.data(), p.size(), 1), PF_RING_ERROR_INVALID_STATUS);
  EXPECT_EQ(pfring_send_last_rx_packet(a, -1), 0) << last_error(a);
  ASSERT_EQ(recv1(b, &buf, &h), 1);
  EXPECT_TRUE(pkt_ok(buf, h.caplen, 3, 70));
}

// A ring whose only end died is stale: the next opener starts afresh.
TEST_F(Userspace, AStaleRingIsReplaced) {
  std::string d = dev();
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    pfring *a = pfring_open(d.c_str(), 1500, 0);
    _exit(a ? 0 : 2);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_TRUE(shm_exists(name_));
  pfring *a = end();
  ASSERT_TRUE(a);
  char json[1024];
  ASSERT_GT(pfring_get_device_stats_json(a, json, sizeof(json)), 0);
  EXPECT_NE(std::string(json).find("\"end\":\"A\""), std::string::npos) << json;
  EXPECT_NE(std::string(json).find("\"peer\":\"waiting\""), std::string::npos) << json;
}

// A producer and a consumer thread, one handle each (ThreadSanitizer: CI).
TEST_F(Userspace, ProducerAndConsumerThreads) {
  constexpr uint32_t kPackets = 50000;
  pfring *rx = end(",slots=256"), *tx = end();
  ASSERT_TRUE(rx && tx);
  std::atomic<bool> producer_ok{false};
  std::thread producer([&] {
    uint32_t sent = 0;
    time_t deadline = time(nullptr) + 60;
    while (sent < kPackets && time(nullptr) < deadline) {
      auto p = make_pkt(sent, 60 + sent % 1400);
      int rc = pfring_send(tx, p.data(), p.size(), 1);
      if (rc == PF_RING_ERROR_NO_TX_SLOT_AVAILABLE) {
        std::this_thread::yield();
        continue;
      }
      if (rc != int(p.size())) break;
      sent++;
    }
    producer_ok = sent == kPackets;
    close_end(tx);  // the consumer sees end of file after the last packet
  });
  uint32_t got = 0, bad = 0;
  int rc = 0;
  time_t deadline = time(nullptr) + 60;
  while (time(nullptr) < deadline) {
    u_char *buf;
    struct pfring_pkthdr h;
    rc = pfring_recv(rx, &buf, 0, &h, 0);
    if (rc == 1) {
      if (!pkt_ok(buf, h.caplen, got, 60 + got % 1400)) bad++;
      got++;
    } else if (rc == 0) {
      pfring_poll(rx, 10);
    } else {
      break;
    }
  }
  producer.join();
  EXPECT_TRUE(producer_ok);
  EXPECT_EQ(rc, PF_RING_ERROR_END_OF_FILE);
  EXPECT_EQ(got, kPackets);
  EXPECT_EQ(bad, 0u);
}

// ---- a peer that does not play by the rules: a segment another user made
// first or left group-writable is refused unless user=/group= accepts it;
// a peer that rewrites geometry, indices or a slot's caplen after the join
// cannot make this end read or write outside the mapping (ASan in CI).

TEST_F(Userspace, ANewRingIs0600WhateverTheUmask) {
  mode_t old = umask(0);
  pfring *a = end();
  umask(old);
  ASSERT_TRUE(a) << last_error(nullptr);
  struct stat st;
  ASSERT_EQ(stat(path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(Userspace, ASquattedRingIsRefusedUnlessTheUserIsNamed) {
  // CI runs as root; without root this fails with the reason instead of skipping
  ASSERT_EQ(geteuid(), 0u) << "needs root to hand the segment to another user (CI runs as root)";
  pfring *a = end();  // stands for the squatter's end
  ASSERT_TRUE(a) << last_error(nullptr);
  ASSERT_EQ(chown(path().c_str(), 65534, 65534), 0);
  errno = 0;
  EXPECT_EQ(try_end(), nullptr);
  EXPECT_EQ(errno, EACCES);
  EXPECT_NE(last_error(nullptr).find("belongs to another user"), std::string::npos) << last_error(nullptr);
  EXPECT_NE(last_error(nullptr).find("option user="), std::string::npos) << last_error(nullptr);
  EXPECT_NE(try_end(",user=65534"), nullptr) << last_error(nullptr);
}

TEST_F(Userspace, AGroupWritableRingNeedsTheGroupOption) {
  pfring *a = end();
  ASSERT_TRUE(a) << last_error(nullptr);
  ASSERT_EQ(chmod(path().c_str(), 0660), 0);
  EXPECT_EQ(try_end(), nullptr);
  EXPECT_NE(last_error(nullptr).find("is writable by its group"), std::string::npos) << last_error(nullptr);
  EXPECT_NE(try_end(",group=" + std::to_string(getegid())), nullptr) << last_error(nullptr);
}

TEST_F(Userspace, AGroupRingIsMadeForThatGroup) {
  pfring *a = end(",group=" + std::to_string(getegid()));
  ASSERT_TRUE(a) << last_error(nullptr);
  struct stat st;
  ASSERT_EQ(stat(path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0660u);
  EXPECT_EQ(st.st_gid, getegid());
  EXPECT_EQ(try_end(), nullptr);  // without the option the group-writable ring is not trusted
  EXPECT_NE(try_end(",group=" + std::to_string(getegid())), nullptr) << last_error(nullptr);
}

TEST_F(Userspace, OptionsGivenTwiceAreRefused) {
  errno = 0;
  EXPECT_EQ(try_end(",slots=8,slots=16"), nullptr);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_NE(last_error(nullptr).find("userspace option 'slots' given twice ('slots=8' and 'slots=16')"),
            std::string::npos)
      << last_error(nullptr);
  EXPECT_EQ(try_end(",user=nobody-such-user"), nullptr);
  EXPECT_NE(last_error(nullptr).find("no such user"), std::string::npos) << last_error(nullptr);
}

// After B has joined, the peer rewrites every geometry field it can reach
// to values that point far outside the mapping. B keeps the geometry it
// checked at join: it still delivers the peer's packets and sends within
// its ring.
TEST_F(Userspace, GeometryRewrittenAfterTheJoinIsNotReadAgain) {
  pfring *a, *b;
  ASSERT_TRUE(both_small(&a, &b)) << last_error(nullptr);
  RawSegment peer(name_);  // the peer maps it read/write
  ASSERT_NE(peer.hdr, nullptr);
  pfc_ring_hdr *r0 = peer.ring(0), *r1 = peer.ring(1);
  uint8_t pkt[200];
  for (size_t i = 0; i < sizeof(pkt); i++) pkt[i] = uint8_t(i);
  ASSERT_EQ(pfring_send(a, pkt, sizeof(pkt), 1), int(sizeof(pkt)));
  for (pfc_ring_hdr *r : {r0, r1}) {
    r->num_slots = 1u << 30;
    r->slot_size = 1u << 20;
    r->data_offset = 0x7fffffff;
    r->total_bytes = ~0ull;
  }
  peer.hdr->num_slots = 1u << 30;
  peer.hdr->slot_size = 1u << 20;
  peer.hdr->ring_off[0] = peer.hdr->ring_off[1] = 1ull << 40;
  u_char *buf;
  struct pfring_pkthdr h;
  ASSERT_EQ(recv1(b, &buf, &h), 1) << last_error(b);
  EXPECT_EQ(h.caplen, sizeof(pkt));
  EXPECT_EQ(std::memcmp(buf, pkt, sizeof(pkt)), 0);
  for (int i = 0; i < 8; i++) EXPECT_EQ(pfring_send(b, pkt, sizeof(pkt), 1), int(sizeof(pkt))) << i;
  EXPECT_EQ(pfring_send(b, pkt, sizeof(pkt), 1), PF_RING_ERROR_NO_TX_SLOT_AVAILABLE);  // 8 slots, as checked
  EXPECT_EQ(pfring_send(b, pkt, 300, 1), PF_RING_ERROR_INVALID_ARGUMENT);            // slot=256 still holds
}

// An insert index far beyond the ring is a corrupt peer: an error, no read.
TEST_F(Userspace, AnImpossibleInsertIndexIsAnError) {
  pfring *a, *b;
  ASSERT_TRUE(both_small(&a, &b)) << last_error(nullptr);
  RawSegment peer(name_);  // the peer maps it read/write
  ASSERT_NE(peer.hdr, nullptr);
  __atomic_store_n(&peer.ring(0)->insert_idx, 1000000u, __ATOMIC_RELEASE);
  u_char *buf;
  struct pfring_pkthdr h;
  EXPECT_EQ(pfring_recv(b, &buf, 0, &h, 0), PF_RING_ERROR_CORRUPT_INPUT);
  EXPECT_NE(last_error(b).find("is corrupt: the other end's insert index is 1000000 packets ahead of a 8-slot ring"),
            std::string::npos)
      << last_error(b);
  EXPECT_EQ(pfring_recv(b, &buf, 0, &h, 0), PF_RING_ERROR_CORRUPT_INPUT);  // sticky
}

// A remove index ahead of what was sent is refused on the send side.
TEST_F(Userspace, AnImpossibleRemoveIndexStopsSending) {
  pfring *a, *b;
  ASSERT_TRUE(both_small(&a, &b)) << last_error(nullptr);
  RawSegment peer(name_);  // the peer maps it read/write
  ASSERT_NE(peer.hdr, nullptr);
  __atomic_store_n(&peer.ring(1)->remove_idx, 5000u, __ATOMIC_RELEASE);  // b sends into ring 1
  uint8_t pkt[64] = {1};
  EXPECT_EQ(pfring_send(b, pkt, sizeof(pkt), 1), PF_RING_ERROR_INVALID_STATUS);
  EXPECT_NE(last_error(b).find("is corrupt"), std::string::npos) << last_error(b);
}

// A slot header the peer rewrote after the send: a caplen beyond the slot
// is cut to the slot; the other metadata arrives as in every other module
// (the hash field, the direction: received).
TEST_F(Userspace, ASlotHeaderIsClampedAndItsMetadataDelivered) {
  pfring *a, *b;
  ASSERT_TRUE(both_small(&a, &b)) << last_error(nullptr);
  uint8_t pkt[100] = {7};
  ASSERT_EQ(pfring_send(a, pkt, sizeof(pkt), 1), int(sizeof(pkt)));
  RawSegment peer(name_);  // the peer maps it read/write
  ASSERT_NE(peer.hdr, nullptr);
  pfc_slot_hdr *slot = peer.slot0(0);
  slot->caplen = slot->len = 0x7fffffff;
  slot->pkt_hash = 0xdeadbeef;
  u_char *buf;
  struct pfring_pkthdr h;
  ASSERT_EQ(recv1(b, &buf, &h), 1) << last_error(b);
  EXPECT_EQ(h.caplen, 256u - PFC_SLOT_HDR_LEN);
  EXPECT_EQ(h.extended_hdr.pkt_hash, 0xdeadbeefu);
  EXPECT_EQ(h.extended_hdr.rx_direction, 1);
}

}  // namespace
