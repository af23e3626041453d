// shim_env.cpp - PF_RING libpcap's environment variables (see shim_env.h).
#include "shim_env.h"

#include <cerrno>
#include <cstdlib>

namespace pfshim {

namespace {

// PF_RING's libpcap tests these for being set, whatever the value.
bool is_set(const char *name) { return std::getenv(name) != nullptr; }

}  // namespace

bool pf_ring_disabled() { return is_set("PCAP_NO_PF_RING"); }

bool read_env(EnvSettings &out, std::string &err) {
  out = EnvSettings{};
  out.active_poll = is_set("PCAP_PF_RING_ACTIVE_POLL");
  out.symmetric_rss = is_set("PCAP_PF_RING_DNA_RSS") || is_set("PCAP_PF_RING_ZC_RSS");
  out.rss_rehash = is_set("PCAP_PF_RING_RSS_REHASH");
  out.recv_only = is_set("PCAP_PF_RING_RECV_ONLY");
  out.hw_timestamp = is_set("PCAP_PF_RING_HW_TIMESTAMP");
  if (const char *app = std::getenv("PCAP_PF_RING_APPNAME")) out.appname = app;

  if (const char *id = std::getenv("PCAP_PF_RING_CLUSTER_ID")) {
    char *end = nullptr;
    errno = 0;
    long v = std::strtol(id, &end, 10);
    if (errno || end == id || *end != '\0' || v < 1 || v > 254) {
      err = std::string("PCAP_PF_RING_CLUSTER_ID='") + id + "' is not a cluster id (1-254)";
      return false;
    }
    out.cluster_id = static_cast<unsigned>(v);
    // The first one set wins, in PF_RING's order; round robin otherwise.
    static const struct {
      const char *var;
      cluster_type type;
    } kTypes[] = {
        {"PCAP_PF_RING_USE_CLUSTER_PER_FLOW", cluster_per_flow},
        {"PCAP_PF_RING_USE_CLUSTER_PER_FLOW_2_TUPLE", cluster_per_flow_2_tuple},
        {"PCAP_PF_RING_USE_CLUSTER_PER_FLOW_4_TUPLE", cluster_per_flow_4_tuple},
        {"PCAP_PF_RING_USE_CLUSTER_PER_FLOW_TCP_5_TUPLE", cluster_per_flow_tcp_5_tuple},
        {"PCAP_PF_RING_USE_CLUSTER_PER_FLOW_5_TUPLE", cluster_per_flow_5_tuple},
        {"PCAP_PF_RING_USE_CLUSTER_ROUNDROBIN", cluster_round_robin},
    };
    for (const auto &t : kTypes)
      if (is_set(t.var)) {
        out.cluster = t.type;
        break;
      }
  }
  return true;
}

}  // namespace pfshim
