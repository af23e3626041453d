// unit_util.h - helpers shared by the libpfring unit tests: a temporary
// directory that removes itself, file writing, and builders for a few
// simple Ethernet frames (IPv4/IPv6 with TCP/UDP, ARP) whose payload
// starts with a 32-bit tag so a test can tell which packet it got.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace ut {

using Bytes = std::vector<uint8_t>;
using Ip6 = std::array<uint8_t, 16>;

// A fresh directory under $TMPDIR (or /tmp), removed with its contents.
class TempDir {
 public:
  TempDir() {
    const char *base = getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/pfr_unit_XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data())) path_ = buf.data();
  }
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;

  bool ok() const { return !path_.empty(); }
  const std::string &path() const { return path_; }
  std::string file(const std::string &name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Writes bytes to path; true on success.
inline bool write_file(const std::string &path, const Bytes &bytes) {
  FILE *f = fopen(path.c_str(), "wb");
  if (!f) return false;
  bool ok = bytes.empty() || fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  return fclose(f) == 0 && ok;
}

// ---- frames ----------------------------------------------------------

inline void put16(Bytes &b, uint16_t v) {
  b.push_back(uint8_t(v >> 8));
  b.push_back(uint8_t(v));
}
inline void put32(Bytes &b, uint32_t v) {
  put16(b, uint16_t(v >> 16));
  put16(b, uint16_t(v));
}
inline uint32_t get32(const uint8_t *p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

constexpr std::array<uint8_t, 6> kMacA = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0a};
constexpr std::array<uint8_t, 6> kMacB = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0b};

// One L3/L4 flow endpoint pair; IPv4 addresses in host order.
struct Flow {
  uint8_t proto = 6;  // 6 TCP, 17 UDP
  uint32_t sip = 0x0a000001, dip = 0x0a000002;
  uint16_t sport = 1234, dport = 80;
  uint16_t vlan = 0;  // 0: untagged
  Flow reversed() const {
    Flow r = *this;
    std::swap(r.sip, r.dip);
    std::swap(r.sport, r.dport);
    return r;
  }
};

namespace detail {
inline void eth(Bytes &b, bool a_to_b, uint16_t vlan, uint16_t type) {
  const auto &d = a_to_b ? kMacB : kMacA;
  const auto &s = a_to_b ? kMacA : kMacB;
  b.insert(b.end(), d.begin(), d.end());
  b.insert(b.end(), s.begin(), s.end());
  if (vlan) {
    put16(b, 0x8100);
    put16(b, vlan);
  }
  put16(b, type);
}
inline void l4(Bytes &b, uint8_t proto, uint16_t sport, uint16_t dport, size_t payload_len) {
  put16(b, sport);
  put16(b, dport);
  if (proto == 6) {
    put32(b, 1000);      // seq
    put32(b, 2000);      // ack
    b.push_back(5 << 4); // data offset
    b.push_back(0x18);   // PSH|ACK
    put16(b, 65535);
    put16(b, 0);
    put16(b, 0);
  } else {
    put16(b, uint16_t(8 + payload_len));
    put16(b, 0);
  }
}
inline void payload(Bytes &b, uint32_t tag, size_t len) {
  size_t start = b.size();
  put32(b, tag);
  for (size_t i = 4; i < len; i++) b.push_back(uint8_t(tag * 7 + i));
  b.resize(start + len);
}
}  // namespace detail

// Ethernet (+ optional VLAN) / IPv4 / TCP or UDP / payload of payload_len
// bytes (at least 4) starting with tag, big-endian.
inline Bytes ipv4_frame(const Flow &f, uint32_t tag, size_t payload_len = 18, bool a_to_b = true) {
  if (payload_len < 4) payload_len = 4;
  Bytes b;
  detail::eth(b, a_to_b, f.vlan, 0x0800);
  size_t l4len = (f.proto == 6 ? 20 : 8) + payload_len;
  b.push_back(0x45);
  b.push_back(0);
  put16(b, uint16_t(20 + l4len));
  put16(b, uint16_t(tag));
  put16(b, 0x4000);
  b.push_back(64);
  b.push_back(f.proto);
  put16(b, 0);
  put32(b, f.sip);
  put32(b, f.dip);
  detail::l4(b, f.proto, f.sport, f.dport, payload_len);
  detail::payload(b, tag, payload_len);
  return b;
}

// Ethernet / IPv6 / TCP or UDP / tagged payload.
inline Bytes ipv6_frame(uint8_t proto, const Ip6 &src, const Ip6 &dst, uint16_t sport, uint16_t dport,
                        uint32_t tag, size_t payload_len = 18) {
  if (payload_len < 4) payload_len = 4;
  Bytes b;
  detail::eth(b, true, 0, 0x86DD);
  size_t l4len = (proto == 6 ? 20 : 8) + payload_len;
  put32(b, 6u << 28);
  put16(b, uint16_t(l4len));
  b.push_back(proto);
  b.push_back(64);
  b.insert(b.end(), src.begin(), src.end());
  b.insert(b.end(), dst.begin(), dst.end());
  detail::l4(b, proto, sport, dport, payload_len);
  detail::payload(b, tag, payload_len);
  return b;
}

