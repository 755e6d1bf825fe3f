#!/bin/bash
# port-scan: the client connect()s, one after the other, to the 20 closed
# ports 9000..9019 of the server; each SYN is answered by RST+ACK.
# Capture on the client's TAP. Verify: 20 refusals in the client's log,
# 20 SYNs and 20 RSTs captured.
. "$(dirname "$0")/../lib.sh"
lab_begin port-scan pcap "$@"
lab_link tap
lab_capture client
lab_client refused --rounds 20
lab_capture_stop
n=$(grep -c '"event": "refused"' "$WORK/client.log")
lab_cmp "refused connects" "$n" == 20
lab_expect_pkts 'tcp[tcpflags] == tcp-syn' == 20
lab_expect_pkts 'tcp[tcpflags] & tcp-rst != 0' == 20
lab_finish
