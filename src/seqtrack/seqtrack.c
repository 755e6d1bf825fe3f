/* seqtrack.c - per-direction sequence analysis (RFC 9293 §3.4, RFC 5681,
 * RFC 7323, RFC 2018), classifying every segment the way an engineer reads a
 * trace: new data, a hole, a retransmission (RTO, fast, spurious), out of
 * order, a duplicate ACK, an ACK of bytes never captured, window events,
 * probes, and frames the capture holds twice. */
#include "config.h"

#include "tcpflow-audit/seqtrack.h"

#include "tcpflow-audit/seqnum.h"

#include <string.h>

/* Linux's minimum RTO: a retransmission sooner than this after the third
 * duplicate ACK is the fast one (RFC 5681 §3.2). */
#define FAST_RETRANS_WINDOW (200 * TFA_NSEC_PER_MSEC)
/* Without a measured handshake RTT, "shortly after" means this. */
#define OOO_DEFAULT_WINDOW (3 * TFA_NSEC_PER_MSEC)
/* The same frame captured twice arrives this close together. */
#define DUP_FRAME_WINDOW (10 * TFA_NSEC_PER_MSEC)
/* An ACK this far behind the highest one cannot be a reordered ACK. */
#define ACK_FAR_BEHIND (16u * 1024u * 1024u)
/* A segment this far from the stream, near the previous incarnation's. */
#define STALE_DISTANCE (1u << 24)
#define STALE_NEAR (1u << 20)

static uint32_t seg_len(const TfaSegment *seg)
{
    return seg->payload_len + ((seg->flags & TFA_TH_SYN) ? 1u : 0u) +
           ((seg->flags & TFA_TH_FIN) ? 1u : 0u);
}

/* The largest shift a window can have (RFC 7323 §2.3). */
#define WSCALE_MAX 14

/* The shift of the windows @side advertises, when the capture shows it
 * (RFC 7323 §2.2): scaling is in effect only when both SYNs carried the
 * option, and a SYN-ACK may carry it only when its SYN did.  So the two
 * SYNs decide it; one SYN without the option means no scaling on either
 * side; a SYN-ACK with it gives its own sender's shift.  Otherwise (the
 * capture began after a SYN) the shift is unknown: raw windows are then
 * not a size, and no finding may rest on one. */
static bool wscale_known(const TfaConn *c, uint8_t side, uint8_t *shift)
{
    const TfaHalf *h = c->half;
    *shift = 0;
    if (h[0].syn_seen && h[1].syn_seen) {
        if (h[0].syn_wscale && h[1].syn_wscale)
            *shift = h[side].syn_shift;
        return true;
    }
    for (uint8_t s = 0; s < 2; s++) {
        if (!h[s].syn_seen)
            continue;
        if (!h[s].syn_wscale)
            return true;
        if (s == side && h[s].syn_is_synack) {
            *shift = h[s].syn_shift;
            return true;
        }
    }
    return false;
}

/* @seg's window in bytes; raw when the shift is unknown (and in a SYN,
 * which is never scaled). */
static uint32_t scaled(const TfaConn *c, uint8_t side, const TfaSegment *seg)
{
    uint8_t shift;
    uint32_t w = seg->window;
    if (!(seg->flags & TFA_TH_SYN) && wscale_known(c, side, &shift))
        w <<= shift;
    return w;
}

/* The previous frame of this side seen again: the same bytes, close in
 * time.  The checksum would cover them all, but offloading leaves it zero
 * or partial in many captures, so the fields that tell two honest segments
 * apart are compared too: sequence, ACK, length, flags, window and the
 * first SACK block (two duplicate ACKs differ only there).  An IPv4
 * retransmission carries a new IP ID, so equal non-zero IDs mean one
 * sending, duplicated by the capture or the network.  Without that proof (IP ID 0, as Linux gives SYN-ACKs, or
 * IPv6) a copy must also follow its original with nothing from the peer in
 * between: a SYN-ACK repeated for a repeated SYN is byte-identical too. */
