/* test-conntrack.c - keys, originator inference, closing, incarnations,
 * idle expiry and eviction at the cap. */
#include "tfa-test.h"

#include "tcpflow-audit/conntrack.h"

#define SEC TFA_NSEC_PER_SEC

typedef struct Fixture {
    TfaOptions opts;
    TfaStats stats;
    TfaConnTable *ct;
    GQueue retired;
    TfaAddr a, b;
} Fixture;

static int setup(void **state)
{
    Fixture *f = g_new0(Fixture, 1);
    tfa_options_init(&f->opts);
    f->opts.max_conns = 3;
    f->ct = tfa_conntrack_new(&f->opts, &f->stats, 12345);
    g_queue_init(&f->retired);
    f->a = tfa_test_ip4(10, 0, 0, 1);
    f->b = tfa_test_ip4(10, 0, 0, 2);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    GList *l;
    while ((l = g_queue_pop_head_link(&f->retired)) != NULL)
        tfa_conn_free(l->data);
    tfa_conntrack_free(f->ct);
    g_free(f);
    return 0;
}

/* Segment from a:ap to b:bp, or back when @back. */
static TfaConn *feed(Fixture *f, bool back, uint16_t ap, uint16_t bp, uint16_t flags, uint32_t seq,
                     uint32_t ack, uint32_t len, TfaFrameNo frame, TfaTs ts)
{
    TfaSegment s = back ? tfa_test_seg(f->b, bp, f->a, ap, flags, seq, ack, len, frame, ts)
                        : tfa_test_seg(f->a, ap, f->b, bp, flags, seq, ack, len, frame, ts);
    uint8_t side;
    bool created;
    tfa_conntrack_expire(f->ct, ts, &f->retired);
    return tfa_conntrack_segment(f->ct, &s, &side, &f->retired, &created);
}

static TfaConn *pop(Fixture *f)
{
    GList *l = g_queue_pop_head_link(&f->retired);
    return l != NULL ? l->data : NULL;
}

static void test_key_is_canonical(void **state)
{
    Fixture *f = *state;
    TfaSegment s1 = tfa_test_seg(f->a, 1000, f->b, 80, TFA_TH_SYN, 0, 0, 0, 1, 0);
    TfaSegment s2 = tfa_test_seg(f->b, 80, f->a, 1000, TFA_TH_SYN | TFA_TH_ACK, 0, 1, 0, 2, 0);
    TfaConnKey k1, k2;
    uint8_t side1, side2;
    tfa_conntrack_key(&s1, 7, &k1, &side1);
    tfa_conntrack_key(&s2, 7, &k2, &side2);
    assert_memory_equal(&k1, &k2, sizeof(k1));
    assert_int_not_equal(side1, side2);
    /* a VLAN ID is part of the key */
    s1.vlan[0] = 10;
    tfa_conntrack_key(&s1, 7, &k2, &side2);
    assert_int_not_equal(k1.hash, k2.hash);
}

/* Every byte of the key feeds the hash, the seed changes it, and keys that
 * differ in one port or one address byte spread over the buckets. */
static void test_key_hash_spreads(void **state)
{
    Fixture *f = *state;
    TfaSegment s = tfa_test_seg(f->a, 1000, f->b, 80, TFA_TH_SYN, 0, 0, 0, 1, 0);
    TfaConnKey k, k2;
    uint8_t side;
    tfa_conntrack_key(&s, 7, &k, &side);
    tfa_conntrack_key(&s, 8, &k2, &side);
    assert_int_not_equal(k.hash, k2.hash);
    s.vlan[1] = 1; /* the last bytes of the key */
    tfa_conntrack_key(&s, 7, &k2, &side);
    assert_int_not_equal(k.hash, k2.hash);
    s.vlan[1] = 0;

    enum { BUCKETS = 256, KEYS = 65536 };
    guint load[BUCKETS] = {0}, load_addr[BUCKETS] = {0};
    for (guint i = 0; i < KEYS; i++) {
        s.sport = (uint16_t)i;
        tfa_conntrack_key(&s, 7, &k, &side);
        load[k.hash % BUCKETS]++;
    }
    s.sport = 1000;
    for (guint i = 0; i < KEYS; i++) {
        s.src.bytes[2] = (uint8_t)(i >> 8);
        s.src.bytes[3] = (uint8_t)i;
        tfa_conntrack_key(&s, 7, &k, &side);
        load_addr[k.hash % BUCKETS]++;
    }
    /* 256 keys per bucket on average; a poor hash piles them up */
    for (guint b = 0; b < BUCKETS; b++) {
        assert_in_range(load[b], 256 - 80, 256 + 80);
        assert_in_range(load_addr[b], 256 - 80, 256 + 80);
    }
}

