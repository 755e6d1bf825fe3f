#!/bin/bash
# duplicate-segment: the client sends 14480 bytes; the wire forwards the
# client's 2nd data segment twice (byte-identical frames, same IP ID), as a
# network that duplicates. Captured on the server's TAP: the copy follows
# the original and the server answers it with a D-SACK.
# Verify: the dup rule applied once; server read everything; client TIME-WAIT.
# Fixed client source port 45166 (= samples/duplicate-segment.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin duplicate-segment pcap "$@"
lab_link tap '{"id":"dup-data2","act":"dup","nth":2,"match":{"dir":"c2s","data":true}}'
lab_capture server
lab_server bulk --size 14480
lab_client bulk --size 14480 --sport 45166
sleep 0.3
lab_expect_ss client time-wait 1
lab_capture_stop
lab_wire_stop
lab_expect_wire dup-data2 applied == 1
lab_finish
