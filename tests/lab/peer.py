#!/usr/bin/python3
"""peer.py - the client and server programs of the capture lab.

    peer.py server MODE --host IP --port P [--ready F] [--hold F] [opts]
    peer.py client MODE --host IP --port P --sport P1[,P2...] [opts]

Each MODE is a small, fixed conversation with the socket options the
scenario needs. A peer exits 0 only when everything it expected to happen
did (e.g. "connect was refused", "recv saw a reset"); the scenario script
treats any other exit status as a failed recipe. The server writes --ready
once it listens; with --hold it waits for that file to exist before it
exits (so sockets stay in their states until the capture has stopped).
Lines of JSON on stdout describe what happened, for the logs.
"""
import argparse
import errno
import json
import os
import select
import socket
import struct
import sys
import time

A = None


def log(**kw):
    kw["t"] = round(time.time(), 6)
    print(json.dumps(kw), flush=True)


def wait_file(path, timeout=30.0):
    end = time.time() + timeout
    while path and not os.path.exists(path):
        if time.time() > end:
            raise SystemExit("timed out waiting for " + path)
        time.sleep(0.02)


def family():
    return socket.AF_INET6 if ":" in A.host else socket.AF_INET


def tcp_socket():
    """A TCP socket with cubic congestion control, whatever the default."""
    s = socket.socket(family(), socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, b"cubic")
    return s


def listener(backlog=8, rcvbuf=None, port=None):
    s = tcp_socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind((A.host, port or A.port))
    s.listen(backlog)
    if A.ready:
        open(A.ready, "w").close()
    log(event="listening", port=port or A.port, backlog=backlog)
    return s


def accept(ls):
    ls.settimeout(20)
    c, addr = ls.accept()
    c.settimeout(20)
    cc = c.getsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, 16)
    if not cc.startswith(b"cubic"):
        raise SystemExit("accepted socket uses %r" % cc)
    log(event="accepted", peer=str(addr))
    return c


NCONN = 0


def client_port():
    """The fixed source port of this client's next connection: the i-th
    connect() uses the i-th port of --sport (the last one is repeated).
    Fixed ports keep regenerated captures equal in shape to samples/ (the
    .checks files pin client.port)."""
    global NCONN
    ports = [int(p) for p in A.sport.split(",") if p.strip()]
    if not ports:
        raise SystemExit("client: --sport is required (fixed source ports)")
    p = ports[min(NCONN, len(ports) - 1)]
    NCONN += 1
    return p


