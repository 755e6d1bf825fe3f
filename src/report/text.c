/* text.c - the report for people: one line per connection, then the
 * anomalous connections in detail, then the capture summary. */
#include "config.h"

#include "report-private.h"

#include "tcpflow-audit/appview.h"
#include "tcpflow-audit/json.h"

#include <inttypes.h>
#include <string.h>

#define ADDR_COL 21 /* "255.255.255.255:65535"; longer IPv6 endpoints push the line */
#define LINES_PER_CODE 3 /* details: kept anomalies shown per code, the rest counted */

/* ANSI SGR colours, only when rep->color */
#define SGR_RED "\033[31m"
#define SGR_YELLOW "\033[33m"
#define SGR_GREEN "\033[32m"
#define SGR_BOLD "\033[1m"
#define SGR_DIM "\033[2m"
#define SGR_RESET "\033[0m"

static const char *verdict_sgr(TfaVerdict v)
{
    switch (v) {
    case TFA_VERDICT_FAILED:
        return SGR_RED;
    case TFA_VERDICT_DEGRADED:
        return SGR_YELLOW;
    default:
        return SGR_GREEN;
    }
}

static const char *severity_sgr(int sev)
{
    switch (sev) {
    case TFA_SEV_ERROR:
        return SGR_RED;
    case TFA_SEV_WARNING:
        return SGR_YELLOW;
    case TFA_SEV_NOTICE:
        return SGR_BOLD;
    default:
        return SGR_DIM;
    }
}

/* Append @text padded to @pad columns, in colour @sgr when colours are on
 * (the padding stays outside the escape sequences). */
static void coloured(const TfaReporter *rep, GString *buf, const char *sgr, const char *text,
                     int pad)
{
    if (rep->color)
        g_string_append_printf(buf, "%s%s%s", sgr, text, SGR_RESET);
    else
        g_string_append(buf, text);
    for (int n = (int)strlen(text); n < pad; n++)
        g_string_append_c(buf, ' ');
}

static void text_begin(TfaReporter *rep, GString *buf)
{
    if (rep->opts->at_set)
        return;
    g_string_append_printf(buf, "%5s %-9s %-*s %-*s %-14s %-16s %-24s %s\n", "ID", "VERDICT",
                           ADDR_COL, "CLIENT", ADDR_COL, "SERVER", "HANDSHAKE", "CLOSE",
                           "FINAL STATE C/S", "WORST ANOMALY");
}

static void endpoint_text(char *out, size_t len, const char *ip, uint16_t port)
{
    if (strchr(ip, ':') != NULL)
        g_snprintf(out, len, "[%s]:%u", ip, port);
    else
        g_snprintf(out, len, "%s:%u", ip, port);
}

static void final_states(const TfaConnRecord *rec, char *out, size_t len)
{
    const TfaConn *c = rec->conn;
    g_snprintf(out, len, "%s%s/%s%s",
               tfa_tcp_state_name((TfaTcpState)c->ep[rec->side[TFA_ROLE_CLIENT]].state),
               tfa_record_state_certain(rec, TFA_ROLE_CLIENT) ? "" : "?",
               tfa_tcp_state_name((TfaTcpState)c->ep[rec->side[TFA_ROLE_SERVER]].state),
               tfa_record_state_certain(rec, TFA_ROLE_SERVER) ? "" : "?");
}

/* The number of distinct codes on the connection. */
static unsigned distinct_codes(const TfaConnRecord *rec)
{
    unsigned n = 0;
    for (int code = 0; code < TFA_ANOMALY_N; code++)
        n += rec->code_count[code] > 0;
    return n;
}

/* One line: verdict, endpoints, how it opened and closed, where both
 * endpoints ended, the worst anomaly.  On a terminal the last column is cut
 * to the width. */
