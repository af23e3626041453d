#!/bin/sh
# The README's run command: installs what is missing, builds the release
# tree and runs pfcount over the capture shipped in tests/data.
set -eu
cd "$(dirname "$0")/.."
. ci/deps.sh
pfring_install_deps
cmake --preset release >/dev/null
# only what the demo runs (the tests are ci/test.sh's job)
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" --target pfcount alldevs pfsim
echo "== alldevs"
./build/bin/alldevs
echo "== pfcount -i pcap:tests/data/demo.pcap"
./build/bin/pfcount -i pcap:tests/data/demo.pcap
echo "== pfcount -i pcap:tests/data/demo.pcap -f 'tcp' -j"
./build/bin/pfcount -i pcap:tests/data/demo.pcap -f tcp -j
echo "== the same capture through a software NIC: 4 RSS queues, line rate, a slow consumer, no flow control"
./build/bin/pfcount -i 'sim:tests/data/demo.pcap,queues=4,rate=line,consumer_ns=700,ring=32,fc=off' -j
echo "== ... and with 802.3x flow control"
./build/bin/pfcount -i 'sim:tests/data/demo.pcap,queues=4,rate=line,consumer_ns=700,ring=32,fc=on' -j
echo "== a pfsim testbed shared by processes: two pfcount in one per-flow cluster on a 4-queue NIC"
# (the members' lines are sorted: which process is member 1 depends on start order)
tb=pfringdemo
tbfile=$(mktemp /tmp/pfsim-demo.XXXXXX)
cat >"$tbfile" <<TB
nic nic0 queues=4 rss=symmetric
source nic0 pcap=$PWD/tests/data/demo.pcap rate=line wait_for=2 then=end
TB
./build/bin/pfsim -n "$tb" "$tbfile" >"$tbfile.out" &
pfsim_pid=$!
trap 'kill -INT $pfsim_pid 2>/dev/null || true; rm -f "$tbfile" "$tbfile".*' EXIT
i=0
while [ $i -lt 100 ] && ! grep -q ready "$tbfile.out" 2>/dev/null; do i=$((i + 1)); sleep 0.1; done
./build/bin/pfcount -i "sim:$tb:nic0" -c 1 -H flow -j >"$tbfile.a" &
a_pid=$!
./build/bin/pfcount -i "sim:$tb:nic0" -c 1 -H flow -j >"$tbfile.b"
wait $a_pid
{ tail -1 "$tbfile.a"; tail -1 "$tbfile.b"; } | sort
kill -INT $pfsim_pid
wait $pfsim_pid
echo "pfsim counters: $(tail -1 "$tbfile.out")"
trap - EXIT
rm -f "$tbfile" "$tbfile".*
