"""pfcount over the sim: device: the Microsoft RSS verification vectors come
out in the per-packet "hash" field, and the demo's output is identical
across runs (virtual time: nothing depends on the host's speed)."""
import json

from conftest import DATA, MACS, REPO, run, run_tool, scapy, write_pcap

# Microsoft, "Verifying the RSS Hash Calculation" (default key): IPv4 TCP
# (src, sport, dst, dport) -> 4-tuple hash.
MS_IPV4_TCP = [
    ("66.9.149.187", 2794, "161.142.100.80", 1766, 0x51ccc178),
    ("199.92.111.2", 14230, "65.69.140.83", 4739, 0xc626b0ea),
    ("24.19.198.95", 12898, "12.22.207.184", 38024, 0x5c2b394a),
    ("38.27.205.30", 48228, "209.142.163.6", 2217, 0xafc7327f),
    ("153.39.163.191", 44251, "202.188.127.2", 1303, 0x10e828a2),
]


def sim_json(device, *args):
    res = run_tool("pfcount", "-i", device, "-j", *args)
    assert res.rc == 0, str(res)
    objs = [json.loads(ln) for ln in res.out.splitlines() if ln.strip()]
    assert objs and "summary" in objs[-1], str(res)
    return objs[:-1], objs[-1]["summary"], res


def test_microsoft_rss_vectors_in_the_hash_field(tmp_path):
    s = scapy()
    records = []
    for i, (src, sport, dst, dport, _) in enumerate(MS_IPV4_TCP):
        pkt = s.Ether(src=MACS[0], dst=MACS[1]) / s.IP(src=src, dst=dst) / s.TCP(sport=sport, dport=dport)
        records.append((1_000_000 * (i + 1), bytes(pkt)))
    cap = write_pcap(tmp_path / "ms.pcap", records)
    pkts, summary, _ = sim_json(f"sim:{cap},queues=4", "-v", "1")
    assert summary["received"] == len(MS_IPV4_TCP)
    by_src = {p["src"]: p for p in pkts}
    for src, sport, dst, dport, want in MS_IPV4_TCP:
        p = by_src[src]
        assert (p["sport"], p["dst"], p["dport"]) == (sport, dst, dport)
        assert p["hash"] == want, f"{src}:{sport} -> {dst}:{dport}: hash {p['hash']:#x}, want {want:#x}"
        assert p["queue"] == -1  # all queues read together


def test_counters_add_up_and_flow_control_pauses():
    dev = f"sim:{DATA / 'demo.pcap'},queues=4,rate=line,consumer_ns=700,ring=32"
    _, off, _ = sim_json(dev + ",fc=off")
    _, on, _ = sim_json(dev + ",fc=on")
    assert off["dropped"] > 0
    assert off["device"]["offered"] == off["received"] + off["dropped"]
    assert on["dropped"] == 0 and on["device"]["pause_frames"] > 0
    assert on["device"]["virtual_ns"] > off["device"]["virtual_ns"]
    assert sum(q["delivered"] for q in off["device"]["queues"]) == off["received"]


def test_demo_output_identical_across_runs():
    dev = f"sim:{DATA / 'demo.pcap'},queues=4,rate=line,consumer_ns=700,ring=32,fc=off"
    a = run_tool("pfcount", "-i", dev, "-j", "-v", "1")
    b = run_tool("pfcount", "-i", dev, "-j", "-v", "1")
    assert a.rc == 0 and b.rc == 0, f"{a}\n{b}"
    assert a.out == b.out
    assert a.out.count("\n") > 100
