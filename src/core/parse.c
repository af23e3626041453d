/*
 * parse.c - the packet parser behind pfring_parse_pkt (guide 8.14), shared
 * by pf_ring.ko, libpfring and the software NIC. Freestanding C11: no libc,
 * no allocation, no mutable globals.
 *
 * Conventions (parse.h is the contract; these are the details it leaves):
 *  - Every read goes through rd8/rd16/rd32 on a struct pfc_buf, which never
 *    touch a byte at or past the captured length; every header is checked
 *    whole with fits() before any of its fields is used.
 *  - A header "fits" when all of it, options included, is captured. A header
 *    that does not fit, or is malformed, ends parsing at the layer before.
 *  - Fields of the layers this call does not keep are reset first (absent
 *    values: 0, NO_VLAN, NO_TUNNEL_ID), so the result depends only on the
 *    bytes, the level and the kept layers, never on stale contents of *p.
 *  - offset.l3_offset is set whenever L2 was parsed (it marks L2 as done);
 *    offset.l4_offset whenever L3 was parsed and the packet holds an L4
 *    header (not for a later fragment or an IPv6 extension chain that could
 *    not be walked), even if the protocol there is not one we parse.
 *  - offset.vlan_offset is PF_RING's: the first tag's TCI (byte 14), 0 if
 *    untagged.
 *  - Offsets are int16_t: bytes past PFC_PARSE_LIMIT are treated as not
 *    captured, so every stored offset fits.
 */
#include "parse.h"
#include "parse_internal.h"

/* The bytes the parser may read: data[0, len). */
struct pfc_buf {
	const uint8_t *data;
	uint32_t len;
};

/* What an Ethernet header and its VLAN tags say. */
struct l2_hdr {
	uint16_t eth_type;
	uint16_t vlan_id;
	uint16_t qinq_vlan_id;
	uint32_t vlan_off;
	uint32_t l3_off;
};

/* What an IPv4 or IPv6 header (and its extension headers) say. */
struct l3_hdr {
	uint8_t version;
	uint8_t proto;
	uint8_t tos;
	ip_addr src;
	ip_addr dst;
	uint32_t l4_off; /* 0: no L4 header to look at */
	uint32_t frag; /* PKT_FLAGS_IP_* */
};

/* ---- bounds-checked big-endian reads (the only place pkt is read) ---- */

static int fits(const struct pfc_buf *b, uint32_t off, uint32_t n)
{
	return off <= b->len && n <= b->len - off;
}

static uint8_t rd8(const struct pfc_buf *b, uint32_t off)
{
	return off < b->len ? b->data[off] : 0;
}

/*
 * Multi-byte reads check the bounds once for the whole field when it is
 * captured (nearly always) and fall back to byte reads, which give 0 past
 * the end, only at the edge: the same values with fewer branches (a
 * parse runs per packet in the software NIC's RSS and in the ring).
 */
static uint16_t rd16(const struct pfc_buf *b, uint32_t off)
{
	if (fits(b, off, 2))
		return (uint16_t)((uint32_t)b->data[off] << 8 | b->data[off + 1]);
	return (uint16_t)((uint32_t)rd8(b, off) << 8 | rd8(b, off + 1));
}

static uint32_t rd32(const struct pfc_buf *b, uint32_t off)
{
	if (fits(b, off, 4)) {
		const uint8_t *d = b->data + off;

		return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
		       (uint32_t)d[2] << 8 | d[3];
	}
	return (uint32_t)rd16(b, off) << 16 | rd16(b, off + 2);
}

/* ---- small helpers (no libc) ---- */

static void addr_copy(ip_addr *to, const ip_addr *from)
{
	__builtin_memcpy(to, from, sizeof(*to));
}

/* IPv4 addresses in host order (PF_RING convention), IPv6 as the bytes. */
static void addr_read(const struct pfc_buf *b, uint32_t off, uint8_t version,
		      ip_addr *a)
{
	unsigned int i;

	addr_clear(a);
	if (version == 4) {
		a->v4 = rd32(b, off);
		return;
	}
	if (fits(b, off, sizeof(a->v6.s6_addr))) {
		__builtin_memcpy(a->v6.s6_addr, b->data + off, sizeof(a->v6.s6_addr));
		return;
	}
	for (i = 0; i < sizeof(a->v6.s6_addr); i++)
		a->v6.s6_addr[i] = rd8(b, off + i);
}

