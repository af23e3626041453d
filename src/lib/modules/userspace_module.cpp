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
#include "modules/userspace_module.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "module.h"
#include "modules/module_util.h"
#include "modules/registry_entries.h"
#include "value_parse.h"

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
    if (kv.first == "slots") {
      if (!sim::parse_uint(kv.second, kMaxSlots, &v) || v < kMinSlots || (v & (v - 1))) {
        err = "userspace option slots='" + kv.second + "': want a power of two in " + std::to_string(kMinSlots) +
              ".." + std::to_string(kMaxSlots);
        return false;
      }
      out.num_slots = static_cast<uint32_t>(v);
    } else if (kv.first == "slot") {
      if (!sim::parse_uint(kv.second, kMaxSlotSize, &v) || v < kMinSlotSize) {
        err = "userspace option slot='" + kv.second + "': want bytes per slot in " + std::to_string(kMinSlotSize) +
              ".." + std::to_string(kMaxSlotSize);
        return false;
      }
      out.slot_size = static_cast<uint32_t>((v + PFC_RING_LINE - 1) & ~uint64_t(PFC_RING_LINE - 1));
    } else {
      err = "unknown userspace option '" + kv.first + "' (slots, slot)";
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

class UserspaceEnd : public Module {
 public:
  ~UserspaceEnd() override { leave(); }

  // Returns true as end A or B, or false with *code, *errnum and err.
  bool open(const UsrOptions &o, int *code, int *errnum, std::string &err) {
    opt_ = o;
    shm_ = shm_name(o.name);
    // Joining races with a last user removing the segment: a few retries.
    for (int attempt = 0; attempt < 400; attempt++) {
      int fd = shm_open(shm_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd >= 0) return create(fd, code, errnum, err);
      if (errno != EEXIST) return fail(code, errnum, err, PF_RING_ERROR_GENERIC, errno, create_error(errno));
      fd = shm_open(shm_.c_str(), O_RDWR | O_CLOEXEC, 0);
      if (fd < 0) {
        if (errno == ENOENT) continue;  // removed in between: create it
        return fail(code, errnum, err, PF_RING_ERROR_GENERIC, errno, create_error(errno));
      }
      Join j = join(fd, attempt, code, errnum, err);
      if (j == Join::kJoined) return true;
      if (j == Join::kFailed) return false;
      sleep_us(5000);
    }
    return fail(code, errnum, err, PF_RING_ERROR_INVALID_STATUS, EBUSY,
                "userspace ring '" + opt_.name + "' is still being removed by its last user; try again");
  }

  int recv_burst(RawPacket *out, unsigned max, int timeout_ms, std::string &) override {
    release_held();
    uint32_t n = 0;
    wait_until(timeout_ms, [&] {
      n = pfc_ring_peek(rx_, max);
      return n > 0 || peer_ended(false);
    });
    if (n == 0) n = pfc_ring_peek(rx_, max);  // what the peer committed before it left
    if (n == 0) return peer_gone_ ? PF_RING_ERROR_END_OF_FILE : 0;
    uint32_t max_cap = pfc_ring_max_caplen(rx_);
    for (uint32_t k = 0; k < n; k++) {
      const pfc_slot_hdr *s = pfc_ring_slot(rx_, rx_->remove_idx + k);
      uint32_t cap = s->caplen < max_cap ? s->caplen : max_cap;  // never trust the peer past the slot
      fill_rx_packet(out[k], reinterpret_cast<const uint8_t *>(s + 1), cap, s->len, s->timestamp_ns);
      out[k].hdr.extended_hdr.if_index = s->if_index;
    }
    held_ = n;
    received_ += n;
    return static_cast<int>(n);
  }

  int poll(int timeout_ms) override {
    return wait_until(timeout_ms, [&] { return pfc_ring_count(rx_) > 0 || peer_ended(false); }) ? 1 : 0;
  }

  std::string stats_json() const override {
    uint32_t s = load(&hdr_->state);
    uint32_t peer_bit = end_ == 0 ? kEndB : kEndA;
    const char *peer = peer_gone_ || (s & kClosed) ? "closed" : (s & peer_bit) ? "attached" : "waiting";
    return "{\"ring\":\"" + opt_.name + "\",\"end\":\"" + (end_ == 0 ? "A" : "B") + "\",\"peer\":\"" + peer +
           "\",\"slots\":" + std::to_string(hdr_->num_slots) + ",\"slot_size\":" + std::to_string(hdr_->slot_size) +
           ",\"sent\":" + std::to_string(sent_) + ",\"sent_bytes\":" + std::to_string(sent_bytes_) +
           ",\"received\":" + std::to_string(received_) + ",\"rx_queued\":" + std::to_string(pfc_ring_count(rx_)) +
           ",\"tx_queued\":" + std::to_string(pfc_ring_count(tx_)) + "}";
  }

  bool can_transmit() const override { return true; }

  // Every packet is committed at once (flush is implied); a full ring is
  // PF_RING_ERROR_NO_TX_SLOT_AVAILABLE without waiting, as a NIC's TX ring.
  int send(const uint8_t *pkt, unsigned len, bool, int, std::string &err) override {
    uint32_t max_cap = pfc_ring_max_caplen(tx_);
    if (len == 0 || len > max_cap) {
      err = "packet of " + std::to_string(len) + " bytes: userspace ring '" + opt_.name + "' carries 1.." +
            std::to_string(max_cap) + " bytes (option slot=B for longer ones)";
      return PF_RING_ERROR_INVALID_ARGUMENT;
    }
    if (load(&rx_->producer_gone) || (pfc_ring_reserve(tx_, 1) == 0 && peer_ended(true))) {
      err = "the other end of userspace ring '" + opt_.name + "' has closed";
      return PF_RING_ERROR_INVALID_STATUS;
    }
    if (pfc_ring_reserve(tx_, 1) == 0) {
      err = "userspace ring '" + opt_.name + "' is full (the other end has not read the last " +
            std::to_string(tx_->num_slots) + " packets)";
      return PF_RING_ERROR_NO_TX_SLOT_AVAILABLE;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    pfc_slot_hdr *s = pfc_ring_slot(tx_, tx_->insert_idx);
    std::memset(s, 0, sizeof(*s));
    s->timestamp_ns = static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
    s->caplen = s->len = len;
    s->if_index = -1;
    s->rx_direction = 1;  // the peer receives it
    std::memcpy(s + 1, pkt, len);
    pfc_ring_commit(tx_, 1);
    sent_++;
    sent_bytes_ += len;
    return static_cast<int>(len);
  }

 private:
  static bool fail(int *code, int *errnum, std::string &err, int c, int e, const std::string &msg) {
    *code = c;
    *errnum = e;
    err = msg;
    return false;
  }

  std::string create_error(int e) const {
    return "cannot open shared memory /dev/shm" + shm_ + ": " + strerror(e);
  }

  // End A: the segment is new and ours (fd from O_EXCL).
  bool create(int fd, int *code, int *errnum, std::string &err) {
    uint64_t ring_bytes = pfc_ring_bytes(opt_.num_slots, opt_.slot_size);
    uint64_t total = kHeaderBytes + 2 * ring_bytes;
    auto undo = [&](int e, const std::string &msg) {
      if (fd >= 0) ::close(fd);
      if (hdr_) unmap_and(Join::kFailed);
      shm_unlink(shm_.c_str());
      return fail(code, errnum, err, e == ENOSPC ? PF_RING_ERROR_NOT_ENOUGH_MEMORY : PF_RING_ERROR_GENERIC, e, msg);
    };
    // allocate now: a short /dev/shm is an error here, not a SIGBUS later
    int rc = posix_fallocate(fd, 0, static_cast<off_t>(total));
    if (rc != 0)
      return undo(rc, "cannot allocate " + std::to_string(total) + " bytes for userspace ring '" + opt_.name +
                          "' in /dev/shm: " + strerror(rc));
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
    for (int i = 0; i < 2; i++)
      if (pfc_ring_init(ring(i), ring_bytes, opt_.num_slots, opt_.slot_size) != 0)
        return undo(EINVAL, "userspace ring '" + opt_.name + "': bad geometry");
    store(&hdr_->magic, kMagic);  // last: joiners wait for it
    attach_as(0);
    return true;
  }

  // End B (or a refusal): the segment exists.
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
    if (hdr_->version != kVersion)
      return unmap_and(refuse(PF_RING_ERROR_INVALID_LIB_VERSION, EPROTO,
                              "has layout version " + std::to_string(hdr_->version) + ", this libpfring speaks version " +
                                  std::to_string(kVersion)));
    if (Join j = check_rings(refuse); j != Join::kJoined) return unmap_and(j);
    if (opt_.geometry_given && (hdr_->num_slots != opt_.num_slots || hdr_->slot_size != opt_.slot_size))
      return unmap_and(refuse(PF_RING_ERROR_INVALID_ARGUMENT, EINVAL,
                              "exists with slots=" + std::to_string(hdr_->num_slots) +
                                  ",slot=" + std::to_string(hdr_->slot_size) + ", not slots=" +
                                  std::to_string(opt_.num_slots) + ",slot=" + std::to_string(opt_.slot_size)));
    Join j = claim(attempt, refuse);
    return j == Join::kJoined ? j : unmap_and(j);
  }

  template <class Refuse>
  Join check_rings(Refuse &refuse) {
    for (int i = 0; i < 2; i++) {
      if (hdr_->total_bytes > map_bytes_ || hdr_->ring_off[i] < kHeaderBytes ||
          hdr_->ring_off[i] > map_bytes_ - hdr_->ring_bytes)
        return refuse(PF_RING_ERROR_INVALID_LIB_VERSION, EPROTO, "is damaged (ring outside the segment)");
      uint32_t v = 0;
      int rc = pfc_ring_check(ring(i), hdr_->ring_bytes, &v);
      if (rc == -PFC_RING_EVERSION)
        return refuse(PF_RING_ERROR_INVALID_LIB_VERSION, EPROTO,
                      "has packet rings of version " + std::to_string(v) + ", this libpfring speaks version " +
                          std::to_string(PFC_RING_VERSION));
      if (rc != 0) return refuse(PF_RING_ERROR_INVALID_LIB_VERSION, EPROTO, "is damaged (bad ring header)");
    }
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
        attach_as(1);
        return Join::kJoined;
      }
    }
  }

  bool map(int fd, uint64_t bytes) {
    void *m = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) return false;
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
    munmap(hdr_, map_bytes_);
    hdr_ = nullptr;
    return j;
  }

  pfc_ring_hdr *ring(int i) const {
    return reinterpret_cast<pfc_ring_hdr *>(reinterpret_cast<uint8_t *>(hdr_) + hdr_->ring_off[i]);
  }

  void attach_as(int end) {
    end_ = end;
    tx_ = ring(end);
    rx_ = ring(1 - end);
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
    if (load(&rx_->producer_gone)) return peer_gone_ = true;
    uint32_t peer_bit = end_ == 0 ? kEndB : kEndA;
    if (!(load(&hdr_->state) & peer_bit)) return false;  // not there yet
    uint64_t now = monotonic_ns();
    if (!force_pid && now - last_pid_check_ns_ < kPidCheckNs) return false;
    last_pid_check_ns_ = now;
    return peer_gone_ = known_dead(1 - end_);
  }

  void release_held() {
    if (held_) pfc_ring_release(rx_, held_);
    held_ = 0;
  }

  // Removes the name only while it still names our segment (a new pipe
  // of the same name may have been made after ours was marked dead).
  void unlink_if_ours() {
    int fd = shm_open(shm_.c_str(), O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) return;
    struct stat st;
    bool same = fstat(fd, &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_;
    ::close(fd);
    if (same) shm_unlink(shm_.c_str());
  }

  // Detaches this end; the last one (the peer detached or died) removes the segment.
  void leave() {
    if (!hdr_) return;
    if (tx_) {
      release_held();
      store(&tx_->producer_gone, 1u);
      uint32_t me = end_ == 0 ? kEndA : kEndB, peer = end_ == 0 ? kEndB : kEndA;
      uint32_t s = load(&hdr_->state), want;
      bool last;
      do {
        uint32_t rest = s & ~me;
        last = !(rest & peer) || known_dead(1 - end_);
        want = rest | kClosed | (last ? kDead : 0u);
      } while (!cas(&hdr_->state, &s, want));
      if (last) unlink_if_ours();
    }
    munmap(hdr_, map_bytes_);
    hdr_ = nullptr;
  }

  UsrOptions opt_;
  std::string shm_;
  UsrHeader *hdr_ = nullptr;
  uint64_t map_bytes_ = 0;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  int end_ = 0;  // 0: A, 1: B
  pfc_ring_hdr *tx_ = nullptr, *rx_ = nullptr;
  uint32_t held_ = 0;
  bool peer_gone_ = false;
  uint64_t last_pid_check_ns_ = 0;
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
