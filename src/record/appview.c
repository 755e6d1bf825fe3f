/* appview.c - the application's view of a finished connection: socket
 * calls, their results and errno, and the calls or options that would avoid
 * the trouble (see tcpflow-audit/appview.h). */
#include "config.h"

#include "tcpflow-audit/appview.h"

#include <inttypes.h>
#include <string.h>

#include "tcpflow-audit/detect.h"
#include "tcpflow-audit/seqnum.h"

static const char *const call_names[] = {
#define X(name, text) text,
    TFA_APP_CALL_LIST(X)
#undef X
};
static const char *const result_names[] = {
#define X(name, text) text,
    TFA_APP_RESULT_LIST(X)
#undef X
};
static const char *const why_names[] = {
#define X(name, text) text,
    TFA_APP_WHY_LIST(X)
#undef X
};
static const char *const advice_names[] = {
#define X(name, text) text,
    TFA_APP_ADVICE_LIST(X)
#undef X
};

const char *tfa_app_call_name(TfaAppCall c)
{
    return (unsigned)c < TFA_APP_CALL_N ? call_names[c] : "?";
}

const char *tfa_app_result_name(TfaAppResult r)
{
    return (unsigned)r < TFA_APP_RESULT_N ? result_names[r] : "?";
}

const char *tfa_app_why_name(TfaAppWhy w)
{
    return (unsigned)w < TFA_APP_WHY_N ? why_names[w] : "?";
}

const char *tfa_app_advice_name(TfaAppAdvice a)
{
    return (unsigned)a < TFA_APP_ADVICE_N ? advice_names[a] : "?";
}

#define F(state) TFA_TCPF(state)
#define SYNCHRONIZED                                                                               \
    (F(ESTABLISHED) | F(FIN_WAIT_1) | F(FIN_WAIT_2) | F(CLOSE_WAIT) | F(CLOSING) | F(LAST_ACK) |  \
     F(TIME_WAIT))

/* Linux's default give-up times, for the "would fail" texts. */
#define SYN_GIVE_UP_S 127   /* tcp_syn_retries 6: 1+2+4+8+16+32+64 s */

static TfaAppEvent *add(TfaAppSide *s, TfaAppCall call, TfaAppResult res, TfaAppWhy why,
                        bool certain, const char *err, TfaFrameNo frame, TfaTs ts)
{
    if (s->n >= TFA_APP_MAX_EVENTS)
        return NULL; /* the rules below make at most seven per endpoint */
    TfaAppEvent *e = &s->ev[s->n++];
    memset(e, 0, sizeof(*e));
    e->call = (uint8_t)call;
    e->result = (uint8_t)res;
    e->why = (uint8_t)why;
    e->certain = certain;
    e->err = err;
    e->frame = frame;
    e->ts = ts;
    return e;
}

static void advise(TfaAppSide *s, TfaAppAdvice a, unsigned why)
{
    for (unsigned i = 0; i < s->n_advice; i++)
        if (s->advice[i] == a)
            return;
    if (s->n_advice >= TFA_APP_MAX_ADVICE)
        return;
    s->advice_why[s->n_advice] = (uint8_t)why;
    s->advice[s->n_advice++] = (uint8_t)a;
}

static bool has_why(const TfaAppSide *s, TfaAppWhy why)
{
    for (unsigned i = 0; i < s->n; i++)
        if (s->ev[i].why == why)
            return true;
    return false;
}

static void drop_why(TfaAppSide *s, TfaAppWhy why)
{
    for (unsigned i = 0; i < s->n; i++) {
        if (s->ev[i].why != why)
            continue;
        memmove(&s->ev[i], &s->ev[i + 1], (s->n - i - 1) * sizeof(s->ev[0]));
        s->n--;
        return;
    }
}

/* The transition into @to from one of the states in @from (a TFA_TCPF
 * mask), the first one on the path; NULL when there is none. */
static const TfaTransition *entered(const TfaEndpoint *ep, uint32_t from, uint8_t to)
{
    for (guint i = 1; ep->path != NULL && i < ep->path->len; i++) {
        const TfaTransition *t = &g_array_index(ep->path, TfaTransition, i);
        const TfaTransition *p = &g_array_index(ep->path, TfaTransition, i - 1);
        if (t->state == to && (from & (1u << p->state)))
            return t;
    }
    return NULL;
}

static bool path_has(const TfaEndpoint *ep, uint8_t state)
{
    for (guint i = 0; ep->path != NULL && i < ep->path->len; i++)
        if (g_array_index(ep->path, TfaTransition, i).state == state)
            return true;
    return false;
}

static const TfaRstInfo *rst_at(const TfaConn *c, guint i)
{
    return &g_array_index(c->rsts, TfaRstInfo, i);
}

/* An RST that is itself news: not a second capture of one, not one that
 * follows an RST that had already ended the connection. */
static bool rst_first_hand(const TfaRstInfo *r)
{
    return !r->copy && r->follow_up == TFA_RST_FOLLOW_NONE;
}

/* @side sent an RST at or after @frame. */
static bool sent_rst_after(const TfaConn *c, uint8_t side, TfaFrameNo frame)
{
    for (guint i = 0; c->rsts != NULL && i < c->rsts->len; i++)
        if (rst_at(c, i)->side == side && rst_at(c, i)->frame >= frame)
            return true;
    return false;
}

/* Its FIN was shutdown(SHUT_WR): the peer's data after it was taken in,
 * not answered with an RST (Linux resets data for a socket closed with
 * close(): tcp_rcv_state_process, RCV_SHUTDOWN). */
