// shm_map.cpp - see shm_map.h.
#include "shm_map.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>

namespace sim::shm {

namespace {

// The guarded ranges, read by the signal handler without locks: a slot is
// live while base != 0 (set last when registering, cleared first when
// unregistering, before the munmap).
struct Slot {
  std::atomic<uintptr_t> base{0};
  std::atomic<uintptr_t> len{0};
  std::atomic<bool> damaged{false};
};
Slot g_slots[GuardedMap::kMaxMaps];
std::mutex g_register;  // registering and unregistering (not the handler)
struct sigaction g_previous;
std::once_flag g_installed;

void chain(int sig, siginfo_t *si, void *ctx) {
  if (g_previous.sa_flags & SA_SIGINFO) {
    if (g_previous.sa_sigaction) g_previous.sa_sigaction(sig, si, ctx);
    return;
  }
  if (g_previous.sa_handler == SIG_DFL || g_previous.sa_handler == SIG_IGN) {
    // the fault repeats on return and the default action ends the process
    struct sigaction dfl;
    std::memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, nullptr);
    return;
  }
  g_previous.sa_handler(sig);
}

void on_sigbus(int sig, siginfo_t *si, void *ctx) {
  int saved_errno = errno;
  uintptr_t a = reinterpret_cast<uintptr_t>(si->si_addr);
  for (Slot &s : g_slots) {
    uintptr_t base = s.base.load(std::memory_order_acquire);
    uintptr_t len = s.len.load(std::memory_order_acquire);
    if (base == 0 || a < base || a - base >= len) continue;
    uintptr_t page = a & ~(static_cast<uintptr_t>(sysconf(_SC_PAGESIZE)) - 1);
    void *m = mmap(reinterpret_cast<void *>(page), base + len - page, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (m != MAP_FAILED) {
      s.damaged.store(true, std::memory_order_release);
      errno = saved_errno;
      return;  // the access retries on the zero page
    }
    break;
  }
  errno = saved_errno;
  chain(sig, si, ctx);
}

void install() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = on_sigbus;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGBUS, &sa, &g_previous);
}

}  // namespace

void *GuardedMap::map(int fd, uint64_t bytes, bool writable, std::string &err) {
  unmap();
  std::call_once(g_installed, install);
  void *m = mmap(nullptr, bytes, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, 0);
  if (m == MAP_FAILED) {
    err = std::string("cannot map shared memory: ") + std::strerror(errno);
    return nullptr;
  }
  std::lock_guard<std::mutex> lock(g_register);
  for (int i = 0; i < kMaxMaps; i++) {
    if (g_slots[i].base.load(std::memory_order_relaxed) != 0) continue;
    g_slots[i].damaged.store(false, std::memory_order_relaxed);
    g_slots[i].len.store(static_cast<uintptr_t>(bytes), std::memory_order_release);
    g_slots[i].base.store(reinterpret_cast<uintptr_t>(m), std::memory_order_release);
    addr_ = m;
    bytes_ = bytes;
    slot_ = i;
    return m;
  }
  munmap(m, bytes);
  err = "cannot guard shared memory: " + std::to_string(kMaxMaps) + " segments are mapped already";
  return nullptr;
}

void GuardedMap::unmap() {
  if (!addr_) return;
  {
    std::lock_guard<std::mutex> lock(g_register);
    g_slots[slot_].base.store(0, std::memory_order_release);
  }
  munmap(addr_, bytes_);
  addr_ = nullptr;
  bytes_ = 0;
  slot_ = -1;
}

bool GuardedMap::damaged() const {
  return slot_ >= 0 && g_slots[slot_].damaged.load(std::memory_order_acquire);
}

}  // namespace sim::shm
