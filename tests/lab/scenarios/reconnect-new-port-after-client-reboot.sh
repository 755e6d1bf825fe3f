#!/bin/bash
# reconnect-new-port-after-client-reboot: conn 1 (client port 46370):
# request/response, then the client keeps it open and idle. The client
# host "reboots" (lab_reboot client: unplugged, processes killed,
# namespace recreated): conn 1 is half-open, alive only at the server,
# which keeps it ESTABLISHED (no keep-alive, nothing to send). The
# rebooted client connects again from another port (46372): conn 2 is a
# separate 4-tuple, a normal request/response that the client closes.
# 1.5 s after conn 2 is closed the server's application writes on conn 1
# (about 2 s after conn 1's last segment, clear of the tool's 1 s mark
# for "sent after N s of silence"):
# the client's fresh kernel has no such connection and answers with a
# bare RST (no ACK flag, seq = the ACK of the data it answers); the
# server's recv() gets ECONNRESET.
# Capture on the server's TAP.
# Verify: after conn 2, the server still holds conn 1 ESTABLISHED (the
# stale socket) and the client has conn 2 in TIME-WAIT; the server's
# conn 1 ended by a reset (its log); 2 SYNs from the client, one per
# port; 1 RST, from the client, without ACK flag, from port 46370, with
# seq = the ACK of the server's late write; the frames of each port in
# order (conn 1 ends with the write and the RST); the server has no
# ESTAB left; the wire's frame counters match the capture; 19 frames.
# Fixed client source ports 46370 (conn 1) and 46372 (conn 2)
# (= samples/reconnect-new-port-after-client-reboot.pcap, pinned by its
# .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin reconnect-new-port-after-client-reboot pcap "$@"
lab_link tap
lab_capture server
lab_server reconnect-write-old --pause 1.5
lab_client_bg request-hold --sport 46370
lab_wait_log client '"idle"'
sleep 0.2
lab_reboot client
lab_client clean --sport 46372
lab_wait_log server '"conn 2 served"' 5
# the write on conn 1 is 1.5 s away: the stale socket is still there
lab_expect_ss server established 1
lab_expect_ss client time-wait 1
lab_wait_log server '"conn 1"' 5
sleep 0.2
lab_expect_ss server established 0
lab_expect_ss client established 0
lab_capture_stop
lab_release
lab_wire_stop
lab_expect_pkts 'tcp[tcpflags] & tcp-syn != 0 and src host 10.99.0.1' == 2
lab_expect_pkts 'src port 46370 and tcp[tcpflags] == tcp-syn' == 1
lab_expect_pkts 'src port 46372 and tcp[tcpflags] == tcp-syn' == 1
lab_expect_pkts 'tcp[tcpflags] & tcp-rst != 0' == 1
lab_expect_pkts 'src port 46370 and tcp[tcpflags] == tcp-rst' == 1
lab_expect_flags 'port 46370' "S S. . P. . P. . P. R"
lab_expect_flags 'port 46372' "S S. . P. . P. . F. F. ."
# the RST is the no-connection reply (RFC 9293 §3.10.7.1): seq = the
# ACK of the segment it answers, the server's write on conn 1
rst_seq=$(tcpdump -nn -S -r "$CAP" 'src port 46370 and tcp[tcpflags] == tcp-rst' 2>/dev/null |
	sed -n 's/.* seq \([0-9]*\),.*/\1/p')
write_ack=$(tcpdump -nn -S -r "$CAP" 'dst port 46370 and tcp[tcpflags] & tcp-push != 0' 2>/dev/null |
	tail -n 1 | sed -n 's/.* ack \([0-9]*\),.*/\1/p')
[ -n "$rst_seq" ] && [ "$rst_seq" = "$write_ack" ] ||
	lab_fail "RST seq '$rst_seq' is not the late write's ack '$write_ack'"
lab_log "ok: RST seq $rst_seq = the late write's ack"
# conn 1 was silent >= 1.5 s before the late write (the tool names it)
gap=$(tcpdump -tt -nn -r "$CAP" 'port 46370' 2>/dev/null | tail -n 3 |
	awk 'NR == 1 { a = $1 } NR == 2 { printf "%.3f", $1 - a }')
awk -v g="${gap:-0}" 'BEGIN { exit !(g >= 1.5) }' ||
	lab_fail "conn 1 silent only ${gap:-?} s before the late write"
lab_log "ok: conn 1 silent $gap s before the late write"
# the wire handled exactly the captured TCP frames: forwarded (c2s,
# s2c) or undeliverable (errors, toward the unplugged client), less its
# "other" frames (non-TCP: IPv6 ND/MLD of the links coming up)
wire_frames() {
	"$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["frames"].get(sys.argv[2], 0))' \
		"$WORK/wire.json" "$1" || lab_fail "no wire stats"
}
lab_cmp "wire TCP frames" \
	"$(( $(wire_frames c2s) + $(wire_frames s2c) + $(wire_frames errors) - $(wire_frames other) ))" == \
	"$(tcpdump -nn -r "$CAP" 2>/dev/null | wc -l)"
lab_expect_pkts '' == 19
lab_finish
