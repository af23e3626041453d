// shim_misc.cpp - the other calls a PF_RING handle answers itself: filters,
// statistics, descriptors and nonblocking mode, sending, direction, dump
// files (with the activated snaplen and precision), timestamp types, and
// the device list. Return conventions are libpcap's.
#include <cstdlib>
#include <cstring>
#include <string>

#include "real_pcap.h"
#include "shim_env.h"
#include "shim_handle.h"

namespace pfshim {

namespace {

int not_activated(ShimHandle *h) {
  set_error(h->p, "%s: the handle is not activated", h->device.c_str());
  return PCAP_ERROR_NOT_ACTIVATED;
}

// The ring's descriptor, -1 when it has none.
int ring_fd(ShimHandle *h) {
  if (!h->ring) return -1;
  int fd = pfring_get_selectable_fd(h->ring);
  return fd < 0 ? -1 : fd;
}

// A dumper on the handle with the activated snaplen and precision; an error
// is copied to the application's handle, where it will look for it.
pcap_dumper_t *dump_on_shape(ShimHandle *h, pcap_dumper_t *(*open)(pcap_t *, const char *), const char *fname) {
  pcap_t *target = h->shape ? h->shape : h->p;
  pcap_dumper_t *d = open(target, fname);
  if (!d && target != h->p) set_error(h->p, "%s", real().geterr(target));
  return d;
}

}  // namespace

}  // namespace pfshim

using namespace pfshim;

// The compiled program goes to the ring (pfring_set_bpf_program): 0, or
// PCAP_ERROR with libpfring's reason.
PFSHIM_API int pcap_setfilter(pcap_t *p, struct bpf_program *fp) {
  ShimHandle *h = lookup(p);
  if (!h) return real().setfilter(p, fp);
  if (!h->ring) return not_activated(h);
  if (pfring_set_bpf_program(h->ring, fp) < 0) return ring_error(p, h->ring, "pcap_setfilter");
  return 0;
}

// ps_recv: packets the ring delivered, ps_drop: packets the device or the
// ring lost (pfring_stats); ps_ifdrop 0.
PFSHIM_API int pcap_stats(pcap_t *p, struct pcap_stat *ps) {
  ShimHandle *h = lookup(p);
  if (!h) return real().stats(p, ps);
  if (!h->ring) return not_activated(h);
  pfring_stat st{};
  if (pfring_stats(h->ring, &st) < 0) return ring_error(p, h->ring, "pcap_stats");
  if (ps) {
    ps->ps_recv = static_cast<u_int>(st.recv);
    ps->ps_drop = static_cast<u_int>(st.drop);
    ps->ps_ifdrop = 0;
  }
  return 0;
}

PFSHIM_API int pcap_get_selectable_fd(pcap_t *p) {
  ShimHandle *h = lookup(p);
  if (!h) return real().get_selectable_fd(p);
  return ring_fd(h);
}

PFSHIM_API int pcap_fileno(pcap_t *p) {
  ShimHandle *h = lookup(p);
  if (!h) return real().fileno(p);
  return ring_fd(h);
}

// NULL when the descriptor says when packets wait; otherwise the longest a
// select() should wait before calling pcap_dispatch() anyway.
PFSHIM_API const struct timeval *pcap_get_required_select_timeout(pcap_t *p) {
  ShimHandle *h = lookup(p);
  if (!h) return real().get_required_select_timeout ? real().get_required_select_timeout(p) : nullptr;
  static const struct timeval kSlice = {0, 100000};
  return ring_fd(h) < 0 ? &kSlice : nullptr;
}

PFSHIM_API int pcap_getnonblock(pcap_t *p, char *errbuf) {
  ShimHandle *h = lookup(p);
  if (!h) return real().getnonblock(p, errbuf);
  return h->nonblock ? 1 : 0;
}

PFSHIM_API int pcap_setnonblock(pcap_t *p, int nonblock, char *errbuf) {
  ShimHandle *h = lookup(p);
  if (!h) return real().setnonblock(p, nonblock, errbuf);
  h->nonblock = nonblock != 0;
  return 0;
}

// Bytes sent, or PCAP_ERROR with libpfring's reason (a receive-only module
// says so).
PFSHIM_API int pcap_inject(pcap_t *p, const void *buf, size_t size) {
  ShimHandle *h = lookup(p);
  if (!h) return real().inject(p, buf, size);
  if (!h->ring) return not_activated(h);
  if (size > UINT32_MAX) {
    set_error(p, "pcap_inject: %zu bytes is too long", size);
    return PCAP_ERROR;
  }
  int rc = pfring_send(h->ring, buf, static_cast<u_int>(size), 1);
  if (rc < 0) return ring_error(p, h->ring, "pcap_inject");
  return rc;
}

