// prop_core_rss.cpp - RapidCheck properties of the Toeplitz RSS hash
// (src/core/rss.c) against the model (tests/model/model_rss.*):
//  1. table hash == bitwise hash == model, random keys, every input length
//     0..36;
//  2. the symmetric key hashes both directions of a flow alike (IPv4 and
//     IPv6, 2-tuple and 4-tuple), and the table agrees with the model there;
//  3. pfc_rss_input on a random pkt_parsing_info gives the model's tuple,
//     serialised by hand, and so the model's hash; it never writes past the
//     length it returns.
//
// A failure prints the shrunk counterexample and the line to replay it:
// RC_PARAMS="reproduce=..." ./prop_core_rss --gtest_filter=...
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "generators.h"
#include "model_rss.h"

extern "C" {
#include "rss.h"
}

namespace {

// Cheap cases: run more than RapidCheck's default 100 unless RC_PARAMS is
// set (a reproduce= line, CI's own budget), which wins.
const bool kDefaultParams = [] {
  setenv("RC_PARAMS", "max_success=500", 0);
  return true;
}();

// A table per case: 36 KiB, on the heap.
std::unique_ptr<pfc_rss_table> table_for(const std::vector<uint8_t> &key) {
  auto t = std::make_unique<pfc_rss_table>();
  pfc_rss_table_init(t.get(), key.data());
  return t;
}

uint32_t table_hash(const pfc_rss_table &t, const std::vector<uint8_t> &in) {
  return pfc_rss_hash(&t, in.data(), uint32_t(in.size()));
}

RC_GTEST_PROP(RssProp, TableAndBitwiseEqualModelEveryLength, ()) {
  const auto key = *gen::rssKey();
  auto t = table_for(key);
  for (size_t len = 0; len <= PFC_RSS_MAX_INPUT; len++) {
    const auto in = *gen::rssInput(len);
    const uint32_t want = model::toeplitz(key, in);
    RC_ASSERT(table_hash(*t, in) == want);
    RC_ASSERT(pfc_rss_hash_bitwise(key.data(), in.data(), uint32_t(len)) == want);
  }
}

// One random length per case, so a failure shrinks to the shortest input.
RC_GTEST_PROP(RssProp, TableEqualsModelOneInput, ()) {
  const auto key = *gen::rssKey();
  std::vector<size_t> lengths;
  for (size_t len = 0; len <= PFC_RSS_MAX_INPUT; len++) lengths.push_back(len);
  const auto in = *gen::rssInput(*rc::gen::elementOf(lengths));  // uniform at every size
  RC_TAG(in.size() <= 12 ? "<= IPv4 4-tuple" : "IPv6 lengths");
  RC_ASSERT(table_hash(*table_for(key), in) == model::toeplitz(key, in));
}

RC_GTEST_PROP(RssProp, SymmetricKeyHashesBothDirectionsAlike, ()) {
  static const std::unique_ptr<pfc_rss_table> sym =
      table_for(std::vector<uint8_t>(pfc_rss_symmetric_key, pfc_rss_symmetric_key + PFC_RSS_KEY_LEN));
  const auto flow = *gen::rssTuple();
  RC_TAG(flow.ip_version, flow.ports.has_value());
  const auto fwd = model::serialize(flow), rev = model::serialize(model::reversed(flow));
  const uint32_t h = table_hash(*sym, fwd);
  RC_ASSERT(h == table_hash(*sym, rev));
  RC_ASSERT(h == model::toeplitz(std::vector<uint8_t>(pfc_rss_symmetric_key, pfc_rss_symmetric_key + 40), fwd));
  RC_ASSERT(pfc_rss_hash_bitwise(pfc_rss_symmetric_key, rev.data(), uint32_t(rev.size())) == h);
}

RC_GTEST_PROP(RssProp, InputOfParsedPacketMatchesModel, ()) {
  static const std::unique_ptr<pfc_rss_table> def =
      table_for(std::vector<uint8_t>(pfc_rss_default_key, pfc_rss_default_key + PFC_RSS_KEY_LEN));
  const auto pkt = *gen::rssParsed();
  const uint32_t types = *gen::rssHashTypes();

  uint8_t out[PFC_RSS_MAX_INPUT];
  std::memset(out, 0xEE, sizeof(out));
  const uint32_t n = pfc_rss_input(&pkt.info, types, out);
  RC_ASSERT(n <= uint32_t(PFC_RSS_MAX_INPUT));
  for (uint32_t i = n; i < PFC_RSS_MAX_INPUT; i++) RC_ASSERT(out[i] == 0xEE);

  const auto tuple = model::rss_tuple(pkt.info, types);
  const std::vector<uint8_t> want = tuple ? model::serialize(*tuple) : std::vector<uint8_t>{};
  const std::vector<uint8_t> got(out, out + n);
  RC_TAG(n);
  RC_ASSERT(got == want);
  RC_ASSERT(pfc_rss_hash(def.get(), out, n) ==
            model::toeplitz(std::vector<uint8_t>(pfc_rss_default_key, pfc_rss_default_key + 40), want));
}

// The queue the default table gives is the model's, for any queue count.
RC_GTEST_PROP(RssProp, DefaultRetaQueueMatchesModel, (uint32_t hash)) {
  const uint32_t nqueues = *rc::gen::inRange<uint32_t>(1, 257);
  uint8_t reta[PFC_RSS_RETA_SIZE];
  RC_ASSERT(pfc_rss_reta_default(reta, nqueues) == 0);
  const uint32_t q = pfc_rss_queue(reta, hash);
  RC_ASSERT(q < nqueues);
  RC_ASSERT(q == model::reta_queue(model::reta_default(nqueues), hash));
}

}  // namespace
