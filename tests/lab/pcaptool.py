#!/usr/bin/python3
"""pcaptool.py - small stdlib helpers for the lab's capture files.

  pcaptool.py drop-data IN OUT --nth N [--sport-not PORT]
      copy a pcap, leaving out the Nth TCP frame that carries payload
      (optionally only counting frames whose source port is not PORT):
      simulates a capture point that missed one frame.
  pcaptool.py to-pcapng IN OUT
      convert a pcap (usec or nsec) to pcapng: one SHB, one IDB (with
      if_tsresol 9 for a nanosecond input), one EPB per packet.
  pcaptool.py conns FILE
      per connection (ordered by first frame; client = sender of the first
      SYN without ACK, else of the first frame): packets and payload bytes
      per direction, first/last frame, as `.checks` lines.
"""
import argparse
import socket
import struct
import sys

MAGIC_US = 0xA1B2C3D4
MAGIC_NS = 0xA1B23C4D


def read_pcapng_packets(data):
    """Frames of a little-endian pcapng file (EPB only), as read_pcap gives."""
    pkts, off = [], 0
    while off + 12 <= len(data):
        btype, blen = struct.unpack("<II", data[off:off + 8])
        if btype == 6:
            _, hi, lo, incl, orig = struct.unpack("<IIIII", data[off + 8:off + 28])
            pkts.append((hi, lo, orig, data[off + 28:off + 28 + incl]))
        off += blen
    return pkts


def read_pcap(path):
    with open(path, "rb") as f:
        hdr = f.read(24)
        if hdr[:4] == b"\x0a\x0d\x0d\x0a":
            f.seek(0)
            return {"pkts": read_pcapng_packets(f.read())}
        magic = struct.unpack("<I", hdr[:4])[0]
        if magic in (MAGIC_US, MAGIC_NS):
            e = "<"
        else:
            e = ">"
            magic = struct.unpack(">I", hdr[:4])[0]
        if magic not in (MAGIC_US, MAGIC_NS):
            raise SystemExit("%s: not a pcap file" % path)
        _, _, _, _, snap, linktype = struct.unpack(e + "HHiIII", hdr[4:])
        pkts = []
        while True:
            ph = f.read(16)
            if len(ph) < 16:
                break
            sec, frac, incl, orig = struct.unpack(e + "IIII", ph)
            pkts.append((sec, frac, orig, f.read(incl)))
    return {"hdr": hdr, "e": e, "ns": magic == MAGIC_NS, "snap": snap,
            "linktype": linktype, "pkts": pkts}


def write_pcap(path, cap, pkts):
    e = cap["e"]
    with open(path, "wb") as f:
        f.write(cap["hdr"])
        for sec, frac, orig, data in pkts:
            f.write(struct.pack(e + "IIII", sec, frac, len(data), orig))
            f.write(data)


def tcp_of(frame):
    """(src, dst, sport, dport, flags, payload_len) of an Ethernet TCP frame."""
    etype = struct.unpack("!H", frame[12:14])[0]
    if etype == 0x0800 and frame[23] == 6:
        ihl = (frame[14] & 15) * 4
        total = struct.unpack("!H", frame[16:18])[0]
        src = socket.inet_ntop(socket.AF_INET, frame[26:30])
        dst = socket.inet_ntop(socket.AF_INET, frame[30:34])
        t, iplen = 14 + ihl, total - ihl
    elif etype == 0x86DD and frame[20] == 6:
        iplen = struct.unpack("!H", frame[18:20])[0]
        src = socket.inet_ntop(socket.AF_INET6, frame[22:38])
        dst = socket.inet_ntop(socket.AF_INET6, frame[38:54])
        t = 54
    else:
        return None
    sport, dport = struct.unpack("!HH", frame[t:t + 4])
    hl = (frame[t + 12] >> 4) * 4
    return src, dst, sport, dport, frame[t + 13], iplen - hl


