// test_core_ring.cpp - the shared-memory ring (src/core/ring.h): geometry
// checks, burst reserve/commit/peek/release, index wrap-around, and a
// producer and a consumer thread moving a numbered sequence (run under TSan
// in CI).
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "unit/shared_mem.h"

#include "ring.h"

namespace {

using Mem = ut::SharedMem<pfc_ring_hdr>;

TEST(CoreRing, InitRejectsBadGeometry) {
  Mem m(pfc_ring_bytes(8, 128));
  EXPECT_EQ(pfc_ring_init(m.p, m.bytes, 0, 128), -PFC_RING_EGEOMETRY);
  EXPECT_EQ(pfc_ring_init(m.p, m.bytes, 6, 128), -PFC_RING_EGEOMETRY);   // not a power of two
  EXPECT_EQ(pfc_ring_init(m.p, m.bytes, 8, 100), -PFC_RING_EGEOMETRY);   // not a multiple of 64
  EXPECT_EQ(pfc_ring_init(m.p, m.bytes, 8, 32), -PFC_RING_EGEOMETRY);    // no room for a byte
  EXPECT_EQ(pfc_ring_init(m.p, m.bytes, 16, 128), -PFC_RING_EGEOMETRY);  // larger than the memory
  EXPECT_EQ(pfc_ring_init(m.p, m.bytes, 8, 128), 0);
  EXPECT_EQ(pfc_ring_check(m.p, m.bytes, nullptr), 0);
  EXPECT_EQ(pfc_ring_max_caplen(m.p), 128u - PFC_SLOT_HDR_LEN);
  EXPECT_EQ(pfc_ring_count(m.p), 0u);
}

TEST(CoreRing, CheckNamesWhatIsWrong) {
  Mem m(pfc_ring_bytes(8, 128));
  ASSERT_EQ(pfc_ring_init(m.p, m.bytes, 8, 128), 0);
  uint32_t v = 0;
  EXPECT_EQ(pfc_ring_check(m.p, sizeof(pfc_ring_hdr) - 1, nullptr), -PFC_RING_EMAGIC);
  EXPECT_EQ(pfc_ring_check(m.p, m.bytes - 1, nullptr), -PFC_RING_EGEOMETRY);  // mapping too short
  m.p->version = 7;
  EXPECT_EQ(pfc_ring_check(m.p, m.bytes, &v), -PFC_RING_EVERSION);
  EXPECT_EQ(v, 7u);
  m.p->version = PFC_RING_VERSION;
  m.p->num_slots = 12;
  EXPECT_EQ(pfc_ring_check(m.p, m.bytes, nullptr), -PFC_RING_EGEOMETRY);
  m.p->num_slots = 8;
  m.p->magic = 0;
  EXPECT_EQ(pfc_ring_check(m.p, m.bytes, nullptr), -PFC_RING_EMAGIC);
}

TEST(CoreRing, BurstsFillAndDrainInOrder) {
  Mem m(pfc_ring_bytes(8, 128));
  ASSERT_EQ(pfc_ring_init(m.p, m.bytes, 8, 128), 0);
  EXPECT_EQ(pfc_ring_reserve(m.p, 5), 5u);
  for (uint32_t k = 0; k < 5; k++) pfc_ring_slot(m.p, m.p->insert_idx + k)->len = 100 + k;
  EXPECT_EQ(pfc_ring_peek(m.p, 8), 0u);  // nothing visible before commit
  pfc_ring_commit(m.p, 5);
  EXPECT_EQ(pfc_ring_reserve(m.p, 5), 3u);  // 8 slots, 5 used
  EXPECT_EQ(pfc_ring_peek(m.p, 8), 5u);
  EXPECT_EQ(pfc_ring_peek(m.p, 2), 2u);
  for (uint32_t k = 0; k < 5; k++) EXPECT_EQ(pfc_ring_slot(m.p, m.p->remove_idx + k)->len, 100 + k);
  pfc_ring_release(m.p, 2);
  EXPECT_EQ(pfc_ring_count(m.p), 3u);
  EXPECT_EQ(pfc_ring_reserve(m.p, 8), 5u);
  EXPECT_EQ(m.p->produced, 5u);
}

TEST(CoreRing, IndicesWrapAround32Bits) {
  Mem m(pfc_ring_bytes(4, 64));
  ASSERT_EQ(pfc_ring_init(m.p, m.bytes, 4, 64), 0);
  m.p->insert_idx = m.p->remove_idx = 0xFFFFFFFEu;
  ASSERT_EQ(pfc_ring_reserve(m.p, 4), 4u);
  for (uint32_t k = 0; k < 4; k++) pfc_ring_slot(m.p, m.p->insert_idx + k)->len = k;
  pfc_ring_commit(m.p, 4);
  EXPECT_EQ(m.p->insert_idx, 2u);
  EXPECT_EQ(pfc_ring_reserve(m.p, 1), 0u);  // full across the wrap
  ASSERT_EQ(pfc_ring_peek(m.p, 4), 4u);
  for (uint32_t k = 0; k < 4; k++) EXPECT_EQ(pfc_ring_slot(m.p, m.p->remove_idx + k)->len, k);
  pfc_ring_release(m.p, 4);
  EXPECT_EQ(pfc_ring_count(m.p), 0u);
}

TEST(CoreRing, SlotSizeHoldsCaplen) {
  EXPECT_EQ(pfc_ring_slot_size_for(1), 64u);
  EXPECT_EQ(pfc_ring_slot_size_for(32), 64u);
  EXPECT_EQ(pfc_ring_slot_size_for(33), 128u);
  EXPECT_EQ(pfc_ring_slot_size_for(1518), 1600u);
  EXPECT_GE(pfc_ring_slot_size_for(1518) - PFC_SLOT_HDR_LEN, 1518u);
}

// One producer and one consumer thread, bursts of varying sizes: every
// number arrives once, in order, with its bytes intact.
TEST(CoreRing, ProducerConsumerThreadsKeepOrder) {
  const uint32_t kSlots = 64, kCount = 200000;
  Mem m(pfc_ring_bytes(kSlots, 64));
  ASSERT_EQ(pfc_ring_init(m.p, m.bytes, kSlots, 64), 0);
  std::thread producer([&] {
    uint32_t next = 0, burst = 1;
    while (next < kCount) {
      uint32_t n = pfc_ring_reserve(m.p, std::min(burst, kCount - next));
      for (uint32_t k = 0; k < n; k++) {
        pfc_slot_hdr *s = pfc_ring_slot(m.p, m.p->insert_idx + k);
        s->len = next + k;
        s->caplen = 4;
        std::memcpy(s + 1, &s->len, 4);
      }
      if (n) pfc_ring_commit(m.p, n);
      next += n;
      burst = burst % 17 + 1;
      if (!n) std::this_thread::yield();
    }
  });
  uint32_t expect = 0;
  bool ok = true;
  while (expect < kCount && ok) {
    uint32_t n = pfc_ring_peek(m.p, 32);
    for (uint32_t k = 0; k < n; k++) {
      const pfc_slot_hdr *s = pfc_ring_slot(m.p, m.p->remove_idx + k);
      uint32_t body;
      std::memcpy(&body, s + 1, 4);
      if (s->len != expect || body != expect) ok = false;
      expect++;
    }
    if (n) pfc_ring_release(m.p, n);
    else std::this_thread::yield();
  }
  producer.join();
  EXPECT_TRUE(ok) << "out of order at " << expect;
  EXPECT_EQ(expect, kCount);
  EXPECT_EQ(m.p->produced, kCount);
}

// The untrusting producer (pf_ring.ko's): whatever the consumer writes into
// the shared header, slots stay inside the ring and an impossible consumer
// index means "full".
TEST(CoreRing, ProducerIgnoresAHostileHeader) {
  Mem m(pfc_ring_bytes(8, 128));
  ASSERT_EQ(pfc_ring_init(m.p, m.bytes, 8, 128), 0);
  pfc_ring_producer prod;
  pfc_ring_producer_init(&prod, m.p, 8, 128);
  EXPECT_EQ(pfc_ring_producer_free(&prod), 8u);
  m.p->num_slots = 0x7fffffff;
  m.p->slot_size = 0xfffffff0;
  m.p->data_offset = 0x80000000;
  m.p->insert_idx = 12345;
  const uint8_t *lo = reinterpret_cast<const uint8_t *>(m.p) + sizeof(pfc_ring_hdr);
  const uint8_t *hi = reinterpret_cast<const uint8_t *>(m.p) + m.bytes;
  for (uint32_t k = 0; k < 20; k++) {
    const uint8_t *s = reinterpret_cast<const uint8_t *>(pfc_ring_producer_slot(&prod, k));
    EXPECT_GE(s, lo);
    EXPECT_LE(s + 128, hi);
  }
  m.p->remove_idx = 1;  // claims 9 free slots in an 8-slot ring
  EXPECT_EQ(pfc_ring_producer_free(&prod), 0u);
  m.p->remove_idx = 0;
  pfc_ring_producer_commit(&prod, 3);
  EXPECT_EQ(m.p->insert_idx, 3u);  // rewritten from the producer's own index
  EXPECT_EQ(m.p->produced, 3u);
  EXPECT_EQ(pfc_ring_producer_free(&prod), 5u);
  pfc_ring_producer_drop(&prod);
  EXPECT_EQ(m.p->full_drops, 1u);
}

// The consumer's mirror: geometry and remove index are its own; an insert
// index more than a ring ahead is a corrupt peer (sticky), and a slot's
// caplen is clamped to the slot and to len.
TEST(CoreRing, ConsumerRefusesAHostileProducer) {
  Mem m(pfc_ring_bytes(8, 128));
  ASSERT_EQ(pfc_ring_init(m.p, m.bytes, 8, 128), 0);
  pfc_ring_producer prod;
  pfc_ring_consumer cons;
  ASSERT_EQ(pfc_ring_producer_attach(&prod, m.p, m.bytes), 0);
  ASSERT_EQ(pfc_ring_consumer_attach(&cons, m.p, m.bytes), 0);
  uint8_t pkt[200];
  for (size_t i = 0; i < sizeof(pkt); i++) pkt[i] = uint8_t(i);
  pfc_slot_hdr meta{};
  meta.caplen = meta.len = 200;  // more than a 128-byte slot holds
  meta.pkt_hash = 77;
  EXPECT_EQ(pfc_slot_write(&prod, 0, &meta, pkt), 128u - PFC_SLOT_HDR_LEN);
  pfc_ring_producer_commit(&prod, 1);
  m.p->num_slots = 1u << 20;  // the peer rewrites the geometry: not read again
  m.p->slot_size = 1u << 20;
  ASSERT_EQ(pfc_ring_consumer_peek(&cons, 8), 1);
  pfc_slot_hdr got;
  const uint8_t *d = pfc_slot_read(&cons, 0, &got);
  EXPECT_EQ(got.caplen, 128u - PFC_SLOT_HDR_LEN);
  EXPECT_EQ(got.len, 200u);
  EXPECT_EQ(got.pkt_hash, 77u);
  EXPECT_EQ(std::memcmp(d, pkt, got.caplen), 0);
  const_cast<pfc_slot_hdr *>(pfc_ring_consumer_slot(&cons, 0))->caplen = 0xffffffffu;
  pfc_slot_read(&cons, 0, &got);
  EXPECT_EQ(got.caplen, 96u);
  pfc_ring_consumer_release(&cons, 1);
  EXPECT_EQ(m.p->remove_idx, 1u);
  m.p->insert_idx = 1 + 9;  // nine packets in an eight-slot ring
  EXPECT_EQ(pfc_ring_consumer_peek(&cons, 8), -PFC_RING_ECORRUPT);
  m.p->insert_idx = 1;
  EXPECT_EQ(pfc_ring_consumer_peek(&cons, 8), -PFC_RING_ECORRUPT);  // sticky
  EXPECT_EQ(pfc_ring_consumer_count(&cons), 0u);
  m.p->remove_idx = 5;  // ahead of what was produced
  EXPECT_TRUE(pfc_ring_producer_corrupt(&prod));
  m.p->magic = 0;
  EXPECT_EQ(pfc_ring_consumer_attach(&cons, m.p, m.bytes), -PFC_RING_EMAGIC);
}

}  // namespace
