/*
 * compat_5x.c - written the way PF_RING 5.x-era programs are (its examples,
 * its clients): only pfring.h is included, and the program relies on what
 * the 5.x header brings along (stdio, stdlib, string, unistd, poll,
 * pthread, errno), its macros (likely/unlikely, DEFAULT_POLL_DURATION) and
 * its spellings (pfringProcesssPacket, PF_RING_ERROR_END_OF_DEMO_MODE,
 * intel_82599_perfect_filter_rule). Built with -Wall -Wextra -Werror by
 * run.sh and run on a capture: counts it with pfring_loop and checks the
 * open flags carry the 5.x bit values (a program built against that header
 * passes those bits). Then what 5.x programs do with the handle and the
 * API that the guide does not say: the handle's public members (ring->fd,
 * ->enabled, ->mtu_len, ->device_name, ->send, ->recv, the NULL dna_*
 * slots pfsend tests), pfring_send with char *, u_char * and const
 * buffers alike, pfring_open_multichannel's count, and a wildcard rule with
 * extended_fields.tunnel as 5.x's pfcount fills it.
 */
#include "pfring.h"

static unsigned long long seen;
static pfring *the_ring;

#define FAIL(...)                                                                          \
	do {                                                                               \
		fprintf(stderr, "compat_5x line %d: ", __LINE__);                           \
		fprintf(stderr, __VA_ARGS__);                                              \
		fprintf(stderr, "\n");                                                     \
		return 1;                                                                  \
	} while (0)

/* The handle's members and the send spellings, over a userspace: pipe
 * (both ends in this process). */
static int handle_and_send(void)
{
	char name[64], frame[60];
	u_char uframe[60];
	const u_char *cframe = uframe;
	u_char *buf = NULL;
	struct pfring_pkthdr hdr;
	pfring *a, *b;
	int i, got = 0;

	snprintf(name, sizeof(name), "userspace:c5x%d", (int)getpid());
	a = pfring_open(name, 1518, 0);
	b = pfring_open(name, 1518, 0);
	if (!a || !b)
		FAIL("open %s: %s", name, strerror(errno));
	if (strcmp(a->device_name, name) != 0)
		FAIL("device_name '%s'", a->device_name);
	if (a->caplen != 1518 || a->enabled != 1)
		FAIL("caplen %u enabled %u", a->caplen, a->enabled);
	if ((int)a->mtu_len != pfring_get_mtu_size(a))
		FAIL("mtu_len %u, pfring_get_mtu_size %d", a->mtu_len, pfring_get_mtu_size(a));
	/* a userspace: pipe has no descriptor: -1, as pf_ring's fd never is */
	if (a->fd != (pfring_get_selectable_fd(a) < 0 ? -1 : pfring_get_selectable_fd(a)))
		FAIL("fd %d, selectable fd %d", a->fd, pfring_get_selectable_fd(a));
	if (a->dna_get_num_tx_slots || a->dna_get_next_free_tx_slot || a->dna_copy_tx_packet_into_slot)
		FAIL("dna_* set on a userspace: ring");
	if (!a->send || !a->recv || !a->send_ifindex || !a->stats)
		FAIL("send/recv/send_ifindex/stats pointers missing");
	pfring_disable_ring(a);
	if (a->enabled != 0)
		FAIL("enabled still %u after pfring_disable_ring", a->enabled);
	pfring_enable_ring(a);
	memset(frame, 0x11, sizeof(frame));
	memset(uframe, 0x22, sizeof(uframe));
	/* 5.x's char *, the guide's u_char *, a const buffer, through the handle */
	if (pfring_send(b, frame, sizeof(frame), 1) != (int)sizeof(frame) ||
	    pfring_send(b, uframe, sizeof(uframe), 1) != (int)sizeof(uframe) ||
	    pfring_send(b, cframe, sizeof(uframe), 1) != (int)sizeof(uframe) ||
	    b->send(b, frame, sizeof(frame), 1) != (int)sizeof(frame))
		FAIL("send: %s", strerror(errno));
	for (i = 0; i < 4; i++)
		if (a->recv(a, &buf, 0, &hdr, 1) == 1 && hdr.caplen == 60 && buf[0] == (i % 3 == 0 ? 0x11 : 0x22))
			got++;
	if (got != 4)
		FAIL("received %d of the 4 frames", got);
	pfring_close(a);
	pfring_close(b);
	return 0;
}

