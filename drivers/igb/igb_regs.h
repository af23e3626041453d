// igb_regs.h - Intel 82576 registers, bits and descriptor layouts the igb
// DNA driver and the 82576 model in sim/ use. Data only: offsets,
// masks and packed layouts, no code. Names and values are the datasheet's
// (Intel 82576EB Gigabit Ethernet Controller Datasheet, chapter "Register
// Descriptions", and "Receive Descriptors"/"Transmit Descriptors" for the
// advanced formats); the same values Linux's igb and QEMU's igb model use.
#pragma once

#include <cstdint>

namespace igb {

// ---- identity -------------------------------------------------------------
constexpr uint16_t kVendorIntel = 0x8086;
constexpr uint16_t kDevice82576 = 0x10C9;  // 82576 copper, the one QEMU's igb emulates

// ---- general --------------------------------------------------------------
constexpr uint32_t CTRL = 0x00000;
constexpr uint32_t CTRL_FD = 1u << 0;     // full duplex
constexpr uint32_t CTRL_SLU = 1u << 6;    // set link up
constexpr uint32_t CTRL_RST = 1u << 26;   // device reset, self-clearing
constexpr uint32_t CTRL_VME = 1u << 30;   // VLAN mode enable
constexpr uint32_t CTRL_PHY_RST = 1u << 31;

constexpr uint32_t STATUS = 0x00008;
constexpr uint32_t STATUS_FD = 1u << 0;
constexpr uint32_t STATUS_LU = 1u << 1;   // link up
constexpr uint32_t STATUS_SPEED_MASK = 3u << 6;
constexpr uint32_t STATUS_SPEED_1000 = 2u << 6;

constexpr uint32_t CTRL_EXT = 0x00018;
constexpr uint32_t CTRL_EXT_DRV_LOAD = 1u << 28;  // a driver has the device

// ---- interrupts (the DNA driver polls: all masked) -------------------------
constexpr uint32_t ICR = 0x000C0;
constexpr uint32_t IMS = 0x000D0;
constexpr uint32_t IMC = 0x000D8;
constexpr uint32_t EIMS = 0x01524;
constexpr uint32_t EIMC = 0x01528;
constexpr uint32_t EICR = 0x01580;

// ---- receive control -------------------------------------------------------
constexpr uint32_t RCTL = 0x00100;
constexpr uint32_t RCTL_EN = 1u << 1;
constexpr uint32_t RCTL_SBP = 1u << 2;     // store bad packets
constexpr uint32_t RCTL_UPE = 1u << 3;     // unicast promiscuous
constexpr uint32_t RCTL_MPE = 1u << 4;     // multicast promiscuous
constexpr uint32_t RCTL_LPE = 1u << 5;     // long packets (up to 9018 with RLPML)
constexpr uint32_t RCTL_BAM = 1u << 15;    // accept broadcast
constexpr uint32_t RCTL_SECRC = 1u << 26;  // strip the Ethernet CRC
constexpr uint32_t RLPML = 0x05004;        // max packet length with LPE

constexpr uint32_t RXCSUM = 0x05000;
constexpr uint32_t RXCSUM_PCSD = 1u << 13;  // packet checksum disable: the descriptor holds the RSS hash

constexpr uint32_t MRQC = 0x05818;
constexpr uint32_t MRQC_ENABLE_MASK = 0x7;
constexpr uint32_t MRQC_ENABLE_RSS = 0x2;   // "RSS only" (the 82576's multiple-queue mode 010b)
constexpr uint32_t MRQC_RSS_IPV4_TCP = 1u << 16;
constexpr uint32_t MRQC_RSS_IPV4 = 1u << 17;
constexpr uint32_t MRQC_RSS_IPV6_TCP_EX = 1u << 18;
constexpr uint32_t MRQC_RSS_IPV6_EX = 1u << 19;
constexpr uint32_t MRQC_RSS_IPV6 = 1u << 20;
constexpr uint32_t MRQC_RSS_IPV6_TCP = 1u << 21;
constexpr uint32_t MRQC_RSS_IPV4_UDP = 1u << 22;
constexpr uint32_t MRQC_RSS_IPV6_UDP = 1u << 23;

constexpr uint32_t RETA_BASE = 0x05C00;   // 32 registers, 4 one-byte entries each (128)
constexpr uint32_t RETA_REGS = 32;
constexpr uint32_t RSSRK_BASE = 0x05C80;  // 10 registers, the 40-byte key, byte 0 in bits 7:0 of RSSRK(0)
constexpr uint32_t RSSRK_REGS = 10;

constexpr uint32_t RAL0 = 0x05400;        // receive address 0, low 32 bits of the MAC
constexpr uint32_t RAH0 = 0x05404;        // high 16 bits; AV = address valid
constexpr uint32_t RAH_AV = 1u << 31;
constexpr uint32_t MTA_BASE = 0x05200;    // multicast table, 128 registers

// ---- receive queues --------------------------------------------------------
// Queues 0-3 at 0x2800 + q * 0x100, queues 4-15 at 0xC000 + q * 0x40; the
// registers of one queue are at the same offsets from its base.
constexpr uint32_t kMaxQueues = 16;
constexpr uint32_t rx_queue_base(uint32_t q) { return q < 4 ? 0x02800 + q * 0x100 : 0x0C000 + q * 0x40; }
constexpr uint32_t RDBAL(uint32_t q) { return rx_queue_base(q) + 0x00; }
constexpr uint32_t RDBAH(uint32_t q) { return rx_queue_base(q) + 0x04; }
constexpr uint32_t RDLEN(uint32_t q) { return rx_queue_base(q) + 0x08; }  // bytes, a multiple of 128
constexpr uint32_t SRRCTL(uint32_t q) { return rx_queue_base(q) + 0x0C; }
constexpr uint32_t RDH(uint32_t q) { return rx_queue_base(q) + 0x10; }
constexpr uint32_t RDT(uint32_t q) { return rx_queue_base(q) + 0x18; }
constexpr uint32_t RXDCTL(uint32_t q) { return rx_queue_base(q) + 0x28; }
constexpr uint32_t RQDPC(uint32_t q) { return 0x0C030 + q * 0x40; }  // per-queue drops, read to clear

constexpr uint32_t SRRCTL_BSIZEPKT_MASK = 0x7F;      // packet buffer size, 1 KiB units
constexpr uint32_t SRRCTL_DESCTYPE_MASK = 7u << 25;
constexpr uint32_t SRRCTL_DESCTYPE_ADV_ONEBUF = 1u << 25;  // advanced, one buffer (legacy is 0)
constexpr uint32_t SRRCTL_DROP_EN = 1u << 31;         // drop when the queue has no descriptor
constexpr uint32_t RXDCTL_ENABLE = 1u << 25;

// ---- transmit --------------------------------------------------------------
constexpr uint32_t TCTL = 0x00400;
constexpr uint32_t TCTL_EN = 1u << 1;
constexpr uint32_t TCTL_PSP = 1u << 3;  // pad short packets

constexpr uint32_t tx_queue_base(uint32_t q) { return q < 4 ? 0x03800 + q * 0x100 : 0x0E000 + q * 0x40; }
constexpr uint32_t TDBAL(uint32_t q) { return tx_queue_base(q) + 0x00; }
constexpr uint32_t TDBAH(uint32_t q) { return tx_queue_base(q) + 0x04; }
constexpr uint32_t TDLEN(uint32_t q) { return tx_queue_base(q) + 0x08; }
constexpr uint32_t TDH(uint32_t q) { return tx_queue_base(q) + 0x10; }
constexpr uint32_t TDT(uint32_t q) { return tx_queue_base(q) + 0x18; }
constexpr uint32_t TXDCTL(uint32_t q) { return tx_queue_base(q) + 0x28; }
constexpr uint32_t TXDCTL_ENABLE = 1u << 25;

// ---- statistics (read to clear) -------------------------------------------
constexpr uint32_t CRCERRS = 0x04000;
constexpr uint32_t MPC = 0x04010;    // missed packets (no room in the packet buffer / no descriptor)
constexpr uint32_t GPRC = 0x04074;   // good packets received
constexpr uint32_t GPTC = 0x04080;   // good packets transmitted
constexpr uint32_t GORCL = 0x04088;  // good octets received, low
constexpr uint32_t GORCH = 0x0408C;
constexpr uint32_t GOTCL = 0x04090;  // good octets transmitted, low
constexpr uint32_t GOTCH = 0x04094;
constexpr uint32_t RNBC = 0x040A0;   // receive no buffers (a queue had no descriptor)
constexpr uint32_t TPR = 0x040D0;    // total packets received
constexpr uint32_t TPT = 0x040D4;    // total packets transmitted

// ---- advanced receive descriptor (16 bytes) --------------------------------
// Read format (the driver writes it): the packet buffer's bus address and
// the header buffer's (0: header split off).
struct AdvRxRead {
  uint64_t pkt_addr;
  uint64_t hdr_addr;
};
// Write-back format (the device writes it; DD last).
struct AdvRxWb {
  uint32_t info;          // bits 3:0 RSS type, 16:4 packet type, 30:21 header length
  uint32_t rss_hash;
  uint32_t status_error;  // bits 19:0 status, 31:20 errors
  uint16_t length;        // bytes written to the packet buffer
  uint16_t vlan;
};
union AdvRxDesc {
  AdvRxRead read;
  AdvRxWb wb;
};
static_assert(sizeof(AdvRxDesc) == 16, "advanced RX descriptor is 16 bytes");
constexpr uint32_t RXD_STAT_DD = 1u << 0;   // descriptor done
constexpr uint32_t RXD_STAT_EOP = 1u << 1;  // end of packet
constexpr uint32_t RXD_ERR_MASK = 0xFFFu << 20;  // any error bit (CRC, length, ...)
constexpr uint32_t RXD_RSSTYPE_MASK = 0xF;

// ---- advanced transmit data descriptor (16 bytes) ---------------------------
struct AdvTxDesc {
  uint64_t buffer_addr;
  uint32_t cmd_type_len;   // 15:0 length, 23:20 DTYP, 31:24 DCMD
  uint32_t olinfo_status;  // 31:14 PAYLEN; on write-back bit 0 = DD
};
static_assert(sizeof(AdvTxDesc) == 16, "advanced TX descriptor is 16 bytes");
constexpr uint32_t TXD_DTYP_DATA = 3u << 20;
constexpr uint32_t TXD_CMD_EOP = 1u << 24;
constexpr uint32_t TXD_CMD_IFCS = 1u << 25;  // insert the FCS
constexpr uint32_t TXD_CMD_RS = 1u << 27;    // report status (DD on write-back)
constexpr uint32_t TXD_CMD_DEXT = 1u << 29;  // advanced (extended) descriptor
constexpr uint32_t TXD_PAYLEN_SHIFT = 14;
constexpr uint32_t TXD_STAT_DD = 1u << 0;

}  // namespace igb
