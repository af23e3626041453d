/*
 * pfr_test_send.c - tests of what pf_ring.ko sends: send()/write()/sendto()
 * on a bound socket (pfring_send) and the reflect and bounce rule actions.
 */
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "pfr_test.h"

#define SEND_ETHERTYPE 0x88b5 /* IEEE local experimental: no stack takes it */
#define SEND_MAX 300

/* The frames test_send sent, by sequence number, to compare byte by byte. */
struct sent {
	uint8_t frame[SEND_MAX][1518];
	uint32_t len[SEND_MAX];
	uint8_t got[SEND_MAX];
	uint32_t mismatched, dups;
};

/* Frame seq: broadcast, SEND_ETHERTYPE, "PFRS", seq, then bytes derived from seq. */
static uint32_t send_frame_build(uint8_t *f, uint32_t seq, uint32_t len, const uint8_t mac[6])
{
	uint32_t i, nseq = htonl(seq);

	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	f[12] = SEND_ETHERTYPE >> 8;
	f[13] = SEND_ETHERTYPE & 0xff;
	memcpy(f + 14, "PFRS", 4);
	memcpy(f + 18, &nseq, 4);
	for (i = 22; i < len; i++)
		f[i] = (uint8_t)(seq * 7 + i);
	return len;
}

/* ring_scan: a test_send frame, compared with what was sent. */
static int send_frame_check(int ring, const struct pfc_slot_hdr *s, const uint8_t *p, void *ctx)
{
	struct sent *st = ctx;
	uint32_t seq;

	(void)ring;
	if (s->caplen < 22 || memcmp(p + 14, "PFRS", 4))
		return 0;
	memcpy(&seq, p + 18, 4);
	seq = ntohl(seq);
	if (seq >= SEND_MAX || !st->len[seq])
		return 0;
	if (s->len != st->len[seq] || s->caplen != st->len[seq] || memcmp(p, st->frame[seq], s->caplen)) {
		st->mismatched++;
		return 0;
	}
	if (st->got[seq]++)
		st->dups++;
	return 1;
}

/* send() of one frame on a socket; 0 or the errno it failed with. */
static int send_errno(int fd, const void *f, size_t len)
{
	ssize_t n = send(fd, f, len, MSG_DONTWAIT);

	if (n < 0)
		return errno;
	return n == (ssize_t)len ? 0 : EIO;
}

/*
 * Sends n frames (lengths 60..1514) on a socket bound to txdev through
 * send(), write() and sendto() in turn; checks each return value.
 */
static int send_batch(int fd, struct sent *st, uint32_t n, const uint8_t mac[6])
{
	struct sockaddr_ll ignored = { .sll_family = AF_PACKET, .sll_ifindex = 12345 };
	uint32_t seq, len;
	ssize_t r;

	for (seq = 0; seq < n; seq++) {
		len = 60 + (seq * 97) % (1514 - 60 + 1);
		st->len[seq] = send_frame_build(st->frame[seq], seq, len, mac);
		if (seq % 3 == 0)
			r = send(fd, st->frame[seq], len, 0);
		else if (seq % 3 == 1)
			r = write(fd, st->frame[seq], len);
		else
			r = sendto(fd, st->frame[seq], len, 0, (struct sockaddr *)&ignored, sizeof(ignored));
		if (r != (ssize_t)len)
			return fail("frame %u (%u bytes): returned %zd (%s)", seq, len, r, strerror(errno));
		if ((seq & 15) == 15)
			usleep(2000); /* let TCG's NIC model keep up */
	}
	return 0;
}

