/* conntrack.c - connection table: canonical keys, incarnations, originator
 * inference, closing, idle expiry and eviction at the cap. */
#include "config.h"

#include "tcpflow-audit/conntrack.h"

#include "tcpflow-audit/seqnum.h"

#include <string.h>

/* What is remembered of a reported connection that left an endpoint in
 * TIME_WAIT: enough to number the next incarnation and to say that a new
 * SYN reused the 4-tuple within 2*MSL.  Or of one reported open after
 * idle_timeout of silence (idle): enough for the record of its traffic
 * that comes later to say which record it continues. */
typedef struct TfaTombstone {
    TfaConnKey key;
    guint32 incarnation;
    bool idle;             /* an idle-timeout split, not a TIME_WAIT */
    uint8_t side;          /* the endpoint in TIME_WAIT */
    TfaTs time_wait_ts;    /* when TIME_WAIT began */
    TfaTs until;           /* when it ends (idle: when it is forgotten) */
    bool next_known[2];    /* each side's sequence space, to spot its stale segments */
    uint32_t next[2];
    guint64 conn_id;       /* idle: the record it was, its client and its last segment */
    uint8_t client;
    TfaOriginator originator;
    TfaTs last_ts;
    GList link;            /* in its queue (tomb_queue or idle_queue), oldest first */
} TfaTombstone;

struct TfaConnTable {
    const TfaOptions *opts;
    TfaStats *stats;
    guint32 seed;
    GHashTable *table; /* TfaConnKey* (inside the conn) -> TfaConn* */
    GHashTable *tuples; /* TfaConn.tuple (VLAN tags zero) -> the latest TfaConn on it */
    GQueue open;       /* live, not closed: least recently active first */
    GQueue closed;     /* closed, lingering: least recently active first */
    GHashTable *tombs; /* TfaConnKey* (inside the tombstone) -> TfaTombstone* */
    GQueue tomb_queue; /* TIME_WAIT tombstones, oldest first */
    GQueue idle_queue; /* idle-timeout tombstones, oldest first */
    guint64 next_id;
};

/* Bytes of the key that take part in equality (the hash itself does not). */
#define KEY_BYTES offsetof(TfaConnKey, hash)

static inline uint64_t rotl64(uint64_t v, unsigned r)
{
    return (v << r) | (v >> (64u - r));
}

/* Keyed hash of the key's bytes, eight at a time (the memset in
 * tfa_conntrack_key zeroes the padding, so equal keys hash equally), with
 * a final avalanche so that the low bits GHashTable uses are well mixed.
 * The engine seeds it randomly per run, so crafted 4-tuples cannot aim at
 * one bucket. */
static guint32 key_hash(const TfaConnKey *k, guint32 seed)
{
    const uint8_t *p = (const uint8_t *)k;
    uint64_t h = 0x9e3779b97f4a7c15u ^ ((uint64_t)seed << 32 | seed);
    size_t i = 0;

    for (; i + 8 <= KEY_BYTES; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, sizeof(w));
        h ^= rotl64(w * 0x87c37b91114253d5u, 31) * 0x4cf5ad432745937fu;
        h = rotl64(h, 27) * 5u + 0x52dce729u;
    }
    uint64_t tail = 0;
    memcpy(&tail, p + i, KEY_BYTES - i);
    h ^= rotl64(tail * 0x87c37b91114253d5u, 31) * 0x4cf5ad432745937fu;
    /* final avalanche (MurmurHash3's fmix64 constants) */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    h ^= h >> 33;
    return (guint32)h;
}

static guint key_hash_func(gconstpointer k)
{
    return ((const TfaConnKey *)k)->hash;
}

static gboolean key_equal_func(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, KEY_BYTES) == 0;
}

