#!/bin/bash
# offload-gso-veth: a 100000-byte transfer over a veth pair (offloads on),
# captured on the client's veth: tcpdump sees the kernel's GSO super-
# segments (frames far larger than the 1448-byte MSS) and checksums left to
# "offload" (not filled in). The server starts reading only 0.2 s after
# accept(), when all 100000 bytes are queued (the transfer takes < 1 ms):
# its ACK of the last byte shows the shrunken window and a window update
# follows once it has read, in every run (reading concurrently, it would
# sometimes have no window update to send). Then "ok" and a client-first
# close.
# Verify: at least one captured frame longer than 1514 bytes; server read
# everything; a window update after the ACK of the last byte; client
# TIME-WAIT.
# Fixed client source port 55218 (= samples/offload-gso-veth.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin offload-gso-veth pcap "$@"
lab_link veth
lab_capture client
lab_server bulk --size 100000
lab_client bulk --size 100000 --sport 55218
sleep 0.3
lab_expect_ss client time-wait 1
lab_capture_stop
lab_expect_pkts 'greater 1515' ">=" 1
lab_finish
