// device_name.h - parsing of "[module:]device[@queue]" (guide 8.3).
#pragma once

#include <string>

namespace pfr {

struct DeviceName {
  std::string module;  // empty when the name has no "module:" prefix
  std::string device;  // what the module opens (file, interface, ...)
  int queue = -1;      // -1: the whole device
};

// Parses name into out. Returns true, or false with err naming the part
// that is wrong (empty name, empty module, empty device, bad queue).
// The queue suffix is the last '@' followed only by digits; modules whose
// device may contain '@' or ':' (file paths) get the text as is.
// "multi:" names keep the whole list, each member with its own '@queue',
// as the device (queue -1): the multi module parses the members.
bool parse_device_name(const std::string &name, DeviceName &out, std::string &err);

}  // namespace pfr
