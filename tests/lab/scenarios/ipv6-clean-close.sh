#!/bin/bash
# ipv6-clean-close: clean-close-client-first over IPv6 (fd99::1 ->
# [fd99::2]:9000, static neighbours, no ND in the capture).
# Capture on the client's TAP. Verify: client TIME-WAIT; 2 FINs; all ip6.
# Fixed client source port 39942 (= samples/ipv6-clean-close.pcap, pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin ipv6-clean-close pcap "$@"
LAB_V6=1
lab_link tap
lab_capture client
lab_server clean
lab_client clean --sport 39942
sleep 0.3
lab_expect_ss client time-wait 1
lab_capture_stop
lab_expect_pkts 'ip6 and ip6[53] & 1 != 0' == 2
lab_expect_pkts 'ip' == 0
lab_finish
