#!/bin/bash
# clean-close-client-first: 100-byte request, 200-byte response, the client
# closes first (FIN, FIN+ACK, ACK). TAP link, capture on the client's TAP.
# Verify: both peers exit 0; ss shows the client in TIME-WAIT and nothing
# left on the server; 2 FINs in the capture.
# Fixed client source port 45126 (= samples/clean-close-client-first.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin clean-close-client-first pcap "$@"
lab_link tap
lab_capture client
lab_server clean
lab_client clean --sport 45126
sleep 0.3
lab_expect_ss client time-wait 1
lab_expect_ss server connected 0
lab_capture_stop
lab_expect_pkts 'tcp[tcpflags] & tcp-fin != 0' == 2
lab_expect_pkts 'tcp[tcpflags] & tcp-rst != 0' == 0
lab_finish
