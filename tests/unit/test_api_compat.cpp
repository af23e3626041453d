// test_api_compat.cpp - the calls of the PF_RING 5.x release header that
// the guide does not list (src/lib/pfring_compat.cpp): bundles in both
// read policies, number formatting, the reflector device, shutdown, and
// what the calls that depend on the device say on a capture file.
#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>
#include <string>
#include <vector>

#include <pcap/pcap.h>

#include "api_fixture.h"

namespace {

using namespace apitest;

class ApiCompat : public ApiTest {
 protected:
  // A second capture, the known one with every timestamp 0.5 ms later.
  std::string shifted() {
    std::vector<Record> recs = known_capture();
    for (Record &r : recs) r.ts_ns += 500000;
    std::string p = dir_.file("shifted.pcap");
    EXPECT_TRUE(ut::write_file(p, pw::pcap_bytes(recs)));
    return "pcap:" + p;
  }
};

TEST_F(ApiCompat, FormatNumbersGroupsDigitsAndRounds) {
  char b[64];
  EXPECT_STREQ(pfring_format_numbers(0, b, sizeof b, 0), "0");
  EXPECT_STREQ(pfring_format_numbers(999, b, sizeof b, 0), "999");
  EXPECT_STREQ(pfring_format_numbers(1234567, b, sizeof b, 0), "1'234'567");
  EXPECT_STREQ(pfring_format_numbers(1234567.891, b, sizeof b, 1), "1'234'567.89");
  EXPECT_STREQ(pfring_format_numbers(999.999, b, sizeof b, 1), "1'000.00");
  EXPECT_STREQ(pfring_format_numbers(-1500, b, sizeof b, 0), "-1'500");
  char tiny[4];
  EXPECT_STREQ(pfring_format_numbers(123456, tiny, sizeof tiny, 0), "123");  // cut, terminated
  // Above 2^63 (an integer conversion overflowed there once).
  EXPECT_STREQ(pfring_format_numbers(1e17, b, sizeof b, 1), "100'000'000'000'000'000.00");
  EXPECT_STREQ(pfring_format_numbers(9.5e18, b, sizeof b, 0), "9'500'000'000'000'000'000");
  EXPECT_STREQ(pfring_format_numbers(18446744073709551615.0, b, sizeof b, 0), "18'446'744'073'709'551'616");
  EXPECT_STREQ(pfring_format_numbers(-2e19, b, sizeof b, 0), "-20'000'000'000'000'000'000");
  // The largest double fits a big buffer and is cut, terminated, in a small one.
  char big[512];
  pfring_format_numbers(1.7976931348623157e308, big, sizeof big, 1);
  EXPECT_EQ(std::string(big).size(), 309u + 102u + 3u);
  EXPECT_EQ(std::string(big).substr(0, 8), "179'769'");
  char guard[16];
  std::memset(guard, 'X', sizeof guard);
  pfring_format_numbers(1.7976931348623157e308, guard, 8, 1);
  EXPECT_STREQ(guard, "179'769");
  EXPECT_EQ(guard[8], 'X');  // nothing past buf_len
}

// After one pfring_breakloop, a later blocking bundle read waits again
// (the request was used up by the read it ended): it once returned 0 at
// once forever, and a read loop spun.
TEST_F(ApiCompat, BundleBreakloopIsUsedUpByTheReadItEnds) {
  std::string name = "ubundle" + std::to_string(getpid());
  pfring *idle = pfring_open(("userspace:" + name).c_str(), 1518, 0);
  ASSERT_NE(idle, nullptr) << last_error(nullptr);
  pfring_bundle b;
  pfring_bundle_init(&b, pick_round_robin);
  ASSERT_EQ(pfring_bundle_add(&b, idle), 0);
  u_char *p = nullptr;
  pfring_pkthdr h;
  pfring_breakloop(idle);
  EXPECT_EQ(pfring_bundle_read(&b, &p, 0, &h, 1), 0);
  std::thread breaker([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    pfring_breakloop(idle);
  });
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(pfring_bundle_read(&b, &p, 0, &h, 1), 0);
  auto waited = std::chrono::steady_clock::now() - t0;
  breaker.join();
  EXPECT_GE(waited, std::chrono::milliseconds(250));  // it waited for the second request
  pfring_bundle_close(&b);
}

TEST_F(ApiCompat, BundleRoundRobinReadsEveryPacketOfEveryRing) {
  pfring *second = pfring_open(shifted().c_str(), 1518, 0);
  ASSERT_NE(second, nullptr);
  pfring_bundle b;
  pfring_bundle_init(&b, pick_round_robin);
  ASSERT_EQ(pfring_bundle_add(&b, ring_), 0);
  ASSERT_EQ(pfring_bundle_add(&b, second), 0);
  EXPECT_EQ(pfring_bundle_add(&b, nullptr), PF_RING_ERROR_INVALID_ARGUMENT);
  Tags got;
  int rc = 0;
  for (int i = 0; i < 100; i++) {
    u_char *p;
    pfring_pkthdr h;
    rc = pfring_bundle_read(&b, &p, 0, &h, 1);
    if (rc != 1) break;
    got.push_back(ut::frame_tag(p, h.caplen));
  }
  EXPECT_EQ(rc, PF_RING_ERROR_END_OF_FILE);
  ASSERT_EQ(got.size(), 24u);
  // in turn: the two rings alternate
  for (size_t i = 0; i + 1 < got.size(); i += 2) EXPECT_EQ(got[i], got[i + 1]) << i;
  pfring_bundle_destroy(&b);
  EXPECT_EQ(b.num_sockets, 0);
  pfring_close(second);
}

TEST_F(ApiCompat, BundleFifoMergesByTimestamp) {
  pfring *second = pfring_open(shifted().c_str(), 1518, 0);
  ASSERT_NE(second, nullptr);
  pfring_bundle b;
  pfring_bundle_init(&b, pick_fifo);
  ASSERT_EQ(pfring_bundle_add(&b, second), 0);  // the later one first
  ASSERT_EQ(pfring_bundle_add(&b, ring_), 0);
  std::vector<uint64_t> ts;
  for (int i = 0; i < 100; i++) {
    u_char *p;
    pfring_pkthdr h;
    int rc = pfring_bundle_read(&b, &p, 0, &h, 1);
    if (rc != 1) {
      EXPECT_EQ(rc, PF_RING_ERROR_END_OF_FILE);
      break;
    }
    ts.push_back(uint64_t(h.ts.tv_sec) * 1000000 + uint64_t(h.ts.tv_usec));
  }
  ASSERT_EQ(ts.size(), 24u);
  EXPECT_TRUE(std::is_sorted(ts.begin(), ts.end()));
  pfring_bundle_destroy(&b);
  pfring_close(second);
}

TEST_F(ApiCompat, ShutdownEndsReceiving) {
  pfring_enable_ring(ring_);
  u_char *p;
  pfring_pkthdr h;
  ASSERT_EQ(pfring_recv(ring_, &p, 0, &h, 0), 1);
  EXPECT_EQ(pfring_is_pkt_available(ring_), 1);
  pfring_shutdown(ring_);
  EXPECT_EQ(pfring_recv(ring_, &p, 0, &h, 0), PF_RING_ERROR_INVALID_STATUS);
  EXPECT_TRUE(contains(last_error(ring_), "shut down")) << last_error(ring_);
}

TEST_F(ApiCompat, ReflectorDeviceGetsEveryDeliveredPacket) {
  std::string name = "ucompat" + std::to_string(getpid());
  std::string usr = "userspace:" + name;
  pfring *peer = pfring_open(usr.c_str(), 1518, 0);
  ASSERT_NE(peer, nullptr) << last_error(nullptr);
  ASSERT_EQ(pfring_set_reflector_device(ring_, const_cast<char *>(usr.c_str())), 0) << last_error(ring_);
  Tags sent = drain(ring_);
  EXPECT_EQ(sent, kAll);
  Tags got;
  for (int i = 0; i < 12; i++) {
    u_char *p;
    pfring_pkthdr h;
    if (pfring_recv(peer, &p, 0, &h, 0) != 1) break;
    got.push_back(ut::frame_tag(p, h.caplen));
  }
  EXPECT_EQ(got, kAll);
  EXPECT_EQ(pfring_set_reflector_device(ring_, nullptr), 0);  // stops it
  char bad[] = "pcap:/nonexistent/file.pcap";
  EXPECT_EQ(pfring_set_reflector_device(ring_, bad), PF_RING_ERROR_UNKNOWN_ADAPTER);
  pfring_close(peer);
}

TEST_F(ApiCompat, DeviceDependentCallsSayWhatTheyCanDo) {
  int idx = -1;
  char lo[] = "lo", none[] = "no-such-if0";
  EXPECT_EQ(pfring_get_device_ifindex(ring_, lo, &idx), 0);
  EXPECT_EQ(idx, 1);
  EXPECT_EQ(pfring_get_device_ifindex(ring_, none, &idx), PF_RING_ERROR_UNKNOWN_ADAPTER);
  EXPECT_EQ(errno, ENODEV);
  EXPECT_EQ(pfring_get_mtu_size(ring_), 1518);  // a file: the caplen
  EXPECT_EQ(pfring_set_channel_id(ring_, 0), 0);
  EXPECT_EQ(pfring_set_channel_id(ring_, 3), PF_RING_ERROR_NOT_SUPPORTED);
  EXPECT_TRUE(contains(last_error(ring_), "@3")) << last_error(ring_);
  std::string same = dev_;
  EXPECT_EQ(pfring_bind(ring_, const_cast<char *>(same.c_str())), 0);
  char other[] = "eth9";
  EXPECT_EQ(pfring_bind(ring_, other), PF_RING_ERROR_NOT_SUPPORTED);
  char buf[64];
  EXPECT_EQ(pfring_loopback_test(ring_, buf, sizeof buf, 10), PF_RING_ERROR_NOT_SUPPORTED);
  EXPECT_EQ(pfring_copy_tx_packet_into_slot(ring_, 0, buf, 10), PF_RING_ERROR_NOT_SUPPORTED);
  pfring_sync_indexes_with_kernel(ring_);  // nothing to do, and harmless
  pfring_pkthdr h{};
  h.caplen = 60;
  EXPECT_EQ(pfring_send_parsed(ring_, buf, &h, 1), PF_RING_ERROR_NOT_SUPPORTED);  // a file cannot send
  errno = 0;
  EXPECT_EQ(pfring_open_consumer(dev_.c_str(), 1518, 0, 7, nullptr, 0), nullptr);
  EXPECT_EQ(errno, EOPNOTSUPP);
  EXPECT_TRUE(contains(last_error(nullptr), "consumer plugin 7")) << last_error(nullptr);
  pfring *plain = pfring_open_consumer(dev_.c_str(), 1518, 0, 0, nullptr, 0);
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(drain(plain), kAll);
  pfring_close(plain);
  pfring_config(0);  // leaves the scheduler alone
}

// The two calls the libpcap shim needs: which module a name goes to, and
// a BPF program compiled elsewhere (pcap_compile) applied to the ring.
TEST_F(ApiCompat, DeviceModuleNamesTheModuleWithoutOpening) {
  char m[16];
  EXPECT_EQ(pfring_device_module("sim:/nonexistent.pcap", m, sizeof m), 1);
  EXPECT_STREQ(m, "sim");
  EXPECT_EQ(pfring_device_module("dnacluster:3@1", m, sizeof m), 1);
  EXPECT_STREQ(m, "dnacluster");
  EXPECT_EQ(pfring_device_module("eth0", m, sizeof m), 0);
  EXPECT_TRUE(std::string(m) == "packet" || std::string(m) == "kernel") << m;
  EXPECT_EQ(pfring_device_module("nosuchmodule:x", m, sizeof m), PF_RING_ERROR_NOT_FOUND);
  char tiny[3];
  EXPECT_EQ(pfring_device_module("sim:x", tiny, sizeof tiny), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(pfring_device_module(nullptr, m, sizeof m), PF_RING_ERROR_INVALID_ARGUMENT);
}

TEST_F(ApiCompat, AProgramCompiledByLibpcapFiltersAsTheExpressionDoes) {
  pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
  ASSERT_NE(dead, nullptr);
  struct bpf_program prog;
  ASSERT_EQ(pcap_compile(dead, &prog, "udp", 1, PCAP_NETMASK_UNKNOWN), 0);
  ASSERT_EQ(pfring_set_bpf_program(ring_, &prog), 0) << last_error(ring_);
  pcap_freecode(&prog);  // the ring keeps its own copy
  Tags by_program = drain(ring_);
  pcap_close(dead);
  pfring *other = pfring_open(dev_.c_str(), 1518, 0);
  ASSERT_NE(other, nullptr);
  ASSERT_EQ(pfring_set_bpf_filter(other, const_cast<char *>("udp")), 0);
  EXPECT_EQ(by_program, drain(other));
  EXPECT_FALSE(by_program.empty());
  pfring_close(other);
  // bad programs: refused, the previous filter stays
  struct bpf_insn jump_back = {0x05, 0, 0, 0xFFFFFFFFu};  // ja -1: a loop
  struct bpf_program bad = {1, &jump_back};
  EXPECT_EQ(pfring_set_bpf_program(ring_, &bad), PF_RING_ERROR_INVALID_ARGUMENT);
  struct bpf_program empty = {0, nullptr};
  EXPECT_EQ(pfring_set_bpf_program(ring_, &empty), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(pfring_set_bpf_program(ring_, nullptr), PF_RING_ERROR_INVALID_ARGUMENT);
}

// The 5.x library's text helpers and application statistics.
TEST_F(ApiCompat, PrintParsedPacketAndApplicationStats) {
  u_char *pkt = nullptr;
  struct pfring_pkthdr h;
  std::memset(&h, 0, sizeof h);
  ASSERT_EQ(pfring_recv_parsed(ring_, &pkt, 0, &h, 1, 4, 0, 0), 1);
  char line[512];
  int n = pfring_print_parsed_pkt(line, sizeof line, pkt, &h);
  ASSERT_GT(n, 0);
  EXPECT_EQ(static_cast<size_t>(n), std::strlen(line));
  EXPECT_TRUE(contains(line, "[IPv")) << line;
  EXPECT_TRUE(contains(line, "[caplen=" + std::to_string(h.caplen) + "][len=" + std::to_string(h.len) + "]")) << line;
  // raw bytes give the same line; a short buffer is cut and terminated
  char raw[512], cut[16];
  EXPECT_EQ(pfring_print_pkt(raw, sizeof raw, pkt, h.len, h.caplen), n);
  EXPECT_STREQ(raw, line);
  EXPECT_EQ(pfring_print_pkt(cut, sizeof cut, pkt, h.len, h.caplen), n);
  EXPECT_EQ(std::strlen(cut), sizeof cut - 1);
  EXPECT_EQ(std::string(cut), std::string(line).substr(0, sizeof cut - 1));
  EXPECT_EQ(pfring_print_pkt(nullptr, 10, pkt, h.len, h.caplen), PF_RING_ERROR_INVALID_ARGUMENT);

  char stats[] = "processed=12 \"late\"=0";
  ASSERT_EQ(pfring_set_application_stats(ring_, stats), 0);
  char js[1024];
  ASSERT_GT(pfring_get_device_stats_json(ring_, js, sizeof js), 0);
  EXPECT_TRUE(contains(js, "\"application_stats\":\"processed=12 \\\"late\\\"=0\"")) << js;
  char path[256];
  EXPECT_EQ(pfring_get_appl_stats_file_name(ring_, path, sizeof path), nullptr);
  EXPECT_TRUE(contains(last_error(ring_), "pfring_get_device_stats_json")) << last_error(ring_);
  EXPECT_EQ(pfring_set_application_stats(ring_, nullptr), PF_RING_ERROR_INVALID_ARGUMENT);

  struct in6_addr a6;
  ASSERT_EQ(inet_pton(AF_INET6, "2001:db8::1", &a6), 1);
  EXPECT_STREQ(in6toa(a6), "2001:db8::1");
  // UTC here unless TZ says otherwise: the offset of a known zone
  setenv("TZ", "CET-1", 1);
  tzset();
  EXPECT_EQ(gmt_to_local(86400 * 10), 3600);
  unsetenv("TZ");
  tzset();
}

}  // namespace