void tfa_conntrack_key(const TfaSegment *seg, guint32 seed, TfaConnKey *key, uint8_t *side)
{
    int c = tfa_addr_cmp(&seg->src, &seg->dst);
    bool src_first = c < 0 || (c == 0 && seg->sport <= seg->dport);

    memset(key, 0, sizeof(*key));
    uint8_t s = src_first ? 0 : 1;
    key->addr[s] = seg->src;
    key->port[s] = seg->sport;
    key->addr[1 - s] = seg->dst;
    key->port[1 - s] = seg->dport;
    key->vlan[0] = seg->vlan[0];
    key->vlan[1] = seg->vlan[1];
    key->hash = key_hash(key, seed);
    *side = s;
}

TfaConnTable *tfa_conntrack_new(const TfaOptions *opts, TfaStats *stats, guint32 seed)
{
    TfaConnTable *ct = g_new0(TfaConnTable, 1);
    ct->opts = opts;
    ct->stats = stats;
    ct->seed = seed;
    ct->table = g_hash_table_new(key_hash_func, key_equal_func);
    ct->tuples = g_hash_table_new(key_hash_func, key_equal_func);
    ct->tombs = g_hash_table_new(key_hash_func, key_equal_func);
    g_queue_init(&ct->tomb_queue);
    g_queue_init(&ct->idle_queue);
    g_queue_init(&ct->open);
    g_queue_init(&ct->closed);
    ct->next_id = 1;
    return ct;
}

static void free_queue(GQueue *q)
{
    GList *l;
    while ((l = g_queue_pop_head_link(q)) != NULL)
        tfa_conn_free(l->data);
}

void tfa_conntrack_free(TfaConnTable *ct)
{
    if (ct == NULL)
        return;
    g_hash_table_destroy(ct->table);
    g_hash_table_destroy(ct->tuples);
    g_hash_table_destroy(ct->tombs);
    free_queue(&ct->open);
    free_queue(&ct->closed);
    GList *l;
    while ((l = g_queue_pop_head_link(&ct->tomb_queue)) != NULL)
        g_free(l->data);
    while ((l = g_queue_pop_head_link(&ct->idle_queue)) != NULL)
        g_free(l->data);
    g_free(ct);
}

guint tfa_conntrack_size(const TfaConnTable *ct)
{
    return g_hash_table_size(ct->table);
}

static bool conn_closed(const TfaConn *c)
{
    return c->life.closed;
}

static GQueue *queue_of(TfaConnTable *ct, const TfaConn *c)
{
    return conn_closed(c) ? &ct->closed : &ct->open;
}

static void tomb_drop(TfaConnTable *ct, TfaTombstone *t)
{
    g_hash_table_remove(ct->tombs, &t->key);
    g_queue_unlink(t->idle ? &ct->idle_queue : &ct->tomb_queue, &t->link);
    g_free(t);
}

/* Make room for one more tombstone at the cap: the oldest idle one goes
 * first (only a hint is lost), else the oldest TIME_WAIT (counted). */
static void tomb_room(TfaConnTable *ct)
{
    if (g_hash_table_size(ct->tombs) < ct->opts->max_conns)
        return;
    TfaTombstone *old = g_queue_peek_head(&ct->idle_queue);
    if (old == NULL) {
        old = g_queue_peek_head(&ct->tomb_queue);
        tfa_stats_count(ct->stats, TFA_DIAG_CONN_TIME_WAIT_FORGOTTEN);
    }
    if (old != NULL)
        tomb_drop(ct, old);
}

/* A new tombstone of @c's key, in place of any older one, with room made
 * at the cap; the caller fills in what kind it is and queues it. */
static TfaTombstone *tomb_new(TfaConnTable *ct, const TfaConn *c, TfaTs until)
{
    TfaTombstone *old = g_hash_table_lookup(ct->tombs, &c->key);
    if (old != NULL)
        tomb_drop(ct, old);
    tomb_room(ct);
    TfaTombstone *t = g_new0(TfaTombstone, 1);
    t->key = c->key;
    t->incarnation = c->incarnation;
    t->until = until;
    for (int k = 0; k < 2; k++) {
        t->next_known[k] = c->half[k].started;
        t->next[k] = c->half[k].next;
    }
    t->link.data = t;
    g_hash_table_insert(ct->tombs, &t->key, t);
    return t;
}

