// rule_set.h - storage and index for wildcard and hash rules of one ring.
//
// The semantics (what matches, order, actions, policy) live in
// src/core/rules.c; this class owns the rules and finds, per packet, the
// few wildcard rules that can match (no linear scan) and the hash rule
// with the packet's 6-tuple (open addressing).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

extern "C" {
#include "rules.h"
}

namespace pfr {

// A packet's hash-rule key and its hash, worked out once per packet: when
// a burst is staged (to prefetch the slot) and used again by evaluate().
struct HashLookup {
  pfc_hash_key key;
  uint32_t hash;
  bool valid;  // false: not worked out (no hash rules then, or not IPv4/IPv6)
};

class RuleSet {
 public:
  RuleSet();
  ~RuleSet();
  RuleSet(const RuleSet &) = delete;
  RuleSet &operator=(const RuleSet &) = delete;

  // ---- wildcard rules ----
  // 0, or PF_RING_ERROR_INVALID_ARGUMENT (duplicate id / invalid rule).
  int add_wildcard(const filtering_rule &r, uint64_t now_sec);
  // 0, or PF_RING_ERROR_NOT_FOUND.
  int remove_wildcard(uint16_t rule_id);
  const pfc_wc_rule *find_wildcard(uint16_t rule_id) const;
  int purge_idle_wildcard(uint64_t now_sec, uint16_t inactivity_sec);
  size_t wildcard_count() const { return wc_by_id_.size(); }

  // ---- hash rules ----
  // 0, or PF_RING_ERROR_INVALID_ARGUMENT (same 6-tuple already present).
  int add_hash(const hash_filtering_rule &r, uint64_t now_sec);
  // 0, or PF_RING_ERROR_NOT_FOUND.
  int remove_hash(const pfc_hash_key &key);
  pfc_hash_rule *find_hash(const pfc_hash_key &key);
  // Burst lookups: prefetch_hash() starts loading the key's slot and
  // returns its hash; find_hash(key, hash) completes the lookup. Issuing
  // the prefetches of a whole burst first overlaps the cache misses of a
  // large table (one miss costs ~200 ns on the machines measured).
  uint32_t prefetch_hash(const pfc_hash_key &key) const;
  pfc_hash_rule *find_hash(const pfc_hash_key &key, uint32_t hash);
  int purge_idle_hash(uint64_t now_sec, uint16_t inactivity_sec);
  size_t hash_count() const { return hash_rules_.size(); }
  void reserve_hash(size_t n);

  bool empty() const { return wc_by_id_.empty() && hash_rules_.empty(); }
  // Some wildcard rule looks at extended_fields.tunnel: packets must be
  // parsed down to the tunnel (PFC_LEVEL_TUNNEL) for the rules.
  bool needs_tunnel() const { return tunnel_rules_ > 0; }

  // Evaluates the rules on a parsed packet (core semantics). ops may be null.
  // staged, if given and valid, is prefetch()'s lookup of this very parse
  // of p: the key and hash are not worked out again.
  int evaluate(pkt_parsing_info *p, const uint8_t *pkt, uint32_t caplen, uint8_t default_accept,
               uint64_t now_sec, const pfc_eval_ops *ops, void *ops_ctx, pfc_verdict *v,
               const HashLookup *staged = nullptr);
  // Prefetches the hash-rule slot of a parsed packet and keeps the key and
  // hash in *out for evaluate() (out->valid false without hash rules or
  // without a key).
  void prefetch(const pkt_parsing_info &p, HashLookup *out) const;

  // The wildcard rules that may match p, sorted by rule_id, into scratch.
  // Exposed for tests and benchmarks.
  const std::vector<pfc_wc_rule *> &candidates(const pkt_parsing_info &p);

 private:
  // Wildcard index: each rule sits in one kind of bucket, chosen by its most
  // selective field: a single port, an exact /32 host, a port range of at
  // most kMaxIndexedSpan ports (entered under each of its ports), an IPv4
  // prefix of /8 or longer (one table per prefix length), an exact
  // destination or source MAC, a VLAN id, an IP protocol, else the generic
  // list. A bidirectional rule (peers may be swapped) is indexed only by
  // VLAN or protocol, which do not depend on the direction. Buckets are sorted by rule_id; a packet looks up one key per kind
  // (per prefix length), so it meets each rule at most once; the lists are
  // merged in rule-id order.
  enum Bucket { kDport, kSport, kDhost4, kShost4, kDnet4, kSnet4, kDmac, kSmac, kVlan, kProto, kGeneric };
  static constexpr uint32_t kMaxIndexedSpan = 1024;
  struct Placement {
    Bucket bucket;
    uint64_t lo, hi;  // keys [lo, hi]
    uint8_t plen;     // prefix length (kDnet4, kSnet4)
  };
  using BucketMap = std::unordered_map<uint64_t, std::vector<pfc_wc_rule *>>;
  BucketMap &net_map(Bucket b, uint8_t plen);
  Placement place(const filtering_rule &r) const;
  void index_insert(pfc_wc_rule *w);
  void index_erase(pfc_wc_rule *w);

  std::map<uint16_t, std::unique_ptr<pfc_wc_rule>> wc_by_id_;
  size_t tunnel_rules_ = 0;  // wildcard rules with tunnel fields
  BucketMap by_dport_, by_sport_, by_dhost_, by_shost_, by_dmac_, by_smac_, by_vlan_, by_proto_;
  std::map<uint8_t, BucketMap> by_dnet_, by_snet_;  // by prefix length
  std::vector<pfc_wc_rule *> generic_;
  std::vector<pfc_wc_rule *> scratch_;
  std::vector<const std::vector<pfc_wc_rule *> *> lists_;  // per-packet merge inputs

  // Hash rules: open addressing with linear probing, at most half full.
  // A slot holds the whole key, so a lookup touches one cache line (the
  // table is in huge pages where the kernel allows, to spare the TLB);
  // hash_rules_ is dense and compacted on removal.
  struct alignas(64) Slot {
    pfc_hash_key key;
    uint32_t hash;
    uint32_t idx1;  // index into hash_rules_ + 1; 0 = empty
  };
  static_assert(sizeof(Slot) == 64, "one slot per cache line");
  size_t probe(const pfc_hash_key &key, uint32_t h, bool *found) const;
  void rehash(size_t new_cap);
  void erase_slot(size_t pos);
  void free_slots();
  Slot *slots_ = nullptr;
  size_t cap_ = 0;
  size_t slots_bytes_ = 0;
  size_t mask_ = 0;
  std::vector<pfc_hash_rule> hash_rules_;
};

}  // namespace pfr
