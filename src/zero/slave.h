// slave.h - a DNA cluster slave (guide 9.1.2): the module behind
// dnacluster:ID[@K], and the buffers it owns for pfring_*_pkt_buff.
//
// What the slave holds at any instant, each a reference the master counts:
//  - held: the packets the last receive handed out (zero copy: valid
//    until the next receive, then given back through ret);
//  - stash: its own free buffers (refill queue), for pfring_alloc_pkt_buff
//    and the copies pfring_send makes;
//  - handles: one buffer per pfring_pkt_buff (at most `additional`).
// Closing gives all of it back through ret before the slot is released.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "module.h"
#include "zero/cluster.h"

namespace pfr::zero {

// A pfring_pkt_buff: what the application holds.
struct PktBuff {
  uint32_t magic;   // kPktBuffMagic while in use
  uint32_t buf_id;  // kNoBuffer: none (sent, waiting for a refill)
  uint32_t len;
  uint32_t egress_mask;  // registered rings to send out of (0: the one it came in on)
  int32_t in_if;         // registered ring it arrived on (-1: none)
  pfring_pkthdr hdr;
};
constexpr uint32_t kPktBuffMagic = 0x504b4246u;
constexpr uint32_t kNoBuffer = 0xFFFFFFFFu;

class ClusterSlave : public Module {
 public:
  ~ClusterSlave() override;
  // Joins slave slot k (or the first free one with k < 0) of the enabled
  // cluster id. False with *code, *errnum and err.
  bool open(uint32_t id, int k, uint32_t caplen, int *code, int *errnum, std::string &err);

  int recv_burst(RawPacket *out, unsigned max, int timeout_ms, std::string &err) override;
  int poll(int timeout_ms) override;
  uint64_t dropped() const override { return slot_->dropped.load(); }
  std::string stats_json() const override;
  bool can_transmit() const override { return true; }
  int send(const uint8_t *pkt, unsigned len, bool flush, int if_index, std::string &err) override;
  int num_rx_channels() const override { return static_cast<int>(region_->hdr()->num_slaves); }
  ClusterSlave *cluster_slave() override { return this; }

  // pfring_*_pkt_buff (guide 9.1.2). Return conventions as there.
  PktBuff *alloc_buff(std::string &err);
  int release_buff(PktBuff *b, std::string &err);
  // Takes the packet the handle's last zero-copy receive returned at data
  // (still held) into b; b's previous buffer goes back. 0, or a code.
  int adopt_into(PktBuff *b, const uint8_t *data, const pfring_pkthdr &hdr, std::string &err);
  int send_buff(PktBuff *b, std::string &err);
  uint8_t *buff_data(PktBuff *b);
  // b, if it is a live handle of this slave; else nullptr.
  PktBuff *check(void *handle) const;
  int num_rings() const { return static_cast<int>(region_->hdr()->num_rings); }
  uint32_t buf_size() const { return region_->hdr()->buf_size; }

 private:
  // One of the slave's own buffers; waits up to kRefillWaitMs for the
  // master's refills when none is left. False: none came.
  static constexpr int kRefillWaitMs = 200;
  bool take_stash(uint32_t *id);
  // Room on tx (else false with err), and one descriptor put there.
  bool tx_room(std::string &err) const;
  void put_tx(const pfc_desc &d);
  // Gives references back through ret (waiting, bounded, when it is full).
  bool give_back(const uint32_t *ids, uint32_t n, uint16_t flags);
  void release_held();

  std::shared_ptr<Region> region_;
  ZcSlave *slot_ = nullptr;
  uint32_t k_ = 0;
  pfc_dq_consumer rx_{}, refill_{};
  pfc_dq_producer ret_{}, tx_{};
  std::vector<pfc_desc> in_;        // a received burst
  std::vector<uint32_t> held_;      // ids the last receive handed out
  std::vector<uint32_t> stash_;     // own free buffers
  std::vector<PktBuff> handles_;    // additional of them
  std::vector<uint32_t> free_handles_;
  uint64_t given_back_lost_ = 0;    // ret stayed full (the master is gone)
};

}  // namespace pfr::zero