static bool half_closed(const TfaConn *c, uint8_t side)
{
    uint8_t peer = (uint8_t)(1 - side);
    const TfaSentHistory *d = &c->hist;
    return d->fin_sent[side] && d->data_after_fin[peer] &&
           d->data_after_fin_frame[peer] > d->fin_frame[side] &&
           c->side[side].last_frame > d->data_after_fin_frame[peer] &&
           !sent_rst_after(c, side, d->data_after_fin_frame[peer]);
}

/* The errno a soft ICMP error leaves for a later time-out, or NULL. */
static const char *soft_icmp_errno(const TfaIcmpSeen *ic)
{
    bool hard;
    if (ic->count == 0 || (ic->window_known && !ic->in_window))
        return NULL;
    return tfa_icmp_errno(ic->version, ic->type, ic->code, &hard);
}

static void opening(const TfaConnRecord *rec, TfaRole role, TfaAppSide *s)
{
    const TfaConn *c = rec->conn;
    uint8_t side = rec->side[role];
    const TfaEndpoint *ep = &c->ep[side];
    const TfaOutcome *d = &c->out;
    const TfaIcmpSeen *ic = tfa_conn_icmp(c, side);

    if (ep->passive) {
        const TfaTransition *t = entered(ep, F(SYN_RECEIVED), TFA_TCP_ESTABLISHED);
        if (t != NULL) {
            TfaAppEvent *e = add(s, TFA_APP_CALL_ACCEPT, TFA_APP_RESULT_RETURNED,
                                 TFA_APP_WHY_THIRD_ACK, t->certain, NULL, t->frame, t->ts);
            /* the handshake's ACK was captured earlier and the server
             * repeated its SYN-ACK: that ACK never reached it */
            if (e != NULL && d->ack_frame != 0 && d->ack_frame < t->frame && d->synack_count > 1)
                e->frame2 = d->ack_frame;
        } else if (ep->state == TFA_TCP_SYN_RECEIVED && d->n_synack_frames > 0) {
            TfaAppEvent *e = add(s, TFA_APP_CALL_ACCEPT, TFA_APP_RESULT_NOT_RETURNED,
                                 TFA_APP_WHY_THIRD_ACK_MISSING, d->synack_count > 1, NULL,
                                 d->synack_frames[d->n_synack_frames - 1], d->synack_last_ts);
            if (e != NULL) {
                e->arg = d->synack_count;
                /* the client's connect() returned: it took the SYN-ACK */
                const TfaTransition *ct = entered(&c->ep[1 - side], F(SYN_SENT), TFA_TCP_ESTABLISHED);
                e->frame2 = ct != NULL && ct->certain ? ct->frame : 0;
            }
        }
        return;
    }
    if (!path_has(ep, TFA_TCP_SYN_SENT))
        return; /* mid-stream: its connect() is before the capture */
    const TfaTransition *t =
        entered(ep, F(SYN_SENT) | F(SYN_RECEIVED), TFA_TCP_ESTABLISHED);
    if (t != NULL) {
        add(s, TFA_APP_CALL_CONNECT, TFA_APP_RESULT_RETURNED, TFA_APP_WHY_SYNACK, t->certain,
            NULL, t->frame, t->ts);
        return;
    }
    /* refused: an RST accepted in SYN_SENT */
    for (guint i = 0; c->rsts != NULL && i < c->rsts->len; i++) {
        const TfaRstInfo *r = rst_at(c, i);
        if (r->side == side || r->accept != TFA_RST_ACCEPTED ||
            r->receiver_state != TFA_TCP_SYN_SENT)
            continue;
        add(s, TFA_APP_CALL_CONNECT, TFA_APP_RESULT_FAILED, TFA_APP_WHY_REFUSED,
            c->side[side].last_frame < r->frame, "ECONNREFUSED", r->frame, r->ts);
        return;
    }
    /* an ICMP error for the SYN: Linux's connect() fails at the one that
     * comes while it waits (tcp_v4_err in SYN_SENT); one that comes while
     * connect() holds the socket is only kept (sk_err_soft), and the SYN is
     * sent again */
    bool hard = false;
    if (ic->count > 0 && ic->state == TFA_TCP_SYN_SENT && !(ic->window_known && !ic->in_window)) {
        const char *last = tfa_icmp_errno(ic->version, ic->last_type, ic->last_code, &hard);
        const char *first = tfa_icmp_errno(ic->version, ic->type, ic->code, &hard);
        TfaAppEvent *e = NULL;
        if (last != NULL && d->syn_last_frame < ic->last_frame)
            e = add(s, TFA_APP_CALL_CONNECT, TFA_APP_RESULT_FAILED, TFA_APP_WHY_ICMP_CONNECT,
                    c->side[side].last_frame < ic->last_frame, last, ic->last_frame, ic->last_ts);
        else if (first != NULL && ep->state == TFA_TCP_SYN_SENT)
            e = add(s, TFA_APP_CALL_CONNECT, TFA_APP_RESULT_WOULD_FAIL, TFA_APP_WHY_ICMP_CONNECT,
                    true, first, ic->frame, ic->ts);
        else if (first != NULL && ep->state == TFA_TCP_CLOSED && !c->life.rst_seen &&
                 d->synack_count == 0) {
            /* its SYN retries ran out (tcpsm ended it by its timer): Linux
             * reports the soft error kept instead of ETIMEDOUT
             * (tcp_write_err: sk_err_soft ?: ETIMEDOUT) */
            add(s, TFA_APP_CALL_CONNECT, TFA_APP_RESULT_FAILED, TFA_APP_WHY_SYN_TIMEOUT, false,
                last != NULL ? last : first, d->syn_last_frame, d->syn_last_ts);
            return;
        }
        if (e != NULL) {
            e->arg = ic->count;
            e->frame2 = ic->count > 1 ? ic->frame : 0;
            return;
        }
    }
    /* never answered */
    if (d->syn_count > 0 && d->synack_count == 0 && !d->refused &&
        (ep->state == TFA_TCP_SYN_SENT || ep->state == TFA_TCP_CLOSED)) {
        bool gave_up = ep->state == TFA_TCP_CLOSED && !c->life.rst_seen;
        add(s, TFA_APP_CALL_CONNECT, gave_up ? TFA_APP_RESULT_FAILED : TFA_APP_RESULT_WOULD_FAIL,
            TFA_APP_WHY_SYN_TIMEOUT, false, "ETIMEDOUT", d->syn_last_frame, d->syn_last_ts);
    }
}

