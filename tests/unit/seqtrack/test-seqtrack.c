/* test-seqtrack.c - what every segment is in its stream: wrap-safe, with
 * window scaling, SACK, probes, capture duplicates, and the places where
 * Wireshark is known to be wrong (ORACLES.md 8.1). */
#include "tfa-test.h"

#include "tcpflow-audit/detect.h"
#include "tcpflow-audit/seqtrack.h"
#include "tcpflow-audit/tcpsm.h"

#define C 0
#define S 1
#define MS TFA_NSEC_PER_MSEC

enum { SYN = TFA_TH_SYN, ACK = TFA_TH_ACK, FIN = TFA_TH_FIN, RST = TFA_TH_RST };

typedef struct Fx {
    TfaOptions opts;
    TfaConn *c;
    TfaBudget budget;
    TfaStats stats;
    TfaFrameNo frame;
    TfaTs now;
    TfaSeqEvent ev;
    uint16_t ip_id[2];
    uint8_t ttl_less[2];     /* this side's next frames arrive this many hops later */
    uint16_t window[2];
    bool ws;                 /* window scale option on the SYNs */
    uint8_t shift;
    uint8_t n_sack;          /* SACK blocks on the next segments */
    TfaSackBlock sack[TFA_MAX_SACK_BLOCKS];
    uint8_t payload[1024 + 65536]; /* offset (seq % 1024) + the largest segment */
} Fx;

static int setup(void **state)
{
    Fx *f = g_new0(Fx, 1);
    tfa_options_init(&f->opts);
    f->c = g_new0(TfaConn, 1);
    f->budget.limit = f->opts.max_buffer_bytes;
    f->window[C] = f->window[S] = 1000;
    for (size_t i = 0; i < sizeof(f->payload); i++)
        f->payload[i] = (uint8_t)(i * 7);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fx *f = *state;
    tfa_seqtrack_release(f->c, &f->budget);
    assert_int_equal(f->budget.used, 0);
    tfa_conn_free(f->c);
    g_free(f);
    return 0;
}

/* A segment from @side @gap after the previous, payload from f->payload
 * starting at @poff; each frame gets a new IP ID unless @same_id. */
static uint32_t seg_full(Fx *f, TfaDuration gap, uint8_t side, uint16_t flags, uint32_t seq,
                         uint32_t ack, uint32_t len, size_t poff, bool same_id)
{
    f->frame++;
    f->now += gap;
    TfaAddr a = tfa_test_ip4(10, 0, 0, (uint8_t)(1 + side));
    TfaAddr b = tfa_test_ip4(10, 0, 0, (uint8_t)(2 - side));
    TfaSegment s = tfa_test_seg(a, side == C ? 40000 : 80, b, side == C ? 80 : 40000, flags, seq,
                                ack, len, f->frame, f->now);
    if (!same_id)
        f->ip_id[side]++;
    s.ip_id = f->ip_id[side];
    s.ttl = (uint8_t)(s.ttl - f->ttl_less[side]);
    s.checksum = (uint16_t)(seq ^ ack ^ len ^ flags);
    s.window = f->window[side];
    assert_true(poff + len <= sizeof(f->payload)); /* the payload is all there */
    s.payload = len > 0 ? f->payload + poff : NULL;
    s.opt.n_sack = f->n_sack;
    memcpy(s.opt.sack, f->sack, sizeof(f->sack));
    if ((flags & SYN) && f->ws) {
        s.opt.has_wscale = true;
        s.opt.wscale = f->shift;
    }
    bool created = f->c->side[0].packets + f->c->side[1].packets == 0;
    TfaSideStats *st = &f->c->side[side];
    st->packets++;
    st->last_frame = f->frame;
    st->last_ts = f->now;
    if (created)
        tfa_tcpsm_init(f->c, &f->opts, &s, side);
    tfa_seqtrack_segment(f->c, &f->opts, &f->budget, &f->stats, &s, side, &f->ev);
    TfaSmEvent sm;
    if (!(f->ev.facts & TFA_SEQ_DUP_FRAME))
        tfa_tcpsm_segment(f->c, &f->opts, &s, side, &sm);
    return f->ev.facts;
}

static uint32_t seg(Fx *f, uint8_t side, uint16_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
    return seg_full(f, MS, side, flags, seq, ack, len, seq % 1024, false);
}

static void handshake_at(Fx *f, uint32_t iss_c, uint32_t iss_s)
{
    seg(f, C, SYN, iss_c, 0, 0);
    seg(f, S, SYN | ACK, iss_s, iss_c + 1, 0);
    seg(f, C, ACK, iss_c + 1, iss_s + 1, 0);
}

#define HAS(x, bit) (((x) & (bit)) != 0)

static void test_in_order(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    assert_true(HAS(seg(f, C, ACK, 1001, 5001, 100), TFA_SEQ_NEW_DATA));
    assert_int_equal(seg(f, S, ACK, 5001, 1101, 0), 0);
    assert_true(HAS(seg(f, C, ACK, 1101, 5001, 100), TFA_SEQ_NEW_DATA));
    assert_int_equal(f->c->half[C].next, 1201);
}

/* The sequence space wraps: nothing is lost or retransmitted across 2^32,
 * and a stream whose next byte is exactly 0 is not "unknown" (Wireshark's
 * sentinel, ORACLES.md 8.1 item 1). */
static void test_wraparound(void **state)
{
    Fx *f = *state;
    handshake_at(f, 0xffffff00u, 5000);
    uint32_t s0 = 0xffffff01u;
    assert_int_equal(seg(f, C, ACK, s0, 5001, 0xff) & ~TFA_SEQ_NEW_DATA, 0); /* ends at 0 */
    assert_int_equal(f->c->half[C].next, 0);
    assert_true(HAS(seg(f, C, ACK, 0, 5001, 100), TFA_SEQ_NEW_DATA));
    /* the same 0xff bytes ending at 0 again: a retransmission */
    assert_true(HAS(seg_full(f, 300 * MS, C, ACK, s0, 5001, 0xff, 0, false), TFA_SEQ_RETRANS));
    /* a gap across the wrap */
    assert_true(HAS(seg(f, C, ACK, 200, 5001, 100), TFA_SEQ_NEW_DATA));
    assert_int_equal(f->c->half[C].n_holes, 1);
    assert_int_equal(f->c->half[C].holes[0].start, 100);
    assert_int_equal(f->c->half[C].holes[0].end, 200);
}

/* Reordering: a gap filled within the handshake RTT is out of order, and
 * no segment was lost. */
static void test_reorder_is_not_loss(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    f->ip_id[C]++; /* 1001:1101 was sent first, with the ID before ... */
    uint32_t x = seg(f, C, ACK, 1101, 5001, 100); /* ... and held back */
    assert_false(HAS(x, TFA_SEQ_LOST));
    f->ip_id[C] = (uint16_t)(f->ip_id[C] - 2);
    x = seg_full(f, MS / 10, C, ACK, 1001, 5001, 100, 0, false);
    assert_true(HAS(x, TFA_SEQ_OOO));
    assert_false(HAS(x, TFA_SEQ_LOST));
    assert_int_equal(f->c->half[C].n_holes, 0);
}

/* A hole filled within the round trip, but by a datagram its sender
 * numbered after the later bytes (IP IDs ascending): sent again, not
 * overtaken on the way.  Random IDs tell nothing: reordering stays. */
static void test_fill_sent_after_is_retransmission(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    seg(f, C, ACK, 1101, 5001, 100);
    uint32_t x = seg_full(f, MS / 10, C, ACK, 1001, 5001, 100, 0, false);
    assert_false(HAS(x, TFA_SEQ_OOO));
    assert_true(HAS(x, TFA_SEQ_RETRANS));
    /* the same with IDs that jump about */
    seg(f, C, ACK, 1301, 5001, 100); /* hole 1201:1301 */
    f->ip_id[C] = 30000;
    x = seg_full(f, MS / 10, C, ACK, 1201, 5001, 100, 0, false);
    assert_true(HAS(x, TFA_SEQ_OOO));
}

