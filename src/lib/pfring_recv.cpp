// pfring_recv.cpp - the receive path (guide 8.6) and packet parsing (8.14).
//
// Per packet, in this order: direction, BPF, rules + default policy,
// sampling (guide 8.9: sampling sees only what passed the filters), then
// caplen. The module hands packets over in bursts of up to 64; the
// single-packet calls take them one at a time from the staged burst.
#include <sys/time.h>

#include <algorithm>
#include <cstring>

#include "api_util.h"
#include "modules/module_util.h"

extern "C" {
#include "parse.h"
}

using namespace pfr;

namespace {

// Side effects rules ask for (reflect/bounce) on the ring's module.
struct EvalCtx {
  pfr::Handle *ring;
  const RawPacket *pkt;
};

// A reflected copy out of dst: never waits for TX room (try_send), takes
// dst's TX lock (after the receiving ring's RX lock). True when it went.
bool reflect_to(pfr::Handle *dst, const uint8_t *data, uint32_t len) {
  if (dst->mode == recv_only_mode || !dst->mod->can_transmit()) return false;
  TxLock lock(dst);
  std::string err;
  return dst->mod->try_send(data, len, -1, err) >= 0;
}

void on_reflect(void *ctx, const char *dev, int bounce) {
  auto *c = static_cast<EvalCtx *>(ctx);
  pfr::Handle *ring = c->ring;
  const uint8_t *data = c->pkt->data;
  uint32_t len = c->pkt->hdr.caplen;
  if (bounce) {
    // back where it came from with the MACs swapped (a preallocated buffer)
    if (len < 12 || !ring->mod->can_transmit()) return;
    if (ring->bounce_buf.size() < len) ring->bounce_buf.resize(len < 65536 ? 65536 : len);
    uint8_t *b = ring->bounce_buf.data();
    std::memcpy(b, data + 6, 6);
    std::memcpy(b + 6, data, 6);
    std::memcpy(b + 12, data + 12, len - 12);
    TxLock lock(ring);
    std::string err;
    if (ring->mod->try_send(b, len, -1, err) >= 0) ring->reflected++;
    return;
  }
  std::string name(dev, strnlen(dev, REFLECTOR_NAME_LEN));
  for (const auto &r : ring->reflectors)
    if (r.first == name) {
      if (reflect_to(r.second, data, len)) ring->reflected++;
      return;
    }
  // no reflector of another name: the ring's own device (checked when the rule was added)
  if (reflect_to(ring, data, len)) ring->reflected++;
}

void on_hash_rule(void *ctx, int add, const pfc_hash_key *key, u_int16_t rule_id) {
  auto *c = static_cast<EvalCtx *>(ctx);
  if (add) {
    hash_filtering_rule r;
    std::memset(&r, 0, sizeof(r));
    r.rule_id = rule_id;
    r.vlan_id = key->vlan_id;
    r.proto = key->proto;
    r.host_peer_a = key->lo_host;
    r.host_peer_b = key->hi_host;
    r.port_peer_a = key->lo_port;
    r.port_peer_b = key->hi_port;
    r.rule_action = forward_packet_and_stop_rule_evaluation;
    c->ring->rules.add_hash(r, now_sec());  // an existing rule stays as is
  } else {
    c->ring->rules.remove_hash(*key);
  }
}

const pfc_eval_ops kEvalOps = {on_reflect, on_hash_rule, nullptr, nullptr};

// Full parse into the packet's extended header (zeroed first).
void parse_into(RawPacket *p, uint8_t level) {
  auto &ext = p->hdr.extended_hdr;
  std::memset(&ext.parsed_pkt, 0, sizeof(ext.parsed_pkt));
  p->parsed_dirty = 1;
  pfc_parse_pkt(p->data, p->hdr.caplen, level, &ext.parsed_pkt, &ext.flags);
}

// Applies the software features to one packet: true = it will be
// delivered. parse_level > 0 asks for parsed_pkt at that level
// (pfring_recv_parsed). Parsing sees the whole packet before caplen is
// applied, as pf_ring.ko parses the whole skb: parsed_pkt describes the
// packet, not the snapshot.
bool accept_packet(pfr::Handle *r, RawPacket *p, uint8_t parse_level) {
  auto &ext = p->hdr.extended_hdr;
  if (r->direction == rx_only_direction && !ext.rx_direction) return false;
  if (r->direction == tx_only_direction && ext.rx_direction) return false;
  // Packets the device filtered with the same program (bpf_done) are not
  // filtered twice.
  if (r->bpf.active() && !(r->bpf_in_device && p->bpf_done) && !r->bpf.match(p->data, p->hdr.caplen, p->hdr.len))
    return false;
  uint8_t level = parse_level;
  if ((!r->rules.empty() || r->rss_rehash) && level < PFC_LEVEL_L4) level = PFC_LEVEL_L4;
  if (r->rules.needs_tunnel() && level < PFC_LEVEL_TUNNEL) level = PFC_LEVEL_TUNNEL;
  if (r->flags & PF_RING_LONG_HEADER) level = PFC_LEVEL_TUNNEL;
  HashLookup &staged = r->burst_hash[static_cast<size_t>(p - r->burst.data())];
  if (level > p->parsed_level) {
    parse_into(p, level);
    p->parsed_level = level;
    staged.valid = false;  // the key of the earlier parse is not reused
  }
  if (!r->rules.empty()) {
    EvalCtx ctx{r, p};
    pfc_verdict v;
    if (!r->rules.evaluate(&ext.parsed_pkt, p->data, p->hdr.caplen, r->default_accept, now_sec(), &kEvalOps,
                           &ctx, &v, &staged))
      return false;
  } else if (!r->default_accept) {
    return false;  // no rule matches anything: the default policy decides
  }
  return pfc_sample(&r->sample_counter, r->sample_rate) != 0;
}

// Hands an accepted packet over: parse to the level asked for (the
// packet may have been accepted by a peek that parsed less), apply
// caplen, count it.
void commit(pfr::Handle *r, RawPacket *p, uint8_t parse_level) {
  auto &ext = p->hdr.extended_hdr;
  if (parse_level > p->parsed_level) {
    parse_into(p, parse_level);
    p->parsed_level = parse_level;
  }
  if (r->rss_rehash) ext.pkt_hash = pfc_bidir_hash(&ext.parsed_pkt);
  if (p->hdr.caplen > r->caplen) p->hdr.caplen = r->caplen;
  r->delivered++;
  r->delivered_bytes += p->hdr.len;
  r->last_pkt = p->data;
  r->last_caplen = p->hdr.caplen;
  // pfring_set_reflector_device: a copy out of the reflector (best effort, counted)
  if (r->reflector_all && reflect_to(r->reflector_all, p->data, p->hdr.caplen)) r->reflected++;
}

// A new burst arrived: nothing is parsed yet. With hash rules, parse the
// whole burst first and prefetch each packet's table slot, so the cache
// misses of a large table overlap instead of coming one after the other;
// the key and hash are kept for the rule evaluation (burst_hash).
void stage_burst(pfr::Handle *r) {
  bool prefetch = r->rules.hash_count() > 0;
  for (unsigned i = 0; i < r->burst_n; i++) {
    RawPacket *p = &r->burst[i];
    p->parsed_level = 0;
    r->burst_hash[i].valid = false;
    if (prefetch) {
      parse_into(p, PFC_LEVEL_L4);
      p->parsed_level = PFC_LEVEL_L4;
      r->rules.prefetch(p->hdr.extended_hdr.parsed_pkt, &r->burst_hash[i]);
    }
  }
}

// Bursts a receive examines at most when every packet fails the filters
// (or is reflected): a receive that asks not to wait still returns soon,
// however fast traffic arrives.
constexpr int kMaxRefills = 16;

// Next packet that passes the software features. 1 with *out, 0 none
// ready within timeout_ms, negative status (EOF, error). With refill false
// only the staged burst is looked at, so pointers already handed out from
// it stay valid. With peek the packet stays for the next call (which does
// not filter it again). After the first burst, a stop request (breakloop,
// close) or kMaxRefills bursts end the call with 0.
int next_packet(pfr::Handle *r, RawPacket **out, int timeout_ms, bool refill = true, uint8_t parse_level = 0,
                bool peek = false) {
  if (!r->enabled) return r->fail(PF_RING_ERROR_RING_NOT_ENABLED, "ring is disabled (pfring_enable_ring)");
  if (r->shut_down.load()) return r->fail(PF_RING_ERROR_INVALID_STATUS, "ring was shut down (pfring_shutdown)");
  if (r->peeked) {
    *out = r->peeked;
    if (!peek) {
      r->peeked = nullptr;
      commit(r, *out, parse_level);
    }
    return 1;
  }
  for (int refills = 0;; refills++) {
    while (r->burst_pos < r->burst_n) {
      RawPacket *p = &r->burst[r->burst_pos++];
      if (accept_packet(r, p, parse_level)) {
        *out = p;
        if (peek) r->peeked = p;
        else commit(r, p, parse_level);
        return 1;
      }
    }
    if (r->pending_status) return r->pending_status;
    if (!refill) return 0;
    if (refills > 0 &&
        (refills >= kMaxRefills || r->break_loop.load(std::memory_order_relaxed) || r->closing.load()))
      return 0;
    std::string err;
    int n;
    {
      WaitLock w(r);
      n = r->mod->recv_burst(r->burst.data(), static_cast<unsigned>(r->burst.size()), timeout_ms, err);
    }
    r->burst_pos = 0;
    r->burst_n = n > 0 ? static_cast<unsigned>(n) : 0;
    if (n < 0) {
      // End of file and errors stay (reported to every later call);
      // INVALID_STATUS is a state the caller can change (e.g. buffers
      // still lent): reported now, the device asked again next time.
      if (n != PF_RING_ERROR_INVALID_STATUS) r->pending_status = n;
      if (!err.empty()) r->fail(n, err);
      else if (n == PF_RING_ERROR_END_OF_FILE) r->fail(n, "end of file");
      return n;
    }
    if (n == 0) return 0;
    stage_burst(r);
  }
}

int closing_error(pfr::Handle *r) {
  return r->fail(PF_RING_ERROR_INVALID_STATUS, "ring is being closed (pfring_close)");
}

// Blocking variant: waits in slices of at most 100 ms until a packet or a
// status. pfring_breakloop() ends the wait: the call returns 0 and,
// outside pfring_loop (consume_break), the request is used up; a close
// that has begun ends it with INVALID_STATUS. The call is counted (g)
// before it first waits, so a close from another thread waits for it. On
// a PF_RING_REENTRANT ring the RX lock is dropped while waiting: only the
// wait lock is held (mod->poll), so other threads' sends, filter changes
// and stats go on while this one waits for traffic.
int wait_packet(pfr::Handle *r, ReentrantLock &lock, CallGuard &g, RawPacket **out, bool wait, bool consume_break,
                uint8_t parse_level = 0) {
  int rc = next_packet(r, out, 0, true, parse_level);
  if (rc != 0 || !wait) return rc;
  int empty_polls = 0;
  for (;;) {
    if (!g.enter()) return closing_error(r);
    if (r->break_loop.load(std::memory_order_relaxed)) {
      if (consume_break) r->break_loop.store(false);
      return 0;
    }
    int slice = static_cast<int>(r->poll_duration_ms < 100 ? r->poll_duration_ms : 100);
    if (lock.reentrant()) {
      lock.unlock();
      int prc;
      {
        WaitLock w(r);
        prc = r->mod->poll(slice);
      }
      // ready, yet nothing passed (filtered, or a device that says ready
      // early): a short sleep instead of spinning on the lock
      if (prc != 0 && ++empty_polls > 2) sleep_us(1000);
      lock.lock();
      rc = next_packet(r, out, 0, true, parse_level);
    } else {
      rc = next_packet(r, out, slice, true, parse_level);
    }
    if (rc != 0) return rc;
  }
}

int deliver(pfr::Handle *r, RawPacket *p, u_char **buffer, u_int buffer_len, pfring_pkthdr *hdr) {
  *hdr = p->hdr;
  if (buffer_len == 0) {
    *buffer = const_cast<u_char *>(p->data);
  } else {
    uint32_t n = std::min<uint32_t>(hdr->caplen, buffer_len);
    std::memcpy(*buffer, p->data, n);
    hdr->caplen = n;
  }
  return 1;
}

// add_timestamp / add_hash of guide 8.6 and 8.14: fill what is still zero.
void add_time_and_hash(struct pfring_pkthdr *hdr, bool add_timestamp, bool add_hash) {
  auto &ext = hdr->extended_hdr;
  if (add_timestamp && hdr->ts.tv_sec == 0 && hdr->ts.tv_usec == 0) {
    gettimeofday(&hdr->ts, nullptr);
    if (ext.timestamp_ns == 0)
      ext.timestamp_ns = static_cast<uint64_t>(hdr->ts.tv_sec) * 1000000000ull +
                         static_cast<uint64_t>(hdr->ts.tv_usec) * 1000ull;
  }
  if (add_hash && ext.pkt_hash == 0) ext.pkt_hash = pfc_bidir_hash(&ext.parsed_pkt);
}

int recv_one(pfr::Handle *ring, CallGuard &g, u_char **buffer, u_int buffer_len, struct pfring_pkthdr *hdr, u_int8_t wait,
             uint8_t parse_level) {
  if (!buffer || !hdr) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "buffer and hdr must not be NULL");
  if (buffer_len > 0 && !*buffer)
    return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "buffer_len > 0 but *buffer is NULL");
  ReentrantLock lock(ring);
  RawPacket *p = nullptr;
  int rc = wait_packet(ring, lock, g, &p, wait != 0, true, parse_level);
  if (rc <= 0) return rc;
  return deliver(ring, p, buffer, buffer_len, hdr);
}

}  // namespace

