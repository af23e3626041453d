// shim_read.cpp - reading a PF_RING handle through libpcap's calls:
// pcap_dispatch(), pcap_loop(), pcap_next_ex(), pcap_next(), pcap_breakloop().
//
// Packets come from pfring_recv_burst() (zero copy, 32 at a time) into the
// handle's burst cache; waiting is pfring_poll() in slices of at most
// 100 ms, so that pcap_breakloop() from a signal handler or another thread
// ends a wait within one slice. A finite device (pcap:, sim: replay) ends
// as an offline file does: pcap_loop() and pcap_dispatch() return 0,
// pcap_next_ex() PCAP_ERROR_BREAK.
#include <cerrno>
#include <climits>
#include <ctime>

#include "real_pcap.h"
#include "shim_handle.h"

namespace pfshim {

namespace {

constexpr int kEnd = -1000;    // the device delivered its last packet
constexpr int kBroken = -1001; // pcap_breakloop() was called (flag still set)
constexpr int kPollSliceMs = 100;

int64_t monotonic_ms() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// Fills the burst cache. wait_ms: -1 until a packet comes, 0 not at all,
// else at most that long. Returns the packets cached (> 0), 0 when none
// came in time, kEnd, kBroken, or PCAP_ERROR with the message set.
int refill(ShimHandle *h, int wait_ms) {
  h->count = h->pos = 0;
  if (h->finished) return kEnd;
  const int64_t start = wait_ms > 0 ? monotonic_ms() : 0;
  for (;;) {
    int n = pfring_recv_burst(h->ring, h->bufs, h->hdrs, ShimHandle::kBurst, 0);
    if (n > 0) {
      h->count = static_cast<unsigned>(n);
      return n;
    }
    if (n == PF_RING_ERROR_END_OF_FILE) {
      h->finished = true;
      return kEnd;
    }
    if (n < 0) return ring_error(h->p, h->ring, h->device.c_str());
    if (h->break_loop.load(std::memory_order_relaxed)) return kBroken;
    if (wait_ms == 0) return 0;
    int slice = kPollSliceMs;
    if (wait_ms > 0) {
      int64_t left = wait_ms - (monotonic_ms() - start);
      if (left <= 0) return 0;
      if (left < slice) slice = static_cast<int>(left);
    }
    if (h->active_poll) continue;  // PCAP_PF_RING_ACTIVE_POLL: spin
    int rc = pfring_poll(h->ring, static_cast<u_int>(slice));
    if (rc < 0 && errno != EINTR) return ring_error(h->p, h->ring, h->device.c_str());
  }
}

// The wait of one pcap_dispatch()/pcap_next_ex() call, as libpcap's: none
// in nonblocking mode, the timeout when there is one, else until a packet.
int call_wait_ms(const ShimHandle *h) {
  if (h->nonblock) return 0;
  return h->timeout_ms > 0 ? h->timeout_ms : -1;
}

// The next cached packet into out and *data; false when the cache is empty.
bool take(ShimHandle *h, struct ns_pcaphdr *out, const u_char **data) {
  if (h->pos >= h->count) return false;
  const struct pfring_pkthdr &in = h->hdrs[h->pos];
  *data = h->bufs[h->pos];
  h->pos++;
  uint64_t ns = in.extended_hdr.timestamp_ns;
  if (ns == 0)
    ns = static_cast<uint64_t>(in.ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(in.ts.tv_usec) * 1000ull;
  if (ns == 0) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    ns = static_cast<uint64_t>(now.tv_sec) * 1000000000ull + static_cast<uint64_t>(now.tv_nsec);
  }
  out->ts.tv_sec = static_cast<time_t>(ns / 1000000000ull);
  uint64_t frac = ns % 1000000000ull;
  out->ts.tv_usec = static_cast<suseconds_t>(h->precision == PCAP_TSTAMP_PRECISION_NANO ? frac : frac / 1000);
  out->len = in.len;
  out->caplen = in.caplen <= static_cast<uint32_t>(h->snaplen) ? in.caplen : static_cast<uint32_t>(h->snaplen);
  out->ns = ns;
  return true;
}

// PCAP_ERROR_NOT_ACTIVATED with its message, for reads before pcap_activate().
int not_activated(ShimHandle *h) {
  set_error(h->p, "%s: the handle is not activated", h->device.c_str());
  return PCAP_ERROR_NOT_ACTIVATED;
}

// A pending pcap_breakloop(): clears it and returns true.
bool consume_break(ShimHandle *h) { return h->break_loop.exchange(false); }

}  // namespace

}  // namespace pfshim

