#!/bin/bash
# accept-queue-full: the server listens with backlog 1 (the accept queue
# holds 2) and never calls accept(); the protocol is server-speaks-first,
# so the clients only connect and wait. Three connections, one after the
# other. Conn 1 fills the first slot. The wire holds conn 2's third ACK
# until conn 3's SYN has passed, so the server answers SYN 3 while the
# queue still has room (a SYN that meets a full queue is dropped: a
# different story); then ACK 2 fills the queue and ACK 3 finds it full:
# the kernel drops it (tcp_abort_on_overflow=0, ListenOverflows +1) and
# keeps the request in SYN-RECEIVED, so it sends SYN-ACK 3 again at ~1 s
# and ~3 s, each answered by the client, whose connect() returned long ago.
# Capture on the server's TAP for ~3.5 s.
# Verify: the hold released once, no timeout; server ss: 2 ESTAB (in the
# accept queue, LISTEN Recv-Q 2) and 1 SYN-RECV; client: 3 ESTAB;
# TcpExtListenOverflows >= 1 (= the ACKs dropped); 3 SYNs; 5 SYN-ACKs;
# conn 3's client sent 3 pure ACKs.
# Fixed client source ports 46010, 46012, 46014 (= samples/accept-queue-full.pcap,
# pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin accept-queue-full pcap "$@"
lab_link tap '{"id":"hold-ack2","act":"hold","nth":2,"match":{"dir":"c2s","flags":"A","noflags":"SFRP","data":false},"release":{"dir":"c2s","flags":"S"},"timeout":2.0}'
lab_capture server
lab_server no-accept --backlog 1
lab_client_bg hold-open --rounds 3 --sport 46010,46012,46014
lab_wait_log client "all connected"
sleep 3.5
lab_expect_ss server established 2
lab_expect_ss server syn-recv 1
lab_expect_ss client established 3
q=$(ip netns exec "$NS_S" ss -ltnH "sport = :$PORT" | awk '{ print $2 }')
lab_cmp "server accept queue (LISTEN Recv-Q)" "$q" == 2
lab_expect_nstat server TcpExtListenOverflows ">=" 1
lab_capture_stop
lab_wire_stop
lab_expect_wire hold-ack2 released == 1
lab_expect_wire hold-ack2 timeouts == 0
lab_expect_pkts 'tcp[tcpflags] == tcp-syn' == 3
lab_expect_pkts 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn|tcp-ack' == 5
lab_expect_pkts 'src port 46014 and tcp[tcpflags] == tcp-ack' == 3
lab_finish
