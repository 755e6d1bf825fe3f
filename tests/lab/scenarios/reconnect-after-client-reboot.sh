#!/bin/bash
# reconnect-after-client-reboot: conn 1: request/response, then the client
# keeps it open. The client host "reboots" (lab_reboot client: unplugged,
# processes killed, namespace recreated): the connection is half-open,
# alive only at the server. The rebooted client connects again from the
# same port (the same 4-tuple): its SYN reaches a server socket that is
# ESTABLISHED, which answers with a challenge ACK (RFC 5961 §4); the
# client, in SYN-SENT, answers that unacceptable ACK with an RST whose
# sequence number is exactly what the server expects, so the old
# connection is reset; the client's SYN, repeated ~10 ms later (Linux
# re-arms its SYN timer at the minimum after that RST), reaches the
# listener and conn 2 proceeds (request/response, the client closes).
# Capture on the server's TAP.
# Verify: the server's conn 1 ended by a reset (its log); 3 SYNs from the
# client port (1 for conn 1, 2 for conn 2); one challenge ACK (a pure ACK
# from the server right after the second SYN); one RST, from the client,
# without ACK flag; server: no ESTAB left, the client: TIME-WAIT.
# Fixed client source port 46340 for every connection (= samples/reconnect-after-client-reboot.pcap,
# pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin reconnect-after-client-reboot pcap "$@"
lab_link tap
lab_capture server
lab_server reconnect
lab_client_bg request-hold --sport 46340
lab_wait_log client '"idle"'
sleep 0.2
lab_reboot client
lab_client clean --sport 46340
sleep 0.3
lab_expect_ss client time-wait 1
lab_expect_ss server established 0
lab_capture_stop
lab_release
lab_log_has server '"conn 1"'
lab_expect_pkts 'src port 46340 and tcp[tcpflags] == tcp-syn' == 3
lab_expect_pkts 'src host 10.99.0.1 and tcp[tcpflags] == tcp-rst' == 1
lab_expect_pkts 'tcp[tcpflags] & tcp-rst != 0' == 1
lab_expect_flags 'src host 10.99.0.1' "S . P. . S R S . P. . F. ."
lab_finish
