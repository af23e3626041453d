/*
 * pfr_test_datapath.c - tests of what the capture path does to a packet
 * before a ring sees it: RX queue selection (channel masks), VLAN tags put
 * back into the bytes, IPv4 reassembly (enable_ip_defrag).
 */
#include "pfr_test.h"

/*
 * One ring per RX queue of RXDEV (PFR_SO_SET_CHANNEL_MASK 1 << q) next to
 * a ring on the whole device: the queues together get exactly what the
 * device got, each frame once, and with several queues and 16 flows no
 * queue gets everything. Sent frames count as queue 0.
 */
int test_channels(uint32_t min_queues)
{
	static struct tally whole, q[64], tx0, tx1;
	static struct ring rq[64];
	struct ring w, t0, t1;
	const uint32_t n = 400;
	uint32_t nch = 0, any_nch = 0, i, seq, sum = 0, busy = 0;
	socklen_t len = sizeof(nch);
	uint64_t mask = 0;
	int err;

	err = ring_start_test_frames(&w, rxdev);
	if (err)
		return fail("ring: %s", strerror(-err));
	if (getsockopt(w.fd, PFR_SOL, PFR_SO_GET_NUM_RX_CHANNELS, &nch, &len) || nch < 1 || nch > 64)
		return fail("PFR_SO_GET_NUM_RX_CHANNELS on %s: %u (%s)", rxdev, nch, strerror(errno));
	if (nch < min_queues)
		return fail("%s has %u RX queue(s), at least %u expected", rxdev, nch, min_queues);
	if (sopt(&w, PFR_SO_SET_CHANNEL_MASK, &mask, sizeof(mask)) == 0 || errno != EINVAL)
		return fail("channel mask 0 accepted");
	if (ring_open(&t0, "any"))
		return fail("ring on any");
	len = sizeof(any_nch);
	if (getsockopt(t0.fd, PFR_SOL, PFR_SO_GET_NUM_RX_CHANNELS, &any_nch, &len) || any_nch != 1)
		return fail("RX channels of \"any\": %u, 1 expected", any_nch);
	ring_close(&t0);
	for (i = 0; i < nch; i++) {
		mask = 1ULL << i;
		err = ring_open(&rq[i], rxdev);
		if (err)
			return fail("ring %u: %s", i, strerror(-err));
		if (sopt(&rq[i], PFR_SO_SET_CHANNEL_MASK, &mask, sizeof(mask)) ||
		    attach_udp_port_filter(&rq[i], TEST_DPORT) || sopt(&rq[i], PFR_SO_ACTIVATE_RING, NULL, 0))
			return fail("queue ring %u: %s", i, strerror(errno));
	}
	/* TX capture: queue 0 only */
	err = ring_start_test_frames(&t0, txdev);
	err = err ? err : ring_start_test_frames(&t1, txdev);
	if (err)
		return fail("tx rings: %s", strerror(-err));
	mask = 1;
	if (sopt(&t0, PFR_SO_SET_CHANNEL_MASK, &mask, sizeof(mask)) ||
	    sopt_u32(&t0, PFR_SO_SET_PACKET_DIRECTION, tx_only_direction))
		return fail("tx ring 0: %s", strerror(errno));
	mask = ~1ULL;
	if (sopt(&t1, PFR_SO_SET_CHANNEL_MASK, &mask, sizeof(mask)) ||
	    sopt_u32(&t1, PFR_SO_SET_PACKET_DIRECTION, tx_only_direction))
		return fail("tx ring 1: %s", strerror(errno));

	spread_sources = 1;
	err = send_frames(txdev, 0, n, 16, TEST_DPORT);
	spread_sources = 0;
	if (err)
		return fail("send");
	drain_all(&w, &whole, 1, n, 5000);
	drain_all(rq, q, (int)nch, n, 5000);
	drain_all(&t0, &tx0, 1, n, 2000);
	drain_all(&t1, &tx1, 1, 0, 200);
	if (whole.frames != n || whole.dups)
		return fail("whole device: %u/%u frames, %u twice", whole.frames, n, whole.dups);
	for (i = 0; i < nch; i++) {
		sum += q[i].frames;
		busy += q[i].frames != 0;
		if (q[i].frames && q[i].queue_bits != 1ULL << i)
			return fail("ring of queue %u got slots of queues %#llx", i,
				    (unsigned long long)q[i].queue_bits);
		printf("  queue %u: %u frames\n", i, q[i].frames);
	}
	for (seq = 0; seq < n; seq++) {
		uint32_t times = 0;

		for (i = 0; i < nch; i++)
			times += q[i].seen[seq];
		if (times != 1)
			return fail("frame %u in %u queue rings", seq, times);
	}
	if (sum != whole.frames)
		return fail("queues got %u frames, the device %u", sum, whole.frames);
	if (nch > 1 && busy < 2)
		return fail("16 flows all landed in one of %u queues", nch);
	if (tx0.frames != n || tx1.frames)
		return fail("TX capture: mask 1 got %u/%u, mask ~1 got %u (sent frames are queue 0)",
			    tx0.frames, n, tx1.frames);
	printf("ok: channels: %u RX queue(s) on %s, %u busy, union %u = device %u, each frame once; "
	       "TX is queue 0\n", nch, rxdev, busy, sum, whole.frames);
	for (i = 0; i < nch; i++)
		ring_close(&rq[i]);
	ring_close(&w);
	ring_close(&t0);
	ring_close(&t1);
	return 0;
}

