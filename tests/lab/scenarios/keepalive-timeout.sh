#!/bin/bash
# keepalive-timeout: request/response with SO_KEEPALIVE (TCP_KEEPIDLE=1,
# TCP_KEEPINTVL=1, TCP_KEEPCNT=3) on the client, which then blocks in
# recv(). Right after the exchange the server host is unplugged (wire.py
# closes its TAP): nothing reaches it any more, nothing comes back. The
# client's kernel sends a keep-alive probe every second; after the third
# unanswered one it gives up: an RST (from a socket in ESTABLISHED, to the
# vanished peer) and recv() fails with ETIMEDOUT. Capture on the client's
# TAP (the probes and the RST are in it).
# Verify: the client saw ETIMEDOUT; 3 probes (pure ACKs at seq ISN+100 =
# snd.nxt - 1) then one RST, all from the client; nothing from the server
# after the exchange; the server still ESTABLISHED (a half-open connection
# there) and its application saw no EOF.
# Fixed client source port 46240 (= samples/keepalive-timeout.pcap,
# pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin keepalive-timeout pcap "$@"
lab_link tap
lab_capture client
lab_server respond-hold
lab_client_bg keepalive-dead --keepidle 1 --expect timeout --sport 46240
lab_wait_log client '"idle"'
sleep 0.2
lab_server_vanish
lab_wait_log client ETIMEDOUT 8
lab_expect_ss client established 0
lab_expect_ss server established 1
lab_capture_stop
lab_release
lab_log_has server '"no EOF"'
lab_wire_stop
isn=$(tcpdump -nn -S -r "$CAP" 'tcp[tcpflags] == tcp-syn' 2>/dev/null | sed -n 's/.* seq \([0-9]*\),.*/\1/p')
n=$(tcpdump -nn -r "$CAP" "src port not 9000 and tcp[tcpflags] == tcp-ack and tcp[4:4] == $(( (isn + 100) % 4294967296 ))" 2>/dev/null | wc -l)
lab_cmp "keep-alive probes" "$n" == 3
lab_expect_pkts 'tcp[tcpflags] & tcp-rst != 0' == 1
lab_expect_pkts 'src host 10.99.0.1 and tcp[tcpflags] & tcp-rst != 0' == 1
lab_expect_pkts '' == 11
lab_finish
