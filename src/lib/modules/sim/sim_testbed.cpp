// sim_testbed.cpp - a client of a pfsim testbed: sim:NAME:NIC[@QUEUE]
// (sim/testbed_shm.h describes the shared memory and the slot protocol).
//
// The handle owns one client slot: packets arrive in its RX ring (written
// by pfsim), what it sends goes to its TX ring. Clusters, direction and
// enable are fields of the slot that pfsim reads for every packet; the
// device clock is the NIC's virtual clock plus an offset the clients share.
// When the testbed stops (or pfsim dies) a waiting receive returns an error
// naming the testbed; when the NIC's source ended with then=end, receive
// returns end of file after the last packet.
#include "modules/sim/sim_testbed.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "modules/module_util.h"
#include "shm_map.h"
#include "shm_segment.h"
#include "testbed_shm.h"

extern "C" {
#include "hwrule.h"
}

namespace pfr {

namespace tb = sim::tb;

namespace {

bool daemon_alive(const tb::TbHeader *h) { return pid_alive(h->daemon_pid); }

class TestbedClient : public Module {
 public:
  ~TestbedClient() override {
    if (slot_) tb::store_release(&slot_->state, static_cast<uint32_t>(tb::kClosing));
    map_.unmap();
  }

  bool open(const std::string &tbname, const std::string &nicname, int queue, const sim::shm::Access &access,
            int *code, int *errnum, std::string &err) {
    name_ = tbname;
    auto fail = [&](int c, int e, const std::string &msg) {
      *code = c;
      *errnum = e;
      err = msg;
      return false;
    };
    struct stat st;
    std::string why;
    int fd = sim::shm::open_trusted(tb::shm_name(tbname), access, false, &st, why);
    if (fd == -ENOENT)
      return fail(PF_RING_ERROR_UNKNOWN_ADAPTER, ENODEV,
                  "no pfsim testbed '" + tbname + "' is running (start it with: pfsim -n " + tbname + " FILE)");
    if (fd < 0)
      return fail(fd == -EPERM ? PF_RING_ERROR_INVALID_STATUS : PF_RING_ERROR_GENERIC, fd == -EPERM ? EACCES : -fd,
                  "pfsim testbed '" + tbname + "': " + why);
    if (size_t(st.st_size) < sizeof(tb::TbHeader)) {
      close(fd);
      return fail(PF_RING_ERROR_INVALID_LIB_VERSION, EPROTO, "pfsim testbed '" + tbname + "' is not a testbed");
    }
    map_bytes_ = uint64_t(st.st_size);
    // guarded: a member that shrinks the segment costs us the testbed,
    // not the process (sim/shm_map.h)
    void *m = map_.map(fd, map_bytes_, true, why);
    int map_errno = errno;
    close(fd);
    if (!m) return fail(PF_RING_ERROR_NOT_ENOUGH_MEMORY, map_errno, "pfsim testbed '" + tbname + "': " + why);
    hdr_ = static_cast<tb::TbHeader *>(m);
    // a pfsim that is still starting has not written the magic yet
    for (int i = 0; i < 200 && tb::load_acquire(&hdr_->magic) != tb::kTbMagic; i++) sleep_us(5000);
    if (tb::load_acquire(&hdr_->magic) != tb::kTbMagic)
      return fail(PF_RING_ERROR_INVALID_LIB_VERSION, EPROTO, "pfsim testbed '" + tbname + "' is not a testbed");
    if (hdr_->version != tb::kTbVersion)
      return fail(PF_RING_ERROR_INVALID_LIB_VERSION, EPROTO,
                  "pfsim testbed '" + tbname + "' has layout version " + std::to_string(hdr_->version) +
                      ", this libpfring speaks version " + std::to_string(tb::kTbVersion));
    if (tb::load_acquire(&hdr_->state) != tb::kTbRunning || !daemon_alive(hdr_))
      return fail(PF_RING_ERROR_UNKNOWN_ADAPTER, ENODEV, "pfsim testbed '" + tbname + "' has stopped");
    uint32_t num_nics = tb::load_acquire(&hdr_->num_nics);  // read once, checked, used
    if (hdr_->total_bytes > map_bytes_ || num_nics == 0 || num_nics > tb::kMaxNics)
      return fail(PF_RING_ERROR_INVALID_LIB_VERSION, EPROTO, "pfsim testbed '" + tbname + "' is damaged");

    nic_ = nicname.empty() ? 0 : tb::kMaxNics;
    std::string names;
    for (uint32_t i = 0; i < num_nics; i++) {
      // A name in the segment is what any member wrote: bounded by its
      // field, and shown or used only through our own checked copy.
      std::string n(hdr_->nics[i].name, strnlen(hdr_->nics[i].name, tb::kNameLen));
      names += (i ? ", " : "") + (tb::valid_name(n) ? n : "\"" + json_escape(n) + "\"");
      if (nicname.empty() ? i == 0 : n == nicname) {
        nic_ = i;
        nic_name_ = n;
      }
    }
    if (nic_ >= num_nics)
      return fail(PF_RING_ERROR_UNKNOWN_ADAPTER, ENODEV,
                  "testbed '" + tbname + "' has no nic '" + nicname + "' (it has: " + names + ")");
    nicp_ = &hdr_->nics[nic_];
    // a queue past the last one captures nothing (guide 8.3), as on the in-process NIC

    // claim a slot, ask pfsim for rings, wait (bounded) for them
    for (uint32_t i = 0; i < tb::kMaxClients && !slot_; i++) {
      uint32_t expect = tb::kFree;
      if (__atomic_compare_exchange_n(&hdr_->clients[i].state, &expect, static_cast<uint32_t>(tb::kClaimed), false,
                                      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        slot_ = &hdr_->clients[i];
    }
    if (!slot_)
      return fail(PF_RING_ERROR_NOT_ENOUGH_MEMORY, EBUSY,
                  "testbed '" + tbname + "' has all " + std::to_string(tb::kMaxClients) + " client slots in use");
    slot_->pid = static_cast<uint32_t>(getpid());
    slot_->nic = nic_;
    slot_->queue = queue;
    slot_->enabled = 0;
    slot_->want_rx = slot_->want_tx = 1;
    slot_->in_cluster = 0;
    tb::store_release(&slot_->state, static_cast<uint32_t>(tb::kRequest));
    for (int i = 0; i < 3000 && tb::load_acquire(&slot_->state) == tb::kRequest; i++) {
      if (i % 100 == 99 && !daemon_alive(hdr_)) break;
      sleep_us(1000);
    }
    uint32_t st2 = tb::load_acquire(&slot_->state);
    if (st2 != tb::kAttached) {
      if (st2 == tb::kRequest) {
        uint32_t expect = tb::kRequest;  // take the request back unless pfsim just served it
        if (!__atomic_compare_exchange_n(&slot_->state, &expect, static_cast<uint32_t>(tb::kFree), false,
                                         __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
          tb::store_release(&slot_->state, static_cast<uint32_t>(tb::kClosing));
      }
      slot_ = nullptr;
      return fail(PF_RING_ERROR_UNKNOWN_ADAPTER, ETIMEDOUT,
                  "pfsim testbed '" + tbname + "' did not answer (pid " + std::to_string(hdr_->daemon_pid) + ")");
    }
    // the offsets and geometry are read once, checked, and kept here
    uint8_t *base = reinterpret_cast<uint8_t *>(hdr_);
    uint64_t rx_off = slot_->rx_ring_off, ring_bytes = hdr_->ring_bytes;
    uint64_t tx_off = rx_off + ring_bytes;
    int rc = -PFC_RING_EGEOMETRY;
    if (rx_off >= sizeof(tb::TbHeader) && ring_bytes <= map_bytes_ && rx_off <= map_bytes_ - 2 * ring_bytes &&
        ring_bytes <= map_bytes_ / 2 && (rx_off & 63) == 0) {
      rc = pfc_ring_consumer_attach(&rx_, reinterpret_cast<pfc_ring_hdr *>(base + rx_off), ring_bytes);
      if (rc == 0) rc = pfc_ring_producer_attach(&tx_, reinterpret_cast<pfc_ring_hdr *>(base + tx_off), ring_bytes);
    }
    if (rc == -PFC_RING_EVERSION)
      return fail(PF_RING_ERROR_INVALID_LIB_VERSION, EPROTO,
                  "testbed '" + tbname + "' rings are of another version; this libpfring speaks " +
                      std::to_string(PFC_RING_VERSION));
    if (rc != 0) return fail(PF_RING_ERROR_INVALID_LIB_VERSION, EPROTO, "testbed '" + tbname + "' rings are damaged");
    return true;
  }

  int recv_burst(RawPacket *out, unsigned max, int timeout_ms, std::string &err) override {
    release_held();
    if (!slot_->enabled) enable();
    long waited_us = 0, step = 10;
    for (;;) {
      int n = pfc_ring_consumer_peek(&rx_, max);
      if (n < 0) {
        if (map_.damaged()) return cut_short(err);
        err = "pfsim testbed '" + name_ + "': the RX ring is corrupt (an impossible insert index)";
        return PF_RING_ERROR_CORRUPT_INPUT;
      }
      if (n) {
        int64_t offset = tb::load_acquire(&nicp_->clock_offset_ns);  // pfring_set/adjust_device_clock
        for (int k = 0; k < n; k++) {
          pfc_slot_hdr m;
          const uint8_t *data = pfc_slot_read(&rx_, static_cast<uint32_t>(k), &m);
          fill_rx_packet(out[k], data, m.caplen, m.len,
                         static_cast<uint64_t>(static_cast<int64_t>(m.timestamp_ns) + offset));
          out[k].hdr.extended_hdr.pkt_hash = m.pkt_hash;
          out[k].hdr.extended_hdr.rx_direction = m.rx_direction;
          out[k].hdr.extended_hdr.if_index = m.if_index;
        }
        held_ = static_cast<uint32_t>(n);
        return n;
      }
      // nothing: the end of the NIC's traffic, a stopped testbed, or wait
      if (tb::load_acquire(&nicp_->eos) && pfc_ring_consumer_count(&rx_) == 0) return PF_RING_ERROR_END_OF_FILE;
      if (map_.damaged()) return cut_short(err);
      if (tb::load_acquire(&hdr_->state) != tb::kTbRunning || (waited_us % 100000 < step && !daemon_alive(hdr_))) {
        err = "pfsim testbed '" + name_ + "' has stopped";
        return PF_RING_ERROR_UNKNOWN_ADAPTER;
      }
      if (timeout_ms == 0 || (timeout_ms > 0 && waited_us >= long(timeout_ms) * 1000)) return 0;
      sleep_us(step);
      waited_us += step;
      if (step < 1000) step *= 2;
    }
  }

  // Ready also when pfsim died (a killed daemon never marks the testbed
  // stopped): the receive that follows reports it.
  int poll(int timeout_ms) override {
    for (long waited = 0;; waited += 1000) {
      if (pfc_ring_consumer_count(&rx_) || rx_.corrupt || map_.damaged() || tb::load_acquire(&nicp_->eos) ||
          tb::load_acquire(&hdr_->state) != tb::kTbRunning || daemon_gone())
        return 1;
      if (timeout_ms >= 0 && waited >= long(timeout_ms) * 1000) return 0;
      sleep_us(1000);
    }
  }

  uint64_t dropped() const override { return slot_->rx_full_drops; }

  std::string stats_json() const override {
    const tb::TbNic &n = *nicp_;
    std::string q;
    for (uint32_t i = 0; i < n.queues && i < 64; i++)
      q += std::string(i ? "," : "") + "{\"delivered\":" + std::to_string(n.queue_delivered[i]) + "}";
    // the NIC's name as read at open (the segment's copy may have been
    // rewritten since by any member), escaped like every string in JSON
    return "{\"testbed\":\"" + json_escape(name_) + "\",\"nic\":\"" + json_escape(nic_name_) + "\",\"offered\":" +
           std::to_string(n.offered) + ",\"delivered\":" + std::to_string(n.delivered) +
           ",\"missed\":" + std::to_string(n.missed) + ",\"pause_frames\":" + std::to_string(n.pause_frames) +
           ",\"hw_dropped\":" + std::to_string(n.hw_dropped) +
           ",\"tx_packets\":" + std::to_string(n.tx_packets) + ",\"virtual_ns\":" + std::to_string(n.virtual_ns) +
           ",\"ring_drops\":" + std::to_string(slot_->rx_full_drops) + ",\"queues\":[" + q + "]}";
  }

  bool can_transmit() const override { return true; }

  int send(const uint8_t *pkt, unsigned len, bool, int, std::string &err) override {
    return send_as_burst(*this, pkt, len, err);
  }

  // What fits of the burst goes in with one insert-index store; a full TX
  // ring waits for pfsim a little (bounded, and ended by a stop request),
  // then reports it.
  int send_burst(const TxFrame *frames, unsigned n, int, std::string &err) override {
    return send_frames(frames, n, true, err);
  }

  // One frame, no wait for room (reflection inside a receive).
  int try_send(const uint8_t *pkt, unsigned len, int, std::string &err) override {
    TxFrame f{pkt, len};
    int rc = send_frames(&f, 1, false, err);
    return rc == 1 ? static_cast<int>(len) : rc;
  }

 private:
  int send_frames(const TxFrame *frames, unsigned n, bool may_wait, std::string &err) {
    uint32_t max_cap = tx_.slot_size - PFC_SLOT_HDR_LEN;
    auto bad_len = [&](uint32_t len) {
      err = "packet of " + std::to_string(len) + " bytes: this testbed sends 1.." + std::to_string(max_cap) + " bytes";
      return PF_RING_ERROR_INVALID_ARGUMENT;
    };
    if (n == 0) return 0;
    if (frames[0].data == nullptr || frames[0].len == 0 || frames[0].len > max_cap) return bad_len(frames[0].len);
    if (map_.damaged()) return cut_short(err);
    if (tb::load_acquire(&hdr_->state) != tb::kTbRunning || daemon_gone()) {
      err = "pfsim testbed '" + name_ + "' has stopped";
      return PF_RING_ERROR_UNKNOWN_ADAPTER;
    }
    bool corrupt = pfc_ring_producer_corrupt(&tx_);
    if (map_.damaged()) return cut_short(err);  // that read may have found the segment cut short
    if (corrupt) {
      err = "pfsim testbed '" + name_ + "': the TX ring is corrupt (an impossible remove index)";
      return PF_RING_ERROR_INVALID_STATUS;
    }
    uint32_t room;
    for (int i = 0; (room = pfc_ring_producer_free(&tx_)) == 0; i++) {
      if (tb::load_acquire(&hdr_->state) != tb::kTbRunning || (i % 1000 == 999 && !daemon_alive(hdr_))) {
        err = "pfsim testbed '" + name_ + "' has stopped";
        return PF_RING_ERROR_UNKNOWN_ADAPTER;
      }
      if (!may_wait || i >= 2000 || stop_requested()) {
        err = "no TX slot available (pfsim has not taken the last " + std::to_string(tx_.num_slots) + " packets)";
        return PF_RING_ERROR_NO_TX_SLOT_AVAILABLE;
      }
      sleep_us(100);
    }
    uint32_t k = 0;
    for (; k < n && k < room; k++) {
      if (frames[k].data == nullptr || frames[k].len == 0 || frames[k].len > max_cap) break;  // sent up to it
      pfc_slot_hdr m;
      std::memset(&m, 0, sizeof(m));
      m.caplen = m.len = frames[k].len;
      m.if_index = nicp_->if_index;
      pfc_slot_write(&tx_, k, &m, frames[k].data);
    }
    pfc_ring_producer_commit(&tx_, k);
    sent_ += k;
    return static_cast<int>(k);
  }

 public:
  int num_rx_channels() const override { return static_cast<int>(nicp_->queues); }
  int bound_device_address(uint8_t mac[6]) const override {
    std::memcpy(mac, nicp_->mac, 6);
    return 0;
  }
  int bound_device_id(int *id) const override {
    *id = nicp_->if_index;
    return 0;
  }
  int enable() override {
    tb::store_release(&slot_->enabled, 1u);
    return 0;
  }
  int disable() override {
    tb::store_release(&slot_->enabled, 0u);
    return 0;
  }

  int set_cluster(uint32_t id, cluster_type type, std::string &) override {
    slot_->cluster_id = id;
    slot_->cluster_type = static_cast<uint32_t>(type);
    tb::store_release(&slot_->in_cluster, 1u);
    return 0;
  }
  int remove_from_cluster() override {
    tb::store_release(&slot_->in_cluster, 0u);
    return 0;
  }
  int set_direction(packet_direction dir) override {
    direction_ = dir;
    apply_wants();
    return 0;
  }
  int set_socket_mode(socket_mode mode) override {
    send_only_ = mode == send_only_mode;
    apply_wants();
    return 0;
  }

  int last_tx_timestamp_ns(int64_t *ns) override {
    // pfsim sends in order: wait until it has sent our last packet
    for (int i = 0; tb::load_acquire(&slot_->tx_sent) < sent_; i++) {
      if (i >= 20000 || tb::load_acquire(&hdr_->state) != tb::kTbRunning) return PF_RING_ERROR_UNKNOWN_ADAPTER;
      sleep_us(100);
    }
    *ns = static_cast<int64_t>(slot_->last_tx_ns) + tb::load_acquire(&nicp_->clock_offset_ns);
    return 0;
  }

  bool has_hw_filters() const override { return true; }

  int add_hw_rule(const hw_filtering_rule *r) override {
    if (!pfc_hw_rule_supported(r)) return PF_RING_ERROR_NOT_SUPPORTED;
    tb::TbNic &n = *nicp_;
    int slot = -1;
    for (uint32_t i = 0; i < tb::kMaxHwRules && slot < 0; i++)  // the same rule_id is replaced
      if (tb::load_acquire(&n.hw_rule_used[i]) == 2 && n.hw_rules[i].rule_id == r->rule_id) {
        uint32_t expect = 2;
        if (__atomic_compare_exchange_n(&n.hw_rule_used[i], &expect, 1u, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
          slot = static_cast<int>(i);
      }
    for (uint32_t i = 0; i < tb::kMaxHwRules && slot < 0; i++) {
      uint32_t expect = 0;
      if (__atomic_compare_exchange_n(&n.hw_rule_used[i], &expect, 1u, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        slot = static_cast<int>(i);
    }
    if (slot < 0) return PF_RING_ERROR_NOT_ENOUGH_MEMORY;
    n.hw_rules[slot] = *r;
    tb::store_release(&n.hw_rule_used[slot], 2u);
    __atomic_add_fetch(&n.hw_rules_gen, 1u, __ATOMIC_ACQ_REL);
    return 0;
  }

  int remove_hw_rule(uint16_t id) override {
    tb::TbNic &n = *nicp_;
    for (uint32_t i = 0; i < tb::kMaxHwRules; i++)
      if (tb::load_acquire(&n.hw_rule_used[i]) == 2 && n.hw_rules[i].rule_id == id) {
        uint32_t expect = 2;
        if (__atomic_compare_exchange_n(&n.hw_rule_used[i], &expect, 0u, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
          __atomic_add_fetch(&n.hw_rules_gen, 1u, __ATOMIC_ACQ_REL);
          return 0;
        }
      }
    return PF_RING_ERROR_NOT_FOUND;
  }

  int get_clock_ns(int64_t *ns) override {
    *ns = static_cast<int64_t>(tb::load_acquire(&nicp_->virtual_ns)) + tb::load_acquire(&nicp_->clock_offset_ns);
    return 0;
  }
  int set_clock_ns(int64_t ns) override {
    tb::store_release(&nicp_->clock_offset_ns, ns - static_cast<int64_t>(tb::load_acquire(&nicp_->virtual_ns)));
    return 0;
  }
  int enable_hw_timestamp(bool, bool) override { return 0; }  // pfsim stamps every frame
  int adjust_clock_ns(int64_t delta) override {
    __atomic_add_fetch(&nicp_->clock_offset_ns, delta, __ATOMIC_ACQ_REL);
    return 0;
  }

 private:
  // What pfsim queues for this handle: nothing when it only sends.
  void apply_wants() {
    tb::store_release(&slot_->want_rx, !send_only_ && direction_ != tx_only_direction ? 1u : 0u);
    tb::store_release(&slot_->want_tx, !send_only_ && direction_ != rx_only_direction ? 1u : 0u);
  }

  void release_held() {
    if (held_) pfc_ring_consumer_release(&rx_, held_);
    held_ = 0;
  }

  int cut_short(std::string &err) const {
    err = "pfsim testbed '" + name_ + "': another process cut its shared memory short";
    return PF_RING_ERROR_UNKNOWN_ADAPTER;
  }

  // pfsim's process is gone: looked at (kill(pid, 0)) at most every 10 ms,
  // so a caller may ask per packet; sticky once true.
  bool daemon_gone() {
    if (daemon_dead_) return true;
    uint64_t now = monotonic_ns();
    if (now - last_alive_check_ns_.load(std::memory_order_relaxed) < 10 * 1000000ull) return false;
    last_alive_check_ns_.store(now, std::memory_order_relaxed);
    bool dead = !daemon_alive(hdr_);
    if (dead) daemon_dead_ = true;
    return dead;
  }

  std::string name_;
  std::string nic_name_;  // the NIC's name when it was opened (our copy)
  sim::shm::GuardedMap map_;
  // Asked by the receive and the send side, which may be two threads
  // (PF_RING_REENTRANT has an RX and a TX lock).
  std::atomic<uint64_t> last_alive_check_ns_{0};
  std::atomic<bool> daemon_dead_{false};
  tb::TbHeader *hdr_ = nullptr;
  uint64_t map_bytes_ = 0;
  uint32_t nic_ = 0;
  tb::TbNic *nicp_ = nullptr;
  tb::TbClient *slot_ = nullptr;
  pfc_ring_consumer rx_{};  // geometry and index copied at open
  pfc_ring_producer tx_{};
  uint32_t held_ = 0;
  packet_direction direction_ = rx_and_tx_direction;
  uint64_t sent_ = 0;  // packets put in the TX ring
  bool send_only_ = false;
};

}  // namespace

bool testbed_exists(const std::string &name) {
  if (!tb::valid_name(name)) return false;
  struct stat st;
  return stat(("/dev/shm" + tb::shm_name(name)).c_str(), &st) == 0;
}

std::unique_ptr<Module> open_testbed_client(const std::string &device, int queue, int *code, int *errnum,
                                            std::string &err) {
  *code = PF_RING_ERROR_INVALID_ARGUMENT;
  *errnum = EINVAL;
  std::string spec;
  KeyValues kvs;
  if (!split_options(device, "testbed", spec, kvs, err)) return nullptr;
  sim::shm::Access access;
  for (const auto &kv : kvs) {
    bool ok = true;
    if (!sim::shm::take_access_option(kv.first, kv.second, access, &ok, err)) {
      err = "a pfsim testbed device takes only the options user= and group= (the rest is in the testbed file), not '" +
            kv.first + "'";
      return nullptr;
    }
    if (!ok) {
      err = "testbed option " + err;
      return nullptr;
    }
  }
  size_t colon = spec.find(':');
  std::string tbname = spec.substr(0, colon), nic = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (!tb::valid_name(tbname)) {
    err = "testbed name '" + tbname + "': want 1..31 of A-Z a-z 0-9 _ -";
    return nullptr;
  }
  auto m = std::make_unique<TestbedClient>();
  if (!m->open(tbname, nic, queue, access, code, errnum, err)) return nullptr;
  return m;
}

}  // namespace pfr
