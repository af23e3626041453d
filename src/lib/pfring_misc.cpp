// pfring_misc.cpp - the miscellaneous calls of guide 8.14: enable/disable,
// stats, direction, socket mode, watermarks, device identity and clock.
// (Transmission, 8.13, is pfring_send.cpp.)
#include <cstring>

#include "api_util.h"

using namespace pfr;

namespace {

int64_t ts_to_ns(const struct timespec &ts) {
  return static_cast<int64_t>(ts.tv_sec) * 1000000000ll + ts.tv_nsec;
}

}  // namespace

PFR_EXPORT int pfring_enable_ring(pfring *ring_pub) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    int rc = ring->mod->enable();
    if (rc < 0) return ring->fail(rc, "device could not be enabled");
    ring->enabled = true;
    return 0;
  });
}

PFR_EXPORT int pfring_disable_ring(pfring *ring_pub) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    int rc = ring->mod->disable();
    if (rc < 0) return ring->fail(rc, "device could not be disabled");
    ring->enabled = false;
    return 0;
  });
}

PFR_EXPORT int pfring_stats(pfring *ring_pub, pfring_stat *stats) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (!stats) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "stats is NULL");
    stats->recv = ring->delivered;
    stats->drop = ring->mod->dropped();
    return 0;
  });
}

PFR_EXPORT int pfring_set_direction(pfring *ring_pub, packet_direction direction) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (direction != rx_and_tx_direction && direction != rx_only_direction && direction != tx_only_direction)
      return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "unknown direction");
    // The device drops what it can (PACKET_IGNORE_OUTGOING); the handle
    // checks rx_direction in software either way.
    int rc = ring->mod->set_direction(direction);
    if (rc < 0 && rc != PF_RING_ERROR_NOT_SUPPORTED)
      return ring->fail(rc, "device '" + ring->name_given + "' refused the direction");
    ring->direction = direction;
    return 0;
  });
}

PFR_EXPORT int pfring_set_socket_mode(pfring *ring_pub, socket_mode mode) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (mode != send_and_recv_mode && mode != send_only_mode && mode != recv_only_mode)
      return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "unknown socket mode");
    if (mode == send_only_mode && !ring->mod->can_transmit())
      return ring->fail(PF_RING_ERROR_NOT_SUPPORTED, "device '" + ring->name_given + "' cannot transmit");
    if (int rc = ring->mod->set_socket_mode(mode); rc < 0)
      return ring->fail(rc, "device '" + ring->name_given + "' cannot change its socket mode");
    ring->mode = mode;
    return 0;
  });
}

PFR_EXPORT int pfring_set_poll_watermark(pfring *ring_pub, u_int16_t watermark) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    uint16_t w = watermark ? watermark : 1;
    if (int rc = ring->mod->set_poll_watermark(w); rc < 0)
      return ring->fail(rc, "device '" + ring->name_given + "' refused poll watermark " + std::to_string(w));
    ring->poll_watermark = w;
    return 0;
  });
}

PFR_EXPORT int pfring_set_tx_watermark(pfring *ring_pub, u_int16_t watermark) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    ring->tx_watermark = watermark ? watermark : 1;
    return 0;
  });
}

PFR_EXPORT int pfring_set_poll_duration(pfring *ring_pub, u_int duration) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    ring->poll_duration_ms = duration;
    return 0;
  });
}

PFR_EXPORT int pfring_set_application_name(pfring *ring_pub, const char *name) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (!name) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "name is NULL");
    if (int rc = ring->mod->set_application_name(name); rc < 0)
      return ring->fail(rc, "device '" + ring->name_given + "' refused the application name");
    ring->appname = name;
    return 0;
  });
}

PFR_EXPORT int pfring_get_bound_device_address(pfring *ring_pub, u_char mac_address[6]) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (!mac_address) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "mac_address is NULL");
    int rc = ring->mod->bound_device_address(mac_address);
    if (rc < 0) return ring->fail(rc, "device '" + ring->name_given + "' has no MAC address");
    return rc;
  });
}

PFR_EXPORT int pfring_get_bound_device_id(pfring *ring_pub, int *device_id) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (!device_id) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "device_id is NULL");
    int rc = ring->mod->bound_device_id(device_id);
    if (rc < 0) return ring->fail(rc, "device '" + ring->name_given + "' has no interface index");
    return rc;
  });
}

PFR_EXPORT u_int8_t pfring_get_num_rx_channels(pfring *ring_pub) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  if (!ring) return 1;
  int n = ring->mod->num_rx_channels();
  if (n < 1) return 1;
  return static_cast<u_int8_t>(n > 255 ? 255 : n);
}

PFR_EXPORT int pfring_get_selectable_fd(pfring *ring_pub) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    int fd = ring->mod->selectable_fd();
    if (fd < 0) return ring->fail(PF_RING_ERROR_NOT_SUPPORTED, "device '" + ring->name_given + "' has no file descriptor");
    return fd;
  });
}

PFR_EXPORT int pfring_enable_rss_rehash(pfring *ring_pub) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    ring->rss_rehash = true;
    return 0;
  });
}

PFR_EXPORT int pfring_get_device_clock(pfring *ring_pub, struct timespec *ts) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (!ts) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "ts is NULL");
    int64_t ns = 0;
    int rc = ring->mod->get_clock_ns(&ns);
    if (rc < 0) return ring->fail(rc, "device '" + ring->name_given + "' has no hardware clock");
    ts->tv_sec = static_cast<time_t>(ns / 1000000000ll);
    ts->tv_nsec = static_cast<long>(ns % 1000000000ll);
    return 0;
  });
}

PFR_EXPORT int pfring_set_device_clock(pfring *ring_pub, struct timespec *ts) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (!ts || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000l)
      return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "ts is NULL or tv_nsec out of range");
    int rc = ring->mod->set_clock_ns(ts_to_ns(*ts));
    if (rc < 0) return ring->fail(rc, "device '" + ring->name_given + "' has no hardware clock");
    return 0;
  });
}

PFR_EXPORT int pfring_adjust_device_clock(pfring *ring_pub, struct timespec *offset, int8_t sign) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (!offset || offset->tv_nsec < 0 || offset->tv_nsec >= 1000000000l)
      return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "offset is NULL or tv_nsec out of range");
    int64_t d = ts_to_ns(*offset);
    int rc = ring->mod->adjust_clock_ns(sign < 0 ? -d : d);
    if (rc < 0) return ring->fail(rc, "device '" + ring->name_given + "' has no hardware clock");
    return 0;
  });
}

PFR_EXPORT int pfring_enable_hw_timestamp(pfring *ring_pub, const char *device_name, u_int8_t enable_rx,
                                          u_int8_t enable_tx) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    int rc = ring->mod->enable_hw_timestamp(enable_rx != 0, enable_tx != 0);
    if (rc < 0) return ring->fail(rc, "device '" + ring->name_given + "' has no hardware timestamping");
    return 0;
  });
}
