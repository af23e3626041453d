// linktype.h - naming a capture's link type in messages. A classic pcap
// file stores a LINKTYPE_ value, libpcap (pcapng files) reports a DLT_
// value; they differ for a few types (LINKTYPE_RAW 101 is DLT_RAW 12 on
// Linux). Messages give the LINKTYPE number and libpcap's name, whichever
// reader found it.
#pragma once

#include <cstdint>
#include <string>

namespace pfr {

// The LINKTYPE_ value of a libpcap DLT_ value.
uint32_t linktype_of_dlt(int dlt);

// "101 (RAW)": a LINKTYPE_ value and libpcap's name for it.
std::string linktype_text(uint32_t linktype);

}  // namespace pfr
