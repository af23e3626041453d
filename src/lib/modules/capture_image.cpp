// capture_image.cpp - see capture_image.h.
#include "modules/capture_image.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pfr {

namespace {
constexpr size_t kChunk = 1u << 20;  // bytes read ahead per pread
constexpr size_t kPage = 4096;
}  // namespace

CaptureImage::~CaptureImage() {
  if (base_) munmap(base_, map_bytes_);
  if (fd_ >= 0) ::close(fd_);
}

bool CaptureImage::open(int fd, size_t size, std::string &err) {
  fd_ = fd;
  size_ = size;
  file_size_ = size;
  map_bytes_ = size == 0 ? kPage : (size + kPage - 1) / kPage * kPage;
  // Backed only where bytes are read in: a large capture costs address
  // space, and memory only for what has been read and not released.
  void *m = mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED) {
    err = std::string("cannot reserve ") + std::to_string(size) + " bytes for the capture: " + strerror(errno);
    return false;
  }
  base_ = static_cast<uint8_t *>(m);
  return true;
}

size_t CaptureImage::load(size_t end) {
  if (end > size_) end = size_;
  while (loaded_ < end && !shrank_ && read_error_.empty()) {
    size_t want = end - loaded_ < kChunk ? kChunk : end - loaded_;
    if (want > size_ - loaded_) want = size_ - loaded_;
    ssize_t n = pread(fd_, base_ + loaded_, want, static_cast<off_t>(loaded_));
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

void CaptureImage::release_before(size_t off) {
  size_t upto = off / kPage * kPage;
  if (upto <= released_ + 8 * kChunk) return;  // in large steps: madvise is a system call
  madvise(base_ + released_, upto - released_, MADV_DONTNEED);
  released_ = upto;
}

}  // namespace pfr
