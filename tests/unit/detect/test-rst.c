/* test-rst.c - the cause of every RST, including the ambiguous ones, and
 * RST_WITH_DATA, RST_STORM. */
#include "detect-test.h"

#include "tcpflow-audit/record.h"
#include "tcpflow-audit/report.h"

#define SEC TFA_NSEC_PER_SEC

static TfaRstCause cause0(Fx *f)
{
    return (TfaRstCause)rst_n(f, 0)->cause;
}

/* The anomaly of @code about frame @frame (it must be there). */
static const TfaAnomaly *anomaly_at(Fx *f, TfaAnomalyCode code, TfaFrameNo frame)
{
    for (guint i = 0; f->c->anomalies != NULL && i < f->c->anomalies->len; i++) {
        const TfaAnomaly *a = &g_array_index(f->c->anomalies, TfaAnomaly, i);
        if (a->code == code && a->frame_no == frame)
            return a;
    }
    fail_msg("no %s at frame %u", tfa_anomaly_name(code), (unsigned)frame);
    return NULL;
}

/* Findings of the RST detector at notice or above. */
static guint loud_rst_findings(Fx *f)
{
    guint n = 0;
    for (guint i = 0; f->c->anomalies != NULL && i < f->c->anomalies->len; i++) {
        const TfaAnomaly *a = &g_array_index(f->c->anomalies, TfaAnomaly, i);
        if (tfa_rst_cause_of_code((TfaAnomalyCode)a->code) >= 0 && a->severity >= TFA_SEV_NOTICE)
            n++;
    }
    return n;
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
    assert_int_equal(f->c->out.close_kind, TFA_CLOSE_RESET);
    assert_int_equal(f->c->out.close_initiator, TFA_INITIATOR_CLIENT);
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

/* The server answered a first request, then got a second one it never
 * answered and reset: unread data leads although it had written before
 * (only the bytes after its last write count). */
static void test_unread_second_request(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 100);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 101, 200);
    tx(f, C, ACK, ISS_C + 101, ISS_S + 201, 50);
    tx(f, C, ACK, ISS_C + 101, ISS_S + 201, 50);            /* a copy: counted once */
    tx(f, S, ACK, ISS_S + 201, ISS_C + 151, 0);
    tx_at(f, 50 * MS, S, RST | ACK, ISS_S + 201, ISS_C + 151, 0, NULL);
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_CLOSE_WITH_UNREAD_DATA);
    assert_int_equal(rst_n(f, 0)->rcvd_unanswered, 50);
}

/* A half-open connection: the server lost it during 3 s of silence; the
 * client's next write draws a bare RST, which knows the idle time. */
static void test_half_open_after_idle(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 100);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 101, 200);
    tx(f, C, ACK, ISS_C + 101, ISS_S + 201, 0);
    tx_at(f, 3 * TFA_NSEC_PER_SEC, C, ACK, ISS_C + 101, ISS_S + 201, 100, NULL);
    tx(f, S, RST, ISS_S + 201, 0, 0);
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_STALE_CONNECTION);
    assert_int_equal(rst_n(f, 0)->answered_after, 3 * TFA_NSEC_PER_SEC);
    assert_false(rst_n(f, 0)->answered_probe);
    assert_int_equal(rst_n(f, 0)->syn_inside_frame, 0);
}

/* A rebooted client's new SYN inside the old connection draws a challenge
 * ACK, which it resets: the RST knows the SYN. */
static void test_reset_of_challenge_after_new_syn(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 100);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 101, 0);
    tx_at(f, 500 * MS, C, SYN, ISS_C + 7000000, 0, 0, NULL);   /* 6 */
    tx(f, S, ACK, ISS_S + 1, ISS_C + 101, 0);                   /* challenge ACK */
    tx(f, C, RST, ISS_C + 101, 0, 0);
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_STALE_CONNECTION);
    assert_int_equal(rst_n(f, 0)->syn_inside_frame, 6);
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
    /* the peer wrote after acknowledging the FIN and never closed */
    assert_true(rst_n(f, 0)->peer_wrote_after_ack);
    assert_int_equal(anomaly_at(f, TFA_ANOMALY_RST_DATA_TO_CLOSED_SOCKET, 7)->severity,
                     TFA_SEV_WARNING);
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
    assert_int_equal(f->c->out.close_kind, TFA_CLOSE_RESET_AFTER_FIN);
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
    assert_int_equal(f->c->out.close_kind, TFA_CLOSE_OPEN_AT_END);
    assert_int_equal(f->c->ep[S].state, TFA_TCP_ESTABLISHED);
    /* the receiver went on: proven */
    assert_int_equal(anomaly_at(f, TFA_ANOMALY_RST_OUT_OF_WINDOW, 5)->severity, TFA_SEV_WARNING);
    assert_false(anomaly_at(f, TFA_ANOMALY_RST_OUT_OF_WINDOW, 5)->possible);
}

