// SPDX-License-Identifier: GPL-2.0
/*
 * dummy_plugin.c - the example plugin of guide chapter 10: a payload
 * filter (struct dummy_filter: a minimum packet length) and a rule action
 * that counts packets and bytes per rule, read back as the rule's
 * statistics (struct dummy_plugin_stats).
 */
#include <linux/module.h>
#include <linux/slab.h>

#include "pf_ring_plugin.h"
#include "plugins/dummy_plugin.h"

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
	struct dummy_plugin_stats zero = { 0, 0 };
	const struct dummy_plugin_stats *st = *r->plugin_mem ? *r->plugin_mem : &zero;
	u32 n = min_t(u32, len, sizeof(*st));

	memcpy(buf, st, n);
	return n;
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
