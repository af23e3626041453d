// bench_rss.cpp - ns per Toeplitz RSS hash (src/core/rss.c) for the two
// inputs NICs hash most: the IPv4 TCP 4-tuple (12 bytes) and the IPv6 TCP
// 4-tuple (36 bytes). Measured: pfc_rss_hash (BM_table_*: carry-less
// multiplication on CPUs with PCLMULQDQ, else the byte table), the byte
// table alone (BM_bytes_*: pfc_rss_hash_bytes), the bit-by-bit core version (pfc_rss_hash_bitwise), the model
// (tests/model/model_rss.cpp) and, when Debian's libdpdk-dev is installed,
// DPDK's rte_softrss / rte_softrss_be (inline in <rte_thash.h>) as the
// peer. Also the whole per-packet step of the software NIC: input from a
// parsed packet, hash, queue. Target (software NIC issue): < 10 ns per IPv4
// 4-tuple.
//
// Inputs cycle through 1024 random flows so that no hash is a constant.
#include "bench_util.h"

#include <array>

extern "C" {
#include "rss.h"
}

// The bit-by-bit reference (tests/model, linked as pfmodel).
#include "model_rss.h"

#if __has_include(<rte_thash.h>)
#define PFRING_BENCH_DPDK 1
#include <rte_config.h>
#include <rte_thash.h>
#endif

