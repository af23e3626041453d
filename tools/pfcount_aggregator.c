/*
 * pfcount_aggregator - counts several devices in one thread as one
 * aggregate: each device is asked for a burst in turn, and when none has a
 * packet the thread waits on all their descriptors at once (poll(2), at
 * most 100 ms; 1 ms sleeps when a device has none).
 *
 *   pfcount_aggregator -i DEV+DEV[+...] [-e 0|1|2] [-l CAPLEN] [-N COUNT] [-j]
 *
 * Exit status: 0 once every device ended, after COUNT packets or on
 * SIGINT/SIGTERM; 1 on a runtime error; 2 on a bad command line.
 */
#define _DEFAULT_SOURCE 1

#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pfring.h"
#include "tool_util.h"

#define PROG "pfcount_aggregator"
#define MAX_DEVS 32
#define LIST_MAX 4096
#define BURST 32

struct dev {
	const char *name;
	pfring *ring;
	int ended;
	uint64_t pkts, bytes;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " -i DEV+DEV[+...] [options]\n"
		   "Counts several devices in one thread, as one aggregate.\n"
		   "\n"
		   "  -i DEVS       plus-separated devices (1 to %d)\n"
		   "  -e DIRECTION  0 = RX and TX (default), 1 = RX only, 2 = TX only\n"
		   "  -l CAPLEN     capture length (default %d)\n"
		   "  -N COUNT      stop after COUNT packets in all\n"
		   "  -j            JSON summary on stdout\n"
		   "  -h            this help\n",
		MAX_DEVS, TU_DEFAULT_SNAPLEN);
}

/* Waits until a device may have packets: poll(2) on the descriptors when
 * every device has one, a 1 ms sleep otherwise. */
static void wait_any(struct dev *d, int n)
{
	struct pollfd pfd[MAX_DEVS];
	int i, k = 0;

	for (i = 0; i < n; i++) {
		if (d[i].ended)
			continue;
		pfd[k].fd = pfring_get_selectable_fd(d[i].ring);
		pfd[k].events = POLLIN;
		if (pfd[k].fd < 0) {
			struct timespec ts = { 0, 1000000 };

			nanosleep(&ts, NULL);
			return;
		}
		k++;
	}
	if (k > 0)
		(void)poll(pfd, (nfds_t)k, 100);
}

int main(int argc, char **argv)
{
	static char list[LIST_MAX];
	static struct dev d[MAX_DEVS];
	char *names[MAX_DEVS];
	const char *devices = NULL;
	uint32_t snaplen = TU_DEFAULT_SNAPLEN;
	uint64_t v, count = 0, pkts = 0, bytes = 0;
	int direction = -1, json = 0, c, i, k, n, rc, live, got, exit_code = TU_EXIT_OK;
	char why[256], num[TU_NUM_BUF];
	u_char *bufs[BURST];
	struct pfring_pkthdr hdrs[BURST];

	opterr = 0;
	while ((c = getopt(argc, argv, ":hi:e:l:N:j")) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return TU_EXIT_OK;
		case 'i':
			devices = optarg;
			break;
		case 'e':
			if (tu_parse_u64(optarg, 0, 2, &v) != 0)
				tu_usage_error(PROG, usage, "-e %s: 0, 1 or 2", optarg);
			direction = (int)v;
			break;
		case 'l':
			snaplen = tu_arg_snaplen(PROG, usage, 'l', optarg);
			break;
		case 'N':
			count = tu_arg_count(PROG, usage, 'N', optarg);
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
	n = tu_split(devices, '+', list, sizeof(list), names, MAX_DEVS);
	if (n < 1)
		tu_usage_error(PROG, usage, "-i %s: 1 to %d plus-separated devices, none empty", devices, MAX_DEVS);

	for (i = 0; i < n; i++) {
		d[i].name = names[i];
		d[i].ring = tu_open_or_exit(PROG, names[i], snaplen, 0);
		pfring_set_application_name(d[i].ring, PROG);
		if (direction >= 0 && pfring_set_direction(d[i].ring, (packet_direction)direction) != 0) {
			tu_last_error(d[i].ring, why, sizeof(why));
			fprintf(stderr, PROG ": %s: direction %d: %s\n", names[i], direction, why);
		}
		pfring_enable_ring(d[i].ring);
	}
	tu_install_stop_signals();
	for (live = n; live > 0 && !tu_stop && (count == 0 || pkts < count);) {
		got = 0;
		for (i = 0; i < n && (count == 0 || pkts < count); i++) {
			u_int want = BURST;

			if (d[i].ended)
				continue;
			if (count && count - pkts < want)
				want = (u_int)(count - pkts);
			rc = pfring_recv_burst(d[i].ring, bufs, hdrs, want, 0);
			if (rc == PF_RING_ERROR_END_OF_FILE) {
				d[i].ended = 1;
				live--;
			} else if (rc < 0) {
				tu_last_error(d[i].ring, why, sizeof(why));
				fprintf(stderr, PROG ": %s: receive failed (%d): %s\n", d[i].name, rc, why);
				exit_code = TU_EXIT_ERROR;
				live = 0;
				break;
			} else {
				for (k = 0; k < rc; k++) {
					d[i].bytes += hdrs[k].len;
					bytes += hdrs[k].len;
				}
				d[i].pkts += (uint64_t)rc;
				pkts += (uint64_t)rc;
				got += rc;
			}
		}
		if (got == 0 && live > 0 && !tu_stop)
			wait_any(d, n);
	}
	if (json) {
		printf("{\"summary\":{\"received\":%llu,\"bytes\":%llu,\"devices\":[", (unsigned long long)pkts,
		       (unsigned long long)bytes);
		for (i = 0; i < n; i++) {
			printf("%s{\"device\":", i ? "," : "");
			tu_json_string(stdout, d[i].name);
			printf(",\"received\":%llu,\"bytes\":%llu}", (unsigned long long)d[i].pkts,
			       (unsigned long long)d[i].bytes);
		}
		printf("]}}\n");
	} else {
		for (i = 0; i < n; i++)
			printf("%s: %s packets\n", d[i].name, tu_fmt_u64(d[i].pkts, num, sizeof(num)));
		printf("aggregate: %s packets, %s bytes\n", tu_fmt_u64(pkts, num, sizeof(num)),
		       tu_fmt_u64(bytes, why, sizeof(why)));
	}
	for (i = 0; i < n; i++)
		tu_close_ring(d[i].ring);
	return exit_code;
}
