#!/usr/bin/env python3
"""The memory bounds under a SYN flood (TAP).

bench/gen-flood.py writes, into a temporary directory, 1,000,000 SYNs from
distinct random IPv4 sources to one server, each answered by a SYN-ACK
(half-open, as a listener with SYN cookies leaves them), with 100 complete
connections interleaved.  The tool reads it with --max-connections 20000 and
must:

  * finish with exit status 0 and report every connection once;
  * evict exactly connections - 20000 of them (the table is full before the
    first legit connection opens, so nothing leaves it otherwise), count
    them as CONN_EVICTED and show the cap in the summary;
  * evict oldest first: the evicted flood connections come out in the
    order of their SYNs, and the ones still live at the end are exactly the
    last 20000 SYNs; a legit connection that has closed goes at the very
    next eviction (closed ones first) and is still reported as the graceful
    close it was;
  * keep the summary's tables capped: 65536 hosts listed, the endpoints of
    the others counted (hosts_not_listed), the clients beyond the 16384
    tracked for port scans counted (SUMMARY_SCANNERS_NOT_TRACKED), the
    flood found (SERVICE_SYN_FLOOD);
  * stay under the memory ceiling of tcpflow-audit(1) (Limits) for these
    options, and under a tighter budget for half-open connections:
    32 MiB + 4 KiB per tracked connection (measured: about 2.6 KiB).

The run with the default caps is bench/run-flood.sh (bench/RESULTS.md,
"Flood").  Under the sanitizers (TFA_SAN_CFLAGS set by make check) the
flood is 200,000 SYNs and the memory checks are skipped: ASan's shadow
memory and quarantine are not the program's.  TFA_FLOOD_SYNS and
TFA_FLOOD_CAP override the sizes; TFA_FLOOD_CAP=default runs without
--max-connections (bench/run-flood.sh does).
"""
import bisect
import json
import os
import re
import subprocess
import sys
import tempfile
import time

from tap import check, failed, note, skip

