/* ackdelay.c - ACK timing (RFC 1122 §4.2.3.2, RFC 5681 §4.2, RFC 896):
 * how long each endpoint takes to acknowledge, delayed and stretch ACKs, the
 * Nagle + delayed-ACK stall, round trips by Karn's rule, and where the
 * capture point sits.  Figures are measured at the capture point: a delay
 * is the endpoint's own only when the capture is near that endpoint. */
#include "config.h"

#include "tcpflow-audit/detect.h"

#include "tcpflow-audit/seqnum.h"

#include <stdlib.h>

/* Linux's TCP_DELACK_MIN and TCP_DELACK_MAX, Windows' default delayed ACK,
 * and RFC 1122's limit; an ACK sooner than the first bound is immediate. */
#define DELACK_LINUX_MIN (40 * TFA_NSEC_PER_MSEC)
#define DELACK_LINUX_MAX (200 * TFA_NSEC_PER_MSEC)
#define DELACK_IMMEDIATE (20 * TFA_NSEC_PER_MSEC)
#define DELACK_RFC1122_MAX (500 * TFA_NSEC_PER_MSEC)
/* Data leaving this soon after the ACK that released it was waiting for it. */
#define NAGLE_RELEASE (2 * TFA_NSEC_PER_MSEC)
/* A half round trip this short puts the capture "at" that endpoint. */
#define NEAR_ABSOLUTE (1 * TFA_NSEC_PER_MSEC)
#define DEFAULT_MSS 536u /* RFC 9293 §3.7.1 */

static void ring_add(TfaDuration **ring, uint16_t *n, uint16_t *pos, TfaDuration v)
{
    if (*ring == NULL)
        *ring = g_new0(TfaDuration, TFA_DELAY_SAMPLES);
    (*ring)[*pos] = v;
    *pos = (uint16_t)((*pos + 1) % TFA_DELAY_SAMPLES);
    if (*n < TFA_DELAY_SAMPLES)
        (*n)++;
}

static void queue_push(TfaAckTiming *t, const TfaSegment *seg, bool retx)
{
    if (t->sent == NULL)
        t->sent = g_new0(TfaSentSeg, TFA_SENT_QUEUE);
    if (retx) {
        /* Karn's rule: the original copy's ACK is ambiguous too */
        for (uint16_t i = 0; i < t->sent_len; i++) {
            TfaSentSeg *s = &t->sent[(t->sent_head + i) % TFA_SENT_QUEUE];
            if (tfa_seq_gt(s->end, seg->seq))
                s->retransmitted = true;
        }
    }
    if (t->sent_len == TFA_SENT_QUEUE) {
        /* full: forget the oldest (no ACK seen for it) */
        t->sent_head = (uint16_t)((t->sent_head + 1) % TFA_SENT_QUEUE);
        t->sent_len--;
    }
    TfaSentSeg *s = &t->sent[(t->sent_head + t->sent_len) % TFA_SENT_QUEUE];
    s->end = seg->seq + seg->payload_len;
    s->len = seg->payload_len;
    s->ts = seg->ts;
    s->frame = seg->frame_no;
    s->retransmitted = retx;
    t->sent_len++;
}

/* Whether @side's ACK delays, measured here, are its own. */
static bool trusted(const TfaConn *c, uint8_t side)
{
    TfaDuration a, b;
    TfaVantage v = tfa_ack_vantage(c, &a, &b);
    if (v == TFA_VANTAGE_NEAR_BOTH)
        return true;
    return side == c->client ? v == TFA_VANTAGE_NEAR_CLIENT : v == TFA_VANTAGE_NEAR_SERVER;
}

