/*
 * desc_queue.h - the zero-copy descriptor queue (DESIGN.md decision 6):
 * what crosses between a NIC's RX/TX rings, a DNA cluster master, its
 * slaves and a bouncer is a descriptor naming a pool buffer, never the
 * packet bytes. Same index protocol as the packet ring (spsc.h), other
 * entries:
 *
 *   [struct pfc_dq_hdr: 3 cache lines][desc 0][desc 1]...[desc N-1]
 *
 *  - line 0: geometry, written once by the creator (magic, version,
 *    number of entries);
 *  - line 1: the producer's insert index and counters;
 *  - line 2: the consumer's remove index;
 * each struct pfc_desc is 32 bytes, two to a cache line.
 *
 * Both ends are hardened against the other (a master must not trust a
 * slave, nor a slave its master): the geometry is checked once and kept
 * privately, each side keeps its own index, a peer's impossible index is
 * reported (-PFC_DQ_ECORRUPT) and nothing is read or written through it,
 * and the consumer copies each descriptor out of shared memory once and
 * checks it: a buffer id outside the pool or a caplen above the buffer
 * size or above len makes the descriptor -PFC_DQ_EBADDESC, so a process
 * never addresses a buffer that is not in the pool.
 *
 * Burst API: pfc_dq_enqueue_burst() and pfc_dq_dequeue_burst() move up to
 * n descriptors with one index store each.
 *
 * Freestanding C11: no libc, no allocation.
 */
#ifndef PFC_DESC_QUEUE_H
#define PFC_DESC_QUEUE_H

#include "pfring_defs.h"
#include "spsc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PFC_DQ_MAGIC 0x50464451u /* "PFDQ" */
#define PFC_DQ_VERSION 1u
#define PFC_DQ_LINE 64u
#define PFC_DQ_MAX_ENTRIES (1u << 24)

/* Error codes (negated). */
#define PFC_DQ_EMAGIC 1 /* not a descriptor queue */
#define PFC_DQ_EVERSION 2 /* a queue of another version */
#define PFC_DQ_EGEOMETRY 3 /* entry count invalid or larger than the mapping */
#define PFC_DQ_ECORRUPT PFC_SPSC_ECORRUPT /* the peer's index cannot be */
#define PFC_DQ_EBADDESC 5 /* a descriptor names a buffer outside the pool */

/* A pool buffer handed over. */
struct pfc_desc {
	u_int32_t buf_id; /* buffer in the pool: address = base + buf_id * buf_size */
	u_int32_t len; /* bytes on the wire */
	u_int32_t caplen; /* bytes in the buffer (<= len, <= buf_size) */
	u_int32_t pkt_hash; /* RSS hash (0: none) */
	u_int64_t timestamp_ns; /* device timestamp */
	int32_t if_index; /* receiving/sending interface, -1 unknown */
	u_int16_t queue; /* RX queue, or the slave a master picked */
	u_int16_t flags; /* PFC_DESC_F_* */
}; /* 32 bytes */

#define PFC_DESC_F_TX 0x1 /* transmitted, not received */

struct pfc_dq_hdr {
	/* line 0: geometry */
	u_int32_t magic;
	u_int32_t version;
	u_int32_t num_entries; /* power of two */
	u_int32_t data_offset; /* bytes from the header to desc 0 */
	u_int64_t total_bytes; /* data_offset + num_entries * sizeof(struct pfc_desc) */
	u_int8_t pad0[PFC_DQ_LINE - 24];
	/* line 1: producer */
	u_int32_t insert_idx;
	u_int32_t producer_gone; /* 1: nothing more will come */
	u_int64_t enqueued; /* descriptors published */
	u_int8_t pad1[PFC_DQ_LINE - 16];
	/* line 2: consumer */
	u_int32_t remove_idx;
	u_int32_t consumer_waiting; /* 1: the consumer sleeps */
	u_int8_t pad2[PFC_DQ_LINE - 8];
};

/* Bytes a queue of num_entries descriptors occupies. */
static inline u_int64_t pfc_dq_bytes(u_int32_t num_entries)
{
	return (u_int64_t)sizeof(struct pfc_dq_hdr) + (u_int64_t)num_entries * sizeof(struct pfc_desc);
}

