/* test-tcpsm.c - every transition of the RFC 9293 diagram, for both roles,
 * as the capture shows it: sent transitions certain, received ones probable
 * until confirmed, revoked when contradicted; RST acceptance per RFC 5961. */
#include "tfa-test.h"

#include "tcpflow-audit/tcpsm.h"

/* The handshake as the detector counted it, for tfa_tcpsm_finish(): none. */
static const TfaHandshakeTimes no_hs;

#define C 0 /* the client's side in these tests */
#define S 1 /* the server's */
#define MS TFA_NSEC_PER_MSEC
#define ISS_C 1000u
#define ISS_S 5000u

enum { SYN = TFA_TH_SYN, ACK = TFA_TH_ACK, FIN = TFA_TH_FIN, RST = TFA_TH_RST };

typedef struct Fx {
    TfaOptions opts;
    TfaConn *c;
    TfaFrameNo frame;
    TfaSmEvent ev;
} Fx;

static int setup(void **state)
{
    Fx *f = g_new0(Fx, 1);
    tfa_options_init(&f->opts);
    f->c = g_new0(TfaConn, 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fx *f = *state;
    tfa_conn_free(f->c);
    g_free(f);
    return 0;
}

/* One segment from @side, 1 ms after the previous one; accounted as
 * conntrack would before tcpsm sees it. */
static void tx(Fx *f, uint8_t side, uint16_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
    f->frame++;
    TfaAddr a = tfa_test_ip4(10, 0, 0, (uint8_t)(1 + side));
    TfaAddr b = tfa_test_ip4(10, 0, 0, (uint8_t)(2 - side));
    TfaSegment seg = tfa_test_seg(a, side == C ? 40000 : 80, b, side == C ? 80 : 40000, flags, seq,
                                  ack, len, f->frame, (TfaTs)f->frame * MS);
    bool first = f->c->side[0].packets + f->c->side[1].packets == 0;
    TfaSideStats *st = &f->c->side[side];
    if (st->packets++ == 0)
        st->first_frame = f->frame;
    st->last_frame = f->frame;
    if ((flags & (SYN | ACK)) == SYN)
        f->c->life.syn_seen[side] = true;
    if (first)
        tfa_tcpsm_init(f->c, &f->opts, &seg, side);
    tfa_tcpsm_segment(f->c, &f->opts, &seg, side, &f->ev);
}

static uint8_t st(Fx *f, uint8_t side)
{
    return f->c->ep[side].state;
}

/* The path of @side as "STATE@frame[?]" joined by spaces ("?": probable;
 * frame 0 for the initial state). */
static char *path(Fx *f, uint8_t side)
{
    GString *s = g_string_new(NULL);
    const GArray *p = f->c->ep[side].path;
    for (guint i = 0; p != NULL && i < p->len; i++) {
        const TfaTransition *t = &g_array_index(p, TfaTransition, i);
        g_string_append_printf(s, "%s%s@%u%s", i ? " " : "",
                               tfa_tcp_state_name((TfaTcpState)t->state), (unsigned)t->frame,
                               t->certain || t->evidence == TFA_EVIDENCE_CAPTURE_START ? "" : "?");
    }
    return g_string_free(s, FALSE);
}

static void assert_path(Fx *f, uint8_t side, const char *want)
{
    g_autofree char *got = path(f, side);
    assert_string_equal(got, want);
}

/* The usual three-way handshake, frames 1-3. */
static void handshake(Fx *f)
{
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 0);
}

static void test_active_passive_open(void **state)
{
    Fx *f = *state;
    handshake(f);
    assert_int_equal(st(f, C), TFA_TCP_ESTABLISHED);
    assert_int_equal(st(f, S), TFA_TCP_ESTABLISHED);
    /* the client's ESTABLISHED comes from the SYN-ACK, confirmed by its ACK */
    assert_path(f, C, "CLOSED@0 SYN_SENT@1 ESTABLISHED@2");
    /* the server's from the third ACK, probable until it sends */
    assert_path(f, S, "LISTEN@0 SYN_RECEIVED@1 ESTABLISHED@3?");
    assert_true(f->c->ep[S].passive);
    assert_false(f->c->ep[C].passive);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 1, 10);
    assert_path(f, S, "LISTEN@0 SYN_RECEIVED@1 ESTABLISHED@3");
    assert_int_equal(f->c->ep[C].iss, ISS_C);
    assert_int_equal(f->c->ep[C].irs, ISS_S);
    assert_int_equal(f->c->ep[S].snd_nxt, ISS_S + 11);
}

