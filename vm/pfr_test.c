/*
 * pfr_test - the guest-side test client of pf_ring.ko (vm/scenarios).
 *
 * Opens PF_RING sockets through the ABI of src/core/pf_ring_kabi.h, maps
 * the ring (src/core/ring.h), sends its own test frames through AF_PACKET
 * and checks what each ring received. Every test frame is an IPv4/UDP
 * frame to the broadcast MAC carrying "PFRT", a sequence number and a flow
 * number; addresses are in 127.0.0.0/8 so the frames never mean anything
 * outside the guest's private hub.
 *
 *   pfr_test TEST [RXDEV TXDEV]     prints "ok: ..." or "FAIL: ..."; exit 0/1
 *
 * Tests: open, eperm, capture, hostile, overflow, watermark, bpf, sampling, rules,
 * hashrule, cluster-rr, cluster-flow, reflect, transparent (PFR_MODE=0|1|2),
 * plugin, plugin-absent, tx, no-tx, netns, quick; "hold SECS" keeps a ring open on lo, "hold-dev
 * DEV SECS" on DEV; "flood DEV SECS" sends, "churn DEV SECS [SEED]" opens
 * and closes sockets with random options (stress). PFR_FAMILY in the environment overrides the protocol
 * family (pf_ring_family= of the module).
 */
#define _GNU_SOURCE
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

static const char *rxdev = "eth1", *txdev = "eth0";

static int fail(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return 1;
}

static int family(void)
{
	const char *f = getenv("PFR_FAMILY");

	return f ? atoi(f) : PFR_FAMILY_DEFAULT;
}

struct ring {
	int fd;
	struct pfc_ring_hdr *hdr;
	size_t bytes;
};

static int sopt(const struct ring *r, int opt, const void *v, socklen_t len)
{
	return setsockopt(r->fd, PFR_SOL, opt, v, len);
}

static int sopt_u32(const struct ring *r, int opt, uint32_t v)
{
	return sopt(r, opt, &v, sizeof(v));
}

