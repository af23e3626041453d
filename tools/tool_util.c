/*
 * tool_util.c - helpers shared by the command-line tools; see tool_util.h.
 */
#define _DEFAULT_SOURCE 1

#include "tool_util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <time.h>

int tu_parse_cluster_type(const char *s, cluster_type *out)
{
	static const struct {
		const char *name;
		cluster_type type;
	} names[] = {
		{ "rr", cluster_round_robin },
		{ "flow", cluster_per_flow },
		{ "2", cluster_per_flow_2_tuple },
		{ "4", cluster_per_flow_4_tuple },
		{ "5", cluster_per_flow_5_tuple },
		{ "tcp5", cluster_per_flow_tcp_5_tuple },
		{ "inner", cluster_per_inner_flow },
		{ "inner2", cluster_per_inner_flow_2_tuple },
		{ "inner4", cluster_per_inner_flow_4_tuple },
		{ "inner5", cluster_per_inner_flow_5_tuple },
		{ "innertcp5", cluster_per_inner_flow_tcp_5_tuple },
		/* the names of guide 8.11 without the cluster_ prefix */
		{ "per_flow", cluster_per_flow },
		{ "round_robin", cluster_round_robin },
		{ "2_tuple", cluster_per_flow_2_tuple },
		{ "4_tuple", cluster_per_flow_4_tuple },
		{ "5_tuple", cluster_per_flow_5_tuple },
		{ "tcp_5_tuple", cluster_per_flow_tcp_5_tuple },
		{ "inner_flow", cluster_per_inner_flow },
		{ "inner_2_tuple", cluster_per_inner_flow_2_tuple },
		{ "inner_4_tuple", cluster_per_inner_flow_4_tuple },
		{ "inner_5_tuple", cluster_per_inner_flow_5_tuple },
		{ "inner_tcp_5_tuple", cluster_per_inner_flow_tcp_5_tuple },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i].name) == 0) {
			*out = names[i].type;
			return 0;
		}
	}
	return -1;
}

int tu_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		unsigned d;

		if (*s < '0' || *s > '9')
			return -1;
		d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1; /* overflow */
		v = v * 10 + d;
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

void tu_usage_error(const char *prog, void (*usage)(FILE *), const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n\n", stderr);
	usage(stderr);
	exit(TU_EXIT_USAGE);
}

void tu_getopt_error(const char *prog, void (*usage)(FILE *), int c, char **argv)
{
	/* optind is past the offending word when the option was a whole word */
	const char *word = optind > 0 ? argv[optind - 1] : "?";

	if (c == ':')
		tu_usage_error(prog, usage, "option '%s' needs an argument", word);
	if (optopt != 0)
		tu_usage_error(prog, usage, "unknown option '-%c'", optopt);
	tu_usage_error(prog, usage, "unknown option '%s'", word);
}

char *tu_fmt_u64(uint64_t v, char *buf, size_t len)
{
	char digits[24];
	int n, i, o = 0;

	if (len == 0)
		return buf;
	n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
	for (i = 0; i < n; i++) {
		/* a separator before every group of three digits but the first */
		if (i > 0 && (n - i) % 3 == 0) {
			if ((size_t)o + 1 >= len)
				break;
			buf[o++] = '\'';
		}
		if ((size_t)o + 1 >= len)
			break;
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

char *tu_fmt_double(double v, int decimals, char *buf, size_t len)
{
	uint64_t scale = 1, scaled, ipart, fpart;
	char ibuf[TU_NUM_BUF];
	int i;

	if (decimals < 0)
		decimals = 0;
	if (decimals > 9)
		decimals = 9;
	for (i = 0; i < decimals; i++)
		scale *= 10;
	if (!(v > 0) || isnan(v) || isinf(v))
		v = 0;
	/* clamp to what fits in 64 bits once scaled */
	if (v >= 1.8e19 / (double)scale)
		v = 1.8e19 / (double)scale;
	scaled = (uint64_t)(v * (double)scale + 0.5);
	ipart = scaled / scale;
	fpart = scaled % scale;
	tu_fmt_u64(ipart, ibuf, sizeof(ibuf));
	if (decimals == 0)
		snprintf(buf, len, "%s", ibuf);
	else
		snprintf(buf, len, "%s.%0*llu", ibuf, decimals, (unsigned long long)fpart);
	return buf;
}

void tu_json_string(FILE *f, const char *s)
{
	const unsigned char *p;

	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f); /* UTF-8 passes through as is */
		}
	}
	fputc('"', f);
}

