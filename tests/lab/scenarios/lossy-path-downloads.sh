#!/bin/bash
# lossy-path-downloads: ordinary traffic over a bad path. Four request/
# response connections, one after the other, each downloading 60000 bytes;
# the wire delays every frame by 20 ms one way plus up to 4 ms of jitter
# (never reordering a direction) and drops each TCP frame with probability
# 4 % (seed 11). Capture on the client's TAP, headers only (-s 128): the
# receiver's view of losses the capture cannot see, recovered by SACK fast
# retransmits, partial-ACK retransmissions and timeouts.
# Verify: the path dropped at least four frames; the client read every byte
# of every response (peer.py exits 0 only then); the client ended in
# TIME-WAIT for every connection. The wire never reorders a direction, so
# nothing in the capture is reordering.
# Fixed client source ports 38211-38214 (pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin lossy-path-downloads pcap "$@"
LAB_WIRE_PATH="--latency 0.02 --jitter 0.004 --loss 0.04 --seed 11" lab_link tap
lab_capture client -s 128
lab_server serve --rounds 4 --req 80 --resp 60000
lab_client clean --rounds 4 --req 80 --resp 60000 --gap 0.05 \
	--sport 38211,38212,38213,38214
sleep 0.3
lab_expect_ss client time-wait 4
lab_capture_stop
lab_wire_stop
lost=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["frames"].get("path_lost", 0))' \
	"$WORK/wire.json") || lab_fail "no wire stats"
lab_cmp "wire path_lost" "$lost" ">=" 4
lab_finish
