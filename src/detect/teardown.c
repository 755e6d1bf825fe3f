/* teardown.c - closing (RFC 9293 §3.6): how the connection ended, who began
 * it, and what went wrong on the way. */
#include "config.h"

#include "tcpflow-audit/detect.h"

#include "tcpflow-audit/seqnum.h"

/* The fastest loss-recovery timer of any stack (Linux's tail loss probe
 * waits at least this; an RTO at least 200 ms): a FIN repeated sooner,
 * with nothing from the peer in between to trigger a fast retransmit, is a
 * copy, not a recovery. */
#define TIMER_FLOOR (10 * TFA_NSEC_PER_MSEC)

/* Before the capture's end it takes longer than any round trip and any
 * application's turn-around for an endpoint that got the FIN to answer
 * with its own: a half-close younger than this is a close cut by the end
 * of the capture (Linux's initial RTO, RFC 6298 (2.1)). */
#define HALF_CLOSE_MIN TFA_NSEC_PER_SEC

/* @side acknowledged more of the peer's sequence space than the capture
 * shows the peer sending: the capture lacks some of the peer's segments
 * (perhaps its FIN). */
static bool missed_from_peer(const TfaConn *c, uint8_t side)
{
    const TfaEndpoint *me = &c->ep[side], *peer = &c->ep[1 - side];
    return me->rcv_nxt_known && peer->snd_nxt_known && tfa_seq_gt(me->rcv_nxt, peer->snd_nxt);
}

/* The round trip from the capture point to @side and back, from the
 * handshake (SYN -> SYN-ACK for the server, SYN-ACK -> ACK for the
 * client); -1 when the capture did not time it. */
static TfaDuration rtt_to(const TfaConn *c, const void *hs, uint8_t side)
{
    TfaDuration to_server, to_client;
    TfaHandshakeTimes t = tfa_handshake_times_of(hs);
    tfa_vantage_of(&t, &to_server, &to_client);
    return side == c->client ? to_client : to_server;
}

/* A FIN sent again: a recovery when a timer could have fired (TIMER_FLOOR,
 * and at least the whole round trip when the handshake timed it), or when
 * the peer said something in between (duplicate ACKs, a partial ACK). */
static bool fin_retry_plausible(const TfaConn *c, const void *hs, const TfaSegment *seg,
                                uint8_t side)
{
    const TfaSentHistory *d = &c->hist; /* as of the segment before */
    TfaDuration gap = seg->ts - d->fin_last_ts[side];
    const TfaSideStats *peer = &c->side[1 - side];
    if (peer->packets > 0 && peer->last_ts > d->fin_last_ts[side])
        return true;
    TfaDuration a = rtt_to(c, hs, c->client), b = rtt_to(c, hs, (uint8_t)(1 - c->client));
    TfaDuration floor = a >= 0 && b >= 0 && a + b > TIMER_FLOOR ? a + b : TIMER_FLOOR;
    return gap >= floor;
}

/* The teardown detector's own (TfaOutcome carries the close). */
typedef struct TdState {
    bool closing_seen; /* an endpoint went through CLOSING (simultaneous close) */
} TdState;

