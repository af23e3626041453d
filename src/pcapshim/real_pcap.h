// real_pcap.h - the real libpcap behind the shim: every libpcap function the
// shim overrides, found with dlsym(RTLD_NEXT) so that handles that are not
// PF_RING's (offline files, plain libpcap devices, libpfring's own BPF
// compiles) go to libpcap unchanged and never loop through the shim.
#pragma once

#include <pcap/pcap.h>

namespace pfshim {

struct RealPcap {
  pcap_t *(*create)(const char *, char *);
  pcap_t *(*open_live)(const char *, int, int, int, char *);
  pcap_t *(*open_dead_with_tstamp_precision)(int, int, u_int);
  int (*activate)(pcap_t *);
  int (*set_snaplen)(pcap_t *, int);
  int (*set_promisc)(pcap_t *, int);
  int (*set_timeout)(pcap_t *, int);
  int (*set_immediate_mode)(pcap_t *, int);
  int (*set_buffer_size)(pcap_t *, int);
  int (*set_tstamp_type)(pcap_t *, int);
  int (*set_tstamp_precision)(pcap_t *, int);
  int (*get_tstamp_precision)(pcap_t *);
  int (*set_rfmon)(pcap_t *, int);
  int (*can_set_rfmon)(pcap_t *);
  int (*set_protocol_linux)(pcap_t *, int);
  int (*list_tstamp_types)(pcap_t *, int **);
  int (*snapshot)(pcap_t *);
  int (*fileno)(pcap_t *);
  int (*get_selectable_fd)(pcap_t *);
  const struct timeval *(*get_required_select_timeout)(pcap_t *);
  int (*getnonblock)(pcap_t *, char *);
  int (*setnonblock)(pcap_t *, int, char *);
  int (*next_ex)(pcap_t *, struct pcap_pkthdr **, const u_char **);
  const u_char *(*next)(pcap_t *, struct pcap_pkthdr *);
  int (*loop)(pcap_t *, int, pcap_handler, u_char *);
  int (*dispatch)(pcap_t *, int, pcap_handler, u_char *);
  void (*breakloop)(pcap_t *);
  int (*setfilter)(pcap_t *, struct bpf_program *);
  int (*stats)(pcap_t *, struct pcap_stat *);
  int (*inject)(pcap_t *, const void *, size_t);
  int (*sendpacket)(pcap_t *, const u_char *, int);
  int (*setdirection)(pcap_t *, pcap_direction_t);
  pcap_dumper_t *(*dump_open)(pcap_t *, const char *);
  pcap_dumper_t *(*dump_fopen)(pcap_t *, FILE *);
  pcap_dumper_t *(*dump_open_append)(pcap_t *, const char *);
  void (*close)(pcap_t *);
  int (*lookupnet)(const char *, bpf_u_int32 *, bpf_u_int32 *, char *);
  int (*findalldevs)(pcap_if_t **, char *);
  char *(*geterr)(pcap_t *);
};

// The table, resolved once (thread-safe). A function libpcap lacks is
// nullptr; the wrappers then fail as libpcap would for a missing feature.
const RealPcap &real();

}  // namespace pfshim