static void conn_line(TfaReporter *rep, const TfaConnRecord *rec, GString *buf)
{
    const TfaConn *c = rec->conn;
    char cl[ADDR_COL + 48], sv[ADDR_COL + 48], states[64], worst[96];
    TfaVerdict v = (TfaVerdict)c->out.verdict;

    endpoint_text(cl, sizeof(cl), rec->ip[TFA_ROLE_CLIENT], rec->port[TFA_ROLE_CLIENT]);
    endpoint_text(sv, sizeof(sv), rec->ip[TFA_ROLE_SERVER], rec->port[TFA_ROLE_SERVER]);
    final_states(rec, states, sizeof(states));
    gsize line_start = buf->len;
    g_string_append_printf(buf, "%5" PRIu64 " ", (uint64_t)c->id);
    coloured(rep, buf, verdict_sgr(v), tfa_verdict_name(v), 9);
    g_string_append_printf(buf, " %-*s %-*s %-14s %-16s %-24s ", ADDR_COL, cl, ADDR_COL, sv,
                           tfa_handshake_name((TfaHandshake)c->out.handshake),
                           tfa_close_name((TfaCloseKind)c->out.close_kind), states);
    if (rec->worst_code < 0) {
        g_string_append(buf, "-\n");
        return;
    }
    unsigned more = distinct_codes(rec) - 1;
    if (more > 0)
        g_snprintf(worst, sizeof(worst), "%s (+%u more)",
                   tfa_anomaly_name((TfaAnomalyCode)rec->worst_code), more);
    else
        g_strlcpy(worst, tfa_anomaly_name((TfaAnomalyCode)rec->worst_code), sizeof(worst));
    /* printable width of what is already on the line */
    size_t used = buf->len - line_start - (rep->color ? strlen(verdict_sgr(v)) +
                                                            strlen(SGR_RESET)
                                                      : 0);
    if (rep->width > 0 && used + strlen(worst) > rep->width) {
        /* a narrow terminal: the anomaly goes under the line, cut to fit */
        g_string_truncate(buf, buf->len - 1);
        g_string_append(buf, "\n                ");
        if (rep->width > 16 + 4 && strlen(worst) > rep->width - 16)
            g_strlcpy(worst + rep->width - 16 - 3, "...", 4);
    }
    coloured(rep, buf, severity_sgr(rec->worst_severity), worst, 0);
    g_string_append_c(buf, '\n');
}

/* The anomalous connection explained: what it carried, how each endpoint
 * ended, then each anomaly's one-line explanation (at most LINES_PER_CODE
 * per code; the rest are counted with their frames). */
