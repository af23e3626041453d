/*
 * zero_cluster.c - a DNA Cluster program written from the guide's chapter
 * 9, against the installed pfring.h alone (which includes pfring_zero.h).
 * Built twice: with -DGUIDE_SPELLING (the guide's distribution function
 * with num_slaves, four-argument dna_cluster_stats, pfring_rcv_pkt_buff)
 * and without (the 5.4.6 release header's spelling), as C and as C++.
 *
 * usage: zero_cluster CAPTURE_DEVICE CAPTURE_FILE
 *   CAPTURE_DEVICE  what the master reads (pcap:F or sim:F)
 *   CAPTURE_FILE    F, read by libpcap itself as the reference
 *
 * Runs three clusters on the capture: (1) a hash over 3 slave threads,
 * each keeping every 7th packet aside in a pkt_buff and releasing them
 * later out of order ("with holes"); (2) fan-out to 2 slaves; (3) a
 * function that drops every packet shorter than 100 bytes. Checks every
 * slave's packets and bytes against the reference reading, and the
 * cluster's stats. Exits 0 when all holds, else 1 with the reason.
 */
#include <pcap/pcap.h>
#include <pfring.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PKTS 20000
#define NUM_SLAVES 3

static u_int32_t ref_len[MAX_PKTS];
static u_int32_t ref_sum[MAX_PKTS];
static u_int32_t ref_count;

static u_int32_t checksum(const u_char *p, u_int32_t n)
{
	u_int32_t s = 2166136261u, i;

	for (i = 0; i < n; i++)
		s = (s ^ p[i]) * 16777619u;
	return s;
}

static int find_ref_index_is(u_int32_t j, u_int32_t i);

/* A packet is known by its bytes: index of the reference packet with the same checksum. */
static int find_ref(const u_char *p, u_int32_t caplen)
{
	u_int32_t i, s = checksum(p, caplen);

	for (i = 0; i < ref_count; i++)
		if (ref_sum[i] == s && ref_len[i] == caplen)
			return (int)i;
	return -1;
}

/* 1 when reference packet j is counted at index i (the first of its bytes). */
static u_int32_t first_of[MAX_PKTS];
static int find_ref_index_is(u_int32_t j, u_int32_t i)
{
	return first_of[j] == i;
}

static int fail(const char *what)
{
	char err[256] = "";

	pfring_get_last_error(NULL, err, sizeof(err));
	fprintf(stderr, "zero_cluster: %s (%s)\n", what, err);
	exit(1);
}

static u_int32_t hash_of(const u_char *buffer, u_int16_t len)
{
	return checksum(buffer, len < 34 ? len : 34);
}

#ifdef GUIDE_SPELLING
static int hash_function(const u_char *buffer, const u_int16_t buffer_len, const u_int32_t num_slaves,
			 u_int32_t *id_mask, u_int32_t *hash)
{
	*hash = hash_of(buffer, buffer_len);
	*id_mask = 1u << (*hash % num_slaves);
	return DNA_CLUSTER_PASS;
}

static int fanout_function(const u_char *buffer, const u_int16_t buffer_len, const u_int32_t num_slaves,
			   u_int32_t *id_mask, u_int32_t *hash)
{
	u_int32_t n_zero_bits = 32 - num_slaves;

	(void)buffer;
	(void)buffer_len;
	(void)hash;
	*id_mask = ((0xFFFFFFFF << n_zero_bits) >> n_zero_bits);
	return DNA_CLUSTER_PASS;
}

static int drop_short_function(const u_char *buffer, const u_int16_t buffer_len, const u_int32_t num_slaves,
			       u_int32_t *id_mask, u_int32_t *hash)
{
	(void)buffer;
	(void)num_slaves;
	*hash = 0;
	*id_mask = 1;
	return buffer_len < 100 ? DNA_CLUSTER_DROP : DNA_CLUSTER_PASS;
}
#else
static int hash_function(const u_char *buffer, const u_int16_t buffer_len,
			 const pfring_dna_cluster_slaves_info *slaves_info, u_int32_t *id_mask, u_int32_t *hash)
{
	*hash = hash_of(buffer, buffer_len);
	*id_mask = 1u << (*hash % slaves_info->num_slaves);
	return DNA_CLUSTER_PASS;
}

static int fanout_function(const u_char *buffer, const u_int16_t buffer_len,
			   const pfring_dna_cluster_slaves_info *slaves_info, u_int32_t *id_mask, u_int32_t *hash)
{
	(void)buffer;
	(void)buffer_len;
	(void)hash;
	*id_mask = (1u << slaves_info->num_slaves) - 1;
	return DNA_CLUSTER_PASS;
}