PFR_EXPORT int pfring_recv(pfring *ring_pub, u_char **buffer, u_int buffer_len, struct pfring_pkthdr *hdr,
                           u_int8_t wait_for_incoming_packet) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring,
                 [&](CallGuard &g) { return recv_one(ring, g, buffer, buffer_len, hdr, wait_for_incoming_packet, 0); });
}

PFR_EXPORT int pfring_recv_parsed(pfring *ring_pub, u_char **buffer, u_int buffer_len, struct pfring_pkthdr *hdr,
                                  u_int8_t wait_for_incoming_packet, u_int8_t level, u_int8_t add_timestamp,
                                  u_int8_t add_hash) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&](CallGuard &g) {
    uint8_t lvl = level < PFC_LEVEL_L2 ? PFC_LEVEL_L2 : (level > PFC_LEVEL_TUNNEL ? PFC_LEVEL_TUNNEL : level);
    int rc = recv_one(ring, g, buffer, buffer_len, hdr, wait_for_incoming_packet, lvl);
    if (rc <= 0) return rc;
    add_time_and_hash(hdr, add_timestamp, add_hash);
    return rc;
  });
}


PFR_EXPORT int pfring_recv_burst(pfring *ring_pub, u_char **buffers, struct pfring_pkthdr *hdrs, u_int max_packets,
                                 u_int8_t wait_for_incoming_packet) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&](CallGuard &g) {
    if (!buffers || !hdrs) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "buffers and hdrs must not be NULL");
    ReentrantLock lock(ring);
    u_int n = 0;
    while (n < max_packets) {
      RawPacket *p = nullptr;
      // Wait only for the first packet; then take what is ready.
      // Staged packets stay valid until the module's next burst: after the
      // first packet, take only what is already staged.
      int rc = n == 0 ? wait_packet(ring, lock, g, &p, wait_for_incoming_packet != 0, true)
                      : next_packet(ring, &p, 0, false);
      if (rc < 0) {
        if (n > 0) break;  // report the status on the next call
        return rc;
      }
      if (rc == 0) break;
      buffers[n] = const_cast<u_char *>(p->data);
      hdrs[n] = p->hdr;
      n++;
    }
    return static_cast<int>(n);
  });
}

