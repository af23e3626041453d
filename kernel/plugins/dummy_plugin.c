// SPDX-License-Identifier: GPL-2.0
/*
 * dummy_plugin.c - the example plugin of guide chapter 10: a payload
 * filter (struct dummy_filter: a minimum packet length) and a rule action
 * that counts packets and bytes per rule, read back as the rule's
 * statistics (struct dummy_plugin_stats) together with how often the rule
 * life-cycle callbacks of 10.1 (add_rule, del_rule, purge_idle) ran.
 */
#include <linux/atomic.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "pf_ring_plugin.h"
#include "plugins/dummy_plugin.h"

static atomic64_t dummy_rules_added, dummy_rules_deleted, dummy_purge_calls;

static int dummy_filter_skb(const filtering_rule *rule, const struct pkt_parsing_info *p,
			    const struct sk_buff *skb)
{
	struct dummy_filter f;

	memcpy(&f, rule->extended_fields.filter_plugin_data, sizeof(f));
	return skb->len >= f.min_len;
}

static int dummy_handle_skb(struct pfr_plugin_rule *r, const struct pkt_parsing_info *p,
			    const struct sk_buff *skb)
{
	struct dummy_plugin_stats *st = *r->plugin_mem;

	if (!st) {
		/* softirq with the socket's lock held: atomic allocation */
		st = kzalloc(sizeof(*st), GFP_ATOMIC);
		if (!st)
			return -ENOMEM;
		*r->plugin_mem = st;
	}
	st->packets++;
	st->bytes += skb->len;
	return 0;
}

static int dummy_get_stats(struct pfr_plugin_rule *r, u8 *buf, u32 len)
{
	const struct dummy_plugin_stats *rule_st = *r->plugin_mem;
	struct dummy_plugin_stats st = { 0 };
	u32 n = min_t(u32, len, sizeof(st));

	if (rule_st) {
		st.packets = rule_st->packets;
		st.bytes = rule_st->bytes;
	}
	st.rules_added = atomic64_read(&dummy_rules_added);
	st.rules_deleted = atomic64_read(&dummy_rules_deleted);
	st.purge_idle_calls = atomic64_read(&dummy_purge_calls);
	memcpy(buf, &st, n);
	return n;
}

/* Refuses a length filter no Ethernet frame can pass. */
static int dummy_add_rule(struct pfr_plugin_rule *r)
{
	struct dummy_filter f;

	if (r->rule && r->rule->extended_fields.filter_plugin_id == DUMMY_PLUGIN_ID) {
		memcpy(&f, r->rule->extended_fields.filter_plugin_data, sizeof(f));
		if (f.min_len > DUMMY_MAX_MIN_LEN)
			return -EINVAL;
	}
	atomic64_inc(&dummy_rules_added);
	return 0;
}

static void dummy_del_rule(struct pfr_plugin_rule *r)
{
	atomic64_inc(&dummy_rules_deleted);
}

static void dummy_purge_idle(struct pfr_plugin_rule *r, u16 inactivity_sec)
{
	atomic64_inc(&dummy_purge_calls);
}

static void dummy_free_rule_mem(struct pfr_plugin_rule *r)
{
	kfree(*r->plugin_mem);
	*r->plugin_mem = NULL;
}

static const struct pfr_plugin_registration dummy_plugin = {
	.plugin_id = DUMMY_PLUGIN_ID,
	.name = "dummy",
	.description = "example: length filter, per-rule packet counter",
	.owner = THIS_MODULE,
	.filter_skb = dummy_filter_skb,
	.handle_skb = dummy_handle_skb,
	.get_stats = dummy_get_stats,
	.free_rule_mem = dummy_free_rule_mem,
	.add_rule = dummy_add_rule,
	.del_rule = dummy_del_rule,
	.purge_idle = dummy_purge_idle,
};

static int __init dummy_plugin_init(void)
{
	return pf_ring_register_plugin(&dummy_plugin);
}

static void __exit dummy_plugin_exit(void)
{
	pf_ring_unregister_plugin(DUMMY_PLUGIN_ID);
}

module_init(dummy_plugin_init);
module_exit(dummy_plugin_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("PF_RING dummy plugin (guide chapter 10)");
