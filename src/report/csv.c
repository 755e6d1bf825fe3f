/* csv.c - one row per connection (RFC 4180: CRLF line ends, fields with
 * comma, quote or line break quoted, quotes doubled).  The columns are the
 * most used fields of the JSON record, flattened, then one count column per
 * anomaly code (client + server), in code order; tcpflow-audit-records(5)
 * lists them.  The summary is not part of the CSV. */
#include "config.h"

#include "report-private.h"

#include "tcpflow-audit/detect.h"
#include "tcpflow-audit/json.h"
#include "tcpflow-audit/zeek.h"

#include <inttypes.h>
#include <string.h>

void tfa_report_csv_field(GString *buf, const char *s, bool first)
{
    if (!first)
        g_string_append_c(buf, ',');
    if (strpbrk(s, ",\"\r\n") == NULL) {
        g_string_append(buf, s);
        return;
    }
    g_string_append_c(buf, '"');
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '"')
            g_string_append_c(buf, '"');
        g_string_append_c(buf, *p);
    }
    g_string_append_c(buf, '"');
}


static void field_u(GString *buf, uint64_t v)
{
    g_string_append_printf(buf, ",%" PRIu64, v);
}

static const char *const columns[] = {
    "id", "client_ip", "client_port", "server_ip", "server_port", "vlan", "originator",
    "incarnation", "first_frame", "last_frame", "first_ts", "last_ts", "duration_ns",
    "packets_client", "packets_server", "bytes_client", "bytes_server", "end_reason",
    "verdict", "mid_stream", "handshake_outcome", "handshake_rtt_ns", "syn_count",
    "close_kind", "close_initiator", "client_final_state", "client_state_certain",
    "server_final_state", "server_state_certain", "rsts", "first_rst_cause", "vantage",
    "worst_severity", "worst_code", "zeek_conn_state", "zeek_history", "anomalies", "codes",
};

static void csv_begin(TfaReporter *rep, GString *buf)
{
    char name[64];
    for (size_t i = 0; i < G_N_ELEMENTS(columns); i++)
        tfa_report_csv_field(buf, columns[i], i == 0);
    /* then n_<CODE> for every anomaly code */
    for (int code = 0; code < TFA_ANOMALY_N; code++) {
        g_snprintf(name, sizeof(name), "n_%s", tfa_anomaly_name((TfaAnomalyCode)code));
        tfa_report_csv_field(buf, name, false);
    }
    g_string_append(buf, "\r\n");
}

static void field_bool(GString *buf, bool v)
{
    g_string_append(buf, v ? ",true" : ",false");
}

static void csv_conn(TfaReporter *rep, const TfaConnRecord *rec, GString *buf)
{
    const TfaConn *c = rec->conn;
    const TfaSideStats *cs = tfa_record_stats(rec, TFA_ROLE_CLIENT);
    const TfaSideStats *ss = tfa_record_stats(rec, TFA_ROLE_SERVER);
    char tmp[64];

    g_string_append_printf(buf, "%" PRIu64, (uint64_t)c->id);
    tfa_report_csv_field(buf, rec->ip[TFA_ROLE_CLIENT], false);
    field_u(buf, rec->port[TFA_ROLE_CLIENT]);
    tfa_report_csv_field(buf, rec->ip[TFA_ROLE_SERVER], false);
    field_u(buf, rec->port[TFA_ROLE_SERVER]);
    if (c->key.vlan[1] != 0)
        g_snprintf(tmp, sizeof(tmp), "%u.%u", c->key.vlan[0], c->key.vlan[1]);
    else if (c->key.vlan[0] != 0)
        g_snprintf(tmp, sizeof(tmp), "%u", c->key.vlan[0]);
    else
        tmp[0] = '\0';
    tfa_report_csv_field(buf, tmp, false);
    tfa_report_csv_field(buf, tfa_originator_name(c->originator), false);
    field_u(buf, c->incarnation);
    field_u(buf, rec->first_frame);
    field_u(buf, rec->last_frame);
    tfa_report_csv_field(buf, tfa_ts_format(rec->first_ts, tmp, sizeof(tmp)), false);
    tfa_report_csv_field(buf, tfa_ts_format(rec->last_ts, tmp, sizeof(tmp)), false);
    g_string_append_printf(buf, ",%" PRId64, (int64_t)(rec->last_ts - rec->first_ts));
    field_u(buf, cs->packets);
    field_u(buf, ss->packets);
    field_u(buf, cs->bytes);
    field_u(buf, ss->bytes);
    tfa_report_csv_field(buf, tfa_end_name(c->end_reason), false);
    tfa_report_csv_field(buf, tfa_verdict_name((TfaVerdict)c->out.verdict), false);
    field_bool(buf, c->mid_stream);
    tfa_report_csv_field(buf, tfa_handshake_name((TfaHandshake)c->out.handshake), false);
    if (c->out.syn_ts != 0 && c->out.ack_ts != 0)
        g_string_append_printf(buf, ",%" PRId64, (int64_t)(c->out.ack_ts - c->out.syn_ts));
    else
        g_string_append_c(buf, ',');
    field_u(buf, c->out.syn_count);
    tfa_report_csv_field(buf, tfa_close_name((TfaCloseKind)c->out.close_kind), false);
    tfa_report_csv_field(buf, tfa_initiator_name((TfaInitiator)c->out.close_initiator), false);
    for (int r = 0; r < 2; r++) {
        tfa_report_csv_field(buf, tfa_tcp_state_name((TfaTcpState)c->ep[rec->side[r]].state), false);
        field_bool(buf, tfa_record_state_certain(rec, (TfaRole)r));
    }
    field_u(buf, c->rsts_total);
    if (c->rsts != NULL && c->rsts->len > 0)
        tfa_report_csv_field(buf, tfa_rst_cause_name((TfaRstCause)g_array_index(c->rsts, TfaRstInfo, 0).cause),
              false);
    else
        g_string_append_c(buf, ',');
    TfaDuration to_server, to_client;
    tfa_report_csv_field(buf, tfa_vantage_name(tfa_ack_vantage(c, &to_server, &to_client)), false);
    tfa_report_csv_field(buf, rec->worst_severity >= 0 ? tfa_severity_name((TfaSeverity)rec->worst_severity) : "",
          false);
    tfa_report_csv_field(buf, rec->worst_code >= 0 ? tfa_anomaly_name((TfaAnomalyCode)rec->worst_code) : "",
          false);
    tfa_report_csv_field(buf, tfa_zeek_state_name(tfa_zeek_conn_state(c)), false);
    tfa_report_csv_field(buf, c->zeek.history, false);
    field_u(buf, c->anomalies != NULL ? c->anomalies->len + c->anomalies_dropped : 0);
    /* distinct anomaly codes, space-separated, in code order */
    g_autoptr(GString) codes = g_string_new(NULL);
    for (int code = 0; code < TFA_ANOMALY_N; code++) {
        if (rec->code_count[code] == 0)
            continue;
        if (codes->len > 0)
            g_string_append_c(codes, ' ');
        g_string_append(codes, tfa_anomaly_name((TfaAnomalyCode)code));
    }
    tfa_report_csv_field(buf, codes->str, false);
    for (int code = 0; code < TFA_ANOMALY_N; code++)
        field_u(buf, rec->code_count[code]);
    g_string_append(buf, "\r\n");
}

const TfaReporterOps tfa_report_csv_ops = {
    .name = "csv",
    .begin = csv_begin,
    .conn = csv_conn,
};