def cmd_drop_data(a):
    cap = read_pcap(a.input)
    out, n, dropped = [], 0, None
    for i, p in enumerate(cap["pkts"], 1):
        t = tcp_of(p[3])
        if t and t[5] > 0 and t[2] != a.sport_not:
            n += 1
            if n == a.nth:
                dropped = i
                continue
        out.append(p)
    if dropped is None:
        raise SystemExit("no data frame #%d" % a.nth)
    write_pcap(a.output, cap, out)
    print("left out frame %d" % dropped)


def cmd_to_pcapng(a):
    cap = read_pcap(a.input)

    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        n = 12 + len(body)
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)

    def opt(code, val):
        return (struct.pack("<HH", code, len(val)) + val
                + b"\0" * (-len(val) % 4))

    shb = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
    shb += opt(4, b"tests/lab/pcaptool.py") + opt(0, b"")
    idb = struct.pack("<HHI", cap["linktype"], 0, cap["snap"])
    idb += opt(2, b"tfa0")
    idb += opt(9, bytes([9 if cap["ns"] else 6])) + opt(0, b"")
    out = [block(0x0A0D0D0A, shb), block(1, idb)]
    scale = 10 ** 9 if cap["ns"] else 10 ** 6
    for sec, frac, orig, data in cap["pkts"]:
        ts = sec * scale + frac
        epb = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(data),
                          orig) + data
        out.append(block(6, epb))
    with open(a.output, "wb") as f:
        f.write(b"".join(out))


def cmd_conns(a):
    cap = read_pcap(a.input)
    conns, order = {}, []
    for i, p in enumerate(cap["pkts"], 1):
        t = tcp_of(p[3])
        if not t:
            continue
        src, dst, sport, dport, flags, plen = t
        key = tuple(sorted([(src, sport), (dst, dport)]))
        c = conns.get(key)
        # a SYN (no ACK) after a FIN or RST on the tuple starts a new one
        if c and flags & 0x12 == 0x02 and c["ended"] and (src, sport) == c["client"]:
            c = None
        if c is None:
            c = {"client": (src, sport), "server": (dst, dport),
                 "origin": "syn" if flags & 0x12 == 0x02 else
                 ("synack" if flags & 0x12 == 0x12 else "first_packet"),
                 "first": i, "last": i, "pk": [0, 0], "by": [0, 0],
                 "ended": False}
            if flags & 0x12 == 0x12:
                c["client"], c["server"] = (dst, dport), (src, sport)
            conns[key] = c
            order.append(c)
        d = 0 if (src, sport) == c["client"] else 1
        c["pk"][d] += 1
        c["by"][d] += plen
        c["last"] = i
        if flags & 0x05:
            c["ended"] = True
    print("connections == %d" % len(order))
    for n, c in enumerate(order, 1):
        print("conn %d originator == %s" % (n, c["origin"]))
        print("conn %d client.ip == %s" % (n, c["client"][0]))
        print("conn %d client.port == %d" % (n, c["client"][1]))
        print("conn %d server.ip == %s" % (n, c["server"][0]))
        print("conn %d server.port == %d" % (n, c["server"][1]))
        print("conn %d first_frame == %d" % (n, c["first"]))
        print("conn %d last_frame == %d" % (n, c["last"]))
        print("conn %d packets.client == %d" % (n, c["pk"][0]))
        print("conn %d packets.server == %d" % (n, c["pk"][1]))
        print("conn %d bytes.client == %d" % (n, c["by"][0]))
        print("conn %d bytes.server == %d" % (n, c["by"][1]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("drop-data")
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--nth", type=int, required=True)
    p.add_argument("--sport-not", type=int, default=-1)
    p = sub.add_parser("to-pcapng")
    p.add_argument("input")
    p.add_argument("output")
    p = sub.add_parser("conns")
    p.add_argument("input")
    a = ap.parse_args()
    {"drop-data": cmd_drop_data, "to-pcapng": cmd_to_pcapng,
     "conns": cmd_conns}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
