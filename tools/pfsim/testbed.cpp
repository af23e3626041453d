// testbed.cpp - see testbed.h.
#include "testbed.h"

#include <fcntl.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "clock.h"
#include "link.h"
#include "nic.h"
#include "replay_pacer.h"

extern "C" {
#include "cluster.h"
#include "hwrule.h"
#include "parse.h"
}

namespace pfsim {

namespace {

uint64_t wall_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

bool pid_alive(uint32_t pid) { return pid != 0 && (kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

// A packet goes to at most one ring per client.
struct Dest {
  uint32_t slot;
};

}  // namespace

struct Testbed::Nic {
  tb::TbNic *s = nullptr;
  sim::TbNicConfig cfg;
  // The frame engine (sim/nic.h): wire timing, RSS, hardware filters,
  // timestamps, and - with consumer_ns - the modelled consumers that
  // decide missed frames and PAUSE, as in the in-process sim: NIC.
  // Without consumer_ns the consumers are the client processes: the
  // engine's own consumers take every frame at arrival, and a full client
  // ring stalls the link (fc on, one PAUSE per episode) or misses it.
  std::unique_ptr<sim::SimNic> engine;
  // Frames the engine's consumers took that are not in the client rings
  // yet, in arrival order (their bytes are the engine's: valid until its
  // next offer, which waits until they are all delivered).
  std::vector<sim::SimRxDesc> held, taken;
  size_t held_next = 0;
  uint64_t tx_wire_free_ps = 0;
  bool stalled = false;  // a full ring stalls the link (counted once per episode)
  bool eos_due = false;  // the source ended: tell the clients once held is empty
  pcap_t *dead = nullptr;
  pcap_dumper_t *sink = nullptr;
  // Round-robin counters per cluster id.
  struct Rr {
    uint32_t id;
    uint64_t n;
  };
  std::vector<Rr> rr;
  // The NIC's hardware filters, reloaded into the engine when hw_rules_gen moves.
  std::vector<hw_filtering_rule> hw;
  uint32_t hw_gen = 0;
  void reload_hw_rules() {
    uint32_t gen = tb::load_acquire(&s->hw_rules_gen);
    if (gen == hw_gen) return;
    hw_gen = gen;
    hw.clear();
    for (uint32_t i = 0; i < tb::kMaxHwRules; i++)
      if (tb::load_acquire(&s->hw_rule_used[i]) == 2) hw.push_back(s->hw_rules[i]);
    engine->set_hw_rules(hw.data(), static_cast<uint32_t>(hw.size()));
  }
  // Moves what the engine's consumers took (every queue) into held,
  // merged by arrival (frames of one wire never arrive at the same ps).
  void collect() {
    if (engine->unread() == 0) return;
    if (held_next == held.size()) {
      held.clear();
      held_next = 0;
    }
    size_t from = held.size();
    for (uint32_t q = 0; q < cfg.queues; q++) {
      uint64_t u = engine->unread(q);
      if (u == 0) continue;
      taken.resize(u);
      uint32_t got = engine->dequeue_taken(q, taken.data(), static_cast<uint32_t>(u));
      held.insert(held.end(), taken.begin(), taken.begin() + got);
    }
    std::sort(held.begin() + static_cast<std::ptrdiff_t>(from), held.end(),
              [](const sim::SimRxDesc &a, const sim::SimRxDesc &b) { return a.arrival_ps < b.arrival_ps; });
  }
  // The counters clients read: the engine's own with modelled consumers.
  void publish_engine_stats() {
    sim::SimNicStats st = engine->stats();
    if (cfg.modelled) {
      s->offered = st.offered + st.hw_dropped;
      s->delivered = st.delivered;
      s->missed = st.missed;
      s->pause_frames = st.pause_frames;
      for (uint32_t q = 0; q < cfg.queues && q < 64; q++) s->queue_delivered[q] = engine->queue_stats(q).delivered;
    }
    s->hw_dropped = st.hw_dropped;
    if (st.virtual_ns > s->virtual_ns) s->virtual_ns = st.virtual_ns;
  }
  // Ids come from clients: at most kMaxClients live clusters exist, so the
  // table is capped (an id past the cap shares the last counter).
  uint64_t &rr_counter(uint32_t id) {
    for (Rr &r : rr)
      if (r.id == id) return r.n;
    if (rr.size() >= 4 * tb::kMaxClients) return rr.back().n;
    rr.push_back({id, 0});
    return rr.back().n;
  }
};

struct Testbed::SourceRt {
  sim::TbSourceConfig cfg;
  std::unique_ptr<Source> src;
  bool started = false, done = false;
  uint64_t wall_start = 0;
  // The frame being offered (it waits here while the NIC cannot take it).
  bool pending = false;
  SourcePacket pkt{};
  uint64_t ready_ps = 0;
  sim::ReplayPacer pacer;  // the schedule the in-process sim: NIC replays by too
};

std::unique_ptr<Testbed> Testbed::create(const std::string &name, const sim::TestbedConfig &cfg,
                                         const sim::shm::Access &access, std::string &err) {
  if (!tb::valid_name(name)) {
    err = "testbed name '" + name + "': want 1..31 of A-Z a-z 0-9 _ -";
    return nullptr;
  }
  std::string shm = tb::shm_name(name);
  // A testbed of this name: refuse it when its pfsim lives, replace it
  // otherwise; the pid in it is believed only when the file is trusted.
  struct stat st;
  int old = sim::shm::open_trusted(shm, access, true, &st, err);
  if (old == -EPERM) {
    // not ours: its pid means nothing; take the name back if we may (root)
    if (shm_unlink(shm.c_str()) != 0) {
      err = "testbed '" + name + "': " + err + "; choose another name with -n";
      return nullptr;
    }
    old = -ENOENT;
  }
  if (old >= 0) {
    uint32_t pid = 0, state = tb::kTbStopped;
    if (size_t(st.st_size) >= sizeof(tb::TbHeader)) {
      void *m = mmap(nullptr, sizeof(tb::TbHeader), PROT_READ, MAP_SHARED, old, 0);
      if (m != MAP_FAILED) {
        auto *h = static_cast<const tb::TbHeader *>(m);
        if (h->magic == tb::kTbMagic) {
          pid = h->daemon_pid;
          state = h->state;
        }
        munmap(m, sizeof(tb::TbHeader));
      }
    }
    close(old);
    if (state != tb::kTbStopped && pid_alive(pid)) {
      err = "testbed '" + name + "' is already run by pfsim (pid " + std::to_string(pid) + ")";
      return nullptr;
    }
    shm_unlink(shm.c_str());
  }
  err.clear();

  std::unique_ptr<Testbed> t(new Testbed());
  t->name_ = name;
  t->cfg_ = cfg;
  uint64_t ring_bytes = 0, rings_off = 0;
  t->map_bytes_ = tb::testbed_bytes(cfg.ring_slots, cfg.slot_size, &ring_bytes, &rings_off);
  t->ring_bytes_ = ring_bytes;
  t->rings_off_ = rings_off;
  int fd = sim::shm::create(shm, t->map_bytes_, access, err);
  if (fd < 0) {
    if (fd == -EEXIST) err = "testbed '" + name + "' was created by someone else just now";
    return nullptr;
  }
  // guarded: a group member that shrinks the segment does not bring the
  // daemon down with SIGBUS (sim/shm_map.h); damaged() then stops it
  void *m = t->map_.map(fd, t->map_bytes_, true, err);
  close(fd);
  if (!m) {
    err = shm + ": " + err;
    shm_unlink(shm.c_str());
    return nullptr;
  }
  t->hdr_ = static_cast<tb::TbHeader *>(m);
  tb::TbHeader *h = t->hdr_;
  h->version = tb::kTbVersion;
  h->state = tb::kTbStarting;
  h->daemon_pid = static_cast<uint32_t>(getpid());
  h->num_nics = static_cast<uint32_t>(cfg.nics.size());
  h->ring_slots = cfg.ring_slots;
  h->slot_size = cfg.slot_size;
  h->ring_bytes = ring_bytes;
  h->rings_off = rings_off;
  h->total_bytes = t->map_bytes_;
  std::strncpy(h->name, name.c_str(), tb::kNameLen - 1);

  for (size_t i = 0; i < cfg.nics.size(); i++) {
    const sim::TbNicConfig &nc = cfg.nics[i];
    auto n = std::make_unique<Nic>();
    n->s = &h->nics[i];
    n->cfg = nc;
    // parse_testbed refused what the engine refuses: this fails only for
    // a config built by hand; no NIC without an engine is kept.
    n->engine = sim::SimNic::create(sim::engine_config(cfg, nc), &err);
    if (!n->engine) {
      err = "nic " + nc.name + ": " + err;
      t->stop();
      return nullptr;
    }
    std::strncpy(n->s->name, nc.name.c_str(), tb::kNameLen - 1);
    n->s->queues = nc.queues;
    n->s->speed_gbps = static_cast<uint32_t>(nc.speed);
    std::memcpy(n->s->mac, nc.mac, 6);
    n->s->flow_control = nc.flow_control ? 1 : 0;
    n->s->if_index = static_cast<int32_t>(i);
    if (!cfg.sink[i].empty()) {
      n->dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
      n->sink = n->dead ? pcap_dump_open(n->dead, cfg.sink[i].c_str()) : nullptr;
      if (!n->sink) {
        err = "sink of nic " + nc.name + ": cannot write " + cfg.sink[i] + ": " +
              (n->dead ? pcap_geterr(n->dead) : "out of memory");
        t->nics_.push_back(std::move(n));
        t->stop();
        return nullptr;
      }
    }
    t->nics_.push_back(std::move(n));
  }
  uint32_t max_caplen = cfg.slot_size - PFC_SLOT_HDR_LEN;
  for (const sim::TbSourceConfig &sc : cfg.sources) {
    auto s = std::make_unique<SourceRt>();
    s->cfg = sc;
    s->pacer = sim::ReplayPacer(sc.rate, sc.rate_factor);
    s->src = Source::open(sc, max_caplen, err);
    if (!s->src) {
      t->stop();
      return nullptr;
    }
    t->sources_.push_back(std::move(s));
  }
  tb::store_release(&h->state, static_cast<uint32_t>(tb::kTbRunning));
  // the magic last: a client that sees it sees a complete testbed
  tb::store_release(&h->magic, tb::kTbMagic);
  return t;
}

Testbed::~Testbed() { stop(); }

bool Testbed::damaged() {
  if (!map_.damaged()) return false;
  if (error_.empty())
    error_ = "testbed '" + name_ + "': another process cut its shared memory short (ftruncate); stopped";
  return true;
}

uint32_t Testbed::enabled_clients(uint32_t nic) const {
  uint32_t n = 0;
  for (uint32_t i = 0; i < tb::kMaxClients; i++) {
    const tb::TbClient &c = hdr_->clients[i];
    if (clients_[i].attached && tb::load_acquire(&c.state) == tb::kAttached && clients_[i].nic == nic &&
        tb::load_acquire(&c.enabled))
      n++;
  }
  return n;
}

void Testbed::serve_slots() {
  bool check_pids = passes_ % 1024 == 0;
  for (uint32_t i = 0; i < tb::kMaxClients; i++) {
    tb::TbClient &c = hdr_->clients[i];
    uint32_t st = tb::load_acquire(&c.state);
    if (st == tb::kRequest) {
      ClientRt &rt = clients_[i];
      uint8_t *base = reinterpret_cast<uint8_t *>(hdr_);
      uint64_t rx_off = rings_off_ + uint64_t(i) * 2 * ring_bytes_, tx_off = rx_off + ring_bytes_;
      auto *rx = reinterpret_cast<pfc_ring_hdr *>(base + rx_off);
      auto *tx = reinterpret_cast<pfc_ring_hdr *>(base + tx_off);
      rt.attached = false;  // a new request replaces whatever the slot had
      uint32_t nic = tb::load_acquire(&c.nic);  // read once: the client may write its slot again
      c.rx_full_drops = c.tx_sent = 0;
      if (nic >= nics_.size() || pfc_ring_init(rx, ring_bytes_, cfg_.ring_slots, cfg_.slot_size) != 0 ||
          pfc_ring_init(tx, ring_bytes_, cfg_.ring_slots, cfg_.slot_size) != 0) {
        tb::store_release(&c.state, static_cast<uint32_t>(tb::kFree));  // the client reports the refusal
        continue;
      }
      rt.nic = nic;
      // the geometry pfsim made them with, not what the shared headers say now
      pfc_ring_producer_init(&rt.rx, rx, cfg_.ring_slots, cfg_.slot_size);
      pfc_ring_consumer_init(&rt.tx, tx, cfg_.ring_slots, cfg_.slot_size);
      rt.attached = true;
      c.rx_ring_off = rx_off;
      c.tx_ring_off = tx_off;
      tb::store_release(&c.state, static_cast<uint32_t>(tb::kAttached));
    } else if (st == tb::kClosing || ((st == tb::kAttached || st == tb::kClaimed) && check_pids && c.pid &&
                                      !pid_alive(c.pid))) {
      // (a client that died between claiming and requesting leaves kClaimed)
      // what the client sent before it closed still goes out (bounded)
      for (int k = 0; k < 64 && move_tx(i, 1u << 16); k++) {
      }
      std::memset(reinterpret_cast<uint8_t *>(&c) + sizeof(c.state), 0, sizeof(c) - sizeof(c.state));
      clients_[i].attached = false;
      tb::store_release(&c.state, static_cast<uint32_t>(tb::kFree));
    }
  }
}

// Hands one frame to the clients that take it. RX frames come from the
// engine (queue and hash decided there); TX frames are copies of what a
// client of this NIC sent, for its clients that capture TX.
Testbed::Result Testbed::deliver(uint32_t nic, const Frame &f, Kind kind, int exclude_slot) {
  Nic &n = *nics_[nic];
  // Who gets it: every enabled client of this NIC that takes this queue and
  // direction; a cluster's members share, one member per packet.
  Dest dest[tb::kMaxClients];
  uint32_t nd = 0;
  uint32_t members[tb::kMaxClients];
  bool cluster_done[tb::kMaxClients] = {};
  // Client slot j takes this packet: attached and enabled on this NIC, the
  // right direction, and (received packets) the packet's queue or all.
  // Each slot's fields are read once (a snapshot): clients write them at
  // any time, and the choice below must be made from one consistent view.
  bool take[tb::kMaxClients];
  uint32_t in_cluster[tb::kMaxClients], cluster_id[tb::kMaxClients], ctype[tb::kMaxClients];
  bool any_cluster = false;
  for (uint32_t j = 0; j < tb::kMaxClients; j++) {
    const tb::TbClient &o = hdr_->clients[j];
    bool t = clients_[j].attached && tb::load_acquire(&o.state) == tb::kAttached && clients_[j].nic == nic &&
             tb::load_acquire(&o.enabled) && static_cast<int>(j) != exclude_slot;
    if (t && (kind == Kind::kRx ? !tb::load_acquire(&o.want_rx) : !tb::load_acquire(&o.want_tx))) t = false;
    int32_t q = tb::load_acquire(&o.queue);
    if (t && kind == Kind::kRx && q >= 0 && static_cast<uint32_t>(q) != f.queue) t = false;
    take[j] = t;
    in_cluster[j] = tb::load_acquire(&o.in_cluster);
    cluster_id[j] = tb::load_acquire(&o.cluster_id);
    ctype[j] = tb::load_acquire(&o.cluster_type);
    any_cluster |= t && in_cluster[j];
  }
  // the cluster hash needs the packet parsed (to the tunnel level); nothing else does
  pkt_parsing_info p;
  if (any_cluster) {
    std::memset(&p, 0, sizeof(p));
    uint32_t flags = 0;
    (void)pfc_parse_pkt(f.data, f.caplen, PFC_LEVEL_TUNNEL, &p, &flags);
  }
  for (uint32_t i = 0; i < tb::kMaxClients; i++) {
    if (!take[i]) continue;
    if (!in_cluster[i]) {
      dest[nd++] = {i};
      continue;
    }
    if (cluster_done[i]) continue;
    // the members of i's cluster that would take this packet, in slot order (i among them)
    uint32_t nm = 0;
    for (uint32_t j = i; j < tb::kMaxClients; j++) {
      if (!take[j] || !in_cluster[j] || cluster_id[j] != cluster_id[i]) continue;
      members[nm++] = j;
      cluster_done[j] = true;
    }
    cluster_type type = static_cast<cluster_type>(ctype[i]);
    uint32_t pick = pfc_cluster_is_per_flow(type)
                        ? pfc_cluster_member(pfc_cluster_hash(&p, type), nm)
                        : static_cast<uint32_t>(n.rr_counter(cluster_id[i])++ % nm);
    if (pick >= nm) pick = 0;
    dest[nd++] = {members[pick]};
  }

  bool modelled = n.cfg.modelled;
  if (kind == Kind::kRx && nd == 0) {
    // no client reads this queue: the frame is lost (with modelled
    // consumers the model has counted it delivered: it reached its queue)
    if (!modelled) n.s->missed++;
    return Result::kDone;
  }
  // Modelled consumers: the rings are transport, never lossy (the model
  // decided what was missed). Real consumers with flow control: the link
  // pauses until every ring the frame goes to has room.
  if (kind == Kind::kRx && (modelled || n.cfg.flow_control)) {
    for (uint32_t k = 0; k < nd; k++)
      if (pfc_ring_producer_free(&clients_[dest[k].slot].rx) == 0) {
        if (!modelled && !n.stalled) n.s->pause_frames++;
        n.stalled = true;
        return Result::kStall;
      }
    n.stalled = false;
  }
  bool any = false;
  for (uint32_t k = 0; k < nd; k++) {
    pfc_ring_producer *r = &clients_[dest[k].slot].rx;
    if (pfc_ring_producer_free(r) == 0) {
      hdr_->clients[dest[k].slot].rx_full_drops++;
      pfc_ring_producer_drop(r);
      continue;
    }
    pfc_slot_hdr meta;
    meta.timestamp_ns = f.ts_ns;
    meta.caplen = f.caplen;
    meta.len = f.len;
    meta.pkt_hash = f.hash;
    meta.if_index = n.s->if_index;
    meta.queue = static_cast<uint16_t>(f.queue);
    meta.rx_direction = kind == Kind::kRx ? 1 : 0;
    meta.flags = 0;
    meta.reserved = 0;
    pfc_slot_write(r, 0, &meta, f.data);
    pfc_ring_producer_commit(r, 1);
    any = true;
  }
  if (kind == Kind::kRx && !modelled) {
    if (any) {
      n.s->delivered++;
      if (f.queue < 64) n.s->queue_delivered[f.queue]++;
    } else {
      n.s->missed++;
    }
  }
  return Result::kDone;
}

bool Testbed::flush_held(uint32_t nic) {
  Nic &n = *nics_[nic];
  while (n.held_next < n.held.size()) {
    const sim::SimRxDesc &d = n.held[n.held_next];
    Frame f{d.data, d.caplen, d.len, d.timestamp_ns, d.queue, d.pkt_hash};
    if (deliver(nic, f, Kind::kRx, -1) == Result::kStall) return false;
    n.held_next++;
  }
  n.held.clear();
  n.held_next = 0;
  return true;
}

Testbed::Result Testbed::offer_rx(uint32_t nic, const uint8_t *data, uint32_t caplen, uint32_t len,
                                  uint64_t ready_ps, uint64_t wall_limit_ps) {
  Nic &n = *nics_[nic];
  // nothing new until what the consumers took is in the rings: the next
  // offer may reuse the descriptors their bytes are in
  if (!flush_held(nic)) return Result::kStall;
  uint64_t arrival = n.engine->arrival_ps_at(len, ready_ps);
  if (arrival > wall_limit_ps) return Result::kStall;
  // what the consumers take before the frame arrives goes out first
  n.engine->consume_until_ps(arrival);
  n.collect();
  if (!flush_held(nic)) return Result::kStall;
  n.reload_hw_rules();
  sim::SimFrame fr;
  fr.data = data;
  fr.caplen = caplen;
  fr.len = len;
  fr.ready_ps = ready_ps;
  fr.memory = sim::FrameMemory::kCopy;
  sim::SimOfferResult r = n.engine->offer(fr);
  if (!n.cfg.modelled && r.status != sim::OfferStatus::kInvalid) n.s->offered++;
  if (r.arrival_ps > now_ps_) now_ps_ = r.arrival_ps;
  n.collect();
  (void)flush_held(nic);  // what stays waits for the next pass
  return Result::kDone;
}

bool Testbed::run_source(SourceRt &s) {
  if (s.done) return false;
  uint32_t nic = s.cfg.nic;
  Nic &n = *nics_[nic];
  if (!s.started) {
    if (enabled_clients(nic) < s.cfg.wait_for) return false;
    s.started = true;
    s.wall_start = wall_ns();
  }
  bool moved = false;
  for (int k = 0; k < 64; k++) {
    if (!s.pending) {
      std::string err;
      int rc = s.src->next(&s.pkt, err);
      if (rc <= 0) {
        if (rc < 0 && error_.empty()) error_ = err;
        s.done = true;
        // the consumers finish the queues; the clients hear of the end
        // once all of it is in their rings (step())
        n.engine->drain();
        n.collect();
        n.eos_due = s.cfg.end_after;
        return moved;
      }
      s.ready_ps = s.pacer.next(s.pkt.rec_ns, s.pkt.new_loop);
      if (!s.pacer.fits()) {
        // the source ends, said (pfsim exits 1), instead of offering frames
        // at a time that wraps or that the engine refuses unseen
        if (error_.empty())
          error_ = "source of nic " + n.cfg.name + ": capture file '" + s.cfg.path + "': " + sim::ReplayPacer::beyond_message();
        s.done = true;
        n.engine->drain();
        n.collect();
        n.eos_due = s.cfg.end_after;
        return moved;
      }
      s.pending = true;
    }
    uint64_t limit = s.cfg.pace_wall ? sim::ns_to_ps(wall_ns() - s.wall_start) : UINT64_MAX;
    if (offer_rx(nic, s.pkt.data, s.pkt.caplen, s.pkt.len, s.ready_ps, limit) == Result::kStall) return moved;
    s.pending = false;
    moved = true;
  }
  return moved;
}

bool Testbed::move_tx(uint32_t slot, unsigned max) {
  tb::TbClient &c = hdr_->clients[slot];
  ClientRt &rt = clients_[slot];
  if (!rt.attached) return false;
  int avail = pfc_ring_consumer_peek(&rt.tx, max);
  if (avail < 0) {
    // an impossible index: the client is broken or hostile; it is closed
    tb::store_release(&c.state, static_cast<uint32_t>(tb::kClosing));
    return false;
  }
  if (avail == 0) return false;
  Nic &n = *nics_[rt.nic];
  int done = 0;
  for (; done < avail; done++) {
    pfc_slot_hdr meta;
    const uint8_t *data = pfc_slot_read(&rt.tx, static_cast<uint32_t>(done), &meta);
    const pfc_slot_hdr *s = &meta;
    uint32_t cap = meta.caplen;
    // a frame cannot leave before the testbed's virtual "now" (the latest
    // arrival on any NIC): a bridged packet leaves after it arrived
    uint64_t now_ps = now_ps_;
    uint64_t start = n.tx_wire_free_ps > now_ps ? n.tx_wire_free_ps : now_ps;
    uint64_t end_ps = start + sim::wire_time_ps(s->len, n.cfg.speed);
    int peer = cfg_.peer[rt.nic];
    if (peer >= 0) {
      // its last bit reaches the peer at end_ps; the peer's engine starts
      // it that long before (it arrives later when the peer's wire is busy
      // or paused)
      uint64_t peer_wire = sim::wire_time_ps(s->len, nics_[peer]->cfg.speed);
      uint64_t ready = end_ps > peer_wire ? end_ps - peer_wire : 0;
      if (offer_rx(static_cast<uint32_t>(peer), data, cap, s->len, ready, UINT64_MAX) == Result::kStall)
        break;  // stays in the TX ring until the peer takes it
    }
    uint64_t ts = sim::ps_to_ns(end_ps);
    if (n.sink) {
      struct pcap_pkthdr ph;
      ph.ts.tv_sec = static_cast<time_t>(ts / 1000000000ull);
      ph.ts.tv_usec = static_cast<suseconds_t>(ts % 1000000000ull);  // ns: the dumper's precision
      ph.caplen = cap;
      ph.len = s->len;
      pcap_dump(reinterpret_cast<u_char *>(n.sink), &ph, data);
    }
    (void)deliver(rt.nic, Frame{data, cap, s->len, ts, 0, 0}, Kind::kTx, static_cast<int>(slot));
    n.tx_wire_free_ps = end_ps;
    if (ts > n.s->virtual_ns) n.s->virtual_ns = ts;
    n.s->tx_packets++;
    n.s->tx_bytes += s->len;
    c.last_tx_ns = ts;
    tb::store_release(&c.tx_sent, c.tx_sent + 1);
  }
  if (done) pfc_ring_consumer_release(&rt.tx, static_cast<uint32_t>(done));
  return done > 0;
}

bool Testbed::step() {
  passes_++;
  hdr_->heartbeat = passes_;
  serve_slots();
  bool moved = false;
  for (auto &s : sources_) moved |= run_source(*s);
  for (uint32_t i = 0; i < tb::kMaxClients; i++)
    if (tb::load_acquire(&hdr_->clients[i].state) == tb::kAttached) moved |= move_tx(i, 256);
  bool sources_done = true;
  for (const auto &s : sources_) sources_done &= s->done;
  for (uint32_t i = 0; i < nics_.size(); i++) {
    Nic &n = *nics_[i];
    // modelled consumers of a NIC fed by a wire take what they would have
    // by the testbed's now; once nothing moves and every source is done,
    // they finish their queues
    if (n.cfg.modelled) {
      n.engine->consume_until_ps(now_ps_);
      if (!moved && sources_done) n.engine->drain();
      n.collect();
    }
    // once a pass, not per frame (O(queues)); before eos, so a client
    // that sees the end reads the final counters
    n.publish_engine_stats();
    size_t waiting = n.held.size() - n.held_next;
    bool flushed = flush_held(i);
    moved |= n.held.size() - n.held_next != waiting;
    if (flushed && n.eos_due) {
      n.eos_due = false;
      tb::store_release(&n.s->eos, static_cast<uint8_t>(1));
    }
  }
  return moved;
}

bool Testbed::idle() const {
  for (const auto &s : sources_)
    if (!s->done) return false;
  for (const auto &n : nics_)
    if (n->held_next < n->held.size() || n->eos_due || n->engine->unread() || n->engine->stats().queued) return false;
  for (uint32_t i = 0; i < tb::kMaxClients; i++) {
    const tb::TbClient &c = hdr_->clients[i];
    if (clients_[i].attached && tb::load_acquire(&c.state) == tb::kAttached &&
        pfc_ring_consumer_count(&clients_[i].tx))
      return false;
  }
  return true;
}

uint32_t Testbed::attached_clients() const {
  uint32_t n = 0;
  for (const tb::TbClient &c : hdr_->clients)
    if (tb::load_acquire(&c.state) != tb::kFree) n++;
  return n;
}

void Testbed::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (hdr_) {
    for (int pass = 0; pass < 1024; pass++) {
      bool moved = false;
      for (uint32_t i = 0; i < tb::kMaxClients; i++) {
        uint32_t st = tb::load_acquire(&hdr_->clients[i].state);
        if (st == tb::kAttached || st == tb::kClosing) moved |= move_tx(i, 1u << 16);
      }
      if (!moved) break;
    }
    for (auto &n : nics_)
      if (n->engine) n->publish_engine_stats();
    final_json_ = counters_json();
    tb::store_release(&hdr_->state, static_cast<uint32_t>(tb::kTbStopped));
  }
  for (auto &n : nics_) {
    if (n->sink) pcap_dump_close(n->sink);
    if (n->dead) pcap_close(n->dead);
    n->sink = nullptr;
    n->dead = nullptr;
  }
  if (hdr_) {
    map_.unmap();
    hdr_ = nullptr;
    shm_unlink(tb::shm_name(name_).c_str());
  }
}

std::string Testbed::counters_json() const {
  if (!hdr_) return final_json_;
  std::string j = "{\"testbed\":\"" + name_ + "\",\"nics\":[";
  for (size_t i = 0; i < nics_.size(); i++) {
    const tb::TbNic &s = *nics_[i]->s;
    if (i) j += ",";
    j += "{\"name\":\"" + nics_[i]->cfg.name + "\",\"offered\":" + std::to_string(s.offered) +
         ",\"delivered\":" + std::to_string(s.delivered) + ",\"missed\":" + std::to_string(s.missed) +
         ",\"pause_frames\":" + std::to_string(s.pause_frames) + ",\"hw_dropped\":" + std::to_string(s.hw_dropped) +
         ",\"tx_packets\":" + std::to_string(s.tx_packets) +
         ",\"virtual_ns\":" + std::to_string(s.virtual_ns) + "}";
  }
  return j + "]}";
}

}  // namespace pfsim
