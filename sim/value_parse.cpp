// value_parse.cpp - see value_parse.h.
#include "value_parse.h"

extern "C" {
#include "numparse.h"
}

#include <cctype>

#include "nic.h"

namespace sim {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool parse_hex_bytes(const std::string &s, size_t pos, uint8_t *out) {
  int hi = hex_digit(s[pos]), lo = hex_digit(s[pos + 1]);
  if (hi < 0 || lo < 0) return false;
  *out = static_cast<uint8_t>(hi * 16 + lo);
  return true;
}

}  // namespace

bool parse_uint(const std::string &s, uint64_t max, uint64_t *out) {
  return pfc_parse_decimal(s.data(), s.size(), max, out) == 0;
}

bool parse_speed(const std::string &s, LinkSpeed *out) {
  std::string l = s;
  for (auto &c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (l.size() < 2 || l.back() != 'g') return false;
  uint64_t g = 0;
  if (!parse_uint(l.substr(0, l.size() - 1), 1000, &g) || !link_speed_valid(static_cast<uint32_t>(g))) return false;
  *out = static_cast<LinkSpeed>(g);
  return true;
}

bool parse_rate(const std::string &s, Rate *rate, uint32_t *factor) {
  uint64_t v = 0;
  if (s == "recorded") {
    *rate = Rate::kRecorded;
  } else if (s == "line" || s == "top") {
    *rate = Rate::kLine;
  } else if (s.size() > 1 && s[0] == 'x' && parse_uint(s.substr(1), 1000000, &v) && v > 0) {
    *rate = Rate::kScaled;
    *factor = static_cast<uint32_t>(v);
  } else {
    return false;
  }
  return true;
}

bool parse_on_off(const std::string &s, bool *out) {
  if (s != "on" && s != "off") return false;
  *out = s == "on";
  return true;
}

bool parse_rss_key(const std::string &s, std::array<uint8_t, PFC_RSS_KEY_LEN> *out) {
  if (s == "default") {
    *out = microsoft_rss_key();
  } else if (s == "symmetric") {
    *out = symmetric_rss_key();
  } else if (s.size() == 2 * PFC_RSS_KEY_LEN) {
    std::array<uint8_t, PFC_RSS_KEY_LEN> k{};
    for (size_t i = 0; i < PFC_RSS_KEY_LEN; i++)
      if (!parse_hex_bytes(s, 2 * i, &k[i])) return false;
    *out = k;
  } else {
    return false;
  }
  return true;
}

bool parse_mac(const std::string &s, uint8_t out[6]) {
  if (s.size() != 17) return false;
  uint8_t m[6];
  for (size_t i = 0; i < 6; i++) {
    if (i < 5 && s[3 * i + 2] != ':') return false;
    if (!parse_hex_bytes(s, 3 * i, &m[i])) return false;
  }
  for (size_t i = 0; i < 6; i++) out[i] = m[i];
  return true;
}

}  // namespace sim
