// bench_util.h - shared pieces of the benchmarks: synthetic traffic, a
// pcap writer, and a main() that prints ratios against the peer.
#pragma once

#include <benchmark/benchmark.h>
#include <pcap/pcap.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "pfring.h"

namespace bench {

// --smoke (ctest) shrinks data sets so the run only proves the code works.
inline bool &smoke() {
  static bool s = false;
  return s;
}

// A mixed Ethernet/IPv4/IPv6 TCP/UDP frame with a VLAN tag now and then.
inline std::vector<uint8_t> make_frame(std::mt19937 &rng, size_t len_hint) {
  std::vector<uint8_t> f;
  auto put16 = [&](uint16_t v) { f.push_back(uint8_t(v >> 8)); f.push_back(uint8_t(v)); };
  auto put32 = [&](uint32_t v) { put16(uint16_t(v >> 16)); put16(uint16_t(v)); };
  for (int i = 0; i < 12; i++) f.push_back(uint8_t(rng()));
  if (rng() % 5 == 0) { put16(0x8100); put16(uint16_t(rng() % 4095 + 1)); }
  bool v6 = rng() % 4 == 0;
  bool tcp = rng() % 3 != 0;
  uint16_t sport = uint16_t(rng()), dport = uint16_t(rng() % 2 ? 80 : rng());
  if (!v6) {
    put16(0x0800);
    f.push_back(0x45); f.push_back(0); put16(0); put32(0); f.push_back(64); f.push_back(tcp ? 6 : 17); put16(0);
    put32(0x0a000000u | (rng() & 0xffff)); put32(0xc0a80000u | (rng() & 0xff));
  } else {
    put16(0x86dd);
    put32(0x60000000); put16(0); f.push_back(tcp ? 6 : 17); f.push_back(64);
    for (int i = 0; i < 32; i++) f.push_back(uint8_t(i < 2 ? 0x20 : rng()));
  }
  put16(sport); put16(dport);
  if (tcp) { put32(rng()); put32(rng()); f.push_back(0x50); f.push_back(0x18); put16(1024); put32(0); }
  else { put16(8); put16(0); }
  while (f.size() < len_hint) f.push_back(uint8_t(rng()));
  return f;
}

// Writes n frames to a classic microsecond pcap; returns the path.
// frame_len 0: lengths drawn from 60..1514; else every frame that long.
inline std::string write_pcap(const std::string &path, size_t n, uint32_t seed = 1, size_t frame_len = 0) {
  std::mt19937 rng(seed);
  FILE *fp = std::fopen(path.c_str(), "wb");
  if (!fp) return "";
  uint32_t gh[6] = {0xa1b2c3d4u, 0x00040002u, 0, 0, 262144, 1};
  std::fwrite(gh, 4, 6, fp);
  static const size_t sizes[] = {60, 64, 128, 256, 590, 1514};
  for (size_t i = 0; i < n; i++) {
    auto f = make_frame(rng, frame_len ? frame_len : sizes[rng() % 6]);
    if (frame_len) f.resize(frame_len);
    uint32_t rh[4] = {uint32_t(1700000000 + i / 1000), uint32_t(i % 1000) * 1000, uint32_t(f.size()), uint32_t(f.size())};
    std::fwrite(rh, 4, 4, fp);
    std::fwrite(f.data(), 1, f.size(), fp);
  }
  std::fclose(fp);
  return path;
}

// The peer: libpcap's pcap_next_ex over a whole file, each packet's first
// byte read, once per iteration.
inline void pcap_next_ex_loop(benchmark::State &st, const std::string &path) {
  char errbuf[PCAP_ERRBUF_SIZE];
  uint64_t pkts = 0, sum = 0;
  for (auto _ : st) {
    pcap_t *p = pcap_open_offline(path.c_str(), errbuf);
    if (!p) { st.SkipWithError(errbuf); return; }
    struct pcap_pkthdr *h;
    const u_char *d;
    while (pcap_next_ex(p, &h, &d) == 1) { sum += d[0] + h->caplen; pkts++; }
    pcap_close(p);
  }
  benchmark::DoNotOptimize(sum);
  st.SetItemsProcessed(int64_t(pkts));
}

// Ours: pfring_recv (zero copy, waiting) over a whole finite device, the
// same bytes touched, one open per iteration.
inline void pfring_recv_loop(benchmark::State &st, const std::string &dev) {
  uint64_t pkts = 0, sum = 0;
  for (auto _ : st) {
    pfring *r = pfring_open(dev.c_str(), 65535, 0);
    if (!r) { st.SkipWithError("pfring_open failed"); return; }
    u_char *buf;
    struct pfring_pkthdr h;
    while (pfring_recv(r, &buf, 0, &h, 1) > 0) { sum += buf[0] + h.caplen; pkts++; }
    pfring_close(r);
  }
  benchmark::DoNotOptimize(sum);
  st.SetItemsProcessed(int64_t(pkts));
}

// Console output plus a table of ratios between named pairs.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run> &runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run &r : runs)
      if (r.run_type == Run::RT_Iteration) ns_[r.benchmark_name()] = r.GetAdjustedRealTime();
  }
  double ns(const std::string &name) const {
    auto it = ns_.find(name);
    return it == ns_.end() ? 0 : it->second;
  }

 private:
  std::map<std::string, double> ns_;
};

struct Ratio {
  const char *label, *ours, *peer;
  const char *meaning;  // what a value above 1 means
  double ours_items = 1;  // items per iteration of `ours` (a burst benchmark)
};

// setup() builds the data sets before any timing starts (after --smoke is known).
inline int run_main(int argc, char **argv, void (*setup)(), const std::vector<Ratio> &ratios) {
  std::vector<char *> args;
  for (int i = 0; i < argc; i++) {
    if (std::strcmp(argv[i], "--smoke") == 0) smoke() = true;
    else args.push_back(argv[i]);
  }
  int n = int(args.size());
  benchmark::Initialize(&n, args.data());
  if (setup) setup();
  RatioReporter rep;
  benchmark::RunSpecifiedBenchmarks(&rep);
  std::printf("\nratios (time of the second / time of the first):\n");
  for (const Ratio &r : ratios) {
    double a = rep.ns(r.ours) / r.ours_items, b = rep.ns(r.peer);
    if (a > 0 && b > 0) std::printf("  %-44s %8.2f  (%s)\n", r.label, b / a, r.meaning);
  }
  benchmark::Shutdown();
  return 0;
}

}  // namespace bench