static void teardown(const TfaConnRecord *rec, TfaRole role, TfaAppSide *s)
{
    const TfaConn *c = rec->conn;
    uint8_t side = rec->side[role];
    uint8_t peer = (uint8_t)(1 - side);
    const TfaEndpoint *ep = &c->ep[side];
    const TfaSentHistory *d = &c->hist;
    bool half = half_closed(c, side);

    /* the peer's FIN: read() returns 0 once its TCP took the FIN */
    if (d->fin_sent[peer]) {
        const TfaTransition *t =
            entered(ep, F(ESTABLISHED) | F(SYN_RECEIVED), TFA_TCP_CLOSE_WAIT);
        if (t == NULL && half)
            t = entered(ep, F(FIN_WAIT_1) | F(FIN_WAIT_2), TFA_TCP_TIME_WAIT);
        if (t == NULL && half)
            t = entered(ep, F(FIN_WAIT_1), TFA_TCP_CLOSING);
        if (t != NULL && (t->certain || d->acked_fin[side])) {
            add(s, TFA_APP_CALL_READ, TFA_APP_RESULT_EOF, TFA_APP_WHY_PEER_FIN, true, NULL,
                t->frame, t->ts);
        } else if (!d->acked_fin[side] && !d->fin_sent[side] &&
                   c->side[side].last_frame > d->fin_frame[peer] &&
                   !(d->last_flags[side] & TFA_TH_RST)) {
            /* it went on sending without acknowledging the FIN: as far as
             * it knows the connection is still open */
            add(s, TFA_APP_CALL_READ, TFA_APP_RESULT_NOT_RETURNED, TFA_APP_WHY_PEER_FIN_UNACKED,
                true, NULL, d->fin_frame[peer], d->fin_ts[peer]);
        }
    }
    /* its own FIN */
    if (d->fin_sent[side]) {
        TfaAppEvent *e;
        if (half) {
            e = add(s, TFA_APP_CALL_SHUTDOWN, TFA_APP_RESULT_RETURNED, TFA_APP_WHY_HALF_CLOSE, true,
                    NULL, d->fin_frame[side], d->fin_ts[side]);
            if (e != NULL)
                e->frame2 = d->data_after_fin_frame[peer];
        } else {
            e = add(s, TFA_APP_CALL_CLOSE, TFA_APP_RESULT_RETURNED, TFA_APP_WHY_OWN_FIN, true, NULL,
                    d->fin_frame[side], d->fin_ts[side]);
            if (e != NULL) {
                e->arg = path_has(ep, TFA_TCP_LAST_ACK) && has_why(s, TFA_APP_WHY_PEER_FIN);
                /* the first FIN captured was its second copy: close() came
                 * before it (TEARDOWN_FIN_RETRANSMITTED without a first frame) */
                for (guint i = 0; i < rec->n_anomalies; i++) {
                    const TfaAnomaly *a = &rec->anomalies[i];
                    if (a->code == TFA_ANOMALY_TEARDOWN_FIN_RETRANSMITTED && a->side == side &&
                        a->arg[0] == 0 && a->frame_no == d->fin_frame[side])
                        e->frame2 = a->frame_no;
                }
            }
        }
    }
}

