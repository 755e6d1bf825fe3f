/* record.c - the finished-connection view shared by the reporters: the one
 * place that reads TfaConn for them (record.h). */
#include "config.h"

#include "tcpflow-audit/record.h"

#include "tcpflow-audit/detect.h"
#include "tcpflow-audit/zeek.h"

#include <glib.h>
#include <string.h>

static const TfaTransition no_path[1];

void tfa_record_percentiles(const TfaDuration *v, uint16_t n, const unsigned *pct, unsigned k,
                            TfaDuration *out)
{
    TfaDuration sorted[TFA_DELAY_SAMPLES];
    if (v == NULL || n == 0) {
        for (unsigned i = 0; i < k; i++)
            out[i] = -1;
        return;
    }
    n = MIN(n, TFA_DELAY_SAMPLES);
    /* one insertion sort for all the percentiles: at most 64 values, most
     * often a handful, nearly in order */
    for (uint16_t i = 0; i < n; i++) {
        TfaDuration x = v[i];
        uint16_t j = i;
        for (; j > 0 && sorted[j - 1] > x; j--)
            sorted[j] = sorted[j - 1];
        sorted[j] = x;
    }
    for (unsigned i = 0; i < k; i++) {
        /* nearest rank */
        unsigned rank = (pct[i] * n + 99u) / 100u;
        out[i] = sorted[rank > 0 ? rank - 1 : 0];
    }
}

static void ack_summary(const TfaAckFigures *t, TfaRecordAck *r)
{
    r->acks = t->acks;
    r->immediate = t->immediate;
    r->delayed = t->delayed;
    r->over_500ms = t->over_500ms;
    r->piggybacked = t->piggybacked;
    r->stretch = t->stretch;
    r->full_acks = t->full_acks;
    r->full_acks_within_two = t->full_acks_within_two;
    static const unsigned delay_pct[2] = {50, 90}, rtt_pct[1] = {50};
    TfaDuration p[2];
    tfa_record_percentiles(t->delays, t->n_delays, delay_pct, 2, p);
    r->delay_p50 = p[0];
    r->delay_p90 = p[1];
    r->delay_max = t->acks > 0 ? t->max_delay : -1;
    r->stalls = t->stalls;
    r->stall_time = t->stall_time;
    r->rtt_samples = t->rtt_samples;
    r->rtt_min = t->rtt_samples > 0 ? t->rtt_min : -1;
    tfa_record_percentiles(t->rtts, t->n_rtts, rtt_pct, 1, &r->rtt_p50);
    r->rtt_max = t->rtt_samples > 0 ? t->rtt_max : -1;
}

/* What the detectors decided, copied from their state on the connection. */
static void detected(const TfaConn *c, TfaConnRecord *rec)
{
    const TfaOutcome *d = &c->out;
    const TfaSentHistory *h = &c->hist;

    rec->outcome = (TfaRecordOutcome){
        .handshake = d->handshake,
        .close_kind = d->close_kind,
        .close_initiator = d->close_initiator,
        .verdict = d->verdict,
        .close_frame = d->close_frame,
    };

    TfaRecordHandshake *hs = &rec->hs;
    hs->syn_ts = d->syn_ts;
    hs->synack_ts = d->synack_ts;
    hs->ack_ts = d->ack_ts;
    hs->syn_count = d->syn_count;
    hs->synack_count = d->synack_count;
    hs->n_syn_frames = MIN(d->n_syn_frames, TFA_MAX_HS_FRAMES);
    hs->n_synack_frames = MIN(d->n_synack_frames, TFA_MAX_HS_FRAMES);
    memcpy(hs->syn_frames, d->syn_frames, sizeof(hs->syn_frames));
    memcpy(hs->synack_frames, d->synack_frames, sizeof(hs->synack_frames));
    hs->ack_frame = d->ack_frame;
    hs->syn_data_acked = d->syn_data_acked;
    hs->third_ack_repeats = d->third_ack_repeats;
    hs->done_frame = d->hs_done_frame;
    hs->done_ts = d->hs_done_ts;
    hs->done_data = d->hs_done_data;
    hs->data_frame = d->hs_data_frame;
    hs->reset_frame = d->hs_reset_frame;

    for (int s = 0; s < 2; s++) {
        rec->fin[s] = (TfaRecordFin){
            .first_ts = h->fin_ts[s],
            .last_ts = h->fin_last_ts[s],
            .peer_fin_acked = h->acked_fin[s],
        };
        ack_summary(&d->timing[s], &rec->ack[s]);
    }
    rec->vantage = tfa_ack_vantage(c, &rec->to_server_rtt, &rec->to_client_rtt);
    rec->zeek_state = (uint8_t)tfa_zeek_conn_state(c);
    memcpy(rec->zeek_history, c->zeek.history, sizeof(rec->zeek_history));
    rec->zeek_history[TFA_ZEEK_HISTORY_MAX] = '\0';
}

