// fuzz_parse.cpp - libFuzzer target for pfc_parse_pkt (guide 8.14).
//
// For every input: the bytes are copied to an exact-size heap buffer (so
// AddressSanitizer sees a read one byte past caplen), parsed at every level
// 0..6 from a zeroed result, again on top of each result (the l3/l4_offset
// shortcut), and on top of a garbage result whose kept offsets come from the
// input. The parse must agree with the model (tests/model/model_parse.*)
// and pfc_bidir_hash must be symmetric; a failure prints what differs and
// traps.
//
//   build-fuzz/bin/fuzz_parse -dict=tests/fuzz/parse.dict -max_total_time=60 \
//       NEW_CORPUS_DIR build-fuzz/tests/fuzz/fuzz_parse_seeds
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "model_parse.h"
#include "parse.h"

namespace {

struct Core {
  int ret;
  struct pkt_parsing_info p;
  uint32_t flags;
};

void fail(const char* what, int level, const std::string& detail) {
  std::fprintf(stderr, "fuzz_parse: %s at level %d\n%s\n", what, level, detail.c_str());
  __builtin_trap();
}

bool valid_return(int ret, int level) {
  if (ret != 0 && ret != 2 && ret != 3 && ret != 4 && ret != 5) return false;
  return level < 2 ? ret == 0 : ret <= level;
}

void check_same(const char* what, int level, const model::Parsed& want, const Core& got) {
  model::Parsed g = model::from_core(got.p, got.ret, got.flags);
  if (!(want == g)) fail(what, level, model::diff(want, g));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::unique_ptr<uint8_t[]> buf(new uint8_t[size]);
  if (size) std::memcpy(buf.get(), data, size);
  const uint32_t caplen = uint32_t(size);

  Core fresh[7];
  for (int level = 0; level <= 6; level++) {
    Core& c = fresh[level];
    std::memset(&c, 0, sizeof c);
    c.ret = pfc_parse_pkt(buf.get(), caplen, uint8_t(level), &c.p, &c.flags);
    if (!valid_return(c.ret, level)) fail("bad return value", level, std::to_string(c.ret));
    check_same("core and model disagree", level, model::parse(buf.get(), size, level), c);
  }

  // Guide 8.14: continuing from a lower level gives what a fresh parse gives.
  for (int first = 2; first <= 5; first++) {
    for (int second = first; second <= 6; second++) {
      Core c = fresh[first];
      c.ret = pfc_parse_pkt(buf.get(), caplen, uint8_t(second), &c.p, &c.flags);
      check_same("shortcut differs from a fresh parse", second,
                 model::from_core(fresh[second].p, fresh[second].ret, fresh[second].flags), c);
    }
  }

  // pfc_bidir_hash does not change when the two ends swap.
  struct pkt_parsing_info swapped = fresh[5].p;
  std::swap(swapped.ip_src, swapped.ip_dst);
  std::swap(swapped.l4_src_port, swapped.l4_dst_port);
  if (pfc_bidir_hash(&swapped) != pfc_bidir_hash(&fresh[5].p)) fail("asymmetric hash", 5, "");

  // Kept offsets taken from the input: anything goes, but reads stay inside.
  if (size >= 4) {
    Core g;
    std::memset(&g, 0xA5, sizeof g);
    g.p.offset.l3_offset = int16_t(data[0] << 8 | data[1]);
    g.p.offset.l4_offset = int16_t(data[2] << 8 | data[3]);
    for (int level = 0; level <= 6; level++) {
      Core c = g;
      c.ret = pfc_parse_pkt(buf.get(), caplen, uint8_t(level), &c.p, &c.flags);
      if (!valid_return(c.ret, level)) fail("bad return value (kept offsets)", level, std::to_string(c.ret));
    }
  }
  return 0;
}
