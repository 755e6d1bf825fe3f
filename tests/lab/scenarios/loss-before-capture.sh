#!/bin/bash
# loss-before-capture: the same transfer as sack-fast-retransmit (30000 B,
# the wire drops the client's 5th data segment), but captured on the
# server's TAP, i.e. after the point of loss: the original segment is not
# in the capture (sequence gap), the server's SACKed duplicate ACKs are, and
# the retransmission fills the hole later.
# Verify: wire dropped one frame; server read everything; client TIME-WAIT.
# Fixed client source port 56038 (= samples/loss-before-capture.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin loss-before-capture pcap "$@"
lab_link tap '{"id":"drop-data5","act":"drop","nth":5,"match":{"dir":"c2s","data":true}}'
lab_capture server
lab_server bulk --size 30000
lab_client bulk --size 30000 --sport 56038
sleep 0.3
lab_expect_ss client time-wait 1
lab_capture_stop
lab_wire_stop
lab_expect_wire drop-data5 applied == 1
lab_finish
