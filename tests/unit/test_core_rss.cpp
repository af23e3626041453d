// test_core_rss.cpp - the Toeplitz RSS hash of src/core/rss.c: the published
// Microsoft verification vectors (table, bitwise and model), table ==
// bitwise, the symmetric key, the byte-exact hash inputs of every hash type
// and the fall-backs between them, and the indirection table.
//
// The vectors are those of Microsoft's "Verifying the RSS Hash Calculation"
// (Windows driver docs, windows-driver-docs-pr/network/
// verifying-the-rss-hash-calculation.md), hashed with the key printed there
// (pfc_rss_default_key). The table lists destination before source; the
// hash input is source first (Microsoft "RSS Hashing Functions").
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "model_rss.h"
#include "unit/parsed_info.h"
#include "unit/pkt_builder.h"

extern "C" {
#include "parse.h"
#include "rss.h"
}

namespace {

using Bytes = std::vector<uint8_t>;

uint32_t ip4(const char *s) {
  in_addr a{};
  EXPECT_EQ(inet_pton(AF_INET, s, &a), 1) << s;
  return ntohl(a.s_addr);
}

std::array<uint8_t, 16> ip6(const char *s) {
  std::array<uint8_t, 16> out{};
  EXPECT_EQ(inet_pton(AF_INET6, s, out.data()), 1) << s;
  return out;
}

const pfc_rss_table &default_table() {
  static pfc_rss_table *t = [] {
    auto *p = new pfc_rss_table;
    pfc_rss_table_init(p, pfc_rss_default_key);
    return p;
  }();
  return *t;
}

const pfc_rss_table &symmetric_table() {
  static pfc_rss_table *t = [] {
    auto *p = new pfc_rss_table;
    pfc_rss_table_init(p, pfc_rss_symmetric_key);
    return p;
  }();
  return *t;
}

Bytes key_bytes(const uint8_t *k) { return Bytes(k, k + PFC_RSS_KEY_LEN); }

// A parsed packet as pfc_parse_pkt leaves it at level 4.
pkt_parsing_info parsed4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t sport, uint16_t dport) {
  return parsed_info::ipv4(src, dst, proto, sport, dport);
}

pkt_parsing_info parsed6(const std::array<uint8_t, 16> &src, const std::array<uint8_t, 16> &dst, uint8_t proto,
                         uint16_t sport, uint16_t dport) {
  pkt_parsing_info p;
  std::memset(&p, 0, sizeof(p));
  p.ip_version = 6;
  p.l3_proto = proto;
  std::memcpy(p.ip_src.v6.s6_addr, src.data(), 16);
  std::memcpy(p.ip_dst.v6.s6_addr, dst.data(), 16);
  p.l4_src_port = sport;
  p.l4_dst_port = dport;
  p.offset.l3_offset = 14;
  p.offset.l4_offset = 54;
  return p;
}

// pfc_rss_input's bytes (out[len..36) must stay as they were: checked here).
Bytes input_of(const pkt_parsing_info &p, uint32_t types) {
  uint8_t out[PFC_RSS_MAX_INPUT];
  std::memset(out, 0xEE, sizeof(out));
  uint32_t n = pfc_rss_input(&p, types, out);
  EXPECT_LE(n, uint32_t(PFC_RSS_MAX_INPUT));
  for (uint32_t i = n; i < PFC_RSS_MAX_INPUT; i++) EXPECT_EQ(out[i], 0xEE) << "byte " << i << " written past the input";
  return Bytes(out, out + n);
}

// Hash of bytes by all three implementations; they must agree.
uint32_t hash3(const pfc_rss_table &t, const uint8_t *key, const Bytes &in) {
  // pfc_rss_hash: carry-less multiplication where the CPU has it, for
  // inputs of whole words; pfc_rss_hash_bytes: the byte table always
  uint32_t table = pfc_rss_hash(&t, in.data(), uint32_t(in.size()));
  uint32_t bytes = pfc_rss_hash_bytes(&t, in.data(), uint32_t(in.size()));
  uint32_t bitwise = pfc_rss_hash_bitwise(key, in.data(), uint32_t(in.size()));
  uint32_t model = model::toeplitz(key_bytes(key), in);
  EXPECT_EQ(table, bytes);
  EXPECT_EQ(table, bitwise);
  EXPECT_EQ(table, model);
  return table;
}

// ------------------------------------------------------- Microsoft vectors

struct V4Vector {
  const char *dst;
  uint16_t dport;
  const char *src;
  uint16_t sport;
  uint32_t hash_ip, hash_tcp;
};

