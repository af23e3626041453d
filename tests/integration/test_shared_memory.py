"""Shared memory another user can squat (sim/shm_segment.h): the tools as a
hostile unprivileged user and root would run them.

- an unprivileged user who makes /dev/shm/pfring-usr.NAME first (by
  running pfsend as themselves) does not get to feed root's pfcount;
- pfsim testbeds are 0600 whatever the umask, clients refuse a testbed
  of another user unless user=/group= names it, and a fake testbed file
  naming a live pid does not stop root's pfsim from starting.

The other user is nobody (setpriv); the tests need root (CI runs as root)
and fail with that reason without it.
"""

import os
import signal
import stat
import struct
import subprocess
import time
from pathlib import Path

import pytest

from conftest import DATA, finish, run, tool

@pytest.fixture(autouse=True)
def _needs_root():
    """Acting as another user needs root; CI runs as root, so a missing
    privilege fails with the reason instead of skipping."""
    assert os.geteuid() == 0, "needs root to act as another user with setpriv (CI runs as root)"

NOBODY = 65534


def as_nobody(args):
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *map(str, args)]


def nobody_env():
    # LeakSanitizer's exit-time check can hang in a process whose uid
    # changed (not dumpable: its tracer cannot attach) when a signal
    # arrives during the check; the squatter's leaks are not under test.
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":detect_leaks=0"
    return env


@pytest.fixture
def shm_name(request):
    names = []

    def make(prefix):
        name = f"{prefix}{os.getpid()}x{len(names)}"
        names.append(name)
        return name

    yield make
    for n in names:
        for f in (f"/dev/shm/pfring-usr.{n}", f"/dev/shm/pfsim.{n}"):
            try:
                os.unlink(f)
            except FileNotFoundError:
                pass


def test_a_ring_squatted_by_another_user_is_refused(shm_name):
    name = shm_name("sq")
    # the squatter's pfsend creates the ring and fills it with its frames
    sq = subprocess.Popen(as_nobody([tool("pfsend"), "-i", f"userspace:{name}", "-n", "0", "-p", "1000"]),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=nobody_env())
    try:
        path = Path(f"/dev/shm/pfring-usr.{name}")
        for _ in range(200):
            if path.exists():
                break
            time.sleep(0.01)
        assert path.exists(), "the squatter's pfsend did not create the ring"
        assert path.stat().st_uid == NOBODY
        res = run([tool("pfcount"), "-i", f"userspace:{name}", "-N", "1"])
        assert res.rc == 1, str(res)
        assert "belongs to another user (owner nobody" in res.err, str(res)
        assert "option user=nobody" in res.err, str(res)
        # naming the user accepts it: then the frames are the squatter's, as asked
        res = run([tool("pfcount"), "-i", f"userspace:{name},user=nobody", "-N", "1"])
        assert res.rc == 0, str(res)
    finally:
        if sq.poll() is None:  # it ends by itself once the reader has closed
            sq.send_signal(signal.SIGINT)
        finish(sq)


