// fuzz_tx_train_lending.cpp - the two fast paths the public calls reach
// only in combination, driven by arbitrary command sequences over a
// userspace: pipe (libpfring compiled with the fuzzer's instrumentation):
//  - end A sends with pfring_send(flush_packet 0 or 1) and
//    pfring_flush_tx_packets: the TX train and the module's send_burst;
//  - end B receives with the zero-copy lending interface (recv_lent,
//    release in any order, bogus handles) and plain receives.
// Checked after every command: what B holds is intact (the bytes the
// sender wrote for that sequence number) until it gives it back, packets
// arrive in the order sent, a handle that is not lent is refused without
// effect, and at the end every frame A was told was queued is received or
// counted as dropped by the train.
//
//   build-fuzz/bin/fuzz_tx_train_lending -max_total_time=60 NEW_CORPUS_DIR
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "handle.h"
#include "module.h"
#include "modules/userspace/userspace_module.h"
#include "pfring.h"

namespace {

constexpr uint32_t kSlot = 512;  // ring slot: frames up to 512 - header bytes

// Frame seq of len bytes: seq in the first 4 bytes, the rest derived.
void fill(uint8_t *p, uint32_t seq, uint32_t len) {
  for (uint32_t i = 0; i < len; i++) p[i] = uint8_t(seq * 131 + i * 7);
  std::memcpy(p, &seq, 4);
}

bool intact(const uint8_t *p, uint32_t caplen) {
  if (caplen < 4) return false;
  uint32_t seq;
  std::memcpy(&seq, p, 4);
  for (uint32_t i = 4; i < caplen; i++)
    if (p[i] != uint8_t(seq * 131 + i * 7)) return false;
  return true;
}

uint32_t seq_of(const uint8_t *p) {
  uint32_t s;
  std::memcpy(&s, p, 4);
  return s;
}

struct Held {
  pfr::LentPacket lp;
  uint32_t seq;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int runs = 0;
  std::string name = "fz" + std::to_string(getpid()) + "x" + std::to_string(runs++);
  std::string dev = "userspace:" + name + ",slots=" + std::to_string(size > 0 ? 4u << (data[0] % 4) : 8u) +
                    ",slot=" + std::to_string(kSlot);
  pfring *a = pfring_open(dev.c_str(), 1518, 0);
  pfring *b = pfring_open(("userspace:" + name).c_str(), 1518, 0);
  if (!a || !b) __builtin_trap();
  pfr::ZeroCopy *zc = pfr::handle(b)->mod->zero_copy();
  if (!zc) __builtin_trap();
  std::vector<Held> held;
  uint8_t frame[kSlot];
  uint32_t next_seq = 0, queued = 0, received = 0, last_seen = 0;
  bool seen_any = false;
  std::string err;
  auto take = [&](const pfr::RawPacket &p) {
    if (!intact(p.data, p.hdr.caplen)) __builtin_trap();
    uint32_t s = seq_of(p.data);
    if (seen_any && s <= last_seen) __builtin_trap();  // order kept (gaps: dropped frames)
    if (s >= next_seq) __builtin_trap();             // never sent
    seen_any = true;
    last_seen = s;
    received++;
  };
  for (size_t at = 1; at + 3 <= size; at += 3) {
    const uint8_t op = data[at] % 7, x = data[at + 1], y = data[at + 2];
    switch (op) {
      case 0: {  // A sends (flush or not); lengths include one too long
        uint32_t len = 4 + (uint32_t(x) * 2 + y) % (kSlot - 20);
        fill(frame, next_seq, len);
        int rc = pfring_send(a, frame, len, y & 1);
        if (rc == int(len)) {
          queued++;
          next_seq++;
        } else if (rc >= 0) {
          __builtin_trap();
        }
        break;
      }
      case 1:
        (void)pfring_flush_tx_packets(a);
        break;
      case 2: {  // B borrows up to n packets
        pfr::LentPacket lp[8];
        int n = zc->recv_lent(lp, 1 + x % 8, 0, err);
        for (int k = 0; k < n; k++) {
          take(lp[k].pkt);
          held.push_back({lp[k], seq_of(lp[k].pkt.data)});
        }
        break;
      }
      case 3: {  // B gives one back, any of them; everything held is intact
        for (const Held &h : held)
          if (!intact(h.lp.pkt.data, h.lp.pkt.hdr.caplen) || seq_of(h.lp.pkt.data) != h.seq) __builtin_trap();
        if (held.empty()) break;
        size_t i = x % held.size();
        if (zc->release(&held[i].lp.handle, 1, err) != 0) __builtin_trap();
        held.erase(held.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
      case 4: {  // a handle that is not lent: refused, nothing changes
        uint32_t bogus = uint32_t(x) << 8 | y;
        bool lent = false;
        for (const Held &h : held) lent |= h.lp.handle == bogus;
        if (!lent && zc->release(&bogus, 1, err) != PF_RING_ERROR_INVALID_ARGUMENT) __builtin_trap();
        if (zc->lent() != held.size()) __builtin_trap();
        break;
      }
      case 6: {  // one handle twice in one call: refused, nothing given back
        if (held.empty()) break;
        uint32_t twice[2] = {held[x % held.size()].lp.handle, held[x % held.size()].lp.handle};
        if (zc->release(twice, 2, err) != PF_RING_ERROR_INVALID_ARGUMENT) __builtin_trap();
        if (zc->lent() != held.size()) __builtin_trap();
        break;
      }
      case 5: {  // a plain receive: refused while buffers are lent
        u_char *p = nullptr;
        pfring_pkthdr h;
        int rc = pfring_recv(b, &p, 0, &h, 0);
        if (!held.empty() && rc >= 0) __builtin_trap();
        if (rc == 1) {
          pfr::RawPacket rp{};
          rp.data = p;
          rp.hdr = h;
          take(rp);
        }
        break;
      }
    }
  }
  // The end: everything queued arrives or was dropped by the train.
  (void)pfring_flush_tx_packets(a);
  for (Held &h : held)
    if (zc->release(&h.lp.handle, 1, err) != 0) __builtin_trap();
  held.clear();
  for (int i = 0; i < 100000; i++) {
    u_char *p = nullptr;
    pfring_pkthdr h;
    int rc = pfring_recv(b, &p, 0, &h, 0);
    if (rc != 1) break;
    pfr::RawPacket rp{};
    rp.data = p;
    rp.hdr = h;
    take(rp);
  }
  if (received + pfr::handle(a)->train.dropped != queued) {
    fprintf(stderr, "received %u + dropped %llu != queued %u\n", received, (unsigned long long)pfr::handle(a)->train.dropped,
            queued);
    __builtin_trap();
  }
  pfring_close(a);
  pfring_close(b);
  shm_unlink(pfr::usr::shm_name(name).c_str());
  return 0;
}