/* The same when a window of segments went by before the hole was filled:
 * the segment after the gap has left the ring of recent segments, and the
 * IP ID kept with the gap still shows the filler was sent after it (a
 * retransmission in SACK recovery, one round trip later, looks like this
 * at the receiver).  A filler numbered before it was overtaken. */
static void test_fill_sent_after_beyond_ring(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    f->ip_id[C]++; /* 1001:1101 lost, or held back */
    uint16_t held_id;
    seg(f, C, ACK, 1101, 5001, 100);
    for (uint32_t k = 1; k <= TFA_RECENT_SEGS + 2; k++)
        seg_full(f, MS / 100, C, ACK, 1101 + 100 * k, 5001, 100, 0, false);
    uint32_t x = seg_full(f, MS / 100, C, ACK, 1001, 5001, 100, 0, false);
    assert_false(HAS(x, TFA_SEQ_OOO));
    assert_true(HAS(x, TFA_SEQ_RETRANS));
    assert_true(HAS(x, TFA_SEQ_LOST));
    /* a second gap, filled by a datagram numbered before its successor */
    uint32_t next = 1101 + 100 * (TFA_RECENT_SEGS + 3);
    f->ip_id[C]++;
    held_id = f->ip_id[C];
    seg(f, C, ACK, next + 100, 5001, 100);
    for (uint32_t k = 2; k <= TFA_RECENT_SEGS + 3; k++)
        seg_full(f, MS / 100, C, ACK, next + 100 * k, 5001, 100, 0, false);
    f->ip_id[C] = (uint16_t)(held_id - 2);
    x = seg_full(f, MS / 100, C, ACK, next, 5001, 100, 0, false);
    assert_true(HAS(x, TFA_SEQ_OOO));
    assert_false(HAS(x, TFA_SEQ_LOST));
}

/* A gap filled late, after duplicate ACKs: lost before the capture point,
 * then fast-retransmitted; reported lost at the frame after the gap. */
static void test_gap_then_fast_retransmit(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    seg(f, C, ACK, 1101, 5001, 100);                /* 4: gap 1001:1101 */
    seg(f, S, ACK, 5001, 1001, 0);                  /* 5: repeats the SYN-ACK's ACK: dup 1 */
    seg(f, S, ACK, 5001, 1001, 0);                  /* 6: dup 2 */
    uint32_t x = seg(f, S, ACK, 5001, 1001, 0);     /* 7: dup 3 */
    assert_true(HAS(x, TFA_SEQ_DUP_ACK));
    assert_int_equal(f->ev.dupacks, 3);
    x = seg_full(f, 10 * MS, C, ACK, 1001, 5001, 100, 0, false); /* 8 */
    assert_true(HAS(x, TFA_SEQ_FAST_RETRANS));
    assert_true(HAS(x, TFA_SEQ_LOST));
    assert_int_equal(f->ev.lost_frame, 4);
    assert_int_equal(f->ev.gap, 100);
}

static guint32 acked_unseen(const Fx *f, uint8_t side)
{
    return tfa_conn_get_count(f->c, TFA_COUNT_DIAG(TFA_DIAG_CAPTURE_ACKED_UNSEEN), side);
}

/* The peer acknowledges the bytes of a gap that was never resent: the
 * capture missed them (capture loss), one finding and one diagnostic, and
 * no network loss. */
static void test_gap_acked(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    seg(f, C, ACK, 1101, 5001, 100);
    uint32_t x = seg(f, S, ACK, 5001, 1201, 0); /* frame 5 */
    assert_true(HAS(x, TFA_SEQ_ACK_UNSEEN));
    assert_true(HAS(x, TFA_SEQ_CAPTURE_LOSS));
    assert_false(HAS(x, TFA_SEQ_LOST));
    assert_int_equal(f->ev.missed[C], 100);
    assert_int_equal(f->ev.missed[S], 0);
    assert_int_equal(f->ev.missed_frame[C], 5);
    assert_int_equal(acked_unseen(f, C), 1);
    x = seg(f, S, ACK, 5001, 1201, 0);
    assert_false(HAS(x, TFA_SEQ_ACK_UNSEEN));
    assert_false(HAS(x, TFA_SEQ_CAPTURE_LOSS));
    /* sent again after that: spurious, still no loss */
    x = seg_full(f, 300 * MS, C, ACK, 1001, 5001, 100, 1001 % 1024, false);
    assert_false(HAS(x, TFA_SEQ_LOST));
    assert_int_equal(acked_unseen(f, C), 1);
}

/* Several gaps, then one ACK over them all: one capture-loss finding, each
 * gap counted once, never a lost segment. */
static void test_gaps_acked_together(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    seg(f, C, ACK, 1001, 5001, 100);
    assert_false(HAS(seg(f, C, ACK, 1201, 5001, 100), TFA_SEQ_LOST));
    assert_false(HAS(seg(f, C, ACK, 1401, 5001, 100), TFA_SEQ_LOST));
    assert_int_equal(f->c->half[C].n_holes, 2);
    uint32_t x = seg(f, S, ACK, 5001, 1501, 0);
    assert_true(HAS(x, TFA_SEQ_CAPTURE_LOSS));
    assert_false(HAS(x, TFA_SEQ_LOST));
    assert_int_equal(f->ev.missed[C], 200);
    assert_int_equal(acked_unseen(f, C), 2);
    assert_int_equal(f->c->half[C].n_holes, 0);
}

/* More gaps open at once than a direction keeps: the oldest is forgotten
 * and counted, the newest kept. */
static void test_gaps_forgotten_at_cap(void **state)
{
    Fx *f = *state;
    uint16_t forgotten = TFA_COUNT_DIAG(TFA_DIAG_CONN_GAPS_FORGOTTEN);
    handshake_at(f, 1000, 5000);
    seg(f, C, ACK, 1001, 5001, 100);
    for (uint32_t k = 1; k <= TFA_MAX_HOLES + 2; k++)
        seg(f, C, ACK, 1001 + 200 * k, 5001, 100); /* a 100-byte gap before each */
    assert_int_equal(f->c->half[C].n_holes, TFA_MAX_HOLES);
    assert_int_equal(tfa_conn_get_count(f->c, forgotten, C), 2);
    assert_int_equal(f->c->half[C].holes[0].start, 1001 + 200 * 3 - 100);
}

/* An ACK beyond everything captured: the ACK's sender saw bytes the capture
 * did not; its peer's next segment beyond it confirms capture loss, once. */
static void test_ack_beyond(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    seg(f, C, ACK, 1001, 5001, 100);
    uint32_t x = seg(f, S, ACK, 5001, 1301, 0); /* frame 5 */
    assert_true(HAS(x, TFA_SEQ_ACK_UNSEEN));
    assert_false(HAS(x, TFA_SEQ_CAPTURE_LOSS));
    assert_false(HAS(x, TFA_SEQ_ACK_INVALID));
    assert_false(HAS(seg(f, S, ACK, 5001, 1301, 0), TFA_SEQ_ACK_UNSEEN)); /* once */
    x = seg(f, C, ACK, 1301, 5001, 100);
    assert_true(HAS(x, TFA_SEQ_CAPTURE_LOSS));
    assert_false(HAS(x, TFA_SEQ_LOST));
    assert_int_equal(f->ev.missed[C], 200);
    assert_int_equal(f->ev.missed_frame[C], 5);
    assert_int_equal(acked_unseen(f, C), 1);
    /* far behind every ACK it sent: not this connection's */
    x = seg(f, S, ACK, 5001, 1401 - 50000000u, 0);
    assert_true(HAS(x, TFA_SEQ_ACK_INVALID));
}

/* Far beyond, with the capture missing much: still capture loss when the
 * sender's stream goes on past it (a capture filtered to some packets). */
