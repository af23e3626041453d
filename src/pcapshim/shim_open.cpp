// shim_open.cpp - which devices PF_RING serves, and the life of such a
// handle: pcap_create(), the setters before activation, pcap_activate(),
// pcap_open_live(), pcap_close(), pcap_lookupnet().
//
// Each function's return convention is libpcap's (pcap(3PCAP) pages); for a
// handle the shim does not serve, the real libpcap function runs unchanged.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>

#include "real_pcap.h"
#include "shim_env.h"
#include "shim_handle.h"

namespace pfshim {

namespace {

constexpr int kMaxSnaplen = 262144;  // libpcap's MAXIMUM_SNAPLEN

// 1: the name carries a module prefix libpfring knows ("sim:F", "pcap:F",
// "kernel:eth0"...), 0: a plain name, -1: not a PF_RING name at all.
int pfring_name_kind(const char *device, std::string *module) {
  if (!device || !*device) return -1;
  char mod[32];
  int rc = pfring_device_module(device, mod, sizeof mod);
  if (rc < 0) return -1;
  if (module) *module = mod;
  return rc;
}

// Whether the shim serves device. A name with a module prefix always (the
// real libpcap could not open it; errors then come from libpfring). A plain
// name ("eth0") only when pf_ring.ko is loaded (the default module is then
// "kernel") and libpfring opens it; otherwise libpcap's own AF_PACKET
// capture is the same thing, so the real libpcap keeps it.
bool claims(const char *device) {
  if (pf_ring_disabled()) return false;
  std::string module;
  int kind = pfring_name_kind(device, &module);
  if (kind == 1) return true;
  if (kind != 0 || module != "kernel") return false;
  int saved = errno;
  pfring *probe = pfring_open(device, 128, 0);
  errno = saved;
  if (!probe) return false;
  pfring_close(probe);
  return true;
}

void errbuf_set(char *errbuf, const char *fmt, const char *arg) {
  if (errbuf) snprintf(errbuf, PCAP_ERRBUF_SIZE, fmt, arg);
}

// The pfring_open() errno as a pcap_activate() code.
int open_error_code(int err) {
  switch (err) {
    case ENOENT:
    case ENODEV:
    case ENXIO:
      return PCAP_ERROR_NO_SUCH_DEVICE;
    case EACCES:
    case EPERM:
      return PCAP_ERROR_PERM_DENIED;
    default:
      return PCAP_ERROR;
  }
}

// The settings a ring takes after pfring_open(); PCAP_ERROR (message set)
// when one the user asked for explicitly cannot be had.
int configure_ring(ShimHandle *h, const EnvSettings &env) {
  pfring *ring = h->ring;
  if (env.cluster_id && pfring_set_cluster(ring, env.cluster_id, env.cluster) < 0)
    return ring_error(h->p, ring, "PCAP_PF_RING_CLUSTER_ID");
  if (!env.appname.empty()) pfring_set_application_name(ring, env.appname.c_str());
  if (env.rss_rehash && pfring_enable_rss_rehash(ring) < 0) return ring_error(h->p, ring, "PCAP_PF_RING_RSS_REHASH");
  if (env.recv_only) pfring_set_socket_mode(ring, recv_only_mode);
  if (pfring_enable_ring(ring) < 0) return ring_error(h->p, ring, h->device.c_str());
  return 0;
}

}  // namespace

}  // namespace pfshim

using namespace pfshim;

PFSHIM_API pcap_t *pcap_create(const char *device, char *errbuf) {
  if (!claims(device)) {
    if (real().create) return real().create(device, errbuf);
    errbuf_set(errbuf, "%s: libpcap has no pcap_create", device ? device : "(null)");
    return nullptr;
  }
  ShimHandle *h = new (std::nothrow) ShimHandle;
  if (!h) {
    errbuf_set(errbuf, "%s: out of memory", device);
    return nullptr;
  }
  h->device = device;
  h->p = real().open_dead_with_tstamp_precision
             ? real().open_dead_with_tstamp_precision(DLT_EN10MB, kMaxSnaplen, PCAP_TSTAMP_PRECISION_MICRO)
             : nullptr;
  if (!h->p || !insert(h)) {
    errbuf_set(errbuf, "%s: cannot make a pcap handle (out of memory or too many open)", device);
    if (h->p) real().close(h->p);
    delete h;
    return nullptr;
  }
  return h->p;
}

