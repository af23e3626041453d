// SPDX-License-Identifier: GPL-2.0
/*
 * pf_ring_tx.c - packets pf_ring.ko sends: the reflect and bounce rule
 * actions (guide chapter 11). Reflect sends the packet unchanged on the
 * rule's reflector device; bounce sends it with the MAC addresses swapped,
 * on the reflector device or, when the rule names none, back out of the
 * device it came in on.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/netdevice.h>

#include "pf_ring_internal.h"

/* Sends one copy of skb (data at the MAC header); true when queued. */
static bool pfr_reflect_one(struct pfr_sock *ps, struct sk_buff *skb, const struct pfr_pkt *pkt,
			    const struct pfr_reflect_req *rq)
{
	struct net_device *dev = pkt->dev;
	struct sk_buff *nskb;
	struct ethhdr *eh;
	u8 tmp[ETH_ALEN];

	if (rq->dev[0]) {
		dev = dev_get_by_name_rcu(sock_net(&ps->sk), rq->dev);
		if (!dev)
			return false;
	}
	if (!(dev->flags & IFF_UP) || dev->type != ARPHRD_ETHER || pkt->len < ETH_HLEN ||
	    pkt->len > dev->mtu + dev->hard_header_len)
		return false;
	nskb = skb_copy(skb, GFP_ATOMIC);
	if (!nskb)
		return false;
	eh = (struct ethhdr *)nskb->data;
	if (rq->bounce) {
		ether_addr_copy(tmp, eh->h_dest);
		ether_addr_copy(eh->h_dest, eh->h_source);
		ether_addr_copy(eh->h_source, tmp);
	}
	/* a received buffer: forget what the RX path knew about it */
	memset(nskb->cb, 0, sizeof(nskb->cb));
	nskb->tstamp = 0;
	nskb->ip_summed = CHECKSUM_NONE;
	nskb->dev = dev;
	nskb->protocol = eh->h_proto;
	skb_reset_mac_header(nskb);
	skb_set_network_header(nskb, ETH_HLEN);
	return dev_queue_xmit(nskb) == NET_XMIT_SUCCESS;
}

u32 pfr_reflect(struct pfr_sock *ps, struct sk_buff *skb, const struct pfr_pkt *pkt,
		const struct pfr_eval *ev)
{
	u32 i, sent = 0;

	rcu_read_lock();
	for (i = 0; i < ev->n_reflect; i++)
		sent += pfr_reflect_one(ps, skb, pkt, &ev->reflect[i]);
	rcu_read_unlock();
	return sent;
}
