/*
 * preflect - reflects what arrives on one device out of another, through a
 * reflect rule (guide 8.10: filtering_rule.reflector_device_name), so the
 * library forwards each packet while it receives: the application sees
 * none of them. With -b packets are bounced instead: sent back out of the
 * input device with the MAC addresses swapped.
 *
 *   preflect -i IN (-o OUT | -b) [-f BPF] [-N COUNT] [-j] [-h]
 *
 * It stops on SIGINT/SIGTERM, after COUNT packets, or when IN ends; then it
 * prints how many packets were reflected.
 */
#include "tool_util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define PROG "preflect"

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " -i IN (-o OUT | -b) [options]\n"
		   "Reflects what arrives on IN out of OUT (or bounces it back out of IN).\n"
		   "\n"
		   "  -i IN           input device\n"
		   "  -o OUT          device to reflect to\n"
		   "  -b              bounce: send back out of IN with the MACs swapped\n"
		   "  -f BPF          reflect only packets matching this filter\n"
		   "  -N COUNT        stop after COUNT packets\n"
		   "  -j              print the result as JSON\n"
		   "  -h, --help      this help\n");
}

static void fail(pfring *ring, const char *what)
{
	char err[PFRING_ERRBUF_SIZE];

	tu_last_error(ring, err, sizeof(err));
	fprintf(stderr, PROG ": %s: %s\n", what, err);
	exit(TU_EXIT_ERROR);
}

/* Packets the reflect rule (id 1) matched so far. */
static uint64_t reflected(pfring *ring)
{
	hash_filtering_rule_stats rs;
	char stats[sizeof(rs)];
	u_int len = sizeof(stats);

	memset(&rs, 0, sizeof(rs));
	if (pfring_get_filtering_rule_stats(ring, 1, stats, &len) == 0)
		memcpy(&rs, stats, len < sizeof(rs) ? len : sizeof(rs));
	return rs.match;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	const char *in = NULL, *out = NULL, *bpf = NULL;
	uint64_t limit = 0, v, seen = 0;
	int bounce = 0, json = 0, c, status = TU_EXIT_OK;
	filtering_rule rule;
	pfring *ring;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hi:o:bf:N:j", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return TU_EXIT_OK;
		case 'i':
			in = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'b':
			bounce = 1;
			break;
		case 'f':
			bpf = optarg;
			break;
		case 'N':
			if (tu_parse_u64(optarg, 1, UINT64_MAX, &v) != 0)
				tu_usage_error(PROG, usage, "-N wants a packet count >= 1, got '%s'", optarg);
			limit = v;
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
	if (in == NULL || (out == NULL) == !bounce)
		tu_usage_error(PROG, usage, "give the input (-i IN) and either -o OUT or -b");
	if (out != NULL && strlen(out) >= REFLECTOR_NAME_LEN)
		tu_usage_error(PROG, usage, "reflector device name longer than %d characters", REFLECTOR_NAME_LEN - 1);

	tu_install_stop_signals();
	ring = tu_open_or_exit(PROG, in, 9216, PF_RING_PROMISC);
	tu_watch_ring(0, ring);
	if (pfring_set_direction(ring, rx_only_direction) < 0)
		fail(ring, "cannot capture RX only");
	if (bpf != NULL && pfring_set_bpf_filter(ring, bpf) < 0)
		fail(ring, "filter");
	/* one rule that matches every packet */
	memset(&rule, 0, sizeof(rule));
	rule.rule_id = 1;
	rule.rule_action = bounce ? bounce_packet_and_stop_rule_evaluation : reflect_packet_and_stop_rule_evaluation;
	if (out != NULL)
		snprintf(rule.reflector_device_name, sizeof(rule.reflector_device_name), "%s", out);
	if (pfring_add_filtering_rule(ring, &rule) < 0)
		fail(ring, "cannot add the reflect rule");
	if (pfring_enable_ring(ring) < 0)
		fail(ring, "cannot enable the input");

	while (!tu_stop && (limit == 0 || seen < limit)) {
		struct pfring_pkthdr h;
		u_char *p = NULL;
		/* reflected packets are not delivered: recv returns 0 after them */
		int rc = pfring_recv(ring, &p, 0, &h, 0);

		if (rc == PF_RING_ERROR_END_OF_FILE)
			break;
		if (rc < 0) {
			if (tu_stop)
				break;
			fail(ring, "receive");
		}
		seen = reflected(ring);
		if (rc == 0)
			pfring_poll(ring, 50);
	}
	seen = reflected(ring);
	if (json)
		printf("{\"reflected\": %llu, \"to\": \"%s\"}\n", (unsigned long long)seen, out != NULL ? out : in);
	else
		printf("%llu packets reflected from %s to %s\n", (unsigned long long)seen, in, out != NULL ? out : in);
	tu_close_ring(ring);
	return status;
}