static int drop_short_function(const u_char *buffer, const u_int16_t buffer_len,
			       const pfring_dna_cluster_slaves_info *slaves_info, u_int32_t *id_mask, u_int32_t *hash)
{
	(void)buffer;
	(void)slaves_info;
	*hash = 0;
	*id_mask = 1;
	return buffer_len < 100 ? DNA_CLUSTER_DROP : DNA_CLUSTER_PASS;
}
#endif

struct slave {
	u_int32_t cluster_id, id;
	int hold; /* keep every 7th packet aside in a pkt_buff */
	u_int32_t *seen; /* per reference packet: times this slave got it */
	u_int64_t packets, bytes;
	int bad;
};

static void *slave_thread(void *arg)
{
	struct slave *s = (struct slave *)arg;
	char dev[64];
	pfring *ring;
	pfring_pkt_buff *aside[64];
	u_int32_t aside_len[64];
	int n_aside = 0, i;

	snprintf(dev, sizeof(dev), "dnacluster:%u@%u", s->cluster_id, s->id);
	ring = pfring_open(dev, 1536, 0);
	if (ring == NULL)
		fail("slave open");
	for (;;) {
		struct pfring_pkthdr hdr;
		u_char *p = NULL;
		int rc, idx;

		if (s->hold && n_aside < 64 && (s->packets % 7) == 6) {
			pfring_pkt_buff *b = pfring_alloc_pkt_buff(ring);

			if (b == NULL)
				fail("pfring_alloc_pkt_buff");
#ifdef GUIDE_SPELLING
			rc = pfring_rcv_pkt_buff(ring, b, &hdr, 1);
#else
			rc = pfring_recv_pkt_buff(ring, b, &hdr, 1);
#endif
			if (rc <= 0) {
				pfring_release_pkt_buff(ring, b);
				if (rc == PF_RING_ERROR_END_OF_FILE)
					break;
				fail("pfring_recv_pkt_buff");
			}
			p = pfring_get_pkt_buff_data(ring, b);
			aside_len[n_aside] = hdr.caplen;
			aside[n_aside++] = b; /* put aside: checked again and released later */
		} else {
			rc = pfring_recv(ring, &p, 0, &hdr, 1);
			if (rc == PF_RING_ERROR_END_OF_FILE)
				break;
			if (rc <= 0)
				fail("slave receive");
		}
		idx = find_ref(p, hdr.caplen);
		if (idx < 0)
			s->bad++;
		else
			s->seen[idx]++;
		s->packets++;
		s->bytes += hdr.len;
		/* release what was put aside, with holes: every other one first */
		if (n_aside == 64 || (n_aside > 0 && (s->packets % 101) == 0)) {
			for (i = 0; i < n_aside; i++) /* still intact after the receives since */
				if (find_ref(pfring_get_pkt_buff_data(ring, aside[i]), aside_len[i]) < 0)
					s->bad++;
			for (i = 0; i < n_aside; i += 2)
				pfring_release_pkt_buff(ring, aside[i]);
			for (i = 1; i < n_aside; i += 2)
				pfring_release_pkt_buff(ring, aside[i]);
			n_aside = 0;
		}
	}
	for (i = 0; i < n_aside; i++) {
		if (find_ref(pfring_get_pkt_buff_data(ring, aside[i]), aside_len[i]) < 0)
			s->bad++;
		pfring_release_pkt_buff(ring, aside[i]);
	}
	pfring_close(ring);
	return NULL;
}

