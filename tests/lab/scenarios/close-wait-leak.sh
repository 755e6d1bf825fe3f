#!/bin/bash
# close-wait-leak: a server that reads each client's EOF but never calls
# close(). Six clients in turn (0.1 s apart): request (100 B), response
# (200 B), the client closes; the server's kernel ACKs the FIN and the
# socket stays in CLOSE-WAIT, the client's in FIN-WAIT-2. Capture on the
# server's TAP; it ends 0.5 s after the last FIN.
# Verify: ss shows 6 CLOSE-WAIT on the server and 6 FIN-WAIT-2 on the
# client; exactly 6 FINs, all from the client; 54 frames (9 per connection).
# Fixed client source ports 46100, 46102, ..., 46110 (= samples/close-wait-leak.pcap,
# pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin close-wait-leak pcap "$@"
lab_link tap
lab_capture server
lab_server serve --rounds 6 --keep 6
lab_client clean --rounds 6 --gap 0.1 --sport 46100,46102,46104,46106,46108,46110
sleep 0.5
lab_expect_ss server close-wait 6
lab_expect_ss client fin-wait-2 6
lab_capture_stop
lab_expect_pkts 'tcp[tcpflags] & tcp-fin != 0' == 6
lab_expect_pkts 'src host 10.99.0.1 and tcp[tcpflags] & tcp-fin != 0' == 6
lab_expect_pkts '' == 54
lab_finish