static void reset_l2(struct pkt_parsing_info *p)
{
	__builtin_memset(p->dmac, 0, ETH_ALEN);
	__builtin_memset(p->smac, 0, ETH_ALEN);
	p->eth_type = 0;
	p->vlan_id = NO_VLAN;
	p->qinq_vlan_id = NO_VLAN;
	p->offset.eth_offset = 0;
	p->offset.vlan_offset = 0;
	p->offset.l3_offset = 0;
}

static void reset_l3(struct pkt_parsing_info *p)
{
	p->ip_version = 0;
	p->l3_proto = 0;
	p->ip_tos = 0;
	addr_clear(&p->ip_src);
	addr_clear(&p->ip_dst);
	p->offset.l4_offset = 0;
}

/* ---- L2: Ethernet II and VLAN tags ---- */

/* 802.1Q C-tag, 802.1ad S-tag, and the pre-standard QinQ 0x9100. */
static int is_vlan_tpid(uint16_t type)
{
	return type == PFC_ETH_P_8021Q || type == PFC_ETH_P_8021AD ||
	       type == PFC_ETH_P_QINQ1;
}

/*
 * Ethernet II header at off, then up to PFC_MAX_VLAN_TAGS tags (IEEE 802.1Q
 * clause 9: TPID, then TCI whose low 12 bits are the VID). A tag that is not
 * captured whole ends the walk: its TPID becomes eth_type. Returns 0 if the
 * Ethernet header itself does not fit.
 */
static int parse_eth(const struct pfc_buf *b, uint32_t off, struct l2_hdr *h)
{
	unsigned int tags;

	if (!fits(b, off, PFC_ETH_HDR_LEN))
		return 0;
	h->eth_type = rd16(b, off + 12);
	h->vlan_id = NO_VLAN;
	h->qinq_vlan_id = NO_VLAN;
	h->vlan_off = 0;
	off += PFC_ETH_HDR_LEN;
	for (tags = 0; tags < PFC_MAX_VLAN_TAGS; tags++) {
		uint16_t vid;

		if (!is_vlan_tpid(h->eth_type) ||
		    !fits(b, off, PFC_VLAN_TAG_LEN))
			break;
		vid = rd16(b, off) & 0x0FFF;
		if (tags == 0) {
			h->vlan_id = vid;
			h->vlan_off = off;
		} else if (tags == 1) {
			h->qinq_vlan_id = vid;
		}
		h->eth_type = rd16(b, off + 2);
		off += PFC_VLAN_TAG_LEN;
	}
	h->l3_off = off;
	return 1;
}

/* ---- L3: IPv4, IPv6 and IPv6 extension headers ---- */

/*
 * RFC 791 section 3.1. IHL below 5 or a total length shorter than the
 * header is malformed. A total length of 0 is accepted: Linux BIG TCP
 * hands over IPv4 GSO packets above 64 KiB with tot_len 0.
 * Fragments (flags and offset, same section): only the first one, offset
 * 0, carries the L4 header.
 */
static int parse_ipv4(const struct pfc_buf *b, uint32_t off, struct l3_hdr *h)
{
	uint32_t ihl, tot_len;
	uint16_t frag;

	if (!fits(b, off, PFC_IPV4_MIN_HDR_LEN) || (rd8(b, off) >> 4) != 4)
		return 0;
	ihl = (uint32_t)(rd8(b, off) & 0x0F) * 4;
	tot_len = rd16(b, off + 2);
	if (ihl < PFC_IPV4_MIN_HDR_LEN || !fits(b, off, ihl))
		return 0;
	if (tot_len != 0 && tot_len < ihl)
		return 0;
	h->version = 4;
	h->tos = rd8(b, off + 1);
	h->proto = rd8(b, off + 9);
	addr_read(b, off + 12, 4, &h->src);
	addr_read(b, off + 16, 4, &h->dst);
	frag = rd16(b, off + 6);
	h->frag = 0;
	if (frag & 0x2000)
		h->frag |= PKT_FLAGS_IP_MORE_FRAG;
	if (frag & 0x1FFF)
		h->frag |= PKT_FLAGS_IP_FRAG_OFFSET;
	h->l4_off = (frag & 0x1FFF) ? 0 : off + ihl;
	return 1;
}

