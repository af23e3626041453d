// multi_module.cpp - "multi:DEV1;DEV2;...": the members opened through the
// registry and read in turn (guide 7.4; multi_module.h).
//
// Receive: one burst visits every member that has not ended once, each for
// at most its share of the burst (max / members still live, at least 1),
// starting one member further each time, so a busy member cannot starve
// the others. Packets are in member order, not merged by timestamp (as
// PF_RING's multi module polls its rings in turn). extended_hdr.if_index is
// the member's index in the name (0, 1, ...). The burst ends with end of
// file when every member has ended; an error of a member is reported after
// the packets already gathered, naming the member (like any receive error
// it ends the ring: the handle keeps it).
//
// Send: pfring_send goes to the first member that can transmit;
// pfring_send_ifindex(..., i) to member i.
#include "modules/multi/multi_module.h"

#include <cerrno>

#include "module.h"
#include "modules/module_util.h"
#include "modules/registry_entries.h"

namespace pfr {

bool split_multi_members(const std::string &device, std::vector<std::string> &out, std::string &err) {
  out.clear();
  size_t start = 0;
  for (;;) {
    size_t semi = device.find(';', start);
    std::string m = device.substr(start, semi == std::string::npos ? std::string::npos : semi - start);
    if (m.empty()) {
      err = "member " + std::to_string(out.size()) + " is empty (members are separated by ';')";
      return false;
    }
    if (m.compare(0, 6, "multi:") == 0) {
      err = "member " + std::to_string(out.size()) + " '" + m + "' is a multi: device; multi: does not nest";
      return false;
    }
    out.push_back(m);
    if (out.size() > kMultiMaxMembers) {
      // the reason first: the device name itself may fill the error buffer
      size_t n = 1;
      for (char c : device) n += c == ';';
      err = "more than " + std::to_string(kMultiMaxMembers) + " members (" + std::to_string(n) + " given)";
      return false;
    }
    if (semi == std::string::npos) return true;
    start = semi + 1;
  }
}

namespace {

class MultiDevice : public Module {
 public:
  // Opens every member; false with *code, *errnum and err naming the
  // member that failed (the ones opened before are closed).
  bool open(const OpenArgs &args, int *code, int *errnum, std::string &err) {
    std::vector<std::string> names;
    *code = PF_RING_ERROR_INVALID_ARGUMENT;
    *errnum = EINVAL;
    if (!split_multi_members(args.name.device, names, err)) return false;
    for (size_t i = 0; i < names.size(); i++) {
      *code = PF_RING_ERROR_INVALID_ARGUMENT;  // a member opened before may have left its own
      *errnum = EINVAL;
      Member m;
      m.name = names[i];
      std::string why;
      DeviceName dn;
      auto bad = [&](const std::string &msg) {
        err = "member " + std::to_string(i) + " '" + m.name + "': " + msg;
        return false;
      };
      if (!parse_device_name(m.name, dn, why)) return bad(why);
      m.info = dn.module.empty() ? default_module() : find_module(dn.module);
      if (!m.info) {
        *code = PF_RING_ERROR_UNKNOWN_ADAPTER;
        *errnum = ENODEV;
        std::string known;
        for (const ModuleInfo *mi : all_modules()) known += std::string(known.empty() ? "" : ", ") + mi->name;
        return bad("unknown module '" + dn.module + "' (modules: " + known + ")");
      }
      OpenArgs sub{dn, args.caplen, args.flags};
      m.mod = m.info->open(sub, code, errnum, why);
      if (!m.mod) return bad(std::string(m.info->name) + ": " + why);
      members_.push_back(std::move(m));
    }
    live_ = members_.size();
    return true;
  }

  int recv_burst(RawPacket *out, unsigned max, int timeout_ms, std::string &err) override {
    unsigned n = 0;
    if (!pending_)
      wait_until(timeout_ms, [&] {
        n = gather(out, max);
        return n > 0 || pending_ || live_ == 0;
      });
    if (n > 0) return static_cast<int>(n);
    if (pending_) {
      int rc = pending_;
      err = pending_err_;
      pending_ = 0;  // reported once; the handle keeps it
      return rc;
    }
    return live_ == 0 ? PF_RING_ERROR_END_OF_FILE : 0;
  }

  int poll(int timeout_ms) override {
    bool ready = wait_until(timeout_ms, [&] {
      if (pending_ || live_ == 0) return true;
      for (Member &m : members_)
        if (!m.ended && m.mod->poll(0) != 0) return true;  // a packet, end of file or an error
      return false;
    });
    return ready ? 1 : 0;
  }

  uint64_t dropped() const override {
    uint64_t d = 0;
    for (const Member &m : members_) d += m.mod->dropped();
    return d;
  }

