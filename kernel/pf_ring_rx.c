// SPDX-License-Identifier: GPL-2.0
/*
 * pf_ring_rx.c - the capture path (guide chapter 7): one ETH_P_ALL packet
 * hook sees every packet of every namespace, received and
 * (enable_tx_capture) sent; with transparent_mode 1 or 2 an rx_handler on
 * each bound device takes the received ones instead. Each socket of the packet's namespace
 * filters it (device, direction, BPF, rules, sampling) and copies it into
 * its ring; a cluster hands each packet to one member.
 */
#include <linux/etherdevice.h>
#include <linux/filter.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ktime.h>
#include <net/ip.h>

#include "pf_ring_internal.h"

/* Binding and direction: the checks that need no lock. */
bool pfr_sock_wants(struct pfr_sock *ps, const struct pfr_pkt *pkt)
{
	u64 mask;
	u8 dir;

	if (!READ_ONCE(ps->active) || !smp_load_acquire(&ps->ring))
		return false;
	if (ps->ifindex && ps->ifindex != pkt->dev->ifindex)
		return false;
	/* all ones (the default) takes queues past 63 too */
	mask = READ_ONCE(ps->channel_mask);
	if (mask != ~0ULL && (pkt->queue >= 64 || !(mask & BIT_ULL(pkt->queue))))
		return false;
	dir = READ_ONCE(ps->direction);
	if (pkt->outgoing ? dir == rx_only_direction : dir == tx_only_direction)
		return false;
	return true;
}

/*
 * A VLAN tag the NIC or the stack moved into skb metadata is back in the
 * bytes rings and rules see (pfr_pkt_copy), and libpcap compiles programs
 * for those bytes: "vlan 5" reads the 802.1Q header at offset 12 (af_packet
 * relies on ancillary loads instead, which programs compiled offline by
 * pcap_compile lack). So a tagged packet is filtered on a clone with its
 * tag put back (pushing the tag unshares only the header): one allocation
 * per such packet, only while a program is attached. Returns 1 keep, 0
 * filter, -ENOMEM when no clone could be made.
 */
static int pfr_bpf_run_tagged(const struct bpf_prog *prog, const struct sk_buff *skb)
{
	struct sk_buff *c = skb_clone((struct sk_buff *)skb, GFP_ATOMIC);
	int keep;

	if (!c)
		return -ENOMEM;
	c = __vlan_hwaccel_push_inside(c); /* frees the clone on failure */
	if (!c)
		return -ENOMEM;
	keep = bpf_prog_run_clear_cb(prog, c) != 0;
	consume_skb(c);
	return keep;
}

/* The socket's SO_ATTACH_FILTER program: 1 keep, 0 filter, -ENOMEM. */
static int pfr_bpf_accept(struct pfr_sock *ps, struct sk_buff *skb)
{
	struct sk_filter *filter;
	int keep = 1;

	rcu_read_lock();
	filter = rcu_dereference(ps->sk.sk_filter);
	if (filter && skb_vlan_tag_present(skb) && dev_has_header(skb->dev))
		keep = pfr_bpf_run_tagged(filter->prog, skb);
	else if (filter)
		keep = bpf_prog_run_clear_cb(filter->prog, skb) != 0;
	rcu_read_unlock();
	return keep;
}

/*
 * Copies the packet into the next free slot; ps->lock held. User space maps
 * the ring writable: only ps->prod, never the shared header, says where
 * the slots are (src/core/ring.h, struct pfc_ring_producer).
 */
static void __pfr_ring_put(struct pfr_sock *ps, struct sk_buff *skb, const struct pfr_pkt *pkt)
{
	struct pfc_ring_producer *prod = &ps->prod;
	struct pfc_slot_hdr meta;
	u8 *data;
	u32 caplen;

	lockdep_assert_held(&ps->lock);
	if (!pfc_ring_producer_free(prod)) {
		pfc_ring_producer_drop(prod);
		ps->stats.drop++;
		return;
	}
	meta.timestamp_ns = skb->tstamp ? ktime_to_ns(skb->tstamp) : ktime_get_real_ns();
	meta.caplen = pkt->len;
	meta.len = pkt->len;
	meta.pkt_hash = skb->hash;
	meta.if_index = pkt->dev->ifindex;
	meta.queue = pkt->queue;
	meta.rx_direction = pkt->outgoing ? 0 : 1;
	meta.flags = 0;
	meta.reserved = 0;
	data = pfc_slot_write_hdr(prod, 0, &meta, &caplen);
	if (pfr_pkt_copy(pkt, skb, data, caplen)) {
		ps->stats.drop++;
		return;
	}
	pfc_ring_producer_commit(prod, 1);
	ps->stats.recv++;
}

