// module_util.h - small helpers several modules share: bounded waits,
// the burst-or-wait shape of modules whose fd wakes poll(), process
// liveness for shared-memory peers, JSON string escaping ("NAME,key=value"
// options are device_options.h, included here).
#pragma once

#include <signal.h>
#include <time.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "device_options.h"

namespace pfr {

// Sleeps us microseconds (a signal may cut it short; callers loop anyway).
inline void sleep_us(long us) {
  struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
  nanosleep(&ts, nullptr);
}

// True when process pid exists (EPERM: it exists but belongs to another
// user). pid 0 is "not known": false.
inline bool pid_alive(uint32_t pid) {
  return pid != 0 && (kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

// Nanoseconds on CLOCK_MONOTONIC (for bounded waits).
inline uint64_t monotonic_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Nanoseconds on CLOCK_REALTIME (the clock kernel packet timestamps use).
inline uint64_t realtime_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Module::recv_burst of a module whose ring the kernel fills and whose fd
// wakes poll(): take(out, max) what is ready; when nothing is and waiting
// is allowed, wait(timeout_ms, err) once (1 ready, 0 timeout, <0 error)
// and take again.
template <class Packet, class Take, class Wait>
int take_or_wait(Packet *out, unsigned max, int timeout_ms, std::string &err, Take &&take, Wait &&wait) {
  unsigned n = take(out, max);
  if (n > 0 || timeout_ms == 0) return static_cast<int>(n);
  int rc = wait(timeout_ms, err);
  if (rc <= 0) return rc;
  return static_cast<int>(take(out, max));
}

// Module::poll of the same kind of module: 1 when ready(), else after one
// wait(timeout_ms, err) whether ready() now holds; <0 on a wait error.
template <class Ready, class Wait>
int ready_or_wait(int timeout_ms, Ready &&ready, Wait &&wait) {
  if (ready()) return 1;
  std::string err;
  int rc = wait(timeout_ms, err);
  return rc < 0 ? rc : (ready() ? 1 : 0);
}

// Polls ready() with sleeps growing from 10 us to 1 ms until it returns
// true or timeout_ms has passed (0: look once, < 0: no limit). Returns
// the last ready() result.
template <class Ready>
bool wait_until(int timeout_ms, Ready &&ready) {
  uint64_t deadline = timeout_ms > 0 ? monotonic_ns() + static_cast<uint64_t>(timeout_ms) * 1000000ull : 0;
  long step = 10;
  for (;;) {
    if (ready()) return true;
    if (timeout_ms == 0 || (timeout_ms > 0 && monotonic_ns() >= deadline)) return false;
    sleep_us(step);
    if (step < 1000) step *= 2;
  }
}

// s as the inside of a JSON string (quotes, backslashes and control
// characters escaped; other bytes as they are).
inline std::string json_escape(const std::string &s) {
  std::string o;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += static_cast<char>(c);
    } else if (c < 0x20) {
      char b[8];
      snprintf(b, sizeof(b), "\\u%04x", c);
      o += b;
    } else {
      o += static_cast<char>(c);
    }
  }
  return o;
}

}  // namespace pfr
