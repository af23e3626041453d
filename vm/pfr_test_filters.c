/*
 * pfr_test_filters.c - tests of what one ring receives: capture, ring overflow, a hostile
 * ring header, the poll watermark, BPF, sampling, wildcard and hash rules.
 */
#include "pfr_test.h"

/* Every sent frame arrives exactly once; the counters agree. */
int test_capture(void)
{
	static struct tally t;
	struct pfr_stats st;
	struct ring r;
	const uint32_t n = 1000;
	int err;

	err = ring_start(&r, rxdev);
	if (err)
		return fail("ring on %s: %s", rxdev, strerror(-err));
	if (sopt(&r, PFR_SO_SET_APPL_NAME, "pfr-capture", 11))
		return fail("SO_SET_APPL_NAME: %s", strerror(errno));
	err = send_frames(txdev, 0, n, 1, TEST_DPORT);
	if (err)
		return fail("send: %s", strerror(-err));
	drain_all(&r, &t, 1, n, 5000);
	if (get_stats(&r, &st))
		return fail("SO_GET_STATS: %s", strerror(errno));
	if (t.frames != n || t.dups)
		return fail("%u of %u frames, %u duplicates", t.frames, n, t.dups);
	if (st.drop || st.recv != (uint64_t)t.frames + t.others)
		return fail("stats recv %llu drop %llu, ring had %u", (unsigned long long)st.recv,
			    (unsigned long long)st.drop, t.frames + t.others);
	if (r.hdr->produced != st.recv)
		return fail("ring header produced %llu != stats %llu",
			    (unsigned long long)r.hdr->produced, (unsigned long long)st.recv);
	printf("ok: capture %u/%u frames on %s, %u other packets, stats recv=%llu drop=0\n",
	       t.frames, n, rxdev, t.others, (unsigned long long)st.recv);
	ring_close(&r);
	return 0;
}

/*
 * A ring nobody reads holds num_slots packets; the rest are counted as
 * drops, in the socket's counters and in the ring header. Reading frees
 * the slots again.
 */
int test_overflow(void)
{
	static struct tally t;
	struct pfr_stats st;
	struct ring r;
	uint32_t slots, n;
	int err;

	err = ring_start_test_frames(&r, rxdev);
	if (err)
		return fail("ring: %s", strerror(-err));
	slots = r.hdr->num_slots;
	n = slots + slots / 2;
	if (n > MAX_SEQ)
		return fail("ring of %u slots too large for this test", slots);
	if (send_frames(txdev, 0, n, 1, TEST_DPORT))
		return fail("send");
	usleep(500000);
	if (get_stats(&r, &st))
		return fail("stats: %s", strerror(errno));
	if (st.recv != slots || st.drop != n - slots || r.hdr->full_drops != n - slots)
		return fail("overflow: recv %llu drop %llu header drops %llu (%u and %u expected)",
			    (unsigned long long)st.recv, (unsigned long long)st.drop,
			    (unsigned long long)r.hdr->full_drops, slots, n - slots);
	ring_drain(&r, &t);
	if (t.frames != slots || !t.seen[0] || !t.seen[slots - 1] || t.seen[slots])
		return fail("overflow: read %u frames, not the first %u", t.frames, slots);
	if (send_frames(txdev, n, 10, 1, TEST_DPORT))
		return fail("send");
	memset(&t, 0, sizeof(t));
	drain_all(&r, &t, 1, 10, 5000);
	if (t.frames != 10)
		return fail("after draining, %u/10 new frames", t.frames);
	printf("ok: overflow: %u-slot ring kept frames 0..%u, dropped %u, accepts again after reading\n",
	       slots, slots - 1, n - slots);
	ring_close(&r);
	return 0;
}

/*
 * User space maps the whole ring writable. Garbage in the header (geometry,
 * indices) must not make the kernel write outside the ring: packets keep
 * being counted, a consumer index claiming more free slots than exist is a
 * full ring, and the kernel log stays clean (checked by the harness).
 */
