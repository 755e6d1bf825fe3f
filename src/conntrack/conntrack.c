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

/* The live connections by key: open addressing with linear probing, a
 * power of two of slots at most half full.  A slot holds the key's hash
 * (TfaConnKey.hash, computed once per segment) beside the connection, so a
 * probe compares keys only when the hashes agree; removal shifts the rest
 * of the run back, so there are no tombstones and no probe runs long. */
typedef struct ConnSlot {
    uint32_t hash;
    TfaConn *conn; /* NULL: empty */
} ConnSlot;

typedef struct ConnMap {
    ConnSlot *slots;
    guint mask; /* number of slots - 1 */
    guint n;
} ConnMap;

/* The order of activity of one class of connections (open, or closed and
 * lingering), least recently active first, kept lazily: a log of
 * connections in the order they were last active.  A segment appends its
 * connection and clears the connection's earlier entry (TfaConn.age_pos),
 * which is all it writes: no neighbours to relink.  The entries still set,
 * read from the head, are exactly the order a queue relinked on every
 * segment would have.  Cleared entries are skipped at the head and
 * squeezed out when the log fills (it grows only when more than half its
 * entries are live), so it stays within twice the live connections. */
typedef struct AgeLog {
    TfaConn **ring; /* cap entries, a power of two */
    guint64 cap;
    guint64 head, tail; /* absolute positions: entries [head, tail) */
    guint live;         /* entries set */
} AgeLog;

