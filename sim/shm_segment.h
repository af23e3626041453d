// shm_segment.h - the one way this project creates, opens and trusts a
// POSIX shared-memory segment (/dev/shm/NAME): userspace: rings, pfsim
// testbeds, and every segment to come (libzero pools, dna: queues).
//
// Why: /dev/shm is writable by every user. A segment another user created
// first, or one that others may write, lets them feed packets to whoever
// joins it, or change its layout under the joiner's feet. So:
//  - create() makes the name exclusively (O_EXCL), mode 0600 whatever the
//    umask, or 0660 with the group a `group=` option names;
//  - open_trusted() joins only a regular file owned by this process's
//    effective uid, and writable by nobody else; a `user=` option accepts
//    that user's segments, a `group=` option a group-writable segment of
//    that group. A world-writable segment is never trusted.
// The messages say who owns the file, its mode, and which option would
// accept it.
//
// Trust extends to the users the options name, no further: a trusted
// peer can still stop its own pipe, but readers of shared memory validate
// geometry once and copy it (src/core/ring.h pfc_ring_consumer), so even a
// misbehaving trusted peer cannot make them read or write out of bounds.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <string>

namespace sim::shm {

// Who besides this process's effective user may share a segment.
struct Access {
  bool has_uid = false;  // user=: segments owned by uid are trusted too
  uid_t uid = 0;
  bool has_gid = false;  // group=: created group gid, mode 0660; joined when group-owned by gid
  gid_t gid = 0;
};

// Parses a `user=` / `group=` value: a name or a number. Returns true, or
// false with err naming the value.
bool parse_user(const std::string &value, uid_t *uid, std::string &err);
bool parse_group(const std::string &value, gid_t *gid, std::string &err);

// Takes "user" and "group" keys for Access: true when key is one of them
// (*ok false and err set when its value is bad), false for another key.
bool take_access_option(const std::string &key, const std::string &value, Access &a, bool *ok, std::string &err);

// Creates segment name ("/x": /dev/shm/x) exclusively with bytes bytes
// allocated (a short /dev/shm is an error now, not a SIGBUS later) and the
// mode and group of a. Returns an fd (O_RDWR, close-on-exec), -EEXIST when
// the name exists (err empty), or another -errno with err saying why.
int create(const std::string &name, uint64_t bytes, const Access &a, std::string &err);

// Opens an existing segment read/write (or read-only with read_only) and
// checks it may be trusted (trusted() below); *st gets its fstat. Returns
// an fd, -ENOENT when there is none (err empty), -EPERM when it is not
// trusted (err says owner, mode and the option that accepts it), or
// another -errno with err.
int open_trusted(const std::string &name, const Access &a, bool read_only, struct stat *st, std::string &err);

// The trust rule for a segment's fstat: a regular file, not world-
// writable; owned by geteuid() (or a.uid) and not group-writable, or
// group-writable with group a.gid. Returns true, or false with err.
bool trusted(const std::string &name, const struct stat &st, const Access &a, std::string &err);

}  // namespace sim::shm
