/* sequence.c - the sequence and window anomalies, from seqtrack's facts.
 * One anomaly per segment that shows it; a zero window is one anomaly per
 * episode, recorded when it is over, carrying how long the window stayed
 * shut. */
#include "config.h"

#include "tcpflow-audit/detect.h"

#include "tcpflow-audit/seqnum.h"

/* A zero window that reopened sooner than this held no sender up. */
#define ZERO_NO_TIME TFA_NSEC_PER_MSEC

/* A zero-window episode of @side's receive window, from @frame at @ts for
 * @dur, decided once it is over (@still_shut: at the connection's end).
 * It is a finding when the capture shows the sender waiting for it: a
 * probe into it, or a window reopened after a measurable pause with the
 * sender having data to send (it had sent data and not yet its FIN).  A
 * zero window that reopened at once, or that nobody waited for (the
 * closing segments, a peer with nothing to send), is reported as possible,
 * below its severity. */
static void zero_episode(TfaConn *c, uint8_t side, TfaFrameNo frame, TfaTs ts, TfaDuration dur,
                         bool probed, bool still_shut, TfaAnomalySink *sink)
{
    uint8_t peer = (uint8_t)(1 - side);
    bool peer_fin = c->det.fin_sent[peer] && c->det.fin_ts[peer] <= ts;
    bool waited = probed || (!still_shut && dur >= ZERO_NO_TIME && c->side[peer].bytes > 0 &&
                             !peer_fin);
    if (waited)
        tfa_sink_add(sink, TFA_ANOMALY_WINDOW_ZERO, side, frame, ts, dur, still_shut);
    else
        tfa_sink_add_possible(sink, TFA_ANOMALY_WINDOW_ZERO, TFA_SEV_INFO, side, frame, ts, dur,
                              still_shut);
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
    if (x & TFA_SEQ_LOST) {
        /* the direction with the gap is this segment's, except when the
         * peer's ACK showed it */
        int lost_side = (x & TFA_SEQ_ACK_UNSEEN) && !(x & TFA_SEQ_NEW_DATA) ? 1 - side : side;
        tfa_sink_add(sink, TFA_ANOMALY_SEQ_LOST_SEGMENT, lost_side, ev->lost_frame, ev->lost_ts,
                     ev->gap, 0);
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
    if (x & TFA_SEQ_ACK_UNSEEN)
        tfa_sink_add(sink, TFA_ANOMALY_ACK_UNSEEN_DATA, side, f, ts, ev->unseen, seg->ack);
    if (x & TFA_SEQ_ACK_INVALID)
        tfa_sink_add(sink, TFA_ANOMALY_SEQ_ACK_INVALID, side, f, ts, seg->ack,
                     c->half[1 - side].next);
    if (x & TFA_SEQ_DUP_ACK)
        tfa_sink_add(sink, TFA_ANOMALY_SEQ_DUP_ACK, side, f, ts, ev->dupacks, seg->ack);
    if (x & TFA_SEQ_KEEPALIVE)
        tfa_sink_add(sink, TFA_ANOMALY_SEQ_KEEPALIVE, side, f, ts,
                     seg->ts - c->half[side].next_ts, 0);
    if (x & TFA_SEQ_ZW_PROBE)
        tfa_sink_add(sink, TFA_ANOMALY_WINDOW_ZERO_PROBE, side, f, ts, seg->payload_len, 0);
    if (x & TFA_SEQ_ZERO_END)
        /* arg 0: how long it stayed shut; arg 1: 1 when still shut at the end */
        zero_episode(c, side, ev->zero_frame, ts - ev->zero_for, ev->zero_for, ev->zero_probed,
                     false, sink);
    if (x & TFA_SEQ_WINDOW_FULL)
        tfa_sink_add(sink, TFA_ANOMALY_WINDOW_FULL, side, f, ts, seg->seq + seg->payload_len, 0);
    if (x & TFA_SEQ_WINDOW_SHRUNK)
        tfa_sink_add(sink, TFA_ANOMALY_WINDOW_SHRUNK, side, f, ts, ev->shrunk_by, seg->ack);
    if (x & TFA_SEQ_OUT_OF_WINDOW)
        tfa_sink_add(sink, TFA_ANOMALY_SEQ_OUT_OF_WINDOW, side, f, ts, seg->seq + seg->payload_len,
                     c->half[1 - side].max_edge);
    if (x & TFA_SEQ_TS_REGRESSION)
        /* the first segment whose TSval went back, confirmed by this one */
        tfa_sink_add(sink, TFA_ANOMALY_SEQ_TIMESTAMP_REGRESSION, side, ev->ts_frame, ev->ts_ts,
                     ev->ts_val, ev->ts_recent);
}

void tfa_detect_sequence_end(TfaConn *c, TfaTs now, TfaAnomalySink *sink)
{
    /* a gap never filled nor acknowledged by the end: lost */
    for (uint8_t i = 0; i < 2; i++) {
        TfaHalf *h = &c->half[i];
        if (h->hole && !h->hole_reported) {
            tfa_sink_add(sink, TFA_ANOMALY_SEQ_LOST_SEGMENT, i, h->hole_frame, h->hole_ts,
                         tfa_seq_diff(h->hole_end, h->hole_start), 0);
            h->hole_reported = true;
        }
    }
    /* a window still shut at the end: shut since then */
    for (uint8_t i = 0; i < 2; i++) {
        const TfaHalf *h = &c->half[i];
        if (h->zero)
            zero_episode(c, i, h->zero_frame, h->zero_ts, now - h->zero_ts, h->zero_probed, true,
                         sink);
    }
}