/* Client closes first: FIN, FIN+ACK (acking it), ACK (Linux's usual). */
static void test_close_client_first(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);         /* 4 */
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 2, 0);         /* 5 */
    tx(f, C, ACK, ISS_C + 2, ISS_S + 2, 0);               /* 6 */
    assert_path(f, C, "CLOSED@0 SYN_SENT@1 ESTABLISHED@2 FIN_WAIT_1@4 TIME_WAIT@5");
    assert_path(f, S, "LISTEN@0 SYN_RECEIVED@1 ESTABLISHED@3 CLOSE_WAIT@4 LAST_ACK@5 CLOSED@6?");
    assert_true(tfa_tcpsm_finished(f->c));
}

/* FIN_WAIT_1 -> FIN_WAIT_2 -> TIME_WAIT, and data still flowing to the
 * half-closed client (CLOSE_WAIT on the server side). */
static void test_half_close(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);         /* 4 */
    tx(f, S, ACK, ISS_S + 1, ISS_C + 2, 0);               /* 5 */
    tx(f, S, ACK, ISS_S + 1, ISS_C + 2, 1000);            /* 6: data after the FIN */
    tx(f, C, ACK, ISS_C + 2, ISS_S + 1001, 0);            /* 7 */
    assert_int_equal(st(f, C), TFA_TCP_FIN_WAIT_2);
    assert_int_equal(st(f, S), TFA_TCP_CLOSE_WAIT);
    assert_false(tfa_tcpsm_finished(f->c));
    tx(f, S, FIN | ACK, ISS_S + 1001, ISS_C + 2, 0);      /* 8 */
    tx(f, C, ACK, ISS_C + 2, ISS_S + 1002, 0);            /* 9 */
    assert_path(f, C, "CLOSED@0 SYN_SENT@1 ESTABLISHED@2 FIN_WAIT_1@4 FIN_WAIT_2@5 TIME_WAIT@8");
    assert_path(f, S, "LISTEN@0 SYN_RECEIVED@1 ESTABLISHED@3 CLOSE_WAIT@4 LAST_ACK@8 CLOSED@9?");
}

/* Crossed FINs (RFC 9293 figure 13): FIN_WAIT_1 -> CLOSING -> TIME_WAIT on
 * both sides; the second FIN does not acknowledge the first. */
static void test_simultaneous_close(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);         /* 4 */
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 1, 0);         /* 5: crossed */
    tx(f, C, ACK, ISS_C + 2, ISS_S + 2, 0);               /* 6 */
    tx(f, S, ACK, ISS_S + 2, ISS_C + 2, 0);               /* 7 */
    assert_path(f, C, "CLOSED@0 SYN_SENT@1 ESTABLISHED@2 FIN_WAIT_1@4 CLOSING@5 TIME_WAIT@7?");
    assert_path(f, S, "LISTEN@0 SYN_RECEIVED@1 ESTABLISHED@3 FIN_WAIT_1@5 CLOSING@5 TIME_WAIT@6");
    assert_true(tfa_tcpsm_finished(f->c));
}

