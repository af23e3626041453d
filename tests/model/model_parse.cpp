// model_parse.cpp - plain reference parser; see model_parse.h.
#include "model_parse.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <sstream>

namespace model {
namespace {

// Offsets are int16_t in struct pkt_offset: bytes from here on are treated
// as not captured.
constexpr size_t kLimit = 0x7FFF;

// Thrown by Bytes when a read falls outside the captured bytes.
struct NotCaptured {};

class Bytes {
 public:
  Bytes(const uint8_t* p, size_t n) : p_(p), n_(p ? std::min(n, kLimit) : 0) {}
  size_t size() const { return n_; }
  bool has(size_t off, size_t len) const { return off + len <= n_; }
  uint8_t u8(size_t off) const {
    if (off >= n_) throw NotCaptured{};
    return p_[off];
  }
  uint16_t u16(size_t off) const { return uint16_t(u8(off) * 256 + u8(off + 1)); }
  uint32_t u32(size_t off) const { return uint32_t(u16(off)) * 65536 + u16(off + 2); }

 private:
  const uint8_t* p_;
  size_t n_;
};

bool is_vlan_tpid(uint16_t t) { return t == 0x8100 || t == 0x88A8 || t == 0x9100; }

// ---- Ethernet ----
struct Eth {
  uint16_t type = 0;
  uint16_t vlan = NO_VLAN, qinq = NO_VLAN;
  size_t vlan_off = 0;  // the first tag's TCI, 0 if untagged
  size_t l3_off = 0;
};

std::optional<Eth> ethernet(const Bytes& b, size_t off) {
  if (!b.has(off, 14)) return std::nullopt;
  Eth e;
  e.type = b.u16(off + 12);
  size_t pos = off + 14;
  int tags = 0;
  // Tags are TPID + TCI; we stand on the TCI, the next type follows it.
  while (tags < PFC_MAX_VLAN_TAGS && is_vlan_tpid(e.type) && b.has(pos, 4)) {
    uint16_t vid = b.u16(pos) & 0x0FFF;
    if (tags == 0) {
      e.vlan = vid;
      e.vlan_off = pos;
    }
    if (tags == 1) e.qinq = vid;
    e.type = b.u16(pos + 2);
    pos += 4;
    tags++;
  }
  e.l3_off = pos;
  return e;
}

// ---- IP ----
struct Ip {
  uint8_t version = 0, proto = 0, tos = 0;
  Addr src, dst;
  size_t l4_off = 0;  // 0: no L4 header (later fragment, unwalkable chain)
  uint32_t flags = 0;
};

Addr read_v4(const Bytes& b, size_t off) {
  Addr a;
  a.v4 = b.u32(off);
  return a;
}

Addr read_v6(const Bytes& b, size_t off) {
  Addr a;
  for (size_t i = 0; i < 16; i++) a.v6[i] = b.u8(off + i);
  return a;
}

std::optional<Ip> ipv4(const Bytes& b, size_t off) {
  if (!b.has(off, 20)) return std::nullopt;
  if (b.u8(off) / 16 != 4) return std::nullopt;
  size_t header_len = (b.u8(off) % 16) * 4;
  if (header_len < 20) return std::nullopt;
  if (!b.has(off, header_len)) return std::nullopt;
  size_t total_len = b.u16(off + 2);
  if (total_len != 0 && total_len < header_len) return std::nullopt;
  Ip ip;
  ip.version = 4;
  ip.tos = b.u8(off + 1);
  ip.proto = b.u8(off + 9);
  ip.src = read_v4(b, off + 12);
  ip.dst = read_v4(b, off + 16);
  bool more_fragments = (b.u8(off + 6) & 0x20) != 0;
  unsigned fragment_offset = b.u16(off + 6) % 8192;
  if (more_fragments) ip.flags |= PKT_FLAGS_IP_MORE_FRAG;
  if (fragment_offset != 0) ip.flags |= PKT_FLAGS_IP_FRAG_OFFSET;
  ip.l4_off = fragment_offset == 0 ? off + header_len : 0;
  return ip;
}

bool is_ipv6_extension(uint8_t next) {
  return next == 0 || next == 43 || next == 44 || next == 60 || next == 51;
}

std::optional<Ip> ipv6(const Bytes& b, size_t off) {
  if (!b.has(off, 40)) return std::nullopt;
  if (b.u8(off) / 16 != 6) return std::nullopt;
  Ip ip;
  ip.version = 6;
  ip.tos = uint8_t((b.u8(off) % 16) * 16 + b.u8(off + 1) / 16);
  ip.src = read_v6(b, off + 8);
  ip.dst = read_v6(b, off + 24);
  uint8_t next = b.u8(off + 6);
  size_t pos = off + 40;
  int walked = 0;
  while (true) {
    ip.proto = next;
    if (!is_ipv6_extension(next)) {
      ip.l4_off = pos;
      return ip;
    }
    // Not walked: more than the limit, or not captured whole.
    if (walked == PFC_MAX_IPV6_EXT_HDRS) return ip;
    if (!b.has(pos, 8)) return ip;
    size_t len;
    if (next == 44)
      len = 8;
    else if (next == 51)
      len = (b.u8(pos + 1) + 2) * 4;
    else
      len = (b.u8(pos + 1) + 1) * 8;
    if (!b.has(pos, len)) return ip;
    if (next == 44) {
      unsigned fragment_offset = b.u16(pos + 2) / 8;
      bool more_fragments = (b.u8(pos + 3) & 1) != 0;
      if (more_fragments) ip.flags |= PKT_FLAGS_IP_MORE_FRAG;
      if (fragment_offset != 0) {
        ip.flags |= PKT_FLAGS_IP_FRAG_OFFSET;
        ip.proto = b.u8(pos);
        return ip;  // the rest is the middle of the upper-layer data
      }
    }
    next = b.u8(pos);
    pos += len;
    walked++;
  }
}

std::optional<Ip> ip_by_type(const Bytes& b, uint16_t type, size_t off) {
  if (type == 0x0800) return ipv4(b, off);
  if (type == 0x86DD) return ipv6(b, off);
  return std::nullopt;
}

// ---- L4 ----
// Length of the header of `proto` at off when we parse it and it is
// captured whole.
std::optional<size_t> transport_len(const Bytes& b, uint8_t proto, size_t off) {
  size_t len = 0;
  if (proto == 6) {  // TCP
    if (!b.has(off, 20)) return std::nullopt;
    len = (b.u8(off + 12) / 16) * 4;
    if (len < 20) return std::nullopt;
  } else if (proto == 17) {  // UDP
    len = 8;
  } else if (proto == 1 || proto == 58) {  // ICMP, ICMPv6
    len = 8;
  } else if (proto == 132) {  // SCTP
    len = 12;
  } else if (proto == 47) {  // GRE
    if (!b.has(off, 4)) return std::nullopt;
    uint16_t word = b.u16(off);
    bool checksum = word & 0x8000, routing = word & 0x4000, key = word & 0x2000,
         sequence = word & 0x1000, strict_route = word & 0x0800,
         ack = word & 0x0080;
    unsigned version = word & 7;
    if (routing || strict_route || version > 1) return std::nullopt;
    len = 4 + 4 * checksum + 4 * key + 4 * sequence;
    if (version == 1 && ack) len += 4;
  } else {
    return std::nullopt;
  }
  if (!b.has(off, len)) return std::nullopt;
  return len;
}

bool has_ports(uint8_t proto) { return proto == 6 || proto == 17 || proto == 132; }

// ---- tunnels ----
// Fills the inner fields of r from the inner IP header at off; false when
// there is none.
bool inner_ip(const Bytes& b, uint16_t type, size_t off, Parsed& r) {
  std::optional<Ip> in = ip_by_type(b, type, off);
  if (!in) return false;
  r.tunneled_ip_version = in->version;
  r.tunneled_proto = in->proto;
  r.tunneled_ip_src = in->src;
  r.tunneled_ip_dst = in->dst;
  if (in->l4_off != 0 && has_ports(in->proto) && transport_len(b, in->proto, in->l4_off)) {
    r.tunneled_l4_src_port = b.u16(in->l4_off);
    r.tunneled_l4_dst_port = b.u16(in->l4_off + 2);
  }
  return true;
}

bool inner_ethernet(const Bytes& b, size_t off, Parsed& r) {
  std::optional<Eth> e = ethernet(b, off);
  if (!e) return false;
  return inner_ip(b, e->type, e->l3_off, r);
}

bool gtpu(const Bytes& b, size_t off, Parsed& r) {
  if (!b.has(off, 8)) return false;
  uint8_t first = b.u8(off);
  unsigned version = first / 32;
  bool pt = first & 0x10, e = first & 0x04, s = first & 0x02, pn = first & 0x01;
  if (version != 1 || !pt) return false;
  size_t len = 8;
  uint8_t next_ext = 0;
  if (e || s || pn) {
    if (!b.has(off, 12)) return false;
    len = 12;
    if (e) next_ext = b.u8(off + 11);
  }
  while (next_ext != 0) {
    if (!b.has(off + len, 1)) return false;
    size_t ext_len = b.u8(off + len) * 4;
    if (ext_len == 0 || !b.has(off + len, ext_len)) return false;
    next_ext = b.u8(off + len + ext_len - 1);
    len += ext_len;
  }
  r.tunnel_id = b.u32(off + 4);
  if (b.u8(off + 1) != 255) return false;  // only a G-PDU carries a packet
  if (!b.has(off + len, 1)) return false;
  uint16_t type = b.u8(off + len) / 16 == 6 ? 0x86DD : 0x0800;
  return inner_ip(b, type, off + len, r);
}

bool vxlan(const Bytes& b, size_t off, Parsed& r) {
  if (!b.has(off, 8)) return false;
  if (!(b.u8(off) & 0x08)) return false;
  r.tunnel_id = b.u32(off + 4) / 256;
  return inner_ethernet(b, off + 8, r);
}

bool gre(const Bytes& b, size_t off, size_t header_len, Parsed& r) {
  uint16_t word = b.u16(off);
  if ((word & 7) != 0) return false;
  bool checksum = word & 0x8000, key = word & 0x2000;
  if (key) r.tunnel_id = b.u32(off + (checksum ? 8 : 4));
  uint16_t type = b.u16(off + 2);
  if (type == 0x6558) return inner_ethernet(b, off + header_len, r);
  return inner_ip(b, type, off + header_len, r);
}

Parsed parse_bytes(const Bytes& b, int level) {
  Parsed r;
  if (level < 2) return r;

  std::optional<Eth> eth = ethernet(b, 0);
  if (!eth) return r;
  for (size_t i = 0; i < 6; i++) {
    r.dmac[i] = b.u8(i);
    r.smac[i] = b.u8(6 + i);
  }
  r.eth_type = eth->type;
  r.vlan_id = eth->vlan;
  r.qinq_vlan_id = eth->qinq;
  r.vlan_offset = int(eth->vlan_off);
  r.l3_offset = int(eth->l3_off);
  r.level = 2;
  if (level < 3) return r;

  std::optional<Ip> ip = ip_by_type(b, eth->type, eth->l3_off);
  if (!ip) return r;
  r.ip_version = ip->version;
  r.l3_proto = ip->proto;
  r.ip_tos = ip->tos;
  r.ip_src = ip->src;
  r.ip_dst = ip->dst;
  r.ip_flags = ip->flags;
  r.l4_offset = int(ip->l4_off);
  r.level = 3;
  if (level < 4 || ip->l4_off == 0) return r;

  size_t l4 = ip->l4_off;
  std::optional<size_t> l4_len = transport_len(b, ip->proto, l4);
  if (!l4_len) return r;
  if (has_ports(ip->proto)) {
    r.l4_src_port = b.u16(l4);
    r.l4_dst_port = b.u16(l4 + 2);
  }
  if (ip->proto == 6) {
    r.tcp_seq = b.u32(l4 + 4);
    r.tcp_ack = b.u32(l4 + 8);
    r.tcp_flags = b.u8(l4 + 13);
  }
  if (ip->proto == 1 || ip->proto == 58) {
    r.icmp_type = b.u8(l4);
    r.icmp_code = b.u8(l4 + 1);
  }
  r.payload_offset = int(l4 + *l4_len);
  r.level = 4;
  if (level < 5) return r;

  bool inner = false;
  if (ip->proto == 17 && r.l4_dst_port == PFC_GTPU_PORT)
    inner = gtpu(b, l4 + 8, r);
  else if (ip->proto == 17 && r.l4_dst_port == PFC_VXLAN_PORT)
    inner = vxlan(b, l4 + 8, r);
  else if (ip->proto == 47)
    inner = gre(b, l4, *l4_len, r);
  if (inner) r.level = 5;
  return r;
}

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)v);
  return buf;
}

