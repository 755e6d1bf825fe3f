#!/bin/bash
# port-reuse: the client binds 10.99.0.1:40000 (SO_REUSEADDR) and makes two
# connections in a row to 10.99.0.2:9000, i.e. the same 4-tuple. In each
# the server closes first, so the server holds the tuple in TIME-WAIT when
# the second SYN arrives (0.2 s later); Linux accepts a new SYN in TIME-WAIT
# whose timestamp/sequence is newer, and the second connection completes.
# Capture on the client's TAP. Verify: both connections succeeded (client
# log); 2 SYNs with the same source port; server ends with 1 TIME-WAIT.
# Fixed client source port 40000 for both connections.
. "$(dirname "$0")/../lib.sh"
lab_begin port-reuse pcap "$@"
lab_link tap
lab_capture client
lab_server reuse --rounds 2
lab_client reuse --rounds 2 --sport 40000
sleep 0.3
lab_expect_ss server time-wait 1
lab_capture_stop
lab_expect_pkts 'src port 40000 and tcp[tcpflags] == tcp-syn' == 2
lab_expect_pkts 'tcp[tcpflags] & tcp-rst != 0' == 0
lab_finish
