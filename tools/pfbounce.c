/*
 * pfbounce - sends every packet it receives back where it came from: the
 * source and destination MAC addresses swapped (with -x the IPv4
 * addresses and TCP/UDP ports too), out of the same device or of another
 * one (-o).
 *
 *   pfbounce -i DEV [-o OUTDEV] [-x] [-N COUNT] [-v]
 *
 * Exit status: 0 at the end of a finite device, COUNT packets or
 * SIGINT/SIGTERM; 1 on a runtime error (open, receive, send); 2 on a bad
 * command line.
 */
#define _DEFAULT_SOURCE 1

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pfring.h"
#include "tool_util.h"

#define PROG "pfbounce"
#define MAX_FRAME 16384

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " -i DEV [options]\n"
		   "Sends every received packet back with its MAC addresses swapped.\n"
		   "\n"
		   "  -i DEV      device to receive from (and to send on, without -o)\n"
		   "  -o OUTDEV   send on OUTDEV instead\n"
		   "  -x          swap the IPv4 addresses and TCP/UDP ports too\n"
		   "  -N COUNT    stop after COUNT packets\n"
		   "  -v          one line per bounced packet\n"
		   "  -h          this help\n");
}

static void swap_bytes(u_char *a, u_char *b, size_t n)
{
	u_char t;

	while (n--) {
		t = *a;
		*a++ = *b;
		*b++ = t;
	}
}

/* Swaps what the parsed header locates, within len bytes. */
static void bounce(u_char *f, uint32_t len, const struct pfring_pkthdr *h, int l3)
{
	const struct pkt_parsing_info *p = &h->extended_hdr.parsed_pkt;
	uint32_t l3o = (uint32_t)(p->offset.eth_offset + p->offset.l3_offset);
	uint32_t l4o = (uint32_t)(p->offset.eth_offset + p->offset.l4_offset);

	if (len >= 12)
		swap_bytes(f, f + 6, 6);
	if (!l3 || p->ip_version != 4 || l3o + 20 > len)
		return;
	swap_bytes(f + l3o + 12, f + l3o + 16, 4);
	if ((p->l3_proto == 6 || p->l3_proto == 17) && p->offset.l4_offset > 0 && l4o + 4 <= len)
		swap_bytes(f + l4o, f + l4o + 2, 2);
}

int main(int argc, char **argv)
{
	static u_char frame[MAX_FRAME];
	const char *device = NULL, *outdev = NULL;
	uint64_t count = 0, pkts = 0;
	int l3 = 0, verbose = 0, c, rc, exit_code = TU_EXIT_OK;
	char why[256], num[TU_NUM_BUF];
	struct pfring_pkthdr hdr;
	u_char *pkt;
	pfring *in, *out;

	opterr = 0;
	while ((c = getopt(argc, argv, ":hi:o:xN:v")) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return TU_EXIT_OK;
		case 'i':
			device = optarg;
			break;
		case 'o':
			outdev = optarg;
			break;
		case 'x':
			l3 = 1;
			break;
		case 'N':
			count = tu_arg_count(PROG, usage, 'N', optarg);
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			tu_getopt_error(PROG, usage, c, argv);
		}
	}
	tu_require_device(PROG, usage, argc, argv, device);

	in = tu_open_or_exit(PROG, device, MAX_FRAME, PF_RING_PROMISC);
	out = outdev ? tu_open_or_exit(PROG, outdev, MAX_FRAME, 0) : in;
	pfring_set_application_name(in, PROG);
	if (outdev)
		pfring_set_socket_mode(out, send_only_mode);
	/* what we send must not come back to us as received */
	if (!outdev)
		pfring_set_direction(in, rx_only_direction);
	pfring_enable_ring(in);
	if (outdev)
		pfring_enable_ring(out);
	tu_watch_ring(0, in);
	tu_install_stop_signals();
	while (count == 0 || pkts < count) {
		rc = tu_recv_next(PROG, device, in, &pkt, &hdr, 4);
		if (rc <= 0) {
			if (rc < 0)
				exit_code = TU_EXIT_ERROR;
			break;
		}
		if (hdr.caplen > sizeof(frame) || hdr.caplen < hdr.len) {
			fprintf(stderr, PROG ": packet of %u bytes (%u captured) not bounced\n", hdr.len, hdr.caplen);
			continue;
		}
		memcpy(frame, pkt, hdr.caplen);
		bounce(frame, hdr.caplen, &hdr, l3);
		rc = tu_send_retry(out, frame, hdr.caplen);
		if (rc < 0) {
			if (tu_stop)
				break;
			tu_last_error(out, why, sizeof(why));
			fprintf(stderr, PROG ": %s: send failed (%d): %s\n", outdev ? outdev : device, rc, why);
			exit_code = TU_EXIT_ERROR;
			break;
		}
		pkts++;
		if (verbose)
			tu_print_pkt_line(stdout, &hdr, 0);
	}
	fprintf(stderr, PROG ": %s packets bounced\n", tu_fmt_u64(pkts, num, sizeof(num)));
	if (outdev)
		tu_close_ring(out);
	tu_close_ring(in);
	return exit_code;
}
