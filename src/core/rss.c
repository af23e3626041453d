/*
 * rss.c - Toeplitz RSS hash, its byte-table form, hash inputs from a parsed
 * packet and the indirection table (rss.h is the contract). Freestanding
 * C11: no libc, no allocation, no mutable globals.
 *
 * Bit numbering follows Microsoft "RSS Hashing Functions" and the 82576
 * datasheet 7.1.2.10.1: bit 0 of a byte string is the most significant bit
 * of its byte 0. For the input bit at position b the hash XORs in the key
 * window W(b) = key bits b..b+31 read as a 32-bit number (key bit b is the
 * number's most significant bit). The bitwise implementation XORs these
 * windows per set input bit; the table holds, per byte position and value,
 * the XOR of the windows of the value's set bits (built from the bitwise
 * one), so that hashing takes one lookup per byte.
 */
#include "rss.h"

_Static_assert(sizeof(struct pfc_rss_table) == PFC_RSS_MAX_INPUT * 256 * 4 + PFC_RSS_MAX_INPUT / 4 * 8,
	       "pfc_rss_table is 36 KiB (and the 9 windows) as documented");

#if defined(__x86_64__) && !defined(__KERNEL__) && !defined(PFC_FREESTANDING)
/*
 * The compiler's header, not libc's: PCLMULQDQ. Not in the kernel (no SIMD
 * there) nor in the freestanding check build that stands for it.
 */
#include <wmmintrin.h>
#define PFC_RSS_CLMUL 1
#endif

/* Verbatim from Microsoft "Verifying the RSS Hash Calculation". */
const uint8_t pfc_rss_default_key[PFC_RSS_KEY_LEN] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

const uint8_t pfc_rss_symmetric_key[PFC_RSS_KEY_LEN] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

static uint32_t clamp_len(uint32_t len)
{
	return len > PFC_RSS_MAX_INPUT ? PFC_RSS_MAX_INPUT : len;
}

/*
 * Bit by bit, as the datasheet pseudocode reads, with the key held in a
 * 64-bit sliding window instead of shifting all 320 bits: at input byte i,
 * `window` holds key bits 8i..8i+63, so the 32 key bits for input bit 8i+b
 * are window >> (32 - b). No branch on the input bits (a mask instead): the
 * input is random, a branch on it would be mispredicted half the time.
 * The last 4 input bytes shift in key bytes 40..43, which do not exist and
 * are never looked at (input bit 287 uses key bits 287..318): zeros.
 */
uint32_t pfc_rss_hash_bitwise(const uint8_t key[PFC_RSS_KEY_LEN], const uint8_t *input,
			      uint32_t len)
{
	uint64_t window = 0;
	uint32_t hash = 0, i, b;

	for (i = 0; i < 8; i++)
		window = (window << 8) | key[i];
	len = clamp_len(len);
	for (i = 0; i < len; i++) {
		for (b = 0; b < 8; b++) {
			uint32_t bit = ((uint32_t)input[i] >> (7u - b)) & 1u;

			hash ^= (uint32_t)(window >> (32u - b)) & (0u - bit);
		}
		window = (window << 8) | (i + 8 < PFC_RSS_KEY_LEN ? key[i + 8] : 0u);
	}
	return hash;
}

/*
 * Row i, value v: Toeplitz is linear (XOR) in the input, so the hash of
 * byte i = v is the XOR of the hashes of v's set bits alone. Those 8
 * single-bit hashes come from the bitwise reference; the 256 values are then
 * built by doubling: once the values below 1 << b are done, setting bit b
 * adds its hash to each of them.
 */
