/*
 * pfr_test.h - what the parts of the guest test client share: the ring
 * handle, the tally of test frames, the helpers (pfr_test_lib.c) and the
 * tests (pfr_test_filters.c, pfr_test_features.c) that main (pfr_test.c)
 * dispatches to.
 */
#ifndef PFR_TEST_H
#define PFR_TEST_H

#define _GNU_SOURCE /* unshare, CLONE_NEWNET */

#include <arpa/inet.h>
#include <errno.h>
#include <glob.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pf_ring_kabi.h"
#include "plugins/dummy_plugin.h"
#include "ring.h"



#define TEST_DPORT 9000
#define FRAME_LEN 64
#define MAX_SEQ 4096

extern const char *rxdev, *txdev;

struct ring {
	int fd;
	struct pfc_ring_hdr *hdr;
	size_t bytes;
	struct pfc_ring_consumer cons; /* geometry and remove index, copied at open (ring.h) */
};

/* What a ring saw of the test frames. */
struct tally {
	uint32_t frames, others, dups, rx, tx;
	uint32_t per_flow[64];
	uint32_t per_dport[4]; /* frames to 9000..9003 */
	uint8_t last_dst[4][6]; /* destination MAC of the last frame per dport */
	uint64_t queue_bits; /* bit q: a frame of RX queue q (mod 64) */
	uint8_t seen[MAX_SEQ];
};

/* Called by ring_scan for each slot of ring `ring`; 1 counts it as a hit. */
typedef int (*slot_fn)(int ring, const struct pfc_slot_hdr *s, const uint8_t *p, void *ctx);

/* pfr_test_lib.c */
__attribute__((format(printf, 1, 2))) int fail(const char *fmt, ...);
int family(void);
int sopt(const struct ring *r, int opt, const void *v, socklen_t len);
int sopt_u32(const struct ring *r, int opt, uint32_t v);
int ring_open(struct ring *r, const char *dev);
void ring_close(struct ring *r);
int ring_start(struct ring *r, const char *dev);
uint32_t ring_drain(struct ring *r, struct tally *t);
void drain_all(struct ring *rings, struct tally *tallies, int n, uint32_t want, int ms);
uint16_t ip_csum(const uint8_t *h, int len);
void dev_mac(const char *dev, uint8_t mac[6]);
int raw_socket(const char *dev);
int send_raw(const char *dev, const void *frame, size_t len);
int send_frames(const char *dev, uint32_t first_seq, uint32_t count, uint32_t flows, uint16_t dport);
/*
 * Non-zero: send_frames varies the middle bytes of the source address per
 * flow too. The guest's igb hashes addresses with a key Linux picks at
 * random each boot and maps one hash bit to the queue: flows that differ
 * only in a few low bits all land on one queue for some keys.
 */
extern int spread_sources;
int attach_vlan_filter(const struct ring *r, uint16_t vid);
int attach_udp_port_filter(const struct ring *r, uint16_t dport);
int ring_start_test_frames(struct ring *r, const char *dev);
int get_stats(const struct ring *r, struct pfr_stats *st);
uint32_t ring_scan(struct ring *rings, int n, slot_fn fn, void *ctx, uint32_t want, int ms);
void ip_csum_set(uint8_t *h);

/* pfr_test_filters.c: capture, overflow, hostile header, watermark, BPF, sampling, rules */
int test_capture(void);
int test_overflow(void);
int test_hostile(void);
int test_watermark(void);
int test_bpf(void);
int test_sampling(void);
int test_rules(void);
int test_hashrule(void);
int test_purge(void);

/* pfr_test_features.c: clusters, transparent modes, plugins, TX capture, netns, stress */
int test_cluster(uint32_t type);
long long ip_in_receives(void);
int proc_says(const char *key, const char *value);
int test_transparent(int mode);
filtering_rule udp_rule(uint16_t id, rule_action_behaviour action, uint16_t dport);
int test_plugin_absent(void);
int test_plugin(void);
int test_tx(int expect);
int test_netns(void);
int test_open(void);
int test_quick(void);
int test_broadcast_loop(void);
int hold(const char *dev, int secs);
double now_s(void);
int flood(const char *dev, int secs);
int churn(const char *dev, int secs, unsigned int seed);
int test_eperm(void);

/* pfr_test_send.c: send() on a socket, reflect and bounce */
int test_send(void);
int test_send_netns(void);
int test_reflect(void);

/* pfr_test_datapath.c: RX queues, VLAN tags, IPv4 reassembly */
int test_channels(uint32_t min_queues);
int test_vlan(void);
int test_defrag(int on);

#endif /* PFR_TEST_H */
