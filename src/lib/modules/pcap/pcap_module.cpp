// pcap_module.cpp - "pcap:FILE": a capture file as a finite device.
//
// Three readers, picked at open:
//  - classic pcap in a regular file: read in chunks into private memory
//    (capture_image.h: not mmap, so a file cut while it is read ends with a
//    message, not SIGBUS) and handed out in place (zero copy, no
//    per-packet work beyond the record header; faster than pcap_next_ex,
//    see docs/performance.md);
//  - classic pcap from a pipe or other stream: read without blocking into
//    a buffer and parsed there, so pfring_recv(..., wait 0) never blocks;
//  - pcapng in a regular file: libpcap (nanosecond precision), packets
//    copied into one preallocated arena per burst.
// pcapng from a pipe is refused with a message (libpcap would block).
#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "module.h"
#include "modules/pcap/capture_image.h"
#include "modules/pcap/linktype.h"
#include "modules/module_util.h"
#include "modules/pcap/pcap_file.h"
#include "modules/registry_entries.h"

namespace pfr {

namespace {

constexpr size_t kArenaSize = 4u << 20;  // libpcap path: bytes per burst
constexpr size_t kStreamChunk = 1u << 20;
// Regular files: the read window (capture_image.h), a few MiB that stay in
// cache; room for a burst of the largest records besides.
constexpr size_t kWindow = (1u << 20) + 2 * PcapFileReader::kMaxSnaplen;

class PcapModule : public Module {
 public:
  bool finite() const override { return true; }  // ends with the file
  ~PcapModule() override {
    if (pcap_) pcap_close(pcap_);
    if (fd_ >= 0) ::close(fd_);
  }

  bool open(const OpenArgs &args, int *code, int *errnum, std::string &err) {
    path_ = args.name.device;
    // Queue 0 is the file; a queue that does not exist delivers nothing (guide 8.3).
    empty_queue_ = args.name.queue > 0;
    int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      *errnum = errno;
      *code = errno == ENOENT ? PF_RING_ERROR_UNKNOWN_ADAPTER : PF_RING_ERROR_GENERIC;
      err = "cannot open capture file '" + path_ + "': " + strerror(errno);
      return false;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
      *errnum = S_ISDIR(st.st_mode) ? EISDIR : errno;
      *code = PF_RING_ERROR_INVALID_ARGUMENT;
      err = "capture file '" + path_ + "' is a directory";
      ::close(fd);
      return false;
    }
    auto bad_input = [&](const std::string &why) {
      *code = PF_RING_ERROR_INVALID_ARGUMENT;
      *errnum = EINVAL;
      err = "capture file '" + path_ + "': " + why;
      return false;
    };
    if (!S_ISREG(st.st_mode)) {
      fd_ = fd;
      return open_stream(code, errnum, err, bad_input);
    }
    if (st.st_size == 0) {
      ::close(fd);
      return bad_input("file is empty (no pcap header)");
    }
    image_ = std::make_unique<CaptureImage>();
    std::string why;
    if (!image_->open(fd, static_cast<size_t>(st.st_size), kWindow, why)) return bad_input(why);
    if (PcapFileReader::is_pcapng(image_->at(0), image_->ensure(4))) {
      image_.reset();
      return open_libpcap(code, errnum, err);
    }
    format_ = "pcap";
    if (!reader_.open(image_.get(), why)) return bad_input(why);
    return check_linktype(reader_.linktype(), code, errnum, err);
  }

  int recv_burst(RawPacket *out, unsigned max, int timeout_ms, std::string &err) override {
    if (empty_queue_) return PF_RING_ERROR_END_OF_FILE;
    if (status_) {
      err = status_msg_;
      return status_;
    }
    unsigned n;
    if (image_) n = burst_mapped(out, max);
    else if (pcap_) n = burst_libpcap(out, max);
    else n = burst_stream(out, max, timeout_ms);
    if (n == 0 && status_) {
      err = status_msg_;
      return status_;
    }
    return static_cast<int>(n);
  }

  int poll(int timeout_ms) override {
    if (empty_queue_ || status_ || image_ || pcap_) return 1;
    if (stream_has_record()) return 1;
    struct pollfd p = {fd_, POLLIN, 0};
    int rc = ::poll(&p, 1, timeout_ms);
    return rc > 0 ? 1 : 0;
  }

