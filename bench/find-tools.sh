# find-tools.sh - sourced by the bench scripts: the binary to measure and
# the programs they need.  Expects HERE (the bench directory), BIN_ARG (the
# path given, or empty) and die(); sets BIN (absolute), TIME and PY.

TOP=$(dirname "$HERE")
BIN=${BIN_ARG:-${TFA_BIN:-}}
if [ -z "$BIN" ]; then
    if [ -x ./tcpflow-audit ]; then BIN=./tcpflow-audit; else BIN=$TOP/tcpflow-audit; fi
fi
[ -x "$BIN" ] || die "no executable tcpflow-audit at '$BIN' (build it, or give its path)"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
TIME=/usr/bin/time
[ -x "$TIME" ] || die "/usr/bin/time is missing (apt-get install -y time)"
PY=${PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=$(command -v python3) || die "python3 is needed"
