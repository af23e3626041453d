// fuzz_bpf_vm.cpp - src/core/bpf_vm.h on arbitrary programs and packets:
// the check never accepts a program that reads outside the packet or
// the memory words or jumps outside itself (the program and the packet
// are exact-size heap blocks for AddressSanitizer), a bounded run always
// ends, and an accepted forward-only program returns what libpcap's own
// bpf_filter() returns.
//
//   build-fuzz/bin/fuzz_bpf_vm -max_total_time=60 NEW_CORPUS_DIR
#include <pcap/pcap.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

extern "C" {
#include "bpf_vm.h"
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  size_t n = data[0] % 64 + 1;
  if (size < 1 + n * 8) return 0;
  std::unique_ptr<pfc_bpf_insn[]> prog(new pfc_bpf_insn[n]);
  std::memcpy(prog.get(), data + 1, n * 8);
  size_t caplen = size - 1 - n * 8;
  std::unique_ptr<uint8_t[]> pkt(new uint8_t[caplen ? caplen : 1]);
  if (caplen) std::memcpy(pkt.get(), data + 1 + n * 8, caplen);
  uint32_t bad = 0;
  std::unique_ptr<uint16_t[]> scratch(new uint16_t[n]);
  int check = pfc_bpf_check(prog.get(), uint32_t(n), scratch.get(), &bad);
  if (check == PFC_BPF_EINVAL) {
    if (bad >= n) __builtin_trap();
    return 0;
  }
  uint32_t wire = uint32_t(caplen) + (data[0] >> 6);
  int exhausted = 0;
  uint32_t ours = pfc_bpf_run_bounded(prog.get(), uint32_t(n), pkt.get(), wire, uint32_t(caplen), 10000, &exhausted);
  if (check == PFC_BPF_OK) {
    if (exhausted) __builtin_trap();  // forward jumps only: at most n steps
    uint32_t theirs = bpf_filter(reinterpret_cast<const struct bpf_insn *>(prog.get()), pkt.get(), wire, uint32_t(caplen));
    if (ours != theirs) __builtin_trap();
  }
  return 0;
}
