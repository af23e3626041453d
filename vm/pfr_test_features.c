/*
 * pfr_test_features.c - tests of pf_ring.ko features: clusters, transparent modes,
 * plugins, TX capture, network namespaces, module parameters, stress.
 */
#include "pfr_test.h"

/* Two sockets, one cluster: union is everything, nothing twice. */
int test_cluster(uint32_t type)
{
	static struct tally t[2];
	struct pfr_cluster_req req = { .cluster_id = 7, .type = type };
	struct ring r[2];
	const uint32_t n = 400, flows = 16;
	uint32_t i, f;
	int err;

	for (i = 0; i < 2; i++) {
		err = ring_open(&r[i], rxdev);
		if (err)
			return fail("ring %u: %s", i, strerror(-err));
		if (sopt(&r[i], PFR_SO_ADD_TO_CLUSTER, &req, sizeof(req)) ||
		    sopt(&r[i], PFR_SO_ACTIVATE_RING, NULL, 0))
			return fail("cluster join %u: %s", i, strerror(errno));
	}
	/* control: another type for the same id, and a second join, fail */
	{
		struct ring x;
		struct pfr_cluster_req bad = { .cluster_id = 7, .type = type ? 0 : 1 };

		if (ring_open(&x, rxdev))
			return fail("ring x");
		if (!sopt(&x, PFR_SO_ADD_TO_CLUSTER, &bad, sizeof(bad)) || errno != EINVAL)
			return fail("cluster type mismatch accepted");
		ring_close(&x);
		if (!sopt(&r[0], PFR_SO_ADD_TO_CLUSTER, &req, sizeof(req)) || errno != EALREADY)
			return fail("second join accepted");
	}
	if (send_frames(txdev, 0, n, flows, TEST_DPORT))
		return fail("send");
	drain_all(r, t, 2, n, 5000);
	if (t[0].frames + t[1].frames != n)
		return fail("cluster union %u + %u != %u", t[0].frames, t[1].frames, n);
	for (i = 0; i < n; i++)
		if (t[0].seen[i] + t[1].seen[i] != 1)
			return fail("frame %u delivered %u times", i, t[0].seen[i] + t[1].seen[i]);
	if (type == cluster_round_robin) {
		if (t[0].frames != n / 2 || t[1].frames != n / 2)
			return fail("round robin split %u/%u", t[0].frames, t[1].frames);
	} else {
		for (f = 0; f < flows; f++)
			if (t[0].per_flow[f] && t[1].per_flow[f])
				return fail("flow %u split: %u/%u", f, t[0].per_flow[f], t[1].per_flow[f]);
		if (!t[0].frames || !t[1].frames)
			return fail("per-flow: one member got nothing (%u/%u)", t[0].frames, t[1].frames);
	}
	printf("ok: cluster type %u: %u + %u = %u frames, none twice%s\n", type, t[0].frames,
	       t[1].frames, n, type == cluster_round_robin ? ", even split" : ", each flow on one member");
	/* leaving: the remaining member gets everything */
	if (sopt(&r[1], PFR_SO_REMOVE_FROM_CLUSTER, NULL, 0))
		return fail("leave: %s", strerror(errno));
	ring_close(&r[1]);
	memset(&t[0], 0, sizeof(t[0]));
	if (send_frames(txdev, 0, 64, flows, TEST_DPORT))
		return fail("send");
	drain_all(r, t, 1, 64, 5000);
	if (t[0].frames != 64)
		return fail("after leave, the last member got %u/64", t[0].frames);
	printf("ok: after one member left, the other got 64/64\n");
	ring_close(&r[0]);
	return 0;
}

/* IPv4 packets the stack of this namespace received (/proc/net/snmp InReceives). */
long long ip_in_receives(void)
{
	char line[1024];
	long long v = -1;
	int ip_lines = 0;
	FILE *f = fopen("/proc/net/snmp", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Ip:", 3) || ++ip_lines != 2)
			continue;
		/* Ip: Forwarding DefaultTTL InReceives ... */
		if (sscanf(line, "Ip: %*d %*d %lld", &v) != 1)
			v = -1;
	}
	fclose(f);
	return v;
}

