// buffer_pool.h - the master's view of a cluster's buffers: who may use
// buffer id, counted by references (DESIGN.md decision 6). Only the master
// thread calls it; slaves name buffers by id in descriptors.
//
// Invariant (check()): free + referenced = size, and no buffer is both.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pfr::zero {

class BufferPool {
 public:
  // Buffers [0, num) of buf_size bytes at base, their reference counts at
  // refcnt (num entries, zeroed here); every buffer starts free.
  void init(uint8_t *base, uint32_t buf_size, uint32_t num, uint32_t *refcnt);

  // A free buffer with refs references, or false when none is free.
  bool take(uint32_t refs, uint32_t *id);
  // One reference given back; the buffer is free again with its last.
  // False (nothing changes) for an id out of range or not referenced: a
  // slave gave back what it did not hold.
  bool put(uint32_t id);
  // Adds refs references to a referenced buffer (fan-out after take).
  void add_refs(uint32_t id, uint32_t refs) { refcnt_[id] += refs; }

  uint8_t *data(uint32_t id) const { return base_ + uint64_t(id) * buf_size_; }
  uint32_t buf_size() const { return buf_size_; }
  uint32_t size() const { return num_; }
  uint32_t free_count() const { return static_cast<uint32_t>(free_.size()); }
  uint32_t refs(uint32_t id) const { return id < num_ ? refcnt_[id] : 0; }

  // The invariant; false with what is wrong in err.
  bool check(std::string &err) const;

 private:
  uint8_t *base_ = nullptr;
  uint32_t buf_size_ = 0, num_ = 0;
  uint32_t *refcnt_ = nullptr;
  std::vector<uint32_t> free_;  // a stack: the buffer freed last is reused first (warm in cache)
};

}  // namespace pfr::zero
