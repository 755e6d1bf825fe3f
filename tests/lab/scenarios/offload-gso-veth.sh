#!/bin/bash
# offload-gso-veth: a 100000-byte transfer over a veth pair (offloads on),
# captured on the client's veth: tcpdump sees the kernel's GSO super-
# segments (frames far larger than the 1448-byte MSS) and checksums left to
# "offload" (not filled in). Then "ok" and a client-first close.
# Verify: at least one captured frame longer than 1514 bytes; server read
# everything; client TIME-WAIT.
. "$(dirname "$0")/../lib.sh"
lab_begin offload-gso-veth pcap "$@"
lab_link veth
lab_capture client
lab_server bulk --size 100000
lab_client bulk --size 100000
sleep 0.3
lab_expect_ss client time-wait 1
lab_capture_stop
lab_expect_pkts 'greater 1515' ">=" 1
lab_finish
