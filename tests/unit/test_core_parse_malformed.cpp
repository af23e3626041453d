// test_core_parse_malformed.cpp - pfc_parse_pkt on truncated and malformed
// packets: no read past caplen (every parse runs on an exact-size heap copy
// under ASan), and the level and fields a cut or broken header leaves.
// Every parse is also checked against the model (parse_check.h).
#include <gtest/gtest.h>

#include <functional>

#include "parse_check.h"

using parse_check::parse;
using parse_check::Result;
using pktb::Builder;
using pktb::Bytes;

namespace {

const pktb::Mac kDst = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
const pktb::Mac kSrc = {0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB};
const uint32_t kIpA = 0x0A000001;
const uint32_t kIpB = 0x0A000002;
const pktb::Ip6 kIp6A = pktb::ip6({0xFE80, 0, 0, 0, 0, 0, 0, 1});
const pktb::Ip6 kIp6B = pktb::ip6({0xFE80, 0, 0, 0, 0, 0, 0, 2});

// From caplen `from` on (up to the next step), the parse returns `ret`.
struct Step {
  size_t from;
  int ret;
};

// Parses every prefix 0..len of pkt at `level`, checks the return value
// against the steps, and runs `check` on each result.
void sweep(const Bytes& pkt, int level, const std::vector<Step>& steps,
           const std::function<void(size_t, const Result&)>& check = {}) {
  for (size_t len = 0; len <= pkt.size(); len++) {
    int want = 0;
    for (const Step& s : steps)
      if (len >= s.from) want = s.ret;
    Result r = parse(pkt, level, len);
    ASSERT_EQ(r.ret, want) << "caplen " << len;
    if (check) check(len, r);
    if (::testing::Test::HasFailure()) FAIL() << "at caplen " << len;
  }
}

// ---------------------------------------------------------------- truncation sweeps

TEST(CoreParseTruncated, VlanTcpIpv4AtEveryLength) {
  pktb::Ipv4Opts o;
  o.options.assign(8, 0x07);
  Bytes pkt = Builder().macs(kDst, kSrc).tag(0x8100, 44).type(0x0800)
                  .ipv4(kIpA, kIpB, 6, o).tcp(1, 2, 3, 4, 0x18, 4).payload(6).done();
  // Ethernet 14, tag to 18, IPv4 with options to 46, TCP with options to 70.
  sweep(pkt, 4, {{14, 2}, {46, 3}, {70, 4}}, [](size_t len, const Result& r) {
    if (len >= 14 && len < 18) {  // the tag is cut: it is left as the L3 type
      EXPECT_EQ(r.p.eth_type, 0x8100);
      EXPECT_EQ(r.p.vlan_id, NO_VLAN);
      EXPECT_EQ(r.p.offset.l3_offset, 14);
    }
    if (len >= 18) {
      EXPECT_EQ(r.p.vlan_id, 44);
      EXPECT_EQ(r.p.offset.l3_offset, 18);
    }
    if (len >= 70) {
      EXPECT_EQ(r.p.offset.payload_offset, 70);
    }
    EXPECT_LE(r.p.offset.payload_offset, int(len));
  });
}

TEST(CoreParseTruncated, Ipv6ExtensionChainAtEveryLength) {
  Bytes pkt = Builder().eth(kDst, kSrc, 0x86DD).ipv6(kIp6A, kIp6B, 0).ext6(51, 8).ah(44, 24)
                  .frag6(17, 0, true).udp(100, 200).payload(4).done();
  // IPv6 to 54, hop-by-hop to 62, AH to 86, fragment to 94, UDP to 102.
  sweep(pkt, 4, {{14, 2}, {54, 3}, {102, 4}}, [](size_t len, const Result& r) {
    if (len < 54) return;
    uint8_t proto = len < 62 ? 0 : len < 86 ? 51 : len < 94 ? 44 : 17;
    EXPECT_EQ(r.p.l3_proto, proto);
    EXPECT_EQ(r.p.offset.l4_offset, len < 94 ? 0 : 94);
    // The fragment header's M bit is only known once it is walked.
    EXPECT_EQ(r.flags, len < 94 ? 0u : uint32_t(PKT_FLAGS_IP_MORE_FRAG));
  });
}

TEST(CoreParseTruncated, VlanStackAtEveryLength) {
  Bytes pkt = Builder().macs(kDst, kSrc).tag(0x88A8, 1).tag(0x9100, 2).tag(0x8100, 3)
                  .type(0x0800).ipv4(kIpA, kIpB, 17).udp(1, 2).done();
  sweep(pkt, 4, {{14, 2}, {46, 3}, {54, 4}}, [](size_t len, const Result& r) {
    if (len < 14) return;
    size_t tags = len >= 26 ? 3 : (len - 14) / 4;
    EXPECT_EQ(r.p.offset.l3_offset, int(14 + 4 * tags));
    EXPECT_EQ(r.p.vlan_id, tags >= 1 ? 1 : NO_VLAN);
    EXPECT_EQ(r.p.qinq_vlan_id, tags >= 2 ? 2 : NO_VLAN);
    const uint16_t type_after[] = {0x88A8, 0x9100, 0x8100, 0x0800};
    EXPECT_EQ(r.p.eth_type, type_after[tags]);
  });
}

TEST(CoreParseTruncated, GtpuAtEveryLength) {
  Bytes pkt = Builder().eth(kDst, kSrc, 0x0800).ipv4(kIpA, kIpB, 17).udp(2152, 2152)
                  .gtpu(0xCAFE, 0xFF, 1u, {}, {{0x85, 1}})
                  .ipv4(kIpB, kIpA, 17).udp(7, 8).done();
  // UDP to 42, GTP-U header + optional word + one extension to 58, inner
  // IPv4 to 78, inner UDP to 86.
  sweep(pkt, 5, {{14, 2}, {34, 3}, {42, 4}, {78, 5}}, [](size_t len, const Result& r) {
    EXPECT_EQ(r.p.tunnel.tunnel_id, len >= 58 ? 0xCAFEu : NO_TUNNEL_ID);
    EXPECT_EQ(r.p.tunnel.tunneled_l4_dst_port, len >= 86 ? 8 : 0);
  });
}

TEST(CoreParseTruncated, VxlanAtEveryLength) {
  Bytes pkt = Builder().eth(kDst, kSrc, 0x0800).ipv4(kIpA, kIpB, 17).udp(999, 4789).vxlan(7)
                  .eth(kSrc, kDst, 0x86DD).ipv6(kIp6A, kIp6B, 6).tcp(1, 2, 3, 4, 5).done();
  // VXLAN to 50, inner Ethernet to 64, inner IPv6 to 104, inner TCP to 124.
  sweep(pkt, 5, {{14, 2}, {34, 3}, {42, 4}, {104, 5}}, [](size_t len, const Result& r) {
    EXPECT_EQ(r.p.tunnel.tunnel_id, len >= 50 ? 7u : NO_TUNNEL_ID);
    EXPECT_EQ(r.p.tunnel.tunneled_l4_src_port, len >= 124 ? 1 : 0);
  });
}

TEST(CoreParseTruncated, GreAtEveryLength) {
  Bytes pkt = Builder().eth(kDst, kSrc, 0x0800).ipv4(kIpA, kIpB, 47).gre(0x0800, 5u, true, 6u)
                  .ipv4(kIpB, kIpA, 6).tcp(10, 20, 0, 0, 2).done();
  // GRE with checksum, key and sequence to 50, inner IPv4 to 70, TCP to 90.
  sweep(pkt, 5, {{14, 2}, {34, 3}, {50, 4}, {70, 5}}, [](size_t len, const Result& r) {
    EXPECT_EQ(r.p.tunnel.tunnel_id, len >= 50 ? 5u : NO_TUNNEL_ID);
    EXPECT_EQ(r.p.offset.payload_offset, len >= 50 ? 50 : 0);
    EXPECT_EQ(r.p.tunnel.tunneled_l4_src_port, len >= 90 ? 10 : 0);
  });
}

// ---------------------------------------------------------------- IPv4

TEST(CoreParseMalformed, Ipv4IhlBelowFive) {
  for (int ihl = 0; ihl < 5; ihl++) {
    pktb::Ipv4Opts o;
    o.ihl_override = ihl;
    Bytes pkt = Builder().eth(kDst, kSrc, 0x0800).ipv4(kIpA, kIpB, 6, o).tcp(1, 2, 3, 4, 5).done();
    Result r = parse(pkt, 4);
    EXPECT_EQ(r.ret, 2) << ihl;
    EXPECT_EQ(r.p.ip_version, 0) << ihl;
    EXPECT_EQ(r.p.offset.l3_offset, 14) << ihl;
    EXPECT_EQ(r.p.offset.l4_offset, 0) << ihl;
  }
}

TEST(CoreParseMalformed, Ipv4IhlPastCaplen) {
  pktb::Ipv4Opts o;
  o.ihl_override = 15;  // 60 bytes, only 20 + 8 there
  Bytes pkt = Builder().eth(kDst, kSrc, 0x0800).ipv4(kIpA, kIpB, 17, o).udp(1, 2).done();
  EXPECT_EQ(parse(pkt, 4).ret, 2);
}

TEST(CoreParseMalformed, Ipv4TotalLengthShorterThanHeader) {
  for (int tot : {1, 19, 23}) {
    pktb::Ipv4Opts o;
    o.options.assign(4, 0x01);  // 24-byte header
    o.total_len_override = tot;
    Bytes pkt = Builder().eth(kDst, kSrc, 0x0800).ipv4(kIpA, kIpB, 17, o).udp(1, 2).done();
    Result r = parse(pkt, 4);
    EXPECT_EQ(r.ret, 2) << tot;
    EXPECT_EQ(r.p.ip_version, 0) << tot;
  }
  pktb::Ipv4Opts o;
  o.total_len_override = 1500;  // longer than captured: a snaplen cut, fine
  Bytes pkt = Builder().eth(kDst, kSrc, 0x0800).ipv4(kIpA, kIpB, 17, o).udp(1, 2).done();
  EXPECT_EQ(parse(pkt, 4).ret, 4);
}

TEST(CoreParseMalformed, IpVersionNibbleMustMatchEtherType) {
  Bytes v4 = Builder().eth(kDst, kSrc, 0x0800).ipv4(kIpA, kIpB, 17).udp(1, 2).done();
  v4[14] = 0x65;  // version 6 in an 0x0800 frame
  EXPECT_EQ(parse(v4, 4).ret, 2);
  Bytes v6 = Builder().eth(kDst, kSrc, 0x86DD).ipv6(kIp6A, kIp6B, 17).udp(1, 2).done();
  v6[14] = 0x40;
  EXPECT_EQ(parse(v6, 4).ret, 2);
}

TEST(CoreParseMalformed, TcpDataOffsetBelowFiveOrPastCaplen) {
  for (int doff : {0, 4, 15}) {
    Bytes pkt = Builder().eth(kDst, kSrc, 0x0800).ipv4(kIpA, kIpB, 6)
                    .tcp(1, 2, 3, 4, 5, 0, doff).payload(8).done();
    Result r = parse(pkt, 4);
    EXPECT_EQ(r.ret, 3) << doff;
    EXPECT_EQ(r.p.offset.l4_offset, 34) << doff;
    EXPECT_EQ(r.p.l4_src_port, 0) << doff;
    EXPECT_EQ(r.p.offset.payload_offset, 0) << doff;
  }
}

// ---------------------------------------------------------------- IPv6

TEST(CoreParseMalformed, Ipv6ExtensionLengthPastCaplen) {
  for (uint8_t type : {0, 43, 60, 51}) {
    Builder b;
    b.eth(kDst, kSrc, 0x86DD).ipv6(kIp6A, kIp6B, type);
    b.u8(17).u8(255).payload(30);  // claims 2048 (or 1028 for AH) bytes
    Bytes pkt = b.done();
    Result r = parse(pkt, 4);
    EXPECT_EQ(r.ret, 3) << int(type);
    EXPECT_EQ(r.p.l3_proto, type);
    EXPECT_EQ(r.p.offset.l4_offset, 0);
  }
}

TEST(CoreParseMalformed, TooManyIpv6ExtensionHeaders) {
  Builder b;
  b.eth(kDst, kSrc, 0x86DD).ipv6(kIp6A, kIp6B, 60);
  for (int i = 0; i <= PFC_MAX_IPV6_EXT_HDRS; i++)
    b.ext6(i < PFC_MAX_IPV6_EXT_HDRS ? 60 : 17, 8);
  Bytes pkt = b.udp(1, 2).done();
  Result r = parse(pkt, 4);
  EXPECT_EQ(r.ret, 3);
  EXPECT_EQ(r.p.l3_proto, 60);
  EXPECT_EQ(r.p.offset.l4_offset, 0);
}

// ---------------------------------------------------------------- VLAN

TEST(CoreParseMalformed, VlanStackDeeperThanThePacket) {
  // All tags, every one announcing another, and no payload at all.
  Bytes pkt = Builder().macs(kDst, kSrc).tag(0x8100, 1).tag(0x8100, 2).tag(0x8100, 3)
                  .type(0x8100).done();
  Result r = parse(pkt, 5);
  EXPECT_EQ(r.ret, 2);
  EXPECT_EQ(r.p.vlan_id, 1);
  EXPECT_EQ(r.p.qinq_vlan_id, 2);
  EXPECT_EQ(r.p.eth_type, 0x8100);
  EXPECT_EQ(r.p.offset.l3_offset, int(pkt.size()));
}

TEST(CoreParseMalformed, MoreThanMaxVlanTags) {
  Builder b;
  b.macs(kDst, kSrc);
  for (int i = 0; i < PFC_MAX_VLAN_TAGS + 2; i++) b.tag(0x8100, uint16_t(100 + i));
  Bytes pkt = b.type(0x0800).ipv4(kIpA, kIpB, 17).udp(1, 2).done();
  Result r = parse(pkt, 4);
  EXPECT_EQ(r.ret, 2);
  EXPECT_EQ(r.p.vlan_id, 100);
  EXPECT_EQ(r.p.qinq_vlan_id, 101);
  EXPECT_EQ(r.p.eth_type, 0x8100);  // the first tag not walked
  EXPECT_EQ(r.p.offset.l3_offset, 14 + 4 * PFC_MAX_VLAN_TAGS);
}

// ---------------------------------------------------------------- tunnels

Builder gtp_outer() {
  Builder b;
  b.eth(kDst, kSrc, 0x0800).ipv4(kIpA, kIpB, 17).udp(2152, 2152);
  return b;
}

TEST(CoreParseMalformed, GtpuCutShort) {
  // Mandatory header cut, optional word cut, extension header cut.
  Bytes base = gtp_outer().gtpu(9, 0xFF, 1u, {}, {{0x85, 2}}).ipv4(kIpB, kIpA, 6).done();
  for (size_t cut : {44, 49, 52, 58}) {
    Result r = parse(base, 5, cut);
    EXPECT_EQ(r.ret, 4) << cut;
    EXPECT_EQ(r.p.tunnel.tunnel_id, NO_TUNNEL_ID) << cut;
  }
  // Header whole but the inner packet missing: TEID known, no inner.
  Result r = parse(base, 5, 62);
  EXPECT_EQ(r.ret, 4);
  EXPECT_EQ(r.p.tunnel.tunnel_id, 9u);
}

TEST(CoreParseMalformed, GtpuExtensionLengthZero) {
  Bytes pkt = gtp_outer().u8(0x34).u8(0xFF).u16(0).u32(3).u16(0).u8(0).u8(0x85)
                  .u8(0).u8(0).u8(0).u8(0).ipv4(kIpB, kIpA, 6).done();
  Result r = parse(pkt, 5);
  EXPECT_EQ(r.ret, 4);
  EXPECT_EQ(r.p.tunnel.tunnel_id, NO_TUNNEL_ID);
}

TEST(CoreParseMalformed, GtpuInnerNotIp) {
  Bytes pkt = gtp_outer().gtpu(3).u8(0x20).payload(40).done();
  Result r = parse(pkt, 5);
  EXPECT_EQ(r.ret, 4);
  EXPECT_EQ(r.p.tunnel.tunnel_id, 3u);
}

TEST(CoreParseMalformed, VxlanCutShort) {
  Bytes pkt = Builder().eth(kDst, kSrc, 0x0800).ipv4(kIpA, kIpB, 17).udp(1, 4789).vxlan(77)
                  .eth(kSrc, kDst, 0x0800).ipv4(kIpB, kIpA, 17).udp(3, 4).done();
  Result r = parse(pkt, 5, 46);  // half a VXLAN header
  EXPECT_EQ(r.ret, 4);
  EXPECT_EQ(r.p.tunnel.tunnel_id, NO_TUNNEL_ID);
  r = parse(pkt, 5, 60);  // inner Ethernet cut
  EXPECT_EQ(r.ret, 4);
  EXPECT_EQ(r.p.tunnel.tunnel_id, 77u);
  EXPECT_EQ(r.p.tunnel.tunneled_ip_version, 0);
}

TEST(CoreParseMalformed, GreCutShortOrUnsupported) {
  Bytes keyed = Builder().eth(kDst, kSrc, 0x0800).ipv4(kIpA, kIpB, 47).gre(0x0800, 1u, true, 2u)
                    .ipv4(kIpB, kIpA, 17).udp(1, 2).done();
  for (size_t cut : {35, 37, 38, 42, 49}) {
    Result r = parse(keyed, 5, cut);
    EXPECT_EQ(r.ret, 3) << cut;
    EXPECT_EQ(r.p.offset.payload_offset, 0) << cut;
  }
  // Routing present (RFC 1701 R bit) and versions above 1: not parsed.
  for (uint16_t word : {uint16_t(0x4000), uint16_t(0x0800), uint16_t(0x0002), uint16_t(0x0007)}) {
    Bytes pkt = Builder().eth(kDst, kSrc, 0x0800).ipv4(kIpA, kIpB, 47).u16(word).u16(0x0800)
                    .u32(0).ipv4(kIpB, kIpA, 17).udp(1, 2).done();
    EXPECT_EQ(parse(pkt, 5).ret, 3) << word;
  }
}

TEST(CoreParseMalformed, TunnelInnerIpv6ChainCut) {
  Bytes pkt = gtp_outer().gtpu(5).ipv6(kIp6A, kIp6B, 0).u8(6).u8(20).payload(10).done();
  Result r = parse(pkt, 5);
  EXPECT_EQ(r.ret, 5);  // the inner IPv6 header itself is whole
  EXPECT_EQ(r.p.tunnel.tunneled_proto, 0);
  EXPECT_EQ(r.p.tunnel.tunneled_l4_src_port, 0);
}

// ---------------------------------------------------------------- sizes

TEST(CoreParseMalformed, OffsetsNeverOverflowInt16) {
  // 15 destination-options headers of 2048 bytes: L4 at 30774, parsed.
  // 16 of them would put L4 past 32767: the chain is not walked.
  for (int n : {15, 16}) {
    Builder b;
    b.eth(kDst, kSrc, 0x86DD).ipv6(kIp6A, kIp6B, 60);
    for (int i = 0; i < n; i++) b.ext6(i + 1 < n ? 60 : 17, 2048);
    Bytes pkt = b.udp(1, 2).payload(100).done();
    Result r = parse(pkt, 4);
    EXPECT_EQ(r.ret, n == 15 ? 4 : 3);
    EXPECT_EQ(r.p.offset.l4_offset, n == 15 ? 54 + 15 * 2048 : 0);
    EXPECT_GE(r.p.offset.payload_offset, 0);
  }
  // A huge frame with small headers parses normally.
  Bytes big = Builder().eth(kDst, kSrc, 0x0800).ipv4(kIpA, kIpB, 6).tcp(1, 2, 3, 4, 5)
                  .fill(70000, 0xEE).done();
  EXPECT_EQ(parse(big, 4).ret, 4);
}

TEST(CoreParseMalformed, EmptyAndTinyPackets) {
  Bytes pkt = Builder().eth(kDst, kSrc, 0x0800).done();
  for (size_t len = 0; len < 14; len++) {
    Result r = parse(pkt, 5, len);
    EXPECT_EQ(r.ret, 0);
    EXPECT_EQ(r.p.vlan_id, NO_VLAN);
    EXPECT_EQ(r.p.tunnel.tunnel_id, NO_TUNNEL_ID);
  }
  EXPECT_EQ(parse(pkt, 5).ret, 2);  // Ethernet only, no IPv4 header
}

}  // namespace
