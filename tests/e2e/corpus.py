#!/usr/bin/env python3
"""Every public capture in ../shared/corpus goes through the tool: no crash,
no sanitizer report (in a --enable-sanitizers build the sanitizers exit 86),
exit status 0 or 1, and output that is valid JSON Lines ending in one summary.

Skips (TAP SKIP) when the corpus directory is absent; TFA_CORPUS overrides
where it is looked for.
"""
import json
import os
import subprocess
import sys

SRCDIR = os.environ.get("TFA_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("TFA_BIN") or os.path.join(SRCDIR, "tcpflow-audit")
CORPUS = os.environ.get("TFA_CORPUS") or os.path.join(SRCDIR, "..", "shared", "corpus")


def captures():
    for root, dirs, files in os.walk(CORPUS):
        dirs.sort()
        for f in sorted(files):
            if f.endswith((".pcap", ".pcapng", ".cap")):
                yield os.path.join(root, f)


def main():
    if not os.path.isdir(CORPUS):
        print("1..0 # SKIP no corpus at %s" % CORPUS)
        return 0
    files = list(captures())
    print("1..%d" % len(files))
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "exitcode=86:detect_leaks=1")
    env.setdefault("UBSAN_OPTIONS", "exitcode=86:print_stacktrace=1:halt_on_error=1")
    for i, path in enumerate(files, 1):
        name = os.path.relpath(path, CORPUS)
        p = subprocess.run([BIN, "--format", "jsonl", path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env, timeout=120)
        problem = None
        if p.returncode not in (0, 1):
            problem = "exit %d: %s" % (p.returncode, p.stderr.decode(errors="replace")[-400:])
        else:
            try:
                recs = [json.loads(l) for l in p.stdout.decode("utf-8").splitlines()]
                if not recs or recs[-1].get("type") != "summary":
                    problem = "no summary record last"
                elif sum(1 for r in recs if r.get("type") == "summary") != 1:
                    problem = "more than one summary"
                elif p.returncode == 1 and not p.stderr:
                    problem = "exit 1 without a message on stderr"
            except ValueError as e:
                problem = "not JSON Lines: %s" % e
        if problem:
            print("not ok %d - %s: %s" % (i, name, problem.replace("\n", " | ").replace("#", "\\#")))
        else:
            print("ok %d - %s (exit %d)" % (i, name, p.returncode))
    return 0


if __name__ == "__main__":
    sys.exit(main())
