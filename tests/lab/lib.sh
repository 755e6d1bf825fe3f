# lib.sh - shared functions of the capture lab (sourced by scenarios/*.sh).
#
# A scenario script is:   scenarios/NAME.sh OUTDIR
# and writes OUTDIR/NAME.pcap (or .pcapng) only when every verification
# passed; on failure it exits non-zero and leaves OUTDIR untouched.
#
# Topology: two network namespaces tfa-lab-<pid>-c (client, 10.99.0.1,
# fd99::1) and tfa-lab-<pid>-s (server, 10.99.0.2, fd99::2), joined either
# by a veth pair ("lab_link veth") or by one TAP device per namespace plus
# the user-space wire.py between them ("lab_link tap [RULE-JSON...]").
# Everything created here is removed by the EXIT trap, and only that.

set -u
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
CLIENT_IP=10.99.0.1
SERVER_IP=10.99.0.2
CLIENT_IP6=fd99::1
SERVER_IP6=fd99::2
CLIENT_MAC=02:99:00:00:00:01
SERVER_MAC=02:99:00:00:00:02
PORT=9000
IFACE=tfa0

LAB_PIDS=()
LAB_SPORTS="" LAB_CPU="" LAB_RT=()
NS_C="" NS_S="" WORK="" WIRE_PID="" CAP_PID="" SERVER_PID=""

