#!/bin/bash
# close-wait-stuck: a server that forgets to close() one connection. Conn
# 1: request/response, the client closes; the server reads EOF and never
# calls close(): CLOSE-WAIT, silent from its ACK of the FIN on. 6 s later
# (past the tool's default --stuck-after of 5 s) a second client's
# connection is served normally and closed (the server closes after the
# client's EOF), so the capture goes on past the threshold.
# Capture on the server's TAP.
# Verify: ss shows 1 CLOSE-WAIT on the server (conn 1's port) and 1
# FIN-WAIT-2 on the client; conn 1's last frame >= 5.5 s before the
# capture's last; 3 FINs (2 from the clients, 1 from the server).
# Fixed client source ports 46310, 46312 (= samples/close-wait-stuck.pcap,
# pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin close-wait-stuck pcap "$@"
lab_link tap
lab_capture server
lab_server serve --rounds 2 --keep 1
lab_client clean --rounds 2 --gap 6 --sport 46310,46312
sleep 0.3
lab_expect_ss server close-wait 1
n=$(ip netns exec "$NS_S" ss -tanH state close-wait "dport = :46310" | grep -c .)
lab_cmp "server CLOSE-WAIT on conn 1" "$n" == 1
lab_expect_ss client fin-wait-2 1
lab_expect_ss client time-wait 1
lab_capture_stop
lab_expect_pkts 'tcp[tcpflags] & tcp-fin != 0' == 3
lab_expect_pkts 'src host 10.99.0.2 and tcp[tcpflags] & tcp-fin != 0' == 1
quiet=$(tcpdump -tt -nn -r "$CAP" 2>/dev/null | awk '/46310/ { t1 = $1 } { t = $1 } END { printf "%d", (t - t1) * 1000 }')
lab_cmp "ms from conn 1's last frame to the capture's last" "$quiet" ">=" 5500
lab_finish
