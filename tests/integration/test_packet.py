"""pfcount on live interfaces through the packet module (AF_PACKET TPACKET_V3).

Each test gets a private network namespace with a veth pair va <-> vb
(IPv6 off, no addresses: the kernel sends nothing of its own), sends
frames built by scapy (explicit MACs, no name resolution) out of vb with a
raw socket, and captures on va. The judges are tcpdump (-n) and the list
of frames sent. Needs root for namespaces and raw sockets; CI runs as root.
"""

import json
import os
import re
import select
import signal
import subprocess
import time
import uuid

import pytest

from conftest import (TIMEOUT, Record, mixed_records, read_pcap, run, scapy, tool,
                      write_pcap)



@pytest.fixture(autouse=True)
def _needs_root():
    """Network namespaces and veth pairs need root; CI runs as root, so a
    run without it fails here with that reason instead of skipping."""
    assert os.geteuid() == 0, "needs root to create network namespaces and veth pairs (CI runs as root)"

# Sends the frames of a pcap file out of an interface, in order.
SENDER = r"""
import socket, struct, sys, time
iface, path = sys.argv[1], sys.argv[2]
raw = open(path, "rb").read()
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
off = 24
while off < len(raw):
    incl = struct.unpack("<I", raw[off + 8:off + 12])[0]
    frame = raw[off + 16:off + 16 + incl]
    off += 16 + incl
    for attempt in range(1000):
        try:
            s.send(frame)
            break
        except BlockingIOError:
            time.sleep(0.0005)
        except OSError as e:
            if e.errno != 105:  # ENOBUFS: the queue is full, try again
                raise
            time.sleep(0.0005)
    else:
        sys.exit("frame not sent")
"""


