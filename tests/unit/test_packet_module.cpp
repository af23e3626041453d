// test_packet_module.cpp - the "packet" module (AF_PACKET TPACKET_V3) on a
// veth pair in a private network namespace (netns_fixture.h): every frame
// arrives byte for byte, VLAN tags come back, caplen, the kernel filter,
// direction, queues, fanout clusters, rules and sampling, transmission,
// identity and errors. The socket filter program is also checked alone.
#include <linux/filter.h>
#include <pcap/pcap.h>
#include <sys/wait.h>

#include <map>
#include <set>

#include "modules/packet/packet_module.h"
#include "netns_fixture.h"
#include "pkt_builder.h"

namespace {

using pfr_test::NetnsVeth;
using Frames = std::vector<std::vector<uint8_t>>;

const pktb::Mac kDst = {0x02, 0, 0, 0, 0, 0x0a};
const pktb::Mac kSrc = {0x02, 0, 0, 0, 0, 0x0b};

// UDP/IPv4 from 10.0.0.S:SPORT to 10.0.0.D:DPORT, optionally 802.1Q-tagged.
std::vector<uint8_t> udp4(uint8_t s, uint8_t d, uint16_t sport, uint16_t dport, size_t payload, int vlan = -1) {
  pktb::Builder b;
  b.macs(kDst, kSrc);
  if (vlan >= 0) b.tag(0x8100, static_cast<uint16_t>(vlan));
  return b.type(0x0800).ipv4(0x0a000000u | s, 0x0a000000u | d, 17).udp(sport, dport).payload(payload).done();
}

std::vector<uint8_t> tcp4(uint8_t s, uint8_t d, uint16_t sport, uint16_t dport) {
  pktb::Builder b;
  b.macs(kDst, kSrc);
  return b.type(0x0800).ipv4(0x0a000000u | s, 0x0a000000u | d, 6).tcp(sport, dport, 1, 0, 0x02).payload(8).done();
}

pfring *open_ring(const char *dev, uint32_t caplen = 1536, uint32_t flags = PF_RING_PROMISC) {
  pfring *r = pfring_open(dev, caplen, flags);
  EXPECT_NE(r, nullptr) << dev << ": " << [] {
    char b[256];
    pfring_get_last_error(nullptr, b, sizeof(b));
    return std::string(b);
  }();
  if (r) {
    EXPECT_EQ(pfring_enable_ring(r), 0);
  }
  return r;
}

std::string last_error(pfring *r) {
  char b[512];
  pfring_get_last_error(r, b, sizeof(b));
  return b;
}

uint64_t now_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// ---- on a veth pair -------------------------------------------------------------------------------

using PacketModule = NetnsVeth;

TEST_F(PacketModule, PlainNameOpensPacketAndEveryFrameArrivesIntact) {
  pfring *r = open_ring("va");
  ASSERT_NE(r, nullptr);
  EXPECT_STREQ(pfring_get_module_name(r), "packet");
  Frames sent;
  for (int i = 0; i < 300; i++) sent.push_back(udp4(1, 2, static_cast<uint16_t>(1000 + i), 53, 20 + i % 900));
  uint64_t before = now_ns();
  send_frames(sent);
  auto got = receive(r, sent.size() + 1, 1500);  // +1: nothing else may arrive
  uint64_t after = now_ns();
  ASSERT_EQ(got.size(), sent.size());
  for (size_t i = 0; i < got.size(); i++) {
    SCOPED_TRACE(i);
    EXPECT_EQ(got[i].bytes, sent[i]);
    EXPECT_EQ(got[i].hdr.len, sent[i].size());
    EXPECT_EQ(got[i].hdr.extended_hdr.rx_direction, 1);
    EXPECT_EQ(got[i].hdr.extended_hdr.if_index, va_index_);
    uint64_t ns = got[i].hdr.extended_hdr.timestamp_ns;
    EXPECT_GE(ns, before);
    EXPECT_LE(ns, after);
    EXPECT_EQ(static_cast<uint64_t>(got[i].hdr.ts.tv_sec), ns / 1000000000ull);
    if (i > 0) {
      EXPECT_GE(ns, got[i - 1].hdr.extended_hdr.timestamp_ns);
    }
  }
  pfring_stat st;
  ASSERT_EQ(pfring_stats(r, &st), 0);
  EXPECT_EQ(st.recv, sent.size());
  EXPECT_EQ(st.drop, 0u);
  pfring_close(r);
}

TEST_F(PacketModule, VlanTagTakenOutByTheKernelIsPutBack) {
  pfring *r = open_ring("va");
  ASSERT_NE(r, nullptr);
  Frames sent = {udp4(1, 2, 5000, 53, 30, 100), udp4(1, 2, 5001, 53, 30), udp4(1, 2, 5002, 53, 30, 4094)};
  send_frames(sent);
  auto got = receive(r, sent.size());
  ASSERT_EQ(got.size(), sent.size());
  for (size_t i = 0; i < sent.size(); i++) {
    EXPECT_EQ(got[i].bytes, sent[i]) << i;
    EXPECT_EQ(got[i].hdr.len, sent[i].size()) << i;
  }
  // The parser sees the tag.
  u_char *p = nullptr;
  pfring_pkthdr h = {};
  send_frames({udp4(1, 2, 5003, 53, 30, 777)});
  for (int i = 0; i < 100 && pfring_recv_parsed(r, &p, 0, &h, 0, 4, 0, 0) == 0; i++) pfring_poll(r, 20);
  EXPECT_EQ(h.extended_hdr.parsed_pkt.vlan_id, 777);
  EXPECT_EQ(h.extended_hdr.parsed_pkt.l4_src_port, 5003);
  pfring_close(r);
}

TEST_F(PacketModule, CaplenCutsInTheKernelAndKeepsTheWireLength) {
  pfring *r = open_ring("va", 64);
  ASSERT_NE(r, nullptr);
  Frames sent = {udp4(1, 2, 1, 2, 1000), udp4(1, 2, 1, 2, 10)};
  send_frames(sent);
  auto got = receive(r, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].hdr.caplen, 64u);
  EXPECT_EQ(got[0].hdr.len, sent[0].size());
  EXPECT_TRUE(std::equal(got[0].bytes.begin(), got[0].bytes.end(), sent[0].begin()));
  EXPECT_EQ(got[1].bytes, sent[1]);
  pfring_close(r);
}

