#!/bin/bash
# rto-retransmission: the wire drops the client's request (the first data
# segment, a single 100 B segment: nothing follows it, so no duplicate
# ACK can trigger a fast retransmission). The client's namespace has
# tcp_early_retrans=0 (no tail loss probe), so only the retransmission
# timer recovers it: the same segment again after one RTO (~200 ms, the
# Linux minimum), then response and a client-first close.
# Capture on the client's TAP (the original is in it).
# Verify: drop applied once; the client's nstat: TcpExtTCPTimeouts >= 1,
# TcpExtTCPLossProbes == 0, TcpRetransSegs == 1; 2 request segments with
# the same sequence range, >= 0.2 s apart; client TIME-WAIT.
# Fixed client source port 46230 (= samples/rto-retransmission.pcap,
# pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin rto-retransmission pcap "$@"
lab_sysctl "$NS_C" net.ipv4.tcp_early_retrans=0
lab_link tap '{"id":"drop-req","act":"drop","match":{"dir":"c2s","data":true}}'
lab_capture client
lab_server clean
lab_client clean --sport 46230
sleep 0.3
lab_expect_ss client time-wait 1
lab_expect_nstat client TcpExtTCPTimeouts ">=" 1
lab_expect_nstat client TcpExtTCPLossProbes == 0
lab_expect_nstat client TcpRetransSegs == 1
lab_capture_stop
lab_wire_stop
lab_expect_wire drop-req applied == 1
lab_expect_pkts 'src host 10.99.0.1 and tcp[tcpflags] & tcp-push != 0' == 2
gap=$(tcpdump -tt -nn -r "$CAP" 'src host 10.99.0.1 and tcp[tcpflags] & tcp-push != 0' 2>/dev/null |
	awk 'NR == 1 { t = $1 } NR == 2 { printf "%d", ($1 - t) * 1000 }')
lab_cmp "ms between original and retransmission" "$gap" ">=" 200
lab_finish