namespace {

// 1024 flows: the inputs (12 KiB IPv4, 36 KiB IPv6) stay in cache beside
// the table, so the figures are hashing, not memory streaming.
constexpr size_t kFlows = 1024;

// Each representation of the flows in its own dense array.
struct Flows {
  std::vector<std::array<uint8_t, PFC_RSS_IPV4_L4_LEN>> v4;
  std::vector<std::array<uint8_t, PFC_RSS_IPV6_L4_LEN>> v6;
  std::vector<std::vector<uint8_t>> v4_vec, v6_vec;  // the same bytes for the model
  // DPDK's input: the same bytes as host-order 32-bit words.
  std::vector<std::array<uint32_t, PFC_RSS_IPV4_L4_LEN / 4>> v4_words;
  std::vector<std::array<uint32_t, PFC_RSS_IPV6_L4_LEN / 4>> v6_words;
  std::vector<pkt_parsing_info> info;  // the IPv4 TCP packets as pfc_parse_pkt reports them
};

uint32_t be32_at(const uint8_t *p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

Flows &flows() {
  static Flows f = [] {
    std::mt19937 rng(5);
    Flows out;
    for (size_t n = 0; n < kFlows; n++) {
      pkt_parsing_info p;
      std::memset(&p, 0, sizeof(p));
      p.ip_version = 4;
      p.l3_proto = 6;
      p.ip_src.v4 = rng();
      p.ip_dst.v4 = rng();
      p.l4_src_port = uint16_t(rng());
      p.l4_dst_port = uint16_t(rng());
      p.offset.l3_offset = 14;
      p.offset.l4_offset = 34;
      out.info.push_back(p);

      uint8_t buf[PFC_RSS_MAX_INPUT];
      pfc_rss_input(&p, PFC_RSS_ALL_TYPES, buf);
      std::array<uint8_t, PFC_RSS_IPV4_L4_LEN> a4;
      std::memcpy(a4.data(), buf, a4.size());
      std::array<uint8_t, PFC_RSS_IPV6_L4_LEN> a6;
      for (auto &b : a6) b = uint8_t(rng());
      out.v4.push_back(a4);
      out.v6.push_back(a6);
      out.v4_vec.emplace_back(a4.begin(), a4.end());
      out.v6_vec.emplace_back(a6.begin(), a6.end());
      std::array<uint32_t, PFC_RSS_IPV4_L4_LEN / 4> w4;
      std::array<uint32_t, PFC_RSS_IPV6_L4_LEN / 4> w6;
      for (size_t j = 0; j < w4.size(); j++) w4[j] = be32_at(a4.data() + 4 * j);
      for (size_t j = 0; j < w6.size(); j++) w6[j] = be32_at(a6.data() + 4 * j);
      out.v4_words.push_back(w4);
      out.v6_words.push_back(w6);
    }
    return out;
  }();
  return f;
}

const pfc_rss_table &table() {
  static pfc_rss_table *t = [] {
    auto *p = new pfc_rss_table;
    pfc_rss_table_init(p, pfc_rss_default_key);
    return p;
  }();
  return *t;
}

const std::vector<uint8_t> kModelKey(pfc_rss_default_key, pfc_rss_default_key + PFC_RSS_KEY_LEN);

// Hashes flow after flow: hash(flows, index) -> hash. The table is built
// before (setup in main) and read through g_table, not a function-local
// static whose guard would be checked in the timed loop.
const pfc_rss_table *g_table = nullptr;

template <typename F>
void run(benchmark::State &st, F hash) {
  Flows &fl = flows();
  size_t i = 0;
  uint32_t acc = 0;
  for (auto _ : st) acc ^= hash(fl, i++ & (kFlows - 1));
  benchmark::DoNotOptimize(acc);
  st.SetItemsProcessed(int64_t(st.iterations()));
}

void BM_table_ipv4_tcp(benchmark::State &st) {
  run(st, [](Flows &f, size_t i) { return pfc_rss_hash(g_table, f.v4[i].data(), PFC_RSS_IPV4_L4_LEN); });
}
// The same through a function pointer the compiler cannot see through: what
// a caller gets that cannot inline pfc_rss_hash with a constant length
// (pf_ring.ko, a build without LTO).
uint32_t (*volatile opaque_hash)(const pfc_rss_table *, const uint8_t *, uint32_t) = pfc_rss_hash;
void BM_table_call_ipv4_tcp(benchmark::State &st) {
  run(st, [](Flows &f, size_t i) { return opaque_hash(g_table, f.v4[i].data(), PFC_RSS_IPV4_L4_LEN); });
}
void BM_table_call_ipv6_tcp(benchmark::State &st) {
  run(st, [](Flows &f, size_t i) { return opaque_hash(g_table, f.v6[i].data(), PFC_RSS_IPV6_L4_LEN); });
}
void BM_bitwise_ipv4_tcp(benchmark::State &st) {
  run(st, [](Flows &f, size_t i) {
    return pfc_rss_hash_bitwise(pfc_rss_default_key, f.v4[i].data(), PFC_RSS_IPV4_L4_LEN);
  });
}
void BM_model_ipv4_tcp(benchmark::State &st) {
  run(st, [](Flows &f, size_t i) { return model::toeplitz(kModelKey, f.v4_vec[i]); });
}
void BM_table_ipv6_tcp(benchmark::State &st) {
  run(st, [](Flows &f, size_t i) { return pfc_rss_hash(g_table, f.v6[i].data(), PFC_RSS_IPV6_L4_LEN); });
}
// The byte table alone (pfc_rss_hash takes carry-less multiplication where
// the CPU has it): the kernel's and the fallback's cost.
void BM_bytes_ipv4_tcp(benchmark::State &st) {
  run(st, [](Flows &f, size_t i) { return pfc_rss_hash_bytes(g_table, f.v4[i].data(), PFC_RSS_IPV4_L4_LEN); });
}
void BM_bytes_ipv6_tcp(benchmark::State &st) {
  run(st, [](Flows &f, size_t i) { return pfc_rss_hash_bytes(g_table, f.v6[i].data(), PFC_RSS_IPV6_L4_LEN); });
}
void BM_bitwise_ipv6_tcp(benchmark::State &st) {
  run(st, [](Flows &f, size_t i) {
    return pfc_rss_hash_bitwise(pfc_rss_default_key, f.v6[i].data(), PFC_RSS_IPV6_L4_LEN);
  });
}
void BM_model_ipv6_tcp(benchmark::State &st) {
  run(st, [](Flows &f, size_t i) { return model::toeplitz(kModelKey, f.v6_vec[i]); });
}

// The software NIC's per-packet RSS step after parsing: input, hash, queue.
void BM_packet_to_queue_ipv4_tcp(benchmark::State &st) {
  static uint8_t reta[PFC_RSS_RETA_SIZE];
  pfc_rss_reta_default(reta, 8);
  run(st, [](Flows &f, size_t i) {
    uint8_t in[PFC_RSS_MAX_INPUT];
    uint32_t n = pfc_rss_input(&f.info[i], PFC_RSS_ALL_TYPES, in);
    return pfc_rss_queue(reta, pfc_rss_hash(g_table, in, n));
  });
}

BENCHMARK(BM_table_ipv4_tcp);
BENCHMARK(BM_table_call_ipv4_tcp);
BENCHMARK(BM_bitwise_ipv4_tcp);
BENCHMARK(BM_model_ipv4_tcp);
BENCHMARK(BM_table_ipv6_tcp);
BENCHMARK(BM_table_call_ipv6_tcp);
BENCHMARK(BM_bitwise_ipv6_tcp);
BENCHMARK(BM_model_ipv6_tcp);
BENCHMARK(BM_bytes_ipv4_tcp);
BENCHMARK(BM_bytes_ipv6_tcp);
BENCHMARK(BM_packet_to_queue_ipv4_tcp);

#ifdef PFRING_BENCH_DPDK
// rte_softrss reads the key as 32-bit words; rte_softrss_be wants it
// converted once (rte_convert_rss_key) and is DPDK's faster form.
struct DpdkKeys {
  alignas(16) uint8_t orig[PFC_RSS_KEY_LEN];
  alignas(16) uint32_t be[PFC_RSS_KEY_LEN / 4];
};

const DpdkKeys &dpdk_keys() {
  static DpdkKeys k = [] {
    DpdkKeys d;
    std::memcpy(d.orig, pfc_rss_default_key, sizeof(d.orig));
    uint32_t words[PFC_RSS_KEY_LEN / 4];
    std::memcpy(words, d.orig, sizeof(words));
    rte_convert_rss_key(words, d.be, PFC_RSS_KEY_LEN);
    return d;
  }();
  return k;
}

// The peer must compute the same function, or the comparison means nothing.
bool dpdk_agrees() {
  Flows &f = flows();
  const uint8_t *be = reinterpret_cast<const uint8_t *>(dpdk_keys().be);
  for (size_t i = 0; i < kFlows; i++) {
    uint32_t ours4 = pfc_rss_hash(g_table, f.v4[i].data(), PFC_RSS_IPV4_L4_LEN);
    uint32_t ours6 = pfc_rss_hash(g_table, f.v6[i].data(), PFC_RSS_IPV6_L4_LEN);
    if (rte_softrss(f.v4_words[i].data(), RTE_THASH_V4_L4_LEN, dpdk_keys().orig) != ours4 ||
        rte_softrss_be(f.v4_words[i].data(), RTE_THASH_V4_L4_LEN, be) != ours4 ||
        rte_softrss(f.v6_words[i].data(), RTE_THASH_V6_L4_LEN, dpdk_keys().orig) != ours6 ||
        rte_softrss_be(f.v6_words[i].data(), RTE_THASH_V6_L4_LEN, be) != ours6)
      return false;
  }
  return true;
}

// Words: 3 (IPv4 4-tuple) or 9 (IPv6); Be: rte_softrss_be with the converted key.
template <size_t Words, bool Be>
void BM_dpdk(benchmark::State &st) {
  if (!dpdk_agrees()) {
    st.SkipWithError("rte_softrss disagrees with pfc_rss_hash");
    return;
  }
  const uint8_t *key = Be ? reinterpret_cast<const uint8_t *>(dpdk_keys().be) : dpdk_keys().orig;
  run(st, [key](Flows &f, size_t i) {
    uint32_t *in = Words == RTE_THASH_V4_L4_LEN ? f.v4_words[i].data() : f.v6_words[i].data();
    return Be ? rte_softrss_be(in, Words, key) : rte_softrss(in, Words, key);
  });
}

BENCHMARK_TEMPLATE(BM_dpdk, RTE_THASH_V4_L4_LEN, false)->Name("BM_dpdk_softrss_ipv4_tcp");
BENCHMARK_TEMPLATE(BM_dpdk, RTE_THASH_V4_L4_LEN, true)->Name("BM_dpdk_softrss_be_ipv4_tcp");
BENCHMARK_TEMPLATE(BM_dpdk, RTE_THASH_V6_L4_LEN, false)->Name("BM_dpdk_softrss_ipv6_tcp");
BENCHMARK_TEMPLATE(BM_dpdk, RTE_THASH_V6_L4_LEN, true)->Name("BM_dpdk_softrss_be_ipv6_tcp");
#endif

}  // namespace

int main(int argc, char **argv) {
  return bench::run_main(
      argc, argv, [] { flows(), g_table = &table(); },
      {
          {"IPv4 TCP: table vs bitwise", "BM_table_ipv4_tcp", "BM_bitwise_ipv4_tcp", ">1: table faster"},
          {"IPv6 TCP: table vs bitwise", "BM_table_ipv6_tcp", "BM_bitwise_ipv6_tcp", ">1: table faster"},
          {"IPv4 TCP: table vs model", "BM_table_ipv4_tcp", "BM_model_ipv4_tcp", ">1: table faster"},
          {"IPv6 TCP: table vs model", "BM_table_ipv6_tcp", "BM_model_ipv6_tcp", ">1: table faster"},
#ifdef PFRING_BENCH_DPDK
          {"IPv4 TCP: table vs DPDK rte_softrss", "BM_table_ipv4_tcp", "BM_dpdk_softrss_ipv4_tcp", ">1: table faster"},
          {"IPv4 TCP: table vs DPDK rte_softrss_be", "BM_table_ipv4_tcp", "BM_dpdk_softrss_be_ipv4_tcp",
           ">1: table faster"},
          {"IPv6 TCP: table vs DPDK rte_softrss", "BM_table_ipv6_tcp", "BM_dpdk_softrss_ipv6_tcp", ">1: table faster"},
          {"IPv6 TCP: table vs DPDK rte_softrss_be", "BM_table_ipv6_tcp", "BM_dpdk_softrss_be_ipv6_tcp",
           ">1: table faster"},
#endif
      });
}
