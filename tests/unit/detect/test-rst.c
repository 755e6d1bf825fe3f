/* test-rst.c - the cause of every RST, including the ambiguous ones, and
 * RST_WITH_DATA, RST_STORM. */
#include "detect-test.h"

#define SEC TFA_NSEC_PER_SEC

static TfaRstCause cause0(Fx *f)
{
    return (TfaRstCause)rst_n(f, 0)->cause;
}

static void test_refused(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, S, RST | ACK, 0, ISS_C + 1, 0);
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_REFUSED);
    assert_int_equal(count_of(f, TFA_ANOMALY_RST_REFUSED), 1);
}

/* SO_LINGER 0: the client read the answer and aborts. */
static void test_abortive_close(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 100);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 101, 200);
    tx(f, C, ACK, ISS_C + 101, ISS_S + 201, 0);
    tx(f, C, RST | ACK, ISS_C + 101, ISS_S + 201, 0);
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_ABORTIVE_CLOSE);
    assert_int_equal(f->c->det.close_kind, TFA_CLOSE_RESET);
    assert_int_equal(f->c->det.close_initiator, TFA_INITIATOR_CLIENT);
}

/* The server received a request and closed without reading it. */
static void test_close_with_unread_data(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 100);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 101, 0);
    tx_at(f, 50 * MS, S, RST | ACK, ISS_S + 1, ISS_C + 101, 0, NULL);
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_CLOSE_WITH_UNREAD_DATA);
}

/* RST after FIN: the server closed, the client wrote anyway. */
static void test_data_to_closed_socket(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 1, 0);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 2, 0);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 2, 100);
    tx(f, S, RST, ISS_S + 2, 0, 0);
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_DATA_TO_CLOSED_SOCKET);
}

/* The same RST after FIN, but answering a bare ACK: not data to a closed
 * socket; the server had simply closed abortively after its FIN. */
static void test_rst_after_fin_no_data(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 1, 0);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 2, 0);
    tx(f, S, RST | ACK, ISS_S + 2, ISS_C + 1, 0);
    finish(f, TFA_END_RESET, 0);
    assert_int_not_equal(cause0(f), TFA_RST_CAUSE_DATA_TO_CLOSED_SOCKET);
    assert_int_equal(f->c->det.close_kind, TFA_CLOSE_RESET_AFTER_FIN);
}

/* An RST to an endpoint in TIME_WAIT (RFC 1337's assassination). */
static void test_in_time_wait(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 2, 0);
    tx(f, C, ACK, ISS_C + 2, ISS_S + 2, 0);
    tx(f, S, RST, ISS_S + 2, 0, 0);
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_IN_TIME_WAIT);
    assert_int_equal(count_of(f, TFA_ANOMALY_RST_IN_TIME_WAIT), 1);
}

/* Out of window: dropped by the receiver; in the window but not exact:
 * challenged.  Both "out_of_window", and the connection goes on. */
static void test_out_of_window(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 1, 0);
    tx(f, C, RST, ISS_C + 1 + 1000000, 0, 0);
    tx(f, C, RST, ISS_C + 500, 0, 0);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 10);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 11, 0);
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(rst_n(f, 0)->accept, TFA_RST_IGNORED);
    assert_int_equal(rst_n(f, 1)->accept, TFA_RST_CHALLENGED);
    assert_int_equal(rst_n(f, 0)->cause, TFA_RST_CAUSE_OUT_OF_WINDOW);
    assert_int_equal(rst_n(f, 1)->cause, TFA_RST_CAUSE_OUT_OF_WINDOW);
    assert_int_equal(f->c->det.close_kind, TFA_CLOSE_OPEN_AT_END);
    assert_int_equal(f->c->ep[S].state, TFA_TCP_ESTABLISHED);
}

/* An injected RST in the window, then the real client keeps talking and
 * the server, whose connection the RST killed, answers for no connection. */
static void test_injected_then_real_traffic(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 100);          /* 4 */
    tx(f, S, ACK, ISS_S + 1, ISS_C + 101, 0);          /* 5 */
    tx(f, C, RST | ACK, ISS_C + 101, ISS_S + 1, 0);    /* 6: forged, exact */
    tx(f, C, ACK, ISS_C + 101, ISS_S + 1, 100);        /* 7: the client talks on */
    tx(f, S, RST, ISS_S + 1, 0, 0);                    /* 8: no connection */
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(rst_n(f, 0)->cause, TFA_RST_CAUSE_SUSPECTED_INJECTION);
    assert_true(rst_n(f, 0)->sender_talked_after);
    assert_int_equal(rst_n(f, 1)->cause, TFA_RST_CAUSE_STALE_CONNECTION);
    assert_int_equal(f->c->det.close_kind, TFA_CLOSE_RESET);
    assert_int_equal(f->c->det.close_initiator, TFA_INITIATOR_CLIENT);
    assert_int_equal(f->c->det.verdict, TFA_VERDICT_FAILED);
}

