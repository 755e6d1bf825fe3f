#!/bin/bash
# synack-lost-once: the wire drops the server's first SYN-ACK. The client
# repeats its SYN after 1 s and the server answers it with a new SYN-ACK.
# Capture on the server's TAP (the lost SYN-ACK left the server, so it is
# in the capture). Verify: wire rule applied once; >= 2 SYN-ACKs captured;
# client ends in TIME-WAIT.
# Fixed client source port 37970 (= samples/synack-lost-once.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin synack-lost-once pcap "$@"
lab_link tap '{"id":"drop-synack","act":"drop","match":{"dir":"s2c","flags":"SA"}}'
lab_capture server
lab_server clean
lab_client clean --sport 37970
sleep 0.3
lab_expect_ss client time-wait 1
lab_capture_stop
lab_wire_stop
lab_expect_wire drop-synack applied == 1
lab_expect_pkts 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn|tcp-ack' ">=" 2
lab_expect_pkts 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn' == 2
lab_finish
