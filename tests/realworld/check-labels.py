#!/usr/bin/env python3
"""The hand-checked real-traffic test set: every finding of severity notice
or above that the tool raises on ../shared/corpus/ must be labelled, by
hand, against the packets (tests/realworld/README.md says how).

Labels are tab-separated rows in tests/realworld/labels/*.tsv:

    capture <TAB> conn <TAB> code <TAB> frame <TAB> label <TAB> evidence

capture   the file's path below the corpus (pcapplusplus/x.pcap)
conn      the two endpoints as tcpdump writes them, "10.0.0.1.443
          10.0.0.2.51000" (either order), or "*" for every connection
code      an anomaly code (RST_ABORTIVE_CLOSE)
frame     the finding's frame number, or "*" for every frame
label     right     the packets prove it: it must still be raised, at
                    notice or above (with "*" at least one must be)
          must-not  a false alarm: nothing matching may be raised at
                    notice or above
          unsure    the capture cannot decide; allowed, left out of the
                    precision count
evidence  one sentence a reviewer can re-check with tshark (frames,
          seq/ack, IP ID and TTL, window scale)

A capture passes when no must-not row matches a finding, every right row
matches one, and every finding matches a right or unsure row.  A label
that names a capture or code that does not exist fails too.

    check-labels.py              TAP, for make check (skips without corpus)
    check-labels.py --report     per-code precision of the binary in
                                 TFA_BIN against the labels (for notes:
                                 run it on an older build to compare)
    check-labels.py --unlabelled the findings no row covers, as TSV rows
                                 to fill in
"""
import collections
import glob
import json
import os
import subprocess
import sys

