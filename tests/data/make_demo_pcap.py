#!/usr/bin/env python3
"""Writes demo.pcap: the small capture that ships for the demo (ci/demo.sh
runs `pfcount -i pcap:tests/data/demo.pcap`) and for the integration tests.

    make_demo_pcap.py [OUT]     (default: demo.pcap beside this script)

Deterministic: a fixed seed and only the Python standard library, so the
same bytes come out on every machine (tests/integration checks that the
shipped file is what this script writes). The capture is a nanosecond pcap
(magic 0xa1b23c4d, little-endian, LINKTYPE_ETHERNET) of N_PACKETS frames
over about half a minute with recorded inter-packet gaps:

  - HTTP over IPv4/TCP: handshakes, requests, responses, FIN teardown
  - HTTPS-like IPv6/TCP sessions (opaque payload)
  - DNS over IPv4 and IPv6 UDP (real queries and A/AAAA answers), NTP
  - ICMP and ICMPv6 echo request/reply
  - 802.1Q-tagged traffic (VLAN 100 syslog over UDP, VLAN 200 TCP)
  - ARP requests and replies
  - a few fragmented IPv4 UDP datagrams
"""

import os
import random
import struct
import sys

SEED = 5406
N_PACKETS = 2000
WINDOW_NS = 30 * 10**9
BASE_NS = 1_356_998_400_000_000_000  # 2013-01-01 00:00:00 UTC

MAC_CLIENT = bytes.fromhex("0200c0a8010a")
MAC_CLIENT2 = bytes.fromhex("0200c0a8010b")
MAC_GW = bytes.fromhex("0200c0a80101")
MAC_BCAST = b"\xff" * 6

IP_CLIENT = bytes([192, 168, 1, 10])
IP_CLIENT2 = bytes([192, 168, 1, 11])
IP_GW = bytes([192, 168, 1, 1])
IP_WEB = bytes([93, 184, 216, 34])
IP_PING = bytes([8, 8, 8, 8])
IP_NTP = bytes([129, 6, 15, 28])
IP_SYSLOG = bytes([10, 100, 0, 5])
IP_VLAN_SRC = bytes([10, 100, 0, 20])
IP_DB = bytes([10, 200, 0, 7])
IP_DB_CLIENT = bytes([10, 200, 0, 50])
IP6_CLIENT = bytes.fromhex("20010db8000100000000000000000010")
IP6_SERVER = bytes.fromhex("20010db8000200000000000000000443")
IP6_DNS = bytes.fromhex("20010db8000100000000000000000001")

ETH_IP, ETH_IP6, ETH_ARP, ETH_VLAN = 0x0800, 0x86DD, 0x0806, 0x8100
PROTO_ICMP, PROTO_TCP, PROTO_UDP, PROTO_ICMP6 = 1, 6, 17, 58
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


# ---- headers ----------------------------------------------------------------

def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ether(dst, src, ethertype, payload, vlan=None):
    if vlan is not None:
        return dst + src + struct.pack("!HHH", ETH_VLAN, vlan, ethertype) + payload
    return dst + src + struct.pack("!H", ethertype) + payload


def ipv4(src, dst, proto, payload, ident, ttl=64, frag=0x4000):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, ttl, proto, 0,
                      src, dst)
    return hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:] + payload


def ipv6(src, dst, nh, payload, hlim=64):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nh, hlim, src, dst) + payload


def pseudo(src, dst, proto, length):
    if len(src) == 4:
        return src + dst + struct.pack("!BBH", 0, proto, length)
    return src + dst + struct.pack("!IxxxB", length, proto)


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", window=64240):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, window, 0, 0)
    c = checksum(pseudo(src, dst, PROTO_TCP, len(hdr) + len(payload)) + hdr + payload)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:] + payload


def udp(src, dst, sport, dport, payload):
    hdr = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    c = checksum(pseudo(src, dst, PROTO_UDP, len(hdr) + len(payload)) + hdr + payload) or 0xFFFF
    return hdr[:6] + struct.pack("!H", c) + payload


def icmp4(typ, ident, seq, payload):
    body = struct.pack("!BBHHH", typ, 0, 0, ident, seq) + payload
    return body[:2] + struct.pack("!H", checksum(body)) + body[4:]


def icmp6(src, dst, typ, ident, seq, payload):
    body = struct.pack("!BBHHH", typ, 0, 0, ident, seq) + payload
    c = checksum(pseudo(src, dst, PROTO_ICMP6, len(body)) + body)
    return body[:2] + struct.pack("!H", c) + body[4:]


