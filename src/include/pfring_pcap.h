/*
 * pfring_pcap.h - what PF_RING's libpcap added to libpcap (guide 6, 7.2),
 * for programs written against it. The calls are exported by
 * libpfring-pcap.so (link with -lpfring-pcap, or run under pfring-pcap);
 * the plain libpcap API needs nothing from here.
 *
 * Each call takes a handle from pcap_create()/pcap_open_live() on a
 * PF_RING device; called before pcap_activate() the setting is kept and
 * applied by it. Returns 0, or PCAP_ERROR with the reason in pcap_geterr()
 * (a handle that is not PF_RING's: "not a PF_RING device").
 */
#ifndef PFRING_PCAP_H
#define PFRING_PCAP_H

#include <pcap/pcap.h>

#include "pfring.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The record header PF_RING's libpcap hands to callbacks and pcap_next_ex:
 * a struct pcap_pkthdr followed by the timestamp in nanoseconds. A program
 * may cast the header it gets to this on a PF_RING device.
 */
struct ns_pcaphdr {
	struct timeval ts; /* as pcap_pkthdr's (us, or ns with nanosecond precision) */
	bpf_u_int32 caplen;
	bpf_u_int32 len;
	u_int64_t ns; /* the timestamp in ns since the epoch */
};

/* pfring_set_application_name() of the handle's ring. */
int pcap_set_application_name(pcap_t *handle, char *name);
/* pfring_set_cluster(): the cluster type of PCAP_PF_RING_USE_CLUSTER_*, else per-flow 5-tuple. */
int pcap_set_cluster(pcap_t *handle, u_int cluster_id);
/* pfring_set_poll_watermark(). */
int pcap_set_watermark(pcap_t *handle, u_int watermark);
/* The ring behind an activated PF_RING handle, or NULL (other handles, not activated). */
pfring *pcap_get_pfring_handle(const pcap_t *handle);

#ifdef __cplusplus
}
#endif

#endif /* PFRING_PCAP_H */