/* Opens, binds and maps a ring; 0 or -errno. Not activated. */
static int ring_open(struct ring *r, const char *dev)
{
	struct pfr_sockaddr a;
	struct pfr_ring_info info;
	socklen_t len = sizeof(info);
	int err;

	memset(r, 0, sizeof(*r));
	r->fd = socket(family(), SOCK_RAW, htons(ETH_P_ALL));
	if (r->fd < 0)
		return -errno;
	memset(&a, 0, sizeof(a));
	a.family = (uint16_t)family();
	snprintf(a.dev, sizeof(a.dev), "%s", dev);
	if (bind(r->fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		goto err;
	if (getsockopt(r->fd, PFR_SOL, PFR_SO_GET_RING_INFO, &info, &len) < 0)
		goto err;
	if (info.version != PFC_RING_VERSION) {
		errno = EPROTO;
		goto err;
	}
	r->bytes = info.total_bytes;
	r->hdr = mmap(NULL, r->bytes, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (r->hdr == MAP_FAILED)
		goto err;
	if (pfc_ring_check(r->hdr, r->bytes, NULL)) {
		errno = EPROTO;
		goto err;
	}
	return 0;
err:
	err = errno;
	close(r->fd);
	r->fd = -1;
	return -err;
}

static void ring_close(struct ring *r)
{
	if (r->hdr && r->hdr != MAP_FAILED)
		munmap(r->hdr, r->bytes);
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->hdr = NULL;
}

static int ring_start(struct ring *r, const char *dev)
{
	int err = ring_open(r, dev);

	if (err)
		return err;
	return sopt(r, PFR_SO_ACTIVATE_RING, NULL, 0) ? -errno : 0;
}

/* What a ring saw of the test frames. */
struct tally {
	uint32_t frames, others, dups, rx, tx;
	uint32_t per_flow[64];
	uint32_t per_dport[4]; /* frames to 9000..9003 */
	uint8_t last_dst[4][6]; /* destination MAC of the last frame per dport */
	uint8_t seen[MAX_SEQ];
};

/* Reads everything queued; returns the number of slots read. */
static uint32_t ring_drain(struct ring *r, struct tally *t)
{
	uint32_t n = pfc_ring_peek(r->hdr, r->hdr->num_slots), i;

	for (i = 0; i < n; i++) {
		const struct pfc_slot_hdr *s = pfc_ring_slot(r->hdr, r->hdr->remove_idx + i);
		const uint8_t *p = (const uint8_t *)(s + 1);
		uint32_t seq, flow;

		if (s->caplen >= 54 && !memcmp(p + 42, "PFRT", 4)) {
			memcpy(&seq, p + 46, 4);
			memcpy(&flow, p + 50, 4);
			seq = ntohl(seq);
			flow = ntohl(flow);
			t->frames++;
			if (seq < MAX_SEQ && t->seen[seq]++)
				t->dups++;
			t->per_flow[flow % 64]++;
			if (p[36] == (TEST_DPORT >> 8) && (uint8_t)(p[37] - (TEST_DPORT & 0xff)) < 4) {
				t->per_dport[(uint8_t)(p[37] - (TEST_DPORT & 0xff))]++;
				memcpy(t->last_dst[(uint8_t)(p[37] - (TEST_DPORT & 0xff))], p, 6);
			}
			if (s->rx_direction)
				t->rx++;
			else
				t->tx++;
		} else {
			t->others++;
		}
	}
	pfc_ring_release(r->hdr, n);
	return n;
}

/* Drains rings until `want` test frames arrived in total or ms passed. */
static void drain_all(struct ring *rings, struct tally *tallies, int n, uint32_t want, int ms)
{
	struct timespec start, now;
	uint32_t got;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		got = 0;
		for (i = 0; i < n; i++) {
			ring_drain(&rings[i], &tallies[i]);
			got += tallies[i].frames;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((got >= want && want) ||
		    (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 > ms)
			break;
		usleep(2000);
	}
	/* late duplicates or extras would show up here */
	usleep(50000);
	for (i = 0; i < n; i++)
		ring_drain(&rings[i], &tallies[i]);
}

static uint16_t ip_csum(const uint8_t *h, int len)
{
	uint32_t sum = 0;
	int i;

	for (i = 0; i < len; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The MAC address of dev (zeros when unknown). */
static void dev_mac(const char *dev, uint8_t mac[6])
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(mac, 0, 6);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (fd >= 0 && !ioctl(fd, SIOCGIFHWADDR, &ifr))
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (fd >= 0)
		close(fd);
}

/* Sends count frames: seq first_seq.., flow = seq % flows, dport given. */
static int send_frames(const char *dev, uint32_t first_seq, uint32_t count, uint32_t flows,
		       uint16_t dport)
{
	struct sockaddr_ll sll;
	uint8_t f[FRAME_LEN], mac[6];
	uint32_t i, seq, flow;
	int fd, err = 0;

	dev_mac(dev, mac);

	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0)
		return -errno;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(dev);
	sll.sll_protocol = htons(ETH_P_ALL);
	if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		close(fd);
		return -ENODEV;
	}
	for (i = 0; i < count; i++) {
		seq = first_seq + i;
		flow = flows ? seq % flows : 0;
		memset(f, 0, sizeof(f));
		memset(f, 0xff, 6); /* broadcast: the peer NIC accepts it */
		memcpy(f + 6, mac, 6);
		f[12] = 0x08;
		f[14] = 0x45; /* IPv4, 20-byte header */
		f[16] = 0;
		f[17] = FRAME_LEN - 14;
		f[22] = 64; /* TTL */
		f[23] = 17; /* UDP */
		memcpy(f + 26, "\x7f\x00\x00\x01", 4);
		memcpy(f + 30, "\x7f\x00\x00\x02", 4);
		f[26 + 3] = (uint8_t)(1 + flow); /* 127.0.0.(1+flow) */
		f[24] = 0;
		f[25] = 0;
		{
			uint16_t c = ip_csum(f + 14, 20);

			f[24] = (uint8_t)(c >> 8);
			f[25] = (uint8_t)c;
		}
		/*
		 * sport 10000 + 2 * flow: the per-flow cluster hash is a sum
		 * (guide 8.6), so address and port must not move in lockstep
		 * or every flow would have the same parity.
		 */
		f[34] = (uint8_t)((10000 + 2 * flow) >> 8);
		f[35] = (uint8_t)(10000 + 2 * flow);
		f[36] = (uint8_t)(dport >> 8);
		f[37] = (uint8_t)dport;
		f[39] = FRAME_LEN - 34;
		memcpy(f + 42, "PFRT", 4);
		seq = htonl(seq);
		memcpy(f + 46, &seq, 4);
		flow = htonl(flow);
		memcpy(f + 50, &flow, 4);
		if (send(fd, f, sizeof(f), 0) != (ssize_t)sizeof(f)) {
			err = -errno;
			break;
		}
		if ((i & 31) == 31)
			usleep(1000); /* let TCG's NIC model keep up */
	}
	close(fd);
	return err;
}

/* Classic BPF: IPv4 UDP to dport, with a 20-byte IP header. */
static int attach_udp_port_filter(const struct ring *r, uint16_t dport)
{
	struct sock_filter code[] = {
		{ 0x28, 0, 0, 12 }, /* ldh [12] */
		{ 0x15, 0, 5, 0x0800 }, /* jeq IPv4 */
		{ 0x30, 0, 0, 23 }, /* ldb [23] */
		{ 0x15, 0, 3, 17 }, /* jeq UDP */
		{ 0x28, 0, 0, 36 }, /* ldh [36] */
		{ 0x15, 0, 1, dport }, /* jeq dport */
		{ 0x06, 0, 0, 0xffff }, /* accept */
		{ 0x06, 0, 0, 0 }, /* drop */
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };

	return setsockopt(r->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

/* A started ring on dev that keeps the test frames to TEST_DPORT only; 0 or -errno. */
static int ring_start_test_frames(struct ring *r, const char *dev)
{
	int err = ring_start(r, dev);

	if (err)
		return err;
	return attach_udp_port_filter(r, TEST_DPORT) ? -errno : 0;
}

static int get_stats(const struct ring *r, struct pfr_stats *st)
{
	socklen_t len = sizeof(*st);

	return getsockopt(r->fd, PFR_SOL, PFR_SO_GET_STATS, st, &len);
}

/* Every sent frame arrives exactly once; the counters agree. */
static int test_capture(void)
{
	static struct tally t;
	struct pfr_stats st;
	struct ring r;
	const uint32_t n = 1000;
	int err;

	err = ring_start(&r, rxdev);
	if (err)
		return fail("ring on %s: %s", rxdev, strerror(-err));
	if (sopt(&r, PFR_SO_SET_APPL_NAME, "pfr-capture", 11))
		return fail("SO_SET_APPL_NAME: %s", strerror(errno));
	err = send_frames(txdev, 0, n, 1, TEST_DPORT);
	if (err)
		return fail("send: %s", strerror(-err));
	drain_all(&r, &t, 1, n, 5000);
	if (get_stats(&r, &st))
		return fail("SO_GET_STATS: %s", strerror(errno));
	if (t.frames != n || t.dups)
		return fail("%u of %u frames, %u duplicates", t.frames, n, t.dups);
	if (st.drop || st.recv != (uint64_t)t.frames + t.others)
		return fail("stats recv %llu drop %llu, ring had %u", (unsigned long long)st.recv,
			    (unsigned long long)st.drop, t.frames + t.others);
	if (r.hdr->produced != st.recv)
		return fail("ring header produced %llu != stats %llu",
			    (unsigned long long)r.hdr->produced, (unsigned long long)st.recv);
	printf("ok: capture %u/%u frames on %s, %u other packets, stats recv=%llu drop=0\n",
	       t.frames, n, rxdev, t.others, (unsigned long long)st.recv);
	ring_close(&r);
	return 0;
}

/*
 * A ring nobody reads holds num_slots packets; the rest are counted as
 * drops, in the socket's counters and in the ring header. Reading frees
 * the slots again.
 */
static int test_overflow(void)
{
	static struct tally t;
	struct pfr_stats st;
	struct ring r;
	uint32_t slots, n;
	int err;

	err = ring_start_test_frames(&r, rxdev);
	if (err)
		return fail("ring: %s", strerror(-err));
	slots = r.hdr->num_slots;
	n = slots + slots / 2;
	if (n > MAX_SEQ)
		return fail("ring of %u slots too large for this test", slots);
	if (send_frames(txdev, 0, n, 1, TEST_DPORT))
		return fail("send");
	usleep(500000);
	if (get_stats(&r, &st))
		return fail("stats: %s", strerror(errno));
	if (st.recv != slots || st.drop != n - slots || r.hdr->full_drops != n - slots)
		return fail("overflow: recv %llu drop %llu header drops %llu (%u and %u expected)",
			    (unsigned long long)st.recv, (unsigned long long)st.drop,
			    (unsigned long long)r.hdr->full_drops, slots, n - slots);
	ring_drain(&r, &t);
	if (t.frames != slots || !t.seen[0] || !t.seen[slots - 1] || t.seen[slots])
		return fail("overflow: read %u frames, not the first %u", t.frames, slots);
	if (send_frames(txdev, n, 10, 1, TEST_DPORT))
		return fail("send");
	memset(&t, 0, sizeof(t));
	drain_all(&r, &t, 1, 10, 5000);
	if (t.frames != 10)
		return fail("after draining, %u/10 new frames", t.frames);
	printf("ok: overflow: %u-slot ring kept frames 0..%u, dropped %u, accepts again after reading\n",
	       slots, slots - 1, n - slots);
	ring_close(&r);
	return 0;
}

/*
 * User space maps the whole ring writable. Garbage in the header (geometry,
 * indices) must not make the kernel write outside the ring: packets keep
 * being counted, a consumer index claiming more free slots than exist is a
 * full ring, and the kernel log stays clean (checked by the harness).
 */
static int test_hostile(void)
{
	struct pfr_stats st;
	struct ring r;
	int err;

	err = ring_start_test_frames(&r, rxdev);
	if (err)
		return fail("ring: %s", strerror(-err));
	r.hdr->num_slots = 0x7fffffff;
	r.hdr->slot_size = 0xfffffff0;
	r.hdr->data_offset = 0x80000000;
	r.hdr->insert_idx = 12345;
	r.hdr->remove_idx = 1; /* "more free slots than the ring has" */
	if (send_frames(txdev, 0, 100, 1, TEST_DPORT))
		return fail("send");
	usleep(500000);
	if (get_stats(&r, &st))
		return fail("stats: %s", strerror(errno));
	if (st.recv != 0 || st.drop != 100)
		return fail("impossible consumer index: recv %llu drop %llu (0, 100 expected)",
			    (unsigned long long)st.recv, (unsigned long long)st.drop);
	r.hdr->remove_idx = 0; /* consistent again: the kernel's insert index is 0 */
	if (send_frames(txdev, 100, 100, 1, TEST_DPORT))
		return fail("send");
	usleep(500000);
	get_stats(&r, &st);
	if (st.recv != 100 || r.hdr->insert_idx != 100)
		return fail("after repair: recv %llu, insert_idx %u (100 expected)",
			    (unsigned long long)st.recv, r.hdr->insert_idx);
	printf("ok: hostile header: kernel kept its own geometry, 100 dropped, then 100 stored\n");
	ring_close(&r);
	return 0;
}

/* poll() wakes only once the watermark is reached. */
static int test_watermark(void)
{
	struct pollfd pfd;
	struct ring r;
	int err, n;

	err = ring_start(&r, rxdev);
	if (err)
		return fail("ring: %s", strerror(-err));
	if (attach_udp_port_filter(&r, TEST_DPORT) || sopt_u32(&r, PFR_SO_SET_POLL_WATERMARK, 16))
		return fail("options: %s", strerror(errno));
	pfd.fd = r.fd;
	pfd.events = POLLIN;
	if (send_frames(txdev, 0, 15, 1, TEST_DPORT))
		return fail("send");
	n = poll(&pfd, 1, 500);
	if (n != 0)
		return fail("poll returned %d with 15 of 16 packets queued (%u)", n,
			    pfc_ring_count(r.hdr));
	if (pfc_ring_count(r.hdr) != 15)
		return fail("%u queued, 15 expected", pfc_ring_count(r.hdr));
	if (send_frames(txdev, 15, 1, 1, TEST_DPORT))
		return fail("send");
	n = poll(&pfd, 1, 3000);
	if (n != 1 || !(pfd.revents & POLLIN))
		return fail("poll returned %d revents %x at the watermark", n, pfd.revents);
	/* a bad watermark is refused */
	if (!sopt_u32(&r, PFR_SO_SET_POLL_WATERMARK, 0) || errno != EINVAL)
		return fail("watermark 0 accepted");
	printf("ok: poll sleeps at 15 queued packets, wakes at the watermark 16\n");
	ring_close(&r);
	return 0;
}

/* SO_ATTACH_FILTER: only dport 9001 passes. */
static int test_bpf(void)
{
	static struct tally t;
	struct pfr_stats st;
	struct ring r;
	int err;

	err = ring_start(&r, rxdev);
	if (err)
		return fail("ring: %s", strerror(-err));
	if (attach_udp_port_filter(&r, TEST_DPORT + 1))
		return fail("SO_ATTACH_FILTER: %s", strerror(errno));
	if (send_frames(txdev, 0, 200, 1, TEST_DPORT) || send_frames(txdev, 200, 100, 1, TEST_DPORT + 1))
		return fail("send");
	drain_all(&r, &t, 1, 100, 5000);
	get_stats(&r, &st);
	if (t.frames != 100 || t.others || t.dups)
		return fail("bpf: %u frames (100 expected), %u others", t.frames, t.others);
	for (err = 200; err < 300; err++)
		if (!t.seen[err])
			return fail("bpf: frame %d (dport 9001) missing", err);
	if (st.filtered < 200)
		return fail("bpf: filtered counter %llu < 200", (unsigned long long)st.filtered);
	printf("ok: bpf kept 100/300 frames, filtered=%llu\n", (unsigned long long)st.filtered);
	ring_close(&r);
	return 0;
}

/* Sampling rate 4 delivers frames 0, 4, 8, ... of those that passed BPF. */
static int test_sampling(void)
{
	static struct tally t;
	struct pfr_stats st;
	struct ring r;
	int err, i;

	err = ring_start(&r, rxdev);
	if (err)
		return fail("ring: %s", strerror(-err));
	if (attach_udp_port_filter(&r, TEST_DPORT) || sopt_u32(&r, PFR_SO_SET_SAMPLING_RATE, 4))
		return fail("options: %s", strerror(errno));
	if (send_frames(txdev, 0, 400, 1, TEST_DPORT))
		return fail("send");
	drain_all(&r, &t, 1, 100, 5000);
	get_stats(&r, &st);
	if (t.frames != 100)
		return fail("sampling 1/4 of 400: got %u", t.frames);
	for (i = 0; i < 400; i++)
		if (t.seen[i] != (i % 4 == 0))
			return fail("sampling: frame %d seen %u times", i, t.seen[i]);
	if (st.sampled_out != 300)
		return fail("sampled_out %llu, 300 expected", (unsigned long long)st.sampled_out);
	printf("ok: sampling rate 4 delivered frames 0,4,...,396 (100/400)\n");
	ring_close(&r);
	return 0;
}

/* Wildcard rule + drop policy; removing the rule leaves nothing. */
static int test_rules(void)
{
	static struct tally t, t2;
	hash_filtering_rule_stats rst;
	filtering_rule rule;
	socklen_t len = sizeof(rst);
	struct ring r;
	uint16_t id = 5;
	int err;

	err = ring_start(&r, rxdev);
	if (err)
		return fail("ring: %s", strerror(-err));
	memset(&rule, 0, sizeof(rule));
	rule.rule_id = id;
	rule.rule_action = forward_packet_and_stop_rule_evaluation;
	rule.core_fields.proto = 17;
	rule.core_fields.dport_low = TEST_DPORT + 1;
	rule.core_fields.dport_high = TEST_DPORT + 1;
	if (sopt_u32(&r, PFR_SO_TOGGLE_FILTER_POLICY, 0) ||
	    sopt(&r, PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule)))
		return fail("rule options: %s", strerror(errno));
	if (!sopt(&r, PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule)) || errno != EEXIST)
		return fail("duplicate rule id accepted");
	rule.rule_id = 6;
	rule.rule_action = 99;
	if (!sopt(&r, PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule)) || errno != EINVAL)
		return fail("invalid action accepted");
	if (send_frames(txdev, 0, 50, 1, TEST_DPORT) || send_frames(txdev, 50, 50, 1, TEST_DPORT + 1))
		return fail("send");
	drain_all(&r, &t, 1, 50, 5000);
	if (t.frames != 50 || !t.seen[50] || t.seen[0] || t.others)
		return fail("rule: %u frames, %u others (50 of dport 9001 expected)", t.frames, t.others);
	memcpy(&rst, &id, sizeof(id));
	if (getsockopt(r.fd, PFR_SOL, PFR_SO_GET_FILTERING_RULE_STATS, &rst, &len))
		return fail("rule stats: %s", strerror(errno));
	if (rst.match != 50)
		return fail("rule matched %llu, 50 expected", (unsigned long long)rst.match);
	if (sopt(&r, PFR_SO_REMOVE_FILTERING_RULE, &id, sizeof(id)))
		return fail("remove rule: %s", strerror(errno));
	if (!sopt(&r, PFR_SO_REMOVE_FILTERING_RULE, &id, sizeof(id)) || errno != ENOENT)
		return fail("removing a missing rule succeeded");
	if (send_frames(txdev, 100, 50, 1, TEST_DPORT + 1))
		return fail("send");
	drain_all(&r, &t2, 1, 0, 1000);
	if (t2.frames)
		return fail("%u frames passed a drop policy without rules", t2.frames);
	printf("ok: wildcard rule forwarded 50/100 under drop policy, stats match=50, removed\n");
	ring_close(&r);
	return 0;
}

/* A hash rule for one flow under a drop policy. */
static int test_hashrule(void)
{
	static struct tally t;
	hash_filtering_rule h;
	struct ring r;
	int err, i;

	err = ring_start(&r, rxdev);
	if (err)
		return fail("ring: %s", strerror(-err));
	memset(&h, 0, sizeof(h));
	h.rule_id = 1;
	h.vlan_id = 0;
	h.proto = 17;
	/* flow 3: 127.0.0.4:10006 -> 127.0.0.2:9000; the rule is written reversed */
	h.host_peer_a.v4 = 0x7f000002;
	h.host_peer_b.v4 = 0x7f000004;
	h.port_peer_a = TEST_DPORT;
	h.port_peer_b = 10006;
	h.rule_action = forward_packet_and_stop_rule_evaluation;
	if (sopt_u32(&r, PFR_SO_TOGGLE_FILTER_POLICY, 0) || sopt(&r, PFR_SO_ADD_HASH_RULE, &h, sizeof(h)))
		return fail("hash rule: %s", strerror(errno));
	if (send_frames(txdev, 0, 80, 8, TEST_DPORT))
		return fail("send");
	drain_all(&r, &t, 1, 10, 5000);
	for (i = 0; i < 80; i++)
		if (t.seen[i] != (i % 8 == 3))
			return fail("hash rule: frame %d (flow %d) seen %u times", i, i % 8, t.seen[i]);
	if (sopt(&r, PFR_SO_REMOVE_HASH_RULE, &h, sizeof(h)))
		return fail("remove hash rule: %s", strerror(errno));
	printf("ok: hash rule (both directions' key) passed flow 3 only: %u frames\n", t.frames);
	ring_close(&r);
	return 0;
}

/* Two sockets, one cluster: union is everything, nothing twice. */
static int test_cluster(uint32_t type)
{
	static struct tally t[2];
	struct pfr_cluster_req req = { .cluster_id = 7, .type = type };
	struct ring r[2];
	const uint32_t n = 400, flows = 16;
	uint32_t i, f;
	int err;

	for (i = 0; i < 2; i++) {
		err = ring_open(&r[i], rxdev);
		if (err)
			return fail("ring %u: %s", i, strerror(-err));
		if (sopt(&r[i], PFR_SO_ADD_TO_CLUSTER, &req, sizeof(req)) ||
		    sopt(&r[i], PFR_SO_ACTIVATE_RING, NULL, 0))
			return fail("cluster join %u: %s", i, strerror(errno));
	}
	/* control: another type for the same id, and a second join, fail */
	{
		struct ring x;
		struct pfr_cluster_req bad = { .cluster_id = 7, .type = type ? 0 : 1 };

		if (ring_open(&x, rxdev))
			return fail("ring x");
		if (!sopt(&x, PFR_SO_ADD_TO_CLUSTER, &bad, sizeof(bad)) || errno != EINVAL)
			return fail("cluster type mismatch accepted");
		ring_close(&x);
		if (!sopt(&r[0], PFR_SO_ADD_TO_CLUSTER, &req, sizeof(req)) || errno != EALREADY)
			return fail("second join accepted");
	}
	if (send_frames(txdev, 0, n, flows, TEST_DPORT))
		return fail("send");
	drain_all(r, t, 2, n, 5000);
	if (t[0].frames + t[1].frames != n)
		return fail("cluster union %u + %u != %u", t[0].frames, t[1].frames, n);
	for (i = 0; i < n; i++)
		if (t[0].seen[i] + t[1].seen[i] != 1)
			return fail("frame %u delivered %u times", i, t[0].seen[i] + t[1].seen[i]);
	if (type == cluster_round_robin) {
		if (t[0].frames != n / 2 || t[1].frames != n / 2)
			return fail("round robin split %u/%u", t[0].frames, t[1].frames);
	} else {
		for (f = 0; f < flows; f++)
			if (t[0].per_flow[f] && t[1].per_flow[f])
				return fail("flow %u split: %u/%u", f, t[0].per_flow[f], t[1].per_flow[f]);
		if (!t[0].frames || !t[1].frames)
			return fail("per-flow: one member got nothing (%u/%u)", t[0].frames, t[1].frames);
	}
	printf("ok: cluster type %u: %u + %u = %u frames, none twice%s\n", type, t[0].frames,
	       t[1].frames, n, type == cluster_round_robin ? ", even split" : ", each flow on one member");
	/* leaving: the remaining member gets everything */
	if (sopt(&r[1], PFR_SO_REMOVE_FROM_CLUSTER, NULL, 0))
		return fail("leave: %s", strerror(errno));
	ring_close(&r[1]);
	memset(&t[0], 0, sizeof(t[0]));
	if (send_frames(txdev, 0, 64, flows, TEST_DPORT))
		return fail("send");
	drain_all(r, t, 1, 64, 5000);
	if (t[0].frames != 64)
		return fail("after leave, the last member got %u/64", t[0].frames);
	printf("ok: after one member left, the other got 64/64\n");
	ring_close(&r[0]);
	return 0;
}

/*
 * Rule actions that send: frames to 9001 bounce back to the sender (MACs
 * swapped), frames to 9002 are reflected unchanged on the capture device;
 * neither is delivered. The sender's ring sees both come back.
 */
static int test_reflect(void)
{
	static struct tally at_rx, at_tx;
	struct ring rings[2];
	filtering_rule rule;
	struct pfr_stats st;
	uint8_t txmac[6];
	int err;

	dev_mac(txdev, txmac);
	err = ring_start(&rings[0], rxdev);
	if (!err)
		err = ring_start(&rings[1], txdev);
	if (err)
		return fail("rings: %s", strerror(-err));
	if (sopt_u32(&rings[1], PFR_SO_SET_PACKET_DIRECTION, rx_only_direction))
		return fail("direction: %s", strerror(errno));
	memset(&rule, 0, sizeof(rule));
	rule.rule_id = 1;
	rule.rule_action = bounce_packet_and_stop_rule_evaluation;
	rule.core_fields.proto = 17;
	rule.core_fields.dport_low = rule.core_fields.dport_high = TEST_DPORT + 1;
	if (sopt(&rings[0], PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule)))
		return fail("bounce rule: %s", strerror(errno));
	rule.rule_id = 2;
	rule.rule_action = reflect_packet_and_stop_rule_evaluation;
	rule.core_fields.dport_low = rule.core_fields.dport_high = TEST_DPORT + 2;
	snprintf(rule.reflector_device_name, sizeof(rule.reflector_device_name), "%s", rxdev);
	if (sopt(&rings[0], PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule)))
		return fail("reflect rule: %s", strerror(errno));
	if (send_frames(txdev, 0, 50, 1, TEST_DPORT) || send_frames(txdev, 50, 50, 1, TEST_DPORT + 1) ||
	    send_frames(txdev, 100, 50, 1, TEST_DPORT + 2))
		return fail("send");
	drain_all(&rings[0], &at_rx, 1, 50, 5000);
	drain_all(&rings[1], &at_tx, 1, 100, 5000);
	get_stats(&rings[0], &st);
	if (at_rx.frames != 50 || at_rx.per_dport[0] != 50)
		return fail("capture ring got %u frames (%u to 9000); 50 to 9000 only expected",
			    at_rx.frames, at_rx.per_dport[0]);
	if (at_tx.per_dport[1] != 50 || at_tx.per_dport[2] != 50 || at_tx.per_dport[0])
		return fail("sender saw %u bounced, %u reflected, %u others (50, 50, 0 expected)",
			    at_tx.per_dport[1], at_tx.per_dport[2], at_tx.per_dport[0]);
	if (memcmp(at_tx.last_dst[1], txmac, 6))
		return fail("bounced frame not addressed to the sender's MAC");
	if (memcmp(at_tx.last_dst[2], "\xff\xff\xff\xff\xff\xff", 6))
		return fail("reflected frame changed its destination MAC");
	if (st.reflected != 100)
		return fail("reflected counter %llu, 100 expected", (unsigned long long)st.reflected);
	printf("ok: reflect: 50 bounced to the sender (MACs swapped), 50 reflected unchanged, 50 delivered\n");
	ring_close(&rings[0]);
	ring_close(&rings[1]);
	return 0;
}

