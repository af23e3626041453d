// bpf_jit.cpp - see bpf_jit.h. Instruction encodings are those of the
// Intel SDM volume 2 (opcode, ModRM, SIB, REX); each emitter names the
// instruction it writes.
#include "bpf_jit.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <vector>

extern "C" {
#include "bpf_vm.h"
}

namespace pfr {

namespace {

// Classic BPF opcode fields (linux/filter.h, pcap/bpf.h).
constexpr uint16_t cls(uint16_t c) { return c & 0x07; }
constexpr uint16_t size_of(uint16_t c) { return c & 0x18; }
constexpr uint16_t mode(uint16_t c) { return c & 0xe0; }
constexpr uint16_t op(uint16_t c) { return c & 0xf0; }
constexpr bool src_x(uint16_t c) { return (c & 0x08) != 0; }

enum : uint16_t { kLd = 0, kLdx = 1, kSt = 2, kStx = 3, kAlu = 4, kJmp = 5, kRet = 6, kMisc = 7 };
enum : uint16_t { kW = 0x00, kH = 0x08, kB = 0x10 };
enum : uint16_t { kImm = 0x00, kAbs = 0x20, kInd = 0x40, kMem = 0x60, kLen = 0x80, kMsh = 0xa0 };
enum : uint16_t { kAdd = 0x00, kSub = 0x10, kMul = 0x20, kDiv = 0x30, kOr = 0x40, kAnd = 0x50, kLsh = 0x60,
                  kRsh = 0x70, kNeg = 0x80, kMod = 0x90, kXor = 0xa0 };
enum : uint16_t { kJa = 0x00, kJeq = 0x10, kJgt = 0x20, kJge = 0x30, kJset = 0x40 };

// Jump targets beyond the program's instructions.
constexpr uint32_t kToRet0 = UINT32_MAX;

class Emitter {
 public:
  explicit Emitter(uint32_t n) : at_(n + 1, 0) { code_.reserve(size_t(n) * 24 + 64); }

  void b(std::initializer_list<uint8_t> bytes) { code_.insert(code_.end(), bytes); }
  void d32(uint32_t v) {
    for (int i = 0; i < 4; i++) code_.push_back(uint8_t(v >> (8 * i)));
  }
  // M[k] lives at rsp - 64 + 4k (the red zone).
  uint8_t mem_disp(uint32_t k) const { return uint8_t(int8_t(-64 + int(4 * k))); }

  // jmp rel32 (E9) or jcc rel32 (0F 8x) to a BPF instruction or ret0.
  void jump(uint8_t cc, uint32_t target) {
    if (cc)
      b({0x0f, cc});
    else
      b({0xe9});
    fixups_.push_back({code_.size(), target});
    d32(0);
  }
  void mark(uint32_t pc) { at_[pc] = uint32_t(code_.size()); }

  // ret0: xor eax, eax; ret. Then every jump gets its displacement.
  void finish() {
    ret0_ = uint32_t(code_.size());
    b({0x31, 0xc0, 0xc3});
    for (const Fixup &f : fixups_) {
      uint32_t to = f.target == kToRet0 ? ret0_ : at_[f.target];
      uint32_t rel = to - uint32_t(f.at + 4);
      std::memcpy(&code_[f.at], &rel, 4);
    }
  }
  const std::vector<uint8_t> &code() const { return code_; }

