// nic.cpp - the receive side of the software NIC (see nic.h).
#include "nic.h"

#include <sys/mman.h>

#include <new>
#include <utility>

#include <algorithm>
#include <cstring>

extern "C" {
#include "parse.h"
}

namespace sim {

std::array<uint8_t, PFC_RSS_KEY_LEN> microsoft_rss_key() {
  std::array<uint8_t, PFC_RSS_KEY_LEN> k{};
  std::memcpy(k.data(), pfc_rss_default_key, k.size());
  return k;
}

std::array<uint8_t, PFC_RSS_KEY_LEN> symmetric_rss_key() {
  std::array<uint8_t, PFC_RSS_KEY_LEN> k{};
  std::memcpy(k.data(), pfc_rss_symmetric_key, k.size());
  return k;
}

// One descriptor. Indices into a queue are free-running 64-bit counters
// masked with D - 1 on access: [consumed, inserted) hold descriptors,
// [returned, consumed) were taken but not yet handed out by dequeue_burst.
// Frame memory of a queue: an anonymous mapping, so pages are zeroed and
// backed only when a frame first lands in them. D x slot_bytes can be large
// (4 queues x 4096 descriptors x 64 KiB = 1 GiB of address space) while a
// run touches a few MiB: allocating it zero-filled cost more than a replay.
class LazyBytes {
 public:
  LazyBytes() = default;
  explicit LazyBytes(size_t n) : n_(n) {
    if (n == 0) return;
    void *m = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) throw std::bad_alloc();
    p_ = static_cast<uint8_t *>(m);
  }
  ~LazyBytes() {
    if (p_) munmap(p_, n_);
  }
  LazyBytes(LazyBytes &&o) noexcept : p_(std::exchange(o.p_, nullptr)), n_(std::exchange(o.n_, 0)) {}
  LazyBytes &operator=(LazyBytes &&o) noexcept {
    if (this != &o) {
      if (p_) munmap(p_, n_);
      p_ = std::exchange(o.p_, nullptr);
      n_ = std::exchange(o.n_, 0);
    }
    return *this;
  }
  LazyBytes(const LazyBytes &) = delete;
  LazyBytes &operator=(const LazyBytes &) = delete;
  uint8_t &operator[](size_t i) { return p_[i]; }
  const uint8_t &operator[](size_t i) const { return p_[i]; }

 private:
  uint8_t *p_ = nullptr;
  size_t n_ = 0;
};

struct SimNic::Queue {
  struct Slot {
    uint64_t arrival_ps = 0;
    uint64_t departure_ps = 0;
    uint32_t len = 0, caplen = 0, hash = 0;
    const uint8_t *data = nullptr;  // its buffer in pool, or the caller's frame (FrameMemory)
  };
  std::vector<Slot> slots;      // D
  LazyBytes pool;               // D x slot_bytes frame bytes
  uint64_t inserted = 0, consumed = 0, returned = 0;
  uint64_t last_departure_ps = 0;
  uint64_t service_ps = 0;
  uint64_t offered = 0, missed = 0, overwritten_unread = 0;

  uint64_t occupancy() const { return inserted - consumed; }
  const Slot &at(uint64_t i) const { return slots[i & (slots.size() - 1)]; }
  Slot &at(uint64_t i) { return slots[i & (slots.size() - 1)]; }
  // Departures at or before t leave their descriptors; returns how many left.
  uint64_t advance(uint64_t t_ps) {
    uint64_t from = consumed;
    while (consumed < inserted && at(consumed).departure_ps <= t_ps) consumed++;
    return consumed - from;
  }
  // The first time at which this queue has at most `target` busy
  // descriptors, given that nothing more arrives; now_ps if it already has.
  uint64_t time_occupancy_at_most(uint64_t target, uint64_t now_ps) const {
    uint64_t n = occupancy();
    if (n <= target) return now_ps;
    return at(consumed + (n - target) - 1).departure_ps;
  }
};