static void test_handshake_and_counts(void **state)
{
    Fixture *f = *state;
    TfaConn *c = feed(f, false, 40000, 80, TFA_TH_SYN, 100, 0, 0, 1, 1 * SEC);
    assert_int_equal(c->originator, TFA_ORIGINATOR_SYN);
    feed(f, true, 40000, 80, TFA_TH_SYN | TFA_TH_ACK, 500, 101, 0, 2, 1 * SEC + 10);
    feed(f, false, 40000, 80, TFA_TH_ACK, 101, 501, 0, 3, 1 * SEC + 20);
    feed(f, false, 40000, 80, TFA_TH_ACK | TFA_TH_PSH, 101, 501, 100, 4, 1 * SEC + 30);
    TfaConn *same = feed(f, true, 40000, 80, TFA_TH_ACK, 501, 201, 0, 5, 1 * SEC + 40);
    assert_ptr_equal(c, same);
    uint8_t cl = c->client;
    assert_int_equal(c->side[cl].packets, 3);
    assert_int_equal(c->side[cl].bytes, 100);
    assert_int_equal(c->side[1 - cl].packets, 2);
    assert_int_equal(c->side[cl].first_frame, 1);
    assert_int_equal(c->side[1 - cl].last_frame, 5);
    assert_int_equal(c->side[cl].flags_seen, TFA_TH_SYN | TFA_TH_ACK | TFA_TH_PSH);
    assert_int_equal(c->id, 1);
    assert_int_equal(tfa_conntrack_size(f->ct), 1);
}

/* Closed (as the state machine decides): the record waits for the close
 * linger, so a late retransmission still joins it. */
static void test_close_and_linger(void **state)
{
    Fixture *f = *state;
    TfaConn *c = feed(f, false, 40000, 80, TFA_TH_SYN, 100, 0, 0, 1, 1 * SEC);
    feed(f, true, 40000, 80, TFA_TH_SYN | TFA_TH_ACK, 500, 101, 0, 2, 1 * SEC);
    feed(f, false, 40000, 80, TFA_TH_ACK | TFA_TH_FIN, 101, 501, 0, 3, 2 * SEC);
    feed(f, true, 40000, 80, TFA_TH_ACK | TFA_TH_FIN, 501, 102, 0, 4, 2 * SEC);
    feed(f, false, 40000, 80, TFA_TH_ACK, 102, 502, 0, 5, 2 * SEC);
    assert_false(c->life.closed);
    tfa_conntrack_set_closed(f->ct, c, true, 5);
    assert_true(c->life.closed);
    assert_int_equal(c->life.closed_frame, 5);
    /* a retransmitted FIN within the linger joins the same connection */
    TfaConn *again = feed(f, true, 40000, 80, TFA_TH_ACK | TFA_TH_FIN, 501, 102, 0, 6, 3 * SEC);
    assert_ptr_equal(c, again);
    assert_null(pop(f));
    tfa_conntrack_expire(f->ct, 3 * SEC + f->opts.close_linger - 1, &f->retired);
    assert_null(pop(f));
    tfa_conntrack_expire(f->ct, 3 * SEC + f->opts.close_linger, &f->retired);
    TfaConn *r = pop(f);
    assert_ptr_equal(r, c);
    assert_int_equal(r->end_reason, TFA_END_CLOSED);
    assert_int_equal(tfa_conntrack_size(f->ct), 0);
    tfa_conn_free(r);
}

