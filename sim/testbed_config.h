// testbed_config.h - the pfsim testbed file (README "pfsim testbeds").
//
// One statement per line, '#' starts a comment, words separated by blanks:
//
//   testbed [ring=SLOTS] [slot=BYTES]
//   nic NAME [queues=N] [speed=10g] [rss=default|symmetric|HEX] [fc=on|off]
//            [mac=02:00:00:00:00:01] [ring=D] [consumer_ns=T]
//   source NIC pcap=PATH [rate=recorded|line|top|xN] [loops=N]
//              [wait_for=N] [then=end|idle] [pace=virtual|wall]
//   source NIC synthetic [count=N] [len=BYTES] [flows=N] [rate=line|...]
//              [wait_for=N] [then=end|idle] [pace=virtual|wall]
//   wire NIC NIC        what either NIC transmits arrives at the other
//   sink NIC PATH       what NIC transmits is written to a pcap file
//
// Defaults: ring 4096 slots of 2048 bytes per client ring; a NIC has 1
// queue, 10g, the Microsoft RSS key, flow control on and a MAC derived
// from its index. consumer_ns=T gives the NIC modelled consumers, as the
// in-process sim: NIC has (one per queue, T ns per packet, D = ring
// descriptors, default 512): the model decides what is missed or paused
// and the client rings only carry what it delivered, without loss. A source starts when wait_for clients are enabled on its
// NIC; then=end tells the clients the NIC ended once it is done (they get
// end of file after the last packet), then=idle keeps the NIC open.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "link.h"
#include "value_parse.h"

namespace sim {

struct TbNicConfig {
  std::string name;
  uint32_t queues = 1;
  LinkSpeed speed = LinkSpeed::k10G;
  std::array<uint8_t, PFC_RSS_KEY_LEN> rss_key{};
  bool flow_control = true;
  uint8_t mac[6] = {0, 0, 0, 0, 0, 0};
  uint32_t descriptors = 512;  // ring=D: RX descriptors per queue (modelled consumers)
  bool modelled = false;       // consumer_ns given
  uint64_t consumer_ns = 0;
  int line = 0;                // of the file, for messages
};

struct TbSourceConfig {
  uint32_t nic = 0;        // index into TestbedConfig::nics
  bool synthetic = false;
  std::string path;        // pcap/pcapng file (not synthetic)
  Rate rate = Rate::kRecorded;
  uint32_t rate_factor = 1;
  uint32_t loops = 1;      // times the file is replayed
  uint64_t count = 1000;   // synthetic packets
  uint32_t len = 64;       // synthetic frame length (no FCS)
  uint32_t flows = 16;     // synthetic flows
  uint32_t wait_for = 0;   // enabled clients on the NIC before the source starts
  bool end_after = true;   // then=end
  bool pace_wall = false;  // pace=wall: the virtual clock follows the wall clock
};

struct TestbedConfig {
  uint32_t ring_slots = 4096;
  uint32_t slot_size = 2048;
  std::vector<TbNicConfig> nics;
  std::vector<TbSourceConfig> sources;
  std::vector<int> peer;          // per NIC: the NIC at the wire's other end, or -1
  std::vector<std::string> sink;  // per NIC: pcap file its TX goes to, or ""
};

struct SimNicConfig;

// The frame engine's configuration (sim/nic.h) for NIC nic of cfg: the one
// place that turns a nic line into an engine, used by the parser (to refuse
// what the engine would refuse, with the line) and by pfsim (to build it).
SimNicConfig engine_config(const TestbedConfig &cfg, const TbNicConfig &nic);

// Parses a testbed file's text. Returns true, or false with err as
// "line N: what is wrong".
bool parse_testbed(const std::string &text, TestbedConfig &out, std::string &err);

}  // namespace sim
