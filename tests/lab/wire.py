#!/usr/bin/python3
"""wire.py - a programmable user-space "cable" between two TAP devices.

It creates one TAP device (IFF_TAP|IFF_NO_PI) inside each of two network
namespaces, then copies Ethernet frames between the two file descriptors.
Because TAP devices have no offloads, every TCP segment is MSS-sized at most
and carries a correct checksum, and a frame the wire does not forward really
never reaches the other host: this is real network loss, unlike a drop in
the sender's own output hook.

Rules (JSON objects, one per --rule) act on TCP frames:

  {"id": "name", "act": ACT, "match": MATCH, "nth": 1, "count": 1, ...}

  match  {"dir": "c2s"|"s2c"|"any", "flags": "SA", "noflags": "R",
          "data": true|false, "fins_seen": 2, "before_fin": "c2s",
          "dport_in": [50001, 50012]}
         flags   = letters that must be set (F S R P A U E C)
         noflags = letters that must be clear
         data    = the segment carries payload (true) / carries none (false)
         fins_seen = at least this many directions have already sent a FIN
         before_fin = that direction ("c2s"|"s2c") has not sent a FIN yet
         dport_in = [LO, HI]: the TCP destination port is in LO..HI
  nth    the rule acts from the nth matching frame on (1-based) ...
  count  ... for this many frames (0 = every one after that)

  act    drop       do not forward
         dup        forward twice (byte-identical)
         delay      forward after "secs" seconds
         hold       keep the frame until a frame matching "release" has been
                    forwarded (a "release" dir of "other" means the opposite
                    direction of the held frame), then forward it; gives up
                    after "timeout" seconds (counted as "timeouts");
                    with "copy": true the frame is forwarded at once and a
                    byte-identical copy is held (a duplicate the network
                    delivers late, e.g. into a later incarnation)
         inject_rst after the matching frame has been forwarded, send a
                    crafted RST+ACK to "to" ("client"|"server") that claims
                    to come from the other endpoint; its sequence number is
                    that endpoint's next sequence number plus "offset"
                    (0 = exactly what the receiver expects). TTL "ttl",
                    IP ID 0x5eed, so it can be told apart from the real one.
         inject_syns on SIGUSR1 (match is ignored), send "n" SYNs to the
                    server port from "src_base" (IPv4, incremented per SYN)
                    and source port "sport_base" (incremented).

With --control FIFO the wire also reads commands, one per line:
  close client|server   close that side's TAP (the device disappears: the
                        host is unplugged; frames toward it are counted as
                        "errors" and dropped)
  open client|server    create that side's TAP again, in the namespace of
                        the same name (which may have been recreated)

A path (applied to frames no rule acts on): --latency SECS delays every
frame by that much one way, --jitter SECS adds up to that much more (never
reordering a direction), and --loss P drops each TCP frame with probability
P, drawn from --seed's generator (the same seed drops the same frames of the
same exchange).  Frames a path drops are counted as "path_lost".

Every rule counts "seen" (matching frames) and "applied". The counters and
per-direction frame totals are written as JSON to --stats on SIGTERM/SIGINT
(and on SIGUSR2). "ready" is printed on stdout once both taps exist.

Run as root:  wire.py --ns-client NS1 --ns-server NS2 [--tap NAME]
              --client-mac M --server-mac M --stats FILE [--rule JSON]...
              [--control FIFO]
"""
import argparse
import ctypes
import fcntl
import heapq
import json
import os
import random
import select
import signal
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000
FLAG_BITS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10,
             "U": 0x20, "E": 0x40, "C": 0x80}


