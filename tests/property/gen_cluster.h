// gen_cluster.h - RapidCheck generators for cluster tests: packets of a few
// flows in both directions, maybe GTP-U tunnelled (section 6 of the
// generators; generators.h includes it after sections 1-4, whose helpers
// it uses).
#pragma once

#include <rapidcheck.h>

#include <array>
#include <ostream>
#include <vector>

#include "model_cluster.h"
#include "unit/pkt_builder.h"

namespace gen {

// =====================================================================
// 6. Clusters
// =====================================================================
// Packets of a few flows in both directions, each with the flow fields the
// sender wrote (model::FlowFields): the outer flow, and for a GTP-U packet
// the tunnelled flow too. A flow's tunnelled packets may travel between
// different outer endpoints (the inner cluster types must not care).

struct ClusterPacket {
  pktb::Bytes bytes;
  model::FlowFields outer;
  bool tunnelled = false;
  model::FlowFields inner;  // when tunnelled
};

inline void showValue(const ClusterPacket& p, std::ostream& os) {
  os << p.bytes.size() << "B v" << p.outer.ip_version << " proto " << int(p.outer.proto) << " "
     << p.outer.sport << ">" << p.outer.dport << (p.tunnelled ? " tunnelled" : "");
}

namespace detail {

inline model::FlowFields clusterFlow() {
  model::FlowFields f;
  f.ip_version = chance(70) ? 4 : 6;
  if (f.ip_version == 4) {
    uint32_t a = *ipv4Address(), b = *ipv4Address();
    for (int i = 0; i < 4; i++) {
      f.src[i] = uint8_t(a >> (24 - 8 * i));
      f.dst[i] = uint8_t(b >> (24 - 8 * i));
    }
  } else {
    pktb::Ip6 a = *ipv6Address(), b = *ipv6Address();
    std::copy(a.begin(), a.end(), f.src.begin());
    std::copy(b.begin(), b.end(), f.dst.begin());
  }
  f.proto = chance(50) ? 6 : 17;
  // few ports, so flows that share addresses and differ in ports occur
  f.sport = *rc::gen::element<uint16_t>(80, 443, 1024, 2152 + 1, 40000);
  f.dport = *rc::gen::element<uint16_t>(80, 443, 1024, 53, 40001);
  f.vlan = chance(20) ? *rc::gen::inRange<uint16_t>(1, 4095) : 0;
  return f;
}

inline model::FlowFields reversed(model::FlowFields f) {
  std::swap(f.src, f.dst);
  std::swap(f.sport, f.dport);
  return f;
}

inline uint32_t v4_of(const std::array<uint8_t, 16>& a) {
  return uint32_t(a[0]) << 24 | uint32_t(a[1]) << 16 | uint32_t(a[2]) << 8 | a[3];
}

inline pktb::Ip6 v6_of(const std::array<uint8_t, 16>& a) {
  pktb::Ip6 r{};
  std::copy(a.begin(), a.end(), r.begin());
  return r;
}

// IP + L4 header of f into b (no Ethernet).
inline void writeFlowIp(pktb::Builder& b, const model::FlowFields& f) {
  if (f.ip_version == 4)
    b.ipv4(v4_of(f.src), v4_of(f.dst), f.proto);
  else
    b.ipv6(v6_of(f.src), v6_of(f.dst), f.proto);
  if (f.proto == 6)
    b.tcp(f.sport, f.dport, 1, 1, 0x10);
  else
    b.udp(f.sport, f.dport);
}

inline ClusterPacket clusterPacket(const model::FlowFields& flow, bool reverse, const model::FlowFields* tunnel_of) {
  const pktb::Mac ma = {0x02, 0, 0, 0, 0, 0x0a}, mb = {0x02, 0, 0, 0, 0, 0x0b};
  ClusterPacket p;
  pktb::Builder b;
  b.macs(reverse ? ma : mb, reverse ? mb : ma);
  if (tunnel_of) {
    // flow is carried inside GTP-U between the endpoints of *tunnel_of
    model::FlowFields outer = reverse ? reversed(*tunnel_of) : *tunnel_of;
    outer.proto = 17;
    outer.sport = outer.dport = 2152;
    if (outer.vlan) b.tag(0x8100, outer.vlan);
    b.type(outer.ip_version == 4 ? 0x0800 : 0x86DD);
    model::FlowFields inner = reverse ? reversed(flow) : flow;
    if (outer.ip_version == 4)
      b.ipv4(v4_of(outer.src), v4_of(outer.dst), 17);
    else
      b.ipv6(v6_of(outer.src), v6_of(outer.dst), 17);
    b.udp(2152, 2152);
    b.gtpu(*rc::gen::arbitrary<uint32_t>());
    writeFlowIp(b, inner);
    p.outer = outer;
    p.tunnelled = true;
    p.inner = inner;
  } else {
    p.outer = reverse ? reversed(flow) : flow;
    if (p.outer.vlan) b.tag(0x8100, p.outer.vlan);
    b.type(p.outer.ip_version == 4 ? 0x0800 : 0x86DD);
    writeFlowIp(b, p.outer);
  }
  b.payload(*rc::gen::inRange<size_t>(0, 64));
  p.bytes = b.done();
  return p;
}

}  // namespace detail

// 1..max_flows flows, 1..max_packets packets; tunnelled: every packet is
// GTP-U carrying one of the flows between one of a few outer endpoints.
inline rc::Gen<std::vector<ClusterPacket>> clusterTraffic(size_t max_flows, size_t max_packets, bool tunnelled) {
  return rc::gen::exec([=] {
    size_t nflows = *rc::gen::inRange<size_t>(1, max_flows + 1);
    std::vector<model::FlowFields> flows, tunnels;
    for (size_t i = 0; i < nflows; i++) flows.push_back(detail::clusterFlow());
    for (size_t i = 0; i < 3; i++) tunnels.push_back(detail::clusterFlow());
    size_t n = *rc::gen::inRange<size_t>(1, max_packets + 1);
    std::vector<ClusterPacket> out;
    for (size_t i = 0; i < n; i++) {
      const model::FlowFields& f = flows[*rc::gen::inRange<size_t>(0, nflows)];
      const model::FlowFields* t = tunnelled ? &tunnels[*rc::gen::inRange<size_t>(0, tunnels.size())] : nullptr;
      out.push_back(detail::clusterPacket(f, detail::chance(50), t));
    }
    return out;
  });
}

}  // namespace gen
