// fuzz_testbed_config.cpp - the pfsim testbed file parser on arbitrary
// text: it accepts or rejects, a rejection names its line, and an accepted
// testbed is consistent (names valid and unique, wires symmetric, sources
// on existing NICs, sizes in range).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "testbed_config.h"
#include "testbed_shm.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  sim::TestbedConfig cfg;
  std::string err;
  if (!sim::parse_testbed(text, cfg, err)) {
    if (err.empty()) abort();
    return 0;
  }
  if (cfg.nics.empty() || cfg.nics.size() > sim::tb::kMaxNics) abort();
  if (cfg.peer.size() != cfg.nics.size() || cfg.sink.size() != cfg.nics.size()) abort();
  if (cfg.ring_slots < 2 || (cfg.ring_slots & (cfg.ring_slots - 1)) || cfg.slot_size % 64) abort();
  for (size_t i = 0; i < cfg.nics.size(); i++) {
    if (!sim::tb::valid_name(cfg.nics[i].name)) abort();
    if (cfg.nics[i].queues < 1 || cfg.nics[i].queues > 64) abort();
    for (size_t j = i + 1; j < cfg.nics.size(); j++)
      if (cfg.nics[i].name == cfg.nics[j].name) abort();
    int p = cfg.peer[i];
    if (p >= 0 && (size_t(p) >= cfg.nics.size() || cfg.peer[size_t(p)] != int(i) || !cfg.sink[i].empty())) abort();
  }
  for (const sim::TbSourceConfig &s : cfg.sources)
    if (s.nic >= cfg.nics.size() || (!s.synthetic && s.path.empty())) abort();
  return 0;
}