// The kernel drops what the filter rejects (PACKET_STATISTICS counts only
// what passed it). The expression is compiled as libpcap compiles it for a
// live capture, so a frame whose tag the kernel took out is judged as
// tcpdump -i judges it: tagged UDP is "udp".
TEST_F(PacketModule, BpfFilterRunsInTheKernel) {
  pfring *r = open_ring("va");
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(pfring_set_bpf_filter(r, const_cast<char *>("udp port 53")), 0);
  usleep(20000);  // past the settle margin: later packets count as kernel-filtered
  Frames sent;
  for (int i = 0; i < 40; i++) sent.push_back(udp4(1, 2, 2000, static_cast<uint16_t>(i % 4 == 0 ? 53 : 80), 10));
  sent.push_back(tcp4(1, 2, 53, 53));                // not UDP
  sent.push_back(udp4(1, 2, 2000, 53, 10, 100));     // tagged: "udp port 53" live (tcpdump -i)
  send_frames(sent);
  auto got = receive(r, 12, 1500);
  ASSERT_EQ(got.size(), 11u);
  for (size_t i = 0; i < 10; i++) EXPECT_EQ(got[i].bytes, sent[0]);
  EXPECT_EQ(got[10].bytes, sent.back());  // its tag back in place
  char js[1024];
  ASSERT_GT(pfring_get_device_stats_json(r, js, sizeof(js)), 0);
  // the kernel's verdict alone: 10 untagged + the tagged one
  EXPECT_NE(std::string(js).find("\"kernel_packets\":11,"), std::string::npos) << js;

  // "vlan 100" must see tags the kernel took out.
  ASSERT_EQ(pfring_set_bpf_filter(r, const_cast<char *>("vlan 100 and udp")), 0);
  send_frames({udp4(1, 2, 7, 8, 10), udp4(1, 2, 7, 8, 10, 100), udp4(1, 2, 7, 8, 10, 101)});
  got = receive(r, 2, 1000);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].bytes, udp4(1, 2, 7, 8, 10, 100));

  ASSERT_EQ(pfring_remove_bpf_filter(r), 0);
  send_frames({tcp4(3, 4, 1, 1)});
  EXPECT_EQ(receive(r, 1).size(), 1u);
  pfring_close(r);
}