int test_hostile(void)
{
	struct pfr_stats st;
	struct ring r;
	int err;

	err = ring_start_test_frames(&r, rxdev);
	if (err)
		return fail("ring: %s", strerror(-err));
	r.hdr->num_slots = 0x7fffffff;
	r.hdr->slot_size = 0xfffffff0;
	r.hdr->data_offset = 0x80000000;
	r.hdr->insert_idx = 12345;
	r.hdr->remove_idx = 1; /* "more free slots than the ring has" */
	if (send_frames(txdev, 0, 100, 1, TEST_DPORT))
		return fail("send");
	usleep(500000);
	if (get_stats(&r, &st))
		return fail("stats: %s", strerror(errno));
	if (st.recv != 0 || st.drop != 100)
		return fail("impossible consumer index: recv %llu drop %llu (0, 100 expected)",
			    (unsigned long long)st.recv, (unsigned long long)st.drop);
	r.hdr->remove_idx = 0; /* consistent again: the kernel's insert index is 0 */
	if (send_frames(txdev, 100, 100, 1, TEST_DPORT))
		return fail("send");
	usleep(500000);
	get_stats(&r, &st);
	if (st.recv != 100 || r.hdr->insert_idx != 100)
		return fail("after repair: recv %llu, insert_idx %u (100 expected)",
			    (unsigned long long)st.recv, r.hdr->insert_idx);
	printf("ok: hostile header: kernel kept its own geometry, 100 dropped, then 100 stored\n");
	ring_close(&r);
	return 0;
}

/* poll() wakes only once the watermark is reached. */
int test_watermark(void)
{
	struct pollfd pfd;
	struct ring r;
	int err, n;

	err = ring_start(&r, rxdev);
	if (err)
		return fail("ring: %s", strerror(-err));
	if (attach_udp_port_filter(&r, TEST_DPORT) || sopt_u32(&r, PFR_SO_SET_POLL_WATERMARK, 16))
		return fail("options: %s", strerror(errno));
	pfd.fd = r.fd;
	pfd.events = POLLIN;
	if (send_frames(txdev, 0, 15, 1, TEST_DPORT))
		return fail("send");
	n = poll(&pfd, 1, 500);
	if (n != 0)
		return fail("poll returned %d with 15 of 16 packets queued (%u)", n,
			    pfc_ring_count(r.hdr));
	if (pfc_ring_count(r.hdr) != 15)
		return fail("%u queued, 15 expected", pfc_ring_count(r.hdr));
	if (send_frames(txdev, 15, 1, 1, TEST_DPORT))
		return fail("send");
	n = poll(&pfd, 1, 3000);
	if (n != 1 || !(pfd.revents & POLLIN))
		return fail("poll returned %d revents %x at the watermark", n, pfd.revents);
	/* a bad watermark is refused */
	if (!sopt_u32(&r, PFR_SO_SET_POLL_WATERMARK, 0) || errno != EINVAL)
		return fail("watermark 0 accepted");
	printf("ok: poll sleeps at 15 queued packets, wakes at the watermark 16\n");
	ring_close(&r);
	return 0;
}

/* SO_ATTACH_FILTER: only dport 9001 passes. */
int test_bpf(void)
{
	static struct tally t;
	struct pfr_stats st;
	struct ring r;
	int err;

	err = ring_start(&r, rxdev);
	if (err)
		return fail("ring: %s", strerror(-err));
	if (attach_udp_port_filter(&r, TEST_DPORT + 1))
		return fail("SO_ATTACH_FILTER: %s", strerror(errno));
	if (send_frames(txdev, 0, 200, 1, TEST_DPORT) || send_frames(txdev, 200, 100, 1, TEST_DPORT + 1))
		return fail("send");
	drain_all(&r, &t, 1, 100, 5000);
	get_stats(&r, &st);
	if (t.frames != 100 || t.others || t.dups)
		return fail("bpf: %u frames (100 expected), %u others", t.frames, t.others);
	for (err = 200; err < 300; err++)
		if (!t.seen[err])
			return fail("bpf: frame %d (dport 9001) missing", err);
	if (st.filtered < 200)
		return fail("bpf: filtered counter %llu < 200", (unsigned long long)st.filtered);
	printf("ok: bpf kept 100/300 frames, filtered=%llu\n", (unsigned long long)st.filtered);
	ring_close(&r);
	return 0;
}

