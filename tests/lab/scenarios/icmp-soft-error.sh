#!/bin/bash
# icmp-soft-error: an established connection whose path starts rejecting
# its data with ICMP host unreachable (nft in the server's input hook
# rejects the segments longer than 120 bytes: the 100-byte request, not the
# 10-byte one before it). The ICMP error is a soft error on an established
# socket (tcp_v4_err): the client keeps retransmitting (RFC 6069 reverts the
# RTO backoff on each host-unreachable), and when it gives up
# (tcp_retries2=3 in the client's namespace, a few seconds) recv() fails
# with EHOSTUNREACH, not ETIMEDOUT. No RST is sent. Capture on the client's
# TAP, ICMP included.
# Verify: the client logged EHOSTUNREACH; nft rejected the retransmissions;
# the capture holds ICMP host unreachable errors and no RST.
# Fixed client source port 41010.
. "$(dirname "$0")/../lib.sh"
lab_begin icmp-soft-error pcap "$@"
command -v nft >/dev/null 2>&1 || { echo "icmp-soft-error: needs nft; skipping" >&2; exit 77; }
lab_sysctl "$NS_C" net.ipv4.tcp_retries2=3
lab_link tap
ip netns exec "$NS_S" nft -f - <<'NFT' || lab_fail "nft rules"
table inet tfa_lab {
	chain in {
		type filter hook input priority 0;
		tcp dport 9000 meta length > 120 counter reject with icmp type host-unreachable
	}
}
NFT
ip netns exec "$NS_C" tcpdump -i "$IFACE" -B 16384 --immediate-mode -U -nn -w "$CAP" \
	'tcp or icmp' 2>"$WORK/tcpdump.log" &
CAP_PID=$!
LAB_PIDS+=("$CAP_PID")
for i in $(seq 100); do
	grep -q "listening on" "$WORK/tcpdump.log" 2>/dev/null && break
	sleep 0.05
done
sleep 0.1
lab_server accept-hold
lab_client icmp-timeout --req 10 --resp 100 --sport 41010
lab_capture_stop
lab_release
lab_log_has client '"errno": "EHOSTUNREACH"'
lab_expect_pkts 'icmp[icmptype] == 3 and icmp[icmpcode] == 1' ">=" 2
lab_expect_pkts 'tcp[tcpflags] & tcp-rst != 0' == 0
lab_finish
