// test_bpf.cpp - BPF programs are checked before they run
// (src/core/bpf_vm.h): control tests for every kind of bad program, a
// loop that runs out of its step budget, and through the public API the
// frame that kept libpcap's `ip6 protochain` program looping forever
// (tcpdump -r hangs on it too): it does not match, and the receive ends.
// A real extension-header chain still matches. Large OR filters are
// compiled without libpcap's optimizer.
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "bpf.h"
#include "pcap_module_fixture.h"

extern "C" {
#include "bpf_vm.h"
}

namespace {

using namespace pcapmod;

// Classic BPF opcodes used below (pcap/bpf.h).
constexpr uint16_t kLdAbsB = BPF_LD | BPF_B | BPF_ABS, kRetK = BPF_RET | BPF_K, kJa = BPF_JMP | BPF_JA,
                   kJeqK = BPF_JMP | BPF_JEQ | BPF_K, kSt = BPF_ST, kLdMem = BPF_LD | BPF_W | BPF_MEM,
                   kDivK = BPF_ALU | BPF_DIV | BPF_K, kLdxMsh = BPF_LDX | BPF_B | BPF_MSH;

int check(const std::vector<pfc_bpf_insn> &p, uint32_t *bad = nullptr) {
  uint32_t b = 0;
  std::vector<uint16_t> scratch(p.size() + 1);
  int rc = pfc_bpf_check(p.data(), uint32_t(p.size()), scratch.data(), &b);
  if (bad) *bad = b;
  return rc;
}

TEST(BpfCheck, RefusesWhatCannotRun) {
  struct Case {
    const char *what;
    std::vector<pfc_bpf_insn> prog;
    uint32_t bad_pc;
  } cases[] = {
      {"empty", {}, 0},
      {"unknown opcode", {{0xff, 0, 0, 0}, {kRetK, 0, 0, 0}}, 0},
      {"opcode above 8 bits", {{0x106, 0, 0, 0}}, 0},
      {"jump past the end", {{kJeqK, 0, 5, 1}, {kRetK, 0, 0, 0}}, 0},
      {"ja past the end", {{kJa, 0, 0, 1}, {kRetK, 0, 0, 0}}, 0},
      {"memory word 16", {{kSt, 0, 0, 16}, {kRetK, 0, 0, 0}}, 0},
      {"load of memory word 99", {{kLdMem, 0, 0, 99}, {kRetK, 0, 0, 0}}, 0},
      {"division by constant zero", {{kDivK, 0, 0, 0}, {kRetK, 0, 0, 0}}, 0},
      {"last is not a return", {{kLdAbsB, 0, 0, 0}}, 0},
      {"ldx msh of a word", {{BPF_LDX | BPF_W | BPF_MSH, 0, 0, 0}, {kRetK, 0, 0, 0}}, 0},
      {"return X", {{BPF_RET | BPF_X, 0, 0, 0}}, 0},
      {"memory read before it is written", {{kLdMem, 0, 0, 3}, {kRetK, 0, 0, 0}}, 0},
      {"memory written on one path only",
       {{kJeqK, 0, 1, 0}, {kSt, 0, 0, 2}, {kLdMem, 0, 0, 2}, {kRetK, 0, 0, 0}}, 2},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.what);
    uint32_t bad = 99;
    EXPECT_EQ(check(c.prog, &bad), PFC_BPF_EINVAL);
    EXPECT_EQ(bad, c.bad_pc);
  }
  uint32_t bad = 0;
  EXPECT_EQ(pfc_bpf_check(nullptr, 3, nullptr, &bad), PFC_BPF_EINVAL);
}

TEST(BpfCheck, ForwardProgramsAreOkBackwardJumpsAreReported) {
  std::vector<pfc_bpf_insn> fwd = {{kLdAbsB, 0, 0, 12}, {kJeqK, 0, 1, 8}, {kRetK, 0, 0, 1}, {kRetK, 0, 0, 0}};
  EXPECT_EQ(check(fwd), PFC_BPF_OK);
  std::vector<pfc_bpf_insn> loop = {{kLdxMsh, 0, 0, 14}, {kJa, 0, 0, 0xfffffffeu}, {kRetK, 0, 0, 0}};
  EXPECT_EQ(check(loop), PFC_BPF_LOOPS);
}