/* IPv4 packets the stack of this namespace received (/proc/net/snmp InReceives). */
static long long ip_in_receives(void)
{
	char line[1024];
	long long v = -1;
	int ip_lines = 0;
	FILE *f = fopen("/proc/net/snmp", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Ip:", 3) || ++ip_lines != 2)
			continue;
		/* Ip: Forwarding DefaultTTL InReceives ... */
		if (sscanf(line, "Ip: %*d %*d %lld", &v) != 1)
			v = -1;
	}
	fclose(f);
	return v;
}

/* Does this process's /proc file of the ring say which capture hook it has? */
static int proc_says(const char *key, const char *value)
{
	char pat[96], line[128];
	int found = 0;
	glob_t g;
	FILE *f;
	size_t i;

	snprintf(pat, sizeof(pat), "/proc/net/pf_ring/%d-*", (int)getpid());
	if (glob(pat, 0, NULL, &g))
		return 0;
	for (i = 0; i < g.gl_pathc; i++) {
		f = fopen(g.gl_pathv[i], "r");
		while (f && fgets(line, sizeof(line), f))
			if (strstr(line, key) && strstr(line, value))
				found = 1;
		if (f)
			fclose(f);
	}
	globfree(&g);
	return found;
}

/*
 * transparent_mode (the module's, given as argument): every mode captures
 * all frames; modes 0 and 1 let the IP stack see them too, mode 2 keeps
 * them from it while the ring is bound, and not after it is closed.
 * Only TX and RX may be up: any other NIC on the hub would count too.
 */
