/*
 * hwrule.h - in-NIC filters (guide 8.11, pfring_add_hw_rule): which packets
 * a hardware_filtering rule takes. Shared by the software NIC and the DNA
 * drivers. Freestanding C11.
 *
 * Intel 82599 five-tuple and perfect-filter rules compare the L3 protocol,
 * source and destination IPv4 address (host byte order, as in
 * pkt_parsing_info) and ports, and (perfect filter) the VLAN id; a zero
 * field matches anything. A matching packet goes to rule_family.*.queue_id;
 * a queue the NIC does not have drops it. Silicom redirector rules describe
 * a port redirection no Intel NIC does: pfc_hw_rule_supported() says 0.
 */
#ifndef PFC_HWRULE_H
#define PFC_HWRULE_H

#include "pfring_defs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 1 for the rule families an Intel NIC implements, 0 otherwise. */
int pfc_hw_rule_supported(const hw_filtering_rule *r);

/* 1 when r takes the packet p (parsed to level 4), 0 otherwise. */
int pfc_hw_rule_match(const hw_filtering_rule *r, const struct pkt_parsing_info *p);

/* The queue a matching packet goes to. */
u_int16_t pfc_hw_rule_queue(const hw_filtering_rule *r);

/*
 * What a NIC with n rules (sorted by increasing rule_id) does with packet
 * p: the first matching rule decides. Returns 1 and sets *queue (the rule's
 * queue, or rss_queue when no rule matches), or 0 when the matching rule's
 * queue is not below num_queues (the packet is dropped).
 */
int pfc_hw_steer(const hw_filtering_rule *rules, u_int32_t n, const struct pkt_parsing_info *p, u_int32_t rss_queue,
		 u_int32_t num_queues, u_int32_t *queue);

#ifdef __cplusplus
}
#endif

#endif /* PFC_HWRULE_H */
