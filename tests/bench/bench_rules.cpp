// bench_rules.cpp - the semantics core on the data path: parsing,
// wildcard rules (1 to 1000, indexed and unindexable), and hash rules with
// 1M entries. Packets are parsed once outside the timed loop for the rule
// benchmarks, so they time rule evaluation alone.
#include "bench_util.h"
#include "pfring.h"
#include "rule_set.h"

extern "C" {
#include "parse.h"
}

namespace {

struct Parsed {
  std::vector<uint8_t> bytes;
  pkt_parsing_info info;
};

const std::vector<Parsed> &parsed() {
  static std::vector<Parsed> v = [] {
    std::mt19937 rng(11);
    std::vector<Parsed> out(4096);
    for (auto &p : out) {
      p.bytes = bench::make_frame(rng, 64 + rng() % 256);
      std::memset(&p.info, 0, sizeof(p.info));
      pfc_parse_pkt(p.bytes.data(), uint32_t(p.bytes.size()), 4, &p.info, nullptr);
    }
    return out;
  }();
  return v;
}

void BM_parse_l4(benchmark::State &st) {
  size_t i = 0;
  pkt_parsing_info info;
  // (frame, length) pairs side by side, as a ring's descriptors would be
  std::vector<std::pair<const uint8_t *, uint32_t>> frames;
  for (const Parsed &p : parsed()) frames.emplace_back(p.bytes.data(), uint32_t(p.bytes.size()));
  for (auto _ : st) {
    const auto &f = frames[i++ & 4095];
    std::memset(&info, 0, sizeof(info));
    benchmark::DoNotOptimize(pfc_parse_pkt(f.first, f.second, 4, &info, nullptr));
  }
  st.SetItemsProcessed(int64_t(st.iterations()));
}
BENCHMARK(BM_parse_l4);

// An ACL of exact rules: TCP to one port, or from one /32 host.
filtering_rule acl_rule(int i) {
  filtering_rule r;
  std::memset(&r, 0, sizeof(r));
  r.rule_id = uint16_t(i + 1);
  r.rule_action = i % 2 ? forward_packet_and_stop_rule_evaluation : dont_forward_packet_and_stop_rule_evaluation;
  r.core_fields.proto = 6;
  if (i % 4 == 3) r.core_fields.shost.v4 = 0x0a000000u + uint32_t(i);
  else r.core_fields.dport_low = uint16_t(1000 + i);
  return r;
}

// Rules the index places by their IPv4 prefix: wide port ranges and /24s.
filtering_rule wide_rule(int i) {
  filtering_rule r;
  std::memset(&r, 0, sizeof(r));
  r.rule_id = uint16_t(i + 1);
  r.rule_action = forward_packet_and_stop_rule_evaluation;
  r.core_fields.proto = 17;
  r.core_fields.dport_low = uint16_t(1 + i);
  r.core_fields.dport_high = 65535;
  r.core_fields.dhost.v4 = 0x0a000000u + (uint32_t(i) << 8);
  r.core_fields.dhost_mask.v4 = 0xFFFFFF00u;
  return r;
}

// Rules no index places: one VLAN each (the generic list, scanned).
filtering_rule vlan_rule(int i) {
  filtering_rule r;
  std::memset(&r, 0, sizeof(r));
  r.rule_id = uint16_t(i + 1);
  r.rule_action = forward_packet_and_stop_rule_evaluation;
  r.core_fields.vlan_id = uint16_t(1 + i);
  return r;
}

// Narrow port ranges: indexed under each of their ports.
filtering_rule range_rule(int i) {
  filtering_rule r;
  std::memset(&r, 0, sizeof(r));
  r.rule_id = uint16_t(i + 1);
  r.rule_action = forward_packet_and_stop_rule_evaluation;
  r.core_fields.proto = 17;
  r.core_fields.dport_low = uint16_t(2 + i * 2);
  r.core_fields.dport_high = uint16_t(3 + i * 2);
  return r;
}

template <filtering_rule (*Make)(int)>
void BM_wildcard(benchmark::State &st) {
  pfr::RuleSet rs;
  for (int i = 0; i < st.range(0); i++) rs.add_wildcard(Make(i), 0);
  size_t i = 0, fwd = 0;
  for (auto _ : st) {
    auto p = parsed()[i++ & 4095];  // copy: evaluate writes last_matched_rule_id
    pfc_verdict v;
    fwd += rs.evaluate(&p.info, p.bytes.data(), uint32_t(p.bytes.size()), 1, 0, nullptr, nullptr, &v);
  }
  benchmark::DoNotOptimize(fwd);
  st.SetItemsProcessed(int64_t(st.iterations()));
}
BENCHMARK_TEMPLATE(BM_wildcard, acl_rule)->Arg(1)->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK_TEMPLATE(BM_wildcard, range_rule)->Arg(1)->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK_TEMPLATE(BM_wildcard, wide_rule)->Arg(1)->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK_TEMPLATE(BM_wildcard, vlan_rule)->Arg(1)->Arg(10)->Arg(100)->Arg(1000);

hash_filtering_rule hash_rule(uint32_t i) {
  hash_filtering_rule r;
  std::memset(&r, 0, sizeof(r));
  r.rule_id = uint16_t(i);
  r.proto = 6;
  r.host_peer_a.v4 = 0x0a000000u + (i >> 8);
  r.host_peer_b.v4 = 0xc0a80001u;
  r.port_peer_a = uint16_t(1024 + (i & 0xff));
  r.port_peer_b = 80;
  r.rule_action = forward_packet_and_stop_rule_evaluation;
  return r;
}

// Lookups of random members of a table of N hash rules: each builds the
// packet's key and probes the table (the receive path's work per packet).
void BM_hash_lookup(benchmark::State &st) {
  const uint32_t n = bench::smoke() ? 1000 : uint32_t(st.range(0));
  static pfr::RuleSet *rs = nullptr;
  static uint32_t built = 0;
  if (!rs || built != n) {
    delete rs;
    rs = new pfr::RuleSet();
    rs->reserve_hash(n);
    for (uint32_t i = 0; i < n; i++) rs->add_hash(hash_rule(i), 0);
    built = n;
  }
  pkt_parsing_info info;
  std::memset(&info, 0, sizeof(info));
  info.ip_version = 4;
  info.l3_proto = 6;
  info.vlan_id = NO_VLAN;
  uint64_t x = 88172645463325252ull;
  size_t found = 0;
  for (auto _ : st) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    uint32_t i = uint32_t(((x >> 32) * n) >> 32);  // no division in the timed loop
    bool rev = x & (1ull << 40);
    uint32_t a = 0x0a000000u + (i >> 8), b = 0xc0a80001u;
    uint16_t pa = uint16_t(1024 + (i & 0xff)), pb = 80;
    info.ip_src.v4 = rev ? b : a;
    info.ip_dst.v4 = rev ? a : b;
    info.l4_src_port = rev ? pb : pa;
    info.l4_dst_port = rev ? pa : pb;
    pfc_hash_key k;
    pfc_hash_key_from_pkt(&info, &k);
    found += rs->find_hash(k) != nullptr;
  }
  if (int64_t(found) != int64_t(st.iterations())) st.SkipWithError("a hash rule was not found");
  st.SetItemsProcessed(int64_t(st.iterations()));
}
BENCHMARK(BM_hash_lookup)->Arg(1000)->Arg(1000000);