static int test_transparent(int mode)
{
	static struct tally t;
	long long before, during, after;
	struct ring r;
	int err;

	err = ring_start_test_frames(&r, rxdev);
	if (err)
		return fail("ring: %s", strerror(-err));
	if (!proc_says("Transparent Hook", mode ? "rx_handler" : "packet hook"))
		return fail("/proc does not show the %s", mode ? "rx_handler" : "packet hook");
	before = ip_in_receives();
	if (send_frames(txdev, 0, 100, 1, TEST_DPORT))
		return fail("send");
	drain_all(&r, &t, 1, 100, 5000);
	during = ip_in_receives() - before;
	if (before < 0 || t.frames != 100)
		return fail("mode %d: ring got %u/100 (InReceives %lld)", mode, t.frames, before);
	if (mode == 2 ? during != 0 : during < 100)
		return fail("mode %d: the IP stack received %lld of 100 frames", mode, during);
	ring_close(&r);
	before = ip_in_receives();
	if (send_frames(txdev, 100, 100, 1, TEST_DPORT))
		return fail("send");
	usleep(300000);
	after = ip_in_receives() - before;
	if (after < 100)
		return fail("mode %d: after close the stack received %lld of 100", mode, after);
	printf("ok: transparent_mode %d: ring 100/100, stack %lld/100 while bound, %lld/100 after close\n",
	       mode, during, after);
	return 0;
}

