#!/bin/sh
# Install what building and testing tcpflow-audit needs on Debian 12.
#   sh tests/debian-deps.sh            build + test dependencies
#   sh tests/debian-deps.sh --oracles  also tshark (the Wireshark cross-checks) and
#                                      chromium (the browser test of -f html)
# Runs apt-get directly as root, through sudo otherwise.  Non-interactive.
set -eu
pkgs="build-essential autoconf automake pkg-config libpcap-dev libglib2.0-dev
libcmocka-dev libjson-glib-dev python3 python3-jsonschema groff-base
zlib1g-dev libzstd-dev liblzma-dev liblz4-dev zstd lz4"
if [ "${1:-}" = "--oracles" ]; then
    pkgs="$pkgs tshark chromium"
fi
if [ "$(id -u)" = 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1; then
    as_root="sudo"
else
    echo "debian-deps.sh: run as root or install sudo" >&2
    exit 1
fi
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $pkgs
