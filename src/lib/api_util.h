// api_util.h - helpers for the C entry points: errno mapping, exception
// barrier (no C++ exception crosses the C ABI), reentrant locking.
#pragma once

#include <cerrno>
#include <mutex>
#include <new>
#include <string>
#include <type_traits>

#include "handle.h"

namespace pfr {

// errno value for a PF_RING_ERROR_* code.
int errno_for(int code);

// A call in progress on a ring, counted so that pfring_close (another
// thread) waits for it before freeing the handle. On a PF_RING_REENTRANT
// ring every call is counted from its start; on others (one thread at a
// time, by the API's contract) only calls that wait - a receive once it
// waits for traffic, pfring_loop, pfring_poll - so the common pattern
// "pfring_breakloop or pfring_shutdown, then pfring_close from another
// thread" is safe at no cost to the per-packet path. A thread that closes
// the ring inside one of its own calls (a pfring_loop callback) defers the
// free to that call's return. The guard's destructor is the last touch of
// the ring in a call.
class CallGuard {
 public:
  CallGuard(pfr::Handle *r, bool now) : r_(r) {
    if (now) (void)enter();
  }
  ~CallGuard();
  CallGuard(const CallGuard &) = delete;
  CallGuard &operator=(const CallGuard &) = delete;
  // Counts the call (once); false when a close has begun: the caller then
  // returns PF_RING_ERROR_INVALID_STATUS without waiting.
  bool enter();
  static bool closing(const pfr::Handle *r) { return r->closing.load(); }
  // Calls on ring r by this thread now (pfring_close from inside one).
  static int own_calls(const pfr::Handle *r);

 private:
  pfr::Handle *r_;
  bool in_ = false;
};

// Runs f() (returning int) for ring r: NULL ring -> INVALID_ARGUMENT;
// a negative result sets errno; exceptions become error codes. f may take
// the call's CallGuard& (calls that wait enter it before waiting).
template <class F>
int guarded(pfr::Handle *r, F &&f) {
  if (!r) {
    errno = EINVAL;
    return PF_RING_ERROR_INVALID_ARGUMENT;
  }
  CallGuard g(r, (r->flags & PF_RING_REENTRANT) != 0);
  int rc;
  try {
    if constexpr (std::is_invocable_v<F, CallGuard &>)
      rc = f(g);
    else
      rc = f();
  } catch (const std::bad_alloc &) {
    rc = r->fail(PF_RING_ERROR_NOT_ENOUGH_MEMORY, "out of memory");
  } catch (const std::exception &e) {
    errno = EIO;
    rc = r->fail(PF_RING_ERROR_GENERIC, std::string("internal error: ") + e.what());
  } catch (...) {
    errno = EIO;
    rc = r->fail(PF_RING_ERROR_GENERIC, "internal error");
  }
  if (rc < 0) errno = errno_for(rc);
  return rc;
}

// Holds the ring's RX lock (handle.h) when it was opened with
// PF_RING_REENTRANT; a receive drops it while it waits.
class ReentrantLock {
 public:
  explicit ReentrantLock(pfr::Handle *r)
      : lk_(r->rx_mutex, std::defer_lock), reentrant_((r->flags & PF_RING_REENTRANT) != 0) {
    if (reentrant_) lk_.lock();
  }
  bool reentrant() const { return reentrant_; }
  void unlock() {
    if (lk_.owns_lock()) lk_.unlock();
  }
  void lock() {
    if (reentrant_ && !lk_.owns_lock()) lk_.lock();
  }

 private:
  std::unique_lock<std::mutex> lk_;
  bool reentrant_;
};

// One of the ring's other locks, held when it was opened with
// PF_RING_REENTRANT: TxLock for sends, WaitLock for the module's receive
// side (handle.h says who takes which, in which order).
template <std::mutex pfr::Handle::*M>
class ModeLock {
 public:
  explicit ModeLock(pfr::Handle *r) : lk_(r->*M, std::defer_lock) {
    if (r->flags & PF_RING_REENTRANT) lk_.lock();
  }

 private:
  std::unique_lock<std::mutex> lk_;
};
using TxLock = ModeLock<&pfr::Handle::tx_mutex>;
using WaitLock = ModeLock<&pfr::Handle::wait_mutex>;

}  // namespace pfr

#define PFR_EXPORT extern "C" __attribute__((visibility("default")))
