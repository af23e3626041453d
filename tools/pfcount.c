/*
 * pfcount - counts the packets of a PF_RING device and prints statistics in
 * the format of the guide's section 7.3, or per-packet lines, or JSON lines.
 *
 *   pfcount -i DEV [-f BPF] [-N COUNT] [-l CAPLEN] [-e 0|1|2] [-a] [-m]
 *           [-v 1|2] [-j] [--sample RATE] [-c ID [-H TYPE]] [-h]
 *
 * The receive loop never blocks inside the library: it asks for a burst of
 * packets (one parsed packet with -v/-j) without waiting and, when none is ready, either spins (-a, active wait)
 * or waits in pfring_poll() for at most POLL_MS. So SIGINT/SIGTERM and the
 * once-a-second statistics are served even on an idle device.
 *
 * Exit status: 0 after the end of a finite device (pcap:FILE), COUNT
 * packets, or SIGINT/SIGTERM; 1 on a runtime error (open, filter, receive);
 * 2 on a bad command line.
 */
#define _DEFAULT_SOURCE 1

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pfring.h"
#include "tool_util.h"

#define PROG "pfcount"
#define POLL_MS 100 /* longest passive wait before the stop flag is looked at */
#define STATS_PERIOD_S 1.0
#define PARSE_LEVEL 5 /* up to tunnel headers */
#define BURST 64 /* packets per pfring_recv_burst() when nothing is parsed */


struct options {
	const char *device;
	const char *bpf;
	uint64_t count; /* 0 = no limit */
	uint32_t snaplen;
	int direction; /* -1 = not set */
	int active_wait;
	int long_header;
	int verbose; /* 0, 1, 2 */
	int json;
	uint32_t sample_rate; /* 0 = not set */
	int cluster_id; /* -1 = not in a cluster */
	cluster_type cluster_hash;
};

struct counters {
	uint64_t pkts, bytes; /* delivered to us */
	double start; /* tu_now() at the first receive */
	double last_print; /* tu_now() at the last statistics print */
	uint64_t last_pkts, last_bytes;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG " -i DEV [options]\n"
		"Counts the packets of a PF_RING device and prints statistics.\n"
		"\n"
		"  -i DEV          device: [module:]device[@queue], e.g. eth0, pcap:FILE\n"
		"  -f BPF          BPF filter expression (libpcap syntax)\n"
		"  -N COUNT        stop after COUNT delivered packets\n"
		"  -l CAPLEN       capture length (default %d)\n"
		"  -e DIRECTION    0 = RX and TX (default), 1 = RX only, 2 = TX only\n"
		"  -a              active wait (spin instead of polling)\n"
		"  -m              long packet header: show the extended header in -v lines\n"
		"  -v 1|2          verbose: one line per packet (1), plus a hex dump (2)\n"
		"  -j              JSON lines on stdout (one object per packet with -v,\n"
		"                  and a final {\"summary\": ...})\n"
		"  --sample RATE   deliver 1 packet out of RATE\n"
		"  -c ID           join cluster ID (the device shares its packets among the members)\n"
		"  -H TYPE         cluster type: rr (round robin), flow (6-tuple, default), 2, 4, 5\n"
		"                  (tuples), tcp5, inner, inner2, inner4, inner5, innertcp5;\n"
		"                  --cluster-type takes the same or the guide's names: per_flow,\n"
		"                  round_robin, 2_tuple, 4_tuple, 5_tuple, tcp_5_tuple\n"
		"  -h, --help      this help\n",
		TU_DEFAULT_SNAPLEN);
}

enum { OPT_SAMPLE = 256, OPT_CLUSTER_TYPE };