def arp(op, sha, spa, tha, tpa):
    return struct.pack("!HHBBH6s4s6s4s", 1, ETH_IP, 6, 4, op, sha, spa, tha, tpa)


def dns_name(name):
    return b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"


def dns_query(qid, name, qtype):
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + dns_name(name) + \
        struct.pack("!HH", qtype, 1)


def dns_answer(qid, name, qtype, rdata):
    question = dns_name(name) + struct.pack("!HH", qtype, 1)
    answer = b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 300, len(rdata)) + rdata
    return struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + question + answer


# ---- traffic ----------------------------------------------------------------

class Capture:
    def __init__(self, rng):
        self.rng = rng
        self.frames = []  # (t_ns, order, bytes)
        self.ip_ident = rng.randint(1, 60000)

    def add(self, t, frame):
        self.frames.append((t, len(self.frames), frame))

    def ident(self):
        self.ip_ident = (self.ip_ident + 1) & 0xFFFF
        return self.ip_ident

    def gap(self, mean_us):
        """A recorded gap in ns around mean_us microseconds."""
        return max(1, int(self.rng.expovariate(1.0 / (mean_us * 1000))))


def text(rng, n):
    words = ["pf_ring", "packet", "capture", "ring", "cluster", "filter", "dna", "zero",
             "copy", "queue", "flow", "hash", "sample", "bpf", "socket", "driver"]
    out = []
    while sum(len(w) + 1 for w in out) < n:
        out.append(rng.choice(words))
    return " ".join(out).encode()[:n]


def tcp_session(cap, t, cmac, smac, cip, sip, sport, dport, request, response_sizes, rtt_us,
                vlan=None, opaque=False):
    """Handshake, request, response segments with ACKs, FIN both ways."""
    rng = cap.rng
    v6 = len(cip) == 16
    cseq, sseq = rng.getrandbits(32), rng.getrandbits(32)

    def send(t, to_server, flags, payload=b""):
        nonlocal cseq, sseq
        src, dst = (cip, sip) if to_server else (sip, cip)
        sp, dp = (sport, dport) if to_server else (dport, sport)
        seq, ack = (cseq, sseq) if to_server else (sseq, cseq)
        seg = tcp(src, dst, sp, dp, seq, ack if flags & ACK else 0, flags, payload)
        if v6:
            l3, et = ipv6(src, dst, PROTO_TCP, seg), ETH_IP6
        else:
            l3, et = ipv4(src, dst, PROTO_TCP, seg, cap.ident()), ETH_IP
        m_src, m_dst = (cmac, smac) if to_server else (smac, cmac)
        cap.add(t, ether(m_dst, m_src, et, l3, vlan))
        step = len(payload) + (1 if flags & (SYN | FIN) else 0)
        if to_server:
            cseq = (cseq + step) & 0xFFFFFFFF
        else:
            sseq = (sseq + step) & 0xFFFFFFFF

    send(t, True, SYN)
    t += cap.gap(rtt_us)
    send(t, False, SYN | ACK)
    t += cap.gap(rtt_us / 10)
    send(t, True, ACK)
    t += cap.gap(rtt_us / 20)
    send(t, True, PSH | ACK, request)
    t += cap.gap(rtt_us)
    for i, size in enumerate(response_sizes):
        body = bytes(rng.getrandbits(8) for _ in range(size)) if opaque else text(rng, size)
        if i == 0 and not opaque:
            body = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + body)[:size]
        send(t, False, PSH | ACK if i == len(response_sizes) - 1 else ACK, body)
        t += cap.gap(rtt_us / 50)
        if i % 2 == 1 or i == len(response_sizes) - 1:
            send(t, True, ACK)
            t += cap.gap(rtt_us / 50)
    t += cap.gap(rtt_us * 5)
    send(t, True, FIN | ACK)
    t += cap.gap(rtt_us)
    send(t, False, FIN | ACK)
    t += cap.gap(rtt_us / 10)
    send(t, True, ACK)


