/* tcpsm.c - the RFC 9293 state machine replayed for both endpoints.
 *
 * tfa_tcpsm_segment() is the one dispatcher: it updates the TCB fields, then
 * applies the segment as a send event for its sender (tcpsm_snd_*) and as a
 * receive event for the other endpoint (tcpsm_rcv_<state>, one handler per
 * state of RFC 9293 §3.10.7.4), in the order the RFC processes a segment:
 * RST, SYN, ACK, then FIN.
 */
#include "config.h"

#include "tcpflow-audit/tcpsm.h"

#include "tcpflow-audit/icmp.h"
#include "tcpflow-audit/seqnum.h"

#include <string.h>

#define TWO_MSL(opts) (2 * (opts)->msl)

#define SYNCHRONIZED                                                                               \
    (TFA_TCPF(ESTABLISHED) | TFA_TCPF(FIN_WAIT_1) | TFA_TCPF(FIN_WAIT_2) | TFA_TCPF(CLOSE_WAIT) |  \
     TFA_TCPF(CLOSING) | TFA_TCPF(LAST_ACK) | TFA_TCPF(TIME_WAIT))

static bool in_states(uint8_t state, unsigned mask)
{
    return (mask & (1u << state)) != 0;
}

/* ---- the path ------------------------------------------------------------ */

static void path_append(TfaEndpoint *ep, const TfaOptions *opts, const TfaTransition *t)
{
    if (ep->path == NULL)
        ep->path = g_array_sized_new(FALSE, FALSE, sizeof(TfaTransition), 6);
    if (ep->path->len >= opts->max_transitions_per_endpoint) {
        ep->path_dropped++;
        return;
    }
    g_array_append_val(ep->path, *t);
}

static TfaTransition *path_last(TfaEndpoint *ep)
{
    if (ep->path == NULL || ep->path->len == 0)
        return NULL;
    return &g_array_index(ep->path, TfaTransition, ep->path->len - 1);
}

/* Mark every pending transition certain. */
static void confirm_all(TfaEndpoint *ep)
{
    for (guint i = 0; ep->path != NULL && i < ep->path->len; i++)
        g_array_index(ep->path, TfaTransition, i).certain = true;
    ep->n_pending = 0;
}

/* Enter @state.  Received transitions stay pending (probable) until the
 * endpoint's own behaviour confirms them; a sent one proves everything
 * before it. */
static void enter(TfaEndpoint *ep, const TfaOptions *opts, uint8_t state, TfaEvidence evidence,
                  const TfaSegment *seg, uint32_t need_ack, bool need_ack_valid)
{
    TfaTransition t = {
        .state = state,
        .evidence = (uint8_t)evidence,
        .certain = evidence == TFA_EVIDENCE_SENT,
        .frame = seg != NULL ? seg->frame_no : 0,
        .ts = seg != NULL ? seg->ts : 0,
    };
    if (evidence == TFA_EVIDENCE_SENT)
        confirm_all(ep);
    if (evidence == TFA_EVIDENCE_RECEIVED || evidence == TFA_EVIDENCE_INFERRED) {
        if (ep->n_pending == TFA_MAX_PENDING) {
            /* the oldest pending transition is as good as confirmed now */
            memmove(ep->pending_from, ep->pending_from + 1, TFA_MAX_PENDING - 1);
            memmove(ep->pending_retx, ep->pending_retx + 1, TFA_MAX_PENDING - 1);
            memmove(ep->pending_ack, ep->pending_ack + 1,
                    (TFA_MAX_PENDING - 1) * sizeof(ep->pending_ack[0]));
            memmove(ep->pending_need_ack, ep->pending_need_ack + 1,
                    (TFA_MAX_PENDING - 1) * sizeof(ep->pending_need_ack[0]));
            ep->n_pending--;
        }
        ep->pending_from[ep->n_pending] = ep->state;
        ep->pending_retx[ep->n_pending] = 0;
        ep->pending_ack[ep->n_pending] = need_ack;
        ep->pending_need_ack[ep->n_pending] = need_ack_valid;
        ep->n_pending++;
    }
    if (state == TFA_TCP_TIME_WAIT && seg != NULL)
        ep->time_wait_ts = seg->ts;
    ep->state = state;
    path_append(ep, opts, &t);
}

/* Undo the newest pending transition: the endpoint's own segment shows it
 * never happened.  Returns false when nothing was pending. */
static bool revoke_last(TfaEndpoint *ep)
{
    if (ep->n_pending == 0)
        return false;
    ep->n_pending--;
    ep->state = ep->pending_from[ep->n_pending];
    TfaTransition *t = path_last(ep);
    if (t != NULL && !t->certain)
        g_array_set_size(ep->path, ep->path->len - 1);
    return true;
}

/* The newest pending transition was caused by a segment that has now been
 * sent again: the first copy may not have arrived, so let the evidence be
 * the latest copy. */
static void pending_moves_to(TfaEndpoint *ep, const TfaSegment *seg)
{
    TfaTransition *t = path_last(ep);
    if (ep->n_pending > 0 && t != NULL && !t->certain) {
        t->frame = seg->frame_no;
        t->ts = seg->ts;
        if (ep->pending_retx[ep->n_pending - 1] < UINT8_MAX)
            ep->pending_retx[ep->n_pending - 1]++;
    }
}

/* The endpoint sent @seg: confirm the pending transitions it proves, oldest
 * first. */
