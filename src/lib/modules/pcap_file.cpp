// pcap_file.cpp - classic pcap records, bounds-checked.
#include "pcap_file.h"

#include <cstdio>
#include <cstring>

namespace pfr {

namespace {
constexpr size_t kGlobalHeader = 24;
constexpr size_t kRecordHeader = 16;
constexpr uint32_t kMagicUs = 0xa1b2c3d4u;
constexpr uint32_t kMagicNs = 0xa1b23c4du;
constexpr uint32_t kPcapngShb = 0x0a0d0d0au;

uint32_t bswap32(uint32_t v) { return __builtin_bswap32(v); }
}  // namespace

bool PcapFileReader::is_pcapng(const uint8_t *data, size_t size) {
  if (size < 4) return false;
  uint32_t m;
  std::memcpy(&m, data, 4);
  return m == kPcapngShb;
}

uint32_t PcapFileReader::rd32(size_t off) const {
  uint32_t v;
  std::memcpy(&v, base_ + off, 4);
  return swapped_ ? bswap32(v) : v;
}

bool PcapFileReader::open(const uint8_t *data, size_t size, std::string &err) {
  base_ = data;
  size_ = size;
  off_ = kGlobalHeader;
  records_ = 0;
  if (size == 0) {
    err = "file is empty (no pcap header)";
    return false;
  }
  if (size < kGlobalHeader) {
    err = "file is " + std::to_string(size) + " bytes, shorter than a pcap header (24 bytes)";
    return false;
  }
  uint32_t magic;
  std::memcpy(&magic, data, 4);
  if (magic == kMagicUs || magic == kMagicNs) {
    swapped_ = false;
  } else if (bswap32(magic) == kMagicUs || bswap32(magic) == kMagicNs) {
    swapped_ = true;
    magic = bswap32(magic);
  } else {
    char hex[16];
    snprintf(hex, sizeof(hex), "0x%08x", magic);
    err = std::string("not a pcap or pcapng file (magic ") + hex + ")";
    return false;
  }
  nsec_ = magic == kMagicNs;
  uint16_t major, minor;
  std::memcpy(&major, data + 4, 2);
  std::memcpy(&minor, data + 6, 2);
  if (swapped_) {
    major = __builtin_bswap16(major);
    minor = __builtin_bswap16(minor);
  }
  if (major != 2) {
    err = "unsupported pcap version " + std::to_string(major) + "." + std::to_string(minor);
    return false;
  }
  snaplen_ = rd32(16);
  // The link type's low 16 bits; the upper bits may carry FCS information.
  linktype_ = rd32(20) & 0xffffu;
  // As libpcap does: a zero or huge snaplen means the maximum.
  effective_snaplen_ = (snaplen_ == 0 || snaplen_ > kMaxSnaplen) ? kMaxSnaplen : snaplen_;
  return true;
}

int PcapFileReader::parse_record(size_t off, uint32_t *caplen, uint32_t *len, uint64_t *ts_ns, size_t *next_off,
                                 std::string &err) const {
  if (off == size_) return 0;
  std::string where = "record " + std::to_string(records_ + 1) + " at offset " + std::to_string(off);
  if (size_ - off < kRecordHeader) {
    err = where + ": truncated record header (" + std::to_string(size_ - off) + " of 16 bytes)";
    return -1;
  }
  uint32_t sec = rd32(off), frac = rd32(off + 4), incl = rd32(off + 8), orig = rd32(off + 12);
  if (incl > kMaxSnaplen) {
    err = where + ": captured length " + std::to_string(incl) + " exceeds the maximum of " +
          std::to_string(kMaxSnaplen) + " (corrupt file)";
    return -1;
  }
  if (size_ - off - kRecordHeader < incl) {
    err = where + ": truncated packet data (" + std::to_string(size_ - off - kRecordHeader) + " of " +
          std::to_string(incl) + " bytes)";
    return -1;
  }
  *caplen = incl > effective_snaplen_ ? effective_snaplen_ : incl;
  *len = orig;
  *ts_ns = static_cast<uint64_t>(sec) * 1000000000ull + static_cast<uint64_t>(frac) * (nsec_ ? 1ull : 1000ull);
  *next_off = off + kRecordHeader + incl;
  return 1;
}

int PcapFileReader::next(const uint8_t **data, uint32_t *caplen, uint32_t *len, uint64_t *ts_ns,
                         std::string &err) {
  size_t next_off = 0;
  int rc = parse_record(off_, caplen, len, ts_ns, &next_off, err);
  if (rc <= 0) return rc;
  *data = base_ + off_ + kRecordHeader;
  off_ = next_off;
  records_++;
  return 1;
}

int PcapFileReader::peek_ts(uint64_t *ts_ns, std::string &err) const {
  uint32_t c, l;
  size_t n;
  return parse_record(off_, &c, &l, ts_ns, &n, err);
}

}  // namespace pfr
