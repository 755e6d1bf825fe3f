#!/bin/bash
# fin-lost-once: request/response, the client closes; the wire drops its
# first FIN. The client sends the FIN again (probe/RTO, ~200+ ms later), the
# server ACKs and closes. Capture on the client's TAP.
# Verify: wire dropped one FIN; 3 FINs captured (2 client, 1 server);
# client in TIME-WAIT.
# Fixed client source port 45176 (= samples/fin-lost-once.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin fin-lost-once pcap "$@"
lab_link tap '{"id":"drop-fin","act":"drop","match":{"dir":"c2s","flags":"F"}}'
lab_capture client
lab_server clean
lab_client clean --sport 45176
sleep 0.8
lab_expect_ss client time-wait 1
lab_capture_stop
lab_wire_stop
lab_expect_wire drop-fin applied == 1
lab_expect_pkts 'tcp[tcpflags] & tcp-fin != 0' == 3
lab_finish
