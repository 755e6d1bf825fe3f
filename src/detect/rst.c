/* rst.c - the cause of every RST, decided from evidence (ANOMALIES.md):
 * how its receiver judged it (RFC 5961), each endpoint's state when it was
 * sent, what it answered, whether its "sender" kept talking or its TTL does
 * not fit the sender's earlier packets, keep-alives, and idle time. */
#include "config.h"

#include "tcpflow-audit/detect.h"

#include <string.h>

/* The RST_* anomaly codes follow the causes' order. */
G_STATIC_ASSERT(TFA_ANOMALY_RST_UNKNOWN - TFA_ANOMALY_RST_REFUSED ==
                TFA_RST_CAUSE_UNKNOWN - TFA_RST_CAUSE_REFUSED);

#define SYNCHRONIZED_OR_OPENING                                                                   \
    (TFA_TCPF(SYN_RECEIVED) | TFA_TCPF(ESTABLISHED) | TFA_TCPF(CLOSE_WAIT))

/* Keep the RST's payload as text when it is printable (RFC 9293 §3.5.3
 * lets an RST carry a diagnostic). */
static void keep_diag(TfaRstInfo *r, const TfaSegment *seg)
{
    size_t n = seg->payload_caplen < sizeof(r->diag) - 1 ? seg->payload_caplen
                                                         : sizeof(r->diag) - 1;
    if (seg->payload == NULL || n == 0)
        return;
    for (size_t i = 0; i < n; i++) {
        uint8_t ch = seg->payload[i];
        if (ch == 0 && i + 1 == n)
            break;
        if (ch < 0x20 || ch > 0x7e)
            return; /* not text */
    }
    memcpy(r->diag, seg->payload, n);
    r->diag[n] = '\0';
}

void tfa_detect_rst_segment(TfaConn *c, TfaVerdicts *d, const TfaSegment *seg, uint8_t side,
                            const TfaSmEvent *ev, TfaAnomalySink *sink)
{
    uint8_t peer = (uint8_t)(1 - side);
    uint16_t f = seg->flags;

    if (f & TFA_TH_RST) {
        TfaRstInfo *r = NULL;
        if (c->rsts != NULL && c->rsts->len > 0) {
            r = &g_array_index(c->rsts, TfaRstInfo, c->rsts->len - 1);
            if (r->frame != seg->frame_no)
                r = NULL; /* beyond the kept RSTs */
        }
        if (r != NULL) {
            r->ttl = seg->ttl;
            r->sender_ttl = d->last_ttl[side];
            r->idle_before = d->prev_ts != 0 ? seg->ts - d->prev_ts : 0;
            r->answered_valid = d->last_valid[peer];
            r->answered_flags = d->last_flags[peer];
            r->answered_len = d->last_len[peer];
            r->answered_ack = d->last_ack[peer];
            r->sender_sent_data = c->side[side].bytes > 0;
            r->sender_probed = d->probe_pending[side];
            keep_diag(r, seg);
        }
        if (seg->payload_len > 0)
            tfa_sink_add(sink, TFA_ANOMALY_RST_WITH_DATA, side, seg->frame_no, seg->ts,
                         seg->payload_len, 0);
    } else {
        /* the "sender" of an earlier RST talks on */
        for (guint i = 0; c->rsts != NULL && i < c->rsts->len; i++) {
            TfaRstInfo *r = &g_array_index(c->rsts, TfaRstInfo, i);
            if (r->frame >= seg->frame_no || (f & TFA_TH_SYN))
                continue;
            if (r->side == side)
                r->sender_talked_after = true;
            else
                r->receiver_talked_after = true;
        }
        d->last_ttl[side] = seg->ttl;
        /* a keep-alive probe: at most one byte, one below what it already
         * sent (RFC 1122 §4.2.3.6); anything from the peer answers it */
        d->probe_pending[peer] = false;
        if (seg->payload_len <= 1 && !(f & (TFA_TH_SYN | TFA_TH_FIN)) && (f & TFA_TH_ACK) &&
            c->ep[side].snd_nxt_known && seg->seq + 1 == c->ep[side].snd_nxt &&
            ev->before[side] != TFA_TCP_SYN_SENT)
            d->probe_pending[side] = true;
    }
    d->last_flags[side] = f;
    d->last_len[side] = seg->payload_len;
    d->last_ack[side] = seg->ack;
    d->last_valid[side] = true;
    d->prev_ts = seg->ts;
}