#define VLAN_ID 5
#define VLAN_FRAME_LEN 60 /* untagged */

/* A UDP frame carrying "PFRV" and seq, with an 802.1Q tag of VLAN_ID if tagged. */
static uint32_t vlan_frame_build(uint8_t *f, uint32_t seq, int tagged, const uint8_t mac[6])
{
	uint32_t t = tagged ? 4 : 0, nseq = htonl(seq);
	uint8_t *ip = f + 14 + t;

	memset(f, 0, VLAN_FRAME_LEN + t);
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	if (tagged) {
		f[12] = 0x81;
		f[14] = VLAN_ID >> 8;
		f[15] = VLAN_ID & 0xff;
	}
	f[12 + t] = 0x08;
	ip[0] = 0x45;
	ip[3] = VLAN_FRAME_LEN - 14;
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, "\x7f\x00\x00\x01\x7f\x00\x00\x02", 8);
	ip_csum_set(ip);
	ip[20] = 10000 >> 8;
	ip[21] = 10000 & 0xff;
	ip[22] = TEST_DPORT >> 8;
	ip[23] = TEST_DPORT & 0xff;
	ip[25] = VLAN_FRAME_LEN - 34;
	memcpy(ip + 28, "PFRV", 4);
	memcpy(ip + 32, &nseq, 4);
	return VLAN_FRAME_LEN + t;
}

struct vlan_check {
	uint8_t mac[6];
	int tagged; /* the form the ring must show */
	uint32_t bad; /* test frames in the other form, or differing */
};

/* ring_scan: a vlan_frame_build frame exactly as expected. */
static int vlan_frame_check(int ring, const struct pfc_slot_hdr *s, const uint8_t *p, void *ctx)
{
	struct vlan_check *vc = ctx;
	uint32_t off = vc->tagged ? 46 : 42, other = vc->tagged ? 42 : 46, seq, len;
	uint8_t f[VLAN_FRAME_LEN + 4];

	(void)ring;
	if (s->caplen >= other + 4 && !memcmp(p + other, "PFRV", 4)) {
		vc->bad++;
		return 0;
	}
	if (s->caplen < off + 8 || memcmp(p + off, "PFRV", 4))
		return 0;
	memcpy(&seq, p + off + 4, 4);
	len = vlan_frame_build(f, ntohl(seq), vc->tagged, vc->mac);
	if (s->len != len || s->caplen != len || memcmp(p, f, len)) {
		vc->bad++;
		return 0;
	}
	return 1;
}

/* A ring on dev that keeps only what a wildcard rule on vlan_id lets through. */
static int ring_vlan_rule(struct ring *r, const char *dev, uint16_t vlan_id)
{
	filtering_rule rule = udp_rule(1, forward_packet_and_stop_rule_evaluation, TEST_DPORT);
	int err = ring_start(r, dev);

	rule.core_fields.vlan_id = vlan_id;
	if (!err && (sopt_u32(r, PFR_SO_TOGGLE_FILTER_POLICY, 0) ||
		     sopt(r, PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule))))
		err = -errno;
	return err;
}

