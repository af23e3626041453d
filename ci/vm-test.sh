#!/bin/sh
# Builds the QEMU image and runs every pf_ring.ko scenario in its own guest.
#   ci/vm-test.sh [SCENARIO...]
# Installs what it needs through apt (ci/deps.sh pfring_install_vm_deps)
# unless PFRING_VM_NO_INSTALL=1. Prints "N passed, N failed"; exits 1 when
# anything failed. The control scenario must FAIL (it proves that a kernel
# warning fails a run). Logs: build-vm/<release>/<scenario>.log
#
# Kernels: Debian 12's (6.1) runs every scenario. bookworm-backports'
# kernel (6.12) is built against too (W=1, -Werror) and boots
# PFRING_VM_BACKPORTS_SCENARIOS (kmod-basic kmod-capture kmod-reflect).
# PFRING_VM_BACKPORTS=1: every scenario on 6.12 as well; 0: no 6.12 at all
# (the default when scenarios are named on the command line).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ "${PFRING_VM_NO_INSTALL:-0}" != 1 ]; then
  . "$root/ci/deps.sh"
  pfring_install_vm_deps >&2 || { echo "ci/vm-test: installing the VM packages failed" >&2; echo "0 passed, 1 failed"; exit 1; }
  set +e  # ci/deps.sh sets -e; a failing scenario must not end the run
fi

start=$(date +%s)
all="kmod-basic kmod-security kmod-capture kmod-reflect kmod-cluster kmod-transparent kmod-plugin kmod-stress kmod-tools"
scenarios=${*:-$all}
if [ $# -eq 0 ]; then bp_mode=${PFRING_VM_BACKPORTS:-smoke}; else bp_mode=${PFRING_VM_BACKPORTS:-0}; fi
case $bp_mode in
  1) bp_scenarios=$scenarios ;;
  0) bp_scenarios="" ;;
  *) bp_scenarios=${PFRING_VM_BACKPORTS_SCENARIOS:-"kmod-basic kmod-capture kmod-reflect kmod-tools"} ;;
esac
passed=0 failed=0
# "kernel-dir:scenarios" per kernel; "default" is linux-headers-amd64's
runs="default:$(echo $scenarios | tr ' ' ,)"
if [ "$bp_mode" != 0 ]; then
  if bp=$(. "$root/ci/deps.sh"; pfring_install_vm_backports_headers); then
    runs="$runs $bp:$(echo $bp_scenarios | tr ' ' ,)"
  else
    failed=$((failed + 1)); echo "FAIL bookworm-backports kernel headers unavailable"
  fi
fi
for run in $runs; do
  kdir=${run%%:*}
  # the control runs on the default kernel, and on 6.12 when all scenarios do
  control=$bp_mode
  if [ "$kdir" = default ]; then kdir=${KERNEL_DIR:-}; control=1; fi
  if ! img=$(vm/build-image.sh $kdir); then
    failed=$((failed + 1)); echo "FAIL image build against ${kdir:-linux-headers-amd64}"
    continue
  fi
  echo "ci/vm-test: image $img built after $(( $(date +%s) - start ))s"
  rel=$(basename "$img")
  for s in $(echo "${run#*:}" | tr , ' '); do
    if vm/run-in-qemu.sh "$s" "$img" > /dev/null 2>&1; then
      passed=$((passed + 1)); echo "PASS $s [$rel]"
    else
      failed=$((failed + 1)); echo "FAIL $s [$rel] (log: $img/$s.log)"
      grep -E '^(FAIL|ok|VM-RESULT|init:)' "$img/$s.log" | tail -20 | sed 's/^/    /'
    fi
  done
  if [ $# -eq 0 ] && [ "$control" = 1 ]; then
    if vm/run-in-qemu.sh control-dmesg "$img" > /dev/null 2>&1; then
      failed=$((failed + 1)); echo "FAIL control-dmesg [$rel]: a kernel WARNING did not fail the run"
    else
      passed=$((passed + 1)); echo "PASS control-dmesg [$rel] (the harness failed it, as it must)"
    fi
  fi
done
echo "ci/vm-test: $(( $(date +%s) - start ))s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
