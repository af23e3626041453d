/*
 * tool_rules.c - rules from the command line; see tool_rules.h.
 */
#define _DEFAULT_SOURCE 1

#include "tool_rules.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool_util.h"

#define SPEC_MAX 512

static int bad(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* Calls fn(key, value, ctx) for each KEY=VALUE of spec; stops at the first
 * non-zero return. */
static int each_pair(const char *spec, char *why, size_t why_len,
		     int (*fn)(const char *key, const char *val, void *ctx, char *why, size_t why_len), void *ctx)
{
	char copy[SPEC_MAX], *save = NULL, *item;

	if (!spec || !*spec)
		return bad(why, why_len, "empty rule");
	if (strlen(spec) >= sizeof(copy))
		return bad(why, why_len, "rule longer than %d characters", SPEC_MAX - 1);
	strcpy(copy, spec);
	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');

		if (!eq || eq == item || !eq[1])
			return bad(why, why_len, "'%s' is not KEY=VALUE", item);
		*eq = '\0';
		if (fn(item, eq + 1, ctx, why, why_len) != 0)
			return -1;
	}
	return 0;
}

static int num(const char *key, const char *val, uint64_t max, uint64_t *out, char *why, size_t len)
{
	if (tu_parse_u64(val, 0, max, out) != 0)
		return bad(why, len, "%s=%s: a number from 0 to %llu", key, val, (unsigned long long)max);
	return 0;
}

static int set_u8(const char *key, const char *val, uint64_t max, u_int8_t *out, char *why, size_t len)
{
	uint64_t n;

	if (num(key, val, max, &n, why, len))
		return -1;
	*out = (u_int8_t)n;
	return 0;
}

static int set_u16(const char *key, const char *val, uint64_t max, u_int16_t *out, char *why, size_t len)
{
	uint64_t n;

	if (num(key, val, max, &n, why, len))
		return -1;
	*out = (u_int16_t)n;
	return 0;
}

static int action(const char *val, rule_action_behaviour *a, char *why, size_t len)
{
	if (strcmp(val, "pass") == 0)
		*a = forward_packet_and_stop_rule_evaluation;
	else if (strcmp(val, "drop") == 0)
		*a = dont_forward_packet_and_stop_rule_evaluation;
	else
		return bad(why, len, "action=%s: pass or drop", val);
	return 0;
}

static int ipv4(const char *key, const char *val, u_int32_t *out, char *why, size_t len)
{
	struct in_addr a;

	if (inet_pton(AF_INET, val, &a) != 1)
		return bad(why, len, "%s=%s: not an IPv4 address", key, val);
	*out = ntohl(a.s_addr);
	return 0;
}

/* A[/BITS], IPv4 or IPv6, into host and mask as the rules hold them. */
static int host_mask(const char *key, const char *val, ip_addr *host, ip_addr *mask, char *why, size_t len)
{
	char addr[64];
	const char *slash = strchr(val, '/');
	size_t n = slash ? (size_t)(slash - val) : strlen(val);
	uint64_t bits = 0;
	struct in6_addr a6;
	int i;

	if (n >= sizeof(addr))
		return bad(why, len, "%s=%s: address too long", key, val);
	memcpy(addr, val, n);
	addr[n] = '\0';
	memset(host, 0, sizeof(*host));
	memset(mask, 0, sizeof(*mask));
	if (strchr(addr, ':')) {
		if (inet_pton(AF_INET6, addr, &a6) != 1)
			return bad(why, len, "%s=%s: not an IPv6 address", key, val);
		memcpy(&host->v6, &a6, 16);
		if (slash && num(key, slash + 1, 128, &bits, why, len))
			return -1;
		if (!slash)
			bits = 128;
		for (i = 0; i < 16; i++) {
			int b = (int)bits - 8 * i;
			mask->v6.s6_addr[i] = (u_int8_t)(b >= 8 ? 0xFF : b <= 0 ? 0 : 0xFF << (8 - b));
		}
		return 0;
	}
	if (ipv4(key, addr, &host->v4, why, len))
		return -1;
	if (slash && num(key, slash + 1, 32, &bits, why, len))
		return -1;
	if (!slash)
		bits = 32;
	mask->v4 = bits == 0 ? 0 : 0xFFFFFFFFu << (32 - bits);
	if (bits == 0)
		memset(host, 0, sizeof(*host)); /* /0: any */
	return 0;
}

