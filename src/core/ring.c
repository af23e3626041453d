/*
 * ring.c - compile-time checks of the ring layout (ring.h). The ring's code
 * is inline in ring.h; this file makes the freestanding build compile it
 * and pins the layout every producer and consumer share.
 */
#include "ring.h"

_Static_assert(sizeof(struct pfc_ring_hdr) == 3 * PFC_RING_LINE, "ring header is three cache lines");
_Static_assert(__builtin_offsetof(struct pfc_ring_hdr, insert_idx) == PFC_RING_LINE, "producer line");
_Static_assert(__builtin_offsetof(struct pfc_ring_hdr, remove_idx) == 2 * PFC_RING_LINE, "consumer line");
_Static_assert(sizeof(struct pfc_slot_hdr) == 32, "slot header is 32 bytes");
_Static_assert(PFC_RING_MAX_SLOTS <= (1u << 31), "free-running indices need num_slots <= 2^31");

/* A translation unit must declare something; this is the ring version. */
const u_int32_t pfc_ring_version = PFC_RING_VERSION;
