// SPDX-License-Identifier: GPL-2.0
/*
 * pf_ring_proc.c - /proc/net/pf_ring (guide 7.1): "info" with the module
 * configuration, "plugins_info" (pf_ring_plugin.c), and one file per bound
 * socket named <pid>-<device>.<id>.
 * Each network namespace has its own directory listing its own sockets.
 *
 * The show functions never take pfr_cfg_mutex: removing an entry waits
 * for running shows, and removal happens under that mutex.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "pf_ring_internal.h"

static int pfr_info_show(struct seq_file *m, void *v)
{
	struct pfr_net *pn = m->private;

	seq_printf(m, "Version             : %s\n", RING_VERSION);
	seq_printf(m, "Ring slots          : %u\n", pfr_min_num_slots);
	seq_printf(m, "Slot version        : %u\n", PFC_RING_VERSION);
	seq_printf(m, "Capture TX          : %s\n",
		   pfr_enable_tx_capture ? "Yes [RX+TX]" : "No [RX only]");
	seq_printf(m, "IP Defragment       : %s\n", pfr_enable_ip_defrag ? "Yes" : "No");
	seq_printf(m, "Socket Mode         : %s\n", pfr_quick_mode ? "Quick" : "Standard");
	seq_printf(m, "Transparent mode    : %s (mode %u)\n",
		   pfr_transparent_mode == 2 ? "No" : "Yes", pfr_transparent_mode);
	seq_printf(m, "Total rings         : %u\n", READ_ONCE(pn->nsocks));
	seq_printf(m, "Total plugins       : %u\n", pfr_plugin_count());
	return 0;
}

static const char *const pfr_direction_names[] = {
	[rx_and_tx_direction] = "RX+TX",
	[rx_only_direction] = "RX only",
	[tx_only_direction] = "TX only",
};

static int pfr_sock_show(struct seq_file *m, void *v)
{
	struct pfr_sock *ps = m->private;
	struct pfc_ring_hdr *r = smp_load_acquire(&ps->ring);
	char appl[PFR_APPL_NAME_LEN];
	struct pfr_cluster *cl;
	u32 sampling, nwc, nhash, cluster_id = 0;
	struct pfr_stats st;
	u8 accept, dir;

	spin_lock_bh(&ps->lock);
	memcpy(appl, ps->appl_name, sizeof(appl));
	st = ps->stats;
	sampling = ps->sampling_rate;
	nwc = ps->n_wc;
	nhash = ps->n_hash;
	accept = ps->default_accept;
	spin_unlock_bh(&ps->lock);
	rcu_read_lock();
	cl = READ_ONCE(ps->cluster);
	if (cl)
		cluster_id = cl->id;
	rcu_read_unlock();
	dir = READ_ONCE(ps->direction);

	seq_printf(m, "Bound Device        : %s\n", ps->dev_name);
	seq_printf(m, "Slot Version        : %u [%s]\n", PFC_RING_VERSION, RING_VERSION);
	seq_printf(m, "Active              : %d\n", READ_ONCE(ps->active) ? 1 : 0);
	seq_printf(m, "Sampling Rate       : %u\n", sampling);
	seq_printf(m, "Appl. Name          : %s\n", appl);
	seq_printf(m, "PID                 : %d\n", ps->pid);
	seq_printf(m, "IP Defragment       : %s\n", pfr_enable_ip_defrag ? "Yes" : "No");
	seq_printf(m, "Transparent Hook    : %s\n", READ_ONCE(ps->hook) ? "rx_handler" : "packet hook");
	seq_printf(m, "Capture Direction   : %s\n",
		   dir < ARRAY_SIZE(pfr_direction_names) ? pfr_direction_names[dir] : "?");
	if (cl)
		seq_printf(m, "Cluster Id          : %u\n", cluster_id);
	else
		seq_puts(m, "Cluster Id          : none\n");
	seq_printf(m, "Filtering Policy    : %s\n", accept ? "Accept" : "Drop");
	seq_printf(m, "Wildcard Rules      : %u\n", nwc);
	seq_printf(m, "Hash Rules          : %u\n", nhash);
	seq_printf(m, "Poll Watermark      : %u\n", READ_ONCE(ps->watermark));
	if (r) {
		seq_printf(m, "Num Slots           : %u\n", ps->prod.num_slots);
		seq_printf(m, "Slot Len            : %u\n", ps->prod.slot_size);
		seq_printf(m, "Tot Memory          : %llu\n", (unsigned long long)ps->ring_bytes);
		seq_printf(m, "Queued Packets      : %u\n", pfr_ring_queued(ps));
	} else {
		seq_puts(m, "Num Slots           : 0 (ring not created)\n");
	}
	seq_printf(m, "Tot Packets         : %llu\n", (unsigned long long)st.recv);
	seq_printf(m, "Tot Pkt Lost        : %llu\n", (unsigned long long)st.drop);
	seq_printf(m, "Tot Filtered        : %llu\n", (unsigned long long)st.filtered);
	seq_printf(m, "Tot Sampled Out     : %llu\n", (unsigned long long)st.sampled_out);
	seq_printf(m, "Tot Reflected       : %llu\n", (unsigned long long)st.reflected);
	return 0;
}

int pfr_proc_net_init(struct net *net)
{
	struct pfr_net *pn = pfr_net(net);

	pn->proc_dir = proc_mkdir("pf_ring", net->proc_net);
	if (!pn->proc_dir)
		return -ENOMEM;
	if (!proc_create_single_data("info", 0444, pn->proc_dir, pfr_info_show, pn) ||
	    !proc_create_single("plugins_info", 0444, pn->proc_dir, pfr_plugins_show)) {
		remove_proc_subtree("pf_ring", net->proc_net);
		pn->proc_dir = NULL;
		return -ENOMEM;
	}
	return 0;
}

void pfr_proc_net_exit(struct net *net)
{
	remove_proc_subtree("pf_ring", net->proc_net);
}

/* Called at bind: the name carries the device. */
void __pfr_proc_sock_add(struct pfr_sock *ps)
{
	struct pfr_net *pn = pfr_net(sock_net(&ps->sk));
	char name[64];

	lockdep_assert_held(&pfr_cfg_mutex);
	if (ps->proc || !pn->proc_dir)
		return;
	snprintf(name, sizeof(name), "%d-%s.%u", ps->pid, ps->dev_name, ps->id);
	/* a missing /proc file is not worth failing the bind for */
	ps->proc = proc_create_single_data(name, 0444, pn->proc_dir, pfr_sock_show, ps);
}

void __pfr_proc_sock_remove(struct pfr_sock *ps)
{
	lockdep_assert_held(&pfr_cfg_mutex);
	proc_remove(ps->proc);
	ps->proc = NULL;
}