/* Server closes first; the server ends in TIME_WAIT, which lasts 2*MSL. */
static void test_close_server_first_and_time_wait(void **state)
{
    Fx *f = *state;
    f->opts.msl = 10 * MS;
    handshake(f);
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 1, 0);         /* 4 */
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 2, 0);         /* 5 */
    tx(f, S, ACK, ISS_S + 2, ISS_C + 2, 0);               /* 6 */
    assert_int_equal(st(f, S), TFA_TCP_TIME_WAIT);
    assert_int_equal(f->c->ep[S].time_wait_ts, 5 * MS);
    tfa_tcpsm_advance(f->c, &f->opts, 5 * MS + 20 * MS - 1);
    assert_int_equal(st(f, S), TFA_TCP_TIME_WAIT);
    tfa_tcpsm_advance(f->c, &f->opts, 5 * MS + 20 * MS);
    assert_int_equal(st(f, S), TFA_TCP_CLOSED);
    const TfaTransition *t = &g_array_index(f->c->ep[S].path, TfaTransition,
                                             f->c->ep[S].path->len - 1);
    assert_int_equal(t->evidence, TFA_EVIDENCE_TIMER);
    assert_int_equal(t->ts, 25 * MS);
    assert_int_equal(tfa_tcpsm_state_at(f->c, S, 5 * MS), TFA_TCP_TIME_WAIT);
    assert_int_equal(tfa_tcpsm_state_at(f->c, S, 4 * MS), TFA_TCP_FIN_WAIT_1);
    assert_int_equal(tfa_tcpsm_state_at(f->c, C, 2 * MS), TFA_TCP_ESTABLISHED);
}

/* Simultaneous open (RFC 9293 figure 7): both send SYN, then SYN-ACK. */
static void test_simultaneous_open(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);                           /* 1 */
    tx(f, S, SYN, ISS_S, 0, 0);                           /* 2: crossed */
    tx(f, C, SYN | ACK, ISS_C, ISS_S + 1, 0);             /* 3 */
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);             /* 4 */
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 0);               /* 5 */
    tx(f, S, ACK, ISS_S + 1, ISS_C + 1, 0);               /* 6 */
    assert_int_equal(st(f, C), TFA_TCP_ESTABLISHED);
    assert_int_equal(st(f, S), TFA_TCP_ESTABLISHED);
    assert_false(f->c->ep[S].passive);
    assert_path(f, C, "CLOSED@0 SYN_SENT@1 SYN_RECEIVED@2 ESTABLISHED@4");
    assert_path(f, S, "CLOSED@0 SYN_SENT@2 SYN_RECEIVED@2 ESTABLISHED@3");
}

/* Refused: the RST answering the SYN; the port was never listening. */
static void test_refused(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, S, RST | ACK, 0, ISS_C + 1, 0);
    assert_path(f, S, "CLOSED@2");
    assert_path(f, C, "CLOSED@0 SYN_SENT@1 CLOSED@2?");
    assert_true(f->ev.rst);
    assert_int_equal(f->ev.rst_accept, TFA_RST_ACCEPTED);
    assert_true(tfa_tcpsm_finished(f->c));
    assert_int_equal(f->c->rsts->len, 1);
}

/* In SYN_SENT an RST must acknowledge the SYN (RFC 9293 §3.10.7.3). */
static void test_rst_in_syn_sent_bad_ack(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, S, RST | ACK, 0, ISS_C, 0); /* acks the ISN, not ISN+1: forged */
    assert_int_equal(f->ev.rst_accept, TFA_RST_IGNORED);
    assert_int_equal(st(f, C), TFA_TCP_SYN_SENT);
    tx(f, S, RST, 0, 0, 0); /* no ACK at all */
    assert_int_equal(f->ev.rst_accept, TFA_RST_IGNORED);
    assert_int_equal(st(f, C), TFA_TCP_SYN_SENT);
}

/* SYN_RECEIVED -> LISTEN on an acceptable RST (passive open). */
static void test_syn_received_back_to_listen(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);
    tx(f, C, RST, ISS_C + 1, 0, 0);
    assert_int_equal(f->ev.rst_accept, TFA_RST_ACCEPTED);
    assert_int_equal(st(f, S), TFA_TCP_LISTEN);
    assert_int_equal(st(f, C), TFA_TCP_CLOSED);
    assert_true(tfa_tcpsm_finished(f->c));
}

/* RFC 5961: exact RST resets, in-window RST is challenged, out-of-window
 * RST is dropped; the last two leave the receiver ESTABLISHED. */
