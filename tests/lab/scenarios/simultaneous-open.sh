#!/bin/bash
# simultaneous-open: both hosts connect() to each other at once: the
# "server" binds 10.99.0.2:9000 and connects to 10.99.0.1:46300, the
# client binds 10.99.0.1:46300 and connects to 10.99.0.2:9000 (no
# listener anywhere). The wire holds the first SYN (the server's: it
# starts first) until the other one has passed, so the two SYNs cross:
# each side gets a SYN in SYN-SENT, goes to SYN-RECEIVED and answers with a
# SYN-ACK; each SYN-ACK completes the other side. Then request (100 B),
# response (200 B), the client closes first. The client waits 0.2 s after
# connect() (the second SYN-ACK must not race its request).
# Capture on the client's TAP.
# Verify: the hold released once, no timeout; 2 SYNs and 2 SYN-ACKs, one
# of each per side; the client's SYN first; client TIME-WAIT.
# Fixed client source port 46300 (= samples/simultaneous-open.pcap,
# pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin simultaneous-open pcap "$@"
lab_link tap '{"id":"cross-syns","act":"hold","match":{"flags":"S","noflags":"A"},"release":{"dir":"other","flags":"S","noflags":"A"},"timeout":1.0}'
lab_capture client
lab_server simopen --peer-ip "$CLIENT_IP" --peer-port 46300
lab_client clean --settle 0.2 --sport 46300
sleep 0.3
lab_expect_ss client time-wait 1
lab_capture_stop
lab_wire_stop
lab_expect_wire cross-syns released == 1
lab_expect_wire cross-syns timeouts == 0
lab_expect_pkts 'tcp[tcpflags] == tcp-syn' == 2
lab_expect_pkts 'src host 10.99.0.1 and tcp[tcpflags] == tcp-syn|tcp-ack' == 1
lab_expect_pkts 'src host 10.99.0.2 and tcp[tcpflags] == tcp-syn|tcp-ack' == 1
lab_expect_pkts 'tcp[tcpflags] & tcp-rst != 0' == 0
lab_expect_flags '' "S S S. S. . ."
lab_expect_before 'src host 10.99.0.1 and tcp[tcpflags] == tcp-syn' 'src host 10.99.0.2 and tcp[tcpflags] == tcp-syn'
lab_finish
