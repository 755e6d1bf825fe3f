/* seqtrack.c - per-direction sequence analysis (RFC 9293 §3.4, RFC 5681,
 * RFC 7323, RFC 2018), classifying every segment the way an engineer reads a
 * trace: new data, a hole, a retransmission (RTO, fast, spurious), out of
 * order, a duplicate ACK, an ACK of bytes never captured, window events,
 * probes, and frames the capture holds twice. */
#include "config.h"

#include "tcpflow-audit/seqtrack.h"

#include "tcpflow-audit/tcpsm.h"

#include "tcpflow-audit/seqnum.h"

#include <string.h>

/* Linux's minimum RTO: a retransmission sooner than this after the third
 * duplicate ACK is the fast one (RFC 5681 §3.2). */
#define FAST_RETRANS_WINDOW (200 * TFA_NSEC_PER_MSEC)
/* Without a measured handshake RTT, "shortly after" means this. */
#define OOO_DEFAULT_WINDOW (3 * TFA_NSEC_PER_MSEC)
/* The same frame captured twice arrives this close together. */
#define DUP_FRAME_WINDOW (10 * TFA_NSEC_PER_MSEC)
/* A sender resends captured bytes after a timeout (Linux's minimum RTO is
 * 200 ms, its tail loss probe 10 ms) or after the peer's duplicate ACKs: a
 * copy of bytes sent again sooner than this, with nothing from the peer in
 * between, had nothing to trigger it (a crafted or edited trace). */
#define RETRANS_MIN_GAP (100 * TFA_NSEC_PER_USEC)
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

/* Two segments of one side that carry the same TCP fields: sequence, ACK,
 * length, flags, window, TSval and the first SACK block (two duplicate ACKs
 * differ only there). */
static bool same_tcp(const TfaRecentSeg *r, const TfaSegment *seg)
{
    if (seg->seq != r->seq || seg->ack != r->ack || seg->payload_len != r->len ||
        seg->flags != r->flags || seg->window != r->window || seg->opt.n_sack != r->n_sack ||
        seg->opt.has_ts != r->has_ts || (r->has_ts && seg->opt.tsval != r->tsval))
        return false;
    return seg->opt.n_sack == 0 ||
           (seg->opt.sack[0].left == r->sack_left && seg->opt.sack[0].right == r->sack_right);
}

/* Is @seg a copy of one of the latest segments of its side, made by the
 * capture (a SPAN port or two taps: other frames may come between), by
 * capturing before and after a router (the TTL one lower), or a copy
 * altered in the file (a damaged or edited record)?  None of these is a
 * sending: a retransmission leaves the sender again.
 *
 * The proof is the IPv4 identification: the sender gives every datagram it
 * sends a new one (Linux per socket, Windows per host), a retransmission
 * included, so the same non-zero ID with the same sequence and ACK numbers
 * is the same datagram, however far apart the copies are and even when
 * their bytes differ (then one copy is damaged: it proves no change of
 * data).  ID 0 (Linux's DF packets sent without a full socket, such as
 * SYN-ACKs and RSTs) and IPv6 prove nothing, nor do IDs a side has already
 * given two different segments (stacks with a constant ID).  Without that
 * proof, a copy must carry the same TSval and the same checksum, come within
 * DUP_FRAME_WINDOW, and either one hop apart (TTL one lower) or with nothing
 * from the peer in between (a SYN-ACK repeated for a repeated SYN is byte
 * for byte the same too); without timestamps, it must also carry data and
 * follow its original directly (no stack resends the segment it has just
 * sent within 10 ms unasked, but RSTs and SYN-ACKs, one per segment they
 * answer, are alike byte for byte). */
