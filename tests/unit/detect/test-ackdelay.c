/* test-ackdelay.c - ACK delay classes, trust by vantage, stretch ACKs, the
 * Nagle + delayed-ACK stall, and RTT samples by Karn's rule. */
#include "detect-test.h"

#define SEC TFA_NSEC_PER_SEC

/* A handshake whose two halves take @to_server and @to_client. */
static void handshake_timed(Fx *f, TfaDuration to_server, TfaDuration to_client)
{
    tx_at(f, MS, C, SYN, ISS_C, 0, 0, NULL);
    tx_at(f, to_server, S, SYN | ACK, ISS_S, ISS_C + 1, 0, NULL);
    tx_at(f, to_client, C, ACK, ISS_C + 1, ISS_S + 1, 0, NULL);
}

static void test_vantage(void **state)
{
    Fx *f = *state;
    TfaDuration a, b;
    TfaHandshakeTimes t = tfa_detect_handshake_times(f->c);
    assert_int_equal(tfa_vantage_of(&t, &a, &b), TFA_VANTAGE_UNKNOWN);
    handshake_timed(f, 50 * MS, MS / 10);
    t = tfa_detect_handshake_times(f->c); /* while live: the handshake detector's */
    assert_int_equal(tfa_vantage_of(&t, &a, &b), TFA_VANTAGE_NEAR_CLIENT);
    assert_int_equal(a, 50 * MS);
    assert_int_equal(b, MS / 10);
    finish(f, TFA_END_CAPTURE_END, 0);
    a = b = 0;
    assert_int_equal(tfa_ack_vantage(f->c, &a, &b), TFA_VANTAGE_NEAR_CLIENT); /* the outcome's */
    assert_int_equal(a, 50 * MS);
    assert_int_equal(b, MS / 10);
    t.ack_ts = t.synack_ts + 50 * MS;
    t.synack_ts = t.syn_ts + MS / 10;
    assert_int_equal(tfa_vantage_of(&t, &a, &b), TFA_VANTAGE_NEAR_SERVER);
    t.synack_ts = t.syn_ts + 30 * MS;
    t.ack_ts = t.synack_ts + 20 * MS;
    assert_int_equal(tfa_vantage_of(&t, &a, &b), TFA_VANTAGE_MIDDLE);
    t.synack_ts = t.syn_ts + MS / 5;
    t.ack_ts = t.synack_ts + MS / 20;
    assert_int_equal(tfa_vantage_of(&t, &a, &b), TFA_VANTAGE_NEAR_BOTH);
}

/* On a LAN (near both): immediate, delayed, over 500 ms, piggybacked. */
static void test_classes(void **state)
{
    Fx *f = *state;
    handshake_timed(f, MS / 10, MS / 10);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 100);                 /* data */
    tx_at(f, MS / 10, S, ACK, ISS_S + 1, ISS_C + 101, 0, NULL); /* immediate */
    tx(f, C, ACK, ISS_C + 101, ISS_S + 1, 100);
    tx_at(f, 40 * MS, S, ACK, ISS_S + 1, ISS_C + 201, 0, NULL); /* delayed */
    tx(f, C, ACK, ISS_C + 201, ISS_S + 1, 100);
    tx_at(f, 600 * MS, S, ACK, ISS_S + 1, ISS_C + 301, 0, NULL); /* over 500 ms */
    tx(f, C, ACK, ISS_C + 301, ISS_S + 1, 100);
    tx_at(f, 45 * MS, S, ACK, ISS_S + 1, ISS_C + 401, 50, NULL); /* on data */
    finish(f, TFA_END_CAPTURE_END, 0);
    const TfaAckFigures *t = &f->c->out.timing[S];
    assert_int_equal(t->acks, 4);
    assert_int_equal(t->immediate, 1);
    assert_int_equal(t->delayed, 2);
    assert_int_equal(t->over_500ms, 1);
    assert_int_equal(t->piggybacked, 1);
    assert_int_equal(t->max_delay, 600 * MS);
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_DELAYED), 1); /* not the piggybacked one */
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_DELAY_OVER_500MS), 1);
    assert_int_equal(tfa_ack_percentile(t->delays, t->n_delays, 50), 40 * MS);
    assert_int_equal(tfa_ack_percentile(t->delays, t->n_delays, 90), 600 * MS);
    assert_int_equal(tfa_ack_percentile(NULL, 0, 50), -1);
}