// The whole loop is one counted call (CallGuard): a close from another
// thread ends it (INVALID_STATUS) and frees the ring once it returned; a
// close from inside the callback ends it too and frees the ring on return.
PFR_EXPORT int pfring_loop(pfring *ring_pub, pfringProcessPacket looper, const u_char *user_bytes,
                           u_int8_t wait_for_packet) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&](CallGuard &g) {
    if (!looper) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "callback is NULL");
    for (;;) {
      if (!g.enter()) return closing_error(ring);
      if (ring->break_loop.exchange(false)) return 0;
      RawPacket *p = nullptr;
      int rc;
      {
        ReentrantLock lock(ring);
        rc = wait_packet(ring, lock, g, &p, wait_for_packet != 0, false);
      }
      if (rc == PF_RING_ERROR_END_OF_FILE) return 0;
      if (rc < 0) return rc;
      if (rc == 0) continue;
      looper(&p->hdr, p->data, user_bytes);
    }
  });
}

PFR_EXPORT void pfring_breakloop(pfring *ring_pub) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  if (ring) ring->break_loop.store(true);
}

// Waits in slices of at most 100 ms, so that a close ends it.
PFR_EXPORT int pfring_poll(pfring *ring_pub, u_int wait_duration) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&](CallGuard &g) {
    {
      ReentrantLock lock(ring);
      if (ring->peeked || ring->burst_pos < ring->burst_n || ring->pending_status) return 1;
    }
    bool forever = wait_duration > static_cast<u_int>(INT32_MAX);
    int64_t left = forever ? 0 : static_cast<int64_t>(wait_duration);
    for (;;) {
      if (!g.enter()) return closing_error(ring);
      int slice = forever || left > 100 ? 100 : static_cast<int>(left);
      int rc;
      {
        WaitLock w(ring);
        rc = ring->mod->poll(slice);
      }
      if (rc != 0) return rc;
      if (!forever && (left -= slice) <= 0) return 0;
    }
  });
}