/* The errors of pf_ring_kabi.h "Sending" that need no special device. */
static int send_controls(const uint8_t mac[6])
{
	static uint8_t f[1600];
	struct ring any, tx;
	int fd, e;

	send_frame_build(f, 0, sizeof(f), mac);
	memcpy(f + 14, "PFRC", 4); /* not a test_send frame, should one arrive late */
	fd = socket(family(), SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0)
		return fail("socket: %s", strerror(errno));
	if ((e = send_errno(fd, f, 60)) != ENOTCONN)
		return fail("send on an unbound socket: %s (ENOTCONN expected)", strerror(e));
	close(fd);
	if (ring_open(&any, "any") || ring_open(&tx, txdev))
		return fail("rings on any/%s", txdev);
	if ((e = send_errno(any.fd, f, 60)) != ENXIO)
		return fail("send on \"any\": %s (ENXIO expected)", strerror(e));
	if ((e = send_errno(tx.fd, f, ETH_HLEN - 1)) != EINVAL)
		return fail("send of 13 bytes: %s (EINVAL expected)", strerror(e));
	if ((e = send_errno(tx.fd, f, 1515)) != EMSGSIZE)
		return fail("send of 1515 untagged bytes: %s (EMSGSIZE expected)", strerror(e));
	/* an 802.1Q frame may be 4 bytes longer */
	f[12] = 0x81;
	f[13] = 0x00;
	if ((e = send_errno(tx.fd, f, 1519)) != EMSGSIZE)
		return fail("send of 1519 tagged bytes: %s (EMSGSIZE expected)", strerror(e));
	if ((e = send_errno(tx.fd, f, 1518)))
		return fail("send of 1518 tagged bytes: %s", strerror(e));
	ring_close(&any);
	ring_close(&tx);
	printf("ok: send errors: ENOTCONN unbound, ENXIO any, EINVAL short, EMSGSIZE 1515 (1519 tagged); "
	       "1518 tagged sent\n");
	return 0;
}

/*
 * send(), write() and sendto() on a socket bound to TXDEV: every frame
 * arrives on RXDEV once, byte for byte, and TXDEV's TX capture sees each once.
 */
int test_send(void)
{
	static struct sent at_rx, at_tx;
	struct ring rings[2], s;
	const uint32_t n = SEND_MAX;
	uint8_t mac[6];
	uint32_t got_rx, got_tx;
	int err;

	dev_mac(txdev, mac);
	if (send_controls(mac))
		return 1;
	err = ring_start(&rings[0], rxdev);
	err = err ? err : ring_start(&rings[1], txdev);
	err = err ? err : ring_open(&s, txdev);
	if (err)
		return fail("rings: %s", strerror(-err));
	if (sopt_u32(&rings[1], PFR_SO_SET_PACKET_DIRECTION, tx_only_direction))
		return fail("direction: %s", strerror(errno));
	if (send_batch(s.fd, &at_rx, n, mac))
		return 1;
	memcpy(&at_tx, &at_rx, sizeof(at_tx));
	got_rx = ring_scan(&rings[0], 1, send_frame_check, &at_rx, n, 5000);
	got_tx = ring_scan(&rings[1], 1, send_frame_check, &at_tx, n, 2000);
	if (got_rx != n || at_rx.dups || at_rx.mismatched)
		return fail("%s received %u/%u sent frames intact, %u twice, %u differing", rxdev, got_rx,
			    n, at_rx.dups, at_rx.mismatched);
	if (got_tx != n || at_tx.dups || at_tx.mismatched)
		return fail("%s TX capture: %u/%u intact, %u twice, %u differing", txdev, got_tx, n,
			    at_tx.dups, at_tx.mismatched);
	printf("ok: send/write/sendto: %u frames (60..1514 bytes) arrived on %s byte-identical, "
	       "%u in %s's TX capture\n", n, rxdev, got_tx, txdev);
	ring_close(&s);
	ring_close(&rings[0]);
	ring_close(&rings[1]);
	return 0;
}

/* Replaces dev's root qdisc by a pfifo that holds nothing: each send is dropped. */
static int qdisc_drop_all(const char *dev)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg tc;
		char attrs[64];
	} req;
	struct tc_fifo_qopt opt = { .limit = 0 };
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct {
		struct nlmsghdr nh;
		struct nlmsgerr err;
	} ack;
	struct rtattr *a;
	int fd, err;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_type = RTM_NEWQDISC;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	req.tc.tcm_family = AF_UNSPEC;
	req.tc.tcm_ifindex = (int)if_nametoindex(dev);
	req.tc.tcm_parent = TC_H_ROOT;
	req.tc.tcm_handle = 0x10000;
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.tc));
	a = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
	a->rta_type = TCA_KIND;
	a->rta_len = RTA_LENGTH(sizeof("pfifo"));
	memcpy(RTA_DATA(a), "pfifo", sizeof("pfifo"));
	req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_ALIGN(a->rta_len);
	a = (struct rtattr *)((char *)&req + req.nh.nlmsg_len);
	a->rta_type = TCA_OPTIONS;
	a->rta_len = RTA_LENGTH(sizeof(opt));
	memcpy(RTA_DATA(a), &opt, sizeof(opt));
	req.nh.nlmsg_len += RTA_ALIGN(a->rta_len);

	fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	err = sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0 ||
	      recv(fd, &ack, sizeof(ack), 0) < (ssize_t)sizeof(ack) ? -errno : ack.err.error;
	close(fd);
	return err;
}

