#!/usr/bin/env python3
"""Live capture while the interface goes down and up, is deleted and
recreated, and is deleted for good, as TAP.  The capture runs on one end
of a veth pair in a network namespace of its own; the server is in a
second namespace, so nothing of the host's traffic is involved.

What must hold (tcpflow-audit(1), LIVE CAPTURE):
* down then up: the capture goes on; stderr says when it went down and for
  how long; the summary counts the gap (CAPTURE_IFACE_DOWN); a connection
  open across it is one record, marked capture_drops_during; one opened
  after it is not marked;
* deleted then recreated under the same name: the capture reopens on the new
  interface (a new index) and goes on;
* deleted for good: after 10 s the capture ends by itself, exit 1, with
  every record (the connection still open as capture_end) and the summary
  (CAPTURE_IFACE_GONE, input.damaged).

Needs root and network namespaces: skips otherwise."""
import json
import os
import signal
import subprocess
import sys
import threading
import time

from tap import check, plan

SRCDIR = os.environ.get("TFA_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BUILDDIR = os.environ.get("TFA_BUILDDIR") or SRCDIR
BIN = os.environ.get("TFA_BIN") or os.path.join(BUILDDIR, "tcpflow-audit")
WORK = os.path.join(BUILDDIR, "tests", "e2e", "out", "live-ifdown")

NS_C = "tfa-ifd-%d-c" % os.getpid()  # the capture and the client
NS_S = "tfa-ifd-%d-s" % os.getpid()  # the server
PORT = 8080
SERVER = """
import socket, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.77.0.2", %d)); s.listen(16)
def serve(c):
    while True:
        d = c.recv(100)
        if not d:
            break
        c.sendall(b"pong")
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
""" % PORT

# A client in the capture's namespace, driven line by line from stdin:
# "open NAME", "ping NAME", "close NAME"; it answers each with a line
# (the connection's local port for open, "ok" otherwise).
CLIENT = """
import socket, sys
conns = {}
for line in sys.stdin:
    verb, name = line.split()
    try:
        if verb == "open":
            conns[name] = socket.create_connection(("10.77.0.2", %d), timeout=10)
            print(conns[name].getsockname()[1], flush=True)
            continue
        if verb == "ping":
            conns[name].sendall(b"ping")
            conns[name].recv(10)
        elif verb == "close":
            conns.pop(name).close()
        print("ok", flush=True)
    except OSError as e:
        print("error %%s" %% e, flush=True)
""" % PORT


def ip(*args, check_rc=True):
    r = subprocess.run(["ip"] + list(args), capture_output=True, text=True)
    if check_rc and r.returncode != 0:
        raise OSError("ip %s: %s" % (" ".join(args), r.stderr.strip()))
    return r


def make_veth():
    """The pair c0 (capture side) and s0 (server side), addressed and up."""
    ip("link", "add", "c0", "netns", NS_C, "type", "veth", "peer", "name", "s0", "netns", NS_S)
    ip("-n", NS_C, "addr", "add", "10.77.0.1/24", "dev", "c0")
    ip("-n", NS_S, "addr", "add", "10.77.0.2/24", "dev", "s0")
    ip("-n", NS_C, "link", "set", "c0", "up")
    ip("-n", NS_S, "link", "set", "s0", "up")


def ifindex():
    out = ip("-n", NS_C, "-o", "link", "show", "c0").stdout
    return int(out.split(":")[0])


class Client:
    def __init__(self):
        self.p = subprocess.Popen(["ip", "netns", "exec", NS_C, sys.executable, "-c", CLIENT],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def do(self, verb, name):
        self.p.stdin.write("%s %s\n" % (verb, name))
        self.p.stdin.flush()
        return self.p.stdout.readline().strip()

    def stop(self):
        self.p.stdin.close()
        self.p.wait(timeout=10)


class Capture:
    """The tool in the capture's namespace; its records as they come."""

    def __init__(self, args):
        self.p = subprocess.Popen(["ip", "netns", "exec", NS_C, BIN, "-i", "c0", "-f", "jsonl",
                                   "--close-linger", "0.3"] + args + ["tcp port %d" % PORT],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.recs = []
        self.err = []
        self.threads = [threading.Thread(target=self.read_out, daemon=True),
                        threading.Thread(target=self.read_err, daemon=True)]
        for t in self.threads:
            t.start()
        time.sleep(0.8)  # the handle open before the traffic starts

    def read_out(self):
        for line in self.p.stdout:
            self.recs.append(json.loads(line))

    def read_err(self):
        for line in self.p.stderr:
            self.err.append(line.rstrip("\n"))

    def conns(self):
        return [r for r in self.recs if r["type"] == "connection"]

    def wait_for(self, pred, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end and not pred():
            time.sleep(0.05)
        return pred()

    def stderr_has(self, text):
        return any(text in line for line in self.err)

    def finish(self, timeout):
        try:
            rc = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = None
        for t in self.threads:
            t.join(timeout=5)
        return rc


def by_port(cap, port):
    return [c for c in cap.conns() if c["client"]["port"] == int(port)]


def down_up():
    cap = Capture(["-w", os.path.join(WORK, "kept.pcap")])
    cl = Client()
    a = cl.do("open", "a")
    cl.do("ping", "a")
    ip("-n", NS_C, "link", "set", "c0", "down")
    check(cap.wait_for(lambda: cap.stderr_has("'c0' went down"), 5.0),
          "down: stderr says the interface went down")
    time.sleep(1.0)
    ip("-n", NS_C, "link", "set", "c0", "up")
    check(cap.wait_for(lambda: cap.stderr_has("'c0' is up again after"), 5.0),
          "up: stderr says it is up again, and after how long")
    check(cap.p.poll() is None, "the capture goes on through the down and up")
    time.sleep(1.0)  # the veth's carrier back
    ping_after = cl.do("ping", "a")
    cl.do("close", "a")
    b = cl.do("open", "b")
    cl.do("ping", "b")
    cl.do("close", "b")
    cl.stop()
    cap.wait_for(lambda: len(cap.conns()) >= 2, 8.0)
    cap.p.send_signal(signal.SIGINT)
    rc = cap.finish(10)
    summ = cap.recs[-1] if cap.recs else {}
    check(rc == 0 and summ.get("type") == "summary", "SIGINT: exit 0, the summary last")
    diags = summ.get("diagnostics", {})
    check(diags.get("CAPTURE_IFACE_DOWN") == 1 and "CAPTURE_IFACE_GONE" not in diags and
          summ["input"]["damaged"] is False,
          "the summary counts one gap, nothing gone, input not damaged (%r)" % diags)
    ra, rb = by_port(cap, a), by_port(cap, b)
    check(ping_after == "ok" and len(ra) == 1 and ra[0]["end_reason"] == "closed" and
          ra[0]["handshake"]["outcome"] == "complete" and
          ra[0]["packets"]["client"] >= 5 and ra[0]["packets"]["server"] >= 4,
          "the connection open across the gap is one whole record")
    check(len(ra) == 1 and ra[0]["capture_drops_during"] is True,
          "it is marked capture_drops_during")
    check(len(rb) == 1 and rb[0]["capture_drops_during"] is False and
          rb[0]["end_reason"] == "closed",
          "the connection opened after the gap is not marked")
    back = subprocess.run([BIN, "-f", "jsonl", os.path.join(WORK, "kept.pcap")],
                          capture_output=True, text=True)
    ports = sorted(json.loads(l)["client"]["port"] for l in back.stdout.splitlines()
                   if json.loads(l)["type"] == "connection")
    check(back.returncode == 0 and ports == sorted([int(a), int(b)]),
          "-w: the kept packets give the same two connections")


def deleted():
    cap = Capture([])
    cl = Client()
    a = cl.do("open", "a")
    cl.do("ping", "a")
    cl.do("close", "a")
    cap.wait_for(lambda: len(cap.conns()) >= 1, 5.0)
    old = ifindex()
    ip("-n", NS_C, "link", "del", "c0")
    check(cap.wait_for(lambda: cap.stderr_has("'c0' disappeared (interface index %d" % old), 5.0),
          "deleted: stderr says the interface disappeared")
    time.sleep(1.0)
    make_veth()
    new = ifindex()
    check(cap.wait_for(lambda: cap.stderr_has("'c0' is back as a new interface (index %d, was %d)"
                                              % (new, old)), 5.0) and new != old,
          "recreated: the capture reopens on the new interface (index %d, was %d)" % (new, old))
    check(cap.p.poll() is None, "and goes on")
    time.sleep(1.0)
    b = cl.do("open", "b")
    cl.do("ping", "b")
    cl.do("close", "b")
    check(cap.wait_for(lambda: len(by_port(cap, b)) == 1, 8.0) and
          by_port(cap, b)[0]["end_reason"] == "closed" and
          by_port(cap, b)[0]["capture_drops_during"] is False,
          "a connection on the new interface is reported whole, not marked")
    c = cl.do("open", "c")
    cl.do("ping", "c")
    time.sleep(0.5)
    t = time.monotonic()
    ip("-n", NS_C, "link", "del", "c0")  # for good; c is still open
    rc = cap.finish(25)
    took = time.monotonic() - t
    cl.p.kill()
    summ = cap.recs[-1] if cap.recs else {}
    diags = summ.get("diagnostics", {})
    check(rc == 1 and 9.5 < took < 20,
          "deleted for good: the capture ends by itself after the 10 s grace, exit 1 "
          "(rc %r, %.1f s)" % (rc, took))
    check(cap.stderr_has("no interface of that name came up within 10 s"),
          "stderr says why it ended")
    rc_ = by_port(cap, c)
    check(summ.get("type") == "summary" and summ["input"]["damaged"] is True and
          diags.get("CAPTURE_IFACE_GONE") == 1 and diags.get("CAPTURE_IFACE_DOWN") == 2,
          "the summary is written: two gaps, gone, input damaged (%r)" % diags)
    check(len(by_port(cap, a)) == 1 and len(by_port(cap, b)) == 1 and len(rc_) == 1 and
          rc_[0]["end_reason"] == "capture_end" and rc_[0]["capture_drops_during"] is True,
          "every connection reported; the one open at the end as capture_end, marked")


def main():
    if os.geteuid() != 0:
        print("1..0 # SKIP needs root (network namespaces and a live capture)")
        return 0
    try:
        ip("netns", "add", NS_C)
        ip("netns", "add", NS_S)
        make_veth()
    except OSError as e:
        print("1..0 # SKIP cannot make a veth pair in network namespaces: %s" % str(e)[:120])
        ip("netns", "del", NS_C, check_rc=False)
        ip("netns", "del", NS_S, check_rc=False)
        return 0
    srv = None
    try:
        probe = subprocess.run(["ip", "netns", "exec", NS_C, BIN, "-i", "c0", "-c", "1",
                                "--duration", "1", "-f", "jsonl"], capture_output=True, text=True)
        if probe.returncode == 3:
            print("1..0 # SKIP cannot capture on a veth: %s" % probe.stderr.strip()[:120])
            return 0
        os.makedirs(WORK, exist_ok=True)
        srv = subprocess.Popen(["ip", "netns", "exec", NS_S, sys.executable, "-c", SERVER])
        time.sleep(0.5)
        down_up()
        deleted()
    finally:
        if srv is not None:
            srv.kill()
            srv.wait()
        ip("netns", "del", NS_C, check_rc=False)
        ip("netns", "del", NS_S, check_rc=False)
    plan()
    return 0


if __name__ == "__main__":
    sys.exit(main())
