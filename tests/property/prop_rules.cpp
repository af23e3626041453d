// prop_rules.cpp - the rule engine (src/core/rules.c behind libpfring's
// RuleSet index) equals the model (tests/model/model_rules.cpp) on random
// rule sets and packets: verdict, last matched rule, side effects in
// order, per-rule statistics. Also: a fully specified wildcard rule and the
// equal hash rule match the same packets; sampling.
//
// Replay a failure with the RC_PARAMS="reproduce=..." line RapidCheck prints.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <cstring>

#include "gen_rules.h"
#include "rule_set.h"

namespace {

// More cases than RapidCheck's default 100 (rules have many corners),
// unless RC_PARAMS is set (a reproduce= line wins).
const bool kDefaultParams = [] {
  setenv("RC_PARAMS", "max_success=600", 0);
  return true;
}();

struct Recorder {
  std::vector<model::Event> events;
};

void rec_reflect(void *ctx, const char *dev, int bounce) {
  static_cast<Recorder *>(ctx)->events.push_back(
      {bounce ? model::Event::kBounce : model::Event::kReflect, std::string(dev, strnlen(dev, REFLECTOR_NAME_LEN)), 0});
}
void rec_hash(void *ctx, int add, const pfc_hash_key *, u_int16_t id) {
  static_cast<Recorder *>(ctx)->events.push_back({add ? model::Event::kAddHash : model::Event::kDelHash, "", id});
}
void rec_plugin(void *ctx, const filtering_rule_plugin_action *) {
  static_cast<Recorder *>(ctx)->events.push_back({model::Event::kPlugin, "", 0});
}
const pfc_eval_ops kOps = {rec_reflect, rec_hash, rec_plugin, nullptr};

// A packet with the tuple of hash rule r, in a random direction.
model::RulePacket packet_for(const hash_filtering_rule &r) {
  model::RulePacket p = *gen::rule_packet();
  bool v6 = false;
  for (int i = 4; i < 16; i++) v6 = v6 || r.host_peer_a.v6.s6_addr[i] || r.host_peer_b.v6.s6_addr[i];
  p.ip_version = v6 ? 6 : 4;
  p.proto = r.proto;
  if (r.vlan_id) p.vlan = r.vlan_id;
  else if (*rc::gen::arbitrary<bool>()) p.vlan.reset();
  bool swap = *rc::gen::arbitrary<bool>();
  p.src = swap ? r.host_peer_b : r.host_peer_a;
  p.dst = swap ? r.host_peer_a : r.host_peer_b;
  p.sport = swap ? r.port_peer_b : r.port_peer_a;
  p.dport = swap ? r.port_peer_a : r.port_peer_b;
  return p;
}

}  // namespace

