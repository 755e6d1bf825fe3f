/* ackdelay.c - ACK timing (RFC 1122 §4.2.3.2, RFC 5681 §4.2, RFC 896):
 * how long each endpoint takes to acknowledge, delayed and stretch ACKs, the
 * Nagle + delayed-ACK stall, round trips by Karn's rule, and where the
 * capture point sits.  The counters are measured at the capture point; a
 * finding takes the endpoint's own share only, the round trip between the
 * capture point and it subtracted (path_rtt), and says "possible" where the
 * capture cannot tell that share or time the release of held data. */
#include "config.h"

#include "tcpflow-audit/detect.h"

#include "tcpflow-audit/seqnum.h"

#include <stdlib.h>

/* A data segment waiting for its ACK (ACK timing). */
typedef struct TfaSentSeg {
    uint32_t end;
    uint32_t len;
    TfaTs ts;
    TfaFrameNo frame;
    bool retransmitted;
    bool suspect;        /* after a gap, out of order or outside the window: its ACK's timing
                          * says nothing of the receiver's delay */
    bool alone;          /* nothing else of its sender's was in flight when it was sent */
    bool filled;         /* it filled the receiver's window */
} TfaSentSeg;

#define TFA_SENT_QUEUE 32

/* ACK timing of one endpoint: how it acknowledges the peer's data, and the
 * round trips of its own data (this detector's state; the reporters read
 * the TfaAckFigures the end copies of it).  Delays and
 * round trips are measured at the capture point; the findings subtract the
 * path's round trip (see tfa_detect_ack_segment). */
typedef struct TfaAckTiming {
    guint64 acks, immediate, delayed, over_500ms, piggybacked, stretch;
    guint64 full_acks;             /* pure ACKs of full-sized data ... */
    guint64 full_acks_within_two;  /* ... covering at most two segments */
    TfaDuration max_delay;
    uint16_t n_delays;             /* the latest TFA_DELAY_SAMPLES delays, a ring */
    uint16_t delay_pos;
    TfaDuration *delays;
    /* round trips of this endpoint's own data, by the peer's ACKs (Karn):
     * capture -> peer -> capture, plus the peer's own delay */
    guint64 rtt_samples;
    TfaDuration rtt_min, rtt_max;
    uint16_t n_rtts, rtt_pos;
    TfaDuration *rtts;
    /* this endpoint's data not yet acknowledged */
    TfaSentSeg *sent;
    uint16_t sent_head, sent_len;
    uint32_t mss;                  /* announced in its SYN: the largest segment it receives */
    bool mss_announced;
    uint32_t max_seg;              /* its largest data segment */
    uint32_t prev_len;             /* its latest data segment's length */
    uint32_t full_seg;             /* the largest of at least 536 bytes it sent twice in a row */
    TfaTs last_data_ts;            /* its latest data segment or FIN */
    TfaTs zero_ts;                 /* the latest time it advertised a zero window */
    /* Nagle + delayed ACK: its small segment, alone in flight, was
     * acknowledged late by a pure ACK: is its next data right behind it? */
    bool held;
    bool held_rtt_known;           /* the delay was measured with the handshake's round trip */
    TfaTs held_ack_ts;
    TfaDuration held_for;          /* the peer's own delay of that ACK */
    guint stalls;
    guint holds;                   /* its lone small segments acknowledged late */
    guint stalls_timed;            /* stalls timed with the handshake's round trip, the release
                                    * placed within NAGLE_TIGHT of the ACK */
    TfaDuration stall_time;
    TfaFrameNo first_stall_frame;
    TfaTs first_stall_ts;
} TfaAckTiming;

/* The ACK-timing detector's state: both endpoints'. */
typedef struct AdState {
    TfaAckTiming timing[2]; /* by endpoint (side) */
} AdState;

/* Linux's TCP_DELACK_MIN and TCP_DELACK_MAX, Windows' default delayed ACK,
 * and RFC 1122's limit; an ACK sooner than the first bound is immediate. */
#define DELACK_LINUX_MIN (40 * TFA_NSEC_PER_MSEC)
#define DELACK_LINUX_MAX (200 * TFA_NSEC_PER_MSEC)
#define DELACK_IMMEDIATE (20 * TFA_NSEC_PER_MSEC)
#define DELACK_RFC1122_MAX (500 * TFA_NSEC_PER_MSEC)
/* The shortest receiver's delay taken for a delayed-ACK timer in a Nagle
 * stall: Linux's 40 ms less the slack of a round trip measured once. */
