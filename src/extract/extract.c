/* extract.c - per-direction byte streams written to files (see extract.h). */
#include "config.h"

#include "tcpflow-audit/extract.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXTRACT_MIN_ALLOC 4096u

int tfa_extract_open_dir(const char *path, GError **error)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "--extract: cannot open directory %s: %s", path, g_strerror(errno));
        return -1;
    }
    if (faccessat(fd, ".", W_OK | X_OK, AT_EACCESS) != 0) {
        int err = errno;
        close(fd);
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err),
                    "--extract: cannot write in directory %s: %s", path, g_strerror(err));
        return -1;
    }
    return fd;
}

/* The offset of sequence number @seq: unwrapped against the highest end
 * seen, so a stream may run past 2^32. */
static gint64 offset_of(const TfaExtractDir *d, uint32_t seq)
{
    uint32_t ref = d->base + (uint32_t)d->seen_end;
    return (gint64)d->seen_end + (int32_t)(seq - ref);
}

static inline bool have_bit(const TfaExtractDir *d, guint64 i)
{
    return (d->have[i >> 3] >> (i & 7)) & 1u;
}

static void set_bits(TfaExtractDir *d, guint64 from, guint64 to)
{
    while (from < to && (from & 7) != 0) {
        d->have[from >> 3] |= (uint8_t)(1u << (from & 7));
        from++;
    }
    if (to - from >= 8) {
        guint64 n = (to - from) >> 3;
        memset(d->have + (from >> 3), 0xff, n);
        from += n << 3;
    }
    while (from < to) {
        d->have[from >> 3] |= (uint8_t)(1u << (from & 7));
        from++;
    }
}

/* Grow @d's buffer to hold @end bytes, geometrically, within the caps;
 * returns how many bytes it can hold. */
static guint64 grow(TfaExtractDir *d, const TfaOptions *o, TfaExtractBudget *b, guint64 end)
{
    if (end <= d->cap)
        return d->cap;
    guint64 want = d->cap < EXTRACT_MIN_ALLOC ? EXTRACT_MIN_ALLOC : d->cap;
    while (want < end)
        want *= 2;
    if (want > o->extract_max_bytes)
        want = o->extract_max_bytes;
    guint64 room = b->limit > b->held ? b->limit - b->held : 0;
    if (want - d->cap > room) /* under pressure: only what this segment needs */
        want = end - d->cap <= room ? end : d->cap + room;
    if (want <= d->cap)
        return d->cap;
    d->buf = g_realloc(d->buf, want);
    guint64 old_map = (d->cap + 7) / 8, new_map = (want + 7) / 8;
    d->have = g_realloc(d->have, new_map);
    memset(d->have + old_map, 0, new_map - old_map);
    b->held += want - d->cap;
    d->cap = want;
    return want;
}

static void sha256_of(const uint8_t *p, gsize n, uint8_t out[32])
{
    GChecksum *cs = g_checksum_new(G_CHECKSUM_SHA256);
    gsize len = 32;
    g_checksum_update(cs, p, (gssize)n);
    g_checksum_get_digest(cs, out, &len);
    g_checksum_free(cs);
}

void tfa_extract_hex(const uint8_t *digest, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[64] = '\0';
}

static void add_differ(TfaExtractDir *d, guint64 from, guint64 to, const uint8_t *later)
{
    d->differs_total++;
    if (d->n_differs >= TFA_EXTRACT_MAX_RANGES)
        return;
    TfaExtractDiffer *r = &d->differs[d->n_differs++];
    r->from = from;
    r->to = to;
    sha256_of(d->buf + from, (gsize)(to - from), r->first_sha256);
    sha256_of(later, (gsize)(to - from), r->later_sha256);
}

