/* test-keep.c - the retained payload: retransmissions compared with the
 * bytes first captured (the first differing sequence number, exactly as a
 * byte-by-byte comparison finds it, across the ring's end and the 2^32
 * wrap), and the ring given back when all its bytes are acknowledged. */
#include "tfa-test.h"

#include "tcpflow-audit/seqtrack.h"
#include "tcpflow-audit/seqnum.h"
#include "tcpflow-audit/tcpsm.h"

#define C 0
#define S 1
#define MS TFA_NSEC_PER_MSEC

typedef struct Fx {
    TfaOptions opts;
    TfaConn *c;
    TfaBudget budget;
    TfaStats stats;
    TfaFrameNo frame;
    TfaTs now;
    TfaSeqEvent ev;
    uint16_t ip_id[2];
    uint8_t buf[65536];
} Fx;

static int setup(void **state)
{
    Fx *f = g_new0(Fx, 1);
    tfa_options_init(&f->opts);
    f->c = g_new0(TfaConn, 1);
    f->budget.limit = f->opts.max_buffer_bytes;
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

/* The byte the client's stream carries at sequence number @s. */
static uint8_t stream_byte(uint32_t s)
{
    return (uint8_t)((s * 2654435761u) >> 24);
}

/* A segment of @side, 300 ms after the previous one, with a new IP ID;
 * payload: the stream's bytes, or f->buf when @own. */
static uint32_t send(Fx *f, uint8_t side, uint16_t flags, uint32_t seq, uint32_t ack,
                     uint32_t len, bool own)
{
    f->frame++;
    f->now += 300 * MS;
    TfaAddr a = tfa_test_ip4(10, 0, 0, (uint8_t)(1 + side));
    TfaAddr b = tfa_test_ip4(10, 0, 0, (uint8_t)(2 - side));
    TfaSegment s = tfa_test_seg(a, side == C ? 40000 : 80, b, side == C ? 80 : 40000, flags, seq,
                                ack, len, f->frame, f->now);
    s.ip_id = ++f->ip_id[side];
    s.window = 65535;
    if (!own)
        for (uint32_t i = 0; i < len; i++)
            f->buf[i] = stream_byte(seq + i);
    s.payload = len > 0 ? f->buf : NULL;
    bool created = f->c->side[0].packets + f->c->side[1].packets == 0;
    TfaSideStats *st = &f->c->side[side];
    st->packets++;
    st->last_frame = f->frame;
    st->last_ts = f->now;
    if (created)
        tfa_tcpsm_init(f->c, &f->opts, &s, side);
    tfa_seqtrack_segment(f->c, &f->opts, &f->budget, &f->stats, &s, side, &f->ev);
    TfaSmEvent sm;
    tfa_tcpsm_segment(f->c, &f->opts, &s, side, &sm);
    return f->ev.facts;
}

static void handshake(Fx *f, uint32_t iss_c, uint32_t iss_s)
{
    send(f, C, TFA_TH_SYN, iss_c, 0, 0, false);
    send(f, S, TFA_TH_SYN | TFA_TH_ACK, iss_s, iss_c + 1, 0, false);
    send(f, C, TFA_TH_ACK, iss_c + 1, iss_s + 1, 0, false);
}

/* What a byte-by-byte comparison of @buf at @seq with the kept bytes
 * finds: the first differing sequence number. */
static bool bytewise_differs(const TfaHalf *h, const uint8_t *buf, uint32_t seq, uint32_t len,
                             uint32_t *at)
{
    if (h->keep == NULL || h->keep_len == 0)
        return false;
    for (uint32_t i = 0; i < len; i++) {
        uint32_t s = seq + i;
        if (tfa_seq_in_window(s, h->keep_base, h->keep_len) &&
            h->keep[s & (h->keep_cap - 1)] != buf[i]) {
            *at = s;
            return true;
        }
    }
    return false;
}

/* Random traffic of one client stream across the 2^32 wrap: new data,
 * acknowledgements, and resends of any part of what was sent, partly new,
 * some with bytes changed; every resend finds what a byte-by-byte
 * comparison finds. */
static void run(Fx *f, guint32 seed, uint32_t iss)
{
    GRand *rnd = g_rand_new_with_seed(seed);
    handshake(f, iss, 5000);
    uint32_t next = iss + 1, acked = iss + 1;
    unsigned compared = 0, differed = 0;
    for (int step = 0; step < 4000; step++) {
        guint32 r = g_rand_int_range(rnd, 0, 100);
        if (r < 55 || next == acked) {
            uint32_t len = g_rand_int_range(rnd, 1, 1500);
            send(f, C, TFA_TH_ACK, next, 5001, len, false);
            next += len;
        } else if (r < 75) {
            /* an ACK of part of what is outstanding, or all of it */
            uint32_t out = next - acked;
            acked += g_rand_int_range(rnd, 0, 3) == 0 ? out : (uint32_t)g_rand_int_range(rnd, 0, (gint32)out + 1);
            send(f, S, TFA_TH_ACK, 5001, acked, 0, false);
        } else {
            /* a resend of 2 to 3000 bytes from up to 20000 bytes back,
             * possibly beyond next, possibly changed at one place */
            uint32_t back = g_rand_int_range(rnd, 1, 20000);
            uint32_t seq = next - MIN(back, next - iss - 1);
            if (seq == next)
                continue;
            uint32_t len = g_rand_int_range(rnd, 2, 3000);
            for (uint32_t i = 0; i < len; i++)
                f->buf[i] = stream_byte(seq + i);
            if (g_rand_int_range(rnd, 0, 2) == 0)
                f->buf[g_rand_int_range(rnd, 0, len)] ^= (uint8_t)g_rand_int_range(rnd, 1, 256);
            uint32_t want_at = 0;
            bool want = bytewise_differs(&f->c->half[C], f->buf, seq, len, &want_at);
            uint32_t x = send(f, C, TFA_TH_ACK, seq, 5001, len, true);
            assert_true(((x & TFA_SEQ_DATA_DIFFERS) != 0) == want);
            if (want)
                assert_int_equal(f->ev.differ_at, want_at);
            compared++;
            differed += want;
            if (tfa_seq_gt(seq + len, next))
                next = seq + len;
        }
    }
    /* the run did compare, and found differences */
    assert_true(compared > 500);
    assert_true(differed > 50);
    g_rand_free(rnd);
}

static void test_differs_bytewise(void **state)
{
    run(*state, 1, 1000);
}

static void test_differs_bytewise_across_wrap(void **state)
{
    run(*state, 2, 0xfffe0000u);
}

/* All the kept bytes acknowledged: the ring goes back to the budget; the
 * next data gets one of the size it had grown to; bytes acknowledged are
 * no longer compared (as before: only unacknowledged bytes are kept). */
static void test_ring_released_when_acked(void **state)
{
    Fx *f = *state;
    handshake(f, 1000, 5000);
    send(f, C, TFA_TH_ACK, 1001, 5001, 3000, false);
    TfaHalf *h = &f->c->half[C];
    assert_non_null(h->keep);
    assert_int_equal(h->keep_cap, 4096);
    assert_int_equal(f->budget.used, 4096);
    /* part of it acknowledged: kept */
    send(f, S, TFA_TH_ACK, 5001, 2001, 0, false);
    assert_non_null(h->keep);
    assert_int_equal(h->keep_len, 2000);
    f->buf[0] = (uint8_t)~stream_byte(2001);
    for (uint32_t i = 1; i < 100; i++)
        f->buf[i] = stream_byte(2001 + i);
    assert_true(send(f, C, TFA_TH_ACK, 2001, 5001, 100, true) & TFA_SEQ_DATA_DIFFERS);
    assert_int_equal(f->ev.differ_at, 2001);
    /* all of it: given back */
    send(f, S, TFA_TH_ACK, 5001, 4001, 0, false);
    assert_null(h->keep);
    assert_int_equal(f->budget.used, 0);
    /* new data: a ring of the size it had */
    send(f, C, TFA_TH_ACK, 4001, 5001, 100, false);
    assert_non_null(h->keep);
    assert_int_equal(h->keep_cap, 4096);
    assert_int_equal(f->budget.used, 4096);
    for (uint32_t i = 0; i < 100; i++)
        f->buf[i] = i == 50 ? (uint8_t)~stream_byte(4001 + i) : stream_byte(4001 + i);
    assert_true(send(f, C, TFA_TH_ACK, 4001, 5001, 100, true) & TFA_SEQ_DATA_DIFFERS);
    assert_int_equal(f->ev.differ_at, 4051);
    /* acknowledged bytes are no longer compared */
    send(f, S, TFA_TH_ACK, 5001, 4101, 0, false);
    assert_null(h->keep);
    assert_int_equal(f->budget.used, 0);
    assert_false(send(f, C, TFA_TH_ACK, 4001, 5001, 100, true) & TFA_SEQ_DATA_DIFFERS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_differs_bytewise, setup, teardown),
        cmocka_unit_test_setup_teardown(test_differs_bytewise_across_wrap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ring_released_when_acked, setup, teardown),
    };
    return cmocka_run_group_tests_name("seqtrack/keep", tests, NULL, NULL);
}
