#!/bin/sh
# Rewrite the expected output of TESTLIST rows from the current program, for
# review like code: tests/e2e/update-expected.sh [NAME...] (default: all).
# Run from the top of a built tree (or set TFA_BIN).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${TFA_BIN:-$top/tcpflow-audit}
[ -x "$bin" ] || { echo "update-expected.sh: build first (no $bin)" >&2; exit 1; }
grep -v '^[[:space:]]*#' "$top/tests/e2e/TESTLIST" | while read -r name sample fmt opts; do
    [ -n "$name" ] || continue
    if [ $# -gt 0 ]; then
        case " $* " in *" $name "*) ;; *) continue ;; esac
    fi
    if [ "$fmt" = ladder ]; then fopt=--ladder; else fopt="--format $fmt"; fi
    # shellcheck disable=SC2086
    "$bin" $fopt $opts "$top/samples/$sample" > "$top/tests/e2e/expected/$name.$fmt" || [ $? -eq 1 ]
    echo "updated tests/e2e/expected/$name.$fmt"
done