/* A wildcard rule on UDP dport with an action and optional plugins. */
static filtering_rule udp_rule(uint16_t id, rule_action_behaviour action, uint16_t dport)
{
	filtering_rule rule;

	memset(&rule, 0, sizeof(rule));
	rule.rule_id = id;
	rule.rule_action = action;
	rule.core_fields.proto = 17;
	rule.core_fields.dport_low = rule.core_fields.dport_high = dport;
	return rule;
}

/* Without the dummy plugin loaded, a rule naming it is refused. */
static int test_plugin_absent(void)
{
	filtering_rule rule = udp_rule(1, execute_action_and_stop_rule_evaluation, TEST_DPORT);
	struct ring r;
	int err = ring_start(&r, rxdev);

	if (err)
		return fail("ring: %s", strerror(-err));
	rule.plugin_action.plugin_id = DUMMY_PLUGIN_ID;
	if (!sopt(&r, PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule)) || errno != ENOENT)
		return fail("rule naming an absent plugin: %s (ENOENT expected)", strerror(errno));
	printf("ok: plugin absent: rule refused with ENOENT\n");
	ring_close(&r);
	return 0;
}

/*
 * The dummy plugin (guide chapter 10): its filter (minimum length) decides
 * whether a rule matches, its action counts what a rule saw, and the rule's
 * statistics are the plugin's. While the rules exist the plugin module is
 * pinned (rmmod fails).
 */
