#!/bin/bash
# keepalive: the client sets SO_KEEPALIVE with TCP_KEEPIDLE=1,
# TCP_KEEPINTVL=1, TCP_KEEPCNT=3, exchanges 100/200 bytes and then stays
# idle for 3.5 s: a keep-alive probe (seq = snd.nxt - 1, no payload) about
# every second, each ACKed by the server; then the client closes.
# Captured on the client's TAP with nanosecond timestamps and written as
# pcapng (pcaptool.py to-pcapng, if_tsresol = 9).
# Verify: >= 3 client pure ACKs whose sequence number is ISN + 100, one
# below the next byte (snd.nxt = ISN + 101); client TIME-WAIT; tshark (if present)
# reads the pcapng back with the same frame count.
# Fixed client source port 56030 (= samples/keepalive.pcapng, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin keepalive pcapng "$@"
CAP="$WORK/capture.pcap"
lab_link tap
lab_capture client --time-stamp-precision=nano
lab_server clean
lab_client keepalive --idle 3.5 --sport 56030
sleep 0.3
lab_expect_ss client time-wait 1
lab_capture_stop
isn=$(tcpdump -nn -S -r "$CAP" 'tcp[tcpflags] == tcp-syn' 2>/dev/null | sed -n 's/.* seq \([0-9]*\),.*/\1/p')
n=$(tcpdump -nn -r "$CAP" "src port not 9000 and tcp[tcpflags] == tcp-ack and tcp[4:4] == $(( (isn + 100) % 4294967296 ))" 2>/dev/null | wc -l)
lab_cmp "keep-alive probes" "$n" ">=" 3
"$PY" "$LAB_DIR/pcaptool.py" to-pcapng "$CAP" "$WORK/capture.pcapng" || lab_fail "to-pcapng"
if command -v tshark >/dev/null; then
	n=$(tshark -r "$WORK/capture.pcapng" 2>/dev/null | wc -l)
	lab_cmp "tshark frames in pcapng" "$n" == "$CAPTURED"
fi
CAP="$WORK/capture.pcapng"
lab_finish
