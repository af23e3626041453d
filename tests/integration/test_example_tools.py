"""The guide's section 7.3 example applications that go beyond pfcount,
pfsend and pfdump (issue 24 §3): each run on captures and software NICs and
judged by tcpdump, by the capture's own bytes or by another tool's count.
Every tool: -h exits 0, an unknown option exits 2 with the usage."""

import json
import struct
import subprocess
import time
import uuid

import pytest

from conftest import (DATA, PCAP_MAGIC_NSEC, Record, finish, frames_of, read_pcap, run, run_tool, tcpdump_filter,
                      tool, tool_summary, write_pcap)

DEMO = DATA / "demo.pcap"
TOOLS = ["pcount", "pwrite", "pfcount_multichannel", "pfcount_aggregator", "pfcount_bundle", "pfcount_82599",
         "pffilter_test", "pfmap", "pfsystest", "pcap2nspcap", "pfbounce", "pfcount_dummy_plugin"]


def tcpdump_count(tmp_path, expr, capture=DEMO):
    return len(tcpdump_filter(capture, expr, tmp_path / f"td-{uuid.uuid4().hex[:6]}.pcap"))


@pytest.mark.parametrize("name", TOOLS)
def test_help_and_unknown_option(name):
    res = run_tool(name, "-h")
    assert res.rc == 0 and res.out.startswith("Usage: " + name), str(res)
    res = run_tool(name, "-Z")
    assert res.rc == 2 and "Usage: " + name in res.err and res.out == "", str(res)


@pytest.mark.parametrize("name,args,needle", [
    ("pcount", [], "no device"),
    ("pwrite", ["-i", f"pcap:{DEMO}"], "-w"),
    ("pwrite", ["-i", f"pcap:{DEMO}", "-w", "/tmp/x.pcap", "-g", "0x1ffffffff"], "-g"),
    ("pffilter_test", ["-i", f"pcap:{DEMO}", "-w", "id=1,dport=99999"], "dport"),
    ("pffilter_test", ["-i", f"pcap:{DEMO}", "-w", "id=1,color=red"], "color"),
    ("pffilter_test", ["-i", f"pcap:{DEMO}", "-H", "id=1,a=1.2.3.4:5"], "proto"),
    ("pfcount_82599", ["-i", f"sim:{DEMO}", "-R", "type=5tuple,vlan=3"], "perfect"),
    ("pfcount_82599", ["-i", f"sim:{DEMO}", "-R", "shost=1.2.3"], "IPv4"),
    ("pfcount_bundle", ["-i", f"pcap:{DEMO}"], "2 to"),
    ("pfcount_bundle", ["-i", f"pcap:{DEMO},,pcap:{DEMO}"], "none empty"),
    ("pfcount_aggregator", ["-i", "a++b"], "none empty"),
    ("pcap2nspcap", ["-i", str(DEMO)], "-o"),
    ("pfsystest", ["-i", f"pcap:{DEMO}", "-b", "0"], "-b"),
    ("pfcount_dummy_plugin", ["-i", "x", "-L", "70000"], "-L"),
])
def test_bad_command_lines(name, args, needle):
    res = run_tool(name, *args)
    assert res.rc == 2, str(res)
    assert needle in res.err, str(res)


@pytest.mark.parametrize("expr", ["", "tcp and port 80", "udp", "vlan", "not ip"])
def test_pcount_counts_what_tcpdump_counts(tmp_path, expr):
    args = ["-i", f"pcap:{DEMO}", "-j"] + (["-f", expr] if expr else [])
    s = tool_summary(run_tool("pcount", *args))
    assert s["pf_ring"] is True
    assert s["received"] == tcpdump_count(tmp_path, expr), s


def test_pcount_stops_after_count_and_reads_software_nics():
    res = run_tool("pcount", "-i", f"pcap:{DEMO}", "-c", "25")
    assert res.rc == 0 and res.out.startswith("25 packets"), str(res)
    s = tool_summary(run_tool("pcount", "-i", f"sim:{DEMO},queues=4", "-j"))
    assert s["received"] == len(frames_of(DEMO)), s


