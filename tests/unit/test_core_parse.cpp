// test_core_parse.cpp - pfc_parse_pkt (guide 8.14) on hand-built, well-formed
// packets: every header type, the level argument, the l3/l4_offset shortcut,
// the return value and pfc_bidir_hash. Malformed and truncated packets are
// in test_core_parse_malformed.cpp. Every parse is also checked against the
// model (parse_check.h).
#include <gtest/gtest.h>

#include "parse_check.h"

using parse_check::parse;
using parse_check::reparse;
using parse_check::Result;
using parse_check::v6_of;
using pktb::Builder;
using pktb::Bytes;

namespace {

const pktb::Mac kDst = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
const pktb::Mac kSrc = {0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB};
const pktb::Mac kInDst = {0x02, 0, 0, 0, 0, 0xD0};
const pktb::Mac kInSrc = {0x02, 0, 0, 0, 0, 0x50};
const uint32_t kIpA = 0x0A000001;  // 10.0.0.1
const uint32_t kIpB = 0xC0A80102;  // 192.168.1.2
const uint32_t kIpC = 0xAC100001;  // 172.16.0.1
const uint32_t kIpD = 0xAC100002;
const pktb::Ip6 kIp6A = pktb::ip6({0x2001, 0x0DB8, 0, 0, 0, 0, 0, 1});
const pktb::Ip6 kIp6B = pktb::ip6({0x2001, 0x0DB8, 0xFFFF, 0, 0x1234, 0, 0xAB, 2});

// Ethernet + IPv4 with the given L4 protocol, as a starting point.
Builder eth_ipv4(uint8_t proto, const pktb::Ipv4Opts& o = {}) {
  Builder b;
  b.eth(kDst, kSrc, 0x0800).ipv4(kIpA, kIpB, proto, o);
  return b;
}

Builder eth_ipv6(uint8_t next) {
  Builder b;
  b.eth(kDst, kSrc, 0x86DD).ipv6(kIp6A, kIp6B, next, 0xB8, 0x12345);
  return b;
}

void expect_no_tunnel(const Result& r) {
  EXPECT_EQ(r.p.tunnel.tunnel_id, NO_TUNNEL_ID);
  EXPECT_EQ(r.p.tunnel.tunneled_ip_version, 0);
  EXPECT_EQ(r.p.tunnel.tunneled_l4_src_port, 0);
}

// ---------------------------------------------------------------- L2

TEST(CoreParseL2, EthernetIINonIp) {
  Bytes pkt = Builder().eth(kDst, kSrc, 0x0806).payload(28).done();
  Result r = parse(pkt, 5);
  EXPECT_EQ(r.ret, 2);
  EXPECT_EQ(0, std::memcmp(r.p.dmac, kDst.data(), 6));
  EXPECT_EQ(0, std::memcmp(r.p.smac, kSrc.data(), 6));
  EXPECT_EQ(r.p.eth_type, 0x0806);
  EXPECT_EQ(r.p.vlan_id, NO_VLAN);
  EXPECT_EQ(r.p.qinq_vlan_id, NO_VLAN);
  EXPECT_EQ(r.p.offset.eth_offset, 0);
  EXPECT_EQ(r.p.offset.vlan_offset, 0);
  EXPECT_EQ(r.p.offset.l3_offset, 14);
  EXPECT_EQ(r.p.offset.l4_offset, 0);
  EXPECT_EQ(r.p.ip_version, 0);
  expect_no_tunnel(r);
}

TEST(CoreParseL2, Dot1QTagMasksPriorityAndDei) {
  Bytes pkt = Builder().macs(kDst, kSrc).tag(0x8100, 0xF000 | 100).type(0x0800)
                  .ipv4(kIpA, kIpB, 17).udp(1, 2).done();
  Result r = parse(pkt, 4);
  EXPECT_EQ(r.ret, 4);
  EXPECT_EQ(r.p.vlan_id, 100);
  EXPECT_EQ(r.p.qinq_vlan_id, NO_VLAN);
  EXPECT_EQ(r.p.eth_type, 0x0800);
  EXPECT_EQ(r.p.offset.vlan_offset, 14);  // the TCI, as PF_RING has it
  EXPECT_EQ(r.p.offset.l3_offset, 18);
  EXPECT_EQ(r.p.offset.l4_offset, 38);
}

class CoreParseQinQ : public ::testing::TestWithParam<uint16_t> {};

TEST_P(CoreParseQinQ, OuterAndInnerIds) {
  Bytes pkt = Builder().macs(kDst, kSrc).tag(GetParam(), 0x2000 | 300).tag(0x8100, 7)
                  .type(0x86DD).ipv6(kIp6A, kIp6B, 17).udp(53, 5353).done();
  Result r = parse(pkt, 4);
  EXPECT_EQ(r.ret, 4);
  EXPECT_EQ(r.p.vlan_id, 300);
  EXPECT_EQ(r.p.qinq_vlan_id, 7);
  EXPECT_EQ(r.p.eth_type, 0x86DD);
  EXPECT_EQ(r.p.offset.vlan_offset, 14);
  EXPECT_EQ(r.p.offset.l3_offset, 22);
  EXPECT_EQ(r.p.l4_dst_port, 5353);
}

INSTANTIATE_TEST_SUITE_P(Tpids, CoreParseQinQ, ::testing::Values(0x88A8, 0x9100, 0x8100));

TEST(CoreParseL2, ThreeTagsReportFirstTwoAndSkipAll) {
  Bytes pkt = Builder().macs(kDst, kSrc).tag(0x88A8, 1).tag(0x8100, 2).tag(0x8100, 3)
                  .type(0x0800).ipv4(kIpA, kIpB, 6).tcp(1, 2, 3, 4, 0x10).done();
  Result r = parse(pkt, 4);
  EXPECT_EQ(r.ret, 4);
  EXPECT_EQ(r.p.vlan_id, 1);
  EXPECT_EQ(r.p.qinq_vlan_id, 2);
  EXPECT_EQ(r.p.offset.l3_offset, 26);
  EXPECT_EQ(r.p.l4_src_port, 1);
}

TEST(CoreParseL2, ExactlyMaxTagsStillReachesIp) {
  Builder b;
  b.macs(kDst, kSrc);
  for (int i = 0; i < PFC_MAX_VLAN_TAGS; i++) b.tag(0x8100, uint16_t(10 + i));
  Bytes pkt = b.type(0x0800).ipv4(kIpA, kIpB, 17).udp(7, 9).done();
  Result r = parse(pkt, 4);
  EXPECT_EQ(r.ret, 4);
  EXPECT_EQ(r.p.offset.l3_offset, 14 + 4 * PFC_MAX_VLAN_TAGS);
  EXPECT_EQ(r.p.l4_dst_port, 9);
}

// ---------------------------------------------------------------- IPv4

TEST(CoreParseIpv4, TcpAllFields) {
  pktb::Ipv4Opts o;
  o.tos = 0x2E;
  o.dont_fragment = true;
  Bytes pkt = eth_ipv4(6, o).tcp(40000, 443, 0x01020304, 0xA0B0C0D0, 0x1B, 12).payload(5).done();
  Result r = parse(pkt, 4);
  EXPECT_EQ(r.ret, 4);
  EXPECT_EQ(r.p.ip_version, 4);
  EXPECT_EQ(r.p.l3_proto, 6);
  EXPECT_EQ(r.p.ip_tos, 0x2E);
  EXPECT_EQ(r.p.ip_src.v4, kIpA);  // host byte order
  EXPECT_EQ(r.p.ip_dst.v4, kIpB);
  EXPECT_EQ(r.p.l4_src_port, 40000);
  EXPECT_EQ(r.p.l4_dst_port, 443);
  EXPECT_EQ(r.p.tcp.seq_num, 0x01020304u);
  EXPECT_EQ(r.p.tcp.ack_num, 0xA0B0C0D0u);
  EXPECT_EQ(r.p.tcp.flags, 0x1B);
  EXPECT_EQ(r.p.offset.l3_offset, 14);
  EXPECT_EQ(r.p.offset.l4_offset, 34);
  EXPECT_EQ(r.p.offset.payload_offset, 34 + 32);  // data offset 8 words
  EXPECT_EQ(r.flags, 0u);  // DF is not a fragment
  expect_no_tunnel(r);
}

TEST(CoreParseIpv4, OptionsMoveL4) {
  for (size_t words = 1; words <= 10; words++) {
    pktb::Ipv4Opts o;
    o.options.assign(words * 4, 0x01);
    Bytes pkt = eth_ipv4(17, o).udp(1000, 2000).payload(3).done();
    Result r = parse(pkt, 4);
    EXPECT_EQ(r.ret, 4) << words;
    EXPECT_EQ(r.p.offset.l4_offset, int(34 + words * 4)) << words;
    EXPECT_EQ(r.p.offset.payload_offset, int(42 + words * 4)) << words;
    EXPECT_EQ(r.p.l4_src_port, 1000) << words;
  }
}

TEST(CoreParseIpv4, FirstFragmentHasL4) {
  pktb::Ipv4Opts o;
  o.more_fragments = true;
  Bytes pkt = eth_ipv4(17, o).udp(5000, 6000).payload(100).done();
  Result r = parse(pkt, 4);
  EXPECT_EQ(r.ret, 4);
  EXPECT_EQ(r.flags, uint32_t(PKT_FLAGS_IP_MORE_FRAG));
  EXPECT_EQ(r.p.l4_dst_port, 6000);
}

TEST(CoreParseIpv4, LaterFragmentsHaveNoL4) {
  for (bool more : {true, false}) {
    pktb::Ipv4Opts o;
    o.more_fragments = more;
    o.frag_offset = 185;
    Bytes pkt = eth_ipv4(17, o).udp(5000, 6000).payload(40).done();  // looks like UDP, is not
    Result r = parse(pkt, 5);
    EXPECT_EQ(r.ret, 3);
    EXPECT_EQ(r.p.l3_proto, 17);
    EXPECT_EQ(r.p.offset.l4_offset, 0);
    EXPECT_EQ(r.p.offset.payload_offset, 0);
    EXPECT_EQ(r.p.l4_dst_port, 0);
    uint32_t want = PKT_FLAGS_IP_FRAG_OFFSET | (more ? PKT_FLAGS_IP_MORE_FRAG : 0);
    EXPECT_EQ(r.flags, want);
  }
}

TEST(CoreParseIpv4, UnknownProtocolStopsAtL3WithL4Offset) {
  Bytes pkt = eth_ipv4(89).payload(20).done();  // OSPF
  Result r = parse(pkt, 5);
  EXPECT_EQ(r.ret, 3);
  EXPECT_EQ(r.p.l3_proto, 89);
  EXPECT_EQ(r.p.offset.l4_offset, 34);
  EXPECT_EQ(r.p.offset.payload_offset, 0);
}

TEST(CoreParseIpv4, ZeroTotalLengthIsAccepted) {
  pktb::Ipv4Opts o;
  o.total_len_override = 0;  // Linux BIG TCP GSO packets
  Bytes pkt = eth_ipv4(6, o).tcp(1, 2, 3, 4, 5).done();
  EXPECT_EQ(parse(pkt, 4).ret, 4);
}

// ---------------------------------------------------------------- IPv6

TEST(CoreParseIpv6, TcpAllFields) {
  Bytes pkt = eth_ipv6(6).tcp(22, 50000, 7, 8, 0x18).payload(4).done();
  Result r = parse(pkt, 4);
  EXPECT_EQ(r.ret, 4);
  EXPECT_EQ(r.p.ip_version, 6);
  EXPECT_EQ(r.p.ip_tos, 0xB8);  // traffic class
  EXPECT_EQ(v6_of(r.p.ip_src), kIp6A);
  EXPECT_EQ(v6_of(r.p.ip_dst), kIp6B);
  EXPECT_EQ(r.p.l3_proto, 6);
  EXPECT_EQ(r.p.offset.l4_offset, 54);
  EXPECT_EQ(r.p.offset.payload_offset, 74);
  EXPECT_EQ(r.p.l4_src_port, 22);
  EXPECT_EQ(r.p.tcp.flags, 0x18);
}

TEST(CoreParseIpv6, HopRoutingDestOptsChain) {
  Bytes pkt = eth_ipv6(0).ext6(43, 8).ext6(60, 24).ext6(17, 16).udp(1, 2).done();
  Result r = parse(pkt, 4);
  EXPECT_EQ(r.ret, 4);
  EXPECT_EQ(r.p.l3_proto, 17);
  EXPECT_EQ(r.p.offset.l4_offset, 54 + 8 + 24 + 16);
  EXPECT_EQ(r.p.l4_dst_port, 2);
}

TEST(CoreParseIpv6, AuthenticationHeaderLengthIsInFourOctetUnits) {
  // AH payload length 4 -> (4 + 2) * 4 = 24 bytes (RFC 4302 2.2).
  Bytes pkt = eth_ipv6(51).ah(6, 24).tcp(80, 81, 0, 0, 2).done();
  Result r = parse(pkt, 4);
  EXPECT_EQ(r.ret, 4);
  EXPECT_EQ(r.p.l3_proto, 6);
  EXPECT_EQ(r.p.offset.l4_offset, 54 + 24);
  EXPECT_EQ(r.p.l4_src_port, 80);
}

TEST(CoreParseIpv6, FirstFragmentWalksOn) {
  Bytes pkt = eth_ipv6(44).frag6(17, 0, true).udp(3, 4).done();
  Result r = parse(pkt, 4);
  EXPECT_EQ(r.ret, 4);
  EXPECT_EQ(r.flags, uint32_t(PKT_FLAGS_IP_MORE_FRAG));
  EXPECT_EQ(r.p.offset.l4_offset, 62);
  EXPECT_EQ(r.p.l4_src_port, 3);
}

TEST(CoreParseIpv6, LaterFragmentStops) {
  Bytes pkt = eth_ipv6(0).ext6(44, 8).frag6(6, 100, false).payload(30).done();
  Result r = parse(pkt, 5);
  EXPECT_EQ(r.ret, 3);
  EXPECT_EQ(r.p.l3_proto, 6);
  EXPECT_EQ(r.p.offset.l4_offset, 0);
  EXPECT_EQ(r.flags, uint32_t(PKT_FLAGS_IP_FRAG_OFFSET));
}

TEST(CoreParseIpv6, EspAndNoNextHeaderAreL3Only) {
  for (uint8_t next : {50, 59}) {
    Bytes pkt = eth_ipv6(60).ext6(next, 8).payload(16).done();
    Result r = parse(pkt, 5);
    EXPECT_EQ(r.ret, 3);
    EXPECT_EQ(r.p.l3_proto, next);
    EXPECT_EQ(r.p.offset.l4_offset, 62);
  }
}

TEST(CoreParseIpv6, MaxExtensionHeadersAreWalked) {
  Builder b = eth_ipv6(60);
  for (int i = 0; i < PFC_MAX_IPV6_EXT_HDRS; i++)
    b.ext6(i + 1 < PFC_MAX_IPV6_EXT_HDRS ? 60 : 17, 8);
  Bytes pkt = b.udp(10, 20).done();
  Result r = parse(pkt, 4);
  EXPECT_EQ(r.ret, 4);
  EXPECT_EQ(r.p.offset.l4_offset, 54 + 8 * PFC_MAX_IPV6_EXT_HDRS);
}

// ---------------------------------------------------------------- L4

TEST(CoreParseL4, Udp) {
  Bytes pkt = eth_ipv4(17).udp(1234, 53).payload(12).done();
  Result r = parse(pkt, 4);
  EXPECT_EQ(r.ret, 4);
  EXPECT_EQ(r.p.l4_src_port, 1234);
  EXPECT_EQ(r.p.l4_dst_port, 53);
  EXPECT_EQ(r.p.offset.payload_offset, 42);
  EXPECT_EQ(r.p.tcp.flags, 0);
}

TEST(CoreParseL4, IcmpTypeAndCode) {
  Bytes pkt = eth_ipv4(1).icmp(3, 4, 0x00000576).payload(28).done();
  Result r = parse(pkt, 4);
  EXPECT_EQ(r.ret, 4);
  EXPECT_EQ(r.p.icmp_type, 3);
  EXPECT_EQ(r.p.icmp_code, 4);
  EXPECT_EQ(r.p.l4_src_port, 0);
  EXPECT_EQ(r.p.offset.payload_offset, 42);
}

TEST(CoreParseL4, Icmpv6TypeAndCode) {
  Bytes pkt = eth_ipv6(58).icmp(128, 0, 0x00010002).done();
  Result r = parse(pkt, 4);
  EXPECT_EQ(r.ret, 4);
  EXPECT_EQ(r.p.l3_proto, 58);
  EXPECT_EQ(r.p.icmp_type, 128);
  EXPECT_EQ(r.p.icmp_code, 0);
  EXPECT_EQ(r.p.offset.payload_offset, 62);
}

TEST(CoreParseL4, SctpPorts) {
  Bytes pkt = eth_ipv4(132).sctp(2905, 2906).payload(16).done();
  Result r = parse(pkt, 4);
  EXPECT_EQ(r.ret, 4);
  EXPECT_EQ(r.p.l4_src_port, 2905);
  EXPECT_EQ(r.p.l4_dst_port, 2906);
  EXPECT_EQ(r.p.offset.payload_offset, 34 + 12);
}

TEST(CoreParseL4, GreHeaderLengthFromFlags) {
  struct Case { bool csum; std::optional<uint32_t> key, seq; int len; };
  for (const Case& c : {Case{false, {}, {}, 4}, Case{true, {}, {}, 8}, Case{false, 5u, {}, 8},
                        Case{true, 5u, 9u, 16}, Case{false, {}, 9u, 8}}) {
    Bytes pkt = eth_ipv4(47).gre(0x0800, c.key, c.csum, c.seq)
                    .ipv4(kIpC, kIpD, 17).udp(1, 2).done();
    Result r = parse(pkt, 4);
    EXPECT_EQ(r.ret, 4);
    EXPECT_EQ(r.p.offset.payload_offset, 34 + c.len);
    EXPECT_EQ(r.p.l4_src_port, 0);
    expect_no_tunnel(r);  // tunnels only at level 5
  }
}

TEST(CoreParseL4, PptpGreVersion1) {
  // RFC 2637 4.1: key (payload length + call id), sequence and ack present.
  Bytes pkt = eth_ipv4(47).u16(0x3081).u16(0x880B).u16(20).u16(0x1234).u32(1).u32(2)
                  .payload(20).done();
  Result r = parse(pkt, 5);
  EXPECT_EQ(r.ret, 4);
  EXPECT_EQ(r.p.offset.payload_offset, 34 + 16);
  expect_no_tunnel(r);
}

// ---------------------------------------------------------------- tunnels

TEST(CoreParseTunnel, GreKeyedInnerIpv4) {
  Bytes pkt = eth_ipv4(47).gre(0x0800, 0xDEADBEEF, true, 77u)
                  .ipv4(kIpC, kIpD, 6).tcp(1111, 2222, 1, 0, 2).done();
  Result r = parse(pkt, 5);
  EXPECT_EQ(r.ret, 5);
  EXPECT_EQ(r.p.tunnel.tunnel_id, 0xDEADBEEFu);
  EXPECT_EQ(r.p.tunnel.tunneled_ip_version, 4);
  EXPECT_EQ(r.p.tunnel.tunneled_proto, 6);
  EXPECT_EQ(r.p.tunnel.tunneled_ip_src.v4, kIpC);
  EXPECT_EQ(r.p.tunnel.tunneled_ip_dst.v4, kIpD);
  EXPECT_EQ(r.p.tunnel.tunneled_l4_src_port, 1111);
  EXPECT_EQ(r.p.tunnel.tunneled_l4_dst_port, 2222);
  // The outer tuple is untouched by the tunnel.
  EXPECT_EQ(r.p.ip_src.v4, kIpA);
  EXPECT_EQ(r.p.l3_proto, 47);
  EXPECT_EQ(r.p.offset.payload_offset, 34 + 16);
}

TEST(CoreParseTunnel, GreInnerIpv6AndKeylessGre) {
  Bytes pkt = eth_ipv4(47).gre(0x86DD).ipv6(kIp6B, kIp6A, 17).udp(9, 10).done();
  Result r = parse(pkt, 5);
  EXPECT_EQ(r.ret, 5);
  EXPECT_EQ(r.p.tunnel.tunnel_id, NO_TUNNEL_ID);  // no key
  EXPECT_EQ(r.p.tunnel.tunneled_ip_version, 6);
  EXPECT_EQ(v6_of(r.p.tunnel.tunneled_ip_src), kIp6B);
  EXPECT_EQ(v6_of(r.p.tunnel.tunneled_ip_dst), kIp6A);
  EXPECT_EQ(r.p.tunnel.tunneled_l4_dst_port, 10);
}

TEST(CoreParseTunnel, GreTransparentEthernet) {
  Bytes pkt = eth_ipv6(47).gre(0x6558, 42u).macs(kInDst, kInSrc).tag(0x8100, 5).type(0x0800)
                  .ipv4(kIpC, kIpD, 132).sctp(7, 8).done();
  Result r = parse(pkt, 5);
  EXPECT_EQ(r.ret, 5);
  EXPECT_EQ(r.p.tunnel.tunnel_id, 42u);
  EXPECT_EQ(r.p.tunnel.tunneled_proto, 132);
  EXPECT_EQ(r.p.tunnel.tunneled_l4_src_port, 7);
  EXPECT_EQ(r.p.vlan_id, NO_VLAN);  // the inner tag is not the packet's
}

TEST(CoreParseTunnel, GreUnknownPayloadKeepsKey) {
  Bytes pkt = eth_ipv4(47).gre(0x88BE, 99u).payload(30).done();  // ERSPAN
  Result r = parse(pkt, 5);
  EXPECT_EQ(r.ret, 4);
  EXPECT_EQ(r.p.tunnel.tunnel_id, 99u);
  EXPECT_EQ(r.p.tunnel.tunneled_ip_version, 0);
}

TEST(CoreParseTunnel, GtpuPlain) {
  Bytes pkt = eth_ipv4(17).udp(2152, 2152).gtpu(0x01020304)
                  .ipv4(kIpC, kIpD, 17).udp(5060, 5061).payload(10).done();
  Result r = parse(pkt, 5);
  EXPECT_EQ(r.ret, 5);
  EXPECT_EQ(r.p.tunnel.tunnel_id, 0x01020304u);
  EXPECT_EQ(r.p.tunnel.tunneled_ip_version, 4);
  EXPECT_EQ(r.p.tunnel.tunneled_proto, 17);
  EXPECT_EQ(r.p.tunnel.tunneled_ip_src.v4, kIpC);
  EXPECT_EQ(r.p.tunnel.tunneled_l4_src_port, 5060);
  EXPECT_EQ(r.p.tunnel.tunneled_l4_dst_port, 5061);
  EXPECT_EQ(r.p.offset.payload_offset, 42);  // after the outer UDP header
}

TEST(CoreParseTunnel, GtpuOptionalFieldsAndExtensionChain) {
  struct Case {
    std::optional<uint16_t> seq;
    std::optional<uint8_t> npdu;
    std::vector<pktb::GtpExt> exts;
  };
  for (const Case& c : {Case{7, {}, {}}, Case{{}, 3, {}}, Case{{}, {}, {{0x85, 1}}},
                        Case{1, 2, {{0x85, 1}, {0xC0, 2}, {0x20, 3}}}}) {
    Bytes pkt = eth_ipv6(17).udp(40000, 2152).gtpu(0xA1B2C3D4, 0xFF, c.seq, c.npdu, c.exts)
                    .ipv6(kIp6A, kIp6B, 6).tcp(80, 8080, 1, 1, 0x10).done();
    Result r = parse(pkt, 5);
    EXPECT_EQ(r.ret, 5);
    EXPECT_EQ(r.p.tunnel.tunnel_id, 0xA1B2C3D4u);
    EXPECT_EQ(r.p.tunnel.tunneled_ip_version, 6);
    EXPECT_EQ(v6_of(r.p.tunnel.tunneled_ip_src), kIp6A);
    EXPECT_EQ(r.p.tunnel.tunneled_l4_dst_port, 8080);
  }
}

TEST(CoreParseTunnel, GtpuNextExtensionTypeIgnoredWithoutEFlag) {
  // S set, E clear: the next-extension-type byte (0x85) must not be walked.
  Bytes pkt = eth_ipv4(17).udp(2152, 2152).u8(0x32).u8(0xFF).u16(32).u32(0x55)
                  .u16(1).u8(0).u8(0x85).ipv4(kIpC, kIpD, 17).udp(1, 2).done();
  Result r = parse(pkt, 5);
  EXPECT_EQ(r.ret, 5);
  EXPECT_EQ(r.p.tunnel.tunnel_id, 0x55u);
  EXPECT_EQ(r.p.tunnel.tunneled_ip_src.v4, kIpC);
  EXPECT_EQ(r.p.tunnel.tunneled_l4_dst_port, 2);
}

TEST(CoreParseTunnel, GtpuNonGpduHasTeidButNoInner) {
  Bytes pkt = eth_ipv4(17).udp(2152, 2152).gtpu(0, 1, 5u).done();  // echo request
  Result r = parse(pkt, 5);
  EXPECT_EQ(r.ret, 4);
  EXPECT_EQ(r.p.tunnel.tunnel_id, 0u);
  EXPECT_EQ(r.p.tunnel.tunneled_ip_version, 0);
}

TEST(CoreParseTunnel, GtpOtherVersionIsNotATunnel) {
  Bytes pkt = eth_ipv4(17).udp(2152, 2152).u8(0x48).u8(0xFF).u16(20).u32(5).payload(20).done();
  Result r = parse(pkt, 5);
  EXPECT_EQ(r.ret, 4);
  expect_no_tunnel(r);
}

TEST(CoreParseTunnel, VxlanInnerEthernet) {
  Bytes pkt = eth_ipv4(17).udp(51000, 4789).vxlan(0xABCDEF)
                  .macs(kInDst, kInSrc).tag(0x8100, 12).type(0x0800)
                  .ipv4(kIpC, kIpD, 6).tcp(3, 4, 5, 6, 0x02).done();
  Result r = parse(pkt, 5);
  EXPECT_EQ(r.ret, 5);
  EXPECT_EQ(r.p.tunnel.tunnel_id, 0xABCDEFu);
  EXPECT_EQ(r.p.tunnel.tunneled_ip_dst.v4, kIpD);
  EXPECT_EQ(r.p.tunnel.tunneled_l4_src_port, 3);
  EXPECT_EQ(0, std::memcmp(r.p.dmac, kDst.data(), 6));  // outer MACs stay
}

TEST(CoreParseTunnel, VxlanWithoutIFlagOrWithNonIpInner) {
  Bytes no_i = eth_ipv4(17).udp(1, 4789).vxlan(5, false).eth(kInDst, kInSrc, 0x0800)
                   .ipv4(kIpC, kIpD, 17).udp(1, 2).done();
  Result r = parse(no_i, 5);
  EXPECT_EQ(r.ret, 4);
  expect_no_tunnel(r);

  Bytes arp = eth_ipv4(17).udp(1, 4789).vxlan(5).eth(kInDst, kInSrc, 0x0806).payload(28).done();
  r = parse(arp, 5);
  EXPECT_EQ(r.ret, 4);
  EXPECT_EQ(r.p.tunnel.tunnel_id, 5u);
  EXPECT_EQ(r.p.tunnel.tunneled_ip_version, 0);
}

TEST(CoreParseTunnel, InnerLaterFragmentHasNoPorts) {
  pktb::Ipv4Opts o;
  o.frag_offset = 10;
  Bytes pkt = eth_ipv4(47).gre(0x0800, 1u).ipv4(kIpC, kIpD, 17, o).udp(1, 2).done();
  Result r = parse(pkt, 5);
  EXPECT_EQ(r.ret, 5);
  EXPECT_EQ(r.p.tunnel.tunneled_proto, 17);
  EXPECT_EQ(r.p.tunnel.tunneled_l4_src_port, 0);
  EXPECT_EQ(r.flags, 0u);  // flags describe the outer header
}

// ---------------------------------------------------------------- levels

TEST(CoreParseLevel, EachLevelStopsThere) {
  Bytes pkt = Builder().macs(kDst, kSrc).tag(0x8100, 9).type(0x0800)
                  .ipv4(kIpA, kIpB, 17).udp(3000, 2152).gtpu(77)
                  .ipv4(kIpC, kIpD, 6).tcp(1, 2, 3, 4, 5).done();
  const int want[] = {0, 0, 2, 3, 4, 5, 5, 5};
  for (int level = 0; level < 8; level++) {
    Result r = parse(pkt, level);
    EXPECT_EQ(r.ret, want[level]) << level;
    EXPECT_EQ(r.p.vlan_id, level >= 2 ? 9 : NO_VLAN) << level;
    EXPECT_EQ(r.p.offset.l3_offset, level >= 2 ? 18 : 0) << level;
    EXPECT_EQ(r.p.ip_src.v4, level >= 3 ? kIpA : 0) << level;
    EXPECT_EQ(r.p.offset.l4_offset, level >= 3 ? 38 : 0) << level;
    EXPECT_EQ(r.p.l4_src_port, level >= 4 ? 3000 : 0) << level;
    EXPECT_EQ(r.p.offset.payload_offset, level >= 4 ? 46 : 0) << level;
    EXPECT_EQ(r.p.tunnel.tunnel_id, level >= 5 ? 77u : NO_TUNNEL_ID) << level;
    EXPECT_EQ(r.p.tunnel.tunneled_l4_dst_port, level >= 5 ? 2 : 0) << level;
  }
}

// ---------------------------------------------------------------- guide 8.14 shortcut

TEST(CoreParseShortcut, ContinuingFromLevel3EqualsFreshParse) {
  Bytes pkt = eth_ipv6(0).ext6(6, 8).tcp(1, 2, 3, 4, 0x11).done();
  for (int first = 2; first <= 4; first++) {
    Result r = parse(pkt, first);
    uint32_t flags_before = r.flags;
    EXPECT_EQ(reparse(pkt, 5, r), 4);
    Result fresh = parse(pkt, 5);
    EXPECT_EQ(model::diff(model::from_core(fresh.p, fresh.ret, fresh.flags),
                          model::from_core(r.p, r.ret, r.flags)), "");
    EXPECT_EQ(r.flags, flags_before);
  }
}

TEST(CoreParseShortcut, PrefilledL3OffsetKeepsL2Fields) {
  Bytes pkt = eth_ipv4(17).udp(7, 8).done();
  Result r;
  std::memset(&r.p, 0, sizeof r.p);
  r.p.dmac[0] = 0xEE;  // not what the packet says: must stay
  r.p.vlan_id = 1234;
  r.p.eth_type = 0x0800;
  r.p.offset.l3_offset = 14;
  EXPECT_EQ(reparse(pkt, 4, r), 4);
  EXPECT_EQ(r.p.dmac[0], 0xEE);
  EXPECT_EQ(r.p.vlan_id, 1234);
  EXPECT_EQ(r.p.ip_dst.v4, kIpB);
  EXPECT_EQ(r.p.l4_dst_port, 8);

  // The kept eth_type decides what L3 is.
  std::memset(&r.p, 0, sizeof r.p);
  r.p.eth_type = 0x0806;
  r.p.offset.l3_offset = 14;
  EXPECT_EQ(reparse(pkt, 4, r), 2);
  EXPECT_EQ(r.p.ip_version, 0);
}

TEST(CoreParseShortcut, PrefilledL4OffsetKeepsL3Fields) {
  // Point l4_offset at the inner UDP header of a GRE packet: L4 is parsed
  // there with the kept l3_proto, and the kept L3 fields stay.
  Bytes pkt = eth_ipv4(47).gre(0x0800).ipv4(kIpC, kIpD, 17).udp(4444, 5555).done();
  Result r;
  std::memset(&r.p, 0, sizeof r.p);
  r.p.offset.l3_offset = 14;
  r.p.offset.l4_offset = 34 + 4 + 20;
  r.p.l3_proto = 17;
  r.p.ip_version = 4;
  r.p.ip_src.v4 = 0x01010101;
  r.flags = PKT_FLAGS_IP_MORE_FRAG | PKT_FLAGS_VLAN_HWACCEL;
  EXPECT_EQ(reparse(pkt, 4, r), 4);
  EXPECT_EQ(r.p.ip_src.v4, 0x01010101u);
  EXPECT_EQ(r.p.l4_src_port, 4444);
  EXPECT_EQ(r.p.offset.payload_offset, 34 + 4 + 20 + 8);
  EXPECT_EQ(r.flags, uint32_t(PKT_FLAGS_IP_MORE_FRAG | PKT_FLAGS_VLAN_HWACCEL));
  // Asked for less than what is kept: nothing more is parsed.
  EXPECT_EQ(reparse(pkt, 2, r), 2);
  EXPECT_EQ(r.p.l4_src_port, 0);
  EXPECT_EQ(reparse(pkt, 3, r), 3);
}

TEST(CoreParseShortcut, KeptOffsetsOutsideThePacketAreSafe) {
  Bytes pkt = eth_ipv4(6).tcp(1, 2, 3, 4, 5).done();
  for (int16_t off : {int16_t(-1), int16_t(-32768), int16_t(54), int16_t(1000), int16_t(32767)}) {
    Result r;
    std::memset(&r.p, 0, sizeof r.p);
    r.p.eth_type = 0x0800;
    r.p.offset.l3_offset = off;
    EXPECT_EQ(reparse(pkt, 5, r), 2) << off;
    std::memset(&r.p, 0, sizeof r.p);
    r.p.l3_proto = 6;
    r.p.offset.l4_offset = off;
    EXPECT_EQ(reparse(pkt, 5, r), 3) << off;
  }
}

// ---------------------------------------------------------------- API conventions

TEST(CoreParseApi, NullArgumentsAndLowLevels) {
  Bytes pkt = eth_ipv4(6).tcp(1, 2, 3, 4, 5).done();
  struct pkt_parsing_info p;
  std::memset(&p, 0, sizeof p);
  EXPECT_EQ(pfc_parse_pkt(pkt.data(), uint32_t(pkt.size()), 4, nullptr, nullptr), 0);
  EXPECT_EQ(pfc_parse_pkt(nullptr, 100, 4, &p, nullptr), 0);
  EXPECT_EQ(pfc_parse_pkt(pkt.data(), uint32_t(pkt.size()), 4, &p, nullptr), 4);  // flags optional
  EXPECT_EQ(p.l4_dst_port, 2);
  for (int level : {0, 1}) {
    Result r = parse(pkt, level);
    EXPECT_EQ(r.ret, 0);
    EXPECT_EQ(r.p.offset.l3_offset, 0);
  }
}

TEST(CoreParseApi, StaleContentsAreResetWhenNothingIsKept) {
  Bytes pkt = eth_ipv4(17).udp(1, 2).done();
  Result clean = parse(pkt, 5);
  Result r;
  std::memset(&r.p, 0xA5, sizeof r.p);
  r.p.offset.l3_offset = r.p.offset.l4_offset = 0;
  r.flags = 0xFFFFFFFF;
  EXPECT_EQ(reparse(pkt, 5, r), 4);
  EXPECT_EQ(model::diff(model::from_core(clean.p, clean.ret, clean.flags),
                        model::from_core(r.p, r.ret, r.flags)), "");
  // IP bits are rewritten, the others belong to the caller.
  EXPECT_EQ(r.flags, ~uint32_t(PKT_FLAGS_IP_MORE_FRAG | PKT_FLAGS_IP_FRAG_OFFSET));
  EXPECT_EQ(r.p.tunnel.tunneled_ip_src.v4, 0u);
  EXPECT_EQ(r.p.ip_src.v6.s6_addr[15], 0);  // the unused part of the union is cleared
}

// ---------------------------------------------------------------- bidirectional hash

TEST(CoreParseHash, SymmetricUnderSwap) {
  Bytes ab4 = eth_ipv4(6).tcp(1000, 80, 0, 0, 2).done();
  Bytes ba4 = Builder().eth(kSrc, kDst, 0x0800).ipv4(kIpB, kIpA, 6).tcp(80, 1000, 0, 0, 0x12).done();
  Bytes ab6 = eth_ipv6(17).udp(5, 6).done();
  Bytes ba6 = Builder().eth(kDst, kSrc, 0x86DD).ipv6(kIp6B, kIp6A, 17).udp(6, 5).done();
  for (auto [a, b] : {std::pair{ab4, ba4}, std::pair{ab6, ba6}}) {
    Result ra = parse(a, 4), rb = parse(b, 4);
    EXPECT_EQ(pfc_bidir_hash(&ra.p), pfc_bidir_hash(&rb.p));
  }
  Result r4 = parse(ab4, 4);
  uint32_t want = 0 /* untagged */ + 6 + kIpA + kIpB + 1000 + 80;
  EXPECT_EQ(pfc_bidir_hash(&r4.p), want);
  Result other = parse(eth_ipv4(6).tcp(1001, 80, 0, 0, 2).done(), 4);
  EXPECT_NE(pfc_bidir_hash(&r4.p), pfc_bidir_hash(&other.p));
}

TEST(CoreParseHash, NonIpHashesOnlyTheVlan) {
  Bytes pkt = Builder().macs(kDst, kSrc).tag(0x8100, 321).type(0x0806).payload(28).done();
  Result r = parse(pkt, 4);
  EXPECT_EQ(pfc_bidir_hash(&r.p), 321u);
  Result untagged = parse(Builder().macs(kDst, kSrc).type(0x0806).payload(28).done(), 4);
  EXPECT_EQ(pfc_bidir_hash(&untagged.p), 0u);
  EXPECT_EQ(pfc_bidir_hash(nullptr), 0u);
}

}  // namespace
