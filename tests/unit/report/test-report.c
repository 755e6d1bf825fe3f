/* test-report.c - JSON Lines and CSV writers: a record, re-parsed. */
#include "tfa-test.h"

#include "tcpflow-audit/detect.h" /* tfa_ack_percentile, the reference */
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

/* The record copies what the detectors decided, summarises ACK timing and
 * borrows the rest: by side where the connection is by side. */
static void test_record_build(void **state)
{
    g_autoptr(TfaConn) c = make_conn();
    c->out_ready = true; /* as tfa_detect_end leaves it */
    c->out.verdict = TFA_VERDICT_FAILED;
    c->out.handshake = TFA_HANDSHAKE_COMPLETE;
    c->out.close_kind = TFA_CLOSE_RESET;
    c->out.close_frame = 10;
    c->out.syn_ts = INT64_C(1000000000);
    c->out.synack_ts = INT64_C(1050000000); /* 50 ms to the server and back */
    c->out.ack_ts = INT64_C(1050200000);    /* 0.2 ms to the client: next to it */
    c->out.n_syn_frames = 1;
    c->out.syn_frames[0] = 1;
    c->hist.fin_ts[1] = 5;
    c->hist.fin_last_ts[1] = 7;
    TfaDuration delays[5] = {40, 10, 30, 50, 20};
    c->out.timing[1].delays = delays;
    c->out.timing[1].n_delays = 5;
    c->out.timing[1].acks = 5;
    c->out.timing[1].max_delay = 50;
    TfaAnomaly a = {.code = TFA_ANOMALY_SEQ_DUP_ACK, .side = 1, .severity = TFA_SEV_INFO,
                    .frame_no = 3};
    tfa_conn_add_anomaly(c, &a, 10);
    tfa_conn_add_anomaly(c, &a, 10);

    TfaConnRecord rec;
    tfa_record_build(c, &rec);
    c->out.verdict = TFA_VERDICT_OK; /* copied, not borrowed */
    assert_int_equal(rec.outcome.verdict, TFA_VERDICT_FAILED);
    assert_int_equal(rec.outcome.handshake, TFA_HANDSHAKE_COMPLETE);
    assert_int_equal(rec.outcome.close_kind, TFA_CLOSE_RESET);
    assert_int_equal(rec.outcome.close_frame, 10);
    assert_int_equal(rec.hs.n_syn_frames, 1);
    assert_int_equal(rec.hs.syn_frames[0], 1);
    assert_int_equal(rec.vantage, TFA_VANTAGE_NEAR_CLIENT);
    assert_int_equal(rec.to_server_rtt, 50000000);
    assert_int_equal(rec.to_client_rtt, 200000);
    assert_int_equal(rec.fin[1].last_ts - rec.fin[1].first_ts, 2);
    /* the client is side 1 */
    assert_int_equal(rec.ack[1].delay_p50, 30);
    assert_int_equal(rec.ack[1].delay_p90, 50);
    assert_int_equal(rec.ack[1].delay_max, 50);
    assert_int_equal(rec.ack[0].delay_p50, -1);
    assert_int_equal(rec.ack[0].delay_max, -1);
    assert_int_equal(rec.ack[1].rtt_min, -1);
    assert_int_equal(rec.n_anomalies, 3);
    assert_int_equal(rec.code_count[TFA_ANOMALY_SEQ_DUP_ACK], 2);
    assert_int_equal(rec.code_severity[TFA_ANOMALY_SEQ_DUP_ACK], TFA_SEV_INFO);
    assert_int_equal(rec.code_severity[TFA_ANOMALY_RST_UNKNOWN], TFA_SEV_WARNING);
    assert_int_equal(rec.code_severity[TFA_ANOMALY_SEQ_RETRANSMISSION], -1);
    assert_int_equal(rec.worst_code, TFA_ANOMALY_RST_UNKNOWN);
    assert_int_equal(tfa_record_count(&rec, TFA_COUNT_ANOMALY(TFA_ANOMALY_SEQ_DUP_ACK), 1), 2);
    assert_int_equal(tfa_record_count(&rec, TFA_COUNT_ANOMALY(TFA_ANOMALY_SEQ_DUP_ACK), 0), 0);
    assert_int_equal(tfa_record_count(&rec, TFA_COUNT_DIAG(TFA_DIAG_DECODE_TRUNCATED), 1), 1);
    assert_int_equal(tfa_record_role_of(&rec, 1), TFA_ROLE_CLIENT);
    assert_int_equal(tfa_record_stats(&rec, TFA_ROLE_CLIENT)->packets, 5);
    assert_true(tfa_addr_cmp(&rec.addr[TFA_ROLE_SERVER], &c->key.addr[0]) == 0);
    assert_int_equal(rec.vlan[0], 7);
    c->out.timing[1].delays = NULL; /* not the connection's to free */
}

/* Several percentiles from one sort: the same nearest ranks as one
 * percentile at a time (tfa_ack_percentile), over sets of every size the
 * ring holds, with ties and out of order. */