#define NAGLE_DELACK_MIN (DELACK_LINUX_MIN * 3 / 4)
/* Data leaving this soon (beyond the round trip to its sender) after the
 * ACK that released it was waiting for it. */
#define NAGLE_RELEASE (2 * TFA_NSEC_PER_MSEC)
/* A release placed within this much after the ACK is timed closely enough
 * for a warning: the capture is near the sender, or the sender near. */
#define NAGLE_TIGHT (10 * TFA_NSEC_PER_MSEC)
/* A half round trip this short puts the capture "at" that endpoint. */
#define NEAR_ABSOLUTE (1 * TFA_NSEC_PER_MSEC)
#define DEFAULT_MSS 536u /* RFC 9293 §3.7.1 */
/* Room for TCP options: a segment this close to the MSS is full-sized
 * (timestamps take 12 bytes of it, RFC 7323). */
#define TCP_OPTIONS_MAX 40u

static void ring_add(TfaDuration **ring, uint16_t *n, uint16_t *pos, TfaDuration v)
{
    if (*ring == NULL)
        *ring = g_new0(TfaDuration, TFA_DELAY_SAMPLES);
    (*ring)[*pos] = v;
    *pos = (uint16_t)((*pos + 1) % TFA_DELAY_SAMPLES);
    if (*n < TFA_DELAY_SAMPLES)
        (*n)++;
}

static TfaDuration ring_min(const TfaDuration *ring, uint16_t n)
{
    TfaDuration m = -1;
    for (uint16_t i = 0; ring != NULL && i < n; i++)
        if (m < 0 || ring[i] < m)
            m = ring[i];
    return m;
}

static void queue_push(TfaAckTiming *t, const TfaSegment *seg, bool retx, bool suspect,
                       bool filled)
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
    s->suspect = suspect;
    s->alone = t->sent_len == 0;
    s->filled = filled;
    t->sent_len++;
}

/* Whether the capture point is next to @side's endpoint (handshake known). */
static bool near(const TfaConn *c, const void *hs, uint8_t side)
{
    TfaDuration a, b;
    TfaHandshakeTimes t = tfa_handshake_times_of(hs);
    TfaVantage v = tfa_vantage_of(&t, &a, &b);
    if (v == TFA_VANTAGE_NEAR_BOTH)
        return true;
    return side == c->client ? v == TFA_VANTAGE_NEAR_CLIENT : v == TFA_VANTAGE_NEAR_SERVER;
}

/* The round trip from the capture point to @side's endpoint and back, as an
 * upper bound: the handshake's half towards it (SYN -> SYN-ACK for the
 * server, SYN-ACK -> ACK for the client) or the fastest of its latest ACKs
 * of the peer's data (each is that path plus its own delay), whichever is
 * shorter; -1 when neither was seen.  A delay less this is the endpoint's
 * own, at least.  *handshake: whether the handshake's half was known. */
static TfaDuration path_rtt(const TfaConn *c, const AdState *st, const void *hs, uint8_t side,
                            bool *handshake)
{
    TfaDuration to_server, to_client;
    TfaHandshakeTimes t = tfa_handshake_times_of(hs);
    TfaVantage v = tfa_vantage_of(&t, &to_server, &to_client);
    TfaDuration p = -1;
    *handshake = v != TFA_VANTAGE_UNKNOWN;
    if (*handshake)
        p = side == c->client ? to_client : to_server;
    const TfaAckTiming *data = &st->timing[1 - side]; /* the data @side acknowledged */
    TfaDuration fast = ring_min(data->rtts, data->n_rtts);
    if (fast >= 0 && (p < 0 || fast < p))
        p = fast;
    return p;
}

/* The largest segment @snd sends to @rcv: the smaller of the MSS both
 * announced in their SYNs (each is what it receives, and follows from its
 * own interface), else the largest seen (RFC 9293's default at least);
 * *known: whether anything says so (a mid-stream connection's early small
 * segments do not). */
static uint32_t send_mss(const TfaAckTiming *snd, const TfaAckTiming *rcv, bool *known)
{
    uint32_t mss = 0;
    if (rcv->mss_announced && rcv->mss > 0)
        mss = rcv->mss;
    if (snd->mss_announced && snd->mss > 0 && (mss == 0 || snd->mss < mss))
        mss = snd->mss;
    *known = mss > 0 || snd->max_seg >= DEFAULT_MSS;
    if (mss > 0)
        return mss;
    return snd->max_seg > DEFAULT_MSS ? snd->max_seg : DEFAULT_MSS;
}

