// pf_ring_ko_client.cpp - libpfring's client of pf_ring.ko: the
// "kernel:DEV[@Q]" module (and plain "DEV" while pf_ring.ko is loaded), a
// network interface through pf_ring.ko's PF_RING socket
// (DESIGN.md decision 3; the ABI is src/core/pf_ring_kabi.h, the ring
// src/core/ring.h, docs/kernel.md tells the whole story).
//
// What pf_ring.ko does for the handle, so the handle does not do it again:
//  - wildcard/hash rules, their actions (reflect/bounce, plugins), the
//    default policy and sampling: the DeviceFilter below forwards the API
//    calls to the kernel;
//  - BPF: the libpcap program attached to the socket (SO_ATTACH_FILTER);
//  - direction, clusters across processes, queue "DEV@Q" (channel mask),
//    the poll watermark and the application name shown in /proc.
// The ring captures from pfring_enable_ring() on (or the first receive
// call of an application that never calls it), as guide 8.14 says.
// The ring is mapped once; recv_burst hands out slots in place and gives
// them back at the next recv_burst (module.h). No allocation after open.
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <pcap/bpf.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "modules/kernel/pf_ring_ko_client.h"
#include "modules/packet/packet_module.h"
#include "modules/module_util.h"
#include "modules/registry_entries.h"

extern "C" {
#include "pf_ring_kabi.h"
#include "ring.h"
}

namespace pfr {

namespace {

constexpr uint64_t kFilterSettleNs = 10000000;  // see set_device_bpf

std::string errno_text(int e) { return std::string(strerror(e)); }

class KernelModule : public Module, public DeviceFilter {
 public:
  ~KernelModule() override {
    if (ring_) munmap(ring_, ring_bytes_);
    if (fd_ >= 0) ::close(fd_);
    if (promisc_fd_ >= 0) ::close(promisc_fd_);
  }

