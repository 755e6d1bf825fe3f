/* test-report.c - JSON Lines and CSV writers: a record, re-parsed. */
#include "tfa-test.h"

#include "tcpflow-audit/record.h"
#include "tcpflow-audit/report-queue.h"
#include "tcpflow-audit/report.h"

#include "report-private.h" /* the CSV field writer */

#ifdef HAVE_JSONGLIB
#include <json-glib/json-glib.h>
#endif

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

/* A connection 10.0.0.9:40000 (client) -> 10.0.0.1:80 (server) on VLAN 7,
 * ended by the server's RST; the client is side 1, to check the mapping of
 * sides to roles. */
static TfaConn *make_conn(void)
{
    TfaConn *c = g_new0(TfaConn, 1);
    c->key.addr[0] = tfa_test_ip4(10, 0, 0, 1);
    c->key.port[0] = 80;
    c->key.addr[1] = tfa_test_ip4(10, 0, 0, 9);
    c->key.port[1] = 40000;
    c->key.vlan[0] = 7;
    c->client = 1;
    c->id = 42;
    c->incarnation = 1;
    c->originator = TFA_ORIGINATOR_SYN;
    c->side[1] = (TfaSideStats){.packets = 5, .bytes = 300, .bytes_captured = 300,
                                .flags_seen = TFA_TH_SYN | TFA_TH_ACK, .first_frame = 1,
                                .last_frame = 9, .first_ts = INT64_C(1000000000),
                                .last_ts = INT64_C(3000000001)};
    c->side[0] = (TfaSideStats){.packets = 4, .bytes = 1000, .bytes_captured = 1000,
                                .flags_seen = TFA_TH_SYN | TFA_TH_ACK | TFA_TH_RST,
                                .first_frame = 2, .last_frame = 10,
                                .first_ts = INT64_C(1000000500), .last_ts = INT64_C(3500000000)};
    c->end_reason = TFA_END_RESET;
    TfaAnomaly a = {.code = TFA_ANOMALY_RST_UNKNOWN, .side = 0, .severity = TFA_SEV_WARNING,
                    .frame_no = 10, .ts = INT64_C(3500000000)};
    tfa_conn_add_anomaly(c, &a, 10);
    tfa_conn_count(c, TFA_COUNT_DIAG(TFA_DIAG_DECODE_TRUNCATED), 1);
    return c;
}

static char *run_reporter(TfaFormat fmt, const TfaConn *c)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    TfaOptions opts;
    TfaStats stats = {.frames = 10, .tcp_segments = 9, .conns_total = 1};
    tfa_options_init(&opts);
    opts.color = TFA_COLOR_NEVER;
    TfaReporter *rep = tfa_reporter_new(fmt, out, &opts);
    TfaConnRecord rec;
    tfa_record_build(c, &rec);
    g_autoptr(TfaSummary) sum = tfa_summary_new(&opts, &stats);
    tfa_summary_add(sum, &rec);
    TfaRunInfo info = {.opts = &opts, .stats = &stats, .summary = sum, .records = 1};
    assert_true(tfa_report_begin(rep, NULL));
    assert_true(tfa_report_conn(rep, &rec, NULL));
    assert_true(tfa_report_summary(rep, &info, NULL));
    assert_true(tfa_report_end(rep, NULL));
    tfa_reporter_free(rep);
    fclose(out);
    return text;
}

static void test_record_roles(void **state)
{
    g_autoptr(TfaConn) c = make_conn();
    TfaConnRecord rec;
    tfa_record_build(c, &rec);
    assert_string_equal(rec.ip[TFA_ROLE_CLIENT], "10.0.0.9");
    assert_int_equal(rec.port[TFA_ROLE_SERVER], 80);
    assert_int_equal(rec.first_frame, 1);
    assert_int_equal(rec.last_frame, 10);
    assert_int_equal(rec.last_ts, INT64_C(3500000000));
}