static void parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "interface", required_argument, NULL, 'i' },
		{ "filter", required_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'N' },
		{ "snaplen", required_argument, NULL, 'l' },
		{ "direction", required_argument, NULL, 'e' },
		{ "active", no_argument, NULL, 'a' },
		{ "long-header", no_argument, NULL, 'm' },
		{ "verbose", required_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "sample", required_argument, NULL, OPT_SAMPLE },
		{ "cluster", required_argument, NULL, 'c' },
		{ "cluster-type", required_argument, NULL, OPT_CLUSTER_TYPE },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	memset(o, 0, sizeof(*o));
	o->snaplen = TU_DEFAULT_SNAPLEN;
	o->direction = -1;
	o->cluster_id = -1;
	o->cluster_hash = cluster_per_flow;
	opterr = 0; /* our own messages */
	while ((c = getopt_long(argc, argv, ":hi:f:N:l:e:amv:jc:H:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			exit(TU_EXIT_OK);
		case 'i':
			o->device = optarg;
			break;
		case 'f':
			o->bpf = optarg;
			break;
		case 'N':
			if (tu_parse_u64(optarg, 0, UINT64_MAX, &o->count) != 0)
				tu_usage_error(PROG, usage, "-N wants a packet count, got '%s'",
				       optarg);
			break;
		case 'l':
			if (tu_parse_u64(optarg, 1, TU_MAX_SNAPLEN, &v) != 0)
				tu_usage_error(PROG, usage,
				       "-l wants a capture length in 1..262144, got '%s'", optarg);
			o->snaplen = (uint32_t)v;
			break;
		case 'e':
			if (tu_parse_u64(optarg, 0, 2, &v) != 0)
				tu_usage_error(PROG, usage,
				       "-e wants 0 (RX+TX), 1 (RX) or 2 (TX), got '%s'", optarg);
			o->direction = (int)v;
			break;
		case 'a':
			o->active_wait = 1;
			break;
		case 'm':
			o->long_header = 1;
			break;
		case 'v':
			if (tu_parse_u64(optarg, 1, 2, &v) != 0)
				tu_usage_error(PROG, usage, "-v wants 1 or 2, got '%s'", optarg);
			o->verbose = (int)v;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'c':
			if (tu_parse_u64(optarg, 0, 65535, &v) != 0)
				tu_usage_error(PROG, usage, "-c wants a cluster id in 0..65535, got '%s'", optarg);
			o->cluster_id = (int)v;
			break;
		case 'H':
		case OPT_CLUSTER_TYPE:
			if (tu_parse_cluster_type(optarg, &o->cluster_hash) != 0)
				tu_usage_error(PROG, usage, "%s wants a cluster type (rr, flow, 2, 4, 5, tcp5, inner...; "
				       "or per_flow, round_robin, 2_tuple...), got '%s'", c == 'H' ? "-H" : "--cluster-type", optarg);
			break;
		case OPT_SAMPLE:
			if (tu_parse_u64(optarg, 1, UINT32_MAX, &v) != 0)
				tu_usage_error(PROG, usage, "--sample wants a rate >= 1, got '%s'",
				       optarg);
			o->sample_rate = (uint32_t)v;
			break;
		default:
			tu_getopt_error(PROG, usage, c, argv);
		}
	}
	if (optind < argc)
		tu_usage_error(PROG, usage, "unexpected argument '%s'", argv[optind]);
	if (o->device == NULL)
		tu_usage_error(PROG, usage, "no device given (-i DEV)");
}

/* The guide's section 7.3 statistics block. */
static void print_stats(pfring *ring, struct counters *c, FILE *f)
{
	char n1[TU_NUM_BUF], n2[TU_NUM_BUF], n3[TU_NUM_BUF], n4[TU_NUM_BUF];
	pfring_stat st;
	double now = tu_now();
	double elapsed = now - c->start;
	double delta = now - c->last_print;
	uint64_t dpkts = c->pkts - c->last_pkts, dbytes = c->bytes - c->last_bytes;
	uint64_t total;

	if (pfring_stats(ring, &st) < 0) {
		st.recv = c->pkts;
		st.drop = 0;
	}
	total = st.recv + st.drop;
	fputs("=====\n", f);
	fprintf(f, "Absolute Stats: [%llu pkts rcvd][%llu pkts dropped]\n",
		(unsigned long long)st.recv, (unsigned long long)st.drop);
	fprintf(f, "Total Pkts=%llu/Dropped=%.1f %%\n", (unsigned long long)total,
		total == 0 ? 0.0 : (double)st.drop * 100.0 / (double)total);
	fprintf(f, "%s pkts - %s bytes", tu_fmt_u64(c->pkts, n1, sizeof(n1)),
		tu_fmt_u64(c->bytes, n2, sizeof(n2)));
	if (elapsed > 0)
		fprintf(f, " [%s pkt/sec - %s Mbit/sec]",
			tu_fmt_double((double)c->pkts / elapsed, 2, n3, sizeof(n3)),
			tu_fmt_double((double)c->bytes * 8.0 / elapsed / 1e6, 2, n4, sizeof(n4)));
	fputc('\n', f);
	fputs("=====\n", f);
	fprintf(f, "Actual Stats: %llu pkts [%s ms]", (unsigned long long)dpkts,
		tu_fmt_double(delta * 1000.0, 2, n1, sizeof(n1)));
	if (delta > 0)
		fprintf(f, "[%s pps/%s Gbps]",
			tu_fmt_double((double)dpkts / delta, 2, n2, sizeof(n2)),
			tu_fmt_double((double)dbytes * 8.0 / delta / 1e9, 2, n3, sizeof(n3)));
	fputc('\n', f);
	fputs("=====\n", f);
	fflush(f);
	c->last_print = now;
	c->last_pkts = c->pkts;
	c->last_bytes = c->bytes;
}

