#!/usr/bin/python3
"""gen-flood.py -- deterministic SYN-flood captures for the memory bounds.

Usage: gen-flood.py OUTFILE [--seed N] [--syns N] [--rate PPS] [--answered F]
                            [--services N] [--per-source N] [--legit N]
                            [--legit-from F] [--legit-to F] [--manifest FILE]
       gen-flood.py OUTFILE --loaded N [--dupacks N] [--rsts N] [--close]

Writes a classic pcap (magic a1b2c3d4, microsecond timestamps, link type
EN10MB) as a tap next to the servers sees it.  The same arguments always
give the same file, byte for byte; IPv4 header and TCP checksums are
correct.  Generation runs at about 350,000 frames a second.

The flood (default):

  * --syns SYNs (default 1,000,000), one every 1/--rate seconds (default
    50,000 a second), from distinct IPv4 source addresses (a seeded
    bijection of 32-bit numbers, so no address repeats; 0/8, 10/8, 11/8,
    127/8 and 224/3 are skipped), each with a pseudo-random source port,
    TTL, IP ID, ISN and window and an MSS option; with --per-source N, each
    source sends N SYNs (to N different services);
  * to one server, 10.0.0.80 port 80, or with --services N to N servers
    10.64.0.0 + k port 80, taken in turn;
  * the server answers a share --answered (default 1) of the SYNs with a
    SYN-ACK 5 us later, as a listener with SYN cookies does; the spoofed
    sources never answer, so every flood connection stays half-open;
  * --legit complete connections (default 100) from 10.1.0.0/16 to
    10.0.0.80:80, spread evenly between the fractions --legit-from and
    --legit-to of the flood (default 0.25 and 0.75): a handshake with
    options, a 100-byte request, a 1000-byte response, a graceful close
    started by the client; about 3 ms each, interleaved with the flood.

  The legit connections sit inside [--legit-from, --legit-to] so that, for
  a --max-connections cap K of at most --legit-from * --syns and at most
  (1 - --legit-to) * --syns, and one server (the default):

  * the table is already full when the first of them opens, so nothing
    leaves it except by eviction: evictions = connections - K, exactly;
  * at least K flood SYNs follow the last of them, so the connections still
    live at the end are exactly the last K flood SYNs.

  --manifest FILE writes a JSON object saying what was written: the counts,
  the frame numbers of the first and last flood SYN, and each legit
  connection's client address, port and frames.

--loaded N instead writes N connections, one after the other, that fill
the per-connection caps: a handshake, a request and a response, then
--dupacks duplicate ACKs from the client (default 300: SEQ_DUP_ACK, kept up
to --max-anomalies) and --rsts RSTs far outside the window (default 20:
RST_OUT_OF_WINDOW, kept up to 16); they stay open to the end.  With
--close each ends with a graceful close instead (the client is left in
TIME_WAIT, which the tool remembers for 2*MSL).
"""

import argparse
import json
import struct
import sys

EPOCH = 1767268800  # 2026-01-01T12:00:00Z

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
M32 = 0xffffffff
M64 = (1 << 64) - 1

SERVER_IP = 0x0a000050  # 10.0.0.80
SERVER_PORT = 80
LEGIT_NET = 0x0a010000  # 10.1.0.0/16
LOADED_NET = 0x0b000000  # 11.0.0.0/8 (--loaded)
SPREAD_NET = 0x0a400000  # 10.64.0.0/10 (--services > 1)
MAC_SERVER = bytes.fromhex('020000000050')
MAC_ROUTER = bytes.fromhex('020000000001')

PCAP_HDR = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1)
REC = struct.Struct('<IIII')
# Ethernet + IPv4 (20 bytes, DF) + TCP (20 bytes + options)
ETH_IP_TCP = struct.Struct('!6s6sH BBHHHBBHII HHIIBBHHH')
ETH_LEN, IP_LEN, TCP_LEN = 14, 20, 20


def mix64(x):
    """splitmix64's finaliser: a bijection of 64-bit numbers."""
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9 & M64
    x = (x ^ (x >> 27)) * 0x94d049bb133111eb & M64
    return x ^ (x >> 31)


def perm32(x, k1, k2):
    """A bijection of 32-bit numbers (odd multipliers and xor-shifts)."""
    x = (x * k1) & M32
    x ^= x >> 16
    x = (x * k2) & M32
    x ^= x >> 15
    return x