static void test_ack_far_beyond_is_capture_loss(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    seg(f, C, ACK, 1001, 5001, 100);
    uint32_t x = seg(f, S, ACK, 5001, 1101 + 500000, 0);
    assert_false(HAS(x, TFA_SEQ_ACK_INVALID));
    x = seg(f, C, ACK, 1101 + 600000, 5001, 100);
    assert_false(HAS(x, TFA_SEQ_ACK_BEYOND_SENT));
    assert_true(HAS(x, TFA_SEQ_CAPTURE_LOSS));
    assert_int_equal(f->ev.missed[C], 500000);
}

/* An ACK of bytes the peer had not sent: the peer's next pure ACK carries
 * its SND.NXT, below the acknowledgement (RFC 9293 §3.10.7.4). */
static void test_ack_beyond_sent(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    seg(f, C, ACK, 1001, 5001, 100);
    seg(f, S, ACK, 5001, 1301, 0); /* frame 5 */
    uint32_t x = seg(f, C, ACK, 1101, 5001, 0);
    assert_true(HAS(x, TFA_SEQ_ACK_BEYOND_SENT));
    assert_false(HAS(x, TFA_SEQ_CAPTURE_LOSS));
    assert_int_equal(f->ev.beyond_frame, 5);
    assert_int_equal(f->ev.beyond_ack, 1301);
    assert_int_equal(f->ev.beyond_next, 1101);
    assert_int_equal(acked_unseen(f, C), 0);
}

/* Picked up mid-stream: the first segment of a side is no gap, and a
 * keep-alive probe (SND.NXT - 1, empty) is recognised by its answer even
 * without a handshake, not taken for a byte the capture missed. */
static void test_keepalive_mid_stream(void **state)
{
    Fx *f = *state;
    f->c->mid_stream = true;
    uint32_t x = seg(f, C, ACK, 1999, 7000, 0); /* the probe, first segment captured */
    assert_false(HAS(x, TFA_SEQ_LOST));
    x = seg(f, S, ACK, 7000, 2000, 0); /* its answer */
    assert_false(HAS(x, TFA_SEQ_ACK_UNSEEN));
    assert_false(HAS(x, TFA_SEQ_CAPTURE_LOSS));
    assert_true(HAS(x, TFA_SEQ_PROBE_ACK));
    assert_int_equal(f->c->half[C].next, 2000);
    /* the next probe, 75 s later, is one */
    x = seg_full(f, 75 * TFA_NSEC_PER_SEC, C, ACK, 1999, 7000, 0, 0, false);
    assert_true(HAS(x, TFA_SEQ_KEEPALIVE));
    x = seg(f, S, ACK, 7000, 2000, 0);
    assert_false(HAS(x, TFA_SEQ_ACK_UNSEEN));
    assert_int_equal(acked_unseen(f, C), 0);
}

/* ... and when the peer's ACK came first, the probe below it starts the
 * stream at what the peer had acknowledged. */
static void test_keepalive_mid_stream_after_ack(void **state)
{
    Fx *f = *state;
    f->c->mid_stream = true;
    seg(f, S, ACK, 7000, 2000, 10);
    assert_false(HAS(seg_full(f, 30 * TFA_NSEC_PER_SEC, C, ACK, 1999, 7010, 0, 0, false),
                     TFA_SEQ_LOST));
    assert_int_equal(f->c->half[C].next, 2000);
    uint32_t x = seg(f, S, ACK, 7010, 2000, 0);
    assert_false(HAS(x, TFA_SEQ_ACK_UNSEEN));
    assert_false(HAS(x, TFA_SEQ_CAPTURE_LOSS));
}

/* A busy stream's empty ACK followed by an ACK one byte beyond is a byte
 * the capture missed, not a probe: no silence came before it. */
static void test_one_byte_missed_not_probe(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    seg(f, S, ACK, 5001, 1001, 100);
    seg(f, C, ACK, 1001, 5101, 0);
    uint32_t x = seg(f, S, ACK, 5101, 1002, 0);
    assert_false(HAS(x, TFA_SEQ_PROBE_ACK));
    assert_true(HAS(x, TFA_SEQ_ACK_UNSEEN));
}

/* Only the receiver's segments captured: its SACK blocks, repeated three
 * times, prove the sender's segments below them lost (RFC 2018, RFC 6675);
 * reported once, about the sender. */
static void test_one_direction_sack_loss(void **state)
{
    Fx *f = *state;
    f->c->mid_stream = true;
    seg(f, S, ACK, 5000, 1000, 0);
    f->n_sack = 1;
    f->sack[0] = (TfaSackBlock){.left = 2000, .right = 3000};
    assert_false(HAS(seg(f, S, ACK, 5000, 1000, 0), TFA_SEQ_LOST));
    f->sack[0].right = 4000;
    assert_false(HAS(seg(f, S, ACK, 5000, 1000, 0), TFA_SEQ_LOST));
    f->sack[0].right = 5000;
    uint32_t x = seg(f, S, ACK, 5000, 1000, 0); /* frame 4 */
    assert_true(HAS(x, TFA_SEQ_LOST));
    assert_int_equal(f->ev.lost_side, C);
    assert_int_equal(f->ev.lost_how, TFA_LOST_SACK);
    assert_int_equal(f->ev.gap, 1000);
    assert_int_equal(f->ev.lost_frame, 4);
    f->sack[0].right = 6000;
    assert_false(HAS(seg(f, S, ACK, 5000, 1000, 0), TFA_SEQ_LOST)); /* once */
    f->n_sack = 0;
    assert_false(HAS(seg(f, S, ACK, 5000, 6000, 0), TFA_SEQ_LOST));
}

/* Without SACK: three duplicate ACKs close together, then an ACK past the
 * hole (the resent segment arrived). */
static void test_one_direction_dupack_loss(void **state)
{
    Fx *f = *state;
    f->c->mid_stream = true;
    seg(f, S, ACK, 5000, 1000, 0);
    for (int i = 0; i < 3; i++)
        assert_false(HAS(seg(f, S, ACK, 5000, 1000, 0), TFA_SEQ_LOST));
    uint32_t x = seg(f, S, ACK, 5000, 6000, 0);
    assert_true(HAS(x, TFA_SEQ_LOST));
    assert_int_equal(f->ev.lost_side, C);
    assert_int_equal(f->ev.lost_how, TFA_LOST_DUPACKS);
    /* the same ACK repeated slowly (keep-alive answers) proves nothing */
    for (int i = 0; i < 3; i++)
        seg_full(f, 75 * TFA_NSEC_PER_SEC, S, ACK, 5000, 6000, 0, 0, false);
    assert_false(HAS(seg(f, S, ACK, 5000, 7000, 0), TFA_SEQ_LOST));
}

/* At the end: a gap neither filled nor acknowledged is only a possible
 * loss, at info; an ACK beyond what was captured whose sender said nothing
 * more is capture loss; one direction only is said. */
static void test_end_undecided(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    seg(f, C, ACK, 1001, 5001, 100);
    seg(f, C, ACK, 1201, 5001, 100); /* frame 5: gap 1101:1201 */
    seg(f, C, ACK, 1301, 5001, 0);
    seg(f, S, ACK, 5001, 1101, 0);   /* frame 7: below the gap */
    seg(f, C, ACK, 1301, 5101, 0);   /* frame 8: beyond the server's data */
    TfaAnomalySink sink = {.conn = f->c, .cap = 100};
    TfaOutcome out = {0};
    TfaDetectEnd x = {.now = f->now, .out = &out};
    tfa_detector_sequence.on_end(f->c, NULL, &x, &sink); /* it keeps nothing for the end */
    int lost = 0, unseen = 0;
    for (guint i = 0; f->c->anomalies != NULL && i < f->c->anomalies->len; i++) {
        const TfaAnomaly *a = &g_array_index(f->c->anomalies, TfaAnomaly, i);
        if (a->code == TFA_ANOMALY_SEQ_LOST_SEGMENT) {
            lost++;
            assert_true(a->possible);
            assert_int_equal(a->severity, TFA_SEV_INFO);
            assert_int_equal(a->frame_no, 5);
            assert_int_equal(a->arg[0], 100);
        }
        if (a->code == TFA_ANOMALY_ACK_UNSEEN_DATA) {
            unseen++;
            assert_int_equal(a->severity, TFA_SEV_INFO);
            assert_int_equal(a->side, C);
            assert_int_equal(a->frame_no, 8);
            assert_int_equal(a->arg[0], 100);
        }
    }
    assert_int_equal(lost, 1);
    assert_int_equal(unseen, 1);
    /* the server's missed tail is the finding only, no gap counted (a gap
     * is between captured segments, as Wireshark's "previous segment not
     * captured" is) */
    assert_int_equal(acked_unseen(f, S), 0);
    assert_int_equal(tfa_conn_get_count(f->c, TFA_COUNT_DIAG(TFA_DIAG_CAPTURE_ONE_DIRECTION), C), 0);
}

