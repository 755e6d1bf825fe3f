#!/bin/bash
# third-ack-lost: the wire drops the client's handshake ACK. The protocol
# is server-speaks-first (the greeting waits for accept()), so the client
# sends nothing more: the server stays in SYN-RECEIVED and retransmits its
# SYN-ACK after 1 s; the client re-ACKs, accept() returns, greeting (50 B),
# request (100 B), client closes first. The client's FIN follows its
# request within microseconds and races the server's immediate ACK of the
# request; if that ACK reaches the wire before the client's FIN, the wire
# holds it until the FIN has passed, so the order is always request, FIN,
# ACK 101, FIN+ACK (as in samples/).
# Capture on the client's TAP. Verify: drop rule applied once; no hold timed
# out; the client's FIN precedes the server's ACK; 2 SYN-ACKs.
# Fixed client source port 37974 (= samples/third-ack-lost.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin third-ack-lost pcap "$@"
lab_link tap '{"id":"drop-ack3","act":"drop","match":{"dir":"c2s","flags":"A","noflags":"SFRP","data":false}}' \
	'{"id":"ack-after-fin","act":"hold","match":{"dir":"s2c","flags":"A","noflags":"SFRP","data":false,"before_fin":"c2s"},"release":{"dir":"c2s","flags":"F"},"timeout":1.0}'
lab_capture client
lab_server greet
lab_client greet --sport 37974
sleep 0.3
lab_expect_ss client time-wait 1
lab_capture_stop
lab_wire_stop
lab_expect_wire drop-ack3 applied == 1
lab_expect_wire ack-after-fin timeouts == 0
lab_expect_before 'src host 10.99.0.1 and tcp[tcpflags] & tcp-fin != 0' \
	'src port 9000 and tcp[tcpflags] == tcp-ack'
lab_expect_pkts 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn|tcp-ack' == 2
lab_finish