static void test_rst_acceptance_established(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 1, 0);               /* window 65535 */
    tx(f, C, RST, ISS_C + 100, 0, 0);
    assert_int_equal(f->ev.rst_accept, TFA_RST_CHALLENGED);
    assert_int_equal(st(f, S), TFA_TCP_ESTABLISHED);
    assert_int_equal(st(f, C), TFA_TCP_ESTABLISHED); /* not its own, maybe */
    tx(f, C, RST, ISS_C + 1 + 200000, 0, 0);
    assert_int_equal(f->ev.rst_accept, TFA_RST_IGNORED);
    assert_int_equal(st(f, S), TFA_TCP_ESTABLISHED);
    tx(f, C, RST, ISS_C + 1, 0, 0);
    assert_int_equal(f->ev.rst_accept, TFA_RST_ACCEPTED);
    assert_int_equal(st(f, S), TFA_TCP_CLOSED);
    assert_int_equal(st(f, C), TFA_TCP_CLOSED);
    assert_int_equal(f->c->rsts->len, 3);
    assert_int_equal(g_array_index(f->c->rsts, TfaRstInfo, 0).receiver_state,
                     TFA_TCP_ESTABLISHED);
}

/* An RST in each later state resets its receiver when exact. */
static void test_rst_in_each_state(void **state)
{
    static const struct {
        uint16_t flags;
        uint8_t want;
    } steps[] = {
        {FIN | ACK, TFA_TCP_CLOSE_WAIT}, /* the server gets the client's FIN */
    };
    Fx *f = *state;
    handshake(f);
    tx(f, C, steps[0].flags, ISS_C + 1, ISS_S + 1, 0);  /* 4: server CLOSE_WAIT */
    assert_int_equal(st(f, S), steps[0].want);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 2, 0);             /* 5: client FIN_WAIT_2 */
    assert_int_equal(st(f, C), TFA_TCP_FIN_WAIT_2);
    /* RST from the server in CLOSE_WAIT (an application abort) to the
     * client in FIN_WAIT_2 */
    tx(f, S, RST | ACK, ISS_S + 1, ISS_C + 2, 0);
    assert_int_equal(f->ev.rst_accept, TFA_RST_ACCEPTED);
    assert_int_equal(f->ev.before[C], TFA_TCP_FIN_WAIT_2);
    assert_int_equal(f->ev.before[S], TFA_TCP_CLOSE_WAIT);
    assert_int_equal(st(f, C), TFA_TCP_CLOSED);
    assert_int_equal(st(f, S), TFA_TCP_CLOSED);
}

/* An RST in TIME_WAIT ends it (RFC 9293; Linux without rfc1337). */
static void test_rst_in_time_wait(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 2, 0);
    tx(f, C, ACK, ISS_C + 2, ISS_S + 2, 0);
    assert_int_equal(st(f, C), TFA_TCP_TIME_WAIT);
    tx(f, S, RST, ISS_S + 2, 0, 0);
    assert_int_equal(f->ev.rst_accept, TFA_RST_ACCEPTED);
    assert_int_equal(f->ev.before[C], TFA_TCP_TIME_WAIT);
    assert_int_equal(st(f, C), TFA_TCP_CLOSED);
}

/* An RST to an endpoint that has no connection: nothing to judge. */
static void test_rst_no_state(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, S, RST | ACK, 0, ISS_C + 1, 0);
    tx(f, C, RST, ISS_C + 1, 0, 0);
    assert_int_equal(f->ev.rst_accept, TFA_RST_NO_STATE);
}

/* The third ACK lost after the capture point: the server repeats its
 * SYN-ACK, which revokes the ESTABLISHED we took from the ACK; the client's
 * data then establishes it. */
static void test_third_ack_lost(void **state)
{
    Fx *f = *state;
    handshake(f);
    assert_int_equal(st(f, S), TFA_TCP_ESTABLISHED);
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);             /* 4: SYN-ACK again */
    assert_true(f->ev.revoked);
    assert_int_equal(st(f, S), TFA_TCP_SYN_RECEIVED);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 100);             /* 5: data */
    tx(f, S, ACK, ISS_S + 1, ISS_C + 101, 0);             /* 6 */
    assert_path(f, S, "LISTEN@0 SYN_RECEIVED@1 ESTABLISHED@5");
}

