/* pcapng.c - a pcapng reader of our own: sections in either byte order,
 * interfaces of any link type, snapshot length and timestamp resolution
 * (pcapng.h has the contract). */
#include "config.h"

#include "pcapng.h"
#include "inbuf.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <string.h>

#define BLOCK_HEADER 8u   /* type, total length */
#define BLOCK_TRAILER 4u  /* total length again */
#define SHB_MIN_BODY 16u  /* byte-order magic, version, section length */
#define IDB_MIN_BODY 8u   /* link type, reserved, snaplen */
#define EPB_MIN_BODY 20u  /* interface, ts high, ts low, caplen, original length */
#define SPB_MIN_BODY 4u   /* original length */
#define PB_MIN_BODY 20u   /* interface, drops, ts high, ts low, caplen, length */
#define SKIP_CHUNK 65536u /* the buffer's size while skipping a block */
#define OPT_ENDOFOPT 0
#define OPT_IF_TSRESOL 9
#define OPT_IF_TSOFFSET 14

typedef struct Iface {
    int linktype;        /* DLT_* */
    uint32_t snaplen;
    bool pow2;           /* if_tsresol 2^-exp, else 10^-exp */
    uint8_t exp;
    uint64_t units;      /* per second, for 10^-exp */
    int64_t tsoffset;    /* seconds */
} Iface;

struct TfaPcapng {
    TfaInBuf in;          /* the bytes, read or borrowed */
    const uint8_t *blk;   /* the body of the block being read, in buf */
    guint64 offset;       /* bytes used so far */
    guint64 block_start;  /* offset of the block being read */
    bool swap;            /* the section's byte order is not the host's */
    bool damaged;
    uint32_t section;
    GArray *ifaces;       /* Iface, of the current section */
    size_t skip_piece;    /* how much of a skipped block is taken at once: what the
                           * block buffer of an earlier version held, for the same
                           * messages */
    TfaTs last_ts;        /* for Simple Packet Blocks */
    char why[256];
};

bool tfa_pcapng_magic(const uint8_t *m, size_t n)
{
    return n >= 4 && m[0] == 0x0a && m[1] == 0x0d && m[2] == 0x0d && m[3] == 0x0a;
}

int tfa_pcapng_linktype_to_dlt(uint32_t linktype)
{
    /* libpcap's LINKTYPE_* -> DLT_* map for the values where the two differ
     * (pcap-common.c); every other value is the same in both */
    switch (linktype) {
    case 100:
        return DLT_ATM_RFC1483;
    case 101:
        return DLT_RAW;
    case 102:
        return DLT_SLIP_BSDOS;
    case 103:
        return DLT_PPP_BSDOS;
#ifdef DLT_ATM_CLIP
    case 106:
        return DLT_ATM_CLIP;
#endif
#ifdef DLT_PFSYNC
    case 246:
        return DLT_PFSYNC;
#endif
#ifdef DLT_PKTAP
    case 258:
        return DLT_PKTAP;
#endif
    default:
        return (int)(linktype & 0x7fffffffu);
    }
}

static uint32_t get32(const TfaPcapng *r, const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return r->swap ? GUINT32_SWAP_LE_BE(v) : v;
}

static uint16_t get16(const TfaPcapng *r, const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return r->swap ? GUINT16_SWAP_LE_BE(v) : v;
}

static uint64_t get64(const TfaPcapng *r, const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return r->swap ? GUINT64_SWAP_LE_BE(v) : v;
}

static uint32_t pad4(uint32_t n)
{
    return (n + 3u) & ~3u;
}

G_GNUC_PRINTF(2, 3)
static TfaPcapngStatus damage(TfaPcapng *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_vsnprintf(r->why, sizeof(r->why), fmt, ap);
    va_end(ap);
    r->damaged = true;
    return TFA_PCAPNG_DAMAGED;
}

/* The next @n bytes, in the buffer (valid until the next read), taken;
 * NULL with the reason kept when the file ends or fails first (what there
 * was is taken).  @what names what was being read. */
