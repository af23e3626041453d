// pfring_filter.cpp - sampling, wildcard/hash rules, BPF, policy, in-NIC
// rules and clusters (guide 8.7 - 8.12).
#include <cstring>

#include "api_util.h"

using namespace pfr;

namespace {

bool is_reflect_action(rule_action_behaviour a) {
  return a == reflect_packet_and_stop_rule_evaluation || a == reflect_packet_and_continue_rule_evaluation ||
         a == bounce_packet_and_stop_rule_evaluation || a == bounce_packet_and_continue_rule_evaluation;
}

int copy_stats(pfr::Handle *r, u_int64_t match, u_int64_t filtered, u_int64_t last, char *stats, u_int *stats_len) {
  if (!stats || !stats_len) return r->fail(PF_RING_ERROR_INVALID_ARGUMENT, "stats and stats_len must not be NULL");
  if (*stats_len < sizeof(hash_filtering_rule_stats))
    return r->fail(PF_RING_ERROR_INVALID_ARGUMENT,
                   "stats buffer too small: need " + std::to_string(sizeof(hash_filtering_rule_stats)) + " bytes");
  hash_filtering_rule_stats s;
  std::memset(&s, 0, sizeof(s));
  s.match = match;
  s.filtered = filtered;
  uint64_t now = now_sec();
  s.inactivity = static_cast<u_int32_t>(now > last ? now - last : 0);
  std::memcpy(stats, &s, sizeof(s));
  *stats_len = sizeof(s);
  return 0;
}

// A DeviceFilter call's result: the count/0, or the failure with its message.
int device_result(pfr::Handle *ring, int rc, const std::string &err) {
  return rc < 0 ? ring->fail(rc, err.empty() ? "device '" + ring->name_given + "' refused the call" : err) : rc;
}

}  // namespace

PFR_EXPORT int pfring_set_sampling_rate(pfring *ring_pub, u_int32_t rate) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (rate == 0) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "sampling rate must be at least 1");
    ReentrantLock lock(ring);
    if (DeviceFilter *df = ring->mod->device_filter()) {
      std::string err;
      return device_result(ring, df->set_sampling(rate, err), err);
    }
    ring->sample_rate = rate;
    ring->sample_counter = 0;
    return 0;
  });
}

namespace {

// Readies the device a reflect/bounce rule sends on: the ring's own device
// (bounce, or no/the same reflector name) must transmit; another device is
// opened now so that a wrong name fails here, not per packet. 0 or <0.
int attach_reflector(pfr::Handle *ring, rule_action_behaviour action, const char *name_field) {
  if (!is_reflect_action(action)) return 0;
  std::string name(name_field, strnlen(name_field, REFLECTOR_NAME_LEN));
  bool bounce = action == bounce_packet_and_stop_rule_evaluation || action == bounce_packet_and_continue_rule_evaluation;
  if (bounce || name.empty() || name == ring->name_given) {
    if (!ring->mod->can_transmit())
      return ring->fail(PF_RING_ERROR_NOT_SUPPORTED, "reflect/bounce rules need a device that can transmit; '" +
                                                         ring->name_given + "' cannot");
    return 0;
  }
  for (const auto &r : ring->reflectors)
    if (r.first == name) return 0;
  pfring *out = pfring_open(name.c_str(), 9216, 0);
  if (!out)
    return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT,
                      "cannot open reflector device '" + name + "': " + get_open_error());
  if (pfring_set_socket_mode(out, send_only_mode) < 0 || pfring_enable_ring(out) < 0) {
    char why[256] = "";
    pfring_get_last_error(out, why, sizeof(why));
    pfring_close(out);
    return ring->fail(PF_RING_ERROR_NOT_SUPPORTED, "reflector device '" + name + "' cannot transmit: " + why);
  }
  ring->reflectors.emplace_back(name, pfr::handle(out));
  return 0;
}

}  // namespace