static bool same_frame(const TfaConn *c, const TfaHalf *h, const TfaSegment *seg, uint8_t side)
{
    if (!h->prev_valid || seg->ts - h->prev_ts > DUP_FRAME_WINDOW)
        return false;
    if (seg->seq != h->prev_seq || seg->ack != h->prev_ack || seg->payload_len != h->prev_len ||
        seg->flags != h->prev_flags || seg->checksum != h->prev_checksum ||
        seg->window != h->prev_window || seg->opt.n_sack != h->prev_n_sack)
        return false;
    if (seg->opt.n_sack > 0 && (seg->opt.sack[0].left != h->prev_sack_left ||
                                seg->opt.sack[0].right != h->prev_sack_right))
        return false;
    if (seg->ip_version == 4 && seg->ip_id != 0)
        return seg->ip_id == h->prev_ip_id;
    return c->side[1 - side].last_frame < h->prev_frame && seg->opt.has_ts &&
           seg->opt.tsval == h->prev_tsval && seg->ip_id == h->prev_ip_id;
}

/* ---- retained payload (a ring of the lowest unacknowledged bytes) -------- */

static void keep_drop_below(TfaHalf *h, uint32_t ack)
{
    if (h->keep_len == 0 || !tfa_seq_gt(ack, h->keep_base))
        return;
    uint32_t n = tfa_seq_diff(ack, h->keep_base);
    if (n >= h->keep_len) {
        h->keep_base = ack;
        h->keep_len = 0;
        return;
    }
    h->keep_base += n;
    h->keep_len -= n;
}

/* The ring holds a power of two of bytes, so the byte with sequence number
 * s sits at s & (cap - 1), continuous across the 2^32 wrap. */
static uint32_t ring_size(uint32_t want)
{
    uint32_t cap = 1;
    while (cap <= want / 2)
        cap *= 2;
    return cap;
}

/* Write @n bytes for sequence numbers from @seq into a ring of @cap. */
static void ring_write(uint8_t *ring, uint32_t cap, uint32_t seq, const uint8_t *src, uint32_t n)
{
    uint32_t pos = seq & (cap - 1);
    uint32_t first = n < cap - pos ? n : cap - pos;
    memcpy(ring + pos, src, first);
    memcpy(ring, src + first, n - first);
}

/* The smallest ring a direction starts with; it doubles up to the cap as
 * the unacknowledged bytes grow, so a connection that never has much in
 * flight never holds (nor touches) a full-sized ring. */
#define KEEP_MIN 2048u

/* Make room for @want kept bytes (at most the cap): grow the ring to the
 * next power of two, within the all-connections budget. */
static void keep_reserve(TfaHalf *h, const TfaOptions *opts, TfaBudget *budget, TfaStats *stats,
                         uint32_t want)
{
    uint32_t max = ring_size(opts->max_buffer_per_dir);
    if (want > max)
        want = max;
    if (h->keep != NULL && want <= h->keep_cap)
        return;
    uint32_t cap = h->keep != NULL ? h->keep_cap : MIN(KEEP_MIN, max);
    while (cap < want)
        cap *= 2;
    uint32_t old = h->keep != NULL ? h->keep_cap : 0;
    if (budget->used - old + cap > budget->limit) {
        /* counted once per direction; what is kept stays */
        if (!h->keep_budget_hit)
            tfa_stats_count(stats, TFA_DIAG_BUFFER_CAP_HIT);
        h->keep_budget_hit = true;
        return;
    }
    uint8_t *ring = g_malloc(cap);
    if (h->keep != NULL) {
        /* the kept bytes move to their places in the larger ring */
        uint32_t pos = h->keep_base & (h->keep_cap - 1);
        uint32_t first = h->keep_len < h->keep_cap - pos ? h->keep_len : h->keep_cap - pos;
        ring_write(ring, cap, h->keep_base, h->keep + pos, first);
        ring_write(ring, cap, h->keep_base + first, h->keep, h->keep_len - first);
        g_free(h->keep);
    }
    h->keep = ring;
    budget->used = budget->used - old + cap;
    h->keep_cap = cap;
}

/* Append in-order payload, if it starts where the kept bytes end. */
static void keep_append(TfaHalf *h, const TfaOptions *opts, TfaBudget *budget, TfaStats *stats,
                        const TfaSegment *seg)
{
    if (seg->payload_len == 0 || seg->payload_caplen < seg->payload_len ||
        opts->max_buffer_per_dir == 0)
        return;
    if (h->keep_len == 0)
        h->keep_base = seg->seq;
    if (seg->seq != h->keep_base + h->keep_len)
        return; /* not contiguous with what is kept */
    keep_reserve(h, opts, budget, stats, h->keep_len + seg->payload_len);
    if (h->keep == NULL)
        return; /* the budget was spent before this direction had any */
    uint32_t room = h->keep_cap - h->keep_len;
    uint32_t n = seg->payload_len < room ? seg->payload_len : room;
    ring_write(h->keep, h->keep_cap, h->keep_base + h->keep_len, seg->payload, n);
    h->keep_len += n;
}

