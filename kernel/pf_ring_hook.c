// SPDX-License-Identifier: GPL-2.0
/*
 * pf_ring_hook.c - transparent_mode 1 and 2 for vanilla drivers: while a
 * socket is bound to a device, pf_ring owns the device's rx_handler
 * (pfr_rx_handler in pf_ring_rx.c). A device that already has one (bridge,
 * bond, macvlan ...) keeps it and is captured as in mode 0.
 *
 * Hooks are counted per device and live under RTNL, which
 * netdev_rx_handler_register() needs anyway; the netdevice notifier drops
 * the handler of a device that goes away while sockets are bound to it.
 */
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "pf_ring_internal.h"

struct pfr_hook {
	struct list_head node;
	struct net_device *dev; /* NULL once the device is unregistered */
	u32 users;
};

static LIST_HEAD(pfr_hooks); /* under RTNL */

/*
 * The hook of the device ifindex in net, made if needed. NULL when the
 * device is gone, has another rx_handler, or memory is short: the socket
 * then captures through the packet hook.
 */
struct pfr_hook *pfr_hook_get(struct net *net, int ifindex)
{
	struct net_device *dev;
	struct pfr_hook *h;

	rtnl_lock();
	dev = __dev_get_by_index(net, ifindex);
	if (!dev) {
		h = NULL;
		goto out;
	}
	list_for_each_entry(h, &pfr_hooks, node) {
		if (h->dev == dev) {
			h->users++;
			goto out;
		}
	}
	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		goto out;
	if (netdev_rx_handler_register(dev, pfr_rx_handler, h)) {
		kfree(h);
		h = NULL;
		goto out;
	}
	dev_hold(dev);
	h->dev = dev;
	h->users = 1;
	list_add(&h->node, &pfr_hooks);
out:
	rtnl_unlock();
	return h;
}

static void __pfr_hook_unregister(struct pfr_hook *h)
{
	ASSERT_RTNL();
	if (!h->dev)
		return;
	netdev_rx_handler_unregister(h->dev);
	dev_put(h->dev);
	h->dev = NULL;
}

void pfr_hook_put(struct pfr_hook *h)
{
	if (!h)
		return;
	rtnl_lock();
	if (!--h->users) {
		__pfr_hook_unregister(h);
		list_del(&h->node);
		kfree(h);
	}
	rtnl_unlock();
}

static int pfr_netdev_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct pfr_hook *h;

	if (event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	list_for_each_entry(h, &pfr_hooks, node)
		if (h->dev == dev)
			__pfr_hook_unregister(h);
	return NOTIFY_DONE;
}

static struct notifier_block pfr_netdev_notifier = {
	.notifier_call = pfr_netdev_event,
};

int pfr_hook_init(void)
{
	return register_netdevice_notifier(&pfr_netdev_notifier);
}

void pfr_hook_exit(void)
{
	unregister_netdevice_notifier(&pfr_netdev_notifier);
}
