#!/usr/bin/python3
"""gen-capture.py -- deterministic generator of a large, realistic TCP capture.

Usage: gen-capture.py OUTFILE [--seed N] [--connections N] [--packets N]
                              [--duration S] [--warmup S] [--ipv6-share F]
                              [--zero-checksums] [--force] [-v]

Writes a classic pcap (magic a1b2c3d4, microsecond timestamps, link type
EN10MB) of client/server TCP traffic as seen by a tap next to a group of
servers.  The same arguments always give the same file, byte for byte.

Every connection is simulated by a small TCP model run in capture time:
two endpoints (the client, tens of milliseconds away on the internet, and
the server, a fraction of a millisecond away) exchange segments through a
bottleneck link; what the tap sees is written.  The model has

  * 3-way handshakes with MSS, window scale, SACK-permitted and timestamps
    (Linux-like clients and some Windows-like ones without timestamps),
  * request/response exchanges (keep-alive: several per connection) and
    uploads, MSS-sized segments, slow start, receive-window growth,
  * ACK every second full-sized segment, quick ACKs at the start, delayed
    ACKs after 40 ms, piggy-backed ACKs, SACK blocks and D-SACK,
  * losses on the internet side: before the tap (client->server: the gap
    is seen, then the retransmission) and after it (server->client: the
    segment is seen, then retransmitted, by fast retransmit after three
    duplicate ACKs or by the RTO, at least 200 ms later), segments the tap
    itself missed (the ACK covers bytes never seen), reordering,
  * lost pure ACKs (spurious retransmissions, repeated FINs),
  * graceful closes started by either side, half-closes, slow closers and
    sockets stuck in CLOSE_WAIT, abortive closes (RST+ACK) by either side
    with the bare RSTs a dead socket sends to the data still in flight,
    the keep-alive race (data after the server's FIN, answered by a bare
    RST), refused SYNs (RST+ACK), unanswered SYNs retried after 1, 2, 4 s,
    lost SYNs retried after 1 s, and a few 4-tuples reused while one side
    is still in TIME_WAIT,
  * IPv4 (DF, per-socket IP ID, correct header checksum) and IPv6; correct
    TCP checksums (--zero-checksums leaves them zero, as a host capture
    with checksum offload shows them).

Connections arrive as a Poisson process over --duration seconds; the
capture starts --warmup seconds after the first arrival (so it opens with
connections already in progress, as a real capture does) and stops 5 s
after the last arrival (so some are still open at its end).  Memory follows
the number of connections open at once, not the size of the file.

The response sizes adapt as the file is written so that the total number
of packets comes out close to --packets (within a few per cent).
"""

import argparse
import heapq
import math
import os
import random
import struct
import sys
import zlib

EPOCH = 1767268800          # 2026-01-01T12:00:00Z, time 0 of the capture

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

DELACK = 0.040              # delayed-ACK timeout
RTO_MIN = 0.200
QUICKACKS = 4               # immediate ACKs at the start of a connection
RMAX = 6 * 1024 * 1024      # receive buffer ceiling (autotuning)

# fates of a transmitted segment at the tap
OK, UP, DOWN, TAP, REORDER = 0, 1, 2, 3, 4

# event kinds of the per-connection simulation
EV_SEG, EV_DELACK, EV_RTO, EV_SYNRTX, EV_APP = range(5)

# ---------------------------------------------------------------- packing

PCAP_HDR = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1)
REC = struct.Struct('<IIII')
IP4 = struct.Struct('!BBHHHBBH4s4s')
IP6 = struct.Struct('!IHBB16s16s')
TCPH = struct.Struct('!HHIIBBHHH')
TSOPT = struct.Struct('!BBBBII')
U16 = struct.Struct('!10H')
SYN_LINUX = struct.Struct('!BBHBBBBIIBBBB')     # mss sackok ts nop ws
SYN_LINUX_NOTS = struct.Struct('!BBHBBBBBBBB')  # mss nop nop sackok nop ws
SYN_WIN = struct.Struct('!BBHBBBBBBBB')         # mss nop ws nop nop sackok

M32 = 0xffffffff
OPTFMT = {n: '!%dH' % (n >> 1) for n in range(0, 44, 2)}

# payload: byte at sequence number s is (s mod 256), so a retransmission
# always carries the same bytes as the original
PATTERN = bytes(range(256)) * 8
PAYLOAD = memoryview(PATTERN)


PAYSUM = {}


def payload_sum(o, n):
    """One's-complement sum of the 16-bit words of PATTERN[o:o+n] (cached)."""
    k = (o << 16) | n
    v = PAYSUM.get(k)
    if v is None:
        b = PATTERN[o:o + n]
        if n & 1:
            b += b'\0'
        v = sum(struct.unpack('!%dH' % (len(b) >> 1), b))
        PAYSUM[k] = v
    return v


def words_sum(b):
    return sum(struct.unpack('!%dH' % (len(b) >> 1), b))


def fold(s):
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ip4_checksum(hdr):
    s = sum(U16.unpack(hdr))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def syn_options(ep, tsval, tsecr, answer_to=None):
    """SYN / SYN-ACK options of this endpoint's stack."""
    if ep.stack == 'win':
        return SYN_WIN.pack(2, 4, ep.mss_opt, 1, 3, 3, ep.ws, 1, 1, 4, 2)
    ts = ep.ts if answer_to is None else (ep.ts and answer_to.ts)
    if ts:
        return SYN_LINUX.pack(2, 4, ep.mss_opt, 4, 2, 8, 10, tsval, tsecr,
                              1, 3, 3, ep.ws)
    return SYN_LINUX_NOTS.pack(2, 4, ep.mss_opt, 1, 1, 4, 2, 1, 3, 3, ep.ws)


def sack_option(blocks, with_ts):
    out = bytearray(b'\x01\x01\x05')
    out.append(2 + 8 * len(blocks))
    for s, e in blocks:
        out += struct.pack('!II', s & M32, e & M32)
    return bytes(out)


# ---------------------------------------------------------------- model

