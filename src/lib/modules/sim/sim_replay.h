// sim_replay.h - a capture file replayed onto the software NIC (sim/nic.h)
// in virtual time: the peer sends the file's frames on the schedule of
// sim/replay_pacer.h, the NIC steers them into its queues, and each
// queue's modelled consumer takes them (or the NIC misses them) exactly
// as nic.h says. take() hands out what the consumers took.
//
// Two readers use it: the sim: module (the ring reads what the consumers
// took) and the dna: module (what the consumers took goes on to the
// register model's DMA engine: the wire, the NIC's buffer and its losses
// are the software NIC's, the descriptors the driver's).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "modules/pcap/capture_image.h"
#include "modules/pcap/pcap_file.h"
#include "modules/sim/sim_options.h"
#include "nic.h"
#include "replay_pacer.h"

namespace pfr {

class SimReplay {
 public:
  // The NIC of opt.nic and the file opt.path; who ("sim:", "dna:") names
  // the device in messages. true, or false with *code, *errnum and err.
  bool open(const SimOptions &opt, const char *who, int *code, int *errnum, std::string &err);

  // Up to max packets the consumers took that no earlier call returned:
  // of queue q, or of every queue merged by arrival (SimNic::kAllQueues).
  // Before a frame is offered the consumers run up to its arrival and
  // what they took is handed out first, so no descriptor is reused before
  // it was read. A call goes on replaying until out[] is full; a hand-out
  // that would not fit whole in what is left waits for the next call.
  // Frames are lent from the capture image (valid as long as this lives).
  // Returns the count; 0 only at the end of the replay (status() then says
  // whether it ended on an error).
  unsigned take(sim::SimRxDesc *out, unsigned max, uint32_t q);

  // 0, or the PF_RING_ERROR_* the replay ended on, with its message.
  int status() const { return status_; }
  const std::string &status_msg() const { return status_msg_; }
  bool ended() const { return drained_ && nic_->unread() == 0; }

  sim::SimNic &nic() { return *nic_; }
  const sim::SimNic &nic() const { return *nic_; }
  const PcapFileReader &reader() const { return reader_; }

 private:
  void load_next();
  unsigned collect(sim::SimRxDesc *out, unsigned max, uint32_t q);

  SimOptions opt_;
  std::unique_ptr<sim::SimNic> nic_;
  CaptureImage image_;  // the file's bytes; frames are lent to the NIC from here
  PcapFileReader reader_;
  sim::ReplayPacer pacer_;
  bool file_done_ = false, drained_ = false;
  bool have_pending_ = false, consumed_to_arrival_ = false;  // the next frame, not yet offered
  sim::SimFrame pending_;
  int status_ = 0;
  std::string status_msg_;
};

// The software NIC's counters as JSON (offered, delivered, missed, queued,
// hw_dropped, pause and XON frames, the virtual clock, the reader's
// policy, and per queue delivered and missed).
std::string sim_nic_stats_json(const sim::SimNic &nic, const PcapFileReader &reader);

}  // namespace pfr
