// pcap_module.cpp - "pcap:FILE": a capture file as a finite device.
//
// Classic pcap files are mmap'ed and read in place (zero copy, no per-packet
// work beyond the record header: faster than pcap_next_ex, see
// docs/performance.md). pcapng files, and anything that cannot be mapped
// (pipes), go through libpcap with nanosecond precision, copied into one
// preallocated arena per burst.
#include <fcntl.h>
#include <pcap/pcap.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "module.h"
#include "modules/pcap_file.h"
#include "modules/registry_entries.h"

namespace pfr {

namespace {

constexpr size_t kArenaSize = 4u << 20;  // libpcap path: bytes per burst

std::string json_escape(const std::string &s) {
  std::string o;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += static_cast<char>(c);
    } else if (c < 0x20) {
      char b[8];
      snprintf(b, sizeof(b), "\\u%04x", c);
      o += b;
    } else {
      o += static_cast<char>(c);
    }
  }
  return o;
}

void fill_hdr(RawPacket &p, const uint8_t *data, uint32_t caplen, uint32_t len, uint64_t ns) {
  std::memset(&p.hdr, 0, sizeof(p.hdr));
  p.data = data;
  p.hdr.caplen = caplen;
  p.hdr.len = len;
  p.hdr.ts.tv_sec = static_cast<time_t>(ns / 1000000000ull);
  p.hdr.ts.tv_usec = static_cast<suseconds_t>((ns % 1000000000ull) / 1000ull);
  p.hdr.extended_hdr.timestamp_ns = ns;
  p.hdr.extended_hdr.rx_direction = 1;
  p.hdr.extended_hdr.if_index = UNKNOWN_INTERFACE;
  p.hdr.extended_hdr.tx.bounce_interface = UNKNOWN_INTERFACE;
}

class PcapModule : public Module {
 public:
  ~PcapModule() override {
    if (map_) munmap(map_, map_size_);
    if (pcap_) pcap_close(pcap_);
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
    bool ok;
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
      map_size_ = static_cast<size_t>(st.st_size);
      void *m = mmap(nullptr, map_size_, PROT_READ, MAP_PRIVATE, fd, 0);
      ::close(fd);
      if (m == MAP_FAILED) {
        map_ = nullptr;
        ok = open_libpcap(code, errnum, err);
      } else {
        map_ = static_cast<uint8_t *>(m);
        madvise(map_, map_size_, MADV_SEQUENTIAL);
        if (PcapFileReader::is_pcapng(map_, map_size_)) {
          munmap(map_, map_size_);
          map_ = nullptr;
          ok = open_libpcap(code, errnum, err);
        } else {
          ok = open_mapped(code, errnum, err);
        }
      }
    } else if (S_ISREG(st.st_mode)) {
      ::close(fd);
      *code = PF_RING_ERROR_INVALID_ARGUMENT;
      *errnum = EINVAL;
      err = "capture file '" + path_ + "' is empty (no pcap header)";
      return false;
    } else {
      ::close(fd);
      ok = open_libpcap(code, errnum, err);
    }
    return ok;
  }

  int recv_burst(RawPacket *out, unsigned max, int timeout_ms, std::string &err) override {
    if (empty_queue_ || status_) return status_ ? status_ : PF_RING_ERROR_END_OF_FILE;
    unsigned n = map_ ? burst_mapped(out, max) : burst_libpcap(out, max);
    if (n == 0 && status_) {
      err = status_msg_;
      return status_;
    }
    return static_cast<int>(n);
  }

  int next_pkt_time_ns(uint64_t *ns, std::string &err) override {
    if (empty_queue_) return PF_RING_ERROR_END_OF_FILE;
    if (!map_) {
      err = "next packet time is known only for classic pcap files";
      return PF_RING_ERROR_NOT_SUPPORTED;
    }
    int rc = reader_.peek_ts(ns, err);
    if (rc == 0) return PF_RING_ERROR_END_OF_FILE;
    if (rc < 0) return PF_RING_ERROR_CORRUPT_INPUT;
    return 0;
  }

  std::string stats_json() const override {
    std::string s = "{\"file\":\"" + json_escape(path_) + "\",\"format\":\"" + (map_ || !pcap_ ? "pcap" : "pcapng") +
                    "\",\"packets\":" + std::to_string(packets_) + ",\"bytes\":" + std::to_string(bytes_) +
                    ",\"eof\":" + (status_ == PF_RING_ERROR_END_OF_FILE ? "true" : "false") +
                    ",\"corrupt\":" + (status_ == PF_RING_ERROR_CORRUPT_INPUT ? "true" : "false") + "}";
    return s;
  }

 private:
  bool open_mapped(int *code, int *errnum, std::string &err) {
    std::string why;
    if (!reader_.open(map_, map_size_, why)) {
      *code = PF_RING_ERROR_INVALID_ARGUMENT;
      *errnum = EINVAL;
      err = "capture file '" + path_ + "': " + why;
      return false;
    }
    if (reader_.linktype() != DLT_EN10MB) {
      *code = PF_RING_ERROR_NOT_SUPPORTED;
      *errnum = EOPNOTSUPP;
      err = "capture file '" + path_ + "' has link type " + std::to_string(reader_.linktype()) +
            "; only Ethernet (1) is supported";
      return false;
    }
    return true;
  }

  bool open_libpcap(int *code, int *errnum, std::string &err) {
    char errbuf[PCAP_ERRBUF_SIZE] = {0};
    pcap_ = pcap_open_offline_with_tstamp_precision(path_.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!pcap_) {
      *code = PF_RING_ERROR_INVALID_ARGUMENT;
      *errnum = EINVAL;
      err = "capture file '" + path_ + "': " + errbuf;
      return false;
    }
    if (pcap_datalink(pcap_) != DLT_EN10MB) {
      *code = PF_RING_ERROR_NOT_SUPPORTED;
      *errnum = EOPNOTSUPP;
      err = "capture file '" + path_ + "' has link type " + std::to_string(pcap_datalink(pcap_)) +
            "; only Ethernet (1) is supported";
      return false;
    }
    arena_.resize(kArenaSize);
    return true;
  }

  unsigned burst_mapped(RawPacket *out, unsigned max) {
    unsigned n = 0;
    while (n < max) {
      const uint8_t *data;
      uint32_t caplen, len;
      uint64_t ns;
      int rc = reader_.next(&data, &caplen, &len, &ns, status_msg_);
      if (rc <= 0) {
        status_ = rc == 0 ? PF_RING_ERROR_END_OF_FILE : PF_RING_ERROR_CORRUPT_INPUT;
        if (rc < 0) status_msg_ = "capture file '" + path_ + "': " + status_msg_;
        break;
      }
      fill_hdr(out[n++], data, caplen, len, ns);
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
      std::memcpy(arena_.data() + used, data, caplen);
      uint64_t ns = static_cast<uint64_t>(h->ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(h->ts.tv_usec);
      fill_hdr(out[n++], arena_.data() + used, caplen, h->len, ns);
      used += caplen;
      packets_++;
      bytes_ += h->len;
    }
    return n;
  }

  std::string path_;
  bool empty_queue_ = false;
  uint8_t *map_ = nullptr;
  size_t map_size_ = 0;
  PcapFileReader reader_;
  pcap_t *pcap_ = nullptr;
  std::vector<uint8_t> arena_;
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
  d.description = "a pcap or pcapng capture file replayed as a finite device";
  out.push_back(d);
}

}  // namespace

const ModuleInfo kPcapModule = {"pcap", "pcap/pcapng capture files", open_pcap, list_pcap};

}  // namespace pfr