 private:
  struct Fixup {
    size_t at;
    uint32_t target;
  };
  std::vector<uint8_t> code_;
  std::vector<uint32_t> at_;
  std::vector<Fixup> fixups_;
  uint32_t ret0_ = 0;
};

// Bounds check of a load of `size` bytes at the constant offset k: ret0
// unless k + size <= caplen. Returns false when no caplen can hold it.
bool check_abs(Emitter &e, uint32_t k, uint32_t size) {
  uint64_t end = uint64_t(k) + size;
  if (end > UINT32_MAX) {
    e.jump(0, kToRet0);  // jmp ret0
    return false;
  }
  e.b({0x41, 0x81, 0xfa});  // cmp r10d, imm32
  e.d32(uint32_t(end));
  e.jump(0x82, kToRet0);  // jb ret0
  return true;
}

// A (eax) = size bytes at pkt + r8 (zero-extended index), big-endian.
void load_indexed(Emitter &e, uint32_t size) {
  if (size == 1) {
    e.b({0x42, 0x0f, 0xb6, 0x04, 0x07});  // movzx eax, byte [rdi + r8]
  } else if (size == 2) {
    e.b({0x42, 0x0f, 0xb7, 0x04, 0x07});  // movzx eax, word [rdi + r8]
    e.b({0x66, 0xc1, 0xc0, 0x08});        // rol ax, 8
  } else {
    e.b({0x42, 0x8b, 0x04, 0x07});  // mov eax, [rdi + r8]
    e.b({0x0f, 0xc8});              // bswap eax
  }
}

void load_abs(Emitter &e, uint32_t k, uint32_t size) {
  if (!check_abs(e, k, size)) return;
  if (k > 0x7fffffffu) {  // beyond a disp32: through r8
    e.b({0x41, 0xb8});    // mov r8d, imm32
    e.d32(k);
    load_indexed(e, size);
    return;
  }
  if (size == 1) {
    e.b({0x0f, 0xb6, 0x87});  // movzx eax, byte [rdi + disp32]
    e.d32(k);
  } else if (size == 2) {
    e.b({0x0f, 0xb7, 0x87});  // movzx eax, word [rdi + disp32]
    e.d32(k);
    e.b({0x66, 0xc1, 0xc0, 0x08});  // rol ax, 8
  } else {
    e.b({0x8b, 0x87});  // mov eax, [rdi + disp32]
    e.d32(k);
    e.b({0x0f, 0xc8});  // bswap eax
  }
}

void load_ind(Emitter &e, uint32_t k, uint32_t size) {
  e.b({0x41, 0x89, 0xc8});  // mov r8d, ecx
  e.b({0x41, 0x81, 0xc0});  // add r8d, imm32
  e.d32(k);
  e.jump(0x82, kToRet0);    // jc ret0: X + k wrapped
  e.b({0x45, 0x89, 0xd1});  // mov r9d, r10d
  e.b({0x41, 0x81, 0xe9});  // sub r9d, imm32
  e.d32(size);
  e.jump(0x82, kToRet0);    // jb ret0: caplen < size
  e.b({0x45, 0x39, 0xc8});  // cmp r8d, r9d
  e.jump(0x87, kToRet0);    // ja ret0: off > caplen - size
  load_indexed(e, size);
}

// A op= v, v being X (ecx) or k.
void alu(Emitter &e, uint16_t c, uint32_t k) {
  bool x = src_x(c);
  switch (op(c)) {
    case kAdd:
    case kSub:
    case kOr:
    case kAnd:
    case kXor: {
      // op eax, ecx (01/29/09/21/31 C8) or op eax, imm32 (05/2D/0D/25/35)
      struct Enc {
        uint16_t op;
        uint8_t with_x, with_k;
      };
      static const Enc kEnc[] = {{kAdd, 0x01, 0x05}, {kSub, 0x29, 0x2d}, {kOr, 0x09, 0x0d}, {kAnd, 0x21, 0x25},
                                 {kXor, 0x31, 0x35}};
      for (const Enc &en : kEnc) {
        if (en.op != op(c)) continue;
        if (x) {
          e.b({en.with_x, 0xc8});
        } else {
          e.b({en.with_k});
          e.d32(k);
        }
      }
      break;
    }
    case kMul:
      if (x) e.b({0x0f, 0xaf, 0xc1});  // imul eax, ecx
      else { e.b({0x69, 0xc0}); e.d32(k); }  // imul eax, eax, imm32
      break;
    case kDiv:
    case kMod:
      if (x) {
        e.b({0x85, 0xc9});      // test ecx, ecx
        e.jump(0x84, kToRet0);  // jz ret0
        e.b({0x31, 0xd2});      // xor edx, edx
        e.b({0xf7, 0xf1});      // div ecx
      } else {                  // k != 0: pfc_bpf_check refuses a constant 0
        e.b({0x41, 0xb8});      // mov r8d, imm32
        e.d32(k);
        e.b({0x31, 0xd2});        // xor edx, edx
        e.b({0x41, 0xf7, 0xf0});  // div r8d
      }
      if (op(c) == kMod) e.b({0x89, 0xd0});  // mov eax, edx
      break;
    case kLsh:
    case kRsh:
      if (x) {
        // the hardware masks cl to 5 bits; a shift by 32 or more gives 0
        e.b({0xd3, uint8_t(op(c) == kLsh ? 0xe0 : 0xe8)});  // shl/shr eax, cl
        e.b({0x83, 0xf9, 0x20});  // cmp ecx, 32
        e.b({0x45, 0x19, 0xc0});  // sbb r8d, r8d: all ones when ecx < 32
        e.b({0x44, 0x21, 0xc0});  // and eax, r8d
      } else {                    // k < 32: pfc_bpf_check refuses more
        e.b({0xc1, uint8_t(op(c) == kLsh ? 0xe0 : 0xe8), uint8_t(k)});  // shl/shr eax, imm8
      }
      break;
    case kNeg:
      e.b({0xf7, 0xd8});  // neg eax
      break;
  }
}

void jmp(Emitter &e, uint32_t pc, uint16_t c, uint32_t k, uint8_t jt, uint8_t jf) {
  uint32_t next = pc + 1;
  if (op(c) == kJa) {
    if (k) e.jump(0, next + k);
    return;
  }
  uint32_t t = next + jt, f = next + jf;
  if (t == f) {
    if (t != next) e.jump(0, t);
    return;
  }
  uint8_t cc;
  if (op(c) == kJset) {
    if (src_x(c)) e.b({0x85, 0xc8});  // test eax, ecx
    else { e.b({0xa9}); e.d32(k); }  // test eax, imm32
    cc = 0x85;                        // jnz
  } else {
    if (src_x(c)) e.b({0x39, 0xc8});  // cmp eax, ecx
    else { e.b({0x3d}); e.d32(k); }  // cmp eax, imm32
    cc = op(c) == kJeq ? 0x84 : op(c) == kJgt ? 0x87 : 0x83;  // je, ja, jae
  }
  if (f == next) {
    e.jump(cc, t);
  } else if (t == next) {
    e.jump(uint8_t(cc ^ 1), f);  // the opposite condition
  } else {
    e.jump(cc, t);
    e.jump(0, f);
  }
}

bool uses_memory(const pfc_bpf_insn *prog, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    uint16_t c = prog[i].code;
    if (cls(c) == kSt || cls(c) == kStx || ((cls(c) == kLd || cls(c) == kLdx) && mode(c) == kMem)) return true;
  }
  return false;
}

}  // namespace

