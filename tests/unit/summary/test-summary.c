/* test-summary.c - hosts' final states and the --at view. */
#include "tfa-test.h"

#include "tcpflow-audit/summary.h"

#define SEC TFA_NSEC_PER_SEC

/* A connection 10.0.0.1:4000+n (client, side 0) -> 10.0.0.2:80 whose
 * endpoints went through the given states at 1 s, 2 s, 3 s. */
static TfaConn *make_conn(guint64 id, uint16_t n, const uint8_t *client, const uint8_t *server,
                          unsigned steps)
{
    TfaConn *c = g_new0(TfaConn, 1);
    c->id = id;
    c->key.addr[0] = tfa_test_ip4(10, 0, 0, 1);
    c->key.port[0] = (uint16_t)(4000 + n);
    c->key.addr[1] = tfa_test_ip4(10, 0, 0, 2);
    c->key.port[1] = 80;
    c->client = 0;
    const uint8_t *states[2] = {client, server};
    for (int s = 0; s < 2; s++) {
        c->ep[s].path = g_array_new(FALSE, FALSE, sizeof(TfaTransition));
        for (unsigned k = 0; k < steps; k++) {
            TfaTransition t = {.state = states[s][k], .certain = k != 1, .frame = k,
                               .ts = (TfaTs)(k + 1) * SEC};
            g_array_append_val(c->ep[s].path, t);
        }
        c->ep[s].state = states[s][steps - 1];
    }
    c->side[0] = (TfaSideStats){.packets = 1, .first_frame = 1, .last_frame = 3,
                                .first_ts = 1 * SEC, .last_ts = 3 * SEC};
    c->side[1] = c->side[0];
    return c;
}

static const uint8_t client_path[3] = {TFA_TCP_SYN_SENT, TFA_TCP_ESTABLISHED, TFA_TCP_TIME_WAIT};
static const uint8_t server_path[3] = {TFA_TCP_LISTEN, TFA_TCP_SYN_RECEIVED, TFA_TCP_CLOSED};

static void test_hosts(void **state)
{
    TfaOptions opts;
    tfa_options_init(&opts);
    TfaStats st = {0};
    g_autoptr(TfaSummary) s = tfa_summary_new(&opts, &st);
    for (guint64 i = 1; i <= 3; i++) {
        g_autoptr(TfaConn) c = make_conn(i, (uint16_t)i, client_path, server_path, 3);
        TfaConnRecord rec;
        tfa_record_build(c, &rec);
        tfa_summary_add(s, &rec);
    }
    guint64 other = 99;
    g_autoptr(GPtrArray) hs = tfa_summary_hosts(s, &other);
    assert_int_equal(hs->len, 2);
    assert_int_equal(other, 0);
    const TfaHostStates *h0 = g_ptr_array_index(hs, 0);
    const TfaHostStates *h1 = g_ptr_array_index(hs, 1);
    assert_int_equal(h0->addr.bytes[3], 1); /* sorted by address */
    assert_int_equal(h0->states[TFA_TCP_TIME_WAIT], 3);
    assert_int_equal(h1->states[TFA_TCP_CLOSED], 3);
    assert_null(tfa_summary_sockets_at(s));
}

/* --at +1.5: the endpoints' states 1.5 s after the first frame (at 1 s). */
static void test_at_relative(void **state)
{
    TfaOptions opts;
    tfa_options_init(&opts);
    opts.at_set = true;
    opts.at_relative = true;
    opts.at = SEC + SEC / 2;
    TfaStats st = {0};
    g_autoptr(TfaSummary) s = tfa_summary_new(&opts, &st);
    tfa_summary_set_start(s, 1 * SEC);
    assert_int_equal(tfa_summary_at(s), 2 * SEC + SEC / 2);
    g_autoptr(TfaConn) c = make_conn(7, 1, client_path, server_path, 3);
    TfaConnRecord rec;
    tfa_record_build(c, &rec);
    tfa_summary_add(s, &rec);
    const GArray *rows = tfa_summary_sockets_at(s);
    assert_int_equal(rows->len, 2);
    const TfaSocketRow *r0 = &g_array_index(rows, TfaSocketRow, 0);
    const TfaSocketRow *r1 = &g_array_index(rows, TfaSocketRow, 1);
    assert_int_equal(r0->state, TFA_TCP_ESTABLISHED);
    assert_false(r0->certain);
    assert_int_equal(r0->lport, 4001);
    assert_int_equal(r1->state, TFA_TCP_SYN_RECEIVED);
    assert_int_equal(r1->fport, 4001);
    assert_int_equal(r1->conn_id, 7);
}

/* Before a connection's first frame, and once an endpoint is CLOSED, it is
 * not listed. */
