// pfring_open.cpp - open/close, versions, errors, device lists (guide 8.4,
// 8.5, 8.14 and the additions of pfring.h).
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "api_util.h"
#include "modules/module_util.h"

namespace pfr {

namespace {
thread_local std::string t_open_error;
constexpr unsigned kBurst = 64;
}  // namespace

void set_open_error(const std::string &msg) { t_open_error = msg; }
std::string get_open_error() { return t_open_error; }

uint64_t now_sec() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec);
}

int errno_for(int code) {
  switch (code) {
    case PF_RING_ERROR_INVALID_ARGUMENT: return EINVAL;
    case PF_RING_ERROR_NO_PKT_AVAILABLE: return EAGAIN;
    case PF_RING_ERROR_NO_TX_SLOT_AVAILABLE: return ENOBUFS;
    case PF_RING_ERROR_WRONG_CONFIGURATION: return EINVAL;
    case PF_RING_ERROR_NOT_SUPPORTED: return EOPNOTSUPP;
    case PF_RING_ERROR_INVALID_LIB_VERSION: return EPROTO;
    case PF_RING_ERROR_UNKNOWN_ADAPTER: return ENODEV;
    case PF_RING_ERROR_NOT_ENOUGH_MEMORY: return ENOMEM;
    case PF_RING_ERROR_INVALID_STATUS: return EINVAL;
    case PF_RING_ERROR_RING_NOT_ENABLED: return ENETDOWN;
    case PF_RING_ERROR_END_OF_FILE: return ENODATA;
    case PF_RING_ERROR_CORRUPT_INPUT: return EBADMSG;
    case PF_RING_ERROR_NOT_FOUND: return ENOENT;
    default: return errno ? errno : EIO;
  }
}

// Opens one ring; nullptr with errno and the thread's open error set.
static pfr::Handle *open_ring(const char *device_name, uint32_t caplen, uint32_t flags) {
  if (!device_name) {
    set_open_error("device name is NULL");
    errno = EINVAL;
    return nullptr;
  }
  std::string err;
  DeviceName dn;
  if (!parse_device_name(device_name, dn, err)) {
    set_open_error(err);
    errno = EINVAL;
    return nullptr;
  }
  const ModuleInfo *info = dn.module.empty() ? default_module() : find_module(dn.module);
  if (!info) {
    std::string known;
    for (const ModuleInfo *m : all_modules()) known += std::string(known.empty() ? "" : ", ") + m->name;
    if (dn.module.empty())
      set_open_error("no module can open plain device names yet ('" + dn.device +
                     "'); prefix the name with a module: " + known);
    else
      set_open_error("unknown module '" + dn.module + "' in '" + device_name + "' (modules: " + known + ")");
    errno = ENODEV;
    return nullptr;
  }
  auto r = std::make_unique<pfr::Handle>();
  r->info = info;
  r->name_given = device_name;
  r->device_name = &r->name_given[0];
  r->name = dn;
  r->caplen = caplen ? caplen : 65535;
  r->flags = flags;
  r->burst.resize(kBurst);
  r->burst_hash.resize(kBurst);
  OpenArgs args{dn, r->caplen, flags};
  int code = PF_RING_ERROR_GENERIC, errnum = EIO;
  r->mod = info->open(args, &code, &errnum, err);
  if (!r->mod) {
    set_open_error(std::string(info->name) + ": " + err);
    errno = errnum;
    return nullptr;
  }
  r->mod->watch_stop(&r->break_loop, &r->closing);
  r->fd = r->mod->selectable_fd();
  int mtu = pfring_get_mtu_size(r.get());
  r->mtu_len = static_cast<u_int16_t>(mtu < 0 ? 0 : std::min(mtu, 65535));
  set_open_error("");
  return r.release();
}

}  // namespace pfr

using namespace pfr;

// The public members (pfring.h): what 5.x programs read or call through
// the handle. The dna_* slots stay NULL: no module has DNA TX slots yet.
pfr::Handle::Handle() : ::__pfring() {
  fd = -1;
  enabled = 1;
  recv = pfring_recv;
  send = pfring_send;
  send_ifindex = pfring_send_ifindex;
  stats = pfring_stats;
}

pfr::Handle::~Handle() {
  try {
    flush_tx_train(this);  // what pfring_send(..., 0) queued goes out first
  } catch (...) {
  }
  for (auto &r : reflectors) pfring_close(r.second);
  if (reflector_all) pfring_close(reflector_all);
}