/* One direction captured, its segments acknowledging the other's: said as
 * a capture diagnostic, and its gap is only a possible loss. */
static void test_end_one_direction(void **state)
{
    Fx *f = *state;
    f->c->mid_stream = true;
    f->c->side[C].flags_seen = ACK;
    seg(f, C, ACK, 1001, 5001, 100);
    seg(f, C, ACK, 1201, 5001, 100);
    TfaAnomalySink sink = {.conn = f->c, .cap = 100};
    TfaOutcome out = {0};
    TfaDetectEnd x = {.now = f->now, .out = &out};
    tfa_detector_sequence.on_end(f->c, NULL, &x, &sink); /* it keeps nothing for the end */
    assert_non_null(f->c->anomalies);
    assert_int_equal(f->c->anomalies->len, 1);
    const TfaAnomaly *a = &g_array_index(f->c->anomalies, TfaAnomaly, 0);
    assert_int_equal(a->code, TFA_ANOMALY_SEQ_LOST_SEGMENT);
    assert_true(a->possible);
    assert_int_equal(a->severity, TFA_SEV_INFO);
    assert_int_equal(tfa_conn_get_count(f->c, TFA_COUNT_DIAG(TFA_DIAG_CAPTURE_ONE_DIRECTION), C), 1);
}

static void test_retransmissions(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    seg(f, C, ACK, 1001, 5001, 100);
    /* RTO: the same bytes 300 ms later, not acknowledged */
    uint32_t x = seg_full(f, 300 * MS, C, ACK, 1001, 5001, 100, 1001 % 1024, false);
    assert_true(HAS(x, TFA_SEQ_RETRANS));
    assert_false(HAS(x, TFA_SEQ_DATA_DIFFERS));
    /* acknowledged, then sent again: spurious */
    seg(f, S, ACK, 5001, 1101, 0);
    x = seg_full(f, 300 * MS, C, ACK, 1001, 5001, 100, 1001 % 1024, false);
    assert_true(HAS(x, TFA_SEQ_SPURIOUS));
}

/* A retransmission whose bytes differ from the original. */
static void test_data_differs(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    seg_full(f, MS, C, ACK, 1001, 5001, 100, 0, false);
    uint32_t x = seg_full(f, 300 * MS, C, ACK, 1001, 5001, 100, 7, false);
    assert_true(HAS(x, TFA_SEQ_RETRANS));
    assert_true(HAS(x, TFA_SEQ_DATA_DIFFERS));
    assert_int_equal(f->ev.differ_at, 1001);
    assert_true(f->budget.used > 0);
}

/* No budget left: nothing kept, counted, and no false difference. */
static void test_budget(void **state)
{
    Fx *f = *state;
    f->budget.limit = 10;
    handshake_at(f, 1000, 5000);
    seg_full(f, MS, C, ACK, 1001, 5001, 100, 0, false);
    assert_int_equal(f->stats.diag[TFA_DIAG_BUFFER_CAP_HIT], 1);
    uint32_t x = seg_full(f, 300 * MS, C, ACK, 1001, 5001, 100, 7, false);
    assert_false(HAS(x, TFA_SEQ_DATA_DIFFERS));
}

/* The kept ring starts small and doubles as unacknowledged bytes pile up;
 * bytes kept before it grew still compare at their sequence numbers. */
static void test_keep_grows(void **state)
{
    Fx *f = *state;
    f->window[S] = 65535;
    handshake_at(f, 1000, 5000);
    seg(f, C, ACK, 1001, 5001, 1000);
    assert_int_equal(f->c->half[C].keep_cap, 2048);
    for (uint32_t i = 1; i < 10; i++)
        seg(f, C, ACK, 1001 + i * 1000, 5001, 1000);
    assert_int_equal(f->c->half[C].keep_cap, 16384);
    assert_int_equal(f->c->half[C].keep_len, 10000);
    assert_int_equal(f->budget.used, 16384);
    /* the first bytes, sent again unchanged and then changed */
    uint32_t x = seg_full(f, 300 * MS, C, ACK, 1001, 5001, 1000, 1001 % 1024, false);
    assert_true(HAS(x, TFA_SEQ_RETRANS));
    assert_false(HAS(x, TFA_SEQ_DATA_DIFFERS));
    x = seg_full(f, 300 * MS, C, ACK, 1501, 5001, 100, 3, false);
    assert_true(HAS(x, TFA_SEQ_DATA_DIFFERS));
    assert_int_equal(f->ev.differ_at, 1501);
    /* never beyond the cap (16384 by default) */
    for (uint32_t i = 10; i < 20; i++)
        seg(f, C, ACK, 1001 + i * 1000, 5001, 1000);
    assert_int_equal(f->c->half[C].keep_cap, 16384);
    assert_int_equal(f->c->half[C].keep_len, 16384);
    assert_int_equal(f->stats.diag[TFA_DIAG_BUFFER_CAP_HIT], 0);
}

/* The budget stops a ring growing: counted once, what is kept stays. */
static void test_keep_growth_budget(void **state)
{
    Fx *f = *state;
    f->window[S] = 65535;
    f->budget.limit = 4096;
    handshake_at(f, 1000, 5000);
    for (uint32_t i = 0; i < 8; i++)
        seg(f, C, ACK, 1001 + i * 1000, 5001, 1000);
    assert_int_equal(f->c->half[C].keep_cap, 4096);
    assert_int_equal(f->c->half[C].keep_len, 4096);
    assert_int_equal(f->stats.diag[TFA_DIAG_BUFFER_CAP_HIT], 1);
    uint32_t x = seg_full(f, 300 * MS, C, ACK, 2001, 5001, 100, 5, false);
    assert_true(HAS(x, TFA_SEQ_DATA_DIFFERS));
    assert_int_equal(f->ev.differ_at, 2001);
}

/* The same frame twice (same IP ID and checksum) is a capture duplicate,
 * not a retransmission; new IP ID, same bytes: a retransmission. */
static void test_duplicate_frame(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    seg(f, C, ACK, 1001, 5001, 100);
    uint32_t x = seg_full(f, MS / 100, C, ACK, 1001, 5001, 100, 1001 % 1024, true);
    assert_int_equal(x, TFA_SEQ_DUP_FRAME);
    x = seg_full(f, MS / 100, C, ACK, 1001, 5001, 100, 1001 % 1024, false);
    assert_true(HAS(x, TFA_SEQ_RETRANS));
}

/* IPv6 duplicate ACKs from a host whose checksums are offloaded (zero):
 * equal in every field but their SACK blocks, each is a new ACK, not the
 * previous frame captured twice; the very same frame again is. */
