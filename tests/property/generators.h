// generators.h - RapidCheck generators for the property tests, in one place
// (DESIGN.md decision 4). Namespace gen.
//
// Sections:
//   1. Values        addresses, MACs, small helpers
//   2. Packets       well-formed packets with the fields they carry,
//                    mutated packets, arbitrary bytes
//   3. Rules         wildcard and hash rules (gen_rules.h, included at the end)
//   4. RSS           Toeplitz keys, hash inputs and flow tuples
//   5. NIC traffic   frames of flows offered to the software NIC (gen_nic.h)
//   6. Clusters      packets of flows, both directions, maybe tunnelled (gen_cluster.h)
//   7. DNA driver    82576 set-ups and reader plans (gen_igb.h)
//
// Functions in gen::detail pick values with operator* and so must run inside
// an rc::gen::exec body (or a property); the rc::Gen<> functions at the end
// of each section are the public entry points.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <iomanip>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "model_cluster.h"
#include "model_parse.h"
#include "unit/pkt_builder.h"

namespace gen {

// =====================================================================
// 1. Values
// =====================================================================

// Mostly random; sometimes broadcast, zero or multicast.
inline rc::Gen<pktb::Mac> mac() {
  return rc::gen::weightedOneOf<pktb::Mac>({
      {8, rc::gen::arbitrary<pktb::Mac>()},
      {1, rc::gen::just(pktb::Mac{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})},
      {1, rc::gen::just(pktb::Mac{0x01, 0x00, 0x5E, 0x00, 0x00, 0x01})},
  });
}

// Host order. Random, plus the corners a parser could confuse with "unset".
inline rc::Gen<uint32_t> ipv4Address() {
  return rc::gen::weightedOneOf<uint32_t>({
      {8, rc::gen::arbitrary<uint32_t>()},
      {1, rc::gen::elementOf(std::vector<uint32_t>{0u, 0xFFFFFFFFu, 0x7F000001u})},
      {1, rc::gen::map(rc::gen::inRange<uint32_t>(0, 256), [](uint32_t x) { return 0x0A000000u | x; })},
  });
}

inline rc::Gen<pktb::Ip6> ipv6Address() {
  return rc::gen::weightedOneOf<pktb::Ip6>({
      {8, rc::gen::arbitrary<pktb::Ip6>()},
      {1, rc::gen::just(pktb::Ip6{})},
      {1, rc::gen::map(rc::gen::arbitrary<uint16_t>(),
                       [](uint16_t x) { return pktb::ip6({0xFE80, 0, 0, 0, 0, 0, 0, x}); })},
  });
}

namespace detail {

// True with the given probability at every size (gen::inRange scales with
// the size and would make early, small cases take every branch).
inline bool chance(size_t percent) {
  return *rc::gen::weightedElement<bool>({{percent, true}, {100 - percent, false}});
}

inline pktb::Bytes randomBytes(size_t n) {
  return *rc::gen::container<pktb::Bytes>(n, rc::gen::arbitrary<uint8_t>());
}

}  // namespace detail

// =====================================================================
// 2. Packets
// =====================================================================

// A serialised packet and the fields its headers carry, as pfc_parse_pkt
// should report them at level 5 (model::at_level gives the lower levels).
struct Packet {
  pktb::Bytes bytes;
  model::Parsed fields;
  std::string layers;  // e.g. "eth/vlan8100:12/ipv4+opt8/udp/gtpu(S)/ipv6/tcp"
};

inline void showValue(const Packet& p, std::ostream& os) {
  os << p.layers << " (" << p.bytes.size() << " bytes):";
  for (size_t i = 0; i < p.bytes.size(); i++)
    os << (i % 16 ? " " : "\n  ") << std::hex << std::setw(2) << std::setfill('0')
       << int(p.bytes[i]) << std::dec;
}

namespace detail {

// EtherTypes that are neither IP nor a VLAN tag.
inline uint16_t nonIpEtherType() {
  uint16_t t = *rc::gen::weightedOneOf<uint16_t>({
      {3, rc::gen::elementOf(std::vector<uint16_t>{0x0806, 0x88CC, 0x8847, 0x88E5, 0x8035})},
      {1, rc::gen::inRange<uint16_t>(0x0600, 0xFFFF)},
  });
  if (t == PFC_ETH_P_IP || t == PFC_ETH_P_IPV6 || t == PFC_ETH_P_8021Q ||
      t == PFC_ETH_P_8021AD || t == PFC_ETH_P_QINQ1)
    t = 0x0806;
  return t;
}

struct Tags {
  uint16_t first = NO_VLAN, second = NO_VLAN;
  size_t count = 0;
};

// 0..max tags with random TPIDs; the caller writes the type after them.
inline Tags writeTags(pktb::Builder& b, size_t max, std::string& layers) {
  Tags t;
  t.count = *rc::gen::weightedElement<size_t>({{6, 0}, {3, 1}, {2, 2}, {1, max}});
  t.count = std::min(t.count, max);
  for (size_t i = 0; i < t.count; i++) {
    uint16_t tpid = *rc::gen::elementOf(std::vector<uint16_t>{PFC_ETH_P_8021Q, PFC_ETH_P_8021AD, PFC_ETH_P_QINQ1});
    uint16_t tci = *rc::gen::arbitrary<uint16_t>();
    b.tag(tpid, tci);
    if (i == 0) t.first = tci & 0x0FFF;
    if (i == 1) t.second = tci & 0x0FFF;
    std::ostringstream os;
    os << "/vlan" << std::hex << tpid << ":" << std::dec << (tci & 0x0FFF);
    layers += os.str();
  }
  return t;
}

// What an IP header (with its extension headers) that was written says.
struct IpOut {
  uint8_t version = 0, tos = 0, proto = 0;
  model::Addr src, dst;
  uint32_t flags = 0;
  size_t l4_off = 0;  // 0 for a later fragment
};

inline IpOut writeIpv4(pktb::Builder& b, uint8_t proto, bool allow_later_fragment,
                       std::string& layers) {
  IpOut o;
  pktb::Ipv4Opts opt;
  o.version = 4;
  o.proto = proto;
  o.tos = opt.tos = *rc::gen::arbitrary<uint8_t>();
  size_t words = chance(25) ? *rc::gen::inRange<size_t>(1, 11) : 0;
  opt.options = randomBytes(words * 4);
  int frag = *rc::gen::weightedElement<int>({{6, 0}, {2, 1}, {allow_later_fragment ? 2u : 0u, 2}});
  opt.dont_fragment = frag == 0 && chance(50);
  opt.more_fragments = frag == 1 || (frag == 2 && chance(50));
  if (frag == 2) opt.frag_offset = *rc::gen::inRange<uint16_t>(1, 0x2000);
  o.src.v4 = *ipv4Address();
  o.dst.v4 = *ipv4Address();
  b.ipv4(o.src.v4, o.dst.v4, proto, opt);
  if (opt.more_fragments) o.flags |= PKT_FLAGS_IP_MORE_FRAG;
  if (frag == 2) o.flags |= PKT_FLAGS_IP_FRAG_OFFSET;
  o.l4_off = frag == 2 ? 0 : b.size();
  layers += "/ipv4";
  if (words) layers += "+opt" + std::to_string(words * 4);
  if (frag) layers += frag == 1 ? "/frag-first" : "/frag-later";
  return o;
}

inline IpOut writeIpv6(pktb::Builder& b, uint8_t proto, bool allow_later_fragment,
                       std::string& layers) {
  IpOut o;
  o.version = 6;
  o.tos = *rc::gen::arbitrary<uint8_t>();
  pktb::Ip6 src = *ipv6Address(), dst = *ipv6Address();
  std::copy(src.begin(), src.end(), o.src.v6.begin());
  std::copy(dst.begin(), dst.end(), o.dst.v6.begin());

  // The walked extension headers, then maybe a fragment header with an
  // offset, which ends the walk.
  size_t n = *rc::gen::weightedElement<size_t>({{4, 0}, {2, 1}, {1, 2}, {1, 4}});
  std::vector<uint8_t> types;
  for (size_t i = 0; i < n; i++) types.push_back(*rc::gen::elementOf(std::vector<uint8_t>{0, 43, 60, 51, 44}));
  bool later = allow_later_fragment && chance(15);
  if (later) types.push_back(44);

  b.ipv6(src, dst, types.empty() ? proto : types[0], o.tos, *rc::gen::inRange<uint32_t>(0, 1u << 20));
  layers += "/ipv6";
  for (size_t i = 0; i < types.size(); i++) {
    uint8_t next = i + 1 < types.size() ? types[i + 1] : proto;
    bool last_later = later && i + 1 == types.size();
    switch (types[i]) {
      case 44: {
        bool more = chance(50);
        uint16_t off = last_later ? *rc::gen::inRange<uint16_t>(1, 0x2000) : 0;
        b.frag6(next, off, more);
        if (more) o.flags |= PKT_FLAGS_IP_MORE_FRAG;
        if (off) o.flags |= PKT_FLAGS_IP_FRAG_OFFSET;
        layers += off ? "+frag-later" : "+frag-first";
        break;
      }
      case 51:
        b.ah(next, 4 * *rc::gen::inRange<size_t>(3, 11));
        layers += "+ah";
        break;
      default:
        b.ext6(next, 8 * *rc::gen::inRange<size_t>(1, 6));
        layers += "+ext" + std::to_string(types[i]);
        break;
    }
  }
  o.proto = proto;
  o.l4_off = later ? 0 : b.size();
  return o;
}

inline IpOut writeIp(pktb::Builder& b, int version, uint8_t proto, bool allow_later_fragment,
                     std::string& layers) {
  return version == 4 ? writeIpv4(b, proto, allow_later_fragment, layers)
                      : writeIpv6(b, proto, allow_later_fragment, layers);
}

// What an L4 header that was written says.
struct L4Out {
  bool parsed = false;  // a header the parser reads
  uint16_t sport = 0, dport = 0;
  uint32_t seq = 0, ack = 0;
  uint8_t tcp_flags = 0, icmp_type = 0, icmp_code = 0;
  size_t end = 0;  // offset after the header
};

// TCP, UDP, ICMP/ICMPv6 or SCTP for those protocols, nothing for others.
// A UDP destination port is never a tunnel port unless forced.
inline L4Out writeL4(pktb::Builder& b, uint8_t proto, std::optional<uint16_t> udp_dport,
                     std::string& layers) {
  L4Out o;
  o.parsed = proto == 6 || proto == 17 || proto == 1 || proto == 58 || proto == 132;
  if (proto == 6 || proto == 17 || proto == 132) {
    o.sport = *rc::gen::arbitrary<uint16_t>();
    o.dport = *rc::gen::arbitrary<uint16_t>();
  }
  switch (proto) {
    case 6:
      o.seq = *rc::gen::arbitrary<uint32_t>();
      o.ack = *rc::gen::arbitrary<uint32_t>();
      o.tcp_flags = *rc::gen::arbitrary<uint8_t>();
      b.tcp(o.sport, o.dport, o.seq, o.ack, o.tcp_flags, 4 * *rc::gen::inRange<size_t>(0, 11));
      layers += "/tcp";
      break;
    case 17:
      if (udp_dport)
        o.dport = *udp_dport;
      else if (o.dport == PFC_GTPU_PORT || o.dport == PFC_VXLAN_PORT)
        o.dport++;
      b.udp(o.sport, o.dport);
      layers += "/udp";
      break;
    case 1:
    case 58:
      o.icmp_type = *rc::gen::arbitrary<uint8_t>();
      o.icmp_code = *rc::gen::arbitrary<uint8_t>();
      b.icmp(o.icmp_type, o.icmp_code, *rc::gen::arbitrary<uint32_t>());
      layers += proto == 1 ? "/icmp" : "/icmpv6";
      break;
    case 132:
      b.sctp(o.sport, o.dport, *rc::gen::arbitrary<uint32_t>());
      layers += "/sctp";
      break;
    default:
      layers += "/proto" + std::to_string(proto);
      break;
  }
  o.end = b.size();
  return o;
}

inline uint8_t pickProto(int version, bool allow_gre) {
  // "Other" protocols: ones the parser does not parse that are not IPv6
  // extension headers either.
  uint8_t icmp = version == 4 ? 1 : 58;
  int kind = *rc::gen::weightedElement<int>({{4, 0}, {4, 1}, {1, 2}, {1, 3}, {allow_gre ? 1u : 0u, 4}, {1, 5}});
  switch (kind) {
    case 0: return 6;
    case 1: return 17;
    case 2: return icmp;
    case 3: return 132;
    case 4: return 47;
    default: return *rc::gen::elementOf(std::vector<uint8_t>{2, 4, 41, 50, 89, 103, 112});
  }
}

// The inner IP packet of a tunnel, into the tunnel fields of f.
inline void writeInnerIp(pktb::Builder& b, int version, model::Parsed& f, std::string& layers) {
  uint8_t proto = pickProto(version, false);
  IpOut ip = writeIp(b, version, proto, true, layers);
  f.tunneled_ip_version = ip.version;
  f.tunneled_proto = ip.proto;
  f.tunneled_ip_src = ip.src;
  f.tunneled_ip_dst = ip.dst;
  if (ip.l4_off) {
    L4Out l4 = writeL4(b, proto, std::nullopt, layers);
    f.tunneled_l4_src_port = l4.sport;
    f.tunneled_l4_dst_port = l4.dport;
  }
  f.level = 5;
}

// Inner Ethernet (VXLAN, GRE 0x6558): maybe tagged, usually IP.
inline void writeInnerEthernet(pktb::Builder& b, model::Parsed& f, std::string& layers) {
  b.macs(*mac(), *mac());
  layers += "/eth";
  writeTags(b, 2, layers);
  if (chance(10)) {
    b.type(nonIpEtherType());
    layers += "/non-ip";
    return;
  }
  int version = *rc::gen::element(4, 6);
  b.type(version == 4 ? PFC_ETH_P_IP : PFC_ETH_P_IPV6);
  writeInnerIp(b, version, f, layers);
}

inline void writeGtpu(pktb::Builder& b, model::Parsed& f, std::string& layers) {
  uint32_t teid = *rc::gen::arbitrary<uint32_t>();
  uint8_t msg = chance(90) ? 0xFF : *rc::gen::inRange<uint8_t>(1, 255);
  std::optional<uint16_t> seq;
  std::optional<uint8_t> npdu;
  std::vector<pktb::GtpExt> exts;
  if (chance(30)) seq = *rc::gen::arbitrary<uint16_t>();
  if (chance(20)) npdu = *rc::gen::arbitrary<uint8_t>();
  size_t n_ext = chance(30) ? *rc::gen::inRange<size_t>(1, 4) : 0;
  for (size_t i = 0; i < n_ext; i++)
    exts.push_back({*rc::gen::inRange<uint8_t>(1, 255), *rc::gen::inRange<size_t>(1, 4)});
  size_t start = b.size();
  b.gtpu(teid, msg, seq, npdu, exts);
  // Without E the next-extension type is not to be interpreted (TS 29.281
  // 5.1): put something there.
  if (n_ext == 0 && (seq || npdu)) b.b[start + 11] = *rc::gen::arbitrary<uint8_t>();
  layers += "/gtpu";
  if (seq || npdu || n_ext)
    layers += std::string("(") + (n_ext ? "E" : "") + (seq ? "S" : "") + (npdu ? "PN" : "") + ")";
  f.tunnel_id = teid;
  if (msg == 0xFF)
    writeInnerIp(b, *rc::gen::element(4, 6), f, layers);
  else
    layers += "/msg" + std::to_string(msg);
}

inline void writeVxlan(pktb::Builder& b, model::Parsed& f, std::string& layers) {
  uint32_t vni = *rc::gen::inRange<uint32_t>(0, 1u << 24);
  b.vxlan(vni);
  layers += "/vxlan";
  f.tunnel_id = vni;
  writeInnerEthernet(b, f, layers);
}

// GRE header (version 0) and what it carries. Returns its length.
inline size_t writeGre(pktb::Builder& b, model::Parsed& f, std::string& layers) {
  size_t start = b.size();
  std::optional<uint32_t> key, seq;
  bool csum = chance(30);
  if (chance(60)) key = *rc::gen::arbitrary<uint32_t>();
  if (chance(30)) seq = *rc::gen::arbitrary<uint32_t>();
  uint16_t proto = *rc::gen::weightedElement<uint16_t>(
      {{3, PFC_ETH_P_IP}, {3, PFC_ETH_P_IPV6}, {2, PFC_ETH_P_TEB}, {1, 0x880B}, {1, 0x88BE}});
  b.gre(proto, key, csum, seq);
  size_t len = b.size() - start;
  layers += key ? "/gre(K)" : "/gre";
  if (key) f.tunnel_id = *key;
  if (proto == PFC_ETH_P_IP || proto == PFC_ETH_P_IPV6)
    writeInnerIp(b, proto == PFC_ETH_P_IP ? 4 : 6, f, layers);
  else if (proto == PFC_ETH_P_TEB)
    writeInnerEthernet(b, f, layers);
  else
    layers += "/gre-payload";
  return len;
}

inline Packet wellFormed() {
  Packet p;
  pktb::Builder b;
  model::Parsed& f = p.fields;

  f.dmac = *mac();
  f.smac = *mac();
  b.macs(f.dmac, f.smac);
  p.layers = "eth";
  Tags tags = writeTags(b, PFC_MAX_VLAN_TAGS, p.layers);
  f.vlan_id = tags.first;
  f.qinq_vlan_id = tags.second;
  f.vlan_offset = tags.count ? 14 : 0;
  f.l3_offset = int(b.size() + 2);
  f.level = 2;

  int version = *rc::gen::weightedElement<int>({{1, 0}, {4, 4}, {4, 6}});
  if (version == 0) {
    f.eth_type = nonIpEtherType();
    b.type(f.eth_type);
    p.layers += "/non-ip";
  } else {
    f.eth_type = version == 4 ? PFC_ETH_P_IP : PFC_ETH_P_IPV6;
    b.type(f.eth_type);
    // Decide the tunnel first: it fixes the L4 protocol.
    int tunnel = *rc::gen::weightedElement<int>({{6, 0}, {2, 1}, {2, 2}, {2, 3}});
    uint8_t proto = tunnel == 1 || tunnel == 2 ? 17 : tunnel == 3 ? 47 : pickProto(version, false);
    IpOut ip = writeIp(b, version, proto, true, p.layers);
    f.ip_version = ip.version;
    f.l3_proto = ip.proto;
    f.ip_tos = ip.tos;
    f.ip_src = ip.src;
    f.ip_dst = ip.dst;
    f.ip_flags = ip.flags;
    f.l4_offset = int(ip.l4_off);
    f.level = 3;
    if (ip.l4_off && proto == 47) {
      f.payload_offset = int(b.size());
      f.level = 4;
      f.payload_offset += int(writeGre(b, f, p.layers));  // may reach level 5
    } else if (ip.l4_off) {
      std::optional<uint16_t> dport;
      if (tunnel == 1) dport = PFC_GTPU_PORT;
      if (tunnel == 2) dport = PFC_VXLAN_PORT;
      L4Out l4 = writeL4(b, proto, dport, p.layers);
      if (l4.parsed) {
        f.l4_src_port = l4.sport;
        f.l4_dst_port = l4.dport;
        f.tcp_seq = l4.seq;
        f.tcp_ack = l4.ack;
        f.tcp_flags = l4.tcp_flags;
        f.icmp_type = l4.icmp_type;
        f.icmp_code = l4.icmp_code;
        f.payload_offset = int(l4.end);
        f.level = 4;
      }
      if (tunnel == 1) writeGtpu(b, f, p.layers);
      if (tunnel == 2) writeVxlan(b, f, p.layers);
    }
  }
  b.raw(randomBytes(*rc::gen::inRange<size_t>(0, 33)));
  p.bytes = b.done();
  return p;
}

}  // namespace detail

// A well-formed packet: Ethernet, 0..8 VLAN tags, non-IP or IPv4 (options,
// fragments) or IPv6 (extension headers, fragments), TCP/UDP/ICMP/SCTP/
// other, optionally a GTP-U, VXLAN or GRE tunnel with an inner packet, and
// random payload. p.fields is what pfc_parse_pkt must report at level 5.
inline rc::Gen<Packet> wellFormedPacket() { return rc::gen::exec(&detail::wellFormed); }

// A well-formed packet after 1..4 random edits: byte overwrites, bit flips,
// truncation, insertion and deletion.
inline rc::Gen<pktb::Bytes> mutatedPacket() {
  return rc::gen::exec([] {
    pktb::Bytes b = (*wellFormedPacket()).bytes;
    int edits = *rc::gen::inRange(1, 5);
    for (int i = 0; i < edits && !b.empty(); i++) {
      size_t at = *rc::gen::inRange<size_t>(0, b.size());
      switch (*rc::gen::inRange(0, 5)) {
        case 0: b[at] = *rc::gen::arbitrary<uint8_t>(); break;
        case 1: b[at] ^= uint8_t(1u << *rc::gen::inRange(0, 8)); break;
        case 2: b.resize(at); break;
        case 3: {
          pktb::Bytes ins = detail::randomBytes(*rc::gen::inRange<size_t>(1, 9));
          b.insert(b.begin() + long(at), ins.begin(), ins.end());
          break;
        }
        default:
          b.erase(b.begin() + long(at),
                  b.begin() + long(std::min(b.size(), at + *rc::gen::inRange<size_t>(1, 9))));
          break;
      }
    }
    return b;
  });
}

// A frame as a capture holds it: mostly well-formed, sometimes mutated,
// and one in five cut by a snaplen (bytes shorter than the wire length).
struct CapturedFrame {
  pktb::Bytes bytes;
  uint32_t wire_len;
};

inline rc::Gen<CapturedFrame> capturedFrame() {
  return rc::gen::exec([] {
    CapturedFrame f;
    f.bytes = *rc::gen::weightedOneOf<pktb::Bytes>(
        {{4, rc::gen::map(wellFormedPacket(), [](const Packet &p) { return p.bytes; })}, {1, mutatedPacket()}});
    f.wire_len = uint32_t(f.bytes.size());
    if (!f.bytes.empty() && *rc::gen::inRange(0, 4) == 0) f.bytes.resize(*rc::gen::inRange<size_t>(0, f.bytes.size()));
    return f;
  });
}

// Any bytes: purely random, mutated well-formed packets, and random bytes
// behind an interesting EtherType (and often an IP version nibble).
inline rc::Gen<pktb::Bytes> arbitraryBytes() {
  auto typed = rc::gen::exec([] {
    pktb::Bytes b = detail::randomBytes(12);
    uint16_t type = *rc::gen::elementOf(std::vector<uint16_t>{PFC_ETH_P_IP, PFC_ETH_P_IPV6, PFC_ETH_P_8021Q,
                                               PFC_ETH_P_8021AD, PFC_ETH_P_QINQ1});
    b.push_back(uint8_t(type >> 8));
    b.push_back(uint8_t(type));
    pktb::Bytes tail = *rc::gen::arbitrary<pktb::Bytes>();
    if (!tail.empty() && detail::chance(70))
      tail[0] = type == PFC_ETH_P_IPV6 ? uint8_t(0x60 | (tail[0] & 0x0F)) : uint8_t(0x45);
    b.insert(b.end(), tail.begin(), tail.end());
    return b;
  });
  return rc::gen::weightedOneOf<pktb::Bytes>({
      {3, rc::gen::arbitrary<pktb::Bytes>()},
      {3, mutatedPacket()},
      {2, typed},
  });
}

}  // namespace gen

