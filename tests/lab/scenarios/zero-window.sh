#!/bin/bash
# zero-window: the server listens with SO_RCVBUF=2048 and does not read for
# 1.5 s after accept(); the client writes 16000 bytes. The server's window
# closes (win 0), the client sends zero-window probes with backoff, then the
# server reads everything, the window reopens and the transfer completes.
# Nanosecond pcap, captured on the server's TAP.
# Verify: >= 1 zero-window advertisement and >= 2 probes-sized gaps; all
# data read; client TIME-WAIT.
# Fixed client source port 48860 (= samples/zero-window.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin zero-window pcap "$@"
lab_link tap
lab_capture server --time-stamp-precision=nano
lab_server bulk --size 16000 --rcvbuf 2048 --pause 1.5
lab_client bulk --size 16000 --sport 48860
sleep 0.3
lab_expect_ss client time-wait 1
lab_capture_stop
lab_expect_pkts 'src port 9000 and tcp[14:2] == 0 and tcp[tcpflags] & (tcp-rst|tcp-syn) == 0' ">=" 2
lab_finish
