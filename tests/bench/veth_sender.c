/*
 * veth_sender - the offered load of tests/bench/packet_vs_pcap.sh: sends
 * COUNT UDP/IPv4 frames of SIZE bytes (256 flows) out of IFACE as fast as
 * one core can, with sendmmsg() on an AF_PACKET socket that bypasses the
 * qdisc, and prints "sent N frames in T s (P pps)".
 *
 *   veth_sender IFACE COUNT [SIZE]
 */
#define _GNU_SOURCE 1

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Ethernet + IPv4 + UDP, flow number in the source port. */
static void build(unsigned char *f, unsigned size, unsigned flow)
{
	static const unsigned char macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	unsigned ip_len = size - 14, udp_len = ip_len - 20;

	memset(f, 0, size);
	memcpy(f, macs, 12);
	f[12] = 0x08;
	f[14] = 0x45;
	f[16] = (unsigned char)(ip_len >> 8);
	f[17] = (unsigned char)ip_len;
	f[22] = 64;
	f[23] = 17;
	f[26] = 10, f[27] = 0, f[28] = 0, f[29] = 1;
	f[30] = 10, f[31] = 0, f[32] = 0, f[33] = 2;
	f[34] = (unsigned char)(0x40 + (flow >> 8)), f[35] = (unsigned char)flow;
	f[36] = 0x00, f[37] = 53;
	f[38] = (unsigned char)(udp_len >> 8), f[39] = (unsigned char)udp_len;
}

int main(int argc, char **argv)
{
	static unsigned char frames[BATCH][2048];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_ll to;
	unsigned long long count, sent = 0;
	unsigned size = 64, i;
	int fd, one = 1;
	double t0, t;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: veth_sender IFACE COUNT [SIZE]\n");
		return 2;
	}
	count = strtoull(argv[2], NULL, 10);
	if (argc == 4)
		size = (unsigned)atoi(argv[3]);
	if (size < 60 || size > 1514) {
		fprintf(stderr, "veth_sender: SIZE must be 60..1514\n");
		return 2;
	}
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("veth_sender: socket");
		return 1;
	}
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	memset(&to, 0, sizeof(to));
	to.sll_family = AF_PACKET;
	to.sll_ifindex = (int)if_nametoindex(argv[1]);
	to.sll_halen = ETH_ALEN;
	if (to.sll_ifindex == 0) {
		fprintf(stderr, "veth_sender: no interface %s\n", argv[1]);
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		build(frames[i], size, i * 4);
		iov[i].iov_base = frames[i];
		iov[i].iov_len = size;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &to;
		msgs[i].msg_hdr.msg_namelen = sizeof(to);
	}
	t0 = now_s();
	while (sent < count) {
		unsigned n = count - sent < BATCH ? (unsigned)(count - sent) : BATCH;
		int rc = sendmmsg(fd, msgs, n, 0);

		if (rc < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)
				continue;
			perror("veth_sender: sendmmsg");
			return 1;
		}
		sent += (unsigned)rc;
	}
	t = now_s() - t0;
	printf("sent %llu frames in %.3f s (%.0f pps)\n", sent, t, (double)sent / t);
	close(fd);
	return 0;
}
