/*
 * pfcount_82599 - counts the packets of every RX queue of a device, with
 * in-NIC rules (guide 8.11: Intel 82599 five-tuple and perfect filters)
 * given on the command line steering packets to a queue or dropping them.
 * On the software NIC (sim:FILE,queues=N) the rules act as an 82599's do.
 *
 *   pfcount_82599 -i DEV -R RULE [-R RULE]... [-l CAPLEN] [-j]
 *
 * RULE: id=N,type=5tuple|perfect,proto=N,shost=IPv4,dhost=IPv4,sport=P,
 * dport=P,vlan=N,queue=N|drop (tool_rules.h). One thread per queue
 * (pfring_open_multichannel); each rule goes to every queue's ring (a
 * multi-queue NIC has one table: the same rule id replaces itself).
 *
 * Exit status: 0 at the end of a finite device or SIGINT/SIGTERM; 1 on a
 * runtime error (open, a rule refused, receive); 2 on a bad command line.
 */
#define _DEFAULT_SOURCE 1

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pfring.h"
#include "tool_queues.h"
#include "tool_rules.h"
#include "tool_util.h"

#define PROG "pfcount_82599"
#define MAX_RULES 16

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " -i DEV -R RULE [options]\n"
		   "Counts every RX queue of DEV with in-NIC (82599) rules.\n"
		   "\n"
		   "  -i DEV      device without @queue, e.g. sim:FILE,queues=4\n"
		   "  -R RULE     add an in-NIC rule: id=N,type=5tuple|perfect,proto=N,shost=IPv4,\n"
		   "              dhost=IPv4,sport=P,dport=P,vlan=N (perfect),queue=N|drop\n"
		   "              (repeatable, up to %d; 0 or absent fields match anything)\n"
		   "  -l CAPLEN   capture length (default %d)\n"
		   "  -j          JSON summary on stdout\n"
		   "  -h          this help\n",
		MAX_RULES, TU_DEFAULT_SNAPLEN);
}

int main(int argc, char **argv)
{
	static hw_filtering_rule rules[MAX_RULES];
	pfring *rings[MAX_NUM_RX_CHANNELS];
	const char *device = NULL;
	uint32_t snaplen = TU_DEFAULT_SNAPLEN;
	int n_rules = 0, json = 0, c, i, k, n, rc;
	char why[256], extra[32];

	opterr = 0;
	while ((c = getopt(argc, argv, ":hi:R:l:j")) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return TU_EXIT_OK;
		case 'i':
			device = optarg;
			break;
		case 'R':
			if (n_rules == MAX_RULES)
				tu_usage_error(PROG, usage, "at most %d rules (the NIC's table)", MAX_RULES);
			if (tr_parse_hw(optarg, &rules[n_rules], why, sizeof(why)) != 0)
				tu_usage_error(PROG, usage, "-R %s: %s", optarg, why);
			n_rules++;
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

	n = pfring_open_multichannel(device, snaplen, 0, rings);
	if (n == 0) {
		tu_last_error(NULL, why, sizeof(why));
		fprintf(stderr, PROG ": cannot open %s: %s\n", device, why);
		return TU_EXIT_ERROR;
	}
	for (i = 0; i < n; i++) {
		pfring_set_application_name(rings[i], PROG);
		for (k = 0; k < n_rules; k++)
			if ((rc = pfring_add_hw_rule(rings[i], &rules[k])) < 0) {
				tu_last_error(rings[i], why, sizeof(why));
				fprintf(stderr, PROG ": %s: rule %u refused (%d): %s\n", device, rules[k].rule_id, rc, why);
				for (k = 0; k < n; k++)
					pfring_close(rings[k]);
				return TU_EXIT_ERROR;
			}
	}
	snprintf(extra, sizeof(extra), "\"rules\":%d", n_rules);
	return tq_count_queues(PROG, device, rings, n, json, 0, extra);
}
