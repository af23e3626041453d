#!/bin/sh
# Builds the QEMU image and runs every pf_ring.ko scenario in its own guest.
#   ci/vm-test.sh [SCENARIO...]
# Installs what it needs through apt (ci/deps.sh pfring_install_vm_deps)
# unless PFRING_VM_NO_INSTALL=1. Prints "N passed, N failed"; exits 1 when
# anything failed. The control scenario must FAIL (it proves that a kernel
# warning fails a run). Logs: build-vm/<release>/<scenario>.log
# PFRING_VM_BACKPORTS=1: the same again on bookworm-backports' kernel.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ "${PFRING_VM_NO_INSTALL:-0}" != 1 ]; then
  . "$root/ci/deps.sh"
  pfring_install_vm_deps >&2 || { echo "ci/vm-test: installing the VM packages failed" >&2; echo "0 passed, 1 failed"; exit 1; }
  set +e  # ci/deps.sh sets -e; a failing scenario must not end the run
fi

start=$(date +%s)
kdirs=${KERNEL_DIR:-default}
if [ "${PFRING_VM_BACKPORTS:-0}" = 1 ]; then
  bp=$(. "$root/ci/deps.sh"; pfring_install_vm_backports_headers) && kdirs="$kdirs $bp"
fi
scenarios=${*:-"kmod-basic kmod-security kmod-capture kmod-cluster kmod-transparent kmod-plugin kmod-stress kmod-tools"}
passed=0 failed=0
for kdir in $kdirs; do
  [ "$kdir" = default ] && kdir=""
  if ! img=$(vm/build-image.sh $kdir); then
    failed=$((failed + 1)); echo "FAIL image build against $kdir"
    continue
  fi
  echo "ci/vm-test: image $img built after $(( $(date +%s) - start ))s"
  rel=$(basename "$img")
  for s in $scenarios; do
    if vm/run-in-qemu.sh "$s" "$img" > /dev/null 2>&1; then
      passed=$((passed + 1)); echo "PASS $s [$rel]"
    else
      failed=$((failed + 1)); echo "FAIL $s [$rel] (log: $img/$s.log)"
      grep -E '^(FAIL|ok|VM-RESULT|init:)' "$img/$s.log" | tail -20 | sed 's/^/    /'
    fi
  done
  if [ $# -eq 0 ]; then
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
