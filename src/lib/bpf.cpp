// bpf.cpp - libpcap-compiled BPF, run with libpcap's bpf_filter().
#include "bpf.h"

#include <pcap/pcap.h>

#include <mutex>

namespace pfr {

namespace {
// pcap_compile() keeps parser state in the pcap_t; a private pcap_t per
// call plus this lock keeps concurrent compiles (several rings, several
// threads) safe on every libpcap version.
std::mutex g_compile_mutex;
}  // namespace

BpfFilter::BpfFilter() = default;

BpfFilter::~BpfFilter() { clear(); }

void BpfFilter::clear() {
  if (prog_) {
    pcap_freecode(prog_);
    delete prog_;
    prog_ = nullptr;
  }
  expr_.clear();
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
  if (pcap_compile(p, prog, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    err = std::string("BPF filter '") + expr + "': " + pcap_geterr(p);
    delete prog;
    pcap_close(p);
    return false;
  }
  pcap_close(p);
  clear();
  prog_ = prog;
  expr_ = expr;
  return true;
}

bool BpfFilter::match(const uint8_t *pkt, uint32_t caplen, uint32_t len) const {
  if (!prog_) return true;
  return bpf_filter(prog_->bf_insns, pkt, len, caplen) != 0;
}

}  // namespace pfr