/* The first anomaly of @code, or NULL. */
static const TfaAnomaly *first_of(Fx *f, TfaAnomalyCode code)
{
    for (guint i = 0; f->c->anomalies != NULL && i < f->c->anomalies->len; i++) {
        const TfaAnomaly *x = &g_array_index(f->c->anomalies, TfaAnomaly, i);
        if (x->code == code)
            return x;
    }
    return NULL;
}

/* Captured near the client, the server's ACK includes the path's round
 * trip: one round trip later is not delayed; 40 ms more is, by 40 ms. */
static void test_rtt_subtracted(void **state)
{
    Fx *f = *state;
    handshake_timed(f, 80 * MS, MS / 10);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 100);
    tx_at(f, 85 * MS, S, ACK, ISS_S + 1, ISS_C + 101, 0, NULL); /* one round trip */
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_DELAYED), 0);
    tx(f, C, ACK, ISS_C + 101, ISS_S + 1, 100);
    tx_at(f, 120 * MS, S, ACK, ISS_S + 1, ISS_C + 201, 0, NULL);
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(f->c->out.timing[S].delayed, 2); /* both, at the capture point */
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_DELAYED), 1);
    const TfaAnomaly *a = first_of(f, TFA_ANOMALY_ACK_DELAYED);
    assert_non_null(a);
    assert_int_equal(a->arg[0], 40 * MS); /* 120 ms less the 80 ms round trip */
}

/* One ACK for three full-sized segments: a stretch ACK; one for two: not. */
static void test_stretch(void **state)
{
    Fx *f = *state;
    handshake_timed(f, MS / 10, MS / 10);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 1000);
    tx(f, C, ACK, ISS_C + 1001, ISS_S + 1, 1000);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 2001, 0);
    tx(f, C, ACK, ISS_C + 2001, ISS_S + 1, 1000);
    tx(f, C, ACK, ISS_C + 3001, ISS_S + 1, 1000);
    tx(f, C, ACK, ISS_C + 4001, ISS_S + 1, 1000);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 5001, 0);
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(f->c->out.timing[S].stretch, 1);
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_STRETCH), 1);
    assert_int_equal(f->c->out.timing[S].full_acks, 2);
    assert_int_equal(f->c->out.timing[S].full_acks_within_two, 1);
}

/* The cumulative ACK that follows a retransmission filling a gap covers
 * everything the receiver had queued behind it: loss recovery catching up,
 * not a stretch ACK (the receiver acknowledged each segment as it came). */
static void test_ack_after_recovery_is_no_stretch(void **state)
{
    Fx *f = *state;
    handshake_timed(f, MS / 10, MS / 10);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 1000);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 1001, 0);
    /* ISS_C + 1001 .. 2001 lost before the capture point */
    tx(f, C, ACK, ISS_C + 2001, ISS_S + 1, 1000);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 1001, 0);
    tx(f, C, ACK, ISS_C + 3001, ISS_S + 1, 1000);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 1001, 0);
    tx(f, C, ACK, ISS_C + 4001, ISS_S + 1, 1000);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 1001, 0);
    tx_at(f, MS, C, ACK, ISS_C + 1001, ISS_S + 1, 1000, NULL); /* the retransmission */
    tx(f, S, ACK, ISS_S + 1, ISS_C + 5001, 0);                /* four segments at once */
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_SEQ_LOST_SEGMENT), 1);
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_STRETCH), 0);
}

/* No MSS announced (the SYN was not captured or carried none): the largest
 * segment seen stands in for it, so two 1000-byte segments under one ACK
 * are ordinary and three are a stretch; small early segments decide
 * nothing. */
