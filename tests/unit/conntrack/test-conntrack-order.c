/* test-conntrack-order.c - the order in which connections retire (idle
 * expiry, closing linger, eviction at the cap) against a model that keeps
 * each class of connections in a list relinked on every segment: the
 * order decides the order of the records, so it must be exactly that
 * one, through the table's growth and the activity log's compaction; and
 * the canonical key's order of the endpoints. */
#include "tfa-test.h"

#include "tcpflow-audit/conntrack.h"

#define SEC TFA_NSEC_PER_SEC
#define PORTS 200
#define STEPS 20000

/* One live connection of the model. */
typedef struct ModelConn {
    bool live, closed;
    guint64 stamp; /* its latest activity (a counter) */
    TfaTs last_ts;
    TfaConn *conn; /* the table's connection for the same port */
} ModelConn;

typedef struct Model {
    ModelConn port[PORTS];
    guint64 clock;
    guint n;
} Model;

typedef struct Retirement {
    int port;
    TfaEndReason why;
} Retirement;

/* The least recently active live connection of a class, or -1. */
static int model_oldest(const Model *m, bool closed)
{
    int best = -1;
    for (int p = 0; p < PORTS; p++)
        if (m->port[p].live && m->port[p].closed == closed &&
            (best < 0 || m->port[p].stamp < m->port[best].stamp))
            best = p;
    return best;
}

static void model_retire(Model *m, int p, TfaEndReason why, GArray *out)
{
    m->port[p].live = false;
    m->n--;
    Retirement r = {p, why};
    g_array_append_val(out, r);
}

static void model_expire(Model *m, const TfaOptions *o, TfaTs now, GArray *out)
{
    int p;
    while ((p = model_oldest(m, true)) >= 0 && now - m->port[p].last_ts >= o->close_linger)
        model_retire(m, p, TFA_END_CLOSED, out);
    while ((p = model_oldest(m, false)) >= 0 && now - m->port[p].last_ts >= o->idle_timeout)
        model_retire(m, p, TFA_END_IDLE_TIMEOUT, out);
}

static void model_segment(Model *m, const TfaOptions *o, int p, TfaTs ts, GArray *out)
{
    ModelConn *mc = &m->port[p];
    if (!mc->live) {
        if (m->n >= o->max_conns) {
            int v = model_oldest(m, true);
            if (v < 0)
                v = model_oldest(m, false);
            model_retire(m, v, TFA_END_EVICTED, out);
        }
        mc->live = true;
        mc->closed = false;
        m->n++;
    }
    mc->stamp = ++m->clock;
    mc->last_ts = ts;
}

static int port_of(const TfaConn *c)
{
    uint16_t p = c->key.port[0] != 80 ? c->key.port[0] : c->key.port[1];
    return p - 20000;
}

static void drain(GQueue *retired, GArray *out)
{
    GList *l;
    while ((l = g_queue_pop_head_link(retired)) != NULL) {
        TfaConn *c = l->data;
        Retirement r = {port_of(c), c->end_reason};
        g_array_append_val(out, r);
        tfa_conn_free(c);
    }
}

static void check_same(const GArray *got, const GArray *want, int step)
{
    if (got->len != want->len)
        fail_msg("step %d: %u retirements, the model %u", step, got->len, want->len);
    for (guint i = 0; i < got->len; i++) {
        const Retirement *g = &g_array_index(got, Retirement, i);
        const Retirement *w = &g_array_index(want, Retirement, i);
        if (g->port != w->port || g->why != w->why)
            fail_msg("step %d, retirement %u: port %d (%d), the model port %d (%d)", step, i,
                     g->port, g->why, w->port, w->why);
    }
}

/* Random traffic over more 4-tuples than the cap allows, with silences
 * long enough to expire some, closings and reopenings. */
