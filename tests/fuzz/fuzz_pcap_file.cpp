// fuzz_pcap_file.cpp - the pcap module's file reader (PcapFileReader) on
// arbitrary bytes: it must accept or reject the header, then walk the
// records without reading outside the buffer, and stop for good at the
// first bad record. The input is copied to an exact-size heap buffer so
// ASan sees any overread. The same bytes are then read as a file through
// a small read window (capture_image.h, as pcap: reads regular files):
// the same records, the same bytes, the same end.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "modules/pcap/capture_image.h"
#include "modules/pcap/pcap_file.h"

namespace {

struct Seen {
  uint32_t caplen, len;
  uint64_t ts, sum;
};

uint64_t sum_of(const uint8_t *p, uint32_t n) {
  uint64_t s = n;
  for (uint32_t i = 0; i < n; i++) s = s * 31 + p[i];
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::vector<uint8_t> buf(data, data + size);
  pfr::PcapFileReader r;
  std::string err;
  if (!r.open(buf.data(), buf.size(), err)) {
    if (err.empty()) abort();  // a rejection always says why
    return 0;
  }
  std::vector<Seen> seen;
  int end = 0;
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
      end = rc;
      break;
    }
    if (ts != peek_ts) abort();
    if (pkt < buf.data() || pkt + caplen > buf.data() + buf.size()) abort();
    if (len == 0 || caplen > len) abort();  // zero-length records skipped, caplen cut to len
    seen.push_back({caplen, len, ts, sum_of(pkt, caplen)});
    if (r.records_read() <= last_records) abort();
    last_records = r.records_read();
  }

  // The same bytes as a file, through a window a little larger than the
  // largest record.
  int fd = memfd_create("fuzz_pcap", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (write(fd, data, size) != ssize_t(size)) {
    close(fd);
    return 0;
  }
  pfr::CaptureImage img;
  if (!img.open(fd, size, 2 * pfr::PcapFileReader::kMaxSnaplen + 4096, err)) abort();
  pfr::PcapFileReader w;
  if (!w.open(&img, err)) abort();  // the memory reader accepted the header
  for (size_t i = 0;; i++) {
    img.release_before(w.offset());  // a burst of one: the last packet is done with
    const uint8_t *pkt;
    uint32_t caplen, len;
    uint64_t ts;
    int rc = w.next(&pkt, &caplen, &len, &ts, err);
    if (rc == 2) abort();  // released: the window always has room for one record
    if (rc <= 0) {
      if (rc != end || i != seen.size()) abort();
      break;
    }
    img.pin();
    if (i >= seen.size()) abort();
    const Seen &s = seen[i];
    if (caplen != s.caplen || len != s.len || ts != s.ts || sum_of(pkt, caplen) != s.sum) abort();
  }
  return 0;
}
