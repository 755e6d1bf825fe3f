#!/bin/bash
# rst-injected-out-of-window: as rst-injected-in-window, but the injected
# RST's sequence number is 2^30 beyond what the server expects, far outside
# its receive window. Linux (RFC 5961) drops it silently: no reset, no
# challenge ACK. The connection carries on: second request/response, then a
# client-first close. Capture on the server's TAP.
# Verify: injection done once; both peers finished normally; 1 RST
# captured (the injected one); client TIME-WAIT.
# Fixed client source port 55288 (= samples/rst-injected-out-of-window.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin rst-injected-out-of-window pcap "$@"
lab_link tap '{"id":"inject","act":"inject_rst","to":"server","offset":1073741824,"match":{"dir":"s2c","data":true}}'
lab_capture server
lab_server inject-target --expect survive
lab_client inject-target --expect survive --sport 55288
sleep 0.3
lab_expect_ss client time-wait 1
lab_capture_stop
lab_wire_stop
lab_expect_wire inject applied == 1
lab_expect_pkts 'tcp[tcpflags] & tcp-rst != 0' == 1
lab_finish
