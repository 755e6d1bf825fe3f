/* sequence.c - the sequence and window anomalies, from seqtrack's facts.
 * One anomaly per segment that shows it; a zero window is one anomaly per
 * episode, recorded when it is over, carrying how long the window stayed
 * shut.  What the capture missed is capture quality (ACK_UNSEEN_DATA, info,
 * and the diagnostics CAPTURE_ACKED_UNSEEN and CAPTURE_ONE_DIRECTION), never
 * a network verdict; a gap the capture cannot explain is at most a possible
 * loss. */
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
static void zero_episode(const TfaConn *c, uint8_t side, TfaFrameNo frame, TfaTs ts, TfaDuration dur,
                         bool probed, bool still_shut, TfaAnomalySink *sink)
{
    uint8_t peer = (uint8_t)(1 - side);
    bool peer_fin = c->hist.fin_sent[peer] && c->hist.fin_ts[peer] <= ts;
    bool waited = probed || (!still_shut && dur >= ZERO_NO_TIME && c->side[peer].bytes > 0 &&
                             !peer_fin);
    if (waited)
        tfa_sink_add(sink, TFA_ANOMALY_WINDOW_ZERO, side, frame, ts, dur, still_shut);
    else
        tfa_sink_add_possible(sink, TFA_ANOMALY_WINDOW_ZERO, TFA_SEV_INFO, side, frame, ts, dur,
                              still_shut);
}

/* A finding, or, when @doubt, the same as possible at info. */
static void add(TfaAnomalySink *sink, bool doubt, TfaAnomalyCode code, int side, TfaFrameNo f,
                TfaTs ts, int64_t arg0, int64_t arg1)
{
    if (doubt)
        tfa_sink_add_possible(sink, code, TFA_SEV_INFO, side, f, ts, arg0, arg1);
    else
        tfa_sink_add(sink, code, side, f, ts, arg0, arg1);
}

/* What the peer's latest segment, which a duplicate ACK answers, was:
 * only when nothing asked for the ACK (TFA_DUPACK_DATA) may data beyond it
 * be missing.  tcpsm's history (c->hist) is updated after the detectors,
 * so it still holds the peer's latest and this side's previous segment. */
enum {
    TFA_DUPACK_DATA = 0,      /* nothing asked for it: data beyond it missing or reordered */
    TFA_DUPACK_SYNACK_REPEAT, /* answers the peer's repeated SYN-ACK */
    TFA_DUPACK_FIN_REPEAT,    /* answers the peer's repeated FIN */
    TFA_DUPACK_CHALLENGE,     /* answers a segment it did not accept: an RST or SYN (RFC
                               * 5961), a stale one (RFC 9293 §3.10.7.4) */
};

/* The sequence detector's own. */
typedef struct SqState {
    bool last_stale[2]; /* each side's latest segment was of an earlier incarnation */
} SqState;

static int dupack_answers(const TfaConn *c, const SqState *st, const TfaSegment *seg,
                          uint8_t side)
{
    uint8_t peer = (uint8_t)(1 - side);
    const TfaSentHistory *d = &c->hist;
    if (!d->last_valid[peer])
        return TFA_DUPACK_DATA;
    /* a SACK block above the ACK shows a hole, whatever it answers (a
     * D-SACK below it shows a duplicate) */
    for (uint8_t i = 0; i < seg->opt.n_sack && i < TFA_MAX_SACK_BLOCKS; i++)
        if (tfa_seq_gt(seg->opt.sack[i].left, seg->ack))
            return TFA_DUPACK_DATA;
    uint16_t pf = d->last_flags[peer];
    /* its previous segment was its SYN-ACK: this ACK repeats that one's
     * acknowledgement, answering the peer's SYN-ACK (a simultaneous open) */
    if (d->last_valid[side] && (d->last_flags[side] & TFA_TH_SYN))
        return TFA_DUPACK_SYNACK_REPEAT;
    if (st->last_stale[peer])
        return TFA_DUPACK_CHALLENGE; /* the ACK of an unacceptable segment */
    if ((pf & (TFA_TH_SYN | TFA_TH_ACK)) == (TFA_TH_SYN | TFA_TH_ACK))
        return TFA_DUPACK_SYNACK_REPEAT;
    if (pf & (TFA_TH_RST | TFA_TH_SYN))
        return TFA_DUPACK_CHALLENGE;
    if ((pf & TFA_TH_FIN) && d->fin_sent[peer] && d->fin_last_ts[peer] > d->fin_ts[peer] &&
        d->last_seq[peer] + d->last_len[peer] == d->fin_seq[peer])
        return TFA_DUPACK_FIN_REPEAT;
    return TFA_DUPACK_DATA;
}

