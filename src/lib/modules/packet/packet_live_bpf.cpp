// packet_live_bpf.cpp - compile_live_filter (packet_module.h): a filter
// expression compiled by libpcap for a live capture on the device, so the
// socket filter judges frames as tcpdump -i does.
#include <dlfcn.h>
#include <pcap/pcap.h>

#include <cstring>

#include "modules/packet/packet_module.h"

namespace pfr {
namespace packet {

namespace {

// libpcap's own entry points. With the libpcap shim preloaded, the names
// pcap_create, pcap_activate... resolve to the shim, which would route a
// device name back to libpfring; the object that defines
// pcap_lib_version (which the shim leaves alone) is libpcap itself, and
// its symbols are looked up there.
struct RealPcap {
  decltype(&pcap_create) create = nullptr;
  decltype(&pcap_set_snaplen) set_snaplen = nullptr;
  decltype(&pcap_set_buffer_size) set_buffer_size = nullptr;
  decltype(&pcap_activate) activate = nullptr;
  decltype(&pcap_datalink) datalink = nullptr;
  decltype(&pcap_compile) compile = nullptr;
  decltype(&pcap_freecode) freecode = nullptr;
  decltype(&pcap_geterr) geterr = nullptr;
  decltype(&pcap_close) close = nullptr;
  bool ok = false;
};

template <typename F>
void find(void *lib, F &f, const char *name) {
  f = reinterpret_cast<F>(dlsym(lib, name));
}

const RealPcap &real_pcap() {
  static const RealPcap r = [] {
    RealPcap p;
    Dl_info info;
    std::memset(&info, 0, sizeof info);
    if (!dladdr(reinterpret_cast<void *>(&pcap_lib_version), &info) || !info.dli_fname) return p;
    void *lib = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
    if (!lib) return p;  // linked statically: the names below are libpcap's own
    find(lib, p.create, "pcap_create");
    find(lib, p.set_snaplen, "pcap_set_snaplen");
    find(lib, p.set_buffer_size, "pcap_set_buffer_size");
    find(lib, p.activate, "pcap_activate");
    find(lib, p.datalink, "pcap_datalink");
    find(lib, p.compile, "pcap_compile");
    find(lib, p.freecode, "pcap_freecode");
    find(lib, p.geterr, "pcap_geterr");
    find(lib, p.close, "pcap_close");
    // the handle stays open: libpcap is linked to libpfring and never unloads
    p.ok = p.create && p.set_snaplen && p.set_buffer_size && p.activate && p.datalink && p.compile &&
           p.freecode && p.geterr && p.close;
    return p;
  }();
  return r;
}

}  // namespace

bool compile_live_filter(const std::string &dev, uint32_t snaplen, const char *expr, std::vector<FilterInsn> &out,
                         std::string &why) {
  const RealPcap &pc = real_pcap();
  if (!pc.ok) {
    why = "libpcap's live-capture functions were not found";
    return false;
  }
  if (dev == "any") {
    why = "'any' has no Ethernet header in libpcap (cooked capture)";
    return false;
  }
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  pcap_t *h = pc.create(dev.c_str(), errbuf);
  if (!h) {
    why = std::string("libpcap: ") + errbuf;
    return false;
  }
  bool done = false;
  // The smallest ring libpcap takes: the handle only compiles.
  pc.set_snaplen(h, static_cast<int>(snaplen));
  pc.set_buffer_size(h, 65536);
  int rc = pc.activate(h);
  if (rc < 0) {
    why = std::string("libpcap could not open ") + dev + ": " + pc.geterr(h);
  } else if (pc.datalink(h) != DLT_EN10MB) {
    why = dev + " is not Ethernet to libpcap";
  } else {
    struct bpf_program prog;
    if (pc.compile(h, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
      why = std::string("libpcap: ") + pc.geterr(h);
    } else {
      out.clear();
      for (unsigned i = 0; i < prog.bf_len; i++) {
        const struct bpf_insn &x = prog.bf_insns[i];
        out.push_back(FilterInsn{x.code, x.jt, x.jf, x.k});
      }
      pc.freecode(&prog);
      done = true;
    }
  }
  pc.close(h);
  return done;
}

}  // namespace packet
}  // namespace pfr