/*
 * VLAN VLAN_ID frames sent tagged from TXDEV to RXDEV, which has a VLAN
 * device RXDEV.5: whether the NIC or the stack took the tag out of the
 * frame, the ring on RXDEV shows it as on the wire, the ring on RXDEV.5
 * untagged, and rules and BPF programs see the VLAN id (a program written for
 * the tag in the bytes, as libpcap compiles "vlan 5"). Frames sent on RXDEV.5 (the tag
 * in skb metadata for the NIC to insert) show up tagged in RXDEV's TX
 * capture.
 */
int test_vlan(void)
{
	struct vlan_check tagged = { .tagged = 1 }, untagged = { .tagged = 0 }, ok5 = { .tagged = 1 },
			  no7 = { .tagged = 1 }, txc = { .tagged = 1 }, okb5 = { .tagged = 1 },
			  nob7 = { .tagged = 1 };
	struct ring r, r5, rule5, rule7, tx, bpf5, bpf7;
	char vdev[IFNAMSIZ];
	uint8_t f[VLAN_FRAME_LEN + 4];
	uint32_t seq, n = 20, got, got5, gotr5, gotr7, gottx, gotb5, gotb7;
	int err, fd;

	snprintf(vdev, sizeof(vdev), "%s.%d", rxdev, VLAN_ID);
	dev_mac(txdev, tagged.mac);
	memcpy(untagged.mac, tagged.mac, 6);
	memcpy(ok5.mac, tagged.mac, 6);
	memcpy(no7.mac, tagged.mac, 6);
	memcpy(okb5.mac, tagged.mac, 6);
	memcpy(nob7.mac, tagged.mac, 6);
	dev_mac(vdev, txc.mac);
	err = ring_start(&r, rxdev);
	err = err ? err : ring_start(&r5, vdev);
	err = err ? err : ring_vlan_rule(&rule5, rxdev, VLAN_ID);
	err = err ? err : ring_vlan_rule(&rule7, rxdev, VLAN_ID + 2);
	err = err ? err : ring_start(&tx, rxdev);
	err = err ? err : ring_start(&bpf5, rxdev);
	err = err ? err : ring_start(&bpf7, rxdev);
	if (!err && (attach_vlan_filter(&bpf5, VLAN_ID) || attach_vlan_filter(&bpf7, VLAN_ID + 2)))
		err = -errno;
	if (err)
		return fail("rings on %s/%s: %s", rxdev, vdev, strerror(-err));
	if (sopt_u32(&tx, PFR_SO_SET_PACKET_DIRECTION, tx_only_direction))
		return fail("direction: %s", strerror(errno));
	fd = raw_socket(txdev);
	if (fd < 0)
		return fail("AF_PACKET on %s", txdev);
	for (seq = 0; seq < n; seq++)
		if (send(fd, f, vlan_frame_build(f, seq, 1, tagged.mac), 0) < 0)
			return fail("send: %s", strerror(errno));
	close(fd);
	got = ring_scan(&r, 1, vlan_frame_check, &tagged, n, 5000);
	got5 = ring_scan(&r5, 1, vlan_frame_check, &untagged, n, 2000);
	gotr5 = ring_scan(&rule5, 1, vlan_frame_check, &ok5, n, 2000);
	gotr7 = ring_scan(&rule7, 1, vlan_frame_check, &no7, 0, 200);
	gotb5 = ring_scan(&bpf5, 1, vlan_frame_check, &okb5, n, 2000);
	gotb7 = ring_scan(&bpf7, 1, vlan_frame_check, &nob7, 0, 200);
	if (got != n || tagged.bad)
		return fail("%s: %u/%u tagged frames as sent, %u untagged or differing", rxdev, got, n,
			    tagged.bad);
	if (got5 != n || untagged.bad)
		return fail("%s: %u/%u untagged frames, %u tagged or differing", vdev, got5, n, untagged.bad);
	if (gotr5 != n || ok5.bad || gotr7 || no7.bad)
		return fail("rules: vlan_id %d passed %u/%u (%u bad), vlan_id %d passed %u (0 expected)",
			    VLAN_ID, gotr5, n, ok5.bad, VLAN_ID + 2, gotr7);
	if (gotb5 != n || okb5.bad || gotb7 || nob7.bad)
		return fail("BPF: vlan %d passed %u/%u (%u bad), vlan %d passed %u (0 expected)", VLAN_ID,
			    gotb5, n, okb5.bad, VLAN_ID + 2, gotb7);

	fd = raw_socket(vdev);
	if (fd < 0)
		return fail("AF_PACKET on %s", vdev);
	for (seq = 100; seq < 100 + n; seq++)
		if (send(fd, f, vlan_frame_build(f, seq, 0, txc.mac), 0) < 0)
			return fail("send on %s: %s", vdev, strerror(errno));
	close(fd);
	gottx = ring_scan(&tx, 1, vlan_frame_check, &txc, n, 3000);
	if (gottx != n || txc.bad)
		return fail("%s TX capture of frames sent on %s: %u/%u tagged, %u untagged or differing",
			    rxdev, vdev, gottx, n, txc.bad);
	printf("ok: vlan %d: %s shows %u/%u frames with their 802.1Q tag, %s %u untagged; rule vlan_id "
	       "%d %u, vlan_id %d 0; BPF vlan %d %u, vlan %d 0; TX via %s captured tagged %u/%u\n", VLAN_ID,
	       rxdev, got, n, vdev, got5, VLAN_ID, gotr5, VLAN_ID + 2, VLAN_ID, gotb5, VLAN_ID + 2, vdev,
	       gottx, n);
	ring_close(&r);
	ring_close(&r5);
	ring_close(&rule5);
	ring_close(&rule7);
	ring_close(&tx);
	ring_close(&bpf5);
	ring_close(&bpf7);
	return 0;
}