// "Verifying the RSS Hash Calculation", IPv4 table, row by row.
const V4Vector kV4[] = {
    {"161.142.100.80", 1766, "66.9.149.187", 2794, 0x323e8fc2, 0x51ccc178},
    {"65.69.140.83", 4739, "199.92.111.2", 14230, 0xd718262a, 0xc626b0ea},
    {"12.22.207.184", 38024, "24.19.198.95", 12898, 0xd2d0a5de, 0x5c2b394a},
    {"209.142.163.6", 2217, "38.27.205.30", 48228, 0x82989176, 0xafc7327f},
    {"202.188.127.2", 1303, "153.39.163.191", 44251, 0x5d1809c5, 0x10e828a2},
};

struct V6Vector {
  const char *dst;
  uint16_t dport;
  const char *src;
  uint16_t sport;
  uint32_t hash_ip, hash_tcp;
};

// The same page, IPv6 table.
const V6Vector kV6[] = {
    {"3ffe:2501:200:3::1", 1766, "3ffe:2501:200:1fff::7", 2794, 0x2cc18cd5, 0x40207d3d},
    {"ff02::1", 4739, "3ffe:501:8::260:97ff:fe40:efab", 14230, 0x0f0c461c, 0xdde51bbf},
    {"fe80::200:f8ff:fe21:67cf", 38024, "3ffe:1900:4545:3:200:f8ff:fe21:67cf", 44251, 0x4b61e985, 0x02d1feef},
};

TEST(RssVectors, DefaultKeyIsTheVerificationKey) {
  const Bytes printed = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
                         0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
                         0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};
  EXPECT_EQ(key_bytes(pfc_rss_default_key), printed);
}

TEST(RssVectors, Ipv4TwoTupleAndTcp) {
  for (const V4Vector &v : kV4) {
    SCOPED_TRACE(std::string(v.src) + " -> " + v.dst);
    pkt_parsing_info p = parsed4(ip4(v.src), ip4(v.dst), PFC_IPPROTO_TCP, v.sport, v.dport);
    Bytes two = input_of(p, PFC_RSS_IPV4);
    Bytes four = input_of(p, PFC_RSS_IPV4 | PFC_RSS_IPV4_TCP);
    ASSERT_EQ(two.size(), 8u);
    ASSERT_EQ(four.size(), 12u);
    EXPECT_EQ(hash3(default_table(), pfc_rss_default_key, two), v.hash_ip);
    EXPECT_EQ(hash3(default_table(), pfc_rss_default_key, four), v.hash_tcp);
  }
}

TEST(RssVectors, Ipv6TwoTupleAndTcp) {
  for (const V6Vector &v : kV6) {
    SCOPED_TRACE(std::string(v.src) + " -> " + v.dst);
    pkt_parsing_info p = parsed6(ip6(v.src), ip6(v.dst), PFC_IPPROTO_TCP, v.sport, v.dport);
    Bytes two = input_of(p, PFC_RSS_IPV6);
    Bytes four = input_of(p, PFC_RSS_IPV6 | PFC_RSS_IPV6_TCP);
    ASSERT_EQ(two.size(), 32u);
    ASSERT_EQ(four.size(), 36u);
    EXPECT_EQ(hash3(default_table(), pfc_rss_default_key, two), v.hash_ip);
    EXPECT_EQ(hash3(default_table(), pfc_rss_default_key, four), v.hash_tcp);
  }
}

// The whole path a NIC model takes: frame bytes -> pfc_parse_pkt -> input
// -> hash, for the first vector of each table.
TEST(RssVectors, FromFrameBytes) {
  const pktb::Mac dmac = {0x00, 0x1b, 0x21, 0x00, 0x00, 0x01}, smac = {0x00, 0x1b, 0x21, 0x00, 0x00, 0x02};
  pktb::Builder b4;
  b4.eth(dmac, smac, PFC_ETH_P_IP).ipv4(ip4("66.9.149.187"), ip4("161.142.100.80"), PFC_IPPROTO_TCP)
      .tcp(2794, 1766, 1, 0, 0x02);
  pktb::Bytes f4 = b4.done();
  pkt_parsing_info p;
  std::memset(&p, 0, sizeof(p));
  ASSERT_EQ(pfc_parse_pkt(f4.data(), uint32_t(f4.size()), 4, &p, nullptr), 4);
  EXPECT_EQ(hash3(default_table(), pfc_rss_default_key, input_of(p, PFC_RSS_ALL_TYPES)), 0x51ccc178u);

  auto s6 = ip6("3ffe:2501:200:1fff::7"), d6 = ip6("3ffe:2501:200:3::1");
  pktb::Builder b6;
  b6.eth(dmac, smac, PFC_ETH_P_IPV6).ipv6(s6, d6, PFC_IPPROTO_TCP, 0, 0).tcp(2794, 1766, 1, 0, 0x02);
  pktb::Bytes f6 = b6.done();
  std::memset(&p, 0, sizeof(p));
  ASSERT_EQ(pfc_parse_pkt(f6.data(), uint32_t(f6.size()), 4, &p, nullptr), 4);
  EXPECT_EQ(hash3(default_table(), pfc_rss_default_key, input_of(p, PFC_RSS_ALL_TYPES)), 0x40207d3du);
}

