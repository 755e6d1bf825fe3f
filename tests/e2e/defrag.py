#!/usr/bin/env python3
"""IP fragment reassembly and IPComp inflation end to end: captures crafted
here (IPv6 fragments, the --frag-timeout and --max-frag-bytes options) and,
when ../shared/corpus is present, its fragmented and IPComp traces, checked
against what tshark shows for them (written down here; compared with tshark
itself when it is installed).
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

from tap import check, plan, skip

SRCDIR = os.environ.get("TFA_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BUILDDIR = os.environ.get("TFA_BUILDDIR") or SRCDIR
BIN = os.environ.get("TFA_BIN") or os.path.join(BUILDDIR, "tcpflow-audit")
CORPUS = os.environ.get("TFA_CORPUS") or os.path.join(SRCDIR, "..", "shared", "corpus")
TSHARK = shutil.which("tshark")

SYN, ACK, PSH = 0x02, 0x10, 0x08


def run(args):
    p = subprocess.run([BIN, "--format", "jsonl"] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=300)
    recs = [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]
    conns = [r for r in recs if r.get("type") == "connection"]
    summary = recs[-1] if recs and recs[-1].get("type") == "summary" else {}
    return p.returncode, conns, summary, p.stderr.decode(errors="replace")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def tcp(src, dst, sport, dport, seq, flags, payload, v6):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, flags, 65535, 0, 0)
    seg = hdr + payload
    if v6:
        pseudo = src + dst + struct.pack("!IxxxB", len(seg), 6)
    else:
        pseudo = src + dst + struct.pack("!xBH", 6, len(seg))
    c = csum(pseudo + seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def ipv4_frag(src, dst, ident, off, more, data):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(data), ident,
                    (0x2000 if more else 0) | (off // 8), 64, 6, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + data


def ipv6_frag(src, dst, ident, off, more, data):
    fh = struct.pack("!BBHI", 6, 0, off | (1 if more else 0), ident)
    return struct.pack("!IHBB", 0x60000000, 8 + len(data), 44, 64) + src + dst + fh + data


def eth(ip, v6):
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01" + struct.pack("!H", 0x86dd if v6 else 0x0800) + ip


def pcap(frames):
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
    for ts, data in frames:
        out += struct.pack("<IIII", int(ts), int(round((ts % 1) * 1e6)), len(data), len(data))
        out += data
    return out


def write(tmp, name, frames):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(pcap(frames))
    return path


def diag(summary, code):
    return summary.get("diagnostics", {}).get(code, 0)


def crafted(tmp):
    c6 = bytes([0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [1])
    s6 = bytes([0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [2])
    payload = bytes(range(64))
    seg = tcp(c6, s6, 40000, 80, 7000, SYN, payload, True)
    # a tiny first fragment (16 bytes: no flags yet), then the rest, out of order
    f1 = eth(ipv6_frag(c6, s6, 0xabcd, 0, True, seg[:16]), True)
    f2 = eth(ipv6_frag(c6, s6, 0xabcd, 16, False, seg[16:]), True)
    path = write(tmp, "frag6.pcap", [(100.0, f2), (100.001, f1)])
    rc, conns, summary, err = run([path])
    ok = (rc == 0 and len(conns) == 1 and conns[0]["first_frame"] == 2 and
          conns[0]["bytes"]["client"] == 64 and conns[0]["handshake"]["syn_frames"] == [2] and
          conns[0]["counts"].get("DEFRAG_REASSEMBLED") == {"client": 1, "server": 0} and
          diag(summary, "DEFRAG_REASSEMBLED") == 1 and diag(summary, "DECODE_IP_FRAGMENT") == 2)
    check(ok, "IPv6 SYN in two fragments, last first: one connection, its SYN at frame 2 "
          "with 64 bytes: %s" % ([(c["first_frame"], c["bytes"], c["counts"]) for c in conns],))
    if TSHARK:
        t = subprocess.run([TSHARK, "-r", path, "-T", "fields", "-e", "frame.number",
                            "-e", "tcp.len", "-Y", "tcp"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL).stdout.decode().split()
        check(t == ["2", "64"], "tshark reassembles it the same way: %s" % t)
    else:
        skip("tshark reassembles it the same way", "no tshark")

    # evidence: the data segment's first fragment repeated with other bytes
    # (Linux keeps the first copy, as we do)
    c4, s4 = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    seg = tcp(c4, s4, 40002, 80, 9000, SYN, b"y" * 40, False)
    other = seg[:20] + b"z" * 20 + seg[40:]
    h1 = eth(ipv4_frag(c4, s4, 78, 0, True, seg[:40]), False)
    h1x = eth(ipv4_frag(c4, s4, 78, 0, True, other[:40]), False)
    h2 = eth(ipv4_frag(c4, s4, 78, 40, False, seg[40:]), False)
    path = write(tmp, "overlap.pcap", [(100.0, h1), (100.1, h1x), (100.2, h2)])
    rc, conns, summary, _ = run([path])
    ev = {"endpoint": "client", "frame": 3, "first_frame": 1, "fragments": 2}
    check(rc == 0 and len(conns) == 1 and conns[0].get("ip_fragments") ==
          {"first": ev, "overlap_differs": ev} and
          conns[0]["counts"].get("DEFRAG_OVERLAP_DIFFERS") == {"client": 1, "server": 0} and
          diag(summary, "DEFRAG_OVERLAP_DIFFERS") == 1,
          "a fragment repeated with other bytes: DEFRAG_OVERLAP_DIFFERS, its frames in "
          "ip_fragments: %s" % [c.get("ip_fragments") for c in conns])


    seg = tcp(c4, s4, 40001, 80, 9000, SYN, b"x" * 40, False)
    g1 = eth(ipv4_frag(c4, s4, 77, 0, True, seg[:24]), False)
    g2 = eth(ipv4_frag(c4, s4, 77, 24, False, seg[24:]), False)
    late = write(tmp, "late.pcap", [(100.0, g1), (131.0, g2)])
    rc, conns, summary, _ = run([late])
    check(rc == 0 and conns == [] and diag(summary, "DEFRAG_INCOMPLETE") == 2 and
          diag(summary, "DEFRAG_REASSEMBLED") == 0,
          "fragments 31 s apart: given up after the default --frag-timeout of 30 s "
          "(the first at the timeout, the second at the end): %s" % summary.get("diagnostics"))
    rc, conns, summary, _ = run(["--frag-timeout", "40", late])
    check(rc == 0 and len(conns) == 1 and diag(summary, "DEFRAG_REASSEMBLED") == 1,
          "... and reassembled with --frag-timeout 40: %s" % summary.get("diagnostics"))
    rc, conns, summary, _ = run(["--max-frag-bytes", "0", late])
    check(rc == 0 and len(conns) == 1 and conns[0]["first_frame"] == 1 and
          conns[0]["bytes"]["client"] == 4 and "DEFRAG_REASSEMBLED" not in summary["diagnostics"],
          "with --max-frag-bytes 0 the first fragment is analysed alone (4 of its bytes): %s" %
          [(c["first_frame"], c["bytes"]) for c in conns])
    rc, conns, summary, err = run(["--max-frag-bytes", "4096", late])
    check(rc == 0 and diag(summary, "DEFRAG_CAP_HIT") == 0, "--max-frag-bytes 4096 holds it")
    for bad in ("-1", "2000000000"):
        rc, _, _, err = run(["--max-frag-bytes", bad, late])
        check(rc not in (0, 1) and "--max-frag-bytes" in err,
              "--max-frag-bytes %s refused: exit %d, %r" % (bad, rc, err.strip()[:120]))
    rc, _, _, err = run(["--frag-timeout", "0", late])
    check(rc not in (0, 1) and "--frag-timeout" in err, "--frag-timeout 0 refused: %r" % err[:120])


# corpus capture -> (checks on the run, what tshark shows, a tshark query
# giving the same figure)
def corpus():
    if not os.path.isdir(CORPUS):
        skip("corpus fragment traces", "no corpus at %s" % CORPUS)
        return
    syn = os.path.join(CORPUS, "zeek", "ipv4", "fragmented-syn.pcap")
    if os.path.exists(syn):
        rc, conns, summary, _ = run([syn])
        check(rc == 0 and len(conns) == 1 and conns[0]["handshake"]["syn_frames"] == [2] and
              conns[0]["client"] == {"ip": "192.168.1.100", "port": 12345} and
              conns[0]["counts"].get("DEFRAG_REASSEMBLED") == {"client": 1, "server": 0} and
              diag(summary, "DEFRAG_REASSEMBLED") == 1,
              "zeek fragmented-syn.pcap: the SYN split over two IPv4 fragments (the first "
              "without a whole TCP header) is one connection, SYN at frame 2 as tshark shows it")
        rc, conns, _, _ = run(["--max-frag-bytes", "0", syn])
        check(rc == 0 and conns == [], "... and no connection without reassembly")
    else:
        skip("zeek fragmented-syn.pcap", "not in the corpus")
    http = os.path.join(CORPUS, "pcapplusplus",
                        "Tests__ExamplesTest__expected_output__http_req_frag.pcap")
    if os.path.exists(http):
        rc, conns, summary, _ = run([http])
        # tshark: frame 12 is TCP, 1460 bytes, reassembled from 12 fragments
        check(rc == 0 and len(conns) == 1 and conns[0]["first_frame"] == 12 and
              conns[0]["bytes"]["client"] == 1460 and diag(summary, "DECODE_IP_FRAGMENT") == 12 and
              conns[0].get("ip_fragments") == {
                  "first": {"endpoint": "client", "frame": 12, "first_frame": 1, "fragments": 12},
                  "overlap_differs": None},
              "pcapplusplus http_req_frag.pcap: 1460 bytes of HTTP request from 12 fragments, at "
              "frame 12 as tshark shows it")
    else:
        skip("pcapplusplus http_req_frag.pcap", "not in the corpus")
    many = os.path.join(CORPUS, "pcapplusplus", "Tests__ExamplesTest__pcap_examples__ip-frag.pcap")
    if os.path.exists(many):
        rc, conns, summary, _ = run([many])
        want = 190  # tshark -Y ip.fragment.count: frames holding a reassembled datagram
        if TSHARK:
            t = subprocess.run([TSHARK, "-r", many, "-Y", "ip.fragment.count || "
                                "ipv6.fragment.count"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL).stdout.decode().splitlines()
            want = len(t)
        check(rc == 0 and diag(summary, "DEFRAG_REASSEMBLED") == want and
              diag(summary, "DEFRAG_OVERLAP_DIFFERS") == 0,
              "pcapplusplus ip-frag.pcap (UDP, duplicated fragments): %d datagrams reassembled, "
              "tshark %d" % (diag(summary, "DEFRAG_REASSEMBLED"), want))
    else:
        skip("pcapplusplus ip-frag.pcap", "not in the corpus")
    # tshark -z conv,tcp: 4 frames client -> server, 6 back (IPv4); 6 and 9 (IPv6)
    for name, want in (("AH-IPcomp-IPv4.pcap", (4, 6, 4)), ("AH-IPcomp-IPv6.pcap", (6, 9, 7))):
        path = os.path.join(CORPUS, "libpcap", "tests", "filter", name)
        if not os.path.exists(path):
            skip("libpcap %s" % name, "not in the corpus")
            continue
        rc, conns, summary, _ = run([path])
        got = ((conns[0]["packets"]["client"], conns[0]["packets"]["server"],
                diag(summary, "DECODE_IPCOMP")) if len(conns) == 1 else None)
        check(rc == 0 and got == want and conns[0]["bytes"]["server"] == 4285 and
              diag(summary, "DECODE_NOT_TCP") == 0,
              "libpcap %s: the DEFLATE-compressed segments inflated, %s packets and IPComp "
              "frames, tshark %s" % (name, got, want))


def main():
    if not os.access(BIN, os.X_OK):
        print("1..0 # SKIP no binary")
        return 0
    with tempfile.TemporaryDirectory(prefix="defrag-", dir=BUILDDIR) as tmp:
        crafted(tmp)
    corpus()
    plan()
    return 0


if __name__ == "__main__":
    sys.exit(main())