#define DEFRAG_DPORT 9005
#define DEFRAG_UDP_LEN 208 /* UDP header and 200 payload bytes, in two fragments of 104 */

struct defrag {
	uint8_t frag[2][14 + 20 + DEFRAG_UDP_LEN / 2];
	uint8_t udp[DEFRAG_UDP_LEN];
	uint16_t ip_id;
	uint32_t whole, frags, bad;
};

/* Fragment i of the datagram: offset 0 with MF, then offset 104 without. */
static void defrag_build(struct defrag *d, const uint8_t mac[6])
{
	uint32_t i, half = DEFRAG_UDP_LEN / 2;
	uint8_t *f, *ip;

	memset(d->udp, 0, sizeof(d->udp));
	d->udp[0] = 10000 >> 8;
	d->udp[1] = 10000 & 0xff;
	d->udp[2] = DEFRAG_DPORT >> 8;
	d->udp[3] = DEFRAG_DPORT & 0xff;
	d->udp[4] = DEFRAG_UDP_LEN >> 8;
	d->udp[5] = DEFRAG_UDP_LEN & 0xff;
	for (i = 8; i < DEFRAG_UDP_LEN; i++)
		d->udp[i] = (uint8_t)(i * 13 + d->ip_id);
	for (i = 0; i < 2; i++) {
		f = d->frag[i];
		ip = f + 14;
		memset(f, 0, sizeof(d->frag[i]));
		memset(f, 0xff, 6);
		memcpy(f + 6, mac, 6);
		f[12] = 0x08;
		ip[0] = 0x45;
		ip[2] = (20 + half) >> 8;
		ip[3] = (20 + half) & 0xff;
		ip[4] = (uint8_t)(d->ip_id >> 8);
		ip[5] = (uint8_t)d->ip_id;
		ip[6] = i ? 0 : 0x20; /* MF */
		ip[7] = i ? half / 8 : 0; /* offset in 8-byte units */
		ip[8] = 64;
		ip[9] = 17;
		memcpy(ip + 12, "\x7f\x00\x00\x09\x7f\x00\x00\x02", 8);
		ip_csum_set(ip);
		memcpy(ip + 20, d->udp + i * half, half);
	}
}

