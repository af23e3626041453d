// test_device_name.cpp - pfr::parse_device_name: "[module:]device[@queue]"
// (guide 8.3), the accepted forms and, for every error, a message naming
// the wrong part.
#include <gtest/gtest.h>

#include <string>

#include "device_name.h"

namespace {

struct Parsed {
  bool ok;
  pfr::DeviceName n;
  std::string err;
};

Parsed parse(const std::string &s) {
  Parsed p;
  p.ok = pfr::parse_device_name(s, p.n, p.err);
  return p;
}

// ---- accepted names ---------------------------------------------------

struct GoodCase {
  const char *name, *module, *device;
  int queue;
};

const GoodCase kGood[] = {
    {"eth0", "", "eth0", -1},
    {"eth0@0", "", "eth0", 0},
    {"eth1@7", "", "eth1", 7},
    {"pcap:/tmp/a.pcap", "pcap", "/tmp/a.pcap", -1},
    {"pcap:trace.pcap@0", "pcap", "trace.pcap", 0},
    {"pcap:trace.pcap@3", "pcap", "trace.pcap", 3},
    {"pcap:x@65535", "pcap", "x", 65535},
    {"pcap:x@00012", "pcap", "x", 12},
    {"dna:dna0@1", "dna", "dna0", 1},
    // Only the first ':' separates the module; the rest belongs to the device.
    {"dag:dag0:1", "dag", "dag0:1", -1},
    {"pcap:/tmp/a:b.pcap", "pcap", "/tmp/a:b.pcap", -1},
    {"pcap:/tmp/a:b.pcap@2", "pcap", "/tmp/a:b.pcap", 2},
    // An '@' followed by a '/' is part of a path, not a queue.
    {"pcap:/tmp/dir@x/f.pcap", "pcap", "/tmp/dir@x/f.pcap", -1},
    {"pcap:/tmp/dir@1/f.pcap", "pcap", "/tmp/dir@1/f.pcap", -1},
    {"pcap:/tmp/dir@x/f.pcap@4", "pcap", "/tmp/dir@x/f.pcap", 4},
    // The queue is after the last '@'.
    {"pcap:a@b@2", "pcap", "a@b", 2},
    // Module names: letters, digits, '_' and '-'.
    {"my_mod-2:dev", "my_mod-2", "dev", -1},
    {"M0d:dev@9", "M0d", "dev", 9},
    // multi: the members keep their own prefixes and queues.
    {"multi:eth0@1;eth1@2", "multi", "eth0@1;eth1@2", -1},
    {"multi:pcap:a.pcap;sim:tb:nic0@3", "multi", "pcap:a.pcap;sim:tb:nic0@3", -1},
};

TEST(DeviceName, AcceptedForms) {
  for (const GoodCase &c : kGood) {
    SCOPED_TRACE(c.name);
    Parsed p = parse(c.name);
    ASSERT_TRUE(p.ok) << p.err;
    EXPECT_EQ(p.n.module, c.module);
    EXPECT_EQ(p.n.device, c.device);
    EXPECT_EQ(p.n.queue, c.queue);
  }
}

TEST(DeviceName, OutputIsResetBetweenCalls) {
  pfr::DeviceName n;
  std::string err;
  ASSERT_TRUE(pfr::parse_device_name("pcap:f@3", n, err));
  ASSERT_EQ(n.queue, 3);
  ASSERT_TRUE(pfr::parse_device_name("eth0", n, err));
  EXPECT_EQ(n.module, "");
  EXPECT_EQ(n.device, "eth0");
  EXPECT_EQ(n.queue, -1);
}

// ---- errors -------------------------------------------------------------

struct BadCase {
  const char *name;
  std::vector<std::string> must_mention;  // substrings the message must hold
};

const BadCase kBad[] = {
    // empty name
    {"", {"empty device name"}},
    // empty module before ':'
    {":dev", {"empty module", "':dev'"}},
    {":", {"empty module"}},
    // module name with characters other than [A-Za-z0-9_-]
    {"fo o:x", {"module name 'fo o'"}},
    {"pc.ap:x", {"module name 'pc.ap'"}},
    {"/tmp/a:b", {"module name '/tmp/a'"}},
    {"pcap/x:y", {"module name 'pcap/x'"}},
    // empty queue
    {"pcap:f@", {"queue", "empty", "'pcap:f@'"}},
    {"eth0@", {"queue", "empty"}},
    // non-numeric queue
    {"pcap:f@abc", {"queue 'abc'", "not a number"}},
    {"pcap:f@1a", {"queue '1a'", "not a number"}},
    {"pcap:f@-1", {"queue '-1'", "not a number"}},
    {"pcap:f@+1", {"queue '+1'", "not a number"}},
    {"pcap:f@ 1", {"queue ' 1'", "not a number"}},
    {"eth0@x", {"queue 'x'", "not a number"}},
    // queue out of range
    {"pcap:f@65536", {"queue '65536'", "out of range"}},
    {"pcap:f@99999999999999999999999", {"queue '99999999999999999999999'", "out of range"}},
    // empty device
    {"pcap:", {"device part", "empty", "'pcap:'"}},
    {"pcap:@1", {"device part", "empty", "'pcap:@1'"}},
    {"@1", {"device part", "empty"}},
};

TEST(DeviceName, ErrorsNameTheWrongPart) {
  for (const BadCase &c : kBad) {
    SCOPED_TRACE(std::string("name '") + c.name + "'");
    Parsed p = parse(c.name);
    EXPECT_FALSE(p.ok) << "module '" << p.n.module << "' device '" << p.n.device << "' queue " << p.n.queue;
    ASSERT_FALSE(p.err.empty());
    for (const std::string &s : c.must_mention) EXPECT_NE(p.err.find(s), std::string::npos) << p.err;
  }
}

TEST(DeviceName, QueueBoundaries) {
  Parsed p = parse("x@65535");
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.n.queue, 65535);
  EXPECT_FALSE(parse("x@65536").ok);
  p = parse("x@0");
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.n.queue, 0);
}

TEST(DeviceName, LongNames) {
  std::string path = "/" + std::string(3000, 'a') + "/cap.pcap";
  Parsed p = parse("pcap:" + path + "@1");
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_EQ(p.n.device, path);
  EXPECT_EQ(p.n.queue, 1);
}

}  // namespace
