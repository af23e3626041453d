/*
 * ring.h - the one shared-memory packet ring (DESIGN.md decision 2).
 *
 * Every producer (pf_ring.ko, the pfsim software NIC, the userspace module)
 * writes this format and one consumer path in libpfring reads it. It is a
 * single-producer single-consumer ring:
 *
 *   [struct pfc_ring_hdr: 3 cache lines][slot 0][slot 1]...[slot N-1]
 *
 *  - line 0 is written once by whoever creates the ring (magic, version,
 *    geometry) and only read afterwards;
 *  - line 1 belongs to the producer (insert index, counters);
 *  - line 2 belongs to the consumer (remove index, wake-up flag);
 * so producer and consumer never write the same cache line.
 *
 * The indices follow the protocol of spsc.h (free-running 32-bit
 * counters, slot = index & (N - 1), release/acquire, bursts with one index
 * update, and the checks that keep a hostile peer's index from addressing
 * anything outside the ring); this file adds the packet slots on top of
 * it. desc_queue.h is the other queue on the same protocol.
 *
 * A slot is a fixed-width struct pfc_slot_hdr (no struct timeval: its size
 * differs between the kernel and userland ABIs) followed by caplen packet
 * bytes; slot_size is the same for every slot, a multiple of 64.
 *
 * A reader that maps a ring somebody else made checks it with
 * pfc_ring_check() first: a wrong magic, a different version or a geometry
 * that does not fit the mapping is refused before any index is trusted.
 *
 * Freestanding C11: no libc, no allocation. Userland uses the compiler's
 * __atomic builtins; the kernel build maps the same macros to
 * smp_load_acquire/smp_store_release.
 */
#ifndef PFC_RING_H
#define PFC_RING_H

#include "pfring_defs.h"
#include "spsc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PFC_RING_MAGIC 0x50465247u /* "PFRG" */
#define PFC_RING_VERSION 1u /* bump on any layout change */
#define PFC_RING_LINE 64u
#define PFC_RING_MAX_SLOTS (1u << 24)
#define PFC_RING_MAX_SLOT_SIZE (1u << 20)

/* Error codes of pfc_ring_check/pfc_ring_init (negated). */
#define PFC_RING_EMAGIC 1 /* not a ring */
#define PFC_RING_EVERSION 2 /* a ring of another version */
#define PFC_RING_EGEOMETRY 3 /* slot count/size invalid or larger than the mapping */
#define PFC_RING_ECORRUPT PFC_SPSC_ECORRUPT /* the peer wrote an index that cannot be (more packets than slots) */

struct pfc_ring_hdr {
	/* line 0: geometry, written at creation */
	u_int32_t magic; /* PFC_RING_MAGIC */
	u_int32_t version; /* PFC_RING_VERSION */
	u_int32_t num_slots; /* power of two */
	u_int32_t slot_size; /* bytes per slot, header included, multiple of 64 */
	u_int32_t data_offset; /* bytes from the header to slot 0 */
	u_int32_t flags; /* PFC_RING_F_* */
	u_int64_t total_bytes; /* data_offset + num_slots * slot_size */
	u_int8_t pad0[PFC_RING_LINE - 32];
	/* line 1: producer */
	u_int32_t insert_idx; /* next slot the producer fills (free-running) */
	u_int32_t producer_gone; /* 1: no more packets will come (end of stream) */
	u_int64_t produced; /* packets committed */
	u_int64_t full_drops; /* packets the producer dropped because the ring was full */
	u_int8_t pad1[PFC_RING_LINE - 24];
	/* line 2: consumer */
	u_int32_t remove_idx; /* next slot the consumer reads (free-running) */
	u_int32_t consumer_waiting; /* 1: the consumer sleeps; producer should wake it */
	u_int8_t pad2[PFC_RING_LINE - 8];
};

struct pfc_slot_hdr {
	u_int64_t timestamp_ns; /* device timestamp */
	u_int32_t caplen; /* bytes stored after this header */
	u_int32_t len; /* bytes on the wire */
	u_int32_t pkt_hash; /* RSS hash written back by the NIC (0: none) */
	int32_t if_index; /* receiving/sending interface, -1 unknown */
	u_int16_t queue; /* RX queue */
	u_int8_t rx_direction; /* 1 received, 0 transmitted */
	u_int8_t flags; /* PFC_SLOT_F_* */
	u_int32_t reserved;
}; /* 32 bytes */