// ------------------------------------------------------- table vs bitwise

TEST(RssHash, TableEqualsBitwiseEveryLength) {
  std::mt19937 rng(2024);
  for (int round = 0; round < 50; round++) {
    uint8_t key[PFC_RSS_KEY_LEN];
    for (auto &k : key) k = uint8_t(rng());
    if (round == 0) std::memcpy(key, pfc_rss_default_key, sizeof(key));
    if (round == 1) std::memcpy(key, pfc_rss_symmetric_key, sizeof(key));
    if (round == 2) std::memset(key, 0xFF, sizeof(key));
    pfc_rss_table t;
    pfc_rss_table_init(&t, key);
    for (uint32_t len = 0; len <= PFC_RSS_MAX_INPUT; len++) {
      Bytes in(len);
      for (auto &x : in) x = uint8_t(rng());
      if (round == 2) std::fill(in.begin(), in.end(), 0xFF);
      SCOPED_TRACE("round " + std::to_string(round) + " len " + std::to_string(len));
      hash3(t, key, in);
    }
  }
}

// Every table entry is the hash of a one-byte-set input.
TEST(RssHash, TableEntriesAreSingleByteHashes) {
  Bytes in(PFC_RSS_MAX_INPUT, 0);
  for (uint32_t i = 0; i < PFC_RSS_MAX_INPUT; i++)
    for (uint32_t v = 0; v < 256; v++) {
      in[i] = uint8_t(v);
      ASSERT_EQ(default_table().contrib[i][v], pfc_rss_hash_bitwise(pfc_rss_default_key, in.data(), i + 1))
          << "byte " << i << " value " << v;
      in[i] = 0;
    }
}

TEST(RssHash, EmptyInputHashesToZero) {
  EXPECT_EQ(pfc_rss_hash(&default_table(), nullptr, 0), 0u);
  EXPECT_EQ(pfc_rss_hash_bitwise(pfc_rss_default_key, nullptr, 0), 0u);
}

TEST(RssHash, LengthAbove36IsClamped) {
  Bytes in(64);
  for (size_t i = 0; i < in.size(); i++) in[i] = uint8_t(i * 37 + 1);
  uint32_t h36 = pfc_rss_hash(&default_table(), in.data(), 36);
  EXPECT_EQ(pfc_rss_hash(&default_table(), in.data(), 64), h36);
  EXPECT_EQ(pfc_rss_hash_bitwise(pfc_rss_default_key, in.data(), 64), h36);
}

// Toeplitz is linear: hash(a ^ b) == hash(a) ^ hash(b).
TEST(RssHash, Linear) {
  std::mt19937 rng(7);
  for (int i = 0; i < 100; i++) {
    Bytes a(36), b(36), x(36);
    for (size_t j = 0; j < 36; j++) {
      a[j] = uint8_t(rng());
      b[j] = uint8_t(rng());
      x[j] = a[j] ^ b[j];
    }
    EXPECT_EQ(pfc_rss_hash(&default_table(), x.data(), 36),
              pfc_rss_hash(&default_table(), a.data(), 36) ^ pfc_rss_hash(&default_table(), b.data(), 36));
  }
}

// ------------------------------------------------------- symmetric key

TEST(RssSymmetric, KeyIs6d5aRepeated) {
  for (int i = 0; i < PFC_RSS_KEY_LEN; i++) EXPECT_EQ(pfc_rss_symmetric_key[i], i % 2 ? 0x5a : 0x6d) << i;
}