/*
 * In a new network namespace, on a veth pair made there: sent frames
 * arrive on the peer (the socket's namespace, not the caller's), a queue
 * that drops gives ENOBUFS, a device that is down ENETDOWN.
 */
int test_send_netns(void)
{
	static struct sent at_peer;
	struct ring r, s;
	uint8_t mac[6];
	uint32_t got;
	int err, e;

	if (unshare(CLONE_NEWNET))
		return fail("unshare: %s", strerror(errno));
	/* busybox ip ignores "peer name": the peer is the namespace's first veth%d */
	if (system("ip link add pfs0 type veth && ip link set veth0 name pfs1 && ip link set pfs0 up && "
		   "ip link set pfs1 up"))
		return fail("veth pair in the new namespace");
	dev_mac("pfs0", mac);
	err = ring_start(&r, "pfs1");
	err = err ? err : ring_open(&s, "pfs0");
	if (err)
		return fail("rings on the veth pair: %s", strerror(-err));
	usleep(200000); /* carrier */
	if (send_batch(s.fd, &at_peer, 60, mac))
		return 1;
	got = ring_scan(&r, 1, send_frame_check, &at_peer, 60, 3000);
	if (got != 60 || at_peer.dups || at_peer.mismatched)
		return fail("veth peer got %u/60 intact, %u twice, %u differing", got, at_peer.dups,
			    at_peer.mismatched);
	err = qdisc_drop_all("pfs0");
	if (err)
		return fail("pfifo limit 0 on pfs0: %s", strerror(-err));
	if ((e = send_errno(s.fd, at_peer.frame[0], at_peer.len[0])) != ENOBUFS)
		return fail("send into a queue that drops: %s (ENOBUFS expected)", strerror(e));
	if (system("ip link set pfs0 down"))
		return fail("link down");
	if ((e = send_errno(s.fd, at_peer.frame[0], at_peer.len[0])) != ENETDOWN)
		return fail("send on a device that is down: %s (ENETDOWN expected)", strerror(e));
	printf("ok: send in a new netns: 60/60 frames over veth, ENOBUFS from a dropping qdisc, "
	       "ENETDOWN when down\n");
	ring_close(&s);
	ring_close(&r);
	return 0;
}

/* A rule on UDP dport that sends the frame: reflect to dev ("" none) or bounce. */
static int add_send_rule(struct ring *r, uint16_t id, rule_action_behaviour action, uint16_t dport,
			 const char *dev)
{
	filtering_rule rule = udp_rule(id, action, dport);

	snprintf(rule.reflector_device_name, sizeof(rule.reflector_device_name), "%s", dev);
	return sopt(r, PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule));
}

/*
 * Rule actions that send, on the capture ring of RXDEV; the ring on TXDEV
 * (RX only) sees what comes back over the hub:
 *   9000 flow 0   no rule: delivered
 *   9000 flow 1   hash rule, bounce: back to the sender, MACs swapped
 *   9001          bounce (no device: out of RXDEV): back to the sender
 *   9002          reflect on RXDEV: unchanged, to the sender's side
 *   9003          reflect and continue, then forward: reflected and delivered
 * Then a reflect to a device that does not exist sends nothing and delivers
 * nothing.
 */
