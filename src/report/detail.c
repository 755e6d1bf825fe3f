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

    if (r >= 0)
        g_snprintf(buf, len, "%s %s:%u: %s (frame %" G_GUINT64_FORMAT ")", who, rec->ip[r],
                   rec->port[r], tfa_anomaly_meaning(code), (guint64)a->frame_no);
    else
        g_snprintf(buf, len, "%s: %s (frame %" G_GUINT64_FORMAT ")", who,
                   tfa_anomaly_meaning(code), (guint64)a->frame_no);
    return buf;
}
