#!/usr/bin/env python3
"""Write the fuzz-decode seeds for the link types and tunnels beyond plain
Ethernet into tests/fuzz/seeds-decode/ (or the directory given).

Each seed is one byte choosing the link type (its index in fuzz-decode.c's
linktypes[]) and one frame carrying the IPv4 SYN 10.0.0.1:1234 > 10.0.0.2:80,
built field by field here.  Run it again after adding a link type or a
tunnel, and commit the seeds it writes.
"""
import os
import struct
import sys

# fuzz-decode.c's linktypes[], in order
LT = {name: i for i, name in enumerate([
    "EN10MB", "LINUX_SLL", "LINUX_SLL2", "NULL", "LOOP", "RAW", "IPV4", "IPV6",
    "PPP", "PPP_SERIAL", "C_HDLC", "IPOIB", "NFLOG", "PPI", "IEEE802_11",
    "IEEE802_11_RADIO", "ARCNET", "ARCNET_LINUX", "FDDI", "JUNIPER_ETHER",
    "JUNIPER_PPPOE", "JUNIPER_PPP", "JUNIPER_CHDLC", "PRISM_HEADER", "IEEE802_11_RADIO_AVS"])}


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ipv4(proto, payload, src=b"\x0a\0\0\x01", dst=b"\x0a\0\0\x02"):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0x1234, 0x4000, 64, proto, 0,
                    src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def tcp_syn():
    return struct.pack("!HHIIBBHHH", 1234, 80, 1000, 0, 0x50, 0x02, 65535, 0, 0)


def syn4():
    return ipv4(6, tcp_syn())


def syn6():
    src = bytes.fromhex("20010db8000000000000000000000001")
    dst = bytes.fromhex("20010db8000000000000000000000002")
    t = tcp_syn()
    return struct.pack("!IHBB", 0x60000000, len(t), 6, 64) + src + dst + t


def eth(etype, payload):
    return bytes.fromhex("020000000002020000000001") + struct.pack("!H", etype) + payload


def udp4(sport, dport, payload):
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    return ipv4(17, u, b"\xc0\0\x02\x01", b"\xc0\0\x02\x02")


def gre4(flags, ptype, payload):
    return ipv4(47, struct.pack("!HH", flags, ptype) + payload, b"\xc0\0\x02\x01",
                b"\xc0\0\x02\x02")


def snap(etype):
    return b"\xaa\xaa\x03\0\0\0" + struct.pack("!H", etype)


def wlan(subtype=8, fc1=0x01):
    h = bytes([subtype << 4 | 0x08, fc1]) + b"\0\0" + bytes.fromhex(
        "020000000001" "020000000002" "020000000003") + b"\x10\x00"
    if fc1 & 3 == 3:
        h += bytes.fromhex("020000000004")
    if subtype & 8:
        h += b"\0\0"
    return h + snap(0x0800) + syn4()