// Ethernet / ARP request with the tag in the target protocol address.
inline Bytes arp_frame(uint32_t tag) {
  Bytes b;
  detail::eth(b, true, 0, 0x0806);
  put16(b, 1);
  put16(b, 0x0800);
  b.push_back(6);
  b.push_back(4);
  put16(b, 1);
  b.insert(b.end(), kMacA.begin(), kMacA.end());
  put32(b, 0x0a000001);
  for (int i = 0; i < 6; i++) b.push_back(0);
  put32(b, tag);
  b.resize(60, 0);
  return b;
}

// The tag of a frame built above (payload start), or of an ARP frame.
inline uint32_t frame_tag(const uint8_t *p, size_t caplen) {
  if (caplen < 14) return UINT32_MAX;
  size_t off = 12;
  uint16_t type = uint16_t(p[off] << 8 | p[off + 1]);
  if (type == 0x8100) {
    off += 4;
    type = uint16_t(p[off] << 8 | p[off + 1]);
  }
  off += 2;
  if (type == 0x0806) return caplen >= off + 28 ? get32(p + off + 24) : UINT32_MAX;
  uint8_t proto;
  if (type == 0x0800) {
    if (caplen < off + 20) return UINT32_MAX;
    proto = p[off + 9];
    off += 20;
  } else if (type == 0x86DD) {
    if (caplen < off + 40) return UINT32_MAX;
    proto = p[off + 6];
    off += 40;
  } else {
    return UINT32_MAX;
  }
  off += proto == 6 ? 20 : 8;
  return caplen >= off + 4 ? get32(p + off) : UINT32_MAX;
}

// Formats bytes for failure messages (first max bytes).
inline std::string hex(const uint8_t *p, size_t n, size_t max = 32) {
  std::string s;
  char b[4];
  for (size_t i = 0; i < n && i < max; i++) {
    snprintf(b, sizeof b, "%02x", p[i]);
    s += b;
  }
  if (n > max) s += "...";
  return s;
}

// A strict little JSON checker (RFC 8259 values), for the stats text.
class JsonChecker {
 public:
  static bool valid(const std::string &s) {
    JsonChecker j(s);
    j.ws();
    if (!j.value(0)) return false;
    j.ws();
    return j.i_ == s.size();
  }

 private:
  explicit JsonChecker(const std::string &s) : s_(s) {}
  bool more() const { return i_ < s_.size(); }
  char peek() const { return more() ? s_[i_] : '\0'; }
  void ws() {
    while (more() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) i_++;
  }
  bool lit(const char *w) {
    size_t n = std::strlen(w);
    if (s_.compare(i_, n, w) != 0) return false;
    i_ += n;
    return true;
  }
  bool string() {
    if (peek() != '"') return false;
    i_++;
    while (more()) {
      unsigned char c = static_cast<unsigned char>(s_[i_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c != '\\') continue;
      if (!more()) return false;
      char e = s_[i_++];
      if (e == 'u') {
        for (int k = 0; k < 4; k++)
          if (!more() || !std::isxdigit(static_cast<unsigned char>(s_[i_++]))) return false;
      } else if (!std::strchr("\"\\/bfnrt", e)) {
        return false;
      }
    }
    return false;
  }
  bool digits() {
    size_t start = i_;
    while (more() && std::isdigit(static_cast<unsigned char>(s_[i_]))) i_++;
    return i_ > start;
  }
  bool number() {
    if (peek() == '-') i_++;
    if (peek() == '0') {
      i_++;
    } else if (!digits()) {
      return false;
    }
    if (peek() == '.') {
      i_++;
      if (!digits()) return false;
    }
    if (peek() == 'e' || peek() == 'E') {
      i_++;
      if (peek() == '+' || peek() == '-') i_++;
      if (!digits()) return false;
    }
    return true;
  }
  bool value(int depth) {
    if (depth > 32) return false;
    char c = peek();
    if (c == '"') return string();
    if (c == '{' || c == '[') {
      char close = c == '{' ? '}' : ']';
      i_++;
      ws();
      if (peek() == close) {
        i_++;
        return true;
      }
      for (;;) {
        ws();
        if (c == '{') {
          if (!string()) return false;
          ws();
          if (peek() != ':') return false;
          i_++;
          ws();
        }
        if (!value(depth + 1)) return false;
        ws();
        if (peek() == ',') {
          i_++;
          continue;
        }
        if (peek() != close) return false;
        i_++;
        return true;
      }
    }
    if (c == 't') return lit("true");
    if (c == 'f') return lit("false");
    if (c == 'n') return lit("null");
    return number();
  }
  const std::string &s_;
  size_t i_ = 0;
};

}  // namespace ut
