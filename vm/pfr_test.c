/*
 * pfr_test - the guest-side test client of pf_ring.ko (vm/scenarios).
 *
 * Opens PF_RING sockets through the ABI of src/core/pf_ring_kabi.h, maps
 * the ring (src/core/ring.h), sends its own test frames through AF_PACKET
 * and checks what each ring received. Every test frame is an IPv4/UDP
 * frame to the broadcast MAC carrying "PFRT", a sequence number and a flow
 * number; addresses are in 127.0.0.0/8 so the frames never mean anything
 * outside the guest's private hub.
 *
 *   pfr_test TEST [RXDEV TXDEV]     prints "ok: ..." or "FAIL: ..."; exit 0/1
 *
 * Tests: open, eperm, capture, hostile, overflow, watermark, bpf, sampling, rules,
 * hashrule, purge, cluster-rr, cluster-flow, reflect, send, send-netns,
 * channels (PFR_MIN_QUEUES=N: fail with fewer RX queues), vlan (RXDEV.5
 * must exist), defrag-on, defrag-off, transparent (PFR_MODE=0|1|2),
 * plugin, plugin-absent, tx, no-tx, netns, quick; "hold SECS" keeps a ring open on lo, "hold-dev
 * DEV SECS" on DEV; "flood DEV SECS" sends, "churn DEV SECS [SEED]" opens
 * and closes sockets with random options (stress). PFR_FAMILY in the environment overrides the protocol
 * family (pf_ring_family= of the module).
 */
#include "pfr_test.h"


int main(int argc, char **argv)
{
	const char *t = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(t, "hold"))
		return hold("lo", argc > 2 ? atoi(argv[2]) : 5);
	if (!strcmp(t, "flood") && argc > 3)
		return flood(argv[2], atoi(argv[3]));
	if (!strcmp(t, "churn") && argc > 3)
		return churn(argv[2], atoi(argv[3]), argc > 4 ? (unsigned int)atoi(argv[4]) : 1);
	if (!strcmp(t, "hold-dev") && argc > 3)
		return hold(argv[2], atoi(argv[3]));
	if (argc > 3) {
		rxdev = argv[2];
		txdev = argv[3];
	}
	if (!strcmp(t, "open"))
		return test_open();
	if (!strcmp(t, "eperm"))
		return test_eperm();
	if (!strcmp(t, "capture"))
		return test_capture();
	if (!strcmp(t, "hostile"))
		return test_hostile();
	if (!strcmp(t, "overflow"))
		return test_overflow();
	if (!strcmp(t, "watermark"))
		return test_watermark();
	if (!strcmp(t, "bpf"))
		return test_bpf();
	if (!strcmp(t, "sampling"))
		return test_sampling();
	if (!strcmp(t, "rules"))
		return test_rules();
	if (!strcmp(t, "hashrule"))
		return test_hashrule();
	if (!strcmp(t, "purge"))
		return test_purge();
	if (!strcmp(t, "send"))
		return test_send();
	if (!strcmp(t, "send-netns"))
		return test_send_netns();
	if (!strcmp(t, "channels"))
		return test_channels((uint32_t)atoi(getenv("PFR_MIN_QUEUES") ? getenv("PFR_MIN_QUEUES") : "1"));
	if (!strcmp(t, "vlan"))
		return test_vlan();
	if (!strcmp(t, "defrag-on") || !strcmp(t, "defrag-off"))
		return test_defrag(!strcmp(t, "defrag-on"));
	if (!strcmp(t, "cluster-rr"))
		return test_cluster(cluster_round_robin);
	if (!strcmp(t, "cluster-flow"))
		return test_cluster(cluster_per_flow);
	if (!strcmp(t, "transparent"))
		return test_transparent(atoi(getenv("PFR_MODE") ? getenv("PFR_MODE") : "0"));
	if (!strcmp(t, "plugin"))
		return test_plugin();
	if (!strcmp(t, "plugin-absent"))
		return test_plugin_absent();
	if (!strcmp(t, "reflect"))
		return test_reflect();
	if (!strcmp(t, "tx"))
		return test_tx(1);
	if (!strcmp(t, "no-tx"))
		return test_tx(0);
	if (!strcmp(t, "quick"))
		return test_quick();
	if (!strcmp(t, "netns"))
		return test_netns();
	if (!strcmp(t, "broadcast-loop"))
		return test_broadcast_loop();
	fprintf(stderr, "usage: pfr_test TEST [RXDEV TXDEV]\n");
	return 2;
}
