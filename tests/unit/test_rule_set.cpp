// test_rule_set.cpp - pfr::RuleSet, the per-ring rule storage and index:
// the open-addressing hash table for hash rules (add, find, backward-shift
// removal, duplicates, purge) and the wildcard index, whose candidates()
// must hold every rule that can match a packet, in rule_id order, as a
// linear scan with pfc_wc_match over all rules says.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "pfring.h"
#include "core/parse.h"
#include "rule_set.h"
#include "unit/pkt_builder.h"

namespace {

// Fixed seeds: the tests are deterministic; the seed is printed on failure.
constexpr uint32_t kSeed = 20240605;

std::string key_bytes(const pfc_hash_key &k) {
  return std::string(reinterpret_cast<const char *>(&k), sizeof k);
}

hash_filtering_rule random_hash_rule(std::mt19937 &rng, uint16_t id) {
  hash_filtering_rule r;
  std::memset(&r, 0, sizeof r);
  r.rule_id = id;
  r.vlan_id = uint16_t(rng() % 4);
  r.proto = rng() % 2 ? 6 : 17;
  if (rng() % 4 == 0) {  // IPv6 peers
    for (int i = 0; i < 16; i++) {
      r.host_peer_a.v6.s6_addr[i] = uint8_t(rng());
      r.host_peer_b.v6.s6_addr[i] = uint8_t(rng());
    }
  } else {
    r.host_peer_a.v4 = 0x0a000000u | (rng() & 0xffff);
    r.host_peer_b.v4 = 0xc0a80000u | (rng() & 0xffff);
  }
  r.port_peer_a = uint16_t(rng());
  r.port_peer_b = uint16_t(rng());
  r.rule_action = forward_packet_and_stop_rule_evaluation;
  return r;
}

pfc_hash_key key_of(const hash_filtering_rule &r) {
  pfc_hash_key k;
  pfc_hash_key_from_rule(&r, &k);
  return k;
}

hash_filtering_rule swapped(const hash_filtering_rule &r) {
  hash_filtering_rule s = r;
  std::swap(s.host_peer_a, s.host_peer_b);
  std::swap(s.port_peer_a, s.port_peer_b);
  return s;
}

// n rules with distinct tuples.
std::vector<hash_filtering_rule> distinct_hash_rules(std::mt19937 &rng, size_t n) {
  std::vector<hash_filtering_rule> rules;
  std::unordered_set<std::string> seen;
  while (rules.size() < n) {
    hash_filtering_rule r = random_hash_rule(rng, uint16_t(rules.size()));
    if (seen.insert(key_bytes(key_of(r))).second) rules.push_back(r);
  }
  return rules;
}

// ---- hash rules ------------------------------------------------------------------

TEST(RuleSetHash, HundredThousandRulesAddFindRemove) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  std::mt19937 rng(kSeed);
  const size_t kN = 100000;
  auto rules = distinct_hash_rules(rng, kN);
  pfr::RuleSet rs;
  for (size_t i = 0; i < kN; i++) ASSERT_EQ(rs.add_hash(rules[i], 100), 0) << i;
  EXPECT_EQ(rs.hash_count(), kN);
  EXPECT_FALSE(rs.empty());

  // Every rule is found, from either side of the flow.
  for (size_t i = 0; i < kN; i++) {
    pfc_hash_rule *h = rs.find_hash(key_of(rules[i]));
    ASSERT_NE(h, nullptr) << i;
    ASSERT_EQ(h->rule.rule_id, rules[i].rule_id);
    ASSERT_EQ(rs.find_hash(key_of(swapped(rules[i]))), h) << i;
  }