static void test_dup_acks_not_duplicate_frames(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    TfaAddr a = tfa_test_ip4(10, 0, 0, 1), b = tfa_test_ip4(10, 0, 0, 2);
    uint32_t lefts[] = {6001, 6001, 7001};
    uint32_t want[] = {0, TFA_SEQ_DUP_FRAME, 0};
    for (size_t i = 0; i < G_N_ELEMENTS(lefts); i++) {
        f->frame++;
        f->now += MS / 100;
        TfaSegment s = tfa_test_seg(a, 40000, b, 80, ACK, 1001, 5001, 0, f->frame, f->now);
        s.ip_version = 6;
        s.ip_id = 0;
        s.checksum = 0;
        s.window = 1000;
        s.opt.has_ts = true;
        s.opt.tsval = 77;
        s.opt.n_sack = 1;
        s.opt.sack[0] = (TfaSackBlock){.left = lefts[i], .right = lefts[i] + 1000};
        tfa_seqtrack_segment(f->c, &f->opts, &f->budget, &f->stats, &s, C, &f->ev);
        assert_int_equal(f->ev.facts & TFA_SEQ_DUP_FRAME, want[i]);
    }
}

/* SYN-ACKs with IP ID 0 repeated for a repeated SYN are byte-identical but
 * not duplicates: the peer's SYN came between them. */
static void test_synack_repeat_not_duplicate(void **state)
{
    Fx *f = *state;
    seg(f, C, SYN, 1000, 0, 0);
    f->ip_id[S] = 0xffff; /* next one is 0 */
    seg_full(f, MS, S, SYN | ACK, 5000, 1001, 0, 0, false);
    seg(f, C, SYN, 1000, 0, 0);
    uint32_t x = seg_full(f, MS / 10, S, SYN | ACK, 5000, 1001, 0, 0, true);
    assert_false(HAS(x, TFA_SEQ_DUP_FRAME));
}

/* Duplicate ACKs: same ACK and window; a SACK-carrying ACK counts even
 * with a new window (RFC 6675); a changed window alone does not. */
static void test_dup_acks(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    seg(f, C, ACK, 1001, 5001, 100);
    seg(f, S, ACK, 5001, 1101, 0);
    assert_true(HAS(seg(f, S, ACK, 5001, 1101, 0), TFA_SEQ_DUP_ACK));
    f->window[S] = 900;
    assert_false(HAS(seg(f, S, ACK, 5001, 1101, 0), TFA_SEQ_DUP_ACK)); /* window update */
    assert_false(HAS(seg(f, S, ACK, 5001, 1201, 0), TFA_SEQ_DUP_ACK)); /* new ACK */
}

/* Window scaling applies only when both SYNs carried the option. */
static void test_window_scaling(void **state)
{
    Fx *f = *state;
    f->ws = true;
    f->shift = 7;
    handshake_at(f, 1000, 5000);
    f->window[S] = 10; /* 10 << 7 = 1280 */
    seg(f, S, ACK, 5001, 1001, 0);
    assert_int_equal(f->c->half[S].last_win, 1280);
    assert_int_equal(f->c->half[S].right_edge, 1001 + 1280);
    /* 1280 bytes from 1001 fill the window exactly */
    assert_true(HAS(seg(f, C, ACK, 1001, 5001, 1280), TFA_SEQ_WINDOW_FULL));
    assert_true(HAS(seg(f, C, ACK, 2281, 5001, 10), TFA_SEQ_OUT_OF_WINDOW));
}

static void test_window_scaling_one_sided(void **state)
{
    Fx *f = *state;
    TfaAddr a = tfa_test_ip4(10, 0, 0, 1);
    f->ws = true;
    f->shift = 7;
    seg(f, C, SYN, 1000, 0, 0);
    f->ws = false; /* the SYN-ACK does not agree */
    seg(f, S, SYN | ACK, 5000, 1001, 0);
    seg(f, C, ACK, 1001, 5001, 0);
    f->window[S] = 10;
    seg(f, S, ACK, 5001, 1001, 0);
    assert_int_equal(f->c->half[S].last_win, 10);
    (void)a;
}

/* A zero window, probes (zero bytes, one below the next), their ACKs, the
 * window reopening; then a keep-alive, which looks the same. */
static void test_zero_window_and_keepalive(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    seg(f, C, ACK, 1001, 5001, 100);
    f->window[S] = 0;
    uint32_t x = seg(f, S, ACK, 5001, 1101, 0);
    assert_true(HAS(x, TFA_SEQ_ZERO_START));
    x = seg_full(f, 200 * MS, C, ACK, 1100, 5001, 0, 0, false);
    assert_true(HAS(x, TFA_SEQ_ZW_PROBE));
    assert_false(HAS(x, TFA_SEQ_KEEPALIVE));
    x = seg(f, S, ACK, 5001, 1101, 0);
    assert_true(HAS(x, TFA_SEQ_PROBE_ACK));
    assert_false(HAS(x, TFA_SEQ_DUP_ACK));
    f->window[S] = 1000;
    x = seg_full(f, 500 * MS, S, ACK, 5001, 1101, 0, 0, false);
    assert_true(HAS(x, TFA_SEQ_ZERO_END));
    assert_int_equal(f->ev.zero_for, 700 * MS + 1 * MS);
    /* the window is open: the same shape is a keep-alive */
    x = seg_full(f, 7200 * TFA_NSEC_PER_SEC, C, ACK, 1100, 5001, 0, 0, false);
    assert_true(HAS(x, TFA_SEQ_KEEPALIVE));
    x = seg(f, S, ACK, 5001, 1101, 0);
    assert_true(HAS(x, TFA_SEQ_PROBE_ACK));
    assert_false(HAS(x, TFA_SEQ_DUP_ACK));
}

/* The right edge moving left while the peer has data in flight is a
 * shrink; to zero is a zero window. */
static void test_window_shrunk(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    seg(f, S, ACK, 5001, 1001, 0);         /* edge 2001 */
    seg(f, C, ACK, 1001, 5001, 100);
    seg(f, C, ACK, 1101, 5001, 100);       /* 1101:1201 in flight */
    f->window[S] = 500;
    assert_true(HAS(seg(f, S, ACK, 5001, 1101, 0), TFA_SEQ_WINDOW_SHRUNK)); /* 1601 */
    assert_int_equal(f->ev.shrunk_by, 400);
    f->window[S] = 0;
    uint32_t x = seg(f, S, ACK, 5001, 1101, 0);
    assert_false(HAS(x, TFA_SEQ_WINDOW_SHRUNK));
    assert_true(HAS(x, TFA_SEQ_ZERO_START));
}

/* Nothing in flight, a FIN, an older ACK captured after a newer one: the
 * sender loses nothing, or never takes that window (RFC 9293 §3.10.7.4). */
static void test_window_shrunk_harmless(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    seg(f, C, ACK, 1001, 5001, 100);
    seg(f, S, ACK, 5001, 1101, 0);         /* edge 2101, all acknowledged */
    f->window[S] = 500;
    assert_false(HAS(seg(f, S, ACK, 5001, 1101, 0), TFA_SEQ_WINDOW_SHRUNK)); /* nothing in flight */
    f->window[S] = 1000;
    seg(f, S, ACK, 5001, 1101, 0);         /* edge 2101 */
    seg(f, C, ACK, 1101, 5001, 100);
    seg(f, C, ACK, 1201, 5001, 100);       /* 1101:1301 in flight */
    seg(f, S, ACK, 5001, 1301, 0);         /* edge 2301 */
    /* the ACK of 1201, sent before, captured after: older, not a shrink */
    assert_false(HAS(seg(f, S, ACK, 5001, 1201, 0), TFA_SEQ_WINDOW_SHRUNK));
    assert_int_equal(f->c->half[S].right_edge, 2301);
    seg(f, C, ACK, 1301, 5001, 100);       /* 1301:1401 in flight */
    f->window[S] = 200;
    assert_false(HAS(seg(f, S, ACK | FIN, 5001, 1301, 0), TFA_SEQ_WINDOW_SHRUNK)); /* its FIN */
}

/* A scaled window is rounded to 2^shift (RFC 7323 §2.4): an edge that
 * moves back by less than 2^shift is rounding, more is a shrink. */