/* Whether @snd's segment of @len bytes is smaller than a full one: below
 * the MSS by more than the options can take, and below the size it sent
 * twice in a row (a bulk sender's segments, when the path's MTU is below
 * what the SYNs announced). */
static bool is_small(const TfaAckTiming *snd, uint32_t len, uint32_t mss)
{
    return len + TCP_OPTIONS_MAX < mss && (snd->full_seg == 0 || len < snd->full_seg);
}

/* @side's ACK came @delay after @newest, the newest of the @popped segments
 * it acknowledged (the oldest sent at @first_ts), passed the capture point:
 * how much of it was the receiver's own, and what it held up. */
static void ack_late(const TfaConn *c, AdState *st, const void *hs, const TfaSegment *seg, uint8_t side, const TfaSentSeg *newest,
                     TfaTs first_ts, TfaDuration delay, unsigned popped, TfaAnomalySink *sink)
{
    TfaAckTiming *me = &st->timing[side];
    TfaAckTiming *peer = &st->timing[1 - side];
    bool handshake;
    TfaDuration path = path_rtt(c, st, hs, side, &handshake);
    if (path < 0)
        return;
    TfaDuration own = delay - path; /* at the receiver, at least */
    if (own < DELACK_IMMEDIATE)
        return;
    bool pure = seg->payload_len == 0;
    /* seen away from the receiver, data behind other data of the same
     * flow may have queued on the way (a bottleneck's serialization): only
     * a segment sent alone, acknowledged alone, times the receiver */
    bool timed = near(c, hs, side) || (popped == 1 && newest->alone);
    /* a receiver whose window was shut may hold its ACK until it opens */
    bool zero = me->zero_ts != 0 && me->zero_ts >= first_ts;

    if (own > DELACK_RFC1122_MAX) {
        /* an ACK on data, from a receiver never seen sending a pure one:
         * the capture may have been filtered to data, or have missed the
         * pure ACK that came in time */
        if (zero || !timed || (!pure && me->acks - me->piggybacked == 0))
            return;
        /* only a capture next to the receiver tells a late ACK from a lost
         * one; only a handshake tells the path's round trip */
        if (handshake && near(c, hs, side))
            tfa_sink_add(sink, TFA_ANOMALY_ACK_DELAY_OVER_500MS, side, seg->frame_no, seg->ts, own,
                         (int64_t)newest->frame);
        else
            tfa_sink_add_possible(sink, TFA_ANOMALY_ACK_DELAY_OVER_500MS, TFA_SEV_NOTICE, side,
                                  seg->frame_no, seg->ts, own, (int64_t)newest->frame);
        return;
    }
    if (pure && handshake && timed)
        tfa_sink_add(sink, TFA_ANOMALY_ACK_DELAYED, side, seg->frame_no, seg->ts, own,
                     (int64_t)newest->frame);

    /* Nagle's algorithm holds a small segment while data is unacknowledged
     * (RFC 896; Linux: while a small one is): the peer's small segment,
     * alone in flight, acknowledged by a delayed pure ACK.  With more in
     * flight, a full-sized segment, or the peer's window filled or shut,
     * congestion control or the window could as well have held what came
     * next. */
    bool mss_known;
    uint32_t mss = send_mss(peer, me, &mss_known);
    if (pure && popped == 1 && peer->sent_len == 0 && own >= NAGLE_DELACK_MIN && !zero &&
        !newest->filled && mss_known && is_small(peer, newest->len, mss)) {
        peer->held = true;
        peer->holds++;
        peer->held_rtt_known = handshake;
        peer->held_ack_ts = seg->ts;
        peer->held_for = own;
        /* what the peer wrote after our data reached it was not ready before */
        if (me->last_data_ts > newest->ts && seg->ts - me->last_data_ts < own)
            peer->held_for = seg->ts - me->last_data_ts;
    }
}