/* What the RSTs of the connection did to @role's application. */
static void resets(const TfaConnRecord *rec, TfaRole role, TfaAppSide *s)
{
    const TfaConn *c = rec->conn;
    uint8_t side = rec->side[role];
    uint8_t peer = (uint8_t)(1 - side);
    const TfaSentHistory *d = &c->hist;
    bool received = false, ignored = false, sent = false;

    for (guint i = 0; c->rsts != NULL && i < c->rsts->len; i++) {
        const TfaRstInfo *r = rst_at(c, i);
        if (!rst_first_hand(r))
            continue;
        TfaAppEvent *e = NULL;
        if (r->side == peer && !received && r->accept == TFA_RST_ACCEPTED) {
            received = true;
            switch (r->receiver_state) {
            case TFA_TCP_SYN_SENT:
                break; /* connect() refused: see opening() */
            case TFA_TCP_SYN_RECEIVED:
                e = add(s, TFA_APP_CALL_ACCEPT, TFA_APP_RESULT_NOT_RETURNED,
                        TFA_APP_WHY_RESET_IN_HANDSHAKE, true, NULL, r->frame, r->ts);
                break;
            case TFA_TCP_CLOSE_WAIT:
                e = add(s, TFA_APP_CALL_SEND, TFA_APP_RESULT_FAILED, TFA_APP_WHY_RESET_CLOSE_WAIT,
                        !r->receiver_talked_after, "EPIPE", r->frame, r->ts);
                advise(s, TFA_APP_ADVICE_MSG_NOSIGNAL, TFA_APP_WHY_RESET_CLOSE_WAIT);
                if (d->wrote_after_ack[side])
                    advise(s, TFA_APP_ADVICE_STOP_AFTER_EOF, TFA_APP_WHY_RESET_CLOSE_WAIT);
                break;
            case TFA_TCP_ESTABLISHED:
            case TFA_TCP_FIN_WAIT_1:
            case TFA_TCP_FIN_WAIT_2:
                if (d->fin_sent[side] && d->fin_frame[side] < r->frame &&
                    !half_closed(c, side)) {
                    e = add(s, TFA_APP_CALL_CLOSE, TFA_APP_RESULT_NO_ERROR,
                            TFA_APP_WHY_RESET_AFTER_CLOSE, true, NULL, r->frame, r->ts);
                    if (e != NULL)
                        e->frame2 = d->fin_frame[side];
                } else {
                    e = add(s, TFA_APP_CALL_RECV, TFA_APP_RESULT_FAILED, TFA_APP_WHY_RESET,
                            !r->receiver_talked_after, "ECONNRESET", r->frame, r->ts);
                }
                break;
            case TFA_TCP_CLOSING:
            case TFA_TCP_LAST_ACK:
            case TFA_TCP_TIME_WAIT:
                e = add(s, TFA_APP_CALL_CLOSE, TFA_APP_RESULT_NO_ERROR,
                        TFA_APP_WHY_RESET_AFTER_CLOSE, true, NULL, r->frame, r->ts);
                if (e != NULL)
                    e->frame2 = d->fin_sent[side] ? d->fin_frame[side] : 0;
                break;
            default:
                break;
            }
            /* an idle timer of a middlebox on the path (the RST's TTL is
             * not the sender's): keep-alives keep its state */
            bool middlebox = r->sender_ttl_max != 0 &&
                             (r->ttl < r->sender_ttl_min || r->ttl > r->sender_ttl_max);
            if (r->cause == TFA_RST_CAUSE_AFTER_IDLE && middlebox)
                advise(s, TFA_APP_ADVICE_SO_KEEPALIVE, tfa_rst_cause_code((TfaRstCause)r->cause));
        } else if (r->side == peer && !ignored &&
                   (r->accept == TFA_RST_CHALLENGED || r->accept == TFA_RST_IGNORED) &&
                   r->receiver_state != TFA_TCP_SYN_SENT) {
            ignored = true;
            e = add(s, TFA_APP_CALL_RECV, TFA_APP_RESULT_NO_ERROR, TFA_APP_WHY_RESET_IGNORED, true,
                    NULL, r->frame, r->ts);
        } else if (r->side == side && !sent) {
            switch (r->cause) {
            case TFA_RST_CAUSE_REFUSED:
                e = add(s, TFA_APP_CALL_LISTEN, TFA_APP_RESULT_NO_ERROR, TFA_APP_WHY_NOT_LISTENING,
                        false, NULL, r->frame, r->ts);
                if (e != NULL)
                    e->arg = rec->port[role];
                break;
            case TFA_RST_CAUSE_ABORTIVE_CLOSE:
                e = add(s, TFA_APP_CALL_CLOSE, TFA_APP_RESULT_RETURNED, TFA_APP_WHY_SENT_RST_LINGER,
                        false, NULL, r->frame, r->ts);
                advise(s, TFA_APP_ADVICE_SO_LINGER, TFA_ANOMALY_RST_ABORTIVE_CLOSE);
                break;
            case TFA_RST_CAUSE_CLOSE_WITH_UNREAD_DATA:
                e = add(s, TFA_APP_CALL_CLOSE, TFA_APP_RESULT_RETURNED, TFA_APP_WHY_SENT_RST_UNREAD,
                        false, NULL, r->frame, r->ts);
                advise(s, TFA_APP_ADVICE_READ_TO_EOF, TFA_ANOMALY_RST_CLOSE_WITH_UNREAD_DATA);
                break;
            case TFA_RST_CAUSE_DATA_TO_CLOSED_SOCKET:
                /* its FIN was close(), not shutdown(): one event says both */
                drop_why(s, TFA_APP_WHY_OWN_FIN);
                e = add(s, TFA_APP_CALL_CLOSE, TFA_APP_RESULT_NO_ERROR, TFA_APP_WHY_SENT_RST_CLOSED,
                        true, NULL, r->frame, r->ts);
                if (e != NULL) {
                    e->frame2 = r->sender_fin_before ? r->sender_fin_frame : 0;
                    e->arg = (int64_t)r->peer_data_frame;
                }
                break;
            case TFA_RST_CAUSE_KEEPALIVE_TIMEOUT:
                e = add(s, TFA_APP_CALL_RECV, TFA_APP_RESULT_FAILED, TFA_APP_WHY_SENT_RST_KEEPALIVE,
                        true, soft_icmp_errno(tfa_conn_icmp(c, side)) != NULL
                                  ? soft_icmp_errno(tfa_conn_icmp(c, side))
                                  : "ETIMEDOUT",
                        r->frame, r->ts);
                if (e != NULL)
                    e->arg = r->probes;
                break;
            default:
                break; /* its kernel's answer; the receiver's event says what it did */
            }
            sent = e != NULL;
        }
        if (e != NULL)
            e->rst = (uint8_t)i;
    }
}

