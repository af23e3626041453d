// pcap_module_fixture.h - what the pcap module tests (test_pcap_module*.cpp,
// test_pcap_stream.cpp) share: the capture formats and their encoder, a
// capture of varied packets, receive and loop helpers, and the fixture that
// writes a capture into a temporary directory and opens it as "pcap:PATH".
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "pcap_writer.h"
#include "pfring.h"
#include "unit_util.h"

namespace pcapmod {

using pw::Bytes;
using pw::Record;

enum class Fmt { kUs, kNs, kUsSwapped, kNsSwapped, kPcapng };

inline const char *fmt_name(Fmt f) {
  switch (f) {
    case Fmt::kUs: return "pcap_us";
    case Fmt::kNs: return "pcap_ns";
    case Fmt::kUsSwapped: return "pcap_us_swapped";
    case Fmt::kNsSwapped: return "pcap_ns_swapped";
    case Fmt::kPcapng: return "pcapng";
  }
  return "?";
}

inline bool ns_precision(Fmt f) { return f != Fmt::kUs && f != Fmt::kUsSwapped; }

inline Bytes encode(Fmt f, const std::vector<Record> &recs) {
  if (f == Fmt::kPcapng) return pw::pcapng_bytes(recs);
  pw::PcapOptions o;
  o.nsec = ns_precision(f);
  o.swapped = f == Fmt::kUsSwapped || f == Fmt::kNsSwapped;
  return pw::pcap_bytes(recs, o);
}

inline constexpr uint64_t kBaseNs = 1700000000ull * 1000000000ull;

// n packets of varied size and protocol; packet i carries tag i. Every 10th
// was cut by the capturing tool (wire length > captured length).
inline std::vector<Record> make_records(size_t n) {
  static const uint16_t kDports[] = {80, 53, 443};
  std::vector<Record> recs;
  for (size_t i = 0; i < n; i++) {
    ut::Flow f;
    f.proto = i % 3 == 1 ? 17 : 6;
    f.sport = uint16_t(1000 + i % 5);
    f.dport = kDports[i % 3];
    Record r;
    r.data = ut::ipv4_frame(f, uint32_t(i), 4 + (i * 37) % 400);
    r.ts_ns = kBaseNs + i * 123456789ull + 7;
    r.orig_len = i % 10 == 9 ? uint32_t(r.data.size() + 100) : 0;
    recs.push_back(r);
  }
  return recs;
}

inline uint64_t expected_ns(Fmt f, const Record &r) { return ns_precision(f) ? r.ts_ns : r.ts_ns / 1000 * 1000; }

inline std::string last_error(pfring *r) {
  char buf[PFRING_ERRBUF_SIZE * 4];
  pfring_get_last_error(r, buf, sizeof buf);
  return buf;
}

inline bool contains(const std::string &s, const std::string &sub) { return s.find(sub) != std::string::npos; }

struct Got {
  Bytes data;
  pfring_pkthdr hdr;
};

// Receives until recv stops returning 1; *final gets what it returned then.
// buffer_len 0: zero copy; otherwise into an exact-size heap buffer.
inline std::vector<Got> recv_all(pfring *ring, u_int buffer_len, int *final_rc, u_int8_t wait = 0) {
  std::vector<Got> out;
  std::unique_ptr<u_char[]> storage(buffer_len ? new u_char[buffer_len] : nullptr);
  for (int guard = 0; guard < 1000000; guard++) {
    u_char *buf = storage.get();
    Got g;
    std::memset(&g.hdr, 0, sizeof g.hdr);
    int rc = pfring_recv(ring, &buf, buffer_len, &g.hdr, wait);
    if (rc != 1) {
      *final_rc = rc;
      return out;
    }
    g.data.assign(buf, buf + g.hdr.caplen);
    out.push_back(std::move(g));
  }
  *final_rc = 99;
  return out;
}

class PcapModuleTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.ok()); }
  // Writes bytes into the temp dir; returns the device name "pcap:PATH".
  std::string device(const std::string &file, const Bytes &bytes) {
    std::string path = dir_.file(file);
    EXPECT_TRUE(ut::write_file(path, bytes));
    return "pcap:" + path;
  }
  pfring *open(const std::string &dev, u_int32_t caplen = 1518, u_int32_t flags = 0) {
    pfring *r = pfring_open(dev.c_str(), caplen, flags);
    EXPECT_NE(r, nullptr) << dev << ": " << last_error(nullptr);
    return r;
  }
  ut::TempDir dir_;
};

// pfring_loop() state: the tags and caplens seen; pfring_breakloop() after
// break_after packets.
struct LoopState {
  std::vector<uint32_t> tags;
  std::vector<uint32_t> caplens;
  pfring *ring = nullptr;
  size_t break_after = 0;  // 0: never
};

inline void loop_cb(const struct pfring_pkthdr *h, const u_char *p, const u_char *user) {
  auto *s = const_cast<LoopState *>(reinterpret_cast<const LoopState *>(user));
  s->tags.push_back(ut::frame_tag(p, h->caplen));
  s->caplens.push_back(h->caplen);
  if (s->break_after && s->tags.size() == s->break_after) pfring_breakloop(s->ring);
}

}  // namespace pcapmod
