#!/bin/bash
# rst-injected-challenge-ack: as rst-injected-in-window, but the injected
# RST's sequence number is 1000 above what the server expects: inside the
# receive window, not exact. Linux (RFC 5961 §3.2) answers with a challenge
# ACK (to the real client, which ignores it) and keeps the connection:
# second request/response, client-first close. Capture on the server's TAP.
# Verify: injection done once; both peers finished normally; 1 RST.
# Fixed client source port 55258 (= samples/rst-injected-challenge-ack.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin rst-injected-challenge-ack pcap "$@"
lab_link tap '{"id":"inject","act":"inject_rst","to":"server","offset":1000,"match":{"dir":"s2c","data":true}}'
lab_capture server
lab_server inject-target --expect survive
lab_client inject-target --expect survive --sport 55258
sleep 0.3
lab_expect_ss client time-wait 1
lab_capture_stop
lab_wire_stop
lab_expect_wire inject applied == 1
lab_expect_pkts 'tcp[tcpflags] & tcp-rst != 0' == 1
lab_finish