static void teardown_segment(const TfaConn *c, void *state, const TfaDetectSeg *x,
                             TfaAnomalySink *sink)
{
    TdState *d = state;
    const TfaSegment *seg = x->seg;
    const TfaSmEvent *ev = x->ev;
    uint8_t side = x->side;
    bool created = x->created;
    uint16_t f = seg->flags;
    const TfaSentHistory *h = &c->hist; /* each side's FIN, as of the segment before */

    if (f & TFA_TH_RST)
        return;
    if (!d->closing_seen && (ev->after[0] == TFA_TCP_CLOSING || ev->after[1] == TFA_TCP_CLOSING)) {
        d->closing_seen = true;
        tfa_sink_add(sink, TFA_ANOMALY_TEARDOWN_SIMULTANEOUS_CLOSE, -1, seg->frame_no, seg->ts, 0,
                     0);
    }
    /* new data beyond the sender's own FIN */
    if (h->fin_sent[side] && seg->payload_len > 0 &&
        tfa_seq_gt(seg->seq + seg->payload_len, h->fin_seq[side]))
        tfa_sink_add(sink, TFA_ANOMALY_TEARDOWN_DATA_AFTER_FIN, side, seg->frame_no, seg->ts,
                     (int64_t)h->fin_frame[side], seg->payload_len);
    if (!(f & TFA_TH_FIN) || (f & TFA_TH_SYN))
        return;

    uint32_t fin_seq = seg->seq + seg->payload_len;
    /* the first segment seen is a FIN: with an ACK it is an ordinary close
     * of a connection open before the capture began (or kept in one
     * direction only); only a bare FIN is a probe */
    if (created && c->mid_stream) {
        if (f & TFA_TH_ACK)
            tfa_sink_add_possible(sink, TFA_ANOMALY_TEARDOWN_SPONTANEOUS_FIN, TFA_SEV_INFO, side,
                                  seg->frame_no, seg->ts, 1, 0);
        else
            tfa_sink_add(sink, TFA_ANOMALY_TEARDOWN_SPONTANEOUS_FIN, side, seg->frame_no, seg->ts,
                         0, 0);
    }
    if (!(f & TFA_TH_ACK) && ev->before[side] != TFA_TCP_SYN_SENT)
        tfa_sink_add(sink, TFA_ANOMALY_TEARDOWN_FIN_WITHOUT_ACK, side, seg->frame_no, seg->ts,
                     ev->before[side], 0);
    if (!h->fin_sent[side]) {
        /* its first FIN captured (tcpsm's history records it) - but the
         * sender's previous segment already stood beyond it: it had sent
         * this FIN before, and the capture never saw that copy */
        if (h->last_valid[side] && tfa_seq_gt(h->last_seq[side], fin_seq)) {
            bool ids = seg->ip_version == 4 && seg->ip_id != 0 && h->last_ip_id[side] != 0;
            uint16_t d_id = (uint16_t)(seg->ip_id - h->last_ip_id[side]);
            if (ids && d_id >= 1 && d_id <= 1024)
                tfa_sink_add(sink, TFA_ANOMALY_TEARDOWN_FIN_RETRANSMITTED, side, seg->frame_no,
                             seg->ts, 0, -1);
            else if (!ids)
                tfa_sink_add_possible(sink, TFA_ANOMALY_TEARDOWN_FIN_RETRANSMITTED, TFA_SEV_INFO,
                                      side, seg->frame_no, seg->ts, 0, -1);
            /* numbered before that segment: the FIN itself came late */
        }
        return;
    }
    if (fin_seq != h->fin_seq[side]) {
        tfa_sink_add(sink, TFA_ANOMALY_TEARDOWN_FIN_SEQ_CHANGED, side, seg->frame_no, seg->ts,
                     fin_seq, h->fin_seq[side]);
        return;
    }
    bool plausible = fin_retry_plausible(c, x->hs, seg, side);
    if (!plausible) {
        tfa_sink_add_possible(sink, TFA_ANOMALY_TEARDOWN_FIN_RETRANSMITTED, TFA_SEV_INFO, side,
                              seg->frame_no, seg->ts, (int64_t)h->fin_frame[side],
                              seg->ts - h->fin_ts[side]);
        return;
    }
    tfa_sink_add(sink, TFA_ANOMALY_TEARDOWN_FIN_RETRANSMITTED, side, seg->frame_no, seg->ts,
                 (int64_t)h->fin_frame[side], seg->ts - h->fin_ts[side]);
    /* arg[0], arg[1]: the first copy and the time since; for a first copy
     * the capture never saw (above), 0 and -1 (null, null) */
    /* the LAST_ACK side repeats its FIN after the peer's ACK of it was seen:
     * that ACK was lost after the capture point - if it had time to reach
     * the FIN's sender before the repeat left it (a round trip capture ->
     * sender -> capture); a repeat closer to the ACK crossed it */
    if (ev->revoked && ev->before[side] == TFA_TCP_CLOSED && ev->after[side] == TFA_TCP_LAST_ACK) {
        const TfaSideStats *peer = &c->side[1 - side];
        TfaDuration after_ack = seg->ts - peer->last_ts;
        TfaDuration rtt = rtt_to(c, x->hs, side);
        if (rtt < 0)
            tfa_sink_add_possible(sink, TFA_ANOMALY_TEARDOWN_LAST_ACK_LOST, TFA_SEV_NOTICE, side,
                                  seg->frame_no, seg->ts, (int64_t)peer->last_frame, after_ack);
        else if (after_ack > rtt)
            tfa_sink_add(sink, TFA_ANOMALY_TEARDOWN_LAST_ACK_LOST, side, seg->frame_no, seg->ts,
                         (int64_t)peer->last_frame, after_ack);
    }
}