void tfa_record_build(const TfaConn *c, TfaConnRecord *rec)
{
    rec->conn = c;
    rec->id = c->id;
    rec->incarnation = c->incarnation;
    rec->vlan[0] = c->key.vlan[0];
    rec->vlan[1] = c->key.vlan[1];
    rec->originator = c->originator;
    rec->side[TFA_ROLE_CLIENT] = c->client;
    rec->side[TFA_ROLE_SERVER] = (uint8_t)(1 - c->client);
    for (int r = 0; r < 2; r++) {
        uint8_t s = rec->side[r];
        rec->addr[r] = c->key.addr[s];
        tfa_addr_to_string(&c->key.addr[s], rec->ip[r], sizeof(rec->ip[r]));
        rec->port[r] = c->key.port[s];
    }

    const TfaSideStats *a = &c->side[0], *b = &c->side[1];
    rec->stats[0] = a;
    rec->stats[1] = b;
    if (a->packets == 0)
        a = b;
    if (b->packets == 0)
        b = a;
    rec->first_frame = MIN(a->first_frame, b->first_frame);
    rec->last_frame = MAX(a->last_frame, b->last_frame);
    rec->first_ts = a->first_frame <= b->first_frame ? a->first_ts : b->first_ts;
    rec->last_ts = a->last_frame >= b->last_frame ? a->last_ts : b->last_ts;
    rec->end_reason = c->end_reason;
    rec->mid_stream = c->mid_stream;
    rec->drops_during = c->drops_during;
    rec->continues_id = c->continues_id;
    rec->continues_after = c->continues_after;
    rec->frag_first = c->frag_first;
    rec->frag_overlap = c->frag_overlap;

    for (uint8_t s = 0; s < 2; s++) {
        const TfaEndpoint *ep = &c->ep[s];
        rec->ep[s] = ep;
        rec->path[s] = ep->path != NULL ? &g_array_index(ep->path, TfaTransition, 0) : no_path;
        rec->n_path[s] = ep->path != NULL ? ep->path->len : 0;
        rec->icmp[s] = tfa_conn_icmp(c, s);
        rec->holes[s] = c->half[s].holes;
        rec->n_holes[s] = c->half[s].holes != NULL ? c->half[s].n_holes : 0;
    }
    rec->rsts = c->rsts != NULL ? &g_array_index(c->rsts, TfaRstInfo, 0) : NULL;
    rec->n_rsts = c->rsts != NULL ? c->rsts->len : 0;
    rec->rsts_total = c->rsts_total;

    detected(c, rec);

    rec->anomalies = c->anomalies != NULL ? &g_array_index(c->anomalies, TfaAnomaly, 0) : NULL;
    rec->n_anomalies = c->anomalies != NULL ? c->anomalies->len : 0;
    rec->anomalies_dropped = c->anomalies_dropped;
    rec->anomalies_total = c->anomalies != NULL ? c->anomalies->len + c->anomalies_dropped : 0;
    rec->counts = c->counts != NULL ? &g_array_index(c->counts, TfaCount, 0) : NULL;
    rec->n_counts = c->counts != NULL ? c->counts->len : 0;

    rec->ladder = c->ladder != NULL ? &g_array_index(c->ladder, TfaLadderRow, 0) : NULL;
    rec->n_ladder = c->ladder != NULL ? c->ladder->len : 0;
    rec->ladder_dropped = c->ladder_dropped;

    rec->worst_severity = -1;
    rec->worst_code = -1;
    memset(rec->code_count, 0, sizeof(rec->code_count));
    memset(rec->code_severity, -1, sizeof(rec->code_severity));
    for (guint i = 0; i < rec->n_counts; i++) {
        const TfaCount *n = &rec->counts[i];
        if (n->code < TFA_ANOMALY_N) {
            rec->code_count[n->code] += (guint64)n->n[0] + n->n[1];
            rec->code_severity[n->code] = n->worst;
        }
    }
    for (int code = 0; code < TFA_ANOMALY_N; code++) {
        int sev = rec->code_count[code] > 0 ? rec->code_severity[code] : -1;
        if (sev > rec->worst_severity) {
            rec->worst_severity = sev;
            rec->worst_code = code;
        }
    }
}

guint32 tfa_record_count(const TfaConnRecord *rec, uint16_t code, uint8_t side)
{
    for (guint i = 0; i < rec->n_counts; i++) {
        if (rec->counts[i].code == code)
            return rec->counts[i].n[side];
    }
    return 0;
}

bool tfa_record_state_certain(const TfaConnRecord *rec, TfaRole role)
{
    uint8_t s = rec->side[role];
    if (rec->n_path[s] == 0)
        return false;
    return rec->path[s][rec->n_path[s] - 1].certain;
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
    g_snprintf(buf, len, "handshake %s; close %s (initiator: %s); client ended in %s%s, server in %s%s",
               tfa_handshake_name((TfaHandshake)rec->outcome.handshake),
               tfa_close_name((TfaCloseKind)rec->outcome.close_kind),
               tfa_initiator_name((TfaInitiator)rec->outcome.close_initiator),
               tfa_tcp_state_name((TfaTcpState)tfa_record_final_state(rec, TFA_ROLE_CLIENT)),
               tfa_record_state_note(rec, TFA_ROLE_CLIENT),
               tfa_tcp_state_name((TfaTcpState)tfa_record_final_state(rec, TFA_ROLE_SERVER)),
               tfa_record_state_note(rec, TFA_ROLE_SERVER));
    return buf;
}
