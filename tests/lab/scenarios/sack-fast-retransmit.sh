#!/bin/bash
# sack-fast-retransmit: the client sends 30000 bytes in one write; the wire
# drops the client's 5th data segment. The server's duplicate ACKs carry
# SACK blocks and the client fast-retransmits the hole. Then "ok" (2 B) and
# a client-first close. Capture on the client's TAP (sender side: the
# original segment is in the capture, so is its retransmission).
# Verify: wire dropped one frame; the server read all 30000 bytes; SACK
# options in the capture; client in TIME-WAIT.
# Fixed client source port 38102 (= samples/sack-fast-retransmit.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin sack-fast-retransmit pcap "$@"
lab_link tap '{"id":"drop-data5","act":"drop","nth":5,"match":{"dir":"c2s","data":true}}'
lab_capture client
lab_server bulk --size 30000
lab_client bulk --size 30000 --sport 38102
sleep 0.3
lab_expect_ss client time-wait 1
lab_capture_stop
lab_wire_stop
lab_expect_wire drop-data5 applied == 1
lab_expect_pkts 'src port 9000 and tcp[12] > 0x80' ">=" 3
lab_finish