static void run_cluster(const char *device, u_int32_t cluster_id, int kind, u_int32_t num_slaves,
			u_int32_t counts[][MAX_PKTS], u_int64_t *rx)
{
	pfring_dna_cluster *cluster;
	pfring *master;
	struct slave slaves[NUM_SLAVES];
	pthread_t tid[NUM_SLAVES];
	u_int32_t k;
	u_int64_t tot_rx = 0, tot_tx = 0, tot_processed = 0;

	cluster = dna_cluster_create(cluster_id, num_slaves, 0);
	if (cluster == NULL)
		fail("dna_cluster_create");
	master = pfring_open(device, 1536, 0);
	if (master == NULL)
		fail("master open");
	if (dna_cluster_register_ring(cluster, master) < 0)
		fail("dna_cluster_register_ring");
	if (dna_cluster_set_mode(cluster, recv_only_mode) < 0)
		fail("dna_cluster_set_mode");
	if (kind == 0)
		dna_cluster_set_distribution_function(cluster, hash_function);
	else if (kind == 1)
		dna_cluster_set_distribution_function(cluster, fanout_function);
	else
		dna_cluster_set_distribution_function(cluster, drop_short_function);
	if (dna_cluster_enable(cluster) < 0)
		fail("dna_cluster_enable");
	memset(slaves, 0, sizeof(slaves));
	for (k = 0; k < num_slaves; k++) {
		slaves[k].cluster_id = cluster_id;
		slaves[k].id = k;
		slaves[k].hold = kind == 0;
		slaves[k].seen = counts[k];
		pthread_create(&tid[k], NULL, slave_thread, &slaves[k]);
	}
	for (k = 0; k < num_slaves; k++) {
		pthread_join(tid[k], NULL);
		if (slaves[k].bad)
			fail("a slave got a packet that is not in the capture");
	}
#ifdef GUIDE_SPELLING
	if (dna_cluster_stats(cluster, &tot_rx, &tot_tx, &tot_processed) < 0)
		fail("dna_cluster_stats");
#else
	{
		pfring_dna_cluster_stat st;

		if (dna_cluster_stats(cluster, &st) < 0)
			fail("dna_cluster_stats");
		tot_rx = st.tot_rx_packets;
		tot_tx = st.tot_tx_packets;
		tot_processed = st.tot_rx_processed;
	}
#endif
	(void)tot_tx;
	*rx = tot_rx;
	{
		u_int64_t got = 0;

		for (k = 0; k < num_slaves; k++)
			got += slaves[k].packets;
		if (tot_processed != got)
			fail("dna_cluster_stats: processed is not what the slaves read");
	}
	dna_cluster_destroy(cluster);
}

static u_int32_t zeros[NUM_SLAVES][MAX_PKTS];

int main(int argc, char **argv)
{
	u_int32_t i, k;
	u_int64_t rx;

	if (argc != 3) {
		fprintf(stderr, "usage: zero_cluster CAPTURE_DEVICE CAPTURE_FILE\n");
		return 2;
	}
	{
		char errbuf[PCAP_ERRBUF_SIZE];
		pcap_t *ref = pcap_open_offline(argv[2], errbuf);
		struct pcap_pkthdr *ph;
		const u_char *p;

		if (ref == NULL) {
			fprintf(stderr, "zero_cluster: %s\n", errbuf);
			return 1;
		}
		while (ref_count < MAX_PKTS && pcap_next_ex(ref, &ph, &p) == 1) {
			u_int32_t caplen = ph->caplen < 1536 ? ph->caplen : 1536;

			ref_len[ref_count] = caplen;
			ref_sum[ref_count] = checksum(p, caplen);
			ref_count++;
		}
		pcap_close(ref);
	}
	for (i = 0; i < ref_count; i++) {
		u_int32_t j;

		for (j = 0; j <= i; j++)
			if (ref_sum[j] == ref_sum[i] && ref_len[j] == ref_len[i])
				break;
		first_of[i] = j;
	}

	/* (1) hash: every packet exactly once over the three slaves */
	memset(zeros, 0, sizeof(zeros));
	run_cluster(argv[1], 11, 0, NUM_SLAVES, zeros, &rx);
	if (rx != ref_count)
		fail("hash: the master did not read every packet");
	/* identical packets share a checksum: they count where the first is */
	for (i = 0; i < ref_count; i++) {
		u_int32_t n = 0, want = 0, j;

		for (k = 0; k < NUM_SLAVES; k++)
			n += zeros[k][i];
		for (j = 0; j < ref_count; j++)
			want += find_ref_index_is(j, i);
		if (n != want)
			fail("hash: the slaves did not get every packet exactly once");
	}

	/* (2) fan-out: every slave gets every packet */
	memset(zeros, 0, sizeof(zeros));
	run_cluster(argv[1], 12, 1, 2, zeros, &rx);
	for (k = 0; k < 2; k++) {
		u_int64_t total = 0;

		for (i = 0; i < ref_count; i++)
			total += zeros[k][i];
		if (total != ref_count)
			fail("fan-out: a slave missed packets");
	}

	/* (3) DROP: exactly the packets of 100 bytes or more reach slave 0 */
	memset(zeros, 0, sizeof(zeros));
	run_cluster(argv[1], 13, 2, 1, zeros, &rx);
	{
		u_int64_t want = 0, total = 0;

		for (i = 0; i < ref_count; i++) {
			want += ref_len[i] >= 100;
			total += zeros[0][i];
		}
		if (total != want)
			fail("drop: slave 0 did not get exactly the long packets");
	}
	printf("zero_cluster: %u packets: hash, fan-out and drop clusters delivered them right\n", ref_count);
	return 0;
}
