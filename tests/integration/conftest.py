"""Shared helpers for the integration tests of the command-line tools.

The tools under test come from $PFRING_BIN (default /work/main/build/bin).
Captures are written here, with exact nanosecond timestamps and explicit
caplen/len, by a small pcap writer of our own; packet bytes are built with
scapy (explicit MAC addresses, no name resolution). The judges are tcpdump
(always -n) and tshark, never the code under test.
"""

import json
import os
import random
import re
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("PFRING_BIN", "/work/main/build/bin"))
DATA = REPO / "tests" / "data"
TIMEOUT = 60  # seconds; no test may hang

PCAP_MAGIC_USEC = 0xA1B2C3D4
PCAP_MAGIC_NSEC = 0xA1B23C4D
LINKTYPE_ETHERNET = 1

# Any of these in a tool's stderr means memory or UB trouble (sanitized builds).
SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error:",
                     "UndefinedBehaviorSanitizer", "ThreadSanitizer")


# ---- running programs -------------------------------------------------------

@dataclass
class Result:
    args: list
    rc: int
    out: str
    err: str

    def __str__(self):
        return (f"command: {' '.join(map(str, self.args))}\nexit: {self.rc}\n"
                f"stdout:\n{self.out[-3000:]}\nstderr:\n{self.err[-3000:]}")


def tool(name):
    path = BIN / name
    assert path.is_file() and os.access(path, os.X_OK), \
        f"{path} is missing: build the tools first (cmake --build build)"
    return str(path)


def run(args, timeout=TIMEOUT, stdin=None):
    """Runs a program; returns a Result. Fails on a crash or sanitizer report."""
    proc = subprocess.run([str(a) for a in args], capture_output=True, timeout=timeout,
                          stdin=subprocess.DEVNULL if stdin is None else stdin)
    res = Result(list(args), proc.returncode,
                 proc.stdout.decode("utf-8", "replace"),
                 proc.stderr.decode("utf-8", "replace"))
    assert res.rc >= 0, f"killed by signal {-res.rc}\n{res}"
    assert res.rc < 128, f"abnormal exit\n{res}"
    for marker in SANITIZER_MARKERS:
        assert marker not in res.err, f"sanitizer report\n{res}"
    return res


def finish(proc, timeout=TIMEOUT):
    """Waits for a Popen started with stdout/stderr pipes; returns (rc, out, err).
    Fails on a hang (the process is killed) or a sanitizer report."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"{proc.args} did not finish:\n{err.decode()}")
    assert "Sanitizer" not in err.decode() and "runtime error" not in err.decode(), err.decode()
    return proc.returncode, out.decode(), err.decode()


def packets_and_summary(out):
    """pfcount -j output: (packet objects, the summary object)."""
    objs = [json.loads(ln) for ln in out.splitlines() if ln.startswith("{")]
    assert objs and "summary" in objs[-1], f"no summary line:\n{out[-2000:]}"
    return [o for o in objs if "summary" not in o], objs[-1]["summary"]


def tool_summary(res):
    """The {"summary": ...} object a tool's -j output ends with (it must
    have exited 0)."""
    assert res.rc == 0, str(res)
    objs = [json.loads(ln) for ln in res.out.splitlines() if ln.startswith("{")]
    assert objs and "summary" in objs[-1], str(res)
    return objs[-1]["summary"]


def frames_of(path):
    """The frames of a pcap file, in order."""
    return [r.data for r in read_pcap(path)[1]]


def run_tool(name, *args, timeout=TIMEOUT):
    return run([tool(name), *args], timeout=timeout)


def pfcount_json(capture, *args, expect_rc=0):
    """pfcount -i pcap:CAPTURE -j ARGS; returns (packet objects, summary, Result)."""
    res = run_tool("pfcount", "-i", f"pcap:{capture}", "-j", *args)
    assert res.rc == expect_rc, str(res)
    lines = [ln for ln in res.out.splitlines() if ln.strip()]
    assert lines, f"no JSON output\n{res}"
    objs = []
    for ln in lines:
        try:
            objs.append(json.loads(ln))
        except json.JSONDecodeError as e:
            raise AssertionError(f"not a JSON line: {ln!r} ({e})\n{res}")
    assert "summary" in objs[-1], f"last line is not the summary\n{res}"
    for o in objs[:-1]:
        assert "summary" not in o, f"summary before the end\n{res}"
    return objs[:-1], objs[-1]["summary"], res


def tcpdump_filter(capture, expr, out_path):
    """tcpdump -n -r CAPTURE -w OUT EXPR (nanosecond precision); returns the records."""
    args = ["tcpdump", "-n", "--time-stamp-precision=nano", "-r", capture, "-w", out_path]
    if expr:
        args.append(expr)
    res = run(args)
    assert res.rc == 0, str(res)
    return read_pcap(out_path)[1]


def tcpdump_error(capture, expr):
    """libpcap's message for a bad filter, as tcpdump reports it."""
    res = run(["tcpdump", "-n", "-r", capture, expr])
    assert res.rc != 0, f"tcpdump accepted {expr!r}"
    msgs = [ln for ln in res.err.splitlines() if ln.startswith("tcpdump: ")]
    assert msgs, str(res)
    return msgs[-1][len("tcpdump: "):]


