// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rules.c - wildcard and hash rule semantics (see rules.h for the order of
 * evaluation and what each action does). Freestanding: no libc, no
 * allocation, no mutable globals.
 */
#include "rules.h"
#include "parse.h"

#define PFC_MAC_LEN 6

static int mac_is_zero(const u_int8_t *m)
{
	int i;

	for (i = 0; i < PFC_MAC_LEN; i++)
		if (m[i])
			return 0;
	return 1;
}

static int mac_equal(const u_int8_t *a, const u_int8_t *b)
{
	int i;

	for (i = 0; i < PFC_MAC_LEN; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static int ip_is_zero(const ip_addr *a)
{
	int i;

	for (i = 0; i < 16; i++)
		if (a->v6.s6_addr[i])
			return 0;
	return 1;
}

/* Bytes 4..15 of the union are zero: the address fits the v4 member. */
static int ip_upper_is_zero(const ip_addr *a)
{
	int i;

	for (i = 4; i < 16; i++)
		if (a->v6.s6_addr[i])
			return 0;
	return 1;
}

/*
 * Host part of a wildcard rule (chapter 11: shost/dhost with masks).
 * An all-zero host means any host. The packet's IP version decides how the
 * address is compared: IPv4 on the v4 member (a rule whose upper 12 bytes
 * are set is an IPv6 rule and never matches IPv4), IPv6 on all 16 bytes. A
 * zero mask means a full-length mask (/32 or /128). Non-IP packets match
 * only rules with an all-zero host.
 */
static int host_match(const ip_addr *host, const ip_addr *mask, const ip_addr *addr,
		      u_int8_t ip_version)
{
	int i;

	if (ip_is_zero(host))
		return 1;
	if (ip_version == 4) {
		u_int32_t m = mask->v4 ? mask->v4 : 0xFFFFFFFFu;

		if (!ip_upper_is_zero(host))
			return 0;
		return (addr->v4 & m) == (host->v4 & m);
	}
	if (ip_version == 6) {
		int full = ip_is_zero(mask);

		for (i = 0; i < 16; i++) {
			u_int8_t m = full ? 0xFF : mask->v6.s6_addr[i];

			if ((addr->v6.s6_addr[i] & m) != (host->v6.s6_addr[i] & m))
				return 0;
		}
		return 1;
	}
	return 0;
}

/* Port range: 0..0 is any port; a zero high end means the single port low. */
static int port_match(u_int16_t low, u_int16_t high, u_int16_t port)
{
	if (low == 0 && high == 0)
		return 1;
	if (high == 0)
		high = low;
	return port >= low && port <= high;
}

/* The direction-dependent fields, with the packet's peers as given. */
static int peers_match(const filtering_rule_core_fields *c, const u_int8_t *smac,
		       const u_int8_t *dmac, const ip_addr *sip, const ip_addr *dip,
		       u_int16_t sport, u_int16_t dport, u_int8_t ip_version)
{
	if (!mac_is_zero(c->smac) && !mac_equal(c->smac, smac))
		return 0;
	if (!mac_is_zero(c->dmac) && !mac_equal(c->dmac, dmac))
		return 0;
	if (!host_match(&c->shost, &c->shost_mask, sip, ip_version))
		return 0;
	if (!host_match(&c->dhost, &c->dhost_mask, dip, ip_version))
		return 0;
	if (!port_match(c->sport_low, c->sport_high, sport))
		return 0;
	return port_match(c->dport_low, c->dport_high, dport);
}

static u_int32_t pattern_len(const char *s)
{
	u_int32_t n = 0;

	while (n < sizeof(((filtering_rule_extended_fields *)0)->payload_pattern) && s[n])
		n++;
	return n;
}

/* Is the pattern anywhere in the L4 payload? Bounded by caplen. */
static int payload_match(const char *pattern, const struct pkt_parsing_info *p,
			 const uint8_t *pkt, uint32_t caplen)
{
	u_int32_t n = pattern_len(pattern), start, i, j;

	if (n == 0)
		return 1;
	if (!pkt || p->offset.payload_offset <= 0)
		return 0;
	start = (u_int32_t)(p->offset.eth_offset + p->offset.payload_offset);
	if (start >= caplen || caplen - start < n)
		return 0;
	for (i = start; i + n <= caplen; i++) {
		for (j = 0; j < n; j++)
			if (pkt[i + j] != (uint8_t)pattern[j])
				break;
		if (j == n)
			return 1;
	}
	return 0;
}

u_int32_t pfc_balance_hash(const struct pkt_parsing_info *p)
{
	return (u_int32_t)p->l3_proto + pfc_ip_word_sum(&p->ip_src, p->ip_version) +
	       pfc_ip_word_sum(&p->ip_dst, p->ip_version) + p->l4_src_port + p->l4_dst_port;
}

int pfc_wc_rule_validate(const filtering_rule *r)
{
	const filtering_rule_core_fields *c = &r->core_fields;

	if ((u_int32_t)r->rule_action >= PFC_NUM_RULE_ACTIONS)
		return -1;
	if (c->sport_high != 0 && c->sport_low > c->sport_high)
		return -1;
	if (c->dport_high != 0 && c->dport_low > c->dport_high)
		return -1;
	if (r->balance_pool != 0 && r->balance_id >= r->balance_pool)
		return -1;
	return 0;
}

/* extended_fields.tunnel (pfring_defs.h). */
static int tunnel_match(const filtering_rule_extended_fields *x, const struct pkt_parsing_info *p)
{
	u_int32_t id = x->tunnel.tunnel_id;
	int want_id = (x->optional_fields & FILTER_TUNNEL_ID_FLAG) ? 1 : (id != 0 && id != NO_TUNNEL_ID);

	if (want_id && p->tunnel.tunnel_id != id)
		return 0;
	if (ip_is_zero(&x->tunnel.shost) && ip_is_zero(&x->tunnel.dhost))
		return 1;
	return host_match(&x->tunnel.shost, &x->tunnel.shost_mask, &p->tunnel.tunneled_ip_src,
			  p->tunnel.tunneled_ip_version) &&
	       host_match(&x->tunnel.dhost, &x->tunnel.dhost_mask, &p->tunnel.tunneled_ip_dst,
			  p->tunnel.tunneled_ip_version);
}

int pfc_wc_match(const filtering_rule *r, const struct pkt_parsing_info *p,
		 const uint8_t *pkt, uint32_t caplen)
{
	const filtering_rule_core_fields *c = &r->core_fields;

	if (c->vlan_id && (p->vlan_id == NO_VLAN || c->vlan_id != p->vlan_id))
		return 0;
	if (c->proto && c->proto != p->l3_proto)
		return 0;
	if (r->balance_pool && pfc_balance_hash(p) % r->balance_pool != r->balance_id)
		return 0;
	if (!peers_match(c, p->smac, p->dmac, &p->ip_src, &p->ip_dst, p->l4_src_port,
			 p->l4_dst_port, p->ip_version) &&
	    !(r->bidirectional &&
	      peers_match(c, p->dmac, p->smac, &p->ip_dst, &p->ip_src, p->l4_dst_port,
			  p->l4_src_port, p->ip_version)))
		return 0;
	if (!tunnel_match(&r->extended_fields, p))
		return 0;
	return payload_match(r->extended_fields.payload_pattern, p, pkt, caplen);
}

/*
 * The hash-rule key is on the per-packet path of every ring with hash
 * rules, so it works on 64-bit words. The order of the two endpoints only
 * has to be a total order (it makes both directions give one key), not the
 * numeric order of the addresses, so native-endian words do.
 */
static void ip_words(const ip_addr *a, u_int64_t w[2])
{
	__builtin_memcpy(w, a, 16);
}

/* The ports, VLAN id, protocol and pad: the key's last 64-bit word. */
#define PFC_KEY_TAIL __builtin_offsetof(struct pfc_hash_key, lo_port)
_Static_assert(PFC_KEY_TAIL == 32 && sizeof(struct pfc_hash_key) == 40 &&
		       __builtin_offsetof(struct pfc_hash_key, pad) == 39,
	       "struct pfc_hash_key is five 64-bit words");

/*
 * Orders the endpoints without branches: the direction of a packet is
 * random from the CPU's point of view, and a mispredicted branch costs more
 * than the whole key. m is all ones when (hb, pb) sorts before (ha, pa).
 */
static void key_fill(struct pfc_hash_key *k, u_int16_t vlan, u_int8_t proto, const ip_addr *ha,
		     u_int16_t pa, const ip_addr *hb, u_int16_t pb)
{
	u_int64_t a[2], b[2], lo[2], hi[2], gt, m;
	u_int16_t pm;

	ip_words(ha, a);
	ip_words(hb, b);
	gt = (u_int64_t)(a[0] > b[0]) |
	     ((u_int64_t)(a[0] == b[0]) &
	      ((u_int64_t)(a[1] > b[1]) | ((u_int64_t)(a[1] == b[1]) & (u_int64_t)(pa > pb))));
	m = (u_int64_t)0 - gt;
	lo[0] = a[0] ^ ((a[0] ^ b[0]) & m);
	lo[1] = a[1] ^ ((a[1] ^ b[1]) & m);
	hi[0] = b[0] ^ ((a[0] ^ b[0]) & m);
	hi[1] = b[1] ^ ((a[1] ^ b[1]) & m);
	pm = (u_int16_t)m;
	__builtin_memcpy(&k->lo_host, lo, sizeof(ip_addr));
	__builtin_memcpy(&k->hi_host, hi, sizeof(ip_addr));
	pm &= pa ^ pb;
	pa ^= pm; /* now the lower endpoint's port */
	pb ^= pm;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	{
		/*
		 * The last key word in one store: the hash and the compare
		 * read it back as one 64-bit load, which a store of four
		 * smaller fields could not forward (a stall per key).
		 */
		u_int64_t w = (u_int64_t)pa | (u_int64_t)pb << 16 |
			      (u_int64_t)vlan << 32 | (u_int64_t)proto << 48;

		__builtin_memcpy((char *)k + PFC_KEY_TAIL, &w, sizeof(w));
	}
#else
	k->lo_port = pa;
	k->hi_port = pb;
	k->vlan_id = vlan;
	k->proto = proto;
	k->pad = 0;
#endif
}

void pfc_hash_key_from_rule(const hash_filtering_rule *r, struct pfc_hash_key *k)
{
	key_fill(k, r->vlan_id, r->proto, &r->host_peer_a, r->port_peer_a, &r->host_peer_b,
		 r->port_peer_b);
}

int pfc_hash_key_from_pkt(const struct pkt_parsing_info *p, struct pfc_hash_key *k)
{
	u_int16_t vlan = p->vlan_id == NO_VLAN ? 0 : p->vlan_id;

	if (p->ip_version != 4 && p->ip_version != 6)
		return -1;
	key_fill(k, vlan, p->l3_proto, &p->ip_src, p->l4_src_port, &p->ip_dst, p->l4_dst_port);
	return 0;
}

/* The key as five 64-bit words (pad is always zero). */
static void key_words(const struct pfc_hash_key *k, u_int64_t w[5])
{
	__builtin_memcpy(w, k, 40);
}

int pfc_hash_key_equal(const struct pfc_hash_key *a, const struct pfc_hash_key *b)
{
	u_int64_t x[5], y[5];

	key_words(a, x);
	key_words(b, y);
	return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) | (x[4] ^ y[4])) == 0;
}