TEST(RssSymmetric, BothDirectionsHashAlike) {
  for (const V4Vector &v : kV4) {
    pkt_parsing_info fwd = parsed4(ip4(v.src), ip4(v.dst), PFC_IPPROTO_UDP, v.sport, v.dport);
    pkt_parsing_info rev = parsed4(ip4(v.dst), ip4(v.src), PFC_IPPROTO_UDP, v.dport, v.sport);
    for (uint32_t types : {uint32_t(PFC_RSS_IPV4), uint32_t(PFC_RSS_ALL_TYPES)}) {
      uint32_t h = hash3(symmetric_table(), pfc_rss_symmetric_key, input_of(fwd, types));
      EXPECT_EQ(h, hash3(symmetric_table(), pfc_rss_symmetric_key, input_of(rev, types))) << v.src;
      EXPECT_NE(h, 0u);
    }
  }
  for (const V6Vector &v : kV6) {
    pkt_parsing_info fwd = parsed6(ip6(v.src), ip6(v.dst), PFC_IPPROTO_TCP, v.sport, v.dport);
    pkt_parsing_info rev = parsed6(ip6(v.dst), ip6(v.src), PFC_IPPROTO_TCP, v.dport, v.sport);
    for (uint32_t types : {uint32_t(PFC_RSS_IPV6), uint32_t(PFC_RSS_ALL_TYPES)})
      EXPECT_EQ(hash3(symmetric_table(), pfc_rss_symmetric_key, input_of(fwd, types)),
                hash3(symmetric_table(), pfc_rss_symmetric_key, input_of(rev, types)))
          << v.src;
  }
}

// The default key is not symmetric: the same swap changes the hash (this is
// why the symmetric key exists).
TEST(RssSymmetric, DefaultKeyIsNot) {
  const V4Vector &v = kV4[0];
  pkt_parsing_info fwd = parsed4(ip4(v.src), ip4(v.dst), PFC_IPPROTO_TCP, v.sport, v.dport);
  pkt_parsing_info rev = parsed4(ip4(v.dst), ip4(v.src), PFC_IPPROTO_TCP, v.dport, v.sport);
  EXPECT_NE(hash3(default_table(), pfc_rss_default_key, input_of(fwd, PFC_RSS_ALL_TYPES)),
            hash3(default_table(), pfc_rss_default_key, input_of(rev, PFC_RSS_ALL_TYPES)));
}

// Different flows still spread over the 128 buckets under the symmetric key.
TEST(RssSymmetric, SpreadsFlows) {
  std::vector<int> buckets(PFC_RSS_RETA_SIZE, 0);
  for (uint32_t i = 0; i < 4096; i++) {
    pkt_parsing_info p = parsed4(0x0A000000u + i * 7919u, 0xC0A80001u, PFC_IPPROTO_TCP, uint16_t(1024 + i), 80);
    Bytes in = input_of(p, PFC_RSS_ALL_TYPES);
    buckets[pfc_rss_hash(&symmetric_table(), in.data(), uint32_t(in.size())) & 127]++;
  }
  int used = 0;
  for (int n : buckets) used += n > 0;
  EXPECT_GE(used, 64);  // 16 key bits: weaker than the default key, far from constant
}

// ------------------------------------------------------- input layouts

const uint32_t kA = 0x0A000001;  // 10.0.0.1
const uint32_t kB = 0xC0A80102;  // 192.168.1.2
const std::array<uint8_t, 16> kA6 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
const std::array<uint8_t, 16> kB6 = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x1b, 0x21, 0xff, 0xfe, 0x00, 0x12, 0x34};

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes &p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

const Bytes kA4b = {0x0a, 0x00, 0x00, 0x01}, kB4b = {0xc0, 0xa8, 0x01, 0x02};
const Bytes kPorts = {0x30, 0x39, 0x00, 0x50};  // 12345 -> 80
const Bytes kA6b(kA6.begin(), kA6.end()), kB6b(kB6.begin(), kB6.end());

TEST(RssInput, Ipv4Layouts) {
  pkt_parsing_info tcp = parsed4(kA, kB, PFC_IPPROTO_TCP, 12345, 80);
  pkt_parsing_info udp = parsed4(kA, kB, PFC_IPPROTO_UDP, 12345, 80);
  EXPECT_EQ(input_of(tcp, PFC_RSS_IPV4_TCP), cat({kA4b, kB4b, kPorts}));
  EXPECT_EQ(input_of(udp, PFC_RSS_IPV4_UDP), cat({kA4b, kB4b, kPorts}));
  EXPECT_EQ(input_of(tcp, PFC_RSS_IPV4), cat({kA4b, kB4b}));
  EXPECT_EQ(input_of(udp, PFC_RSS_IPV4), cat({kA4b, kB4b}));
}