def tshark_fields(capture, *fields):
    args = ["tshark", "-n", "-r", capture, "-T", "fields"]
    for f in fields:
        args += ["-e", f]
    res = run(args)
    assert res.rc == 0, str(res)
    return [ln.split("\t") for ln in res.out.splitlines() if ln.strip()]


# ---- the pcap format --------------------------------------------------------

@dataclass
class Record:
    ts_ns: int
    data: bytes
    orig_len: int


def write_pcap(path, records, nano=True, snaplen=65535, linktype=LINKTYPE_ETHERNET,
               byteorder="<"):
    """records: iterable of Record (or (ts_ns, data[, orig_len]) tuples)."""
    magic = PCAP_MAGIC_NSEC if nano else PCAP_MAGIC_USEC
    with open(path, "wb") as f:
        f.write(struct.pack(byteorder + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype))
        for r in records:
            if not isinstance(r, Record):
                r = Record(r[0], bytes(r[1]), r[2] if len(r) > 2 else len(r[1]))
            sec, frac = divmod(r.ts_ns, 10**9)
            if not nano:
                frac //= 1000
            f.write(struct.pack(byteorder + "IIII", sec, frac, len(r.data), r.orig_len))
            f.write(r.data)
    return path


def read_pcap(path):
    """Returns ({magic, nano, snaplen, linktype, byteorder}, [Record]). Strict."""
    raw = Path(path).read_bytes()
    assert len(raw) >= 24, f"{path}: {len(raw)} bytes, no pcap header"
    for bo in "<>":
        magic = struct.unpack(bo + "I", raw[:4])[0]
        if magic in (PCAP_MAGIC_USEC, PCAP_MAGIC_NSEC):
            break
    else:
        raise AssertionError(f"{path}: bad magic {raw[:4].hex()}")
    _, major, minor, _, _, snaplen, linktype = struct.unpack(bo + "IHHiIII", raw[:24])
    nano = magic == PCAP_MAGIC_NSEC
    hdr = dict(magic=magic, nano=nano, version=(major, minor), snaplen=snaplen,
               linktype=linktype, byteorder=bo)
    recs, off = [], 24
    while off < len(raw):
        assert off + 16 <= len(raw), f"{path}: truncated record header at {off}"
        sec, frac, incl, orig = struct.unpack(bo + "IIII", raw[off:off + 16])
        off += 16
        assert off + incl <= len(raw), f"{path}: truncated record data at {off}"
        recs.append(Record(sec * 10**9 + (frac if nano else frac * 1000),
                           raw[off:off + incl], orig))
        off += incl
    return hdr, recs


# ---- building packets -------------------------------------------------------

def scapy():
    """scapy.all, imported on first use (slow to import)."""
    import scapy.all as s  # noqa: PLC0415
    s.conf.verb = 0
    s.conf.noenum.add(s.TCP.sport, s.TCP.dport, s.UDP.sport, s.UDP.dport)
    return s