/* Closed, then open again (an RST that turned out not to end it), then
 * closed by an RST: the end reason says reset. */
static void test_rst_closes(void **state)
{
    Fixture *f = *state;
    TfaConn *c = feed(f, false, 40000, 81, TFA_TH_SYN, 100, 0, 0, 1, 1 * SEC);
    feed(f, true, 40000, 81, TFA_TH_RST | TFA_TH_ACK, 0, 101, 0, 2, 1 * SEC);
    assert_true(c->life.rst_seen);
    tfa_conntrack_set_closed(f->ct, c, true, 2);
    tfa_conntrack_set_closed(f->ct, c, false, 3);
    assert_false(c->life.closed);
    tfa_conntrack_expire(f->ct, 1 * SEC + f->opts.close_linger, &f->retired);
    assert_null(pop(f));
    tfa_conntrack_set_closed(f->ct, c, true, 4);
    tfa_conntrack_retire_all(f->ct, &f->retired);
    TfaConn *r = pop(f);
    assert_ptr_equal(r, c);
    assert_int_equal(r->end_reason, TFA_END_RESET);
    tfa_conn_free(r);
}

/* An RST its receiver ignored (out of window) or challenged, then a
 * graceful close: the connection closed, it was not reset. */
static void test_ignored_rst_is_no_reset(void **state)
{
    Fixture *f = *state;
    TfaConn *c = feed(f, false, 40000, 82, TFA_TH_SYN, 100, 0, 0, 1, 1 * SEC);
    feed(f, true, 40000, 82, TFA_TH_RST | TFA_TH_ACK, 0, 101, 0, 2, 1 * SEC);
    /* as tcpsm records them */
    c->rsts = g_array_new(FALSE, TRUE, sizeof(TfaRstInfo));
    TfaRstInfo info = {.frame = 2, .accept = TFA_RST_IGNORED};
    g_array_append_val(c->rsts, info);
    info.accept = TFA_RST_CHALLENGED;
    g_array_append_val(c->rsts, info);
    c->rsts_total = 2;
    tfa_conntrack_set_closed(f->ct, c, true, 4);
    tfa_conntrack_retire_all(f->ct, &f->retired);
    TfaConn *r = pop(f);
    assert_ptr_equal(r, c);
    assert_int_equal(r->end_reason, TFA_END_CLOSED);
    tfa_conn_free(r);
}

/* A new SYN with a new ISN on a closed tuple is a new incarnation; the same
 * SYN again is a retransmission. */
static void test_incarnations(void **state)
{
    Fixture *f = *state;
    TfaConn *c1 = feed(f, false, 40000, 80, TFA_TH_SYN, 100, 0, 0, 1, 1 * SEC);
    assert_ptr_equal(feed(f, false, 40000, 80, TFA_TH_SYN, 100, 0, 0, 2, 2 * SEC), c1);
    /* a SYN with a new ISN while the connection is open: the same record */
    assert_ptr_equal(feed(f, false, 40000, 80, TFA_TH_SYN, 7000, 0, 0, 2, 2 * SEC), c1);
    feed(f, false, 40000, 80, TFA_TH_SYN, 100, 0, 0, 2, 2 * SEC);
    feed(f, true, 40000, 80, TFA_TH_RST | TFA_TH_ACK, 0, 101, 0, 3, 2 * SEC);
    tfa_conntrack_set_closed(f->ct, c1, true, 3);
    /* the same ISN after the close: still the old connection */
    assert_ptr_equal(feed(f, false, 40000, 80, TFA_TH_SYN, 100, 0, 0, 4, 2 * SEC), c1);
    TfaConn *c2 = feed(f, false, 40000, 80, TFA_TH_SYN, 9000, 0, 0, 5, 2 * SEC);
    assert_ptr_not_equal(c1, c2);
    assert_int_equal(c2->incarnation, 2);
    assert_int_equal(c2->id, 2);
    TfaConn *r = pop(f);
    assert_ptr_equal(r, c1);
    assert_int_equal(r->end_reason, TFA_END_NEW_INCARNATION);
    assert_int_equal(r->end_frame, 5);
    tfa_conn_free(r);
}

