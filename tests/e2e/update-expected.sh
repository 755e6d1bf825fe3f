#!/bin/sh
# Rewrite the expected output of TESTLIST rows from the current program, for
# review like code: tests/e2e/update-expected.sh [NAME...] (default: all).
# Run from the top of a built tree (or set TFA_BIN).  JSON Lines goldens are
# laid out one field a line (tests/e2e/golden.py pretty), so that their diff
# names the fields that changed; the other formats are stored as written.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${TFA_BIN:-$top/tcpflow-audit}
python=${PYTHON3:-python3}
[ -x "$bin" ] || { echo "update-expected.sh: build first (no $bin)" >&2; exit 1; }
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
grep -v '^[[:space:]]*#' "$top/tests/e2e/TESTLIST" | while read -r name sample fmt opts; do
    [ -n "$name" ] || continue
    if [ $# -gt 0 ]; then
        case " $* " in *" $name "*) ;; *) continue ;; esac
    fi
    if [ "$fmt" = ladder ]; then fopt=--ladder; else fopt="--format $fmt"; fi
    out="$top/tests/e2e/expected/$name.$fmt"
    # shellcheck disable=SC2086
    if [ "$fmt" = jsonl ]; then
        "$bin" $fopt $opts "$top/samples/$sample" > "$raw" || [ $? -eq 1 ]
        "$python" "$top/tests/e2e/golden.py" pretty < "$raw" > "$out"
    else
        "$bin" $fopt $opts "$top/samples/$sample" > "$out" || [ $? -eq 1 ]
    fi
    echo "updated tests/e2e/expected/$name.$fmt"
done
