// capture_image.h - a capture file's bytes at stable addresses in private
// memory, read in as the reader gets to them.
//
// Why not mmap the file: a mapped file that shrinks while it is read (log
// rotation, `tcpdump -C`, copytruncate) raises SIGBUS on the next access
// beyond its new end; a library must not crash its caller for that. So the
// pcap: and sim: readers pread() chunks into memory of their own ahead of
// the parser: the bytes are ours once read, and a shrink shows up as an
// early end of file (shrank() says so, with the size now). Two layouts:
//  - whole (window 0; sim:): anonymous memory the size the file had at
//    open, filled as the replay goes; a byte's address never changes, so
//    the NIC may lend frames for as long as the image lives;
//  - window (pcap:): one buffer of a few MiB that stays in cache; bytes
//    below release_before() (what the application is done with) are
//    dropped to make room, and addresses move when that happens
//    (at(off) is valid until the next ensure()).
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
  // reserves the memory: the whole file (window 0) or a window of that
  // many bytes. Returns true, or false with err.
  bool open(int fd, size_t size, size_t window, std::string &err);

  // Makes bytes [.., end) present (end is capped at size()); returns the
  // file offset up to which bytes are present now: below end only when the
  // file ended early (it shrank), a read failed (read_error()), or the
  // window is full of bytes not released yet (starved()).
  size_t ensure(size_t end) { return end <= loaded_ ? loaded_ : load(end); }
  // The last ensure() stopped because the window had no room.
  bool starved() const { return starved_; }

  // The byte at file offset off (present: below ensure()'s result and, in
  // a window, at or above the last release_before()).
  const uint8_t *at(size_t off) const { return base_ + (off - start_); }
  size_t size() const { return size_; }
  size_t loaded() const { return loaded_; }
  // The file ended before size(): it was truncated after open. file_size()
  // is its size when that was seen.
  bool shrank() const { return shrank_; }
  uint64_t file_size() const { return file_size_; }
  const std::string &read_error() const { return read_error_; }

  // The bytes below file offset off will not be used again: a window may
  // drop them (whole images keep everything). Unpins the window.
  void release_before(size_t off) {
    keep_from_ = off > keep_from_ ? off : keep_from_;
    pinned_ = false;
  }
  // Bytes at or above the release point have been handed out (a burst is
  // in progress): the window must not move them; ensure() starves
  // instead, until the next release_before().
  void pin() { pinned_ = true; }

 private:
  size_t load(size_t end);
  void slide();

  int fd_ = -1;
  uint8_t *base_ = nullptr;  // the byte at file offset start_
  size_t size_ = 0, map_bytes_ = 0, loaded_ = 0;
  size_t window_ = 0, start_ = 0, keep_from_ = 0;
  bool starved_ = false, pinned_ = false;
  bool shrank_ = false;
  uint64_t file_size_ = 0;
  std::string read_error_;
};

}  // namespace pfr
