/* rst.c - the cause of every RST, decided from evidence (ANOMALIES.md):
 * how its receiver judged it (RFC 5961), each endpoint's state when it was
 * sent, what it answered, whether its "sender" kept talking or its TTL does
 * not fit the sender's earlier packets, keep-alives, and idle time.
 *
 * The replayed states are the capture point's view: it sees the peer's FIN
 * before the endpoint does, so an endpoint the replay puts in TIME_WAIT may
 * still have been in FIN_WAIT_2 when it reset.  Each cause is therefore
 * decided from what the endpoint itself had sent and acknowledged, and a
 * finding the capture cannot decide is reported below its code's severity.
 */
#include "config.h"

#include "tcpflow-audit/detect.h"

#include "tcpflow-audit/seqnum.h"

#include <string.h>

#define SYNCHRONIZED_OR_OPENING                                                                   \
    (TFA_TCPF(SYN_RECEIVED) | TFA_TCPF(ESTABLISHED) | TFA_TCPF(CLOSE_WAIT))

/* Keep-alive probes in a row that prove the prober gave up (one may be the
 * application closing after idle just as well). */
#define KEEPALIVE_PROBES_PROVEN 2

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

static uint32_t seg_len(const TfaSegment *seg)
{
    return seg->payload_len + ((seg->flags & TFA_TH_SYN) ? 1u : 0u) +
           ((seg->flags & TFA_TH_FIN) ? 1u : 0u);
}

/* The peer's FIN came before frame @frame, and @ack covers it. */
static bool covers_fin(const TfaVerdicts *d, uint8_t peer, TfaFrameNo frame, uint32_t ack)
{
    return d->fin_sent[peer] && d->fin_frame[peer] < frame && tfa_seq_ge(ack, d->fin_seq[peer] + 1);
}

#define N_RECENT_IDS G_N_ELEMENTS(((TfaVerdicts *)0)->recent_ip_id[0])

/* @seg carries an IPv4 ID its side used lately: the same packet captured
 * again (two taps, both sides of a router), whatever lies between; a
 * retransmission carries a new ID. */
static bool seen_ip_id(const TfaVerdicts *d, uint8_t side, const TfaSegment *seg)
{
    if (seg->ip_id == 0)
        return false;
    for (guint i = 0; i < N_RECENT_IDS; i++)
        if (d->recent_ip_id[side][i] == seg->ip_id)
            return true;
    return false;
}

/* @seg, sent after the RST @r by its sender, says nothing new: a copy of
 * an earlier packet, or (without IP IDs to tell) the very segment the
 * sender sent last before the RST. */
static bool is_copy(const TfaVerdicts *d, const TfaRstInfo *r, const TfaSegment *seg,
                    uint8_t side)
{
    if (seen_ip_id(d, side, seg))
        return true;
    return seg->ip_id == 0 && seg->seq == r->pre_seq && seg->ack == r->pre_ack &&
           seg->payload_len == r->pre_len && seg->flags == r->pre_flags;
}