TEST_F(PacketModule, DirectionIsDecidedPerPacket) {
  pfring *rx = open_ring("va"), *tx = open_ring("va"), *both = open_ring("va");
  ASSERT_TRUE(rx && tx && both);
  ASSERT_EQ(pfring_set_direction(rx, rx_only_direction), 0);
  ASSERT_EQ(pfring_set_direction(tx, tx_only_direction), 0);
  send_frames({udp4(1, 2, 1, 1, 10)}, "vb");  // arrives on va
  send_frames({udp4(2, 1, 2, 2, 10)}, "va");  // leaves from va
  auto a = receive(rx, 2, 800), b = receive(tx, 2, 800), c = receive(both, 3, 800);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].bytes, udp4(1, 2, 1, 1, 10));
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].bytes, udp4(2, 1, 2, 2, 10));
  EXPECT_EQ(b[0].hdr.extended_hdr.rx_direction, 0);
  EXPECT_EQ(c.size(), 2u);
  pfring_close(rx);
  pfring_close(tx);
  pfring_close(both);
}

// veth has one RX queue: @0 gets everything, a queue beyond the last gets
// nothing (guide 8.3), and outgoing packets are not on any RX queue.
TEST_F(PacketModule, QueueSelectsInTheKernel) {
  pfring *q0 = open_ring("va@0"), *q3 = open_ring("va@3");
  ASSERT_TRUE(q0 && q3);
  EXPECT_EQ(pfring_get_num_rx_channels(q0), 1);
  send_frames({udp4(1, 2, 1, 1, 10), udp4(1, 2, 1, 2, 10)});
  send_frames({udp4(2, 1, 2, 2, 10)}, "va");
  EXPECT_EQ(receive(q0, 3, 800).size(), 2u);
  EXPECT_EQ(receive(q3, 1, 300).size(), 0u);
  pfring_close(q0);
  pfring_close(q3);
}

TEST_F(PacketModule, RoundRobinClusterSplitsEvenly) {
  pfring *a = open_ring("va"), *b = open_ring("va");
  ASSERT_TRUE(a && b);
  ASSERT_EQ(pfring_set_cluster(a, 4242, cluster_round_robin), 0) << last_error(a);
  ASSERT_EQ(pfring_set_cluster(b, 4242, cluster_round_robin), 0) << last_error(b);
  Frames sent;
  for (int i = 0; i < 100; i++) sent.push_back(udp4(1, 2, 9, 9, 10));
  send_frames(sent);
  size_t na = receive(a, 51, 800).size(), nb = receive(b, 51, 800).size();
  EXPECT_EQ(na, 50u);
  EXPECT_EQ(nb, 50u);
  EXPECT_EQ(pfring_remove_from_cluster(a), PF_RING_ERROR_NOT_SUPPORTED);
  EXPECT_NE(last_error(a).find("pfring_close"), std::string::npos) << last_error(a);
  pfring_close(a);
  pfring_close(b);
}

// Each flow, in both directions, reaches one member only; together they get all.
TEST_F(PacketModule, PerFlowClusterKeepsFlowsTogether) {
  pfring *m[2] = {open_ring("va"), open_ring("va")};
  ASSERT_TRUE(m[0] && m[1]);
  for (pfring *r : m) ASSERT_EQ(pfring_set_cluster(r, 7, cluster_per_flow), 0) << last_error(r);
  Frames sent;
  for (int rep = 0; rep < 4; rep++)
    for (int f = 0; f < 32; f++) {
      sent.push_back(udp4(1, static_cast<uint8_t>(2 + f), static_cast<uint16_t>(3000 + f), 53, 10));
      sent.push_back(udp4(static_cast<uint8_t>(2 + f), 1, 53, static_cast<uint16_t>(3000 + f), 10));
    }
  send_frames(sent);
  std::map<int, std::set<int>> members_of_flow;
  size_t total = 0;
  for (int i = 0; i < 2; i++) {
    auto got = receive(m[i], sent.size() + 1, 800);
    total += got.size();
    for (auto &g : got) {
      int hi = std::max(g.bytes[29], g.bytes[33]);  // the host that is not 10.0.0.1
      members_of_flow[hi].insert(i);
    }
  }
  EXPECT_EQ(total, sent.size());
  EXPECT_EQ(members_of_flow.size(), 32u);
  std::set<int> used;
  for (auto &[flow, members] : members_of_flow) {
    EXPECT_EQ(members.size(), 1u) << "flow to 10.0.0." << flow << " split across members";
    used.insert(*members.begin());
  }
  EXPECT_EQ(used.size(), 2u) << "32 flows all on one member";
  pfring_close(m[0]);
  pfring_close(m[1]);
}