  std::string stats_json() const override {
    std::string s = "{\"members\":[";
    for (size_t i = 0; i < members_.size(); i++) {
      const Member &m = members_[i];
      s += std::string(i ? "," : "") + "{\"index\":" + std::to_string(i) + ",\"device\":\"" + json_escape(m.name) +
           "\",\"module\":\"" + m.info->name + "\",\"packets\":" + std::to_string(m.packets) +
           ",\"ended\":" + (m.ended ? "true" : "false") + ",\"stats\":" + m.mod->stats_json() + "}";
    }
    return s + "]}";
  }

  bool can_transmit() const override {
    for (const Member &m : members_)
      if (m.mod->can_transmit()) return true;
    return false;
  }

  // if_index < 0: the first member that can transmit; else member if_index.
  int send(const uint8_t *pkt, unsigned len, bool flush, int if_index, std::string &err) override {
    size_t i = 0;
    if (if_index < 0) {
      while (i < members_.size() && !members_[i].mod->can_transmit()) i++;
    } else {
      i = static_cast<size_t>(if_index);
      if (i >= members_.size()) {
        err = "interface index " + std::to_string(if_index) + ": this multi: device has members 0.." +
              std::to_string(members_.size() - 1);
        return PF_RING_ERROR_INVALID_ARGUMENT;
      }
    }
    if (i >= members_.size()) {
      err = "no member of this multi: device can transmit";
      return PF_RING_ERROR_NOT_SUPPORTED;
    }
    Member &m = members_[i];
    int rc = m.mod->send(pkt, len, flush, -1, err);
    if (rc < 0) err = member_error(i, err.empty() ? "send failed" : err);
    return rc;
  }

  int enable() override {
    return for_each_member([](Module &m) { return m.enable(); });
  }
  int disable() override {
    return for_each_member([](Module &m) { return m.disable(); });
  }
  // The handle checks the direction in software either way.
  int set_direction(packet_direction dir) override {
    return for_each_member([dir](Module &m) {
      int rc = m.set_direction(dir);
      return rc == PF_RING_ERROR_NOT_SUPPORTED ? 0 : rc;
    });
  }
  int set_socket_mode(socket_mode mode) override {
    return for_each_member([mode](Module &m) {
      // a member that cannot send can still serve a send_only multi device through another one
      if (mode == send_only_mode && !m.can_transmit()) return 0;
      return m.set_socket_mode(mode);
    });
  }

 private:
  struct Member {
    std::string name;
    const ModuleInfo *info = nullptr;
    std::unique_ptr<Module> mod;
    bool ended = false;
    uint64_t packets = 0;
  };

  std::string member_error(size_t i, const std::string &msg) const {
    return "member " + std::to_string(i) + " '" + members_[i].name + "': " + msg;
  }

  // One pass over the live members from next_; see the file comment.
  unsigned gather(RawPacket *out, unsigned max) {
    unsigned n = 0;
    size_t count = members_.size(), start = next_;
    next_ = (next_ + 1) % count;
    for (size_t k = 0; k < count && n < max && !pending_; k++) {
      size_t i = (start + k) % count;
      Member &m = members_[i];
      if (m.ended) continue;
      unsigned share = live_ ? max / static_cast<unsigned>(live_) : max;
      if (share == 0) share = 1;
      if (share > max - n) share = max - n;
      std::string why;
      int rc = m.mod->recv_burst(out + n, share, 0, why);
      if (rc == PF_RING_ERROR_END_OF_FILE) {
        m.ended = true;
        live_--;
      } else if (rc < 0) {
        m.ended = true;  // not read again; the error is reported once
        live_--;
        pending_ = rc;
        pending_err_ = member_error(i, why.empty() ? "receive failed" : why);
      } else {
        for (int j = 0; j < rc; j++) out[n + j].hdr.extended_hdr.if_index = static_cast<int32_t>(i);
        m.packets += static_cast<uint64_t>(rc);
        n += static_cast<unsigned>(rc);
      }
    }
    return n;
  }

  // Applies f to every member; the first negative result (the others are
  // still applied), or 0.
  template <class F>
  int for_each_member(F f) {
    int first = 0;
    for (Member &m : members_) {
      int rc = f(*m.mod);
      if (rc < 0 && first == 0) first = rc;
    }
    return first;
  }

  std::vector<Member> members_;
  size_t live_ = 0;  // members not ended
  size_t next_ = 0;  // member the next burst starts with
  int pending_ = 0;  // a member's error, reported after the packets gathered with it
  std::string pending_err_;
};

std::unique_ptr<Module> open_multi(const OpenArgs &args, int *code, int *errnum, std::string &err) {
  auto m = std::make_unique<MultiDevice>();
  if (!m->open(args, code, errnum, err)) return nullptr;
  return m;
}

void list_multi(std::vector<DeviceInfo> &out) {
  DeviceInfo d;
  d.name = "multi:<dev1>;<dev2>[;...]";
  d.description = "several devices (each with its own module: prefix and @queue) read as one, in turn";
  out.push_back(d);
}

}  // namespace

const ModuleInfo kMultiModule = {"multi", "several devices aggregated into one ring", open_multi, list_multi};

}  // namespace pfr
