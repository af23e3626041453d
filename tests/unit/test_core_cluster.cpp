// test_core_cluster.cpp - cluster member selection (src/core/cluster.h):
// type classification, the spread of many flows over the members, and
// that the fields a type ignores do not move a packet.
#include <gtest/gtest.h>

#include <vector>

#include "model_cluster.h"
#include "unit/pkt_builder.h"

extern "C" {
#include "cluster.h"
#include "parse.h"
}

namespace {

pkt_parsing_info parse(const pktb::Bytes &b) {
  pkt_parsing_info p{};
  uint32_t flags = 0;
  pfc_parse_pkt(b.data(), uint32_t(b.size()), PFC_LEVEL_TUNNEL, &p, &flags);
  return p;
}

pktb::Bytes udp4(uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp, uint8_t proto = 17) {
  const pktb::Mac a = {2, 0, 0, 0, 0, 1}, b = {2, 0, 0, 0, 0, 2};
  pktb::Builder k;
  k.eth(a, b, 0x0800).ipv4(src, dst, proto);
  if (proto == 6)
    k.tcp(sp, dp, 1, 1, 0x10);
  else
    k.udp(sp, dp);
  return k.done();
}

TEST(CoreCluster, RoundRobinIsNotPerFlow) {
  EXPECT_FALSE(pfc_cluster_is_per_flow(cluster_round_robin));
  EXPECT_TRUE(pfc_cluster_is_per_flow(cluster_per_flow));
  EXPECT_TRUE(pfc_cluster_is_per_flow(cluster_per_inner_flow_tcp_5_tuple));
  EXPECT_FALSE(pfc_cluster_is_per_flow(static_cast<cluster_type>(99)));
  pkt_parsing_info p = parse(udp4(0x0a000001, 0x0a000002, 1, 2));
  EXPECT_EQ(pfc_cluster_hash(&p, cluster_round_robin), 0u);
}

TEST(CoreCluster, MemberIsBelowCount) {
  for (uint32_t n = 1; n <= 64; n++)
    for (uint32_t h : {0u, 1u, 0x7fffffffu, 0x80000000u, 0xffffffffu}) EXPECT_LT(pfc_cluster_member(h, n), n);
  EXPECT_EQ(pfc_cluster_member(0xffffffffu, 0), 0u);
}

// 4096 flows that differ only in the low bits of one address or one port
// (the sums a plain hash would put on few members) spread within 20% of
// the mean over 2, 3, 4 and 8 members.
TEST(CoreCluster, ManySimilarFlowsSpreadEvenly) {
  for (cluster_type t : {cluster_per_flow, cluster_per_flow_2_tuple, cluster_per_flow_4_tuple,
                         cluster_per_flow_5_tuple, cluster_per_flow_tcp_5_tuple}) {
    for (uint32_t n : {2u, 3u, 4u, 8u}) {
      std::vector<int> count(n);
      const int kFlows = 4096;
      for (int i = 0; i < kFlows; i++) {
        pktb::Bytes b = t == cluster_per_flow_2_tuple || t == cluster_per_flow_tcp_5_tuple
                            ? udp4(0x0a000000u + uint32_t(i), 0xc0a80001u, 1000, 80)
                            : udp4(0x0a000001u, 0xc0a80001u, uint16_t(1024 + i), 80);
        pkt_parsing_info p = parse(b);
        count[pfc_cluster_member(pfc_cluster_hash(&p, t), n)]++;
      }
      for (uint32_t m = 0; m < n; m++) {
        EXPECT_GT(count[m], kFlows / int(n) * 8 / 10) << "type " << t << ", " << n << " members, member " << m;
        EXPECT_LT(count[m], kFlows / int(n) * 12 / 10) << "type " << t << ", " << n << " members, member " << m;
      }
    }
  }
}

TEST(CoreCluster, TwoTupleIgnoresPortsAndProtocol) {
  pkt_parsing_info a = parse(udp4(0x0a000001, 0x0a000002, 1, 2));
  pkt_parsing_info b = parse(udp4(0x0a000002, 0x0a000001, 999, 80, 6));
  EXPECT_EQ(pfc_cluster_hash(&a, cluster_per_flow_2_tuple), pfc_cluster_hash(&b, cluster_per_flow_2_tuple));
  EXPECT_NE(pfc_cluster_hash(&a, cluster_per_flow_4_tuple), pfc_cluster_hash(&b, cluster_per_flow_4_tuple));
}

TEST(CoreCluster, TcpFiveTupleUsesPortsOnlyForTcp) {
  pkt_parsing_info u1 = parse(udp4(0x0a000001, 0x0a000002, 1, 2)), u2 = parse(udp4(0x0a000001, 0x0a000002, 3, 4));
  pkt_parsing_info t1 = parse(udp4(0x0a000001, 0x0a000002, 1, 2, 6)), t2 = parse(udp4(0x0a000001, 0x0a000002, 3, 4, 6));
  EXPECT_EQ(pfc_cluster_hash(&u1, cluster_per_flow_tcp_5_tuple), pfc_cluster_hash(&u2, cluster_per_flow_tcp_5_tuple));
  EXPECT_NE(pfc_cluster_hash(&t1, cluster_per_flow_tcp_5_tuple), pfc_cluster_hash(&t2, cluster_per_flow_tcp_5_tuple));
}

TEST(CoreCluster, NonIpHashesBothMacsSymmetrically) {
  const pktb::Mac a = {2, 0, 0, 0, 0, 1}, b = {2, 0, 0, 0, 0, 2}, c = {2, 0, 0, 0, 0, 3};
  pktb::Bytes ab = pktb::Builder().eth(a, b, 0x88cc).payload(50).done();
  pktb::Bytes ba = pktb::Builder().eth(b, a, 0x88cc).payload(50).done();
  pktb::Bytes ac = pktb::Builder().eth(a, c, 0x88cc).payload(50).done();
  pkt_parsing_info pab = parse(ab), pba = parse(ba), pac = parse(ac);
  EXPECT_EQ(pfc_cluster_hash(&pab, cluster_per_flow), pfc_cluster_hash(&pba, cluster_per_flow));
  EXPECT_NE(pfc_cluster_hash(&pab, cluster_per_flow), pfc_cluster_hash(&pac, cluster_per_flow));
}

TEST(CoreCluster, ModelKeyIsSymmetric) {
  model::FlowFields f;
  f.src = {10, 0, 0, 1};
  f.dst = {10, 0, 0, 2};
  f.sport = 5;
  f.dport = 6;
  f.proto = 6;
  model::FlowFields r = f;
  std::swap(r.src, r.dst);
  std::swap(r.sport, r.dport);
  for (int t = cluster_per_flow; t <= cluster_per_inner_flow_tcp_5_tuple; t++)
    EXPECT_EQ(model::cluster_flow_key(f, cluster_type(t)), model::cluster_flow_key(r, cluster_type(t)));
  model::FlowFields g = f;
  g.sport = 7;
  EXPECT_NE(model::cluster_flow_key(f, cluster_per_flow_4_tuple), model::cluster_flow_key(g, cluster_per_flow_4_tuple));
  EXPECT_EQ(model::cluster_flow_key(f, cluster_per_flow_2_tuple), model::cluster_flow_key(g, cluster_per_flow_2_tuple));
}

}  // namespace
