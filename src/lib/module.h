// module.h - the device-module interface (DESIGN.md decision 3).
//
// A module is one class deriving from pfr::Module plus one line in
// registry.cpp. It delivers raw packets in bursts; the handle (handle.h)
// adds direction, BPF, rules, sampling and statistics on top, so a module
// only implements what its device really does. Every optional operation
// defaults to PF_RING_ERROR_NOT_SUPPORTED.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "device_name.h"
#include "pfring.h"

struct bpf_program;  // <pcap/bpf.h>

namespace pfr {
namespace zero {
class ClusterSlave;  // src/zero/slave.h
}

// One received packet. data points into module memory and stays valid
// until the next recv_burst() on the same module.
struct RawPacket {
  const uint8_t *data;
  struct pfring_pkthdr hdr;  // ts, caplen, len, extended_hdr.{timestamp_ns, if_index, ...}
  uint8_t parsed_level;      // set by the handle: level parsed_pkt holds (0: none)
  // Set by a module whose device already ran the ring's BPF program (the
  // one given to set_device_bpf) on exactly these bytes: the handle then
  // does not run it again in software.
  uint8_t bpf_done;
  // hdr.extended_hdr.parsed_pkt may hold a parse (the handle's
  // parse_into sets it): fill_rx_packet zeroes it then, and only then.
  uint8_t parsed_dirty = 1;
};

// Fills p for a received frame: data, caplen and wire len, the ns
// timestamp (and ts in us), RX direction, no interface, no bounce, and
// parsed_pkt zero. The header before parsed_pkt is about 70 bytes and
// parsed_pkt 150: zeroing parsed_pkt only when a parse wrote it saves
// most of a per-packet memset on paths that never parse.
inline void fill_rx_packet(RawPacket &p, const uint8_t *data, uint32_t caplen, uint32_t len, uint64_t ns) {
  static_assert(offsetof(pfring_pkthdr, extended_hdr) + offsetof(pfring_extended_pkthdr, parsed_pkt) +
                        sizeof(pkt_parsing_info) <=
                    sizeof(pfring_pkthdr),
                "parsed_pkt ends the header");
  std::memset(&p.hdr, 0, offsetof(pfring_pkthdr, extended_hdr) + offsetof(pfring_extended_pkthdr, parsed_pkt));
  if (p.parsed_dirty) {
    std::memset(&p.hdr.extended_hdr.parsed_pkt, 0, sizeof(p.hdr.extended_hdr.parsed_pkt));
    p.parsed_dirty = 0;
  }
  p.data = data;
  p.parsed_level = 0;
  p.bpf_done = 0;
  p.hdr.caplen = caplen;
  p.hdr.len = len;
  p.hdr.ts.tv_sec = static_cast<time_t>(ns / 1000000000ull);
  p.hdr.ts.tv_usec = static_cast<suseconds_t>((ns % 1000000000ull) / 1000ull);
  p.hdr.extended_hdr.timestamp_ns = ns;
  p.hdr.extended_hdr.rx_direction = 1;
  p.hdr.extended_hdr.if_index = UNKNOWN_INTERFACE;
  p.hdr.extended_hdr.tx.bounce_interface = UNKNOWN_INTERFACE;
}

// One frame to transmit (send_burst).
struct TxFrame {
  const uint8_t *data;
  uint32_t len;
};

// A received packet whose bytes the module lends: they stay valid until
// the handle is given back with ZeroCopy::release, however many receives
// come in between (not only until the next receive, as RawPacket's).
struct LentPacket {
  RawPacket pkt;
  uint32_t handle;
};

// Zero copy (DESIGN.md decision 6), optional, in the style of
// device_filter(): a module that owns its receive buffers lends them
// instead of handing out pointers that the next receive invalidates.
// Lending and plain receives do not mix on one handle: recv_burst refuses
// while buffers are lent. Every call returns a count or 0, or a negative
// PF_RING_ERROR_* code with err saying why.
class ZeroCopy {
 public:
  virtual ~ZeroCopy() = default;
  // Up to max packets (waits as recv_burst does); the count, 0 when none,
  // PF_RING_ERROR_END_OF_FILE at the end of a finite device.
  virtual int recv_lent(LentPacket *out, unsigned max, int timeout_ms, std::string &err) = 0;
  // Gives n lent buffers back, in any order. 0, or
  // PF_RING_ERROR_INVALID_ARGUMENT when a handle is not lent now (then
  // none of the n is given back).
  virtual int release(const uint32_t *handles, unsigned n, std::string &err) = 0;
  // Buffers lent and not given back.
  virtual uint32_t lent() const = 0;
};

// Receive into a pool the caller owns (DESIGN.md decision 6), optional:
// a libzero master lends its buffer pool to a module whose device can
// write frames into it (dna:, where the NIC's receive descriptors then
// point at pool buffers), and gets each packet as a pool buffer id: the
// frame is where the device wrote it, nobody copies it.
//
// The lender (the master) owns the pool; the module takes free buffers
// from it to post to the device and hands each received one over.
class BufferLender {
 public:
  virtual ~BufferLender() = default;
  // The pool: count buffers of buf_size bytes, buffer id at
  // base + id x buf_size; base is page-aligned, and the memory up to the
  // next page boundary after the last buffer is the pool's too.
  virtual uint8_t *pool_base() const = 0;
  virtual uint32_t pool_buf_size() const = 0;
  virtual uint32_t pool_count() const = 0;
  // Up to n free buffers, their ids written to ids; returns how many.
  virtual uint32_t take(uint32_t *ids, uint32_t n) = 0;
  // Buffers given back unused (the device stopped with them posted).
  virtual void give_back(const uint32_t *ids, uint32_t n) = 0;
};

// A packet in a lent pool buffer: the buffer is the receiver's from then on.
struct PoolPacket {
  uint32_t buf_id;
  uint32_t len;           // bytes in the buffer (the frame, CRC stripped)
  uint32_t pkt_hash;      // the device's RSS hash (0: none)
  uint64_t timestamp_ns;  // software time of the receive
};

class PoolReceiver {
 public:
  virtual ~PoolReceiver() = default;
  // Buffers the device keeps posted once attached: the pool needs that
  // many on top of what its readers hold.
  virtual uint32_t pool_buffers_needed() const = 0;
  // Starts receiving into lender's buffers. 0, or a negative
  // PF_RING_ERROR_* with err (nothing changed: receives go on as before,
  // the caller copies). Only before the ring's first receive.
  virtual int attach_pool(BufferLender *lender, std::string &err) = 0;
  // Up to max packets; the count, 0 when none now,
  // PF_RING_ERROR_END_OF_FILE at the end of a finite device.
  virtual int recv_pool(PoolPacket *out, unsigned max, std::string &err) = 0;
  // Stops the device writing into the pool and gives back every buffer it
  // holds (BufferLender::give_back). The ring receives nothing more.
  virtual void detach_pool() = 0;
};

struct OpenArgs {
  DeviceName name;
  uint32_t caplen;
  uint32_t flags;
};

// Rules, default policy and sampling applied by the device itself
// (pf_ring.ko filters in the kernel). A module that has them returns its
// DeviceFilter from Module::device_filter(); the handle then forwards those
// API calls to it and applies none of them in software, so a packet is
// never filtered or sampled twice. Every call returns 0 (or a count), or a
// negative PF_RING_ERROR_* code with err saying why.
class DeviceFilter {
 public:
  virtual ~DeviceFilter() = default;
  virtual int add_rule(const filtering_rule &r, std::string &err) = 0;
  virtual int remove_rule(uint16_t rule_id, std::string &err) = 0;
  // stats: in, the buffer size in *len; out, the bytes written.
  virtual int rule_stats(uint16_t rule_id, char *stats, u_int *len, std::string &err) = 0;
  virtual int hash_rule(const hash_filtering_rule &r, bool add, std::string &err) = 0;
  virtual int hash_rule_stats(const hash_filtering_rule &r, char *stats, u_int *len, std::string &err) = 0;
  virtual int purge_idle(bool hash_rules, uint16_t inactivity_sec, std::string &err) = 0;
  virtual int set_policy(bool accept, std::string &err) = 0;
  virtual int set_sampling(uint32_t rate, std::string &err) = 0;
};

class Module {
 public:
  virtual ~Module() = default;

