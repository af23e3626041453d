// shim_ext.cpp - the calls PF_RING's libpcap added (pfring_pcap.h):
// application name, cluster, poll watermark, the ring behind a handle.
// Made before pcap_activate() they are kept and applied by it.
#include <string>

#include "real_pcap.h"
#include "shim_handle.h"

namespace pfshim {

namespace {

// The PF_RING handle behind p, or nullptr with p's error set.
ShimHandle *pf_handle(pcap_t *p) {
  ShimHandle *h = lookup(p);
  if (!h && p) set_error(p, "not a PF_RING device (the PF_RING calls of pfring_pcap.h need one)");
  return h;
}

}  // namespace

int apply_ext_settings(ShimHandle *h, cluster_type type) {
  pfring *ring = h->ring;
  if (!ring) return 0;
  if (!h->appname.empty() && pfring_set_application_name(ring, h->appname.c_str()) < 0)
    return ring_error(h->p, ring, "pcap_set_application_name");
  if (h->cluster_id && pfring_set_cluster(ring, h->cluster_id, type) < 0)
    return ring_error(h->p, ring, "pcap_set_cluster");
  if (h->watermark && pfring_set_poll_watermark(ring, static_cast<u_int16_t>(h->watermark)) < 0)
    return ring_error(h->p, ring, "pcap_set_watermark");
  return 0;
}

}  // namespace pfshim

using namespace pfshim;

PFSHIM_API int pcap_set_application_name(pcap_t *handle, char *name) {
  ShimHandle *h = pf_handle(handle);
  if (!h) return PCAP_ERROR;
  if (!name) {
    set_error(handle, "pcap_set_application_name: name is NULL");
    return PCAP_ERROR;
  }
  h->appname = name;
  if (h->ring && pfring_set_application_name(h->ring, name) < 0)
    return ring_error(handle, h->ring, "pcap_set_application_name");
  return 0;
}

PFSHIM_API int pcap_set_cluster(pcap_t *handle, u_int cluster_id) {
  ShimHandle *h = pf_handle(handle);
  if (!h) return PCAP_ERROR;
  h->cluster_id = cluster_id;
  if (h->ring && pfring_set_cluster(h->ring, cluster_id, cluster_per_flow_5_tuple) < 0)
    return ring_error(handle, h->ring, "pcap_set_cluster");
  return 0;
}

PFSHIM_API int pcap_set_watermark(pcap_t *handle, u_int watermark) {
  ShimHandle *h = pf_handle(handle);
  if (!h) return PCAP_ERROR;
  if (watermark > 0xFFFF) {
    set_error(handle, "pcap_set_watermark: %u is more than 65535", watermark);
    return PCAP_ERROR;
  }
  h->watermark = watermark;
  if (h->ring && pfring_set_poll_watermark(h->ring, static_cast<u_int16_t>(watermark)) < 0)
    return ring_error(handle, h->ring, "pcap_set_watermark");
  return 0;
}

PFSHIM_API pfring *pcap_get_pfring_handle(const pcap_t *handle) {
  ShimHandle *h = lookup(const_cast<pcap_t *>(handle));
  return h ? h->ring : nullptr;
}