std::string bytes_str(const uint8_t* p, size_t n, char sep) {
  std::string s;
  char buf[4];
  for (size_t i = 0; i < n; i++) {
    std::snprintf(buf, sizeof buf, "%02x", p[i]);
    if (i) s += sep;
    s += buf;
  }
  return s;
}

}  // namespace

Parsed parse(const uint8_t* pkt, size_t len, int level) {
  Bytes b(pkt, len);
  try {
    return parse_bytes(b, level);
  } catch (const NotCaptured&) {
    // Every read is preceded by a has() check, so this is a model bug;
    // a value nobody expects makes the disagreement visible.
    Parsed r;
    r.level = -1;
    return r;
  }
}

Parsed parse(const std::vector<uint8_t>& pkt, int level) {
  return parse(pkt.data(), pkt.size(), level);
}

Parsed at_level(const Parsed& full, int level) {
  Parsed r = full;
  Parsed absent;
  if (level < 2) return absent;
  r.level = std::min(level, full.level);
  if (level < 5) {
    r.tunnel_id = absent.tunnel_id;
    r.tunneled_ip_version = 0;
    r.tunneled_proto = 0;
    r.tunneled_ip_src = Addr{};
    r.tunneled_ip_dst = Addr{};
    r.tunneled_l4_src_port = r.tunneled_l4_dst_port = 0;
  }
  if (level < 4) {
    r.l4_src_port = r.l4_dst_port = 0;
    r.icmp_type = r.icmp_code = 0;
    r.tcp_flags = 0;
    r.tcp_seq = r.tcp_ack = 0;
    r.payload_offset = 0;
  }
  if (level < 3) {
    r.ip_version = r.l3_proto = r.ip_tos = 0;
    r.ip_src = r.ip_dst = Addr{};
    r.ip_flags = 0;
    r.l4_offset = 0;
  }
  return r;
}