def test_pwrite_writes_what_tcpdump_writes(tmp_path):
    out = tmp_path / "pw.pcap"
    res = run_tool("pwrite", "-i", f"pcap:{DEMO}", "-w", out, "-f", "udp")
    assert res.rc == 0, str(res)
    want = [r.data for r in tcpdump_filter(DEMO, "udp", tmp_path / "td.pcap")]
    assert frames_of(out) == want and want


def gtp_capture(path):
    """GTP-U packets of three tunnels (TEIDs 7, 0xa2b6, 0), and plain UDP."""
    def ip4(src, dst, proto, payload):
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, proto, 0, bytes(src), bytes(dst))
        return hdr + payload

    def udp(sport, dport, payload):
        return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload

    def eth(payload):
        return bytes.fromhex("020000000001020000000002") + b"\x08\x00" + payload

    inner = ip4([172, 16, 0, 1], [172, 16, 0, 2], 17, udp(5060, 5061, b"x" * 12))
    recs, teids = [], [7, 0xA2B6, 0, 7, 0xA2B6, 0xA2B6]
    for i, teid in enumerate(teids):
        gtp = struct.pack("!BBHI", 0x30, 0xFF, len(inner), teid) + inner
        recs.append(Record(i * 1000, eth(ip4([1, 2, 3, 4], [1, 2, 3, 5], 17, udp(2152, 2152, gtp))), 0))
    recs.append(Record(99000, eth(ip4([1, 2, 3, 4], [1, 2, 3, 5], 17, udp(5060, 5061, b"y" * 20))), 0))
    recs = [Record(r.ts_ns, r.data, len(r.data)) for r in recs]
    write_pcap(path, recs)
    return [r.data for r in recs], teids


@pytest.mark.parametrize("teid,want", [("0xa2b6", 3), ("7", 2), ("0", 1), ("99", 0)])
def test_pwrite_keeps_one_gtp_tunnel(tmp_path, teid, want):
    cap = tmp_path / "gtp.pcap"
    sent, teids = gtp_capture(cap)
    out = tmp_path / "one.pcap"
    res = run_tool("pwrite", "-i", f"pcap:{cap}", "-w", out, "-g", teid)
    assert res.rc == 0, str(res)
    value = int(teid, 0)
    assert frames_of(out) == [f for f, t in zip(sent, teids) if t == value]
    assert len(frames_of(out)) == want


def test_pwrite_tunnel_filter_needs_a_pf_ring_device(tmp_path):
    # lo without pf_ring.ko: libpcap's own live capture (root, as CI runs)
    res = run_tool("pwrite", "-i", "lo", "-w", tmp_path / "x.pcap", "-g", "7")
    assert res.rc == 1 and "PF_RING device" in res.err, str(res)


def test_multichannel_counts_each_queue_as_its_own_ring():
    dev = f"sim:{DEMO},queues=4"
    s = tool_summary(run_tool("pfcount_multichannel", "-i", dev, "-j"))
    assert [q["queue"] for q in s["queues"]] == [0, 1, 2, 3]
    for q in s["queues"]:
        one = tool_summary(run_tool("pfcount", "-i", f"{dev}@{q['queue']}", "-j"))
        assert q["received"] == one["received"], (q, one)
    assert s["received"] == len(frames_of(DEMO))


def test_multichannel_on_a_single_queue_device():
    s = tool_summary(run_tool("pfcount_multichannel", "-i", f"pcap:{DEMO}", "-j"))
    assert len(s["queues"]) == 1 and s["received"] == len(frames_of(DEMO))


def test_82599_drop_rule_takes_what_the_filter_names(tmp_path):
    dev = f"sim:{DEMO},queues=4"
    s = tool_summary(run_tool("pfcount_82599", "-i", dev, "-R", "id=1,proto=6,dport=80,queue=drop", "-j"))
    port80 = tcpdump_count(tmp_path, "tcp dst port 80 or (vlan and tcp dst port 80)")
    assert port80 > 0
    assert s["received"] == len(frames_of(DEMO)) - port80, (s, port80)
    # the same rule, perfect-filter style with queue 1: nothing is lost
    s = tool_summary(run_tool("pfcount_82599", "-i", dev, "-R", "id=2,type=perfect,proto=6,dport=80,queue=1", "-j"))
    assert s["received"] == len(frames_of(DEMO))
    plain = tool_summary(run_tool("pfcount_multichannel", "-i", dev, "-j"))
    assert s["queues"][1]["received"] >= port80
    assert s["queues"][1]["received"] > plain["queues"][1]["received"]


