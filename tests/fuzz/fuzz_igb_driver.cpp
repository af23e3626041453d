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
// crashes or hangs.
//
//   build-fuzz/bin/fuzz_igb_driver -max_total_time=60 NEW_CORPUS_DIR
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "igb_driver.h"
#include "igb_model.h"
#include "igb_regs.h"

namespace {

constexpr uint32_t kRing = 16, kBuf = 2048;

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
          for (uint32_t k = 0; k < pkts[i].len; k++) sum += pkts[i].data[k];
        }
        break;
      }
      case 4:
        drv->rx_release(q);
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
  g_igb_fuzz_sink += sum;
  return 0;
}