void tfa_detect_ack_segment(TfaConn *c, const TfaSegment *seg, uint8_t side, const TfaSeqEvent *sq,
                            TfaAnomalySink *sink)
{
    TfaAckTiming *me = &c->timing[side];   /* the sender of this segment */
    TfaAckTiming *peer = &c->timing[1 - side];
    uint16_t f = seg->flags;
    bool retx = (sq->facts & (TFA_SEQ_RETRANS | TFA_SEQ_FAST_RETRANS | TFA_SEQ_SPURIOUS)) != 0;

    if (f & TFA_TH_SYN) {
        if (seg->opt.has_mss) {
            me->mss = seg->opt.mss;
            me->mss_announced = true;
        }
        return;
    }
    if (f & TFA_TH_RST)
        return;

    /* Nagle: data right behind the late ACK that released it */
    if (seg->payload_len > 0 && me->held) {
        if (seg->ts - me->held_ack_ts <= NAGLE_RELEASE) {
            if (me->stalls == 0) {
                me->first_stall_frame = seg->frame_no;
                me->first_stall_ts = seg->ts;
            }
            me->stalls++;
            me->stall_time += me->held_for;
        }
        me->held = false;
    }

    /* this segment as an ACK of the peer's data */
    if ((f & TFA_TH_ACK) && peer->sent_len > 0 && !(sq->facts & TFA_SEQ_DUP_FRAME)) {
        const TfaSentSeg *newest = NULL;
        uint32_t covered = 0;
        while (peer->sent_len > 0) {
            TfaSentSeg *s = &peer->sent[peer->sent_head];
            if (!tfa_seq_le(s->end, seg->ack))
                break;
            newest = s;
            covered += s->len;
            /* Karn: no round trip from a segment sent more than once */
            if (!s->retransmitted && s->end == seg->ack) {
                TfaDuration rtt = seg->ts - s->ts;
                if (peer->rtt_samples == 0 || rtt < peer->rtt_min)
                    peer->rtt_min = rtt;
                if (rtt > peer->rtt_max)
                    peer->rtt_max = rtt;
                peer->rtt_samples++;
                ring_add(&peer->rtts, &peer->n_rtts, &peer->rtt_pos, rtt);
            }
            peer->sent_head = (uint16_t)((peer->sent_head + 1) % TFA_SENT_QUEUE);
            peer->sent_len--;
        }
        if (newest != NULL) {
            TfaDuration delay = seg->ts - newest->ts;
            /* without the SYN's MSS, the largest segment seen stands in for
             * it, and only once it is at least the RFC 9293 default: a
             * mid-stream connection's early segments say nothing */
            uint32_t mss = peer->mss;
            bool mss_known = peer->mss_announced || mss >= DEFAULT_MSS;
            me->acks++;
            if (delay > me->max_delay)
                me->max_delay = delay;
            ring_add(&me->delays, &me->n_delays, &me->delay_pos, delay);
            if (seg->payload_len > 0) {
                me->piggybacked++;
            } else if (mss_known) {
                bool full = newest->len >= mss;
                if (full) {
                    me->full_acks++;
                    if (covered <= 2 * mss)
                        me->full_acks_within_two++;
                }
                if (covered > 2 * mss) {
                    me->stretch++;
                    tfa_sink_add(sink, TFA_ANOMALY_ACK_STRETCH, side, seg->frame_no, seg->ts,
                                 covered, mss);
                }
            }
            if (delay < DELACK_IMMEDIATE) {
                me->immediate++;
            } else if (delay <= DELACK_RFC1122_MAX) {
                me->delayed++;
                if (seg->payload_len == 0 && trusted(c, side))
                    tfa_sink_add(sink, TFA_ANOMALY_ACK_DELAYED, side, seg->frame_no, seg->ts,
                                 delay, (int64_t)newest->frame);
            } else {
                me->over_500ms++;
                if (trusted(c, side))
                    tfa_sink_add(sink, TFA_ANOMALY_ACK_DELAY_OVER_500MS, side, seg->frame_no,
                                 seg->ts, delay, (int64_t)newest->frame);
            }
            /* the peer's small segment, acknowledged late by a pure ACK:
             * did the peer hold its next data for it? */
            if (peer->small_out && tfa_seq_le(peer->small_end, seg->ack)) {
                if (seg->payload_len == 0 && seg->ts - peer->small_ts >= DELACK_IMMEDIATE) {
                    peer->held = true;
                    peer->held_ack_ts = seg->ts;
                    peer->held_for = seg->ts - peer->small_ts;
                }
                peer->small_out = false;
            }
        }
    }

    if (seg->payload_len > 0 && !(sq->facts & TFA_SEQ_DUP_FRAME)) {
        queue_push(me, seg, retx);
        if (!me->mss_announced && seg->payload_len > me->mss)
            me->mss = seg->payload_len;
        uint32_t mss = me->mss > 0 ? me->mss : DEFAULT_MSS;
        /* a small segment with nothing else outstanding before it: Nagle
         * holds the next small one until it is acknowledged */
        if (seg->payload_len < mss && !retx && me->sent_len == 1) {
            me->small_out = true;
            me->small_end = seg->seq + seg->payload_len;
            me->small_ts = seg->ts;
            me->small_frame = seg->frame_no;
        } else {
            me->small_out = false;
        }
    }
}

void tfa_detect_ack_end(TfaConn *c, TfaAnomalySink *sink)
{
    for (uint8_t i = 0; i < 2; i++) {
        const TfaAckTiming *t = &c->timing[i];
        /* repeatedly: one stall is an accident, two are a pattern */
        if (t->stalls >= 2)
            tfa_sink_add(sink, TFA_ANOMALY_ACK_NAGLE_DELACK_STALL, i, t->first_stall_frame,
                         t->first_stall_ts, t->stalls, t->stall_time);
    }
}

static int cmp_dur(const void *a, const void *b)
{
    TfaDuration x = *(const TfaDuration *)a, y = *(const TfaDuration *)b;
    return x < y ? -1 : x > y;
}

TfaDuration tfa_ack_percentile(const TfaDuration *ring, uint16_t n, unsigned pct)
{
    TfaDuration v[TFA_DELAY_SAMPLES];
    if (ring == NULL || n == 0)
        return -1;
    for (uint16_t i = 0; i < n; i++)
        v[i] = ring[i];
    qsort(v, n, sizeof(v[0]), cmp_dur);
    /* nearest rank */
    unsigned rank = (pct * n + 99u) / 100u;
    return v[rank > 0 ? rank - 1 : 0];
}

TfaVantage tfa_ack_vantage(const TfaConn *c, TfaDuration *to_server, TfaDuration *to_client)
{
    const TfaVerdicts *d = &c->det;
    *to_server = *to_client = -1;
    if (d->syn_ts == 0 || d->synack_ts == 0 || d->ack_ts == 0)
        return TFA_VANTAGE_UNKNOWN;
    TfaDuration a = d->synack_ts - d->syn_ts; /* capture -> server -> capture */
    TfaDuration b = d->ack_ts - d->synack_ts; /* capture -> client -> capture */
    *to_server = a;
    *to_client = b;
    if (a < 0 || b < 0)
        return TFA_VANTAGE_UNKNOWN;
    bool near_server = a < NEAR_ABSOLUTE || a * 5 <= a + b;
    bool near_client = b < NEAR_ABSOLUTE || b * 5 <= a + b;
    if (near_server && near_client)
        return TFA_VANTAGE_NEAR_BOTH;
    if (near_client)
        return TFA_VANTAGE_NEAR_CLIENT;
    if (near_server)
        return TFA_VANTAGE_NEAR_SERVER;
    return TFA_VANTAGE_MIDDLE;
}
