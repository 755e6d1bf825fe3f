#!/bin/bash
# run-bench.sh - throughput and memory benchmark of tcpflow-audit.
#
# Usage: bench/run-bench.sh [OPTIONS] [TFA_BIN]
#
#   TFA_BIN            the binary to measure (default: $TFA_BIN, else
#                      ./tcpflow-audit, else the one next to bench/)
#   -n, --runs N       timed pairs (default 7, at least 7): the bare loop and
#                      the tool run one after the other, A B A B ...
#   -b, --baseline BIN another tcpflow-audit binary (an earlier commit) timed
#                      in the same rounds (A B C A B C ...), for a before/after
#                      comparison on the same capture, machine and load
#   -c, --capture FILE measure this capture instead of generating one
#   --seed N --connections N --packets N --duration S --warmup S
#                      parameters of bench/gen-capture.py (its defaults
#                      otherwise: seed 1, 20000 connections, 1.6 M packets)
#   -m, --memory       also estimate the memory per live connection: run the
#                      tool once more on a capture of the same traffic
#                      squeezed into a quarter of the time (4x as many
#                      connections open at once) and divide the difference
#                      in peak RSS by the difference in open connections
#   -k, --keep         keep the temporary directory (its path is printed)
#
# Generates the capture into a mktemp directory (removed at exit), builds
# bench/pcap-count there if no up-to-date bench/pcap-count exists, then
# alternates timed runs of the bare libpcap loop (pcap-count) and of
# `tcpflow-audit --format jsonl FILE > /dev/null`, and prints a Markdown
# report on standard output: for wall-clock and for CPU time (user+sys, all
# threads) the median of each program and the median, minimum and maximum
# of the per-pair ratio (bare loop / tool: the tool's speed as a share of
# the loop's), every run, peak RSS (from /usr/bin/time), the load average
# before, between and after the runs with a warning when it was above 0.5
# per CPU (other work then slows the tool, which uses two threads, more
# than the one-threaded loop), the machine, the tool's version and commit,
# and the tool's own summary of the capture.  Progress goes to standard
# error.
#
# Targets (issue 16): the full analysis at >= 70 % of the bare loop by wall
# clock and >= 40 % by CPU time, on a quiet machine; peak RSS <= 64 MiB.
set -euo pipefail

RUNS=7
BASELINE=
CAPTURE=
MEMORY=0
KEEP=0
GEN_ARGS=()
GEN_DURATION=240
BIN_ARG=

die() { echo "run-bench.sh: $*" >&2; exit 2; }
log() { echo "run-bench.sh: $*" >&2; }

while [ $# -gt 0 ]; do
    case "$1" in
        -n|--runs) RUNS=${2:?}; shift 2 ;;
        -b|--baseline) BASELINE=${2:?}; shift 2 ;;
        -c|--capture) CAPTURE=${2:?}; shift 2 ;;
        --seed|--connections|--packets|--warmup)
            GEN_ARGS+=("$1" "${2:?}"); shift 2 ;;
        --duration) GEN_DURATION=${2:?}; shift 2 ;;
        -m|--memory) MEMORY=1; shift ;;
        -k|--keep) KEEP=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        --) shift; BIN_ARG=${1:-}; break ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) BIN_ARG=$1; shift ;;
    esac
done
if ! [[ "$RUNS" =~ ^[0-9]+$ ]] || [ "$RUNS" -lt 7 ]; then die "--runs must be a number >= 7"; fi
if [ -n "$BASELINE" ]; then
    [ -x "$BASELINE" ] || die "no executable baseline at '$BASELINE'"
    BASELINE=$(cd "$(dirname "$BASELINE")" && pwd)/$(basename "$BASELINE")
fi

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/find-tools.sh
. "$HERE/find-tools.sh"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/tfa-bench.XXXXXX")
if [ "$KEEP" = 1 ]; then
    log "keeping $TMP"
else
    trap 'rm -rf "$TMP"' EXIT
fi
trap 'exit 130' INT TERM

# the commit the binary was built from (as far as git can tell), and a copy
# of the binary, so that a rebuild during the benchmark cannot change it
COMMIT=unknown
if git -C "$(dirname "$BIN")" rev-parse --short HEAD >/dev/null 2>&1; then
    COMMIT=$(git -C "$(dirname "$BIN")" rev-parse --short HEAD)
    if git -C "$(dirname "$BIN")" status --porcelain --untracked-files=no 2>/dev/null | grep -q .; then
        COMMIT="$COMMIT (work tree has uncommitted changes)"
    fi