static void confirm_by_send(TfaEndpoint *ep, const TfaSegment *seg)
{
    guint first_pending = ep->path != NULL && ep->path->len >= ep->n_pending
                              ? ep->path->len - ep->n_pending
                              : 0;
    uint8_t done = 0;
    while (done < ep->n_pending) {
        if (ep->pending_need_ack[done] &&
            (!(seg->flags & TFA_TH_ACK) || tfa_seq_lt(seg->ack, ep->pending_ack[done])))
            break;
        done++;
    }
    if (done == 0)
        return;
    /* what it confirms, and everything that led there */
    for (guint i = 0; ep->path != NULL && i < first_pending + done && i < ep->path->len; i++)
        g_array_index(ep->path, TfaTransition, i).certain = true;
    ep->n_pending -= done;
    memmove(ep->pending_from, ep->pending_from + done, ep->n_pending);
    memmove(ep->pending_retx, ep->pending_retx + done, ep->n_pending);
    memmove(ep->pending_ack, ep->pending_ack + done, ep->n_pending * sizeof(ep->pending_ack[0]));
    memmove(ep->pending_need_ack, ep->pending_need_ack + done,
            ep->n_pending * sizeof(ep->pending_need_ack[0]));
}

/* The endpoint sent @seg, acknowledging less than the newest pending
 * transition needs, after the cause of that transition had been sent again
 * (its sender got no ACK) and after the latest copy: none of the copies had
 * reached it.  A FIN lost for good leaves it ESTABLISHED, not in CLOSE_WAIT,
 * and what it writes next is an ordinary write.  Returns true when revoked. */
static bool refute_by_send(TfaEndpoint *ep, const TfaSegment *seg)
{
    if (ep->n_pending == 0 || !(seg->flags & TFA_TH_ACK) || (seg->flags & TFA_TH_SYN))
        return false;
    uint8_t top = (uint8_t)(ep->n_pending - 1);
    const TfaTransition *t = path_last(ep);
    if (!ep->pending_need_ack[top] || ep->pending_retx[top] == 0 || t == NULL || t->certain ||
        seg->frame_no <= t->frame || !tfa_seq_lt(seg->ack, ep->pending_ack[top]))
        return false;
    ep->refuted = true;
    ep->refuted_ack = ep->pending_ack[top];
    return revoke_last(ep);
}

/* ---- initial states ------------------------------------------------------ */

static void start(TfaEndpoint *ep, const TfaOptions *opts, uint8_t state, const TfaSegment *seg)
{
    TfaTransition t = {
        .state = state,
        .evidence = TFA_EVIDENCE_CAPTURE_START,
        .certain = false,
        .frame = 0,
        .ts = seg->ts,
    };
    ep->state = state;
    path_append(ep, opts, &t);
}

void tfa_tcpsm_init(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg, uint8_t side)
{
    uint8_t peer = (uint8_t)(1 - side);
    uint16_t f = seg->flags;

    if ((f & (TFA_TH_SYN | TFA_TH_ACK | TFA_TH_RST)) == TFA_TH_SYN) {
        start(&c->ep[side], opts, TFA_TCP_CLOSED, seg);
        start(&c->ep[peer], opts, TFA_TCP_LISTEN, seg);
        c->ep[peer].passive = true;
    } else if ((f & (TFA_TH_SYN | TFA_TH_ACK | TFA_TH_RST)) == (TFA_TH_SYN | TFA_TH_ACK)) {
        start(&c->ep[side], opts, TFA_TCP_LISTEN, seg);
        c->ep[side].passive = true;
        start(&c->ep[peer], opts, TFA_TCP_CLOSED, seg);
    } else {
        /* the capture began after the handshake */
        c->mid_stream = true;
        start(&c->ep[side], opts, TFA_TCP_ESTABLISHED, seg);
        start(&c->ep[peer], opts, TFA_TCP_ESTABLISHED, seg);
    }
}

/* ---- TCB bookkeeping ----------------------------------------------------- */

static uint32_t seg_len(const TfaSegment *seg)
{
    return seg->payload_len + ((seg->flags & TFA_TH_SYN) ? 1u : 0u) +
           ((seg->flags & TFA_TH_FIN) ? 1u : 0u);
}

static void update_tcb(TfaConn *c, const TfaSegment *seg, uint8_t side)
{
    TfaEndpoint *s = &c->ep[side];
    TfaEndpoint *r = &c->ep[1 - side];
    uint16_t f = seg->flags;

    /* a SYN sets the ISN while the sender is still opening; a SYN inside a
     * synchronized connection changes nothing */
    if ((f & TFA_TH_SYN) && !in_states(s->state, SYNCHRONIZED)) {
        s->has_wscale = seg->opt.has_wscale;
        s->wscale = seg->opt.wscale > 14 ? 14 : seg->opt.wscale; /* RFC 7323 §2.3 */
        if (!(f & TFA_TH_ACK) || !s->iss_known) {
            s->iss = seg->seq;
            s->iss_known = true;
        }
        if (!r->irs_known || !(f & TFA_TH_ACK)) {
            r->irs = seg->seq;
            r->irs_known = true;
        }
    }
    if (f & TFA_TH_RST)
        return; /* an RST moves no sequence space and advertises no window */
    uint32_t end = seg->seq + seg_len(seg);
    if (!s->snd_nxt_known || tfa_seq_gt(end, s->snd_nxt)) {
        s->snd_nxt = end;
        s->snd_nxt_known = true;
    }
    if (f & TFA_TH_ACK) {
        if (!s->rcv_nxt_known || tfa_seq_gt(seg->ack, s->rcv_nxt)) {
            s->rcv_nxt = seg->ack;
            s->rcv_nxt_known = true;
        }
        if (tfa_seq_gt(seg->ack, r->snd_una) || r->snd_una == 0)
            r->snd_una = seg->ack;
        /* windows are scaled only when both SYNs carried the option, and
         * never on a SYN (RFC 7323 §2.2) */
        uint32_t wnd = seg->window;
        if (!(f & TFA_TH_SYN) && s->has_wscale && r->has_wscale)
            wnd <<= s->wscale;
        s->rcv_wnd = wnd;
        r->snd_wnd = wnd;
    }
}

/* ---- RST (RFC 9293 §3.10.7.3-4, RFC 5961 §3.2) --------------------------- */

