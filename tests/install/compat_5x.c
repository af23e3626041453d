/*
 * compat_5x.c - written the way PF_RING 5.x-era programs are (its examples,
 * its clients): only pfring.h is included, and the program relies on what
 * the 5.x header brings along (stdio, stdlib, string, unistd, poll,
 * pthread, errno), its macros (likely/unlikely, DEFAULT_POLL_DURATION) and
 * its spellings (pfringProcesssPacket, PF_RING_ERROR_END_OF_DEMO_MODE,
 * intel_82599_perfect_filter_rule). Built with -Wall -Wextra -Werror by
 * run.sh and run on a capture: counts it with pfring_loop and checks the
 * open flags carry the 5.x bit values (a program built against that header
 * passes those bits).
 */
#include "pfring.h"

static unsigned long long seen;
static pfring *the_ring;

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
	printf("compat_5x: %llu packets\n", seen);
	usleep(0);
	exit(0);
}
