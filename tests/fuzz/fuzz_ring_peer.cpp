// fuzz_ring_peer.cpp - the ring layer (src/core/ring.h) against a hostile
// peer: a valid ring is made, then the input is a sequence of commands
// that either write any 32-bit value anywhere in the shared mapping (the
// peer: indices, geometry, slot headers) or act as this side's producer
// or consumer. Whatever the peer writes, the hardened producer and
// consumer never touch a byte outside the mapping (the mapping is an
// exact-size heap block: AddressSanitizer sees one byte past it), and an
// impossible index is reported, not used.
//
//   build-fuzz/bin/fuzz_ring_peer -max_total_time=60 NEW_CORPUS_DIR
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "ring.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  uint32_t num_slots = 1u << (data[0] % 6);
  uint32_t slot_size = 64u * (1u + data[1] % 4u);
  uint64_t bytes = pfc_ring_bytes(num_slots, slot_size);
  std::unique_ptr<uint8_t[]> mem(new uint8_t[bytes]);
  auto *r = reinterpret_cast<pfc_ring_hdr *>(mem.get());
  if (pfc_ring_init(r, bytes, num_slots, slot_size) != 0) __builtin_trap();
  pfc_ring_producer p;
  pfc_ring_consumer c;
  if (pfc_ring_producer_attach(&p, r, bytes) != 0 || pfc_ring_consumer_attach(&c, r, bytes) != 0) __builtin_trap();
  bool have_c = true;
  uint8_t pkt[1500];
  for (size_t i = 0; i < sizeof(pkt); i++) pkt[i] = uint8_t(i);
  uint64_t sum = 0;
  for (size_t at = 2; at + 6 <= size; at += 6) {
    const uint8_t *cmd = data + at;
    uint32_t v;
    std::memcpy(&v, cmd + 2, 4);
    switch (cmd[0] % 4) {
      case 0: {  // the peer writes v somewhere (aligned, inside the mapping)
        uint64_t off = (uint64_t(cmd[1]) * 4) % (bytes - 3);
        std::memcpy(mem.get() + off, &v, 4);
        break;
      }
      case 1: {  // this side produces one packet
        if (pfc_ring_producer_corrupt(&p) || pfc_ring_producer_free(&p) == 0) break;
        pfc_slot_hdr m{};
        m.caplen = m.len = v % sizeof(pkt);
        if (pfc_slot_write(&p, 0, &m, pkt) > p.slot_size - PFC_SLOT_HDR_LEN) __builtin_trap();
        pfc_ring_producer_commit(&p, 1);
        break;
      }
      case 2: {  // this side consumes a burst, reading every byte it is given
        if (!have_c) break;
        int n = pfc_ring_consumer_peek(&c, cmd[1] % 40);
        if (n < 0) {
          if (!c.corrupt) __builtin_trap();
          break;
        }
        if (uint32_t(n) > c.num_slots) __builtin_trap();
        for (int k = 0; k < n; k++) {
          pfc_slot_hdr m;
          const uint8_t *d = pfc_slot_read(&c, uint32_t(k), &m);
          if (m.caplen > c.slot_size - PFC_SLOT_HDR_LEN || m.caplen > m.len) __builtin_trap();
          for (uint32_t b = 0; b < m.caplen; b++) sum += d[b];
        }
        pfc_ring_consumer_release(&c, uint32_t(n));
        break;
      }
      default:  // a process joins now: the geometry is checked again
        have_c = pfc_ring_consumer_attach(&c, r, bytes) == 0;
        (void)pfc_ring_consumer_count(&c);
        break;
    }
  }
  if (sum == 0xdeadbeefcafeull) std::abort();  // keep the reads
  return 0;
}