/* Sampling rate 4 delivers frames 0, 4, 8, ... of those that passed BPF. */
int test_sampling(void)
{
	static struct tally t;
	struct pfr_stats st;
	struct ring r;
	int err, i;

	err = ring_start(&r, rxdev);
	if (err)
		return fail("ring: %s", strerror(-err));
	if (attach_udp_port_filter(&r, TEST_DPORT) || sopt_u32(&r, PFR_SO_SET_SAMPLING_RATE, 4))
		return fail("options: %s", strerror(errno));
	if (send_frames(txdev, 0, 400, 1, TEST_DPORT))
		return fail("send");
	drain_all(&r, &t, 1, 100, 5000);
	get_stats(&r, &st);
	if (t.frames != 100)
		return fail("sampling 1/4 of 400: got %u", t.frames);
	for (i = 0; i < 400; i++)
		if (t.seen[i] != (i % 4 == 0))
			return fail("sampling: frame %d seen %u times", i, t.seen[i]);
	if (st.sampled_out != 300)
		return fail("sampled_out %llu, 300 expected", (unsigned long long)st.sampled_out);
	printf("ok: sampling rate 4 delivered frames 0,4,...,396 (100/400)\n");
	ring_close(&r);
	return 0;
}

/* Wildcard rule + drop policy; removing the rule leaves nothing. */
int test_rules(void)
{
	static struct tally t, t2;
	hash_filtering_rule_stats rst;
	filtering_rule rule;
	socklen_t len = sizeof(rst);
	struct ring r;
	uint16_t id = 5;
	int err;

	err = ring_start(&r, rxdev);
	if (err)
		return fail("ring: %s", strerror(-err));
	memset(&rule, 0, sizeof(rule));
	rule.rule_id = id;
	rule.rule_action = forward_packet_and_stop_rule_evaluation;
	rule.core_fields.proto = 17;
	rule.core_fields.dport_low = TEST_DPORT + 1;
	rule.core_fields.dport_high = TEST_DPORT + 1;
	if (sopt_u32(&r, PFR_SO_TOGGLE_FILTER_POLICY, 0) ||
	    sopt(&r, PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule)))
		return fail("rule options: %s", strerror(errno));
	if (!sopt(&r, PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule)) || errno != EEXIST)
		return fail("duplicate rule id accepted");
	rule.rule_id = 6;
	rule.rule_action = 99;
	if (!sopt(&r, PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule)) || errno != EINVAL)
		return fail("invalid action accepted");
	if (send_frames(txdev, 0, 50, 1, TEST_DPORT) || send_frames(txdev, 50, 50, 1, TEST_DPORT + 1))
		return fail("send");
	drain_all(&r, &t, 1, 50, 5000);
	if (t.frames != 50 || !t.seen[50] || t.seen[0] || t.others)
		return fail("rule: %u frames, %u others (50 of dport 9001 expected)", t.frames, t.others);
	memcpy(&rst, &id, sizeof(id));
	if (getsockopt(r.fd, PFR_SOL, PFR_SO_GET_FILTERING_RULE_STATS, &rst, &len))
		return fail("rule stats: %s", strerror(errno));
	if (rst.match != 50)
		return fail("rule matched %llu, 50 expected", (unsigned long long)rst.match);
	if (sopt(&r, PFR_SO_REMOVE_FILTERING_RULE, &id, sizeof(id)))
		return fail("remove rule: %s", strerror(errno));
	if (!sopt(&r, PFR_SO_REMOVE_FILTERING_RULE, &id, sizeof(id)) || errno != ENOENT)
		return fail("removing a missing rule succeeded");
	if (send_frames(txdev, 100, 50, 1, TEST_DPORT + 1))
		return fail("send");
	drain_all(&r, &t2, 1, 0, 1000);
	if (t2.frames)
		return fail("%u frames passed a drop policy without rules", t2.frames);
	printf("ok: wildcard rule forwarded 50/100 under drop policy, stats match=50, removed\n");
	ring_close(&r);
	return 0;
}

