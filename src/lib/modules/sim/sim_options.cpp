// sim_options.cpp - parsing of the sim: device options.
#include "modules/sim/sim_options.h"

#include <cstring>

#include "modules/module_util.h"
#include "value_parse.h"

namespace pfr {

using sim::parse_uint;

int apply_sim_option(const std::string &key, const std::string &val, SimOptions &out, std::string &err) {
  uint64_t v = 0;
  auto bad = [&](const std::string &why) {
    err = "sim option " + key + "='" + val + "': " + why;
    return -1;
  };
  if (key == "queues") {
    if (!parse_uint(val, sim::kMaxQueues, &v) || v == 0) return bad("want 1.." + std::to_string(sim::kMaxQueues));
    out.nic.num_queues = static_cast<uint32_t>(v);
  } else if (key == "ring") {
    if (!parse_uint(val, sim::kMaxDescriptors, &v) || v == 0 || (v & (v - 1)))
      return bad("want a power of two in 1.." + std::to_string(sim::kMaxDescriptors));
    out.nic.descriptors = static_cast<uint32_t>(v);
  } else if (key == "speed") {
    if (!sim::parse_speed(val, &out.nic.speed)) return bad(sim::kWantSpeed);
  } else if (key == "rate") {
    if (!sim::parse_rate(val, &out.rate, &out.rate_factor)) return bad(sim::kWantRate);
  } else if (key == "fc") {
    if (!sim::parse_on_off(val, &out.nic.flow_control)) return bad(sim::kWantOnOff);
  } else if (key == "rss") {
    if (!sim::parse_rss_key(val, &out.nic.rss_key)) return bad(sim::kWantRss);
  } else if (key == "consumer_ns") {
    if (!parse_uint(val, 1000000000000ull, &v)) return bad("want nanoseconds per packet");
    out.nic.service_ns = v;
  } else if (key == "slot") {
    if (!parse_uint(val, 65535, &v) || v < 64) return bad("want RX buffer bytes in 64..65535");
    out.slot = static_cast<uint32_t>(v);
  } else if (key == "seed") {
    if (!parse_uint(val, UINT64_MAX, &v)) return bad("want a number");
    out.nic.seed = v;
  } else {
    return 0;
  }
  return 1;
}

bool parse_sim_options(const std::string &device, SimOptions &out, std::string &err) {
  out = SimOptions{};
  KeyValues kvs;
  bool split = split_options(device, "sim", out.path, kvs, err);  // fills the path either way
  if (out.path.empty()) {
    err = "sim: device needs a capture file before the options ('sim:FILE,key=value')";
    return false;
  }
  if (!split) return false;
  for (const auto &kv : kvs) {
    int rc = apply_sim_option(kv.first, kv.second, out, err);
    if (rc < 0) return false;
    if (rc == 0) {
      err = "unknown sim option '" + kv.first + "' (queues, ring, speed, rate, fc, rss, consumer_ns, seed, slot)";
      return false;
    }
  }
  return true;
}

}  // namespace pfr