/* Compare a retransmission with the kept bytes; the first differing
 * sequence number, or false. */
static bool keep_differs(const TfaHalf *h, const TfaSegment *seg, uint32_t *at)
{
    if (h->keep == NULL || h->keep_len == 0 ||
        seg->payload_caplen < seg->payload_len)
        return false;
    for (uint32_t i = 0; i < seg->payload_len; i++) {
        uint32_t s = seg->seq + i;
        if (!tfa_seq_in_window(s, h->keep_base, h->keep_len))
            continue;
        if (h->keep[s & (h->keep_cap - 1)] != seg->payload[i]) {
            *at = s;
            return true;
        }
    }
    return false;
}

void tfa_seqtrack_release(TfaConn *c, TfaBudget *budget)
{
    for (int i = 0; i < 2; i++) {
        TfaHalf *h = &c->half[i];
        if (h->keep != NULL) {
            budget->used -= h->keep_cap;
            g_free(h->keep);
            h->keep = NULL;
        }
    }
}

/* ---- the ACK side: what @side says about its peer's stream --------------- */

static void analyse_ack(TfaConn *c, const TfaSegment *seg, uint8_t side, bool probe_like,
                        bool probe_ack, TfaSeqEvent *ev)
{
    TfaHalf *h = &c->half[side];
    TfaHalf *r = &c->half[1 - side];
    uint16_t f = seg->flags;
    uint32_t ack = seg->ack;
    uint32_t win = scaled(c, side, seg);

    if (r->started) {
        uint32_t allow = h->max_win > 65535 ? h->max_win : 65535;
        if (tfa_seq_gt(ack, r->next)) {
            uint32_t beyond = tfa_seq_diff(ack, r->next);
            if (beyond > allow) {
                ev->facts |= TFA_SEQ_ACK_INVALID;
            } else if (!r->unseen_valid || tfa_seq_gt(ack, r->unseen_to)) {
                /* the peer sent bytes the capture never saw: lost before
                 * the capture point, yet delivered (reported once) */
                uint32_t from = r->unseen_valid && tfa_seq_gt(r->unseen_to, r->next) ? r->unseen_to
                                                                                        : r->next;
                ev->facts |= TFA_SEQ_ACK_UNSEEN;
                ev->unseen = tfa_seq_diff(ack, from);
                r->unseen_valid = true;
                r->unseen_to = ack;
            }
        } else if (r->hole && tfa_seq_gt(ack, r->hole_start)) {
            uint32_t end = tfa_seq_lt(ack, r->hole_end) ? ack : r->hole_end;
            ev->facts |= TFA_SEQ_ACK_UNSEEN;
            ev->unseen = tfa_seq_diff(end, r->hole_start);
            if (!r->hole_reported) {
                ev->facts |= TFA_SEQ_LOST;
                ev->gap = tfa_seq_diff(r->hole_end, r->hole_start);
                ev->lost_frame = r->hole_frame;
                ev->lost_ts = r->hole_ts;
                r->hole_reported = true;
            }
            r->hole_start = end;
            if (!tfa_seq_lt(r->hole_start, r->hole_end))
                r->hole = false;
        }
    }
    if (h->ack_seen && tfa_seq_lt(ack, h->max_ack) &&
        tfa_seq_diff(h->max_ack, ack) > ACK_FAR_BEHIND)
        ev->facts |= TFA_SEQ_ACK_INVALID;

    /* a duplicate ACK: nothing new, the same ACK and the same window (RFC
     * 5681 §2), or the same ACK with new SACK information (RFC 6675 §2).
     * Like Wireshark, and unlike RFC 5681's congestion-control definition,
     * it need not have data outstanding: an ACK repeated for a repeated FIN
     * or SYN-ACK counts too (it tells that the repeat was not needed). */
    bool plain = seg->payload_len == 0 && !(f & (TFA_TH_SYN | TFA_TH_FIN | TFA_TH_RST));
    if (plain && !probe_like && !probe_ack && h->ack_seen && ack == h->last_ack && seg->window != 0 &&
        (seg->window == h->last_win_raw || seg->opt.n_sack > 0) && r->started) {
        h->dupacks++;
        h->dupack_ts = seg->ts;
        ev->facts |= TFA_SEQ_DUP_ACK;
        ev->dupacks = h->dupacks;
    } else if (!h->ack_seen || ack != h->last_ack) {
        h->dupacks = 0;
    }

    /* The right edge of the window it offers must not move left (RFC 9293
     * §3.8.6 "shrinking the window").  The sender takes its window only
     * from a segment not older than the last it took one from (§3.10.7.4,
     * SND.WL1/WL2): an older ACK captured after a newer one (reordered, a
     * copy) shrinks nothing.  A scaled window is rounded down to a
     * multiple of 2^shift (RFC 7323 §2.4), so an edge that moves back by no
     * more than that is rounding; without the shift the edge is unknown.
     * Shrinking harms only data in flight, and a FIN ends the window's use. */
    uint8_t shift;
    bool known = wscale_known(c, side, &shift);
    uint32_t edge = ack + win;
    bool newer = !h->edge_known ||
                 (tfa_seq_ge(ack, h->max_ack) && tfa_seq_ge(seg->seq, h->edge_seq));
    if (newer && h->edge_known && known && seg->window != 0 && !(f & (TFA_TH_SYN | TFA_TH_FIN)) &&
        tfa_seq_lt(edge, h->right_edge) && tfa_seq_diff(h->right_edge, edge) > (1u << shift) &&
        r->started && tfa_seq_gt(r->next, ack)) {
        ev->facts |= TFA_SEQ_WINDOW_SHRUNK;
        ev->shrunk_by = tfa_seq_diff(h->right_edge, edge);
    }

    keep_drop_below(r, ack);
    if (!h->ack_seen || tfa_seq_gt(ack, h->max_ack))
        h->max_ack = ack;
    h->ack_seen = true;
    h->last_ack = ack;
    h->last_ack_ts = seg->ts;
    h->last_win_raw = seg->window;
    h->last_win = win;
    if (win > h->max_win)
        h->max_win = win;
    if (!(f & TFA_TH_SYN)) {
        /* the highest edge it may have offered: at the largest shift when
         * the shift is unknown */
        uint32_t far = known ? edge : ack + ((uint32_t)seg->window << WSCALE_MAX);
        if (!h->edge_known || tfa_seq_gt(far, h->max_edge))
            h->max_edge = far;
        if (newer) {
            h->right_edge = edge;
            h->edge_seq = seg->seq;
        }
        h->edge_known = true;
    }
}

