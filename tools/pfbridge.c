/*
 * pfbridge - forwards packets between two PF_RING devices: what arrives on
 * A is sent out of B and (unless -o) what arrives on B out of A.
 *
 *   pfbridge -a DEV -b DEV [-o] [-f BPF] [-j] [-h]
 *
 * Both rings capture received packets only, so the bridge never forwards
 * what it sent itself. It stops on SIGINT/SIGTERM, or when a device that
 * ends (a capture file, a testbed NIC whose source ended) has delivered
 * its last packet; then it prints how many packets went each way.
 */
#include "tool_util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define PROG "pfbridge"
#define SNAPLEN 9216

struct side {
	const char *name;
	pfring *ring;
	uint64_t forwarded;
	int ended;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " -a DEV -b DEV [options]\n"
		   "Forwards what arrives on A out of B, and what arrives on B out of A.\n"
		   "\n"
		   "  -a DEV          first device\n"
		   "  -b DEV          second device\n"
		   "  -o              one way only: A to B\n"
		   "  -f BPF          forward only packets matching this filter\n"
		   "  -j              print the result as JSON\n"
		   "  -h, --help      this help\n");
}

static pfring *open_side(const char *dev, const char *bpf)
{
	char err[PFRING_ERRBUF_SIZE];
	pfring *r = tu_open_or_exit(PROG, dev, SNAPLEN, PF_RING_PROMISC);

	if (pfring_set_direction(r, rx_only_direction) < 0) {
		tu_last_error(r, err, sizeof(err));
		fprintf(stderr, PROG ": %s: cannot capture RX only: %s\n", dev, err);
		exit(TU_EXIT_ERROR);
	}
	if (bpf != NULL && pfring_set_bpf_filter(r, bpf) < 0) {
		tu_last_error(r, err, sizeof(err));
		fprintf(stderr, PROG ": %s: filter: %s\n", dev, err);
		exit(TU_EXIT_ERROR);
	}
	if (pfring_enable_ring(r) < 0) {
		tu_last_error(r, err, sizeof(err));
		fprintf(stderr, PROG ": cannot enable %s: %s\n", dev, err);
		exit(TU_EXIT_ERROR);
	}
	return r;
}

/*
 * Moves up to a burst from `from` to `to`. Returns the packets moved, 0
 * when none was ready, -1 when `from` ended or on error (message printed
 * for errors).
 */
static int forward(struct side *from, struct side *to)
{
	char err[PFRING_ERRBUF_SIZE];
	int moved = 0;

	while (moved < 64) {
		struct pfring_pkthdr h;
		u_char *p = NULL;
		int rc = pfring_recv(from->ring, &p, 0, &h, 0);

		if (rc == 0)
			break;
		if (rc < 0) {
			if (rc != PF_RING_ERROR_END_OF_FILE) {
				tu_last_error(from->ring, err, sizeof(err));
				fprintf(stderr, PROG ": receiving on %s: %s\n", from->name, err);
			}
			from->ended = rc == PF_RING_ERROR_END_OF_FILE ? 1 : -1;
			return -1;
		}
		rc = tu_send_retry(to->ring, p, h.caplen);
		if (rc < 0) {
			if (tu_stop)
				return moved;
			tu_last_error(to->ring, err, sizeof(err));
			fprintf(stderr, PROG ": sending on %s: %s\n", to->name, err);
			to->ended = -1;
			return -1;
		}
		from->forwarded++;
		moved++;
	}
	return moved;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	struct side a = { NULL, NULL, 0, 0 }, b = { NULL, NULL, 0, 0 };
	const char *bpf = NULL;
	int one_way = 0, json = 0, c, status;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ha:b:of:j", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return TU_EXIT_OK;
		case 'a':
			a.name = optarg;
			break;
		case 'b':
			b.name = optarg;
			break;
		case 'o':
			one_way = 1;
			break;
		case 'f':
			bpf = optarg;
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
	if (a.name == NULL || b.name == NULL)
		tu_usage_error(PROG, usage, "give both devices (-a DEV -b DEV)");
	tu_install_stop_signals();
	a.ring = open_side(a.name, bpf);
	b.ring = open_side(b.name, bpf);
	tu_watch_ring(0, a.ring);
	tu_watch_ring(1, b.ring);

	while (!tu_stop && !a.ended && !b.ended) {
		int n = forward(&a, &b);

		if (n >= 0 && !one_way) {
			int m = forward(&b, &a);

			n = m < 0 ? m : n + m;
		}
		if (n == 0)
			pfring_poll(a.ring, 1);
	}
	status = a.ended < 0 || b.ended < 0 ? TU_EXIT_ERROR : TU_EXIT_OK;
	if (json)
		printf("{\"a_to_b\": %llu, \"b_to_a\": %llu}\n", (unsigned long long)a.forwarded,
		       (unsigned long long)b.forwarded);
	else
		printf("%s -> %s: %llu pkts, %s -> %s: %llu pkts\n", a.name, b.name,
		       (unsigned long long)a.forwarded, b.name, a.name, (unsigned long long)b.forwarded);
	tu_close_ring(a.ring);
	tu_close_ring(b.ring);
	return status;
}
