#!/bin/sh
# Replay the seed corpus (samples/) through the decode harness.
exec "${TFA_BUILDDIR:-.}/tests/fuzz/fuzz-decode" "${TFA_SRCDIR:-.}/samples"