PFR_EXPORT int pfring_add_filtering_rule(pfring *ring_pub, filtering_rule *rule_to_add) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (!rule_to_add) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "rule is NULL");
    const filtering_rule &r = *rule_to_add;
    if (pfc_wc_rule_validate(&r) != 0)
      return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT,
                        "invalid rule " + std::to_string(r.rule_id) +
                            ": action out of range, port range with low > high, or balance_id >= balance_pool");
    ReentrantLock lock(ring);
    if (DeviceFilter *df = ring->mod->device_filter()) {
      std::string err;  // the device checks ids, plugins and reflector names
      return device_result(ring, df->add_rule(r, err), err);
    }
    if (r.extended_fields.filter_plugin_id || r.plugin_action.plugin_id)
      return ring->fail(PF_RING_ERROR_NOT_SUPPORTED, "plugins run in pf_ring.ko only; this ring's module is '" +
                                                         std::string(ring->info->name) + "'");
    if (ring->rules.find_wildcard(r.rule_id))
      return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "rule id " + std::to_string(r.rule_id) + " is already in use");
    if (int rc = attach_reflector(ring, r.rule_action, r.reflector_device_name); rc < 0) return rc;
    return ring->rules.add_wildcard(r, now_sec());
  });
}

PFR_EXPORT int pfring_remove_filtering_rule(pfring *ring_pub, u_int16_t rule_id) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    ReentrantLock lock(ring);
    if (DeviceFilter *df = ring->mod->device_filter()) {
      std::string err;
      return device_result(ring, df->remove_rule(rule_id, err), err);
    }
    if (ring->rules.remove_wildcard(rule_id) != 0)
      return ring->fail(PF_RING_ERROR_NOT_FOUND, "no rule with id " + std::to_string(rule_id));
    return 0;
  });
}

PFR_EXPORT int pfring_get_filtering_rule_stats(pfring *ring_pub, u_int16_t rule_id, char *stats, u_int *stats_len) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    ReentrantLock lock(ring);
    if (DeviceFilter *df = ring->mod->device_filter()) {
      if (!stats || !stats_len) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "stats and stats_len must not be NULL");
      std::string err;
      return device_result(ring, df->rule_stats(rule_id, stats, stats_len, err), err);
    }
    const pfc_wc_rule *w = ring->rules.find_wildcard(rule_id);
    if (!w) return ring->fail(PF_RING_ERROR_NOT_FOUND, "no rule with id " + std::to_string(rule_id));
    return copy_stats(ring, w->match, w->filtered, w->last_match_sec, stats, stats_len);
  });
}

PFR_EXPORT int pfring_purge_idle_rules(pfring *ring_pub, u_int16_t inactivity_sec) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    ReentrantLock lock(ring);
    if (DeviceFilter *df = ring->mod->device_filter()) {
      std::string err;
      return device_result(ring, df->purge_idle(false, inactivity_sec, err), err);
    }
    return ring->rules.purge_idle_wildcard(now_sec(), inactivity_sec);
  });
}

PFR_EXPORT int pfring_handle_hash_filtering_rule(pfring *ring_pub, hash_filtering_rule *rule_to_add, u_char add_rule) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (!rule_to_add) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "rule is NULL");
    ReentrantLock lock(ring);
    if (DeviceFilter *df = ring->mod->device_filter()) {
      if (add_rule && static_cast<unsigned>(rule_to_add->rule_action) >= PFC_NUM_RULE_ACTIONS)
        return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "hash rule action out of range");
      std::string err;
      return device_result(ring, df->hash_rule(*rule_to_add, add_rule != 0, err), err);
    }
    pfc_hash_key key;
    pfc_hash_key_from_rule(rule_to_add, &key);
    if (!add_rule) {
      if (ring->rules.remove_hash(key) != 0)
        return ring->fail(PF_RING_ERROR_NOT_FOUND, "no hash rule with this 6-tuple");
      return 0;
    }
    if (static_cast<unsigned>(rule_to_add->rule_action) >= PFC_NUM_RULE_ACTIONS)
      return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "hash rule action out of range");
    if (rule_to_add->plugin_action.plugin_id)
      return ring->fail(PF_RING_ERROR_NOT_SUPPORTED, "plugins run in pf_ring.ko only");
    if (int rc = attach_reflector(ring, rule_to_add->rule_action, rule_to_add->reflector_device_name); rc < 0)
      return rc;
    if (ring->rules.add_hash(*rule_to_add, now_sec()) != 0)
      return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "a hash rule with this 6-tuple exists already");
    return 0;
  });
}