// 0, or PCAP_ERROR.
PFSHIM_API int pcap_sendpacket(pcap_t *p, const u_char *buf, int size) {
  ShimHandle *h = lookup(p);
  if (!h) return real().sendpacket(p, buf, size);
  if (size < 0) {
    set_error(p, "pcap_sendpacket: negative size %d", size);
    return PCAP_ERROR;
  }
  return pcap_inject(p, buf, static_cast<size_t>(size)) < 0 ? PCAP_ERROR : 0;
}

PFSHIM_API int pcap_setdirection(pcap_t *p, pcap_direction_t d) {
  ShimHandle *h = lookup(p);
  if (!h) return real().setdirection(p, d);
  if (!h->ring) return not_activated(h);
  packet_direction dir;
  switch (d) {
    case PCAP_D_INOUT: dir = rx_and_tx_direction; break;
    case PCAP_D_IN: dir = rx_only_direction; break;
    case PCAP_D_OUT: dir = tx_only_direction; break;
    default:
      set_error(p, "pcap_setdirection: invalid direction %d", static_cast<int>(d));
      return PCAP_ERROR;
  }
  if (pfring_set_direction(h->ring, dir) < 0) return ring_error(p, h->ring, "pcap_setdirection");
  return 0;
}

// PF_RING devices offer no choice of timestamp source through libpcap (the
// hardware clock is PCAP_PF_RING_HW_TIMESTAMP's): 0 types, *types NULL.
PFSHIM_API int pcap_list_tstamp_types(pcap_t *p, int **types) {
  ShimHandle *h = lookup(p);
  if (!h) return real().list_tstamp_types ? real().list_tstamp_types(p, types) : 0;
  if (types) *types = nullptr;
  return 0;
}

PFSHIM_API pcap_dumper_t *pcap_dump_open(pcap_t *p, const char *fname) {
  ShimHandle *h = lookup(p);
  if (!h) return real().dump_open(p, fname);
  return dump_on_shape(h, real().dump_open, fname);
}

PFSHIM_API pcap_dumper_t *pcap_dump_open_append(pcap_t *p, const char *fname) {
  ShimHandle *h = lookup(p);
  if (!h) return real().dump_open_append ? real().dump_open_append(p, fname) : nullptr;
  if (!real().dump_open_append) return nullptr;
  return dump_on_shape(h, real().dump_open_append, fname);
}

PFSHIM_API pcap_dumper_t *pcap_dump_fopen(pcap_t *p, FILE *fp) {
  ShimHandle *h = lookup(p);
  if (!h) return real().dump_fopen(p, fp);
  pcap_t *target = h->shape ? h->shape : h->p;
  pcap_dumper_t *d = real().dump_fopen(target, fp);
  if (!d && target != h->p) set_error(h->p, "%s", real().geterr(target));
  return d;
}

// libpcap's list, then the PF_RING devices it lacks (concrete names only:
// the modules' "<file>" templates are documentation, not devices). 0, or
// PCAP_ERROR with errbuf set, as libpcap.
PFSHIM_API int pcap_findalldevs(pcap_if_t **alldevs, char *errbuf) {
  int rc = real().findalldevs(alldevs, errbuf);
  if (rc != 0 || !alldevs || pf_ring_disabled()) return rc;
  pfring_if_t *list = pfring_findalldevs();
  pcap_if_t **tail = alldevs;
  while (*tail) tail = &(*tail)->next;
  for (pfring_if_t *d = list; d; d = d->next) {
    if (!d->name || std::strchr(d->name, '<')) continue;
    bool known = false;
    for (pcap_if_t *e = *alldevs; e && !known; e = e->next) known = e->name && std::strcmp(e->name, d->name) == 0;
    if (known) continue;
    // Nodes as libpcap's own, so that pcap_freealldevs() frees them.
    pcap_if_t *node = static_cast<pcap_if_t *>(std::calloc(1, sizeof *node));
    if (!node) break;
    std::string desc = std::string("PF_RING ") + (d->module ? d->module : "") + ": " + (d->description ? d->description : "");
    node->name = strdup(d->name);
    node->description = strdup(desc.c_str());
    if (!node->name || !node->description) {
      std::free(node->name);
      std::free(node->description);
      std::free(node);
      break;
    }
    *tail = node;
    tail = &node->next;
  }
  pfring_freealldevs(list);
  return 0;
}