/* An RST not at the sequence number the capture expects, and nothing from
 * its receiver after it: the receiver may have expected what the capture
 * missed (the sender's last data lost before the capture point), so the
 * refusal is possible only. */
static void test_out_of_window_unproven(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 1, 0);
    tx(f, C, RST | ACK, ISS_C + 1 + 1400, ISS_S + 1, 0); /* 5: 1400 bytes not captured */
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_OUT_OF_WINDOW);
    const TfaAnomaly *a = anomaly_at(f, TFA_ANOMALY_RST_OUT_OF_WINDOW, 5);
    assert_true(a->possible);
    assert_true(a->severity < TFA_SEV_WARNING);
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
    assert_int_equal(f->c->out.close_kind, TFA_CLOSE_RESET);
    assert_int_equal(f->c->out.close_initiator, TFA_INITIATOR_CLIENT);
    assert_int_equal(f->c->out.verdict, TFA_VERDICT_FAILED);
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

/* A bare RST for no connection with another TTL than the socket's: the
 * kernel's reply path uses its default TTL; injection is possible only. */
static void test_bare_reply_ttl_possible(void **state)
{
    Fx *f = *state;
    f->ttl[S] = 255; /* a socket with its own TTL (GTSM) */
    handshake(f);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 10);           /* 4 */
    f->ttl[S] = 64;
    tx(f, S, RST, ISS_S + 1, 0, 0);                    /* 5 */
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_SUSPECTED_INJECTION);
    const TfaAnomaly *a = anomaly_at(f, TFA_ANOMALY_RST_SUSPECTED_INJECTION, 5);
    assert_true(a->possible);
    assert_true(a->severity < TFA_SEV_WARNING);
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
    assert_int_equal(rst_n(f, 0)->probes, 2);
    assert_int_equal(anomaly_at(f, TFA_ANOMALY_RST_KEEPALIVE_TIMEOUT, 8)->severity,
                     TFA_SEV_WARNING);
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

/* The text the report gives the anomaly of @code at @frame. */
static const char *detail_of(Fx *f, TfaAnomalyCode code, TfaFrameNo frame, char *buf, size_t len)
{
    TfaConnRecord rec;
    tfa_record_build(f->c, &rec);
    return tfa_report_detail(&rec, anomaly_at(f, code, frame), buf, len);
}

/* The client closes with a TLS close_notify and FIN; the server's
 * close_notify (frame 9) and FIN follow, then the ACK of the client's FIN.
 * The client's RST (frame 12) acknowledges the server's data but not its
 * FIN: it was in FIN_WAIT_2 when the data arrived, never in TIME_WAIT (a
 * socket in TIME_WAIT acknowledges, it does not reset).  Both sides closed:
 * harmless, no finding, not RFC 1337. */
static void test_late_close_notify_not_time_wait(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 20);           /* 4 */
    tx(f, S, ACK, ISS_S + 1, ISS_C + 21, 0);           /* 5 */
    tx(f, C, ACK, ISS_C + 21, ISS_S + 1, 27);          /* 6: close_notify */
    tx(f, C, FIN | ACK, ISS_C + 48, ISS_S + 1, 0);     /* 7 */
    tx(f, S, ACK, ISS_S + 1, ISS_C + 48, 0);           /* 8 */
    tx(f, S, ACK, ISS_S + 1, ISS_C + 48, 27);          /* 9: close_notify */
    tx(f, S, FIN | ACK, ISS_S + 28, ISS_C + 48, 0);    /* 10 */
    tx(f, S, ACK, ISS_S + 29, ISS_C + 49, 0);          /* 11 */
    tx(f, C, RST | ACK, ISS_C + 49, ISS_S + 28, 0);    /* 12 */
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_DATA_TO_CLOSED_SOCKET);
    assert_int_equal(count_of(f, TFA_ANOMALY_RST_IN_TIME_WAIT), 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_RST_DATA_TO_CLOSED_SOCKET), 0);
    assert_int_equal(loud_rst_findings(f), 0);
}

