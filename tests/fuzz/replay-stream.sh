#!/bin/sh
# Replay the seed corpus through the stream harness: samples/ as they are,
# and compressed (whole, cut short, damaged) with every compressor there is.
set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for f in "${TFA_SRCDIR:-.}"/samples/*.pcap; do
    n=$(basename "$f" .pcap)
    for z in gzip xz zstd lz4; do
        command -v "$z" >/dev/null 2>&1 || continue
        "$z" -c -q "$f" > "$work/$n.$z" 2>/dev/null || "$z" -c "$f" > "$work/$n.$z"
        size=$(wc -c < "$work/$n.$z")
        head -c $((size / 2)) "$work/$n.$z" > "$work/$n.cut.$z"
        { head -c $((size / 3)) "$work/$n.$z"; printf 'damage'; tail -c +$((size / 3 + 7)) "$work/$n.$z"; } \
            > "$work/$n.bad.$z"
    done
done
"${TFA_BUILDDIR:-.}/tests/fuzz/fuzz-stream" "${TFA_SRCDIR:-.}/samples" "$work"
