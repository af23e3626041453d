// shm_map.h - a shared mapping that survives another process shrinking
// the segment under it.
//
// Why: whoever may write a segment (a pfsim testbed's group, a userspace:
// peer) may also ftruncate it. Touching a mapped page past the new end
// raises SIGBUS, which kills the process - the daemon and every other
// client with it. A GuardedMap registers its range with one SIGBUS
// handler (installed once, chained to whatever handler was there): a
// fault inside a registered range replaces the pages from the faulting one
// to the end of the mapping with private zero pages (mmap MAP_FIXED), marks
// the mapping damaged and lets the access retry, now harmlessly. The owner
// checks damaged() and stops using the segment with a message; what it
// read from the zero pages meanwhile is checked like any other shared
// data (a stopped testbed, an impossible ring index). A SIGBUS outside
// every registered range goes to the previous handler (the default: the
// process dies as it would have).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace sim::shm {

class GuardedMap {
 public:
  GuardedMap() = default;
  ~GuardedMap() { unmap(); }
  GuardedMap(const GuardedMap &) = delete;
  GuardedMap &operator=(const GuardedMap &) = delete;

  // Maps bytes of fd shared (read/write, or read-only) and guards the
  // range. Returns the address, or nullptr with err (mmap's reason, or
  // every guard slot in use: kMaxMaps mappings at once).
  void *map(int fd, uint64_t bytes, bool writable, std::string &err);
  // Unguards, then unmaps (nothing when not mapped).
  void unmap();
  void *addr() const { return addr_; }
  uint64_t bytes() const { return bytes_; }
  // An access found the segment cut short (pages past its end are private
  // zero pages now): stop using it.
  bool damaged() const;

  static constexpr int kMaxMaps = 256;

 private:
  void *addr_ = nullptr;
  uint64_t bytes_ = 0;
  int slot_ = -1;
};

}  // namespace sim::shm
