#!/bin/bash
# stale-segment-reused-tuple: two connections on the same 4-tuple (client
# 10.99.0.1:46290, as in port-reuse: the server closes first and holds the
# tuple in TIME-WAIT when the second SYN arrives 0.2 s later). The wire
# forwards conn 1's request and keeps a byte-identical copy of it (a
# duplicate delayed in the network), which it releases right after conn
# 2's request: a segment of the earlier incarnation (sequence numbers
# from conn 1's ISN, an older TSval, an ack of conn 1's server ISN)
# arrives inside conn 2. The server's kernel drops it (PAWS / out of
# window) and answers with a duplicate ACK of conn 2's state; conn 2
# carries on and closes normally. Capture on the server's TAP.
# Verify: the copy was released once, no timeout; both connections
# succeeded; 3 client data frames, 2 of them byte-identical (the same
# request payload at the same sequence numbers: conn 1's); no RST;
# server 1 TIME-WAIT.
# Fixed client source port 46290 for both connections (= samples/stale-segment-reused-tuple.pcap,
# pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin stale-segment-reused-tuple pcap "$@"
lab_link tap '{"id":"stale-copy","act":"hold","copy":true,"match":{"dir":"c2s","data":true},"release":{"dir":"c2s","data":true},"timeout":5.0}'
lab_capture server
lab_server reuse --rounds 2
lab_client reuse --rounds 2 --sport 46290
sleep 0.3
lab_expect_ss server time-wait 1
lab_capture_stop
lab_wire_stop
lab_expect_wire stale-copy released == 1
lab_expect_wire stale-copy timeouts == 0
lab_expect_pkts 'src port 46290 and tcp[tcpflags] == tcp-syn' == 2
lab_expect_pkts 'src host 10.99.0.1 and tcp[tcpflags] & tcp-push != 0' == 3
lab_expect_pkts 'tcp[tcpflags] & tcp-rst != 0' == 0
n=$(tcpdump -nn -S -r "$CAP" 'src host 10.99.0.1 and tcp[tcpflags] & tcp-push != 0' 2>/dev/null |
	sed -n 's/.* seq \([0-9:]*\), ack \([0-9]*\),.*TS val \([0-9]*\).*/\1 \2 \3/p' | sort | uniq -d | wc -l)
lab_cmp "byte-identical stale copies (seq, ack, TSval)" "$n" == 1
lab_finish
