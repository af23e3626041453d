// bpf.h - BPF filters compiled by libpcap (guide 8.10.3), evaluated in
// userland for modules without a kernel filter.
#pragma once

#include <cstdint>
#include <string>

struct bpf_program;

namespace pfr {

class BpfFilter {
 public:
  BpfFilter();
  ~BpfFilter();
  BpfFilter(const BpfFilter &) = delete;
  BpfFilter &operator=(const BpfFilter &) = delete;

  // Compiles expr for DLT_EN10MB. Returns true, or false with libpcap's
  // message in err; the previous program stays on failure.
  bool set(const std::string &expr, int snaplen, std::string &err);
  void clear();
  bool active() const { return prog_ != nullptr; }
  const std::string &expression() const { return expr_; }
  // The compiled program (nullptr when none), for a device filter.
  const bpf_program *program() const { return prog_; }

  // true when the packet passes (or no filter is set).
  bool match(const uint8_t *pkt, uint32_t caplen, uint32_t len) const;

 private:
  bpf_program *prog_ = nullptr;
  std::string expr_;
};

}  // namespace pfr
