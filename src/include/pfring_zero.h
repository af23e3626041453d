/*
 * pfring_zero.h - libzero (guide chapter 9): the DNA Cluster (a master
 * that spreads the packets of up to 32 rings over up to 32 slaves, in zero
 * copy) and the DNA Bouncer. Included by pfring.h: applications include
 * only pfring.h, as PF_RING 5.4.6 ones do.
 *
 * Both spellings compile unchanged, in C and C++:
 *  - the distribution function takes the slaves' info (the 5.4.6 release
 *    header: pfring_dna_cluster_distribution_func) or the slave count (the
 *    guide's 9.3.3 text: pfring_dna_cluster_guide_distribution_func); C
 *    picks the call by the function's type (_Generic), C++ by overloading;
 *  - dna_cluster_stats(h, &stat) (release) and dna_cluster_stats(h, &rx,
 *    &tx, &processed) (guide): C by the argument count, C++ by overloading;
 *  - pfring_recv_pkt_buff (release) and pfring_rcv_pkt_buff (guide): one
 *    function under two names;
 *  - pf_ring_dna_cluster (the guide's spelling in two signatures) is
 *    pfring_dna_cluster.
 * As in the release header, the handles are opaque (void): a program may
 * keep them in void pointers.
 *
 * Return convention: 0 or a count on success, a negative PF_RING_ERROR_*
 * code with errno set and the reason in pfring_get_last_error() (NULL
 * ring) on failure; calls that return a pointer return NULL on failure.
 * docs/libzero.md says what is implemented today: the calls whose comment
 * says "not yet" return PF_RING_ERROR_NOT_SUPPORTED.
 */
#ifndef PFRING_ZERO_H
#define PFRING_ZERO_H
#ifndef _PFRING_ZERO_H_
#define _PFRING_ZERO_H_ /* the release header's guard: including both gives one */

#ifndef DNA_CLUSTER_MAX_NUM_SLAVES
#define DNA_CLUSTER_MAX_NUM_SLAVES 32 /* the slave mask is 32 bits */
#endif
#define DNA_CLUSTER_MAX_NUM_SOCKETS 32 /* the interface mask is 32 bits */

/* dna_cluster_create() flags */
#define DNA_CLUSTER_DIRECT_FORWARDING (1 << 0) /* DNA_CLUSTER_FRWD sends out of registered rings */
#define DNA_CLUSTER_NO_ADDITIONAL_BUFFERS (1 << 1) /* slaves get no buffers for pfring_alloc_pkt_buff */
#define DNA_CLUSTER_HUGEPAGES (1 << 2) /* accepted; the pool uses normal pages here (docs/libzero.md) */

/* distribution function results */
#define DNA_CLUSTER_DROP (-1)
#define DNA_CLUSTER_PASS 0
#define DNA_CLUSTER_FRWD 1

/* bouncer decision function results */
#define DNA_BOUNCER_DROP (-1)
#define DNA_BOUNCER_PASS 0

typedef void pfring_dna_cluster;
typedef void pf_ring_dna_cluster;
typedef void pfring_dna_bouncer;
typedef void pfring_pkt_buff;

typedef enum { one_way_mode = 0, two_way_mode } dna_bouncer_mode;

/* Decides for one packet: DNA_BOUNCER_PASS forwards it, DNA_BOUNCER_DROP not. */
typedef int (*pfring_dna_bouncer_decision_func)(u_int16_t pkt_len, u_char *pkt, const u_char *user_bytes);

typedef struct {
	u_int64_t tot_rx_packets; /* read from the registered rings */
	u_int64_t tot_tx_packets; /* sent out of them (slave sends, forwarding) */
	u_int64_t tot_rx_processed; /* handed to slaves and given back by them */
} pfring_dna_cluster_stat;

typedef struct {
	u_int32_t rx_queued; /* packets waiting in the slave's queue (approximate) */
} pfring_dna_cluster_slave_stat;

typedef struct {
	u_int32_t num_slaves;
	pfring_dna_cluster_slave_stat approximate_stats[DNA_CLUSTER_MAX_NUM_SLAVES];
} pfring_dna_cluster_slaves_info;

