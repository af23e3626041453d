// packet_module.cpp - "packet:DEV[@Q]" (and plain "DEV" when pf_ring.ko is
// not loaded): a Linux network interface through an AF_PACKET socket with
// a TPACKET_V3 receive ring (DESIGN.md decision 3).
//
// Ring: blocks of at least 1 MiB (a power of two that holds one frame of
// caplen bytes), kBlocks of them; the kernel fills a block and hands it
// over when it is full or kRetireMs after its first packet. recv_burst
// walks the blocks in order and gives a block back only at the start of
// the next recv_burst, so the packets it handed out stay valid until then
// (module.h). No allocation after open.
//
// What the kernel does for the handle:
//  - caplen and BPF: one socket filter (packet_module.h socket_filter),
//    the ring's libpcap program run before the copy into the ring;
//  - direction rx_only: PACKET_IGNORE_OUTGOING (tx_only stays in software);
//  - clusters: PACKET_FANOUT, group id = cluster id;
//  - queue "DEV@Q": the same socket filter keeps packets of RX queue Q.
// 802.1Q tags the kernel took out of the frame (TP_STATUS_VLAN_VALID) are
// put back in place, in the headroom PACKET_RESERVE keeps before each
// frame, so parser, rules and BPF see the frame as it was on the wire.
#include <arpa/inet.h>
#include <net/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <pcap/bpf.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "modules/packet/packet_module.h"
#include "modules/module_util.h"
#include "modules/registry_entries.h"

namespace pfr {

namespace {

constexpr unsigned kBlocks = 32;
constexpr unsigned kMinBlockSize = 1u << 20;
constexpr unsigned kFrameSize = 2048;       // tpacket_req3 bookkeeping only
constexpr unsigned kRetireMs = 10;          // tp_retire_blk_tov
constexpr unsigned kVlanRoom = 4;           // PACKET_RESERVE: room to put a tag back
constexpr uint64_t kFilterSettleNs = 10000000;  // see set_device_bpf

std::string sys_error(const std::string &what) { return what + ": " + strerror(errno); }

class PacketModule : public Module {
 public:
  ~PacketModule() override {
    if (ring_) munmap(ring_, ring_size_);
    if (fd_ >= 0) ::close(fd_);
  }

  bool open(const OpenArgs &args, int *code, int *errnum, std::string &err) {
    dev_ = args.name.device;
    caplen_ = args.caplen;
    queue_ = args.name.queue;
    if (!resolve_device(code, errnum, err)) return false;
    fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);  // protocol 0: nothing arrives before bind
    if (fd_ < 0) {
      *errnum = errno;
      if (errno == EPERM || errno == EACCES) {
        *errnum = EPERM;
        err = "capturing on " + dev_ + " needs CAP_NET_RAW (run as root)";
      } else {
        err = sys_error("cannot create an AF_PACKET socket for " + dev_);
      }
      return false;
    }
    auto fail = [&](const std::string &what) {
      *errnum = errno ? errno : EIO;
      err = sys_error(what + " on " + dev_);
      return false;
    };
    int v3 = TPACKET_V3, reserve = kVlanRoom;
    if (setsockopt(fd_, SOL_PACKET, PACKET_VERSION, &v3, sizeof(v3)) != 0) return fail("PACKET_VERSION TPACKET_V3");
    if (setsockopt(fd_, SOL_PACKET, PACKET_RESERVE, &reserve, sizeof(reserve)) != 0) return fail("PACKET_RESERVE");
    if (!map_ring()) {
      *code = PF_RING_ERROR_NOT_ENOUGH_MEMORY;
      return fail("TPACKET_V3 ring of " + std::to_string(kBlocks) + " x " + std::to_string(block_size_) + " bytes");
    }
    if (attach_filter(nullptr, false) != 0) return fail("SO_ATTACH_FILTER");
    if ((args.flags & PF_RING_PROMISC) && ifindex_ != 0) {
      struct packet_mreq mr;
      std::memset(&mr, 0, sizeof(mr));
      mr.mr_ifindex = ifindex_;
      mr.mr_type = PACKET_MR_PROMISC;
      if (setsockopt(fd_, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) != 0) return fail("promiscuous mode");
    }
    struct sockaddr_ll sll;
    std::memset(&sll, 0, sizeof(sll));
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = ifindex_;
    if (bind(fd_, reinterpret_cast<struct sockaddr *>(&sll), sizeof(sll)) != 0) {
      if (errno == ENODEV) *code = PF_RING_ERROR_UNKNOWN_ADAPTER;
      return fail("bind");
    }
    return true;
  }

