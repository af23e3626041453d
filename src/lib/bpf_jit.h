// bpf_jit.h - classic BPF translated to x86-64 machine code (issue 15):
// the userland filter of every module without a kernel filter runs the
// program as native code instead of interpreting it.
//
// Only programs pfc_bpf_check() accepts as PFC_BPF_OK (forward jumps
// only, memory read only where written) are translated; programs with a
// backward jump keep the bounded interpreter (src/core/bpf_vm.h), and so
// does every other architecture. The code has the interpreter's semantics
// (libpcap's bpf_filter): a load past the captured length, or a division
// or modulo by zero, ends the program with 0; shifts by 32 or more give 0;
// X + k that wraps 32 bits in an indirect load ends it with 0. The
// differential fuzz target tests/fuzz/fuzz_bpf_jit.cpp holds it to that.
//
// Registers: A in eax, X in ecx, the packet in rdi, the wire length in
// esi, the captured length in r10d, scratch in r8d/r9d/edx; M[] in the
// System V red zone below rsp (the code calls nothing). The code page is
// written, then made read-only and executable (never both writable and
// executable).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

struct pfc_bpf_insn;

namespace pfr {

class BpfJit {
 public:
  using Fn = uint32_t (*)(const uint8_t *pkt, uint32_t wirelen, uint32_t caplen);

  BpfJit() = default;
  ~BpfJit();
  BpfJit(const BpfJit &) = delete;
  BpfJit &operator=(const BpfJit &) = delete;

  // Translates n instructions that pfc_bpf_check() returned PFC_BPF_OK for.
  // true, or false with why in err (not x86-64, too long, no memory): the
  // caller interprets instead.
  bool compile(const pfc_bpf_insn *prog, uint32_t n, std::string &err);
  // The program's return value for a packet of wirelen bytes, caplen at pkt.
  uint32_t run(const uint8_t *pkt, uint32_t wirelen, uint32_t caplen) const { return fn_(pkt, wirelen, caplen); }
  bool ready() const { return fn_ != nullptr; }
  void clear();
  size_t code_bytes() const { return used_; }

  // Longest program translated (longer ones are interpreted).
  static constexpr uint32_t kMaxInsns = 1u << 16;

 private:
  Fn fn_ = nullptr;
  void *mem_ = nullptr;
  size_t map_len_ = 0, used_ = 0;
};

}  // namespace pfr
