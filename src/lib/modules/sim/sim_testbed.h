// sim_testbed.h - the sim: module's client of a pfsim testbed
// (sim:NAME:NIC[@QUEUE], or sim:NAME[@QUEUE] for the testbed's first NIC).
#pragma once

#include <memory>
#include <string>

#include "module.h"

namespace pfr {

// True when a testbed called name is running (its shared memory exists).
bool testbed_exists(const std::string &name);

// Opens a client of testbed device "NAME[:NIC][,user=U][,group=G]" on
// queue (-1: all). The testbed's shared memory must be trusted
// (sim/shm_segment.h): this user's, or the user/group the options name.
// On failure nullptr with *code, *errnum and a message naming the
// testbed, the NIC (and those it has), the owner and mode of a segment
// that is not trusted, or what pfsim did not do.
std::unique_ptr<Module> open_testbed_client(const std::string &spec, int queue, int *code, int *errnum,
                                            std::string &err);

}  // namespace pfr