  int recv_burst(RawPacket *out, unsigned max, int timeout_ms, std::string &err) override {
    give_back_read_blocks();
    return take_or_wait(
        out, max, timeout_ms, err, [this](RawPacket *o, unsigned m) { return take(o, m); },
        [this](int ms, std::string &e) { return wait(ms, e); });
  }

  int poll(int timeout_ms) override {
    return ready_or_wait(
        timeout_ms, [this] { return ready(); }, [this](int ms, std::string &e) { return wait(ms, e); });
  }

  uint64_t dropped() const override {
    refresh_stats();
    return kernel_drops_.load();
  }

  std::string stats_json() const override {
    refresh_stats();
    return "{\"interface\":\"" + dev_ + "\",\"ifindex\":" + std::to_string(ifindex_) +
           ",\"queue\":" + std::to_string(queue_) + ",\"blocks\":" + std::to_string(kBlocks) +
           ",\"block_size\":" + std::to_string(block_size_) +
           ",\"kernel_packets\":" + std::to_string(kernel_packets_.load()) +
           ",\"kernel_drops\":" + std::to_string(kernel_drops_.load()) +
           ",\"freeze_q_cnt\":" + std::to_string(kernel_freezes_.load()) +
           ",\"vlan_reinserted\":" + std::to_string(vlan_reinserted_) +
           ",\"not_ethernet\":" + std::to_string(not_ethernet_) +
           ",\"fanout_group\":" + std::to_string(fanout_group_) + "}";
  }

  bool can_transmit() const override { return true; }

  int send(const uint8_t *pkt, unsigned len, bool /*flush: sendto is immediate*/, int if_index,
           std::string &err) override {
    if (len < ETH_HLEN) {
      err = "frame of " + std::to_string(len) + " bytes is shorter than an Ethernet header";
      return PF_RING_ERROR_INVALID_ARGUMENT;
    }
    int target = if_index >= 0 ? if_index : ifindex_;
    if (target == 0) {
      err = "device 'any' sends only with pfring_send_ifindex (no interface is bound)";
      return PF_RING_ERROR_INVALID_ARGUMENT;
    }
    struct sockaddr_ll to;
    std::memset(&to, 0, sizeof(to));
    to.sll_family = AF_PACKET;
    to.sll_ifindex = target;
    to.sll_halen = ETH_ALEN;
    std::memcpy(to.sll_addr, pkt, ETH_ALEN);
    for (;;) {
      ssize_t rc = sendto(fd_, pkt, len, 0, reinterpret_cast<struct sockaddr *>(&to), sizeof(to));
      if (rc >= 0) return static_cast<int>(rc);
      if (errno == EINTR) continue;
      if (errno == ENOBUFS || errno == EAGAIN) {
        err = "no room in the transmit queue of " + dev_;
        return PF_RING_ERROR_NO_TX_SLOT_AVAILABLE;
      }
      err = sys_error("cannot send " + std::to_string(len) + " bytes on interface index " + std::to_string(target));
      return errno == EMSGSIZE ? PF_RING_ERROR_INVALID_ARGUMENT : PF_RING_ERROR_GENERIC;
    }
  }

  int num_rx_channels() const override { return ifindex_ == 0 ? 1 : packet::rx_queue_count(dev_); }
  int selectable_fd() const override { return fd_; }

  int bound_device_address(uint8_t mac[6]) const override {
    if (ifindex_ == 0 || !packet::device_hw_address(dev_, mac, nullptr)) return PF_RING_ERROR_NOT_SUPPORTED;
    return 0;
  }

  int bound_device_id(int *id) const override {
    *id = ifindex_;
    return 0;
  }

