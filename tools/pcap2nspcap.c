/*
 * pcap2nspcap - rewrites a capture with nanosecond timestamps (pcap magic
 * 0xa1b23c4d), the resolution PF_RING's timestamps have; a microsecond
 * capture gets its times times 1000, a nanosecond one is copied. libpcap
 * reads and writes both files.
 *
 *   pcap2nspcap -i IN.pcap -o OUT.pcap [-v]
 *
 * Exit status: 0, 1 when a file cannot be read or written, 2 on a bad
 * command line.
 */
#define _DEFAULT_SOURCE 1

#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

#include "tool_util.h"

#define PROG "pcap2nspcap"

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " -i IN.pcap -o OUT.pcap\n"
		   "Rewrites a capture with nanosecond timestamps.\n"
		   "\n"
		   "  -i IN    the capture to read (pcap, microseconds or nanoseconds)\n"
		   "  -o OUT   the capture to write (nanosecond pcap)\n"
		   "  -v       say how many packets were written\n"
		   "  -h       this help\n");
}

int main(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *src, *dead;
	pcap_dumper_t *dump;
	uint64_t n = 0;
	int verbose = 0, c, rc, exit_code = TU_EXIT_OK;

	opterr = 0;
	while ((c = getopt(argc, argv, ":hi:o:v")) != -1) {
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
		case 'v':
			verbose = 1;
			break;
		default:
			tu_getopt_error(PROG, usage, c, argv);
		}
	}
	if (optind < argc)
		tu_usage_error(PROG, usage, "unexpected argument '%s'", argv[optind]);
	if (!in || !out)
		tu_usage_error(PROG, usage, "both -i and -o are needed");
	src = pcap_open_offline_with_tstamp_precision(in, PCAP_TSTAMP_PRECISION_NANO, err);
	if (!src) {
		fprintf(stderr, PROG ": cannot read %s: %s\n", in, err);
		return TU_EXIT_ERROR;
	}
	dead = pcap_open_dead_with_tstamp_precision(pcap_datalink(src), pcap_snapshot(src),
						    PCAP_TSTAMP_PRECISION_NANO);
	dump = dead ? pcap_dump_open(dead, out) : NULL;
	if (!dump) {
		fprintf(stderr, PROG ": cannot write %s: %s\n", out, dead ? pcap_geterr(dead) : "out of memory");
		if (dead)
			pcap_close(dead);
		pcap_close(src);
		return TU_EXIT_ERROR;
	}
	while ((rc = pcap_next_ex(src, &h, &data)) == 1) {
		pcap_dump((u_char *)dump, h, data);
		n++;
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, PROG ": %s: %s (after %llu packets)\n", in, pcap_geterr(src), (unsigned long long)n);
		exit_code = TU_EXIT_ERROR;
	}
	if (pcap_dump_flush(dump) != 0 || ferror(pcap_dump_file(dump))) {
		fprintf(stderr, PROG ": cannot write %s\n", out);
		exit_code = TU_EXIT_ERROR;
	}
	pcap_dump_close(dump);
	pcap_close(dead);
	pcap_close(src);
	if (verbose && exit_code == TU_EXIT_OK)
		printf("%llu packets written to %s\n", (unsigned long long)n, out);
	return exit_code;
}
