// SPDX-License-Identifier: GPL-2.0
/*
 * pf_ring_tx.c - packets pf_ring.ko sends: the reflect and bounce rule
 * actions (guide chapter 11) and send() on a socket (pfring_send, guide
 * 8.8). Reflect sends the packet unchanged on the rule's reflector device;
 * bounce sends it with the MAC addresses swapped, on the reflector device
 * or, when the rule names none, back out of the device it came in on.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_vlan.h>
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
	/* skb->len: a VLAN tag in skb metadata is the device's to insert */
	/* pkt->dev: the frame must have come with an Ethernet header to swap MACs in */
	if (!(dev->flags & IFF_UP) || dev->type != ARPHRD_ETHER || !dev_has_header(pkt->dev) ||
	    pkt->dev->type != ARPHRD_ETHER || skb->len < ETH_HLEN ||
	    skb->len > dev->mtu + dev->hard_header_len)
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

/*
 * Longest frame dev takes: MTU plus link header, plus a VLAN tag when the
 * frame carries one (af_packet allows the same).
 */
static bool pfr_frame_fits(const struct net_device *dev, const struct sk_buff *skb)
{
	u32 max = dev->mtu + dev->hard_header_len;

	if (skb->len <= max)
		return true;
	return skb->len <= max + VLAN_HLEN && eth_type_vlan(eth_hdr(skb)->h_proto);
}

/*
 * send()/sendto()/write(): msg is one whole Ethernet frame, transmitted as
 * is on the bound device of the socket's namespace (pf_ring_kabi.h,
 * "Sending"). Returns len or -errno. The skb is charged to the socket's
 * send buffer until the driver frees it: a sender with sk_sndbuf bytes in
 * flight waits (EAGAIN with MSG_DONTWAIT).
 */
int pfr_sendmsg(struct socket *sock, struct msghdr *msg, size_t len)
{
	struct sock *sk = sock->sk;
	struct pfr_sock *ps = pfr_sk(sk);
	struct net_device *dev;
	struct sk_buff *skb;
	int err, reserve;

	/* bind publishes ifindex before bound */
	if (!smp_load_acquire(&ps->bound))
		return -ENOTCONN;
	if (!ps->ifindex)
		return -ENXIO;
	if (len < ETH_HLEN)
		return -EINVAL;
	dev = dev_get_by_index(sock_net(sk), ps->ifindex);
	if (!dev)
		return -ENODEV;
	err = -EOPNOTSUPP;
	if (dev->type != ARPHRD_ETHER && dev->type != ARPHRD_LOOPBACK)
		goto out;
	err = -ENETDOWN;
	if (!(dev->flags & IFF_UP))
		goto out;
	err = -EMSGSIZE;
	if (len > dev->mtu + dev->hard_header_len + VLAN_HLEN)
		goto out;

	reserve = LL_RESERVED_SPACE(dev);
	skb = sock_alloc_send_skb(sk, reserve + len + dev->needed_tailroom,
				  msg->msg_flags & MSG_DONTWAIT, &err);
	if (!skb)
		goto out;
	skb_reserve(skb, reserve);
	skb_reset_mac_header(skb);
	err = memcpy_from_msg(skb_put(skb, len), msg, len);
	if (err)
		goto out_free;
	err = -EMSGSIZE;
	if (!pfr_frame_fits(dev, skb))
		goto out_free;
	skb->dev = dev;
	skb->protocol = eth_hdr(skb)->h_proto;
	skb->priority = READ_ONCE(sk->sk_priority);
	skb->mark = READ_ONCE(sk->sk_mark);
	skb_set_network_header(skb, eth_type_vlan(skb->protocol) && len >= VLAN_ETH_HLEN ?
					    VLAN_ETH_HLEN : ETH_HLEN);

	/* NET_XMIT_CN: queued, but the queue is congested; as af_packet, success */
	err = dev_queue_xmit(skb);
	if (err > 0)
		err = net_xmit_errno(err);
	if (!err)
		err = len;
	goto out;
out_free:
	kfree_skb(skb);
out:
	dev_put(dev);
	return err;
}