  int set_cluster(uint32_t id, cluster_type type, std::string &err) override {
    int group = packet::fanout_group(id);
    if (group < 0) {
      err = "cluster id " + std::to_string(id) + " is too large: AF_PACKET fanout group ids are 16 bits (0..65535)";
      return PF_RING_ERROR_INVALID_ARGUMENT;
    }
    int mode = packet::fanout_mode(type, err);
    if (mode < 0) return PF_RING_ERROR_NOT_SUPPORTED;
    if (fanout_group_ >= 0) {
      err = "this ring is in cluster " + std::to_string(fanout_group_) +
            " already; AF_PACKET leaves a fanout group only when the socket closes";
      return PF_RING_ERROR_INVALID_STATUS;
    }
    int arg = group | (mode << 16);
    if (setsockopt(fd_, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) != 0) {
      err = sys_error("PACKET_FANOUT group " + std::to_string(group) + " on " + dev_) +
            (errno == EINVAL ? " (the group exists with another cluster type or on another device)" : "");
      return errno == EINVAL ? PF_RING_ERROR_INVALID_ARGUMENT : PF_RING_ERROR_GENERIC;
    }
    fanout_group_ = group;
    return 0;
  }

  // AF_PACKET has no "leave fanout group"; membership ends with pfring_close.
  int remove_from_cluster() override { return PF_RING_ERROR_NOT_SUPPORTED; }

  // The kernel filter replaces the previous one at once, but packets it
  // filtered are still in the ring. They are told apart by time: a packet
  // stamped before filter_from_ns_ may have passed the old program and is
  // checked again in software (bpf_done = 0). The margin covers a packet
  // filtered on another CPU just before the switch and stamped just after.
  int set_device_bpf(const struct bpf_program *prog) override {
    std::vector<packet::FilterInsn> user;
    if (prog) {
      user.reserve(prog->bf_len);
      for (unsigned i = 0; i < prog->bf_len; i++) {
        const struct bpf_insn &x = prog->bf_insns[i];
        user.push_back(packet::FilterInsn{x.code, x.jt, x.jf, x.k});
      }
    }
    return use_filter(prog ? &user : nullptr, false);
  }

  // The expression compiled for the live device (packet_live_bpf.cpp):
  // tagged frames are judged as tcpdump -i judges them, by the kernel.
  int set_device_bpf_expr(const char *expr) override {
    std::vector<packet::FilterInsn> user;
    std::string why;
    if (!expr || !packet::compile_live_filter(dev_, caplen_, expr, user, why)) return PF_RING_ERROR_NOT_SUPPORTED;
    return use_filter(&user, true);
  }

  int set_direction(packet_direction dir) override {
    int ignore = dir == rx_only_direction ? 1 : 0;
    if (setsockopt(fd_, SOL_PACKET, PACKET_IGNORE_OUTGOING, &ignore, sizeof(ignore)) != 0)
      return ignore ? PF_RING_ERROR_NOT_SUPPORTED : 0;  // old kernel: the handle filters
    return 0;
  }

 private:
  bool resolve_device(int *code, int *errnum, std::string &err) {
    if (dev_ == "any") {
      ifindex_ = 0;
      if (queue_ >= 0) {
        *code = PF_RING_ERROR_INVALID_ARGUMENT;
        *errnum = EINVAL;
        err = "device 'any' has no RX queues; drop '@" + std::to_string(queue_) + "'";
        return false;
      }
      return true;
    }
    unsigned idx = dev_.size() < IFNAMSIZ ? if_nametoindex(dev_.c_str()) : 0;
    if (idx == 0) {
      *code = PF_RING_ERROR_UNKNOWN_ADAPTER;
      *errnum = ENODEV;
      err = "no network interface named '" + dev_ + "' (see 'ip link' in this network namespace)";
      return false;
    }
    ifindex_ = static_cast<int>(idx);
    uint8_t mac[6];
    int hatype = -1;
    if (packet::device_hw_address(dev_, mac, &hatype) && hatype != ARPHRD_ETHER && hatype != ARPHRD_LOOPBACK) {
      *code = PF_RING_ERROR_NOT_SUPPORTED;
      *errnum = EOPNOTSUPP;
      err = "interface '" + dev_ + "' has link type " + std::to_string(hatype) + " (ARPHRD); only Ethernet is supported";
      return false;
    }
    queue_absent_ = queue_ >= packet::rx_queue_count(dev_);
    return true;
  }

