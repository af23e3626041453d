/*
 * tool_rules.h - rules written on a tool's command line, for pffilter_test
 * (wildcard and hash rules, guide 8.10) and pfcount_82599 (in-NIC rules,
 * guide 8.11). A rule is a comma-separated list of KEY=VALUE:
 *
 *   wildcard  id=N action=pass|drop proto=N smac=MAC dmac=MAC vlan=N
 *             shost=A[/BITS] dhost=A[/BITS] sport=P[-P] dport=P[-P]
 *             pattern=TEXT tunnel=TEID bidir=1 locked=1
 *   hash      id=N action=pass|drop proto=N vlan=N a=IPv4:PORT b=IPv4:PORT
 *   hw        id=N type=5tuple|perfect proto=N shost=IPv4 dhost=IPv4
 *             sport=P dport=P vlan=N (perfect only) queue=N|drop
 *
 * Hosts are IPv4 (the rules' v4 words, host byte order) or, in wildcard
 * rules, IPv6. Every parser returns 0 with the rule filled (zeroed first),
 * or -1 with what was wrong in why.
 */
#ifndef PFRING_TOOL_RULES_H
#define PFRING_TOOL_RULES_H

#include <stddef.h>

#include "pfring.h"

int tr_parse_wildcard(const char *spec, filtering_rule *r, char *why, size_t why_len);
int tr_parse_hash(const char *spec, hash_filtering_rule *r, char *why, size_t why_len);
int tr_parse_hw(const char *spec, hw_filtering_rule *r, char *why, size_t why_len);

#endif /* PFRING_TOOL_RULES_H */