/*
 * Length of the extension header of type `type` at off: RFC 8200 4.3-4.6
 * count 8-octet units past the first 8; the fragment header (4.5) is 8;
 * AH (RFC 4302 section 2.2) counts 4-octet units minus 2.
 */
static uint32_t ipv6_ext_len(const struct pfc_buf *b, uint32_t off,
			     uint8_t type)
{
	uint32_t units = rd8(b, off + 1);

	if (type == PFC_IPV6_NEXT_FRAGMENT)
		return 8;
	if (type == PFC_IPPROTO_AH)
		return (units + 2) * 4;
	return (units + 1) * 8;
}

/*
 * Walks the extension headers starting with `next` at off and sets proto
 * and l4_off. A chain that is cut short or longer than
 * PFC_MAX_IPV6_EXT_HDRS leaves proto at the header it could not pass and
 * l4_off 0. A fragment header with a non-zero offset (RFC 8200 4.5) ends
 * the walk: what follows is the middle of the upper-layer data.
 */
static void walk_ipv6_ext(const struct pfc_buf *b, uint8_t next, uint32_t off,
			  struct l3_hdr *h)
{
	unsigned int n;

	h->l4_off = 0;
	for (n = 0;; n++) {
		uint32_t len;

		h->proto = next;
		if (!is_ipv6_ext(next)) {
			h->l4_off = off;
			return;
		}
		if (n == PFC_MAX_IPV6_EXT_HDRS || !fits(b, off, 8))
			return;
		len = ipv6_ext_len(b, off, next);
		if (!fits(b, off, len))
			return;
		if (next == PFC_IPV6_NEXT_FRAGMENT) {
			uint16_t frag = rd16(b, off + 2);

			if (frag & 0x0001)
				h->frag |= PKT_FLAGS_IP_MORE_FRAG;
			if (frag & 0xFFF8) {
				h->frag |= PKT_FLAGS_IP_FRAG_OFFSET;
				h->proto = rd8(b, off);
				return;
			}
		}
		next = rd8(b, off);
		off += len;
	}
}

/* RFC 8200 section 3. */
static int parse_ipv6(const struct pfc_buf *b, uint32_t off, struct l3_hdr *h)
{
	if (!fits(b, off, PFC_IPV6_HDR_LEN) || (rd8(b, off) >> 4) != 6)
		return 0;
	h->version = 6;
	h->tos = (uint8_t)(rd16(b, off) >> 4); /* traffic class */
	addr_read(b, off + 8, 6, &h->src);
	addr_read(b, off + 24, 6, &h->dst);
	h->frag = 0;
	walk_ipv6_ext(b, rd8(b, off + 6), off + PFC_IPV6_HDR_LEN, h);
	return 1;
}

static int parse_ip(const struct pfc_buf *b, uint16_t eth_type, uint32_t off,
		    struct l3_hdr *h)
{
	if (eth_type == PFC_ETH_P_IP)
		return parse_ipv4(b, off, h);
	if (eth_type == PFC_ETH_P_IPV6)
		return parse_ipv6(b, off, h);
	return 0;
}

/* ---- L4 ---- */

/*
 * GRE header length: RFC 2784 section 2 with the key and sequence number
 * of RFC 2890; version 1 is PPTP's (RFC 2637 section 4.1) with its
 * acknowledgment number. The routing fields of RFC 1701 (R or s bit) are
 * not supported: 0.
 */
static uint32_t gre_hdr_len(const struct pfc_buf *b, uint32_t off)
{
	uint16_t fv = rd16(b, off);
	uint16_t ver = fv & 0x0007;
	uint32_t len = PFC_GRE_MIN_HDR_LEN;

	if ((fv & 0x4800) || ver > 1)
		return 0;
	if (fv & 0x8000)
		len += 4; /* checksum + reserved1 */
	if (fv & 0x2000)
		len += 4; /* key (PPTP: payload length + call id) */
	if (fv & 0x1000)
		len += 4; /* sequence number */
	if (ver == 1 && (fv & 0x0080))
		len += 4; /* acknowledgment number */
	return len;
}

