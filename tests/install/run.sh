#!/bin/sh
# Installs the build into a temporary prefix, then builds the guide's API
# user, a 5.x-style program and a libzero program in both spellings (C and
# C++, -Wall -Werror, pkg-config) and a CMake consumer
# (find_package(pfring)) against it, and runs both on a capture.
# Usage: run.sh BUILD_DIR CAPTURE
set -eu
build=$1
capture=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
pc=$(find "$tmp/prefix" -name libpfring.pc | head -1)
libdir=$(dirname "$(dirname "$pc")")
export PKG_CONFIG_PATH="$(dirname "$pc")"
# Sanitizer flags of the build under test, if any, for linking the static parts.
extra=""
if nm -D "$libdir/libpfring.so" 2>/dev/null | grep -q __asan_init; then extra="-fsanitize=address,undefined"; fi
cc -Wall -Wextra -Werror $extra $(pkg-config --cflags libpfring) "$here/guide_api.c" -o "$tmp/guide_api" \
  $(pkg-config --libs libpfring)
LD_LIBRARY_PATH="$libdir" "$tmp/guide_api" "$capture"
# a program written as 5.x-era ones are (only pfring.h included)
cc -Wall -Wextra -Werror $extra $(pkg-config --cflags libpfring) "$here/compat_5x.c" -o "$tmp/compat_5x" \
  $(pkg-config --libs libpfring)
LD_LIBRARY_PATH="$libdir" "$tmp/compat_5x" "$capture"
# libzero from chapter 9 (pfring.h alone), in the guide's spelling and the
# release's, as C and as C++, on a pcap: master and an in-process sim: one
for spelling in -DGUIDE_SPELLING -DRELEASE_SPELLING; do
  cc -Wall -Wextra -Werror $extra $spelling $(pkg-config --cflags libpfring) "$here/zero_cluster.c" \
    -o "$tmp/zero_cluster" $(pkg-config --libs libpfring) -lpcap -lpthread
  LD_LIBRARY_PATH="$libdir" "$tmp/zero_cluster" "pcap:$capture" "$capture"
  LD_LIBRARY_PATH="$libdir" "$tmp/zero_cluster" "sim:$capture" "$capture"
  c++ -x c++ -Wall -Wextra -Werror $extra $spelling $(pkg-config --cflags libpfring) "$here/zero_cluster.c" \
    -o "$tmp/zero_cluster_cpp" $(pkg-config --libs libpfring) -lpcap -lpthread
  LD_LIBRARY_PATH="$libdir" "$tmp/zero_cluster_cpp" "pcap:$capture" "$capture"
done
# a program written against PF_RING's libpcap (pfring_pcap.h, -lpfring-pcap)
cc -Wall -Wextra -Werror $extra $(pkg-config --cflags libpfring) "$here/pcap_ext.c" -o "$tmp/pcap_ext" \
  -L"$libdir" -lpfring-pcap -lpcap $(pkg-config --libs libpfring)
LD_LIBRARY_PATH="$libdir" "$tmp/pcap_ext" "$capture"
# a Go program through cgo, as Go bindings call the API (gopacket's pfring);
# its counts are checked against Debian's tcpdump reading the same file
if command -v go >/dev/null 2>&1; then
  mkdir -p "$tmp/go"
  cp "$here/cgo_client/go.mod" "$here/cgo_client/main.go" "$tmp/go/"
  (cd "$tmp/go" && GOCACHE="$tmp/gocache" GOPATH="$tmp/gopath" GOFLAGS=-mod=mod GOTOOLCHAIN=local \
    CGO_LDFLAGS="$extra" go build -o "$tmp/cgo_client" .)
  for filter in "" "tcp" "udp and port 53" "tcp and port 80" "vlan"; do
    want=$(tcpdump -n -r "$capture" $filter 2>/dev/null | wc -l)
    LD_LIBRARY_PATH="$libdir" "$tmp/cgo_client" "pcap:$capture" "$filter" "$want"
  done
else
  echo "run.sh: go not installed (golang-go): the cgo client is not checked" >&2
fi
cmake -S "$here" -B "$tmp/consumer" -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_CXX_FLAGS="$extra" >/dev/null
cmake --build "$tmp/consumer" >/dev/null
LD_LIBRARY_PATH="$libdir" "$tmp/consumer/guide_api_cpp" "$capture"
