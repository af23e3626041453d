/*
 * cluster.h - which member of a cluster gets a packet (guide 8.11,
 * pfring_set_cluster). Shared by pf_ring.ko, the pfsim testbed and the
 * packet module's software clusters. Freestanding C11.
 *
 * A per-flow cluster type names the header fields that make a flow:
 *
 *   cluster_per_flow              VLAN, L3 protocol, addresses, ports
 *   cluster_per_flow_2_tuple      addresses
 *   cluster_per_flow_4_tuple      addresses, ports
 *   cluster_per_flow_5_tuple      addresses, ports, L3 protocol
 *   cluster_per_flow_tcp_5_tuple  the 5-tuple for TCP, the 2-tuple otherwise
 *   cluster_per_inner_flow*       the same fields of the tunnelled packet
 *                                 (GTP-U, GRE, VXLAN) but no VLAN (an outer
 *                                 header); outer ones when the packet is not
 *                                 tunnelled
 *
 * The hash adds source and destination up (so both directions of a flow
 * give the same value) and mixes the sum, so the members share flows
 * evenly. A non-IP packet hashes its two MAC addresses, also symmetrically.
 * cluster_round_robin has no flow: the caller counts packets.
 */
#ifndef PFC_CLUSTER_H
#define PFC_CLUSTER_H

#include "pfring_defs.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PFC_CLUSTER_MAX_MEMBERS 64

/* 1 for a cluster_type value (round robin included), 0 otherwise. */
int pfc_cluster_type_valid(u_int32_t type);

/* 1 for the per-flow types, 0 for round robin and unknown values. */
int pfc_cluster_is_per_flow(cluster_type t);

/*
 * The flow hash of a parsed packet (parsed to level 4, or 5 for the inner
 * types) for cluster type t; equal for both directions of a flow. 0 for
 * round robin and unknown types.
 */
u_int32_t pfc_cluster_hash(const struct pkt_parsing_info *p, cluster_type t);

/*
 * Member index 0..num_members-1 for a flow hash (num_members 0 gives 0):
 * multiply-shift, the high bits of the hash. Round robin takes its counter
 * modulo the members instead (a small counter has no high bits).
 */
u_int32_t pfc_cluster_member(u_int32_t hash, u_int32_t num_members);

#ifdef __cplusplus
}
#endif

#endif /* PFC_CLUSTER_H */