/*
 * Five independent multiplies (they run in parallel), summed, then one
 * final avalanche: a few ns, and good enough spread for linear probing.
 */
u_int32_t pfc_hash_key_hash(const struct pfc_hash_key *k)
{
	u_int64_t w[5], h;

	key_words(k, w);
	h = (w[0] ^ 0x9E3779B97F4A7C15ull) * 0xbf58476d1ce4e5b9ull +
	    (w[1] ^ 0x94d049bb133111ebull) * 0x9E3779B97F4A7C15ull +
	    (w[2] ^ 0xbf58476d1ce4e5b9ull) * 0x94d049bb133111ebull +
	    (w[3] ^ 0xd6e8feb86659fd93ull) * 0xa0761d6478bd642full +
	    (w[4] ^ 0xa0761d6478bd642full) * 0xd6e8feb86659fd93ull;
	h ^= h >> 32;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 29;
	return (u_int32_t)h;
}

/* Does this action keep the packet from the application? */
static int action_filters(rule_action_behaviour a)
{
	return a == dont_forward_packet_and_stop_rule_evaluation ||
	       a == reflect_packet_and_stop_rule_evaluation ||
	       a == reflect_packet_and_continue_rule_evaluation ||
	       a == bounce_packet_and_stop_rule_evaluation ||
	       a == bounce_packet_and_continue_rule_evaluation;
}

