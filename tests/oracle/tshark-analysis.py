#!/usr/bin/env python3
"""Per-connection sequence-analysis counts against Wireshark's TCP analysis
(tshark 4.0, the preferences pinned as in ORACLES.md), over samples/ and
../shared/corpus/.

Connections are joined by unordered endpoint pair and first frame (tshark's
stream numbers are not our ids).  For each metric below, the counts of a
joined connection must be equal, or the difference must be listed, with its
classification, in tests/oracle/tshark-differences.tsv:

    capture <TAB> first_frame <TAB> metric <TAB> ours <TAB> theirs <TAB> class <TAB> why

where class is "ours-right" (the RFC or the capture's evidence says so),
"theirs-right" (a bug of ours to fix; none may stay listed), or
"definitional" (the two tools define the verdict differently; documented in
tcpflow-audit-records(5)).  The test prints the agreement table as TAP
comments and fails on any unlisted difference, and on any listed one of
another class than ours-right and definitional.  Skips without tshark.

    --table     print only the agreement table (for the notes)
    --list      print every difference as a TSV row, to classify
"""
import collections
import json
import os
import shutil
import subprocess
import sys

SRCDIR = os.environ.get("TFA_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("TFA_BIN") or os.path.join(SRCDIR, "tcpflow-audit")
CORPUS = os.environ.get("TFA_CORPUS") or os.path.join(SRCDIR, "..", "shared", "corpus")
DIFFS = os.path.join(SRCDIR, "tests", "oracle", "tshark-differences.tsv")

WS_FLAGS = ["retransmission", "fast_retransmission", "spurious_retransmission", "out_of_order",
            "lost_segment", "ack_lost_segment", "duplicate_ack", "zero_window",
            "zero_window_probe", "keep_alive", "window_full"]

# metric -> (our codes summed, function of a tshark packet's flags -> count)
FAMILY = ["SEQ_RETRANSMISSION", "SEQ_FAST_RETRANSMISSION", "SEQ_SPURIOUS_RETRANSMISSION",
          "SEQ_OUT_OF_ORDER", "HANDSHAKE_SYN_RETRANSMITTED", "HANDSHAKE_SYNACK_RETRANSMITTED",
          "TEARDOWN_FIN_RETRANSMITTED"]
METRICS = [
    # every gap a later segment jumps over, however it was decided: lost
    # (filled late), capture loss (acknowledged unseen: the diagnostic
    # counts each gap), or undecided (a possible SEQ_LOST_SEGMENT); a
    # stream's missed tail is no such gap (ACK_UNSEEN_DATA only)
    ("lost_segment", ["SEQ_LOST_SEGMENT", "CAPTURE_ACKED_UNSEEN"], lambda f: f["lost_segment"]),
    ("acked_unseen", ["ACK_UNSEEN_DATA"], lambda f: f["ack_lost_segment"]),
    ("dup_ack", ["SEQ_DUP_ACK"], lambda f: f["duplicate_ack"]),
    ("zero_window", ["WINDOW_ZERO"], lambda f: f["zero_window"]),
    ("zero_window_probe", ["WINDOW_ZERO_PROBE"], lambda f: f["zero_window_probe"]),
    ("keep_alive", ["SEQ_KEEPALIVE"], lambda f: f["keep_alive"]),
    ("window_full", ["WINDOW_FULL"], lambda f: f["window_full"]),
    ("retransmission_family", FAMILY,
     lambda f: int(f["retransmission"] or f["fast_retransmission"] or f["spurious_retransmission"]
                   or f["out_of_order"])),
    ("retransmission_rto", ["SEQ_RETRANSMISSION", "HANDSHAKE_SYN_RETRANSMITTED",
                            "HANDSHAKE_SYNACK_RETRANSMITTED", "TEARDOWN_FIN_RETRANSMITTED"],
     lambda f: int(f["retransmission"] and not f["fast_retransmission"]
                   and not f["spurious_retransmission"])),
    ("fast_retransmission", ["SEQ_FAST_RETRANSMISSION"], lambda f: f["fast_retransmission"]),
    ("spurious_retransmission", ["SEQ_SPURIOUS_RETRANSMISSION"],
     lambda f: f["spurious_retransmission"]),
    ("out_of_order", ["SEQ_OUT_OF_ORDER"], lambda f: f["out_of_order"]),
]
TARGET = ["lost_segment", "dup_ack", "zero_window", "zero_window_probe", "keep_alive",
          "retransmission_family"]


def tshark_streams(path):
    cmd = ["tshark", "-n", "-2", "-r", path,
           "-o", "tcp.analyze_sequence_numbers:TRUE", "-o", "tcp.relative_sequence_numbers:TRUE",
           "-o", "tcp.fastrt_supersedes_ooo:TRUE",
           "-Y", "tcp && !icmp && !icmpv6", "-T", "fields", "-E", "separator=/t",
           "-E", "occurrence=f", "-e", "frame.number", "-e", "tcp.stream",
           "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport",
           "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport"]
    for fl in WS_FLAGS:
        cmd += ["-e", "tcp.analysis." + fl]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=300)
    streams = {}
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split("\t")
        if len(parts) < 8 + len(WS_FLAGS) or not parts[1]:
            continue
        frame, stream = int(parts[0]), parts[1]
        src = (parts[2] or parts[3], int(parts[4] or 0))
        dst = (parts[5] or parts[6], int(parts[7] or 0))
        flags = {fl: int(bool(parts[8 + i])) for i, fl in enumerate(WS_FLAGS)}
        s = streams.setdefault(stream, {"first": frame, "pair": tuple(sorted([src, dst])),
                                        "counts": collections.Counter()})
        s["first"] = min(s["first"], frame)
        for name, _, fn in METRICS:
            s["counts"][name] += fn(flags)
    return {(s["pair"], s["first"]): s["counts"] for s in streams.values()}


