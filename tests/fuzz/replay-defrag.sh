#!/bin/sh
# Replay the reassembly seeds (tests/fuzz/defrag-seeds/) and every input a
# fuzzer once failed on (tests/fuzz/regressions/) through the defrag harness.
exec "${TFA_BUILDDIR:-.}/tests/fuzz/fuzz-defrag" "${TFA_SRCDIR:-.}/tests/fuzz/defrag-seeds" \
	"${TFA_SRCDIR:-.}/tests/fuzz/regressions"