/*
 * Picks the slaves of one packet: bit K of *id_mask sends it to slave K
 * (several bits: fan-out, no copy); *hash is stored in the slave's header
 * (pkt_hash). Returns DNA_CLUSTER_PASS, DNA_CLUSTER_DROP (dropped,
 * counted), or DNA_CLUSTER_FRWD (with DNA_CLUSTER_DIRECT_FORWARDING: bit K
 * of *id_mask names registered ring K to send it out of).
 */
typedef int (*pfring_dna_cluster_distribution_func)(const u_char *buffer, const u_int16_t buffer_len,
						    const pfring_dna_cluster_slaves_info *slaves_info,
						    u_int32_t *id_mask, u_int32_t *hash);
/* The same in the guide's spelling: the slave count instead of their info. */
typedef int (*pfring_dna_cluster_guide_distribution_func)(const u_char *buffer, const u_int16_t buffer_len,
							  const u_int32_t num_slaves, u_int32_t *id_mask,
							  u_int32_t *hash);

#ifdef __cplusplus
extern "C" {
#endif

/* ---- DNA Cluster: master (guide 9.1.1) ----------------------------------- */

/* A cluster for num_apps slaves (1..32); no ring yet. NULL with errno:
 * EINVAL (num_apps, flags), EEXIST (the id is in use in this process). */
pfring_dna_cluster *dna_cluster_create(u_int32_t cluster_id, u_int32_t num_apps, u_int32_t flags);
/* Queue sizes (slots, powers of two) and the buffers each slave may hold
 * besides its queue (pfring_alloc_pkt_buff); before dna_cluster_enable. */
int dna_cluster_low_level_settings(pfring_dna_cluster *handle, u_int32_t slave_rx_queue_len,
				   u_int32_t slave_tx_queue_len, u_int32_t slave_additional_buffers);
/* Adds a ring (any module; up to 32) before dna_cluster_enable; the
 * cluster owns it from then on (dna_cluster_destroy closes it). */
int dna_cluster_register_ring(pfring_dna_cluster *handle, pfring *ring);
/* Pins the master's RX and TX threads (one thread here: rx_core_id). */
void dna_cluster_set_cpu_affinity(pfring_dna_cluster *handle, u_int32_t rx_core_id, u_int32_t tx_core_id);
/* recv_only_mode, send_only_mode or send_and_recv_mode (the default). */
int dna_cluster_set_mode(pfring_dna_cluster *handle, socket_mode mode);
/* The release spelling; NULL restores the default (a bidirectional IP hash). */
void dna_cluster_set_distribution_function(pfring_dna_cluster *handle, pfring_dna_cluster_distribution_func func);
/* The guide's spelling (reached through dna_cluster_set_distribution_function). */
void dna_cluster_set_distribution_function_num_slaves(pfring_dna_cluster *handle,
						      pfring_dna_cluster_guide_distribution_func func);
/* 1: the master spins when idle; 0 (default): it sleeps in the rings' poll. */
void dna_cluster_set_wait_mode(pfring_dna_cluster *handle, u_int32_t active_wait);
/* Starts the master; slaves may open dnacluster:ID@K from then on. */
int dna_cluster_enable(pfring_dna_cluster *handle);
/* Stops the master (slaves get PF_RING_ERROR_END_OF_FILE once their queue is empty). */
int dna_cluster_disable(pfring_dna_cluster *handle);
/* The release spelling. */
int dna_cluster_stats(pfring_dna_cluster *handle, pfring_dna_cluster_stat *stats);
/* The guide's spelling (reached through dna_cluster_stats with four arguments). */
int dna_cluster_stats_guide(pfring_dna_cluster *handle, u_int64_t *tot_rx_packets, u_int64_t *tot_tx_packets,
			    u_int64_t *tot_rx_processed);
/* Stops the master, closes the registered rings, frees the cluster. */
void dna_cluster_destroy(pfring_dna_cluster *handle);

/* ---- DNA Cluster: slave (guide 9.1.2), on a dnacluster:ID@K ring --------- */

/* A packet buffer of the cluster's pool for this slave, or NULL (none left). */
pfring_pkt_buff *pfring_alloc_pkt_buff(pfring *ring);
/* Gives the buffer (and its handle) back. */
void pfring_release_pkt_buff(pfring *ring, pfring_pkt_buff *pkt_handle);
/* Receives into the handle: its buffer goes back to the pool, the packet's
 * buffer becomes the handle's. 1, 0 (none, not waiting), or a negative code. */
int pfring_recv_pkt_buff(pfring *ring, pfring_pkt_buff *pkt_handle, struct pfring_pkthdr *hdr,
			 u_int8_t wait_for_incoming_packet);
/* The guide's name for pfring_recv_pkt_buff. */
int pfring_rcv_pkt_buff(pfring *ring, pfring_pkt_buff *pkt_handle, struct pfring_pkthdr *hdr,
			u_int8_t wait_for_incoming_packet);
/* Sends the handle's packet out of the registered ring(s) its interface
 * mask names (default: the ring it arrived on); the handle gets a new
 * empty buffer. Returns the bytes, or a negative code. */
int pfring_send_pkt_buff(pfring *ring, pfring_pkt_buff *pkt_handle, u_int8_t flush_packet);
/* The buffer's bytes (NULL for a bad handle). */
u_char *pfring_get_pkt_buff_data(pfring *ring, pfring_pkt_buff *pkt_handle);
/* Sets the packet's length (at most the buffer size). */
void pfring_set_pkt_buff_len(pfring *ring, pfring_pkt_buff *pkt_handle, u_int32_t len);
/* Sends the handle's packet out of registered ring if_index only. */
void pfring_set_pkt_buff_ifindex(pfring *ring, pfring_pkt_buff *pkt_handle, int if_index);
/* Adds registered ring if_index to the handle's egress set (fan-out). 0 or a negative code. */
int pfring_add_pkt_buff_ifindex(pfring *ring, pfring_pkt_buff *pkt_handle, int if_index);

/* ---- DNA Bouncer (guide 9.2): not yet (PF_RING_ERROR_NOT_SUPPORTED / NULL) */

pfring_dna_bouncer *pfring_dna_bouncer_create(pfring *ingress_ring, pfring *egress_ring);
int pfring_dna_bouncer_set_mode(pfring_dna_bouncer *handle, dna_bouncer_mode mode);
int pfring_dna_bouncer_loop(pfring_dna_bouncer *handle, pfring_dna_bouncer_decision_func func,
			    const u_char *user_bytes, u_int8_t wait_for_packet);
void pfring_dna_bouncer_breakloop(pfring_dna_bouncer *handle);
void pfring_dna_bouncer_destroy(pfring_dna_bouncer *handle);

#ifdef __cplusplus
}

