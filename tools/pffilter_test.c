/*
 * pffilter_test - receives from a device through wildcard and hash rules
 * given on the command line (guide 8.10) and prints each rule's
 * statistics at the end: how many packets it matched and how many of
 * them it kept from the application.
 *
 *   pffilter_test -i DEV [-w RULE]... [-H RULE]... [-d] [-N COUNT] [-l CAPLEN] [-j]
 *
 * RULE syntax: tool_rules.h (e.g. -w 'id=5,action=drop,proto=6,dport=80',
 * -H 'id=10,proto=17,a=10.0.0.1:53,b=10.0.0.2:4000'). -d makes the default
 * policy drop (only what a pass rule matches is delivered).
 *
 * Exit status: 0 at the end of a finite device, COUNT packets or
 * SIGINT/SIGTERM; 1 on a runtime error (open, a rule refused, receive); 2
 * on a bad command line.
 */
#define _DEFAULT_SOURCE 1

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pfring.h"
#include "tool_rules.h"
#include "tool_util.h"

#define PROG "pffilter_test"
#define MAX_RULES 64

struct rules {
	filtering_rule wc[MAX_RULES];
	hash_filtering_rule hash[MAX_RULES];
	int n_wc, n_hash;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " -i DEV [options]\n"
		   "Receives through wildcard and hash rules and prints each rule's statistics.\n"
		   "\n"
		   "  -i DEV      device: [module:]device[@queue]\n"
		   "  -w RULE     add a wildcard rule: id=N,action=pass|drop,proto=N,vlan=N,smac=MAC,\n"
		   "              dmac=MAC,shost=A[/BITS],dhost=A[/BITS],sport=P[-P],dport=P[-P],\n"
		   "              pattern=TEXT,tunnel=TEID,bidir=1,locked=1 (repeatable, up to %d)\n"
		   "  -H RULE     add a hash rule: id=N,action=pass|drop,proto=N,vlan=N,a=IPv4:PORT,\n"
		   "              b=IPv4:PORT (repeatable, up to %d)\n"
		   "  -d          default policy drop: deliver only what a pass rule matches\n"
		   "  -N COUNT    stop after COUNT delivered packets\n"
		   "  -l CAPLEN   capture length (default %d)\n"
		   "  -j          JSON summary on stdout\n"
		   "  -h          this help\n",
		MAX_RULES, MAX_RULES, TU_DEFAULT_SNAPLEN);
}

static void stats_of(pfring *ring, int hash, void *rule, u_int16_t id, hash_filtering_rule_stats *s)
{
	u_int len = sizeof(*s);
	int rc;

	memset(s, 0, sizeof(*s));
	rc = hash ? pfring_get_hash_filtering_rule_stats(ring, rule, (char *)s, &len)
		  : pfring_get_filtering_rule_stats(ring, id, (char *)s, &len);
	if (rc < 0)
		memset(s, 0, sizeof(*s));
}

int main(int argc, char **argv)
{
	static struct rules r;
	const char *device = NULL;
	uint64_t count = 0, pkts = 0, bytes = 0;
	uint32_t snaplen = TU_DEFAULT_SNAPLEN;
	int drop_default = 0, json = 0, c, i, rc, exit_code = TU_EXIT_OK;
	char why[256], num[TU_NUM_BUF];
	pfring *ring;
	u_char *pkt;
	struct pfring_pkthdr hdr;
	hash_filtering_rule_stats s;

	opterr = 0;
	while ((c = getopt(argc, argv, ":hi:w:H:dN:l:j")) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return TU_EXIT_OK;
		case 'i':
			device = optarg;
			break;
		case 'w':
			if (r.n_wc == MAX_RULES)
				tu_usage_error(PROG, usage, "at most %d wildcard rules", MAX_RULES);
			if (tr_parse_wildcard(optarg, &r.wc[r.n_wc], why, sizeof(why)) != 0)
				tu_usage_error(PROG, usage, "-w %s: %s", optarg, why);
			r.n_wc++;
			break;
		case 'H':
			if (r.n_hash == MAX_RULES)
				tu_usage_error(PROG, usage, "at most %d hash rules", MAX_RULES);
			if (tr_parse_hash(optarg, &r.hash[r.n_hash], why, sizeof(why)) != 0)
				tu_usage_error(PROG, usage, "-H %s: %s", optarg, why);
			r.n_hash++;
			break;
		case 'd':
			drop_default = 1;
			break;
		case 'N':
			count = tu_arg_count(PROG, usage, 'N', optarg);
			break;
		case 'l':
			snaplen = tu_arg_snaplen(PROG, usage, 'l', optarg);
			break;
		case 'j':
			json = 1;
			break;
		default:
			tu_getopt_error(PROG, usage, c, argv);
		}
	}
	tu_require_device(PROG, usage, argc, argv, device);

	ring = tu_open_or_exit(PROG, device, snaplen, 0);
	pfring_set_application_name(ring, PROG);
	for (i = 0; i < r.n_wc; i++)
		if ((rc = pfring_add_filtering_rule(ring, &r.wc[i])) < 0) {
			tu_last_error(ring, why, sizeof(why));
			fprintf(stderr, PROG ": wildcard rule %u refused (%d): %s\n", r.wc[i].rule_id, rc, why);
			tu_close_ring(ring);
			return TU_EXIT_ERROR;
		}
	for (i = 0; i < r.n_hash; i++)
		if ((rc = pfring_handle_hash_filtering_rule(ring, &r.hash[i], 1)) < 0) {
			tu_last_error(ring, why, sizeof(why));
			fprintf(stderr, PROG ": hash rule %u refused (%d): %s\n", r.hash[i].rule_id, rc, why);
			tu_close_ring(ring);
			return TU_EXIT_ERROR;
		}
	if (drop_default)
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
		bytes += hdr.len;
	}

	if (json) {
		printf("{\"summary\":{\"device\":");
		tu_json_string(stdout, device);
		printf(",\"received\":%llu,\"bytes\":%llu,\"rules\":[", (unsigned long long)pkts,
		       (unsigned long long)bytes);
	} else {
		printf("%s packets delivered\n", tu_fmt_u64(pkts, num, sizeof(num)));
	}
	for (i = 0; i < r.n_wc + r.n_hash; i++) {
		int hash = i >= r.n_wc;
		u_int16_t id = hash ? r.hash[i - r.n_wc].rule_id : r.wc[i].rule_id;

		stats_of(ring, hash, hash ? (void *)&r.hash[i - r.n_wc] : (void *)&r.wc[i], id, &s);
		if (json)
			printf("%s{\"kind\":\"%s\",\"id\":%u,\"match\":%llu,\"filtered\":%llu}", i ? "," : "",
			       hash ? "hash" : "wildcard", id, (unsigned long long)s.match,
			       (unsigned long long)s.filtered);
		else
			printf("%s rule %u: %llu matched, %llu filtered\n", hash ? "hash" : "wildcard", id,
			       (unsigned long long)s.match, (unsigned long long)s.filtered);
	}
	if (json)
		printf("]}}\n");
	tu_close_ring(ring);
	return exit_code;
}
