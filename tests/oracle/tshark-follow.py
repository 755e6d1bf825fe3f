#!/usr/bin/env python3
"""Extracted byte streams (--extract) against `tshark -q -z follow,tcp,raw,N`,
over samples/ and ../shared/corpus/.

Only complete connections are compared: the handshake was seen (outcome
"complete"), the connection closed or was reset, and neither direction has
a hole.  Our connections are mapped to tshark's stream index by the stream
of their first frame (frame numbers are the capture's own in both tools).
Each direction's bytes must equal tshark's; a difference must be listed,
with its reason, in tshark-follow-differences.tsv (capture, first frame,
direction).  A listed difference that no longer happens fails too, so the
table stays true.  Skips without tshark.
"""
import ipaddress
import json
import os
import shutil
import subprocess
import sys
import tempfile

SRCDIR = os.environ.get("TFA_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("TFA_BIN") or os.path.join(SRCDIR, "tcpflow-audit")
CORPUS = os.environ.get("TFA_CORPUS") or os.path.join(SRCDIR, "..", "shared", "corpus")
TABLE = os.path.join(SRCDIR, "tests", "oracle", "tshark-follow-differences.tsv")


def load_table():
    rows = {}
    with open(TABLE) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cap, frame, direction, cls, why = line.rstrip("\n").split("\t")
            rows[(cap, int(frame), direction)] = (cls, why)
    return rows


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
                if f.endswith((".pcap", ".pcapng", ".cap")):
                    p = os.path.join(root, f)
                    out.append(("corpus/" + os.path.relpath(p, CORPUS), p))
    return out


def complete(r):
    st = r.get("streams")
    return (st is not None and r["handshake"]["outcome"] == "complete" and
            r["end_reason"] in ("closed", "reset") and
            st["client"]["hole_bytes"] == 0 and st["server"]["hole_bytes"] == 0 and
            st["client"]["over_cap_bytes"] == 0 and st["server"]["over_cap_bytes"] == 0)


def ours(path, outdir):
    p = subprocess.run([BIN, "--format", "jsonl", "--extract", outdir, path],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=300)
    conns = []
    for line in p.stdout.decode().splitlines():
        r = json.loads(line)
        if r["type"] == "connection" and complete(r):
            conns.append(r)
    return conns


def stream_of_frames(path):
    p = subprocess.run(["tshark", "-n", "-r", path, "-T", "fields", "-e", "frame.number",
                        "-e", "tcp.stream"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       timeout=300)
    m = {}
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and parts[1].strip() != "":
            # a tunnel may show several TCP layers: the innermost is ours
            m[int(parts[0])] = int(parts[1].split(",")[-1])
    return m


def norm_ep(s):
    host, port = s.rsplit(":", 1)
    host = host.strip("[]")
    return (str(ipaddress.ip_address(host)), int(port))


def tshark_follow(path, streams):
    args = ["tshark", "-n", "-r", path, "-q"]
    for s in streams:
        args += ["-z", "follow,tcp,raw,%d" % s]
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=600)
    out, cur = {}, None
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("Filter: tcp.stream eq "):
            cur = {"nodes": [], "data": [bytearray(), bytearray()]}
            out[int(line.split()[-1])] = cur
        elif cur is None or line.startswith("="):
            continue
        elif line.startswith("Node "):
            cur["nodes"].append(norm_ep(line.split(": ", 1)[1]))
        elif line.startswith("Follow:") or not line.strip():
            continue
        elif line.startswith("\t"):
            cur["data"][1] += bytes.fromhex(line.strip())
        else:
            cur["data"][0] += bytes.fromhex(line.strip())
    return out


def read_stream(outdir, d):
    if d["file"] is None:
        return b""
    with open(os.path.join(outdir, d["file"]), "rb") as f:
        return f.read()


def compare(name, path, table, seen):
    """(compared, identical, explained, failures) for one capture."""
    with tempfile.TemporaryDirectory() as outdir:
        conns = ours(path, outdir)
        if not conns:
            return 0, 0, 0, []
        frames = stream_of_frames(path)
        wanted = sorted({frames[c["first_frame"]] for c in conns if c["first_frame"] in frames})
        follow = tshark_follow(path, wanted)
        compared = identical = explained = 0
        fails = []
        for c in conns:
            s = frames.get(c["first_frame"])
            t = follow.get(s)
            cli = (str(ipaddress.ip_address(c["client"]["ip"])), c["client"]["port"])
            for role in ("client", "server"):
                mine = read_stream(outdir, c["streams"][role])
                key = (name, c["first_frame"], role)
                if t is None or len(t["nodes"]) != 2:
                    theirs = None
                else:
                    node = 0 if (t["nodes"][0] == cli) == (role == "client") else 1
                    theirs = bytes(t["data"][node])
                compared += 1
                if theirs == mine:
                    identical += 1
                    if key in table:
                        fails.append("%s frame %d %s: listed as differing but identical" %
                                     (name, c["first_frame"], role))
                    continue
                if key in table:
                    explained += 1
                    seen.add(key)
                    continue
                fails.append("%s frame %d %s: ours %d bytes (sha256 %s), tshark %s" % (
                    name, c["first_frame"], role, len(mine), c["streams"][role]["sha256"],
                    "no stream" if theirs is None else "%d bytes" % len(theirs)))
        return compared, identical, explained, fails


def main():
    if shutil.which("tshark") is None:
        print("1..0 # SKIP tshark not installed")
        return 0
    table = load_table()
    caps = captures()
    print("1..%d" % len(caps))
    seen = set()
    tot = [0, 0, 0]
    for i, (name, path) in enumerate(caps, 1):
        n, same, expl, fails = compare(name, path, table, seen)
        tot[0] += n
        tot[1] += same
        tot[2] += expl
        if fails:
            print("not ok %d - %s: %s" % (i, name, "; ".join(fails)[:800]))
        else:
            print("ok %d - %s: %d directions compared, %d identical, %d explained" %
                  (i, name, n, same, expl))
    stale = [k for k in table if k not in seen and os.path.exists(
        os.path.join(SRCDIR, k[0]) if k[0].startswith("samples/") else
        os.path.join(CORPUS, k[0][len("corpus/"):]))]
    for k in stale:
        print("# listed but not compared (no longer a complete connection?): %s frame %d %s" % k)
    print("# directions compared %d, identical %d, explained differences %d" % tuple(tot))
    return 0


if __name__ == "__main__":
    sys.exit(main())
