/* sequence.c - the sequence and window anomalies, from seqtrack's facts.
 * One anomaly per segment that shows it; a zero window is one anomaly per
 * episode, carrying how long the window stayed shut.  What the capture
 * missed is capture quality (ACK_UNSEEN_DATA, info, and the diagnostics
 * CAPTURE_ACKED_UNSEEN and CAPTURE_ONE_DIRECTION), never a network
 * verdict; a gap the capture cannot explain is at most a possible loss. */
#include "config.h"

#include "tcpflow-audit/detect.h"

#include "tcpflow-audit/seqnum.h"

/* The WINDOW_ZERO anomaly of @side still waiting for its duration. */
static TfaAnomaly *open_zero(TfaConn *c, uint8_t side)
{
    for (guint i = c->anomalies != NULL ? c->anomalies->len : 0; i > 0; i--) {
        TfaAnomaly *a = &g_array_index(c->anomalies, TfaAnomaly, i - 1);
        if (a->code == TFA_ANOMALY_WINDOW_ZERO && a->side == (int8_t)side && a->arg[1] == 1)
            return a;
    }
    return NULL;
}

void tfa_detect_sequence_segment(TfaConn *c, const TfaSegment *seg, uint8_t side,
                                 const TfaSeqEvent *ev, TfaAnomalySink *sink)
{
    uint32_t x = ev->facts;
    TfaFrameNo f = seg->frame_no;
    TfaTs ts = seg->ts;

    if (x & TFA_SEQ_DUP_FRAME) {
        tfa_sink_add(sink, TFA_ANOMALY_CAPTURE_DUPLICATE_FRAME, side, f, ts, f - 1, 0);
        return;
    }
    if (x & TFA_SEQ_STALE)
        tfa_sink_add(sink, TFA_ANOMALY_SEQ_STALE_INCARNATION, side, f, ts, seg->seq,
                     c->half[side].prev_next);
    if (x & TFA_SEQ_LOST)
        /* proven: the gap filled late, or the peer's SACK blocks and
         * duplicate ACKs (arg 1 says which) */
        tfa_sink_add(sink, TFA_ANOMALY_SEQ_LOST_SEGMENT, ev->lost_side, ev->lost_frame, ev->lost_ts,
                     ev->gap, ev->lost_how);
    if (x & TFA_SEQ_CAPTURE_LOSS) {
        /* capture loss, one finding per ACK that showed it, about the
         * endpoint that acknowledged the bytes */
        for (uint8_t d = 0; d < 2; d++) {
            if (ev->missed[d] > 0)
                tfa_sink_add(sink, TFA_ANOMALY_ACK_UNSEEN_DATA, 1 - d, ev->missed_frame[d],
                             ev->missed_ts[d], ev->missed[d], ev->missed_ack[d]);
        }
    }
    if (x & TFA_SEQ_SPURIOUS)
        tfa_sink_add(sink, TFA_ANOMALY_SEQ_SPURIOUS_RETRANSMISSION, side, f, ts, seg->seq,
                     seg->payload_len);
    if (x & TFA_SEQ_FAST_RETRANS)
        tfa_sink_add(sink, TFA_ANOMALY_SEQ_FAST_RETRANSMISSION, side, f, ts, seg->seq,
                     c->half[1 - side].dupacks);
    if (x & TFA_SEQ_OOO)
        tfa_sink_add(sink, TFA_ANOMALY_SEQ_OUT_OF_ORDER, side, f, ts, seg->seq, ev->since);
    if (x & TFA_SEQ_RETRANS)
        tfa_sink_add(sink, TFA_ANOMALY_SEQ_RETRANSMISSION, side, f, ts, seg->seq,
                     seg->payload_len);
    if (x & TFA_SEQ_DATA_DIFFERS)
        tfa_sink_add(sink, TFA_ANOMALY_SEQ_RETRANSMISSION_DATA_DIFFERS, side, f, ts,
                     ev->differ_at, seg->seq);
    if (x & TFA_SEQ_ACK_INVALID)
        tfa_sink_add(sink, TFA_ANOMALY_SEQ_ACK_INVALID, side, f, ts, seg->ack,
                     c->half[1 - side].next);
    if (x & TFA_SEQ_ACK_BEYOND_SENT)
        /* the earlier ACK, by the peer of this segment's sender */
        tfa_sink_add(sink, TFA_ANOMALY_SEQ_ACK_INVALID, 1 - side, ev->beyond_frame, ev->beyond_ts,
                     ev->beyond_ack, ev->beyond_next);
    if (x & TFA_SEQ_DUP_ACK)
        tfa_sink_add(sink, TFA_ANOMALY_SEQ_DUP_ACK, side, f, ts, ev->dupacks, seg->ack);
    if (x & TFA_SEQ_KEEPALIVE)
        tfa_sink_add(sink, TFA_ANOMALY_SEQ_KEEPALIVE, side, f, ts,
                     seg->ts - c->half[side].next_ts, 0);
    if (x & TFA_SEQ_ZW_PROBE)
        tfa_sink_add(sink, TFA_ANOMALY_WINDOW_ZERO_PROBE, side, f, ts, seg->payload_len, 0);
    if (x & TFA_SEQ_ZERO_START)
        /* arg 0: how long it stayed shut, known when it reopens; arg 1: 1
         * while still shut */
        tfa_sink_add(sink, TFA_ANOMALY_WINDOW_ZERO, side, f, ts, -1, 1);
    if (x & TFA_SEQ_ZERO_END) {
        TfaAnomaly *a = open_zero(c, side);
        if (a != NULL) {
            a->arg[0] = ev->zero_for;
            a->arg[1] = 0;
        }
    }
    if (x & TFA_SEQ_WINDOW_FULL)
        tfa_sink_add(sink, TFA_ANOMALY_WINDOW_FULL, side, f, ts, seg->seq + seg->payload_len, 0);
    if (x & TFA_SEQ_WINDOW_SHRUNK)
        tfa_sink_add(sink, TFA_ANOMALY_WINDOW_SHRUNK, side, f, ts, seg->ack + 0, 0);
    if (x & TFA_SEQ_OUT_OF_WINDOW)
        tfa_sink_add(sink, TFA_ANOMALY_SEQ_OUT_OF_WINDOW, side, f, ts, seg->seq + seg->payload_len,
                     c->half[1 - side].right_edge);
    if (x & TFA_SEQ_TS_REGRESSION)
        tfa_sink_add(sink, TFA_ANOMALY_SEQ_TIMESTAMP_REGRESSION, side, f, ts, seg->opt.tsval,
                     c->half[side].ts_recent);
}