char *tu_fmt_mac(const uint8_t mac[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
	return buf;
}

char *tu_fmt_ip(const ip_addr *a, uint8_t ip_version, char *buf, size_t len)
{
	if (ip_version == 4) {
		/* parsed IPv4 addresses are in host byte order (pfring_defs.h) */
		uint32_t v = a->v4;

		snprintf(buf, len, "%u.%u.%u.%u", (v >> 24) & 0xff, (v >> 16) & 0xff,
			 (v >> 8) & 0xff, v & 0xff);
		return buf;
	}
	if (ip_version == 6) {
		if (inet_ntop(AF_INET6, &a->v6, buf, (socklen_t)len) == NULL)
			return NULL;
		return buf;
	}
	return NULL;
}

void tu_hexdump(FILE *f, const uint8_t *p, uint32_t len)
{
	uint32_t off, i;

	for (off = 0; off < len; off += 16) {
		fprintf(f, "  %04x  ", off);
		for (i = 0; i < 16; i++) {
			if (off + i < len)
				fprintf(f, "%02x ", p[off + i]);
			else
				fputs("   ", f);
			if (i == 7)
				fputc(' ', f);
		}
		fputs(" |", f);
		for (i = 0; i < 16 && off + i < len; i++)
			fputc(isprint(p[off + i]) ? p[off + i] : '.', f);
		fputs("|\n", f);
	}
}

int tu_device_queue(const char *device_name)
{
	const char *at;
	uint64_t q;

	if (device_name == NULL || strchr(device_name, ';') != NULL)
		return -1;
	at = strrchr(device_name, '@');
	if (at == NULL)
		return -1;
	if (tu_parse_u64(at + 1, 0, MAX_NUM_RX_CHANNELS - 1, &q) != 0)
		return -1;
	return (int)q;
}

uint64_t tu_pkt_time_ns(const struct pfring_pkthdr *h)
{
	if (h->extended_hdr.timestamp_ns != 0)
		return h->extended_hdr.timestamp_ns;
	return (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec * 1000ull;
}

double tu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *tu_proto_name(uint8_t proto)
{
	switch (proto) {
	case PFC_IPPROTO_ICMP:
		return "ICMP";
	case PFC_IPPROTO_TCP:
		return "TCP";
	case PFC_IPPROTO_UDP:
		return "UDP";
	case PFC_IPPROTO_GRE:
		return "GRE";
	case PFC_IPPROTO_ESP:
		return "ESP";
	case PFC_IPPROTO_AH:
		return "AH";
	case PFC_IPPROTO_ICMPV6:
		return "ICMPv6";
	case PFC_IPPROTO_SCTP:
		return "SCTP";
	default:
		return NULL;
	}
}

void tu_pkt_summarize(const struct pfring_pkthdr *h, struct tu_pkt_summary *s)
{
	const struct pkt_parsing_info *p = &h->extended_hdr.parsed_pkt;
	uint8_t proto = p->l3_proto;

	memset(s, 0, sizeof(*s));
	s->has_vlan = p->vlan_id != NO_VLAN; /* parse.h: NO_VLAN when untagged */
	if ((p->ip_version == 4 || p->ip_version == 6) && p->offset.l3_offset != 0) {
		s->has_ip = tu_fmt_ip(&p->ip_src, p->ip_version, s->src, sizeof(s->src)) != NULL &&
			    tu_fmt_ip(&p->ip_dst, p->ip_version, s->dst, sizeof(s->dst)) != NULL;
	}
	if (!s->has_ip)
		return;
	/*
	 * L4 was parsed when l4_offset is set (guide 8.14); a non-first
	 * fragment carries no L4 header, whatever its protocol says.
	 */
	if (p->offset.l4_offset != 0 && !(h->extended_hdr.flags & PKT_FLAGS_IP_FRAG_OFFSET)) {
		s->has_ports = proto == PFC_IPPROTO_TCP || proto == PFC_IPPROTO_UDP ||
			       proto == PFC_IPPROTO_SCTP;
		s->is_icmp = proto == PFC_IPPROTO_ICMP || proto == PFC_IPPROTO_ICMPV6;
	}
	s->has_tunnel = p->tunnel.tunnel_id != NO_TUNNEL_ID &&
			(p->tunnel.tunneled_ip_version == 4 || p->tunnel.tunneled_ip_version == 6);
}

void tu_print_pkt_line(FILE *f, const struct pfring_pkthdr *h, int extended)
{
	const struct pkt_parsing_info *p = &h->extended_hdr.parsed_pkt;
	struct tu_pkt_summary s;
	char smac[TU_MAC_BUF], dmac[TU_MAC_BUF];
	uint64_t ns = tu_pkt_time_ns(h);
	time_t sec = (time_t)(ns / 1000000000ull);
	struct tm tm;
	const char *pname;

	tu_pkt_summarize(h, &s);
	if (localtime_r(&sec, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	fprintf(f, "%02d:%02d:%02d.%09llu ", tm.tm_hour, tm.tm_min, tm.tm_sec,
		(unsigned long long)(ns % 1000000000ull));
	if (extended)
		fprintf(f, "[if_index=%d][%s][ts_ns=%llu][flags=0x%x] ",
			(int)h->extended_hdr.if_index, h->extended_hdr.rx_direction ? "RX" : "TX",
			(unsigned long long)h->extended_hdr.timestamp_ns,
			(unsigned)h->extended_hdr.flags);
	fprintf(f, "[%s -> %s] ", tu_fmt_mac(p->smac, smac, sizeof(smac)),
		tu_fmt_mac(p->dmac, dmac, sizeof(dmac)));
	if (s.has_vlan) {
		fprintf(f, "[vlan %u", (unsigned)p->vlan_id);
		if (p->qinq_vlan_id != NO_VLAN)
			fprintf(f, "/%u", (unsigned)p->qinq_vlan_id);
		fputs("] ", f);
	}
	if (!s.has_ip) {
		fprintf(f, "[eth_type=0x%04x] ", (unsigned)p->eth_type);
	} else {
		fprintf(f, "[IPv%u]", (unsigned)p->ip_version);
		if (s.has_ports)
			fprintf(f, p->ip_version == 6 ? "[[%s]:%u -> [%s]:%u] " : "[%s:%u -> %s:%u] ",
				s.src, (unsigned)p->l4_src_port, s.dst, (unsigned)p->l4_dst_port);
		else
			fprintf(f, "[%s -> %s] ", s.src, s.dst);
		pname = tu_proto_name(p->l3_proto);
		if (pname != NULL)
			fprintf(f, "[%s", pname);
		else
			fprintf(f, "[proto=%u", (unsigned)p->l3_proto);
		if (s.has_ports && p->l3_proto == PFC_IPPROTO_TCP)
			fprintf(f, " flags=0x%02x seq=%u ack=%u", (unsigned)p->tcp.flags,
				(unsigned)p->tcp.seq_num, (unsigned)p->tcp.ack_num);
		if (s.is_icmp)
			fprintf(f, " type=%u code=%u", (unsigned)p->icmp_type,
				(unsigned)p->icmp_code);
		fputs("] ", f);
		if (h->extended_hdr.flags & (PKT_FLAGS_IP_MORE_FRAG | PKT_FLAGS_IP_FRAG_OFFSET))
			fputs("[fragment] ", f);
		if (s.has_tunnel) {
			char ti[TU_IP_BUF], to[TU_IP_BUF];

			fprintf(f, "[tunnel id=%u %s -> %s] ", (unsigned)p->tunnel.tunnel_id,
				tu_fmt_ip(&p->tunnel.tunneled_ip_src,
					  p->tunnel.tunneled_ip_version, ti, sizeof(ti)),
				tu_fmt_ip(&p->tunnel.tunneled_ip_dst,
					  p->tunnel.tunneled_ip_version, to, sizeof(to)));
		}
	}
	fprintf(f, "[len=%u][caplen=%u][hash=0x%08x]\n", (unsigned)h->len, (unsigned)h->caplen,
		(unsigned)h->extended_hdr.pkt_hash);
}

/* ,"key":value-or-null for an optional unsigned field */
static void json_opt_uint(FILE *f, const char *key, int present, unsigned long long v)
{
	if (present)
		fprintf(f, ",\"%s\":%llu", key, v);
	else
		fprintf(f, ",\"%s\":null", key);
}

void tu_print_pkt_json(FILE *f, const struct pfring_pkthdr *h, int queue)
{
	const struct pkt_parsing_info *p = &h->extended_hdr.parsed_pkt;
	struct tu_pkt_summary s;
	char smac[TU_MAC_BUF], dmac[TU_MAC_BUF];

	tu_pkt_summarize(h, &s);
	fprintf(f, "{\"ts_ns\":%llu,\"len\":%u,\"caplen\":%u,\"queue\":%d,\"if_index\":%d,\"hash\":%u",
		(unsigned long long)tu_pkt_time_ns(h), (unsigned)h->len, (unsigned)h->caplen, queue,
		(int)h->extended_hdr.if_index, (unsigned)h->extended_hdr.pkt_hash);
	fprintf(f, ",\"smac\":\"%s\",\"dmac\":\"%s\",\"eth_type\":%u",
		tu_fmt_mac(p->smac, smac, sizeof(smac)), tu_fmt_mac(p->dmac, dmac, sizeof(dmac)),
		(unsigned)p->eth_type);
	json_opt_uint(f, "vlan", s.has_vlan, p->vlan_id);
	json_opt_uint(f, "ip_version", s.has_ip, p->ip_version);
	json_opt_uint(f, "l3_proto", s.has_ip, p->l3_proto);
	fputs(",\"src\":", f);
	tu_json_string(f, s.has_ip ? s.src : NULL);
	fputs(",\"dst\":", f);
	tu_json_string(f, s.has_ip ? s.dst : NULL);
	json_opt_uint(f, "sport", s.has_ports, p->l4_src_port);
	json_opt_uint(f, "dport", s.has_ports, p->l4_dst_port);
	if (s.has_ports && p->l3_proto == PFC_IPPROTO_TCP)
		fprintf(f, ",\"tcp_flags\":%u", (unsigned)p->tcp.flags);
	if (s.is_icmp)
		fprintf(f, ",\"icmp_type\":%u,\"icmp_code\":%u", (unsigned)p->icmp_type,
			(unsigned)p->icmp_code);
	if (s.has_ip)
		fprintf(f, ",\"fragment\":%s",
			(h->extended_hdr.flags & (PKT_FLAGS_IP_MORE_FRAG | PKT_FLAGS_IP_FRAG_OFFSET)) ?
				"true" :
				"false");
	if (s.has_tunnel) {
		char ti[TU_IP_BUF], to[TU_IP_BUF];

		fprintf(f, ",\"tunnel\":{\"id\":%u,\"ip_version\":%u,\"proto\":%u,\"src\":",
			(unsigned)p->tunnel.tunnel_id, (unsigned)p->tunnel.tunneled_ip_version,
			(unsigned)p->tunnel.tunneled_proto);
		tu_json_string(f, tu_fmt_ip(&p->tunnel.tunneled_ip_src,
					    p->tunnel.tunneled_ip_version, ti, sizeof(ti)));
		fputs(",\"dst\":", f);
		tu_json_string(f, tu_fmt_ip(&p->tunnel.tunneled_ip_dst,
					    p->tunnel.tunneled_ip_version, to, sizeof(to)));
		fputc('}', f);
	}
	fputc('}', f);
}

/* ---- running a tool ------------------------------------------------------ */

volatile sig_atomic_t tu_stop;
static pfring *volatile watched[4];

/*
 * The first SIGINT/SIGTERM asks the run to end (the tools finish the
 * packet in hand and print their statistics); a second one ends the
 * process at once, whatever it is doing (a receive, a filter, a send
 * that keeps failing): the default action, re-raised.
 */
static void tu_on_signal(int sig)
{
	int i;

	if (tu_stop) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	tu_stop = 1;
	for (i = 0; i < 4; i++) {
		pfring *r = watched[i];

		if (r != NULL)
			pfring_breakloop(r);
	}
}

void tu_install_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tu_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void tu_watch_ring(int slot, pfring *ring)
{
	if (slot >= 0 && slot < 4)
		watched[slot] = ring;
}

void tu_close_ring(pfring *ring)
{
	int i;

	if (ring == NULL)
		return;
	for (i = 0; i < 4; i++)
		if (watched[i] == ring)
			watched[i] = NULL;
	pfring_close(ring);
}

void tu_last_error(pfring *ring, char *buf, size_t len)
{
	if (pfring_get_last_error(ring, buf, len) <= 0)
		snprintf(buf, len, "%s", strerror(errno != 0 ? errno : EIO));
}

pfring *tu_open_or_exit(const char *prog, const char *device, uint32_t caplen, uint32_t flags)
{
	char err[PFRING_ERRBUF_SIZE];
	pfring *ring;

	errno = 0; /* tu_last_error falls back to it when the library says nothing */
	ring = pfring_open(device, caplen, flags);

	if (ring == NULL) {
		tu_last_error(NULL, err, sizeof(err));
		fprintf(stderr, "%s: cannot open %s: %s\n", prog, device, err);
		exit(TU_EXIT_ERROR);
	}
	return ring;
}

int tu_send_retry(pfring *ring, const u_char *pkt, uint32_t len)
{
	struct timespec ts = { 0, 50000 };
	int rc;

	for (;;) {
		rc = pfring_send(ring, pkt, len, 1);
		if (rc != PF_RING_ERROR_NO_TX_SLOT_AVAILABLE || tu_stop)
			return rc;
		nanosleep(&ts, NULL);
	}
}

int tu_recv_next(const char *prog, const char *device, pfring *ring, u_char **pkt, struct pfring_pkthdr *hdr,
		 int parse_level)
{
	char err[256];
	int rc;

	while (!tu_stop) {
		memset(hdr, 0, sizeof(*hdr));
		*pkt = NULL;
		rc = parse_level > 0 ? pfring_recv_parsed(ring, pkt, 0, hdr, 0, (u_int8_t)parse_level, 0, 1)
				     : pfring_recv(ring, pkt, 0, hdr, 0);
		if (rc > 0)
			return 1;
		if (rc == PF_RING_ERROR_END_OF_FILE || tu_stop)
			return 0; /* a receive the signal interrupted is not an error */
		if (rc < 0) {
			tu_last_error(ring, err, sizeof(err));
			fprintf(stderr, "%s: %s: receive failed (%d): %s\n", prog, device, rc, err);
			return -1;
		}
		rc = pfring_poll(ring, 100);
		if (rc == PF_RING_ERROR_NOT_SUPPORTED) {
			struct timespec ts = { 0, 1000000 };

			nanosleep(&ts, NULL);
		} else if (rc < 0 && !tu_stop) {
			tu_last_error(ring, err, sizeof(err));
			fprintf(stderr, "%s: %s: poll failed: %s\n", prog, device, err);
			return -1;
		}
	}
	return 0;
}

int tu_split(const char *s, char sep, char *buf, size_t buf_len, char **items, int max)
{
	size_t len = strlen(s);
	int n = 0;
	char *p;

	if (len == 0 || len >= buf_len)
		return -1;
	memcpy(buf, s, len + 1);
	for (p = buf;;) {
		char *end = strchr(p, sep);

		if (end)
			*end = '\0';
		if (*p == '\0' || n == max)
			return -1;
		items[n++] = p;
		if (!end)
			return n;
		p = end + 1;
	}
}

uint64_t tu_arg_count(const char *prog, void (*usage)(FILE *), char opt, const char *arg)
{
	uint64_t v;

	if (tu_parse_u64(arg, 1, UINT64_MAX, &v) != 0)
		tu_usage_error(prog, usage, "-%c %s: a packet count of at least 1", opt, arg);
	return v;
}

uint32_t tu_arg_snaplen(const char *prog, void (*usage)(FILE *), char opt, const char *arg)
{
	uint64_t v;

	if (tu_parse_u64(arg, 1, TU_MAX_SNAPLEN, &v) != 0)
		tu_usage_error(prog, usage, "-%c %s: a capture length from 1 to %d", opt, arg, TU_MAX_SNAPLEN);
	return (uint32_t)v;
}

void tu_require_device(const char *prog, void (*usage)(FILE *), int argc, char **argv, const char *device)
{
	if (optind < argc)
		tu_usage_error(prog, usage, "unexpected argument '%s'", argv[optind]);
	if (!device)
		tu_usage_error(prog, usage, "no device (-i)");
}
