#!/bin/bash
# keepalive-peer-rebooted: request/response with SO_KEEPALIVE
# (TCP_KEEPIDLE=2, TCP_KEEPINTVL=1, TCP_KEEPCNT=3) on the client, which
# then blocks in recv(). Right after the exchange the server host
# "reboots" (lab_server_reboot: unplugged, its processes killed, its
# namespace deleted and created again with the same addresses; no server
# program runs afterwards): every socket it had is gone without a packet.
# The client's first keep-alive probe (2 s) reaches a kernel that knows
# no such connection: bare RST; recv() fails with ECONNRESET.
# Capture on the client's TAP.
# Verify: the client saw ECONNRESET; the server's new namespace had no
# socket; 1 probe (pure ACK at seq ISN+100) then 1 RST from the server,
# without ACK flag, seq = the probe's ack; nothing else.
# Fixed client source port 46250 (= samples/keepalive-peer-rebooted.pcap,
# pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin keepalive-peer-rebooted pcap "$@"
lab_link tap
lab_capture client
lab_server respond-hold
lab_client_bg keepalive-dead --keepidle 2 --expect reset --sport 46250
lab_wait_log client '"idle"'
sleep 0.2
lab_server_reboot
lab_wait_log client ECONNRESET 8
lab_expect_ss client established 0
lab_capture_stop
lab_release
lab_wire_stop
isn=$(tcpdump -nn -S -r "$CAP" 'tcp[tcpflags] == tcp-syn' 2>/dev/null | sed -n 's/.* seq \([0-9]*\),.*/\1/p')
n=$(tcpdump -nn -r "$CAP" "src port not 9000 and tcp[tcpflags] == tcp-ack and tcp[4:4] == $(( (isn + 100) % 4294967296 ))" 2>/dev/null | wc -l)
lab_cmp "keep-alive probes" "$n" == 1
lab_expect_pkts 'src host 10.99.0.2 and tcp[tcpflags] == tcp-rst' == 1
lab_expect_pkts '' == 9
lab_finish
