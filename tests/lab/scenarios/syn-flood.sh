#!/bin/bash
# syn-flood: half-open pile-up. The server listens (backlog 16) and never
# accept()s. The wire injects 12 SYNs from 12 spoofed private sources
# 10.99.0.101..112 (ports 50001..50012) toward it and drops every SYN-ACK
# coming back (the "sources" never answer). The server keeps 12 requests in
# SYN-RECEIVED and retransmits each SYN-ACK after ~1 s and ~3 s.
# Capture on the server's TAP for ~3.5 s. Verify: 12 SYNs injected;
# ss shows 12 SYN-RECV on the server; >= 24 SYN-ACKs captured.
# Fixed ports: the injected SYNs come from ports 50001..50012 (wire rule
# sport_base), equal to samples/syn-flood.pcap; there is no real client.
. "$(dirname "$0")/../lib.sh"
lab_begin syn-flood pcap "$@"
lab_link tap '{"id":"flood","act":"inject_syns","n":12,"src_base":"10.99.0.101","sport_base":50001,"dst":"10.99.0.2","dport":9000}' \
	'{"id":"drop-synacks","act":"drop","count":0,"match":{"dir":"s2c","flags":"SA"}}'
for i in $(seq 101 112); do
	ip -n "$NS_S" neigh replace "10.99.0.$i" lladdr "$CLIENT_MAC" dev "$IFACE" nud permanent
done
lab_capture server
lab_server no-accept --backlog 16
kill -USR1 "$WIRE_PID"
sleep 3.5
lab_expect_ss server syn-recv 12
lab_capture_stop
lab_wire_stop
lab_expect_wire flood applied == 12
lab_expect_pkts 'tcp[tcpflags] == tcp-syn' == 12
lab_expect_pkts 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn|tcp-ack' ">=" 24
lab_finish
