// dna_hw.h - what a DNA driver needs from the hardware, and nothing more
// (DESIGN.md decision 7): 32-bit register reads and writes in BAR0, DMA
// memory with the bus address the device uses for it, the device's PCI
// identity, and a barrier before each doorbell. Two backends implement it:
// the register-level NIC models in sim/ (this step) and VFIO (BAR0 mmap,
// VFIO_IOMMU_MAP_DMA) for real and QEMU NICs. The drivers in drivers/igb
// and drivers/e1000e are written against this header alone, so the same
// code runs on both.
//
// Why each piece is as it is:
//  - Registers are 32 bits wide at 4-byte aligned offsets in BAR0 on every
//    Intel NIC the drivers support; wider counters are two registers.
//  - Descriptor rings and packet buffers live in DMA memory the driver
//    reads and writes as ordinary memory (the device writes descriptors
//    back there); only the doorbells (tail registers) go through write32.
//  - The barrier: the device may fetch a descriptor as soon as it sees the
//    tail move, so every store to descriptors and buffers must be visible
//    before the tail write. On x86 stores to write-back memory are not
//    reordered with the later uncached MMIO store, so a compiler barrier
//    would do; a release fence says the intent and is right on other
//    architectures too.
//  - poll(): a real device runs its DMA engine on its own; a model runs it
//    when the driver looks for work (the driver calls it once per receive
//    or transmit burst). On VFIO it does nothing.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

namespace dna {

// PCI configuration-space identity (vendor 0x8086 for Intel).
struct PciIdentity {
  uint16_t vendor = 0;
  uint16_t device = 0;
  uint16_t subsystem_vendor = 0;
  uint16_t subsystem_device = 0;
  uint8_t revision = 0;
};

// A DMA-able region: what the CPU addresses and what the device addresses.
struct DmaRegion {
  uint8_t *virt = nullptr;
  uint64_t bus = 0;
  size_t len = 0;
};

class HwAccess {
 public:
  virtual ~HwAccess() = default;
  // BAR0 register at byte offset off (4-byte aligned).
  virtual uint32_t read32(uint32_t off) = 0;
  virtual void write32(uint32_t off, uint32_t value) = 0;
  // len bytes of zeroed DMA memory aligned to `align` (a power of two, at
  // least 128: descriptor rings need it). true, or false with err.
  virtual bool dma_alloc(size_t len, size_t align, DmaRegion *out, std::string &err) = 0;
  virtual void dma_free(DmaRegion *r) = 0;
  // Makes len bytes of memory the caller owns (virt and len page-aligned)
  // reachable by the device, *out getting its bus address: receive
  // buffers that belong to a libzero pool (DESIGN.md decision 6), so the
  // NIC writes frames where the cluster's slaves read them. On VFIO a
  // VFIO_IOMMU_MAP_DMA of the range. true, or false with err.
  virtual bool dma_map(uint8_t *virt, size_t len, DmaRegion *out, std::string &err) = 0;
  // Takes a dma_map mapping back (the memory stays the caller's). The
  // device must no longer be given any address in it.
  virtual void dma_unmap(DmaRegion *r) = 0;
  virtual PciIdentity identity() const = 0;
  // Waits at least us microseconds (a model returns at once: its registers
  // change only when it is called).
  virtual void delay_us(uint32_t us) = 0;
  // Where a device model runs its DMA engine; nothing on real devices.
  virtual void poll() {}
};

// The barrier before a doorbell (tail register) write; see the top.
inline void doorbell_barrier() {
#if defined(__SANITIZE_THREAD__)
  // ThreadSanitizer does not model fences (GCC warns); under it the driver
  // only ever runs on the model, in the caller's thread, so a compiler
  // barrier keeps the order the model sees.
  std::atomic_signal_fence(std::memory_order_release);
#else
  std::atomic_thread_fence(std::memory_order_release);
#endif
}

// Register helpers.
inline void set_bits(HwAccess &hw, uint32_t off, uint32_t bits) { hw.write32(off, hw.read32(off) | bits); }
inline void clear_bits(HwAccess &hw, uint32_t off, uint32_t bits) { hw.write32(off, hw.read32(off) & ~bits); }

}  // namespace dna