/* Runs one socket's filters and stores the packet (pfr_sock_wants() passed). */
void pfr_deliver(struct pfr_sock *ps, struct sk_buff *skb, struct pfr_pkt *pkt)
{
	struct pfr_eval ev;
	bool wake = false;
	u32 sent;
	int keep;

	keep = pfr_bpf_accept(ps, skb);
	if (keep <= 0) {
		spin_lock(&ps->lock);
		if (keep < 0)
			ps->stats.drop++; /* no memory to filter it: lost, not filtered */
		else
			ps->stats.filtered++;
		spin_unlock(&ps->lock);
		return;
	}
	ev.ps = ps;
	ev.n_reflect = 0;
	spin_lock(&ps->lock);
	if (!__pfr_rules_accept(ps, skb, pkt, &ev)) {
		ps->stats.filtered++;
	} else if (!pfc_sample(&ps->sample_counter, ps->sampling_rate)) {
		ps->stats.sampled_out++;
	} else {
		__pfr_ring_put(ps, skb, pkt);
		wake = pfr_ring_queued(ps) >= READ_ONCE(ps->watermark);
	}
	spin_unlock(&ps->lock);
	if (wake && wq_has_sleeper(&ps->wq))
		wake_up_interruptible(&ps->wq);
	/*
	 * Sending re-enters this hook for the copy (as TX), so it happens
	 * without ps->lock; received packets only, so a copy is never
	 * reflected again.
	 */
	if (ev.n_reflect && !pkt->outgoing) {
		sent = pfr_reflect(ps, skb, pkt, &ev);
		spin_lock(&ps->lock);
		ps->stats.reflected += sent;
		spin_unlock(&ps->lock);
	}
}

/* Hands one packet to every socket and cluster of its namespace. */
static void __pfr_capture(struct sk_buff *skb, struct net_device *dev, bool outgoing)
{
	struct pfr_net *pn = pfr_net(dev_net(dev));
	u8 *skb_head = skb->data;
	unsigned int skb_len = skb->len;
	struct pfr_pkt *pkt, pkt_store;
	struct pfr_cluster *cl;
	struct pfr_sock *ps;

	pkt = &pkt_store;
	pkt->dev = dev;
	pkt->outgoing = outgoing;
	pkt->parsed = false;
	/* a sent skb's queue_mapping is its TX queue: sent packets count as queue 0 */
	pkt->queue = !outgoing && skb_rx_queue_recorded(skb) ? skb_get_rx_queue(skb) : 0;
	/*
	 * Received packets start at the network header; BPF and the ring
	 * want the MAC header, as af_packet does. Sent ones are there already.
	 */
	if (dev_has_header(dev) && skb_mac_header_was_set(skb))
		skb_push(skb, skb->data - skb_mac_header(skb));
	pkt->tag_len = 0;
	if (skb_vlan_tag_present(skb) && dev_has_header(dev) && skb->len >= ETH_HLEN) {
		pkt->tag_len = VLAN_HLEN;
		pkt->tag[0] = skb->vlan_proto;
		pkt->tag[1] = htons(skb_vlan_tag_get(skb));
	}
	pkt->len = skb->len + pkt->tag_len;

	rcu_read_lock();
	list_for_each_entry_rcu(ps, &pn->socks, node) {
		if (!READ_ONCE(ps->cluster) && pfr_sock_wants(ps, pkt))
			pfr_deliver(ps, skb, pkt);
	}
	list_for_each_entry_rcu(cl, &pn->clusters, node)
		pfr_cluster_deliver(cl, skb, pkt);
	rcu_read_unlock();

	/* the rx_handler passes skb on to the stack: always as it came */
	skb->data = skb_head;
	skb->len = skb_len;
}

/* Is skb (data at the network header) an IPv4 fragment? */
static bool pfr_is_ipv4_fragment(const struct sk_buff *skb)
{
	const struct iphdr *iph;
	struct iphdr buf;

	if (skb->protocol != htons(ETH_P_IP))
		return false;
	iph = skb_header_pointer(skb, skb_network_offset(skb), sizeof(buf), &buf);
	return iph && iph->version == 4 && ip_is_fragment(iph);
}