/* ring_scan: the reassembled datagram, or one of its fragments as sent. */
static int defrag_check(int ring, const struct pfc_slot_hdr *s, const uint8_t *p, void *ctx)
{
	struct defrag *d = ctx;
	const uint8_t *ip = p + 14;
	uint32_t whole_len = 14 + 20 + DEFRAG_UDP_LEN;

	(void)ring;
	if (s->caplen < 34 || p[12] != 0x08 || p[13] || ip[9] != 17 || ip[4] != (uint8_t)(d->ip_id >> 8) ||
	    ip[5] != (uint8_t)d->ip_id || memcmp(ip + 12, "\x7f\x00\x00\x09", 4))
		return 0;
	if (s->len == whole_len && s->caplen == whole_len) {
		/* one datagram: original addresses, no fragment bits, valid checksum */
		if (memcmp(p, d->frag[0], 14) || ip[2] != (20 + DEFRAG_UDP_LEN) >> 8 ||
		    ip[3] != ((20 + DEFRAG_UDP_LEN) & 0xff) || ip[6] || ip[7] || ip_csum(ip, 20) ||
		    memcmp(ip + 20, d->udp, DEFRAG_UDP_LEN))
			d->bad++;
		else
			d->whole++;
		return 1;
	}
	if (s->caplen == sizeof(d->frag[0]) &&
	    (!memcmp(p, d->frag[0], s->caplen) || !memcmp(p, d->frag[1], s->caplen)))
		d->frags++;
	else
		d->bad++;
	return 1;
}

/*
 * A 208-byte UDP datagram in two IPv4 fragments, the last sent first.
 * enable_ip_defrag=1 (on): the ring gets the datagram once, reassembled,
 * and a rule on its UDP port matches it; 0: the ring gets both fragments
 * as sent, and the rule matches the first only (the other has no UDP header).
 */
int test_defrag(int on)
{
	static struct defrag d, dr;
	filtering_rule rule = udp_rule(1, forward_packet_and_stop_rule_evaluation, DEFRAG_DPORT);
	struct ring r, rr;
	uint8_t mac[6];
	uint32_t hits, rhits;
	int err;

	dev_mac(txdev, mac);
	d.ip_id = (uint16_t)(getpid() * 2 + on);
	defrag_build(&d, mac);
	dr = d;
	err = ring_start(&r, rxdev);
	err = err ? err : ring_start(&rr, rxdev);
	if (err)
		return fail("rings: %s", strerror(-err));
	if (sopt_u32(&rr, PFR_SO_TOGGLE_FILTER_POLICY, 0) || sopt(&rr, PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule)))
		return fail("rule: %s", strerror(errno));
	if (send_raw(txdev, d.frag[1], sizeof(d.frag[1])) || send_raw(txdev, d.frag[0], sizeof(d.frag[0])))
		return fail("send fragments");
	hits = ring_scan(&r, 1, defrag_check, &d, on ? 1 : 2, 3000);
	rhits = ring_scan(&rr, 1, defrag_check, &dr, 1, 1000);
	if (on && (hits != 1 || d.whole != 1 || d.bad))
		return fail("enable_ip_defrag=1: %u packets (%u reassembled, %u fragments, %u wrong); "
			    "one whole datagram expected", hits, d.whole, d.frags, d.bad);
	if (!on && (hits != 2 || d.frags != 2 || d.bad))
		return fail("enable_ip_defrag=0: %u packets (%u fragments as sent, %u other); 2 expected",
			    hits, d.frags, d.whole + d.bad);
	if (rhits != 1 || (on ? dr.whole != 1 : dr.frags != 1))
		return fail("port rule passed %u packets (%u whole, %u fragments); 1 %s expected", rhits,
			    dr.whole, dr.frags, on ? "datagram" : "fragment");
	printf("ok: enable_ip_defrag=%d: %s; a UDP port rule matched %s\n", on,
	       on ? "2 fragments (last first) reached the ring as 1 reassembled datagram" :
		    "both fragments reached the ring as sent",
	       on ? "the datagram" : "the first fragment only");
	ring_close(&r);
	ring_close(&rr);
	return 0;
}