static Addr addr_from_core(const ip_addr& a, uint8_t version) {
  Addr r;
  if (version == 4) r.v4 = a.v4;
  if (version == 6)
    for (size_t i = 0; i < 16; i++) r.v6[i] = a.v6.s6_addr[i];
  return r;
}

Parsed from_core(const struct pkt_parsing_info& p, int ret, uint32_t flags) {
  Parsed r;
  r.level = ret;
  r.ip_flags = flags & (PKT_FLAGS_IP_MORE_FRAG | PKT_FLAGS_IP_FRAG_OFFSET);
  for (size_t i = 0; i < 6; i++) {
    r.dmac[i] = p.dmac[i];
    r.smac[i] = p.smac[i];
  }
  r.eth_type = p.eth_type;
  r.vlan_id = p.vlan_id;
  r.qinq_vlan_id = p.qinq_vlan_id;
  r.ip_version = p.ip_version;
  r.l3_proto = p.l3_proto;
  r.ip_tos = p.ip_tos;
  r.ip_src = addr_from_core(p.ip_src, p.ip_version);
  r.ip_dst = addr_from_core(p.ip_dst, p.ip_version);
  r.l4_src_port = p.l4_src_port;
  r.l4_dst_port = p.l4_dst_port;
  r.icmp_type = p.icmp_type;
  r.icmp_code = p.icmp_code;
  r.tcp_flags = p.tcp.flags;
  r.tcp_seq = p.tcp.seq_num;
  r.tcp_ack = p.tcp.ack_num;
  r.tunnel_id = p.tunnel.tunnel_id;
  r.tunneled_ip_version = p.tunnel.tunneled_ip_version;
  r.tunneled_proto = p.tunnel.tunneled_proto;
  r.tunneled_ip_src = addr_from_core(p.tunnel.tunneled_ip_src, p.tunnel.tunneled_ip_version);
  r.tunneled_ip_dst = addr_from_core(p.tunnel.tunneled_ip_dst, p.tunnel.tunneled_ip_version);
  r.tunneled_l4_src_port = p.tunnel.tunneled_l4_src_port;
  r.tunneled_l4_dst_port = p.tunnel.tunneled_l4_dst_port;
  r.eth_offset = p.offset.eth_offset;
  r.vlan_offset = p.offset.vlan_offset;
  r.l3_offset = p.offset.l3_offset;
  r.l4_offset = p.offset.l4_offset;
  r.payload_offset = p.offset.payload_offset;
  return r;
}

