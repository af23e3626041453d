// testbed_config.cpp - see testbed_config.h.
#include "testbed_config.h"

#include <cstdio>
#include <sstream>

#include "nic.h"
#include "testbed_shm.h"

namespace sim {

namespace {

struct LineParser {
  TestbedConfig &cfg;
  std::string &err;
  int line = 0;

  bool seen_testbed = false;

  // The message with control bytes, NULs and non-ASCII bytes of the file
  // shown as \xNN: a bad file must not write raw bytes to the terminal.
  bool fail(const std::string &what) {
    std::string safe;
    for (unsigned char c : what) {
      if (c >= 0x20 && c < 0x7f) {
        safe += static_cast<char>(c);
      } else {
        char b[8];
        snprintf(b, sizeof(b), "\\x%02x", c);
        safe += b;
      }
    }
    err = "line " + std::to_string(line) + ": " + safe;
    return false;
  }

  // A key may appear once per line.
  bool keys_once(const std::vector<std::string> &w, size_t first) {
    for (size_t i = first; i < w.size(); i++)
      for (size_t j = first; j < i; j++) {
        std::string a = w[i].substr(0, w[i].find('=')), b = w[j].substr(0, w[j].find('='));
        if (a == b && w[i].find('=') != std::string::npos) return fail("key '" + a + "' given twice");
      }
    return true;
  }

  int nic_index(const std::string &name) const {
    for (size_t i = 0; i < cfg.nics.size(); i++)
      if (cfg.nics[i].name == name) return static_cast<int>(i);
    return -1;
  }

  // Splits key=value; false when w has no '=' or an empty key.
  static bool split(const std::string &w, std::string &k, std::string &v) {
    size_t eq = w.find('=');
    if (eq == std::string::npos || eq == 0) return false;
    k = w.substr(0, eq);
    v = w.substr(eq + 1);
    return true;
  }

  bool bad(const std::string &k, const std::string &v, const std::string &want) {
    return fail(k + "='" + v + "': " + want);
  }

  bool number(const std::string &k, const std::string &v, uint64_t lo, uint64_t hi, uint64_t *out) {
    if (!parse_uint(v, hi, out) || *out < lo)
      return bad(k, v, "want " + std::to_string(lo) + ".." + std::to_string(hi));
    return true;
  }

  bool testbed(const std::vector<std::string> &w) {
    if (seen_testbed) return fail("a second testbed line (give ring and slot on one)");
    seen_testbed = true;
    if (!keys_once(w, 1)) return false;
    for (size_t i = 1; i < w.size(); i++) {
      std::string k, v;
      uint64_t n = 0;
      if (!split(w[i], k, v)) return fail("'" + w[i] + "' is not key=value");
      if (k == "ring") {
        if (!number(k, v, 2, 65536, &n)) return false;
        if (n & (n - 1)) return bad(k, v, "want a power of two");
        cfg.ring_slots = static_cast<uint32_t>(n);
      } else if (k == "slot") {
        if (!number(k, v, 128, 16384, &n)) return false;
        if (n % 64) return bad(k, v, "want a multiple of 64");
        cfg.slot_size = static_cast<uint32_t>(n);
      } else {
        return fail("unknown testbed key '" + k + "' (ring, slot)");
      }
    }
    return true;
  }