lab_log() { printf '[lab %s] %s\n' "${LAB_NAME:-?}" "$*" >&2; }
lab_fail() {
	lab_log "FAILED: $*"
	if [ -n "$WORK" ]; then
		for f in "$WORK"/*.log; do
			[ -s "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }
		done
	fi
	exit 1
}

# lab_require: exit 77 (skip) unless root and the tools are present.
lab_require() {
	if [ "$(id -u)" != 0 ]; then
		echo "tests/lab needs root (network namespaces, TAP, tcpdump); skipping" >&2
		exit 77
	fi
	local t
	for t in ip tcpdump ss sysctl "$PY"; do
		command -v "$t" >/dev/null 2>&1 || {
			echo "tests/lab: missing tool '$t'; skipping" >&2
			exit 77
		}
	done
	[ -c /dev/net/tun ] || { echo "tests/lab: no /dev/net/tun; skipping" >&2; exit 77; }
}

lab_cleanup() {
	local p
	[ -n "$WORK" ] && touch "$WORK/hold" 2>/dev/null
	for p in "${LAB_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${LAB_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	[ -n "$NS_C" ] && ip netns del "$NS_C" 2>/dev/null
	[ -n "$NS_S" ] && ip netns del "$NS_S" 2>/dev/null
	[ -n "$WORK" ] && [ -z "${LAB_KEEP:-}" ] && rm -rf "$WORK"
	return 0
}

# lab_begin NAME EXT OUTDIR: set up names, work dir, namespaces, trap.
lab_begin() {
	LAB_NAME=$1
	local ext=$2
	OUTDIR=${3:?usage: $0 OUTDIR}
	lab_require
	# wire.py and the peers run SCHED_FIFO where allowed: on a busy machine
	# a user-space wire that is not scheduled for ~2 ms is enough for a tail
	# loss probe (an extra retransmission), and a server that is late by
	# 40 ms sends a delayed ACK instead of piggybacking it. They sleep in
	# select()/recv() nearly all the time; RT throttling still applies.
	if chrt -f 20 true 2>/dev/null; then
		LAB_RT=(chrt -f 20)
	fi
	mkdir -p "$OUTDIR" || exit 1
	OUT="$OUTDIR/$LAB_NAME.$ext"
	WORK=$(mktemp -d /tmp/tfa-lab.XXXXXX)
	CAP="$WORK/capture.$ext"
	NS_C="tfa-lab-$$-c"
	NS_S="tfa-lab-$$-s"
	trap lab_cleanup EXIT
	trap 'exit 130' INT TERM
	lab_ns_add "$NS_C"
	lab_ns_add "$NS_S"
	lab_log "namespaces $NS_C $NS_S, work dir $WORK, scheduling: ${LAB_RT[*]:-normal}"
}

# lab_ns_add NS: create one namespace with the lab's TCP settings
lab_ns_add() {
	local ns=$1
	ip netns add "$ns" || lab_fail "ip netns add $ns"
	ip -n "$ns" link set lo up
	# the namespace inherits the host's default (e.g. bbr); setting it
	# may be refused inside a container, so peer.py also sets
	# TCP_CONGESTION=cubic on every socket it makes.
	ip netns exec "$ns" sysctl -qw net.ipv4.tcp_congestion_control=cubic \
		>/dev/null 2>&1 || true
	lab_sysctl "$ns" net.ipv4.tcp_fastopen=0 net.ipv4.tcp_ecn=0 \
		net.ipv4.tcp_timestamps=1 net.ipv4.tcp_sack=1 \
		net.ipv4.tcp_window_scaling=1 net.ipv4.tcp_no_metrics_save=1 \
		net.ipv4.tcp_autocorking=0 net.ipv4.tcp_syn_retries=6 \
		net.ipv4.tcp_synack_retries=5 net.ipv4.tcp_syncookies=1 \
		net.ipv4.tcp_fin_timeout=60 net.ipv4.tcp_tw_reuse=2
	# 4 linear 1 s SYN timeouts (the Linux 6.x default), where present
	[ -e /proc/sys/net/ipv4/tcp_syn_linear_timeouts ] &&
		lab_sysctl "$ns" net.ipv4.tcp_syn_linear_timeouts=4
	return 0
}

lab_sysctl() {
	local ns=$1 kv
	shift
	for kv in "$@"; do
		ip netns exec "$ns" sysctl -qw "$kv" >/dev/null || lab_fail "sysctl $kv in $ns"
	done
}

# lab_link veth | tap [RULE-JSON...]
lab_link() {
	local kind=$1
	shift
	if [ "$kind" = veth ]; then
		ip link add "$IFACE" netns "$NS_C" type veth peer name "$IFACE" netns "$NS_S" ||
			lab_fail "veth"
	else
		local args=() r
		for r in "$@"; do args+=(--rule "$r"); done
		# a path for every frame no rule acts on: LAB_WIRE_PATH="--latency
		# 0.02 --jitter 0.005 --loss 0.01 --seed 7" (see wire.py)
		# shellcheck disable=SC2206
		args+=(${LAB_WIRE_PATH:-})
		mkfifo "$WORK/wire.ctl" || lab_fail "mkfifo"
		"${LAB_RT[@]}" "$PY" "$LAB_DIR/wire.py" --ns-client "$NS_C" --ns-server "$NS_S" \
			--tap "$IFACE" --client-mac "$CLIENT_MAC" --server-mac "$SERVER_MAC" \
			--stats "$WORK/wire.json" --control "$WORK/wire.ctl" "${args[@]}" \
			>"$WORK/wire.log" 2>&1 &
		WIRE_PID=$!
		LAB_PIDS+=("$WIRE_PID")
		local i
		for i in $(seq 100); do
			grep -q ready "$WORK/wire.log" 2>/dev/null && break
			kill -0 "$WIRE_PID" 2>/dev/null || lab_fail "wire.py died"
			sleep 0.05
		done
		grep -q ready "$WORK/wire.log" || lab_fail "wire.py not ready"
	fi
	lab_link_side client
	lab_link_side server
	sleep 0.2
}

# lab_link_side client|server: addresses, MAC, static neighbours, link up
lab_link_side() {
	local ns mac ip ip6 pmac pip pip6
	if [ "$1" = client ]; then
		ns=$NS_C mac=$CLIENT_MAC ip=$CLIENT_IP ip6=$CLIENT_IP6
		pmac=$SERVER_MAC pip=$SERVER_IP pip6=$SERVER_IP6
	else
		ns=$NS_S mac=$SERVER_MAC ip=$SERVER_IP ip6=$SERVER_IP6
		pmac=$CLIENT_MAC pip=$CLIENT_IP pip6=$CLIENT_IP6
	fi
	ip -n "$ns" link set "$IFACE" address "$mac"
	ip -n "$ns" addr add "$ip/24" dev "$IFACE"
	ip -n "$ns" addr add "$ip6/64" dev "$IFACE" nodad
	# static neighbours: no ARP / ND in the captures, no resolution delay
	ip -n "$ns" neigh replace "$pip" lladdr "$pmac" dev "$IFACE" nud permanent
	ip -n "$ns" link set "$IFACE" up
	ip -n "$ns" neigh replace "$pip6" lladdr "$pmac" dev "$IFACE" nud permanent
}

# lab_wire_cmd "close|open client|server": a command to wire.py (--control);
# waits until the wire has done it
lab_wire_cmd() {
	local n i
	n=$(grep -c "$1 done" "$WORK/wire.log")
	echo "$1" >"$WORK/wire.ctl"
	for i in $(seq 100); do
		[ "$(grep -c "$1 done" "$WORK/wire.log")" -gt "$n" ] && { lab_log "wire: $1"; return 0; }
		kill -0 "$WIRE_PID" 2>/dev/null || lab_fail "wire.py died"
		sleep 0.02
	done
	lab_fail "wire did not '$1'"
}

# lab_server_vanish: unplug the server (its TAP disappears; nothing it
# sends reaches the wire, nothing reaches it). Its sockets stay as they are.
lab_server_vanish() {
	lab_wire_cmd "close server"
}

# lab_reboot client|server: that host "reboots": unplugged, its processes
# killed (their FINs go nowhere), its namespace deleted (every socket gone
# without a packet) and created again with the same addresses and TCP
# settings, plugged in again; no program runs in it afterwards. A capture
# must run on the other side.
lab_reboot() {
	local side=$1 ns p
	ns=$(ns_of "$side")
	lab_wire_cmd "close $side"
	# every process of that namespace (our server or client program)
	for p in $(ip netns pids "$ns"); do
		kill -KILL "$p" 2>/dev/null
	done
	if [ "$side" = server ] && [ -n "$SERVER_PID" ]; then
		wait "$SERVER_PID" 2>/dev/null
		SERVER_PID=""
	fi
	if [ "$side" = client ] && [ -n "$CLIENT_PID" ]; then
		wait "$CLIENT_PID" 2>/dev/null
		CLIENT_PID=""
	fi
	[ -z "$(ip netns pids "$ns")" ] || lab_fail "processes left in $ns"
	ip netns del "$ns" || lab_fail "ip netns del $ns"
	lab_ns_add "$ns"
	lab_wire_cmd "open $side"
	lab_link_side "$side"
	[ "$(ip netns exec "$ns" ss -tanH | grep -c .)" = 0 ] ||
		lab_fail "$side namespace not fresh: $(ip netns exec "$ns" ss -tan)"
	lab_log "$side rebooted (namespace $ns recreated, no sockets)"
}

lab_server_reboot() { lab_reboot server; }

ns_of() { [ "$1" = client ] && echo "$NS_C" || echo "$NS_S"; }

# lab_capture client|server [extra tcpdump args]: start tcpdump on tfa0
# (filter: $LAB_FILTER, default "tcp").
lab_capture() {
	local ns
	ns=$(ns_of "$1")
	shift
	ip netns exec "$ns" tcpdump -i "$IFACE" -B 16384 --immediate-mode -U -nn -w "$CAP" "$@" "${LAB_FILTER:-tcp}" \
		2>"$WORK/tcpdump.log" &
	CAP_PID=$!
	LAB_PIDS+=("$CAP_PID")
	local i
	for i in $(seq 100); do
		grep -q "listening on" "$WORK/tcpdump.log" 2>/dev/null && break
		kill -0 "$CAP_PID" 2>/dev/null || lab_fail "tcpdump died"
		sleep 0.05
	done
	sleep 0.1
}

lab_capture_stop() {
	sleep 0.1
	kill -INT "$CAP_PID" 2>/dev/null
	wait "$CAP_PID" 2>/dev/null
	grep -q "0 packets dropped by kernel" "$WORK/tcpdump.log" ||
		lab_fail "tcpdump dropped packets: $(cat "$WORK/tcpdump.log")"
	CAPTURED=$(sed -n 's/^\([0-9]*\) packets* captured.*/\1/p' "$WORK/tcpdump.log")
	lab_log "captured $CAPTURED packets"
}

