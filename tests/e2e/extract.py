#!/usr/bin/env python3
"""--extract end to end: the files the records name exist and hash to the
record's SHA-256, bytes add up with the holes, filters decide what is
written, an unusable directory is an error before anything is read, and the
extract options are refused without --extract."""
import hashlib
import json
import os
import stat
import subprocess
import sys
import tempfile

SRCDIR = os.environ.get("TFA_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("TFA_BIN") or os.path.join(SRCDIR, "tcpflow-audit")
SAMPLES = os.path.join(SRCDIR, "samples")

n = 0
failed = False


def check(ok, what):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", n, what))
    failed |= not ok


def run(args):
    p = subprocess.run([BIN] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def conns(out):
    return [json.loads(l) for l in out.splitlines() if json.loads(l)["type"] == "connection"]


def main():
    print("1..11")
    with tempfile.TemporaryDirectory() as d:
        rc, out, _ = run(["-f", "jsonl", "--extract", d, os.path.join(SAMPLES, "reorder.pcap"),
                          os.path.join(SAMPLES, "capture-missed-segment.pcap"),
                          os.path.join(SAMPLES, "ipv6-clean-close.pcap")])
        cs = conns(out)
        good = rc == 0 and len(cs) == 3
        names = set()
        for c in cs:
            for role in ("client", "server"):
                s = c["streams"][role]
                if s["file"] is None:
                    good &= s["bytes"] == 0
                    continue
                names.add(s["file"])
                data = open(os.path.join(d, s["file"]), "rb").read()
                good &= hashlib.sha256(data).hexdigest() == s["sha256"] and len(data) == s["bytes"]
                good &= ":" not in s["file"] and s["file"].startswith("%012d-" % c["id"])
        check(good, "every file named in a record exists and has its SHA-256 and size")
        check(sorted(os.listdir(d)) == sorted(names), "no file the records do not name")
        missed = [c for c in cs if c["streams"]["client"]["hole_bytes"] > 0]
        mc = missed[0]["streams"]["client"] if len(missed) == 1 else None
        check(mc is not None and mc["holes"] == [{"from": 2896, "to": 4344, "acked": True}] and
              mc["bytes"] == missed[0]["bytes"]["client"] and mc["bytes"] + mc["hole_bytes"] == 20000,
              "capture-missed-segment: the one segment never captured (2897:4345) is an "
              "acknowledged hole; written + hole = the 20000 bytes before the FIN")
        rc, out, err = run(["-f", "jsonl", "--extract", d,
                            os.path.join(SAMPLES, "reorder.pcap")])
        st = conns(out)[0]["streams"]["client"]
        check(rc == 0 and st["file"] is None and st["error"] == os.strerror(17) and
              '"EXTRACT_WRITE_FAILED":' in out,
              "an existing file is not overwritten: error in the record, counted")
    with tempfile.TemporaryDirectory() as d:
        rc, out, _ = run(["-f", "jsonl", "--extract", d, "--extract-fill", "0x2a",
                          os.path.join(SAMPLES, "capture-missed-segment.pcap")])
        st = conns(out)[0]["streams"]
        data = open(os.path.join(d, st["client"]["file"]), "rb").read()
        h = st["client"]["holes"][0]
        check(st["fill"] == 42 and data[h["from"]:h["to"]] == b"*" * (h["to"] - h["from"]),
              "--extract-fill 0x2a fills the hole and says so")
    with tempfile.TemporaryDirectory() as d:
        rc, out, _ = run(["-f", "jsonl", "--extract", d, "--conn", "2",
                          os.path.join(SAMPLES, "port-reuse.pcap")])
        check(rc == 0 and all(f.startswith("000000000002-") for f in os.listdir(d)) and
              len(os.listdir(d)) > 0, "--conn 2: only connection 2's streams")
    with tempfile.TemporaryDirectory() as d:
        rc, out, _ = run(["-f", "jsonl", "--extract", d, "--code", "RST_REFUSED",
                          os.path.join(SAMPLES, "clean-close-client-first.pcap")])
        check(rc == 0 and os.listdir(d) == [] and conns(out) == [],
              "--code that matches nothing: nothing written")
    with tempfile.TemporaryDirectory() as d:
        rc, out, err = run(["--extract", os.path.join(d, "missing"),
                            os.path.join(SAMPLES, "reorder.pcap")])
        check(rc == 3 and out == "" and "cannot open directory" in err,
              "a missing directory: exit 3 before reading, nothing on stdout")
        f = os.path.join(d, "file")
        open(f, "w").close()
        rc, out, err = run(["--extract", f, os.path.join(SAMPLES, "reorder.pcap")])
        check(rc == 3 and out == "", "a file, not a directory: exit 3")
        if os.geteuid() != 0:
            ro = os.path.join(d, "ro")
            os.mkdir(ro)
            os.chmod(ro, stat.S_IRUSR | stat.S_IXUSR)
            rc, out, err = run(["--extract", ro, os.path.join(SAMPLES, "reorder.pcap")])
            check(rc == 3 and "cannot write" in err, "a read-only directory: exit 3")
        else:
            print("ok %d # SKIP root writes anywhere" % (n + 1))
            globals()["n"] += 1
    rc, out, err = run(["--extract-fill", "7", os.path.join(SAMPLES, "reorder.pcap")])
    check(rc == 2 and "need --extract" in err, "--extract-fill without --extract: exit 2")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