#define PFC_SLOT_HDR_LEN ((u_int32_t)sizeof(struct pfc_slot_hdr))

/* Bytes a ring of num_slots slots of slot_size bytes occupies. */
static inline u_int64_t pfc_ring_bytes(u_int32_t num_slots, u_int32_t slot_size)
{
	return (u_int64_t)sizeof(struct pfc_ring_hdr) + (u_int64_t)num_slots * slot_size;
}

/* Slot size holding a caplen-byte packet (header included, rounded to 64). */
static inline u_int32_t pfc_ring_slot_size_for(u_int32_t caplen)
{
	return (caplen + PFC_SLOT_HDR_LEN + PFC_RING_LINE - 1) & ~(PFC_RING_LINE - 1);
}

/*
 * Validates a ring header found in a mapping of map_bytes bytes. Returns 0
 * when it can be used, -PFC_RING_EMAGIC, -PFC_RING_EVERSION (the found
 * version is stored in *found_version when not NULL) or -PFC_RING_EGEOMETRY.
 */
static inline int pfc_ring_check(const struct pfc_ring_hdr *r, u_int64_t map_bytes, u_int32_t *found_version)
{
	if (map_bytes < sizeof(*r) || r->magic != PFC_RING_MAGIC)
		return -PFC_RING_EMAGIC;
	if (found_version)
		*found_version = r->version;
	if (r->version != PFC_RING_VERSION)
		return -PFC_RING_EVERSION;
	if (r->num_slots == 0 || r->num_slots > PFC_RING_MAX_SLOTS || (r->num_slots & (r->num_slots - 1)) ||
	    r->slot_size < PFC_SLOT_HDR_LEN + 1 || r->slot_size > PFC_RING_MAX_SLOT_SIZE ||
	    (r->slot_size & (PFC_RING_LINE - 1)) || r->data_offset != sizeof(*r) ||
	    r->total_bytes != pfc_ring_bytes(r->num_slots, r->slot_size) || r->total_bytes > map_bytes)
		return -PFC_RING_EGEOMETRY;
	return 0;
}

/*
 * Makes an empty ring in mem (map_bytes bytes, zeroed by the caller or not).
 * num_slots must be a power of two, slot_size a multiple of 64 above the
 * slot header. Returns 0 or -PFC_RING_EGEOMETRY.
 */
static inline int pfc_ring_init(struct pfc_ring_hdr *r, u_int64_t map_bytes, u_int32_t num_slots,
				u_int32_t slot_size)
{
	u_int8_t *b = (u_int8_t *)r;
	u_int32_t i;

	if (num_slots == 0 || num_slots > PFC_RING_MAX_SLOTS || (num_slots & (num_slots - 1)) ||
	    slot_size < PFC_SLOT_HDR_LEN + 1 || slot_size > PFC_RING_MAX_SLOT_SIZE ||
	    (slot_size & (PFC_RING_LINE - 1)) || pfc_ring_bytes(num_slots, slot_size) > map_bytes)
		return -PFC_RING_EGEOMETRY;
	for (i = 0; i < sizeof(*r); i++)
		b[i] = 0;
	r->num_slots = num_slots;
	r->slot_size = slot_size;
	r->data_offset = sizeof(*r);
	r->total_bytes = pfc_ring_bytes(num_slots, slot_size);
	r->version = PFC_RING_VERSION;
	/* the magic last: a reader polling for it sees a complete header */
	PFC_STORE_RELEASE(&r->magic, PFC_RING_MAGIC);
	return 0;
}

/* The slot of free-running index idx. */
static inline struct pfc_slot_hdr *pfc_ring_slot(const struct pfc_ring_hdr *r, u_int32_t idx)
{
	return (struct pfc_slot_hdr *)((u_int8_t *)r + r->data_offset +
				       (u_int64_t)(idx & (r->num_slots - 1)) * r->slot_size);
}

/* Packet bytes a slot can hold. */
static inline u_int32_t pfc_ring_max_caplen(const struct pfc_ring_hdr *r)
{
	return r->slot_size - PFC_SLOT_HDR_LEN;
}