def test_a_new_ring_and_testbed_are_0600_under_umask_002(shm_name, tmp_path):
    name = shm_name("um")
    tb = tmp_path / "a.tb"
    tb.write_text("nic a\n")
    old = os.umask(0o002)
    try:
        p = subprocess.Popen([tool("pfsim"), "-n", name, str(tb)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    finally:
        os.umask(old)
    line = p.stdout.readline().decode()
    assert "ready" in line, line
    mode = stat.S_IMODE(os.stat(f"/dev/shm/pfsim.{name}").st_mode)
    p.send_signal(signal.SIGINT)
    finish(p)
    assert mode == 0o600, oct(mode)


def fake_testbed(path, pid):
    """A file that looks like a running testbed (magic, version, running
    state, a live pid) to a reader that believes it (sim/testbed_shm.h)."""
    hdr = bytearray(4096)
    struct.pack_into("<IIII", hdr, 0, 0x5046534D, 1, 1, pid)
    path.write_bytes(bytes(hdr))


def test_a_fake_testbed_of_another_user_does_not_stop_pfsim(shm_name, tmp_path):
    name = shm_name("fk")
    fake = Path(f"/dev/shm/pfsim.{name}")
    fake_testbed(fake, os.getpid())  # a pid that is alive
    os.chown(fake, NOBODY, NOBODY)
    tb = tmp_path / "a.tb"
    tb.write_text("nic a\n")
    p = subprocess.Popen([tool("pfsim"), "-n", name, str(tb)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = p.stdout.readline().decode()
    ok = "ready" in line
    if ok:
        assert fake.stat().st_uid == 0, "pfsim kept the squatter's file"
    p.send_signal(signal.SIGINT)
    rc, out, err = finish(p)
    assert ok, err


def test_a_client_refuses_a_testbed_of_another_user(shm_name, tmp_path):
    name = shm_name("cl")
    # a testbed file nobody can read (pytest's tmp_path is root's alone)
    tb = Path(f"/tmp/pfsim-ut-{name}.tb")
    tb.write_text("nic a\n")
    os.chmod(tb, 0o644)
    p = subprocess.Popen(as_nobody([tool("pfsim"), "-n", name, str(tb)]), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=nobody_env())
    try:
        line = p.stdout.readline().decode()
        assert "ready" in line, line + (p.stderr.read().decode() if p.poll() is not None else "")
        res = run([tool("pfcount"), "-i", f"sim:{name}:a", "-N", "1"])
        assert res.rc == 1 and "belongs to another user (owner nobody" in res.err, str(res)
        assert "option user=nobody" in res.err, str(res)
        res = run([tool("alldevs")])  # listing is not joining: no error
        assert res.rc == 0, str(res)
    finally:
        p.send_signal(signal.SIGINT)
        finish(p)
        tb.unlink()


def test_a_group_testbed_is_shared_with_that_group(shm_name, tmp_path):
    name = shm_name("gr")
    tb = tmp_path / "a.tb"
    tb.write_text(f"nic a\nsource a pcap={DATA / 'demo.pcap'} wait_for=1 then=end\n")
    p = subprocess.Popen([tool("pfsim"), "-n", name, "-g", "nogroup", str(tb)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    try:
        assert "ready" in p.stdout.readline().decode()
        st = os.stat(f"/dev/shm/pfsim.{name}")
        assert stat.S_IMODE(st.st_mode) == 0o660 and st.st_gid == NOBODY
        res = run([tool("pfcount"), "-i", f"sim:{name}:a", "-N", "1"])
        assert res.rc == 1 and "is writable by its group" in res.err, str(res)
        res = run([tool("pfcount"), "-i", f"sim:{name}:a,group=nogroup", "-N", "1"])
        assert res.rc == 0, str(res)
    finally:
        p.send_signal(signal.SIGINT)
        finish(p)


def test_a_group_member_who_truncates_the_testbed_kills_nobody(shm_name, tmp_path):
    """A member of the testbed's group shrinks its segment (as `truncate -s
    4096` would): pfsim stops with a message and exit 1, a client's pfcount
    ends with an error naming the cause; neither dies of SIGBUS."""
    name = shm_name("cut")
    tb = tmp_path / "c.tb"
    tb.write_text("nic a\nsource a synthetic count=100000000 wait_for=1 then=end\n")
    p = subprocess.Popen([tool("pfsim"), "-n", name, "-g", "nogroup", str(tb)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    client = None
    try:
        assert "ready" in p.stdout.readline().decode()
        client = subprocess.Popen([tool("pfcount"), "-i", f"sim:{name}:a,group=nogroup", "-j"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(0.5)
        # the member (nobody, in group nogroup) cuts it to one page
        res = run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", f"--groups={NOBODY}",
                   "truncate", "-s", "4096", f"/dev/shm/pfsim.{name}"])
        assert res.rc == 0, str(res)
        rc, out, err = finish(p, timeout=20)
        assert rc == 1 and "cut its shared memory short" in err, (rc, err)
        crc, cout, cerr = finish(client, timeout=20)
        assert crc == 1 and "cut its shared memory short" in cerr, (crc, cerr)
        assert not Path(f"/dev/shm/pfsim.{name}").exists()
    finally:
        for proc in (client, p):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
