/*
 * kmod_api_check.c - libpfring's API on pf_ring.ko (the "kernel" module),
 * in the QEMU guest: kmod_api_check RXDEV TXDEV
 *
 * Frames are sent with pfring_send() on TXDEV (pf_ring.ko's send()) and
 * received with pfring_recv() on RXDEV; the two igb NICs share a hub. Each
 * check prints "ok: ..." or "FAIL: ..." and the program exits 1 at the first
 * failure. What is checked: the module and application name in /proc, the
 * bound device's MAC and RX channels, wildcard rules with the drop policy
 * and their statistics, hash rules and their statistics, idle purges,
 * sampling, BPF, disable/enable, the poll watermark, send errors, a
 * one-member cluster, and pfring_stats.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pfring.h"

#define DPORT_A 5001
#define DPORT_B 5002

static const char *rxdev, *txdev;
/*
 * Non-zero: frame() varies the middle bytes of the source address too. The
 * igb hashes addresses with a key Linux picks at random each boot and maps
 * one hash bit to the queue, so sources differing in a few low bits only
 * may all land on one queue.
 */
static int spread;

static void fail(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

static pfring *open_or_fail(const char *dev)
{
	char err[256] = "";
	pfring *r = pfring_open(dev, 1536, PF_RING_PROMISC);

	if (!r) {
		pfring_get_last_error(NULL, err, sizeof(err));
		fail("pfring_open(%s): %s", dev, err);
	}
	return r;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* UDP/IPv4 10.0.0.SRC:1024 -> 10.1.0.1:DPORT, 02:..:01 -> 02:..:02, 60 bytes. */
static unsigned frame(uint8_t *f, uint8_t src, uint16_t dport, uint16_t id)
{
	static const uint8_t head[14] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00 };
	uint8_t *ip = f + 14;
	uint32_t sum = 0;
	int i;

	memset(f, 0, 60);
	memcpy(f, head, sizeof(head));
	ip[0] = 0x45;
	put16(ip + 2, 46);
	put16(ip + 4, id);
	ip[8] = 64;
	ip[9] = 17;
	ip[12] = 10, ip[15] = src;
	if (spread) {
		ip[13] = (uint8_t)(src * 0x35u + 0x11u);
		ip[14] = (uint8_t)(src * 0x9du + 0x07u);
	}
	ip[16] = 10, ip[17] = 1, ip[19] = 1;
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(ip + 10, (uint16_t)~sum);
	put16(ip + 20, 1024);
	put16(ip + 22, dport);
	put16(ip + 24, 26);
	return 60;
}

static void send_n(pfring *tx, int n, uint8_t src, uint16_t dport)
{
	static uint16_t id;
	uint8_t f[64];
	int i, rc;

	for (i = 0; i < n; i++) {
		rc = pfring_send(tx, f, frame(f, src, dport, id++), 1);
		if (rc != 60)
			fail("pfring_send returned %d", rc);
	}
}

/* Receives until nothing came for 300 ms; counts frames to dport (others: *other). */
static int drain(pfring *rx, uint16_t dport, int *other)
{
	struct pfring_pkthdr h;
	u_char *p;
	int n = 0, idle = 0, rc;

	if (other)
		*other = 0;
	while (idle < 30) {
		rc = pfring_recv(rx, &p, 0, &h, 0);
		if (rc < 0)
			fail("pfring_recv returned %d", rc);
		if (rc == 0) {
			usleep(10000);
			idle++;
			continue;
		}
		idle = 0;
		if (h.caplen >= 38 && ((p[36] << 8) | p[37]) == dport && p[23] == 17)
			n++;
		else if (other)
			(*other)++;
	}
	return n;
}

static void dump_proc(void);

static void expect_count(const char *what, int got, int want)
{
	if (got != want) {
		dump_proc();
		fail("%s: received %d, expected %d", what, got, want);
	}
	printf("ok: %s: %d\n", what, got);
}

static void check_rc(const char *what, int rc)
{
	if (rc < 0)
		fail("%s returned %d", what, rc);
}

/* Prints this process's per-ring /proc files (what pf_ring.ko thinks of them). */
static void dump_proc(void)
{
	char path[512], line[512], prefix[32];
	struct dirent *d;
	DIR *dir = opendir("/proc/net/pf_ring");
	FILE *f;

	snprintf(prefix, sizeof(prefix), "%d-", (int)getpid());
	while (dir && (d = readdir(dir)) != NULL) {
		if (strncmp(d->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(path, sizeof(path), "/proc/net/pf_ring/%s", d->d_name);
		printf("--- %s\n", path);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			fputs(line, stdout);
		if (f)
			fclose(f);
	}
	if (dir)
		closedir(dir);
}

/* The per-ring /proc file of this process on rxdev holds text. */
static void proc_has(const char *text)
{
	char path[512], line[512], prefix[64];
	struct dirent *d;
	DIR *dir = opendir("/proc/net/pf_ring");
	int found = 0;
	FILE *f;

	if (!dir)
		fail("no /proc/net/pf_ring");
	snprintf(prefix, sizeof(prefix), "%d-%s.", (int)getpid(), rxdev);
	while (!found && (d = readdir(dir)) != NULL) {
		if (strncmp(d->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(path, sizeof(path), "/proc/net/pf_ring/%s", d->d_name);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			if (strstr(line, text))
				found = 1;
		if (f)
			fclose(f);
	}
	closedir(dir);
	if (!found)
		fail("no /proc/net/pf_ring/%s* file mentions '%s'", prefix, text);
	printf("ok: /proc shows '%s'\n", text);
}

static void check_identity(pfring *rx)
{
	char path[256], want[32] = "", got[32];
	u_char mac[6];
	int nq = 0;
	FILE *f;
	DIR *dir;
	struct dirent *d;

	if (strcmp(pfring_get_module_name(rx), "kernel"))
		fail("plain name %s opened module '%s', not 'kernel'", rxdev, pfring_get_module_name(rx));
	check_rc("pfring_get_bound_device_address", pfring_get_bound_device_address(rx, mac));
	snprintf(path, sizeof(path), "/sys/class/net/%s/address", rxdev);
	f = fopen(path, "r");
	if (!f || !fgets(want, sizeof(want), f))
		fail("cannot read %s", path);
	fclose(f);
	want[strcspn(want, "\n")] = 0;
	snprintf(got, sizeof(got), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
	if (strcmp(got, want))
		fail("bound device address %s, sysfs says %s", got, want);
	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", rxdev);
	dir = opendir(path);
	while (dir && (d = readdir(dir)) != NULL)
		nq += !strncmp(d->d_name, "rx-", 3);
	if (dir)
		closedir(dir);
	if (pfring_get_num_rx_channels(rx) != nq)
		fail("pfring_get_num_rx_channels %d, sysfs has %d", pfring_get_num_rx_channels(rx), nq);
	printf("ok: module kernel, MAC %s, %d RX channels\n", got, nq);
	check_rc("pfring_set_application_name", pfring_set_application_name(rx, "apicheck"));
	proc_has("apicheck");
}

static void check_rules(pfring *rx, pfring *tx)
{
	hash_filtering_rule_stats st;
	hash_filtering_rule hr;
	filtering_rule r;
	u_int len = sizeof(st);
	int other, n;

	memset(&r, 0, sizeof(r));
	r.rule_id = 5;
	r.rule_action = forward_packet_and_stop_rule_evaluation;
	r.core_fields.proto = 17;
	r.core_fields.dport_low = r.core_fields.dport_high = DPORT_A;
	check_rc("pfring_toggle_filtering_policy", pfring_toggle_filtering_policy(rx, 0));
	check_rc("pfring_add_filtering_rule", pfring_add_filtering_rule(rx, &r));
	if (pfring_add_filtering_rule(rx, &r) != PF_RING_ERROR_INVALID_ARGUMENT)
		fail("a second rule with id 5 was not refused");
	send_n(tx, 50, 1, DPORT_A);
	send_n(tx, 50, 1, DPORT_B);
	n = drain(rx, DPORT_A, &other);
	if (other)
		fail("drop policy let %d frames to other ports through", other);
	expect_count("wildcard rule dport 5001 under the drop policy", n, 50);
	check_rc("pfring_get_filtering_rule_stats", pfring_get_filtering_rule_stats(rx, 5, (char *)&st, &len));
	if (st.match != 50)
		fail("rule 5 stats: match %llu, expected 50", (unsigned long long)st.match);
	printf("ok: rule 5 stats: match %llu\n", (unsigned long long)st.match);

	memset(&hr, 0, sizeof(hr));
	hr.rule_id = 9;
	hr.proto = 17;
	hr.host4_peer_a = 0x0a000001; /* host byte order, as in PF_RING */
	hr.host4_peer_b = 0x0a010001;
	hr.port_peer_a = 1024;
	hr.port_peer_b = DPORT_B;
	hr.rule_action = forward_packet_and_stop_rule_evaluation;
	check_rc("pfring_handle_hash_filtering_rule", pfring_handle_hash_filtering_rule(rx, &hr, 1));
	send_n(tx, 30, 1, DPORT_B); /* the hash rule's flow */
	send_n(tx, 20, 2, DPORT_B); /* another source: dropped */
	expect_count("hash rule 10.0.0.1:1024 <-> 10.1.0.1:5002", drain(rx, DPORT_B, NULL), 30);
	len = sizeof(st);
	check_rc("pfring_get_hash_filtering_rule_stats",
		 pfring_get_hash_filtering_rule_stats(rx, &hr, (char *)&st, &len));
	if (st.match != 30)
		fail("hash rule stats: match %llu, expected 30", (unsigned long long)st.match);
	printf("ok: hash rule stats: match %llu\n", (unsigned long long)st.match);

	check_rc("pfring_purge_idle_hash_rules", pfring_purge_idle_hash_rules(rx, 0));
	check_rc("pfring_purge_idle_rules", pfring_purge_idle_rules(rx, 0));
	len = sizeof(st);
	if (pfring_get_hash_filtering_rule_stats(rx, &hr, (char *)&st, &len) != PF_RING_ERROR_NOT_FOUND)
		fail("the hash rule survived a purge of rules idle for 0 s");
	len = sizeof(st);
	if (pfring_get_filtering_rule_stats(rx, 5, (char *)&st, &len) != PF_RING_ERROR_NOT_FOUND)
		fail("rule 5 survived a purge of rules idle for 0 s");
	if (pfring_remove_filtering_rule(rx, 5) != PF_RING_ERROR_NOT_FOUND)
		fail("removing the purged rule 5 did not say NOT_FOUND");
	printf("ok: purges removed the rules\n");
	check_rc("pfring_toggle_filtering_policy", pfring_toggle_filtering_policy(rx, 1));
}

static void check_sampling_bpf_enable(pfring *rx, pfring *tx)
{
	pfring *fresh;
	int other;

	check_rc("pfring_set_sampling_rate", pfring_set_sampling_rate(rx, 5));
	send_n(tx, 100, 3, DPORT_A);
	expect_count("sampling 1 of 5 of 100", drain(rx, DPORT_A, NULL), 20);
	check_rc("pfring_set_sampling_rate", pfring_set_sampling_rate(rx, 1));

	check_rc("pfring_set_bpf_filter", pfring_set_bpf_filter(rx, "udp dst port 5002"));
	send_n(tx, 40, 3, DPORT_A);
	send_n(tx, 25, 3, DPORT_B);
	expect_count("BPF udp dst port 5002", drain(rx, DPORT_B, &other), 25);
	if (other)
		fail("BPF let %d other frames through", other);
	check_rc("pfring_remove_bpf_filter", pfring_remove_bpf_filter(rx));

	/* guide 8.14: a new ring drops packets until pfring_enable_ring() */
	fresh = open_or_fail(rxdev);
	send_n(tx, 10, 4, DPORT_A);
	usleep(200000);
	check_rc("pfring_enable_ring", pfring_enable_ring(fresh));
	send_n(tx, 6, 4, DPORT_A);
	expect_count("a new ring: 10 before pfring_enable_ring, 6 after", drain(fresh, DPORT_A, NULL), 6);
	pfring_close(fresh);
	drain(rx, 0, NULL);

	check_rc("pfring_disable_ring", pfring_disable_ring(rx));
	send_n(tx, 10, 4, DPORT_A);
	usleep(200000);
	check_rc("pfring_enable_ring", pfring_enable_ring(rx));
	send_n(tx, 15, 4, DPORT_A);
	expect_count("disabled for 10, enabled for 15", drain(rx, DPORT_A, NULL), 15);
}

/*
 * One ring per RX queue (DEV@Q): together they get every frame, each once.
 * pfring_open_multichannel returns the number of rings, as PF_RING 5.x's
 * library does (not the guide's last index), and leaves ring[n] NULL, so a
 * guide-style loop up to n meets a NULL ring that every call refuses.
 */
static void check_multichannel(pfring *tx)
{
	pfring *q[MAX_NUM_RX_CHANNELS];
	int rings, i, total = 0, busy = 0, n;
	char per[256] = "";

	rings = pfring_open_multichannel(rxdev, 1536, PF_RING_PROMISC, q);
	if (rings < 1 || !q[0])
		fail("pfring_open_multichannel(%s) opened nothing", rxdev);
	if (rings < MAX_NUM_RX_CHANNELS && q[rings] != NULL)
		fail("pfring_open_multichannel: ring[%d] (one past the last) is not NULL", rings);
	if (rings < MAX_NUM_RX_CHANNELS && pfring_enable_ring(q[rings]) != PF_RING_ERROR_INVALID_ARGUMENT)
		fail("pfring_enable_ring(NULL) did not refuse the NULL ring");
	for (i = 0; i < rings; i++)
		check_rc("pfring_enable_ring", pfring_enable_ring(q[i]));
	spread = 1;
	for (i = 0; i < 32; i++)
		send_n(tx, 5, (uint8_t)(100 + i), DPORT_A);
	spread = 0;
	for (i = 0; i < rings; i++) {
		n = drain(q[i], DPORT_A, NULL);
		total += n;
		busy += n > 0;
		snprintf(per + strlen(per), sizeof(per) - strlen(per), " %d", n);
		pfring_close(q[i]);
	}
	if (total != 160)
		fail("pfring_open_multichannel: %d rings got%s = %d, expected 160", rings, per, total);
	if (rings > 1 && busy < 2)
		fail("pfring_open_multichannel: only %d of %d queue rings got frames (%s)", busy, rings, per);
	printf("ok: pfring_open_multichannel: %d rings,%s = 160\n", rings, per);
}

static void check_watermark_send_cluster(pfring *rx, pfring *tx)
{
	uint8_t big[2000];
	pfring_stat s;
	int rc;

	check_rc("pfring_set_poll_watermark", pfring_set_poll_watermark(rx, 8));
	send_n(tx, 5, 5, DPORT_A);
	usleep(200000);
	rc = pfring_poll(rx, 300);
	if (rc != 0)
		fail("pfring_poll with 5 queued and watermark 8 returned %d, expected 0 (timeout)", rc);
	send_n(tx, 3, 5, DPORT_A);
	rc = pfring_poll(rx, 2000);
	if (rc != 1)
		fail("pfring_poll with 8 queued and watermark 8 returned %d, expected 1", rc);
	expect_count("poll watermark 8: 5 wait, 8 wake", drain(rx, DPORT_A, NULL), 8);
	check_rc("pfring_set_poll_watermark", pfring_set_poll_watermark(rx, 1));

	memset(big, 0, sizeof(big));
	if (pfring_send(tx, big, 10, 1) != PF_RING_ERROR_INVALID_ARGUMENT)
		fail("a 10-byte frame was not refused");
	if (pfring_send(tx, big, sizeof(big), 1) != PF_RING_ERROR_INVALID_ARGUMENT)
		fail("a 2000-byte frame was not refused");
	printf("ok: send refuses 10 and 2000 bytes\n");

	check_rc("pfring_set_cluster", pfring_set_cluster(rx, 77, cluster_round_robin));
	send_n(tx, 12, 6, DPORT_A);
	expect_count("sole member of cluster 77", drain(rx, DPORT_A, NULL), 12);
	check_rc("pfring_remove_from_cluster", pfring_remove_from_cluster(rx));
	send_n(tx, 7, 6, DPORT_A);
	expect_count("after leaving the cluster", drain(rx, DPORT_A, NULL), 7);

	check_multichannel(tx);

	check_rc("pfring_stats", pfring_stats(rx, &s));
	if (s.drop != 0)
		fail("pfring_stats: %llu drops", (unsigned long long)s.drop);
	printf("ok: pfring_stats recv %llu drop 0\n", (unsigned long long)s.recv);
}

int main(int argc, char **argv)
{
	pfring *rx, *tx;

	if (argc != 3) {
		fprintf(stderr, "usage: kmod_api_check RXDEV TXDEV\n");
		return 2;
	}
	rxdev = argv[1];
	txdev = argv[2];
	rx = open_or_fail(rxdev);
	tx = open_or_fail(txdev);
	check_rc("pfring_set_socket_mode", pfring_set_socket_mode(tx, send_only_mode));
	check_rc("pfring_set_direction", pfring_set_direction(rx, rx_only_direction));
	check_identity(rx);
	drain(rx, 0, NULL);
	check_rules(rx, tx);
	check_sampling_bpf_enable(rx, tx);
	check_watermark_send_cluster(rx, tx);
	pfring_close(tx);
	pfring_close(rx);
	printf("kmod_api_check: all passed\n");
	return 0;
}