/* An RST whose TTL does not fit its claimed sender's packets. */
static void test_injected_ttl(void **state)
{
    Fx *f = *state;
    handshake(f);
    f->ttl[C] = 100;
    tx(f, C, RST, ISS_C + 1, 0, 0);
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_SUSPECTED_INJECTION);
    assert_int_equal(rst_n(f, 0)->ttl, 100);
    assert_int_equal(rst_n(f, 0)->sender_ttl, 64);
}

/* A keep-alive answered by an RST: the peer forgot the connection (it
 * rebooted) - stale, from a sender that says nothing else. */
static void test_rst_answering_keepalive(void **state)
{
    Fx *f = *state;
    f->c->mid_stream = false;
    handshake(f);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 10);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 11, 0);
    tx_at(f, 7200 * SEC, C, ACK, ISS_C + 10, ISS_S + 1, 0, NULL); /* keep-alive */
    tx(f, S, RST, ISS_S + 1, 0, 0);
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_STALE_CONNECTION);
}

/* The prober gives up: its keep-alives went unanswered, it resets. */
static void test_keepalive_timeout(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 10);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 11, 0);
    tx_at(f, 10 * SEC, C, ACK, ISS_C + 10, ISS_S + 1, 0, NULL);
    tx_at(f, 1 * SEC, C, ACK, ISS_C + 10, ISS_S + 1, 0, NULL);
    tx_at(f, 1 * SEC, C, RST | ACK, ISS_C + 11, ISS_S + 1, 0, NULL);
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_KEEPALIVE_TIMEOUT);
}

/* An RST after a long silence (a NAT forgot the connection). */
static void test_after_idle(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 10);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 11, 10);
    tx_at(f, 600 * SEC, S, RST | ACK, ISS_S + 11, ISS_C + 11, 0, NULL);
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_AFTER_IDLE);
    assert_int_equal(rst_n(f, 0)->idle_before, 600 * SEC);
}

/* RFC 9293 §3.5.3: an RST may carry a diagnostic. */
static void test_rst_with_data(void **state)
{
    Fx *f = *state;
    static const char why[] = "connection timed out";
    handshake(f);
    tx_at(f, MS, S, RST | ACK, ISS_S + 1, ISS_C + 1, sizeof(why) - 1, why);
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_RST_WITH_DATA), 1);
    assert_string_equal(rst_n(f, 0)->diag, why);
}

static void test_rst_with_binary_data(void **state)
{
    Fx *f = *state;
    static const char bin[] = "\x01\x02\xff";
    handshake(f);
    tx_at(f, MS, S, RST | ACK, ISS_S + 1, ISS_C + 1, 3, bin);
    finish(f, TFA_END_RESET, 0);
    assert_string_equal(rst_n(f, 0)->diag, "");
}

static void test_storm(void **state)
{
    Fx *f = *state;
    f->opts.rst_storm = 5;
    handshake(f);
    for (int i = 0; i < 20; i++)
        tx(f, S, RST, ISS_S + 1 + 100000 * (uint32_t)(i + 1), 0, 0);
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_RST_STORM), 2); /* one anomaly of both sides */
    assert_int_equal(f->c->rsts_total, 20);
    assert_int_equal(f->c->rsts->len, TFA_MAX_RSTS_KEPT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_refused),            FX_TEST(test_abortive_close),
        FX_TEST(test_close_with_unread_data), FX_TEST(test_data_to_closed_socket),
        FX_TEST(test_rst_after_fin_no_data),  FX_TEST(test_in_time_wait),
        FX_TEST(test_out_of_window),      FX_TEST(test_injected_then_real_traffic),
        FX_TEST(test_injected_ttl),       FX_TEST(test_rst_answering_keepalive),
        FX_TEST(test_keepalive_timeout),  FX_TEST(test_after_idle),
        FX_TEST(test_rst_with_data),      FX_TEST(test_rst_with_binary_data),
        FX_TEST(test_storm),
    };
    return cmocka_run_group_tests_name("detect/rst", tests, NULL, NULL);
}
