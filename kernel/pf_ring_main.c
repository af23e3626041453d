// SPDX-License-Identifier: GPL-2.0
/*
 * pf_ring_main.c - the PF_RING socket family: module parameters (guide
 * chapter 7), socket creation, bind, mmap of the ring (src/core/ring.h),
 * poll with a watermark and the socket options of pf_ring_kabi.h.
 */
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "pf_ring_internal.h"

unsigned int pfr_min_num_slots = 4096;
module_param_named(min_num_slots, pfr_min_num_slots, uint, 0444);
MODULE_PARM_DESC(min_num_slots, "Min number of ring slots (rounded up to a power of two)");

unsigned int pfr_enable_tx_capture = 1;
module_param_named(enable_tx_capture, pfr_enable_tx_capture, uint, 0444);
MODULE_PARM_DESC(enable_tx_capture, "1: capture RX and TX, 0: RX only");

unsigned int pfr_enable_ip_defrag;
module_param_named(enable_ip_defrag, pfr_enable_ip_defrag, uint, 0444);
MODULE_PARM_DESC(enable_ip_defrag, "1: rings get received IPv4 fragments reassembled");

unsigned int pfr_quick_mode;
module_param_named(quick_mode, pfr_quick_mode, uint, 0444);
MODULE_PARM_DESC(quick_mode, "1: at most one socket per interface");

unsigned int pfr_transparent_mode;
module_param_named(transparent_mode, pfr_transparent_mode, uint, 0444);
MODULE_PARM_DESC(transparent_mode,
		 "0: packet hook; 1: rx_handler, packets also go to the stack; "
		 "2: rx_handler, packets do not reach the stack");

static int pfr_family = PFR_FAMILY_DEFAULT;
module_param_named(pf_ring_family, pfr_family, int, 0444);
MODULE_PARM_DESC(pf_ring_family, "Protocol family number of PF_RING sockets (default 27)");

DEFINE_MUTEX(pfr_cfg_mutex);
unsigned int pfr_net_id __read_mostly;
static atomic_t pfr_next_id = ATOMIC_INIT(0);

static struct proto pfr_proto = {
	.name = "PF_RING",
	.owner = THIS_MODULE,
	.obj_size = sizeof(struct pfr_sock),
};

static struct proto_ops pfr_ops;

/* Geometry of the ring a socket would get now. */
static void pfr_geometry(const struct pfr_sock *ps, u32 *slots, u32 *slot_size)
{
	u32 n = max3(ps->req_slots, pfr_min_num_slots, 2u);

	*slot_size = pfc_ring_slot_size_for(ps->bucket_len);
	n = min_t(u32, n, PFC_RING_MAX_SLOTS);
	n = roundup_pow_of_two(n);
	while (n > 2 && pfc_ring_bytes(n, *slot_size) > PFR_MAX_RING_BYTES)
		n >>= 1;
	*slots = n;
}

/* Creates the ring if it does not exist yet. */
static int __pfr_ring_create(struct pfr_sock *ps)
{
	struct pfc_ring_hdr *r;
	u32 slots, slot_size;
	u64 bytes;

	lockdep_assert_held(&pfr_cfg_mutex);
	if (ps->ring)
		return 0;
	pfr_geometry(ps, &slots, &slot_size);
	bytes = PAGE_ALIGN(pfc_ring_bytes(slots, slot_size));
	r = vmalloc_user(bytes);
	if (!r)
		return -ENOMEM;
	if (pfc_ring_init(r, bytes, slots, slot_size)) {
		vfree(r);
		return -EINVAL;
	}
	ps->ring_bytes = bytes;
	pfc_ring_producer_init(&ps->prod, r, slots, slot_size);
	if (ps->watermark > slots)
		ps->watermark = slots;
	/* the receive hook reads ps->ring locklessly */
	smp_store_release(&ps->ring, r);
	return 0;
}