/* Remember a connection reported after idle_timeout of silence, for
 * another idle_timeout. */
static void tomb_add_idle(TfaConnTable *ct, const TfaConn *c, TfaTs now)
{
    TfaTombstone *t = tomb_new(ct, c, now + ct->opts->idle_timeout);
    t->idle = true;
    t->conn_id = c->id;
    t->client = c->client;
    t->originator = c->originator;
    t->last_ts = MAX(c->side[0].last_ts, c->side[1].last_ts);
    g_queue_push_tail_link(&ct->idle_queue, &t->link);
}

/* Remember an endpoint left in TIME_WAIT (at most max_conns of them). */
static void tomb_add(TfaConnTable *ct, const TfaConn *c)
{
    for (uint8_t i = 0; i < 2; i++) {
        if (c->ep[i].state != TFA_TCP_TIME_WAIT)
            continue;
        TfaTombstone *t = tomb_new(ct, c, c->ep[i].time_wait_ts + 2 * ct->opts->msl);
        t->side = i;
        t->time_wait_ts = c->ep[i].time_wait_ts;
        g_queue_push_tail_link(&ct->tomb_queue, &t->link);
        return;
    }
}

static void retire(TfaConnTable *ct, TfaConn *c, TfaEndReason why, GQueue *retired)
{
    if (why != TFA_END_NEW_INCARNATION && why != TFA_END_CAPTURE_END)
        tomb_add(ct, c);
    g_queue_unlink(queue_of(ct, c), &c->age_link);
    g_hash_table_remove(ct->table, &c->key);
    if (g_hash_table_lookup(ct->tuples, &c->tuple) == c)
        g_hash_table_remove(ct->tuples, &c->tuple);
    c->end_reason = why;
    c->retired = true;
    g_queue_push_tail_link(retired, &c->age_link);
}

/* Ended by reset only when an RST reset something: one its receiver did
 * not accept (outside the window, or challenged, RFC 5961) left the
 * connection to close as it did.  RSTs beyond the kept ones may have. */
static TfaEndReason closed_reason(const TfaConn *c)
{
    if (!c->life.rst_seen)
        return TFA_END_CLOSED;
    if (c->rsts == NULL || c->rsts_total > c->rsts->len)
        return TFA_END_RESET;
    for (guint i = 0; i < c->rsts->len; i++) {
        uint8_t a = g_array_index(c->rsts, TfaRstInfo, i).accept;
        if (a == TFA_RST_ACCEPTED || a == TFA_RST_NO_STATE)
            return TFA_END_RESET;
    }
    return TFA_END_CLOSED;
}

void tfa_conntrack_expire(TfaConnTable *ct, TfaTs now, GQueue *retired)
{
    TfaConn *c;
    TfaTombstone *t;

    while ((t = g_queue_peek_head(&ct->tomb_queue)) != NULL && t->until <= now)
        tomb_drop(ct, t);
    while ((t = g_queue_peek_head(&ct->idle_queue)) != NULL && t->until <= now)
        tomb_drop(ct, t);

    while ((c = g_queue_peek_head(&ct->closed)) != NULL) {
        TfaTs last = MAX(c->side[0].last_ts, c->side[1].last_ts);
        if (now - last < ct->opts->close_linger)
            break;
        retire(ct, c, closed_reason(c), retired);
    }
    while ((c = g_queue_peek_head(&ct->open)) != NULL) {
        TfaTs last = MAX(c->side[0].last_ts, c->side[1].last_ts);
        if (now - last < ct->opts->idle_timeout)
            break;
        retire(ct, c, TFA_END_IDLE_TIMEOUT, retired);
        tomb_add_idle(ct, c, now);
    }
}

/* Well-known and registered ports are servers; the IANA dynamic range
 * (49152-65535) and Linux's default ephemeral range (32768-60999) are
 * clients.  Returns the side that looks like the server, or -1. */
