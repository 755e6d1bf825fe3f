#!/bin/bash
# half-open-peer-rebooted: request/response, then the client stays idle
# for 3 s with its connection open (no keep-alive). Meanwhile the server
# host "reboots" (lab_server_reboot: unplugged, its processes killed, its
# namespace deleted and created again, plugged in again, no server
# program): the connection is half-open, alive only at the client. The
# client's next request reaches a kernel that knows no such connection:
# bare RST; the client's recv() gets ECONNRESET.
# Capture on the client's TAP.
# Verify: the client saw the reset; 2 requests, the second >= 3 s after
# the response; 1 RST from the server without ACK flag; 9 frames.
# Fixed client source port 46260 (= samples/half-open-peer-rebooted.pcap,
# pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin half-open-peer-rebooted pcap "$@"
lab_link tap
lab_capture client
lab_server respond-hold
lab_client_bg write-later --idle 3 --sport 46260
lab_wait_log client '"idle"'
sleep 0.2
lab_server_reboot
lab_wait_log client '"reset"' 8
lab_expect_ss client established 0
lab_capture_stop
lab_release
lab_wire_stop
lab_expect_pkts 'src host 10.99.0.1 and tcp[tcpflags] & tcp-push != 0' == 2
lab_expect_pkts 'src host 10.99.0.2 and tcp[tcpflags] == tcp-rst' == 1
lab_expect_pkts '' == 9
lab_finish