static int pfr_create(struct net *net, struct socket *sock, int protocol, int kern)
{
	struct pfr_net *pn = pfr_net(net);
	char comm[TASK_COMM_LEN];
	struct pfr_sock *ps;
	struct sock *sk;
	int i;

	if (!ns_capable(net->user_ns, CAP_NET_RAW))
		return -EPERM;
	if (sock->type != SOCK_RAW)
		return -ESOCKTNOSUPPORT;
	if (protocol != htons(ETH_P_ALL) && protocol != 0)
		return -EPROTONOSUPPORT;

	sk = sk_alloc(net, pfr_family, GFP_KERNEL, &pfr_proto, kern);
	if (!sk)
		return -ENOMEM;
	sock->ops = &pfr_ops;
	sock_init_data(sock, sk);

	ps = pfr_sk(sk);
	ps->id = atomic_inc_return(&pfr_next_id);
	ps->pid = task_tgid_nr(current);
	get_task_comm(comm, current);
	strscpy(ps->appl_name, comm, sizeof(ps->appl_name));
	ps->bucket_len = PFR_DEFAULT_BUCKET_LEN;
	ps->watermark = 1;
	ps->direction = rx_and_tx_direction;
	ps->channel_mask = ~0ULL;
	ps->sampling_rate = 1;
	ps->default_accept = 1;
	spin_lock_init(&ps->lock);
	init_waitqueue_head(&ps->wq);
	for (i = 0; i < PFR_HASH_BUCKETS; i++)
		INIT_HLIST_HEAD(&ps->hash[i]);

	mutex_lock(&pfr_cfg_mutex);
	list_add_tail_rcu(&ps->node, &pn->socks);
	pn->nsocks++;
	__pfr_rx_get();
	mutex_unlock(&pfr_cfg_mutex);
	return 0;
}

static int pfr_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct pfr_sock *ps;
	struct pfr_net *pn;

	if (!sk)
		return 0;
	ps = pfr_sk(sk);
	pn = pfr_net(sock_net(sk));

	mutex_lock(&pfr_cfg_mutex);
	WRITE_ONCE(ps->active, false);
	__pfr_cluster_leave(ps);
	list_del_rcu(&ps->node);
	pn->nsocks--;
	__pfr_proc_sock_remove(ps);
	__pfr_rx_put();
	mutex_unlock(&pfr_cfg_mutex);

	/* no receive hook sees ps after this */
	synchronize_net();

	pfr_hook_put(ps->hook);
	pfr_rules_free(ps);
	/* mmaps hold the file, so none is left when release runs */
	vfree(ps->ring);
	ps->ring = NULL;
	sock_orphan(sk);
	sock->sk = NULL;
	sock_put(sk);
	return 0;
}

/* Device of the bind address: "any" or a device of the socket's namespace. */
static int pfr_bind(struct socket *sock, struct sockaddr *uaddr, int addr_len)
{
	struct pfr_sock *ps = pfr_sk(sock->sk);
	struct net *net = sock_net(sock->sk);
	char name[PFR_DEVNAME_LEN];
	struct net_device *dev;
	struct pfr_sock *other;
	int n, err = 0;

	if (addr_len < (int)sizeof(u16) + 1 || uaddr->sa_family != pfr_family)
		return -EINVAL;
	n = min_t(int, addr_len - (int)sizeof(u16), PFR_DEVNAME_LEN - 1);
	memcpy(name, (const char *)uaddr + sizeof(u16), n);
	name[n] = '\0';
	if (!name[0])
		return -EINVAL;

	mutex_lock(&pfr_cfg_mutex);
	if (ps->bound) {
		err = -EBUSY;
		goto out;
	}
	if (!strcmp(name, PFR_ANY_DEVICE)) {
		ps->ifindex = 0;
		eth_zero_addr(ps->dev_addr);
	} else {
		rcu_read_lock();
		dev = dev_get_by_name_rcu(net, name);
		if (dev) {
			ps->ifindex = dev->ifindex;
			if (dev->addr_len == ETH_ALEN)
				ether_addr_copy(ps->dev_addr, dev->dev_addr);
		}
		rcu_read_unlock();
		if (!dev) {
			err = -ENODEV;
			goto out;
		}
	}
	if (pfr_quick_mode) {
		/* guide 7: quick_mode allows one socket per interface */
		list_for_each_entry(other, &pfr_net(net)->socks, node) {
			if (other != ps && other->bound && other->ifindex == ps->ifindex) {
				err = -EBUSY;
				goto out;
			}
		}
	}
	strscpy(ps->dev_name, name, sizeof(ps->dev_name));
	/* pfr_sendmsg reads ifindex locklessly once it sees bound */
	smp_store_release(&ps->bound, true);
	__pfr_proc_sock_add(ps);
out:
	mutex_unlock(&pfr_cfg_mutex);
	/* transparent_mode 1/2: the device's rx_handler captures (pf_ring_hook.c) */
	if (!err && pfr_transparent_mode && ps->ifindex)
		WRITE_ONCE(ps->hook, pfr_hook_get(net, ps->ifindex));
	return err;
}

