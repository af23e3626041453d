// test_core_cluster.cpp - cluster member selection (src/core/cluster.h):
// every per-flow type is symmetric, each type hashes exactly the fields it
// names, inner types follow the tunnel, round robin is not a hash, and the
// flow pattern of the QEMU cluster test splits evenly over two members.
#include <gtest/gtest.h>

#include <cstring>

#include "cluster.h"
#include "unit/parsed_info.h"

namespace {

pkt_parsing_info Flow(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint8_t proto) {
  return parsed_info::ipv4(src, dst, proto, sport, dport);
}

pkt_parsing_info Reversed(pkt_parsing_info p) {
  std::swap(p.ip_src, p.ip_dst);
  std::swap(p.l4_src_port, p.l4_dst_port);
  std::swap(p.tunnel.tunneled_ip_src, p.tunnel.tunneled_ip_dst);
  std::swap(p.tunnel.tunneled_l4_src_port, p.tunnel.tunneled_l4_dst_port);
  return p;
}

const uint32_t kHashTypes[] = {
    cluster_per_flow, cluster_per_flow_2_tuple, cluster_per_flow_4_tuple,
    cluster_per_flow_5_tuple, cluster_per_flow_tcp_5_tuple, cluster_per_inner_flow,
    cluster_per_inner_flow_2_tuple, cluster_per_inner_flow_4_tuple,
    cluster_per_inner_flow_5_tuple, cluster_per_inner_flow_tcp_5_tuple};

TEST(CoreCluster, EveryHashTypeIsSymmetric) {
  pkt_parsing_info p = Flow(0x0a000001, 0xc0a80102, 1234, 80, PFC_IPPROTO_TCP);
  p.tunnel.tunnel_id = 7;
  p.tunnel.tunneled_ip_version = 4;
  p.tunnel.tunneled_proto = PFC_IPPROTO_UDP;
  p.tunnel.tunneled_ip_src.v4 = 0x01020304;
  p.tunnel.tunneled_ip_dst.v4 = 0x05060708;
  p.tunnel.tunneled_l4_src_port = 53;
  p.tunnel.tunneled_l4_dst_port = 40000;
  for (uint32_t t : kHashTypes) {
    EXPECT_TRUE(pfc_cluster_type_is_hash(t)) << t;
    pkt_parsing_info r = Reversed(p);
    EXPECT_EQ(pfc_cluster_hash(&p, t), pfc_cluster_hash(&r, t)) << "type " << t;
  }
}

TEST(CoreCluster, EachTypeHashesTheFieldsItNames) {
  const pkt_parsing_info a = Flow(0x0a000001, 0x0a000002, 1000, 80, PFC_IPPROTO_UDP);
  pkt_parsing_info port = a, proto = a, addr = a;
  port.l4_src_port = 1001;
  proto.l3_proto = PFC_IPPROTO_TCP;
  addr.ip_src.v4 = 0x0a000003;
  struct Row {
    uint32_t type;
    bool ports, proto;
  } rows[] = {
      {cluster_per_flow, true, true},
      {cluster_per_flow_2_tuple, false, false},
      {cluster_per_flow_4_tuple, true, false},
      {cluster_per_flow_5_tuple, true, true},
  };
  for (const Row& r : rows) {
    EXPECT_NE(pfc_cluster_hash(&a, r.type), pfc_cluster_hash(&addr, r.type)) << r.type;
    EXPECT_EQ(pfc_cluster_hash(&a, r.type) != pfc_cluster_hash(&port, r.type), r.ports) << r.type;
    EXPECT_EQ(pfc_cluster_hash(&a, r.type) != pfc_cluster_hash(&proto, r.type), r.proto) << r.type;
  }
  // tcp_5_tuple: ports count for TCP only
  pkt_parsing_info tcp = a, tcp_port = a;
  tcp.l3_proto = tcp_port.l3_proto = PFC_IPPROTO_TCP;
  tcp_port.l4_src_port = 1001;
  EXPECT_EQ(pfc_cluster_hash(&a, cluster_per_flow_tcp_5_tuple),
            pfc_cluster_hash(&port, cluster_per_flow_tcp_5_tuple));
  EXPECT_NE(pfc_cluster_hash(&tcp, cluster_per_flow_tcp_5_tuple),
            pfc_cluster_hash(&tcp_port, cluster_per_flow_tcp_5_tuple));
}

TEST(CoreCluster, InnerTypesFollowTheTunnelOrFallBackToTheOuterHeaders) {
  pkt_parsing_info plain = Flow(0x0a000001, 0x0a000002, 1000, 80, PFC_IPPROTO_UDP);
  for (uint32_t t = cluster_per_inner_flow; t <= cluster_per_inner_flow_tcp_5_tuple; t++) {
    uint32_t outer = t == cluster_per_inner_flow ? uint32_t(cluster_per_flow)
                                                 : t - cluster_per_inner_flow + cluster_round_robin;
    EXPECT_EQ(pfc_cluster_hash(&plain, t), pfc_cluster_hash(&plain, outer)) << t;
  }
  pkt_parsing_info tun = plain, tun2 = plain;
  tun.tunnel.tunnel_id = tun2.tunnel.tunnel_id = 1;
  tun.tunnel.tunneled_ip_version = tun2.tunnel.tunneled_ip_version = 4;
  tun.tunnel.tunneled_ip_src.v4 = 0x01010101;
  tun2.tunnel.tunneled_ip_src.v4 = 0x02020202;
  tun.tunnel.tunneled_ip_dst.v4 = tun2.tunnel.tunneled_ip_dst.v4 = 0x03030303;
  // same outer headers, different inner flows
  EXPECT_NE(pfc_cluster_hash(&tun, cluster_per_inner_flow_2_tuple),
            pfc_cluster_hash(&tun2, cluster_per_inner_flow_2_tuple));
  EXPECT_EQ(pfc_cluster_hash(&tun, cluster_per_flow_2_tuple),
            pfc_cluster_hash(&tun2, cluster_per_flow_2_tuple));
}

TEST(CoreCluster, RoundRobinAndUnknownTypesAreNotHashes) {
  pkt_parsing_info p = Flow(1, 2, 3, 4, PFC_IPPROTO_UDP);
  EXPECT_FALSE(pfc_cluster_type_is_hash(cluster_round_robin));
  EXPECT_TRUE(pfc_cluster_type_valid(cluster_round_robin));
  EXPECT_EQ(pfc_cluster_hash(&p, cluster_round_robin), 0u);
  EXPECT_FALSE(pfc_cluster_type_valid(cluster_per_inner_flow_tcp_5_tuple + 1));
  EXPECT_FALSE(pfc_cluster_type_is_hash(1000));
  EXPECT_EQ(pfc_cluster_hash(&p, 1000), 0u);
  EXPECT_EQ(pfc_cluster_hash(nullptr, cluster_per_flow), 0u);
}

TEST(CoreCluster, NonIpPacketsHashToTheirVlan) {
  pkt_parsing_info p = Flow(1, 2, 3, 4, 0);
  p.ip_version = 0;
  EXPECT_EQ(pfc_cluster_hash(&p, cluster_per_flow), 0u);
  p.vlan_id = 42;
  EXPECT_EQ(pfc_cluster_hash(&p, cluster_per_flow_5_tuple), 42u);
}

TEST(CoreCluster, MemberIndex) {
  EXPECT_EQ(pfc_cluster_member(12345, 0), 0u);
  EXPECT_EQ(pfc_cluster_member(7, 3), 1u);
  EXPECT_EQ(pfc_cluster_member(0xffffffffu, 2), 1u);
}

// The flows vm/pfr_test.c sends in kmod-cluster: 127.0.0.(1+f):10000+2f ->
// 127.0.0.2:9000 UDP, f = 0..15. Over two members each gets 8 flows.
TEST(CoreCluster, QemuClusterFlowsSplitEvenly) {
  int members[2] = {0, 0};
  for (uint32_t f = 0; f < 16; f++) {
    pkt_parsing_info p = Flow(0x7f000001 + f, 0x7f000002, uint16_t(10000 + 2 * f), 9000,
                              PFC_IPPROTO_UDP);
    members[pfc_cluster_member(pfc_cluster_hash(&p, cluster_per_flow), 2)]++;
  }
  EXPECT_EQ(members[0], 8);
  EXPECT_EQ(members[1], 8);
}

}  // namespace