  bool open(const OpenArgs &args, int *code, int *errnum, std::string &err) {
    dev_ = args.name.device;
    queue_ = args.name.queue;
    auto fail = [&](int c, int e, const std::string &msg) {
      *code = c;
      *errnum = e;
      err = msg;
      return false;
    };
    if (dev_.size() >= PFR_DEVNAME_LEN)
      return fail(PF_RING_ERROR_INVALID_ARGUMENT, EINVAL,
                  "interface name '" + dev_ + "' is longer than " + std::to_string(PFR_DEVNAME_LEN - 1) + " bytes");
    if (dev_ == PFR_ANY_DEVICE && queue_ >= 0)
      return fail(PF_RING_ERROR_INVALID_ARGUMENT, EINVAL,
                  "device 'any' has no RX queues; drop '@" + std::to_string(queue_) + "'");
    if (queue_ >= 64)
      return fail(PF_RING_ERROR_INVALID_ARGUMENT, EINVAL,
                  "queue " + std::to_string(queue_) + ": pf_ring.ko binds queues 0..63");
    int family = kernel::pf_ring_family();
    fd_ = socket(family, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (fd_ < 0) {
      int e = errno;
      std::string why = kernel::socket_error(e, family, dev_);
      return fail(e == EPERM || e == EACCES ? PF_RING_ERROR_INVALID_STATUS : PF_RING_ERROR_NOT_SUPPORTED, e, why);
    }
    uint32_t version = 0;
    socklen_t vlen = sizeof(version);
    if (getsockopt(fd_, PFR_SOL, PFR_SO_GET_RING_VERSION, &version, &vlen) != 0)
      return fail(PF_RING_ERROR_INVALID_LIB_VERSION, errno,
                  "protocol family " + std::to_string(family) + " does not answer PF_RING's version query (" +
                      errno_text(errno) + "): is the loaded module pf_ring.ko of this project?");
    if (std::string why = kernel::version_mismatch(version); !why.empty())
      return fail(PF_RING_ERROR_INVALID_LIB_VERSION, EPROTO, why);
    uint32_t bucket = args.caplen;
    if (setsockopt(fd_, PFR_SOL, PFR_SO_RING_BUCKET_LEN, &bucket, sizeof(bucket)) != 0)
      return fail(PF_RING_ERROR_INVALID_ARGUMENT, errno,
                  "pf_ring.ko refused caplen " + std::to_string(bucket) + ": " + errno_text(errno));
    struct pfr_sockaddr sa;
    std::memset(&sa, 0, sizeof(sa));
    sa.family = static_cast<u_int16_t>(family);
    std::memcpy(sa.dev, dev_.data(), dev_.size());
    if (bind(fd_, reinterpret_cast<struct sockaddr *>(&sa), sizeof(sa)) != 0) {
      int e = errno;
      if (e == ENODEV)
        return fail(PF_RING_ERROR_UNKNOWN_ADAPTER, e,
                    "no network interface named '" + dev_ + "' (see 'ip link' in this network namespace)");
      if (e == EBUSY)
        return fail(PF_RING_ERROR_INVALID_STATUS, e,
                    "'" + dev_ + "' has a PF_RING socket already and pf_ring.ko runs with quick_mode=1");
      return fail(PF_RING_ERROR_GENERIC, e, "bind to '" + dev_ + "': " + errno_text(e));
    }
    ifindex_ = dev_ == PFR_ANY_DEVICE ? 0 : static_cast<int>(if_nametoindex(dev_.c_str()));
    if (queue_ >= 0) {
      uint64_t mask = 1ull << queue_;
      if (setsockopt(fd_, PFR_SOL, PFR_SO_SET_CHANNEL_MASK, &mask, sizeof(mask)) != 0)
        return fail(PF_RING_ERROR_NOT_SUPPORTED, errno,
                    "pf_ring.ko cannot bind RX queue " + std::to_string(queue_) + " of '" + dev_ +
                        "': " + errno_text(errno));
    }
    if ((args.flags & PF_RING_PROMISC) && dev_ != PFR_ANY_DEVICE && !set_promisc(err)) {
      *code = PF_RING_ERROR_GENERIC;
      *errnum = errno;
      return false;
    }
    return map_ring(code, errnum, err);
  }

  int recv_burst(RawPacket *out, unsigned max, int timeout_ms, std::string &err) override {
    release_held();
    if (!implicit_enable(err)) return PF_RING_ERROR_GENERIC;
    return take_or_wait(
        out, max, timeout_ms, err, [this](RawPacket *o, unsigned m) { return take(o, m); },
        [this](int ms, std::string &e) { return wait(ms, e); });
  }

  int poll(int timeout_ms) override {
    std::string err;
    if (!implicit_enable(err)) return PF_RING_ERROR_GENERIC;
    return ready_or_wait(
        timeout_ms, [this] { return pfc_ring_consumer_count(&cons_) - held_ >= watermark_; },
        [this](int ms, std::string &e) { return wait(ms, e); });
  }

  uint64_t dropped() const override {
    struct pfr_stats st;
    return read_stats(&st) ? st.drop : 0;
  }

  std::string stats_json() const override {
    struct pfr_stats st;
    std::memset(&st, 0, sizeof(st));
    read_stats(&st);
    return "{\"interface\":\"" + dev_ + "\",\"queue\":" + std::to_string(queue_) +
           ",\"slots\":" + std::to_string(cons_.num_slots) + ",\"slot_size\":" + std::to_string(cons_.slot_size) +
           ",\"kernel_recv\":" + std::to_string(st.recv) + ",\"kernel_drop\":" + std::to_string(st.drop) +
           ",\"kernel_filtered\":" + std::to_string(st.filtered) +
           ",\"kernel_sampled_out\":" + std::to_string(st.sampled_out) +
           ",\"kernel_reflected\":" + std::to_string(st.reflected) + "}";
  }

  bool can_transmit() const override { return dev_ != PFR_ANY_DEVICE; }

  int send(const uint8_t *pkt, unsigned len, bool, int if_index, std::string &err) override {
    if (if_index >= 0 && if_index != ifindex_) {
      err = "pf_ring.ko sends on the bound device '" + dev_ + "' only, not interface index " + std::to_string(if_index);
      return PF_RING_ERROR_NOT_SUPPORTED;
    }
    for (;;) {
      ssize_t rc = ::send(fd_, pkt, len, 0);
      if (rc >= 0) return static_cast<int>(rc);
      int e = errno;
      if (e == EINTR) continue;
      return kernel::send_error(e, len, dev_, err);
    }
  }

  int num_rx_channels() const override {
    uint32_t n = 0;
    socklen_t len = sizeof(n);
    if (getsockopt(fd_, PFR_SOL, PFR_SO_GET_NUM_RX_CHANNELS, &n, &len) == 0 && n > 0) return static_cast<int>(n);
    return dev_ == PFR_ANY_DEVICE ? 1 : packet::rx_queue_count(dev_);
  }

  int selectable_fd() const override { return fd_; }

  int bound_device_address(uint8_t mac[6]) const override {
    socklen_t len = 6;
    if (getsockopt(fd_, PFR_SOL, PFR_SO_GET_BOUND_DEVICE_ADDRESS, mac, &len) != 0) return PF_RING_ERROR_NOT_SUPPORTED;
    return 0;
  }

  int bound_device_id(int *id) const override {
    *id = ifindex_;
    return 0;
  }

  int enable() override {
    enabled_ = true;
    told_ = true;
    return activate(mode_ != send_only_mode) ? 0 : PF_RING_ERROR_GENERIC;
  }

  int disable() override {
    enabled_ = false;
    told_ = true;
    return activate(false) ? 0 : PF_RING_ERROR_GENERIC;
  }

  int set_socket_mode(socket_mode mode) override {
    mode_ = mode;
    return activate(enabled_ && mode != send_only_mode) ? 0 : PF_RING_ERROR_GENERIC;
  }

  int set_cluster(uint32_t id, cluster_type type, std::string &err) override {
    struct pfr_cluster_req req = {id, static_cast<u_int32_t>(type)};
    if (setsockopt(fd_, PFR_SOL, PFR_SO_ADD_TO_CLUSTER, &req, sizeof(req)) == 0) return 0;
    int e = errno;
    if (e == EINVAL)
      err = "cluster " + std::to_string(id) + " exists with another cluster type, or this ring is in a cluster already";
    else if (e == ENOSPC || e == EBUSY)
      err = "cluster " + std::to_string(id) + " has " + std::to_string(PFR_CLUSTER_MAX_MEMBERS) + " members already";
    else
      err = "pf_ring.ko refused cluster " + std::to_string(id) + ": " + errno_text(e);
    return e == EINVAL ? PF_RING_ERROR_INVALID_ARGUMENT : PF_RING_ERROR_GENERIC;
  }

  int remove_from_cluster() override {
    return setsockopt(fd_, PFR_SOL, PFR_SO_REMOVE_FROM_CLUSTER, nullptr, 0) == 0 ? 0 : PF_RING_ERROR_GENERIC;
  }

  // The kernel filter replaces the previous one at once, but packets the
  // old one let through may still be in the ring: packets stamped before
  // filter_from_ns_ are checked again in software (bpf_done = 0), as in the
  // packet module.
  int set_device_bpf(const struct bpf_program *prog) override {
    if (!prog) {
      user_filter_ = false;
      return detach_filter() ? 0 : PF_RING_ERROR_GENERIC;
    }
    struct sock_fprog fp;
    fp.len = static_cast<unsigned short>(prog->bf_len);
    fp.filter = reinterpret_cast<struct sock_filter *>(prog->bf_insns);
    if (prog->bf_len > BPF_MAXINSNS || setsockopt(fd_, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)) != 0) {
      detach_filter();
      user_filter_ = false;
      return PF_RING_ERROR_GENERIC;
    }
    user_filter_ = true;
    filter_from_ns_ = realtime_ns() + kFilterSettleNs;
    return 0;
  }

