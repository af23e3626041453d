// kernel_util.cpp - see pf_ring_ko_client.h.
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "modules/kernel/pf_ring_ko_client.h"
#include "pfring.h"

extern "C" {
#include "pf_ring_kabi.h"
#include "ring.h"
}

namespace pfr {
namespace kernel {

int pf_ring_family(const char *path) {
  FILE *f = std::fopen(path ? path : "/sys/module/pf_ring/parameters/pf_ring_family", "r");
  if (!f) return PFR_FAMILY_DEFAULT;
  int v = 0;
  int n = std::fscanf(f, "%d", &v);
  std::fclose(f);
  return n == 1 && v > 0 && v < 64 ? v : PFR_FAMILY_DEFAULT;
}

std::string socket_error(int e, int family, const std::string &dev) {
  if (e == EAFNOSUPPORT || e == EINVAL)
    return "pf_ring.ko is not loaded (nothing answers protocol family " + std::to_string(family) +
           "): load it with 'insmod pf_ring.ko', or open 'packet:" + dev + "' to capture through AF_PACKET";
  if (e == EPERM || e == EACCES) return "capturing on " + dev + " through pf_ring.ko needs CAP_NET_RAW (run as root)";
  if (e == ESOCKTNOSUPPORT || e == EPROTONOSUPPORT)
    return "protocol family " + std::to_string(family) + " is not pf_ring.ko's (" + std::strerror(e) + ")";
  return "cannot create a PF_RING socket for " + dev + ": " + std::strerror(e);
}

std::string version_mismatch(uint32_t kernel_version) {
  if (kernel_version == PFC_RING_VERSION) return "";
  return "pf_ring.ko writes ring version " + std::to_string(kernel_version) + " but this libpfring reads version " +
         std::to_string(PFC_RING_VERSION) + ": load the pf_ring.ko built with this libpfring";
}

int send_error(int e, unsigned len, const std::string &dev, std::string &err) {
  std::string frame = "frame of " + std::to_string(len) + " bytes";
  switch (e) {
    case EINVAL:
      err = frame + " is shorter than an Ethernet header";
      return PF_RING_ERROR_INVALID_ARGUMENT;
    case EMSGSIZE:
      err = frame + " is longer than the MTU of '" + dev + "' allows";
      return PF_RING_ERROR_INVALID_ARGUMENT;
    case ENXIO:
      err = "a ring bound to '" + dev + "' cannot send: bind it to one interface";
      return PF_RING_ERROR_INVALID_STATUS;
    case ENETDOWN:
      err = "interface '" + dev + "' is down";
      return PF_RING_ERROR_INVALID_STATUS;
    case ENOBUFS:
    case EAGAIN:
      err = "no room in the transmit queue of '" + dev + "'";
      return PF_RING_ERROR_NO_TX_SLOT_AVAILABLE;
    default:
      err = "cannot send a " + frame + " on '" + dev + "': " + std::strerror(e);
      return PF_RING_ERROR_GENERIC;
  }
}

int rule_error(int e, const std::string &what, std::string &err) {
  switch (e) {
    case EEXIST:
      err = what + ": the id (or 6-tuple) is in use already";
      return PF_RING_ERROR_INVALID_ARGUMENT;
    case ENOENT:
      err = what + ": no such rule, or the plugin it names is not loaded";
      return PF_RING_ERROR_NOT_FOUND;
    case EINVAL:
      err = what + ": pf_ring.ko refused it as invalid";
      return PF_RING_ERROR_INVALID_ARGUMENT;
    case ENODEV:
      err = what + ": its reflector device does not exist";
      return PF_RING_ERROR_INVALID_ARGUMENT;
    case ENOMEM:
      err = what + ": pf_ring.ko is out of memory";
      return PF_RING_ERROR_NOT_ENOUGH_MEMORY;
    case ENOPROTOOPT:
      err = what + ": this pf_ring.ko does not support the call";
      return PF_RING_ERROR_NOT_SUPPORTED;
    default:
      err = what + ": " + std::strerror(e);
      return PF_RING_ERROR_GENERIC;
  }
}

}  // namespace kernel
}  // namespace pfr