static inline int pfc_dq_geometry_ok(u_int32_t num_entries, u_int64_t map_bytes)
{
	return pfc_spsc_size_ok(num_entries) && num_entries <= PFC_DQ_MAX_ENTRIES &&
	       pfc_dq_bytes(num_entries) <= map_bytes;
}

/*
 * Makes an empty queue of num_entries (a power of two up to 2^24) in mem
 * of map_bytes bytes. Returns 0 or -PFC_DQ_EGEOMETRY.
 */
static inline int pfc_dq_init(struct pfc_dq_hdr *q, u_int64_t map_bytes, u_int32_t num_entries)
{
	u_int8_t *b = (u_int8_t *)q;
	u_int32_t i;

	if (map_bytes < sizeof(*q) || !pfc_dq_geometry_ok(num_entries, map_bytes))
		return -PFC_DQ_EGEOMETRY;
	for (i = 0; i < sizeof(*q); i++)
		b[i] = 0;
	q->version = PFC_DQ_VERSION;
	q->num_entries = num_entries;
	q->data_offset = sizeof(*q);
	q->total_bytes = pfc_dq_bytes(num_entries);
	PFC_STORE_RELEASE(&q->magic, PFC_DQ_MAGIC); /* last: a poller sees a whole header */
	return 0;
}

/*
 * Reads the geometry of a queue found in a mapping of map_bytes bytes once
 * and checks that copy. Returns 0 with *num_entries set, or
 * -PFC_DQ_EMAGIC / -PFC_DQ_EVERSION / -PFC_DQ_EGEOMETRY.
 */
static inline int pfc_dq_take_geometry(const struct pfc_dq_hdr *q, u_int64_t map_bytes, u_int32_t *num_entries)
{
	struct pfc_dq_hdr h;

	if (map_bytes < sizeof(h))
		return -PFC_DQ_EMAGIC;
	PFC_MEMCPY(&h, q, sizeof(h));
	PFC_BARRIER();
	if (h.magic != PFC_DQ_MAGIC)
		return -PFC_DQ_EMAGIC;
	if (h.version != PFC_DQ_VERSION)
		return -PFC_DQ_EVERSION;
	if (!pfc_dq_geometry_ok(h.num_entries, map_bytes) || h.data_offset != sizeof(h) ||
	    h.total_bytes != pfc_dq_bytes(h.num_entries))
		return -PFC_DQ_EGEOMETRY;
	*num_entries = h.num_entries;
	return 0;
}

/* The producer end: geometry and insert index private. */
struct pfc_dq_producer {
	struct pfc_dq_hdr *q;
	struct pfc_desc *ring; /* desc 0 */
	u_int32_t num_entries, insert_idx;
	u_int64_t enqueued;
};

/* The consumer end: geometry, remove index and the pool's bounds private. */
struct pfc_dq_consumer {
	struct pfc_dq_hdr *q;
	const struct pfc_desc *ring;
	u_int32_t num_entries, remove_idx;
	u_int32_t num_buffers, buf_size; /* what a descriptor may name */
	u_int32_t corrupt; /* 1: the producer's index or a descriptor was impossible once */
};

/*
 * Takes the producer end of a queue in a mapping of map_bytes (made by
 * pfc_dq_init here or by the peer). Returns 0 or a pfc_dq_take_geometry
 * code.
 */
static inline int pfc_dq_producer_attach(struct pfc_dq_producer *p, struct pfc_dq_hdr *q, u_int64_t map_bytes)
{
	int rc = pfc_dq_take_geometry(q, map_bytes, &p->num_entries);

	if (rc != 0)
		return rc;
	p->q = q;
	p->ring = (struct pfc_desc *)((u_int8_t *)q + sizeof(*q));
	p->insert_idx = PFC_LOAD_RELAXED(&q->insert_idx);
	p->enqueued = q->enqueued;
	return 0;
}

/*
 * Takes the consumer end; descriptors must name one of num_buffers
 * buffers of buf_size bytes. Returns 0 or a pfc_dq_take_geometry code.
 */
static inline int pfc_dq_consumer_attach(struct pfc_dq_consumer *c, struct pfc_dq_hdr *q, u_int64_t map_bytes,
					 u_int32_t num_buffers, u_int32_t buf_size)
{
	int rc = pfc_dq_take_geometry(q, map_bytes, &c->num_entries);

	if (rc != 0)
		return rc;
	c->q = q;
	c->ring = (const struct pfc_desc *)((const u_int8_t *)q + sizeof(*q));
	c->remove_idx = PFC_LOAD_RELAXED(&q->remove_idx);
	c->num_buffers = num_buffers;
	c->buf_size = buf_size;
	c->corrupt = 0;
	return 0;
}