static TfaRstAccept judge_rst(const TfaConn *c, const TfaSegment *seg, uint8_t side)
{
    const TfaEndpoint *s = &c->ep[side];
    const TfaEndpoint *r = &c->ep[1 - side];

    switch (r->state) {
    case TFA_TCP_CLOSED:
    case TFA_TCP_LISTEN:
        return TFA_RST_NO_STATE;
    case TFA_TCP_SYN_SENT:
        /* acceptable only if it acknowledges our SYN: SND.UNA < SEG.ACK <= SND.NXT */
        if ((seg->flags & TFA_TH_ACK) && r->iss_known && tfa_seq_gt(seg->ack, r->iss) &&
            (!r->snd_nxt_known || tfa_seq_le(seg->ack, r->snd_nxt)))
            return TFA_RST_ACCEPTED;
        return TFA_RST_IGNORED;
    default:
        break;
    }
    /* RCV.NXT is what the receiver acknowledged, or - the segments before
     * the RST having arrived in order - what the sender had sent */
    if ((r->rcv_nxt_known && seg->seq == r->rcv_nxt) || (s->snd_nxt_known && seg->seq == s->snd_nxt))
        return TFA_RST_ACCEPTED;
    if (!r->rcv_nxt_known && !s->snd_nxt_known)
        return TFA_RST_ACCEPTED; /* nothing to judge it by */
    uint32_t rcv_nxt = r->rcv_nxt_known ? r->rcv_nxt : s->snd_nxt;
    uint32_t wnd = r->rcv_wnd > 0 ? r->rcv_wnd : 1;
    if (tfa_seq_in_window(seg->seq, rcv_nxt, wnd))
        return r->state == TFA_TCP_TIME_WAIT ? TFA_RST_ACCEPTED : TFA_RST_CHALLENGED;
    return TFA_RST_IGNORED;
}

static void record_rst(TfaConn *c, const TfaSegment *seg, uint8_t side, TfaRstAccept accept)
{
    c->rsts_total++;
    if (c->rsts != NULL && c->rsts->len >= TFA_MAX_RSTS_KEPT)
        return;
    if (c->rsts == NULL)
        c->rsts = g_array_sized_new(FALSE, FALSE, sizeof(TfaRstInfo), 1);
    TfaRstInfo info = {
        .frame = seg->frame_no,
        .ts = seg->ts,
        .side = side,
        .accept = (uint8_t)accept,
        .sender_state = c->ep[side].state,
        .receiver_state = c->ep[1 - side].state,
        .seq = seg->seq,
        .ack = seg->ack,
        .has_ack = (seg->flags & TFA_TH_ACK) != 0,
        .payload_len = seg->payload_len,
    };
    g_array_append_val(c->rsts, info);
}

/* The sender of an RST: its connection is gone (RFC 9293 §3.10.7.1: an
 * endpoint with no connection stays CLOSED). */
static void tcpsm_snd_rst(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg, uint8_t side)
{
    TfaEndpoint *s = &c->ep[side];

    /* A bare RST (no ACK flag) is what a host sends for a segment it has
     * no connection for (RFC 9293 §3.10.7.1; a live socket's abort carries
     * an ACK): what it was taken to have received never made one - a
     * passive opener that had dropped the ACKs of its SYN-ACK and then its
     * request is still SYN_RECEIVED, not ESTABLISHED, when it resets. */
    if (!(seg->flags & TFA_TH_ACK) && s->passive) {
        while (s->n_pending > 0 && s->pending_from[s->n_pending - 1] == TFA_TCP_SYN_RECEIVED &&
               revoke_last(s))
            ;
    }

    /* An RST answering the SYN from a port nobody listened on: the LISTEN
     * we assumed never existed. */
    if (s->passive && c->side[side].packets == 1 &&
        (s->state == TFA_TCP_LISTEN || s->state == TFA_TCP_SYN_RECEIVED)) {
        while (revoke_last(s))
            ;
        if (s->path != NULL)
            g_array_set_size(s->path, 0);
        s->passive = false;
        s->state = TFA_TCP_CLOSED;
        TfaTransition t = {.state = TFA_TCP_CLOSED, .evidence = TFA_EVIDENCE_SENT, .certain = true,
                           .frame = seg->frame_no, .ts = seg->ts};
        path_append(s, opts, &t);
        return;
    }
    if (s->state == TFA_TCP_CLOSED || s->state == TFA_TCP_LISTEN) {
        /* answering for a connection it does not have: proof it has none */
        confirm_all(s);
        return;
    }
    s->closed_by_own_rst = true;
    s->state_before_rst = s->state;
    enter(s, opts, TFA_TCP_CLOSED, TFA_EVIDENCE_SENT, seg, 0, false);
}

static void tcpsm_rcv_rst(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg, uint8_t side,
                          TfaRstAccept accept)
{
    TfaEndpoint *r = &c->ep[1 - side];
    if (accept != TFA_RST_ACCEPTED)
        return; /* RFC 5961: a challenge ACK, or dropped; the receiver stays */
    /* a passive open in SYN_RECEIVED returns to LISTEN (RFC 9293 §3.10.7.4) */
    uint8_t to = r->state == TFA_TCP_SYN_RECEIVED && r->passive ? TFA_TCP_LISTEN : TFA_TCP_CLOSED;
    enter(r, opts, to, TFA_EVIDENCE_RECEIVED, seg, 0, false);
}

/* ---- sending ------------------------------------------------------------- */

