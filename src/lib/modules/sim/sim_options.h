// sim_options.h - "sim:PATH[,key=value...][@QUEUE]": the options of the
// in-process software NIC (README "Device names").
#pragma once

#include <cstdint>
#include <string>

#include "nic.h"
#include "value_parse.h"

namespace pfr {

using SimRate = sim::Rate;

struct SimOptions {
  std::string path;             // capture file replayed by the peer
  sim::SimNicConfig nic;        // queues, ring, speed, fc, rss, consumer_ns, seed
  SimRate rate = SimRate::kRecorded;
  uint32_t rate_factor = 1;     // xN: recorded gaps divided by N
  uint32_t slot = 2048;         // bytes per RX buffer (as a NIC's 2 KiB buffers); longer frames are cut
};

// Parses "PATH,key=value,...". Keys: queues, ring, speed (1g/10g/25g/40g/
// 100g), rate (recorded|line|top|xN), fc (on|off), rss (default|symmetric|
// 80 hex digits), consumer_ns, seed, slot (RX buffer bytes, 64..65535). Returns true, or false with err naming
// the key or value that is wrong.
bool parse_sim_options(const std::string &device, SimOptions &out, std::string &err);

// One of those keys: 1 applied to out, 0 not a sim key (out unchanged),
// -1 a sim key with a wrong value (err names both).
int apply_sim_option(const std::string &key, const std::string &val, SimOptions &out, std::string &err);

}  // namespace pfr
