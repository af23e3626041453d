#!/bin/sh
# Fails if the freestanding core archive needs any symbol but the mem*
# functions that both libc and the Linux kernel provide. A symbol one core
# object uses and another defines is fine: pf_ring.ko links them all.
set -eu
lib="$1"
defined=$(nm -g --defined-only "$lib" | awk 'NF == 3 {print $3}' | sort -u)
bad=$(nm -u "$lib" | awk '{print $2}' | sort -u | grep -v -E '^(memcpy|memset|memmove|memcmp)$' |
  grep -v -x -F "$defined" || true)
if [ -n "$bad" ]; then
  echo "src/core needs symbols the kernel does not provide:" >&2
  echo "$bad" >&2
  exit 1
fi
echo "src/core is freestanding ($(nm -g --defined-only "$lib" | grep -c ' T ') functions)"
