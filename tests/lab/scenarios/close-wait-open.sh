#!/bin/bash
# close-wait-open: request/response, the client closes; the server reads
# EOF but never calls close(). The capture ends with the server in
# CLOSE-WAIT and the client in FIN-WAIT-2. Capture on the server's TAP.
# Verify: ss shows CLOSE-WAIT on the server and FIN-WAIT-2 on the client
# just before the capture stops; exactly 1 FIN.
# Fixed client source port 45150 (= samples/close-wait-open.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin close-wait-open pcap "$@"
lab_link tap
lab_capture server
lab_server close-wait
lab_client clean --sport 45150
sleep 0.5
lab_expect_ss server close-wait 1
lab_expect_ss client fin-wait-2 1
lab_capture_stop
lab_expect_pkts 'tcp[tcpflags] & tcp-fin != 0' == 1
lab_finish