  std::string stats_json() const override {
    return "{\"file\":\"" + json_escape(path_) + "\",\"format\":\"" + format_ + "\",\"packets\":" +
           std::to_string(packets_) + ",\"bytes\":" + std::to_string(bytes_) +
           ",\"eof\":" + (status_ == PF_RING_ERROR_END_OF_FILE ? "true" : "false") +
           ",\"corrupt\":" + (status_ == PF_RING_ERROR_CORRUPT_INPUT ? "true" : "false") +
           "," + reader_.policy_json() + "}";
  }

 private:
  bool check_linktype(uint32_t lt, int *code, int *errnum, std::string &err) {
    if (lt == DLT_EN10MB) return true;
    *code = PF_RING_ERROR_NOT_SUPPORTED;
    *errnum = EOPNOTSUPP;
    err = "capture file '" + path_ + "' has link type " + linktype_text(lt) + "; only Ethernet (1) is supported";
    return false;
  }

  bool open_libpcap(int *code, int *errnum, std::string &err) {
    char errbuf[PCAP_ERRBUF_SIZE] = {0};
    format_ = "pcapng";
    pcap_ = pcap_open_offline_with_tstamp_precision(path_.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!pcap_) {
      *code = PF_RING_ERROR_INVALID_ARGUMENT;
      *errnum = EINVAL;
      err = "capture file '" + path_ + "': " + errbuf;
      return false;
    }
    arena_.resize(kArenaSize);
    return check_linktype(linktype_of_dlt(pcap_datalink(pcap_)), code, errnum, err);
  }

  // Blocks until the 24-byte header has arrived (as libpcap does at open).
  template <class BadInput>
  bool open_stream(int *code, int *errnum, std::string &err, BadInput bad_input) {
    format_ = "pcap";
    buf_.resize(kStreamChunk + PcapFileReader::kMaxSnaplen + 16);
    while (end_ < 24) {
      ssize_t n = ::read(fd_, buf_.data() + end_, 24 - end_);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return bad_input(std::string("read failed: ") + strerror(errno));
      if (n == 0) {
        if (end_ >= 4 && PcapFileReader::is_pcapng(buf_.data(), end_))
          return bad_input("pcapng from a pipe is not supported; save it to a file first");
        return bad_input(end_ == 0 ? "stream is empty (no pcap header)"
                                   : "stream ended inside the pcap header (" + std::to_string(end_) + " of 24 bytes)");
      }
      end_ += static_cast<size_t>(n);
    }
    if (PcapFileReader::is_pcapng(buf_.data(), end_))
      return bad_input("pcapng from a pipe is not supported; save it to a file first");
    std::string why;
    if (!reader_.open_header(buf_.data(), end_, why)) return bad_input(why);
    begin_ = end_ = 0;
    int fl = fcntl(fd_, F_GETFL);
    if (fl >= 0) fcntl(fd_, F_SETFL, fl | O_NONBLOCK);
    return check_linktype(reader_.linktype(), code, errnum, err);
  }

  unsigned burst_mapped(RawPacket *out, unsigned max) {
    image_->release_before(reader_.offset());  // the last burst's packets are done with
    unsigned n = 0;
    while (n < max) {
      const uint8_t *data;
      uint32_t caplen, len;
      uint64_t ns;
      int rc = reader_.next(&data, &caplen, &len, &ns, status_msg_);
      if (rc == 2) break;  // the window is full of this burst's packets
      if (rc <= 0) {
        status_ = rc == 0 ? PF_RING_ERROR_END_OF_FILE : PF_RING_ERROR_CORRUPT_INPUT;
        status_msg_ = rc == 0 ? "end of file" : "capture file '" + path_ + "': " + status_msg_;
        break;
      }
      fill_rx_packet(out[n++], data, caplen, len, ns);
      if (n == 1) image_->pin();  // handed out: the window keeps it in place until the next burst
      packets_++;
      bytes_ += len;
    }
    return n;
  }

