#!/bin/bash
# simultaneous-close: request/response, then both peers close() at the same
# agreed instant. The wire holds the first FIN it sees until the other
# side's FIN has passed, so the FINs always cross: both ends go
# FIN-WAIT-1 -> CLOSING -> TIME-WAIT. Capture on the client's TAP.
# Verify: the hold rule was released by the other FIN (not by timeout);
# both sides in TIME-WAIT; 2 FINs.
# Fixed client source port 38116 (= samples/simultaneous-close.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin simultaneous-close pcap "$@"
lab_link tap '{"id":"cross-fins","act":"hold","match":{"flags":"F"},"release":{"dir":"other","flags":"F"},"timeout":1.0}'
lab_capture client
at=$(date +%s.%N | awk '{printf "%.3f", $1 + 1.0}')
lab_server simultaneous --at "$at"
lab_client simultaneous --at "$at" --sport 38116
sleep 0.3
lab_expect_ss client time-wait 1
lab_expect_ss server time-wait 1
lab_capture_stop
lab_wire_stop
lab_expect_wire cross-fins released == 1
lab_expect_wire cross-fins timeouts == 0
lab_expect_pkts 'tcp[tcpflags] & tcp-fin != 0' == 2
lab_finish
