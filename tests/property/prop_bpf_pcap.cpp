// prop_bpf_pcap.cpp - BPF through the pcap: module selects exactly the
// packets libpcap's pcap_offline_filter selects, on random captures
// (well-formed, mutated and snaplen-cut packets) and random filter
// expressions; and the core's checked, bounded interpreter
// (src/core/bpf_vm.h) accepts every program libpcap makes of them and
// returns what libpcap's bpf_filter() returns, optimized or not. Replay a
// failure with the printed RC_PARAMS="reproduce=...".
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <rapidcheck/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>

#include "generators.h"
#include "pfring.h"

extern "C" {
#include "bpf_vm.h"
}

namespace {

struct Capture {
  std::vector<pktb::Bytes> frames;
  std::vector<uint32_t> wire_len;
};

// Writes a classic ns pcap; packet i gets timestamp i+1 ns so delivered
// packets can be matched to their index.
std::string write_capture(const Capture &c) {
  char path[] = "/tmp/prop_bpf_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return "";
  FILE *fp = fdopen(fd, "wb");
  uint32_t gh[6] = {0xa1b23c4du, 0x00040002u, 0, 0, 262144, 1};
  fwrite(gh, 4, 6, fp);
  for (size_t i = 0; i < c.frames.size(); i++) {
    uint32_t rh[4] = {0, uint32_t(i + 1), uint32_t(c.frames[i].size()), c.wire_len[i]};
    fwrite(rh, 4, 4, fp);
    if (!c.frames[i].empty()) fwrite(c.frames[i].data(), 1, c.frames[i].size(), fp);
  }
  fclose(fp);
  return path;
}

rc::Gen<std::string> atom() {
  return rc::gen::oneOf(
      rc::gen::element<std::string>("tcp", "udp", "icmp", "icmp6", "ip", "ip6", "vlan", "arp", "sctp",
                                    "ip proto 47", "greater 200", "less 80", "ip[6:2] & 0x1fff != 0",
                                    "tcp[tcpflags] & tcp-syn != 0", "ether broadcast", "ether multicast",
                                    "udp port 2152", "udp port 4789", "ether[12:2] = 0x0800", "ip6 and tcp"),
      rc::gen::map(rc::gen::element<int>(53, 80, 443, 2152, 4789, 1, 65535),
                   [](int p) { return "port " + std::to_string(p); }),
      rc::gen::map(rc::gen::inRange(1, 1024), [](int p) { return "portrange " + std::to_string(p) + "-" + std::to_string(p + 5000); }),
      rc::gen::map(rc::gen::arbitrary<uint8_t>(), [](uint8_t b) { return "net 10.0.0.0/8 or host 192.168.1." + std::to_string(b); }));
}

rc::Gen<std::string> expression() {
  return rc::gen::exec([] {
    std::string e = *atom();
    int n = *rc::gen::inRange(0, 3);
    for (int i = 0; i < n; i++) {
      std::string op = *rc::gen::element<std::string>(" and ", " or ", " and not ");
      e = "(" + e + ")" + op + "(" + *atom() + ")";
    }
    return e;
  });
}

}  // namespace