  unsigned burst_libpcap(RawPacket *out, unsigned max) {
    unsigned n = 0;
    size_t used = 0;
    // Stop while a record of the largest size still fits in the arena.
    while (n < max && arena_.size() - used >= PcapFileReader::kMaxSnaplen) {
      struct pcap_pkthdr *h;
      const u_char *data;
      int rc = pcap_next_ex(pcap_, &h, &data);
      if (rc == PCAP_ERROR_BREAK) {
        status_ = PF_RING_ERROR_END_OF_FILE;
        status_msg_ = "end of file";
        break;
      }
      if (rc != 1) {
        status_ = PF_RING_ERROR_CORRUPT_INPUT;
        status_msg_ = "capture file '" + path_ + "' after packet " + std::to_string(packets_) + ": " +
                      pcap_geterr(pcap_);
        break;
      }
      uint32_t caplen = h->caplen;
      if (caplen > PcapFileReader::kMaxSnaplen) caplen = PcapFileReader::kMaxSnaplen;
      if (!reader_.accept(h->len, &caplen)) continue;
      std::memcpy(arena_.data() + used, data, caplen);
      uint64_t ns = static_cast<uint64_t>(h->ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(h->ts.tv_usec);
      fill_rx_packet(out[n++], arena_.data() + used, caplen, h->len, ns);
      used += caplen;
      packets_++;
      bytes_ += h->len;
    }
    return n;
  }

  bool stream_has_record() {
    PcapFileReader::Record rec;
    std::string why;
    return reader_.parse_at(buf_.data() + begin_, end_ - begin_, 0, &rec, why) != 0;
  }

  // Pipes: packets handed out last time may be overwritten now (the
  // handle asks for a new burst only when it is done with the old one).
  unsigned burst_stream(RawPacket *out, unsigned max, int timeout_ms) {
    for (;;) {
      unsigned n = 0;
      size_t at = begin_;
      while (n < max) {
        PcapFileReader::Record rec;
        std::string why;
        int rc = reader_.parse_at(buf_.data() + at, end_ - at, reader_.records_read() + 1, &rec, why);
        if (rc < 0) {
          status_ = PF_RING_ERROR_CORRUPT_INPUT;
          status_msg_ = "capture stream '" + path_ + "' " + why;
          break;
        }
        if (rc == 0) break;
        at += rec.size;
        reader_.count_record();
        if (!reader_.accept(rec.len, &rec.caplen)) continue;
        fill_rx_packet(out[n++], rec.data, rec.caplen, rec.len, rec.ts_ns);
        packets_++;
        bytes_ += rec.len;
      }
      begin_ = at;
      if (n > 0 || status_) return n;
      if (stream_eof_) {
        status_ = end_ == begin_ ? PF_RING_ERROR_END_OF_FILE : PF_RING_ERROR_CORRUPT_INPUT;
        status_msg_ = end_ == begin_ ? "end of file"
                                     : "capture stream '" + path_ + "' ended inside record " +
                                           std::to_string(reader_.records_read() + 1) + " (" +
                                           std::to_string(end_ - begin_) + " bytes of it arrived)";
        return 0;
      }
      // Nothing complete: read more, waiting at most timeout_ms.
      struct pollfd p = {fd_, POLLIN, 0};
      int prc = ::poll(&p, 1, timeout_ms);
      if (prc < 0 && errno != EINTR) {
        status_ = PF_RING_ERROR_GENERIC;
        status_msg_ = std::string("poll failed: ") + strerror(errno);
        return 0;
      }
      if (prc <= 0) return 0;
      // Make room at the end by moving the unparsed tail (at most one
      // partial record) to the front; records handed out before this call
      // are no longer in use.
      if (buf_.size() - end_ < kStreamChunk / 2) {
        std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
      }
      size_t room = buf_.size() - end_;
      ssize_t r = ::read(fd_, buf_.data() + end_, room);
      if (r < 0) {
        if (errno == EAGAIN || errno == EINTR) return 0;
        status_ = PF_RING_ERROR_GENERIC;
        status_msg_ = std::string("read failed: ") + strerror(errno);
        return 0;
      }
      if (r == 0) stream_eof_ = true;
      end_ += static_cast<size_t>(r);
      timeout_ms = 0;  // data arrived: do not wait again in this call
    }
  }

  std::string path_;
  std::string format_ = "pcap";
  bool empty_queue_ = false;
  std::unique_ptr<CaptureImage> image_;  // regular files
  PcapFileReader reader_;
  pcap_t *pcap_ = nullptr;
  std::vector<uint8_t> arena_;
  int fd_ = -1;  // stream
  std::vector<uint8_t> buf_;
  size_t begin_ = 0, end_ = 0;
  bool stream_eof_ = false;
  int status_ = 0;
  std::string status_msg_;
  uint64_t packets_ = 0, bytes_ = 0;
};

std::unique_ptr<Module> open_pcap(const OpenArgs &args, int *code, int *errnum, std::string &err) {
  auto m = std::make_unique<PcapModule>();
  if (!m->open(args, code, errnum, err)) return nullptr;
  return m;
}

void list_pcap(std::vector<DeviceInfo> &out) {
  DeviceInfo d;
  d.name = "pcap:<file>";
  d.description = "a pcap or pcapng capture file (or a classic pcap stream) replayed as a finite device";
  out.push_back(d);
}

}  // namespace

const ModuleInfo kPcapModule = {"pcap", "pcap/pcapng capture files", open_pcap, list_pcap};

}  // namespace pfr