# lab_pin_peers: run the client and the server on one CPU (the highest one
# this process may use; CPU 0 tends to take more interrupts), so that their
# kernel work interleaves the same way in every run (used where the packet
# sequence is otherwise timing-driven).
lab_pin_peers() {
	command -v taskset >/dev/null 2>&1 || lab_fail "taskset missing"
	LAB_CPU=$("$PY" -c 'import os; print(max(os.sched_getaffinity(0)))') ||
		lab_fail "no CPU affinity"
	lab_log "peers pinned to CPU $LAB_CPU"
}

# peer client|server MODE [peer args]; a client binds $CLIENT_IP(6) and
# needs --sport (its fixed source port(s)).
peer() {
	local role=$1 mode=$2 host=$SERVER_IP bind=() pin=()
	shift 2
	[ "${LAB_V6:-}" ] && host=$SERVER_IP6
	if [ "$role" = client ]; then
		bind=(--bind "$CLIENT_IP")
		[ "${LAB_V6:-}" ] && bind=(--bind "$CLIENT_IP6")
	fi
	[ -n "${LAB_CPU:-}" ] && pin=(taskset -c "$LAB_CPU")
	ip netns exec "$(ns_of "$role")" "${pin[@]}" "${LAB_RT[@]}" "$PY" "$LAB_DIR/peer.py" "$role" "$mode" \
		--host "$host" --port "$PORT" "${bind[@]}" "$@"
}