  // Remove a random half (backward-shift deletion moves entries in the
  // probe chains and the last array element into each hole).
  std::vector<size_t> order(kN);
  for (size_t i = 0; i < kN; i++) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<bool> removed(kN, false);
  for (size_t j = 0; j < kN / 2; j++) {
    size_t i = order[j];
    // Alternate which side of the flow names the rule.
    const hash_filtering_rule &r = j % 2 ? swapped(rules[i]) : rules[i];
    ASSERT_EQ(rs.remove_hash(key_of(r)), 0) << i;
    removed[i] = true;
    // Spot checks while the table changes.
    if (j % 5000 == 0) {
      for (size_t k = 0; k < kN; k += 97) {
        pfc_hash_rule *h = rs.find_hash(key_of(rules[k]));
        ASSERT_EQ(h != nullptr, !removed[k]) << "after " << j << " removals, rule " << k;
      }
    }
  }
  EXPECT_EQ(rs.hash_count(), kN - kN / 2);
  for (size_t i = 0; i < kN; i++) {
    pfc_hash_rule *h = rs.find_hash(key_of(rules[i]));
    if (removed[i]) {
      ASSERT_EQ(h, nullptr) << "removed rule " << i << " still found";
      ASSERT_EQ(rs.remove_hash(key_of(rules[i])), PF_RING_ERROR_NOT_FOUND) << i;
    } else {
      ASSERT_NE(h, nullptr) << "remaining rule " << i << " lost";
      ASSERT_EQ(h->rule.rule_id, rules[i].rule_id) << i;
      ASSERT_EQ(0, std::memcmp(&h->rule.host_peer_a, &rules[i].host_peer_a, sizeof(ip_addr))) << i;
    }
  }

  // Removed tuples can be added again; the rest are duplicates.
  for (size_t i = 0; i < kN; i++) {
    int rc = rs.add_hash(rules[i], 200);
    ASSERT_EQ(rc, removed[i] ? 0 : PF_RING_ERROR_INVALID_ARGUMENT) << i;
  }
  EXPECT_EQ(rs.hash_count(), kN);

  // Remove all, in another order: the table ends empty.
  std::shuffle(order.begin(), order.end(), rng);
  for (size_t i : order) ASSERT_EQ(rs.remove_hash(key_of(rules[i])), 0) << i;
  EXPECT_EQ(rs.hash_count(), 0u);
  EXPECT_TRUE(rs.empty());
  for (size_t i = 0; i < kN; i += 101) EXPECT_EQ(rs.find_hash(key_of(rules[i])), nullptr);
}

// Random adds and removes of a small pool, checked against a std::map after
// every step: deletions in the middle of probe chains, reinsertions after them.
TEST(RuleSetHash, DenseChurnAgainstAReferenceSet) {
  SCOPED_TRACE("seed " + std::to_string(kSeed + 1));
  std::mt19937 rng(kSeed + 1);
  auto pool = distinct_hash_rules(rng, 600);
  pfr::RuleSet rs;
  std::map<std::string, uint16_t> ref;  // key -> rule_id
  for (int step = 0; step < 30000; step++) {
    const hash_filtering_rule &r = pool[rng() % pool.size()];
    std::string k = key_bytes(key_of(r));
    bool present = ref.count(k) != 0;
    if (rng() % 2) {
      ASSERT_EQ(rs.add_hash(rng() % 2 ? r : swapped(r), 1), present ? PF_RING_ERROR_INVALID_ARGUMENT : 0) << step;
      ref[k] = r.rule_id;
    } else {
      ASSERT_EQ(rs.remove_hash(key_of(r)), present ? 0 : PF_RING_ERROR_NOT_FOUND) << step;
      ref.erase(k);
    }
    ASSERT_EQ(rs.hash_count(), ref.size()) << step;
    if (step % 1000 == 0) {
      for (const hash_filtering_rule &p : pool) {
        auto it = ref.find(key_bytes(key_of(p)));
        pfc_hash_rule *h = rs.find_hash(key_of(p));
        ASSERT_EQ(h != nullptr, it != ref.end()) << "step " << step;
        if (h) {
          ASSERT_EQ(h->rule.rule_id, it->second);
        }
      }
    }
  }
}

