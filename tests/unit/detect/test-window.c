/* test-window.c - the window findings the sequence detector raises from
 * seqtrack's facts: a zero window is a finding when the capture shows the
 * sender waiting for it, and possible otherwise. */
#include "detect-test.h"

/* One segment from @side advertising @window, @gap after the previous. */
static void txw(Fx *f, TfaDuration gap, uint8_t side, uint16_t flags, uint32_t seq, uint32_t ack,
                uint32_t len, uint16_t window)
{
    f->set_window = true;
    f->window = window;
    tx_at(f, gap, side, flags, seq, ack, len, NULL);
    f->set_window = false;
}

/* The WINDOW_ZERO finding (there must be exactly one). */
static const TfaAnomaly *zero_finding(Fx *f)
{
    const TfaAnomaly *found = NULL;
    for (guint i = 0; f->c->anomalies != NULL && i < f->c->anomalies->len; i++) {
        const TfaAnomaly *a = &g_array_index(f->c->anomalies, TfaAnomaly, i);
        if (a->code == TFA_ANOMALY_WINDOW_ZERO) {
            assert_null(found);
            found = a;
        }
    }
    assert_non_null(found);
    return found;
}

/* SYN, SYN-ACK, ACK, then 1000 bytes from the client, acknowledged by the
 * server with a zero window (frame 5). */
static void open_and_fill(Fx *f)
{
    txw(f, MS, C, SYN, ISS_C, 0, 0, 1000);
    txw(f, MS, S, SYN | ACK, ISS_S, ISS_C + 1, 0, 1000);
    txw(f, MS, C, ACK, ISS_C + 1, ISS_S + 1, 0, 1000);
    txw(f, MS, C, ACK, ISS_C + 1, ISS_S + 1, 1000, 1000);
    txw(f, MS, S, ACK, ISS_S + 1, ISS_C + 1001, 0, 0);
}

/* Shut and reopened within microseconds: no sender was held up. */
static void test_zero_window_no_time(void **state)
{
    Fx *f = *state;
    open_and_fill(f);
    txw(f, MS / 20, S, ACK, ISS_S + 1, ISS_C + 1001, 0, 1000);
    txw(f, MS, C, ACK, ISS_C + 1001, ISS_S + 1, 500, 1000);
    finish(f, TFA_END_IDLE_TIMEOUT, MS);
    const TfaAnomaly *a = zero_finding(f);
    assert_int_equal(a->frame_no, 5);
    assert_true(a->possible);
    assert_int_equal(a->severity, TFA_SEV_INFO);
    assert_int_equal(tfa_conn_code_severity(f->c, TFA_ANOMALY_WINDOW_ZERO), TFA_SEV_INFO);
}

/* Shut for 300 ms with a probe into it: the sender waited. */
static void test_zero_window_probed(void **state)
{
    Fx *f = *state;
    open_and_fill(f);
    txw(f, 200 * MS, C, ACK, ISS_C + 1000, ISS_S + 1, 0, 1000); /* probe: snd.una - 1 */
    assert_true(f->sq.facts & TFA_SEQ_ZW_PROBE);
    txw(f, MS, S, ACK, ISS_S + 1, ISS_C + 1001, 0, 0);
    txw(f, 100 * MS, S, ACK, ISS_S + 1, ISS_C + 1001, 0, 1000);
    finish(f, TFA_END_IDLE_TIMEOUT, MS);
    const TfaAnomaly *a = zero_finding(f);
    assert_int_equal(a->frame_no, 5);
    assert_false(a->possible);
    assert_int_equal(a->severity, TFA_SEV_WARNING);
    assert_int_equal(a->arg[0], 301 * MS);
    assert_int_equal(a->arg[1], 0);
}

/* Shut for 50 ms, no probe, reopened while the sender had been sending:
 * a pause of the sender. */
static void test_zero_window_pause(void **state)
{
    Fx *f = *state;
    open_and_fill(f);
    txw(f, 50 * MS, S, ACK, ISS_S + 1, ISS_C + 1001, 0, 1000);
    txw(f, MS, C, ACK, ISS_C + 1001, ISS_S + 1, 500, 1000);
    finish(f, TFA_END_IDLE_TIMEOUT, MS);
    const TfaAnomaly *a = zero_finding(f);
    assert_false(a->possible);
    assert_int_equal(a->severity, TFA_SEV_WARNING);
    assert_int_equal(a->arg[0], 50 * MS);
}

/* A zero window in the closing segments: the sender had already sent its
 * FIN, or the window was still shut when the connection ended, without a
 * probe.  Nobody waited for it. */
static void test_zero_window_closing(void **state)
{
    Fx *f = *state;
    open_and_fill(f);
    txw(f, MS, C, ACK | FIN, ISS_C + 1001, ISS_S + 1, 0, 1000);
    txw(f, MS, S, ACK, ISS_S + 1, ISS_C + 1002, 0, 0);     /* still shut */
    txw(f, MS, S, RST | ACK, ISS_S + 1, ISS_C + 1002, 0, 0);
    finish(f, TFA_END_CLOSED, 10 * MS);
    const TfaAnomaly *a = zero_finding(f);
    assert_int_equal(a->frame_no, 5);
    assert_true(a->possible);
    assert_int_equal(a->severity, TFA_SEV_INFO);
    assert_int_equal(a->arg[1], 1);
}