void pfc_rss_table_init(struct pfc_rss_table *t, const uint8_t key[PFC_RSS_KEY_LEN])
{
	uint8_t one_bit[PFC_RSS_MAX_INPUT] = { 0 };
	uint32_t i, b, v;

	for (i = 0; i < PFC_RSS_MAX_INPUT; i++) {
		uint32_t *row = t->contrib[i];

		row[0] = 0;
		for (b = 0; b < 8; b++) {
			uint32_t w;

			one_bit[i] = (uint8_t)(1u << b);
			w = pfc_rss_hash_bitwise(key, one_bit, i + 1);
			for (v = 0; v < (1u << b); v++)
				row[v | (1u << b)] = row[v] ^ w;
		}
		one_bit[i] = 0;
	}
	/* rwin[i] bit b: key bit 32i + b (rss.h) */
	for (i = 0; i < PFC_RSS_MAX_INPUT / 4; i++) {
		uint64_t win = 0;

		for (b = 0; b < 64; b++) {
			uint32_t bit = 32 * i + b;

			if (bit < 8 * PFC_RSS_KEY_LEN && ((key[bit / 8] >> (7 - bit % 8)) & 1))
				win |= (uint64_t)1 << b;
		}
		t->rwin[i] = win;
	}
}

/* One lookup per byte; the compiler unrolls it completely for a constant n. */
static inline uint32_t hash_bytes(const struct pfc_rss_table *t, const uint8_t *input,
				  uint32_t n)
{
	uint32_t hash = 0, i;

	for (i = 0; i < n; i++)
		hash ^= t->contrib[i][input[i]];
	return hash;
}

/*
 * The input lengths of the hash types get straight-line code each: a
 * generic loop costs two to three times as much per call when it cannot be
 * inlined with a constant length, which is how pf_ring.ko and the software
 * NIC call it, the length coming from pfc_rss_input (measured with
 * tests/bench/bench_rss.cpp).
 */
uint32_t pfc_rss_hash_bytes(const struct pfc_rss_table *t, const uint8_t *input, uint32_t len)
{
	switch (len) {
	case PFC_RSS_IPV4_L4_LEN:
		return hash_bytes(t, input, PFC_RSS_IPV4_L4_LEN);
	case PFC_RSS_IPV6_L4_LEN:
		return hash_bytes(t, input, PFC_RSS_IPV6_L4_LEN);
	case PFC_RSS_IPV4_LEN:
		return hash_bytes(t, input, PFC_RSS_IPV4_LEN);
	case PFC_RSS_IPV6_LEN:
		return hash_bytes(t, input, PFC_RSS_IPV6_LEN);
	default:
		return hash_bytes(t, input, clamp_len(len));
	}
}

#ifdef PFC_RSS_CLMUL
static uint32_t rev32(uint32_t v)
{
	v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
	v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
	v = ((v >> 4) & 0x0F0F0F0Fu) | ((v & 0x0F0F0F0Fu) << 4);
	v = ((v >> 8) & 0x00FF00FFu) | ((v & 0x00FF00FFu) << 8);
	return (v >> 16) | (v << 16);
}

/*
 * Toeplitz by carry-less multiplication, one per 32-bit input word m.
 * With w the word (big-endian: its bit 31 - b is input bit 32m + b) and
 * A = rwin[m] (bit j is key bit 32m + j), bit t of the product
 * Q = clmul(A, w) is the XOR over w's set bits j of key bit 32m + t - j;
 * the hash's bit s is key bit 32m + (62 - s) - j summed the same way, that
 * is Q's bit 62 - s. So the hash is bits 31..62 of the XOR of the
 * products, in reverse order: one bit reversal at the end.
 */
__attribute__((target("pclmul,sse2"))) static uint32_t hash_clmul(const uint64_t *rwin,
								  const uint8_t *input,
								  uint32_t words)
{
	__m128i acc = _mm_setzero_si128();
	uint32_t m;

	for (m = 0; m < words; m++) {
		uint32_t w;

		__builtin_memcpy(&w, input + 4 * m, 4);
		w = __builtin_bswap32(w); /* big-endian: the input's first bit is w's top bit */

		acc = _mm_xor_si128(acc, _mm_clmulepi64_si128(_mm_cvtsi64_si128((long long)rwin[m]),
							      _mm_cvtsi32_si128((int)w), 0x00));
	}
	return rev32((uint32_t)((uint64_t)_mm_cvtsi128_si64(acc) >> 31));
}
#endif

