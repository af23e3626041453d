/*
 * rss.h - the Toeplitz hash of Receive-Side Scaling, shared by the software
 * NIC (sim/), the userspace DNA drivers and pf_ring.ko. Freestanding C11.
 *
 * What a NIC does with a received packet (Microsoft "RSS Hashing
 * Functions"; Intel 82576 datasheet 7.1.2.10 "Receive-Side Scaling", with
 * 7.1.2.10.1 the hash function and 7.1.2.10.2 the indirection table):
 *  1. it picks the hash type from the enabled ones (TCP, then UDP, then the
 *     address-only 2-tuple; pfc_rss_input);
 *  2. it concatenates source address, destination address, source port and
 *     destination port in network byte order (8, 12, 32 or 36 bytes);
 *  3. it hashes them with Toeplitz under a 40-byte secret key: every input
 *     bit b, counted from the most significant bit of input[0], that is set
 *     XORs in the 32 key bits starting at key bit b (pfc_rss_hash);
 *  4. the low 7 bits of the hash index a 128-entry indirection table whose
 *     entry is the receive queue (pfc_rss_queue); the 32-bit hash is
 *     written back in the receive descriptor.
 * A packet no enabled type matches gets hash 0 and RSS output index 0: queue
 * 0 itself, not reta[0] (they agree for the default table; a caller with
 * another table tests pfc_rss_input's length 0).
 *
 * Section numbers were checked in the I210 datasheet, whose RSS text is the
 * 82576's; the 82576 document itself was not at hand to confirm them.
 *
 * Two implementations of step 3 agree bit for bit: a byte-table one
 * (pfc_rss_table_init once per key, then pfc_rss_hash per packet) and a
 * bit-by-bit one that needs no table (pfc_rss_hash_bitwise). The published
 * Microsoft vectors ("Verifying the RSS Hash Calculation") pin both in
 * tests/unit/test_core_rss.cpp.
 */
#ifndef PFC_RSS_H
#define PFC_RSS_H

#include "pfring_defs.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PFC_RSS_KEY_LEN 40 /* bytes of a Toeplitz key (320 bits) */
#define PFC_RSS_MAX_INPUT 36 /* bytes of the longest input: IPv6 4-tuple */
#define PFC_RSS_RETA_SIZE 128 /* entries of the indirection table */

/* Input lengths of the hash types. */
#define PFC_RSS_IPV4_LEN 8 /* src, dst address */
#define PFC_RSS_IPV4_L4_LEN 12 /* + src, dst port */
#define PFC_RSS_IPV6_LEN 32
#define PFC_RSS_IPV6_L4_LEN 36

/* Hash types (the MRQC "RSS field enable" bits of Intel NICs). */
#define PFC_RSS_IPV4 (1u << 0) /* IPv4 2-tuple */
#define PFC_RSS_IPV4_TCP (1u << 1) /* IPv4 TCP 4-tuple */
#define PFC_RSS_IPV4_UDP (1u << 2) /* IPv4 UDP 4-tuple */
#define PFC_RSS_IPV6 (1u << 3) /* IPv6 2-tuple */
#define PFC_RSS_IPV6_TCP (1u << 4) /* IPv6 TCP 4-tuple */
#define PFC_RSS_IPV6_UDP (1u << 5) /* IPv6 UDP 4-tuple */
#define PFC_RSS_L4_TYPES (PFC_RSS_IPV4_TCP | PFC_RSS_IPV4_UDP | PFC_RSS_IPV6_TCP | PFC_RSS_IPV6_UDP)
#define PFC_RSS_ALL_TYPES (PFC_RSS_IPV4 | PFC_RSS_IPV6 | PFC_RSS_L4_TYPES)

/*
 * The key of the Microsoft verification suite, which is also the default key
 * of most NIC drivers.
 */
extern const uint8_t pfc_rss_default_key[PFC_RSS_KEY_LEN];

/*
 * 0x6d5a repeated: the key repeats every 16 bits, so the key bits a field
 * meets depend only on its bit position modulo 16. Source and destination
 * addresses sit 32 (IPv4) or 128 (IPv6) bits apart and the two ports 16
 * bits apart, so swapping both ends leaves the hash unchanged: both
 * directions of a flow land in one queue (PF_RING_DNA_SYMMETRIC_RSS; Woo and
 * Park, "Scalable TCP Session Monitoring with Symmetric Receive-side
 * Scaling", 2012). The price is a hash with 16 bits of key, not 320.
 */
extern const uint8_t pfc_rss_symmetric_key[PFC_RSS_KEY_LEN];

/*
 * A key precomputed for byte-at-a-time hashing: contrib[i][v] is the hash of
 * an input whose byte i is v and whose other bytes are 0. Toeplitz is linear
 * in the input (XOR), so the hash of any input is the XOR of contrib[i][in[i]]
 * over its bytes.
 *
 * 36 x 256 x 4 = 36864 bytes (36 KiB); caller memory, filled by
 * pfc_rss_table_init. An IPv4 4-tuple touches only the first 12 rows (12 KiB).
 */
