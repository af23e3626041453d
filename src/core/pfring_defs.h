/*
 * pfring_defs.h - data structures shared by pf_ring.ko, libpfring and the
 * software NIC: the extended packet header, parsing results, filtering rules
 * (guide chapter 11), hardware rules (guide 8.11) and the enums of chapter 8.
 *
 * This header is the equivalent of PF_RING's <linux/pf_ring.h>: names and
 * enum values follow PF_RING 5.4 so that existing applications compile.
 * It is freestanding: it needs only <stdint.h> (or the kernel's types) and a
 * definition of struct in6_addr, taken from the kernel, from libc, or (for the
 * freestanding build check, PFC_FREESTANDING) defined here.
 *
 * Data only: no functions, no logic.
 */
#ifndef PFRING_DEFS_H
#define PFRING_DEFS_H

#if defined(__KERNEL__)
#include <linux/types.h>
#include <linux/in6.h>
#elif defined(PFC_FREESTANDING)
#include <stdint.h>
struct in6_addr {
	uint8_t s6_addr[16];
};
#else
#include <stdint.h>
#include <netinet/in.h>
#endif

#ifndef __KERNEL__
/* BSD-style integer names the PF_RING API uses. */
#if !defined(__u_char_defined) && !defined(PFC_HAVE_U_TYPES)
#if defined(PFC_FREESTANDING)
typedef unsigned char u_char;
typedef unsigned short u_short;
typedef unsigned int u_int;
typedef uint8_t u_int8_t;
typedef uint16_t u_int16_t;
typedef uint32_t u_int32_t;
typedef uint64_t u_int64_t;
#define PFC_HAVE_U_TYPES 1
#else
#include <sys/types.h>
#endif
#endif
#endif

#define RING_VERSION "5.4.6"
#define RING_VERSION_NUM 0x050406

#ifndef ETH_ALEN
#define ETH_ALEN 6
#endif

/* PF_RING had 8; 64 holds any interface name and module-prefixed names (sim:TB:NIC). */
#define REFLECTOR_NAME_LEN 64
#define FILTER_PLUGIN_DATA_LEN 256
#define PLUGIN_ACTION_DATA_LEN 256
#define MAX_NUM_RX_CHANNELS 256
#define NO_VLAN ((u_int16_t)-1)
#define NO_TUNNEL_ID 0xFFFFFFFF
/* plugin_id of a rule that calls no plugin (the 5.x name of 0). */
#define NO_PLUGIN_ID 0
#define UNKNOWN_INTERFACE -1
#define FAKE_PACKET -2

/* Well-known EtherTypes and IP protocol numbers used by the parser. */
#define PFC_ETH_P_IP 0x0800
#define PFC_ETH_P_IPV6 0x86DD
#define PFC_ETH_P_8021Q 0x8100
#define PFC_ETH_P_8021AD 0x88A8
#define PFC_ETH_P_QINQ1 0x9100
#define PFC_ETH_P_TEB 0x6558 /* transparent Ethernet bridging (GRE) */

#define PFC_IPPROTO_ICMP 1
#define PFC_IPPROTO_TCP 6
#define PFC_IPPROTO_UDP 17
#define PFC_IPPROTO_GRE 47
#define PFC_IPPROTO_ESP 50
#define PFC_IPPROTO_AH 51
#define PFC_IPPROTO_ICMPV6 58
#define PFC_IPPROTO_SCTP 132

#define PFC_GTPU_PORT 2152
#define PFC_VXLAN_PORT 4789

/* IPv4 or IPv6 address, network byte order. */
typedef union {
	struct in6_addr v6;
	u_int32_t v4;
} ip_addr;

#define ipv4_tos ip_tos
#define ipv6_tos ip_tos
#define ipv4_src ip_src.v4
#define ipv4_dst ip_dst.v4
#define ipv6_src ip_src.v6
#define ipv6_dst ip_dst.v6
#define host4_low host_low.v4
#define host4_high host_high.v4
#define host6_low host_low.v6
#define host6_high host_high.v6
#define host4_peer_a host_peer_a.v4
#define host4_peer_b host_peer_b.v4
#define host6_peer_a host_peer_a.v6
#define host6_peer_b host_peer_b.v6

/*
 * Offsets of the headers inside the packet, relative to eth_offset.
 * A zero l3_offset / l4_offset means "not parsed" (guide 8.14).
 */
struct pkt_offset {
	int16_t eth_offset;
	int16_t vlan_offset;
	int16_t l3_offset;
	int16_t l4_offset;
	int16_t payload_offset;
};