static int pfr_mmap(struct file *file, struct socket *sock, struct vm_area_struct *vma)
{
	struct pfr_sock *ps = pfr_sk(sock->sk);
	unsigned long size = vma->vm_end - vma->vm_start;
	int err;

	if (vma->vm_pgoff)
		return -EINVAL;
	mutex_lock(&pfr_cfg_mutex);
	err = __pfr_ring_create(ps);
	if (!err && size > ps->ring_bytes)
		err = -EINVAL;
	if (!err)
		err = remap_vmalloc_range(vma, ps->ring, 0);
	mutex_unlock(&pfr_cfg_mutex);
	return err;
}

static __poll_t pfr_poll(struct file *file, struct socket *sock, poll_table *wait)
{
	struct pfr_sock *ps = pfr_sk(sock->sk);
	struct pfc_ring_hdr *r;
	__poll_t mask = 0;

	poll_wait(file, &ps->wq, wait);
	/* send-buffer space frees up on the socket's own wait queue */
	poll_wait(file, sk_sleep(sock->sk), wait);
	/* pairs with wq_has_sleeper() in pfr_deliver: no wake-up is missed */
	smp_mb();
	r = smp_load_acquire(&ps->ring);
	if (r && pfr_ring_queued(ps) >= READ_ONCE(ps->watermark))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (sock_writeable(sock->sk))
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

/* PFR_SO_GET_NUM_RX_CHANNELS: RX queues of the bound device, 1 for "any". */
static int pfr_num_rx_channels(struct pfr_sock *ps, u32 *n)
{
	struct net_device *dev;
	int err = 0;

	if (!smp_load_acquire(&ps->bound))
		return -ENOTCONN;
	*n = 1;
	if (!ps->ifindex)
		return 0;
	rcu_read_lock();
	dev = dev_get_by_index_rcu(sock_net(&ps->sk), ps->ifindex);
	if (dev)
		*n = dev->real_num_rx_queues;
	else
		err = -ENODEV;
	rcu_read_unlock();
	return err;
}

/* Reads a fixed-size option argument: -EINVAL when optlen is short. */
static int pfr_get_arg(sockptr_t optval, unsigned int optlen, void *v, unsigned int size)
{
	if (optlen < size)
		return -EINVAL;
	return copy_from_sockptr(v, optval, size) ? -EFAULT : 0;
}

/* Options that change the ring, the binding or the lists: under pfr_cfg_mutex. */
static int __pfr_setsockopt_cfg(struct pfr_sock *ps, int optname, u32 v)
{
	lockdep_assert_held(&pfr_cfg_mutex);
	switch (optname) {
	case PFR_SO_RING_BUCKET_LEN:
		if (ps->ring)
			return -EBUSY;
		if (v < 1 || v > PFC_RING_MAX_SLOT_SIZE - 2 * PFC_RING_LINE)
			return -EINVAL;
		ps->bucket_len = v;
		return 0;
	case PFR_SO_SET_RING_SLOTS:
		if (ps->ring)
			return -EBUSY;
		if (v < 2 || v > PFC_RING_MAX_SLOTS)
			return -EINVAL;
		ps->req_slots = v;
		return 0;
	case PFR_SO_ACTIVATE_RING:
		if (!ps->bound)
			return -ENOTCONN;
		WRITE_ONCE(ps->active, true);
		return 0;
	case PFR_SO_DEACTIVATE_RING:
		WRITE_ONCE(ps->active, false);
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

/* Cluster membership (guide 8.7). */
static int pfr_set_cluster_opt(struct pfr_sock *ps, int optname, sockptr_t optval, unsigned int optlen)
{
	struct pfr_cluster_req creq;
	int err;

	if (optname == PFR_SO_REMOVE_FROM_CLUSTER) {
		mutex_lock(&pfr_cfg_mutex);
		err = ps->cluster ? 0 : -ENOENT;
		__pfr_cluster_leave(ps);
		mutex_unlock(&pfr_cfg_mutex);
		return err;
	}
	err = pfr_get_arg(optval, optlen, &creq, sizeof(creq));
	if (err)
		return err;
	mutex_lock(&pfr_cfg_mutex);
	err = __pfr_cluster_join(ps, creq.cluster_id, creq.type);
	mutex_unlock(&pfr_cfg_mutex);
	return err;
}

/* Wildcard and hash rules, and purging idle ones (guide 8.10). */
static int pfr_set_rule_opt(struct pfr_sock *ps, int optname, sockptr_t optval, unsigned int optlen)
{
	hash_filtering_rule *hr;
	filtering_rule *rule;
	u16 arg;
	int err;

	switch (optname) {
	case PFR_SO_ADD_FILTERING_RULE:
		if (optlen < sizeof(*rule))
			return -EINVAL;
		rule = memdup_sockptr(optval, sizeof(*rule));
		if (IS_ERR(rule))
			return PTR_ERR(rule);
		err = pfr_rule_add(ps, rule);
		kfree(rule);
		return err;
	case PFR_SO_ADD_HASH_RULE:
	case PFR_SO_REMOVE_HASH_RULE:
		if (optlen < sizeof(*hr))
			return -EINVAL;
		hr = memdup_sockptr(optval, sizeof(*hr));
		if (IS_ERR(hr))
			return PTR_ERR(hr);
		if (optname == PFR_SO_ADD_HASH_RULE)
			err = pfr_hash_rule_add(ps, hr);
		else
			err = pfr_hash_rule_remove(ps, hr);
		kfree(hr);
		return err;
	}
	/* a rule id or an inactivity in seconds */
	err = pfr_get_arg(optval, optlen, &arg, sizeof(arg));
	if (err)
		return err;
	if (optname == PFR_SO_REMOVE_FILTERING_RULE)
		return pfr_rule_remove(ps, arg);
	if (optname == PFR_SO_PURGE_IDLE_RULES)
		return pfr_rules_purge_idle(ps, arg);
	pfr_hash_rules_purge_idle(ps, arg);
	return 0;
}

/* The channel mask and the application name. */
static int pfr_set_binding_opt(struct pfr_sock *ps, int optname, sockptr_t optval, unsigned int optlen)
{
	char name[PFR_APPL_NAME_LEN];
	unsigned int n;
	u64 mask;
	int err;

	if (optname == PFR_SO_SET_CHANNEL_MASK) {
		err = pfr_get_arg(optval, optlen, &mask, sizeof(mask));
		if (!err && !mask)
			err = -EINVAL;
		if (!err)
			WRITE_ONCE(ps->channel_mask, mask);
		return err;
	}
	n = min_t(unsigned int, optlen, sizeof(name) - 1);
	if (copy_from_sockptr(name, optval, n))
		return -EFAULT;
	name[n] = '\0';
	spin_lock_bh(&ps->lock);
	strscpy(ps->appl_name, name, sizeof(ps->appl_name));
	spin_unlock_bh(&ps->lock);
	return 0;
}

/* Options of one u32 value: policy, sampling, direction, watermark, and the
 * ring options that need pfr_cfg_mutex (__pfr_setsockopt_cfg). */
static int pfr_set_value_opt(struct pfr_sock *ps, int optname, u32 v)
{
	int err;

	switch (optname) {
	case PFR_SO_TOGGLE_FILTER_POLICY:
		spin_lock_bh(&ps->lock);
		ps->default_accept = v ? 1 : 0;
		spin_unlock_bh(&ps->lock);
		return 0;
	case PFR_SO_SET_SAMPLING_RATE:
		spin_lock_bh(&ps->lock);
		ps->sampling_rate = v ? v : 1;
		ps->sample_counter = 0;
		spin_unlock_bh(&ps->lock);
		return 0;
	case PFR_SO_SET_PACKET_DIRECTION:
		if (v > tx_only_direction)
			return -EINVAL;
		WRITE_ONCE(ps->direction, v);
		return 0;
	case PFR_SO_SET_POLL_WATERMARK:
		if (v < 1)
			return -EINVAL;
		/* the ring's creation clamps the watermark under the same mutex */
		mutex_lock(&pfr_cfg_mutex);
		err = ps->ring && v > ps->prod.num_slots ? -EINVAL : 0;
		if (!err)
			WRITE_ONCE(ps->watermark, v);
		mutex_unlock(&pfr_cfg_mutex);
		return err;
	}
	mutex_lock(&pfr_cfg_mutex);
	err = __pfr_setsockopt_cfg(ps, optname, v);
	mutex_unlock(&pfr_cfg_mutex);
	return err;
}

/* Dispatches each option to the handler of its group. */
static int pfr_setsockopt(struct socket *sock, int level, int optname, sockptr_t optval,
			  unsigned int optlen)
{
	struct pfr_sock *ps = pfr_sk(sock->sk);
	u32 v = 0;
	int err;

	if (level != PFR_SOL)
		return -ENOPROTOOPT;

	switch (optname) {
	case PFR_SO_ADD_TO_CLUSTER:
	case PFR_SO_REMOVE_FROM_CLUSTER:
		return pfr_set_cluster_opt(ps, optname, optval, optlen);
	case PFR_SO_ADD_FILTERING_RULE:
	case PFR_SO_REMOVE_FILTERING_RULE:
	case PFR_SO_ADD_HASH_RULE:
	case PFR_SO_REMOVE_HASH_RULE:
	case PFR_SO_PURGE_IDLE_RULES:
	case PFR_SO_PURGE_IDLE_HASH_RULES:
		return pfr_set_rule_opt(ps, optname, optval, optlen);
	case PFR_SO_SET_CHANNEL_MASK:
	case PFR_SO_SET_APPL_NAME:
		return pfr_set_binding_opt(ps, optname, optval, optlen);
	case PFR_SO_ACTIVATE_RING:
	case PFR_SO_DEACTIVATE_RING:
		return pfr_set_value_opt(ps, optname, 0); /* no argument */
	default:
		err = pfr_get_arg(optval, optlen, &v, sizeof(v));
		return err ? err : pfr_set_value_opt(ps, optname, v);
	}
}

static int pfr_getsockopt(struct socket *sock, int level, int optname, char __user *optval,
			  int __user *optlen)
{
	struct pfr_sock *ps = pfr_sk(sock->sk);
	u8 rst[PFR_RULE_STATS_MAX] __aligned(8);
	struct pfr_ring_info info;
	struct pfr_stats st;
	const void *out;
	u32 version, nch;
	u16 rule_id;
	int len, err;

	if (level != PFR_SOL)
		return -ENOPROTOOPT;
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;

	switch (optname) {
	case PFR_SO_GET_RING_VERSION:
		version = PFC_RING_VERSION;
		out = &version;
		len = min_t(int, len, sizeof(version));
		break;
	case PFR_SO_GET_RING_INFO:
		mutex_lock(&pfr_cfg_mutex);
		err = __pfr_ring_create(ps);
		if (!err) {
			memset(&info, 0, sizeof(info));
			info.version = PFC_RING_VERSION;
			info.num_slots = ps->prod.num_slots;
			info.slot_size = ps->prod.slot_size;
			info.total_bytes = ps->ring_bytes;
		}
		mutex_unlock(&pfr_cfg_mutex);
		if (err)
			return err;
		out = &info;
		len = min_t(int, len, sizeof(info));
		break;
	case PFR_SO_GET_STATS:
		spin_lock_bh(&ps->lock);
		st = ps->stats;
		spin_unlock_bh(&ps->lock);
		out = &st;
		len = min_t(int, len, sizeof(st));
		break;
	case PFR_SO_GET_BOUND_DEVICE_ADDRESS:
		if (!READ_ONCE(ps->bound) || !ps->ifindex)
			return -ENODEV;
		out = ps->dev_addr;
		len = min_t(int, len, ETH_ALEN);
		break;
	case PFR_SO_GET_NUM_RX_CHANNELS:
		err = pfr_num_rx_channels(ps, &nch);
		if (err)
			return err;
		out = &nch;
		len = min_t(int, len, sizeof(nch));
		break;
	case PFR_SO_GET_FILTERING_RULE_STATS:
		/* in: the rule id; out: the rule's (or its plugin's) statistics */
		if (len < (int)sizeof(rule_id))
			return -EINVAL;
		if (copy_from_user(&rule_id, optval, sizeof(rule_id)))
			return -EFAULT;
		memset(rst, 0, sizeof(rst)); /* a plugin may report more than it wrote */
		err = pfr_rule_stats(ps, rule_id, rst, min_t(u32, len, sizeof(rst)));
		if (err < 0)
			return err;
		out = rst;
		len = err;
		break;
	case PFR_SO_GET_HASH_FILTERING_RULE_STATS: {
		/* in: the rule (its 6-tuple); out: its statistics */
		hash_filtering_rule *hr;

		if (len < (int)sizeof(*hr))
			return -EINVAL;
		hr = memdup_user(optval, sizeof(*hr));
		if (IS_ERR(hr))
			return PTR_ERR(hr);
		memset(rst, 0, sizeof(rst));
		err = pfr_hash_rule_stats(ps, hr, rst, min_t(u32, len, sizeof(rst)));
		kfree(hr);
		if (err < 0)
			return err;
		out = rst;
		len = err;
		break;
	}
	default:
		return -ENOPROTOOPT;
	}
	if (copy_to_user(optval, out, len) || put_user(len, optlen))
		return -EFAULT;
	return 0;
}

static struct proto_ops pfr_ops = {
	.family = PFR_FAMILY_DEFAULT, /* pf_ring_init() sets the parameter's value */
	.owner = THIS_MODULE,
	.release = pfr_release,
	.bind = pfr_bind,
	.connect = sock_no_connect,
	.socketpair = sock_no_socketpair,
	.accept = sock_no_accept,
	.getname = sock_no_getname,
	.poll = pfr_poll,
	.ioctl = sock_no_ioctl,
	.listen = sock_no_listen,
	.shutdown = sock_no_shutdown,
	.setsockopt = pfr_setsockopt,
	.getsockopt = pfr_getsockopt,
	.sendmsg = pfr_sendmsg,
	.recvmsg = sock_no_recvmsg,
	.mmap = pfr_mmap,
};

static struct net_proto_family pfr_family_ops = {
	.family = PFR_FAMILY_DEFAULT,
	.create = pfr_create,
	.owner = THIS_MODULE,
};

static int __net_init pfr_net_init(struct net *net)
{
	struct pfr_net *pn = pfr_net(net);

	INIT_LIST_HEAD(&pn->socks);
	INIT_LIST_HEAD(&pn->clusters);
	return pfr_proc_net_init(net);
}

static void __net_exit pfr_net_exit(struct net *net)
{
	pfr_proc_net_exit(net);
}

static struct pernet_operations pfr_net_ops = {
	.init = pfr_net_init,
	.exit = pfr_net_exit,
	.id = &pfr_net_id,
	.size = sizeof(struct pfr_net),
};

static int __init pf_ring_init(void)
{
	int err;

	if (pfr_family <= 0 || pfr_family >= NPROTO)
		return -EINVAL;
	if (pfr_min_num_slots < 2 || pfr_min_num_slots > PFC_RING_MAX_SLOTS)
		return -EINVAL;
	if (pfr_transparent_mode > 2)
		return -EINVAL;
	pfr_family_ops.family = pfr_family;
	pfr_ops.family = pfr_family;

	err = proto_register(&pfr_proto, 0);
	if (err)
		return err;
	err = register_pernet_subsys(&pfr_net_ops);
	if (err)
		goto err_proto;
	err = sock_register(&pfr_family_ops);
	if (err)
		goto err_pernet;
	err = pfr_hook_init();
	if (err)
		goto err_sock;
	pr_info("PF_RING %s: family %d, %u slots, tx capture %u, transparent mode %u\n",
		RING_VERSION, pfr_family, pfr_min_num_slots, pfr_enable_tx_capture,
		pfr_transparent_mode);
	return 0;

err_sock:
	sock_unregister(pfr_family);
err_pernet:
	unregister_pernet_subsys(&pfr_net_ops);
err_proto:
	proto_unregister(&pfr_proto);
	return err;
}

static void __exit pf_ring_exit(void)
{
	pfr_hook_exit();
	sock_unregister(pfr_family);
	unregister_pernet_subsys(&pfr_net_ops);
	proto_unregister(&pfr_proto);
}

module_init(pf_ring_init);
module_exit(pf_ring_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("PF_RING packet capture sockets (open implementation of PF_RING 5.4)");
MODULE_VERSION(RING_VERSION);
