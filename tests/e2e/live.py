#!/usr/bin/env python3
"""Live capture on the loopback interface, as TAP: connections opened and
closed while the tool runs must be reported *before* the capture ends; an
interrupt (SIGINT) must flush the connection still open, as open_at_end,
then the summary with the kernel's drop counts, and exit 0.  Also -w (the
packets kept while analysed), -c, --duration, -i any with and without
--immediate, -Z and a missing interface.  (The interface going down and
away: live-ifdown.py.)

Needs root (or CAP_NET_RAW) to capture: skips otherwise, and when the
loopback interface cannot be opened."""
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time

from tap import check, plan

SRCDIR = os.environ.get("TFA_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BUILDDIR = os.environ.get("TFA_BUILDDIR") or SRCDIR
BIN = os.environ.get("TFA_BIN") or os.path.join(BUILDDIR, "tcpflow-audit")
WORK = os.path.join(BUILDDIR, "tests", "e2e", "out", "live")

class Server:
    """A loopback TCP server: reads one request, answers, closes."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            c.recv(100)
            c.sendall(b"pong")
            c.close()


def exchange(port):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"ping")
    s.recv(10)
    s.close()


class Reader:
    """Collects the tool's stdout lines as they come, with arrival times."""

    def __init__(self, proc):
        self.proc = proc
        self.lines = []
        self.thread = threading.Thread(target=self.read, daemon=True)
        self.thread.start()

    def read(self):
        for line in self.proc.stdout:
            self.lines.append((time.monotonic(), json.loads(line)))

    def conns(self):
        return [r for _, r in self.lines if r["type"] == "connection"]

    def wait_for(self, n, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end and len(self.conns()) < n:
            time.sleep(0.05)
        return len(self.conns()) >= n


def start(args):
    p = subprocess.Popen([BIN, "-i", "lo", "-f", "jsonl"] + args, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(0.7)  # let the handle open before the traffic starts
    return p


def main():
    if os.geteuid() != 0:
        print("1..0 # SKIP live capture needs root or CAP_NET_RAW")
        return 0
    probe = subprocess.run([BIN, "-i", "lo", "-c", "1", "--duration", "1", "-f", "jsonl"],
                           capture_output=True, text=True)
    if probe.returncode == 3:
        print("1..0 # SKIP cannot capture on lo: %s" % probe.stderr.strip()[:120])
        return 0
    os.makedirs(WORK, exist_ok=True)
    srv = Server()
    pcap_out = os.path.join(WORK, "kept.pcap")

    # records stream out as connections end; SIGINT flushes the rest
    p = start(["-w", pcap_out, "--close-linger", "0.5", "tcp port %d" % srv.port])
    rd = Reader(p)
    t0 = time.monotonic()
    for _ in range(3):
        exchange(srv.port)
    held = socket.create_connection(("127.0.0.1", srv.port))
    held.sendall(b"x")  # the server answers and closes; the client does not
    got = rd.wait_for(3, 8.0)
    check(got and p.poll() is None,
          "three closed connections reported while the capture runs (%.1f s)"
          % (time.monotonic() - t0))
    early = rd.conns()[:3]
    # the server's FIN and the client's close() race on loopback: either
    # one FIN first or both at once
    check(all(c["close"]["kind"] in ("graceful", "simultaneous") and c["verdict"] == "ok"
              for c in early), "they closed cleanly, verdict ok")
    check(all(c["end_reason"] == "closed" for c in early), "end reason: closed")
    time.sleep(1.0)  # quiet link: the clock still moves, nothing spurious
    check(len(rd.conns()) == 3, "the half-closed connection stays open")
    p.send_signal(signal.SIGINT)
    rc = p.wait(timeout=10)
    rd.thread.join(timeout=5)
    err = p.stderr.read()
    recs = [r for _, r in rd.lines]
    conns = rd.conns()
    check(rc == 0, "SIGINT: exit 0 (got %d, stderr %r)" % (rc, err[:200]))
    check(len(conns) == 4 and conns[3]["end_reason"] == "capture_end",
          "SIGINT: the open connection flushed")
    check(len(conns) == 4 and conns[3]["endpoints"]["server"]["final_state"] != "ESTABLISHED"
          and conns[3]["endpoints"]["client"]["final_state"] == "CLOSE_WAIT",
          "its client was left in CLOSE_WAIT")
    summ = recs[-1] if recs else {}
    check(summ.get("type") == "summary" and summ["input"]["interrupted"] is True,
          "SIGINT: the summary last, marked interrupted")
    check("kernel_drops" in summ.get("input", {}) and "interface_drops" in summ.get("input", {}),
          "the summary carries the kernel's drop counts")
    drops = summ.get("input", {}).get("kernel_drops", 0) + summ.get("input", {}).get("interface_drops", 0)
    check(all(c["capture_drops_during"] == (drops > 0) for c in conns) and
          (drops > 0) == ("CAPTURE_KERNEL_DROPS" in summ.get("diagnostics", {})),
          "connections and diagnostics agree with the drop counts (%d dropped)" % drops)
    held.close()

    # -w kept the same packets: reading them back gives the same connections
    back = subprocess.run([BIN, "-f", "jsonl", pcap_out], capture_output=True, text=True)
    again = [json.loads(l) for l in back.stdout.splitlines()]
    check(back.returncode == 0 and
          [c["client"]["port"] for c in again if c["type"] == "connection"] ==
          [c["client"]["port"] for c in conns],
          "-w: the kept packets give the same connections")

    # -c stops after that many packets; --duration after that long
    p = start(["-c", "5", "tcp port %d" % srv.port])
    for _ in range(3):
        exchange(srv.port)
    try:
        rc = p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = None
    out = [json.loads(l) for l in p.stdout.read().splitlines()]
    check(rc == 0 and out and out[-1]["frames"] == 5, "-c 5: stops after 5 packets")
    t = time.monotonic()
    r = subprocess.run([BIN, "-i", "lo", "-f", "jsonl", "--duration", "1",
                        "tcp port %d" % srv.port], capture_output=True, text=True, timeout=20)
    check(r.returncode == 0 and 0.8 < time.monotonic() - t < 5,
          "--duration 1 ends the capture on a quiet link")

    # -i any (Linux cooked headers): every packet of every connection
    p = subprocess.Popen([BIN, "-i", "any", "-f", "jsonl", "--close-linger", "0.5",
                          "tcp port %d" % srv.port], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(0.7)
    rd = Reader(p)
    for _ in range(3):
        exchange(srv.port)
    got = rd.wait_for(3, 8.0)
    p.send_signal(signal.SIGINT)
    p.wait(timeout=10)
    rd.thread.join(timeout=5)
    conns = rd.conns()
    check(got and len(conns) == 3 and
          all(c["packets"]["client"] + c["packets"]["server"] >= 9 and
              c["handshake"]["outcome"] == "complete" and c["end_reason"] == "closed"
              for c in conns),
          "-i any: three whole connections, reported as they closed")

    # -i any --immediate: libpcap's immediate mode would give a ring of 8
    # packets there (TPACKET_V2, one 256 KiB slot each) and drop most of a
    # burst; ours keeps the TPACKET_V3 ring: a burst of 200 connections
    # (some 4000 packets, both directions of lo seen) loses none
    p = subprocess.Popen([BIN, "-i", "any", "--immediate", "-f", "jsonl", "--close-linger", "0.5",
                          "tcp port %d" % srv.port], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(0.7)
    rd = Reader(p)
    for _ in range(200):
        exchange(srv.port)
    got = rd.wait_for(200, 20.0)
    p.send_signal(signal.SIGINT)
    p.wait(timeout=10)
    rd.thread.join(timeout=5)
    conns = rd.conns()
    summ = rd.lines[-1][1] if rd.lines else {}
    drops = summ.get("input", {}).get("kernel_drops")
    check(got and drops == 0 and len(conns) == 200 and
          all(c["handshake"]["outcome"] == "complete" and c["end_reason"] == "closed"
              for c in conns),
          "-i any --immediate: a burst of 200 connections, every one whole, no packet "
          "dropped (%d records, kernel_drops %r)" % (len(conns), drops))

    # -Z drops root once the handle is open
    p = start(["-Z", "nobody", "tcp port %d" % srv.port])
    try:
        with open("/proc/%d/status" % p.pid) as f:
            uids = [l.split()[1:] for l in f if l.startswith("Uid:")][0]
    except OSError:
        uids = []
    p.send_signal(signal.SIGINT)
    rc = p.wait(timeout=10)
    check(rc == 0 and uids and all(u != "0" for u in uids), "-Z nobody: runs without root")

    # a missing interface: exit 3 and a message naming it
    r = subprocess.run([BIN, "-i", "tfa-no-such-if0", "-f", "jsonl"], capture_output=True,
                       text=True, timeout=20)
    check(r.returncode == 3 and "tfa-no-such-if0" in r.stderr and r.stdout == "",
          "missing interface: exit 3, named on stderr, nothing on stdout")

    plan()
    return 0


if __name__ == "__main__":
    sys.exit(main())