  int set_direction(packet_direction dir) override {
    u_int32_t d = static_cast<u_int32_t>(dir);
    return setsockopt(fd_, PFR_SOL, PFR_SO_SET_PACKET_DIRECTION, &d, sizeof(d)) == 0 ? 0 : PF_RING_ERROR_GENERIC;
  }

  DeviceFilter *device_filter() override { return this; }

  int set_application_name(const std::string &name) override {
    std::string n = name.substr(0, PFR_APPL_NAME_LEN - 1);
    return setsockopt(fd_, PFR_SOL, PFR_SO_SET_APPL_NAME, n.data(), static_cast<socklen_t>(n.size())) == 0
               ? 0
               : PF_RING_ERROR_INVALID_ARGUMENT;
  }

  int set_poll_watermark(uint16_t watermark) override {
    u_int32_t w = watermark;
    if (w > cons_.num_slots) w = cons_.num_slots;
    if (setsockopt(fd_, PFR_SOL, PFR_SO_SET_POLL_WATERMARK, &w, sizeof(w)) != 0) return PF_RING_ERROR_INVALID_ARGUMENT;
    watermark_ = w;
    return 0;
  }

  // DeviceFilter: pf_ring.ko evaluates rules, policy and sampling.
  int add_rule(const filtering_rule &r, std::string &err) override {
    if (setsockopt(fd_, PFR_SOL, PFR_SO_ADD_FILTERING_RULE, &r, sizeof(r)) == 0) return 0;
    return kernel::rule_error(errno, "rule " + std::to_string(r.rule_id), err);
  }

