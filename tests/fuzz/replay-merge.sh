#!/bin/sh
# Replay the merge harness over seeds made here: the shard runs (N = 2) of a
# few samples, joined as the harness splits them, whole, cut short, with
# damaged bytes, a shard missing or doubled, and summaries of the wrong type.
set -eu
bin="${TFA_BUILDDIR:-.}/tcpflow-audit"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" --merge /dev/null 2>&1 | grep -q json-glib && exit 77
sep='--8<--'
for f in "${TFA_SRCDIR:-.}"/samples/port-scan.pcap "${TFA_SRCDIR:-.}"/samples/refused.pcap \
         "${TFA_SRCDIR:-.}"/samples/port-reuse.pcap "${TFA_SRCDIR:-.}"/samples/syn-flood*.pcap; do
    [ -f "$f" ] || continue
    n=$(basename "$f" .pcap)
    "$bin" --shard 1/2 "$f" > "$work/a" || :
    "$bin" --shard 2/2 "$f" > "$work/b" || :
    { cat "$work/a"; echo "$sep"; cat "$work/b"; } > "$work/$n.seed"
    { cat "$work/a"; echo "$sep"; cat "$work/a"; } > "$work/$n.twice"
    cp "$work/a" "$work/$n.alone"
    size=$(wc -c < "$work/$n.seed")
    head -c $((size / 2)) "$work/$n.seed" > "$work/$n.cut"
    { head -c $((size / 3)) "$work/$n.seed"; printf '"x":[{}],9'; tail -c +$((size / 3 + 11)) "$work/$n.seed"; } \
        > "$work/$n.bad"
    sed 's/"k":1/"k":"1"/; s/"frames":[0-9]*/"frames":{}/; s/"ip":"[^"]*"/"ip":7/g' "$work/$n.seed" \
        > "$work/$n.types"
    sed 's/"n":2/"n":99999999999/' "$work/$n.seed" > "$work/$n.bign"
    sed 's/"id":[0-9]*/"id":1/' "$work/$n.seed" > "$work/$n.sameid"
done
printf '{"type":"summary","shard":[]}\n' > "$work/shard-array"
printf '{"type":"summary"' > "$work/open-brace"
G_DEBUG=fatal-criticals "${TFA_BUILDDIR:-.}/tests/fuzz/fuzz-merge" "$work"