fi
BIN_INFO="built $(date -u -r "$BIN" '+%Y-%m-%d %H:%M:%S UTC'), sha256 $(sha256sum "$BIN" | cut -c1-12)"
cp "$BIN" "$TMP/tcpflow-audit"
RUN=$TMP/tcpflow-audit
OLD=
OLD_INFO=
if [ -n "$BASELINE" ]; then
    OLD_INFO="\`$BASELINE\` (built $(date -u -r "$BASELINE" '+%Y-%m-%d %H:%M:%S UTC'), sha256 $(sha256sum "$BASELINE" | cut -c1-12))"
    cp "$BASELINE" "$TMP/baseline"
    OLD=$TMP/baseline
fi

# ---- the baseline program
PC=${PCAP_COUNT:-}
if [ -z "$PC" ]; then
    if [ -x "$HERE/pcap-count" ] && [ "$HERE/pcap-count" -nt "$HERE/pcap-count.c" ]; then
        PC=$HERE/pcap-count
    else
        PC=$TMP/pcap-count
        gcc -O2 -o "$PC" "$HERE/pcap-count.c" -lpcap || die "cannot build pcap-count"
    fi
fi

now() { echo "${EPOCHREALTIME:-$(date +%s.%N)}"; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.6f\n", (a[NR/2]+a[NR/2+1])/2}'; }
timefield() { sed -n "s/^[[:space:]]*$1: //p" "$2"; }   # a field of time -v

# generate FILE DURATION: the capture; its generator line goes to FILE.log
generate() {
    local t0 t1
    log "generating $1 (gen-capture.py ${GEN_ARGS[*]} --duration $2) ..."
    t0=$(now)
    "$PY" "$HERE/gen-capture.py" "$1" "${GEN_ARGS[@]}" --duration "$2" 2> "$1.log" \
        || { cat "$1.log" >&2; die "gen-capture.py failed"; }
    t1=$(now)
    echo "$t0 $t1" | awk '{printf "%.1f\n", $2-$1}' > "$1.secs"
    log "$(cat "$1.log")"
}

# summarise CAPTURE OUT: one untimed run that keeps the records; OUT gets the
# summary record (less its per-host and per-service lists) and the counts of
# handshake outcomes and close kinds, as JSON
summarise() {
    "$RUN" --format jsonl "$1" > "$TMP/records.jsonl" 2> "$TMP/records.err" || true
    "$PY" - "$TMP/records.jsonl" > "$2" <<'EOF'
import collections, json, sys
hs, close, summary = collections.Counter(), collections.Counter(), {}
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d.get('type') == 'connection':
        hs[(d.get('handshake') or {}).get('outcome')] += 1
        close[(d.get('close') or {}).get('kind')] += 1
    elif d.get('type') == 'summary':
        summary = d
for k in ('hosts', 'services', 'finding_details'):
    summary.pop(k, None)
print(json.dumps({'summary': summary, 'handshake': hs, 'close': close}))
EOF
    rm -f "$TMP/records.jsonl"
}

# ---- the capture
GEN_CMD=
if [ -n "$CAPTURE" ]; then
    [ -r "$CAPTURE" ] || die "cannot read $CAPTURE"
    FILE=$(cd "$(dirname "$CAPTURE")" && pwd)/$(basename "$CAPTURE")
else
    FILE=$TMP/bench.pcap
    generate "$FILE" "$GEN_DURATION"
    GEN_CMD="bench/gen-capture.py OUT ${GEN_ARGS[*]} --duration $GEN_DURATION"
fi
FILE_BYTES=$(stat -c %s "$FILE")

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "warming the page cache ..."
cat "$FILE" > /dev/null
COUNT_LINE=$("$PC" "$FILE") || die "pcap-count failed on $FILE"
PACKETS=${COUNT_LINE%% packets*}

# ---- timed runs, alternating so that drift hits both alike
NCPU=$(nproc)
load1() { cut -d' ' -f1 /proc/loadavg; }
# timed NAME CMD...: one run under /usr/bin/time; appends "wall cpu rss" to $TMP/NAME
timed() {
    local name=$1 t0 t1 rc=0; shift
    t0=$(now)
    "$TIME" -f '%U %S %M' -o "$TMP/t.$name" "$@" > /dev/null 2> "$TMP/err.$name" || rc=$?
    t1=$(now)
    if [ "$name" != bare ] && [ "$rc" -gt 1 ]; then cat "$TMP/err.$name" >&2; die "$name exited with $rc"; fi
    [ "$name" = bare ] && [ "$rc" -ne 0 ] && die "pcap-count exited with $rc"
    echo "$t0 $t1 $(tail -1 "$TMP/t.$name")" | awk '{printf "%.6f %.2f %d\n", $2-$1, $3+$4, $5}' >> "$TMP/$name"
}
: > "$TMP/bare"; : > "$TMP/tool"; : > "$TMP/old"; : > "$TMP/loads"
for i in $(seq 1 "$RUNS"); do
    load1 >> "$TMP/loads"
    timed bare "$PC" "$FILE"
    timed tool "$RUN" --format jsonl "$FILE"
    [ -z "$OLD" ] || timed old "$OLD" --format jsonl "$FILE"
    log "pair $i/$RUNS: pcap-count $(tail -1 "$TMP/bare" | cut -d' ' -f1) s, tcpflow-audit $(tail -1 "$TMP/tool" | cut -d' ' -f1) s${OLD:+, baseline $(tail -1 "$TMP/old" | cut -d' ' -f1) s}, load $(load1)"
done
load1 >> "$TMP/loads"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
RSS_MAX=$(cut -d' ' -f3 "$TMP/tool" | sort -n | tail -1)

log "running once more for the tool's summary ..."
SUMMARY=$TMP/summary.json
summarise "$FILE" "$SUMMARY"

MEMROWS=
PER_CONN=
if [ "$MEMORY" = 1 ]; then
    peak_of() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"].get("connections_peak", 0))' "$1"; }
    rss_of() {
        "$TIME" -v -o "$TMP/time.m" "$RUN" --format jsonl "$1" > /dev/null 2>&1 || true
        timefield 'Maximum resident set size (kbytes)' "$TMP/time.m"
    }
    open_of() { sed -n 's/.*at most \([0-9]*\) open at once.*/\1/p' "$1.log" 2>/dev/null; }
    P1=$(peak_of "$SUMMARY")
    R1=$RSS_MAX
    O1=$(open_of "$FILE")
    [ -n "$CAPTURE" ] || rm -f "$FILE"
    F4=$TMP/bench-4x.pcap
    D4=$(echo "$GEN_DURATION" | awk '{print $1/4}')
    generate "$F4" "$D4"
    cat "$F4" > /dev/null
    R4=$(rss_of "$F4")
    S4=$TMP/summary-4x.json
    summarise "$F4" "$S4"
    P4=$(peak_of "$S4")
    O4=$(open_of "$F4")
    rm -f "$F4"
    MEMROWS=$(printf '%s\n' \
        "| default ($GEN_DURATION s) | ${O1:-?} | $P1 | $R1 |" \
        "| 4x concurrency ($D4 s) | ${O4:-?} | $P4 | $R4 |")
    PER_CONN=$(echo "$R1 $R4 $P1 $P4" | awk '{ if ($4 > $3) printf "%.0f", ($2-$1)*1024/($4-$3); else print "n/a" }')
fi

# ---- the report
CPU_MODEL=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
MEM_TOTAL=$(awk '/^MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
VERSION=$("$RUN" --version 2>/dev/null | head -1 || echo '?')
LIBPCAP=$("$RUN" --version 2>/dev/null | sed -n 's/^libpcap version //p' | head -1)

"$PY" - "$SUMMARY" "$TMP" <<EOF
import json, statistics, sys
tmp = sys.argv[2]
def runs(name):
    try:
        return [tuple(float(x) for x in l.split()) for l in open(tmp + "/" + name) if l.strip()]
    except OSError:
        return []
bare, tool, old = runs("bare"), runs("tool"), runs("old")
loads = [float(l) for l in open(tmp + "/loads") if l.strip()]
ncpu = $NCPU
packets = $PACKETS
fbytes = $FILE_BYTES
info = json.load(open(sys.argv[1]))
s = info['summary']
med = statistics.median
def col(rs, k):
    return [r[k] for r in rs]
def ratios(a, b, k):
    """per-pair ratio a/b of field k (0 wall, 1 CPU), in %"""
    return [x[k] / y[k] * 100 for x, y in zip(a, b) if y[k] > 0]
def spread(rs):
    return "**%.1f %%** (%.1f-%.1f)" % (med(rs), min(rs), max(rs)) if rs else "n/a"
busy = max(loads) > 0.5 * ncpu
print("## tcpflow-audit throughput benchmark\n")
if busy:
    print("**The machine was busy**: load average up to %.2f on %d CPUs (above 0.5 per CPU) "
          "during the runs; other work slows the tool (two threads) more than the "
          "one-threaded loop, so these ratios are below what a quiet machine gives.\n"
          % (max(loads), ncpu))
print("| | |\n|---|---|")
print("| date | $(date -u '+%Y-%m-%d %H:%M UTC') |")
print("| machine | $(nproc) CPUs ($CPU_MODEL), $MEM_TOTAL RAM, Linux $(uname -r) ($(uname -m)) |")
print("| load average | $LOAD_BEFORE before the timed runs, $LOAD_AFTER after; 1-minute load between pairs %s (%s) |"
      % (" ".join("%.2f" % l for l in loads), "busy: above 0.5 per CPU" if busy else "quiet"))
print("| tool | $VERSION, commit $COMMIT, libpcap ${LIBPCAP:-?} |")
print("| binary | \`$BIN\` ($BIN_INFO; a copy of it was measured) |")
if old:
    print("| baseline | $OLD_INFO; a copy of it was measured in the same rounds |")
gen = "$GEN_CMD"
print("| capture | %s%s bytes, %d packets |" % (("generated by \`%s\`; " % gen) if gen else "\`$FILE\`; ", format(fbytes, ','), packets))
print("| method | %d rounds of %s, page cache warm; \`tcpflow-audit --format jsonl FILE > /dev/null\` under \`/usr/bin/time\`; ratios are per round (bare loop / tool), median (min-max) |"
      % (len(bare), "bare loop, tool, baseline" if old else "bare loop then tool"))
print()
hdr = "| | bare libpcap loop (\`pcap-count\`) | \`tcpflow-audit --format jsonl\` |" + (" baseline |" if old else "")
print(hdr)
print("|---|---:|---:|" + ("---:|" if old else ""))
progs = [bare, tool] + ([old] if old else [])
print("| wall time, median | " + " | ".join("%.3f s" % med(col(p, 0)) for p in progs) + " |")
print("| wall, all runs | " + " | ".join(" ".join("%.3f" % x for x in col(p, 0)) for p in progs) + " |")
print("| CPU time (user+sys), median | " + " | ".join("%.2f s" % med(col(p, 1)) for p in progs) + " |")
print("| CPU, all runs | " + " | ".join(" ".join("%.2f" % x for x in col(p, 1)) for p in progs) + " |")
print("| packets/s (wall median) | " + " | ".join(format(round(packets / med(col(p, 0))), ',') for p in progs) + " |")
print("| MB/s of capture | " + " | ".join("%.0f" % (fbytes / med(col(p, 0)) / 1e6) for p in progs) + " |")
print("| peak RSS (max of runs) | " + " | ".join("%.1f MiB" % (max(col(p, 2)) / 1024) for p in progs) + " |")
print()
wall_r, cpu_r = ratios(bare, tool, 0), ratios(bare, tool, 1)
rss = $RSS_MAX
print("| target (issue 16) | measured: median (min-max) of the per-round ratios | |")
print("|---|---:|---|")
def verdict(rs, target):
    if not rs:
        return ""
    met = med(rs) >= target
    return ("met" if met else "**missed**") + (" (busy machine)" if busy else "")
print("| full analysis >= 70 %% of the bare loop by wall clock | %s | %s |" % (spread(wall_r), verdict(wall_r, 70)))
print("| full analysis >= 40 %% of the bare loop by CPU time | %s | %s |" % (spread(cpu_r), verdict(cpu_r, 40)))
print("| peak RSS <= 64 MiB | %.1f MiB | %s |" % (rss / 1024, "met" if rss <= 65536 else "**missed**"))
if old:
    print("| (baseline, the same ratios) | wall %s, CPU %s | |" % (spread(ratios(bare, old, 0)), spread(ratios(bare, old, 1))))
    print("| tool / baseline speed, per round | wall %s, CPU %s | above 100 %%: the tool is faster |"
          % (spread(ratios(old, tool, 0)), spread(ratios(old, tool, 1))))
print()
print("### The tool's summary of the capture\n")
print("| | |\n|---|---|")
for k in ("frames", "tcp_segments", "connections", "connections_peak", "records"):
    print("| %s | %s |" % (k, s.get(k)))
print("| diagnostics | %s |" % (", ".join("%s %d" % kv for kv in sorted(s.get("diagnostics", {}).items())) or "none"))
print("| handshake outcomes | %s |" % ", ".join("%s %d" % kv for kv in sorted(info["handshake"].items(), key=lambda kv: -kv[1])))
print("| close kinds | %s |" % ", ".join("%s %d" % (k or "none", v) for k, v in sorted(info["close"].items(), key=lambda kv: -kv[1])))
print("| findings | %s |" % (", ".join("%s %d" % kv for kv in sorted(s.get("findings", {}).items())) or "none"))
print("\n| anomaly | count |\n|---|---:|")
for k, v in sorted(s.get("anomalies", {}).items(), key=lambda kv: -kv[1]):
    print("| %s | %d |" % (k, v))
memrows = """$MEMROWS"""
if memrows.strip():
    print("\n### Memory per live connection\n")
    print("| capture | open at once (generator) | connections_peak (tool) | peak RSS (KiB) |")
    print("|---|---:|---:|---:|")
    print(memrows)
    print("\nEstimate: (RSS difference) / (connections_peak difference) = **$PER_CONN bytes per live connection**.")
EOF
