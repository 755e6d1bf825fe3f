#!/usr/bin/env python3
"""The bad-input catalogue of tcpflow-audit(1), DAMAGED INPUT, kept true.

Each row of the catalogue is crafted here as a small capture (Python 3
standard library only), given to the tool, and checked: the exit status
(never a signal, never the sanitizers' 86), the message on standard error,
the diagnostic counted in the summary and, where the catalogue says
"record", in the counts of the damaged frame's connection, and that what
was computed before the damage is still reported: a complete connection
written before the damage, and for damage inside one frame a complete
connection after it too.  Every code a row checks must appear in the
catalogue itself.  The inputs are written to a temporary directory under
the build tree.
"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

from tap import check, plan

SRCDIR = os.environ.get("TFA_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BUILDDIR = os.environ.get("TFA_BUILDDIR") or SRCDIR
BIN = os.environ.get("TFA_BIN") or os.path.join(BUILDDIR, "tcpflow-audit")
MAN = os.path.join(SRCDIR, "man", "tcpflow-audit.1")

# ---- packets ---------------------------------------------------------------

CLIENT = bytes([10, 0, 0, 1])
SERVER = bytes([10, 0, 0, 2])
CLIENT6 = bytes([0xfd] + [0] * 14 + [1])
SERVER6 = bytes([0xfd] + [0] * 14 + [2])
FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
ETH_IPV4, ETH_IPV6 = 0x0800, 0x86dd
LINKTYPE_ETHERNET, LINKTYPE_RAW, LINKTYPE_DOCSIS = 1, 101, 143


def tcp(sport, dport, seq, ack, flags, payload=b"", doff=None, opts=b""):
    if doff is None:
        doff = 5 + len(opts) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, flags, 65535, 0,
                       0) + opts + payload


def ipv4(l4, src=CLIENT, dst=SERVER, ihl=5, tot=None, frag=0x4000, ident=1):
    if tot is None:
        tot = 20 + len(l4)
    return struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tot, ident, frag, 64, 6, 0, src,
                       dst) + l4


def ipv6(l4, src=CLIENT6, dst=SERVER6, nh=6, ext=b"", plen=None):
    if plen is None:
        plen = len(ext) + len(l4)
    return struct.pack("!IHBB16s16s", 0x60000000, plen, nh, 64, src, dst) + ext + l4


def eth(ip, ethertype=ETH_IPV4):
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01" + struct.pack("!H", ethertype) + ip


def conn(sport, t0, v6=False):
    """A complete, clean connection 10.0.0.1:sport <-> 10.0.0.2:80 (or over
    IPv6): handshake, 5 bytes each way, FIN each way; ten (time, frame)."""
    c, s = 1000, 5000
    segs = [(0, SYN, c, 0, b""), (1, SYN | ACK, s, c + 1, b""), (0, ACK, c + 1, s + 1, b""),
            (0, PSH | ACK, c + 1, s + 1, b"hello"), (1, ACK, s + 1, c + 6, b""),
            (1, PSH | ACK, s + 1, c + 6, b"world"), (0, ACK, c + 6, s + 6, b""),
            (0, FIN | ACK, c + 6, s + 6, b""), (1, FIN | ACK, s + 6, c + 7, b""),
            (0, ACK, c + 7, s + 7, b"")]
    frames = []
    for i, (side, flags, seq, ack, data) in enumerate(segs):
        ports = (sport, 80) if side == 0 else (80, sport)
        t = tcp(ports[0], ports[1], seq, ack, flags, data)
        if v6:
            a = (CLIENT6, SERVER6) if side == 0 else (SERVER6, CLIENT6)
            f = eth(ipv6(t, a[0], a[1]), ETH_IPV6)
        else:
            a = (CLIENT, SERVER) if side == 0 else (SERVER, CLIENT)
            # each host numbers its datagrams, as a real stack does
            f = eth(ipv4(t, a[0], a[1], ident=(side << 8) + i + 1))
        frames.append((t0 + i * 0.01, f))
    return frames


BEFORE = conn(40000, 1000.0)   # frames 1-10, before any damage
AFTER = conn(40001, 1001.0)    # after damage inside one frame
T_BAD = 1000.5                 # the damaged frame's time, between the two
SYN_ODD = tcp(40002, 80, 7, 0, SYN)


# ---- capture files ---------------------------------------------------------

def pcap(records, linktype=LINKTYPE_ETHERNET, snaplen=65535, header=True):
    """records: (time, bytes) or (time, bytes, caplen, wirelen); a None
    length is the length of the bytes."""
    b = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, snaplen, linktype) if header else b""
    for r in records:
        ts, data = r[0], r[1]
        caplen = r[2] if len(r) > 2 and r[2] is not None else len(data)
        wirelen = r[3] if len(r) > 3 and r[3] is not None else len(data)
        sec = int(ts)
        b += struct.pack("<IIII", sec, int(round((ts - sec) * 1e6)), caplen, wirelen) + data
    return b


def block(btype, body, total=None):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n if total is None else total) + body + struct.pack("<I", n)


def shb():
    return block(0x0a0d0d0a, struct.pack("<IHHq", 0x1a2b3c4d, 1, 0, -1))


def idb(linktype=LINKTYPE_ETHERNET, snaplen=65535):
    return block(1, struct.pack("<HHI", linktype, 0, snaplen))


def epb(ts, data, iface=0, caplen=None, wirelen=None):
    us = int(round(ts * 1e6))
    return block(6, struct.pack("<IIIII", iface, us >> 32, us & 0xffffffff,
                                len(data) if caplen is None else caplen,
                                len(data) if wirelen is None else wirelen) + data)


def epbs(records, iface=0):
    return b"".join(epb(t, d, iface) for t, d in records)


def shb_be():
    """A section header, IDB and EPBs in big-endian byte order."""
    body = struct.pack(">IHHq", 0x1a2b3c4d, 1, 0, -1)
    return struct.pack(">II", 0x0a0d0d0a, 12 + len(body)) + body + struct.pack(">I", 12 + len(body))


def block_be(btype, body):
    body += b"\0" * (-len(body) % 4)
    return struct.pack(">II", btype, 12 + len(body)) + body + struct.pack(">I", 12 + len(body))


def idb_be(linktype=LINKTYPE_ETHERNET, snaplen=65535):
    return block_be(1, struct.pack(">HHI", linktype, 0, snaplen))


def epbs_be(records, iface=0):
    out = b""
    for ts, data in records:
        us = int(round(ts * 1e6))
        out += block_be(6, struct.pack(">IIIII", iface, us >> 32, us & 0xffffffff, len(data),
                                       len(data)) + data)
    return out


def pcapng(records, linktype=LINKTYPE_ETHERNET):
    return shb() + idb(linktype) + epbs(records)


# ---- running ---------------------------------------------------------------

class Run:
    def __init__(self, args, stdin=None):
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "exitcode=86:detect_leaks=1")
        env.setdefault("UBSAN_OPTIONS", "exitcode=86:print_stacktrace=1:halt_on_error=1")
        p = subprocess.run([BIN, "--format", "jsonl"] + args, stdin=stdin or subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=60)
        self.rc = p.returncode
        self.err = p.stderr.decode("utf-8", "replace")
        self.recs = []
        try:
            self.recs = [json.loads(l) for l in p.stdout.decode("utf-8").splitlines()]
        except ValueError:
            pass
        self.summary = self.recs[-1] if self.recs and self.recs[-1]["type"] == "summary" else {}
        self.conns = [r for r in self.recs if r["type"] == "connection"]

    def by_port(self, port):
        return [c for c in self.conns if c["client"]["port"] == port]


def complete(c, first_frame):
    """The connection of conn(): rebuilt whole and clean."""
    return (c["first_frame"] == first_frame and c["last_frame"] == first_frame + 9
            and c["packets"] == {"client": 6, "server": 4}
            and c["bytes"] == {"client": 5, "server": 5}
            and c["handshake"]["outcome"] == "complete" and c["close"]["kind"] == "graceful"
            and c["zeek"]["history"] == "ShADadFf" and c["anomalies"] == [])


class Catalogue:
    """The DAMAGED INPUT section of tcpflow-audit(1), as plain text."""

    def __init__(self):
        with open(MAN, encoding="utf-8") as f:
            text = f.read()
        m = re.search(r"^\.SH DAMAGED INPUT\n(.*?)^\.SH ", text, re.S | re.M)
        self.text = m.group(1).replace("\\-", "-") if m else ""

    def has(self, word):
        return word in self.text


CATALOGUE = None
WORK = None


def path(name, data):
    p = os.path.join(WORK, name)
    with open(p, "wb") as f:
        f.write(data)
    return p


def row(name, args, rc, diag=None, record=None, err=(), kept=(), no_err=False, files=None,
        anomalies=None, stdin=None, extra=None):
    """Run one catalogue row and check it.

    diag: the summary's whole diagnostics object; record: (client port,
    counts expected on that connection, code -> {client, server} sum);
    err: substrings of standard error; kept: (client port, first frame) of
    connections that must be reported whole; files: (files_opened,
    files_damaged); anomalies: the summary's anomalies object; extra: a
    function of the Run returning (ok, what) for anything else."""
    r = Run(args, stdin)
    ok = True
    why = []

    def want(cond, what):
        nonlocal ok
        if not cond:
            ok = False
            why.append(what)

    want(r.rc >= 0, "killed by signal %d" % -r.rc)
    want(r.rc == rc, "exit %d, want %d" % (r.rc, rc))
    want(bool(r.summary), "no summary record last")
    if r.summary:
        want(r.summary["input"]["damaged"] == (rc == 1), "input.damaged %s" % r.summary["input"])
        if diag is not None:
            want(r.summary["diagnostics"] == diag,
                 "diagnostics %s, want %s" % (r.summary["diagnostics"], diag))
        if files is not None:
            got = (r.summary["input"]["files_opened"], r.summary["input"]["files_damaged"])
            want(got == files, "files opened/damaged %s, want %s" % (got, files))
        if anomalies is not None:
            want(r.summary["anomalies"] == anomalies,
                 "anomalies %s, want %s" % (r.summary["anomalies"], anomalies))
    for s in err:
        want(s in r.err, "stderr lacks %r: %r" % (s, r.err.strip()[:300]))
    if no_err:
        want(r.err == "", "stderr not empty: %r" % r.err.strip()[:300])
    if rc == 1:
        want(r.err.startswith("tcpflow-audit: error: "), "no error message: %r" % r.err[:200])
    for port, first in kept:
        cs = r.by_port(port)
        want(len(cs) == 1 and complete(cs[0], first),
             "connection from port %d not reported whole: %s" % (
                 port, [(c["first_frame"], c["last_frame"], c["zeek"]["history"]) for c in cs]))
    if record is not None:
        port, counts = record
        cs = r.by_port(port)
        got = {k: v["client"] + v["server"] for k, v in cs[0]["counts"].items()} if cs else None
        want(len(cs) == 1 and all(got.get(k) == v for k, v in counts.items()),
             "record of port %d counts %s, want %s" % (port, got, counts))
    if extra is not None:
        e_ok, e_what = extra(r)
        want(e_ok, e_what)
    codes = set(diag or {}) | set((record or (0, {}))[1])
    for code in sorted(codes):
        want(CATALOGUE.has(code), "%s is not in the DAMAGED INPUT catalogue" % code)
    check(ok, name + ("" if ok else ": " + "; ".join(why)))


# ---- the catalogue, row by row ----------------------------------------------

def capture_file_rows():
    good = pcap(BEFORE)
    later = pcap(AFTER, header=False)
    dmg = {"CAPTURE_DAMAGED_FILE": 1}

    # file cut inside a record header / inside packet data, pcap
    p = path("cut-header.pcap", good + later[:8])
    row("pcap cut inside a record header: damaged at the record's offset, earlier frames kept",
        [p], 1, dmg, files=(1, 1), kept=[(40000, 1)],
        err=["'%s' is damaged at byte offset 734 (after frame 10 of this file)" % p,
             "tried to read 16 header bytes, only got 8", "the rest of the file is not read"])
    p = path("cut-data.pcap", good + later[:16 + 20])
    q = path("next.pcap", pcap(conn(40003, 1002.0)))
    row("pcap cut inside packet data: damaged, earlier frames and the next file kept",
        [p, q], 1, dmg, files=(2, 1), kept=[(40000, 1), (40003, 11)],
        err=["byte offset 734 (after frame 10 of this file)", "only got 20"])
    # the same, pcapng
    ng = pcapng(BEFORE)
    nxt = epb(1001.0, AFTER[0][1])
    row("pcapng cut inside a block header: damaged where reading stopped",
        [path("cut-header.pcapng", ng + nxt[:6])], 1, dmg, files=(1, 1), kept=[(40000, 1)],
        err=["is damaged at byte offset 936 (after frame 10 of this file)",
             "the file ends inside a block header (6 of 8 bytes)"])
    row("pcapng cut inside packet data: damaged, earlier frames kept",
        [path("cut-data.pcapng", ng + nxt[:40])], 1, dmg, files=(1, 1), kept=[(40000, 1)],
        err=["(after frame 10 of this file)", "the rest of the file is not read"])
    # standard input cut
    with open(path("cut-stdin.pcap", good + later[:8]), "rb") as f:
        row("standard input cut inside a record: damaged, earlier frames kept", ["-"], 1, dmg,
            kept=[(40000, 1)], stdin=f, err=["'(stdin)' is damaged", "after frame 10"])

    # empty, short, not a capture
    row("empty file: cannot read, not counted as opened",
        [path("empty.pcap", b""), path("good.pcap", good)], 1, dmg, files=(1, 0),
        kept=[(40000, 1)], err=["tried to read 4 file header bytes, only got 0"])
    row("file shorter than its file header: cannot read",
        [path("short.pcap", good[:10])], 1, dmg, files=(0, 0),
        err=["truncated dump file; tried to read 24 file header bytes, only got 6"])
    row("bad magic: unknown file format, the other file read",
        [path("magic.pcap", b"\xde\xad\xbe\xef" + good[4:]), path("good.pcap", good)], 1, dmg,
        files=(1, 0), kept=[(40000, 1)], err=["magic.pcap': unknown file format"])
    row("text file: unknown file format",
        [path("text.pcap", b"GET / HTTP/1.1\r\nHost: example\r\n\r\n" * 4)], 1, dmg,
        err=["unknown file format"])
    row("a directory given as a capture: cannot read",
        [WORK + "/"], 1, dmg, files=(0, 0), err=["cannot read '%s/'" % WORK])
    v3 = bytearray(good)
    v3[4:6] = struct.pack("<H", 3)
    row("pcap version 3: libpcap's reason", [path("v3.pcap", bytes(v3))], 1, dmg,
        err=["unsupported pcap savefile version 3.4"])
    bom = bytearray(ng)
    bom[8:12] = b"\x11\x22\x33\x44"
    row("pcapng with a bad byte-order magic: unknown file format",
        [path("bom.pcapng", bytes(bom))], 1, dmg, err=["unknown file format"])
    with open(path("stdin.txt", b"this is not a capture\n"), "rb") as f:
        row("standard input that is not a capture", ["-"], 1, dmg, stdin=f,
            err=["cannot read '(stdin)': unknown file format"])
    row("empty standard input", ["-"], 1, dmg, err=["cannot read '(stdin)'"])

    row("pcap file header and no record: not damage",
        [path("header-only.pcap", good[:24])], 0, {}, files=(1, 0), no_err=True,
        extra=lambda r: (r.summary.get("frames") == 0 and r.conns == [], "frames or records"))
    row("pcapng section header without an interface block: an empty capture, as tshark reads it",
        [path("shb-only.pcapng", shb())], 0, {}, files=(1, 0), no_err=True,
        extra=lambda r: (r.summary.get("frames") == 0 and r.conns == [], "frames or records"))

    # caplen against snaplen and wire length
    big = eth(ipv4(tcp(40002, 80, 7, 0, SYN, b"x" * 66)))  # 120 bytes
    row("caplen above the snaplen, below libpcap's limit: cut to the snaplen, DECODE_TRUNCATED",
        [path("over-snaplen.pcap", pcap(BEFORE + [(T_BAD, big)] + AFTER, snaplen=100))], 0,
        {"DECODE_TRUNCATED": 1}, record=(40002, {"DECODE_TRUNCATED": 1}), no_err=True,
        kept=[(40000, 1), (40001, 12)])
    huge = big + b"\0" * (262145 - len(big))
    row("caplen above libpcap's limit for the link type: damaged, earlier frames kept",
        [path("over-limit.pcap", pcap(BEFORE + [(T_BAD, huge)] + AFTER, snaplen=100))], 1, dmg,
        files=(1, 1), kept=[(40000, 1)],
        err=["invalid packet capture length 262145, bigger than snaplen of 100"])
    row("caplen 0xFFFFFFFF: damaged, earlier frames kept",
        [path("caplen-ff.pcap", good + struct.pack("<IIII", 1001, 0, 0xffffffff, 0xffffffff)
              + AFTER[0][1] + later[16 + len(AFTER[0][1]):])], 1, dmg, files=(1, 1),
        kept=[(40000, 1)],
        err=["byte offset 734", "invalid packet capture length 4294967295"])
    row("pcapng caplen above the interface's snaplen: read whole, as tshark reads it",
        [path("ng-snaplen.pcapng", shb() + idb(snaplen=100) + epbs(BEFORE)
              + epb(T_BAD, big + b"\0" * 8))], 0, {}, no_err=True, kept=[(40000, 1)])
    row("pcapng caplen beyond its own block: damaged",
        [path("ng-caplen.pcapng", ng + block(6, struct.pack("<IIIII", 0, 0, 0, 2000, 2000)
                                             + AFTER[0][1]) + epbs(AFTER[1:]))], 1, dmg,
        kept=[(40000, 1)], err=["byte offset 936", "captured length of 2000, beyond its block"])
    syn = AFTER[0][1]
    row("caplen above the wire length: CAPTURE_CAPLEN_ABOVE_WIRELEN, frame decoded",
        [path("caplen-len.pcap", pcap(BEFORE + [(1001.0, syn, None, 20)] + AFTER[1:]))], 0,
        {"CAPTURE_CAPLEN_ABOVE_WIRELEN": 1},
        record=(40001, {"CAPTURE_CAPLEN_ABOVE_WIRELEN": 1}), no_err=True,
        kept=[(40000, 1), (40001, 11)])
    row("pcapng caplen above the wire length (0): counted, decoded",
        [path("caplen-len.pcapng", shb() + idb() + epbs(BEFORE) + epb(1001.0, syn, wirelen=0)
              + epbs(AFTER[1:]))], 0, {"CAPTURE_CAPLEN_ABOVE_WIRELEN": 1},
        record=(40001, {"CAPTURE_CAPLEN_ABOVE_WIRELEN": 1}), kept=[(40000, 1), (40001, 11)])
    row("record with caplen 0 of a 54-byte packet: DECODE_TRUNCATED, not analysed",
        [path("caplen-0.pcap", pcap(BEFORE + [(T_BAD, b"", 0, 54)] + AFTER))], 0,
        {"DECODE_TRUNCATED": 1}, kept=[(40000, 1), (40001, 12)])
    row("record with caplen 0 and wire length 0: DECODE_BAD_LINK_HEADER",
        [path("empty-record.pcap", pcap(BEFORE + [(T_BAD, b"")] + AFTER))], 0,
        {"DECODE_BAD_LINK_HEADER": 1}, kept=[(40000, 1), (40001, 12)])

    # link types
    raw = [(t, f[14:]) for t, f in AFTER]
    row("link type not decoded (pcap): file skipped, the next file read",
        [path("docsis.pcap", pcap(AFTER, linktype=LINKTYPE_DOCSIS)), path("good.pcap", good)],
        1, dmg, files=(2, 1), kept=[(40000, 1)],
        err=["docsis.pcap': link type DOCSIS (143) is not decoded; file skipped"])
    row("link type not decoded (pcapng): file skipped",
        [path("docsis.pcapng", pcapng(AFTER, linktype=LINKTYPE_DOCSIS))], 1, dmg,
        files=(1, 1), err=["link type DOCSIS (143) is not decoded; file skipped"])
    row("pcapng interfaces of different link types: each frame decoded with its own",
        [path("two-links.pcapng", shb() + idb() + epbs(BEFORE) + idb(LINKTYPE_RAW)
              + epbs(raw, iface=1))], 0, {}, files=(1, 0), no_err=True,
        kept=[(40000, 1), (40001, 11)])
    row("pcapng interfaces of different snapshot lengths: one capture",
        [path("two-snaplens.pcapng", shb() + idb(snaplen=65535) + idb(snaplen=1500)
              + b"".join(epb(t, f, i % 2) for i, (t, f) in enumerate(BEFORE + AFTER)))], 0, {},
        files=(1, 0), no_err=True, kept=[(40000, 1), (40001, 11)])
    row("pcapng interface of a link type not decoded beside a decoded one: counted per frame",
        [path("docsis-too.pcapng", shb() + idb() + idb(LINKTYPE_DOCSIS) + epbs(BEFORE)
              + epbs(raw, iface=1))], 0, {"DECODE_UNKNOWN_LINKTYPE": 10}, no_err=True,
        files=(1, 0), kept=[(40000, 1)])
    row("pcapng second section of another link type: read with its own",
        [path("two-sections.pcapng", ng + shb() + idb(LINKTYPE_RAW) + epbs(raw))], 0, {},
        no_err=True, kept=[(40000, 1), (40001, 11)])
    row("pcapng second section in the other byte order: read",
        [path("big-endian.pcapng", ng + shb_be() + idb_be(LINKTYPE_RAW) + epbs_be(raw))], 0, {},
        no_err=True, kept=[(40000, 1), (40001, 11)])
    row("pcapng interfaces of one link type: one capture",
        [path("two-ifaces.pcapng", shb() + idb() + idb()
              + b"".join(epb(t, f, i % 2) for i, (t, f) in enumerate(BEFORE)))], 0, {},
        no_err=True, kept=[(40000, 1)])
    row("files of different link types given together: each decoded with its own",
        [path("eth.pcap", good), path("raw.pcap", pcap(raw, linktype=LINKTYPE_RAW))], 0, {},
        files=(2, 0), no_err=True, kept=[(40000, 1), (40001, 11)])

    # pcapng block structure
    e = epb(1001.0, AFTER[0][1])
    rest = epbs(AFTER[1:])
    for what, bad, msg in [
            ("block length above 16 MiB", e[:4] + struct.pack("<I", 0xfffffff0) + e[8:],
             "total length of 4294967280, above the limit of 16777216"),
            ("block length not a multiple of 4", e[:4] + struct.pack("<I", 13) + e[8:],
             "total length of 13, not a multiple of 4"),
            ("block length below 12", e[:4] + struct.pack("<I", 8) + e[8:],
             "total length of 8, below the 32 it needs"),
            ("block lengths differing in header and trailer",
             e[:-4] + struct.pack("<I", len(e) + 4),
             "total length of 88 in its header and 92 in its trailer"),
            ("packet of an interface never described", epb(1001.0, AFTER[0][1], iface=5),
             "a packet block names interface 5, but section 1 describes 1 interface")]:
        row("pcapng %s: damaged, earlier frames kept" % what,
            [path("block.pcapng", ng + bad + rest)], 1, dmg, files=(1, 1), kept=[(40000, 1)],
            err=[msg, "the rest of the file is not read"])
    unknown = block(0x0badcafe, b"whatever") + block(0x80000001, b"custom!!")
    row("pcapng blocks of unknown and custom types: skipped",
        [path("unknown-blocks.pcapng", shb() + idb() + unknown + epbs(BEFORE[:5]) + unknown
              + epbs(BEFORE[5:]))], 0, {}, no_err=True, kept=[(40000, 1)])


def frame_rows():
    def frames(name, bad, diag, record=None, kept_after=True, snaplen=65535, **kw):
        """BEFORE, the damaged frame(s), AFTER; the damaged frame is 11."""
        recs = BEFORE + bad + AFTER
        kept = [(40000, 1)] + ([(40001, 11 + len(bad))] if kept_after else [])
        row(name, [path("frame.pcap", pcap(recs, snaplen=snaplen))], 0, diag, record=record,
            kept=kept, no_err=True, **kw)

    f = eth(ipv4(SYN_ODD))
    n = len(f)
    # snaplen cuts
    frames("snaplen cut inside the Ethernet header: DECODE_TRUNCATED, not analysed",
           [(T_BAD, f[:10], 10, n)], {"DECODE_TRUNCATED": 1},
           extra=lambda r: (r.by_port(40002) == [], "the cut frame made a connection"))
    frames("snaplen cut inside the IPv4 header: DECODE_TRUNCATED",
           [(T_BAD, f[:26], 26, n)], {"DECODE_TRUNCATED": 1})
    frames("snaplen cut inside the TCP fixed header: DECODE_TRUNCATED",
           [(T_BAD, f[:44], 44, n)], {"DECODE_TRUNCATED": 1})
    o = eth(ipv4(tcp(40002, 80, 7, 0, SYN, opts=b"\x02\x04\x05\xb4\x01\x03\x03\x07"
                     b"\x04\x02\x00\x00")))
    frames("snaplen cut inside the TCP options: DECODE_TRUNCATED, segment analysed",
           [(T_BAD, o[:58], 58, len(o))], {"DECODE_TRUNCATED": 1},
           record=(40002, {"DECODE_TRUNCATED": 1}))
    d = eth(ipv4(tcp(40002, 80, 7, 0, ACK, b"x" * 100)))
    frames("snaplen cut inside the payload: DECODE_TRUNCATED, payload length from IP",
           [(T_BAD, d[:80], 80, len(d))], {"DECODE_TRUNCATED": 1, "CAPTURE_ONE_DIRECTION": 1},
           record=(40002, {"DECODE_TRUNCATED": 1}),
           extra=lambda r: (r.by_port(40002) and r.by_port(40002)[0]["bytes"]["client"] == 100,
                            "payload length not from the IP header"))
    # malformed headers
    frames("Ethernet header shorter than 14 bytes: DECODE_BAD_LINK_HEADER",
           [(T_BAD, f[:10])], {"DECODE_BAD_LINK_HEADER": 1})
    frames("IPv4 IHL below 5: DECODE_BAD_IP_HEADER", [(T_BAD, eth(ipv4(SYN_ODD, ihl=3)))],
           {"DECODE_BAD_IP_HEADER": 1})
    frames("IPv4 IHL beyond the frame: DECODE_BAD_IP_HEADER",
           [(T_BAD, eth(ipv4(SYN_ODD, ihl=15))[:14 + 40])], {"DECODE_BAD_IP_HEADER": 1})
    frames("IPv4 IHL beyond a snaplen cut: DECODE_TRUNCATED",
           [(T_BAD, eth(ipv4(SYN_ODD, ihl=15))[:14 + 40], 54, 80)], {"DECODE_TRUNCATED": 1})
    frames("IP version 7 after an IPv4 ethertype: DECODE_BAD_IP_HEADER",
           [(T_BAD, eth(b"\x75" + ipv4(SYN_ODD)[1:]))], {"DECODE_BAD_IP_HEADER": 1})
    frames("IPv4 total length below the header length: DECODE_BAD_IP_LENGTH",
           [(T_BAD, eth(ipv4(SYN_ODD, tot=10)))], {"DECODE_BAD_IP_LENGTH": 1})
    frames("IPv4 total length leaving no room for TCP: DECODE_BAD_TCP_HEADER",
           [(T_BAD, eth(ipv4(SYN_ODD, tot=30)))], {"DECODE_BAD_TCP_HEADER": 1})
    pad = eth(ipv4(tcp(40002, 80, 7, 0, ACK, b"hello"), tot=20 + 20 + 2))
    frames("IPv4 total length shorter than the frame: padding, nothing counted",
           [(T_BAD, pad)], {"CAPTURE_ONE_DIRECTION": 1}, record=(40002, {}),
           extra=lambda r: (r.by_port(40002) and r.by_port(40002)[0]["bytes"]["client"] == 2,
                            "payload length not from the IP header"))
    frames("IPv4 total length longer than the frame: DECODE_BAD_IP_LENGTH, analysed",
           [(T_BAD, eth(ipv4(SYN_ODD, tot=1000)))], {"DECODE_BAD_IP_LENGTH": 1},
           record=(40002, {"DECODE_BAD_IP_LENGTH": 1}))
    frames("IPv6 payload length longer than the frame: DECODE_BAD_IP_LENGTH, analysed",
           [(T_BAD, eth(ipv6(SYN_ODD, plen=500), ETH_IPV6))], {"DECODE_BAD_IP_LENGTH": 1},
           record=(40002, {"DECODE_BAD_IP_LENGTH": 1}))
    # IPv6 extension headers: hop-by-hop -> destination options claiming 168 bytes
    hbh_to_dst = bytes([60, 0, 1, 4, 0, 0, 0, 0])
    frames("IPv6 extension chain running off the frame: DECODE_BAD_IPV6_EXT",
           [(T_BAD, eth(ipv6(SYN_ODD, nh=0, ext=hbh_to_dst + bytes([6, 20]) + b"\0" * 6),
                        ETH_IPV6))], {"DECODE_BAD_IPV6_EXT": 1})
    cut6 = eth(ipv6(SYN_ODD, nh=0, ext=hbh_to_dst + bytes([6, 0]) + b"\0" * 6), ETH_IPV6)
    frames("IPv6 extension chain cut by the snaplen: DECODE_TRUNCATED",
           [(T_BAD, cut6[:64], 64, len(cut6))], {"DECODE_TRUNCATED": 1})
    hbh_to_tcp = bytes([6, 0, 1, 4, 0, 0, 0, 0])
    frames("IPv6 extension header past the payload length: DECODE_BAD_IP_LENGTH",
           [(T_BAD, eth(ipv6(SYN_ODD, nh=0, ext=hbh_to_tcp, plen=4), ETH_IPV6))],
           {"DECODE_BAD_IP_LENGTH": 1})
    chain = b"".join(bytes([60, 0, 1, 4, 0, 0, 0, 0]) for _ in range(17)) + \
        bytes([6, 0, 1, 4, 0, 0, 0, 0])
    frames("IPv6 chain of more than 16 extension headers: DECODE_BAD_IPV6_EXT",
           [(T_BAD, eth(ipv6(SYN_ODD, nh=60, ext=chain), ETH_IPV6))],
           {"DECODE_BAD_IPV6_EXT": 1})
    frames("TCP data offset below 5: DECODE_BAD_TCP_HEADER",
           [(T_BAD, eth(ipv4(tcp(40002, 80, 7, 0, SYN, doff=3))))],
           {"DECODE_BAD_TCP_HEADER": 1})
    frames("TCP data offset beyond the IP payload: DECODE_BAD_TCP_HEADER",
           [(T_BAD, eth(ipv4(tcp(40002, 80, 7, 0, SYN, doff=15))))],
           {"DECODE_BAD_TCP_HEADER": 1})

    # bad options: in the SYN of the connection after the damage, which is
    # still rebuilt whole
    for what, opts in [("length 0", b"\x02\x04\x05\xb4\x63\x00\x00\x00"),
                       ("length 1", b"\x63\x01\x01\x01"),
                       ("running past the header", b"\x01\x01\x08\x0a\x00\x00\x00\x01"),
                       ("MSS of length 3", b"\x02\x03\x05\x01"),
                       ("MSS repeated", b"\x02\x04\x05\xb4\x02\x04\x02\x18")]:
        recs = list(AFTER)
        recs[0] = (recs[0][0], eth(ipv4(tcp(40001, 80, 1000, 0, SYN, opts=opts))))
        row("TCP option %s: DECODE_BAD_OPTION, segment analysed" % what,
            [path("option.pcap", pcap(BEFORE + recs))], 0, {"DECODE_BAD_OPTION": 1},
            record=(40001, {"DECODE_BAD_OPTION": 1}), kept=[(40000, 1)], no_err=True,
            extra=lambda r: (len(r.by_port(40001)) == 1 and
                             r.by_port(40001)[0]["zeek"]["history"] == "ShADadFf",
                             "the connection with the bad option not rebuilt whole"))

    # flags: a segment in the middle of the connection after the damage
    for what, fl, counted in [("SYN+FIN", SYN | FIN, True), ("SYN+RST", SYN | RST, True),
                              ("RST+FIN", RST | FIN, True), ("no flags (null)", 0, True),
                              ("PSH alone", PSH, True), ("all flags", 0xff, True),
                              ("FIN+PSH+URG (Xmas)", FIN | PSH | URG, False),
                              ("FIN alone", FIN, False)]:
        odd = (1001.025, eth(ipv4(tcp(40001, 80, 1001, 5001, fl))))
        recs = AFTER[:3] + [odd] + AFTER[3:]
        if counted:
            row("flags %s inside a connection: DECODE_ILLEGAL_FLAGS, segment analysed" % what,
                [path("flags.pcap", pcap(BEFORE + recs))], 0, {"DECODE_ILLEGAL_FLAGS": 1},
                record=(40001, {"DECODE_ILLEGAL_FLAGS": 1}), kept=[(40000, 1)], no_err=True,
                extra=lambda r: (len(r.by_port(40001)) == 1, "the connection was split"))
        else:
            row("flags %s inside a connection: no diagnostic, TEARDOWN_FIN_WITHOUT_ACK" % what,
                [path("flags.pcap", pcap(BEFORE + recs))], 0, {},
                record=(40001, {"TEARDOWN_FIN_WITHOUT_ACK": 1}), kept=[(40000, 1)],
                no_err=True)
    for what, fl, diag, anomaly in [
            ("null", 0, {"DECODE_ILLEGAL_FLAGS": 1}, None),
            ("SYN+FIN", SYN | FIN, {"DECODE_ILLEGAL_FLAGS": 1}, None),
            ("Xmas", FIN | PSH | URG, {}, "TEARDOWN_SPONTANEOUS_FIN")]:
        probe = (T_BAD, eth(ipv4(tcp(40002, 22, 77, 0, fl))))
        counts = dict(diag)
        if anomaly:
            counts = {anomaly: 1, "TEARDOWN_FIN_WITHOUT_ACK": 1}
        frames("%s scan probe alone on its 4-tuple: %s" % (
                   what, ", ".join(sorted(counts))),
               [probe], diag, record=(40002, counts))

    # fragments: the data segment of the connection after the damage in two
    # IPv4 fragments (the first with the whole TCP header, or only 8 bytes)
    # (the bytes of the later fragment are never analysed: the receiver's ACK
    # covers a gap never resent, capture loss, CAPTURE_ACKED_UNSEEN)
    for first_len, diag in [(24, {"DECODE_IP_FRAGMENT": 2, "CAPTURE_ACKED_UNSEEN": 1}),
                            (8, {"DECODE_IP_FRAGMENT": 2, "DECODE_BAD_TCP_HEADER": 1,
                                 "CAPTURE_ACKED_UNSEEN": 1})]:
        ts, data = AFTER[3]
        seg = data[14 + 20:]
        f1 = eth(ipv4(seg[:first_len], frag=0x2000, ident=9))
        f2 = eth(ipv4(seg[first_len:], frag=first_len // 8, ident=9))
        recs = AFTER[:3] + [(ts, f1), (ts + 0.001, f2)] + AFTER[4:]
        record = (40001, {"DECODE_IP_FRAGMENT": 1}) if first_len == 24 else None
        row("IPv4 fragments, first with %d TCP bytes: %s, a sequence gap" % (
                first_len, ", ".join(sorted(d for d in diag if d.startswith("DECODE")))),
            [path("frag.pcap", pcap(BEFORE + recs))], 0, diag, record=record,
            kept=[(40000, 1)], no_err=True,
            anomalies={"ACK_UNSEEN_DATA": 1})
    frag6 = bytes([6, 0, 0, 8, 0, 0, 0, 9])   # offset 1 (8 bytes): a later fragment
    frames("IPv6 later fragment: DECODE_IP_FRAGMENT, not analysed",
           [(T_BAD, eth(ipv6(SYN_ODD, nh=44, ext=frag6), ETH_IPV6))],
           {"DECODE_IP_FRAGMENT": 1})

    # the same frame twice
    recs = AFTER[:4] + [AFTER[3]] + AFTER[4:]
    row("the same frame captured twice: CAPTURE_DUPLICATE_FRAME on its connection",
        [path("dup.pcap", pcap(BEFORE + recs))], 0, {}, kept=[(40000, 1)], no_err=True,
        record=(40001, {"CAPTURE_DUPLICATE_FRAME": 1}),
        anomalies={"CAPTURE_DUPLICATE_FRAME": 1})


def time_rows():
    back = list(AFTER)
    back[5] = (back[3][0] - 0.5, back[5][1])
    row("a record earlier than the one before it: CAPTURE_TIME_WENT_BACKWARDS once",
        [path("back.pcap", pcap(BEFORE + back))], 0, {"CAPTURE_TIME_WENT_BACKWARDS": 1},
        no_err=True, kept=[(40000, 1)],
        extra=lambda r: (len(r.by_port(40001)) == 1, "the connection was split"))
    far = list(AFTER)
    far[5] = (10.0, far[5][1])
    row("a record far in the past: counted once, its connection not split",
        [path("far.pcap", pcap(BEFORE + far))], 0, {"CAPTURE_TIME_WENT_BACKWARDS": 1},
        no_err=True, kept=[(40000, 1)],
        extra=lambda r: (len(r.by_port(40001)) == 1, "the connection was split"))
    later = conn(40001, 2000.0)
    row("a file given after a later one: counted once, both rebuilt whole",
        [path("later.pcap", pcap(later)), path("earlier.pcap", pcap(BEFORE))], 0,
        {"CAPTURE_TIME_WENT_BACKWARDS": 1}, no_err=True, kept=[(40001, 1), (40000, 11)],
        extra=lambda r: (r.summary.get("last_ts") == 2000.09, "last_ts went back"))
    ahead = list(AFTER)
    ahead[4] = (5000.0, ahead[4][1])

    def split_at_jump(r):
        cs = r.by_port(40001)
        return (len(cs) == 2 and cs[0]["end_reason"] == "idle_timeout"
                and cs[0]["last_frame"] == 14 and cs[1]["first_frame"] == 15
                and (cs[1]["continues"] or {}).get("id") == cs[0]["id"],
                "not split at the jump, the second record continuing the first: %s" % [
                    (c["first_frame"], c["last_frame"], c["end_reason"], c["continues"])
                    for c in cs])
    row("one record whose time jumps ahead: counted once, quiet connections end there",
        [path("ahead.pcap", pcap(BEFORE + ahead))], 0, {"CAPTURE_TIME_WENT_BACKWARDS": 1},
        no_err=True, kept=[(40000, 1)], extra=split_at_jump)
    syn = AFTER[0][1]
    future = block(6, struct.pack("<IIIII", 0, 0xffffffff, 0xffffffff, len(syn), len(syn)) + syn)
    row("pcapng record time beyond 2116: read as the limit, not counted by itself",
        [path("future.pcapng", shb() + idb() + epbs(BEFORE) + future + epbs(AFTER[1:]))], 0,
        {"CAPTURE_TIME_WENT_BACKWARDS": 1}, no_err=True, kept=[(40000, 1)],
        extra=lambda r: (int(r.summary.get("last_ts") or 0) == (1 << 62) // 10**9,
                         "last_ts %s, want the second of 2^62 ns" % r.summary.get("last_ts")))


def main():
    global CATALOGUE, WORK
    if not os.access(BIN, os.X_OK):
        print("1..0 # SKIP no binary")
        return 0
    CATALOGUE = Catalogue()
    check(CATALOGUE.text != "", "tcpflow-audit(1) has a DAMAGED INPUT section")
    out = os.path.join(BUILDDIR, "tests", "e2e", "out")
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="badinput-", dir=out) as WORK:
        capture_file_rows()
        frame_rows()
        time_rows()
    plan()
    return 0


if __name__ == "__main__":
    sys.exit(main())
