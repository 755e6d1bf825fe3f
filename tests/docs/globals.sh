#!/bin/sh
# No writable data with external linkage in libtfa.a (STYLE.md rule 4): a
# global object in .data, .bss or common is mutable state.  Const tables that
# hold pointers live in .data.rel.ro (read-only after relocation) and pass.
builddir=${TFA_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
lib="$builddir/src/libtfa.a"
echo "1..1"
if [ ! -f "$lib" ] || ! command -v objdump >/dev/null 2>&1; then
    echo "ok 1 # SKIP no $lib or no objdump"
    exit 0
fi
hits=$(objdump -t "$lib" 2>/dev/null |
    awk '$2 == "g" && $3 == "O" && ($4 == ".data" || $4 == ".bss" || $4 == "*COM*") && $NF !~ /^__/ {print $NF}')
if [ -n "$hits" ]; then
    echo "not ok 1 - writable globals in libtfa.a: $(echo $hits)"
else
    echo "ok 1 - no writable globals in libtfa.a"
fi
