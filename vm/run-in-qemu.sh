#!/bin/sh
# Boots the test image and runs one scenario in it:
#   vm/run-in-qemu.sh SCENARIO [IMAGE_DIR]
# IMAGE_DIR: what vm/build-image.sh printed (default: the image of the
# kernel linux-headers-amd64 stands for, else the newest under build-vm/). q35 under TCG, serial console, two igb NICs and one e1000e on
# one QEMU hub (two e1000e instead when this QEMU has no igb model, QEMU < 8),
# an emulated Intel IOMMU unless PFRING_VM_IOMMU=0. Two vCPUs on one TCG
# thread (PFRING_VM_TCG_THREAD=multi: one host thread each): on a busy
# 2-core host a starved vCPU thread stalls RCU in the guest and fails the
# run. Exits 0 only when the guest printed "VM-RESULT: PASS"; a guest still
# running after PFRING_VM_TIMEOUT seconds (default 300) is killed and counts
# as a failure.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
scenario=${1:?usage: vm/run-in-qemu.sh SCENARIO [IMAGE_DIR]}
img=${2:-}
vmdir=${PFRING_VM_DIR:-$root/build-vm}
dep=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null | sed 's/ .*//; s/^linux-headers-//')
if [ -z "$img" ] && [ -n "$dep" ] && [ -f "$vmdir/$dep/initrd.gz" ]; then
  img=$vmdir/$dep
fi
if [ -z "$img" ]; then
  img=$(ls -d "${PFRING_VM_DIR:-$root/build-vm}"/*/ 2>/dev/null | while read -r d; do
    [ -f "$d/initrd.gz" ] && echo "${d%/}"; done | sort -V | tail -1)
fi
if [ -z "$img" ] || [ ! -f "$img/initrd.gz" ]; then
  echo "vm/run-in-qemu.sh: no image; run vm/build-image.sh first" >&2
  exit 1
fi
qemu=${QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null 2>&1 || { echo "vm/run-in-qemu.sh: $qemu not installed" >&2; exit 1; }
timeout_s=${PFRING_VM_TIMEOUT:-300}
log=${PFRING_VM_LOG:-$img/$scenario.log}

if "$qemu" -device help 2>/dev/null | grep -q '"igb"'; then
  nic=igb
else
  nic=e1000e
  echo "vm/run-in-qemu.sh: $($qemu --version | head -1) has no igb model (QEMU >= 8 needed): using two e1000e NICs" >&2
fi
set -- -machine q35 -accel "tcg,thread=${PFRING_VM_TCG_THREAD:-single}" -cpu max -smp 2 -m 768 \
  -nographic -no-reboot \
  -kernel "$img/vmlinuz" -initrd "$img/initrd.gz"
append="console=ttyS0 panic=-1 loglevel=4 pfr_scenario=$scenario"
if [ "${PFRING_VM_IOMMU:-1}" = 1 ]; then
  set -- "$@" -device intel-iommu,intremap=off
  append="$append intel_iommu=on"
fi
# Each NIC behind its own PCIe root port: igb reserves functions for its VFs.
set -- "$@" -append "$append" \
  -device pcie-root-port,id=rp0,chassis=1,slot=1 \
  -device pcie-root-port,id=rp1,chassis=2,slot=2 \
  -device pcie-root-port,id=rp2,chassis=3,slot=3 \
  -netdev hubport,id=n0,hubid=0 -device $nic,bus=rp0,romfile=,netdev=n0,mac=52:54:00:00:00:01 \
  -netdev hubport,id=n1,hubid=0 -device $nic,bus=rp1,romfile=,netdev=n1,mac=52:54:00:00:00:02 \
  -netdev hubport,id=n2,hubid=0 -device e1000e,bus=rp2,romfile=,netdev=n2,mac=52:54:00:00:00:03

start=$(date +%s)
timeout -k 10 "$timeout_s" "$qemu" "$@" < /dev/null 2>&1 | tee "$log"
elapsed=$(( $(date +%s) - start ))
if grep -q '^VM-RESULT: PASS' "$log"; then
  echo "vm: $scenario PASS (${elapsed}s)"
  exit 0
fi
if grep -q '^VM-RESULT: FAIL' "$log"; then
  echo "vm: $scenario FAIL (${elapsed}s): $(grep '^VM-RESULT' "$log" | tail -1)"
else
  echo "vm: $scenario FAIL (${elapsed}s): no verdict (guest crashed or timed out after ${timeout_s}s)"
fi
exit 1
