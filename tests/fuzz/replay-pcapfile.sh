#!/bin/sh
# Replay through the classic pcap harness (our reader against libpcap's):
# samples/, the bad-input and fuzz regressions, the generated seeds (every
# variant libpcap reads, and one file cut at every byte) and the corpus's
# classic pcap files when ../shared/corpus is there.
set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"${PYTHON3:-python3}" "${TFA_SRCDIR:-.}/tests/fuzz/make-pcapfile-seeds.py" "$work/seeds"
mkdir "$work/corpus"
corpus=${TFA_CORPUS:-${TFA_SRCDIR:-.}/../shared/corpus}
if [ -d "$corpus" ]; then
    corpus=$(cd "$corpus" && pwd) # the links below must not be relative
    find "$corpus" -type f -size -2M | while read -r f; do
        # classic pcap files only (a magic number in either byte order)
        case "$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')" in
        a1b2c3d4 | d4c3b2a1 | a1b23c4d | 4d3cb2a1 | a1b2cd34 | 34cdb2a1)
            ln -s "$f" "$work/corpus/$(printf '%s' "$f" | tr '/' '_')" ;;
        esac
    done
fi
"${TFA_BUILDDIR:-.}/tests/fuzz/fuzz-pcapfile" "${TFA_SRCDIR:-.}/samples" \
    "${TFA_SRCDIR:-.}/tests/fuzz/regressions" "$work/seeds" "$work/corpus"
