#!/bin/bash
# close-with-unread-data: the client sends 100 bytes; the server accepts,
# waits until they have arrived, and close()s without reading them. Linux
# sends RST+ACK (not FIN). The client's recv() fails with ECONNRESET.
# Capture on the client's TAP. Verify: client saw the reset; 1 RST, 0 FIN.
# Fixed client source port 45160 (= samples/close-with-unread-data.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin close-with-unread-data pcap "$@"
lab_link tap
lab_capture client
lab_server close-unread
lab_client expect-reset --sport 45160
sleep 0.3
lab_expect_ss client all 0
lab_expect_ss server connected 0
lab_capture_stop
lab_log_has client '"reset"'
lab_expect_pkts 'tcp[tcpflags] & tcp-rst != 0' == 1
lab_expect_pkts 'tcp[tcpflags] & tcp-fin != 0' == 0
lab_finish
