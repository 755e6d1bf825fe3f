/* conn.c - a connection's findings: anomaly list and per-code counters. */
#include "config.h"

#include "tcpflow-audit/conn.h"
#include "tcpflow-audit/extract.h"

static TfaCount *count_slot(TfaConn *c, uint16_t code)
{
    if (c->counts == NULL)
        c->counts = g_array_sized_new(FALSE, FALSE, sizeof(TfaCount), 4);
    for (guint i = 0; i < c->counts->len; i++) {
        TfaCount *n = &g_array_index(c->counts, TfaCount, i);
        if (n->code == code)
            return n;
    }
    TfaCount n = {.code = code, .worst = -1};
    g_array_append_val(c->counts, n);
    return &g_array_index(c->counts, TfaCount, c->counts->len - 1);
}

void tfa_conn_count(TfaConn *c, uint16_t code, uint8_t side)
{
    count_slot(c, code)->n[side & 1]++;
}

int tfa_conn_code_severity(const TfaConn *c, TfaAnomalyCode code)
{
    for (guint i = 0; c->counts != NULL && i < c->counts->len; i++) {
        const TfaCount *n = &g_array_index(c->counts, TfaCount, i);
        if (n->code == TFA_COUNT_ANOMALY(code))
            return n->worst;
    }
    return -1;
}

guint32 tfa_conn_get_count(const TfaConn *c, uint16_t code, uint8_t side)
{
    if (c->counts == NULL)
        return 0;
    for (guint i = 0; i < c->counts->len; i++) {
        const TfaCount *n = &g_array_index(c->counts, TfaCount, i);
        if (n->code == code)
            return n->n[side & 1];
    }
    return 0;
}

void tfa_conn_add_anomaly(TfaConn *c, const TfaAnomaly *a, guint cap)
{
    /* an anomaly of both sides is counted on each */
    TfaCount *n = count_slot(c, TFA_COUNT_ANOMALY(a->code));
    if (a->side < 0) {
        n->n[0]++;
        n->n[1]++;
    } else {
        n->n[a->side & 1]++;
    }
    if ((int)a->severity > n->worst)
        n->worst = (int8_t)a->severity;
    if ((c->anomalies != NULL ? c->anomalies->len : 0) >= cap) {
        c->anomalies_dropped++;
        return;
    }
    if (c->anomalies == NULL)
        c->anomalies = g_array_sized_new(FALSE, FALSE, sizeof(TfaAnomaly), 4);
    g_array_append_val(c->anomalies, *a);
}

void tfa_conn_free(TfaConn *c)
{
    if (c == NULL)
        return;
    tfa_extract_free(c->extract);
    if (c->anomalies != NULL)
        g_array_unref(c->anomalies);
    if (c->counts != NULL)
        g_array_unref(c->counts);
    for (int i = 0; i < 2; i++) {
        if (c->ep[i].path != NULL)
            g_array_unref(c->ep[i].path);
    }
    if (c->rsts != NULL)
        g_array_unref(c->rsts);
    if (c->ladder != NULL)
        g_array_unref(c->ladder);
    for (int i = 0; i < 2; i++) {
        g_free(c->half[i].keep); /* the budget was given back by the engine */
        g_free(c->half[i].holes);
        if (c->out_ready) { /* the outcome's rings (the detectors' states are theirs) */
            g_free(c->out.timing[i].delays);
            g_free(c->out.timing[i].rtts);
        }
    }
    g_free(c->icmp);
    g_free(c);
}
