/*
 * <linux/pf_ring.h> - where PF_RING 5.x installs its kernel header, and
 * what clients written against it include (gopacket's pfring binding:
 * pfring.h, then linux/pf_ring.h). The definitions it held are in
 * pfring_defs.h here: the extended packet header, parsing results, the
 * rule structures, packet_direction, socket_mode, cluster_type and the
 * other enums and constants. Outside the kernel this also declares the
 * user API (pfring.h), which holds struct pfring_pkthdr, so a program that
 * includes only this header still finds the packet header it expects.
 */
#ifndef PFRING_LINUX_PF_RING_H
#define PFRING_LINUX_PF_RING_H

#ifdef __KERNEL__
#include "../pfring_defs.h"
#else
#include "../pfring.h"
#endif

#endif /* PFRING_LINUX_PF_RING_H */