/*
 * Producer: how many of the next n slots are free (0..n). The slots are
 * pfc_ring_slot(r, r->insert_idx + k) for k below the result; they become
 * visible to the consumer with pfc_ring_commit.
 */
static inline u_int32_t pfc_ring_reserve(const struct pfc_ring_hdr *r, u_int32_t n)
{
	u_int32_t used = r->insert_idx - PFC_LOAD_ACQUIRE(&r->remove_idx);
	u_int32_t free_slots = r->num_slots - used;

	return n < free_slots ? n : free_slots;
}

/* Producer: publishes n filled slots. */
static inline void pfc_ring_commit(struct pfc_ring_hdr *r, u_int32_t n)
{
	r->produced += n;
	PFC_STORE_RELEASE(&r->insert_idx, r->insert_idx + n);
}

/*
 * Consumer: how many packets are ready, up to n. They are
 * pfc_ring_slot(r, r->remove_idx + k) for k below the result and stay
 * valid until pfc_ring_release.
 */
static inline u_int32_t pfc_ring_peek(const struct pfc_ring_hdr *r, u_int32_t n)
{
	u_int32_t ready = PFC_LOAD_ACQUIRE(&r->insert_idx) - r->remove_idx;

	return n < ready ? n : ready;
}

/* Consumer: gives n read slots back to the producer. */
static inline void pfc_ring_release(struct pfc_ring_hdr *r, u_int32_t n)
{
	PFC_STORE_RELEASE(&r->remove_idx, r->remove_idx + n);
}

/*
 * A producer that does not trust the consumer (pf_ring.ko: user space maps
 * the whole ring writable) keeps the geometry and its insert index in its
 * own memory and never reads them back from the shared header. Only
 * remove_idx is read, and a value that claims more free slots than exist
 * counts as a full ring. Every slot address is in bounds whatever the
 * consumer writes.
 */
struct pfc_ring_producer {
	struct pfc_ring_hdr *r;
	u_int8_t *slots; /* slot 0 */
	u_int32_t num_slots, slot_size, insert_idx;
	u_int64_t produced, full_drops;
};

/* Takes over a ring pfc_ring_init() just made. */
static inline void pfc_ring_producer_init(struct pfc_ring_producer *p, struct pfc_ring_hdr *r,
					  u_int32_t num_slots, u_int32_t slot_size)
{
	p->r = r;
	p->slots = (u_int8_t *)r + sizeof(*r);
	p->num_slots = num_slots;
	p->slot_size = slot_size;
	p->insert_idx = 0;
	p->produced = 0;
	p->full_drops = 0;
}

/* Free slots now, 0..num_slots (0 too when the consumer's index is impossible). */
static inline u_int32_t pfc_ring_producer_free(const struct pfc_ring_producer *p)
{
	return pfc_spsc_free(p->insert_idx, PFC_LOAD_ACQUIRE(&p->r->remove_idx), p->num_slots);
}

/* The k-th slot after the insert index. */
static inline struct pfc_slot_hdr *pfc_ring_producer_slot(const struct pfc_ring_producer *p, u_int32_t k)
{
	return (struct pfc_slot_hdr *)(p->slots +
				       (u_int64_t)((p->insert_idx + k) & (p->num_slots - 1)) * p->slot_size);
}

/* Publishes n filled slots. */
static inline void pfc_ring_producer_commit(struct pfc_ring_producer *p, u_int32_t n)
{
	p->insert_idx += n;
	p->produced += n;
	p->r->produced = p->produced;
	PFC_STORE_RELEASE(&p->r->insert_idx, p->insert_idx);
}

/* Counts a packet dropped because the ring was full. */
static inline void pfc_ring_producer_drop(struct pfc_ring_producer *p)
{
	p->full_drops++;
	p->r->full_drops = p->full_drops;
}

/*
 * Reads a ring's geometry once from shared memory into private copies,
 * and checks that copy (pfc_ring_check) against the mapping: what is
 * checked is what is used, whatever the peer writes afterwards. Returns
 * 0 with *num_slots and *slot_size set, or the pfc_ring_check() code.
 */
