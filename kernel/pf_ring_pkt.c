// SPDX-License-Identifier: GPL-2.0
/*
 * pf_ring_pkt.c - one captured packet as the rest of the module sees it
 * (struct pfr_pkt): its bytes as they were on the wire, and its headers
 * parsed once by the shared core (src/core/parse.c). The capture path
 * (pf_ring_rx.c), rules (pf_ring_rules.c) and clusters (pf_ring_cluster.c)
 * all use these; none of them depends on another for it.
 */
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/skbuff.h>

#include "pf_ring_internal.h"

/*
 * Copies the first n bytes of the packet as they were on the wire: a VLAN
 * tag the NIC or the stack moved into skb metadata goes back after the MAC
 * addresses (guide 8.14 parses and the ring stores the tagged frame).
 * skb->data is at the MAC header (see pfr_capture). 0 or -EFAULT.
 */
int pfr_pkt_copy(const struct pfr_pkt *pkt, const struct sk_buff *skb, void *to, u32 n)
{
	u8 *dst = to;

	if (!pkt->tag_len || n <= 2 * ETH_ALEN)
		return skb_copy_bits(skb, 0, dst, n);
	if (skb_copy_bits(skb, 0, dst, 2 * ETH_ALEN))
		return -EFAULT;
	memcpy(dst + 2 * ETH_ALEN, pkt->tag, min_t(u32, n - 2 * ETH_ALEN, VLAN_HLEN));
	if (n <= 2 * ETH_ALEN + VLAN_HLEN)
		return 0;
	return skb_copy_bits(skb, 2 * ETH_ALEN, dst + 2 * ETH_ALEN + VLAN_HLEN,
			     n - 2 * ETH_ALEN - VLAN_HLEN);
}

/* Copies the headers and parses them, once per packet. */
void pfr_pkt_parse(struct pfr_pkt *pkt, const struct sk_buff *skb)
{
	u32 flags = 0;

	if (pkt->parsed)
		return;
	pkt->parsed = true;
	pkt->hdr_len = min_t(u32, pkt->len, sizeof(pkt->hdr));
	memset(&pkt->info, 0, sizeof(pkt->info));
	if (pfr_pkt_copy(pkt, skb, pkt->hdr, pkt->hdr_len))
		pkt->hdr_len = 0;
	pfc_parse_pkt(pkt->hdr, pkt->hdr_len, PFC_LEVEL_TUNNEL, &pkt->info, &flags);
}