/* Inner headers of a GTP-U, GRE or VXLAN tunnel. */
typedef struct {
	u_int32_t tunnel_id; /* TEID, GRE key or VNI; NO_TUNNEL_ID if none */
	u_int8_t tunneled_ip_version;
	u_int8_t tunneled_proto;
	ip_addr tunneled_ip_src, tunneled_ip_dst;
	u_int16_t tunneled_l4_src_port, tunneled_l4_dst_port;
} tunnel_info;

/* What pfring_parse_pkt() found. Host byte order except addresses. */
struct pkt_parsing_info {
	u_int8_t dmac[ETH_ALEN], smac[ETH_ALEN];
	u_int16_t eth_type; /* EtherType after the VLAN tags */
	u_int16_t vlan_id; /* outermost VLAN id, or NO_VLAN */
	u_int16_t qinq_vlan_id; /* second VLAN id of a stack, or NO_VLAN */
	u_int8_t ip_version; /* 4, 6, or 0 */
	u_int8_t l3_proto, ip_tos;
	ip_addr ip_src, ip_dst; /* IPv4 addresses are in host byte order */
	u_int16_t l4_src_port, l4_dst_port;
	u_int8_t icmp_type, icmp_code;
	struct {
		u_int8_t flags;
		u_int32_t seq_num, ack_num;
	} tcp;
	tunnel_info tunnel;
	u_int16_t last_matched_plugin_id;
	u_int16_t last_matched_rule_id;
	struct pkt_offset offset;
};

/* Flags of pfring_extended_pkthdr.flags */
#define PKT_FLAGS_CHECKSUM_OFFLOAD (1 << 0)
#define PKT_FLAGS_CHECKSUM_OK (1 << 1)
#define PKT_FLAGS_IP_MORE_FRAG (1 << 2)
#define PKT_FLAGS_IP_FRAG_OFFSET (1 << 3)
#define PKT_FLAGS_VLAN_HWACCEL (1 << 4)

struct pfring_extended_pkthdr {
	u_int64_t timestamp_ns; /* ns timestamp (hardware clock where there is one) */
	u_int32_t flags; /* PKT_FLAGS_* */
	u_int8_t rx_direction; /* 1 = received, 0 = transmitted */
	int32_t if_index; /* interface (or queue-carrying) index */
	u_int32_t pkt_hash; /* RSS or bidirectional software hash */
	struct {
		int bounce_interface; /* UNKNOWN_INTERFACE unless bouncing */
		void *reserved; /* kernel-only pointer */
	} tx;
	u_int16_t parsed_header_len;
	struct pkt_parsing_info parsed_pkt; /* keep last */
};

/* Packet direction for pfring_set_direction(). */
typedef enum {
	rx_and_tx_direction = 0,
	rx_only_direction,
	tx_only_direction
} packet_direction;

/* Socket mode for pfring_set_socket_mode(). */
typedef enum {
	send_and_recv_mode = 0,
	send_only_mode,
	recv_only_mode
} socket_mode;

/* Cluster balancing for pfring_set_cluster(). */
typedef enum {
	cluster_per_flow = 0, /* 6-tuple: vlan, proto, ip, port (both ways) */
	cluster_round_robin,
	cluster_per_flow_2_tuple, /* src ip, dst ip */
	cluster_per_flow_4_tuple, /* src ip, sport, dst ip, dport */
	cluster_per_flow_5_tuple, /* 4-tuple + proto */
	cluster_per_flow_tcp_5_tuple, /* 5-tuple for TCP, 2-tuple otherwise */
	cluster_per_inner_flow, /* the same on the tunnelled headers */
	cluster_per_inner_flow_2_tuple,
	cluster_per_inner_flow_4_tuple,
	cluster_per_inner_flow_5_tuple,
	cluster_per_inner_flow_tcp_5_tuple
} cluster_type;

/* Where pfring_add_hw_rule()-style rules go (guide 8.11). */
typedef enum {
	hardware_and_software = 0,
	hardware_only,
	software_only
} filtering_mode;

/* Rule actions (guide chapter 11). */
typedef enum {
	forward_packet_and_stop_rule_evaluation = 0,
	dont_forward_packet_and_stop_rule_evaluation,
	execute_action_and_continue_rule_evaluation,
	execute_action_and_stop_rule_evaluation,
	forward_packet_add_rule_and_stop_rule_evaluation,
	forward_packet_del_rule_and_stop_rule_evaluation,
	reflect_packet_and_stop_rule_evaluation,
	reflect_packet_and_continue_rule_evaluation,
	bounce_packet_and_stop_rule_evaluation,
	bounce_packet_and_continue_rule_evaluation
} rule_action_behaviour;

#define PFC_NUM_RULE_ACTIONS 10

typedef struct {
	u_int16_t plugin_id; /* 0 = no plugin */
	char plugin_data[PLUGIN_ACTION_DATA_LEN];
} filtering_rule_plugin_action;