  bool map_ring() {
    uint32_t frame = TPACKET_ALIGN(TPACKET3_HDRLEN) + kVlanRoom + caplen_ + 64;
    block_size_ = kMinBlockSize;
    while (block_size_ < frame) block_size_ <<= 1;
    struct tpacket_req3 req;
    std::memset(&req, 0, sizeof(req));
    req.tp_block_size = block_size_;
    req.tp_block_nr = kBlocks;
    req.tp_frame_size = kFrameSize;
    req.tp_frame_nr = kBlocks * (block_size_ / kFrameSize);
    req.tp_retire_blk_tov = kRetireMs;
    req.tp_feature_req_word = TP_FT_REQ_FILL_RXHASH;
    if (setsockopt(fd_, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) != 0) return false;
    ring_size_ = static_cast<size_t>(block_size_) * kBlocks;
    void *m = mmap(nullptr, ring_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED, fd_, 0);
    if (m == MAP_FAILED) m = mmap(nullptr, ring_size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    if (m == MAP_FAILED) return false;
    ring_ = static_cast<uint8_t *>(m);
    return true;
  }

  // Attaches user (nullptr: none); live: compiled for the live device, so
  // the kernel's verdict covers tagged frames too.
  int use_filter(const std::vector<packet::FilterInsn> *user, bool live) {
    if (attach_filter(user, live) != 0) {
      attach_filter(nullptr, false);
      user_filter_ = live_filter_ = false;
      return PF_RING_ERROR_GENERIC;
    }
    user_filter_ = user != nullptr;
    live_filter_ = user != nullptr && live;
    filter_from_ns_ = realtime_ns() + kFilterSettleNs;
    return 0;
  }

  int attach_filter(const std::vector<packet::FilterInsn> *user, bool live) {
    std::vector<packet::FilterInsn> prog = packet::socket_filter(queue_, queue_absent_, caplen_, user, !live);
    if (prog.empty()) {
      errno = E2BIG;
      return -1;
    }
    return packet::attach_socket_filter(fd_, prog);
  }

  struct tpacket_block_desc *block(unsigned i) const {
    return reinterpret_cast<struct tpacket_block_desc *>(ring_ + static_cast<size_t>(i) * block_size_);
  }

  bool block_is_ours(unsigned i) const {
    return __atomic_load_n(&block(i)->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER;
  }

  bool ready() const { return left_in_block_ > 0 || block_is_ours(cur_); }

  // Blocks read to the end in earlier bursts go back to the kernel now
  // that the handle is done with their packets.
  void give_back_read_blocks() {
    for (; read_blocks_ > 0; read_blocks_--) {
      unsigned i = (cur_ + kBlocks - read_blocks_) % kBlocks;
      __atomic_store_n(&block(i)->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
    }
  }

  void finish_block() {
    left_in_block_ = 0;
    read_blocks_++;
    cur_ = (cur_ + 1) % kBlocks;
  }

  unsigned take(RawPacket *out, unsigned max) {
    unsigned n = 0;
    // read_blocks_ < kBlocks: a block is not reopened before it went back.
    while (n < max) {
      if (left_in_block_ == 0) {
        if (read_blocks_ >= kBlocks || !block_is_ours(cur_)) break;
        struct tpacket_block_desc *b = block(cur_);
        left_in_block_ = b->hdr.bh1.num_pkts;
        next_ = reinterpret_cast<uint8_t *>(b) + b->hdr.bh1.offset_to_first_pkt;
        if (left_in_block_ == 0) {
          finish_block();
          continue;
        }
      }
      auto *h = reinterpret_cast<struct tpacket3_hdr *>(next_);
      next_ += h->tp_next_offset;
      if (--left_in_block_ == 0) finish_block();
      if (fill(out[n], h)) n++;
    }
    return n;
  }

  bool fill(RawPacket &p, struct tpacket3_hdr *h) {
    auto *sll = reinterpret_cast<const struct sockaddr_ll *>(reinterpret_cast<uint8_t *>(h) +
                                                             TPACKET_ALIGN(sizeof(struct tpacket3_hdr)));
    if (sll->sll_hatype != ARPHRD_ETHER && sll->sll_hatype != ARPHRD_LOOPBACK) {
      not_ethernet_++;  // "any": a device without an Ethernet header (tun, ...)
      return false;
    }
    uint8_t *data = reinterpret_cast<uint8_t *>(h) + h->tp_mac;
    uint32_t caplen = h->tp_snaplen, len = h->tp_len;
    uint64_t ns = static_cast<uint64_t>(h->tp_sec) * 1000000000ull + h->tp_nsec;
    bool tag = (h->tp_status & TP_STATUS_VLAN_VALID) && caplen >= 2 * ETH_ALEN &&
               h->tp_mac >= TPACKET3_HDRLEN + kVlanRoom;
    if (tag) {
      uint16_t tpid = (h->tp_status & TP_STATUS_VLAN_TPID_VALID) && h->hv1.tp_vlan_tpid ? h->hv1.tp_vlan_tpid
                                                                                       : ETH_P_8021Q;
      std::memmove(data - kVlanRoom, data, 2 * ETH_ALEN);
      data -= kVlanRoom;
      uint16_t be[2] = {htons(tpid), htons(static_cast<uint16_t>(h->hv1.tp_vlan_tci))};
      std::memcpy(data + 2 * ETH_ALEN, be, sizeof(be));
      caplen += kVlanRoom;
      len += kVlanRoom;
      vlan_reinserted_++;
    }
    fill_rx_packet(p, data, caplen, len, ns);
    auto &ext = p.hdr.extended_hdr;
    ext.rx_direction = sll->sll_pkttype == PACKET_OUTGOING ? 0 : 1;
    ext.if_index = sll->sll_ifindex;
    ext.pkt_hash = h->hv1.tp_rxhash;
    // The kernel ran the ring's program on this frame and its verdict
    // stands: the packet came after the program was in place, and either
    // no tag was put back or the program was compiled for the live device
    // (tag in metadata, as tcpdump -i).
    p.bpf_done = user_filter_ && (live_filter_ || !tag) && ns >= filter_from_ns_;
    return true;
  }

  // Waits for a block; 1 ready, 0 timeout, negative on a socket error.
  int wait(int timeout_ms, std::string &err) {
    struct pollfd pfd = {fd_, POLLIN, 0};
    int rc = ::poll(&pfd, 1, timeout_ms < 0 ? -1 : timeout_ms);
    if (rc < 0) return errno == EINTR ? 0 : (err = sys_error("poll on " + dev_), PF_RING_ERROR_GENERIC);
    if (rc == 0) return 0;
    if (pfd.revents & (POLLERR | POLLNVAL)) {
      int so = 0;
      socklen_t l = sizeof(so);
      getsockopt(fd_, SOL_SOCKET, SO_ERROR, &so, &l);
      if (so == 0 && (pfd.revents & POLLIN)) return 1;
      err = "capture on " + dev_ + " failed: " + strerror(so ? so : EIO) +
            (so == ENETDOWN || so == ENODEV ? " (the interface went down or away)" : "");
      return PF_RING_ERROR_GENERIC;
    }
    return 1;
  }

  // PACKET_STATISTICS resets the kernel counters: add them up here.
  void refresh_stats() const {
    struct tpacket_stats_v3 st;
    socklen_t l = sizeof(st);
    std::memset(&st, 0, sizeof(st));
    if (getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &st, &l) != 0) return;
    kernel_packets_ += st.tp_packets;  // tp_packets includes tp_drops
    kernel_drops_ += st.tp_drops;
    kernel_freezes_ += st.tp_freeze_q_cnt;
  }

  std::string dev_;
  uint32_t caplen_ = 0;
  int queue_ = -1;
  bool queue_absent_ = false;
  int ifindex_ = 0;
  int fd_ = -1;
  uint8_t *ring_ = nullptr;
  size_t ring_size_ = 0;
  uint32_t block_size_ = 0;
  unsigned cur_ = 0;            // block read now (or next to open)
  unsigned left_in_block_ = 0;  // its packets not yet taken
  unsigned read_blocks_ = 0;    // blocks before cur_ read to the end, not given back
  uint8_t *next_ = nullptr;
  bool user_filter_ = false, live_filter_ = false;
  uint64_t filter_from_ns_ = 0;
  int fanout_group_ = -1;
  uint64_t vlan_reinserted_ = 0, not_ethernet_ = 0;
  mutable std::atomic<uint64_t> kernel_packets_{0}, kernel_drops_{0}, kernel_freezes_{0};
};

std::unique_ptr<Module> open_packet(const OpenArgs &args, int *code, int *errnum, std::string &err) {
  auto m = std::make_unique<PacketModule>();
  if (!m->open(args, code, errnum, err)) return nullptr;
  return m;
}

}  // namespace

const ModuleInfo kPacketModule = {"packet", "Linux network interfaces through AF_PACKET (TPACKET_V3)", open_packet,
                                  packet::list_devices};

}  // namespace pfr