/* The server closes first (FIN, frame 6); the client acknowledges it,
 * sends its close_notify and FIN; the server's closed socket answers both
 * with bare RSTs.  The capture saw the client's FIN before the server's
 * first RST, but the server reset the data that came first: FIN_WAIT_2,
 * data to a closed socket, harmless; the second RST resets nothing more. */
static void test_fin_wait_2_reset_not_time_wait(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 10);           /* 4 */
    tx(f, S, ACK, ISS_S + 1, ISS_C + 11, 0);           /* 5 */
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 11, 0);     /* 6 */
    tx(f, C, ACK, ISS_C + 11, ISS_S + 2, 0);           /* 7 */
    tx(f, C, ACK, ISS_C + 11, ISS_S + 2, 53);          /* 8 */
    tx(f, C, FIN | ACK, ISS_C + 64, ISS_S + 2, 0);     /* 9 */
    tx_at(f, 90 * MS, S, RST, ISS_S + 2, 0, 0, NULL);  /* 10 */
    tx(f, S, RST, ISS_S + 2, 0, 0);                    /* 11 */
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(rst_n(f, 0)->cause, TFA_RST_CAUSE_DATA_TO_CLOSED_SOCKET);
    assert_int_equal(count_of(f, TFA_ANOMALY_RST_IN_TIME_WAIT), 0);
    assert_int_equal(rst_n(f, 1)->follow_up, TFA_RST_FOLLOW_SENDER);
    assert_int_equal(loud_rst_findings(f), 0);
}

/* An endpoint really in TIME_WAIT (it acknowledged the peer's FIN, frame
 * 7) that later resets: its TIME_WAIT state was gone, it answers for no
 * connection - not an RST "in TIME_WAIT". */
static void test_reset_after_time_wait_is_stale(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);      /* 4 */
    tx(f, S, ACK, ISS_S + 1, ISS_C + 2, 0);            /* 5 */
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 2, 0);      /* 6 */
    tx(f, C, ACK, ISS_C + 2, ISS_S + 2, 0);            /* 7 */
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 2, 0);      /* 8: its FIN again */
    tx(f, C, RST, ISS_C + 2, 0, 0);                    /* 9 */
    finish(f, TFA_END_RESET, 0);
    assert_int_not_equal(cause0(f), TFA_RST_CAUSE_IN_TIME_WAIT);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_STALE_CONNECTION);
}

/* The closer's FIN crosses a request (a keep-alive close racing it): no
 * FIN from the peer, its write is lost - a warning still. */
static void test_data_crossing_fin_is_warning(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 1, 0);      /* 4 */
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 100);          /* 5: sent before the FIN arrived */
    tx(f, S, RST, ISS_S + 1, 0, 0);                    /* 6 */
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_DATA_TO_CLOSED_SOCKET);
    assert_false(rst_n(f, 0)->peer_wrote_after_ack);
    assert_int_equal(anomaly_at(f, TFA_ANOMALY_RST_DATA_TO_CLOSED_SOCKET, 6)->severity,
                     TFA_SEV_WARNING);
}

/* One-byte writes (keystrokes) are no keep-alive probes: the abort that
 * follows is no keep-alive timeout. */
static void test_one_byte_writes_are_no_probes(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 1);            /* 4 */
    tx(f, S, ACK, ISS_S + 1, ISS_C + 2, 0);            /* 5 */
    tx(f, C, ACK, ISS_C + 2, ISS_S + 1, 1);            /* 6 */
    tx(f, C, RST | ACK, ISS_C + 3, ISS_S + 1, 0);      /* 7 */
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_RST_KEEPALIVE_TIMEOUT), 0);
    assert_int_equal(rst_n(f, 0)->probes, 0);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_ABORTIVE_CLOSE);
}