static void test_zero_window_after_peer_fin(void **state)
{
    Fx *f = *state;
    txw(f, MS, C, SYN, ISS_C, 0, 0, 1000);
    txw(f, MS, S, SYN | ACK, ISS_S, ISS_C + 1, 0, 1000);
    txw(f, MS, C, ACK, ISS_C + 1, ISS_S + 1, 0, 1000);
    txw(f, MS, C, ACK | FIN, ISS_C + 1, ISS_S + 1, 1000, 1000);
    txw(f, MS, S, ACK, ISS_S + 1, ISS_C + 1002, 0, 0);
    txw(f, 50 * MS, S, ACK, ISS_S + 1, ISS_C + 1002, 0, 1000);
    finish(f, TFA_END_IDLE_TIMEOUT, MS);
    const TfaAnomaly *a = zero_finding(f);
    assert_true(a->possible);
    assert_int_equal(a->severity, TFA_SEV_INFO);
}

/* An RST's window is no advertisement: no episode at all. */
static void test_zero_window_rst(void **state)
{
    Fx *f = *state;
    txw(f, MS, C, SYN, ISS_C, 0, 0, 1000);
    txw(f, MS, S, SYN | ACK, ISS_S, ISS_C + 1, 0, 1000);
    txw(f, MS, C, ACK, ISS_C + 1, ISS_S + 1, 0, 1000);
    txw(f, MS, C, ACK, ISS_C + 1, ISS_S + 1, 1000, 1000);
    txw(f, MS, S, RST | ACK, ISS_S + 1, ISS_C + 1001, 0, 0);
    finish(f, TFA_END_RESET, MS);
    assert_int_equal(count_of(f, TFA_ANOMALY_WINDOW_ZERO), 0);
}

/* A delayed duplicate of an earlier incarnation's request, ~700 000 below
 * this incarnation's ISN and acknowledging nothing of it (its ACK is below
 * the server's ISN): a stale segment, not a spurious retransmission, and
 * its old ACK and window shrink nothing; the server's ACK of it is no
 * duplicate ACK saying data is missing.  The same at 2^31 away. */
static void check_stale(Fx *f, uint32_t back)
{
    handshake(f);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 100);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 101, 0);
    tx(f, C, ACK, ISS_C + 1 - back, ISS_S + 1 - back, 100);     /* 6: stale */
    tx(f, S, ACK, ISS_S + 1, ISS_C + 101, 0);                   /* 7: its ACK */
    tx(f, S, ACK, ISS_S + 1, ISS_C + 101, 200);
    tx(f, C, ACK, ISS_C + 101, ISS_S + 201, 0);
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_SEQ_STALE_INCARNATION), 1);
    assert_int_equal(anomaly_of(f, TFA_ANOMALY_SEQ_STALE_INCARNATION)->frame_no, 6);
    assert_int_equal(count_of(f, TFA_ANOMALY_SEQ_SPURIOUS_RETRANSMISSION), 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_SEQ_RETRANSMISSION), 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_SEQ_ACK_INVALID), 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_WINDOW_SHRUNK), 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_SEQ_DUP_ACK), 0);
}

static void test_stale_incarnation_near(void **state)
{
    check_stale(*state, 700000u);
}

static void test_stale_incarnation_far(void **state)
{
    check_stale(*state, 1u << 31);
}

/* A duplicate ACK after the peer's RST whose SACK block lies above the
 * ACK shows a hole: it is a duplicate ACK finding (data is missing), not a
 * challenge ACK. */
static void test_dup_ack_with_hole_after_rst(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 1, 0);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 24);                  /* lost after the capture */
    tx(f, C, FIN | ACK, ISS_C + 25, ISS_S + 1, 0);
    tx(f, C, RST | ACK, ISS_C + 26, ISS_S + 1, 0);
    f->frame++;
    f->now += MS;
    TfaAddr a = tfa_test_ip4(10, 0, 0, 2), b = tfa_test_ip4(10, 0, 0, 1);
    TfaSegment seg = tfa_test_seg(a, 80, b, 40000, ACK, ISS_S + 1, ISS_C + 1, 0, f->frame, f->now);
    seg.opt.n_sack = 1;
    seg.opt.sack[0] = (TfaSackBlock){.left = ISS_C + 25, .right = ISS_C + 26};
    f->c->side[S].packets++;
    tfa_seqtrack_segment(f->c, &f->opts, &f->budget, &f->stats, &seg, S, &f->sq);
    tfa_tcpsm_segment(f->c, &f->opts, &seg, S, &f->ev);
    tfa_detect_segment(f->c, &f->opts, &seg, S, &f->ev, &f->sq, false);
    assert_true(f->sq.facts & TFA_SEQ_DUP_ACK);
    assert_int_equal(count_of(f, TFA_ANOMALY_SEQ_DUP_ACK), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_zero_window_no_time), FX_TEST(test_zero_window_probed),
        FX_TEST(test_zero_window_pause), FX_TEST(test_zero_window_closing),
        FX_TEST(test_zero_window_after_peer_fin), FX_TEST(test_zero_window_rst),
        FX_TEST(test_stale_incarnation_near), FX_TEST(test_stale_incarnation_far),
        FX_TEST(test_dup_ack_with_hole_after_rst),
    };
    return cmocka_run_group_tests_name("detect/window", tests, NULL, NULL);
}
