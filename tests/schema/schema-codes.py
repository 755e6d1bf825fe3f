#!/usr/bin/env python3
"""The code lists of the JSON Schema, made from `tcpflow-audit --list-codes`.

man/tcpflow-audit-records-v1.schema.json spells three lists that codes.h
already holds: $defs/anomaly_code (every anomaly code), $defs/diagnostic
(every counter) and, in $defs/anomaly's allOf, the codes of each severity.
They are not written by hand: this script writes them from --list-codes, in
its order, and leaves the rest of the file as it is.

    schema-codes.py            TAP: the schema holds what --list-codes says
                               (run by 'make check'; no jsonschema needed)
    schema-codes.py --update   rewrite those lists in the schema file

So a code added to codes.h fails 'make check' here until --update is run
(and the commit shows the schema's new lines).
"""
import json
import os
import re
import subprocess
import sys

SRCDIR = os.environ.get("TFA_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BUILDDIR = os.environ.get("TFA_BUILDDIR") or SRCDIR
BIN = os.environ.get("TFA_BIN") or os.path.join(BUILDDIR, "tcpflow-audit")
SCHEMA_PATH = os.path.join(SRCDIR, "man", "tcpflow-audit-records-v1.schema.json")
WIDTH = 100  # the schema file's line width


def list_codes():
    """([(anomaly code, severity)], [counter]) in --list-codes order."""
    p = subprocess.run([BIN, "--list-codes"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       check=True)
    codes, counters = [], []
    for line in p.stdout.decode("utf-8").splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        if parts[1] == "counter":
            counters.append(parts[0])
        else:
            codes.append((parts[0], parts[1]))
    return codes, counters


def wrapped(names, indent):
    """The names as JSON strings, ", "-separated, lines of at most WIDTH columns."""
    lines, cur = [], ""
    for n in names:
        item = json.dumps(n)
        if cur and len(indent) + len(cur) + len(item) + 2 > WIDTH:
            lines.append(indent + cur.rstrip())
            cur = ""
        cur += item + ", "
    if cur:
        lines.append(indent + cur.rstrip().rstrip(","))
    return "\n".join(lines)


# An enum array whose items start on the line after '"enum": [': groups are
# (head up to and including the newline, indentation of the items, items,
# newline and indentation of the closing bracket).
ENUM_BODY = r'("enum": \[\n)([ ]+)(.*?)(\n[ ]*\])'


def replace_def_enum(text, key, names, problems):
    m = re.search(r'\n    "%s": \{\n.*?%s' % (re.escape(key), ENUM_BODY), text, re.S)
    if not m:
        problems.append("no $defs/%s enum found in the schema file" % key)
        return text
    return text[:m.start(3)] + wrapped(names, m.group(2)).lstrip() + text[m.end(3):]


def replace_severity_groups(text, codes, problems):
    """The allOf rules of $defs/anomaly: one `if code in [...] then severity`
    per severity."""
    rule = re.compile(r'"code": \{\s*' + ENUM_BODY +
                      r'(\s*\}\s*\}\s*\},\s*"then": \{"properties": \{"severity": '
                      r'\{"const": "(\w+)"\}\}\})', re.S)
    seen = []
    out, pos = [], 0
    for m in rule.finditer(text):
        sev = m.group(6)
        seen.append(sev)
        names = [c for c, s in codes if s == sev]
        out.append(text[pos:m.start(3)])
        out.append(wrapped(names, m.group(2)).lstrip())
        pos = m.end(3)
    out.append(text[pos:])
    want = sorted({s for _, s in codes})
    if sorted(seen) != want:
        problems.append("the schema's severity rules are for %s, --list-codes has %s" % (
            " ".join(sorted(seen)) or "none", " ".join(want)))
    return "".join(out)


def generate(text, codes, counters):
    problems = []
    text = replace_def_enum(text, "anomaly_code", [c for c, _ in codes], problems)
    text = replace_def_enum(text, "diagnostic", counters, problems)
    text = replace_severity_groups(text, codes, problems)
    return text, problems


def differences(old, new):
    """Per list, the names one schema has and the other has not."""
    def lists(schema):
        defs = schema.get("$defs", {})
        out = {"anomaly_code": defs.get("anomaly_code", {}).get("enum", []),
               "diagnostic": defs.get("diagnostic", {}).get("enum", [])}
        for r in defs.get("anomaly", {}).get("allOf", []):
            sev = r.get("then", {}).get("properties", {}).get("severity", {}).get("const")
            out["severity " + str(sev)] = r.get("if", {}).get("properties", {}) \
                .get("code", {}).get("enum", [])
        return out
    a, b = lists(json.loads(old)), lists(json.loads(new))
    out = []
    for k in sorted(set(a) | set(b)):
        missing = [x for x in b.get(k, []) if x not in a.get(k, [])]
        extra = [x for x in a.get(k, []) if x not in b.get(k, [])]
        if missing:
            out.append("%s: missing %s" % (k, " ".join(missing)))
        if extra:
            out.append("%s: not in --list-codes: %s" % (k, " ".join(extra)))
        if not missing and not extra and a.get(k) != b.get(k):
            out.append("%s: not in --list-codes order" % k)
    return out


def main():
    update = sys.argv[1:] == ["--update"]
    if sys.argv[1:] and not update:
        sys.stderr.write("usage: schema-codes.py [--update]\n")
        return 2
    if not os.access(BIN, os.X_OK):
        if update:
            sys.stderr.write("schema-codes.py: no tcpflow-audit binary at %s\n" % BIN)
            return 1
        print("1..0 # SKIP no tcpflow-audit binary at %s" % BIN)
        return 0
    codes, counters = list_codes()
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        old = f.read()
    new, problems = generate(old, codes, counters)
    if update:
        for p in problems:
            sys.stderr.write("schema-codes.py: %s\n" % p)
        if problems:
            return 1
        json.loads(new)
        if new != old:
            with open(SCHEMA_PATH, "w", encoding="utf-8") as f:
                f.write(new)
            print("rewrote %s" % os.path.relpath(SCHEMA_PATH, SRCDIR))
        return 0

    results = [(bool(codes) and bool(counters),
                "--list-codes lists %d anomaly codes and %d counters" % (len(codes), len(counters)))]
    results += [(False, p) for p in problems]
    try:
        diff = differences(old, new)
    except ValueError as e:
        diff = ["the schema file is not JSON: %s" % e]
    results.append((new == old,
                    "the schema's anomaly_code, diagnostic and severity lists are those of "
                    "--list-codes" + ("" if new == old else
                                      " (run: python3 tests/schema/schema-codes.py --update): " +
                                      "; ".join(diff or ["layout differs"]))))
    # the check itself: a code the schema lacks must be seen
    if codes:
        fake, _ = generate(old, codes + [("SELFTEST_NEW_CODE", codes[0][1])], counters)
        results.append((fake != old and "SELFTEST_NEW_CODE" in " ".join(differences(old, fake)),
                        "self-test: a code that --list-codes would add is reported missing"))
    print("1..%d" % len(results))
    for i, (ok, desc) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, desc.replace("#", "\\#")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
