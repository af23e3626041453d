// fuzz_bpf_jit.cpp - differential test of the BPF translator
// (src/lib/bpf_jit.h): random valid classic programs, built from the input
// so that nearly every input is a program pfc_bpf_check() accepts (every
// opcode class, loads near and far past the packet, indirect loads whose
// X + k wraps, division and shifts by X of 0 and >= 32, memory words,
// jumps of every kind), run by the interpreter (src/core/bpf_vm.h, the
// reference) and as native code on the same packet; any difference traps.
// The packet is an exact-size heap block for AddressSanitizer.
//
//   build-fuzz/bin/fuzz_bpf_jit -max_total_time=60 NEW_CORPUS_DIR
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "bpf_jit.h"

extern "C" {
#include "bpf_vm.h"
}

namespace {

// One valid instruction from 8 input bytes; pc of n, jumps stay inside.
pfc_bpf_insn make(const uint8_t *c, uint32_t pc, uint32_t n) {
  static const uint16_t kLoads[] = {0x20, 0x28, 0x30, 0x40, 0x48, 0x50, 0x00, 0x80, 0x60,  // ld
                                    0x01, 0x81, 0x61, 0xb1};                              // ldx
  static const uint16_t kAlu[] = {0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0};
  static const uint16_t kJmp[] = {0x10, 0x20, 0x30, 0x40};
  uint32_t k;
  std::memcpy(&k, c + 4, 4);
  // offsets mostly near the packet, sometimes anywhere
  uint32_t near = k % 80, kk = (c[1] & 0x80) ? k : near;
  pfc_bpf_insn i{};
  uint32_t left = n - pc - 2;  // instructions between this one and the last
  switch (c[0] % 9) {
    case 0:
    case 1: {
      uint16_t code = kLoads[c[2] % (sizeof kLoads / sizeof kLoads[0])];
      i.code = code;
      i.k = (code & 0xe0) == 0x60 ? k % 16 : (code & 0xe0) == 0x00 ? k : kk;
      break;
    }
    case 2:
      i.code = (c[2] & 1) ? 0x03 : 0x02;  // stx, st
      i.k = k % 16;
      break;
    case 3:
    case 4: {
      uint16_t opc = kAlu[c[2] % (sizeof kAlu / sizeof kAlu[0])];
      bool x = c[3] & 1;
      i.code = uint16_t(0x04 | opc | (x ? 0x08 : 0));
      i.k = (c[3] & 2) ? k : k % 40;
      if (!x && (opc == 0x30 || opc == 0x90) && i.k == 0) i.k = 1;
      if (!x && (opc == 0x60 || opc == 0x70)) i.k %= 32;
      if (c[2] >= 250) i.code = 0x84;  // neg
      break;
    }
    case 5:
    case 6: {
      if (left == 0) {
        i.code = 0x87;  // txa
        break;
      }
      uint16_t opc = kJmp[c[2] % 4];
      i.code = uint16_t(0x05 | opc | ((c[3] & 1) ? 0x08 : 0));
      i.k = (c[3] & 2) ? k : k % 16;
      i.jt = uint8_t(c[1] % (left + 1 > 255 ? 255 : left + 1));
      i.jf = uint8_t(c[3] % (left + 1 > 255 ? 255 : left + 1));
      if (c[2] % 8 == 7) {  // ja
        i.code = 0x05;
        i.k = k % (left + 1);
        i.jt = i.jf = 0;
      }
      break;
    }
    case 7:
      i.code = (c[2] & 1) ? 0x87 : 0x07;  // txa, tax
      break;
    default:
      i.code = (c[2] & 1) ? 0x16 : 0x06;  // ret a, ret k (mid-program: the rest is dead code)
      i.k = k;
      break;
  }
  return i;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  uint32_t n = data[0] % 48 + 2;
  size_t prog_bytes = size_t(n - 1) * 8;
  if (size < 2 + prog_bytes) return 0;
  std::unique_ptr<pfc_bpf_insn[]> prog(new pfc_bpf_insn[n]);
  for (uint32_t pc = 0; pc + 1 < n; pc++) prog[pc] = make(data + 2 + size_t(pc) * 8, pc, n);
  prog[n - 1] = pfc_bpf_insn{uint16_t((data[1] & 1) ? 0x16 : 0x06), 0, 0, 0xFFFF};
  uint32_t bad = 0;
  std::unique_ptr<uint16_t[]> scratch(new uint16_t[n]);
  if (pfc_bpf_check(prog.get(), n, scratch.get(), &bad) != PFC_BPF_OK) return 0;

  size_t caplen = size - 2 - prog_bytes;
  std::unique_ptr<uint8_t[]> pkt(new uint8_t[caplen ? caplen : 1]);
  if (caplen) std::memcpy(pkt.get(), data + 2 + prog_bytes, caplen);
  uint32_t wire = uint32_t(caplen) + (data[1] >> 1);

  pfr::BpfJit jit;
  std::string err;
  if (!jit.compile(prog.get(), n, err)) {
#if defined(__x86_64__)
    __builtin_trap();  // every checked program of this size translates
#endif
    return 0;
  }
  int exhausted = 0;
  uint32_t want = pfc_bpf_run_bounded(prog.get(), n, pkt.get(), wire, uint32_t(caplen), n + 1, &exhausted);
  uint32_t got = jit.run(pkt.get(), wire, uint32_t(caplen));
  if (exhausted || got != want) __builtin_trap();
  return 0;
}