SRCDIR = os.environ.get("TFA_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BUILDDIR = os.environ.get("TFA_BUILDDIR") or SRCDIR
BIN = os.environ.get("TFA_BIN") or os.path.join(BUILDDIR, "tcpflow-audit")
GEN = os.path.join(SRCDIR, "bench", "gen-flood.py")
SANITIZED = "-fsanitize" in os.environ.get("TFA_SAN_CFLAGS", "")

SYNS = int(os.environ.get("TFA_FLOOD_SYNS") or (200000 if SANITIZED else 1000000))
CAP = os.environ.get("TFA_FLOOD_CAP") or "20000"

# The summary's caps (include/tcpflow-audit/summary.h).
MAX_HOSTS = 65536
MAX_SCANNERS = 16384

# The memory ceiling of tcpflow-audit(1), Limits: 20 MiB, plus for each
# tracked connection 12 KiB and the anomalies it may keep (56 bytes each,
# the array rounded up to a power of two), plus --max-buffer-bytes and 1.32
# times --max-frag-bytes, plus 200 MiB for the summary.
MIB = 1 << 20


def ceiling(max_conns, max_anomalies=256, max_buffer=32 * MIB, max_frag=4 * MIB):
    anomalies = 1
    while anomalies < 56 * max_anomalies:
        anomalies *= 2
    return (20 * MIB + max_conns * (12 * 1024 + anomalies) + max_buffer + int(1.32 * max_frag) +
            200 * MIB)


# Reading a million records with json.loads takes longer than the run; the
# few fields needed come out by pattern instead, and a sample of the lines
# is parsed in full to prove the patterns right.
FIELDS = re.compile(rb'^\{"type": ?"connection", ?"id": ?(\d+), ?"client": ?\{"ip": ?"([^"]+)", ?'
                    rb'"port": ?\d+\}.*?, ?"first_frame": ?(\d+), ?"last_frame": ?(\d+), ?'
                    rb'.*?"end_reason": ?"(\w+)"')
SUMMARY = re.compile(rb'^\{"type": ?"summary"')


def run_tool(args, out_lines):
    """Run the tool, feed each stdout line to out_lines(line); return
    (exit status, peak RSS in bytes, wall seconds, stderr)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        p = subprocess.Popen([BIN] + args, stdout=subprocess.PIPE, stderr=err,
                             bufsize=1 << 20)
        try:
            for line in p.stdout:
                out_lines(line)
        finally:
            p.stdout.close()
            _, status, usage = os.wait4(p.pid, 0)
            p.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - t0
        err.seek(0)
        return p.returncode, usage.ru_maxrss * 1024, wall, err.read().decode("utf-8", "replace")


def main():
    if not os.access(BIN, os.X_OK):
        print("1..0 # SKIP no binary")
        return 0
    with tempfile.TemporaryDirectory(prefix="tfa-flood.") as tmp:
        return flood(tmp)


def default_cap():
    """--max-connections' default, as --help states it."""
    out = subprocess.run([BIN, "--help"], stdout=subprocess.PIPE).stdout.decode()
    m = re.search(r"--max-connections=N .*\(default (\d+)\)", out)
    return int(m.group(1)) if m else None


def flood(tmp):
    cap = default_cap() if CAP == "default" else int(CAP)
    cap_args = [] if CAP == "default" else ["--max-connections", str(cap)]
    pcap = os.path.join(tmp, "flood.pcap")
    manifest = os.path.join(tmp, "flood.json")
    t0 = time.monotonic()
    gen = subprocess.run([sys.executable, GEN, pcap, "--syns", str(SYNS), "--manifest", manifest],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if gen.returncode != 0:
        print("1..1")
        check(False, "gen-flood.py: %s" % gen.stderr.decode(errors="replace").strip()[-200:])
        return 1
    note("%s in %.1f s" % (gen.stderr.decode().strip(), time.monotonic() - t0))
    with open(manifest) as f:
        m = json.load(f)
    flood_n, legit_n = m["syns"], m["legit"]
    conns = flood_n + legit_n
    legit_by_client = {(l["client"], l["port"]): l for l in m["legit_conns"]}
    if not (cap and cap <= m["legit_from_syn"] and cap <= flood_n - m["legit_to_syn"]):
        print("1..1")
        check(False, "the cap %s fits the flood (see gen-flood.py)" % cap)
        return 1

    print("1..20")
    # the connection records, in output order
    flood_first = []    # the flood records' first frames
    live = []           # ... of those still live at the end
    in_order = [0, True]  # the last evicted flood record's first frame; in order so far
    legit_recs = []     # (number of evictions so far, parsed record)
    first_frames = []   # every record's first frame
    evictions = 0
    summary = []
    odd = []
    samples = [0, 0]    # lines parsed in full, of them agreeing with the pattern

    def line(raw):
        nonlocal evictions
        m = FIELDS.match(raw)
        if m is None:
            if SUMMARY.match(raw):
                summary.append(json.loads(raw))
            else:
                odd.append(raw[:120])
            return
        cid, ip, first, last, why = m.groups()
        first = int(first)
        first_frames.append(first)
        if why == b"evicted":
            evictions += 1
        if ip.startswith(b"10.1."):
            legit_recs.append((evictions, json.loads(raw)))
        else:
            flood_first.append(first)
            if why == b"evicted":
                in_order[1] = in_order[1] and first > in_order[0]
                in_order[0] = first
            elif why == b"capture_end":
                live.append(first)
        if len(first_frames) % 9973 == 1:
            d = json.loads(raw)
            samples[0] += 1
            samples[1] += (d["id"], d["client"]["ip"], d["first_frame"], d["last_frame"],
                           d["end_reason"]) == (int(cid), ip.decode(), first, int(last),
                                                why.decode())

    rc, rss, wall, err = run_tool(["--format", "jsonl"] + cap_args + [pcap], line)
    note("tcpflow-audit --format jsonl %s(cap %d): %d frames, exit %d, %.1f s, "
         "peak RSS %.1f MiB" % (" ".join(cap_args) + " " if cap_args else "", cap, m["frames"], rc,
                                wall, rss / MIB))

    check(rc == 0 and err == "", "exit status 0, nothing on stderr (%d%s)" % (rc, err[:200]))
    check(not odd and len(summary) == 1,
          "every line is a connection record, then one summary (%d odd lines)" % len(odd))
    check(samples[0] > 0 and samples[0] == samples[1],
          "the fields read by pattern agree with the JSON (%d of %d sampled lines)"
          % (samples[1], samples[0]))
    s = summary[0] if summary else {}
    check(len(first_frames) == conns and s.get("connections") == conns
          and s.get("records") == conns,
          "every connection reported once: %d records, %s connections, %d expected"
          % (len(first_frames), s.get("connections"), conns))
    check(s.get("connections_peak") == cap and s.get("caps", {}).get("max_connections") == cap,
          "the table filled to the cap and no further (connections_peak %s)"
          % s.get("connections_peak"))
    diags = s.get("diagnostics", {})
    check(evictions == conns - cap and diags.get("CONN_EVICTED") == conns - cap,
          "evictions = connections - cap = %d: %d records say evicted, CONN_EVICTED %s"
          % (conns - cap, evictions, diags.get("CONN_EVICTED")))

    # oldest first
    check(in_order[1] and in_order[0] > 0,
          "evicted flood connections come out in the order of their SYNs")
    live.sort()
    flood_first.sort()
    check(len(flood_first) == flood_n and live == flood_first[-cap:],
          "the connections live at the end are exactly the last %d SYNs (%d live, first %s)"
          % (cap, len(live), live[0] if live else None))
    first_frames.sort()

    # the legit connections: closed, then the very next eviction
    ok_next, ok_rec, bad = 0, 0, []
    for at, r in legit_recs:
        created_before = bisect.bisect_left(first_frames, r["last_frame"])
        if r["end_reason"] == "evicted" and at == created_before + 1 - cap:
            ok_next += 1
        lm = legit_by_client.get((r["client"]["ip"], r["client"]["port"]))
        good = (lm is not None and r["first_frame"] == lm["frames"][0]
                and r["last_frame"] == lm["frames"][-1]
                and r["packets"] == {"client": 6, "server": 3}
                and r["bytes"] == {"client": 100, "server": 1000}
                and r["handshake"]["outcome"] == "complete"
                and r["close"]["kind"] == "graceful" and r["close"]["initiator"] == "client"
                and r["endpoints"]["client"]["final_state"] == "TIME_WAIT"
                and r["endpoints"]["server"]["final_state"] == "CLOSED"
                and r["zeek"]["conn_state"] == "SF" and r["verdict"] == "ok"
                and not r["anomalies"])
        ok_rec += good
        if not good and len(bad) < 2:
            bad.append(r["id"])
    check(len(legit_recs) == legit_n and ok_next == legit_n,
          "each closed legit connection is the next one evicted after its last frame "
          "(%d of %d)" % (ok_next, legit_n))
    check(ok_rec == legit_n,
          "each legit connection is reported as the complete, graceful exchange it was "
          "(%d of %d; not: %s)" % (ok_rec, legit_n, bad))

    # the summary's tables
    hosts = s.get("hosts", [])
    endpoints = sum(sum(h["final_states"].values()) for h in hosts)
    check(len(hosts) == MAX_HOSTS, "hosts listed: %d, the cap %d" % (len(hosts), MAX_HOSTS))
    check(endpoints + s.get("hosts_not_listed", -1) == 2 * conns,
          "listed endpoints %d + hosts_not_listed %s = 2 x connections"
          % (endpoints, s.get("hosts_not_listed")))
    check(diags.get("SUMMARY_SCANNERS_NOT_TRACKED") == conns - MAX_SCANNERS,
          "clients beyond the %d tracked for port scans counted: %s"
          % (MAX_SCANNERS, diags.get("SUMMARY_SCANNERS_NOT_TRACKED")))
    check(set(diags) == {"CONN_EVICTED", "SUMMARY_SCANNERS_NOT_TRACKED"},
          "no other diagnostic (%s)" % sorted(diags))
    svc = s.get("services", [])
    check(len(svc) == 1 and svc[0]["ip"] == "10.0.0.80" and svc[0]["connections"] == conns
          and svc[0]["half_open"] == flood_n
          and svc[0]["server_final_states"] == {"CLOSED": legit_n, "SYN_RECEIVED": flood_n},
          "one service, every flood handshake half-open: %s"
          % json.dumps(svc[:1])[:300])
    check(s.get("findings") == {"SERVICE_SYN_FLOOD": 1},
          "the flood is found: %s" % s.get("findings"))
    check(s.get("anomalies") == {}, "no anomaly on any connection: %s" % s.get("anomalies"))

    # memory
    budget = 32 * MIB + cap * 4096
    if SANITIZED:
        skip("peak RSS under the ceiling of tcpflow-audit(1)", "sanitizer build")
        skip("peak RSS under the half-open budget", "sanitizer build")
    else:
        check(rss <= ceiling(cap), "peak RSS %.1f MiB <= the ceiling %.1f MiB"
              % (rss / MIB, ceiling(cap) / MIB))
        check(rss <= budget, "peak RSS %.1f MiB <= 32 MiB + 4 KiB x %d = %.1f MiB"
              % (rss / MIB, cap, budget / MIB))
    check(wall < 300, "finished in %.1f s" % wall)
    return 1 if failed() else 0


if __name__ == "__main__":
    sys.exit(main())
