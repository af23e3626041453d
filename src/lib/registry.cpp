// registry.cpp - the module table: adding a module is one line here plus
// its descriptor in modules/registry_entries.h (DESIGN.md decision 3).
#include <unistd.h>

#include "module.h"
#include "modules/registry_entries.h"

namespace pfr {

const std::vector<const ModuleInfo *> &all_modules() {
  static const std::vector<const ModuleInfo *> modules = {
      &kPcapModule,
      &kSimModule,
      &kPacketModule,
      &kKernelModule,
      &kUserspaceModule,
      &kMultiModule,
      &kDnaClusterModule,
      &kDnaModule,
  };
  return modules;
}

const ModuleInfo *find_module(const std::string &name) {
  for (const ModuleInfo *m : all_modules())
    if (name == m->name) return m;
  return nullptr;
}

// Plain names go to "kernel" when /proc/net/pf_ring exists (pf_ring.ko is
// loaded) and to "packet" otherwise (DESIGN.md decision 3).
const ModuleInfo *default_module() {
  if (access("/proc/net/pf_ring", F_OK) == 0)
    if (const ModuleInfo *kernel = find_module("kernel")) return kernel;
  return &kPacketModule;
}

}  // namespace pfr
