// shim_env.h - the environment variables of PF_RING's libpcap, read when a
// PF_RING handle is activated.
#pragma once

#include <string>

#include "pfring.h"

namespace pfshim {

struct EnvSettings {
  bool active_poll = false;   // PCAP_PF_RING_ACTIVE_POLL
  bool symmetric_rss = false; // PCAP_PF_RING_DNA_RSS or PCAP_PF_RING_ZC_RSS
  unsigned cluster_id = 0;    // PCAP_PF_RING_CLUSTER_ID (1-254), 0 none
  cluster_type cluster = cluster_round_robin;  // PCAP_PF_RING_USE_CLUSTER_*
  std::string appname;        // PCAP_PF_RING_APPNAME
  bool rss_rehash = false;    // PCAP_PF_RING_RSS_REHASH
  bool recv_only = false;     // PCAP_PF_RING_RECV_ONLY
  bool hw_timestamp = false;  // PCAP_PF_RING_HW_TIMESTAMP
};

// PCAP_NO_PF_RING is set: every device goes to libpcap itself.
bool pf_ring_disabled();

// Reads the variables. Returns true, or false with a message naming the
// variable whose value is wrong.
bool read_env(EnvSettings &out, std::string &err);

}  // namespace pfshim
