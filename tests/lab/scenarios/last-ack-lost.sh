#!/bin/bash
# last-ack-lost: request/response, client closes first, server closes on
# EOF; the wire drops the client's final ACK (the first pure ACK after both
# FINs). The server (LAST-ACK) retransmits its FIN, the client (TIME-WAIT)
# ACKs it again. Capture on the client's TAP.
# Verify: wire dropped that ACK; the server FIN appears twice; client in
# TIME-WAIT, server socket gone.
# Fixed client source port 56032 (= samples/last-ack-lost.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin last-ack-lost pcap "$@"
lab_link tap '{"id":"drop-last-ack","act":"drop","match":{"dir":"c2s","flags":"A","noflags":"SFRP","data":false,"fins_seen":2}}'
lab_capture client
lab_server clean
lab_client clean --sport 56032
sleep 0.9
lab_expect_ss client time-wait 1
lab_expect_ss server connected 0
lab_capture_stop
lab_wire_stop
lab_expect_wire drop-last-ack applied == 1
lab_expect_pkts 'src port 9000 and tcp[tcpflags] & tcp-fin != 0' == 2
lab_finish
