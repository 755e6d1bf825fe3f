#!/bin/bash
# reorder: the client sends 14480 bytes (10 full segments) in one write; the
# wire holds the client's 3rd data segment back until the 4th has been
# forwarded, so the server receives 4th before 3rd. Captured on the server's
# TAP (the receiver sees the out-of-order arrival and answers with a SACK
# duplicate ACK). Verify: the hold was released by the next segment (not by
# timeout); server read everything; client TIME-WAIT.
# Fixed client source port 55246 (= samples/reorder.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin reorder pcap "$@"
lab_link tap '{"id":"hold-data3","act":"hold","nth":3,"match":{"dir":"c2s","data":true},"release":{"dir":"c2s","data":true},"timeout":1.0}'
lab_capture server
lab_server bulk --size 14480
lab_client bulk --size 14480 --sport 55246
sleep 0.3
lab_expect_ss client time-wait 1
lab_capture_stop
lab_wire_stop
lab_expect_wire hold-data3 released == 1
lab_expect_wire hold-data3 timeouts == 0
lab_finish
