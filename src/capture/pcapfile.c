/* pcapfile.c - classic pcap records straight out of a buffer, as libpcap
 * 1.10 reads them (pcapfile.h has the contract). */
#include "config.h"

#include "pcapfile.h"
#include "inbuf.h"

#include "pcapng.h" /* tfa_pcapng_linktype_to_dlt */

#include <errno.h>
#include <limits.h>
#include <string.h>

#define MAGIC_USEC 0xa1b2c3d4u
#define MAGIC_NSEC 0xa1b23c4du
#define MAGIC_KUZNETZOV 0xa1b2cd34u
#define RECORD_HEADER 16u           /* ts sec, ts frac, caplen, len */
#define RECORD_HEADER_KUZNETZOV 24u /* and ifindex, protocol, pkt_type, padding */
#define MAXIMUM_SNAPLEN 262144u     /* libpcap's, for most link types */
#define LT_LINKTYPE(x) ((x) & 0x03ffffffu)
#define NFLOG_HEADER 4u             /* family, version, resource id */
#define NFLOG_TLV 4u                /* length, type */

typedef enum {
    LENGTHS_AS_THEY_ARE,
    LENGTHS_SWAPPED,
    LENGTHS_MAYBE_SWAPPED, /* version 2.3: swapped when caplen > len */
} LengthOrder;

struct TfaPcapFile {
    TfaInBuf in;          /* the bytes, read or borrowed */
    guint64 offset;       /* bytes taken (libpcap's ftell) */
    guint64 record_start; /* offset of the last record begun */
    bool swap;
    bool nsec;
    LengthOrder lengths;
    uint32_t hdrsize;
    int linktype;         /* DLT_* */
    uint32_t snapshot;
    uint32_t max_caplen;  /* libpcap's max_snaplen_for_dlt() */
    uint8_t header[TFA_PCAPFILE_HEADER_LEN]; /* the file header as it was */
    bool damaged;
    uint8_t *scratch;     /* a swapped NFLOG record, put into host order */
    size_t scratch_cap;
    char why[PCAP_ERRBUF_SIZE];
};

static uint32_t get32(const TfaPcapFile *r, const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return r->swap ? GUINT32_SWAP_LE_BE(v) : v;
}

static uint16_t get16(const TfaPcapFile *r, const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return r->swap ? GUINT16_SWAP_LE_BE(v) : v;
}

/* libpcap's max_snaplen_for_dlt() (pcap-common.c). */
static uint32_t max_snaplen_for_dlt(int dlt)
{
    switch (dlt) {
    case 231: /* DLT_DBUS */
        return 128u * 1024u * 1024u;
    case 279: /* DLT_EBHSCR */
        return 8u * 1024u * 1024u;
    case 249: /* DLT_USBPCAP */
        return 1024u * 1024u;
    default:
        return MAXIMUM_SNAPLEN;
    }
}

G_GNUC_PRINTF(2, 3)
static void damage(TfaPcapFile *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_vsnprintf(r->why, sizeof(r->why), fmt, ap);
    va_end(ap);
    r->damaged = true;
}

/* libpcap's message when fread() failed (pcap_fmt_errmsg_for_errno). */
static void read_error(TfaPcapFile *r)
{
    damage(r, "error reading dump file: %s", g_strerror(r->in.read_errno));
}

static void take(TfaPcapFile *r, size_t n)
{
    r->in.pos += n;
    r->offset += n;
}

