// pfring_send.cpp - transmission (guide 8.13): pfring_send,
// pfring_send_ifindex, pfring_send_get_time, pfring_send_last_rx_packet.
// Each returns the bytes sent (pfring_send_last_rx_packet: 0) or a
// negative PF_RING_ERROR_* with the reason in pfring_get_last_error().
#include <cstring>

#include "api_util.h"

using namespace pfr;

namespace {

// Sends the train as bursts until the device has taken all of it or
// refuses; what it refuses is dropped and counted. 0, or its code.
int flush_train(pfr::Handle *r) {
  auto &t = r->train;
  unsigned done = 0;
  int rc = 0;
  std::string err;
  while (done < t.n) {
    int k = r->mod->send_burst(t.frames + done, t.n - done, t.if_index, err);
    if (k <= 0) {
      rc = k < 0 ? k : PF_RING_ERROR_NO_TX_SLOT_AVAILABLE;
      t.dropped += t.n - done;
      r->fail(rc, "sending the queued frames: " + (err.empty() ? std::string("refused by the device") : err));
      break;
    }
    done += static_cast<unsigned>(k);
  }
  t.n = 0;
  return rc;
}

// any_mode: send whatever the socket mode says (the bounce of
// pfring_send_last_rx_packet, which 5.x does on receive-only rings too).
int do_send(pfr::Handle *r, const void *pkt, u_int len, bool flush, int if_index, bool any_mode = false) {
  if (!pkt || len == 0) return r->fail(PF_RING_ERROR_INVALID_ARGUMENT, "packet is NULL or empty");
  if (r->mode == recv_only_mode && !any_mode)
    return r->fail(PF_RING_ERROR_INVALID_STATUS, "ring is in recv_only_mode");
  auto &t = r->train;
  // A train holds frames for one interface, each small enough for a slot.
  if (t.n && (t.if_index != if_index || len > t.kSlot)) {
    int rc = flush_train(r);
    if (rc < 0 && flush) return rc;
  }
  if ((!flush || t.n) && r->mod->can_transmit()) {  // a device that cannot says so below
    if (len <= t.kSlot) {
      if (t.bytes.empty()) t.bytes.resize(size_t(t.kFrames) * t.kSlot);
      uint8_t *slot = t.bytes.data() + size_t(t.n) * t.kSlot;
      std::memcpy(slot, pkt, len);
      t.frames[t.n] = TxFrame{slot, len};
      t.if_index = if_index;
      if (++t.n == t.kFrames || flush) {
        // A failed flush drops the tail of the train, this frame with it:
        // the error reports it, so it is not counted as dropped.
        int rc = flush_train(r);
        if (rc < 0) {
          t.dropped--;
          return rc;
        }
      }
      return static_cast<int>(len);
    }
  }
  std::string err;
  int rc = r->mod->send(static_cast<const uint8_t *>(pkt), len, flush, if_index, err);
  if (rc < 0) return r->fail(rc, err.empty() ? "send failed" : err);
  return rc;
}

}  // namespace

namespace pfr {
// What pfring_close() sends before the handle goes (pfring_send(..., 0)).
void flush_tx_train(pfr::Handle *r) {
  if (r->train.n) (void)flush_train(r);
}
}  // namespace pfr

PFR_EXPORT int(pfring_send)(pfring *ring_pub, char *pkt, u_int pkt_len, u_int8_t flush_packet) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    TxLock lock(ring);
    return do_send(ring, pkt, pkt_len, flush_packet != 0, -1);
  });
}

PFR_EXPORT int(pfring_send_ifindex)(pfring *ring_pub, char *pkt, u_int pkt_len, u_int8_t flush_packet,
                                   int if_index) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    TxLock lock(ring);
    return do_send(ring, pkt, pkt_len, flush_packet != 0, if_index);
  });
}

PFR_EXPORT int(pfring_send_get_time)(pfring *ring_pub, char *pkt, u_int pkt_len, struct timespec *ts) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (!ts) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "ts is NULL");
    TxLock lock(ring);
    int rc = do_send(ring, pkt, pkt_len, true, -1);
    if (rc < 0) return rc;
    int64_t ns = 0;
    int crc = ring->mod->last_tx_timestamp_ns(&ns);
    if (crc == PF_RING_ERROR_NOT_SUPPORTED) crc = ring->mod->get_clock_ns(&ns);
    if (crc < 0) return ring->fail(crc, "device has no TX timestamp clock");
    ts->tv_sec = static_cast<time_t>(ns / 1000000000ll);
    ts->tv_nsec = static_cast<long>(ns % 1000000000ll);
    return rc;
  });
}

PFR_EXPORT int pfring_send_last_rx_packet(pfring *ring_pub, int tx_interface_id) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    ReentrantLock rx_lock(ring);  // last_pkt is the receive side's
    TxLock lock(ring);
    if (!ring->last_pkt) return ring->fail(PF_RING_ERROR_INVALID_STATUS, "no packet has been received yet");
    // as PF_RING 5.x: bounced whatever the socket mode (pfbridge's default
    // receive-only rings rely on it)
    int rc = do_send(ring, ring->last_pkt, ring->last_caplen, true, tx_interface_id, true);
    return rc < 0 ? rc : 0;
  });
}

PFR_EXPORT int pfring_flush_tx_packets(pfring *ring_pub) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    TxLock lock(ring);
    return ring->train.n ? flush_train(ring) : 0;
  });
}
