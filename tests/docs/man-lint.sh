#!/bin/sh
# The man pages format without a single groff warning, and document every
# long option that --help shows.
srcdir=${TFA_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${TFA_BIN:-./tcpflow-audit}
echo "1..3"
if command -v groff >/dev/null 2>&1; then
    out=$(groff -t -man -ww -z "$srcdir/man/tcpflow-audit.1" "$srcdir/man/tcpflow-audit-records.5" 2>&1)
    if [ -z "$out" ]; then echo "ok 1 - groff -ww is silent"; else
        echo "not ok 1 - groff warnings:"; echo "$out" | sed 's/^/# /'; fi
else
    echo "ok 1 # SKIP groff not installed"
fi
missing=""
for opt in $("$bin" --help 2>&1 | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
    esc=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
    grep -q -- "$esc" "$srcdir/man/tcpflow-audit.1" || missing="$missing $opt"
done
if [ -z "$missing" ]; then echo "ok 2 - every --help option is in tcpflow-audit.1"; else
    echo "not ok 2 - not in tcpflow-audit.1:$missing"; fi
missing=""
for opt in $(grep -o '^\.B[IR]* \\-\\-[a-z][a-z0-9\\-]*' "$srcdir/man/tcpflow-audit.1" | sed 's/^.* //; s/\\//g' | sort -u); do
    "$bin" --help 2>&1 | grep -q -- "$opt" || missing="$missing $opt"
done
if [ -z "$missing" ]; then echo "ok 3 - every option in tcpflow-audit.1 exists"; else
    echo "not ok 3 - in tcpflow-audit.1 but not in --help:$missing"; fi