/* A SYN without ACK: an active open (RFC 9293 §3.10.1), or a retry. */
static void tcpsm_snd_syn(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg, uint8_t side,
                          TfaSmEvent *ev)
{
    TfaEndpoint *s = &c->ep[side];
    TfaEndpoint *r = &c->ep[1 - side];

    switch (s->state) {
    case TFA_TCP_CLOSED:
    case TFA_TCP_LISTEN:
        enter(s, opts, TFA_TCP_SYN_SENT, TFA_EVIDENCE_SENT, seg, 0, false);
        s->passive = false;
        break;
    case TFA_TCP_SYN_SENT:
        /* the same SYN again: the peer's pending SYN_RECEIVED moves to it */
        if (r->state == TFA_TCP_SYN_RECEIVED)
            pending_moves_to(r, seg);
        break;
    case TFA_TCP_SYN_RECEIVED:
        if (s->passive && c->side[side].packets == 1) {
            /* we had it listening and receiving the peer's SYN, but it sends
             * a SYN of its own: both sides opened (simultaneous open,
             * RFC 9293 §3.5, figure 7) and the SYNs crossed */
            while (revoke_last(s))
                ;
            if (s->path != NULL)
                g_array_set_size(s->path, 0);
            s->passive = false;
            start(s, opts, TFA_TCP_CLOSED, seg);
            enter(s, opts, TFA_TCP_SYN_SENT, TFA_EVIDENCE_SENT, seg, 0, false);
            enter(s, opts, TFA_TCP_SYN_RECEIVED, TFA_EVIDENCE_INFERRED, seg, s->irs + 1, true);
        }
        break;
    default:
        /* the SYN a SYN-ACK already implied, captured after it: it is the
         * evidence of SYN_SENT */
        for (guint i = 0; s->path != NULL && i < s->path->len; i++) {
            TfaTransition *t = &g_array_index(s->path, TfaTransition, i);
            if (t->state == TFA_TCP_SYN_SENT && t->evidence == TFA_EVIDENCE_INFERRED) {
                t->evidence = TFA_EVIDENCE_SENT;
                t->certain = true;
                t->frame = seg->frame_no;
                t->ts = seg->ts;
            }
        }
        break;
    }
    (void)ev;
}

/* A SYN-ACK: a passive open answering, or a simultaneous open. */
static void tcpsm_snd_synack(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg,
                             uint8_t side, TfaSmEvent *ev)
{
    TfaEndpoint *s = &c->ep[side];
    TfaEndpoint *r = &c->ep[1 - side];

    switch (s->state) {
    case TFA_TCP_CLOSED:
    case TFA_TCP_LISTEN:
        s->passive = s->state == TFA_TCP_LISTEN;
        enter(s, opts, TFA_TCP_SYN_RECEIVED, TFA_EVIDENCE_SENT, seg, 0, false);
        break;
    case TFA_TCP_SYN_SENT:
        enter(s, opts, TFA_TCP_SYN_RECEIVED, TFA_EVIDENCE_SENT, seg, 0, false);
        break;
    case TFA_TCP_SYN_RECEIVED:
        confirm_by_send(s, seg);
        if (r->state == TFA_TCP_ESTABLISHED)
            pending_moves_to(r, seg);
        break;
    case TFA_TCP_ESTABLISHED:
        /* repeating its SYN-ACK, it never got the ACK of it: the third ACK
         * was lost after the capture point.  (A first SYN-ACK here is a
         * simultaneous open whose SYN-ACKs crossed.) */
        if (s->synack_sent && s->n_pending > 0 &&
            s->pending_from[s->n_pending - 1] == TFA_TCP_SYN_RECEIVED) {
            revoke_last(s);
            ev->revoked = true;
            if (s->acks_dropped < UINT8_MAX)
                s->acks_dropped++;
        }
        break;
    default:
        break;
    }
    s->synack_sent = true;
}

/* A FIN (RFC 9293 §3.10.4 CLOSE): ESTABLISHED or SYN_RECEIVED to FIN_WAIT_1,
 * CLOSE_WAIT to LAST_ACK.  A FIN sent again after its ACK was taken to have
 * arrived revokes what that ACK did. */
static void tcpsm_snd_fin(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg, uint8_t side,
                          TfaSmEvent *ev)
{
    TfaEndpoint *s = &c->ep[side];
    TfaEndpoint *r = &c->ep[1 - side];
    uint32_t fin_end = seg->seq + seg_len(seg);
    bool again = s->fin_sent && fin_end == s->fin_end;

    if (again && s->n_pending > 0) {
        uint8_t from = s->pending_from[s->n_pending - 1];
        if ((s->state == TFA_TCP_FIN_WAIT_2 && from == TFA_TCP_FIN_WAIT_1) ||
            (s->state == TFA_TCP_TIME_WAIT && from == TFA_TCP_CLOSING) ||
            (s->state == TFA_TCP_CLOSED && from == TFA_TCP_LAST_ACK)) {
            revoke_last(s);
            ev->revoked = true;
        }
    }
    /* Its FIN does not acknowledge the peer's FIN that we took to have
     * arrived: the FINs crossed (RFC 9293 §3.6, figure 13).  It was still
     * ESTABLISHED when it closed, and the peer's FIN reaches it after. */
    bool crossed = false;
    if (!again && s->state == TFA_TCP_CLOSE_WAIT && s->n_pending > 0 &&
        s->pending_need_ack[s->n_pending - 1] &&
        (!(seg->flags & TFA_TH_ACK) || tfa_seq_lt(seg->ack, s->pending_ack[s->n_pending - 1]))) {
        crossed = revoke_last(s);
    }
    if (!s->fin_sent || tfa_seq_gt(fin_end, s->fin_end))
        s->fin_end = fin_end;
    s->fin_sent = true;
    if (crossed) {
        /* the peer's FIN (captured first) reaches it after
         * its own: CLOSING is shown at its FIN, the later of the two */
        enter(s, opts, TFA_TCP_FIN_WAIT_1, TFA_EVIDENCE_SENT, seg, 0, false);
        enter(s, opts, TFA_TCP_CLOSING, TFA_EVIDENCE_RECEIVED, seg, r->fin_end, true);
        return;
    }
    switch (s->state) {
    case TFA_TCP_ESTABLISHED:
    case TFA_TCP_SYN_RECEIVED:
        enter(s, opts, TFA_TCP_FIN_WAIT_1, TFA_EVIDENCE_SENT, seg, 0, false);
        break;
    case TFA_TCP_CLOSE_WAIT:
        enter(s, opts, TFA_TCP_LAST_ACK, TFA_EVIDENCE_SENT, seg, 0, false);
        break;
    default:
        /* a repeated FIN: if the peer's reaction to the first is still
         * pending, the latest copy is the evidence */
        if (again && in_states(r->state, TFA_TCPF(CLOSE_WAIT) | TFA_TCPF(CLOSING) |
                                             TFA_TCPF(TIME_WAIT)))
            pending_moves_to(r, seg);
        break;
    }
}