/* Zero-length probes into a zero window are window probes, not
 * keep-alives. */
static void test_window_probes_are_no_keepalives(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 10);
    tx_at(f, 10 * MS, S, ACK, ISS_S + 1, ISS_C + 11, 0, NULL);
    f->c->ep[C].snd_wnd = 0; /* the fixture advertises 65535: the zero window by hand */
    tx_at(f, 200 * MS, C, ACK, ISS_C + 10, ISS_S + 1, 0, NULL);
    tx_at(f, 400 * MS, C, ACK, ISS_C + 10, ISS_S + 1, 0, NULL);
    tx_at(f, 800 * MS, C, RST | ACK, ISS_C + 11, ISS_S + 1, 0, NULL); /* 8 */
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(rst_n(f, 0)->probes, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_RST_KEEPALIVE_TIMEOUT), 0);
}

/* One unanswered probe before the RST: possible, not proven. */
static void test_keepalive_one_probe_possible(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 10);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 11, 0);
    tx_at(f, 10 * SEC, C, ACK, ISS_C + 10, ISS_S + 1, 0, NULL); /* 6 */
    tx_at(f, 1 * SEC, C, RST | ACK, ISS_C + 11, ISS_S + 1, 0, NULL); /* 7 */
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_KEEPALIVE_TIMEOUT);
    const TfaAnomaly *a = anomaly_at(f, TFA_ANOMALY_RST_KEEPALIVE_TIMEOUT, 7);
    assert_true(a->possible);
    assert_true(a->severity < TFA_SEV_WARNING);
}

/* After a long silence the endpoint resets with its own TTL and the next
 * IP ID of its own: the endpoint did it, no NAT is blamed. */
static void test_after_idle_by_the_endpoint(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 10);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 11, 10);          /* 5 */
    f->next_ip_id = 6;
    tx_at(f, 600 * SEC, S, RST | ACK, ISS_S + 11, ISS_C + 11, 0, NULL); /* 6 */
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_AFTER_IDLE);
    char buf[512];
    const char *t = detail_of(f, TFA_ANOMALY_RST_AFTER_IDLE, 6, buf, sizeof(buf));
    assert_null(strstr(t, "NAT"));
    assert_non_null(strstr(t, "endpoint itself"));
}

/* The same, with a TTL none of the endpoint's packets had: a middlebox
 * on the path forgot the idle connection. */
static void test_after_idle_by_a_middlebox(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 10);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 11, 10);
    f->ttl[S] = 250;
    tx_at(f, 600 * SEC, S, RST | ACK, ISS_S + 11, ISS_C + 11, 0, NULL); /* 6 */
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_AFTER_IDLE);
    char buf[512];
    const char *t = detail_of(f, TFA_ANOMALY_RST_AFTER_IDLE, 6, buf, sizeof(buf));
    assert_non_null(strstr(t, "NAT or firewall"));
}

/* FIN, NULL and Xmas scan probes to closed ports: the RST is the closed
 * port's answer (RFC 9293 §3.10.7.1), not an abortive close. */
static void scan_probe(Fx *f, uint16_t probe_flags)
{
    tx(f, C, probe_flags, ISS_C, 0, 0);
    uint32_t ack = ISS_C + ((probe_flags & FIN) ? 1 : 0);
    tx(f, S, RST | ACK, 0, ack, 0);
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_RST_ABORTIVE_CLOSE), 0);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_REFUSED);
    assert_true(rst_n(f, 0)->probe_answer);
    assert_int_equal(loud_rst_findings(f), 0);
}

static void test_fin_scan_answered(void **state)
{
    scan_probe(*state, FIN);
}

static void test_null_scan_answered(void **state)
{
    scan_probe(*state, 0);
}

static void test_xmas_scan_answered(void **state)
{
    scan_probe(*state, FIN | TFA_TH_PSH | TFA_TH_URG);
}

/* A capture made on both sides of a router: each packet twice, the copy
 * with the same IP ID and a TTL one lower, interleaved.  The RST's TTL is
 * one its sender's packets had; the copies after it are no talk. */
