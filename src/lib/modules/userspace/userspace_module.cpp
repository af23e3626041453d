// userspace_module.cpp - "userspace:NAME[,slots=N][,slot=B]": two ends of
// a packet pipe in shared memory (guide 7.4; userspace_module.h has the
// layout, docs/userspace-multi.md the rules).
//
// Joining: shm_open(O_CREAT|O_EXCL) decides who creates the segment (end
// A); the creator sizes it, makes both rings with pfc_ring_init and
// publishes the magic last. A later opener waits (bounded) for the magic,
// checks magic, version and ring geometry, and claims end B with a
// compare-and-swap on the state word. The state word also carries kClosed
// (an end left: nobody may join a pipe that is ending) and kDead (no end
// is left: the segment is being removed), set in the same CAS that
// detaches the last end, so no opener can join a segment about to vanish.
//
// Leaving: the closing end marks its send ring producer_gone, then
// detaches. Its peer drains what is left and then gets
// PF_RING_ERROR_END_OF_FILE. A peer whose process died without closing
// counts as gone too (kill(pid, 0), looked at every few milliseconds
// while a receive has nothing to read).
//
// Data path: send writes one slot (CLOCK_REALTIME timestamp) and commits
// it at once; recv_burst hands out pointers into the ring (zero copy) and
// releases those slots at the next recv_burst. No allocation per packet.
#include "modules/userspace/userspace_module.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <vector>

#include "module.h"
#include "modules/module_util.h"
#include "modules/registry_entries.h"
#include "shm_map.h"

extern "C" {
#include "ring.h"
}

