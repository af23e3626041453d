"""Command lines of the tools: -h, bad and missing arguments, alldevs, and
the demo capture that ships in tests/data."""

import os
import re
import subprocess

import pytest

from conftest import DATA, PCAP_MAGIC_NSEC, TIMEOUT, read_pcap, run, run_tool

TOOLS = ["pfcount", "pfdump", "alldevs"]


@pytest.mark.parametrize("name", TOOLS)
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_exits_zero(name, flag):
    res = run_tool(name, flag)
    assert res.rc == 0, str(res)
    assert res.out.startswith(f"Usage: {name}"), str(res)
    assert res.err == ""


@pytest.mark.parametrize("name", TOOLS)
@pytest.mark.parametrize("opt", ["-Z", "--no-such-option"])
def test_unknown_option(name, opt):
    res = run_tool(name, opt)
    assert res.rc == 2, str(res)
    assert f"unknown option '{opt}'" in res.err, str(res)
    assert f"Usage: {name}" in res.err, "usage on stderr"
    assert res.out == ""


# (tool, arguments, what the message must mention)
BAD_COMMAND_LINES = [
    ("pfcount", [], "no device"),
    ("pfcount", ["-i"], "'-i' needs an argument"),
    ("pfcount", ["-i", "lo", "-N", "abc"], "-N"),
    ("pfcount", ["-i", "lo", "-N", "-5"], "-N"),
    ("pfcount", ["-i", "lo", "-N", "99999999999999999999999"], "-N"),
    ("pfcount", ["-i", "lo", "-l", "0"], "-l"),
    ("pfcount", ["-i", "lo", "-l", "300000"], "-l"),
    ("pfcount", ["-i", "lo", "-l", "12x"], "-l"),
    ("pfcount", ["-i", "lo", "-e", "3"], "-e"),
    ("pfcount", ["-i", "lo", "-v", "3"], "-v"),
    ("pfcount", ["-i", "lo", "-v"], "'-v' needs an argument"),
    ("pfcount", ["-i", "lo", "--sample", "0"], "--sample"),
    ("pfcount", ["-i", "lo", "--sample"], "'--sample' needs an argument"),
    ("pfcount", ["-i", "lo", "stray"], "unexpected argument 'stray'"),
    ("pfdump", [], "no device"),
    ("pfdump", ["-i", "lo"], "no output file"),
    ("pfdump", ["-w", "x.pcap"], "no device"),
    ("pfdump", ["-i", "lo", "-w"], "'-w' needs an argument"),
    ("pfdump", ["-i", "lo", "-w", "x.pcap", "-l", "0"], "-l"),
    ("pfdump", ["-i", "lo", "-w", "x.pcap", "-N", "1.5"], "-N"),
    ("pfdump", ["-i", "lo", "-w", "x.pcap", "tcp"], "unexpected argument 'tcp'"),
    ("alldevs", ["extra"], "unexpected argument 'extra'"),
]


@pytest.mark.parametrize("name,args,mention", BAD_COMMAND_LINES,
                         ids=[f"{t}:{' '.join(a) or 'none'}" for t, a, _ in BAD_COMMAND_LINES])
def test_bad_command_lines(name, args, mention):
    res = run_tool(name, *args)
    assert res.rc == 2, str(res)
    first = res.err.splitlines()[0]
    assert first.startswith(f"{name}: ") and mention in first, str(res)
    assert f"Usage: {name}" in res.err


def alldevs_rows():
    res = run_tool("alldevs")
    assert res.rc == 0, str(res)
    lines = res.out.splitlines()
    assert lines, str(res)
    assert lines[0] != "No devices found", "the pcap module is always there"
    assert lines[0].split()[:5] == ["NAME", "MODULE", "MAC", "IFINDEX", "RX_CHANNELS"]
    rows = [ln.split(None, 5) for ln in lines[1:-1]]
    m = re.fullmatch(r"(\d+) devices?", lines[-1])
    assert m and int(m.group(1)) == len(rows) > 0, res.out
    for row in rows:
        assert len(row) >= 5, row
        assert re.fullmatch(r"([0-9a-f]{2}:){5}[0-9a-f]{2}", row[2]), row
        assert int(row[3]) >= -1 and int(row[4]) >= 0, row
    return rows, res.out


def test_alldevs_lists_the_modules():
    rows, out = alldevs_rows()
    assert "pcap" in {r[1] for r in rows}, out


def test_alldevs_lists_every_module():
    """One entry per registered module that lists devices (pcap, sim);
    network interfaces come with the packet/kernel modules (issue 4)."""
    rows, out = alldevs_rows()
    modules = {r[1] for r in rows}
    assert {"pcap", "sim"} <= modules, out
    assert any(r[0].startswith("sim:") for r in rows), out


# ---- the demo capture ------------------------------------------------------

def test_demo_capture_is_shipped_and_small():
    demo = DATA / "demo.pcap"
    assert demo.stat().st_size < 400 * 1024
    hdr, recs = read_pcap(demo)
    assert hdr["magic"] == PCAP_MAGIC_NSEC and hdr["linktype"] == 1
    assert 1500 <= len(recs) <= 2500
    times = [r.ts_ns for r in recs]
    assert times == sorted(times) and len(set(times)) == len(times), "recorded gaps"
    assert any(t % 1000 for t in times), "nanosecond timestamps"


def test_demo_capture_is_reproducible(tmp_path):
    out = tmp_path / "demo.pcap"
    proc = subprocess.run(["/usr/bin/python3", str(DATA / "make_demo_pcap.py"), str(out)],
                          capture_output=True, timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stderr.decode()
    assert out.read_bytes() == (DATA / "demo.pcap").read_bytes(), \
        "tests/data/demo.pcap differs from what make_demo_pcap.py writes"


def test_demo_capture_has_the_advertised_mix():
    res = run(["tshark", "-n", "-r", str(DATA / "demo.pcap"), "-T", "fields",
               "-e", "frame.protocols"])
    assert res.rc == 0, str(res)
    protos = res.out
    for p in ("eth:ethertype:ip:tcp", "eth:ethertype:ip:udp", "eth:ethertype:ipv6:tcp",
              "eth:ethertype:ipv6:udp", "eth:ethertype:vlan:ethertype:ip", ":icmp",
              ":icmpv6", "eth:ethertype:arp", "dns"):
        assert p in protos, f"no {p} in the demo capture"


def test_demo_runs_with_pfcount():
    """What ci/demo.sh does."""
    res = run_tool("pfcount", "-i", f"pcap:{DATA / 'demo.pcap'}")
    assert res.rc == 0, str(res)
    n = len(read_pcap(DATA / "demo.pcap")[1])
    assert f"[{n} pkts rcvd]" in res.out
