// device_options.h - the one parser of device-name options,
// "HEAD,key=value,key=value" (sim:, userspace:, testbed clients): the
// split, the rule that a key is given once, and decimal values
// (src/core/numparse.h, shared with the pfsim testbed file).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

extern "C" {
#include "numparse.h"
}

namespace pfr {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

// Splits "HEAD,key=value,key=value" into head and the pairs, in order.
// Returns true, or false with err naming the item that is not key=value
// or the key given twice (what names the device kind in the message, e.g.
// "sim"); head is set in both cases.
inline bool split_options(const std::string &text, const char *what, std::string &head, KeyValues &kv,
                          std::string &err) {
  kv.clear();
  size_t comma = text.find(',');
  head = text.substr(0, comma);
  while (comma != std::string::npos) {
    size_t next = text.find(',', comma + 1);
    std::string item = text.substr(comma + 1, next == std::string::npos ? std::string::npos : next - comma - 1);
    comma = next;
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      err = std::string(what) + " option '" + item + "' is not key=value";
      return false;
    }
    std::string key = item.substr(0, eq);
    for (const auto &seen : kv)
      if (seen.first == key) {
        err = std::string(what) + " option '" + key + "' given twice ('" + key + "=" + seen.second + "' and '" +
              item + "')";
        return false;
      }
    kv.emplace_back(key, item.substr(eq + 1));
  }
  return true;
}

// A decimal option value of at most max: true with *out, or false.
inline bool parse_option_uint(const std::string &v, uint64_t max, uint64_t *out) {
  return pfc_parse_decimal(v.data(), v.size(), max, out) == 0;
}

}  // namespace pfr