static void run(guint max_conns, guint32 seed, bool evicts)
{
    TfaOptions o;
    tfa_options_init(&o);
    o.max_conns = max_conns;
    o.idle_timeout = 30 * SEC;
    o.close_linger = 2 * SEC;
    TfaStats stats = {0};
    TfaConnTable *ct = tfa_conntrack_new(&o, &stats, seed);
    GQueue retired = G_QUEUE_INIT;
    g_autoptr(GArray) got = g_array_new(FALSE, FALSE, sizeof(Retirement));
    g_autoptr(GArray) want = g_array_new(FALSE, FALSE, sizeof(Retirement));
    g_autofree Model *m = g_new0(Model, 1);
    GRand *rnd = g_rand_new_with_seed(seed);
    TfaAddr a = tfa_test_ip4(10, 0, 0, 1), b = tfa_test_ip4(10, 0, 0, 2);
    TfaTs ts = 1000 * SEC;

    for (int step = 0; step < STEPS; step++) {
        /* mostly a few ms apart, sometimes seconds, rarely a long silence
         * or a step back in time */
        guint32 r = g_rand_int_range(rnd, 0, 1000);
        if (r < 5)
            ts += 40 * SEC;
        else if (r < 60)
            ts += g_rand_int_range(rnd, 1, 5) * SEC;
        else if (r < 65)
            ts -= 3 * SEC;
        else
            ts += g_rand_int_range(rnd, 1, 5000) * 1000;
        /* a skewed choice: some 4-tuples busy, most quiet */
        int p = g_rand_int_range(rnd, 0, 4) == 0 ? g_rand_int_range(rnd, 0, PORTS)
                                                  : g_rand_int_range(rnd, 0, PORTS / 8);
        TfaSegment s = tfa_test_seg(a, (uint16_t)(20000 + p), b, 80, TFA_TH_ACK, 1, 1, 0,
                                    (TfaFrameNo)step + 1, ts);
        uint8_t side;
        bool created;
        tfa_conntrack_expire(ct, ts, &retired);
        TfaConn *c = tfa_conntrack_segment(ct, &s, &side, &retired, &created);
        model_expire(m, &o, ts, want);
        model_segment(m, &o, p, ts, want);
        m->port[p].conn = c;
        /* now and then a connection closes, or opens again */
        int q = g_rand_int_range(rnd, 0, PORTS);
        if (g_rand_int_range(rnd, 0, 8) == 0 && m->port[q].live) {
            bool closed = !m->port[q].closed;
            tfa_conntrack_set_closed(ct, m->port[q].conn, closed, (TfaFrameNo)step + 1);
            m->port[q].closed = closed;
            m->port[q].stamp = ++m->clock;
        }
        drain(&retired, got);
        check_same(got, want, step);
        assert_int_equal(tfa_conntrack_size(ct), m->n);
    }
    /* the capture ends: every live one, in order of first frame */
    tfa_conntrack_retire_all(ct, &retired);
    guint before = got->len;
    drain(&retired, got);
    assert_int_equal(got->len - before, m->n);
    assert_true((stats.diag[TFA_DIAG_CONN_EVICTED] > 0) == evicts);
    assert_true(got->len > STEPS / 100);
    g_rand_free(rnd);
    tfa_conntrack_free(ct);
}

/* At a small cap: eviction most of the time. */
static void test_order_small_cap(void **state)
{
    (void)state;
    run(16, 1, true);
    run(16, 2, true);
}

/* At a cap above what is ever live at once: expiry only, the table grown. */
static void test_order_large_cap(void **state)
{
    (void)state;
    run(150, 3, false);
    run(150, 4, false);
}

/* The canonical key orders the endpoints as tfa_addr_cmp does (then by
 * port): addresses that share a prefix, differ in one byte anywhere, of
 * both families, bytes above 127 included. */
static void test_key_side_order(void **state)
{
    (void)state;
    GRand *rnd = g_rand_new_with_seed(7);
    for (int n = 0; n < 20000; n++) {
        TfaAddr a = {.family = g_rand_int_range(rnd, 0, 4) == 0 ? 6 : 4};
        for (int i = 0; i < (a.family == 4 ? 4 : 16); i++)
            a.bytes[i] = (uint8_t)g_rand_int_range(rnd, 0, 256);
        TfaAddr b = a;
        int k = g_rand_int_range(rnd, 0, 5);
        if (k == 0)
            b.family = a.family == 4 ? 6 : 4;
        else if (k < 4)
            b.bytes[g_rand_int_range(rnd, 0, a.family == 4 ? 4 : 16)] =
                (uint8_t)g_rand_int_range(rnd, 0, 256);
        uint16_t pa = (uint16_t)g_rand_int_range(rnd, 1, 4), pb = (uint16_t)g_rand_int_range(rnd, 1, 4);
        TfaSegment s = tfa_test_seg(a, pa, b, pb, TFA_TH_ACK, 1, 1, 0, 1, 0);
        TfaConnKey key;
        uint8_t side;
        tfa_conntrack_key(&s, 1, &key, &side);
        int c = tfa_addr_cmp(&a, &b);
        uint8_t want = c < 0 || (c == 0 && pa <= pb) ? 0 : 1;
        assert_int_equal(side, want);
    }
    g_rand_free(rnd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_small_cap),
        cmocka_unit_test(test_order_large_cap),
        cmocka_unit_test(test_key_side_order),
    };
    return cmocka_run_group_tests_name("conntrack/order", tests, NULL, NULL);
}
