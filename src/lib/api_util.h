// api_util.h - helpers for the C entry points: errno mapping, exception
// barrier (no C++ exception crosses the C ABI), reentrant locking.
#pragma once

#include <cerrno>
#include <mutex>
#include <new>
#include <string>

#include "handle.h"

namespace pfr {

// errno value for a PF_RING_ERROR_* code.
int errno_for(int code);

// Runs f() (returning int) for ring r: NULL ring -> INVALID_ARGUMENT;
// a negative result sets errno; exceptions become error codes.
template <class F>
int guarded(pfring *r, F &&f) {
  if (!r) {
    errno = EINVAL;
    return PF_RING_ERROR_INVALID_ARGUMENT;
  }
  try {
    int rc = f();
    if (rc < 0) errno = errno_for(rc);
    return rc;
  } catch (const std::bad_alloc &) {
    errno = ENOMEM;
    return r->fail(PF_RING_ERROR_NOT_ENOUGH_MEMORY, "out of memory");
  } catch (const std::exception &e) {
    errno = EIO;
    return r->fail(PF_RING_ERROR_GENERIC, std::string("internal error: ") + e.what());
  } catch (...) {
    errno = EIO;
    return r->fail(PF_RING_ERROR_GENERIC, "internal error");
  }
}

// Holds the ring's API lock when it was opened with PF_RING_REENTRANT.
class ReentrantLock {
 public:
  explicit ReentrantLock(pfring *r) : lk_(r->api_mutex, std::defer_lock) {
    if (r->flags & PF_RING_REENTRANT) lk_.lock();
  }

 private:
  std::unique_lock<std::mutex> lk_;
};

}  // namespace pfr

#define PFR_EXPORT extern "C" __attribute__((visibility("default")))