static void test_stretch_without_announced_mss(void **state)
{
    Fx *f = *state;
    handshake_timed(f, MS / 10, MS / 10);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 100);
    tx(f, C, ACK, ISS_C + 101, ISS_S + 1, 100);
    tx(f, C, ACK, ISS_C + 201, ISS_S + 1, 100);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 301, 0); /* 300 bytes: MSS not known yet */
    tx(f, C, ACK, ISS_C + 301, ISS_S + 1, 1000);
    tx(f, C, ACK, ISS_C + 1301, ISS_S + 1, 1000);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 2301, 0); /* two of the largest: ordinary */
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_STRETCH), 0);
    tx(f, C, ACK, ISS_C + 2301, ISS_S + 1, 1000);
    tx(f, C, ACK, ISS_C + 3301, ISS_S + 1, 1000);
    tx(f, C, ACK, ISS_C + 4301, ISS_S + 1, 1000);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 5301, 0); /* three: a stretch */
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(f->c->out.timing[S].stretch, 1);
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_STRETCH), 1);
}

/* One GRO super-segment, acknowledged at once: stretch, but not delayed. */
static void test_gro_super_segment(void **state)
{
    Fx *f = *state;
    f->mss[S] = 1448; /* the receiver's SYN-ACK announces it */
    handshake_timed(f, MS / 10, MS / 10);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 28960);
    tx_at(f, MS / 20, S, ACK, ISS_S + 1, ISS_C + 28961, 0, NULL);
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_STRETCH), 1);
    assert_int_equal(f->c->out.timing[S].immediate, 1);
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_DELAYED), 0);
}

/* A request written in two parts with Nagle on, three rounds: each time the
 * head goes out, the peer's ACK comes 40 ms later, the tail right after. */
static void test_nagle_stall(void **state)
{
    Fx *f = *state;
    f->mss[S] = 1448;
    handshake_timed(f, MS / 10, MS / 10);
    uint32_t cs = ISS_C + 1, ss = ISS_S + 1;
    for (int round = 0; round < 3; round++) {
        tx(f, C, ACK, cs, ss, 20);                          /* head */
        cs += 20;
        tx_at(f, 40 * MS, S, ACK, ss, cs, 0, NULL);          /* delayed ACK */
        tx_at(f, MS / 50, C, ACK, cs, ss, 80, NULL);         /* tail, at once */
        cs += 80;
        tx(f, S, ACK, ss, cs, 200);                          /* response */
        ss += 200;
        tx(f, C, ACK, cs, ss, 0);
    }
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(f->c->out.timing[C].stalls, 3);
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_NAGLE_DELACK_STALL), 1);
    const TfaAnomaly *a = NULL;
    for (guint i = 0; i < f->c->anomalies->len; i++) {
        const TfaAnomaly *x = &g_array_index(f->c->anomalies, TfaAnomaly, i);
        if (x->code == TFA_ANOMALY_ACK_NAGLE_DELACK_STALL)
            a = x;
    }
    assert_non_null(a);
    assert_int_equal(a->severity, TFA_SEV_WARNING);
    assert_false(a->possible);
    assert_int_equal(a->arg[0], 3);
    /* each time, the server's 40 ms less the 0.1 ms round trip to it */
    assert_int_equal(a->arg[1], 3 * (40 * MS - MS / 10));
}

/* One round only: one stall of 40 ms in a ~45 ms exchange is reported
 * (most of the connection's time); the same stall in a long connection
 * that goes on for seconds after is not. */
static void one_round(Fx *f)
{
    f->mss[S] = 1448;
    handshake_timed(f, MS / 10, MS / 10);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 20);
    tx_at(f, 40 * MS, S, ACK, ISS_S + 1, ISS_C + 21, 0, NULL);
    tx_at(f, MS / 50, C, ACK, ISS_C + 21, ISS_S + 1, 80, NULL);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 101, 200);
    tx(f, C, ACK, ISS_C + 101, ISS_S + 201, 0);
}