static int test_plugin(void)
{
	static struct tally t;
	struct dummy_plugin_stats ps;
	struct dummy_filter filt;
	hash_filtering_rule_stats hs;
	filtering_rule rule;
	socklen_t len;
	struct ring r;
	uint16_t id;
	int err;

	err = ring_start(&r, rxdev);
	if (err)
		return fail("ring: %s", strerror(-err));
	if (sopt_u32(&r, PFR_SO_TOGGLE_FILTER_POLICY, 0))
		return fail("policy: %s", strerror(errno));
	/* 1: forward 9000 if at least 65 bytes (the frames have 64): never */
	rule = udp_rule(1, forward_packet_and_stop_rule_evaluation, TEST_DPORT);
	rule.extended_fields.filter_plugin_id = DUMMY_PLUGIN_ID;
	filt.min_len = FRAME_LEN + 1;
	memcpy(rule.extended_fields.filter_plugin_data, &filt, sizeof(filt));
	err = sopt(&r, PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule));
	/* 2: the plugin counts 9000, evaluation goes on */
	rule = udp_rule(2, execute_action_and_continue_rule_evaluation, TEST_DPORT);
	rule.plugin_action.plugin_id = DUMMY_PLUGIN_ID;
	err = err ? err : sopt(&r, PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule));
	/* 3: forward 9000 */
	rule = udp_rule(3, forward_packet_and_stop_rule_evaluation, TEST_DPORT);
	err = err ? err : sopt(&r, PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule));
	/* 4: forward 9001 if at least 64 bytes: always */
	rule = udp_rule(4, forward_packet_and_stop_rule_evaluation, TEST_DPORT + 1);
	rule.extended_fields.filter_plugin_id = DUMMY_PLUGIN_ID;
	filt.min_len = FRAME_LEN;
	memcpy(rule.extended_fields.filter_plugin_data, &filt, sizeof(filt));
	err = err ? err : sopt(&r, PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule));
	if (err)
		return fail("plugin rules: %s", strerror(errno));
	if (system("rmmod dummy_plugin 2>/dev/null") == 0)
		return fail("rmmod dummy_plugin succeeded while rules use it");
	if (send_frames(txdev, 0, 40, 1, TEST_DPORT) || send_frames(txdev, 40, 10, 1, TEST_DPORT + 1))
		return fail("send");
	drain_all(&r, &t, 1, 50, 5000);
	if (t.frames != 50 || t.per_dport[0] != 40 || t.per_dport[1] != 10)
		return fail("plugin rules delivered %u (%u to 9000, %u to 9001); 40 + 10 expected",
			    t.frames, t.per_dport[0], t.per_dport[1]);
	id = 2;
	memset(&ps, 0, sizeof(ps));
	memcpy(&ps, &id, sizeof(id));
	len = sizeof(ps);
	if (getsockopt(r.fd, PFR_SOL, PFR_SO_GET_FILTERING_RULE_STATS, &ps, &len))
		return fail("plugin rule stats: %s", strerror(errno));
	if (len != sizeof(ps) || ps.packets != 40 || ps.bytes != 40 * FRAME_LEN)
		return fail("plugin stats: len %u, %llu packets, %llu bytes (40, %u expected)", len,
			    (unsigned long long)ps.packets, (unsigned long long)ps.bytes, 40 * FRAME_LEN);
	id = 1;
	memset(&hs, 0, sizeof(hs));
	memcpy(&hs, &id, sizeof(id));
	len = sizeof(hs);
	if (getsockopt(r.fd, PFR_SOL, PFR_SO_GET_FILTERING_RULE_STATS, &hs, &len) || hs.match)
		return fail("rule 1 (filter refuses) matched %llu times", (unsigned long long)hs.match);
	printf("ok: dummy plugin: filter refused 65+ bytes, accepted 64+, action counted 40 packets/%u bytes\n",
	       40 * FRAME_LEN);
	ring_close(&r);
	return 0;
}

