// test_api_rules.cpp - the software features libpfring adds to every
// module, on a pcap ring of the known capture: sampling, the default
// filtering policy, wildcard and hash rules (order, stats, duplicates,
// invalid rules, purging), BPF filters, and the next packet time when
// filters drop packets. Shared helpers: api_fixture.h.
#include <errno.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "pfring.h"
#include "unit/api_fixture.h"
#include "unit/pcap_writer.h"
#include "unit/unit_util.h"

namespace {

using namespace apitest;

// A rule's stats as the get_*_rule_stats call filled them, and its return code.
struct RuleStats {
  int rc;
  hash_filtering_rule_stats s;
};

RuleStats wc_stats(pfring *r, u_int16_t id) {
  RuleStats out;
  std::memset(&out.s, 0, sizeof out.s);
  u_int len = sizeof out.s;
  out.rc = pfring_get_filtering_rule_stats(r, id, reinterpret_cast<char *>(&out.s), &len);
  if (out.rc == 0) {
    EXPECT_EQ(len, sizeof out.s);
  }
  return out;
}

RuleStats hash_stats(pfring *r, hash_filtering_rule rule) {
  RuleStats out;
  std::memset(&out.s, 0, sizeof out.s);
  u_int len = sizeof out.s;
  out.rc = pfring_get_hash_filtering_rule_stats(r, &rule, reinterpret_cast<char *>(&out.s), &len);
  if (out.rc == 0) {
    EXPECT_EQ(len, sizeof out.s);
  }
  return out;
}

// ---- sampling ---------------------------------------------------------------------------

TEST_F(ApiTest, SamplingRateZeroIsRejected) {
  EXPECT_CODE(pfring_set_sampling_rate(ring_, 0), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(drain(ring_), kAll);  // the previous rate (1) stays
}

TEST_F(ApiTest, SamplingRateThree) {
  ASSERT_EQ(pfring_set_sampling_rate(ring_, 3), 0);
  EXPECT_EQ(drain(ring_), (Tags{0, 3, 6, 9}));  // packets 1, 4, 7, 10: ceil(12 / 3)
  pfring_stat st;
  ASSERT_EQ(pfring_stats(ring_, &st), 0);
  EXPECT_EQ(st.recv, 4u);
}

TEST_F(ApiTest, SamplingRateLargerThanFile) {
  ASSERT_EQ(pfring_set_sampling_rate(ring_, 100), 0);
  EXPECT_EQ(drain(ring_), (Tags{0}));
}

TEST_F(ApiTest, SamplingSeesOnlyFilteredPackets) {
  // Guide 8.9: sampled packets are those that pass all filters.
  ASSERT_EQ(pfring_set_bpf_filter(ring_, "tcp"), 0);
  ASSERT_EQ(pfring_set_sampling_rate(ring_, 2), 0);
  EXPECT_EQ(drain(ring_), (Tags{0, 3, 6, 11}));  // TCP packets 0 1 3 4 6 8 11, every 2nd from the 1st
}

// ---- policy ------------------------------------------------------------------------------

TEST_F(ApiTest, DefaultDropWithNoRulesDeliversNothing) {
  ASSERT_EQ(pfring_toggle_filtering_policy(ring_, 0), 0);
  int rc = 0;
  EXPECT_TRUE(drain(ring_, &rc).empty());
  EXPECT_EQ(rc, PF_RING_ERROR_END_OF_FILE);
}

TEST_F(ApiTest, DefaultDropDeliversOnlyWhatARuleForwards) {
  ASSERT_EQ(pfring_toggle_filtering_policy(ring_, 0), 0);
  filtering_rule r = wc_rule(1, forward_packet_and_stop_rule_evaluation);
  r.core_fields.proto = 6;
  r.core_fields.dport_low = 80;
  ASSERT_EQ(pfring_add_filtering_rule(ring_, &r), 0);
  EXPECT_EQ(drain(ring_), (Tags{0, 3, 6}));
}

// ---- wildcard rules ------------------------------------------------------------------------

TEST_F(ApiTest, WildcardAddDuplicateRemove) {
  filtering_rule r = wc_rule(10, dont_forward_packet_and_stop_rule_evaluation);
  r.core_fields.dport_low = 80;
  EXPECT_CODE(pfring_add_filtering_rule(ring_, &r), 0);
  filtering_rule dup = wc_rule(10, forward_packet_and_stop_rule_evaluation);
  EXPECT_CODE(pfring_add_filtering_rule(ring_, &dup), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(last_error(ring_), "10")) << last_error(ring_);
  // The first rule 10 is the one in force.
  EXPECT_EQ(drain(ring_), (Tags{1, 2, 4, 5, 7, 8, 9, 10, 11}));
  RuleStats s = wc_stats(ring_, 10);
  ASSERT_EQ(s.rc, 0);
  EXPECT_EQ(s.s.match, 3u);
  EXPECT_LE(s.s.inactivity, 1u);
  EXPECT_CODE(pfring_remove_filtering_rule(ring_, 10), 0);
  EXPECT_CODE(pfring_remove_filtering_rule(ring_, 10), PF_RING_ERROR_NOT_FOUND);
  EXPECT_CODE(pfring_remove_filtering_rule(ring_, 999), PF_RING_ERROR_NOT_FOUND);
  EXPECT_EQ(wc_stats(ring_, 10).rc, PF_RING_ERROR_NOT_FOUND);
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(ApiTest, WildcardStatsOnKnownCapture) {
  filtering_rule web = wc_rule(10, dont_forward_packet_and_stop_rule_evaluation);
  web.core_fields.proto = 6;
  web.core_fields.dport_low = 80;  // 0 3 6
  filtering_rule dns = wc_rule(20, forward_packet_and_stop_rule_evaluation);
  dns.core_fields.proto = 17;
  dns.core_fields.shost.v4 = kC;  // 5, and 2 9 with the peers swapped
  dns.bidirectional = 1;
  filtering_rule tcp = wc_rule(30, execute_action_and_continue_rule_evaluation);
  tcp.core_fields.proto = 6;  // TCP not stopped by rule 10: 1 4 8 11
  filtering_rule tls = wc_rule(40, dont_forward_packet_and_stop_rule_evaluation);
  tls.core_fields.dport_low = 443;
  tls.core_fields.dport_high = 443;  // 4 8
  for (filtering_rule *r : {&tls, &web, &tcp, &dns}) ASSERT_EQ(pfring_add_filtering_rule(ring_, r), 0);

  EXPECT_EQ(drain(ring_), (Tags{1, 2, 5, 7, 9, 10, 11}));
  struct {
    u_int16_t id;
    u_int64_t match, filtered;
  } want[] = {{10, 3, 3}, {20, 3, 0}, {30, 4, 0}, {40, 2, 2}};
  for (auto &w : want) {
    RuleStats s = wc_stats(ring_, w.id);
    ASSERT_EQ(s.rc, 0) << w.id;
    EXPECT_EQ(s.s.match, w.match) << "rule " << w.id;
    EXPECT_EQ(s.s.filtered, w.filtered) << "rule " << w.id;
  }
  pfring_stat st;
  ASSERT_EQ(pfring_stats(ring_, &st), 0);
  EXPECT_EQ(st.recv, 7u);
}

TEST_F(ApiTest, WildcardRulesRunInIdOrder) {
  filtering_rule drop_tcp = wc_rule(1, dont_forward_packet_and_stop_rule_evaluation);
  drop_tcp.core_fields.proto = 6;
  filtering_rule keep_web = wc_rule(2, forward_packet_and_stop_rule_evaluation);
  keep_web.core_fields.dport_low = 80;
  ASSERT_EQ(pfring_add_filtering_rule(ring_, &keep_web), 0);  // added first, runs second
  ASSERT_EQ(pfring_add_filtering_rule(ring_, &drop_tcp), 0);
  EXPECT_EQ(drain(ring_), (Tags{2, 5, 7, 9, 10}));
  EXPECT_EQ(wc_stats(ring_, 2).s.match, 0u);
  EXPECT_EQ(wc_stats(ring_, 1).s.match, 7u);
}

TEST_F(ApiTest, WildcardInvalidRules) {
  filtering_rule r = wc_rule(1, forward_packet_and_stop_rule_evaluation);
  r.core_fields.sport_low = 100;
  r.core_fields.sport_high = 50;
  EXPECT_CODE(pfring_add_filtering_rule(ring_, &r), PF_RING_ERROR_INVALID_ARGUMENT);
  r = wc_rule(1, forward_packet_and_stop_rule_evaluation);
  r.core_fields.dport_low = 2000;
  r.core_fields.dport_high = 1000;
  EXPECT_CODE(pfring_add_filtering_rule(ring_, &r), PF_RING_ERROR_INVALID_ARGUMENT);
  r = wc_rule(1, static_cast<rule_action_behaviour>(12));
  EXPECT_CODE(pfring_add_filtering_rule(ring_, &r), PF_RING_ERROR_INVALID_ARGUMENT);
  r = wc_rule(1, forward_packet_and_stop_rule_evaluation);
  r.balance_pool = 2;
  r.balance_id = 2;
  EXPECT_CODE(pfring_add_filtering_rule(ring_, &r), PF_RING_ERROR_INVALID_ARGUMENT);
  r = wc_rule(1, forward_packet_and_stop_rule_evaluation);
  r.extended_fields.filter_plugin_id = 3;
  EXPECT_CODE(pfring_add_filtering_rule(ring_, &r), PF_RING_ERROR_NOT_SUPPORTED);
  r = wc_rule(1, execute_action_and_stop_rule_evaluation);
  r.plugin_action.plugin_id = 3;
  EXPECT_CODE(pfring_add_filtering_rule(ring_, &r), PF_RING_ERROR_NOT_SUPPORTED);
  // A file cannot transmit: reflecting out of the ring's own device (no
  // reflector name, or bounce whatever the name) is refused...
  for (rule_action_behaviour a : {reflect_packet_and_stop_rule_evaluation, reflect_packet_and_continue_rule_evaluation,
                                  bounce_packet_and_stop_rule_evaluation, bounce_packet_and_continue_rule_evaluation}) {
    r = wc_rule(1, a);
    bool bounce = a == bounce_packet_and_stop_rule_evaluation || a == bounce_packet_and_continue_rule_evaluation;
    if (bounce) std::strcpy(r.reflector_device_name, "eth1");
    EXPECT_CODE(pfring_add_filtering_rule(ring_, &r), PF_RING_ERROR_NOT_SUPPORTED);
  }
  // ...and a reflector device that cannot be opened is named in the error.
  r = wc_rule(1, reflect_packet_and_stop_rule_evaluation);
  std::strcpy(r.reflector_device_name, "pcap:/nonexistent/reflector.pcap");
  EXPECT_CODE(pfring_add_filtering_rule(ring_, &r), PF_RING_ERROR_INVALID_ARGUMENT);
  char msg[256];
  pfring_get_last_error(ring_, msg, sizeof(msg));
  EXPECT_NE(std::string(msg).find("pcap:/nonexistent/reflector.pcap"), std::string::npos) << msg;
  // Nothing was added.
  EXPECT_EQ(wc_stats(ring_, 1).rc, PF_RING_ERROR_NOT_FOUND);
  EXPECT_EQ(drain(ring_), kAll);
  // Port ranges with low <= high, and a zero high end, are fine.
  r = wc_rule(2, forward_packet_and_stop_rule_evaluation);
  r.core_fields.dport_low = 80;
  r.core_fields.dport_high = 443;
  EXPECT_CODE(pfring_add_filtering_rule(ring_, &r), 0);
}

TEST_F(ApiTest, ForwardAddRuleCreatesAHashRule) {
  filtering_rule r = wc_rule(50, forward_packet_add_rule_and_stop_rule_evaluation);
  r.core_fields.proto = 6;
  r.core_fields.dport_low = 443;
  ASSERT_EQ(pfring_add_filtering_rule(ring_, &r), 0);
  EXPECT_EQ(drain(ring_), kAll);
  // Packet 4 matched the wildcard rule and added the flow's hash rule;
  // packet 8 then matched that hash rule first.
  EXPECT_EQ(wc_stats(ring_, 50).s.match, 1u);
  RuleStats hs = hash_stats(ring_, hash_rule(0, 6, kB, 443, kA, 3333, forward_packet_and_stop_rule_evaluation));
  ASSERT_EQ(hs.rc, 0);
  EXPECT_EQ(hs.s.match, 1u);
  EXPECT_EQ(hs.s.filtered, 0u);
}

// ---- hash rules ----------------------------------------------------------------------------

TEST_F(ApiTest, HashRuleMatchesBothDirections) {
  hash_filtering_rule web = hash_rule(7, 6, kA, 1111, kB, 80, dont_forward_packet_and_stop_rule_evaluation);
  EXPECT_CODE(pfring_handle_hash_filtering_rule(ring_, &web, 1), 0);
  EXPECT_EQ(drain(ring_), (Tags{2, 4, 5, 7, 8, 9, 10}));
  RuleStats s = hash_stats(ring_, web);
  ASSERT_EQ(s.rc, 0);
  EXPECT_EQ(s.s.match, 5u);  // 0 3 6 one way, 1 11 the other
  EXPECT_EQ(s.s.filtered, 5u);
  // The same rule written from the other peer finds the same stats.
  RuleStats r = hash_stats(ring_, hash_rule(7, 6, kB, 80, kA, 1111, dont_forward_packet_and_stop_rule_evaluation));
  ASSERT_EQ(r.rc, 0);
  EXPECT_EQ(r.s.match, 5u);
}

TEST_F(ApiTest, HashRuleAddDuplicateRemove) {
  hash_filtering_rule web = hash_rule(7, 6, kA, 1111, kB, 80, forward_packet_and_stop_rule_evaluation);
  hash_filtering_rule rev = hash_rule(8, 6, kB, 80, kA, 1111, forward_packet_and_stop_rule_evaluation);
  EXPECT_CODE(pfring_handle_hash_filtering_rule(ring_, &web, 1), 0);
  EXPECT_CODE(pfring_handle_hash_filtering_rule(ring_, &web, 1), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_CODE(pfring_handle_hash_filtering_rule(ring_, &rev, 1), PF_RING_ERROR_INVALID_ARGUMENT);
  // Another protocol, VLAN or port is another tuple.
  hash_filtering_rule udp = hash_rule(9, 17, kA, 1111, kB, 80, forward_packet_and_stop_rule_evaluation);
  hash_filtering_rule vlan = web;
  vlan.vlan_id = 5;
  hash_filtering_rule port = hash_rule(9, 6, kA, 1112, kB, 80, forward_packet_and_stop_rule_evaluation);
  EXPECT_CODE(pfring_handle_hash_filtering_rule(ring_, &udp, 1), 0);
  EXPECT_CODE(pfring_handle_hash_filtering_rule(ring_, &vlan, 1), 0);
  EXPECT_CODE(pfring_handle_hash_filtering_rule(ring_, &port, 1), 0);
  // Removal by the reversed tuple; then it is gone.
  EXPECT_CODE(pfring_handle_hash_filtering_rule(ring_, &rev, 0), 0);
  EXPECT_CODE(pfring_handle_hash_filtering_rule(ring_, &web, 0), PF_RING_ERROR_NOT_FOUND);
  EXPECT_EQ(hash_stats(ring_, web).rc, PF_RING_ERROR_NOT_FOUND);
  EXPECT_EQ(hash_stats(ring_, udp).rc, 0);
  hash_filtering_rule missing = hash_rule(1, 6, kC, 1, kC, 2, forward_packet_and_stop_rule_evaluation);
  EXPECT_CODE(pfring_handle_hash_filtering_rule(ring_, &missing, 0), PF_RING_ERROR_NOT_FOUND);
  EXPECT_EQ(hash_stats(ring_, missing).rc, PF_RING_ERROR_NOT_FOUND);
}

TEST_F(ApiTest, HashRuleInvalid) {
  hash_filtering_rule r = hash_rule(1, 6, kA, 1, kB, 2, static_cast<rule_action_behaviour>(12));
  EXPECT_CODE(pfring_handle_hash_filtering_rule(ring_, &r, 1), PF_RING_ERROR_INVALID_ARGUMENT);
  r = hash_rule(1, 6, kA, 1, kB, 2, reflect_packet_and_stop_rule_evaluation);
  EXPECT_CODE(pfring_handle_hash_filtering_rule(ring_, &r, 1), PF_RING_ERROR_NOT_SUPPORTED);
  r = hash_rule(1, 6, kA, 1, kB, 2, bounce_packet_and_continue_rule_evaluation);
  EXPECT_CODE(pfring_handle_hash_filtering_rule(ring_, &r, 1), PF_RING_ERROR_NOT_SUPPORTED);
  r = hash_rule(1, 6, kA, 1, kB, 2, execute_action_and_stop_rule_evaluation);
  r.plugin_action.plugin_id = 4;
  EXPECT_CODE(pfring_handle_hash_filtering_rule(ring_, &r, 1), PF_RING_ERROR_NOT_SUPPORTED);
  EXPECT_EQ(hash_stats(ring_, r).rc, PF_RING_ERROR_NOT_FOUND);
}

TEST_F(ApiTest, HashRuleRunsBeforeWildcardRules) {
  hash_filtering_rule dns = hash_rule(3, 17, kC, 53, kA, 2222, forward_packet_and_stop_rule_evaluation);
  ASSERT_EQ(pfring_handle_hash_filtering_rule(ring_, &dns, 1), 0);
  filtering_rule no_udp = wc_rule(1, dont_forward_packet_and_stop_rule_evaluation);
  no_udp.core_fields.proto = 17;
  ASSERT_EQ(pfring_add_filtering_rule(ring_, &no_udp), 0);
  EXPECT_EQ(drain(ring_), (Tags{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11}));  // only the IPv6 UDP packet is dropped
  EXPECT_EQ(hash_stats(ring_, dns).s.match, 3u);
  EXPECT_EQ(wc_stats(ring_, 1).s.match, 1u);
}

// ---- purging ---------------------------------------------------------------------------------

TEST_F(ApiTest, PurgeIdleRules) {
  for (u_int16_t id : {1, 2, 3}) {
    filtering_rule r = wc_rule(id, forward_packet_and_stop_rule_evaluation);
    r.core_fields.dport_low = u_int16_t(9000 + id);
    r.locked = id == 3;
    ASSERT_EQ(pfring_add_filtering_rule(ring_, &r), 0);
  }
  EXPECT_EQ(pfring_purge_idle_rules(ring_, 3600), 0);  // all fresh
  EXPECT_EQ(pfring_purge_idle_rules(ring_, 0), 2);     // unlocked ones
  EXPECT_EQ(wc_stats(ring_, 1).rc, PF_RING_ERROR_NOT_FOUND);
  EXPECT_EQ(wc_stats(ring_, 2).rc, PF_RING_ERROR_NOT_FOUND);
  EXPECT_EQ(wc_stats(ring_, 3).rc, 0);
  EXPECT_EQ(pfring_purge_idle_rules(ring_, 0), 0);
}

TEST_F(ApiTest, PurgeIdleHashRules) {
  hash_filtering_rule a = hash_rule(1, 6, kA, 1, kB, 2, forward_packet_and_stop_rule_evaluation);
  hash_filtering_rule b = hash_rule(2, 6, kA, 3, kB, 4, forward_packet_and_stop_rule_evaluation);
  ASSERT_EQ(pfring_handle_hash_filtering_rule(ring_, &a, 1), 0);
  ASSERT_EQ(pfring_handle_hash_filtering_rule(ring_, &b, 1), 0);
  EXPECT_EQ(pfring_purge_idle_hash_rules(ring_, 3600), 0);
  EXPECT_EQ(pfring_purge_idle_hash_rules(ring_, 0), 2);
  EXPECT_EQ(hash_stats(ring_, a).rc, PF_RING_ERROR_NOT_FOUND);
  EXPECT_EQ(hash_stats(ring_, b).rc, PF_RING_ERROR_NOT_FOUND);
}

// ---- BPF -----------------------------------------------------------------------------------------

TEST_F(ApiTest, BpfFilter) {
  EXPECT_CODE(pfring_remove_bpf_filter(ring_), PF_RING_ERROR_NOT_FOUND);
  EXPECT_CODE(pfring_set_bpf_filter(ring_, "tcp"), 0);
  u_char *buf = nullptr;
  pfring_pkthdr h;
  ASSERT_EQ(pfring_recv(ring_, &buf, 0, &h, 0), 1);
  EXPECT_EQ(ut::frame_tag(buf, h.caplen), 0u);
  ASSERT_EQ(pfring_recv(ring_, &buf, 0, &h, 0), 1);
  EXPECT_EQ(ut::frame_tag(buf, h.caplen), 1u);
  // A bad filter is refused with libpcap's message; "tcp" stays.
  EXPECT_CODE(pfring_set_bpf_filter(ring_, "tcp and and"), PF_RING_ERROR_INVALID_ARGUMENT);
  std::string err = last_error(ring_);
  EXPECT_TRUE(contains(err, "syntax error")) << err;
  EXPECT_CODE(pfring_set_bpf_filter(ring_, "port nosuchservice_xyz"), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_FALSE(last_error(ring_).empty());
  ASSERT_EQ(pfring_recv(ring_, &buf, 0, &h, 0), 1);
  EXPECT_EQ(ut::frame_tag(buf, h.caplen), 3u);
  ASSERT_EQ(pfring_recv(ring_, &buf, 0, &h, 0), 1);
  EXPECT_EQ(ut::frame_tag(buf, h.caplen), 4u);
  // Removing it restores every packet.
  EXPECT_CODE(pfring_remove_bpf_filter(ring_), 0);
  EXPECT_EQ(drain(ring_), (Tags{5, 6, 7, 8, 9, 10, 11}));
  EXPECT_CODE(pfring_remove_bpf_filter(ring_), PF_RING_ERROR_NOT_FOUND);
}

TEST_F(ApiTest, BpfFilterExpressions) {
  struct Case {
    const char *expr;
    Tags want;
  } cases[] = {
      {"udp port 53", {2, 5, 9}},
      {"arp", {7}},
      {"ip6", {10}},
      {"tcp dst port 443", {4, 8}},
      {"src host 10.0.0.2", {1, 11}},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.expr);
    pfring *r = pfring_open(dev_.c_str(), 1518, 0);
    ASSERT_NE(r, nullptr);
    ASSERT_EQ(pfring_set_bpf_filter(r, c.expr), 0) << last_error(r);
    EXPECT_EQ(drain(r), c.want);
    pfring_close(r);
  }
}

// ---- next packet time with software filters ------------------------------------------------

// "Arrival time of the next packet without consuming it": the packet the
// next pfring_recv() returns. With PF_RING's kernel filters, packets that
// fail a filter never reach the ring, so they are never "the next packet".
TEST_F(ApiTest, NextPktTimeIsThatOfTheNextDeliveredPacket) {
  ASSERT_EQ(pfring_set_bpf_filter(ring_, "udp"), 0);
  for (uint32_t want_tag : {2u, 5u, 9u, 10u}) {
    SCOPED_TRACE(want_tag);
    struct timespec ts = {0, 0};
    ASSERT_EQ(pfring_next_pkt_time(ring_, &ts), 0);
    u_char *buf = nullptr;
    pfring_pkthdr h;
    ASSERT_EQ(pfring_recv(ring_, &buf, 0, &h, 0), 1);
    ASSERT_EQ(ut::frame_tag(buf, h.caplen), want_tag);
    EXPECT_EQ(uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec), h.extended_hdr.timestamp_ns);
    EXPECT_EQ(h.extended_hdr.timestamp_ns, recs_[want_tag].ts_ns);
  }
  struct timespec ts;
  EXPECT_EQ(pfring_next_pkt_time(ring_, &ts), PF_RING_ERROR_END_OF_FILE);
}

}  // namespace