static void test_nagle_single_stall(void **state)
{
    Fx *f = *state;
    one_round(f);
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(f->c->out.timing[C].stalls, 1);
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_NAGLE_DELACK_STALL), 1);
    const TfaAnomaly *a = anomaly_of(f, TFA_ANOMALY_ACK_NAGLE_DELACK_STALL);
    assert_false(a->possible);
    assert_int_equal(a->arg[0], 1);
}

static void test_nagle_single_stall_small_share(void **state)
{
    Fx *f = *state;
    one_round(f);
    tx_at(f, 5 * TFA_NSEC_PER_SEC, C, ACK, ISS_C + 101, ISS_S + 201, 100, NULL);
    tx(f, S, ACK, ISS_S + 201, ISS_C + 201, 0);
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(f->c->out.timing[C].stalls, 1);
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_NAGLE_DELACK_STALL), 0);
}

/* The same with TCP_NODELAY: head and tail back to back, no stall. */
static void test_nodelay_no_stall(void **state)
{
    Fx *f = *state;
    handshake_timed(f, MS / 10, MS / 10);
    uint32_t cs = ISS_C + 1, ss = ISS_S + 1;
    for (int round = 0; round < 3; round++) {
        tx(f, C, ACK, cs, ss, 20);
        tx_at(f, MS / 50, C, ACK, cs + 20, ss, 80, NULL);
        cs += 100;
        tx(f, S, ACK, ss, cs, 200);
        ss += 200;
        tx(f, C, ACK, cs, ss, 0);
    }
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(f->c->out.timing[C].stalls, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_NAGLE_DELACK_STALL), 0);
}

/* One round of a request written in two parts: the client's 20-byte head,
 * the server's pure ACK @ack_gap later, the 80-byte tail @tail_gap after
 * that, the server's 200-byte response @resp_gap after the tail and the
 * client's ACK @back_gap after it. */
static void two_part_round(Fx *f, uint32_t *cs, uint32_t *ss, TfaDuration ack_gap,
                           TfaDuration tail_gap, TfaDuration resp_gap, TfaDuration back_gap)
{
    tx(f, C, ACK, *cs, *ss, 20);
    *cs += 20;
    tx_at(f, ack_gap, S, ACK, *ss, *cs, 0, NULL);
    tx_at(f, tail_gap, C, ACK, *cs, *ss, 80, NULL);
    *cs += 80;
    tx_at(f, resp_gap, S, ACK, *ss, *cs, 200, NULL);
    *ss += 200;
    tx_at(f, back_gap, C, ACK, *cs, *ss, 0, NULL);
}

/* The MSS the server's SYN-ACK announces (before the handshake). */
static void server_mss(Fx *f, uint16_t mss)
{
    f->mss[S] = mss;
}

/* Captured near the client, 50 ms from the server: the server's ACK comes
 * one round trip after the head, the tail right behind it.  The ACK was
 * not delayed, nothing was held for it. */
static void test_ack_one_rtt_later_no_stall(void **state)
{
    Fx *f = *state;
    server_mss(f, 1460);
    handshake_timed(f, 50 * MS, MS / 10);
    uint32_t cs = ISS_C + 1, ss = ISS_S + 1;
    for (int round = 0; round < 3; round++)
        two_part_round(f, &cs, &ss, 51 * MS, MS / 50, 50 * MS, MS / 10);
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(f->c->out.timing[C].stalls, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_NAGLE_DELACK_STALL), 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_DELAYED), 0);
}

/* The same path with a real 40 ms delayed ACK: a stall, and the time lost
 * is the server's 40 ms, not the 90 ms seen at the capture point. */
static void test_stall_seen_from_sender(void **state)
{
    Fx *f = *state;
    server_mss(f, 1460);
    handshake_timed(f, 50 * MS, MS / 10);
    uint32_t cs = ISS_C + 1, ss = ISS_S + 1;
    for (int round = 0; round < 3; round++)
        two_part_round(f, &cs, &ss, 90 * MS, MS / 50, 50 * MS, MS / 10);
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(f->c->out.timing[C].stalls, 3);
    const TfaAnomaly *a = first_of(f, TFA_ANOMALY_ACK_NAGLE_DELACK_STALL);
    assert_non_null(a);
    assert_int_equal(a->severity, TFA_SEV_WARNING);
    assert_int_equal(a->arg[1], 3 * 40 * MS);
}

