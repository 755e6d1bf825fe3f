#!/usr/bin/env python3
"""The JSON Lines output against its schema, man/tcpflow-audit-records-v1.schema.json,
as TAP.

* The schema is a valid JSON Schema (draft 2020-12), and each of its closed
  vocabularies ($defs enums) equals the list the program knows: the X-macro
  lists of include/tcpflow-audit/codes.h and zeek.h, severity_names in
  src/util/names.c, and `tcpflow-audit --list-codes`; the severity the schema
  ties to each anomaly code is the one codes.h gives it.  Every X-macro list
  must be mapped below, so a new list cannot go unchecked.
* Self-tests: a valid record passes, and records with a misspelled code, a
  missing required field, an unknown field, a wrong severity, a float where
  an integer belongs, a time without nine fraction digits, a non-canonical
  address, or a misplaced summary are rejected (so this test cannot pass by
  checking nothing).
* Every capture in samples/ is run with --format jsonl and each option set
  below (defaults; small caps and --verify-checksums; short timers and low
  finding thresholds; --at halfway through the capture; --shard 2/3): exit status 0 or 1,
  every line valid against the schema, times written with exactly nine
  fraction digits, addresses in inet_ntop/RFC 5952 form, record kinds as
  expected, exactly one summary, last, whose "records" counts the connection
  records.
* The same for the public captures of ../shared/corpus (TFA_CORPUS overrides
  it) when that directory exists, within a time budget
  (TFA_SCHEMA_CORPUS_SECONDS, default 45).

Skips when python3-jsonschema (with draft 2020-12 support) is missing.
"""
import decimal
import ipaddress
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
CORPUS_SECONDS = float(os.environ.get("TFA_SCHEMA_CORPUS_SECONDS") or 45)
SCHEMA_PATH = os.path.join(SRCDIR, "man", "tcpflow-audit-records-v1.schema.json")
CODES_H = os.path.join(SRCDIR, "include", "tcpflow-audit", "codes.h")
ZEEK_H = os.path.join(SRCDIR, "include", "tcpflow-audit", "zeek.h")
APPVIEW_H = os.path.join(SRCDIR, "include", "tcpflow-audit", "appview.h")
NAMES_C = os.path.join(SRCDIR, "src", "util", "names.c")

# Option sets; "at" is filled in per capture (halfway between its first and
# last frame).
OPTION_SETS = [
    ("default", []),
    ("caps", ["--max-anomalies=1", "--max-connections=2", "--max-buffer-bytes=0",
              "--verify-checksums", "--rst-storm=1"]),
    ("timers", ["--idle-timeout=0.05", "--stuck-after=0.001", "--msl=0.001",
                "--leak-threshold=1", "--pileup-threshold=1", "--flood-threshold=1",
                "--scan-threshold=1", "--refusing-threshold=1"]),
    ("at", None),
    # a --shard run's summary carries the "shard" object (tcpflow-audit(1) SCALING)
    ("shard", ["--shard=2/3", "--flood-threshold=1", "--scan-threshold=1"]),
]

# schema $defs enum -> where the program spells that vocabulary:
# (header, X-macro list, argument that is written out)
VOCABULARIES = {
    "tcp_state": (CODES_H, "TFA_TCP_STATE_LIST", 0),
    "anomaly_code": (CODES_H, "TFA_ANOMALY_LIST", 0),
    "diagnostic": (CODES_H, "TFA_DIAG_LIST", 0),
    "originator": (CODES_H, "TFA_ORIGINATOR_LIST", 1),
    "handshake_outcome": (CODES_H, "TFA_HANDSHAKE_LIST", 1),
    "close_kind": (CODES_H, "TFA_CLOSE_LIST", 1),
    "initiator": (CODES_H, "TFA_INITIATOR_LIST", 1),
    "rst_cause": (CODES_H, "TFA_RST_CAUSE_LIST", 1),
    "end_reason": (CODES_H, "TFA_END_LIST", 1),
    "evidence": (CODES_H, "TFA_EVIDENCE_LIST", 1),
    "rst_accept": (CODES_H, "TFA_RST_ACCEPT_LIST", 1),
    "verdict": (CODES_H, "TFA_VERDICT_LIST", 1),
    "vantage": (CODES_H, "TFA_VANTAGE_LIST", 1),
    "finding": (CODES_H, "TFA_FINDING_LIST", 0),
    "zeek_conn_state": (ZEEK_H, "TFA_ZEEK_STATE_LIST", 0),
    "app_call": (APPVIEW_H, "TFA_APP_CALL_LIST", 1),
    "app_result": (APPVIEW_H, "TFA_APP_RESULT_LIST", 1),
    "app_story": (APPVIEW_H, "TFA_APP_WHY_LIST", 1),
    "app_advice": (APPVIEW_H, "TFA_APP_ADVICE_LIST", 1),
}