def http_session(cap, t):
    rng = cap.rng
    path = "/" + "/".join(rng.choice(["docs", "pf_ring", "img", "api", "v5"])
                          for _ in range(rng.randint(1, 3)))
    req = (f"GET {path} HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: demo/5.4.6\r\n"
           f"Accept: */*\r\n\r\n").encode()
    sizes = [rng.choice([100, 240, 512, 800, 1000]) for _ in range(rng.randint(1, 5))]
    client = rng.choice([(MAC_CLIENT, IP_CLIENT), (MAC_CLIENT2, IP_CLIENT2)])
    tcp_session(cap, t, client[0], MAC_GW, client[1], IP_WEB, rng.randint(32768, 60999), 80,
                req, sizes, rtt_us=rng.choice([15000, 25000, 40000]))


def https6_session(cap, t):
    rng = cap.rng
    hello = bytes([0x16, 0x03, 0x01]) + bytes(rng.getrandbits(8) for _ in range(200))
    sizes = [rng.choice([100, 400, 800]) for _ in range(rng.randint(1, 4))]
    tcp_session(cap, t, MAC_CLIENT, MAC_GW, IP6_CLIENT, IP6_SERVER, rng.randint(32768, 60999),
                443, hello, sizes, rtt_us=30000, opaque=True)


def vlan_db_session(cap, t):
    rng = cap.rng
    query = b"SELECT * FROM flows WHERE id = %d;" % rng.randint(1, 9999)
    tcp_session(cap, t, MAC_CLIENT2, MAC_GW, IP_DB_CLIENT, IP_DB, rng.randint(40000, 50000),
                5432, query, [rng.choice([64, 200, 400])], rtt_us=500, vlan=200)


NAMES = ["www.example.com", "ntop.org", "mirror.debian.org", "pool.ntp.org", "example.net"]


def dns_lookup(cap, t):
    rng = cap.rng
    name, qid = rng.choice(NAMES), rng.getrandbits(16)
    sport = rng.randint(1024, 65535)
    if rng.random() < 0.7:
        q = udp(IP_CLIENT, IP_GW, sport, 53, dns_query(qid, name, 1))
        cap.add(t, ether(MAC_GW, MAC_CLIENT, ETH_IP, ipv4(IP_CLIENT, IP_GW, PROTO_UDP, q,
                                                          cap.ident())))
        t += cap.gap(8000)
        addr = bytes([93, 184, rng.randint(0, 255), rng.randint(1, 254)])
        r = udp(IP_GW, IP_CLIENT, 53, sport, dns_answer(qid, name, 1, addr))
        cap.add(t, ether(MAC_CLIENT, MAC_GW, ETH_IP, ipv4(IP_GW, IP_CLIENT, PROTO_UDP, r,
                                                          cap.ident())))
    else:
        q = udp(IP6_CLIENT, IP6_DNS, sport, 53, dns_query(qid, name, 28))
        cap.add(t, ether(MAC_GW, MAC_CLIENT, ETH_IP6, ipv6(IP6_CLIENT, IP6_DNS, PROTO_UDP, q)))
        t += cap.gap(9000)
        addr = bytes.fromhex("20010db8") + bytes(rng.getrandbits(8) for _ in range(12))
        r = udp(IP6_DNS, IP6_CLIENT, 53, sport, dns_answer(qid, name, 28, addr))
        cap.add(t, ether(MAC_CLIENT, MAC_GW, ETH_IP6, ipv6(IP6_DNS, IP6_CLIENT, PROTO_UDP, r)))


def ping(cap, t):
    rng = cap.rng
    ident, payload = rng.getrandbits(16), bytes(range(48))
    for seq in range(1, rng.randint(2, 4) + 1):
        if rng.random() < 0.6:
            req = icmp4(8, ident, seq, payload)
            cap.add(t, ether(MAC_GW, MAC_CLIENT, ETH_IP,
                             ipv4(IP_CLIENT, IP_PING, PROTO_ICMP, req, cap.ident())))
            t += cap.gap(12000)
            rep = icmp4(0, ident, seq, payload)
            cap.add(t, ether(MAC_CLIENT, MAC_GW, ETH_IP,
                             ipv4(IP_PING, IP_CLIENT, PROTO_ICMP, rep, cap.ident(), ttl=118)))
        else:
            req = icmp6(IP6_CLIENT, IP6_SERVER, 128, ident, seq, payload)
            cap.add(t, ether(MAC_GW, MAC_CLIENT, ETH_IP6,
                             ipv6(IP6_CLIENT, IP6_SERVER, PROTO_ICMP6, req)))
            t += cap.gap(14000)
            rep = icmp6(IP6_SERVER, IP6_CLIENT, 129, ident, seq, payload)
            cap.add(t, ether(MAC_CLIENT, MAC_GW, ETH_IP6,
                             ipv6(IP6_SERVER, IP6_CLIENT, PROTO_ICMP6, rep, hlim=55)))
        t += cap.gap(1000000) // 4 + 250_000_000