/*
 * Applies one matched rule's action. *fwd is -1 (undecided), 0 or 1.
 * Returns 1 when evaluation stops.
 */
static int apply_action(const struct pfc_filter_input *in, const struct pkt_parsing_info *p,
			rule_action_behaviour a, u_int16_t rule_id,
			const filtering_rule_plugin_action *plugin, const char *reflector,
			int *fwd, struct pfc_verdict *v)
{
	const struct pfc_eval_ops *ops = in->ops;
	struct pfc_hash_key key;

	switch (a) {
	case forward_packet_and_stop_rule_evaluation:
		*fwd = 1;
		return 1;
	case dont_forward_packet_and_stop_rule_evaluation:
		*fwd = 0;
		return 1;
	case execute_action_and_continue_rule_evaluation:
	case execute_action_and_stop_rule_evaluation:
		if (ops && ops->plugin_action)
			ops->plugin_action(in->ops_ctx, plugin);
		return a == execute_action_and_stop_rule_evaluation;
	case forward_packet_add_rule_and_stop_rule_evaluation:
	case forward_packet_del_rule_and_stop_rule_evaluation:
		*fwd = 1;
		if (ops && ops->hash_rule && pfc_hash_key_from_pkt(p, &key) == 0)
			ops->hash_rule(in->ops_ctx,
				       a == forward_packet_add_rule_and_stop_rule_evaluation, &key,
				       rule_id);
		return 1;
	case reflect_packet_and_stop_rule_evaluation:
	case reflect_packet_and_continue_rule_evaluation:
	case bounce_packet_and_stop_rule_evaluation:
	case bounce_packet_and_continue_rule_evaluation:
		*fwd = 0;
		v->n_reflect++;
		if (ops && ops->reflect)
			ops->reflect(in->ops_ctx, reflector,
				     a == bounce_packet_and_stop_rule_evaluation ||
					     a == bounce_packet_and_continue_rule_evaluation);
		return a == reflect_packet_and_stop_rule_evaluation ||
		       a == bounce_packet_and_stop_rule_evaluation;
	}
	return 1;
}

