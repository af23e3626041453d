// seeds_parse.cpp - writes the seed corpus of fuzz_parse: one well-formed
// packet per header type the parser knows, so the fuzzer starts at the
// tunnels instead of having to find UDP port 2152 by itself.
//
//   fuzz_parse_seeds OUTPUT_DIR
#include <cstdio>
#include <string>
#include <vector>

#include "unit/pkt_builder.h"

using pktb::Builder;
using pktb::Bytes;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  const pktb::Mac d = {0, 1, 2, 3, 4, 5}, s = {6, 7, 8, 9, 10, 11};
  const pktb::Ip6 a6 = pktb::ip6({0x2001, 0xDB8, 0, 0, 0, 0, 0, 1});
  const pktb::Ip6 b6 = pktb::ip6({0x2001, 0xDB8, 0, 0, 0, 0, 0, 2});
  const uint32_t a4 = 0x0A000001, b4 = 0x0A000002;
  pktb::Ipv4Opts opts;
  opts.options.assign(8, 1);
  pktb::Ipv4Opts later;
  later.frag_offset = 100;
  later.more_fragments = true;

  std::vector<Bytes> seeds = {
      Builder().macs(d, s).tag(0x8100, 5).type(0x0800).ipv4(a4, b4, 6, opts)
          .tcp(1, 2, 3, 4, 0x18, 4).payload(4).done(),
      Builder().macs(d, s).tag(0x88A8, 1).tag(0x9100, 2).type(0x86DD).ipv6(a6, b6, 0)
          .ext6(43, 8).ext6(60, 16).ext6(51, 8).ah(44, 16).frag6(17, 0, true).udp(3, 4).done(),
      Builder().eth(d, s, 0x0800).ipv4(a4, b4, 17, later).payload(16).done(),
      Builder().eth(d, s, 0x0800).ipv4(a4, b4, 17).udp(2152, 2152)
          .gtpu(7, 0xFF, 1u, {}, {{0x85, 1}}).ipv4(b4, a4, 17).udp(5, 6).done(),
      Builder().eth(d, s, 0x86DD).ipv6(a6, b6, 17).udp(2152, 2152).gtpu(8)
          .ipv6(b6, a6, 6).tcp(7, 8, 0, 0, 2).done(),
      Builder().eth(d, s, 0x0800).ipv4(a4, b4, 17).udp(9, 4789).vxlan(9).macs(s, d)
          .tag(0x8100, 3).type(0x0800).ipv4(b4, a4, 6).tcp(9, 10, 0, 0, 2).done(),
      Builder().eth(d, s, 0x0800).ipv4(a4, b4, 47).gre(0x0800, 10u, true, 11u)
          .ipv4(b4, a4, 132).sctp(11, 12).done(),
      Builder().eth(d, s, 0x86DD).ipv6(a6, b6, 47).gre(0x6558, 12u).eth(s, d, 0x86DD)
          .ipv6(b6, a6, 17).udp(13, 14).done(),
      Builder().eth(d, s, 0x0800).ipv4(a4, b4, 47).u16(0x3081).u16(0x880B).u16(0).u16(1)
          .u32(1).u32(2).done(),
      Builder().eth(d, s, 0x0800).ipv4(a4, b4, 1).icmp(8, 0).done(),
      Builder().eth(d, s, 0x86DD).ipv6(a6, b6, 58).icmp(135, 0).done(),
      Builder().eth(d, s, 0x0806).payload(28).done(),
  };
  for (size_t i = 0; i < seeds.size(); i++) {
    std::string path = std::string(argv[1]) + "/seed_" + std::to_string(i);
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f || std::fwrite(seeds[i].data(), 1, seeds[i].size(), f) != seeds[i].size()) {
      std::perror(path.c_str());
      return 1;
    }
    std::fclose(f);
  }
  return 0;
}