static void test_jsonl_text(void **state)
{
    g_autoptr(TfaConn) c = make_conn();
    g_autofree char *out = run_reporter(TFA_FORMAT_JSONL, c);
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    assert_int_equal(g_strv_length(lines), 3); /* record, summary, "" */
    assert_true(g_str_has_prefix(lines[0], "{\"type\":\"connection\",\"id\":42,"
                                           "\"client\":{\"ip\":\"10.0.0.9\",\"port\":40000},"
                                           "\"server\":{\"ip\":\"10.0.0.1\",\"port\":80},"
                                           "\"vlan\":[7],\"originator\":\"syn\""));
    assert_non_null(strstr(lines[0], "\"first_ts\":1.000000000,\"last_ts\":3.500000000,"
                                     "\"duration_ns\":2500000000"));
    assert_non_null(strstr(lines[0], "\"packets\":{\"client\":5,\"server\":4}"));
    assert_non_null(strstr(lines[0], "\"counts\":{\"RST_UNKNOWN\":{\"client\":0,\"server\":1},"
                                     "\"DECODE_TRUNCATED\":{\"client\":1,\"server\":0}}"));
    assert_true(g_str_has_prefix(lines[1], "{\"type\":\"summary\",\"schema\":1,"));
    assert_non_null(strstr(lines[1], "\"hosts\":[{\"ip\":\"10.0.0.1\",\"final_states\":{\"CLOSED\":1}},"
                                     "{\"ip\":\"10.0.0.9\",\"final_states\":{\"CLOSED\":1}}]"));
    assert_string_equal(lines[2], "");
}

/* ip_fragments: absent without reassembled segments (above), else the
 * first one and the first with differing overlaps, by sender. */
static void test_jsonl_ip_fragments(void **state)
{
    g_autoptr(TfaConn) c = make_conn();
    g_autofree char *plain = run_reporter(TFA_FORMAT_JSONL, c);
    assert_null(strstr(plain, "ip_fragments"));
    c->frag_first = (TfaFragEvidence){.frame = 3, .first_frame = 2, .fragments = 2, .side = 1};
    g_autofree char *one = run_reporter(TFA_FORMAT_JSONL, c);
    assert_non_null(strstr(one, ",\"ip_fragments\":{\"first\":{\"endpoint\":\"client\",\"frame\":3,"
                                "\"first_frame\":2,\"fragments\":2},\"overlap_differs\":null}}\n"));
    c->frag_overlap = (TfaFragEvidence){.frame = 8, .first_frame = 5, .fragments = 3, .side = 0};
    g_autofree char *two = run_reporter(TFA_FORMAT_JSONL, c);
    assert_non_null(strstr(two, "\"overlap_differs\":{\"endpoint\":\"server\",\"frame\":8,"
                                "\"first_frame\":5,\"fragments\":3}}}\n"));
}

/* A finding reported as possible: below its code's severity in every
 * format, its detail says so first, and the record's worst severity is the
 * one it was reported at. */
static void test_possible(void **state)
{
    g_autoptr(TfaConn) c = make_conn();
    g_array_set_size(c->anomalies, 0);
    g_array_set_size(c->counts, 0);
    TfaAnomaly a = {.code = TFA_ANOMALY_RST_UNKNOWN, .side = 0, .severity = TFA_SEV_NOTICE,
                    .possible = true, .frame_no = 10, .ts = INT64_C(3500000000)};
    tfa_conn_add_anomaly(c, &a, 10);
    TfaConnRecord rec;
    tfa_record_build(c, &rec);
    assert_int_equal(rec.worst_severity, TFA_SEV_NOTICE);
    g_autofree char *out = run_reporter(TFA_FORMAT_JSONL, c);
    assert_non_null(strstr(out, "{\"code\":\"RST_UNKNOWN\",\"severity\":\"notice\","
                                "\"possible\":true,\"endpoint\":\"server\",\"frame\":10,"));
    assert_non_null(strstr(out, "\"detail\":\"possible, not proven by the capture: "));
    g_autofree char *text = run_reporter(TFA_FORMAT_TEXT, c);
    assert_non_null(strstr(text, "RST_UNKNOWN: possible, not proven by the capture: "));
    assert_null(strstr(text, "warning"));
}

