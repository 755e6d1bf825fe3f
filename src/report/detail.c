/* detail.c - the one-line explanation of each anomaly, made at report time
 * from the anomaly's numbers (anomalies carry no strings). */
#include "config.h"

#include "tcpflow-audit/report.h"

static const char *role_name(const TfaConnRecord *rec, int8_t side)
{
    if (side < 0)
        return "both endpoints";
    return (uint8_t)side == rec->side[TFA_ROLE_CLIENT] ? "client" : "server";
}

const char *tfa_report_detail(const TfaConnRecord *rec, const TfaAnomaly *a, char *buf, size_t len)
{
    TfaAnomalyCode code = (TfaAnomalyCode)a->code;
    const char *who = role_name(rec, a->side);
    int r = a->side < 0 ? -1 : (uint8_t)a->side == rec->side[TFA_ROLE_CLIENT] ? 0 : 1;

    switch (code) {
    case TFA_ANOMALY_HANDSHAKE_PORT_REUSE_IN_TIME_WAIT:
        g_snprintf(buf, len,
                   "%s %s:%u was still in TIME_WAIT (entered %.3f s before) when the new SYN "
                   "(frame %" G_GUINT64_FORMAT ") reused the 4-tuple: the stack let a new "
                   "connection take over the old one's TIME_WAIT; a stale segment of the old "
                   "one could now be taken for new data",
                   who, rec->ip[r < 0 ? 0 : r], rec->port[r < 0 ? 0 : r],
                   (double)a->arg[0] / 1e9, (guint64)a->frame_no);
        return buf;
    case TFA_ANOMALY_HANDSHAKE_SYN_INSIDE_CONNECTION:
        g_snprintf(buf, len,
                   "%s %s:%u sent a SYN (seq %" G_GINT64_FORMAT ", frame %" G_GUINT64_FORMAT
                   ") on a connection that was already established: it no longer knows the "
                   "connection (restart, lost state); the peer answers with a challenge ACK",
                   who, rec->ip[r < 0 ? 0 : r], rec->port[r < 0 ? 0 : r], a->arg[0],
                   (guint64)a->frame_no);
        return buf;
    default:
        break;
    }
    if (r >= 0)
        g_snprintf(buf, len, "%s %s:%u: %s (frame %" G_GUINT64_FORMAT ")", who, rec->ip[r],
                   rec->port[r], tfa_anomaly_meaning(code), (guint64)a->frame_no);
    else
        g_snprintf(buf, len, "%s: %s (frame %" G_GUINT64_FORMAT ")", who,
                   tfa_anomaly_meaning(code), (guint64)a->frame_no);
    return buf;
}

const char *tfa_report_finding_detail(const TfaFindingRow *f, char *buf, size_t len)
{
    char ip[TFA_ADDR_STRLEN];
    tfa_addr_to_string(&f->addr, ip, sizeof(ip));
    switch (f->code) {
    case TFA_FINDING_SERVICE_CLOSE_WAIT_LEAK:
        g_snprintf(buf, len,
                   "%s:%u left %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                   " connections in CLOSE_WAIT: the peer closed, the application never called "
                   "close() (a socket leak)",
                   ip, f->port, (guint64)f->value, (guint64)f->total);
        break;
    case TFA_FINDING_SERVICE_TIME_WAIT_PILEUP:
        g_snprintf(buf, len,
                   "%s:%u holds %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                   " connections in TIME_WAIT: the server closes first; let clients close, or "
                   "reuse connections",
                   ip, f->port, (guint64)f->value, (guint64)f->total);
        break;
    case TFA_FINDING_SERVICE_SYN_FLOOD:
        g_snprintf(buf, len,
                   "%s:%u has %" G_GUINT64_FORMAT " half-open handshakes (SYN-ACK never "
                   "acknowledged) from many sources: a SYN flood, or clients that cannot reach "
                   "back",
                   ip, f->port, (guint64)f->value);
        break;
    case TFA_FINDING_HOST_PORT_SCAN:
        g_snprintf(buf, len,
                   "%s failed to connect to %" G_GUINT64_FORMAT " distinct ports (refused or "
                   "unanswered) in %" G_GUINT64_FORMAT " attempts: a port scan",
                   ip, (guint64)f->value, (guint64)f->total);
        break;
    case TFA_FINDING_SERVICE_REFUSING:
        g_snprintf(buf, len,
                   "%s:%u refused all %" G_GUINT64_FORMAT " connection attempts: nothing "
                   "listens there",
                   ip, f->port, (guint64)f->value);
        break;
    default:
        g_strlcpy(buf, tfa_finding_meaning(f->code), len);
        break;
    }
    return buf;
}