/* Captured near the server, 10 ms from the client: the tail the ACK
 * released passes the capture point a round trip after the ACK did. */
static void test_stall_seen_from_receiver(void **state)
{
    Fx *f = *state;
    server_mss(f, 1460);
    handshake_timed(f, MS / 10, 10 * MS);
    uint32_t cs = ISS_C + 1, ss = ISS_S + 1;
    for (int round = 0; round < 3; round++)
        two_part_round(f, &cs, &ss, 40 * MS, 10 * MS, MS / 2, 10 * MS);
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(f->c->out.timing[C].stalls, 3);
    /* placed only within the round trip to the sender: possible */
    const TfaAnomaly *a = first_of(f, TFA_ANOMALY_ACK_NAGLE_DELACK_STALL);
    assert_non_null(a);
    assert_int_equal(a->severity, TFA_SEV_NOTICE);
    assert_true(a->possible);
}

/* The same, 2 ms from the client: timed closely enough for a warning. */
static void test_stall_seen_from_receiver_near(void **state)
{
    Fx *f = *state;
    server_mss(f, 1460);
    handshake_timed(f, MS / 10, 2 * MS);
    uint32_t cs = ISS_C + 1, ss = ISS_S + 1;
    for (int round = 0; round < 3; round++)
        two_part_round(f, &cs, &ss, 40 * MS, 2 * MS, MS / 2, 2 * MS);
    finish(f, TFA_END_CAPTURE_END, 0);
    const TfaAnomaly *a = first_of(f, TFA_ANOMALY_ACK_NAGLE_DELACK_STALL);
    assert_non_null(a);
    assert_int_equal(a->severity, TFA_SEV_WARNING);
}

/* A sender on a timer: ten small messages, each acknowledged late, two of
 * which happen to leave right behind the ACK.  Not a pattern. */
static void test_timer_coincidence_no_stall(void **state)
{
    Fx *f = *state;
    server_mss(f, 1460);
    handshake_timed(f, MS / 10, MS / 10);
    uint32_t cs = ISS_C + 1, ss = ISS_S + 1;
    for (int i = 0; i < 10; i++) {
        tx_at(f, i == 3 || i == 7 ? MS / 2 : 60 * MS, C, ACK, cs, ss, 20, NULL);
        cs += 20;
        tx_at(f, 40 * MS, S, ACK, ss, cs, 0, NULL);
    }
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(f->c->out.timing[C].stalls, 2);
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_NAGLE_DELACK_STALL), 0);
}

/* A request/response turnaround (a TLS client's Finished answering the
 * server's flight): the server's delayed ACK, its data right behind, and
 * the client's answer to that data.  The answer was not held for the
 * ACK. */
static void test_turnaround_no_stall(void **state)
{
    Fx *f = *state;
    server_mss(f, 1460);
    handshake_timed(f, MS / 10, MS / 10);
    uint32_t cs = ISS_C + 1, ss = ISS_S + 1;
    tx(f, C, ACK, cs, ss, 300); /* ClientHello */
    cs += 300;
    for (int round = 0; round < 3; round++) {
        tx_at(f, 40 * MS, S, ACK, ss, cs, 0, NULL);         /* delayed ACK */
        tx_at(f, MS / 10, S, ACK, ss, cs, 900, NULL);       /* its flight */
        ss += 900;
        tx_at(f, MS / 2, C, ACK, cs, ss, 100, NULL);        /* the answer */
        cs += 100;
    }
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(f->c->out.timing[C].stalls, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_NAGLE_DELACK_STALL), 0);
}

/* The handshake not timed (the client's SYN not captured, only the
 * server's SYN-ACK with its MSS): the fastest ACKs bound the path, but
 * without the handshake the stall is only possible. */