/* A rebooted client connects again from the same port: its SYN (a new ISN)
 * comes inside the old connection, which its RST then closes; the same SYN
 * again opens the new incarnation (it is no retransmission of the old
 * connection's opening SYN). */
static void test_reconnect_after_reboot(void **state)
{
    Fixture *f = *state;
    TfaConn *c1 = feed(f, false, 40000, 83, TFA_TH_SYN, 100, 0, 0, 1, 1 * SEC);
    feed(f, true, 40000, 83, TFA_TH_SYN | TFA_TH_ACK, 500, 101, 0, 2, 1 * SEC);
    feed(f, false, 40000, 83, TFA_TH_ACK, 101, 501, 0, 3, 1 * SEC);
    assert_ptr_equal(feed(f, false, 40000, 83, TFA_TH_SYN, 7000, 0, 0, 4, 2 * SEC), c1);
    feed(f, true, 40000, 83, TFA_TH_ACK, 501, 101, 0, 5, 2 * SEC);   /* challenge ACK */
    feed(f, false, 40000, 83, TFA_TH_RST, 101, 0, 0, 6, 2 * SEC);
    tfa_conntrack_set_closed(f->ct, c1, true, 6);
    TfaConn *c2 = feed(f, false, 40000, 83, TFA_TH_SYN, 7000, 0, 0, 7, 2 * SEC);
    assert_ptr_not_equal(c1, c2);
    assert_int_equal(c2->incarnation, 2);
    TfaConn *r = pop(f);
    assert_ptr_equal(r, c1);
    assert_int_equal(r->end_reason, TFA_END_NEW_INCARNATION);
    tfa_conn_free(r);
}

/* A connection reported with an endpoint in TIME_WAIT is remembered: a new
 * SYN on its tuple within 2*MSL is a reuse, and the next incarnation. */
static void test_time_wait_tombstone(void **state)
{
    Fixture *f = *state;
    TfaConn *c = feed(f, false, 40000, 80, TFA_TH_SYN, 100, 0, 0, 1, 1 * SEC);
    uint8_t cside = c->client;
    c->ep[cside].state = TFA_TCP_TIME_WAIT;
    c->ep[cside].time_wait_ts = 1 * SEC;
    tfa_conntrack_set_closed(f->ct, c, true, 1);
    tfa_conntrack_expire(f->ct, 1 * SEC + f->opts.close_linger, &f->retired);
    TfaConn *r = pop(f);
    assert_ptr_equal(r, c);
    tfa_conn_free(r);
    TfaConn *c2 = feed(f, false, 40000, 80, TFA_TH_SYN, 900, 0, 0, 2, 10 * SEC);
    assert_int_equal(c2->incarnation, 2);
    assert_true(c2->reused_time_wait);
    assert_int_equal(c2->reused_side, cside);
    assert_int_equal(c2->reused_after, 9 * SEC);
    /* after 2*MSL the tuple is forgotten */
    c2->ep[cside].state = TFA_TCP_TIME_WAIT;
    c2->ep[cside].time_wait_ts = 10 * SEC;
    tfa_conntrack_set_closed(f->ct, c2, true, 2);
    tfa_conntrack_expire(f->ct, 10 * SEC + f->opts.close_linger, &f->retired);
    tfa_conn_free(pop(f));
    tfa_conntrack_expire(f->ct, 10 * SEC + 2 * f->opts.msl, &f->retired);
    TfaConn *c3 = feed(f, false, 40000, 80, TFA_TH_SYN, 5000, 0, 0, 3, 100 * SEC);
    assert_int_equal(c3->incarnation, 1);
    assert_false(c3->reused_time_wait);
}

