#!/usr/bin/env python3
"""Seeds for fuzz-pcapfile: classic pcap files of every variant libpcap 1.10
reads (both byte orders, micro- and nanoseconds, Kuznetzov's records,
versions 2.2, 2.3 and 543.0 with caplen and len swapped, odd snapshot
lengths and link types, NFLOG in either byte order, times past 2038 and
fractions out of range), refused ones (versions 1.0, 2.5, other magics),
and one of them cut at every byte of its first records and at the end.
Python 3 standard library only.  Usage: make-pcapfile-seeds.py DIR"""
import os
import struct
import sys


def frame(i):
    tcp = struct.pack("!HHIIBBHHH", 40000 + i % 3, 80, 1000 + i, 7, 0x50, 0x18, 65535, 0, 0)
    body = tcp + bytes(range(i % 40))
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), i, 0x4000, 64, 6, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + body
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip


RECS = [(1700000000 + i, 1000 * i, frame(i), len(frame(i)) + (i % 2) * 10) for i in range(12)]


def pcap(recs, end="<", magic=0xa1b2c3d4, major=2, minor=4, snap=65535, lt=1, kuz=False,
         lenswap=False, tsmod=None):
    b = struct.pack(end + "IHHiIII", magic, major, minor, 0, 0, snap & 0xffffffff, lt)
    for i, (ts, us, d, ln) in enumerate(recs):
        if tsmod:
            ts, us = tsmod(i, ts, us)
        a, c = (ln, len(d)) if lenswap else (len(d), ln)
        b += struct.pack(end + "IIII", ts & 0xffffffff, us & 0xffffffff, a, c)
        if kuz:
            b += struct.pack(end + "IHBB", 3, 0x800, 0, 0)
        b += d
    return b


def nflog(end):
    out = []
    for ts, us, d, ln in RECS:
        ip = d[14:]
        pad = b"\0" * ((4 - len(ip) % 4) % 4)
        body = (b"\x02\x00\x00\x00" + struct.pack(end + "HH", 8, 1) + b"\x08\x00\x00\x00" +
                struct.pack(end + "HH", 4 + len(ip), 9) + ip + pad)
        out.append((ts, us, body, len(body)))
    return out


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    files = {}
    for end, e in (("<", "le"), (">", "be")):
        files[e + "-usec"] = pcap(RECS, end)
        files[e + "-nsec"] = pcap(RECS, end, magic=0xa1b23c4d)
        files[e + "-kuznetzov"] = pcap(RECS, end, magic=0xa1b2cd34, kuz=True)
        files[e + "-kuznetzov-snap40"] = pcap(RECS, end, magic=0xa1b2cd34, kuz=True, snap=40)
        files[e + "-v22"] = pcap(RECS, end, minor=2, lenswap=True)
        files[e + "-v23-swapped"] = pcap(RECS, end, minor=3, lenswap=True)
        files[e + "-v23"] = pcap(RECS, end, minor=3)
        files[e + "-v543"] = pcap(RECS, end, major=543, minor=0, lenswap=True)
        files[e + "-v10"] = pcap(RECS, end, major=1, minor=0)
        files[e + "-v25"] = pcap(RECS, end, minor=5)
        for snap in (0, 50, 0x7fffffff, 0x80000000, 0xffffffff):
            files["%s-snap%x" % (e, snap)] = pcap(RECS, end, snap=snap)
        files[e + "-after-2038"] = pcap(RECS, end, tsmod=lambda i, t, u: (t + 0x90000000, u))
        files[e + "-fractions"] = pcap(RECS, end, tsmod=lambda i, t, u: (t, 0xffffff00 + i))
        files[e + "-linktype-bits"] = pcap(RECS, end, lt=1 | 0x14000000)
        files[e + "-null"] = pcap([(a, b, struct.pack(end + "I", 30) + c[14:], d - 10)
                                   for a, b, c, d in RECS], end, lt=0)
        files[e + "-nflog"] = pcap(nflog(end), end, lt=239)
        files[e + "-dbus"] = pcap(RECS, end, lt=231, snap=0)
    full = files["le-usec"]
    for cut in list(range(0, 24 + 16 + 70)) + [len(full) - k for k in (1, 5, 17, 30)]:
        files["cut-%05d" % cut] = full[:cut]
    bad = bytearray(full)
    struct.pack_into("<I", bad, 24 + 8, 262145)
    files["caplen-262145"] = bytes(bad)
    bad = bytearray(files["le-snap32"])
    struct.pack_into("<I", bad, 24 + 8, 262144)
    files["caplen-262144-snap50"] = bytes(bad)
    files["magic-other"] = b"\xa1\xb2\x34\xcd" + full[4:]
    for name, b in files.items():
        with open(os.path.join(out, name + ".pcap"), "wb") as f:
            f.write(b)


main()
