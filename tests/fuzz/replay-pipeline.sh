#!/bin/sh
# Replay the seed corpus (samples/) through the whole-pipeline harness.
exec "${TFA_BUILDDIR:-.}/tests/fuzz/fuzz-pipeline" "${TFA_SRCDIR:-.}/samples"