MACS = ["00:11:22:33:44:%02x" % i for i in range(1, 7)]
HOSTS4 = ["10.0.0.1", "10.0.0.2", "10.0.0.77", "192.168.1.10", "172.16.5.4", "8.8.8.8"]
HOSTS6 = ["fd00::1", "fd00::2", "2001:db8::10", "2001:db8:1::abcd", "fe80::1"]
PORTS = [53, 80, 443, 1234, 1500, 2000, 5353, 8080, 40000, 65535]


def _payload(rng, lo=0, hi=1200):
    return bytes(rng.getrandbits(8) for _ in range(rng.randint(lo, hi)))


def random_packet(rng, kind=None):
    """One packet (scapy object) of a random or given kind."""
    s = scapy()
    kinds = ["tcp4", "udp4", "dns4", "icmp4", "tcp6", "udp6", "icmp6", "vlan_tcp4",
             "vlan_udp6", "qinq_udp4", "arp", "frag4", "frag6", "hbh6", "other", "syn4"]
    kind = kind or rng.choice(kinds)
    eth = s.Ether(src=rng.choice(MACS), dst=rng.choice(MACS))
    h4 = lambda: rng.choice(HOSTS4)  # noqa: E731
    h6 = lambda: rng.choice(HOSTS6)  # noqa: E731
    port = lambda: rng.choice(PORTS + [rng.randint(1, 65535)])  # noqa: E731
    flags = lambda: rng.choice(["S", "SA", "A", "PA", "FA", "R", "RA", "U"])  # noqa: E731
    if kind == "tcp4":
        return eth / s.IP(src=h4(), dst=h4(), ttl=rng.randint(1, 255)) / \
            s.TCP(sport=port(), dport=port(), flags=flags(), seq=rng.getrandbits(32)) / \
            _payload(rng)
    if kind == "syn4":
        return eth / s.IP(src=h4(), dst=h4()) / s.TCP(sport=port(), dport=port(), flags="S")
    if kind == "udp4":
        return eth / s.IP(src=h4(), dst=h4()) / s.UDP(sport=port(), dport=port()) / \
            _payload(rng)
    if kind == "dns4":
        return eth / s.IP(src=h4(), dst=h4()) / s.UDP(sport=rng.randint(1024, 65535),
                                                       dport=53) / _payload(rng, 12, 200)
    if kind == "icmp4":
        return eth / s.IP(src=h4(), dst=h4()) / \
            s.ICMP(type=rng.choice([0, 8, 3, 11]), code=rng.choice([0, 1])) / \
            _payload(rng, 0, 100)
    if kind == "tcp6":
        return eth / s.IPv6(src=h6(), dst=h6()) / \
            s.TCP(sport=port(), dport=port(), flags=flags()) / _payload(rng)
    if kind == "udp6":
        return eth / s.IPv6(src=h6(), dst=h6()) / s.UDP(sport=port(), dport=port()) / \
            _payload(rng)
    if kind == "icmp6":
        return eth / s.IPv6(src=h6(), dst=h6()) / s.ICMPv6EchoRequest(id=7, seq=rng.randint(0, 99))
    if kind == "vlan_tcp4":
        return eth / s.Dot1Q(vlan=rng.choice([1, 100, 200, 4094])) / s.IP(src=h4(), dst=h4()) / \
            s.TCP(sport=port(), dport=port(), flags=flags()) / _payload(rng)
    if kind == "vlan_udp6":
        return eth / s.Dot1Q(vlan=rng.choice([100, 300])) / s.IPv6(src=h6(), dst=h6()) / \
            s.UDP(sport=port(), dport=port()) / _payload(rng)
    if kind == "qinq_udp4":
        return eth / s.Dot1Q(vlan=rng.choice([10, 20])) / s.Dot1Q(vlan=rng.choice([100, 200])) / \
            s.IP(src=h4(), dst=h4()) / s.UDP(sport=port(), dport=port()) / _payload(rng, 0, 300)
    if kind == "arp":
        return eth / s.ARP(op=rng.choice([1, 2]), hwsrc=eth.src, psrc=h4(), pdst=h4())
    if kind == "frag4":
        whole = s.IP(src=h4(), dst=h4(), id=rng.randint(1, 65535)) / \
            s.UDP(sport=port(), dport=port()) / _payload(rng, 600, 1400)
        frags = s.fragment(whole, fragsize=rng.choice([256, 512]))
        return eth / rng.choice(frags)
    if kind == "frag6":
        whole = s.IPv6(src=h6(), dst=h6()) / s.IPv6ExtHdrFragment(id=rng.getrandbits(32)) / \
            s.UDP(sport=port(), dport=port()) / _payload(rng, 800, 1300)
        frags = s.fragment6(whole, 600)
        return eth / rng.choice(frags)
    if kind == "hbh6":
        return eth / s.IPv6(src=h6(), dst=h6()) / s.IPv6ExtHdrHopByHop() / \
            s.TCP(sport=port(), dport=port(), flags=flags()) / _payload(rng, 0, 300)
    if kind == "other":
        return s.Ether(src=rng.choice(MACS), dst=rng.choice(MACS), type=0x88B5) / \
            _payload(rng, 46, 200)
    raise ValueError(kind)