def syslog(cap, t):
    rng = cap.rng
    msg = b"<134>demo pfcount[%d]: %s" % (rng.randint(100, 9999), text(rng, rng.randint(40, 160)))
    d = udp(IP_VLAN_SRC, IP_SYSLOG, 514, 514, msg)
    cap.add(t, ether(MAC_GW, MAC_CLIENT2, ETH_IP,
                     ipv4(IP_VLAN_SRC, IP_SYSLOG, PROTO_UDP, d, cap.ident()), vlan=100))


def ntp(cap, t):
    rng = cap.rng
    req = bytes([0x23]) + bytes(47)
    sport = rng.randint(1024, 65535)
    d = udp(IP_CLIENT, IP_NTP, sport, 123, req)
    cap.add(t, ether(MAC_GW, MAC_CLIENT, ETH_IP, ipv4(IP_CLIENT, IP_NTP, PROTO_UDP, d,
                                                      cap.ident())))
    t += cap.gap(20000)
    rep = bytes([0x24, 2]) + bytes(rng.getrandbits(8) for _ in range(46))
    d = udp(IP_NTP, IP_CLIENT, 123, sport, rep)
    cap.add(t, ether(MAC_CLIENT, MAC_GW, ETH_IP, ipv4(IP_NTP, IP_CLIENT, PROTO_UDP, d,
                                                      cap.ident(), ttl=50)))


def arp_exchange(cap, t):
    rng = cap.rng
    who, mac = rng.choice([(IP_CLIENT, MAC_CLIENT), (IP_CLIENT2, MAC_CLIENT2)])
    cap.add(t, ether(MAC_BCAST, MAC_GW, ETH_ARP, arp(1, MAC_GW, IP_GW, b"\0" * 6, who) + bytes(18)))
    t += cap.gap(300)
    cap.add(t, ether(MAC_GW, mac, ETH_ARP, arp(2, mac, who, MAC_GW, IP_GW) + bytes(18)))


def fragmented_datagram(cap, t):
    """One UDP datagram of ~2500 bytes cut into IPv4 fragments of 1480 bytes."""
    rng = cap.rng
    d = udp(IP_CLIENT, IP_DB, rng.randint(1024, 65535), 9999,
            bytes(rng.getrandbits(8) for _ in range(rng.randint(1600, 2600))))
    ident, off = cap.ident(), 0
    while off < len(d):
        chunk = d[off:off + 1480]
        more = off + len(chunk) < len(d)
        frag = (0x2000 if more else 0) | (off // 8)
        cap.add(t, ether(MAC_GW, MAC_CLIENT, ETH_IP,
                         ipv4(IP_CLIENT, IP_DB, PROTO_UDP, chunk, ident, frag=frag)))
        off += len(chunk)
        t += cap.gap(50)


# (generator, sessions per second of capture)
TRAFFIC = [
    (http_session, 2.8), (https6_session, 1.0), (vlan_db_session, 1.0), (dns_lookup, 6.0),
    (ping, 0.5), (syslog, 5.0), (ntp, 0.6), (arp_exchange, 0.5), (fragmented_datagram, 0.2),
]


def build(seed=SEED, n_packets=N_PACKETS):
    rng = random.Random(seed)
    cap = Capture(rng)
    for gen, rate in TRAFFIC:
        t = 0
        while True:
            t += int(rng.expovariate(rate) * 1e9)
            if t >= WINDOW_NS:
                break
            gen(cap, t)
    frames = sorted(cap.frames)[:n_packets]
    out, last = [], -1
    for t, _, frame in frames:
        t = max(t, last + 1)  # strictly increasing times
        out.append((BASE_NS + t, frame))
        last = t
    return out


def write_pcap(path, records):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))
        for ts, frame in records:
            sec, nsec = divmod(ts, 10**9)
            f.write(struct.pack("<IIII", sec, nsec, len(frame), len(frame)))
            f.write(frame)


def main(argv):
    out = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                      "demo.pcap")
    records = build()
    if len(records) != N_PACKETS:
        sys.exit(f"only {len(records)} packets generated, want {N_PACKETS}")
    write_pcap(out, records)
    print(f"{out}: {len(records)} packets, {os.path.getsize(out)} bytes")


if __name__ == "__main__":
    main(sys.argv)