/* What the RST shows, gathered while the evidence is at hand. */
static void note_rst(TfaConn *c, TfaVerdicts *d, const TfaSegment *seg, uint8_t side,
                     const TfaSmEvent *ev)
{
    uint8_t peer = (uint8_t)(1 - side);
    TfaRstInfo *r = NULL;
    guint idx = 0;
    if (c->rsts != NULL && c->rsts->len > 0) {
        idx = c->rsts->len - 1;
        r = &g_array_index(c->rsts, TfaRstInfo, idx);
        if (r->frame != seg->frame_no)
            r = NULL; /* beyond the kept RSTs */
    }
    if (r == NULL)
        return;
    r->ttl = seg->ttl;
    r->sender_ttl = d->last_ttl[side];
    r->idle_before = d->prev_ts != 0 ? seg->ts - d->prev_ts : 0;
    r->answered_valid = d->last_valid[peer];
    r->answered_flags = d->last_flags[peer];
    r->answered_len = d->last_len[peer];
    r->answered_ack = d->last_ack[peer];
    r->answered_seq = d->last_seq[peer];
    r->sender_sent_data = c->side[side].bytes > 0;
    r->probes = d->probes[side];
    r->sender_probed = r->probes > 0;
    keep_diag(r, seg);

    r->ip_id = seg->ip_id;
    r->sender_ip_id = d->last_ip_id[side];
    if (d->nonrst[side] > 0) {
        r->sender_ttl_min = d->ttl_min[side];
        r->sender_ttl_max = d->ttl_max[side];
    }
    r->lone = idx == 0 && d->nonrst[0] + d->nonrst[1] == 0;
    r->probe_answer = d->nonrst[side] == 0 && d->nonrst[peer] > 0 && d->only_probes[peer];
    /* a live socket's own RST carries the sequence number the peer had
     * acknowledged; an ACK-bearing segment after its SYN shows it too */
    r->sender_held = d->held[side] ||
                     ((seg->flags & TFA_TH_ACK) && d->last_valid[peer] &&
                      (d->last_flags[peer] & (TFA_TH_ACK | TFA_TH_RST)) == TFA_TH_ACK &&
                      seg->seq == d->last_ack[peer]);
    r->sender_fin_before = d->fin_sent[side] && d->fin_frame[side] < seg->frame_no;
    r->sender_fin_frame = d->fin_frame[side];
    r->sender_acked_peer_fin =
        d->acked_fin[side] ||
        ((seg->flags & TFA_TH_ACK) && covers_fin(d, peer, seg->frame_no, seg->ack));
    r->receiver_acked_fin = d->acked_fin[peer];
    if (r->sender_fin_before) {
        r->peer_data_after_fin = d->data_after_fin[peer];
        r->peer_wrote_after_ack = d->wrote_after_ack[peer];
        r->peer_data_frame = d->data_after_fin_frame[peer];
    }
    r->peer_bytes = c->side[peer].bytes;
    r->rcvd_unanswered = d->rcvd_unanswered[side];
    r->answered_after = d->last_gap;
    r->answered_probe = d->probes[peer] > 0;
    r->syn_inside_frame = d->syn_inside_frame[side];
    r->pre_seq = d->last_seq[side];
    r->pre_ack = d->last_ack[side];
    r->pre_len = d->last_len[side];
    r->pre_flags = d->last_flags[side];

    /* the same RST captured twice: same IPv4 ID, same numbers */
    for (guint i = 0; i < idx; i++) {
        const TfaRstInfo *o = &g_array_index(c->rsts, TfaRstInfo, i);
        if (o->side == side && o->ip_id != 0 && o->ip_id == seg->ip_id && o->seq == seg->seq &&
            o->has_ack == r->has_ack && (!r->has_ack || o->ack == seg->ack)) {
            r->copy = true;
            r->cause = (uint8_t)i; /* the original, until the cause is decided */
            return;
        }
    }
    /* the connection was already reset: by this sender, or by the receiver,
     * and neither has said anything since */
    if (d->reset_by[side] != 0)
        r->follow_up = TFA_RST_FOLLOW_SENDER;
    else if (d->reset_by[peer] != 0)
        r->follow_up = TFA_RST_FOLLOW_RECEIVER;
    if (d->reset_by[side] == 0 && idx < UINT8_MAX &&
        (ev->rst_accept == TFA_RST_ACCEPTED || ev->rst_accept == TFA_RST_NO_STATE))
        d->reset_by[side] = (uint8_t)(idx + 1);
}

