#!/bin/sh
# The README's test command: installs what is missing, builds with
# ASan+UBSan, runs every ctest test (unit, property, freestanding check)
# and the pytest integration suite, runs each fuzz target briefly, loads
# pf_ring.ko in QEMU guests (ci/vm-test.sh), and prints "N passed, N failed". Exit status 0 only when nothing failed.
set -eu
cd "$(dirname "$0")/.."
. ci/deps.sh
pfring_install_deps

JOBS=$(nproc 2>/dev/null || echo 2)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

cmake --preset asan >/dev/null
cmake --build build-asan -j"$JOBS"

passed=0
failed=0

# ctest (everything but the pytest suite, counted per test below).
ctest_out=$(mktemp)
if ctest --test-dir build-asan -E '^integration\.' --output-on-failure -j"$JOBS" >"$ctest_out" 2>&1; then :; fi
cat "$ctest_out"
tot=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2/p' "$ctest_out" | tail -1)
bad=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\1/p' "$ctest_out" | tail -1)
tot=${tot:-0}
bad=${bad:-1}
passed=$((passed + tot - bad))
failed=$((failed + bad))
rm -f "$ctest_out"

# ThreadSanitizer on the tests that share rings between threads
# (PF_RING_REENTRANT, pfring_breakloop from another thread, pipe writers).
cmake --preset tsan >/dev/null
for t in test_core_ring test_core_desc_queue test_sim_testbed prop_sim_testbed test_api_threads test_zero_cluster prop_zero_cluster test_userspace_module test_multi_module test_pcap_module test_pcap_stream test_api test_api_rules test_dna_module; do
  if cmake --build build-tsan -j"$JOBS" --target "$t" >"build-tsan/$t.build.log" 2>&1 &&
     TSAN_OPTIONS=halt_on_error=1 ./build-tsan/bin/"$t" >"build-tsan/$t.log" 2>&1; then
    echo "tsan $t: ok"
    passed=$((passed + 1))
  else
    echo "tsan $t: FAILED"; tail -60 "build-tsan/$t.build.log" "build-tsan/$t.log" 2>/dev/null || true
    failed=$((failed + 1))
  fi
done

# pytest, with the ASan-built tools.
py_out=$(mktemp)
if PFRING_BIN="$PWD/build-asan/bin" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration >"$py_out" 2>&1; then :; fi
cat "$py_out"
summary=$(tail -1 "$py_out")
p=$(echo "$summary" | sed -n 's/.* \([0-9][0-9]*\) passed.*/\1/p; s/^\([0-9][0-9]*\) passed.*/\1/p' | head -1)
f=$(echo "$summary" | sed -n 's/.* \([0-9][0-9]*\) failed.*/\1/p; s/^\([0-9][0-9]*\) failed.*/\1/p' | head -1)
e=$(echo "$summary" | sed -n 's/.* \([0-9][0-9]*\) error.*/\1/p' | head -1)
p=${p:-0}
f=${f:-0}
e=${e:-0}
if [ "$p" = 0 ] && [ "$f" = 0 ] && [ "$e" = 0 ]; then f=1; echo "ci: pytest ran no test"; fi
passed=$((passed + p))
failed=$((failed + f + e))
rm -f "$py_out"

# Fuzzing: each libFuzzer target for a short, bounded run.
if command -v clang >/dev/null 2>&1; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPFRING_FUZZ=ON -DPFRING_BENCH=OFF >/dev/null
  fuzz_targets=$(sed -n 's/^pfring_add_fuzz_target(NAME \([a-z_0-9]*\).*/\1/p' tests/fuzz/CMakeLists.txt 2>/dev/null || true)
  for t in $fuzz_targets; do
    corpus="build-fuzz/corpus-$t"
    mkdir -p "$corpus"
    [ -d "tests/fuzz/seeds/$t" ] && cp -n tests/fuzz/seeds/"$t"/* "$corpus"/ 2>/dev/null || true
    dict=""
    [ -f "tests/fuzz/${t#fuzz_}.dict" ] && dict="-dict=tests/fuzz/${t#fuzz_}.dict"
    if cmake --build build-fuzz -j"$JOBS" --target "$t" >"build-fuzz/$t.build.log" 2>&1 &&
       ./build-fuzz/bin/"$t" -max_total_time="${FUZZ_SECONDS:-30}" -rss_limit_mb=2048 -print_final_stats=1 $dict "$corpus" \
         >"build-fuzz/$t.log" 2>&1; then
      echo "fuzz $t: ok ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "build-fuzz/$t.log" | grep -o '[0-9]*$' || echo '?') runs)"
      passed=$((passed + 1))
    else
      echo "fuzz $t: FAILED"; tail -40 "build-fuzz/$t.build.log" "build-fuzz/$t.log" 2>/dev/null || true
      failed=$((failed + 1))
    fi
  done
fi

# pf_ring.ko in QEMU guests booting Debian's kernel (ci/vm-test.sh builds the
# image, runs every scenario and prints "N passed, N failed").
vm_out=$(mktemp)
sh ci/vm-test.sh >"$vm_out" 2>&1 || true
cat "$vm_out"
vm_p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$vm_out" | tail -1)
vm_f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$vm_out" | tail -1)
passed=$((passed + ${vm_p:-0}))
failed=$((failed + ${vm_f:-1}))
rm -f "$vm_out"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
