// pfring.hpp - the C++ PF_RING interface (guide 8.15): class PFring with
// the C API's names and return values, owning its ring (RAII). Header-only;
// no exceptions are thrown. A PFring is movable, not copyable.
#ifndef PFRING_HPP
#define PFRING_HPP

#include <utility>

#include "pfring.h"

class PFring {
 public:
  // Opens device_name as pfring_open() does; is_open() says whether it worked.
  PFring(const char *device_name, u_int32_t snaplen, u_int32_t flags = 0)
      : ring_(pfring_open(device_name, snaplen, flags)) {}
  ~PFring() { close(); }
  PFring(const PFring &) = delete;
  PFring &operator=(const PFring &) = delete;
  PFring(PFring &&o) noexcept : ring_(std::exchange(o.ring_, nullptr)) {}
  PFring &operator=(PFring &&o) noexcept {
    if (this != &o) {
      close();
      ring_ = std::exchange(o.ring_, nullptr);
    }
    return *this;
  }

  bool is_open() const { return ring_ != nullptr; }
  pfring *get_pfring_handle() const { return ring_; }
  void close() {
    if (ring_) pfring_close(ring_);
    ring_ = nullptr;
  }

  // Receive (guide 8.6).
  inline int get_next_packet(struct pfring_pkthdr *hdr, u_char **buffer, u_int buffer_len,
                             u_int8_t wait_for_packet = 1) {
    return pfring_recv(ring_, buffer, buffer_len, hdr, wait_for_packet);
  }
  inline int recv(u_char **buffer, u_int buffer_len, struct pfring_pkthdr *hdr, u_int8_t wait = 1) {
    return pfring_recv(ring_, buffer, buffer_len, hdr, wait);
  }
  inline int recv_parsed(u_char **buffer, u_int buffer_len, struct pfring_pkthdr *hdr, u_int8_t wait,
                         u_int8_t level, u_int8_t add_timestamp, u_int8_t add_hash) {
    return pfring_recv_parsed(ring_, buffer, buffer_len, hdr, wait, level, add_timestamp, add_hash);
  }
  inline int recv_burst(u_char **buffers, struct pfring_pkthdr *hdrs, u_int max, u_int8_t wait = 1) {
    return pfring_recv_burst(ring_, buffers, hdrs, max, wait);
  }
  inline int loop(pfringProcessPacket looper, const u_char *user_bytes, u_int8_t wait = 1) {
    return pfring_loop(ring_, looper, user_bytes, wait);
  }
  inline void breakloop() { pfring_breakloop(ring_); }
  inline int poll(u_int wait_duration) { return pfring_poll(ring_, wait_duration); }
  inline int next_pkt_time(struct timespec *ts) { return pfring_next_pkt_time(ring_, ts); }

  // Statistics, version, state (guide 8.14).
  inline int get_stats(pfring_stat *stats) { return pfring_stats(ring_, stats); }
  inline int version(u_int32_t *version) { return pfring_version(ring_, version); }
  inline int enable_ring() { return pfring_enable_ring(ring_); }
  inline int disable_ring() { return pfring_disable_ring(ring_); }
  inline int set_direction(packet_direction d) { return pfring_set_direction(ring_, d); }
  inline int set_socket_mode(socket_mode m) { return pfring_set_socket_mode(ring_, m); }
  inline int set_poll_watermark(u_int16_t w) { return pfring_set_poll_watermark(ring_, w); }
  inline int set_poll_duration(u_int d) { return pfring_set_poll_duration(ring_, d); }
  inline int set_tx_watermark(u_int16_t w) { return pfring_set_tx_watermark(ring_, w); }
  inline int set_application_name(const char *name) { return pfring_set_application_name(ring_, name); }
  inline int get_bound_device_address(u_char mac[6]) { return pfring_get_bound_device_address(ring_, mac); }
  inline int get_bound_device_id(int *id) { return pfring_get_bound_device_id(ring_, id); }
  inline u_int8_t get_num_rx_channels() { return pfring_get_num_rx_channels(ring_); }
  inline int get_selectable_fd() { return pfring_get_selectable_fd(ring_); }
  inline int enable_rss_rehash() { return pfring_enable_rss_rehash(ring_); }
  inline int get_last_error(char *buf, size_t len) { return pfring_get_last_error(ring_, buf, len); }