static int server_side_by_port(const TfaConnKey *k)
{
    uint16_t p0 = k->port[0], p1 = k->port[1];
    bool e0 = p0 >= 32768, e1 = p1 >= 32768;

    if (p0 < 1024 && p1 >= 1024)
        return 0;
    if (p1 < 1024 && p0 >= 1024)
        return 1;
    if (!e0 && e1)
        return 0;
    if (!e1 && e0)
        return 1;
    return -1;
}

static void decide_originator(TfaConn *c, const TfaSegment *seg, uint8_t side)
{
    uint16_t f = seg->flags;

    if ((f & (TFA_TH_SYN | TFA_TH_ACK)) == TFA_TH_SYN) {
        c->client = side;
        c->originator = TFA_ORIGINATOR_SYN;
    } else if ((f & (TFA_TH_SYN | TFA_TH_ACK)) == (TFA_TH_SYN | TFA_TH_ACK)) {
        c->client = (uint8_t)(1 - side);
        c->originator = TFA_ORIGINATOR_SYNACK;
    } else {
        int srv = server_side_by_port(&c->key);
        if (srv >= 0) {
            c->client = (uint8_t)(1 - srv);
            c->originator = TFA_ORIGINATOR_PORT;
        } else {
            c->client = side;
            c->originator = TFA_ORIGINATOR_FIRST_PACKET;
        }
    }
}

static TfaConn *create(TfaConnTable *ct, const TfaConnKey *key, guint32 incarnation,
                       GQueue *retired)
{
    if (g_hash_table_size(ct->table) >= ct->opts->max_conns) {
        /* At the cap: evict the least recently active, closed ones first. */
        TfaConn *victim = g_queue_peek_head(&ct->closed);
        if (victim == NULL)
            victim = g_queue_peek_head(&ct->open);
        if (victim != NULL) {
            retire(ct, victim, TFA_END_EVICTED, retired);
            tfa_stats_count(ct->stats, TFA_DIAG_CONN_EVICTED);
        }
    }
    TfaConn *c = g_new0(TfaConn, 1);
    c->key = *key;
    c->id = ct->next_id++;
    c->incarnation = incarnation;
    c->age_link.data = c;
    g_hash_table_insert(ct->table, &c->key, c);
    c->tuple = *key;
    c->tuple.vlan[0] = c->tuple.vlan[1] = 0;
    c->tuple.hash = key_hash(&c->tuple, ct->seed);
    g_hash_table_insert(ct->tuples, &c->tuple, c);
    g_queue_push_tail_link(&ct->open, &c->age_link);
    ct->stats->conns_total++;
    guint n = g_hash_table_size(ct->table);
    if (n > ct->stats->conns_peak)
        ct->stats->conns_peak = n;
    return c;
}

/* Update the opening facts with a segment from @side. */
static void track_lifecycle(TfaConn *c, const TfaSegment *seg, uint8_t side)
{
    TfaLifecycle *l = &c->life;
    uint16_t f = seg->flags;
    uint8_t peer = (uint8_t)(1 - side);

    if (f & TFA_TH_SYN) {
        if (!l->syn_seen[side] && !l->synack_seen[side])
            l->isn_open[side] = seg->seq;
        if (f & TFA_TH_ACK)
            l->synack_seen[side] = true;
        else
            l->syn_seen[side] = true;
        l->isn[side] = seg->seq;
        /* A SYN captured after its SYN-ACK settles who the client is. */
        if (!(f & TFA_TH_ACK) && c->originator != TFA_ORIGINATOR_SYN && !l->syn_seen[peer]) {
            c->client = side;
            c->originator = TFA_ORIGINATOR_SYN;
        }
    }
    if (f & TFA_TH_RST)
        l->rst_seen = true;
}

void tfa_conntrack_set_closed(TfaConnTable *ct, TfaConn *c, bool closed, TfaFrameNo frame)
{
    if (c->retired || c->life.closed == closed)
        return;
    g_queue_unlink(queue_of(ct, c), &c->age_link);
    c->life.closed = closed;
    c->life.closed_frame = closed ? frame : 0;
    g_queue_push_tail_link(queue_of(ct, c), &c->age_link);
}