/* Does this process's /proc file of the ring say which capture hook it has? */
int proc_says(const char *key, const char *value)
{
	char pat[96], line[128];
	int found = 0;
	glob_t g;
	FILE *f;
	size_t i;

	snprintf(pat, sizeof(pat), "/proc/net/pf_ring/%d-*", (int)getpid());
	if (glob(pat, 0, NULL, &g))
		return 0;
	for (i = 0; i < g.gl_pathc; i++) {
		f = fopen(g.gl_pathv[i], "r");
		while (f && fgets(line, sizeof(line), f))
			if (strstr(line, key) && strstr(line, value))
				found = 1;
		if (f)
			fclose(f);
	}
	globfree(&g);
	return found;
}

/*
 * transparent_mode (the module's, given as argument): every mode captures
 * all frames; modes 0 and 1 let the IP stack see them too, mode 2 keeps
 * them from it while the ring is bound, and not after it is closed.
 * Only TX and RX may be up: any other NIC on the hub would count too.
 */
int test_transparent(int mode)
{
	static struct tally t;
	long long before, during, after;
	struct ring r;
	int err;

	err = ring_start_test_frames(&r, rxdev);
	if (err)
		return fail("ring: %s", strerror(-err));
	if (!proc_says("Transparent Hook", mode ? "rx_handler" : "packet hook"))
		return fail("/proc does not show the %s", mode ? "rx_handler" : "packet hook");
	before = ip_in_receives();
	if (send_frames(txdev, 0, 100, 1, TEST_DPORT))
		return fail("send");
	drain_all(&r, &t, 1, 100, 5000);
	during = ip_in_receives() - before;
	if (before < 0 || t.frames != 100)
		return fail("mode %d: ring got %u/100 (InReceives %lld)", mode, t.frames, before);
	if (mode == 2 ? during != 0 : during < 100)
		return fail("mode %d: the IP stack received %lld of 100 frames", mode, during);
	ring_close(&r);
	before = ip_in_receives();
	if (send_frames(txdev, 100, 100, 1, TEST_DPORT))
		return fail("send");
	usleep(300000);
	after = ip_in_receives() - before;
	if (after < 100)
		return fail("mode %d: after close the stack received %lld of 100", mode, after);
	printf("ok: transparent_mode %d: ring 100/100, stack %lld/100 while bound, %lld/100 after close\n",
	       mode, during, after);
	return 0;
}

/* A wildcard rule on UDP dport with an action and optional plugins. */
filtering_rule udp_rule(uint16_t id, rule_action_behaviour action, uint16_t dport)
{
	filtering_rule rule;

	memset(&rule, 0, sizeof(rule));
	rule.rule_id = id;
	rule.rule_action = action;
	rule.core_fields.proto = 17;
	rule.core_fields.dport_low = rule.core_fields.dport_high = dport;
	return rule;
}

/* Without the dummy plugin loaded, a rule naming it is refused. */
int test_plugin_absent(void)
{
	filtering_rule rule = udp_rule(1, execute_action_and_stop_rule_evaluation, TEST_DPORT);
	struct ring r;
	int err = ring_start(&r, rxdev);

	if (err)
		return fail("ring: %s", strerror(-err));
	rule.plugin_action.plugin_id = DUMMY_PLUGIN_ID;
	if (!sopt(&r, PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule)) || errno != ENOENT)
		return fail("rule naming an absent plugin: %s (ENOENT expected)", strerror(errno));
	printf("ok: plugin absent: rule refused with ENOENT\n");
	ring_close(&r);
	return 0;
}

