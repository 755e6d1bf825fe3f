/* text.c - the report for people: one line per connection, then the
 * anomalous connections in detail, then the capture summary. */
#include "config.h"

#include "report-private.h"

#include "tcpflow-audit/json.h"

#include <inttypes.h>
#include <string.h>

#define ADDR_COL 21 /* "255.255.255.255:65535"; longer IPv6 endpoints push the line */

static void text_begin(TfaReporter *rep, GString *buf)
{
    if (rep->opts->at_set)
        return;
    g_string_append_printf(buf, "%6s  %-*s %-*s %13s %17s  %-25s %-15s %s\n", "ID", ADDR_COL,
                           "CLIENT", ADDR_COL, "SERVER", "PKTS C/S", "BYTES C/S", "FINAL STATES C/S",
                           "END", "FRAMES");
}

static void endpoint_text(char *out, size_t len, const char *ip, uint16_t port)
{
    if (strchr(ip, ':') != NULL)
        g_snprintf(out, len, "[%s]:%u", ip, port);
    else
        g_snprintf(out, len, "%s:%u", ip, port);
}

static void text_conn(TfaReporter *rep, const TfaConnRecord *rec, GString *buf)
{
    const TfaConn *c = rec->conn;
    const TfaSideStats *cs = tfa_record_stats(rec, TFA_ROLE_CLIENT);
    const TfaSideStats *ss = tfa_record_stats(rec, TFA_ROLE_SERVER);
    char cl[ADDR_COL + 8], sv[ADDR_COL + 8], pk[48], by[48], fr[48], states[48];

    endpoint_text(cl, sizeof(cl), rec->ip[TFA_ROLE_CLIENT], rec->port[TFA_ROLE_CLIENT]);
    endpoint_text(sv, sizeof(sv), rec->ip[TFA_ROLE_SERVER], rec->port[TFA_ROLE_SERVER]);
    g_snprintf(pk, sizeof(pk), "%" PRIu64 "/%" PRIu64, (uint64_t)cs->packets, (uint64_t)ss->packets);
    g_snprintf(by, sizeof(by), "%" PRIu64 "/%" PRIu64, (uint64_t)cs->bytes, (uint64_t)ss->bytes);
    g_snprintf(fr, sizeof(fr), "%" PRIu64 "-%" PRIu64, (uint64_t)rec->first_frame,
               (uint64_t)rec->last_frame);
    g_snprintf(states, sizeof(states), "%s%s/%s%s",
               tfa_tcp_state_name((TfaTcpState)c->ep[rec->side[TFA_ROLE_CLIENT]].state),
               tfa_record_state_certain(rec, TFA_ROLE_CLIENT) ? "" : "?",
               tfa_tcp_state_name((TfaTcpState)c->ep[rec->side[TFA_ROLE_SERVER]].state),
               tfa_record_state_certain(rec, TFA_ROLE_SERVER) ? "" : "?");
    g_string_append_printf(buf, "%6" PRIu64 "  %-*s %-*s %13s %17s  %-25s %-15s %s\n",
                           (uint64_t)c->id, ADDR_COL, cl, ADDR_COL, sv, pk, by, states,
                           tfa_end_name(c->end_reason), fr);
    if (c->anomalies != NULL) {
        char detail[512];
        for (guint i = 0; i < c->anomalies->len; i++) {
            const TfaAnomaly *a = &g_array_index(c->anomalies, TfaAnomaly, i);
            g_string_append_printf(
                buf, "        %-7s %s: %s\n",
                tfa_severity_name(tfa_anomaly_severity((TfaAnomalyCode)a->code)),
                tfa_anomaly_name((TfaAnomalyCode)a->code),
                tfa_report_detail(rec, a, detail, sizeof(detail)));
        }
        if (c->anomalies_dropped > 0)
            g_string_append_printf(buf, "        (%u more anomalies not kept: --max-anomalies)\n",
                                   c->anomalies_dropped);
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
    g_string_append(buf, "  final states by host (what netstat would show at the end)\n");
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

static void text_summary(TfaReporter *rep, const TfaRunInfo *info, GString *buf)
{
    const TfaStats *st = info->stats;
    char a[64], b[64];

    if (info->opts->at_set && info->summary != NULL) {
        sockets_at(info, buf);
        return;
    }

    g_string_append(buf, "\nSummary\n");
    if (st->have_ts)
        g_string_append_printf(buf, "  capture    %s .. %s UTC\n",
                               tfa_report_ts_human(st->first_ts, true, a, sizeof(a)),
                               tfa_report_ts_human(st->last_ts, true, b, sizeof(b)));
    g_string_append_printf(buf,
                           "  frames     %" PRIu64 " (%" PRIu64 " TCP segments)\n"
                           "  conns      %" PRIu64 " (at most %" PRIu64 " at once), %" PRIu64
                           " reported\n",
                           (uint64_t)st->frames, (uint64_t)st->tcp_segments,
                           (uint64_t)st->conns_total, (uint64_t)st->conns_peak,
                           (uint64_t)info->records);
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
            g_string_append(buf, "  diagnostics\n");
        any = true;
        g_string_append_printf(buf, "    %-28s %10" PRIu64 "  %s\n", tfa_diag_name((TfaDiag)d),
                               (uint64_t)st->diag[d], tfa_diag_meaning((TfaDiag)d));
    }
    host_states(info, buf);
    if (info->summary != NULL) {
        g_autoptr(GArray) fs = tfa_summary_findings(info->summary);
        char detail[256];
        if (fs->len > 0)
            g_string_append(buf, "  findings\n");
        for (guint i = 0; i < fs->len; i++) {
            const TfaFindingRow *f = &g_array_index(fs, TfaFindingRow, i);
            g_string_append_printf(buf, "    %s: %s\n", tfa_finding_name(f->code),
                                   tfa_report_finding_detail(f, detail, sizeof(detail)));
        }
    }
    any = false;
    for (unsigned c = 0; c < TFA_ANOMALY_N; c++) {
        if (st->anomaly[c] == 0)
            continue;
        if (!any)
            g_string_append(buf, "  anomalies\n");
        any = true;
        g_string_append_printf(buf, "    %-34s %10" PRIu64 "  %s\n",
                               tfa_anomaly_name((TfaAnomalyCode)c), (uint64_t)st->anomaly[c],
                               tfa_anomaly_meaning((TfaAnomalyCode)c));
    }
}

const TfaReporterOps tfa_report_text_ops = {
    .name = "text",
    .begin = text_begin,
    .conn = text_conn,
    .summary = text_summary,
};