PFR_EXPORT int pfring_get_hash_filtering_rule_stats(pfring *ring_pub, hash_filtering_rule *rule, char *stats,
                                                    u_int *stats_len) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (!rule) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "rule is NULL");
    ReentrantLock lock(ring);
    if (DeviceFilter *df = ring->mod->device_filter()) {
      if (!stats || !stats_len) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "stats and stats_len must not be NULL");
      std::string err;
      return device_result(ring, df->hash_rule_stats(*rule, stats, stats_len, err), err);
    }
    pfc_hash_key key;
    pfc_hash_key_from_rule(rule, &key);
    const pfc_hash_rule *h = ring->rules.find_hash(key);
    if (!h) return ring->fail(PF_RING_ERROR_NOT_FOUND, "no hash rule with this 6-tuple");
    return copy_stats(ring, h->match, h->filtered, h->last_match_sec, stats, stats_len);
  });
}

PFR_EXPORT int pfring_purge_idle_hash_rules(pfring *ring_pub, u_int16_t inactivity_sec) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    ReentrantLock lock(ring);
    if (DeviceFilter *df = ring->mod->device_filter()) {
      std::string err;
      return device_result(ring, df->purge_idle(true, inactivity_sec, err), err);
    }
    return ring->rules.purge_idle_hash(now_sec(), inactivity_sec);
  });
}

PFR_EXPORT int pfring_set_bpf_filter(pfring *ring_pub, const char *filter_buffer) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (!filter_buffer) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "filter is NULL");
    ReentrantLock lock(ring);
    std::string err;
    if (!ring->bpf.set(filter_buffer, static_cast<int>(ring->caplen), err))
      return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, err);
    // The device filters first where it can (kernel socket filter), with
    // its own live compilation of the expression where it has one; the
    // handle keeps the program for what the device did not filter.
    ring->bpf_in_device = ring->mod->set_device_bpf_expr(filter_buffer) == 0 ||
                          ring->mod->set_device_bpf(ring->bpf.program()) == 0;
    return 0;
  });
}

PFR_EXPORT int pfring_set_bpf_program(pfring *ring_pub, const struct bpf_program *program) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (!program) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "program is NULL");
    ReentrantLock lock(ring);
    std::string err;
    if (!ring->bpf.set_program(*program, err)) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, err);
    ring->bpf_in_device = ring->mod->set_device_bpf(ring->bpf.program()) == 0;
    return 0;
  });
}

PFR_EXPORT int pfring_remove_bpf_filter(pfring *ring_pub) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    ReentrantLock lock(ring);
    if (!ring->bpf.active()) return ring->fail(PF_RING_ERROR_NOT_FOUND, "no BPF filter is set");
    ring->bpf.clear();
    ring->bpf_in_device = false;
    int rc = ring->mod->set_device_bpf(nullptr);
    if (rc < 0 && rc != PF_RING_ERROR_NOT_SUPPORTED)
      return ring->fail(rc, "device '" + ring->name_given + "' could not remove its kernel filter");
    return 0;
  });
}

PFR_EXPORT int pfring_toggle_filtering_policy(pfring *ring_pub, u_int8_t rules_default_accept_policy) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    ReentrantLock lock(ring);
    if (DeviceFilter *df = ring->mod->device_filter()) {
      std::string err;
      return device_result(ring, df->set_policy(rules_default_accept_policy != 0, err), err);
    }
    ring->default_accept = rules_default_accept_policy ? 1 : 0;
    return 0;
  });
}

