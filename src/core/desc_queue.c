/*
 * desc_queue.c - compile-time checks of the descriptor queue layout
 * (desc_queue.h, whose code is inline): the freestanding build compiles
 * it, and the layout every end shares is pinned here.
 */
#include "desc_queue.h"

_Static_assert(sizeof(struct pfc_dq_hdr) == 3 * PFC_DQ_LINE, "queue header is three cache lines");
_Static_assert(__builtin_offsetof(struct pfc_dq_hdr, insert_idx) == PFC_DQ_LINE, "producer line");
_Static_assert(__builtin_offsetof(struct pfc_dq_hdr, remove_idx) == 2 * PFC_DQ_LINE, "consumer line");
_Static_assert(sizeof(struct pfc_desc) == 32, "a descriptor is 32 bytes, two to a cache line");
_Static_assert(PFC_DQ_MAX_ENTRIES <= (1u << 31), "free-running indices need num_entries <= 2^31");

const u_int32_t pfc_dq_version = PFC_DQ_VERSION;