/* A full accept queue: the server lets the third ACK and the ACK of each
 * repeated SYN-ACK go.  The last ACK, which nothing follows, most likely
 * went the same way: at the end the server is still SYN_RECEIVED. */
static void test_third_ack_dropped_again_and_again(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);             /* 4 */
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 0);               /* 5 */
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);             /* 6 */
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 0);               /* 7 */
    assert_int_equal(f->c->ep[S].acks_dropped, 2);
    assert_int_equal(st(f, S), TFA_TCP_ESTABLISHED);
    tfa_tcpsm_finish(f->c, &f->opts, 10 * MS, &no_hs);
    assert_int_equal(st(f, S), TFA_TCP_SYN_RECEIVED);
    assert_path(f, S, "LISTEN@0 SYN_RECEIVED@1");
}

/* The third ACK and the ACK of the repeat lost, then the client's data
 * with the same acknowledgement: the server's ESTABLISHED is evidenced by
 * the data (the latest copy), which it acknowledges.  Had it given up
 * instead, its bare RST shows it never left SYN_RECEIVED. */
static void test_third_ack_lost_data_completes(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);             /* 4 */
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 0);               /* 5: lost too */
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 100);             /* 6: data */
    tx(f, S, ACK, ISS_S + 1, ISS_C + 101, 0);             /* 7 */
    assert_path(f, S, "LISTEN@0 SYN_RECEIVED@1 ESTABLISHED@6");
}

static void test_third_ack_lost_server_gave_up(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);             /* 4 */
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 0);               /* 5 */
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 100);             /* 6 */
    tx(f, S, RST, ISS_S + 1, 0, 0);                       /* 7: no connection */
    assert_path(f, S, "LISTEN@0 SYN_RECEIVED@1 CLOSED@7");
}

/* The last ACK lost: the LAST_ACK side repeats its FIN, which revokes the
 * CLOSED we took from the ACK; the second ACK closes it. */
static void test_last_ack_lost(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);         /* 4 */
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 2, 0);         /* 5 */
    tx(f, C, ACK, ISS_C + 2, ISS_S + 2, 0);               /* 6: lost after capture */
    assert_int_equal(st(f, S), TFA_TCP_CLOSED);
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 2, 0);         /* 7: FIN again */
    assert_true(f->ev.revoked);
    assert_int_equal(st(f, S), TFA_TCP_LAST_ACK);
    tx(f, C, ACK, ISS_C + 2, ISS_S + 2, 0);               /* 8 */
    assert_path(f, S, "LISTEN@0 SYN_RECEIVED@1 ESTABLISHED@3 CLOSE_WAIT@4 LAST_ACK@5 CLOSED@8?");
}

/* A FIN lost after the capture point: the peer's CLOSE_WAIT is evidenced by
 * the retransmission it acknowledges. */
static void test_fin_lost(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);         /* 4: lost */
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);         /* 5: again */
    tx(f, S, ACK, ISS_S + 1, ISS_C + 2, 0);               /* 6 */
    assert_path(f, S, "LISTEN@0 SYN_RECEIVED@1 ESTABLISHED@3 CLOSE_WAIT@5");
    assert_int_equal(st(f, C), TFA_TCP_FIN_WAIT_2);
}

/* A FIN lost for good: sent again and again, and the peer's next segment
 * (a write) still acknowledges only what came before it.  The peer never
 * got it: it is ESTABLISHED, not CLOSE_WAIT; its later ACK of a copy puts
 * it in CLOSE_WAIT after all. */
