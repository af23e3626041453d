// capture_image.h - a capture file's bytes at stable addresses in private
// memory, read in as the reader gets to them.
//
// Why not mmap the file: a mapped file that shrinks while it is read (log
// rotation, `tcpdump -C`, copytruncate) raises SIGBUS on the next access
// beyond its new end; a library must not crash its caller for that. So the
// pcap: and sim: readers reserve anonymous memory the size the file had at
// open and pread() chunks into it ahead of the parser: the bytes are ours
// once read, a shrink shows up as an early end of file (shrank() says so,
// with the size now), and record pointers stay valid as long as the image
// lives (sim: lends them to the NIC) or until release_before() (pcap:
// gives back what the application is done with, so a large file does not
// stay resident).
//
// The file is read up to the size it had at open: bytes appended later
// are not read (a growing capture is replayed as it was when opened).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace pfr {

class CaptureImage {
 public:
  CaptureImage() = default;
  ~CaptureImage();
  CaptureImage(const CaptureImage &) = delete;
  CaptureImage &operator=(const CaptureImage &) = delete;

  // Takes fd (a regular file of size bytes; closed by the destructor) and
  // reserves the memory. Returns true, or false with err.
  bool open(int fd, size_t size, std::string &err);

  // Makes bytes [0, end) present (end is capped at size()); returns how
  // many bytes are present now: fewer than asked only when the file ended
  // early (it shrank) or a read failed (read_error()).
  size_t ensure(size_t end) { return end <= loaded_ ? loaded_ : load(end); }

  const uint8_t *data() const { return base_; }
  size_t size() const { return size_; }
  size_t loaded() const { return loaded_; }
  // The file ended before size(): it was truncated after open. file_size()
  // is its size when that was seen.
  bool shrank() const { return shrank_; }
  uint64_t file_size() const { return file_size_; }
  const std::string &read_error() const { return read_error_; }

  // Gives back the memory of whole pages below off (their bytes must not be
  // used again).
  void release_before(size_t off);

 private:
  size_t load(size_t end);

  int fd_ = -1;
  uint8_t *base_ = nullptr;
  size_t size_ = 0, map_bytes_ = 0, loaded_ = 0, released_ = 0;
  bool shrank_ = false;
  uint64_t file_size_ = 0;
  std::string read_error_;
};

}  // namespace pfr
