// userspace_module.h - "userspace:NAME": a packet pipe between two
// processes (or two handles) through shared memory (guide 7.4, "Userspace
// RING"; DESIGN.md decision 2). docs/userspace-multi.md tells the story.
//
// /dev/shm/pfring-usr.NAME holds a UsrHeader and two src/core/ring.h
// rings, one per direction. Whoever opens NAME first creates the segment
// and is end A; the second opener is end B; a third opener is refused.
// End A sends into ring 0 and receives from ring 1, end B the other way
// round, so both ends can send and receive. The last end to close removes
// the segment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "shm_segment.h"

namespace pfr {
namespace usr {

constexpr uint32_t kMagic = 0x53555046u;  // "PFUS" in memory on little-endian hosts
constexpr uint32_t kVersion = 1u;         // bump on any change of UsrHeader
constexpr uint32_t kDefaultSlots = 4096;
constexpr uint32_t kDefaultSlotSize = 2048;  // bytes per slot, the 32-byte slot header included
constexpr uint32_t kMinSlotSize = 64, kMaxSlotSize = 1u << 20;
constexpr uint32_t kMinSlots = 2, kMaxSlots = 1u << 20;
constexpr uint64_t kMaxRingBytes = 1ull << 30;  // per direction
constexpr size_t kNameMax = 31;

// UsrHeader::state bits. Changed only with compare-and-swap.
constexpr uint32_t kEndA = 1u;    // end A is attached
constexpr uint32_t kEndB = 2u;    // end B is attached
constexpr uint32_t kClosed = 4u;  // an end has closed: the pipe is ending, nobody may join
constexpr uint32_t kDead = 8u;    // no end is left: the segment is being removed

// The first 128 bytes of the segment. Geometry fields are written by the
// creator before it publishes magic (release); readers load magic
// (acquire) before trusting anything else.
struct UsrHeader {
  uint32_t magic;        // kMagic
  uint32_t version;      // kVersion
  uint32_t num_slots;    // per ring, a power of two
  uint32_t slot_size;    // bytes per slot, a multiple of 64
  uint64_t ring_bytes;   // bytes of each ring (pfc_ring_bytes)
  uint64_t total_bytes;  // kHeaderBytes + 2 * ring_bytes
  uint64_t ring_off[2];  // ring that end A (0) and end B (1) send into
  uint32_t state;        // kEnd* | kClosed | kDead
  uint32_t pid[2];       // process of end A and end B (0: not known yet)
  uint32_t reserved;
};
constexpr size_t kHeaderBytes = 128;
static_assert(sizeof(UsrHeader) <= kHeaderBytes, "UsrHeader grew past its reserved bytes");
static_assert(offsetof(UsrHeader, state) == 48, "tests/integration/test_usm.py reads state at byte 48");

// What "NAME[,slots=N][,slot=B]" asks for.
struct UsrOptions {
  std::string name;
  uint32_t num_slots = kDefaultSlots;
  uint32_t slot_size = kDefaultSlotSize;
  bool geometry_given = false;  // slots= or slot= was given: an existing segment must match
  sim::shm::Access access;      // user=, group=: who else may share the segment
};

// Parses the device part of "userspace:NAME[,slots=N][,slot=B][,user=U]
// [,group=G]". NAME is 1..31 of A-Z a-z 0-9 _ -; slots a power of two in
// 2..2^20; slot the bytes per slot in 64..2^20, rounded up to a multiple
// of 64 (the largest packet is slot - 32 bytes); one ring at most 1 GiB;
// user/group a name or number (sim/shm_segment.h: whose segment may be
// joined; group= also makes a new segment 0660 for that group). A key
// given twice is refused. Returns true, or false with err naming the part
// that is wrong.
bool parse_usr_options(const std::string &device, UsrOptions &out, std::string &err);

// The POSIX shared-memory name of ring NAME ("/pfring-usr.NAME"; the file
// is /dev/shm/pfring-usr.NAME).
std::string shm_name(const std::string &name);

}  // namespace usr
}  // namespace pfr