// The same lookups in bursts of 32, as the receive path sees packets:
// keys and prefetches first, then the probes. Time is per lookup.
void BM_hash_lookup_burst(benchmark::State &st) {
  const uint32_t n = bench::smoke() ? 1000 : uint32_t(st.range(0));
  static pfr::RuleSet *rs = nullptr;
  static uint32_t built = 0;
  if (!rs || built != n) {
    delete rs;
    rs = new pfr::RuleSet();
    rs->reserve_hash(n);
    for (uint32_t i = 0; i < n; i++) rs->add_hash(hash_rule(i), 0);
    built = n;
  }
  constexpr int kBurst = 32;
  pfc_hash_key keys[kBurst];
  uint32_t hashes[kBurst];
  pkt_parsing_info info;
  std::memset(&info, 0, sizeof(info));
  info.ip_version = 4;
  info.l3_proto = 6;
  info.vlan_id = NO_VLAN;
  uint64_t x = 88172645463325252ull;
  size_t found = 0, lookups = 0;
  for (auto _ : st) {
    for (int b = 0; b < kBurst; b++) {
      x ^= x << 13; x ^= x >> 7; x ^= x << 17;
      uint32_t i = uint32_t(((x >> 32) * n) >> 32);  // no division in the timed loop
      bool rev = x & (1ull << 40);
      uint32_t a = 0x0a000000u + (i >> 8), c = 0xc0a80001u;
      uint16_t pa = uint16_t(1024 + (i & 0xff)), pc = 80;
      info.ip_src.v4 = rev ? c : a;
      info.ip_dst.v4 = rev ? a : c;
      info.l4_src_port = rev ? pc : pa;
      info.l4_dst_port = rev ? pa : pc;
      pfc_hash_key_from_pkt(&info, &keys[b]);
      hashes[b] = rs->prefetch_hash(keys[b]);
    }
    for (int b = 0; b < kBurst; b++) found += rs->find_hash(keys[b], hashes[b]) != nullptr;
    lookups += kBurst;
  }
  if (found != lookups) st.SkipWithError("a hash rule was not found");
  st.SetItemsProcessed(int64_t(lookups));
  st.counters["ns_per_lookup"] = benchmark::Counter(double(lookups), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_hash_lookup_burst)->Arg(1000)->Arg(1000000);

}  // namespace

int main(int argc, char **argv) {
  return bench::run_main(
      argc, argv, [] { parsed(); },
      {{"1000 vs 1 exact (ACL) wildcard rules", "BM_wildcard<acl_rule>/1", "BM_wildcard<acl_rule>/1000",
        "cost multiple; target < 20"},
       {"1000 vs 1 narrow port-range wildcard rules", "BM_wildcard<range_rule>/1", "BM_wildcard<range_rule>/1000",
        "cost multiple; indexed per port"},
       {"1000 vs 1 wide-range + /24 wildcard rules", "BM_wildcard<wide_rule>/1", "BM_wildcard<wide_rule>/1000",
        "cost multiple; indexed by prefix"},
       {"1000 vs 1 VLAN-only wildcard rules", "BM_wildcard<vlan_rule>/1", "BM_wildcard<vlan_rule>/1000",
        "cost multiple; not indexed: scanned"},
       {"1M vs 1k-entry hash lookup", "BM_hash_lookup/1000", "BM_hash_lookup/1000000", "cost multiple"},
       {"1M-entry hash lookup: in bursts of 32 vs one by one", "BM_hash_lookup_burst/1000000",
        "BM_hash_lookup/1000000", ">1: bursts faster per lookup", 32}});
}