/* Sent frames are captured on the sending device with rx_direction 0. */
static int test_tx(int expect)
{
	static struct tally t;
	struct ring r;
	int err;

	err = ring_start(&r, txdev);
	if (err)
		return fail("ring: %s", strerror(-err));
	if (sopt_u32(&r, PFR_SO_SET_PACKET_DIRECTION, tx_only_direction))
		return fail("direction: %s", strerror(errno));
	if (send_frames(txdev, 0, 100, 1, TEST_DPORT))
		return fail("send");
	drain_all(&r, &t, 1, expect ? 100 : 0, expect ? 5000 : 1000);
	if (expect && (t.frames != 100 || t.tx != 100))
		return fail("tx capture: %u frames, %u with tx direction", t.frames, t.tx);
	if (!expect && t.frames)
		return fail("enable_tx_capture=0 but %u sent frames captured", t.frames);
	printf("ok: tx capture %s (%u frames)\n", expect ? "on" : "off", t.frames);
	ring_close(&r);
	return 0;
}

/* A socket in a new network namespace sees only that namespace. */
static int test_netns(void)
{
	struct ring r;
	FILE *f;
	char line[128];
	int err, total = -1;

	if (unshare(CLONE_NEWNET))
		return fail("unshare: %s", strerror(errno));
	err = ring_open(&r, rxdev);
	if (err != -ENODEV)
		return fail("bind to %s in a new netns: %s (ENODEV expected)", rxdev, strerror(-err));
	err = ring_open(&r, "lo");
	if (err)
		return fail("bind lo: %s", strerror(-err));
	/* /proc/self/net follows the namespace of the reading task */
	f = fopen("/proc/self/net/pf_ring/info", "r");
	if (!f)
		return fail("no /proc/net/pf_ring/info in the new namespace");
	while (fgets(line, sizeof(line), f))
		sscanf(line, "Total rings : %d", &total);
	fclose(f);
	if (total != 1)
		return fail("new namespace lists %d rings, 1 expected", total);
	printf("ok: netns: %s invisible, lo bound, /proc lists 1 ring\n", rxdev);
	ring_close(&r);
	return 0;
}

/* Socket creation rules: root, type, bind, version. */
static int test_open(void)
{
	struct pfr_sockaddr a = { .family = (uint16_t)family() };
	uint32_t v = 0;
	socklen_t len = sizeof(v);
	struct ring r;
	int fd, err;
	glob_t g;

	fd = socket(family(), SOCK_DGRAM, htons(ETH_P_ALL));
	if (fd >= 0 || errno != ESOCKTNOSUPPORT)
		return fail("SOCK_DGRAM: fd %d errno %s", fd, strerror(errno));
	fd = socket(family(), SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0)
		return fail("socket as root: %s", strerror(errno));
	if (getsockopt(fd, PFR_SOL, PFR_SO_GET_RING_VERSION, &v, &len) || v != PFC_RING_VERSION)
		return fail("ring version %u", v);
	if (!setsockopt(fd, PFR_SOL, PFR_SO_ACTIVATE_RING, NULL, 0) || errno != ENOTCONN)
		return fail("activating an unbound ring succeeded");
	snprintf(a.dev, sizeof(a.dev), "nosuchdev0");
	if (!bind(fd, (struct sockaddr *)&a, sizeof(a)) || errno != ENODEV)
		return fail("bind to a missing device: %s", strerror(errno));
	close(fd);
	err = ring_start(&r, "lo");
	if (err)
		return fail("ring on lo: %s", strerror(-err));
	if (sopt(&r, PFR_SO_SET_APPL_NAME, "basic-app", 9))
		return fail("appl name");
	/* the /proc file of this socket: <pid>-lo.<id> */
	{
		char pat[96], line[128];
		int found = 0;
		FILE *f;

		snprintf(pat, sizeof(pat), "/proc/net/pf_ring/%d-lo.*", (int)getpid());
		if (glob(pat, 0, NULL, &g) || g.gl_pathc != 1)
			return fail("no single %s", pat);
		f = fopen(g.gl_pathv[0], "r");
		if (!f)
			return fail("open %s", g.gl_pathv[0]);
		while (fgets(line, sizeof(line), f)) {
			if (strstr(line, "Appl. Name") && strstr(line, "basic-app"))
				found |= 1;
			if (strstr(line, "Bound Device") && strstr(line, ": lo"))
				found |= 2;
			if (strstr(line, "Active") && strstr(line, ": 1"))
				found |= 4;
		}
		fclose(f);
		if (found != 7)
			return fail("%s lacks name/device/active (%d)", g.gl_pathv[0], found);
		ring_close(&r);
		if (!access(g.gl_pathv[0], F_OK))
			return fail("%s still there after close", g.gl_pathv[0]);
		globfree(&g);
	}
	printf("ok: open: ESOCKTNOSUPPORT/ENOTCONN/ENODEV controls, version %u, /proc entry\n", v);
	return 0;
}

/* quick_mode=1: a second socket on the same device is refused. */
static int test_quick(void)
{
	struct ring a, b, c;
	int err;

	err = ring_open(&a, "lo");
	if (err)
		return fail("first socket on lo: %s", strerror(-err));
	err = ring_open(&b, "lo");
	if (err != -EBUSY)
		return fail("second socket on lo: %s (EBUSY expected)", strerror(-err));
	err = ring_open(&c, rxdev);
	if (err)
		return fail("socket on %s: %s", rxdev, strerror(-err));
	printf("ok: quick_mode: one socket per device (second on lo: EBUSY)\n");
	ring_close(&a);
	ring_close(&c);
	return 0;
}

