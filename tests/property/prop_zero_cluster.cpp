// prop_zero_cluster.cpp - the DNA cluster (src/zero) against the model of
// tests/model/model_zero.h, over random captures, slave counts,
// distribution kinds (one slave, fan-out, masks with drops), queue sizes
// and command sequences run by one thread on the slaves' rings:
//   recv (plain, zero copy), hold (alloc + pfring_recv_pkt_buff), release
//   a held handle out of order, check the held handles' bytes, close a
//   slave and reopen it.
// Checked: every slave receives exactly the model's packets in order (a
// slave that was closed and reopened: an in-order part of them, since what
// was queued for it at close is gone), every held buffer keeps its bytes
// until released, and after every slave closed the pool is whole again
// (free + referenced = size, every buffer free, offered = delivered +
// dropped per slave).
//
// A failure prints the shrunk counterexample and the line to replay it:
// RC_PARAMS="reproduce=..." ./prop_zero_cluster
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "model_zero.h"
#include "pfring.h"
#include "unit/pcap_writer.h"
#include "unit/unit_util.h"
#include "zero/cluster.h"

namespace {

model::ZeroSpec g_spec;  // what the distribution function below applies

int distribute(const u_char *buffer, const u_int16_t len, const pfring_dna_cluster_slaves_info *, u_int32_t *mask,
               u_int32_t *hash) {
  *mask = model::zero_mask(g_spec, buffer, len);
  *hash = 0;
  return *mask ? DNA_CLUSTER_PASS : DNA_CLUSTER_DROP;
}

struct Cmd {
  int op;  // 0 recv, 1 hold, 2 release, 3 check held, 4 close and reopen
  uint32_t slave, arg;
};

void showValue(const Cmd &c, std::ostream &os) {
  static const char *names[] = {"recv", "hold", "release", "check", "reopen"};
  os << names[c.op] << "(slave " << c.slave << ", " << c.arg << ")";
}

struct Held {
  pfring_pkt_buff *b;
  uint32_t index, len;
};

uint32_t index_of(const u_char *p) {
  uint32_t i;
  std::memcpy(&i, p + 16, 4);
  return i;
}

pfring *open_slave(uint32_t id, uint32_t k) {
  std::string dev = "dnacluster:" + std::to_string(id) + "@" + std::to_string(k);
  for (int i = 0; i < 2000; i++) {  // a closed slave's slot is free once the master reclaimed it
    if (pfring *r = pfring_open(dev.c_str(), 1536, 0)) return r;
    usleep(500);
  }
  return nullptr;
}

RC_GTEST_PROP(ZeroCluster, SlavesGetTheModelsPacketsAndThePoolStaysWhole, ()) {
  static uint32_t next_id = 5000;
  const uint32_t id = next_id++;
  g_spec.num_slaves = *rc::gen::inRange<uint32_t>(1, 5);
  g_spec.kind = *rc::gen::inRange(0, 3);
  const uint32_t n = *rc::gen::inRange<uint32_t>(1, 400);
  const uint32_t rx_len = *rc::gen::element<uint32_t>(2, 8, 64, 1024);
  const uint32_t additional = *rc::gen::inRange<uint32_t>(1, 12);
  std::vector<std::vector<uint8_t>> pkts(n);
  std::vector<pw::Record> recs(n);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t len = *rc::gen::inRange<uint32_t>(60, 300);
    pkts[i].resize(len);
    for (uint32_t j = 0; j < len; j++) pkts[i][j] = static_cast<uint8_t>(i * 7 + j * 13);
    std::memcpy(pkts[i].data() + 16, &i, 4);
    pkts[i][20] = *rc::gen::arbitrary<uint8_t>();
    recs[i].data = pkts[i];
    recs[i].ts_ns = 1000 + i;
  }
  const auto cmds = *rc::gen::container<std::vector<Cmd>>(rc::gen::build<Cmd>(
      rc::gen::set(&Cmd::op, rc::gen::inRange(0, 5)), rc::gen::set(&Cmd::slave, rc::gen::inRange<uint32_t>(0, 4)),
      rc::gen::set(&Cmd::arg, rc::gen::inRange<uint32_t>(0, 64))));

  ut::TempDir dir;
  RC_ASSERT(dir.ok());
  std::string path = dir.file("c.pcap");
  RC_ASSERT(ut::write_file(path, pw::pcap_bytes(recs)));
  const auto want = model::zero_expected(g_spec, pkts);

  pfring_dna_cluster *c = dna_cluster_create(id, g_spec.num_slaves, 0);
  RC_ASSERT(bool(c));
  pfring *dev = pfring_open(("pcap:" + path).c_str(), 1536, 0);
  RC_ASSERT(bool(dev));
  RC_ASSERT(dna_cluster_register_ring(c, dev) == 0);
  RC_ASSERT(dna_cluster_low_level_settings(c, rx_len, 16, additional) == 0);
  dna_cluster_set_distribution_function(c, distribute);
  RC_ASSERT(dna_cluster_enable(c) == 0);

