/*
 * hwrule.c - in-NIC filters (hwrule.h).
 */
#include "hwrule.h"

int pfc_hw_rule_supported(const hw_filtering_rule *r)
{
	return r->rule_family_type == intel_82599_five_tuple_rule ||
	       r->rule_family_type == intel_82599_perfect_filter_hash_rule;
}

/* Zero matches anything. */
static int field_ok(u_int32_t rule, u_int32_t pkt)
{
	return rule == 0 || rule == pkt;
}

static int tuple_match(u_int8_t proto, u_int32_t s_addr, u_int32_t d_addr, u_int16_t s_port, u_int16_t d_port,
		       const struct pkt_parsing_info *p)
{
	if (p->ip_version != 4)
		return 0;
	return field_ok(proto, p->l3_proto) && field_ok(s_addr, p->ip_src.v4) && field_ok(d_addr, p->ip_dst.v4) &&
	       field_ok(s_port, p->l4_src_port) && field_ok(d_port, p->l4_dst_port);
}

int pfc_hw_rule_match(const hw_filtering_rule *r, const struct pkt_parsing_info *p)
{
	if (r->rule_family_type == intel_82599_five_tuple_rule) {
		const intel_82599_five_tuple_filter_hw_rule *f = &r->rule_family.five_tuple_rule;

		return tuple_match(f->proto, f->s_addr, f->d_addr, f->s_port, f->d_port, p);
	}
	if (r->rule_family_type == intel_82599_perfect_filter_hash_rule) {
		const intel_82599_perfect_filter_hw_rule *f = &r->rule_family.perfect_rule;
		u_int16_t vlan = p->vlan_id == NO_VLAN ? 0 : p->vlan_id;

		return field_ok(f->vlan_id, vlan) && tuple_match(f->proto, f->s_addr, f->d_addr, f->s_port, f->d_port, p);
	}
	return 0;
}

u_int16_t pfc_hw_rule_queue(const hw_filtering_rule *r)
{
	return r->rule_family_type == intel_82599_perfect_filter_hash_rule ? r->rule_family.perfect_rule.queue_id
									    : r->rule_family.five_tuple_rule.queue_id;
}

int pfc_hw_steer(const hw_filtering_rule *rules, u_int32_t n, const struct pkt_parsing_info *p, u_int32_t rss_queue,
		 u_int32_t num_queues, u_int32_t *queue)
{
	u_int32_t i;

	for (i = 0; i < n; i++) {
		if (pfc_hw_rule_match(&rules[i], p)) {
			*queue = pfc_hw_rule_queue(&rules[i]);
			return *queue < num_queues;
		}
	}
	*queue = rss_queue;
	return 1;
}
