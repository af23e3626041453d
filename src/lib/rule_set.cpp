// rule_set.cpp - rule storage and per-packet candidate lookup.
#include "rule_set.h"

#include <algorithm>
#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <new>

#include "pfring.h"

namespace pfr {

namespace {

// The rule's host is one exact IPv4 address (full mask, upper bytes zero).
bool exact_v4_host(const ip_addr &host, const ip_addr &mask) {
  for (int i = 4; i < 16; i++)
    if (host.v6.s6_addr[i]) return false;
  if (host.v4 == 0) return false;
  for (int i = 4; i < 16; i++)
    if (mask.v6.s6_addr[i]) return false;
  return mask.v4 == 0 || mask.v4 == 0xFFFFFFFFu;
}

// The key an address has in the host buckets: its first four bytes (the
// v4 member). For IPv4 that is the address; an IPv6 address can only
// match an indexed rule (exact or /32 on those bytes) if its first four
// bytes equal the rule's, so the bucket is a superset and pfc_wc_match
// decides.
bool host_key(const ip_addr &a, uint8_t ip_version, uint32_t *key) {
  if (ip_version != 4 && ip_version != 6) return false;
  *key = a.v4;
  return true;
}

bool by_rule_id(const pfc_wc_rule *a, const pfc_wc_rule *b) { return a->rule.rule_id < b->rule.rule_id; }

}  // namespace

RuleSet::RuleSet() {
  rehash(16);
  lists_.reserve(64);  // at most 4 + 2 x 24 prefix lengths + 2 MACs + VLAN + protocol + generic
}
RuleSet::~RuleSet() { free_slots(); }

// ---------------------------------------------------------------- wildcard

namespace {
// Number of ports a rule's range covers (0: any port).
uint32_t port_span(uint16_t low, uint16_t high, uint32_t *lo, uint32_t *hi) {
  if (low == 0 && high == 0) return 0;
  *lo = low;
  *hi = high == 0 ? low : high;
  return *hi - *lo + 1;
}

// An IPv4 network of prefix length 8..31 (upper bytes zero, contiguous
// mask); returns the length, or 0.
uint8_t v4_prefix(const ip_addr &host, const ip_addr &mask) {
  for (int i = 4; i < 16; i++)
    if (host.v6.s6_addr[i] || mask.v6.s6_addr[i]) return 0;
  if (host.v4 == 0 || mask.v4 == 0) return 0;
  uint32_t inv = ~mask.v4;
  if (inv & (inv + 1)) return 0;  // not contiguous
  uint8_t len = static_cast<uint8_t>(32 - __builtin_popcount(inv));
  return len >= 8 && len < 32 ? len : 0;
}

uint32_t prefix_mask(uint8_t len) { return len ? 0xFFFFFFFFu << (32 - len) : 0; }

// A MAC address as a 48-bit key; 0 for 00:00:00:00:00:00 (any).
uint64_t mac_key(const uint8_t m[6]) {
  uint64_t k = 0;
  for (int i = 0; i < 6; i++) k = k << 8 | m[i];
  return k;
}

}  // namespace

RuleSet::Placement RuleSet::place(const filtering_rule &r) const {
  const auto &c = r.core_fields;
  if (r.bidirectional) {  // may match with peers swapped: only what has no direction
    if (c.vlan_id) return {kVlan, c.vlan_id, c.vlan_id, 0};
    if (c.proto) return {kProto, c.proto, c.proto, 0};
    return {kGeneric, 0, 0, 0};
  }
  uint32_t dlo = 0, dhi = 0, slo = 0, shi = 0;
  uint32_t dspan = port_span(c.dport_low, c.dport_high, &dlo, &dhi);
  uint32_t sspan = port_span(c.sport_low, c.sport_high, &slo, &shi);
  if (dspan == 1) return {kDport, dlo, dhi, 0};
  if (sspan == 1) return {kSport, slo, shi, 0};
  if (exact_v4_host(c.dhost, c.dhost_mask)) return {kDhost4, c.dhost.v4, c.dhost.v4, 0};
  if (exact_v4_host(c.shost, c.shost_mask)) return {kShost4, c.shost.v4, c.shost.v4, 0};
  bool d_ok = dspan && dspan <= kMaxIndexedSpan, s_ok = sspan && sspan <= kMaxIndexedSpan;
  if (d_ok && (!s_ok || dspan <= sspan)) return {kDport, dlo, dhi, 0};
  if (s_ok) return {kSport, slo, shi, 0};
  if (uint8_t len = v4_prefix(c.dhost, c.dhost_mask)) {
    uint32_t net = c.dhost.v4 & prefix_mask(len);
    return {kDnet4, net, net, len};
  }
  if (uint8_t len = v4_prefix(c.shost, c.shost_mask)) {
    uint32_t net = c.shost.v4 & prefix_mask(len);
    return {kSnet4, net, net, len};
  }
  // rules.c: a non-zero MAC must equal the packet's, a VLAN id the
  // packet's tag (never an untagged packet), a protocol its l3_proto
  if (uint64_t m = mac_key(c.dmac)) return {kDmac, m, m, 0};
  if (uint64_t m = mac_key(c.smac)) return {kSmac, m, m, 0};
  if (c.vlan_id) return {kVlan, c.vlan_id, c.vlan_id, 0};
  if (c.proto) return {kProto, c.proto, c.proto, 0};
  return {kGeneric, 0, 0, 0};
}

RuleSet::BucketMap &RuleSet::net_map(Bucket b, uint8_t plen) { return (b == kDnet4 ? by_dnet_ : by_snet_)[plen]; }

static void sorted_insert(std::vector<pfc_wc_rule *> &v, pfc_wc_rule *w) {
  v.insert(std::lower_bound(v.begin(), v.end(), w, by_rule_id), w);
}

static void sorted_erase(std::vector<pfc_wc_rule *> &v, pfc_wc_rule *w) {
  auto it = std::lower_bound(v.begin(), v.end(), w, by_rule_id);
  if (it != v.end() && *it == w) v.erase(it);
}

void RuleSet::index_insert(pfc_wc_rule *w) {
  Placement pl = place(w->rule);
  auto insert_in = [&](BucketMap &m) {
    for (uint64_t k = pl.lo;; k++) {
      sorted_insert(m[k], w);
      if (k == pl.hi) break;
    }
  };
  switch (pl.bucket) {
    case kDport: insert_in(by_dport_); break;
    case kSport: insert_in(by_sport_); break;
    case kDhost4: insert_in(by_dhost_); break;
    case kShost4: insert_in(by_shost_); break;
    case kDnet4:
    case kSnet4: insert_in(net_map(pl.bucket, pl.plen)); break;
    case kDmac: insert_in(by_dmac_); break;
    case kSmac: insert_in(by_smac_); break;
    case kVlan: insert_in(by_vlan_); break;
    case kProto: insert_in(by_proto_); break;
    case kGeneric: sorted_insert(generic_, w); break;
  }
}

void RuleSet::index_erase(pfc_wc_rule *w) {
  Placement pl = place(w->rule);
  auto erase_in = [&](BucketMap &m) {
    for (uint64_t k = pl.lo;; k++) {
      auto it = m.find(k);
      if (it != m.end()) {
        sorted_erase(it->second, w);
        if (it->second.empty()) m.erase(it);
      }
      if (k == pl.hi) break;
    }
  };
  switch (pl.bucket) {
    case kDport: erase_in(by_dport_); break;
    case kSport: erase_in(by_sport_); break;
    case kDhost4: erase_in(by_dhost_); break;
    case kShost4: erase_in(by_shost_); break;
    case kDnet4:
    case kSnet4: {
      auto &outer = pl.bucket == kDnet4 ? by_dnet_ : by_snet_;
      erase_in(outer[pl.plen]);
      if (outer[pl.plen].empty()) outer.erase(pl.plen);
      break;
    }
    case kDmac: erase_in(by_dmac_); break;
    case kSmac: erase_in(by_smac_); break;
    case kVlan: erase_in(by_vlan_); break;
    case kProto: erase_in(by_proto_); break;
    case kGeneric: sorted_erase(generic_, w); break;
  }
}

namespace {
bool uses_tunnel(const filtering_rule &r) {
  const auto &t = r.extended_fields.tunnel;
  static const ip_addr zero{};
  return (r.extended_fields.optional_fields & FILTER_TUNNEL_ID_FLAG) ||
         (t.tunnel_id != 0 && t.tunnel_id != NO_TUNNEL_ID) || std::memcmp(&t.shost, &zero, sizeof zero) != 0 ||
         std::memcmp(&t.dhost, &zero, sizeof zero) != 0;
}
}  // namespace

int RuleSet::add_wildcard(const filtering_rule &r, uint64_t now_sec) {
  if (pfc_wc_rule_validate(&r) != 0) return PF_RING_ERROR_INVALID_ARGUMENT;
  if (wc_by_id_.count(r.rule_id)) return PF_RING_ERROR_INVALID_ARGUMENT;
  auto w = std::make_unique<pfc_wc_rule>();
  std::memset(w.get(), 0, sizeof(*w));
  w->rule = r;
  w->last_match_sec = now_sec;
  pfc_wc_rule *raw = w.get();
  wc_by_id_.emplace(r.rule_id, std::move(w));
  index_insert(raw);
  if (uses_tunnel(r)) tunnel_rules_++;
  scratch_.reserve(wc_by_id_.size());
  return 0;
}

int RuleSet::remove_wildcard(uint16_t rule_id) {
  auto it = wc_by_id_.find(rule_id);
  if (it == wc_by_id_.end()) return PF_RING_ERROR_NOT_FOUND;
  if (uses_tunnel(it->second->rule)) tunnel_rules_--;
  index_erase(it->second.get());
  wc_by_id_.erase(it);
  return 0;
}

const pfc_wc_rule *RuleSet::find_wildcard(uint16_t rule_id) const {
  auto it = wc_by_id_.find(rule_id);
  return it == wc_by_id_.end() ? nullptr : it->second.get();
}

int RuleSet::purge_idle_wildcard(uint64_t now_sec, uint16_t inactivity_sec) {
  int n = 0;
  for (auto it = wc_by_id_.begin(); it != wc_by_id_.end();) {
    if (pfc_wc_rule_is_idle(it->second.get(), now_sec, inactivity_sec)) {
      if (uses_tunnel(it->second->rule)) tunnel_rules_--;
      index_erase(it->second.get());
      it = wc_by_id_.erase(it);
      n++;
    } else {
      ++it;
    }
  }
  return n;
}

const std::vector<pfc_wc_rule *> &RuleSet::candidates(const pkt_parsing_info &p) {
  lists_.clear();
  auto add = [&](const BucketMap &m, uint64_t key) {
    if (m.empty()) return;
    auto it = m.find(key);
    if (it != m.end()) lists_.push_back(&it->second);
  };
  add(by_dport_, p.l4_dst_port);
  add(by_sport_, p.l4_src_port);
  uint32_t dk, sk;
  bool dip = host_key(p.ip_dst, p.ip_version, &dk), sip = host_key(p.ip_src, p.ip_version, &sk);
  if (dip) add(by_dhost_, dk);
  if (sip) add(by_shost_, sk);
  if (dip)
    for (const auto &kv : by_dnet_) add(kv.second, dk & prefix_mask(kv.first));
  if (sip)
    for (const auto &kv : by_snet_) add(kv.second, sk & prefix_mask(kv.first));
  if (!by_dmac_.empty()) add(by_dmac_, mac_key(p.dmac));
  if (!by_smac_.empty()) add(by_smac_, mac_key(p.smac));
  if (p.vlan_id != NO_VLAN) add(by_vlan_, p.vlan_id);
  add(by_proto_, p.l3_proto);
  if (!generic_.empty()) lists_.push_back(&generic_);

  scratch_.clear();
  if (lists_.size() == 1) {
    scratch_.insert(scratch_.end(), lists_[0]->begin(), lists_[0]->end());
    return scratch_;
  }
  // k-way merge by rule_id; a packet meets every rule in one list at most.
  size_t pos[64] = {0};
  size_t nl = lists_.size() < 64 ? lists_.size() : 64;
  for (;;) {
    int best = -1;
    for (size_t i = 0; i < nl; i++) {
      if (pos[i] >= lists_[i]->size()) continue;
      if (best < 0 || (*lists_[i])[pos[i]]->rule.rule_id < (*lists_[best])[pos[best]]->rule.rule_id)
        best = static_cast<int>(i);
    }
    if (best < 0) break;
    scratch_.push_back((*lists_[best])[pos[best]++]);
  }
  return scratch_;
}

int RuleSet::evaluate(pkt_parsing_info *p, const uint8_t *pkt, uint32_t caplen, uint8_t default_accept,
                      uint64_t now_sec, const pfc_eval_ops *ops, void *ops_ctx, pfc_verdict *v,
                      const HashLookup *staged) {
  pfc_filter_input in;
  std::memset(&in, 0, sizeof(in));
  if (!hash_rules_.empty()) {
    // The hash depends on the key alone, not on the table, so a lookup
    // staged before rules were added or removed still holds.
    if (staged && staged->valid) {
      in.hash_match = find_hash(staged->key, staged->hash);
    } else {
      pfc_hash_key key;
      if (pfc_hash_key_from_pkt(p, &key) == 0) in.hash_match = find_hash(key);
    }
  }
  if (!wc_by_id_.empty()) {
    const auto &c = candidates(*p);
    in.candidates = c.data();
    in.n_candidates = static_cast<uint32_t>(c.size());
  }
  in.default_accept = default_accept;
  in.now_sec = now_sec;
  in.ops = ops;
  in.ops_ctx = ops_ctx;
  return pfc_filter_eval(&in, p, pkt, caplen, v);
}

// ---------------------------------------------------------------- hash

void RuleSet::reserve_hash(size_t n) {
  size_t cap = 16;
  while (cap < n * 2) cap <<= 1;
  if (cap > cap_) rehash(cap);
  hash_rules_.reserve(n);
}

size_t RuleSet::probe(const pfc_hash_key &key, uint32_t h, bool *found) const {
  size_t pos = h & mask_;
  for (;;) {
    const Slot &s = slots_[pos];
    if (s.idx1 == 0) {
      *found = false;
      return pos;
    }
    if (s.hash == h && pfc_hash_key_equal(&s.key, &key)) {
      *found = true;
      return pos;
    }
    pos = (pos + 1) & mask_;
  }
}

void RuleSet::free_slots() {
  if (slots_) munmap(slots_, slots_bytes_);
  slots_ = nullptr;
  cap_ = slots_bytes_ = 0;
}

// Anonymous mmap: zeroed, and for large tables 2 MiB aligned and advised
// for transparent huge pages, so that a random probe does not also miss
// the TLB (MADV_HUGEPAGE is advice; without it the table still works).
static void *map_table(size_t bytes) {
  constexpr size_t kHuge = 2u << 20;
  if (bytes < kHuge) {
    void *m = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return m == MAP_FAILED ? nullptr : m;
  }
  void *m = mmap(nullptr, bytes + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) return nullptr;
  uintptr_t start = reinterpret_cast<uintptr_t>(m);
  uintptr_t aligned = (start + kHuge - 1) & ~(uintptr_t)(kHuge - 1);
  if (aligned > start) munmap(m, aligned - start);
  size_t tail = (start + bytes + kHuge) - (aligned + bytes);
  if (tail) munmap(reinterpret_cast<void *>(aligned + bytes), tail);
  madvise(reinterpret_cast<void *>(aligned), bytes, MADV_HUGEPAGE);
  return reinterpret_cast<void *>(aligned);
}

void RuleSet::rehash(size_t new_cap) {
  size_t bytes = new_cap * sizeof(Slot);
  void *m = map_table(bytes);
  if (!m) throw std::bad_alloc();
  Slot *old = slots_;
  size_t old_cap = cap_, old_bytes = slots_bytes_;
  slots_ = static_cast<Slot *>(m);
  cap_ = new_cap;
  slots_bytes_ = bytes;
  mask_ = new_cap - 1;
  for (size_t i = 0; i < old_cap; i++) {
    const Slot &s = old[i];
    if (!s.idx1) continue;
    size_t pos = s.hash & mask_;
    while (slots_[pos].idx1) pos = (pos + 1) & mask_;
    slots_[pos] = s;
  }
  if (old) munmap(old, old_bytes);
}

int RuleSet::add_hash(const hash_filtering_rule &r, uint64_t now_sec) {
  if (static_cast<uint32_t>(r.rule_action) >= PFC_NUM_RULE_ACTIONS) return PF_RING_ERROR_INVALID_ARGUMENT;
  pfc_hash_key key;
  pfc_hash_key_from_rule(&r, &key);
  uint32_t h = pfc_hash_key_hash(&key);
  bool found;
  probe(key, h, &found);
  if (found) return PF_RING_ERROR_INVALID_ARGUMENT;
  if ((hash_rules_.size() + 1) * 2 > cap_) rehash(cap_ * 2);
  size_t pos = probe(key, h, &found);
  pfc_hash_rule hr;
  std::memset(&hr, 0, sizeof(hr));
  hr.rule = r;
  hr.last_match_sec = now_sec;
  hash_rules_.push_back(hr);
  slots_[pos].key = key;
  slots_[pos].hash = h;
  slots_[pos].idx1 = static_cast<uint32_t>(hash_rules_.size());
  return 0;
}

pfc_hash_rule *RuleSet::find_hash(const pfc_hash_key &key) { return find_hash(key, pfc_hash_key_hash(&key)); }

pfc_hash_rule *RuleSet::find_hash(const pfc_hash_key &key, uint32_t hash) {
  if (hash_rules_.empty()) return nullptr;
  bool found;
  size_t pos = probe(key, hash, &found);
  return found ? &hash_rules_[slots_[pos].idx1 - 1] : nullptr;
}

uint32_t RuleSet::prefetch_hash(const pfc_hash_key &key) const {
  uint32_t h = pfc_hash_key_hash(&key);
  // The home slot and the next one: at the table's load factor (<= 1/2,
  // linear probing) about a third of the hits are not in their home
  // slot, and a miss there costs a whole memory latency in the burst.
  __builtin_prefetch(&slots_[h & mask_]);
  __builtin_prefetch(&slots_[(h + 1) & mask_]);
  return h;
}

void RuleSet::prefetch(const pkt_parsing_info &p, HashLookup *out) const {
  out->valid = false;
  if (hash_rules_.empty() || pfc_hash_key_from_pkt(&p, &out->key) != 0) return;
  out->hash = prefetch_hash(out->key);
  out->valid = true;
}

// Backward-shift deletion keeps probe chains intact without tombstones;
// the last array element moves into the hole so the array stays dense.
void RuleSet::erase_slot(size_t pos) {
  uint32_t idx = slots_[pos].idx1 - 1;
  size_t hole = pos;
  size_t next = (hole + 1) & mask_;
  while (slots_[next].idx1) {
    size_t home = slots_[next].hash & mask_;
    // Move next into the hole unless its home lies in (hole, next].
    bool in_range = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next);
    if (!in_range) {
      slots_[hole] = slots_[next];
      hole = next;
    }
    next = (next + 1) & mask_;
  }
  slots_[hole].idx1 = 0;

