"""pfcount against tcpdump and scapy: counts, bytes, per-packet fields,
-N, --sample, snaplen, statistics format and malformed input."""

import errno
import ipaddress
import json
import math
import os
import re
import signal
import struct
import subprocess
import time

import pytest

from conftest import (DATA, FILTERS, MACS, PCAP_MAGIC_NSEC, TIMEOUT, Record, filter_id, mixed_records,
                      pfcount_json, read_pcap, run, run_tool, scapy, tcpdump_error,
                      tcpdump_filter, tool, write_pcap)


def expected_counts(capture, expr, tmp_path):
    recs = tcpdump_filter(capture, expr, str(tmp_path / "ref.pcap"))
    return len(recs), sum(r.orig_len for r in recs)


def check_summary(summary, n, nbytes):
    assert summary["received"] == n, summary
    assert summary["packets"] == n, summary
    assert summary["bytes"] == nbytes, summary
    assert summary["dropped"] == 0, summary
    assert isinstance(summary["device"], dict), summary


# ---- counts and bytes against tcpdump --------------------------------------

@pytest.mark.parametrize("expr", FILTERS, ids=filter_id)
def test_filter_counts_match_tcpdump(mixed_pcap, expr, tmp_path):
    n, nbytes = expected_counts(mixed_pcap, expr, tmp_path)
    _, summary, _ = pfcount_json(mixed_pcap, "-f", expr)
    check_summary(summary, n, nbytes)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_random_captures_match_tcpdump(random_pcaps, seed, tmp_path):
    capture = random_pcaps[seed]
    checked = 0
    for expr in ["", "tcp", "udp", "ip6", "vlan", "icmp or icmp6", "not ip and not ip6",
                 "tcp[tcpflags] & tcp-syn != 0", "host 10.0.0.1 or host fd00::1"]:
        n, nbytes = expected_counts(capture, expr, tmp_path)
        _, summary, _ = pfcount_json(capture, "-f", expr)
        assert (summary["received"], summary["bytes"]) == (n, nbytes), \
            f"seed {seed} filter {expr!r}: {summary}, tcpdump: {n} pkts {nbytes} bytes"
        checked += n
    assert checked > 0


def test_active_wait_gives_the_same_counts(mixed_pcap, tmp_path):
    n, nbytes = expected_counts(mixed_pcap, "udp", tmp_path)
    _, summary, _ = pfcount_json(mixed_pcap, "-a", "-f", "udp")
    check_summary(summary, n, nbytes)


@pytest.mark.parametrize("direction,everything", [("0", True), ("1", True), ("2", False)])
def test_direction(mixed_pcap, direction, everything):
    """Packets read from a capture file count as received (RX), none as sent."""
    _, recs = read_pcap(mixed_pcap)
    _, summary, _ = pfcount_json(mixed_pcap, "-e", direction)
    assert summary["received"] == (len(recs) if everything else 0), summary


def test_pcapng_input(mixed_pcap, tmp_path):
    ng = str(tmp_path / "mixed.pcapng")
    res = run(["editcap", "-F", "pcapng", mixed_pcap, ng])
    assert res.rc == 0, str(res)
    _, recs = read_pcap(mixed_pcap)
    pkts, summary, _ = pfcount_json(ng, "-v", "1")
    assert summary["received"] == len(recs)
    assert [(p["ts_ns"], p["len"], p["caplen"]) for p in pkts] == \
        [(r.ts_ns, r.orig_len, len(r.data)) for r in recs]


