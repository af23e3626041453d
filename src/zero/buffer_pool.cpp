// buffer_pool.cpp - see buffer_pool.h.
#include "zero/buffer_pool.h"

#include <cstring>

namespace pfr::zero {

void BufferPool::init(uint8_t *base, uint32_t buf_size, uint32_t num, uint32_t *refcnt) {
  base_ = base;
  buf_size_ = buf_size;
  num_ = num;
  refcnt_ = refcnt;
  std::memset(refcnt_, 0, sizeof(uint32_t) * num);
  free_.clear();
  free_.reserve(num);
  for (uint32_t i = num; i > 0; i--) free_.push_back(i - 1);  // id 0 is taken first
}

bool BufferPool::take(uint32_t refs, uint32_t *id) {
  if (free_.empty() || refs == 0) return false;
  *id = free_.back();
  free_.pop_back();
  refcnt_[*id] = refs;
  return true;
}

bool BufferPool::put(uint32_t id) {
  if (id >= num_ || refcnt_[id] == 0) return false;
  if (--refcnt_[id] == 0) free_.push_back(id);
  return true;
}

bool BufferPool::check(std::string &err) const {
  std::vector<uint8_t> is_free(num_, 0);
  for (uint32_t id : free_) {
    if (id >= num_ || is_free[id]) {
      err = "buffer " + std::to_string(id) + " is on the free list twice or is not in the pool";
      return false;
    }
    is_free[id] = 1;
  }
  uint64_t referenced = 0;
  for (uint32_t id = 0; id < num_; id++) {
    if (refcnt_[id] && is_free[id]) {
      err = "buffer " + std::to_string(id) + " is free and referenced";
      return false;
    }
    if (refcnt_[id]) referenced++;
  }
  if (free_.size() + referenced != num_) {
    err = "free " + std::to_string(free_.size()) + " + referenced " + std::to_string(referenced) +
          " != size " + std::to_string(num_);
    return false;
  }
  return true;
}

}  // namespace pfr::zero
