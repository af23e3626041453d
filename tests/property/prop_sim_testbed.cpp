// prop_sim_testbed.cpp - one frame engine: the same capture and settings
// through the in-process NIC (sim:FILE,queues=Q,ring=D,consumer_ns=T,...)
// and through a one-NIC pfsim testbed whose NIC has the same modelled
// consumers (nic n queues=Q ring=D consumer_ns=T ...), read by one client
// per queue (sim:TB:n@q). Over random traffic (some records cut shorter
// than the wire frame), queue counts, ring sizes, service times, link
// speeds, replay rates and flow control on or off:
//  - every queue delivers the same packets in the same order, with the
//    same timestamp, RSS hash, length, captured length and bytes;
//  - the NIC counters are identical: offered, delivered, missed, PAUSE
//    frames, and the virtual clock at the end.
// The testbed runs in this process on a thread (tools/pfsim/testbed.h);
// both sides go through the public pfring API.
//
// A failure prints the shrunk counterexample and the line to replay it:
// RC_PARAMS="reproduce=..." ./prop_sim_testbed --gtest_filter=...
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "generators.h"
#include "pfring.h"
#include "testbed.h"
#include "unit/pcap_writer.h"

extern "C" {
#include "ring.h"
}

namespace {

struct Pkt {
  uint64_t ts_ns;
  uint32_t hash, len, caplen;
  std::vector<uint8_t> bytes;
  bool operator==(const Pkt &o) const {
    return ts_ns == o.ts_ns && hash == o.hash && len == o.len && caplen == o.caplen && bytes == o.bytes;
  }
};

struct Counters {
  uint64_t offered = 0, delivered = 0, missed = 0, pause_frames = 0, virtual_ns = 0;
};

void showValue(const Counters &c, std::ostream &os) {
  os << "offered " << c.offered << " delivered " << c.delivered << " missed " << c.missed << " pause "
     << c.pause_frames << " virtual_ns " << c.virtual_ns;
}

// The first "key": N in a JSON object (the counters are flat numbers).
uint64_t json_u64(const std::string &j, const std::string &key) {
  size_t at = j.find("\"" + key + "\":");
  if (at == std::string::npos) return UINT64_MAX;
  return std::strtoull(j.c_str() + at + key.size() + 3, nullptr, 10);
}

Counters counters_of(const std::string &j) {
  Counters c;
  c.offered = json_u64(j, "offered");
  c.delivered = json_u64(j, "delivered");
  c.missed = json_u64(j, "missed");
  c.pause_frames = json_u64(j, "pause_frames");
  c.virtual_ns = json_u64(j, "virtual_ns");
  return c;
}

bool operator==(const Counters &a, const Counters &b) {
  return a.offered == b.offered && a.delivered == b.delivered && a.missed == b.missed &&
         a.pause_frames == b.pause_frames && a.virtual_ns == b.virtual_ns;
}

// Reads ring r until end of file (bounded); false on an error.
bool read_all(pfring *r, std::vector<std::vector<Pkt>> &per_queue, int fixed_queue) {
  for (int i = 0; i < 200000; i++) {
    u_char *p = nullptr;
    pfring_pkthdr h;
    int rc = pfring_recv(r, &p, 0, &h, 1);
    if (rc == PF_RING_ERROR_END_OF_FILE) return true;
    if (rc < 0) return false;
    if (rc == 0) continue;
    // the in-process NIC names the RX queue in if_index; a testbed client reads one queue
    int q = fixed_queue >= 0 ? fixed_queue : h.extended_hdr.if_index;
    if (q < 0 || size_t(q) >= per_queue.size()) return false;
    per_queue[size_t(q)].push_back(
        Pkt{h.extended_hdr.timestamp_ns, h.extended_hdr.pkt_hash, h.len, h.caplen, std::vector<uint8_t>(p, p + h.caplen)});
  }
  return false;
}

std::string last_error() {
  char err[512] = "";
  pfring_get_last_error(nullptr, err, sizeof(err));
  return err;
}

int counter = 0;

RC_GTEST_PROP(SimTestbedProp, TestbedWithModelledConsumersIsTheInProcessNic, ()) {
  const uint32_t queues = *rc::gen::inRange<uint32_t>(1, 5);
  const bool fc = *rc::gen::arbitrary<bool>();
  const uint32_t ring = 1u << *rc::gen::inRange<uint32_t>(fc ? 1 : 0, 8);
  const uint64_t consumer_ns = *rc::gen::weightedOneOf<uint64_t>(
      {{1, rc::gen::just<uint64_t>(0)}, {4, rc::gen::inRange<uint64_t>(1, 3000)}});
  const std::string speed = *rc::gen::element<std::string>("1g", "10g", "25g");
  const std::string rate = *rc::gen::element<std::string>("recorded", "line", "x2", "x7");
  const auto traffic = *gen::nicTraffic(12, 250, false);
  RC_PRE(!traffic.frames.empty());
  std::vector<pw::Record> recs;
  for (const gen::NicFrame &f : traffic.frames) {
    pw::Record r;
    r.data = f.bytes;
    r.ts_ns = f.ready_ns;
    if (gen::detail::chance(10) && f.bytes.size() > 20) {  // a record cut shorter than the frame
      r.orig_len = uint32_t(f.bytes.size());
      r.data.resize(*rc::gen::inRange<size_t>(14, f.bytes.size()));
    }
    recs.push_back(std::move(r));
  }
  pw::PcapOptions po;
  po.nsec = true;
  std::string name = "pt" + std::to_string(getpid()) + "x" + std::to_string(counter++);
  std::string path = "/tmp/" + name + ".pcap";
  RC_ASSERT(ut::write_file(path, pw::pcap_bytes(recs, po)));
  struct Cleanup {
    std::string p;
    ~Cleanup() { std::remove(p.c_str()); }
  } cleanup{path};

  // The client ring's slot bounds what the testbed keeps of a frame; the
  // in-process NIC is given the same RX buffer (slot=).
  const uint32_t slot_size = 2048, buffer = slot_size - PFC_SLOT_HDR_LEN;
  std::string nic_keys = "queues=" + std::to_string(queues) + " ring=" + std::to_string(ring) +
                         " consumer_ns=" + std::to_string(consumer_ns) + " fc=" + (fc ? "on" : "off") +
                         " speed=" + speed;

  // 1. in-process
  std::string dev = "sim:" + path + ",queues=" + std::to_string(queues) + ",ring=" + std::to_string(ring) +
                    ",consumer_ns=" + std::to_string(consumer_ns) + ",fc=" + (fc ? "on" : "off") +
                    ",speed=" + speed + ",rate=" + rate + ",slot=" + std::to_string(buffer);
  pfring *in = pfring_open(dev.c_str(), 65535, 0);
  if (!in) RC_FAIL("in-process NIC: " + last_error());
  pfring_enable_ring(in);
  std::vector<std::vector<Pkt>> want(queues);
  RC_ASSERT(read_all(in, want, -1));
  char json[8192];
  RC_ASSERT(pfring_get_device_stats_json(in, json, sizeof(json)) > 0);
  Counters want_c = counters_of(json);
  pfring_close(in);

  // 2. the testbed
  std::string text = "testbed ring=512 slot=" + std::to_string(slot_size) + "\nnic n " + nic_keys +
                     "\nsource n pcap=" + path + " rate=" + rate + " wait_for=" + std::to_string(queues) +
                     " then=end\n";
  sim::TestbedConfig cfg;
  std::string err;
  RC_ASSERT(sim::parse_testbed(text, cfg, err));
  auto tb = pfsim::Testbed::create(name, cfg, sim::shm::Access{}, err);
  if (!tb) RC_FAIL("testbed: " + err);
  std::atomic<bool> stop{false};
  std::thread loop([&] {
    while (!stop.load())
      if (!tb->step()) std::this_thread::sleep_for(std::chrono::microseconds(20));
  });
  std::vector<pfring *> clients;
  for (uint32_t q = 0; q < queues; q++) {
    pfring *c = pfring_open(("sim:" + name + ":n@" + std::to_string(q)).c_str(), 65535, 0);
    if (!c) {
      stop = true;
      loop.join();
      RC_FAIL("client: " + last_error());
    }
    pfring_enable_ring(c);
    clients.push_back(c);
  }
  // Each client ring holds more than the whole capture, so reading them
  // one after the other cannot stall the testbed.
  std::vector<std::vector<Pkt>> got(queues);
  bool ok = true;
  for (uint32_t q = 0; q < queues; q++) ok &= read_all(clients[q], got, int(q));
  for (pfring *c : clients) pfring_close(c);
  stop = true;
  loop.join();
  tb->stop();
  Counters got_c = counters_of(tb->counters_json());
  RC_ASSERT(ok);

  for (uint32_t q = 0; q < queues; q++) {
    RC_ASSERT(got[q].size() == want[q].size());
    for (size_t i = 0; i < want[q].size(); i++) RC_ASSERT(got[q][i] == want[q][i]);
  }
  RC_ASSERT(got_c == want_c);
  RC_CLASSIFY(want_c.missed > 0, "some missed");
  RC_CLASSIFY(want_c.pause_frames > 0, "paused");
}

}  // namespace