def connect(port=None, opts=()):
    """bind() to --bind (default: the wildcard address) and the next fixed
    source port, then connect() to --host and port (default --port)."""
    c = tcp_socket()
    for level, name, value in opts:
        c.setsockopt(level, name, value)
    # SO_REUSEADDR: the port may still be held by a TIME-WAIT socket of the
    # same namespace (port-reuse); harmless otherwise
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.bind((A.bind or ("::" if family() == socket.AF_INET6 else "0.0.0.0"),
            client_port()))
    c.settimeout(A.timeout)
    c.connect((A.host, port or A.port))
    c.settimeout(20)
    log(event="connected", local=str(c.getsockname()))
    if A.settle:
        # let late handshake segments (a repeated SYN-ACK) be answered
        # before the first write, so that they do not race it
        time.sleep(A.settle)
    return c


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(min(65536, n - len(buf)))
        if not chunk:
            raise SystemExit("EOF after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


def recv_eof(s):
    buf = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return buf
        buf += chunk


def expect_eof(s):
    rest = recv_eof(s)
    if rest:
        raise SystemExit("expected EOF, got %d bytes" % len(rest))
    log(event="eof")


def expect_reset(s, what="recv"):
    try:
        data = s.recv(65536)
    except ConnectionResetError:
        log(event="reset", on=what)
        return
    raise SystemExit("expected a reset, recv gave %r" % data[:20])


def sleep_until(t):
    time.sleep(max(0.0, t - time.time()))


def hold():
    wait_file(A.hold)


def payload(n, c=b"x"):
    return (c * n)[:n]


# ---------------------------------------------------------------- servers
def s_request_response(closing):
    """Read a 100-byte request, answer 200 bytes.  closing: 'after_eof'
    (peer closes first), 'first' (close right after answering), 'never'
    (keep the socket, CLOSE_WAIT), 'expect_reset' (peer aborts).
    Listen backlog --backlog (default 8)."""
    ls = listener(backlog=A.backlog)
    c = accept(ls)
    recv_exact(c, A.req)
    c.sendall(payload(A.resp, b"R"))
    if closing == "first":
        c.close()
    elif closing == "after_eof":
        expect_eof(c)
        c.close()
    elif closing == "never":
        expect_eof(c)
        log(event="not closing")
        hold()
        return
    elif closing == "expect_reset":
        expect_reset(c)
        c.close()
    hold()


def server_clean(_):
    s_request_response("after_eof")


def server_server_first(_):
    s_request_response("first")


def server_close_wait(_):
    s_request_response("never")


def server_expect_reset(_):
    s_request_response("expect_reset")


def server_greet(_):
    """Server speaks first (its greeting waits for accept())."""
    ls = listener()
    c = accept(ls)
    c.sendall(payload(50, b"G"))
    recv_exact(c, A.req)
    expect_eof(c)
    c.close()
    hold()


def server_close_unread(_):
    ls = listener()
    c = accept(ls)
    select.select([c], [], [], 10)
    time.sleep(0.05)
    log(event="closing with unread data")
    c.close()
    hold()


def server_greet_close(_):
    ls = listener()
    c = accept(ls)
    c.sendall(payload(50, b"G"))
    c.close()
    hold()


def server_half_close(_):
    ls = listener()
    c = accept(ls)
    got = recv_eof(c)
    log(event="request", bytes=len(got))
    for _ in range(3):
        c.sendall(payload(1000, b"D"))
        time.sleep(0.05)
    c.close()
    hold()


def server_simultaneous(_):
    ls = listener()
    c = accept(ls)
    recv_exact(c, A.req)
    c.sendall(payload(A.resp, b"R"))
    sleep_until(A.at)
    c.close()
    hold()


def server_bulk(_):
    ls = listener(rcvbuf=A.rcvbuf)
    c = accept(ls)
    if A.pause:
        time.sleep(A.pause)
    recv_exact(c, A.size)
    c.sendall(b"ok")
    expect_eof(c)
    c.close()
    hold()


def server_echo_rounds(_):
    ls = listener()
    c = accept(ls)
    n = 0
    while True:
        buf = b""
        while len(buf) < A.req:
            chunk = c.recv(A.req - len(buf))
            if not chunk:
                break
            buf += chunk
        if not buf:
            break
        c.sendall(payload(A.resp, b"R"))
        n += 1
    log(event="rounds", n=n)
    c.close()
    hold()


def server_reuse(_):
    ls = listener()
    for _ in range(A.rounds):
        c = accept(ls)
        recv_exact(c, A.req)
        c.sendall(payload(A.resp, b"R"))
        c.close()
    hold()


def server_no_accept(_):
    ls = listener(backlog=A.backlog)    # keep the reference: GC would close it
    hold()
    ls.close()


def server_serve(_):
    """--rounds request/response connections, one after the other; the
    first --keep of them are never closed (EOF read, close() forgotten:
    CLOSE_WAIT), the others are closed after the client's EOF."""
    ls = listener(backlog=A.backlog)
    kept = []
    for i in range(A.rounds):
        c = accept(ls)
        recv_exact(c, A.req)
        c.sendall(payload(A.resp, b"R"))
        expect_eof(c)
        if i < A.keep:
            kept.append(c)          # keep the reference: GC would close it
            log(event="not closing", i=i)
        else:
            c.close()
    hold()


def hold_no_eof(c):
    """hold(), and fail if anything (the peer's FIN, data) arrives on c
    before the --hold file exists (once it exists the peer may exit and
    close: that EOF does not count)."""
    end = time.time() + 30.0
    while not os.path.exists(A.hold):
        if time.time() > end:
            raise SystemExit("timed out waiting for " + A.hold)
        r, _, _ = select.select([c], [], [], 0.02)
        if r and not os.path.exists(A.hold):
            got = c.recv(65536, socket.MSG_PEEK)
            raise SystemExit("expected no EOF, recv gave %r" % got[:20])


def server_respond_hold(_):
    """Read the request, answer it after --pause seconds, then keep the
    connection open; exits 0 only if no FIN ever arrived (--expect reset:
    only if the connection was reset)."""
    ls = listener()
    c = accept(ls)
    recv_exact(c, A.req)
    if A.pause:
        time.sleep(A.pause)
    c.sendall(payload(A.resp, b"R"))
    log(event="answered")
    if A.expect == "reset":
        hold()
        expect_reset(c)
        return
    hold_no_eof(c)
    log(event="no EOF")


def server_pingpong(_):
    """One request/response with delayed ACKs from the first segment on:
    TCP_QUICKACK 0 right after accept() puts the socket in the kernel's
    interactive (pingpong) mode, which skips the quick-ACK start."""
    ls = listener()
    c = accept(ls)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 0)
    log(event="quickack off")
    recv_exact(c, A.req)
    c.sendall(payload(A.resp, b"R"))
    expect_eof(c)
    c.close()
    hold()


