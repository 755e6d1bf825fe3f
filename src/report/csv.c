/* csv.c - one row per connection (RFC 4180: CRLF line ends, fields with
 * comma, quote or line break quoted, quotes doubled).  Columns are listed in
 * tcpflow-audit-records(5); the summary is not part of the CSV. */
#include "config.h"

#include "report-private.h"

#include "tcpflow-audit/json.h"

#include <inttypes.h>
#include <string.h>

static void field(GString *buf, const char *s, bool first)
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
    "anomalies", "codes",
};

static void csv_begin(TfaReporter *rep, GString *buf)
{
    for (size_t i = 0; i < G_N_ELEMENTS(columns); i++)
        field(buf, columns[i], i == 0);
    g_string_append(buf, "\r\n");
}

static void csv_conn(TfaReporter *rep, const TfaConnRecord *rec, GString *buf)
{
    const TfaConn *c = rec->conn;
    const TfaSideStats *cs = tfa_record_stats(rec, TFA_ROLE_CLIENT);
    const TfaSideStats *ss = tfa_record_stats(rec, TFA_ROLE_SERVER);
    char tmp[64];

    g_string_append_printf(buf, "%" PRIu64, (uint64_t)c->id);
    field(buf, rec->ip[TFA_ROLE_CLIENT], false);
    field_u(buf, rec->port[TFA_ROLE_CLIENT]);
    field(buf, rec->ip[TFA_ROLE_SERVER], false);
    field_u(buf, rec->port[TFA_ROLE_SERVER]);
    if (c->key.vlan[1] != 0)
        g_snprintf(tmp, sizeof(tmp), "%u.%u", c->key.vlan[0], c->key.vlan[1]);
    else if (c->key.vlan[0] != 0)
        g_snprintf(tmp, sizeof(tmp), "%u", c->key.vlan[0]);
    else
        tmp[0] = '\0';
    field(buf, tmp, false);
    field(buf, tfa_originator_name(c->originator), false);
    field_u(buf, c->incarnation);
    field_u(buf, rec->first_frame);
    field_u(buf, rec->last_frame);
    field(buf, tfa_ts_format(rec->first_ts, tmp, sizeof(tmp)), false);
    field(buf, tfa_ts_format(rec->last_ts, tmp, sizeof(tmp)), false);
    g_string_append_printf(buf, ",%" PRId64, (int64_t)(rec->last_ts - rec->first_ts));
    field_u(buf, cs->packets);
    field_u(buf, ss->packets);
    field_u(buf, cs->bytes);
    field_u(buf, ss->bytes);
    field(buf, tfa_end_name(c->end_reason), false);
    field_u(buf, c->anomalies != NULL ? c->anomalies->len + c->anomalies_dropped : 0);
    /* distinct anomaly codes, space-separated, in code order */
    g_autoptr(GString) codes = g_string_new(NULL);
    for (uint16_t code = 0; code < TFA_ANOMALY_N; code++) {
        if (tfa_conn_get_count(c, TFA_COUNT_ANOMALY(code), 0) +
                tfa_conn_get_count(c, TFA_COUNT_ANOMALY(code), 1) ==
            0)
            continue;
        if (codes->len > 0)
            g_string_append_c(codes, ' ');
        g_string_append(codes, tfa_anomaly_name((TfaAnomalyCode)code));
    }
    field(buf, codes->str, false);
    g_string_append(buf, "\r\n");
}

const TfaReporterOps tfa_report_csv_ops = {
    .name = "csv",
    .begin = csv_begin,
    .conn = csv_conn,
};