/* Store [off, off + n) of @d from @p: the first copy of a byte wins. */
static void store(TfaExtractDir *d, const TfaOptions *o, TfaExtractBudget *b, TfaStats *stats,
                  TfaConn *c, uint8_t side, guint64 off, const uint8_t *p, guint64 n)
{
    guint64 end = off + n;
    guint64 room = grow(d, o, b, end);
    if (room > d->limit)
        room = d->limit;
    if (end > room) {
        guint64 cut = off >= room ? n : end - room;
        if (d->over_cap == 0) {
            tfa_stats_count(stats, TFA_DIAG_EXTRACT_CAP_HIT);
            tfa_conn_count(c, TFA_COUNT_DIAG(TFA_DIAG_EXTRACT_CAP_HIT), side);
        }
        d->over_cap += cut;
        if (room < d->limit)
            d->limit = room;
        if (off >= room)
            return;
        n -= cut;
        end = off + n;
    }
    guint64 i = off;
    if (off < d->stored_end) { /* overlaps what is held: compare byte by byte */
        guint64 stop = end < d->stored_end ? end : d->stored_end;
        while (i < stop) {
            if (!have_bit(d, i)) {
                d->buf[i] = p[i - off];
                set_bits(d, i, i + 1);
                i++;
                continue;
            }
            if (d->buf[i] == p[i - off]) {
                i++;
                continue;
            }
            guint64 from = i;
            while (i < stop && have_bit(d, i) && d->buf[i] != p[i - off])
                i++;
            add_differ(d, from, i, p + (from - off));
        }
    }
    if (i < end) {
        memcpy(d->buf + i, p + (i - off), (size_t)(end - i));
        set_bits(d, i, end);
        d->stored_end = end;
    }
}

void tfa_extract_segment(TfaConn *c, const TfaOptions *o, TfaExtractBudget *b, TfaStats *stats,
                         const TfaSegment *seg, uint8_t side)
{
    if (o->extract_fd < 0 || !tfa_options_conn_selected(o, c->id))
        return;
    if (c->extract == NULL) {
        c->extract = g_new0(TfaExtract, 1);
        c->extract->dir[0].limit = c->extract->dir[1].limit = G_MAXUINT64;
        c->extract->fill = -1;
    }
    TfaExtract *x = c->extract;
    TfaExtractDir *d = &x->dir[side], *peer = &x->dir[1 - side];
    if ((seg->flags & TFA_TH_ACK) && peer->based) {
        gint64 a = offset_of(peer, seg->ack);
        if (a > 0 && (!peer->acked_known || (guint64)a > peer->acked))
            peer->acked = (guint64)a;
        peer->acked_known = true;
    }
    uint32_t seq = seg->seq;
    if (seg->flags & TFA_TH_SYN) {
        seq++;
        if (!d->based) {
            d->based = true;
            d->base = seq;
        }
    }
    guint64 len = seg->payload_len;
    if (!d->based) {
        if (len == 0 && !(seg->flags & TFA_TH_FIN))
            return;
        d->based = true;
        d->base = seq;
    }
    if (seg->flags & TFA_TH_RST) { /* its payload is diagnostic text, never delivered */
        x->rst = true;
        d->after_rst += len;
        return;
    }
    /* after an RST, an endpoint the state machine saw closed delivers nothing
     * more: the RST was accepted by it (RFC 5961 §3.2: at exactly RCV.NXT) or
     * it sent one itself; a challenged or ignored RST changes nothing */
    if (x->rst && c->ep[1 - side].state == TFA_TCP_CLOSED) {
        d->after_rst += len;
        return;
    }
    gint64 soff = offset_of(d, seq);
    guint64 caplen = seg->payload_caplen < len ? seg->payload_caplen : len;
    const uint8_t *p = seg->payload;
    if (soff < 0) {
        guint64 skip = (guint64)(-soff);
        if (skip >= len) {
            d->before_start += len;
            return;
        }
        d->before_start += skip;
        len -= skip;
        caplen = caplen > skip ? caplen - skip : 0;
        p += skip;
        soff = 0;
    }
    guint64 off = (guint64)soff;
    if (d->fin && off + len > d->fin_off) {
        guint64 beyond = off >= d->fin_off ? len : off + len - d->fin_off;
        d->after_fin += beyond;
        len -= beyond;
        if (caplen > len)
            caplen = len;
    } else if ((seg->flags & TFA_TH_FIN) && !d->fin) {
        d->fin = true;
        d->fin_off = off + len;
    }
    if (len > 0 && off + len > d->seen_end)
        d->seen_end = off + len;
    if (caplen > 0 && p != NULL)
        store(d, o, b, stats, c, side, off, p, caplen);
}

static void free_dir(TfaExtractDir *d, TfaExtractBudget *b)
{
    if (b != NULL)
        b->held = b->held > d->cap ? b->held - d->cap : 0;
    g_clear_pointer(&d->buf, g_free);
    g_clear_pointer(&d->have, g_free);
    d->cap = 0;
}