/* @seg is data from @side, which a late ACK may have released. */
static void nagle_release(const TfaConn *c, AdState *st, const void *hs, const TfaSegment *seg,
                          uint8_t side, bool retx)
{
    TfaAckTiming *me = &st->timing[side];
    TfaAckTiming *peer = &st->timing[1 - side];
    me->held = false;
    if (retx)
        return;
    /* the ACK reaches the sender half a round trip after the capture point
     * saw it, the data comes back as long: near the sender, at once */
    bool handshake;
    TfaDuration p = path_rtt(c, st, hs, side, &handshake);
    if (p < 0)
        p = 0;
    TfaDuration window = p + p / 4 + NAGLE_RELEASE;
    if (seg->ts - me->held_ack_ts > window)
        return;
    /* the peer's data just before the ACK, or after it: this segment may
     * answer it (a request/response turnaround), not have waited */
    if (peer->last_data_ts != 0 && peer->last_data_ts + DELACK_IMMEDIATE >= me->held_ack_ts)
        return;
    bool mss_known;
    if (!is_small(me, seg->payload_len, send_mss(me, peer, &mss_known)))
        return; /* Nagle holds only what is smaller than a segment */
    if (me->stalls == 0) {
        me->first_stall_frame = seg->frame_no;
        me->first_stall_ts = seg->ts;
    }
    me->stalls++;
    /* far from the sender the release is placed only within the round
     * trip to it, and data sent on a timer could fall there as well */
    if (me->held_rtt_known && window <= NAGLE_TIGHT)
        me->stalls_timed++;
    me->stall_time += me->held_for;
}