/* The file header (pcap_check_header() in libpcap's sf-pcap.c). */
static TfaPcapFile *read_header(TfaPcapFile *r, GError **error)
{
    size_t got = tfa_inbuf_ensure(&r->in, 4);
    if (got < 4) {
        if (r->in.failed)
            read_error(r);
        else
            damage(r, "truncated dump file; tried to read 4 file header bytes, only got %zu",
                   got);
        goto fail;
    }
    uint32_t magic;
    memcpy(&magic, r->in.buf + r->in.pos, 4);
    memcpy(r->header, r->in.buf + r->in.pos, 4);
    if (magic != MAGIC_USEC && magic != MAGIC_NSEC && magic != MAGIC_KUZNETZOV) {
        magic = GUINT32_SWAP_LE_BE(magic);
        if (magic != MAGIC_USEC && magic != MAGIC_NSEC && magic != MAGIC_KUZNETZOV) {
            damage(r, "unknown file format");
            goto fail;
        }
        r->swap = true;
    }
    take(r, 4);
    got = tfa_inbuf_ensure(&r->in, TFA_PCAPFILE_HEADER_LEN - 4);
    if (got < TFA_PCAPFILE_HEADER_LEN - 4) {
        if (r->in.failed)
            read_error(r);
        else
            damage(r, "truncated dump file; tried to read %u file header bytes, only got %zu",
                   TFA_PCAPFILE_HEADER_LEN, got);
        goto fail;
    }
    const uint8_t *h = r->in.buf + r->in.pos;
    memcpy(r->header + 4, h, TFA_PCAPFILE_HEADER_LEN - 4);
    uint16_t major = get16(r, h), minor = get16(r, h + 2);
    uint32_t snaplen = get32(r, h + 12), linktype = get32(r, h + 16);
    take(r, TFA_PCAPFILE_HEADER_LEN - 4);
    if (major < 2) {
        damage(r, "archaic pcap savefile format");
        goto fail;
    }
    if (!((major == 2 && minor <= 4) || (major == 543 && minor == 0))) {
        damage(r, "unsupported pcap savefile version %u.%u", major, minor);
        goto fail;
    }
    r->nsec = magic == MAGIC_NSEC;
    r->linktype = tfa_pcapng_linktype_to_dlt(LT_LINKTYPE(linktype));
    r->max_caplen = max_snaplen_for_dlt(r->linktype);
    /* pcap_adjust_snapshot(): a bogus snapshot length is the maximum */
    r->snapshot = snaplen == 0 || snaplen > INT_MAX ? r->max_caplen : snaplen;
    if (major == 2)
        r->lengths = minor < 3    ? LENGTHS_SWAPPED
                     : minor == 3 ? LENGTHS_MAYBE_SWAPPED
                                  : LENGTHS_AS_THEY_ARE;
    else
        r->lengths = LENGTHS_SWAPPED; /* 543.0 */
    r->hdrsize = RECORD_HEADER;
    if (magic == MAGIC_KUZNETZOV) {
        r->hdrsize = RECORD_HEADER_KUZNETZOV;
        if (r->linktype == DLT_EN10MB)
            r->snapshot = r->snapshot <= INT_MAX - 14 ? r->snapshot + 14 : INT_MAX;
    }
    return r;
fail:
    g_set_error_literal(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, r->why);
    tfa_pcapfile_free(r);
    return NULL;
}

TfaPcapFile *tfa_pcapfile_new_memory(const uint8_t *data, size_t len, GError **error)
{
    TfaPcapFile *r = g_new0(TfaPcapFile, 1);
    r->in.buf = data;
    r->in.len = len;
    r->in.eof = true;
    return read_header(r, error);
}

TfaPcapFile *tfa_pcapfile_new_reader(TfaPcapFileRead read, void *ctx, GError **error)
{
    TfaPcapFile *r = g_new0(TfaPcapFile, 1);
    r->in.read = read;
    r->in.ctx = ctx;
    r->in.cap = TFA_PCAPFILE_BLOCK;
    r->in.own = g_malloc(r->in.cap);
    r->in.buf = r->in.own;
    return read_header(r, error);
}

int tfa_pcapfile_linktype(const TfaPcapFile *r)
{
    return r->linktype;
}

const uint8_t *tfa_pcapfile_header(const TfaPcapFile *r)
{
    return r->header;
}

int tfa_pcapfile_snapshot(const TfaPcapFile *r)
{
    return (int)r->snapshot;
}

/* libpcap's swap_nflog_header(): the TLVs' type and length are in the
 * byte order of the host that wrote the file. */
static void swap_nflog(uint8_t *p, uint32_t caplen, uint32_t length)
{
    if (caplen < NFLOG_HEADER || length < NFLOG_HEADER || p[1] != 0)
        return;
    caplen -= NFLOG_HEADER;
    length -= NFLOG_HEADER;
    p += NFLOG_HEADER;
    while (caplen >= NFLOG_TLV) {
        uint16_t len, type;
        memcpy(&len, p, 2);
        memcpy(&type, p + 2, 2);
        len = GUINT16_SWAP_LE_BE(len);
        type = GUINT16_SWAP_LE_BE(type);
        memcpy(p, &len, 2);
        memcpy(p + 2, &type, 2);
        uint32_t size = len % 4 != 0 ? len + 4u - len % 4u : len;
        if (size < NFLOG_TLV || caplen < size || length < size)
            return;
        caplen -= size;
        length -= size;
        p += size;
    }
}

