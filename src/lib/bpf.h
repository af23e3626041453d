// bpf.h - BPF filters compiled by libpcap (guide 8.10.3), evaluated in
// userland for modules without a kernel filter: as native code
// (bpf_jit.h) when the program cannot loop, else by the bounded
// interpreter of src/core/bpf_vm.h.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "bpf_jit.h"

struct bpf_program;

namespace pfr {

class BpfFilter {
 public:
  BpfFilter();
  ~BpfFilter();
  BpfFilter(const BpfFilter &) = delete;
  BpfFilter &operator=(const BpfFilter &) = delete;

  // Compiles expr for DLT_EN10MB and checks the program
  // (src/core/bpf_vm.h). Returns true, or false with libpcap's message (or
  // what is wrong with the program) in err; the previous program stays on
  // failure. libpcap's optimizer runs only on programs of at most
  // kOptimizeMaxInsns instructions unoptimized: its time grows steeply
  // with the size (100 ORed hosts, ~2900 instructions: 0.05 s; 200: 0.4 s;
  // 400: 3 s; 1000: minutes). PFRING_BPF_OPTIMIZE=1 optimizes always, =0
  // never.
  bool set(const std::string &expr, int snaplen, std::string &err);
  static constexpr uint32_t kOptimizeMaxInsns = 3000;
  // Takes a copy of an already compiled program (the libpcap shim's
  // pcap_setfilter), checked as set() checks what it compiles. Returns
  // true, or false with what is wrong in err; the previous program stays
  // on failure.
  bool set_program(const bpf_program &src, std::string &err);
  void clear();
  bool active() const { return prog_ != nullptr; }
  const std::string &expression() const { return expr_; }
  // The compiled program (nullptr when none), for a device filter.
  const bpf_program *program() const { return prog_; }

  // true when the packet passes (or no filter is set).
  bool match(const uint8_t *pkt, uint32_t caplen, uint32_t len) const;

  // The program has a backward jump (libpcap's `protochain`) and runs
  // with a step budget; packets that exhausted it (did not match).
  bool bounded() const { return loops_; }
  uint64_t budget_exhausted() const { return exhausted_.load(std::memory_order_relaxed); }
  // libpcap's optimizer ran on the program.
  bool optimized() const { return optimized_; }
  // The program runs as native code (bpf_jit.h): a program without a
  // backward jump, on x86-64, unless PFRING_BPF_JIT=0.
  bool native() const { return jit_.ready(); }

 private:
  // Longest program accepted from a caller (the core's PFC_BPF_MAX_INSNS).
  static constexpr uint32_t kMaxProgramInsns = 1u << 20;
  // Checks prog and makes it the filter (taking it), or frees it.
  bool adopt(bpf_program *prog, const std::string &name, const std::string &invalid_prefix, bool optimized,
             std::string &err);
  bpf_program *prog_ = nullptr;
  std::string expr_;
  bool loops_ = false, optimized_ = true;
  uint32_t budget_ = 0;
  mutable std::atomic<uint64_t> exhausted_{0};
  BpfJit jit_;
};

}  // namespace pfr