  uint32_t last = static_cast<uint32_t>(hash_rules_.size() - 1);
  if (idx != last) {
    pfc_hash_key lkey;
    pfc_hash_key_from_rule(&hash_rules_[last].rule, &lkey);
    bool found;
    size_t lpos = probe(lkey, pfc_hash_key_hash(&lkey), &found);
    hash_rules_[idx] = hash_rules_[last];
    slots_[lpos].idx1 = idx + 1;
  }
  hash_rules_.pop_back();
}

int RuleSet::remove_hash(const pfc_hash_key &key) {
  if (hash_rules_.empty()) return PF_RING_ERROR_NOT_FOUND;
  bool found;
  size_t pos = probe(key, pfc_hash_key_hash(&key), &found);
  if (!found) return PF_RING_ERROR_NOT_FOUND;
  erase_slot(pos);
  return 0;
}

int RuleSet::purge_idle_hash(uint64_t now_sec, uint16_t inactivity_sec) {
  int n = 0;
  for (size_t i = 0; i < hash_rules_.size();) {
    if (pfc_hash_rule_is_idle(&hash_rules_[i], now_sec, inactivity_sec)) {
      pfc_hash_key key;
      pfc_hash_key_from_rule(&hash_rules_[i].rule, &key);
      remove_hash(key);  // moves the last rule into i: look at i again
      n++;
    } else {
      i++;
    }
  }
  return n;
}

}  // namespace pfr
