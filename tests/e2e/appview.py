#!/usr/bin/env python3
"""Every failing connection's text explanation says what its application saw,
as TAP (issue 15 §1, "done when").

For each capture in samples/ (and in ../shared/corpus, TFA_CORPUS, within
TFA_APPVIEW_CORPUS_SECONDS, default 30), the JSON Lines and the text report
are made; each connection that has an RST, a refused or unanswered
handshake, or a reset close, and whose text report explains it (an anomaly
of severity notice or worse), must have in its explanation a line
"client application:" or "server application:" that names a socket call
("connect()", "recv()"...) and either an errno (ECONNRESET...) or says
that no errno reached the application ("no errno").

Self-test: an explanation without such a line is reported as missing, so
the check cannot pass by matching nothing.
"""
import json
import os
import re
import subprocess
import sys
import time

SRCDIR = os.environ.get("TFA_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BUILDDIR = os.environ.get("TFA_BUILDDIR") or SRCDIR
BIN = os.environ.get("TFA_BIN") or os.path.join(BUILDDIR, "tcpflow-audit")
SAMPLES = os.environ.get("TFA_SAMPLES") or os.path.join(SRCDIR, "samples")
CORPUS = os.environ.get("TFA_CORPUS") or os.path.join(SRCDIR, "..", "shared", "corpus")
CORPUS_SECONDS = float(os.environ.get("TFA_APPVIEW_CORPUS_SECONDS") or 30)
CAPTURE_EXT = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz")

SEVERE = ("notice", "warning", "error")
CALL = re.compile(r"\b[a-z]+\(\)")
ERRNO = re.compile(r"\bE[A-Z]{3,}\b|\bno errno\b")
APP_LINE = re.compile(r"^  (client|server) application: (.*)$", re.M)

results = []


def tap(ok, desc, directive=""):
    results.append((ok, desc, directive))


def failing(rec):
    """Why this connection must name the application's errno, or None."""
    if rec.get("rsts_total", 0) > 0:
        return "RST"
    if rec["handshake"]["outcome"] in ("refused", "unanswered"):
        return "handshake " + rec["handshake"]["outcome"]
    if rec["close"]["kind"] in ("reset", "reset_after_fin"):
        return "close " + rec["close"]["kind"]
    return None


def explained(rec):
    return any(a["severity"] in SEVERE for a in rec["anomalies"])


def blocks(text):
    """{connection id: its explanation} from the text report."""
    out = {}
    for m in re.finditer(r"^connection (\d+) .*?(?=^connection \d+ |^Summary$|\Z)", text,
                         re.M | re.S):
        out[int(m.group(1))] = m.group(0)
    return out


def names_errno(block):
    for m in APP_LINE.finditer(block):
        if CALL.search(m.group(2)) and ERRNO.search(m.group(2)):
            return True
    return False


def check(path, label):
    """(connections checked, list of problems)"""
    j = subprocess.run([BIN, "--format", "jsonl", path], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    t = subprocess.run([BIN, "--format", "text", "--color=never", "--max-details=1000000",
                        path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if j.returncode not in (0, 1, 4) or t.returncode not in (0, 1, 4):
        return 0, ["%s: exit status %d / %d" % (label, j.returncode, t.returncode)]
    text = blocks(t.stdout.decode("utf-8", "replace"))
    n, bad = 0, []
    for line in j.stdout.decode("utf-8", "replace").splitlines():
        rec = json.loads(line)
        if rec.get("type") != "connection":
            continue
        why = failing(rec)
        if why is None or not explained(rec):
            continue
        n += 1
        b = text.get(rec["id"])
        if b is None:
            bad.append("%s conn %d (%s): not explained in the text report" % (label, rec["id"], why))
        elif not names_errno(b):
            bad.append("%s conn %d (%s): no application line naming a call and its errno"
                       % (label, rec["id"], why))
    return n, bad


def captures(top):
    out = []
    for d, _, files in os.walk(top):
        for f in files:
            if f.endswith(CAPTURE_EXT):
                out.append(os.path.join(d, f))
    return sorted(out)


def main():
    if not os.access(BIN, os.X_OK):
        print("1..0 # SKIP no %s" % BIN)
        return 0
    # self-test: an explanation without the line fails, one with it passes
    tap(not names_errno("connection 1  a -> b  failed\n  error   RST_REFUSED: x\n") and
        names_errno("connection 1\n  client application: connect() failed with ECONNREFUSED\n"),
        "self-test: an explanation is recognised only with its application line")
    total = 0
    for path in captures(SAMPLES):
        n, bad = check(path, os.path.basename(path))
        total += n
        tap(not bad, "samples/%s: %d failing connection(s) name the call and errno%s" % (
            os.path.basename(path), n, "".join("\n# " + b for b in bad[:10])))
    if os.path.isdir(CORPUS):
        start = time.monotonic()
        skipped = 0
        for path in captures(CORPUS):
            if time.monotonic() - start > CORPUS_SECONDS:
                skipped += 1
                continue
            label = os.path.relpath(path, CORPUS)
            n, bad = check(path, label)
            total += n
            if n > 0 or bad:
                tap(not bad, "corpus %s: %d failing connection(s) name the call and errno%s" % (
                    label, n, "".join("\n# " + b for b in bad[:10])))
        if skipped:
            tap(True, "corpus: %d captures not run" % skipped,
                "SKIP time budget of %gs (TFA_APPVIEW_CORPUS_SECONDS)" % CORPUS_SECONDS)
    else:
        tap(True, "corpus", "SKIP no ../shared/corpus")
    print("1..%d" % len(results))
    for i, (ok, desc, directive) in enumerate(results, 1):
        print("%s %d - %s%s" % ("ok" if ok else "not ok", i, desc,
                                 " # " + directive if directive else ""))
    print("# %d failing connections checked" % total)
    return 0 if all(r[0] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
