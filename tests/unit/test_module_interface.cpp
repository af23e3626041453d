// test_module_interface.cpp - what module.h gives every module: the default
// send_burst (frame by frame through send(), flushing after the last; the
// count sent, or the first refusal's code) and no zero-copy capability
// unless the module has one. (Modules that override them are tested with
// their module: test_userspace_module.cpp.)
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "module.h"

namespace {

// A device that takes `room` frames, then reports a full TX queue.
class OnlySend : public pfr::Module {
 public:
  explicit OnlySend(unsigned room) : room_(room) {}
  int recv_burst(pfr::RawPacket *, unsigned, int, std::string &) override { return 0; }
  bool can_transmit() const override { return true; }
  int send(const uint8_t *pkt, unsigned len, bool flush, int if_index, std::string &err) override {
    if (sent.size() == room_) {
      err = "full";
      return PF_RING_ERROR_NO_TX_SLOT_AVAILABLE;
    }
    sent.push_back({len, flush, if_index});
    return static_cast<int>(len);
  }
  struct Sent {
    unsigned len;
    bool flush;
    int if_index;
  };
  std::vector<Sent> sent;

 private:
  unsigned room_;
};

TEST(ModuleInterface, DefaultSendBurstSendsInOrderAndFlushesAfterTheLast) {
  OnlySend m(10);
  uint8_t bytes[100] = {};
  pfr::TxFrame f[4] = {{bytes, 60}, {bytes, 61}, {bytes, 62}, {bytes, 63}};
  std::string err;
  ASSERT_EQ(m.send_burst(f, 4, 7, err), 4);
  ASSERT_EQ(m.sent.size(), 4u);
  for (unsigned i = 0; i < 4; i++) {
    EXPECT_EQ(m.sent[i].len, 60u + i);
    EXPECT_EQ(m.sent[i].flush, i == 3);
    EXPECT_EQ(m.sent[i].if_index, 7);
  }
  EXPECT_EQ(m.zero_copy(), nullptr);
}

TEST(ModuleInterface, DefaultSendBurstStopsAtTheFirstRefusal) {
  OnlySend m(2);
  uint8_t bytes[64] = {};
  pfr::TxFrame f[3] = {{bytes, 60}, {bytes, 60}, {bytes, 60}};
  std::string err;
  EXPECT_EQ(m.send_burst(f, 3, -1, err), 2);
  EXPECT_EQ(m.send_burst(f, 3, -1, err), PF_RING_ERROR_NO_TX_SLOT_AVAILABLE);
  EXPECT_EQ(err, "full");
  EXPECT_EQ(m.send_burst(f, 0, -1, err), 0);
}

}  // namespace