static void conn_detail(TfaReporter *rep, const TfaConnRecord *rec, GString *buf)
{
    const TfaConn *c = rec->conn;
    const TfaSideStats *cs = tfa_record_stats(rec, TFA_ROLE_CLIENT);
    const TfaSideStats *ss = tfa_record_stats(rec, TFA_ROLE_SERVER);
    char cl[ADDR_COL + 48], sv[ADDR_COL + 48], detail[512];
    TfaVerdict v = (TfaVerdict)c->out.verdict;

    endpoint_text(cl, sizeof(cl), rec->ip[TFA_ROLE_CLIENT], rec->port[TFA_ROLE_CLIENT]);
    endpoint_text(sv, sizeof(sv), rec->ip[TFA_ROLE_SERVER], rec->port[TFA_ROLE_SERVER]);
    g_string_append_printf(buf, "\nconnection %" PRIu64 "  %s -> %s  ", (uint64_t)c->id, cl, sv);
    coloured(rep, buf, verdict_sgr(v), tfa_verdict_name(v), 0);
    g_string_append_printf(buf,
                           "\n  frames %" PRIu64 "-%" PRIu64 " over %.3f s; client sent %" PRIu64
                           " packets (%" PRIu64 " bytes), server %" PRIu64 " (%" PRIu64
                           " bytes); ended: %s\n",
                           (uint64_t)rec->first_frame, (uint64_t)rec->last_frame,
                           (double)(rec->last_ts - rec->first_ts) / TFA_NSEC_PER_SEC,
                           (uint64_t)cs->packets, (uint64_t)cs->bytes, (uint64_t)ss->packets,
                           (uint64_t)ss->bytes, tfa_end_name(c->end_reason));
    char outcome[256];
    g_string_append_printf(buf, "  %s\n", tfa_record_outcome_text(rec, outcome, sizeof(outcome)));
    if (c->drops_during)
        g_string_append(buf, "  the capture dropped packets while this connection was open: its "
                             "evidence may be incomplete\n");
    for (int r = 0; r < 2; r++) {
        uint8_t side = rec->side[r];
        const char *role = r == TFA_ROLE_CLIENT ? "client" : "server";
        const char *other = r == TFA_ROLE_CLIENT ? "server" : "client";
        if (tfa_conn_get_count(c, TFA_COUNT_DIAG(TFA_DIAG_CAPTURE_ONE_DIRECTION), side) > 0)
            g_string_append_printf(buf, "  the capture holds only the %s's segments: the %s's "
                                        "state, windows and losses are not known\n",
                                   role, other);
        guint32 missed = tfa_conn_get_count(c, TFA_COUNT_DIAG(TFA_DIAG_CAPTURE_ACKED_UNSEEN), side);
        if (missed > 0)
            g_string_append_printf(buf, "  the capture missed %u gap(s) of the %s's data that the "
                                        "%s acknowledged: capture loss, not network loss\n",
                                   missed, role, other);
    }
    /* what each application most likely saw and did */
    TfaAppView view;
    tfa_appview_build(rec, &view);
    for (int r = 0; r < 2; r++) {
        if (view.role[r].n == 0 && view.role[r].n_advice == 0)
            continue;
        g_string_append_printf(buf, "  %s application: ", r == TFA_ROLE_CLIENT ? "client" : "server");
        tfa_appview_line(rec, &view, (TfaRole)r, buf);
        g_string_append_c(buf, '\n');
    }
    if (c->anomalies == NULL)
        return;
    guint shown[TFA_ANOMALY_N] = {0};
    /* most severe first, then in frame order */
    for (int sev = TFA_SEV_N - 1; sev >= 0; sev--) {
        for (guint i = 0; i < c->anomalies->len; i++) {
            const TfaAnomaly *a = &g_array_index(c->anomalies, TfaAnomaly, i);
            if ((int)a->severity != sev || shown[a->code]++ >= LINES_PER_CODE)
                continue;
            g_string_append(buf, "  ");
            coloured(rep, buf, severity_sgr(sev), tfa_severity_name((TfaSeverity)sev), 8);
            g_string_append_printf(buf, "%s: %s\n", tfa_anomaly_name((TfaAnomalyCode)a->code),
                                   tfa_report_detail(rec, a, detail, sizeof(detail)));
        }
        for (int code = 0; code < TFA_ANOMALY_N; code++) {
            if (tfa_conn_code_severity(c, (TfaAnomalyCode)code) != sev ||
                shown[code] <= LINES_PER_CODE)
                continue;
            guint64 total = rec->code_count[code];
            g_string_append_printf(buf, "          ... and %" PRIu64 " more %s\n",
                                   (uint64_t)(total - LINES_PER_CODE),
                                   tfa_anomaly_name((TfaAnomalyCode)code));
        }
    }
    if (c->anomalies_dropped > 0)
        g_string_append_printf(buf, "  (%u more anomalies not kept: --max-anomalies)\n",
                               c->anomalies_dropped);
}

