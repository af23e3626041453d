// replay_file.cpp - see replay_file.h.
#include "modules/pcap/replay_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "modules/pcap/linktype.h"
#include "pfring.h"

namespace pfr {

bool open_replay_file(const std::string &path, const char *who, CaptureImage &image, PcapFileReader &reader,
                      int *code, int *errnum, std::string &err) {
  auto fail = [&](int c, int e, const std::string &msg) {
    *code = c;
    *errnum = e;
    err = "capture file '" + path + "'" + msg;
    return false;
  };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    *code = e == ENOENT ? PF_RING_ERROR_UNKNOWN_ADAPTER : PF_RING_ERROR_GENERIC;
    *errnum = e;
    err = "cannot open capture file '" + path + "': " + strerror(e);
    return false;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
    ::close(fd);
    return fail(PF_RING_ERROR_INVALID_ARGUMENT, EINVAL, " is not a non-empty regular file");
  }
  std::string why;
  if (!image.open(fd, static_cast<size_t>(st.st_size), 0, why))
    return fail(PF_RING_ERROR_NOT_ENOUGH_MEMORY, ENOMEM, ": " + why);
  if (PcapFileReader::is_pcapng(image.at(0), image.ensure(4)))
    return fail(PF_RING_ERROR_NOT_SUPPORTED, EOPNOTSUPP,
                std::string(" is pcapng; ") + who + " replays classic pcap only for now "
                "(convert with: editcap -F pcap IN OUT)");
  if (!reader.open(&image, why)) return fail(PF_RING_ERROR_INVALID_ARGUMENT, EINVAL, ": " + why);
  if (reader.linktype() != 1)
    return fail(PF_RING_ERROR_NOT_SUPPORTED, EOPNOTSUPP,
                " is not Ethernet (link type " + linktype_text(reader.linktype()) + ")");
  return true;
}

}  // namespace pfr
