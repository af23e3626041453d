// registry_entries.h - the module descriptors registry.cpp lists.
#pragma once

#include "module.h"

namespace pfr {
extern const ModuleInfo kPcapModule;
extern const ModuleInfo kSimModule;
extern const ModuleInfo kPacketModule;
extern const ModuleInfo kKernelModule;
extern const ModuleInfo kUserspaceModule;
extern const ModuleInfo kMultiModule;
extern const ModuleInfo kDnaClusterModule;
extern const ModuleInfo kDnaModule;
}  // namespace pfr