TEST(RuleSetHash, DuplicatesInEitherDirectionAreRejected) {
  pfr::RuleSet rs;
  hash_filtering_rule r;
  std::memset(&r, 0, sizeof r);
  r.rule_id = 1;
  r.proto = 6;
  r.host_peer_a.v4 = 0x0a000001;
  r.port_peer_a = 1234;
  r.host_peer_b.v4 = 0x0a000002;
  r.port_peer_b = 80;
  ASSERT_EQ(rs.add_hash(r, 0), 0);
  EXPECT_EQ(rs.add_hash(r, 0), PF_RING_ERROR_INVALID_ARGUMENT);
  hash_filtering_rule s = swapped(r);
  s.rule_id = 2;
  EXPECT_EQ(rs.add_hash(s, 0), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(rs.hash_count(), 1u);
  // A different VLAN, protocol or port pairing is another tuple.
  hash_filtering_rule v = r;
  v.vlan_id = 10;
  EXPECT_EQ(rs.add_hash(v, 0), 0);
  hash_filtering_rule p = r;
  p.proto = 17;
  EXPECT_EQ(rs.add_hash(p, 0), 0);
  hash_filtering_rule x = r;  // ports crossed over: a:80 <-> b:1234
  std::swap(x.port_peer_a, x.port_peer_b);
  EXPECT_EQ(rs.add_hash(x, 0), 0);
  EXPECT_EQ(rs.hash_count(), 4u);
  // An invalid action is refused.
  hash_filtering_rule bad = r;
  bad.host_peer_a.v4 = 0x0a000009;
  bad.rule_action = static_cast<rule_action_behaviour>(PFC_NUM_RULE_ACTIONS);
  EXPECT_EQ(rs.add_hash(bad, 0), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(rs.hash_count(), 4u);
}

TEST(RuleSetHash, PurgeIdle) {
  std::mt19937 rng(kSeed + 2);
  auto rules = distinct_hash_rules(rng, 5000);
  pfr::RuleSet rs;
  for (size_t i = 0; i < rules.size(); i++) ASSERT_EQ(rs.add_hash(rules[i], i % 2 ? 200 : 100), 0);
  EXPECT_EQ(rs.purge_idle_hash(200, 101), 0);  // nothing idle that long
  EXPECT_EQ(rs.purge_idle_hash(200, 100), 2500);
  EXPECT_EQ(rs.hash_count(), 2500u);
  for (size_t i = 0; i < rules.size(); i++) {
    pfc_hash_rule *h = rs.find_hash(key_of(rules[i]));
    ASSERT_EQ(h != nullptr, i % 2 == 1) << i;
    if (h) {
      ASSERT_EQ(h->rule.rule_id, rules[i].rule_id);
    }
  }
  // A clock behind the last match purges nothing.
  EXPECT_EQ(rs.purge_idle_hash(150, 0), 0);
  EXPECT_EQ(rs.purge_idle_hash(200, 0), 2500);
  EXPECT_EQ(rs.hash_count(), 0u);
}

// ---- wildcard rules ---------------------------------------------------------------

filtering_rule wc(uint16_t id) {
  filtering_rule r;
  std::memset(&r, 0, sizeof r);
  r.rule_id = id;
  r.rule_action = forward_packet_and_stop_rule_evaluation;
  return r;
}

TEST(RuleSetWildcard, AddFindRemovePurge) {
  pfr::RuleSet rs;
  EXPECT_TRUE(rs.empty());
  for (uint16_t id : {5, 1, 9}) {
    filtering_rule r = wc(id);
    r.core_fields.dport_low = uint16_t(1000 + id);
    r.locked = id == 9;
    ASSERT_EQ(rs.add_wildcard(r, 10), 0);
  }
  EXPECT_EQ(rs.wildcard_count(), 3u);
  EXPECT_EQ(rs.add_wildcard(wc(5), 10), PF_RING_ERROR_INVALID_ARGUMENT);
  filtering_rule bad = wc(6);
  bad.core_fields.sport_low = 9;
  bad.core_fields.sport_high = 8;
  EXPECT_EQ(rs.add_wildcard(bad, 10), PF_RING_ERROR_INVALID_ARGUMENT);
  ASSERT_NE(rs.find_wildcard(5), nullptr);
  EXPECT_EQ(rs.find_wildcard(5)->rule.core_fields.dport_low, 1005);
  EXPECT_EQ(rs.find_wildcard(6), nullptr);
  EXPECT_EQ(rs.remove_wildcard(5), 0);
  EXPECT_EQ(rs.remove_wildcard(5), PF_RING_ERROR_NOT_FOUND);
  EXPECT_EQ(rs.find_wildcard(5), nullptr);
  // Purge: unlocked rules idle long enough go, locked ones stay.
  EXPECT_EQ(rs.purge_idle_wildcard(15, 6), 0);
  EXPECT_EQ(rs.purge_idle_wildcard(15, 5), 1);
  EXPECT_EQ(rs.find_wildcard(1), nullptr);
  ASSERT_NE(rs.find_wildcard(9), nullptr);
  EXPECT_EQ(rs.purge_idle_wildcard(1000, 0), 0);
  EXPECT_EQ(rs.wildcard_count(), 1u);
  // A purged rule is gone from the index too.
  pkt_parsing_info p;
  std::memset(&p, 0, sizeof p);
  p.ip_version = 4;
  p.l3_proto = 6;
  p.vlan_id = NO_VLAN;
  p.l4_dst_port = 1001;
  EXPECT_TRUE(rs.candidates(p).empty());
  p.l4_dst_port = 1009;
  ASSERT_EQ(rs.candidates(p).size(), 1u);
  EXPECT_EQ(rs.candidates(p)[0]->rule.rule_id, 9);
}

// Pools the generators draw from, so that rules and packets meet often.
const uint32_t kHosts[] = {0x0a000001, 0x0a000002, 0x0a000103, 0xc0a80101, 0xc0a80102, 0x08080808};
const uint16_t kPorts[] = {53, 80, 443, 1000, 1001, 8080};
const uint8_t kMacs[][6] = {{2, 0, 0, 0, 0, 1}, {2, 0, 0, 0, 0, 2}, {2, 0, 0, 0, 0, 3}};

enum Kind { kExactDport, kExactSport, kExactDhost, kExactShost, kGeneric, kBidirectional, kNumKinds };

template <class T, size_t N>
const T &pick(std::mt19937 &rng, const T (&a)[N]) {
  return a[rng() % N];
}

// A rule whose most selective exact field is of the given kind, plus
// random other constraints.
filtering_rule random_wc_rule(std::mt19937 &rng, uint16_t id, Kind kind) {
  filtering_rule r = wc(id);
  auto &c = r.core_fields;
  switch (kind) {
    case kExactDport:
      c.dport_low = pick(rng, kPorts);
      c.dport_high = rng() % 2 ? c.dport_low : 0;
      break;
    case kExactSport:
      c.sport_low = pick(rng, kPorts);
      c.sport_high = rng() % 2 ? c.sport_low : 0;
      if (rng() % 2) c.dport_low = 1, c.dport_high = uint16_t(rng() % 2000 + 1);  // a range, not exact
      break;
    case kExactDhost:
      c.dhost.v4 = pick(rng, kHosts);
      c.dhost_mask.v4 = rng() % 2 ? 0xffffffffu : 0;
      break;
    case kExactShost:
      c.shost.v4 = pick(rng, kHosts);
      c.shost_mask.v4 = rng() % 2 ? 0xffffffffu : 0;
      if (rng() % 2) c.dhost.v4 = pick(rng, kHosts) & 0xffffff00u, c.dhost_mask.v4 = 0xffffff00u;
      break;
    case kGeneric:
      switch (rng() % 5) {
        case 0: break;  // matches everything (with the extras below)
        case 1: c.dhost.v4 = pick(rng, kHosts) & 0xffffff00u, c.dhost_mask.v4 = 0xffffff00u; break;
        case 2: c.sport_low = 1000, c.sport_high = 1001; break;
        case 3:
          for (int i = 0; i < 16; i++) c.shost.v6.s6_addr[i] = uint8_t(0x20 + (i == 15 ? rng() % 3 : 0));
          c.shost_mask.v6.s6_addr[0] = 0xff;  // an IPv6 prefix
          break;
        case 4: std::memcpy(c.dmac, pick(rng, kMacs), 6); break;
      }
      break;
    case kBidirectional:
      r.bidirectional = 1;
      c.shost.v4 = pick(rng, kHosts);
      if (rng() % 2) c.dport_low = pick(rng, kPorts);
      if (rng() % 2) c.sport_low = pick(rng, kPorts);
      break;
    default: break;
  }
  // Extra constraints that do not change the bucket.
  if (rng() % 3 == 0) c.proto = rng() % 2 ? 6 : 17;
  if (rng() % 6 == 0) c.vlan_id = uint16_t(1 + rng() % 2);
  if (rng() % 6 == 0) std::memcpy(c.smac, pick(rng, kMacs), 6);
  if (rng() % 8 == 0) {
    r.balance_pool = 2;
    r.balance_id = uint8_t(rng() % 2);
  }
  return r;
}

pkt_parsing_info random_packet(std::mt19937 &rng) {
  pkt_parsing_info p;
  std::memset(&p, 0, sizeof p);
  std::memcpy(p.smac, pick(rng, kMacs), 6);
  std::memcpy(p.dmac, pick(rng, kMacs), 6);
  p.vlan_id = rng() % 4 == 0 ? uint16_t(1 + rng() % 2) : NO_VLAN;
  p.qinq_vlan_id = NO_VLAN;
  unsigned v = rng() % 10;
  if (v < 7) {
    p.ip_version = 4;
    p.eth_type = 0x0800;
    p.ip_src.v4 = rng() % 8 ? pick(rng, kHosts) : rng();
    p.ip_dst.v4 = rng() % 8 ? pick(rng, kHosts) : rng();
  } else if (v < 9) {
    p.ip_version = 6;
    p.eth_type = 0x86dd;
    for (int i = 0; i < 16; i++) {
      p.ip_src.v6.s6_addr[i] = uint8_t(0x20 + (i == 15 ? rng() % 3 : 0));
      p.ip_dst.v6.s6_addr[i] = uint8_t(rng());
    }
    if (rng() % 3 == 0) {  // an address with zero upper bytes, like an IPv4 one
      std::memset(&p.ip_dst, 0, sizeof p.ip_dst);
      p.ip_dst.v4 = pick(rng, kHosts);
    }
  } else {
    p.eth_type = 0x0806;  // no IP, no ports
    return p;
  }
  unsigned l4 = rng() % 3;
  p.l3_proto = l4 == 0 ? 6 : l4 == 1 ? 17 : 1;
  if (p.l3_proto != 1) {
    p.l4_src_port = rng() % 6 ? pick(rng, kPorts) : uint16_t(rng());
    p.l4_dst_port = rng() % 6 ? pick(rng, kPorts) : uint16_t(rng());
  }
  return p;
}

// candidates(p) against a linear scan of every rule.
// matched[kind] counts the matching rules of each kind.
void check_candidates(pfr::RuleSet &rs, const std::map<uint16_t, filtering_rule> &all,
                      const std::map<uint16_t, Kind> &kind_of, const pkt_parsing_info &p, size_t *matched) {
  const std::vector<pfc_wc_rule *> &cand = rs.candidates(p);
  std::vector<uint16_t> cand_ids;  // sorted, as checked below
  for (size_t i = 0; i < cand.size(); i++) {
    ASSERT_NE(cand[i], nullptr);
    if (i > 0) {
      ASSERT_LT(cand[i - 1]->rule.rule_id, cand[i]->rule.rule_id) << "not sorted by rule_id, or duplicated";
    }
    ASSERT_EQ(rs.find_wildcard(cand[i]->rule.rule_id), cand[i]) << "candidate is not a stored rule";
    cand_ids.push_back(cand[i]->rule.rule_id);
  }
  for (const auto &[id, rule] : all) {
    if (!pfc_wc_match(&rule, &p, nullptr, 0)) continue;
    matched[kind_of.at(id)]++;
    ASSERT_TRUE(std::binary_search(cand_ids.begin(), cand_ids.end(), id)) << "rule " << id << " matches the packet but is not a candidate (ip_version "
                                    << int(p.ip_version) << ", sport " << p.l4_src_port << ", dport "
                                    << p.l4_dst_port << ")";
  }
}

TEST(RuleSetWildcard, CandidatesCoverEveryMatchingRule) {
  SCOPED_TRACE("seed " + std::to_string(kSeed + 3));
  std::mt19937 rng(kSeed + 3);
  pfr::RuleSet rs;
  std::map<uint16_t, filtering_rule> all;
  std::map<uint16_t, Kind> kind_of;
  // Rule ids in random order, so insertion order differs from id order.
  std::vector<uint16_t> ids(600);
  for (size_t i = 0; i < ids.size(); i++) ids[i] = uint16_t(i * 7 + 3);
  std::shuffle(ids.begin(), ids.end(), rng);
  for (size_t i = 0; i < ids.size(); i++) {
    filtering_rule r = random_wc_rule(rng, ids[i], Kind(i % kNumKinds));
    ASSERT_EQ(rs.add_wildcard(r, 0), 0);
    all[r.rule_id] = r;
    kind_of[r.rule_id] = Kind(i % kNumKinds);
  }
  size_t matched[kNumKinds] = {0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 1500; i++) {
    pkt_parsing_info p = random_packet(rng);
    ASSERT_NO_FATAL_FAILURE(check_candidates(rs, all, kind_of, p, matched)) << "packet " << i;
  }
  // Every kind of rule matched often: each bucket of the index was exercised.
  for (int k = 0; k < kNumKinds; k++) EXPECT_GT(matched[k], 100u) << "kind " << k << " hardly ever matched";

  // Remove a third of the rules (index erase), then again.
  for (size_t i = 0; i < ids.size(); i += 3) {
    ASSERT_EQ(rs.remove_wildcard(ids[i]), 0);
    all.erase(ids[i]);
  }
  for (int i = 0; i < 1000; i++) {
    pkt_parsing_info p = random_packet(rng);
    ASSERT_NO_FATAL_FAILURE(check_candidates(rs, all, kind_of, p, matched)) << "after removal, packet " << i;
  }
  // A removed rule is never a candidate.
  for (int i = 0; i < 500; i++) {
    pkt_parsing_info p = random_packet(rng);
    for (const pfc_wc_rule *c : rs.candidates(p)) ASSERT_TRUE(all.count(c->rule.rule_id));
  }
}

// One rule of each bucket kind and the packet it is meant for.
TEST(RuleSetWildcard, EachBucketKindIsFound) {
  pkt_parsing_info p;
  std::memset(&p, 0, sizeof p);
  p.ip_version = 4;
  p.l3_proto = 6;
  p.vlan_id = NO_VLAN;
  p.ip_src.v4 = 0x0a000001;
  p.ip_dst.v4 = 0x0a000002;
  p.l4_src_port = 1234;
  p.l4_dst_port = 80;
  std::memcpy(p.smac, kMacs[0], 6);
  std::memcpy(p.dmac, kMacs[1], 6);

  struct Case {
    const char *what;
    filtering_rule rule;
  };
  std::vector<Case> cases;
  filtering_rule r = wc(50);
  r.core_fields.dport_low = 80;
  cases.push_back({"exact dport", r});
  r = wc(40);
  r.core_fields.sport_low = 1234;
  r.core_fields.sport_high = 1234;
  cases.push_back({"exact sport", r});
  r = wc(30);
  r.core_fields.dhost.v4 = 0x0a000002;
  r.core_fields.dhost_mask.v4 = 0xffffffff;
  cases.push_back({"dst host /32", r});
  r = wc(20);
  r.core_fields.shost.v4 = 0x0a000001;
  cases.push_back({"src host /32 (zero mask)", r});
  r = wc(10);
  r.core_fields.proto = 6;
  cases.push_back({"generic", r});
  r = wc(5);
  r.bidirectional = 1;
  r.core_fields.shost.v4 = 0x0a000002;
  r.core_fields.dport_low = 1234;
  cases.push_back({"bidirectional, peers swapped", r});

  pfr::RuleSet rs;
  for (const Case &c : cases) {
    SCOPED_TRACE(c.what);
    ASSERT_EQ(pfc_wc_match(&c.rule, &p, nullptr, 0), 1);
    pfr::RuleSet one;
    ASSERT_EQ(one.add_wildcard(c.rule, 0), 0);
    const auto &cand = one.candidates(p);
    ASSERT_EQ(cand.size(), 1u);
    EXPECT_EQ(cand[0]->rule.rule_id, c.rule.rule_id);
    ASSERT_EQ(rs.add_wildcard(c.rule, 0), 0);
  }
  // All together: merged in rule_id order.
  const auto &cand = rs.candidates(p);
  std::vector<uint16_t> got;
  for (const pfc_wc_rule *w : cand) got.push_back(w->rule.rule_id);
  EXPECT_EQ(got, (std::vector<uint16_t>{5, 10, 20, 30, 40, 50}));
  // A packet of another flow gets only what can match it.
  p.l4_dst_port = 443;
  p.l4_src_port = 999;
  p.ip_src.v4 = 0x0a000009;
  p.ip_dst.v4 = 0x0a000008;
  got.clear();
  for (const pfc_wc_rule *w : rs.candidates(p))
    if (pfc_wc_match(&w->rule, &p, nullptr, 0)) got.push_back(w->rule.rule_id);
  EXPECT_EQ(got, (std::vector<uint16_t>{10}));
}

// An IPv4-looking rule (/32 written as mask 255.255.255.255) compared with
// an IPv6 packet: the core compares the masked 16 bytes, i.e. the first four.
// The index must offer the rule whenever pfc_wc_match says it matches.
TEST(RuleSetWildcard, Ipv6PacketAndFullV4MaskRule) {
  filtering_rule r = wc(1);
  r.core_fields.dhost.v4 = 0x0a000002;
  r.core_fields.dhost_mask.v4 = 0xffffffff;
  pkt_parsing_info p;
  std::memset(&p, 0, sizeof p);
  p.ip_version = 6;
  p.l3_proto = 17;
  p.vlan_id = NO_VLAN;
  p.ip_dst.v4 = 0x0a000002;             // first four bytes as the rule's
  p.ip_dst.v6.s6_addr[15] = 0x01;       // but not an all-zero upper part
  p.l4_src_port = 1;
  p.l4_dst_port = 2;
  pfr::RuleSet rs;
  ASSERT_EQ(rs.add_wildcard(r, 0), 0);
  int matches = pfc_wc_match(&r, &p, nullptr, 0);
  const auto &cand = rs.candidates(p);
  bool offered = std::any_of(cand.begin(), cand.end(), [](const pfc_wc_rule *w) { return w->rule.rule_id == 1; });
  EXPECT_TRUE(!matches || offered) << "pfc_wc_match says the rule matches, candidates() does not offer it";
}

TEST(RuleSetWildcard, EvaluateUsesCandidatesInOrder) {
  pfr::RuleSet rs;
  filtering_rule drop = wc(2);
  drop.rule_action = dont_forward_packet_and_stop_rule_evaluation;
  drop.core_fields.dport_low = 80;
  filtering_rule fwd = wc(1);
  fwd.core_fields.proto = 6;
  ASSERT_EQ(rs.add_wildcard(drop, 0), 0);
  ASSERT_EQ(rs.add_wildcard(fwd, 0), 0);
  pkt_parsing_info p;
  std::memset(&p, 0, sizeof p);
  p.ip_version = 4;
  p.l3_proto = 6;
  p.vlan_id = NO_VLAN;
  p.l4_dst_port = 80;
  pfc_verdict v;
  EXPECT_EQ(rs.evaluate(&p, nullptr, 0, 1, 7, nullptr, nullptr, &v), 1);  // rule 1 first: forward
  EXPECT_EQ(v.last_matched_rule_id, 1);
  EXPECT_EQ(rs.find_wildcard(1)->match, 1u);
  EXPECT_EQ(rs.find_wildcard(1)->last_match_sec, 7u);
  EXPECT_EQ(rs.find_wildcard(2)->match, 0u);
  p.l3_proto = 17;
  EXPECT_EQ(rs.evaluate(&p, nullptr, 0, 1, 8, nullptr, nullptr, &v), 0);  // UDP to 80: rule 2 drops
  EXPECT_EQ(rs.find_wildcard(2)->match, 1u);
  EXPECT_EQ(rs.find_wildcard(2)->filtered, 1u);
}

}  // namespace

// extended_fields.tunnel, as PF_RING 5.x's pfcount sets it: the TEID of a
// GTP-U tunnel and the inner hosts, on packets parsed by the core.
TEST(RuleSetWildcard, TunnelIdAndInnerHosts) {
  const uint32_t outer_a = 0x01020304, outer_b = 0x01020305, inner_c = 0xAC100001, inner_d = 0xAC100002;
  auto gtp = [&](uint32_t teid, uint32_t inner_src) {
    return pktb::Builder().macs({2, 0, 0, 0, 0, 1}, {2, 0, 0, 0, 0, 2}).type(0x0800)
        .ipv4(outer_a, outer_b, 17).udp(2152, 2152).gtpu(teid)
        .ipv4(inner_src, inner_d, 17).udp(5060, 5061).payload(8).done();
  };
  const pktb::Bytes plain = pktb::Builder().macs({2, 0, 0, 0, 0, 1}, {2, 0, 0, 0, 0, 2}).type(0x0800)
                                .ipv4(outer_a, outer_b, 17).udp(5060, 5061).payload(8).done();
  struct Pkt {
    const char *what;
    pktb::Bytes b;
  } pkts[] = {{"teid a2b6 from c", gtp(0xa2b6, inner_c)},
              {"teid a2b6 from d", gtp(0xa2b6, inner_d)},
              {"teid 7 from c", gtp(7, inner_c)},
              {"teid 0 from c", gtp(0, inner_c)},
              {"no tunnel", plain}};
  struct Case {
    const char *what;
    uint32_t id;
    uint8_t flags;
    uint32_t inner_src, inner_mask;
    bool want[5];
  } cases[] = {
      {"memset rule: any", 0, 0, 0, 0, {true, true, true, true, true}},
      {"NO_TUNNEL_ID: any", NO_TUNNEL_ID, 0, 0, 0, {true, true, true, true, true}},
      {"TEID a2b6", 0xa2b6, 0, 0, 0, {true, true, false, false, false}},
      {"TEID 0 with the flag", 0, FILTER_TUNNEL_ID_FLAG, 0, 0, {false, false, false, true, false}},
      {"TEID a2b6, inner source c", 0xa2b6, 0, inner_c, 0, {true, false, false, false, false}},
      {"any tunnel, inner source c/24", 0, 0, inner_c, 0xFFFFFF00u, {true, true, true, true, false}},
  };
  {  // the handle parses to the tunnel only while a rule looks at it
    pfr::RuleSet rs;
    filtering_rule plain = wc(1), tun = wc(2), none = wc(3);
    tun.extended_fields.tunnel.tunnel_id = 7;
    none.extended_fields.tunnel.tunnel_id = NO_TUNNEL_ID;
    ASSERT_EQ(rs.add_wildcard(plain, 0), 0);
    ASSERT_EQ(rs.add_wildcard(none, 0), 0);
    EXPECT_FALSE(rs.needs_tunnel());
    ASSERT_EQ(rs.add_wildcard(tun, 0), 0);
    EXPECT_TRUE(rs.needs_tunnel());
    ASSERT_EQ(rs.remove_wildcard(2), 0);
    EXPECT_FALSE(rs.needs_tunnel());
  }
  for (const auto &c : cases) {
    filtering_rule r = wc(1);
    r.core_fields.proto = 17;
    r.extended_fields.optional_fields = c.flags;
    r.extended_fields.tunnel.tunnel_id = c.id;
    r.extended_fields.tunnel.shost.v4 = c.inner_src;
    r.extended_fields.tunnel.shost_mask.v4 = c.inner_mask;
    pfr::RuleSet rs;
    ASSERT_EQ(rs.add_wildcard(r, 0), 0) << c.what;
    for (size_t i = 0; i < 5; i++) {
      pfring_pkthdr h;
      std::memset(&h, 0, sizeof h);
      ASSERT_GE(pfc_parse_pkt(pkts[i].b.data(), uint32_t(pkts[i].b.size()), 5, &h.extended_hdr.parsed_pkt,
                              &h.extended_hdr.flags), 0);
      const pkt_parsing_info &p = h.extended_hdr.parsed_pkt;
      int m = pfc_wc_match(&r, &p, pkts[i].b.data(), uint32_t(pkts[i].b.size()));
      EXPECT_EQ(m != 0, c.want[i]) << c.what << " / " << pkts[i].what;
      const auto &cand = rs.candidates(p);
      bool offered = std::any_of(cand.begin(), cand.end(), [](const pfc_wc_rule *w) { return w->rule.rule_id == 1; });
      EXPECT_TRUE(!m || offered) << c.what << " / " << pkts[i].what;
    }
  }
}
