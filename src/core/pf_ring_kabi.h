/*
 * pf_ring_kabi.h - the user/kernel ABI of pf_ring.ko: protocol family,
 * bind address, socket option numbers and their argument structs. The only
 * header libpfring's kernel module and pf_ring.ko share besides the ring
 * format (ring.h) and the rule structures (pfring_defs.h).
 *
 * Freestanding, fixed-width types, data only.
 *
 * Using the socket (docs/kernel.md has the full story):
 *   fd = socket(PFR_FAMILY, SOCK_RAW, htons(ETH_P_ALL));   needs CAP_NET_RAW
 *   setsockopt(fd, PFR_SOL, PFR_SO_RING_BUCKET_LEN, &caplen, 4);   optional
 *   bind(fd, (struct sockaddr *)&a, sizeof(a));  a.family = PFR_FAMILY,
 *                                              a.dev = "eth1" or "any"
 *   getsockopt(fd, PFR_SOL, PFR_SO_GET_RING_INFO, &info, &len);
 *   ring = mmap(NULL, info.total_bytes, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0);
 *   pfc_ring_check(ring, info.total_bytes, NULL) == 0
 *   setsockopt(fd, PFR_SOL, PFR_SO_ACTIVATE_RING, NULL, 0);
 *   poll(POLLIN) wakes once PFR_SO_SET_POLL_WATERMARK packets are queued;
 *   read with pfc_ring_consumer_attach / _peek / pfc_slot_read / _release.
 *
 * Structs that embed pfring_defs.h types (filtering_rule,
 * hash_filtering_rule) contain enums and pointers: 64-bit userland on a
 * 64-bit kernel only (no compat layer).
 */
#ifndef PF_RING_KABI_H
#define PF_RING_KABI_H

#include "pfring_defs.h"

/* PF_RING's protocol family; pf_ring.ko's pf_ring_family= can move it. */
#define PFR_FAMILY_DEFAULT 27
/* Socket option level of every PFR_SO_* option. */
#define PFR_SOL 0

/* Longest device name in a bind address, NUL included (IFNAMSIZ). */
#define PFR_DEVNAME_LEN 16
/* "any": every device of the socket's network namespace. */
#define PFR_ANY_DEVICE "any"
/* Longest application name, NUL included. */
#define PFR_APPL_NAME_LEN 32
/* Sockets in one cluster at most. */
#define PFR_CLUSTER_MAX_MEMBERS 32

/*
 * Bind address. PF_RING's own `struct sockaddr` with the name in sa_data
 * (14 bytes) is accepted too: the kernel reads the name from the bytes
 * after family, up to the given length or the first NUL.
 */
struct pfr_sockaddr {
	u_int16_t family; /* PFR_FAMILY */
	char dev[PFR_DEVNAME_LEN];
};

/* setsockopt(fd, PFR_SOL, ...) options. Argument in brackets. */
#define PFR_SO_ADD_TO_CLUSTER 99 /* struct pfr_cluster_req */
#define PFR_SO_REMOVE_FROM_CLUSTER 100 /* none */
/* u_int64_t: bit Q set = capture RX queue Q of the bound device; all ones
 * (the default) = every queue, including queues above 63, which no other
 * mask captures. Packets whose queue is unknown (sent by the host, devices
 * without queues) count as queue 0. 0 is EINVAL. */
#define PFR_SO_SET_CHANNEL_MASK 101
#define PFR_SO_ADD_FILTERING_RULE 102 /* filtering_rule */
#define PFR_SO_REMOVE_FILTERING_RULE 103 /* u_int16_t rule_id */
#define PFR_SO_TOGGLE_FILTER_POLICY 104 /* u_int32_t: 1 accept, 0 drop */
#define PFR_SO_SET_SAMPLING_RATE 105 /* u_int32_t: deliver 1 of N */
#define PFR_SO_ACTIVATE_RING 106 /* none */
#define PFR_SO_RING_BUCKET_LEN 107 /* u_int32_t caplen; before the ring exists */
#define PFR_SO_SET_RING_SLOTS 108 /* u_int32_t; before the ring exists */
#define PFR_SO_SET_APPL_NAME 110 /* char[], NUL not needed */
#define PFR_SO_SET_PACKET_DIRECTION 111 /* u_int32_t packet_direction */
#define PFR_SO_ADD_HASH_RULE 112 /* hash_filtering_rule */
#define PFR_SO_REMOVE_HASH_RULE 113 /* hash_filtering_rule (its 6-tuple) */
#define PFR_SO_DEACTIVATE_RING 117 /* none */
#define PFR_SO_SET_POLL_WATERMARK 118 /* u_int32_t, 1..num_slots */
/* u_int16_t seconds: remove hash rules no packet matched for that long
 * (counted from the add if none ever did; 0 removes all). */
