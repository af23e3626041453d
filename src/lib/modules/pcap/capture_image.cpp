// capture_image.cpp - see capture_image.h.
#include "modules/pcap/capture_image.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pfr {

namespace {
constexpr size_t kChunk = 256u << 10;  // bytes read ahead per pread (stays in L2 with the window)
constexpr size_t kPage = 4096;
}  // namespace

CaptureImage::~CaptureImage() {
  if (base_) munmap(base_, map_bytes_);
  if (fd_ >= 0) ::close(fd_);
}

bool CaptureImage::open(int fd, size_t size, size_t window, std::string &err) {
  fd_ = fd;
  size_ = size;
  file_size_ = size;
  window_ = window;
  size_t bytes = window ? window : size;
  map_bytes_ = bytes == 0 ? kPage : (bytes + kPage - 1) / kPage * kPage;
  // Backed only where bytes are read in: a large capture costs address
  // space, and memory only for what has been read.
  void *m = mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED) {
    err = std::string("cannot reserve ") + std::to_string(map_bytes_) + " bytes for the capture: " + strerror(errno);
    return false;
  }
  base_ = static_cast<uint8_t *>(m);
  // A whole image is written once, front to back: 2 MiB pages take a
  // fault per 2 MiB instead of per 4 KiB (where THP is on).
  if (!window) madvise(base_, map_bytes_, MADV_HUGEPAGE);
  return true;
}

// Window: moves what is still wanted ([keep_from_, loaded_)) to the front.
void CaptureImage::slide() {
  size_t from = keep_from_ < loaded_ ? keep_from_ : loaded_;
  if (from <= start_) return;
  std::memmove(base_, base_ + (from - start_), loaded_ - from);
  start_ = from;
}

size_t CaptureImage::load(size_t end) {
  if (end > size_) end = size_;
  starved_ = false;
  while (loaded_ < end && !shrank_ && read_error_.empty()) {
    size_t want = end - loaded_ < kChunk ? kChunk : end - loaded_;
    if (want > size_ - loaded_) want = size_ - loaded_;
    if (window_) {
      size_t room = window_ - (loaded_ - start_);
      if (room < want && !pinned_) {
        slide();
        room = window_ - (loaded_ - start_);
      }
      if (room < end - loaded_) {
        starved_ = true;  // the caller releases what it handed out, then asks again
        break;
      }
      if (want > room) want = room;
    }
    ssize_t n = pread(fd_, base_ + (loaded_ - start_), want, static_cast<off_t>(loaded_));
    if (n < 0) {
      if (errno == EINTR) continue;
      read_error_ = strerror(errno);
      break;
    }
    if (n == 0) {
      // end of file before the size at open: the file was cut
      struct stat st;
      file_size_ = fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : loaded_;
      shrank_ = true;
      break;
    }
    loaded_ += static_cast<size_t>(n);
  }
  return loaded_;
}

}  // namespace pfr
