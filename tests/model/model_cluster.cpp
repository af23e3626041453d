// model_cluster.cpp - see model_cluster.h.
#include "model_cluster.h"

#include <algorithm>

namespace model {

namespace {

enum Fields { kAddrs = 1, kPorts = 2, kProto = 4, kVlan = 8 };

int fields_of(cluster_type t, uint8_t proto) {
  switch (t) {
    case cluster_per_flow:
      return kAddrs | kPorts | kProto | kVlan;
    case cluster_per_inner_flow:  // the VLAN is an outer header
      return kAddrs | kPorts | kProto;
    case cluster_per_flow_2_tuple:
    case cluster_per_inner_flow_2_tuple:
      return kAddrs;
    case cluster_per_flow_4_tuple:
    case cluster_per_inner_flow_4_tuple:
      return kAddrs | kPorts;
    case cluster_per_flow_5_tuple:
    case cluster_per_inner_flow_5_tuple:
      return kAddrs | kPorts | kProto;
    case cluster_per_flow_tcp_5_tuple:
    case cluster_per_inner_flow_tcp_5_tuple:
      return proto == 6 ? (kAddrs | kPorts | kProto) : kAddrs;
    default:
      return 0;
  }
}

}  // namespace

std::vector<uint8_t> cluster_flow_key(const FlowFields& f, cluster_type t) {
  int use = fields_of(t, f.proto);
  size_t alen = f.ip_version == 6 ? 16 : 4;
  // One end = address (+ port); the key lists the smaller end first.
  auto end = [&](const std::array<uint8_t, 16>& addr, uint16_t port) {
    std::vector<uint8_t> e(addr.begin(), addr.begin() + alen);
    if (use & kPorts) {
      e.push_back(uint8_t(port >> 8));
      e.push_back(uint8_t(port));
    }
    return e;
  };
  std::vector<uint8_t> a = end(f.src, f.sport), b = end(f.dst, f.dport);
  if (b < a) std::swap(a, b);
  std::vector<uint8_t> key{uint8_t(f.ip_version)};
  key.insert(key.end(), a.begin(), a.end());
  key.insert(key.end(), b.begin(), b.end());
  if (use & kProto) key.push_back(f.proto);
  if (use & kVlan) {
    key.push_back(uint8_t(f.vlan >> 8));
    key.push_back(uint8_t(f.vlan));
  }
  return key;
}

uint32_t round_robin_member(uint64_t k, uint32_t n) { return n ? uint32_t(k % n) : 0; }

}  // namespace model
