/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pf_ring_plugin.h - the plugin registration API of pf_ring.ko (guide
 * chapter 10), for plugin modules such as plugins/dummy_plugin.c.
 *
 * A plugin is a kernel module that registers a struct
 * pfr_plugin_registration with a unique id (1..PFR_MAX_PLUGIN_ID) and
 * unregisters it in its exit function. Rules name it by id:
 *  - extended_fields.filter_plugin_id: filter_skb() decides whether a
 *    wildcard rule whose header fields matched really matches (10.3);
 *  - plugin_action.plugin_id with an execute_action_* action:
 *    handle_skb() runs for every matching packet (10.2), and
 *    PFR_SO_GET_FILTERING_RULE_STATS returns what get_stats() writes (10.4).
 * A rule holds a reference on the plugin's module, so a plugin in use
 * cannot be unloaded. Around a rule's life (10.1):
 *  - add_rule() when a rule naming the plugin (as filter or action) is
 *    added, before it is stored; an error refuses the rule (setsockopt
 *    returns it). If storing fails afterwards (EEXIST), del_rule follows.
 *  - del_rule() when the rule goes: removed, purged as idle, its hash
 *    entry deleted by a forward_packet_del_rule action, or its socket
 *    closed; then free_rule_mem() if the plugin owns memory of the rule.
 *  - purge_idle() for each rule with this plugin as action that an idle
 *    purge (pfring_purge_idle_rules / _hash_rules) keeps.
 * A rule naming the plugin as filter and action is announced once.
 *
 * add_rule runs in process context and may sleep. filter_skb, handle_skb,
 * get_stats and purge_idle run with the socket's lock held (softirq or
 * BH disabled): no sleeping, GFP_ATOMIC only; del_rule and free_rule_mem
 * may too. Any member but plugin_id and owner may be NULL.
 */
#ifndef PF_RING_PLUGIN_H
#define PF_RING_PLUGIN_H

#include <linux/module.h>
#include <linux/skbuff.h>

#include "pfring_defs.h"

#define PFR_MAX_PLUGIN_ID 255

/* The rule a plugin is called for: exactly one of rule and hash_rule is set. */
struct pfr_plugin_rule {
	const filtering_rule *rule;
	const hash_filtering_rule *hash_rule;
	/*
	 * The action plugin's per-rule memory, *plugin_mem NULL at first;
	 * plugin_mem itself is NULL for a plugin that is only the rule's filter.
	 */
	void **plugin_mem;
};

struct pfr_plugin_registration {
	u16 plugin_id;
	const char *name;
	const char *description;
	struct module *owner; /* THIS_MODULE */
	/* 1: the packet passes the rule's payload filter, 0: it does not */
	int (*filter_skb)(const filtering_rule *rule, const struct pkt_parsing_info *p,
			  const struct sk_buff *skb);
	/* a packet matched a rule whose action is this plugin's; 0 or -errno */
	int (*handle_skb)(struct pfr_plugin_rule *r, const struct pkt_parsing_info *p,
			  const struct sk_buff *skb);
	/* writes the rule's statistics into buf; returns the bytes written */
	int (*get_stats)(struct pfr_plugin_rule *r, u8 *buf, u32 len);
	/* the rule goes away: free *r->plugin_mem */
	void (*free_rule_mem)(struct pfr_plugin_rule *r);
	/* a rule naming this plugin is added: 0 accepts it, -errno refuses it */
	int (*add_rule)(struct pfr_plugin_rule *r);
	/* a rule add_rule accepted goes away */
	void (*del_rule)(struct pfr_plugin_rule *r);
	/* an idle purge kept this action rule: drop state idle for inactivity_sec */
	void (*purge_idle)(struct pfr_plugin_rule *r, u16 inactivity_sec);
};

/* 0, -EINVAL (bad id or owner), -EEXIST (id taken). */
int pf_ring_register_plugin(const struct pfr_plugin_registration *reg);
void pf_ring_unregister_plugin(u16 plugin_id);

#endif /* PF_RING_PLUGIN_H */
