#!/bin/bash
# syn-unanswered: the wire drops every SYN (a blackholed service). The
# client uses a 2.5 s connect timeout: SYN at 0 s, 1 s, 2 s (Linux 6.x
# linear SYN timeouts), then the application gives up (no RST is sent for
# an aborted SYN-SENT socket). Capture on the client's TAP.
# (tcp_syn_retries=2 is no use here: with tcp_syn_linear_timeouts=4 the
# kernel's time budget for 2 retries lets it send 6 SYNs over 6 s.)
# Verify: wire dropped exactly 3 SYNs; client saw the timeout; capture has
# 3 packets, all SYNs.
# Fixed client source port 37956 (= samples/syn-unanswered.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin syn-unanswered pcap "$@"
lab_link tap '{"id":"blackhole","act":"drop","count":0,"match":{"dir":"c2s","flags":"S"}}'
lab_capture client
lab_server no-accept
lab_client unanswered --timeout 2.5 --sport 37956
lab_capture_stop
lab_wire_stop
lab_log_has client 'connect timed out'
lab_expect_wire blackhole applied == 3
lab_expect_pkts 'tcp[tcpflags] == tcp-syn' == 3
lab_expect_pkts 'tcp' == 3
lab_finish
