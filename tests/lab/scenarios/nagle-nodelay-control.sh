#!/bin/bash
# nagle-nodelay-control: the control for nagle-delack-stall: the same 8
# rounds of 20 B + 80 B writes, but with TCP_NODELAY on: both pieces leave
# at once, no round waits for a delayed ACK. Nanosecond pcap.
# Capture on the client's TAP. Verify: no round took 20 ms or more.
# Fixed client source port 55210 (= samples/nagle-nodelay-control.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin nagle-nodelay-control pcap "$@"
lab_link tap
lab_capture client --time-stamp-precision=nano
lab_server echo-rounds
lab_client rounds --rounds 8 --nodelay 1 --sport 55210
sleep 0.3
lab_expect_ss client time-wait 1
lab_capture_stop
n=$(grep -c '"ms": [2-9][0-9]\.\|"ms": [0-9][0-9][0-9]' "$WORK/client.log")
lab_cmp "rounds >= 20 ms" "$n" == 0
lab_finish