static void account(TfaConn *c, const TfaSegment *seg, uint8_t side)
{
    TfaSideStats *s = &c->side[side];
    if (s->packets == 0) {
        s->first_frame = seg->frame_no;
        s->first_ts = seg->ts;
    }
    s->packets++;
    s->bytes += seg->payload_len;
    s->bytes_captured += seg->payload_caplen;
    s->flags_seen |= seg->flags;
    s->last_frame = seg->frame_no;
    s->last_ts = seg->ts;
    /* only the set bits: most segments carry none */
    for (uint32_t bits = seg->diags; bits != 0; bits &= bits - 1)
        tfa_conn_count(c, TFA_COUNT_DIAG((unsigned)g_bit_nth_lsf(bits, -1)), side);
}

/* A pure SYN on a tuple whose connection has closed, with a new ISN, opens
 * a new incarnation.  So does the repeat of a SYN that had come inside the
 * connection with another ISN than its opening one (a host rebooted,
 * connecting again from the same port: its SYN drew a challenge ACK, which
 * it reset, closing the old connection; its retry opens the new one). */
static bool starts_new_incarnation(const TfaConn *c, const TfaSegment *seg, uint8_t side)
{
    if ((seg->flags & (TFA_TH_SYN | TFA_TH_ACK | TFA_TH_RST)) != TFA_TH_SYN)
        return false;
    if (!conn_closed(c))
        return false;
    if (!c->life.syn_seen[side] || c->life.isn[side] != seg->seq)
        return true;
    return c->life.isn_open[side] != seg->seq && !c->mid_stream;
}

/* A segment on a VLAN tag where its 4-tuple has no connection: the
 * connection of the 4-tuple on another tag, when this segment's direction
 * has never appeared there (or only on this tag) and the other direction
 * never on this one; an asymmetric path tags each direction differently,
 * and splitting it would leave two half connections.  Where both
 * directions appear on each tag, each tag has its own connection. */
static TfaConn *asymmetric_vlan(TfaConnTable *ct, const TfaConnKey *key, const TfaSegment *seg,
                                uint8_t side)
{
    TfaConnKey tuple = *key;
    tuple.vlan[0] = tuple.vlan[1] = 0;
    tuple.hash = key_hash(&tuple, ct->seed);
    TfaConn *c = g_hash_table_lookup(ct->tuples, &tuple);
    if (c == NULL)
        return NULL;
    if (c->vlan_split[side])
        return c->side_vlan[side][0] == seg->vlan[0] && c->side_vlan[side][1] == seg->vlan[1]
                   ? c
                   : NULL;
    if (conn_closed(c) || c->side[side].packets != 0 || c->vlan_split[1 - side] || c->side[1 - side].packets == 0)
        return NULL;
    c->vlan_split[side] = true;
    c->side_vlan[side][0] = seg->vlan[0];
    c->side_vlan[side][1] = seg->vlan[1];
    tfa_conn_count(c, TFA_COUNT_DIAG(TFA_DIAG_CONN_VLAN_ASYMMETRIC), side);
    tfa_stats_count(ct->stats, TFA_DIAG_CONN_VLAN_ASYMMETRIC);
    return c;
}

TfaConn *tfa_conntrack_lookup(TfaConnTable *ct, const TfaSegment *seg, uint8_t *side)
{
    TfaConnKey key;
    tfa_conntrack_key(seg, ct->seed, &key, side);
    TfaConn *c = g_hash_table_lookup(ct->table, &key);
    if (c != NULL)
        return c;
    key.vlan[0] = key.vlan[1] = 0;
    key.hash = key_hash(&key, ct->seed);
    return g_hash_table_lookup(ct->tuples, &key);
}

