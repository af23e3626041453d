"""The userspace and multi modules across processes, with the real tools.

userspace:NAME joins two processes through /dev/shm/pfring-usr.NAME: every
test uses its own name and removes the file in a finaliser whatever
happens. pfcount is started first (it creates the ring, end A) and pfsend
joins it (end B). multi: reads capture files through pfcount; the judge
of counts and bytes is our own pcap reader over the same files.
"""

import itertools
import json
import os
import signal
import struct
import subprocess
import time
from pathlib import Path

import pytest

from conftest import DATA, TIMEOUT, finish, packets_and_summary, read_pcap, run_tool, tool

DEMO = DATA / "demo.pcap"


_ring_ids = itertools.count()


@pytest.fixture
def ring_name():
    """A fresh ring name; its shared memory is removed after the test."""
    name = f"it{os.getpid()}x{next(_ring_ids)}"
    path = Path(f"/dev/shm/pfring-usr.{name}")
    if path.exists():
        path.unlink()
    procs = []
    yield name, procs
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.communicate()
    if path.exists():
        path.unlink()


def spawn(procs, *args):
    p = subprocess.Popen([str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    procs.append(p)
    return p


def wait_for_ring(name, proc, timeout=10):
    """Waits until the ring's shared memory exists (its creator is up)."""
    path = Path(f"/dev/shm/pfring-usr.{name}")
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, f"{proc.args} exited early: {proc.communicate()[1].decode()}"
        assert time.monotonic() < deadline, f"{path} did not appear"
        time.sleep(0.01)


def wait_for_end_b(name, proc, timeout=10):
    """Waits until a second process has joined the ring as end B (state bit 2
    of the header word at byte 48, userspace_module.h)."""
    path = Path(f"/dev/shm/pfring-usr.{name}")
    deadline = time.monotonic() + timeout
    while True:
        with open(path, "rb") as f:
            head = f.read(52)
        if len(head) == 52 and struct.unpack_from("<I", head, 48)[0] & 2:
            return
        assert proc.poll() is None, f"{proc.args} exited early: {proc.communicate()[1].decode()}"
        assert time.monotonic() < deadline, "end B did not join"
        time.sleep(0.01)


def demo_bytes():
    return sum(r.orig_len for r in read_pcap(DEMO)[1])


@pytest.mark.parametrize("limit", [True, False], ids=["count_limit", "until_eof"])
def test_pfsend_to_pfcount_counts_every_packet_and_byte(ring_name, limit):
    name, procs = ring_name
    dev = f"userspace:{name}"
    count_args = ["-N", "1000"] if limit else []
    rx = spawn(procs, tool("pfcount"), "-i", dev, "-j", *count_args)
    wait_for_ring(name, rx)
    sent = run_tool("pfsend", "-i", dev, "-n", "1000", "-l", "128", "-j")
    assert sent.rc == 0, str(sent)
    tx = json.loads(sent.out.splitlines()[-1])
    assert tx["sent"] == 1000 and tx["bytes"] == 128000, sent.out
    rc, out, err = finish(rx)
    assert rc == 0, err
    _, s = packets_and_summary(out)
    assert s["packets"] == 1000 and s["received"] == 1000, out
    assert s["bytes"] == tx["bytes"], out
    assert s["module"] == "userspace"
    assert s["device"]["end"] == "A" and s["device"]["received"] == 1000, out
    assert not Path(f"/dev/shm/pfring-usr.{name}").exists(), "the last closer must remove the ring"


def test_a_sender_that_dies_ends_the_receiver(ring_name):
    name, procs = ring_name
    dev = f"userspace:{name}"
    rx = spawn(procs, tool("pfcount"), "-i", dev, "-j")
    wait_for_ring(name, rx)
    tx = spawn(procs, tool("pfsend"), "-i", dev, "-n", "0", "-p", "2000")
    time.sleep(0.5)
    assert tx.poll() is None, finish(tx)[2]
    tx.send_signal(signal.SIGKILL)
    tx.wait(timeout=TIMEOUT)
    rc, out, err = finish(rx)
    assert rc == 0, err
    _, s = packets_and_summary(out)
    assert s["packets"] > 0 and s["device"]["peer"] == "closed", out
    assert not Path(f"/dev/shm/pfring-usr.{name}").exists()


def test_a_third_opener_is_refused(ring_name):
    name, procs = ring_name
    dev = f"userspace:{name}"
    a = spawn(procs, tool("pfcount"), "-i", dev, "-j")
    wait_for_ring(name, a)
    b = spawn(procs, tool("pfcount"), "-i", dev, "-j")
    wait_for_end_b(name, b)
    third = run_tool("pfcount", "-i", dev, "-N", "1")
    assert third.rc == 1, str(third)
    assert f"pfcount: cannot open {dev}: userspace: userspace ring '{name}' already has both ends (pids" \
        in third.err, str(third)
    for p in (a, b):
        p.send_signal(signal.SIGINT)
    for p in (a, b):
        rc, out, err = finish(p)
        assert rc == 0, err
        packets_and_summary(out)
    assert not Path(f"/dev/shm/pfring-usr.{name}").exists()


@pytest.mark.parametrize("opts,want", [
    (",slots=3", "userspace option slots='3': want a power of two in 2..1048576"),
    (",slot=10", "userspace option slot='10': want bytes per slot in 64..1048576"),
    (",speed=1", "unknown userspace option 'speed' (slots, slot, user, group)"),
    ("@1", "has no queues"),
])
def test_bad_userspace_options_are_clear_errors(ring_name, opts, want):
    name, _ = ring_name
    res = run_tool("pfcount", "-i", f"userspace:{name}{opts}")
    assert res.rc == 1, str(res)
    assert want in res.err, str(res)
    assert not Path(f"/dev/shm/pfring-usr.{name}").exists()


def test_bad_ring_name_is_a_clear_error():
    res = run_tool("pfsend", "-i", "userspace:no/slash", "-n", "1")
    assert res.rc == 1, str(res)
    assert "userspace ring name 'no/slash': want 1..31 of A-Z a-z 0-9 _ -" in res.err, str(res)


def test_multi_counts_both_files():
    dev = f"multi:pcap:{DEMO};pcap:{DEMO}"
    res = run_tool("pfcount", "-i", dev, "-j")
    assert res.rc == 0, str(res)
    _, s = packets_and_summary(res.out)
    assert s["packets"] == 4000 and s["received"] == 4000, res.out
    assert s["bytes"] == 2 * demo_bytes(), res.out
    assert s["module"] == "multi"
    members = s["device"]["members"]
    assert [m["packets"] for m in members] == [2000, 2000], res.out
    assert all(m["ended"] and m["stats"]["eof"] for m in members), res.out


def test_multi_marks_each_packet_with_its_member():
    dev = f"multi:pcap:{DEMO};pcap:{DEMO}"
    res = run_tool("pfcount", "-i", dev, "-j", "-v", "1")
    assert res.rc == 0, str(res)
    pkts, s = packets_and_summary(res.out)
    assert len(pkts) == 4000
    by_member = [[p["ts_ns"] for p in pkts if p["if_index"] == i] for i in (0, 1)]
    file_ts = [r.ts_ns for r in read_pcap(DEMO)[1]]
    assert by_member[0] == file_ts and by_member[1] == file_ts


def test_multi_with_a_bpf_filter_filters_every_member():
    dev = f"multi:pcap:{DEMO};pcap:{DEMO}"
    whole = run_tool("pfcount", "-i", f"pcap:{DEMO}", "-j", "-f", "tcp")
    both = run_tool("pfcount", "-i", dev, "-j", "-f", "tcp")
    assert whole.rc == 0 and both.rc == 0, str(both)
    n = packets_and_summary(whole.out)[1]["packets"]
    assert 0 < n < 2000
    assert packets_and_summary(both.out)[1]["packets"] == 2 * n


@pytest.mark.parametrize("dev,want", [
    (f"multi:pcap:{DEMO};nosuch:x", "member 1 'nosuch:x': unknown module 'nosuch'"),
    (f"multi:pcap:{DEMO};pcap:/nonexistent.pcap",
     "member 1 'pcap:/nonexistent.pcap': pcap: cannot open capture file '/nonexistent.pcap'"),
    (f"multi:pcap:{DEMO};;pcap:{DEMO}", "is empty (members are separated by ';')"),
    ("multi:pcap:a;multi:pcap:b", "multi: does not nest"),
])
def test_multi_errors_name_the_member(dev, want):
    res = run_tool("pfcount", "-i", dev, "-j")
    assert res.rc == 1, str(res)
    assert f"pfcount: cannot open {dev}: multi: " in res.err, str(res)
    assert want in res.err, str(res)
