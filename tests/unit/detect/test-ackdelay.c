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
    assert_int_equal(tfa_ack_vantage(f->c, &a, &b), TFA_VANTAGE_UNKNOWN);
    handshake_timed(f, 50 * MS, MS / 10);
    assert_int_equal(tfa_ack_vantage(f->c, &a, &b), TFA_VANTAGE_NEAR_CLIENT);
    assert_int_equal(a, 50 * MS);
    assert_int_equal(b, MS / 10);
    f->c->det.ack_ts = f->c->det.synack_ts + 50 * MS;
    f->c->det.synack_ts = f->c->det.syn_ts + MS / 10;
    assert_int_equal(tfa_ack_vantage(f->c, &a, &b), TFA_VANTAGE_NEAR_SERVER);
    f->c->det.synack_ts = f->c->det.syn_ts + 30 * MS;
    f->c->det.ack_ts = f->c->det.synack_ts + 20 * MS;
    assert_int_equal(tfa_ack_vantage(f->c, &a, &b), TFA_VANTAGE_MIDDLE);
    f->c->det.synack_ts = f->c->det.syn_ts + MS / 5;
    f->c->det.ack_ts = f->c->det.synack_ts + MS / 20;
    assert_int_equal(tfa_ack_vantage(f->c, &a, &b), TFA_VANTAGE_NEAR_BOTH);
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
    const TfaAckTiming *t = &f->c->timing[S];
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

/* Captured near the client, the server's delay includes the path: counted,
 * not trusted, no anomaly. */
static void test_untrusted(void **state)
{
    Fx *f = *state;
    handshake_timed(f, 80 * MS, MS / 10);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 100);
    tx_at(f, 120 * MS, S, ACK, ISS_S + 1, ISS_C + 101, 0, NULL);
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(f->c->timing[S].delayed, 1);
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_DELAYED), 0);
}

/* One ACK for three full-sized segments: a stretch ACK; one for two: not. */
static void test_stretch(void **state)
{
    Fx *f = *state;
    handshake_timed(f, MS / 10, MS / 10);
    f->c->timing[C].mss = 1000;
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 1000);
    tx(f, C, ACK, ISS_C + 1001, ISS_S + 1, 1000);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 2001, 0);
    tx(f, C, ACK, ISS_C + 2001, ISS_S + 1, 1000);
    tx(f, C, ACK, ISS_C + 3001, ISS_S + 1, 1000);
    tx(f, C, ACK, ISS_C + 4001, ISS_S + 1, 1000);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 5001, 0);
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(f->c->timing[S].stretch, 1);
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_STRETCH), 1);
    assert_int_equal(f->c->timing[S].full_acks, 2);
    assert_int_equal(f->c->timing[S].full_acks_within_two, 1);
}

/* No MSS announced (the SYN was not captured or carried none): the largest
 * segment seen stands in for it, so two 1000-byte segments under one ACK
 * are ordinary and three are a stretch; small early segments decide
 * nothing. */
static void test_stretch_without_announced_mss(void **state)
{
    Fx *f = *state;
    handshake_timed(f, MS / 10, MS / 10);
    assert_false(f->c->timing[C].mss_announced);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 100);
    tx(f, C, ACK, ISS_C + 101, ISS_S + 1, 100);
    tx(f, C, ACK, ISS_C + 201, ISS_S + 1, 100);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 301, 0); /* 300 bytes: MSS not known yet */
    tx(f, C, ACK, ISS_C + 301, ISS_S + 1, 1000);
    tx(f, C, ACK, ISS_C + 1301, ISS_S + 1, 1000);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 2301, 0); /* two of the largest: ordinary */
    assert_int_equal(f->c->timing[S].stretch, 0);
    tx(f, C, ACK, ISS_C + 2301, ISS_S + 1, 1000);
    tx(f, C, ACK, ISS_C + 3301, ISS_S + 1, 1000);
    tx(f, C, ACK, ISS_C + 4301, ISS_S + 1, 1000);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 5301, 0); /* three: a stretch */
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(f->c->timing[S].stretch, 1);
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_STRETCH), 1);
}

/* One GRO super-segment, acknowledged at once: stretch, but not delayed. */
static void test_gro_super_segment(void **state)
{
    Fx *f = *state;
    handshake_timed(f, MS / 10, MS / 10);
    f->c->timing[C].mss = 1448; /* as its SYN announced */
    f->c->timing[C].mss_announced = true;
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 28960);
    tx_at(f, MS / 20, S, ACK, ISS_S + 1, ISS_C + 28961, 0, NULL);
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_STRETCH), 1);
    assert_int_equal(f->c->timing[S].immediate, 1);
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_DELAYED), 0);
}

/* A request written in two parts with Nagle on, three rounds: each time the
 * head goes out, the peer's ACK comes 40 ms later, the tail right after. */
static void test_nagle_stall(void **state)
{
    Fx *f = *state;
    handshake_timed(f, MS / 10, MS / 10);
    f->c->timing[C].mss = 1448;
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
    assert_int_equal(f->c->timing[C].stalls, 3);
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_NAGLE_DELACK_STALL), 1);
    const TfaAnomaly *a = NULL;
    for (guint i = 0; i < f->c->anomalies->len; i++) {
        const TfaAnomaly *x = &g_array_index(f->c->anomalies, TfaAnomaly, i);
        if (x->code == TFA_ANOMALY_ACK_NAGLE_DELACK_STALL)
            a = x;
    }
    assert_non_null(a);
    assert_int_equal(a->arg[0], 3);
    assert_int_equal(a->arg[1], 3 * 40 * MS);
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
    assert_int_equal(f->c->timing[C].stalls, 0);
    assert_int_equal(count_of(f, TFA_ANOMALY_ACK_NAGLE_DELACK_STALL), 0);
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
    assert_int_equal(f->c->timing[C].rtt_samples, 1);
    assert_int_equal(f->c->timing[C].rtt_min, 10 * MS);
    tx(f, C, ACK, 0xfffffff1u + 100, ISS_S + 1, 100);
    tx_at(f, 300 * MS, C, ACK, 0xfffffff1u + 100, ISS_S + 1, 100, NULL); /* retransmitted */
    tx_at(f, 5 * MS, S, ACK, ISS_S + 1, 0xfffffff1u + 200, 0, NULL);
    finish(f, TFA_END_CAPTURE_END, 0);
    assert_int_equal(f->c->timing[C].rtt_samples, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_vantage),         FX_TEST(test_classes),
        FX_TEST(test_untrusted),       FX_TEST(test_stretch),
        FX_TEST(test_stretch_without_announced_mss),
        FX_TEST(test_gro_super_segment), FX_TEST(test_nagle_stall),
        FX_TEST(test_nodelay_no_stall), FX_TEST(test_rtt_karn_and_wrap),
    };
    return cmocka_run_group_tests_name("detect/ackdelay", tests, NULL, NULL);
}