/* The last JSON line: {"summary": {...}}; error is NULL on a clean end. */
static void print_json_summary(pfring *ring, const struct options *o, const struct counters *c,
			       const char *error)
{
	static char devjson[1 << 16];
	pfring_stat st;
	int n;

	if (pfring_stats(ring, &st) < 0) {
		st.recv = c->pkts;
		st.drop = 0;
	}
	n = pfring_get_device_stats_json(ring, devjson, sizeof(devjson));
	if (n < 0 || (size_t)n >= sizeof(devjson) || devjson[0] != '{')
		snprintf(devjson, sizeof(devjson), "{}");
	printf("{\"summary\": {\"received\": %llu, \"dropped\": %llu, \"bytes\": %llu, "
	       "\"packets\": %llu, \"interface\": ",
	       (unsigned long long)st.recv, (unsigned long long)st.drop,
	       (unsigned long long)c->bytes, (unsigned long long)c->pkts);
	tu_json_string(stdout, o->device);
	fputs(", \"module\": ", stdout);
	tu_json_string(stdout, pfring_get_module_name(ring));
	fprintf(stdout, ", \"device\": %s", devjson);
	if (error != NULL) {
		fputs(", \"error\": ", stdout);
		tu_json_string(stdout, error);
	}
	fputs("}}\n", stdout);
	fflush(stdout);
}

static void handle_packet(const struct options *o, int queue, const struct pfring_pkthdr *h,
			  const u_char *pkt)
{
	if (o->verbose == 0)
		return;
	if (o->json) {
		tu_print_pkt_json(stdout, h, queue);
		fputc('\n', stdout);
		return;
	}
	tu_print_pkt_line(stdout, h, o->long_header);
	if (o->verbose >= 2)
		tu_hexdump(stdout, pkt, h->caplen);
}

/* Applies the options the ring needs before capture; 0 or exits. */
static void configure_ring(pfring *ring, const struct options *o)
{
	char err[PFRING_ERRBUF_SIZE];
	int rc;

	pfring_set_application_name(ring, PROG);
	if (o->direction >= 0) {
		rc = pfring_set_direction(ring, (packet_direction)o->direction);
		if (rc < 0) {
			tu_last_error(ring, err, sizeof(err));
			fprintf(stderr, PROG ": cannot set direction %d on %s: %s\n",
				o->direction, o->device, err);
			goto fail;
		}
	}
	if (o->bpf != NULL && o->bpf[0] != '\0') {
		rc = pfring_set_bpf_filter(ring, o->bpf);
		if (rc < 0) {
			tu_last_error(ring, err, sizeof(err));
			fprintf(stderr, PROG ": cannot set the BPF filter: %s\n", err);
			goto fail;
		}
	}
	if (o->sample_rate != 0) {
		rc = pfring_set_sampling_rate(ring, o->sample_rate);
		if (rc < 0) {
			tu_last_error(ring, err, sizeof(err));
			fprintf(stderr, PROG ": cannot set sampling rate %u: %s\n",
				(unsigned)o->sample_rate, err);
			goto fail;
		}
	}
	if (o->cluster_id >= 0) {
		rc = pfring_set_cluster(ring, (u_int)o->cluster_id, o->cluster_hash);
		if (rc < 0) {
			tu_last_error(ring, err, sizeof(err));
			fprintf(stderr, PROG ": cannot join cluster %d: %s\n", o->cluster_id, err);
			goto fail;
		}
	}
	rc = pfring_enable_ring(ring);
	if (rc < 0) {
		tu_last_error(ring, err, sizeof(err));
		fprintf(stderr, PROG ": cannot enable %s: %s\n", o->device, err);
		goto fail;
	}
	return;
fail:
	tu_close_ring(ring);
	exit(TU_EXIT_ERROR);
}

