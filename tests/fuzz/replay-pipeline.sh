#!/bin/sh
# Replay the seed corpus (samples/) and every input a fuzzer once failed on
# (tests/fuzz/regressions/) through the pipeline harness.
exec "${TFA_BUILDDIR:-.}/tests/fuzz/fuzz-pipeline" "${TFA_SRCDIR:-.}/samples" \
	"${TFA_SRCDIR:-.}/tests/fuzz/regressions"
