#!/bin/bash
# run-flood.sh - memory bounds of tcpflow-audit under a SYN flood.
#
# Usage: bench/run-flood.sh [OPTIONS] [TFA_BIN]
#
#   TFA_BIN          the binary to measure (default: $TFA_BIN, else
#                    ./tcpflow-audit, else the one next to bench/)
#   --caps "N ..."   --max-connections values measured besides the default
#                    (default "1000 20000 200000")
#   --quick          only the flood: leave out the connections with full
#                    caps and the flood over many services
#   -k, --keep       keep the temporary directory (its path is printed)
#
# Generates with bench/gen-flood.py, into a mktemp directory removed at exit:
#
#   1. the flood: 1,000,000 SYNs from distinct sources to one server, each
#      answered by a SYN-ACK, 100 legit connections interleaved.  For the
#      default caps and each --caps value: one timed run of
#      `tcpflow-audit --format jsonl [--max-connections N] FLOOD > /dev/null`
#      under /usr/bin/time -v (wall time, CPU, peak RSS), one more run for
#      the summary record (records, CONN_EVICTED, the summary's counters);
#      then tests/e2e/flood.py with the default caps (exact eviction count,
#      oldest first, the legit connections, the summary's caps, the RSS
#      ceiling);
#   2. connections that fill every per-connection cap (--loaded 2000 and
#      20000): the memory of one such connection, from the difference;
#   3. a flood over 70,000 services from 50,000 sources, 40 SYNs each, half
#      of them answered, with --max-connections 1000: every summary table
#      full (hosts, services with their half-open sources, port-scan
#      candidates with their targets, findings);
#   4. the tool on a small sample: the base.
#
# Prints a Markdown report on standard output; progress on standard error.
# Takes about 5 minutes (2 with --quick) on 2 CPUs.
set -euo pipefail

CAPS="1000 20000 200000"
QUICK=0
KEEP=0
BIN_ARG=

die() { echo "run-flood.sh: $*" >&2; exit 2; }
log() { echo "run-flood.sh: $*" >&2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --caps) CAPS=${2:?}; shift 2 ;;
        --quick) QUICK=1; shift ;;
        -k|--keep) KEEP=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        --) shift; BIN_ARG=${1:-}; break ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) BIN_ARG=$1; shift ;;
    esac
done

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/find-tools.sh
. "$HERE/find-tools.sh"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/tfa-flood.XXXXXX")
if [ "$KEEP" = 1 ]; then log "keeping $TMP"; else trap 'rm -rf "$TMP"' EXIT; fi
trap 'exit 130' INT TERM

COMMIT=unknown
if git -C "$(dirname "$BIN")" rev-parse --short HEAD >/dev/null 2>&1; then
    COMMIT=$(git -C "$(dirname "$BIN")" rev-parse --short HEAD)
    if git -C "$(dirname "$BIN")" status --porcelain --untracked-files=no 2>/dev/null | grep -q .; then
        COMMIT="$COMMIT (work tree has uncommitted changes)"
    fi
fi
cp "$BIN" "$TMP/tcpflow-audit"
RUN=$TMP/tcpflow-audit
DEFAULT_CAP=$("$RUN" --help | sed -n 's/.*--max-connections=N .*(default \([0-9]*\)).*/\1/p')

now() { echo "${EPOCHREALTIME:-$(date +%s.%N)}"; }
timefield() { sed -n "s/^[[:space:]]*$1: //p" "$2"; }

# gen NAME ARGS...: bench/gen-flood.py into $TMP/NAME.pcap; seconds to NAME.secs
gen() {
    local name=$1 t0 t1
    shift
    log "generating $name (gen-flood.py $*) ..."
    t0=$(now)
    "$PY" "$HERE/gen-flood.py" "$TMP/$name.pcap" "$@" 2> "$TMP/$name.log" \
        || { cat "$TMP/$name.log" >&2; die "gen-flood.py failed"; }
    t1=$(now)
    echo "$t0 $t1" | awk '{printf "%.1f\n", $2-$1}' > "$TMP/$name.secs"
    log "$(cat "$TMP/$name.log")"
    cat "$TMP/$name.pcap" > /dev/null
}

