// pfring_compat.cpp - the calls of the PF_RING 5.x release header that the
// guide does not list (issue 14 §2): programs written for 5.x build and
// run unchanged. Each returns what its declaration in pfring.h says;
// docs/compat.md lists what each does on which device.
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "api_util.h"

using namespace pfr;

// pfring_set_application_stats keeps at most this much of the text.
constexpr size_t kMaxApplStats = 4096;

PFR_EXPORT int pfring_get_bound_device_ifindex(pfring *ring_pub, int *if_index) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return pfring_get_bound_device_id(ring, if_index);
}

PFR_EXPORT int pfring_get_device_ifindex(pfring *ring_pub, char *device_name, int *if_index) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (!device_name || !if_index) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "device_name or if_index is NULL");
    unsigned idx = if_nametoindex(device_name);
    if (idx == 0)
      return ring->fail(PF_RING_ERROR_UNKNOWN_ADAPTER, std::string("no network interface '") + device_name + "'");
    *if_index = static_cast<int>(idx);
    return 0;
  });
}

PFR_EXPORT char *pfring_format_numbers(double val, char *buf, u_int buf_len, u_int8_t add_decimals) {
  if (!buf || buf_len == 0) return buf;
  if (!std::isfinite(val)) {
    snprintf(buf, buf_len, "%f", val);
    return buf;
  }
  // printf rounds the exact binary value once (999.999 -> 1000.00) and
  // prints every digit of any double (DBL_MAX has 309 before the point);
  // no conversion to an integer type that could overflow.
  char digits[320 + 4];
  int n = snprintf(digits, sizeof(digits), add_decimals ? "%.2f" : "%.0f", val);
  if (n < 0 || static_cast<size_t>(n) >= sizeof(digits)) {
    buf[0] = '\0';
    return buf;
  }
  const char *p = digits;
  std::string out;
  out.reserve(static_cast<size_t>(n) + static_cast<size_t>(n) / 3 + 1);
  if (*p == '-') out += *p++;
  size_t int_len = std::strcspn(p, ".");
  for (size_t i = 0; i < int_len; i++) {
    if (i > 0 && (int_len - i) % 3 == 0) out += '\'';
    out += p[i];
  }
  out += p + int_len;  // ".NN" or nothing
  snprintf(buf, buf_len, "%s", out.c_str());
  return buf;
}

PFR_EXPORT void pfring_config(u_short cpu_percentage) {
  if (cpu_percentage == 0) return;
  struct sched_param sp;
  std::memset(&sp, 0, sizeof(sp));
  int lo = sched_get_priority_min(SCHED_FIFO), hi = sched_get_priority_max(SCHED_FIFO);
  sp.sched_priority = std::min(std::max(static_cast<int>(cpu_percentage), lo), hi);
  if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0) {
    static std::atomic<bool> told{false};
    if (!told.exchange(true))
      fprintf(stderr, "pfring_config: cannot set SCHED_FIFO priority %d: %s\n", sp.sched_priority,
              strerror(errno));
  }
}

PFR_EXPORT int pfring_set_reflector_device(pfring *ring_pub, char *device_name) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    ReentrantLock lock(ring);
    if (ring->reflector_all) {
      pfring_close(ring->reflector_all);
      ring->reflector_all = nullptr;
    }
    if (!device_name || !*device_name) return 0;
    pfring *out = pfring_open(device_name, ring->caplen ? ring->caplen : 65535, 0);
    if (!out) {
      char why[PFRING_ERRBUF_SIZE] = "";
      pfring_get_last_error(nullptr, why, sizeof(why));
      return ring->fail(PF_RING_ERROR_UNKNOWN_ADAPTER,
                        std::string("cannot open reflector device '") + device_name + "': " + why);
    }
    if (!pfr::handle(out)->mod->can_transmit()) {
      pfring_close(out);
      return ring->fail(PF_RING_ERROR_NOT_SUPPORTED,
                        std::string("reflector device '") + device_name + "' cannot transmit");
    }
    pfring_set_socket_mode(out, send_only_mode);
    pfring_enable_ring(out);
    ring->reflector_all = pfr::handle(out);
    return 0;
  });
}

PFR_EXPORT void pfring_shutdown(pfring *ring_pub) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  if (!ring) return;
  ring->shut_down.store(true);
  pfring_breakloop(ring);
}