static void test_router_copies_are_no_injection(void **state)
{
    Fx *f = *state;
    handshake(f);
    f->next_ip_id = 100;
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 100);          /* 4: ttl 64 */
    f->next_ip_id = 101;
    tx(f, C, ACK, ISS_C + 101, ISS_S + 1, 100);        /* 5 */
    f->ttl[C] = 63;
    f->next_ip_id = 100;
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 100);          /* 6: copy of 4 */
    tx(f, S, ACK, ISS_S + 1, ISS_C + 201, 0);          /* 7 */
    f->ttl[C] = 64;
    f->next_ip_id = 102;
    tx(f, C, RST | ACK, ISS_C + 201, ISS_S + 1, 0);    /* 8 */
    f->ttl[C] = 63;
    f->next_ip_id = 101;
    tx(f, C, ACK, ISS_C + 101, ISS_S + 1, 100);        /* 9: copy of 5 */
    f->next_ip_id = 102;
    tx(f, C, RST | ACK, ISS_C + 201, ISS_S + 1, 0);    /* 10: copy of 8 */
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_RST_SUSPECTED_INJECTION), 0);
    assert_false(rst_n(f, 0)->sender_talked_after);
    /* seqtrack takes frame 10 for the capture's copy of frame 8 (same IP
     * ID, TTL one lower): it never reaches the RST detector as an RST of
     * its own; the detector's own copy test covers the frames seqtrack
     * cannot decide */
    assert_int_equal(f->c->rsts->len, 1);
    assert_int_equal(count_of(f, TFA_ANOMALY_CAPTURE_DUPLICATE_FRAME), 3);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_ABORTIVE_CLOSE);
    assert_int_equal(count_of(f, TFA_ANOMALY_RST_ABORTIVE_CLOSE), 1);
}

/* A retransmission after an RST carries a new IP ID: the endpoint talks on,
 * the RST was not its own. */
static void test_retransmission_after_rst_is_talk(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 100);          /* 4 */
    tx(f, C, RST | ACK, ISS_C + 101, ISS_S + 1, 0);    /* 5: forged */
    tx_at(f, 200 * MS, C, ACK, ISS_C + 1, ISS_S + 1, 100, NULL); /* 6: RTO */
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_true(rst_n(f, 0)->sender_talked_after);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_SUSPECTED_INJECTION);
}

/* A lone RST: nothing in the capture before it; no abortive close. */
static void test_lone_rst_is_not_abortive(void **state)
{
    Fx *f = *state;
    tx(f, S, RST | ACK, ISS_S + 1, ISS_C + 1, 0);
    tx(f, S, RST | ACK, ISS_S + 1, ISS_C + 1, 0);
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_RST_ABORTIVE_CLOSE), 0);
    assert_true(rst_n(f, 0)->lone);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_UNKNOWN);
    assert_int_equal(loud_rst_findings(f), 0);
}

/* A bare RST from an endpoint that only ever sent its SYN-ACK: it has no
 * connection for the segment, but the capture never showed it had one. */
static void test_stale_without_connection_is_possible(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);
    tx(f, C, FIN | ACK, ISS_C, ISS_S + 1, 0);          /* 3: a FIN at the SYN's number */
    tx(f, S, RST, ISS_S + 1, 0, 0);                    /* 4 */
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_STALE_CONNECTION);
    const TfaAnomaly *a = anomaly_at(f, TFA_ANOMALY_RST_STALE_CONNECTION, 4);
    assert_true(a->possible);
    assert_int_equal(a->severity, TFA_SEV_INFO);
}

/* The server resets the ACK that completes its handshake (its accept
 * queue overflowed with tcp_abort_on_overflow): a connection the client
 * thinks open is gone - proven, not merely possible. */
static void test_reset_of_completing_ack(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, S, RST, ISS_S + 1, 0, 0);                    /* 4 */
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_STALE_CONNECTION);
    const TfaAnomaly *a = anomaly_at(f, TFA_ANOMALY_RST_STALE_CONNECTION, 4);
    assert_false(a->possible);
    assert_int_equal(a->severity, TFA_SEV_WARNING);
    char buf[512];
    assert_non_null(strstr(detail_of(f, TFA_ANOMALY_RST_STALE_CONNECTION, 4, buf, sizeof(buf)),
                           "completes the handshake"));
}