static void test_fin_lost_for_good(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);         /* 4: lost */
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);         /* 5: again, lost */
    assert_int_equal(st(f, S), TFA_TCP_CLOSE_WAIT);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 1, 20);              /* 6: a write, FIN not acked */
    assert_true(f->ev.revoked);
    assert_int_equal(st(f, S), TFA_TCP_ESTABLISHED);
    assert_path(f, S, "LISTEN@0 SYN_RECEIVED@1 ESTABLISHED@3");
    tx(f, C, RST, ISS_C + 2, 0, 0);                       /* 7: the closer resets it */
    assert_int_equal(f->ev.rst_accept, TFA_RST_ACCEPTED);
    assert_int_equal(f->c->rsts->len, 1);
    assert_int_equal(g_array_index(f->c->rsts, TfaRstInfo, 0).receiver_state,
                     TFA_TCP_ESTABLISHED);
}

/* A write that crosses the first FIN (not repeated) proves nothing; one
 * after a repeat does, until a later copy is acknowledged. */
static void test_fin_lost_then_acked(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);         /* 4 */
    tx(f, S, ACK, ISS_S + 1, ISS_C + 1, 20);              /* 5: crosses it */
    assert_false(f->ev.revoked);
    assert_int_equal(st(f, S), TFA_TCP_CLOSE_WAIT);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 21, 0);        /* 6: again */
    tx(f, S, ACK, ISS_S + 21, ISS_C + 1, 20);             /* 7: not acked: never got it */
    assert_int_equal(st(f, S), TFA_TCP_ESTABLISHED);
    tx(f, S, ACK, ISS_S + 41, ISS_C + 2, 0);              /* 8: it did get the copy */
    assert_int_equal(st(f, S), TFA_TCP_CLOSE_WAIT);
    assert_path(f, S, "LISTEN@0 SYN_RECEIVED@1 ESTABLISHED@3 CLOSE_WAIT@8");
}

/* The SYN-ACK captured before its SYN (capture-point reordering). */
static void test_synack_before_syn(void **state)
{
    Fx *f = *state;
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);             /* 1 */
    tx(f, C, SYN, ISS_C, 0, 0);                           /* 2 */
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 0);               /* 3 */
    assert_path(f, C, "CLOSED@0 SYN_SENT@2 ESTABLISHED@1");
    assert_path(f, S, "LISTEN@0 SYN_RECEIVED@1 ESTABLISHED@3?");
    assert_false(f->ev.syn_inside);
}

/* A capture that begins mid-connection: both ESTABLISHED from the start,
 * certain once each has sent an acknowledging segment. */
static void test_mid_stream(void **state)
{
    Fx *f = *state;
    tx(f, C, ACK, ISS_C + 500, ISS_S + 900, 100);
    assert_true(f->c->mid_stream);
    assert_int_equal(st(f, C), TFA_TCP_ESTABLISHED);
    assert_true(g_array_index(f->c->ep[C].path, TfaTransition, 0).certain);
    assert_false(g_array_index(f->c->ep[S].path, TfaTransition, 0).certain);
    tx(f, C, FIN | ACK, ISS_C + 600, ISS_S + 900, 0);
    assert_int_equal(st(f, C), TFA_TCP_FIN_WAIT_1);
    assert_int_equal(st(f, S), TFA_TCP_CLOSE_WAIT);
}

/* One-sided capture: only the client's packets.  The server's states are
 * all probable, but they follow. */
static void test_one_sided(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 50);
    tx(f, C, FIN | ACK, ISS_C + 51, ISS_S + 1, 0);
    assert_path(f, C, "CLOSED@0 SYN_SENT@1 ESTABLISHED@2 FIN_WAIT_1@4");
    assert_path(f, S, "LISTEN@0 SYN_RECEIVED@1? ESTABLISHED@2? CLOSE_WAIT@4?");
}

/* A SYN with a new ISN inside an established connection is flagged and
 * changes nothing. */
static void test_syn_inside(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, SYN, ISS_C + 77777, 0, 0);
    assert_true(f->ev.syn_inside);
    assert_int_equal(st(f, S), TFA_TCP_ESTABLISHED);
    assert_int_equal(f->c->ep[C].iss, ISS_C);
    /* the same SYN as the handshake's, late: not inside */
    tx(f, C, SYN, ISS_C, 0, 0);
    assert_false(f->ev.syn_inside);
}

