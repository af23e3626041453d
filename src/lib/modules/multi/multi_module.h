// multi_module.h - "multi:DEV1;DEV2;...": several devices read as one
// (guide 7.4, "Link Aggregation"). Each member is a whole device name
// with its own module prefix and queue ("multi:pcap:a.pcap;sim:tb:nic0@1");
// a member without a prefix goes to the default module as a plain name
// does. docs/userspace-multi.md tells the rules.
#pragma once

#include <string>
#include <vector>

namespace pfr {

constexpr size_t kMultiMaxMembers = 32;

// Splits the device part of a multi: name at ';'. Returns true with the
// members in order, or false with err naming the problem (an empty
// member, more than kMultiMaxMembers, a member that is itself multi:).
bool split_multi_members(const std::string &device, std::vector<std::string> &out, std::string &err);

}  // namespace pfr
