// shm_segment.cpp - creating, opening and trusting /dev/shm segments
// (shm_segment.h says why).
#include "shm_segment.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

extern "C" {
#include "numparse.h"
}

namespace sim::shm {

namespace {

// A user or group: a number below 2^32 - 1 (-1 means "no change" to
// chown), or a name lookup(name, &id) knows.
template <class Id, class Lookup>
bool parse_id(const std::string &value, const char *what, Id *out, Lookup lookup, std::string &err) {
  uint64_t n;
  if (pfc_parse_decimal(value.data(), value.size(), 0xfffffffeu, &n) == 0) {
    *out = static_cast<Id>(n);
    return true;
  }
  if (!value.empty() && lookup(value.c_str(), out)) return true;
  err = std::string(what) + "='" + value + "': no such " + what + " (give a name or a number)";
  return false;
}

std::string octal(mode_t m) {
  char b[8];
  snprintf(b, sizeof(b), "%04o", static_cast<unsigned>(m & 07777));
  return b;
}

std::string user_name(uid_t uid) {
  std::vector<char> buf(4096);
  struct passwd pw, *res = nullptr;
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &res) == 0 && res) return std::string(res->pw_name);
  return std::to_string(uid);
}

std::string group_name(gid_t gid) {
  std::vector<char> buf(4096);
  struct group gr, *res = nullptr;
  if (getgrgid_r(gid, &gr, buf.data(), buf.size(), &res) == 0 && res) return std::string(res->gr_name);
  return std::to_string(gid);
}

}  // namespace

bool parse_user(const std::string &value, uid_t *uid, std::string &err) {
  return parse_id(value, "user", uid, [](const char *name, uid_t *out) {
    std::vector<char> buf(4096);
    struct passwd pw, *res = nullptr;
    if (getpwnam_r(name, &pw, buf.data(), buf.size(), &res) != 0 || !res) return false;
    *out = res->pw_uid;
    return true;
  }, err);
}

bool parse_group(const std::string &value, gid_t *gid, std::string &err) {
  return parse_id(value, "group", gid, [](const char *name, gid_t *out) {
    std::vector<char> buf(4096);
    struct group gr, *res = nullptr;
    if (getgrnam_r(name, &gr, buf.data(), buf.size(), &res) != 0 || !res) return false;
    *out = res->gr_gid;
    return true;
  }, err);
}

bool take_access_option(const std::string &key, const std::string &value, Access &a, bool *ok, std::string &err) {
  if (key == "user") {
    *ok = parse_user(value, &a.uid, err);
    a.has_uid = *ok;
    return true;
  }
  if (key == "group") {
    *ok = parse_group(value, &a.gid, err);
    a.has_gid = *ok;
    return true;
  }
  return false;
}

bool trusted(const std::string &name, const struct stat &st, const Access &a, std::string &err) {
  std::string what = "shared memory /dev/shm" + name;
  if (!S_ISREG(st.st_mode)) {
    err = what + " is not a regular file";
    return false;
  }
  std::string who = " (owner " + user_name(st.st_uid) + ", group " + group_name(st.st_gid) + ", mode " +
                    octal(st.st_mode) + ")";
  if (st.st_mode & S_IWOTH) {
    err = what + " is writable by every user" + who + "; refusing to use it (remove it)";
    return false;
  }
  bool group_ok = a.has_gid && st.st_gid == a.gid;
  if (st.st_uid != geteuid() && !(a.has_uid && st.st_uid == a.uid) && !group_ok) {
    err = what + " belongs to another user" + who + "; refusing to share it (option user=" +
          user_name(st.st_uid) + " or group=" + group_name(st.st_gid) + " accepts it)";
    return false;
  }
  if ((st.st_mode & S_IWGRP) && !group_ok) {
    err = what + " is writable by its group" + who + "; refusing to share it (option group=" +
          group_name(st.st_gid) + " accepts it)";
    return false;
  }
  return true;
}

int create(const std::string &name, uint64_t bytes, const Access &a, std::string &err) {
  err.clear();
  mode_t mode = a.has_gid ? 0660 : 0600;
  // 0600 first: group access only once the group is the one asked for
  int fd = shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    int e = errno;
    if (e != EEXIST) err = "cannot create shared memory /dev/shm" + name + ": " + strerror(e);
    return -e;
  }
  auto undo = [&](int e, const std::string &why) {
    ::close(fd);
    shm_unlink(name.c_str());
    err = "shared memory /dev/shm" + name + ": " + why + ": " + strerror(e);
    return -e;
  };
  // The umask may have taken bits away or (0002) left group write on: set
  // exactly the mode asked for.
  if (a.has_gid && fchown(fd, static_cast<uid_t>(-1), a.gid) != 0)
    return undo(errno, "cannot give it to group " + group_name(a.gid));
  if (fchmod(fd, mode) != 0) return undo(errno, "cannot set its mode");
  if (bytes > 0) {
    int rc = posix_fallocate(fd, 0, static_cast<off_t>(bytes));
    if (rc != 0) return undo(rc, "cannot allocate " + std::to_string(bytes) + " bytes");
  }
  return fd;
}

int open_trusted(const std::string &name, const Access &a, bool read_only, struct stat *st, std::string &err) {
  err.clear();
  // glibc's shm_open adds O_NOFOLLOW: a symlink planted in /dev/shm is not followed.
  // O_NONBLOCK: a FIFO planted under the name must not block the open (it
  // is refused below as not a regular file).
  int fd = shm_open(name.c_str(), (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NONBLOCK, 0);
  if (fd < 0) {
    int e = errno;
    if (e != ENOENT) err = "cannot open shared memory /dev/shm" + name + ": " + strerror(e);
    return -e;
  }
  if (fstat(fd, st) != 0) {
    int e = errno;
    ::close(fd);
    err = "cannot stat shared memory /dev/shm" + name + ": " + strerror(e);
    return -e;
  }
  if (!trusted(name, *st, a, err)) {
    ::close(fd);
    return -EPERM;
  }
  return fd;
}

}  // namespace sim::shm
