// pcap_file.cpp - classic pcap records, bounds-checked.
#include "pcap_file.h"

#include "modules/pcap/capture_image.h"

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

uint32_t PcapFileReader::rd32(const uint8_t *p) const {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return swapped_ ? bswap32(v) : v;
}

const uint8_t *PcapFileReader::ptr(size_t off) const { return image_ ? image_->at(off) : base_ + off; }

uint32_t PcapFileReader::rd32(size_t off) const { return rd32(ptr(off)); }

bool PcapFileReader::open(const uint8_t *data, size_t size, std::string &err) {
  base_ = data;
  size_ = size;
  open_size_ = size;
  off_ = kGlobalHeader;
  return open_header(data, size, err);
}

bool PcapFileReader::open(CaptureImage *image, std::string &err) {
  image_ = image;
  size_t have = image->ensure(kGlobalHeader);
  if (image->shrank() && image->size() >= kGlobalHeader && have < kGlobalHeader) {
    err = "file shrank to " + std::to_string(image->file_size()) + " bytes while it was opened";
    return false;
  }
  if (!image->read_error().empty()) {
    err = "read failed: " + image->read_error();
    return false;
  }
  bool ok = open(image->at(0), have, err);
  open_size_ = image->size();
  return ok;
}

// Reads in (image_) the record at off: its header, then its bytes. false
// when a window must be released first.
bool PcapFileReader::load_record(size_t off) {
  // the common case: the largest record fits in what is already read
  if (image_->loaded() >= off + kRecordHeader + kMaxSnaplen) {
    size_ = image_->loaded();
    return true;
  }
  size_ = image_->ensure(off + kRecordHeader);
  if (size_ < off + kRecordHeader) return !image_->starved();
  uint32_t incl = rd32(off + 8);
  size_t end = off + kRecordHeader + (incl > kMaxSnaplen ? 0 : incl);
  size_ = image_->ensure(end);
  return size_ >= end || !image_->starved();
}

std::string PcapFileReader::shrink_message(size_t off) const {
  std::string m = "file shrank to " + std::to_string(image_->file_size()) + " bytes (it had " +
                  std::to_string(open_size_) + " at open) at record " + std::to_string(records_ + 1) +
                  ", offset " + std::to_string(off);
  if (!image_->read_error().empty()) m = "read failed at record " + std::to_string(records_ + 1) + ": " + image_->read_error();
  return m;
}

bool PcapFileReader::open_header(const uint8_t *data, size_t size, std::string &err) {
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
  snaplen_ = rd32(data + 16);
  // The link type's low 16 bits; the upper bits may carry FCS information.
  linktype_ = rd32(data + 20) & 0xffffu;
  // As libpcap does: a zero or huge snaplen means the maximum.
  effective_snaplen_ = (snaplen_ == 0 || snaplen_ > kMaxSnaplen) ? kMaxSnaplen : snaplen_;
  return true;
}

int PcapFileReader::parse_at(const uint8_t *p, size_t avail, uint64_t index, Record *rec,
                             std::string &err) const {
  if (avail < kRecordHeader) return 0;
  uint32_t sec = rd32(p), frac = rd32(p + 4), incl = rd32(p + 8), orig = rd32(p + 12);
  if (incl > kMaxSnaplen) {
    err = "record " + std::to_string(index) + ": captured length " + std::to_string(incl) +
          " exceeds the maximum of " + std::to_string(kMaxSnaplen) + " (corrupt file)";
    return -1;
  }
  if (avail - kRecordHeader < incl) return 0;
  rec->data = p + kRecordHeader;
  // As libpcap does: bytes beyond the file's snaplen are skipped.
  rec->caplen = incl > effective_snaplen_ ? effective_snaplen_ : incl;
  rec->len = orig;
  rec->ts_ns = static_cast<uint64_t>(sec) * 1000000000ull + static_cast<uint64_t>(frac) * (nsec_ ? 1ull : 1000ull);
  rec->size = kRecordHeader + incl;
  return 1;
}

int PcapFileReader::parse_record(size_t off, Record *rec, std::string &err) const {
  bool cut = image_ && (image_->shrank() || !image_->read_error().empty());
  if (off == size_) {
    if (!cut) return 0;
    err = shrink_message(off);
    return -1;
  }
  size_t avail = size_ - off;
  std::string why;
  int rc = parse_at(ptr(off), avail, records_ + 1, rec, why);
  if (rc > 0) return 1;
  std::string where = "record " + std::to_string(records_ + 1) + " at offset " + std::to_string(off);
  if (cut && size_ < open_size_ && rc == 0) {
    err = shrink_message(off);
  } else if (rc < 0) {
    err = where + why.substr(why.find(':'));
  } else if (avail < kRecordHeader) {
    err = where + ": truncated record header (" + std::to_string(avail) + " of 16 bytes)";
  } else {
    err = where + ": truncated packet data (" + std::to_string(avail - kRecordHeader) + " of " +
          std::to_string(rd32(off + 8)) + " bytes)";
  }
  return -1;
}

int PcapFileReader::next(const uint8_t **data, uint32_t *caplen, uint32_t *len, uint64_t *ts_ns,
                         std::string &err) {
  // Finding a record needs the previous record's length: a chain of
  // dependent loads that the CPU cannot run ahead of. Prefetching the file
  // a few KiB ahead turns it into a stream (the file is read in order).
  constexpr size_t kAhead = 4096;
  for (;;) {
    if (image_ && !load_record(off_)) return 2;
    if (prefetched_ < off_) prefetched_ = off_;
    size_t until = off_ + kAhead < size_ ? off_ + kAhead : size_;
    for (; prefetched_ < until; prefetched_ += 64) __builtin_prefetch(ptr(prefetched_));
    Record rec;
    int rc = parse_record(off_, &rec, err);
    if (rc <= 0) return rc;
    off_ += rec.size;
    records_++;
    if (!accept(rec.len, &rec.caplen)) continue;
    *data = rec.data;
    *caplen = rec.caplen;
    *len = rec.len;
    *ts_ns = rec.ts_ns;
    return 1;
  }
}

int PcapFileReader::peek_ts(uint64_t *ts_ns, std::string &err) {
  for (;;) {
    if (image_ && !load_record(off_)) return 0;  // a window waits for a release: nothing to peek yet
    Record rec;
    int rc = parse_record(off_, &rec, err);
    if (rc <= 0) return rc;
    if (rec.len == 0) {  // skipped by next() as well
      off_ += rec.size;
      records_++;
      skipped_++;
      continue;
    }
    *ts_ns = rec.ts_ns;
    return 1;
  }
}

}  // namespace pfr
