#!/bin/bash
# nagle-single-stall: one request/response on a fresh connection. The
# client writes its 100 B request as 20 B + 80 B with TCP_NODELAY off; the
# server sets TCP_QUICKACK 0 right after accept() (the kernel's
# interactive mode: delayed ACKs from the first segment, no quick-ACK
# start), so it delays its ACK of the 20 B head (~40 ms) and the client's
# Nagle holds the 80 B body until that ACK: one stall, most of the
# connection's lifetime. The client waits 50 ms after connect() so that
# the option is set before the head arrives. Nanosecond pcap.
# Capture on the client's TAP.
# Verify: the round took >= 30 ms (client log); the body left after the
# server's ACK of the head (>= 30 ms after the head); client TIME-WAIT.
# Fixed client source port 46280 (= samples/nagle-single-stall.pcap,
# pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin nagle-single-stall pcap "$@"
lab_link tap
lab_capture client --time-stamp-precision=nano
lab_server pingpong
lab_client rounds --rounds 1 --nodelay 0 --settle 0.05 --sport 46280
sleep 0.3
lab_expect_ss client time-wait 1
lab_capture_stop
n=$(grep -c '"ms": [3-9][0-9]\.' "$WORK/client.log")
lab_cmp "rounds stalled >= 30 ms" "$n" == 1
lab_expect_flags 'src host 10.99.0.1' "S . P. P. . F. ."
gap=$(tcpdump -tt -nn -r "$CAP" 'src host 10.99.0.1 and tcp[tcpflags] & tcp-push != 0' 2>/dev/null |
	awk 'NR == 1 { t = $1 } NR == 2 { printf "%d", ($1 - t) * 1000 }')
lab_cmp "ms between head and body" "$gap" ">=" 30
lab_finish
