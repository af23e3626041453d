// testbed.h - the pfsim daemon's engine: a named testbed of software NICs
// in shared memory (sim/testbed_shm.h) that client processes open as
// sim:NAME:NIC[@Q].
//
// Every NIC is the software NIC's frame engine (sim/nic.h: wire timing,
// RSS, hardware filters, timestamps, RX queues, PAUSE) fed by the replay
// schedule of sim/replay_pacer.h - the same code as the in-process sim:
// NIC. The testbed adds what only a shared NIC has: client rings, clusters,
// TX onto wires and sinks.
//
// Each pass of the loop (step()):
//  1. serves client slots: makes the rings of new clients, frees closed
//     ones (after moving what they left in their TX ring), reaps clients
//     whose process died;
//  2. lets each source offer frames to its NIC's engine; what the engine's
//     consumers take goes to every enabled client of its queue, in arrival
//     order; clients in a cluster share the packet, one member per packet
//     (per-flow hash or round robin, src/core/cluster.h);
//  3. moves what clients transmit: across the wire to the peer NIC's
//     engine (which receives it as above), or into the NIC's pcap sink;
//     clients of the sending NIC that capture TX get a copy.
//
// Who the consumers are:
//  - consumer_ns=T on the nic line: modelled, exactly as in-process (T ns
//    per packet per queue, ring=D descriptors): the model decides missed
//    frames and PAUSE, so counters, PAUSE frames, timestamps and queues
//    are those of sim:FILE,consumer_ns=T,ring=D,... for the same capture.
//    The client rings only carry what the model delivered: a full ring
//    makes the testbed wait, never lose (a slow process costs wall time).
//  - otherwise the client processes: the engine hands every frame on at
//    arrival; flow control on, a frame waits while any ring it must reach
//    is full (the NIC pauses its link peer; each wait counts one PAUSE
//    frame) and nothing is lost; off, a full ring misses the frame
//    (counted per NIC and per client). Which frames a real process misses
//    depends on its speed; timestamps and queue/cluster assignment do not.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "source.h"
#include "testbed_config.h"
#include "shm_map.h"
#include "shm_segment.h"
#include "testbed_shm.h"

namespace pfsim {

namespace tb = sim::tb;

class Testbed {
 public:
  // Creates the shared memory of testbed `name` (0600, or 0660 for the
  // group access names: sim/shm_segment.h) and opens the sources. Refuses
  // a name a live pfsim runs; replaces one left by a dead pfsim. A segment
  // of that name that is not trusted (another user's, or writable by
  // others) is not believed: removed when this process may (root), else
  // refused with a message.
  static std::unique_ptr<Testbed> create(const std::string &name, const sim::TestbedConfig &cfg,
                                         const sim::shm::Access &access, std::string &err);
  ~Testbed();  // stop() if not done

  // One pass; true when it moved a packet or served a slot.
  bool step();
  // True when every source is done and no client ring holds TX packets.
  bool idle() const;
  // Clients attached now (claimed slots included).
  uint32_t attached_clients() const;
  // Moves what clients left in their TX rings (bounded), marks the testbed
  // stopped so clients get an error, closes the sinks, removes the shared
  // memory.
  void stop();
  // Another process shrank the shared memory (sim/shm_map.h): the
  // testbed must stop; error() says so.
  bool damaged();
  // Source failures (an unreadable capture), as "" when none.
  const std::string &error() const { return error_; }
  // One JSON object with every NIC's counters (the last ones after stop()).
  std::string counters_json() const;

 private:
  struct Nic;
  struct SourceRt;
  enum class Kind { kRx, kTx };
  enum class Result { kDone, kStall };

  Testbed() = default;
  void serve_slots();
  bool run_source(SourceRt &s);
  bool move_tx(uint32_t slot, unsigned max);
  struct Frame {
    const uint8_t *data;
    uint32_t caplen, len;
    uint64_t ts_ns;
    uint32_t queue, hash;  // RX: as the engine steered it
  };
  Result deliver(uint32_t nic, const Frame &f, Kind kind, int exclude_slot);
  // Offers a frame to NIC nic's engine (ready at ready_ps), first putting
  // in the client rings what its consumers took; kStall when the rings
  // cannot take that yet or the frame would arrive after wall_limit_ps
  // (pace=wall): offer it again later.
  Result offer_rx(uint32_t nic, const uint8_t *data, uint32_t caplen, uint32_t len, uint64_t ready_ps,
                  uint64_t wall_limit_ps);
  // Delivers the NIC's held frames; false when a ring stalls it.
  bool flush_held(uint32_t nic);
  // What the daemon knows of client slot i, in its own memory: the rings
  // it made (geometry and its own index kept here, so a client that
  // rewrites its slot or ring headers cannot move them) and the NIC the
  // client asked for when it attached.
  struct ClientRt {
    bool attached = false;
    uint32_t nic = 0;
    pfc_ring_producer rx{};
    pfc_ring_consumer tx{};
  };
  uint32_t enabled_clients(uint32_t nic) const;

  std::string name_;
  sim::TestbedConfig cfg_;
  sim::shm::GuardedMap map_;
  tb::TbHeader *hdr_ = nullptr;
  uint64_t map_bytes_ = 0;
  std::vector<std::unique_ptr<Nic>> nics_;
  std::vector<std::unique_ptr<SourceRt>> sources_;
  ClientRt clients_[tb::kMaxClients];
  uint64_t ring_bytes_ = 0, rings_off_ = 0;  // private copies of the layout
  uint64_t passes_ = 0;
  uint64_t now_ps_ = 0;  // latest arrival on any NIC: TX starts no earlier
  bool stopped_ = false;
  std::string error_;
  std::string final_json_;  // counters when stopped
};

}  // namespace pfsim
