// prop_core_parse.cpp - RapidCheck properties of pfc_parse_pkt (guide 8.14):
//  1. it never reads past caplen, whatever the bytes, level and prior state;
//  2. serialise -> parse returns every generated header field;
//  3. it agrees with the model (tests/model/model_parse.*) on well-formed,
//     mutated and arbitrary packets;
//  plus the consistency of the level argument, of the l3/l4_offset shortcut
//  and of pfc_bidir_hash under swapping the two ends.
//
// A failure prints the shrunk counterexample and the line to replay it:
// RC_PARAMS="reproduce=..." ./prop_core_parse --gtest_filter=...
// A crash (AddressSanitizer stops the process before RapidCheck can shrink)
// replays from the seed printed first: RC_PARAMS="seed=N" ./prop_core_parse
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "generators.h"
#include "model_parse.h"
#include "parse.h"

namespace {

// A parser has many branches: run more cases than RapidCheck's default 100
// unless RC_PARAMS is set (a reproduce= line, CI's own budget), which wins.
const bool kDefaultParams = [] {
  setenv("RC_PARAMS", "max_success=1000", 0);
  return true;
}();

// An exact-size heap copy: AddressSanitizer reports a read even one byte
// past the end (std::vector's capacity could hide it).
class ExactBuffer {
 public:
  explicit ExactBuffer(const pktb::Bytes& b) : n_(b.size()), p_(new uint8_t[b.size()]) {
    std::copy(b.begin(), b.end(), p_.get());
  }
  const uint8_t* data() const { return p_.get(); }
  uint32_t size() const { return uint32_t(n_); }

 private:
  size_t n_;
  std::unique_ptr<uint8_t[]> p_;
};

struct Core {
  int ret = -1;
  struct pkt_parsing_info p;
  uint32_t flags = 0;
  model::Parsed parsed() const { return model::from_core(p, ret, flags); }
};

Core parse_fresh(const ExactBuffer& buf, int level) {
  Core c;
  std::memset(&c.p, 0, sizeof c.p);
  c.ret = pfc_parse_pkt(buf.data(), buf.size(), uint8_t(level), &c.p, &c.flags);
  return c;
}

// Parses again on top of c (the guide 8.14 shortcut).
Core parse_again(const ExactBuffer& buf, Core c, int level) {
  c.ret = pfc_parse_pkt(buf.data(), buf.size(), uint8_t(level), &c.p, &c.flags);
  return c;
}

bool valid_return(int ret, int level) {
  if (ret != 0 && ret != 2 && ret != 3 && ret != 4 && ret != 5) return false;
  return level < 2 ? ret == 0 : ret <= level;
}

void assert_same(const model::Parsed& want, const model::Parsed& got, const std::string& what) {
  std::string d = model::diff(want, got);
  if (!d.empty()) RC_FAIL(what + ":\n" + d);
}

// What a fresh parse must satisfy whatever the bytes.
void assert_sane(const Core& c, int level, uint32_t caplen) {
  RC_ASSERT(valid_return(c.ret, level));
  const struct pkt_offset& o = c.p.offset;
  int n = int(std::min<uint32_t>(caplen, 0x7FFF));
  RC_ASSERT(o.eth_offset == 0);
  RC_ASSERT(o.vlan_offset >= 0 && o.vlan_offset <= n);
  RC_ASSERT(o.l3_offset >= 0 && o.l3_offset <= n);
  RC_ASSERT(o.l4_offset >= 0 && o.l4_offset <= n);
  RC_ASSERT(o.payload_offset >= 0 && o.payload_offset <= n);
  if (c.ret >= 2) RC_ASSERT(o.l3_offset >= 14);
  if (c.ret >= 3) RC_ASSERT(c.p.ip_version == 4 || c.p.ip_version == 6);
  if (o.l4_offset) RC_ASSERT(o.l4_offset >= o.l3_offset + 20);
  if (c.ret >= 4) RC_ASSERT(o.payload_offset > o.l4_offset);
  if (c.ret == 5)
    RC_ASSERT(c.p.tunnel.tunneled_ip_version == 4 || c.p.tunnel.tunneled_ip_version == 6);
}

}  // namespace

// ---------------------------------------------------------------- 1. memory safety

