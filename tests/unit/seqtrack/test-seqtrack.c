/* test-seqtrack.c - what every segment is in its stream: wrap-safe, with
 * window scaling, SACK, probes, capture duplicates, and the places where
 * Wireshark is known to be wrong (ORACLES.md 8.1). */
#include "tfa-test.h"

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
    uint16_t window[2];
    bool ws;                 /* window scale option on the SYNs */
    uint8_t shift;
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
    s.checksum = (uint16_t)(seq ^ ack ^ len ^ flags);
    s.window = f->window[side];
    assert_true(poff + len <= sizeof(f->payload)); /* the payload is all there */
    s.payload = len > 0 ? f->payload + poff : NULL;
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
    assert_int_equal(f->c->half[C].hole_start, 100);
    assert_int_equal(f->c->half[C].hole_end, 200);
}

/* Reordering: a gap filled within the handshake RTT is out of order, and
 * no segment was lost. */
static void test_reorder_is_not_loss(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    uint32_t x = seg(f, C, ACK, 1101, 5001, 100); /* 1001:1101 held back */
    assert_false(HAS(x, TFA_SEQ_LOST));
    x = seg_full(f, MS / 10, C, ACK, 1001, 5001, 100, 0, false);
    assert_true(HAS(x, TFA_SEQ_OOO));
    assert_false(HAS(x, TFA_SEQ_LOST));
    assert_false(f->c->half[C].hole);
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

/* The peer acknowledges bytes in the gap: lost before the capture point,
 * delivered anyway; ACK_UNSEEN reported once for them. */
static void test_gap_acked(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    seg(f, C, ACK, 1101, 5001, 100);
    uint32_t x = seg(f, S, ACK, 5001, 1201, 0);
    assert_true(HAS(x, TFA_SEQ_ACK_UNSEEN));
    assert_true(HAS(x, TFA_SEQ_LOST));
    assert_int_equal(f->ev.unseen, 100);
    x = seg(f, S, ACK, 5001, 1201, 0);
    assert_false(HAS(x, TFA_SEQ_ACK_UNSEEN));
}

/* An ACK beyond everything captured, and far beyond: unseen, invalid. */
static void test_ack_beyond(void **state)
{
    Fx *f = *state;
    handshake_at(f, 1000, 5000);
    seg(f, C, ACK, 1001, 5001, 100);
    uint32_t x = seg(f, S, ACK, 5001, 1301, 0);
    assert_true(HAS(x, TFA_SEQ_ACK_UNSEEN));
    assert_int_equal(f->ev.unseen, 200);
    assert_false(HAS(seg(f, S, ACK, 5001, 1301, 0), TFA_SEQ_ACK_UNSEEN)); /* once */
    x = seg(f, S, ACK, 5001, 1001 + 50000000u, 0);
    assert_true(HAS(x, TFA_SEQ_ACK_INVALID));
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
        T(test_super_segment),
    };
#undef T
    return cmocka_run_group_tests_name("seqtrack/seqtrack", tests, NULL, NULL);
}
