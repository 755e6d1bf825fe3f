#!/usr/bin/env python3
"""args-documented.py - every anomaly argument codes.h declares is in the manual.

codes.h's TFA_ANOMALY_LIST gives each code its arguments (A0 .. A4: a name
and a unit per arg[] slot); the JSON names them in each anomaly's "args".
tcpflow-audit-records(5) ANOMALY ARGUMENTS must then have an entry
`.B CODE` naming each of them (`.B name`), in the order codes.h gives,
and no entry naming arguments for a code that has none ("None."), nor
one for a code that does not exist.  The RST
cause codes are described together at the top of the section, so they
need no entry of their own.  Output is TAP.  A self-test feeds the checker
a declaration the page lacks and expects it to be reported.
"""
import os
import re
import sys

SRC = os.environ.get("TFA_SRCDIR") or os.path.join(os.path.dirname(__file__), "..", "..")
CODES_H = os.path.join(SRC, "include", "tcpflow-audit", "codes.h")
RECORDS5 = os.path.join(SRC, "man", "tcpflow-audit-records.5")


def declared(text):
    """{code: [arg names]} from TFA_ANOMALY_LIST, and the RST cause codes."""
    start = text.index("#define TFA_ANOMALY_LIST(X)")
    end = text.index("\n\n", start)
    body = text[start:end].replace("\\\n", " ")
    codes = {}
    for m in re.finditer(r'X\((\w+),\s*(\w+),((?:\s*"(?:[^"\\]|\\.)*")+)\s*(?:,\s*A(\d)\(([^)]*)\))?\s*\)',
                         body):
        names = []
        if m.group(4) and m.group(4) != "0":
            parts = [p.strip() for p in m.group(5).split(",")]
            names = parts[0::2]
        codes[m.group(1)] = names
    rst = set()
    rs = text.index("#define TFA_RST_CAUSE_LIST(X)")
    re_end = text.index("\n\n", rs)
    for m in re.finditer(r'X\(\w+,\s*"[^"]*",\s*(\w+)', text[rs:re_end].replace("\\\n", " ")):
        rst.add(m.group(1))
    return codes, rst


def documented(page):
    """{code: [arg names]} of the ANOMALY ARGUMENTS section's entries."""
    sec = page.split(".SH ANOMALY ARGUMENTS", 1)[1].split("\n.SH ", 1)[0]
    entries = {}
    for block in sec.split("\n.TP\n")[1:]:
        lines = block.split("\n")
        head = re.match(r"\.B (\w+)$", lines[0])
        if not head:
            continue
        entries[head.group(1)] = [m.group(1) for l in lines[1:]
                                  for m in [re.match(r"\.BR? (\w+)", l)] if m]
    return entries


def check(codes, rst, entries):
    problems = []
    for code, names in codes.items():
        if code in rst or not names:
            if code in entries and code not in rst and entries[code]:
                problems.append("%s has no arguments but its entry names some" % code)
            continue
        got = entries.get(code)
        if got is None:
            problems.append("%s: no entry (arguments %s)" % (code, ", ".join(names)))
        elif list(dict.fromkeys(n for n in got if n in names)) != names:
            problems.append("%s: the entry names %s, codes.h declares %s" %
                            (code, ", ".join(got), ", ".join(names)))
    for code in entries:
        if code not in codes:
            problems.append("an entry for %s, which is no anomaly code" % code)
    return problems


def main():
    codes, rst = declared(open(CODES_H).read())
    entries = documented(open(RECORDS5).read())
    n = 0
    n += 1
    if len(codes) < 40:
        print("not ok %d - codes.h's TFA_ANOMALY_LIST read (%d codes)" % (n, len(codes)))
    else:
        print("ok %d - codes.h's TFA_ANOMALY_LIST read (%d codes, %d with arguments)" %
              (n, len(codes), sum(1 for v in codes.values() if v)))
    problems = check(codes, rst, entries)
    n += 1
    if problems:
        print("not ok %d - every declared anomaly argument has its entry in "
              "tcpflow-audit-records(5) ANOMALY ARGUMENTS" % n)
        for p in problems:
            print("#   " + p)
    else:
        print("ok %d - every declared anomaly argument has its entry in "
              "tcpflow-audit-records(5) ANOMALY ARGUMENTS" % n)
    n += 1
    trial = dict(codes)
    trial["TEARDOWN_SELF_TEST"] = ["self_test_frame"]
    if check(trial, rst, entries) != problems + [
            "TEARDOWN_SELF_TEST: no entry (arguments self_test_frame)"]:
        print("not ok %d - self-test: a declared argument the page lacks is reported" % n)
    else:
        print("ok %d - self-test: a declared argument the page lacks is reported" % n)
    print("1..%d" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