def test_pffilter_test_rules_and_their_stats(tmp_path):
    total = len(frames_of(DEMO))
    port80 = tcpdump_count(tmp_path, "tcp dst port 80 or (vlan and tcp dst port 80)")
    s = tool_summary(run_tool("pffilter_test", "-i", f"pcap:{DEMO}", "-w", "id=5,action=drop,proto=6,dport=80", "-j"))
    assert s["received"] == total - port80
    assert s["rules"] == [{"kind": "wildcard", "id": 5, "match": port80, "filtered": port80}]
    # default drop, one pass rule: only UDP (tagged or not, v4 or v6)
    udp = tcpdump_count(tmp_path, "udp or (vlan and udp)")
    s = tool_summary(run_tool("pffilter_test", "-i", f"pcap:{DEMO}", "-d", "-w", "id=1,proto=17", "-j"))
    assert s["received"] == udp and s["rules"][0]["match"] == udp, (s, udp)


def test_pffilter_test_hash_rule_matches_one_flow(tmp_path):
    pkts = tcpdump_filter(DEMO, "ip and udp", tmp_path / "u.pcap")
    f = pkts[0].data
    src, dst = ".".join(map(str, f[26:30])), ".".join(map(str, f[30:34]))
    sport, dport = struct.unpack("!HH", f[34:38])
    flow = (f"(src {src} and dst {dst} and src port {sport} and dst port {dport}) or "
            f"(src {dst} and dst {src} and src port {dport} and dst port {sport})")
    want = tcpdump_count(tmp_path, f"ip and udp and ({flow})")
    s = tool_summary(run_tool("pffilter_test", "-i", f"pcap:{DEMO}", "-d",
                         "-H", f"id=3,proto=17,a={src}:{sport},b={dst}:{dport}", "-j"))
    assert s["received"] == want and s["rules"][0]["match"] == want, (s, want)


def test_bundle_fifo_merges_by_time(tmp_path):
    a, b = tmp_path / "a.pcap", tmp_path / "b.pcap"
    write_pcap(a, [Record(t, bytes(60), 60) for t in range(0, 10**9, 10**8)])
    write_pcap(b, [Record(t + 5 * 10**7, bytes(60), 60) for t in range(0, 10**9, 10**8)])
    res = run_tool("pfcount_bundle", "-i", f"pcap:{a},pcap:{b}", "-q", "-v", "-j")
    s = tool_summary(res)
    lines = [json.loads(ln) for ln in res.out.splitlines() if ln.startswith('{"device"')]
    assert [ln["device"] for ln in lines] == [0, 1] * 10
    times = [ln["packet"]["ts_ns"] for ln in lines]
    assert times == sorted(times) and len(times) == 20
    assert s["policy"] == "fifo" and [d["received"] for d in s["devices"]] == [10, 10]


def test_bundle_round_robin_and_aggregator_count_everything():
    n = len(frames_of(DEMO))
    s = tool_summary(run_tool("pfcount_bundle", "-i", f"pcap:{DEMO},sim:{DEMO}", "-j"))
    assert s["received"] == 2 * n and s["policy"] == "round_robin"
    s = tool_summary(run_tool("pfcount_aggregator", "-i", f"pcap:{DEMO}+sim:{DEMO},queues=2", "-j"))
    assert s["received"] == 2 * n and [d["received"] for d in s["devices"]] == [n, n]
    assert s["bytes"] == 2 * sum(len(f) for f in frames_of(DEMO))


