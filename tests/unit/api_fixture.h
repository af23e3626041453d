// api_fixture.h - what the API tests (test_api.cpp, test_api_rules.cpp)
// share: the known capture of twelve tagged packets, the fixture that opens
// it as a pcap ring, rule builders, drain() and the EXPECT_CODE check of a
// return code together with errno.
#pragma once

#include <errno.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "pcap_writer.h"
#include "pfring.h"
#include "unit_util.h"

namespace apitest {

using pw::Bytes;
using pw::Record;
using Tags = std::vector<uint32_t>;

// Hosts of the known capture, host byte order (as parsed_pkt has them).
inline constexpr uint32_t kA = 0x0a000001, kB = 0x0a000002, kC = 0x0a000003;

inline ut::Flow flow(uint8_t proto, uint32_t sip, uint16_t sport, uint32_t dip, uint16_t dport) {
  ut::Flow f;
  f.proto = proto;
  f.sip = sip;
  f.sport = sport;
  f.dip = dip;
  f.dport = dport;
  return f;
}

// The known capture: packet i carries tag i.
//   TCP A:1111 <-> B:80   0 (a>b) 1 (b>a) 3 (a>b) 6 (a>b) 11 (b>a)
//   UDP A:2222 <-> C:53   2 (a>c) 5 (c>a) 9 (a>c)
//   TCP A:3333  -> B:443  4 8
//   ARP                   7
//   IPv6 UDP 7000 -> 7001 10
inline std::vector<Record> known_capture() {
  ut::Flow web = flow(6, kA, 1111, kB, 80), dns = flow(17, kA, 2222, kC, 53), tls = flow(6, kA, 3333, kB, 443);
  ut::Ip6 s6{}, d6{};
  s6[0] = d6[0] = 0x20;
  s6[1] = d6[1] = 0x01;
  s6[15] = 1;
  d6[15] = 2;
  std::vector<Bytes> frames = {
      ut::ipv4_frame(web, 0),
      ut::ipv4_frame(web.reversed(), 1, 18, false),
      ut::ipv4_frame(dns, 2),
      ut::ipv4_frame(web, 3),
      ut::ipv4_frame(tls, 4),
      ut::ipv4_frame(dns.reversed(), 5, 18, false),
      ut::ipv4_frame(web, 6),
      ut::arp_frame(7),
      ut::ipv4_frame(tls, 8),
      ut::ipv4_frame(dns, 9),
      ut::ipv6_frame(17, s6, d6, 7000, 7001, 10),
      ut::ipv4_frame(web.reversed(), 11, 18, false),
  };
  std::vector<Record> recs;
  for (size_t i = 0; i < frames.size(); i++)
    recs.push_back({frames[i], 1700000000ull * 1000000000ull + i * 1000000ull, 0});
  return recs;
}

inline const Tags kAll = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};

inline std::string last_error(pfring *r) {
  char buf[1024];
  pfring_get_last_error(r, buf, sizeof buf);
  return buf;
}

inline bool contains(const std::string &s, const std::string &sub) { return s.find(sub) != std::string::npos; }

// Tags of every packet until the end of the file.
inline Tags drain(pfring *r, int *final_rc = nullptr) {
  Tags t;
  for (int guard = 0; guard < 100000; guard++) {
    u_char *buf = nullptr;
    pfring_pkthdr h;
    int rc = pfring_recv(r, &buf, 0, &h, 0);
    if (rc != 1) {
      if (final_rc) *final_rc = rc;
      EXPECT_EQ(rc, PF_RING_ERROR_END_OF_FILE) << last_error(r);
      return t;
    }
    t.push_back(ut::frame_tag(buf, h.caplen));
  }
  return t;
}

inline filtering_rule wc_rule(u_int16_t id, rule_action_behaviour action) {
  filtering_rule r;
  std::memset(&r, 0, sizeof r);
  r.rule_id = id;
  r.rule_action = action;
  return r;
}

inline hash_filtering_rule hash_rule(u_int16_t id, uint8_t proto, uint32_t a, uint16_t pa, uint32_t b, uint16_t pb,
                                     rule_action_behaviour action) {
  hash_filtering_rule r;
  std::memset(&r, 0, sizeof r);
  r.rule_id = id;
  r.proto = proto;
  r.host_peer_a.v4 = a;
  r.port_peer_a = pa;
  r.host_peer_b.v4 = b;
  r.port_peer_b = pb;
  r.rule_action = action;
  return r;
}

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    recs_ = known_capture();
    path_ = dir_.file("known.pcap");
    ASSERT_TRUE(ut::write_file(path_, pw::pcap_bytes(recs_)));
    dev_ = "pcap:" + path_;
    ring_ = pfring_open(dev_.c_str(), 1518, 0);
    ASSERT_NE(ring_, nullptr) << last_error(nullptr);
  }
  void TearDown() override { pfring_close(ring_); }

  ut::TempDir dir_;
  std::vector<Record> recs_;
  std::string path_, dev_;
  pfring *ring_ = nullptr;
};

}  // namespace apitest

// Expects call to return code; a negative code must come with errno set.
#define EXPECT_CODE(call, code)                                          \
  do {                                                                   \
    errno = 0;                                                           \
    int rc_ = (call);                                                    \
    int errno_ = errno;                                                  \
    EXPECT_EQ(rc_, (code)) << #call;                                     \
    if ((code) < 0) {                                                    \
      EXPECT_NE(errno_, 0) << #call << " left errno at 0";               \
    }                                                                    \
  } while (0)
