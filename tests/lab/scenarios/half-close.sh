#!/bin/bash
# half-close: the client sends a 100-byte request and shutdown(SHUT_WR)
# (FIN); the server reads to EOF and then keeps sending: 3 x 1000 bytes,
# 50 ms apart, then closes. The client reads all to EOF and closes.
# Capture on the client's TAP. Verify: client in TIME-WAIT; server data
# after the client's FIN; 2 FINs.
. "$(dirname "$0")/../lib.sh"
lab_begin half-close pcap "$@"
lab_link tap
lab_capture client
lab_server half-close
lab_client half-close
sleep 0.3
lab_expect_ss client time-wait 1
lab_capture_stop
lab_expect_pkts 'tcp[tcpflags] & tcp-fin != 0' == 2
lab_expect_pkts 'src port 9000 and greater 1000' == 3
lab_finish
