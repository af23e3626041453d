// sim_options.cpp - parsing of the sim: device options.
#include "modules/sim_options.h"

#include <cctype>
#include <cstring>

namespace pfr {

namespace {

bool parse_u64(const std::string &s, uint64_t max, uint64_t *out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (max - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

bool parse_sim_options(const std::string &device, SimOptions &out, std::string &err) {
  out = SimOptions{};
  size_t comma = device.find(',');
  out.path = device.substr(0, comma);
  if (out.path.empty()) {
    err = "sim: device needs a capture file before the options ('sim:FILE,key=value')";
    return false;
  }
  while (comma != std::string::npos) {
    size_t next = device.find(',', comma + 1);
    std::string kv = device.substr(comma + 1, next == std::string::npos ? std::string::npos : next - comma - 1);
    comma = next;
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      err = "sim option '" + kv + "' is not key=value";
      return false;
    }
    std::string key = kv.substr(0, eq), val = kv.substr(eq + 1);
    uint64_t v = 0;
    auto bad = [&](const std::string &why) {
      err = "sim option " + key + "='" + val + "': " + why;
      return false;
    };
    if (key == "queues") {
      if (!parse_u64(val, sim::kMaxQueues, &v) || v == 0) return bad("want 1.." + std::to_string(sim::kMaxQueues));
      out.nic.num_queues = static_cast<uint32_t>(v);
    } else if (key == "ring") {
      if (!parse_u64(val, sim::kMaxDescriptors, &v) || v == 0 || (v & (v - 1)))
        return bad("want a power of two in 1.." + std::to_string(sim::kMaxDescriptors));
      out.nic.descriptors = static_cast<uint32_t>(v);
    } else if (key == "speed") {
      std::string s = val;
      for (auto &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (s == "1g") out.nic.speed = sim::LinkSpeed::k1G;
      else if (s == "10g") out.nic.speed = sim::LinkSpeed::k10G;
      else if (s == "25g") out.nic.speed = sim::LinkSpeed::k25G;
      else if (s == "40g") out.nic.speed = sim::LinkSpeed::k40G;
      else if (s == "100g") out.nic.speed = sim::LinkSpeed::k100G;
      else return bad("want 1g, 10g, 25g, 40g or 100g");
    } else if (key == "rate") {
      if (val == "recorded") out.rate = SimRate::kRecorded;
      else if (val == "line" || val == "top") out.rate = SimRate::kLine;
      else if (val.size() > 1 && val[0] == 'x' && parse_u64(val.substr(1), 1000000, &v) && v > 0) {
        out.rate = SimRate::kScaled;
        out.rate_factor = static_cast<uint32_t>(v);
      } else {
        return bad("want recorded, line, top or xN (N >= 1)");
      }
    } else if (key == "fc") {
      if (val == "on") out.nic.flow_control = true;
      else if (val == "off") out.nic.flow_control = false;
      else return bad("want on or off");
    } else if (key == "rss") {
      if (val == "default") out.nic.rss_key = sim::microsoft_rss_key();
      else if (val == "symmetric") out.nic.rss_key = sim::symmetric_rss_key();
      else if (val.size() == 2 * PFC_RSS_KEY_LEN) {
        for (size_t i = 0; i < PFC_RSS_KEY_LEN; i++) {
          int hi = hex_digit(val[2 * i]), lo = hex_digit(val[2 * i + 1]);
          if (hi < 0 || lo < 0) return bad("a key is 80 hex digits");
          out.nic.rss_key[i] = static_cast<uint8_t>(hi * 16 + lo);
        }
      } else {
        return bad("want default, symmetric or a 40-byte key in 80 hex digits");
      }
    } else if (key == "consumer_ns") {
      if (!parse_u64(val, 1000000000000ull, &v)) return bad("want nanoseconds per packet");
      out.nic.service_ns = v;
    } else if (key == "slot") {
      if (!parse_u64(val, 65535, &v) || v < 64) return bad("want RX buffer bytes in 64..65535");
      out.slot = static_cast<uint32_t>(v);
    } else if (key == "seed") {
      if (!parse_u64(val, UINT64_MAX, &v)) return bad("want a number");
      out.nic.seed = v;
    } else {
      err = "unknown sim option '" + key + "' (queues, ring, speed, rate, fc, rss, consumer_ns, seed, slot)";
      return false;
    }
  }
  return true;
}

}  // namespace pfr