/* The dummy plugin's life-cycle counters, read through rule id's statistics. */
static int plugin_counts(const struct ring *r, uint16_t id, uint64_t added, uint64_t deleted,
			 uint64_t purges)
{
	struct dummy_plugin_stats ps;
	socklen_t len = sizeof(ps);

	memset(&ps, 0, sizeof(ps));
	memcpy(&ps, &id, sizeof(id));
	if (getsockopt(r->fd, PFR_SOL, PFR_SO_GET_FILTERING_RULE_STATS, &ps, &len) || len != sizeof(ps))
		return fail("plugin rule %u stats: %s (len %u)", id, strerror(errno), len);
	if (ps.rules_added != added || ps.rules_deleted != deleted || ps.purge_idle_calls != purges)
		return fail("dummy plugin: add_rule %llu, del_rule %llu, purge_idle %llu (%llu, %llu, %llu expected)",
			    (unsigned long long)ps.rules_added, (unsigned long long)ps.rules_deleted,
			    (unsigned long long)ps.purge_idle_calls, (unsigned long long)added,
			    (unsigned long long)deleted, (unsigned long long)purges);
	return 0;
}

/*
 * Guide 10.1's rule callbacks on the rules test_plugin made (1 and 4 name
 * the plugin as filter, 2 as action): add_rule ran for each, a filter the
 * plugin refuses fails the add, purges keep action rules and tell the
 * plugin, a removal calls del_rule.
 */
static int plugin_lifecycle(struct ring *r)
{
	filtering_rule rule = udp_rule(5, forward_packet_and_stop_rule_evaluation, TEST_DPORT + 2);
	struct dummy_filter filt = { .min_len = DUMMY_MAX_MIN_LEN + 1 };
	hash_filtering_rule h;
	uint16_t secs = 3600, id = 1;

	if (plugin_counts(r, 2, 3, 0, 0))
		return 1;
	rule.extended_fields.filter_plugin_id = DUMMY_PLUGIN_ID;
	memcpy(rule.extended_fields.filter_plugin_data, &filt, sizeof(filt));
	if (!sopt(r, PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule)) || errno != EINVAL)
		return fail("a filter the plugin refuses was added (%s)", strerror(errno));
	memset(&h, 0, sizeof(h));
	h.proto = 17;
	h.host_peer_a.v4 = 0x7f000002;
	h.host_peer_b.v4 = 0x7f000001;
	h.port_peer_a = TEST_DPORT + 3;
	h.port_peer_b = 10000;
	h.rule_action = execute_action_and_stop_rule_evaluation;
	h.plugin_action.plugin_id = DUMMY_PLUGIN_ID;
	if (sopt(r, PFR_SO_ADD_HASH_RULE, &h, sizeof(h)) ||
	    sopt(r, PFR_SO_PURGE_IDLE_RULES, &secs, sizeof(secs)) ||
	    sopt(r, PFR_SO_PURGE_IDLE_HASH_RULES, &secs, sizeof(secs)) ||
	    sopt(r, PFR_SO_REMOVE_FILTERING_RULE, &id, sizeof(id)))
		return fail("hash rule, purges, removal: %s", strerror(errno));
	return plugin_counts(r, 2, 4, 1, 2);
}

/*
 * The dummy plugin (guide chapter 10): its filter (minimum length) decides
 * whether a rule matches, its action counts what a rule saw, and the rule's
 * statistics are the plugin's. While the rules exist the plugin module is
 * pinned (rmmod fails).
 */
