/*
 * pfr_test_lib.c - helpers of the guest test client: PF_RING sockets and their rings, test
 * frames sent through AF_PACKET, tallies of what a ring received.
 */
#include "pfr_test.h"

const char *rxdev = "eth1", *txdev = "eth0";

int fail(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return 1;
}

int family(void)
{
	const char *f = getenv("PFR_FAMILY");

	return f ? atoi(f) : PFR_FAMILY_DEFAULT;
}

int sopt(const struct ring *r, int opt, const void *v, socklen_t len)
{
	return setsockopt(r->fd, PFR_SOL, opt, v, len);
}

int sopt_u32(const struct ring *r, int opt, uint32_t v)
{
	return sopt(r, opt, &v, sizeof(v));
}

/* Opens, binds and maps a ring; 0 or -errno. Not activated. */
int ring_open(struct ring *r, const char *dev)
{
	struct pfr_sockaddr a;
	struct pfr_ring_info info;
	socklen_t len = sizeof(info);
	int err;

	memset(r, 0, sizeof(*r));
	r->fd = socket(family(), SOCK_RAW, htons(ETH_P_ALL));
	if (r->fd < 0)
		return -errno;
	memset(&a, 0, sizeof(a));
	a.family = (uint16_t)family();
	snprintf(a.dev, sizeof(a.dev), "%s", dev);
	if (bind(r->fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		goto err;
	if (getsockopt(r->fd, PFR_SOL, PFR_SO_GET_RING_INFO, &info, &len) < 0)
		goto err;
	if (info.version != PFC_RING_VERSION) {
		errno = EPROTO;
		goto err;
	}
	r->bytes = info.total_bytes;
	r->hdr = mmap(NULL, r->bytes, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (r->hdr == MAP_FAILED)
		goto err;
	if (pfc_ring_check(r->hdr, r->bytes, NULL) || pfc_ring_consumer_attach(&r->cons, r->hdr, r->bytes)) {
		errno = EPROTO;
		goto err;
	}
	return 0;
err:
	err = errno;
	close(r->fd);
	r->fd = -1;
	return -err;
}

void ring_close(struct ring *r)
{
	if (r->hdr && r->hdr != MAP_FAILED)
		munmap(r->hdr, r->bytes);
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->hdr = NULL;
}

int ring_start(struct ring *r, const char *dev)
{
	int err = ring_open(r, dev);

	if (err)
		return err;
	return sopt(r, PFR_SO_ACTIVATE_RING, NULL, 0) ? -errno : 0;
}

/* Reads everything queued; returns the number of slots read. */
uint32_t ring_drain(struct ring *r, struct tally *t)
{
	int got = pfc_ring_consumer_peek(&r->cons, r->cons.num_slots);
	uint32_t n = got > 0 ? (uint32_t)got : 0, i;

	for (i = 0; i < n; i++) {
		struct pfc_slot_hdr meta;
		const struct pfc_slot_hdr *s = &meta;
		const uint8_t *p = pfc_slot_read(&r->cons, i, &meta);
		uint32_t seq, flow;

		if (s->caplen >= 54 && !memcmp(p + 42, "PFRT", 4)) {
			memcpy(&seq, p + 46, 4);
			memcpy(&flow, p + 50, 4);
			seq = ntohl(seq);
			flow = ntohl(flow);
			t->frames++;
			if (seq < MAX_SEQ && t->seen[seq]++)
				t->dups++;
			t->per_flow[flow % 64]++;
			t->queue_bits |= 1ULL << (s->queue & 63);
			if (p[36] == (TEST_DPORT >> 8) && (uint8_t)(p[37] - (TEST_DPORT & 0xff)) < 4) {
				t->per_dport[(uint8_t)(p[37] - (TEST_DPORT & 0xff))]++;
				memcpy(t->last_dst[(uint8_t)(p[37] - (TEST_DPORT & 0xff))], p, 6);
			}
			if (s->rx_direction)
				t->rx++;
			else
				t->tx++;
		} else {
			t->others++;
		}
	}
	pfc_ring_consumer_release(&r->cons, n);
	return n;
}

/* Seconds on CLOCK_MONOTONIC. */
double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Drains rings until `want` test frames arrived in total or ms passed. */
void drain_all(struct ring *rings, struct tally *tallies, int n, uint32_t want, int ms)
{
	struct timespec start, now;
	uint32_t got;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		got = 0;
		for (i = 0; i < n; i++) {
			ring_drain(&rings[i], &tallies[i]);
			got += tallies[i].frames;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((got >= want && want) ||
		    (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 > ms)
			break;
		usleep(2000);
	}
	/* late duplicates or extras would show up here */
	usleep(50000);
	for (i = 0; i < n; i++)
		ring_drain(&rings[i], &tallies[i]);
}

uint16_t ip_csum(const uint8_t *h, int len)
{
	uint32_t sum = 0;
	int i;

	for (i = 0; i < len; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The MAC address of dev (zeros when unknown). */
void dev_mac(const char *dev, uint8_t mac[6])
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(mac, 0, 6);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (fd >= 0 && !ioctl(fd, SIOCGIFHWADDR, &ifr))
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (fd >= 0)
		close(fd);
}

/* An AF_PACKET socket bound to dev, for sending raw frames; fd or -errno. */
int raw_socket(const char *dev)
{
	struct sockaddr_ll sll;
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));

	if (fd < 0)
		return -errno;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(dev);
	sll.sll_protocol = htons(ETH_P_ALL);
	if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		close(fd);
		return -ENODEV;
	}
	return fd;
}

/* Sends one raw frame on dev through AF_PACKET; 0 or -errno. */
int send_raw(const char *dev, const void *frame, size_t len)
{
	int fd = raw_socket(dev), err = 0;

	if (fd < 0)
		return fd;
	if (send(fd, frame, len, 0) != (ssize_t)len)
		err = -errno;
	close(fd);
	return err;
}

/* Sends count frames: seq first_seq.., flow = seq % flows, dport given. */
int spread_sources;

int send_frames(const char *dev, uint32_t first_seq, uint32_t count, uint32_t flows,
		       uint16_t dport)
{
	uint8_t f[FRAME_LEN], mac[6];
	uint32_t i, seq, flow;
	int fd, err = 0;

	dev_mac(dev, mac);
	fd = raw_socket(dev);
	if (fd < 0)
		return fd;
	for (i = 0; i < count; i++) {
		seq = first_seq + i;
		flow = flows ? seq % flows : 0;
		memset(f, 0, sizeof(f));
		memset(f, 0xff, 6); /* broadcast: the peer NIC accepts it */
		memcpy(f + 6, mac, 6);
		f[12] = 0x08;
		f[14] = 0x45; /* IPv4, 20-byte header */
		f[16] = 0;
		f[17] = FRAME_LEN - 14;
		f[22] = 64; /* TTL */
		f[23] = 17; /* UDP */
		memcpy(f + 26, "\x7f\x00\x00\x01", 4);
		memcpy(f + 30, "\x7f\x00\x00\x02", 4);
		f[26 + 3] = (uint8_t)(1 + flow); /* 127.0.0.(1+flow) */
		if (spread_sources) { /* 127.X.Y.(1+flow): flows differ in many bits */
			f[26 + 1] = (uint8_t)(flow * 0x35u + 0x11u);
			f[26 + 2] = (uint8_t)(flow * 0x9du + 0x07u);
		}
		ip_csum_set(f + 14);
		/*
		 * sport 10000 + 2 * flow: the per-flow cluster hash is a sum
		 * (guide 8.6), so address and port must not move in lockstep
		 * or every flow would have the same parity.
		 */
		f[34] = (uint8_t)((10000 + 2 * flow) >> 8);
		f[35] = (uint8_t)(10000 + 2 * flow);
		f[36] = (uint8_t)(dport >> 8);
		f[37] = (uint8_t)dport;
		f[39] = FRAME_LEN - 34;
		memcpy(f + 42, "PFRT", 4);
		seq = htonl(seq);
		memcpy(f + 46, &seq, 4);
		flow = htonl(flow);
		memcpy(f + 50, &flow, 4);
		if (send(fd, f, sizeof(f), 0) != (ssize_t)sizeof(f)) {
			err = -errno;
			break;
		}
		if ((i & 31) == 31)
			usleep(1000); /* let TCG's NIC model keep up */
	}
	close(fd);
	return err;
}

/* A classic BPF program keeping 802.1Q frames of VLAN vid (tag in the bytes, as libpcap's "vlan N"). */
int attach_vlan_filter(const struct ring *r, uint16_t vid)
{
	struct sock_filter code[] = {
		{ 0x28, 0, 0, 12 }, /* ldh [12] */
		{ 0x15, 0, 4, 0x8100 }, /* jeq 802.1Q */
		{ 0x28, 0, 0, 14 }, /* ldh [14] */
		{ 0x54, 0, 0, 0x0fff }, /* and #0xfff */
		{ 0x15, 0, 1, vid }, /* jeq vid */
		{ 0x06, 0, 0, 0xffff }, /* accept */
		{ 0x06, 0, 0, 0 }, /* drop */
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };

	return setsockopt(r->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

/* Classic BPF: IPv4 UDP to dport, with a 20-byte IP header. */
int attach_udp_port_filter(const struct ring *r, uint16_t dport)
{
	struct sock_filter code[] = {
		{ 0x28, 0, 0, 12 }, /* ldh [12] */
		{ 0x15, 0, 5, 0x0800 }, /* jeq IPv4 */
		{ 0x30, 0, 0, 23 }, /* ldb [23] */
		{ 0x15, 0, 3, 17 }, /* jeq UDP */
		{ 0x28, 0, 0, 36 }, /* ldh [36] */
		{ 0x15, 0, 1, dport }, /* jeq dport */
		{ 0x06, 0, 0, 0xffff }, /* accept */
		{ 0x06, 0, 0, 0 }, /* drop */
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };

	return setsockopt(r->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

/* A started ring on dev that keeps the test frames to TEST_DPORT only; 0 or -errno. */
int ring_start_test_frames(struct ring *r, const char *dev)
{
	int err = ring_start(r, dev);

	if (err)
		return err;
	return attach_udp_port_filter(r, TEST_DPORT) ? -errno : 0;
}

int get_stats(const struct ring *r, struct pfr_stats *st)
{
	socklen_t len = sizeof(*st);

	return getsockopt(r->fd, PFR_SOL, PFR_SO_GET_STATS, st, &len);
}

/*
 * Reads rings[0..n) until fn has returned 1 for `want` slots in total or
 * ms passed, then 50 ms more for late extras. fn gets the ring's index.
 * Returns the number of slots fn returned 1 for.
 */
uint32_t ring_scan(struct ring *rings, int n, slot_fn fn, void *ctx, uint32_t want, int ms)
{
	double end = now_s() + ms / 1000.0, extra = 0;
	uint32_t hits = 0, k, i;
	int j;

	for (;;) {
		for (j = 0; j < n; j++) {
			struct pfc_ring_consumer *c = &rings[j].cons;
			int got = pfc_ring_consumer_peek(c, c->num_slots);

			k = got > 0 ? (uint32_t)got : 0;
			for (i = 0; i < k; i++) {
				struct pfc_slot_hdr meta;
				const uint8_t *data = pfc_slot_read(c, i, &meta);

				hits += fn(j, &meta, data, ctx) == 1;
			}
			pfc_ring_consumer_release(c, k);
		}
		if (extra && now_s() >= extra)
			return hits;
		if (!extra && ((want && hits >= want) || now_s() >= end))
			extra = now_s() + 0.05;
		usleep(2000);
	}
}

/* The 20-byte IPv4 header checksum written into h[10..11]. */
void ip_csum_set(uint8_t *h)
{
	uint16_t c;

	h[10] = h[11] = 0;
	c = ip_csum(h, 20);
	h[10] = (uint8_t)(c >> 8);
	h[11] = (uint8_t)c;
}
