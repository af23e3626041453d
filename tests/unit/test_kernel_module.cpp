// test_kernel_module.cpp - the host side of the "kernel" module (pf_ring.ko
// socket): the protocol family it picks, its error messages, and opening it
// where pf_ring.ko is not loaded (this host never loads kernel modules; the
// module itself is exercised in the QEMU guest, vm/scenarios/kmod-tools).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "modules/kernel/pf_ring_ko_client.h"
#include "pfring.h"

extern "C" {
#include "pf_ring_kabi.h"
#include "ring.h"
}

namespace {

using pfr::kernel::pf_ring_family;

std::string write_temp(const std::string &text) {
  char path[] = "/tmp/pfr_family_XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  return path;
}

TEST(KernelModule, FamilyComesFromTheModuleParameter) {
  std::string p = write_temp("31\n");
  EXPECT_EQ(pf_ring_family(p.c_str()), 31);
  unlink(p.c_str());
  p = write_temp("garbage");
  EXPECT_EQ(pf_ring_family(p.c_str()), PFR_FAMILY_DEFAULT);
  unlink(p.c_str());
  p = write_temp("4096");  // out of range: not a family number
  EXPECT_EQ(pf_ring_family(p.c_str()), PFR_FAMILY_DEFAULT);
  unlink(p.c_str());
  EXPECT_EQ(pf_ring_family("/nonexistent/pf_ring_family"), PFR_FAMILY_DEFAULT);
}

TEST(KernelModule, VersionMismatchNamesBothVersions) {
  EXPECT_EQ(pfr::kernel::version_mismatch(PFC_RING_VERSION), "");
  std::string m = pfr::kernel::version_mismatch(PFC_RING_VERSION + 6);
  EXPECT_NE(m.find("version " + std::to_string(PFC_RING_VERSION + 6)), std::string::npos) << m;
  EXPECT_NE(m.find("version " + std::to_string(PFC_RING_VERSION)), std::string::npos) << m;
}

TEST(KernelModule, SocketErrorsSayWhatIsMissing) {
  EXPECT_NE(pfr::kernel::socket_error(EAFNOSUPPORT, 27, "eth1").find("pf_ring.ko is not loaded"), std::string::npos);
  EXPECT_NE(pfr::kernel::socket_error(EAFNOSUPPORT, 27, "eth1").find("packet:eth1"), std::string::npos);
  EXPECT_NE(pfr::kernel::socket_error(EPERM, 27, "eth1").find("CAP_NET_RAW"), std::string::npos);
}

TEST(KernelModule, SendAndRuleErrorsMapToCodes) {
  std::string err;
  EXPECT_EQ(pfr::kernel::send_error(EMSGSIZE, 9000, "eth1", err), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(err.find("9000"), std::string::npos);
  EXPECT_EQ(pfr::kernel::send_error(ENOBUFS, 60, "eth1", err), PF_RING_ERROR_NO_TX_SLOT_AVAILABLE);
  EXPECT_EQ(pfr::kernel::send_error(ENXIO, 60, "any", err), PF_RING_ERROR_INVALID_STATUS);
  EXPECT_EQ(pfr::kernel::rule_error(EEXIST, "rule 3", err), PF_RING_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(err.find("rule 3"), std::string::npos);
  EXPECT_EQ(pfr::kernel::rule_error(ENOENT, "rule 3", err), PF_RING_ERROR_NOT_FOUND);
  EXPECT_EQ(pfr::kernel::rule_error(ENOPROTOOPT, "rule 3", err), PF_RING_ERROR_NOT_SUPPORTED);
}

// This host has no pf_ring.ko: the family has no handler, and an explicit
// "kernel:" open must say so (and how to capture instead), not crash.
TEST(KernelModule, OpenWithoutPfRingKoIsAClearError) {
  ASSERT_NE(access("/proc/net/pf_ring", F_OK), 0) << "this test expects a host without pf_ring.ko";
  int fd = socket(pf_ring_family(), SOCK_RAW, 0);
  ASSERT_LT(fd, 0) << "something answers protocol family " << pf_ring_family();
  errno = 0;
  pfring *r = pfring_open("kernel:lo", 128, 0);
  ASSERT_EQ(r, nullptr);
  EXPECT_EQ(errno, EAFNOSUPPORT);
  char msg[512] = "";
  pfring_get_last_error(nullptr, msg, sizeof(msg));
  EXPECT_NE(std::string(msg).find("pf_ring.ko is not loaded"), std::string::npos) << msg;
  pfring_if_t *all = pfring_findalldevs();
  for (pfring_if_t *d = all; d; d = d->next) EXPECT_STRNE(d->module, "kernel") << d->name;
  pfring_freealldevs(all);
}

TEST(KernelModule, BadNamesFailBeforeAnySocket) {
  errno = 0;
  EXPECT_EQ(pfring_open("kernel:any@1", 128, 0), nullptr);
  EXPECT_EQ(errno, EINVAL);
  errno = 0;
  EXPECT_EQ(pfring_open("kernel:lo@64", 128, 0), nullptr);
  EXPECT_EQ(errno, EINVAL);
  errno = 0;
  EXPECT_EQ(pfring_open("kernel:averyveryverylongname0", 128, 0), nullptr);
  EXPECT_EQ(errno, EINVAL);
}

}  // namespace