int test_reflect(void)
{
	static struct tally at_rx, at_tx, none_rx, none_tx;
	struct ring rings[2];
	hash_filtering_rule h;
	struct pfr_stats st;
	uint16_t reflect_id = 2;
	uint8_t txmac[6];
	int err;

	dev_mac(txdev, txmac);
	err = ring_start(&rings[0], rxdev);
	if (!err)
		err = ring_start(&rings[1], txdev);
	if (err)
		return fail("rings: %s", strerror(-err));
	/* RX only: the copies sent out of RXDEV would be captured as TX */
	if (sopt_u32(&rings[0], PFR_SO_SET_PACKET_DIRECTION, rx_only_direction) ||
	    sopt_u32(&rings[1], PFR_SO_SET_PACKET_DIRECTION, rx_only_direction))
		return fail("direction: %s", strerror(errno));
	memset(&h, 0, sizeof(h));
	h.proto = 17;
	/* flow 1: 127.0.0.2:10002 -> 127.0.0.2:9000 */
	h.host_peer_a.v4 = h.host_peer_b.v4 = 0x7f000002;
	h.port_peer_a = 10002;
	h.port_peer_b = TEST_DPORT;
	h.rule_action = bounce_packet_and_stop_rule_evaluation;
	if (add_send_rule(&rings[0], 1, bounce_packet_and_stop_rule_evaluation, TEST_DPORT + 1, "") ||
	    add_send_rule(&rings[0], 2, reflect_packet_and_stop_rule_evaluation, TEST_DPORT + 2, rxdev) ||
	    add_send_rule(&rings[0], 3, reflect_packet_and_continue_rule_evaluation, TEST_DPORT + 3, rxdev) ||
	    add_send_rule(&rings[0], 4, forward_packet_and_stop_rule_evaluation, TEST_DPORT + 3, "") ||
	    sopt(&rings[0], PFR_SO_ADD_HASH_RULE, &h, sizeof(h)))
		return fail("rules: %s", strerror(errno));
	if (send_frames(txdev, 0, 100, 2, TEST_DPORT) || send_frames(txdev, 100, 50, 1, TEST_DPORT + 1) ||
	    send_frames(txdev, 150, 50, 1, TEST_DPORT + 2) || send_frames(txdev, 200, 30, 1, TEST_DPORT + 3))
		return fail("send");
	drain_all(&rings[0], &at_rx, 1, 80, 5000);
	drain_all(&rings[1], &at_tx, 1, 180, 5000);
	get_stats(&rings[0], &st);
	if (at_rx.frames != 80 || at_rx.per_dport[0] != 50 || at_rx.per_flow[1] || at_rx.per_dport[3] != 30)
		return fail("capture ring got %u frames (%u to 9000, %u of flow 1, %u to 9003); 50 of flow 0 "
			    "and 30 to 9003 expected", at_rx.frames, at_rx.per_dport[0], at_rx.per_flow[1],
			    at_rx.per_dport[3]);
	if (at_tx.per_dport[0] != 50 || at_tx.per_flow[1] != 50 || at_tx.per_dport[1] != 50 ||
	    at_tx.per_dport[2] != 50 || at_tx.per_dport[3] != 30)
		return fail("sender saw %u/%u (9000, flow 1), %u bounced, %u reflected, %u reflected+delivered "
			    "(50/50, 50, 50, 30 expected)", at_tx.per_dport[0], at_tx.per_flow[1],
			    at_tx.per_dport[1], at_tx.per_dport[2], at_tx.per_dport[3]);
	if (memcmp(at_tx.last_dst[0], txmac, 6) || memcmp(at_tx.last_dst[1], txmac, 6))
		return fail("bounced frame not addressed to the sender's MAC");
	if (memcmp(at_tx.last_dst[2], "\xff\xff\xff\xff\xff\xff", 6))
		return fail("reflected frame changed its destination MAC");
	if (st.reflected != 180)
		return fail("reflected counter %llu, 180 expected", (unsigned long long)st.reflected);
	printf("ok: reflect: hash-rule bounce 50, bounce 50 (MACs swapped), reflect 50 unchanged, "
	       "reflect+continue 30 also delivered, 50 delivered\n");

	if (add_send_rule(&rings[0], 5, reflect_packet_and_stop_rule_evaluation, TEST_DPORT + 2, "nosuchdev0") ||
	    sopt(&rings[0], PFR_SO_REMOVE_FILTERING_RULE, &reflect_id, sizeof(reflect_id)))
		return fail("rules: %s", strerror(errno));
	if (send_frames(txdev, 300, 20, 1, TEST_DPORT + 2))
		return fail("send");
	drain_all(&rings[0], &none_rx, 1, 0, 1000);
	drain_all(&rings[1], &none_tx, 1, 0, 500);
	get_stats(&rings[0], &st);
	if (none_rx.frames || none_tx.frames || st.reflected != 180)
		return fail("reflect to a missing device: %u delivered, %u came back, counter %llu",
			    none_rx.frames, none_tx.frames, (unsigned long long)st.reflected);
	printf("ok: reflect to a missing device: nothing sent, nothing delivered\n");
	ring_close(&rings[0]);
	ring_close(&rings[1]);
	return 0;
}