  bool nic(const std::vector<std::string> &w) {
    if (w.size() < 2) return fail("nic needs a name");
    if (!tb::valid_name(w[1])) return fail("nic name '" + w[1] + "': want 1..31 of A-Z a-z 0-9 _ -");
    if (nic_index(w[1]) >= 0) return fail("nic '" + w[1] + "' is defined twice");
    if (cfg.nics.size() >= tb::kMaxNics) return fail("at most " + std::to_string(tb::kMaxNics) + " nics");
    TbNicConfig n;
    n.name = w[1];
    n.line = line;
    n.rss_key = microsoft_rss_key();
    uint8_t idx = static_cast<uint8_t>(cfg.nics.size());
    const uint8_t mac[6] = {0x02, 0x50, 0x46, 0x53, 0x00, static_cast<uint8_t>(idx + 1)};
    for (int i = 0; i < 6; i++) n.mac[i] = mac[i];
    if (!keys_once(w, 2)) return false;
    for (size_t i = 2; i < w.size(); i++) {
      std::string k, v;
      uint64_t x = 0;
      if (!split(w[i], k, v)) return fail("'" + w[i] + "' is not key=value");
      if (k == "queues") {
        if (!number(k, v, 1, kMaxQueues, &x)) return false;
        n.queues = static_cast<uint32_t>(x);
      } else if (k == "speed") {
        if (!parse_speed(v, &n.speed)) return bad(k, v, kWantSpeed);
      } else if (k == "rss") {
        if (!parse_rss_key(v, &n.rss_key)) return bad(k, v, kWantRss);
      } else if (k == "fc") {
        if (!parse_on_off(v, &n.flow_control)) return bad(k, v, kWantOnOff);
      } else if (k == "mac") {
        if (!parse_mac(v, n.mac)) return bad(k, v, "want aa:bb:cc:dd:ee:ff");
      } else if (k == "ring") {
        if (!number(k, v, 1, kMaxDescriptors, &x)) return false;
        if (x & (x - 1)) return bad(k, v, "want a power of two in 1.." + std::to_string(kMaxDescriptors));
        n.descriptors = static_cast<uint32_t>(x);
      } else if (k == "consumer_ns") {
        if (!number(k, v, 0, 1000000000000ull, &x)) return false;
        n.modelled = true;
        n.consumer_ns = x;
      } else {
        return fail("unknown nic key '" + k + "' (queues, speed, rss, fc, mac, ring, consumer_ns)");
      }
    }
    cfg.nics.push_back(n);
    cfg.peer.push_back(-1);
    cfg.sink.emplace_back();
    return true;
  }

  bool source(const std::vector<std::string> &w) {
    if (w.size() < 3) return fail("source needs a nic and pcap=PATH or synthetic");
    int ni = nic_index(w[1]);
    if (ni < 0) return fail("source on unknown nic '" + w[1] + "' (define it with a nic line first)");
    TbSourceConfig s;
    s.nic = static_cast<uint32_t>(ni);
    size_t first = 2;
    if (w[2] == "synthetic") {
      s.synthetic = true;
      s.rate = Rate::kLine;
      first = 3;
    }
    if (!keys_once(w, first)) return false;
    for (size_t i = first; i < w.size(); i++) {
      std::string k, v;
      uint64_t x = 0;
      if (!split(w[i], k, v)) return fail("'" + w[i] + "' is not key=value");
      if (k == "pcap" && !s.synthetic) {
        if (v.empty()) return bad(k, v, "want a file");
        s.path = v;
      } else if (k == "rate") {
        if (!parse_rate(v, &s.rate, &s.rate_factor)) return bad(k, v, kWantRate);
      } else if (k == "loops" && !s.synthetic) {
        if (!number(k, v, 1, 1000000, &x)) return false;
        s.loops = static_cast<uint32_t>(x);
      } else if (k == "count" && s.synthetic) {
        if (!number(k, v, 1, 1000000000000ull, &x)) return false;
        s.count = x;
      } else if (k == "len" && s.synthetic) {
        if (!number(k, v, 60, 9000, &x)) return false;
        s.len = static_cast<uint32_t>(x);
      } else if (k == "flows" && s.synthetic) {
        if (!number(k, v, 1, 65536, &x)) return false;
        s.flows = static_cast<uint32_t>(x);
      } else if (k == "wait_for") {
        if (!number(k, v, 0, tb::kMaxClients, &x)) return false;
        s.wait_for = static_cast<uint32_t>(x);
      } else if (k == "then") {
        if (v != "end" && v != "idle") return bad(k, v, "want end or idle");
        s.end_after = v == "end";
      } else if (k == "pace") {
        if (v != "virtual" && v != "wall") return bad(k, v, "want virtual or wall");
        s.pace_wall = v == "wall";
      } else {
        return fail(std::string("unknown ") + (s.synthetic ? "synthetic" : "pcap") + " source key '" + k +
                    (s.synthetic ? "' (count, len, flows, rate, wait_for, then, pace)"
                                 : "' (pcap, rate, loops, wait_for, then, pace)"));
      }
    }
    if (!s.synthetic && s.path.empty()) return fail("source needs pcap=PATH or synthetic");
    for (const TbSourceConfig &o : cfg.sources)
      if (o.nic == s.nic) return fail("nic '" + w[1] + "' already has a source");
    cfg.sources.push_back(s);
    return true;
  }