/* ---- the data side: what @side's segment is in its own stream ----------- */

static void analyse_data(TfaConn *c, const TfaOptions *opts, TfaBudget *budget, TfaStats *stats,
                         const TfaSegment *seg, uint8_t side, TfaSeqEvent *ev)
{
    TfaHalf *h = &c->half[side];
    TfaHalf *r = &c->half[1 - side];
    uint32_t len = seg_len(seg);
    uint32_t end = seg->seq + len;

    if (!h->started) {
        h->started = true;
        h->next = h->contig = end;
        h->next_ts = seg->ts;
        if (seg->payload_len > 0)
            ev->facts |= TFA_SEQ_NEW_DATA;
        keep_append(h, opts, budget, stats, seg);
        return;
    }
    if (h->prev_incarnation && len > 0 &&
        tfa_seq_diff(seg->seq, h->next) > STALE_DISTANCE &&
        tfa_seq_diff(h->next, seg->seq) > STALE_DISTANCE &&
        (tfa_seq_diff(seg->seq, h->prev_next) < STALE_NEAR ||
         tfa_seq_diff(h->prev_next, seg->seq) < STALE_NEAR)) {
        ev->facts |= TFA_SEQ_STALE;
        return;
    }
    if (len == 0)
        return;

    if (tfa_seq_gt(seg->seq, h->next)) {
        /* a gap: the bytes before it were not captured (yet) */
        ev->facts |= TFA_SEQ_NEW_DATA;
        if (h->hole && !h->hole_reported) {
            /* a second gap before the first was explained: report that one */
            ev->facts |= TFA_SEQ_LOST;
            ev->gap = tfa_seq_diff(h->hole_end, h->hole_start);
            ev->lost_frame = h->hole_frame;
            ev->lost_ts = h->hole_ts;
        }
        h->hole = true;
        h->hole_reported = false;
        h->hole_start = h->next;
        h->hole_end = seg->seq;
        h->hole_frame = seg->frame_no;
        h->hole_ts = seg->ts;
        /* already acknowledged by the peer: lost before the capture point */
        if (r->ack_seen && tfa_seq_gt(r->max_ack, h->next)) {
            ev->facts |= TFA_SEQ_LOST;
            ev->gap = tfa_seq_diff(seg->seq, h->next);
            ev->lost_frame = seg->frame_no;
            ev->lost_ts = seg->ts;
            h->hole_reported = true;
            /* what the peer acknowledged needs no second report */
            h->hole_start = tfa_seq_lt(r->max_ack, seg->seq) ? r->max_ack : seg->seq;
            h->hole = tfa_seq_lt(h->hole_start, h->hole_end);
        }
        h->next = end;
        h->next_ts = seg->ts;
    } else if (seg->seq == h->next) {
        ev->facts |= TFA_SEQ_NEW_DATA;
        if (h->contig == h->next)
            h->contig = end;
        h->next = end;
        h->next_ts = seg->ts;
        keep_append(h, opts, budget, stats, seg);
    } else if (seg->payload_len == 0) {
        /* a SYN or FIN sent again: HANDSHAKE_SYN_RETRANSMITTED and
         * TEARDOWN_FIN_RETRANSMITTED say it, not the data classes */
    } else {
        /* below the highest sequence captured */
        bool fills = h->hole && tfa_seq_ge(seg->seq, h->hole_start) &&
                     tfa_seq_lt(seg->seq, h->hole_end);
        TfaDuration ooo = c->irtt > 0 ? c->irtt : OOO_DEFAULT_WINDOW;
        if (r->ack_seen && tfa_seq_le(end, r->max_ack)) {
            ev->facts |= TFA_SEQ_SPURIOUS;
        } else if (fills) {
            /* bytes the capture had not seen: sent again after duplicate
             * ACKs, or late, or merely reordered */
            if (r->dupacks >= 3 && seg->ts - r->dupack_ts < FAST_RETRANS_WINDOW)
                ev->facts |= TFA_SEQ_FAST_RETRANS;
            else if (seg->ts - h->hole_ts < ooo)
                ev->facts |= TFA_SEQ_OOO;
            else
                ev->facts |= TFA_SEQ_RETRANS;
            /* not mere reordering: the gap was a loss before the capture */
            if (!(ev->facts & TFA_SEQ_OOO) && !h->hole_reported) {
                ev->facts |= TFA_SEQ_LOST;
                ev->gap = tfa_seq_diff(h->hole_end, h->hole_start);
                ev->lost_frame = h->hole_frame;
                ev->lost_ts = h->hole_ts;
                h->hole_reported = true;
            }
            if (seg->seq == h->hole_start)
                h->hole_start = tfa_seq_lt(end, h->hole_end) ? end : h->hole_end;
            if (!tfa_seq_lt(h->hole_start, h->hole_end))
                h->hole = false;
            ev->since = seg->ts - h->hole_ts;
        } else if (r->dupacks >= 3 && seg->seq == r->last_ack &&
                   seg->ts - r->dupack_ts < FAST_RETRANS_WINDOW) {
            ev->facts |= TFA_SEQ_FAST_RETRANS;
        } else {
            ev->facts |= TFA_SEQ_RETRANS;
        }
        uint32_t at;
        if (keep_differs(h, seg, &at)) {
            ev->facts |= TFA_SEQ_DATA_DIFFERS;
            ev->differ_at = at;
        }
        if (tfa_seq_gt(end, h->next)) {
            h->next = end;
            h->next_ts = seg->ts;
        }
        if (!h->hole)
            h->contig = h->next;
    }

    /* The receiver's window: filled exactly (its latest edge, whose size
     * needs the shift), or overrun: beyond every edge it ever offered (data
     * within an edge since taken back was sent in good faith), at the
     * largest shift when the shift is unknown. */
    if (r->edge_known && seg->payload_len > 1 &&
        !(seg->flags & (TFA_TH_SYN | TFA_TH_FIN | TFA_TH_RST))) {
        uint8_t shift;
        uint32_t data_end = seg->seq + seg->payload_len;
        if (wscale_known(c, (uint8_t)(1 - side), &shift) && data_end == r->right_edge)
            ev->facts |= TFA_SEQ_WINDOW_FULL;
        else if (tfa_seq_gt(data_end, r->max_edge))
            ev->facts |= TFA_SEQ_OUT_OF_WINDOW;
    }
}

