// zero_api.cpp - the C API of pfring_zero.h: the DNA Cluster master calls
// (src/zero/cluster.h does the work) and the DNA Bouncer, not yet here.
// A handle is checked against the live clusters of the process first, so
// NULL or a foreign pointer is an error, never a crash. Errors: a negative
// PF_RING_ERROR_* code, errno, and the reason in pfring_get_last_error(NULL).
#include <cerrno>
#include <mutex>
#include <set>

#include "api_util.h"
#include "zero/cluster.h"

using pfr::zero::Cluster;

namespace {

std::mutex g_live_mutex;
std::set<Cluster *> g_live;

// The cluster behind handle, or nullptr with the error recorded.
Cluster *live(pfring_dna_cluster *handle) {
  std::lock_guard<std::mutex> lock(g_live_mutex);
  auto *c = static_cast<Cluster *>(handle);
  if (c && g_live.count(c)) return c;
  pfr::set_open_error(handle ? "not a DNA cluster handle of this process" : "DNA cluster handle is NULL");
  errno = EINVAL;
  return nullptr;
}

int failed(int code, const std::string &err) {
  pfr::set_open_error(err);
  errno = pfr::errno_for(code);
  return code;
}

// Runs f (returning int), catching what must not cross the C ABI.
template <class F>
int call(pfring_dna_cluster *handle, F &&f) {
  Cluster *c = live(handle);
  if (!c) return PF_RING_ERROR_INVALID_ARGUMENT;
  try {
    std::string err;
    int rc = f(c, err);
    return rc < 0 ? failed(rc, err) : rc;
  } catch (const std::bad_alloc &) {
    return failed(PF_RING_ERROR_NOT_ENOUGH_MEMORY, "out of memory");
  } catch (...) {
    return failed(PF_RING_ERROR_GENERIC, "internal error");
  }
}

}  // namespace

PFR_EXPORT pfring_dna_cluster *dna_cluster_create(u_int32_t cluster_id, u_int32_t num_apps, u_int32_t flags) {
  try {
    int code = 0;
    std::string err;
    std::unique_ptr<Cluster> c = Cluster::create(cluster_id, num_apps, flags, &code, err);
    if (!c) {
      failed(code, err);
      if (code == PF_RING_ERROR_INVALID_STATUS) errno = EEXIST;
      return nullptr;
    }
    std::lock_guard<std::mutex> lock(g_live_mutex);
    Cluster *raw = c.release();
    g_live.insert(raw);
    pfr::set_open_error("");
    return raw;
  } catch (...) {
    failed(PF_RING_ERROR_NOT_ENOUGH_MEMORY, "out of memory");
    return nullptr;
  }
}

PFR_EXPORT int dna_cluster_low_level_settings(pfring_dna_cluster *handle, u_int32_t slave_rx_queue_len,
                                              u_int32_t slave_tx_queue_len, u_int32_t slave_additional_buffers) {
  return call(handle, [&](Cluster *c, std::string &err) {
    return c->low_level_settings(slave_rx_queue_len, slave_tx_queue_len, slave_additional_buffers, err);
  });
}

PFR_EXPORT int dna_cluster_register_ring(pfring_dna_cluster *handle, pfring *ring_pub) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return call(handle, [&](Cluster *c, std::string &err) { return c->register_ring(ring, err); });
}

PFR_EXPORT void dna_cluster_set_cpu_affinity(pfring_dna_cluster *handle, u_int32_t rx_core_id, u_int32_t) {
  call(handle, [&](Cluster *c, std::string &) {
    c->set_affinity(rx_core_id);
    return 0;
  });
}

PFR_EXPORT int dna_cluster_set_mode(pfring_dna_cluster *handle, socket_mode mode) {
  return call(handle, [&](Cluster *c, std::string &err) { return c->set_mode(mode, err); });
}

PFR_EXPORT void dna_cluster_set_distribution_function(pfring_dna_cluster *handle,
                                                      pfring_dna_cluster_distribution_func func) {
  call(handle, [&](Cluster *c, std::string &) {
    c->set_distribution(func);
    return 0;
  });
}

PFR_EXPORT void dna_cluster_set_distribution_function_num_slaves(pfring_dna_cluster *handle,
                                                                 pfring_dna_cluster_guide_distribution_func func) {
  call(handle, [&](Cluster *c, std::string &) {
    c->set_distribution_guide(func);
    return 0;
  });
}

PFR_EXPORT void dna_cluster_set_wait_mode(pfring_dna_cluster *handle, u_int32_t active_wait) {
  call(handle, [&](Cluster *c, std::string &) {
    c->set_active_wait(active_wait != 0);
    return 0;
  });
}

PFR_EXPORT int dna_cluster_enable(pfring_dna_cluster *handle) {
  return call(handle, [&](Cluster *c, std::string &err) { return c->enable(err); });
}

PFR_EXPORT int dna_cluster_disable(pfring_dna_cluster *handle) {
  return call(handle, [&](Cluster *c, std::string &) { return c->disable(); });
}

PFR_EXPORT int dna_cluster_stats(pfring_dna_cluster *handle, pfring_dna_cluster_stat *stats) {
  return call(handle, [&](Cluster *c, std::string &err) {
    if (!stats) {
      err = "stats is NULL";
      return PF_RING_ERROR_INVALID_ARGUMENT;
    }
    c->stats(stats);
    return 0;
  });
}

PFR_EXPORT int dna_cluster_stats_guide(pfring_dna_cluster *handle, u_int64_t *tot_rx_packets,
                                       u_int64_t *tot_tx_packets, u_int64_t *tot_rx_processed) {
  return call(handle, [&](Cluster *c, std::string &err) {
    if (!tot_rx_packets || !tot_tx_packets || !tot_rx_processed) {
      err = "a counter pointer is NULL";
      return PF_RING_ERROR_INVALID_ARGUMENT;
    }
    pfring_dna_cluster_stat s;
    c->stats(&s);
    *tot_rx_packets = s.tot_rx_packets;
    *tot_tx_packets = s.tot_tx_packets;
    *tot_rx_processed = s.tot_rx_processed;
    return 0;
  });
}

PFR_EXPORT void dna_cluster_destroy(pfring_dna_cluster *handle) {
  Cluster *c = live(handle);
  if (!c) return;
  {
    std::lock_guard<std::mutex> lock(g_live_mutex);
    g_live.erase(c);
  }
  delete c;
}

// ---- DNA Bouncer: not yet (issue: libzero step 3) ------------------------

PFR_EXPORT pfring_dna_bouncer *pfring_dna_bouncer_create(pfring *, pfring *) {
  failed(PF_RING_ERROR_NOT_SUPPORTED, "the DNA Bouncer is not implemented yet");
  return nullptr;
}

PFR_EXPORT int pfring_dna_bouncer_set_mode(pfring_dna_bouncer *, dna_bouncer_mode) {
  return failed(PF_RING_ERROR_NOT_SUPPORTED, "the DNA Bouncer is not implemented yet");
}

PFR_EXPORT int pfring_dna_bouncer_loop(pfring_dna_bouncer *, pfring_dna_bouncer_decision_func, const u_char *,
                                       u_int8_t) {
  return failed(PF_RING_ERROR_NOT_SUPPORTED, "the DNA Bouncer is not implemented yet");
}

PFR_EXPORT void pfring_dna_bouncer_breakloop(pfring_dna_bouncer *) {}

PFR_EXPORT void pfring_dna_bouncer_destroy(pfring_dna_bouncer *) {}