int main(int argc, char **argv)
{
	struct options o;
	struct counters c;
	static struct pfring_pkthdr hdrs[BURST];
	u_char *pkts[BURST];
	char err[PFRING_ERRBUF_SIZE];
	char error_msg[PFRING_ERRBUF_SIZE + 64];
	const char *module;
	pfring *ring;
	uint32_t flags = PF_RING_PROMISC;
	int queue, rc, i, parse, periodic, exit_code = TU_EXIT_OK, have_error = 0;

	parse_args(argc, argv, &o);
	parse = o.verbose > 0; /* -j alone prints only the summary: nothing to parse */
	if (o.long_header || parse)
		flags |= PF_RING_LONG_HEADER | PF_RING_TIMESTAMP;

	ring = tu_open_or_exit(PROG, o.device, o.snaplen, flags);
	configure_ring(ring, &o);
	tu_watch_ring(0, ring);
	tu_install_stop_signals();

	module = pfring_get_module_name(ring);
	queue = tu_device_queue(o.device);
	/* a capture file is not "live": no once-a-second statistics */
	periodic = !o.json && !(module != NULL && strcmp(module, "pcap") == 0);
	if (!o.json) {
		u_int32_t version = 0;

		pfring_version(ring, &version);
		printf("Using PF_RING v.%u.%u.%u\n", (version >> 16) & 0xff, (version >> 8) & 0xff,
		       version & 0xff);
		printf("Capturing from %s [module %s][snaplen %u]\n", o.device,
		       module != NULL ? module : "?", (unsigned)o.snaplen);
		fflush(stdout);
	}

	memset(&c, 0, sizeof(c));
	c.start = c.last_print = tu_now();
	while (!tu_stop && (o.count == 0 || c.pkts < o.count)) {
		/* zero copy; never block inside the library */
		if (parse) {
			memset(&hdrs[0], 0, sizeof(hdrs[0]));
			rc = pfring_recv_parsed(ring, &pkts[0], 0, &hdrs[0], 0, PARSE_LEVEL, 0, 1);
		} else {
			u_int want = BURST;

			if (o.count != 0 && o.count - c.pkts < want)
				want = (u_int)(o.count - c.pkts);
			rc = pfring_recv_burst(ring, pkts, hdrs, want, 0);
		}
		if (rc > 0) {
			for (i = 0; i < rc; i++) {
				c.pkts++;
				c.bytes += hdrs[i].len;
				handle_packet(&o, queue, &hdrs[i], pkts[i]);
			}
		} else if (rc == 0) {
			if (!o.active_wait) {
				rc = pfring_poll(ring, POLL_MS);
				if (rc == PF_RING_ERROR_NOT_SUPPORTED) {
					struct timespec ts = { 0, 1000000 };

					nanosleep(&ts, NULL);
				} else if (rc < 0 && !tu_stop) {
					have_error = 1;
					tu_last_error(ring, err, sizeof(err));
					snprintf(error_msg, sizeof(error_msg), "poll failed: %s", err);
					break;
				}
			}
		} else if (rc == PF_RING_ERROR_END_OF_FILE || tu_stop) {
			break; /* a receive the signal interrupted is not an error */
		} else {
			have_error = 1;
			tu_last_error(ring, err, sizeof(err));
			snprintf(error_msg, sizeof(error_msg), "receive failed (%d): %s", rc, err);
			break;
		}
		if (periodic && tu_now() - c.last_print >= STATS_PERIOD_S)
			print_stats(ring, &c, stdout);
	}

	if (o.json)
		print_json_summary(ring, &o, &c, have_error ? error_msg : NULL);
	else
		print_stats(ring, &c, stdout);
	if (have_error) {
		fprintf(stderr, PROG ": %s: %s\n", o.device, error_msg);
		exit_code = TU_EXIT_ERROR;
	}
	tu_close_ring(ring);
	return exit_code;
}