def open_tap_in_netns(ns, name):
    """Create TAP device NAME inside namespace NS; return its fd."""
    libc = ctypes.CDLL(None, use_errno=True)
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open("/run/netns/" + ns, os.O_RDONLY)
    try:
        if libc.setns(target, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + ns)
        fd = os.open("/dev/net/tun", os.O_RDWR)
        fcntl.ioctl(fd, TUNSETIFF,
                    struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    finally:
        libc.setns(home, CLONE_NEWNET)
        os.close(home)
        os.close(target)
    return fd


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def parse(frame):
    """Return a dict describing a TCP frame, or None."""
    if len(frame) < 14:
        return None
    etype = struct.unpack("!H", frame[12:14])[0]
    if etype == 0x0800:
        if len(frame) < 34 or frame[23] != 6:
            return None
        ihl = (frame[14] & 0x0F) * 4
        total = struct.unpack("!H", frame[16:18])[0]
        src, dst = frame[26:30], frame[30:34]
        t = 14 + ihl
        iplen = total - ihl
        v = 4
    elif etype == 0x86DD:
        if len(frame) < 54 or frame[20] != 6:
            return None
        iplen = struct.unpack("!H", frame[18:20])[0]
        src, dst = frame[22:38], frame[38:54]
        t = 54
        v = 6
    else:
        return None
    if len(frame) < t + 20:
        return None
    sport, dport, seq, ack, off, flags, win = struct.unpack(
        "!HHIIBBH", frame[t:t + 16])
    hl = (off >> 4) * 4
    return {"v": v, "src": src, "dst": dst, "sport": sport, "dport": dport,
            "seq": seq, "ack": ack, "flags": flags, "win": win,
            "plen": max(0, iplen - hl)}


def tcp_segment(v, src, dst, sport, dport, seq, ack, flags, win=0,
                ttl=64, ipid=0x5EED):
    """Build IPv4/IPv6 + TCP header (no options, no payload), checksummed."""
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                      ack & 0xFFFFFFFF, 5 << 4, flags, win, 0, 0)
    if v == 4:
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), ipid,
                         0x4000, ttl, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        return 0x0800, ip + tcp
    pseudo = src + dst + struct.pack("!I3xB", len(tcp), 6)
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!IHBB16s16s", 6 << 28, len(tcp), 6, ttl, src, dst)
    return 0x86DD, ip + tcp