/* Keeps a ring on dev open for `secs` seconds (rmmod must fail meanwhile). */
static int hold(const char *dev, int secs)
{
	struct ring r;
	int err = ring_start(&r, dev);

	if (err)
		return fail("ring: %s", strerror(-err));
	printf("holding\n");
	sleep((unsigned int)secs);
	ring_close(&r);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sends test frames on dev for secs seconds (stress background). */
static int flood(const char *dev, int secs)
{
	double end = now_s() + secs;
	uint32_t seq = 0;

	while (now_s() < end) {
		if (send_frames(dev, seq, 64, 16, TEST_DPORT + (seq / 64) % 3))
			return fail("flood send");
		seq += 64;
	}
	printf("ok: flood sent %u frames\n", seq);
	return 0;
}

/*
 * Stress: for secs seconds, sockets come and go on dev with every option
 * while traffic flows, each read for a moment. Passes when every call that
 * must work works; the harness then checks the kernel log.
 */
static int churn(const char *dev, int secs, unsigned int seed)
{
	double end = now_s() + secs;
	static struct tally t;
	unsigned int rounds = 0;
	filtering_rule rule;
	hash_filtering_rule h;
	struct ring r;
	int err;

	srand(seed);
	while (now_s() < end) {
		struct pfr_cluster_req req = { .cluster_id = 1 + rand() % 3,
					       .type = rand() % 2 ? cluster_round_robin : cluster_per_flow };

		err = ring_open(&r, rand() % 4 ? dev : "any");
		if (err)
			return fail("churn open: %s", strerror(-err));
		if (rand() % 2)
			attach_udp_port_filter(&r, TEST_DPORT + rand() % 3);
		if (rand() % 2) {
			rule = udp_rule(1 + rand() % 4, rand() % 2 ? forward_packet_and_stop_rule_evaluation
								: forward_packet_add_rule_and_stop_rule_evaluation,
					TEST_DPORT + rand() % 3);
			sopt(&r, PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule));
		}
		if (rand() % 3 == 0) {
			memset(&h, 0, sizeof(h));
			h.proto = 17;
			h.host_peer_a.v4 = 0x7f000002;
			h.host_peer_b.v4 = 0x7f000001 + rand() % 16;
			h.port_peer_a = TEST_DPORT;
			h.port_peer_b = 10000 + 2 * (rand() % 16);
			sopt(&r, PFR_SO_ADD_HASH_RULE, &h, sizeof(h));
		}
		if (rand() % 2)
			sopt(&r, PFR_SO_ADD_TO_CLUSTER, &req, sizeof(req));
		sopt_u32(&r, PFR_SO_SET_SAMPLING_RATE, 1 + rand() % 3);
		sopt_u32(&r, PFR_SO_TOGGLE_FILTER_POLICY, rand() % 4 != 0);
		if (sopt(&r, PFR_SO_ACTIVATE_RING, NULL, 0))
			return fail("churn activate: %s", strerror(errno));
		usleep(1000 * (rand() % 20));
		ring_drain(&r, &t);
		if (rand() % 2) {
			uint16_t id = 1 + rand() % 4;

			sopt(&r, PFR_SO_REMOVE_FILTERING_RULE, &id, sizeof(id));
			sopt(&r, PFR_SO_REMOVE_FROM_CLUSTER, NULL, 0);
		}
		ring_close(&r);
		rounds++;
	}
	printf("ok: churn %u sockets on %s, %u frames read\n", rounds, dev, t.frames + t.others);
	return 0;
}

/* Unprivileged: socket() fails with EPERM; root (control) succeeds. */
static int test_eperm(void)
{
	int fd = socket(family(), SOCK_RAW, htons(ETH_P_ALL));

	if (fd < 0)
		return fail("root cannot open: %s", strerror(errno));
	close(fd);
	if (setgid(65534) || setuid(65534))
		return fail("setuid: %s", strerror(errno));
	fd = socket(family(), SOCK_RAW, htons(ETH_P_ALL));
	if (fd >= 0 || errno != EPERM)
		return fail("uid 65534: fd %d errno %s (EPERM expected)", fd, strerror(errno));
	printf("ok: uid 65534 gets EPERM, root opens\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *t = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(t, "hold"))
		return hold("lo", argc > 2 ? atoi(argv[2]) : 5);
	if (!strcmp(t, "flood") && argc > 3)
		return flood(argv[2], atoi(argv[3]));
	if (!strcmp(t, "churn") && argc > 3)
		return churn(argv[2], atoi(argv[3]), argc > 4 ? (unsigned int)atoi(argv[4]) : 1);
	if (!strcmp(t, "hold-dev") && argc > 3)
		return hold(argv[2], atoi(argv[3]));
	if (argc > 3) {
		rxdev = argv[2];
		txdev = argv[3];
	}
	if (!strcmp(t, "open"))
		return test_open();
	if (!strcmp(t, "eperm"))
		return test_eperm();
	if (!strcmp(t, "capture"))
		return test_capture();
	if (!strcmp(t, "hostile"))
		return test_hostile();
	if (!strcmp(t, "overflow"))
		return test_overflow();
	if (!strcmp(t, "watermark"))
		return test_watermark();
	if (!strcmp(t, "bpf"))
		return test_bpf();
	if (!strcmp(t, "sampling"))
		return test_sampling();
	if (!strcmp(t, "rules"))
		return test_rules();
	if (!strcmp(t, "hashrule"))
		return test_hashrule();
	if (!strcmp(t, "cluster-rr"))
		return test_cluster(cluster_round_robin);
	if (!strcmp(t, "cluster-flow"))
		return test_cluster(cluster_per_flow);
	if (!strcmp(t, "transparent"))
		return test_transparent(atoi(getenv("PFR_MODE") ? getenv("PFR_MODE") : "0"));
	if (!strcmp(t, "plugin"))
		return test_plugin();
	if (!strcmp(t, "plugin-absent"))
		return test_plugin_absent();
	if (!strcmp(t, "reflect"))
		return test_reflect();
	if (!strcmp(t, "tx"))
		return test_tx(1);
	if (!strcmp(t, "no-tx"))
		return test_tx(0);
	if (!strcmp(t, "quick"))
		return test_quick();
	if (!strcmp(t, "netns"))
		return test_netns();
	fprintf(stderr, "usage: pfr_test TEST [RXDEV TXDEV]\n");
	return 2;
}