static void text_conn(TfaReporter *rep, const TfaConnRecord *rec, GString *buf)
{
    rep->verdicts[rec->conn->out.verdict < TFA_VERDICT_N ? rec->conn->out.verdict : 0]++;
    conn_line(rep, rec, buf);
    if (rec->worst_severity < (int)TFA_SEV_NOTICE)
        return;
    rep->anomalous++;
    /* a live capture explains each connection as it ends; a file's
     * explanations follow the table, up to --max-details of them */
    if (rep->opts->interface != NULL) {
        conn_detail(rep, rec, buf);
    } else if (rep->detailed < rep->opts->max_details) {
        rep->detailed++;
        conn_detail(rep, rec, rep->details);
    } else {
        rep->not_detailed++;
    }
}

static void endpoint_str(char *out, size_t len, const TfaAddr *a, uint16_t port)
{
    char ip[TFA_ADDR_STRLEN];
    endpoint_text(out, len, tfa_addr_to_string(a, ip, sizeof(ip)), port);
}

/* --at: what netstat -nat would have shown on each host then. */
static void sockets_at(const TfaRunInfo *info, GString *buf)
{
    const GArray *rows = tfa_summary_sockets_at(info->summary);
    char when[64], l[ADDR_COL + 8], f[ADDR_COL + 8];
    TfaAddr host = {0};
    g_string_append_printf(buf, "TCP endpoints at %s UTC (capture time); ? = not confirmed by "
                                "the endpoint's own packets\n",
                           tfa_report_ts_human(tfa_summary_at(info->summary), true, when,
                                               sizeof(when)));
    if (info->stats->have_ts && tfa_summary_at(info->summary) > info->stats->last_ts) {
        char end[64];
        g_string_append_printf(buf, "warning: that is after the capture's end (%s UTC): these "
                                    "are the states it left, what happened later is unseen\n",
                               tfa_report_ts_human(info->stats->last_ts, true, end, sizeof(end)));
    }
    for (guint i = 0; rows != NULL && i < rows->len; i++) {
        const TfaSocketRow *r = &g_array_index(rows, TfaSocketRow, i);
        if (i == 0 || tfa_addr_cmp(&host, &r->local) != 0) {
            char ip[TFA_ADDR_STRLEN];
            host = r->local;
            g_string_append_printf(buf, "\nhost %s\n%-6s%-*s  %-*s  %s\n",
                                   tfa_addr_to_string(&host, ip, sizeof(ip)), "Proto", ADDR_COL,
                                   "Local Address", ADDR_COL, "Foreign Address", "State");
        }
        endpoint_str(l, sizeof(l), &r->local, r->lport);
        if (r->state == TFA_TCP_LISTEN) {
            /* one listener, however many connections came to it */
            if (i > 0) {
                const TfaSocketRow *p = &g_array_index(rows, TfaSocketRow, i - 1);
                if (p->state == TFA_TCP_LISTEN && p->lport == r->lport &&
                    tfa_addr_cmp(&p->local, &r->local) == 0)
                    continue;
            }
            g_strlcpy(f, "*:*", sizeof(f));
        } else {
            endpoint_str(f, sizeof(f), &r->foreign, r->fport);
        }
        g_string_append_printf(buf, "%-6s%-*s  %-*s  %s%s\n", "tcp", ADDR_COL, l, ADDR_COL, f,
                               tfa_tcp_state_name((TfaTcpState)r->state), r->certain ? "" : "?");
    }
    if (rows == NULL || rows->len == 0)
        g_string_append(buf, "(none)\n");
}

/* Each host's endpoints by final state: the netstat view at the end. */
static void host_states(const TfaRunInfo *info, GString *buf)
{
    guint64 other = 0;
    if (info->summary == NULL)
        return;
    g_autoptr(GPtrArray) hs = tfa_summary_hosts(info->summary, &other);
    char ip[TFA_ADDR_STRLEN];
    if (hs->len == 0)
        return;
    g_string_append(buf, "\n  hosts: endpoints by state at the end of the capture (what netstat "
                         "would show)\n");
    for (guint i = 0; i < hs->len; i++) {
        const TfaHostStates *h = g_ptr_array_index(hs, i);
        g_string_append_printf(buf, "    %-*s", ADDR_COL, tfa_addr_to_string(&h->addr, ip, sizeof(ip)));
        for (unsigned k = 0; k < TFA_TCP_N_STATES; k++) {
            if (h->states[k] != 0)
                g_string_append_printf(buf, " %s %" PRIu64, tfa_tcp_state_name((TfaTcpState)k),
                                       (uint64_t)h->states[k]);
        }
        g_string_append_c(buf, '\n');
    }
    if (other > 0)
        g_string_append_printf(buf, "    (%" PRIu64 " endpoints of further hosts not listed)\n",
                               (uint64_t)other);
}