# measure LABEL PCAP ARGS...: one timed run to /dev/null, one for the
# summary; appends a JSON line to $TMP/runs.jsonl
measure() {
    local label=$1 pcap=$2 rc=0 t0 t1
    shift 2
    log "run: $label ..."
    t0=$(now)
    "$TIME" -v -o "$TMP/time.txt" "$RUN" --format jsonl "$@" "$pcap" > /dev/null 2> "$TMP/err.txt" || rc=$?
    t1=$(now)
    [ "$rc" = 0 ] || { cat "$TMP/err.txt" >&2; die "tcpflow-audit exited with $rc"; }
    "$RUN" --format jsonl "$@" "$pcap" 2> /dev/null | tail -n 1 > "$TMP/summary.json"
    "$PY" - "$TMP/summary.json" "$label" "$*" "$(echo "$t0 $t1" | awk '{printf "%.2f", $2-$1}')" \
        "$(timefield 'User time (seconds)' "$TMP/time.txt")" \
        "$(timefield 'System time (seconds)' "$TMP/time.txt")" \
        "$(timefield 'Maximum resident set size (kbytes)' "$TMP/time.txt")" \
        >> "$TMP/runs.jsonl" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
label, args, wall, user, sys_, rss = sys.argv[2:8]
d = s.get("diagnostics", {})
print(json.dumps({
    "label": label, "args": args, "wall": float(wall), "cpu": float(user) + float(sys_),
    "rss_kib": int(rss), "frames": s["frames"], "connections": s["connections"],
    "peak": s["connections_peak"], "records": s["records"], "cap": s["caps"]["max_connections"],
    "evicted": d.get("CONN_EVICTED", 0), "scanners_not_tracked": d.get("SUMMARY_SCANNERS_NOT_TRACKED", 0),
    "hosts": len(s.get("hosts", [])), "hosts_not_listed": s.get("hosts_not_listed"),
    "services": len(s.get("services", [])), "services_not_listed": s.get("services_not_listed"),
    "findings": s.get("findings", {}), "diagnostics": d,
}))
EOF
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# 4. the base
measure "base: samples/refused.pcap" "$TOP/samples/refused.pcap"

# 1. the flood
gen flood --syns 1000000
measure "flood, default caps" "$TMP/flood.pcap"
for cap in $CAPS; do
    measure "flood, --max-connections $cap" "$TMP/flood.pcap" --max-connections "$cap"
done
rm -f "$TMP/flood.pcap"
log "tests/e2e/flood.py with the default caps ..."
TEST_OUT=$(TFA_FLOOD_CAP=default TFA_BIN="$RUN" TFA_SRCDIR="$TOP" "$PY" "$TOP/tests/e2e/flood.py" || true)

if [ "$QUICK" = 0 ]; then
    # 2. connections with every cap full
    gen loaded-2000 --loaded 2000
    measure "loaded, 2000 connections" "$TMP/loaded-2000.pcap"
    rm -f "$TMP/loaded-2000.pcap"
    gen loaded-20000 --loaded 20000
    measure "loaded, 20000 connections" "$TMP/loaded-20000.pcap"
    rm -f "$TMP/loaded-20000.pcap"
    # 3. every summary table full
    gen spread --syns 2000000 --services 70000 --per-source 40 --answered 0.5 --legit 0
    measure "spread, --max-connections 1000" "$TMP/spread.pcap" --max-connections 1000
    rm -f "$TMP/spread.pcap"
fi

# ---- the report
CPU_MODEL=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
MEM_TOTAL=$(awk '/^MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
VERSION=$("$RUN" --version 2>/dev/null | head -1 || echo '?')
export TEST_OUT
"$PY" - "$TMP/runs.jsonl" "$TMP" "$DEFAULT_CAP" <<EOF
import json, os, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
tmp, default_cap = sys.argv[2], int(sys.argv[3])
by = {r["label"]: r for r in runs}
def secs(name):
    p = os.path.join(tmp, name + ".secs")
    return open(p).read().strip() if os.path.exists(p) else "?"
def gline(name):
    p = os.path.join(tmp, name + ".log")
    return open(p).read().strip().replace("gen-flood.py: ", "") if os.path.exists(p) else "?"
MIB = 1024.0
print("## tcpflow-audit under a SYN flood\n")
print("| | |\n|---|---|")
print("| date | $(date -u '+%Y-%m-%d %H:%M UTC') |")
print("| machine | $(nproc) CPUs ($CPU_MODEL), $MEM_TOTAL RAM, Linux $(uname -r) |")
print("| load average | $LOAD_BEFORE before, $(cut -d' ' -f1-3 /proc/loadavg) after |")
print("| tool | $VERSION, commit $COMMIT; default --max-connections %d |" % default_cap)
print("| flood | \`gen-flood.py --syns 1000000\`: %s; generated in %s s |" % (gline("flood"), secs("flood")))
print()
print("| run (\`--format jsonl ... > /dev/null\`) | wall | CPU | peak RSS | records | evicted | connections_peak | hosts listed / endpoints not listed | SUMMARY_SCANNERS_NOT_TRACKED |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in runs:
    if not r["label"].startswith("flood"):
        continue
    print("| %s | %.1f s | %.1f s | %.1f MiB | %s | %s | %s | %s / %s | %s |" % (
        r["label"], r["wall"], r["cpu"], r["rss_kib"] / MIB, format(r["records"], ","),
        format(r["evicted"], ","), format(r["peak"], ","), format(r["hosts"], ","),
        format(r["hosts_not_listed"], ","), format(r["scanners_not_tracked"], ",")))
flood = [r for r in runs if r["label"].startswith("flood, --max")]
if len(flood) >= 2:
    lo, hi = min(flood, key=lambda r: r["cap"]), max(flood, key=lambda r: r["cap"])
    per = (hi["rss_kib"] - lo["rss_kib"]) * 1024 / (hi["peak"] - lo["peak"])
    print("\nPer half-open connection: (%d - %d) KiB / (%d - %d) = **%.0f bytes**." % (
        hi["rss_kib"], lo["rss_kib"], hi["peak"], lo["peak"], per))
base = by.get("base: samples/refused.pcap")
if base:
    print("Base (a 10-frame sample): %.1f MiB." % (base["rss_kib"] / MIB))
l2, l20 = by.get("loaded, 2000 connections"), by.get("loaded, 20000 connections")
if l2 and l20:
    per = (l20["rss_kib"] - l2["rss_kib"]) * 1024 / (l20["peak"] - l2["peak"])
    print("\nConnections with every cap full (\`gen-flood.py --loaded N\`: %s; %s):" % (
        gline("loaded-20000"), ", ".join("%s %d" % kv for kv in sorted(l20["diagnostics"].items()))))
    print("%.1f MiB for 2000, %.1f MiB for 20000: **%.0f bytes per connection**." % (
        l2["rss_kib"] / MIB, l20["rss_kib"] / MIB, per))
sp = by.get("spread, --max-connections 1000")
if sp:
    print("\nEvery summary table full (\`gen-flood.py --syns 2000000 --services 70000 --per-source 40 --answered 0.5\`: %s): "
          "%.1f s, peak RSS %.1f MiB with --max-connections 1000; hosts %d listed (%s endpoints not), "
          "services %d listed (%s connections not), %s clients not tracked for scans, findings %s." % (
        gline("spread"), sp["wall"], sp["rss_kib"] / MIB, sp["hosts"], format(sp["hosts_not_listed"], ","),
        sp["services"], format(sp["services_not_listed"], ","), format(sp["scanners_not_tracked"], ","),
        ", ".join("%s %d" % kv for kv in sorted(sp["findings"].items()))))
print("\n### tests/e2e/flood.py with the default caps\n")
print("\`\`\`")
print(os.environ.get("TEST_OUT", "").strip())
print("\`\`\`")
EOF