def server_unread_second(_):
    """Answer one request, then close() --pause s (default 0.05) after the
    client's next request arrived, with it unread in the receive queue
    (Linux sends RST instead of FIN)."""
    ls = listener()
    c = accept(ls)
    recv_exact(c, A.req)
    c.sendall(payload(A.resp, b"R"))
    select.select([c], [], [], 10)
    time.sleep(A.pause or 0.05)
    log(event="closing with unread data")
    c.close()
    hold()


def server_reconnect(_):
    """Conn 1: request/response, then left open (the client host will
    vanish); conn 2 (the client again, after its reboot): request/response,
    closed after the client's EOF. Exits 0 only if conn 1 ended by a
    reset (the rebooted client's RST)."""
    ls = listener()
    c1 = accept(ls)
    recv_exact(c1, A.req)
    c1.sendall(payload(A.resp, b"R"))
    c2 = accept(ls)
    recv_exact(c2, A.req)
    c2.sendall(payload(A.resp, b"R"))
    expect_eof(c2)
    c2.close()
    expect_reset(c1, "conn 1")
    c1.close()
    hold()


def server_simopen(_):
    """Simultaneous open: bind --host:--port and connect() to the client's
    --peer-ip:--peer-port at the moment the client connects to us."""
    c = tcp_socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.bind((A.host, A.port))
    c.settimeout(5)
    if A.ready:
        open(A.ready, "w").close()
    c.connect((A.peer_ip, A.peer_port))
    c.settimeout(20)
    log(event="connected", local=str(c.getsockname()))
    recv_exact(c, A.req)
    c.sendall(payload(A.resp, b"R"))
    expect_eof(c)
    c.close()
    hold()


def server_inject_target(_):
    """Two request/response rounds; the second may die from a reset."""
    ls = listener()
    c = accept(ls)
    recv_exact(c, A.req)
    c.sendall(payload(A.resp, b"R"))
    try:
        recv_exact(c, A.req)
    except ConnectionResetError:
        log(event="reset")
        if A.expect != "reset":
            raise SystemExit("unexpected reset")
        hold()
        return
    if A.expect == "reset":
        raise SystemExit("connection survived the injected reset")
    c.sendall(payload(A.resp, b"R"))
    expect_eof(c)
    c.close()
    hold()


# ---------------------------------------------------------------- clients
def client_clean(_):
    for i in range(A.rounds):
        if i:
            time.sleep(A.gap)
        c = connect()
        c.sendall(payload(A.req, b"Q"))
        recv_exact(c, A.resp)
        c.close()


