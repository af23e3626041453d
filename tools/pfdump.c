/*
 * pfdump - writes the packets of a PF_RING device to a pcap file.
 *
 *   pfdump -i DEV -w OUT.pcap [-f BPF] [-N COUNT] [-l CAPLEN] [-h]
 *
 * The file is the classic libpcap format with nanosecond time stamps
 * (magic 0xa1b23c4d, version 2.4, LINKTYPE_ETHERNET, snaplen = CAPLEN),
 * written here with buffered stdio; no libpcap is needed. Fields are in
 * host byte order, as libpcap itself writes them; readers tell the order by
 * the magic. Packet times come from extended_hdr.timestamp_ns, or from ts
 * when that is 0. "-w -" writes to stdout.
 *
 * Exit status as pfcount: 0 at the end of a finite device, after COUNT
 * packets or on SIGINT/SIGTERM; 1 on a runtime error (the packets received
 * before it are in the file); 2 on a bad command line.
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

#define PROG "pfdump"
#define POLL_MS 100
#define OUT_BUFFER_SIZE (1 << 20)

/* pcap file format, nanosecond variant */
#define PCAP_MAGIC_NSEC 0xa1b23c4du
#define PCAP_VERSION_MAJOR 2
#define PCAP_VERSION_MINOR 4
#define PCAP_LINKTYPE_ETHERNET 1

struct pcap_file_header_ns {
	uint32_t magic;
	uint16_t version_major, version_minor;
	int32_t thiszone; /* GMT offset, always 0 */
	uint32_t sigfigs; /* always 0 */
	uint32_t snaplen;
	uint32_t linktype;
};

struct pcap_record_header_ns {
	uint32_t ts_sec, ts_nsec;
	uint32_t incl_len, orig_len;
};

_Static_assert(sizeof(struct pcap_file_header_ns) == 24, "pcap file header is 24 bytes");
_Static_assert(sizeof(struct pcap_record_header_ns) == 16, "pcap record header is 16 bytes");


struct options {
	const char *device;
	const char *out_path;
	const char *bpf;
	uint64_t count; /* 0 = no limit */
	uint32_t snaplen;
};

/* An output file; `failed` keeps the first errno so it is reported once. */
struct pcap_writer {
	FILE *f;
	const char *path;
	char *buffer;
	uint32_t snaplen;
	int failed;
	int is_stdout;
	uint64_t pkts, bytes, clamped;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG " -i DEV -w OUT.pcap [options]\n"
		"Writes the packets of a PF_RING device to a nanosecond pcap file.\n"
		"\n"
		"  -i DEV          device: [module:]device[@queue], e.g. eth0, pcap:FILE\n"
		"  -w OUT.pcap     output file ('-' for stdout)\n"
		"  -f BPF          BPF filter expression (libpcap syntax)\n"
		"  -N COUNT        stop after COUNT packets\n"
		"  -l CAPLEN       capture length (default %d)\n"
		"  -h, --help      this help\n",
		TU_DEFAULT_SNAPLEN);
}

static void parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "interface", required_argument, NULL, 'i' },
		{ "write", required_argument, NULL, 'w' },
		{ "filter", required_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'N' },
		{ "snaplen", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	memset(o, 0, sizeof(*o));
	o->snaplen = TU_DEFAULT_SNAPLEN;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hi:w:f:N:l:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			exit(TU_EXIT_OK);
		case 'i':
			o->device = optarg;
			break;
		case 'w':
			o->out_path = optarg;
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
		default:
			tu_getopt_error(PROG, usage, c, argv);
		}
	}
	if (optind < argc)
		tu_usage_error(PROG, usage, "unexpected argument '%s'", argv[optind]);
	if (o->device == NULL)
		tu_usage_error(PROG, usage, "no device given (-i DEV)");
	if (o->out_path == NULL || o->out_path[0] == '\0')
		tu_usage_error(PROG, usage, "no output file given (-w OUT.pcap)");
}

/* ---- the pcap writer ---------------------------------------------------- */

static void writer_put(struct pcap_writer *w, const void *p, size_t n)
{
	if (w->failed != 0 || n == 0)
		return;
	errno = 0;
	if (fwrite(p, 1, n, w->f) != n)
		w->failed = errno != 0 ? errno : EIO;
}

/* Creates the file and writes its header. 0, or -1 with errno set. */
static int writer_open(struct pcap_writer *w, const char *path, uint32_t snaplen)
{
	struct pcap_file_header_ns fh;

	memset(w, 0, sizeof(*w));
	w->path = path;
	w->snaplen = snaplen;
	if (strcmp(path, "-") == 0) {
		w->f = stdout;
		w->is_stdout = 1;
		w->path = "(stdout)";
	} else {
		w->f = fopen(path, "wb");
		if (w->f == NULL)
			return -1;
	}
	w->buffer = malloc(OUT_BUFFER_SIZE);
	if (w->buffer != NULL)
		setvbuf(w->f, w->buffer, _IOFBF, OUT_BUFFER_SIZE);
	fh.magic = PCAP_MAGIC_NSEC;
	fh.version_major = PCAP_VERSION_MAJOR;
	fh.version_minor = PCAP_VERSION_MINOR;
	fh.thiszone = 0;
	fh.sigfigs = 0;
	fh.snaplen = snaplen;
	fh.linktype = PCAP_LINKTYPE_ETHERNET;
	writer_put(w, &fh, sizeof(fh));
	return 0;
}