PFR_EXPORT int pfring_loopback_test(pfring *ring_pub, char *buffer, u_int buffer_len, u_int test_len) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    return ring->fail(PF_RING_ERROR_NOT_SUPPORTED, "the loopback test is a feature of PF_RING's own kernel module");
  });
}

PFR_EXPORT int pfring_is_pkt_available(pfring *ring_pub) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  if (!ring) return 0;
  return pfring_poll(ring, 0) > 0 ? 1 : 0;
}

PFR_EXPORT void pfring_sync_indexes_with_kernel(pfring *ring) { (void)ring; }

PFR_EXPORT int pfring_copy_tx_packet_into_slot(pfring *ring_pub, u_int16_t tx_slot_id, char *buffer, u_int len) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    return ring->fail(PF_RING_ERROR_NOT_SUPPORTED, "TX slots are a DNA device's; use pfring_send");
  });
}

PFR_EXPORT pfring *pfring_open_consumer(const char *device_name, u_int32_t caplen, u_int32_t flags,
                                        u_int8_t consumer_plugin_id, char *consumer_data, u_int consumer_data_len) {
  if (consumer_plugin_id != 0) {
    set_open_error("packet consumer plugin " + std::to_string(consumer_plugin_id) +
                   ": consumer plugins are not supported; pf_ring.ko plugins act through rules (guide chapter 10)");
    errno = EOPNOTSUPP;
    return nullptr;
  }
  return pfring_open(device_name, caplen, flags);
}

PFR_EXPORT int pfring_set_channel_id(pfring *ring_pub, u_int32_t channel_id) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    int q = ring->name.queue;
    if (q >= 0 ? static_cast<u_int32_t>(q) == channel_id : (channel_id == 0 && ring->mod->num_rx_channels() <= 1))
      return 0;
    if (q >= 0)
      return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "ring '" + ring->name_given + "' reads queue " +
                                                            std::to_string(q) + ", not " + std::to_string(channel_id));
    return ring->fail(PF_RING_ERROR_NOT_SUPPORTED, "the queue is chosen when the ring is opened: open '" +
                                                       ring->name_given + "@" + std::to_string(channel_id) + "'");
  });
}

PFR_EXPORT int pfring_bind(pfring *ring_pub, char *device_name) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (!device_name) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "device_name is NULL");
    if (ring->name_given == device_name || ring->name.device == device_name) return 0;
    return ring->fail(PF_RING_ERROR_NOT_SUPPORTED, "ring '" + ring->name_given +
                                                       "' is bound when it is opened; open a ring on '" + device_name +
                                                       "' instead");
  });
}

PFR_EXPORT int pfring_send_parsed(pfring *ring_pub, char *pkt, struct pfring_pkthdr *hdr, u_int8_t flush_packet) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (!hdr) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "hdr is NULL");
    return pfring_send(ring, pkt, hdr->caplen, flush_packet);
  });
}

PFR_EXPORT int pfring_get_mtu_size(pfring *ring_pub) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    int idx = -1;
    if (ring->mod->bound_device_id(&idx) >= 0 && idx > 0) {
      char name[IF_NAMESIZE];
      int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      if (fd >= 0 && if_indextoname(static_cast<unsigned>(idx), name)) {
        struct ifreq ifr;
        std::memset(&ifr, 0, sizeof(ifr));
        std::memcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
        int rc = ioctl(fd, SIOCGIFMTU, &ifr);
        close(fd);
        if (rc == 0) return ifr.ifr_mtu;
      } else if (fd >= 0) {
        close(fd);
      }
    }
    return static_cast<int>(ring->caplen);
  });
}

// ---- bundles -------------------------------------------------------------

PFR_EXPORT void pfring_bundle_init(pfring_bundle *bundle, bundle_read_policy p) {
  if (!bundle) return;
  std::memset(bundle, 0, sizeof(*bundle));
  bundle->policy = p;
}

PFR_EXPORT int pfring_bundle_add(pfring_bundle *bundle, pfring *ring_pub) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  if (!bundle || !ring || bundle->num_sockets >= MAX_NUM_BUNDLE_ELEMENTS) {
    errno = EINVAL;
    return PF_RING_ERROR_INVALID_ARGUMENT;
  }
  bundle->sockets[bundle->num_sockets] = ring;
  bundle->pfd[bundle->num_sockets].fd = pfring_get_selectable_fd(ring);
  bundle->pfd[bundle->num_sockets].events = POLLIN;
  bundle->num_sockets++;
  pfring_enable_ring(ring);
  return 0;
}