/* Both spellings by overloading. */
inline void dna_cluster_set_distribution_function(pfring_dna_cluster *handle,
						  pfring_dna_cluster_guide_distribution_func func)
{
	dna_cluster_set_distribution_function_num_slaves(handle, func);
}
inline int dna_cluster_stats(pfring_dna_cluster *handle, u_int64_t *tot_rx_packets, u_int64_t *tot_tx_packets,
			     u_int64_t *tot_rx_processed)
{
	return dna_cluster_stats_guide(handle, tot_rx_packets, tot_tx_packets, tot_rx_processed);
}
#else
/* Both spellings in C: the distribution function by its type, the stats
 * by the argument count. The functions above keep their names (a program
 * may take their address); only calls go through these macros. */
#define dna_cluster_set_distribution_function(handle, func)                                          \
	_Generic((func), pfring_dna_cluster_guide_distribution_func                                  \
		 : dna_cluster_set_distribution_function_num_slaves, default                          \
		 : dna_cluster_set_distribution_function)(handle, func)
#define PFRING_ZERO_PICK5_(a, b, c, d, e, ...) e
#define dna_cluster_stats(...)                                                                       \
	PFRING_ZERO_PICK5_(__VA_ARGS__, dna_cluster_stats_guide, dna_cluster_stats_wrong_argument_count, \
			   dna_cluster_stats, dna_cluster_stats_wrong_argument_count)(__VA_ARGS__)
#endif

#endif /* _PFRING_ZERO_H_ */
#endif /* PFRING_ZERO_H */