TEST_F(PacketModule, ClusterTypesTheKernelCannotDoAreRefused) {
  pfring *r = open_ring("va");
  ASSERT_NE(r, nullptr);
  for (cluster_type t : {cluster_per_flow_2_tuple, cluster_per_flow_4_tuple, cluster_per_flow_tcp_5_tuple,
                         cluster_per_inner_flow, cluster_per_inner_flow_5_tuple}) {
    EXPECT_EQ(pfring_set_cluster(r, 1, t), PF_RING_ERROR_NOT_SUPPORTED) << t;
    EXPECT_NE(last_error(r).find("AF_PACKET"), std::string::npos) << last_error(r);
  }
  EXPECT_EQ(pfring_set_cluster(r, 70000, cluster_per_flow), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(last_error(r).find("16 bits"), std::string::npos) << last_error(r);
  ASSERT_EQ(pfring_set_cluster(r, 3, cluster_per_flow_5_tuple), 0);
  EXPECT_EQ(pfring_set_cluster(r, 4, cluster_per_flow), PF_RING_ERROR_INVALID_STATUS);
  // A group keeps its type: another type on the same id is refused by the kernel.
  pfring *o = open_ring("va");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(pfring_set_cluster(o, 3, cluster_round_robin), PF_RING_ERROR_INVALID_ARGUMENT);
  pfring_close(o);
  pfring_close(r);
}

TEST_F(PacketModule, RulesAndSamplingApplyToLiveTraffic) {
  pfring *r = open_ring("va");
  ASSERT_NE(r, nullptr);
  filtering_rule rule = {};
  rule.rule_id = 5;
  rule.rule_action = forward_packet_and_stop_rule_evaluation;
  rule.core_fields.proto = 17;
  rule.core_fields.dport_low = rule.core_fields.dport_high = 53;
  ASSERT_EQ(pfring_add_filtering_rule(r, &rule), 0);
  ASSERT_EQ(pfring_toggle_filtering_policy(r, 0), 0);
  ASSERT_EQ(pfring_set_sampling_rate(r, 3), 0);
  Frames sent;
  for (int i = 0; i < 90; i++) sent.push_back(udp4(1, 2, 9, static_cast<uint16_t>(i % 2 ? 53 : 54), 10));
  send_frames(sent);
  auto got = receive(r, 16, 1000);
  EXPECT_EQ(got.size(), 15u);  // 45 to port 53, one in three
  for (auto &g : got) EXPECT_EQ(g.bytes, udp4(1, 2, 9, 53, 10));
  pfring_close(r);
}

TEST_F(PacketModule, SendArrivesByteIdenticalOnThePeer) {
  std::string file = "/tmp/" + ns_ + ".pcap";
  // tcpdump is the judge: it captures on va while the ring sends on vb.
  // It says "listening on" once capturing; `timeout` bounds it.
  std::string cmd = "ip netns exec " + ns_ + " timeout 10 tcpdump -n -U -i va -c 3 -w " + file + " 2>&1";
  FILE *td = popen(cmd.c_str(), "r");
  ASSERT_NE(td, nullptr);
  char line[512];
  bool listening = false;
  while (!listening && fgets(line, sizeof(line), td)) listening = strstr(line, "listening on") != nullptr;
  ASSERT_TRUE(listening);
  pfring *tx = open_ring("vb");
  ASSERT_NE(tx, nullptr);
  EXPECT_EQ(pfring_set_socket_mode(tx, send_only_mode), 0);
  Frames frames = {udp4(9, 8, 1, 2, 100), udp4(9, 8, 1, 2, 1400, 12), tcp4(9, 8, 3, 4)};
  for (auto &f : frames) EXPECT_EQ(pfring_send(tx, f.data(), static_cast<u_int>(f.size()), 1), int(f.size()));
  while (fgets(line, sizeof(line), td)) {
  }
  EXPECT_EQ(pclose(td), 0) << "tcpdump did not see 3 packets";
  char eb[PCAP_ERRBUF_SIZE];
  pcap_t *pc = pcap_open_offline(file.c_str(), eb);
  ASSERT_NE(pc, nullptr) << eb;
  struct pcap_pkthdr *h;
  const u_char *d;
  for (size_t i = 0; i < frames.size(); i++) {
    ASSERT_EQ(pcap_next_ex(pc, &h, &d), 1) << i;
    EXPECT_EQ(std::vector<uint8_t>(d, d + h->caplen), frames[i]) << i;
  }
  pcap_close(pc);
  unlink(file.c_str());
  pfring_close(tx);
}

TEST_F(PacketModule, IdentityOfTheBoundDevice) {
  pfring *r = open_ring("va");
  ASSERT_NE(r, nullptr);
  int id = -1;
  ASSERT_EQ(pfring_get_bound_device_id(r, &id), 0);
  EXPECT_EQ(id, va_index_);
  uint8_t mac[6];
  ASSERT_EQ(pfring_get_bound_device_address(r, mac), 0);
  char want[32];
  snprintf(want, sizeof(want), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
  // The judge is iproute2.
  std::string cmd = "ip -n " + ns_ + " link show va | grep -q 'link/ether " + want + " '";
  EXPECT_EQ(pfr_test::sh(cmd), 0) << want;
  EXPECT_GE(pfring_get_selectable_fd(r), 0);
  bool va = false, any = false;
  pfring_if_t *list = pfring_findalldevs();
  for (pfring_if_t *e = list; e; e = e->next) {
    if (std::string(e->module) != "packet") continue;
    if (std::string(e->name) == "va") va = e->ifindex == va_index_ && memcmp(e->mac, mac, 6) == 0;
    if (std::string(e->name) == "any") any = e->ifindex == 0;
  }
  pfring_freealldevs(list);
  EXPECT_TRUE(va);
  EXPECT_TRUE(any);
  pfring_close(r);
}

TEST_F(PacketModule, AnySeesEveryInterfaceWithItsIndex) {
  pfring *r = open_ring("packet:any");
  ASSERT_NE(r, nullptr);
  send_frames({udp4(1, 2, 1, 1, 10)});  // out of vb, into va
  auto got = receive(r, 3, 800);
  ASSERT_EQ(got.size(), 2u);
  std::set<int> idx = {got[0].hdr.extended_hdr.if_index, got[1].hdr.extended_hdr.if_index};
  EXPECT_EQ(idx, (std::set<int>{va_index_, vb_index_}));
  for (auto &g : got) EXPECT_EQ(g.bytes, udp4(1, 2, 1, 1, 10));
  uint8_t mac[6];
  EXPECT_EQ(pfring_get_bound_device_address(r, mac), PF_RING_ERROR_NOT_SUPPORTED);
  EXPECT_EQ(pfring_send(r, got[0].bytes.data(), 60, 1), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_GT(pfring_send_ifindex(r, got[0].bytes.data(), static_cast<u_int>(got[0].bytes.size()), 1, vb_index_), 0);
  pfring_close(r);
}

TEST_F(PacketModule, MissingDeviceIsNamed) {
  errno = 0;
  EXPECT_EQ(pfring_open("pfr_nodev0", 1536, 0), nullptr);
  EXPECT_EQ(errno, ENODEV);
  EXPECT_NE(last_error(nullptr).find("'pfr_nodev0'"), std::string::npos) << last_error(nullptr);
  errno = 0;
  EXPECT_EQ(pfring_open("packet:any@1", 1536, 0), nullptr);
  EXPECT_EQ(errno, EINVAL);
}

TEST_F(PacketModule, WithoutPrivilegesTheErrorSaysWhatIsNeeded) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Child: drop root (capabilities go with it), then try.
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(10);
    errno = 0;
    pfring *r = pfring_open("va", 1536, 0);
    char b[256];
    pfring_get_last_error(nullptr, b, sizeof(b));
    _exit(r == nullptr && errno == EPERM && strstr(b, "needs CAP_NET_RAW") && strstr(b, "va") ? 0 : 11);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// ---- the socket filter program alone ----------------------------------------------------------------

using pfr::packet::FilterInsn;

TEST(PacketSocketFilter, WithoutUserProgramOnlyCaplen) {
  auto p = pfr::packet::socket_filter(-1, false, 128, nullptr);
  ASSERT_EQ(p.size(), 5u);
  EXPECT_EQ(p[0].code, BPF_LD | BPF_W | BPF_ABS);
  EXPECT_EQ(p[0].k, static_cast<uint32_t>(SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT));
  EXPECT_EQ(p[1].jt, 2);  // no tag out: to the body
  EXPECT_EQ(p[2].code, BPF_RET | BPF_K);
  EXPECT_EQ(p[2].k, 128u);
  EXPECT_EQ(p[3].k, 0u);
  EXPECT_EQ(p[4].k, 128u);
}

// A program compiled for the live device judges tagged frames too: no
// VLAN check in front of it; the queue checks still fall to DROP and
// their success jumps over it.
TEST(PacketSocketFilter, LiveProgramHasNoVlanBypass) {
  std::vector<FilterInsn> user = {{BPF_RET | BPF_K, 0, 0, 64}};
  auto p = pfr::packet::socket_filter(-1, false, 64, &user, false);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].code, BPF_JMP | BPF_JA);
  EXPECT_EQ(p[0].k, 1u);
  EXPECT_EQ(p[1].code, BPF_RET | BPF_K);
  EXPECT_EQ(p[1].k, 0u);
  EXPECT_EQ(p[2].k, 64u);
  for (size_t i = 0; i < p.size(); i++) EXPECT_NE(p[i].k, static_cast<uint32_t>(SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT));
  p = pfr::packet::socket_filter(2, false, 64, &user, false);
  size_t drop = p.size() - 2;
  ASSERT_EQ(p[drop].code, BPF_RET | BPF_K);
  ASSERT_EQ(p[drop].k, 0u);
  EXPECT_EQ(p[drop - 1].code, BPF_JMP | BPF_JA);
  EXPECT_EQ(1 + 1 + p[1].jt, drop);  // outgoing
  EXPECT_EQ(drop - 2 + 1 + p[drop - 2].jf, drop);  // wrong queue
}

TEST(PacketSocketFilter, QueueChecksJumpToDrop) {
  for (int q : {0, 5}) {
    auto p = pfr::packet::socket_filter(q, false, 64, nullptr);
    size_t drop = p.size() - 2;
    ASSERT_EQ(p[drop].code, BPF_RET | BPF_K);
    ASSERT_EQ(p[drop].k, 0u);
    // Every conditional jump lands inside the program; the outgoing check and
    // the last queue check fall to DROP.
    for (size_t i = 0; i < p.size(); i++)
      if (BPF_CLASS(p[i].code) == BPF_JMP) {
        EXPECT_LT(i + 1 + p[i].jt, p.size());
        EXPECT_LT(i + 1 + p[i].jf, p.size());
      }
    EXPECT_EQ(p[1].k, static_cast<uint32_t>(PACKET_OUTGOING));
    EXPECT_EQ(1 + 1 + p[1].jt, drop);
    size_t last_queue = drop - 4;
    EXPECT_EQ(p[last_queue].k, static_cast<uint32_t>(q + 1));
    EXPECT_EQ(last_queue + 1 + p[last_queue].jf, drop);
  }
  EXPECT_EQ(pfr::packet::socket_filter(3, true, 64, nullptr).size(), 1u);
}

TEST(PacketSocketFilter, UserProgramFollowsUnchangedAndSizeIsBounded) {
  std::vector<FilterInsn> user = {{BPF_LD | BPF_H | BPF_ABS, 0, 0, 12}, {BPF_RET | BPF_K, 0, 0, 64}};
  auto p = pfr::packet::socket_filter(-1, false, 64, &user);
  ASSERT_EQ(p.size(), 6u);
  EXPECT_EQ(p[4].k, 12u);
  EXPECT_EQ(p[5].k, 64u);
  std::vector<FilterInsn> huge(BPF_MAXINSNS, FilterInsn{BPF_RET | BPF_K, 0, 0, 1});
  EXPECT_TRUE(pfr::packet::socket_filter(-1, false, 64, &huge).empty());
}

TEST(PacketFanout, TypesAndGroups) {
  std::string why;
  EXPECT_EQ(pfr::packet::fanout_mode(cluster_round_robin, why), PACKET_FANOUT_LB);
  EXPECT_EQ(pfr::packet::fanout_mode(cluster_per_flow, why), PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG);
  EXPECT_EQ(pfr::packet::fanout_mode(cluster_per_flow_2_tuple, why), -1);
  EXPECT_FALSE(why.empty());
  EXPECT_EQ(pfr::packet::fanout_group(65535), 65535);
  EXPECT_EQ(pfr::packet::fanout_group(65536), -1);
}

}  // namespace