static void test_record_percentiles(void **state)
{
    static const unsigned pct[5] = {1, 50, 90, 99, 100};
    TfaDuration v[TFA_DELAY_SAMPLES], out[5];
    GRand *rng = g_rand_new_with_seed(21);
    for (uint16_t n = 1; n <= TFA_DELAY_SAMPLES; n++) {
        for (int round = 0; round < 8; round++) {
            for (uint16_t i = 0; i < n; i++)
                v[i] = g_rand_int_range(rng, -5, round < 4 ? 10 : 100000);
            tfa_record_percentiles(v, n, pct, 5, out);
            for (unsigned k = 0; k < 5; k++)
                assert_int_equal(out[k], tfa_ack_percentile(v, n, pct[k]));
        }
    }
    g_rand_free(rng);
    TfaDuration one[3] = {7, 3, 5};
    tfa_record_percentiles(one, 3, pct, 5, out);
    assert_int_equal(out[0], 3);
    assert_int_equal(out[1], 5);
    assert_int_equal(out[4], 7);
    tfa_record_percentiles(NULL, 0, pct, 5, out);
    for (unsigned k = 0; k < 5; k++)
        assert_int_equal(out[k], -1);
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
/* codes.h describes every code's arguments: names fit for JSON keys, one
 * per slot, durations named _ns and only they. */
static void test_anomaly_args(void **state)
{
    for (int code = 0; code < TFA_ANOMALY_N; code++) {
        unsigned n;
        const TfaArgDesc *d = tfa_anomaly_args((TfaAnomalyCode)code, &n);
        assert_non_null(d);
        assert_true(n <= TFA_ANOMALY_ARGS_MAX);
        for (unsigned i = 0; i < n; i++) {
            assert_true(g_regex_match_simple("^[a-z][a-z0-9_]*$", d[i].name, 0, 0));
            assert_int_equal(g_str_has_suffix(d[i].name, "_ns"), d[i].unit == TFA_ARG_NS);
            assert_string_not_equal(tfa_arg_unit_name(d[i].unit), "?");
            for (unsigned k = 0; k < i; k++)
                assert_string_not_equal(d[i].name, d[k].name);
        }
    }
    unsigned n;
    const TfaArgDesc *d = tfa_anomaly_args(TFA_ANOMALY_SEQ_RETRANSMISSION, &n);
    assert_int_equal(n, 2);
    assert_string_equal(d[0].name, "seq");
    assert_int_equal(d[1].unit, TFA_ARG_BYTES);
    /* every RST cause code points at its RST */
    for (int code = TFA_ANOMALY_RST_REFUSED; code <= TFA_ANOMALY_RST_UNKNOWN; code++) {
        d = tfa_anomaly_args((TfaAnomalyCode)code, &n);
        assert_int_equal(d[0].unit, TFA_ARG_RST);
    }
    tfa_anomaly_args(TFA_ANOMALY_HANDSHAKE_SIMULTANEOUS_OPEN, &n);
    assert_int_equal(n, 0);
    assert_null(tfa_anomaly_args(TFA_ANOMALY_N, &n));
    assert_int_equal(n, 0);
}

/* The JSON names each argument, written as its unit reads. */
static void test_jsonl_args(void **state)
{
    g_autoptr(TfaConn) c = make_conn();
    TfaAnomaly z = {.code = TFA_ANOMALY_WINDOW_ZERO, .side = 1, .severity = TFA_SEV_WARNING,
                    .frame_no = 4, .arg = {1500000000, 1}};
    TfaAnomaly s = {.code = TFA_ANOMALY_HANDSHAKE_SYNACK_RETRANSMITTED, .side = 0,
                    .severity = TFA_SEV_NOTICE, .frame_no = 3, .arg = {0, 1000000000}};
    TfaAnomaly b = {.code = TFA_ANOMALY_HANDSHAKE_DATA_BEFORE_ESTABLISHED, .side = 1,
                    .severity = TFA_SEV_WARNING, .frame_no = 2, .arg = {10, TFA_TCP_SYN_SENT}};
    TfaAnomaly o = {.code = TFA_ANOMALY_HANDSHAKE_SIMULTANEOUS_OPEN, .side = -1,
                    .severity = TFA_SEV_NOTICE, .frame_no = 2};
    tfa_conn_add_anomaly(c, &z, 10);
    tfa_conn_add_anomaly(c, &s, 10);
    tfa_conn_add_anomaly(c, &b, 10);
    tfa_conn_add_anomaly(c, &o, 10);
    g_autofree char *out = run_reporter(TFA_FORMAT_JSONL, c);
    assert_non_null(strstr(out, "\"code\":\"RST_UNKNOWN\""));
    assert_non_null(strstr(out, "\"args\":{\"rst\":0,\"idle_before_ns\":0},\"detail\""));
    assert_non_null(strstr(out, "\"args\":{\"shut_ns\":1500000000,\"until_end\":true}"));
    assert_non_null(strstr(out, "\"args\":{\"answers_frame\":null,"
                                "\"since_previous_ns\":1000000000}"));
    assert_non_null(strstr(out, "\"args\":{\"bytes\":10,\"state\":\"SYN_SENT\"}"));
    assert_non_null(strstr(out, "\"code\":\"HANDSHAKE_SIMULTANEOUS_OPEN\""));
    assert_non_null(strstr(out, "\"args\":{},"));
}

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
        cmocka_unit_test(test_record_build),
        cmocka_unit_test(test_record_percentiles),
        cmocka_unit_test(test_jsonl_text),
        cmocka_unit_test(test_jsonl_ip_fragments),
        cmocka_unit_test(test_anomaly_args),
        cmocka_unit_test(test_jsonl_args),
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