static void test_window_shrunk_rounding(void **state)
{
    Fx *f = *state;
    f->ws = true;
    f->shift = 7;
    handshake_at(f, 1000, 5000);
    f->window[S] = 100;                    /* 12800 */
    seg(f, S, ACK, 5001, 1001, 0);         /* edge 13801 */
    seg(f, C, ACK, 1001, 5001, 100);
    seg(f, C, ACK, 1101, 5001, 100);       /* 1101:1201 in flight */
    f->window[S] = 99;                     /* 1101 + 12672 = 13773: 28 back */
    assert_false(HAS(seg(f, S, ACK, 5001, 1101, 0), TFA_SEQ_WINDOW_SHRUNK));
    f->window[S] = 90;                     /* 1101 + 11520 = 12621: 1152 back */
    assert_true(HAS(seg(f, S, ACK, 5001, 1101, 0), TFA_SEQ_WINDOW_SHRUNK));
    assert_int_equal(f->ev.shrunk_by, 13773 - 12621);
}

/* The capture begins at the SYN-ACK (the SYN missed, or split off by a
 * time step): the SYN-ACK's option proves scaling in effect and gives the
 * server's shift; the client's is unknown.  The client's raw windows are no
 * size: nothing is judged against them but an overrun at every shift. */
static void test_window_scale_unknown(void **state)
{
    Fx *f = *state;
    f->ws = true;
    f->shift = 7;
    seg(f, S, SYN | ACK, 5000, 1001, 0);
    f->ws = false;
    f->window[C] = 342;
    f->window[S] = 342;
    seg(f, C, ACK, 1001, 5001, 0);
    assert_int_equal(f->c->half[C].last_win, 342); /* shift unknown: raw */
    seg(f, S, ACK, 5001, 1001, 0);
    assert_int_equal(f->c->half[S].last_win, 342 << 7);
    /* beyond the raw 342, within 342 << 7 */
    assert_false(HAS(seg(f, C, ACK, 1001, 5001, 400), TFA_SEQ_OUT_OF_WINDOW));
    /* beyond the client's raw edge 5001 + 342: its shift is unknown */
    assert_false(HAS(seg(f, S, ACK, 5001, 1401, 1195), TFA_SEQ_OUT_OF_WINDOW));
    f->window[C] = 10;
    seg(f, C, ACK, 1401, 6196, 0);         /* raw edge 6206 */
    assert_false(HAS(seg(f, S, ACK, 6196, 1401, 10), TFA_SEQ_WINDOW_FULL));
    f->window[C] = 5;                      /* raw edge 6201, 6196:6206 in flight */
    assert_false(HAS(seg(f, C, ACK, 1401, 6196, 0), TFA_SEQ_WINDOW_SHRUNK));
    /* beyond 5001 + (342 << 14), the edge at the largest shift: out of
     * the window at any scale */
    uint32_t beyond = 5001 + (342u << 14);
    assert_true(HAS(seg(f, S, ACK, beyond, 1401, 100), TFA_SEQ_OUT_OF_WINDOW));
}

/* The SYN with the option captured, its SYN-ACK not: whether scaling is
 * in effect depends on the SYN-ACK, so neither shift is known. */
static void test_window_scale_unknown_no_synack(void **state)
{
    Fx *f = *state;
    f->ws = true;
    f->shift = 7;
    seg(f, C, SYN, 1000, 0, 0);
    f->ws = false;
    seg(f, C, ACK, 1001, 5001, 0);
    f->window[S] = 10;
    seg(f, S, ACK, 5001, 1001, 0);         /* raw edge 1011 */
    assert_false(HAS(seg(f, C, ACK, 1001, 5001, 10), TFA_SEQ_WINDOW_FULL));
    assert_false(HAS(seg(f, C, ACK, 1011, 5001, 100), TFA_SEQ_OUT_OF_WINDOW));
}

/* A SYN without the window scale option: no scaling on either side, even
 * when the other SYN was not captured. */
static void test_window_scale_off_one_syn(void **state)
{
    Fx *f = *state;
    seg(f, S, SYN | ACK, 5000, 1001, 0);   /* no option */
    seg(f, C, ACK, 1001, 5001, 0);         /* client window 1000 */
    assert_true(HAS(seg(f, S, ACK, 5001, 1001, 1000), TFA_SEQ_WINDOW_FULL));
    assert_true(HAS(seg(f, S, ACK, 6001, 1001, 10), TFA_SEQ_OUT_OF_WINDOW));
}

/* A segment with timestamps from @side; the regression fact, if any. */
static uint32_t seg_ts(Fx *f, uint8_t side, uint16_t flags, uint32_t seq, uint32_t ack,
                       uint32_t len, uint32_t tsval, uint32_t diags)
{
    f->frame++;
    f->now += MS;
    TfaAddr a = tfa_test_ip4(10, 0, 0, (uint8_t)(1 + side));
    TfaAddr b = tfa_test_ip4(10, 0, 0, (uint8_t)(2 - side));
    TfaSegment s = tfa_test_seg(a, side == C ? 40000 : 80, b, side == C ? 80 : 40000, flags, seq,
                                ack, len, f->frame, f->now);
    s.ip_id = (uint16_t)(300 + f->frame);
    s.checksum = (uint16_t)(seq ^ ack ^ len ^ flags ^ tsval);
    s.opt.has_ts = true;
    s.opt.tsval = tsval;
    s.window = 1000;
    s.diags = diags;
    s.payload = len > 0 ? f->payload + seq % 1024 : NULL;
    tfa_seqtrack_segment(f->c, &f->opts, &f->budget, &f->stats, &s, side, &f->ev);
    return f->ev.facts & TFA_SEQ_TS_REGRESSION;
}

/* TSval going backwards and staying there (the sender's clock went back),
 * and wrapping (not backwards); one low value alone is not yet one. */
static void test_timestamps(void **state)
{
    Fx *f = *state;
    f->window[S] = 65535;
    handshake_at(f, 1000, 5000);
    assert_int_equal(seg_ts(f, C, ACK, 1001, 5001, 100, 0xfffffff0u, 0), 0);
    seg(f, S, ACK, 5001, 1101, 0);
    assert_int_equal(seg_ts(f, C, ACK, 1101, 5001, 100, 0x00000010u, 0), 0); /* wrapped */
    seg(f, S, ACK, 5001, 1201, 0);
    assert_int_equal(seg_ts(f, C, ACK, 1201, 5001, 100, 0x00000020u, 0), 0);
    seg(f, S, ACK, 5001, 1301, 0);
    assert_int_equal(seg_ts(f, C, ACK, 1301, 5001, 100, 0x00000005u, 0), 0); /* low: pending */
    TfaFrameNo low = f->frame;
    assert_int_equal(seg_ts(f, C, ACK, 1401, 5001, 100, 0x00000006u, 0), TFA_SEQ_TS_REGRESSION);
    assert_int_equal(f->ev.ts_frame, low);
    assert_int_equal(f->ev.ts_val, 5);
    assert_int_equal(f->ev.ts_recent, 0x20);
    /* reported once: the new clock is the one judged */
    assert_int_equal(seg_ts(f, C, ACK, 1501, 5001, 100, 0x00000007u, 0), 0);
}

/* Two segments overtaking each other on the way: the later one (higher
 * TSval) is beyond what the receiver acknowledged, so it never becomes
 * TS.Recent, and the earlier one arriving next is no PAWS regression.  An
 * old segment seen again (a retransmission, a copy) says nothing of the
 * clock. */
static void test_timestamps_reordered(void **state)
{
    Fx *f = *state;
    f->window[S] = 65535;
    handshake_at(f, 1000, 5000);
    assert_int_equal(seg_ts(f, C, ACK, 1001, 5001, 100, 100, 0), 0); /* TS.Recent 100 */
    assert_int_equal(seg_ts(f, C, ACK, 1201, 5001, 100, 102, 0), 0); /* overtook 1101: not taken */
    assert_int_equal(seg_ts(f, C, ACK, 1101, 5001, 100, 101, 0), 0); /* the overtaken one */
    assert_int_equal(seg_ts(f, C, ACK, 1001, 5001, 100, 99, 0), 0);  /* old bytes again */
    assert_int_equal(seg_ts(f, C, ACK, 1001, 5001, 100, 98, 0), 0);
    assert_false(f->c->half[C].ts_pending);
}