TS_LITERAL = re.compile(r"-?[0-9]+\.[0-9]{9}")

results = []  # (ok, description, directive)


def tap(ok, desc, directive=""):
    results.append((ok, desc, directive))


# ---- reading the program's vocabularies --------------------------------------

def xmacro_lists(path):
    """{'TFA_..._LIST': [[arg, ...], ...]} for every X-macro list in a header;
    string arguments come back unquoted (adjacent literals joined)."""
    with open(path, encoding="utf-8") as f:
        text = re.sub(r"/\*.*?\*/", " ", f.read(), flags=re.S)
    lists = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"\s*#\s*define\s+(TFA_\w+_LIST)\s*\(\s*X\s*\)(.*)$", lines[i])
        i += 1
        if not m:
            continue
        body = [m.group(2)]
        while body[-1].rstrip().endswith("\\") and i < len(lines):
            body[-1] = body[-1].rstrip()[:-1]
            body.append(lines[i])
            i += 1
        lists[m.group(1)] = xmacro_entries(" ".join(body))
    return lists


def xmacro_arg(a):
    a = a.strip()
    if a.startswith('"'):
        return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', a))
    return a


def xmacro_entries(body):
    """The argument lists of every X(...) in a macro body; commas and
    parentheses inside string literals do not count."""
    out = []
    start = re.compile(r"\bX\s*\(")
    pos = 0
    while True:
        m = start.search(body, pos)
        if not m:
            return out
        j, depth, args, cur = m.end(), 1, [], ""
        while j < len(body):
            c = body[j]
            if c == '"':
                k = j + 1
                while k < len(body) and body[k] != '"':
                    k += 2 if body[k] == "\\" else 1
                cur += body[j:k + 1]
                j = k + 1
                continue
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    break
            elif c == "," and depth == 1:
                args.append(cur)
                cur = ""
                j += 1
                continue
            cur += c
            j += 1
        args.append(cur)
        out.append([xmacro_arg(a) for a in args])
        pos = j + 1


def severity_names():
    with open(NAMES_C, encoding="utf-8") as f:
        m = re.search(r"severity_names\[\]\s*=\s*\{([^}]*)\}", f.read())
    return re.findall(r'"([^"]*)"', m.group(1)) if m else []


