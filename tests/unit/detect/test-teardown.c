/* test-teardown.c - close kinds and initiators, and every TEARDOWN_* code. */
#include "detect-test.h"

#define SEC TFA_NSEC_PER_SEC

static void assert_close(Fx *f, TfaCloseKind kind, TfaInitiator who)
{
    assert_int_equal(f->c->out.close_kind, kind);
    assert_int_equal(f->c->out.close_initiator, who);
}

static void test_graceful_client(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 2, 0);
    tx(f, C, ACK, ISS_C + 2, ISS_S + 2, 0);
    finish(f, TFA_END_CLOSED, 3 * SEC);
    assert_close(f, TFA_CLOSE_GRACEFUL, TFA_INITIATOR_CLIENT);
    assert_int_equal(f->c->out.close_frame, 4);
    assert_null(f->c->anomalies);
    assert_int_equal(f->c->out.verdict, TFA_VERDICT_OK);
}

static void test_graceful_server(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 1, 0);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 2, 0);
    tx(f, S, ACK, ISS_S + 2, ISS_C + 2, 0);
    finish(f, TFA_END_CLOSED, 0);
    assert_close(f, TFA_CLOSE_GRACEFUL, TFA_INITIATOR_SERVER);
}

/* The peer keeps the connection open: half-closed at the end, and after
 * --stuck-after of silence, stuck in CLOSE_WAIT (and FIN_WAIT_2). */
static void test_half_closed_and_stuck(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 2, 0);
    finish(f, TFA_END_CAPTURE_END, 10 * SEC);
    assert_close(f, TFA_CLOSE_HALF_CLOSED, TFA_INITIATOR_CLIENT);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_HALF_CLOSED_AT_END), 1);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_CLOSE_WAIT_STUCK), 1);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_FIN_WAIT_2_STUCK), 1);
    assert_int_equal(tfa_conn_get_count(f->c,
                                        TFA_COUNT_ANOMALY(TFA_ANOMALY_TEARDOWN_CLOSE_WAIT_STUCK),
                                        S),
                     1);
}

/* The same, reported before the threshold: not stuck. */
static void test_not_stuck_yet(void **state)
{
    Fx *f = *state;
    f->opts.stuck_after = 60 * SEC;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 2, 0);
    finish(f, TFA_END_CAPTURE_END, 10 * SEC);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_CLOSE_WAIT_STUCK), 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_FIN_WAIT_2_STUCK), 0);
}

/* The FIN lost for good: sent again and again, the server writes on with
 * its old ACK.  Half-closed at the end, the server still ESTABLISHED (not
 * CLOSE_WAIT, never stuck there). */
static void test_fin_lost_for_good(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);
    tx_at(f, 200 * MS, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0, NULL);
    tx_at(f, 200 * MS, S, ACK, ISS_S + 1, ISS_C + 1, 100, NULL);
    tx(f, C, ACK, ISS_C + 2, ISS_S + 101, 0);
    tx_at(f, 400 * MS, C, FIN | ACK, ISS_C + 1, ISS_S + 101, 0, NULL);
    finish(f, TFA_END_CAPTURE_END, 10 * SEC);
    assert_close(f, TFA_CLOSE_HALF_CLOSED, TFA_INITIATOR_CLIENT);
    assert_int_equal(f->c->ep[S].state, TFA_TCP_ESTABLISHED);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_CLOSE_WAIT_STUCK), 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_HALF_CLOSED_AT_END), 1);
    assert_false(f->c->hist.acked_fin[S]);
}

static void test_simultaneous(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 1, 0);
    tx(f, C, ACK, ISS_C + 2, ISS_S + 2, 0);
    tx(f, S, ACK, ISS_S + 2, ISS_C + 2, 0);
    finish(f, TFA_END_CLOSED, 0);
    assert_close(f, TFA_CLOSE_SIMULTANEOUS, TFA_INITIATOR_BOTH);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_SIMULTANEOUS_CLOSE), 2);
}

