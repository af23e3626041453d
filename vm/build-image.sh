#!/bin/sh
# Builds the QEMU test image of pf_ring.ko:
#   vm/build-image.sh [KERNEL_DIR]
# KERNEL_DIR: a Debian linux-headers-<release> tree (default: the one the
# installed linux-headers-amd64 package depends on, Debian 12's 6.1).
# Downloads (apt-get download, cached in build-vm/debs) the matching
# linux-image-<release> package, builds pf_ring.ko against KERNEL_DIR and the
# static test client vm/pfr_test.c, and packs an initramfs with busybox,
# the NIC drivers the guest needs, pf_ring.ko, the client and vm/scenarios.
# Output: build-vm/<release>/{vmlinuz,initrd.gz}; prints the directory.
set -eu
GUEST_TOOLS="pfcount pfsend preflect pfbridge alldevs pfdump"
root=$(cd "$(dirname "$0")/.." && pwd)
out_base=${PFRING_VM_DIR:-$root/build-vm}

kdir=${1:-${KERNEL_DIR:-}}
if [ -z "$kdir" ]; then
  dep=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null | sed 's/ .*//')
  [ -n "$dep" ] && kdir=/usr/src/$dep
fi
if [ -z "$kdir" ] || [ ! -f "$kdir/Makefile" ]; then
  echo "vm/build-image.sh: no kernel headers (install linux-headers-amd64: ci/deps.sh pfring_install_vm_deps)" >&2
  exit 1
fi
release=$(basename "$kdir" | sed 's/^linux-headers-//')
out=$out_base/$release
debs=$out_base/debs
mkdir -p "$out" "$debs"

log() { echo "vm/build-image: $*" >&2; }

# 1. The guest kernel: Debian's image package of the same release.
deb=$(ls "$debs"/linux-image-"$release"_*.deb 2>/dev/null | tail -1 || true)
if [ -z "$deb" ]; then
  log "downloading linux-image-$release"
  (cd "$debs" && apt-get download "linux-image-$release" >&2)
  deb=$(ls "$debs"/linux-image-"$release"_*.deb | tail -1)
fi
kimg=$out/image
if [ ! -f "$kimg/boot/vmlinuz-$release" ]; then
  rm -rf "$kimg"
  dpkg-deb -x "$deb" "$kimg"
fi
cp "$kimg/boot/vmlinuz-$release" "$out/vmlinuz"