TfaConn *tfa_conntrack_segment(TfaConnTable *ct, const TfaSegment *seg, uint8_t *side,
                               GQueue *retired, bool *created)
{
    TfaConnKey key;
    tfa_conntrack_key(seg, ct->seed, &key, side);

    TfaConn *c = g_hash_table_lookup(ct->table, &key);
    if (c == NULL)
        c = asymmetric_vlan(ct, &key, seg, *side);
    guint32 incarnation = 1;
    int tw_side = -1;
    TfaDuration tw_after = 0;
    const TfaTombstone *split = NULL;
    TfaTombstone split_copy;
    bool prev_known[2] = {false, false};
    uint32_t prev_next[2] = {0, 0};
    if (c != NULL && starts_new_incarnation(c, seg, *side)) {
        for (int k = 0; k < 2; k++) {
            prev_known[k] = c->half[k].started;
            prev_next[k] = c->half[k].next;
        }
        incarnation = c->incarnation + 1;
        for (uint8_t i = 0; i < 2; i++) {
            if (c->ep[i].state == TFA_TCP_TIME_WAIT &&
                seg->ts - c->ep[i].time_wait_ts < 2 * ct->opts->msl) {
                tw_side = i;
                tw_after = seg->ts - c->ep[i].time_wait_ts;
            }
        }
        c->end_frame = seg->frame_no;
        c->end_ts = seg->ts;
        retire(ct, c, TFA_END_NEW_INCARNATION, retired);
        c = NULL;
    }
    *created = c == NULL;
    if (c == NULL) {
        TfaTombstone *t = g_hash_table_lookup(ct->tombs, &key);
        if (t != NULL) {
            /* the tuple comes back while one side may still be in TIME_WAIT */
            if (!t->idle && (seg->flags & (TFA_TH_SYN | TFA_TH_ACK)) == TFA_TH_SYN &&
                seg->ts < t->until) {
                tw_side = t->side;
                tw_after = seg->ts - t->time_wait_ts;
            }
            incarnation = t->incarnation + 1;
            for (int k = 0; k < 2; k++) {
                prev_known[k] = t->next_known[k];
                prev_next[k] = t->next[k];
            }
            /* the same connection after a silence longer than idle_timeout,
             * unless a new SYN opens a new one */
            if (t->idle && (seg->flags & (TFA_TH_SYN | TFA_TH_ACK)) != TFA_TH_SYN) {
                incarnation = t->incarnation;
                split_copy = *t;
                split = &split_copy;
            }
            tomb_drop(ct, t);
        }
        c = create(ct, &key, incarnation, retired);
        decide_originator(c, seg, *side);
        if (split != NULL) {
            c->client = split->client;
            c->originator = split->originator;
            c->continues_id = split->conn_id;
            c->continues_after = seg->ts - split->last_ts;
        }
        for (int k = 0; k < 2 && split == NULL; k++) {
            c->half[k].prev_incarnation = prev_known[k];
            c->half[k].prev_next = prev_next[k];
        }
        if (tw_side >= 0) {
            c->reused_time_wait = true;
            c->reused_side = (uint8_t)tw_side;
            c->reused_after = tw_after;
        }
    } else {
        GQueue *q = queue_of(ct, c);
        g_queue_unlink(q, &c->age_link);
        g_queue_push_tail_link(q, &c->age_link);
    }
    account(c, seg, *side);
    track_lifecycle(c, seg, *side);
    return c;
}

static gint by_id(gconstpointer a, gconstpointer b)
{
    const TfaConn *x = *(TfaConn *const *)a;
    const TfaConn *y = *(TfaConn *const *)b;
    return x->id < y->id ? -1 : x->id > y->id;
}

void tfa_conntrack_retire_all(TfaConnTable *ct, GQueue *retired)
{
    g_autoptr(GPtrArray) all = g_ptr_array_sized_new(g_hash_table_size(ct->table));
    for (GList *l = ct->open.head; l != NULL; l = l->next)
        g_ptr_array_add(all, l->data);
    for (GList *l = ct->closed.head; l != NULL; l = l->next)
        g_ptr_array_add(all, l->data);
    g_ptr_array_sort(all, by_id);
    for (guint i = 0; i < all->len; i++) {
        TfaConn *c = g_ptr_array_index(all, i);
        retire(ct, c, conn_closed(c) ? closed_reason(c) : TFA_END_CAPTURE_END, retired);
    }
}