static void test_originator_inference(void **state)
{
    Fixture *f = *state;
    /* SYN-ACK first: its receiver is the client */
    TfaConn *c = feed(f, true, 40000, 80, TFA_TH_SYN | TFA_TH_ACK, 500, 101, 0, 1, 1 * SEC);
    assert_int_equal(c->originator, TFA_ORIGINATOR_SYNACK);
    assert_int_equal(c->key.port[c->client], 40000);
    /* mid-stream, server port below 1024 */
    c = feed(f, true, 40001, 443, TFA_TH_ACK, 1, 1, 10, 2, 1 * SEC);
    assert_int_equal(c->originator, TFA_ORIGINATOR_PORT);
    assert_int_equal(c->key.port[c->client], 40001);
    /* both ephemeral-looking: the first sender is the client */
    c = feed(f, true, 50000, 50001, TFA_TH_ACK, 1, 1, 10, 3, 1 * SEC);
    assert_int_equal(c->originator, TFA_ORIGINATOR_FIRST_PACKET);
    assert_int_equal(c->key.port[c->client], 50001);
}

/* The SYN-ACK captured a little before its SYN: the SYN settles it. */
static void test_synack_before_syn(void **state)
{
    Fixture *f = *state;
    TfaConn *c = feed(f, true, 40000, 8080, TFA_TH_SYN | TFA_TH_ACK, 500, 101, 0, 1, 1 * SEC);
    assert_int_equal(c->originator, TFA_ORIGINATOR_SYNACK);
    feed(f, false, 40000, 8080, TFA_TH_SYN, 100, 0, 0, 2, 1 * SEC);
    assert_int_equal(c->originator, TFA_ORIGINATOR_SYN);
    assert_int_equal(c->key.port[c->client], 40000);
}

static void test_idle_timeout(void **state)
{
    Fixture *f = *state;
    TfaConn *c = feed(f, false, 40000, 80, TFA_TH_ACK, 1, 1, 10, 1, 1 * SEC);
    tfa_conntrack_expire(f->ct, 1 * SEC + f->opts.idle_timeout - 1, &f->retired);
    assert_null(pop(f));
    tfa_conntrack_expire(f->ct, 1 * SEC + f->opts.idle_timeout, &f->retired);
    TfaConn *r = pop(f);
    assert_ptr_equal(r, c);
    assert_int_equal(r->end_reason, TFA_END_IDLE_TIMEOUT);
    tfa_conn_free(r);
}

/* A connection quiet for longer than idle_timeout is reported, and its
 * later traffic makes a second record: that one says which record it
 * continues and after how long a silence, keeps the client and the
 * incarnation; a new SYN on the tuple is a new connection instead. */
static void test_idle_split_continues(void **state)
{
    Fixture *f = *state;
    feed(f, false, 40000, 80, TFA_TH_SYN, 100, 0, 0, 1, 1 * SEC);
    feed(f, true, 40000, 80, TFA_TH_SYN | TFA_TH_ACK, 500, 101, 0, 2, 1 * SEC);
    TfaConn *c = feed(f, false, 40000, 80, TFA_TH_ACK, 101, 501, 0, 3, 2 * SEC);
    TfaTs quiet = f->opts.idle_timeout + 10 * SEC;
    /* the server speaks first after the silence: the port would not decide */
    TfaConn *d = feed(f, true, 40000, 80, TFA_TH_ACK, 501, 101, 10, 4, 2 * SEC + quiet);
    TfaConn *r = pop(f);
    assert_ptr_equal(r, c);
    assert_int_equal(r->end_reason, TFA_END_IDLE_TIMEOUT);
    assert_ptr_not_equal(d, c);
    assert_int_equal(d->continues_id, c->id);
    assert_int_equal(d->continues_after, quiet);
    assert_int_equal(d->client, c->client);
    assert_int_equal(d->originator, TFA_ORIGINATOR_SYN);
    assert_int_equal(d->incarnation, c->incarnation);
    assert_false(d->half[0].prev_incarnation || d->half[1].prev_incarnation);
    tfa_conn_free(r);

    /* quiet again, then a new SYN: a new incarnation, no continuation */
    TfaTs t = 2 * SEC + 2 * quiet;
    TfaConn *e = feed(f, false, 40000, 80, TFA_TH_SYN, 9000, 0, 0, 5, t);
    r = pop(f);
    assert_ptr_equal(r, d);
    assert_int_equal(e->continues_id, 0);
    assert_int_equal(e->incarnation, d->incarnation + 1);
    tfa_conn_free(r);
}