/* The "sender" of an RST keeps talking: the RST was not its own, and its
 * state machine goes on from before it. */
static void test_rst_sender_keeps_talking(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, RST, ISS_C + 1, 0, 0);                       /* 4: exact, accepted */
    assert_int_equal(st(f, S), TFA_TCP_CLOSED);
    assert_int_equal(st(f, C), TFA_TCP_CLOSED);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 10);              /* 5: data from the "closed" client */
    assert_int_equal(st(f, C), TFA_TCP_ESTABLISHED);
    assert_path(f, C, "CLOSED@0 SYN_SENT@1 ESTABLISHED@2 CLOSED@4 ESTABLISHED@5");
}

/* The server "closed" by an RST it took, then talks on: it never took it. */
static void test_rst_receiver_keeps_talking(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 1, 0);
    tx(f, C, RST, ISS_C + 1, 0, 0);                       /* 5 */
    assert_int_equal(st(f, S), TFA_TCP_CLOSED);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 1, 10);              /* 6 */
    assert_true(f->ev.revoked);
    assert_int_equal(st(f, S), TFA_TCP_ESTABLISHED);
}

/* At report time: a SYN sent again and again to a server that never
 * answered most likely never arrived: the server stays LISTEN. */
static void test_finish_unanswered(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, C, SYN, ISS_C, 0, 0);
    assert_int_equal(st(f, S), TFA_TCP_SYN_RECEIVED);
    tfa_tcpsm_finish(f->c, &f->opts, 10 * MS, &no_hs);
    assert_int_equal(st(f, S), TFA_TCP_LISTEN);
    assert_int_equal(st(f, C), TFA_TCP_SYN_SENT);
    assert_path(f, S, "LISTEN@0");
}

/* At report time: SYNs retried over 3 s, then nothing for 10 s more: the
 * client's connect() gave up and its socket is gone (CLOSED, by its timer);
 * with the capture ending sooner it may still be retrying. */
static void test_finish_connect_gave_up(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, C, SYN, ISS_C, 0, 0);
    f->c->side[C].first_ts = 1 * TFA_NSEC_PER_SEC;
    f->c->side[C].last_ts = 4 * TFA_NSEC_PER_SEC;
    tfa_tcpsm_finish(f->c, &f->opts, 9 * TFA_NSEC_PER_SEC, &no_hs);
    assert_int_equal(st(f, C), TFA_TCP_SYN_SENT);
    tfa_tcpsm_finish(f->c, &f->opts, 14 * TFA_NSEC_PER_SEC, &no_hs);
    assert_int_equal(st(f, C), TFA_TCP_CLOSED);
    const TfaTransition *t = &g_array_index(f->c->ep[C].path, TfaTransition,
                                            f->c->ep[C].path->len - 1);
    assert_int_equal(t->evidence, TFA_EVIDENCE_TIMER);
    assert_int_equal(t->ts, 10 * TFA_NSEC_PER_SEC);
    assert_int_equal(tfa_tcpsm_state_at(f->c, C, 5 * TFA_NSEC_PER_SEC), TFA_TCP_SYN_SENT);
}

/* At report time: a listener's one SYN-ACK never repeated, 2 s and more
 * later, the client silent: it kept no request (a SYN cookie), LISTEN
 * again; reported sooner, it may still repeat it. */
static void test_finish_no_request_kept(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);
    /* as the handshake detector counted them */
    TfaHandshakeTimes hs = {.syn_count = 1, .synack_count = 1, .synack_ts = 2 * MS};
    tfa_tcpsm_finish(f->c, &f->opts, 1500 * MS, &hs);
    assert_int_equal(st(f, S), TFA_TCP_SYN_RECEIVED);
    tfa_tcpsm_finish(f->c, &f->opts, 2500 * MS, &hs);
    assert_int_equal(st(f, S), TFA_TCP_LISTEN);
    assert_int_equal(tfa_tcpsm_state_at(f->c, S, 500 * MS), TFA_TCP_SYN_RECEIVED);
}

