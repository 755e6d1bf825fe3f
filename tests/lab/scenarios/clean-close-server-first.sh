#!/bin/bash
# clean-close-server-first: 100-byte request, 200-byte response, the server
# closes right after answering; the client reads to EOF and closes.
# Capture on the client's TAP. Verify: server in TIME-WAIT, client has no
# socket left; 2 FINs, no RST.
# Fixed client source port 45140 (= samples/clean-close-server-first.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin clean-close-server-first pcap "$@"
lab_link tap
lab_capture client
lab_server server-first
lab_client server-first --sport 45140
sleep 0.3
lab_expect_ss server time-wait 1
lab_expect_ss client connected 0
lab_capture_stop
lab_expect_pkts 'tcp[tcpflags] & tcp-fin != 0' == 2
lab_expect_pkts 'tcp[tcpflags] & tcp-rst != 0' == 0
lab_finish
