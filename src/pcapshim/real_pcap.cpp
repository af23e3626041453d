// real_pcap.cpp - resolves the real libpcap functions (see real_pcap.h).
#include "real_pcap.h"

#include <dlfcn.h>

namespace pfshim {

namespace {

template <typename F>
void bind(F &fn, const char *name) {
  // RTLD_NEXT: the next object after the shim in lookup order, i.e. the
  // libpcap the application (or libpfring) was linked with.
  fn = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

RealPcap resolve() {
  RealPcap r{};
  bind(r.create, "pcap_create");
  bind(r.open_live, "pcap_open_live");
  bind(r.open_dead_with_tstamp_precision, "pcap_open_dead_with_tstamp_precision");
  bind(r.activate, "pcap_activate");
  bind(r.set_snaplen, "pcap_set_snaplen");
  bind(r.set_promisc, "pcap_set_promisc");
  bind(r.set_timeout, "pcap_set_timeout");
  bind(r.set_immediate_mode, "pcap_set_immediate_mode");
  bind(r.set_buffer_size, "pcap_set_buffer_size");
  bind(r.set_tstamp_type, "pcap_set_tstamp_type");
  bind(r.set_tstamp_precision, "pcap_set_tstamp_precision");
  bind(r.get_tstamp_precision, "pcap_get_tstamp_precision");
  bind(r.set_rfmon, "pcap_set_rfmon");
  bind(r.can_set_rfmon, "pcap_can_set_rfmon");
  bind(r.set_protocol_linux, "pcap_set_protocol_linux");
  bind(r.list_tstamp_types, "pcap_list_tstamp_types");
  bind(r.snapshot, "pcap_snapshot");
  bind(r.fileno, "pcap_fileno");
  bind(r.get_selectable_fd, "pcap_get_selectable_fd");
  bind(r.get_required_select_timeout, "pcap_get_required_select_timeout");
  bind(r.getnonblock, "pcap_getnonblock");
  bind(r.setnonblock, "pcap_setnonblock");
  bind(r.next_ex, "pcap_next_ex");
  bind(r.next, "pcap_next");
  bind(r.loop, "pcap_loop");
  bind(r.dispatch, "pcap_dispatch");
  bind(r.breakloop, "pcap_breakloop");
  bind(r.setfilter, "pcap_setfilter");
  bind(r.stats, "pcap_stats");
  bind(r.inject, "pcap_inject");
  bind(r.sendpacket, "pcap_sendpacket");
  bind(r.setdirection, "pcap_setdirection");
  bind(r.dump_open, "pcap_dump_open");
  bind(r.dump_fopen, "pcap_dump_fopen");
  bind(r.dump_open_append, "pcap_dump_open_append");
  bind(r.close, "pcap_close");
  bind(r.lookupnet, "pcap_lookupnet");
  bind(r.findalldevs, "pcap_findalldevs");
  bind(r.geterr, "pcap_geterr");
  return r;
}

}  // namespace

const RealPcap &real() {
  static const RealPcap table = resolve();
  return table;
}

}  // namespace pfshim