static void writer_packet(struct pcap_writer *w, const struct pfring_pkthdr *h, const u_char *pkt)
{
	struct pcap_record_header_ns rh;
	uint64_t ns = tu_pkt_time_ns(h);
	uint32_t incl = h->caplen;

	/* the file's snaplen promises that no record is longer */
	if (incl > w->snaplen) {
		incl = w->snaplen;
		w->clamped++;
	}
	rh.ts_sec = (uint32_t)(ns / 1000000000ull);
	rh.ts_nsec = (uint32_t)(ns % 1000000000ull);
	rh.incl_len = incl;
	rh.orig_len = h->len;
	writer_put(w, &rh, sizeof(rh));
	writer_put(w, pkt, incl);
	w->pkts++;
	w->bytes += h->len;
}

/* Flushes and closes; returns 0 or the first errno of the file's life. */
static int writer_close(struct pcap_writer *w)
{
	if (w->f == NULL)
		return 0;
	errno = 0;
	if (fflush(w->f) != 0 && w->failed == 0)
		w->failed = errno != 0 ? errno : EIO;
	if (!w->is_stdout) {
		errno = 0;
		if (fclose(w->f) != 0 && w->failed == 0)
			w->failed = errno != 0 ? errno : EIO;
	} else {
		setvbuf(stdout, NULL, _IOLBF, 0);
	}
	w->f = NULL;
	free(w->buffer);
	w->buffer = NULL;
	return w->failed;
}

/* ---- main --------------------------------------------------------------- */

static void configure_ring(pfring *ring, const struct options *o)
{
	char err[PFRING_ERRBUF_SIZE];

	pfring_set_application_name(ring, PROG);
	if (o->bpf != NULL && o->bpf[0] != '\0' && pfring_set_bpf_filter(ring, o->bpf) < 0) {
		tu_last_error(ring, err, sizeof(err));
		fprintf(stderr, PROG ": cannot set the BPF filter: %s\n", err);
		tu_close_ring(ring);
		exit(TU_EXIT_ERROR);
	}
	if (pfring_enable_ring(ring) < 0) {
		tu_last_error(ring, err, sizeof(err));
		fprintf(stderr, PROG ": cannot enable %s: %s\n", o->device, err);
		tu_close_ring(ring);
		exit(TU_EXIT_ERROR);
	}
}

int main(int argc, char **argv)
{
	struct options o;
	struct pcap_writer w;
	struct pfring_pkthdr hdr;
	pfring_stat st;
	char err[PFRING_ERRBUF_SIZE], n1[TU_NUM_BUF], n2[TU_NUM_BUF];
	u_char *pkt;
	pfring *ring;
	int rc, werr, exit_code = TU_EXIT_OK;

	parse_args(argc, argv, &o);
	ring = tu_open_or_exit(PROG, o.device, o.snaplen, PF_RING_PROMISC | PF_RING_LONG_HEADER | PF_RING_TIMESTAMP);
	configure_ring(ring, &o);
	if (writer_open(&w, o.out_path, o.snaplen) != 0) {
		fprintf(stderr, PROG ": cannot create %s: %s\n", o.out_path, strerror(errno));
		tu_close_ring(ring);
		return TU_EXIT_ERROR;
	}
	tu_watch_ring(0, ring);
	tu_install_stop_signals();

	err[0] = '\0';
	while (!tu_stop && (o.count == 0 || w.pkts < o.count) && w.failed == 0) {
		memset(&hdr, 0, sizeof(hdr));
		pkt = NULL;
		rc = pfring_recv(ring, &pkt, 0, &hdr, 0);
		if (rc > 0) {
			writer_packet(&w, &hdr, pkt);
		} else if (rc == 0) {
			rc = pfring_poll(ring, POLL_MS);
			if (rc == PF_RING_ERROR_NOT_SUPPORTED) {
				struct timespec ts = { 0, 1000000 };

				nanosleep(&ts, NULL);
			} else if (rc < 0 && !tu_stop) {
				tu_last_error(ring, err, sizeof(err));
				fprintf(stderr, PROG ": %s: poll failed: %s\n", o.device, err);
				exit_code = TU_EXIT_ERROR;
				break;
			}
		} else if (rc == PF_RING_ERROR_END_OF_FILE || tu_stop) {
			break; /* a receive the signal interrupted is not an error */
		} else {
			tu_last_error(ring, err, sizeof(err));
			fprintf(stderr, PROG ": %s: receive failed (%d): %s\n", o.device, rc, err);
			exit_code = TU_EXIT_ERROR;
			break;
		}
	}

	werr = writer_close(&w);
	if (werr != 0) {
		fprintf(stderr, PROG ": cannot write %s: %s\n", w.path, strerror(werr));
		exit_code = TU_EXIT_ERROR;
	}
	if (w.clamped != 0)
		fprintf(stderr, PROG ": warning: %llu packets were longer than the snaplen %u\n",
			(unsigned long long)w.clamped, (unsigned)o.snaplen);
	if (pfring_stats(ring, &st) < 0)
		st.drop = 0;
	if (werr == 0)
		fprintf(stderr,
			PROG ": %s packets (%s bytes) from %s written to %s, %llu dropped\n",
			tu_fmt_u64(w.pkts, n1, sizeof(n1)), tu_fmt_u64(w.bytes, n2, sizeof(n2)),
			o.device, w.path, (unsigned long long)st.drop);
	tu_close_ring(ring);
	return exit_code;
}