typedef struct {
	u_int64_t jiffies_last_match; /* set by PF_RING */
	void *reflector_dev; /* set by PF_RING */
} filtering_internals;

/* Zero in a field means "any" (guide 8.10). */
typedef struct {
	u_int8_t smac[ETH_ALEN], dmac[ETH_ALEN];
	u_int16_t vlan_id;
	u_int8_t proto;
	ip_addr shost, dhost;
	ip_addr shost_mask, dhost_mask;
	u_int16_t sport_low, sport_high;
	u_int16_t dport_low, dport_high;
} filtering_rule_core_fields;

/* extended_fields.optional_fields (the later releases' spelling): match
 * tunnel.tunnel_id even when it is 0. */
#define FILTER_TUNNEL_ID_FLAG (1 << 0)

typedef struct {
	char payload_pattern[32]; /* NUL-terminated; matched anywhere in the payload */
	u_int16_t filter_plugin_id;
	char filter_plugin_data[FILTER_PLUGIN_DATA_LEN];
	u_int8_t optional_fields; /* FILTER_TUNNEL_ID_FLAG */
	/*
	 * The tunnel (GTP-U, GRE, VXLAN) a packet must come through, as PF_RING
	 * 5.x's pfcount writes it. tunnel_id 0 or NO_TUNNEL_ID: any packet,
	 * tunnelled or not (0 is matched only with FILTER_TUNNEL_ID_FLAG);
	 * another value: only packets whose tunnel has that TEID, key or VNI.
	 * shost/dhost: the inner (tunnelled) source and destination, under
	 * their masks as core_fields' hosts are (0 = any; a non-zero host
	 * needs a tunnelled IP packet).
	 */
	struct {
		u_int32_t tunnel_id;
		ip_addr shost, dhost;
		ip_addr shost_mask, dhost_mask;
	} tunnel;
} filtering_rule_extended_fields;

typedef struct {
	u_int16_t rule_id; /* evaluated from lowest to highest id */
	rule_action_behaviour rule_action;
	u_int8_t balance_id, balance_pool;
	u_int8_t locked; /* not removed by pfring_purge_idle_rules() */
	u_int8_t bidirectional; /* also match with the peers swapped */
	filtering_rule_core_fields core_fields;
	filtering_rule_extended_fields extended_fields;
	filtering_rule_plugin_action plugin_action;
	char reflector_device_name[REFLECTOR_NAME_LEN];
	filtering_internals internals;
} filtering_rule;

/* Exact 6-tuple rule; matches both directions (guide 8.10.2). */
typedef struct {
	u_int16_t rule_id;
	u_int16_t vlan_id;
	u_int8_t proto;
	ip_addr host_peer_a, host_peer_b;
	u_int16_t port_peer_a, port_peer_b;
	rule_action_behaviour rule_action;
	filtering_rule_plugin_action plugin_action;
	char reflector_device_name[REFLECTOR_NAME_LEN];
	filtering_internals internals;
} hash_filtering_rule;

/*
 * What pfring_get_filtering_rule_stats() and
 * pfring_get_hash_filtering_rule_stats() write into the caller's buffer:
 * packets that matched the rule, the part of them the rule kept away from
 * the application, and seconds since the last match.
 */
typedef struct {
	u_int64_t match;
	u_int64_t filtered;
	u_int32_t inactivity;
} hash_filtering_rule_stats;

/* In-NIC rules (guide 8.11). */
typedef enum {
	intel_82599_five_tuple_rule,
	intel_82599_perfect_filter_hash_rule,
	silicom_redirector_rule
} hw_filtering_rule_type;

typedef struct {
	u_int8_t proto;
	u_int32_t s_addr, d_addr;
	u_int16_t s_port, d_port;
	u_int16_t queue_id;
} intel_82599_five_tuple_filter_hw_rule;

typedef struct {
	u_int16_t vlan_id;
	u_int8_t proto;
	u_int32_t s_addr, d_addr;
	u_int16_t s_port, d_port;
	u_int16_t queue_id;
} intel_82599_perfect_filter_hw_rule;

typedef struct {
	u_int8_t vlan_id_to_set;
	u_int8_t port_id, redirect_port_id;
	u_int16_t vlan_id;
} silicom_redirector_hw_rule;

typedef struct {
	hw_filtering_rule_type rule_family_type;
	u_int16_t rule_id;
	union {
		intel_82599_five_tuple_filter_hw_rule five_tuple_rule;
		intel_82599_perfect_filter_hw_rule perfect_rule;
		silicom_redirector_hw_rule redirector_rule;
	} rule_family;
} hw_filtering_rule;

#endif /* PFRING_DEFS_H */