/* A hash rule for one flow under a drop policy. */
int test_hashrule(void)
{
	static struct tally t;
	hash_filtering_rule h;
	struct ring r;
	int err, i;

	err = ring_start(&r, rxdev);
	if (err)
		return fail("ring: %s", strerror(-err));
	memset(&h, 0, sizeof(h));
	h.rule_id = 1;
	h.vlan_id = 0;
	h.proto = 17;
	/* flow 3: 127.0.0.4:10006 -> 127.0.0.2:9000; the rule is written reversed */
	h.host_peer_a.v4 = 0x7f000002;
	h.host_peer_b.v4 = 0x7f000004;
	h.port_peer_a = TEST_DPORT;
	h.port_peer_b = 10006;
	h.rule_action = forward_packet_and_stop_rule_evaluation;
	if (sopt_u32(&r, PFR_SO_TOGGLE_FILTER_POLICY, 0) || sopt(&r, PFR_SO_ADD_HASH_RULE, &h, sizeof(h)))
		return fail("hash rule: %s", strerror(errno));
	if (send_frames(txdev, 0, 80, 8, TEST_DPORT))
		return fail("send");
	drain_all(&r, &t, 1, 10, 5000);
	for (i = 0; i < 80; i++)
		if (t.seen[i] != (i % 8 == 3))
			return fail("hash rule: frame %d (flow %d) seen %u times", i, i % 8, t.seen[i]);
	if (sopt(&r, PFR_SO_REMOVE_HASH_RULE, &h, sizeof(h)))
		return fail("remove hash rule: %s", strerror(errno));
	printf("ok: hash rule (both directions' key) passed flow 3 only: %u frames\n", t.frames);
	ring_close(&r);
	return 0;
}

/* Statistics of wildcard rule id; 0 or the errno of the getsockopt. */
static int rule_stats(const struct ring *r, uint16_t id, hash_filtering_rule_stats *st)
{
	socklen_t len = sizeof(*st);

	memset(st, 0, sizeof(*st));
	memcpy(st, &id, sizeof(id));
	return getsockopt(r->fd, PFR_SOL, PFR_SO_GET_FILTERING_RULE_STATS, st, &len) ? errno : 0;
}

/* A hash rule forwarding flow f of send_frames to TEST_DPORT. */
static hash_filtering_rule flow_hash_rule(uint32_t f)
{
	hash_filtering_rule h;

	memset(&h, 0, sizeof(h));
	h.proto = 17;
	h.host_peer_a.v4 = 0x7f000002;
	h.host_peer_b.v4 = 0x7f000001 + f;
	h.port_peer_a = TEST_DPORT;
	h.port_peer_b = (uint16_t)(10000 + 2 * f);
	h.rule_action = forward_packet_and_stop_rule_evaluation;
	return h;
}

/*
 * pfring_purge_idle_rules / _hash_rules (guide 8.10): after 2.5 s, rules
 * that just matched and a locked rule stay, the idle ones go; inactivity
 * in the rule statistics counts the seconds since the last match.
 */
