// fuzz_igb_driver.cpp - the igb DNA driver (drivers/igb) against a hostile
// NIC: the 82576 model (sim/igb_model.h) under the driver, and the input a
// sequence of commands that either write any descriptor of the receive or
// transmit ring as the device would (any status and error bits, a length
// of 0 or beyond the buffer, no EOP, DD on descriptors the driver never
// posted or already cleaned, any address), receive a frame the honest way,
// run a receive burst of any size, release, or transmit. Whatever the
// device writes, every packet the driver hands out lies inside the
// buffer of its own descriptor (each byte is read: AddressSanitizer sees
// any read past it), no length is 0 or beyond the buffer, and nothing
// crashes or hangs. With bit 1 of the first byte set, queue 0 receives
// into caller buffers (a pool the fuzzer owns, as libzero's): then no
// buffer is ever handed out twice or lost - at the end every one is free,
// held by the fuzzer, or given back by rx_reclaim, exactly once.
//
//   build-fuzz/bin/fuzz_igb_driver -max_total_time=60 NEW_CORPUS_DIR
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "igb_driver.h"
#include "igb_model.h"
#include "igb_regs.h"

namespace {

constexpr uint32_t kRing = 16, kBuf = 2048, kPool = 40;

// The fuzzer's pool: where each buffer is (0 free, 1 with the NIC, 2 held).
struct Pool {
  uint8_t *mem = static_cast<uint8_t *>(std::aligned_alloc(4096, size_t(kPool) * kBuf));
  dna::DmaRegion map{};
  uint8_t where[kPool] = {};
  ~Pool() { std::free(mem); }
  void post(igb::Driver &drv) {
    igb::RxBuf bufs[kPool];
    uint32_t n = 0;
    for (uint32_t id = 0; id < kPool; id++)
      if (where[id] == 0) bufs[n++] = igb::RxBuf{mem + size_t(id) * kBuf, map.bus + uint64_t(id) * kBuf, id};
    uint32_t k = drv.rx_post(0, bufs, n);
    for (uint32_t i = 0; i < k; i++) where[bufs[i].id] = 1;
  }
};

}  // namespace

// Every byte read is summed here, so the reads are not optimised away.
uint64_t g_igb_fuzz_sink;