  // Receives up to max packets into out[]. Waits up to timeout_ms (0: do
  // not wait, <0: forever) when none is ready. Returns the count (0 none),
  // PF_RING_ERROR_END_OF_FILE when a finite device is exhausted, another
  // negative code on error (the message goes to err).
  virtual int recv_burst(RawPacket *out, unsigned max, int timeout_ms, std::string &err) = 0;

  // 1 when a packet (or end of file) is ready within timeout_ms, 0 on timeout, <0 error.
  virtual int poll(int timeout_ms) { return 1; }
  // Device-level drops (the handle adds what it delivered).
  virtual uint64_t dropped() const { return 0; }
  // Module counters as a JSON object text.
  virtual std::string stats_json() const { return "{}"; }
  // Transmission; a module that cannot send keeps the defaults.
  virtual bool can_transmit() const { return false; }
  virtual int send(const uint8_t *pkt, unsigned len, bool flush, int if_index, std::string &err) {
    err = "this device cannot transmit";
    return PF_RING_ERROR_NOT_SUPPORTED;
  }
  // Transmits up to n frames with one doorbell where the device has one
  // (the ring's insert index, a NIC's tail register). Returns how many
  // were sent, in order (1..n; fewer when the device filled up or frame k
  // was refused), or a negative code (err) when not even the first went.
  // The default sends them one by one, flushing after the last.
  virtual int send_burst(const TxFrame *frames, unsigned n, int if_index, std::string &err) {
    unsigned k = 0;
    for (; k < n; k++) {
      std::string why;
      int rc = send(frames[k].data, frames[k].len, k + 1 == n, if_index, why);
      if (rc < 0) {
        if (k == 0) {
          err = why;
          return rc;
        }
        break;
      }
    }
    return static_cast<int>(k);
  }
  // As send() of one flushed frame, but never waits for room: a full TX
  // ring is PF_RING_ERROR_NO_TX_SLOT_AVAILABLE at once. Reflection inside
  // a receive uses it (a bounce must not hold up the receive; a NIC that
  // reflects drops what does not fit too). The default is send(), for
  // devices whose send does not wait.
  virtual int try_send(const uint8_t *pkt, unsigned len, int if_index, std::string &err) {
    return send(pkt, len, true, if_index, err);
  }
  // The handle's stop requests (pfring_breakloop, pfring_close): a wait
  // inside the module (for TX room) ends early once one is set.
  void watch_stop(const std::atomic<bool> *brk, const std::atomic<bool> *closing) {
    stop_brk_ = brk;
    stop_closing_ = closing;
  }
  // A device that ends by itself (a capture file, the in-process sim:
  // NIC): a DNA cluster master never drops packets of it, it waits.
  virtual bool finite() const { return false; }
  // The DNA cluster slave behind dnacluster:ID@K (pfring_*_pkt_buff), or
  // nullptr for every other module.
  virtual zero::ClusterSlave *cluster_slave() { return nullptr; }
  // Buffers this module lends (ZeroCopy above), or nullptr when it does not.
  virtual ZeroCopy *zero_copy() { return nullptr; }
  virtual PoolReceiver *pool_receiver() { return nullptr; }
  virtual int num_rx_channels() const { return 1; }
  virtual int selectable_fd() const { return -1; }
  virtual int bound_device_address(uint8_t mac[6]) const { return PF_RING_ERROR_NOT_SUPPORTED; }
  virtual int bound_device_id(int *id) const { return PF_RING_ERROR_NOT_SUPPORTED; }
  virtual int enable() { return 0; }
  virtual int disable() { return 0; }
  // Device clock (ns since the epoch of the device).
  virtual int get_clock_ns(int64_t *ns) { return PF_RING_ERROR_NOT_SUPPORTED; }
  virtual int set_clock_ns(int64_t ns) { return PF_RING_ERROR_NOT_SUPPORTED; }
  virtual int adjust_clock_ns(int64_t delta) { return PF_RING_ERROR_NOT_SUPPORTED; }
  virtual int enable_hw_timestamp(bool rx, bool tx) { return PF_RING_ERROR_NOT_SUPPORTED; }
  // The device's TX timestamp of the last packet this handle sent (waits,
  // bounded, until the device has sent it). NOT_SUPPORTED: the handle
  // reads the device clock instead.
  virtual int last_tx_timestamp_ns(int64_t *ns) { return PF_RING_ERROR_NOT_SUPPORTED; }
  virtual bool has_hw_filters() const { return false; }
  // Cluster membership done by the device (kernel, PACKET_FANOUT, pfsim):
  // packets of the device are split among the members, this handle
  // receives its share. NOT_SUPPORTED when the device has no clusters.
  virtual int set_cluster(uint32_t id, cluster_type type, std::string &err) {
    err = "clusters are not supported by this device";
    return PF_RING_ERROR_NOT_SUPPORTED;
  }
  virtual int remove_from_cluster() { return PF_RING_ERROR_NOT_SUPPORTED; }
  // A BPF program the device runs before packets reach the ring (kernel
  // socket filter). The handle still filters in software when this returns
  // NOT_SUPPORTED; prog == nullptr removes it.
  virtual int set_device_bpf(const struct bpf_program *prog) { return PF_RING_ERROR_NOT_SUPPORTED; }
  // The filter as an expression, for a device that compiles it itself with
  // its live semantics (packet: compiles it as libpcap does for tcpdump -i:
  // VLAN tags in metadata). 0: attached, and the device's verdict stands
  // for every packet it marks bpf_done; NOT_SUPPORTED or another code: the
  // handle falls back to set_device_bpf with its own program.
  virtual int set_device_bpf_expr(const char *expr) { return PF_RING_ERROR_NOT_SUPPORTED; }
  // Direction selected by the device (e.g. PACKET_IGNORE_OUTGOING); the
  // handle also checks extended_hdr.rx_direction in software.
  virtual int set_direction(packet_direction dir) { return PF_RING_ERROR_NOT_SUPPORTED; }
  // send_only: the device need not queue received packets for this handle.
  virtual int set_socket_mode(socket_mode mode) { return 0; }
  virtual int add_hw_rule(const hw_filtering_rule *r) { return PF_RING_ERROR_NOT_SUPPORTED; }
  // Rules/policy/sampling done by the device, or nullptr (the handle does them).
  virtual DeviceFilter *device_filter() { return nullptr; }
  // Told to the device where it shows them (pf_ring.ko's /proc files, its
  // poll wake-up threshold); others ignore them. 0 or a negative code.
  virtual int set_application_name(const std::string &name) { return 0; }
  virtual int set_poll_watermark(uint16_t watermark) { return 0; }
  virtual int remove_hw_rule(uint16_t id) { return PF_RING_ERROR_NOT_SUPPORTED; }