RC_GTEST_PROP(CoreParseProp, NeverReadsPastCaplen, ()) {
  const pktb::Bytes bytes = *gen::arbitraryBytes();
  ExactBuffer buf(bytes);
  for (int level = 0; level <= 6; level++) {
    Core c = parse_fresh(buf, level);
    assert_sane(c, level, buf.size());
    // Pre-filled offsets from that parse, continued at every level.
    for (int again = 0; again <= 6; again++)
      RC_ASSERT(valid_return(parse_again(buf, c, again).ret, again));
    // flags is optional.
    struct pkt_parsing_info p;
    std::memset(&p, 0, sizeof p);
    RC_ASSERT(pfc_parse_pkt(buf.data(), buf.size(), uint8_t(level), &p, nullptr) == c.ret);
  }
  // Garbage in *p: whatever the kept offsets say, reads stay inside.
  pktb::Bytes junk = *rc::gen::container<pktb::Bytes>(sizeof(struct pkt_parsing_info),
                                                       rc::gen::arbitrary<uint8_t>());
  Core g;
  std::memcpy(&g.p, junk.data(), sizeof g.p);
  g.p.offset.l3_offset = *rc::gen::oneOf(rc::gen::just<int16_t>(0), rc::gen::arbitrary<int16_t>(),
                                         rc::gen::inRange<int16_t>(0, int16_t(bytes.size() + 8)));
  g.p.offset.l4_offset = *rc::gen::oneOf(rc::gen::just<int16_t>(0), rc::gen::arbitrary<int16_t>(),
                                         rc::gen::inRange<int16_t>(0, int16_t(bytes.size() + 8)));
  g.flags = *rc::gen::arbitrary<uint32_t>();
  for (int level = 0; level <= 6; level++) {
    Core r = parse_again(buf, g, level);
    RC_ASSERT(valid_return(r.ret, level));
    (void)pfc_bidir_hash(&r.p);
  }
}

// ---------------------------------------------------------------- 2. round trip

RC_GTEST_PROP(CoreParseProp, RoundTripsWellFormedPackets, ()) {
  const gen::Packet pkt = *gen::wellFormedPacket();
  RC_TAG(pkt.fields.level, int(pkt.fields.ip_version));
  ExactBuffer buf(pkt.bytes);
  for (int level = 0; level <= 6; level++)
    assert_same(model::at_level(pkt.fields, level), parse_fresh(buf, level).parsed(),
                "level " + std::to_string(level));
  // Stopping at one level and continuing later gives the same fields.
  for (int first = 2; first <= 5; first++)
    for (int second = first; second <= 5; second++)
      assert_same(model::at_level(pkt.fields, second),
                  parse_again(buf, parse_fresh(buf, first), second).parsed(),
                  "level " + std::to_string(first) + " then " + std::to_string(second));
}

// ---------------------------------------------------------------- 3. model agreement

RC_GTEST_PROP(CoreParseProp, AgreesWithModel, ()) {
  const pktb::Bytes bytes = *rc::gen::weightedOneOf<pktb::Bytes>({
      {2, rc::gen::map(gen::wellFormedPacket(), [](const gen::Packet& p) { return p.bytes; })},
      {3, gen::mutatedPacket()},
      {1, gen::arbitraryBytes()},
  });
  ExactBuffer buf(bytes);
  const int top = model::parse(bytes, 5).level;
  RC_TAG(top);
  for (int level = 0; level <= 6; level++)
    assert_same(model::parse(bytes, level), parse_fresh(buf, level).parsed(),
                "model vs core at level " + std::to_string(level));
}

// ---------------------------------------------------------------- consistency

RC_GTEST_PROP(CoreParseProp, LowerLevelsArePrefixesOfLevel5, ()) {
  const pktb::Bytes bytes = *gen::arbitraryBytes();
  ExactBuffer buf(bytes);
  const model::Parsed full = parse_fresh(buf, 5).parsed();
  for (int level = 0; level <= 6; level++)
    assert_same(model::at_level(full, level), parse_fresh(buf, level).parsed(),
                "level " + std::to_string(level));
}

RC_GTEST_PROP(CoreParseProp, ShortcutEqualsFreshParse, ()) {
  const pktb::Bytes bytes = *rc::gen::oneOf(gen::arbitraryBytes(), gen::mutatedPacket());
  ExactBuffer buf(bytes);
  const int first = *rc::gen::inRange(2, 6);
  const int second = *rc::gen::inRange(first, 6);
  assert_same(parse_fresh(buf, second).parsed(),
              parse_again(buf, parse_fresh(buf, first), second).parsed(),
              "level " + std::to_string(first) + " then " + std::to_string(second));
}

RC_GTEST_PROP(CoreParseProp, BidirHashIsSymmetric, ()) {
  const gen::Packet pkt = *gen::wellFormedPacket();
  ExactBuffer buf(pkt.bytes);
  Core c = parse_fresh(buf, *rc::gen::inRange(2, 6));
  struct pkt_parsing_info swapped = c.p;
  std::swap(swapped.ip_src, swapped.ip_dst);
  std::swap(swapped.l4_src_port, swapped.l4_dst_port);
  RC_ASSERT(pfc_bidir_hash(&c.p) == pfc_bidir_hash(&swapped));
  // Non-IP: only the VLAN id counts.
  if (c.p.ip_version == 0)
    RC_ASSERT(pfc_bidir_hash(&c.p) == (c.p.vlan_id == NO_VLAN ? 0u : uint32_t(c.p.vlan_id)));
}
