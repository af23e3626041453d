// linktype.cpp - see linktype.h.
#include "modules/pcap/linktype.h"

#include <pcap/pcap.h>

namespace pfr {

namespace {
// The DLT_/LINKTYPE_ pairs that differ on Linux (libpcap's pcap-common.c
// lists the same facts; the rest are equal).
struct Pair {
  int dlt;
  uint32_t linktype;
};
constexpr Pair kDiffer[] = {{11, 100}, {12, 101}, {15, 102}, {16, 103}, {19, 106}};
}  // namespace

uint32_t linktype_of_dlt(int dlt) {
  for (const Pair &p : kDiffer)
    if (p.dlt == dlt) return p.linktype;
  return static_cast<uint32_t>(dlt);
}

std::string linktype_text(uint32_t linktype) {
  int dlt = static_cast<int>(linktype);
  for (const Pair &p : kDiffer)
    if (p.linktype == linktype) dlt = p.dlt;
  const char *name = pcap_datalink_val_to_name(dlt);
  return std::to_string(linktype) + " (" + (name ? name : "unknown") + ")";
}

}  // namespace pfr
