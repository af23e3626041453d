/*
 * pfsend - sends packets through a PF_RING device: the packets of a
 * capture file, or synthetic UDP packets, at a given rate.
 *
 *   pfsend -i DEV [-f PCAP] [-r GBPS | -p PPS] [-n COUNT] [-l LEN]
 *          [-b NUM_SRC_IPS] [-j] [-h]
 *
 * With -f the file's packets are sent in order: once by default, again and
 * again until COUNT packets with -n COUNT, until SIGINT with -n 0 (as the
 * guide's "pfsend -f 64byte_packets.pcap -n 0 -i dna0 -r 5"). Without -f,
 * COUNT synthetic packets (default 1000; -n 0: until SIGINT). Synthetic packets are IPv4/UDP of LEN bytes (without FCS) from NUM_SRC_IPS
 * source addresses spread over 10.0.0.0/8 (source k of -b is 10.0.0.0 +
 * ((k + 1) * 0x6F4F2B mod 2^24): flows differ in many bits, as RSS wants),
 * in turn, to 10.1.0.1 port 5001.
 * Rates are paced on the wall clock; the line on exit gives the packets,
 * bytes and the achieved rate (-j: as JSON).
 */
#include "tool_util.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROG "pfsend"
#define MAX_LEN 9000

struct options {
	const char *device;
	const char *pcap;
	double gbps; /* 0: no rate */
	double pps;  /* 0: no rate */
	uint64_t count; /* 0: no limit */
	int once;       /* the file once (-f without -n) */
	uint32_t len;
	uint32_t src_ips;
	int json;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG " -i DEV [options]\n"
		"Sends the packets of a capture file, or synthetic UDP packets.\n"
		"\n"
		"  -i DEV          device to send on, e.g. sim:TESTBED:NIC\n"
		"  -f PCAP         send this capture's packets (pcap or pcapng)\n"
		"  -r GBPS         rate in Gbit/s (wire bits: frame + FCS + preamble + gap)\n"
		"  -p PPS          rate in packets per second\n"
		"  -n COUNT        packets to send, 0 = until SIGINT (default: the file once,\n"
		"                  or 1000 synthetic packets)\n"
		"  -l LEN          synthetic packet length in bytes, 60..%d (default 60)\n"
		"  -b NUM          number of synthetic source addresses (default 1)\n"
		"  -j              print the result as JSON\n"
		"  -h, --help      this help\n",
		MAX_LEN);
}

static double parse_rate(const char *s, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v > 0) || v > 1e12)
		tu_usage_error(PROG, usage, "%s wants a positive number, got '%s'", what, s);
	return v;
}

static void parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	uint64_t v;
	int c, count_set = 0;

	memset(o, 0, sizeof(*o));
	o->len = 60;
	o->src_ips = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hi:f:r:p:n:l:b:j", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			exit(TU_EXIT_OK);
		case 'i':
			o->device = optarg;
			break;
		case 'f':
			o->pcap = optarg;
			break;
		case 'r':
			o->gbps = parse_rate(optarg, "-r");
			break;
		case 'p':
			o->pps = parse_rate(optarg, "-p");
			break;
		case 'n':
			if (tu_parse_u64(optarg, 0, UINT64_MAX, &v) != 0)
				tu_usage_error(PROG, usage, "-n wants a packet count, got '%s'", optarg);
			o->count = v;
			count_set = 1;
			break;
		case 'l':
			if (tu_parse_u64(optarg, 60, MAX_LEN, &v) != 0)
				tu_usage_error(PROG, usage, "-l wants a length in 60..%d, got '%s'", MAX_LEN, optarg);
			o->len = (uint32_t)v;
			break;
		case 'b':
			if (tu_parse_u64(optarg, 1, 65535, &v) != 0)
				tu_usage_error(PROG, usage, "-b wants 1..65535 addresses, got '%s'", optarg);
			o->src_ips = (uint32_t)v;
			break;
		case 'j':
			o->json = 1;
			break;
		default:
			tu_getopt_error(PROG, usage, c, argv);
		}
	}
	if (optind < argc)
		tu_usage_error(PROG, usage, "unexpected argument '%s'", argv[optind]);
	if (o->device == NULL || o->device[0] == '\0')
		tu_usage_error(PROG, usage, "no device given (-i DEV)");
	if (o->gbps > 0 && o->pps > 0)
		tu_usage_error(PROG, usage, "give -r or -p, not both");
	if (!count_set) {
		if (o->pcap != NULL)
			o->once = 1;
		else
			o->count = 1000;
	}
}

static void put16(u_char *p, uint32_t v)
{
	p[0] = (u_char)(v >> 8);
	p[1] = (u_char)v;
}