#define PFR_SO_PURGE_IDLE_HASH_RULES 119
/* u_int16_t seconds: the same for wildcard rules; a rule with `locked` set
 * stays. */
#define PFR_SO_PURGE_IDLE_RULES 120

/* getsockopt(fd, PFR_SOL, ...) options. */
#define PFR_SO_GET_RING_VERSION 170 /* u_int32_t PFC_RING_VERSION */
#define PFR_SO_GET_RING_INFO 171 /* struct pfr_ring_info; creates the ring */
#define PFR_SO_GET_STATS 172 /* struct pfr_stats */
#define PFR_SO_GET_BOUND_DEVICE_ADDRESS 173 /* u_int8_t[6]; -ENODEV for "any" */
/*
 * in: u_int16_t rule_id; out: hash_filtering_rule_stats, or for a rule whose
 * plugin_action names a plugin with statistics, what that plugin writes (at
 * most PFR_RULE_STATS_MAX bytes; the returned length says how many).
 */
#define PFR_SO_GET_FILTERING_RULE_STATS 174
#define PFR_RULE_STATS_MAX 256
/*
 * in: hash_filtering_rule (its 6-tuple selects the rule; optlen must hold
 * the struct); out: as PFR_SO_GET_FILTERING_RULE_STATS, the rule's
 * hash_filtering_rule_stats or what its action plugin writes. ENOENT when
 * no hash rule has that 6-tuple.
 */
#define PFR_SO_GET_HASH_FILTERING_RULE_STATS 176
/* u_int32_t: RX queues of the bound device (real_num_rx_queues; 1 for
 * "any"). ENOTCONN unbound, ENODEV when the device is gone. */
#define PFR_SO_GET_NUM_RX_CHANNELS 175

/*
 * Sending: send()/sendto()/write() of one whole Ethernet frame on a socket
 * bound to a device transmits it there (dev_queue_xmit); returns the length.
 * Errors: ENOTCONN unbound, ENXIO bound to "any", EINVAL shorter than an
 * Ethernet header, EMSGSIZE longer than the device's MTU + link header
 * (+ 4 when the frame's EtherType is 802.1Q/802.1ad), ENETDOWN device down,
 * ENOBUFS the device queue dropped it, ENODEV the device is gone,
 * EOPNOTSUPP not an Ethernet (or loopback) device. A sendto() address is
 * ignored. MSG_DONTWAIT: EAGAIN instead of waiting for send-buffer space.
 * A socket capturing TX on that device sees its own frames.
 */

struct pfr_cluster_req {
	u_int32_t cluster_id;
	u_int32_t type; /* cluster_type */
};

struct pfr_ring_info {
	u_int32_t version; /* PFC_RING_VERSION of the kernel */
	u_int32_t num_slots;
	u_int32_t slot_size;
	u_int32_t reserved;
	u_int64_t total_bytes; /* bytes to mmap at offset 0 */
};

/* Counters of one socket since it was created. */
struct pfr_stats {
	u_int64_t recv; /* packets put in the ring */
	u_int64_t drop; /* packets lost because the ring was full */
	u_int64_t filtered; /* packets BPF or the rules kept out */
	u_int64_t sampled_out; /* packets the sampling rate skipped */
	u_int64_t reflected; /* copies sent by reflect/bounce rule actions */
};

#endif /* PF_RING_KABI_H */
