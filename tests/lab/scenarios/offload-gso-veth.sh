#!/bin/bash
# offload-gso-veth: a 100000-byte transfer over a veth pair (offloads on),
# captured on the client's veth: tcpdump sees the kernel's GSO super-
# segments (frames far larger than the 1448-byte MSS) and checksums left to
# "offload" (not filled in). Then "ok" and a client-first close.
# The segment sizes and ACKs follow from how the sender's, the receiver's
# and the reading application's work interleave; both peers run pinned to
# one CPU (lab_pin_peers), which makes the sequence repeatable (unpinned,
# about 1 run in 6 had one ACK or window update more or fewer).
# Verify: at least one captured frame longer than 1514 bytes; 12 C->S and
# 10 S->C frames (the shape of samples/); server read everything; client
# TIME-WAIT.
# Fixed client source port 55218 (= samples/offload-gso-veth.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin offload-gso-veth pcap "$@"
lab_link veth
lab_pin_peers
lab_capture client
lab_server bulk --size 100000
lab_client bulk --size 100000 --sport 55218
sleep 0.3
lab_expect_ss client time-wait 1
lab_capture_stop
lab_expect_pkts 'greater 1515' ">=" 1
# the frame count of samples/offload-gso-veth.pcap (its checks pin the
# per-direction counts): refuse a capture of another shape
lab_expect_pkts 'src host 10.99.0.1' == 12
lab_expect_pkts 'src host 10.99.0.2' == 10
lab_finish