def test_big_endian_and_microsecond_files(tmp_path):
    """The same packets in a swapped-byte-order file and a usec file."""
    recs = mixed_records(seed=11, per_kind=2)
    usec = [Record(r.ts_ns // 1000 * 1000, r.data, r.orig_len) for r in recs]
    be = write_pcap(tmp_path / "be.pcap", recs, byteorder=">")
    us = write_pcap(tmp_path / "us.pcap", usec, nano=False)
    for path, want in ((be, recs), (us, usec)):
        pkts, summary, _ = pfcount_json(path, "-v", "1")
        assert summary["received"] == len(want)
        assert [p["ts_ns"] for p in pkts] == [r.ts_ns for r in want]
        assert [p["len"] for p in pkts] == [r.orig_len for r in want]


def test_empty_capture(tmp_path):
    path = write_pcap(tmp_path / "empty.pcap", [])
    pkts, summary, _ = pfcount_json(path, "-v", "1")
    assert pkts == []
    check_summary(summary, 0, 0)


# ---- per-packet fields against scapy ---------------------------------------

def scapy_expect(data):
    """What the JSON fields of one packet must say, from scapy's dissection."""
    s = scapy()
    ext_types = (s.IPv6ExtHdrHopByHop, s.IPv6ExtHdrDestOpt, s.IPv6ExtHdrRouting,
                 s.IPv6ExtHdrFragment)
    p = s.Ether(data)
    e = dict(smac=p.src.lower(), dmac=p.dst.lower(), vlan=None, ip_version=None,
             l3_proto=None, src=None, dst=None, sport=None, dport=None)
    layer = p.payload
    if type(layer) is s.Dot1Q:
        e["vlan"] = layer.vlan
    while type(layer) is s.Dot1Q:
        layer = layer.payload
    first_fragment = True
    if type(layer) is s.IP:
        e.update(ip_version=4, l3_proto=layer.proto, src=layer.src, dst=layer.dst)
        e["fragment"] = bool(layer.flags.MF) or layer.frag != 0
        first_fragment = layer.frag == 0
        l4 = layer.payload
    elif type(layer) is s.IPv6:
        e.update(ip_version=6, src=ipaddress.ip_address(layer.src).compressed,
                 dst=ipaddress.ip_address(layer.dst).compressed)
        nh, l4 = layer.nh, layer.payload
        while isinstance(l4, ext_types):
            if type(l4) is s.IPv6ExtHdrFragment:
                first_fragment = l4.offset == 0
            nh, l4 = l4.nh, l4.payload
        e["l3_proto"] = nh
    else:
        return e
    if first_fragment and type(l4) in (s.TCP, s.UDP):
        e.update(sport=l4.sport, dport=l4.dport)
    if type(l4) is s.ICMP:
        e.update(icmp_type=l4.type, icmp_code=l4.code)
    return e


def test_per_packet_fields_match_scapy(mixed_pcap):
    _, recs = read_pcap(mixed_pcap)
    pkts, summary, _ = pfcount_json(mixed_pcap, "-v", "1")
    assert len(pkts) == len(recs) == summary["received"]
    for i, (pkt, rec) in enumerate(zip(pkts, recs)):
        want = scapy_expect(rec.data)
        got = {k: pkt.get(k) for k in want}
        assert got == want, f"packet {i}: {scapy().Ether(rec.data).summary()}\n" \
                            f"pfcount: {json.dumps(pkt)}"
        assert pkt["ts_ns"] == rec.ts_ns, f"packet {i}"
        assert pkt["len"] == rec.orig_len and pkt["caplen"] == len(rec.data), f"packet {i}"
        assert pkt["queue"] == -1, "pcap:FILE has no queue"
        assert isinstance(pkt["hash"], int)


def test_human_verbose_lines(mixed_pcap):
    _, recs = read_pcap(mixed_pcap)
    res = run_tool("pfcount", "-i", f"pcap:{mixed_pcap}", "-v", "1", "-f", "tcp and ip")
    assert res.rc == 0, str(res)
    lines = [ln for ln in res.out.splitlines() if "[len=" in ln]
    want = [r for r in recs if scapy_expect(r.data)["l3_proto"] == 6 and
            scapy_expect(r.data)["ip_version"] == 4 and scapy_expect(r.data)["vlan"] is None]
    assert len(lines) == len(want) > 0
    for ln, r in zip(lines, want):
        e = scapy_expect(r.data)
        assert f"{e['src']}:{e['sport']} -> {e['dst']}:{e['dport']}" in ln, ln
        assert f"[len={r.orig_len}]" in ln and "[TCP" in ln, ln


def test_hex_dump_shows_the_bytes(mixed_pcap):
    _, recs = read_pcap(mixed_pcap)
    res = run_tool("pfcount", "-i", f"pcap:{mixed_pcap}", "-v", "2", "-N", "1")
    assert res.rc == 0, str(res)
    first = recs[0].data[:16]
    assert " ".join(f"{b:02x}" for b in first[:8]) in res.out, res.out[:2000]


def test_hash_is_bidirectional(tmp_path):
    s = scapy()
    fwd = s.Ether(src=MACS[0], dst=MACS[1]) / s.IP(src="10.1.1.1", dst="10.2.2.2") / \
        s.TCP(sport=1111, dport=80)
    rev = s.Ether(src=MACS[1], dst=MACS[0]) / s.IP(src="10.2.2.2", dst="10.1.1.1") / \
        s.TCP(sport=80, dport=1111)
    other = s.Ether(src=MACS[0], dst=MACS[1]) / s.IP(src="10.1.1.1", dst="10.2.2.3") / \
        s.TCP(sport=1111, dport=81)
    path = write_pcap(tmp_path / "h.pcap",
                      [(i * 1000, bytes(p)) for i, p in enumerate((fwd, rev, other))])
    pkts, _, _ = pfcount_json(path, "-v", "1")
    assert pkts[0]["hash"] == pkts[1]["hash"] != 0
    assert pkts[2]["hash"] != pkts[0]["hash"]


# ---- options ---------------------------------------------------------------

@pytest.mark.parametrize("count", [1, 5, 17])
def test_count_stops(mixed_pcap, count):
    _, recs = read_pcap(mixed_pcap)
    pkts, summary, _ = pfcount_json(mixed_pcap, "-N", str(count), "-v", "1")
    assert len(pkts) == count == summary["received"]
    assert summary["bytes"] == sum(r.orig_len for r in recs[:count])
    assert [p["ts_ns"] for p in pkts] == [r.ts_ns for r in recs[:count]]


def test_count_larger_than_capture(mixed_pcap):
    _, recs = read_pcap(mixed_pcap)
    _, summary, _ = pfcount_json(mixed_pcap, "-N", str(len(recs) + 10))
    assert summary["received"] == len(recs)


def test_count_with_filter(mixed_pcap, tmp_path):
    ref = tcpdump_filter(mixed_pcap, "udp", str(tmp_path / "ref.pcap"))
    assert len(ref) > 4
    pkts, summary, _ = pfcount_json(mixed_pcap, "-N", "4", "-f", "udp", "-v", "1")
    assert summary["received"] == 4
    assert [p["ts_ns"] for p in pkts] == [r.ts_ns for r in ref[:4]]


@pytest.mark.parametrize("rate", [1, 2, 3, 7])
def test_sampling(mixed_pcap, random_pcaps, rate, tmp_path):
    for capture, expr in ((mixed_pcap, ""), (mixed_pcap, "tcp"), (random_pcaps[2], "ip")):
        n, _ = expected_counts(capture, expr, tmp_path)
        pkts, summary, _ = pfcount_json(capture, "--sample", str(rate), "-f", expr, "-v", "1")
        assert summary["received"] == math.ceil(n / rate), (capture, expr, n, summary)
        assert len(pkts) == summary["received"]


@pytest.mark.parametrize("snaplen", [30, 64, 1000])
def test_snaplen(mixed_pcap, snaplen):
    _, recs = read_pcap(mixed_pcap)
    pkts, summary, _ = pfcount_json(mixed_pcap, "-l", str(snaplen), "-v", "1")
    assert len(pkts) == len(recs)
    assert summary["bytes"] == sum(r.orig_len for r in recs), "bytes count the wire length"
    for p, r in zip(pkts, recs):
        assert p["caplen"] == min(snaplen, len(r.data)) and p["len"] == r.orig_len
    if snaplen == 30:
        # No IPv4 (34 bytes with Ethernet) or IPv6 (54) header fits in 30
        # bytes. Parsed fields may describe either the captured bytes (no
        # addresses) or, as PF_RING's kernel does, the whole packet seen
        # before truncation - but one or the other, not a mix.
        for i, (p, r) in enumerate(zip(pkts, recs)):
            full = scapy_expect(r.data)
            got = {k: p.get(k) for k in full}
            captured = dict(full, ip_version=None, l3_proto=None, src=None, dst=None,
                            sport=None, dport=None)
            for k in ("icmp_type", "icmp_code", "fragment"):
                captured.pop(k, None)
                got_k = p.get(k)
                if k in full and got_k is None:
                    got.pop(k)
            assert got in (full, captured), \
                f"packet {i} cut to 30 bytes: {json.dumps(p)}\nwhole packet: {full}"


# ---- human statistics (guide 7.3) ------------------------------------------

def group3(n):
    return f"{n:,}".replace(",", "'")


def test_stats_format_on_demo_capture():
    demo = DATA / "demo.pcap"
    _, recs = read_pcap(demo)
    n, nbytes = len(recs), sum(r.orig_len for r in recs)
    assert n >= 1000, "the demo capture needs thousands separators"
    res = run_tool("pfcount", "-i", f"pcap:{demo}")
    assert res.rc == 0, str(res)
    out = res.out
    assert "=====" in out
    assert f"Absolute Stats: [{n} pkts rcvd][0 pkts dropped]" in out, out
    assert f"Total Pkts={n}/Dropped=0.0 %" in out, out
    m = re.search(r"^(\S+) pkts - (\S+) bytes", out, re.M)
    assert m, out
    assert m.group(1) == group3(n) and m.group(2) == group3(nbytes), out
    assert re.search(r"^Actual Stats: \d+ pkts \[[\d'.]+ ms\]", out, re.M), out


def test_human_stats_count_filtered_packets(mixed_pcap, tmp_path):
    n, _ = expected_counts(mixed_pcap, "ip6", tmp_path)
    res = run_tool("pfcount", "-i", f"pcap:{mixed_pcap}", "-f", "ip6")
    assert res.rc == 0, str(res)
    assert f"Absolute Stats: [{n} pkts rcvd][0 pkts dropped]" in res.out, res.out


# ---- malformed input and errors --------------------------------------------

def truncated_copy(src, dst, cut):
    raw = open(src, "rb").read()
    open(dst, "wb").write(raw[:cut])
    return dst


@pytest.mark.parametrize("where", ["record_header", "record_data"])
def test_truncated_capture(mixed_pcap, tmp_path, where):
    _, recs = read_pcap(mixed_pcap)
    good = 40
    off = 24 + sum(16 + len(r.data) for r in recs[:good])
    cut = off + (7 if where == "record_header" else 16 + len(recs[good].data) // 2)
    path = truncated_copy(mixed_pcap, tmp_path / "cut.pcap", cut)
    pkts, summary, res = pfcount_json(path, "-v", "1", expect_rc=1)
    assert summary["received"] == good, summary
    assert len(pkts) == good
    assert summary.get("error"), summary
    assert res.err.startswith(f"pfcount: pcap:{path}: receive failed"), str(res)
    why = summary["error"].split("): ", 1)[-1]
    assert "cut.pcap" in why, f"the library's message should name the file: {why!r}"
    human = run_tool("pfcount", "-i", f"pcap:{path}")
    assert human.rc == 1, str(human)
    assert f"Absolute Stats: [{good} pkts rcvd]" in human.out, str(human)
    assert "pfcount:" in human.err, str(human)


def test_garbage_file(tmp_path):
    path = tmp_path / "garbage.pcap"
    path.write_bytes(os.urandom(3000))
    res = run_tool("pfcount", "-i", f"pcap:{path}")
    assert res.rc == 1, str(res)
    assert re.search(r"^pfcount: .*garbage\.pcap.*: \S", res.err, re.M), str(res)


def test_zero_byte_file(tmp_path):
    path = tmp_path / "zero.pcap"
    path.write_bytes(b"")
    res = run_tool("pfcount", "-i", f"pcap:{path}")
    assert res.rc == 1, str(res)
    assert res.err.startswith("pfcount: "), str(res)


def test_missing_file(tmp_path):
    path = tmp_path / "no-such-file.pcap"
    res = run_tool("pfcount", "-i", f"pcap:{path}")
    assert res.rc == 1, str(res)
    prefix = f"pfcount: cannot open pcap:{path}: "
    assert res.err.startswith(prefix), str(res)
    reason = res.err[len(prefix):]
    assert "no-such-file.pcap" in reason or "No such file" in reason, \
        f"the library's message should say what is missing\n{res}"


def test_unknown_module():
    res = run_tool("pfcount", "-i", "nosuchmodule:x")
    assert res.rc == 1, str(res)
    prefix = "pfcount: cannot open nosuchmodule:x: "
    assert res.err.startswith(prefix), str(res)
    assert "nosuchmodule" in res.err[len(prefix):], \
        f"the library's message should name the module\n{res}"


@pytest.mark.parametrize("expr", ["tcp port", "tcp port 99999", "foo bar", "ip and and"])
def test_bad_bpf_reports_libpcap_message(mixed_pcap, expr):
    want = tcpdump_error(mixed_pcap, expr)
    for args in (["-j"], []):
        res = run_tool("pfcount", "-i", f"pcap:{mixed_pcap}", "-f", expr, *args)
        assert res.rc == 1, str(res)
        assert want in res.err, f"libpcap says {want!r}\n{res}"
        assert "summary" not in res.out


def test_json_summary_escapes_the_device_name(tmp_path):
    weird = tmp_path / 'we"ird\\name\tx.pcap'
    write_pcap(weird, mixed_records(seed=3, per_kind=1))
    _, summary, _ = pfcount_json(weird)
    assert summary["interface"] == f"pcap:{weird}"
    assert summary["received"] == len(read_pcap(weird)[1])


# ---- pipes: a capture that is still being written ------------------------

def test_capture_from_a_pipe(mixed_pcap, tmp_path):
    """pcap:/dev/stdin fed by a pipe counts what the file holds."""
    _, recs = read_pcap(mixed_pcap)
    cat = subprocess.Popen(["cat", mixed_pcap], stdout=subprocess.PIPE)
    try:
        proc = subprocess.run([tool("pfcount"), "-i", "pcap:/dev/stdin", "-j", "-f", "ip"],
                              stdin=cat.stdout, capture_output=True, timeout=TIMEOUT)
    finally:
        cat.stdout.close()
        cat.wait(timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stderr.decode()
    summary = json.loads(proc.stdout.decode().splitlines()[-1])["summary"]
    n, nbytes = expected_counts(mixed_pcap, "ip", tmp_path)
    assert (summary["received"], summary["bytes"]) == (n, nbytes)


def open_fifo_writer(path, deadline_s=10):
    """Opens a FIFO for writing once its reader is there (never blocks forever)."""
    end = time.monotonic() + deadline_s
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as e:
            if e.errno != errno.ENXIO or time.monotonic() > end:
                raise
            time.sleep(0.05)
            continue
        os.set_blocking(fd, True)
        return fd


def test_sigint_on_a_fifo_that_stays_open(mixed_pcap, tmp_path):
    """A writer sends 10 packets and keeps the FIFO open: pfcount delivers
    them while waiting for more, and SIGINT ends it cleanly with all 10."""
    raw = open(mixed_pcap, "rb").read()
    _, recs = read_pcap(mixed_pcap)
    first10 = raw[:24 + sum(16 + len(r.data) for r in recs[:10])]
    fifo = tmp_path / "live.pcap"
    os.mkfifo(fifo)
    proc = subprocess.Popen([tool("pfcount"), "-i", f"pcap:{fifo}", "-j", "-v", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    fd = None
    try:
        fd = open_fifo_writer(fifo)
        os.write(fd, first10)
        time.sleep(1.5)
        assert proc.poll() is None, "pfcount must wait for more packets"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        if fd is not None:
            os.close(fd)
    out, err = out.decode(), err.decode()
    assert proc.returncode == 0, f"exit {proc.returncode}\n{out}\n{err}"
    lines = [json.loads(ln) for ln in out.splitlines()]
    summary = lines[-1]["summary"]
    assert summary["received"] == 10 and len(lines) == 11, \
        f"the 10 packets written 1.5 s before SIGINT must have been delivered\n{out}\n{err}"
    assert [p["ts_ns"] for p in lines[:-1]] == [r.ts_ns for r in recs[:10]]


# ---- signals on a device that never ends --------------------------------------

@pytest.mark.parametrize("json_mode", [False, True])
def test_sigint_prints_final_stats(tmp_path, json_mode):
    """A pcap stream whose writer keeps it open never ends, as a live
    interface does: SIGINT must stop pfcount with its final statistics."""
    fifo = tmp_path / "endless.pcap"
    os.mkfifo(fifo)
    args = [tool("pfcount"), "-i", f"pcap:{fifo}"] + (["-j"] if json_mode else [])
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    fd = None
    try:
        fd = open_fifo_writer(fifo)
        os.write(fd, struct.pack("<IHHiIII", PCAP_MAGIC_NSEC, 2, 4, 0, 0, 65535, 1))
        time.sleep(1.5)
        early = proc.poll()
        if early is not None:
            out, err = proc.communicate(timeout=TIMEOUT)
            raise AssertionError(f"pfcount exited early ({early}): {err.decode()}")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        if fd is not None:
            os.close(fd)
    out, err = out.decode(), err.decode()
    assert proc.returncode == 0, f"exit {proc.returncode}\n{out}\n{err}"
    assert "Sanitizer" not in err, err
    if json_mode:
        summary = json.loads(out.strip().splitlines()[-1])["summary"]
        assert summary["received"] == 0 and summary["interface"] == f"pcap:{fifo}"
    else:
        assert "Absolute Stats: [0 pkts rcvd][0 pkts dropped]" in out and "Actual Stats:" in out, out


# ---- hostile input (the hardening issue) -------------------------------------

def ipv6_frame(nh, ext):
    eth = bytes.fromhex("020000000002" "020000000001" "86dd")
    ip6 = bytes([0x60, 0, 0, 0]) + len(ext).to_bytes(2, "big") + bytes([nh, 64]) + \
        bytes(15) + b"\x01" + bytes(15) + b"\x02"
    return eth + ip6 + ext


def test_a_looping_protochain_frame_ends_and_does_not_match(tmp_path):
    """libpcap's `ip6 protochain` program loops forever on an AH whose length
    points at itself (tcpdump -r hangs on it, SIGTERM or not); pfcount runs
    such programs with a step budget: the frame does not match, the run ends.
    A real chain (hop-by-hop, then UDP) matches as tcpdump says."""
    loop = ipv6_frame(51, bytes([51, 8]) + bytes(60))
    good = ipv6_frame(0, bytes([17, 0, 1, 4, 0, 0, 0, 0]) + bytes.fromhex("0400003500080000"))
    hostile = write_pcap(tmp_path / "loop.pcap", [(1, loop), (2, good), (3, loop)])
    pkts, summary, res = pfcount_json(hostile, "-f", "ip6 protochain 17", "-v", "1")
    assert summary["received"] == 1 and len(pkts) == 1, str(res)
    assert pkts[0]["caplen"] == len(good), pkts
    only_good = write_pcap(tmp_path / "good.pcap", [(2, good)])
    assert len(tcpdump_filter(only_good, "ip6 protochain 17", tmp_path / "t.pcap")) == 1

