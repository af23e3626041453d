// guide_api.cpp - the C++ interface (guide 8.15) from an installed tree,
// found with find_package(pfring): counts the capture's packets.
#include <pfring.hpp>

#include <cstdio>
#include <string>

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  PFring ring(("pcap:" + std::string(argv[1])).c_str(), 1536, 0);
  if (!ring.is_open()) return 1;
  struct pfring_pkthdr hdr;
  u_char *buf;
  unsigned n = 0;
  while (ring.get_next_packet(&hdr, &buf, 0) > 0) n++;
  pfring_stat st;
  if (ring.get_stats(&st) != 0 || st.recv != n || n == 0) return 1;
  std::printf("guide_api_cpp: %u packets\n", n);
  return 0;
}