  // Clusters, sampling, filtering (guide 8.7 - 8.12).
  inline int set_cluster(u_int cluster_id, cluster_type t = cluster_per_flow) {
    return pfring_set_cluster(ring_, cluster_id, t);
  }
  inline int remove_from_cluster() { return pfring_remove_from_cluster(ring_); }
  inline int set_sampling_rate(u_int32_t rate) { return pfring_set_sampling_rate(ring_, rate); }
  inline int add_filtering_rule(filtering_rule *r) { return pfring_add_filtering_rule(ring_, r); }
  inline int remove_filtering_rule(u_int16_t id) { return pfring_remove_filtering_rule(ring_, id); }
  inline int get_filtering_rule_stats(u_int16_t id, char *stats, u_int *len) {
    return pfring_get_filtering_rule_stats(ring_, id, stats, len);
  }
  inline int purge_idle_rules(u_int16_t sec) { return pfring_purge_idle_rules(ring_, sec); }
  inline int handle_hash_filtering_rule(hash_filtering_rule *r, u_char add) {
    return pfring_handle_hash_filtering_rule(ring_, r, add);
  }
  inline int add_hash_filtering_rule(hash_filtering_rule *r) { return pfring_handle_hash_filtering_rule(ring_, r, 1); }
  inline int remove_hash_filtering_rule(hash_filtering_rule *r) { return pfring_handle_hash_filtering_rule(ring_, r, 0); }
  inline int get_hash_filtering_rule_stats(hash_filtering_rule *r, char *stats, u_int *len) {
    return pfring_get_hash_filtering_rule_stats(ring_, r, stats, len);
  }
  inline int purge_idle_hash_rules(u_int16_t sec) { return pfring_purge_idle_hash_rules(ring_, sec); }
  inline int set_bpf_filter(const char *f) { return pfring_set_bpf_filter(ring_, f); }
  inline int remove_bpf_filter() { return pfring_remove_bpf_filter(ring_); }
  inline int toggle_filtering_policy(u_int8_t accept) { return pfring_toggle_filtering_policy(ring_, accept); }
  inline int add_hw_rule(hw_filtering_rule *r) { return pfring_add_hw_rule(ring_, r); }
  inline int remove_hw_rule(hw_filtering_rule *r) { return pfring_remove_hw_rule(ring_, r); }
  inline int set_filtering_mode(filtering_mode m) { return pfring_set_filtering_mode(ring_, m); }

  // Transmission (guide 8.13).
  inline int send_packet(const void *pkt, u_int len, u_int8_t flush = 1) { return pfring_send(ring_, pkt, len, flush); }
  inline int send(const void *pkt, u_int len, u_int8_t flush = 1) { return pfring_send(ring_, pkt, len, flush); }
  inline int send_ifindex(const void *pkt, u_int len, u_int8_t flush, int if_index) {
    return pfring_send_ifindex(ring_, pkt, len, flush, if_index);
  }
  inline int send_get_time(const void *pkt, u_int len, struct timespec *ts) {
    return pfring_send_get_time(ring_, pkt, len, ts);
  }
  inline int send_last_rx_packet(int tx_if) { return pfring_send_last_rx_packet(ring_, tx_if); }

  // Device clock.
  inline int get_device_clock(struct timespec *ts) { return pfring_get_device_clock(ring_, ts); }
  inline int set_device_clock(struct timespec *ts) { return pfring_set_device_clock(ring_, ts); }
  inline int adjust_device_clock(struct timespec *off, int8_t sign) {
    return pfring_adjust_device_clock(ring_, off, sign);
  }
  inline int enable_hw_timestamp(const char *dev, u_int8_t rx, u_int8_t tx) {
    return pfring_enable_hw_timestamp(ring_, dev, rx, tx);
  }

 private:
  pfring *ring_;
};

#endif  // PFRING_HPP