void tfa_extract_release(TfaConn *c, TfaExtractBudget *b)
{
    if (c->extract == NULL)
        return;
    for (int s = 0; s < 2; s++)
        free_dir(&c->extract->dir[s], b);
}

void tfa_extract_free(TfaExtract *x)
{
    if (x == NULL)
        return;
    for (int s = 0; s < 2; s++)
        free_dir(&x->dir[s], NULL);
    g_free(x);
}

static int addr_part(char *buf, size_t len, const TfaAddr *a)
{
    const uint8_t *b = a->bytes;
    if (a->family == 4)
        return g_snprintf(buf, len, "%03u.%03u.%03u.%03u", b[0], b[1], b[2], b[3]);
    return g_snprintf(buf, len, "%02x%02x.%02x%02x.%02x%02x.%02x%02x.%02x%02x.%02x%02x.%02x%02x.%02x%02x",
                      b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
                      b[12], b[13], b[14], b[15]);
}

void tfa_extract_name(const TfaConn *c, uint8_t side, char *buf, size_t len)
{
    char src[48], dst[48];
    addr_part(src, sizeof(src), &c->key.addr[side]);
    addr_part(dst, sizeof(dst), &c->key.addr[1 - side]);
    g_snprintf(buf, len, "%012" G_GUINT64_FORMAT "-%u-%c-%s.%05u-%s.%05u", c->id,
               (unsigned)c->incarnation, side == c->client ? 'c' : 's', src,
               (unsigned)c->key.port[side], dst, (unsigned)c->key.port[1 - side]);
}

static bool write_all(int fd, const uint8_t *p, guint64 n, GChecksum *cs, int *err)
{
    g_checksum_update(cs, p, (gssize)n);
    while (n > 0) {
        ssize_t w = write(fd, p, n > (1u << 30) ? (1u << 30) : (size_t)n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            *err = errno;
            return false;
        }
        p += w;
        n -= (guint64)w;
    }
    return true;
}

static void add_hole(TfaExtractDir *d, guint64 from, guint64 to)
{
    d->holes_total++;
    d->hole_bytes += to - from;
    if (d->n_holes >= TFA_EXTRACT_MAX_RANGES)
        return;
    TfaExtractHole *h = &d->holes[d->n_holes++];
    h->from = from;
    h->to = to;
    h->acked = d->acked_known && d->acked >= to;
}

static void finish_dir(TfaConn *c, const TfaOptions *o, TfaStats *stats, uint8_t side)
{
    TfaExtractDir *d = &c->extract->dir[side];
    d->done = true;
    /* the stream's end: data seen, or acknowledged (FIN's octet excluded) */
    guint64 end = d->seen_end;
    if (d->acked_known) {
        guint64 a = d->acked;
        if (d->fin && a > d->fin_off)
            a = d->fin_off;
        if (a > end)
            end = a;
    }
    if (end > d->limit)
        end = d->limit; /* beyond, the bytes are counted in over_cap, not holes */
    /* holes */
    guint64 i = 0;
    while (i < end) {
        if (i < d->cap && have_bit(d, i)) {
            i++;
            continue;
        }
        guint64 from = i;
        while (i < end && !(i < d->cap && have_bit(d, i)))
            i++;
        add_hole(d, from, i);
    }
    guint64 present = end - d->hole_bytes;
    guint64 out = o->extract_fill >= 0 ? end : present;
    if (out == 0)
        return;
    char name[TFA_EXTRACT_NAME_MAX];
    tfa_extract_name(c, side, name, sizeof(name));
    int fd = openat(o->extract_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    0644);
    if (fd < 0) {
        d->err = errno;
        tfa_stats_count(stats, TFA_DIAG_EXTRACT_WRITE_FAILED);
        return;
    }
    GChecksum *cs = g_checksum_new(G_CHECKSUM_SHA256);
    uint8_t fill[4096];
    memset(fill, o->extract_fill >= 0 ? o->extract_fill : 0, sizeof(fill));
    bool ok = true;
    i = 0;
    while (ok && i < end) {
        bool h = !(i < d->cap && have_bit(d, i));
        guint64 from = i;
        while (i < end && h == !(i < d->cap && have_bit(d, i)))
            i++;
        if (!h) {
            ok = write_all(fd, d->buf + from, i - from, cs, &d->err);
        } else if (o->extract_fill >= 0) {
            for (guint64 k = from; ok && k < i; k += sizeof(fill)) {
                guint64 n = i - k < sizeof(fill) ? i - k : sizeof(fill);
                ok = write_all(fd, fill, n, cs, &d->err);
            }
        }
    }
    if (close(fd) != 0 && ok) {
        d->err = errno;
        ok = false;
    }
    if (!ok)
        tfa_stats_count(stats, TFA_DIAG_EXTRACT_WRITE_FAILED);
    g_strlcpy(d->name, name, sizeof(d->name));
    d->bytes = out;
    gsize dlen = sizeof(d->sha256);
    g_checksum_get_digest(cs, d->sha256, &dlen);
    g_checksum_free(cs);
}

