// pcap_writer.h - writes capture files for the tests, byte by byte, so a
// test controls every field: classic pcap with microsecond or nanosecond
// timestamps in either byte order (any version, snaplen, link type), and a
// minimal pcapng (SHB + IDB with if_tsresol + EPBs), which libpcap can read
// but not write.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "unit_util.h"

namespace pw {

using Bytes = std::vector<uint8_t>;

struct Record {
  Bytes data;            // the captured bytes written to the file
  uint64_t ts_ns = 0;    // arrival time
  uint32_t orig_len = 0; // wire length; 0 means data.size()
  uint32_t wire_len() const { return orig_len ? orig_len : uint32_t(data.size()); }
};

struct PcapOptions {
  bool nsec = false;     // 0xa1b23c4d magic, fraction in ns
  bool swapped = false;  // written in the other byte order
  uint16_t major = 2, minor = 4;
  uint32_t snaplen = 65535;
  uint32_t linktype = 1;  // DLT_EN10MB
};

namespace detail {
inline void le16(Bytes &b, uint16_t v) {
  b.push_back(uint8_t(v));
  b.push_back(uint8_t(v >> 8));
}
inline void le32(Bytes &b, uint32_t v) {
  le16(b, uint16_t(v));
  le16(b, uint16_t(v >> 16));
}
// 16/32-bit fields in the file's byte order (little endian, or big when swapped).
inline void f16(Bytes &b, uint16_t v, bool swapped) {
  if (swapped) {
    b.push_back(uint8_t(v >> 8));
    b.push_back(uint8_t(v));
  } else {
    le16(b, v);
  }
}
inline void f32(Bytes &b, uint32_t v, bool swapped) {
  if (swapped) {
    f16(b, uint16_t(v >> 16), true);
    f16(b, uint16_t(v), true);
  } else {
    le32(b, v);
  }
}
}  // namespace detail

// The 24-byte global header.
inline Bytes pcap_header(const PcapOptions &o = {}) {
  Bytes b;
  detail::f32(b, o.nsec ? 0xa1b23c4du : 0xa1b2c3d4u, o.swapped);
  detail::f16(b, o.major, o.swapped);
  detail::f16(b, o.minor, o.swapped);
  detail::f32(b, 0, o.swapped);  // thiszone
  detail::f32(b, 0, o.swapped);  // sigfigs
  detail::f32(b, o.snaplen, o.swapped);
  detail::f32(b, o.linktype, o.swapped);
  return b;
}

// Appends one record; incl_len overrides the captured-length field (the
// bytes written are still r.data).
inline void append_record(Bytes &b, const Record &r, const PcapOptions &o = {}, int64_t incl_len = -1) {
  uint32_t sec = uint32_t(r.ts_ns / 1000000000ull);
  uint32_t frac = uint32_t(r.ts_ns % 1000000000ull);
  if (!o.nsec) frac /= 1000;
  detail::f32(b, sec, o.swapped);
  detail::f32(b, frac, o.swapped);
  detail::f32(b, incl_len >= 0 ? uint32_t(incl_len) : uint32_t(r.data.size()), o.swapped);
  detail::f32(b, r.wire_len(), o.swapped);
  b.insert(b.end(), r.data.begin(), r.data.end());
}

inline Bytes pcap_bytes(const std::vector<Record> &recs, const PcapOptions &o = {}) {
  Bytes b = pcap_header(o);
  for (const Record &r : recs) append_record(b, r, o);
  return b;
}

// Byte offset of each record header in pcap_bytes(recs), plus the end.
inline std::vector<size_t> pcap_offsets(const std::vector<Record> &recs) {
  std::vector<size_t> off;
  size_t pos = 24;
  for (const Record &r : recs) {
    off.push_back(pos);
    pos += 16 + r.data.size();
  }
  off.push_back(pos);
  return off;
}

// ---- pcapng (little endian) ------------------------------------------

// Section header block + one interface description block whose
// if_tsresol option is 10^-tsresol (9: nanoseconds).
inline Bytes pcapng_header(uint16_t linktype = 1, uint8_t tsresol = 9, uint32_t snaplen = 65535) {
  Bytes b;
  // SHB: type, length, byte-order magic, version 1.0, section length -1.
  detail::le32(b, 0x0A0D0D0Au);
  detail::le32(b, 28);
  detail::le32(b, 0x1A2B3C4Du);
  detail::le16(b, 1);
  detail::le16(b, 0);
  detail::le32(b, 0xFFFFFFFFu);
  detail::le32(b, 0xFFFFFFFFu);
  detail::le32(b, 28);
  // IDB with if_tsresol (code 9, length 1, padded) and opt_endofopt.
  detail::le32(b, 1);
  detail::le32(b, 32);
  detail::le16(b, linktype);
  detail::le16(b, 0);
  detail::le32(b, snaplen);
  detail::le16(b, 9);
  detail::le16(b, 1);
  b.push_back(tsresol);
  b.push_back(0);
  b.push_back(0);
  b.push_back(0);
  detail::le16(b, 0);
  detail::le16(b, 0);
  detail::le32(b, 32);
  return b;
}

// One enhanced packet block on interface 0; ts in units of the IDB's
// resolution (ns with the default header).
inline void append_epb(Bytes &b, const Record &r, uint64_t ts_units) {
  uint32_t pad = uint32_t((4 - r.data.size() % 4) % 4);
  uint32_t total = uint32_t(32 + r.data.size() + pad);
  detail::le32(b, 6);
  detail::le32(b, total);
  detail::le32(b, 0);
  detail::le32(b, uint32_t(ts_units >> 32));
  detail::le32(b, uint32_t(ts_units));
  detail::le32(b, uint32_t(r.data.size()));
  detail::le32(b, r.wire_len());
  b.insert(b.end(), r.data.begin(), r.data.end());
  b.insert(b.end(), pad, 0);
  detail::le32(b, total);
}

// A pcapng file with nanosecond timestamps.
inline Bytes pcapng_bytes(const std::vector<Record> &recs, uint16_t linktype = 1) {
  Bytes b = pcapng_header(linktype, 9);
  for (const Record &r : recs) append_epb(b, r, r.ts_ns);
  return b;
}

}  // namespace pw