/* Data or keep-alive probes never answered until the end. */
static void timeouts(const TfaConnRecord *rec, TfaRole role, TfaAppSide *s)
{
    const TfaConn *c = rec->conn;
    uint8_t side = rec->side[role];
    uint8_t peer = (uint8_t)(1 - side);
    const TfaEndpoint *ep = &c->ep[side];
    const TfaSentHistory *d = &c->hist;
    const TfaSideStats *me = &c->side[side], *other = &c->side[peer];

    if (c->life.rst_seen || !(SYNCHRONIZED & (1u << ep->state)))
        return;
    const char *err = soft_icmp_errno(tfa_conn_icmp(c, side));
    guint32 retx = tfa_conn_get_count(c, TFA_COUNT_ANOMALY(TFA_ANOMALY_SEQ_RETRANSMISSION), side);
    if (retx >= 2 && d->snd_max_valid[side] && ep->snd_una != 0 &&
        tfa_seq_gt(d->snd_max[side], ep->snd_una) && me->last_frame > other->last_frame &&
        !d->fin_sent[side]) {
        TfaAppEvent *e = add(s, TFA_APP_CALL_SEND, TFA_APP_RESULT_WOULD_FAIL,
                             TFA_APP_WHY_DATA_TIMEOUT, false, err != NULL ? err : "ETIMEDOUT",
                             me->last_frame, me->last_ts);
        if (e != NULL)
            e->arg = retx;
        return;
    }
    if (d->probes[side] >= 2 && me->last_frame > other->last_frame) {
        TfaAppEvent *e = add(s, TFA_APP_CALL_RECV, TFA_APP_RESULT_WOULD_FAIL,
                             TFA_APP_WHY_KEEPALIVE_TIMEOUT, false,
                             err != NULL ? err : "ETIMEDOUT", me->last_frame, me->last_ts);
        if (e != NULL)
            e->arg = d->probes[side];
    }
}

/* ICMP errors on a synchronized connection (SYN_SENT: see opening()). */
static void icmp_errors(const TfaConnRecord *rec, TfaRole role, TfaAppSide *s)
{
    const TfaConn *c = rec->conn;
    const TfaIcmpSeen *ic = tfa_conn_icmp(c, rec->side[role]);
    bool hard;

    if (ic->count == 0 || ic->state == TFA_TCP_SYN_SENT)
        return;
    TfaAppEvent *e;
    if (ic->window_known && !ic->in_window)
        e = add(s, TFA_APP_CALL_SEND, TFA_APP_RESULT_NO_ERROR, TFA_APP_WHY_ICMP_IGNORED, true,
                NULL, ic->frame, ic->ts);
    else if (tfa_icmp_is_pmtu(ic->version, ic->type, ic->code))
        e = add(s, TFA_APP_CALL_SEND, TFA_APP_RESULT_NO_ERROR, TFA_APP_WHY_ICMP_PMTU, true, NULL,
                ic->frame, ic->ts);
    else if (tfa_icmp_errno(ic->version, ic->type, ic->code, &hard) != NULL)
        e = add(s, TFA_APP_CALL_SEND, TFA_APP_RESULT_NO_ERROR, TFA_APP_WHY_ICMP_SOFT, true, NULL,
                ic->frame, ic->ts);
    else
        return;
    if (e != NULL)
        e->arg = ic->mtu;
}

static void advice_from_anomalies(const TfaConnRecord *rec, TfaRole role, TfaAppSide *s)
{
    const TfaConn *c = rec->conn;
    uint8_t side = rec->side[role];
    uint8_t peer = (uint8_t)(1 - side);

    if (tfa_conn_get_count(c, TFA_COUNT_ANOMALY(TFA_ANOMALY_ACK_NAGLE_DELACK_STALL), side) > 0)
        advise(s, TFA_APP_ADVICE_TCP_NODELAY, TFA_ANOMALY_ACK_NAGLE_DELACK_STALL);
    if (tfa_conn_get_count(c, TFA_COUNT_ANOMALY(TFA_ANOMALY_ACK_NAGLE_DELACK_STALL), peer) > 0)
        advise(s, TFA_APP_ADVICE_TCP_QUICKACK, TFA_ANOMALY_ACK_NAGLE_DELACK_STALL);
    if (tfa_conn_get_count(c, TFA_COUNT_ANOMALY(TFA_ANOMALY_TEARDOWN_CLOSE_WAIT_STUCK), side) > 0)
        advise(s, TFA_APP_ADVICE_CLOSE_EVERY_PATH, TFA_ANOMALY_TEARDOWN_CLOSE_WAIT_STUCK);
    if (role == TFA_ROLE_SERVER &&
        tfa_conn_get_count(c, TFA_COUNT_ANOMALY(TFA_ANOMALY_HANDSHAKE_THIRD_ACK_LOST), side) > 0) {
        TfaDuration a, b;
        TfaVantage v = tfa_ack_vantage(c, &a, &b);
        if (v == TFA_VANTAGE_NEAR_SERVER)
            advise(s, TFA_APP_ADVICE_LISTEN_BACKLOG, TFA_ANOMALY_HANDSHAKE_THIRD_ACK_LOST);
    }
    /* the server closed first and holds TIME_WAIT: a restart's bind(); said
     * only on a connection with a finding, not on every clean one */
    if (role == TFA_ROLE_SERVER && rec->worst_severity >= (int)TFA_SEV_NOTICE &&
        c->ep[side].passive && c->hist.fin_sent[side] &&
        c->hist.fin_sent[peer] && c->hist.fin_frame[side] < c->hist.fin_frame[peer] &&
        c->ep[side].state == TFA_TCP_TIME_WAIT)
        advise(s, TFA_APP_ADVICE_SO_REUSEADDR, TFA_APP_WHY_OWN_FIN);
}

/* Events in frame order (stable; a time-out without a frame last). */
static void sort_events(TfaAppSide *s)
{
    for (unsigned i = 1; i < s->n; i++) {
        TfaAppEvent e = s->ev[i];
        TfaFrameNo key = e.frame != 0 ? e.frame : G_MAXUINT64;
        unsigned j = i;
        for (; j > 0; j--) {
            TfaFrameNo prev = s->ev[j - 1].frame != 0 ? s->ev[j - 1].frame : G_MAXUINT64;
            if (prev <= key)
                break;
            s->ev[j] = s->ev[j - 1];
        }
        s->ev[j] = e;
    }
}

