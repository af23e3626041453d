"""pfsim testbeds: several processes on shared software NICs.

Every test starts its own pfsim with a unique testbed name, waits for its
"ready" line, and stops it with SIGINT in a finaliser (the shared memory
must be gone afterwards). Packets are identified by their virtual arrival
time (unique per NIC: a wire carries one frame at a time). tcpdump (-n)
judges pcap files.
"""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import DATA, finish, packets_and_summary, run, tool

DEMO = DATA / "demo.pcap"


class Pfsim:
    """A running pfsim: name, process; stop() returns its final counters."""

    def __init__(self, tmp_path, text, name):
        self.name = name
        self.file = tmp_path / f"{name}.tb"
        self.file.write_text(text)
        self.proc = subprocess.Popen([tool("pfsim"), "-n", name, str(self.file)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.proc.stdout.readline().decode()
        assert f"testbed {name} ready" in line, \
            f"pfsim did not start: {line!r} {self.proc.stderr.read().decode() if self.proc.poll() is not None else ''}"
        self.counters = None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            out, err = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
            pytest.fail(f"pfsim {self.name} ignored SIGINT")
        assert self.proc.returncode == 0, err.decode()
        assert "Sanitizer" not in err.decode(), err.decode()
        lines = [ln for ln in out.decode().splitlines() if ln.startswith("{")]
        self.counters = json.loads(lines[-1]) if lines else None
        assert not Path(f"/dev/shm/pfsim.{self.name}").exists(), "pfsim left its shared memory"
        return self.counters

    def nic(self, name):
        return next(n for n in self.counters["nics"] if n["name"] == name)


@pytest.fixture
def pfsim(tmp_path, request):
    started = []

    def start(text, name=None):
        name = name or f"t{os.getpid()}x{len(started)}"
        p = Pfsim(tmp_path, text, name)
        started.append(p)
        return p

    yield start
    for p in started:
        if p.proc.poll() is None:
            p.stop()


def spawn(args):
    return subprocess.Popen([str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def flow_key(p):
    """Both directions of a flow give one key; a non-IP packet's flow is its MAC pair."""
    if p.get("src") is None:
        return ("mac", tuple(sorted([p["smac"], p["dmac"]])))
    ends = sorted([(p.get("src"), p.get("sport")), (p.get("dst"), p.get("dport"))], key=str)
    return (p.get("l3_proto"), p.get("vlan"), tuple(ends))


def tcpdump_bytes(path):
    res = run(["tcpdump", "-n", "-t", "-xx", "-r", path])
    assert res.rc == 0, str(res)
    return res.out


def demo_source(extra=""):
    return f"nic nic0 queues=4\nsource nic0 pcap={DEMO} rate=line wait_for=2 then=end {extra}\n"


@pytest.mark.parametrize("ctype", ["flow", "5", "tcp5", "2"])
def test_two_processes_in_a_per_flow_cluster_see_every_packet_once(pfsim, ctype):
    tb = pfsim(demo_source())
    procs = [spawn([tool("pfcount"), "-i", f"sim:{tb.name}:nic0", "-c", "7", "-H", ctype, "-j", "-v", "1"])
             for _ in range(2)]
    results = [finish(p) for p in procs]
    members = []
    for rc, out, err in results:
        assert rc == 0, err
        pkts, summary = packets_and_summary(out)
        members.append(pkts)
    ids = [p["ts_ns"] for m in members for p in m]
    assert len(ids) == 2000 and len(set(ids)) == 2000, "every packet exactly once"
    assert all(len(m) > 0 for m in members), "both members got packets"
    if ctype in ("flow", "5"):
        flows = [set(flow_key(p) for p in m) for m in members]
        assert not (flows[0] & flows[1]), f"flows split between members: {flows[0] & flows[1]}"
    counters = tb.stop()
    assert tb.nic("nic0")["offered"] == 2000 and tb.nic("nic0")["missed"] == 0


def test_round_robin_cluster_members_differ_by_at_most_one(pfsim):
    tb = pfsim(demo_source())
    procs = [spawn([tool("pfcount"), "-i", f"sim:{tb.name}:nic0", "-c", "3", "-H", "rr", "-j"]) for _ in range(2)]
    got = []
    for p in procs:
        rc, out, err = finish(p)
        assert rc == 0, err
        got.append(packets_and_summary(out)[1]["received"])
    assert sum(got) == 2000 and abs(got[0] - got[1]) <= 1, got


def test_clients_of_separate_queues_split_the_nic_and_match_rss(pfsim):
    tb = pfsim("nic nic0 queues=4\n"
               f"source nic0 pcap={DEMO} rate=line wait_for=4 then=end\n")
    procs = [spawn([tool("pfcount"), "-i", f"sim:{tb.name}:nic0@{q}", "-j"]) for q in range(4)]
    per_queue = []
    for p in procs:
        rc, out, err = finish(p)
        assert rc == 0, err
        per_queue.append(packets_and_summary(out)[1])
    assert sum(s["received"] for s in per_queue) == 2000
    device_queues = [q["delivered"] for q in per_queue[0]["device"]["queues"]]
    assert [s["received"] for s in per_queue] == device_queues
    # the same capture through the in-process NIC puts the same counts on the queues
    res = run([tool("pfcount"), "-i", f"sim:{DEMO},queues=4,rate=line", "-j"])
    assert [q["delivered"] for q in json.loads(res.out.splitlines()[-1])["summary"]["device"]["queues"]] \
        == device_queues


@pytest.mark.parametrize("fc", ["off", "on"])
def test_modelled_consumers_make_the_testbed_count_what_the_in_process_nic_counts(pfsim, fc):
    # a consumer per queue that needs 700 ns a packet, 32 descriptors: the
    # model misses (fc=off) or pauses (fc=on) the same frames in pfsim as
    # in-process, whatever pace the pfcount processes read at
    keys = f"queues=4 ring=32 consumer_ns=700 fc={fc}"
    tb = pfsim(f"nic nic0 {keys}\nsource nic0 pcap={DEMO} rate=line wait_for=4 then=end\n")
    procs = [spawn([tool("pfcount"), "-i", f"sim:{tb.name}:nic0@{q}", "-j", "-v", "1"]) for q in range(4)]
    per_queue = []
    for p in procs:
        rc, out, err = finish(p)
        assert rc == 0, err
        per_queue.append(packets_and_summary(out))
    res = run([tool("pfcount"), "-i", f"sim:{DEMO},{keys.replace(' ', ',')},rate=line", "-j", "-v", "1"])
    assert res.rc == 0, str(res)
    local_pkts, local = packets_and_summary(res.out)
    dev = local["device"]
    nic = tb.stop()["nics"][0]
    for key in ("offered", "delivered", "missed", "pause_frames", "virtual_ns"):
        assert nic[key] == dev[key], (key, nic, dev)
    assert (dev["missed"] > 0) == (fc == "off") and (dev["pause_frames"] > 0) == (fc == "on"), dev
    # the same packets, with the same timestamps, on every queue
    for q in range(4):
        want = [(p["ts_ns"], p["hash"]) for p in local_pkts if p["if_index"] == q]
        got = [(p["ts_ns"], p["hash"]) for p in per_queue[q][0]]
        assert got == want, q


def test_pfbridge_delivers_the_capture_byte_identical(pfsim, tmp_path):
    sink = tmp_path / "bridged.pcap"
    tb = pfsim(f"nic in queues=2\nnic out\nsource in pcap={DEMO} rate=line wait_for=1 then=end\nsink out {sink}\n")
    res = run([tool("pfbridge"), "-a", f"sim:{tb.name}:in", "-b", f"sim:{tb.name}:out", "-j"])
    assert res.rc == 0, str(res)
    assert json.loads(res.out) == {"a_to_b": 2000, "b_to_a": 0}
    tb.stop()
    assert tb.nic("out")["tx_packets"] == 2000
    assert tcpdump_bytes(sink) == tcpdump_bytes(DEMO)


def test_preflect_reflects_through_a_rule_byte_identical(pfsim, tmp_path):
    sink = tmp_path / "reflected.pcap"
    tb = pfsim(f"nic in\nnic out\nsource in pcap={DEMO} rate=line wait_for=1 then=end\nsink out {sink}\n")
    res = run([tool("preflect"), "-i", f"sim:{tb.name}:in", "-o", f"sim:{tb.name}:out", "-j"])
    assert res.rc == 0, str(res)
    assert json.loads(res.out)["reflected"] == 2000
    tb.stop()
    assert tcpdump_bytes(sink) == tcpdump_bytes(DEMO)


def test_bounce_swaps_macs_and_goes_back_out_of_the_input(pfsim, tmp_path):
    sink = tmp_path / "bounced.pcap"
    tb = pfsim(f"nic in\nsource in pcap={DEMO} rate=line wait_for=1 then=end\nsink in {sink}\n")
    res = run([tool("preflect"), "-i", f"sim:{tb.name}:in", "-b", "-j", "-f", "arp"])
    assert res.rc == 0, str(res)
    n = json.loads(res.out)["reflected"]
    arp = run(["tcpdump", "-n", "-e", "-r", DEMO, "arp"]).out.splitlines()
    assert n == len(arp) > 0
    tb.stop()
    out = run(["tcpdump", "-n", "-e", "-r", sink]).out.splitlines()
    assert len(out) == n
    # "SRC > DST" in the input becomes "DST > SRC"
    def macs(line):
        f = line.split()
        return f[1], f[3].rstrip(",")
    assert [macs(a)[::-1] for a in arp] == [macs(b) for b in out]


def test_pfsend_crosses_the_wire_and_tx_is_captured(pfsim):
    tb = pfsim("nic a\nnic b queues=2\nwire a b\n")
    rx = spawn([tool("pfcount"), "-i", f"sim:{tb.name}:b", "-N", "300", "-j"])
    tx_cap = spawn([tool("pfcount"), "-i", f"sim:{tb.name}:a", "-e", "2", "-N", "300", "-j"])
    time.sleep(1.0)  # both clients attached before the first packet
    res = run([tool("pfsend"), "-i", f"sim:{tb.name}:a", "-n", "300", "-b", "16", "-l", "128", "-j"])
    assert res.rc == 0 and json.loads(res.out)["sent"] == 300, str(res)
    for p in (rx, tx_cap):
        rc, out, err = finish(p)
        assert rc == 0, err
        s = packets_and_summary(out)[1]
        assert s["received"] == 300 and s["bytes"] == 300 * 128, s
    tb.stop()
    assert tb.nic("a")["tx_packets"] == 300 and tb.nic("b")["offered"] == 300


def test_pfsend_replays_a_file_into_a_sink(pfsim, tmp_path):
    sink = tmp_path / "sent.pcap"
    tb = pfsim(f"nic a\nsink a {sink}\n")
    res = run([tool("pfsend"), "-i", f"sim:{tb.name}:a", "-f", DEMO, "-j"])
    assert res.rc == 0 and json.loads(res.out)["sent"] == 2000, str(res)
    tb.stop()
    assert tcpdump_bytes(sink) == tcpdump_bytes(DEMO)


def test_flow_control_off_without_clients_counts_missed(pfsim):
    tb = pfsim(f"nic a fc=off\nsource a pcap={DEMO} rate=line then=end\n")
    deadline = time.time() + 20
    while time.time() < deadline:
        res = run([tool("pfcount"), "-i", f"sim:{tb.name}:a", "-j"])
        if res.rc == 0:
            break
        time.sleep(0.1)
    counters = tb.stop()
    a = tb.nic("a")
    assert a["offered"] == 2000 and a["offered"] == a["delivered"] + a["missed"] and a["missed"] > 0


def test_a_client_gets_an_error_when_the_testbed_stops(pfsim):
    tb = pfsim("nic a\n")
    p = spawn([tool("pfcount"), "-i", f"sim:{tb.name}:a", "-j"])
    time.sleep(0.3)
    tb.stop()
    rc, out, err = finish(p, timeout=20)
    assert rc == 1 and "has stopped" in err, err


def test_open_errors_name_what_is_wrong(pfsim):
    res = run([tool("pfcount"), "-i", "sim:nosuchtb:nic0"])
    assert res.rc == 1 and "no pfsim testbed 'nosuchtb'" in res.err, str(res)
    tb = pfsim("nic alpha\nnic beta\n")
    res = run([tool("pfcount"), "-i", f"sim:{tb.name}:gamma"])
    assert res.rc == 1 and "no nic 'gamma'" in res.err and "alpha, beta" in res.err, str(res)
    res = run([tool("pfcount"), "-i", f"sim:{tb.name}:alpha,queues=2"])
    assert res.rc == 1 and "takes only the options user= and group=" in res.err, str(res)


@pytest.mark.parametrize("text,message", [
    ("nic a queues=0\n", "line 1: queues='0'"),
    ("nic a\nsource b pcap=x\n", "line 2: source on unknown nic 'b'"),
    ("nic a\nwire a a\n", "to itself"),
    ("frobnicate\n", "unknown statement 'frobnicate'"),
    ("# nothing\n", "no nic"),
    ("nic a\nsource a pcap=/nonexistent/file.pcap\n", "/nonexistent/file.pcap"),
    # accepted by the parser once, refused by the engine: pfsim crashed
    ("nic a consumer_ns=100 ring=1\n", "line 1: nic 'a': flow control needs"),
    ("nic a\nsink a /tmp/x.pcap\0.evil\n", "line 2: a NUL byte"),
])
def test_pfsim_rejects_a_bad_testbed_file(tmp_path, text, message):
    f = tmp_path / "bad.tb"
    f.write_text(text)
    res = run([tool("pfsim"), "-n", f"bad{os.getpid()}", str(f)])
    assert res.rc == 1 and message in res.err, str(res)
    assert not Path(f"/dev/shm/pfsim.bad{os.getpid()}").exists()


def test_a_second_pfsim_with_the_same_name_is_refused(pfsim, tmp_path):
    tb = pfsim("nic a\n")
    res = run([tool("pfsim"), "-n", tb.name, str(tb.file)])
    assert res.rc == 1 and "already run by pfsim" in res.err, str(res)


def test_testbed_results_are_identical_across_runs(pfsim):
    outs = []
    for i in range(2):
        tb = pfsim(demo_source(), name=f"rep{os.getpid()}")  # one name: it is in the output
        procs = [spawn([tool("pfcount"), "-i", f"sim:{tb.name}:nic0", "-c", "9", "-H", "flow", "-j", "-v", "1"])
                 for _ in range(2)]
        got = sorted(finish(p)[1] for p in procs)
        outs.append(got)
        tb.stop()
    assert outs[0] == outs[1]


def test_preflect_bouncing_into_a_full_tx_ring_stops_at_once_on_sigterm(pfsim):
    # b's only client is stopped: its ring fills, flow control stalls the
    # wire, and preflect's TX ring on a fills with bounces. SIGTERM must
    # still end preflect promptly (each bounce once waited for TX room
    # inside a receive that kept refilling: minutes).
    tb = pfsim("testbed ring=64\nnic a\nnic b\nwire a b\n"
               "source a synthetic count=100000000 wait_for=1 then=end\n")
    sink = spawn([tool("pfcount"), "-i", f"sim:{tb.name}:b"])
    time.sleep(0.5)
    sink.send_signal(signal.SIGSTOP)
    p = spawn([tool("preflect"), "-i", f"sim:{tb.name}:a", "-b", "-j"])
    try:
        time.sleep(1.5)
        assert p.poll() is None, p.stderr.read().decode()
        t0 = time.time()
        p.send_signal(signal.SIGTERM)
        rc, out, err = finish(p, timeout=20)
        assert time.time() - t0 < 3, f"preflect took {time.time() - t0:.1f} s to stop"
        assert rc == 0 and '"reflected"' in out, (rc, out, err)
    finally:
        sink.send_signal(signal.SIGCONT)
        sink.send_signal(signal.SIGINT)
        finish(sink)
