// fuzz_desc_queue_peer.cpp - the descriptor queue (src/core/desc_queue.h)
// against a hostile peer: a valid queue is made, then the input is a
// sequence of commands that either write any 32-bit value anywhere in the
// shared mapping (the peer: indices, geometry, descriptors) or act as this
// side's producer or consumer, or re-attach an end. Whatever the peer
// writes, neither end touches a byte outside the mapping (an exact-size
// heap block: AddressSanitizer sees one byte past it), every descriptor
// the consumer returns names a buffer of the pool, and an impossible
// index or descriptor is reported, not used.
//
//   build-fuzz/bin/fuzz_desc_queue_peer -max_total_time=60 NEW_CORPUS_DIR
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "desc_queue.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  const uint32_t entries = 1u << (data[0] % 7);
  const uint32_t buffers = 1u + data[1] % 64, buf_size = 2048;
  const uint64_t bytes = pfc_dq_bytes(entries);
  std::unique_ptr<uint8_t[]> mem(new uint8_t[bytes]);
  auto *q = reinterpret_cast<pfc_dq_hdr *>(mem.get());
  if (pfc_dq_init(q, bytes, entries) != 0) __builtin_trap();
  pfc_dq_producer p;
  pfc_dq_consumer c;
  if (pfc_dq_producer_attach(&p, q, bytes) != 0 || pfc_dq_consumer_attach(&c, q, bytes, buffers, buf_size) != 0)
    __builtin_trap();
  bool have_p = true, have_c = true;
  uint64_t sum = 0;
  for (size_t at = 2; at + 6 <= size; at += 6) {
    const uint8_t *cmd = data + at;
    uint32_t v;
    std::memcpy(&v, cmd + 2, 4);
    switch (cmd[0] % 5) {
      case 0: {  // the peer writes v somewhere (aligned, inside the mapping)
        uint64_t off = (uint64_t(cmd[1]) * 4) % (bytes - 3);
        std::memcpy(mem.get() + off, &v, 4);
        break;
      }
      case 1: {  // this side produces a burst of valid descriptors
        if (!have_p) break;
        pfc_desc d[8];
        uint32_t n = 1 + cmd[1] % 8;
        for (uint32_t k = 0; k < n; k++) {
          d[k] = pfc_desc{};
          d[k].buf_id = (v + k) % buffers;
          d[k].len = 60 + (v % 1400);
          d[k].caplen = d[k].len;
        }
        long put = pfc_dq_enqueue_burst(&p, d, n);
        if (put > long(n) || (put < 0 && put != -PFC_DQ_ECORRUPT)) __builtin_trap();
        if (put < 0 && !pfc_dq_producer_corrupt(&p)) __builtin_trap();
        break;
      }
      case 2: {  // this side consumes a burst, using every buffer it is given
        if (!have_c) break;
        pfc_desc out[40];
        long n = pfc_dq_dequeue_burst(&c, out, cmd[1] % 40);
        if (n < 0) {
          if (n != -PFC_DQ_ECORRUPT && n != -PFC_DQ_EBADDESC) __builtin_trap();
          if (!c.corrupt) __builtin_trap();
          break;
        }
        if (uint64_t(n) > c.num_entries) __builtin_trap();
        for (long k = 0; k < n; k++) {
          if (out[k].buf_id >= buffers || out[k].caplen > buf_size || out[k].caplen > out[k].len) __builtin_trap();
          sum += out[k].buf_id * uint64_t(buf_size) + out[k].caplen;
        }
        break;
      }
      case 3:  // a consumer process joins now: the geometry is checked again
        have_c = pfc_dq_consumer_attach(&c, q, bytes, buffers, buf_size) == 0;
        (void)pfc_dq_count(&c);
        break;
      default:  // a producer process joins now
        have_p = pfc_dq_producer_attach(&p, q, bytes) == 0;
        if (have_p) (void)pfc_dq_free(&p);
        break;
    }
  }
  if (sum == 0xdeadbeefcafeull) std::abort();  // keep the reads
  return 0;
}
