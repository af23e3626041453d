// sim_testbed.h - the sim: module's client of a pfsim testbed
// (sim:NAME:NIC[@QUEUE], or sim:NAME[@QUEUE] for the testbed's first NIC).
#pragma once

#include <memory>
#include <string>

#include "module.h"

namespace pfr {

// True when a testbed called name is running (its shared memory exists).
bool testbed_exists(const std::string &name);

// Opens a client of testbed spec "NAME[:NIC]" on queue (-1: all). On
// failure nullptr with *code, *errnum and a message naming the testbed,
// the NIC (and those it has) or what pfsim did not do.
std::unique_ptr<Module> open_testbed_client(const std::string &spec, int queue, int *code, int *errnum,
                                            std::string &err);

}  // namespace pfr
