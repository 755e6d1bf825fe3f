/* handshake.c - the three-way handshake (RFC 9293 §3.5): its outcome, its
 * RTT, every retry, and what went wrong in it. */
#include "config.h"

#include "tcpflow-audit/detect.h"

#include "tcpflow-audit/seqnum.h"

static void note_frame(TfaFrameNo *frames, uint8_t *n, TfaFrameNo f)
{
    if (*n < TFA_MAX_HS_FRAMES)
        frames[(*n)++] = f;
}

void tfa_detect_handshake_segment(const TfaConn *c, TfaVerdicts *d, const TfaSegment *seg,
                                  uint8_t side, const TfaSmEvent *ev, bool created,
                                  TfaAnomalySink *sink)
{
    uint16_t f = seg->flags;
    uint8_t client = c->client;

    if (created) {
        if (c->mid_stream)
            tfa_sink_add(sink, TFA_ANOMALY_HANDSHAKE_NOT_SEEN, -1, seg->frame_no, seg->ts,
                         c->originator, 0);
        if (c->reused_time_wait)
            tfa_sink_add(sink, TFA_ANOMALY_HANDSHAKE_PORT_REUSE_IN_TIME_WAIT, c->reused_side,
                         seg->frame_no, seg->ts, c->reused_after, 0);
    }
    if (ev->syn_inside) {
        tfa_sink_add(sink, TFA_ANOMALY_HANDSHAKE_SYN_INSIDE_CONNECTION, side, seg->frame_no,
                     seg->ts, seg->seq, 0);
        return;
    }

    if ((f & (TFA_TH_SYN | TFA_TH_ACK | TFA_TH_RST)) == TFA_TH_SYN) {
        if (!d->syn_from[side] && d->syn_from[1 - side])
            tfa_sink_add(sink, TFA_ANOMALY_HANDSHAKE_SIMULTANEOUS_OPEN, -1, seg->frame_no,
                         seg->ts, 0, 0);
        bool repeat = d->syn_from[side];
        d->syn_from[side] = true;
        if (side != client)
            return;
        if (repeat && d->syn_count > 0) {
            if (seg->seq == d->syn_isn)
                tfa_sink_add(sink, TFA_ANOMALY_HANDSHAKE_SYN_RETRANSMITTED, side, seg->frame_no,
                             seg->ts, d->syn_count, seg->ts - d->syn_ts);
            else
                tfa_sink_add(sink, TFA_ANOMALY_HANDSHAKE_SYN_ISN_CHANGED, side, seg->frame_no,
                             seg->ts, seg->seq, d->syn_isn);
        }
        d->syn_isn = seg->seq;
        if (d->synack_count == 0)
            d->syn_ts = seg->ts; /* the SYN that gets answered is the last before the SYN-ACK */
        d->syn_count++;
        note_frame(d->syn_frames, &d->n_syn_frames, seg->frame_no);
        d->syn_opt_ws = seg->opt.has_wscale;
        d->syn_opt_sack = seg->opt.sack_permitted;
        d->syn_opt_ts = seg->opt.has_ts;
        if (seg->payload_len > 0) {
            d->syn_payload = seg->payload_len;
            tfa_sink_add(sink, TFA_ANOMALY_HANDSHAKE_SYN_WITH_DATA, side, seg->frame_no, seg->ts,
                         seg->payload_len, 0);
        }
        return;
    }

    if ((f & (TFA_TH_SYN | TFA_TH_ACK | TFA_TH_RST)) == (TFA_TH_SYN | TFA_TH_ACK)) {
        if (side == client && d->syn_from[1 - side])
            return; /* the client's SYN-ACK of a simultaneous open */
        if (d->synack_count > 0) {
            tfa_sink_add(sink, TFA_ANOMALY_HANDSHAKE_SYNACK_RETRANSMITTED, side, seg->frame_no,
                         seg->ts, d->synack_count, seg->ts - d->synack_ts);
            /* repeated after the client's ACK or data was seen: that ACK
             * never reached the server */
            if (d->ack_frame != 0 && (ev->revoked || ev->before[side] == TFA_TCP_SYN_RECEIVED))
                tfa_sink_add(sink, TFA_ANOMALY_HANDSHAKE_THIRD_ACK_LOST, side, seg->frame_no,
                             seg->ts, (int64_t)d->ack_frame, 0);
        } else {
            d->synack_ts = seg->ts;
            d->synack_opt_ws = seg->opt.has_wscale;
            d->synack_opt_sack = seg->opt.sack_permitted;
            d->synack_opt_ts = seg->opt.has_ts;
            /* it must acknowledge ISN+1, plus any SYN data it accepted */
            const TfaEndpoint *cl = &c->ep[1 - side];
            d->syn_data_acked = -1;
            if (cl->iss_known && d->syn_count > 0) {
                uint32_t bare = cl->iss + 1;
                if (d->syn_payload > 0)
                    d->syn_data_acked = seg->ack == bare + d->syn_payload ? 1 : 0;
                bool ok = seg->ack == bare || (d->syn_payload > 0 && seg->ack == bare + d->syn_payload);
                if (!ok) {
                    d->synack_bad_ack = true;
                    tfa_sink_add(sink, TFA_ANOMALY_HANDSHAKE_SYNACK_BAD_ACK, side, seg->frame_no,
                                 seg->ts, seg->ack, bare);
                }
            }
        }
        d->synack_count++;
        note_frame(d->synack_frames, &d->n_synack_frames, seg->frame_no);
        return;
    }

    if (f & TFA_TH_RST) {
        if (d->ack_frame == 0 && !c->mid_stream) {
            if (side != client && d->synack_count == 0 && d->syn_count > 0)
                d->refused = true;
            else if (d->syn_count > 0 || d->synack_count > 0)
                d->reset_during = true;
        }
        return;
    }

    /* the first acknowledging segment from the client after the SYN-ACK */
    const TfaEndpoint *srv = &c->ep[1 - client];
    if (side == client && (f & TFA_TH_ACK) && d->ack_frame == 0 && d->synack_count > 0 &&
        (!srv->iss_known || tfa_seq_gt(seg->ack, srv->iss))) {
        d->ack_frame = seg->frame_no;
        d->ack_ts = seg->ts;
    }
    /* data from an endpoint whose side of the handshake had not completed */
    if (seg->payload_len > 0 && !c->mid_stream &&
        (ev->before[side] == TFA_TCP_SYN_SENT || ev->before[side] == TFA_TCP_LISTEN ||
         (ev->before[side] == TFA_TCP_SYN_RECEIVED && side != client && !(f & TFA_TH_ACK))))
        tfa_sink_add(sink, TFA_ANOMALY_HANDSHAKE_DATA_BEFORE_ESTABLISHED, side, seg->frame_no,
                     seg->ts, seg->payload_len, ev->before[side]);
    if (seg->opt.has_ts)
        d->used_ts = true;
    if (seg->opt.n_sack > 0)
        d->used_sack = true;
}