void tfa_extract_finish(TfaConn *c, const TfaOptions *o, TfaExtractBudget *b, TfaStats *stats)
{
    if (c->extract == NULL)
        return;
    c->extract->fill = o->extract_fill;
    for (uint8_t s = 0; s < 2; s++)
        finish_dir(c, o, stats, s);
    tfa_extract_release(c, b);
}

static void dir_json(TfaJson *j, const char *key, const TfaExtract *x, uint8_t side)
{
    const TfaExtractDir *d = &x->dir[side];
    char hex[65];
    tfa_json_begin_object(j, key);
    if (d->name[0] != '\0')
        tfa_json_string(j, "file", d->name);
    else
        tfa_json_null(j, "file");
    if (d->err != 0)
        tfa_json_string(j, "error", g_strerror(d->err));
    else
        tfa_json_null(j, "error");
    tfa_json_uint(j, "bytes", d->bytes);
    tfa_extract_hex(d->sha256, hex);
    if (d->name[0] != '\0')
        tfa_json_string(j, "sha256", hex);
    else
        tfa_json_null(j, "sha256");
    tfa_json_uint(j, "hole_bytes", d->hole_bytes);
    tfa_json_uint(j, "holes_total", d->holes_total);
    tfa_json_begin_array(j, "holes");
    for (guint k = 0; k < d->n_holes; k++) {
        tfa_json_begin_object(j, NULL);
        tfa_json_uint(j, "from", d->holes[k].from);
        tfa_json_uint(j, "to", d->holes[k].to);
        tfa_json_bool(j, "acked", d->holes[k].acked);
        tfa_json_end_object(j);
    }
    tfa_json_end_array(j);
    tfa_json_uint(j, "differs_total", d->differs_total);
    tfa_json_begin_array(j, "differs");
    for (guint k = 0; k < d->n_differs; k++) {
        tfa_json_begin_object(j, NULL);
        tfa_json_uint(j, "from", d->differs[k].from);
        tfa_json_uint(j, "to", d->differs[k].to);
        tfa_extract_hex(d->differs[k].first_sha256, hex);
        tfa_json_string(j, "first_sha256", hex);
        tfa_extract_hex(d->differs[k].later_sha256, hex);
        tfa_json_string(j, "later_sha256", hex);
        tfa_json_end_object(j);
    }
    tfa_json_end_array(j);
    tfa_json_uint(j, "after_fin_bytes", d->after_fin);
    tfa_json_uint(j, "after_rst_bytes", d->after_rst);
    tfa_json_uint(j, "before_start_bytes", d->before_start);
    tfa_json_uint(j, "over_cap_bytes", d->over_cap);
    tfa_json_end_object(j);
}

void tfa_extract_json(TfaJson *j, const TfaConnRecord *rec)
{
    const TfaConn *c = rec->conn;
    const TfaExtract *x = c->extract;
    if (x == NULL)
        return;
    tfa_json_begin_object(j, "streams");
    if (x->fill >= 0)
        tfa_json_uint(j, "fill", (uint64_t)x->fill);
    else
        tfa_json_null(j, "fill");
    dir_json(j, "client", x, tfa_conn_side_of(c, TFA_ROLE_CLIENT));
    dir_json(j, "server", x, tfa_conn_side_of(c, TFA_ROLE_SERVER));
    tfa_json_end_object(j);
}
