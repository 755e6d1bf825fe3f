#!/bin/bash
# run-all.sh OUTDIR [SCENARIO...]
#
# Regenerate the lab captures (all scenarios/*.sh, or the named ones) into
# OUTDIR. Each scenario builds its own pair of network namespaces, runs its
# client/server, captures with tcpdump, verifies that the intended event
# really happened, and only then writes OUTDIR/<scenario>.pcap(ng); a failed
# scenario leaves any existing file untouched. Needs root, iproute2,
# /dev/net/tun, tcpdump, ss and /usr/bin/python3 (exit 77 otherwise).
# Exit status: 0 if every scenario passed, 1 otherwise.
set -u
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 1 ]; then
	echo "usage: $0 OUTDIR [SCENARIO...]" >&2
	exit 2
fi
out=$1
shift
if [ "$(id -u)" != 0 ]; then
	echo "tests/lab/run-all.sh: needs root (network namespaces, TAP devices, tcpdump); skipping" >&2
	exit 77
fi
for t in ip tcpdump ss sysctl /usr/bin/python3; do
	command -v "$t" >/dev/null 2>&1 || { echo "tests/lab/run-all.sh: missing $t; skipping" >&2; exit 77; }
done
mkdir -p "$out" || exit 1
if [ $# -eq 0 ]; then
	set -- $(cd "$here/scenarios" && ls *.sh | sed 's/\.sh$//')
fi
failed=()
for s in "$@"; do
	s=${s%.sh}
	if [ ! -f "$here/scenarios/$s.sh" ]; then
		echo "no such scenario: $s" >&2
		failed+=("$s")
		continue
	fi
	if bash "$here/scenarios/$s.sh" "$out" >"$out/.$s.log" 2>&1; then
		echo "PASS $s"
		rm -f "$out/.$s.log"
	else
		echo "FAIL $s (log: $out/.$s.log)"
		failed+=("$s")
	fi
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "failed: ${failed[*]}" >&2
	exit 1
fi
echo "all $# scenarios passed"