namespace pfr {
namespace usr {

std::string shm_name(const std::string &name) { return "/pfring-usr." + name; }

bool parse_usr_options(const std::string &device, UsrOptions &out, std::string &err) {
  out = UsrOptions{};
  KeyValues kvs;
  bool split = split_options(device, "userspace", out.name, kvs, err);
  bool name_ok = !out.name.empty() && out.name.size() <= kNameMax;
  for (char c : out.name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      name_ok = false;
  if (!name_ok) {
    err = "userspace ring name '" + out.name + "': want 1.." + std::to_string(kNameMax) + " of A-Z a-z 0-9 _ -";
    return false;
  }
  if (!split) return false;
  for (const auto &kv : kvs) {
    uint64_t v = 0;
    bool ok = true;
    if (sim::shm::take_access_option(kv.first, kv.second, out.access, &ok, err)) {
      if (!ok) {
        err = "userspace option " + err;
        return false;
      }
      continue;
    }
    if (kv.first == "slots") {
      if (!parse_option_uint(kv.second, kMaxSlots, &v) || v < kMinSlots || (v & (v - 1))) {
        err = "userspace option slots='" + kv.second + "': want a power of two in " + std::to_string(kMinSlots) +
              ".." + std::to_string(kMaxSlots);
        return false;
      }
      out.num_slots = static_cast<uint32_t>(v);
    } else if (kv.first == "slot") {
      if (!parse_option_uint(kv.second, kMaxSlotSize, &v) || v < kMinSlotSize) {
        err = "userspace option slot='" + kv.second + "': want bytes per slot in " + std::to_string(kMinSlotSize) +
              ".." + std::to_string(kMaxSlotSize);
        return false;
      }
      out.slot_size = static_cast<uint32_t>((v + PFC_RING_LINE - 1) & ~uint64_t(PFC_RING_LINE - 1));
    } else {
      err = "unknown userspace option '" + kv.first + "' (slots, slot, user, group)";
      return false;
    }
    out.geometry_given = true;
  }
  if (pfc_ring_bytes(out.num_slots, out.slot_size) > kMaxRingBytes) {
    err = "userspace ring of " + std::to_string(out.num_slots) + " slots of " + std::to_string(out.slot_size) +
          " bytes is larger than 1 GiB";
    return false;
  }
  return true;
}

}  // namespace usr

namespace {

using namespace usr;

template <class T>
T load(const T *p) {
  return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
template <class T>
void store(T *p, T v) {
  __atomic_store_n(p, v, __ATOMIC_RELEASE);
}
bool cas(uint32_t *p, uint32_t *expect, uint32_t want) {
  return __atomic_compare_exchange_n(p, expect, want, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

std::string hex32(uint32_t v) {
  char b[16];
  snprintf(b, sizeof(b), "0x%08x", v);
  return b;
}

constexpr uint64_t kPidCheckNs = 10 * 1000000ull;  // how often a waiting receive looks at the peer's pid

// What one attempt to join an existing segment came to.
enum class Join { kJoined, kRetry, kFailed };

class UserspaceEnd : public Module, public ZeroCopy {
 public:
  ~UserspaceEnd() override { leave(); }

  // Returns true as end A or B, or false with *code, *errnum and err.
  bool open(const UsrOptions &o, int *code, int *errnum, std::string &err) {
    opt_ = o;
    shm_ = shm_name(o.name);
    // Joining races with a last user removing the segment: a few retries.
    for (int attempt = 0; attempt < 400; attempt++) {
      uint64_t ring_bytes = pfc_ring_bytes(opt_.num_slots, opt_.slot_size);
      std::string why;
      int fd = sim::shm::create(shm_, kHeaderBytes + 2 * ring_bytes, opt_.access, why);
      if (fd >= 0) return create(fd, code, errnum, err);
      if (fd != -EEXIST)
        return fail(code, errnum, err, fd == -ENOSPC ? PF_RING_ERROR_NOT_ENOUGH_MEMORY : PF_RING_ERROR_GENERIC, -fd,
                    "userspace ring '" + opt_.name + "': " + why);
      struct stat st;
      fd = sim::shm::open_trusted(shm_, opt_.access, false, &st, why);
      if (fd == -ENOENT) continue;  // removed in between: create it
      if (fd < 0)
        return fail(code, errnum, err, fd == -EPERM ? PF_RING_ERROR_INVALID_STATUS : PF_RING_ERROR_GENERIC,
                    fd == -EPERM ? EACCES : -fd, "userspace ring '" + opt_.name + "': " + why);
      Join j = join(fd, attempt, code, errnum, err);
      if (j == Join::kJoined) return true;
      if (j == Join::kFailed) return false;
      sleep_us(5000);
    }
    return fail(code, errnum, err, PF_RING_ERROR_INVALID_STATUS, EBUSY,
                "userspace ring '" + opt_.name + "' is still being removed by its last user; try again");
  }

  int recv_burst(RawPacket *out, unsigned max, int timeout_ms, std::string &err) override {
    if (lent_count_) {
      err = "userspace ring '" + opt_.name + "': " + std::to_string(lent_count_) +
            " lent buffers are not given back yet (a handle either lends or receives)";
      return PF_RING_ERROR_INVALID_STATUS;
    }
    release_held();
    int n = ready_after(0, max, timeout_ms, err);
    if (n <= 0) return n;
    for (int k = 0; k < n; k++) read_slot(static_cast<uint32_t>(k), out[k]);
    held_ = static_cast<uint32_t>(n);
    received_ += static_cast<uint64_t>(n);
    return n;
  }

  // Zero copy: the slots themselves are lent; the remove index moves past
  // a slot only when it and every slot before it were given back, so the
  // peer never writes into a lent one. At most num_slots are lent.
  ZeroCopy *zero_copy() override { return this; }

  int recv_lent(LentPacket *out, unsigned max, int timeout_ms, std::string &err) override {
    // Slots a plain receive handed out stay valid until the next plain
    // receive (the handle may still hold some of them): lending now would
    // give them back under its feet.
    if (held_) {
      err = "userspace ring '" + opt_.name + "': " + std::to_string(held_) +
            " packets of a plain receive are still held (a handle either lends or receives)";
      return PF_RING_ERROR_INVALID_STATUS;
    }
    if (given_back_.size() != rx_.num_slots) given_back_.assign(rx_.num_slots, 0);  // once
    int n = ready_after(lent_count_, max, timeout_ms, err);
    if (n <= 0) return n;
    for (int k = 0; k < n; k++) {
      uint32_t pos = lent_count_ + static_cast<uint32_t>(k);
      read_slot(pos, out[k].pkt);
      out[k].handle = rx_.remove_idx + pos;
    }
    lent_count_ += static_cast<uint32_t>(n);
    received_ += static_cast<uint64_t>(n);
    return n;
  }

  int release(const uint32_t *handles, unsigned n, std::string &err) override {
    // Marked as checked, so a handle given twice in one call is refused
    // too; on a refusal the marks are undone and none is given back.
    for (unsigned i = 0; i < n; i++) {
      uint32_t at = handles[i] - rx_.remove_idx;
      if (at >= lent_count_ || given_back_[handles[i] & (rx_.num_slots - 1)]) {
        for (unsigned j = 0; j < i; j++) given_back_[handles[j] & (rx_.num_slots - 1)] = 0;
        err = "buffer handle " + std::to_string(handles[i]) + " is not lent by userspace ring '" + opt_.name + "'";
        return PF_RING_ERROR_INVALID_ARGUMENT;
      }
      given_back_[handles[i] & (rx_.num_slots - 1)] = 1;
    }
    waiting_ += n;
    uint32_t done = 0;
    while (done < lent_count_ && given_back_[(rx_.remove_idx + done) & (rx_.num_slots - 1)]) {
      given_back_[(rx_.remove_idx + done) & (rx_.num_slots - 1)] = 0;
      done++;
    }
    waiting_ -= done;
    if (done) {
      lent_count_ -= done;
      pfc_ring_consumer_release(&rx_, done);
    }
    return 0;
  }

  // Lent and not given back (slots given back that wait for an earlier
  // one are not lent any more).
  uint32_t lent() const override { return lent_count_ - waiting_; }

  int poll(int timeout_ms) override {
    return wait_until(timeout_ms,
                      [&] {
                        return pfc_ring_consumer_count(&rx_) > lent_count_ || rx_.corrupt || peer_ended(false) ||
                               map_.damaged();
                      })
               ? 1
               : 0;
  }

  std::string stats_json() const override {
    uint32_t s = load(&hdr_->state);
    uint32_t peer_bit = end_ == 0 ? kEndB : kEndA;
    const char *peer = peer_gone_ || (s & kClosed) ? "closed" : (s & peer_bit) ? "attached" : "waiting";
    uint32_t tx_queued = tx_.insert_idx - load(&tx_.r->remove_idx);
    if (tx_queued > tx_.num_slots) tx_queued = tx_.num_slots;
    return "{\"ring\":\"" + opt_.name + "\",\"end\":\"" + (end_ == 0 ? "A" : "B") + "\",\"peer\":\"" + peer +
           "\",\"slots\":" + std::to_string(rx_.num_slots) + ",\"slot_size\":" + std::to_string(rx_.slot_size) +
           ",\"sent\":" + std::to_string(sent_) + ",\"sent_bytes\":" + std::to_string(sent_bytes_) +
           ",\"received\":" + std::to_string(received_) + ",\"rx_queued\":" +
           std::to_string(pfc_ring_consumer_count(&rx_)) + ",\"tx_queued\":" + std::to_string(tx_queued) + "}";
  }

  bool can_transmit() const override { return true; }

  // Every packet is committed at once (flush is implied); a full ring is
  // PF_RING_ERROR_NO_TX_SLOT_AVAILABLE without waiting, as a NIC's TX ring.
  int send(const uint8_t *pkt, unsigned len, bool, int, std::string &err) override {
    return send_as_burst(*this, pkt, len, err);
  }

  // The burst goes in with one insert-index store (one doorbell).
  int send_burst(const TxFrame *frames, unsigned n, int, std::string &err) override {
    uint32_t max_cap = tx_.slot_size - PFC_SLOT_HDR_LEN;
    auto refuse = [&](int rc, const std::string &why) {
      err = why;
      return rc;
    };
    // the shared reads first: one of them may find the segment cut short
    bool corrupt = pfc_ring_producer_corrupt(&tx_);
    if (map_.damaged()) return refuse(PF_RING_ERROR_INVALID_STATUS, cut_short());
    if (corrupt)
      return refuse(PF_RING_ERROR_INVALID_STATUS, "userspace ring '" + opt_.name +
                                                      "' is corrupt: the other end's remove index is ahead of what was sent");
    uint32_t room = pfc_ring_producer_free(&tx_);
    // A dead peer is noticed within kPidCheckNs (a clock read per burst
    // otherwise), not only once the ring has filled: sends into a ring
    // nobody will read are errors, not packets counted as sent.
    if (load(&rx_.r->producer_gone) || peer_ended(room == 0))
      return refuse(PF_RING_ERROR_INVALID_STATUS, "the other end of userspace ring '" + opt_.name + "' has closed");
    uint32_t k = 0;
    std::string why;
    int why_rc = 0;
    for (; k < n; k++) {
      uint32_t len = frames[k].len;
      if (frames[k].data == nullptr || len == 0 || len > max_cap) {
        why_rc = PF_RING_ERROR_INVALID_ARGUMENT;
        why = "packet of " + std::to_string(len) + " bytes: userspace ring '" + opt_.name + "' carries 1.." +
              std::to_string(max_cap) + " bytes (option slot=B for longer ones)";
        break;
      }
      if (k == room) {
        why_rc = PF_RING_ERROR_NO_TX_SLOT_AVAILABLE;
        why = "userspace ring '" + opt_.name + "' is full (the other end has not read the last " +
              std::to_string(tx_.num_slots) + " packets)";
        break;
      }
      pfc_slot_hdr m;
      std::memset(&m, 0, sizeof(m));
      m.timestamp_ns = realtime_ns();
      m.caplen = m.len = len;
      m.if_index = -1;
      m.rx_direction = 1;  // the peer receives it
      pfc_slot_write(&tx_, k, &m, frames[k].data);
      sent_bytes_ += len;
    }
    if (k == 0) return refuse(why_rc, why);
    pfc_ring_producer_commit(&tx_, k);
    sent_ += k;
    return static_cast<int>(k);
  }

 private:
  static bool fail(int *code, int *errnum, std::string &err, int c, int e, const std::string &msg) {
    *code = c;
    *errnum = e;
    err = msg;
    return false;
  }

  // End A: the segment is new and ours (fd from sim::shm::create, sized).
  bool create(int fd, int *code, int *errnum, std::string &err) {
    uint64_t ring_bytes = pfc_ring_bytes(opt_.num_slots, opt_.slot_size);
    uint64_t total = kHeaderBytes + 2 * ring_bytes;
    auto undo = [&](int e, const std::string &msg) {
      if (fd >= 0) ::close(fd);
      if (hdr_) unmap_and(Join::kFailed);
      shm_unlink(shm_.c_str());
      return fail(code, errnum, err, PF_RING_ERROR_GENERIC, e, msg);
    };
    if (!map(fd, total)) return undo(errno, "cannot map userspace ring '" + opt_.name + "': " + strerror(errno));
    ::close(fd);
    fd = -1;
    hdr_->version = kVersion;
    hdr_->num_slots = opt_.num_slots;
    hdr_->slot_size = opt_.slot_size;
    hdr_->ring_bytes = ring_bytes;
    hdr_->total_bytes = total;
    hdr_->ring_off[0] = kHeaderBytes;
    hdr_->ring_off[1] = kHeaderBytes + ring_bytes;
    hdr_->state = kEndA;
    hdr_->pid[0] = static_cast<uint32_t>(getpid());
    for (int i = 0; i < 2; i++) {
      rings_[i] = reinterpret_cast<pfc_ring_hdr *>(reinterpret_cast<uint8_t *>(hdr_) + hdr_->ring_off[i]);
      if (pfc_ring_init(rings_[i], ring_bytes, opt_.num_slots, opt_.slot_size) != 0)
        return undo(EINVAL, "userspace ring '" + opt_.name + "': bad geometry");
    }
    ring_bytes_ = ring_bytes;
    if (!attach_as(0, code, errnum, err)) return undo(EPROTO, err);
    store(&hdr_->magic, kMagic);  // last: joiners wait for it
    attached_ = true;
    return true;
  }

  // End B (or a refusal): the segment exists and its owner and mode are
  // trusted (sim::shm::open_trusted).
  Join join(int fd, int attempt, int *code, int *errnum, std::string &err) {
    auto refuse = [&](int c, int e, const std::string &msg) {
      fail(code, errnum, err, c, e, "userspace ring '" + opt_.name + "' " + msg);
      return Join::kFailed;
    };
    // the creator may still be between shm_open and posix_fallocate
    struct stat st;
    bool sized = wait_until(1000, [&] { return fstat(fd, &st) == 0 && uint64_t(st.st_size) >= kHeaderBytes; });
    if (!sized) {
      ::close(fd);
      return refuse(PF_RING_ERROR_INVALID_LIB_VERSION, EPROTO,
                    "(/dev/shm" + shm_ + ") is too small to be a userspace ring; remove it if nobody uses it");
    }
    bool mapped = map(fd, uint64_t(st.st_size));
    int map_errno = errno;
    ::close(fd);
    if (!mapped) return refuse(PF_RING_ERROR_GENERIC, map_errno, std::string("cannot be mapped: ") + strerror(map_errno));
    wait_until(1000, [&] { return load(&hdr_->magic) == kMagic; });
    uint32_t magic = load(&hdr_->magic);
    if (magic != kMagic)
      return unmap_and(refuse(PF_RING_ERROR_INVALID_LIB_VERSION, EPROTO,
                              "(/dev/shm" + shm_ + ") has magic " + hex32(magic) + ", not " + hex32(kMagic) +
                                  ": it is not a userspace ring (or its creator died while making it)"));
    // One copy of the header's geometry: nothing below reads it again
    // from shared memory, so a peer cannot change it after the checks.
    UsrHeader h;
    std::memcpy(&h, hdr_, sizeof(h));
    if (h.version != kVersion)
      return unmap_and(refuse(PF_RING_ERROR_INVALID_LIB_VERSION, EPROTO,
                              "has layout version " + std::to_string(h.version) + ", this libpfring speaks version " +
                                  std::to_string(kVersion)));
    if (Join j = check_rings(h, refuse); j != Join::kJoined) return unmap_and(j);
    if (opt_.geometry_given && (h.num_slots != opt_.num_slots || h.slot_size != opt_.slot_size))
      return unmap_and(refuse(PF_RING_ERROR_INVALID_ARGUMENT, EINVAL,
                              "exists with slots=" + std::to_string(h.num_slots) + ",slot=" +
                                  std::to_string(h.slot_size) + ", not slots=" + std::to_string(opt_.num_slots) +
                                  ",slot=" + std::to_string(opt_.slot_size)));
    if (!attach_as(1, code, errnum, err)) return unmap_and(Join::kFailed);
    Join j = claim(attempt, refuse);
    if (j != Join::kJoined) return unmap_and(j);
    attached_ = true;
    return Join::kJoined;
  }

  template <class Refuse>
  Join check_rings(const UsrHeader &h, Refuse &refuse) {
    if (h.total_bytes > map_bytes_ || h.ring_bytes > map_bytes_ ||
        h.ring_bytes != pfc_ring_bytes(h.num_slots, h.slot_size))
      return refuse(PF_RING_ERROR_INVALID_LIB_VERSION, EPROTO, "is damaged (rings larger than the segment)");
    for (int i = 0; i < 2; i++) {
      if (h.ring_off[i] < kHeaderBytes || h.ring_off[i] > map_bytes_ - h.ring_bytes || (h.ring_off[i] & 63))
        return refuse(PF_RING_ERROR_INVALID_LIB_VERSION, EPROTO, "is damaged (ring outside the segment)");
      rings_[i] = reinterpret_cast<pfc_ring_hdr *>(reinterpret_cast<uint8_t *>(hdr_) + h.ring_off[i]);
      uint32_t v = 0;
      int rc = pfc_ring_check(rings_[i], h.ring_bytes, &v);
      if (rc == -PFC_RING_EVERSION)
        return refuse(PF_RING_ERROR_INVALID_LIB_VERSION, EPROTO,
                      "has packet rings of version " + std::to_string(v) + ", this libpfring speaks version " +
                          std::to_string(PFC_RING_VERSION));
      if (rc != 0) return refuse(PF_RING_ERROR_INVALID_LIB_VERSION, EPROTO, "is damaged (bad ring header)");
    }
    if (h.ring_off[0] < h.ring_off[1] ? h.ring_off[0] + h.ring_bytes > h.ring_off[1]
                                      : h.ring_off[1] + h.ring_bytes > h.ring_off[0])
      return refuse(PF_RING_ERROR_INVALID_LIB_VERSION, EPROTO, "is damaged (its two rings overlap)");
    ring_bytes_ = h.ring_bytes;
    return Join::kJoined;
  }

  // Claims end B, or says why not. A segment whose attached ends all died
  // is stale: it is marked dead and removed, and the caller retries.
  template <class Refuse>
  Join claim(int attempt, Refuse &refuse) {
    uint32_t s = load(&hdr_->state);
    for (;;) {
      if (s & kDead) {
        // its last user is removing it; if that user died, remove it ourselves
        if (attempt >= 100) unlink_if_ours();
        return Join::kRetry;
      }
      bool a_live = (s & kEndA) && !known_dead(0), b_live = (s & kEndB) && !known_dead(1);
      if (!a_live && !b_live) {
        if (cas(&hdr_->state, &s, s | kDead)) {
          unlink_if_ours();
          return Join::kRetry;
        }
        continue;
      }
      if (a_live && b_live)
        return refuse(PF_RING_ERROR_INVALID_STATUS, EBUSY,
                      "already has both ends (pids " + std::to_string(load(&hdr_->pid[0])) + " and " +
                          std::to_string(load(&hdr_->pid[1])) + "); a userspace ring joins two handles only");
      if ((s & kClosed) || (s & kEndB))
        return refuse(PF_RING_ERROR_INVALID_STATUS, EBUSY,
                      "is ending: one end has closed and pid " + std::to_string(load(&hdr_->pid[a_live ? 0 : 1])) +
                          " still has the other; open it again after that one closes");
      if (cas(&hdr_->state, &s, s | kEndB)) {
        store(&hdr_->pid[1], static_cast<uint32_t>(getpid()));
        return Join::kJoined;
      }
    }
  }

  // Guarded: a peer that shrinks the segment ends the pipe, not this
  // process (sim/shm_map.h).
  bool map(int fd, uint64_t bytes) {
    std::string why;
    void *m = map_.map(fd, bytes, true, why);
    if (!m) return false;
    struct stat st;
    if (fstat(fd, &st) == 0) {
      dev_ = st.st_dev;
      ino_ = st.st_ino;
    }
    hdr_ = static_cast<UsrHeader *>(m);
    map_bytes_ = bytes;
    return true;
  }

  Join unmap_and(Join j) {
    map_.unmap();
    hdr_ = nullptr;
    return j;
  }

  // Takes the producer side of ring `end` and the consumer side of the
  // other, each with its geometry copied into this object.
  bool attach_as(int end, int *code, int *errnum, std::string &err) {
    end_ = end;
    if (pfc_ring_producer_attach(&tx_, rings_[end], ring_bytes_) != 0 ||
        pfc_ring_consumer_attach(&rx_, rings_[1 - end], ring_bytes_) != 0)
      return fail(code, errnum, err, PF_RING_ERROR_INVALID_LIB_VERSION, EPROTO,
                  "userspace ring '" + opt_.name + "' is damaged (ring header changed while joining)");
    return true;
  }

  std::string cut_short() const {
    return "userspace ring '" + opt_.name + "': another process cut its shared memory short";
  }

  // End i's process is known and no longer exists.
  bool known_dead(int i) const {
    uint32_t pid = load(&hdr_->pid[i]);
    return pid != 0 && !pid_alive(pid);
  }

  // The peer will send nothing more: it closed (its send ring says so) or
  // its process died after it attached. force_pid: look at the pid now
  // rather than at most every kPidCheckNs. Sticky once true.
  bool peer_ended(bool force_pid) {
    if (peer_gone_) return true;
    if (load(&rx_.r->producer_gone)) {
      peer_gone_ = true;
      return true;
    }
    uint32_t peer_bit = end_ == 0 ? kEndB : kEndA;
    if (!(load(&hdr_->state) & peer_bit)) return false;  // not there yet
    uint64_t now = monotonic_ns();
    if (!force_pid && now - last_pid_check_ns_.load(std::memory_order_relaxed) < kPidCheckNs) return false;
    last_pid_check_ns_.store(now, std::memory_order_relaxed);
    bool dead = known_dead(1 - end_);
    if (dead) peer_gone_ = true;
    return dead;
  }

  void release_held() {
    if (held_) pfc_ring_consumer_release(&rx_, held_);
    held_ = 0;
  }

  // Waits (timeout_ms as recv_burst) for packets beyond the first skip
  // ready ones; returns how many (0..max), PF_RING_ERROR_END_OF_FILE once
  // the peer left and nothing is ready, or CORRUPT_INPUT.
  int ready_after(uint32_t skip, unsigned max, int timeout_ms, std::string &err) {
    int n = 0;
    auto more = [&] {
      n = pfc_ring_consumer_peek(&rx_, skip + max);
      return n < 0 || static_cast<uint32_t>(n) > skip;
    };
    wait_until(timeout_ms, [&] { return more() || peer_ended(false) || map_.damaged(); });
    if (n >= 0 && static_cast<uint32_t>(n) <= skip) (void)more();  // what the peer committed before it left
    if (map_.damaged()) {
      err = cut_short();
      return PF_RING_ERROR_INVALID_STATUS;
    }
    if (n < 0) {
      err = "userspace ring '" + opt_.name + "' is corrupt: the other end's insert index is " +
            std::to_string(load(&rx_.r->insert_idx) - rx_.remove_idx) + " packets ahead of a " +
            std::to_string(rx_.num_slots) + "-slot ring";
      return PF_RING_ERROR_CORRUPT_INPUT;
    }
    if (static_cast<uint32_t>(n) <= skip) return peer_gone_ ? PF_RING_ERROR_END_OF_FILE : 0;
    return n - static_cast<int>(skip);
  }

  // The k-th ready slot into p (the one slot reader, ring.h).
  void read_slot(uint32_t k, RawPacket &p) {
    pfc_slot_hdr m;
    const uint8_t *data = pfc_slot_read(&rx_, k, &m);
    fill_rx_packet(p, data, m.caplen, m.len, m.timestamp_ns);
    p.hdr.extended_hdr.if_index = m.if_index;
    p.hdr.extended_hdr.pkt_hash = m.pkt_hash;
    p.hdr.extended_hdr.rx_direction = m.rx_direction;
  }

  // Removes the name only while it still names our segment (a new pipe
  // of the same name may have been made after ours was marked dead).
  void unlink_if_ours() {
    int fd = shm_open(shm_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
    if (fd < 0) return;
    struct stat st;
    bool same = fstat(fd, &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_;
    ::close(fd);
    if (same) shm_unlink(shm_.c_str());
  }

  // Detaches this end; the last one (the peer detached or died) removes the segment.
  void leave() {
    if (!hdr_) return;
    if (attached_) {
      release_held();
      store(&tx_.r->producer_gone, 1u);
      uint32_t me = end_ == 0 ? kEndA : kEndB, peer = end_ == 0 ? kEndB : kEndA;
      uint32_t s = load(&hdr_->state), want;
      bool last;
      do {
        uint32_t rest = s & ~me;
        last = !(rest & peer) || known_dead(1 - end_);
        want = rest | kClosed | (last ? kDead : 0u);
      } while (!cas(&hdr_->state, &s, want));
      if (last) unlink_if_ours();
      attached_ = false;
    }
    map_.unmap();
    hdr_ = nullptr;
  }

  UsrOptions opt_;
  sim::shm::GuardedMap map_;
  std::string shm_;
  UsrHeader *hdr_ = nullptr;
  uint64_t map_bytes_ = 0;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  int end_ = 0;  // 0: A, 1: B
  // Private copies of the layout (never read again from shared memory).
  pfc_ring_hdr *rings_[2] = {nullptr, nullptr};
  uint64_t ring_bytes_ = 0;
  bool attached_ = false;
  pfc_ring_producer tx_{};
  pfc_ring_consumer rx_{};
  uint32_t held_ = 0;
  uint32_t lent_count_ = 0;           // slots lent from rx_.remove_idx on
  uint32_t waiting_ = 0;  // given back, waiting for an earlier slot
  std::vector<uint8_t> given_back_;  // per slot: lent and given back, waiting for the ones before it
  // Asked by the receive and the send side, which may be two threads
  // (PF_RING_REENTRANT has an RX and a TX lock).
  std::atomic<bool> peer_gone_{false};
  std::atomic<uint64_t> last_pid_check_ns_{0};
  uint64_t sent_ = 0, sent_bytes_ = 0, received_ = 0;
};

std::unique_ptr<Module> open_userspace(const OpenArgs &args, int *code, int *errnum, std::string &err) {
  *code = PF_RING_ERROR_INVALID_ARGUMENT;
  *errnum = EINVAL;
  if (args.name.queue >= 0) {
    err = "userspace ring '" + args.name.device + "' has no queues (drop '@" + std::to_string(args.name.queue) + "')";
    return nullptr;
  }
  UsrOptions o;
  if (!parse_usr_options(args.name.device, o, err)) return nullptr;
  auto m = std::make_unique<UserspaceEnd>();
  if (!m->open(o, code, errnum, err)) return nullptr;
  return m;
}

void list_userspace(std::vector<DeviceInfo> &out) {
  DeviceInfo d;
  d.name = "userspace:<name>[,slots=N,slot=B]";
  d.description = "a packet pipe in shared memory between two handles (the first opener creates it)";
  out.push_back(d);
}

}  // namespace

const ModuleInfo kUserspaceModule = {"userspace", "packet pipe between two processes in shared memory",
                                     open_userspace, list_userspace};

}  // namespace pfr
