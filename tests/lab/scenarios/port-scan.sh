#!/bin/bash
# port-scan: the client connect()s, one after the other, to the 20 closed
# ports 9000..9019 of the server; each SYN is answered by RST+ACK.
# Capture on the client's TAP. Verify: 20 refusals in the client's log,
# 20 SYNs and 20 RSTs captured.
# Fixed client source ports, one per connection in order (= the ports
# of samples/port-scan.pcap, pinned by tests/e2e/checks/port-scan.checks).
. "$(dirname "$0")/../lib.sh"
lab_begin port-scan pcap "$@"
lab_link tap
lab_capture client
SPORTS=55220,52104,49416,34060,38120,47770,36094,33354,36708,45658,51398,37648,48662,40922,34094,60580,56316,47176,38774,54966
lab_client refused --rounds 20 --sport "$SPORTS"
lab_capture_stop
n=$(grep -c '"event": "refused"' "$WORK/client.log")
lab_cmp "refused connects" "$n" == 20
lab_expect_pkts 'tcp[tcpflags] == tcp-syn' == 20
lab_expect_pkts 'tcp[tcpflags] & tcp-rst != 0' == 20
lab_finish