static uint8_t find_copy(const TfaConn *c, const TfaHalf *h, const TfaSegment *seg, uint8_t side,
                         const TfaRecentSeg **of)
{
    bool id_proof = seg->ip_version == 4 && seg->ip_id != 0 && !h->ip_id_reused;
    for (unsigned k = 1; k <= h->recent_n; k++) {
        const TfaRecentSeg *r =
            &h->recent[(h->recent_pos + TFA_RECENT_SEGS - k) % TFA_RECENT_SEGS];
        unsigned hop = seg->ttl > r->ttl ? seg->ttl - r->ttl : r->ttl - seg->ttl;
        if (hop > 1)
            continue;
        bool same = same_tcp(r, seg) && seg->checksum == r->checksum;
        *of = r;
        if (id_proof) {
            if (seg->ip_id != r->ip_id || seg->seq != r->seq || seg->ack != r->ack)
                continue;
            /* an empty ACK and then data at the same numbers is what a
             * stack sends to acknowledge a request and then answer it: with
             * IDs not yet seen repeating (a record picked up mid-stream),
             * that pair is no proof of one datagram */
            if (!same && (seg->flags != r->flags || (seg->payload_len == 0) != (r->len == 0)))
                continue;
            if (!same)
                return TFA_SEQ_COPY_ALTERED;
            return hop ? TFA_SEQ_COPY_ROUTER : TFA_SEQ_COPY_SAME;
        }
        if (!same || seg->ip_id != r->ip_id || seg->ts - r->ts > DUP_FRAME_WINDOW)
            continue;
        if (hop)
            return TFA_SEQ_COPY_ROUTER;
        if (c->side[1 - side].last_frame < r->frame &&
            (seg->opt.has_ts || (k == 1 && seg->payload_len > 0 &&
                                 !(seg->flags & (TFA_TH_SYN | TFA_TH_RST)))))
            return TFA_SEQ_COPY_SAME;
    }
    return TFA_SEQ_COPY_NONE;
}

/* The latest segment of @h's side, or NULL before its first. */
static const TfaRecentSeg *newest(const TfaHalf *h)
{
    if (h->recent_n == 0)
        return NULL;
    return &h->recent[(h->recent_pos + TFA_RECENT_SEGS - 1) % TFA_RECENT_SEGS];
}

/* Remember @seg as the newest of its side (the oldest is forgotten). */
static void remember(TfaHalf *h, const TfaSegment *seg)
{
    if (seg->ip_version == 4 && seg->ip_id != 0) {
        /* an ID seen on a different segment: this side's IDs prove nothing */
        for (unsigned k = 0; k < h->recent_n; k++)
            if (h->recent[k].ip_id == seg->ip_id)
                h->ip_id_reused = true;
    }
    TfaRecentSeg *r = &h->recent[h->recent_pos];
    h->recent_pos = (uint8_t)((h->recent_pos + 1) % TFA_RECENT_SEGS);
    if (h->recent_n < TFA_RECENT_SEGS)
        h->recent_n++;
    *r = (TfaRecentSeg){
        .seq = seg->seq,
        .ack = seg->ack,
        .len = seg->payload_len,
        .tsval = seg->opt.tsval,
        .has_ts = seg->opt.has_ts,
        .ts = seg->ts,
        .frame = seg->frame_no,
        .ip_id = seg->ip_id,
        .flags = seg->flags,
        .checksum = seg->checksum,
        .window = seg->window,
        .n_sack = seg->opt.n_sack,
        .ttl = seg->ttl,
    };
    if (seg->opt.n_sack > 0) {
        r->sack_left = seg->opt.sack[0].left;
        r->sack_right = seg->opt.sack[0].right;
    }
}

/* The latest earlier segment of this side that carried some of @seg's
 * bytes, or NULL (not among the latest TFA_RECENT_SEGS). */
static const TfaRecentSeg *first_sent(const TfaHalf *h, const TfaSegment *seg)
{
    for (unsigned k = 1; k <= h->recent_n; k++) {
        const TfaRecentSeg *r =
            &h->recent[(h->recent_pos + TFA_RECENT_SEGS - k) % TFA_RECENT_SEGS];
        if (r->frame == seg->frame_no || r->len == 0)
            continue;
        if (tfa_seq_lt(seg->seq, r->seq + r->len) &&
            tfa_seq_lt(r->seq, seg->seq + seg->payload_len))
            return r;
    }
    return NULL;
}

