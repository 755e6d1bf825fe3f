/* defrag.c - IP fragment reassembly in a pool set up once (see defrag.h).
 *
 * A datagram in progress (Queue) keeps the header of its first fragment, the
 * disjoint runs of data bytes it holds, sorted, and the pool chunks those
 * bytes live in, each chunk covering TFA_DEFRAG_CHUNK bytes of the datagram
 * at a fixed place.  Queues are found through a chained hash table and aged
 * in a list in order of creation, so expiry looks only at the oldest. */
#include "config.h"

#include "tcpflow-audit/defrag.h"

#include <string.h>

#include "../decode/cursor.h"

#define NONE UINT32_MAX
#define CHUNKS_PER_DGRAM (65536u / TFA_DEFRAG_CHUNK)
#define IP_MAXPACKET 65535u

typedef struct Run {
    uint32_t start, end; /* [start, end) of the fragmentable data */
} Run;

typedef struct Queue {
    /* key */
    uint8_t family;      /* 4 or 6; 0: free */
    uint8_t proto;       /* IPv4 protocol; 0 for IPv6 (not in its key) */
    uint16_t vlan[2];
    uint32_t id;
    uint8_t src[16], dst[16];
    /* links */
    uint32_t hash_next;  /* chain in the bucket, or the free list */
    uint32_t older, newer;
    /* state */
    TfaTs first_ts;
    TfaFrameNo first_frame, last_frame;
    uint32_t fragments;
    uint32_t end;        /* data length, once the last fragment came */
    bool last_seen;
    bool have_first;
    bool overlap_differs;
    uint8_t first_nh;    /* IPv6: the offset-0 fragment's next header */
    uint16_t hdr_len;
    uint16_t nh_at;      /* IPv6: the byte of hdr naming the fragment header */
    uint8_t hdr[TFA_DEFRAG_MAX_HDR];
    uint32_t n_runs;
    Run runs[TFA_DEFRAG_MAX_RUNS];
    uint32_t chunk[CHUNKS_PER_DGRAM];
} Queue;

struct TfaDefrag {
    TfaStats *stats;
    TfaDuration timeout;
    uint32_t seed;
    /* the pool */
    uint8_t *bytes;      /* n_chunks * TFA_DEFRAG_CHUNK */
    uint32_t n_chunks;
    uint32_t *free_chunks; /* a stack of free chunk indexes */
    uint32_t n_free_chunks;
    /* the datagrams in progress */
    Queue *q;
    uint32_t n_queues;
    uint32_t free_queue; /* head of the free list (through hash_next) */
    uint32_t pending;
    uint32_t *bucket;
    uint32_t bucket_mask;
    uint32_t oldest, newest;
    /* the completed datagram */
    uint8_t *out;
};

TfaDefrag *tfa_defrag_new(guint64 max_bytes, TfaDuration timeout, TfaStats *stats)
{
    guint64 chunks = max_bytes / TFA_DEFRAG_CHUNK;
    if (chunks == 0)
        return NULL;
    if (chunks > (1u << 24))
        chunks = 1u << 24; /* 32 GiB: beyond any sensible --max-frag-bytes */
    TfaDefrag *d = g_new0(TfaDefrag, 1);
    d->stats = stats;
    d->timeout = timeout;
    d->seed = g_random_int();
    d->n_chunks = (uint32_t)chunks;
    d->bytes = g_malloc((gsize)chunks * TFA_DEFRAG_CHUNK);
    d->free_chunks = g_new(uint32_t, chunks);
    for (uint32_t i = 0; i < d->n_chunks; i++)
        d->free_chunks[i] = d->n_chunks - 1 - i;
    d->n_free_chunks = d->n_chunks;
    /* every datagram in progress holds at least one chunk */
    d->n_queues = d->n_chunks;
    d->q = g_new0(Queue, d->n_queues);
    for (uint32_t i = 0; i < d->n_queues; i++)
        d->q[i].hash_next = i + 1 < d->n_queues ? i + 1 : NONE;
    d->free_queue = 0;
    uint32_t nb = 16;
    while (nb < d->n_queues)
        nb <<= 1;
    d->bucket = g_new(uint32_t, nb);
    memset(d->bucket, 0xff, nb * sizeof(uint32_t));
    d->bucket_mask = nb - 1;
    d->oldest = d->newest = NONE;
    d->out = g_malloc(TFA_DEFRAG_MAX_HDR + IP_MAXPACKET);
    return d;
}

