/* test-shard.c - the --shard flow hash (shard.h) and the summary's merge
 * of shard tables (summary.h, merge.h). */
#include "tfa-test.h"

#include "tcpflow-audit/options.h"
#include "tcpflow-audit/shard.h"
#include "tcpflow-audit/summary.h"

/* The documented hash, byte for byte: a known answer computed apart
 * (FNV-1a 64 of 04 | 10.0.0.1 padded to 16 | 04d2 | 10.0.0.2 padded | 0050). */
static void test_known_answer(void **state)
{
    (void)state;
    TfaAddr a = tfa_test_ip4(10, 0, 0, 1), b = tfa_test_ip4(10, 0, 0, 2);
    assert_true(tfa_shard_hash(&a, 1234, &b, 80) == UINT64_C(0x4e93dbfd3d1e06f0));
    TfaSegment s = tfa_test_seg(a, 1234, b, 80, TFA_TH_SYN, 1, 0, 0, 1, 0);
    assert_int_equal(tfa_shard_of(&s, 7), 6);
    assert_int_equal(tfa_shard_of(&s, 1), 1);
}

/* Both directions, and every VLAN tag, go to one shard. */
static void test_symmetric(void **state)
{
    (void)state;
    for (unsigned i = 0; i < 500; i++) {
        TfaAddr a = tfa_test_ip4(10, 1, (uint8_t)(i >> 8), (uint8_t)i);
        TfaAddr b = tfa_test_ip4(192, 168, 0, (uint8_t)(i * 7));
        TfaSegment out = tfa_test_seg(a, (uint16_t)(30000 + i), b, 443, TFA_TH_SYN, 1, 0, 0, 1, 0);
        TfaSegment back =
            tfa_test_seg(b, 443, a, (uint16_t)(30000 + i), TFA_TH_SYN | TFA_TH_ACK, 9, 2, 0, 2, 0);
        back.vlan[0] = 100;
        for (uint32_t n = 1; n <= 9; n++) {
            uint32_t k = tfa_shard_of(&out, n);
            assert_true(k >= 1 && k <= n);
            assert_int_equal(k, tfa_shard_of(&back, n));
        }
    }
    /* same addresses, swapped ports: a different connection, ordered by port */
    TfaAddr x = tfa_test_ip4(10, 0, 0, 1);
    assert_true(tfa_shard_hash(&x, 1, &x, 2) == tfa_shard_hash(&x, 2, &x, 1));
}

/* Spread: 7 shards of 7000 tuples each get a fair share. */
static void test_spread(void **state)
{
    (void)state;
    unsigned count[8] = {0};
    TfaAddr srv = tfa_test_ip4(10, 9, 0, 1);
    for (unsigned i = 0; i < 7000; i++) {
        TfaAddr c = tfa_test_ip4(10, 2, (uint8_t)(i / 250), (uint8_t)(i % 250));
        TfaSegment s =
            tfa_test_seg(c, (uint16_t)(40000 + i % 20), srv, 80, TFA_TH_SYN, 1, 0, 0, 1, 0);
        count[tfa_shard_of(&s, 7)]++;
    }
    for (unsigned k = 1; k <= 7; k++)
        assert_true(count[k] > 800 && count[k] < 1200);
}

/* A SYN flood whose sources are split over shards is found in the merge,
 * a source in two shards counted once; a scan likewise. */
static void test_merge_findings(void **state)
{
    (void)state;
    TfaOptions o;
    tfa_options_init(&o);
    o.flood_threshold = 4;
    o.scan_threshold = 4;
    TfaStats st;
    memset(&st, 0, sizeof(st));
    TfaSummary *sum = tfa_summary_new(&o, &st);
    for (int shard = 0; shard < 2; shard++) {
        TfaServiceStats svc;
        memset(&svc, 0, sizeof(svc));
        svc.addr = tfa_test_ip4(10, 9, 9, 9);
        svc.port = 443;
        svc.conns = 3;
        svc.half_open = 3;
        svc.sources = g_array_new(FALSE, FALSE, sizeof(TfaAddr));
        /* shard 0: sources 1, 2, 3; shard 1: sources 3, 4, 5 */
        for (int k = 0; k < 3; k++) {
            TfaAddr a = tfa_test_ip4(10, 8, 0, (uint8_t)(1 + 2 * shard + k));
            g_array_append_val(svc.sources, a);
        }
        tfa_summary_merge_service(sum, &svc, 0);
        g_array_unref(svc.sources);
        TfaScanTarget t[2];
        memset(t, 0, sizeof(t));
        for (int k = 0; k < 2; k++) {
            t[k].addr = tfa_test_ip4(10, 9, 9, 9);
            t[k].port = (uint16_t)(1000 + 2 * shard + k);
        }
        TfaAddr scanner = tfa_test_ip4(10, 66, 0, 1);
        tfa_summary_merge_scanner(sum, &scanner, 2, 2, t, 2);
    }
    guint64 other = 0;
    g_autoptr(GPtrArray) sv = tfa_summary_services(sum, &other);
    assert_int_equal(sv->len, 1);
    const TfaServiceStats *m = g_ptr_array_index(sv, 0);
    assert_int_equal(m->conns, 6);
    assert_int_equal(m->half_open_sources, 5); /* capped at threshold + 1 */
    g_autoptr(GArray) f = tfa_summary_findings(sum);
    assert_int_equal(f->len, 2);
    assert_int_equal(g_array_index(f, TfaFindingRow, 0).code, TFA_FINDING_SERVICE_SYN_FLOOD);
    assert_int_equal(g_array_index(f, TfaFindingRow, 1).code, TFA_FINDING_HOST_PORT_SCAN);
    assert_int_equal(g_array_index(f, TfaFindingRow, 1).value, 4);
    tfa_summary_free(sum);
}

static void test_merge_hosts(void **state)
{
    (void)state;
    TfaOptions o;
    tfa_options_init(&o);
    TfaStats st;
    memset(&st, 0, sizeof(st));
    TfaSummary *sum = tfa_summary_new(&o, &st);
    guint64 s1[TFA_TCP_N_STATES] = {0}, s2[TFA_TCP_N_STATES] = {0};
    s1[TFA_TCP_CLOSED] = 2;
    s2[TFA_TCP_CLOSED] = 1;
    s2[TFA_TCP_TIME_WAIT] = 4;
    TfaAddr a = tfa_test_ip4(10, 0, 0, 1);
    tfa_summary_merge_host(sum, &a, s1);
    tfa_summary_merge_host(sum, &a, s2);
    tfa_summary_merge_not_listed(sum, 3, 1);
    guint64 other = 0, other_svc = 0;
    g_autoptr(GPtrArray) hs = tfa_summary_hosts(sum, &other);
    g_autoptr(GPtrArray) sv = tfa_summary_services(sum, &other_svc);
    assert_int_equal(hs->len, 1);
    const TfaHostStates *h = g_ptr_array_index(hs, 0);
    assert_int_equal(h->states[TFA_TCP_CLOSED], 3);
    assert_int_equal(h->states[TFA_TCP_TIME_WAIT], 4);
    assert_int_equal(other, 3);
    assert_int_equal(other_svc, 1);
    tfa_summary_free(sum);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answer), cmocka_unit_test(test_symmetric),
        cmocka_unit_test(test_spread),       cmocka_unit_test(test_merge_findings),
        cmocka_unit_test(test_merge_hosts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
