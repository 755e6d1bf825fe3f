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

/* An RST carrying data (RFC 9293 §3.5.3 allows a diagnostic): its
 * evidence is tcpsm's (history.c); only the finding is said here. */
static void rst_segment(const TfaConn *c, void *state, const TfaDetectSeg *x,
                        TfaAnomalySink *sink)
{
    const TfaSegment *seg = x->seg;
    uint8_t side = x->side;
    (void)c;
    (void)state;
    if ((seg->flags & TFA_TH_RST) && seg->payload_len > 0)
        tfa_sink_add(sink, TFA_ANOMALY_RST_WITH_DATA, side, seg->frame_no, seg->ts,
                     seg->payload_len, 0);
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
    const TfaSentHistory *d = &c->hist;
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

static void rst_end(const TfaConn *c, void *state, const TfaDetectEnd *x, TfaAnomalySink *sink)
{
    const TfaOptions *opts = x->opts;
    GArray *rsts = x->rsts; /* c->rsts: their causes are this detector's to write */
    (void)state;
    for (guint i = 0; rsts != NULL && i < rsts->len; i++) {
        TfaRstInfo *r = &g_array_index(rsts, TfaRstInfo, i);
        if (r->copy) {
            /* the original's cause, decided before it */
            guint o = r->copy_of < i ? r->copy_of : 0;
            r->cause = g_array_index(rsts, TfaRstInfo, o).cause;
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

const TfaDetector tfa_detector_rst = {
    .name = "rst",
    .on_segment = rst_segment,
    .on_end = rst_end,
};