/* Synthetic IPv4/UDP frame number seq into pkt (o->len bytes). */
static void build_synthetic(u_char *pkt, const struct options *o, uint64_t seq)
{
	static const u_char head[14] = { 0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00 };
	/* source k of -b: 10.0.0.0 + ((k + 1) * 0x6F4F2B mod 2^24), a bijection
	 * on 10.0.0.0/8 whose flows differ in many bits (RSS hashes them) */
	uint32_t k = (uint32_t)(seq % o->src_ips) + 1;
	uint32_t src = 0x0a000000u | ((k * 0x6F4F2Bu) & 0xFFFFFFu), sum = 0, i;
	u_char *ip = pkt + 14;

	memset(pkt, 0, o->len);
	memcpy(pkt, head, sizeof(head));
	ip[0] = 0x45;
	put16(ip + 2, o->len - 14);
	put16(ip + 4, (uint32_t)seq & 0xFFFF);
	ip[8] = 64;
	ip[9] = 17;
	put16(ip + 12, src >> 16);
	put16(ip + 14, src & 0xFFFF);
	put16(ip + 16, 0x0a01);
	put16(ip + 18, 0x0001);
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	put16(ip + 10, ~sum & 0xFFFF);
	put16(ip + 20, 1024);
	put16(ip + 22, 5001);
	put16(ip + 24, o->len - 34);
	for (i = 42; i < o->len; i++)
		pkt[i] = (u_char)(seq + i);
}

/* Waits until the wall clock reaches the time packet n (of bits so far) is due. */
static void pace(const struct options *o, double start, uint64_t n, uint64_t wire_bits)
{
	double due;

	if (o->pps > 0)
		due = start + (double)n / o->pps;
	else if (o->gbps > 0)
		due = start + (double)wire_bits / (o->gbps * 1e9);
	else
		return;
	while (!tu_stop) {
		double now = tu_now(), left = due - now;
		struct timespec ts;

		if (left <= 0)
			return;
		if (left > 0.0002) {
			ts.tv_sec = 0;
			ts.tv_nsec = (long)((left - 0.0001) * 1e9);
			nanosleep(&ts, NULL);
		}
	}
}

int main(int argc, char **argv)
{
	static u_char synth[MAX_LEN];
	struct options o;
	char err[PFRING_ERRBUF_SIZE], b1[TU_NUM_BUF], b2[TU_NUM_BUF];
	pfring *out, *in = NULL;
	uint64_t sent = 0, bytes = 0, wire_bits = 0;
	double start, secs;
	int rc = 0, status = TU_EXIT_OK;

	parse_args(argc, argv, &o);
	tu_install_stop_signals();
	out = tu_open_or_exit(PROG, o.device, MAX_LEN, 0);
	tu_watch_ring(0, out);
	if (pfring_set_socket_mode(out, send_only_mode) < 0) {
		tu_last_error(out, err, sizeof(err));
		fprintf(stderr, PROG ": %s cannot send: %s\n", o.device, err);
		tu_close_ring(out);
		return TU_EXIT_ERROR;
	}
	pfring_enable_ring(out);
	if (o.pcap != NULL) {
		char name[4096];

		snprintf(name, sizeof(name), "pcap:%s", o.pcap);
		in = tu_open_or_exit(PROG, name, MAX_LEN, 0);
		pfring_enable_ring(in);
	}
	start = tu_now();
	while (!tu_stop && (o.count == 0 || sent < o.count)) {
		const u_char *pkt = synth;
		uint32_t len = o.len;

		if (in != NULL) {
			struct pfring_pkthdr h;
			u_char *p = NULL;

			rc = pfring_recv(in, &p, 0, &h, 1);
			if (rc == PF_RING_ERROR_END_OF_FILE) {
				if (o.once || sent == 0)
					break; /* the file once; or an empty file */
				tu_close_ring(in);
				snprintf(err, sizeof(err), "pcap:%s", o.pcap);
				in = tu_open_or_exit(PROG, err, MAX_LEN, 0);
				pfring_enable_ring(in);
				continue;
			}
			if (rc <= 0) {
				tu_last_error(in, err, sizeof(err));
				fprintf(stderr, PROG ": reading %s: %s\n", o.pcap, err);
				status = TU_EXIT_ERROR;
				break;
			}
			pkt = p;
			len = h.caplen;
		} else {
			build_synthetic(synth, &o, sent);
		}
		pace(&o, start, sent, wire_bits);
		rc = tu_send_retry(out, pkt, len);
		if (rc < 0) {
			if (tu_stop)
				break;
			tu_last_error(out, err, sizeof(err));
			fprintf(stderr, PROG ": sending on %s: %s\n", o.device, err);
			status = TU_EXIT_ERROR;
			break;
		}
		sent++;
		bytes += len;
		wire_bits += (uint64_t)((len < 60 ? 60 : len) + 24) * 8;
	}
	secs = tu_now() - start;
	if (o.json)
		printf("{\"sent\": %llu, \"bytes\": %llu, \"seconds\": %.6f}\n", (unsigned long long)sent,
		       (unsigned long long)bytes, secs);
	else
		printf("TX: %s pkts - %s bytes [%.2f pps]\n", tu_fmt_u64(sent, b1, sizeof(b1)),
		       tu_fmt_u64(bytes, b2, sizeof(b2)), secs > 0 ? (double)sent / secs : 0.0);
	tu_close_ring(in);
	tu_close_ring(out);
	return status;
}
