#!/bin/sh
# Installs the Debian 12 packages the build, the tests and the demo need.
# Sourced by ci/demo.sh and ci/test.sh; installs only what is missing.
set -eu

PFRING_PACKAGES="cmake ninja-build g++ make pkg-config libpcap-dev \
libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev \
python3 python3-pytest python3-scapy tcpdump tshark clang libclang-rt-14-dev"

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
