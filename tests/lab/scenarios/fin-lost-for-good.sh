#!/bin/bash
# fin-lost-for-good: the wire drops every FIN from the client. The client
# sends its request, waits 0.1 s (the server's ACK is back), then
# shutdown(SHUT_WR): its FIN never arrives, so the client repeats it on
# its retransmission timer (backing off). The server, still ESTABLISHED
# as far as it knows, answers PAUSE s after the request (legal: it never
# saw a FIN); the client ACKs the response and keeps waiting for a FIN
# that cannot come (the server's application never saw EOF). Capture on
# the client's TAP (the lost FINs are in it), stopped WAIT s after the
# response, between two retransmissions.
# Verify: every captured FIN came from the client and was dropped (wire);
# ss: client FIN-WAIT-1, server ESTAB; the server saw no EOF; N FINs.
# Fixed client source port 46220 (= samples/fin-lost-for-good.pcap,
# pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin fin-lost-for-good pcap "$@"
lab_link tap '{"id":"drop-fin","act":"drop","count":0,"match":{"dir":"c2s","flags":"F"}}'
lab_capture client
lab_server respond-hold --pause ${PAUSE:-0.65}
lab_client_bg half-close-wait --sport 46220
lab_wait_log client '"response"'
sleep ${WAIT:-1.75}
lab_expect_ss client fin-wait-1 1
lab_expect_ss server established 1
lab_capture_stop
lab_release
lab_log_has server '"no EOF"'
lab_log_has client '"no EOF"'
lab_wire_stop
n=$(tcpdump -nn -r "$CAP" 'tcp[tcpflags] & tcp-fin != 0' 2>/dev/null | wc -l)
lab_expect_wire drop-fin applied == "$n"
lab_expect_pkts 'src host 10.99.0.2 and tcp[tcpflags] & tcp-fin != 0' == 0
lab_expect_pkts 'tcp[tcpflags] & tcp-fin != 0' == ${NFIN:-5}
lab_finish
