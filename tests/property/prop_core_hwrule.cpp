// prop_core_hwrule.cpp - RapidCheck: in-NIC filters (src/core/hwrule.c,
// applied as the pfsim NIC applies them: lowest matching rule_id decides,
// a missing queue drops) against the model (tests/model/model_hwrule.*),
// for random rule tables and packets built as bytes and parsed.
//
// A failure prints the shrunk counterexample and the line to replay it:
// RC_PARAMS="reproduce=..." ./prop_core_hwrule
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "generators.h"
#include "model_hwrule.h"

extern "C" {
#include "hwrule.h"
#include "parse.h"
}

namespace {

// What the NIC does (tools/pfsim/testbed.cpp): rules sorted by id, then pfc_hw_steer.
std::optional<uint32_t> nic_steer(std::vector<hw_filtering_rule> rules, const pktb::Bytes &b, uint32_t rss_queue,
                                  uint32_t num_queues) {
  std::sort(rules.begin(), rules.end(),
            [](const hw_filtering_rule &x, const hw_filtering_rule &y) { return x.rule_id < y.rule_id; });
  pkt_parsing_info p;
  std::memset(&p, 0, sizeof(p));
  uint32_t flags = 0, q = 0;
  pfc_parse_pkt(b.data(), uint32_t(b.size()), PFC_LEVEL_L4, &p, &flags);
  if (!pfc_hw_steer(rules.data(), uint32_t(rules.size()), &p, rss_queue, num_queues, &q)) return std::nullopt;
  return q;
}

RC_GTEST_PROP(CoreHwRule, SteeringEqualsTheModel, ()) {
  // few distinct values, so rules and packets often agree field by field
  auto small_addr = rc::gen::element<uint32_t>(0, 0x0a000001, 0x0a000002, 0xc0a80001);
  auto small_port = rc::gen::element<uint16_t>(0, 53, 80, 5001);
  auto proto = rc::gen::element<uint8_t>(0, 6, 17);
  uint32_t num_queues = *rc::gen::inRange<uint32_t>(1, 9);
  size_t nrules = *rc::gen::inRange<size_t>(0, 6);
  std::vector<hw_filtering_rule> rules;
  for (size_t i = 0; i < nrules; i++) {
    hw_filtering_rule r;
    std::memset(&r, 0, sizeof(r));
    r.rule_id = *rc::gen::inRange<uint16_t>(0, 20);
    bool perfect = *rc::gen::arbitrary<bool>();
    r.rule_family_type = perfect ? intel_82599_perfect_filter_hash_rule : intel_82599_five_tuple_rule;
    // both families share the tuple fields; only the perfect filter has a VLAN
    auto fill = [&](auto &f) {
      f.proto = *proto;
      f.s_addr = *small_addr;
      f.d_addr = *small_addr;
      f.s_port = *small_port;
      f.d_port = *small_port;
      f.queue_id = *rc::gen::inRange<uint16_t>(0, 10);
    };
    if (perfect) {
      fill(r.rule_family.perfect_rule);
      r.rule_family.perfect_rule.vlan_id = *rc::gen::element<uint16_t>(0, 0, 10);
    } else {
      fill(r.rule_family.five_tuple_rule);
    }
    // ids are unique in a NIC's table (a new rule with an old id replaces it)
    if (std::none_of(rules.begin(), rules.end(), [&](const hw_filtering_rule &o) { return o.rule_id == r.rule_id; }))
      rules.push_back(r);
  }
  model::HwPacket mp;
  mp.ipv4 = *rc::gen::element(true, true, true, false);
  mp.proto = *rc::gen::element<uint8_t>(6, 17);
  mp.src = *rc::gen::element<uint32_t>(0x0a000001, 0x0a000002, 0xc0a80001);
  mp.dst = *rc::gen::element<uint32_t>(0x0a000001, 0x0a000002, 0xc0a80001);
  mp.sport = *rc::gen::element<uint16_t>(53, 80, 5001, 999);
  mp.dport = *rc::gen::element<uint16_t>(53, 80, 5001, 999);
  mp.vlan = *rc::gen::element<uint16_t>(0, 10, 11);
  const pktb::Mac a = {2, 0, 0, 0, 0, 1}, b = {2, 0, 0, 0, 0, 2};
  pktb::Builder k;
  k.macs(a, b);
  if (mp.vlan) k.tag(0x8100, mp.vlan);
  if (mp.ipv4) {
    k.type(0x0800).ipv4(mp.src, mp.dst, mp.proto);
  } else {
    pktb::Ip6 s{}, d{};
    s[15] = 1;
    d[15] = 2;
    k.type(0x86DD).ipv6(s, d, mp.proto);
  }
  if (mp.proto == 6)
    k.tcp(mp.sport, mp.dport, 1, 1, 0x10);
  else
    k.udp(mp.sport, mp.dport);
  pktb::Bytes bytes = k.done();
  uint32_t rss_queue = *rc::gen::inRange<uint32_t>(0, num_queues);
  RC_ASSERT(nic_steer(rules, bytes, rss_queue, num_queues) == model::hw_steer(rules, mp, rss_queue, num_queues));
}

}  // namespace