/* A state column is as wide as the state's name, at least 6. */
static int state_col(unsigned state)
{
    return (int)MAX(strlen(tfa_tcp_state_name((TfaTcpState)state)), 6);
}

/* Each service's server endpoints by final state, the way netstat counts
 * them on the server; only the states that occur get a column. */
static void service_states(const TfaRunInfo *info, GString *buf)
{
    guint64 other = 0;
    bool used[TFA_TCP_N_STATES] = {false};
    char ep[ADDR_COL + 48], ip[TFA_ADDR_STRLEN];
    g_autoptr(GPtrArray) sv = tfa_summary_services(info->summary, &other);
    if (sv->len == 0)
        return;
    for (guint i = 0; i < sv->len; i++) {
        const TfaServiceStats *s = g_ptr_array_index(sv, i);
        for (unsigned k = 0; k < TFA_TCP_N_STATES; k++)
            used[k] |= s->states[k] != 0;
    }
    g_string_append(buf, "\n  services: server endpoints by state at the end of the capture\n");
    g_string_append_printf(buf, "    %-*s %6s %7s %9s", ADDR_COL, "SERVICE", "CONNS", "REFUSED",
                           "HALF-OPEN");
    for (unsigned k = 0; k < TFA_TCP_N_STATES; k++)
        if (used[k])
            g_string_append_printf(buf, " %*s", state_col(k),
                                   tfa_tcp_state_name((TfaTcpState)k));
    g_string_append_c(buf, '\n');
    for (guint i = 0; i < sv->len; i++) {
        const TfaServiceStats *s = g_ptr_array_index(sv, i);
        endpoint_text(ep, sizeof(ep), tfa_addr_to_string(&s->addr, ip, sizeof(ip)), s->port);
        g_string_append_printf(buf, "    %-*s %6" PRIu64 " %7" PRIu64 " %9" PRIu64, ADDR_COL, ep,
                               (uint64_t)s->conns, (uint64_t)s->refused,
                               (uint64_t)s->half_open);
        for (unsigned k = 0; k < TFA_TCP_N_STATES; k++)
            if (used[k])
                g_string_append_printf(buf, " %*" PRIu64,
                                       state_col(k),
                                       (uint64_t)s->states[k]);
        g_string_append_c(buf, '\n');
    }
    if (other > 0)
        g_string_append_printf(buf, "    (%" PRIu64 " further services not listed)\n",
                               (uint64_t)other);
}