def client_server_first(_):
    c = connect()
    c.sendall(payload(A.req, b"Q"))
    got = recv_eof(c)
    if len(got) != A.resp:
        raise SystemExit("short response")
    c.close()


def client_refused(_):
    ports = range(A.port, A.port + A.rounds)
    for p in ports:
        try:
            connect(port=p)
        except ConnectionRefusedError:
            log(event="refused", port=p)
        else:
            raise SystemExit("port %d accepted" % p)


def client_unanswered(_):
    try:
        connect()
    except (TimeoutError, socket.timeout) as e:
        log(event="connect timed out", err=str(e))
        return
    raise SystemExit("connect succeeded")


def client_greet(_):
    c = connect()
    recv_exact(c, 50)
    c.sendall(payload(A.req, b"Q"))
    c.close()


def client_linger0(_):
    c = connect()
    c.sendall(payload(A.req, b"Q"))
    recv_exact(c, A.resp)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
    log(event="aborted")


def client_expect_reset(_):
    c = connect()
    c.sendall(payload(A.req, b"Q"))
    expect_reset(c)
    c.close()


def client_write_after_close(_):
    c = connect()
    recv_exact(c, 50)
    expect_eof(c)
    time.sleep(0.05)
    c.sendall(payload(A.req, b"Q"))      # the peer has closed: RST comes back
    time.sleep(0.3)
    try:
        c.sendall(payload(A.req, b"Q"))
    except (BrokenPipeError, ConnectionResetError) as e:
        log(event="write failed", err=type(e).__name__)
        c.close()
        return
    raise SystemExit("second write did not fail")


def client_half_close(_):
    c = connect()
    c.sendall(payload(A.req, b"Q"))
    c.shutdown(socket.SHUT_WR)
    got = recv_eof(c)
    if len(got) != 3000:
        raise SystemExit("got %d bytes" % len(got))
    c.close()


def client_simultaneous(_):
    c = connect()
    c.sendall(payload(A.req, b"Q"))
    recv_exact(c, A.resp)
    sleep_until(A.at)
    c.close()


def client_bulk(_):
    opts = []
    if A.sndbuf:
        opts.append((socket.SOL_SOCKET, socket.SO_SNDBUF, A.sndbuf))
    c = connect(opts=opts)
    c.sendall(payload(A.size, b"B"))
    if recv_exact(c, 2) != b"ok":
        raise SystemExit("bad answer")
    c.close()


