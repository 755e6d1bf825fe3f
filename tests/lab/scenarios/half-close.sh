#!/bin/bash
# half-close: the client sends a 100-byte request and shutdown(SHUT_WR)
# (FIN); the server reads to EOF and then keeps sending: 3 x 1000 bytes,
# 50 ms apart, then closes. The client reads all to EOF and closes.
# The FIN follows the request within microseconds and races the server's
# immediate ACK of the request; if that ACK reaches the wire before the
# client's FIN, the wire holds it until the FIN has passed, so the order is
# always request, FIN, ACK 101 (as in samples/). Capture on the client's
# TAP. Verify: no hold timed out; the client's FIN precedes the server's
# ACK; client in TIME-WAIT; server data after the client's FIN; 2 FINs.
# Fixed client source port 45178 (= samples/half-close.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin half-close pcap "$@"
lab_link tap '{"id":"ack-after-fin","act":"hold","match":{"dir":"s2c","flags":"A","noflags":"SFRP","data":false,"before_fin":"c2s"},"release":{"dir":"c2s","flags":"F"},"timeout":1.0}'
lab_capture client
lab_server half-close
lab_client half-close --sport 45178
sleep 0.3
lab_expect_ss client time-wait 1
lab_capture_stop
lab_wire_stop
lab_expect_wire ack-after-fin timeouts == 0
lab_expect_before 'src host 10.99.0.1 and tcp[tcpflags] & tcp-fin != 0' \
	'src port 9000 and tcp[tcpflags] == tcp-ack'
lab_expect_pkts 'tcp[tcpflags] & tcp-fin != 0' == 2
lab_expect_pkts 'src port 9000 and greater 1000' == 3
lab_finish
