// test_core_numparse.cpp - src/core/numparse.h, the decimal parser every
// option value goes through: digits only, bounded, no overflow.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

extern "C" {
#include "numparse.h"
}

namespace {

int parse(const char *s, uint64_t max, uint64_t *out) {
  return pfc_parse_decimal(s, std::strlen(s), max, out);
}

TEST(CoreNumparse, AcceptsDigitsUpToMax) {
  uint64_t v = 0;
  EXPECT_EQ(parse("0", 10, &v), 0);
  EXPECT_EQ(v, 0u);
  EXPECT_EQ(parse("4096", 65536, &v), 0);
  EXPECT_EQ(v, 4096u);
  EXPECT_EQ(parse("65536", 65536, &v), 0);
  EXPECT_EQ(parse("18446744073709551615", UINT64_MAX, &v), 0);
  EXPECT_EQ(v, UINT64_MAX);
}

TEST(CoreNumparse, RefusesEverythingElse) {
  uint64_t v = 7;
  for (const char *bad : {"", "-1", "+1", " 1", "1 ", "0x10", "1e3", "12a", "65537", "18446744073709551616",
                          "000000000000000000001"})
    EXPECT_EQ(parse(bad, 65536, &v), -1) << bad;
  EXPECT_EQ(v, 7u);  // untouched on failure
  EXPECT_EQ(pfc_parse_decimal(nullptr, 3, 10, &v), -1);
  EXPECT_EQ(parse("5", 4, &v), -1);
}

}  // namespace
