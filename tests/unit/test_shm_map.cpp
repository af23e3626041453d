// test_shm_map.cpp - sim/shm_map.h: a guarded mapping of a segment that
// another process shrinks reads zeros past the new end and says it is
// damaged, instead of killing the process with SIGBUS; a SIGBUS outside
// every guarded mapping still ends the process as before.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "shm_map.h"

namespace {

class ShmMap : public ::testing::Test {
 protected:
  void SetUp() override {
    name_ = "/pfring-ut-map." + std::to_string(getpid()) + "." + std::to_string(n_++);
    fd_ = shm_open(name_.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
    ASSERT_GE(fd_, 0);
    ASSERT_EQ(ftruncate(fd_, kBytes), 0);
  }
  void TearDown() override {
    if (fd_ >= 0) close(fd_);
    shm_unlink(name_.c_str());
  }
  static constexpr off_t kBytes = 1 << 20;
  std::string name_;
  int fd_ = -1;
  static int n_;
};
int ShmMap::n_ = 0;

TEST_F(ShmMap, ASegmentCutShortReadsZerosAndIsDamaged) {
  sim::shm::GuardedMap m;
  std::string err;
  auto *p = static_cast<volatile uint8_t *>(m.map(fd_, kBytes, true, err));
  ASSERT_NE(p, nullptr) << err;
  p[0] = 1;
  p[kBytes - 1] = 2;
  EXPECT_FALSE(m.damaged());
  ASSERT_EQ(ftruncate(fd_, 4096), 0);  // another writer shrinks it
  EXPECT_EQ(p[0], 1);                  // the first page still exists
  EXPECT_EQ(p[kBytes - 1], 0);         // past the end: a zero page, not SIGBUS
  p[kBytes / 2] = 7;                   // writes go to the private page
  EXPECT_EQ(p[kBytes / 2], 7);
  EXPECT_TRUE(m.damaged());
  m.unmap();
  EXPECT_FALSE(m.damaged());
  // a new mapping of the (now short) segment starts undamaged
  ASSERT_NE(m.map(fd_, 4096, false, err), nullptr) << err;
  EXPECT_FALSE(m.damaged());
}

// The handler only answers for guarded ranges: an unguarded mapping cut
// short still kills the process with SIGBUS (in a child).
TEST_F(ShmMap, AnUnguardedFaultStillEndsTheProcess) {
  sim::shm::GuardedMap guarded;  // installs the handler
  std::string err;
  ASSERT_NE(guarded.map(fd_, kBytes, true, err), nullptr) << err;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    void *raw = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    if (raw == MAP_FAILED) _exit(3);
    if (ftruncate(fd_, 0) != 0) _exit(4);
    static_cast<volatile uint8_t *>(raw)[kBytes - 1] = 1;
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  // SIGBUS by the default action; under ASan its own SIGBUS handler (the
  // previous one, chained to) reports the fault and aborts
  ASSERT_TRUE(WIFSIGNALED(status)) << status;
  EXPECT_TRUE(WTERMSIG(status) == SIGBUS || WTERMSIG(status) == SIGABRT) << WTERMSIG(status);
}

}  // namespace
