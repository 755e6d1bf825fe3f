#!/bin/bash
# third-ack-lost: the wire drops the client's handshake ACK. The protocol
# is server-speaks-first (the greeting waits for accept()), so the client
# sends nothing more: the server stays in SYN-RECEIVED and retransmits its
# SYN-ACK after 1 s; the client re-ACKs, accept() returns, greeting (50 B),
# request (100 B), client closes first.
# Capture on the client's TAP. Verify: wire rule applied once; 2 SYN-ACKs.
. "$(dirname "$0")/../lib.sh"
lab_begin third-ack-lost pcap "$@"
lab_link tap '{"id":"drop-ack3","act":"drop","match":{"dir":"c2s","flags":"A","noflags":"SFRP","data":false}}'
lab_capture client
lab_server greet
lab_client greet
sleep 0.3
lab_expect_ss client time-wait 1
lab_capture_stop
lab_wire_stop
lab_expect_wire drop-ack3 applied == 1
lab_expect_pkts 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn|tcp-ack' == 2
lab_finish
