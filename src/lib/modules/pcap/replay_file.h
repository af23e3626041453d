// replay_file.h - opening a capture file that a software NIC replays
// (sim:FILE, dna:model:igb:FILE): a non-empty regular file, classic pcap
// (not pcapng), Ethernet, read in whole as the replay goes (capture_image.h,
// window 0), so frames lent from it stay valid as long as the image lives.
#pragma once

#include <string>

#include "modules/pcap/capture_image.h"
#include "modules/pcap/pcap_file.h"

namespace pfr {

// true with image and reader ready at the first record; false with *code
// (PF_RING_ERROR_*), *errnum and err naming the file and what is wrong.
// who ("sim:", "dna:") is named in the pcapng message.
bool open_replay_file(const std::string &path, const char *who, CaptureImage &image, PcapFileReader &reader,
                      int *code, int *errnum, std::string &err);

}  // namespace pfr
