// bpf.cpp - libpcap-compiled BPF, checked (src/core/bpf_vm.h), run as
// native code (bpf_jit.h) when it cannot loop - or, where no native code
// is made (another architecture, PFRING_BPF_JIT=0), with libpcap's
// bpf_filter() - and with the bounded interpreter of the core when it can.
#include "bpf.h"

#include <pcap/pcap.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <memory>
#include <mutex>

extern "C" {
#include "bpf_vm.h"
}

static_assert(sizeof(struct bpf_insn) == sizeof(struct pfc_bpf_insn), "struct bpf_insn layout");

namespace pfr {

namespace {
// pcap_compile() keeps parser state in the pcap_t; a private pcap_t per
// call plus this lock keeps concurrent compiles (several rings, several
// threads) safe on every libpcap version.
std::mutex g_compile_mutex;

// PFRING_BPF_OPTIMIZE: 1 always, 0 never, unset by program size.
int optimize_setting() {
  const char *env = std::getenv("PFRING_BPF_OPTIMIZE");
  if (env && *env == '1') return 1;
  if (env && *env == '0') return 0;
  return -1;
}

// PFRING_BPF_JIT=0: interpret (to compare, or to rule the translator out).
bool jit_enabled() {
  const char *env = std::getenv("PFRING_BPF_JIT");
  return !(env && *env == '0');
}
}  // namespace

BpfFilter::BpfFilter() = default;

BpfFilter::~BpfFilter() { clear(); }

void BpfFilter::clear() {
  if (prog_) {
    pcap_freecode(prog_);
    delete prog_;
    prog_ = nullptr;
  }
  jit_.clear();
  expr_.clear();
  loops_ = false;
  optimized_ = true;
}

bool BpfFilter::set(const std::string &expr, int snaplen, std::string &err) {
  std::lock_guard<std::mutex> lock(g_compile_mutex);
  pcap_t *p = pcap_open_dead(DLT_EN10MB, snaplen > 0 ? snaplen : 262144);
  if (!p) {
    err = "pcap_open_dead failed";
    return false;
  }
  auto *prog = new (std::nothrow) bpf_program;
  if (!prog) {
    pcap_close(p);
    err = "out of memory";
    return false;
  }
  // The optimizer's time grows steeply with the program: compile without
  // it first (fast), and optimize only a program small enough for it.
  int setting = optimize_setting();
  bool optimize = setting == 1;
  int rc = pcap_compile(p, prog, expr.c_str(), optimize ? 1 : 0, PCAP_NETMASK_UNKNOWN);
  if (rc == 0 && setting < 0 && prog->bf_len <= kOptimizeMaxInsns) {
    pcap_freecode(prog);
    optimize = true;
    rc = pcap_compile(p, prog, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN);
  }
  if (rc != 0) {
    err = std::string("BPF filter '") + expr + "': " + pcap_geterr(p);
    delete prog;
    pcap_close(p);
    return false;
  }
  pcap_close(p);
  return adopt(prog, expr, "BPF filter '" + expr + "': libpcap produced a program that is not valid BPF at ", optimize,
               err);
}

bool BpfFilter::set_program(const bpf_program &src, std::string &err) {
  if (src.bf_len == 0 || !src.bf_insns) {
    err = "BPF program is empty";
    return false;
  }
  if (src.bf_len > kMaxProgramInsns) {
    err = "BPF program of " + std::to_string(src.bf_len) + " instructions is longer than " +
          std::to_string(kMaxProgramInsns);
    return false;
  }
  auto *prog = new (std::nothrow) bpf_program;
  // malloc, as libpcap's own programs: clear() gives both to pcap_freecode.
  auto *insns = static_cast<bpf_insn *>(std::malloc(src.bf_len * sizeof(bpf_insn)));
  if (!prog || !insns) {
    delete prog;
    std::free(insns);
    err = "out of memory";
    return false;
  }
  std::memcpy(insns, src.bf_insns, src.bf_len * sizeof(bpf_insn));
  prog->bf_len = src.bf_len;
  prog->bf_insns = insns;
  std::string name = "(program of " + std::to_string(src.bf_len) + " instructions)";
  return adopt(prog, name, "BPF program is not valid at ", true, err);
}

bool BpfFilter::adopt(bpf_program *prog, const std::string &name, const std::string &invalid_prefix, bool optimized,
                      std::string &err) {
  uint32_t bad = 0;
  std::unique_ptr<uint16_t[]> scratch(new (std::nothrow) uint16_t[prog->bf_len ? prog->bf_len : 1]);
  if (!scratch) {
    err = "out of memory checking BPF filter '" + name + "'";
    pcap_freecode(prog);
    delete prog;
    return false;
  }
  int check = pfc_bpf_check(reinterpret_cast<const pfc_bpf_insn *>(prog->bf_insns), prog->bf_len, scratch.get(), &bad);
  if (check == PFC_BPF_EINVAL) {
    char where[96];
    snprintf(where, sizeof(where), "instruction %u of %u (code 0x%04x)", bad, prog->bf_len,
             bad < prog->bf_len ? prog->bf_insns[bad].code : 0);
    err = invalid_prefix + where;
    pcap_freecode(prog);
    delete prog;
    return false;
  }
  clear();
  prog_ = prog;
  expr_ = name;
  optimized_ = optimized;
  loops_ = check == PFC_BPF_LOOPS;
  // A loop walks headers: a few thousand steps are far more than any real
  // header chain takes.
  budget_ = 4096 + 16 * prog->bf_len;
  exhausted_.store(0, std::memory_order_relaxed);
  std::string why;  // a program not translated is interpreted: nothing to report
  if (!loops_ && jit_enabled())
    (void)jit_.compile(reinterpret_cast<const pfc_bpf_insn *>(prog->bf_insns), prog->bf_len, why);
  return true;
}

bool BpfFilter::match(const uint8_t *pkt, uint32_t caplen, uint32_t len) const {
  if (!prog_) return true;
  if (jit_.ready()) return jit_.run(pkt, len, caplen) != 0;
  if (!loops_) return bpf_filter(prog_->bf_insns, pkt, len, caplen) != 0;
  int exhausted = 0;
  uint32_t rc = pfc_bpf_run_bounded(reinterpret_cast<const pfc_bpf_insn *>(prog_->bf_insns), prog_->bf_len, pkt, len,
                                    caplen, budget_, &exhausted);
  if (exhausted) exhausted_.fetch_add(1, std::memory_order_relaxed);
  return rc != 0;
}

}  // namespace pfr
