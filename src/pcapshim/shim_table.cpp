// shim_table.cpp - the pcap_t -> ShimHandle side table (see shim_handle.h).
#include <cstdarg>
#include <cstdio>
#include <mutex>

#include "real_pcap.h"
#include "shim_handle.h"

namespace pfshim {

namespace {

// Enough for any program; a process that opens more PF_RING handles than
// this at once gets an error from pcap_create(), not a crash.
constexpr unsigned kMaxHandles = 1024;

struct Slot {
  std::atomic<pcap_t *> key{nullptr};
  std::atomic<ShimHandle *> value{nullptr};
};

Slot g_slots[kMaxHandles];
std::atomic<unsigned> g_used{0};  // slots [0, g_used) may be in use
std::mutex g_mutex;

}  // namespace

void set_error(pcap_t *p, const char *fmt, ...) {
  char *buf = real().geterr ? real().geterr(p) : nullptr;
  if (!buf) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, PCAP_ERRBUF_SIZE, fmt, ap);
  va_end(ap);
}

int ring_error(pcap_t *p, pfring *ring, const char *what) {
  char msg[PCAP_ERRBUF_SIZE] = "";
  pfring_get_last_error(ring, msg, sizeof msg);
  set_error(p, "%s: %s", what, msg[0] ? msg : "PF_RING error");
  return PCAP_ERROR;
}

ShimHandle *lookup(pcap_t *p) {
  if (!p) return nullptr;
  unsigned n = g_used.load(std::memory_order_acquire);
  for (unsigned i = 0; i < n; i++)
    if (g_slots[i].key.load(std::memory_order_acquire) == p) return g_slots[i].value.load(std::memory_order_acquire);
  return nullptr;
}

bool insert(ShimHandle *h) {
  std::lock_guard<std::mutex> lock(g_mutex);
  unsigned n = g_used.load(std::memory_order_relaxed);
  for (unsigned i = 0; i < kMaxHandles; i++) {
    if (g_slots[i].key.load(std::memory_order_relaxed) != nullptr) continue;
    g_slots[i].value.store(h, std::memory_order_relaxed);
    g_slots[i].key.store(h->p, std::memory_order_release);
    if (i >= n) g_used.store(i + 1, std::memory_order_release);
    return true;
  }
  return false;
}

void remove(ShimHandle *h) {
  std::lock_guard<std::mutex> lock(g_mutex);
  unsigned n = g_used.load(std::memory_order_relaxed);
  for (unsigned i = 0; i < n; i++) {
    if (g_slots[i].key.load(std::memory_order_relaxed) != h->p) continue;
    g_slots[i].key.store(nullptr, std::memory_order_release);
    g_slots[i].value.store(nullptr, std::memory_order_relaxed);
  }
  while (n > 0 && g_slots[n - 1].key.load(std::memory_order_relaxed) == nullptr) n--;
  g_used.store(n, std::memory_order_release);
}

}  // namespace pfshim
