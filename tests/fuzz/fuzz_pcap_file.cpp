// fuzz_pcap_file.cpp - the pcap module's file reader (PcapFileReader) on
// arbitrary bytes: it must accept or reject the header, then walk the
// records without reading outside the buffer, and stop for good at the
// first bad record. The input is copied to an exact-size heap buffer so
// ASan sees any overread.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "modules/pcap_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::vector<uint8_t> buf(data, data + size);
  pfr::PcapFileReader r;
  std::string err;
  if (!r.open(buf.data(), buf.size(), err)) {
    if (err.empty()) abort();  // a rejection always says why
    return 0;
  }
  uint64_t last_records = 0;
  for (;;) {
    const uint8_t *pkt;
    uint32_t caplen, len;
    uint64_t ts, peek_ts;
    std::string perr;
    int peek = r.peek_ts(&peek_ts, perr);
    int rc = r.next(&pkt, &caplen, &len, &ts, err);
    if (rc != peek) abort();  // peeking agrees with reading
    if (rc <= 0) {
      if (rc < 0 && err.empty()) abort();
      // The end is sticky.
      if (r.next(&pkt, &caplen, &len, &ts, err) != rc) abort();
      break;
    }
    if (ts != peek_ts) abort();
    if (pkt < buf.data() || pkt + caplen > buf.data() + buf.size()) abort();
    volatile uint8_t sink = 0;
    for (uint32_t i = 0; i < caplen; i++) sink ^= pkt[i];
    (void)sink;
    if (r.records_read() != ++last_records) abort();
  }
  return 0;
}
