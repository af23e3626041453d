// shim_handle.h - what the shim keeps for a pcap_t that PF_RING serves.
//
// The application gets a real pcap_t from pcap_open_dead(): every libpcap
// call the shim does not override (pcap_datalink, pcap_compile,
// pcap_geterr, pcap_dump, ...) runs natively on it. This side table maps
// that pcap_t to the ring and the settings made before pcap_activate().
#pragma once

#include <pcap/pcap.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "pfring.h"
#include "pfring_pcap.h"

// The libpcap functions the shim overrides; everything else is hidden.
#define PFSHIM_API extern "C" __attribute__((visibility("default")))

namespace pfshim {

struct ShimHandle {
  pcap_t *p = nullptr;      // the handle the application holds
  pcap_t *shape = nullptr;  // dead handle with the activated snaplen and precision (dump files), or nullptr
  std::string device;       // the name given to pcap_create()
  pfring *ring = nullptr;   // set by pcap_activate()

  // Settings before pcap_activate() (libpcap's defaults).
  int snaplen = 262144;
  bool promisc = false;
  int timeout_ms = 0;  // 0: wait forever, as libpcap on Linux
  bool immediate = false;
  int buffer_size = 0;
  int precision = PCAP_TSTAMP_PRECISION_MICRO;
  int tstamp_type = PCAP_TSTAMP_HOST;

  // pfring_pcap.h's calls made before pcap_activate() (0 / empty: none).
  std::string appname;
  unsigned cluster_id = 0;
  unsigned watermark = 0;

  bool nonblock = false;
  bool active_poll = false;  // PCAP_PF_RING_ACTIVE_POLL: spin instead of sleeping in poll()
  bool finished = false;     // a finite device delivered its last packet
  std::atomic<bool> break_loop{false};

  // The last packet handed out by pcap_next_ex()/pcap_next(): a
  // pcap_pkthdr with the ns timestamp after it, as PF_RING's libpcap.
  struct ns_pcaphdr hdr {};

  // Packets of the last pfring_recv_burst() not handed out yet: zero-copy
  // buffers, valid until the next receive on the ring (the shim makes none
  // before these are used up).
  static constexpr unsigned kBurst = 32;
  u_char *bufs[kBurst] = {};
  struct pfring_pkthdr hdrs[kBurst] = {};
  unsigned count = 0;
  unsigned pos = 0;
};

// Error text into the handle's own errbuf (pcap_geterr() returns it).
void set_error(pcap_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// The side table. lookup() is lock-free (it runs on every packet call);
// insert()/remove() are serialized. lookup(nullptr) is nullptr.
ShimHandle *lookup(pcap_t *p);
bool insert(ShimHandle *h);
void remove(ShimHandle *h);

// Applies the pfring_pcap.h settings kept in h to its ring; PCAP_ERROR
// with the message when the ring refuses one.
int apply_ext_settings(ShimHandle *h, cluster_type type);

// The last error of ring (or of the last failed pfring_open() with ring
// nullptr) into p's errbuf, prefixed by what; returns PCAP_ERROR.
int ring_error(pcap_t *p, pfring *ring, const char *what);

}  // namespace pfshim
