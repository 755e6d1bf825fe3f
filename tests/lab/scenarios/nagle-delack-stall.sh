#!/bin/bash
# nagle-delack-stall: 8 request/response rounds; each request is written as
# two small writes (20 B + 80 B) with TCP_NODELAY off, the 100 B response is
# read before the next round. Once the server's quick-ACK phase is over it
# delays its ACK of the 20 B head (~40 ms) and the client's Nagle holds the
# 80 B body until that ACK: a ~40 ms stall per round. Nanosecond pcap.
# Capture on the client's TAP. Verify: rounds >= 30 ms appear in the
# client's log (at least 3 of them); client in TIME-WAIT.
# Fixed client source port 56054 (= samples/nagle-delack-stall.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin nagle-delack-stall pcap "$@"
lab_link tap
lab_capture client --time-stamp-precision=nano
lab_server echo-rounds
lab_client rounds --rounds 8 --nodelay 0 --sport 56054
sleep 0.3
lab_expect_ss client time-wait 1
lab_capture_stop
n=$(grep -c '"ms": [3-9][0-9]\.' "$WORK/client.log")
lab_cmp "rounds stalled >= 30 ms" "$n" ">=" 3
lab_finish
