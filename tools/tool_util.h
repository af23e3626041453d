/*
 * tool_util.h - helpers shared by the command-line tools (pfcount, pfdump,
 * alldevs): strict argument parsing, number formatting in the style of the
 * guide's section 7.3 ("64'415'543"), JSON string escaping, and printing of
 * a parsed packet as one human line or one JSON object.
 *
 * The tools use only the public API (pfring.h); nothing here reaches into
 * the library.
 */
#ifndef PFRING_TOOL_UTIL_H
#define PFRING_TOOL_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pfring.h"

/* Exit codes of every tool. */
#define TU_EXIT_OK 0
#define TU_EXIT_ERROR 1 /* runtime failure: open, filter, read, write */
#define TU_EXIT_USAGE 2 /* bad command line */

/* Default snaplen of pfcount and pfdump. */
#define TU_DEFAULT_SNAPLEN 1536
/* Largest snaplen accepted on the command line (libpcap's maximum). */
#define TU_MAX_SNAPLEN 262144

/* Buffer sizes for the formatters below. */
#define TU_NUM_BUF 48 /* a u64 or a double with separators */
#define TU_MAC_BUF 18 /* "aa:bb:cc:dd:ee:ff" */
#define TU_IP_BUF 46 /* INET6_ADDRSTRLEN */

/*
 * Parses s as an unsigned decimal integer in [min, max]: digits only, no
 * sign, no spaces, no trailing text, no overflow. Returns 0 and sets *out,
 * or -1 (and leaves *out alone).
 */
int tu_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/*
 * Parses a cluster type name: rr (round robin), flow (6-tuple), 2, 4, 5
 * (2/4/5-tuple), tcp5, inner, inner2, inner4, inner5, innertcp5. Returns 0
 * and sets *out, or -1.
 */
int tu_parse_cluster_type(const char *s, cluster_type *out);

/*
 * Prints "PROG: message", a blank line and the usage (through usage(stderr))
 * on stderr, then exits with TU_EXIT_USAGE.
 */
__attribute__((noreturn, format(printf, 3, 4))) void
tu_usage_error(const char *prog, void (*usage)(FILE *), const char *fmt, ...);

/*
 * The same for what getopt_long() (with opterr = 0 and an optstring that
 * starts with ':') returned for a bad option: c is ':' (missing argument)
 * or '?' (unknown option).
 */
__attribute__((noreturn)) void tu_getopt_error(const char *prog, void (*usage)(FILE *), int c,
					       char **argv);

/*
 * Option values every tool takes the same way; a bad one is a usage error
 * (tu_usage_error, exit 2) naming the option.
 * tu_arg_count: a count of at least 1 (-N, -c...).
 * tu_arg_snaplen: a capture length from 1 to TU_MAX_SNAPLEN (-l).
 */
uint64_t tu_arg_count(const char *prog, void (*usage)(FILE *), char opt, const char *arg);
uint32_t tu_arg_snaplen(const char *prog, void (*usage)(FILE *), char opt, const char *arg);

/*
 * After getopt: a usage error (exit 2) for an argument left over, or for a
 * missing -i DEV (device NULL).
 */
void tu_require_device(const char *prog, void (*usage)(FILE *), int argc, char **argv, const char *device);

/* Writes v with ' every three digits ("5'410'905'612"). Returns buf. */
char *tu_fmt_u64(uint64_t v, char *buf, size_t len);

/*
 * Writes v (>= 0) rounded to `decimals` places with ' in the integer part
 * ("4'293'748.94"). Negative, NaN or infinite v prints as 0. Returns buf.
 */
char *tu_fmt_double(double v, int decimals, char *buf, size_t len);

/* Writes s to f as a JSON string literal, quotes included; NULL writes null. */
void tu_json_string(FILE *f, const char *s);

/* "aa:bb:cc:dd:ee:ff" into buf (TU_MAC_BUF bytes). Returns buf. */
char *tu_fmt_mac(const uint8_t mac[6], char *buf, size_t len);

/*
 * An address of struct pkt_parsing_info as text: version 4 takes the
 * host-byte-order v4 word, version 6 the network-order v6 bytes. Returns
 * buf, or NULL for another version.
 */
char *tu_fmt_ip(const ip_addr *a, uint8_t ip_version, char *buf, size_t len);

/* Classic hex dump (offset, 16 bytes in hex, printable ASCII) of p[0..len). */
void tu_hexdump(FILE *f, const uint8_t *p, uint32_t len);