int test_plugin(void)
{
	static struct tally t;
	struct dummy_plugin_stats ps;
	struct dummy_filter filt;
	hash_filtering_rule_stats hs;
	filtering_rule rule;
	socklen_t len;
	struct ring r;
	uint16_t id;
	int err;

	err = ring_start(&r, rxdev);
	if (err)
		return fail("ring: %s", strerror(-err));
	if (sopt_u32(&r, PFR_SO_TOGGLE_FILTER_POLICY, 0))
		return fail("policy: %s", strerror(errno));
	/* 1: forward 9000 if at least 65 bytes (the frames have 64): never */
	rule = udp_rule(1, forward_packet_and_stop_rule_evaluation, TEST_DPORT);
	rule.extended_fields.filter_plugin_id = DUMMY_PLUGIN_ID;
	filt.min_len = FRAME_LEN + 1;
	memcpy(rule.extended_fields.filter_plugin_data, &filt, sizeof(filt));
	err = sopt(&r, PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule));
	/* 2: the plugin counts 9000, evaluation goes on */
	rule = udp_rule(2, execute_action_and_continue_rule_evaluation, TEST_DPORT);
	rule.plugin_action.plugin_id = DUMMY_PLUGIN_ID;
	err = err ? err : sopt(&r, PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule));
	/* 3: forward 9000 */
	rule = udp_rule(3, forward_packet_and_stop_rule_evaluation, TEST_DPORT);
	err = err ? err : sopt(&r, PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule));
	/* 4: forward 9001 if at least 64 bytes: always */
	rule = udp_rule(4, forward_packet_and_stop_rule_evaluation, TEST_DPORT + 1);
	rule.extended_fields.filter_plugin_id = DUMMY_PLUGIN_ID;
	filt.min_len = FRAME_LEN;
	memcpy(rule.extended_fields.filter_plugin_data, &filt, sizeof(filt));
	err = err ? err : sopt(&r, PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule));
	if (err)
		return fail("plugin rules: %s", strerror(errno));
	if (system("rmmod dummy_plugin 2>/dev/null") == 0)
		return fail("rmmod dummy_plugin succeeded while rules use it");
	if (send_frames(txdev, 0, 40, 1, TEST_DPORT) || send_frames(txdev, 40, 10, 1, TEST_DPORT + 1))
		return fail("send");
	drain_all(&r, &t, 1, 50, 5000);
	if (t.frames != 50 || t.per_dport[0] != 40 || t.per_dport[1] != 10)
		return fail("plugin rules delivered %u (%u to 9000, %u to 9001); 40 + 10 expected",
			    t.frames, t.per_dport[0], t.per_dport[1]);
	id = 2;
	memset(&ps, 0, sizeof(ps));
	memcpy(&ps, &id, sizeof(id));
	len = sizeof(ps);
	if (getsockopt(r.fd, PFR_SOL, PFR_SO_GET_FILTERING_RULE_STATS, &ps, &len))
		return fail("plugin rule stats: %s", strerror(errno));
	if (len != sizeof(ps) || ps.packets != 40 || ps.bytes != 40 * FRAME_LEN)
		return fail("plugin stats: len %u, %llu packets, %llu bytes (40, %u expected)", len,
			    (unsigned long long)ps.packets, (unsigned long long)ps.bytes, 40 * FRAME_LEN);
	id = 1;
	memset(&hs, 0, sizeof(hs));
	memcpy(&hs, &id, sizeof(id));
	len = sizeof(hs);
	if (getsockopt(r.fd, PFR_SOL, PFR_SO_GET_FILTERING_RULE_STATS, &hs, &len) || hs.match)
		return fail("rule 1 (filter refuses) matched %llu times", (unsigned long long)hs.match);
	printf("ok: dummy plugin: filter refused 65+ bytes, accepted 64+, action counted 40 packets/%u bytes\n",
	       40 * FRAME_LEN);
	if (plugin_lifecycle(&r))
		return 1;
	ring_close(&r);
	/* closing the socket deleted its rules 2, 4 and the hash rule */
	if (ring_start(&r, rxdev))
		return fail("ring");
	rule = udp_rule(9, execute_action_and_stop_rule_evaluation, TEST_DPORT);
	rule.plugin_action.plugin_id = DUMMY_PLUGIN_ID;
	if (sopt(&r, PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule)))
		return fail("rule 9: %s", strerror(errno));
	if (plugin_counts(&r, 9, 5, 4, 2))
		return 1;
	ring_close(&r);
	printf("ok: dummy plugin callbacks: add_rule 5 (one refused), del_rule 4 (remove, socket close), "
	       "purge_idle 2\n");
	return 0;
}