static const uint8_t *read_exact(TfaPcapng *r, size_t n, const char *what)
{
    size_t got = tfa_inbuf_ensure(&r->in, n);
    const uint8_t *p = r->in.buf + r->in.pos;
    r->in.pos += got;
    r->offset += got;
    if (got == n)
        return p;
    if (r->in.failed)
        (void)damage(r, "read error in %s: %s", what, g_strerror(r->in.read_errno));
    else
        (void)damage(r, "the file ends inside %s (%zu of %zu bytes)", what, got, n);
    return NULL;
}

/* A block of @n bytes was read whole: a skipped block is taken in pieces
 * of that size from now on (at most TFA_PCAPNG_MAX_BLOCK). */
static void reserve(TfaPcapng *r, size_t n)
{
    if (n <= r->skip_piece)
        return;
    size_t cap = MAX(r->skip_piece, (size_t)SKIP_CHUNK);
    while (cap < n)
        cap *= 2;
    r->skip_piece = MIN(cap, (size_t)TFA_PCAPNG_MAX_BLOCK);
}

/* The block length's own rules; @len is the total length. */
static bool check_length(TfaPcapng *r, uint32_t type, uint32_t len, uint32_t min_body)
{
    if (len % 4 != 0)
        (void)damage(r, "block of type 0x%08x has a total length of %u, not a multiple of 4",
                     type, len);
    else if (len < BLOCK_HEADER + BLOCK_TRAILER + min_body)
        (void)damage(r, "block of type 0x%08x has a total length of %u, below the %u it needs",
                     type, len, BLOCK_HEADER + BLOCK_TRAILER + min_body);
    else if (len > TFA_PCAPNG_MAX_BLOCK)
        (void)damage(r, "block of type 0x%08x has a total length of %u, above the limit of %u",
                     type, len, TFA_PCAPNG_MAX_BLOCK);
    else
        return true;
    return false;
}

/* Read the rest of a block (its body and the trailer), @done bytes of the
 * body being read already; check the trailer.  r->blk is the rest of the
 * body (from byte @done). */
static bool read_body(TfaPcapng *r, uint32_t type, uint32_t len, size_t done)
{
    size_t body = len - BLOCK_HEADER - BLOCK_TRAILER;
    reserve(r, body + BLOCK_TRAILER);
    r->blk = read_exact(r, body + BLOCK_TRAILER - done, "a block");
    if (r->blk == NULL)
        return false;
    uint32_t trailer = get32(r, r->blk + body - done);
    if (trailer != len) {
        (void)damage(r, "block of type 0x%08x has a total length of %u in its header and %u "
                     "in its trailer", type, len, trailer);
        return false;
    }
    return true;
}

/* Skip a block we do not read, without keeping it. */
static bool skip_body(TfaPcapng *r, uint32_t type, uint32_t len)
{
    size_t left = len - BLOCK_HEADER - BLOCK_TRAILER;
    reserve(r, SKIP_CHUNK);
    while (left > 0) {
        size_t n = MIN(left, r->skip_piece);
        if (read_exact(r, n, "a block") == NULL)
            return false;
        left -= n;
    }
    const uint8_t *t = read_exact(r, 4, "a block trailer");
    if (t == NULL)
        return false;
    uint32_t trailer = get32(r, t);
    if (trailer != len) {
        (void)damage(r, "block of type 0x%08x has a total length of %u in its header and %u "
                     "in its trailer", type, len, trailer);
        return false;
    }
    return true;
}

/* A Section Header Block whose type was read: the byte-order magic, then
 * the rest.  @hdr holds the 8 header bytes. */
static bool read_shb(TfaPcapng *r, const uint8_t *hdr)
{
    uint8_t bom[4];
    const uint8_t *b = read_exact(r, 4, "a section header");
    if (b == NULL)
        return false;
    memcpy(bom, b, 4);
    uint32_t magic;
    memcpy(&magic, bom, 4);
    if (magic == TFA_PCAPNG_BOM)
        r->swap = false;
    else if (magic == GUINT32_SWAP_LE_BE(TFA_PCAPNG_BOM))
        r->swap = true;
    else {
        (void)damage(r, "unknown file format: a pcapng section header with the byte-order "
                     "magic 0x%02x%02x%02x%02x", bom[0], bom[1], bom[2], bom[3]);
        return false;
    }
    uint32_t len = get32(r, hdr + 4);
    if (!check_length(r, TFA_PCAPNG_BLOCK_SHB, len, SHB_MIN_BODY))
        return false;
    reserve(r, len);
    if (!read_body(r, TFA_PCAPNG_BLOCK_SHB, len, 4))
        return false;
    uint16_t major = get16(r, r->blk), minor = get16(r, r->blk + 2); /* after the magic */
    if (major != 1) {
        (void)damage(r, "pcapng section of version %u.%u (only 1.x is defined)", major, minor);
        return false;
    }
    r->section++;
    g_array_set_size(r->ifaces, 0); /* interface ids are per section */
    return true;
}