/* At the cap the least recently active connection is evicted and counted. */
static void test_eviction(void **state)
{
    Fixture *f = *state;
    TfaConn *c1 = feed(f, false, 40001, 80, TFA_TH_SYN, 1, 0, 0, 1, 1 * SEC);
    TfaConn *c2 = feed(f, false, 40002, 80, TFA_TH_SYN, 1, 0, 0, 2, 2 * SEC);
    feed(f, false, 40003, 80, TFA_TH_SYN, 1, 0, 0, 3, 3 * SEC);
    feed(f, false, 40001, 80, TFA_TH_SYN, 1, 0, 0, 4, 4 * SEC); /* c1 active again */
    feed(f, false, 40004, 80, TFA_TH_SYN, 1, 0, 0, 5, 5 * SEC);
    assert_int_equal(tfa_conntrack_size(f->ct), 3);
    TfaConn *r = pop(f);
    assert_ptr_equal(r, c2);
    assert_int_equal(r->end_reason, TFA_END_EVICTED);
    assert_int_equal(f->stats.diag[TFA_DIAG_CONN_EVICTED], 1);
    assert_int_equal(f->stats.conns_peak, 3);
    assert_int_equal(f->stats.conns_total, 4);
    tfa_conn_free(r);
    (void)c1;
}

static void test_retire_all_in_id_order(void **state)
{
    Fixture *f = *state;
    feed(f, false, 40001, 80, TFA_TH_SYN, 1, 0, 0, 1, 1 * SEC);
    feed(f, false, 40002, 80, TFA_TH_SYN, 1, 0, 0, 2, 2 * SEC);
    feed(f, false, 40001, 80, TFA_TH_ACK, 2, 1, 0, 3, 3 * SEC);
    tfa_conntrack_retire_all(f->ct, &f->retired);
    TfaConn *r1 = pop(f);
    TfaConn *r2 = pop(f);
    assert_int_equal(r1->id, 1);
    assert_int_equal(r2->id, 2);
    assert_int_equal(r1->end_reason, TFA_END_CAPTURE_END);
    tfa_conn_free(r1);
    tfa_conn_free(r2);
}

static void test_decode_diags_counted(void **state)
{
    Fixture *f = *state;
    TfaSegment s = tfa_test_seg(f->a, 1, f->b, 2, TFA_TH_ACK, 1, 1, 100, 1, SEC);
    s.diags = 1u << TFA_DIAG_DECODE_TRUNCATED;
    s.payload_caplen = 40;
    uint8_t side;
    bool created;
    TfaConn *c = tfa_conntrack_segment(f->ct, &s, &side, &f->retired, &created);
    assert_true(created);
    assert_int_equal(tfa_conn_get_count(c, TFA_COUNT_DIAG(TFA_DIAG_DECODE_TRUNCATED), side), 1);
    assert_int_equal(c->side[side].bytes, 100);
    assert_int_equal(c->side[side].bytes_captured, 40);
}

