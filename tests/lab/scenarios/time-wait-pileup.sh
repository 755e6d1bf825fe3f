#!/bin/bash
# time-wait-pileup: many short connections that the server closes first.
# 50 clients in turn, 20 ms apart; each connects and waits; the server
# accept()s and close()s at once (no data: a service that hangs up on
# every connection); the client reads EOF and closes: SYN, SYN-ACK, ACK,
# S->C FIN, C->S FIN+ACK, S->C ACK. Every server socket ends in TIME-WAIT
# (60 s, longer than the capture). Capture on the server's TAP.
# Verify: ss shows 50 TIME-WAIT on the server and none on the client;
# 300 frames; 100 FINs, 50 from the server.
# Fixed client source ports 47000, 47002, ..., 47098 (= samples/time-wait-pileup.pcap,
# pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin time-wait-pileup pcap "$@"
lab_link tap
lab_capture server
lab_server reuse --rounds 50 --req 0 --resp 0
lab_client reuse --rounds 50 --req 0 --resp 0 --gap 0.02 \
	--sport $(seq -s, 47000 2 47098)
sleep 0.3
lab_expect_ss server time-wait 50
lab_expect_ss client time-wait 0
lab_capture_stop
lab_expect_pkts '' == 300
lab_expect_pkts 'tcp[tcpflags] & tcp-fin != 0' == 100
lab_expect_pkts 'src host 10.99.0.2 and tcp[tcpflags] & tcp-fin != 0' == 50
lab_finish