BpfJit::~BpfJit() { clear(); }

void BpfJit::clear() {
  if (mem_) munmap(mem_, map_len_);
  mem_ = nullptr;
  fn_ = nullptr;
  map_len_ = used_ = 0;
}

bool BpfJit::compile(const pfc_bpf_insn *prog, uint32_t n, std::string &err) {
  clear();
#if !defined(__x86_64__)
  (void)prog;
  (void)n;
  err = "the BPF translator writes x86-64 code only";
  return false;
#else
  if (!prog || n == 0 || n > kMaxInsns) {
    err = "program of " + std::to_string(n) + " instructions: translated are 1.." + std::to_string(kMaxInsns);
    return false;
  }
  Emitter e(n);
  // prologue: caplen to r10d (div uses edx), A = X = 0, M[] = 0
  e.b({0x41, 0x89, 0xd2});  // mov r10d, edx
  e.b({0x31, 0xc0});        // xor eax, eax
  e.b({0x31, 0xc9});        // xor ecx, ecx
  if (uses_memory(prog, n))
    for (int i = 0; i < 8; i++) {
      e.b({0x48, 0xc7, 0x44, 0x24, uint8_t(int8_t(-64 + 8 * i))});  // mov qword [rsp + d8], 0
      e.d32(0);
    }
  for (uint32_t pc = 0; pc < n; pc++) {
    const pfc_bpf_insn &p = prog[pc];
    uint16_t c = p.code;
    uint32_t k = p.k;
    uint32_t size = size_of(c) == kW ? 4 : size_of(c) == kH ? 2 : 1;
    e.mark(pc);
    switch (cls(c)) {
      case kLd:
        switch (mode(c)) {
          case kAbs: load_abs(e, k, size); break;
          case kInd: load_ind(e, k, size); break;
          case kLen: e.b({0x89, 0xf0}); break;  // mov eax, esi
          case kMem: e.b({0x8b, 0x44, 0x24, e.mem_disp(k & 15)}); break;  // mov eax, [rsp + d8]
          default: e.b({0xb8}); e.d32(k); break;  // mov eax, imm32
        }
        break;
      case kLdx:
        switch (mode(c)) {
          case kLen: e.b({0x89, 0xf1}); break;  // mov ecx, esi
          case kMem: e.b({0x8b, 0x4c, 0x24, e.mem_disp(k & 15)}); break;  // mov ecx, [rsp + d8]
          case kMsh:
            if (!check_abs(e, k, 1)) break;
            if (k > 0x7fffffffu) {
              e.b({0x41, 0xb8});  // mov r8d, imm32
              e.d32(k);
              e.b({0x42, 0x0f, 0xb6, 0x0c, 0x07});  // movzx ecx, byte [rdi + r8]
            } else {
              e.b({0x0f, 0xb6, 0x8f});  // movzx ecx, byte [rdi + disp32]
              e.d32(k);
            }
            e.b({0x83, 0xe1, 0x0f});  // and ecx, 15
            e.b({0xc1, 0xe1, 0x02});  // shl ecx, 2
            break;
          default: e.b({0xb9}); e.d32(k); break;  // mov ecx, imm32
        }
        break;
      case kSt: e.b({0x89, 0x44, 0x24, e.mem_disp(k & 15)}); break;   // mov [rsp + d8], eax
      case kStx: e.b({0x89, 0x4c, 0x24, e.mem_disp(k & 15)}); break;  // mov [rsp + d8], ecx
      case kAlu: alu(e, c, k); break;
      case kJmp: jmp(e, pc, c, k, p.jt, p.jf); break;
      case kRet:
        if ((c & 0x18) == 0x10) {  // RET A
          e.b({0xc3});             // ret
        } else {
          e.b({0xb8});  // mov eax, imm32
          e.d32(k);
          e.b({0xc3});  // ret
        }
        break;
      default:
        if ((c & 0xf8) == 0x80) e.b({0x89, 0xc8});  // TXA: mov eax, ecx
        else e.b({0x89, 0xc1});                     // TAX: mov ecx, eax
        break;
    }
  }
  e.mark(n);
  e.finish();
  const std::vector<uint8_t> &code = e.code();
  long page = sysconf(_SC_PAGESIZE);
  size_t len = (code.size() + size_t(page) - 1) / size_t(page) * size_t(page);
  void *m = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) {
    err = "no memory for the translated BPF program";
    return false;
  }
  std::memcpy(m, code.data(), code.size());
  if (mprotect(m, len, PROT_READ | PROT_EXEC) != 0) {
    munmap(m, len);
    err = "cannot make the translated BPF program executable (mprotect)";
    return false;
  }
  mem_ = m;
  map_len_ = len;
  used_ = code.size();
  fn_ = reinterpret_cast<Fn>(m);
  return true;
#endif
}

}  // namespace pfr