SEEDS = {
    "wlan-qos": ("IEEE802_11", wlan()),
    "wlan-4addr": ("IEEE802_11", wlan(8, 0x03)),
    "wlan-protected": ("IEEE802_11", wlan(0, 0x41)),
    "radiotap-pad": ("IEEE802_11_RADIO",
                     struct.pack("<BBHI", 0, 0, 20, 3) + bytes(8) + b"\x30" + bytes(3)
                     + wlan()[:26] + b"\0\0" + wlan()[26:]),
    "radiotap-ext": ("IEEE802_11_RADIO",
                     struct.pack("<BBHII", 0, 0, 12, 0x80000000, 0) + wlan(0)),
    "ppi-wlan": ("PPI", struct.pack("<BBHI", 0, 0, 8, 105) + wlan()),
    "ppi-radiotap": ("PPI", struct.pack("<BBHI", 0, 0, 8, 127) + struct.pack("<BBHI", 0, 0, 8, 0)
                     + wlan(0)),
    "arcnet-1051": ("ARCNET", b"\x50\xbe\xf0" + syn4()),
    "arcnet-1201-exception": ("ARCNET", b"\xbe\x50\xd4\xff\xff\xff\xd4\x00\x00\x01" + syn4()),
    "arcnet-linux-1201": ("ARCNET_LINUX", b"\xbe\x50\xa8\xe7\xd4\x00\x01\x66" + syn4()),
    "arcnet-ipv6": ("ARCNET", b"\xbe\x50\xc4\x00\x00\x01" + syn6()),
    "fddi": ("FDDI", b"\x50" + bytes.fromhex("020000000002020000000001") + snap(0x0800) + syn4()),
    "juniper-ether": ("JUNIPER_ETHER", b"MGC\x80\x00\x10" + bytes.fromhex(
        "03010106010e01028c0004044c010000") + eth(0x0800, syn4())),
    "juniper-no-l2": ("JUNIPER_ETHER", b"MGC\x02\x02\0\0\0" + syn4()),
    "juniper-pppoe": ("JUNIPER_PPPOE", b"MGC\0" + eth(0x8864, b"\x11\x00\x12\x34" + struct.pack(
        "!H", 2 + len(syn4())) + b"\x00\x21" + syn4())),
    "juniper-ppp": ("JUNIPER_PPP", b"MGC\x80\x00\x03\x01\x01\x05\xff\x03\x00\x21" + syn4()),
    "juniper-chdlc": ("JUNIPER_CHDLC", b"MGC\0\x0f\x00\x08\x00" + syn4()),
    "prism": ("PRISM_HEADER", struct.pack("<II", 0x44, 144) + b"wlan0".ljust(16, b"\0")
              + bytes(120) + wlan()),
    "avs": ("IEEE802_11_RADIO_AVS", struct.pack(">II", 0x80211001, 64) + bytes(56) + wlan()),
    "pbb": ("EN10MB", eth(0x88a8, struct.pack("!HH", 100, 0x88e7) + b"\0\x01\x23\x45"
                          + eth(0x0800, syn4()))),
    "vntag": ("EN10MB", eth(0x8926, b"\x80\x01\x00\x02\x08\x00" + syn4())),
    "etag": ("EN10MB", eth(0x893f, b"\0\0\0\x05\0\0\x08\x00" + syn4())),
    "fabricpath": ("EN10MB", eth(0x8903, b"\x00\x3f" + eth(0x0800, syn4()))),
    "gtpu-ext": ("EN10MB", eth(0x0800, udp4(2152, 2152, b"\x34\xff" + struct.pack(
        "!H", 8 + len(syn4())) + b"\0\0\0\x01\0\0\0\x85" + b"\x01\x10\x09\x01"
        + b"\x02\0\0\0\0\0\0\0" + syn4()))),
    "teredo-auth-origin": ("EN10MB", eth(0x0800, udp4(50000, 3544, bytes.fromhex(
        "00010302616263090901020304050607080000" "00f23f3ffffdfe") + syn6()))),
    "vxlan-gpe": ("EN10MB", eth(0x0800, udp4(40000, 4790, b"\x0c\0\0\x01\0\0\x2a\0" + syn4()))),
    "gre-in-udp": ("EN10MB", eth(0x0800, udp4(40000, 4754, b"\x20\x00\x08\x00\0\0\0\x07"
                                             + syn4()))),
    "ayiya": ("EN10MB", eth(0x0800, udp4(5072, 5072, b"\x41\x52\x11\x04\x60\0\0\0" + bytes(36)
                                         + syn4()))),
    "capwap-80211": ("EN10MB", eth(0x0800, udp4(5247, 40000, b"\x00\x10\x03\x00\0\0\0\0"
                                                + wlan()))),
    "capwap-80211-swapped": ("EN10MB", eth(0x0800, udp4(5247, 40000, b"\x00\x10\x03\x00\0\0\0\0"
                                                        + wlan()[1::-1] + wlan()[2:]))),
    "capwap-8023": ("EN10MB", eth(0x0800, udp4(40000, 5247, b"\x00\x10\x00\x00\0\0\0\0"
                                               + eth(0x0800, syn4())))),
    "erspan-1": ("EN10MB", eth(0x0800, gre4(0, 0x88be, eth(0x0800, syn4())))),
    "erspan-3-subheader": ("EN10MB", eth(0x0800, gre4(0x1000, 0x22eb, b"\0\0\0\x05"
                                                      + b"\x20\x64\x00\x2a\1\2\3\4\0\0\0\x01"
                                                      + bytes(8) + eth(0x0800, syn4())))),
    "aruba-gre": ("EN10MB", eth(0x0800, gre4(0, 0x8210, wlan()))),
    "nflog": ("NFLOG", b"\x02\0\0\0" + b"\x08\x00\x0a\x00abc\0" + struct.pack(
        "<HH", 4 + len(syn4()), 9) + syn4()),
    "c-hdlc": ("C_HDLC", b"\x0f\x00\x08\x00" + syn4()),
    "ppp-serial": ("PPP_SERIAL", b"\xff\x03\x00\x21" + syn4()),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__),
                                                             "seeds-decode")
    os.makedirs(out, exist_ok=True)
    for name, (lt, frame) in sorted(SEEDS.items()):
        with open(os.path.join(out, name + ".bin"), "wb") as f:
            f.write(bytes([LT[lt]]) + frame)
    print("%d seeds in %s" % (len(SEEDS), out))


if __name__ == "__main__":
    main()