RC_GTEST_PROP(BpfPcapModule, SelectsWhatPcapOfflineFilterSelects, ()) {
  Capture c;
  int n = *rc::gen::inRange(1, 60);
  for (int i = 0; i < n; i++) {
    gen::CapturedFrame f = *gen::capturedFrame();
    c.frames.push_back(f.bytes);
    c.wire_len.push_back(f.wire_len);
  }
  std::string expr = *expression();
  std::string path = write_capture(c);
  RC_ASSERT(!path.empty());

  struct Unlink {
    std::string p;
    ~Unlink() { unlink(p.c_str()); }
  } cleanup{path};

  // libpcap's answer.
  std::set<uint64_t> want;
  char errbuf[PCAP_ERRBUF_SIZE];
  std::unique_ptr<pcap_t, void (*)(pcap_t *)> p(
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf), pcap_close);
  if (!p) RC_FAIL(std::string("libpcap cannot read the capture: ") + errbuf);
  std::unique_ptr<pfring, void (*)(pfring *)> r(pfring_open(("pcap:" + path).c_str(), 65535, 0), pfring_close);
  if (!r) RC_FAIL("pfring_open failed");
  bpf_program prog;
  if (pcap_compile(p.get(), &prog, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    // An expression libpcap refuses is refused by pfring_set_bpf_filter too, with libpcap's message.
    std::string pcap_msg = pcap_geterr(p.get());
    RC_ASSERT(pfring_set_bpf_filter(r.get(), expr.c_str()) == PF_RING_ERROR_INVALID_ARGUMENT);
    char msg[512];
    pfring_get_last_error(r.get(), msg, sizeof(msg));
    RC_ASSERT(std::string(msg).find(pcap_msg) != std::string::npos);
    RC_TAG("expression rejected");
    return;
  }
  struct pcap_pkthdr *h;
  const u_char *d;
  while (pcap_next_ex(p.get(), &h, &d) == 1)
    // A record of wire length 0 holds no frame: pcap: skips it (and counts
    // it), libpcap hands it to the filter.
    if (h->len != 0 && pcap_offline_filter(&prog, h, d)) want.insert(uint64_t(h->ts.tv_usec));
  pcap_freecode(&prog);

  // Ours.
  std::set<uint64_t> got;
  RC_ASSERT(pfring_set_bpf_filter(r.get(), expr.c_str()) == 0);
  u_char *buf;
  struct pfring_pkthdr hdr;
  int rc;
  while ((rc = pfring_recv(r.get(), &buf, 0, &hdr, 1)) > 0) {
    uint64_t idx = hdr.extended_hdr.timestamp_ns;
    RC_ASSERT(idx >= 1 && idx <= c.frames.size());
    RC_ASSERT(hdr.caplen == c.frames[idx - 1].size());
    RC_ASSERT(std::equal(buf, buf + hdr.caplen, c.frames[idx - 1].begin()));
    got.insert(idx);
  }
  RC_ASSERT(rc == PF_RING_ERROR_END_OF_FILE);
  RC_ASSERT(got == want);
  RC_CLASSIFY(!want.empty(), "filter selected something");
  RC_CLASSIFY(want.size() == c.frames.size(), "filter selected everything");
}

RC_GTEST_PROP(BpfVm, AgreesWithLibpcapsInterpreter, ()) {
  std::string expr = *expression();
  bool optimize = *rc::gen::arbitrary<bool>();
  std::unique_ptr<pcap_t, void (*)(pcap_t *)> p(pcap_open_dead(DLT_EN10MB, 262144), pcap_close);
  bpf_program prog;
  if (pcap_compile(p.get(), &prog, expr.c_str(), optimize ? 1 : 0, PCAP_NETMASK_UNKNOWN) != 0) {
    RC_TAG("expression rejected");
    return;
  }
  std::unique_ptr<bpf_program, void (*)(bpf_program *)> free_prog(&prog, pcap_freecode);
  const auto *insns = reinterpret_cast<const pfc_bpf_insn *>(prog.bf_insns);
  uint32_t bad = 0;
  std::vector<uint16_t> scratch(prog.bf_len);
  RC_ASSERT(pfc_bpf_check(insns, prog.bf_len, scratch.data(), &bad) == PFC_BPF_OK);
  int n = *rc::gen::inRange(1, 30);
  for (int i = 0; i < n; i++) {
    gen::CapturedFrame f = *gen::capturedFrame();
    const pktb::Bytes &b = f.bytes;
    uint32_t wire = f.wire_len;
    int exhausted = 1;
    uint32_t ours = pfc_bpf_run_bounded(insns, prog.bf_len, b.data(), wire, uint32_t(b.size()), 1u << 20, &exhausted);
    uint32_t theirs = bpf_filter(prog.bf_insns, b.data(), wire, uint32_t(b.size()));
    RC_ASSERT(exhausted == 0);
    RC_ASSERT(ours == theirs);
    RC_CLASSIFY(theirs != 0, "matched");
  }
}