TEST(RssInput, Ipv6Layouts) {
  pkt_parsing_info tcp = parsed6(kA6, kB6, PFC_IPPROTO_TCP, 12345, 80);
  pkt_parsing_info udp = parsed6(kA6, kB6, PFC_IPPROTO_UDP, 12345, 80);
  EXPECT_EQ(input_of(tcp, PFC_RSS_IPV6_TCP), cat({kA6b, kB6b, kPorts}));
  EXPECT_EQ(input_of(udp, PFC_RSS_IPV6_UDP), cat({kA6b, kB6b, kPorts}));
  EXPECT_EQ(input_of(tcp, PFC_RSS_IPV6), cat({kA6b, kB6b}));
  EXPECT_EQ(input_of(udp, PFC_RSS_IPV6), cat({kA6b, kB6b}));
}

// Which input each packet gets, per enabled set: the expected-length table.
TEST(RssInput, TypeSelection) {
  struct Case {
    const char *what;
    pkt_parsing_info p;
    uint32_t types;
    size_t len;
  };
  pkt_parsing_info tcp4 = parsed4(kA, kB, PFC_IPPROTO_TCP, 1, 2), udp4 = parsed4(kA, kB, PFC_IPPROTO_UDP, 1, 2);
  pkt_parsing_info icmp4 = parsed4(kA, kB, PFC_IPPROTO_ICMP, 0, 0), sctp4 = parsed4(kA, kB, PFC_IPPROTO_SCTP, 1, 2);
  pkt_parsing_info tcp6 = parsed6(kA6, kB6, PFC_IPPROTO_TCP, 1, 2), udp6 = parsed6(kA6, kB6, PFC_IPPROTO_UDP, 1, 2);
  pkt_parsing_info icmp6 = parsed6(kA6, kB6, PFC_IPPROTO_ICMPV6, 0, 0);
  pkt_parsing_info later_frag4 = tcp4, later_frag6 = udp6;
  later_frag4.offset.l4_offset = 0;
  later_frag4.l4_src_port = later_frag4.l4_dst_port = 0;
  later_frag6.offset.l4_offset = 0;
  pkt_parsing_info arp;
  std::memset(&arp, 0, sizeof(arp));
  arp.eth_type = 0x0806;
  arp.offset.l3_offset = 14;

  const uint32_t all = PFC_RSS_ALL_TYPES, v4_all = PFC_RSS_IPV4 | PFC_RSS_IPV4_TCP | PFC_RSS_IPV4_UDP;
  const Case cases[] = {
      {"tcp4, all", tcp4, all, 12},
      {"udp4, all", udp4, all, 12},
      {"icmp4 under 4-tuple types falls back", icmp4, all, 8},
      {"sctp4 under 4-tuple types falls back", sctp4, all, 8},
      {"icmp4, 4-tuple types only: not hashed", icmp4, PFC_RSS_IPV4_TCP | PFC_RSS_IPV4_UDP, 0},
      {"tcp4, UDP 4-tuple + 2-tuple", tcp4, PFC_RSS_IPV4_UDP | PFC_RSS_IPV4, 8},
      {"udp4, TCP 4-tuple + 2-tuple", udp4, PFC_RSS_IPV4_TCP | PFC_RSS_IPV4, 8},
      {"udp4, TCP 4-tuple only", udp4, PFC_RSS_IPV4_TCP, 0},
      {"tcp4, IPv6 types only", tcp4, PFC_RSS_IPV6 | PFC_RSS_IPV6_TCP, 0},
      {"tcp4, no types", tcp4, 0, 0},
      {"later fragment of tcp4", later_frag4, all, 8},
      {"later fragment of tcp4, 4-tuple only", later_frag4, PFC_RSS_IPV4_TCP, 0},
      {"tcp6, all", tcp6, all, 36},
      {"udp6, all", udp6, all, 36},
      {"icmp6 under 4-tuple types falls back", icmp6, all, 32},
      {"tcp6, UDP 4-tuple + 2-tuple", tcp6, PFC_RSS_IPV6_UDP | PFC_RSS_IPV6, 32},
      {"udp6, UDP 4-tuple only", udp6, PFC_RSS_IPV6_UDP, 36},
      {"tcp6, IPv4 types only", tcp6, v4_all, 0},
      {"later fragment of udp6", later_frag6, all, 32},
      {"non-IP (ARP)", arp, all, 0},
  };
  for (const Case &c : cases) {
    Bytes in = input_of(c.p, c.types);
    EXPECT_EQ(in.size(), c.len) << c.what;
    auto t = model::rss_tuple(c.p, c.types);
    EXPECT_EQ(t ? model::serialize(*t) : Bytes{}, in) << c.what;
    if (c.len == 0) {
      EXPECT_EQ(pfc_rss_hash(&default_table(), in.data(), 0), 0u) << c.what;
    }
  }
}