static std::string addr_str(const Addr& a) {
  return "v4=" + hex(a.v4) + " v6=" + bytes_str(a.v6.data(), 16, ':');
}

std::vector<std::pair<std::string, std::string>> fields(const Parsed& p) {
  return {
      {"level", std::to_string(p.level)},
      {"ip_flags", hex(p.ip_flags)},
      {"dmac", bytes_str(p.dmac.data(), 6, ':')},
      {"smac", bytes_str(p.smac.data(), 6, ':')},
      {"eth_type", hex(p.eth_type)},
      {"vlan_id", std::to_string(p.vlan_id)},
      {"qinq_vlan_id", std::to_string(p.qinq_vlan_id)},
      {"ip_version", std::to_string(p.ip_version)},
      {"l3_proto", std::to_string(p.l3_proto)},
      {"ip_tos", std::to_string(p.ip_tos)},
      {"ip_src", addr_str(p.ip_src)},
      {"ip_dst", addr_str(p.ip_dst)},
      {"l4_src_port", std::to_string(p.l4_src_port)},
      {"l4_dst_port", std::to_string(p.l4_dst_port)},
      {"icmp_type", std::to_string(p.icmp_type)},
      {"icmp_code", std::to_string(p.icmp_code)},
      {"tcp_flags", hex(p.tcp_flags)},
      {"tcp_seq", std::to_string(p.tcp_seq)},
      {"tcp_ack", std::to_string(p.tcp_ack)},
      {"tunnel_id", hex(p.tunnel_id)},
      {"tunneled_ip_version", std::to_string(p.tunneled_ip_version)},
      {"tunneled_proto", std::to_string(p.tunneled_proto)},
      {"tunneled_ip_src", addr_str(p.tunneled_ip_src)},
      {"tunneled_ip_dst", addr_str(p.tunneled_ip_dst)},
      {"tunneled_l4_src_port", std::to_string(p.tunneled_l4_src_port)},
      {"tunneled_l4_dst_port", std::to_string(p.tunneled_l4_dst_port)},
      {"eth_offset", std::to_string(p.eth_offset)},
      {"vlan_offset", std::to_string(p.vlan_offset)},
      {"l3_offset", std::to_string(p.l3_offset)},
      {"l4_offset", std::to_string(p.l4_offset)},
      {"payload_offset", std::to_string(p.payload_offset)},
  };
}

