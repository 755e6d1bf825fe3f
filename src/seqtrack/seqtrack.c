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
/* Linux's shortest keep-alive interval (tcp_keepalive_intvl is in whole
 * seconds): a probe comes after at least this much silence. */
#define KEEPALIVE_MIN_IDLE TFA_NSEC_PER_SEC

static uint32_t seg_len(const TfaSegment *seg)
{
    return seg->payload_len + ((seg->flags & TFA_TH_SYN) ? 1u : 0u) +
           ((seg->flags & TFA_TH_FIN) ? 1u : 0u);
}

static uint32_t scaled(const TfaConn *c, uint8_t side, const TfaSegment *seg)
{
    uint32_t w = seg->window;
    if (!(seg->flags & TFA_TH_SYN) && c->ep[0].has_wscale && c->ep[1].has_wscale)
        w <<= c->ep[side].wscale;
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

/* ---- the gaps of a direction -------------------------------------------- */

/* The gap holding sequence number @seq, or NULL. */
static TfaHole *hole_at(TfaHalf *h, uint32_t seq)
{
    for (unsigned i = 0; i < h->n_holes; i++) {
        TfaHole *g = &h->holes[i];
        if (tfa_seq_ge(seq, g->start) && tfa_seq_lt(seq, g->end))
            return g;
    }
    return NULL;
}

static void hole_remove(TfaHalf *h, unsigned i)
{
    memmove(&h->holes[i], &h->holes[i + 1], (h->n_holes - i - 1) * sizeof(TfaHole));
    h->n_holes--;
}

/* A new gap [@start, @end) before the segment @seg; with no room, the
 * oldest is forgotten, undecided. */
static void hole_add(TfaHalf *h, uint32_t start, uint32_t end, const TfaSegment *seg)
{
    if (h->n_holes == TFA_MAX_HOLES) {
        hole_remove(h, 0);
        h->holes_dropped++;
    }
    h->holes[h->n_holes++] = (TfaHole){
        .start = start, .end = end, .frame = seg->frame_no, .ts = seg->ts};
}

/* Bytes the receiver acknowledged but the capture never showed, decided
 * at @seg: one capture-loss fact, the diagnostic counted once per gap. */
static void capture_loss(TfaConn *c, uint8_t data_side, uint32_t bytes, unsigned gaps,
                         TfaFrameNo ack_frame, TfaTs ack_ts, uint32_t ack, TfaSeqEvent *ev)
{
    if (bytes == 0)
        return;
    ev->facts |= TFA_SEQ_CAPTURE_LOSS;
    ev->missed[data_side] += bytes;
    ev->missed_frame[data_side] = ack_frame;
    ev->missed_ts[data_side] = ack_ts;
    ev->missed_ack[data_side] = ack;
    for (unsigned i = 0; i < gaps; i++)
        tfa_conn_count(c, TFA_COUNT_DIAG(TFA_DIAG_CAPTURE_ACKED_UNSEEN), data_side);
}

/* The pending ACK beyond what @side had been seen to send, decided by
 * @side's segment @seg: a pure ACK below it shows its SND.NXT was below
 * the acknowledgement (RFC 9293 §3.10.7.4: an ACK of something not yet
 * sent), anything else that the bytes were sent and the capture missed
 * them.  A keep-alive probe (SND.NXT - 1) is consistent with the ACK. */
static void ahead_decide(TfaConn *c, const TfaSegment *seg, uint8_t side, TfaSeqEvent *ev)
{
    TfaHalf *h = &c->half[side];
    if (!h->ahead || (seg->flags & TFA_TH_RST))
        return;
    h->ahead = false;
    bool pure = seg->payload_len == 0 && !(seg->flags & (TFA_TH_SYN | TFA_TH_FIN));
    if (pure && tfa_seq_lt(seg->seq, h->ahead_to - 1)) {
        ev->facts |= TFA_SEQ_ACK_BEYOND_SENT;
        ev->beyond_frame = h->ahead_frame;
        ev->beyond_ts = h->ahead_ts;
        ev->beyond_ack = h->ahead_to;
        ev->beyond_next = seg->seq;
        return;
    }
    capture_loss(c, side, tfa_seq_diff(h->ahead_to, h->ahead_from), 1, h->ahead_frame,
                 h->ahead_ts, h->ahead_to, ev);
    if (tfa_seq_gt(h->ahead_to, h->next)) {
        /* what the peer acknowledged was sent: the stream reaches there */
        if (h->contig == h->next && h->n_holes == 0)
            h->contig = h->ahead_to;
        h->next = h->ahead_to;
    }
}

/* A loss of the peer's segments that the capture holds none of, proven by
 * @side's ACKs: three duplicate ACKs (RFC 5681 §3.2) with a SACK block
 * above the ACK (RFC 2018: the bytes below it did not arrive, later ones
 * did; RFC 6675's DupThresh), or three duplicate ACKs close together and
 * then an ACK past the hole (the retransmission arrived). */
static void blind_loss(TfaConn *c, const TfaSegment *seg, uint8_t side, bool plain, TfaSeqEvent *ev)
{
    TfaHalf *h = &c->half[side];
    TfaHalf *r = &c->half[1 - side];
    uint32_t ack = seg->ack;
    bool unseen = !r->started || !tfa_seq_lt(ack, r->next);
    if (!h->ack_seen || ack != h->last_ack) {
        /* the ACK moved: past a hole the duplicate ACKs showed? */
        if (h->ack_seen && tfa_seq_gt(ack, h->last_ack) && h->blind_dupacks >= 3 &&
            !h->blind_reported && seg->ts - h->blind_dupack_ts < FAST_RETRANS_WINDOW && unseen) {
            ev->facts |= TFA_SEQ_LOST;
            ev->lost_side = (uint8_t)(1 - side);
            ev->lost_how = TFA_LOST_DUPACKS;
            ev->gap = 0;
            ev->lost_frame = seg->frame_no;
            ev->lost_ts = seg->ts;
        }
        h->blind_dupacks = 0;
        h->blind_reported = false;
        h->blind_sack = false;
        return;
    }
    if (!plain || !unseen || seg->window == 0 ||
        (seg->window != h->last_win_raw && seg->opt.n_sack == 0))
        return;
    for (unsigned i = 0; i < seg->opt.n_sack && i < TFA_MAX_SACK_BLOCKS; i++) {
        uint32_t left = seg->opt.sack[i].left;
        if (tfa_seq_gt(left, ack) && (!h->blind_sack || tfa_seq_lt(left, h->blind_sack_left))) {
            h->blind_sack = true;
            h->blind_sack_left = left;
        }
    }
    if (h->blind_dupacks > 0 && seg->ts - h->blind_dupack_ts >= FAST_RETRANS_WINDOW)
        h->blind_dupacks = 0; /* not one loss episode */
    h->blind_dupacks++;
    h->blind_dupack_ts = seg->ts;
    if (h->blind_dupacks >= 3 && h->blind_sack && !h->blind_reported) {
        ev->facts |= TFA_SEQ_LOST;
        ev->lost_side = (uint8_t)(1 - side);
        ev->lost_how = TFA_LOST_SACK;
        ev->gap = tfa_seq_diff(h->blind_sack_left, ack);
        ev->lost_frame = seg->frame_no;
        ev->lost_ts = seg->ts;
        h->blind_reported = true;
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

    if (r->started && r->n_holes > 0 && tfa_seq_gt(ack, r->holes[0].start)) {
        /* gaps acknowledged without having been resent: capture loss */
        uint32_t bytes = 0;
        unsigned gaps = 0;
        for (unsigned i = 0; i < r->n_holes;) {
            TfaHole *g = &r->holes[i];
            if (!tfa_seq_gt(ack, g->start)) {
                i++;
                continue;
            }
            uint32_t end = tfa_seq_lt(ack, g->end) ? ack : g->end;
            if (!g->lost) {
                /* (a gap already shown lost and resent was not missed by
                 * the capture alone) */
                bytes += tfa_seq_diff(end, g->start);
                if (!g->counted)
                    gaps++;
                g->acked = g->counted = true;
            }
            g->start = end;
            if (tfa_seq_lt(g->start, g->end))
                i++;
            else
                hole_remove(r, i);
        }
        if (bytes > 0) {
            ev->facts |= TFA_SEQ_ACK_UNSEEN;
            ev->unseen = bytes;
        }
        capture_loss(c, (uint8_t)(1 - side), bytes, gaps, seg->frame_no, seg->ts, ack, ev);
        if (r->n_holes == 0)
            r->contig = r->next;
    }
    if (r->started && tfa_seq_gt(ack, r->next)) {
        /* a keep-alive probe, recognised by its answer: the peer's last
         * segment was empty, one below what it had sent (SND.NXT - 1), and
         * this pure ACK acknowledges exactly the byte above it.  Without a
         * handshake, or with the probe the first segment captured, only the
         * answer tells it from a byte the capture missed; a probe follows
         * an idle connection (at least Linux's 1 s minimum interval). */
        bool plain_ack = seg->payload_len == 0 && !(f & (TFA_TH_SYN | TFA_TH_FIN | TFA_TH_RST));
        if (plain_ack && ack == r->next + 1 && r->prev_valid && r->prev_len == 0 &&
            r->prev_seq == r->next && !(r->prev_flags & (TFA_TH_SYN | TFA_TH_FIN | TFA_TH_RST)) &&
            r->prev_idle >= KEEPALIVE_MIN_IDLE) {
            if (r->contig == r->next && r->n_holes == 0)
                r->contig = ack;
            r->next = ack;
            ev->facts |= TFA_SEQ_PROBE_ACK;
            ev->probe_frame = r->prev_frame;
        } else if (!r->ahead || tfa_seq_gt(ack, r->ahead_to)) {
            /* the peer sent bytes the capture never saw (a content gap),
             * or this ACK is beyond anything it sent: its next segment
             * tells (ahead_decide) */
            ev->facts |= TFA_SEQ_ACK_UNSEEN;
            ev->unseen = tfa_seq_diff(ack, r->ahead ? r->ahead_to : r->next);
            if (!r->ahead) {
                r->ahead = true;
                r->ahead_from = r->next;
            }
            /* the ACK that reaches furthest is the one reported */
            r->ahead_frame = seg->frame_no;
            r->ahead_ts = seg->ts;
            r->ahead_to = ack;
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
    if (!(ev->facts & TFA_SEQ_PROBE_ACK))
        blind_loss(c, seg, side, plain && !probe_like && !probe_ack, ev);
    if (plain && !probe_like && !probe_ack && h->ack_seen && ack == h->last_ack && seg->window != 0 &&
        (seg->window == h->last_win_raw || seg->opt.n_sack > 0) && r->started) {
        h->dupacks++;
        h->dupack_ts = seg->ts;
        ev->facts |= TFA_SEQ_DUP_ACK;
        ev->dupacks = h->dupacks;
    } else if (!h->ack_seen || ack != h->last_ack) {
        h->dupacks = 0;
    }

    /* the right edge of the window it offers must not move left (RFC 9293
     * §3.8.6 "shrinking the window") */
    uint32_t edge = ack + win;
    if (h->edge_known && !c->mid_stream && seg->window != 0 && !(f & TFA_TH_SYN) &&
        tfa_seq_lt(edge, h->right_edge))
        ev->facts |= TFA_SEQ_WINDOW_SHRUNK;

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
        h->right_edge = edge;
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
        /* picked up here: no ISN, and what came before is not a gap; the
         * peer may already have acknowledged beyond this segment (a
         * keep-alive probe, a retransmission), and the stream reaches that
         * far */
        h->started = true;
        h->next = h->contig = end;
        if (r->ack_seen && tfa_seq_gt(r->max_ack, end) && tfa_seq_lt(seg->seq, r->max_ack))
            h->next = h->contig = r->max_ack;
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
        /* a gap: the bytes before it were not captured (yet); decided
         * later, when they come late, are acknowledged, or never */
        ev->facts |= TFA_SEQ_NEW_DATA;
        hole_add(h, h->next, seg->seq, seg);
        /* the rest of a gap whose start the peer acknowledged just now
         * (ahead_decide) is the same gap: counted once */
        if ((ev->facts & TFA_SEQ_CAPTURE_LOSS) && ev->missed[side] > 0 &&
            ev->missed_ack[side] == h->next)
            h->holes[h->n_holes - 1].counted = true;
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
        TfaHole *g = hole_at(h, seg->seq);
        bool fills = g != NULL;
        TfaDuration ooo = c->irtt > 0 ? c->irtt : OOO_DEFAULT_WINDOW;
        if (r->ack_seen && tfa_seq_le(end, r->max_ack)) {
            ev->facts |= TFA_SEQ_SPURIOUS;
        } else if (fills) {
            /* bytes the capture had not seen: sent again after duplicate
             * ACKs, or late, or merely reordered */
            if (r->dupacks >= 3 && seg->ts - r->dupack_ts < FAST_RETRANS_WINDOW)
                ev->facts |= TFA_SEQ_FAST_RETRANS;
            else if (seg->ts - g->ts < ooo)
                ev->facts |= TFA_SEQ_OOO;
            else
                ev->facts |= TFA_SEQ_RETRANS;
            /* not mere reordering: the gap was a loss before the capture
             * point, and the retransmission fills it */
            if (!(ev->facts & TFA_SEQ_OOO) && !g->lost && !g->acked) {
                ev->facts |= TFA_SEQ_LOST;
                ev->lost_side = side;
                ev->lost_how = TFA_LOST_FILLED;
                ev->gap = tfa_seq_diff(g->end, g->start);
                ev->lost_frame = g->frame;
                ev->lost_ts = g->ts;
                g->lost = true;
            }
            ev->since = seg->ts - g->ts;
            if (seg->seq == g->start)
                g->start = tfa_seq_lt(end, g->end) ? end : g->end;
            else if (!tfa_seq_lt(end, g->end))
                g->end = seg->seq;
            if (!tfa_seq_lt(g->start, g->end))
                hole_remove(h, (unsigned)(g - h->holes));
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
        if (h->n_holes == 0)
            h->contig = h->next;
    }

    /* the receiver's window: filled exactly, or overrun */
    if (r->edge_known && !c->mid_stream && seg->payload_len > 1 &&
        !(seg->flags & (TFA_TH_SYN | TFA_TH_FIN | TFA_TH_RST))) {
        uint32_t data_end = seg->seq + seg->payload_len;
        if (data_end == r->right_edge)
            ev->facts |= TFA_SEQ_WINDOW_FULL;
        else if (tfa_seq_gt(data_end, r->right_edge))
            ev->facts |= TFA_SEQ_OUT_OF_WINDOW;
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
    /* the silence before it (the first segment captured: unknown, taken
     * as idle) */
    TfaTs before = h->prev_valid ? h->prev_ts : 0;
    if (peer->prev_valid && peer->prev_ts > before)
        before = peer->prev_ts;
    h->prev_idle = h->prev_valid || peer->prev_valid ? seg->ts - before : G_MAXINT64;
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

    /* PAWS (RFC 7323 §5.3): the receiver drops a segment whose TSval is
     * below its TS.Recent, and takes TS.Recent only from a segment that is
     * not beyond what it has acknowledged (§4.3, SEG.SEQ <= Last.ACK.sent).
     * So a segment overtaken on the way, whose later sibling arrived first,
     * is not a regression: the sibling never became TS.Recent. */
    if (seg->opt.has_ts) {
        if (h->ts_seen && tfa_seq_lt(seg->opt.tsval, h->ts_recent)) {
            ev->facts |= TFA_SEQ_TS_REGRESSION;
        } else if (!h->ts_seen || !peer->ack_seen || (f & TFA_TH_SYN) ||
                   tfa_seq_le(seg->seq, peer->last_ack)) {
            h->ts_recent = seg->opt.tsval;
            h->ts_seen = true;
        }
    }

    /* this side's receive window */
    if (!(f & (TFA_TH_SYN | TFA_TH_FIN)) && (f & TFA_TH_ACK)) {
        if (seg->window == 0) {
            ev->facts |= TFA_SEQ_ZERO_SEGMENT;
            if (!h->zero) {
                h->zero = true;
                h->zero_frame = seg->frame_no;
                h->zero_ts = seg->ts;
                ev->facts |= TFA_SEQ_ZERO_START;
            }
        } else if (h->zero) {
            h->zero = false;
            ev->facts |= TFA_SEQ_ZERO_END;
            ev->zero_for = seg->ts - h->zero_ts;
            ev->zero_frame = h->zero_frame;
        }
    }

    /* an ACK by the peer beyond what this side had been seen to send */
    ahead_decide(c, seg, side, ev);

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