/* The RST that ended the connection: the first its receiver accepted (or
 * had nothing to reset) and after which the receiver said nothing more but
 * RSTs - whoever really sent it. */
static const TfaRstInfo *closing_rst(const TfaConn *c)
{
    for (guint i = 0; c->rsts != NULL && i < c->rsts->len; i++) {
        const TfaRstInfo *r = &g_array_index(c->rsts, TfaRstInfo, i);
        if ((r->accept == TFA_RST_ACCEPTED || r->accept == TFA_RST_NO_STATE) &&
            !r->receiver_talked_after)
            return r;
    }
    return NULL;
}

/* One FIN, and the other direction still open when the record ends.  It
 * says something only when the capture shows the peer alive after the FIN
 * (it sent something: the capture sees its direction and it got the FIN),
 * the capture went on long enough after it for the peer to have closed,
 * and the FIN's sender acknowledged nothing of the peer's the capture lacks;
 * otherwise the close was cut by the end of the capture, or the capture
 * does not see the peer at all. */
static void half_closed_at_end(const TfaConn *c, uint8_t fin_side,
                               TfaTs now, TfaAnomalySink *sink)
{
    const TfaSideStats *peer = &c->side[1 - fin_side];
    TfaTs fin_ts = c->hist.fin_ts[fin_side];
    TfaDuration left = now - fin_ts;
    TfaFrameNo frame = c->hist.fin_frame[fin_side];
    if (peer->packets > 0 && peer->last_ts >= fin_ts && left >= HALF_CLOSE_MIN &&
        !missed_from_peer(c, fin_side))
        tfa_sink_add(sink, TFA_ANOMALY_TEARDOWN_HALF_CLOSED_AT_END, fin_side, frame, fin_ts,
                     left, 0);
    else
        tfa_sink_add_possible(sink, TFA_ANOMALY_TEARDOWN_HALF_CLOSED_AT_END, TFA_SEV_INFO,
                              fin_side, frame, fin_ts, left, peer->packets == 0 ? 0 : 1);
}

static TfaInitiator role_initiator(const TfaConn *c, uint8_t side)
{
    return side == c->client ? TFA_INITIATOR_CLIENT : TFA_INITIATOR_SERVER;
}