/* Free entries now (0 also when the consumer's index is impossible). */
static inline u_int32_t pfc_dq_free(const struct pfc_dq_producer *p)
{
	return pfc_spsc_free(p->insert_idx, PFC_LOAD_ACQUIRE(&p->q->remove_idx), p->num_entries);
}

/* 1 when the consumer's remove index is impossible. */
static inline int pfc_dq_producer_corrupt(const struct pfc_dq_producer *p)
{
	return pfc_spsc_remove_impossible(p->insert_idx, PFC_LOAD_ACQUIRE(&p->q->remove_idx), p->num_entries);
}

/*
 * Publishes up to n descriptors from d (one index store). Returns how many
 * went in (0..n; fewer when the queue is full), or -PFC_DQ_ECORRUPT when
 * the consumer's index is impossible (nothing is written then).
 */
static inline long pfc_dq_enqueue_burst(struct pfc_dq_producer *p, const struct pfc_desc *d, u_int32_t n)
{
	u_int32_t remove = PFC_LOAD_ACQUIRE(&p->q->remove_idx);
	u_int32_t room, k;

	if (pfc_spsc_remove_impossible(p->insert_idx, remove, p->num_entries))
		return -(long)PFC_DQ_ECORRUPT;
	room = pfc_spsc_free(p->insert_idx, remove, p->num_entries);
	if (n > room)
		n = room;
	for (k = 0; k < n; k++)
		p->ring[(p->insert_idx + k) & (p->num_entries - 1)] = d[k];
	if (n == 0)
		return 0;
	p->insert_idx += n;
	p->enqueued += n;
	p->q->enqueued = p->enqueued;
	PFC_STORE_RELEASE(&p->q->insert_idx, p->insert_idx);
	return (long)n;
}

/* Descriptors ready without taking any (0 when corrupt). */
static inline u_int32_t pfc_dq_count(const struct pfc_dq_consumer *c)
{
	long ready = pfc_spsc_ready(c->remove_idx, PFC_LOAD_ACQUIRE(&c->q->insert_idx), c->num_entries);

	return c->corrupt || ready < 0 ? 0 : (u_int32_t)ready;
}

/*
 * Takes up to n descriptors into out, each copied out of shared memory
 * once and checked. Returns how many (0..n), -PFC_DQ_ECORRUPT when the
 * producer's index is impossible, or -PFC_DQ_EBADDESC when a descriptor
 * names no buffer of the pool or a caplen above the buffer or len; the
 * descriptors before it are returned first (the next call reports it),
 * and the queue stays refused from then on (sticky, like the index).
 */
static inline long pfc_dq_dequeue_burst(struct pfc_dq_consumer *c, struct pfc_desc *out, u_int32_t n)
{
	long ready;
	u_int32_t k;

	if (c->corrupt)
		return -(long)(c->corrupt == 2 ? PFC_DQ_EBADDESC : PFC_DQ_ECORRUPT);
	ready = pfc_spsc_ready(c->remove_idx, PFC_LOAD_ACQUIRE(&c->q->insert_idx), c->num_entries);
	if (ready < 0) {
		c->corrupt = 1;
		return -(long)PFC_DQ_ECORRUPT;
	}
	if (n > (u_int32_t)ready)
		n = (u_int32_t)ready;
	for (k = 0; k < n; k++) {
		PFC_MEMCPY(&out[k], &c->ring[(c->remove_idx + k) & (c->num_entries - 1)], sizeof(out[k]));
		PFC_BARRIER();
		if (out[k].buf_id >= c->num_buffers || out[k].caplen > c->buf_size || out[k].caplen > out[k].len) {
			c->corrupt = 2;
			break;
		}
	}
	if (k == 0 && c->corrupt)
		return -(long)PFC_DQ_EBADDESC;
	if (k > 0) {
		c->remove_idx += k;
		PFC_STORE_RELEASE(&c->q->remove_idx, c->remove_idx);
	}
	return (long)k;
}

#ifdef __cplusplus
}
#endif

#endif /* PFC_DESC_QUEUE_H */