/* Any other segment: what it shows of its sender. */
static void note_segment(TfaConn *c, TfaVerdicts *d, const TfaSegment *seg, uint8_t side)
{
    uint8_t peer = (uint8_t)(1 - side);
    uint16_t f = seg->flags;

    /* the "sender" of an earlier RST talks on; a copy of what it sent
     * before that RST is no talk */
    for (guint i = 0; c->rsts != NULL && i < c->rsts->len; i++) {
        TfaRstInfo *r = &g_array_index(c->rsts, TfaRstInfo, i);
        if (r->frame >= seg->frame_no || (f & TFA_TH_SYN))
            continue;
        if (r->side == side) {
            if (!is_copy(d, r, seg, side))
                r->sender_talked_after = true;
        } else {
            r->receiver_talked_after = true;
        }
    }
    if (f & TFA_TH_SYN) {
        d->reset_by[0] = d->reset_by[1] = 0; /* a new attempt */
    } else if (d->reset_by[side] != 0) {
        const TfaRstInfo *r = &g_array_index(c->rsts, TfaRstInfo, d->reset_by[side] - 1);
        if (!is_copy(d, r, seg, side))
            d->reset_by[side] = 0;
    }

    /* what the sender looks like: TTL (both sides of a router give two),
     * IP ID */
    if (d->nonrst[side] == 0 || seg->ttl < d->ttl_min[side])
        d->ttl_min[side] = seg->ttl;
    if (d->nonrst[side] == 0 || seg->ttl > d->ttl_max[side])
        d->ttl_max[side] = seg->ttl;
    d->last_ttl[side] = seg->ttl;
    d->last_ip_id[side] = seg->ip_id;
    if (seg->ip_id != 0 && !seen_ip_id(d, side, seg)) {
        d->recent_ip_id[side][d->recent_ip_id_pos[side]] = seg->ip_id;
        d->recent_ip_id_pos[side] = (uint8_t)((d->recent_ip_id_pos[side] + 1) % N_RECENT_IDS);
    }

    /* a probe for a port (FIN, NULL, Xmas scans): neither SYN nor ACK,
     * which no synchronized connection sends (RFC 9293 §3.10.7.4) */
    bool probe_like = !(f & (TFA_TH_SYN | TFA_TH_ACK));
    d->only_probes[side] = d->nonrst[side] == 0 ? probe_like : d->only_probes[side] && probe_like;
    if (d->nonrst[side] < UINT32_MAX)
        d->nonrst[side]++;
    if ((f & TFA_TH_ACK) && !(f & TFA_TH_SYN))
        d->held[side] = true;

    /* a keep-alive probe (RFC 1122 §4.2.3.6): zero or one byte one below
     * what it had sent, everything it sent acknowledged, so nothing new,
     * into an open window (into a zero one it is a window probe); anything
     * from the peer answers it */
    d->probes[peer] = 0;
    bool keepalive = seg->payload_len <= 1 && !(f & (TFA_TH_SYN | TFA_TH_FIN)) &&
                     (f & TFA_TH_ACK) && d->snd_max_valid[side] && !d->fin_sent[side] &&
                     seg->seq + 1 == d->snd_max[side] && c->ep[side].snd_una == d->snd_max[side] &&
                     c->ep[side].snd_wnd != 0;
    if (keepalive) {
        if (d->probes[side] < UINT8_MAX)
            d->probes[side]++;
    } else {
        d->probes[side] = 0;
    }
    uint32_t end = seg->seq + seg_len(seg);
    bool new_data = seg->payload_len > 0 &&
                    (!d->snd_max_valid[side] || tfa_seq_gt(end, d->snd_max[side]));
    if (!d->snd_max_valid[side] || tfa_seq_gt(end, d->snd_max[side])) {
        d->snd_max[side] = end;
        d->snd_max_valid[side] = true;
    }

    /* what each side was sent since it last wrote (a copy of what was
     * already counted is no new request) */
    if (seg->payload_len > 0)
        d->rcvd_unanswered[side] = 0;
    if (new_data)
        d->rcvd_unanswered[peer] += seg->payload_len;

    /* what it acknowledged and wrote after the peer's FIN */
    bool acks_fin = (f & TFA_TH_ACK) && covers_fin(d, peer, seg->frame_no, seg->ack);
    if (acks_fin)
        d->acked_fin[side] = true;
    if (seg->payload_len > 0 && d->fin_sent[peer] && d->fin_frame[peer] < seg->frame_no) {
        if (!d->data_after_fin[side])
            d->data_after_fin_frame[side] = seg->frame_no;
        d->data_after_fin[side] = true;
        if (acks_fin)
            d->wrote_after_ack[side] = true;
    }
}

void tfa_detect_rst_segment(TfaConn *c, TfaVerdicts *d, const TfaSegment *seg, uint8_t side,
                            const TfaSmEvent *ev, TfaAnomalySink *sink)
{
    uint8_t peer = (uint8_t)(1 - side);
    uint16_t f = seg->flags;

    if (ev->syn_inside)
        d->syn_inside_frame[side] = seg->frame_no;
    if (f & TFA_TH_RST) {
        note_rst(c, d, seg, side, ev);
        d->probes[peer] = 0; /* an answer too */
        if (seg->payload_len > 0)
            tfa_sink_add(sink, TFA_ANOMALY_RST_WITH_DATA, side, seg->frame_no, seg->ts,
                         seg->payload_len, 0);
    } else {
        note_segment(c, d, seg, side);
    }
    d->last_flags[side] = f;
    d->last_len[side] = seg->payload_len;
    d->last_ack[side] = seg->ack;
    d->last_seq[side] = seg->seq;
    d->last_valid[side] = true;
    d->last_gap = d->prev_ts != 0 ? seg->ts - d->prev_ts : 0;
    d->prev_ts = seg->ts;
}

/* The RST's TTL is none its claimed sender's packets had. */
static bool foreign_ttl(const TfaRstInfo *r)
{
    return r->sender_ttl_min != 0 && (r->ttl < r->sender_ttl_min || r->ttl > r->sender_ttl_max);
}

/* RFC 9293 §3.10.7.1 reset generation for a segment the sender has no
 * connection for: no ACK flag, the sequence number taken from the ACK of
 * the segment it answers (a live socket's abort carries an ACK). */