void tfa_appview_build(const TfaConnRecord *rec, TfaAppView *view)
{
    memset(view, 0, sizeof(*view));
    for (int r = 0; r < 2; r++) {
        TfaAppSide *s = &view->role[r];
        opening(rec, (TfaRole)r, s);
        teardown(rec, (TfaRole)r, s);
        resets(rec, (TfaRole)r, s);
        icmp_errors(rec, (TfaRole)r, s);
        timeouts(rec, (TfaRole)r, s);
        advice_from_anomalies(rec, (TfaRole)r, s);
        sort_events(s);
    }
}

/* ---- text ---------------------------------------------------------------- */

static const char *role_name(TfaRole r)
{
    return r == TFA_ROLE_CLIENT ? "client" : "server";
}

static const char *icmp_from(uint8_t version, uint8_t type, uint8_t code, const TfaAddr *from,
                             char *buf, size_t len)
{
    char ip[TFA_ADDR_STRLEN];
    g_snprintf(buf, len, "ICMP%s %s from %s", version == 6 ? "v6" : "",
               tfa_icmp_describe(version, type, code), tfa_addr_to_string(from, ip, sizeof(ip)));
    return buf;
}

const char *tfa_appview_event_text(const TfaConnRecord *rec, TfaRole role, const TfaAppEvent *ev,
                                   char *buf, size_t len)
{
    const TfaConn *c = rec->conn;
    const TfaIcmpSeen *ic = tfa_conn_icmp(c, rec->side[role]);
    const char *peer = role_name((TfaRole)(1 - role));
    const char *err = ev->err != NULL ? ev->err : "";
    uint64_t f = ev->frame, f2 = ev->frame2;
    char icmp[160];
    bool hard;
    const TfaRstInfo *r = c->rsts != NULL && ev->rst < c->rsts->len ? rst_at(c, ev->rst) : NULL;

    switch ((TfaAppWhy)ev->why) {
    case TFA_APP_WHY_SYNACK:
        g_snprintf(buf, len, "connect() returned at frame %" PRIu64 " (the SYN-ACK)", f);
        break;
    case TFA_APP_WHY_THIRD_ACK:
        if (f2 != 0)
            g_snprintf(buf, len,
                       "accept() could return only from frame %" PRIu64
                       " (the client's segment that completed the handshake; its ACK at frame "
                       "%" PRIu64 " did not: the server sent its SYN-ACK again, the ACK lost on "
                       "the way or dropped by a full accept queue)",
                       f, f2);
        else
            g_snprintf(buf, len,
                       "accept() could return from frame %" PRIu64
                       " (the client's ACK completing the handshake)",
                       f);
        break;
    case TFA_APP_WHY_THIRD_ACK_MISSING:
        if (f2 != 0)
            g_snprintf(buf, len,
                       "accept() could not return: the server stayed in SYN_RECEIVED (SYN-ACK "
                       "sent %" PRId64 " times, last at frame %" PRIu64 ") and never took the "
                       "client's ACK, while the client's connect() had returned at frame "
                       "%" PRIu64,
                       ev->arg, f, f2);
        else
            g_snprintf(buf, len,
                       "accept() could not return%s: the server stayed in SYN_RECEIVED (SYN-ACK "
                       "sent %" PRId64 " time%s, last at frame %" PRIu64 ") with no ACK from "
                       "the client",
                       ev->arg > 1 ? "" : " yet", ev->arg, ev->arg > 1 ? "s" : "", f);
        break;
    case TFA_APP_WHY_REFUSED:
        g_snprintf(buf, len,
                   "connect() failed with ECONNREFUSED at frame %" PRIu64 " (the server's RST)",
                   f);
        break;
    case TFA_APP_WHY_NOT_LISTENING:
        g_snprintf(buf, len,
                   "no socket listened on port %" PRId64 ": the kernel refused the SYN with an "
                   "RST at frame %" PRIu64 " (no accept(), no errno here; a firewall can send "
                   "the same)",
                   ev->arg, f);
        break;
    case TFA_APP_WHY_SYN_TIMEOUT:
        if (ev->result == TFA_APP_RESULT_FAILED && strcmp(err, "ETIMEDOUT") != 0)
            g_snprintf(buf, len,
                       "connect() gave up after its last SYN at frame %" PRIu64 ": it failed "
                       "with %s, the soft ICMP error it kept (frame %" PRIu64 "), in place of "
                       "ETIMEDOUT",
                       f, err, (uint64_t)ic->last_frame);
        else if (ev->result == TFA_APP_RESULT_FAILED)
            g_snprintf(buf, len,
                       "connect() gave up: it failed with ETIMEDOUT after its last SYN at frame "
                       "%" PRIu64,
                       f);
        else
            g_snprintf(buf, len,
                       "connect() was still waiting at the end (last SYN at frame %" PRIu64
                       "): it would fail with ETIMEDOUT when the SYN retries run out "
                       "(net.ipv4.tcp_syn_retries: about %d s after the first SYN on Linux)",
                       f, SYN_GIVE_UP_S);
        break;
    case TFA_APP_WHY_ICMP_CONNECT:
        if (ev->result == TFA_APP_RESULT_WOULD_FAIL) {
            icmp_from(ic->version, ic->type, ic->code, &ic->reporter, icmp, sizeof(icmp));
            g_snprintf(buf, len,
                       "connect() sent its SYN again after %s at frame %" PRIu64
                       " (kept as a soft error): it fails with %s at the next such error, or "
                       "instead of ETIMEDOUT when the SYN retries run out",
                       icmp, f, err);
        } else {
            icmp_from(ic->version, ic->last_type, ic->last_code, &ic->reporter, icmp,
                      sizeof(icmp));
            if (f2 != 0)
                g_snprintf(buf, len,
                           "connect() failed with %s at frame %" PRIu64 " (%s); the earlier "
                           "error at frame %" PRIu64 " came while connect() held the socket and "
                           "was only kept, so the SYN was sent again",
                           err, f, icmp, f2);
            else
                g_snprintf(buf, len, "connect() failed with %s at frame %" PRIu64 " (%s)", err,
                           f, icmp);
        }
        break;
    case TFA_APP_WHY_ICMP_SOFT:
        icmp_from(ic->version, ic->type, ic->code, &ic->reporter, icmp, sizeof(icmp));
        g_snprintf(buf, len,
                   "%s at frame %" PRIu64 ": a soft error, no errno unless the connection then "
                   "times out (then %s instead of ETIMEDOUT; at once with IP_RECVERR)",
                   icmp, f, tfa_icmp_errno(ic->version, ic->type, ic->code, &hard));
        break;
    case TFA_APP_WHY_ICMP_PMTU:
        icmp_from(ic->version, ic->type, ic->code, &ic->reporter, icmp, sizeof(icmp));
        g_snprintf(buf, len,
                   "%s at frame %" PRIu64 ": path MTU %" PRId64 ", no errno (the kernel "
                   "resends in smaller segments)",
                   icmp, f, ev->arg);
        break;
    case TFA_APP_WHY_ICMP_IGNORED:
        icmp_from(ic->version, ic->type, ic->code, &ic->reporter, icmp, sizeof(icmp));
        g_snprintf(buf, len,
                   "%s at frame %" PRIu64 " quotes a sequence number outside what it had in "
                   "flight: Linux ignores it, no errno",
                   icmp, f);
        break;
    case TFA_APP_WHY_PEER_FIN:
        g_snprintf(buf, len, "read() returned 0 at frame %" PRIu64 " (the %s's FIN)%s", f, peer,
                   c->ep[rec->side[role]].state == TFA_TCP_CLOSE_WAIT
                       ? ": the socket stays in CLOSE_WAIT until close()"
                       : "");
        break;
    case TFA_APP_WHY_PEER_FIN_UNACKED:
        g_snprintf(buf, len,
                   "read() has not returned 0: its later segments never acknowledge the %s's "
                   "FIN (frame %" PRIu64 "), so it is still ESTABLISHED as far as it knows",
                   peer, f);
        break;
    case TFA_APP_WHY_OWN_FIN:
        if (f2 != 0)
            g_snprintf(buf, len,
                       "%s before frame %" PRIu64 " (its FIN sent again: the first copy was lost "
                       "before the capture point)%s",
                       ev->arg ? "close()" : "close() or shutdown(SHUT_WR)", f,
                       ev->arg ? ", after read() returned 0" : "");
        else
            g_snprintf(buf, len, "%s at frame %" PRIu64 " (its FIN)%s",
                       ev->arg ? "close()" : "close() or shutdown(SHUT_WR)", f,
                       ev->arg ? ", after read() returned 0" : "");
        break;
    case TFA_APP_WHY_HALF_CLOSE:
        g_snprintf(buf, len,
                   "shutdown(SHUT_WR) at frame %" PRIu64 " (its FIN), then went on reading the "
                   "%s's data (frame %" PRIu64 ")",
                   f, peer, f2);
        break;
    case TFA_APP_WHY_RESET:
        g_snprintf(buf, len,
                   "recv() returns the data already received, then fails with ECONNRESET "
                   "(the %s's RST at frame %" PRIu64 "); a send() fails with ECONNRESET if it "
                   "comes first, later ones with EPIPE (SIGPIPE unless MSG_NOSIGNAL)",
                   peer, f);
        break;
    case TFA_APP_WHY_RESET_CLOSE_WAIT:
        g_snprintf(buf, len,
                   "its next send() fails with EPIPE (SIGPIPE unless MSG_NOSIGNAL) after the "
                   "%s's RST at frame %" PRIu64 " in CLOSE_WAIT; read() keeps returning 0",
                   peer, f);
        break;
    case TFA_APP_WHY_RESET_AFTER_CLOSE:
        if (f2 != 0)
            g_snprintf(buf, len,
                       "the %s's RST at frame %" PRIu64 " came after its close() (FIN at frame "
                       "%" PRIu64 "): it reached no application, no errno",
                       peer, f, f2);
        else
            g_snprintf(buf, len,
                       "the %s's RST at frame %" PRIu64 " came after its close(): it reached "
                       "no application, no errno",
                       peer, f);
        break;
    case TFA_APP_WHY_RESET_IN_HANDSHAKE:
        g_snprintf(buf, len,
                   "accept() never returns this connection: the %s's RST at frame %" PRIu64
                   " removed it in SYN_RECEIVED (no errno)",
                   peer, f);
        break;
    case TFA_APP_WHY_RESET_IGNORED:
        g_snprintf(buf, len,
                   "the %s's RST at frame %" PRIu64 " was %s (not at RCV.NXT): no errno, the "
                   "connection goes on",
                   peer, f,
                   r != NULL && r->accept == TFA_RST_CHALLENGED ? "challenged" : "ignored");
        break;
    case TFA_APP_WHY_SENT_RST_LINGER:
        g_snprintf(buf, len,
                   "close() sent an RST at frame %" PRIu64 " instead of a FIN: an abortive close "
                   "(SO_LINGER with l_linger 0, or a process exiting on a system that resets); "
                   "the %s gets ECONNRESET",
                   f, peer);
        break;
    case TFA_APP_WHY_SENT_RST_UNREAD:
        g_snprintf(buf, len,
                   "close() with unread data from the %s: the kernel sent an RST at frame "
                   "%" PRIu64 " instead of a FIN; the %s gets ECONNRESET",
                   peer, f, peer);
        break;
    case TFA_APP_WHY_SENT_RST_CLOSED:
        if (f2 != 0)
            g_snprintf(buf, len,
                       "close() at frame %" PRIu64 " (its FIN; not shutdown(), since the %s's "
                       "data at frame %" PRId64 " drew an RST at frame %" PRIu64
                       " from its kernel): no errno here",
                       f2, peer, ev->arg, f);
        else
            g_snprintf(buf, len,
                       "its application had closed the socket: its kernel answered the %s's "
                       "data at frame %" PRId64 " with an RST at frame %" PRIu64
                       ", no errno here",
                       peer, ev->arg, f);
        break;
    case TFA_APP_WHY_SENT_RST_KEEPALIVE:
        g_snprintf(buf, len,
                   "its keep-alive probes went unanswered: the kernel gave up with an RST at "
                   "frame %" PRIu64 ", and recv()/send() fail with %s",
                   f, err);
        break;
    case TFA_APP_WHY_SENT_RST_OTHER:
        g_snprintf(buf, len, "it sent an RST at frame %" PRIu64, f);
        break;
    case TFA_APP_WHY_DATA_TIMEOUT:
        g_snprintf(buf, len,
                   "its data was never acknowledged (sent again %" PRId64 " times, last at frame "
                   "%" PRIu64 "): send()/recv() would fail with %s when the retransmissions run "
                   "out (net.ipv4.tcp_retries2: about 15 minutes on Linux)",
                   ev->arg, f, err);
        break;
    case TFA_APP_WHY_KEEPALIVE_TIMEOUT:
        g_snprintf(buf, len,
                   "%" PRId64 " keep-alive probes unanswered (last at frame %" PRIu64
                   "): recv() would fail with %s when they run out (tcp_keepalive_probes: 9 "
                   "by default)",
                   ev->arg, f, err);
        break;
    default:
        g_strlcpy(buf, "?", len);
        break;
    }
    if (!ev->certain && ev->result != TFA_APP_RESULT_WOULD_FAIL) {
        size_t n = strlen(buf);
        g_strlcpy(buf + n, " (inferred)", len > n ? len - n : 0);
    }
    return buf;
}

