#!/usr/bin/env python3
"""golden.py - the layout of the JSON Lines goldens in tests/e2e/expected/.

The program writes one compact JSON record a line.  A golden keeps each
record laid out one field (or array element) a line, indented by two spaces
per level, in the program's own order, so that a change shows in a diff as
the field that changed.  The layout only moves the whitespace between JSON
tokens: every string, number and literal keeps the bytes the program wrote
(nine fraction digits, escapes), and compact() undoes pretty() exactly for
compact input, so comparing compact(golden) with the output is the same
byte-for-byte comparison as before.

    golden.py pretty  < out.jsonl > golden   (tests/e2e/update-expected.sh)
    golden.py compact < golden > out.jsonl
"""
import re
import sys

TOKEN = re.compile(rb'\s*(?:("(?:[^"\\\x00-\x1f]|\\.)*")|([{}\[\],:])|'
                   rb'(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null))')
SPACE = re.compile(rb"\s*")


class LayoutError(ValueError):
    pass


def tokens(data):
    """The JSON tokens of data, as bytes, with the whitespace between them
    dropped; a LayoutError at anything else."""
    out, pos, n = [], 0, len(data)
    while True:
        pos = SPACE.match(data, pos).end()
        if pos >= n:
            return out
        m = TOKEN.match(data, pos)
        if not m:
            line = data.count(b"\n", 0, pos) + 1
            raise LayoutError("line %d: not JSON at %r" % (line, data[pos:pos + 40]))
        out.append(m.group(1) or m.group(2) or m.group(3))
        pos = m.end()


def records(data):
    """The top-level values of data, each as its list of tokens."""
    recs, cur, depth = [], [], 0
    for t in tokens(data):
        cur.append(t)
        if t in (b"{", b"["):
            depth += 1
        elif t in (b"}", b"]"):
            depth -= 1
            if depth < 0:
                raise LayoutError("unbalanced %r" % t)
        if depth == 0 and t not in (b",", b":"):
            recs.append(cur)
            cur = []
    if cur:
        raise LayoutError("the last record is not closed")
    return recs


def pretty_record(toks):
    out, depth, i = [], 0, 0
    while i < len(toks):
        t = toks[i]
        if t in (b"{", b"[") and i + 1 < len(toks) and toks[i + 1] in (b"}", b"]"):
            out.append(t + toks[i + 1])  # {} and [] stay on their line
            i += 2
            continue
        if t in (b"{", b"["):
            depth += 1
            out.append(t + b"\n" + b"  " * depth)
        elif t in (b"}", b"]"):
            depth -= 1
            out.append(b"\n" + b"  " * depth + t)
        elif t == b",":
            out.append(b",\n" + b"  " * depth)
        elif t == b":":
            out.append(b": ")
        else:
            out.append(t)
        i += 1
    return b"".join(out) + b"\n"


def pretty(data):
    """JSON Lines (or already laid out goldens) in the goldens' layout."""
    return b"".join(pretty_record(r) for r in records(data))


def compact(data):
    """The goldens' layout back to JSON Lines: one record a line, no
    whitespace outside strings."""
    return b"".join(b"".join(r) + b"\n" for r in records(data))


def main():
    if sys.argv[1:] not in (["pretty"], ["compact"]):
        sys.stderr.write("usage: golden.py pretty|compact < in > out\n")
        return 2
    data = sys.stdin.buffer.read()
    try:
        out = pretty(data) if sys.argv[1] == "pretty" else compact(data)
    except LayoutError as e:
        sys.stderr.write("golden.py: %s\n" % e)
        return 1
    sys.stdout.buffer.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