static TfaRstCause decide(const TfaConn *c, const TfaVerdicts *d, const TfaRstInfo *r,
                          const TfaOptions *opts)
{
    uint8_t s = r->side;
    bool from_client = s == c->client;
    uint16_t af = r->answered_flags;

    if (r->accept == TFA_RST_CHALLENGED || r->accept == TFA_RST_IGNORED)
        return TFA_RST_CAUSE_OUT_OF_WINDOW;
    if (r->sender_talked_after || (r->sender_ttl != 0 && r->ttl != r->sender_ttl))
        return TFA_RST_CAUSE_SUSPECTED_INJECTION;
    if (!from_client && r->receiver_state == TFA_TCP_SYN_SENT)
        return TFA_RST_CAUSE_REFUSED;
    if (from_client && (r->sender_state == TFA_TCP_SYN_SENT ||
                        r->receiver_state == TFA_TCP_SYN_RECEIVED))
        return TFA_RST_CAUSE_HANDSHAKE_ABORT;
    if (r->sender_state == TFA_TCP_TIME_WAIT || r->receiver_state == TFA_TCP_TIME_WAIT)
        return TFA_RST_CAUSE_IN_TIME_WAIT;
    /* it had closed its side, then data (or a FIN) came in */
    if (d->fin_sent[s] && r->answered_valid &&
        (r->answered_len > 0 || (af & TFA_TH_FIN)))
        return TFA_RST_CAUSE_DATA_TO_CLOSED_SOCKET;
    /* RFC 9293 §3.10.7.1 reset generation for a connection the sender does
     * not have: no ACK flag, the sequence number taken from the ACK of the
     * segment it answers (a live socket's abort carries an ACK) */
    if (!r->has_ack && r->answered_valid && (af & TFA_TH_ACK) && r->seq == r->answered_ack)
        return TFA_RST_CAUSE_STALE_CONNECTION;
    if (r->sender_probed)
        return TFA_RST_CAUSE_KEEPALIVE_TIMEOUT;
    if (r->idle_before >= opts->rst_idle)
        return TFA_RST_CAUSE_AFTER_IDLE;
    if ((1u << r->sender_state) & SYNCHRONIZED_OR_OPENING) {
        /* Linux resets instead of FIN when closing with unread data; from
         * the wire that is told from an abort only when the sender never
         * sent data: it received, and closed without answering */
        if (!r->sender_sent_data && c->side[1 - s].bytes > 0)
            return TFA_RST_CAUSE_CLOSE_WITH_UNREAD_DATA;
        return TFA_RST_CAUSE_ABORTIVE_CLOSE;
    }
    return TFA_RST_CAUSE_UNKNOWN;
}

void tfa_detect_rst_end(TfaConn *c, TfaVerdicts *d, const TfaOptions *opts, TfaAnomalySink *sink)
{
    for (guint i = 0; c->rsts != NULL && i < c->rsts->len; i++) {
        TfaRstInfo *r = &g_array_index(c->rsts, TfaRstInfo, i);
        TfaRstCause cause = decide(c, d, r, opts);
        r->cause = (uint8_t)cause;
        tfa_sink_add(sink, (TfaAnomalyCode)(TFA_ANOMALY_RST_REFUSED + cause), r->side, r->frame,
                     r->ts, (int64_t)i, r->idle_before);
    }
    if (c->rsts_total >= opts->rst_storm) {
        const TfaRstInfo *last = &g_array_index(c->rsts, TfaRstInfo, c->rsts->len - 1);
        tfa_sink_add(sink, TFA_ANOMALY_RST_STORM, -1, last->frame, last->ts, c->rsts_total, 0);
    }
}
