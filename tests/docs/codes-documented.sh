#!/bin/sh
# Every code the program knows (--list-codes) is documented: anomaly codes in
# tcpflow-audit-records(5), diagnostic counters in tcpflow-audit(1).
srcdir=${TFA_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${TFA_BIN:-./tcpflow-audit}
echo "1..2"
missing=""
for code in $("$bin" --list-codes | awk '$2 != "counter" {print $1}'); do
    grep -q "$code" "$srcdir/man/tcpflow-audit-records.5" || missing="$missing $code"
done
if [ -z "$missing" ]; then echo "ok 1 - every anomaly code is in tcpflow-audit-records.5"; else
    echo "not ok 1 - undocumented anomaly codes:$missing"; fi
missing=""
for code in $("$bin" --list-codes | awk '$2 == "counter" {print $1}'); do
    grep -q "$code" "$srcdir/man/tcpflow-audit.1" || missing="$missing $code"
done
if [ -z "$missing" ]; then echo "ok 2 - every diagnostic is in tcpflow-audit.1"; else
    echo "not ok 2 - undocumented diagnostics:$missing"; fi