/* Anything else an endpoint sends: ACKs and data.  The segment shows the
 * sender's side of the handshake is complete. */
static void tcpsm_snd_ack(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg, uint8_t side)
{
    TfaEndpoint *s = &c->ep[side];

    if (s->state == TFA_TCP_CLOSED && s->closed_by_own_rst) {
        /* it "reset" the connection and keeps talking: that RST was not its
         * own; the state machine goes on from before it */
        s->closed_by_own_rst = false;
        enter(s, opts, s->state_before_rst, TFA_EVIDENCE_SENT, seg, 0, false);
        return;
    }
    if (!(seg->flags & TFA_TH_ACK))
        return;
    switch (s->state) {
    case TFA_TCP_SYN_SENT:
    case TFA_TCP_SYN_RECEIVED:
        /* it acknowledges the peer's SYN and sends no SYN: ESTABLISHED */
        enter(s, opts, TFA_TCP_ESTABLISHED, TFA_EVIDENCE_SENT, seg, 0, false);
        break;
    case TFA_TCP_ESTABLISHED:
        /* it acknowledges the peer's FIN, which an earlier segment of its
         * own showed it had not received (refute_by_send): CLOSE_WAIT now */
        if (c->ep[1 - side].fin_sent && tfa_seq_ge(seg->ack, c->ep[1 - side].fin_end))
            enter(s, opts, TFA_TCP_CLOSE_WAIT, TFA_EVIDENCE_SENT, seg, 0, false);
        break;
    default:
        break;
    }
}

/* The peer's ESTABLISHED taken from an ACK of its SYN-ACK, when it had let
 * such ACKs go before (acks_dropped) and has said nothing since: this
 * later segment carrying the same acknowledgement (the client's data) is
 * as likely the one that completed it, and the latest copy is the
 * evidence, as for any cause sent again. */
static void ack_sent_again(TfaConn *c, const TfaSegment *seg, uint8_t side)
{
    TfaEndpoint *r = &c->ep[1 - side];
    if (!(seg->flags & TFA_TH_ACK) || (seg->flags & (TFA_TH_SYN | TFA_TH_RST)) ||
        r->acks_dropped == 0 || r->state != TFA_TCP_ESTABLISHED || r->n_pending == 0 ||
        r->pending_from[r->n_pending - 1] != TFA_TCP_SYN_RECEIVED || !r->iss_known ||
        seg->ack != r->iss + 1)
        return;
    const TfaTransition *t = path_last(r);
    if (t == NULL || t->certain || c->side[1 - side].last_frame > t->frame)
        return;
    pending_moves_to(r, seg);
}

/* ---- receiving: one handler per state (RFC 9293 §3.10.7.4) --------------- */

/* LISTEN: a SYN opens a passive connection (third, "check for a SYN"). */
static void tcpsm_rcv_listen(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg,
                             TfaEndpoint *r)
{
    if ((seg->flags & (TFA_TH_SYN | TFA_TH_ACK)) == TFA_TH_SYN)
        enter(r, opts, TFA_TCP_SYN_RECEIVED, TFA_EVIDENCE_RECEIVED, seg, seg->seq + 1, true);
}

/* SYN_SENT (§3.10.7.3): an acceptable SYN-ACK completes the open; a SYN
 * alone means a simultaneous open. */
static void tcpsm_rcv_syn_sent(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg,
                               TfaEndpoint *r)
{
    uint16_t f = seg->flags;
    if (!(f & TFA_TH_SYN))
        return;
    if (f & TFA_TH_ACK) {
        bool ok = !r->iss_known || (tfa_seq_gt(seg->ack, r->iss) &&
                                    (!r->snd_nxt_known || tfa_seq_le(seg->ack, r->snd_nxt)));
        if (ok)
            enter(r, opts, TFA_TCP_ESTABLISHED, TFA_EVIDENCE_RECEIVED, seg, seg->seq + 1, true);
        return;
    }
    enter(r, opts, TFA_TCP_SYN_RECEIVED, TFA_EVIDENCE_RECEIVED, seg, seg->seq + 1, true);
}

/* CLOSED before anything was sent: a SYN-ACK shows a SYN went out that the
 * capture does not hold (or holds later). */
static void tcpsm_rcv_closed(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg,
                             TfaEndpoint *r, uint8_t rside)
{
    if ((seg->flags & (TFA_TH_SYN | TFA_TH_ACK)) != (TFA_TH_SYN | TFA_TH_ACK))
        return;
    if (c->side[rside].packets != 0 || r->closed_by_own_rst)
        return;
    if (!r->iss_known) {
        r->iss = seg->ack - 1;
        r->iss_known = true;
    }
    enter(r, opts, TFA_TCP_SYN_SENT, TFA_EVIDENCE_INFERRED, seg, 0, false);
    enter(r, opts, TFA_TCP_ESTABLISHED, TFA_EVIDENCE_RECEIVED, seg, seg->seq + 1, true);
}