def our_conns(path):
    p = subprocess.run([BIN, "--format", "jsonl", path], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, timeout=300)
    out = {}
    for line in p.stdout.decode().splitlines():
        r = json.loads(line)
        if r["type"] != "connection":
            continue
        pair = tuple(sorted([(r["client"]["ip"], r["client"]["port"]),
                             (r["server"]["ip"], r["server"]["port"])]))
        counts = collections.Counter()
        for name, codes, _ in METRICS:
            if name.startswith("retransmission_"):
                # tshark counts packets: count the frames that show one
                frames = {a["frame"] for a in r["anomalies"] if a["code"] in codes}
                counts[name] = len(frames)
                continue
            for code in codes:
                n = r["counts"].get(code)
                if n:
                    counts[name] += n["client"] + n["server"]
        out[(pair, r["first_frame"])] = counts
    return out


def captures():
    out = []
    sd = os.path.join(SRCDIR, "samples")
    for f in sorted(os.listdir(sd)):
        if f.endswith((".pcap", ".pcapng")):
            out.append(("samples/" + f, os.path.join(sd, f)))
    if os.path.isdir(CORPUS):
        for root, dirs, files in os.walk(CORPUS):
            dirs.sort()
            for f in sorted(files):
                if f.endswith((".pcap", ".pcapng")):
                    p = os.path.join(root, f)
                    out.append(("corpus/" + os.path.relpath(p, CORPUS), p))
    return out


def load_classified():
    known = {}
    if not os.path.exists(DIFFS):
        return known
    with open(DIFFS) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            cap, first, metric, ours, theirs, cls, why = line.rstrip("\n").split("\t", 6)
            known[(cap, int(first), metric)] = (int(ours), int(theirs), cls, why)
    return known


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if shutil.which("tshark") is None:
        print("1..0 # SKIP tshark not installed")
        return 0
    known = load_classified()
    agree = collections.Counter()
    joined = 0
    diffs = []
    for name, path in captures():
        theirs = tshark_streams(path)
        ours = our_conns(path)
        for key in sorted(set(theirs) & set(ours)):
            joined += 1
            for metric, _, _ in METRICS:
                o, t = ours[key][metric], theirs[key][metric]
                if o == t:
                    agree[metric] += 1
                else:
                    diffs.append((name, key[1], metric, o, t))
    table = ["metric\tagree\tof\tpercent"]
    for metric, _, _ in METRICS:
        pct = 100.0 * agree[metric] / joined if joined else 100.0
        table.append("%s\t%d\t%d\t%.1f%%" % (metric, agree[metric], joined, pct))
    if mode == "--table":
        print("\n".join(table))
        return 0
    if mode == "--list":
        for d in diffs:
            print("\t".join(str(x) for x in d))
        return 0
    results = []
    for d in diffs:
        k = (d[0], d[1], d[2])
        if k in known and known[k][0] == d[3] and known[k][1] == d[4]:
            cls = known[k][2]
            ok = cls in ("ours-right", "definitional")
            desc = "%s frame %d %s: ours %d, tshark %d (%s: %s)" % (
                d[0], d[1], d[2], d[3], d[4], cls, known[k][3])
            results.append((ok, desc))
        else:
            results.append((False, "%s frame %d %s: ours %d, tshark %d, not classified in "
                            "tshark-differences.tsv" % d))
    for metric in TARGET:
        pct = 100.0 * agree[metric] / joined if joined else 100.0
        desc = "agreement on %s: %.1f%% of %d connections (target 95%%)" % (metric, pct, joined)
        if not os.path.isdir(CORPUS):
            # the targets are for real traffic: samples/ alone are lab
            # captures made for the edge cases (each difference is still
            # classified above)
            results.append((True, desc, "SKIP the 95% target applies with the corpus"))
        else:
            results.append((pct >= 95.0, desc))
    print("1..%d" % len(results))
    for line in table:
        print("# " + line)
    for i, (ok, desc, *directive) in enumerate(results, 1):
        print("%s %d - %s%s" % ("ok" if ok else "not ok", i, desc.replace("#", "\\#"),
                                " # " + directive[0] if directive else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