/* ---- timestamps (RFC 7323 §4.3, §5.3) ----------------------------------- */

/* A frame whose bytes cannot be trusted carries no trustworthy TSval. */
#define DAMAGED                                                                              \
    ((1u << TFA_DIAG_DECODE_BAD_CHECKSUM) | (1u << TFA_DIAG_DECODE_BAD_OPTION) |             \
     (1u << TFA_DIAG_DECODE_BAD_TCP_HEADER) | (1u << TFA_DIAG_DECODE_ILLEGAL_FLAGS) |        \
     (1u << TFA_DIAG_DECODE_BAD_IP_HEADER) | (1u << TFA_DIAG_DECODE_BAD_IP_LENGTH))

/* PAWS (RFC 7323 §5.3): the receiver drops a segment whose TSval is below
 * its TS.Recent, and takes TS.Recent only from a segment that is not beyond
 * what it has acknowledged (§4.3, SEG.SEQ <= Last.ACK.sent), so a segment
 * overtaken on the way, whose later sibling arrived first, is not a
 * regression: the sibling never became TS.Recent.
 *
 * What the capture shows is the sender's clock, and only a segment that
 * carries something new (new data, an ACK not below its earlier ones)
 * shows it now: an old segment seen again (a retransmission, a copy made by
 * the capture or the network) may carry the TSval of its first sending.  A
 * low TSval is a regression only when the sender's next new segment is
 * low too: a one-off is a copy or a damaged frame, which PAWS drops
 * harmlessly.  A TS.Recent from one odd frame (far ahead, the next ones
 * back where the clock was) is forgotten. */