  int remove_rule(uint16_t rule_id, std::string &err) override {
    if (setsockopt(fd_, PFR_SOL, PFR_SO_REMOVE_FILTERING_RULE, &rule_id, sizeof(rule_id)) == 0) return 0;
    return kernel::rule_error(errno, "rule " + std::to_string(rule_id), err);
  }

  int rule_stats(uint16_t rule_id, char *stats, u_int *len, std::string &err) override {
    if (*len < sizeof(rule_id)) {
      err = "stats buffer too small";
      return PF_RING_ERROR_INVALID_ARGUMENT;
    }
    std::memcpy(stats, &rule_id, sizeof(rule_id));
    socklen_t l = *len;
    if (getsockopt(fd_, PFR_SOL, PFR_SO_GET_FILTERING_RULE_STATS, stats, &l) != 0)
      return kernel::rule_error(errno, "rule " + std::to_string(rule_id), err);
    *len = l;
    return 0;
  }

  int hash_rule(const hash_filtering_rule &r, bool add, std::string &err) override {
    int opt = add ? PFR_SO_ADD_HASH_RULE : PFR_SO_REMOVE_HASH_RULE;
    if (setsockopt(fd_, PFR_SOL, opt, &r, sizeof(r)) == 0) return 0;
    return kernel::rule_error(errno, "hash rule", err);
  }

  // The option reads the rule from and writes the statistics to one
  // buffer, which must hold the rule: a local one, copied out after.
  int hash_rule_stats(const hash_filtering_rule &r, char *stats, u_int *len, std::string &err) override {
    alignas(8) char buf[sizeof(hash_filtering_rule) > PFR_RULE_STATS_MAX ? sizeof(hash_filtering_rule)
                                                                          : PFR_RULE_STATS_MAX];
    std::memcpy(buf, &r, sizeof(r));
    socklen_t l = sizeof(buf);
    if (getsockopt(fd_, PFR_SOL, PFR_SO_GET_HASH_FILTERING_RULE_STATS, buf, &l) != 0)
      return kernel::rule_error(errno, "hash rule", err);
    if (l > *len) {
      err = "stats buffer too small: need " + std::to_string(l) + " bytes";
      return PF_RING_ERROR_INVALID_ARGUMENT;
    }
    std::memcpy(stats, buf, l);
    *len = l;
    return 0;
  }

  int purge_idle(bool hash_rules, uint16_t inactivity_sec, std::string &err) override {
    int opt = hash_rules ? PFR_SO_PURGE_IDLE_HASH_RULES : PFR_SO_PURGE_IDLE_RULES;
    if (setsockopt(fd_, PFR_SOL, opt, &inactivity_sec, sizeof(inactivity_sec)) == 0) return 0;
    return kernel::rule_error(errno, hash_rules ? "idle hash rules" : "idle rules", err);
  }