/* 5.x's pfring_open_multichannel returns the number of rings. */
static int multichannel(const char *dev)
{
	pfring *rings[MAX_NUM_RX_CHANNELS];
	u_int8_t n = pfring_open_multichannel(dev, 1518, 0, rings);
	int i;

	if (n != 1 || rings[0] == NULL)
		FAIL("pfring_open_multichannel gave %u rings", n);
	for (i = 0; i < n; i++)
		pfring_close(rings[i]);
	return 0;
}

/* A rule that ignores the tunnel (pfcount's NO_TUNNEL_ID) and one asking
 * for a TEID no packet of the capture carries. */
static int tunnel_rules(const char *dev, unsigned long long total)
{
	filtering_rule rule;
	pfring *r;
	u_char *buf = NULL;
	struct pfring_pkthdr hdr;
	unsigned long long n = 0;

	r = pfring_open(dev, 1518, 0);
	if (!r)
		FAIL("open %s", dev);
	memset(&rule, 0, sizeof(rule));
	rule.rule_id = 1;
	rule.rule_action = dont_forward_packet_and_stop_rule_evaluation;
	rule.extended_fields.tunnel.tunnel_id = 0x0000a2b6;
	if (pfring_add_filtering_rule(r, &rule) < 0)
		FAIL("add rule 1");
	memset(&rule, 0, sizeof(rule));
	rule.rule_id = 2;
	rule.rule_action = forward_packet_and_stop_rule_evaluation;
	rule.extended_fields.tunnel.tunnel_id = NO_TUNNEL_ID;
	if (pfring_add_filtering_rule(r, &rule) < 0)
		FAIL("add rule 2");
	pfring_toggle_filtering_policy(r, 0);
	while (pfring_recv(r, &buf, 0, &hdr, 1) == 1)
		n++;
	pfring_close(r);
	if (n != total)
		FAIL("tunnel rules let %llu of %llu packets through", n, total);
	return 0;
}

static void count(const struct pfring_pkthdr *h, const u_char *p, const u_char *user)
{
	(void)p;
	(void)user;
	if (likely(h->caplen > 0))
		seen++;
}

int main(int argc, char **argv)
{
	char dev[4096];
	pfringProcesssPacket cb = count;
	hw_filtering_rule rule;
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	struct pollfd pfd;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CAPTURE\n", argv[0]);
		return 2;
	}
	/* the flag bits of the 5.x header */
	if (PF_RING_DNA_SYMMETRIC_RSS != 1 || PF_RING_REENTRANT != 2 || PF_RING_LONG_HEADER != 4 ||
	    PF_RING_PROMISC != 8 || PF_RING_TIMESTAMP != 16 || PF_RING_HW_TIMESTAMP != 32 ||
	    PF_RING_RX_PACKET_BOUNCE != 64 || PF_RING_DNA_FIXED_RSS_Q_0 != 128 ||
	    PF_RING_STRIP_HW_TIMESTAMP != 256 || PF_RING_DO_NOT_PARSE != 512 || PF_RING_DO_NOT_TIMESTAMP != 1024) {
		fprintf(stderr, "open flags differ from the 5.x header\n");
		return 1;
	}
	if (PF_RING_ERROR_END_OF_DEMO_MODE != -6 || DEFAULT_POLL_DURATION <= 0) {
		fprintf(stderr, "5.x names missing\n");
		return 1;
	}
	memset(&rule, 0, sizeof(rule));
	rule.rule_family_type = intel_82599_perfect_filter_rule;
	pthread_mutex_lock(&m);
	snprintf(dev, sizeof(dev), "pcap:%s", argv[1]);
	the_ring = pfring_open(dev, 1518, PF_RING_PROMISC | PF_RING_LONG_HEADER);
	if (unlikely(the_ring == NULL)) {
		fprintf(stderr, "pfring_open(%s): %s\n", dev, strerror(errno));
		return 1;
	}
	pfd.fd = pfring_get_selectable_fd(the_ring);
	pfd.events = POLLIN;
	(void)pfd;
	pfring_enable_ring(the_ring);
	rc = pfring_loop(the_ring, cb, (const u_char *)"", 1);
	pfring_close(the_ring);
	pthread_mutex_unlock(&m);
	if (rc < 0 || seen == 0) {
		fprintf(stderr, "pfring_loop returned %d after %llu packets\n", rc, seen);
		return 1;
	}
	if (handle_and_send() || multichannel(dev) || tunnel_rules(dev, seen))
		return 1;
	printf("compat_5x: %llu packets\n", seen);
	usleep(0);
	exit(0);
}
