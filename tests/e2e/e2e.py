#!/usr/bin/env python3
"""End-to-end tests over samples/: golden outputs and intent checks, as TAP.

Two layers, run by `make check` (and from a `make distcheck` tree: every input
is read from TFA_SRCDIR, every output written under TFA_BUILDDIR):

* TESTLIST rows `name sample format options...` (tcpdump style): the tool's
  output on the sample must equal tests/e2e/expected/<name>.<format> byte for
  byte.  A jsonl golden is laid out one field a line (tests/e2e/golden.py):
  the output, laid out the same way, must equal it, and must be compact JSON
  Lines (so the comparison stays byte for byte).  tests/e2e/update-expected.sh
  NAME rewrites one expected file.
* tests/e2e/checks/<sample-basename>.checks (suricata-verify style): one
  assertion per line on the JSON Lines output, e.g.
      conn 1 handshake.outcome == complete
      conn 1 anomaly RST_REFUSED == 1
      conn * anomaly SEQ_LOST_SEGMENT == 0
      connections == 3
      summary diagnostics.DECODE_NOT_TCP >= 1
  A path compares as its states joined by '>', or with frames:
      conn 1 endpoints.client.path == CLOSED@->SYN_SENT@1>...   (see checks/)
  A line prefixed `[#N]` states a verdict delivered by issue N (the tag
  says where it came from; the line is an assertion like any other).

Every sample in samples/ must have a TESTLIST row and a .checks file.
"""
import difflib
import json
import os
import re
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden as layout  # noqa: E402