int pfr::Handle::fail(int code, const std::string &msg) {
  std::lock_guard<std::mutex> lock(err_mutex);
  last_error = msg;
  return code;
}

PFR_EXPORT int pfring_device_module(const char *device_name, char *module, u_int module_len) {
  try {
    if (!device_name || !module || module_len == 0) return PF_RING_ERROR_INVALID_ARGUMENT;
    std::string err;
    DeviceName dn;
    if (!parse_device_name(device_name, dn, err)) return PF_RING_ERROR_INVALID_ARGUMENT;
    const ModuleInfo *info = dn.module.empty() ? default_module() : find_module(dn.module);
    if (!info) return PF_RING_ERROR_NOT_FOUND;
    if (std::strlen(info->name) >= module_len) return PF_RING_ERROR_INVALID_ARGUMENT;
    std::strcpy(module, info->name);
    return dn.module.empty() ? 0 : 1;
  } catch (...) {
    return PF_RING_ERROR_NOT_ENOUGH_MEMORY;
  }
}

PFR_EXPORT pfring *pfring_open(const char *device_name, u_int32_t caplen, u_int32_t flags) {
  try {
    return open_ring(device_name, caplen, flags);
  } catch (const std::bad_alloc &) {
    set_open_error("out of memory");
    errno = ENOMEM;
  } catch (...) {
    set_open_error("internal error while opening");
    errno = EIO;
  }
  return nullptr;
}

PFR_EXPORT u_int8_t pfring_open_multichannel(const char *device_name, u_int32_t caplen, u_int32_t flags,
                                             pfring *ring[MAX_NUM_RX_CHANNELS]) {
  if (!ring) {
    errno = EINVAL;
    return 0;
  }
  ring[0] = nullptr;
  try {
    DeviceName dn;
    std::string err;
    if (!device_name || !parse_device_name(device_name, dn, err)) {
      set_open_error(device_name ? err : "device name is NULL");
      errno = EINVAL;
      return 0;
    }
    if (dn.queue >= 0) {
      set_open_error(std::string("pfring_open_multichannel takes a device without '@queue': '") +
                     device_name + "'");
      errno = EINVAL;
      return 0;
    }
    pfr::Handle *first = open_ring(device_name, caplen, flags);
    if (!first) return 0;
    int n = first->mod->num_rx_channels();
    if (n <= 1) {
      ring[0] = first;
      ring[1] = nullptr;
      return 1;
    }
    pfring_close(first);
    if (n > MAX_NUM_RX_CHANNELS) n = MAX_NUM_RX_CHANNELS;
    int opened = 0;
    for (int q = 0; q < n; q++) {
      std::string name = std::string(device_name) + "@" + std::to_string(q);
      pfr::Handle *r = open_ring(name.c_str(), caplen, flags);
      if (!r) break;
      ring[opened++] = r;
    }
    if (opened < MAX_NUM_RX_CHANNELS) ring[opened] = nullptr;
    return static_cast<u_int8_t>(opened);
  } catch (...) {
    set_open_error("out of memory");
    errno = ENOMEM;
    return 0;
  }
}

namespace pfr {

namespace {
// The ring this thread is inside a counted call on, and how deeply (a
// reflection may nest a call on another ring: that one is not tracked,
// its close from inside is not deferred).
thread_local pfr::Handle *t_ring = nullptr;
thread_local int t_depth = 0;
}  // namespace

bool CallGuard::enter() {
  if (!in_) {
    r_->active_calls.fetch_add(1);
    in_ = true;
    if (t_ring == nullptr || t_ring == r_) {
      t_ring = r_;
      t_depth++;
    }
  }
  return !r_->closing.load();
}

int CallGuard::own_calls(const pfr::Handle *r) { return t_ring == r ? t_depth : 0; }

CallGuard::~CallGuard() {
  if (!in_) return;
  bool outermost_own = false;
  if (t_ring == r_ && --t_depth == 0) {
    t_ring = nullptr;
    outermost_own = true;
  }
  // A close from inside this thread's own call frees the ring now that
  // the call is over; the counter goes down first, so nothing else waits.
  bool free_it = outermost_own && r_->close_deferred.load();
  r_->active_calls.fetch_sub(1);
  if (free_it) delete r_;
}

}  // namespace pfr

