/*
 * spsc.h - the index protocol under every shared single-producer
 * single-consumer queue of the project (DESIGN.md decisions 2 and 6): the
 * packet-slot ring of ring.h and the descriptor queue of desc_queue.h.
 *
 * A queue of size entries (a power of two, at most 2^31) has two
 * free-running 32-bit indices: insert (written by the producer only) and
 * remove (written by the consumer only); entry = index & (size - 1), and
 * the queue holds insert - remove entries (unsigned arithmetic wraps
 * correctly). The producer fills entries, then publishes them with a
 * release store of insert; the consumer reads insert with an acquire
 * load, reads the entries, then gives them back with a release store of
 * remove. Bursts: any number of entries move with one index store.
 *
 * Neither side trusts the other. Each keeps the size and its own index in
 * private memory and reads only the peer's index from shared memory, once
 * per decision; these functions turn that one value into a count:
 *  - a producer that sees a remove index claiming more free entries than
 *    exist (remove "ahead" of insert) gets 0 free entries and can ask
 *    whether the peer is corrupt;
 *  - a consumer that sees an insert index more than size entries ahead
 *    of its remove index gets -PFC_SPSC_ECORRUPT and reads nothing.
 * So no entry outside [0, size) is ever addressed, whatever the peer
 * writes. (The callers add the per-entry checks: caplen against the slot,
 * buffer id against the pool.)
 *
 * Freestanding C: no libc; the PFC_LOAD_ACQUIRE/PFC_STORE_RELEASE macros
 * map to the compiler's __atomic builtins in userland and to
 * smp_load_acquire/smp_store_release in the kernel.
 */
#ifndef PFC_SPSC_H
#define PFC_SPSC_H

#include "pfring_defs.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PFC_SPSC_ECORRUPT 4 /* the peer wrote an index that cannot be */

#ifdef __KERNEL__
#include <linux/compiler.h>
#include <linux/string.h>
#include <asm/barrier.h>
#define PFC_LOAD_ACQUIRE(p) smp_load_acquire(p)
#define PFC_STORE_RELEASE(p, v) smp_store_release(p, v)
#define PFC_LOAD_RELAXED(p) READ_ONCE(*(p))
#define PFC_MEMCPY(d, s, n) memcpy(d, s, n)
#define PFC_BARRIER() barrier()
#else
#define PFC_LOAD_ACQUIRE(p) __atomic_load_n(p, __ATOMIC_ACQUIRE)
#define PFC_STORE_RELEASE(p, v) __atomic_store_n(p, v, __ATOMIC_RELEASE)
#define PFC_LOAD_RELAXED(p) __atomic_load_n(p, __ATOMIC_RELAXED)
#define PFC_MEMCPY(d, s, n) __builtin_memcpy(d, s, n)
/* a compiler barrier: what was copied out of shared memory is used, not re-read */
#define PFC_BARRIER() __asm__ __volatile__("" ::: "memory")
#endif

/* 1 when size can be a queue's size: a power of two in 1..2^31. */
static inline int pfc_spsc_size_ok(u_int32_t size)
{
	return size != 0 && size <= (1u << 31) && (size & (size - 1)) == 0;
}

/*
 * Producer: free entries (0..size) given its own insert index and the
 * consumer's remove index as read once; 0 when that index is impossible.
 */
static inline u_int32_t pfc_spsc_free(u_int32_t insert, u_int32_t peer_remove, u_int32_t size)
{
	u_int32_t used = insert - peer_remove;

	return used > size ? 0 : size - used;
}

/* Producer: 1 when the consumer's remove index is ahead of insert (impossible). */
static inline int pfc_spsc_remove_impossible(u_int32_t insert, u_int32_t peer_remove, u_int32_t size)
{
	return insert - peer_remove > size;
}

/*
 * Consumer: entries ready (0..size) given its own remove index and the
 * producer's insert index as read once, or -PFC_SPSC_ECORRUPT when that
 * index is more than size entries ahead.
 */
static inline long pfc_spsc_ready(u_int32_t remove, u_int32_t peer_insert, u_int32_t size)
{
	u_int32_t ready = peer_insert - remove;

	return ready > size ? -(long)PFC_SPSC_ECORRUPT : (long)ready;
}

#ifdef __cplusplus
}
#endif

#endif /* PFC_SPSC_H */
