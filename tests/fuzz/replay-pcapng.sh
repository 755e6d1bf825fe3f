#!/bin/sh
# Replay through the pcapng harness: samples/, the fuzz regressions, the
# generated pcapng seeds (every block kind, cut and with each word damaged)
# and the corpus's pcapng files when ../shared/corpus is there.
set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"${PYTHON3:-python3}" "${TFA_SRCDIR:-.}/tests/fuzz/make-pcapng-seeds.py" "$work/seeds"
mkdir "$work/corpus"
corpus=${TFA_CORPUS:-${TFA_SRCDIR:-.}/../shared/corpus}
if [ -d "$corpus" ]; then
    corpus=$(cd "$corpus" && pwd) # the links below must not be relative
    find "$corpus" -type f \( -name '*.pcapng' -o -name '*.pcap' \) -size -2M | while read -r f; do
        # pcapng files only (their Section Header Block's type)
        if [ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')" = "0a0d0d0a" ]; then
            ln -s "$f" "$work/corpus/$(printf '%s' "$f" | tr '/' '_')"
        fi
    done
fi
"${TFA_BUILDDIR:-.}/tests/fuzz/fuzz-pcapng" "${TFA_SRCDIR:-.}/samples" \
    "${TFA_SRCDIR:-.}/tests/fuzz/regressions" "$work/seeds" "$work/corpus"
