/* history.c - what each side of a connection sent, as the capture shows
 * it, and the evidence around every RST (TfaRstInfo) drawn from it: the
 * sender's TTLs and IPv4 IDs, what the RST answered, keep-alive probes,
 * FINs and what was written and acknowledged after them, whether the
 * sender or the receiver talked on after it.  Part of tcpsm: the only
 * writer of TfaConn.hist and of TfaRstInfo (record_rst in tcpsm.c opens
 * the entry, this file completes it); the RST detector only decides each
 * RST's cause from it.
 *
 * Run after the detectors (flow.c), so that they read the history as of
 * the segment before the one they judge; skipped, as they are, for a frame
 * the capture holds twice.  RFC 9293 §3.5.3 (reset generation), RFC 1122
 * §4.2.3.6 (keep-alives).
 */
#include "config.h"

#include "tcpflow-audit/tcpsm.h"

#include "tcpflow-audit/seqnum.h"

#include <string.h>

/* Keep the RST's payload as text when it is printable (RFC 9293 §3.5.3
 * lets an RST carry a diagnostic). */
static void keep_diag(TfaRstInfo *r, const TfaSegment *seg)
{
    size_t n =
        seg->payload_caplen < sizeof(r->diag) - 1 ? seg->payload_caplen : sizeof(r->diag) - 1;
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
static bool covers_fin(const TfaSentHistory *d, uint8_t peer, TfaFrameNo frame, uint32_t ack)
{
    return d->fin_sent[peer] && d->fin_frame[peer] < frame && tfa_seq_ge(ack, d->fin_seq[peer] + 1);
}

#define N_RECENT_IDS G_N_ELEMENTS(((TfaSentHistory *)0)->recent_ip_id[0])

/* @seg carries an IPv4 ID its side used lately: the same packet captured
 * again (two taps, both sides of a router), whatever lies between; a
 * retransmission carries a new ID. */
static bool seen_ip_id(const TfaSentHistory *d, uint8_t side, const TfaSegment *seg)
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
static bool is_copy(const TfaSentHistory *d, const TfaRstInfo *r, const TfaSegment *seg,
                    uint8_t side)
{
    if (seen_ip_id(d, side, seg))
        return true;
    return seg->ip_id == 0 && seg->seq == r->pre_seq && seg->ack == r->pre_ack &&
           seg->payload_len == r->pre_len && seg->flags == r->pre_flags;
}

/* What the RST shows, gathered while the evidence is at hand. */
static void note_rst(TfaConn *c, TfaSentHistory *d, const TfaSegment *seg, uint8_t side,
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
    r->sender_held =
        d->held[side] || ((seg->flags & TFA_TH_ACK) && d->last_valid[peer] &&
                          (d->last_flags[peer] & (TFA_TH_ACK | TFA_TH_RST)) == TFA_TH_ACK &&
                          seg->seq == d->last_ack[peer]);
    r->sender_fin_before = d->fin_sent[side] && d->fin_frame[side] < seg->frame_no;
    r->sender_fin_frame = d->fin_frame[side];
    r->sender_acked_peer_fin = d->acked_fin[side] || ((seg->flags & TFA_TH_ACK) &&
                                                      covers_fin(d, peer, seg->frame_no, seg->ack));
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
            r->copy_of = (uint8_t)i;
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
static void note_segment(TfaConn *c, TfaSentHistory *d, const TfaSegment *seg, uint8_t side)
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
    bool new_data =
        seg->payload_len > 0 && (!d->snd_max_valid[side] || tfa_seq_gt(end, d->snd_max[side]));
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

/* Each side's FIN as the capture shows it: the first one, and the latest
 * copy of it (a FIN at another sequence number is no copy). */
static void note_fin(TfaSentHistory *d, const TfaSegment *seg, uint8_t side)
{
    uint16_t f = seg->flags;
    if ((f & TFA_TH_RST) || !(f & TFA_TH_FIN) || (f & TFA_TH_SYN))
        return;
    uint32_t fin_seq = seg->seq + seg->payload_len;
    if (!d->fin_sent[side]) {
        d->fin_sent[side] = true;
        d->fin_seq[side] = fin_seq;
        d->fin_frame[side] = seg->frame_no;
        d->fin_ts[side] = seg->ts;
        d->fin_last_ts[side] = seg->ts;
    } else if (fin_seq == d->fin_seq[side]) {
        d->fin_last_ts[side] = seg->ts;
    }
}

void tfa_tcpsm_history_segment(TfaConn *c, const TfaSegment *seg, uint8_t side,
                               const TfaSmEvent *ev)
{
    TfaSentHistory *d = &c->hist;
    uint8_t peer = (uint8_t)(1 - side);
    uint16_t f = seg->flags;

    if (ev->syn_inside)
        d->syn_inside_frame[side] = seg->frame_no;
    if (f & TFA_TH_RST) {
        note_rst(c, d, seg, side, ev);
        d->probes[peer] = 0; /* an answer too */
    } else {
        note_segment(c, d, seg, side);
    }
    note_fin(d, seg, side);
    d->last_flags[side] = f;
    d->last_len[side] = seg->payload_len;
    d->last_ack[side] = seg->ack;
    d->last_seq[side] = seg->seq;
    d->last_valid[side] = true;
    d->last_gap = d->prev_ts != 0 ? seg->ts - d->prev_ts : 0;
    d->prev_ts = seg->ts;
}
