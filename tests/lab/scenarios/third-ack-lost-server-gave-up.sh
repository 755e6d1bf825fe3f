#!/bin/bash
# third-ack-lost-server-gave-up: the wire drops every pure ACK from the
# client, so the server never sees the handshake complete. The server's
# namespace has tcp_synack_retries=1: it sends its SYN-ACK again after 1 s,
# then (at ~3 s) drops the request silently. The listener never accept()s
# anything (the connection never reaches its queue). The client, whose
# connect() returned at once, sends its request 4 s after connect()
# (--settle 4): the server's kernel has no connection for it and answers
# with a bare RST; the client's recv() gets ECONNRESET.
# Capture on the client's TAP.
# Verify: 2 pure ACKs dropped; 2 SYN-ACKs; one RST, from the server, after
# the request; the client saw the reset; no socket left on either side
# but the listener.
# Fixed client source port 46210 (= samples/third-ack-lost-server-gave-up.pcap,
# pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin third-ack-lost-server-gave-up pcap "$@"
lab_sysctl "$NS_S" net.ipv4.tcp_synack_retries=1
lab_link tap '{"id":"drop-acks","act":"drop","count":0,"match":{"dir":"c2s","flags":"A","noflags":"SFRP","data":false}}'
lab_capture client
lab_server no-accept
lab_client expect-reset --settle 4 --sport 46210
lab_log_has client '"reset"'
sleep 0.2
lab_expect_ss server syn-recv 0
lab_expect_ss server established 0
lab_expect_ss client established 0
lab_capture_stop
lab_wire_stop
lab_expect_wire drop-acks applied == 2
lab_expect_pkts 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn|tcp-ack' == 2
lab_expect_pkts 'tcp[tcpflags] & tcp-rst != 0' == 1
lab_expect_flags '' "S S. . S. . P. R"
lab_finish
