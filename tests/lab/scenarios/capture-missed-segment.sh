#!/bin/bash
# capture-missed-segment: a loss-free 20000-byte transfer captured on the
# server's TAP, from which pcaptool.py then removes the client's 3rd data
# segment: the situation of a monitor port that dropped a frame the network
# delivered. The server's ACKs cover bytes the capture never shows and there
# is no retransmission (ACK_UNSEEN_DATA, not network loss).
# Verify: no frame was dropped on the wire (no rules); server read all
# bytes; exactly one frame fewer after the edit.
# Fixed client source port 55258 (= samples/capture-missed-segment.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin capture-missed-segment pcap "$@"
lab_link tap
lab_capture server
lab_server bulk --size 20000
lab_client bulk --size 20000 --sport 55258
sleep 0.3
lab_expect_ss client time-wait 1
lab_capture_stop
mv "$CAP" "$WORK/full.pcap"
"$PY" "$LAB_DIR/pcaptool.py" drop-data "$WORK/full.pcap" "$CAP" --sport-not "$PORT" --nth 3 ||
	lab_fail "pcaptool"
CAPTURED=$((CAPTURED - 1))
lab_finish