/*
 * The RX queue named by a device name ([module:]device@queue), or -1 when
 * there is none (no '@', text after it that is not a number, or a
 * multi-device name with ';').
 */
int tu_device_queue(const char *device_name);

/* Packet time in ns: extended_hdr.timestamp_ns, or ts converted when it is 0. */
uint64_t tu_pkt_time_ns(const struct pfring_pkthdr *h);

/* Monotonic clock in seconds, for rates. */
double tu_now(void);

/*
 * What a parsed header says, with the validity checks in one place:
 * has_ip when an IPv4/IPv6 header was parsed; has_ports when a TCP, UDP or
 * SCTP header was parsed (never for a non-first fragment).
 */
struct tu_pkt_summary {
	int has_ip;
	int has_ports;
	int is_icmp;
	int has_vlan;
	int has_tunnel;
	char src[TU_IP_BUF], dst[TU_IP_BUF];
};

/* Fills s from h->extended_hdr.parsed_pkt (parsed by pfring_recv_parsed()). */
void tu_pkt_summarize(const struct pfring_pkthdr *h, struct tu_pkt_summary *s);

/* Name of an IP protocol number ("TCP"), or NULL when it has none here. */
const char *tu_proto_name(uint8_t proto);

/*
 * One human line for a parsed packet: time, MACs, VLAN, protocol,
 * addresses and ports, lengths, hash. extended adds the rest of the
 * extended header (if_index, direction, ns timestamp, flags).
 */
void tu_print_pkt_line(FILE *f, const struct pfring_pkthdr *h, int extended);

/*
 * One JSON object (no newline) for a parsed packet with the keys ts_ns,
 * len, caplen, queue, if_index, hash, smac, dmac, eth_type, vlan,
 * ip_version, l3_proto, src, dst, sport, dport (null where not present),
 * plus tcp_flags / icmp_type / icmp_code / tunnel where they apply.
 */
void tu_print_pkt_json(FILE *f, const struct pfring_pkthdr *h, int queue);

/* ---- running a tool -------------------------------------------------- */

#include <signal.h>

/* Set by SIGINT/SIGTERM once tu_install_stop_signals() ran. */
extern volatile sig_atomic_t tu_stop;

/*
 * Installs SIGINT/SIGTERM handlers that set tu_stop and call
 * pfring_breakloop() on the rings given to tu_watch_ring().
 */
void tu_install_stop_signals(void);

/* Ring slot 0..3 that a stop signal breaks out of waiting (NULL clears). */
void tu_watch_ring(int slot, pfring *ring);

/*
 * Closes a ring the tools opened: first takes it out of every watched
 * slot, so that a stop signal arriving while the process ends (or after
 * the close) never reaches a freed ring. NULL is ignored.
 */
void tu_close_ring(pfring *ring);

/* The ring's last error message (or strerror(errno)) into buf. */
void tu_last_error(pfring *ring, char *buf, size_t len);

/*
 * pfring_open(device, caplen, flags), or prints "PROG: cannot open DEV:
 * why" and exits with TU_EXIT_ERROR.
 */
pfring *tu_open_or_exit(const char *prog, const char *device, uint32_t caplen, uint32_t flags);

/*
 * Sends len bytes, waiting (pfring_poll-free, short sleeps) while the TX
 * ring is full, until tu_stop. Returns pfring_send's result (>= 0 sent).
 */
int tu_send_retry(pfring *ring, const u_char *pkt, uint32_t len);

/*
 * The next packet of ring, waiting for it: a receive without waiting, then
 * pfring_poll() for at most 100 ms (or a 1 ms sleep where the device has
 * nothing to poll) until tu_stop. parse_level > 0 parses the packet to that
 * level (pfring_recv_parsed, with the hash). Returns 1 with the packet
 * (*pkt points into the ring until the next receive), 0 at the end of a
 * finite device or after a stop signal, -1 on an error (said on stderr as
 * "PROG: DEV: ...").
 */
int tu_recv_next(const char *prog, const char *device, pfring *ring, u_char **pkt, struct pfring_pkthdr *hdr,
		 int parse_level);

/*
 * Splits a list such as "a,b,c" at sep into at most max items (pointers
 * into buf, a copy of s of buf_len bytes). Returns the number of items, or
 * -1 when s is too long, has an empty item or more than max items.
 */
int tu_split(const char *s, char sep, char *buf, size_t buf_len, char **items, int max);

#endif /* PFRING_TOOL_UTIL_H */
