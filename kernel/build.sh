#!/bin/sh
# Builds pf_ring.ko: kernel/build.sh [KERNEL_DIR]
# KERNEL_DIR defaults to the running kernel's build directory; CI passes
# Debian 12's /usr/src/linux-headers-<release>-amd64. W=1, warnings are errors.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
kdir=${1:-${KERNEL_DIR:-/lib/modules/$(uname -r)/build}}
if [ ! -f "$kdir/Makefile" ]; then
  echo "kernel/build.sh: no kernel build tree at $kdir" >&2
  exit 1
fi
jobs=${PFRING_JOBS:-2}
# No lock here: callers that share the machine wrap the whole command
# (flock /tmp/pfring-build.lock kernel/build.sh ...); CMake's pf_ring_kmod
# target runs this inside a build that may already hold that lock.
make -C "$kdir" M="$here" W=1 -j"$jobs" modules
echo "built $here/pf_ring.ko for $(basename "$kdir")"
