// shared_mem.h - stand-in for a shared mapping in the core queue tests: n
// bytes, 64-byte aligned, filled with 0xAB so that nothing relies on
// zeroed memory, viewed as the queue header type T.
#pragma once

#include <cstdlib>
#include <cstring>

namespace ut {

template <typename T>
struct SharedMem {
  explicit SharedMem(size_t n) : bytes(n) {
    p = static_cast<T *>(std::aligned_alloc(64, (n + 63) / 64 * 64));
    std::memset(static_cast<void *>(p), 0xAB, n);
  }
  ~SharedMem() { std::free(p); }
  SharedMem(const SharedMem &) = delete;
  SharedMem &operator=(const SharedMem &) = delete;
  size_t bytes;
  T *p;
};

}  // namespace ut