struct pfc_rss_table {
	uint32_t contrib[PFC_RSS_MAX_INPUT][256];
	/*
	 * For carry-less multiplication (x86-64 userland with PCLMULQDQ):
	 * rwin[m] bit j is key bit 32m + j (0 past the key's 320 bits), the
	 * 64 key bits input word m meets, in reverse order (rss.c).
	 */
	uint64_t rwin[PFC_RSS_MAX_INPUT / 4];
};

/*
 * Fills *t for key (PFC_RSS_KEY_LEN bytes) from 288 single-bit hashes of
 * pfc_rss_hash_bitwise (well under a millisecond). Uses 36 bytes of stack
 * and no other memory; may be called again to change the key (not
 * concurrently with pfc_rss_hash on t). No return value: it cannot fail.
 */
void pfc_rss_table_init(struct pfc_rss_table *t, const uint8_t key[PFC_RSS_KEY_LEN]);

/*
 * Toeplitz hash of input[0..len) with the key t was built from.
 * Returns the 32-bit hash as NICs report it (host-order integer; 0 for
 * len 0). Bytes beyond PFC_RSS_MAX_INPUT are ignored (len is clamped to 36:
 * a 40-byte key has window for no more). In userland on x86-64 CPUs with
 * PCLMULQDQ, the IPv6 inputs (32 and 36 bytes) take one carry-less
 * multiplication per 32-bit word; everything else one table lookup per
 * byte (pfc_rss_hash_bytes). The two agree bit for bit.
 */
uint32_t pfc_rss_hash(const struct pfc_rss_table *t, const uint8_t *input, uint32_t len);

/* The byte-table form alone (the kernel's, and the fallback); as pfc_rss_hash. */
uint32_t pfc_rss_hash_bytes(const struct pfc_rss_table *t, const uint8_t *input, uint32_t len);

/*
 * The same hash computed bit by bit from the key itself (no table): the
 * reference the table is checked against, and the fallback where 36 KiB per
 * key is too much. 10 to 20 times slower than pfc_rss_hash (75 ns against
 * 4.5-6 ns for an IPv4 4-tuple, tests/bench/bench_rss.cpp). Same return
 * value and clamping as pfc_rss_hash.
 */
uint32_t pfc_rss_hash_bitwise(const uint8_t key[PFC_RSS_KEY_LEN], const uint8_t *input,
			      uint32_t len);

/*
 * Serialises the hash input of a parsed packet into out (Microsoft "RSS
 * Hashing Functions"; 82576 datasheet 7.1.2.10.1): source address,
 * destination address[, source port, destination port], all in network byte
 * order. p is the result of pfc_parse_pkt at level 4 or above (IPv4 addresses
 * in host order, IPv6 as 16 network-order bytes, ports in host order).
 *
 * hash_types (PFC_RSS_* bits) says which inputs are enabled. As the NIC
 * does, the first enabled one that applies wins:
 *   IPv4: PFC_RSS_IPV4_TCP (TCP), PFC_RSS_IPV4_UDP (UDP), PFC_RSS_IPV4;
 *   IPv6: PFC_RSS_IPV6_TCP (TCP), PFC_RSS_IPV6_UDP (UDP), PFC_RSS_IPV6.
 * A 4-tuple needs the L4 header located (p->offset.l4_offset != 0): a
 * non-first fragment falls back to the 2-tuple. The NIC hashes a first
 * fragment by its 2-tuple too (it never 4-tuple-hashes a fragmented
 * packet); pkt_parsing_info does not record fragmentation, so a caller that
 * has the PKT_FLAGS_IP_MORE_FRAG flag of pfc_parse_pkt clears
 * PFC_RSS_L4_TYPES for such packets.
 *
 * Returns the number of bytes written: 12 or 8 (IPv4), 36 or 32 (IPv6), 0
 * when no enabled type applies (non-IP, or a protocol or version whose types
 * are all off). pfc_rss_hash of a 0-byte input is 0, the hash NICs report for
 * packets they do not hash.
 */
uint32_t pfc_rss_input(const struct pkt_parsing_info *p, uint32_t hash_types,
		       uint8_t out[PFC_RSS_MAX_INPUT]);

/*
 * The default indirection table of Intel drivers: entry i = i % nqueues, so
 * the 128 buckets spread over the queues round-robin.
 * Returns 0; -1 when nqueues is 0 or above 256 (an entry is one byte), in
 * which case every entry is 0 (all packets to queue 0).
 */
int pfc_rss_reta_default(uint8_t reta[PFC_RSS_RETA_SIZE], uint32_t nqueues);

/*
 * The receive queue of a packet with this hash: reta[hash & 127] (the seven
 * least significant bits index the table, 82576 datasheet 7.1.2.10.2).
 * Returns the table entry.
 */
uint32_t pfc_rss_queue(const uint8_t reta[PFC_RSS_RETA_SIZE], uint32_t hash);

#ifdef __cplusplus
}
#endif

#endif /* PFC_RSS_H */