  bool wire(const std::vector<std::string> &w) {
    if (w.size() != 3) return fail("wire needs two nics");
    int a = nic_index(w[1]), b = nic_index(w[2]);
    if (a < 0 || b < 0) return fail("wire to unknown nic '" + (a < 0 ? w[1] : w[2]) + "'");
    if (a == b) return fail("wire from nic '" + w[1] + "' to itself");
    if (cfg.peer[a] >= 0 || cfg.peer[b] >= 0 || !cfg.sink[a].empty() || !cfg.sink[b].empty())
      return fail("nic '" + (cfg.peer[a] >= 0 || !cfg.sink[a].empty() ? w[1] : w[2]) + "' is already wired");
    cfg.peer[a] = b;
    cfg.peer[b] = a;
    return true;
  }

  bool sink(const std::vector<std::string> &w) {
    if (w.size() != 3) return fail("sink needs a nic and a pcap file");
    int a = nic_index(w[1]);
    if (a < 0) return fail("sink on unknown nic '" + w[1] + "'");
    if (cfg.peer[a] >= 0 || !cfg.sink[a].empty()) return fail("nic '" + w[1] + "' is already wired");
    cfg.sink[a] = w[2];
    return true;
  }
};

}  // namespace

bool parse_testbed(const std::string &text, TestbedConfig &out, std::string &err) {
  out = TestbedConfig{};
  LineParser p{out, err};
  std::istringstream in(text);
  std::string raw;
  while (std::getline(in, raw)) {
    p.line++;
    // A NUL would end a path or name at c_str(): another file than the
    // one written would be opened. No statement has a use for one.
    if (raw.find('\0') != std::string::npos) return p.fail("a NUL byte (paths and names cannot hold one)");
    std::string l = raw.substr(0, raw.find('#'));
    std::istringstream ws(l);
    std::vector<std::string> w;
    for (std::string x; ws >> x;) w.push_back(x);
    if (w.empty()) continue;
    bool ok;
    if (w[0] == "testbed") ok = p.testbed(w);
    else if (w[0] == "nic") ok = p.nic(w);
    else if (w[0] == "source") ok = p.source(w);
    else if (w[0] == "wire") ok = p.wire(w);
    else if (w[0] == "sink") ok = p.sink(w);
    else ok = p.fail("unknown statement '" + w[0] + "' (testbed, nic, source, wire, sink)");
    if (!ok) return false;
  }
  if (out.nics.empty()) {
    err = "the testbed has no nic";
    return false;
  }
  // What the engine refuses is refused here, with the nic's line (the
  // testbed line may come after it and changes the slot size).
  for (const TbNicConfig &n : out.nics) {
    std::string why = SimNic::validate(engine_config(out, n));
    if (!why.empty()) {
      p.line = n.line;
      return p.fail("nic '" + n.name + "': " + why);
    }
  }
  return true;
}

SimNicConfig engine_config(const TestbedConfig &cfg, const TbNicConfig &nc) {
  SimNicConfig ec;
  ec.speed = nc.speed;
  ec.num_queues = nc.queues;
  ec.rss_key = nc.rss_key;
  ec.slot_bytes = cfg.slot_size - PFC_SLOT_HDR_LEN;
  if (nc.modelled) {
    ec.descriptors = nc.descriptors;
    ec.flow_control = nc.flow_control;
    ec.service_ns = nc.consumer_ns;
  } else {
    ec.descriptors = 8;  // taken at arrival: one descriptor at a time is busy
  }
  return ec;
}

}  // namespace sim
