/*
 * pfcount_dummy_plugin - counts through pf_ring.ko's dummy plugin (guide
 * chapter 10): rule 1 runs the plugin's action on every packet (its
 * statistics count them), rule 2 delivers the packets the plugin's filter
 * accepts (at least MINLEN bytes); the default policy drops the rest.
 * Plugins run inside pf_ring.ko: the device must be a kernel: one, with
 * the dummy_plugin module loaded; elsewhere the rules are refused and the
 * tool says so.
 *
 *   pfcount_dummy_plugin -i DEV [-L MINLEN] [-N COUNT] [-j]
 *
 * Exit status: 0 at the end, COUNT packets or SIGINT/SIGTERM; 1 on a
 * runtime error (open, a rule refused, receive); 2 on a bad command line.
 */
#define _DEFAULT_SOURCE 1

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dummy_plugin.h"
#include "pfring.h"
#include "tool_util.h"

#define PROG "pfcount_dummy_plugin"

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " -i DEV [options]\n"
		   "Counts through pf_ring.ko's dummy plugin (kernel: devices, dummy_plugin loaded).\n"
		   "\n"
		   "  -i DEV      device, e.g. kernel:eth1\n"
		   "  -L MINLEN   deliver packets of at least MINLEN bytes (default 0: all)\n"
		   "  -N COUNT    stop after COUNT delivered packets\n"
		   "  -j          JSON summary on stdout\n"
		   "  -h          this help\n");
}

int main(int argc, char **argv)
{
	const char *device = NULL;
	uint64_t v, count = 0, pkts = 0;
	u_int32_t min_len = 0;
	int json = 0, c, rc, exit_code = TU_EXIT_OK;
	char why[256];
	filtering_rule rule;
	struct dummy_filter filt;
	struct dummy_plugin_stats ps;
	struct pfring_pkthdr hdr;
	u_int len;
	u_char *pkt;
	pfring *ring;

	opterr = 0;
	while ((c = getopt(argc, argv, ":hi:L:N:j")) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return TU_EXIT_OK;
		case 'i':
			device = optarg;
			break;
		case 'L':
			if (tu_parse_u64(optarg, 0, DUMMY_MAX_MIN_LEN, &v) != 0)
				tu_usage_error(PROG, usage, "-L %s: a length from 0 to %d", optarg, DUMMY_MAX_MIN_LEN);
			min_len = (u_int32_t)v;
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
	tu_require_device(PROG, usage, argc, argv, device);

	ring = tu_open_or_exit(PROG, device, TU_DEFAULT_SNAPLEN, 0);
	pfring_set_application_name(ring, PROG);
	memset(&rule, 0, sizeof(rule));
	rule.rule_id = 1;
	rule.rule_action = execute_action_and_continue_rule_evaluation;
	rule.plugin_action.plugin_id = DUMMY_PLUGIN_ID;
	rc = pfring_add_filtering_rule(ring, &rule);
	if (rc == 0) {
		memset(&rule, 0, sizeof(rule));
		rule.rule_id = 2;
		rule.rule_action = forward_packet_and_stop_rule_evaluation;
		rule.extended_fields.filter_plugin_id = DUMMY_PLUGIN_ID;
		memset(&filt, 0, sizeof(filt));
		filt.min_len = min_len;
		memcpy(rule.extended_fields.filter_plugin_data, &filt, sizeof(filt));
		rc = pfring_add_filtering_rule(ring, &rule);
	}
	if (rc < 0) {
		tu_last_error(ring, why, sizeof(why));
		fprintf(stderr, PROG ": %s: the plugin rules were refused (%d): %s\n", device, rc, why);
		tu_close_ring(ring);
		return TU_EXIT_ERROR;
	}
	pfring_toggle_filtering_policy(ring, 0);
	pfring_enable_ring(ring);
	tu_watch_ring(0, ring);
	tu_install_stop_signals();
	while (count == 0 || pkts < count) {
		rc = tu_recv_next(PROG, device, ring, &pkt, &hdr, 0);
		if (rc <= 0) {
			if (rc < 0)
				exit_code = TU_EXIT_ERROR;
			break;
		}
		pkts++;
	}
	memset(&ps, 0, sizeof(ps));
	len = sizeof(ps);
	if (pfring_get_filtering_rule_stats(ring, 1, (char *)&ps, &len) < 0 || len != sizeof(ps))
		memset(&ps, 0, sizeof(ps));
	if (json)
		printf("{\"summary\":{\"received\":%llu,\"plugin_packets\":%llu,\"plugin_bytes\":%llu}}\n",
		       (unsigned long long)pkts, (unsigned long long)ps.packets, (unsigned long long)ps.bytes);
	else
		printf("%llu packets delivered (at least %u bytes); the plugin saw %llu packets, %llu bytes\n",
		       (unsigned long long)pkts, min_len, (unsigned long long)ps.packets, (unsigned long long)ps.bytes);
	tu_close_ring(ring);
	return exit_code;
}
