// nic.h - the receive side of the software NIC (DESIGN.md decisions 4 and
// 5, "The software NIC"): a serial link, Toeplitz RSS over N queues of D
// descriptors, 802.3x flow control, modelled consumers, and counters that
// are a function of the inputs alone.
//
// How a frame goes through (all in virtual time, clock.h; link.h for units):
//  1. The peer offers it, ready to send at ready_ns. The wire is serial and
//     the present cannot be rewritten: transmission starts at
//     max(ready, the NIC's clock, the end of a PAUSE in force); the clock is
//     never behind the last arrival, so frames never overlap. The frame has
//     arrived when its last bit (and the IFG) has: arrival = start +
//     wire_time_ps(len). The NIC clock moves to the arrival.
//  2. pfc_parse_pkt (level 4) and pfc_rss_input/pfc_rss_hash pick the hash
//     (IPv4/IPv6 2-tuple, TCP/UDP 4-tuple; an IP fragment with more
//     fragments to come is hashed by its 2-tuple); the 128-entry RETA picks
//     the queue (pfc_rss_queue; a packet no hash type applies to gets hash
//     0 and queue 0, as rss.h says). Hardware filters (set_hw_rules, the
//     rules of pfring_add_hw_rule) then decide as hwrule.h says: the
//     matching rule with the lowest rule_id moves the frame to its queue,
//     or drops it (kFiltered, counted as hw_dropped, never offered to a
//     queue).
//  3. Consumers first take what they would have taken by the arrival: each
//     queue's consumer needs service_ns per packet, one at a time, in
//     order; packet k leaves its descriptor at
//        departure_k = max(arrival_k, departure_{k-1}) + service
//     (the descriptor is busy while the packet is being served). A
//     departure at the same picosecond as an arrival happens first.
//  4. If the queue's D descriptors are all busy the frame is missed (counted
//     per queue). Otherwise its bytes (up to slot_bytes) are copied into the
//     queue's preallocated slot - no allocation per packet - with the
//     arrival timestamp, len, caplen and hash.
//  5. Flow control on: if the queue now has fewer than xoff_free free
//     descriptors, the NIC sends PAUSE(quanta) at the arrival time and the
//     peer starts nothing for quanta x 512 bit times. It sends XON (a PAUSE
//     with quanta 0) when every queue has more than xon_free free
//     descriptors, and the peer may start at once. A PAUSE that would
//     expire first is refreshed at its expiry (another PAUSE counted), as
//     NICs do while the buffer stays full. Nothing arrives during a pause
//     and departures are fixed at enqueue, so the XON time - and the number
//     of PAUSE frames - is known when the first PAUSE is sent; they are
//     counted then.
//
// The flow-control guarantee: PAUSE acts at once here (no propagation
// delay, so no frame is in flight after the NIC decides), and when
// 1 <= xoff_free <= xon_free < D every arrival finds its queue with at least
// xoff_free >= 1 free descriptors: with flow control on nothing is ever
// missed. (With k frames in flight after a PAUSE, xoff_free >= k + 1, i.e.
// D > k, would be needed; the model has k = 0.)
//
// Counters, always (queued = packets holding a descriptor):
//   offered == delivered + missed + queued, per queue and in total;
// after drain() queued is 0 and offered == delivered + missed.
// "delivered" counts packets the modelled consumer has taken by the clock.
// dequeue_burst hands those packets' bytes to a caller (the pfring module);
// the bytes stay in the slot until a later frame reuses it, so a caller
// that lags more than D packets behind loses the oldest (counted as
// overwritten_unread; they were delivered all the same).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "clock.h"
#include "link.h"
#include "rss_steer.h"

extern "C" {
#include "hwrule.h"
#include "rss.h"
}