/* At report time: a new incarnation took over a TIME_WAIT. */
static void test_finish_reused(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 1, 0);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 2, 0);
    tx(f, S, ACK, ISS_S + 2, ISS_C + 2, 0);               /* 6: server TIME_WAIT */
    f->c->end_reason = TFA_END_NEW_INCARNATION;
    f->c->end_frame = 9;
    f->c->end_ts = 9 * MS;
    tfa_tcpsm_finish(f->c, &f->opts, 9 * MS, &no_hs);
    assert_int_equal(st(f, S), TFA_TCP_CLOSED);
    const TfaTransition *t = &g_array_index(f->c->ep[S].path, TfaTransition,
                                             f->c->ep[S].path->len - 1);
    assert_int_equal(t->frame, 9);
    assert_int_equal(t->evidence, TFA_EVIDENCE_INFERRED);
}

/* The path is capped; the state machine goes on. */
static void test_path_cap(void **state)
{
    Fx *f = *state;
    f->opts.max_transitions_per_endpoint = 3;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);
    assert_int_equal(f->c->ep[C].path->len, 3);
    assert_int_equal(f->c->ep[C].path_dropped, 1);
    assert_int_equal(st(f, C), TFA_TCP_FIN_WAIT_1);
}

/* Window scaling only when both SYNs carry the option (RFC 7323 §2.2). */
static void test_window_scaling(void **state)
{
    Fx *f = *state;
    TfaAddr a = tfa_test_ip4(10, 0, 0, 1), b = tfa_test_ip4(10, 0, 0, 2);
    TfaSegment syn = tfa_test_seg(a, 40000, b, 80, SYN, ISS_C, 0, 0, 1, MS);
    syn.opt.has_wscale = true;
    syn.opt.wscale = 7;
    TfaSegment synack = tfa_test_seg(b, 80, a, 40000, SYN | ACK, ISS_S, ISS_C + 1, 0, 2, 2 * MS);
    synack.opt.has_wscale = true;
    synack.opt.wscale = 15; /* clamped to 14 */
    TfaSegment ack = tfa_test_seg(a, 40000, b, 80, ACK, ISS_C + 1, ISS_S + 1, 0, 3, 3 * MS);
    ack.window = 100;
    tfa_tcpsm_init(f->c, &f->opts, &syn, C);
    tfa_tcpsm_segment(f->c, &f->opts, &syn, C, &f->ev);
    tfa_tcpsm_segment(f->c, &f->opts, &synack, S, &f->ev);
    tfa_tcpsm_segment(f->c, &f->opts, &ack, C, &f->ev);
    assert_int_equal(f->c->ep[S].wscale, 14);
    assert_int_equal(f->c->ep[C].rcv_wnd, 100u << 7);
    assert_int_equal(f->c->ep[S].snd_wnd, 100u << 7);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_active_passive_open), T(test_close_client_first), T(test_half_close),
        T(test_simultaneous_close), T(test_close_server_first_and_time_wait),
        T(test_simultaneous_open), T(test_refused), T(test_rst_in_syn_sent_bad_ack),
        T(test_syn_received_back_to_listen), T(test_rst_acceptance_established),
        T(test_rst_in_each_state), T(test_rst_in_time_wait), T(test_rst_no_state),
        T(test_third_ack_lost), T(test_third_ack_dropped_again_and_again),
        T(test_third_ack_lost_data_completes), T(test_third_ack_lost_server_gave_up), T(test_last_ack_lost), T(test_fin_lost), T(test_fin_lost_for_good), T(test_fin_lost_then_acked),
        T(test_synack_before_syn), T(test_mid_stream), T(test_one_sided), T(test_syn_inside),
        T(test_rst_sender_keeps_talking), T(test_rst_receiver_keeps_talking),
        T(test_finish_unanswered), T(test_finish_connect_gave_up), T(test_finish_no_request_kept), T(test_finish_reused), T(test_path_cap),
        T(test_window_scaling),
    };
#undef T
    return cmocka_run_group_tests_name("tcpsm/tcpsm", tests, NULL, NULL);
}