@pytest.mark.parametrize("needle", ["GET", "HTTP/1.1", "zzzzqqq"])
def test_pfmap_finds_the_packets_holding_a_string(needle):
    res = run_tool("pfmap", "-i", f"pcap:{DEMO}", "-s", needle, "-j")
    s = tool_summary(res)
    want = [i + 1 for i, f in enumerate(frames_of(DEMO)) if needle.encode() in f]
    got = [json.loads(ln)["packet"] for ln in res.out.splitlines() if ln.startswith('{"packet"')]
    assert got == want and s["matches"] == len(want) and s["received"] == len(frames_of(DEMO))


def test_pfsystest_reads_every_packet_twice():
    s = tool_summary(run_tool("pfsystest", "-i", f"pcap:{DEMO}", "-b", "16", "-j"))
    n = len(frames_of(DEMO))
    assert s["single"]["received"] == n and s["burst"]["received"] == n and s["burst"]["size"] == 16
    assert s["single"]["pps"] > 0 and s["burst"]["pps"] > 0
    s = tool_summary(run_tool("pfsystest", "-i", f"pcap:{DEMO}", "-n", "100", "-j"))
    assert s["single"]["received"] == 100 and s["burst"]["received"] == 100


def test_pcap2nspcap_keeps_every_frame_and_time(tmp_path):
    out = tmp_path / "ns.pcap"
    us = tmp_path / "us.pcap"
    write_pcap(us, [Record(i * 1234567000 + 1000, bytes([i]) * 60, 60) for i in range(20)], nano=False)
    for src in (DEMO, us):
        res = run_tool("pcap2nspcap", "-i", src, "-o", out)
        assert res.rc == 0, str(res)
        hdr, recs = read_pcap(out)
        assert hdr["magic"] == PCAP_MAGIC_NSEC
        assert [(r.ts_ns, r.data, r.orig_len) for r in recs] == \
            [(r.ts_ns, r.data, r.orig_len) for r in read_pcap(src)[1]]
        a = run(["tcpdump", "-n", "--nano", "-r", src])
        b = run(["tcpdump", "-n", "--nano", "-r", out])
        assert a.out == b.out and a.out


def test_pcap2nspcap_unreadable_input(tmp_path):
    bad = tmp_path / "bad.pcap"
    bad.write_bytes(b"not a capture")
    res = run_tool("pcap2nspcap", "-i", bad, "-o", tmp_path / "o.pcap")
    assert res.rc == 1 and "cannot read" in res.err, str(res)


@pytest.mark.parametrize("l3", [False, True])
def test_pfbounce_sends_each_frame_back_swapped(tmp_path, l3):
    name = f"userspace:bnc{uuid.uuid4().hex[:8]}"
    out = tmp_path / "bounced.pcap"
    sent = frames_of(DEMO)
    dump = subprocess.Popen([tool("pfdump"), "-i", name, "-w", out, "-N", str(len(sent))],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        time.sleep(0.5)  # pfdump creates the pipe (its first opener)
        res = run_tool("pfbounce", "-i", f"pcap:{DEMO}", "-o", name, *(["-x"] if l3 else []))
        assert res.rc == 0 and f"{len(sent):,}".replace(",", "'") in res.err, str(res)
        rc, _, err = finish(dump)
        assert rc == 0, err
    finally:
        if dump.poll() is None:
            dump.kill()
            dump.communicate()
    got = frames_of(out)
    assert len(got) == len(sent)
    for s, g in zip(sent, got):
        assert g[:6] == s[6:12] and g[6:12] == s[:6]
        if not l3:
            assert g[12:] == s[12:]
    if l3:
        # an untagged TCP/IPv4 frame has its addresses and ports swapped
        i = next(i for i, s in enumerate(sent) if s[12:14] == b"\x08\x00" and s[23] == 6)
        s, g = sent[i], got[i]
        ihl = (s[14] & 15) * 4
        assert g[26:30] == s[30:34] and g[30:34] == s[26:30]
        assert g[14 + ihl:16 + ihl] == s[16 + ihl:18 + ihl]


def test_dummy_plugin_needs_pf_ring_ko():
    res = run_tool("pfcount_dummy_plugin", "-i", f"pcap:{DEMO}")
    assert res.rc == 1 and "pf_ring.ko" in res.err, str(res)