# lab_server MODE [peer args]: start the server, wait until it listens.
lab_server() {
	rm -f "$WORK/ready"
	peer server "$@" --ready "$WORK/ready" --hold "$WORK/hold" \
		>"$WORK/server.log" 2>&1 &
	SERVER_PID=$!
	LAB_PIDS+=("$SERVER_PID")
	local i
	for i in $(seq 100); do
		[ -e "$WORK/ready" ] && return 0
		kill -0 "$SERVER_PID" 2>/dev/null || lab_fail "server died"
		sleep 0.05
	done
	lab_fail "server not ready"
}

# lab_client MODE --sport PORT[,PORT...] [peer args]: run the client to
# completion; must exit 0. Every client connection binds a fixed source
# port (the i-th connect() the i-th PORT; the ports of every call are
# checked against the capture), chosen equal to the port in the
# committed samples/<name>.pcap so that tests/e2e/checks/<name>.checks
# (client.port == ...) holds for a regenerated capture too.
lab_client() {
	local a prev=""
	for a in "$@"; do
		[ "$prev" = --sport ] && LAB_SPORTS=${LAB_SPORTS:+$LAB_SPORTS,}$a
		prev=$a
	done
	peer client "$@" >"$WORK/client.log" 2>&1 || lab_fail "client failed"
}

# lab_client_bg MODE --sport PORT[,PORT...] [peer args]: the same, in the
# background, with --hold (a client that keeps its sockets until
# lab_release); lab_client_wait waits for it (must exit 0).
CLIENT_PID=""
lab_client_bg() {
	local a prev=""
	for a in "$@"; do
		[ "$prev" = --sport ] && LAB_SPORTS=${LAB_SPORTS:+$LAB_SPORTS,}$a
		prev=$a
	done
	peer client "$@" --hold "$WORK/hold" >"$WORK/client.log" 2>&1 &
	CLIENT_PID=$!
	LAB_PIDS+=("$CLIENT_PID")
}

lab_client_wait() {
	[ -n "$CLIENT_PID" ] || return 0
	wait "$CLIENT_PID" || lab_fail "client failed"
	CLIENT_PID=""
}

# lab_wait_log client|server TEXT [SECONDS]: wait until the log has TEXT
lab_wait_log() {
	local i n=$(( ${3:-10} * 20 ))
	for i in $(seq "$n"); do
		grep -q -- "$2" "$WORK/$1.log" 2>/dev/null && return 0
		sleep 0.05
	done
	lab_fail "$1 log lacks '$2' after ${3:-10} s"
}

# lab_expect_nstat client|server COUNTER OP N: the namespace's TCP counter
# (nstat -az, e.g. TcpExtListenOverflows, TcpRetransSegs)
lab_expect_nstat() {
	local n
	n=$(ip netns exec "$(ns_of "$1")" nstat -azs "$2" 2>/dev/null | awk -v c="$2" '$1 == c { print $2 }')
	[ -n "$n" ] || lab_fail "no nstat counter $2 in $1"
	lab_cmp "nstat $1 $2" "$n" "$3" "$4"
}

# lab_release: let the server exit (after the capture stopped); check it.
lab_release() {
	touch "$WORK/hold"
	lab_client_wait
	[ -n "$SERVER_PID" ] || return 0
	wait "$SERVER_PID" || lab_fail "server failed"
	SERVER_PID=""
}

# lab_expect_ss client|server STATE N: `ss -tan state STATE` shows N sockets
lab_expect_ss() {
	local ns n
	ns=$(ns_of "$1")
	n=$(ip netns exec "$ns" ss -tanH state "$2" | grep -c . || true)
	ip netns exec "$ns" ss -tan >>"$WORK/ss-$1.log"
	[ "$n" = "$3" ] || lab_fail "$1: $n sockets in $2, expected $3: $(ip netns exec "$ns" ss -tan)"
	lab_log "ss $1: $n in $2"
}