namespace {

uint64_t bus_of(sim::IgbModel &m, uint32_t lo, uint32_t hi) {
  return uint64_t(m.read32(lo)) | uint64_t(m.read32(hi)) << 32;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sim::IgbModelConfig mc;
  mc.wait_when_full = false;
  std::string err;
  auto model = sim::IgbModel::create(mc, &err);
  if (!model) __builtin_trap();
  igb::DriverConfig dc;
  dc.rx_queues = 1 + (size ? data[0] % 2 : 0);
  dc.rx_ring = kRing;
  dc.tx_ring = kRing;
  dc.buf_size = kBuf;
  auto drv = igb::Driver::open(*model, dc, err);
  if (!drv) __builtin_trap();
  std::unique_ptr<Pool> pool;
  if (size && (data[0] & 2)) {
    pool = std::make_unique<Pool>();
    if (!model->dma_map(pool->mem, size_t(kPool) * kBuf, &pool->map, err) ||
        !drv->rx_use_caller_buffers(0, kBuf, err))
      __builtin_trap();
    pool->post(*drv);
  }
  model->set_tx_sink([](const uint8_t *f, uint32_t len) {
    for (uint32_t i = 0; i < len; i++) g_igb_fuzz_sink += f[i];
  });
  uint8_t frame[1600];
  for (uint32_t i = 0; i < sizeof frame; i++) frame[i] = uint8_t(i * 7);
  std::memset(frame, 0xFF, 6);  // broadcast: the model takes it
  igb::RxPacket pkts[kRing];
  uint64_t sum = 0;
  for (size_t at = 1; at + 8 <= size; at += 8) {
    const uint8_t *c = data + at;
    uint32_t q = c[1] % dc.rx_queues;
    switch (c[0] % 6) {
      case 0: {  // the device writes an RX descriptor's write-back
        uint64_t base = bus_of(*model, igb::RDBAL(q), igb::RDBAH(q));
        auto *d = reinterpret_cast<igb::AdvRxDesc *>(model->host_address(base, kRing * 16));
        if (!d) __builtin_trap();
        igb::AdvRxDesc &x = d[c[2] % kRing];
        uint32_t status;
        std::memcpy(&status, c + 3, 4);
        x.wb.length = uint16_t(c[7] * 33);
        x.wb.rss_hash = status;
        __atomic_store_n(&x.wb.status_error, status, __ATOMIC_RELEASE);
        break;
      }
      case 1: {  // the device rewrites a descriptor's buffer address
        uint64_t base = bus_of(*model, igb::RDBAL(q), igb::RDBAH(q));
        auto *d = reinterpret_cast<igb::AdvRxDesc *>(model->host_address(base, kRing * 16));
        if (!d) __builtin_trap();
        uint32_t v;
        std::memcpy(&v, c + 3, 4);
        d[c[2] % kRing].read.pkt_addr = v;
        break;
      }
      case 2: {  // an honest frame
        uint32_t len = 60 + uint32_t(c[2]) * 5;
        model->receive(sim::IgbFrame{frame, len, len});
        break;
      }
      case 3: {  // a receive burst: every byte handed out is read
        uint32_t n = drv->rx_burst(q, pkts, 1 + c[2] % kRing);
        for (uint32_t i = 0; i < n; i++) {
          if (pkts[i].len == 0 || pkts[i].len > kBuf) __builtin_trap();
          if (pool && q == 0) {  // a buffer the NIC had, at its own address
            if (pkts[i].buf_id >= kPool || pool->where[pkts[i].buf_id] != 1 ||
                pkts[i].data != pool->mem + size_t(pkts[i].buf_id) * kBuf)
              __builtin_trap();
            pool->where[pkts[i].buf_id] = 2;
          }
          for (uint32_t k = 0; k < pkts[i].len; k++) sum += pkts[i].data[k];
        }
        break;
      }
      case 4:
        if (pool && q == 0) {  // give some held buffers back, post the free ones
          for (uint32_t id = 0; id < kPool; id++)
            if (pool->where[id] == 2 && (id + c[2]) % 3 == 0) pool->where[id] = 0;
          pool->post(*drv);
        } else {
          drv->rx_release(q);
        }
        break;
      case 5: {  // transmit, and the device scribbles on a TX descriptor
        const uint8_t *fs[1] = {frame};
        uint32_t ls[1] = {60u + c[2]};
        drv->tx_burst(fs, ls, 1);
        uint64_t base = bus_of(*model, igb::TDBAL(0), igb::TDBAH(0));
        auto *d = reinterpret_cast<igb::AdvTxDesc *>(model->host_address(base, kRing * 16));
        if (!d) __builtin_trap();
        uint32_t v;
        std::memcpy(&v, c + 3, 4);
        __atomic_store_n(&d[c[7] % kRing].olinfo_status, v, __ATOMIC_RELEASE);
        break;
      }
    }
  }
  (void)drv->read_stats();
  if (pool) {  // every buffer exactly once: free, held, or back from the NIC
    uint32_t ids[kRing];
    uint32_t n = drv->rx_reclaim(0, ids);
    uint32_t with_nic = 0;
    for (uint32_t id = 0; id < kPool; id++) with_nic += pool->where[id] == 1;
    if (n != with_nic) __builtin_trap();
    for (uint32_t i = 0; i < n; i++) {
      if (ids[i] >= kPool || pool->where[ids[i]] != 1) __builtin_trap();
      pool->where[ids[i]] = 0;
    }
    model->dma_unmap(&pool->map);
  }
  g_igb_fuzz_sink += sum;
  return 0;
}
