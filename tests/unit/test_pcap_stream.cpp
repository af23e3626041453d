// test_pcap_stream.cpp - the pcap module reading classic pcap from a FIFO:
// packets as they arrive, no blocking when the writer is idle,
// pfring_breakloop() from another thread, a stream cut short, and streams
// that cannot be opened. Shared helpers: pcap_module_fixture.h.
#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "pfring.h"
#include "unit/pcap_module_fixture.h"
#include "unit/pcap_writer.h"
#include "unit/unit_util.h"

namespace {

using namespace pcapmod;

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

}  // namespace
