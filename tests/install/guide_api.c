/*
 * guide_api.c - calls every function of the guide's chapter 8 with the
 * guide's signatures and argument types, against the INSTALLED pfring.h,
 * built with -Wall -Werror and linked with `pkg-config --libs libpfring`
 * (tests/install/run.sh). Run on a capture, it checks the results the
 * pcap module promises and exits 0 when they hold.
 */
#include <pfring.h>
#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "guide_api: %s:%d: %s\n", __FILE__, \
				__LINE__, #cond);                          \
			failures++;                                        \
		}                                                          \
	} while (0)

static u_int64_t looped;

static void on_packet(const struct pfring_pkthdr *h, const u_char *p, const u_char *user_bytes)
{
	(void)h;
	(void)p;
	(void)user_bytes;
	looped++;
}

int main(int argc, char *argv[])
{
	char device[512];
	pfring *ring, *rings[MAX_NUM_RX_CHANNELS];
	u_char *buffer = NULL;
	u_char copy[2048];
	u_char *copy_ptr = copy;
	struct pfring_pkthdr hdr;
	struct timespec ts;
	u_int64_t raw_ts;
	filtering_rule rule;
	hash_filtering_rule hash_rule;
	hw_filtering_rule hw_rule;
	char stats[sizeof(hash_filtering_rule_stats)];
	u_int stats_len = sizeof(stats);
	char filter[] = "ip or ip6";
	char app_name[] = "guide_api";
	u_char pkt[60];
	u_char mac[6];
	int device_id, rc;
	u_int32_t version;
	pfring_stat st;
	u_int8_t last;
	int i;
	u_int64_t received = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: guide_api CAPTURE.pcap\n");
		return 2;
	}
	snprintf(device, sizeof(device), "pcap:%s", argv[1]);

	/* 8.4 */
	/* PF_RING 5.x returns the number of rings (the guide: the last index);
	 * a guide-style loop up to and including it meets a NULL ring, which
	 * every call refuses. */
	last = pfring_open_multichannel(device, 1536, PF_RING_PROMISC, rings);
	CHECK(last == 1 && rings[0] != NULL && rings[1] == NULL);
	for (i = 0; i <= last; i++)
		CHECK((rings[i] != NULL) == (i < last) &&
		      (rings[i] != NULL || pfring_recv(rings[i], &buffer, 0, &hdr, 0) == PF_RING_ERROR_INVALID_ARGUMENT));
	for (i = 0; i <= last; i++)
		pfring_close(rings[i]);
	ring = pfring_open(device, 1536, PF_RING_LONG_HEADER | PF_RING_TIMESTAMP);
	CHECK(ring != NULL);
	if (!ring)
		return 1;

	/* 8.14 set-up calls */
	CHECK(pfring_set_application_name(ring, app_name) == 0);
	CHECK(pfring_set_direction(ring, rx_and_tx_direction) == 0);
	CHECK(pfring_set_socket_mode(ring, recv_only_mode) == 0);
	CHECK(pfring_set_poll_watermark(ring, 1) == 0);
	CHECK(pfring_set_poll_duration(ring, 10) == 0);
	CHECK(pfring_set_tx_watermark(ring, 1) == 0);
	CHECK(pfring_version(ring, &version) == 0 && version == 0x050406);
	CHECK(pfring_get_num_rx_channels(ring) == 1);
	CHECK(pfring_get_bound_device_address(ring, mac) == PF_RING_ERROR_NOT_SUPPORTED);
	CHECK(pfring_get_bound_device_id(ring, &device_id) == PF_RING_ERROR_NOT_SUPPORTED);
	CHECK(pfring_get_selectable_fd(ring) < 0);
	CHECK(pfring_enable_rss_rehash(ring) == 0);
	CHECK(pfring_get_device_clock(ring, &ts) < 0);
	ts.tv_sec = 1;
	ts.tv_nsec = 0;
	CHECK(pfring_set_device_clock(ring, &ts) < 0);
	CHECK(pfring_adjust_device_clock(ring, &ts, 1) < 0);
	CHECK(pfring_enable_hw_timestamp(ring, device, 1, 0) < 0);
	CHECK(pfring_enable_ring(ring) == 0);

	/* 8.7, 8.9 */
	CHECK(pfring_set_cluster(ring, 1, cluster_per_flow) == PF_RING_ERROR_NOT_SUPPORTED);
	CHECK(pfring_remove_from_cluster(ring) < 0);
	CHECK(pfring_set_sampling_rate(ring, 1) == 0);

	/* 8.10.1 wildcard: count TCP, deliver everything */
	memset(&rule, 0, sizeof(rule));
	rule.rule_id = 5;
	rule.rule_action = execute_action_and_continue_rule_evaluation;
	rule.core_fields.proto = 6;
	CHECK(pfring_add_filtering_rule(ring, &rule) == 0);
	CHECK(pfring_purge_idle_rules(ring, 3600) == 0);

	/* 8.10.2 hash rule */
	memset(&hash_rule, 0, sizeof(hash_rule));
	hash_rule.rule_id = 6;
	hash_rule.proto = 17;
	hash_rule.host_peer_a.v4 = 0x0a000001;
	hash_rule.host_peer_b.v4 = 0x0a000002;
	hash_rule.port_peer_a = 1;
	hash_rule.port_peer_b = 2;
	hash_rule.rule_action = forward_packet_and_stop_rule_evaluation;
	CHECK(pfring_handle_hash_filtering_rule(ring, &hash_rule, 1) == 0);
	CHECK(pfring_get_hash_filtering_rule_stats(ring, &hash_rule, stats, &stats_len) == 0);
	CHECK(pfring_purge_idle_hash_rules(ring, 3600) == 0);

	/* 8.10.3, 8.11, 8.12 */
	CHECK(pfring_set_bpf_filter(ring, filter) == 0);
	memset(&hw_rule, 0, sizeof(hw_rule));
	CHECK(pfring_add_hw_rule(ring, &hw_rule) == PF_RING_ERROR_NOT_SUPPORTED);
	CHECK(pfring_remove_hw_rule(ring, &hw_rule) == PF_RING_ERROR_NOT_SUPPORTED);
	CHECK(pfring_set_filtering_mode(ring, software_only) == 0);
	CHECK(pfring_toggle_filtering_policy(ring, 1) == 0);

	/* 8.6 */
	CHECK(pfring_poll(ring, 10) == 1);
	CHECK(pfring_next_pkt_time(ring, &ts) == 0);
	CHECK(pfring_next_pkt_raw_timestamp(ring, &raw_ts) == 0);
	CHECK(raw_ts == (u_int64_t)ts.tv_sec * 1000000000ull + (u_int64_t)ts.tv_nsec);
	rc = pfring_recv(ring, &copy_ptr, sizeof(copy), &hdr, 1);
	CHECK(rc == 1);
	received += rc == 1;
	CHECK(pfring_parse_pkt(copy, &hdr, 4, 0, 1) >= 2);
	rc = pfring_recv_parsed(ring, &buffer, 0, &hdr, 1, 4, 1, 1);
	CHECK(rc == 1);
	received += rc == 1;
	CHECK(pfring_rcv(ring, &buffer, 0, &hdr, 0) == 1);
	received++;
	CHECK(pfring_loop(ring, on_packet, (const u_char *)"user", 1) == 0);
	pfring_breakloop(ring);
	CHECK(pfring_recv(ring, &buffer, 0, &hdr, 1) == PF_RING_ERROR_END_OF_FILE);

	/* 8.13: a file cannot transmit */
	memset(pkt, 0, sizeof(pkt));
	CHECK(pfring_send(ring, pkt, sizeof(pkt), 1) < 0);
	CHECK(pfring_send_ifindex(ring, pkt, sizeof(pkt), 1, 0) < 0);
	CHECK(pfring_send_get_time(ring, pkt, sizeof(pkt), &ts) < 0);
	CHECK(pfring_send_last_rx_packet(ring, 0) < 0);

	CHECK(pfring_get_filtering_rule_stats(ring, 5, stats, &stats_len) == 0);
	CHECK(pfring_remove_filtering_rule(ring, 5) == 0);
	CHECK(pfring_handle_hash_filtering_rule(ring, &hash_rule, 0) == 0);
	CHECK(pfring_remove_bpf_filter(ring) == 0);
	CHECK(pfring_stats(ring, &st) == 0);
	CHECK(st.recv == received + looped && st.drop == 0);
	CHECK(pfring_disable_ring(ring) == 0);
	pfring_close(ring);

	printf("guide_api: %llu packets, %d failures\n", (unsigned long long)(received + looped), failures);
	return failures ? 1 : 0;
}