/* Sent frames are captured on the sending device with rx_direction 0. */
int test_tx(int expect)
{
	static struct tally t;
	struct ring r;
	int err;

	err = ring_start(&r, txdev);
	if (err)
		return fail("ring: %s", strerror(-err));
	if (sopt_u32(&r, PFR_SO_SET_PACKET_DIRECTION, tx_only_direction))
		return fail("direction: %s", strerror(errno));
	if (send_frames(txdev, 0, 100, 1, TEST_DPORT))
		return fail("send");
	drain_all(&r, &t, 1, expect ? 100 : 0, expect ? 5000 : 1000);
	if (expect && (t.frames != 100 || t.tx != 100))
		return fail("tx capture: %u frames, %u with tx direction", t.frames, t.tx);
	if (!expect && t.frames)
		return fail("enable_tx_capture=0 but %u sent frames captured", t.frames);
	printf("ok: tx capture %s (%u frames)\n", expect ? "on" : "off", t.frames);
	ring_close(&r);
	return 0;
}

/* A socket in a new network namespace sees only that namespace. */
int test_netns(void)
{
	struct ring r;
	FILE *f;
	char line[128];
	int err, total = -1;

	if (unshare(CLONE_NEWNET))
		return fail("unshare: %s", strerror(errno));
	err = ring_open(&r, rxdev);
	if (err != -ENODEV)
		return fail("bind to %s in a new netns: %s (ENODEV expected)", rxdev, strerror(-err));
	err = ring_open(&r, "lo");
	if (err)
		return fail("bind lo: %s", strerror(-err));
	/* /proc/self/net follows the namespace of the reading task */
	f = fopen("/proc/self/net/pf_ring/info", "r");
	if (!f)
		return fail("no /proc/net/pf_ring/info in the new namespace");
	while (fgets(line, sizeof(line), f))
		sscanf(line, "Total rings : %d", &total);
	fclose(f);
	if (total != 1)
		return fail("new namespace lists %d rings, 1 expected", total);
	printf("ok: netns: %s invisible, lo bound, /proc lists 1 ring\n", rxdev);
	ring_close(&r);
	return 0;
}

/* Socket creation rules: root, type, bind, version. */
int test_open(void)
{
	struct pfr_sockaddr a = { .family = (uint16_t)family() };
	uint32_t v = 0;
	socklen_t len = sizeof(v);
	struct ring r;
	int fd, err;
	glob_t g;

	fd = socket(family(), SOCK_DGRAM, htons(ETH_P_ALL));
	if (fd >= 0 || errno != ESOCKTNOSUPPORT)
		return fail("SOCK_DGRAM: fd %d errno %s", fd, strerror(errno));
	fd = socket(family(), SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0)
		return fail("socket as root: %s", strerror(errno));
	if (getsockopt(fd, PFR_SOL, PFR_SO_GET_RING_VERSION, &v, &len) || v != PFC_RING_VERSION)
		return fail("ring version %u", v);
	if (!setsockopt(fd, PFR_SOL, PFR_SO_ACTIVATE_RING, NULL, 0) || errno != ENOTCONN)
		return fail("activating an unbound ring succeeded");
	snprintf(a.dev, sizeof(a.dev), "nosuchdev0");
	if (!bind(fd, (struct sockaddr *)&a, sizeof(a)) || errno != ENODEV)
		return fail("bind to a missing device: %s", strerror(errno));
	close(fd);
	err = ring_start(&r, "lo");
	if (err)
		return fail("ring on lo: %s", strerror(-err));
	if (sopt(&r, PFR_SO_SET_APPL_NAME, "basic-app", 9))
		return fail("appl name");
	/* the /proc file of this socket: <pid>-lo.<id> */
	{
		char pat[96], line[128];
		int found = 0;
		FILE *f;

		snprintf(pat, sizeof(pat), "/proc/net/pf_ring/%d-lo.*", (int)getpid());
		if (glob(pat, 0, NULL, &g) || g.gl_pathc != 1)
			return fail("no single %s", pat);
		f = fopen(g.gl_pathv[0], "r");
		if (!f)
			return fail("open %s", g.gl_pathv[0]);
		while (fgets(line, sizeof(line), f)) {
			if (strstr(line, "Appl. Name") && strstr(line, "basic-app"))
				found |= 1;
			if (strstr(line, "Bound Device") && strstr(line, ": lo"))
				found |= 2;
			if (strstr(line, "Active") && strstr(line, ": 1"))
				found |= 4;
		}
		fclose(f);
		if (found != 7)
			return fail("%s lacks name/device/active (%d)", g.gl_pathv[0], found);
		ring_close(&r);
		if (!access(g.gl_pathv[0], F_OK))
			return fail("%s still there after close", g.gl_pathv[0]);
		globfree(&g);
	}
	printf("ok: open: ESOCKTNOSUPPORT/ENOTCONN/ENODEV controls, version %u, /proc entry\n", v);
	return 0;
}