std::string diff(const Parsed& expected, const Parsed& actual) {
  auto e = fields(expected), a = fields(actual);
  std::string out;
  for (size_t i = 0; i < e.size(); i++)
    if (e[i].second != a[i].second)
      out += e[i].first + ": expected " + e[i].second + ", got " + a[i].second + "\n";
  return out;
}

std::string show(const Parsed& p) {
  std::ostringstream os;
  for (const auto& [name, value] : fields(p)) os << name << "=" << value << "\n";
  return os.str();
}

static bool same_addr(const Addr& a, const Addr& b) { return a.v4 == b.v4 && a.v6 == b.v6; }

// Field by field (not through fields(): the fuzzer calls this a lot).
bool operator==(const Parsed& a, const Parsed& b) {
  return a.level == b.level && a.ip_flags == b.ip_flags && a.dmac == b.dmac && a.smac == b.smac &&
         a.eth_type == b.eth_type && a.vlan_id == b.vlan_id && a.qinq_vlan_id == b.qinq_vlan_id &&
         a.ip_version == b.ip_version && a.l3_proto == b.l3_proto && a.ip_tos == b.ip_tos &&
         same_addr(a.ip_src, b.ip_src) && same_addr(a.ip_dst, b.ip_dst) &&
         a.l4_src_port == b.l4_src_port && a.l4_dst_port == b.l4_dst_port &&
         a.icmp_type == b.icmp_type && a.icmp_code == b.icmp_code && a.tcp_flags == b.tcp_flags &&
         a.tcp_seq == b.tcp_seq && a.tcp_ack == b.tcp_ack && a.tunnel_id == b.tunnel_id &&
         a.tunneled_ip_version == b.tunneled_ip_version && a.tunneled_proto == b.tunneled_proto &&
         same_addr(a.tunneled_ip_src, b.tunneled_ip_src) &&
         same_addr(a.tunneled_ip_dst, b.tunneled_ip_dst) &&
         a.tunneled_l4_src_port == b.tunneled_l4_src_port &&
         a.tunneled_l4_dst_port == b.tunneled_l4_dst_port && a.eth_offset == b.eth_offset &&
         a.vlan_offset == b.vlan_offset && a.l3_offset == b.l3_offset &&
         a.l4_offset == b.l4_offset && a.payload_offset == b.payload_offset;
}

}  // namespace model