TEST(BpfRun, AnEndlessLoopRunsOutOfItsBudget) {
  std::vector<pfc_bpf_insn> loop = {{kLdAbsB, 0, 0, 0}, {kJa, 0, 0, 0xfffffffeu}, {kRetK, 0, 0, 1}};
  ASSERT_EQ(check(loop), PFC_BPF_LOOPS);
  uint8_t pkt[64] = {0};
  int exhausted = 0;
  EXPECT_EQ(pfc_bpf_run_bounded(loop.data(), 3, pkt, 64, 64, 1000, &exhausted), 0u);
  EXPECT_EQ(exhausted, 1);
}

TEST(BpfRun, LoadsPastTheCaptureAndDivisionByZeroEndWithZero) {
  std::vector<pfc_bpf_insn> load = {{kLdAbsB, 0, 0, 100}, {kRetK, 0, 0, 7}};
  std::vector<pfc_bpf_insn> divx = {{BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0}, {kRetK, 0, 0, 7}};
  uint8_t pkt[64] = {0};
  int ex = 0;
  EXPECT_EQ(pfc_bpf_run_bounded(load.data(), 2, pkt, 200, 64, 100, &ex), 0u);
  EXPECT_EQ(pfc_bpf_run_bounded(divx.data(), 2, pkt, 64, 64, 100, &ex), 0u);
  EXPECT_EQ(ex, 0);
}

// Ethernet + IPv6 (next header nh) + ext, all 02:.. MACs.
Bytes ipv6_frame(uint8_t nh, const Bytes &ext) {
  Bytes f = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x86, 0xdd};
  Bytes ip6(40, 0);
  ip6[0] = 0x60;
  ip6[4] = uint8_t(ext.size() >> 8);
  ip6[5] = uint8_t(ext.size());
  ip6[6] = nh;
  ip6[7] = 64;
  ip6[23] = 1;  // ::1
  ip6[39] = 2;  // ::2
  f.insert(f.end(), ip6.begin(), ip6.end());
  f.insert(f.end(), ext.begin(), ext.end());
  return f;
}

class BpfApi : public PcapModuleTest {};

TEST_F(BpfApi, ALoopingProtochainFrameDoesNotMatchAndTheReceiveEnds) {
  // An AH (51) whose next header is AH and whose length field, as
  // libpcap's program reads it, points back at itself.
  Bytes ah = {51, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  ah.resize(62, 0);
  Bytes loop = ipv6_frame(51, ah);
  // A real chain: hop-by-hop (0) then UDP (17).
  Bytes hbh = {17, 0, 1, 4, 0, 0, 0, 0};
  Bytes udp = {0x04, 0x00, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00};
  hbh.insert(hbh.end(), udp.begin(), udp.end());
  Bytes good = ipv6_frame(0, hbh);
  std::vector<Record> recs(3);
  recs[0].data = loop;
  recs[1].data = good;
  recs[2].data = loop;
  pfring *r = open(device("protochain.pcap", pw::pcap_bytes(recs)));
  ASSERT_TRUE(r);
  ASSERT_EQ(pfring_set_bpf_filter(r, const_cast<char *>("ip6 protochain 17")), 0) << last_error(r);
  auto t0 = std::chrono::steady_clock::now();
  u_char *buf;
  struct pfring_pkthdr h;
  ASSERT_EQ(pfring_recv(r, &buf, 0, &h, 1), 1);
  EXPECT_EQ(h.caplen, good.size());
  EXPECT_EQ(std::memcmp(buf, good.data(), good.size()), 0);
  EXPECT_EQ(pfring_recv(r, &buf, 0, &h, 1), PF_RING_ERROR_END_OF_FILE);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));  // a hang guard, not a speed test
  pfring_close(r);
}

TEST(BpfFilter, BoundedOnlyWhenTheProgramCanLoopAndCountsWhatRanOut) {
  pfr::BpfFilter f;
  std::string err;
  ASSERT_TRUE(f.set("udp port 53", 65535, err)) << err;
  EXPECT_FALSE(f.bounded());
  ASSERT_TRUE(f.set("ip6 protochain 17", 65535, err)) << err;
  EXPECT_TRUE(f.bounded());
  Bytes ah = {51, 8, 0, 0};
  ah.resize(62, 0);
  Bytes loop = ipv6_frame(51, ah);
  EXPECT_FALSE(f.match(loop.data(), uint32_t(loop.size()), uint32_t(loop.size())));
  EXPECT_EQ(f.budget_exhausted(), 1u);
}

