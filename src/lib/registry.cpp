// registry.cpp - the module table: adding a module is one line here plus
// its descriptor in modules/registry_entries.h (DESIGN.md decision 3).
#include "module.h"
#include "modules/registry_entries.h"

namespace pfr {

const std::vector<const ModuleInfo *> &all_modules() {
  static const std::vector<const ModuleInfo *> modules = {
      &kPcapModule,
      &kSimModule,
  };
  return modules;
}

const ModuleInfo *find_module(const std::string &name) {
  for (const ModuleInfo *m : all_modules())
    if (name == m->name) return m;
  return nullptr;
}

// Plain names go to "kernel" when /proc/net/pf_ring exists and to "packet"
// otherwise (DESIGN.md decision 3); neither module exists yet.
const ModuleInfo *default_module() { return nullptr; }

}  // namespace pfr