/* SYN_RECEIVED: the ACK of our SYN completes the open (fifth, "check the
 * ACK field"); a SYN-ACK does too in a simultaneous open. */
static void tcpsm_rcv_syn_received(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg,
                                   TfaEndpoint *r)
{
    if (!(seg->flags & TFA_TH_ACK))
        return;
    if (r->iss_known && !tfa_seq_gt(seg->ack, r->iss))
        return;
    if ((seg->flags & TFA_TH_SYN) && r->passive)
        return; /* a SYN-ACK to a passive opener is not an answer to anything */
    enter(r, opts, TFA_TCP_ESTABLISHED, TFA_EVIDENCE_RECEIVED, seg, 0, false);
}

/* The ACK half of FIN_WAIT_1, CLOSING and LAST_ACK: the ACK of our FIN. */
static bool acks_our_fin(const TfaSegment *seg, const TfaEndpoint *r)
{
    return (seg->flags & TFA_TH_ACK) && r->fin_sent && tfa_seq_ge(seg->ack, r->fin_end);
}

static void tcpsm_rcv_fin_wait_1(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg,
                                 TfaEndpoint *r)
{
    bool acked = acks_our_fin(seg, r);
    if (seg->flags & TFA_TH_FIN) {
        /* a FIN that also acknowledges ours goes straight to TIME_WAIT;
         * crossed FINs go to CLOSING */
        enter(r, opts, acked ? TFA_TCP_TIME_WAIT : TFA_TCP_CLOSING, TFA_EVIDENCE_RECEIVED, seg,
              seg->seq + seg_len(seg), true);
    } else if (acked) {
        enter(r, opts, TFA_TCP_FIN_WAIT_2, TFA_EVIDENCE_RECEIVED, seg, 0, false);
    }
}

static void tcpsm_rcv_fin_wait_2(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg,
                                 TfaEndpoint *r)
{
    if (seg->flags & TFA_TH_FIN)
        enter(r, opts, TFA_TCP_TIME_WAIT, TFA_EVIDENCE_RECEIVED, seg, seg->seq + seg_len(seg),
              true);
}

static void tcpsm_rcv_closing(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg,
                              TfaEndpoint *r)
{
    if (acks_our_fin(seg, r))
        enter(r, opts, TFA_TCP_TIME_WAIT, TFA_EVIDENCE_RECEIVED, seg, 0, false);
}

static void tcpsm_rcv_last_ack(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg,
                               TfaEndpoint *r)
{
    if (acks_our_fin(seg, r))
        enter(r, opts, TFA_TCP_CLOSED, TFA_EVIDENCE_RECEIVED, seg, 0, false);
}

/* ESTABLISHED (and SYN_RECEIVED after its ACK): a FIN moves to CLOSE_WAIT
 * (eighth, "check the FIN bit"). */
static void tcpsm_rcv_established(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg,
                                  TfaEndpoint *r)
{
    if (!(seg->flags & TFA_TH_FIN))
        return;
    uint32_t end = seg->seq + seg_len(seg);
    enter(r, opts, TFA_TCP_CLOSE_WAIT, TFA_EVIDENCE_RECEIVED, seg, end, true);
    /* one more copy of a FIN it was shown not to have received: sent
     * again, like the others (tfa_tcpsm_finish judges it so) */
    if (r->refuted && r->refuted_ack == end && r->n_pending > 0)
        r->pending_retx[r->n_pending - 1] = 1;
}

/* An endpoint picked up mid-stream that sends an acknowledging segment is
 * in a synchronized state for sure. */
static void confirm_capture_start(TfaEndpoint *ep, const TfaSegment *seg)
{
    TfaTransition *t = path_last(ep);
    if (t != NULL && t->evidence == TFA_EVIDENCE_CAPTURE_START && !t->certain &&
        (seg->flags & TFA_TH_ACK) && in_states(t->state, SYNCHRONIZED))
        t->certain = true;
}

static void receive(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg, uint8_t rside,
                    TfaSmEvent *ev)
{
    TfaEndpoint *r = &c->ep[rside];
    uint16_t f = seg->flags;

    switch (r->state) {
    case TFA_TCP_CLOSED:
        tcpsm_rcv_closed(c, opts, seg, r, rside);
        break;
    case TFA_TCP_LISTEN:
        tcpsm_rcv_listen(c, opts, seg, r);
        break;
    case TFA_TCP_SYN_SENT:
        tcpsm_rcv_syn_sent(c, opts, seg, r);
        break;
    case TFA_TCP_SYN_RECEIVED:
        /* a segment without an acceptable ACK is dropped here; with one,
         * its data and FIN are processed in ESTABLISHED */
        tcpsm_rcv_syn_received(c, opts, seg, r);
        if (r->state == TFA_TCP_ESTABLISHED && !(f & TFA_TH_SYN))
            tcpsm_rcv_established(c, opts, seg, r);
        break;
    case TFA_TCP_ESTABLISHED:
        tcpsm_rcv_established(c, opts, seg, r);
        break;
    case TFA_TCP_FIN_WAIT_1:
        tcpsm_rcv_fin_wait_1(c, opts, seg, r);
        break;
    case TFA_TCP_FIN_WAIT_2:
        tcpsm_rcv_fin_wait_2(c, opts, seg, r);
        break;
    case TFA_TCP_CLOSING:
        tcpsm_rcv_closing(c, opts, seg, r);
        break;
    case TFA_TCP_LAST_ACK:
        tcpsm_rcv_last_ack(c, opts, seg, r);
        break;
    case TFA_TCP_CLOSE_WAIT:
    case TFA_TCP_TIME_WAIT:
    default:
        /* a repeated FIN or stray ACK changes nothing (a TIME_WAIT endpoint
         * acknowledges it again and restarts its timer, RFC 9293 §3.10.7.4) */
        if (r->state == TFA_TCP_TIME_WAIT && (f & TFA_TH_FIN))
            r->time_wait_ts = seg->ts;
        break;
    }
}