static void test_stall_without_handshake(void **state)
{
    Fx *f = *state;
    server_mss(f, 1460);
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);
    tx_at(f, MS / 10, C, ACK, ISS_C + 1, ISS_S + 1, 0, NULL);
    TfaHandshakeTimes t = tfa_detect_handshake_times(f->c);
    TfaDuration a0, b0;
    assert_int_equal(tfa_vantage_of(&t, &a0, &b0), TFA_VANTAGE_UNKNOWN);
    uint32_t cs = ISS_C + 1, ss = ISS_S + 1;
    for (int round = 0; round < 4; round++)
        two_part_round(f, &cs, &ss, 40 * MS, MS / 50, MS / 2, MS / 10);
    finish(f, TFA_END_CAPTURE_END, 0);
    /* the first round's ACK is the only round trip known yet: not late */
    assert_int_equal(f->c->out.timing[C].stalls, 3);
    const TfaAnomaly *a = first_of(f, TFA_ANOMALY_ACK_NAGLE_DELACK_STALL);
    assert_non_null(a);
    assert_int_equal(a->severity, TFA_SEV_NOTICE);
    assert_true(a->possible);
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_DELAYED), 0);
}

/* A bulk sender's last segment alone in flight, acknowledged late, and
 * full-sized segments after it: not Nagle. */
static void test_full_segments_no_stall(void **state)
{
    Fx *f = *state;
    server_mss(f, 1460);
    handshake_timed(f, MS / 10, MS / 10);
    uint32_t cs = ISS_C + 1, ss = ISS_S + 1;
    for (int round = 0; round < 3; round++) {
        tx(f, C, ACK, cs, ss, 1448);
        cs += 1448;
        tx_at(f, 40 * MS, S, ACK, ss, cs, 0, NULL);
        tx_at(f, MS / 50, C, ACK, cs, ss, 1448, NULL);
        cs += 1448;
        tx_at(f, MS / 50, C, ACK, cs, ss, 1448, NULL);
        cs += 1448;
        tx_at(f, MS / 10, S, ACK, ss, cs, 0, NULL);
    }
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(f->c->out.timing[C].stalls, 0);
}

/* A segment with its own window, otherwise as tx_at(). */
static void tx_win(Fx *f, TfaDuration gap, uint8_t side, uint32_t seq, uint32_t ack, uint32_t len,
                   uint16_t window)
{
    f->frame++;
    f->now += gap;
    TfaAddr a = tfa_test_ip4(10, 0, 0, (uint8_t)(1 + side));
    TfaAddr b = tfa_test_ip4(10, 0, 0, (uint8_t)(2 - side));
    TfaSegment seg = tfa_test_seg(a, side == C ? 40000 : 80, b, side == C ? 80 : 40000, ACK, seq,
                                  ack, len, f->frame, f->now);
    seg.window = window;
    seg.payload_caplen = 0;
    seg.ip_id = (uint16_t)f->frame;
    TfaSideStats *st = &f->c->side[side];
    st->packets++;
    st->last_frame = f->frame;
    st->last_ts = f->now;
    st->bytes += len;
    tfa_seqtrack_segment(f->c, &f->opts, &f->budget, &f->stats, &seg, side, &f->sq);
    tfa_tcpsm_segment(f->c, &f->opts, &seg, side, &f->ev);
    tfa_detect_segment(f->c, &f->opts, &seg, side, &f->ev, &f->sq, false);
}

/* Over 500 ms: a warning only next to the receiver, with the round trip
 * known; never for a retransmission's or a window probe's ACK. */
static void test_over_500ms_retransmitted(void **state)
{
    Fx *f = *state;
    handshake_timed(f, MS / 10, MS / 10);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 100);
    tx_at(f, 300 * MS, C, ACK, ISS_C + 1, ISS_S + 1, 100, NULL); /* RTO */
    tx_at(f, 600 * MS, S, ACK, ISS_S + 1, ISS_C + 101, 0, NULL);
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_DELAY_OVER_500MS), 0);
}

