// usr_segment.h - a userspace: ring's shared memory mapped as a foreign
// tool or a hostile peer would, to damage it (test_userspace_module.cpp,
// test_userspace_hostile.cpp).
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "modules/userspace/userspace_module.h"

extern "C" {
#include "ring.h"
}

// Maps the segment of ring name (created when missing; grown to bytes
// when given).
struct RawSegment {
  explicit RawSegment(const std::string &name, size_t bytes = 0) {
    int fd = shm_open(pfr::usr::shm_name(name).c_str(), O_RDWR | O_CREAT, 0600);
    if (fd < 0) return;
    struct stat st;
    if (bytes) {
      EXPECT_EQ(ftruncate(fd, off_t(bytes)), 0);
    }
    fstat(fd, &st);
    len = size_t(st.st_size);
    void *m = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (m != MAP_FAILED) hdr = static_cast<pfr::usr::UsrHeader *>(m);
  }
  ~RawSegment() {
    if (hdr) munmap(hdr, len);
  }
  RawSegment(const RawSegment &) = delete;
  RawSegment &operator=(const RawSegment &) = delete;
  pfc_ring_hdr *ring(int i) const {
    return reinterpret_cast<pfc_ring_hdr *>(reinterpret_cast<uint8_t *>(hdr) + hdr->ring_off[i]);
  }
  // The first slot of ring i.
  pfc_slot_hdr *slot0(int i) const {
    return reinterpret_cast<pfc_slot_hdr *>(reinterpret_cast<uint8_t *>(ring(i)) + sizeof(pfc_ring_hdr));
  }
  pfr::usr::UsrHeader *hdr = nullptr;
  size_t len = 0;
};