// Only version, protocol, addresses, ports and l4_offset are read.
TEST(RssInput, IgnoresOtherFields) {
  pkt_parsing_info a = parsed4(kA, kB, PFC_IPPROTO_TCP, 12345, 80);
  pkt_parsing_info b = a;
  b.vlan_id = 42;
  b.ip_tos = 0xFF;
  b.tcp.seq_num = 99;
  b.tunnel.tunnel_id = 7;
  b.smac[0] = 1;
  b.offset.l4_offset = 38;  // other value, still located
  std::memset(reinterpret_cast<uint8_t *>(&b.ip_src) + 4, 0xAB, sizeof(b.ip_src) - 4);
  EXPECT_EQ(input_of(a, PFC_RSS_ALL_TYPES), input_of(b, PFC_RSS_ALL_TYPES));
}

// ------------------------------------------------------- indirection table

TEST(RssReta, DefaultIsRoundRobin) {
  for (uint32_t n : {1u, 2u, 3u, 4u, 7u, 8u, 16u, 128u, 200u, 256u}) {
    uint8_t reta[PFC_RSS_RETA_SIZE];
    std::memset(reta, 0xEE, sizeof(reta));
    ASSERT_EQ(pfc_rss_reta_default(reta, n), 0) << n;
    EXPECT_EQ(Bytes(reta, reta + PFC_RSS_RETA_SIZE), model::reta_default(n)) << n;
    for (uint32_t i = 0; i < PFC_RSS_RETA_SIZE; i++) EXPECT_EQ(reta[i], i % n);
  }
}

TEST(RssReta, RejectsZeroAndTooManyQueues) {
  for (uint32_t n : {0u, 257u, 1000u, 0xFFFFFFFFu}) {
    uint8_t reta[PFC_RSS_RETA_SIZE];
    std::memset(reta, 0xEE, sizeof(reta));
    EXPECT_EQ(pfc_rss_reta_default(reta, n), -1) << n;
    EXPECT_EQ(Bytes(reta, reta + PFC_RSS_RETA_SIZE), Bytes(PFC_RSS_RETA_SIZE, 0)) << n;
  }
}

TEST(RssReta, QueueUsesSevenLowBits) {
  uint8_t reta[PFC_RSS_RETA_SIZE];
  for (uint32_t i = 0; i < PFC_RSS_RETA_SIZE; i++) reta[i] = uint8_t(255 - i);
  EXPECT_EQ(pfc_rss_queue(reta, 0), 255u);
  EXPECT_EQ(pfc_rss_queue(reta, 127), 128u);
  EXPECT_EQ(pfc_rss_queue(reta, 128), 255u);
  EXPECT_EQ(pfc_rss_queue(reta, 0xFFFFFF80u), 255u);
  EXPECT_EQ(pfc_rss_queue(reta, 0x51ccc178u), uint32_t(255 - 0x78));
}

// Expected queues of the Microsoft IPv4 TCP vectors with 4 and 16 queues
// (low 7 bits of 0x51ccc178 is 0x78 = 120: queue 0 of 4, 8 of 16).
TEST(RssReta, VectorQueues) {
  uint8_t r4[PFC_RSS_RETA_SIZE], r16[PFC_RSS_RETA_SIZE];
  ASSERT_EQ(pfc_rss_reta_default(r4, 4), 0);
  ASSERT_EQ(pfc_rss_reta_default(r16, 16), 0);
  const uint32_t want4[] = {0, 2, 2, 3, 2}, want16[] = {8, 10, 10, 15, 2};
  for (size_t i = 0; i < 5; i++) {
    EXPECT_EQ(pfc_rss_queue(r4, kV4[i].hash_tcp), want4[i]) << i;
    EXPECT_EQ(pfc_rss_queue(r16, kV4[i].hash_tcp), want16[i]) << i;
    EXPECT_EQ(pfc_rss_queue(r16, kV4[i].hash_tcp), model::reta_queue(model::reta_default(16), kV4[i].hash_tcp));
  }
}

}  // namespace
