/*
 * pfring.h - the PF_RING C API (PF_RING User's Guide 5.4.6, chapter 8).
 *
 * Conventions (guide 8.2): functions returning int return a negative
 * PF_RING_ERROR_* code on error and set errno; non-negative means success.
 * Where a function returns something else it says so below. After any
 * failure, pfring_get_last_error() gives a message saying what was wrong.
 * No function aborts, exits or throws.
 *
 * A device name is [module:]device[@queue] (guide 8.3). Modules: pcap
 * (pcap:FILE), and the others listed by pfring_findalldevs(). Every call
 * works on every module or returns PF_RING_ERROR_NOT_SUPPORTED.
 */
#ifndef PFRING_H
#define PFRING_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/time.h>
#include <time.h>
#include <netinet/in.h>
/* What the PF_RING 5.x header includes: its programs rely on getting these. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "pfring_defs.h"

/* The 5.x header's name of the perfect-filter rule type (the guide's is
 * intel_82599_perfect_filter_hash_rule). */
#define intel_82599_perfect_filter_rule intel_82599_perfect_filter_hash_rule

#ifdef __cplusplus
extern "C" {
#endif

/* ---- versions ------------------------------------------------------- */
#define PFRING_LIB_VERSION_MAJOR 5
#define PFRING_LIB_VERSION_MINOR 4
#define PFRING_LIB_VERSION_PATCH 6
#define PFRING_LIB_VERSION_NUM RING_VERSION_NUM

/* ---- pfring_open() flags (guide 8.4) --------------------------------
 * The bit values of the PF_RING 5.x release header, so that programs
 * built against it (or that hard-code them, as dlopen() users do) pass the
 * same bits here. The last five are accepted; docs/compat.md says what
 * each does on which device. */
#define PF_RING_DNA_SYMMETRIC_RSS (1 << 0)
#define PF_RING_REENTRANT (1 << 1) /* several threads on one ring: an RX and a TX lock; a receive
                                     * waiting for traffic holds neither, so sends, filter changes
                                     * and stats from other threads go on meanwhile */
#define PF_RING_LONG_HEADER (1 << 2)
#define PF_RING_PROMISC (1 << 3)
#define PF_RING_TIMESTAMP (1 << 4)
#define PF_RING_HW_TIMESTAMP (1 << 5)
#define PF_RING_RX_PACKET_BOUNCE (1 << 6)
#define PF_RING_DNA_FIXED_RSS_Q_0 (1 << 7)
#define PF_RING_STRIP_HW_TIMESTAMP (1 << 8)
#define PF_RING_DO_NOT_PARSE (1 << 9)
#define PF_RING_DO_NOT_TIMESTAMP (1 << 10)

/* ---- return codes (guide 8.2) ---------------------------------------- */
#define PF_RING_ERROR_GENERIC -1
#define PF_RING_ERROR_INVALID_ARGUMENT -2
#define PF_RING_ERROR_NO_PKT_AVAILABLE -3
#define PF_RING_ERROR_NO_TX_SLOT_AVAILABLE -4
#define PF_RING_ERROR_WRONG_CONFIGURATION -5
#define PF_RING_ERROR_END_OF_DEMO_PERIOD -6
#define PF_RING_ERROR_END_OF_DEMO_MODE PF_RING_ERROR_END_OF_DEMO_PERIOD /* the 5.x header's name */
#define PF_RING_ERROR_NOT_SUPPORTED -7
#define PF_RING_ERROR_INVALID_LIB_VERSION -8
#define PF_RING_ERROR_UNKNOWN_ADAPTER -9
#define PF_RING_ERROR_NOT_ENOUGH_MEMORY -10
#define PF_RING_ERROR_INVALID_STATUS -11
#define PF_RING_ERROR_RING_NOT_ENABLED -12
/* A finite device (pcap:FILE) has delivered its last packet. */
#define PF_RING_ERROR_END_OF_FILE -13
/* A capture file is truncated or corrupt after the last good packet. */
#define PF_RING_ERROR_CORRUPT_INPUT -14
/* No such rule (remove, stats). */
#define PF_RING_ERROR_NOT_FOUND -15

#define PFRING_ERRBUF_SIZE 256
#define DEFAULT_POLL_WATERMARK 128
#define DEFAULT_POLL_DURATION_MS 500
#define DEFAULT_POLL_DURATION DEFAULT_POLL_DURATION_MS /* the 5.x header's name */

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

/* ---- packet header --------------------------------------------------- */

/* pcap-compatible header followed by PF_RING's extended header. */
struct pfring_pkthdr {
	struct timeval ts; /* arrival time (us) */
	u_int32_t caplen; /* bytes present in the buffer */
	u_int32_t len; /* bytes on the wire */
	struct pfring_extended_pkthdr extended_hdr;
};

/* Ring statistics (guide chapter 11). */
typedef struct {
	u_int64_t recv; /* packets delivered to the application */
	u_int64_t drop; /* packets lost by the device or the ring */
} pfring_stat;

typedef struct __pfring pfring;

/*
 * The ring handle. Its first members are public, as in the PF_RING 5.x
 * header, because 5.x programs read them directly (ring->fd, ring->mtu_len,
 * `if (ring->dna_get_num_tx_slots)`); everything after them is private to
 * the library, so never allocate, copy or take sizeof a struct __pfring.
 * The public members are filled in by pfring_open() and read-only to the
 * program:
 *   fd           pfring_get_selectable_fd(), or -1 when the device has none
 *   enabled      1 while the ring delivers (pfring_enable/disable_ring)
 *   mtu_len      pfring_get_mtu_size() at open
 *   caplen       the snap length in effect
 *   device_name  the name given to pfring_open()
 *   recv, send, send_ifindex, stats
 *                the same as pfring_recv(), pfring_send(), ... (5.x
 *                programs call them through the handle)
 *   dna_*        a DNA device's zero-copy TX slots; NULL on every device
 *                that has none (all of them, until the dna: module), so
 *                programs testing them take their normal path.
 */
#define PFRING_PUBLIC_HANDLE_FIELDS                                                              \
	int fd;                                                                                   \
	u_int8_t enabled;                                                                         \
	u_int16_t mtu_len;                                                                        \
	u_int32_t caplen;                                                                         \
	char *device_name;                                                                        \
	int (*recv)(pfring *, u_char **, u_int, struct pfring_pkthdr *, u_int8_t);                \
	int (*send)(pfring *, char *, u_int, u_int8_t);                                           \
	int (*send_ifindex)(pfring *, char *, u_int, u_int8_t, int);                              \
	int (*stats)(pfring *, pfring_stat *);                                                    \
	u_int (*dna_get_num_tx_slots)(pfring *);                                                  \
	u_int (*dna_get_num_rx_slots)(pfring *);                                                  \
	u_int (*dna_get_next_free_tx_slot)(pfring *);                                             \
	u_char *(*dna_copy_tx_packet_into_slot)(pfring *, u_int32_t, char *, u_int);              \
	u_int8_t (*dna_tx_ready)(pfring *);

struct __pfring {
	PFRING_PUBLIC_HANDLE_FIELDS
	/* private members follow */
};

/* Callback of pfring_loop(). */
typedef void (*pfringProcessPacket)(const struct pfring_pkthdr *h, const u_char *p,
				    const u_char *user_bytes);
/* The 5.x header's spelling of the same type. */
typedef pfringProcessPacket pfringProcesssPacket;

/* One entry of pfring_findalldevs(). */
typedef struct pfring_if {
	char *name; /* device name to give to pfring_open() */
	char *module; /* module serving it */
	char *description;
	u_int8_t mac[ETH_ALEN];
	int ifindex; /* -1 where there is none */
	u_int8_t num_rx_channels;
	struct pfring_if *next;
} pfring_if_t;

/* ---- open and close (guide 8.4, 8.5) --------------------------------- */

/*
 * Opens device_name ([module:]device[@queue]) with the given snaplen and
 * PF_RING_* flags. Returns a handle, or NULL with errno set (ENODEV unknown
 * module or device, ENOENT missing file, EINVAL bad name or queue syntax,
 * EPERM missing privileges, ENOMEM); the reason is then readable with
 * pfring_get_last_error(NULL, ...). Userland modules deliver from open on;
 * a pf_ring.ko ring ("kernel" module) drops packets until
 * pfring_enable_ring() (guide 8.14) or, when that is never called, the
 * first receive call.
 */
pfring *pfring_open(const char *device_name, u_int32_t caplen, u_int32_t flags);

/*
 * Opens one ring per RX queue of device_name (no @queue allowed) into ring[].
 * Returns the number of rings opened, as PF_RING 5.x's library does and
 * its programs expect (`for (i = 0; i < n; i++)`); 0 with ring[0] == NULL
 * when nothing could be opened (errno set). The guide (8.4) calls the
 * result the last valid index: a guide-style loop `for (i = 0; i <= n; i++)`
 * stays safe, as ring[n] is set to NULL (when n < MAX_NUM_RX_CHANNELS) and
 * every call given a NULL ring returns PF_RING_ERROR_INVALID_ARGUMENT
 * (pfring_close(NULL) does nothing).
 */
u_int8_t pfring_open_multichannel(const char *device_name, u_int32_t caplen,
				  u_int32_t flags, pfring *ring[MAX_NUM_RX_CHANNELS]);

/*
 * Which module pfring_open() would give device_name to, without opening
 * it: the module's name is copied into module (module_len bytes with the
 * terminating NUL). An addition to the guide's API (the libpcap shim uses
 * it to decide which names are PF_RING's). Returns 1 when the name says
 * its module ("sim:..."), 0 for a plain name (the default module: "kernel"
 * when pf_ring.ko is loaded, else "packet"), PF_RING_ERROR_NOT_FOUND for
 * an unknown module prefix, PF_RING_ERROR_INVALID_ARGUMENT for a name
 * that does not parse or a buffer too small.
 */
int pfring_device_module(const char *device_name, char *module, u_int module_len);

/*
 * Closes the ring and frees everything it holds. NULL is ignored.
 * Other threads may be waiting on the ring: a receive waiting for traffic,
 * pfring_loop() or pfring_poll() is woken (within 100 ms) and returns
 * PF_RING_ERROR_INVALID_STATUS, and the ring is freed only once they have
 * returned. On a PF_RING_REENTRANT ring every call in progress is waited
 * for; on others a call that is not waiting (one thread at a time is the
 * contract there) must not race the close. Called from inside a
 * pfring_loop() callback of this ring, the loop ends and frees it as it
 * returns. A call after pfring_close() returned is the caller's error.
 */
void pfring_close(pfring *ring);

/* ---- receive (guide 8.6) -------------------------------------------- */
/* A receive with wait_for_incoming_packet 0 never waits on the device: it
 * returns 0 once up to 16 bursts (1024 packets) all failed the filters or
 * were reflected, or after a stop request; a reflection never waits for
 * room in a full TX ring (it is dropped, as a NIC drops it). */

/*
 * Receives one packet. buffer_len > 0: copies up to buffer_len bytes into
 * *buffer (caplen in hdr says how many). buffer_len == 0: zero copy, *buffer
 * points into the ring and stays valid until the next receive on this ring.
 * Returns 1 with a packet, 0 when none is ready and wait_for_incoming_packet
 * is 0, PF_RING_ERROR_END_OF_FILE after the last packet of a finite device,
 * another negative code on error. Zero-copy buffers stay valid until the
 * next receive or pfring_next_pkt_time() on this ring.
 */
int pfring_recv(pfring *ring, u_char **buffer, u_int buffer_len, struct pfring_pkthdr *hdr,
		u_int8_t wait_for_incoming_packet);

/*
 * As pfring_recv(), with hdr->extended_hdr.parsed_pkt filled up to level
 * (2 L2, 3 L3, 4 L4, 5 tunnel). As in pf_ring.ko, the whole packet is
 * parsed before caplen or buffer_len cut it: parsed_pkt describes the
 * packet on the wire (up to the device's capture), not only the bytes
 * handed over. add_timestamp fills ts when it is zero; add_hash fills
 * pkt_hash with the bidirectional hash when it is zero. Same return values
 * as pfring_recv().
 */
int pfring_recv_parsed(pfring *ring, u_char **buffer, u_int buffer_len, struct pfring_pkthdr *hdr,
		       u_int8_t wait_for_incoming_packet, u_int8_t level, u_int8_t add_timestamp,
		       u_int8_t add_hash);

/* The guide's spellings (8.6). */
#define pfring_rcv pfring_recv
#define pfring_rcv_parsed pfring_recv_parsed

/*
 * Burst receive, zero copy: fills up to max_packets entries of buffers[] and
 * hdrs[]; the buffers stay valid until the next receive on this ring.
 * Returns the number received (0 when none is ready and
 * wait_for_incoming_packet is 0), PF_RING_ERROR_END_OF_FILE after the last
 * packet of a finite device, another negative code on error.
 */
int pfring_recv_burst(pfring *ring, u_char **buffers, struct pfring_pkthdr *hdrs,
		      u_int max_packets, u_int8_t wait_for_incoming_packet);

/*
 * Calls looper for every packet until pfring_breakloop() or the end of a
 * finite device. Returns 0 after breakloop or end of file, a negative code
 * on error (a corrupt capture file gives PF_RING_ERROR_CORRUPT_INPUT after
 * its last good packet).
 */
int pfring_loop(pfring *ring, pfringProcessPacket looper, const u_char *user_bytes,
		u_int8_t wait_for_packet);

/*
 * Makes pfring_loop() return 0, or a pfring_recv()/pfring_recv_burst()
 * waiting for a packet return 0 (the request is then used up). Safe from
 * a signal handler and from other threads.
 */
void pfring_breakloop(pfring *ring);

/*
 * Arrival time of the next packet the ring will deliver (after BPF, rules
 * and sampling), without consuming it; does not wait. Returns 0,
 * PF_RING_ERROR_NO_PKT_AVAILABLE when none is ready,
 * PF_RING_ERROR_END_OF_FILE, or another negative code. It may read ahead:
 * a zero-copy buffer from an earlier receive is then no longer valid.
 */
int pfring_next_pkt_time(pfring *ring, struct timespec *ts);

/* Raw (hardware) timestamp of the next packet in ns; as pfring_next_pkt_time(). */
int pfring_next_pkt_raw_timestamp(pfring *ring, u_int64_t *timestamp_ns);

/* ---- clusters (guide 8.7) ------------------------------------------- */

/* Joins cluster clusterId with the_type balancing. 0 or a negative code. */
int pfring_set_cluster(pfring *ring, u_int clusterId, cluster_type the_type);

/* Leaves the cluster. 0, or a negative code (not in a cluster). */
int pfring_remove_from_cluster(pfring *ring);

/* ---- sampling (guide 8.9) ------------------------------------------- */

/*
 * Delivers 1 packet out of rate among those that pass all filters
 * (rate 1 = no sampling). 0, or PF_RING_ERROR_INVALID_ARGUMENT for rate 0.
 */
int pfring_set_sampling_rate(pfring *ring, u_int32_t rate);

/* ---- wildcard rules (guide 8.10.1) ---------------------------------- */

/*
 * Adds a wildcard rule; rules run in increasing rule_id order. 0, or a
 * negative code: PF_RING_ERROR_INVALID_ARGUMENT (id in use, bad action, bad
 * port range), PF_RING_ERROR_NOT_SUPPORTED (reflect/bounce on a module that
 * cannot transmit).
 */
int pfring_add_filtering_rule(pfring *ring, filtering_rule *rule_to_add);

/* Removes rule rule_id. 0, or PF_RING_ERROR_NOT_FOUND. */
int pfring_remove_filtering_rule(pfring *ring, u_int16_t rule_id);

/*
 * Copies the rule's hash_filtering_rule_stats into stats; *stats_len is in:
 * buffer size, out: bytes written. 0, PF_RING_ERROR_NOT_FOUND, or
 * PF_RING_ERROR_INVALID_ARGUMENT when the buffer is too small.
 */
int pfring_get_filtering_rule_stats(pfring *ring, u_int16_t rule_id, char *stats,
				    u_int *stats_len);

/* Removes unlocked rules idle for inactivity_sec or more. Returns the number removed. */
int pfring_purge_idle_rules(pfring *ring, u_int16_t inactivity_sec);

/* ---- hash rules (guide 8.10.2) -------------------------------------- */

/*
 * add_rule > 0 adds rule_to_add, 0 removes the rule with the same 6-tuple.
 * 0, or a negative code (PF_RING_ERROR_NOT_FOUND when removing a missing
 * rule, PF_RING_ERROR_INVALID_ARGUMENT when adding a duplicate tuple).
 */
int pfring_handle_hash_filtering_rule(pfring *ring, hash_filtering_rule *rule_to_add,
				      u_char add_rule);

/* As pfring_get_filtering_rule_stats(), for the hash rule with rule's 6-tuple. */
int pfring_get_hash_filtering_rule_stats(pfring *ring, hash_filtering_rule *rule, char *stats,
					 u_int *stats_len);

/* Removes hash rules idle for inactivity_sec or more. Returns the number removed. */
int pfring_purge_idle_hash_rules(pfring *ring, u_int16_t inactivity_sec);

/* ---- BPF (guide 8.10.3) --------------------------------------------- */

/*
 * Compiles filter_buffer with libpcap (DLT_EN10MB) and applies it. 0, or
 * PF_RING_ERROR_INVALID_ARGUMENT with libpcap's message in
 * pfring_get_last_error(). The previous filter stays on error.
 */
int pfring_set_bpf_filter(pfring *ring, const char *filter_buffer);

/*
 * Applies an already compiled classic BPF program (e.g. from pcap_compile()
 * for DLT_EN10MB), copied: the caller may free it afterwards. An addition to
 * the guide's API (the libpcap shim's pcap_setfilter). 0, or
 * PF_RING_ERROR_INVALID_ARGUMENT (NULL, empty, or not valid BPF: the reason
 * in pfring_get_last_error()); the previous filter stays on error.
 */
struct bpf_program;
int pfring_set_bpf_program(pfring *ring, const struct bpf_program *program);

/* Removes the BPF filter. 0, or PF_RING_ERROR_NOT_FOUND when none is set. */
int pfring_remove_bpf_filter(pfring *ring);

/* ---- in-NIC filtering (guide 8.11) ---------------------------------- */

/* Adds a NIC steering rule. 0, or PF_RING_ERROR_NOT_SUPPORTED / another code. */
int pfring_add_hw_rule(pfring *ring, hw_filtering_rule *rule);

/* Removes the NIC rule with rule->rule_id (guide 8.11 signature). 0 or a negative code. */
int pfring_remove_hw_rule(pfring *ring, hw_filtering_rule *rule);

/* Where rules go: hardware, software or both. 0 or a negative code. */
int pfring_set_filtering_mode(pfring *ring, filtering_mode mode);

/* ---- policy (guide 8.12) -------------------------------------------- */

/* rules_default_accept_policy > 0: packets no rule matched are delivered; 0: dropped. Returns 0. */
int pfring_toggle_filtering_policy(pfring *ring, u_int8_t rules_default_accept_policy);

/* ---- transmission (guide 8.13) -------------------------------------- */
/*
 * The packet: PF_RING 5.x declares `char *pkt`, the guide writes
 * `u_char *pkt`, and programs pass either, const or not. The functions are
 * declared as the release spelled them (`char *`: bindings generated from
 * the declaration, such as Go's cgo, pass a C char pointer and accept
 * nothing else), and each call in C or C++ source goes through a macro of
 * the same name that takes any object pointer, as a `const void *`
 * parameter would, so both spellings compile under -Wall -Werror. Taking the
 * function's address (`pfring_send` without a call) is unaffected; a
 * program that must avoid the macro writes `(pfring_send)(...)`. The
 * library never writes through pkt.
 */
static inline char *pfring_pkt_arg_(const void *pkt)
{
	return (char *)pkt;
}

/*
 * Sends pkt as is. Returns the bytes sent, PF_RING_ERROR_NOT_SUPPORTED on a
 * receive-only module, PF_RING_ERROR_NO_TX_SLOT_AVAILABLE when the TX ring
 * is full, another negative code on error.
 * flush_packet 0 (as PF_RING 5.x's batched TX): the frame is copied into
 * the handle's train and the call returns its length; the train goes to
 * the device as one burst (one doorbell) at the next send with
 * flush_packet 1, at pfring_flush_tx_packets(), when it holds 64 frames,
 * when the interface changes, or at pfring_close(). Frames the device
 * refuses then are dropped and counted ("tx_train_dropped" in
 * pfring_get_device_stats_json); the flushing call returns the error.
 */
int pfring_send(pfring *ring, char *pkt, u_int pkt_len, u_int8_t flush_packet);
#define pfring_send(ring, pkt, pkt_len, flush_packet) \
	pfring_send((ring), pfring_pkt_arg_(pkt), (pkt_len), (flush_packet))

/* Sends what pfring_send(..., 0) queued. 0, or the device's negative code
 * (the frames it refused are dropped and counted). */
int pfring_flush_tx_packets(pfring *ring);

/* As pfring_send() on interface if_index. */
int pfring_send_ifindex(pfring *ring, char *pkt, u_int pkt_len, u_int8_t flush_packet,
			int if_index);
#define pfring_send_ifindex(ring, pkt, pkt_len, flush_packet, if_index) \
	pfring_send_ifindex((ring), pfring_pkt_arg_(pkt), (pkt_len), (flush_packet), (if_index))

/* As pfring_send(), storing the TX (hardware) timestamp in ts. */
int pfring_send_get_time(pfring *ring, char *pkt, u_int pkt_len, struct timespec *ts);
#define pfring_send_get_time(ring, pkt, pkt_len, ts) \
	pfring_send_get_time((ring), pfring_pkt_arg_(pkt), (pkt_len), (ts))

/* Sends the last received packet on interface tx_interface_id. 0 or a negative code. */
int pfring_send_last_rx_packet(pfring *ring, int tx_interface_id);

/* ---- miscellaneous (guide 8.14) ------------------------------------- */

/* Enables the ring (packets are delivered). 0 or a negative code. */
int pfring_enable_ring(pfring *ring);

/* Disables the ring (packets are dropped, not counted). 0 or a negative code. */
int pfring_disable_ring(pfring *ring);

/* Fills stats with packets delivered and dropped. 0 or a negative code. */
int pfring_stats(pfring *ring, pfring_stat *stats);

/* Writes RING_VERSION_NUM (0x050406 for 5.4.6) into *version. 0 or a negative code. */
int pfring_version(pfring *ring, u_int32_t *version);

/* The library version without a ring: RING_VERSION_NUM. */
u_int32_t pfring_version_noring(void);

/* Delivers only packets of this direction. 0 or a negative code. */
int pfring_set_direction(pfring *ring, packet_direction direction);

/* Declares whether the ring sends, receives or both. 0 or a negative code. */
int pfring_set_socket_mode(pfring *ring, socket_mode mode);

/*
 * Waits up to wait_duration ms for a packet. Returns 1 when a packet (or the
 * end of a finite device) is ready, 0 on timeout, a negative code on error.
 */
int pfring_poll(pfring *ring, u_int wait_duration);

/* Poll watermark (default 128, at most half the ring). 0 or a negative code. */
int pfring_set_poll_watermark(pfring *ring, u_int16_t watermark);

/* Packets queued before TX goes to the wire. 0 or a negative code. */
int pfring_set_tx_watermark(pfring *ring, u_int16_t watermark);

/* Poll timeout in ms for passive waits. 0 or a negative code. */
int pfring_set_poll_duration(pfring *ring, u_int duration);

/* Application name shown in /proc/net/pf_ring. 0 or a negative code. */
int pfring_set_application_name(pfring *ring, const char *name);

/* MAC of the bound device. 0, or PF_RING_ERROR_NOT_SUPPORTED where there is none. */
int pfring_get_bound_device_address(pfring *ring, u_char mac_address[6]);

/* Interface index of the bound device into *device_id. 0 or a negative code. */
int pfring_get_bound_device_id(pfring *ring, int *device_id);

/* Number of RX queues of the bound device; 1 when unknown. */
u_int8_t pfring_get_num_rx_channels(pfring *ring);

/* A file descriptor that poll()/select() report readable when packets wait; negative if none. */
int pfring_get_selectable_fd(pfring *ring);

/* Rehashes received packets with the bidirectional hash. 0 or a negative code. */
int pfring_enable_rss_rehash(pfring *ring);

/* Device clock (hardware timestamping adapters). 0 or a negative code. */
int pfring_get_device_clock(pfring *ring, struct timespec *ts);
int pfring_set_device_clock(pfring *ring, struct timespec *ts);
/* sign >= 0 adds offset, < 0 subtracts it. */
int pfring_adjust_device_clock(pfring *ring, struct timespec *offset, int8_t sign);

/* Turns RX/TX hardware timestamping on or off. 0 or a negative code. */
int pfring_enable_hw_timestamp(pfring *ring, const char *device_name, u_int8_t enable_rx,
			       u_int8_t enable_tx);

/*
 * Parses pkt (hdr->caplen bytes) into hdr->extended_hdr.parsed_pkt up to
 * level (2 L2, 3 L3, 4 L4, 5 tunnel). A non-zero l3_offset / l4_offset in
 * hdr means L2 / L3 were already parsed and are kept (guide 8.14); pass a
 * zeroed hdr->extended_hdr.parsed_pkt otherwise. add_timestamp fills a zero
 * hdr->ts with the current time; add_hash fills a zero pkt_hash with the
 * bidirectional hash. Never reads past hdr->caplen. Returns the topmost
 * level parsed (0 when not even an Ethernet header fits), or
 * PF_RING_ERROR_INVALID_ARGUMENT for NULL arguments.
 */
int pfring_parse_pkt(u_char *pkt, struct pfring_pkthdr *hdr, u_int8_t level,
		     u_int8_t add_timestamp, u_int8_t add_hash);

/* ---- additions ------------------------------------------------------- */

/*
 * Copies the last error message of ring (or, with ring NULL, of this
 * thread's last failed pfring_open()) into buf (NUL-terminated, truncated to
 * len). Thread-safe. Returns the message length, 0 when there is none.
 */
int pfring_get_last_error(pfring *ring, char *buf, size_t len);

/*
 * Lists the devices every module can open. Returns a list to free with
 * pfring_freealldevs(), or NULL with errno set (ENOMEM), or NULL with errno
 * 0 when there are none.
 */
pfring_if_t *pfring_findalldevs(void);
void pfring_freealldevs(pfring_if_t *list);

/* Name of the module serving ring ("pcap", ...); NULL for NULL. */
const char *pfring_get_module_name(pfring *ring);

/*
 * Module counters as a JSON object text (e.g. {"packets":10,"bytes":640})
 * into buf. Returns its length, or a negative code (buffer too small:
 * PF_RING_ERROR_INVALID_ARGUMENT).
 */
int pfring_get_device_stats_json(pfring *ring, char *buf, size_t len);

/* ---- calls of the PF_RING 5.x release header (not in the guide) -------
 * Programs written for 5.x call these; docs/compat.md says what each does
 * here. Same conventions as above. */

/* The interface index of the bound device into *if_index (as
 * pfring_get_bound_device_id). */
int pfring_get_bound_device_ifindex(pfring *ring, int *if_index);
/* The interface index of the network device device_name (ring may be
 * any open ring; it receives the error message). PF_RING_ERROR_UNKNOWN_ADAPTER
 * when there is no such interface. */
int pfring_get_device_ifindex(pfring *ring, char *device_name, int *if_index);
/* val with a ' between groups of three digits (and two decimals when
 * add_decimals) into buf; returns buf. */
char *pfring_format_numbers(double val, char *buf, u_int buf_len, u_int8_t add_decimals);
/* Real-time scheduling for the calling process (SCHED_FIFO at
 * cpu_percentage, clamped to the valid priorities; 0 leaves it alone).
 * A refusal (no CAP_SYS_NICE) is reported on stderr once; nothing else. */
void pfring_config(u_short cpu_percentage);
/* Every packet delivered on ring is sent out of device_name too (opened
 * now; NULL or "" stops it). */
int pfring_set_reflector_device(pfring *ring, char *device_name);
/* Ends pfring_loop/blocking receives (pfring_breakloop) and makes every
 * later receive fail with PF_RING_ERROR_INVALID_STATUS; close it next. */
void pfring_shutdown(pfring *ring);
/* pf_ring.ko's in-kernel loopback test: PF_RING_ERROR_NOT_SUPPORTED (no
 * module has it). */
int pfring_loopback_test(pfring *ring, char *buffer, u_int buffer_len, u_int test_len);
/* 1 when a packet (or the end of a finite device) is ready now, else 0. */
int pfring_is_pkt_available(pfring *ring);
/* Nothing to do: every module gives consumed slots back at each receive. */
void pfring_sync_indexes_with_kernel(pfring *ring);
/* The application's own statistics text (at most 4096 bytes kept): shown
 * as "application_stats" by pfring_get_device_stats_json(). 0, or
 * PF_RING_ERROR_INVALID_ARGUMENT for NULL. */
int pfring_set_application_stats(pfring *ring, char *stats);
/* Where 5.x's pf_ring.ko shows them (/proc/net/pf_ring/stats/...): no
 * module writes them to a file here, so NULL (the reason in
 * pfring_get_last_error). */
char *pfring_get_appl_stats_file_name(pfring *ring, char *path, u_int path_len);
/* One line describing a packet from its parsed header (h->extended_hdr.
 * parsed_pkt; parsed here to L4 when h was never parsed): MACs, VLAN,
 * ethertype, IP version and protocol, addresses and ports, TCP flags,
 * tunnel, lengths. snprintf's convention: returns the length of the whole
 * line, writes at most buff_len bytes (NUL-terminated);
 * PF_RING_ERROR_INVALID_ARGUMENT for a NULL buff or h. */
int pfring_print_parsed_pkt(char *buff, u_int buff_len, const u_char *p, const struct pfring_pkthdr *h);
/* The same for raw bytes (len on the wire, caplen present): parses them first. */
int pfring_print_pkt(char *buff, u_int buff_len, const u_char *p, u_int len, u_int caplen);
/* Seconds local time is ahead of UTC at t (0: now), e.g. 3600 for CET. */
int32_t gmt_to_local(time_t t);
/* addr6 as text, in a buffer of the calling thread that the next call reuses. */
char *in6toa(struct in6_addr addr6);
/* DNA TX slots: PF_RING_ERROR_NOT_SUPPORTED until the dna module exists. */
int pfring_copy_tx_packet_into_slot(pfring *ring, u_int16_t tx_slot_id, char *buffer, u_int len);
/* pfring_open with a kernel packet-consumer plugin: plugin 0 is a plain
 * pfring_open; other ids fail (NULL, errno EOPNOTSUPP): packets reach
 * pf_ring.ko plugins through rules (guide chapter 10), not as consumers. */
pfring *pfring_open_consumer(const char *device_name, u_int32_t caplen, u_int32_t flags, u_int8_t consumer_plugin_id,
			     char *consumer_data, u_int consumer_data_len);
/* Capture only RX queue channel_id: the queue of a name given as DEV@Q
 * (PF_RING_ERROR_INVALID_ARGUMENT for another id); devices of one queue
 * take 0. */
int pfring_set_channel_id(pfring *ring, u_int32_t channel_id);
/* The device is chosen by pfring_open: binding to that same device is 0,
 * to another PF_RING_ERROR_NOT_SUPPORTED (open a ring on it instead). */
int pfring_bind(pfring *ring, char *device_name);
/* pfring_send of hdr->caplen bytes of pkt (the header's other fields are
 * not transmitted). */
int pfring_send_parsed(pfring *ring, char *pkt, struct pfring_pkthdr *hdr, u_int8_t flush_packet);
/* The MTU of the bound interface, or the ring's caplen when the device is
 * not an interface (files, software NICs). */
int pfring_get_mtu_size(pfring *ring);

/* Bundles: several rings read as one (5.x). */
#define MAX_NUM_BUNDLE_ELEMENTS 32
typedef enum {
	pick_round_robin = 0, /* the next ring, in turn, that has a packet */
	pick_fifo /* the ring whose next packet is the oldest */
} bundle_read_policy;
typedef struct {
	bundle_read_policy policy;
	u_int16_t num_sockets, last_read_socket;
	pfring *sockets[MAX_NUM_BUNDLE_ELEMENTS];
	struct pollfd pfd[MAX_NUM_BUNDLE_ELEMENTS];
} pfring_bundle;

/* Empties *bundle with policy p. */
void pfring_bundle_init(pfring_bundle *bundle, bundle_read_policy p);
/* Adds ring (enabling it). 0, or PF_RING_ERROR_INVALID_ARGUMENT (NULL, full). */
int pfring_bundle_add(pfring_bundle *bundle, pfring *ring);
/* As pfring_recv, from the ring the policy picks. 1 with a packet, 0 none
 * (not waiting), PF_RING_ERROR_END_OF_FILE once every ring has ended, or
 * the error of a ring. */
int pfring_bundle_read(pfring_bundle *bundle, u_char **buffer, u_int buffer_len, struct pfring_pkthdr *hdr,
		       u_int8_t wait_for_incoming_packet);
/* Forgets the rings (they stay open). */
void pfring_bundle_destroy(pfring_bundle *bundle);
/* Closes every ring and empties the bundle. */
void pfring_bundle_close(pfring_bundle *bundle);

#ifdef __cplusplus
}
#endif

/* libzero (guide chapter 9): the DNA Cluster and the DNA Bouncer. */
#include "pfring_zero.h"

#endif /* PFRING_H */