int test_purge(void)
{
	static struct tally t, t2;
	hash_filtering_rule ha = flow_hash_rule(0), hb = flow_hash_rule(1);
	hash_filtering_rule_stats st1, st2, st3;
	filtering_rule rule;
	uint32_t busy_s, idle_s;
	uint16_t secs = 2, id;
	struct ring r;
	int err;

	err = ring_start(&r, rxdev);
	if (err)
		return fail("ring: %s", strerror(-err));
	/* rule i forwards TEST_DPORT + i; rule 3 is locked */
	for (id = 1; id <= 3; id++) {
		rule = udp_rule(id, forward_packet_and_stop_rule_evaluation, TEST_DPORT + id);
		rule.locked = id == 3;
		if (sopt(&r, PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule)))
			return fail("rule %u: %s", id, strerror(errno));
	}
	if (sopt_u32(&r, PFR_SO_TOGGLE_FILTER_POLICY, 0) || sopt(&r, PFR_SO_ADD_HASH_RULE, &ha, sizeof(ha)) ||
	    sopt(&r, PFR_SO_ADD_HASH_RULE, &hb, sizeof(hb)))
		return fail("hash rules: %s", strerror(errno));
	usleep(2500000);
	/* rule 1 and hash rule A match now; 2, 3 (locked) and B stay idle */
	if (send_frames(txdev, 0, 5, 1, TEST_DPORT + 1) || send_frames(txdev, 5, 5, 1, TEST_DPORT))
		return fail("send");
	drain_all(&r, &t, 1, 10, 3000);
	if (t.frames != 10)
		return fail("rules passed %u/10 frames before the purge", t.frames);
	if (rule_stats(&r, 1, &st1) || rule_stats(&r, 2, &st2))
		return fail("rule stats: %s", strerror(errno));
	if (st1.inactivity > 1 || st2.inactivity < 2 || st1.match != 5 || st2.match)
		return fail("inactivity: matched rule %u s (%llu matches), idle rule %u s", st1.inactivity,
			    (unsigned long long)st1.match, st2.inactivity);
	busy_s = st1.inactivity;
	idle_s = st2.inactivity;
	if (sopt(&r, PFR_SO_PURGE_IDLE_RULES, &secs, sizeof(secs)) ||
	    sopt(&r, PFR_SO_PURGE_IDLE_HASH_RULES, &secs, sizeof(secs)))
		return fail("purge: %s", strerror(errno));
	if (rule_stats(&r, 1, &st1) || rule_stats(&r, 3, &st3) || rule_stats(&r, 2, &st2) != ENOENT)
		return fail("after purging 2 s idle rules: rule 1 %s, locked rule 3 %s, idle rule 2 %s",
			    rule_stats(&r, 1, &st1) ? "gone" : "kept", rule_stats(&r, 3, &st3) ? "gone" : "kept",
			    rule_stats(&r, 2, &st2) ? "gone" : "kept");
	if (!sopt(&r, PFR_SO_REMOVE_HASH_RULE, &hb, sizeof(hb)) || errno != ENOENT)
		return fail("idle hash rule survived the purge");
	/* the surviving hash rule and rule 1 still pass their frames; 9002 no longer */
	if (send_frames(txdev, 10, 5, 1, TEST_DPORT) || send_frames(txdev, 15, 5, 1, TEST_DPORT + 1) ||
	    send_frames(txdev, 20, 5, 1, TEST_DPORT + 2))
		return fail("send");
	drain_all(&r, &t2, 1, 10, 3000);
	if (t2.frames != 10 || t2.per_dport[2])
		return fail("after the purge %u frames passed (%u to 9002); 10, none to 9002 expected",
			    t2.frames, t2.per_dport[2]);
	if (sopt(&r, PFR_SO_REMOVE_HASH_RULE, &ha, sizeof(ha)))
		return fail("matched hash rule did not survive the purge: %s", strerror(errno));
	printf("ok: purge idle (2 s): matched rule and hash rule kept, locked rule kept, idle rule and "
	       "hash rule gone; inactivity %u s vs %u s\n", busy_s, idle_s);
	ring_close(&r);
	return 0;
}
