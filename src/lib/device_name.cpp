// device_name.cpp - "[module:]device[@queue]" (guide 8.3).
#include "device_name.h"

#include <cctype>
#include <climits>

namespace pfr {

namespace {

bool is_module_name(const std::string &s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  return true;
}

}  // namespace

bool parse_device_name(const std::string &name, DeviceName &out, std::string &err) {
  out = DeviceName{};
  if (name.empty()) {
    err = "empty device name";
    return false;
  }
  std::string rest = name;
  // "module:" prefix: the text before the first ':' when it looks like a
  // module name. Anything else (e.g. an IPv6-ish or path-like name) is a device.
  auto colon = name.find(':');
  if (colon != std::string::npos) {
    std::string mod = name.substr(0, colon);
    if (colon == 0) {
      err = "device name '" + name + "' has an empty module name before ':'";
      return false;
    }
    if (!is_module_name(mod)) {
      err = "module name '" + mod + "' in '" + name + "' has characters other than letters, digits, '_' and '-'";
      return false;
    }
    out.module = mod;
    rest = name.substr(colon + 1);
  }
  // "multi:DEV1;DEV2..." lists whole device names, each with its own
  // "@queue": the multi module parses them one by one.
  if (out.module == "multi") {
    if (rest.empty()) {
      err = "device part of '" + name + "' is empty";
      return false;
    }
    out.device = rest;
    return true;
  }
  // "@queue" suffix: after the last '@'. A '@' followed by something that is
  // not a plain number is a syntax error, except inside file paths
  // (a '/' after the '@').
  auto at = rest.rfind('@');
  if (at != std::string::npos && rest.find('/', at) == std::string::npos) {
    std::string q = rest.substr(at + 1);
    if (q.empty()) {
      err = "queue after '@' in '" + name + "' is empty";
      return false;
    }
    long v = 0;
    for (char c : q) {
      if (!std::isdigit(static_cast<unsigned char>(c))) {
        err = "queue '" + q + "' in '" + name + "' is not a number";
        return false;
      }
      v = v * 10 + (c - '0');
      if (v > 65535) {
        err = "queue '" + q + "' in '" + name + "' is out of range (0..65535)";
        return false;
      }
    }
    out.queue = static_cast<int>(v);
    rest = rest.substr(0, at);
  }
  if (rest.empty()) {
    err = "device part of '" + name + "' is empty";
    return false;
  }
  out.device = rest;
  return true;
}

}  // namespace pfr