static void text_summary(TfaReporter *rep, const TfaRunInfo *info, GString *buf)
{
    const TfaStats *st = info->stats;
    char a[64], b[64];

    if (info->opts->at_set && info->summary != NULL) {
        sockets_at(info, buf);
        return;
    }

    if (rep->details->len > 0) {
        g_string_append(buf, "\nAnomalous connections\n");
        g_string_append_len(buf, rep->details->str, (gssize)rep->details->len);
        g_string_truncate(rep->details, 0);
    }
    if (rep->not_detailed > 0)
        g_string_append_printf(buf, "\n(%" PRIu64 " more anomalous connections not explained "
                                    "here: --max-details, or --conn ID)\n",
                               (uint64_t)rep->not_detailed);

    g_string_append(buf, "\nSummary\n");
    if (st->have_ts)
        g_string_append_printf(buf, "  capture    %s .. %s UTC\n",
                               tfa_report_ts_human(st->first_ts, true, a, sizeof(a)),
                               tfa_report_ts_human(st->last_ts, true, b, sizeof(b)));
    g_string_append_printf(buf,
                           "  frames     %" PRIu64 " (%" PRIu64 " TCP segments)\n"
                           "  conns      %" PRIu64 " (at most %" PRIu64 " at once), %" PRIu64
                           " reported:",
                           (uint64_t)st->frames, (uint64_t)st->tcp_segments,
                           (uint64_t)st->conns_total, (uint64_t)st->conns_peak,
                           (uint64_t)info->records);
    for (unsigned v = 0; v < TFA_VERDICT_N; v++) {
        g_string_append_printf(buf, "%s %" PRIu64 " ", v == 0 ? "" : ",",
                               (uint64_t)rep->verdicts[v]);
        coloured(rep, buf, verdict_sgr((TfaVerdict)v), tfa_verdict_name((TfaVerdict)v), 0);
    }
    g_string_append_c(buf, '\n');
    if (info->capture.have_kernel_stats)
        g_string_append_printf(buf, "  drops      %" PRIu64 " by the kernel, %" PRIu64
                               " by the interface\n",
                               (uint64_t)info->capture.kernel_drops,
                               (uint64_t)info->capture.iface_drops);
    if (info->input_damaged)
        g_string_append(buf, "  input      DAMAGED: some input could not be read (see stderr)\n");
    if (info->interrupted)
        g_string_append(buf, "  input      interrupted: open connections reported as they were\n");

    bool any = false;
    for (unsigned d = 0; d < TFA_DIAG_N; d++) {
        if (st->diag[d] == 0)
            continue;
        if (!any)
            g_string_append(buf, "\n  diagnostics (capture quality, and packets the tool could "
                                 "not use fully)\n");
        any = true;
        g_string_append_printf(buf, "    %-28s %10" PRIu64 "  %s\n", tfa_diag_name((TfaDiag)d),
                               (uint64_t)st->diag[d], tfa_diag_meaning((TfaDiag)d));
    }
    any = false;
    for (int sev = TFA_SEV_N - 1; sev >= 0; sev--) {
        for (unsigned c = 0; c < TFA_ANOMALY_N; c++) {
            if (st->anomaly[c] == 0 || (int)tfa_anomaly_severity((TfaAnomalyCode)c) != sev)
                continue;
            if (!any)
                g_string_append(buf, "\n  anomalies by code (all connections, most severe "
                                     "first)\n");
            any = true;
            g_string_append(buf, "    ");
            coloured(rep, buf, severity_sgr(sev), tfa_severity_name((TfaSeverity)sev), 8);
            g_string_append_printf(buf, "%-34s %8" PRIu64 "  %s\n",
                                   tfa_anomaly_name((TfaAnomalyCode)c), (uint64_t)st->anomaly[c],
                                   tfa_anomaly_meaning((TfaAnomalyCode)c));
        }
    }
    if (info->summary == NULL)
        return;
    service_states(info, buf);
    host_states(info, buf);
    g_autoptr(GArray) fs = tfa_summary_findings(info->summary);
    char detail[256];
    if (fs->len > 0)
        g_string_append(buf, "\n  findings\n");
    for (guint i = 0; i < fs->len; i++) {
        const TfaFindingRow *f = &g_array_index(fs, TfaFindingRow, i);
        g_string_append(buf, "    ");
        coloured(rep, buf, SGR_YELLOW, tfa_finding_name(f->code), 0);
        g_string_append_printf(buf, ": %s\n", tfa_report_finding_detail(f, detail, sizeof(detail)));
    }
}

const TfaReporterOps tfa_report_text_ops = {
    .name = "text",
    .begin = text_begin,
    .conn = text_conn,
    .summary = text_summary,
};