static void teardown_end(const TfaConn *c, void *state, const TfaDetectEnd *x,
                         TfaAnomalySink *sink)
{
    const TdState *d = state;
    const TfaOptions *opts = x->opts;
    TfaTs now = x->now;
    const TfaRstInfo *rst = closing_rst(c);
    int first_fin = -1;
    if (c->hist.fin_sent[0] || c->hist.fin_sent[1]) {
        if (c->hist.fin_sent[0] && c->hist.fin_sent[1])
            first_fin = c->hist.fin_frame[0] <= c->hist.fin_frame[1] ? 0 : 1;
        else
            first_fin = c->hist.fin_sent[0] ? 0 : 1;
    }

    TfaCloseKind kind;
    TfaInitiator who = TFA_INITIATOR_NONE;
    TfaFrameNo frame = 0;
    /* evicted before it closed; one that had closed and was only lingering
     * (closed ones go first at the cap) is described by how it closed */
    if (c->end_reason == TFA_END_EVICTED && !c->life.closed) {
        kind = TFA_CLOSE_EVICTED;
    } else if (rst != NULL) {
        kind = first_fin >= 0 && c->hist.fin_frame[first_fin] < rst->frame ? TFA_CLOSE_RESET_AFTER_FIN
                                                                        : TFA_CLOSE_RESET;
        if (kind == TFA_CLOSE_RESET_AFTER_FIN) {
            who = role_initiator(c, (uint8_t)first_fin);
            frame = c->hist.fin_frame[first_fin];
        } else {
            who = role_initiator(c, rst->side);
            frame = rst->frame;
        }
    } else if (c->hist.fin_sent[0] && c->hist.fin_sent[1]) {
        kind = d->closing_seen ? TFA_CLOSE_SIMULTANEOUS : TFA_CLOSE_GRACEFUL;
        who = d->closing_seen ? TFA_INITIATOR_BOTH : role_initiator(c, (uint8_t)first_fin);
        frame = c->hist.fin_frame[first_fin];
    } else if (first_fin >= 0) {
        kind = TFA_CLOSE_HALF_CLOSED;
        who = role_initiator(c, (uint8_t)first_fin);
        frame = c->hist.fin_frame[first_fin];
        if (c->end_reason == TFA_END_CAPTURE_END || c->end_reason == TFA_END_IDLE_TIMEOUT)
            half_closed_at_end(c, (uint8_t)first_fin, now, sink);
    } else {
        kind = c->end_reason == TFA_END_IDLE_TIMEOUT ? TFA_CLOSE_IDLE_TIMEOUT
                                                     : TFA_CLOSE_OPEN_AT_END;
    }
    x->out->close_kind = (uint8_t)kind;
    x->out->close_initiator = (uint8_t)who;
    x->out->close_frame = frame;

    /* quiet too long in CLOSE_WAIT (the application never calls close())
     * or, on the closer's side, in FIN_WAIT_2 */
    for (uint8_t i = 0; i < 2; i++) {
        const TfaEndpoint *ep = &c->ep[i];
        if (c->side[i].packets == 0 || ep->path == NULL || ep->path->len == 0)
            continue;
        const TfaTransition *t = &g_array_index(ep->path, TfaTransition, ep->path->len - 1);
        if (ep->state == TFA_TCP_CLOSE_WAIT) {
            /* it acknowledged the FIN (the transition is certain: its own
             * ACK covered the FIN), then said nothing more for stuck_after
             * of capture; and the peer did not acknowledge anything of it
             * the capture missed (its FIN among them) */
            TfaTs quiet_since = c->side[i].last_ts;
            if (t->certain && c->hist.fin_sent[1 - i] && quiet_since >= c->hist.fin_ts[1 - i] &&
                !missed_from_peer(c, (uint8_t)(1 - i)) &&
                now - quiet_since >= opts->stuck_after)
                tfa_sink_add(sink, TFA_ANOMALY_TEARDOWN_CLOSE_WAIT_STUCK, i,
                             c->side[i].last_frame, quiet_since, now - quiet_since,
                             (int64_t)c->hist.fin_frame[1 - i]);
        } else if (ep->state == TFA_TCP_FIN_WAIT_2) {
            /* waiting for the peer's FIN since its own was acknowledged; a
             * peer that did send a FIN (which never arrived) has closed */
            if (!c->hist.fin_sent[1 - i] && !missed_from_peer(c, i) && now - t->ts >= opts->stuck_after)
                tfa_sink_add(sink, TFA_ANOMALY_TEARDOWN_FIN_WAIT_2_STUCK, i, t->frame, t->ts,
                             now - t->ts, (int64_t)c->hist.fin_frame[i]);
        }
    }
}

const TfaDetector tfa_detector_teardown = {
    .name = "teardown",
    .state_size = sizeof(TdState),
    .on_segment = teardown_segment,
    .on_end = teardown_end,
};