static void test_over_500ms_window_probe(void **state)
{
    Fx *f = *state;
    handshake_timed(f, MS / 10, MS / 10);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 100);
    tx_win(f, MS / 10, S, ISS_S + 1, ISS_C + 101, 0, 0);        /* window shut */
    tx_win(f, 200 * MS, C, ISS_C + 101, ISS_S + 1, 1, 65535);   /* probe */
    tx_win(f, 700 * MS, S, ISS_S + 1, ISS_C + 102, 0, 65535);   /* opens, takes it */
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_DELAY_OVER_500MS), 0);
}

static void test_over_500ms_vantage(void **state)
{
    Fx *f = *state;
    handshake_timed(f, 30 * MS, 20 * MS); /* in the middle */
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 100);
    tx_at(f, 30 * MS + 600 * MS, S, ACK, ISS_S + 1, ISS_C + 101, 0, NULL);
    finish(f, TFA_END_CAPTURE_END, 0);
    const TfaAnomaly *a = first_of(f, TFA_ANOMALY_ACK_DELAY_OVER_500MS);
    assert_non_null(a);
    assert_int_equal(a->severity, TFA_SEV_NOTICE);
    assert_true(a->possible);
    assert_int_equal(a->arg[0], 600 * MS);
}

/* Karn: no RTT sample from a retransmitted segment; coverage across the
 * 2^32 wrap. */
static void test_rtt_karn_and_wrap(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, 0xfffffff0u, 0, 0);
    tx(f, S, SYN | ACK, ISS_S, 0xfffffff1u, 0);
    tx(f, C, ACK, 0xfffffff1u, ISS_S + 1, 0);
    tx(f, C, ACK, 0xfffffff1u, ISS_S + 1, 100);             /* crosses 2^32 */
    tx_at(f, 10 * MS, S, ACK, ISS_S + 1, 0xfffffff1u + 100, 0, NULL);
    tx(f, C, ACK, 0xfffffff1u + 100, ISS_S + 1, 100);
    tx_at(f, 300 * MS, C, ACK, 0xfffffff1u + 100, ISS_S + 1, 100, NULL); /* retransmitted */
    tx_at(f, 5 * MS, S, ACK, ISS_S + 1, 0xfffffff1u + 200, 0, NULL);
    finish(f, TFA_END_CAPTURE_END, 0);
    /* the first only: across the wrap, 10 ms; none from the retransmitted one */
    assert_int_equal(f->c->out.timing[C].rtt_samples, 1);
    assert_int_equal(f->c->out.timing[C].rtt_min, 10 * MS);
    assert_int_equal(f->c->out.timing[C].rtt_max, 10 * MS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_vantage),         FX_TEST(test_classes),
        FX_TEST(test_rtt_subtracted),  FX_TEST(test_stretch),
        FX_TEST(test_ack_after_recovery_is_no_stretch),
        FX_TEST(test_stretch_without_announced_mss),
        FX_TEST(test_gro_super_segment), FX_TEST(test_nagle_stall),
        FX_TEST(test_nagle_single_stall), FX_TEST(test_nagle_single_stall_small_share),
        FX_TEST(test_nodelay_no_stall), FX_TEST(test_ack_one_rtt_later_no_stall),
        FX_TEST(test_stall_seen_from_sender), FX_TEST(test_stall_seen_from_receiver),
        FX_TEST(test_stall_seen_from_receiver_near), FX_TEST(test_timer_coincidence_no_stall),
        FX_TEST(test_turnaround_no_stall), FX_TEST(test_stall_without_handshake),
        FX_TEST(test_full_segments_no_stall), FX_TEST(test_over_500ms_retransmitted),
        FX_TEST(test_over_500ms_window_probe), FX_TEST(test_over_500ms_vantage),
        FX_TEST(test_rtt_karn_and_wrap),
    };
    return cmocka_run_group_tests_name("detect/ackdelay", tests, NULL, NULL);
}
