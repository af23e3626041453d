/*
 * rules.h - wildcard and hash rule semantics (guide 8.10, 8.12, chapter 11),
 * shared by pf_ring.ko and libpfring. Freestanding C11: the caller owns the
 * rule storage and any index over it; this file decides what a rule
 * matches, in which order rules act, what each action does, and the
 * default policy.
 *
 * Evaluation order (the model in tests/model/ is the executable spec):
 *  1. The hash rule with the packet's 6-tuple, if any (both directions).
 *  2. Wildcard rules in increasing rule_id order.
 *  Each matching rule counts the match and applies its action:
 *   forward_packet_and_stop            deliver; stop
 *   dont_forward_packet_and_stop       do not deliver; stop
 *   execute_action_and_continue        run the plugin action; go on
 *   execute_action_and_stop            run the plugin action; stop
 *   forward_packet_add_rule_and_stop   deliver; add a hash rule for the
 *                                      packet's 6-tuple; stop
 *   forward_packet_del_rule_and_stop   deliver; remove that hash rule; stop
 *   reflect_packet_and_{stop,continue} send the packet as is on the rule's
 *                                      reflector device; do not deliver
 *   bounce_packet_and_{stop,continue}  send it back with MACs swapped;
 *                                      do not deliver
 *  3. If no action decided delivery, the default policy decides
 *     (accept unless pfring_toggle_filtering_policy(ring, 0)).
 */
#ifndef PFC_RULES_H
#define PFC_RULES_H

#include "pfring_defs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A wildcard rule as the engine stores it: the rule plus its statistics. */
struct pfc_wc_rule {
	filtering_rule rule;
	u_int64_t match; /* packets that matched */
	u_int64_t filtered; /* matched packets this rule's action kept away */
	u_int64_t last_match_sec; /* caller's clock at the last match (or add) */
};

/* A hash rule as the engine stores it. */
struct pfc_hash_rule {
	hash_filtering_rule rule;
	u_int64_t match;
	u_int64_t filtered;
	u_int64_t last_match_sec;
};

/*
 * Canonical 6-tuple of a hash rule or a packet: the two endpoints are
 * ordered so that both directions give the same key.
 */
struct pfc_hash_key {
	ip_addr lo_host, hi_host;
	u_int16_t lo_port, hi_port;
	u_int16_t vlan_id;
	u_int8_t proto;
	u_int8_t pad;
};

/* What the engine asks the caller to do beyond delivery. */
struct pfc_eval_ops {
	/* Send the packet on rule_dev (reflect) or back with MACs swapped (bounce). */
	void (*reflect)(void *ctx, const char *reflector_device_name, int bounce);
	/* add != 0: add a hash rule for the packet's tuple with this rule id; 0: remove it. */
	void (*hash_rule)(void *ctx, int add, const struct pfc_hash_key *key, u_int16_t rule_id);
	/* execute_action_*: the rule's plugin action. */
	void (*plugin_action)(void *ctx, const filtering_rule_plugin_action *action);
	/*
	 * A wildcard rule with extended_fields.filter_plugin_id set matched on
	 * its other fields: does that plugin's filter (guide 10.3) accept the
	 * packet? 1 yes, 0 no (the rule does not match). NULL: it matches.
	 */
	int (*filter_plugin)(void *ctx, const filtering_rule *rule);
};

/* Input of one evaluation. */
struct pfc_filter_input {
	struct pfc_hash_rule *hash_match; /* the hash rule with the packet's key, or NULL */
	struct pfc_wc_rule *const *candidates; /* wildcard rules that may match, by rule_id */
	u_int32_t n_candidates;
	u_int8_t default_accept; /* 1 accept, 0 drop */
	u_int64_t now_sec;
	const struct pfc_eval_ops *ops; /* may be NULL; so may each member */
	void *ops_ctx;
};

/* Result of one evaluation. */
struct pfc_verdict {
	u_int8_t forward; /* 1: deliver to the application */
	u_int8_t matched; /* 1: at least one rule matched */
	u_int16_t last_matched_rule_id;
	u_int16_t n_reflect; /* reflect/bounce actions performed */
};

/*
 * Checks a rule before it is stored. Returns 0, or -1 when the action is
 * out of range or a port range has low > high.
 */
int pfc_wc_rule_validate(const filtering_rule *r);

/*
 * Does wildcard rule r match the parsed packet? pkt/caplen are needed for
 * the payload pattern only. Returns 1 or 0.
 */
int pfc_wc_match(const filtering_rule *r, const struct pkt_parsing_info *p,
		 const uint8_t *pkt, uint32_t caplen);

/* Key of hash rule r. */
void pfc_hash_key_from_rule(const hash_filtering_rule *r, struct pfc_hash_key *k);

/* Key of the parsed packet. Returns 0, or -1 for a non-IP packet (no key). */
int pfc_hash_key_from_pkt(const struct pkt_parsing_info *p, struct pfc_hash_key *k);

/* 1 when the keys are equal. */
int pfc_hash_key_equal(const struct pfc_hash_key *a, const struct pfc_hash_key *b);

/* 32-bit hash of a key for bucket selection. */
u_int32_t pfc_hash_key_hash(const struct pfc_hash_key *k);

/*
 * Runs hash and wildcard rules on the parsed packet (see the top of this
 * file), updates the matched rules' statistics and p->last_matched_rule_id,
 * calls in->ops for side effects, and fills v. Returns v->forward.
 */
int pfc_filter_eval(const struct pfc_filter_input *in, struct pkt_parsing_info *p,
		    const uint8_t *pkt, uint32_t caplen, struct pfc_verdict *v);

/*
 * Sampling (guide 8.9): of the packets that passed the filters, delivers
 * the 1st, the (rate+1)th, ... *counter counts them; rate <= 1 delivers
 * all. Returns 1 to deliver, 0 to drop.
 */
int pfc_sample(u_int32_t *counter, u_int32_t rate);

/* 1 when the rule is idle for at least inactivity_sec at now_sec and not locked. */
int pfc_wc_rule_is_idle(const struct pfc_wc_rule *r, u_int64_t now_sec, u_int16_t inactivity_sec);
int pfc_hash_rule_is_idle(const struct pfc_hash_rule *r, u_int64_t now_sec,
			  u_int16_t inactivity_sec);

/* Balance hash of guide chapter 11: hash(proto, sip, sport, dip, dport), symmetric. */
u_int32_t pfc_balance_hash(const struct pkt_parsing_info *p);

#ifdef __cplusplus
}
#endif

#endif /* PFC_RULES_H */