  const uint32_t ns = g_spec.num_slaves;
  std::vector<pfring *> ring(ns);
  std::vector<std::vector<uint32_t>> got(ns);
  std::vector<std::vector<Held>> held(ns);
  std::vector<bool> reopened(ns, false), ended(ns, false);
  for (uint32_t k = 0; k < ns; k++) {
    ring[k] = open_slave(id, k);
    RC_ASSERT(bool(ring[k]));
  }

  auto check_held = [&](uint32_t k) {
    for (const Held &h : held[k]) {
      const u_char *d = pfring_get_pkt_buff_data(ring[k], h.b);
      RC_ASSERT(bool(d));
      RC_ASSERT(index_of(d) == h.index);
      RC_ASSERT(std::memcmp(d, pkts[h.index].data(), h.len) == 0);
    }
  };
  auto release_all = [&](uint32_t k) {
    for (const Held &h : held[k]) pfring_release_pkt_buff(ring[k], h.b);
    held[k].clear();
  };
  // Where in want[k] slave k is: a packet must come later there than the
  // one before it (and, for a slave never reopened, be the very next).
  std::vector<size_t> at(ns, 0);
  // A packet arrived on slave k: its bytes are the capture's, its place in
  // the model's order is right (checked at every packet, not only at the end).
  auto take = [&](uint32_t k, const u_char *p, const pfring_pkthdr &h) {
    uint32_t i = index_of(p);
    RC_ASSERT(i < n);
    RC_ASSERT(h.caplen == pkts[i].size());
    RC_ASSERT(std::memcmp(p, pkts[i].data(), h.caplen) == 0);
    if (!reopened[k]) {
      RC_ASSERT(at[k] < want[k].size());
      RC_ASSERT(want[k][at[k]] == i);
    } else {
      while (at[k] < want[k].size() && want[k][at[k]] != i) at[k]++;
      RC_ASSERT(at[k] < want[k].size());
    }
    at[k]++;
    got[k].push_back(i);
  };

  for (const Cmd &cmd : cmds) {
    uint32_t k = cmd.slave % ns;
    pfring_pkthdr h;
    switch (cmd.op) {
      case 0:
        for (uint32_t j = 0; j <= cmd.arg; j++) {
          u_char *p = nullptr;
          int rc = pfring_recv(ring[k], &p, 0, &h, 0);
          if (rc == PF_RING_ERROR_END_OF_FILE) ended[k] = true;
          if (rc != 1) break;
          take(k, p, h);
        }
        break;
      case 1: {
        pfring_pkt_buff *b = pfring_alloc_pkt_buff(ring[k]);
        if (!b) {
          RC_ASSERT(held[k].size() >= additional);  // only when every handle is out
          break;
        }
        int rc = pfring_recv_pkt_buff(ring[k], b, &h, 0);
        if (rc == 1) {
          const u_char *d = pfring_get_pkt_buff_data(ring[k], b);
          take(k, d, h);
          held[k].push_back({b, index_of(d), h.caplen});
        } else {
          pfring_release_pkt_buff(ring[k], b);
        }
        break;
      }
      case 2:
        if (!held[k].empty()) {
          size_t i = cmd.arg % held[k].size();
          pfring_release_pkt_buff(ring[k], held[k][i].b);
          held[k].erase(held[k].begin() + static_cast<std::ptrdiff_t>(i));
        }
        break;
      case 3:
        check_held(k);
        break;
      case 4:
        check_held(k);
        held[k].clear();  // closing gives them back
        pfring_close(ring[k]);
        reopened[k] = true;
        ring[k] = open_slave(id, k);
        RC_ASSERT(bool(ring[k]));
        break;
    }
  }
  // Drain every slave (round robin: the master may wait for one of them).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    bool all = true;
    for (uint32_t k = 0; k < ns; k++) {
      check_held(k);
      release_all(k);
      while (!ended[k]) {
        u_char *p = nullptr;
        pfring_pkthdr h;
        int rc = pfring_recv(ring[k], &p, 0, &h, 0);
        if (rc == PF_RING_ERROR_END_OF_FILE) ended[k] = true;
        if (rc != 1) break;
        take(k, p, h);
      }
      all = all && ended[k];
    }
    if (all) break;
    RC_ASSERT(std::chrono::steady_clock::now() < deadline);
    usleep(200);
  }
  for (uint32_t k = 0; k < ns; k++) {
    if (!reopened[k]) {
      RC_ASSERT(got[k] == want[k]);
    } else {  // an in-order part of them
      size_t j = 0;
      for (uint32_t i : got[k]) {
        while (j < want[k].size() && want[k][j] != i) j++;
        RC_ASSERT(j < want[k].size());
        j++;
      }
    }
    pfring_close(ring[k]);
  }
  // every slave gone and reclaimed: the pool is whole
  auto *cl = static_cast<pfr::zero::Cluster *>(c);
  RC_ASSERT(cl->wait_all_slaves_free(5000));
  dna_cluster_disable(c);
  std::string err;
  RC_ASSERT(cl->check_invariants(err));
  RC_ASSERT(cl->all_buffers_free());
  dna_cluster_destroy(c);
}

}  // namespace
