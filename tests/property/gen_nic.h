// gen_nic.h - RapidCheck generators for the software NIC: frames of flows
// offered in either direction with the times they are ready, and NIC
// settings (section 5 of the generators; generators.h includes it after
// sections 1-4, whose helpers it uses).
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <ostream>
#include <vector>

#include "unit/pkt_builder.h"

namespace gen {


// =====================================================================
// 5. NIC traffic
// =====================================================================
// What a link peer offers the software NIC (sim/nic.h): frames of flows
// in either direction, with the time each is ready to be sent. Plain
// values (no sim types), so that every property test can include this file.

// One end-to-end flow: IPv4 or IPv6, TCP or UDP, both ends.
struct NicFlow {
  int ip_version = 4;
  bool tcp = false;
  uint32_t a4 = 0, b4 = 0;
  pktb::Ip6 a6{}, b6{};
  uint16_t a_port = 0, b_port = 0;
};

struct NicFrame {
  pktb::Bytes bytes;     // Ethernet frame, no FCS
  uint64_t ready_ns = 0; // non-decreasing over a traffic
  size_t flow = 0;       // index into NicTraffic::flows
  bool reverse = false;  // sent from the b end
};

struct NicTraffic {
  std::vector<NicFlow> flows;
  std::vector<NicFrame> frames;
};

inline void showValue(const NicTraffic& t, std::ostream& os) {
  os << t.flows.size() << " flows, " << t.frames.size() << " frames:";
  for (const NicFrame& f : t.frames)
    os << " [" << f.ready_ns << "ns " << f.bytes.size() << "B flow " << f.flow << (f.reverse ? "<" : ">") << "]";
}

namespace detail {

inline NicFlow nicFlow() {
  NicFlow f;
  f.ip_version = chance(75) ? 4 : 6;
  f.tcp = chance(50);
  if (f.ip_version == 4) {
    f.a4 = *ipv4Address();
    f.b4 = *ipv4Address();
  } else {
    f.a6 = *ipv6Address();
    f.b6 = *ipv6Address();
  }
  f.a_port = *rc::gen::arbitrary<uint16_t>();
  f.b_port = *rc::gen::arbitrary<uint16_t>();
  return f;
}

// A frame of flow f, padded with payload up to len when len is larger
// than the headers.
inline pktb::Bytes nicFrameBytes(const NicFlow& f, bool reverse, size_t len) {
  const pktb::Mac ma = {0x02, 0, 0, 0, 0, 0x0a}, mb = {0x02, 0, 0, 0, 0, 0x0b};
  pktb::Builder b;
  b.eth(reverse ? ma : mb, reverse ? mb : ma, f.ip_version == 4 ? 0x0800 : 0x86DD);
  uint8_t proto = f.tcp ? 6 : 17;
  if (f.ip_version == 4)
    b.ipv4(reverse ? f.b4 : f.a4, reverse ? f.a4 : f.b4, proto);
  else
    b.ipv6(reverse ? f.b6 : f.a6, reverse ? f.a6 : f.b6, proto);
  uint16_t sp = reverse ? f.b_port : f.a_port, dp = reverse ? f.a_port : f.b_port;
  if (f.tcp)
    b.tcp(sp, dp, 1, 1, 0x10);
  else
    b.udp(sp, dp);
  size_t headers = b.size();
  b.payload(len > headers ? len - headers : 0);
  return b.done();
}

}  // namespace detail

// 1..max_flows flows and 0..max_frames frames. Lengths are mostly small
// (the wire-time corner cases: under 60, 60, 64), sometimes up to 1518 or a
// 9000-byte jumbo. back_to_back: every frame ready at 0 (the peer sends at
// line rate); otherwise bursts separated by random gaps.
inline rc::Gen<NicTraffic> nicTraffic(size_t max_flows, size_t max_frames, bool back_to_back) {
  return rc::gen::exec([=] {
    NicTraffic t;
    size_t nflows = *rc::gen::inRange<size_t>(1, max_flows + 1);
    for (size_t i = 0; i < nflows; i++) t.flows.push_back(detail::nicFlow());
    size_t nframes = *rc::gen::inRange<size_t>(0, max_frames + 1);
    uint64_t ready = 0;
    for (size_t i = 0; i < nframes; i++) {
      NicFrame f;
      f.flow = *rc::gen::inRange<size_t>(0, nflows);
      f.reverse = detail::chance(50);
      size_t len = *rc::gen::weightedOneOf<size_t>({
          {4, rc::gen::inRange<size_t>(42, 130)},
          {2, rc::gen::element<size_t>(59, 60, 61, 64)},
          {3, rc::gen::inRange<size_t>(130, 1519)},
          {1, rc::gen::just<size_t>(9000)},
      });
      f.bytes = detail::nicFrameBytes(t.flows[f.flow], f.reverse, len);
      if (!back_to_back && detail::chance(20)) ready += *rc::gen::inRange<uint64_t>(0, 20000);
      f.ready_ns = back_to_back ? 0 : ready;
      t.frames.push_back(std::move(f));
    }
    return t;
  });
}

// NIC settings as plain numbers (the property test turns them into a
// sim::SimNicConfig): link speed, queues, descriptors, flow control and
// its thresholds, consumer service times, key.
struct NicParams {
  uint32_t gbps = 10;
  uint32_t queues = 1;
  uint32_t descriptors = 64;
  bool flow_control = false;
  uint32_t xoff_free = 0, xon_free = 0;  // 0: the NIC's defaults
  uint32_t pause_quanta = 0xFFFF;
  std::vector<uint64_t> service_ns;      // one per queue
  bool symmetric_key = false;
};

inline void showValue(const NicParams& p, std::ostream& os) {
  os << p.gbps << "G, " << p.queues << " queues x " << p.descriptors << " descriptors, fc "
     << (p.flow_control ? "on" : "off") << " (xoff " << p.xoff_free << ", xon " << p.xon_free << ", quanta "
     << p.pause_quanta << "), service ns";
  for (uint64_t s : p.service_ns) os << " " << s;
  os << (p.symmetric_key ? ", symmetric key" : ", Microsoft key");
}

// A valid configuration: 1..max_queues queues, 1..256 descriptors (at least
// 2 with flow control), service 0..3000 ns per queue.
inline rc::Gen<NicParams> nicParams(uint32_t max_queues) {
  return rc::gen::exec([=] {
    NicParams p;
    p.gbps = *rc::gen::element<uint32_t>(1, 10, 25, 40, 100);
    p.queues = *rc::gen::inRange<uint32_t>(1, max_queues + 1);
    p.flow_control = detail::chance(50);
    p.descriptors = 1u << *rc::gen::inRange<uint32_t>(p.flow_control ? 1 : 0, 9);
    if (p.flow_control && detail::chance(50)) {
      p.xon_free = *rc::gen::inRange<uint32_t>(1, p.descriptors);
      p.xoff_free = *rc::gen::inRange<uint32_t>(1, p.xon_free + 1);
    }
    p.pause_quanta = *rc::gen::weightedOneOf<uint32_t>({
        {3, rc::gen::just<uint32_t>(0xFFFF)},
        {2, rc::gen::inRange<uint32_t>(1, 64)},
        {1, rc::gen::inRange<uint32_t>(1, 0x10000)},
    });
    uint64_t base = *rc::gen::inRange<uint64_t>(0, 3001);
    for (uint32_t q = 0; q < p.queues; q++)
      p.service_ns.push_back(detail::chance(70) ? base : *rc::gen::inRange<uint64_t>(0, 3001));
    p.symmetric_key = detail::chance(30);
    return p;
  });
}

}  // namespace gen