# 2. pf_ring.ko, built in a private copy so several releases can coexist.
kbuild=$out/kmod
rm -rf "$kbuild"
mkdir -p "$kbuild/kernel" "$kbuild/src"
cp "$root"/kernel/Kbuild "$root"/kernel/Makefile "$root"/kernel/*.c "$root"/kernel/*.h "$kbuild/kernel/"
mkdir -p "$kbuild/kernel/plugins"
cp "$root"/kernel/plugins/*.c "$root"/kernel/plugins/*.h "$kbuild/kernel/plugins/"
cp -r "$root/src/core" "$kbuild/src/core"
log "building pf_ring.ko against $kdir"
# (no build lock taken here: callers serialise builds themselves, and a lock
# taken again under theirs would wait forever)
make -s -C "$kdir" M="$kbuild/kernel" W=1 -j2 modules >&2
modinfo -F vermagic "$kbuild/kernel/pf_ring.ko" | grep -q "^$release " || {
  log "pf_ring.ko vermagic does not match $release"; exit 1; }

# 3. The test client, static so the initramfs needs no libc.
gcc -static -O2 -Wall -Wextra -Werror -I"$root/src/core" -I"$root/kernel" "$root"/vm/pfr_test*.c -o "$out/pfr_test"

# 3b. The tools (pfcount, pfsend, ...) and libpfring.so, built with
# AddressSanitizer and UBSan (so the kernel module's userland side runs
# under them in the guest), shared by every guest release (user space does
# not depend on the kernel version). Packed with the shared libraries they
# load.
tools=$out_base/tools
log "building the tools"
cmake -S "$root" -B "$tools" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPFRING_TESTS=OFF -DPFRING_BENCH=OFF \
  -DPFRING_SANITIZE=ON -DPFRING_TSAN=OFF >/dev/null
cmake --build "$tools" -j2 --target $GUEST_TOOLS >&2
# the libpfring API check of the kernel module, linked against that build
gcc -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -Wall -Wextra -Werror -I"$root/src/include" -I"$root/src/core" "$root/vm/kmod_api_check.c" \
    -L"$tools/lib" -lpfring -o "$out/kmod_api_check"

# 4. The initramfs.
# busybox-static's /bin/busybox; ldd fails on a static binary
busybox=/bin/busybox
if ldd "$busybox" >/dev/null 2>&1; then
  log "$busybox is dynamically linked: install busybox-static"; exit 1
fi
[ -x "$busybox" ] || { log "busybox-static is not installed"; exit 1; }

moddir=$kimg/lib/modules/$release
ird=$out/initramfs
rm -rf "$ird"
mkdir -p "$ird/bin" "$ird/dev" "$ird/proc" "$ird/sys" "$ird/tmp" "$ird/modules" "$ird/scenarios"
cp "$busybox" "$ird/bin/busybox"
cp "$out/pfr_test" "$ird/bin/pfr_test"
cp "$kbuild/kernel/pf_ring.ko" "$ird/pf_ring.ko"
cp "$kbuild/kernel/plugins/dummy_plugin.ko" "$ird/dummy_plugin.ko"
# tcpdump too: the judge the scenarios compare captures with.
bins=""
for t in $GUEST_TOOLS; do bins="$bins $tools/bin/$t"; done
tcpdump=$(command -v tcpdump || true)
[ -n "$tcpdump" ] || { log "tcpdump is not installed"; exit 1; }
bins="$bins $tcpdump"
bins="$bins $out/kmod_api_check"
for b in $bins; do cp "$b" "$ird/bin/$(basename "$b")"; done
# Every shared library they load, at the path the loader finds it
# (libpfring.so from the build tree goes to the default directory).
mkdir -p "$ird/lib/x86_64-linux-gnu" "$ird/lib64"
for b in $bins; do ldd "$b"; done | awk '/=> \// {print $3} /^\t\/lib64/ {print $1}' | sort -u |
  while read -r lib; do
    case $lib in
      "$tools"/*) cp -L "$lib" "$ird/lib/x86_64-linux-gnu/$(basename "$lib")" ;;
      *) mkdir -p "$ird$(dirname "$lib")"; cp -L "$lib" "$ird$lib" ;;
    esac
  done
[ -e "$ird/lib64/ld-linux-x86-64.so.2" ] || { log "the tools' dynamic loader was not packed"; exit 1; }
cp "$root"/vm/init "$ird/init"
cp "$root"/vm/scenarios/* "$ird/scenarios/"
chmod +x "$ird/init" "$ird"/scenarios/*

# NIC drivers and what they depend on, in load order (dependencies first).
resolve() {
  local name f d base
  name=$1
  case " $loaded " in *" $name "*) return 0 ;; esac
  f=$(find "$moddir/kernel" \( -name "$name.ko*" -o -name "$(echo "$name" | tr _ -).ko*" \) | head -1)
  [ -n "$f" ] || { log "module $name not found"; exit 1; }
  for d in $(modinfo -F depends "$f" | tr , ' '); do
    resolve "$d"
  done
  loaded="$loaded $name"
  # busybox insmod wants plain .ko files (newer Debian kernels compress them)
  base=$(basename "$f")
  case $f in
    *.ko.xz) xz -dc "$f" > "$ird/modules/${base%.xz}" ;;
    *.ko.zst) zstd -qdc "$f" > "$ird/modules/${base%.zst}" ;;
    *.ko.gz) gzip -dc "$f" > "$ird/modules/${base%.gz}" ;;
    *) cp "$f" "$ird/modules/" ;;
  esac
  echo "${base%.ko*}.ko" >> "$ird/modules/order"
}
loaded=""
: > "$ird/modules/order"
for m in igb e1000e veth 8021q; do
  resolve "$m"
done
log "guest modules:$loaded"

(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) > "$out/initrd.gz"
log "image: $out (vmlinuz, initrd.gz $(du -h "$out/initrd.gz" | cut -f1))"
echo "$out"