static void sequence_segment(const TfaConn *c, void *state, const TfaDetectSeg *ds,
                             TfaAnomalySink *sink)
{
    SqState *st = state;
    const TfaSegment *seg = ds->seg;
    const TfaSeqEvent *ev = ds->sq;
    uint8_t side = ds->side;
    uint32_t x = ev->facts;
    TfaFrameNo f = seg->frame_no;
    TfaTs ts = seg->ts;

    if (x & TFA_SEQ_DUP_FRAME) {
        /* arg 0: the frame it copies; arg 1: TFA_SEQ_COPY_* */
        tfa_sink_add(sink, TFA_ANOMALY_CAPTURE_DUPLICATE_FRAME, side, f, ts, ev->copy_of,
                     ev->copy_kind);
        return;
    }
    st->last_stale[side] = (x & TFA_SEQ_STALE) != 0;
    if (x & TFA_SEQ_STALE)
        tfa_sink_add(sink, TFA_ANOMALY_SEQ_STALE_INCARNATION, side, f, ts, seg->seq,
                     c->half[side].prev_incarnation ? (int64_t)c->half[side].prev_next : -1);
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
    /* bytes sent again at once with nothing that asked for them: not loss
     * recovery the capture can prove (a crafted or edited trace) */
    bool doubt = (x & TFA_SEQ_UNTRIGGERED) != 0;
    if (x & TFA_SEQ_SPURIOUS)
        add(sink, doubt, TFA_ANOMALY_SEQ_SPURIOUS_RETRANSMISSION, side, f, ts, seg->seq,
            seg->payload_len);
    if (x & TFA_SEQ_FAST_RETRANS)
        add(sink, doubt, TFA_ANOMALY_SEQ_FAST_RETRANSMISSION, side, f, ts, seg->seq,
            c->half[1 - side].dupacks);
    if (x & TFA_SEQ_OOO)
        tfa_sink_add(sink, TFA_ANOMALY_SEQ_OUT_OF_ORDER, side, f, ts, seg->seq, ev->since);
    if (x & TFA_SEQ_RETRANS)
        add(sink, doubt, TFA_ANOMALY_SEQ_RETRANSMISSION, side, f, ts, seg->seq,
            seg->payload_len);
    if (x & TFA_SEQ_DATA_DIFFERS)
        add(sink, doubt, TFA_ANOMALY_SEQ_RETRANSMISSION_DATA_DIFFERS, side, f, ts,
            ev->differ_at, seg->seq);
    if (x & TFA_SEQ_ACK_INVALID)
        tfa_sink_add(sink, TFA_ANOMALY_SEQ_ACK_INVALID, side, f, ts, seg->ack,
                     c->half[1 - side].next);
    if (x & TFA_SEQ_ACK_BEYOND_SENT)
        /* the earlier ACK, by the peer of this segment's sender */
        tfa_sink_add(sink, TFA_ANOMALY_SEQ_ACK_INVALID, 1 - side, ev->beyond_frame, ev->beyond_ts,
                     ev->beyond_ack, ev->beyond_next);
    /* a duplicate ACK that answers the peer's repeated SYN-ACK or FIN, or
     * a challenge ACK, says nothing is missing: no finding (the repeat has
     * its own) */
    if ((x & TFA_SEQ_DUP_ACK) && dupack_answers(c, st, seg, side) == TFA_DUPACK_DATA)
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

static void sequence_end(const TfaConn *c, void *state, const TfaDetectEnd *x,
                         TfaAnomalySink *sink)
{
    TfaTs now = x->now;
    (void)state;
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
         * nothing after it: the ACK shows the bytes arrived.  The stream's
         * missed tail, not a gap between captured segments: the finding
         * says it, CAPTURE_ACKED_UNSEEN (gaps) does not count it */
        if (h->ahead)
            tfa_sink_add(sink, TFA_ANOMALY_ACK_UNSEEN_DATA, 1 - i, h->ahead_frame, h->ahead_ts,
                         tfa_seq_diff(h->ahead_to, h->ahead_from), h->ahead_to);
        /* only this side's segments captured, and they acknowledge the
         * peer's: a one-direction capture */
        if (c->side[i].packets > 0 && c->side[1 - i].packets == 0 &&
            (c->side[i].flags_seen & TFA_TH_ACK))
            tfa_sink_count(sink, TFA_COUNT_DIAG(TFA_DIAG_CAPTURE_ONE_DIRECTION), i);
    }
    /* a window still shut at the end: shut since then */
    for (uint8_t i = 0; i < 2; i++) {
        const TfaHalf *h = &c->half[i];
        if (h->zero)
            zero_episode(c, i, h->zero_frame, h->zero_ts, now - h->zero_ts, h->zero_probed, true,
                         sink);
    }
}

const TfaDetector tfa_detector_sequence = {
    .name = "sequence",
    .state_size = sizeof(SqState),
    .sees_copies = true,
    .on_segment = sequence_segment,
    .on_end = sequence_end,
};
