/*
 * pfcount_bundle - reads several devices as one stream (a 5.x bundle):
 * round robin over the devices that have a packet, or with -q the oldest
 * packet first (the devices merged by timestamp).
 *
 *   pfcount_bundle -i DEV,DEV[,...] [-q] [-l CAPLEN] [-N COUNT] [-v] [-j]
 *
 * -v prints one line per packet, prefixed by the index of its device; with
 * -j each is a JSON object with "device" (the index) and "ts_ns".
 *
 * Exit status: 0 once every device ended, after COUNT packets or on
 * SIGINT/SIGTERM; 1 on a runtime error; 2 on a bad command line.
 */
#define _DEFAULT_SOURCE 1

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pfring.h"
#include "tool_util.h"

#define PROG "pfcount_bundle"
#define LIST_MAX 4096

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " -i DEV,DEV[,...] [options]\n"
		   "Reads several devices as one stream (a PF_RING bundle).\n"
		   "\n"
		   "  -i DEVS     comma-separated devices (2 to %d), DEV@QUEUE for a queue\n"
		   "  -q          oldest packet first (FIFO: merged by timestamp); default round robin\n"
		   "  -l CAPLEN   capture length (default %d)\n"
		   "  -N COUNT    stop after COUNT packets\n"
		   "  -v          one line per packet, prefixed by its device's index\n"
		   "  -j          JSON lines on stdout (per packet with -v) and a summary\n"
		   "  -h          this help\n",
		MAX_NUM_BUNDLE_ELEMENTS, TU_DEFAULT_SNAPLEN);
}

int main(int argc, char **argv)
{
	static pfring_bundle bundle;
	static char list[LIST_MAX];
	char *devs[MAX_NUM_BUNDLE_ELEMENTS];
	uint64_t per_dev[MAX_NUM_BUNDLE_ELEMENTS] = { 0 };
	const char *devices = NULL;
	uint32_t snaplen = TU_DEFAULT_SNAPLEN;
	uint64_t count = 0, pkts = 0;
	int fifo = 0, verbose = 0, json = 0, c, i, n, rc, exit_code = TU_EXIT_OK;
	char why[256], num[TU_NUM_BUF];
	struct pfring_pkthdr hdr;
	u_char *pkt;

	opterr = 0;
	while ((c = getopt(argc, argv, ":hi:ql:N:vj")) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return TU_EXIT_OK;
		case 'i':
			devices = optarg;
			break;
		case 'q':
			fifo = 1;
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
	if (optind < argc)
		tu_usage_error(PROG, usage, "unexpected argument '%s'", argv[optind]);
	if (!devices)
		tu_usage_error(PROG, usage, "no devices (-i)");
	n = tu_split(devices, ',', list, sizeof(list), devs, MAX_NUM_BUNDLE_ELEMENTS);
	if (n < 2)
		tu_usage_error(PROG, usage, "-i %s: 2 to %d comma-separated devices, none empty", devices,
			       MAX_NUM_BUNDLE_ELEMENTS);

	pfring_bundle_init(&bundle, fifo ? pick_fifo : pick_round_robin);
	for (i = 0; i < n; i++) {
		pfring *r = tu_open_or_exit(PROG, devs[i], snaplen, 0);

		pfring_set_application_name(r, PROG);
		if (pfring_bundle_add(&bundle, r) != 0) {
			fprintf(stderr, PROG ": cannot add %s to the bundle\n", devs[i]);
			pfring_close(r);
			pfring_bundle_close(&bundle);
			return TU_EXIT_ERROR;
		}
		if (i < 4)
			tu_watch_ring(i, r);
	}
	tu_install_stop_signals();
	while (!tu_stop && (count == 0 || pkts < count)) {
		memset(&hdr, 0, sizeof(hdr));
		rc = pfring_bundle_read(&bundle, &pkt, 0, &hdr, 0);
		if (rc == 0) {
			struct timespec ts = { 0, 1000000 };

			nanosleep(&ts, NULL);
			continue;
		}
		if (rc == PF_RING_ERROR_END_OF_FILE || (rc < 0 && tu_stop))
			break;
		if (rc < 0) {
			tu_last_error(bundle.sockets[bundle.last_read_socket], why, sizeof(why));
			fprintf(stderr, PROG ": receive failed (%d): %s\n", rc, why);
			exit_code = TU_EXIT_ERROR;
			break;
		}
		pkts++;
		per_dev[bundle.last_read_socket]++;
		if (verbose) {
			pfring_parse_pkt(pkt, &hdr, 5, 0, 1);
			if (json) {
				printf("{\"device\":%u,\"packet\":", bundle.last_read_socket);
				tu_print_pkt_json(stdout, &hdr, -1);
				printf("}\n");
			} else {
				printf("[%u] ", bundle.last_read_socket);
				tu_print_pkt_line(stdout, &hdr, 0);
			}
		}
	}
	if (json) {
		printf("{\"summary\":{\"policy\":\"%s\",\"received\":%llu,\"devices\":[", fifo ? "fifo" : "round_robin",
		       (unsigned long long)pkts);
		for (i = 0; i < n; i++) {
			printf("%s{\"device\":", i ? "," : "");
			tu_json_string(stdout, devs[i]);
			printf(",\"received\":%llu}", (unsigned long long)per_dev[i]);
		}
		printf("]}}\n");
	} else {
		for (i = 0; i < n; i++)
			printf("%s: %s packets\n", devs[i], tu_fmt_u64(per_dev[i], num, sizeof(num)));
		printf("total: %s packets\n", tu_fmt_u64(pkts, num, sizeof(num)));
	}
	for (i = 0; i < n && i < 4; i++)
		tu_watch_ring(i, NULL);
	pfring_bundle_close(&bundle);
	return exit_code;
}