  int set_policy(bool accept, std::string &err) override {
    u_int32_t v = accept ? 1 : 0;
    if (setsockopt(fd_, PFR_SOL, PFR_SO_TOGGLE_FILTER_POLICY, &v, sizeof(v)) == 0) return 0;
    return kernel::rule_error(errno, "the default policy", err);
  }

  int set_sampling(uint32_t rate, std::string &err) override {
    if (setsockopt(fd_, PFR_SOL, PFR_SO_SET_SAMPLING_RATE, &rate, sizeof(rate)) == 0) return 0;
    return kernel::rule_error(errno, "sampling rate " + std::to_string(rate), err);
  }

 private:
  bool map_ring(int *code, int *errnum, std::string &err) {
    struct pfr_ring_info info;
    socklen_t len = sizeof(info);
    if (getsockopt(fd_, PFR_SOL, PFR_SO_GET_RING_INFO, &info, &len) != 0) {
      *code = errno == ENOMEM ? PF_RING_ERROR_NOT_ENOUGH_MEMORY : PF_RING_ERROR_GENERIC;
      *errnum = errno;
      err = "pf_ring.ko could not make the ring: " + errno_text(errno);
      return false;
    }
    void *p = mmap(nullptr, info.total_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    if (p == MAP_FAILED) {
      *code = PF_RING_ERROR_NOT_ENOUGH_MEMORY;
      *errnum = errno;
      err = "cannot map the ring of " + std::to_string(info.total_bytes) + " bytes: " + errno_text(errno);
      return false;
    }
    ring_ = static_cast<struct pfc_ring_hdr *>(p);
    ring_bytes_ = info.total_bytes;
    u_int32_t found = 0;
    int rc = pfc_ring_check(ring_, ring_bytes_, &found);
    if (rc == 0) rc = pfc_ring_consumer_attach(&cons_, ring_, ring_bytes_);
    if (rc != 0) {
      *code = PF_RING_ERROR_INVALID_LIB_VERSION;
      *errnum = EPROTO;
      err = rc == -PFC_RING_EVERSION ? kernel::version_mismatch(found)
                                     : "the ring pf_ring.ko mapped is not a valid ring (" +
                                           std::string(rc == -PFC_RING_EMAGIC ? "magic" : "geometry") + ")";
      return false;
    }
    return true;
  }

  // Promiscuous mode through an AF_PACKET membership: the kernel counts
  // it, and closing the socket drops it even when the process dies.
  bool set_promisc(std::string &err) {
    unsigned idx = if_nametoindex(dev_.c_str());
    promisc_fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (idx == 0 || promisc_fd_ < 0) {
      err = "cannot set '" + dev_ + "' promiscuous: " + errno_text(errno);
      return false;
    }
    struct packet_mreq mr;
    std::memset(&mr, 0, sizeof(mr));
    mr.mr_ifindex = static_cast<int>(idx);
    mr.mr_type = PACKET_MR_PROMISC;
    if (setsockopt(promisc_fd_, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) != 0) {
      err = "cannot set '" + dev_ + "' promiscuous: " + errno_text(errno);
      return false;
    }
    return true;
  }

  // SO_DETACH_FILTER; the socket layer wants an int-sized (ignored) value.
  bool detach_filter() {
    int unused = 0;
    return setsockopt(fd_, SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof(unused)) == 0 || errno == ENOENT;
  }

  // The guide (8.14): a ring drops packets until pfring_enable_ring(), so
  // filters and clusters set up after open apply to every packet it gets.
  // An application that never enables or disables it (every other module
  // delivers without pfring_enable_ring) is enabled by its first receive.
  bool implicit_enable(std::string &err) {
    if (told_) return true;
    told_ = true;
    if (activate(mode_ != send_only_mode)) return true;
    err = "cannot activate the ring of '" + dev_ + "': " + errno_text(errno);
    return false;
  }

  bool activate(bool on) {
    if (on == active_) return true;
    if (setsockopt(fd_, PFR_SOL, on ? PFR_SO_ACTIVATE_RING : PFR_SO_DEACTIVATE_RING, nullptr, 0) != 0) return false;
    active_ = on;
    return true;
  }


  void release_held() {
    if (held_) pfc_ring_consumer_release(&cons_, held_);
    held_ = 0;
  }

  // What the kernel put in the ring (an impossible insert index, which
  // pf_ring.ko never writes, reads as an empty ring).
  unsigned take(RawPacket *out, unsigned max) {
    int got = pfc_ring_consumer_peek(&cons_, max);
    uint32_t n = got > 0 ? static_cast<uint32_t>(got) : 0;
    for (uint32_t k = 0; k < n; k++) {
      pfc_slot_hdr m;
      const uint8_t *data = pfc_slot_read(&cons_, k, &m);
      RawPacket &p = out[k];
      fill_rx_packet(p, data, m.caplen, m.len, m.timestamp_ns);
      auto &ext = p.hdr.extended_hdr;
      ext.rx_direction = m.rx_direction;
      ext.if_index = m.if_index;
      ext.pkt_hash = m.pkt_hash;
      p.bpf_done = user_filter_ && m.timestamp_ns >= filter_from_ns_;
    }
    held_ = n;
    return n;
  }

  // Waits for the kernel's wake-up (poll watermark); 1 ready, 0 timeout, <0 error.
  int wait(int timeout_ms, std::string &err) {
    struct pollfd pfd = {fd_, POLLIN, 0};
    int rc = ::poll(&pfd, 1, timeout_ms);
    if (rc < 0) {
      if (errno == EINTR) return 0;
      err = "poll on the PF_RING socket: " + errno_text(errno);
      return PF_RING_ERROR_GENERIC;
    }
    if (rc > 0 && (pfd.revents & (POLLERR | POLLHUP | POLLNVAL))) {
      err = "the PF_RING socket of '" + dev_ + "' reported an error (device gone?)";
      return PF_RING_ERROR_GENERIC;
    }
    return rc;
  }

  bool read_stats(struct pfr_stats *st) const {
    socklen_t len = sizeof(*st);
    return getsockopt(fd_, PFR_SOL, PFR_SO_GET_STATS, st, &len) == 0;
  }

  std::string dev_;
  int queue_ = -1;
  int ifindex_ = 0;  // of the bound device (resolved once at open), 0 for "any"
  int fd_ = -1;
  int promisc_fd_ = -1;
  struct pfc_ring_hdr *ring_ = nullptr;
  pfc_ring_consumer cons_{};  // geometry and remove index, copied at open
  uint64_t ring_bytes_ = 0;
  uint32_t held_ = 0;
  uint32_t watermark_ = 1;  // poll() is ready at this many queued packets
  bool active_ = false, enabled_ = true;
  bool told_ = false;  // pfring_enable_ring/pfring_disable_ring was called
  socket_mode mode_ = send_and_recv_mode;
  bool user_filter_ = false;
  uint64_t filter_from_ns_ = 0;
};

std::unique_ptr<Module> open_kernel(const OpenArgs &args, int *code, int *errnum, std::string &err) {
  auto m = std::make_unique<KernelModule>();
  if (!m->open(args, code, errnum, err)) return nullptr;
  return m;
}

// Interfaces while pf_ring.ko is loaded; nothing otherwise.
void list_kernel(std::vector<DeviceInfo> &out) {
  if (access("/proc/net/pf_ring", F_OK) != 0) return;
  size_t first = out.size();
  packet::list_devices(out);
  for (size_t i = first; i < out.size(); i++)
    out[i].description = out[i].name == PFR_ANY_DEVICE ? "pf_ring.ko: every interface of this network namespace"
                                                       : "pf_ring.ko PF_RING socket on " + out[i].name;
}

}  // namespace

const ModuleInfo kKernelModule = {"kernel", "Linux network interfaces through pf_ring.ko's PF_RING socket", open_kernel,
                                  list_kernel};

}  // namespace pfr