class Ep:
    """One TCP endpoint (sender and receiver halves)."""
    __slots__ = (
        'd', 'peer', 'stack', 'mss_opt', 'ws', 'ts', 'sack', 'tsoff',
        'mss', 'rmss', 'ws_peer', 'state',
        'iss', 'snd_una', 'snd_nxt', 'snd_max', 'app_end', 'fin_want',
        'closed_app', 'active_close', 'fin_acked',
        'cwnd', 'ssthresh', 'cwnd_max', 'dupacks', 'recover',
        'rto', 'rto_base', 'rto_gen', 'rto_armed', 'peer_edge',
        'irs', 'rcv_nxt', 'ooo', 'ooo_last', 'ooo_fin', 'peer_fin',
        'ts_recent', 'unacked', 'ack_now', 'ack_pending', 'delack_gen',
        'dsack', 'quick', 'rwnd',
        'tx_free', 'tx_gap', 'rx_free', 'rx_gap', 'rt',
        'ipid', 'ttl', 'hdrlen', 'syn_tries',
    )

    def __init__(self, d):
        self.d = d
        self.state = 'CLOSED'
        self.fin_want = False
        self.closed_app = False
        self.active_close = False
        self.fin_acked = False
        self.dupacks = 0
        self.recover = None
        self.rto_gen = 0
        self.rto_armed = False
        self.ooo = []
        self.ooo_last = None
        self.ooo_fin = None
        self.peer_fin = False
        self.ts_recent = 0
        self.unacked = 0
        self.ack_now = False
        self.ack_pending = False
        self.delack_gen = 0
        self.dsack = None
        self.quick = QUICKACKS
        self.rwnd = 64240
        self.rx_free = -1e9
        self.tx_free = -1e9
        self.syn_tries = 0


