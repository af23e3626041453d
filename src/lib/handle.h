// handle.h - pfr::Handle, what a pfring * points to: one ring, its module
// and the software features libpfring adds on top of every module (DESIGN.md decision 3):
// direction, BPF, wildcard/hash rules with the default policy, sampling,
// statistics and the last error.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

// The library's handle is pfr::Handle, derived from the struct __pfring
// of pfring.h (its public members, PFRING_PUBLIC_HANDLE_FIELDS): a program
// reads those where they are, every exported function takes and returns
// the one struct __pfring a program sees (a second definition of it would
// break C++'s one-definition rule under LTO), and converts with
// pfr::handle() on entry.

#include "bpf.h"
#include "module.h"
#include "pfring.h"
#include "rule_set.h"

namespace pfr {

struct Handle : ::__pfring {
  // Public (pfring.h, the base): fd, enabled, mtu_len, caplen, device_name
  // (points into name_given), recv, send, send_ifindex, stats, dna_* (NULL).

  std::unique_ptr<pfr::Module> mod;
  const pfr::ModuleInfo *info = nullptr;
  std::string name_given;  // as given to pfring_open
  pfr::DeviceName name;
  uint32_t flags = 0;

  std::atomic<bool> break_loop{false};
  packet_direction direction = rx_and_tx_direction;
  socket_mode mode = send_and_recv_mode;
  uint32_t sample_rate = 1;
  uint32_t sample_counter = 0;
  uint8_t default_accept = 1;
  bool rss_rehash = false;
  filtering_mode filter_mode = software_only;
  uint16_t poll_watermark = DEFAULT_POLL_WATERMARK;
  uint16_t tx_watermark = 1;
  unsigned poll_duration_ms = DEFAULT_POLL_DURATION_MS;
  std::string appname;
  std::string appl_stats;  // pfring_set_application_stats (in the JSON device stats)
  int cluster_id = -1;

  pfr::RuleSet rules;
  pfr::BpfFilter bpf;
  bool bpf_in_device = false;  // the module runs bpf's program too (set_device_bpf)

  // pfring_send(flush_packet = 0): frames copied here and sent as one
  // send_burst at the next flush (pfring_send.cpp). Memory is taken at the
  // first queued frame and kept: no allocation per packet.
  struct TxTrain {
    static constexpr unsigned kFrames = 64;
    static constexpr uint32_t kSlot = 16384;  // larger frames go alone
    std::vector<uint8_t> bytes;               // kFrames x kSlot
    pfr::TxFrame frames[kFrames];
    unsigned n = 0;
    int if_index = -1;
    uint64_t dropped = 0;  // refused by the device at a flush
  } train;

  uint64_t delivered = 0;        // packets handed to the application
  uint64_t delivered_bytes = 0;  // their wire length
  uint64_t reflected = 0;        // reflect/bounce actions performed

  // Burst staging: packets received from the module, not yet examined.
  std::vector<pfr::RawPacket> burst;
  // burst[i]'s hash-rule lookup, worked out when the burst was staged;
  // dropped (valid = false) when the packet is parsed again.
  std::vector<pfr::HashLookup> burst_hash;
  unsigned burst_pos = 0, burst_n = 0;
  int pending_status = 0;  // EOF/error to report once the staged packets are gone
  pfr::RawPacket *peeked = nullptr;  // accepted by pfring_next_pkt_time, not yet delivered

  // Last delivered packet (for pfring_send_last_rx_packet).
  const uint8_t *last_pkt = nullptr;
  uint32_t last_caplen = 0;

  // Reflector devices of reflect rules (opened when the rule is added,
  // closed with the ring) and the buffer bounce builds its frame in.
  std::vector<std::pair<std::string, Handle *>> reflectors;
  std::vector<uint8_t> bounce_buf;
  // pfring_set_reflector_device: every delivered packet goes out there too.
  Handle *reflector_all = nullptr;
  // pfring_shutdown: receives fail from then on.
  std::atomic<bool> shut_down{false};

  // PF_RING_REENTRANT, as PF_RING 5.x's RX and TX locks: rx_mutex guards
  // the receive path and what it reads (the staged burst, filters, rules,
  // sampling), so the calls that change those take it too; tx_mutex
  // guards sends (a reflection inside a receive takes it after rx_mutex);
  // wait_mutex guards the module's receive side (recv_burst, poll) and is
  // all a receiver holds while it waits for traffic: a send, a filter
  // change or stats from another thread never wait for a packet.
  // Order: rx_mutex, then wait_mutex or tx_mutex.
  std::mutex rx_mutex, tx_mutex, wait_mutex;
  // Calls in progress that pfring_close must wait for (api_util.h
  // CallGuard), and the close that has begun: waiting calls end with
  // PF_RING_ERROR_INVALID_STATUS, then the handle is freed.
  std::atomic<int> active_calls{0};
  std::atomic<bool> closing{false};
  // pfring_close was called by a thread inside a call on this ring (a
  // pfring_loop callback): the outermost call frees it when it returns.
  std::atomic<bool> close_deferred{false};
  mutable std::mutex err_mutex;
  std::string last_error;

  // Records an error message for pfring_get_last_error(); returns code.
  int fail(int code, const std::string &msg);

  Handle();
  Handle(const Handle &) = delete;
  Handle &operator=(const Handle &) = delete;
  ~Handle();  // closes the reflector devices
};

// Every handle a program holds was made by pfring_open() as a Handle.
inline Handle *handle(pfring *r) { return static_cast<Handle *>(r); }

// Seconds on the clock rules use for idle purging (CLOCK_MONOTONIC).
uint64_t now_sec();
// Sends what pfring_send(..., 0) queued (pfring_close).
void flush_tx_train(Handle *r);
// Records this thread's last pfring_open() failure.
void set_open_error(const std::string &msg);
std::string get_open_error();
}  // namespace pfr