/*
 * Length of the L4 header of `proto` at off if it is one we parse and it
 * is captured whole, else 0. TCP: data offset (RFC 9293 3.1), at least 5.
 */
static uint32_t l4_hdr_len(const struct pfc_buf *b, uint8_t proto,
			   uint32_t off)
{
	uint32_t len;

	switch (proto) {
	case PFC_IPPROTO_TCP:
		if (!fits(b, off, PFC_TCP_MIN_HDR_LEN))
			return 0;
		len = (uint32_t)(rd8(b, off + 12) >> 4) * 4;
		if (len < PFC_TCP_MIN_HDR_LEN)
			return 0;
		break;
	case PFC_IPPROTO_UDP:
		len = PFC_UDP_HDR_LEN;
		break;
	case PFC_IPPROTO_ICMP:
	case PFC_IPPROTO_ICMPV6:
		len = PFC_ICMP_HDR_LEN;
		break;
	case PFC_IPPROTO_SCTP:
		len = PFC_SCTP_HDR_LEN; /* RFC 9260 3.1 common header */
		break;
	case PFC_IPPROTO_GRE:
		if (!fits(b, off, PFC_GRE_MIN_HDR_LEN))
			return 0;
		len = gre_hdr_len(b, off);
		if (!len)
			return 0;
		break;
	default:
		return 0;
	}
	return fits(b, off, len) ? len : 0;
}

static int has_ports(uint8_t proto)
{
	return proto == PFC_IPPROTO_TCP || proto == PFC_IPPROTO_UDP ||
	       proto == PFC_IPPROTO_SCTP;
}

static int parse_l4(const struct pfc_buf *b, struct pkt_parsing_info *p)
{
	uint32_t off = (uint32_t)p->offset.l4_offset;
	uint32_t len = l4_hdr_len(b, p->l3_proto, off);

	if (!len)
		return 0;
	if (has_ports(p->l3_proto)) {
		p->l4_src_port = rd16(b, off);
		p->l4_dst_port = rd16(b, off + 2);
	}
	if (p->l3_proto == PFC_IPPROTO_TCP) {
		p->tcp.seq_num = rd32(b, off + 4);
		p->tcp.ack_num = rd32(b, off + 8);
		p->tcp.flags = rd8(b, off + 13);
	} else if (p->l3_proto == PFC_IPPROTO_ICMP ||
		   p->l3_proto == PFC_IPPROTO_ICMPV6) {
		p->icmp_type = rd8(b, off);
		p->icmp_code = rd8(b, off + 1);
	}
	p->offset.payload_offset = (int16_t)(off + len);
	return 1;
}

/* ---- level 5: tunnels ---- */

/*
 * The inner IP header at off and, if captured whole, the ports of an inner
 * TCP, UDP or SCTP header. Returns 1 if the inner IP header was parsed.
 */
static int parse_inner_ip(const struct pfc_buf *b, uint16_t eth_type,
			  uint32_t off, tunnel_info *t)
{
	struct l3_hdr h;

	if (!parse_ip(b, eth_type, off, &h))
		return 0;
	t->tunneled_ip_version = h.version;
	t->tunneled_proto = h.proto;
	addr_copy(&t->tunneled_ip_src, &h.src);
	addr_copy(&t->tunneled_ip_dst, &h.dst);
	if (h.l4_off && has_ports(h.proto) &&
	    l4_hdr_len(b, h.proto, h.l4_off)) {
		t->tunneled_l4_src_port = rd16(b, h.l4_off);
		t->tunneled_l4_dst_port = rd16(b, h.l4_off + 2);
	}
	return 1;
}

static int parse_inner_eth(const struct pfc_buf *b, uint32_t off,
			   tunnel_info *t)
{
	struct l2_hdr h;

	if (!parse_eth(b, off, &h))
		return 0;
	return parse_inner_ip(b, h.eth_type, h.l3_off, t);
}

/*
 * GTP-U, 3GPP TS 29.281 section 5.1: version 1, PT 1. Any of E, S, PN
 * adds sequence number, N-PDU number and next extension header type; with
 * E the extension headers follow, each `length` 4-octet units long and
 * ending with the next type (section 5.2). Only a G-PDU (type 255) carries
 * an inner IP packet.
 */