// =====================================================================
// 3. Rules: wildcard and hash rules and the packets they see
// =====================================================================
#include "gen_rules.h"

// =====================================================================
// 4. RSS: Toeplitz keys, hash inputs, flow tuples and parsed packets
//    (tests/property/prop_core_rss.cpp, model in tests/model/model_rss.h)
// =====================================================================
#include <cstring>

#include "model_rss.h"

extern "C" {
#include "rss.h"
}

namespace gen {

// A 40-byte Toeplitz key: mostly random, sometimes the two keys rss.c ships
// or a degenerate one (all zeros, all ones).
inline rc::Gen<std::vector<uint8_t>> rssKey() {
  auto fixed = [](const uint8_t* k) { return std::vector<uint8_t>(k, k + PFC_RSS_KEY_LEN); };
  return rc::gen::weightedOneOf<std::vector<uint8_t>>({
      {8, rc::gen::container<std::vector<uint8_t>>(PFC_RSS_KEY_LEN, rc::gen::arbitrary<uint8_t>())},
      {1, rc::gen::just(fixed(pfc_rss_default_key))},
      {1, rc::gen::just(fixed(pfc_rss_symmetric_key))},
      {1, rc::gen::element(std::vector<uint8_t>(PFC_RSS_KEY_LEN, 0x00),
                           std::vector<uint8_t>(PFC_RSS_KEY_LEN, 0xFF))},
  });
}

// Hash input bytes of exactly `len` bytes (0..PFC_RSS_MAX_INPUT).
inline rc::Gen<std::vector<uint8_t>> rssInput(size_t len) {
  return rc::gen::container<std::vector<uint8_t>>(len, rc::gen::arbitrary<uint8_t>());
}

// Enabled hash types: any mix of the six PFC_RSS_* bits, often all of them
// or the common "4-tuple + 2-tuple of one version" sets.
inline rc::Gen<uint32_t> rssHashTypes() {
  return rc::gen::weightedOneOf<uint32_t>({
      {4, rc::gen::exec([] {  // each bit on or off, at every size
         uint32_t types = 0;
         for (uint32_t bit = 1; bit <= PFC_RSS_ALL_TYPES; bit <<= 1)
           if (detail::chance(50)) types |= bit;
         return types;
       })},
      {2, rc::gen::just(uint32_t(PFC_RSS_ALL_TYPES))},
      {1, rc::gen::element(uint32_t(PFC_RSS_IPV4 | PFC_RSS_IPV4_TCP),
                           uint32_t(PFC_RSS_IPV6 | PFC_RSS_IPV6_TCP | PFC_RSS_IPV6_UDP),
                           uint32_t(PFC_RSS_IPV4 | PFC_RSS_IPV6))},
  });
}

// A flow as the hash sees it: IPv4 or IPv6, with or without ports.
inline rc::Gen<model::RssTuple> rssTuple() {
  return rc::gen::exec([] {
    model::RssTuple t;
    t.ip_version = *rc::gen::element(4, 6);
    if (t.ip_version == 4) {
      t.src4 = *ipv4Address();
      t.dst4 = *ipv4Address();
    } else {
      t.src6 = *ipv6Address();
      t.dst6 = *ipv6Address();
    }
    if (detail::chance(70))
      t.ports = std::make_pair(*rc::gen::arbitrary<uint16_t>(), *rc::gen::arbitrary<uint16_t>());
    return t;
  });
}

inline void showValue(const model::RssTuple& t, std::ostream& os) {
  os << "IPv" << t.ip_version << " input";
  for (uint8_t b : model::serialize(t)) os << " " << std::hex << std::setw(2) << std::setfill('0') << int(b) << std::dec;
}

// A pkt_parsing_info as pfc_parse_pkt could leave it, plus garbage in the
// fields RSS must not read: IP version 4, 6, 0 or other; TCP, UDP or other
// protocols; the L4 header located or not (a later fragment).
struct RssParsed {
  struct pkt_parsing_info info;
};

inline void showValue(const RssParsed& r, std::ostream& os) {
  const struct pkt_parsing_info& p = r.info;
  os << "ip_version " << int(p.ip_version) << " l3_proto " << int(p.l3_proto) << " l4_offset "
     << p.offset.l4_offset << " ports " << p.l4_src_port << " -> " << p.l4_dst_port << " src";
  for (int i = 0; i < 16; i++) os << " " << std::hex << std::setw(2) << std::setfill('0') << int(p.ip_src.v6.s6_addr[i]);
  os << " dst";
  for (int i = 0; i < 16; i++) os << " " << std::setw(2) << int(p.ip_dst.v6.s6_addr[i]);
  os << std::dec << " (IPv4 reads the v4 member, host order: 0x" << std::hex << p.ip_src.v4 << " -> 0x" << p.ip_dst.v4
     << std::dec << ")";
}

inline rc::Gen<RssParsed> rssParsed() {
  return rc::gen::exec([] {
    RssParsed r;
    // Garbage first: RSS may read only version, protocol, addresses, ports
    // and l4_offset.
    pktb::Bytes noise = detail::randomBytes(sizeof(r.info));
    std::memcpy(&r.info, noise.data(), sizeof(r.info));
    struct pkt_parsing_info& p = r.info;
    p.ip_version = *rc::gen::weightedOneOf<uint8_t>({
        {4, rc::gen::just(uint8_t(4))},
        {4, rc::gen::just(uint8_t(6))},
        {1, rc::gen::just(uint8_t(0))},
        {1, rc::gen::arbitrary<uint8_t>()},
    });
    p.l3_proto = *rc::gen::weightedOneOf<uint8_t>({
        {4, rc::gen::just(uint8_t(PFC_IPPROTO_TCP))},
        {4, rc::gen::just(uint8_t(PFC_IPPROTO_UDP))},
        {2, rc::gen::element(uint8_t(PFC_IPPROTO_ICMP), uint8_t(PFC_IPPROTO_ICMPV6), uint8_t(PFC_IPPROTO_SCTP),
                             uint8_t(PFC_IPPROTO_GRE))},
        {1, rc::gen::arbitrary<uint8_t>()},
    });
    if (p.ip_version == 4) {  // the rest of the address unions stays garbage
      p.ip_src.v4 = *ipv4Address();
      p.ip_dst.v4 = *ipv4Address();
    } else {
      pktb::Ip6 s = *ipv6Address(), d = *ipv6Address();
      std::memcpy(p.ip_src.v6.s6_addr, s.data(), 16);
      std::memcpy(p.ip_dst.v6.s6_addr, d.data(), 16);
    }
    p.l4_src_port = *rc::gen::arbitrary<uint16_t>();
    p.l4_dst_port = *rc::gen::arbitrary<uint16_t>();
    p.offset.l4_offset = detail::chance(85) ? *rc::gen::inRange<int16_t>(34, 200) : int16_t(0);
    return r;
  });
}

}  // namespace gen

// =====================================================================
// 5. NIC traffic and 6. Clusters
// =====================================================================
#include "gen_nic.h"
#include "gen_cluster.h"
#include "gen_igb.h"
