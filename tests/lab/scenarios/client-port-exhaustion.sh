#!/bin/bash
# client-port-exhaustion: the client's namespace has a 4-port
# ip_local_port_range (46320-46323). Four request/response connections
# from those four ports in turn, each closed by the client first, so each
# port is held by a TIME-WAIT socket (60 s) at the client. Then one more
# connect() with no bind(): the kernel finds no free port in the range
# (tcp_tw_reuse=2 reuses TIME-WAIT ports for loopback only) and connect()
# fails locally with EADDRNOTAVAIL: no SYN is sent.
# (The four ports are bound explicitly, as every lab client's are, so that
# the capture is reproducible; the failing connect() is the kernel's own
# choice within the range.)
# Capture on the client's TAP.
# Verify: the client saw EADDRNOTAVAIL; ss: 4 TIME-WAIT at the client;
# exactly 4 SYNs, from 46320..46323; 40 frames.
# Fixed client source ports 46320, 46321, 46322, 46323 (= samples/client-port-exhaustion.pcap,
# pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin client-port-exhaustion pcap "$@"
lab_sysctl "$NS_C" "net.ipv4.ip_local_port_range=46320 46323"
lab_link tap
lab_capture client
lab_server serve --rounds 4
lab_client exhaust --rounds 4 --gap 0.05 --sport 46320,46321,46322,46323
lab_log_has client EADDRNOTAVAIL
sleep 0.2
lab_expect_ss client time-wait 4
lab_capture_stop
lab_expect_pkts 'tcp[tcpflags] == tcp-syn' == 4
lab_expect_pkts '' == 40
lab_finish
