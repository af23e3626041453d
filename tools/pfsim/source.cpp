// source.cpp - see source.h.
#include "source.h"

#include <cstring>
#include <vector>

#include "pfring.h"

namespace pfsim {

namespace {

std::string last_error(pfring *ring) {
  char buf[512];
  if (pfring_get_last_error(ring, buf, sizeof(buf)) < 0 || !buf[0]) return "unknown error";
  return buf;
}

class PcapSource : public Source {
 public:
  PcapSource(const sim::TbSourceConfig &cfg, uint32_t max_caplen) : cfg_(cfg), caplen_(max_caplen) {}
  ~PcapSource() override {
    if (ring_) pfring_close(ring_);
  }

  bool reopen(std::string &err) {
    if (ring_) pfring_close(ring_);
    ring_ = pfring_open(("pcap:" + cfg_.path).c_str(), caplen_, 0);
    if (!ring_) {
      err = "source " + cfg_.path + ": " + last_error(nullptr);
      return false;
    }
    pfring_enable_ring(ring_);
    return true;
  }

  int next(SourcePacket *p, std::string &err) override {
    while (ring_) {
      u_char *buf = nullptr;
      struct pfring_pkthdr h;
      int rc = pfring_recv(ring_, &buf, 0, &h, 1);
      if (rc > 0) {
        p->data = buf;
        p->caplen = h.caplen;
        p->len = h.len;
        p->rec_ns = h.extended_hdr.timestamp_ns;
        p->new_loop = loop_started_;
        loop_started_ = false;
        return 1;
      }
      if (rc != PF_RING_ERROR_END_OF_FILE) {
        err = "source " + cfg_.path + ": " + last_error(ring_);
        return rc < 0 ? rc : PF_RING_ERROR_GENERIC;
      }
      if (++loops_done_ >= cfg_.loops) break;
      if (!reopen(err)) return PF_RING_ERROR_GENERIC;
      loop_started_ = true;
    }
    return 0;
  }

 private:
  sim::TbSourceConfig cfg_;
  uint32_t caplen_;
  pfring *ring_ = nullptr;
  uint32_t loops_done_ = 0;
  bool loop_started_ = false;
};

// IPv4/UDP frames: flow f goes from 10.0.f/256.f%256 port 1024+f to
// 10.1.f/256.f%256 port 5001, MACs 02:00:00:00:00:01 -> :02.
class SyntheticSource : public Source {
 public:
  SyntheticSource(const sim::TbSourceConfig &cfg, uint32_t max_caplen) : cfg_(cfg), buf_(cfg.len) {
    caplen_ = cfg.len < max_caplen ? cfg.len : max_caplen;
  }

  int next(SourcePacket *p, std::string &) override {
    if (sent_ >= cfg_.count) return 0;
    uint32_t f = static_cast<uint32_t>(sent_ % cfg_.flows);
    build(f, static_cast<uint32_t>(sent_));
    sent_++;
    p->data = buf_.data();
    p->caplen = caplen_;
    p->len = cfg_.len;
    p->rec_ns = 0;
    p->new_loop = false;
    return 1;
  }

 private:
  void put16(size_t off, uint32_t v) {
    buf_[off] = static_cast<uint8_t>(v >> 8);
    buf_[off + 1] = static_cast<uint8_t>(v);
  }

  void build(uint32_t flow, uint32_t seq) {
    static const uint8_t kHead[14] = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00};
    std::memset(buf_.data(), 0, buf_.size());
    std::memcpy(buf_.data(), kHead, sizeof(kHead));
    uint32_t ip_len = cfg_.len - 14;
    uint8_t *ip = buf_.data() + 14;
    ip[0] = 0x45;
    put16(16, ip_len);
    put16(18, seq & 0xFFFF);  // identification
    ip[8] = 64;
    ip[9] = 17;
    const uint8_t src[4] = {10, 0, static_cast<uint8_t>(flow >> 8), static_cast<uint8_t>(flow)};
    const uint8_t dst[4] = {10, 1, static_cast<uint8_t>(flow >> 8), static_cast<uint8_t>(flow)};
    std::memcpy(ip + 12, src, 4);
    std::memcpy(ip + 16, dst, 4);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2) sum += static_cast<uint32_t>(ip[i] << 8 | ip[i + 1]);
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    put16(24, ~sum & 0xFFFF);
    put16(34, 1024 + (flow & 0x7FFF));  // UDP source port
    put16(36, 5001);
    put16(38, ip_len - 20);  // UDP length; checksum 0 (none)
    for (size_t i = 42; i < buf_.size(); i++) buf_[i] = static_cast<uint8_t>(seq + i);
  }

  sim::TbSourceConfig cfg_;
  std::vector<uint8_t> buf_;
  uint32_t caplen_;
  uint64_t sent_ = 0;
};

}  // namespace

std::unique_ptr<Source> Source::open(const sim::TbSourceConfig &cfg, uint32_t max_caplen, std::string &err) {
  if (cfg.synthetic) return std::make_unique<SyntheticSource>(cfg, max_caplen);
  auto s = std::make_unique<PcapSource>(cfg, max_caplen);
  if (!s->reopen(err)) return nullptr;
  return s;
}

}  // namespace pfsim