def list_codes():
    """(anomaly code -> severity, [diagnostic names]) from --list-codes."""
    p = subprocess.run([BIN, "--list-codes"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    anomalies, diags = {}, []
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        if parts[1] == "counter":
            diags.append(parts[0])
        else:
            anomalies[parts[0]] = parts[1]
    return anomalies, diags


def differs(name, got, want):
    missing = [x for x in want if x not in got]
    extra = [x for x in got if x not in want]
    if not missing and not extra and len(got) == len(set(got)):
        return None
    parts = []
    if missing:
        parts.append("missing from the schema: " + " ".join(missing))
    if extra:
        parts.append("unknown to the program: " + " ".join(extra))
    if len(got) != len(set(got)):
        parts.append("duplicates")
    return "%s: %s" % (name, "; ".join(parts))


def check_vocabularies(schema):
    defs = schema.get("$defs", {})
    lists = {}
    for path in (CODES_H, ZEEK_H, APPVIEW_H):
        for name, entries in xmacro_lists(path).items():
            lists[name] = (path, entries)
    mapped = {v[1] for v in VOCABULARIES.values()}
    unmapped = sorted(set(lists) - mapped)
    tap(not unmapped, "every X-macro list of codes.h, zeek.h and appview.h is checked against the schema" +
        (": not mapped in %s: %s" % (os.path.basename(__file__), " ".join(unmapped))
         if unmapped else ""))
    for key, (path, lst, arg) in sorted(VOCABULARIES.items()):
        if lst not in lists:
            tap(False, "schema $defs/%s: no %s in %s" % (key, lst, os.path.basename(path)))
            continue
        want = [e[arg] for e in lists[lst][1]]
        got = defs.get(key, {}).get("enum", [])
        problem = differs("$defs/%s vs %s" % (key, lst), got, want)
        tap(problem is None,
            problem or "schema $defs/%s equals %s (%d names)" % (key, lst, len(want)))

    got = defs.get("severity", {}).get("enum", [])
    problem = differs("$defs/severity vs names.c severity_names", got, severity_names())
    tap(problem is None, problem or "schema $defs/severity equals names.c severity_names")

    known, diags = list_codes()
    problem = differs("$defs/anomaly_code vs --list-codes",
                      defs.get("anomaly_code", {}).get("enum", []), list(known))
    tap(bool(known) and problem is None, problem or
        "schema $defs/anomaly_code equals tcpflow-audit --list-codes (%d codes)" % len(known))
    problem = differs("$defs/diagnostic vs --list-codes counters",
                      defs.get("diagnostic", {}).get("enum", []), diags)
    tap(bool(diags) and problem is None,
        problem or "schema $defs/diagnostic equals the counters of --list-codes (%d)" % len(diags))

    # severity by code: the schema's if/then rules, codes.h and --list-codes agree
    in_schema = {}
    for rule in defs.get("anomaly", {}).get("allOf", []):
        sev = rule.get("then", {}).get("properties", {}).get("severity", {}).get("const")
        for code in rule.get("if", {}).get("properties", {}).get("code", {}).get("enum", []):
            in_schema.setdefault(code, []).append(sev)
    header = {e[0]: e[1].lower() for e in lists.get("TFA_ANOMALY_LIST", (None, []))[1]}
    bad = []
    for code in sorted(set(header) | set(in_schema) | set(known)):
        want = header.get(code)
        if in_schema.get(code) != [want] or known.get(code) != want:
            bad.append("%s (codes.h %s, schema %s, --list-codes %s)" % (
                code, want, "/".join(map(str, in_schema.get(code, []))) or "none", known.get(code)))
    tap(bool(header) and not bad,
        "every anomaly code has its codes.h severity in the schema" +
        (": " + "; ".join(bad) if bad else ""))


# ---- validating records -------------------------------------------------------

class Num(float):
    """A JSON number with a fraction or exponent, remembering how it was written."""

    def __new__(cls, text):
        n = float.__new__(cls, text)
        n.text = text
        return n


def parse(line):
    return json.loads(line, parse_float=Num)


def is_time_key(key):
    return key in ("ts", "at") or (key is not None and key.endswith("_ts"))


def ip_canonical(s):
    """As inet_ntop(3) writes it: dotted quad, or RFC 5952 IPv6 with
    IPv4-mapped/-compatible addresses ending in a dotted quad."""
    try:
        a = ipaddress.ip_address(s)
    except ValueError:
        return False
    if a.version == 4:
        return str(a) == s
    if "." in s:
        v4 = str(ipaddress.IPv4Address(a.packed[12:]))
        head = a.packed[:12]
        return (head == bytes(10) + b"\xff\xff" and s == "::ffff:" + v4) or \
               (head == bytes(12) and s == "::" + v4)
    return a.compressed == s


def literal_problems(rec):
    """What the schema cannot see: how numbers and addresses are written."""
    out = []

    def walk(v, key, path):
        if isinstance(v, dict):
            for k, x in v.items():
                walk(x, k, path + "/" + k)
        elif isinstance(v, list):
            for i, x in enumerate(v):
                walk(x, None, "%s/%d" % (path, i))
        elif is_time_key(key) and v is not None:
            if not isinstance(v, Num) or not TS_LITERAL.fullmatch(v.text):
                out.append("%s: time %s is not written with nine fraction digits" % (
                    path, getattr(v, "text", json.dumps(v))))
        elif isinstance(v, Num):
            out.append("%s: %s is not an integer" % (path, v.text))
        elif key == "ip" and isinstance(v, str) and not ip_canonical(v):
            out.append("%s: address %r is not in inet_ntop/RFC 5952 form" % (path, v))

    walk(rec, None, "")
    return out


def error_text(e):
    where = "/".join(str(p) for p in e.absolute_path) or "(record)"
    if e.validator == "enum":
        return "%s: %r is not one of the %d names the schema allows" % (
            where, e.instance, len(e.validator_value))
    if e.validator == "pattern":
        return "%s: %r does not match the schema's pattern" % (where, e.instance)
    return "%s: %s" % (where, e.message[:300])


def record_problems(validator, rec):
    errs = sorted(validator.iter_errors(rec), key=lambda e: list(map(str, e.absolute_path)))
    return [error_text(e) for e in errs] + literal_problems(rec)


def sequence_problems(recs, at):
    """Kinds and order of the records of one run."""
    kinds = [r.get("type") if isinstance(r, dict) else None for r in recs]
    out = []
    if kinds.count("summary") != 1:
        out.append("%d summary records, want 1" % kinds.count("summary"))
    elif kinds[-1] != "summary":
        out.append("the summary is not the last record")
    body = "socket" if at else "connection"
    other = sorted(set(k for k in kinds if k not in ("summary", body)), key=str)
    if other:
        out.append("unexpected record kinds %s%s" % (", ".join(map(str, other)),
                                                   " with --at" if at else ""))
    if kinds and kinds[-1] == "summary" and isinstance(recs[-1].get("records"), int):
        n = kinds.count("connection")
        if recs[-1]["records"] != n:
            out.append("summary records = %d, but %d connection records" % (recs[-1]["records"], n))
    return out


def run(capture, options):
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "exitcode=86:detect_leaks=1")
    env.setdefault("UBSAN_OPTIONS", "exitcode=86:print_stacktrace=1:halt_on_error=1")
    p = subprocess.run([BIN, "--format", "jsonl"] + options + [capture], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=120)
    return p.returncode, p.stdout, p.stderr


def at_option(recs):
    """--at halfway between the first and the last time of a default run."""
    s = recs[-1] if recs and isinstance(recs[-1], dict) else {}
    first, last = s.get("first_ts"), s.get("last_ts")
    if not isinstance(first, Num) or not isinstance(last, Num):
        return ["--at", "+0"]
    half = max(decimal.Decimal(0), (decimal.Decimal(last.text) - decimal.Decimal(first.text)) / 2)
    return ["--at", "+" + format(half.quantize(decimal.Decimal("0.000000001")), "f")]


def check_run(validator, capture, options, at):
    """(problems, records validated, parsed records) of one run."""
    rc, out, err = run(capture, options)
    problems = []
    if rc not in (0, 1):
        problems.append("exit %d: %s" % (rc, err.decode("utf-8", "replace")[-300:]))
    recs = []
    for n, line in enumerate(out.decode("utf-8", "replace").splitlines(), 1):
        try:
            rec = parse(line)
        except ValueError as e:
            problems.append("line %d: not JSON: %s" % (n, e))
            continue
        recs.append(rec)
        for p in record_problems(validator, rec):
            problems.append("line %d (%s): %s" % (n, rec.get("type") if isinstance(rec, dict)
                                                   else "?", p))
    problems += sequence_problems(recs, at)
    return problems, len(recs), recs


def check_capture(validator, capture):
    """Run every option set on one capture: [(label, problems, records validated)]."""
    out = []
    default = []
    for name, options in OPTION_SETS:
        if options is None:
            options = at_option(default)
        problems, n, recs = check_run(validator, capture, options, name == "at")
        if name == "default":
            default = recs
        out.append((" ".join([name] + options[1:]) if name == "at" else name, problems, n))
    return out


def summarize(problems, limit=3):
    text = "; ".join(problems[:limit])
    if len(problems) > limit:
        text += "; and %d more" % (len(problems) - limit)
    return text.replace("\n", " | ")


# ---- self-tests ---------------------------------------------------------------

def self_tests(validator, capture):
    def kind(line):
        try:
            rec = parse(line)
        except ValueError:
            return None
        return rec.get("type") if isinstance(rec, dict) else None

    rc, out, err = run(capture, [])
    lines = out.decode("utf-8", "replace").splitlines()
    conn_line = next((l for l in lines if kind(l) == "connection"), None)
    summary_line = lines[-1] if lines and kind(lines[-1]) == "summary" else None
    name = os.path.basename(capture)
    if conn_line is None or summary_line is None:
        tap(False, "self-test: %s gives a connection and a summary record to mutate" % name)
        return
    ts = Num("1795238198.597775000")
    anomaly = {"code": "RST_REFUSED", "severity": "error", "possible": False, "endpoint": "server",
               "frame": 2,
               "ts": ts, "args": {"rst": 0, "idle_before_ns": 0},
               "detail": "an RST answered the SYN"}

    def conn_with(mutate):
        r = parse(conn_line)
        r["anomalies"] = [dict(anomaly)]
        mutate(r)
        return r

    def summary_with(mutate):
        r = parse(summary_line)
        mutate(r)
        return r

    conn, summary = parse(conn_line), parse(summary_line)

    def setp(path, value):
        def f(r):
            *head, last = path
            for k in head:
                r = r[k]
            r[last] = value
        return f

    def delp(path):
        def f(r):
            *head, last = path
            for k in head:
                r = r[k]
            del r[last]
        return f

    problems = record_problems(validator, conn_with(lambda r: None)) + \
        record_problems(validator, summary)
    tap(not problems, "self-test: a connection record of %s (with an anomaly) and its summary "
        "are valid%s" % (name, ": " + summarize(problems) if problems else ""))
    cases = [
        ("misspelled anomaly code", conn_with(setp(["anomalies", 0, "code"], "RST_REFUSD"))),
        ("anomaly with a severity other than its code's",
         conn_with(setp(["anomalies", 0, "severity"], "info"))),
        ("anomaly without possible", conn_with(delp(["anomalies", 0, "possible"]))),
        ("unknown count key", conn_with(setp(["counts", "SEQ_RETRANSMITED"],
                                             {"client": 1, "server": 0}))),
        ("misspelled state", conn_with(setp(["endpoints", "client", "final_state"], "TIME-WAIT"))),
        ("misspelled cause word", conn_with(setp(["end_reason"], "timeout"))),
        ("missing required field (zeek)", conn_with(delp(["zeek"]))),
        ("missing required field (handshake.outcome)", conn_with(delp(["handshake", "outcome"]))),
        ("field not in the schema", conn_with(setp(["zeek", "uid"], "C1"))),
        ("negative count", conn_with(setp(["packets", "client"], -1))),
        ("port as a string", conn_with(setp(["client", "port"], "80"))),
        ("integer written as 1.0", conn_with(setp(["id"], Num("1.0")))),
        ("time with six fraction digits", conn_with(setp(["first_ts"], Num("1795238198.597775")))),
        ("time written as an integer", conn_with(setp(["last_ts"], 1795238198))),
        ("IPv4 address with a leading zero", conn_with(setp(["client", "ip"], "10.0.0.01"))),
        ("IPv6 address not in RFC 5952 form",
         conn_with(setp(["server", "ip"], "2001:DB8:0:0:0:0:0:1"))),
        ("summary with a misspelled diagnostic",
         summary_with(setp(["diagnostics", "DECODE_TRUNC"], 1))),
        ("summary without caps", summary_with(delp(["caps"]))),
        ("summary of schema 2", summary_with(setp(["schema"], 2))),
        ("record of an unknown type", {"type": "conection"}),
    ]
    for what, rec in cases:
        problems = record_problems(validator, rec)
        tap(bool(problems), "self-test: %s is rejected%s" % (
            what, " (%s)" % problems[0][:120] if problems else ": it was accepted"))
    for what, seq, at in [
            ("two summaries", [conn, summary, summary], False),
            ("a summary before the last record", [summary, conn], False),
            ("no summary", [conn], False),
            ("a socket record without --at", [{"type": "socket"}, summary], False),
            ("summary records not counting the connections",
             [conn] * (summary.get("records", 0) + 1) + [summary], False)]:
        problems = sequence_problems(seq, at)
        tap(bool(problems), "self-test: %s is rejected%s" % (
            what, " (%s)" % problems[0] if problems else ": it was accepted"))


# ---- main ---------------------------------------------------------------------

def captures(root, exts):
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for f in sorted(files):
            if f.endswith(exts):
                yield os.path.join(d, f)


def main():
    try:
        import jsonschema
        from jsonschema import validators
    except ImportError:
        print("1..0 # SKIP python3-jsonschema not installed")
        return 0
    if not hasattr(jsonschema, "Draft202012Validator"):
        print("1..0 # SKIP python3-jsonschema too old (no JSON Schema draft 2020-12)")
        return 0
    if not os.access(BIN, os.X_OK):
        print("1..0 # SKIP no tcpflow-audit binary at %s" % BIN)
        return 0

    with open(SCHEMA_PATH, encoding="utf-8") as f:
        schema = json.load(f)
    base = validators.validator_for(schema, default=None)
    try:
        base.check_schema(schema)
        problem = None if base is jsonschema.Draft202012Validator else \
            "$schema is not draft 2020-12"
    except (jsonschema.exceptions.SchemaError, AttributeError) as e:
        problem = str(e).splitlines()[0]
    tap(problem is None, "schema %s is a valid draft 2020-12 schema%s" % (
        os.path.relpath(SCHEMA_PATH, SRCDIR), ": " + problem if problem else ""))
    if problem is not None:
        base = jsonschema.Draft202012Validator
    # JSON integers only: 1.0 is not an integer here (the program never writes one)
    checker = base.TYPE_CHECKER.redefine(
        "integer", lambda c, v: isinstance(v, int) and not isinstance(v, bool))
    validator = validators.extend(base, type_checker=checker)(schema)

    check_vocabularies(schema)

    samples = sorted(captures(SAMPLES, (".pcap", ".pcapng")))
    tap(bool(samples), "captures in %s" % SAMPLES)
    pick = os.path.join(SAMPLES, "refused.pcap")  # a connection with an anomaly
    if samples:
        self_tests(validator, pick if os.path.exists(pick) else samples[0])

    totals = {"samples": 0, "corpus": 0}
    for path in samples:
        name = os.path.relpath(path, SRCDIR)
        for label, problems, n in check_capture(validator, path):
            totals["samples"] += n
            tap(not problems, "%s [%s]: %d records %s" % (
                name, label, n, "valid" if not problems else "checked: " + summarize(problems)))

    if not os.path.isdir(CORPUS):
        tap(True, "corpus", "SKIP no corpus at %s" % CORPUS)
    else:
        files = list(captures(CORPUS, (".pcap", ".pcapng", ".cap")))
        deadline = time.monotonic() + CORPUS_SECONDS
        done = 0
        for path in files:
            if time.monotonic() > deadline:
                break
            done += 1
            name = os.path.relpath(path, CORPUS)
            problems, n = [], 0
            for label, ps, k in check_capture(validator, path):
                n += k
                problems += ["[%s] %s" % (label, p) for p in ps]
            totals["corpus"] += n
            tap(not problems, "corpus %s: %d records %s (%d option sets)" % (
                name, n, "valid" if not problems else "checked: " + summarize(problems),
                len(OPTION_SETS)))
        if done < len(files):
            tap(True, "corpus: %d of %d captures not run" % (len(files) - done, len(files)),
                "SKIP time budget of %gs (TFA_SCHEMA_CORPUS_SECONDS) reached" % CORPUS_SECONDS)

    print("1..%d" % len(results))
    for i, (ok, desc, directive) in enumerate(results, 1):
        desc = desc.replace("#", "\\#")
        print("%s %d - %s%s" % ("ok" if ok else "not ok", i, desc,
                                " # " + directive if directive else ""))
    print("# %d records validated: %d from samples/, %d from the corpus" % (
        totals["samples"] + totals["corpus"], totals["samples"], totals["corpus"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
