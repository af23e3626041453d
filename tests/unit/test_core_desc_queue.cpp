// test_core_desc_queue.cpp - the zero-copy descriptor queue
// (src/core/desc_queue.h on the index protocol of spsc.h): geometry
// checks, bursts in order across the index wrap, a full queue, both ends
// against a hostile peer (impossible indices, descriptors naming buffers
// outside the pool), and a producer and a consumer thread moving a
// numbered sequence (run under TSan in CI).
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "unit/shared_mem.h"

#include "desc_queue.h"

namespace {

using Mem = ut::SharedMem<pfc_dq_hdr>;

pfc_desc desc(uint32_t id, uint32_t len = 60) {
  pfc_desc d{};
  d.buf_id = id;
  d.len = len;
  d.caplen = len;
  d.pkt_hash = id * 2654435761u;
  d.timestamp_ns = 1000ull * id;
  d.if_index = 3;
  d.queue = 1;
  return d;
}

constexpr uint32_t kBuffers = 1024, kBufSize = 2048;

struct Ends {
  explicit Ends(uint32_t n) : m(pfc_dq_bytes(n)) {
    EXPECT_EQ(pfc_dq_init(m.p, m.bytes, n), 0);
    EXPECT_EQ(pfc_dq_producer_attach(&p, m.p, m.bytes), 0);
    EXPECT_EQ(pfc_dq_consumer_attach(&c, m.p, m.bytes, kBuffers, kBufSize), 0);
  }
  Mem m;
  pfc_dq_producer p;
  pfc_dq_consumer c;
};

TEST(CoreDescQueue, GeometryIsCheckedOnBothEnds) {
  Mem m(pfc_dq_bytes(8));
  EXPECT_EQ(pfc_dq_init(m.p, m.bytes, 0), -PFC_DQ_EGEOMETRY);
  EXPECT_EQ(pfc_dq_init(m.p, m.bytes, 6), -PFC_DQ_EGEOMETRY);   // not a power of two
  EXPECT_EQ(pfc_dq_init(m.p, m.bytes, 16), -PFC_DQ_EGEOMETRY);  // larger than the memory
  pfc_dq_producer p;
  pfc_dq_consumer c;
  EXPECT_EQ(pfc_dq_producer_attach(&p, m.p, m.bytes), -PFC_DQ_EMAGIC);  // nothing made yet
  ASSERT_EQ(pfc_dq_init(m.p, m.bytes, 8), 0);
  EXPECT_EQ(pfc_dq_consumer_attach(&c, m.p, m.bytes - 1, kBuffers, kBufSize), -PFC_DQ_EGEOMETRY);
  m.p->version = 9;
  EXPECT_EQ(pfc_dq_consumer_attach(&c, m.p, m.bytes, kBuffers, kBufSize), -PFC_DQ_EVERSION);
  m.p->version = PFC_DQ_VERSION;
  m.p->num_entries = 1u << 20;  // claims more than the mapping
  EXPECT_EQ(pfc_dq_producer_attach(&p, m.p, m.bytes), -PFC_DQ_EGEOMETRY);
  m.p->num_entries = 8;
  EXPECT_EQ(pfc_dq_producer_attach(&p, m.p, m.bytes), 0);
  EXPECT_EQ(pfc_dq_consumer_attach(&c, m.p, m.bytes, kBuffers, kBufSize), 0);
  EXPECT_EQ(pfc_dq_free(&p), 8u);
  EXPECT_EQ(pfc_dq_count(&c), 0u);
}

TEST(CoreDescQueue, BurstsInOrderAcrossTheWrapAndAFullQueue) {
  Ends e(8);
  // start near the end of the 32-bit index space: the wrap happens inside
  e.m.p->insert_idx = e.m.p->remove_idx = 0xFFFFFFFCu;
  ASSERT_EQ(pfc_dq_producer_attach(&e.p, e.m.p, e.m.bytes), 0);
  ASSERT_EQ(pfc_dq_consumer_attach(&e.c, e.m.p, e.m.bytes, kBuffers, kBufSize), 0);
  uint32_t next_in = 0, next_out = 0;
  for (int round = 0; round < 20; round++) {
    std::vector<pfc_desc> in;
    for (int k = 0; k < 11; k++) in.push_back(desc(next_in + uint32_t(k)));
    long put = pfc_dq_enqueue_burst(&e.p, in.data(), uint32_t(in.size()));
    ASSERT_GE(put, 0);
    ASSERT_LE(put, 8);
    next_in += uint32_t(put);
    EXPECT_EQ(pfc_dq_count(&e.c), next_in - next_out);
    pfc_desc out[5];
    long got = pfc_dq_dequeue_burst(&e.c, out, 5);
    ASSERT_GE(got, 0);
    for (long k = 0; k < got; k++) {
      EXPECT_EQ(out[k].buf_id, next_out);
      EXPECT_EQ(out[k].timestamp_ns, 1000ull * next_out);
      EXPECT_EQ(out[k].pkt_hash, next_out * 2654435761u);
      next_out++;
    }
  }
  EXPECT_GT(next_out, 50u);
  // full: nothing more goes in until the consumer gives entries back
  while (pfc_dq_free(&e.p) > 0) {
    pfc_desc d = desc(next_in++);
    ASSERT_EQ(pfc_dq_enqueue_burst(&e.p, &d, 1), 1);
  }
  pfc_desc d = desc(9);
  EXPECT_EQ(pfc_dq_enqueue_burst(&e.p, &d, 1), 0);
  EXPECT_EQ(e.m.p->enqueued, uint64_t(next_in));
}

TEST(CoreDescQueue, AHostileConsumerIndexStopsTheProducer) {
  Ends e(8);
  pfc_desc d[3] = {desc(1), desc(2), desc(3)};
  ASSERT_EQ(pfc_dq_enqueue_burst(&e.p, d, 3), 3);
  e.m.p->remove_idx = 100;  // "ahead" of everything produced
  EXPECT_EQ(pfc_dq_free(&e.p), 0u);
  EXPECT_TRUE(pfc_dq_producer_corrupt(&e.p));
  EXPECT_EQ(pfc_dq_enqueue_burst(&e.p, d, 3), -PFC_DQ_ECORRUPT);
  e.m.p->insert_idx = 77;  // the peer cannot move the producer's own index either
  e.m.p->remove_idx = 3;
  EXPECT_FALSE(pfc_dq_producer_corrupt(&e.p));
  EXPECT_EQ(pfc_dq_free(&e.p), 8u);
}

TEST(CoreDescQueue, AHostileProducerIndexIsReportedAndSticky) {
  Ends e(8);
  e.m.p->insert_idx = 9;  // nine ready in a queue of eight
  pfc_desc out[16];
  EXPECT_EQ(pfc_dq_count(&e.c), 0u);
  EXPECT_EQ(pfc_dq_dequeue_burst(&e.c, out, 16), -PFC_DQ_ECORRUPT);
  e.m.p->insert_idx = 1;
  EXPECT_EQ(pfc_dq_dequeue_burst(&e.c, out, 16), -PFC_DQ_ECORRUPT);  // stays refused
  EXPECT_EQ(e.m.p->remove_idx, 0u);
}

TEST(CoreDescQueue, DescriptorsNamingNoBufferOfThePoolAreRefused) {
  struct Case {
    pfc_desc bad;
    const char *what;
  };
  std::vector<Case> cases;
  cases.push_back({desc(kBuffers), "id past the pool"});
  cases.push_back({desc(0xFFFFFFFFu), "id -1"});
  pfc_desc big = desc(4);
  big.len = big.caplen = kBufSize + 1;
  cases.push_back({big, "caplen above the buffer"});
  pfc_desc over = desc(5, 100);
  over.caplen = 101;
  cases.push_back({over, "caplen above len"});
  for (const Case &k : cases) {
    SCOPED_TRACE(k.what);
    Ends e(8);
    pfc_desc in[3] = {desc(1), k.bad, desc(2)};
    ASSERT_EQ(pfc_dq_enqueue_burst(&e.p, in, 3), 3);
    pfc_desc out[8];
    // the good one before it comes out, then the queue is refused
    ASSERT_EQ(pfc_dq_dequeue_burst(&e.c, out, 8), 1);
    EXPECT_EQ(out[0].buf_id, 1u);
    EXPECT_EQ(pfc_dq_dequeue_burst(&e.c, out, 8), -PFC_DQ_EBADDESC);
    EXPECT_EQ(pfc_dq_dequeue_burst(&e.c, out, 8), -PFC_DQ_EBADDESC);
    EXPECT_EQ(e.m.p->remove_idx, 1u);
  }
}

TEST(CoreDescQueue, TwoThreadsMoveASequenceInOrder) {
  Ends e(64);
  constexpr uint32_t kCount = 200000;
  std::thread producer([&] {
    uint32_t sent = 0;
    pfc_desc burst[16];
    for (long spins = 0; sent < kCount && spins < 100000000; spins++) {
      uint32_t n = 0;
      for (; n < 16 && sent + n < kCount; n++) burst[n] = desc((sent + n) % kBuffers, 60 + (sent + n) % 1400);
      long put = pfc_dq_enqueue_burst(&e.p, burst, n);
      if (put < 0) return;
      sent += uint32_t(put);
    }
  });
  uint32_t got = 0;
  bool in_order = true;
  pfc_desc out[32];
  for (long spins = 0; got < kCount && spins < 100000000; spins++) {
    long n = pfc_dq_dequeue_burst(&e.c, out, 32);
    ASSERT_GE(n, 0);
    for (long k = 0; k < n; k++, got++)
      in_order &= out[k].buf_id == got % kBuffers && out[k].len == 60 + got % 1400;
  }
  producer.join();
  EXPECT_EQ(got, kCount);
  EXPECT_TRUE(in_order);
}

}  // namespace
