// test_sim_testbed_config.cpp - the pfsim testbed file (sim/testbed_config.h):
// every statement and key, the defaults, and an error naming the line for
// each kind of mistake.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "nic.h"
#include "testbed_config.h"

namespace {

sim::TestbedConfig parse_ok(const std::string &text) {
  sim::TestbedConfig c;
  std::string err;
  EXPECT_TRUE(sim::parse_testbed(text, c, err)) << err;
  return c;
}

std::string parse_err(const std::string &text) {
  sim::TestbedConfig c;
  std::string err;
  EXPECT_FALSE(sim::parse_testbed(text, c, err)) << text;
  return err;
}

TEST(TestbedConfig, EveryStatementAndKey) {
  sim::TestbedConfig c = parse_ok(
      "# comment line\n"
      "testbed ring=1024 slot=4096   # trailing comment\n"
      "nic in queues=4 speed=25g rss=symmetric fc=off mac=02:aa:bb:cc:dd:ee\n"
      "nic out ring=64 consumer_ns=700\n"
      "nic gen\n"
      "source in pcap=/tmp/x.pcap rate=x10 loops=3 wait_for=2 then=idle pace=wall\n"
      "source gen synthetic count=500 len=128 flows=7\n"
      "wire gen in\n"
      "sink out /tmp/out.pcap\n");
  EXPECT_EQ(c.ring_slots, 1024u);
  EXPECT_EQ(c.slot_size, 4096u);
  ASSERT_EQ(c.nics.size(), 3u);
  EXPECT_EQ(c.nics[0].name, "in");
  EXPECT_EQ(c.nics[0].queues, 4u);
  EXPECT_EQ(c.nics[0].speed, sim::LinkSpeed::k25G);
  EXPECT_EQ(c.nics[0].rss_key, sim::symmetric_rss_key());
  EXPECT_FALSE(c.nics[0].flow_control);
  EXPECT_EQ(c.nics[0].mac[1], 0xaa);
  EXPECT_EQ(c.nics[0].mac[5], 0xee);
  EXPECT_FALSE(c.nics[0].modelled);  // the client processes consume
  EXPECT_EQ(c.nics[0].descriptors, 512u);
  EXPECT_TRUE(c.nics[1].modelled);
  EXPECT_EQ(c.nics[1].consumer_ns, 700u);
  EXPECT_EQ(c.nics[1].descriptors, 64u);
  ASSERT_EQ(c.sources.size(), 2u);
  const sim::TbSourceConfig &s = c.sources[0];
  EXPECT_EQ(s.nic, 0u);
  EXPECT_EQ(s.path, "/tmp/x.pcap");
  EXPECT_EQ(s.rate, sim::Rate::kScaled);
  EXPECT_EQ(s.rate_factor, 10u);
  EXPECT_EQ(s.loops, 3u);
  EXPECT_EQ(s.wait_for, 2u);
  EXPECT_FALSE(s.end_after);
  EXPECT_TRUE(s.pace_wall);
  const sim::TbSourceConfig &g = c.sources[1];
  EXPECT_TRUE(g.synthetic);
  EXPECT_EQ(g.nic, 2u);
  EXPECT_EQ(g.count, 500u);
  EXPECT_EQ(g.len, 128u);
  EXPECT_EQ(g.flows, 7u);
  EXPECT_EQ(g.rate, sim::Rate::kLine);
  EXPECT_EQ(c.peer, (std::vector<int>{2, -1, 0}));
  EXPECT_EQ(c.sink[1], "/tmp/out.pcap");
}

TEST(TestbedConfig, Defaults) {
  sim::TestbedConfig c = parse_ok("nic a\nnic b\n");
  EXPECT_EQ(c.ring_slots, 4096u);
  EXPECT_EQ(c.slot_size, 2048u);
  EXPECT_EQ(c.nics[0].queues, 1u);
  EXPECT_EQ(c.nics[0].speed, sim::LinkSpeed::k10G);
  EXPECT_TRUE(c.nics[0].flow_control);
  EXPECT_EQ(c.nics[0].rss_key, sim::microsoft_rss_key());
  EXPECT_NE(std::memcmp(c.nics[0].mac, c.nics[1].mac, 6), 0);  // distinct MACs
  EXPECT_EQ(c.peer, (std::vector<int>{-1, -1}));
}

TEST(TestbedConfig, ErrorsNameTheLineAndTheMistake) {
  EXPECT_EQ(parse_err(""), "the testbed has no nic");
  EXPECT_EQ(parse_err("nic a\n\nnic a\n"), "line 3: nic 'a' is defined twice");
  EXPECT_EQ(parse_err("nic a queues=65\n"), "line 1: queues='65': want 1..64");
  EXPECT_EQ(parse_err("nic a speed=3g\n"), "line 1: speed='3g': want 1g, 10g, 25g, 40g or 100g");
  EXPECT_EQ(parse_err("nic a/b\n"), "line 1: nic name 'a/b': want 1..31 of A-Z a-z 0-9 _ -");
  EXPECT_EQ(parse_err("nic a colour=red\n"), "line 1: unknown nic key 'colour' (queues, speed, rss, fc, mac, ring, consumer_ns)");
  EXPECT_EQ(parse_err("nic a ring=48\n"), "line 1: ring='48': want a power of two in 1..65536");
  EXPECT_EQ(parse_err("nic a ring=0\n"), "line 1: ring='0': want 1..65536");
  EXPECT_EQ(parse_err("nic a consumer_ns=-1\n"), "line 1: consumer_ns='-1': want 0..1000000000000");
  EXPECT_EQ(parse_err("nic a mac=02:00:00:00:00\n"), "line 1: mac='02:00:00:00:00': want aa:bb:cc:dd:ee:ff");
  EXPECT_EQ(parse_err("testbed ring=1000\nnic a\n"), "line 1: ring='1000': want a power of two");
  EXPECT_EQ(parse_err("nic a\nsource a\n"), "line 2: source needs a nic and pcap=PATH or synthetic");
  EXPECT_EQ(parse_err("nic a\nsource a rate=line\n"), "line 2: source needs pcap=PATH or synthetic");
  EXPECT_EQ(parse_err("nic a\nsource a synthetic loops=2\n"),
            "line 2: unknown synthetic source key 'loops' (count, len, flows, rate, wait_for, then, pace)");
  EXPECT_EQ(parse_err("nic a\nsource a pcap=x\nsource a synthetic\n"), "line 3: nic 'a' already has a source");
  EXPECT_EQ(parse_err("nic a\nnic b\nnic c\nwire a b\nwire b c\n"), "line 5: nic 'b' is already wired");
  EXPECT_EQ(parse_err("nic a\nsink a x.pcap\nwire a a\n"), "line 3: wire from nic 'a' to itself");
  EXPECT_EQ(parse_err("nic a\nsink b x.pcap\n"), "line 2: sink on unknown nic 'b'");
  EXPECT_EQ(parse_err("nic a\nnic b\nsink a x.pcap\nwire a b\n"), "line 4: nic 'a' is already wired");
  // What the engine would refuse is refused with the nic's line (pfsim
  // once crashed on this one: fc is on by default and needs D >= 2).
  EXPECT_EQ(parse_err("nic a consumer_ns=100 ring=1\n"),
            "line 1: nic 'a': flow control needs 1 <= xoff_free <= xon_free < descriptors (got xoff 1, xon 1, "
            "descriptors 1)");
  EXPECT_EQ(parse_err("nic b\nnic a ring=1 consumer_ns=5\ntestbed slot=128\n").substr(0, 14), "line 2: nic 'a");
  parse_ok("nic a consumer_ns=100 ring=1 fc=off\n");
  // A NUL byte never reaches a path (it would cut it).
  EXPECT_EQ(parse_err(std::string("nic a\nsink a /tmp/x.pcap\0.evil\n", 31)),
            "line 2: a NUL byte (paths and names cannot hold one)");
  EXPECT_EQ(parse_err(std::string("nic a\nsource a pcap=in\0x.pcap\n", 30)),
            "line 2: a NUL byte (paths and names cannot hold one)");
  EXPECT_EQ(parse_err("nic a\nlink a b\n"), "line 2: unknown statement 'link' (testbed, nic, source, wire, sink)");
  std::string many;
  for (int i = 0; i < 9; i++) many += "nic n" + std::to_string(i) + "\n";
  EXPECT_EQ(parse_err(many), "line 9: at most 8 nics");
}

TEST(TestbedConfig, KeysAndTestbedLinesGivenTwiceAreRefused) {
  EXPECT_EQ(parse_err("nic a queues=4 queues=8\n"), "line 1: key 'queues' given twice");
  EXPECT_EQ(parse_err("testbed ring=64\ntestbed slot=256\nnic a\n"),
            "line 2: a second testbed line (give ring and slot on one)");
  EXPECT_EQ(parse_err("testbed ring=64 ring=128\nnic a\n"), "line 1: key 'ring' given twice");
  EXPECT_EQ(parse_err("nic a\nsource a pcap=x rate=line rate=top\n"), "line 2: key 'rate' given twice");
}

TEST(TestbedConfig, ControlBytesOfABadFileAreEscapedInTheMessage) {
  std::string text = std::string("nic a\nfr\x1b[2J\x7fob\xff\n", 17);
  std::string err = parse_err(text);
  EXPECT_EQ(err, "line 2: unknown statement 'fr\\x1b[2J\\x7fob\\xff' (testbed, nic, source, wire, sink)");
  for (char c : err) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << int(c);
}

}  // namespace
