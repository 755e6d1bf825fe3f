#!/bin/bash
# refused: connect() to a port with no listener; the server's kernel answers
# the SYN with RST+ACK. Capture on the client's TAP.
# Verify: the client got ECONNREFUSED; capture = 1 SYN + 1 RST.
# Fixed client source port 55230 (= samples/refused.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin refused pcap "$@"
lab_link tap
lab_capture client
lab_client refused --sport 55230
lab_capture_stop
lab_log_has client '"refused"'
lab_expect_pkts 'tcp[tcpflags] & tcp-syn != 0' == 1
lab_expect_pkts 'tcp[tcpflags] & tcp-rst != 0' == 1
lab_finish