/* quick_mode=1: a second socket on the same device is refused. */
int test_quick(void)
{
	struct ring a, b, c;
	int err;

	err = ring_open(&a, "lo");
	if (err)
		return fail("first socket on lo: %s", strerror(-err));
	err = ring_open(&b, "lo");
	if (err != -EBUSY)
		return fail("second socket on lo: %s (EBUSY expected)", strerror(-err));
	err = ring_open(&c, rxdev);
	if (err)
		return fail("socket on %s: %s", rxdev, strerror(-err));
	printf("ok: quick_mode: one socket per device (second on lo: EBUSY)\n");
	ring_close(&a);
	ring_close(&c);
	return 0;
}

/* Keeps a ring on dev open for `secs` seconds (rmmod must fail meanwhile). */
int hold(const char *dev, int secs)
{
	struct ring r;
	int err = ring_start(&r, dev);

	if (err)
		return fail("ring: %s", strerror(-err));
	printf("holding\n");
	sleep((unsigned int)secs);
	ring_close(&r);
	return 0;
}

/* Sends test frames on dev for secs seconds (stress background). */
int flood(const char *dev, int secs)
{
	double end = now_s() + secs;
	uint32_t seq = 0;

	while (now_s() < end) {
		if (send_frames(dev, seq, 64, 16, TEST_DPORT + (seq / 64) % 3))
			return fail("flood send");
		seq += 64;
	}
	printf("ok: flood sent %u frames\n", seq);
	return 0;
}

/*
 * Stress: for secs seconds, sockets come and go on dev with every option
 * while traffic flows, each read for a moment. Passes when every call that
 * must work works; the harness then checks the kernel log.
 */
int churn(const char *dev, int secs, unsigned int seed)
{
	double end = now_s() + secs;
	static struct tally t;
	unsigned int rounds = 0;
	filtering_rule rule;
	hash_filtering_rule h;
	struct ring r;
	int err;

	srand(seed);
	while (now_s() < end) {
		struct pfr_cluster_req req = { .cluster_id = 1 + rand() % 3,
					       .type = rand() % 2 ? cluster_round_robin : cluster_per_flow };

		err = ring_open(&r, rand() % 4 ? dev : "any");
		if (err)
			return fail("churn open: %s", strerror(-err));
		if (rand() % 2)
			attach_udp_port_filter(&r, TEST_DPORT + rand() % 3);
		if (rand() % 2) {
			rule = udp_rule(1 + rand() % 4, rand() % 2 ? forward_packet_and_stop_rule_evaluation
								: forward_packet_add_rule_and_stop_rule_evaluation,
					TEST_DPORT + rand() % 3);
			sopt(&r, PFR_SO_ADD_FILTERING_RULE, &rule, sizeof(rule));
		}
		if (rand() % 3 == 0) {
			memset(&h, 0, sizeof(h));
			h.proto = 17;
			h.host_peer_a.v4 = 0x7f000002;
			h.host_peer_b.v4 = 0x7f000001 + rand() % 16;
			h.port_peer_a = TEST_DPORT;
			h.port_peer_b = 10000 + 2 * (rand() % 16);
			sopt(&r, PFR_SO_ADD_HASH_RULE, &h, sizeof(h));
		}
		if (rand() % 2)
			sopt(&r, PFR_SO_ADD_TO_CLUSTER, &req, sizeof(req));
		sopt_u32(&r, PFR_SO_SET_SAMPLING_RATE, 1 + rand() % 3);
		sopt_u32(&r, PFR_SO_TOGGLE_FILTER_POLICY, rand() % 4 != 0);
		if (sopt(&r, PFR_SO_ACTIVATE_RING, NULL, 0))
			return fail("churn activate: %s", strerror(errno));
		usleep(1000 * (rand() % 20));
		ring_drain(&r, &t);
		if (rand() % 2) {
			uint16_t id = 1 + rand() % 4;

			sopt(&r, PFR_SO_REMOVE_FILTERING_RULE, &id, sizeof(id));
			sopt(&r, PFR_SO_REMOVE_FROM_CLUSTER, NULL, 0);
		}
		ring_close(&r);
		rounds++;
	}
	printf("ok: churn %u sockets on %s, %u frames read\n", rounds, dev, t.frames + t.others);
	return 0;
}