/* A copy of an earlier segment far from its original (not caught as a
 * duplicate frame), a damaged frame, one odd TSval far ahead, one low
 * TSval on new data: none is a regression of the sender's clock. */
static void test_timestamps_copies_and_damage(void **state)
{
    Fx *f = *state;
    f->window[S] = 65535;
    handshake_at(f, 1000, 5000);
    seg_ts(f, C, ACK, 1001, 5001, 100, 100, 0);
    seg(f, S, ACK, 5001, 1101, 0);
    seg_ts(f, C, ACK, 1101, 5001, 100, 110, 0);
    seg(f, S, ACK, 5001, 1201, 0);
    assert_int_equal(seg_ts(f, C, ACK, 1001, 5001, 100, 100, 0), 0); /* the first, again */
    assert_int_equal(seg_ts(f, C, ACK, 1201, 5001, 100, 120, 0), 0);
    seg(f, S, ACK, 5001, 1301, 0);
    /* a damaged frame's TSval is not used at all */
    uint32_t bad = 1u << TFA_DIAG_DECODE_BAD_CHECKSUM;
    assert_int_equal(seg_ts(f, C, ACK, 1301, 5001, 100, 0x7fff0000u, bad), 0);
    assert_int_equal(f->c->half[C].ts_recent, 120);
    /* an undetected odd one becomes TS.Recent, the next ones are back on
     * the clock: the odd one is forgotten */
    assert_int_equal(seg_ts(f, C, ACK, 1301, 5001, 100, 0x7fff0000u, 0), 0);
    seg(f, S, ACK, 5001, 1401, 0);
    assert_int_equal(seg_ts(f, C, ACK, 1401, 5001, 100, 130, 0), 0);
    seg(f, S, ACK, 5001, 1501, 0);
    assert_int_equal(seg_ts(f, C, ACK, 1501, 5001, 100, 131, 0), 0);
    /* one low value on new data, then the clock goes on: a one-off */
    assert_int_equal(seg_ts(f, C, ACK, 1601, 5001, 100, 50, 0), 0);
    assert_int_equal(seg_ts(f, C, ACK, 1701, 5001, 100, 132, 0), 0);
    assert_false(f->c->half[C].ts_pending);
}

/* The last byte sent, lost and sent again by the RTO while the peer's
 * ACK still stands before it: a retransmission, not a keep-alive (which
 * repeats a byte the peer has acknowledged). */
static void test_last_byte_retransmitted(void **state)
{
    Fx *f = *state;
    f->window[S] = 65535;
    handshake_at(f, 1000, 5000);
    seg(f, C, ACK, 1001, 5001, 100);
    seg(f, S, ACK, 5001, 1101, 0);
    seg(f, C, ACK, 1101, 5001, 1);      /* one byte, not acknowledged */
    uint32_t x = seg_full(f, 300 * MS, C, ACK, 1101, 5001, 1, 1101 % 1024, false);
    assert_false(HAS(x, TFA_SEQ_KEEPALIVE));
    assert_true(HAS(x, TFA_SEQ_RETRANS));
    /* acknowledged; then the same byte again is the keep-alive probe */
    seg(f, S, ACK, 5001, 1102, 0);
    x = seg_full(f, 30000 * MS, C, ACK, 1101, 5001, 1, 1101 % 1024, false);
    assert_true(HAS(x, TFA_SEQ_KEEPALIVE));
}

/* A segment of the previous incarnation arriving in the new one. */
static void test_stale_incarnation(void **state)
{
    Fx *f = *state;
    f->c->half[C].prev_incarnation = true;
    f->c->half[C].prev_next = 900000000u;
    handshake_at(f, 1000, 5000);
    uint32_t x = seg(f, C, ACK, 900000000u - 100, 5001, 100);
    assert_true(HAS(x, TFA_SEQ_STALE));
    assert_false(HAS(x, TFA_SEQ_LOST));
}

/* A GSO super-segment far larger than the MSS is just data. */
static void test_super_segment(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    uint32_t x = seg(f, C, ACK, 1001, 5001, 64000);
    assert_int_equal(x, TFA_SEQ_NEW_DATA);
}

/* The same frame captured twice with other frames between the copies (a
 * SPAN port, two taps): same IP ID, sequence, ACK, length, flags and
 * window.  A copy of the first frame, not a retransmission; then a real
 * retransmission (new IP ID) of the same bytes still is one. */
static void test_duplicate_frame_interleaved(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    uint16_t id = (uint16_t)(f->ip_id[C] + 1);
    seg(f, C, ACK, 1001, 5001, 100);
    TfaFrameNo first = f->frame;
    seg(f, C, ACK, 1101, 5001, 100);
    seg(f, S, ACK, 5001, 1101, 0);
    seg(f, C, ACK, 1201, 5001, 100);
    f->ip_id[C] = (uint16_t)(id - 1);
    uint32_t x = seg_full(f, MS, C, ACK, 1001, 5001, 100, 1001 % 1024, false);
    assert_int_equal(x, TFA_SEQ_DUP_FRAME);
    assert_int_equal(f->ev.copy_kind, TFA_SEQ_COPY_SAME);
    assert_int_equal(f->ev.copy_of, first);
    f->ip_id[C] = 500;
    x = seg_full(f, 300 * MS, C, ACK, 1101, 5001, 100, 1101 % 1024, false);
    assert_true(HAS(x, TFA_SEQ_SPURIOUS) || HAS(x, TFA_SEQ_RETRANS));
    assert_false(HAS(x, TFA_SEQ_DUP_FRAME));
}

/* Without IP IDs (constant here) nor timestamps, data repeated at once
 * with nothing from the peer between is a copy; two RSTs alike byte for
 * byte (ID 0) each answer their own segment, and are not. */
static void test_copy_without_id_or_ts(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    f->ip_id[C] = 1;
    seg_full(f, MS, C, ACK, 1001, 5001, 100, 1001 % 1024, true);
    seg_full(f, MS, C, ACK, 1101, 5001, 100, 1101 % 1024, true); /* ID 1 again: no proof */
    uint32_t x = seg_full(f, 0, C, ACK, 1101, 5001, 100, 1101 % 1024, true);
    assert_int_equal(x, TFA_SEQ_DUP_FRAME);
    seg(f, C, ACK, 1201, 5001, 100);
    f->ip_id[S] = 0xffff; /* the next is 0 */
    seg_full(f, MS, S, RST, 5001, 0, 0, 0, false);
    f->ip_id[S] = 0xffff;
    x = seg_full(f, MS / 10, S, RST, 5001, 0, 0, 0, false);
    assert_false(HAS(x, TFA_SEQ_DUP_FRAME));
}

/* Captured before and after a router: each packet twice, the second with
 * the TTL one lower and the same IP ID.  Neither copy is a retransmission;
 * IPv6 (no IP ID): the hop limit one lower, the same TSval, at once. */