const char *tfa_appview_advice_text(const TfaConnRecord *rec, TfaRole role, const TfaAppSide *s,
                                    unsigned i, char *buf, size_t len)
{
    const char *peer = role_name((TfaRole)(1 - role));
    (void)rec;
    switch ((TfaAppAdvice)s->advice[i]) {
    case TFA_APP_ADVICE_TCP_NODELAY:
        g_snprintf(buf, len,
                   "TCP_NODELAY (or one write per message): its small segments waited for the "
                   "%s's delayed ACK",
                   peer);
        break;
    case TFA_APP_ADVICE_TCP_QUICKACK:
        g_snprintf(buf, len,
                   "TCP_QUICKACK: its delayed ACKs held back the %s's small segments", peer);
        break;
    case TFA_APP_ADVICE_SO_LINGER:
        g_strlcpy(buf,
                  "no SO_LINGER with l_linger 0 (a plain close(), or shutdown() first) for a "
                  "graceful FIN",
                  len);
        break;
    case TFA_APP_ADVICE_READ_TO_EOF:
        g_snprintf(buf, len,
                   "read() until it returns 0 before close(): unread data from the %s turns "
                   "the FIN into an RST",
                   peer);
        break;
    case TFA_APP_ADVICE_CLOSE_EVERY_PATH:
        g_strlcpy(buf,
                  "close() on every path: the socket stayed in CLOSE_WAIT after read() "
                  "returned 0",
                  len);
        break;
    case TFA_APP_ADVICE_STOP_AFTER_EOF:
        g_snprintf(buf, len,
                   "stop writing once read() returns 0: it wrote after taking the %s's FIN",
                   peer);
        break;
    case TFA_APP_ADVICE_SHUTDOWN_WR:
        g_snprintf(buf, len,
                   "shutdown(SHUT_WR) instead of close() while the %s may still send", peer);
        break;
    case TFA_APP_ADVICE_SO_KEEPALIVE:
        g_strlcpy(buf,
                  "SO_KEEPALIVE with TCP_KEEPIDLE below the path's idle timer: finds a "
                  "vanished peer and keeps NAT and firewall state alive",
                  len);
        break;
    case TFA_APP_ADVICE_LISTEN_BACKLOG:
        g_strlcpy(buf,
                  "a bigger listen() backlog (and net.core.somaxconn), or accept() sooner, if "
                  "the accept queue was full: the capture near the server shows the ACK arrive "
                  "and the SYN-ACK sent again",
                  len);
        break;
    case TFA_APP_ADVICE_SO_REUSEADDR:
        g_strlcpy(buf,
                  "SO_REUSEADDR: the server closed first and holds TIME_WAIT, which blocks a "
                  "restarted server's bind() without it",
                  len);
        break;
    case TFA_APP_ADVICE_MSG_NOSIGNAL:
        g_strlcpy(buf,
                  "MSG_NOSIGNAL (or SIGPIPE ignored): a write after the RST raises SIGPIPE",
                  len);
        break;
    default:
        g_strlcpy(buf, "?", len);
        break;
    }
    return buf;
}

void tfa_appview_line(const TfaConnRecord *rec, const TfaAppView *view, TfaRole role,
                      GString *out)
{
    const TfaAppSide *s = &view->role[role];
    char buf[512];
    for (unsigned i = 0; i < s->n; i++) {
        if (i > 0)
            g_string_append(out, "; ");
        g_string_append(out, tfa_appview_event_text(rec, role, &s->ev[i], buf, sizeof(buf)));
    }
    for (unsigned i = 0; i < s->n_advice; i++) {
        g_string_append(out, i == 0 ? (s->n > 0 ? "; avoid with: " : "avoid with: ") : "; ");
        g_string_append(out, tfa_appview_advice_text(rec, role, s, i, buf, sizeof(buf)));
    }
}
