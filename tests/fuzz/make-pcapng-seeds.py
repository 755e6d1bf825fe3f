#!/usr/bin/env python3
"""Seeds for fuzz-pcapng: a pcapng file with every block the reader knows
(two sections in both byte orders, interfaces of three link types with
if_tsresol 10^-9, 2^-20 and if_tsoffset, EPB, SPB, the obsolete Packet Block,
statistics, custom and unknown blocks), then the same cut at every length
and with each 32-bit word set to 0, 0xffffffff and one more.  Written to the
directory given."""
import os
import struct
import sys


def frame(i, eth=True):
    e = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" if eth else b""
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, i, 0x4000, 64, 6, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    tcp = struct.pack("!HHIIBBHHH", 1000, 80, i, 0, 0x50, 0x02, 65535, 0, 0)
    return e + ip + tcp


def block(o, btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack(o + "II", btype, n) + body + struct.pack(o + "I", n)


def opt(o, code, value):
    return struct.pack(o + "HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def section(o):
    out = block(o, 0x0a0d0d0a, struct.pack(o + "IHHq", 0x1a2b3c4d, 1, 0, -1))
    out += block(o, 1, struct.pack(o + "HHI", 1, 0, 65535) + opt(o, 9, b"\x09")
                 + opt(o, 2, b"eth0") + struct.pack(o + "HH", 0, 0))
    out += block(o, 1, struct.pack(o + "HHI", 101, 0, 128) + opt(o, 9, b"\x94")
                 + opt(o, 14, struct.pack(o + "q", 1500000000)))
    out += block(o, 1, struct.pack(o + "HHI", 113, 0, 0))
    for i in range(3):
        f = frame(i, i != 1)
        if i == 2:
            f = b"\0\0\0\x01\0\x06" + b"\0" * 8 + b"\x08\x00" + frame(i, False)
        ts = 1700000000 * 10**9 + i if i == 0 else (i << 20) + 12345
        out += block(o, 6, struct.pack(o + "IIIII", i, ts >> 32, ts & 0xffffffff, len(f),
                                       len(f) + 4) + f + opt(o, 1, b"comment"))
    out += block(o, 3, struct.pack(o + "I", 54) + frame(3))
    f = frame(4)
    out += block(o, 2, struct.pack(o + "HHIIII", 0, 0, 0, 1000, len(f), len(f)) + f)
    out += block(o, 5, struct.pack(o + "III", 0, 0, 0))
    out += block(o, 0x40000bad, b"\x00\x00\x7e\xd9custom data")
    out += block(o, 0x0badf00d, b"")
    return out


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    base = section("<") + section(">")
    seeds = {"whole": base}
    for n in range(0, len(base), 3):
        seeds["cut-%04d" % n] = base[:n]
    for at in range(0, len(base) - 3, 4):
        w = struct.unpack_from("<I", base, at)[0]
        for tag, v in (("zero", 0), ("ones", 0xffffffff), ("plus", (w + 1) & 0xffffffff)):
            b = bytearray(base)
            struct.pack_into("<I", b, at, v)
            seeds["word-%04d-%s" % (at, tag)] = bytes(b)
    for name, data in seeds.items():
        with open(os.path.join(out, name + ".pcapng"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
