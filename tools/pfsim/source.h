// source.h - what feeds a testbed NIC: a capture file replayed through
// libpfring's pcap: module (classic pcap or pcapng, looped), or a synthetic
// generator of UDP flows (deterministic: frame i belongs to flow i % flows).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "testbed_config.h"

namespace pfsim {

struct SourcePacket {
  const uint8_t *data;  // valid until the next call of next()
  uint32_t caplen, len;
  uint64_t rec_ns;      // recorded time (pcap) or 0 (synthetic)
  bool new_loop;        // the first packet of the file's second or later loop
};

class Source {
 public:
  virtual ~Source() = default;
  // 1: *p is the next packet; 0: the source is exhausted; <0: error (err).
  virtual int next(SourcePacket *p, std::string &err) = 0;

  // Opens cfg's source; frames longer than max_caplen are cut. nullptr
  // with err on failure (a missing or unreadable capture file).
  static std::unique_ptr<Source> open(const sim::TbSourceConfig &cfg, uint32_t max_caplen, std::string &err);
};

}  // namespace pfsim