struct TfaConnTable {
    const TfaOptions *opts;
    TfaStats *stats;
    guint32 seed;
    ConnMap table;     /* TfaConn.key -> TfaConn */
    GHashTable *tuples; /* TfaConn.tuple (VLAN tags zero) -> the latest TfaConn on it */
    AgeLog open;       /* live, not closed: least recently active first */
    AgeLog closed;     /* closed, lingering: least recently active first */
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

/* tfa_addr_cmp's order (family, then the bytes as unsigned, first to
 * last), eight bytes at a time: a big-endian word compares as its bytes
 * do. */
static inline int addr_order(const TfaAddr *a, const TfaAddr *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    for (size_t i = 0; i < sizeof(a->bytes); i += 8) {
        uint64_t x, y;
        memcpy(&x, a->bytes + i, 8);
        memcpy(&y, b->bytes + i, 8);
        if (x != y)
            return GUINT64_FROM_BE(x) < GUINT64_FROM_BE(y) ? -1 : 1;
    }
    return 0;
}

void tfa_conntrack_key(const TfaSegment *seg, guint32 seed, TfaConnKey *key, uint8_t *side)
{
    int c = addr_order(&seg->src, &seg->dst);
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

/* ---- the table of live connections -------------------------------------- */

#define MAP_MIN_SLOTS 64u

static void map_init(ConnMap *m, guint slots)
{
    m->slots = g_new0(ConnSlot, slots);
    m->mask = slots - 1;
    m->n = 0;
}

static TfaConn *map_find(const ConnMap *m, const TfaConnKey *key)
{
    for (guint i = key->hash & m->mask;; i = (i + 1) & m->mask) {
        const ConnSlot *s = &m->slots[i];
        if (s->conn == NULL)
            return NULL;
        if (s->hash == key->hash && memcmp(&s->conn->key, key, KEY_BYTES) == 0)
            return s->conn;
    }
}

static void map_put(ConnMap *m, TfaConn *c)
{
    guint i = c->key.hash & m->mask;
    while (m->slots[i].conn != NULL)
        i = (i + 1) & m->mask;
    m->slots[i] = (ConnSlot){.hash = c->key.hash, .conn = c};
    m->n++;
}

/* Insert @c, whose key is not in the table; doubles the table when it
 * would be more than half full. */
static void map_insert(ConnMap *m, TfaConn *c)
{
    if (2 * (m->n + 1) > m->mask + 1) {
        ConnSlot *old = m->slots;
        guint n = m->mask + 1;
        map_init(m, 2 * n);
        for (guint i = 0; i < n; i++)
            if (old[i].conn != NULL)
                map_put(m, old[i].conn);
        g_free(old);
    }
    map_put(m, c);
}

/* Remove @c (in the table); the entries after it in its run move back
 * into the hole where their own probe passes it (backward shift). */
static void map_remove(ConnMap *m, const TfaConn *c)
{
    guint i = c->key.hash & m->mask;
    while (m->slots[i].conn != c)
        i = (i + 1) & m->mask;
    for (guint j = (i + 1) & m->mask; m->slots[j].conn != NULL; j = (j + 1) & m->mask) {
        guint home = m->slots[j].hash & m->mask;
        /* j stays when its home lies cyclically in (i, j] */
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            m->slots[i] = m->slots[j];
            i = j;
        }
    }
    m->slots[i].conn = NULL;
    m->n--;
}

/* ---- the order of activity ---------------------------------------------- */

#define AGE_MIN_CAP 64u

static void age_init(AgeLog *a)
{
    a->cap = AGE_MIN_CAP;
    a->ring = g_new(TfaConn *, a->cap);
    a->head = a->tail = 0;
    a->live = 0;
}

/* The log is full: squeeze out the cleared entries, in a ring twice as
 * large when more than half of them are live. */
static void age_make_room(AgeLog *a)
{
    TfaConn **from = a->ring;
    guint64 mask = a->cap - 1;
    TfaConn **to = from;
    if (a->live > a->cap / 2) {
        a->cap *= 2;
        to = g_new(TfaConn *, a->cap);
    }
    guint64 w = to == from ? a->head : 0;
    guint64 wmask = a->cap - 1;
    for (guint64 r = a->head; r < a->tail; r++) {
        TfaConn *c = from[r & mask];
        if (c == NULL)
            continue;
        to[w & wmask] = c;
        c->age_pos = w++;
    }
    if (to != from) {
        g_free(from);
        a->ring = to;
        a->head = 0;
    }
    a->tail = w;
}

static void age_push(AgeLog *a, TfaConn *c)
{
    if (a->tail - a->head == a->cap)
        age_make_room(a);
    a->ring[a->tail & (a->cap - 1)] = c;
    c->age_pos = a->tail++;
    a->live++;
}

static void age_drop(AgeLog *a, const TfaConn *c)
{
    a->ring[c->age_pos & (a->cap - 1)] = NULL;
    a->live--;
}

/* @c was active: it becomes the most recent. */
static void age_touch(AgeLog *a, TfaConn *c)
{
    if (c->age_pos + 1 == a->tail)
        return; /* already the most recent */
    age_drop(a, c);
    age_push(a, c);
}

/* The least recently active connection, or NULL. */
static TfaConn *age_oldest(AgeLog *a)
{
    for (; a->head < a->tail; a->head++) {
        TfaConn *c = a->ring[a->head & (a->cap - 1)];
        if (c != NULL)
            return c;
    }
    return NULL;
}

TfaConnTable *tfa_conntrack_new(const TfaOptions *opts, TfaStats *stats, guint32 seed)
{
    TfaConnTable *ct = g_new0(TfaConnTable, 1);
    ct->opts = opts;
    ct->stats = stats;
    ct->seed = seed;
    map_init(&ct->table, MAP_MIN_SLOTS);
    ct->tuples = g_hash_table_new(key_hash_func, key_equal_func);
    ct->tombs = g_hash_table_new(key_hash_func, key_equal_func);
    g_queue_init(&ct->tomb_queue);
    g_queue_init(&ct->idle_queue);
    age_init(&ct->open);
    age_init(&ct->closed);
    ct->next_id = 1;
    return ct;
}

static void free_log(AgeLog *a)
{
    for (guint64 r = a->head; r < a->tail; r++) {
        TfaConn *c = a->ring[r & (a->cap - 1)];
        if (c != NULL)
            tfa_conn_free(c);
    }
    g_free(a->ring);
}

void tfa_conntrack_free(TfaConnTable *ct)
{
    if (ct == NULL)
        return;
    g_free(ct->table.slots);
    g_hash_table_destroy(ct->tuples);
    g_hash_table_destroy(ct->tombs);
    free_log(&ct->open);
    free_log(&ct->closed);
    GList *l;
    while ((l = g_queue_pop_head_link(&ct->tomb_queue)) != NULL)
        g_free(l->data);
    while ((l = g_queue_pop_head_link(&ct->idle_queue)) != NULL)
        g_free(l->data);
    g_free(ct);
}

guint tfa_conntrack_size(const TfaConnTable *ct)
{
    return ct->table.n;
}

static bool conn_closed(const TfaConn *c)
{
    return c->life.closed;
}

static AgeLog *queue_of(TfaConnTable *ct, const TfaConn *c)
{
    return conn_closed(c) ? &ct->closed : &ct->open;
}

/* The head of a queue of tombstones (inline: looked at on every segment). */
static inline TfaTombstone *tomb_oldest(const GQueue *q)
{
    return q->head != NULL ? q->head->data : NULL;
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
    age_drop(queue_of(ct, c), c);
    map_remove(&ct->table, c);
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

    while ((t = tomb_oldest(&ct->tomb_queue)) != NULL && t->until <= now)
        tomb_drop(ct, t);
    while ((t = tomb_oldest(&ct->idle_queue)) != NULL && t->until <= now)
        tomb_drop(ct, t);

    while ((c = age_oldest(&ct->closed)) != NULL) {
        TfaTs last = MAX(c->side[0].last_ts, c->side[1].last_ts);
        if (now - last < ct->opts->close_linger)
            break;
        retire(ct, c, closed_reason(c), retired);
    }
    while ((c = age_oldest(&ct->open)) != NULL) {
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
    if (ct->table.n >= ct->opts->max_conns) {
        /* At the cap: evict the least recently active, closed ones first. */
        TfaConn *victim = age_oldest(&ct->closed);
        if (victim == NULL)
            victim = age_oldest(&ct->open);
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
    map_insert(&ct->table, c);
    c->tuple = *key;
    c->tuple.vlan[0] = c->tuple.vlan[1] = 0;
    c->tuple.hash = key_hash(&c->tuple, ct->seed);
    g_hash_table_insert(ct->tuples, &c->tuple, c);
    age_push(&ct->open, c);
    ct->stats->conns_total++;
    guint n = ct->table.n;
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
    age_drop(queue_of(ct, c), c);
    c->life.closed = closed;
    c->life.closed_frame = closed ? frame : 0;
    age_push(queue_of(ct, c), c);
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
    TfaConn *c = map_find(&ct->table, &key);
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

    TfaConn *c = map_find(&ct->table, &key);
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
        age_touch(queue_of(ct, c), c);
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
    g_autoptr(GPtrArray) all = g_ptr_array_sized_new(ct->table.n);
    for (guint i = 0; i <= ct->table.mask; i++)
        if (ct->table.slots[i].conn != NULL)
            g_ptr_array_add(all, ct->table.slots[i].conn);
    g_ptr_array_sort(all, by_id);
    for (guint i = 0; i < all->len; i++) {
        TfaConn *c = g_ptr_array_index(all, i);
        retire(ct, c, conn_closed(c) ? closed_reason(c) : TFA_END_CAPTURE_END, retired);
    }
}