namespace sim {

constexpr uint32_t kMaxQueues = 64;
constexpr uint32_t kMaxDescriptors = 65536;
// Latest ready time offer() takes (2^54 ns, 208 days): picosecond sums stay below 2^64.
constexpr uint64_t kMaxReadyNs = uint64_t(1) << 54;

// The 40-byte keys of rss.h as arrays.
std::array<uint8_t, PFC_RSS_KEY_LEN> microsoft_rss_key();
std::array<uint8_t, PFC_RSS_KEY_LEN> symmetric_rss_key();

struct SimNicConfig {
  LinkSpeed speed = LinkSpeed::k10G;
  uint32_t num_queues = 1;      // N RX queues, 1..64
  uint32_t descriptors = 512;   // D per queue, a power of two, 1..65536
  uint32_t slot_bytes = 2048;   // frame bytes kept per descriptor (caplen = min(len, this)), 1..65535
  std::array<uint8_t, PFC_RSS_KEY_LEN> rss_key = microsoft_rss_key();  // or symmetric_rss_key()
  uint32_t rss_hash_types = PFC_RSS_ALL_TYPES;  // PFC_RSS_* bits
  std::optional<std::array<uint8_t, PFC_RSS_RETA_SIZE>> reta;  // none: entry i = i % N; entries < N
  bool flow_control = false;    // 802.3x PAUSE; off: overflow is missed
  uint32_t xoff_free = 0;       // PAUSE when free descriptors < this; 0: max(1, D/8)
  uint32_t xon_free = 0;        // XON when every queue has free > this; 0: max(xoff, D/4)
  uint32_t pause_quanta = 0xFFFF;  // quanta of each PAUSE, 1..65535 (x 512 bit times)
  uint64_t service_ns = 0;      // consumer time per packet, every queue (0: takes at arrival)
  std::vector<uint64_t> queue_service_ns;  // empty: service_ns everywhere; else N entries
  uint64_t seed = 0;            // for randomness (none is used yet)
};

// One received packet as the consumer sees it.
struct SimRxDesc {
  const uint8_t *data = nullptr;  // caplen bytes, valid until the next offer() (kCopy)
  uint32_t len = 0;               // frame length (no FCS)
  uint32_t caplen = 0;            // bytes at data
  uint32_t pkt_hash = 0;          // RSS hash, as the NIC writes it back
  uint32_t queue = 0;
  uint64_t timestamp_ns = 0;      // arrival, ns (rounded down)
  uint64_t arrival_ps = 0;        // arrival, exact
  uint64_t departure_ps = 0;      // when the modelled consumer took it
};

// Where a descriptor's bytes live. kCopy: copied into the queue's buffer
// (the caller's frame may change right after offer()). kBorrowed: the
// caller promises the frame stays valid and unchanged as long as the NIC
// lives (a capture file mapped for the whole replay), so the descriptor
// points at it instead - as a NIC that DMAs into buffers the reader owns.
// The same caplen and bytes either way; a borrowed frame just never gets
// overwritten, and the NIC touches no buffer memory for it.
enum class FrameMemory { kCopy, kBorrowed };

enum class OfferStatus {
  kEnqueued,  // holds a descriptor
  kMissed,    // queue full (flow control off, or thresholds that allow it)
  kFiltered,  // a hardware filter dropped it (on the wire, then counted as hw_dropped)
  kInvalid,   // null frame, len 0 or ready past kMaxReadyNs: not offered, not counted
};

// A frame as the peer sends it: len bytes on the wire, of which the first
// caplen (<= len; more is cut to len) are known - a capture record may
// hold fewer bytes than went on the wire. The descriptor keeps
// min(caplen, slot_bytes) of them; the wire time is len's.
struct SimFrame {
  const uint8_t *data = nullptr;
  uint32_t caplen = 0;
  uint32_t len = 0;
  uint64_t ready_ps = 0;  // the peer has it ready to send (replay_pacer.h)
  FrameMemory memory = FrameMemory::kCopy;
};

struct SimOfferResult {
  OfferStatus status = OfferStatus::kInvalid;
  uint32_t queue = 0;
  uint32_t pkt_hash = 0;
  uint64_t arrival_ps = 0;    // when the last bit arrived
  uint64_t timestamp_ns = 0;  // arrival_ps / 1000, rounded down
  bool paused = false;        // this frame made the NIC send PAUSE
};

struct SimQueueStats {
  uint64_t offered = 0;    // frames RSS steered here
  uint64_t delivered = 0;  // taken by the modelled consumer by the clock
  uint64_t missed = 0;     // found every descriptor busy
  uint64_t queued = 0;     // holding a descriptor now
  uint64_t returned = 0;   // handed out by dequeue_burst
  uint64_t overwritten_unread = 0;  // delivered, reused before dequeue_burst asked
};

struct SimNicStats {
  uint64_t offered = 0;
  uint64_t delivered = 0;
  uint64_t missed = 0;
  uint64_t queued = 0;
  uint64_t hw_dropped = 0;    // dropped by a hardware filter (not in offered)
  uint64_t pause_frames = 0;  // PAUSE with quanta > 0 (refreshes included)
  uint64_t xon_frames = 0;    // PAUSE with quanta 0
  uint64_t virtual_ns = 0;    // the clock
};

class SimNic {
 public:
  // "" when cfg is usable, else what is wrong with it (one sentence).
  static std::string validate(const SimNicConfig &cfg);
  // A NIC with all its memory allocated (N x D slots of slot_bytes), or
  // nullptr with *error (if given) set to validate()'s message.
  static std::unique_ptr<SimNic> create(const SimNicConfig &cfg, std::string *error = nullptr);

  ~SimNic();
  SimNic(const SimNic &) = delete;
  SimNic &operator=(const SimNic &) = delete;

