/*
 * pwrite - writes what a device receives to a capture file with the
 * libpcap API (linked with libpfring-pcap, so PF_RING device names open
 * through libpfring). -g keeps only one GTP-U tunnel: a PF_RING wildcard
 * rule with extended_fields.tunnel on the handle's ring
 * (pcap_get_pfring_handle), the default policy then dropping the rest.
 *
 *   pwrite -i DEV -w FILE [-f BPF] [-g TEID] [-c COUNT] [-l CAPLEN]
 *
 * TEID is decimal or 0x-hex. Exit status: 0 at the end of a finite device,
 * COUNT packets or SIGINT/SIGTERM; 1 on a runtime error; 2 on a bad
 * command line.
 */
#define _DEFAULT_SOURCE 1

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pfring_pcap.h"
#include "tool_util.h"

#define PROG "pwrite"

static pcap_t *the_handle;

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " -i DEV -w FILE [options]\n"
		   "Writes what DEV receives to a pcap file (libpcap API, PF_RING devices).\n"
		   "\n"
		   "  -i DEV      device, e.g. pcap:FILE, sim:FILE, eth0\n"
		   "  -w FILE     the capture file to write\n"
		   "  -f BPF      filter expression\n"
		   "  -g TEID     keep only GTP-U tunnel TEID (decimal or 0x-hex; PF_RING devices)\n"
		   "  -c COUNT    stop after COUNT packets\n"
		   "  -l CAPLEN   capture length (default %d)\n"
		   "  -h          this help\n",
		TU_DEFAULT_SNAPLEN);
}

static void on_signal(int sig)
{
	(void)sig;
	if (the_handle)
		pcap_breakloop(the_handle);
}

static int parse_teid(const char *s, u_int32_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	v = strtoull(s, &end, 0);
	if (*end || v > 0xFFFFFFFFull)
		return -1;
	*out = (u_int32_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	const char *device = NULL, *path = NULL, *filter = NULL;
	char err[PCAP_ERRBUF_SIZE], name[] = PROG;
	uint64_t v;
	u_int32_t teid = 0;
	int snaplen = TU_DEFAULT_SNAPLEN, count = -1, use_teid = 0, c, rc, exit_code = TU_EXIT_OK;
	struct bpf_program prog;
	pcap_dumper_t *dump;
	pcap_t *h;

	opterr = 0;
	while ((c = getopt(argc, argv, ":hi:w:f:g:c:l:")) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return TU_EXIT_OK;
		case 'i':
			device = optarg;
			break;
		case 'w':
			path = optarg;
			break;
		case 'f':
			filter = optarg;
			break;
		case 'g':
			if (parse_teid(optarg, &teid) != 0)
				tu_usage_error(PROG, usage, "-g %s: a TEID from 0 to 0xffffffff", optarg);
			use_teid = 1;
			break;
		case 'c':
			if (tu_parse_u64(optarg, 1, 0x7FFFFFFF, &v) != 0)
				tu_usage_error(PROG, usage, "-c %s: a packet count from 1 to %d", optarg, 0x7FFFFFFF);
			count = (int)v;
			break;
		case 'l':
			if (tu_parse_u64(optarg, 1, TU_MAX_SNAPLEN, &v) != 0)
				tu_usage_error(PROG, usage, "-l %s: a capture length from 1 to %d", optarg, TU_MAX_SNAPLEN);
			snaplen = (int)v;
			break;
		default:
			tu_getopt_error(PROG, usage, c, argv);
		}
	}
	if (optind < argc)
		tu_usage_error(PROG, usage, "unexpected argument '%s'", argv[optind]);
	if (!device || !path)
		tu_usage_error(PROG, usage, "both -i and -w are needed");

	h = pcap_create(device, err);
	if (!h) {
		fprintf(stderr, PROG ": cannot open %s: %s\n", device, err);
		return TU_EXIT_ERROR;
	}
	pcap_set_snaplen(h, snaplen);
	pcap_set_promisc(h, 1);
	pcap_set_timeout(h, 100);
	(void)pcap_set_application_name(h, name);
	if (pcap_activate(h) < 0) {
		fprintf(stderr, PROG ": cannot open %s: %s\n", device, pcap_geterr(h));
		pcap_close(h);
		return TU_EXIT_ERROR;
	}
	if (filter) {
		if (pcap_compile(h, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 || pcap_setfilter(h, &prog) != 0) {
			fprintf(stderr, PROG ": filter '%s': %s\n", filter, pcap_geterr(h));
			pcap_close(h);
			return TU_EXIT_ERROR;
		}
		pcap_freecode(&prog);
	}
	if (use_teid) {
		pfring *ring = pcap_get_pfring_handle(h);
		filtering_rule rule;

		memset(&rule, 0, sizeof(rule));
		rule.rule_id = 1;
		rule.rule_action = forward_packet_and_stop_rule_evaluation;
		rule.extended_fields.optional_fields = FILTER_TUNNEL_ID_FLAG;
		rule.extended_fields.tunnel.tunnel_id = teid;
		if (!ring || pfring_add_filtering_rule(ring, &rule) != 0 || pfring_toggle_filtering_policy(ring, 0) != 0) {
			fprintf(stderr, PROG ": -g needs a PF_RING device (%s is %s)\n", device,
				ring ? "refusing the rule" : "not one");
			pcap_close(h);
			return TU_EXIT_ERROR;
		}
	}
	dump = pcap_dump_open(h, path);
	if (!dump) {
		fprintf(stderr, PROG ": cannot write %s: %s\n", path, pcap_geterr(h));
		pcap_close(h);
		return TU_EXIT_ERROR;
	}
	the_handle = h;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rc = pcap_loop(h, count, pcap_dump, (u_char *)dump);
	if (rc == PCAP_ERROR) {
		fprintf(stderr, PROG ": %s: %s\n", device, pcap_geterr(h));
		exit_code = TU_EXIT_ERROR;
	}
	if (pcap_dump_flush(dump) != 0) {
		fprintf(stderr, PROG ": cannot write %s\n", path);
		exit_code = TU_EXIT_ERROR;
	}
	the_handle = NULL;
	pcap_dump_close(dump);
	pcap_close(h);
	return exit_code;
}
