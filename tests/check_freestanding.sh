#!/bin/sh
# Fails if the freestanding core archive needs any symbol but the mem*
# functions that both libc and the Linux kernel provide.
set -eu
lib="$1"
# Undefined in some object and defined in none (one core file may call another).
defined=$(nm -g --defined-only "$lib" | awk 'NF == 3 {print $3}' | sort -u)
bad=$(nm -u "$lib" | awk 'NF == 2 {print $2}' | sort -u | grep -v -E '^(memcpy|memset|memmove|memcmp)$' |
      grep -v -x -F "$defined" || true)
if [ -n "$bad" ]; then
  echo "src/core needs symbols the kernel does not provide:" >&2
  echo "$bad" >&2
  exit 1
fi
echo "src/core is freestanding ($(nm -g --defined-only "$lib" | grep -c ' T ') functions)"