#ifdef HAVE_JSONGLIB
static void test_jsonl_reparse(void **state)
{
    g_autoptr(TfaConn) c = make_conn();
    g_autofree char *out = run_reporter(TFA_FORMAT_JSONL, c);
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    for (int i = 0; i < 2; i++) {
        g_autoptr(JsonParser) p = json_parser_new();
        assert_true(json_parser_load_from_data(p, lines[i], -1, NULL));
    }
    g_autoptr(JsonParser) p = json_parser_new();
    assert_true(json_parser_load_from_data(p, lines[0], -1, NULL));
    JsonObject *o = json_node_get_object(json_parser_get_root(p));
    JsonArray *an = json_object_get_array_member(o, "anomalies");
    assert_int_equal(json_array_get_length(an), 1);
    JsonObject *a = json_array_get_object_element(an, 0);
    assert_string_equal(json_object_get_string_member(a, "code"), "RST_UNKNOWN");
    assert_string_equal(json_object_get_string_member(a, "endpoint"), "server");
    assert_string_equal(json_object_get_string_member(a, "severity"), "warning");
    assert_int_equal(json_object_get_int_member(a, "frame"), 10);
    assert_non_null(strstr(json_object_get_string_member(a, "detail"), "10.0.0.1:80"));
    assert_string_equal(json_object_get_string_member(o, "end_reason"), "reset");
}
#endif

/* Parse one RFC 4180 record (CRLF-terminated) into fields. */
static GPtrArray *csv_parse_line(const char **p)
{
    GPtrArray *fields = g_ptr_array_new_with_free_func(g_free);
    GString *f = g_string_new(NULL);
    bool quoted = false;
    for (;; (*p)++) {
        char ch = **p;
        if (quoted) {
            assert_true(ch != '\0');
            if (ch == '"' && (*p)[1] == '"') {
                g_string_append_c(f, '"');
                (*p)++;
            } else if (ch == '"') {
                quoted = false;
            } else {
                g_string_append_c(f, ch);
            }
            continue;
        }
        if (ch == '"') {
            quoted = true;
        } else if (ch == ',') {
            g_ptr_array_add(fields, g_string_free(f, FALSE));
            f = g_string_new(NULL);
        } else if (ch == '\r') {
            assert_int_equal((*p)[1], '\n');
            *p += 2;
            break;
        } else {
            assert_true(ch != '\0' && ch != '\n');
            g_string_append_c(f, ch);
        }
    }
    g_ptr_array_add(fields, g_string_free(f, FALSE));
    return fields;
}

static const char *column(GPtrArray *head, GPtrArray *row, const char *name)
{
    for (guint i = 0; i < head->len; i++)
        if (strcmp(g_ptr_array_index(head, i), name) == 0)
            return g_ptr_array_index(row, i);
    fail_msg("no CSV column %s", name);
    return NULL;
}