static int port_range(const char *key, const char *val, u_int16_t *lo, u_int16_t *hi, char *why, size_t len)
{
	char a[16];
	const char *dash = strchr(val, '-');
	uint64_t l, h;
	size_t n = dash ? (size_t)(dash - val) : strlen(val);

	if (n >= sizeof(a))
		return bad(why, len, "%s=%s: not a port or range", key, val);
	memcpy(a, val, n);
	a[n] = '\0';
	if (num(key, a, 65535, &l, why, len))
		return -1;
	h = l;
	if (dash && num(key, dash + 1, 65535, &h, why, len))
		return -1;
	if (h < l)
		return bad(why, len, "%s=%s: range ends before it starts", key, val);
	*lo = (u_int16_t)l;
	*hi = (u_int16_t)h;
	return 0;
}

static int mac(const char *key, const char *val, u_int8_t out[6], char *why, size_t len)
{
	unsigned b[6];
	char end;
	int i;

	if (sscanf(val, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &end) != 6)
		return bad(why, len, "%s=%s: not a MAC address (aa:bb:cc:dd:ee:ff)", key, val);
	for (i = 0; i < 6; i++)
		out[i] = (u_int8_t)b[i];
	return 0;
}

static int wildcard_pair(const char *k, const char *v, void *ctx, char *why, size_t len)
{
	filtering_rule *r = ctx;
	filtering_rule_core_fields *c = &r->core_fields;
	uint64_t n;

	if (strcmp(k, "id") == 0) {
		return set_u16(k, v, 65535, &r->rule_id, why, len);
	} else if (strcmp(k, "action") == 0) {
		return action(v, &r->rule_action, why, len);
	} else if (strcmp(k, "proto") == 0) {
		return set_u8(k, v, 255, &c->proto, why, len);
	} else if (strcmp(k, "vlan") == 0) {
		return set_u16(k, v, 4095, &c->vlan_id, why, len);
	} else if (strcmp(k, "smac") == 0) {
		return mac(k, v, c->smac, why, len);
	} else if (strcmp(k, "dmac") == 0) {
		return mac(k, v, c->dmac, why, len);
	} else if (strcmp(k, "shost") == 0) {
		return host_mask(k, v, &c->shost, &c->shost_mask, why, len);
	} else if (strcmp(k, "dhost") == 0) {
		return host_mask(k, v, &c->dhost, &c->dhost_mask, why, len);
	} else if (strcmp(k, "sport") == 0) {
		return port_range(k, v, &c->sport_low, &c->sport_high, why, len);
	} else if (strcmp(k, "dport") == 0) {
		return port_range(k, v, &c->dport_low, &c->dport_high, why, len);
	} else if (strcmp(k, "pattern") == 0) {
		if (strlen(v) >= sizeof(r->extended_fields.payload_pattern))
			return bad(why, len, "pattern=%s: at most %zu characters", v,
				   sizeof(r->extended_fields.payload_pattern) - 1);
		strcpy(r->extended_fields.payload_pattern, v);
	} else if (strcmp(k, "tunnel") == 0) {
		if (num(k, v, 0xFFFFFFFFu, &n, why, len))
			return -1;
		r->extended_fields.tunnel.tunnel_id = (u_int32_t)n;
		r->extended_fields.optional_fields |= FILTER_TUNNEL_ID_FLAG;
	} else if (strcmp(k, "bidir") == 0 || strcmp(k, "locked") == 0) {
		if (num(k, v, 1, &n, why, len))
			return -1;
		if (k[0] == 'b')
			r->bidirectional = (u_int8_t)n;
		else
			r->locked = (u_int8_t)n;
	} else {
		return bad(why, len, "unknown key '%s' in a wildcard rule", k);
	}
	return 0;
}

int tr_parse_wildcard(const char *spec, filtering_rule *r, char *why, size_t why_len)
{
	memset(r, 0, sizeof(*r));
	r->rule_action = forward_packet_and_stop_rule_evaluation;
	return each_pair(spec, why, why_len, wildcard_pair, r);
}

/* IPv4:PORT of a hash rule peer. */
static int peer(const char *k, const char *v, ip_addr *host, u_int16_t *port, char *why, size_t len)
{
	char a[64];
	const char *colon = strrchr(v, ':');
	uint64_t p;

	if (!colon || (size_t)(colon - v) >= sizeof(a))
		return bad(why, len, "%s=%s: IPv4:PORT", k, v);
	memcpy(a, v, (size_t)(colon - v));
	a[colon - v] = '\0';
	memset(host, 0, sizeof(*host));
	if (ipv4(k, a, &host->v4, why, len) || num(k, colon + 1, 65535, &p, why, len))
		return -1;
	*port = (u_int16_t)p;
	return 0;
}

