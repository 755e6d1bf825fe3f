#!/bin/sh
# Replay the seed corpus (samples/) and every input a fuzzer once failed on
# (tests/fuzz/regressions/) through the decode harness.
exec "${TFA_BUILDDIR:-.}/tests/fuzz/fuzz-decode" "${TFA_SRCDIR:-.}/samples" \
	"${TFA_SRCDIR:-.}/tests/fuzz/regressions"