// "host 10.0.0.1 or host ..." with n hosts.
std::string ored_hosts(int n) {
  std::string expr = "host 10.0.0.1";
  for (int i = 2; i <= n; i++) expr += " or host 10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
  return expr;
}

TEST(BpfFilter, LargeOrFiltersSkipTheOptimizer) {
  std::string expr = ored_hosts(300);
  pfr::BpfFilter f;
  std::string err;
  ASSERT_TRUE(f.set(expr, 65535, err)) << err;
  EXPECT_FALSE(f.optimized());  // libpcap's optimizer takes about 1.5 s on it here, 3 s at 400 terms
  ASSERT_TRUE(f.set("tcp or udp", 65535, err)) << err;
  EXPECT_TRUE(f.optimized());
}

// The translator (src/lib/bpf_jit.h): forward programs run as native code
// on x86-64 (not those that can loop, not with PFRING_BPF_JIT=0), and each
// kind of instruction gives what the interpreter gives, edge cases first.
TEST(BpfFilter, ForwardProgramsRunAsNativeCode) {
  pfr::BpfFilter f;
  std::string err;
  ASSERT_TRUE(f.set("udp port 53", 65535, err)) << err;
#if defined(__x86_64__)
  EXPECT_TRUE(f.native());
#endif
  ASSERT_TRUE(f.set("ip6 protochain 17", 65535, err)) << err;
  EXPECT_FALSE(f.native());
  setenv("PFRING_BPF_JIT", "0", 1);
  ASSERT_TRUE(f.set("udp port 53", 65535, err)) << err;
  EXPECT_FALSE(f.native());
  unsetenv("PFRING_BPF_JIT");
}

uint32_t interpret(const std::vector<pfc_bpf_insn> &p, const Bytes &pkt, uint32_t wire) {
  int exhausted = 0;
  return pfc_bpf_run_bounded(p.data(), uint32_t(p.size()), pkt.data(), wire, uint32_t(pkt.size()), 100000,
                             &exhausted);
}

