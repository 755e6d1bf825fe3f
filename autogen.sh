#!/bin/sh
# Generate configure and Makefile.in from configure.ac and Makefile.am.
set -e
srcdir=$(dirname "$0")
for tool in autoreconf aclocal automake autoconf pkg-config; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "autogen.sh: '$tool' not found; install autoconf, automake and pkg-config" >&2
        exit 1
    fi
done
cd "$srcdir"
autoreconf -fi
echo "now run ./configure && make"