static bool is_power_of_two(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

std::string SimNic::validate(const SimNicConfig &c) {
  if (!link_speed_valid(static_cast<uint32_t>(c.speed)))
    return "link speed must be 1, 10, 25, 40 or 100 Gbit/s";
  if (c.num_queues < 1 || c.num_queues > kMaxQueues)
    return "num_queues must be 1..64 (got " + std::to_string(c.num_queues) + ")";
  if (!is_power_of_two(c.descriptors) || c.descriptors > kMaxDescriptors)
    return "descriptors must be a power of two in 1..65536 (got " + std::to_string(c.descriptors) + ")";
  if (c.slot_bytes < 1 || c.slot_bytes > 65535)
    return "slot_bytes must be 1..65535 (got " + std::to_string(c.slot_bytes) + ")";
  if (c.reta) {
    for (size_t i = 0; i < c.reta->size(); i++)
      if ((*c.reta)[i] >= c.num_queues)
        return "reta entry " + std::to_string(i) + " is " + std::to_string((*c.reta)[i]) +
               ", not a queue below num_queues " + std::to_string(c.num_queues);
  }
  if (!c.queue_service_ns.empty() && c.queue_service_ns.size() != c.num_queues)
    return "queue_service_ns must be empty or have num_queues entries";
  const uint64_t max_service_ns = uint64_t(1) << 40;  // ~18 minutes: ps sums stay far from overflow
  if (c.service_ns > max_service_ns) return "service_ns must be at most 2^40";
  for (uint64_t s : c.queue_service_ns)
    if (s > max_service_ns) return "queue_service_ns entries must be at most 2^40";
  if (c.flow_control) {
    if (c.pause_quanta < 1 || c.pause_quanta > 0xFFFF) return "pause_quanta must be 1..65535";
    uint32_t xoff = c.xoff_free ? c.xoff_free : std::max(1u, c.descriptors / 8);
    uint32_t xon = c.xon_free ? c.xon_free : std::max(xoff, c.descriptors / 4);
    if (!(xoff <= xon && xon < c.descriptors))
      return "flow control needs 1 <= xoff_free <= xon_free < descriptors (got xoff " + std::to_string(xoff) +
             ", xon " + std::to_string(xon) + ", descriptors " + std::to_string(c.descriptors) + ")";
  }
  return "";
}

std::unique_ptr<SimNic> SimNic::create(const SimNicConfig &cfg, std::string *error) {
  std::string why = validate(cfg);
  if (!why.empty()) {
    if (error) *error = why;
    return nullptr;
  }
  if (error) error->clear();
  return std::unique_ptr<SimNic>(new SimNic(cfg));
}

SimNic::SimNic(const SimNicConfig &cfg)
    : cfg_(cfg), rss_(cfg.rss_key.data(), cfg.rss_hash_types, cfg.num_queues, cfg.reta ? cfg.reta->data() : nullptr) {
  xoff_ = cfg.xoff_free ? cfg.xoff_free : std::max(1u, cfg.descriptors / 8);
  xon_ = cfg.xon_free ? cfg.xon_free : std::max(xoff_, cfg.descriptors / 4);
  queues_.resize(cfg.num_queues);
  for (uint32_t q = 0; q < cfg.num_queues; q++) {
    Queue &qu = queues_[q];
    qu.slots.resize(cfg.descriptors);
    qu.pool = LazyBytes(size_t(cfg.descriptors) * cfg.slot_bytes);
    qu.service_ps = ns_to_ps(cfg.queue_service_ns.empty() ? cfg.service_ns : cfg.queue_service_ns[q]);
  }
}

SimNic::~SimNic() = default;

void SimNic::advance_queue(Queue &q, uint64_t t_ps) { unread_ += q.advance(t_ps); }

void SimNic::advance_consumers(uint64_t t_ps) {
  for (Queue &q : queues_) advance_queue(q, t_ps);
}

bool SimNic::steer(const uint8_t *frame, uint32_t caplen, uint32_t *queue, uint32_t *hash) const {
  struct pkt_parsing_info p;
  std::memset(&p, 0, sizeof(p));
  uint32_t flags = 0;
  (void)pfc_parse_pkt(frame, caplen, PFC_LEVEL_L4, &p, &flags);  // what was not parsed stays 0
  *queue = rss_.steer(p, flags, hash);
  if (hw_.empty()) return true;
  return pfc_hw_steer(hw_.data(), static_cast<uint32_t>(hw_.size()), &p, *queue, cfg_.num_queues, queue) != 0;
}

bool SimNic::set_hw_rules(const hw_filtering_rule *rules, uint32_t n) {
  if (n > kMaxHwRules || (n > 0 && rules == nullptr)) return false;
  hw_.assign(rules, rules + n);
  std::stable_sort(hw_.begin(), hw_.end(),
                   [](const hw_filtering_rule &a, const hw_filtering_rule &b) { return a.rule_id < b.rule_id; });
  return true;
}

// The NIC has just found a queue below XOFF at at_ps. Nothing arrives until
// the peer resumes, so the XON time is the first time every queue is above
// XON; PAUSE frames are the first one plus one refresh per expiry before it.
void SimNic::send_pause(uint64_t at_ps) {
  uint64_t target = cfg_.descriptors - xon_ - 1;  // busy descriptors at most, i.e. free > xon
  uint64_t xon_ps = at_ps;
  for (const Queue &q : queues_) xon_ps = std::max(xon_ps, q.time_occupancy_at_most(target, at_ps));
  uint64_t quantum_ps = pause_time_ps(cfg_.pause_quanta, cfg_.speed);
  // xon_ps > at_ps: the queue that triggered has free < xoff <= xon.
  uint64_t frames = (xon_ps - at_ps + quantum_ps - 1) / quantum_ps;
  pause_frames_ += std::max<uint64_t>(frames, 1);
  xon_frames_ += 1;
  resume_ps_ = xon_ps;
}

SimOfferResult SimNic::offer(const uint8_t *frame, uint32_t len, uint64_t ready_ns, FrameMemory memory) {
  if (ready_ns > kMaxReadyNs) return SimOfferResult{};
  SimFrame f;
  f.data = frame;
  f.caplen = f.len = len;
  f.ready_ps = ns_to_ps(ready_ns);
  f.memory = memory;
  return offer(f);
}

SimOfferResult SimNic::offer(const SimFrame &f) {
  SimOfferResult r;
  if (f.data == nullptr || f.len == 0 || f.ready_ps > ns_to_ps(kMaxReadyNs)) return r;
  const uint8_t *frame = f.data;
  uint32_t len = f.len, caplen = std::min(f.caplen, f.len);
  uint64_t start = std::max({f.ready_ps, clock_.now_ps(), resume_ps_});
  uint64_t arrival = start + wire_time_ps(len, cfg_.speed);
  clock_.advance_to_ps(arrival);
  advance_consumers(arrival);

  r.arrival_ps = arrival;
  r.timestamp_ns = ps_to_ns(arrival);
  if (!steer(frame, caplen, &r.queue, &r.pkt_hash)) {
    hw_dropped_++;
    r.status = OfferStatus::kFiltered;
    return r;
  }
  Queue &q = queues_[r.queue];
  q.offered++;
  if (q.occupancy() >= cfg_.descriptors) {
    q.missed++;
    r.status = OfferStatus::kMissed;
    return r;
  }
  // The slot of packet `inserted` last held packet inserted - D.
  if (q.inserted >= cfg_.descriptors && q.returned <= q.inserted - cfg_.descriptors) {
    uint64_t oldest_kept = q.inserted - cfg_.descriptors + 1;
    q.overwritten_unread += oldest_kept - q.returned;
    unread_ -= oldest_kept - q.returned;
    q.returned = oldest_kept;
  }
  Queue::Slot &s = q.at(q.inserted);
  s.arrival_ps = arrival;
  s.departure_ps = std::max(arrival, q.last_departure_ps) + q.service_ps;
  s.len = len;
  s.caplen = std::min(caplen, cfg_.slot_bytes);
  s.hash = r.pkt_hash;
  if (f.memory == FrameMemory::kBorrowed) {
    s.data = frame;
  } else {
    uint8_t *buf = &q.pool[size_t(q.inserted & (cfg_.descriptors - 1)) * cfg_.slot_bytes];
    std::memcpy(buf, frame, s.caplen);
    s.data = buf;
  }
  q.last_departure_ps = s.departure_ps;
  q.inserted++;
  advance_queue(q, arrival);  // service 0: taken at once
  r.status = OfferStatus::kEnqueued;

  if (cfg_.flow_control && cfg_.descriptors - q.occupancy() < xoff_) {
    send_pause(arrival);
    r.paused = true;
  }
  return r;
}

uint32_t SimNic::dequeue_burst(uint32_t queue, SimRxDesc *out, uint32_t max, uint64_t now_ns) {
  advance_to(now_ns);
  return take(queue, out, max, ns_to_ps(now_ns));
}

uint32_t SimNic::dequeue_taken(uint32_t queue, SimRxDesc *out, uint32_t max) {
  return take(queue, out, max, UINT64_MAX);
}

uint64_t SimNic::arrival_ps_of(uint32_t len, uint64_t ready_ns) const {
  return arrival_ps_at(len, ns_to_ps(std::min(ready_ns, kMaxReadyNs)));
}

uint64_t SimNic::arrival_ps_at(uint32_t len, uint64_t ready_ps) const {
  uint64_t start = std::max({std::min(ready_ps, ns_to_ps(kMaxReadyNs)), clock_.now_ps(), resume_ps_});
  return start + wire_time_ps(len, cfg_.speed);
}

void SimNic::consume_until_ps(uint64_t t_ps) { advance_consumers(t_ps); }

uint64_t SimNic::unread(uint32_t queue) const {
  if (queue != kAllQueues) return queue < queues_.size() ? queues_[queue].consumed - queues_[queue].returned : 0;
  return unread_;
}

uint32_t SimNic::take(uint32_t queue, SimRxDesc *out, uint32_t max, uint64_t now_ps) {
  if (queue >= queues_.size() || out == nullptr) return 0;
  Queue &q = queues_[queue];
  uint32_t n = 0;
  while (n < max && q.returned < q.consumed && q.at(q.returned).departure_ps <= now_ps) {
    const Queue::Slot &s = q.at(q.returned);
    SimRxDesc &d = out[n++];
    d.data = s.data;
    d.len = s.len;
    d.caplen = s.caplen;
    d.pkt_hash = s.hash;
    d.queue = queue;
    d.timestamp_ns = ps_to_ns(s.arrival_ps);
    d.arrival_ps = s.arrival_ps;
    d.departure_ps = s.departure_ps;
    q.returned++;
  }
  unread_ -= n;
  return n;
}

void SimNic::advance_to(uint64_t now_ns) {
  clock_.advance_to_ns(now_ns);
  advance_consumers(clock_.now_ps());
}

uint64_t SimNic::drain() {
  uint64_t t = clock_.now_ps();
  for (const Queue &q : queues_)
    if (q.occupancy() > 0) t = std::max(t, q.last_departure_ps);
  t = (t + kPsPerNs - 1) / kPsPerNs * kPsPerNs;  // a whole ns: dequeue_burst(now_ns()) sees it all
  clock_.advance_to_ps(t);
  advance_consumers(t);
  return clock_.now_ns();
}

SimQueueStats SimNic::queue_stats(uint32_t queue) const {
  SimQueueStats s;
  if (queue >= queues_.size()) return s;
  const Queue &q = queues_[queue];
  s.offered = q.offered;
  s.delivered = q.consumed;
  s.missed = q.missed;
  s.queued = q.occupancy();
  s.returned = q.returned - q.overwritten_unread;
  s.overwritten_unread = q.overwritten_unread;
  return s;
}

SimNicStats SimNic::stats() const {
  SimNicStats s;
  for (uint32_t i = 0; i < queues_.size(); i++) {
    SimQueueStats qs = queue_stats(i);
    s.offered += qs.offered;
    s.delivered += qs.delivered;
    s.missed += qs.missed;
    s.queued += qs.queued;
  }
  s.hw_dropped = hw_dropped_;
  s.pause_frames = pause_frames_;
  s.xon_frames = xon_frames_;
  s.virtual_ns = clock_.now_ns();
  return s;
}

}  // namespace sim
