// pf_ring_ko_client.h - the pieces of the "kernel" module (pf_ring.ko's PF_RING
// socket) that need no pf_ring.ko: which protocol family to open and the
// messages for each way opening, sending or a rule call can fail. Kept
// apart so host unit tests check them (the module itself runs in the QEMU
// guest only).
#pragma once

#include <cstdint>
#include <string>

namespace pfr {
namespace kernel {

// pf_ring.ko's protocol family: its pf_ring_family= parameter when the
// module is loaded (/sys/module/pf_ring/parameters/pf_ring_family), the
// default 27 otherwise. path overrides the sysfs file (tests).
int pf_ring_family(const char *path = nullptr);

// Message for socket(family, ...) failing with errno e for device dev:
// EAFNOSUPPORT / EINVAL = pf_ring.ko not loaded; EPERM / EACCES = no
// CAP_NET_RAW; anything else by name.
std::string socket_error(int e, int family, const std::string &dev);

// "" when pf_ring.ko's ring version equals this libpfring's
// (PFC_RING_VERSION); otherwise a message naming both versions.
std::string version_mismatch(uint32_t kernel_version);

// PF_RING_ERROR_* code for send() failing with errno e on a frame of len
// bytes; err says why (documented errors of pf_ring_kabi.h).
int send_error(int e, unsigned len, const std::string &dev, std::string &err);

// PF_RING_ERROR_* code for a rule/policy/sampling option failing with
// errno e; what names the rule ("rule 7", "hash rule").
int rule_error(int e, const std::string &what, std::string &err);

}  // namespace kernel
}  // namespace pfr
