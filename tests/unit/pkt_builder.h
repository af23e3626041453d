// pkt_builder.h - builds packets byte by byte for the parser tests.
//
// Headers are appended in wire order; length fields (IPv4 total length,
// IPv6 payload length, UDP length, GTP-U length) are patched by done() to
// "everything after this header", which is right because a packet here is
// one chain of headers followed by the payload. Checksums are left 0: the
// parser does not look at them.
//
//   pktb::Bytes pkt = pktb::Builder()
//       .eth(kDst, kSrc).tag(0x8100, 10).type(0x0800)
//       .ipv4(0x0a000001, 0x0a000002, 6)
//       .tcp(1234, 80, 1, 2, 0x12)
//       .payload(10)
//       .done();
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace pktb {

using Bytes = std::vector<uint8_t>;
using Mac = std::array<uint8_t, 6>;
using Ip6 = std::array<uint8_t, 16>;

struct Ipv4Opts {
  uint8_t tos = 0;
  uint16_t frag_offset = 0;  // in 8-byte units
  bool more_fragments = false;
  bool dont_fragment = false;
  Bytes options;                 // appended after the 20 bytes; pad to 4
  int ihl_override = -1;         // written instead of the real IHL
  int total_len_override = -1;   // written instead of the real total length
  uint8_t ttl = 64;
  uint16_t id = 0x1234;
};

struct GtpExt {
  uint8_t type;        // the type announcing this header
  size_t units;        // length in 4-octet units (>= 1)
};

class Builder {
 public:
  Bytes b;

  size_t size() const { return b.size(); }

  Builder& u8(uint8_t v) { b.push_back(v); return *this; }
  Builder& u16(uint16_t v) { u8(uint8_t(v >> 8)); return u8(uint8_t(v)); }
  Builder& u32(uint32_t v) { u16(uint16_t(v >> 16)); return u16(uint16_t(v)); }
  Builder& raw(const Bytes& v) { b.insert(b.end(), v.begin(), v.end()); return *this; }
  Builder& zeros(size_t n) { b.insert(b.end(), n, 0); return *this; }
  Builder& fill(size_t n, uint8_t v) { b.insert(b.end(), n, v); return *this; }
  // n bytes counting up from `first`: easy to spot in a hex dump.
  Builder& payload(size_t n, uint8_t first = 0xA0) {
    for (size_t i = 0; i < n; i++) u8(uint8_t(first + i));
    return *this;
  }

  // ---- L2 ----
  Builder& macs(const Mac& dst, const Mac& src) {
    b.insert(b.end(), dst.begin(), dst.end());
    b.insert(b.end(), src.begin(), src.end());
    return *this;
  }
  Builder& tag(uint16_t tpid, uint16_t tci) { u16(tpid); return u16(tci); }
  Builder& type(uint16_t eth_type) { return u16(eth_type); }
  // Untagged Ethernet II header.
  Builder& eth(const Mac& dst, const Mac& src, uint16_t eth_type) {
    return macs(dst, src).type(eth_type);
  }

  // ---- L3 ----
  // src and dst in host order (written big-endian).
  Builder& ipv4(uint32_t src, uint32_t dst, uint8_t proto, const Ipv4Opts& o = {}) {
    size_t start = size();
    size_t opt_len = (o.options.size() + 3) / 4 * 4;
    uint8_t ihl = uint8_t((20 + opt_len) / 4);
    u8(uint8_t(0x40 | ((o.ihl_override >= 0 ? o.ihl_override : ihl) & 0x0F)));
    u8(o.tos);
    u16(0);  // total length, patched
    u16(o.id);
    u16(uint16_t((o.dont_fragment ? 0x4000 : 0) | (o.more_fragments ? 0x2000 : 0) |
                 (o.frag_offset & 0x1FFF)));
    u8(o.ttl).u8(proto).u16(0).u32(src).u32(dst);
    raw(o.options).zeros(opt_len - o.options.size());
    if (o.total_len_override >= 0) {
      b[start + 2] = uint8_t(o.total_len_override >> 8);
      b[start + 3] = uint8_t(o.total_len_override);
    } else {
      fixups_.push_back({Fix::kIpv4TotalLen, start});
    }
    return *this;
  }
  Builder& ipv6(const Ip6& src, const Ip6& dst, uint8_t next, uint8_t tclass = 0,
                uint32_t flow = 0) {
    size_t start = size();
    u32((6u << 28) | (uint32_t(tclass) << 20) | (flow & 0xFFFFF));
    u16(0);  // payload length, patched
    u8(next).u8(64);
    b.insert(b.end(), src.begin(), src.end());
    b.insert(b.end(), dst.begin(), dst.end());
    fixups_.push_back({Fix::kIpv6PayloadLen, start});
    return *this;
  }
  // Hop-by-hop (0), routing (43) or destination options (60): len bytes,
  // a multiple of 8, >= 8.
  Builder& ext6(uint8_t next, size_t len) {
    u8(next).u8(uint8_t(len / 8 - 1));
    return fill(len - 2, 0x01);  // PadN-looking filler
  }
  // Fragment header (RFC 8200 4.5); offset in 8-byte units.
  Builder& frag6(uint8_t next, uint16_t offset, bool more, uint32_t id = 0xCAFE) {
    u8(next).u8(0).u16(uint16_t((offset << 3) | (more ? 1 : 0)));
    return u32(id);
  }
  // Authentication header (RFC 4302): len bytes, a multiple of 4, >= 12.
  Builder& ah(uint8_t next, size_t len) {
    u8(next).u8(uint8_t(len / 4 - 2)).u16(0).u32(0x100).u32(1);
    return fill(len - 12, 0xAA);
  }

  // ---- L4 ----
  Builder& tcp(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
               size_t options_len = 0, int doff_override = -1) {
    size_t opt = (options_len + 3) / 4 * 4;
    uint8_t doff = uint8_t(doff_override >= 0 ? doff_override : int((20 + opt) / 4));
    u16(sport).u16(dport).u32(seq).u32(ack);
    u8(uint8_t(doff << 4)).u8(flags).u16(65535).u16(0).u16(0);
    return fill(opt, 0x01);  // NOPs
  }
  Builder& udp(uint16_t sport, uint16_t dport) {
    size_t start = size();
    u16(sport).u16(dport).u16(0).u16(0);
    fixups_.push_back({Fix::kUdpLen, start});
    return *this;
  }
  Builder& icmp(uint8_t type, uint8_t code, uint32_t rest = 0) {
    return u8(type).u8(code).u16(0).u32(rest);
  }
  Builder& sctp(uint16_t sport, uint16_t dport, uint32_t vtag = 0x11223344) {
    return u16(sport).u16(dport).u32(vtag).u32(0);
  }
  // GRE (RFC 2784/2890), version 0.
  Builder& gre(uint16_t proto, std::optional<uint32_t> key = std::nullopt,
               bool checksum = false, std::optional<uint32_t> seq = std::nullopt) {
    u16(uint16_t((checksum ? 0x8000 : 0) | (key ? 0x2000 : 0) | (seq ? 0x1000 : 0)));
    u16(proto);
    if (checksum) u32(0);
    if (key) u32(*key);
    if (seq) u32(*seq);
    return *this;
  }
  // GTP-U (3GPP TS 29.281 5.1). The optional word is present if any of
  // seq / npdu / exts is given; exts[i].type announces header i.
  Builder& gtpu(uint32_t teid, uint8_t msg_type = 0xFF, std::optional<uint16_t> seq = std::nullopt,
                std::optional<uint8_t> npdu = std::nullopt, const std::vector<GtpExt>& exts = {}) {
    size_t start = size();
    bool e = !exts.empty();
    uint8_t flags = uint8_t(0x30 | (e ? 0x04 : 0) | (seq ? 0x02 : 0) | (npdu ? 0x01 : 0));
    u8(flags).u8(msg_type).u16(0).u32(teid);
    if (e || seq || npdu) {
      u16(seq.value_or(0)).u8(npdu.value_or(0)).u8(e ? exts[0].type : 0);
      for (size_t i = 0; i < exts.size(); i++) {
        u8(uint8_t(exts[i].units));
        fill(exts[i].units * 4 - 2, 0x5A);
        u8(i + 1 < exts.size() ? exts[i + 1].type : 0);
      }
    }
    fixups_.push_back({Fix::kGtpLen, start});
    return *this;
  }
  // VXLAN (RFC 7348 5) with the I flag set.
  Builder& vxlan(uint32_t vni, bool i_flag = true) {
    return u8(i_flag ? 0x08 : 0).zeros(3).u32(vni << 8);
  }

  // Patches the length fields and returns the bytes.
  Bytes done() {
    for (const auto& [kind, at] : fixups_) {
      size_t after = size() - at;
      switch (kind) {
        case Fix::kIpv4TotalLen: put16(at + 2, after); break;
        case Fix::kIpv6PayloadLen: put16(at + 4, after - 40); break;
        case Fix::kUdpLen: put16(at + 4, after); break;
        case Fix::kGtpLen: put16(at + 2, after - 8); break;
      }
    }
    fixups_.clear();
    return b;
  }

 private:
  enum class Fix { kIpv4TotalLen, kIpv6PayloadLen, kUdpLen, kGtpLen };
  void put16(size_t at, size_t v) {
    b[at] = uint8_t(v >> 8);
    b[at + 1] = uint8_t(v);
  }
  std::vector<std::pair<Fix, size_t>> fixups_;
};

inline Ip6 ip6(std::initializer_list<uint16_t> groups) {
  Ip6 a{};
  size_t i = 0;
  for (uint16_t g : groups) {
    if (i >= 16) break;
    a[i++] = uint8_t(g >> 8);
    a[i++] = uint8_t(g);
  }
  return a;
}

}  // namespace pktb
