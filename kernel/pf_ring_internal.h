/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pf_ring_internal.h - private state of pf_ring.ko.
 *
 * Glossary
 *  pfr_sock     one PF_RING socket: its ring, filters, statistics
 *  pfr_net      per network namespace: its sockets, clusters, /proc dir
 *  pfr_cluster  sockets sharing one cluster id; each packet goes to one
 *  pfr_pkt      what the receive hook learns about one packet, once
 *
 * Locks
 *  pfr_cfg_mutex  every configuration change: socket lists, clusters,
 *                 ring creation, /proc entries. Functions named __pfr_*
 *                 expect it held (lockdep_assert_held).
 *  ps->lock       the data path of one socket: ring production, rules,
 *                 counters. Taken in softirq, so _bh from process context.
 *  RCU            the receive hook walks pn->socks and pn->clusters.
 */
#ifndef PF_RING_INTERNAL_H
#define PF_RING_INTERNAL_H

#include <linux/if.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/sock.h>
#include <linux/seq_file.h>

#include "ring.h"
#include "rules.h"
#include "parse.h"
#include "cluster.h"
#include "pf_ring_kabi.h"

#define PFR_HASH_BUCKETS 64
/* Bytes of a packet copied for the parser (headers; payload patterns see these only). */
#define PFR_PARSE_BYTES 256
/* Largest ring one socket may allocate. */
#define PFR_MAX_RING_BYTES (256u << 20)
#define PFR_DEFAULT_BUCKET_LEN 1536u

/* Module parameters (pf_ring_main.c). */
extern unsigned int pfr_min_num_slots;
extern unsigned int pfr_enable_tx_capture;
extern unsigned int pfr_enable_ip_defrag;
extern unsigned int pfr_quick_mode;
extern unsigned int pfr_transparent_mode;

extern struct mutex pfr_cfg_mutex;
extern unsigned int pfr_net_id;

struct pfr_hash_entry {
	struct hlist_node node;
	struct pfc_hash_key key;
	struct pfc_hash_rule r;
	void *plugin_mem; /* owned by the plugin of r.rule.plugin_action */
};

/* A wildcard rule as pf_ring stores it; ps->wc points at the r members. */
struct pfr_wc_rule {
	struct pfc_wc_rule r;
	void *plugin_mem; /* owned by the plugin of r.rule.plugin_action */
};

struct pfr_sock {
	struct sock sk; /* first: sk_alloc() allocates a pfr_sock */
	struct list_head node; /* pfr_net.socks, RCU */
	u32 id; /* unique, names the /proc file */
	pid_t pid;
	char appl_name[PFR_APPL_NAME_LEN];

	/* binding: ifindex 0 with bound set means "any" */
	bool bound;
	int ifindex;
	char dev_name[PFR_DEVNAME_LEN];
	u8 dev_addr[ETH_ALEN];

	/* the ring; fixed once created (it may be mapped) */
	struct pfc_ring_hdr *ring;
	u64 ring_bytes;
	u32 req_slots, bucket_len;

	/* options read by the receive hook without ps->lock */
	bool active;
	u8 direction; /* packet_direction */
	u64 channel_mask; /* RX queues captured (PFR_SO_SET_CHANNEL_MASK) */
	u32 watermark;
	struct pfr_cluster *cluster;
	struct pfr_hook *hook; /* transparent_mode 1/2: the bound device's rx_handler */

	/* below: under ps->lock */
	spinlock_t lock;
	struct pfc_ring_producer prod; /* trusted geometry and insert index */
	u32 sampling_rate, sample_counter;
	u8 default_accept;
	struct pfc_wc_rule **wc; /* sorted by rule_id */
	u32 n_wc;
	u32 n_hash;
	struct hlist_head hash[PFR_HASH_BUCKETS];
	struct pfr_stats stats;

	wait_queue_head_t wq;
	struct proc_dir_entry *proc;
};

static inline struct pfr_sock *pfr_sk(struct sock *sk)
{
	return container_of(sk, struct pfr_sock, sk);
}

/* Packets waiting in the ring (the ring exists); from trusted values and remove_idx. */
static inline u32 pfr_ring_queued(const struct pfr_sock *ps)
{
	return ps->prod.num_slots - pfc_ring_producer_free(&ps->prod);
}

struct pfr_cluster {
	struct list_head node; /* pfr_net.clusters, RCU */
	struct rcu_head rcu;
	u32 id;
	u32 type;
	u32 n; /* members[0..n) */
	struct pfr_sock *members[PFR_CLUSTER_MAX_MEMBERS];
	atomic_t rr;
};

struct pfr_net {
	struct list_head socks;
	struct list_head clusters;
	struct proc_dir_entry *proc_dir;
	u32 nsocks;
};

static inline struct pfr_net *pfr_net(const struct net *net)
{
	return net_generic(net, pfr_net_id);
}

/* A reflect/bounce action the rules asked for, run after ps->lock is dropped. */
#define PFR_MAX_REFLECT 4
struct pfr_reflect_req {
	char dev[REFLECTOR_NAME_LEN + 1]; /* "" for the receiving device */
	bool bounce; /* swap the MAC addresses */
};