class Netns:
    def __init__(self, tmp_path):
        self.name = f"pfr-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.tmp = tmp_path

    def ip(self, *args):
        res = run(["ip", *args])
        assert res.rc == 0, str(res)

    def create(self):
        self.ip("netns", "add", self.name)
        res = run(self.cmd("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                           "net.ipv6.conf.default.disable_ipv6=1"))
        assert res.rc == 0, str(res)
        self.ip("-n", self.name, "link", "add", "va", "type", "veth", "peer", "name", "vb")
        self.ip("-n", self.name, "link", "set", "va", "up")
        self.ip("-n", self.name, "link", "set", "vb", "up")

    def delete(self):
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True, timeout=TIMEOUT)

    def cmd(self, *args):
        return ["ip", "netns", "exec", self.name, *map(str, args)]

    def packet_sockets(self):
        """Number of bound packet sockets in the namespace (/proc/net/packet)."""
        res = run(self.cmd("cat", "/proc/net/packet"))
        return max(0, len(res.out.splitlines()) - 1)

    def start(self, *args):
        """Starts a capture program in the namespace; returns the Popen."""
        return subprocess.Popen(self.cmd(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def send(self, frames, iface="vb"):
        pcap = self.tmp / f"send-{uuid.uuid4().hex[:6]}.pcap"
        write_pcap(pcap, [Record(i, bytes(f), len(f)) for i, f in enumerate(frames)])
        script = self.tmp / "sender.py"
        script.write_text(SENDER)
        res = run(self.cmd("/usr/bin/python3", script, iface, pcap), timeout=TIMEOUT)
        assert res.rc == 0, str(res)


@pytest.fixture
def netns(tmp_path):
    ns = Netns(tmp_path)
    try:
        ns.create()
        yield ns
    finally:
        ns.delete()


def capture(ns, programs, frames, settle=0.5):
    """Starts programs (argument lists) in ns, waits until each has its
    socket, sends frames out of vb, stops them with SIGINT. Returns
    (stdout, stderr, rc) per program."""
    base = ns.packet_sockets()
    procs = [ns.start(*p) for p in programs]
    try:
        deadline = time.monotonic() + 15
        while ns.packet_sockets() < base + len(programs):
            assert time.monotonic() < deadline, "capture programs did not open their sockets"
            for p in procs:
                assert p.poll() is None, p.communicate()[1].decode()
            time.sleep(0.05)
        for prog, p in zip(programs, procs):
            if prog[0] == "tcpdump":  # its socket is there before the capture is
                wait_listening(p, deadline)
        time.sleep(0.1)
        ns.send(frames)
        time.sleep(settle)  # > tp_retire_blk_tov: the last block reaches the reader
        for prog, p in zip(programs, procs):
            if prog[0] == "tcpdump" and "-c" in prog:  # ends by itself after -c packets
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
    out = []
    for p in procs:
        o, e = p.communicate(timeout=TIMEOUT)
        out.append((o.decode(), e.decode(), p.returncode))
    return out


def wait_listening(proc, deadline):
    """Reads tcpdump's stderr until it says it is capturing."""
    seen = b""
    while b"listening on" not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"tcpdump did not start: {seen!r}"
        ready, _, _ = select.select([proc.stderr], [], [], left)
        if ready:
            chunk = os.read(proc.stderr.fileno(), 4096)
            assert chunk, f"tcpdump ended: {seen!r}"
            seen += chunk


def summary(result):
    o, e, rc = result
    assert rc == 0, f"exit {rc}\nstdout:\n{o[-2000:]}\nstderr:\n{e[-2000:]}"
    assert "AddressSanitizer" not in e and "runtime error:" not in e, e
    lines = [json.loads(ln) for ln in o.splitlines() if ln.strip()]
    assert lines and "summary" in lines[-1], o
    return lines[:-1], lines[-1]["summary"]


def live_frames():
    """Frames of every kind the parser knows (tagged ones included), all
    complete and at most 1514 bytes so a veth sends them."""
    return [r.data for r in mixed_records(seed=11, per_kind=6) if len(r.data) <= 1514]


def is_tagged(frame):
    return frame[12:14] in (b"\x81\x00", b"\x88\xa8")


def as_kernel_holds(frame):
    """The frame with its outer VLAN tag taken out, as the kernel holds a
    received one (the tag in metadata); live filters judge this."""
    return frame[:12] + frame[16:] if is_tagged(frame) else frame


def tcpdump_count(tmp_path, frames, expr, name):
    """How many of frames tcpdump's filter expr accepts (offline, frames as sent)."""
    src = write_pcap(tmp_path / f"{name}.pcap", [Record(i, f, len(f)) for i, f in enumerate(frames)])
    res = run(["tcpdump", "-n", "-r", src, "-w", tmp_path / f"{name}-out.pcap", expr])
    assert res.rc == 0, str(res)
    return len(read_pcap(tmp_path / f"{name}-out.pcap")[1])


def test_every_packet_sent_is_counted(netns, tmp_path):
    frames = live_frames()
    assert any(is_tagged(f) for f in frames)
    dump = tmp_path / "live.pcap"
    res = capture(netns, [[tool("pfcount"), "-i", "va", "-j"],
                          # immediate mode with a 32 MiB buffer: libpcap drops nothing
                          ["tcpdump", "-n", "-U", "--immediate-mode", "-s", "2048", "-B", "32768",
                           "-c", len(frames), "-i", "va", "-w", dump]], frames)
    _, s = summary(res[0])
    assert s["module"] == "packet"
    assert s["received"] == len(frames) and s["dropped"] == 0, s
    assert s["device"]["kernel_packets"] == len(frames), s
    # tcpdump saw the same frames, byte for byte (libpcap also puts tags back).
    assert [r.data for r in read_pcap(dump)[1]] == frames


FILTERS = ["udp", "tcp", "vlan", "vlan 100", "host 10.0.0.1", "not ip", "ip6 and udp",
           "greater 1000", "icmp", "arp", "tcp[tcpflags] & tcp-syn != 0",
           "ip[6:2] & 0x1fff != 0", "ether proto 0x88b5"]


def test_kernel_bpf_gives_the_same_count_as_tcpdump(netns, tmp_path):
    """One pfcount and one live tcpdump per filter, all on the same link at
    the same time: pfcount counts what tcpdump -i counts. Live, the kernel
    holds a VLAN tag in metadata and libpcap compiles for that, so `udp`
    matches tagged UDP and `not ip` does not match tagged IP (a capture
    file's semantics differ on both, and on tagged frames only). The
    kernel's verdict stands for every frame (kernel_packets)."""
    frames = live_frames()
    tagged = [f for f in frames if is_tagged(f)]
    assert tagged
    dumps = [tmp_path / f"live-{i}.pcap" for i in range(len(FILTERS))]
    programs = [[tool("pfcount"), "-i", "va", "-j", "-f", f] for f in FILTERS]
    programs += [["tcpdump", "-n", "-U", "--immediate-mode", "-s", "2048", "-B", "32768", "-i", "va",
                  "-w", d, f] for f, d in zip(FILTERS, dumps)]
    res = capture(netns, programs, frames)
    differs = 0
    for i, expr in enumerate(FILTERS):
        _, s = summary(res[i])
        assert res[len(FILTERS) + i][2] == 0, res[len(FILTERS) + i][1]
        live = read_pcap(dumps[i])[1]
        assert s["received"] == len(live), f"filter {expr!r}: pfcount {s['received']}, tcpdump -i {len(live)}"
        assert s["device"]["kernel_packets"] == s["received"], (expr, s)
        differs += len(live) != tcpdump_count(tmp_path, frames, expr, f"file-{i}")
    # the live semantics are in play: some filters count otherwise on a file
    assert differs > 0


def test_sampling_delivers_one_in_rate(netns, tmp_path):
    """Sampling counts what passed the filter (guide 8.9)."""
    frames = live_frames()
    res = capture(netns, [[tool("pfcount"), "-i", "va", "-j", "--sample", "4"],
                          [tool("pfcount"), "-i", "va", "-j", "--sample", "4", "-f", "udp"]], frames)
    _, s = summary(res[0])
    assert s["received"] == (len(frames) + 3) // 4, s
    udp = tcpdump_count(tmp_path, [as_kernel_holds(f) for f in frames], "udp", "udp")  # as tcpdump -i
    _, s = summary(res[1])
    assert s["received"] == (udp + 3) // 4, (s, udp)


def flow_frames(n_flows=24, reps=4):
    """UDP and TCP flows, each in both directions."""
    s = scapy()
    frames = []
    for rep in range(reps):
        for f in range(n_flows):
            a, b = "10.1.0.1", f"10.2.0.{f + 1}"
            l4 = (lambda sp, dp: s.UDP(sport=sp, dport=dp)) if f % 2 else \
                (lambda sp, dp: s.TCP(sport=sp, dport=dp, flags="A"))
            for src, dst, sp, dp in ((a, b, 2000 + f, 80), (b, a, 80, 2000 + f)):
                frames.append(bytes(s.Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") /
                                    s.IP(src=src, dst=dst) / l4(sp, dp) / bytes(10 + rep)))
    return frames


def flow_key(p):
    ends = sorted([(p["src"], p["sport"]), (p["dst"], p["dport"])])
    return (p["l3_proto"], *ends[0], *ends[1])


@pytest.mark.parametrize("ctype", ["per_flow", "5_tuple"])
def test_cluster_of_two_processes_splits_flows(netns, ctype):
    frames = flow_frames()
    res = capture(netns, [[tool("pfcount"), "-i", "va", "-j", "-v", "1", "-c", "77",
                           "--cluster-type", ctype]] * 2, frames)
    keys = []
    for r in res:
        pkts, s = summary(r)
        assert s["received"] == len(pkts)
        keys.append([flow_key(p) for p in pkts])
    assert len(keys[0]) + len(keys[1]) == len(frames), "union is not every frame"
    a, b = set(keys[0]), set(keys[1])
    assert not a & b, f"flows seen by both members: {sorted(a & b)[:5]}"
    assert len(a | b) == 24
    assert a and b, "every flow went to one member"


def test_round_robin_cluster_alternates(netns):
    frames = flow_frames(n_flows=5, reps=10)
    res = capture(netns, [[tool("pfcount"), "-i", "va", "-j", "-c", "78", "--cluster-type",
                           "round_robin"]] * 2, frames)
    got = [summary(r)[1]["received"] for r in res]
    assert got == [len(frames) // 2] * 2, got


def test_cluster_type_the_kernel_cannot_do_is_a_clear_error(netns):
    res = run(netns.cmd(tool("pfcount"), "-i", "va", "-c", "5", "--cluster-type", "2_tuple"))
    assert res.rc == 1, str(res)
    assert "cannot join cluster 5" in res.err and "AF_PACKET" in res.err, str(res)


@pytest.mark.parametrize("args,mention", [
    (["-c", "x"], "-c"), (["-c", "1", "--cluster-type", "hash"], "--cluster-type"),
])
def test_cluster_options_on_the_command_line(args, mention):
    res = run([tool("pfcount"), "-i", "lo", *args])
    assert res.rc == 2, str(res)
    assert res.err.splitlines()[0].startswith("pfcount: ") and mention in res.err


def test_missing_device_is_named(netns):
    res = run(netns.cmd(tool("pfcount"), "-i", "pfr_nodev0"))
    assert res.rc == 1, str(res)
    assert "no network interface named 'pfr_nodev0'" in res.err, str(res)


def test_missing_privileges_are_a_clear_error(netns):
    res = run(netns.cmd("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        tool("pfcount"), "-i", "va"))
    assert res.rc == 1, str(res)
    assert "capturing on va needs CAP_NET_RAW (run as root)" in res.err, str(res)
    assert re.search(r"cannot open va", res.err), str(res)
