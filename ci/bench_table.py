"""ci/bench_table.py DIR - the table of ci/bench.sh from the JSON the
benchmark programs wrote into DIR (one BENCH.json each): each row is our
figure against its peer's, measured in the same run, with the goal of
issue 15. A row whose benchmark did not run (a peer not built here, such
as DPDK's rte_softrss) says so instead of a figure."""

import json
import pathlib
import sys

# (path, kind, ours, peer, goal)
#   kind "ratio": peer time / our time (higher is better), goal a minimum
#   kind "ns":    our time per item in ns (goal a maximum); peer shown for scale
#   kind "scale": our time at the first name / at the second (goal a maximum)
#   kind "cycles": counter cycles_per_pkt of ours minus the peer's (the
#                  model's DMA alone), goal a maximum
ROWS = [
    ("pfring_recv on pcap:", "ratio", "bench_pcap:BM_pfring_recv", "bench_pcap:BM_pcap_next_ex", 2.0),
    ("pfring_recv_burst(64) on pcap:", "ratio", "bench_pcap:BM_pfring_recv_burst/64", "bench_pcap:BM_pcap_next_ex", 2.0),
    ("pfring_loop on pcap:", "ratio", "bench_pcap:BM_pfring_loop", "bench_pcap:BM_pcap_next_ex", 2.0),
    ("pfcount -j path (recv_burst 64, no parse), 64 B frames", "ratio", "bench_pcap:BM_pfcount_path_64b",
     "bench_pcap:BM_pcap_next_ex_64b", 1.5),
    ("sim: 4-queue RSS replay", "ratio", "bench_pcap:BM_sim_replay_4q", "bench_pcap:BM_pcap_next_ex", 1.0),
    ("BPF match (x86-64 code vs bpf_filter)", "ratio", "bench_bpf:BM_pfring_bpf_match", "bench_bpf:BM_libpcap_bpf_filter", 2.5),
    ("BPF over a file (pcap: + filter)", "ratio", "bench_bpf:BM_pfring_bpf_file", "bench_bpf:BM_pcap_offline_filter_file", 2.0),
    ("dna:model:igb pfring_recv", "ratio", "bench_igb:BM_dna_pfring_recv", "bench_igb:BM_pcap_next_ex", None),
    ("igb driver, cycles/pkt at burst 32 (ixy: 94)", "cycles", "bench_igb:BM_igb_rx/32", "bench_igb:BM_model_dma/32", 100),
    ("igb driver, cycles/pkt at burst 1", "cycles", "bench_igb:BM_igb_rx/1", "bench_igb:BM_model_dma/1", 100),
    ("parse to L4 (pfc_parse_pkt)", "ns", "bench_rules:BM_parse_l4", None, 20),
    ("1000 VLAN-only rules / 1 rule", "scale", "bench_rules:BM_wildcard<vlan_rule>/1000", "bench_rules:BM_wildcard<vlan_rule>/1", 3),
    ("1000 exact ACL rules / 1 rule", "scale", "bench_rules:BM_wildcard<acl_rule>/1000", "bench_rules:BM_wildcard<acl_rule>/1", 3),
    ("hash rules, 1M entries, bursts", "ns", "bench_rules:BM_hash_lookup_burst/1000000", None, 40),
    ("Toeplitz IPv4 4-tuple", "ns", "bench_rss:BM_table_ipv4_tcp", "bench_rss:BM_dpdk_softrss_ipv4_tcp", 3),
    ("Toeplitz IPv6 4-tuple", "ns", "bench_rss:BM_table_ipv6_tcp", "bench_rss:BM_dpdk_softrss_ipv6_tcp", 8),
]

UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def load(out_dir):
    runs = {}
    for path in pathlib.Path(out_dir).glob("*.json"):
        prog = path.stem
        try:
            data = json.loads(path.read_text())
        except ValueError:
            continue
        for b in data.get("benchmarks", []):
            if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
                continue
            name = b.get("run_name", b["name"])
            runs[f"{prog}:{name}"] = b
    return runs


def per_item_ns(b):
    """Time per item when the benchmark counts items, else per iteration."""
    t = b["real_time"] * UNIT_NS[b.get("time_unit", "ns")]
    if b.get("items_per_second"):
        return 1e9 / b["items_per_second"]
    return t


def fmt_ns(v):
    if v >= 1e6:
        return f"{v / 1e6:.2f} ms"
    if v >= 1e3:
        return f"{v / 1e3:.2f} us"
    return f"{v:.2f} ns"


def main(out_dir):
    runs = load(out_dir)
    rows = [("path", "ours", "peer", "figure", "goal")]
    for path, kind, ours, peer, goal in ROWS:
        o = runs.get(ours)
        p = runs.get(peer) if peer else None
        if o is None:
            rows.append((path, "not run", "", "", ""))
            continue
        if kind == "ratio":
            if p is None:
                rows.append((path, fmt_ns(per_item_ns(o)), "not run", "", ""))
                continue
            r = per_item_ns(p) / per_item_ns(o)
            rows.append((path, fmt_ns(per_item_ns(o)), fmt_ns(per_item_ns(p)), f"{r:.2f}x",
                         f">= {goal}x" if goal else "-"))
        elif kind == "ns":
            v = per_item_ns(o)
            rows.append((path, fmt_ns(v), fmt_ns(per_item_ns(p)) if p else "-", fmt_ns(v), f"<= {goal} ns"))
        elif kind == "scale":
            r = per_item_ns(o) / per_item_ns(p)
            rows.append((path, fmt_ns(per_item_ns(o)), fmt_ns(per_item_ns(p)), f"{r:.1f}x", f"<= {goal}x"))
        elif kind == "cycles":
            c = o.get("cycles_per_pkt", 0) - (p.get("cycles_per_pkt", 0) if p else 0)
            rows.append((path, f"{o.get('cycles_per_pkt', 0):.0f}", f"{p.get('cycles_per_pkt', 0):.0f}" if p else "-",
                         f"{c:.0f} cycles", f"<= {goal}"))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for k, r in enumerate(rows):
        print("| " + " | ".join(c.ljust(widths[i]) for i, c in enumerate(r)) + " |")
        if k == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: bench_table.py DIR")
    main(sys.argv[1])