/* if_tsresol and if_tsoffset from an IDB's options (@opt, @n bytes). */
static bool read_idb_options(TfaPcapng *r, Iface *ifc, const uint8_t *opt, size_t n)
{
    while (n >= 4) {
        uint16_t code = get16(r, opt), olen = get16(r, opt + 2);
        if (code == OPT_ENDOFOPT)
            return true;
        if ((size_t)pad4(olen) > n - 4) {
            (void)damage(r, "interface option %u has a length of %u, beyond its block", code,
                         olen);
            return false;
        }
        const uint8_t *v = opt + 4;
        if (code == OPT_IF_TSRESOL && olen >= 1) {
            ifc->pow2 = (v[0] & 0x80) != 0;
            ifc->exp = v[0] & 0x7f;
            if (ifc->pow2 ? ifc->exp > 63 : ifc->exp > 19) {
                (void)damage(r, "interface with if_tsresol %s^-%u, finer than 64-bit time "
                             "can count", ifc->pow2 ? "2" : "10", ifc->exp);
                return false;
            }
        } else if (code == OPT_IF_TSOFFSET && olen >= 8) {
            ifc->tsoffset = (int64_t)get64(r, v);
        }
        opt += 4 + pad4(olen);
        n -= 4 + pad4(olen);
    }
    return true; /* options may end without opt_endofopt */
}

static TfaPcapngStatus read_idb(TfaPcapng *r, uint32_t len, TfaPcapngPacket *pkt)
{
    size_t body = len - BLOCK_HEADER - BLOCK_TRAILER;
    if (r->ifaces->len >= TFA_PCAPNG_MAX_IFACES)
        return damage(r, "more than %u interfaces in section %u", TFA_PCAPNG_MAX_IFACES,
                      r->section);
    Iface ifc = {
        .linktype = tfa_pcapng_linktype_to_dlt(get16(r, r->blk)),
        .snaplen = get32(r, r->blk + 4),
        .exp = 6,
    };
    if (!read_idb_options(r, &ifc, r->blk + IDB_MIN_BODY, body - IDB_MIN_BODY))
        return TFA_PCAPNG_DAMAGED;
    ifc.units = 1;
    for (unsigned i = 0; !ifc.pow2 && i < ifc.exp; i++)
        ifc.units *= 10;
    g_array_append_val(r->ifaces, ifc);
    memset(pkt, 0, sizeof(*pkt));
    pkt->linktype = ifc.linktype;
    pkt->snaplen = ifc.snaplen;
    pkt->iface = r->ifaces->len - 1;
    pkt->section = r->section;
    return TFA_PCAPNG_IFACE;
}

/* A timestamp in the interface's units, as ns since the epoch, clamped to
 * [0, 2^62]: then the difference of any two capture times fits. */
static TfaTs to_ns(const Iface *ifc, uint64_t t)
{
    const int64_t limit_sec = (INT64_C(1) << 62) / TFA_NSEC_PER_SEC;
    uint64_t sec, frac_ns;
    if (ifc->pow2) {
        sec = ifc->exp == 0 ? t : t >> ifc->exp;
        uint64_t frac = ifc->exp == 0 ? 0 : t & ((UINT64_C(1) << ifc->exp) - 1);
        /* 10^9 < 2^30: with at most 34 bits of fraction the product fits */
        if (ifc->exp <= 34)
            frac_ns = (frac * UINT64_C(1000000000)) >> ifc->exp;
        else
            frac_ns = ((frac >> (ifc->exp - 34)) * UINT64_C(1000000000)) >> 34;
    } else {
        sec = t / ifc->units;
        uint64_t frac = t % ifc->units;
        if (ifc->exp <= 9) {
            uint64_t mul = 1;
            for (unsigned i = ifc->exp; i < 9; i++)
                mul *= 10;
            frac_ns = frac * mul;
        } else {
            uint64_t div = 1;
            for (unsigned i = 9; i < ifc->exp; i++)
                div *= 10;
            frac_ns = frac / div;
        }
    }
    int64_t s = sec > (uint64_t)limit_sec ? limit_sec + 1 : (int64_t)sec;
    /* the offset is clamped first, so that the sum cannot overflow */
    int64_t off = CLAMP(ifc->tsoffset, -2 * limit_sec, 2 * limit_sec);
    s += off;
    if (s < 0)
        return 0;
    if (s > limit_sec)
        return INT64_C(1) << 62;
    TfaTs ns = (TfaTs)s * TFA_NSEC_PER_SEC + (TfaTs)frac_ns;
    return MIN(ns, INT64_C(1) << 62);
}