using namespace pfshim;

// The packets of one burst (at most cnt when cnt > 0). Returns how many were
// processed, 0 on timeout, in nonblocking mode with none, or after the last
// packet of a finite device, PCAP_ERROR_BREAK after pcap_breakloop() with
// none processed, PCAP_ERROR (message in pcap_geterr()).
PFSHIM_API int pcap_dispatch(pcap_t *p, int cnt, pcap_handler callback, u_char *user) {
  ShimHandle *h = lookup(p);
  if (!h) return real().dispatch(p, cnt, callback, user);
  if (!h->ring) return not_activated(h);
  if (consume_break(h)) return PCAP_ERROR_BREAK;
  if (h->pos >= h->count) {
    int rc = refill(h, call_wait_ms(h));
    if (rc == kEnd) return 0;
    if (rc == kBroken) return consume_break(h), PCAP_ERROR_BREAK;
    if (rc <= 0) return rc;
  }
  int n = 0;
  struct ns_pcaphdr hdr;
  const u_char *data;
  while ((cnt <= 0 || n < cnt) && take(h, &hdr, &data)) {
    callback(user, reinterpret_cast<const struct pcap_pkthdr *>(&hdr), data);
    n++;
    if (h->break_loop.load(std::memory_order_relaxed)) break;  // the next call returns PCAP_ERROR_BREAK
  }
  return n;
}

// Until cnt packets (cnt <= 0: no limit) or the end of a finite device: 0;
// PCAP_ERROR_BREAK after pcap_breakloop(); PCAP_ERROR on error.
PFSHIM_API int pcap_loop(pcap_t *p, int cnt, pcap_handler callback, u_char *user) {
  ShimHandle *h = lookup(p);
  if (!h) return real().loop(p, cnt, callback, user);
  if (!h->ring) return not_activated(h);
  int n = 0;
  struct ns_pcaphdr hdr;
  const u_char *data;
  for (;;) {
    if (consume_break(h)) return PCAP_ERROR_BREAK;
    if (h->pos >= h->count) {
      int rc = refill(h, -1);
      if (rc == kEnd) return 0;
      if (rc == kBroken) continue;
      if (rc < 0) return rc;
    }
    while (take(h, &hdr, &data)) {
      callback(user, reinterpret_cast<const struct pcap_pkthdr *>(&hdr), data);
      if (cnt > 0 && ++n >= cnt) return 0;
      if (h->break_loop.load(std::memory_order_relaxed)) break;
    }
  }
}

// 1 with a packet, 0 on timeout or in nonblocking mode with none,
// PCAP_ERROR_BREAK after the last packet of a finite device (as at the end
// of a file) or after pcap_breakloop(), PCAP_ERROR on error.
PFSHIM_API int pcap_next_ex(pcap_t *p, struct pcap_pkthdr **pkt_header, const u_char **pkt_data) {
  ShimHandle *h = lookup(p);
  if (!h) return real().next_ex(p, pkt_header, pkt_data);
  if (!h->ring) return not_activated(h);
  if (h->pos >= h->count) {
    if (consume_break(h)) return PCAP_ERROR_BREAK;
    int rc = refill(h, call_wait_ms(h));
    if (rc == kEnd) return PCAP_ERROR_BREAK;
    if (rc == kBroken) return consume_break(h), PCAP_ERROR_BREAK;
    if (rc <= 0) return rc;
  }
  const u_char *data = nullptr;
  take(h, &h->hdr, &data);
  if (pkt_header) *pkt_header = reinterpret_cast<struct pcap_pkthdr *>(&h->hdr);
  if (pkt_data) *pkt_data = data;
  return 1;
}

// The next packet's data with its header copied into *hdr; NULL when there
// is none (timeout, end, error: libpcap does not say which).
PFSHIM_API const u_char *pcap_next(pcap_t *p, struct pcap_pkthdr *hdr) {
  ShimHandle *h = lookup(p);
  if (!h) return real().next(p, hdr);
  struct pcap_pkthdr *ph = nullptr;
  const u_char *data = nullptr;
  if (pcap_next_ex(p, &ph, &data) != 1) return nullptr;
  if (hdr) *hdr = *ph;
  return data;
}

// Async-signal-safe: one atomic store.
PFSHIM_API void pcap_breakloop(pcap_t *p) {
  ShimHandle *h = lookup(p);
  if (!h) {
    real().breakloop(p);
    return;
  }
  h->break_loop.store(true);
}
