// testbed_shm.h - the shared memory of a pfsim testbed (DESIGN.md "The
// software NIC": pfsim runs a named testbed so several processes can open
// sim:NAME:NIC@Q). One file /dev/shm/pfsim.NAME holds:
//
//   [TbHeader: testbed state, NIC table, client table][client rings...]
//
// Every client slot owns two rings in the src/core/ring.h format: RX
// (the daemon produces, the client consumes) and TX (the client produces,
// the daemon consumes). Slots are claimed by clients and served by the
// daemon through a small state machine in TbClient::state:
//
//   kFree --client CAS--> kClaimed --client fills, stores--> kRequest
//   kRequest --daemon makes the rings--> kAttached
//   kAttached --client closes--> kClosing --daemon drains TX--> kFree
//   (a client whose pid died is treated as kClosing)
//
// The daemon writes the NIC counters and its heartbeat; clients write only
// their own slot. Layout changes bump kTbVersion: a client refuses a
// testbed of another version with both numbers in the message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" {
#include "pfring_defs.h"
#include "ring.h"
}

namespace sim::tb {

constexpr uint32_t kTbMagic = 0x5046534du;  // "PFSM"
constexpr uint32_t kTbVersion = 1;
constexpr uint32_t kMaxNics = 8;
constexpr uint32_t kMaxClients = 32;
constexpr uint32_t kMaxHwRules = 16;
constexpr uint32_t kNameLen = 32;

// Testbed states (TbHeader::state).
enum : uint32_t { kTbStarting = 0, kTbRunning = 1, kTbStopped = 2 };

// Client slot states (TbClient::state).
enum : uint32_t { kFree = 0, kClaimed = 1, kRequest = 2, kAttached = 3, kClosing = 4 };

// One NIC: configuration (written at start) and counters (daemon).
struct alignas(64) TbNic {
  char name[kNameLen];
  uint32_t queues;
  uint32_t speed_gbps;
  uint8_t mac[6];
  uint8_t flow_control;  // 1: a full client ring stalls the source (PAUSE)
  uint8_t eos;           // 1: the NIC's source ended and will send no more
  int32_t if_index;      // index of the NIC in the testbed (0-based)
  // Counters (daemon): offered = delivered + missed + hw_dropped.
  uint64_t offered, delivered, missed, pause_frames, hw_dropped;
  uint64_t tx_packets, tx_bytes;
  uint64_t virtual_ns;    // the NIC's clock without clock_offset_ns
  int64_t clock_offset_ns;  // pfring_set/adjust_device_clock (clients, atomic)
  uint64_t queue_delivered[64];
  // Hardware filters (pfring_add_hw_rule): a client claims a slot
  // (hw_rule_used 0 -> 1), writes the rule, publishes it (-> 2) and bumps
  // hw_rules_gen; the daemon reloads the valid rules when the generation
  // changes and applies the lowest matching rule_id.
  uint32_t hw_rules_gen;
  uint32_t hw_rule_used[kMaxHwRules];  // 0 free, 1 being written, 2 valid
  hw_filtering_rule hw_rules[kMaxHwRules];
};

// One client (a pfring handle on sim:NAME:NIC[@Q]).
struct alignas(64) TbClient {
  uint32_t state;
  uint32_t pid;
  uint32_t nic;
  int32_t queue;           // -1: all queues
  uint32_t enabled;        // pfring_enable_ring (auto on first recv)
  uint32_t want_tx;        // also receives what its NIC transmits (direction)
  uint32_t want_rx;        // receives what its NIC receives
  uint32_t in_cluster;     // 1: member of cluster_id
  uint32_t cluster_id;
  uint32_t cluster_type;
  uint32_t config_gen;     // bumped by the client after changing the fields above
  uint64_t rx_ring_off, tx_ring_off;  // from the start of the mapping
  uint64_t rx_full_drops;  // packets the daemon could not queue (flow control off)
  uint64_t tx_sent;        // packets the daemon sent from the TX ring (release after last_tx_ns)
  uint64_t last_tx_ns;     // TX timestamp of the last of them (NIC clock, no offset)
};

struct TbHeader {
  uint32_t magic;
  uint32_t version;
  uint32_t state;
  uint32_t daemon_pid;
  uint32_t num_nics;
  uint32_t ring_slots;   // slots per client ring
  uint32_t slot_size;    // bytes per slot (ring.h)
  uint32_t pad;
  uint64_t ring_bytes;   // bytes per ring
  uint64_t rings_off;    // first ring
  uint64_t total_bytes;  // whole mapping
  uint64_t heartbeat;    // daemon loop passes
  char name[kNameLen];
  TbNic nics[kMaxNics];
  TbClient clients[kMaxClients];
};

// The mapping's bytes for ring geometry (slots, slot_size).
inline uint64_t testbed_bytes(uint32_t slots, uint32_t slot_size, uint64_t *ring_bytes, uint64_t *rings_off) {
  uint64_t rb = (pfc_ring_bytes(slots, slot_size) + 4095) & ~uint64_t(4095);
  uint64_t off = (sizeof(TbHeader) + 4095) & ~uint64_t(4095);
  if (ring_bytes) *ring_bytes = rb;
  if (rings_off) *rings_off = off;
  return off + rb * 2 * kMaxClients;
}

// The shared-memory object name of testbed NAME ("/pfsim.NAME").
inline std::string shm_name(const std::string &name) { return "/pfsim." + name; }

// True for a usable testbed name: 1..31 of [A-Za-z0-9_-].
inline bool valid_name(const std::string &name) {
  if (name.empty() || name.size() >= kNameLen) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return false;
  return true;
}

template <typename T>
inline T load_acquire(const T *p) {
  return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
template <typename T>
inline void store_release(T *p, T v) {
  __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

}  // namespace sim::tb