static void test_at_absolute(void **state)
{
    TfaOptions opts;
    tfa_options_init(&opts);
    opts.at_set = true;
    opts.at = 3 * SEC;
    TfaStats st = {0};
    g_autoptr(TfaSummary) s = tfa_summary_new(&opts, &st);
    tfa_summary_set_start(s, 0);
    g_autoptr(TfaConn) c = make_conn(1, 1, client_path, server_path, 3);
    TfaConnRecord rec;
    tfa_record_build(c, &rec);
    tfa_summary_add(s, &rec);
    const GArray *rows = tfa_summary_sockets_at(s);
    assert_int_equal(rows->len, 1);
    assert_int_equal(g_array_index(rows, TfaSocketRow, 0).state, TFA_TCP_TIME_WAIT);

    TfaOptions early = opts;
    early.at = SEC / 2;
    g_autoptr(TfaSummary) s2 = tfa_summary_new(&early, &st);
    tfa_summary_add(s2, &rec);
    assert_int_equal(tfa_summary_sockets_at(s2)->len, 0);
}

/* Two connections accepted by 10.0.0.2:80 (SYN-ACK at 2 s): one LISTEN row
 * for the service, certain at 2.5 s, "?" at 1.5 s (it accepted only
 * later); hosts and services count the states at that time. */
static void listen_rows(TfaTs at, bool certain)
{
    TfaOptions opts;
    tfa_options_init(&opts);
    opts.at_set = true;
    opts.at = at;
    TfaStats st = {0};
    g_autoptr(TfaSummary) s = tfa_summary_new(&opts, &st);
    tfa_summary_set_start(s, 0);
    for (guint64 i = 1; i <= 2; i++) {
        g_autoptr(TfaConn) c = make_conn(i, (uint16_t)i, client_path, server_path, 3);
        c->ep[1].passive = true;
        c->out.syn_count = c->out.synack_count = 1;
        c->out.synack_ts = 2 * SEC;
        TfaConnRecord rec;
        tfa_record_build(c, &rec);
        tfa_summary_add(s, &rec);
    }
    const GArray *rows = tfa_summary_sockets_at(s);
    guint listen = 0;
    for (guint i = 0; i < rows->len; i++) {
        const TfaSocketRow *r = &g_array_index(rows, TfaSocketRow, i);
        if (r->state == TFA_TCP_LISTEN) {
            listen++;
            assert_int_equal(r->lport, 80);
            assert_int_equal(r->certain, certain);
        }
    }
    assert_int_equal(listen, 1);
    guint64 other;
    g_autoptr(GPtrArray) hs = tfa_summary_hosts(s, &other);
    const TfaHostStates *h0 = g_ptr_array_index(hs, 0);
    assert_int_equal(h0->states[at < 2 * SEC ? TFA_TCP_SYN_SENT : TFA_TCP_ESTABLISHED], 2);
    assert_int_equal(h0->states[TFA_TCP_TIME_WAIT], 0);
}

static void test_at_listeners(void **state)
{
    listen_rows(2 * SEC + SEC / 2, true);
    listen_rows(SEC + SEC / 2, false);
}

/* A SYN flood from more distinct sources than the tables hold: the hosts,
 * the scan candidates and the --at rows stay capped, and what was left out
 * is counted. */
static void test_caps(void **state)
{
    TfaOptions opts;
    tfa_options_init(&opts);
    opts.at_set = true;
    opts.at = 2 * SEC;
    TfaStats st = {0};
    g_autoptr(TfaSummary) s = tfa_summary_new(&opts, &st);
    tfa_summary_set_start(s, 0);
    const guint n = TFA_SUMMARY_MAX_SOCKETS / 2 + 10; /* two rows each at 2 s */
    for (guint i = 0; i < n; i++) {
        g_autoptr(TfaConn) c = make_conn(i + 1, 1, client_path, server_path, 3);
        /* a distinct source for each: 11.0.0.0 + i */
        c->key.addr[0] = tfa_test_ip4(11, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i);
        c->out.handshake = TFA_HANDSHAKE_UNANSWERED;
        TfaConnRecord rec;
        tfa_record_build(c, &rec);
        tfa_summary_add(s, &rec);
    }
    guint64 other = 0;
    g_autoptr(GPtrArray) hs = tfa_summary_hosts(s, &other);
    assert_int_equal(hs->len, TFA_SUMMARY_MAX_HOSTS);
    /* the server and the first 65535 sources are listed */
    assert_int_equal(other, 2 * (guint64)n - (n + TFA_SUMMARY_MAX_HOSTS - 1));
    assert_int_equal(st.diag[TFA_DIAG_SUMMARY_SCANNERS_NOT_TRACKED], n - TFA_SUMMARY_MAX_SCANNERS);
    assert_int_equal(tfa_summary_sockets_at(s)->len, TFA_SUMMARY_MAX_SOCKETS);
    assert_int_equal(st.diag[TFA_DIAG_SUMMARY_SOCKETS_NOT_LISTED], 2 * n - TFA_SUMMARY_MAX_SOCKETS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hosts),
        cmocka_unit_test(test_at_relative),
        cmocka_unit_test(test_at_absolute), cmocka_unit_test(test_at_listeners),
        cmocka_unit_test(test_caps),
    };
    return cmocka_run_group_tests_name("summary/summary", tests, NULL, NULL);
}
