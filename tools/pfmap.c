/*
 * pfmap - reads a device zero copy (each packet is read where the device
 * put it: pfring_recv with buffer_len 0) and looks for a string in every
 * packet, printing the packets that hold it.
 *
 *   pfmap -i DEV -s STRING [-l CAPLEN] [-N COUNT] [-v] [-j]
 *
 * Without -s every packet counts as a match. -v prints a hex dump of each
 * match. Exit status: 0 at the end of a finite device, COUNT matches or
 * SIGINT/SIGTERM; 1 on a runtime error; 2 on a bad command line.
 */
#define _GNU_SOURCE 1 /* memmem */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pfring.h"
#include "tool_util.h"

#define PROG "pfmap"

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " -i DEV [options]\n"
		   "Reads DEV zero copy and prints the packets holding a string.\n"
		   "\n"
		   "  -i DEV      device: [module:]device[@queue]\n"
		   "  -s STRING   the bytes to look for anywhere in a packet\n"
		   "  -l CAPLEN   capture length (default %d)\n"
		   "  -N COUNT    stop after COUNT matching packets\n"
		   "  -v          hex dump of each match\n"
		   "  -j          JSON lines: one per match, then a summary\n"
		   "  -h          this help\n",
		TU_DEFAULT_SNAPLEN);
}

int main(int argc, char **argv)
{
	const char *device = NULL, *needle = NULL;
	uint32_t snaplen = TU_DEFAULT_SNAPLEN;
	uint64_t count = 0, pkts = 0, matches = 0;
	int verbose = 0, json = 0, c, rc, exit_code = TU_EXIT_OK;
	size_t nlen = 0;
	char num[TU_NUM_BUF], num2[TU_NUM_BUF];
	struct pfring_pkthdr hdr;
	u_char *pkt;
	pfring *ring;

	opterr = 0;
	while ((c = getopt(argc, argv, ":hi:s:l:N:vj")) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return TU_EXIT_OK;
		case 'i':
			device = optarg;
			break;
		case 's':
			needle = optarg;
			nlen = strlen(optarg);
			if (nlen == 0)
				tu_usage_error(PROG, usage, "-s: an empty string");
			break;
		case 'l':
			snaplen = tu_arg_snaplen(PROG, usage, 'l', optarg);
			break;
		case 'N':
			count = tu_arg_count(PROG, usage, 'N', optarg);
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

	ring = tu_open_or_exit(PROG, device, snaplen, 0);
	pfring_set_application_name(ring, PROG);
	pfring_enable_ring(ring);
	tu_watch_ring(0, ring);
	tu_install_stop_signals();
	while (count == 0 || matches < count) {
		rc = tu_recv_next(PROG, device, ring, &pkt, &hdr, 0);
		if (rc <= 0) {
			if (rc < 0)
				exit_code = TU_EXIT_ERROR;
			break;
		}
		pkts++;
		if (needle && (hdr.caplen < nlen || !memmem(pkt, hdr.caplen, needle, nlen)))
			continue;
		matches++;
		if (json) {
			printf("{\"packet\":%llu,\"ts_ns\":%llu,\"len\":%u,\"caplen\":%u}\n", (unsigned long long)pkts,
			       (unsigned long long)tu_pkt_time_ns(&hdr), hdr.len, hdr.caplen);
		} else {
			printf("packet %llu: %u bytes\n", (unsigned long long)pkts, hdr.len);
			if (verbose)
				tu_hexdump(stdout, pkt, hdr.caplen);
		}
	}
	if (json)
		printf("{\"summary\":{\"received\":%llu,\"matches\":%llu}}\n", (unsigned long long)pkts,
		       (unsigned long long)matches);
	else
		printf("%s packets read, %s held the string\n", tu_fmt_u64(pkts, num, sizeof(num)),
		       tu_fmt_u64(matches, num2, sizeof(num2)));
	tu_close_ring(ring);
	return exit_code;
}