uint32_t pfc_rss_hash(const struct pfc_rss_table *t, const uint8_t *input, uint32_t len)
{
#ifdef PFC_RSS_CLMUL
	/*
	 * The IPv6 inputs (32, 36 bytes): 8-9 multiplications beat 32-36
	 * lookups that spill out of L1 (7.7 against 12.9 ns for 36 bytes); the
	 * IPv4 ones (8, 12 bytes) stay on the table, whose rows they use fit
	 * in L1 (2.7 ns against 4.2 ns with multiplications).
	 */
	if (len >= PFC_RSS_IPV6_LEN && len <= PFC_RSS_MAX_INPUT && (len & 3) == 0 &&
	    __builtin_cpu_supports("pclmul"))
		return hash_clmul(t->rwin, input, len / 4);
#endif
	return pfc_rss_hash_bytes(t, input, len);
}

static void put_be32(uint8_t *out, uint32_t v)
{
	out[0] = (uint8_t)(v >> 24);
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
}

static void put_be16(uint8_t *out, uint16_t v)
{
	out[0] = (uint8_t)(v >> 8);
	out[1] = (uint8_t)v;
}

static void put_v6(uint8_t *out, const struct in6_addr *a)
{
	uint32_t i;

	for (i = 0; i < 16; i++)
		out[i] = a->s6_addr[i];
}

/*
 * The 4-tuple enable bit of p's transport protocol, or 0 when p carries
 * neither TCP nor UDP or its L4 header was not located.
 */
static uint32_t l4_type(const struct pkt_parsing_info *p, uint32_t tcp, uint32_t udp)
{
	if (p->offset.l4_offset == 0)
		return 0;
	if (p->l3_proto == PFC_IPPROTO_TCP)
		return tcp;
	if (p->l3_proto == PFC_IPPROTO_UDP)
		return udp;
	return 0;
}

uint32_t pfc_rss_input(const struct pkt_parsing_info *p, uint32_t hash_types,
		       uint8_t out[PFC_RSS_MAX_INPUT])
{
	uint32_t addr_len, l4, l3;

	if (p->ip_version == 4) {
		l4 = l4_type(p, PFC_RSS_IPV4_TCP, PFC_RSS_IPV4_UDP);
		l3 = PFC_RSS_IPV4;
		addr_len = 4;
	} else if (p->ip_version == 6) {
		l4 = l4_type(p, PFC_RSS_IPV6_TCP, PFC_RSS_IPV6_UDP);
		l3 = PFC_RSS_IPV6;
		addr_len = 16;
	} else {
		return 0;
	}

	if (!(hash_types & l4)) {
		if (!(hash_types & l3))
			return 0;
		l4 = 0;
	}

	if (addr_len == 4) {
		put_be32(out, p->ip_src.v4);
		put_be32(out + 4, p->ip_dst.v4);
	} else {
		put_v6(out, &p->ip_src.v6);
		put_v6(out + 16, &p->ip_dst.v6);
	}
	if (!l4)
		return 2 * addr_len;
	put_be16(out + 2 * addr_len, p->l4_src_port);
	put_be16(out + 2 * addr_len + 2, p->l4_dst_port);
	return 2 * addr_len + 4;
}

int pfc_rss_reta_default(uint8_t reta[PFC_RSS_RETA_SIZE], uint32_t nqueues)
{
	uint32_t i;
	int ok = nqueues >= 1 && nqueues <= 256;

	for (i = 0; i < PFC_RSS_RETA_SIZE; i++)
		reta[i] = (uint8_t)(ok ? i % nqueues : 0u);
	return ok ? 0 : -1;
}

uint32_t pfc_rss_queue(const uint8_t reta[PFC_RSS_RETA_SIZE], uint32_t hash)
{
	return reta[hash & (PFC_RSS_RETA_SIZE - 1)];
}
