// pfring_pkt_buff.cpp - the DNA cluster slave calls of guide 9.1.2
// (pfring_alloc_pkt_buff ... pfring_add_pkt_buff_ifindex) on a
// dnacluster:ID@K ring. The buffers are the slave's (src/zero/slave.h);
// a receive into a handle goes through the ring's own receive path, so
// BPF, rules, sampling and statistics apply as to pfring_recv. A ring of
// another module, a NULL or foreign handle: a negative code (or NULL),
// errno, and the reason in pfring_get_last_error().
#include "api_util.h"
#include "zero/slave.h"

using namespace pfr;
using pfr::zero::ClusterSlave;
using pfr::zero::PktBuff;

namespace {

ClusterSlave *slave_of(pfr::Handle *ring) {
  ClusterSlave *s = ring->mod->cluster_slave();
  if (!s) ring->fail(PF_RING_ERROR_NOT_SUPPORTED, "packet buffers belong to DNA cluster slaves (dnacluster:ID@K)");
  return s;
}

// The handle, checked, or nullptr with the error recorded.
PktBuff *buff_of(pfr::Handle *ring, ClusterSlave *s, pfring_pkt_buff *h) {
  PktBuff *b = s->check(h);
  if (!b) ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, h ? "not a packet buffer of this ring (or released)"
                                                       : "packet buffer handle is NULL");
  return b;
}

// Runs f(slave, buff) for a valid ring and handle; errno set on failure.
template <class F>
int with_buff(pfr::Handle *ring, pfring_pkt_buff *h, F &&f) {
  return guarded(ring, [&] {
    ReentrantLock lock(ring);
    ClusterSlave *s = slave_of(ring);
    if (!s) return PF_RING_ERROR_NOT_SUPPORTED;
    PktBuff *b = buff_of(ring, s, h);
    if (!b) return PF_RING_ERROR_INVALID_ARGUMENT;
    return f(s, b);
  });
}

}  // namespace

PFR_EXPORT pfring_pkt_buff *pfring_alloc_pkt_buff(pfring *ring_pub) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  pfring_pkt_buff *out = nullptr;
  guarded(ring, [&] {
    ReentrantLock lock(ring);
    ClusterSlave *s = slave_of(ring);
    if (!s) return PF_RING_ERROR_NOT_SUPPORTED;
    std::string err;
    out = s->alloc_buff(err);
    return out ? 0 : ring->fail(PF_RING_ERROR_NOT_ENOUGH_MEMORY, err);
  });
  return out;
}

PFR_EXPORT void pfring_release_pkt_buff(pfring *ring_pub, pfring_pkt_buff *pkt_handle) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  with_buff(ring, pkt_handle, [&](ClusterSlave *s, PktBuff *b) {
    std::string err;
    return s->release_buff(b, err);
  });
}

PFR_EXPORT int pfring_recv_pkt_buff(pfring *ring_pub, pfring_pkt_buff *pkt_handle, struct pfring_pkthdr *hdr,
                                    u_int8_t wait_for_incoming_packet) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  // The receive itself is pfring_recv's (zero copy): filters and counters
  // apply; then the packet's buffer becomes the handle's.
  {
    int rc = with_buff(ring, pkt_handle, [](ClusterSlave *, PktBuff *) { return 0; });
    if (rc < 0) return rc;
    if (!hdr) {
      errno = EINVAL;
      return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "hdr is NULL");
    }
  }
  u_char *data = nullptr;
  int rc = pfring_recv(ring, &data, 0, hdr, wait_for_incoming_packet);
  if (rc <= 0) return rc;
  return with_buff(ring, pkt_handle, [&](ClusterSlave *s, PktBuff *b) {
    std::string err;
    int r = s->adopt_into(b, data, *hdr, err);
    return r < 0 ? ring->fail(r, err) : 1;
  });
}

PFR_EXPORT int pfring_rcv_pkt_buff(pfring *ring_pub, pfring_pkt_buff *pkt_handle, struct pfring_pkthdr *hdr,
                                   u_int8_t wait_for_incoming_packet) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return pfring_recv_pkt_buff(ring, pkt_handle, hdr, wait_for_incoming_packet);
}

PFR_EXPORT int pfring_send_pkt_buff(pfring *ring_pub, pfring_pkt_buff *pkt_handle, u_int8_t) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return with_buff(ring, pkt_handle, [&](ClusterSlave *s, PktBuff *b) {
    TxLock tx(ring);
    std::string err;
    int r = s->send_buff(b, err);
    return r < 0 ? ring->fail(r, err) : r;
  });
}

PFR_EXPORT u_char *pfring_get_pkt_buff_data(pfring *ring_pub, pfring_pkt_buff *pkt_handle) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  u_char *out = nullptr;
  with_buff(ring, pkt_handle, [&](ClusterSlave *s, PktBuff *b) {
    out = s->buff_data(b);
    return out ? 0 : ring->fail(PF_RING_ERROR_NOT_ENOUGH_MEMORY, "no buffer free for this handle now");
  });
  return out;
}

PFR_EXPORT void pfring_set_pkt_buff_len(pfring *ring_pub, pfring_pkt_buff *pkt_handle, u_int32_t len) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  with_buff(ring, pkt_handle, [&](ClusterSlave *s, PktBuff *b) {
    uint32_t max = s->buf_size();
    b->len = len > max ? max : len;
    return 0;
  });
}

PFR_EXPORT void pfring_set_pkt_buff_ifindex(pfring *ring_pub, pfring_pkt_buff *pkt_handle, int if_index) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  with_buff(ring, pkt_handle, [&](ClusterSlave *s, PktBuff *b) {
    if (if_index < 0 || if_index >= s->num_rings())
      return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT,
                        "interface " + std::to_string(if_index) + ": the cluster has rings 0.." +
                            std::to_string(s->num_rings() - 1));
    b->egress_mask = 1u << if_index;
    return 0;
  });
}

PFR_EXPORT int pfring_add_pkt_buff_ifindex(pfring *ring_pub, pfring_pkt_buff *pkt_handle, int if_index) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return with_buff(ring, pkt_handle, [&](ClusterSlave *s, PktBuff *b) {
    if (if_index < 0 || if_index >= s->num_rings())
      return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT,
                        "interface " + std::to_string(if_index) + ": the cluster has rings 0.." +
                            std::to_string(s->num_rings() - 1));
    b->egress_mask |= 1u << if_index;
    return 0;
  });
}
