// netns_fixture.h - a veth pair in a private network namespace, for the
// tests of the "packet" module.
//
// SetUp creates namespace pfr-test-PID-N (IPv6 off, so the kernel sends no
// neighbour discovery of its own: the only traffic is what the test
// sends), a veth pair va <-> vb inside it, and moves this thread into it
// (setns), so sockets and pfring_open() calls of the test live there.
// TearDown moves the thread back and deletes the namespace, which deletes
// the pair, also after a failed assertion. Needs root (CAP_SYS_ADMIN,
// CAP_NET_ADMIN, CAP_NET_RAW); CI runs as root.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "pfring.h"

namespace pfr_test {

inline int sh(const std::string &cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

class NetnsVeth : public ::testing::Test {
 protected:
  void SetUp() override {
    // CI runs as root; without root this fails with the reason instead of skipping
    ASSERT_EQ(geteuid(), 0u) << "needs root to create a network namespace and a veth pair (CI runs as root)";
    static int counter = 0;
    ns_ = "pfr-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
    ASSERT_EQ(sh("ip netns add " + ns_), 0);
    created_ = true;
    ASSERT_EQ(sh("ip netns exec " + ns_ +
                 " sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1"),
              0);
    ASSERT_EQ(sh("ip -n " + ns_ + " link add va type veth peer name vb"), 0);
    ASSERT_EQ(sh("ip -n " + ns_ + " link set va up && ip -n " + ns_ + " link set vb up"), 0);
    home_fd_ = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(home_fd_, 0);
    int fd = open(("/run/netns/" + ns_).c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(setns(fd, CLONE_NEWNET), 0);
    close(fd);
    inside_ = true;
    va_index_ = static_cast<int>(if_nametoindex("va"));
    vb_index_ = static_cast<int>(if_nametoindex("vb"));
    ASSERT_GT(va_index_, 0);
    ASSERT_GT(vb_index_, 0);
  }

  void TearDown() override {
    if (tx_fd_ >= 0) close(tx_fd_);
    if (inside_) setns(home_fd_, CLONE_NEWNET);
    if (home_fd_ >= 0) close(home_fd_);
    if (created_) sh("ip netns del " + ns_);
  }

  // Sends frames out of dev through a raw socket of the test's own.
  void send_frames(const std::vector<std::vector<uint8_t>> &frames, const char *dev = "vb") {
    if (tx_fd_ < 0) tx_fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    ASSERT_GE(tx_fd_, 0);
    struct sockaddr_ll to = {};
    to.sll_family = AF_PACKET;
    to.sll_ifindex = static_cast<int>(if_nametoindex(dev));
    to.sll_halen = ETH_ALEN;
    for (const auto &f : frames) {
      ssize_t rc = -1;
      for (int tries = 0; tries < 1000 && rc < 0; tries++) {  // bounded retry on a full queue
        rc = sendto(tx_fd_, f.data(), f.size(), 0, reinterpret_cast<struct sockaddr *>(&to), sizeof(to));
        if (rc < 0 && errno != ENOBUFS && errno != EAGAIN) break;
        if (rc < 0) usleep(100);
      }
      ASSERT_EQ(rc, static_cast<ssize_t>(f.size())) << strerror(errno);
    }
  }

  // Receives until want packets arrived or deadline_ms passed: (bytes, header) pairs.
  struct Got {
    std::vector<uint8_t> bytes;
    pfring_pkthdr hdr;
  };
  static std::vector<Got> receive(pfring *r, size_t want, int deadline_ms = 3000) {
    std::vector<Got> got;
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(deadline_ms);
    while (got.size() < want && std::chrono::steady_clock::now() < end) {
      u_char *p = nullptr;
      pfring_pkthdr h = {};
      int rc = pfring_recv(r, &p, 0, &h, 0);
      if (rc > 0) got.push_back(Got{std::vector<uint8_t>(p, p + h.caplen), h});
      else if (rc == 0) pfring_poll(r, 20);
      else break;
    }
    return got;
  }

  std::string ns_;
  int va_index_ = 0, vb_index_ = 0;

 private:
  bool created_ = false, inside_ = false;
  int home_fd_ = -1, tx_fd_ = -1;
};

}  // namespace pfr_test
