// model_rss.cpp - plain reference RSS; see model_rss.h.
#include "model_rss.h"

#include <deque>

extern "C" {
#include "rss.h"  // the PFC_RSS_* type bits only
}

namespace model {

uint32_t toeplitz(const std::vector<uint8_t>& key, const std::vector<uint8_t>& input) {
  // K as bits, left-most first.
  std::deque<bool> k;
  for (uint8_t byte : key)
    for (int bit = 7; bit >= 0; bit--) k.push_back((byte >> bit) & 1);
  while (k.size() < 32) k.push_back(false);

  uint32_t result = 0;
  for (uint8_t byte : input) {
    for (int bit = 7; bit >= 0; bit--) {
      if ((byte >> bit) & 1) {
        uint32_t left32 = 0;
        for (int j = 0; j < 32; j++) left32 = left32 * 2 + (k[size_t(j)] ? 1 : 0);
        result ^= left32;
      }
      k.pop_front();
      k.push_back(false);
    }
  }
  return result;
}

std::vector<uint8_t> serialize(const RssTuple& t) {
  std::vector<uint8_t> out;
  auto push_number = [&out](uint32_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; i--) out.push_back(uint8_t((v >> (8 * i)) & 0xFF));
  };
  if (t.ip_version == 4) {
    push_number(t.src4, 4);
    push_number(t.dst4, 4);
  } else {
    out.insert(out.end(), t.src6.begin(), t.src6.end());
    out.insert(out.end(), t.dst6.begin(), t.dst6.end());
  }
  if (t.ports) {
    push_number(t.ports->first, 2);
    push_number(t.ports->second, 2);
  }
  return out;
}

RssTuple reversed(const RssTuple& t) {
  RssTuple r = t;
  std::swap(r.src4, r.dst4);
  std::swap(r.src6, r.dst6);
  if (r.ports) r.ports = std::make_pair(t.ports->second, t.ports->first);
  return r;
}

std::optional<RssTuple> rss_tuple(const struct pkt_parsing_info& p, uint32_t hash_types) {
  if (p.ip_version != 4 && p.ip_version != 6) return std::nullopt;
  bool v4 = p.ip_version == 4;
  uint32_t tcp_type = v4 ? PFC_RSS_IPV4_TCP : PFC_RSS_IPV6_TCP;
  uint32_t udp_type = v4 ? PFC_RSS_IPV4_UDP : PFC_RSS_IPV6_UDP;
  uint32_t addr_type = v4 ? PFC_RSS_IPV4 : PFC_RSS_IPV6;
  bool l4_located = p.offset.l4_offset != 0;

  RssTuple t;
  t.ip_version = p.ip_version;
  if (v4) {
    t.src4 = p.ip_src.v4;
    t.dst4 = p.ip_dst.v4;
  } else {
    for (int i = 0; i < 16; i++) {
      t.src6[size_t(i)] = p.ip_src.v6.s6_addr[i];
      t.dst6[size_t(i)] = p.ip_dst.v6.s6_addr[i];
    }
  }

  bool tcp = l4_located && p.l3_proto == 6 && (hash_types & tcp_type);
  bool udp = l4_located && p.l3_proto == 17 && (hash_types & udp_type);
  if (tcp || udp) {
    t.ports = std::make_pair(p.l4_src_port, p.l4_dst_port);
    return t;
  }
  if (hash_types & addr_type) return t;
  return std::nullopt;
}

std::vector<uint8_t> reta_default(uint32_t nqueues) {
  std::vector<uint8_t> reta;
  for (uint32_t i = 0; i < 128; i++) reta.push_back(uint8_t(i % nqueues));
  return reta;
}

uint32_t reta_queue(const std::vector<uint8_t>& reta, uint32_t hash) { return reta.at(hash % 128); }

}  // namespace model