// ---- setters before activation --------------------------------------------
// libpcap: 0, or PCAP_ERROR_ACTIVATED once the handle is active.

PFSHIM_API int pcap_set_snaplen(pcap_t *p, int snaplen) {
  ShimHandle *h = lookup(p);
  if (!h) return real().set_snaplen(p, snaplen);
  if (h->ring) return PCAP_ERROR_ACTIVATED;
  h->snaplen = snaplen;
  return 0;
}

PFSHIM_API int pcap_set_promisc(pcap_t *p, int promisc) {
  ShimHandle *h = lookup(p);
  if (!h) return real().set_promisc(p, promisc);
  if (h->ring) return PCAP_ERROR_ACTIVATED;
  h->promisc = promisc != 0;
  return 0;
}

PFSHIM_API int pcap_set_timeout(pcap_t *p, int timeout_ms) {
  ShimHandle *h = lookup(p);
  if (!h) return real().set_timeout(p, timeout_ms);
  if (h->ring) return PCAP_ERROR_ACTIVATED;
  h->timeout_ms = timeout_ms < 0 ? 0 : timeout_ms;
  return 0;
}

PFSHIM_API int pcap_set_immediate_mode(pcap_t *p, int immediate) {
  ShimHandle *h = lookup(p);
  if (!h) return real().set_immediate_mode ? real().set_immediate_mode(p, immediate) : PCAP_ERROR;
  if (h->ring) return PCAP_ERROR_ACTIVATED;
  h->immediate = immediate != 0;
  return 0;
}

PFSHIM_API int pcap_set_buffer_size(pcap_t *p, int size) {
  ShimHandle *h = lookup(p);
  if (!h) return real().set_buffer_size(p, size);
  if (h->ring) return PCAP_ERROR_ACTIVATED;
  h->buffer_size = size;
  return 0;
}

// PCAP_TSTAMP_HOST and its variants, and ADAPTER (PCAP_PF_RING_HW_TIMESTAMP's
// flag): libpcap answers PCAP_WARNING_TSTAMP_TYPE_NOTSUP for the others.
PFSHIM_API int pcap_set_tstamp_type(pcap_t *p, int type) {
  ShimHandle *h = lookup(p);
  if (!h) return real().set_tstamp_type ? real().set_tstamp_type(p, type) : PCAP_ERROR;
  if (h->ring) return PCAP_ERROR_ACTIVATED;
  switch (type) {
    case PCAP_TSTAMP_HOST:
    case PCAP_TSTAMP_HOST_LOWPREC:
    case PCAP_TSTAMP_HOST_HIPREC:
    case PCAP_TSTAMP_ADAPTER:
      h->tstamp_type = type;
      return 0;
    default:
      return PCAP_WARNING_TSTAMP_TYPE_NOTSUP;
  }
}

PFSHIM_API int pcap_set_tstamp_precision(pcap_t *p, int precision) {
  ShimHandle *h = lookup(p);
  if (!h) return real().set_tstamp_precision ? real().set_tstamp_precision(p, precision) : PCAP_ERROR;
  if (h->ring) return PCAP_ERROR_ACTIVATED;
  if (precision != PCAP_TSTAMP_PRECISION_MICRO && precision != PCAP_TSTAMP_PRECISION_NANO)
    return PCAP_ERROR_TSTAMP_PRECISION_NOTSUP;
  h->precision = precision;
  return 0;
}

PFSHIM_API int pcap_get_tstamp_precision(pcap_t *p) {
  ShimHandle *h = lookup(p);
  if (!h) return real().get_tstamp_precision ? real().get_tstamp_precision(p) : PCAP_TSTAMP_PRECISION_MICRO;
  return h->precision;
}

// No PF_RING device is an 802.11 monitor-mode device.
PFSHIM_API int pcap_set_rfmon(pcap_t *p, int rfmon) {
  ShimHandle *h = lookup(p);
  if (!h) return real().set_rfmon(p, rfmon);
  if (h->ring) return PCAP_ERROR_ACTIVATED;
  return rfmon ? PCAP_ERROR_RFMON_NOTSUP : 0;
}

PFSHIM_API int pcap_can_set_rfmon(pcap_t *p) {
  ShimHandle *h = lookup(p);
  if (!h) return real().can_set_rfmon(p);
  return 0;
}