void tfa_defrag_free(TfaDefrag *d)
{
    if (d == NULL)
        return;
    g_free(d->bytes);
    g_free(d->free_chunks);
    g_free(d->q);
    g_free(d->bucket);
    g_free(d->out);
    g_free(d);
}

guint tfa_defrag_pending(const TfaDefrag *d)
{
    return d->pending;
}

guint64 tfa_defrag_bytes_held(const TfaDefrag *d)
{
    return (guint64)(d->n_chunks - d->n_free_chunks) * TFA_DEFRAG_CHUNK;
}

static void count(TfaDefrag *d, TfaDiag diag)
{
    tfa_stats_count(d->stats, diag);
}

/* The parsed fragment: its key and where its data lies. */
typedef struct Parsed {
    uint8_t family, proto;
    uint32_t id;
    const uint8_t *src, *dst;
    uint32_t off, end;   /* of its data in the datagram */
    bool more;
    const uint8_t *data;
    uint32_t hdr_len;    /* header bytes before the data (IPv6: without the fragment header) */
    uint16_t nh_at;
    uint8_t nh;
} Parsed;

static uint32_t key_hash(const TfaDefrag *d, const Parsed *p, const uint16_t vlan[2])
{
    uint32_t h = 2166136261u ^ d->seed;
    unsigned alen = p->family == 4 ? 4 : 16;
#define MIX(byte) (h = (h ^ (uint8_t)(byte)) * 16777619u)
    for (unsigned i = 0; i < alen; i++) {
        MIX(p->src[i]);
        MIX(p->dst[i]);
    }
    for (unsigned i = 0; i < 4; i++)
        MIX(p->id >> (8 * i));
    MIX(p->proto);
    MIX(p->family);
    MIX(vlan[0]);
    MIX(vlan[0] >> 8);
    MIX(vlan[1]);
    MIX(vlan[1] >> 8);
#undef MIX
    return h;
}

static bool key_equal(const Queue *q, const Parsed *p, const uint16_t vlan[2])
{
    unsigned alen = p->family == 4 ? 4 : 16;
    return q->family == p->family && q->proto == p->proto && q->id == p->id &&
           q->vlan[0] == vlan[0] && q->vlan[1] == vlan[1] && memcmp(q->src, p->src, alen) == 0 &&
           memcmp(q->dst, p->dst, alen) == 0;
}

static void queue_release(TfaDefrag *d, uint32_t qi, uint32_t bucket)
{
    Queue *q = &d->q[qi];
    for (uint32_t *link = &d->bucket[bucket]; *link != NONE; link = &d->q[*link].hash_next) {
        if (*link == qi) {
            *link = q->hash_next;
            break;
        }
    }
    if (q->older != NONE)
        d->q[q->older].newer = q->newer;
    else
        d->oldest = q->newer;
    if (q->newer != NONE)
        d->q[q->newer].older = q->older;
    else
        d->newest = q->older;
    for (unsigned c = 0; c < CHUNKS_PER_DGRAM; c++) {
        if (q->chunk[c] != NONE)
            d->free_chunks[d->n_free_chunks++] = q->chunk[c];
    }
    q->family = 0;
    q->hash_next = d->free_queue;
    d->free_queue = qi;
    d->pending--;
}

static uint32_t queue_bucket(const TfaDefrag *d, const Queue *q)
{
    Parsed p = {
        .family = q->family,
        .proto = q->proto,
        .id = q->id,
        .src = q->src,
        .dst = q->dst,
    };
    return key_hash(d, &p, q->vlan) & d->bucket_mask;
}

static void queue_drop(TfaDefrag *d, uint32_t qi)
{
    queue_release(d, qi, queue_bucket(d, &d->q[qi]));
}

void tfa_defrag_expire(TfaDefrag *d, TfaTs now)
{
    if (d == NULL)
        return;
    while (d->oldest != NONE && now - d->q[d->oldest].first_ts > d->timeout) {
        count(d, TFA_DIAG_DEFRAG_INCOMPLETE);
        queue_drop(d, d->oldest);
    }
}

void tfa_defrag_finish(TfaDefrag *d)
{
    if (d == NULL)
        return;
    while (d->oldest != NONE) {
        count(d, TFA_DIAG_DEFRAG_INCOMPLETE);
        queue_drop(d, d->oldest);
    }
}