/* Was @seg sent after the segment of frame @frame, by this side's IP IDs?
 * Only where the side numbers its datagrams in sequence (Linux per socket,
 * Windows per host: the latest IDs all ascend by small steps); random IDs
 * (the BSDs' option) or ID 0 tell nothing. */
static bool sent_after(const TfaHalf *h, const TfaSegment *seg, const TfaHole *g)
{
    if (seg->ip_version != 4 || seg->ip_id == 0 || h->ip_id_reused || h->recent_n < 3)
        return false;
    const TfaRecentSeg *then = NULL, *prev = NULL;
    for (unsigned k = h->recent_n; k >= 1; k--) {
        const TfaRecentSeg *r =
            &h->recent[(h->recent_pos + TFA_RECENT_SEGS - k) % TFA_RECENT_SEGS];
        if (r->frame == seg->frame_no)
            break;
        if (prev != NULL && (uint16_t)(r->ip_id - prev->ip_id) - 1u >= 64u)
            return false; /* not ascending by small steps */
        if (r->frame == g->frame)
            then = r;
        prev = r;
    }
    if (then != NULL) {
        uint16_t d = (uint16_t)(seg->ip_id - then->ip_id);
        return d != 0 && d <= 1024u; /* a little later, as the steps before it */
    }
    /* the segment after the gap has left the ring (a window of segments
     * went by before the gap was filled): its IP ID, kept with the gap,
     * still tells whether the filler was sent after it */
    if (g->ip_id == 0)
        return false;
    uint16_t d = (uint16_t)(seg->ip_id - g->ip_id);
    return d != 0 && d <= 8192u;
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

/* All the kept bytes acknowledged: the ring goes back to the budget, so a
 * connection with nothing in flight holds none (most live connections,
 * between a response and the next request); the next unacknowledged
 * bytes get one of the size this one had grown to. */
static void keep_release_acked(TfaHalf *h, TfaBudget *budget)
{
    if (h->keep == NULL || h->keep_len != 0)
        return;
    budget->used -= h->keep_cap;
    g_free(h->keep);
    h->keep = NULL; /* keep_cap stays: the size the next one starts at */
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
    uint32_t cap = h->keep != NULL ? h->keep_cap : MIN(MAX(KEEP_MIN, h->keep_cap), max);
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

/* Append the payload beyond the kept bytes, if the segment reaches where
 * they end: an in-order segment, or one that resends some kept bytes and
 * carries new ones after them (its new tail is kept, so that the kept bytes
 * do not stop growing at a partly new segment). */
static void keep_append(TfaHalf *h, const TfaOptions *opts, TfaBudget *budget, TfaStats *stats,
                        const TfaSegment *seg)
{
    if (seg->payload_len == 0 || seg->payload_caplen < seg->payload_len ||
        opts->max_buffer_per_dir == 0)
        return;
    if (h->keep_len == 0)
        h->keep_base = seg->seq;
    uint32_t keep_end = h->keep_base + h->keep_len;
    if (!tfa_seq_in_window(keep_end, seg->seq, seg->payload_len))
        return; /* not contiguous with what is kept */
    uint32_t skip = tfa_seq_diff(keep_end, seg->seq);
    uint32_t add = seg->payload_len - skip;
    keep_reserve(h, opts, budget, stats, h->keep_len + add);
    if (h->keep == NULL)
        return; /* the budget was spent before this direction had any */
    uint32_t room = h->keep_cap - h->keep_len;
    uint32_t n = add < room ? add : room;
    ring_write(h->keep, h->keep_cap, keep_end, seg->payload + skip, n);
    h->keep_len += n;
}

/* Compare a retransmission with the kept bytes; the first differing
 * sequence number, or false.  The bytes of @seg that are kept form one run
 * (both are windows of the sequence space, @seg's shorter than 2^31):
 * from @seg's start when it starts among the kept bytes, else from the
 * kept bytes' start; compared a piece of the ring at a time, and byte by
 * byte only in the piece that differs. */
static bool keep_differs(const TfaHalf *h, const TfaSegment *seg, uint32_t *at)
{
    if (h->keep == NULL || h->keep_len == 0 ||
        seg->payload_caplen < seg->payload_len)
        return false;
    uint32_t d = seg->seq - h->keep_base; /* where @seg starts in the kept bytes */
    uint32_t i, end;                      /* the kept run, as offsets in @seg */
    if (d < h->keep_len) {
        i = 0;
        end = MIN(seg->payload_len, h->keep_len - d);
    } else {
        i = -d; /* @seg reaches the kept bytes' start this far in */
        if (i >= seg->payload_len)
            return false;
        end = (uint32_t)MIN((guint64)seg->payload_len, (guint64)i + h->keep_len);
    }
    uint32_t mask = h->keep_cap - 1;
    while (i < end) {
        uint32_t pos = (seg->seq + i) & mask;
        uint32_t n = MIN(end - i, h->keep_cap - pos);
        if (memcmp(h->keep + pos, seg->payload + i, n) != 0) {
            while (h->keep[pos] == seg->payload[i]) {
                pos++;
                i++;
            }
            *at = seg->seq + i;
            return true;
        }
        i += n;
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

/* A new gap [@start, @end) in @side's stream before the segment @seg; with
 * no room, the oldest is forgotten, undecided, and counted. */
static void hole_add(TfaConn *c, uint8_t side, uint32_t start, uint32_t end, const TfaSegment *seg)
{
    TfaHalf *h = &c->half[side];
    if (h->holes == NULL)
        h->holes = g_new0(TfaHole, TFA_MAX_HOLES); /* once per direction, at its first gap */
    if (h->n_holes == TFA_MAX_HOLES) {
        hole_remove(h, 0);
        tfa_conn_count(c, TFA_COUNT_DIAG(TFA_DIAG_CONN_GAPS_FORGOTTEN), side);
    }
    h->holes[h->n_holes++] = (TfaHole){
        .start = start,
        .end = end,
        .frame = seg->frame_no,
        .ts = seg->ts,
        .ip_id = seg->ip_version == 4 ? seg->ip_id : 0};
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
        const TfaRecentSeg *last = newest(r);
        if (plain_ack && ack == r->next + 1 && last != NULL && last->len == 0 &&
            last->seq == r->next && !(last->flags & (TFA_TH_SYN | TFA_TH_FIN | TFA_TH_RST)) &&
            r->prev_idle >= KEEPALIVE_MIN_IDLE) {
            if (r->contig == r->next && r->n_holes == 0)
                r->contig = ack;
            r->next = ack;
            ev->facts |= TFA_SEQ_PROBE_ACK;
            ev->probe_frame = last->frame;
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

/* A segment of an earlier incarnation of the 4-tuple, delayed in the
 * network: all of it lies before the ISN this incarnation's SYN chose, and
 * its ACK acknowledges nothing of this incarnation (it is below the peer's
 * ISN + 1, which every segment after the handshake covers) - or, as
 * before, it is far from this stream and near the previous one's.  It is
 * judged before anything else, so that its old ACK and window count for
 * nothing (no SEQ_ACK_INVALID, WINDOW_SHRUNK or retransmission). */
static bool stale_segment(const TfaConn *c, const TfaSegment *seg, uint8_t side)
{
    const TfaHalf *h = &c->half[side];
    const TfaEndpoint *s = &c->ep[side], *r = &c->ep[1 - side];
    uint32_t len = seg_len(seg);
    if (!h->started || (seg->flags & TFA_TH_SYN))
        return false;
    if (len > 0 && h->prev_incarnation && tfa_seq_diff(seg->seq, h->next) > STALE_DISTANCE &&
        tfa_seq_diff(h->next, seg->seq) > STALE_DISTANCE &&
        (tfa_seq_diff(seg->seq, h->prev_next) < STALE_NEAR ||
         tfa_seq_diff(h->prev_next, seg->seq) < STALE_NEAR))
        return true;
    if (!h->syn_seen || !s->iss_known || !r->iss_known || !(seg->flags & TFA_TH_ACK) ||
        c->half[1 - side].started == false || !c->half[1 - side].syn_seen)
        return false;
    return len > 0 && tfa_seq_le(seg->seq + len, s->iss + 1) && tfa_seq_lt(seg->ack, r->iss + 1);
}

/* Whether @side's stream carried anything beyond its SYN. */
static bool in_stream(const TfaConn *c, uint8_t side)
{
    const TfaHalf *h = &c->half[side];
    return h->started && c->ep[side].iss_known && h->next != c->ep[side].iss + 1;
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
    if (len == 0)
        return;

    if (tfa_seq_gt(seg->seq, h->next)) {
        /* a gap: the bytes before it were not captured (yet); decided
         * later, when they come late, are acknowledged, or never */
        ev->facts |= TFA_SEQ_NEW_DATA;
        hole_add(c, side, h->next, seg->seq, seg);
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
            else if (seg->ts - g->ts < ooo && !sent_after(h, seg, g))
                ev->facts |= TFA_SEQ_OOO; /* sent before the later bytes, overtaken */
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
        } else if (r->dupacks >= 3 && seg->ts - r->dupack_ts < FAST_RETRANS_WINDOW) {
            /* the hole at the ACK, or a later one the SACK blocks show
             * (RFC 6675 loss recovery): not a timeout */
            ev->facts |= TFA_SEQ_FAST_RETRANS;
        } else {
            ev->facts |= TFA_SEQ_RETRANS;
        }
        /* resent at once, with nothing from the peer that could have asked
         * for it: no loss recovery of a real stack */
        const TfaRecentSeg *first = fills ? NULL : first_sent(h, seg);
        if (first != NULL && seg->ts - first->ts < RETRANS_MIN_GAP &&
            c->side[1 - side].last_frame < first->frame)
            ev->facts |= TFA_SEQ_UNTRIGGERED;
        uint32_t at;
        if (keep_differs(h, seg, &at)) {
            ev->facts |= TFA_SEQ_DATA_DIFFERS;
            ev->differ_at = at;
        }
        keep_append(h, opts, budget, stats, seg);
        if (tfa_seq_gt(end, h->next)) {
            h->next = end;
            h->next_ts = seg->ts;
        }
        if (h->n_holes == 0)
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

/* The opening's times (TfaSeqOpen): a SYN inside the connection opens
 * nothing; a SYN-ACK from the client answers the server's SYN of a
 * simultaneous open. */
static void time_opening(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg, uint8_t side)
{
    TfaSeqOpen *o = &c->open;
    uint16_t f = seg->flags & (TFA_TH_SYN | TFA_TH_ACK | TFA_TH_RST);
    if (tfa_tcpsm_syn_inside(c, opts, seg, side))
        return;
    if (f == TFA_TH_SYN) {
        o->syn_from[side] = true;
        if (side != c->client)
            return;
        if (!o->synack_seen)
            o->syn_ts = seg->ts; /* the SYN that gets answered is the last before the SYN-ACK */
        o->syn_seen = true;
        return;
    }
    if (f == (TFA_TH_SYN | TFA_TH_ACK)) {
        if (side != c->client || !o->syn_from[1 - side])
            o->synack_seen = true;
        return;
    }
    if (f & TFA_TH_RST)
        return;
    /* the client's first acknowledging segment after them, that
     * acknowledges the server's SYN when its ISN is known */
    const TfaEndpoint *srv = &c->ep[1 - c->client];
    if (side == c->client && (f & TFA_TH_ACK) && !o->acked && (o->synack_seen || o->syn_seen) &&
        (!srv->iss_known || tfa_seq_gt(seg->ack, srv->iss))) {
        o->acked = true;
        o->ack_ts = seg->ts;
    }
}

void tfa_seqtrack_segment(TfaConn *c, const TfaOptions *opts, TfaBudget *budget, TfaStats *stats,
                          const TfaSegment *seg, uint8_t side, TfaSeqEvent *ev)
{
    TfaHalf *h = &c->half[side];
    TfaHalf *peer = &c->half[1 - side];
    uint16_t f = seg->flags;

    memset(ev, 0, sizeof(*ev));
    /* from the segments before this one */
    if (c->irtt == 0 && c->open.syn_ts != 0 && c->open.ack_ts != 0)
        c->irtt = c->open.ack_ts - c->open.syn_ts;

    const TfaRecentSeg *orig = NULL;
    uint8_t copy = find_copy(c, h, seg, side, &orig);
    if (copy != TFA_SEQ_COPY_NONE) {
        ev->facts = TFA_SEQ_DUP_FRAME;
        ev->copy_kind = copy;
        ev->copy_of = orig->frame;
        h->recent[orig - h->recent].ts = seg->ts; /* a third copy is as close */
        return;
    }
    /* the silence before it (the first segment captured: unknown, taken
     * as idle) */
    const TfaRecentSeg *mine = newest(h), *theirs = newest(peer);
    TfaTs before = mine != NULL ? mine->ts : 0;
    if (theirs != NULL && theirs->ts > before)
        before = theirs->ts;
    h->prev_idle = mine != NULL || theirs != NULL ? seg->ts - before : G_MAXINT64;
    remember(h, seg);
    time_opening(c, opts, seg, side);

    if (f & TFA_TH_RST)
        return; /* an RST moves no sequence space; tcpsm and the RST detector judge it */
    if (stale_segment(c, seg, side)) {
        ev->facts = TFA_SEQ_STALE;
        return;
    }
    /* a new SYN (another ISN) inside the stream opens nothing of it: the
     * host lost the connection and connects again from the same port; its
     * sequence number is no gap in this stream */
    if ((f & (TFA_TH_SYN | TFA_TH_ACK)) == TFA_TH_SYN && h->started && c->ep[side].iss_known &&
        seg->seq != c->ep[side].iss && in_stream(c, side))
        return;

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

    /* an ACK by the peer beyond what this side had been seen to send */
    ahead_decide(c, seg, side, ev);

    /* probes: at most one byte, one below what it had sent (or the next
     * byte into a zero window); keep-alives and zero-window probes look
     * alike, and only the peer's window tells them apart */
    bool probe_like = false, probe_ack = false;
    /* A probe repeats the last byte the peer has already acknowledged
     * (SND.UNA - 1): one still unacknowledged, sent again, is a
     * retransmission even when it is the last byte sent. */
    /* With only its FIN outstanding, a side still probes at SND.UNA - 1
     * (Windows keeps its keep-alives going in FIN_WAIT_1). */
    bool fin_only = peer->ack_seen && c->hist.fin_sent[side] && h->next == peer->max_ack + 1 &&
                    seg->seq + 1 == peer->max_ack;
    if (!(f & (TFA_TH_SYN | TFA_TH_FIN)) && seg->payload_len <= 1 && h->started &&
        ((seg->seq + 1 == h->next && (!peer->ack_seen || tfa_seq_ge(peer->max_ack, h->next))) ||
         fin_only || (seg->payload_len == 1 && seg->seq == h->next && peer->zero))) {
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

    if (f & TFA_TH_ACK) {
        analyse_ack(c, seg, side, probe_like, probe_ack, ev);
        keep_release_acked(peer, budget);
    }
    if (!probe_like)
        analyse_data(c, opts, budget, stats, seg, side, ev);
}
