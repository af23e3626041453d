"""The dna module on the 82576 model (issue 25 step 1): the igb driver
receiving a capture through the register model. Judged by the capture's
own frames, by tcpdump and by the software NIC (sim:) with the same RSS."""

import pytest

from conftest import DATA, frames_of, run_tool, tcpdump_filter, tool_summary

DEMO = DATA / "demo.pcap"


def test_pfcount_counts_every_frame():
    s = tool_summary(run_tool("pfcount", "-i", f"dna:model:igb:{DEMO}", "-j"))
    assert s["received"] == len(frames_of(DEMO)) and s["dropped"] == 0, s
    assert s["device"]["rx_packets"] == len(frames_of(DEMO)), s
    assert s["device"]["missed"] == 0 and s["device"]["rx_errors"] == 0, s


def test_pfdump_writes_the_capture_byte_for_byte(tmp_path):
    out = tmp_path / "dna.pcap"
    res = run_tool("pfdump", "-i", f"dna:model:igb:{DEMO},ring=64", "-w", out)
    assert res.rc == 0, str(res)
    assert frames_of(out) == frames_of(DEMO)
    # and tcpdump reads it: the same frames as from the original
    assert [r.data for r in tcpdump_filter(out, "", tmp_path / "td.pcap")] == frames_of(DEMO)


@pytest.mark.parametrize("expr", ["tcp", "udp and port 53", "vlan"])
def test_bpf_on_dna_counts_as_tcpdump(tmp_path, expr):
    s = tool_summary(run_tool("pfcount", "-i", f"dna:model:igb:{DEMO}", "-f", expr, "-j"))
    assert s["received"] == len(tcpdump_filter(DEMO, expr, tmp_path / "td.pcap"))


@pytest.mark.parametrize("queue", [0, 1, 2, 3])
def test_each_queue_gets_what_the_software_nic_gives_it(tmp_path, queue):
    a, b = tmp_path / "dna.pcap", tmp_path / "sim.pcap"
    res = run_tool("pfdump", "-i", f"dna:model:igb:{DEMO},queues=4@{queue}", "-w", a)
    assert res.rc == 0, str(res)
    res = run_tool("pfdump", "-i", f"sim:{DEMO},queues=4@{queue}", "-w", b)
    assert res.rc == 0, str(res)
    assert frames_of(a) == frames_of(b) and frames_of(a)


def test_multichannel_counts_per_queue_as_sim():
    dna = tool_summary(run_tool("pfcount_multichannel", "-i", f"dna:model:igb:{DEMO},queues=4", "-j"))
    sim = tool_summary(run_tool("pfcount_multichannel", "-i", f"sim:{DEMO},queues=4", "-j"))
    assert [q["received"] for q in dna["queues"]] == [q["received"] for q in sim["queues"]]
    assert dna["received"] == len(frames_of(DEMO))


@pytest.mark.parametrize("opts", [
    "consumer_ns=20000,ring=8,rate=line",
    "consumer_ns=3000,ring=16,rate=line,queues=4@2",
    "consumer_ns=5000,ring=32,rate=line,speed=1g,queues=2@1",
])
def test_a_slow_consumer_loses_what_it_loses_on_the_software_nic(tmp_path, opts):
    # the same frames survive, in the same order, and the same count is lost
    a, b = tmp_path / "dna.pcap", tmp_path / "sim.pcap"
    assert run_tool("pfdump", "-i", f"dna:model:igb:{DEMO},{opts}", "-w", a).rc == 0
    assert run_tool("pfdump", "-i", f"sim:{DEMO},{opts}", "-w", b).rc == 0
    assert frames_of(a) == frames_of(b)
    dna = tool_summary(run_tool("pfcount", "-i", f"dna:model:igb:{DEMO},{opts}", "-j"))
    sim = tool_summary(run_tool("pfcount", "-i", f"sim:{DEMO},{opts}", "-j"))
    assert dna["dropped"] == sim["dropped"] > 0, (dna, sim)
    assert dna["received"] == sim["received"] == len(frames_of(a))
    assert dna["device"]["wire"]["missed"] == sim["device"]["missed"]
    assert dna["device"]["missed"] == 0  # nothing more lost at the descriptors (full=wait)


def test_a_slow_consumer_on_every_queue_loses_what_the_software_nic_loses(tmp_path):
    # one ring on all four queues reads them queue by queue (as DNA does),
    # sim: merges them by arrival: the same frames, in another order
    opts = "consumer_ns=3000,ring=16,rate=line,queues=4"
    a, b = tmp_path / "dna.pcap", tmp_path / "sim.pcap"
    assert run_tool("pfdump", "-i", f"dna:model:igb:{DEMO},{opts}", "-w", a).rc == 0
    assert run_tool("pfdump", "-i", f"sim:{DEMO},{opts}", "-w", b).rc == 0
    assert sorted(frames_of(a)) == sorted(frames_of(b))
    assert len(frames_of(a)) < len(frames_of(DEMO))


def test_flow_control_loses_nothing_on_dna():
    s = tool_summary(run_tool("pfcount", "-i", f"dna:model:igb:{DEMO},consumer_ns=20000,ring=8,rate=line,fc=on",
                              "-j"))
    assert s["dropped"] == 0 and s["received"] == len(frames_of(DEMO)), s
    assert s["device"]["wire"]["pause_frames"] > 0, s


def test_transmit_goes_out_of_the_nic(tmp_path):
    out = tmp_path / "tx.pcap"
    res = run_tool("pfsend", "-i", f"dna:model:igb:{DEMO},tx={out}", "-f", DEMO)
    assert res.rc == 0, str(res)
    assert frames_of(out) == frames_of(DEMO)


@pytest.mark.parametrize("dev,needle", [
    ("dna:eth0", "model:igb"),
    (f"dna:model:igb:{DEMO},queues=17", "queues"),
    (f"dna:model:igb:{DEMO},ring=100", "ring"),
    (f"dna:model:igb:{DEMO},ring=24", "power of two"),
    (f"dna:model:igb:{DEMO},rate=fast", "rate"),
    (f"dna:model:igb:{DEMO},slot=4096", "slot"),
    (f"dna:model:igb:{DEMO},full=maybe", "full"),
    (f"dna:model:igb:{DEMO},color=red", "color"),
    ("dna:model:igb:/nonexistent.pcap", "cannot open"),
])
def test_bad_names_say_what_is_wrong(dev, needle):
    res = run_tool("pfcount", "-i", dev)
    assert res.rc == 1 and needle in res.err, str(res)
