/*
 * pcount - counts packets with the libpcap API, as a libpcap program does;
 * linked with libpfring-pcap, so PF_RING device names (pcap:, sim:,
 * userspace:, multi:, kernel: ...) open through libpfring and PF_RING's
 * libpcap additions (pcap_set_application_name) work; every other name
 * goes to libpcap itself.
 *
 *   pcount -i DEV [-f BPF] [-l CAPLEN] [-c COUNT] [-v 1|2] [-j]
 *
 * Exit status: 0 at the end of a finite device, COUNT packets or
 * SIGINT/SIGTERM; 1 on a runtime error; 2 on a bad command line.
 */
#define _DEFAULT_SOURCE 1

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pfring_pcap.h"
#include "tool_util.h"

#define PROG "pcount"

struct state {
	uint64_t pkts, bytes;
	int verbose;
};

static pcap_t *the_handle;

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " -i DEV [options]\n"
		   "Counts packets through the libpcap API (PF_RING devices via libpfring-pcap).\n"
		   "\n"
		   "  -i DEV      device, e.g. pcap:FILE, sim:FILE, eth0\n"
		   "  -f BPF      filter expression\n"
		   "  -l CAPLEN   capture length (default %d)\n"
		   "  -c COUNT    stop after COUNT packets\n"
		   "  -v 1|2      one line per packet (1), plus a hex dump (2)\n"
		   "  -j          JSON summary on stdout\n"
		   "  -h          this help\n",
		TU_DEFAULT_SNAPLEN);
}

static void on_signal(int sig)
{
	(void)sig;
	if (the_handle)
		pcap_breakloop(the_handle);
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *p)
{
	struct state *s = (struct state *)user;

	s->pkts++;
	s->bytes += h->len;
	if (s->verbose) {
		printf("%ld.%06ld len %u caplen %u\n", (long)h->ts.tv_sec, (long)h->ts.tv_usec, h->len, h->caplen);
		if (s->verbose > 1)
			tu_hexdump(stdout, p, h->caplen);
	}
}

int main(int argc, char **argv)
{
	const char *device = NULL, *filter = NULL;
	char err[PCAP_ERRBUF_SIZE], name[] = PROG, num[TU_NUM_BUF];
	uint64_t v;
	int snaplen = TU_DEFAULT_SNAPLEN, count = -1, json = 0, c, rc, exit_code = TU_EXIT_OK;
	struct bpf_program prog;
	struct pcap_stat st;
	struct state s;
	pcap_t *h;

	memset(&s, 0, sizeof(s));
	opterr = 0;
	while ((c = getopt(argc, argv, ":hi:f:l:c:v:j")) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return TU_EXIT_OK;
		case 'i':
			device = optarg;
			break;
		case 'f':
			filter = optarg;
			break;
		case 'l':
			if (tu_parse_u64(optarg, 1, TU_MAX_SNAPLEN, &v) != 0)
				tu_usage_error(PROG, usage, "-l %s: a capture length from 1 to %d", optarg, TU_MAX_SNAPLEN);
			snaplen = (int)v;
			break;
		case 'c':
			if (tu_parse_u64(optarg, 1, 0x7FFFFFFF, &v) != 0)
				tu_usage_error(PROG, usage, "-c %s: a packet count from 1 to %d", optarg, 0x7FFFFFFF);
			count = (int)v;
			break;
		case 'v':
			if (tu_parse_u64(optarg, 1, 2, &v) != 0)
				tu_usage_error(PROG, usage, "-v %s: 1 or 2", optarg);
			s.verbose = (int)v;
			break;
		case 'j':
			json = 1;
			break;
		default:
			tu_getopt_error(PROG, usage, c, argv);
		}
	}
	tu_require_device(PROG, usage, argc, argv, device);
	if (json)
		s.verbose = 0;

	h = pcap_create(device, err);
	if (!h) {
		fprintf(stderr, PROG ": cannot open %s: %s\n", device, err);
		return TU_EXIT_ERROR;
	}
	pcap_set_snaplen(h, snaplen);
	pcap_set_promisc(h, 1);
	pcap_set_timeout(h, 100);
	(void)pcap_set_application_name(h, name); /* refused on non-PF_RING handles: harmless */
	rc = pcap_activate(h);
	if (rc < 0) {
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
	the_handle = h;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rc = pcap_loop(h, count, on_packet, (u_char *)&s);
	if (rc == PCAP_ERROR) {
		fprintf(stderr, PROG ": %s: %s\n", device, pcap_geterr(h));
		exit_code = TU_EXIT_ERROR;
	}
	memset(&st, 0, sizeof(st));
	if (pcap_stats(h, &st) != 0)
		memset(&st, 0, sizeof(st));
	if (json) {
		printf("{\"summary\":{\"device\":");
		tu_json_string(stdout, device);
		printf(",\"received\":%llu,\"bytes\":%llu,\"ps_recv\":%u,\"ps_drop\":%u,\"pf_ring\":%s}}\n",
		       (unsigned long long)s.pkts, (unsigned long long)s.bytes, st.ps_recv, st.ps_drop,
		       pcap_get_pfring_handle(h) ? "true" : "false");
	} else {
		printf("%s packets, %llu bytes (%u received, %u dropped by the device)\n",
		       tu_fmt_u64(s.pkts, num, sizeof(num)), (unsigned long long)s.bytes, st.ps_recv, st.ps_drop);
	}
	the_handle = NULL;
	pcap_close(h);
	return exit_code;
}
