#!/bin/bash
# check-lab.sh [SCENARIO...]
#
# Is the lab deterministic in shape? Regenerate the captures (all
# scenarios/*.sh, or the named ones) into a fresh temporary directory with
# run-all.sh, then run the e2e checks (tests/e2e/checks/<sample>.checks)
# over those files instead of samples/ (TFA_SAMPLES). samples/ itself is
# never touched.
#
# Counted: every e2e line except the golden-output rows (TESTLIST/expected:
# they contain timestamps, which differ from run to run).  A failing line
# is marked by whether it fails on the committed samples too.
#
# Environment: TFA_BIN (default: tcpflow-audit at the top of the source
# tree), CHECK_LAB_KEEP=1 keeps the temporary directory.
# Exit status: 0 every scenario passed and every checks line passed;
# 1 otherwise; 77 not root or a lab tool is missing (skip).
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
e2e=$top/tests/e2e/e2e.py

if [ "$(id -u)" != 0 ]; then
	echo "check-lab: needs root (network namespaces, TAP devices, tcpdump); skipping" >&2
	exit 77
fi
bin=${TFA_BIN:-$top/tcpflow-audit}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
if [ ! -x "$bin" ]; then
	echo "check-lab: no tcpflow-audit binary at $bin (build it first, or set TFA_BIN)" >&2
	exit 1
fi
if ! grep -q TFA_SAMPLES "$e2e"; then
	echo "check-lab: $e2e does not support TFA_SAMPLES" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tfa-check-lab.XXXXXX") || exit 1
cleanup() {
	if [ -n "${CHECK_LAB_KEEP:-}" ]; then
		echo "check-lab: kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$tmp/samples" "$tmp/build" "$tmp/build-committed"

if [ $# -eq 0 ]; then
	set -- $(cd "$here/scenarios" && ls *.sh | sed 's/\.sh$//')
fi
nscen=$#

echo "check-lab: regenerating $nscen captures into $tmp/samples"
"$here/run-all.sh" "$tmp/samples" "$@"
lab_rc=$?
[ $lab_rc = 77 ] && exit 77
for f in "$tmp"/samples/.*.log; do
	[ -e "$f" ] || continue
	echo "--- $(basename "$f") (tail)"
	tail -n 15 "$f"
done
nmade=$(ls "$tmp/samples" | grep -c '\.pcap\(ng\)\?$')

# the checks over the regenerated captures; golden rows are written under
# $tmp/build, not into the source tree
TFA_BIN=$bin TFA_BUILDDIR=$tmp/build TFA_SAMPLES=$tmp/samples \
	/usr/bin/python3 "$e2e" >"$tmp/e2e.tap" 2>"$tmp/e2e.err"
e2e_rc=$?
# the same over the committed samples, to tell the lab's failures from the tool's
TFA_BIN=$bin TFA_BUILDDIR=$tmp/build-committed \
	/usr/bin/python3 "$e2e" >"$tmp/e2e-committed.tap" 2>/dev/null

# one line per result: STATUS<TAB>description (TAP number dropped)
results() {
	sed -n -E 's/^(not ok|ok) [0-9]+ - (.*)$/\1\t\2/p' "$1" | grep -v -P '^[^\t]*\tgolden '
}
results "$tmp/e2e.tap" >"$tmp/lines"
npass=$(grep -v '# SKIP' "$tmp/lines" | grep -c -P '^ok\t')
nskip=$(grep -c '# SKIP' "$tmp/lines")
nfail=$(grep -c -P '^not ok\t' "$tmp/lines")
ngold=$(grep -c -E '^(not ok|ok) [0-9]+ - golden ' "$tmp/e2e.tap")

echo
echo "check-lab summary"
echo "  scenarios:   $nmade of $nscen captures regenerated (run-all.sh exit $lab_rc)"
echo "  checks:      $npass passed, $nskip skipped, $nfail failed"
echo "  golden rows: $ngold not compared (timestamps differ)"
if [ "$nfail" -gt 0 ]; then
	# a line that fails on the committed samples too is the tool's business,
	# not the lab's: say so
	results "$tmp/e2e-committed.tap" | grep -P '^not ok\t' | cut -f2- |
		sed 's/ (got .*//' | sort -u >"$tmp/fail-committed"
	grep -P '^not ok\t' "$tmp/lines" | cut -f2- | while IFS= read -r l; do
		if grep -qxF "${l% (got *}" "$tmp/fail-committed"; then
			echo "    $l  [fails on samples/ too]"
		else
			echo "    $l  [LAB: passes on samples/]"
		fi
	done >"$tmp/failed"
	echo "  failed checks lines:"
	cat "$tmp/failed"
	echo "  $(grep -c 'samples/ too]$' "$tmp/failed") of the $nfail fail on the" \
		"committed samples too (the tool's verdicts, not the lab's captures)"
fi
if [ $e2e_rc != 0 ] || [ -s "$tmp/e2e.err" ]; then
	echo "  e2e.py exit $e2e_rc:"
	sed 's/^/    /' "$tmp/e2e.err"
fi
if [ $lab_rc = 0 ] && [ "$nmade" = "$nscen" ] && [ "$nfail" = 0 ] &&
	[ "$npass" -gt 0 ] && [ $e2e_rc = 0 ]; then
	echo "check-lab: PASS"
	exit 0
fi
echo "check-lab: FAIL"
exit 1