void tfa_detect_sequence_end(TfaConn *c, TfaTs now, TfaAnomalySink *sink)
{
    for (uint8_t i = 0; i < 2; i++) {
        const TfaHalf *h = &c->half[i];
        /* a gap neither filled nor acknowledged by the end: the capture
         * cannot tell a loss from bytes it missed (nor, holding nothing of
         * the receiver, say anything of it), so only possible, at info */
        for (unsigned k = 0; k < h->n_holes; k++) {
            const TfaHole *g = &h->holes[k];
            if (!g->lost && !g->acked)
                tfa_sink_add_possible(sink, TFA_ANOMALY_SEQ_LOST_SEGMENT, TFA_SEV_INFO, i, g->frame,
                                      g->ts, tfa_seq_diff(g->end, g->start), TFA_LOST_FILLED);
        }
        /* an ACK beyond everything captured of this side, which sent
         * nothing after it: the ACK shows the bytes arrived */
        if (h->ahead) {
            tfa_sink_add(sink, TFA_ANOMALY_ACK_UNSEEN_DATA, 1 - i, h->ahead_frame, h->ahead_ts,
                         tfa_seq_diff(h->ahead_to, h->ahead_from), h->ahead_to);
            tfa_conn_count(c, TFA_COUNT_DIAG(TFA_DIAG_CAPTURE_ACKED_UNSEEN), i);
        }
        /* only this side's segments captured, and they acknowledge the
         * peer's: a one-direction capture */
        if (c->side[i].packets > 0 && c->side[1 - i].packets == 0 &&
            (c->side[i].flags_seen & TFA_TH_ACK))
            tfa_conn_count(c, TFA_COUNT_DIAG(TFA_DIAG_CAPTURE_ONE_DIRECTION), i);
    }
    /* a window still shut at the end: shut since then */
    for (uint8_t i = 0; i < 2; i++) {
        TfaAnomaly *a = open_zero(c, i);
        if (a != NULL)
            a->arg[0] = now - a->ts;
    }
}