static void ack_segment(const TfaConn *c, void *state, const TfaDetectSeg *x,
                        TfaAnomalySink *sink)
{
    AdState *st = state;
    const TfaSegment *seg = x->seg;
    const TfaSeqEvent *sq = x->sq;
    uint8_t side = x->side;
    TfaAckTiming *me = &st->timing[side];   /* the sender of this segment */
    TfaAckTiming *peer = &st->timing[1 - side];
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
    if (sq->facts & TFA_SEQ_ZERO_SEGMENT)
        me->zero_ts = seg->ts;

    /* Nagle: data right behind the late ACK that released it */
    if (seg->payload_len > 0 && me->held)
        nagle_release(c, st, x->hs, seg, side, retx);

    /* this segment as an ACK of the peer's data */
    if ((f & TFA_TH_ACK) && peer->sent_len > 0) {
        TfaSentSeg newest = {0};
        TfaTs first_ts = 0;
        uint32_t covered = 0;
        unsigned popped = 0;
        bool suspect = false;
        while (peer->sent_len > 0) {
            TfaSentSeg *s = &peer->sent[peer->sent_head];
            if (!tfa_seq_le(s->end, seg->ack))
                break;
            if (popped++ == 0)
                first_ts = s->ts;
            newest = *s;
            covered += s->len;
            suspect |= s->retransmitted || s->suspect;
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
        if (popped > 0) {
            TfaDuration delay = seg->ts - newest.ts;
            bool mss_known;
            uint32_t mss = send_mss(peer, me, &mss_known);
            me->acks++;
            if (delay > me->max_delay)
                me->max_delay = delay;
            ring_add(&me->delays, &me->n_delays, &me->delay_pos, delay);
            if (seg->payload_len > 0) {
                me->piggybacked++;
            } else if (mss_known) {
                bool full = !is_small(peer, newest.len, mss);
                if (full && !suspect) {
                    me->full_acks++;
                    if (covered <= 2 * mss)
                        me->full_acks_within_two++;
                }
                /* a cumulative ACK over a retransmission, a gap or
                 * reordered data is loss recovery catching up, not a
                 * receiver acknowledging less often */
                if (covered > 2 * mss && !suspect) {
                    me->stretch++;
                    tfa_sink_add(sink, TFA_ANOMALY_ACK_STRETCH, side, seg->frame_no, seg->ts,
                                 covered, mss);
                }
            }
            if (delay < DELACK_IMMEDIATE)
                me->immediate++;
            else if (delay <= DELACK_RFC1122_MAX)
                me->delayed++;
            else
                me->over_500ms++;
            /* the receiver's share of it, from data whose ACK is its own */
            if (!suspect && delay >= DELACK_IMMEDIATE &&
                !(sq->facts & (TFA_SEQ_ACK_UNSEEN | TFA_SEQ_ACK_INVALID)))
                ack_late(c, st, x->hs, seg, side, &newest, first_ts, delay, popped, sink);
        }
    }

    if (seg->payload_len > 0 && !(sq->facts & (TFA_SEQ_KEEPALIVE | TFA_SEQ_ZW_PROBE))) {
        /* a probe's ACK answers the probe, whenever the data was sent */
        bool suspect = (sq->facts & (TFA_SEQ_LOST | TFA_SEQ_OOO | TFA_SEQ_OUT_OF_WINDOW |
                                     TFA_SEQ_STALE)) != 0;
        queue_push(me, seg, retx, suspect, (sq->facts & TFA_SEQ_WINDOW_FULL) != 0);
        if (seg->payload_len > me->max_seg)
            me->max_seg = seg->payload_len;
        if (seg->payload_len == me->prev_len && seg->payload_len >= DEFAULT_MSS &&
            seg->payload_len > me->full_seg)
            me->full_seg = seg->payload_len;
        me->prev_len = seg->payload_len;
    }
    if (seg->payload_len > 0 || (f & TFA_TH_FIN))
        me->last_data_ts = seg->ts;
}

static void ack_end(const TfaConn *c, void *state, const TfaDetectEnd *x, TfaAnomalySink *sink)
{
    AdState *st = state;
    for (uint8_t i = 0; i < 2; i++) {
        TfaAckTiming *t = &st->timing[i];
        TfaAckFigures *o = &x->out->timing[i];
        o->acks = t->acks;
        o->immediate = t->immediate;
        o->delayed = t->delayed;
        o->over_500ms = t->over_500ms;
        o->piggybacked = t->piggybacked;
        o->stretch = t->stretch;
        o->full_acks = t->full_acks;
        o->full_acks_within_two = t->full_acks_within_two;
        o->rtt_samples = t->rtt_samples;
        o->max_delay = t->max_delay;
        o->rtt_min = t->rtt_min;
        o->rtt_max = t->rtt_max;
        o->stall_time = t->stall_time;
        o->stalls = t->stalls;
        o->n_delays = t->n_delays;
        o->n_rtts = t->n_rtts;
        /* the rings go to the outcome (the connection frees them) */
        o->delays = g_steal_pointer(&t->delays);
        o->rtts = g_steal_pointer(&t->rtts);
        /* repeatedly, and at least a quarter of the late ACKs of a lone
         * small segment: one stall is an accident, two are a pattern.
         * Without the handshake the path's round trip is only bounded by
         * the ACKs; far from the sender, the release only roughly timed */
        /* one stall is worth it too when it is a large share of a short
         * exchange (a quarter of the connection's time or more): one
         * request written in two calls */
        TfaTs first = c->side[0].first_ts, last = c->side[0].last_ts;
        if (c->side[1].packets > 0 && (c->side[0].packets == 0 || c->side[1].first_ts < first))
            first = c->side[1].first_ts;
        if (c->side[1].last_ts > last)
            last = c->side[1].last_ts;
        bool single = t->stalls == 1 && t->holds <= 2 && last > first &&
                      t->stall_time * 4 >= last - first;
        if (!single && (t->stalls < 2 || t->stalls * 4 < t->holds))
            continue;
        if (t->stalls_timed >= 2 || (single && t->stalls_timed == 1))
            tfa_sink_add(sink, TFA_ANOMALY_ACK_NAGLE_DELACK_STALL, i, t->first_stall_frame,
                         t->first_stall_ts, t->stalls, t->stall_time);
        else
            tfa_sink_add_possible(sink, TFA_ANOMALY_ACK_NAGLE_DELACK_STALL, TFA_SEV_NOTICE, i,
                                  t->first_stall_frame, t->first_stall_ts, t->stalls,
                                  t->stall_time);
    }
}

static void ack_release(void *state)
{
    AdState *st = state;
    for (int i = 0; i < 2; i++) {
        g_free(st->timing[i].delays);
        g_free(st->timing[i].rtts);
        g_free(st->timing[i].sent);
    }
}

const TfaDetector tfa_detector_ackdelay = {
    .name = "ackdelay",
    .state_size = sizeof(AdState),
    .on_segment = ack_segment,
    .on_end = ack_end,
    .release = ack_release,
};

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
    TfaHandshakeTimes t = {
        .syn_ts = c->out.syn_ts,
        .synack_ts = c->out.synack_ts,
        .ack_ts = c->out.ack_ts,
    };
    return tfa_vantage_of(&t, to_server, to_client);
}

TfaVantage tfa_vantage_of(const TfaHandshakeTimes *d, TfaDuration *to_server,
                          TfaDuration *to_client)
{
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