TEST(BpfJit, EachInstructionKindGivesWhatTheInterpreterGives) {
  using I = pfc_bpf_insn;
  const uint16_t ldx_k = BPF_LDX | BPF_W | BPF_IMM, ld_ind_w = BPF_LD | BPF_W | BPF_IND,
                 ld_ind_h = BPF_LD | BPF_H | BPF_IND, ld_abs_w = BPF_LD | BPF_W | BPF_ABS,
                 ld_abs_h = BPF_LD | BPF_H | BPF_ABS, ld_imm = BPF_LD | BPF_W | BPF_IMM, ret_a = BPF_RET | BPF_A,
                 div_x = BPF_ALU | BPF_DIV | BPF_X, mod_x = BPF_ALU | BPF_MOD | BPF_X,
                 lsh_x = BPF_ALU | BPF_LSH | BPF_X, rsh_x = BPF_ALU | BPF_RSH | BPF_X,
                 jset_x = BPF_JMP | BPF_JSET | BPF_X, jgt_k = BPF_JMP | BPF_JGT | BPF_K,
                 stx = BPF_STX, ldx_mem = BPF_LDX | BPF_W | BPF_MEM, txa = BPF_MISC | BPF_TXA,
                 ld_len = BPF_LD | BPF_W | BPF_LEN, neg = BPF_ALU | BPF_NEG, mul_k = BPF_ALU | BPF_MUL | BPF_K;
  std::vector<std::vector<I>> progs = {
      {{ldx_k, 0, 0, 0xFFFFFFF0u}, {ld_ind_w, 0, 0, 0x20}, {ret_a, 0, 0, 0}},  // X + k wraps: 0
      {{ldx_k, 0, 0, 3}, {ld_ind_h, 0, 0, 10}, {ret_a, 0, 0, 0}},             // indirect, in and past the capture
      {{ld_abs_w, 0, 0, 0x7FFFFFFEu}, {ret_a, 0, 0, 0}},                        // beyond a disp32
      {{ld_abs_w, 0, 0, 0xFFFFFFFEu}, {ret_a, 0, 0, 0}},                        // k + 4 wraps
      {{ld_abs_h, 0, 0, 12}, {ret_a, 0, 0, 0}},
      {{ld_imm, 0, 0, 1000}, {ldx_k, 0, 0, 0}, {div_x, 0, 0, 0}, {ret_a, 0, 0, 0}},  // / 0: 0
      {{ld_imm, 0, 0, 1000}, {ldx_k, 0, 0, 7}, {mod_x, 0, 0, 0}, {ret_a, 0, 0, 0}},
      {{ld_imm, 0, 0, 1000}, {ldx_k, 0, 0, 7}, {div_x, 0, 0, 0}, {ret_a, 0, 0, 0}},
      {{ld_imm, 0, 0, 0x80000001u}, {ldx_k, 0, 0, 31}, {lsh_x, 0, 0, 0}, {ret_a, 0, 0, 0}},
      {{ld_imm, 0, 0, 0x80000001u}, {ldx_k, 0, 0, 32}, {lsh_x, 0, 0, 0}, {ret_a, 0, 0, 0}},  // >= 32: 0
      {{ld_imm, 0, 0, 0x80000001u}, {ldx_k, 0, 0, 33}, {rsh_x, 0, 0, 0}, {ret_a, 0, 0, 0}},
      {{ld_imm, 0, 0, 0x80000001u}, {ldx_k, 0, 0, 31}, {rsh_x, 0, 0, 0}, {ret_a, 0, 0, 0}},
      {{kLdxMsh, 0, 0, 14}, {txa, 0, 0, 0}, {ret_a, 0, 0, 0}},  // MSH in and past the capture
      {{ld_len, 0, 0, 0}, {ldx_k, 0, 0, 4}, {jset_x, 0, 1, 0}, {BPF_RET | BPF_K, 0, 0, 7}, {neg, 0, 0, 0},
       {ret_a, 0, 0, 0}},
      {{ld_len, 0, 0, 0}, {mul_k, 0, 0, 3}, {kSt, 0, 0, 5}, {ldx_mem, 0, 0, 5}, {stx, 0, 0, 9}, {kLdMem, 0, 0, 9},
       {jgt_k, 1, 0, 200}, {BPF_RET | BPF_K, 0, 0, 1}, {ret_a, 0, 0, 0}},
  };
  std::vector<Bytes> pkts;
  for (uint32_t len : {0u, 1u, 12u, 13u, 14u, 15u, 16u, 60u, 1500u}) {
    Bytes b(len);
    for (uint32_t i = 0; i < len; i++) b[i] = uint8_t(i * 37 + 5);
    pkts.push_back(b);
  }
  for (size_t i = 0; i < progs.size(); i++) {
    uint32_t bad = 0;
    std::vector<uint16_t> scratch(progs[i].size());
    ASSERT_EQ(pfc_bpf_check(progs[i].data(), uint32_t(progs[i].size()), scratch.data(), &bad), PFC_BPF_OK)
        << "program " << i << " at " << bad;
    pfr::BpfJit jit;
    std::string err;
#if defined(__x86_64__)
    ASSERT_TRUE(jit.compile(progs[i].data(), uint32_t(progs[i].size()), err)) << err;
#else
    if (!jit.compile(progs[i].data(), uint32_t(progs[i].size()), err)) continue;
#endif
    for (const Bytes &pkt : pkts)
      for (uint32_t extra : {0u, 5u})
        EXPECT_EQ(jit.run(pkt.data(), uint32_t(pkt.size()) + extra, uint32_t(pkt.size())),
                  interpret(progs[i], pkt, uint32_t(pkt.size()) + extra))
            << "program " << i << ", packet of " << pkt.size();
  }
}

TEST(BpfJit, ALargeUnoptimizedFilterMatchesAsLibpcap) {
  std::string expr = ored_hosts(300);
  pfr::BpfFilter f;
  std::string err;
  ASSERT_TRUE(f.set(expr, 65535, err)) << err;
#if defined(__x86_64__)
  EXPECT_TRUE(f.native());
#endif
  for (uint32_t host = 1; host < 260; host += 7) {
    Bytes frame(54, 0);
    frame[12] = 0x08;
    frame[14] = 0x45;
    frame[23] = 6;
    uint8_t src[4] = {10, 0, uint8_t(host / 250), uint8_t(host % 250)};
    std::memcpy(&frame[26], src, 4);
    uint32_t want = bpf_filter(f.program()->bf_insns, frame.data(), 54, 54);
    EXPECT_EQ(f.match(frame.data(), 54, 54), want != 0) << host;
  }
}

}  // namespace