/* IPv6: check the headers before the fragment header and find the byte that
 * names it (the fixed header's next header, or the last extension's). */
static bool ipv6_unfragmentable(const uint8_t *ip, uint32_t fh, uint16_t *nh_at)
{
    uint32_t prev = 6, p = 40;
    while (p < fh) {
        uint8_t type = ip[prev];
        uint32_t hlen = type == 51 ? ((uint32_t)ip[p + 1] + 2) * 4 : ((uint32_t)ip[p + 1] + 1) * 8;
        prev = p;
        p += hlen;
    }
    if (p != fh || ip[prev] != 44)
        return false;
    *nh_at = (uint16_t)prev;
    return true;
}

static bool parse(const TfaFragment *f, Parsed *p)
{
    const uint8_t *ip = f->ip;
    if (f->len < 20)
        return false;
    if ((ip[0] >> 4) == 4) {
        uint32_t ihl = (uint32_t)(ip[0] & 0x0fu) * 4;
        if (ihl < 20 || ihl > f->len)
            return false;
        uint16_t frag = tfa_get_be16(ip + 6);
        p->family = 4;
        p->proto = ip[9];
        p->id = tfa_get_be16(ip + 4);
        p->src = ip + 12;
        p->dst = ip + 16;
        p->off = (uint32_t)(frag & 0x1fffu) * 8;
        p->more = (frag & 0x2000u) != 0;
        p->data = ip + ihl;
        p->end = p->off + (f->len - ihl);
        p->hdr_len = ihl;
        p->nh_at = 0;
        p->nh = ip[9];
        return true;
    }
    uint32_t fh = f->frag_hdr;
    if ((ip[0] >> 4) != 6 || fh < 40 || fh + 8 > f->len)
        return false;
    uint16_t fo = tfa_get_be16(ip + fh + 2);
    p->family = 6;
    p->proto = 0;
    p->id = tfa_get_be32(ip + fh + 4);
    p->src = ip + 8;
    p->dst = ip + 24;
    p->off = fo & 0xfff8u;
    p->more = (fo & 1u) != 0;
    p->data = ip + fh + 8;
    p->end = p->off + (f->len - fh - 8);
    p->hdr_len = fh;
    p->nh = ip[fh];
    return ipv6_unfragmentable(ip, fh, &p->nh_at);
}

/* Compare @len bytes at datagram offset @at held in @q with @b. */
static bool held_equal(const TfaDefrag *d, const Queue *q, uint32_t at, const uint8_t *b,
                       uint32_t len)
{
    while (len > 0) {
        uint32_t ci = at / TFA_DEFRAG_CHUNK, in = at % TFA_DEFRAG_CHUNK;
        uint32_t n = TFA_DEFRAG_CHUNK - in < len ? TFA_DEFRAG_CHUNK - in : len;
        if (memcmp(d->bytes + (size_t)q->chunk[ci] * TFA_DEFRAG_CHUNK + in, b, n) != 0)
            return false;
        at += n;
        b += n;
        len -= n;
    }
    return true;
}

static void held_copy(TfaDefrag *d, const Queue *q, uint32_t at, const uint8_t *b, uint32_t len)
{
    while (len > 0) {
        uint32_t ci = at / TFA_DEFRAG_CHUNK, in = at % TFA_DEFRAG_CHUNK;
        uint32_t n = TFA_DEFRAG_CHUNK - in < len ? TFA_DEFRAG_CHUNK - in : len;
        memcpy(d->bytes + (size_t)q->chunk[ci] * TFA_DEFRAG_CHUNK + in, b, n);
        at += n;
        b += n;
        len -= n;
    }
}

static uint32_t queue_new(TfaDefrag *d, const Parsed *p, const TfaFragment *f, uint32_t bucket)
{
    uint32_t qi = d->free_queue;
    Queue *q = &d->q[qi];
    d->free_queue = q->hash_next;
    memset(q, 0, sizeof(*q));
    memset(q->chunk, 0xff, sizeof(q->chunk));
    unsigned alen = p->family == 4 ? 4 : 16;
    q->family = p->family;
    q->proto = p->proto;
    q->id = p->id;
    q->vlan[0] = f->vlan[0];
    q->vlan[1] = f->vlan[1];
    memcpy(q->src, p->src, alen);
    memcpy(q->dst, p->dst, alen);
    q->first_ts = f->ts;
    q->first_frame = f->frame_no;
    q->last_frame = f->frame_no;
    q->hash_next = d->bucket[bucket];
    d->bucket[bucket] = qi;
    q->older = d->newest;
    q->newer = NONE;
    if (d->newest != NONE)
        d->q[d->newest].newer = qi;
    else
        d->oldest = qi;
    d->newest = qi;
    d->pending++;
    return qi;
}