static void test_reset_and_reset_after_fin(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 1, 0);      /* 4 */
    tx(f, C, ACK, ISS_C + 1, ISS_S + 2, 0);            /* 5 */
    tx(f, C, ACK, ISS_C + 1, ISS_S + 2, 10);           /* 6: writes to the closed server */
    tx(f, S, RST, ISS_S + 2, 0, 0);                    /* 7 */
    finish(f, TFA_END_RESET, 0);
    assert_close(f, TFA_CLOSE_RESET_AFTER_FIN, TFA_INITIATOR_SERVER);
    assert_int_equal(f->c->out.close_frame, 4);
    assert_int_equal(f->c->out.verdict, TFA_VERDICT_DEGRADED);
}

static void test_open_idle_evicted(void **state)
{
    Fx *f = *state;
    handshake(f);
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_close(f, TFA_CLOSE_OPEN_AT_END, TFA_INITIATOR_NONE);
    fx_reset(f); /* the same connection, ended otherwise */
    handshake(f);
    finish(f, TFA_END_IDLE_TIMEOUT, 0);
    assert_close(f, TFA_CLOSE_IDLE_TIMEOUT, TFA_INITIATOR_NONE);
    fx_reset(f);
    handshake(f);
    finish(f, TFA_END_EVICTED, 0);
    assert_int_equal(f->c->out.close_kind, TFA_CLOSE_EVICTED);
}

/* Closed, then evicted at the cap while it lingered (closed ones go first):
 * the close kind stays the close that happened. */
static void test_closed_then_evicted(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 2, 0);
    tx(f, C, ACK, ISS_C + 2, ISS_S + 2, 0);
    assert_true(tfa_tcpsm_finished(f->c));
    f->c->life.closed = true; /* what conntrack records from tfa_tcpsm_finished() */
    finish(f, TFA_END_EVICTED, 0);
    assert_close(f, TFA_CLOSE_GRACEFUL, TFA_INITIATOR_CLIENT);
    assert_int_equal(f->c->out.close_frame, 4);
}

/* The FIN lost once, and the last ACK lost. */
static void test_fin_and_last_ack_lost(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);      /* 4: lost */
    tx_at(f, 200 * MS, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0, NULL); /* 5 */
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 2, 0);      /* 6 */
    tx(f, C, ACK, ISS_C + 2, ISS_S + 2, 0);            /* 7: lost */
    tx_at(f, 200 * MS, S, FIN | ACK, ISS_S + 1, ISS_C + 2, 0, NULL); /* 8 */
    tx(f, C, ACK, ISS_C + 2, ISS_S + 2, 0);            /* 9 */
    finish(f, TFA_END_CLOSED, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_FIN_RETRANSMITTED), 2);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_LAST_ACK_LOST), 1);
    assert_int_equal(tfa_conn_get_count(f->c,
                                        TFA_COUNT_ANOMALY(TFA_ANOMALY_TEARDOWN_LAST_ACK_LOST), S),
                     1);
    assert_close(f, TFA_CLOSE_GRACEFUL, TFA_INITIATOR_CLIENT);
}

static void test_data_after_fin_and_seq_changed(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 50);           /* data beyond its FIN */
    tx(f, C, FIN | ACK, ISS_C + 51, ISS_S + 1, 0);     /* a second FIN further on */
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_DATA_AFTER_FIN), 1);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_FIN_SEQ_CHANGED), 1);
    assert_int_equal(f->c->out.verdict, TFA_VERDICT_FAILED);
}

/* A retransmission of data sent before the FIN is not data after it. */
static void test_retransmission_before_fin(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 50);
    tx(f, C, FIN | ACK, ISS_C + 51, ISS_S + 1, 0);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 50);
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_DATA_AFTER_FIN), 0);
}

static void test_fin_without_ack_and_spontaneous(void **state)
{
    Fx *f = *state;
    tx(f, C, FIN, ISS_C + 1, 0, 0); /* first and only segment, no ACK */
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_SPONTANEOUS_FIN), 1);
    assert_false(anomaly_of(f, TFA_ANOMALY_TEARDOWN_SPONTANEOUS_FIN)->possible); /* a probe */
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_FIN_WITHOUT_ACK), 1);
}

/* A FIN without ACK in SYN_SENT (seen from some stacks) is not flagged. */
static void test_fin_in_syn_sent(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, C, FIN, ISS_C, 0, 0);
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_FIN_WITHOUT_ACK), 0);
}

/* The FIN 1 ms before the capture ended: the close was cut by the end of
 * the capture, the peer is not stuck. */