static void track_timestamps(TfaConn *c, const TfaSegment *seg, uint8_t side, TfaSeqEvent *ev)
{
    TfaHalf *h = &c->half[side];
    const TfaHalf *peer = &c->half[1 - side];
    uint16_t f = seg->flags;
    uint32_t tsval = seg->opt.tsval;
    bool fresh = (f & TFA_TH_SYN) || !h->started ||
                 ((seg_len(seg) == 0 || tfa_seq_ge(seg->seq, h->next)) &&
                  (!(f & TFA_TH_ACK) || !h->ack_seen || tfa_seq_ge(seg->ack, h->max_ack)));

    if (!(f & TFA_TH_SYN) && h->ts_seen && tfa_seq_lt(tsval, h->ts_recent)) {
        if (!fresh)
            return;
        if (tfa_seq_ge(tsval, h->ts_before)) {
            h->ts_recent = tsval; /* the latest TS.Recent was the odd one */
            h->ts_pending = false;
        } else if (h->ts_pending) {
            ev->facts |= TFA_SEQ_TS_REGRESSION;
            ev->ts_frame = h->ts_pending_frame;
            ev->ts_ts = h->ts_pending_ts;
            ev->ts_val = h->ts_pending_val;
            ev->ts_recent = h->ts_pending_recent;
            h->ts_pending = false;
            h->ts_before = h->ts_recent = tsval; /* reported: judge by the new clock */
        } else {
            h->ts_pending = true;
            h->ts_pending_val = tsval;
            h->ts_pending_recent = h->ts_recent;
            h->ts_pending_frame = seg->frame_no;
            h->ts_pending_ts = seg->ts;
        }
        return;
    }
    if (fresh)
        h->ts_pending = false; /* the clock went on: the low one was a one-off */
    if (!h->ts_seen || !peer->ack_seen || (f & TFA_TH_SYN) ||
        tfa_seq_le(seg->seq, peer->last_ack)) {
        h->ts_before = h->ts_seen && !(f & TFA_TH_SYN) ? h->ts_recent : tsval;
        h->ts_recent = tsval;
        h->ts_seen = true;
    }
}