static void test_csv(void **state)
{
    g_autoptr(TfaConn) c = make_conn();
    TfaAnomaly a = {.code = TFA_ANOMALY_SEQ_DUP_ACK, .side = 1, .frame_no = 4};
    tfa_conn_add_anomaly(c, &a, 10);
    g_autofree char *out = run_reporter(TFA_FORMAT_CSV, c);
    const char *p = out;
    g_autoptr(GPtrArray) head = csv_parse_line(&p);
    g_autoptr(GPtrArray) row = csv_parse_line(&p);
    assert_string_equal(p, ""); /* no summary in CSV */
    assert_int_equal(head->len, row->len);
    assert_string_equal(g_ptr_array_index(head, 0), "id");
    assert_string_equal(column(head, row, "id"), "42");
    assert_string_equal(column(head, row, "client_ip"), "10.0.0.9");
    assert_string_equal(column(head, row, "client_port"), "40000");
    assert_string_equal(column(head, row, "vlan"), "7");
    assert_string_equal(column(head, row, "first_ts"), "1.000000000");
    assert_string_equal(column(head, row, "end_reason"), "reset");
    assert_string_equal(column(head, row, "codes"), "RST_UNKNOWN SEQ_DUP_ACK"); /* code order */
    assert_string_equal(column(head, row, "anomalies"), "2");
    assert_string_equal(column(head, row, "n_SEQ_DUP_ACK"), "1");
    assert_string_equal(column(head, row, "n_RST_UNKNOWN"), "1");
    assert_string_equal(column(head, row, "n_RST_REFUSED"), "0");
    /* the worse of the two; the earlier code among equals */
    TfaAnomalyCode worst = tfa_anomaly_severity(TFA_ANOMALY_SEQ_DUP_ACK) >
                                   tfa_anomaly_severity(TFA_ANOMALY_RST_UNKNOWN)
                               ? TFA_ANOMALY_SEQ_DUP_ACK
                               : TFA_ANOMALY_RST_UNKNOWN;
    assert_string_equal(column(head, row, "worst_code"), tfa_anomaly_name(worst));
    assert_string_equal(column(head, row, "worst_severity"),
                        tfa_severity_name(tfa_anomaly_severity(worst)));
    assert_string_equal(column(head, row, "first_rst_cause"), "");
    /* one count column per code, after the fixed columns */
    guint n = 0;
    for (guint i = 0; i < head->len; i++)
        n += g_str_has_prefix(g_ptr_array_index(head, i), "n_");
    assert_int_equal(n, TFA_ANOMALY_N);
}

static void test_csv_quoting(void **state)
{
    g_autoptr(GString) buf = g_string_new(NULL);
    tfa_report_csv_field(buf, "plain", true);
    tfa_report_csv_field(buf, "a,b", false);
    tfa_report_csv_field(buf, "say \"hi\"", false);
    tfa_report_csv_field(buf, "two\r\nlines", false);
    tfa_report_csv_field(buf, "", false);
    assert_string_equal(buf->str, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\",");
    /* and the parser used above reads it back */
    g_string_append(buf, "\r\n");
    const char *p = buf->str;
    g_autoptr(GPtrArray) f = csv_parse_line(&p);
    assert_int_equal(f->len, 5);
    assert_string_equal(g_ptr_array_index(f, 2), "say \"hi\"");
    assert_string_equal(g_ptr_array_index(f, 3), "two\r\nlines");
}

static void test_text(void **state)
{
    g_autoptr(TfaConn) c = make_conn();
    c->out.verdict = TFA_VERDICT_DEGRADED;
    g_autofree char *out = run_reporter(TFA_FORMAT_TEXT, c);
    /* the table line: verdict, endpoints, worst anomaly */
    const char *line = strstr(out, "\n   42 degraded");
    assert_non_null(line);
    const char *eol = strchr(line + 1, '\n');
    g_autofree char *row = g_strndup(line, (gsize)(eol - line));
    assert_non_null(strstr(row, "10.0.0.9:40000"));
    assert_non_null(strstr(row, "10.0.0.1:80"));
    assert_true(g_str_has_suffix(row, "RST_UNKNOWN"));
    /* then the explanation, before the summary */
    const char *detail = strstr(out, "\nconnection 42  10.0.0.9:40000 -> 10.0.0.1:80  degraded\n");
    const char *summary = strstr(out, "\nSummary\n");
    assert_non_null(detail);
    assert_non_null(summary);
    assert_true(detail < summary);
    assert_non_null(strstr(detail, "RST_UNKNOWN: "));
    assert_non_null(strstr(summary, "1 reported: 0 ok, 1 degraded, 0 failed"));
    assert_null(strstr(out, "\033[")); /* no colour when told not to */
}