void tfa_tcpsm_segment(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg, uint8_t side,
                       TfaSmEvent *ev)
{
    uint8_t peer = (uint8_t)(1 - side);
    uint16_t f = seg->flags;
    TfaEndpoint *s = &c->ep[side];

    memset(ev, 0, sizeof(*ev));
    tfa_tcpsm_advance(c, opts, seg->ts);
    ev->before[0] = c->ep[0].state;
    ev->before[1] = c->ep[1].state;

    if (f & TFA_TH_RST) {
        /* judged against the TCBs as they were before it */
        ev->rst = true;
        ev->rst_accept = judge_rst(c, seg, side);
        record_rst(c, seg, side, ev->rst_accept);
        /* an RST its receiver does not accept (RFC 5961) is no proof of
         * anything about its sender either: stale, or not its own */
        if (ev->rst_accept == TFA_RST_ACCEPTED || ev->rst_accept == TFA_RST_NO_STATE)
            tcpsm_snd_rst(c, opts, seg, side);
        tcpsm_rcv_rst(c, opts, seg, side, ev->rst_accept);
        update_tcb(c, seg, side);
    } else {
        ev->syn_inside = tfa_tcpsm_syn_inside(c, opts, seg, side);
        update_tcb(c, seg, side);
        /* a CLOSED taken from a segment it was sent, yet it talks on: the
         * segment never reached it, or it did not accept it */
        if (s->state == TFA_TCP_CLOSED && s->n_pending > 0 && !(f & TFA_TH_SYN) &&
            revoke_last(s))
            ev->revoked = true;
        /* the sender first: what it sends proves its own state */
        if ((f & (TFA_TH_SYN | TFA_TH_ACK)) == TFA_TH_SYN)
            tcpsm_snd_syn(c, opts, seg, side, ev);
        else if (f & TFA_TH_SYN)
            tcpsm_snd_synack(c, opts, seg, side, ev);
        else
            tcpsm_snd_ack(c, opts, seg, side);
        if ((f & TFA_TH_FIN) && !(f & TFA_TH_SYN))
            tcpsm_snd_fin(c, opts, seg, side, ev);
        if (refute_by_send(s, seg))
            ev->revoked = true;
        confirm_by_send(s, seg);
        confirm_capture_start(s, seg);
        ack_sent_again(c, seg, side);
        receive(c, opts, seg, peer, ev);
    }
    ev->after[0] = c->ep[0].state;
    ev->after[1] = c->ep[1].state;
}

bool tfa_tcpsm_syn_inside(const TfaConn *c, const TfaOptions *opts, const TfaSegment *seg,
                          uint8_t side)
{
    const TfaEndpoint *s = &c->ep[side], *peer = &c->ep[1 - side];
    if ((seg->flags & (TFA_TH_SYN | TFA_TH_ACK | TFA_TH_RST)) != TFA_TH_SYN)
        return false;
    /* a TIME_WAIT that has run out by then is CLOSED (tfa_tcpsm_advance) */
    bool synchronized = in_states(peer->state, SYNCHRONIZED) &&
                        !(peer->state == TFA_TCP_TIME_WAIT &&
                          seg->ts - peer->time_wait_ts >= TWO_MSL(opts));
    return synchronized && !(s->iss_known && seg->seq == s->iss);
}

void tfa_tcpsm_advance(TfaConn *c, const TfaOptions *opts, TfaTs now)
{
    for (int i = 0; i < 2; i++) {
        TfaEndpoint *ep = &c->ep[i];
        if (ep->state == TFA_TCP_TIME_WAIT && now - ep->time_wait_ts >= TWO_MSL(opts)) {
            TfaTransition t = {
                .state = TFA_TCP_CLOSED,
                .evidence = TFA_EVIDENCE_TIMER,
                .certain = false,
                .frame = 0,
                .ts = ep->time_wait_ts + TWO_MSL(opts),
            };
            ep->state = TFA_TCP_CLOSED;
            ep->n_pending = 0;
            path_append(ep, opts, &t);
        }
    }
}

/* A client that retried its SYN on its timer, got nothing back and then
 * sent nothing more although the capture went on well past its next retry
 * gave up: connect() failed (ETIMEDOUT, or the application's own timeout)
 * and the socket is gone, without a packet.  The next retry is due within
 * twice the span of the SYNs so far (Linux doubles the gap, or keeps it
 * with tcp_syn_linear_timeouts); it is CLOSED from then on. */
static void connect_gave_up(TfaConn *c, const TfaOptions *opts, TfaTs now)
{
    for (uint8_t i = 0; i < 2; i++) {
        TfaEndpoint *ep = &c->ep[i];
        const TfaSideStats *me = &c->side[i];
        if (ep->state != TFA_TCP_SYN_SENT || c->side[1 - i].packets != 0 || me->packets < 2 ||
            ep->path == NULL || ep->path->len < 2)
            continue;
        TfaDuration span = me->last_ts - me->first_ts;
        if (span < 200 * TFA_NSEC_PER_MSEC || now - me->last_ts <= 2 * span)
            continue;
        TfaTransition t = {
            .state = TFA_TCP_CLOSED,
            .evidence = TFA_EVIDENCE_TIMER,
            .certain = false,
            .frame = 0,
            .ts = me->last_ts + 2 * span,
        };
        ep->state = TFA_TCP_CLOSED;
        ep->n_pending = 0;
        path_append(ep, opts, &t);
    }
}

/* A client whose SYN drew an ICMP error (tied to it by conntrack/icmp.c)
 * and that sent nothing after it: Linux ended connect() at that error
 * (tcp_v4_err / tcp_v6_err in SYN_SENT; one that comes while connect()
 * holds the socket is only kept, and then the SYN goes again, which this
 * rule sees).  The socket is CLOSED from the error on.  The SYN never
 * reached a listening TCP at the other end (a router or the peer's own
 * host answered for it), so a SYN_RECEIVED the peer was given only by
 * receiving that SYN is taken back. */
