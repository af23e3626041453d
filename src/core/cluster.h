/*
 * cluster.h - which member of a cluster gets a packet (guide 8.6,
 * pfring_set_cluster), shared by pf_ring.ko and libpfring. Freestanding C11.
 *
 * Every per-flow type hashes a symmetric function of the tuple it names, so
 * both directions of a flow go to the same member. Round robin is not a
 * hash: the caller keeps a counter and asks pfc_cluster_member() with it.
 */
#ifndef PFC_CLUSTER_H
#define PFC_CLUSTER_H

#include "pfring_defs.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Hash of the parsed packet for cluster type `type` (a cluster_type).
 *   cluster_per_flow            vlan + proto + addresses + ports
 *   cluster_per_flow_2_tuple    addresses
 *   cluster_per_flow_4_tuple    addresses + ports
 *   cluster_per_flow_5_tuple    addresses + ports + proto
 *   cluster_per_flow_tcp_5_tuple  5-tuple for TCP, 2-tuple otherwise
 *   cluster_per_inner_flow*     the same on the tunnelled headers when the
 *                               packet carries a tunnel, else the outer ones
 * A non-IP packet hashes to its VLAN id (0 untagged). Returns the hash;
 * cluster_round_robin and unknown types return 0.
 */
u_int32_t pfc_cluster_hash(const struct pkt_parsing_info *p, u_int32_t type);

/* 1 for the types that pfc_cluster_hash() serves, 0 otherwise (round robin too). */
int pfc_cluster_type_is_hash(u_int32_t type);

/* 1 for a valid cluster_type. */
int pfc_cluster_type_valid(u_int32_t type);

/* Member index 0..n-1 for a hash (or round-robin counter); 0 when n is 0. */
u_int32_t pfc_cluster_member(u_int32_t hash, u_int32_t n);

#ifdef __cplusplus
}
#endif

#endif /* PFC_CLUSTER_H */