static int parse_gtpu(const struct pfc_buf *b, uint32_t off, tunnel_info *t)
{
	uint8_t fl = rd8(b, off);
	uint32_t len = PFC_GTPU_HDR_LEN;
	uint8_t next = 0;
	uint16_t inner_type;

	if (!fits(b, off, PFC_GTPU_HDR_LEN) || (fl & 0xF0) != 0x30)
		return 0;
	if (fl & 0x07) {
		if (!fits(b, off, PFC_GTPU_HDR_LEN + PFC_GTPU_OPT_LEN))
			return 0;
		if (fl & 0x04)
			next = rd8(b, off + 11);
		len += PFC_GTPU_OPT_LEN;
	}
	while (next != 0) {
		uint32_t ext = (uint32_t)rd8(b, off + len) * 4;

		/* Each pass moves on by >= 4 bytes within len <= 0x7FFF. */
		if (ext == 0 || !fits(b, off + len, ext))
			return 0;
		next = rd8(b, off + len + ext - 1);
		len += ext;
	}
	t->tunnel_id = rd32(b, off + 4);
	if (rd8(b, off + 1) != 0xFF || !fits(b, off + len, 1))
		return 0;
	/* No type field: the IP version nibble tells (TS 29.281 5.1). */
	inner_type = (rd8(b, off + len) >> 4) == 6 ? PFC_ETH_P_IPV6 :
						      PFC_ETH_P_IP;
	return parse_inner_ip(b, inner_type, off + len, t);
}

/* VXLAN, RFC 7348 section 5: the I flag says the VNI is valid. */
static int parse_vxlan(const struct pfc_buf *b, uint32_t off, tunnel_info *t)
{
	if (!fits(b, off, PFC_VXLAN_HDR_LEN) || !(rd8(b, off) & 0x08))
		return 0;
	t->tunnel_id = rd32(b, off + 4) >> 8;
	return parse_inner_eth(b, off + PFC_VXLAN_HDR_LEN, t);
}

/*
 * GRE version 0 (RFC 2784, 2890): the key is the tunnel id; the protocol
 * type says what follows, IP directly or Ethernet (0x6558, RFC 1701
 * transparent Ethernet bridging).
 */
static int parse_gre(const struct pfc_buf *b, uint32_t off, uint32_t hlen,
		     tunnel_info *t)
{
	uint16_t fv = rd16(b, off);
	uint16_t type = rd16(b, off + 2);

	if (fv & 0x0007)
		return 0;
	if (fv & 0x2000)
		t->tunnel_id = rd32(b, off + ((fv & 0x8000) ? 8 : 4));
	if (type == PFC_ETH_P_TEB)
		return parse_inner_eth(b, off + hlen, t);
	return parse_inner_ip(b, type, off + hlen, t);
}

/* Called once the outer L4 header was parsed; 1 if inner IP was parsed. */
static int parse_tunnel(const struct pfc_buf *b, struct pkt_parsing_info *p)
{
	uint32_t l4 = (uint32_t)p->offset.l4_offset;
	uint32_t hlen = (uint32_t)p->offset.payload_offset - l4;

	if (p->l3_proto == PFC_IPPROTO_GRE)
		return parse_gre(b, l4, hlen, &p->tunnel);
	if (p->l3_proto != PFC_IPPROTO_UDP)
		return 0;
	if (p->l4_dst_port == PFC_GTPU_PORT)
		return parse_gtpu(b, l4 + PFC_UDP_HDR_LEN, &p->tunnel);
	if (p->l4_dst_port == PFC_VXLAN_PORT)
		return parse_vxlan(b, l4 + PFC_UDP_HDR_LEN, &p->tunnel);
	return 0;
}

/* ---- the layers into *p ---- */

static int parse_l2(const struct pfc_buf *b, struct pkt_parsing_info *p)
{
	struct l2_hdr h;

	if (!parse_eth(b, 0, &h))
		return 0;
	/* parse_eth checked these 12 bytes */
	__builtin_memcpy(p->dmac, b->data, ETH_ALEN);
	__builtin_memcpy(p->smac, b->data + ETH_ALEN, ETH_ALEN);
	p->eth_type = h.eth_type;
	p->vlan_id = h.vlan_id;
	p->qinq_vlan_id = h.qinq_vlan_id;
	p->offset.eth_offset = 0;
	p->offset.vlan_offset = (int16_t)h.vlan_off;
	p->offset.l3_offset = (int16_t)h.l3_off;
	return 1;
}

