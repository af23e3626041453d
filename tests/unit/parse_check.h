// parse_check.h - runs pfc_parse_pkt the way the parser tests want it: on an
// exact-size heap copy (so AddressSanitizer reports any read past caplen)
// and side by side with the model, whose disagreement is a test failure.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "model_parse.h"
#include "parse.h"
#include "pkt_builder.h"

namespace parse_check {

struct Result {
  int ret = -1;
  struct pkt_parsing_info p;
  uint32_t flags = 0;
};

// Parses the first caplen bytes of pkt (all of it by default) into a
// zeroed pkt_parsing_info, and checks the model agrees.
inline Result parse(const pktb::Bytes& pkt, int level, size_t caplen = SIZE_MAX) {
  size_t n = std::min(caplen, pkt.size());
  // Exactly n bytes (capacity == size), so ASan reports any read past them.
  std::vector<uint8_t> buf(pkt.begin(), pkt.begin() + long(n));
  Result r;
  std::memset(&r.p, 0, sizeof r.p);
  r.ret = pfc_parse_pkt(buf.data(), uint32_t(n), uint8_t(level), &r.p, &r.flags);
  model::Parsed expected = model::parse(buf.data(), n, level);
  EXPECT_EQ(model::diff(expected, model::from_core(r.p, r.ret, r.flags)), "")
      << "core and model disagree at level " << level << ", caplen " << n;
  return r;
}

// The same packet parsed again on top of an existing result (the guide 8.14
// shortcut), without a model check.
inline int reparse(const pktb::Bytes& pkt, int level, Result& r) {
  std::unique_ptr<uint8_t[]> buf(new uint8_t[pkt.size()]);
  std::copy(pkt.begin(), pkt.end(), buf.get());
  r.ret = pfc_parse_pkt(buf.get(), uint32_t(pkt.size()), uint8_t(level), &r.p, &r.flags);
  return r.ret;
}

inline pktb::Ip6 v6_of(const ip_addr& a) {
  pktb::Ip6 r;
  std::copy(a.v6.s6_addr, a.v6.s6_addr + 16, r.begin());
  return r;
}

}  // namespace parse_check