TfaPcapFileStatus tfa_pcapfile_next(TfaPcapFile *r, struct pcap_pkthdr *h, const uint8_t **data)
{
    if (r->damaged)
        return TFA_PCAPFILE_DAMAGED;
    r->record_start = r->offset;
    size_t got = tfa_inbuf_ensure(&r->in, r->hdrsize);
    if (got < r->hdrsize) {
        if (r->in.failed) {
            read_error(r);
        } else if (got != 0) {
            damage(r, "truncated dump file; tried to read %u header bytes, only got %zu",
                   r->hdrsize, got);
        } else {
            return TFA_PCAPFILE_END;
        }
        take(r, got);
        return TFA_PCAPFILE_DAMAGED;
    }
    const uint8_t *rec = r->in.buf + r->in.pos;
    /* 32-bit seconds and fraction, widened as libpcap widens them: signed
     * from a file of this host's byte order (its pcap_timeval), unsigned
     * from the other (its SWAPLONG() is an unsigned int) */
    uint32_t sec = get32(r, rec), frac32 = get32(r, rec + 4);
    h->ts.tv_sec = r->swap ? (time_t)sec : (time_t)(int32_t)sec;
    int64_t frac = r->swap ? (int64_t)frac32 : (int64_t)(int32_t)frac32;
    h->ts.tv_usec = (suseconds_t)(r->nsec ? frac : frac * 1000);
    uint32_t caplen = get32(r, rec + 8), len = get32(r, rec + 12);
    take(r, r->hdrsize);
    if (r->lengths == LENGTHS_SWAPPED || (r->lengths == LENGTHS_MAYBE_SWAPPED && caplen > len)) {
        uint32_t t = caplen;
        caplen = len;
        len = t;
    }
    if (caplen > r->max_caplen) {
        if (caplen > r->snapshot)
            damage(r, "invalid packet capture length %u, bigger than snaplen of %d", caplen,
                   (int)r->snapshot);
        else
            damage(r, "invalid packet capture length %u, bigger than maximum of %u", caplen,
                   r->max_caplen);
        return TFA_PCAPFILE_DAMAGED;
    }
    uint32_t keep = caplen;
    if (caplen > r->snapshot) {
        /* read up to the snapshot length, skip the rest */
        got = tfa_inbuf_ensure(&r->in, r->snapshot);
        if (got < r->snapshot) {
            if (r->in.failed)
                read_error(r);
            else
                damage(r, "truncated dump file; tried to read %d captured bytes, only got %zu",
                       (int)r->snapshot, got);
            take(r, got);
            return TFA_PCAPFILE_DAMAGED;
        }
        keep = r->snapshot;
    }
    got = tfa_inbuf_ensure(&r->in, caplen);
    if (got < caplen) {
        if (r->in.failed)
            read_error(r);
        else
            damage(r, "truncated dump file; tried to read %u captured bytes, only got %zu",
                   caplen, got);
        take(r, got);
        return TFA_PCAPFILE_DAMAGED;
    }
    const uint8_t *bytes = r->in.buf + r->in.pos;
    take(r, caplen);
    h->caplen = keep;
    h->len = len;
    if (r->swap && r->linktype == DLT_NFLOG && keep > 0) {
        if (keep > r->scratch_cap) {
            g_free(r->scratch);
            r->scratch_cap = MAX(keep, 2048u);
            r->scratch = g_malloc(r->scratch_cap);
        }
        memcpy(r->scratch, bytes, keep);
        swap_nflog(r->scratch, keep, len);
        bytes = r->scratch;
    }
    *data = bytes;
    return TFA_PCAPFILE_PACKET;
}

const char *tfa_pcapfile_error(const TfaPcapFile *r)
{
    return r->damaged ? r->why : "";
}

guint64 tfa_pcapfile_record_offset(const TfaPcapFile *r)
{
    return r->record_start;
}

guint64 tfa_pcapfile_offset(const TfaPcapFile *r)
{
    return r->offset;
}

void tfa_pcapfile_free(TfaPcapFile *r)
{
    if (r == NULL)
        return;
    g_free(r->in.own);
    g_free(r->scratch);
    g_free(r);
}