/* Unprivileged: socket() fails with EPERM; root (control) succeeds. */
int test_eperm(void)
{
	int fd = socket(family(), SOCK_RAW, htons(ETH_P_ALL));

	if (fd < 0)
		return fail("root cannot open: %s", strerror(errno));
	close(fd);
	if (setgid(65534) || setuid(65534))
		return fail("setuid: %s", strerror(errno));
	fd = socket(family(), SOCK_RAW, htons(ETH_P_ALL));
	if (fd >= 0 || errno != EPERM)
		return fail("uid 65534: fd %d errno %s (EPERM expected)", fd, strerror(errno));
	printf("ok: uid 65534 gets EPERM, root opens\n");
	return 0;
}

#define LOOP_PORT 9077

struct loop_check {
	uint32_t sent, looped, mangled;
};

/* ring_scan: the test broadcasts as sent (TX), looped back (RX) or without MACs. */
static int loop_frame_check(int ring, const struct pfc_slot_hdr *s, const uint8_t *p, void *ctx)
{
	struct loop_check *lc = ctx;

	(void)ring;
	if (s->caplen >= 42 && p[12] == 0x08 && p[13] == 0x00 && p[23] == 17 &&
	    ((p[36] << 8) | p[37]) == LOOP_PORT) {
		if (s->rx_direction)
			lc->looped++;
		else
			lc->sent++;
		return 1;
	}
	/* a looped copy's "MAC header" is its IP header */
	if (s->caplen >= 24 && (p[0] >> 4) == 4 && p[9] == 17 && ((p[22] << 8) | p[23]) == LOOP_PORT)
		lc->mangled++;
	return 0;
}

/*
 * IPv4 broadcasts the host sends on RXDEV (address 10.77.0.1/24 set by the
 * scenario) are looped back to the host as PACKET_LOOPBACK copies without
 * an Ethernet header: a ring sees each once, as sent, never the copy.
 */
int test_broadcast_loop(void)
{
	struct loop_check lc = { 0 };
	struct sockaddr_in to;
	struct ring r;
	int fd, on = 1, i, err;

	err = ring_start(&r, rxdev);
	if (err)
		return fail("ring on %s: %s", rxdev, strerror(-err));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)) ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, rxdev, (socklen_t)strlen(rxdev) + 1))
		return fail("UDP socket on %s: %s", rxdev, strerror(errno));
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons(LOOP_PORT);
	to.sin_addr.s_addr = htonl(0x0a4d00ffu); /* 10.77.0.255 */
	for (i = 0; i < 10; i++)
		if (sendto(fd, "pfr", 3, 0, (struct sockaddr *)&to, sizeof(to)) != 3)
			return fail("broadcast on %s: %s", rxdev, strerror(errno));
	close(fd);
	ring_scan(&r, 1, loop_frame_check, &lc, 10, 2000);
	ring_close(&r);
	if (lc.sent != 10 || lc.looped || lc.mangled)
		return fail("broadcasts: %u/10 captured as sent, %u looped copies, %u without MACs", lc.sent,
			    lc.looped, lc.mangled);
	printf("ok: broadcast loop: 10/10 captured once as sent, no looped copies\n");
	return 0;
}
