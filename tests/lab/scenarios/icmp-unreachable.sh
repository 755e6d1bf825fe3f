#!/bin/bash
# icmp-unreachable: the server's firewall rejects with ICMP instead of RST
# (nft reject in the server's input hook): port 9001 with "port
# unreachable", port 9002 with "host unreachable", and over IPv6 port 9003
# with ICMPv6 "administratively prohibited". Capture on the client's TAP,
# ICMP and ICMPv6 errors included (no neighbour discovery). Linux fails connect() at the ICMP error for its SYN
# (tcp_v4_err in SYN_SENT): ECONNREFUSED for port unreachable, EHOSTUNREACH
# for host unreachable, EACCES for administratively prohibited (ICMPv6); an
# error that comes while connect() still holds the socket is only a soft
# one, and the SYN is sent again.
# Verify: the client logged ECONNREFUSED for 9001, EHOSTUNREACH for 9002,
# EACCES for [fd99::2]:9003; the capture holds the three errors.
# Fixed client source ports 41001,41002 (IPv4), 41003 (IPv6).
. "$(dirname "$0")/../lib.sh"
lab_begin icmp-unreachable pcap "$@"
command -v nft >/dev/null 2>&1 || { echo "icmp-unreachable: needs nft; skipping" >&2; exit 77; }
lab_link tap
ip netns exec "$NS_S" nft -f - <<'NFT' || lab_fail "nft rules"
table inet tfa_lab {
	chain in {
		type filter hook input priority 0;
		tcp dport 9001 counter reject with icmp type port-unreachable
		tcp dport 9002 counter reject with icmp type host-unreachable
		meta nfproto ipv6 tcp dport 9003 counter reject with icmpv6 type admin-prohibited
	}
}
NFT
# the lab's capture keeps TCP only: this one needs the ICMP errors too
ip netns exec "$NS_C" tcpdump -i "$IFACE" -B 16384 --immediate-mode -U -nn -w "$CAP" \
	'tcp or icmp or (icmp6 and ip6[40] < 128)' 2>"$WORK/tcpdump.log" &
CAP_PID=$!
LAB_PIDS+=("$CAP_PID")
for i in $(seq 100); do
	grep -q "listening on" "$WORK/tcpdump.log" 2>/dev/null && break
	sleep 0.05
done
sleep 0.1
PORT=9001 lab_client icmp-errno --rounds 2 --sport 41001,41002
mv "$WORK/client.log" "$WORK/client4.log"
LAB_V6=1 PORT=9003 lab_client icmp-errno --rounds 1 --sport 41003
cat "$WORK/client4.log" >>"$WORK/client.log"
LAB_SPORTS=41001,41002 # lab_finish checks the IPv4 client's ports
lab_capture_stop
lab_log_has client '"port": 9001, "errno": "ECONNREFUSED"'
lab_log_has client '"port": 9002, "errno": "EHOSTUNREACH"'
lab_log_has client '"port": 9003, "errno": "EACCES"'
lab_expect_pkts 'icmp6 and ip6[40] == 1 and ip6[41] == 1' ">=" 1
lab_expect_pkts 'icmp[icmptype] == 3 and icmp[icmpcode] == 3' ">=" 1
lab_expect_pkts 'icmp[icmptype] == 3 and icmp[icmpcode] == 1' ">=" 1
lab_expect_pkts 'tcp[tcpflags] & tcp-syn != 0' ">=" 2
lab_expect_pkts 'ip6 and tcp' ">=" 1
lab_finish