/*
 * enable_ip_defrag=1: a received IPv4 fragment goes into the kernel's
 * reassembly queues as a clone (the original goes on to the stack
 * untouched); the rings see nothing until the datagram is complete, then
 * the whole datagram once. The defrag user is af_packet's
 * (IP_DEFRAG_AF_PACKET): a capture tap's, for which an expired queue sends
 * no ICMP. Returns true when it took care of skb.
 */
/* An active socket of dev's namespace bound to dev or "any" (RCU list walk). */
static bool pfr_dev_wanted(struct net_device *dev)
{
	struct pfr_sock *ps;
	bool wanted = false;

	rcu_read_lock();
	list_for_each_entry_rcu(ps, &pfr_net(dev_net(dev))->socks, node) {
		if (READ_ONCE(ps->active) && (!ps->ifindex || ps->ifindex == dev->ifindex)) {
			wanted = true;
			break;
		}
	}
	rcu_read_unlock();
	return wanted;
}

static bool pfr_capture_defrag(struct sk_buff *skb, struct net_device *dev)
{
	struct sk_buff *whole;

	/* only fragments some ring wants go to the namespace's shared queues */
	if (!READ_ONCE(pfr_enable_ip_defrag) || !pfr_is_ipv4_fragment(skb) || !pfr_dev_wanted(dev))
		return false;
	whole = skb_clone(skb, GFP_ATOMIC);
	if (!whole)
		return true;
	whole = ip_check_defrag(dev_net(dev), whole, IP_DEFRAG_AF_PACKET);
	if (whole) {
		__pfr_capture(whole, dev, false);
		consume_skb(whole);
	}
	return true;
}

static void pfr_capture(struct sk_buff *skb, struct net_device *dev, bool outgoing)
{
	if (outgoing || !pfr_capture_defrag(skb, dev))
		__pfr_capture(skb, dev, outgoing);
}

/*
 * The ETH_P_ALL hook: every packet sent, and every packet received on a
 * device that has no pf_ring rx_handler (transparent_mode 0, or "any").
 */
static int pfr_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt,
		   struct net_device *orig_dev)
{
	bool outgoing = skb->pkt_type == PACKET_OUTGOING;

	/*
	 * A multicast/broadcast the host sent, looped back to it: captured
	 * already as sent, and its MAC header is the IP header (af_packet
	 * skips it too).
	 */
	if (skb->pkt_type == PACKET_LOOPBACK) {
		consume_skb(skb);
		return 0;
	}
	if (outgoing ? READ_ONCE(pfr_enable_tx_capture) : !pfr_dev_hooked(dev))
		pfr_capture(skb, dev, outgoing);
	consume_skb(skb);
	return 0;
}

/*
 * transparent_mode 1 and 2 on a bound device (guide chapter 7): the
 * device's rx_handler captures; mode 1 then passes the packet on to the
 * stack, mode 2 keeps it from the stack.
 */
rx_handler_result_t pfr_rx_handler(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;

	if (skb->pkt_type == PACKET_LOOPBACK)
		return RX_HANDLER_PASS; /* the host's own looped copy: see pfr_rcv */
	pfr_capture(skb, skb->dev, false);
	if (pfr_transparent_mode != 2)
		return RX_HANDLER_PASS;
	consume_skb(skb);
	return RX_HANDLER_CONSUMED;
}

static struct packet_type pfr_packet_type = {
	.type = cpu_to_be16(ETH_P_ALL),
	.func = pfr_rcv,
};

/*
 * The hook is registered only while a PF_RING socket exists, so a loaded
 * but unused pf_ring.ko costs nothing per packet (a registered ETH_P_ALL
 * tap also makes every sent skb be cloned for it). Counted under
 * pfr_cfg_mutex; dev_remove_pack() waits until no CPU runs the hook, so it
 * can be added again right after.
 */
static unsigned int pfr_rx_users;

void __pfr_rx_get(void)
{
	lockdep_assert_held(&pfr_cfg_mutex);
	if (pfr_rx_users++ == 0)
		dev_add_pack(&pfr_packet_type);
}

void __pfr_rx_put(void)
{
	lockdep_assert_held(&pfr_cfg_mutex);
	if (--pfr_rx_users == 0)
		dev_remove_pack(&pfr_packet_type);
}
