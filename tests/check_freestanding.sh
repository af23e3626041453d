#!/bin/sh
# Fails if the freestanding core archive needs any symbol but the mem*
# functions that both libc and the Linux kernel provide.
set -eu
lib="$1"
bad=$(nm -u "$lib" | awk '{print $2}' | sort -u | grep -v -E '^(memcpy|memset|memmove|memcmp)$' || true)
if [ -n "$bad" ]; then
  echo "src/core needs symbols the kernel does not provide:" >&2
  echo "$bad" >&2
  exit 1
fi
echo "src/core is freestanding ($(nm -g --defined-only "$lib" | grep -c ' T ') functions)"