static uint16_t ipv4_checksum(const uint8_t *h, uint32_t len)
{
    uint32_t sum = 0;
    for (uint32_t i = 0; i + 1 < len; i += 2)
        sum += tfa_get_be16(h + i);
    while (sum >> 16)
        sum = (sum & 0xffffu) + (sum >> 16);
    return (uint16_t)~sum;
}

static void build(TfaDefrag *d, const Queue *q, TfaDefragOut *out)
{
    uint8_t *o = d->out;
    memcpy(o, q->hdr, q->hdr_len);
    if (q->family == 4) {
        uint32_t tot = q->hdr_len + q->end;
        o[2] = (uint8_t)(tot >> 8);
        o[3] = (uint8_t)tot;
        o[6] &= 0x40u; /* DF kept; MF and the offset cleared */
        o[7] = 0;
        o[10] = o[11] = 0;
        uint16_t sum = ipv4_checksum(o, q->hdr_len);
        o[10] = (uint8_t)(sum >> 8);
        o[11] = (uint8_t)sum;
    } else {
        uint32_t plen = q->hdr_len - 40 + q->end;
        o[4] = (uint8_t)(plen >> 8);
        o[5] = (uint8_t)plen;
        o[q->nh_at] = q->first_nh;
    }
    for (uint32_t at = 0; at < q->end; at += TFA_DEFRAG_CHUNK) {
        uint32_t n = q->end - at < TFA_DEFRAG_CHUNK ? q->end - at : TFA_DEFRAG_CHUNK;
        memcpy(o + q->hdr_len + at,
               d->bytes + (size_t)q->chunk[at / TFA_DEFRAG_CHUNK] * TFA_DEFRAG_CHUNK, n);
    }
    out->datagram = o;
    out->len = q->hdr_len + q->end;
    out->first_frame = q->first_frame;
    out->last_frame = q->last_frame;
    out->fragments = q->fragments;
    out->overlap_differs = q->overlap_differs;
}