  // A frame of len bytes (no FCS) the peer sends no earlier than ready_ns.
  // Frames are offered in the order the peer sends them. See the top of
  // this file for what happens; the result says where it went and when.
  SimOfferResult offer(const uint8_t *frame, uint32_t len, uint64_t ready_ns,
                       FrameMemory memory = FrameMemory::kCopy);
  // The same for a frame whose capture may be shorter than the wire frame,
  // ready at a picosecond (a replay paced in ps, a frame from another wire).
  SimOfferResult offer(const SimFrame &f);

  // The NIC's hardware filters (hwrule.h), copied; n = 0 removes them.
  // Applied to every later frame. Returns false (and keeps the old ones)
  // when n > kMaxHwRules or rules is null with n > 0.
  static constexpr uint32_t kMaxHwRules = 256;
  bool set_hw_rules(const hw_filtering_rule *rules, uint32_t n);

  // Moves the clock to now_ns (never backwards) and returns up to max of
  // the packets queue's consumer took by now_ns that no earlier call
  // returned, oldest first. out[i].data stays valid until the next offer().
  // Returns the count (0 for a queue >= N or a null out).
  uint32_t dequeue_burst(uint32_t queue, SimRxDesc *out, uint32_t max, uint64_t now_ns);

  // Every packet the queue's consumer has taken so far that no earlier call
  // returned, oldest first, without moving the clock.
  uint32_t dequeue_taken(uint32_t queue, SimRxDesc *out, uint32_t max);

  // For a reader that must see every delivered packet (the sim: module):
  // the arrival offer(len, ready_ns) would give now, without side effects;
  // and letting consumers take what they take by t_ps without moving the
  // clock. Calling consume_until_ps(arrival_ps_of(...)) and dequeue_taken()
  // before offer() reads each packet before the new frame can reuse its
  // descriptor; offer() then behaves exactly as without them.
  uint64_t arrival_ps_of(uint32_t len, uint64_t ready_ns) const;
  uint64_t arrival_ps_at(uint32_t len, uint64_t ready_ps) const;
  void consume_until_ps(uint64_t t_ps);
  // Packets consumers took that no dequeue returned yet: of one queue, or
  // of all with kAllQueues. Cheap: lets a reader skip empty dequeues.
  static constexpr uint32_t kAllQueues = UINT32_MAX;
  uint64_t unread(uint32_t queue = kAllQueues) const;

  // Moves the clock to now_ns (never backwards); consumers take what they
  // would have by then.
  void advance_to(uint64_t now_ns);
  // Moves the clock to the last departure of every queued packet (the
  // consumers empty all queues), rounded up to a whole nanosecond, and
  // returns the clock in ns: dequeue_burst(q, ..., clock().now_ns()) then
  // sees every delivered packet. (now_ns arguments are instants,
  // now_ns x 1000 ps: a packet taken at 1804.8 ns is not taken by 1804.)
  uint64_t drain();

  SimNicStats stats() const;
  // Zeroes for a queue >= N.
  SimQueueStats queue_stats(uint32_t queue) const;
  const SimClock &clock() const { return clock_; }
  const SimNicConfig &config() const { return cfg_; }
  // Thresholds after defaults were applied.
  uint32_t xoff_free() const { return xoff_; }
  uint32_t xon_free() const { return xon_; }
  // When the current (or last) PAUSE ends, ps; 0 if none was sent.
  uint64_t pause_end_ps() const { return resume_ps_; }

 private:
  struct Queue;
  explicit SimNic(const SimNicConfig &cfg);
  void advance_consumers(uint64_t t_ps);
  uint32_t take(uint32_t queue, SimRxDesc *out, uint32_t max, uint64_t now_ps);
  // The queue (and *hash), or false when a hardware filter drops it.
  bool steer(const uint8_t *frame, uint32_t caplen, uint32_t *queue, uint32_t *hash) const;
  void send_pause(uint64_t at_ps);
  // Queue::advance on q, keeping unread_ (the sum over queues of
  // consumed - returned) up to date.
  void advance_queue(Queue &q, uint64_t t_ps);

  SimNicConfig cfg_;
  SimClock clock_;
  uint32_t xoff_ = 0, xon_ = 0;
  RssSteering rss_;
  std::vector<Queue> queues_;
  uint64_t resume_ps_ = 0;  // the peer may start no earlier (end of the last PAUSE)
  std::vector<hw_filtering_rule> hw_;  // sorted by rule_id
  uint64_t pause_frames_ = 0, xon_frames_ = 0, hw_dropped_ = 0;
  uint64_t unread_ = 0;  // unread(kAllQueues), kept so that readers can ask per packet
};

}  // namespace sim
