#!/bin/sh
# Installs the Debian 12 packages the build, the tests and the demo need.
# Sourced by ci/demo.sh and ci/test.sh; installs only what is missing.
set -eu

PFRING_PACKAGES="cmake ninja-build g++ make pkg-config libpcap-dev \
libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev \
python3 python3-pytest python3-scapy tcpdump tshark clang libclang-rt-14-dev golang-go"

pfring_install_deps() {
  missing=""
  for p in $PFRING_PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing="$missing $p"
    fi
  done
  if [ -n "$missing" ]; then
    echo "ci: installing:$missing"
    if [ "$(id -u)" != 0 ]; then
      echo "ci: need root to install packages:$missing" >&2
      exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    # tshark asks whether non-root users may capture; answer no.
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
    apt-get install -y --no-install-recommends $missing || {
      apt-get update
      apt-get install -y --no-install-recommends $missing
    }
  fi
}

# Packages for the QEMU kernel-module tests (vm/, ci/vm-test.sh): Debian 12's
# kernel headers to build pf_ring.ko (perl: W=1 runs scripts/kernel-doc),
# libc6-dev for the static test client, busybox for the guest, and QEMU. The igb
# model needs QEMU >= 8, which Debian 12 has only in bookworm-backports, so the
# backports suite is added by copying the machine's own bookworm apt source.
PFRING_VM_PACKAGES="linux-headers-amd64 busybox-static cpio gcc libc6-dev make perl xz-utils zstd kmod \
cmake ninja-build g++ pkg-config libpcap-dev tcpdump"

pfring_add_backports() {
  src=/etc/apt/sources.list.d/debian.sources
  dst=/etc/apt/sources.list.d/pfring-backports.sources
  [ -f "$dst" ] && return 0
  [ -f "$src" ] || { echo "ci: no $src to copy the backports suite from" >&2; return 1; }
  # The deb822 stanza whose Suites list bookworm, with Suites replaced.
  awk 'BEGIN { RS = ""; ORS = "\n\n" }
       /(^|\n)Suites:[^\n]*(^|[ \t])bookworm([ \t]|\n|$)/ {
         n = split($0, l, "\n"); out = ""
         for (i = 1; i <= n; i++) {
           if (l[i] ~ /^Suites:/) l[i] = "Suites: bookworm-backports"
           out = out l[i] "\n"
         }
         printf "%s\n", out; exit
       }' "$src" > "$dst.tmp"
  if ! grep -q '^Suites: bookworm-backports' "$dst.tmp"; then
    rm -f "$dst.tmp"
    echo "ci: no bookworm stanza in $src" >&2
    return 1
  fi
  mv "$dst.tmp" "$dst"
  apt-get update
}

# Debian's newest backports kernel headers (6.12 today), for a second build
# and guest kernel: ci/vm-test.sh builds against them and boots them by
# default (PFRING_VM_BACKPORTS=0 skips them). Pulls the
# matching linux-image package too (the headers depend on it).
pfring_install_vm_backports_headers() {
  export DEBIAN_FRONTEND=noninteractive
  pfring_add_backports >&2 || return 1
  pkg=$(apt-cache depends -t bookworm-backports linux-headers-amd64 2>/dev/null |
    awk '/Depends: linux-headers-/ {print $2; exit}')
  [ -n "$pkg" ] || { echo "ci: no backports linux-headers-amd64" >&2; return 1; }
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
    apt-get install -y --no-install-recommends "$pkg" >&2
  echo "/usr/src/$pkg"
}

pfring_install_vm_deps() {
  export DEBIAN_FRONTEND=noninteractive
  if [ "$(id -u)" != 0 ]; then
    echo "ci: need root to install the VM test packages" >&2
    return 1
  fi
  pfring_add_backports || echo "ci: bookworm-backports unavailable; QEMU 7.2 (e1000e only)" >&2
  missing=""
  for p in $PFRING_VM_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    apt-get install -y --no-install-recommends $missing || {
      apt-get update
      apt-get install -y --no-install-recommends $missing
    }
  fi
  # QEMU >= 8 for the igb model: backports' qemu-system-x86, else Debian 12's 7.2
  qv=$(qemu-system-x86_64 --version 2>/dev/null | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
  if [ -z "$qv" ] || [ "$qv" -lt 8 ]; then
    apt-get install -y --no-install-recommends -t bookworm-backports qemu-system-x86 ||
      apt-get install -y --no-install-recommends qemu-system-x86
  fi
}
