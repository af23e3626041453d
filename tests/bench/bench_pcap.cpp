// bench_pcap.cpp - reading a capture file: pcap: module (pfring_recv,
// pfring_recv_burst over a burst-size sweep, pfring_loop) against
// libpcap's pcap_next_ex on the same file in the same run. Every packet's
// first byte is read on both sides so neither skips touching the data.
#include <pcap/pcap.h>

#include "bench_util.h"
#include "pfring.h"

namespace {

const std::string &capture() {
  static std::string path = bench::write_pcap("/tmp/pfring_bench_read.pcap", bench::smoke() ? 2000 : 200000);
  return path;
}

void BM_pcap_next_ex(benchmark::State &st) { bench::pcap_next_ex_loop(st, capture()); }
BENCHMARK(BM_pcap_next_ex)->Unit(benchmark::kMillisecond);

void BM_pfring_recv(benchmark::State &st) { bench::pfring_recv_loop(st, "pcap:" + capture()); }
BENCHMARK(BM_pfring_recv)->Unit(benchmark::kMillisecond);

void BM_pfring_recv_burst(benchmark::State &st) {
  std::string dev = "pcap:" + capture();
  const unsigned burst = unsigned(st.range(0));
  std::vector<u_char *> bufs(burst);
  std::vector<pfring_pkthdr> hdrs(burst);
  uint64_t pkts = 0, sum = 0;
  for (auto _ : st) {
    pfring *r = pfring_open(dev.c_str(), 65535, 0);
    if (!r) { st.SkipWithError("pfring_open failed"); return; }
    int n;
    while ((n = pfring_recv_burst(r, bufs.data(), hdrs.data(), burst, 1)) > 0) {
      for (int i = 0; i < n; i++) sum += bufs[i][0] + hdrs[i].caplen;
      pkts += unsigned(n);
    }
    pfring_close(r);
  }
  benchmark::DoNotOptimize(sum);
  st.SetItemsProcessed(int64_t(pkts));
}
BENCHMARK(BM_pfring_recv_burst)->Arg(1)->Arg(8)->Arg(32)->Arg(64)->Unit(benchmark::kMillisecond);

void count_cb(const struct pfring_pkthdr *h, const u_char *p, const u_char *user) {
  auto *sum = reinterpret_cast<uint64_t *>(const_cast<u_char *>(user));
  sum[0] += p[0] + h->caplen;
  sum[1]++;
}

void BM_pfring_loop(benchmark::State &st) {
  std::string dev = "pcap:" + capture();
  uint64_t acc[2] = {0, 0};
  for (auto _ : st) {
    pfring *r = pfring_open(dev.c_str(), 65535, 0);
    if (!r) { st.SkipWithError("pfring_open failed"); return; }
    pfring_loop(r, count_cb, reinterpret_cast<const u_char *>(acc), 1);
    pfring_close(r);
  }
  benchmark::DoNotOptimize(acc[0]);
  st.SetItemsProcessed(int64_t(acc[1]));
}
BENCHMARK(BM_pfring_loop)->Unit(benchmark::kMillisecond);

// What pfcount -j does with no -v (bursts of 64, nothing parsed) on a
// capture of 64-byte frames, where the per-packet path counts most,
// against pcap_next_ex on the same file.
const std::string &capture_64b() {
  static std::string path =
      bench::write_pcap("/tmp/pfring_bench_read_64b.pcap", bench::smoke() ? 2000 : 1000000, 2, 64);
  return path;
}

void BM_pcap_next_ex_64b(benchmark::State &st) { bench::pcap_next_ex_loop(st, capture_64b()); }
BENCHMARK(BM_pcap_next_ex_64b)->Unit(benchmark::kMillisecond);

void BM_pfcount_path_64b(benchmark::State &st) {
  std::string dev = "pcap:" + capture_64b();
  constexpr unsigned kBurst = 64;  // pfcount's BURST
  u_char *bufs[kBurst];
  pfring_pkthdr hdrs[kBurst];
  uint64_t pkts = 0, sum = 0;
  for (auto _ : st) {
    pfring *r = pfring_open(dev.c_str(), 65535, 0);
    if (!r) { st.SkipWithError("pfring_open failed"); return; }
    int n;
    while ((n = pfring_recv_burst(r, bufs, hdrs, kBurst, 1)) > 0) {
      for (int i = 0; i < n; i++) sum += bufs[i][0] + hdrs[i].caplen;
      pkts += unsigned(n);
    }
    pfring_close(r);
  }
  benchmark::DoNotOptimize(sum);
  st.SetItemsProcessed(int64_t(pkts));
}
BENCHMARK(BM_pfcount_path_64b)->Unit(benchmark::kMillisecond);

// The same file replayed through the software NIC: 4 RSS queues of 4096
// descriptors, line rate, consumers that keep up; one ring reads all queues.
void BM_sim_replay_4q(benchmark::State &st) {
  bench::pfring_recv_loop(st, "sim:" + capture() + ",queues=4,ring=4096,rate=line");
}
BENCHMARK(BM_sim_replay_4q)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char **argv) {
  return bench::run_main(argc, argv, [] { capture(); capture_64b(); },
                         {{"pcap: pfring_recv vs pcap_next_ex", "BM_pfring_recv", "BM_pcap_next_ex", ">1: pcap: faster"},
                          {"pcap: recv_burst(64) vs pcap_next_ex", "BM_pfring_recv_burst/64", "BM_pcap_next_ex",
                           ">1: pcap: faster"},
                          {"pcap: pfring_loop vs pcap_next_ex", "BM_pfring_loop", "BM_pcap_next_ex", ">1: pcap: faster"},
                          {"pfcount -j path, 64 B frames, vs pcap_next_ex", "BM_pfcount_path_64b",
                           "BM_pcap_next_ex_64b", ">1: pcap: faster"},
                          {"sim: 4-queue RSS replay vs pcap_next_ex", "BM_sim_replay_4q", "BM_pcap_next_ex",
                           ">1: sim faster; target >= 0.5"}});
}