static int hash_pair(const char *k, const char *v, void *ctx, char *why, size_t len)
{
	hash_filtering_rule *r = ctx;

	if (strcmp(k, "id") == 0) {
		return set_u16(k, v, 65535, &r->rule_id, why, len);
	} else if (strcmp(k, "action") == 0) {
		return action(v, &r->rule_action, why, len);
	} else if (strcmp(k, "proto") == 0) {
		return set_u8(k, v, 255, &r->proto, why, len);
	} else if (strcmp(k, "vlan") == 0) {
		return set_u16(k, v, 4095, &r->vlan_id, why, len);
	} else if (strcmp(k, "a") == 0) {
		return peer(k, v, &r->host_peer_a, &r->port_peer_a, why, len);
	} else if (strcmp(k, "b") == 0) {
		return peer(k, v, &r->host_peer_b, &r->port_peer_b, why, len);
	} else {
		return bad(why, len, "unknown key '%s' in a hash rule", k);
	}
	return 0;
}

int tr_parse_hash(const char *spec, hash_filtering_rule *r, char *why, size_t why_len)
{
	memset(r, 0, sizeof(*r));
	r->rule_action = forward_packet_and_stop_rule_evaluation;
	if (each_pair(spec, why, why_len, hash_pair, r) != 0)
		return -1;
	if (!r->proto)
		return bad(why, why_len, "a hash rule needs proto= (it matches one 6-tuple exactly)");
	return 0;
}

struct hw_ctx {
	hw_filtering_rule *r;
	int type; /* 0 unset, 1 five-tuple, 2 perfect */
	u_int8_t proto;
	u_int32_t s, d;
	u_int16_t sp, dp, vlan, queue;
	int have_vlan;
};

static int hw_pair(const char *k, const char *v, void *ctx, char *why, size_t len)
{
	struct hw_ctx *h = ctx;
	uint64_t n;

	if (strcmp(k, "id") == 0) {
		return set_u16(k, v, 65535, &h->r->rule_id, why, len);
	} else if (strcmp(k, "type") == 0) {
		if (strcmp(v, "5tuple") == 0)
			h->type = 1;
		else if (strcmp(v, "perfect") == 0)
			h->type = 2;
		else
			return bad(why, len, "type=%s: 5tuple or perfect", v);
	} else if (strcmp(k, "proto") == 0) {
		return set_u8(k, v, 255, &h->proto, why, len);
	} else if (strcmp(k, "shost") == 0) {
		return ipv4(k, v, &h->s, why, len);
	} else if (strcmp(k, "dhost") == 0) {
		return ipv4(k, v, &h->d, why, len);
	} else if (strcmp(k, "sport") == 0 || strcmp(k, "dport") == 0) {
		return set_u16(k, v, 65535, k[0] == 's' ? &h->sp : &h->dp, why, len);
	} else if (strcmp(k, "vlan") == 0) {
		h->have_vlan = 1;
		return set_u16(k, v, 4095, &h->vlan, why, len);
	} else if (strcmp(k, "queue") == 0) {
		if (strcmp(v, "drop") == 0)
			h->queue = 0xFFFF; /* a queue no NIC has: the packet is dropped */
		else if (num(k, v, 0xFFFE, &n, why, len))
			return -1;
		else
			h->queue = (u_int16_t)n;
	} else {
		return bad(why, len, "unknown key '%s' in a hardware rule", k);
	}
	return 0;
}

int tr_parse_hw(const char *spec, hw_filtering_rule *r, char *why, size_t why_len)
{
	struct hw_ctx h;

	memset(r, 0, sizeof(*r));
	memset(&h, 0, sizeof(h));
	h.r = r;
	if (each_pair(spec, why, why_len, hw_pair, &h) != 0)
		return -1;
	if (h.type == 0)
		h.type = h.have_vlan ? 2 : 1;
	if (h.type == 1) {
		if (h.have_vlan)
			return bad(why, why_len, "vlan= needs type=perfect (five-tuple rules have no VLAN)");
		r->rule_family_type = intel_82599_five_tuple_rule;
		r->rule_family.five_tuple_rule.proto = h.proto;
		r->rule_family.five_tuple_rule.s_addr = h.s;
		r->rule_family.five_tuple_rule.d_addr = h.d;
		r->rule_family.five_tuple_rule.s_port = h.sp;
		r->rule_family.five_tuple_rule.d_port = h.dp;
		r->rule_family.five_tuple_rule.queue_id = h.queue;
	} else {
		r->rule_family_type = intel_82599_perfect_filter_hash_rule;
		r->rule_family.perfect_rule.vlan_id = h.vlan;
		r->rule_family.perfect_rule.proto = h.proto;
		r->rule_family.perfect_rule.s_addr = h.s;
		r->rule_family.perfect_rule.d_addr = h.d;
		r->rule_family.perfect_rule.s_port = h.sp;
		r->rule_family.perfect_rule.d_port = h.dp;
		r->rule_family.perfect_rule.queue_id = h.queue;
	}
	return 0;
}
