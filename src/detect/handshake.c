/* handshake.c - the three-way handshake (RFC 9293 §3.5): its outcome, its
 * RTT, every retry, and what went wrong in it. */
#include "config.h"

#include "tcpflow-audit/detect.h"

#include "tcpflow-audit/seqnum.h"

#include <string.h>

/* No retransmission timer fires sooner than this after the copy before
 * (Linux's TCP_RTO_MIN; the initial RTO of a SYN or SYN-ACK is 1 s,
 * RFC 6298 (2.1)): a repeat closer than this is a copy, not a retry. */
#define RTO_FLOOR (200 * TFA_NSEC_PER_MSEC)

/* What the handshake detector gathers (private: TfaOutcome carries what
 * the reporters read). */
typedef struct HsState {
    /* SYN-ACKs, SYNs and the third ACK: times and counts (the start of
     * TfaHandshakeTimes', other detectors read them through
     * tfa_handshake_times_of) */
    TfaTs syn_ts, synack_ts, ack_ts;      /* the answered SYN, the first SYN-ACK, the third ACK */
    TfaTs syn_first_ts, syn_last_ts;      /* the client's first and latest SYN */
    TfaTs synack_last_ts;                 /* the server's latest SYN-ACK */
    TfaTs third_ack_ts;
    TfaDuration third_ack_after;          /* its time after the ACK */
    TfaTs hs_done_ts;
    TfaTs synack_tsval_ts;
    TfaFrameNo syn_frames[TFA_MAX_HS_FRAMES], synack_frames[TFA_MAX_HS_FRAMES];
    TfaFrameNo ack_frame;
    TfaFrameNo syn_last_frame;
    /* the third ACK lost (or dropped by the server): the SYN-ACK repeats
     * after the client's ACK was seen, reported once at the end */
    TfaFrameNo third_ack_frame;           /* the first such SYN-ACK */
    TfaFrameNo hs_done_frame;             /* the client's segment that then completed the server's
                                           * side (0: none) */
    TfaFrameNo hs_data_frame;             /* without: the client's first data after it */
    TfaFrameNo hs_reset_frame;            /* or the server's RST that ended it (0: none) */
    uint32_t syn_payload;
    uint32_t syn_isn;                     /* of the client's latest SYN */
    uint32_t synack_tsval;
    uint16_t syn_flags;                   /* the client's SYN's flags (ECN setup: ECE | CWR) */
    int16_t cookie_lead_min, cookie_lead_max; /* their lead (see cookie_next), in COOKIE_UNIT_US */
    uint8_t syn_count, synack_count;      /* pure SYNs from the client, SYN-ACKs from the server */
    uint8_t n_syn_frames, n_synack_frames;
    uint8_t syn_unanswered;               /* client SYNs captured that no SYN-ACK has answered yet */
    uint8_t third_ack_repeats;            /* SYN-ACKs repeated after the ACK, on the server's timer */
    uint8_t syn_wscale;                   /* the client's SYN's window scale */
    /* SYN cookies (Linux): whether the first SYN-ACK's TSval's low 6 bits
     * carry the SYN's options, and how far the server's later TSvals run
     * ahead of the SYN-ACK's, beyond the time the capture saw pass */
    uint8_t cookie_n;                     /* later segments measured (at most COOKIE_SAMPLES) */
    int8_t syn_data_acked;                /* SYN payload acknowledged by the SYN-ACK: 1, 0, -1 unknown */
    bool syn_from[2];                     /* pure SYNs by side (simultaneous open) */
    bool syn_opt_ws, syn_opt_sack, syn_opt_ts, synack_opt_ws, synack_opt_sack, synack_opt_ts;
    bool used_ts, used_sack;              /* options used after the handshake */
    bool refused, reset_during, synack_bad_ack;
    bool syn_retry_timed;                 /* a SYN was repeated at least an RTO after the one before */
    bool synack_unseen;                   /* the client's ACK shows a SYN-ACK the capture lacks */
    bool third_ack_possible;              /* the first one could have crossed the ACK */
    bool hs_done_data;                    /* ... carried data */
    bool server_spoke;                    /* the server sent an ACK or data since its last SYN-ACK */
    bool cookie_bits;                     /* TSval & 63 = the SYN's wscale | SACK | ECN */
    bool cookie_mss;                      /* its MSS is one of the kernel's cookie table */
} HsState;

