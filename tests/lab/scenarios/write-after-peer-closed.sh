#!/bin/bash
# write-after-peer-closed: the server sends a 50-byte greeting and close()s
# (FIN). The client reads the greeting and EOF, then still writes 100 bytes:
# the server's socket is closed (orphan in FIN-WAIT-2), so its kernel
# answers with a bare RST. The client's second write fails (EPIPE/ECONNRESET).
# Capture on the client's TAP. Verify: client saw the failure; 1 RST,
# 1 FIN (the client never sends its own).
# Fixed client source port 37986 (= samples/write-after-peer-closed.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin write-after-peer-closed pcap "$@"
lab_link tap
lab_capture client
lab_server greet-close
lab_client write-after-close --sport 37986
sleep 0.2
lab_expect_ss client all 0
lab_expect_ss server connected 0
lab_capture_stop
lab_log_has client 'write failed'
lab_expect_pkts 'tcp[tcpflags] & tcp-rst != 0' == 1
lab_expect_pkts 'tcp[tcpflags] & tcp-fin != 0' == 1
lab_finish