void tfa_seqtrack_segment(TfaConn *c, const TfaOptions *opts, TfaBudget *budget, TfaStats *stats,
                          const TfaSegment *seg, uint8_t side, TfaSeqEvent *ev)
{
    TfaHalf *h = &c->half[side];
    TfaHalf *peer = &c->half[1 - side];
    uint16_t f = seg->flags;

    memset(ev, 0, sizeof(*ev));
    if (c->irtt == 0 && c->det.syn_ts != 0 && c->det.ack_ts != 0)
        c->irtt = c->det.ack_ts - c->det.syn_ts;

    if (same_frame(c, h, seg, side)) {
        ev->facts = TFA_SEQ_DUP_FRAME;
        h->prev_ts = seg->ts;
        return;
    }
    h->prev_valid = true;
    h->prev_ip_id = seg->ip_id;
    h->prev_checksum = seg->checksum;
    h->prev_flags = f;
    h->prev_seq = seg->seq;
    h->prev_ack = seg->ack;
    h->prev_len = seg->payload_len;
    h->prev_tsval = seg->opt.tsval;
    h->prev_window = seg->window;
    h->prev_n_sack = seg->opt.n_sack;
    if (seg->opt.n_sack > 0) {
        h->prev_sack_left = seg->opt.sack[0].left;
        h->prev_sack_right = seg->opt.sack[0].right;
    }
    h->prev_ts = seg->ts;
    h->prev_frame = seg->frame_no;

    if (f & TFA_TH_RST)
        return; /* an RST moves no sequence space; tcpsm and the RST detector judge it */

    /* this side's SYN: the window scale it offered (the opening one, or
     * its repeat; a SYN inside a stream it already sent is no opening) */
    if ((f & TFA_TH_SYN) && (!h->started || h->syn_seen)) {
        h->syn_seen = true;
        h->syn_is_synack = (f & TFA_TH_ACK) != 0;
        h->syn_wscale = seg->opt.has_wscale;
        h->syn_shift = seg->opt.wscale > WSCALE_MAX ? WSCALE_MAX : seg->opt.wscale;
    }

    if (seg->opt.has_ts && !(seg->diags & DAMAGED))
        track_timestamps(c, seg, side, ev);

    /* this side's receive window */
    if (!(f & (TFA_TH_SYN | TFA_TH_FIN)) && (f & TFA_TH_ACK)) {
        if (seg->window == 0) {
            ev->facts |= TFA_SEQ_ZERO_SEGMENT;
            if (!h->zero) {
                h->zero = true;
                h->zero_probed = false;
                h->zero_frame = seg->frame_no;
                h->zero_ts = seg->ts;
                ev->facts |= TFA_SEQ_ZERO_START;
            }
        } else if (h->zero) {
            h->zero = false;
            ev->facts |= TFA_SEQ_ZERO_END;
            ev->zero_for = seg->ts - h->zero_ts;
            ev->zero_frame = h->zero_frame;
            ev->zero_probed = h->zero_probed;
        }
    }

    /* probes: at most one byte, one below what it had sent (or the next
     * byte into a zero window); keep-alives and zero-window probes look
     * alike, and only the peer's window tells them apart */
    bool probe_like = false, probe_ack = false;
    /* A probe repeats the last byte the peer has already acknowledged
     * (SND.UNA - 1): one still unacknowledged, sent again, is a
     * retransmission even when it is the last byte sent. */
    if (!(f & (TFA_TH_SYN | TFA_TH_FIN)) && seg->payload_len <= 1 && h->started &&
        ((seg->seq + 1 == h->next && (!peer->ack_seen || tfa_seq_ge(peer->max_ack, h->next))) ||
         (seg->payload_len == 1 && seg->seq == h->next && peer->zero))) {
        probe_like = true;
        ev->facts |= peer->zero ? TFA_SEQ_ZW_PROBE : TFA_SEQ_KEEPALIVE;
        if (peer->zero)
            peer->zero_probed = true;
        h->probe_out = true;
        h->probe_frame = seg->frame_no;
    } else if (peer->probe_out && (f & TFA_TH_ACK) && seg->payload_len == 0) {
        ev->facts |= TFA_SEQ_PROBE_ACK;
        ev->probe_frame = peer->probe_frame;
        peer->probe_out = false;
        probe_ack = true;
    }

    if (f & TFA_TH_ACK)
        analyse_ack(c, seg, side, probe_like, probe_ack, ev);
    if (!probe_like)
        analyse_data(c, opts, budget, stats, seg, side, ev);
}
