#!/bin/bash
# third-ack-lost-data-completes: the wire drops the client's handshake ACK
# and its ACK of the repeated SYN-ACK (the first two pure ACKs): the server
# stays in SYN-RECEIVED and accept() does not return. The client waits
# 1.5 s after connect() (--settle), then sends its request: the data
# segment's ACK completes the handshake at the server (Linux takes it in
# SYN-RECEIVED), accept() returns, the server answers; the client closes
# first. Capture on the client's TAP (the dropped ACKs are in it).
# Verify: drop rule applied twice; 2 SYN-ACKs; the request after the
# second SYN-ACK; client TIME-WAIT, server nothing left.
# Fixed client source port 46200 (= samples/third-ack-lost-data-completes.pcap,
# pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin third-ack-lost-data-completes pcap "$@"
lab_link tap '{"id":"drop-acks","act":"drop","count":2,"match":{"dir":"c2s","flags":"A","noflags":"SFRP","data":false}}'
lab_capture client
lab_server clean
lab_client clean --settle 1.5 --sport 46200
sleep 0.3
lab_expect_ss client time-wait 1
lab_expect_ss server time-wait 0
lab_capture_stop
lab_wire_stop
lab_expect_wire drop-acks applied == 2
lab_expect_pkts 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn|tcp-ack' == 2
lab_expect_flags 'src host 10.99.0.1' "S . . P. . F. ."
lab_finish