/* A segment on VLAN tag @vlan, from a:1000 to b:80 or back. */
static TfaConn *feed_vlan(Fixture *f, bool back, uint16_t vlan, uint16_t flags, TfaFrameNo frame,
                          uint8_t *side)
{
    TfaSegment s = back ? tfa_test_seg(f->b, 80, f->a, 1000, flags, 5000, 1001, 0, frame, SEC)
                        : tfa_test_seg(f->a, 1000, f->b, 80, flags, 1000, 5001, 0, frame, SEC);
    s.vlan[0] = vlan;
    bool created;
    return tfa_conntrack_segment(f->ct, &s, side, &f->retired, &created);
}

/* An asymmetric path: the SYN on tag 10, the SYN-ACK and everything back
 * on tag 20.  One connection (keyed on the first tag), the match counted
 * once for the direction on the other tag; the forward direction seen on
 * tag 20 later is not folded in (it has its own tag there). */
static void test_vlan_asymmetric_path(void **state)
{
    Fixture *f = *state;
    uint8_t sc, ss;
    TfaConn *c = feed_vlan(f, false, 10, TFA_TH_SYN, 1, &sc);
    TfaConn *c2 = feed_vlan(f, true, 20, TFA_TH_SYN | TFA_TH_ACK, 2, &ss);
    assert_ptr_equal(c, c2);
    assert_int_equal(c->key.vlan[0], 10);
    assert_ptr_equal(feed_vlan(f, false, 10, TFA_TH_ACK, 3, &sc), c);
    assert_ptr_equal(feed_vlan(f, true, 20, TFA_TH_ACK, 4, &ss), c);
    assert_int_equal(c->side[ss].packets, 2);
    assert_int_equal(tfa_conn_get_count(c, TFA_COUNT_DIAG(TFA_DIAG_CONN_VLAN_ASYMMETRIC), ss), 1);
    assert_int_equal(f->stats.diag[TFA_DIAG_CONN_VLAN_ASYMMETRIC], 1);
    assert_true(feed_vlan(f, false, 20, TFA_TH_ACK, 5, &sc) != c);
}

/* The same connection captured on three tags, both directions on each:
 * three connections, as the capture shows them. */
static void test_vlan_both_directions_each_tag(void **state)
{
    Fixture *f = *state;
    f->opts.max_conns = 10;
    uint8_t side;
    TfaConn *c[3];
    uint16_t tags[3] = {10, 20, 0};
    for (int i = 0; i < 3; i++)
        c[i] = feed_vlan(f, false, tags[i], TFA_TH_SYN, (TfaFrameNo)(1 + i), &side);
    for (int i = 0; i < 3; i++)
        assert_ptr_equal(feed_vlan(f, true, tags[i], TFA_TH_SYN | TFA_TH_ACK,
                                   (TfaFrameNo)(4 + i), &side), c[i]);
    assert_true(c[0] != c[1] && c[1] != c[2]);
    assert_int_equal(f->stats.diag[TFA_DIAG_CONN_VLAN_ASYMMETRIC], 0);
}

/* The anomaly cap keeps counts exact. */
static void test_anomaly_cap(void **state)
{
    TfaConn *c = g_new0(TfaConn, 1);
    TfaAnomaly a = {.code = TFA_ANOMALY_SEQ_DUP_ACK, .side = 1, .frame_no = 9};
    for (int i = 0; i < 5; i++)
        tfa_conn_add_anomaly(c, &a, 3);
    a.side = -1;
    tfa_conn_add_anomaly(c, &a, 3);
    assert_int_equal(c->anomalies->len, 3);
    assert_int_equal(c->anomalies_dropped, 3);
    assert_int_equal(tfa_conn_get_count(c, TFA_COUNT_ANOMALY(TFA_ANOMALY_SEQ_DUP_ACK), 1), 6);
    assert_int_equal(tfa_conn_get_count(c, TFA_COUNT_ANOMALY(TFA_ANOMALY_SEQ_DUP_ACK), 0), 1);
    tfa_conn_free(c);
}

/* A code's severity on a connection is the highest it was recorded at, also
 * beyond the anomaly cap; a code never recorded has none. */