TfaHandshakeTimes tfa_handshake_times_of(const void *hs)
{
    const HsState *d = hs;
    return (TfaHandshakeTimes){
        .syn_ts = d->syn_ts,
        .synack_ts = d->synack_ts,
        .ack_ts = d->ack_ts,
        .syn_count = d->syn_count,
        .synack_count = d->synack_count,
    };
}

static void note_frame(TfaFrameNo *frames, uint8_t *n, TfaFrameNo f)
{
    if (*n < TFA_MAX_HS_FRAMES)
        frames[(*n)++] = f;
}

/* The server sent its SYN-ACK again.  What caused the repeat decides what
 * it means: a SYN of the client's that no SYN-ACK had answered yet
 * (@answers, its frame) is the one it answers - Linux answers a
 * retransmitted SYN in SYN_RECEIVED with a SYN-ACK, so a client that
 * repeated its SYN gets two even when the first arrived; the capture's
 * order of SYNs and SYN-ACKs is not the endpoints' order.  Without one it
 * is the server's own retransmission timer
 * - never sooner than RTO_FLOOR - and the third ACK was lost only if the
 * client's ACK was captured early enough to have reached the server before
 * the repeat left it: a round trip capture -> server -> capture (SYN ->
 * SYN-ACK) before the repeat is seen.  A repeat closer to the ACK crossed
 * it on the wire. */
static void synack_again(HsState *d, const TfaSegment *seg, uint8_t side,
                         const TfaSmEvent *ev, TfaFrameNo answers, TfaAnomalySink *sink)
{
    TfaDuration gap = seg->ts - d->synack_last_ts;
    if (answers != 0) {
        tfa_sink_add(sink, TFA_ANOMALY_HANDSHAKE_SYNACK_RETRANSMITTED, side, seg->frame_no,
                     seg->ts, (int64_t)answers, gap);
        return;
    }
    if (gap < RTO_FLOOR) {
        tfa_sink_add_possible(sink, TFA_ANOMALY_HANDSHAKE_SYNACK_RETRANSMITTED, TFA_SEV_INFO,
                              side, seg->frame_no, seg->ts, 0, gap);
        return;
    }
    tfa_sink_add(sink, TFA_ANOMALY_HANDSHAKE_SYNACK_RETRANSMITTED, side, seg->frame_no, seg->ts,
                 0, gap);
    /* repeated after the client's ACK or data was seen */
    if (d->ack_frame == 0 || d->synack_unseen || d->ack_ts > seg->ts ||
        !(ev->revoked || ev->before[side] == TFA_TCP_SYN_RECEIVED))
        return;
    TfaDuration after_ack = seg->ts - d->ack_ts;
    TfaDuration to_server = d->syn_count > 0 ? d->synack_ts - d->syn_ts : -1;
    /* one story however often it repeats: reported at the end, when what
     * followed (the server's side completed, or reset) is known */
    d->hs_done_frame = d->hs_data_frame = 0;
    if (d->third_ack_repeats > 0) {
        if (d->third_ack_repeats < UINT8_MAX)
            d->third_ack_repeats++;
        return;
    }
    if (to_server >= 0 && after_ack <= to_server)
        return; /* the repeat crossed the ACK */
    /* the round trip to the server unknown: the ACK may have crossed */
    d->third_ack_possible = to_server < 0;
    d->third_ack_repeats = 1;
    d->third_ack_frame = seg->frame_no;
    d->third_ack_ts = seg->ts;
    d->third_ack_after = after_ack;
}

/* Linux's SYN cookie (net/ipv4/syncookies.c): with timestamps the cookie
 * SYN-ACK's TSval carries the SYN's options in its low 6 bits (the window
 * scale, 0xf for none, SACK at bit 4, ECN at bit 5), its clock backdated up
 * to 63 ms; its MSS is one of a short table (per address family). */
static const uint16_t COOKIE_MSS_V4[] = {536, 1300, 1440, 1460};
static const uint16_t COOKIE_MSS_V6[] = {1220, 1420, 4440, 8940};

