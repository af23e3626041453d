// dnacluster_module.cpp - the dnacluster: module (guide 9.1.2): a slave of
// a DNA cluster of this process, dnacluster:ID@K or dnacluster:ID for the
// first free slave. The work is in src/zero/slave.h.
#include <cerrno>
#include <memory>
#include <string>

#include "module.h"
#include "modules/registry_entries.h"
#include "numparse.h"
#include "zero/slave.h"

namespace pfr {

namespace {

std::unique_ptr<Module> open_dnacluster(const OpenArgs &args, int *code, int *errnum, std::string &err) {
  *code = PF_RING_ERROR_INVALID_ARGUMENT;
  *errnum = EINVAL;
  uint64_t id = 0;
  if (pfc_parse_decimal(args.name.device.c_str(), args.name.device.size(), UINT32_MAX, &id) != 0) {
    err = "dnacluster:'" + args.name.device + "': want a cluster id (0..4294967295), then @SLAVE or nothing";
    return nullptr;
  }
  auto m = std::make_unique<zero::ClusterSlave>();
  if (!m->open(static_cast<uint32_t>(id), args.name.queue, args.caplen, code, errnum, err)) return nullptr;
  return m;
}

}  // namespace

const ModuleInfo kDnaClusterModule = {"dnacluster", "a slave of a DNA cluster (libzero) of this process",
                                      open_dnacluster, nullptr};

}  // namespace pfr
