/* test-html.c - -f html: the bounded point collection (html-collect.c),
 * the one escaping function, and a page from a record: well-formed marks
 * and links, and the caps stated. */
#include "tfa-test.h"

#include "tcpflow-audit/html.h"
#include "tcpflow-audit/options.h"
#include "tcpflow-audit/record.h"
#include "tcpflow-audit/report.h"

#include "html-private.h"

#include <stdio.h>

static TfaSegment data_seg(uint32_t seq, TfaFrameNo frame)
{
    return tfa_test_seg(tfa_test_ip4(10, 0, 0, 1), 1000, tfa_test_ip4(10, 0, 0, 2), 80,
                        TFA_TH_ACK, seq, 1, 100, frame, (TfaTs)frame * 1000);
}

/* The buffer never grows past its cap; decimation keeps SYN, FIN and the
 * frames of anomalies; what is left out is counted; the held total follows. */
static void test_collect_caps(void **state)
{
    (void)state;
    TfaConn *c = g_new0(TfaConn, 1);
    guint64 held = 0;
    TfaSegment syn = tfa_test_seg(tfa_test_ip4(10, 0, 0, 1), 1000, tfa_test_ip4(10, 0, 0, 2), 80,
                                  TFA_TH_SYN, 0, 0, 0, 1, 1000);
    tfa_html_collect(c, &syn, 0, &held);
    TfaAnomaly a = {.code = TFA_ANOMALY_SEQ_RETRANSMISSION, .severity = TFA_SEV_NOTICE,
                    .frame_no = 7, .ts = 7000};
    tfa_conn_add_anomaly(c, &a, 10);
    guint total = 10 * TFA_HTML_POINTS_PER_CONN;
    for (guint i = 2; i <= total; i++) {
        TfaSegment s = data_seg(i * 100, i);
        tfa_html_collect(c, &s, 0, &held);
        assert_true(c->ladder->len <= TFA_HTML_POINTS_PER_CONN);
    }
    TfaSegment fin = data_seg(total * 100 + 100, total + 1);
    fin.flags |= TFA_TH_FIN;
    tfa_html_collect(c, &fin, 0, &held);
    assert_int_equal(held, c->ladder->len);
    assert_int_equal(c->ladder->len + c->ladder_dropped, total + 1);
    assert_true(c->ladder_stride >= 8);
    assert_true(c->ladder->len > TFA_HTML_POINTS_PER_CONN / 4);
    bool syn_kept = false, anomaly_kept = false, fin_kept = false;
    TfaFrameNo prev = 0;
    for (guint i = 0; i < c->ladder->len; i++) {
        const TfaLadderRow *r = &g_array_index(c->ladder, TfaLadderRow, i);
        assert_true(r->frame > prev); /* capture order kept */
        prev = r->frame;
        syn_kept |= r->frame == 1;
        anomaly_kept |= r->frame == 7;
        fin_kept |= r->frame == total + 1;
    }
    assert_true(syn_kept);
    assert_true(anomaly_kept);
    assert_true(fin_kept);
    tfa_conn_free(c);
}

/* Over all connections at once: nothing is kept beyond the total. */
static void test_collect_total(void **state)
{
    (void)state;
    /* the figure the man page gives for the memory of the points */
    assert_int_equal(sizeof(TfaLadderRow), 48);
    TfaConn *c = g_new0(TfaConn, 1);
    guint64 held = TFA_HTML_POINTS_TOTAL;
    TfaSegment s = data_seg(100, 1);
    tfa_html_collect(c, &s, 0, &held);
    assert_null(c->ladder);
    assert_int_equal(c->ladder_dropped, 1);
    assert_int_equal(held, TFA_HTML_POINTS_TOTAL);
    tfa_conn_free(c);
}