// Ends the calls in progress on the ring (a receive waiting for traffic,
// pfring_loop, pfring_poll: they return within a wait slice, 100 ms at
// most) and frees it once they have returned. Called from inside one of
// this thread's own calls on the ring (a pfring_loop callback), the ring
// is freed when that call returns.
PFR_EXPORT void pfring_close(pfring *ring_pub) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  if (!ring) return;
  ring->closing.store(true);
  int own = CallGuard::own_calls(ring);
  if (own > 0) {
    ring->close_deferred.store(true);
    return;
  }
  while (ring->active_calls.load() > 0) sleep_us(1000);
  delete ring;
}

PFR_EXPORT int pfring_version(pfring *ring_pub, u_int32_t *version) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (!version) return PF_RING_ERROR_INVALID_ARGUMENT;
    *version = RING_VERSION_NUM;
    return 0;
  });
}

PFR_EXPORT u_int32_t pfring_version_noring(void) { return RING_VERSION_NUM; }

PFR_EXPORT int pfring_get_last_error(pfring *ring_pub, char *buf, size_t len) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  std::string msg;
  if (ring) {
    std::lock_guard<std::mutex> lock(ring->err_mutex);
    msg = ring->last_error;
  } else {
    msg = get_open_error();
  }
  if (buf && len > 0) {
    size_t n = msg.size() < len - 1 ? msg.size() : len - 1;
    std::memcpy(buf, msg.data(), n);
    buf[n] = '\0';
  }
  return static_cast<int>(msg.size());
}

PFR_EXPORT const char *pfring_get_module_name(pfring *ring_pub) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return ring && ring->info ? ring->info->name : nullptr;
}

PFR_EXPORT int pfring_get_device_stats_json(pfring *ring_pub, char *buf, size_t len) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (!buf) return PF_RING_ERROR_INVALID_ARGUMENT;
    std::string s = ring->mod->stats_json();
    if (!ring->train.bytes.empty() && !s.empty() && s.back() == '}')  // the TX train was used
      s.insert(s.size() - 1, std::string(s.size() > 2 ? "," : "") + "\"tx_train_dropped\":" +
                                 std::to_string(ring->train.dropped));
    if (!ring->appl_stats.empty() && !s.empty() && s.back() == '}')  // pfring_set_application_stats
      s.insert(s.size() - 1, std::string(s.size() > 2 ? "," : "") + "\"application_stats\":\"" +
                                 json_escape(ring->appl_stats) + "\"");
    if (s.size() + 1 > len) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "buffer too small for device stats");
    std::memcpy(buf, s.c_str(), s.size() + 1);
    return static_cast<int>(s.size());
  });
}

static char *dup_cstr(const std::string &s) {
  char *p = static_cast<char *>(std::malloc(s.size() + 1));
  if (p) std::memcpy(p, s.c_str(), s.size() + 1);
  return p;
}

PFR_EXPORT void pfring_freealldevs(pfring_if_t *list) {
  while (list) {
    pfring_if_t *next = list->next;
    std::free(list->name);
    std::free(list->module);
    std::free(list->description);
    std::free(list);
    list = next;
  }
}

PFR_EXPORT pfring_if_t *pfring_findalldevs(void) {
  pfring_if_t *head = nullptr, **tail = &head;
  try {
    for (const ModuleInfo *m : all_modules()) {
      if (!m->list) continue;
      std::vector<DeviceInfo> devs;
      m->list(devs);
      for (const DeviceInfo &d : devs) {
        auto *e = static_cast<pfring_if_t *>(std::calloc(1, sizeof(pfring_if_t)));
        if (!e) throw std::bad_alloc();
        *tail = e;
        tail = &e->next;
        e->name = dup_cstr(d.name);
        e->module = dup_cstr(m->name);
        e->description = dup_cstr(d.description);
        if (!e->name || !e->module || !e->description) throw std::bad_alloc();
        std::memcpy(e->mac, d.mac, 6);
        e->ifindex = d.ifindex;
        e->num_rx_channels = static_cast<u_int8_t>(d.rx_channels);
      }
    }
  } catch (...) {
    pfring_freealldevs(head);
    errno = ENOMEM;
    return nullptr;
  }
  if (!head) errno = 0;
  return head;
}