static void test_code_severity(void **state)
{
    TfaConn *c = g_new0(TfaConn, 1);
    TfaAnomaly a = {.code = TFA_ANOMALY_RST_UNKNOWN, .side = 0, .severity = TFA_SEV_NOTICE,
                    .possible = true, .frame_no = 3};
    assert_int_equal(tfa_conn_code_severity(c, TFA_ANOMALY_RST_UNKNOWN), -1);
    tfa_conn_add_anomaly(c, &a, 1);
    assert_int_equal(tfa_conn_code_severity(c, TFA_ANOMALY_RST_UNKNOWN), TFA_SEV_NOTICE);
    a.severity = TFA_SEV_WARNING;
    a.possible = false;
    tfa_conn_add_anomaly(c, &a, 1); /* beyond the cap: not kept, still counted */
    assert_int_equal(c->anomalies->len, 1);
    assert_int_equal(tfa_conn_code_severity(c, TFA_ANOMALY_RST_UNKNOWN), TFA_SEV_WARNING);
    assert_int_equal(tfa_conn_code_severity(c, TFA_ANOMALY_RST_REFUSED), -1);
    tfa_conn_free(c);
}

/* An ICMP error's quoted segment finds its connection (either direction,
 * another VLAN tag), records the error on the side that sent the segment,
 * and changes nothing else. */
static void test_icmp_lookup(void **state)
{
    Fixture *f = *state;
    TfaConn *c = feed(f, false, 40000, 80, TFA_TH_SYN, 100, 0, 0, 1, 1 * SEC);
    uint8_t cl = c->client, side = 9;
    TfaSegment q = tfa_test_seg(f->a, 40000, f->b, 80, 0, 100, 0, 0, 2, 1 * SEC + 5);
    q.vlan[0] = 7; /* the ICMP came on another tag */
    q.icmp.version = 4;
    q.icmp.type = 3;
    q.icmp.code = 1;
    q.icmp.reporter = tfa_test_ip4(192, 0, 2, 1);
    assert_ptr_equal(tfa_conntrack_lookup(f->ct, &q, &side), c);
    assert_int_equal(side, cl);
    guint64 packets = c->side[cl].packets;
    tfa_conntrack_icmp(c, &q, side);
    tfa_conntrack_icmp(c, &q, side);
    assert_int_equal(c->icmp[cl].count, 2);
    assert_int_equal(c->icmp[cl].frame, 2);
    assert_int_equal(c->icmp[cl].state, TFA_TCP_CLOSED); /* no tcpsm in this test */
    assert_int_equal(c->icmp[1 - cl].count, 0);
    assert_int_equal(c->side[cl].packets, packets);
    /* the server's segment quoted: the server's side */
    TfaSegment r = tfa_test_seg(f->b, 80, f->a, 40000, 0, 500, 0, 0, 3, 1 * SEC + 6);
    assert_ptr_equal(tfa_conntrack_lookup(f->ct, &r, &side), c);
    assert_int_equal(side, 1 - cl);
    /* another port: nothing */
    TfaSegment o = tfa_test_seg(f->a, 40001, f->b, 80, 0, 100, 0, 0, 4, 1 * SEC + 7);
    assert_null(tfa_conntrack_lookup(f->ct, &o, &side));
    assert_int_equal(tfa_conntrack_size(f->ct), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_key_is_canonical, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_hash_spreads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_handshake_and_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_and_linger, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rst_closes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ignored_rst_is_no_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reconnect_after_reboot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_incarnations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_wait_tombstone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_originator_inference, setup, teardown),
        cmocka_unit_test_setup_teardown(test_synack_before_syn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_split_continues, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eviction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retire_all_in_id_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decode_diags_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vlan_asymmetric_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vlan_both_directions_each_tag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_icmp_lookup, setup, teardown),
        cmocka_unit_test(test_anomaly_cap),
        cmocka_unit_test(test_code_severity),
    };
    return cmocka_run_group_tests_name("conntrack/conntrack", tests, NULL, NULL);
}