class Conn:
    """One simulated connection; run() fills self.pkts with what the tap saw:
    tuples (t, n, dir, flags, seq, ack, win, options, paylen, ipid)."""

    def __init__(self, gen, t0, spec):
        self.g = gen
        self.rng = gen.rng
        self.t0 = t0
        self.spec = spec
        self.pkts = []
        self.ev = []
        self.nev = 0
        self.npk = 0
        c = self.c = Ep(0)
        s = self.s = Ep(1)
        c.peer, s.peer = s, c
        self.tx_i = 0          # client: next response awaited
        self.srv_i = 0         # server: next request awaited
        self.extra_req = 0     # keep-alive race: a request nobody answers

    # ------------------------------------------------------------ plumbing

    def push(self, t, kind, ep, arg=None):
        self.nev += 1
        heapq.heappush(self.ev, (t, self.nev, kind, ep, arg))

    def fate(self, ep, paylen, flags):
        r = self.rng.random()
        if flags & SYN:
            return DOWN if r < 0.004 else OK
        if ep.d == 0:                     # client -> server: internet before tap
            if paylen:
                if r < 0.004:
                    return UP
                if r < 0.007:
                    return REORDER
                if r < 0.0072:
                    return TAP
                if r < 0.0075:
                    return DOWN
                return OK
            if r < 0.002:
                return UP
            return OK
        if paylen or flags & FIN:         # server -> client: internet after tap
            if r < 0.005:
                return DOWN
            if r < 0.0052:
                return TAP
            if r < 0.0053:
                return UP
            return OK
        if r < 0.002:
            return DOWN
        return OK

    def emit(self, ep, t, flags, seq, paylen=0, fate=OK, opts=None, win=None,
             ack=None):
        """ep transmits a segment at (capture) time t or when its link is free."""
        te = t if t > ep.tx_free else ep.tx_free
        if ack is None:
            ack = ep.rcv_nxt & M32 if flags & ACK else 0
        if opts is None:
            if ep.ts:
                opts = TSOPT.pack(1, 1, 8, 10,
                                  (ep.tsoff + int(te * 1000)) & M32,
                                  ep.ts_recent)
            else:
                opts = b''
            if ep.ooo or ep.dsack:
                blocks = []
                if ep.dsack:
                    blocks.append(ep.dsack)
                    ep.dsack = None
                if ep.ooo:
                    last = ep.ooo_last
                    first = None
                    for b in ep.ooo:
                        if b[0] <= last < b[1]:
                            first = b
                            break
                    if first is not None:
                        blocks.append((first[0], first[1]))
                    for b in reversed(ep.ooo):
                        if b is not first:
                            blocks.append((b[0], b[1]))
                lim = 3 if ep.ts else 4
                opts += sack_option(blocks[:lim], ep.ts)
        if win is None:
            win = ep.rwnd >> ep.ws
            if win > 65535:
                win = 65535
        size = ep.hdrlen + len(opts) + paylen
        ep.tx_free = te + size * ep.tx_gap
        if flags & ACK:
            # anything carrying an ACK acknowledges all that was received
            ep.unacked = 0
            ep.ack_now = False
            ep.ack_pending = False
            ep.delack_gen += 1
        ipid = ep.ipid
        ep.ipid = (ipid + 1) & 0xffff
        tc = te
        if fate == REORDER:
            tc = te + ep.tx_gap * 1514 * self.rng.uniform(1.2, 2.6) + 20e-6
        if fate != UP and fate != TAP:
            self.npk += 1
            self.pkts.append((tc, self.npk, ep.d, flags, seq, ack, win, opts,
                              paylen, ipid))
        if fate != UP and fate != DOWN:
            peer = ep.peer
            ta = tc + peer.rt
            if ta < peer.rx_free:
                ta = peer.rx_free
            peer.rx_free = ta + size * peer.rx_gap
            tsval = opts[4:8] if ep.ts and len(opts) >= 12 and not flags & SYN else None
            self.push(ta, EV_SEG, peer, (flags, seq, ack, paylen, win, tsval,
                                         opts if flags & SYN else None))
        return te

    def emit_rst_reply(self, ep, t, seg):
        """A socket that does not exist (any more) answers a segment."""
        flags, seq, ack, paylen = seg[0], seg[1], seg[2], seg[3]
        if flags & RST:
            return
        if flags & ACK:
            self.emit(ep, t, RST, ack, opts=b'', win=0, ack=0)
        else:
            self.emit(ep, t, RST | ACK, 0, opts=b'', win=0,
                      ack=(seq + paylen + (1 if flags & SYN else 0)
                           + (1 if flags & FIN else 0)) & M32)

    # ------------------------------------------------------------ sender

    def arm_rto(self, ep, t):
        ep.rto_gen += 1
        ep.rto_armed = True
        base = t if t > ep.tx_free else ep.tx_free
        self.push(base + ep.rto, EV_RTO, ep, ep.rto_gen)

    def try_send(self, ep, t):
        if ep.state != 'EST':
            return
        sent = False
        while True:
            nxt = ep.snd_nxt
            if nxt < ep.app_end:
                if ep.recover is not None:
                    break
                n = ep.app_end - nxt
                if n > ep.mss:
                    n = ep.mss
                lim = ep.snd_una + ep.cwnd
                if ep.peer_edge < lim:
                    lim = ep.peer_edge
                if nxt + n > lim:
                    break
                flags = ACK
                fin = False
                if nxt + n == ep.app_end:
                    flags |= PSH
                    if ep.fin_want:
                        flags |= FIN
                        fin = True
                fate = OK if nxt < ep.snd_max else self.fate(ep, n, flags)
                self.emit(ep, t, flags, nxt & M32, n, fate)
                ep.snd_nxt = nxt + n + (1 if fin else 0)
                sent = True
            elif ep.fin_want and nxt == ep.app_end:
                fate = OK if nxt < ep.snd_max else self.fate(ep, 0, FIN)
                self.emit(ep, t, FIN | ACK, nxt & M32, 0, fate)
                ep.snd_nxt = nxt + 1
                sent = True
            else:
                break
        if ep.snd_nxt > ep.snd_max:
            ep.snd_max = ep.snd_nxt
        if sent and not ep.rto_armed:
            self.arm_rto(ep, t)

    def retransmit_head(self, ep, t):
        s = ep.snd_una
        if s < ep.app_end:
            n = ep.app_end - s
            if n > ep.mss:
                n = ep.mss
            flags = ACK
            if s + n == ep.app_end:
                flags |= PSH
                if ep.fin_want and ep.snd_max > ep.app_end:
                    flags |= FIN
            self.emit(ep, t, flags, s & M32, n)
            end = s + n + (1 if flags & FIN else 0)
        elif ep.fin_want:
            self.emit(ep, t, FIN | ACK, s & M32)
            end = s + 1
        else:
            return
        if ep.snd_nxt < end:
            ep.snd_nxt = end
        self.arm_rto(ep, t)

    def on_ack(self, ep, t, ack, win, paylen, flags):
        if ep.state != 'EST':
            return
        # sequence numbers are unbounded internally: bring the 32-bit ack
        # next to snd_una
        ack = ep.snd_una + ((ack - ep.snd_una) & M32)
        if ack - ep.snd_una > 0x7fffffff:
            return                                   # old ACK
        if ack > ep.snd_max:
            return
        edge = ack + (win << ep.ws_peer)
        if ack > ep.snd_una:
            acked = ack - ep.snd_una
            ep.snd_una = ack
            if ep.snd_nxt < ack:
                ep.snd_nxt = ack
            ep.dupacks = 0
            ep.rto = ep.rto_base
            if ep.recover is not None:
                if ack >= ep.recover:
                    ep.recover = None
                    ep.cwnd = ep.ssthresh
                else:
                    self.retransmit_head(ep, t)      # partial ACK
            elif ep.cwnd < ep.ssthresh:
                ep.cwnd += acked
            else:
                ep.cwnd += max(1, ep.mss * acked // ep.cwnd)
            if ep.cwnd > ep.cwnd_max:
                ep.cwnd = ep.cwnd_max
            if ep.fin_want and ack > ep.app_end:
                ep.fin_acked = True
            if ep.snd_una < ep.snd_max:
                self.arm_rto(ep, t)
            else:
                ep.rto_gen += 1
                ep.rto_armed = False
        elif (ack == ep.snd_una and paylen == 0 and not flags & (FIN | SYN)
              and ep.snd_max > ep.snd_una and edge == ep.peer_edge):
            ep.dupacks += 1
            if ep.dupacks == 3 and ep.recover is None:
                flight = ep.snd_max - ep.snd_una
                ep.ssthresh = max(flight // 2, 2 * ep.mss)
                ep.cwnd = ep.ssthresh
                ep.recover = ep.snd_max
                self.retransmit_head(ep, t)
        if edge > ep.peer_edge:
            ep.peer_edge = edge

    def on_rto(self, ep, t, gen):
        if gen != ep.rto_gen or ep.state != 'EST':
            return
        ep.rto_armed = False
        if ep.snd_una >= ep.snd_max:
            return
        ep.ssthresh = max((ep.snd_max - ep.snd_una) // 2, 2 * ep.mss)
        ep.cwnd = ep.mss
        ep.recover = None
        ep.dupacks = 0
        ep.snd_nxt = ep.snd_una
        ep.rto = min(ep.rto * 2, 60.0)
        self.try_send(ep, t)
        if not ep.rto_armed:
            self.arm_rto(ep, t)

    # ------------------------------------------------------------ receiver

    def on_data(self, ep, t, seq, n, fin, tsval):
        seq = ep.rcv_nxt + ((seq - ep.rcv_nxt + 0x80000000) & M32) - 0x80000000
        end = seq + n
        if ep.closed_app and n and end > ep.rcv_nxt:
            return 'reset'                           # data for a closed socket
        if end + (1 if fin else 0) <= ep.rcv_nxt:
            if n:
                ep.dsack = (seq, end)
            ep.ack_now = True                        # duplicate
            return None
        if seq > ep.rcv_nxt:                         # out of order
            self.ooo_add(ep, seq, end)
            if fin:
                ep.ooo_fin = end
            ep.ack_now = True
            return None
        if tsval is not None:
            ep.ts_recent = struct.unpack('!I', tsval)[0]
        newly = end - ep.rcv_nxt
        if newly > 0:
            ep.rcv_nxt = end
        if ep.ooo:
            filled = False
            while ep.ooo and ep.ooo[0][0] <= ep.rcv_nxt:
                b = ep.ooo.pop(0)
                if b[1] > ep.rcv_nxt:
                    ep.rcv_nxt = b[1]
                filled = True
            if filled or ep.ooo:
                ep.ack_now = True
            if not ep.ooo:
                ep.ooo_last = None
        if ep.ooo_fin is not None and ep.ooo_fin == ep.rcv_nxt and not fin:
            fin = True
            end = ep.rcv_nxt
        got_fin = False
        if fin and end <= ep.rcv_nxt and not ep.peer_fin and end == ep.rcv_nxt:
            ep.rcv_nxt += 1
            ep.peer_fin = True
            got_fin = True
        total = ep.rcv_nxt - ep.irs - 1 - (1 if ep.peer_fin else 0)
        w = 64240 + 2 * total
        if w > RMAX:
            w = RMAX
        w = (w >> ep.ws) << ep.ws
        if w > ep.rwnd:
            ep.rwnd = w
        if newly > 0:
            ep.unacked += newly
            if ep.quick > 0:
                ep.quick -= 1
                ep.ack_now = True
            elif ep.unacked >= 2 * ep.rmss:
                ep.ack_now = True
            else:
                ep.ack_pending = True
            self.app_delivered(ep, t, total)
        if got_fin:
            if ep.fin_want:
                ep.ack_now = True          # FIN_WAIT / CLOSING: ACK at once
            else:
                ep.ack_pending = True      # CLOSE_WAIT: delayed ACK
            self.app_fin(ep, t)
        return None

    @staticmethod
    def ooo_add(ep, s, e):
        ep.ooo_last = s
        blocks = ep.ooo
        blocks.append([s, e])
        blocks.sort()
        merged = [blocks[0]]
        for b in blocks[1:]:
            if b[0] <= merged[-1][1]:
                if b[1] > merged[-1][1]:
                    merged[-1][1] = b[1]
            else:
                merged.append(b)
        ep.ooo = merged

    def send_ack(self, ep, t):
        self.emit(ep, t, ACK, ep.snd_nxt & M32, 0, self.fate(ep, 0, ACK))

    def finish_ack(self, ep, t):
        """After processing input: send what is due, an ACK if still owed."""
        self.try_send(ep, t)
        if ep.ack_now:
            self.send_ack(ep, t)
        elif ep.ack_pending:
            ep.ack_pending = False
            ep.unacked = max(ep.unacked, 1)
            self.push(t + DELACK, EV_DELACK, ep, ep.delack_gen)

    # ------------------------------------------------------------ segments

    def on_seg(self, ep, t, seg):
        flags, seq, ack, paylen, win, tsval, synopts = seg
        st = ep.state
        if st == 'DEAD':
            self.emit_rst_reply(ep, t, seg)
            return
        if st == 'TIME_WAIT':
            if flags & FIN:
                self.emit(ep, t, ACK, ep.snd_nxt & M32)
            elif flags & RST:
                ep.state = 'DEAD'
            return
        if flags & RST:
            if st == 'SYN_SENT':
                if flags & ACK and ack == (ep.iss + 1) & M32:
                    ep.state = 'DEAD'
                return
            ep.state = 'DEAD'
            return
        if st == 'LISTEN':
            if flags & SYN and not flags & ACK:
                self.server_syn(ep, t, seq, win, synopts, tsval)
            return
        if st == 'SYN_SENT':
            if flags & SYN and flags & ACK and ack == (ep.iss + 1) & M32:
                self.client_synack(ep, t, seq, win, synopts)
            return
        if st == 'SYN_RCVD':
            if flags & SYN and not flags & ACK:
                # the client repeated its SYN: repeat the SYN-ACK
                self.emit(ep, t, SYN | ACK, ep.iss & M32,
                          opts=syn_options(ep, (ep.tsoff + int(t * 1000)) & M32,
                                           ep.ts_recent, ep.peer),
                          win=65160)
                return
            if flags & ACK and ack == (ep.iss + 1) & M32:
                ep.state = 'EST'
                ep.snd_una = ep.snd_nxt = ep.snd_max = ep.iss + 1
                ep.peer_edge = ep.snd_una + (win << ep.ws_peer)
                self.app_established(ep, t)
            else:
                return
        if flags & SYN:
            return                                   # stray SYN-ACK
        if flags & ACK:
            self.on_ack(ep, t, ack, win, paylen, flags)
        if tsval is not None and not paylen and not flags & FIN:
            # an in-sequence pure ACK refreshes TS.Recent too (RFC 7323)
            if ((ep.rcv_nxt - seq) & M32) < 0x80000000:
                v = struct.unpack('!I', tsval)[0]
                if ((v - ep.ts_recent) & M32) < 0x80000000:
                    ep.ts_recent = v
        if paylen or flags & FIN:
            if self.on_data(ep, t, seq, paylen, flags & FIN, tsval) == 'reset':
                self.emit_rst_reply(ep, t, seg)
                ep.state = 'DEAD'
                return
        self.finish_ack(ep, t)
        self.check_done(ep, t)

    def check_done(self, ep, t):
        if ep.state == 'EST' and ep.fin_acked and ep.peer_fin:
            ep.state = 'TIME_WAIT' if ep.active_close else 'DEAD'

    # ------------------------------------------------------------ handshake

    def start(self):
        c, t = self.c, self.t0
        c.state = 'SYN_SENT'
        self.s.state = 'LISTEN'
        self.send_syn(c, t)

    def send_syn(self, c, t):
        c.syn_tries += 1
        fate = DOWN if self.spec['kind'] == 'unanswered' else self.fate(c, 0, SYN)
        self.emit(c, t, SYN, c.iss & M32, 0, fate,
                  opts=syn_options(c, (c.tsoff + int(t * 1000)) & M32, 0),
                  win=64240, ack=0)
        # Linux: 1 s, then doubling
        self.push(t + float(1 << (c.syn_tries - 1)), EV_SYNRTX, c, c.syn_tries)

    def on_synrtx(self, c, t, tries):
        if c.state != 'SYN_SENT' or tries != c.syn_tries:
            return
        if c.syn_tries > self.spec['syn_retries']:
            c.state = 'DEAD'                         # connect() gives up
            return
        self.send_syn(c, t)

    @staticmethod
    def parse_synopts(o):
        mss, ws, ts, sack, tsval = 536, None, False, False, 0
        i = 0
        while i < len(o):
            k = o[i]
            if k == 0:
                break
            if k == 1:
                i += 1
                continue
            ln = o[i + 1]
            if k == 2:
                mss = (o[i + 2] << 8) | o[i + 3]
            elif k == 3:
                ws = o[i + 2]
            elif k == 4:
                sack = True
            elif k == 8:
                ts = True
                tsval = struct.unpack('!I', o[i + 2:i + 6])[0]
            i += ln
        return mss, ws, ts, sack, tsval

    def server_syn(self, s, t, seq, win, synopts, tsval):
        c = s.peer
        if self.spec['kind'] == 'refused':
            self.emit(s, t + 15e-6, RST | ACK, 0, opts=b'', win=0,
                      ack=(seq + 1) & M32)
            s.state = 'DEAD'
            return
        mss, ws, ts, sack, ctsval = self.parse_synopts(synopts)
        s.irs = c.iss
        s.rcv_nxt = c.iss + 1
        s.ts = s.ts and ts
        s.sack = sack
        s.ws_peer = ws if ws is not None else 0
        if ws is None:
            s.ws = 0
        s.ts_recent = ctsval
        s.mss = s.rmss = min(mss, s.mss_opt) - (12 if s.ts else 0)
        s.state = 'SYN_RCVD'
        self.emit(s, t + 15e-6, SYN | ACK, s.iss & M32,
                  opts=syn_options(s, (s.tsoff + int(t * 1000)) & M32,
                                   ctsval, c),
                  win=65160)

    def client_synack(self, c, t, seq, win, synopts):
        s = c.peer
        mss, ws, ts, sack, stsval = self.parse_synopts(synopts)
        c.irs = s.iss
        c.rcv_nxt = s.iss + 1
        c.ts = c.ts and ts
        c.ws_peer = ws if ws is not None else 0
        if ws is None:
            c.ws = 0
        c.ts_recent = stsval
        c.mss = c.rmss = min(mss, c.mss_opt) - (12 if c.ts else 0)
        c.state = 'EST'
        c.snd_una = c.snd_nxt = c.snd_max = c.iss + 1
        c.peer_edge = c.snd_una + win
        self.emit(c, t, ACK, c.snd_nxt & M32, 0, self.fate(c, 0, ACK))
        self.app_established(c, t)

    # ------------------------------------------------------------ applications

    def app_established(self, ep, t):
        if ep.d == 0:
            self.push(t + self.rng.uniform(20e-6, 250e-6), EV_APP, ep,
                      ('req', 0))

    def app_delivered(self, ep, t, total):
        sp = self.spec
        if ep.d == 1:
            while self.srv_i < sp['ntx'] and total >= sp['req_cum'][self.srv_i]:
                i = self.srv_i
                self.srv_i += 1
                self.push(t + sp['proc'][i], EV_APP, ep, ('resp', i))
            return
        if sp['abort_at'] is not None and total >= sp['abort_at']:
            sp['abort_at'] = None
            self.push(t + self.rng.uniform(0.2e-3, 3e-3), EV_APP, ep, ('abort',))
            return
        while self.tx_i < sp['ntx'] and total >= sp['resp_cum'][self.tx_i]:
            i = self.tx_i
            self.tx_i += 1
            if i + 1 < sp['ntx']:
                self.push(t + sp['think'][i], EV_APP, ep, ('req', i + 1))
            elif sp['close'] == 'client':
                self.push(t + sp['think'][i], EV_APP, ep, ('close',))

    def app_fin(self, ep, t):
        sp = self.spec
        if ep.fin_want:
            return                        # we closed first (or shut down)
        if ep.d == 1:
            if sp['close'] != 'half':     # half-close: it answers first
                self.push(t + sp['srv_close_delay'], EV_APP, ep, ('close',))
        elif sp['close'] == 'race':
            self.push(t + sp['race_delay'], EV_APP, ep, ('req', -1))
        else:
            self.push(t + sp['cli_close_delay'], EV_APP, ep, ('close',))

    def on_app(self, ep, t, act):
        if ep.state != 'EST':
            return
        sp = self.spec
        what = act[0]
        if what == 'req':
            i = act[1]
            n = sp['req'][i] if i >= 0 else sp['req'][0]
            ep.app_end += n
            if sp['close'] == 'half' and i == sp['ntx'] - 1:
                ep.fin_want = True
                ep.active_close = not ep.peer_fin
        elif what == 'resp':
            i = act[1]
            ep.app_end += sp['resp'][i]
            if i == sp['ntx'] - 1:
                cl = sp['close']
                if cl == 'half':
                    self.close(ep)
                elif cl in ('server', 'race'):
                    self.push(t + sp['keepalive'], EV_APP, ep, ('close',))
                elif cl == 'abort_s':
                    self.push(t + sp['abort_delay'], EV_APP, ep, ('abort',))
        elif what == 'close':
            self.close(ep)
        elif what == 'abort':
            self.emit(ep, t, RST | ACK, ep.snd_nxt & M32)
            ep.state = 'DEAD'
            return
        self.try_send(ep, t)
        self.check_done(ep, t)

    def close(self, ep):
        if not ep.fin_want:
            ep.active_close = not ep.peer_fin
        ep.fin_want = True
        ep.closed_app = True

    # ------------------------------------------------------------ run

    def run(self, t_end):
        self.start()
        ev = self.ev
        pop = heapq.heappop
        limit = self.t0 + 900.0
        while ev:
            t, _, kind, ep, arg = pop(ev)
            if t > limit or t > t_end + 2.0:
                break
            if kind == EV_SEG:
                self.on_seg(ep, t, arg)
            elif kind == EV_DELACK:
                if arg == ep.delack_gen and ep.unacked and ep.state == 'EST':
                    self.send_ack(ep, t)
            elif kind == EV_RTO:
                self.on_rto(ep, t, arg)
            elif kind == EV_APP:
                self.on_app(ep, t, arg)
            elif kind == EV_SYNRTX:
                self.on_synrtx(ep, t, arg)
        self.ev = None
        pk = self.pkts
        pk.sort()
        # the tap only sees what happened while it was running
        lo = 0
        while lo < len(pk) and pk[lo][0] < 0.0:
            lo += 1
        hi = len(pk)
        while hi > lo and pk[hi - 1][0] > t_end:
            hi -= 1
        if lo or hi < len(pk):
            pk = pk[lo:hi]
        self.pkts = pk
        return pk


# ---------------------------------------------------------------- traffic mix

class Generator:

    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.seedb = struct.pack('<Q', args.seed & ((1 << 64) - 1))
        n = args.connections
        # clients: a skewed population (a few NAT gateways, many small ones)
        self.nclients = max(50, n // 4)
        # servers: 16 hosts, dual-stack, each with some services
        self.servers4 = [bytes([10, 20, 0, 10 + i]) for i in range(16)]
        self.servers6 = [bytes.fromhex('20010db8ffff00000000000000000a%02x' % i)
                         for i in range(16)]
        self.ports = [443] * 6 + [80] * 2 + [8080, 5432, 6379, 22]
        self.dead4 = bytes([10, 20, 0, 99])           # host that is down
        self.dead6 = bytes.fromhex('20010db8ffff00000000000000000a63')
        self.refuse_ports = [8443, 9090, 25]
        self.next_port = {}
        self.scale = 1.0
        self.ema = None
        self.recent_closed = []                        # TIME_WAIT candidates
        self.reuse_left = max(3, n // 2500)
        self.stats = {'conns': 0, 'pkts': 0, 'bytes': 0, 'v6': 0,
                      'kinds': {}, 'peak_open': 0, 'tw_reuse': 0}

    def client_addr(self, idx, v6):
        if v6:
            return bytes.fromhex('20010db8%04x0000' % (idx % 0xffff)) + \
                struct.pack('!Q', 0x1000 + idx * 7919)
        a = 0x64400000 + 1 + idx * 37 % 0x3fffff      # 100.64.0.0/10
        return struct.pack('!I', a)

    def mac(self, ip):
        h = zlib.crc32(ip)
        return b'\x02\x00' + struct.pack('!I', h)

    def make_spec(self, t0):
        """Draw one connection's scenario."""
        rng = self.rng
        r = rng.random()
        if r < 0.02:
            kind = 'refused'
        elif r < 0.03:
            kind = 'unanswered'
        else:
            kind = 'normal'
        sp = {'kind': kind, 'syn_retries': 6, 'abort_at': None}
        if kind == 'unanswered':
            sp['syn_retries'] = rng.choice((2, 3, 3, 4))
        sc = self.scale
        upload = rng.random() < 0.05
        ntx = 1
        while ntx < 60 and rng.random() < 0.62:
            ntx += 1
        req, resp, think, proc = [], [], [], []
        for i in range(ntx):
            if upload and i == ntx - 1:
                req.append(int(min(8e6, rng.lognormvariate(math.log(120e3), 1.0)) * sc) + 300)
                resp.append(rng.randint(150, 600))
            else:
                req.append(rng.randint(180, 1400))
                resp.append(int(min(4e6, rng.lognormvariate(math.log(6000), 1.5)) * sc) + 120)
            think.append(min(30.0, rng.expovariate(1 / 1.6)) + 0.002)
            p = rng.lognormvariate(math.log(0.004), 1.2)
            proc.append(min(p, 2.0))
        r = rng.random()
        if ntx == 1 and r < 0.06:
            close = 'half'
        elif r < 0.50:
            close = 'client'
        elif r < 0.88:
            close = 'server'
        elif r < 0.925:
            close = 'abort_c'
        elif r < 0.965:
            close = 'abort_s'
        else:
            close = 'race'
        if close == 'abort_c':
            if rng.random() < 0.15:
                # cancelled download: RST+ACK with data in flight, and a
                # bare RST for each segment that still arrives
                big = max(resp[-1], int(rng.uniform(30e3, 200e3)))
                resp[-1] = big
                sp['abort_at'] = sum(resp[:-1]) + int(big * rng.uniform(0.1, 0.7))
            else:
                # SO_LINGER 0 close once the answer is in
                sp['abort_at'] = sum(resp)
        sp['ntx'] = ntx
        sp['req'], sp['resp'], sp['think'], sp['proc'] = req, resp, think, proc
        acc, rc = 0, []
        for x in req:
            acc += x
            rc.append(acc)
        sp['req_cum'] = rc
        acc, rc = 0, []
        for x in resp:
            acc += x
            rc.append(acc)
        sp['resp_cum'] = rc
        sp['close'] = close
        sp['keepalive'] = rng.choice((1.0, 2.0, 5.0, 5.0, 10.0, 15.0))
        sp['abort_delay'] = rng.uniform(0.3, 3.0)
        sp['race_delay'] = rng.uniform(0.5e-3, 0.12)
        x = rng.random()
        if x < 0.90:
            sp['srv_close_delay'] = rng.uniform(30e-6, 600e-6)
        elif x < 0.995:
            sp['srv_close_delay'] = rng.uniform(0.05, 2.0)
        else:
            sp['srv_close_delay'] = rng.uniform(8.0, 20.0)   # stuck a while
        x = rng.random()
        if x < 0.85:
            sp['cli_close_delay'] = rng.uniform(0.1e-3, 3e-3)
        elif x < 0.99:
            sp['cli_close_delay'] = rng.uniform(0.05, 0.8)
        else:
            sp['cli_close_delay'] = rng.uniform(8.0, 20.0)
        return sp

    def new_conn(self, t0, t_end):
        rng = self.rng
        sp = self.make_spec(t0)
        v6 = rng.random() < self.args.ipv6_share
        reuse = None
        if (sp['kind'] == 'normal' and self.reuse_left > 0 and
                rng.random() < 0.004):
            reuse = self.pick_reuse(t0, v6)
        if reuse is not None:
            cip, cport, sip, sport, v6, c_next, s_next, stack = reuse
            self.reuse_left -= 1
            self.stats['tw_reuse'] += 1
        else:
            u = rng.random()
            cidx = int(self.nclients * u * u * u)
            cip = self.client_addr(cidx, v6)
            port = self.next_port.get(cip)
            if port is None:
                port = rng.randint(32768, 60999)
            cport = port
            port += 1 if rng.random() < 0.7 else rng.randint(2, 40)
            if port > 60999:
                port = 32768 + (port - 61000)
            self.next_port[cip] = port
            sidx = rng.randrange(16)
            if sp['kind'] == 'unanswered':
                sip = self.dead6 if v6 else self.dead4
                sport = rng.choice((443, 80))
            elif sp['kind'] == 'refused':
                sip = (self.servers6 if v6 else self.servers4)[sidx % 4]
                sport = rng.choice(self.refuse_ports)
            else:
                sip = (self.servers6 if v6 else self.servers4)[sidx]
                sport = rng.choice(self.ports)
            x = rng.random()
            stack = 'linux' if x < 0.80 else ('win' if x < 0.95 else 'vpn')
            c_next = s_next = None
        conn = Conn(self, t0, sp)
        c, s = conn.c, conn.s
        # client endpoint
        c.stack = 'win' if stack == 'win' else 'linux'
        c.ts = stack != 'win'
        c.sack = True
        c.ws = 8 if stack == 'win' else 7
        base = 1440 if v6 else 1460
        c.mss_opt = 1360 if stack == 'vpn' else base
        c.tsoff = zlib.crc32(cip + sip + self.seedb)
        c.iss = (c_next + rng.randint(100000, 50000000)) if c_next else rng.getrandbits(32)
        c.ttl = (128 if stack == 'win' else 64) - rng.randint(6, 20)
        c.ipid = rng.getrandbits(16)
        # server endpoint
        s.stack = 'linux'
        s.ts = True
        s.sack = True
        s.ws = 7
        s.mss_opt = base
        s.tsoff = zlib.crc32(sip + cip + self.seedb)
        s.iss = (s_next + rng.randint(100000, 50000000)) if s_next else rng.getrandbits(32)
        s.ttl = 64
        s.ipid = rng.getrandbits(16)
        for ep in (c, s):
            ep.mss = ep.rmss = ep.mss_opt - 52
            ep.ws_peer = 0
            ep.app_end = ep.iss + 1
            ep.snd_una = ep.snd_nxt = ep.snd_max = ep.iss + 1
            ep.peer_edge = ep.iss + 1
            ep.hdrlen = 14 + (40 if v6 else 20) + 20
        # path: server a LAN hop from the tap, client across the internet
        rtt_c = min(0.6, rng.lognormvariate(math.log(0.030), 0.8)) + 0.0008
        rtt_s = rng.uniform(60e-6, 400e-6)
        down = min(2e9, max(3e6, rng.lognormvariate(math.log(60e6), 1.0)))
        up = down / rng.choice((1, 2, 4, 8, 10))
        c.rt, s.rt = rtt_c, rtt_s
        c.tx_gap = 8.0 / up                 # client uplink (before the tap)
        s.tx_gap = 8.0 / 10e9               # server NIC
        c.rx_gap = 8.0 / down               # client downlink (after the tap)
        s.rx_gap = 8.0 / 10e9
        rtt = rtt_c + rtt_s
        for ep, bw in ((c, up), (s, down)):
            ep.cwnd = 10 * ep.mss
            ep.ssthresh = 1 << 40
            bdp = int(bw * rtt / 8)
            ep.cwnd_max = max(12 * ep.mss, min(bdp * 3 // 2 + 8 * ep.mss, 4 << 20))
            ep.rto_base = ep.rto = RTO_MIN + 3 * rtt + DELACK
        conn.v6 = v6
        conn.ends = (cip, cport, sip, sport)
        pk = conn.run(t_end)
        # remember graceful ends for a later TIME_WAIT reuse of the 4-tuple
        if (reuse is None and sp['kind'] == 'normal' and
                c.state in ('TIME_WAIT', 'DEAD') and s.state in ('TIME_WAIT', 'DEAD')
                and (c.state == 'TIME_WAIT' or s.state == 'TIME_WAIT') and pk):
            self.recent_closed.append((pk[-1][0], cip, cport, sip, sport, v6,
                                       c.snd_max, s.snd_max, stack))
            if len(self.recent_closed) > 400:
                del self.recent_closed[:200]
        k = sp['kind'] if sp['kind'] != 'normal' else sp['close']
        self.stats['kinds'][k] = self.stats['kinds'].get(k, 0) + 1
        if v6:
            self.stats['v6'] += 1
        # frame headers of both directions
        cm, sm = b'\x02\x00\x5e\x00\x00\x01', self.mac(sip)
        et = b'\x86\xdd' if v6 else b'\x08\x00'
        pseudo = words_sum(cip + sip) + 6          # TCP pseudo-header, less the length
        conn.hdr = ((sm + cm + et, cip, sip, cport, sport, c.ttl,
                     zlib.crc32(cip + struct.pack('!H', cport)) & 0xfffff, pseudo),
                    (cm + sm + et, sip, cip, sport, cport, s.ttl,
                     zlib.crc32(sip + struct.pack('!H', cport)) & 0xfffff, pseudo))
        return conn

    def pick_reuse(self, t0, v6):
        lst = self.recent_closed
        for i in range(len(lst) - 1, -1, -1):
            e = lst[i]
            if e[5] == v6 and t0 - 45.0 < e[0] < t0 - 1.5:
                del lst[i]
                return (e[1], e[2], e[3], e[4], e[5], e[6], e[7], e[8])
        return None

    # ------------------------------------------------------------ output

    def run(self, path):
        args = self.args
        rng = self.rng
        n = args.connections
        rate = n / args.duration
        t_start = -args.warmup
        t_end = args.duration - args.warmup + 5.0
        target = args.packets
        out = open(path, 'wb')
        buf = bytearray(PCAP_HDR)
        heap = []
        uid = 0
        made = 0
        t_next = t_start + rng.expovariate(rate)
        written = 0
        nbytes = 0
        last_us = 0
        peak = 0
        REC_pack = REC.pack
        IP4_pack = IP4.pack
        IP6_pack = IP6.pack
        TCP_pack = TCPH.pack
        heappush, heapreplace, heappop = heapq.heappush, heapq.heapreplace, heapq.heappop
        committed = 0          # packets of connections already simulated
        csum = not args.zero_checksums
        while True:
            if made < n and (not heap or t_next <= heap[0][0]):
                conn = self.new_conn(t_next, t_end)
                made += 1
                pk = conn.pkts
                committed += len(pk)
                self.adapt(len(pk), committed, made, n, target)
                if pk:
                    uid += 1
                    heappush(heap, (pk[0][0], uid, conn))
                    conn.pos = 0
                    if len(heap) > peak:
                        peak = len(heap)
                t_next += rng.expovariate(rate)
                if made % 2000 == 0 and args.verbose:
                    sys.stderr.write('  %d connections, %d packets, scale %.3f\n'
                                     % (made, written, self.scale))
                continue
            if not heap:
                break
            _, u, conn = heap[0]
            pk = conn.pkts
            p = pk[conn.pos]
            conn.pos += 1
            if conn.pos < len(pk):
                heapreplace(heap, (pk[conn.pos][0], u, conn))
            else:
                heappop(heap)
                conn.pkts = None
            # ---- the frame
            t, _, d, flags, seq, ack, win, opts, paylen, ipid = p
            eth, src, dst, sport, dport, ttl, flow, pseudo = conn.hdr[d]
            olen = len(opts)
            tcp = TCP_pack(sport, dport, seq, ack, (20 + olen) << 2, flags,
                           win, 0, 0)
            if csum:
                x = pseudo + 20 + olen + paylen + sum(U16.unpack(tcp))
                if olen:
                    x += sum(struct.unpack(OPTFMT[olen], opts))
                if paylen:
                    x += payload_sum(seq & 0xff, paylen)
                tcp = tcp[:16] + struct.pack('!H', fold(x)) + tcp[18:]
            if conn.v6:
                ip = IP6_pack(0x60000000 | flow, 20 + olen + paylen, 6, ttl,
                              src, dst)
            else:
                iph = IP4_pack(0x45, 0, 40 + olen + paylen, ipid,
                               0x4000, ttl, 6, 0, src, dst)
                ip = iph[:10] + struct.pack('!H', ip4_checksum(iph)) + iph[12:]
            flen = 14 + len(ip) + 20 + olen + paylen
            us = int((t + EPOCH) * 1e6 + 0.5)
            if us < last_us:
                us = last_us
            last_us = us
            buf += REC_pack(us // 1000000, us % 1000000, flen, flen)
            buf += eth
            buf += ip
            buf += tcp
            buf += opts
            if paylen:
                o = seq & 0xff
                buf += PAYLOAD[o:o + paylen]
            written += 1
            nbytes += flen
            if len(buf) > (4 << 20):
                out.write(buf)
                buf = bytearray()
        out.write(buf)
        out.close()
        self.stats.update(conns=made, pkts=written, bytes=nbytes, peak_open=peak)
        return self.stats

    def adapt(self, got, committed, made, n, target):
        """Steer response sizes so that the file ends near `target` packets."""
        self.ema = got if self.ema is None else 0.995 * self.ema + 0.005 * got
        left = n - made
        if left <= 0 or self.ema <= 0:
            return
        want = (target - committed) / left
        if want < 5:
            want = 5
        ratio = want / max(self.ema, 1.0)
        self.scale *= ratio ** 0.01
        if self.scale < 0.02:
            self.scale = 0.02
        elif self.scale > 50:
            self.scale = 50


def main():
    ap = argparse.ArgumentParser(
        description='Write a deterministic, realistic TCP capture (pcap).')
    ap.add_argument('outfile')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--connections', type=int, default=20000)
    ap.add_argument('--packets', type=int, default=1600000,
                    help='approximate total number of packets (default 1600000)')
    ap.add_argument('--duration', type=float, default=240.0,
                    help='seconds over which connections arrive (default 240)')
    ap.add_argument('--warmup', type=float, default=10.0,
                    help='seconds of traffic before the capture starts (default 10)')
    ap.add_argument('--ipv6-share', type=float, default=0.3)
    ap.add_argument('--zero-checksums', action='store_true',
                    help='leave TCP checksums zero (as captured on a host with '
                         'checksum offload); default: correct checksums, as on a tap')
    ap.add_argument('--force', action='store_true',
                    help='allow writing inside a git work tree')
    ap.add_argument('-v', '--verbose', action='store_true')
    args = ap.parse_args()
    if args.connections < 1 or args.packets < 1 or args.duration <= 0:
        ap.error('--connections, --packets and --duration must be positive')
    out = os.path.abspath(args.outfile)
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    if not args.force and (out.startswith(repo + os.sep) or
                           os.path.isdir(os.path.join(os.path.dirname(out), '.git'))):
        ap.error('refusing to write a large capture into the source tree (%s); '
                 'give a path in a temporary directory' % out)
    gen = Generator(args)
    st = gen.run(out)
    kinds = ' '.join('%s=%d' % kv for kv in sorted(st['kinds'].items()))
    sys.stderr.write(
        'gen-capture: %s: %d packets, %d bytes of frames, %d connections '
        '(%d IPv6), at most %d open at once, seed %d, duration %g s, warmup %g s; '
        'kinds: %s; TIME_WAIT reuses %d\n'
        % (out, st['pkts'], st['bytes'], st['conns'], st['v6'], st['peak_open'],
           args.seed, args.duration, args.warmup, kinds, st['tw_reuse']))


if __name__ == '__main__':
    main()