RC_GTEST_PROP(RuleEngine, EqualsModel, ()) {
  auto wc = *gen::wildcard_rules();
  auto hash = *gen::hash_rules();
  bool accept = *rc::gen::arbitrary<bool>();
  auto packets = *rc::gen::container<std::vector<model::RulePacket>>(*rc::gen::inRange(1, 40), gen::rule_packet());
  for (const auto &h : hash)
    if (*rc::gen::arbitrary<bool>()) packets.push_back(packet_for(h));
  for (const auto &r : wc)
    if (*rc::gen::arbitrary<bool>()) packets.push_back(gen::packet_near(r));

  pfr::RuleSet rs;
  for (const auto &r : wc) RC_ASSERT(rs.add_wildcard(r, 0) == 0);
  for (const auto &h : hash) RC_ASSERT(rs.add_hash(h, 0) == 0);

  std::vector<model::RuleCount> wc_total(wc.size());
  std::vector<model::RuleCount> hash_total(hash.size());
  for (const auto &mp : packets) {
    model::Outcome want = model::evaluate(wc, hash, accept, mp);
    gen::CorePacket cp = gen::to_core(mp);
    Recorder rec;
    pfc_verdict v;
    int fwd = rs.evaluate(&cp.info, cp.bytes.data(), static_cast<uint32_t>(cp.bytes.size()), accept, 0, &kOps,
                          &rec, &v);
    RC_ASSERT(fwd == (want.forward ? 1 : 0));
    RC_ASSERT(v.matched == (want.last_matched_rule_id.has_value() ? 1 : 0));
    if (want.last_matched_rule_id) {
      RC_ASSERT(v.last_matched_rule_id == *want.last_matched_rule_id);
      RC_ASSERT(cp.info.last_matched_rule_id == *want.last_matched_rule_id);
    }
    RC_ASSERT(rec.events == want.events);
    for (size_t i = 0; i < wc.size(); i++) {
      wc_total[i].match += want.wildcard_counts[i].match;
      wc_total[i].filtered += want.wildcard_counts[i].filtered;
    }
    if (want.hash_matched) {
      hash_total[want.hash_index].match += want.hash_count.match;
      hash_total[want.hash_index].filtered += want.hash_count.filtered;
    }
  }
  for (size_t i = 0; i < wc.size(); i++) {
    const pfc_wc_rule *w = rs.find_wildcard(wc[i].rule_id);
    RC_ASSERT(w != nullptr);
    RC_ASSERT(w->match == wc_total[i].match);
    RC_ASSERT(w->filtered == wc_total[i].filtered);
  }
  for (size_t i = 0; i < hash.size(); i++) {
    pfc_hash_key k;
    pfc_hash_key_from_rule(&hash[i], &k);
    const pfc_hash_rule *h = rs.find_hash(k);
    RC_ASSERT(h != nullptr);
    RC_ASSERT(h->match == hash_total[i].match);
    RC_ASSERT(h->filtered == hash_total[i].filtered);
  }
  RC_CLASSIFY(std::any_of(packets.begin(), packets.end(),
                          [&](const model::RulePacket &p) { return model::evaluate(wc, hash, accept, p).hash_matched; }),
              "a hash rule matched");
}

// The index must never hide a rule: candidates() is a superset of the
// rules that match, in rule-id order.
RC_GTEST_PROP(RuleIndex, CandidatesCoverMatchesInOrder, ()) {
  auto wc = *gen::wildcard_rules();
  pfr::RuleSet rs;
  for (const auto &r : wc) RC_ASSERT(rs.add_wildcard(r, 0) == 0);
  // Several packets per rule set, most of them near (and at the edges of) a rule.
  for (int i = 0; i < 12; i++) {
    auto mp = wc.empty() || *rc::gen::inRange(0, 4) == 0 ? *gen::rule_packet()
                                                         : gen::packet_near(*rc::gen::elementOf(wc));
    gen::CorePacket cp = gen::to_core(mp);
    const auto &cand = rs.candidates(cp.info);
    for (size_t j = 1; j < cand.size(); j++) RC_ASSERT(cand[j - 1]->rule.rule_id < cand[j]->rule.rule_id);
    for (const auto &r : wc) {
      if (!model::wildcard_matches(r, mp)) continue;
      bool found =
          std::any_of(cand.begin(), cand.end(), [&](const pfc_wc_rule *w) { return w->rule.rule_id == r.rule_id; });
      RC_ASSERT(found);
    }
  }
}