TfaDefragResult tfa_defrag_fragment(TfaDefrag *d, const TfaFragment *f, TfaDefragOut *out)
{
    Parsed p;

    memset(out, 0, sizeof(*out));
    if (f->caplen < f->len)
        return TFA_DEFRAG_NOT_HELD; /* cut by the snaplen: the bytes are not there */
    if (!parse(f, &p)) {
        count(d, TFA_DIAG_DEFRAG_BAD_FRAGMENT);
        return TFA_DEFRAG_HELD;
    }
    uint32_t len = p.end - p.off;
    /* RFC 791 / RFC 8200 §4.5: every fragment but the last carries a multiple
     * of 8 bytes; the datagram fits in 65535 bytes. */
    if (len == 0 || (p.more && (len & 7u) != 0) ||
        (p.family == 4 ? p.hdr_len : p.hdr_len - 40) + p.end > IP_MAXPACKET) {
        count(d, TFA_DIAG_DEFRAG_BAD_FRAGMENT);
        return TFA_DEFRAG_HELD;
    }
    if (p.off == 0 && p.hdr_len > TFA_DEFRAG_MAX_HDR)
        return TFA_DEFRAG_NOT_HELD;

    uint32_t bucket = key_hash(d, &p, f->vlan) & d->bucket_mask;
    uint32_t qi = d->bucket[bucket];
    while (qi != NONE && !key_equal(&d->q[qi], &p, f->vlan))
        qi = d->q[qi].hash_next;
    bool created = false;
    if (qi == NONE) {
        if (d->free_queue == NONE || d->n_free_chunks == 0) {
            count(d, TFA_DIAG_DEFRAG_CAP_HIT);
            return TFA_DEFRAG_NOT_HELD;
        }
        qi = queue_new(d, &p, f, bucket);
        created = true;
    }
    Queue *q = &d->q[qi];

    /* the end of the datagram: known from its last fragment, never moved */
    uint32_t held_end = q->n_runs > 0 ? q->runs[q->n_runs - 1].end : 0;
    if ((!p.more && ((q->last_seen && p.end != q->end) || p.end < held_end)) ||
        (p.more && q->last_seen && p.end > q->end)) {
        count(d, TFA_DIAG_DEFRAG_BAD_FRAGMENT);
        queue_release(d, qi, bucket);
        return TFA_DEFRAG_HELD;
    }

    /* overlaps (Linux's inet_frag_queue_insert): inside one run a
     * duplicate, dropped; across a run's edge, the datagram is dropped */
    bool overlap = false, inside = false, differs = false;
    uint32_t before = 0; /* runs wholly before the fragment */
    bool join_prev = false, join_next = false;
    for (uint32_t i = 0; i < q->n_runs; i++) {
        const Run *r = &q->runs[i];
        if (r->end < p.off) {
            before = i + 1;
            continue;
        }
        if (r->end == p.off) {
            before = i + 1;
            join_prev = true;
            continue;
        }
        if (r->start == p.end) {
            join_next = true;
            break;
        }
        if (r->start > p.end)
            break;
        overlap = true;
        uint32_t a = p.off > r->start ? p.off : r->start;
        uint32_t b = p.end < r->end ? p.end : r->end;
        if (!held_equal(d, q, a, p.data + (a - p.off), b - a))
            differs = true;
        if (p.off >= r->start && p.end <= r->end)
            inside = true;
    }
    if (overlap) {
        if (differs) {
            count(d, TFA_DIAG_DEFRAG_OVERLAP_DIFFERS);
            q->overlap_differs = true;
        }
        if (inside)
            return TFA_DEFRAG_HELD; /* a duplicate: the first copy stays */
        count(d, TFA_DIAG_DEFRAG_OVERLAP_DROPPED);
        queue_release(d, qi, bucket);
        return TFA_DEFRAG_HELD;
    }

    /* room: the new chunks, and a run slot unless it joins a neighbour */
    uint32_t need = 0;
    for (uint32_t c = p.off / TFA_DEFRAG_CHUNK; c <= (p.end - 1) / TFA_DEFRAG_CHUNK; c++)
        need += q->chunk[c] == NONE;
    if (need > d->n_free_chunks || (!join_prev && !join_next && q->n_runs >= TFA_DEFRAG_MAX_RUNS)) {
        count(d, TFA_DIAG_DEFRAG_CAP_HIT);
        if (created)
            queue_release(d, qi, bucket);
        return TFA_DEFRAG_NOT_HELD;
    }
    for (uint32_t c = p.off / TFA_DEFRAG_CHUNK; c <= (p.end - 1) / TFA_DEFRAG_CHUNK; c++) {
        if (q->chunk[c] == NONE)
            q->chunk[c] = d->free_chunks[--d->n_free_chunks];
    }
    held_copy(d, q, p.off, p.data, len);
    if (join_prev && join_next) {
        q->runs[before - 1].end = q->runs[before].end;
        memmove(&q->runs[before], &q->runs[before + 1],
                (q->n_runs - before - 1) * sizeof(Run));
        q->n_runs--;
    } else if (join_prev) {
        q->runs[before - 1].end = p.end;
    } else if (join_next) {
        q->runs[before].start = p.off;
    } else {
        memmove(&q->runs[before + 1], &q->runs[before], (q->n_runs - before) * sizeof(Run));
        q->runs[before] = (Run){p.off, p.end};
        q->n_runs++;
    }
    if (!p.more) {
        q->last_seen = true;
        q->end = p.end;
    }
    q->fragments++;
    if (f->frame_no < q->first_frame)
        q->first_frame = f->frame_no;
    if (f->frame_no > q->last_frame)
        q->last_frame = f->frame_no;
    if (p.off == 0) {
        memcpy(q->hdr, f->ip, p.hdr_len);
        q->hdr_len = (uint16_t)p.hdr_len;
        q->nh_at = p.nh_at;
        q->first_nh = p.nh;
        q->have_first = true;
    }

    if (q->last_seen && q->have_first && q->n_runs == 1 && q->runs[0].start == 0 &&
        q->runs[0].end == q->end) {
        build(d, q, out);
        count(d, TFA_DIAG_DEFRAG_REASSEMBLED);
        queue_release(d, qi, bucket);
        return TFA_DEFRAG_DONE;
    }
    return TFA_DEFRAG_HELD;
}
