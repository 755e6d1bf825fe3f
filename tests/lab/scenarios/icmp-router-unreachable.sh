#!/bin/bash
# icmp-router-unreachable: the server's namespace acts as the client's router
# (ip_forward=1; the client routes 10.99.1.0/24 and 10.99.2.0/24 via
# 10.99.0.2). The router has no route to 10.99.1.0/24 and an
# "unreachable" route for 10.99.2.0/24. The client connect()s to
# 10.99.1.5:9000: the router answers its SYN with ICMP net unreachable
# and connect() fails with ENETUNREACH; then to 10.99.2.5:9000: ICMP host
# unreachable, EHOSTUNREACH. Linux aborts a SYN-SENT connection on such an
# ICMP error at once (no SYN retransmission). Capture on the client's TAP,
# TCP and ICMP.
# Verify: the client saw ENETUNREACH then EHOSTUNREACH; 2 SYNs, 2 ICMP
# errors from 10.99.0.2 (net, host unreachable), nothing else.
# Fixed client source ports 46350, 46352 (= samples/icmp-router-unreachable.pcap,
# pinned by its .checks).
. "$(dirname "$0")/../lib.sh"
lab_begin icmp-router-unreachable pcap "$@"
LAB_FILTER="tcp or icmp"
lab_link tap
lab_sysctl "$NS_S" net.ipv4.ip_forward=1
ip -n "$NS_S" route add unreachable 10.99.2.0/24 || lab_fail "unreachable route"
ip -n "$NS_C" route add 10.99.1.0/24 via "$SERVER_IP" || lab_fail "client route"
ip -n "$NS_C" route add 10.99.2.0/24 via "$SERVER_IP" || lab_fail "client route"
lab_capture client
lab_client unreachable --targets 10.99.1.5,10.99.2.5 --expect ENETUNREACH,EHOSTUNREACH \
	--sport 46350,46352
sleep 0.2
lab_capture_stop
lab_expect_pkts 'tcp[tcpflags] == tcp-syn' == 2
lab_expect_pkts 'src host 10.99.0.2 and icmp[icmptype] == icmp-unreach and icmp[icmpcode] == 0' == 1
lab_expect_pkts 'src host 10.99.0.2 and icmp[icmptype] == icmp-unreach and icmp[icmpcode] == 1' == 1
lab_expect_pkts '' == 4
lab_finish