// Port-range rules (indexed per port up to a span, scanned beyond it):
// packets at, inside and just outside the edges meet every rule they match.
RC_GTEST_PROP(RuleIndex, PortRangesAtTheirEdges, ()) {
  std::vector<filtering_rule> wc;
  int n = *rc::gen::inRange(1, 20);
  for (int i = 0; i < n; i++) {
    filtering_rule r;
    std::memset(&r, 0, sizeof(r));
    r.rule_id = uint16_t(i + 1);
    r.rule_action = *gen::rule_action();
    auto range = [](uint16_t &lo, uint16_t &hi) {
      if (*rc::gen::inRange(0, 3) == 0) return;  // any
      lo = *rc::gen::inRange<uint16_t>(1, 65535);
      uint32_t span = *rc::gen::element<uint32_t>(1, 2, 100, 1023, 1024, 1025, 5000);
      hi = uint16_t(std::min<uint32_t>(65535, lo + span - 1));
      if (hi == lo && *rc::gen::arbitrary<bool>()) hi = 0;  // "low..0" is the single port low
    };
    range(r.core_fields.sport_low, r.core_fields.sport_high);
    range(r.core_fields.dport_low, r.core_fields.dport_high);
    wc.push_back(r);
  }
  pfr::RuleSet rs;
  for (const auto &r : wc) RC_ASSERT(rs.add_wildcard(r, 0) == 0);
  for (int i = 0; i < 16; i++) {
    model::RulePacket mp = *gen::rule_packet();
    mp.ip_version = 4;
    mp.proto = 17;
    const auto &r = *rc::gen::elementOf(wc);
    auto edge = [](uint16_t lo, uint16_t hi, uint16_t &port) {
      if (lo == 0 && hi == 0) return;
      uint16_t top = hi ? hi : lo;
      port = *rc::gen::element<uint16_t>(uint16_t(lo), uint16_t(top), uint16_t(lo - 1), uint16_t(top + 1), uint16_t(lo + (top - lo) / 2));
    };
    edge(r.core_fields.sport_low, r.core_fields.sport_high, mp.sport);
    edge(r.core_fields.dport_low, r.core_fields.dport_high, mp.dport);
    gen::CorePacket cp = gen::to_core(mp);
    const auto &cand = rs.candidates(cp.info);
    for (const auto &w : wc) {
      if (!model::wildcard_matches(w, mp)) continue;
      RC_ASSERT(std::any_of(cand.begin(), cand.end(),
                            [&](const pfc_wc_rule *c) { return c->rule.rule_id == w.rule_id; }));
    }
  }
}

// Guide 8.10: a wildcard rule with every field given matches exactly the
// packets the hash rule with the same 6-tuple matches.
RC_GTEST_PROP(RuleEngine, FullWildcardEqualsHashRule, ()) {
  hash_filtering_rule h = *gen::hash_rule(7);
  h.vlan_id = *rc::gen::element<uint16_t>(10, 20);
  h.port_peer_a = *rc::gen::inRange<uint16_t>(1, 65535);
  h.port_peer_b = *rc::gen::inRange<uint16_t>(1, 65535);
  h.proto = *rc::gen::element<uint8_t>(6, 17, 132);
  RC_PRE(!(std::memcmp(&h.host_peer_a, &h.host_peer_b, 16) == 0 && h.port_peer_a == h.port_peer_b));
  filtering_rule w;
  std::memset(&w, 0, sizeof(w));
  w.rule_id = 7;
  w.bidirectional = 1;
  w.core_fields.vlan_id = h.vlan_id;
  w.core_fields.proto = h.proto;
  w.core_fields.shost = h.host_peer_a;
  w.core_fields.dhost = h.host_peer_b;
  w.core_fields.sport_low = w.core_fields.sport_high = h.port_peer_a;
  w.core_fields.dport_low = w.core_fields.dport_high = h.port_peer_b;

  auto packets = *rc::gen::container<std::vector<model::RulePacket>>(*rc::gen::inRange(1, 30), gen::rule_packet());
  packets.push_back(packet_for(h));
  packets.push_back(packet_for(h));
  for (const auto &mp : packets) {
    gen::CorePacket cp = gen::to_core(mp);
    pfc_hash_key pk, hk;
    pfc_hash_key_from_rule(&h, &hk);
    bool hash_hit = pfc_hash_key_from_pkt(&cp.info, &pk) == 0 && pfc_hash_key_equal(&pk, &hk);
    bool wc_hit = pfc_wc_match(&w, &cp.info, cp.bytes.data(), static_cast<uint32_t>(cp.bytes.size())) != 0;
    RC_ASSERT(hash_hit == wc_hit);
    RC_ASSERT(hash_hit == model::hash_matches(h, mp));
  }
}

RC_GTEST_PROP(Sampling, OneOutOfRate, (uint8_t n_small, uint8_t rate_small)) {
  size_t n = n_small;
  uint32_t rate = rate_small % 20 + 1;
  auto want = model::sample(n, rate);
  uint32_t counter = 0;
  size_t delivered = 0;
  for (size_t i = 0; i < n; i++) {
    bool got = pfc_sample(&counter, rate) != 0;
    RC_ASSERT(got == want[i]);
    delivered += got;
  }
  RC_ASSERT(delivered == (n + rate - 1) / rate);
}
