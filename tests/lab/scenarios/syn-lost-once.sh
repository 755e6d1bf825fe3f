#!/bin/bash
# syn-lost-once: the wire drops the client's first SYN; the client sends it
# again 1 s later, then a normal exchange and client-first close.
# Capture on the client's TAP (the lost SYN is visible, it left the client).
# Verify: wire rule applied once; 2 SYNs captured; client in TIME-WAIT.
# Fixed client source port 38122 (= samples/syn-lost-once.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin syn-lost-once pcap "$@"
lab_link tap '{"id":"drop-syn","act":"drop","match":{"dir":"c2s","flags":"S","noflags":"A"}}'
lab_capture client
lab_server clean
lab_client clean --sport 38122
sleep 0.3
lab_expect_ss client time-wait 1
lab_capture_stop
lab_wire_stop
lab_expect_wire drop-syn applied == 1
lab_expect_pkts 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn' == 2
lab_finish