namespace {

// The ring of the bundle to read next, or -1 with *status: 0 none ready
// now, END_OF_FILE when every ring ended, or a ring's error.
int bundle_pick(pfring_bundle *b, int *status) {
  int pick = -1, ended = 0;
  struct timespec best{};
  *status = 0;
  for (u_int16_t k = 0; k < b->num_sockets; k++) {
    u_int16_t i = static_cast<u_int16_t>((b->last_read_socket + 1 + k) % b->num_sockets);
    struct timespec ts;
    int rc = pfring_next_pkt_time(b->sockets[i], &ts);  // peeks: the read gets this packet
    if (rc == PF_RING_ERROR_NO_PKT_AVAILABLE) continue;
    if (rc == PF_RING_ERROR_END_OF_FILE) {
      ended++;
      continue;
    }
    if (rc < 0) {
      *status = rc;
      return -1;
    }
    if (b->policy == pick_round_robin) return i;
    if (pick < 0 || ts.tv_sec < best.tv_sec || (ts.tv_sec == best.tv_sec && ts.tv_nsec < best.tv_nsec)) {
      pick = i;
      best = ts;
    }
  }
  if (pick < 0 && ended == b->num_sockets && b->num_sockets > 0) *status = PF_RING_ERROR_END_OF_FILE;
  return pick;
}

}  // namespace

PFR_EXPORT int pfring_bundle_read(pfring_bundle *bundle, u_char **buffer, u_int buffer_len, struct pfring_pkthdr *hdr,
                                  u_int8_t wait_for_incoming_packet) {
  if (!bundle || !buffer || !hdr || bundle->num_sockets == 0) {
    errno = EINVAL;
    return PF_RING_ERROR_INVALID_ARGUMENT;
  }
  for (;;) {
    int status = 0, i = bundle_pick(bundle, &status);
    if (i >= 0) {
      bundle->last_read_socket = static_cast<u_int16_t>(i);
      return pfring_recv(bundle->sockets[i], buffer, buffer_len, hdr, 0);
    }
    if (status != 0 || !wait_for_incoming_packet) return status;
    // A break request is used up by the read it ends (as pfring_loop's
    // is): every request a ring of the bundle holds goes with it.
    bool stop = false;
    for (u_int16_t k = 0; k < bundle->num_sockets; k++)
      stop |= pfr::handle(bundle->sockets[k])->break_loop.exchange(false) || pfr::handle(bundle->sockets[k])->shut_down.load();
    if (stop) return 0;
    // wait on every selectable ring; rings without a descriptor are polled again soon
    bool any_fd = false;
    for (u_int16_t k = 0; k < bundle->num_sockets; k++) {
      bundle->pfd[k].fd = pfring_get_selectable_fd(bundle->sockets[k]);
      bundle->pfd[k].events = POLLIN;
      bundle->pfd[k].revents = 0;
      any_fd |= bundle->pfd[k].fd >= 0;
    }
    if (any_fd)
      (void)poll(bundle->pfd, bundle->num_sockets, 10);
    else
      usleep(100);
  }
}

PFR_EXPORT void pfring_bundle_destroy(pfring_bundle *bundle) {
  if (!bundle) return;
  bundle_read_policy p = bundle->policy;
  pfring_bundle_init(bundle, p);
}

PFR_EXPORT void pfring_bundle_close(pfring_bundle *bundle) {
  if (!bundle) return;
  for (u_int16_t k = 0; k < bundle->num_sockets; k++) pfring_close(bundle->sockets[k]);
  pfring_bundle_destroy(bundle);
}

PFR_EXPORT int pfring_set_application_stats(pfring *ring_pub, char *stats) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (!stats) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "stats is NULL");
    ring->appl_stats.assign(stats, strnlen(stats, kMaxApplStats));
    return 0;
  });
}

PFR_EXPORT char *pfring_get_appl_stats_file_name(pfring *ring_pub, char *path, u_int path_len) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  if (!ring) return nullptr;
  (void)path;
  (void)path_len;
  ring->fail(PF_RING_ERROR_NOT_SUPPORTED,
             "application statistics are kept in the handle and shown by pfring_get_device_stats_json; "
             "no module writes them to a file");
  return nullptr;
}
