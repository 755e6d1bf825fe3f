#!/bin/bash
# syn-cookies: a listener with backlog 4 under a small SYN flood: the wire
# injects 8 SYNs from spoofed 10.99.0.101..108 (ports 50101..50108, no TCP
# options) and drops every SYN-ACK going back to them. The first 5 fill
# the SYN queue (half-open requests, SYN-ACK repeated at ~1 s); from then
# on the kernel answers from a full queue with SYN cookies: no request is
# kept, so those SYN-ACKs are never repeated. 0.2 s later the real client
# connects: its SYN-ACK is a cookie too; its ACK carries the cookie back,
# the kernel rebuilds the connection from it, accept() returns, request /
# response, the client closes first. 2.2 s later a second connection
# (port 46362), answered with a cookie as well (the 5 requests are still
# kept): its frames show the capture going on past the 2 s by which a kept
# request repeats its SYN-ACK (at 1 s, then 3 s: the capture stops before
# the second repeats), so the cookie SYN-ACKs' missing repeats are seen.
# Capture on the server's TAP, ~2.6 s.
# Verify: the server's nstat: TcpExtSyncookiesSent == 4,
# TcpExtSyncookiesRecv == 1, TcpExtSyncookiesFailed == 0; ss: 5 SYN-RECV
# (the spoofed ones kept), client TIME-WAIT; 9 SYNs; SYN-ACKs: 9 first
# ones + 5 repeated (the cookie ones never).
# Fixed ports: the real client 46360 (= samples/syn-cookies.pcap, pinned
# by its .checks); the spoofed SYNs 50101..50108 (wire rule sport_base).
. "$(dirname "$0")/../lib.sh"
lab_begin syn-cookies pcap "$@"
lab_link tap '{"id":"flood","act":"inject_syns","n":8,"src_base":"10.99.0.101","sport_base":50101,"dst":"10.99.0.2","dport":9000}' \
	'{"id":"drop-synacks","act":"drop","count":0,"match":{"dir":"s2c","flags":"SA","dport_in":[50101,50108]}}'
for i in $(seq 101 108); do
	ip -n "$NS_S" neigh replace "10.99.0.$i" lladdr "$CLIENT_MAC" dev "$IFACE" nud permanent
done
lab_capture server
lab_server serve --rounds 2 --backlog 4
kill -USR1 "$WIRE_PID"
sleep 0.2
lab_client clean --sport 46360
sleep 2.2
lab_client clean --sport 46362
sleep 0.1
lab_expect_ss server syn-recv 5
lab_expect_ss client time-wait 2
lab_expect_nstat server TcpExtSyncookiesSent == 5
lab_expect_nstat server TcpExtSyncookiesRecv == 2
lab_expect_nstat server TcpExtSyncookiesFailed == 0
lab_capture_stop
lab_wire_stop
lab_expect_wire flood applied == 8
lab_expect_pkts 'tcp[tcpflags] == tcp-syn' == 10
lab_expect_pkts 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn|tcp-ack' == 15
lab_expect_pkts 'dst port 46360 and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn|tcp-ack' == 1
lab_finish