# lab_expect_pkts FILTER OP N: count of captured packets matching FILTER
lab_expect_pkts() {
	local n
	n=$(tcpdump -nn -r "$CAP" "$1" 2>/dev/null | wc -l)
	lab_cmp "packets '$1'" "$n" "$2" "$3"
}

# lab_expect_before FILTER-A FILTER-B: the first captured frame matching A
# comes before the first one matching B (both must exist)
lab_expect_before() {
	local ta tb
	ta=$(tcpdump -tt -nn -r "$CAP" -c 1 "$1" 2>/dev/null | awk '{print $1; exit}')
	tb=$(tcpdump -tt -nn -r "$CAP" -c 1 "$2" 2>/dev/null | awk '{print $1; exit}')
	[ -n "$ta" ] || lab_fail "no frame matches '$1'"
	[ -n "$tb" ] || lab_fail "no frame matches '$2'"
	awk -v a="$ta" -v b="$tb" 'BEGIN { exit !(a < b) }' ||
		lab_fail "'$1' ($ta) is not before '$2' ($tb)"
	lab_log "ok: '$1' ($ta) before '$2' ($tb)"
}

# lab_expect_flags FILTER "FLAGS..." : the frames matching FILTER start
# with these tcpdump flag strings, in this order (e.g. "S S . . P.")
lab_expect_flags() {
	local want=$2 got n
	n=$(wc -w <<<"$want")
	got=$(tcpdump -nn -r "$CAP" "$1" 2>/dev/null |
		sed -n 's/.* Flags \[\([^]]*\)\].*/\1/p' | head -n "$n" | tr '\n' ' ')
	[ "${got% }" = "$want" ] || lab_fail "frames '$1' start with '${got% }', expected '$want'"
	lab_log "ok: frames '$1' start with '$want'"
}

# lab_expect_wire RULE FIELD OP N: wire.py counter (seen/applied/released/timeouts)
lab_expect_wire() {
	local n
	n=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["rules"][sys.argv[2]][sys.argv[3]])' \
		"$WORK/wire.json" "$1" "$2") || lab_fail "no wire stats"
	lab_cmp "wire $1.$2" "$n" "$3" "$4"
}

lab_wire_stop() {
	kill -TERM "$WIRE_PID" 2>/dev/null
	wait "$WIRE_PID" 2>/dev/null
	[ -s "$WORK/wire.json" ] || lab_fail "wire wrote no stats"
}

lab_cmp() {
	local what=$1 n=$2 op=$3 want=$4 ok=1
	case $op in
	==) [ "$n" -eq "$want" ] || ok=0 ;;
	">=") [ "$n" -ge "$want" ] || ok=0 ;;
	"<=") [ "$n" -le "$want" ] || ok=0 ;;
	*) lab_fail "bad op $op" ;;
	esac
	[ $ok = 1 ] || lab_fail "$what = $n, expected $op $want"
	lab_log "ok: $what = $n ($op $want)"
}

# lab_log_has client|server|wire TEXT: the peer's log contains TEXT
lab_log_has() {
	grep -q -- "$2" "$WORK/$1.log" || lab_fail "$1 log lacks '$2'"
}

# lab_finish: sanity-check the capture and move it into place.
lab_finish() {
	{ [ -n "$SERVER_PID" ] || [ -n "$CLIENT_PID" ]; } && lab_release
	local n
	n=$(tcpdump -nn -r "$CAP" 2>/dev/null | wc -l)
	[ "$n" -gt 0 ] || lab_fail "empty capture"
	[ "$n" = "${CAPTURED:-$n}" ] || lab_fail "read back $n, captured $CAPTURED"
	# the client's frames use exactly the fixed source ports it was given
	if [ -n "${LAB_SPORTS:-}" ]; then
		local want got src=$CLIENT_IP
		[ "${LAB_V6:-}" ] && src=$CLIENT_IP6
		want=$(tr , '\n' <<<"$LAB_SPORTS" | sort -un | tr '\n' ' ')
		got=$(tcpdump -nn -r "$CAP" "src host $src" 2>/dev/null |
			awk '{ sub(/.*\./, "", $3); print $3 }' | sort -un | tr '\n' ' ')
		[ "$want" = "$got" ] || lab_fail "client source ports: $got; expected $want"
		lab_log "ok: client source ports $got"
	fi
	cp "$CAP" "$OUT.tmp" && mv "$OUT.tmp" "$OUT" || lab_fail "cannot write $OUT"
	lab_log "wrote $OUT ($n frames)"
}