PFSHIM_API int pcap_set_protocol_linux(pcap_t *p, int protocol) {
  ShimHandle *h = lookup(p);
  if (!h) return real().set_protocol_linux ? real().set_protocol_linux(p, protocol) : PCAP_ERROR;
  if (h->ring) return PCAP_ERROR_ACTIVATED;
  return 0;
}

PFSHIM_API int pcap_snapshot(pcap_t *p) {
  ShimHandle *h = lookup(p);
  if (!h) return real().snapshot(p);
  if (!h->ring) return PCAP_ERROR_NOT_ACTIVATED;
  return h->snaplen;
}

// ---- activation -------------------------------------------------------------

// 0, PCAP_ERROR_ACTIVATED, PCAP_ERROR_NO_SUCH_DEVICE, PCAP_ERROR_PERM_DENIED
// or PCAP_ERROR, the message in pcap_geterr().
PFSHIM_API int pcap_activate(pcap_t *p) {
  ShimHandle *h = lookup(p);
  if (!h) return real().activate(p);
  if (h->ring) return PCAP_ERROR_ACTIVATED;

  EnvSettings env;
  std::string err;
  if (!read_env(env, err)) {
    set_error(p, "%s", err.c_str());
    return PCAP_ERROR;
  }
  if (h->snaplen <= 0 || h->snaplen > kMaxSnaplen) h->snaplen = kMaxSnaplen;
  u_int32_t flags = 0;
  if (h->promisc) flags |= PF_RING_PROMISC;
  if (env.symmetric_rss) flags |= PF_RING_DNA_SYMMETRIC_RSS;
  if (env.hw_timestamp || h->tstamp_type == PCAP_TSTAMP_ADAPTER) flags |= PF_RING_HW_TIMESTAMP;
  h->active_poll = env.active_poll;

  errno = 0;
  h->ring = pfring_open(h->device.c_str(), static_cast<u_int32_t>(h->snaplen), flags);
  if (!h->ring) {
    int code = open_error_code(errno);
    ring_error(p, nullptr, h->device.c_str());
    return code;
  }
  int rc = configure_ring(h, env);
  if (rc == 0) rc = apply_ext_settings(h, env.cluster_id ? env.cluster : cluster_per_flow_5_tuple);
  if (rc == 0 && real().open_dead_with_tstamp_precision)
    h->shape = real().open_dead_with_tstamp_precision(DLT_EN10MB, h->snaplen, static_cast<u_int>(h->precision));
  if (rc == 0 && !h->shape) {
    set_error(p, "%s: out of memory", h->device.c_str());
    rc = PCAP_ERROR;
  }
  if (rc != 0) {
    pfring_close(h->ring);
    h->ring = nullptr;
  }
  return rc;
}

// NULL with the reason in errbuf, as libpcap.
PFSHIM_API pcap_t *pcap_open_live(const char *device, int snaplen, int promisc, int to_ms, char *errbuf) {
  if (!claims(device)) {
    if (real().open_live) return real().open_live(device, snaplen, promisc, to_ms, errbuf);
    errbuf_set(errbuf, "%s: libpcap has no pcap_open_live", device ? device : "(null)");
    return nullptr;
  }
  pcap_t *p = pcap_create(device, errbuf);
  if (!p) return nullptr;
  pcap_set_snaplen(p, snaplen);
  pcap_set_promisc(p, promisc);
  pcap_set_timeout(p, to_ms);
  int rc = pcap_activate(p);
  if (rc < 0) {
    if (errbuf) snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s", real().geterr(p));
    pcap_close(p);
    return nullptr;
  }
  return p;
}

PFSHIM_API void pcap_close(pcap_t *p) {
  ShimHandle *h = lookup(p);
  if (!h) {
    if (p) real().close(p);
    return;
  }
  remove(h);
  if (h->ring) pfring_close(h->ring);
  if (h->shape) real().close(h->shape);
  real().close(h->p);
  delete h;
}

// A PF_RING device name has no IPv4 network: 0 with net and mask 0 (libpcap
// would fail on the ioctl and tcpdump would warn); plain names as libpcap.
PFSHIM_API int pcap_lookupnet(const char *device, bpf_u_int32 *net, bpf_u_int32 *mask, char *errbuf) {
  if (!pf_ring_disabled() && pfring_name_kind(device, nullptr) == 1) {
    if (net) *net = 0;
    if (mask) *mask = 0;
    return 0;
  }
  return real().lookupnet(device, net, mask, errbuf);
}