static inline int pfc_ring_take_geometry(const struct pfc_ring_hdr *r, u_int64_t map_bytes,
					 u_int32_t *num_slots, u_int32_t *slot_size)
{
	struct pfc_ring_hdr h;
	int rc;

	PFC_MEMCPY(&h, r, sizeof(h));
	PFC_BARRIER();
	rc = pfc_ring_check(&h, map_bytes, (u_int32_t *)0);
	*num_slots = h.num_slots;
	*slot_size = h.slot_size;
	return rc;
}

/*
 * Producer side of a ring somebody else made (the userspace module's end
 * B, a pfsim client's TX ring): pfc_ring_check() it against the mapping,
 * then keep its geometry and insert index privately as
 * pfc_ring_producer_init does. Returns 0 or the pfc_ring_check() code.
 */
static inline int pfc_ring_producer_attach(struct pfc_ring_producer *p, struct pfc_ring_hdr *r,
					   u_int64_t map_bytes)
{
	u_int32_t num_slots, slot_size;
	int rc = pfc_ring_take_geometry(r, map_bytes, &num_slots, &slot_size);

	if (rc != 0)
		return rc;
	pfc_ring_producer_init(p, r, num_slots, slot_size);
	p->insert_idx = PFC_LOAD_RELAXED(&r->insert_idx);
	p->produced = r->produced;
	p->full_drops = r->full_drops;
	return 0;
}

/* The consumer's index is impossible (ahead of the insert index). */
static inline int pfc_ring_producer_corrupt(const struct pfc_ring_producer *p)
{
	return pfc_spsc_remove_impossible(p->insert_idx, PFC_LOAD_ACQUIRE(&p->r->remove_idx), p->num_slots);
}

/*
 * The consumer's mirror of pfc_ring_producer, for a producer it does not
 * trust (another process: the peer of a userspace ring, pfsim, a process
 * that maps pf_ring.ko's ring): the geometry is validated once and copied
 * here, the remove index lives here, and only insert_idx is read from the
 * shared header. An insert index more than num_slots ahead of the remove
 * index is a corrupt peer: pfc_ring_consumer_peek() says so, sticky, and
 * no slot is read. Every slot address is inside the mapping whatever the
 * producer writes, and every caplen read through pfc_slot_read() is
 * clamped to the slot.
 */
struct pfc_ring_consumer {
	struct pfc_ring_hdr *r;
	const u_int8_t *slots; /* slot 0 */
	u_int32_t num_slots, slot_size, remove_idx;
	u_int32_t corrupt; /* 1: the producer's index was impossible once */
};

/*
 * Checks r against the mapping (pfc_ring_check) and takes over its
 * consumer side. Returns 0 or the pfc_ring_check() code.
 */
static inline int pfc_ring_consumer_attach(struct pfc_ring_consumer *c, struct pfc_ring_hdr *r,
					   u_int64_t map_bytes)
{
	int rc = pfc_ring_take_geometry(r, map_bytes, &c->num_slots, &c->slot_size);

	if (rc != 0)
		return rc;
	c->r = r;
	c->slots = (const u_int8_t *)r + sizeof(*r);
	c->remove_idx = PFC_LOAD_RELAXED(&r->remove_idx);
	c->corrupt = 0;
	return 0;
}

/*
 * Packets ready, up to n (0..n), or -PFC_RING_ECORRUPT when the
 * producer's insert index cannot be (it stays so).
 */
static inline int pfc_ring_consumer_peek(struct pfc_ring_consumer *c, u_int32_t n)
{
	long ready;

	if (c->corrupt)
		return -PFC_RING_ECORRUPT;
	ready = pfc_spsc_ready(c->remove_idx, PFC_LOAD_ACQUIRE(&c->r->insert_idx), c->num_slots);
	if (ready < 0) {
		c->corrupt = 1;
		return -PFC_RING_ECORRUPT;
	}
	return (int)(n < (u_int32_t)ready ? n : (u_int32_t)ready);
}

/*
 * Takes over the consumer side of a ring this side made itself (pfsim's
 * client TX rings) with the geometry it made it with: nothing is read
 * from the shared header.
 */
