// bench_bpf.cpp - BPF: our path (libpcap-compiled program run by
// pfr::BpfFilter, and the whole pcap: module with pfring_set_bpf_filter)
// against libpcap's bpf_filter and pcap_offline_filter on the same filter
// and packets.
#include <pcap/pcap.h>

#include "bench_util.h"
#include "bpf.h"
#include "pfring.h"

namespace {

const char *kFilter = "tcp dst port 80 or (udp and ip6)";

const std::vector<std::vector<uint8_t>> &frames() {
  static std::vector<std::vector<uint8_t>> f = [] {
    std::mt19937 rng(7);
    std::vector<std::vector<uint8_t>> v;
    for (int i = 0; i < 4096; i++) v.push_back(bench::make_frame(rng, 64 + rng() % 512));
    return v;
  }();
  return f;
}

void BM_libpcap_bpf_filter(benchmark::State &st) {
  pcap_t *p = pcap_open_dead(DLT_EN10MB, 262144);
  bpf_program prog;
  if (pcap_compile(p, &prog, kFilter, 1, PCAP_NETMASK_UNKNOWN) != 0) { st.SkipWithError("compile"); return; }
  size_t i = 0, hits = 0;
  for (auto _ : st) {
    const auto &f = frames()[i++ & 4095];
    hits += bpf_filter(prog.bf_insns, f.data(), u_int(f.size()), u_int(f.size())) != 0;
  }
  benchmark::DoNotOptimize(hits);
  pcap_freecode(&prog);
  pcap_close(p);
  st.SetItemsProcessed(int64_t(st.iterations()));
}
BENCHMARK(BM_libpcap_bpf_filter);

void BM_pfring_bpf_match(benchmark::State &st) {
  pfr::BpfFilter f;
  std::string err;
  if (!f.set(kFilter, 65535, err)) { st.SkipWithError(err.c_str()); return; }
  size_t i = 0, hits = 0;
  for (auto _ : st) {
    const auto &fr = frames()[i++ & 4095];
    hits += f.match(fr.data(), uint32_t(fr.size()), uint32_t(fr.size()));
  }
  benchmark::DoNotOptimize(hits);
  st.SetItemsProcessed(int64_t(st.iterations()));
}
BENCHMARK(BM_pfring_bpf_match);

const std::string &capture() {
  static std::string path = bench::write_pcap("/tmp/pfring_bench_bpf.pcap", bench::smoke() ? 2000 : 100000, 3);
  return path;
}

void BM_pcap_offline_filter_file(benchmark::State &st) {
  char errbuf[PCAP_ERRBUF_SIZE];
  uint64_t pkts = 0, hits = 0;
  for (auto _ : st) {
    pcap_t *p = pcap_open_offline(capture().c_str(), errbuf);
    bpf_program prog;
    if (!p || pcap_compile(p, &prog, kFilter, 1, PCAP_NETMASK_UNKNOWN) != 0) { st.SkipWithError("open"); return; }
    struct pcap_pkthdr *h;
    const u_char *d;
    while (pcap_next_ex(p, &h, &d) == 1) {
      pkts++;
      hits += pcap_offline_filter(&prog, h, d) != 0;
    }
    pcap_freecode(&prog);
    pcap_close(p);
  }
  benchmark::DoNotOptimize(hits);
  st.SetItemsProcessed(int64_t(pkts));
}
BENCHMARK(BM_pcap_offline_filter_file)->Unit(benchmark::kMillisecond);

void BM_pfring_bpf_file(benchmark::State &st) {
  std::string dev = "pcap:" + capture();
  uint64_t hits = 0, pkts = 0;
  for (auto _ : st) {
    pfring *r = pfring_open(dev.c_str(), 65535, 0);
    if (!r || pfring_set_bpf_filter(r, const_cast<char *>(kFilter)) != 0) { st.SkipWithError("open"); return; }
    u_char *buf;
    struct pfring_pkthdr h;
    while (pfring_recv(r, &buf, 0, &h, 1) > 0) hits++;
    pfring_stat s;
    pfring_stats(r, &s);
    char json[512];
    pfring_get_device_stats_json(r, json, sizeof(json));
    pkts += std::strtoull(std::strstr(json, "\"packets\":") + 10, nullptr, 10);
    pfring_close(r);
  }
  benchmark::DoNotOptimize(hits);
  st.SetItemsProcessed(int64_t(pkts));
}
BENCHMARK(BM_pfring_bpf_file)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char **argv) {
  return bench::run_main(argc, argv, [] { frames(); capture(); },
                         {{"BPF: BpfFilter::match vs bpf_filter", "BM_pfring_bpf_match", "BM_libpcap_bpf_filter",
                           ">1: ours faster"},
                          {"BPF on file: pcap:+bpf vs pcap_offline_filter", "BM_pfring_bpf_file",
                           "BM_pcap_offline_filter_file", ">1: ours faster"}});
}
