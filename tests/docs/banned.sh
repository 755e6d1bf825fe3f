#!/bin/sh
# No banned C functions in src/ (STYLE.md rule 15; curl's checksrc habit).
srcdir=${TFA_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
echo "1..1"
hits=$(grep -rnE '\b(sprintf|vsprintf|strcpy|strcat|strncpy|strtok|atoi|atol|atoll|gets|rand)[[:space:]]*\(' \
    "$srcdir/src" "$srcdir/include" | grep -v 'g_snprintf\|g_strlcpy' || :)
if [ -n "$hits" ]; then
    echo "not ok 1 - banned functions in src/:"
    echo "$hits" | sed 's/^/# /'
else
    echo "ok 1 - no banned functions in src/ and include/"
fi
