#!/bin/sh
# packet_vs_pcap.sh - live capture rate of the packet module against
# libpcap, on a veth pair in a private network namespace.
#
#   tests/bench/packet_vs_pcap.sh [BIN_DIR] [COUNT] [SIZE] [ROUNDS]
#
# The same sender (veth_sender: sendmmsg on AF_PACKET, qdisc bypassed)
# offers COUNT frames of SIZE bytes out of vb as fast as it can, ROUNDS
# times per reader; the readers capture on va, one at a time:
#   pfcount  -i va                       (packet module, 32 x 1 MiB ring)
#   tcpdump  -n -i va -w /dev/null       (libpcap, its default 2 MiB buffer)
#   tcpdump  -n -B 32768 -i va -w /dev/null  (libpcap, the same 32 MiB)
# all with snaplen 1536. Prints per run: frames captured, dropped by the
# kernel, capture rate (captured / sending time), and at the end the ratio
# of captured frames, pfcount over each tcpdump. On a veth the receive
# work runs on the sender's CPU, so a slower reader also slows the sender:
# the sender's own rate is printed too, and the CPU time the reader
# process spent per captured frame (what differs when neither drops).
# Needs root. Exit 1 when a reader
# fails or captures nothing.
set -eu
BIN=${1:-build/bin}
COUNT=${2:-2000000}
SIZE=${3:-64}
ROUNDS=${4:-3}
NS=pfr-bench-$$
OUT=$(mktemp -d)

cleanup() {
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$OUT"
}
trap cleanup EXIT INT TERM

ip netns add "$NS"
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$NS" link add va type veth peer name vb
ip -n "$NS" link set va up
ip -n "$NS" link set vb up

sockets() { ip netns exec "$NS" cat /proc/net/packet | wc -l; }

# run_one NAME CMD...: prints "NAME captured dropped send_s sender_pps".
run_one() {
  name=$1
  shift
  before=$(sockets)
  ip netns exec "$NS" "$@" >"$OUT/$name.out" 2>&1 &
  pid=$!
  i=0
  while [ "$(sockets)" -le "$before" ]; do
    i=$((i + 1))
    [ $i -lt 200 ] || { echo "$name did not open its socket" >&2; cat "$OUT/$name.out" >&2; exit 1; }
    sleep 0.05
  done
  sleep 0.5  # tcpdump: its socket exists before the capture does
  sent=$(ip netns exec "$NS" "$BIN/veth_sender" vb "$COUNT" "$SIZE")
  sleep 1.5  # the readers drain their rings (tcpdump's block timeout is 1 s)
  # CPU the reader used (utime + stime, clock ticks), before it stops.
  ticks=$(awk '{ print $14 + $15 }' /proc/$pid/stat)
  kill -INT $pid
  wait $pid || { echo "$name failed" >&2; cat "$OUT/$name.out" >&2; exit 1; }
  secs=$(echo "$sent" | sed -n 's/.* in \([0-9.]*\) s .*/\1/p')
  spps=$(echo "$sent" | sed -n 's/.*(\([0-9]*\) pps).*/\1/p')
  case $name in
    pfcount*)
      line=$(grep 'Absolute Stats' "$OUT/$name.out" | tail -1)
      cap=$(echo "$line" | sed -n 's/.*\[\([0-9]*\) pkts rcvd\].*/\1/p')
      drop=$(echo "$line" | sed -n 's/.*\[\([0-9]*\) pkts dropped\].*/\1/p')
      ;;
    *)
      cap=$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$OUT/$name.out")
      drop=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$OUT/$name.out")
      ;;
  esac
  [ -n "$cap" ] && [ "$cap" -gt 0 ] || { echo "$name captured nothing" >&2; cat "$OUT/$name.out" >&2; exit 1; }
  cpu_ns=$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v c="$cap" 'BEGIN { printf "%.0f", t / hz * 1e9 / c }')
  echo "$name $cap ${drop:-0} $secs $spps $cpu_ns"
}

printf '%-14s %10s %10s %12s %12s %14s\n' reader captured dropped "capture pps" "sender pps" "reader CPU ns/pkt"
: >"$OUT/all"
r=0
while [ $r -lt "$ROUNDS" ]; do
  r=$((r + 1))
  for reader in pfcount tcpdump tcpdump_B32M; do
    case $reader in
      pfcount) set -- "$BIN/pfcount" -i va -l 1536 ;;
      tcpdump) set -- tcpdump -n -s 1536 -i va -w /dev/null ;;
      tcpdump_B32M) set -- tcpdump -n -s 1536 -B 32768 -i va -w /dev/null ;;
    esac
    res=$(run_one "$reader" "$@")
    echo "$res" >>"$OUT/all"
    echo "$res" | awk '{ printf "%-14s %10d %10d %12.0f %12d %14d\n", $1, $2, $3, $2 / $4, $5, $6 }'
  done
done

awk '
  { cap[$1] += $2; drop[$1] += $3; rate[$1] += $2 / $4; cpu[$1] += $6; n[$1]++ }
  END {
    printf "\nmean over %d rounds of %s frames:\n", n["pfcount"], "'"$COUNT"'"
    for (k in cap) printf "  %-14s captured %10.0f  dropped %10.0f  %10.0f pps  reader CPU %6.0f ns/pkt\n", k, cap[k] / n[k], drop[k] / n[k], rate[k] / n[k], cpu[k] / n[k]
    printf "ratio captured pfcount / tcpdump:           %.2f\n", cap["pfcount"] / cap["tcpdump"]
    printf "ratio captured pfcount / tcpdump -B 32 MiB: %.2f\n", cap["pfcount"] / cap["tcpdump_B32M"]
    printf "ratio capture pps pfcount / tcpdump:        %.2f\n", rate["pfcount"] / rate["tcpdump"]
    printf "ratio reader CPU per packet tcpdump / pfcount: %.2f\n", cpu["tcpdump"] / cpu["pfcount"]
  }' "$OUT/all"
