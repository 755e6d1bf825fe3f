#!/bin/bash
# rst-injected-in-window: after the server's first response and the
# client's ACK of it have passed the wire, the wire injects toward the server a RST+ACK that claims to come
# from the client, with exactly the sequence number the server expects
# (TTL 100, IP ID 0x5eed; the client's own packets have TTL 64). The
# server's socket is reset. 0.3 s later the real client sends its second
# request; the server's kernel no longer knows the connection and answers
# with a bare RST; the client's recv() fails with ECONNRESET.
# Capture on the server's TAP. Verify: injection done once; server saw the
# reset; client saw the reset; 2 RSTs captured.
# Fixed client source port 55272 (= samples/rst-injected-in-window.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin rst-injected-in-window pcap "$@"
lab_link tap '{"id":"inject","act":"inject_rst","to":"server","offset":0,"nth":2,"match":{"dir":"c2s","flags":"A","noflags":"SFRP","data":false}}'
lab_capture server
lab_server inject-target --expect reset
lab_client inject-target --expect reset --sport 55272
sleep 0.2
lab_expect_ss client all 0
lab_expect_ss server connected 0
lab_capture_stop
lab_wire_stop
lab_release
lab_expect_wire inject applied == 1
lab_log_has server '"reset"'
lab_log_has client '"reset"'
lab_expect_pkts 'tcp[tcpflags] & tcp-rst != 0' == 2
lab_expect_pkts 'tcp[tcpflags] & tcp-rst != 0 and ip[8] == 100' == 1
lab_finish