static bool no_tcb_reply(const TfaRstInfo *r)
{
    return !r->has_ack && r->answered_valid && (r->answered_flags & TFA_TH_ACK) &&
           !(r->answered_flags & TFA_TH_RST) && r->seq == r->answered_ack;
}

/* The segment the RST answers is the one that completes its sender's
 * passive open: at the client's ISN + 1, acknowledging the SYN-ACK. */
static bool completes_handshake(const TfaConn *c, const TfaRstInfo *r)
{
    const TfaEndpoint *s = &c->ep[r->side];
    return !c->mid_stream && s->irs_known && s->iss_known && r->answered_valid &&
           (r->answered_flags & TFA_TH_ACK) && r->answered_seq == s->irs + 1 &&
           r->answered_ack == s->iss + 1;
}

static TfaRstCause decide(const TfaConn *c, const TfaRstInfo *r, const TfaOptions *opts)
{
    uint8_t s = r->side;
    bool from_client = s == c->client;

    if (r->accept == TFA_RST_CHALLENGED || r->accept == TFA_RST_IGNORED)
        return TFA_RST_CAUSE_OUT_OF_WINDOW;
    if (r->lone)
        return TFA_RST_CAUSE_UNKNOWN; /* nothing to judge it by */
    /* a closed port answers any segment (RFC 9293 §3.10.7.1): a probe */
    if (r->probe_answer)
        return TFA_RST_CAUSE_REFUSED;
    if (r->sender_talked_after)
        return TFA_RST_CAUSE_SUSPECTED_INJECTION;
    if (foreign_ttl(r))
        return r->idle_before >= opts->rst_idle ? TFA_RST_CAUSE_AFTER_IDLE
                                                : TFA_RST_CAUSE_SUSPECTED_INJECTION;
    if (!from_client && r->receiver_state == TFA_TCP_SYN_SENT)
        return TFA_RST_CAUSE_REFUSED;
    if (from_client && (r->sender_state == TFA_TCP_SYN_SENT ||
                        r->receiver_state == TFA_TCP_SYN_RECEIVED))
        return TFA_RST_CAUSE_HANDSHAKE_ABORT;
    /* the receiver had closed, had its FIN acknowledged, and had
     * acknowledged the sender's FIN: TIME_WAIT for sure (RFC 1337) */
    if (r->receiver_state == TFA_TCP_TIME_WAIT && r->receiver_acked_fin)
        return TFA_RST_CAUSE_IN_TIME_WAIT;
    if (r->sender_fin_before) {
        /* it had closed, then data came in: whatever state the replay
         * gives it, a socket in TIME_WAIT acknowledges, it does not reset;
         * this one was still in FIN_WAIT_2 (or FIN_WAIT_1, CLOSING) */
        if (r->peer_data_after_fin)
            return TFA_RST_CAUSE_DATA_TO_CLOSED_SOCKET;
        /* only the peer's FIN or ACKs: the closed socket was gone */
        if (no_tcb_reply(r))
            return TFA_RST_CAUSE_STALE_CONNECTION;
        return TFA_RST_CAUSE_UNKNOWN;
    }
    if (no_tcb_reply(r))
        return TFA_RST_CAUSE_STALE_CONNECTION;
    if (r->probes > 0)
        return TFA_RST_CAUSE_KEEPALIVE_TIMEOUT;
    if (r->idle_before >= opts->rst_idle)
        return TFA_RST_CAUSE_AFTER_IDLE;
    if (((1u << r->sender_state) & SYNCHRONIZED_OR_OPENING) && r->sender_held) {
        /* Linux resets instead of FIN when closing with unread data, and
         * a killed or crashed process is closed so too (with nothing
         * unread, it sends FIN).  Bytes it was sent after its own last
         * write make unread data the leading cause when it never wrote, or
         * when it is the server: a request it never answered.  A client's
         * are most likely the answer to its request, which it read: there
         * SO_LINGER 0 leads, and unread data stays a candidate (the
         * explanation says so) */
        if (r->rcvd_unanswered > 0 && (!r->sender_sent_data || c->ep[s].passive))
            return TFA_RST_CAUSE_CLOSE_WITH_UNREAD_DATA;
        return TFA_RST_CAUSE_ABORTIVE_CLOSE;
    }
    return TFA_RST_CAUSE_UNKNOWN;
}

/* How the RST's finding is reported: false when not at all (it harmed
 * nothing; rsts[] still gives its cause); else at its code's severity, or
 * as possible at *sev when part of the evidence is missing. */
