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

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_zero_window_no_time), FX_TEST(test_zero_window_probed),
        FX_TEST(test_zero_window_pause), FX_TEST(test_zero_window_closing),
        FX_TEST(test_zero_window_after_peer_fin), FX_TEST(test_zero_window_rst),
    };
    return cmocka_run_group_tests_name("detect/window", tests, NULL, NULL);
}
