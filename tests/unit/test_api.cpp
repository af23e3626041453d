// test_api.cpp - every function of pfring.h on a pcap ring returns what the
// header documents: values, NOT_SUPPORTED where a file cannot do it, the
// NULL-ring and NULL-argument conventions, enable/disable, direction, RSS
// rehash, the long header, multichannel open, the device list and the last
// error, plus the C++ wrapper of pfring.hpp. Sampling, policy, wildcard and
// hash rules and BPF: test_api_rules.cpp. Shared helpers: api_fixture.h.
#include <dirent.h>
#include <errno.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "pfring.h"
#include "pfring.hpp"
#include "unit/api_fixture.h"
#include "unit/pcap_writer.h"
#include "unit/unit_util.h"

namespace {

using namespace apitest;

// ---- versions ----------------------------------------------------------------

TEST_F(ApiTest, Version) {
  u_int32_t v = 0;
  EXPECT_EQ(pfring_version(ring_, &v), 0);
  EXPECT_EQ(v, 0x050406u);
  EXPECT_EQ(pfring_version_noring(), 0x050406u);
  EXPECT_EQ(RING_VERSION_NUM, 0x050406);
  EXPECT_STREQ(pfring_get_module_name(ring_), "pcap");
}

// ---- documented values on a pcap ring ---------------------------------------------

TEST_F(ApiTest, SettersThatApplyReturnZero) {
  EXPECT_CODE(pfring_set_direction(ring_, rx_and_tx_direction), 0);
  EXPECT_CODE(pfring_set_direction(ring_, rx_only_direction), 0);
  EXPECT_CODE(pfring_set_direction(ring_, rx_and_tx_direction), 0);
  EXPECT_CODE(pfring_set_socket_mode(ring_, recv_only_mode), 0);
  EXPECT_CODE(pfring_set_socket_mode(ring_, send_and_recv_mode), 0);
  EXPECT_CODE(pfring_set_poll_watermark(ring_, 1), 0);
  EXPECT_CODE(pfring_set_poll_watermark(ring_, DEFAULT_POLL_WATERMARK), 0);
  EXPECT_CODE(pfring_set_poll_duration(ring_, 10), 0);
  EXPECT_CODE(pfring_set_tx_watermark(ring_, 16), 0);
  EXPECT_CODE(pfring_set_application_name(ring_, "unit-test"), 0);
  EXPECT_CODE(pfring_set_filtering_mode(ring_, software_only), 0);
  EXPECT_CODE(pfring_toggle_filtering_policy(ring_, 1), 0);
  EXPECT_CODE(pfring_set_sampling_rate(ring_, 1), 0);
  EXPECT_CODE(pfring_enable_ring(ring_), 0);
  EXPECT_EQ(pfring_get_num_rx_channels(ring_), 1);
  EXPECT_EQ(pfring_poll(ring_, 0), 1);
  // None of that changed what a file delivers.
  EXPECT_EQ(drain(ring_), kAll);
}

TEST_F(ApiTest, WhatAFileCannotDoIsNotSupported) {
  Bytes pkt = recs_[0].data;
  struct timespec ts = {1, 0};
  hw_filtering_rule hw;
  std::memset(&hw, 0, sizeof hw);
  u_char mac[6];
  EXPECT_CODE(pfring_send(ring_, pkt.data(), u_int(pkt.size()), 1), PF_RING_ERROR_NOT_SUPPORTED);
  EXPECT_CODE(pfring_send_ifindex(ring_, pkt.data(), u_int(pkt.size()), 1, 3), PF_RING_ERROR_NOT_SUPPORTED);
  EXPECT_CODE(pfring_send_get_time(ring_, pkt.data(), u_int(pkt.size()), &ts), PF_RING_ERROR_NOT_SUPPORTED);
  EXPECT_CODE(pfring_set_cluster(ring_, 7, cluster_per_flow), PF_RING_ERROR_NOT_SUPPORTED);
  EXPECT_CODE(pfring_set_cluster(ring_, 7, cluster_round_robin), PF_RING_ERROR_NOT_SUPPORTED);
  EXPECT_CODE(pfring_add_hw_rule(ring_, &hw), PF_RING_ERROR_NOT_SUPPORTED);
  EXPECT_CODE(pfring_remove_hw_rule(ring_, &hw), PF_RING_ERROR_NOT_SUPPORTED);
  EXPECT_CODE(pfring_set_filtering_mode(ring_, hardware_only), PF_RING_ERROR_NOT_SUPPORTED);
  EXPECT_CODE(pfring_set_filtering_mode(ring_, hardware_and_software), PF_RING_ERROR_NOT_SUPPORTED);
  EXPECT_CODE(pfring_get_device_clock(ring_, &ts), PF_RING_ERROR_NOT_SUPPORTED);
  EXPECT_CODE(pfring_set_device_clock(ring_, &ts), PF_RING_ERROR_NOT_SUPPORTED);
  EXPECT_CODE(pfring_adjust_device_clock(ring_, &ts, 1), PF_RING_ERROR_NOT_SUPPORTED);
  EXPECT_CODE(pfring_adjust_device_clock(ring_, &ts, -1), PF_RING_ERROR_NOT_SUPPORTED);
  EXPECT_CODE(pfring_enable_hw_timestamp(ring_, path_.c_str(), 1, 1), PF_RING_ERROR_NOT_SUPPORTED);
  EXPECT_CODE(pfring_get_bound_device_address(ring_, mac), PF_RING_ERROR_NOT_SUPPORTED);
  EXPECT_CODE(pfring_set_socket_mode(ring_, send_only_mode), PF_RING_ERROR_NOT_SUPPORTED);
  errno = 0;
  EXPECT_LT(pfring_get_selectable_fd(ring_), 0);
  EXPECT_NE(errno, 0);
  int id = 12345;
  errno = 0;
  EXPECT_LT(pfring_get_bound_device_id(ring_, &id), 0);
  EXPECT_NE(errno, 0);
  errno = 0;
  EXPECT_LT(pfring_remove_from_cluster(ring_), 0);  // not in a cluster
  EXPECT_NE(errno, 0);
  // Before any packet there is nothing to resend; after one, a file cannot send.
  EXPECT_LT(pfring_send_last_rx_packet(ring_, 1), 0);
  u_char *buf = nullptr;
  pfring_pkthdr h;
  ASSERT_EQ(pfring_recv(ring_, &buf, 0, &h, 0), 1);
  EXPECT_CODE(pfring_send_last_rx_packet(ring_, 1), PF_RING_ERROR_NOT_SUPPORTED);
  // Each failure left a message.
  EXPECT_FALSE(last_error(ring_).empty());
  // The ring still works after all the refusals.
  Tags rest = drain(ring_);
  EXPECT_EQ(rest, Tags(kAll.begin() + 1, kAll.end()));
}

// Values one past the last enumerator, still inside each enum's range of
// values (so the call itself is defined behaviour in C++).
TEST_F(ApiTest, InvalidEnumValues) {
  EXPECT_CODE(pfring_set_direction(ring_, static_cast<packet_direction>(3)), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_set_socket_mode(ring_, static_cast<socket_mode>(3)), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_set_filtering_mode(ring_, static_cast<filtering_mode>(3)), PF_RING_ERROR_INVALID_ARGUMENT);
  errno = 0;
  EXPECT_LT(pfring_set_cluster(ring_, 1, static_cast<cluster_type>(15)), 0);
  EXPECT_NE(errno, 0);
  struct timespec bad = {0, 1000000000L};
  EXPECT_CODE(pfring_set_device_clock(ring_, &bad), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_adjust_device_clock(ring_, &bad, 1), PF_RING_ERROR_INVALID_ARGUMENT);
}

TEST_F(ApiTest, SendInRecvOnlyModeIsRefused) {
  ASSERT_EQ(pfring_set_socket_mode(ring_, recv_only_mode), 0);
  errno = 0;
  EXPECT_LT(pfring_send(ring_, recs_[0].data.data(), u_int(recs_[0].data.size()), 1), 0);
  EXPECT_NE(errno, 0);
}

// ---- NULL ring ------------------------------------------------------------------------

#define EXPECT_NULL_RING(call)                                          \
  do {                                                                   \
    errno = 0;                                                           \
    int rc_ = (call);                                                    \
    int errno_ = errno;                                                  \
    EXPECT_EQ(rc_, PF_RING_ERROR_INVALID_ARGUMENT) << #call;             \
    EXPECT_EQ(errno_, EINVAL) << #call;                                  \
  } while (0)

void null_cb(const struct pfring_pkthdr *, const u_char *, const u_char *) {}

TEST(ApiNullRing, EveryCallRejectsNull) {
  pfring *n = nullptr;
  u_char data[64] = {0};
  u_char *buf = data;
  u_char *bufs[4];
  pfring_pkthdr h, hs[4];
  std::memset(&h, 0, sizeof h);
  struct timespec ts = {0, 0};
  u_int64_t raw = 0;
  filtering_rule wr = wc_rule(1, forward_packet_and_stop_rule_evaluation);
  hash_filtering_rule hr = hash_rule(1, 6, kA, 1, kB, 2, forward_packet_and_stop_rule_evaluation);
  hw_filtering_rule hw;
  std::memset(&hw, 0, sizeof hw);
  char stats[64];
  u_int stats_len = sizeof stats;
  pfring_stat st;
  u_int32_t v;
  u_char mac[6];
  int id;
  char json[256];

  EXPECT_NULL_RING(pfring_recv(n, &buf, sizeof data, &h, 0));
  EXPECT_NULL_RING(pfring_recv(n, &buf, 0, &h, 1));
  EXPECT_NULL_RING(pfring_recv_parsed(n, &buf, 0, &h, 0, 4, 1, 1));
  EXPECT_NULL_RING(pfring_recv_burst(n, bufs, hs, 4, 0));
  EXPECT_NULL_RING(pfring_loop(n, null_cb, nullptr, 0));
  EXPECT_NULL_RING(pfring_next_pkt_time(n, &ts));
  EXPECT_NULL_RING(pfring_next_pkt_raw_timestamp(n, &raw));
  EXPECT_NULL_RING(pfring_set_cluster(n, 1, cluster_per_flow));
  EXPECT_NULL_RING(pfring_remove_from_cluster(n));
  EXPECT_NULL_RING(pfring_set_sampling_rate(n, 2));
  EXPECT_NULL_RING(pfring_add_filtering_rule(n, &wr));
  EXPECT_NULL_RING(pfring_remove_filtering_rule(n, 1));
  EXPECT_NULL_RING(pfring_get_filtering_rule_stats(n, 1, stats, &stats_len));
  EXPECT_NULL_RING(pfring_purge_idle_rules(n, 0));
  EXPECT_NULL_RING(pfring_handle_hash_filtering_rule(n, &hr, 1));
  EXPECT_NULL_RING(pfring_handle_hash_filtering_rule(n, &hr, 0));
  EXPECT_NULL_RING(pfring_get_hash_filtering_rule_stats(n, &hr, stats, &stats_len));
  EXPECT_NULL_RING(pfring_purge_idle_hash_rules(n, 0));
  EXPECT_NULL_RING(pfring_set_bpf_filter(n, "tcp"));
  EXPECT_NULL_RING(pfring_remove_bpf_filter(n));
  EXPECT_NULL_RING(pfring_add_hw_rule(n, &hw));
  EXPECT_NULL_RING(pfring_remove_hw_rule(n, &hw));
  EXPECT_NULL_RING(pfring_set_filtering_mode(n, software_only));
  EXPECT_NULL_RING(pfring_toggle_filtering_policy(n, 1));
  EXPECT_NULL_RING(pfring_send(n, data, sizeof data, 1));
  EXPECT_NULL_RING(pfring_send_ifindex(n, data, sizeof data, 1, 1));
  EXPECT_NULL_RING(pfring_send_get_time(n, data, sizeof data, &ts));
  EXPECT_NULL_RING(pfring_send_last_rx_packet(n, 1));
  EXPECT_NULL_RING(pfring_enable_ring(n));
  EXPECT_NULL_RING(pfring_disable_ring(n));
  EXPECT_NULL_RING(pfring_stats(n, &st));
  EXPECT_NULL_RING(pfring_version(n, &v));
  EXPECT_NULL_RING(pfring_set_direction(n, rx_only_direction));
  EXPECT_NULL_RING(pfring_set_socket_mode(n, recv_only_mode));
  EXPECT_NULL_RING(pfring_poll(n, 0));
  EXPECT_NULL_RING(pfring_set_poll_watermark(n, 1));
  EXPECT_NULL_RING(pfring_set_tx_watermark(n, 1));
  EXPECT_NULL_RING(pfring_set_poll_duration(n, 1));
  EXPECT_NULL_RING(pfring_set_application_name(n, "x"));
  EXPECT_NULL_RING(pfring_get_bound_device_address(n, mac));
  EXPECT_NULL_RING(pfring_get_bound_device_id(n, &id));
  EXPECT_NULL_RING(pfring_enable_rss_rehash(n));
  EXPECT_NULL_RING(pfring_get_device_clock(n, &ts));
  EXPECT_NULL_RING(pfring_set_device_clock(n, &ts));
  EXPECT_NULL_RING(pfring_adjust_device_clock(n, &ts, 1));
  EXPECT_NULL_RING(pfring_enable_hw_timestamp(n, "x", 1, 1));
  EXPECT_NULL_RING(pfring_get_device_stats_json(n, json, sizeof json));
  errno = 0;
  EXPECT_LT(pfring_get_selectable_fd(n), 0);
  EXPECT_EQ(errno, EINVAL);
  // Documented non-int results.
  EXPECT_EQ(pfring_get_num_rx_channels(n), 1);  // "1 when unknown"
  EXPECT_EQ(pfring_get_module_name(n), nullptr);
  pfring_breakloop(n);  // no crash
  pfring_close(n);      // "NULL is ignored"
  pfring_close(nullptr);
  // pfring_parse_pkt has no ring: its NULL arguments.
  EXPECT_NULL_RING(pfring_parse_pkt(nullptr, &h, 4, 0, 0));
  EXPECT_NULL_RING(pfring_parse_pkt(data, nullptr, 4, 0, 0));
  // pfring_open_multichannel with no array.
  errno = 0;
  EXPECT_EQ(pfring_open_multichannel("pcap:/nonexistent", 1518, 0, nullptr), 0);
  EXPECT_EQ(errno, EINVAL);
}

// ---- NULL arguments ---------------------------------------------------------------------

TEST_F(ApiTest, NullArgumentsAreRejected) {
  u_char *buf = nullptr;
  pfring_pkthdr h;
  u_char *bufs[4];
  pfring_pkthdr hs[4];
  u_int stats_len = 64;
  char stats[64];
  u_char data[60] = {0};

  EXPECT_CODE(pfring_recv(ring_, nullptr, 0, &h, 0), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_recv(ring_, &buf, 0, nullptr, 0), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_recv_parsed(ring_, &buf, 0, nullptr, 0, 4, 0, 0), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_recv_burst(ring_, nullptr, hs, 4, 0), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_recv_burst(ring_, bufs, nullptr, 4, 0), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_loop(ring_, nullptr, nullptr, 0), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_next_pkt_time(ring_, nullptr), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_next_pkt_raw_timestamp(ring_, nullptr), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_add_filtering_rule(ring_, nullptr), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_handle_hash_filtering_rule(ring_, nullptr, 1), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_handle_hash_filtering_rule(ring_, nullptr, 0), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_get_hash_filtering_rule_stats(ring_, nullptr, stats, &stats_len), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_set_bpf_filter(ring_, nullptr), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_add_hw_rule(ring_, nullptr), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_remove_hw_rule(ring_, nullptr), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_send(ring_, nullptr, 60, 1), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_send_get_time(ring_, data, sizeof data, nullptr), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_stats(ring_, nullptr), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_version(ring_, nullptr), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_set_application_name(ring_, nullptr), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_get_bound_device_address(ring_, nullptr), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_get_bound_device_id(ring_, nullptr), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_get_device_clock(ring_, nullptr), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_set_device_clock(ring_, nullptr), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_adjust_device_clock(ring_, nullptr, 1), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_get_device_stats_json(ring_, nullptr, 100), PF_RING_ERROR_INVALID_ARGUMENT);
  // A rule exists, the stats buffer does not.
  filtering_rule r = wc_rule(5, forward_packet_and_stop_rule_evaluation);
  ASSERT_EQ(pfring_add_filtering_rule(ring_, &r), 0);
  EXPECT_CODE(pfring_get_filtering_rule_stats(ring_, 5, nullptr, &stats_len), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_get_filtering_rule_stats(ring_, 5, stats, nullptr), PF_RING_ERROR_INVALID_ARGUMENT);
  u_int small = sizeof(hash_filtering_rule_stats) - 1;
  EXPECT_CODE(pfring_get_filtering_rule_stats(ring_, 5, stats, &small), PF_RING_ERROR_INVALID_ARGUMENT);
  hash_filtering_rule hr = hash_rule(9, 6, kA, 1111, kB, 80, forward_packet_and_stop_rule_evaluation);
  ASSERT_EQ(pfring_handle_hash_filtering_rule(ring_, &hr, 1), 0);
  EXPECT_CODE(pfring_get_hash_filtering_rule_stats(ring_, &hr, nullptr, &stats_len), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_get_hash_filtering_rule_stats(ring_, &hr, stats, &small), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_FALSE(last_error(ring_).empty());
  // Nothing of that disturbed the data: every packet is still there.
  EXPECT_EQ(drain(ring_), kAll);
}

// A recv that is refused (buffer_len > 0 but *buffer NULL) must not eat a packet.
TEST_F(ApiTest, RefusedRecvConsumesNothing) {
  u_char *buf = nullptr;
  pfring_pkthdr h;
  EXPECT_CODE(pfring_recv(ring_, &buf, 128, &h, 0), PF_RING_ERROR_INVALID_ARGUMENT);
  pfring_stat st;
  ASSERT_EQ(pfring_stats(ring_, &st), 0);
  EXPECT_EQ(st.recv, 0u) << "a refused pfring_recv counted a packet as delivered";
  EXPECT_EQ(drain(ring_), kAll) << "a refused pfring_recv consumed a packet";
}

// ---- enable / disable -------------------------------------------------------------------

TEST_F(ApiTest, DisabledRingDeliversNothingUntilEnabled) {
  u_char *buf = nullptr;
  pfring_pkthdr h;
  ASSERT_EQ(pfring_recv(ring_, &buf, 0, &h, 0), 1);
  EXPECT_EQ(ut::frame_tag(buf, h.caplen), 0u);
  EXPECT_CODE(pfring_disable_ring(ring_), 0);
  EXPECT_CODE(pfring_recv(ring_, &buf, 0, &h, 0), PF_RING_ERROR_RING_NOT_ENABLED);
  EXPECT_CODE(pfring_recv(ring_, &buf, 0, &h, 1), PF_RING_ERROR_RING_NOT_ENABLED);
  u_char *bufs[4];
  pfring_pkthdr hs[4];
  EXPECT_CODE(pfring_recv_burst(ring_, bufs, hs, 4, 0), PF_RING_ERROR_RING_NOT_ENABLED);
  EXPECT_CODE(pfring_loop(ring_, null_cb, nullptr, 1), PF_RING_ERROR_RING_NOT_ENABLED);
  EXPECT_CODE(pfring_enable_ring(ring_), 0);
  EXPECT_EQ(drain(ring_), Tags(kAll.begin() + 1, kAll.end()));
}

// ---- direction --------------------------------------------------------------------------

TEST_F(ApiTest, DirectionTxOnlyGivesNothingFromAFile) {
  ASSERT_EQ(pfring_set_direction(ring_, tx_only_direction), 0);
  int rc = 0;
  EXPECT_TRUE(drain(ring_, &rc).empty());
  EXPECT_EQ(rc, PF_RING_ERROR_END_OF_FILE);
}

TEST_F(ApiTest, DirectionRxOnlyGivesEverything) {
  ASSERT_EQ(pfring_set_direction(ring_, rx_only_direction), 0);
  EXPECT_EQ(drain(ring_), kAll);
}

// ---- RSS rehash ------------------------------------------------------------------------------------

TEST_F(ApiTest, RssRehashGivesTheBidirectionalHash) {
  u_char *buf = nullptr;
  pfring_pkthdr h;
  ASSERT_EQ(pfring_recv(ring_, &buf, 0, &h, 0), 1);
  EXPECT_EQ(h.extended_hdr.pkt_hash, 0u);  // a file has no RSS hash
  EXPECT_CODE(pfring_enable_rss_rehash(ring_), 0);
  std::vector<u_int32_t> hash(recs_.size());
  for (size_t i = 1; i < recs_.size(); i++) {
    ASSERT_EQ(pfring_recv(ring_, &buf, 0, &h, 0), 1);
    ASSERT_EQ(ut::frame_tag(buf, h.caplen), i);
    hash[i] = h.extended_hdr.pkt_hash;
    // The same value pfring_parse_pkt computes for add_hash.
    Bytes copy(buf, buf + h.caplen);
    pfring_pkthdr fresh;
    std::memset(&fresh, 0, sizeof fresh);
    fresh.caplen = h.caplen;
    fresh.len = h.len;
    pfring_parse_pkt(copy.data(), &fresh, 4, 0, 1);
    EXPECT_EQ(hash[i], fresh.extended_hdr.pkt_hash) << i;
  }
  EXPECT_NE(hash[1], 0u);
  EXPECT_EQ(hash[1], hash[3]);   // web b>a == a>b
  EXPECT_EQ(hash[3], hash[11]);
  EXPECT_EQ(hash[2], hash[5]);   // dns a>c == c>a
  EXPECT_NE(hash[1], hash[2]);
  EXPECT_NE(hash[4], hash[2]);
}

// ---- PF_RING_LONG_HEADER ------------------------------------------------------------------------------

// Guide 8.4: with PF_RING_LONG_HEADER the extended header is filled.
TEST_F(ApiTest, LongHeaderFillsTheParsedPacket) {
  pfring *r = pfring_open(dev_.c_str(), 1518, PF_RING_LONG_HEADER);
  ASSERT_NE(r, nullptr);
  u_char *buf = nullptr;
  pfring_pkthdr h;
  ASSERT_EQ(pfring_recv(r, &buf, 0, &h, 0), 1);
  const pkt_parsing_info &p = h.extended_hdr.parsed_pkt;
  EXPECT_EQ(p.ip_version, 4);
  EXPECT_EQ(p.l3_proto, 6);
  EXPECT_EQ(p.ip_src.v4, kA);
  EXPECT_EQ(p.ip_dst.v4, kB);
  EXPECT_EQ(p.l4_src_port, 1111);
  EXPECT_EQ(p.l4_dst_port, 80);
  EXPECT_EQ(p.offset.l3_offset, 14);
  EXPECT_EQ(p.offset.l4_offset, 34);
  EXPECT_EQ(h.extended_hdr.timestamp_ns, recs_[0].ts_ns);
  pfring_close(r);
}

// A packet delivered without a parse has parsed_pkt all zero, also when
// the burst slot it arrived in held a parsed packet before (slots are
// reused burst after burst; fill_rx_packet zeroes parsed_pkt only after a
// parse wrote it).
TEST(ApiParsedPacket, UnparsedPacketsHaveAZeroParsedPacketAfterParsedOnes) {
  const char *d = std::getenv("PFRING_TEST_DATA");
  std::string dev = "pcap:" + std::string(d ? d : "tests/data") + "/demo.pcap";
  pfring *r = pfring_open(dev.c_str(), 1518, 0);
  ASSERT_NE(r, nullptr);
  const pkt_parsing_info zero{};
  unsigned parsed = 0, unparsed = 0;
  for (unsigned i = 0; i < 1000; i++) {
    u_char *buf = nullptr;
    pfring_pkthdr h;
    bool parse = (i / 3) % 2 == 0;  // runs of three, so slots alternate between parsed and not
    int rc = parse ? pfring_recv_parsed(r, &buf, 0, &h, 0, 4, 0, 0) : pfring_recv(r, &buf, 0, &h, 0);
    ASSERT_EQ(rc, 1) << i;
    if (parse) {
      parsed += h.extended_hdr.parsed_pkt.offset.l3_offset != 0;
    } else {
      ASSERT_EQ(std::memcmp(&h.extended_hdr.parsed_pkt, &zero, sizeof(zero)), 0) << "packet " << i;
      unparsed++;
    }
  }
  EXPECT_GT(parsed, 400u);  // the parses did write parsed_pkt
  EXPECT_EQ(unparsed, 499u);
  pfring_close(r);
}

// ---- multichannel ----------------------------------------------------------------------------------

TEST_F(ApiTest, OpenMultichannel) {
  pfring *rings[MAX_NUM_RX_CHANNELS];
  std::fill(std::begin(rings), std::end(rings), nullptr);
  rings[1] = reinterpret_cast<pfring *>(0x1);  // must be overwritten: a guide-style `<=` loop reaches it
  EXPECT_EQ(pfring_open_multichannel(dev_.c_str(), 1518, 0, rings), 1);
  ASSERT_NE(rings[0], nullptr) << last_error(nullptr);
  EXPECT_EQ(rings[1], nullptr);
  u_char *pkt = nullptr;
  struct pfring_pkthdr hdr;
  EXPECT_EQ(pfring_recv(rings[1], &pkt, 0, &hdr, 0), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(drain(rings[0]), kAll);
  pfring_close(rings[0]);

  rings[0] = reinterpret_cast<pfring *>(0x1);  // must be overwritten
  errno = 0;
  EXPECT_EQ(pfring_open_multichannel((dev_ + "@0").c_str(), 1518, 0, rings), 0);
  EXPECT_EQ(rings[0], nullptr);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_TRUE(contains(last_error(nullptr), "@")) << last_error(nullptr);

  errno = 0;
  std::string missing = "pcap:" + dir_.file("missing.pcap");
  EXPECT_EQ(pfring_open_multichannel(missing.c_str(), 1518, 0, rings), 0);
  EXPECT_EQ(rings[0], nullptr);
  EXPECT_EQ(errno, ENOENT);
}

// ---- device list -------------------------------------------------------------------------------------

TEST(ApiDevices, FindAllDevs) {
  pfring_if_t *list = pfring_findalldevs();
  ASSERT_NE(list, nullptr);
  bool pcap = false;
  int n = 0;
  for (pfring_if_t *e = list; e && n < 10000; e = e->next, n++) {
    ASSERT_NE(e->name, nullptr);
    ASSERT_NE(e->module, nullptr);
    ASSERT_NE(e->description, nullptr);
    EXPECT_GE(e->num_rx_channels, 1);
    if (std::string(e->module) == "pcap") {
      pcap = true;
      EXPECT_EQ(std::string(e->name).rfind("pcap:", 0), 0u) << e->name;
      EXPECT_EQ(e->ifindex, -1);
    }
  }
  EXPECT_TRUE(pcap);
  pfring_freealldevs(list);
  pfring_freealldevs(nullptr);
}

// ---- last error ----------------------------------------------------------------------------------------

TEST_F(ApiTest, LastErrorTruncation) {
  ASSERT_EQ(pfring_remove_filtering_rule(ring_, 777), PF_RING_ERROR_NOT_FOUND);
  char full[256];
  int n = pfring_get_last_error(ring_, full, sizeof full);
  ASSERT_GT(n, 5);
  EXPECT_EQ(size_t(n), std::strlen(full));
  EXPECT_TRUE(contains(full, "777")) << full;

  char small[16];
  std::memset(small, 'X', sizeof small);
  EXPECT_EQ(pfring_get_last_error(ring_, small, 5), n);
  EXPECT_EQ(std::string(small), std::string(full, 4));
  EXPECT_EQ(small[5], 'X');  // nothing written past len

  std::memset(small, 'X', sizeof small);
  EXPECT_EQ(pfring_get_last_error(ring_, small, 1), n);
  EXPECT_EQ(small[0], '\0');
  EXPECT_EQ(small[1], 'X');

  std::memset(small, 'X', sizeof small);
  EXPECT_EQ(pfring_get_last_error(ring_, small, 0), n);
  EXPECT_EQ(small[0], 'X');
  EXPECT_EQ(pfring_get_last_error(ring_, nullptr, 0), n);
  EXPECT_EQ(pfring_get_last_error(ring_, nullptr, 100), n);
}

TEST_F(ApiTest, LastErrorOfFailedOpenIsPerThread) {
  std::string missing = "pcap:" + dir_.file("no_such_file.pcap");
  ASSERT_EQ(pfring_open(missing.c_str(), 1518, 0), nullptr);
  std::string mine = last_error(nullptr);
  EXPECT_TRUE(contains(mine, "no_such_file.pcap")) << mine;
  // Another thread has its own (none yet), and failing there does not change ours.
  int other_len = -1;
  std::string other_err;
  std::thread t([&] {
    char buf[256] = "untouched";
    other_len = pfring_get_last_error(nullptr, buf, sizeof buf);
    std::string before = buf;
    pfring_open("foo:bar", 1518, 0);
    other_err = last_error(nullptr);
    EXPECT_EQ(before, "");
  });
  t.join();
  EXPECT_EQ(other_len, 0);
  EXPECT_TRUE(contains(other_err, "'foo'")) << other_err;
  EXPECT_EQ(last_error(nullptr), mine);
}

// ---- C++ wrapper (pfring.hpp) -----------------------------------------------------------------------------

// Number of open descriptors of path in this process: a pcap ring holds
// its file open.
int open_fds_of(const std::string &path) {
  int n = 0;
  DIR *d = opendir("/proc/self/fd");
  if (!d) return -1;
  while (struct dirent *e = readdir(d)) {
    char target[4096];
    std::string link = std::string("/proc/self/fd/") + e->d_name;
    ssize_t len = readlink(link.c_str(), target, sizeof(target) - 1);
    if (len > 0 && std::string(target, size_t(len)) == path) n++;
  }
  closedir(d);
  return n;
}

TEST_F(ApiTest, CppWrapper) {
  std::string other_path = dir_.file("other.pcap");
  ASSERT_TRUE(ut::write_file(other_path, pw::pcap_bytes(recs_)));
  std::string other_dev = "pcap:" + other_path;
  ASSERT_EQ(open_fds_of(other_path), 0);
  {
    PFring r(dev_.c_str(), 1518);
    ASSERT_TRUE(r.is_open());
    ASSERT_NE(r.get_pfring_handle(), nullptr);
    u_char *buf = nullptr;
    pfring_pkthdr h;
    ASSERT_EQ(r.get_next_packet(&h, &buf, 0, 0), 1);
    EXPECT_EQ(ut::frame_tag(buf, h.caplen), 0u);
    ASSERT_EQ(r.recv(&buf, 0, &h, 0), 1);
    EXPECT_EQ(ut::frame_tag(buf, h.caplen), 1u);
    pfring_stat st;
    ASSERT_EQ(r.get_stats(&st), 0);
    EXPECT_EQ(st.recv, 2u);
    u_int32_t v = 0;
    EXPECT_EQ(r.version(&v), 0);
    EXPECT_EQ(v, 0x050406u);
    EXPECT_EQ(r.get_num_rx_channels(), 1);
    EXPECT_EQ(r.set_bpf_filter("not arp"), 0);
    EXPECT_EQ(r.send(recs_[0].data.data(), u_int(recs_[0].data.size())), PF_RING_ERROR_NOT_SUPPORTED);

    // Move construction: the stream continues in the new object.
    PFring m(std::move(r));
    EXPECT_FALSE(r.is_open());
    EXPECT_EQ(r.get_pfring_handle(), nullptr);
    ASSERT_TRUE(m.is_open());
    ASSERT_EQ(m.recv(&buf, 0, &h, 0), 1);
    EXPECT_EQ(ut::frame_tag(buf, h.caplen), 2u);
    EXPECT_EQ(r.recv(&buf, 0, &h, 0), PF_RING_ERROR_INVALID_ARGUMENT);  // moved-from: no ring

    // Move assignment closes the ring that was there.
    PFring o(other_dev.c_str(), 1518);
    ASSERT_TRUE(o.is_open());
    EXPECT_EQ(open_fds_of(other_path), 1);
    o = std::move(m);
    EXPECT_EQ(open_fds_of(other_path), 0);
    EXPECT_FALSE(m.is_open());
    ASSERT_EQ(o.recv(&buf, 0, &h, 0), 1);
    EXPECT_EQ(ut::frame_tag(buf, h.caplen), 3u);

    // Self-move-assignment keeps the ring.
    PFring &alias = o;
    o = std::move(alias);
    EXPECT_TRUE(o.is_open());

    // The destructor closes it.
    {
      PFring scoped(other_dev.c_str(), 1518);
      ASSERT_TRUE(scoped.is_open());
      EXPECT_EQ(open_fds_of(other_path), 1);
    }
    EXPECT_EQ(open_fds_of(other_path), 0);

    // close() is explicit and idempotent.
    PFring c(other_dev.c_str(), 1518);
    EXPECT_EQ(open_fds_of(other_path), 1);
    c.close();
    EXPECT_FALSE(c.is_open());
    EXPECT_EQ(open_fds_of(other_path), 0);
    c.close();
  }
  // A failed open: not open, the reason readable.
  PFring bad("foo:x", 1518);
  EXPECT_FALSE(bad.is_open());
  char err[256];
  EXPECT_GT(bad.get_last_error(err, sizeof err), 0);
  EXPECT_TRUE(contains(err, "'foo'")) << err;
}

}  // namespace
