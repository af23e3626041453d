/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dummy_plugin.h - what an application puts in a rule for the dummy plugin
 * and what it reads back. Freestanding, fixed-width: shared with user space.
 */
#ifndef PFR_DUMMY_PLUGIN_H
#define PFR_DUMMY_PLUGIN_H

#define DUMMY_PLUGIN_ID 1

/* In filtering_rule.extended_fields.filter_plugin_data (filter_plugin_id = 1). */
struct dummy_filter {
	u_int32_t min_len; /* the rule matches packets of at least min_len bytes */
};

/* A dummy_filter.min_len above this is refused (add_rule: EINVAL). */
#define DUMMY_MAX_MIN_LEN 65535

/* PFR_SO_GET_FILTERING_RULE_STATS of a rule with plugin_action.plugin_id = 1. */
struct dummy_plugin_stats {
	u_int64_t packets; /* packets the rule's action saw */
	u_int64_t bytes;
	/* since the plugin was loaded, over all sockets (guide 10.1 callbacks): */
	u_int64_t rules_added; /* add_rule accepted */
	u_int64_t rules_deleted; /* del_rule */
	u_int64_t purge_idle_calls; /* purge_idle */
};

#endif /* PFR_DUMMY_PLUGIN_H */