static const Iface *iface_of(TfaPcapng *r, uint32_t id)
{
    if (id >= r->ifaces->len) {
        (void)damage(r, "a packet block names interface %u, but section %u describes %u "
                     "interface%s", id, r->section, r->ifaces->len,
                     r->ifaces->len == 1 ? "" : "s");
        return NULL;
    }
    return &g_array_index(r->ifaces, Iface, id);
}

static void fill(TfaPcapngPacket *pkt, const Iface *ifc, uint32_t id, uint32_t section)
{
    pkt->snaplen = ifc->snaplen;
    pkt->linktype = ifc->linktype;
    pkt->iface = id;
    pkt->section = section;
}

/* EPB and the obsolete Packet Block: the same fields, laid out alike. */
static TfaPcapngStatus read_epb(TfaPcapng *r, uint32_t type, uint32_t len,
                                TfaPcapngPacket *pkt)
{
    size_t body = len - BLOCK_HEADER - BLOCK_TRAILER;
    const uint8_t *b = r->blk;
    uint32_t id = type == TFA_PCAPNG_BLOCK_PB ? get16(r, b) : get32(r, b);
    uint32_t caplen = get32(r, b + 12);
    if (caplen > body - EPB_MIN_BODY || (size_t)pad4(caplen) > body - EPB_MIN_BODY)
        return damage(r, "packet block with a captured length of %u, beyond its block of %u "
                      "bytes", caplen, len);
    const Iface *ifc = iface_of(r, id);
    if (ifc == NULL)
        return TFA_PCAPNG_DAMAGED;
    uint64_t t = ((uint64_t)get32(r, b + 4) << 32) | get32(r, b + 8);
    fill(pkt, ifc, id, r->section);
    pkt->ts = to_ns(ifc, t);
    pkt->caplen = caplen;
    pkt->wirelen = get32(r, b + 16);
    pkt->data = b + EPB_MIN_BODY;
    r->last_ts = pkt->ts;
    return TFA_PCAPNG_PACKET;
}

static TfaPcapngStatus read_spb(TfaPcapng *r, uint32_t len, TfaPcapngPacket *pkt)
{
    size_t room = len - BLOCK_HEADER - BLOCK_TRAILER - SPB_MIN_BODY;
    const Iface *ifc = iface_of(r, 0);
    if (ifc == NULL)
        return TFA_PCAPNG_DAMAGED;
    uint32_t wirelen = get32(r, r->blk);
    uint32_t caplen = wirelen;
    if (ifc->snaplen != 0 && caplen > ifc->snaplen)
        caplen = ifc->snaplen;
    if (caplen > room)
        caplen = (uint32_t)room;
    fill(pkt, ifc, 0, r->section);
    pkt->ts = r->last_ts;
    pkt->caplen = caplen;
    pkt->wirelen = wirelen;
    pkt->data = r->blk + SPB_MIN_BODY;
    return TFA_PCAPNG_PACKET;
}

/* Read the first Section Header Block of @r, made just now. */
static TfaPcapng *start(TfaPcapng *r, GError **error)
{
    r->ifaces = g_array_new(FALSE, TRUE, sizeof(Iface));
    const uint8_t *p = read_exact(r, BLOCK_HEADER, "the first section header");
    uint8_t hdr[BLOCK_HEADER];
    if (p != NULL)
        memcpy(hdr, p, sizeof(hdr));
    if (p == NULL || !tfa_pcapng_magic(hdr, sizeof(hdr)) || !read_shb(r, hdr)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s",
                    r->damaged ? r->why : "unknown file format: not a pcapng section header");
        tfa_pcapng_free(r);
        return NULL;
    }
    return r;
}