def fold(s):
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def words(b):
    if len(b) % 2:
        b += b'\0'
    return sum(struct.unpack('!%dH' % (len(b) // 2), b))


class Writer:
    """Buffers pcap records and writes them in large chunks."""

    def __init__(self, f):
        self.f = f
        self.buf = bytearray()
        self.frames = 0
        self.bytes = len(PCAP_HDR)
        f.write(PCAP_HDR)

    def packet(self, t_us, src, dst, sport, dport, seq, ack, flags, win, ipid, ttl,
               opts=b'', payload=b''):
        """One Ethernet/IPv4/TCP frame at capture time t_us (microseconds)."""
        tcp_len = TCP_LEN + len(opts) + len(payload)
        tot = IP_LEN + tcp_len
        ip_sum = fold(0x4500 + tot + ipid + 0x4000 + (ttl << 8 | 6) +
                      (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff))
        off = ((TCP_LEN + len(opts)) // 4) << 4
        tcp_sum = fold((src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 6 +
                       tcp_len + sport + dport + (seq >> 16) + (seq & 0xffff) +
                       (ack >> 16) + (ack & 0xffff) + (off << 8 | flags) + win +
                       (words(opts + payload) if opts or payload else 0))
        to_server = dport == SERVER_PORT
        frame_len = ETH_LEN + tot
        b = self.buf
        b += REC.pack(EPOCH + t_us // 1000000, t_us % 1000000, frame_len, frame_len)
        b += ETH_IP_TCP.pack(MAC_SERVER if to_server else MAC_ROUTER,
                             MAC_ROUTER if to_server else MAC_SERVER, 0x0800,
                             0x45, 0, tot, ipid, 0x4000, ttl, 6, ip_sum, src, dst,
                             sport, dport, seq, ack, off, flags, win, tcp_sum, 0)
        if opts:
            b += opts
        if payload:
            b += payload
        self.frames += 1
        self.bytes += 16 + frame_len
        if len(b) >= 1 << 20:
            self.flush()
        return self.frames

    def flush(self):
        self.f.write(self.buf)
        self.buf = bytearray()


def mss_opt(mss):
    return struct.pack('!BBH', 2, 4, mss)


def legit_conn(i, t0, seed):
    """The packets of one complete connection, as (time, args) pairs."""
    h = mix64(seed ^ (0x1e617 + i))
    cip = LEGIT_NET | (1 + i % 65000)
    cport = 32768 + (h & 0x3fff)
    cisn = (h >> 16) & M32
    sisn = (h >> 40) & M32 ^ 0x5a5a
    rtt = 1000  # us, client <-> server through the tap next to the server
    req = bytes((0x41 + (k % 26)) for k in range(100))
    resp = bytes((0x61 + (k % 26)) for k in range(1000))
    syn_opts = mss_opt(1460) + b'\x04\x02' + b'\x01\x03\x03\x07'  # MSS, SACK-perm, NOP, WS 7
    syn_opts += b'\x01\x01'
    synack_opts = mss_opt(1460) + b'\x04\x02' + b'\x01\x03\x03\x07' + b'\x01\x01'
    c, s = (cip, cport), (SERVER_IP, SERVER_PORT)
    ci, si = [h >> 48 & 0xffff], [0]

    def pkt(t, frm, to, seq, ack, flags, opts=b'', payload=b''):
        ids = ci if frm is c else si
        ids[0] = (ids[0] + 1) & 0xffff
        ttl = 52 if frm is c else 64
        return (t, (frm[0], to[0], frm[1], to[1], seq & M32, ack & M32, flags, 64240 if flags & SYN
                    else 502, ids[0], ttl, opts, payload))

    ci_ = cisn + 1
    si_ = sisn + 1
    out = [
        pkt(t0, c, s, cisn, 0, SYN, syn_opts),
        pkt(t0 + 20, s, c, sisn, ci_, SYN | ACK, synack_opts),
        pkt(t0 + rtt, c, s, ci_, si_, ACK),
        pkt(t0 + rtt + 30, c, s, ci_, si_, PSH | ACK, payload=req),
        pkt(t0 + rtt + 250, s, c, si_, ci_ + 100, PSH | ACK, payload=resp),
        pkt(t0 + 2 * rtt + 250, c, s, ci_ + 100, si_ + 1000, ACK),
        pkt(t0 + 2 * rtt + 300, c, s, ci_ + 100, si_ + 1000, FIN | ACK),
        pkt(t0 + 2 * rtt + 340, s, c, si_ + 1000, ci_ + 101, FIN | ACK),
        pkt(t0 + 3 * rtt + 340, c, s, ci_ + 101, si_ + 1001, ACK),
    ]
    return cip, cport, out


def loaded_conn(i, t0, seed, dupacks, rsts, close):
    """One connection that fills the per-connection caps: a handshake, a
    request and a response, then @dupacks duplicate ACKs from the client
    (SEQ_DUP_ACK, kept up to --max-anomalies) and @rsts RSTs far outside the
    window (RST_OUT_OF_WINDOW, kept up to 16); it stays open."""
    h = mix64(seed ^ (0x10ad + i))
    cip = LOADED_NET | (1 + i % 4000000)
    cport = 32768 + (h & 0x3fff)
    cisn = (h >> 16) & M32
    sisn = (h >> 40) & M32 ^ 0x5a5a
    req = bytes((0x41 + (k % 26)) for k in range(100))
    resp = bytes((0x61 + (k % 26)) for k in range(1000))
    syn_opts = mss_opt(1460) + b'\x04\x02\x01\x03\x03\x07\x01\x01'
    cid, sid = h >> 48 & 0xffff, 0
    c_ = cisn + 1
    s_ = sisn + 1
    out = []

    def c2s(t, seq, ack, flags, opts=b'', payload=b''):
        nonlocal cid
        cid = (cid + 1) & 0xffff
        out.append((t, (cip, SERVER_IP, cport, SERVER_PORT, seq & M32, ack & M32, flags,
                        64240 if flags & SYN else 502, cid, 52, opts, payload)))

    def s2c(t, seq, ack, flags, opts=b'', payload=b''):
        nonlocal sid
        sid = (sid + 1) & 0xffff
        out.append((t, (SERVER_IP, cip, SERVER_PORT, cport, seq & M32, ack & M32, flags,
                        64240 if flags & SYN else 502, sid, 64, opts, payload)))

    c2s(t0, cisn, 0, SYN, syn_opts)
    s2c(t0 + 20, sisn, c_, SYN | ACK, syn_opts)
    c2s(t0 + 1000, c_, s_, ACK)
    c2s(t0 + 1030, c_, s_, PSH | ACK, payload=req)
    s2c(t0 + 1250, s_, c_ + 100, PSH | ACK, payload=resp)
    c2s(t0 + 2250, c_ + 100, s_ + 1000, ACK)
    t = t0 + 2300
    for _ in range(dupacks):
        c2s(t, c_ + 100, s_ + 1000, ACK)
        t += 10
    for k in range(rsts):
        s2c(t, s_ + 1000 + (1 << 30) + k, 0, RST)
        t += 10
    if close:
        c2s(t, c_ + 100, s_ + 1000, FIN | ACK)
        s2c(t + 40, s_ + 1000, c_ + 101, FIN | ACK)
        c2s(t + 1040, c_ + 101, s_ + 1001, ACK)
    return out


def write_loaded(args, seed):
    """--loaded N: N connections with their per-connection caps full, all
    still open at the end of the capture."""
    span = 2400 + 10 * (args.dupacks + args.rsts) + 1100 * args.close  # one after the other
    frames = 0
    with open(args.out, 'wb') as f:
        w = Writer(f)
        for i in range(args.loaded):
            for t, a in loaded_conn(i, i * span, seed, args.dupacks, args.rsts, args.close):
                w.packet(t, *a)
        w.flush()
        frames = w.frames
    write_manifest(args, {'generator': 'gen-flood.py', 'seed': args.seed, 'loaded': args.loaded,
                          'dupacks': args.dupacks, 'rsts': args.rsts, 'close': args.close,
                          'frames': frames, 'file_bytes': w.bytes})
    print('gen-flood.py: %d frames (%d loaded connections, %d duplicate ACKs and %d RSTs each), '
          '%d bytes' % (frames, args.loaded, args.dupacks, args.rsts, w.bytes), file=sys.stderr)
    return 0


def write_flood(args, seed):
    """The SYN flood, with the legit connections interleaved."""
    hs = mix64(seed ^ 0xf100d)
    k1, k2 = (hs & M32) | 1, (hs >> 32) | 1
    step = 1e6 / args.rate
    answer_below = int(args.answered * 65536)

    # legit connections start at these flood indexes (spread evenly)
    lo = int(args.legit_from * args.syns)
    hi = int(args.legit_to * args.syns)
    starts = [lo + (hi - lo) * i // args.legit for i in range(args.legit)]
    pending = []   # legit packets not yet written, sorted by time
    legit = []
    next_legit = 0

    def flush_until(t):
        """Write the legit packets due at or before time t."""
        while pending and pending[0][0] <= t:
            tt, li, a = pending.pop(0)
            legit[li]['frames'].append(w.packet(tt, *a))

    synack_opts = mss_opt(1460)
    first_syn_frame = last_syn_frame = 0
    seen = 0
    answered = 0
    src = 0
    with open(args.out, 'wb') as f:
        w = Writer(f)
        for i in range(args.syns):
            t = int(i * step)
            while next_legit < len(starts) and starts[next_legit] == i:
                cip, cport, pk = legit_conn(next_legit, t + int(step / 2), seed)
                legit.append({'client': '%d.%d.%d.%d' % (cip >> 24, cip >> 16 & 255,
                                                          cip >> 8 & 255, cip & 255),
                              'port': cport, 'frames': []})
                pending.extend((tt, next_legit, a) for tt, a in pk)
                pending.sort(key=lambda p: p[0])
                next_legit += 1
            flush_until(t)
            if i % args.per_source == 0:
                # the next source address that is not in 0/8, 10/8, 11/8,
                # 127/8 or 224/3
                while True:
                    src = perm32(seen, k1, k2)
                    seen += 1
                    top = src >> 24
                    if top not in (0, 10, 11, 127) and top < 224:
                        break
            dst = SERVER_IP if args.services == 1 else SPREAD_NET + i % args.services
            h = mix64(seed ^ (i + 1) * 0x9e3779b97f4a7c15 & M64)
            sport = 1024 + (h & 0xffff) % 64512
            isn = (h >> 16) & M32
            ttl = 32 + (h >> 48 & 0x7f)
            win = (512, 1024, 5840, 8192, 14600, 29200, 64240, 65535)[h >> 56 & 7]
            ipid = (h >> 59) * 2048 + (i & 0x7ff)
            fr = w.packet(t, src, dst, sport, SERVER_PORT, isn, 0, SYN, win, ipid & 0xffff,
                          ttl, mss_opt(1460))
            if first_syn_frame == 0:
                first_syn_frame = fr
            last_syn_frame = fr
            if (mix64(h) >> 48) < answer_below:
                flush_until(t + 5)
                cookie = mix64(h) & M32
                w.packet(t + 5, dst, src, SERVER_PORT, sport, cookie, (isn + 1) & M32,
                         SYN | ACK, 65160, 0, 64, synack_opts)
                answered += 1
        for tt, li, a in pending:
            legit[li]['frames'].append(w.packet(tt, *a))
        w.flush()

    info = {
        'generator': 'gen-flood.py',
        'seed': args.seed,
        'syns': args.syns,
        'answered': answered,
        'rate': args.rate,
        'services': args.services,
        'per_source': args.per_source,
        'legit': len(legit),
        'legit_from_syn': starts[0] if starts else None,
        'legit_to_syn': starts[-1] if starts else None,
        'frames': w.frames,
        'file_bytes': w.bytes,
        'first_syn_frame': first_syn_frame,
        'last_syn_frame': last_syn_frame,
        'legit_conns': legit,
    }
    write_manifest(args, info)
    print('gen-flood.py: %d frames (%d flood SYNs, %d answered, %d legit connections), %d bytes'
          % (w.frames, args.syns, answered, len(legit), w.bytes), file=sys.stderr)
    return 0


def write_manifest(args, info):
    if args.manifest:
        with open(args.manifest, 'w') as mf:
            json.dump(info, mf)
            mf.write('\n')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('out')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--syns', type=int, default=1000000)
    ap.add_argument('--rate', type=float, default=50000.0, help='flood SYNs per second')
    ap.add_argument('--answered', type=float, default=1.0,
                    help='share of the flood SYNs the server answers with a SYN-ACK')
    ap.add_argument('--services', type=int, default=1)
    ap.add_argument('--per-source', type=int, default=1)
    ap.add_argument('--legit', type=int, default=100)
    ap.add_argument('--legit-from', type=float, default=0.25)
    ap.add_argument('--legit-to', type=float, default=0.75)
    ap.add_argument('--loaded', type=int, default=0)
    ap.add_argument('--dupacks', type=int, default=300)
    ap.add_argument('--rsts', type=int, default=20)
    ap.add_argument('--close', action='store_true')
    ap.add_argument('--manifest')
    args = ap.parse_args()
    if args.syns < 1 or args.rate <= 0 or args.legit < 0 or args.loaded < 0:
        ap.error('--syns and --rate must be positive, --legit and --loaded not negative')
    if not 0 <= args.answered <= 1:
        ap.error('--answered is a share between 0 and 1')
    if args.services < 1 or args.per_source < 1 or args.per_source > args.services > 1:
        ap.error('--services and --per-source must be positive; --per-source at most --services')
    if not 0 <= args.legit_from <= args.legit_to <= 1:
        ap.error('need 0 <= --legit-from <= --legit-to <= 1')
    seed = args.seed & M64
    if args.loaded > 0:
        return write_loaded(args, seed)
    return write_flood(args, seed)


if __name__ == '__main__':
    sys.exit(main())
