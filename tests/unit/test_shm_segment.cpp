// test_shm_segment.cpp - sim/shm_segment.h: segments are created 0600
// whatever the umask (0660 for a named group), and only segments of this
// user that nobody else may write are trusted, unless user=/group= names
// who else may share them. The ownership cases need root (chown); CI runs
// as root, and without it they fail with that reason.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "shm_segment.h"

namespace {

namespace shm = sim::shm;

class ShmSegment : public ::testing::Test {
 protected:
  void SetUp() override { name_ = "/pfring-ut-shm." + std::to_string(getpid()) + "." + std::to_string(n_++); }
  void TearDown() override { shm_unlink(name_.c_str()); }
  std::string path() const { return "/dev/shm" + name_; }
  struct stat stat_of() const {
    struct stat st {};
    EXPECT_EQ(stat(path().c_str(), &st), 0);
    return st;
  }
  int open_it(const shm::Access &a, std::string &err) {
    struct stat st;
    int fd = shm::open_trusted(name_, a, false, &st, err);
    if (fd >= 0) close(fd);
    return fd;
  }
  std::string name_;
  static int n_;
};
int ShmSegment::n_ = 0;

TEST_F(ShmSegment, CreateIsExclusiveSizedAndPrivateWhateverTheUmask) {
  mode_t old = umask(0002);  // a umask that leaves group write on
  std::string err;
  int fd = shm::create(name_, 12345, shm::Access{}, err);
  umask(old);
  ASSERT_GE(fd, 0) << err;
  close(fd);
  struct stat st = stat_of();
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_size, 12345);
  EXPECT_EQ(shm::create(name_, 10, shm::Access{}, err), -EEXIST);
  EXPECT_TRUE(err.empty()) << err;
  EXPECT_GE(open_it(shm::Access{}, err), 0) << err;
}

TEST_F(ShmSegment, AGroupSegmentIsGroupWritableAndTrustedOnlyWithThatGroup) {
  shm::Access g;
  g.has_gid = true;
  g.gid = getegid();
  std::string err;
  int fd = shm::create(name_, 64, g, err);
  ASSERT_GE(fd, 0) << err;
  close(fd);
  EXPECT_EQ(stat_of().st_mode & 07777, 0660u);
  EXPECT_EQ(open_it(shm::Access{}, err), -EPERM);
  EXPECT_NE(err.find("is writable by its group"), std::string::npos) << err;
  EXPECT_NE(err.find("option group="), std::string::npos) << err;
  EXPECT_GE(open_it(g, err), 0) << err;
}

TEST_F(ShmSegment, WorldWritableIsNeverTrusted) {
  std::string err;
  int fd = shm::create(name_, 64, shm::Access{}, err);
  ASSERT_GE(fd, 0) << err;
  ASSERT_EQ(fchmod(fd, 0666), 0);
  close(fd);
  shm::Access all;
  all.has_uid = all.has_gid = true;
  all.uid = geteuid();
  all.gid = getegid();
  EXPECT_EQ(open_it(all, err), -EPERM);
  EXPECT_NE(err.find("is writable by every user"), std::string::npos) << err;
}

TEST_F(ShmSegment, AnotherUsersSegmentNeedsTheUserOption) {
  // CI runs as root; without root this fails with the reason instead of skipping
  ASSERT_EQ(geteuid(), 0u) << "needs root to give a segment to another user (CI runs as root)";
  std::string err;
  int fd = shm::create(name_, 64, shm::Access{}, err);
  ASSERT_GE(fd, 0) << err;
  ASSERT_EQ(fchown(fd, 65534, 65534), 0);  // nobody:nogroup, as a squatter would
  close(fd);
  EXPECT_EQ(open_it(shm::Access{}, err), -EPERM);
  EXPECT_NE(err.find("belongs to another user"), std::string::npos) << err;
  EXPECT_NE(err.find("mode 0600"), std::string::npos) << err;
  shm::Access u;
  ASSERT_TRUE(shm::parse_user("65534", &u.uid, err));
  u.has_uid = true;
  EXPECT_GE(open_it(u, err), 0) << err;
  shm::Access g;
  ASSERT_TRUE(shm::parse_group("65534", &g.gid, err));
  g.has_gid = true;
  EXPECT_GE(open_it(g, err), 0) << err;
}

TEST_F(ShmSegment, MissingIsEnoentAndASymlinkIsNotFollowed) {
  std::string err;
  EXPECT_EQ(open_it(shm::Access{}, err), -ENOENT);
  EXPECT_TRUE(err.empty()) << err;
  ASSERT_EQ(symlink("/etc/hostname", path().c_str()), 0);
  EXPECT_LT(open_it(shm::Access{}, err), 0);
  unlink(path().c_str());
}

TEST_F(ShmSegment, UserAndGroupValuesAreChecked) {
  std::string err;
  uid_t uid;
  gid_t gid;
  EXPECT_TRUE(shm::parse_user("root", &uid, err));
  EXPECT_EQ(uid, 0u);
  EXPECT_TRUE(shm::parse_group("0", &gid, err));
  EXPECT_FALSE(shm::parse_user("no-such-user-here", &uid, err));
  EXPECT_NE(err.find("user='no-such-user-here': no such user"), std::string::npos) << err;
  EXPECT_FALSE(shm::parse_group("", &gid, err));
  EXPECT_FALSE(shm::parse_user("99999999999", &uid, err));
}

}  // namespace