static void cookie_synack(const TfaConn *c, HsState *d, const TfaSegment *seg)
{
    if (!seg->opt.has_ts || !d->syn_opt_ts || d->syn_count == 0)
        return;
    bool ecn = (d->syn_flags & (TFA_TH_ECE | TFA_TH_CWR)) == (TFA_TH_ECE | TFA_TH_CWR) &&
               (seg->flags & TFA_TH_ECE);
    uint32_t opts = (d->syn_opt_ws ? (d->syn_wscale & 0xfu) : 0xfu) |
                    (d->syn_opt_sack ? 0x10u : 0u) | (ecn ? 0x20u : 0u);
    d->cookie_bits = (seg->opt.tsval & 0x3fu) == opts;
    const uint16_t *tab = seg->src.family == 6 ? COOKIE_MSS_V6 : COOKIE_MSS_V4;
    for (unsigned i = 0; seg->opt.has_mss && i < 4; i++)
        if (seg->opt.mss == tab[i])
            d->cookie_mss = true;
    d->synack_tsval = seg->opt.tsval;
    d->synack_tsval_ts = seg->ts;
    (void)c;
}

/* The server's segments with a timestamp after its cookie SYN-ACK: a real
 * clock runs on with the time; the cookie's was set back by up to 63 ms, so
 * every later TSval leads the SYN-ACK's by that much more than the time
 * that passed.  The capture sees that time through the path: the spread of
 * the later segments' leads is the path's jitter, and the SYN-ACK's own
 * share of it is unknown, so the lead counts only beyond that spread. */
#define COOKIE_SAMPLES 8
#define COOKIE_UNIT_US 10 /* the leads' unit: +-327 ms fit in an int16_t */
#define COOKIE_TICK 200   /* a millisecond tick each side, in that unit */
#define COOKIE_BACKDATE_MAX 6400 /* 64 ms */

static void cookie_next(HsState *d, const TfaSegment *seg)
{
    if (!d->cookie_bits || d->cookie_n >= COOKIE_SAMPLES || !seg->opt.has_ts)
        return;
    int64_t ticks = (int64_t)(uint32_t)(seg->opt.tsval - d->synack_tsval);
    int64_t us = (seg->ts - d->synack_tsval_ts) / TFA_NSEC_PER_USEC;
    int64_t lead = (ticks * 1000 - us) / COOKIE_UNIT_US;
    if (ticks > 10000 || us > 10 * 1000 * 1000 || lead > INT16_MAX || lead < INT16_MIN)
        return; /* seconds later or off by as much: a restarted clock, or drift */
    if (d->cookie_n == 0 || lead < d->cookie_lead_min)
        d->cookie_lead_min = (int16_t)lead;
    if (d->cookie_n == 0 || lead > d->cookie_lead_max)
        d->cookie_lead_max = (int16_t)lead;
    d->cookie_n++;
}

/* The later TSvals all lead by more than a tick plus the path's jitter, and
 * by no more than a cookie's backdating can give. */
static bool cookie_backdated(const HsState *d)
{
    if (d->cookie_n < 2)
        return false; /* one segment: its lead could be the path's jitter */
    int spread = d->cookie_lead_max - d->cookie_lead_min;
    return d->cookie_lead_min > COOKIE_TICK + spread &&
           d->cookie_lead_max <= COOKIE_BACKDATE_MAX + COOKIE_TICK;
}

