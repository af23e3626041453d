/*
 * pfcount_multichannel - opens one ring per RX queue of a device
 * (pfring_open_multichannel) and counts each in its own thread.
 *
 *   pfcount_multichannel -i DEV [-e 0|1|2] [-l CAPLEN] [-w WATERMARK] [-r] [-v] [-j]
 *
 * Exit status: 0 at the end of a finite device or SIGINT/SIGTERM; 1 on a
 * runtime error (open, receive); 2 on a bad command line.
 */
#define _DEFAULT_SOURCE 1

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "pfring.h"
#include "tool_queues.h"
#include "tool_util.h"

#define PROG "pfcount_multichannel"

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " -i DEV [options]\n"
		   "Counts every RX queue of DEV, one thread per queue.\n"
		   "\n"
		   "  -i DEV        device without @queue, e.g. eth0, sim:FILE,queues=4\n"
		   "  -e DIRECTION  0 = RX and TX (default), 1 = RX only, 2 = TX only\n"
		   "  -l CAPLEN     capture length (default %d)\n"
		   "  -w WATERMARK  poll watermark (packets)\n"
		   "  -r            rehash RSS packets (bidirectional hash)\n"
		   "  -v            one line per packet, prefixed by its queue\n"
		   "  -j            JSON summary on stdout\n"
		   "  -h            this help\n",
		TU_DEFAULT_SNAPLEN);
}

int main(int argc, char **argv)
{
	pfring *rings[MAX_NUM_RX_CHANNELS];
	const char *device = NULL;
	uint32_t snaplen = TU_DEFAULT_SNAPLEN;
	uint64_t v, watermark = 0;
	int direction = -1, rehash = 0, verbose = 0, json = 0, c, i, n;
	char why[256];

	opterr = 0;
	while ((c = getopt(argc, argv, ":hi:e:l:w:rvj")) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return TU_EXIT_OK;
		case 'i':
			device = optarg;
			break;
		case 'e':
			if (tu_parse_u64(optarg, 0, 2, &v) != 0)
				tu_usage_error(PROG, usage, "-e %s: 0, 1 or 2", optarg);
			direction = (int)v;
			break;
		case 'l':
			snaplen = tu_arg_snaplen(PROG, usage, 'l', optarg);
			break;
		case 'w':
			if (tu_parse_u64(optarg, 1, 65535, &watermark) != 0)
				tu_usage_error(PROG, usage, "-w %s: a watermark from 1 to 65535", optarg);
			break;
		case 'r':
			rehash = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'j':
			json = 1;
			break;
		default:
			tu_getopt_error(PROG, usage, c, argv);
		}
	}
	tu_require_device(PROG, usage, argc, argv, device);

	n = pfring_open_multichannel(device, snaplen, PF_RING_PROMISC, rings);
	if (n == 0) {
		tu_last_error(NULL, why, sizeof(why));
		fprintf(stderr, PROG ": cannot open %s: %s\n", device, why);
		return TU_EXIT_ERROR;
	}
	for (i = 0; i < n; i++) {
		pfring_set_application_name(rings[i], PROG);
		if (direction >= 0 && pfring_set_direction(rings[i], (packet_direction)direction) != 0) {
			tu_last_error(rings[i], why, sizeof(why));
			fprintf(stderr, PROG ": %s: direction %d: %s\n", device, direction, why);
		}
		if (watermark)
			pfring_set_poll_watermark(rings[i], (u_int16_t)watermark);
		if (rehash)
			pfring_enable_rss_rehash(rings[i]);
	}
	if (!json)
		printf("%s: %d RX queue%s\n", device, n, n == 1 ? "" : "s");
	return tq_count_queues(PROG, device, rings, n, json, verbose, "");
}
