"""pfdump against tcpdump: the file it writes holds, packet by packet, the
same bytes, lengths and nanosecond timestamps as tcpdump's filtered copy,
and tcpdump and tshark read it back."""

import os
import re
import subprocess

import pytest

from conftest import (FILTERS, MACS, PCAP_MAGIC_NSEC, TIMEOUT, Record, filter_id, mixed_records,
                      read_pcap, run, run_tool, scapy, tcpdump_filter, tool, tshark_fields,
                      write_pcap)


def pfdump(capture, out, *args, expect_rc=0):
    res = run_tool("pfdump", "-i", f"pcap:{capture}", "-w", out, *args)
    assert res.rc == expect_rc, str(res)
    return res


def check_same(out, ref, snaplen=1536):
    hdr, got = read_pcap(out)
    assert hdr["magic"] == PCAP_MAGIC_NSEC and hdr["nano"], hdr
    assert hdr["version"] == (2, 4) and hdr["linktype"] == 1, hdr
    assert hdr["snaplen"] == snaplen, hdr
    assert len(got) == len(ref), f"{len(got)} packets written, tcpdump selects {len(ref)}"
    for i, (g, r) in enumerate(zip(got, ref)):
        assert g.ts_ns == r.ts_ns, f"packet {i}: time {g.ts_ns} != {r.ts_ns}"
        assert g.orig_len == r.orig_len, f"packet {i}: len {g.orig_len} != {r.orig_len}"
        assert g.data == r.data[:snaplen], f"packet {i}: bytes differ"
    return got


def check_readers_agree(out, recs):
    """tcpdump and tshark read the file and see the same packets."""
    res = run(["tcpdump", "-n", "-r", out])
    assert res.rc == 0, str(res)
    # one line per packet starts with its time; tcpdump adds hex lines for some
    stamped = [ln for ln in res.out.splitlines() if re.match(r"\d\d:\d\d:\d\d\.\d{6} ", ln)]
    assert len(stamped) == len(recs), str(res)
    rows = tshark_fields(out, "frame.time_epoch", "frame.len", "frame.cap_len")
    assert len(rows) == len(recs)
    for (t, flen, clen), r in zip(rows, recs):
        sec, _, frac = t.partition(".")
        assert int(sec) * 10**9 + int(frac.ljust(9, "0")[:9]) == r.ts_ns, (t, r.ts_ns)
        assert (int(flen), int(clen)) == (r.orig_len, len(r.data))


@pytest.mark.parametrize("expr", FILTERS, ids=filter_id)
def test_dump_matches_tcpdump(mixed_pcap, expr, tmp_path):
    ref = tcpdump_filter(mixed_pcap, expr, str(tmp_path / "ref.pcap"))
    out = str(tmp_path / "out.pcap")
    pfdump(mixed_pcap, out, "-f", expr)
    got = check_same(out, ref)
    check_readers_agree(out, got)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_random_captures(random_pcaps, seed, tmp_path):
    capture = random_pcaps[seed]
    for expr in ["", "tcp or udp", "ip6 or vlan", "not ip"]:
        ref = tcpdump_filter(capture, expr, str(tmp_path / "ref.pcap"))
        out = str(tmp_path / "out.pcap")
        pfdump(capture, out, "-f", expr, "-l", "65535")
        check_same(out, ref, snaplen=65535)
    check_readers_agree(out, read_pcap(out)[1])


def test_whole_file_is_copied_exactly(mixed_pcap, tmp_path):
    """Without filter, a nanosecond file comes back record for record."""
    out = str(tmp_path / "out.pcap")
    pfdump(mixed_pcap, out, "-l", "65535")
    _, want = read_pcap(mixed_pcap)
    check_same(out, want, snaplen=65535)
    raw_in, raw_out = open(mixed_pcap, "rb").read(), open(out, "rb").read()
    assert raw_out[24:] == raw_in[24:], "records are byte-identical"


@pytest.mark.parametrize("snaplen", [14, 64, 200])
def test_snaplen_truncates(mixed_pcap, snaplen, tmp_path):
    _, want = read_pcap(mixed_pcap)
    out = str(tmp_path / "out.pcap")
    pfdump(mixed_pcap, out, "-l", str(snaplen))
    got = check_same(out, want, snaplen=snaplen)
    assert any(len(r.data) > snaplen for r in want)
    check_readers_agree(out, got)


def test_jumbo_frames(tmp_path):
    s = scapy()
    pkts = [s.Ether(src=MACS[0], dst=MACS[1]) / s.IP(src="10.0.0.1", dst="10.0.0.2") /
            s.UDP(sport=9, dport=9) / (bytes([i]) * n) for i, n in enumerate((9000, 60, 4000))]
    capture = write_pcap(tmp_path / "jumbo.pcap",
                         [(i * 10**6, bytes(p)) for i, p in enumerate(pkts)])
    _, want = read_pcap(capture)
    out = str(tmp_path / "out.pcap")
    pfdump(capture, out, "-l", "9100")
    check_same(out, want, snaplen=9100)
    pfdump(capture, out)
    check_same(out, want, snaplen=1536)


def test_count(mixed_pcap, tmp_path):
    ref = tcpdump_filter(mixed_pcap, "ip or ip6", str(tmp_path / "ref.pcap"))
    out = str(tmp_path / "out.pcap")
    res = pfdump(mixed_pcap, out, "-f", "ip or ip6", "-N", "7")
    check_same(out, ref[:7])
    assert re.search(r"\b7 packets\b", res.err), res.err