/* Many connections through the writer thread: byte for byte what the
 * reporter writes in line, in the same order. */
static char *run_many(TfaFormat fmt, bool queued, guint n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    TfaOptions opts;
    tfa_options_init(&opts);
    opts.color = TFA_COLOR_NEVER;
    TfaReporter *rep = tfa_reporter_new(fmt, out, &opts);
    assert_true(tfa_report_begin(rep, NULL));
    TfaReportQueue *q = queued ? tfa_report_queue_new(rep) : NULL;
    for (guint i = 0; i < n; i++) {
        TfaConn *c = make_conn();
        c->id = i + 1;
        c->side[1].packets = i;
        TfaConnRecord rec;
        tfa_record_build(c, &rec);
        if (q != NULL) {
            assert_true(tfa_report_queue_push(q, c, &rec, NULL));
        } else {
            assert_true(tfa_report_conn(rep, &rec, NULL));
            tfa_conn_free(c);
        }
    }
    if (q != NULL) {
        assert_true(tfa_report_queue_finish(q, NULL));
        tfa_report_queue_free(q);
    }
    tfa_reporter_free(rep);
    fclose(out);
    return text;
}

static void test_queue_same_output(void **state)
{
    (void)state;
    static const TfaFormat formats[] = {TFA_FORMAT_JSONL, TFA_FORMAT_CSV, TFA_FORMAT_TEXT};
    for (size_t i = 0; i < G_N_ELEMENTS(formats); i++) {
        g_autofree char *direct = run_many(formats[i], false, 3 * TFA_REPORT_QUEUE_PENDING + 7);
        g_autofree char *queued = run_many(formats[i], true, 3 * TFA_REPORT_QUEUE_PENDING + 7);
        assert_true(strlen(direct) > 0);
        assert_string_equal(direct, queued);
    }
}

/* The reader of the output goes away: the writer's EPIPE comes back from a
 * later push and from finish, and every connection is still freed. */
static void test_queue_write_error(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    close(fds[0]);
    void (*was)(int) = signal(SIGPIPE, SIG_IGN);
    FILE *out = fdopen(fds[1], "w");
    TfaOptions opts;
    tfa_options_init(&opts);
    TfaReporter *rep = tfa_reporter_new(TFA_FORMAT_JSONL, out, &opts);
    TfaReportQueue *q = tfa_report_queue_new(rep);
    GError *error = NULL;
    bool refused = false;
    for (guint i = 0; i < 100000 && !refused; i++) {
        TfaConn *c = make_conn();
        TfaConnRecord rec;
        tfa_record_build(c, &rec);
        refused = !tfa_report_queue_push(q, c, &rec, &error);
    }
    assert_true(refused);
    assert_true(g_error_matches(error, TFA_REPORT_ERROR_DOMAIN, TFA_REPORT_ERROR_PIPE));
    g_clear_error(&error);
    assert_false(tfa_report_queue_finish(q, &error));
    assert_true(g_error_matches(error, TFA_REPORT_ERROR_DOMAIN, TFA_REPORT_ERROR_PIPE));
    g_clear_error(&error);
    tfa_report_queue_free(q);
    tfa_reporter_free(rep);
    fclose(out);
    signal(SIGPIPE, was);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_roles),
        cmocka_unit_test(test_jsonl_text),
        cmocka_unit_test(test_jsonl_ip_fragments),
        cmocka_unit_test(test_possible),
#ifdef HAVE_JSONGLIB
        cmocka_unit_test(test_jsonl_reparse),
#endif
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_csv_quoting),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_queue_same_output),
        cmocka_unit_test(test_queue_write_error),
    };
    return cmocka_run_group_tests_name("report/report", tests, NULL, NULL);
}
