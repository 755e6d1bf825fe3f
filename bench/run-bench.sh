#!/bin/bash
# run-bench.sh - throughput and memory benchmark of tcpflow-audit.
#
# Usage: bench/run-bench.sh [OPTIONS] [TFA_BIN]
#
#   TFA_BIN            the binary to measure (default: $TFA_BIN, else
#                      ./tcpflow-audit, else the one next to bench/)
#   -n, --runs N       timed runs of each program (default 5, at least 3)
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
# report on standard output: medians, packets/s, their ratio, peak RSS
# (from /usr/bin/time -v), the machine, the tool's version and commit, and
# the tool's own summary of the capture.  Progress goes to standard error.
#
# Targets: the full analysis runs at >= 50 % of the bare loop's packets/s,
# and its peak RSS is <= 64 MiB.
set -euo pipefail

RUNS=5
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
if ! [[ "$RUNS" =~ ^[0-9]+$ ]] || [ "$RUNS" -lt 3 ]; then die "--runs must be a number >= 3"; fi

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
BARE=() TOOL=() RSS=() CPU=() BCPU=()
for i in $(seq 1 "$RUNS"); do
    t0=$(now); "$TIME" -f '%U %S' -o "$TMP/btime.$i" "$PC" "$FILE" > /dev/null; t1=$(now)
    BARE+=("$(echo "$t0 $t1" | awk '{printf "%.6f", $2-$1}')")
    BCPU+=("$(awk '{printf "%.2f", $1+$2}' "$TMP/btime.$i")")
    t0=$(now)
    rc=0
    "$TIME" -v -o "$TMP/time.$i" "$RUN" --format jsonl "$FILE" > /dev/null 2> "$TMP/err.$i" || rc=$?
    t1=$(now)
    [ "$rc" -le 1 ] || { cat "$TMP/err.$i" >&2; die "tcpflow-audit exited with $rc"; }
    TOOL+=("$(echo "$t0 $t1" | awk '{printf "%.6f", $2-$1}')")
    RSS+=("$(timefield 'Maximum resident set size (kbytes)' "$TMP/time.$i")")
    CPU+=("$(echo "$(timefield 'User time (seconds)' "$TMP/time.$i") $(timefield 'System time (seconds)' "$TMP/time.$i")" | awk '{printf "%.2f", $1+$2}')")
    log "run $i/$RUNS: pcap-count ${BARE[-1]} s, tcpflow-audit ${TOOL[-1]} s, ${RSS[-1]} KiB"
done
BARE_MED=$(printf '%s\n' "${BARE[@]}" | median)
TOOL_MED=$(printf '%s\n' "${TOOL[@]}" | median)
CPU_MED=$(printf '%s\n' "${CPU[@]}" | median)
BCPU_MED=$(printf '%s\n' "${BCPU[@]}" | median)
RSS_MAX=$(printf '%s\n' "${RSS[@]}" | sort -n | tail -1)

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

"$PY" - "$SUMMARY" <<EOF
import json, sys
runs = $RUNS
packets = $PACKETS
bare, tool = float("$BARE_MED"), float("$TOOL_MED")
bare_all = "${BARE[*]}".split()
tool_all = "${TOOL[*]}".split()
rss_all = [int(x) for x in "${RSS[*]}".split()]
rss = $RSS_MAX
fbytes = $FILE_BYTES
pps_b, pps_t = packets / bare, packets / tool
ratio = pps_t / pps_b * 100
info = json.load(open(sys.argv[1]))
s = info['summary']
print("## tcpflow-audit throughput benchmark\n")
print("| | |\n|---|---|")
print("| date | $(date -u '+%Y-%m-%d %H:%M UTC') |")
print("| machine | $(nproc) CPUs ($CPU_MODEL), $MEM_TOTAL RAM, Linux $(uname -r) ($(uname -m)) |")
print("| load average | $LOAD_BEFORE before the timed runs, $(cut -d' ' -f1-3 /proc/loadavg) after (other work on the machine skews the numbers) |")
print("| tool | $VERSION, commit $COMMIT, libpcap ${LIBPCAP:-?} |")
print("| binary | \`$BIN\` ($BIN_INFO; a copy of it was measured) |")
gen = "$GEN_CMD"
print("| capture | %s%s bytes, %d packets |" % (("generated by \`%s\`; " % gen) if gen else "\`$FILE\`; ", format(fbytes, ','), packets))
print("| method | %d alternating runs of each, page cache warm, wall-clock median; \`tcpflow-audit --format jsonl FILE > /dev/null\` under \`/usr/bin/time -v\` |" % runs)
print()
print("| | bare libpcap loop (\`pcap-count\`) | \`tcpflow-audit --format jsonl\` |")
print("|---|---:|---:|")
print("| wall time, median | %.3f s | %.3f s |" % (bare, tool))
print("| all runs | %s | %s |" % (" ".join("%.3f" % float(x) for x in bare_all), " ".join("%.3f" % float(x) for x in tool_all)))
print("| packets/s | %s | %s |" % (format(round(pps_b), ','), format(round(pps_t), ',')))
print("| MB/s of capture | %.0f | %.0f |" % (fbytes / bare / 1e6, fbytes / tool / 1e6))
print("| CPU time (user+sys), median | $BCPU_MED s | $CPU_MED s |")
print("| peak RSS (max of runs) | | %.1f MiB (%d KiB) |" % (rss / 1024, rss))
print()
print("| target | measured | |")
print("|---|---:|---|")
print("| full analysis >= 50 %% of the bare loop's packets/s | %.1f %% | %s |" % (ratio, "met" if ratio >= 50 else "**MISSED**"))
cpu_b, cpu_t = float("$BCPU_MED"), float("$CPU_MED")
if cpu_b > 0 and cpu_t > 0:
    print("| (the same ratio by CPU time, less sensitive to other load) | %.1f %% | |" % (cpu_b / cpu_t * 100))
print("| peak RSS <= 64 MiB | %.1f MiB | %s |" % (rss / 1024, "met" if rss <= 65536 else "**MISSED**"))
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