int pfc_filter_eval(const struct pfc_filter_input *in, struct pkt_parsing_info *p,
		    const uint8_t *pkt, uint32_t caplen, struct pfc_verdict *v)
{
	int fwd = -1, stop = 0;
	u_int32_t i;

	v->forward = 0;
	v->matched = 0;
	v->last_matched_rule_id = 0;
	v->n_reflect = 0;

	if (in->hash_match) {
		struct pfc_hash_rule *h = in->hash_match;

		h->match++;
		h->last_match_sec = in->now_sec;
		if (action_filters(h->rule.rule_action))
			h->filtered++;
		v->matched = 1;
		v->last_matched_rule_id = h->rule.rule_id;
		stop = apply_action(in, p, h->rule.rule_action, h->rule.rule_id,
				    &h->rule.plugin_action, h->rule.reflector_device_name, &fwd, v);
	}

	for (i = 0; !stop && i < in->n_candidates; i++) {
		struct pfc_wc_rule *w = in->candidates[i];

		if (!pfc_wc_match(&w->rule, p, pkt, caplen))
			continue;
		if (w->rule.extended_fields.filter_plugin_id && in->ops && in->ops->filter_plugin &&
		    !in->ops->filter_plugin(in->ops_ctx, &w->rule))
			continue;
		w->match++;
		w->last_match_sec = in->now_sec;
		if (action_filters(w->rule.rule_action))
			w->filtered++;
		v->matched = 1;
		v->last_matched_rule_id = w->rule.rule_id;
		stop = apply_action(in, p, w->rule.rule_action, w->rule.rule_id,
				    &w->rule.plugin_action, w->rule.reflector_device_name, &fwd, v);
	}

	if (v->matched)
		p->last_matched_rule_id = v->last_matched_rule_id;
	if (fwd < 0)
		fwd = in->default_accept ? 1 : 0;
	v->forward = (u_int8_t)fwd;
	return fwd;
}

int pfc_sample(u_int32_t *counter, u_int32_t rate)
{
	u_int32_t n;

	if (rate <= 1)
		return 1;
	n = (*counter)++;
	if (*counter >= rate)
		*counter = 0;
	return n == 0;
}

int pfc_wc_rule_is_idle(const struct pfc_wc_rule *r, u_int64_t now_sec, u_int16_t inactivity_sec)
{
	if (r->rule.locked)
		return 0;
	return now_sec >= r->last_match_sec && now_sec - r->last_match_sec >= inactivity_sec;
}

int pfc_hash_rule_is_idle(const struct pfc_hash_rule *r, u_int64_t now_sec,
			  u_int16_t inactivity_sec)
{
	return now_sec >= r->last_match_sec && now_sec - r->last_match_sec >= inactivity_sec;
}