static bool judge(const TfaConn *c, const TfaRstInfo *r, TfaRstCause cause, bool *possible,
                  TfaSeverity *sev)
{
    const TfaVerdicts *d = &c->det;
    uint8_t peer = (uint8_t)(1 - r->side);

    *possible = false;
    *sev = tfa_anomaly_severity(tfa_rst_cause_code(cause));
    /* the connection was already reset: this one answers a segment that
     * was on its way, and resets nothing more */
    if (r->follow_up != TFA_RST_FOLLOW_NONE && cause != TFA_RST_CAUSE_SUSPECTED_INJECTION &&
        cause != TFA_RST_CAUSE_OUT_OF_WINDOW)
        return false;
    switch (cause) {
    case TFA_RST_CAUSE_SUSPECTED_INJECTION:
        /* by its TTL alone, a bare reply for no connection proves little:
         * the kernel sends those with its default TTL, which a socket with
         * a TTL of its own (BGP's GTSM) does not share */
        if (!r->sender_talked_after && no_tcb_reply(r)) {
            *possible = true;
            *sev = TFA_SEV_NOTICE;
        }
        return true;
    case TFA_RST_CAUSE_OUT_OF_WINDOW:
        /* judged against what the capture showed of the receiver: proven
         * when the receiver went on after it (a challenge ACK, more
         * traffic); otherwise its expected sequence number may be one the
         * capture did not see */
        if (!r->receiver_talked_after) {
            *possible = true;
            *sev = TFA_SEV_NOTICE;
        }
        return true;
    case TFA_RST_CAUSE_REFUSED:
        return !r->probe_answer; /* a closed port answering a scan probe */
    case TFA_RST_CAUSE_DATA_TO_CLOSED_SOCKET:
        /* both sides had closed: the RST only answered the peer's last
         * bytes (a TLS close_notify, a goodbye) after the closer's close */
        return !d->fin_sent[peer];
    case TFA_RST_CAUSE_STALE_CONNECTION:
        /* both had closed: nothing was left to lose */
        if (r->sender_fin_before)
            return !d->fin_sent[peer];
        /* it never showed it had the connection: only its SYN-ACK in a
         * captured handshake, or nothing but the peer's bare ACKs (an ACK
         * probe looks so); the peer's data proves a connection it lost, and
         * so does the acceptable segment that completes its handshake */
        if (!r->sender_held && !(c->mid_stream && r->peer_bytes > 0) &&
            !completes_handshake(c, r)) {
            *possible = true;
            *sev = TFA_SEV_INFO;
        }
        return true;
    case TFA_RST_CAUSE_KEEPALIVE_TIMEOUT:
        if (r->probes < KEEPALIVE_PROBES_PROVEN) {
            *possible = true;
            *sev = TFA_SEV_NOTICE;
        }
        return true;
    case TFA_RST_CAUSE_UNKNOWN:
        /* nothing to say of an RST the capture holds nothing before; one
         * whose cause the evidence does not decide is no warning */
        if (r->lone)
            return false;
        *possible = true;
        *sev = TFA_SEV_NOTICE;
        return true;
    default:
        return true;
    }
}

void tfa_detect_rst_end(TfaConn *c, TfaVerdicts *d, const TfaOptions *opts, TfaAnomalySink *sink)
{
    (void)d; /* judged from c->det, the same */
    for (guint i = 0; c->rsts != NULL && i < c->rsts->len; i++) {
        TfaRstInfo *r = &g_array_index(c->rsts, TfaRstInfo, i);
        if (r->copy) {
            /* r->cause holds the original's index, decided before it */
            guint o = r->cause < i ? r->cause : 0;
            r->cause = g_array_index(c->rsts, TfaRstInfo, o).cause;
            continue;
        }
        TfaRstCause cause = decide(c, r, opts);
        r->cause = (uint8_t)cause;
        bool possible;
        TfaSeverity sev;
        if (!judge(c, r, cause, &possible, &sev))
            continue;
        TfaAnomalyCode code = tfa_rst_cause_code(cause);
        if (possible)
            tfa_sink_add_possible(sink, code, sev, r->side, r->frame, r->ts, (int64_t)i,
                                  r->idle_before);
        else
            tfa_sink_add(sink, code, r->side, r->frame, r->ts, (int64_t)i, r->idle_before);
    }
    if (c->rsts_total >= opts->rst_storm) {
        const TfaRstInfo *last = &g_array_index(c->rsts, TfaRstInfo, c->rsts->len - 1);
        tfa_sink_add(sink, TFA_ANOMALY_RST_STORM, -1, last->frame, last->ts, c->rsts_total, 0);
    }
}