static inline void pfc_ring_consumer_init(struct pfc_ring_consumer *c, struct pfc_ring_hdr *r,
					  u_int32_t num_slots, u_int32_t slot_size)
{
	c->r = r;
	c->slots = (const u_int8_t *)r + sizeof(*r);
	c->num_slots = num_slots;
	c->slot_size = slot_size;
	c->remove_idx = 0;
	c->corrupt = 0;
}

/* Packets ready without reading any (0 when corrupt). */
static inline u_int32_t pfc_ring_consumer_count(const struct pfc_ring_consumer *c)
{
	long ready = pfc_spsc_ready(c->remove_idx, PFC_LOAD_ACQUIRE(&c->r->insert_idx), c->num_slots);

	return c->corrupt || ready < 0 ? 0 : (u_int32_t)ready;
}

/* The k-th slot after the remove index. */
static inline const struct pfc_slot_hdr *pfc_ring_consumer_slot(const struct pfc_ring_consumer *c,
								u_int32_t k)
{
	return (const struct pfc_slot_hdr *)(c->slots +
					     (u_int64_t)((c->remove_idx + k) & (c->num_slots - 1)) *
						     c->slot_size);
}

/* Gives n read slots back to the producer. */
static inline void pfc_ring_consumer_release(struct pfc_ring_consumer *c, u_int32_t n)
{
	c->remove_idx += n;
	PFC_STORE_RELEASE(&c->r->remove_idx, c->remove_idx);
}

/*
 * The one slot writer, in two steps for producers that copy the packet
 * themselves (pf_ring.ko copies from an skb): writes meta's fields into
 * the k-th free slot of p with caplen clamped to what the slot holds and
 * to meta->len, stores that caplen in *cap, and returns where the packet
 * bytes go. The slot is published by pfc_ring_producer_commit().
 */
static inline u_int8_t *pfc_slot_write_hdr(const struct pfc_ring_producer *p, u_int32_t k,
					   const struct pfc_slot_hdr *meta, u_int32_t *cap)
{
	struct pfc_slot_hdr *s = pfc_ring_producer_slot(p, k);
	u_int32_t room = p->slot_size - PFC_SLOT_HDR_LEN;
	u_int32_t c = meta->caplen;

	if (c > meta->len)
		c = meta->len;
	if (c > room)
		c = room;
	*s = *meta;
	s->caplen = c;
	s->reserved = 0;
	*cap = c;
	return (u_int8_t *)(s + 1);
}

/* pfc_slot_write_hdr() plus the packet's bytes from pkt; returns the bytes stored. */
static inline u_int32_t pfc_slot_write(const struct pfc_ring_producer *p, u_int32_t k,
				       const struct pfc_slot_hdr *meta, const void *pkt)
{
	u_int32_t cap;
	u_int8_t *d = pfc_slot_write_hdr(p, k, meta, &cap);

	PFC_MEMCPY(d, pkt, cap);
	return cap;
}

/*
 * The one slot reader: copies the k-th ready slot's header into *meta
 * (one read of the shared bytes: the producer cannot change it between
 * check and use), with caplen clamped to the slot and to len, and
 * returns the packet bytes (valid until pfc_ring_consumer_release()).
 */
static inline const u_int8_t *pfc_slot_read(const struct pfc_ring_consumer *c, u_int32_t k,
					    struct pfc_slot_hdr *meta)
{
	const struct pfc_slot_hdr *s = pfc_ring_consumer_slot(c, k);
	u_int32_t room = c->slot_size - PFC_SLOT_HDR_LEN;

	u_int32_t cap;

	PFC_MEMCPY(meta, s, sizeof(*meta));
	PFC_BARRIER();
	cap = meta->caplen;
	if (cap > meta->len)
		cap = meta->len;
	if (cap > room)
		cap = room;
	meta->caplen = cap;
	return (const u_int8_t *)(s + 1);
}

/* Packets in the ring as either side sees it (a snapshot). */
static inline u_int32_t pfc_ring_count(const struct pfc_ring_hdr *r)
{
	return PFC_LOAD_ACQUIRE(&r->insert_idx) - PFC_LOAD_ACQUIRE(&r->remove_idx);
}

#ifdef __cplusplus
}
#endif

#endif /* PFC_RING_H */
