/*
 * pfsystest - how fast this system receives through PF_RING: reads a
 * device for a number of packets (or to its end) and reports packets per
 * second and nanoseconds per packet, single packets (pfring_recv, zero
 * copy) and bursts (pfring_recv_burst) measured one after the other on
 * fresh opens of the device. Meant for finite devices (pcap:, sim:), which
 * give the same packets each time; on a live device each pass reads
 * whatever arrives.
 *
 *   pfsystest -i DEV [-n PACKETS] [-b BURST] [-j]
 *
 * Exit status: 0, 1 on a runtime error, 2 on a bad command line.
 */
#define _DEFAULT_SOURCE 1

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pfring.h"
#include "tool_util.h"

#define PROG "pfsystest"
#define MAX_BURST 256

struct pass {
	uint64_t pkts, bytes;
	double secs;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " -i DEV [options]\n"
		   "Measures packets per second through PF_RING: single receives, then bursts.\n"
		   "\n"
		   "  -i DEV       device, e.g. pcap:FILE (read again for each pass)\n"
		   "  -n PACKETS   packets per pass (default: to the end of the device)\n"
		   "  -b BURST     burst size of the second pass (1 to %d, default 32)\n"
		   "  -j           JSON summary on stdout\n"
		   "  -h           this help\n",
		MAX_BURST);
}

/* One pass: burst 0 reads single packets. Returns 0, or -1 on an error. */
static int run_pass(const char *device, uint64_t limit, u_int burst, struct pass *p)
{
	static u_char *bufs[MAX_BURST];
	static struct pfring_pkthdr hdrs[MAX_BURST];
	pfring *ring = tu_open_or_exit(PROG, device, TU_DEFAULT_SNAPLEN, 0);
	double t0;
	int rc = 0, k;

	memset(p, 0, sizeof(*p));
	pfring_enable_ring(ring);
	tu_watch_ring(0, ring);
	t0 = tu_now();
	while (!tu_stop && (limit == 0 || p->pkts < limit)) {
		if (burst == 0) {
			rc = tu_recv_next(PROG, device, ring, &bufs[0], &hdrs[0], 0);
			if (rc <= 0)
				break;
			p->pkts++;
			p->bytes += hdrs[0].len;
			continue;
		}
		rc = pfring_recv_burst(ring, bufs, hdrs,
				       limit && limit - p->pkts < burst ? (u_int)(limit - p->pkts) : burst, 1);
		if (rc == PF_RING_ERROR_END_OF_FILE) {
			rc = 0;
			break;
		}
		if (rc < 0) {
			if (tu_stop) {
				rc = 0;
				break;
			}
			fprintf(stderr, PROG ": %s: receive failed (%d)\n", device, rc);
			break;
		}
		for (k = 0; k < rc; k++)
			p->bytes += hdrs[k].len;
		p->pkts += (uint64_t)rc;
	}
	p->secs = tu_now() - t0;
	tu_close_ring(ring);
	return rc < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	const char *device = NULL;
	uint64_t v, limit = 0;
	u_int burst = 32;
	int json = 0, c;
	struct pass single, bursts;
	char a[TU_NUM_BUF], b[TU_NUM_BUF];

	opterr = 0;
	while ((c = getopt(argc, argv, ":hi:n:b:j")) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return TU_EXIT_OK;
		case 'i':
			device = optarg;
			break;
		case 'n':
			limit = tu_arg_count(PROG, usage, 'n', optarg);
			break;
		case 'b':
			if (tu_parse_u64(optarg, 1, MAX_BURST, &v) != 0)
				tu_usage_error(PROG, usage, "-b %s: a burst from 1 to %d", optarg, MAX_BURST);
			burst = (u_int)v;
			break;
		case 'j':
			json = 1;
			break;
		default:
			tu_getopt_error(PROG, usage, c, argv);
		}
	}
	tu_require_device(PROG, usage, argc, argv, device);
	tu_install_stop_signals();
	if (run_pass(device, limit, 0, &single) != 0 || run_pass(device, limit, burst, &bursts) != 0)
		return TU_EXIT_ERROR;
	if (json) {
		printf("{\"summary\":{\"device\":");
		tu_json_string(stdout, device);
		printf(",\"single\":{\"received\":%llu,\"bytes\":%llu,\"seconds\":%.6f,\"pps\":%.1f},"
		       "\"burst\":{\"size\":%u,\"received\":%llu,\"bytes\":%llu,\"seconds\":%.6f,\"pps\":%.1f}}}\n",
		       (unsigned long long)single.pkts, (unsigned long long)single.bytes, single.secs,
		       single.secs > 0 ? single.pkts / single.secs : 0.0, burst, (unsigned long long)bursts.pkts,
		       (unsigned long long)bursts.bytes, bursts.secs, bursts.secs > 0 ? bursts.pkts / bursts.secs : 0.0);
		return TU_EXIT_OK;
	}
	printf("single receives: %s packets, %s pkt/s, %.1f ns/packet\n", tu_fmt_u64(single.pkts, a, sizeof(a)),
	       tu_fmt_double(single.secs > 0 ? single.pkts / single.secs : 0, 2, b, sizeof(b)),
	       single.pkts ? single.secs * 1e9 / (double)single.pkts : 0.0);
	printf("bursts of %u: %s packets, %s pkt/s, %.1f ns/packet\n", burst, tu_fmt_u64(bursts.pkts, a, sizeof(a)),
	       tu_fmt_double(bursts.secs > 0 ? bursts.pkts / bursts.secs : 0, 2, b, sizeof(b)),
	       bursts.pkts ? bursts.secs * 1e9 / (double)bursts.pkts : 0.0);
	return TU_EXIT_OK;
}
