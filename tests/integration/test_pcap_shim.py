"""The libpcap shim (libpfring-pcap.so through the pfring-pcap wrapper):
Debian's own tcpdump and tshark binaries, unmodified, capture from PF_RING
device names. Judged against tcpdump reading the same capture as a file.
"""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import DATA, finish, run, tool

DEMO = DATA / "demo.pcap"


def shim(*args, env=None, timeout=60):
    return run([tool("pfring-pcap"), *map(str, args)], timeout=timeout) if env is None else \
        _run_env([tool("pfring-pcap"), *map(str, args)], env, timeout)


def _run_env(args, env, timeout):
    e = dict(os.environ)
    e.update(env)
    p = subprocess.run(args, capture_output=True, timeout=timeout, env=e)

    class R:
        rc, out, err = p.returncode, p.stdout.decode(), p.stderr.decode()

        def __str__(self):
            return f"rc={self.rc}\n{self.err}"
    return R()


def tcpdump_file(*args):
    res = run(["tcpdump", "-n", *map(str, args)])
    assert res.rc == 0, str(res)
    return res.out


@pytest.mark.parametrize("expr", ["", "tcp and port 80", "udp", "vlan and tcp", "arp or icmp", "ip6"])
def test_tcpdump_on_a_pcap_device_prints_what_it_prints_for_the_file(expr):
    res = shim("tcpdump", "-n", "-i", f"pcap:{DEMO}", *([expr] if expr else []))
    assert res.rc == 0, str(res)
    assert res.out == tcpdump_file("-r", DEMO, *([expr] if expr else []))
    assert "Sanitizer" not in res.err, res.err


def test_tcpdump_on_the_software_nic_counts_every_packet_and_stops_at_the_end():
    res = shim("tcpdump", "-n", "-i", f"sim:{DEMO},queues=4")
    assert res.rc == 0, str(res)
    assert "2000 packets captured" in res.err, res.err
    assert len(res.out.splitlines()) == 2000


def test_tcpdump_writes_a_capture_with_the_same_bytes(tmp_path):
    out = tmp_path / "o.pcap"
    res = shim("tcpdump", "-n", "-i", f"pcap:{DEMO}", "-w", out)
    assert res.rc == 0, str(res)
    assert tcpdump_file("-xx", "-r", out) == tcpdump_file("-xx", "-r", DEMO)


def test_tcpdump_count_stops_after_n():
    res = shim("tcpdump", "-n", "-i", f"pcap:{DEMO}", "-c", "7")
    assert res.rc == 0, str(res)
    assert len(res.out.splitlines()) == 7
    assert "7 packets captured" in res.err


def test_tshark_through_dumpcap_captures_from_a_pf_ring_device():
    res = shim("tshark", "-n", "-i", f"pcap:{DEMO}", "-c", "10", timeout=120)
    assert res.rc == 0, str(res)
    assert len([ln for ln in res.out.splitlines() if ln.strip()]) == 10, res.out


def test_pcap_no_pf_ring_leaves_every_device_to_libpcap():
    res = shim("tcpdump", "-n", "-i", f"pcap:{DEMO}", "-c", "1", env={"PCAP_NO_PF_RING": "1"})
    assert res.rc != 0
    assert "pcap:" in res.err


def test_an_unknown_pf_ring_name_fails_with_libpfrings_reason():
    res = shim("tcpdump", "-n", "-i", "pcap:/nonexistent/file.pcap", "-c", "1")
    assert res.rc != 0
    assert "nonexistent" in res.err, res.err


def test_offline_files_are_read_by_the_real_libpcap():
    res = shim("tcpdump", "-n", "-r", DEMO, "-c", "3")
    assert res.rc == 0, str(res)
    assert res.out == tcpdump_file("-r", DEMO, "-c", "3")


def test_two_tcpdumps_in_one_cluster_share_a_testbed_nic(tmp_path):
    """PCAP_PF_RING_CLUSTER_ID: two tcpdump processes on one pfsim NIC split
    its traffic, every packet to one of them."""
    name = f"shim{os.getpid()}"
    tb = tmp_path / "s.tb"
    tb.write_text(f"nic a queues=1\nsource a pcap={DEMO} rate=line wait_for=2 then=end\n")
    sim = subprocess.Popen([tool("pfsim"), "-n", name, str(tb)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert "ready" in sim.stdout.readline().decode()
        env = dict(os.environ, PCAP_PF_RING_CLUSTER_ID="9", PCAP_PF_RING_USE_CLUSTER_PER_FLOW="1")
        procs = [subprocess.Popen([tool("pfring-pcap"), "tcpdump", "-n", "-i", f"sim:{name}:a"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
        outs = [finish(p, timeout=60) for p in procs]
        counts = [len(o[1].splitlines()) for o in outs]
        assert all(o[0] == 0 for o in outs), outs
        assert sum(counts) == 2000 and min(counts) > 0, counts
    finally:
        sim.send_signal(signal.SIGINT)
        finish(sim)