SRCDIR = os.environ.get("TFA_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("TFA_BIN") or os.path.join(SRCDIR, "tcpflow-audit")
CORPUS = os.environ.get("TFA_CORPUS") or os.path.join(SRCDIR, "..", "shared", "corpus")
LABELS = os.path.join(SRCDIR, "tests", "realworld", "labels")
sys.path.insert(0, os.path.join(SRCDIR, "tests", "e2e"))
import tap  # noqa: E402

SEVERITIES = {"info": 0, "notice": 1, "warning": 2, "error": 3}
KINDS = ("right", "must-not", "unsure")


def endpoint(e):
    return "%s.%d" % (e["ip"], e["port"])


def conn_key(a, b):
    return tuple(sorted((a, b)))


class Label:
    def __init__(self, where, fields):
        self.where = where
        self.capture, conn, self.code, frame, self.kind, self.evidence = fields
        if conn == "*":
            self.conn = None
        else:
            parts = conn.split()
            if len(parts) != 2:
                raise ValueError("%s: conn must be two endpoints or *" % where)
            self.conn = conn_key(parts[0], parts[1])
        self.frame = None if frame == "*" else int(frame)
        if self.kind not in KINDS:
            raise ValueError("%s: label must be one of %s" % (where, ", ".join(KINDS)))
        if not self.evidence.strip():
            raise ValueError("%s: no evidence" % where)
        self.hits = 0

    def matches(self, f):
        return (self.code == f["code"] and (self.conn is None or self.conn == f["conn"])
                and (self.frame is None or self.frame == f["frame"]))

    def __str__(self):
        return "%s (%s %s %s %s)" % (self.where, self.code,
                                      " ".join(self.conn) if self.conn else "*",
                                      self.frame if self.frame is not None else "*", self.kind)


def load_labels():
    labels = []
    for path in sorted(glob.glob(os.path.join(LABELS, "*.tsv"))):
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                line = line.rstrip("\n")
                if not line.strip() or line.startswith("#"):
                    continue
                fields = line.split("\t")
                where = "%s:%d" % (os.path.relpath(path, SRCDIR), n)
                if len(fields) != 6:
                    raise ValueError("%s: %d fields, want 6" % (where, len(fields)))
                labels.append(Label(where, fields))
    return labels


def captures():
    for root, dirs, files in os.walk(CORPUS):
        dirs.sort()
        for f in sorted(files):
            if f.endswith((".pcap", ".pcapng", ".cap")):
                yield os.path.relpath(os.path.join(root, f), CORPUS)


def findings(capture, codes):
    """The findings of notice or above on one capture."""
    p = subprocess.run([BIN, "--format", "jsonl", os.path.join(CORPUS, capture)],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=300)
    out = []
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        r = json.loads(line)
        if r.get("type") != "connection":
            continue
        key = conn_key(endpoint(r["client"]), endpoint(r["server"]))
        for a in r.get("anomalies", []):
            if SEVERITIES.get(a["severity"], 0) < 1:
                continue
            codes.add(a["code"])
            out.append({"conn": key, "code": a["code"], "frame": a["frame"],
                        "severity": a["severity"], "detail": a.get("detail", ""),
                        "id": r["id"]})
    return out


def classify(found, labels):
    """Each finding -> the kind of the first label covering it (must-not
    first, then right, then unsure), or None."""
    order = {"must-not": 0, "right": 1, "unsure": 2}
    result = []
    for f in found:
        kind = None
        for lab in sorted((l for l in labels if l.matches(f)), key=lambda l: order[l.kind]):
            lab.hits += 1
            if kind is None:
                kind = lab.kind
        result.append((f, kind))
    return result


def all_codes():
    p = subprocess.run([BIN, "--list-codes"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return {line.split()[0] for line in p.stdout.decode().splitlines() if line.strip()}


def main(argv):
    mode = argv[1] if len(argv) > 1 else "--tap"
    if not os.path.isdir(CORPUS):
        print("1..0 # SKIP no corpus at %s" % CORPUS)
        return 0
    try:
        labels = load_labels()
    except ValueError as e:
        tap.check(False, "labels load: %s" % e)
        tap.plan()
        return 0
    by_capture = collections.defaultdict(list)
    for lab in labels:
        by_capture[lab.capture].append(lab)
    known = set(captures())
    per_code = collections.defaultdict(collections.Counter)
    codes_seen = set()
    if mode == "--tap":
        names = all_codes()
        for lab in labels:
            if lab.capture not in known or lab.code not in names:
                tap.check(False, "%s names no capture or no code" % lab)
    for capture in sorted(known):
        labs = by_capture.get(capture, [])
        for lab in labs:
            lab.hits = 0
        result = classify(findings(capture, codes_seen), labs)
        problems = []
        for f, kind in result:
            per_code[f["code"]][kind or "unlabelled"] += 1
            if kind == "must-not":
                problems.append("must-not raised: %s frame %d (conn %d) %s" %
                                (f["code"], f["frame"], f["id"], f["detail"][:160]))
            elif kind is None:
                problems.append("unlabelled: %s frame %d (conn %d)" % (f["code"], f["frame"], f["id"]))
                if mode == "--unlabelled":
                    print("%s\t%s\t%s\t%d\t?\t%s" % (capture, " ".join(f["conn"]), f["code"],
                                                      f["frame"], f["detail"]))
        for lab in labs:
            if lab.kind == "right" and lab.hits == 0:
                problems.append("right finding no longer raised: %s" % lab)
        if mode == "--tap":
            tap.check(not problems, "%s: %d findings labelled%s" %
                      (capture, len(result), "; " + "; ".join(problems[:6]) if problems else ""))
    if mode == "--report" or mode == "--tap":
        emit = print if mode == "--report" else tap.note
        emit("%-36s %6s %8s %7s %10s %9s" % ("code", "right", "must-not", "unsure", "unlabelled",
                                             "precision"))
        tot = collections.Counter()
        for code in sorted(per_code):
            n = per_code[code]
            tot.update(n)
            judged = n["right"] + n["must-not"]
            prec = "%.1f %%" % (100.0 * n["right"] / judged) if judged else "-"
            emit("%-36s %6d %8d %7d %10d %9s" % (code, n["right"], n["must-not"], n["unsure"],
                                                 n["unlabelled"], prec))
        judged = tot["right"] + tot["must-not"]
        emit("%-36s %6d %8d %7d %10d %9s" % ("all", tot["right"], tot["must-not"], tot["unsure"],
                                             tot["unlabelled"],
                                             "%.1f %%" % (100.0 * tot["right"] / judged)
                                             if judged else "-"))
    if mode == "--tap":
        tap.plan()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