/* One socket's evaluation of one packet. */
struct pfr_eval {
	struct pfr_sock *ps;
	struct sk_buff *skb;
	struct pfr_pkt *pkt;
	struct pfr_hash_entry *hash_match;
	u8 n_reflect;
	struct pfr_reflect_req reflect[PFR_MAX_REFLECT];
};

struct pfr_pkt {
	struct net_device *dev;
	bool outgoing;
	u16 queue; /* RX queue; 0 when unknown or sent */
	u32 len; /* bytes as on the wire: from the MAC header on, VLAN tag included */
	/* the VLAN tag the driver or the stack took out of the frame (skb_vlan_tag_present) */
	u8 tag_len; /* 0 or VLAN_HLEN */
	__be16 tag[2]; /* TPID, TCI */
	bool parsed;
	u32 hdr_len;
	struct pkt_parsing_info info;
	u8 hdr[PFR_PARSE_BYTES];
};

/* pf_ring_rx.c */
/* A socket is created / released (pfr_cfg_mutex held): the ETH_P_ALL hook lives while one exists. */
void __pfr_rx_get(void);
void __pfr_rx_put(void);
void pfr_pkt_parse(struct pfr_pkt *pkt, const struct sk_buff *skb);
int pfr_pkt_copy(const struct pfr_pkt *pkt, const struct sk_buff *skb, void *to, u32 n);
bool pfr_sock_wants(struct pfr_sock *ps, const struct pfr_pkt *pkt);
void pfr_deliver(struct pfr_sock *ps, struct sk_buff *skb, struct pfr_pkt *pkt);

/* pf_ring_rules.c */
int pfr_rule_add(struct pfr_sock *ps, const filtering_rule *r);
int pfr_rule_remove(struct pfr_sock *ps, u16 rule_id);
int pfr_hash_rule_add(struct pfr_sock *ps, const hash_filtering_rule *r);
int pfr_hash_rule_remove(struct pfr_sock *ps, const hash_filtering_rule *r);
int pfr_rule_stats(struct pfr_sock *ps, u16 rule_id, void *buf, u32 len);
int pfr_hash_rule_stats(struct pfr_sock *ps, const hash_filtering_rule *rule, void *buf, u32 len);
int pfr_rules_purge_idle(struct pfr_sock *ps, u16 secs);
void pfr_hash_rules_purge_idle(struct pfr_sock *ps, u16 secs);
bool __pfr_rules_accept(struct pfr_sock *ps, struct sk_buff *skb, struct pfr_pkt *pkt,
			struct pfr_eval *ev);
void pfr_rules_free(struct pfr_sock *ps);

/* pf_ring_hook.c: rx_handlers of transparent_mode 1 and 2 */
struct pfr_hook;
rx_handler_result_t pfr_rx_handler(struct sk_buff **pskb);
int pfr_hook_init(void);
void pfr_hook_exit(void);
struct pfr_hook *pfr_hook_get(struct net *net, int ifindex);
void pfr_hook_put(struct pfr_hook *h);
static inline bool pfr_dev_hooked(const struct net_device *dev)
{
	return rcu_access_pointer(dev->rx_handler) == pfr_rx_handler;
}

/* pf_ring_plugin.c */
struct pfr_plugin_rule;
int pfr_plugin_hold(u16 id, struct pfr_plugin_rule *pr);
void pfr_plugin_release(u16 id, struct pfr_plugin_rule *pr);
void pfr_plugin_purge_idle(u16 id, struct pfr_plugin_rule *pr, u16 secs);
int pfr_plugin_filter(const struct pfr_eval *ev, const filtering_rule *rule);
void pfr_plugin_action(const struct pfr_eval *ev, u16 id, struct pfr_plugin_rule *pr);
int pfr_plugin_stats(u16 id, struct pfr_plugin_rule *pr, u8 *buf, u32 len);
unsigned int pfr_plugin_count(void);
int pfr_plugins_show(struct seq_file *m, void *v);

/* pf_ring_tx.c */
u32 pfr_reflect(struct pfr_sock *ps, struct sk_buff *skb, const struct pfr_pkt *pkt,
		const struct pfr_eval *ev);
int pfr_sendmsg(struct socket *sock, struct msghdr *msg, size_t len);

/* pf_ring_cluster.c */
int __pfr_cluster_join(struct pfr_sock *ps, u32 id, u32 type);
void __pfr_cluster_leave(struct pfr_sock *ps);
void pfr_cluster_deliver(struct pfr_cluster *cl, struct sk_buff *skb, struct pfr_pkt *pkt);

/* pf_ring_proc.c */
int pfr_proc_net_init(struct net *net);
void pfr_proc_net_exit(struct net *net);
void __pfr_proc_sock_add(struct pfr_sock *ps);
void __pfr_proc_sock_remove(struct pfr_sock *ps);

#endif /* PF_RING_INTERNAL_H */
