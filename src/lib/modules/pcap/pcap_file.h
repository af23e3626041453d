// pcap_file.h - a zero-copy reader of classic pcap files held in memory
// (an mmap of the file, or a fuzzer's buffer). Every length in the file is
// checked against the bytes present; a bad record is reported after the
// last good one and never read past.
//
// File format: a 24-byte global header (magic 0xa1b2c3d4 for us or
// 0xa1b23c4d for ns timestamps, in either byte order; version 2.x;
// snaplen; link type) then records of a 16-byte header (seconds,
// fraction, captured length, wire length) and the captured bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace pfr {

class CaptureImage;

class PcapFileReader {
 public:
  // Largest captured length accepted (libpcap's limit for Ethernet).
  static constexpr uint32_t kMaxSnaplen = 262144;

  // Magic of a pcapng section header block (the caller hands those to libpcap).
  static bool is_pcapng(const uint8_t *data, size_t size);

  // Checks the global header. true, or false with err saying what is wrong.
  bool open(const uint8_t *data, size_t size, std::string &err);
  // The same over a capture read in as the reader goes (capture_image.h):
  // a file that shrank ends with an error naming its new size and the
  // record, never a crash.
  bool open(CaptureImage *image, std::string &err);

  // Next record: 1 with the fields set (data points into the buffer),
  // 0 at a clean end of file, -1 for a truncated or corrupt record (err
  // says which record, at which offset, and why), 2 (a windowed image
  // only) when the record does not fit before the records handed out are
  // released: end the burst, release, and call again. Records of wire length
  // 0 (no frame) are skipped and counted; a captured length above the wire
  // length is cut to it and counted (accept()).
  int next(const uint8_t **data, uint32_t *caplen, uint32_t *len, uint64_t *ts_ns, std::string &err);

  // Timestamp of the next record without consuming it: 1, 0 (end), -1
  // (corrupt). Zero-length records before it are skipped (as next() would).
  int peek_ts(uint64_t *ts_ns, std::string &err);

  // ---- incremental use (pipes): the caller holds the bytes ----
  struct Record {
    const uint8_t *data;
    uint32_t caplen, len;
    uint64_t ts_ns;
    size_t size;  // header + captured bytes
  };
  // Checks a 24-byte global header (as open() does) without a buffer.
  bool open_header(const uint8_t *hdr, size_t size, std::string &err);
  // The record at p with avail bytes: 1 complete (rec set), 0 incomplete
  // (more bytes are needed), -1 corrupt (err says why). index is the
  // record's number, for the message.
  int parse_at(const uint8_t *p, size_t avail, uint64_t index, Record *rec, std::string &err) const;
  void count_record() { records_++; }
  // The policy for every reader (file, stream, pcapng through libpcap):
  // false for a record of wire length 0 (skip it; counted), else true with
  // *caplen cut to len when it claims more (counted).
  bool accept(uint32_t len, uint32_t *caplen) {
    if (len == 0) {
      skipped_++;
      return false;
    }
    if (*caplen > len) {
      *caplen = len;
      clamped_++;
    }
    return true;
  }
  uint64_t skipped_records() const { return skipped_; }
  uint64_t clamped_records() const { return clamped_; }
  // The two counters as JSON members for a module's device stats:
  // "skipped_records":N,"clamped_records":M
  std::string policy_json() const {
    return "\"skipped_records\":" + std::to_string(skipped_) + ",\"clamped_records\":" + std::to_string(clamped_);
  }

  uint32_t linktype() const { return linktype_; }
  uint32_t snaplen() const { return snaplen_; }
  bool nanosecond() const { return nsec_; }
  uint64_t records_read() const { return records_; }
  size_t offset() const { return off_; }  // of the next record

 private:
  uint32_t rd32(size_t off) const;
  uint32_t rd32(const uint8_t *p) const;
  int parse_record(size_t off, Record *rec, std::string &err) const;
  bool load_record(size_t off);
  const uint8_t *ptr(size_t off) const;
  std::string shrink_message(size_t off) const;

  const uint8_t *base_ = nullptr;
  size_t size_ = 0;
  size_t off_ = 0;
  size_t prefetched_ = 0;  // next byte offset to prefetch (see next())
  bool swapped_ = false;
  bool nsec_ = false;
  uint32_t snaplen_ = 0;
  uint32_t effective_snaplen_ = kMaxSnaplen;
  uint32_t linktype_ = 0;
  uint64_t records_ = 0;
  uint64_t skipped_ = 0, clamped_ = 0;
  CaptureImage *image_ = nullptr;  // bytes read in on demand (else all of base_ is there)
  size_t open_size_ = 0;           // the file's size at open
};

}  // namespace pfr