static void connect_icmp_failed(TfaConn *c, const TfaOptions *opts)
{
    for (uint8_t i = 0; i < 2; i++) {
        TfaEndpoint *ep = &c->ep[i];
        const TfaIcmpSeen *ic = tfa_conn_icmp(c, i);
        bool hard;
        if (ep->state != TFA_TCP_SYN_SENT || ic->count == 0 ||
            ic->state != TFA_TCP_SYN_SENT || (ic->window_known && !ic->in_window) ||
            c->side[i].last_frame > ic->last_frame || c->side[1 - i].packets != 0 ||
            tfa_icmp_errno(ic->version, ic->last_type, ic->last_code, &hard) == NULL)
            continue;
        TfaTransition t = {
            .state = TFA_TCP_CLOSED,
            .evidence = TFA_EVIDENCE_RECEIVED,
            .certain = false,
            .frame = ic->last_frame,
            .ts = ic->last_ts,
        };
        ep->state = TFA_TCP_CLOSED;
        ep->n_pending = 0;
        path_append(ep, opts, &t);
        TfaEndpoint *peer = &c->ep[1 - i];
        const TfaTransition *pt = path_last(peer);
        if (peer->state == TFA_TCP_SYN_RECEIVED && pt != NULL && !pt->certain)
            revoke_last(peer);
    }
}

/* A listener that answered a SYN once and never repeated its SYN-ACK,
 * though the capture went on 2 s past it (Linux repeats it after 1 s, its
 * request timer up to some 64 ms late), the client silent: it kept no
 * request to repeat it from - a SYN cookie, sent from a full SYN queue.
 * It holds nothing for the connection: LISTEN again from when the repeat
 * was due. */
#define SYNACK_REPEAT_DUE (2 * TFA_NSEC_PER_SEC)

static void no_request_kept(TfaConn *c, const TfaOptions *opts, TfaTs now,
                            const TfaHandshakeTimes *hs)
{
    for (uint8_t i = 0; i < 2; i++) {
        TfaEndpoint *ep = &c->ep[i];
        const TfaTransition *t = path_last(ep);
        if (!ep->passive || ep->state != TFA_TCP_SYN_RECEIVED || hs->synack_count != 1 ||
            hs->syn_count == 0 || (c->side[1 - i].flags_seen & TFA_TH_ACK) || t == NULL ||
            hs->synack_ts == 0 || now - hs->synack_ts < SYNACK_REPEAT_DUE)
            continue;
        TfaTransition back = {
            .state = TFA_TCP_LISTEN,
            .evidence = TFA_EVIDENCE_TIMER,
            .certain = false,
            .frame = 0,
            .ts = hs->synack_ts + TFA_NSEC_PER_SEC,
        };
        ep->state = TFA_TCP_LISTEN;
        ep->n_pending = 0;
        path_append(ep, opts, &back);
    }
}

void tfa_tcpsm_finish(TfaConn *c, const TfaOptions *opts, TfaTs now, const TfaHandshakeTimes *hs)
{
    for (uint8_t i = 0; i < 2; i++) {
        TfaEndpoint *ep = &c->ep[i];
        /* a new connection took over the 4-tuple: Linux lets a SYN with a
         * higher sequence number end TIME_WAIT (RFC 6191) */
        if (c->end_reason == TFA_END_NEW_INCARNATION && ep->state == TFA_TCP_TIME_WAIT &&
            c->end_ts - ep->time_wait_ts < TWO_MSL(opts)) {
            TfaSegment syn = {.frame_no = c->end_frame, .ts = c->end_ts};
            enter(ep, opts, TFA_TCP_CLOSED, TFA_EVIDENCE_INFERRED, &syn, 0, false);
        }
        /* a passive opener that already let two ACKs of its SYN-ACK go (each
         * followed by the SYN-ACK again), sent a third and saying nothing
         * after it, most likely let it go too (its accept queue full, or the
         * path to it losing them) */
        if (ep->n_pending > 0 && ep->acks_dropped >= 2 &&
            ep->pending_from[ep->n_pending - 1] == TFA_TCP_SYN_RECEIVED) {
            const TfaTransition *t = path_last(ep);
            if (t != NULL && !t->certain && c->side[i].last_frame < t->frame)
                revoke_last(ep);
        }
        /* what it was sent again and again, and never answered after, most
         * likely never reached it */
        while (ep->n_pending > 0 && ep->pending_retx[ep->n_pending - 1] > 0) {
            const TfaTransition *t = path_last(ep);
            if (t == NULL || t->certain || c->side[i].last_frame > t->frame)
                break;
            revoke_last(ep);
        }
    }
    tfa_tcpsm_advance(c, opts, now);
    connect_icmp_failed(c, opts);
    connect_gave_up(c, opts, now);
    no_request_kept(c, opts, now, hs);
}

TfaTcpState tfa_tcpsm_state_at(const TfaConn *c, uint8_t side, TfaTs t)
{
    const TfaEndpoint *ep = &c->ep[side];
    TfaTcpState st = TFA_TCP_CLOSED;
    for (guint i = 0; ep->path != NULL && i < ep->path->len; i++) {
        const TfaTransition *tr = &g_array_index(ep->path, TfaTransition, i);
        if (i > 0 && tr->ts > t)
            break;
        st = (TfaTcpState)tr->state;
    }
    return st;
}

bool tfa_tcpsm_finished(const TfaConn *c)
{
    unsigned done = TFA_TCPF(CLOSED) | TFA_TCPF(TIME_WAIT) | TFA_TCPF(LISTEN);
    return in_states(c->ep[0].state, done) && in_states(c->ep[1].state, done);
}