PFR_EXPORT int pfring_next_pkt_raw_timestamp(pfring *ring_pub, u_int64_t *timestamp_ns) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (!timestamp_ns) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "timestamp_ns is NULL");
    ReentrantLock lock(ring);
    RawPacket *p = nullptr;
    int rc = next_packet(ring, &p, 0, true, 0, true);
    if (rc == 0) return ring->fail(PF_RING_ERROR_NO_PKT_AVAILABLE, "no packet is ready");
    if (rc < 0) return rc;
    *timestamp_ns = p->hdr.extended_hdr.timestamp_ns;
    return 0;
  });
}

PFR_EXPORT int pfring_next_pkt_time(pfring *ring_pub, struct timespec *ts) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  if (!ts) {
    errno = EINVAL;
    return PF_RING_ERROR_INVALID_ARGUMENT;
  }
  u_int64_t ns = 0;
  int rc = pfring_next_pkt_raw_timestamp(ring, &ns);
  if (rc < 0) return rc;
  ts->tv_sec = static_cast<time_t>(ns / 1000000000ull);
  ts->tv_nsec = static_cast<long>(ns % 1000000000ull);
  return 0;
}

PFR_EXPORT int pfring_parse_pkt(u_char *pkt, struct pfring_pkthdr *hdr, u_int8_t level, u_int8_t add_timestamp,
                                u_int8_t add_hash) {
  if (!pkt || !hdr) {
    errno = EINVAL;
    return PF_RING_ERROR_INVALID_ARGUMENT;
  }
  int rc = pfc_parse_pkt(pkt, hdr->caplen, level, &hdr->extended_hdr.parsed_pkt, &hdr->extended_hdr.flags);
  add_time_and_hash(hdr, add_timestamp, add_hash);
  return rc;
}