static void test_half_closed_at_capture_end(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 2, 0);
    finish(f, TFA_END_CAPTURE_END, MS);
    assert_close(f, TFA_CLOSE_HALF_CLOSED, TFA_INITIATOR_CLIENT);
    const TfaAnomaly *a = anomaly_of(f, TFA_ANOMALY_TEARDOWN_HALF_CLOSED_AT_END);
    assert_true(a->possible);
    assert_int_equal(a->severity, TFA_SEV_INFO);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_CLOSE_WAIT_STUCK), 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_FIN_WAIT_2_STUCK), 0);
}

/* A capture of one direction only (the server's): a FIN with data is the
 * first segment, the client is never seen.  An ordinary close of a
 * connection older than the capture; nothing can be said of the client. */
static void test_fin_in_one_direction_capture(void **state)
{
    Fx *f = *state;
    f->c->originator = TFA_ORIGINATOR_PORT;
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 1, 360);
    finish(f, TFA_END_CAPTURE_END, 300 * SEC);
    const TfaAnomaly *a = anomaly_of(f, TFA_ANOMALY_TEARDOWN_SPONTANEOUS_FIN);
    assert_true(a->possible);
    assert_int_equal(a->severity, TFA_SEV_INFO);
    a = anomaly_of(f, TFA_ANOMALY_TEARDOWN_HALF_CLOSED_AT_END);
    assert_true(a->possible);
    assert_int_equal(a->arg[1], 0); /* the peer was never seen */
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_CLOSE_WAIT_STUCK), 0);
    assert_int_equal(f->c->out.verdict, TFA_VERDICT_OK);
}

/* The server's FIN never acknowledged in the capture, the client's last
 * segment before it: its CLOSE_WAIT is only inferred, not stuck. */
static void test_close_wait_not_acknowledged(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 31);
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 32, 31);
    finish(f, TFA_END_CAPTURE_END, 100 * SEC);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_CLOSE_WAIT_STUCK), 0);
    assert_true(anomaly_of(f, TFA_ANOMALY_TEARDOWN_HALF_CLOSED_AT_END)->possible);
}

/* The client acknowledged the FIN, and the server acknowledged a FIN of the
 * client's the capture lost: the client did close. */
static void test_close_wait_fin_not_captured(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 1, 0);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 2, 0);
    /* the client's FIN (ISS_C + 1) is not captured; the server's ACK is */
    tx(f, S, ACK, ISS_S + 2, ISS_C + 2, 0);
    finish(f, TFA_END_CAPTURE_END, 100 * SEC);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_CLOSE_WAIT_STUCK), 0);
}

/* The server closed; the client acknowledged and sent its FIN again and
 * again, never acknowledged: the server stays in FIN_WAIT_2 because the
 * client's FIN did not reach it, not because the client did not close. */
static void test_fin_wait_2_peer_fin_lost(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 1, 0);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 2, 0);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 2, 0);
    tx_at(f, 300 * MS, C, FIN | ACK, ISS_C + 1, ISS_S + 2, 0, NULL);
    tx_at(f, 600 * MS, C, FIN | ACK, ISS_C + 1, ISS_S + 2, 0, NULL);
    finish(f, TFA_END_CAPTURE_END, 10 * SEC);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_FIN_WAIT_2_STUCK), 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_FIN_RETRANSMITTED), 2);
    assert_false(anomaly_of(f, TFA_ANOMALY_TEARDOWN_FIN_RETRANSMITTED)->possible);
}

/* The server's FIN lost before the capture point: its next segment (an ACK
 * of the client's FIN) stands one beyond it, then the FIN comes again,
 * numbered after that ACK (IPv4 IDs ascending).  The first copy was never
 * captured.  A FIN numbered before the ACK came late: nothing. */
static void test_fin_first_copy_unseen(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, S, ACK, ISS_S + 2, ISS_C + 2, 0); /* past its own FIN at ISS_S + 1 */
    tx_at(f, 200 * MS, S, FIN | ACK, ISS_S + 1, ISS_C + 2, 0, NULL);
    tx(f, C, ACK, ISS_C + 2, ISS_S + 2, 0);
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_FIN_RETRANSMITTED), 1);
    const TfaAnomaly *a = anomaly_of(f, TFA_ANOMALY_TEARDOWN_FIN_RETRANSMITTED);
    assert_false(a->possible);
    assert_int_equal(a->arg[0], 0);
    assert_int_equal(a->side, S);
    /* the same FIN numbered before the ACK that stood beyond it */
    fx_reset(f);
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, S, ACK, ISS_S + 2, ISS_C + 2, 0);
    f->next_ip_id = 2;
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 2, 0);
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_FIN_RETRANSMITTED), 0);
    /* an ordinary close: the FIN right where the sender stood */
    fx_reset(f);
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 2, 0);
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 2, 0);
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_FIN_RETRANSMITTED), 0);
}