static void test_router_copies(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    seg(f, C, ACK, 1001, 5001, 100);
    seg(f, S, ACK, 5001, 1101, 0);
    f->ttl_less[C] = 1;
    uint32_t x = seg_full(f, MS / 10, C, ACK, 1001, 5001, 100, 1001 % 1024, true);
    assert_int_equal(x, TFA_SEQ_DUP_FRAME);
    assert_int_equal(f->ev.copy_kind, TFA_SEQ_COPY_ROUTER);
    /* two hops apart is not the same capture point pair */
    f->ttl_less[C] = 2;
    x = seg_full(f, MS / 10, C, ACK, 1001, 5001, 100, 1001 % 1024, true);
    assert_false(HAS(x, TFA_SEQ_DUP_FRAME));

    TfaAddr a = tfa_test_ip4(10, 0, 0, 1), b = tfa_test_ip4(10, 0, 0, 2);
    a.family = b.family = 6;
    for (int i = 0; i < 2; i++) {
        f->frame++;
        f->now += MS / 10;
        TfaSegment s = tfa_test_seg(a, 40000, b, 80, ACK, 1101, 5001, 10, f->frame, f->now);
        s.ip_version = 6;
        s.ip_id = 0;
        s.ttl = (uint8_t)(64 - i);
        s.payload = f->payload;
        s.opt.has_ts = true;
        s.opt.tsval = 99;
        f->c->side[C].last_frame = f->frame;
        tfa_seqtrack_segment(f->c, &f->opts, &f->budget, &f->stats, &s, C, &f->ev);
        if (i == 1) {
            assert_int_equal(f->ev.facts, TFA_SEQ_DUP_FRAME);
            assert_int_equal(f->ev.copy_kind, TFA_SEQ_COPY_ROUTER);
        }
    }
}

/* The same datagram (IP ID, sequence, ACK) recorded twice with other bytes
 * or another length: one copy is damaged or edited; that proves neither a
 * retransmission nor that the data changed. */
static void test_altered_copy(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    seg(f, C, ACK, 1001, 5001, 100);
    uint32_t x = seg_full(f, 0, C, ACK, 1001, 5001, 120, 7, true);
    assert_int_equal(x, TFA_SEQ_DUP_FRAME);
    assert_int_equal(f->ev.copy_kind, TFA_SEQ_COPY_ALTERED);
}

/* IP IDs prove nothing where they are 0, or where the side gives one ID
 * to different segments (a constant ID): a resend is a retransmission. */
static void test_ip_id_no_proof(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    f->ip_id[C] = 0xffff; /* the next is 0 */
    seg(f, C, ACK, 1001, 5001, 100);
    uint32_t x = seg_full(f, 300 * MS, C, ACK, 1001, 5001, 100, 1001 % 1024, true);
    assert_true(HAS(x, TFA_SEQ_RETRANS));
    assert_false(HAS(x, TFA_SEQ_DUP_FRAME));
    /* constant ID 7 on two different segments, then a resend with it */
    f->ip_id[C] = 7;
    seg_full(f, MS, C, ACK, 1101, 5001, 100, 1101 % 1024, true);
    seg_full(f, MS, C, ACK, 1201, 5001, 100, 1201 % 1024, true);
    x = seg_full(f, 300 * MS, C, ACK, 1101, 5001, 100, 1101 % 1024, true);
    assert_true(HAS(x, TFA_SEQ_RETRANS));
    assert_false(HAS(x, TFA_SEQ_DUP_FRAME));
}

/* A segment that resends the last kept byte and carries new ones: its new
 * tail is kept, so a later retransmission of those bytes with other bytes
 * is seen to differ. */
static void test_keep_partly_new_tail(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    seg(f, C, ACK, 1001, 5001, 100);
    seg(f, C, ACK, 1100, 5001, 100); /* 1100 again, 1101..1199 new */
    assert_int_equal(f->c->half[C].keep_len, 199);
    uint32_t x = seg_full(f, 300 * MS, C, ACK, 1150, 5001, 50, 3, false);
    assert_true(HAS(x, TFA_SEQ_RETRANS));
    assert_true(HAS(x, TFA_SEQ_DATA_DIFFERS));
    assert_int_equal(f->ev.differ_at, 1150);
}

/* Bytes sent again at once, with nothing from the peer in between: no
 * timer or duplicate ACK could have asked for them (a crafted trace). */
static void test_untriggered_resend(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    seg(f, C, ACK, 1001, 5001, 100);
    uint32_t x = seg_full(f, 0, C, ACK, 1051, 5001, 100, 9, false);
    assert_true(HAS(x, TFA_SEQ_RETRANS));
    assert_true(HAS(x, TFA_SEQ_UNTRIGGERED));
    /* after a timeout it is a retransmission like any other */
    x = seg_full(f, 300 * MS, C, ACK, 1001, 5001, 100, 1001 % 1024, false);
    assert_true(HAS(x, TFA_SEQ_RETRANS));
    assert_false(HAS(x, TFA_SEQ_UNTRIGGERED));
}

/* A keep-alive at SND.UNA - 1 while only the FIN is unacknowledged
 * (Windows in FIN_WAIT_1): a probe, not a spurious retransmission. */
static void test_keepalive_fin_outstanding(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    seg(f, C, ACK, 1001, 5001, 100);
    seg(f, S, ACK, 5001, 1101, 0);
    seg(f, C, FIN | ACK, 1101, 5001, 0);
    f->c->hist.fin_sent[C] = true;
    uint32_t x = seg_full(f, 1000 * MS, C, ACK, 1100, 5001, 1, 1100 % 1024, false);
    assert_true(HAS(x, TFA_SEQ_KEEPALIVE));
    assert_false(HAS(x, TFA_SEQ_SPURIOUS));
}

/* SACK loss recovery (RFC 6675): after three duplicate ACKs, a resend of
 * a later hole than the one at the ACK is fast too, not a timeout. */
static void test_sack_recovery_is_fast(void **state)
{
    Fx *f = *state;
    f->window[S] = 65535;
    handshake_at(f, 1000, 5000);
    for (uint32_t i = 0; i < 6; i++)
        seg(f, C, ACK, 1001 + i * 100, 5001, 100);
    for (int i = 0; i < 4; i++)
        seg(f, S, ACK, 5001, 1001, 0);
    uint32_t x = seg(f, C, ACK, 1001, 5001, 100);
    assert_true(HAS(x, TFA_SEQ_FAST_RETRANS));
    x = seg(f, C, ACK, 1301, 5001, 100);
    assert_true(HAS(x, TFA_SEQ_FAST_RETRANS));
    assert_false(HAS(x, TFA_SEQ_RETRANS));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_in_order), T(test_wraparound), T(test_reorder_is_not_loss),
        T(test_gap_then_fast_retransmit), T(test_gap_acked), T(test_ack_beyond),
        T(test_retransmissions), T(test_data_differs), T(test_budget), T(test_duplicate_frame),
        T(test_synack_repeat_not_duplicate), T(test_dup_acks), T(test_window_scaling),
        T(test_window_scaling_one_sided), T(test_zero_window_and_keepalive), T(test_keep_grows),
        T(test_timestamps_reordered), T(test_last_byte_retransmitted),
        T(test_dup_acks_not_duplicate_frames),
        T(test_keep_growth_budget),
        T(test_window_shrunk), T(test_window_shrunk_harmless), T(test_window_shrunk_rounding),
        T(test_window_scale_unknown), T(test_window_scale_unknown_no_synack),
        T(test_window_scale_off_one_syn), T(test_timestamps),
        T(test_timestamps_copies_and_damage), T(test_stale_incarnation),
        T(test_super_segment), T(test_duplicate_frame_interleaved), T(test_router_copies),
        T(test_altered_copy), T(test_ip_id_no_proof), T(test_keep_partly_new_tail),
        T(test_untriggered_resend), T(test_keepalive_fin_outstanding),
        T(test_sack_recovery_is_fast), T(test_fill_sent_after_is_retransmission),
        T(test_fill_sent_after_beyond_ring),
        T(test_copy_without_id_or_ts), T(test_gaps_acked_together), T(test_gaps_forgotten_at_cap),
        T(test_ack_far_beyond_is_capture_loss), T(test_ack_beyond_sent),
        T(test_keepalive_mid_stream), T(test_keepalive_mid_stream_after_ack),
        T(test_one_byte_missed_not_probe), T(test_one_direction_sack_loss),
        T(test_one_direction_dupack_loss), T(test_end_undecided), T(test_end_one_direction),
    };
#undef T
    return cmocka_run_group_tests_name("seqtrack/seqtrack", tests, NULL, NULL);
}
