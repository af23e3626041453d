// value_parse.h - the option values the software NIC takes, parsed once for
// both the sim: device name (src/lib/modules/sim/sim_options.cpp) and the pfsim
// testbed file (testbed_config.cpp). Each returns false for a value it does
// not accept; the caller names the key in its message, and kWant* says
// what is accepted.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "link.h"

extern "C" {
#include "rss.h"
}

namespace sim {

// How a source paces the frames it offers.
enum class Rate { kRecorded, kLine, kScaled };

constexpr const char *kWantSpeed = "want 1g, 10g, 25g, 40g or 100g";
constexpr const char *kWantRate = "want recorded, line, top or xN (N >= 1)";
constexpr const char *kWantOnOff = "want on or off";
constexpr const char *kWantRss = "want default, symmetric or a 40-byte key in 80 hex digits";

// Decimal digits only, at most max.
bool parse_uint(const std::string &s, uint64_t max, uint64_t *out);
// 1g, 10g, 25g, 40g, 100g (any case).
bool parse_speed(const std::string &s, LinkSpeed *out);
// recorded | line | top (= line) | xN: recorded gaps divided by N.
bool parse_rate(const std::string &s, Rate *rate, uint32_t *factor);
bool parse_on_off(const std::string &s, bool *out);
// default (Microsoft) | symmetric | 80 hex digits.
bool parse_rss_key(const std::string &s, std::array<uint8_t, PFC_RSS_KEY_LEN> *out);
// aa:bb:cc:dd:ee:ff
bool parse_mac(const std::string &s, uint8_t out[6]);

}  // namespace sim
