/* record.c - the finished-connection view shared by the reporters. */
#include "config.h"

#include "tcpflow-audit/record.h"

#include <glib.h>
#include <string.h>

void tfa_record_build(const TfaConn *c, TfaConnRecord *rec)
{
    rec->conn = c;
    rec->side[TFA_ROLE_CLIENT] = c->client;
    rec->side[TFA_ROLE_SERVER] = (uint8_t)(1 - c->client);
    for (int r = 0; r < 2; r++) {
        uint8_t s = rec->side[r];
        tfa_addr_to_string(&c->key.addr[s], rec->ip[r], sizeof(rec->ip[r]));
        rec->port[r] = c->key.port[s];
    }
    const TfaSideStats *a = &c->side[0], *b = &c->side[1];
    if (a->packets == 0)
        a = b;
    if (b->packets == 0)
        b = a;
    rec->first_frame = MIN(a->first_frame, b->first_frame);
    rec->last_frame = MAX(a->last_frame, b->last_frame);
    rec->first_ts = a->first_frame <= b->first_frame ? a->first_ts : b->first_ts;
    rec->last_ts = a->last_frame >= b->last_frame ? a->last_ts : b->last_ts;

    rec->worst_severity = -1;
    rec->worst_code = -1;
    memset(rec->code_count, 0, sizeof(rec->code_count));
    for (guint i = 0; c->counts != NULL && i < c->counts->len; i++) {
        const TfaCount *n = &g_array_index(c->counts, TfaCount, i);
        if (n->code < TFA_ANOMALY_N)
            rec->code_count[n->code] += (guint64)n->n[0] + n->n[1];
    }
    for (int code = 0; code < TFA_ANOMALY_N; code++) {
        int sev = rec->code_count[code] > 0 ? tfa_conn_code_severity(c, (TfaAnomalyCode)code) : -1;
        if (sev > rec->worst_severity) {
            rec->worst_severity = sev;
            rec->worst_code = code;
        }
    }
}

bool tfa_record_state_certain(const TfaConnRecord *rec, TfaRole role)
{
    const TfaEndpoint *ep = &rec->conn->ep[rec->side[role]];
    if (ep->path == NULL || ep->path->len == 0)
        return false;
    return g_array_index(ep->path, TfaTransition, ep->path->len - 1).certain;
}

const char *tfa_record_state_note(const TfaConnRecord *rec, TfaRole role)
{
    if (tfa_record_state_certain(rec, role))
        return "";
    if (tfa_record_stats(rec, role)->packets == 0)
        return " (assumed: it sent nothing, so its real state is unknown)";
    return " (not confirmed)";
}

const char *tfa_record_outcome_text(const TfaConnRecord *rec, char *buf, size_t len)
{
    const TfaConn *c = rec->conn;
    g_snprintf(buf, len, "handshake %s; close %s (initiator: %s); client ended in %s%s, server in %s%s",
               tfa_handshake_name((TfaHandshake)c->out.handshake),
               tfa_close_name((TfaCloseKind)c->out.close_kind),
               tfa_initiator_name((TfaInitiator)c->out.close_initiator),
               tfa_tcp_state_name((TfaTcpState)c->ep[rec->side[TFA_ROLE_CLIENT]].state),
               tfa_record_state_note(rec, TFA_ROLE_CLIENT),
               tfa_tcp_state_name((TfaTcpState)c->ep[rec->side[TFA_ROLE_SERVER]].state),
               tfa_record_state_note(rec, TFA_ROLE_SERVER));
    return buf;
}