namespace {

// The message of a failed in-NIC rule call.
int hw_rule_failure(pfr::Handle *ring, int rc, const hw_filtering_rule *rule) {
  if (rc == PF_RING_ERROR_NOT_SUPPORTED)
    return ring->fail(rc, ring->mod->has_hw_filters()
                              ? "device '" + ring->name_given + "' takes Intel 82599 five-tuple and perfect-filter "
                                "rules only, not rule family " + std::to_string(rule->rule_family_type)
                              : "device '" + ring->name_given + "' has no hardware filters");
  if (rc == PF_RING_ERROR_NOT_FOUND)
    return ring->fail(rc, "no hardware rule with id " + std::to_string(rule->rule_id));
  if (rc == PF_RING_ERROR_NOT_ENOUGH_MEMORY)
    return ring->fail(rc, "the NIC's hardware rule table is full");
  return ring->fail(rc, "hardware rule " + std::to_string(rule->rule_id) + " failed");
}

}  // namespace

PFR_EXPORT int pfring_add_hw_rule(pfring *ring_pub, hw_filtering_rule *rule) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (!rule) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "rule is NULL");
    int rc = ring->mod->add_hw_rule(rule);
    return rc < 0 ? hw_rule_failure(ring, rc, rule) : rc;
  });
}

PFR_EXPORT int pfring_remove_hw_rule(pfring *ring_pub, hw_filtering_rule *rule) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (!rule) return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "rule is NULL");
    int rc = ring->mod->remove_hw_rule(rule->rule_id);
    return rc < 0 ? hw_rule_failure(ring, rc, rule) : rc;
  });
}

PFR_EXPORT int pfring_set_filtering_mode(pfring *ring_pub, filtering_mode mode) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (mode != hardware_and_software && mode != hardware_only && mode != software_only)
      return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "unknown filtering mode");
    if (mode != software_only && !ring->mod->has_hw_filters())
      return ring->fail(PF_RING_ERROR_NOT_SUPPORTED,
                        "device '" + ring->name_given + "' has no hardware filters; only software_only applies");
    ring->filter_mode = mode;
    return 0;
  });
}

PFR_EXPORT int pfring_set_cluster(pfring *ring_pub, u_int clusterId, cluster_type the_type) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    if (static_cast<unsigned>(the_type) > cluster_per_inner_flow_tcp_5_tuple)
      return ring->fail(PF_RING_ERROR_INVALID_ARGUMENT, "unknown cluster type");
    ReentrantLock lock(ring);
    // Clusters split a shared device among readers: the module does it
    // (pfsim testbed, kernel, PACKET_FANOUT); a private device (a file)
    // has one reader and nothing to split.
    std::string err;
    int rc = ring->mod->set_cluster(clusterId, the_type, err);
    if (rc == PF_RING_ERROR_NOT_SUPPORTED)
      return ring->fail(rc, "clusters are not supported by module '" + std::string(ring->info->name) + "': " + err);
    if (rc < 0) return ring->fail(rc, err);
    ring->cluster_id = static_cast<int>(clusterId);
    return 0;
  });
}

PFR_EXPORT int pfring_remove_from_cluster(pfring *ring_pub) {
  pfr::Handle *ring = pfr::handle(ring_pub);
  return guarded(ring, [&] {
    ReentrantLock lock(ring);
    if (ring->cluster_id < 0) return ring->fail(PF_RING_ERROR_NOT_FOUND, "ring is not in a cluster");
    int rc = ring->mod->remove_from_cluster();
    if (rc == PF_RING_ERROR_NOT_SUPPORTED)
      return ring->fail(rc, "module '" + std::string(ring->info->name) + "' cannot leave cluster " +
                                std::to_string(ring->cluster_id) + " (membership ends with pfring_close)");
    if (rc < 0) return ring->fail(rc, "cannot leave cluster " + std::to_string(ring->cluster_id));
    ring->cluster_id = -1;
    return 0;
  });
}
