"""tap.py - the TAP output of the end-to-end scripts (read by automake's
TAP driver): numbered ok / not ok lines, skips, notes, the plan."""

import sys

_count = 0
_failed = 0


def check(ok, desc):
    """One test line; returns ok, so a caller can go on only if it held."""
    global _count, _failed
    _count += 1
    if not ok:
        _failed += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", _count, desc.replace("#", "\\#")))
    sys.stdout.flush()
    return ok


def skip(desc, why):
    global _count
    _count += 1
    print("ok %d - %s # SKIP %s" % (_count, desc.replace("#", "\\#"), why))
    sys.stdout.flush()


def note(text):
    print("# " + text)
    sys.stdout.flush()


def plan():
    """The late plan: as many tests as were run."""
    print("1..%d" % _count)


def failed():
    return _failed