static void test_escape(void **state)
{
    (void)state;
    GString *b = g_string_new(NULL);
    tfa_html_escape(b, "<a href=\"x\">&'\x01\n");
    assert_string_equal(b->str, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;\n");
    g_string_truncate(b, 0);
    tfa_html_escapef(b, "%s:%u", "fe80::1<", 80);
    assert_string_equal(b->str, "fe80::1&lt;:80");
    g_string_free(b, TRUE);
}

/* A connection with a SYN, data, a retransmission and an anomaly on it:
 * the page has the mark and the list entry, linked both ways, and says its
 * limits. */
static void test_page(void **state)
{
    (void)state;
    TfaConn *c = g_new0(TfaConn, 1);
    guint64 held = 0;
    c->key.addr[0] = tfa_test_ip4(10, 0, 0, 1);
    c->key.port[0] = 1000;
    c->key.addr[1] = tfa_test_ip4(10, 0, 0, 2);
    c->key.port[1] = 80;
    c->id = 3;
    c->side[0] = (TfaSideStats){.packets = 3, .bytes = 300, .first_frame = 1, .last_frame = 3,
                                .first_ts = 1000, .last_ts = 3000};
    c->ep[0].iss_known = true;
    c->ep[0].iss = 99;
    TfaSegment s1 = data_seg(100, 1), s2 = data_seg(200, 2), s3 = data_seg(100, 3);
    tfa_html_collect(c, &s1, 0, &held);
    tfa_html_collect(c, &s2, 0, &held);
    tfa_html_collect(c, &s3, 0, &held);
    TfaAnomaly a = {.code = TFA_ANOMALY_SEQ_RETRANSMISSION, .side = 0,
                    .severity = TFA_SEV_NOTICE, .frame_no = 3, .ts = 3000};
    tfa_conn_add_anomaly(c, &a, 10);

    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    TfaOptions opts;
    tfa_options_init(&opts);
    opts.max_details = TFA_DEFAULT_HTML_DRAWN;
    TfaStats stats = {.frames = 3, .tcp_segments = 3, .conns_total = 1, .have_ts = true,
                      .first_ts = 1000, .last_ts = 3000};
    stats.anomaly[TFA_ANOMALY_SEQ_RETRANSMISSION] = 1;
    TfaReporter *rep = tfa_reporter_new(TFA_FORMAT_HTML, out, &opts);
    TfaConnRecord rec;
    tfa_record_build(c, &rec);
    TfaRunInfo info = {.opts = &opts, .stats = &stats, .records = 1};
    assert_true(tfa_report_begin(rep, NULL));
    assert_true(tfa_report_conn(rep, &rec, NULL));
    assert_int_equal(ftell(out), 0); /* nothing before the end */
    assert_true(tfa_report_summary(rep, &info, NULL));
    assert_true(tfa_report_end(rep, NULL));
    tfa_reporter_free(rep);
    fclose(out);
    assert_non_null(strstr(text, "<!DOCTYPE html>"));
    assert_non_null(strstr(text, "id=\"conn-3\""));
    assert_non_null(strstr(text, "<a href=\"#c3-l0\"><circle class=\"amark\" id=\"c3-a0\""));
    assert_non_null(strstr(text, "id=\"c3-l0\"><a href=\"#c3-a0\""));
    assert_non_null(strstr(text, "class=\"seg rx\"")); /* frame 3 was sent again */
    assert_non_null(strstr(text, "at most 2000 segments per connection"));
    /* the client sent data: its bytes in flight and round trips; the server none */
    const char *fl = strstr(text, "class=\"mini inflight\"");
    assert_non_null(fl);
    assert_null(strstr(fl + 1, "class=\"mini inflight\""));
    assert_non_null(strstr(text, "class=\"mini rtts\""));
    /* nothing from the network: the only URL is the SVG namespace */
    for (const char *p = strstr(text, "http"); p != NULL; p = strstr(p + 1, "http"))
        assert_true(strncmp(p, "http://www.w3.org/2000/svg\"", 27) == 0);
    assert_null(strstr(text, " src="));
    assert_non_null(strstr(text, "</html>\n"));
    free(text);
    tfa_options_clear(&opts);
    tfa_conn_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_collect_caps),
        cmocka_unit_test(test_collect_total),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
