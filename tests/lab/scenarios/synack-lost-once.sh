#!/bin/bash
# synack-lost-once: the wire drops the server's first SYN-ACK. The client
# repeats its SYN after 1 s and the server answers it with a new SYN-ACK.
# Capture on the server's TAP (the lost SYN-ACK left the server, so it is
# in the capture). The client's SYN timer and the server's SYN-ACK timer
# both fire about 1 s after the start, within microseconds: whichever
# retransmission reaches the wire first is held until the other one has
# passed (rule cross-retrans), so they always cross: the server sends its
# timer SYN-ACK, then gets the repeated SYN and answers it with another
# SYN-ACK. (Unheld, the client's SYN sometimes arrived first; the server
# then answered it and rearmed its timer: one SYN-ACK fewer.)
# The client's ACK of the first SYN-ACK to arrive
# completes connect(); the second SYN-ACK is answered by a second ACK, which
# would race the request: the client waits 0.1 s after connect() (--settle),
# so the order is always ACK, ACK, request.
# Verify: drop rule applied once; the hold released by the other
# retransmission (not by timeout); 3 SYN-ACKs captured; the client's
# second ACK precedes its request; client ends in TIME-WAIT.
# Fixed client source port 37970 (= samples/synack-lost-once.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin synack-lost-once pcap "$@"
lab_link tap '{"id":"drop-synack","act":"drop","match":{"dir":"s2c","flags":"SA"}}' \
	'{"id":"cross-retrans","act":"hold","nth":3,"match":{"flags":"S"},"release":{"dir":"other","flags":"S"},"timeout":1.0}'
lab_capture server
lab_server clean
lab_client clean --settle 0.1 --sport 37970
sleep 0.3
lab_expect_ss client time-wait 1
lab_capture_stop
lab_wire_stop
lab_expect_wire drop-synack applied == 1
lab_expect_wire cross-retrans released == 1
lab_expect_wire cross-retrans timeouts == 0
# 3 SYN-ACKs: the dropped one, the server's timer retransmission, the
# answer to the client's repeated SYN (the shape of samples/)
lab_expect_pkts 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn|tcp-ack' == 3
lab_expect_pkts 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn' == 2
lab_expect_flags 'src host 10.99.0.1' 'S S . . P.'
lab_finish