static int parse_l3(const struct pfc_buf *b, struct pkt_parsing_info *p,
		    uint32_t *flags)
{
	struct l3_hdr h;

	/* A kept (caller-supplied) l3_offset may be anything. */
	if (p->offset.l3_offset <= 0 ||
	    !parse_ip(b, p->eth_type, (uint32_t)p->offset.l3_offset, &h))
		return 0;
	p->ip_version = h.version;
	p->l3_proto = h.proto;
	p->ip_tos = h.tos;
	addr_copy(&p->ip_src, &h.src);
	addr_copy(&p->ip_dst, &h.dst);
	p->offset.l4_offset = (int16_t)h.l4_off;
	if (flags)
		*flags |= h.frag;
	return 1;
}

/*
 * Every other case, layer by layer (out of line: the fast path's callers
 * do not pay for this one's stack frame).
 */
static __attribute__((__noinline__)) int
parse_layers(const struct pfc_buf *b, uint8_t level, int keep_l2, int keep_l3,
	     struct pkt_parsing_info *p, uint32_t *flags)
{
	reset_l4(p);
	if (!keep_l3) {
		reset_l3(p);
		if (flags)
			*flags &= ~(uint32_t)PFC_PKT_FLAGS_IP;
	}
	if (!keep_l2)
		reset_l2(p);

	if (level < PFC_LEVEL_L2 || (!keep_l2 && !parse_l2(b, p)))
		return 0;
	if (level < PFC_LEVEL_L3 || (!keep_l3 && !parse_l3(b, p, flags)))
		return PFC_LEVEL_L2;
	if (level < PFC_LEVEL_L4 || p->offset.l4_offset <= 0 ||
	    !parse_l4(b, p))
		return PFC_LEVEL_L3;
	if (level < PFC_LEVEL_TUNNEL || !parse_tunnel(b, p))
		return PFC_LEVEL_L4;
	return PFC_LEVEL_TUNNEL;
}

int pfc_parse_pkt(const uint8_t *pkt, uint32_t caplen, uint8_t level,
		  struct pkt_parsing_info *p, uint32_t *flags)
{
	struct pfc_buf b;
	int keep_l2, keep_l3;

	if (!p)
		return 0;
	b.data = pkt;
	b.len = !pkt ? 0 : caplen < PFC_PARSE_LIMIT ? caplen : PFC_PARSE_LIMIT;

	/* Guide 8.14: non-zero offsets mean the layers below were parsed. */
	keep_l3 = p->offset.l4_offset != 0;
	keep_l2 = keep_l3 || p->offset.l3_offset != 0;
	if (!keep_l2 && level >= PFC_LEVEL_L3) {
		int ret = pfc_parse_fast(b.data, b.len, level, p, flags);

		if (ret >= 0)
			return ret;
	}
	return parse_layers(&b, level, keep_l2, keep_l3, p, flags);
}

uint32_t pfc_ip_word_sum(const ip_addr *a, uint8_t version)
{
	uint32_t sum = 0;
	unsigned int i;

	if (version == 4)
		return a->v4;
	if (version != 6)
		return 0;
	for (i = 0; i < sizeof(a->v6.s6_addr); i += 4)
		sum += (uint32_t)a->v6.s6_addr[i] << 24 |
		       (uint32_t)a->v6.s6_addr[i + 1] << 16 |
		       (uint32_t)a->v6.s6_addr[i + 2] << 8 |
		       a->v6.s6_addr[i + 3];
	return sum;
}

uint32_t pfc_bidir_hash(const struct pkt_parsing_info *p)
{
	uint32_t h;

	if (!p)
		return 0;
	/* An untagged packet counts as VLAN 0, so its hash is not 0xFFFF. */
	h = p->vlan_id == NO_VLAN ? 0 : p->vlan_id;
	if (p->ip_version != 4 && p->ip_version != 6)
		return h;
	return h + p->l3_proto + pfc_ip_word_sum(&p->ip_src, p->ip_version) +
	       pfc_ip_word_sum(&p->ip_dst, p->ip_version) + p->l4_src_port +
	       p->l4_dst_port;
}
