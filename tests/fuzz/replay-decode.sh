#!/bin/sh
# Replay the seed corpus (samples/, and tests/fuzz/seeds-decode/ for the
# link types and tunnels beyond Ethernet) and every input a fuzzer once
# failed on (tests/fuzz/regressions/) through the decode harness.
exec "${TFA_BUILDDIR:-.}/tests/fuzz/fuzz-decode" "${TFA_SRCDIR:-.}/samples" \
	"${TFA_SRCDIR:-.}/tests/fuzz/seeds-decode" "${TFA_SRCDIR:-.}/tests/fuzz/regressions"