class Wire:
    def __init__(self, a):
        self.a = a
        self.fd = {"client": open_tap_in_netns(a.ns_client, a.tap),
                   "server": open_tap_in_netns(a.ns_server, a.tap)}
        self.mac = {"client": bytes.fromhex(a.client_mac.replace(":", "")),
                    "server": bytes.fromhex(a.server_mac.replace(":", ""))}
        self.rules = [json.loads(r) for r in a.rule]
        for i, r in enumerate(self.rules):
            r.setdefault("id", "rule%d" % i)
            r.setdefault("match", {})
            r.setdefault("nth", 1)
            r.setdefault("count", 1)
            r["seen"] = 0
            r["applied"] = 0
            r["released"] = 0
            r["timeouts"] = 0
        self.stats = {"c2s": 0, "s2c": 0, "other": 0}
        self.fins = set()
        self.nxt = {}          # dir -> next sequence number after last frame
        self.last = {}         # dir -> parsed info of last frame
        self.timers = []       # heap of (due, n, dir, frame)
        self.held = []         # [rule, dir, frame, deadline]
        self.ntimer = 0
        self.sigpipe = os.pipe()
        self.pending_signals = []
        self.rng = random.Random(a.seed)
        self.path_due = {"c2s": 0.0, "s2c": 0.0}  # a direction's latest due time

    # --- matching -----------------------------------------------------
    def matches(self, m, d, p, held_dir=None):
        want = m.get("dir", "any")
        if want == "other":
            want = "s2c" if held_dir == "c2s" else "c2s"
        if want != "any" and want != d:
            return False
        for ch in m.get("flags", ""):
            if not p["flags"] & FLAG_BITS[ch]:
                return False
        for ch in m.get("noflags", ""):
            if p["flags"] & FLAG_BITS[ch]:
                return False
        if "data" in m and bool(p["plen"]) != bool(m["data"]):
            return False
        if len(self.fins) < m.get("fins_seen", 0):
            return False
        if m.get("before_fin") in self.fins:
            return False
        if "dport_in" in m and not (
                m["dport_in"][0] <= p["dport"] <= m["dport_in"][1]):
            return False
        return True

    # --- output -------------------------------------------------------
    def send(self, d, frame):
        try:
            fd = self.fd["server" if d == "c2s" else "client"]
            if fd is None:         # that side is unplugged
                raise OSError("closed")
            os.write(fd, frame)
            self.stats[d] += 1
        except OSError:            # the receiving TAP is not up (yet)
            self.stats["errors"] = self.stats.get("errors", 0) + 1

    def forward(self, d, frame, p):
        self.send(d, frame)
        if p["flags"] & FLAG_BITS["F"]:
            self.fins.add(d)
        end = p["seq"] + p["plen"] + (1 if p["flags"] & 0x03 else 0)
        self.nxt[d] = end & 0xFFFFFFFF
        self.last[d] = p
        for h in list(self.held):
            rule, hd, hframe, _ = h
            if self.matches(rule.get("release", {}), d, p, held_dir=hd):
                self.held.remove(h)
                rule["released"] += 1
                self.send(hd, hframe)

    def inject_rst(self, r):
        to = r.get("to", "server")
        d_from = "c2s" if to == "server" else "s2c"   # claimed sender
        d_to = "s2c" if d_from == "c2s" else "c2s"
        p = self.last[d_from]
        seq = self.nxt[d_from] + int(r.get("offset", 0))
        ack = self.nxt.get(d_to, 0)
        etype, pkt = tcp_segment(p["v"], p["src"], p["dst"], p["sport"],
                                 p["dport"], seq, ack, 0x14,
                                 ttl=int(r.get("ttl", 100)))
        src_mac = self.mac["client" if to == "server" else "server"]
        self.send(d_from, self.mac[to] + src_mac + struct.pack("!H", etype)
                  + pkt)

    def inject_syns(self, r):
        base = struct.unpack("!I", socket.inet_aton(r["src_base"]))[0]
        dst = socket.inet_aton(r["dst"])
        for i in range(int(r.get("n", 10))):
            src = struct.pack("!I", base + i)
            etype, pkt = tcp_segment(4, src, dst, int(r["sport_base"]) + i,
                                     int(r["dport"]), 0x1000000 * (i + 1),
                                     0, 0x02, win=64240,
                                     ttl=int(r.get("ttl", 64)),
                                     ipid=0x5EED + i)
            self.send("c2s", self.mac["server"] + self.mac["client"]
                      + struct.pack("!H", etype) + pkt)
            r["applied"] += 1

    # --- one frame in ---------------------------------------------------
    def handle(self, d, frame):
        p = parse(frame)
        if p is None:
            self.send(d, frame)
            self.stats["other"] += 1
            return
        fate = None
        after = []
        for r in self.rules:
            if r["act"] == "inject_syns":
                continue
            if not self.matches(r["match"], d, p):
                continue
            r["seen"] += 1
            if r["seen"] < r["nth"]:
                continue
            if r["count"] and r["applied"] >= r["count"]:
                continue
            if r["act"] == "inject_rst":
                after.append(r)
                r["applied"] += 1
            elif fate is None:
                fate = r
                r["applied"] += 1
        act = fate["act"] if fate else "pass"
        if act == "drop":
            pass
        elif act == "dup":
            self.forward(d, frame, p)
            self.send(d, frame)
        elif act == "delay":
            self.ntimer += 1
            heapq.heappush(self.timers, (time.monotonic() + float(
                fate.get("secs", 0.1)), self.ntimer, d, frame, p))
        elif act == "hold":
            if fate.get("copy"):
                self.forward(d, frame, p)
            self.held.append([fate, d, frame,
                              time.monotonic() + float(fate.get("timeout", 2))])
        elif self.a.loss and self.rng.random() < self.a.loss:
            self.stats["path_lost"] = self.stats.get("path_lost", 0) + 1
        elif self.a.latency or self.a.jitter:
            due = time.monotonic() + self.a.latency + self.rng.uniform(0, self.a.jitter)
            due = max(due, self.path_due[d])
            self.path_due[d] = due
            self.ntimer += 1
            heapq.heappush(self.timers, (due, self.ntimer, d, frame, p))
        else:
            self.forward(d, frame, p)
        for r in after:
            self.inject_rst(r)

    def tick(self):
        now = time.monotonic()
        while self.timers and self.timers[0][0] <= now:
            _, _, d, frame, p = heapq.heappop(self.timers)
            self.forward(d, frame, p)
        for h in list(self.held):
            if h[3] <= now:
                self.held.remove(h)
                h[0]["timeouts"] += 1
                self.send(h[1], h[2])

    def dump(self):
        out = {"frames": self.stats, "rules": {
            r["id"]: {k: r[k] for k in ("seen", "applied", "released",
                                        "timeouts")} for r in self.rules}}
        tmp = self.a.stats + ".tmp"
        with open(tmp, "w") as f:
            json.dump(out, f, indent=1)
        os.replace(tmp, self.a.stats)

    def command(self, line):
        words = line.split()
        if len(words) != 2 or words[1] not in self.fd or \
                words[0] not in ("close", "open"):
            print("bad command %r" % line, flush=True)
            return
        side = words[1]
        if self.fd[side] is not None:
            os.close(self.fd[side])
            self.fd[side] = None
        if words[0] == "open":
            ns = self.a.ns_client if side == "client" else self.a.ns_server
            self.fd[side] = open_tap_in_netns(ns, self.a.tap)
        print("%s %s done" % tuple(words), flush=True)

    def run(self):
        stop = []
        wr = self.sigpipe[1]
        signal.signal(signal.SIGTERM, lambda *_: (stop.append(1),
                                                  os.write(wr, b"t")))
        signal.signal(signal.SIGINT, lambda *_: (stop.append(1),
                                                 os.write(wr, b"t")))
        signal.signal(signal.SIGUSR1, lambda *_: os.write(wr, b"1"))
        signal.signal(signal.SIGUSR2, lambda *_: os.write(wr, b"2"))
        ctl, ctlbuf = None, b""
        if self.a.control:
            ctl = os.open(self.a.control, os.O_RDWR | os.O_NONBLOCK)
        print("ready", flush=True)
        while not stop:
            fds = {self.fd[side]: d for side, d in (("client", "c2s"),
                                                    ("server", "s2c"))
                   if self.fd[side] is not None}
            due = [t[0] for t in self.timers[:1]] + [h[3] for h in self.held]
            timeout = max(0.0, min(due) - time.monotonic()) if due else 1.0
            extra = [self.sigpipe[0]] + ([ctl] if ctl is not None else [])
            ready, _, _ = select.select(list(fds) + extra, [], [], timeout)
            for fd in ready:
                if fd == ctl:
                    ctlbuf += os.read(ctl, 4096)
                    while b"\n" in ctlbuf:
                        line, ctlbuf = ctlbuf.split(b"\n", 1)
                        self.command(line.decode())
                    continue
                if fd == self.sigpipe[0]:
                    for c in os.read(fd, 64):
                        if c == ord("1"):
                            for r in self.rules:
                                if r["act"] == "inject_syns":
                                    self.inject_syns(r)
                        elif c == ord("2"):
                            self.dump()
                    continue
                side = "client" if fds.get(fd) == "c2s" else "server"
                if fd not in fds or self.fd[side] != fd:
                    continue           # closed by a command just now
                self.handle(fds[fd], os.read(fd, 65536))
            self.tick()
        self.dump()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ns-client", required=True)
    ap.add_argument("--ns-server", required=True)
    ap.add_argument("--tap", default="tfa0")
    ap.add_argument("--client-mac", required=True)
    ap.add_argument("--server-mac", required=True)
    ap.add_argument("--stats", required=True)
    ap.add_argument("--rule", action="append", default=[])
    ap.add_argument("--control", help="FIFO of commands (close/open SIDE)")
    ap.add_argument("--latency", type=float, default=0.0, help="one-way delay (s)")
    ap.add_argument("--jitter", type=float, default=0.0, help="added delay, up to (s)")
    ap.add_argument("--loss", type=float, default=0.0, help="TCP frame loss probability")
    ap.add_argument("--seed", type=int, default=1)
    Wire(ap.parse_args()).run()


if __name__ == "__main__":
    sys.exit(main())