def client_rounds(_):
    c = connect(opts=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, A.nodelay)])
    head = min(20, A.req // 2)
    for i in range(A.rounds):
        t0 = time.time()
        c.sendall(payload(head, b"H"))
        c.sendall(payload(A.req - head, b"b"))
        recv_exact(c, A.resp)
        log(event="round", i=i, ms=round((time.time() - t0) * 1000, 1))
    c.close()


def client_keepalive(_):
    opts = [(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1),
            (socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1),
            (socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1),
            (socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)]
    c = connect(opts=opts)
    c.sendall(payload(A.req, b"Q"))
    recv_exact(c, A.resp)
    time.sleep(A.idle)
    c.close()


def client_reuse(_):
    for i in range(A.rounds):
        c = connect()
        c.sendall(payload(A.req, b"Q"))
        got = recv_eof(c)
        if len(got) != A.resp:
            raise SystemExit("short response")
        c.close()
        log(event="done", i=i)
        time.sleep(A.gap)


def client_hold_open(_):
    """--rounds connections, one after the other, each left open (the
    protocol is server-speaks-first and the server never accept()s)."""
    conns = [connect() for _ in range(A.rounds)]
    log(event="all connected", n=len(conns))
    hold()


def client_request_hold(_):
    """Request/response, then keep the connection open and idle."""
    c = connect()
    c.sendall(payload(A.req, b"Q"))
    recv_exact(c, A.resp)
    log(event="idle")
    hold()
    c.close()


def client_unreachable(_):
    """connect() to each host of --targets in turn (from the next fixed
    port each); each must fail with the errno of --expect (same order),
    e.g. ENETUNREACH, EHOSTUNREACH: a router's ICMP error."""
    hosts = A.targets.split(",")
    errs = A.expect.split(",")
    if len(hosts) != len(errs):
        raise SystemExit("--targets and --expect differ in length")
    for host, want in zip(hosts, errs):
        A.host = host
        try:
            connect()
        except OSError as e:
            got = errno.errorcode.get(e.errno, str(e.errno))
            log(event="connect failed", host=host, errno=got)
            if got != want:
                raise SystemExit("%s: %s, expected %s" % (host, got, want))
            continue
        raise SystemExit("connect to %s succeeded" % host)


def client_exhaust(_):
    """--rounds request/response connections from fixed ports, closing
    first (TIME_WAIT here); then one connect() with a kernel-chosen port,
    which must fail locally with EADDRNOTAVAIL (every port of the
    namespace's ip_local_port_range is held by a TIME_WAIT socket)."""
    for i in range(A.rounds):
        c = connect()
        c.sendall(payload(A.req, b"Q"))
        recv_exact(c, A.resp)
        c.close()
        time.sleep(A.gap)
    c = tcp_socket()
    c.settimeout(5)
    try:
        c.connect((A.host, A.port))
    except OSError as e:
        if e.errno != errno.EADDRNOTAVAIL:
            raise SystemExit("connect failed with %r" % e)
        log(event="connect failed", errno="EADDRNOTAVAIL")
        return
    raise SystemExit("connect succeeded from %r" % (c.getsockname(),))


def client_half_close_wait(_):
    """Request, then shutdown(SHUT_WR) once the request is acknowledged;
    read the response; keep waiting for the server's FIN, which must not
    come (the server never got ours)."""
    c = connect()
    c.sendall(payload(A.req, b"Q"))
    time.sleep(0.1)
    c.shutdown(socket.SHUT_WR)
    log(event="shutdown")
    recv_exact(c, A.resp)
    log(event="response")
    hold_no_eof(c)
    log(event="no EOF")


def client_close_early(_):
    """Request, then close() once the request is acknowledged, without
    waiting for the response."""
    c = connect()
    c.sendall(payload(A.req, b"Q"))
    time.sleep(0.1)
    c.close()
    log(event="closed")


def keepalive_opts():
    return [(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1),
            (socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, A.keepidle),
            (socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1),
            (socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)]


def client_keepalive_dead(_):
    """Request/response with keep-alive on, then block in recv(): it must
    end with --expect timeout (ETIMEDOUT: probes unanswered) or reset
    (ECONNRESET: a probe answered by RST)."""
    c = connect(opts=keepalive_opts())
    c.sendall(payload(A.req, b"Q"))
    recv_exact(c, A.resp)
    log(event="idle")
    c.settimeout(30)
    try:
        got = c.recv(65536)
    except ConnectionResetError:
        log(event="recv", err="ECONNRESET")
        if A.expect != "reset":
            raise SystemExit("unexpected reset")
        return
    except OSError as e:
        if e.errno == errno.ETIMEDOUT:
            log(event="recv", err="ETIMEDOUT")
            if A.expect != "timeout":
                raise SystemExit("unexpected ETIMEDOUT")
            return
        raise
    raise SystemExit("recv gave %r" % got[:20])


def client_write_later(_):
    """Request/response, idle --idle seconds, then a second request: its
    answer must be a reset (the server forgot the connection)."""
    c = connect()
    c.sendall(payload(A.req, b"Q"))
    recv_exact(c, A.resp)
    log(event="idle")
    time.sleep(A.idle)
    c.sendall(payload(A.req, b"Q"))
    expect_reset(c)
    c.close()


def client_unread_second(_):
    """Request/response, then a second request the server never reads."""
    c = connect()
    c.sendall(payload(A.req, b"Q"))
    recv_exact(c, A.resp)
    c.sendall(payload(A.req, b"Q"))
    expect_reset(c)
    c.close()


def client_inject_target(_):
    c = connect()
    c.sendall(payload(A.req, b"Q"))
    recv_exact(c, A.resp)
    time.sleep(0.3)
    c.sendall(payload(A.req, b"Q"))
    if A.expect == "reset":
        expect_reset(c)
        c.close()
        return
    recv_exact(c, A.resp)
    c.close()


def client_icmp_errno(_):
    """connect() to --port, --port+1, ... (--rounds ports); each must fail:
    log the errno it failed with (icmp-unreachable)."""
    import errno
    for p in range(A.port, A.port + A.rounds):
        t = time.time()
        try:
            connect(port=p)
        except OSError as e:
            log(event="connect failed", port=p, errno=errno.errorcode.get(e.errno, str(e.errno)),
                after=round(time.time() - t, 3))
        else:
            raise SystemExit("port %d accepted" % p)


def server_accept_hold(_):
    """accept one connection and keep it open, reading nothing, until the
    scenario releases it (icmp-soft-error)."""
    ls = listener(backlog=A.backlog)
    c = accept(ls)
    hold()
    c.close()
    ls.close()


def client_icmp_timeout(_):
    """send --req bytes, then --resp bytes (which the path rejects with an
    ICMP error), and wait for the connection to time out: log the errno
    recv() gets (icmp-soft-error)."""
    import errno
    c = connect()
    c.sendall(payload(A.req, b"Q"))
    time.sleep(0.3)
    c.sendall(payload(A.resp, b"R"))
    t = time.time()
    c.settimeout(120)
    try:
        data = c.recv(100)
    except OSError as e:
        log(event="recv failed", errno=errno.errorcode.get(e.errno, str(e.errno)),
            after=round(time.time() - t, 3))
        c.close()
        return
    raise SystemExit("recv gave %r" % data[:20])


def main():
    global A
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("role", choices=["server", "client"])
    ap.add_argument("mode")
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, default=9000)
    ap.add_argument("--ready")
    ap.add_argument("--hold")
    ap.add_argument("--req", type=int, default=100)
    ap.add_argument("--resp", type=int, default=200)
    ap.add_argument("--size", type=int, default=20000)
    ap.add_argument("--rcvbuf", type=int, default=0)
    ap.add_argument("--sndbuf", type=int, default=0)
    ap.add_argument("--pause", type=float, default=0.0)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--nodelay", type=int, default=0)
    ap.add_argument("--idle", type=float, default=3.5)
    ap.add_argument("--backlog", type=int, default=8)
    ap.add_argument("--at", type=float, default=0.0)
    ap.add_argument("--gap", type=float, default=0.2,
                    help="client: seconds between connections")
    ap.add_argument("--keep", type=int, default=0,
                    help="server serve: leave the first N connections open")
    ap.add_argument("--keepidle", type=int, default=1,
                    help="client keepalive-dead: TCP_KEEPIDLE seconds")
    ap.add_argument("--peer-ip", default="")
    ap.add_argument("--targets", default="",
                    help="client unreachable: hosts, comma-separated")
    ap.add_argument("--peer-port", type=int, default=0)
    ap.add_argument("--bind", default="")
    ap.add_argument("--sport", default="",
                    help="client: fixed source port(s), comma-separated, "
                    "one per connection in order (the last is repeated)")
    ap.add_argument("--expect", default="")
    ap.add_argument("--settle", type=float, default=0.0,
                    help="client: seconds to wait after connect() returns")
    ap.add_argument("--timeout", type=float, default=20.0,
                    help="connect() timeout in seconds")
    A = ap.parse_args()
    fn = globals().get("%s_%s" % (A.role, A.mode.replace("-", "_")))
    if fn is None:
        raise SystemExit("unknown mode " + A.mode)
    fn(A)
    log(event="ok", role=A.role, mode=A.mode)


if __name__ == "__main__":
    sys.exit(main())
