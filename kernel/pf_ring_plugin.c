// SPDX-License-Identifier: GPL-2.0
/*
 * pf_ring_plugin.c - the plugin registry (pf_ring_plugin.h, guide chapter
 * 10) and the calls the rule code makes into plugins.
 *
 * Registration is under pfr_plugin_mutex; the data path reads the table
 * under RCU. A rule naming a plugin pins its module (pfr_plugin_hold), so
 * every plugin a stored rule names stays registered while the rule exists.
 */
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>

#include "pf_ring_internal.h"
#include "pf_ring_plugin.h"

static DEFINE_MUTEX(pfr_plugin_mutex);
static const struct pfr_plugin_registration __rcu *pfr_plugins[PFR_MAX_PLUGIN_ID + 1];
static unsigned int pfr_nplugins;

int pf_ring_register_plugin(const struct pfr_plugin_registration *reg)
{
	int err = 0;

	if (!reg || !reg->plugin_id || reg->plugin_id > PFR_MAX_PLUGIN_ID || !reg->owner)
		return -EINVAL;
	mutex_lock(&pfr_plugin_mutex);
	if (rcu_access_pointer(pfr_plugins[reg->plugin_id])) {
		err = -EEXIST;
	} else {
		rcu_assign_pointer(pfr_plugins[reg->plugin_id], reg);
		pfr_nplugins++;
	}
	mutex_unlock(&pfr_plugin_mutex);
	if (!err)
		pr_info("PF_RING: plugin %u (%s) registered\n", reg->plugin_id,
			reg->name ? reg->name : "?");
	return err;
}
EXPORT_SYMBOL_GPL(pf_ring_register_plugin);

void pf_ring_unregister_plugin(u16 plugin_id)
{
	if (!plugin_id || plugin_id > PFR_MAX_PLUGIN_ID)
		return;
	mutex_lock(&pfr_plugin_mutex);
	if (rcu_access_pointer(pfr_plugins[plugin_id])) {
		RCU_INIT_POINTER(pfr_plugins[plugin_id], NULL);
		pfr_nplugins--;
	}
	mutex_unlock(&pfr_plugin_mutex);
	/* no data-path reader of the old registration is left after this */
	synchronize_rcu();
}
EXPORT_SYMBOL_GPL(pf_ring_unregister_plugin);

/*
 * A rule naming plugin id is being added: pins the plugin's module, then
 * lets the plugin accept the rule (add_rule). 0 for id 0; -ENOENT when the
 * plugin is absent, or what add_rule returned.
 */
int pfr_plugin_hold(u16 id, struct pfr_plugin_rule *pr)
{
	int (*add_rule)(struct pfr_plugin_rule *r) = NULL;
	const struct pfr_plugin_registration *reg;
	struct module *owner = NULL;
	int err;

	if (!id)
		return 0;
	if (id > PFR_MAX_PLUGIN_ID)
		return -ENOENT;
	rcu_read_lock();
	reg = rcu_dereference(pfr_plugins[id]);
	if (reg && try_module_get(reg->owner)) {
		owner = reg->owner;
		add_rule = reg->add_rule;
	}
	rcu_read_unlock();
	if (!owner)
		return -ENOENT;
	/* pinned: reg stays registered, and add_rule may sleep */
	err = add_rule ? add_rule(pr) : 0;
	if (err)
		module_put(owner);
	return err;
}

/*
 * Undoes pfr_plugin_hold(id, pr): the plugin forgets the rule (del_rule)
 * and, if it owns the rule's memory, frees it. The plugin is still
 * registered: the rule pinned it.
 */
void pfr_plugin_release(u16 id, struct pfr_plugin_rule *pr)
{
	const struct pfr_plugin_registration *reg;
	struct module *owner;

	if (!id || id > PFR_MAX_PLUGIN_ID)
		return;
	rcu_read_lock();
	reg = rcu_dereference(pfr_plugins[id]);
	if (!reg) {
		rcu_read_unlock();
		return;
	}
	if (reg->del_rule)
		reg->del_rule(pr);
	if (pr->plugin_mem && *pr->plugin_mem && reg->free_rule_mem)
		reg->free_rule_mem(pr);
	owner = reg->owner;
	rcu_read_unlock();
	module_put(owner);
}

static const struct pfr_plugin_registration *pfr_plugin_get(u16 id)
{
	return id && id <= PFR_MAX_PLUGIN_ID ? rcu_dereference(pfr_plugins[id]) : NULL;
}

/* pfc_eval_ops.filter_plugin: the payload filter of a wildcard rule. */
int pfr_plugin_filter(const struct pfr_eval *ev, const filtering_rule *rule)
{
	const struct pfr_plugin_registration *reg;
	int match = 1;

	rcu_read_lock();
	reg = pfr_plugin_get(rule->extended_fields.filter_plugin_id);
	if (reg && reg->filter_skb)
		match = reg->filter_skb(rule, &ev->pkt->info, ev->skb) > 0;
	rcu_read_unlock();
	return match;
}

/* pfc_eval_ops.plugin_action: the plugin of an execute_action_* rule. */
void pfr_plugin_action(const struct pfr_eval *ev, u16 id, struct pfr_plugin_rule *pr)
{
	const struct pfr_plugin_registration *reg;

	rcu_read_lock();
	reg = pfr_plugin_get(id);
	if (reg && reg->handle_skb)
		reg->handle_skb(pr, &ev->pkt->info, ev->skb);
	rcu_read_unlock();
}

/* An idle purge kept a rule with plugin action id: the plugin may age its state. */
void pfr_plugin_purge_idle(u16 id, struct pfr_plugin_rule *pr, u16 secs)
{
	const struct pfr_plugin_registration *reg;

	rcu_read_lock();
	reg = pfr_plugin_get(id);
	if (reg && reg->purge_idle)
		reg->purge_idle(pr, secs);
	rcu_read_unlock();
}

/* Statistics of a rule with plugin action id: bytes written, or -ENOENT. */
int pfr_plugin_stats(u16 id, struct pfr_plugin_rule *pr, u8 *buf, u32 len)
{
	const struct pfr_plugin_registration *reg;
	int n = -ENOENT;

	rcu_read_lock();
	reg = pfr_plugin_get(id);
	if (reg && reg->get_stats)
		n = reg->get_stats(pr, buf, len);
	rcu_read_unlock();
	return n < 0 ? n : min_t(int, n, len);
}

unsigned int pfr_plugin_count(void)
{
	return READ_ONCE(pfr_nplugins);
}

/* /proc/net/pf_ring/plugins_info */
int pfr_plugins_show(struct seq_file *m, void *v)
{
	const struct pfr_plugin_registration *reg;
	unsigned int id;

	seq_puts(m, "ID\tPlugin\n");
	rcu_read_lock();
	for (id = 1; id <= PFR_MAX_PLUGIN_ID; id++) {
		reg = rcu_dereference(pfr_plugins[id]);
		if (reg)
			seq_printf(m, "%u\t%s [%s]\n", id, reg->name ? reg->name : "?",
				   reg->description ? reg->description : "");
	}
	rcu_read_unlock();
	return 0;
}
