// prop_core_cluster.cpp - RapidCheck properties of cluster assignment
// (src/core/cluster.c) against the model (tests/model/model_cluster.*):
//  1. per-flow types: packets with one model flow key (both directions of
//     a flow) always reach one member, for 1..16 members;
//  2. inner types on GTP-U traffic: the same, with the flow key taken from
//     the tunnelled packet, whichever outer endpoints carried it;
//  3. the member index is always below the member count.
// Unit tests (test_core_cluster.cpp) check the spread over many flows.
//
// A failure prints the shrunk counterexample and the line to replay it:
// RC_PARAMS="reproduce=..." ./prop_core_cluster --gtest_filter=...
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <set>

#include "generators.h"

extern "C" {
#include "cluster.h"
#include "parse.h"
}

namespace {

const cluster_type kOuterTypes[] = {cluster_per_flow, cluster_per_flow_2_tuple, cluster_per_flow_4_tuple,
                                    cluster_per_flow_5_tuple, cluster_per_flow_tcp_5_tuple};
const cluster_type kInnerTypes[] = {cluster_per_inner_flow, cluster_per_inner_flow_2_tuple,
                                    cluster_per_inner_flow_4_tuple, cluster_per_inner_flow_5_tuple,
                                    cluster_per_inner_flow_tcp_5_tuple};

uint32_t member_of(const gen::ClusterPacket &p, cluster_type t, uint32_t members) {
  pkt_parsing_info info{};
  uint32_t flags = 0;
  pfc_parse_pkt(p.bytes.data(), uint32_t(p.bytes.size()), PFC_LEVEL_TUNNEL, &info, &flags);
  return pfc_cluster_member(pfc_cluster_hash(&info, t), members);
}

// Every model flow key maps to exactly one member.
void check_flows_unsplit(const std::vector<gen::ClusterPacket> &pkts, cluster_type t, uint32_t members,
                         bool inner) {
  std::map<std::vector<uint8_t>, std::set<uint32_t>> seen;
  for (const gen::ClusterPacket &p : pkts) {
    uint32_t m = member_of(p, t, members);
    RC_ASSERT(m < members);
    seen[model::cluster_flow_key(inner && p.tunnelled ? p.inner : p.outer, t)].insert(m);
  }
  for (const auto &kv : seen) {
    RC_ASSERT(kv.second.size() == 1u);
  }
}

// Random traffic, member count and type from types; checks flows unsplit.
template <size_t N>
void check_random(const cluster_type (&types)[N], bool tunnelled, bool inner) {
  auto pkts = *gen::clusterTraffic(6, 60, tunnelled);
  uint32_t members = *rc::gen::inRange<uint32_t>(1, 17);
  cluster_type t = *rc::gen::elementOf(std::vector<cluster_type>(std::begin(types), std::end(types)));
  RC_TAG(int(t));
  check_flows_unsplit(pkts, t, members, inner);
}

RC_GTEST_PROP(CoreCluster, PerFlowTypesNeverSplitAFlow, ()) { check_random(kOuterTypes, false, false); }

RC_GTEST_PROP(CoreCluster, InnerTypesFollowTheTunnelledFlow, ()) { check_random(kInnerTypes, true, true); }

RC_GTEST_PROP(CoreCluster, InnerTypesOnPlainTrafficUseTheOuterFlow, ()) { check_random(kInnerTypes, false, true); }

}  // namespace
