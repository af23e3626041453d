#!/bin/sh
# The README's run command: installs what is missing, builds the release
# tree and runs pfcount over the capture shipped in tests/data.
set -eu
cd "$(dirname "$0")/.."
. ci/deps.sh
pfring_install_deps
cmake --preset release >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)"
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