void tfa_detect_handshake_end(const TfaConn *c, TfaVerdicts *d, TfaAnomalySink *sink)
{
    bool retried = d->syn_count > 1 || d->synack_count > 1;
    TfaHandshake h;

    if (d->syn_from[0] && d->syn_from[1])
        h = TFA_HANDSHAKE_SIMULTANEOUS_OPEN;
    else if (d->syn_count == 0 && d->synack_count == 0)
        h = TFA_HANDSHAKE_NOT_SEEN;
    else if (d->refused)
        h = TFA_HANDSHAKE_REFUSED;
    else if (d->ack_frame != 0)
        h = retried ? TFA_HANDSHAKE_COMPLETE_AFTER_RETRY : TFA_HANDSHAKE_COMPLETE;
    else if (d->reset_during)
        h = TFA_HANDSHAKE_RESET_DURING;
    else if (d->synack_count > 0)
        h = TFA_HANDSHAKE_SYNACK_UNACKED;
    else
        h = TFA_HANDSHAKE_UNANSWERED;
    d->handshake = (uint8_t)h;

    if (h == TFA_HANDSHAKE_UNANSWERED) {
        const TfaSideStats *cs = &c->side[c->client];
        tfa_sink_add(sink, TFA_ANOMALY_HANDSHAKE_SYN_UNANSWERED, c->client, cs->last_frame,
                     cs->last_ts, d->syn_count, cs->last_ts - cs->first_ts);
    }
    /* an option offered in the SYN, not returned in the SYN-ACK, used anyway */
    if (d->synack_count > 0 && d->syn_count > 0 &&
        ((d->syn_opt_ts && !d->synack_opt_ts && d->used_ts) ||
         (d->syn_opt_sack && !d->synack_opt_sack && d->used_sack)))
        tfa_sink_add(sink, TFA_ANOMALY_HANDSHAKE_OPTIONS_ASYMMETRIC, -1, d->synack_frames[0],
                     d->synack_ts, d->used_ts && !d->synack_opt_ts, d->used_sack && !d->synack_opt_sack);
}
