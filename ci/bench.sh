#!/bin/sh
# ci/bench.sh - every benchmark with its peer, measured in one run, and one
# table of the figures (issue 15): what a user runs to see the speed of
# this build on their machine.
#
#   sh ci/bench.sh            # REPS=3 by default; REPS=1 for a quick look
#
# Builds the release preset with the benchmarks, runs each tests/bench
# program (medians of REPS repetitions, JSON), then ci/bench_table.py
# prints: the path, our time, the peer's time in the same run, the ratio
# (peer / ours: above 1 is faster than the peer) and the goal of issue 15.
# Machines here are shared and noisy: compare ratios, not times. Not part
# of the test command (CI runs each benchmark once as a smoke test).
set -eu
cd "$(dirname "$0")/.."
REPS=${REPS:-3}
BENCHES="bench_pcap bench_bpf bench_rules bench_rss bench_igb"
cmake --preset release -DPFRING_BENCH=ON >/dev/null
# shellcheck disable=SC2086
cmake --build build -j"$(nproc)" --target $BENCHES >/dev/null
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
for b in $BENCHES; do
  echo "running $b ..." >&2
  build/bin/"$b" --benchmark_repetitions="$REPS" --benchmark_report_aggregates_only=true \
    --benchmark_out="$OUT/$b.json" --benchmark_out_format=json >"$OUT/$b.log" 2>&1 ||
    { cat "$OUT/$b.log" >&2; exit 1; }
done
/usr/bin/python3 ci/bench_table.py "$OUT"