def random_records(seed, n=300, truncate_some=True):
    """A seeded random capture: n records of mixed traffic with ns timestamps.

    A few records are cut short (caplen < len) and a few are runts shorter
    than an Ethernet+IP header, as real captures have."""
    rng = random.Random(seed)
    ts = 1_600_000_000_000_000_000 + rng.randint(0, 10**15)
    recs = []
    for _ in range(n):
        data = bytes(random_packet(rng))
        orig = len(data)
        roll = rng.random()
        if truncate_some and roll < 0.03:
            data = data[:rng.randint(14, max(14, len(data) - 1))]
        elif truncate_some and roll < 0.04:
            data = data[:rng.randint(1, 20)]
            orig = len(data)
        ts += rng.choice([1, 999, rng.randint(1, 10**9)])
        recs.append(Record(ts, data, orig))
    return recs


MIXED_KINDS = ["tcp4", "syn4", "udp4", "dns4", "icmp4", "tcp6", "udp6", "icmp6", "vlan_tcp4",
               "vlan_udp6", "qinq_udp4", "arp", "frag4", "frag6", "hbh6", "other"]


def mixed_records(seed=7, per_kind=8):
    """Every kind of packet several times, shuffled, plus host 10.0.0.1 for sure."""
    rng = random.Random(seed)
    kinds = [k for k in MIXED_KINDS for _ in range(per_kind)]
    rng.shuffle(kinds)
    ts = 1_700_000_000_123_456_789
    recs = []
    for k in kinds:
        data = bytes(random_packet(rng, k))
        ts += rng.randint(1, 5 * 10**6)
        recs.append(Record(ts, data, len(data)))
    s = scapy()
    syn = bytes(s.Ether(src=MACS[0], dst=MACS[1]) / s.IP(src="10.0.0.1", dst="10.0.0.2") /
                s.TCP(sport=1234, dport=80, flags="S"))
    recs.append(Record(ts + 1000, syn, len(syn)))
    return recs


# ---- fixtures ---------------------------------------------------------------

@pytest.fixture(scope="session")
def mixed_pcap(tmp_path_factory):
    """A capture with every kind of packet (nanosecond file)."""
    path = tmp_path_factory.mktemp("mixed") / "mixed.pcap"
    return str(write_pcap(path, mixed_records()))


@pytest.fixture(scope="session")
def random_pcaps(tmp_path_factory):
    """Several seeded random captures: {seed: path}."""
    d = tmp_path_factory.mktemp("random")
    return {seed: str(write_pcap(d / f"random-{seed}.pcap", random_records(seed)))
            for seed in (1, 2, 3, 4, 5)}


# Filter expressions compared against tcpdump; '' means no filter.
FILTERS = [
    "", "tcp", "udp", "udp port 53", "ip", "ip6", "vlan", "icmp", "icmp6", "arp",
    "host 10.0.0.1", "net 10.0.0.0/24", "tcp[tcpflags] & tcp-syn != 0", "not ip",
    "vlan and udp", "vlan 100", "ip and len > 200", "greater 1000", "less 100",
    "ip[6:2] & 0x1fff != 0", "ether host 00:11:22:33:44:01", "portrange 1000-2000",
    "src host fd00::1", "ip6 and udp", "ether proto 0x88b5",
]


def filter_id(expr):
    return re.sub(r"[^A-Za-z0-9]+", "_", expr).strip("_") or "none"