def test_microsecond_input(tmp_path):
    recs = mixed_records(seed=5, per_kind=1)
    usec = [Record(r.ts_ns // 1000 * 1000, r.data, r.orig_len) for r in recs]
    capture = write_pcap(tmp_path / "us.pcap", usec, nano=False)
    out = str(tmp_path / "out.pcap")
    pfdump(capture, out, "-l", "65535")
    check_same(out, usec, snaplen=65535)


def test_pcapng_input(mixed_pcap, tmp_path):
    ng = str(tmp_path / "mixed.pcapng")
    res = run(["editcap", "-F", "pcapng", mixed_pcap, ng])
    assert res.rc == 0, str(res)
    out = str(tmp_path / "out.pcap")
    pfdump(ng, out, "-l", "65535", "-f", "ip or ip6")
    ref = tcpdump_filter(mixed_pcap, "ip or ip6", str(tmp_path / "ref.pcap"))
    check_same(out, ref, snaplen=65535)


def test_big_endian_input(tmp_path):
    recs = mixed_records(seed=6, per_kind=1)
    capture = write_pcap(tmp_path / "be.pcap", recs, byteorder=">")
    out = str(tmp_path / "out.pcap")
    pfdump(capture, out, "-l", "65535")
    check_same(out, recs, snaplen=65535)


def test_stdout_output(mixed_pcap, tmp_path):
    out = str(tmp_path / "out.pcap")
    pfdump(mixed_pcap, out, "-f", "udp")
    proc = subprocess.run([tool("pfdump"), "-i", f"pcap:{mixed_pcap}", "-w", "-", "-f", "udp"],
                          capture_output=True, timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"Sanitizer" not in proc.stderr
    assert proc.stdout == open(out, "rb").read()


def test_summary_line(mixed_pcap, tmp_path):
    _, recs = read_pcap(mixed_pcap)
    out = str(tmp_path / "out.pcap")
    res = pfdump(mixed_pcap, out)
    n = len(recs)
    lines = [ln for ln in res.err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("pfdump: "), res.err
    assert f"{n:,} packets".replace(",", "'") in lines[0] and out in lines[0], lines[0]
    assert res.out == "", "the pcap goes to the file, nothing to stdout"


# ---- errors -----------------------------------------------------------------

def test_truncated_input_keeps_good_packets(mixed_pcap, tmp_path):
    _, recs = read_pcap(mixed_pcap)
    good = 25
    cut = 24 + sum(16 + len(r.data) for r in recs[:good]) + 16 + 5
    capture = tmp_path / "cut.pcap"
    capture.write_bytes(open(mixed_pcap, "rb").read()[:cut])
    out = str(tmp_path / "out.pcap")
    res = pfdump(capture, out, "-l", "65535", expect_rc=1)
    assert "pfdump:" in res.err and "receive failed" in res.err, res.err
    got = check_same(out, recs[:good], snaplen=65535)
    check_readers_agree(out, got)


def test_write_error(mixed_pcap):
    # needs /dev/full (every Linux has it, CI included): a failure, not a skip, without it
    assert os.path.exists("/dev/full"), "this test needs /dev/full (a device whose writes fail with ENOSPC)"
    res = pfdump(mixed_pcap, "/dev/full", expect_rc=1)
    assert "cannot write /dev/full" in res.err, res.err


def test_cannot_create_output(mixed_pcap, tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "out.pcap"
    res = pfdump(mixed_pcap, str(target), expect_rc=1)
    assert f"cannot create {target}" in res.err, res.err
    assert not target.exists()


def test_missing_input(tmp_path):
    out = tmp_path / "out.pcap"
    res = pfdump(tmp_path / "nope.pcap", str(out), expect_rc=1)
    assert res.err.startswith(f"pfdump: cannot open pcap:{tmp_path / 'nope.pcap'}: "), res.err
    assert not out.exists(), "no output file when the device cannot be opened"


def test_bad_filter(mixed_pcap, tmp_path):
    out = tmp_path / "out.pcap"
    res = pfdump(mixed_pcap, str(out), "-f", "tcp port", expect_rc=1)
    assert "syntax error" in res.err, res.err
    assert not out.exists()


def test_records_claiming_more_than_the_wire_are_cut_and_zero_length_ones_skipped(mixed_pcap, tmp_path):
    """A record with caplen > len is written with caplen = len (tcpdump reads
    the output without 'invalid' complaints); a record of wire length 0 is
    skipped. The rest is written as it was."""
    _, recs = read_pcap(mixed_pcap)
    recs = recs[:10]
    bad = [Record(recs[i].ts_ns, recs[i].data, recs[i].orig_len) for i in range(10)]
    bad[3] = Record(recs[3].ts_ns, recs[3].data, 20)   # claims 20 bytes on the wire
    bad[6] = Record(recs[6].ts_ns, recs[6].data, 0)    # nothing on the wire
    capture = write_pcap(tmp_path / "odd.pcap", bad)
    out = str(tmp_path / "out.pcap")
    pfdump(capture, out, "-l", "65535")
    _, got = read_pcap(out)
    assert len(got) == 9, len(got)
    assert len(got[3].data) == 20 and got[3].orig_len == 20, got[3]
    assert got[3].data == recs[3].data[:20]
    res = run(["tcpdump", "-n", "-r", out])
    assert res.rc == 0 and "nvalid" not in res.out + res.err, str(res)