SRCDIR = os.environ.get("TFA_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BUILDDIR = os.environ.get("TFA_BUILDDIR") or SRCDIR
BIN = os.environ.get("TFA_BIN") or os.path.join(BUILDDIR, "tcpflow-audit")
E2E = os.path.join(SRCDIR, "tests", "e2e")
# TFA_SAMPLES: read the captures from elsewhere (tests/lab/check-lab.sh runs
# the checks over freshly regenerated captures this way)
SAMPLES = os.environ.get("TFA_SAMPLES") or os.path.join(SRCDIR, "samples")
OUTDIR = os.path.join(BUILDDIR, "tests", "e2e", "out")

results = []  # (ok, description, directive)


def tap(ok, desc, directive=""):
    results.append((ok, desc, directive))


def run_tool(sample, options):
    cmd = [BIN] + options + [os.path.join(SAMPLES, sample)]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr


def read_testlist():
    rows = []
    with open(os.path.join(E2E, "TESTLIST")) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = shlex.split(line)
            if len(parts) < 3:
                sys.exit("TESTLIST:%d: want 'name sample format [options]'" % n)
            rows.append((parts[0], parts[1], parts[2], parts[3:]))
    return rows


def first_differences(expected, got, n=12):
    """The first lines of a unified diff, as one TAP-description string."""
    lines = list(difflib.unified_diff(expected.decode("utf-8", "replace").splitlines(),
                                      got.decode("utf-8", "replace").splitlines(),
                                      "expected", "got", n=0, lineterm=""))[2:]
    shown = [l for l in lines if not l.startswith("@@")][:n]
    return " | ".join(x.strip() for x in shown)


def golden(rows):
    os.makedirs(OUTDIR, exist_ok=True)
    for name, sample, fmt, options in rows:
        fmt_opts = ["--ladder"] if fmt == "ladder" else ["--format", fmt]
        rc, out, err = run_tool(sample, fmt_opts + options)
        problem = None
        if fmt == "jsonl":
            # laid out as the golden is; the compact output must come back
            # from the layout unchanged, or the comparison would not be exact
            try:
                shown = layout.pretty(out)
                if layout.compact(shown) != out:
                    problem = "not compact JSON Lines (whitespace outside strings, or no final newline)"
            except layout.LayoutError as e:
                shown, problem = out, "not JSON Lines: %s" % e
        else:
            shown = out
        with open(os.path.join(OUTDIR, "%s.%s" % (name, fmt)), "wb") as f:
            f.write(shown)
        expected_path = os.path.join(E2E, "expected", "%s.%s" % (name, fmt))
        if not os.path.exists(expected_path):
            tap(False, "golden %s: no expected file %s" % (name, expected_path))
            continue
        with open(expected_path, "rb") as f:
            expected = f.read()
        ok = rc in (0, 1) and problem is None and shown == expected
        desc = "golden %s (%s, %s)" % (name, sample, fmt)
        if not ok:
            desc += ": exit %d, %s (diff %s %s)" % (
                rc, problem or "output differs from %s" % os.path.relpath(expected_path, SRCDIR),
                os.path.relpath(expected_path, SRCDIR), os.path.join(OUTDIR, "%s.%s" % (name, fmt)))
            if problem is None and fmt != "html":
                desc += ": " + first_differences(expected, shown)
        tap(ok, desc)


def layout_self_test():
    """The goldens' layout keeps every token's bytes and undoes exactly."""
    line = b'{"a":1.500000000,"b":[],"c":{"d":"x, y: \\"z\\""},"e":[1,null]}\n'
    laid = (b'{\n  "a": 1.500000000,\n  "b": [],\n  "c": {\n    "d": "x, y: \\"z\\""\n  },\n'
            b'  "e": [\n    1,\n    null\n  ]\n}\n')
    ok = layout.pretty(line) == laid and layout.compact(laid) == line and \
        layout.compact(layout.pretty(b'{"a": 1}\n')) != b'{"a": 1}\n' and \
        layout.pretty(line.replace(b"1.5", b"1.4")) != laid
    tap(ok, "golden layout: one field a line, token bytes kept, compact() undoes it")


def path_get(obj, path):
    for part in path.split("."):
        if isinstance(obj, list):
            if not part.isdigit() or int(part) >= len(obj):
                return None
            obj = obj[int(part)]
        elif isinstance(obj, dict):
            if part not in obj:
                return None
            obj = obj[part]
        else:
            return None
    return obj


def compare(actual, op, expected):
    if actual is None:
        return False
    flat = flatten(actual)
    if flat is not None:
        ok = expected in flat
        return ok if op == "==" else (not ok if op == "!=" else False)
    if isinstance(actual, bool):
        actual = "true" if actual else "false"
    a, e = str(actual), expected
    if re.fullmatch(r"-?\d+", a) and re.fullmatch(r"-?\d+", e):
        a, e = int(a), int(e)
    elif op not in ("==", "!="):
        return False
    return {"==": a == e, "!=": a != e, ">=": a >= e, "<=": a <= e,
            ">": a > e, "<": a < e}[op]


def anomaly_count(conns, code):
    return sum(1 for c in conns for a in c.get("anomalies", []) if a.get("code") == code)


LINE = re.compile(r"^(?:\[#(\d+)\]\s+)?(.*?)\s+(==|!=|>=|<=|>|<)\s+(\S+)$")


def flatten(value):
    """A path (list of {state, frame}) compares as STATE>STATE>..., with the
    frame after an @ when the expected value gives frames."""
    if isinstance(value, list) and value and isinstance(value[0], dict) and "state" in value[0]:
        return [">".join(p["state"] for p in value),
                ">".join("%s@%s" % (p["state"], p["frame"] if p["frame"] is not None else "-")
                         for p in value)]
    return None


def checks(sample, checks_path):
    rc, out, err = run_tool(sample, ["--format", "jsonl"])
    base = os.path.basename(checks_path)
    try:
        recs = [json.loads(l) for l in out.decode("utf-8").splitlines()]
    except ValueError as e:
        tap(False, "%s: output is not JSON Lines: %s" % (base, e))
        return
    conns = [r for r in recs if r.get("type") == "connection"]
    summary = [r for r in recs if r.get("type") == "summary"]
    tap(rc in (0, 1) and len(summary) == 1 and recs[-1].get("type") == "summary",
        "%s: exit %d, one summary record last" % (base, rc))
    by_id = {c["id"]: c for c in conns}
    with open(checks_path) as f:
        for n, raw in enumerate(f, 1):
            line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("[#") \
                else raw.strip()
            if line.startswith("[#"):
                # keep the issue tag, drop a trailing comment
                tag_end = line.index("]") + 1
                rest = line[tag_end:].split("#", 1)[0].strip()
                line = line[:tag_end] + " " + rest
            if not line:
                continue
            m = LINE.match(line)
            if not m:
                tap(False, "%s:%d: cannot parse '%s'" % (base, n, line))
                continue
            _issue, lhs, op, value = m.groups()
            words = lhs.split()
            actual = None
            if words[0] == "connections" and len(words) == 1:
                actual = len(conns)
            elif words[0] == "summary" and len(words) == 2:
                actual = path_get(summary[0] if summary else {}, words[1])
            elif words[0] == "conn" and len(words) >= 3:
                targets = conns if words[1] == "*" else (
                    [by_id[int(words[1])]] if words[1].isdigit() and int(words[1]) in by_id
                    else [])
                if words[2] == "anomaly" and len(words) == 4:
                    actual = anomaly_count(targets, words[3]) if targets or words[1] == "*" \
                        else None
                elif len(words) == 3 and len(targets) == 1:
                    actual = path_get(targets[0], words[2])
            else:
                tap(False, "%s:%d: cannot parse '%s'" % (base, n, line))
                continue
            ok = compare(actual, op, value)
            desc = "%s:%d: %s %s %s" % (base, n, lhs, op, value)
            if not ok:
                shown = flatten(actual)
                desc += " (got %s)" % (shown[1] if shown else json.dumps(actual))
            tap(ok, desc)


def main():
    if not os.access(BIN, os.X_OK):
        print("1..0 # SKIP no tcpflow-audit binary at %s" % BIN)
        return 0
    rows = read_testlist()
    layout_self_test()
    golden(rows)
    samples = sorted(f for f in os.listdir(SAMPLES) if f.endswith((".pcap", ".pcapng")))
    listed = {r[1] for r in rows}
    for s in samples:
        tap(s in listed, "sample %s has a TESTLIST row" % s)
        cp = os.path.join(E2E, "checks", os.path.splitext(s)[0] + ".checks")
        tap(os.path.exists(cp), "sample %s has a checks file" % s)
        if os.path.exists(cp):
            checks(s, cp)
    print("1..%d" % len(results))
    for i, (ok, desc, directive) in enumerate(results, 1):
        desc = desc.replace("#", "\\#")
        print("%s %d - %s%s" % ("ok" if ok else "not ok", i, desc,
                                " # " + directive if directive else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