static void handshake_segment(const TfaConn *c, void *state, const TfaDetectSeg *x,
                              TfaAnomalySink *sink)
{
    HsState *d = state;
    const TfaSegment *seg = x->seg;
    const TfaSmEvent *ev = x->ev;
    uint8_t side = x->side;
    bool created = x->created;
    uint16_t f = seg->flags;
    uint8_t client = c->client;

    if (created) {
        /* arg1: the earlier record this one continues after an idle split */
        if (c->mid_stream)
            tfa_sink_add(sink, TFA_ANOMALY_HANDSHAKE_NOT_SEEN, -1, seg->frame_no, seg->ts,
                         c->originator, (int64_t)c->continues_id);
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
            TfaDuration gap = seg->ts - d->syn_last_ts;
            if (seg->seq != d->syn_isn)
                tfa_sink_add(sink, TFA_ANOMALY_HANDSHAKE_SYN_ISN_CHANGED, side, seg->frame_no,
                             seg->ts, seg->seq, d->syn_isn);
            else if (gap >= RTO_FLOOR) {
                d->syn_retry_timed = true;
                tfa_sink_add(sink, TFA_ANOMALY_HANDSHAKE_SYN_RETRANSMITTED, side, seg->frame_no,
                             seg->ts, d->syn_count, gap);
            } else {
                /* sooner than any retransmission timer: a copy made on the
                 * way, or a crafted one, not a retry */
                tfa_sink_add_possible(sink, TFA_ANOMALY_HANDSHAKE_SYN_RETRANSMITTED, TFA_SEV_INFO,
                                      side, seg->frame_no, seg->ts, d->syn_count, gap);
            }
        }
        d->syn_isn = seg->seq;
        if (d->synack_count == 0)
            d->syn_ts = seg->ts; /* the SYN that gets answered is the last before the SYN-ACK */
        if (d->syn_count == 0)
            d->syn_first_ts = seg->ts;
        d->syn_last_ts = seg->ts;
        d->syn_last_frame = seg->frame_no;
        if (d->syn_unanswered < UINT8_MAX)
            d->syn_unanswered++;
        d->syn_count++;
        note_frame(d->syn_frames, &d->n_syn_frames, seg->frame_no);
        d->syn_opt_ws = seg->opt.has_wscale;
        d->syn_wscale = seg->opt.wscale;
        d->syn_flags = f;
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
        /* each SYN the server receives in SYN_RECEIVED it answers with a
         * SYN-ACK: this one answers the oldest SYN not answered yet */
        TfaFrameNo answers = 0;
        if (d->syn_unanswered > 0) {
            unsigned i = d->syn_count - d->syn_unanswered;
            answers = i < d->n_syn_frames ? d->syn_frames[i] : d->syn_last_frame;
            d->syn_unanswered--;
        }
        if (d->synack_count > 0) {
            synack_again(d, seg, side, ev, answers, sink);
        } else {
            d->synack_ts = seg->ts;
            d->synack_opt_ws = seg->opt.has_wscale;
            d->synack_opt_sack = seg->opt.sack_permitted;
            d->synack_opt_ts = seg->opt.has_ts;
            cookie_synack(c, d, seg);
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
        d->synack_last_ts = seg->ts;
        d->server_spoke = false;
        note_frame(d->synack_frames, &d->n_synack_frames, seg->frame_no);
        return;
    }

    if (side != client && !(f & TFA_TH_RST)) {
        d->server_spoke = true;
        cookie_next(d, seg);
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

    /* the first acknowledging segment from the client after the SYN-ACK;
     * or after its SYN alone: no stack acknowledges before it has a SYN-ACK,
     * so that one reached it and the capture does not hold it (one
     * direction captured, or a capture loss) */
    const TfaEndpoint *srv = &c->ep[1 - client];
    if (side == client && (f & TFA_TH_ACK) && d->ack_frame == 0 &&
        (d->synack_count > 0 || d->syn_count > 0) &&
        (!srv->iss_known || tfa_seq_gt(seg->ack, srv->iss))) {
        d->ack_frame = seg->frame_no;
        d->ack_ts = seg->ts;
        d->synack_unseen = d->synack_count == 0;
    }
    /* data from an endpoint whose side of the handshake had not completed;
     * an acknowledging segment from SYN_SENT is not such data: it shows the
     * SYN-ACK arrived, the capture just lacks it */
    if (seg->payload_len > 0 && !c->mid_stream &&
        ((ev->before[side] == TFA_TCP_SYN_SENT && !(f & TFA_TH_ACK)) ||
         ev->before[side] == TFA_TCP_LISTEN ||
         (ev->before[side] == TFA_TCP_SYN_RECEIVED && side != client && !(f & TFA_TH_ACK))))
        tfa_sink_add(sink, TFA_ANOMALY_HANDSHAKE_DATA_BEFORE_ESTABLISHED, side, seg->frame_no,
                     seg->ts, seg->payload_len, ev->before[side]);
    /* after SYN-ACKs repeated past the ACK, the client's segment that
     * completes the server's side (Linux takes the ACK of a data segment in
     * SYN_RECEIVED): the server's accept() could return only then */
    if (side == client && d->third_ack_repeats > 0 && d->hs_done_frame == 0 &&
        ev->before[1 - side] == TFA_TCP_SYN_RECEIVED &&
        ev->after[1 - side] != TFA_TCP_SYN_RECEIVED && ev->after[1 - side] != TFA_TCP_CLOSED) {
        d->hs_done_frame = seg->frame_no;
        d->hs_done_ts = seg->ts;
        d->hs_done_data = seg->payload_len > 0;
    } else if (side == client && d->hs_done_frame != 0 && !d->hs_done_data &&
               d->hs_data_frame == 0 && seg->payload_len > 0 && !d->server_spoke) {
        d->hs_data_frame = seg->frame_no;
    }
    if (seg->opt.has_ts)
        d->used_ts = true;
    if (seg->opt.n_sack > 0)
        d->used_sack = true;
}

/* The third ACK never reached the server: it repeated its SYN-ACK, never
 * completed its side, and reset the client's next segment - it had given
 * up the half-open connection the client believed established.  The
 * handshake was reset before it completed (at the server). */
static bool server_gave_up(const TfaConn *c, HsState *d)
{
    uint8_t server = (uint8_t)(1 - c->client);
    d->hs_reset_frame = 0;
    if (d->third_ack_repeats == 0 || d->server_spoke)
        return false;
    for (guint i = 0; c->rsts != NULL && i < c->rsts->len; i++) {
        const TfaRstInfo *r = &g_array_index(c->rsts, TfaRstInfo, i);
        if (r->side == server && r->frame > d->third_ack_frame) {
            d->hs_reset_frame = r->frame;
            d->hs_done_frame = 0; /* what we took to complete it did not */
            return true;
        }
    }
    return false;
}

static void handshake_end(const TfaConn *c, void *state, const TfaDetectEnd *x,
                          TfaAnomalySink *sink)
{
    HsState *d = state;
    TfaOutcome *o = x->out;
    TfaTs now = x->now;
    bool retried = d->syn_count > 1 || d->synack_count > 1;
    TfaHandshake h;

    if (d->syn_from[0] && d->syn_from[1])
        h = TFA_HANDSHAKE_SIMULTANEOUS_OPEN;
    else if (d->syn_count == 0 && d->synack_count == 0)
        h = TFA_HANDSHAKE_NOT_SEEN;
    else if (d->refused)
        h = TFA_HANDSHAKE_REFUSED;
    else if (d->ack_frame != 0 && server_gave_up(c, d))
        h = TFA_HANDSHAKE_RESET_DURING;
    else if (d->ack_frame != 0)
        h = retried ? TFA_HANDSHAKE_COMPLETE_AFTER_RETRY : TFA_HANDSHAKE_COMPLETE;
    else if (d->reset_during)
        h = TFA_HANDSHAKE_RESET_DURING;
    else if (d->synack_count > 0)
        h = TFA_HANDSHAKE_SYNACK_UNACKED;
    else
        h = TFA_HANDSHAKE_UNANSWERED;

    /* Unanswered for certain only when the client itself says so: it sent
     * its SYN again after a retransmission timeout, no answer having come.
     * A lone SYN proves nothing: near the capture's end the answer was not
     * due yet, and a client that did not retry although the capture went on
     * past its timer (1 s) most likely got an answer the capture lacks (one
     * direction captured), or its application gave up. */
    /* An ICMP error that ended connect() answered the SYN: that is
     * ICMP_CONNECT_FAILED (detect/icmp.c), not a SYN left unanswered. */
    bool icmp_ended = c->ep[c->client].state == TFA_TCP_CLOSED &&
                      tfa_conn_icmp(c, c->client)->count > 0 &&
                      d->syn_last_frame < tfa_conn_icmp(c, c->client)->last_frame;
    if (h == TFA_HANDSHAKE_UNANSWERED && !icmp_ended) {
        const TfaSideStats *cs = &c->side[c->client];
        if (d->syn_retry_timed)
            tfa_sink_add(sink, TFA_ANOMALY_HANDSHAKE_SYN_UNANSWERED, c->client, cs->last_frame,
                         cs->last_ts, d->syn_count, cs->last_ts - cs->first_ts);
        else
            tfa_sink_add_possible(sink, TFA_ANOMALY_HANDSHAKE_SYN_UNANSWERED, TFA_SEV_INFO,
                                  c->client, cs->last_frame, cs->last_ts, d->syn_count,
                                  now - d->syn_last_ts);
    }
    if (d->third_ack_repeats > 0) {
        uint8_t server = (uint8_t)(1 - c->client);
        /* the state machine settled that the last ACK went the way of the
         * others: nothing completed the server's side */
        if (c->ep[server].state == TFA_TCP_SYN_RECEIVED)
            d->hs_done_frame = d->hs_data_frame = 0;
        if (d->third_ack_possible)
            tfa_sink_add_possible(sink, TFA_ANOMALY_HANDSHAKE_THIRD_ACK_LOST, TFA_SEV_NOTICE,
                                  server, d->third_ack_frame, d->third_ack_ts,
                                  (int64_t)d->ack_frame, d->third_ack_after);
        else
            tfa_sink_add(sink, TFA_ANOMALY_HANDSHAKE_THIRD_ACK_LOST, server, d->third_ack_frame,
                         d->third_ack_ts, (int64_t)d->ack_frame, d->third_ack_after);
    }
    /* a SYN cookie: the options in the TSval's low bits, the MSS from the
     * table, and never a repeat (the listener keeps no request to repeat it
     * from), and the server's later TSvals ran ahead beyond the jitter (1 in 64 SYN-ACKs
     * has the bits by chance: alone they prove nothing, nothing is said) */
    if (d->cookie_bits && d->cookie_mss && d->synack_count == 1 && !d->synack_bad_ack) {
        uint8_t server = (uint8_t)(1 - c->client);
        if (cookie_backdated(d))
            tfa_sink_add(sink, TFA_ANOMALY_HANDSHAKE_SYN_COOKIE, server, d->synack_frames[0],
                         d->synack_ts, d->synack_tsval & 0x3f, 1);
    }
    /* an option offered in the SYN, not returned in the SYN-ACK, used anyway */
    if (d->synack_count > 0 && d->syn_count > 0 &&
        ((d->syn_opt_ts && !d->synack_opt_ts && d->used_ts) ||
         (d->syn_opt_sack && !d->synack_opt_sack && d->used_sack)))
        tfa_sink_add(sink, TFA_ANOMALY_HANDSHAKE_OPTIONS_ASYMMETRIC, -1, d->synack_frames[0],
                     d->synack_ts, d->used_ts && !d->synack_opt_ts, d->used_sack && !d->synack_opt_sack);

    /* the outcome */
    o->handshake = (uint8_t)h;
    o->syn_count = d->syn_count;
    o->synack_count = d->synack_count;
    o->n_syn_frames = d->n_syn_frames;
    o->n_synack_frames = d->n_synack_frames;
    o->refused = d->refused;
    o->hs_done_data = d->hs_done_data;
    o->syn_data_acked = d->syn_data_acked;
    o->third_ack_repeats = d->third_ack_repeats;
    memcpy(o->syn_frames, d->syn_frames, sizeof(o->syn_frames));
    memcpy(o->synack_frames, d->synack_frames, sizeof(o->synack_frames));
    o->syn_ts = d->syn_ts;
    o->synack_ts = d->synack_ts;
    o->ack_ts = d->ack_ts;
    o->ack_frame = d->ack_frame;
    o->syn_last_ts = d->syn_last_ts;
    o->syn_last_frame = d->syn_last_frame;
    o->synack_last_ts = d->synack_last_ts;
    o->hs_done_frame = d->hs_done_frame;
    o->hs_done_ts = d->hs_done_ts;
    o->hs_data_frame = d->hs_data_frame;
    o->hs_reset_frame = d->hs_reset_frame;
}

const TfaDetector tfa_detector_handshake = {
    .name = "handshake",
    .state_size = sizeof(HsState),
    .on_segment = handshake_segment,
    .on_end = handshake_end,
};