 protected:
  // A stop was requested on the handle (watch_stop): end a wait now.
  bool stop_requested() const {
    return (stop_brk_ && stop_brk_->load(std::memory_order_relaxed)) ||
           (stop_closing_ && stop_closing_->load(std::memory_order_relaxed));
  }

 private:
  const std::atomic<bool> *stop_brk_ = nullptr, *stop_closing_ = nullptr;
};

// send() for a module whose send_burst() is its real transmit path: a
// burst of one; the frame's length, or send_burst's code.
inline int send_as_burst(Module &m, const uint8_t *pkt, unsigned len, std::string &err) {
  TxFrame f{pkt, len};
  int rc = m.send_burst(&f, 1, -1, err);
  return rc < 0 ? rc : static_cast<int>(len);
}

// A device a module can open, for pfring_findalldevs().
struct DeviceInfo {
  std::string name, description;
  uint8_t mac[6] = {0, 0, 0, 0, 0, 0};
  int ifindex = -1;
  int rx_channels = 1;
};

// Opens a module instance; on failure returns nullptr with *code (negative
// PF_RING_ERROR_*), errno value *errnum and a message saying which part of
// the name was wrong.
using ModuleOpen = std::unique_ptr<Module> (*)(const OpenArgs &args, int *code, int *errnum,
                                               std::string &err);
using ModuleList = void (*)(std::vector<DeviceInfo> &out);

struct ModuleInfo {
  const char *name;
  const char *description;
  ModuleOpen open;
  ModuleList list;  // may be null
};

// The registry (registry.cpp). find_module returns nullptr for unknown names.
const ModuleInfo *find_module(const std::string &name);
const std::vector<const ModuleInfo *> &all_modules();
// Module used for a name without "module:" prefix.
const ModuleInfo *default_module();

}  // namespace pfr