/* The client closed, the server acknowledged; the server's FIN is not in
 * the capture but the client's ACK covers it: the server did close. */
static void test_half_closed_peer_fin_not_captured(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 2, 0);
    /* the server's FIN (ISS_S + 1) is lost by the capture */
    tx_at(f, 5 * MS, C, ACK, ISS_C + 2, ISS_S + 2, 0, NULL);
    finish(f, TFA_END_CAPTURE_END, 10 * SEC);
    assert_true(anomaly_of(f, TFA_ANOMALY_TEARDOWN_HALF_CLOSED_AT_END)->possible);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_CLOSE_WAIT_STUCK), 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_FIN_WAIT_2_STUCK), 0);
}

/* The same FIN twice 90 us apart, nothing from the peer in between: no
 * timer fires so soon; a copy, not a loss. */
static void test_fin_copy(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 1, 0);
    tx_at(f, 90 * TFA_NSEC_PER_USEC, S, FIN | ACK, ISS_S + 1, ISS_C + 1, 0, NULL);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 2, 0);
    finish(f, TFA_END_CAPTURE_END, 0);
    const TfaAnomaly *a = anomaly_of(f, TFA_ANOMALY_TEARDOWN_FIN_RETRANSMITTED);
    assert_true(a->possible);
    assert_int_equal(a->severity, TFA_SEV_INFO);
}

/* Captured near the client, 300 ms from the server.  The client's last ACK
 * (100 ms after the server's FIN) and the server's repeated FIN, 220 ms
 * after it: the repeat left the server before the ACK could arrive.  They
 * crossed; the ACK was not lost. */
static void test_last_ack_crossed(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);
    tx_at(f, 300 * MS, S, SYN | ACK, ISS_S, ISS_C + 1, 0, NULL);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);                      /* 4 */
    tx_at(f, 300 * MS, S, FIN | ACK, ISS_S + 1, ISS_C + 2, 0, NULL);   /* 5 */
    tx_at(f, 100 * MS, C, ACK, ISS_C + 2, ISS_S + 2, 0, NULL);         /* 6 */
    tx_at(f, 220 * MS, S, FIN | ACK, ISS_S + 1, ISS_C + 2, 0, NULL);   /* 7 */
    tx(f, C, ACK, ISS_C + 2, ISS_S + 2, 0);
    finish(f, TFA_END_CLOSED, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_FIN_RETRANSMITTED), 1);
    assert_int_equal(count_of(f, TFA_ANOMALY_TEARDOWN_LAST_ACK_LOST), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_graceful_client),        FX_TEST(test_graceful_server),
        FX_TEST(test_half_closed_and_stuck),  FX_TEST(test_not_stuck_yet),
        FX_TEST(test_simultaneous), FX_TEST(test_fin_lost_for_good),           FX_TEST(test_reset_and_reset_after_fin),
        FX_TEST(test_open_idle_evicted),      FX_TEST(test_closed_then_evicted),
        FX_TEST(test_fin_and_last_ack_lost),
        FX_TEST(test_data_after_fin_and_seq_changed), FX_TEST(test_retransmission_before_fin),
        FX_TEST(test_fin_without_ack_and_spontaneous), FX_TEST(test_fin_in_syn_sent),
        FX_TEST(test_half_closed_at_capture_end), FX_TEST(test_fin_in_one_direction_capture),
        FX_TEST(test_close_wait_not_acknowledged), FX_TEST(test_close_wait_fin_not_captured),
        FX_TEST(test_fin_wait_2_peer_fin_lost), FX_TEST(test_fin_copy),
        FX_TEST(test_fin_first_copy_unseen),
        FX_TEST(test_last_ack_crossed),     FX_TEST(test_half_closed_peer_fin_not_captured),
    };
    return cmocka_run_group_tests_name("detect/teardown", tests, NULL, NULL);
}
