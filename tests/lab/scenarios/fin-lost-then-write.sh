#!/bin/bash
# fin-lost-then-write: the wire drops every FIN from the client. The
# client sends its request and close()s 0.1 s later (the server's ACK is
# back) without waiting for the answer: its FIN never arrives, its kernel
# repeats it (the socket is orphaned in FIN-WAIT-1). The server, still
# ESTABLISHED as far as it knows (it never saw a FIN), answers 0.65 s
# after the request, an ordinary write; the client's socket is closed, so
# its kernel answers the data with a bare RST, and the server's next
# recv() gets ECONNRESET. Capture on the client's TAP (the lost FINs are
# in it).
# Verify: every captured FIN came from the client and was dropped; one
# RST, from the client, without ACK flag, after the response; the server
# saw the reset and no EOF before it; nothing left in ss on either side.
# Fixed client source port 46330 (= samples/fin-lost-then-write.pcap,
# pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin fin-lost-then-write pcap "$@"
lab_link tap '{"id":"drop-fin","act":"drop","count":0,"match":{"dir":"c2s","flags":"F"}}'
lab_capture client
lab_server respond-hold --pause 0.65 --expect reset
lab_client close-early --sport 46330
lab_wait_log server '"answered"'
sleep 0.3
lab_expect_ss client fin-wait-1 0
lab_expect_ss server established 0
lab_capture_stop
lab_release
lab_log_has server '"reset"'
lab_wire_stop
n=$(tcpdump -nn -r "$CAP" 'tcp[tcpflags] & tcp-fin != 0' 2>/dev/null | wc -l)
lab_expect_wire drop-fin applied == "$n"
lab_expect_pkts 'src host 10.99.0.2 and tcp[tcpflags] & tcp-fin != 0' == 0
lab_expect_pkts 'tcp[tcpflags] & tcp-fin != 0' == 3
lab_expect_pkts 'src host 10.99.0.1 and tcp[tcpflags] == tcp-rst' == 1
lab_expect_before 'src host 10.99.0.2 and tcp[tcpflags] & tcp-push != 0' 'tcp[tcpflags] & tcp-rst != 0'
lab_finish