TfaPcapng *tfa_pcapng_new_reader(TfaPcapngRead read, void *ctx, GError **error)
{
    TfaPcapng *r = g_new0(TfaPcapng, 1);
    r->in.read = read;
    r->in.ctx = ctx;
    r->in.cap = TFA_PCAPNG_BUFFER;
    r->in.own = g_malloc(r->in.cap);
    r->in.buf = r->in.own;
    return start(r, error);
}

TfaPcapng *tfa_pcapng_new_memory(const uint8_t *data, size_t len, GError **error)
{
    TfaPcapng *r = g_new0(TfaPcapng, 1);
    r->in.buf = data;
    r->in.len = len;
    r->in.eof = true;
    return start(r, error);
}

/* TfaPcapngRead over a FILE: what fread() gives, -1 once it fails. */
static ssize_t file_read(void *ctx, void *buf, size_t len)
{
    FILE *f = ctx;
    size_t got = fread(buf, 1, len, f);
    if (got > 0)
        return (ssize_t)got;
    return ferror(f) ? -1 : 0;
}

TfaPcapng *tfa_pcapng_new(FILE *f, GError **error)
{
    return tfa_pcapng_new_reader(file_read, f, error);
}

TfaPcapngStatus tfa_pcapng_next(TfaPcapng *r, TfaPcapngPacket *pkt)
{
    while (!r->damaged) {
        uint8_t hdr[BLOCK_HEADER];
        r->block_start = r->offset;
        size_t got = tfa_inbuf_ensure(&r->in, sizeof(hdr));
        memcpy(hdr, r->in.buf + r->in.pos, got);
        r->in.pos += got;
        r->offset += got;
        if (got == 0 && !r->in.failed)
            return TFA_PCAPNG_END;
        if (got < sizeof(hdr)) {
            if (r->in.failed)
                return damage(r, "read error in a block header: %s",
                              g_strerror(r->in.read_errno));
            return damage(r, "the file ends inside a block header (%zu of 8 bytes)", got);
        }
        uint32_t type = get32(r, hdr);
        if (type == TFA_PCAPNG_BLOCK_SHB) {
            if (!read_shb(r, hdr))
                return TFA_PCAPNG_DAMAGED;
            continue;
        }
        uint32_t len = get32(r, hdr + 4);
        switch (type) {
        case TFA_PCAPNG_BLOCK_IDB:
            if (!check_length(r, type, len, IDB_MIN_BODY) || !read_body(r, type, len, 0))
                return TFA_PCAPNG_DAMAGED;
            return read_idb(r, len, pkt);
        case TFA_PCAPNG_BLOCK_EPB:
        case TFA_PCAPNG_BLOCK_PB:
            if (!check_length(r, type, len, EPB_MIN_BODY) || !read_body(r, type, len, 0))
                return TFA_PCAPNG_DAMAGED;
            return read_epb(r, type, len, pkt);
        case TFA_PCAPNG_BLOCK_SPB:
            if (!check_length(r, type, len, SPB_MIN_BODY) || !read_body(r, type, len, 0))
                return TFA_PCAPNG_DAMAGED;
            return read_spb(r, len, pkt);
        default:
            if (!check_length(r, type, len, 0) || !skip_body(r, type, len))
                return TFA_PCAPNG_DAMAGED;
            continue;
        }
    }
    return TFA_PCAPNG_DAMAGED;
}

const char *tfa_pcapng_error(const TfaPcapng *r)
{
    return r->damaged ? r->why : "";
}

guint64 tfa_pcapng_damage_offset(const TfaPcapng *r)
{
    return r->block_start;
}

guint64 tfa_pcapng_offset(const TfaPcapng *r)
{
    return r->offset;
}

void tfa_pcapng_free(TfaPcapng *r)
{
    if (r == NULL)
        return;
    g_array_unref(r->ifaces);
    g_free(r->in.own);
    g_free(r);
}