/* FIN, its ACK, then the closer's own RST answering nothing: the evidence
 * does not decide why; possible at notice, not a warning.  Its bare answer
 * to the ACK (frame 9) resets nothing more. */
static void test_rst_after_own_fin_neutral(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 53);           /* 4 */
    tx(f, S, ACK, ISS_S + 1, ISS_C + 54, 0);           /* 5 */
    tx(f, C, FIN | ACK, ISS_C + 54, ISS_S + 1, 0);     /* 6 */
    tx(f, S, ACK, ISS_S + 1, ISS_C + 55, 0);           /* 7 */
    tx(f, C, RST | ACK, ISS_C + 55, ISS_S + 1, 0);     /* 8 */
    tx(f, C, RST, ISS_C + 55, 0, 0);                   /* 9: the answer to 7 */
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(cause0(f), TFA_RST_CAUSE_UNKNOWN);
    const TfaAnomaly *a = anomaly_at(f, TFA_ANOMALY_RST_UNKNOWN, 8);
    assert_int_equal(a->severity, TFA_SEV_NOTICE);
    assert_true(a->possible);
    assert_int_equal(count_of(f, TFA_ANOMALY_RST_STALE_CONNECTION), 0);
    assert_int_equal(rst_n(f, 1)->follow_up, TFA_RST_FOLLOW_SENDER);
    assert_int_equal(loud_rst_findings(f), 1);
}

/* SYN retries each answered by RST: each a refusal, none a follow-up. */
static void test_refused_retries(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, S, RST | ACK, 0, ISS_C + 1, 0);
    tx_at(f, SEC, C, SYN, ISS_C, 0, 0, NULL);
    tx(f, S, RST | ACK, 0, ISS_C + 1, 0);
    finish(f, TFA_END_RESET, 0);
    assert_int_equal(rst_n(f, 1)->follow_up, TFA_RST_FOLLOW_NONE);
    assert_int_equal(anomaly_at(f, TFA_ANOMALY_RST_REFUSED, 4)->severity, TFA_SEV_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_refused),            FX_TEST(test_abortive_close),
        FX_TEST(test_close_with_unread_data), FX_TEST(test_data_to_closed_socket),
        FX_TEST(test_unread_second_request), FX_TEST(test_half_open_after_idle),
        FX_TEST(test_reset_of_challenge_after_new_syn),
        FX_TEST(test_rst_after_fin_no_data),  FX_TEST(test_in_time_wait),
        FX_TEST(test_out_of_window),      FX_TEST(test_injected_then_real_traffic),
        FX_TEST(test_injected_ttl),       FX_TEST(test_rst_answering_keepalive),
        FX_TEST(test_keepalive_timeout),  FX_TEST(test_after_idle),
        FX_TEST(test_rst_with_data),      FX_TEST(test_rst_with_binary_data),
        FX_TEST(test_storm),
        FX_TEST(test_late_close_notify_not_time_wait),
        FX_TEST(test_fin_wait_2_reset_not_time_wait),
        FX_TEST(test_reset_after_time_wait_is_stale),
        FX_TEST(test_data_crossing_fin_is_warning),
        FX_TEST(test_one_byte_writes_are_no_probes),
        FX_TEST(test_keepalive_one_probe_possible),
        FX_TEST(test_after_idle_by_the_endpoint),
        FX_TEST(test_after_idle_by_a_middlebox),
        FX_TEST(test_fin_scan_answered),
        FX_TEST(test_null_scan_answered),
        FX_TEST(test_xmas_scan_answered),
        FX_TEST(test_router_copies_are_no_injection),
        FX_TEST(test_retransmission_after_rst_is_talk),
        FX_TEST(test_lone_rst_is_not_abortive),
        FX_TEST(test_stale_without_connection_is_possible),
        FX_TEST(test_rst_after_own_fin_neutral),
        FX_TEST(test_refused_retries),
        FX_TEST(test_out_of_window_unproven),
        FX_TEST(test_reset_of_completing_ack),
        FX_TEST(test_bare_reply_ttl_possible),
        FX_TEST(test_window_probes_are_no_keepalives),
    };
    return cmocka_run_group_tests_name("detect/rst", tests, NULL, NULL);
}
