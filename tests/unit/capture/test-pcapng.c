/* test-pcapng.c - our pcapng reader on hand-built blocks: both byte orders,
 * two sections, interfaces of different link types and snapshot lengths,
 * if_tsresol 10^-n and 2^-n, if_tsoffset, EPB, SPB and the obsolete Packet
 * Block, unknown and custom blocks, and each kind of damage with its byte
 * offset; and the same through tfa_capture (per-frame link types, a filter
 * per link type, a pipe). */
#include "tfa-test.h"

#include "capture/pcapng.h"
#include "tcpflow-audit/capture.h"

#include <glib/gstdio.h>
#include <pcap/pcap.h>
#include <unistd.h>

/* ---- building blocks ---------------------------------------------------- */

typedef struct Ng {
    GByteArray *b;
    bool be; /* the current section is big-endian */
} Ng;

static void put8(GByteArray *b, uint8_t v)
{
    g_byte_array_append(b, &v, 1);
}

static void put16(Ng *n, GByteArray *b, uint16_t v)
{
    uint8_t x[2];
    if (n->be) {
        x[0] = (uint8_t)(v >> 8);
        x[1] = (uint8_t)v;
    } else {
        x[0] = (uint8_t)v;
        x[1] = (uint8_t)(v >> 8);
    }
    g_byte_array_append(b, x, 2);
}

static void put32(Ng *n, GByteArray *b, uint32_t v)
{
    uint8_t x[4];
    for (int i = 0; i < 4; i++)
        x[n->be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
    g_byte_array_append(b, x, 4);
}

static void put64(Ng *n, GByteArray *b, uint64_t v)
{
    if (n->be) {
        put32(n, b, (uint32_t)(v >> 32));
        put32(n, b, (uint32_t)v);
    } else {
        put32(n, b, (uint32_t)v);
        put32(n, b, (uint32_t)(v >> 32));
    }
}

/* A block of @type around @body (padded to 4); its offset in the file. */
static size_t block(Ng *n, uint32_t type, GByteArray *body)
{
    size_t at = n->b->len;
    while (body->len % 4 != 0)
        put8(body, 0);
    uint32_t len = 12 + body->len;
    put32(n, n->b, type);
    put32(n, n->b, len);
    g_byte_array_append(n->b, body->data, body->len);
    put32(n, n->b, len);
    g_byte_array_unref(body);
    return at;
}

static void shb(Ng *n, bool be)
{
    n->be = be;
    GByteArray *body = g_byte_array_new();
    put32(n, body, TFA_PCAPNG_BOM);
    put16(n, body, 1);
    put16(n, body, 0);
    put64(n, body, UINT64_MAX); /* section length unknown */
    block(n, TFA_PCAPNG_BLOCK_SHB, body);
}

/* IDB; @tsresol < 0: no option; @tsoffset != 0: if_tsoffset. */
static void idb(Ng *n, uint16_t linktype, uint32_t snaplen, int tsresol, int64_t tsoffset)
{
    GByteArray *body = g_byte_array_new();
    put16(n, body, linktype);
    put16(n, body, 0);
    put32(n, body, snaplen);
    put16(n, body, 2); /* if_name, to be skipped */
    put16(n, body, 3);
    g_byte_array_append(body, (const guint8 *)"lo\0\0", 4);
    if (tsresol >= 0) {
        put16(n, body, 9);
        put16(n, body, 1);
        put8(body, (uint8_t)tsresol);
        put8(body, 0);
        put16(n, body, 0);
    }
    if (tsoffset != 0) {
        put16(n, body, 14);
        put16(n, body, 8);
        put64(n, body, (uint64_t)tsoffset);
    }
    put16(n, body, 0); /* opt_endofopt */
    put16(n, body, 0);
    block(n, TFA_PCAPNG_BLOCK_IDB, body);
}

static size_t epb(Ng *n, uint32_t iface, uint64_t ts, const uint8_t *data, uint32_t caplen,
                  uint32_t wirelen)
{
    GByteArray *body = g_byte_array_new();
    put32(n, body, iface);
    put32(n, body, (uint32_t)(ts >> 32));
    put32(n, body, (uint32_t)ts);
    put32(n, body, caplen);
    put32(n, body, wirelen);
    g_byte_array_append(body, data, caplen);
    return block(n, TFA_PCAPNG_BLOCK_EPB, body);
}

static const uint8_t payload[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

static FILE *open_ng(const Ng *n)
{
    FILE *f = fmemopen(n->b->data, n->b->len, "rb");
    assert_non_null(f);
    return f;
}

/* Read until END or DAMAGED; packets into @out (at most @max). */
static TfaPcapngStatus read_packets(TfaPcapng *r, TfaPcapngPacket *out, unsigned max,
                                    unsigned *n, unsigned *ifaces)
{
    *n = 0;
    if (ifaces != NULL)
        *ifaces = 0;
    for (;;) {
        TfaPcapngPacket p;
        TfaPcapngStatus st = tfa_pcapng_next(r, &p);
        if (st == TFA_PCAPNG_PACKET) {
            if (*n < max)
                out[*n] = p;
            (*n)++;
        } else if (st == TFA_PCAPNG_IFACE) {
            if (ifaces != NULL)
                (*ifaces)++;
        } else {
            return st;
        }
    }
}

/* ---- the reader --------------------------------------------------------- */

/* Two sections, little- then big-endian, each with interfaces of its own:
 * ids restart, link types and snaplens are per interface. */
static void test_sections_and_byte_orders(void **state)
{
    Ng n = {g_byte_array_new(), false};
    shb(&n, false);
    idb(&n, 1 /* Ethernet */, 65535, 9, 0);
    idb(&n, 101 /* RAW */, 128, -1, 0);
    epb(&n, 1, UINT64_C(1700000000) * 1000000 + 5, payload, 10, 60);
    epb(&n, 0, UINT64_C(1700000000) * 1000000000 + 7, payload, 4, 4);
    shb(&n, true);
    idb(&n, 113 /* Linux SLL */, 262144, -1, 0);
    epb(&n, 0, UINT64_C(1700000001) * 1000000, payload, 10, 10);
    FILE *f = open_ng(&n);
    TfaPcapng *r = tfa_pcapng_new(f, NULL);
    assert_non_null(r);
    TfaPcapngPacket p[4];
    unsigned got, ifaces;
    assert_int_equal(read_packets(r, p, 4, &got, &ifaces), TFA_PCAPNG_END);
    assert_int_equal(got, 3);
    assert_int_equal(ifaces, 3);
    /* interface 1 of section 1: RAW (LINKTYPE 101 is DLT_RAW), microseconds */
    assert_int_equal(p[0].linktype, DLT_RAW);
    assert_int_equal(p[0].snaplen, 128);
    assert_int_equal(p[0].section, 1);
    assert_int_equal(p[0].ts, INT64_C(1700000000) * TFA_NSEC_PER_SEC + 5000);
    assert_int_equal(p[0].caplen, 10);
    assert_int_equal(p[0].wirelen, 60);
    assert_memory_equal(p[0].data, payload, 10);
    /* interface 0: Ethernet, nanoseconds */
    assert_int_equal(p[1].linktype, DLT_EN10MB);
    assert_int_equal(p[1].ts, INT64_C(1700000000) * TFA_NSEC_PER_SEC + 7);
    /* big-endian section: its interface 0 is Linux SLL */
    assert_int_equal(p[2].linktype, DLT_LINUX_SLL);
    assert_int_equal(p[2].section, 2);
    assert_int_equal(p[2].iface, 0);
    assert_int_equal(p[2].ts, INT64_C(1700000001) * TFA_NSEC_PER_SEC);
    assert_int_equal(tfa_pcapng_offset(r), n.b->len);
    tfa_pcapng_free(r);
    fclose(f);
    g_byte_array_unref(n.b);
}

/* if_tsresol 10^-n and 2^-n, and if_tsoffset (seconds added). */
static void test_tsresol(void **state)
{
    struct {
        int tsresol;
        uint64_t ts;
        int64_t offset;
        TfaTs want;
    } cases[] = {
        {-1, UINT64_C(1500000000123456), 0, INT64_C(1500000000123456000)},        /* 10^-6 */
        {6, UINT64_C(1500000000123456), 0, INT64_C(1500000000123456000)},
        {9, UINT64_C(1500000000123456789), 0, INT64_C(1500000000123456789)},
        {3, UINT64_C(1500000000123), 0, INT64_C(1500000000123000000)},
        {0, UINT64_C(1500000000), 0, INT64_C(1500000000000000000)},
        {12, UINT64_C(1500000123456789012), 0, INT64_C(1500000123456789)},        /* ps */
        {0x80 | 20, (UINT64_C(1500000000) << 20) | (1u << 19), 0,                 /* 2^-20 */
         INT64_C(1500000000500000000)},
        {0x80 | 30, (UINT64_C(1) << 30) * 3 + (1u << 28), 0, INT64_C(3250000000)}, /* 2^-30 */
        {0x80 | 40, (UINT64_C(7) << 40) | (UINT64_C(1) << 38), 0, INT64_C(7250000000)},
        {0x80 | 0, 42, 0, INT64_C(42000000000)},
        {9, UINT64_C(1000000001), 1500000000, INT64_C(1500000001000000001)},      /* offset */
        {6, 5000000, -10, 0},                                      /* before 1970: clamped */
        {9, UINT64_MAX, 0, INT64_C(1) << 62},                      /* after 2116: clamped */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        Ng n = {g_byte_array_new(), false};
        shb(&n, i % 2 == 1);
        idb(&n, 1, 0, cases[i].tsresol, cases[i].offset);
        epb(&n, 0, cases[i].ts, payload, 10, 10);
        FILE *f = open_ng(&n);
        TfaPcapng *r = tfa_pcapng_new(f, NULL);
        TfaPcapngPacket p[1];
        unsigned got;
        assert_int_equal(read_packets(r, p, 1, &got, NULL), TFA_PCAPNG_END);
        assert_int_equal(got, 1);
        if (p[0].ts != cases[i].want)
            fail_msg("case %zu: ts %" G_GINT64_FORMAT ", want %" G_GINT64_FORMAT, i, p[0].ts,
                     cases[i].want);
        tfa_pcapng_free(r);
        fclose(f);
        g_byte_array_unref(n.b);
    }
}

/* SPB (interface 0's snaplen, the time of the packet before), the obsolete
 * Packet Block, and blocks of other types skipped by their length. */
static void test_spb_pb_and_unknown_blocks(void **state)
{
    Ng n = {g_byte_array_new(), true};
    shb(&n, true);
    idb(&n, 1, 6, 9, 0);
    idb(&n, 12 /* DLT_RAW as a pcap value */, 0, 9, 0);
    GByteArray *body = g_byte_array_new();
    g_byte_array_append(body, (const guint8 *)"a custom block, skipped", 23);
    block(&n, 0x40000bad, body);
    body = g_byte_array_new();
    put32(&n, body, 0); /* an Interface Statistics Block */
    put64(&n, body, 0);
    block(&n, 5, body);
    body = g_byte_array_new();
    block(&n, 0x12345678, body); /* unknown, empty */
    epb(&n, 0, 1000, payload, 4, 4);
    body = g_byte_array_new(); /* SPB: 10 bytes on the wire, snaplen 6 */
    put32(&n, body, 10);
    g_byte_array_append(body, payload, 6);
    block(&n, TFA_PCAPNG_BLOCK_SPB, body);
    body = g_byte_array_new(); /* obsolete Packet Block on interface 1 */
    put16(&n, body, 1);
    put16(&n, body, 0);
    put32(&n, body, 0);
    put32(&n, body, 2000);
    put32(&n, body, 10);
    put32(&n, body, 12);
    g_byte_array_append(body, payload, 10);
    block(&n, TFA_PCAPNG_BLOCK_PB, body);
    FILE *f = open_ng(&n);
    TfaPcapng *r = tfa_pcapng_new(f, NULL);
    TfaPcapngPacket p[3];
    unsigned got;
    assert_int_equal(read_packets(r, p, 3, &got, NULL), TFA_PCAPNG_END);
    assert_int_equal(got, 3);
    assert_int_equal(p[1].caplen, 6);
    assert_int_equal(p[1].wirelen, 10);
    assert_int_equal(p[1].ts, 1000);
    assert_int_equal(p[1].linktype, DLT_EN10MB);
    assert_memory_equal(p[2].data, payload, 10); /* the last: still in the buffer */
    assert_int_equal(p[2].linktype, 12);
    assert_int_equal(p[2].iface, 1);
    assert_int_equal(p[2].ts, 2000);
    assert_int_equal(p[2].caplen, 10);
    assert_int_equal(p[2].wirelen, 12);
    tfa_pcapng_free(r);
    fclose(f);
    g_byte_array_unref(n.b);
}

/* Overwrite 4 bytes at @at in the file's byte order. */
static void patch32(Ng *n, size_t at, uint32_t v)
{
    GByteArray *tmp = g_byte_array_new();
    put32(n, tmp, v);
    memcpy(n->b->data + at, tmp->data, 4);
    g_byte_array_unref(tmp);
}

/* Each kind of damage: the packets before it are read, then DAMAGED with
 * the offset of the block and a reason; later calls stay DAMAGED. */
static void test_damage(void **state)
{
    enum { D_LEN_ODD, D_LEN_SMALL, D_LEN_HUGE, D_TRAILER, D_IFACE, D_CAPLEN, D_OPTION, D_TSRESOL,
           D_CUT_HEADER, D_CUT_BODY, D_BAD_BOM, D_VERSION, D_N_CASES };
    const char *want[D_N_CASES] = {
        "not a multiple of 4", "below the 32 it needs", "above the limit",
        "in its header and 36 in its trailer", "names interface 3, but section 1 describes 1",
        "captured length of 200", "interface option 2 has a length of 400",
        "if_tsresol 10^-20", "ends inside a block header (6 of 8", "ends inside a block",
        "byte-order magic", "version 2.0"};
    for (int c = 0; c < D_N_CASES; c++) {
        for (int be = 0; be < 2; be++) {
            Ng n = {g_byte_array_new(), be};
            shb(&n, be);
            idb(&n, 1, 0, -1, 0);
            epb(&n, 0, 1, payload, 10, 10);
            size_t at = n.b->len;
            size_t bad = epb(&n, 0, 2, payload, 10, 10);
            assert_int_equal(at, bad);
            switch (c) {
            case D_LEN_ODD:
                patch32(&n, bad + 4, 41);
                break;
            case D_LEN_SMALL:
                patch32(&n, bad + 4, 28);
                break;
            case D_LEN_HUGE:
                patch32(&n, bad + 4, 0xfffffff0u);
                break;
            case D_TRAILER:
                patch32(&n, n.b->len - 4, 36);
                break;
            case D_IFACE:
                patch32(&n, bad + 8, 3);
                break;
            case D_CAPLEN:
                patch32(&n, bad + 20, 200);
                break;
            case D_OPTION: /* a second IDB whose if_name claims 400 bytes */
                g_byte_array_set_size(n.b, bad);
                idb(&n, 1, 0, -1, 0);
                patch32(&n, bad + 16, n.be ? (2u << 16) | 400u : (400u << 16) | 2u);
                break;
            case D_TSRESOL:
                g_byte_array_set_size(n.b, bad);
                idb(&n, 1, 0, 20, 0);
                break;
            case D_CUT_HEADER:
                g_byte_array_set_size(n.b, bad + 6);
                break;
            case D_CUT_BODY:
                g_byte_array_set_size(n.b, bad + 20);
                break;
            case D_BAD_BOM: /* a second section header with a bad magic */
                g_byte_array_set_size(n.b, bad);
                shb(&n, be);
                n.b->data[bad + 8] ^= 0xff;
                break;
            case D_VERSION:
                g_byte_array_set_size(n.b, bad);
                shb(&n, be);
                patch32(&n, bad + 12, n.be ? (2u << 16) : 2u);
                break;
            default:
                break;
            }
            FILE *f = open_ng(&n);
            TfaPcapng *r = tfa_pcapng_new(f, NULL);
            assert_non_null(r);
            TfaPcapngPacket p[2];
            unsigned got;
            assert_int_equal(read_packets(r, p, 2, &got, NULL), TFA_PCAPNG_DAMAGED);
            if (got != 1 || strstr(tfa_pcapng_error(r), want[c]) == NULL)
                fail_msg("case %d (%s): %u packets, '%s'", c, be ? "big-endian" : "little",
                         got, tfa_pcapng_error(r));
            assert_int_equal(tfa_pcapng_damage_offset(r), bad);
            TfaPcapngPacket q;
            assert_int_equal(tfa_pcapng_next(r, &q), TFA_PCAPNG_DAMAGED);
            tfa_pcapng_free(r);
            fclose(f);
            g_byte_array_unref(n.b);
        }
    }
}

/* What is not a pcapng file is refused at the start; a file that ends
 * after its section header is an empty capture. */
typedef struct Feed {
    const uint8_t *data;
    size_t len, pos, limit; /* the source has [0, limit) so far */
    bool asked_beyond;      /* a read came when it had nothing more yet */
} Feed;

static ssize_t feed_read(void *ctx, void *buf, size_t len)
{
    Feed *f = ctx;
    if (f->pos >= f->limit) {
        f->asked_beyond = f->limit < f->len;
        return 0;
    }
    size_t n = MIN(MIN(len, (size_t)5), f->limit - f->pos); /* 5 bytes a read */
    memcpy(buf, f->data + f->pos, n);
    f->pos += n;
    return (ssize_t)n;
}

/* Through a read function: a packet comes out before any byte past its
 * block is asked for (a pipe's packets as they arrive), blocks cut across
 * reads; in memory, packets point into the caller's bytes. */
static void test_reader_and_memory(void **state)
{
    (void)state;
    Ng n = {g_byte_array_new(), false};
    shb(&n, false);
    idb(&n, 1, 65535, 6, 0);
    uint8_t p[70];
    memset(p, 0x5a, sizeof(p));
    epb(&n, 0, 1000000, p, sizeof(p), sizeof(p));
    size_t first = n.b->len;
    epb(&n, 0, 2000000, p, 30, 30);
    Feed feed = {.data = n.b->data, .len = n.b->len, .limit = first};
    TfaPcapng *r = tfa_pcapng_new_reader(feed_read, &feed, NULL);
    assert_non_null(r);
    TfaPcapngPacket pk;
    assert_int_equal(tfa_pcapng_next(r, &pk), TFA_PCAPNG_IFACE);
    assert_int_equal(tfa_pcapng_next(r, &pk), TFA_PCAPNG_PACKET);
    assert_false(feed.asked_beyond);
    assert_int_equal(pk.caplen, sizeof(p));
    assert_memory_equal(pk.data, p, sizeof(p));
    feed.limit = feed.len;
    assert_int_equal(tfa_pcapng_next(r, &pk), TFA_PCAPNG_PACKET);
    assert_int_equal(pk.caplen, 30);
    assert_int_equal(tfa_pcapng_next(r, &pk), TFA_PCAPNG_END);
    assert_int_equal(tfa_pcapng_offset(r), n.b->len);
    tfa_pcapng_free(r);

    r = tfa_pcapng_new_memory(n.b->data, n.b->len, NULL);
    assert_non_null(r);
    assert_int_equal(tfa_pcapng_next(r, &pk), TFA_PCAPNG_IFACE);
    assert_int_equal(tfa_pcapng_next(r, &pk), TFA_PCAPNG_PACKET);
    assert_true(pk.data > n.b->data && pk.data < n.b->data + first); /* in place */
    tfa_pcapng_free(r);
    g_byte_array_unref(n.b);
}

static void test_start(void **state)
{
    Ng n = {g_byte_array_new(), false};
    shb(&n, false);
    FILE *f = open_ng(&n);
    TfaPcapng *r = tfa_pcapng_new(f, NULL);
    TfaPcapngPacket p;
    assert_int_equal(tfa_pcapng_next(r, &p), TFA_PCAPNG_END);
    tfa_pcapng_free(r);
    fclose(f);

    n.b->data[9] ^= 0x55; /* the byte-order magic */
    f = open_ng(&n);
    GError *err = NULL;
    assert_null(tfa_pcapng_new(f, &err));
    assert_non_null(strstr(err->message, "unknown file format"));
    g_clear_error(&err);
    fclose(f);

    g_byte_array_set_size(n.b, 5);
    f = open_ng(&n);
    assert_null(tfa_pcapng_new(f, &err));
    assert_non_null(strstr(err->message, "ends inside the first section header"));
    g_clear_error(&err);
    fclose(f);
    g_byte_array_unref(n.b);

    assert_true(tfa_pcapng_magic((const uint8_t *)"\x0a\x0d\x0d\x0a", 4));
    assert_false(tfa_pcapng_magic((const uint8_t *)"\xd4\xc3\xb2\xa1", 4));
    assert_false(tfa_pcapng_magic((const uint8_t *)"\x0a\x0d", 2));
    assert_int_equal(tfa_pcapng_linktype_to_dlt(101), DLT_RAW);
    assert_int_equal(tfa_pcapng_linktype_to_dlt(1), DLT_EN10MB);
    assert_int_equal(tfa_pcapng_linktype_to_dlt(276), 276);
}

/* ---- through the capture ------------------------------------------------ */

/* Ethernet/IPv4/TCP 10.0.0.1:1000 > 10.0.0.2:(80+i) SYN; @raw drops the
 * Ethernet header. */
static GByteArray *tcp_frame(unsigned i, bool raw)
{
    static const uint8_t eth[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
    uint8_t ip_tcp[40] = {
        0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        0x03, 0xe8, 0x00, (uint8_t)(80 + i), 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x02,
        0xff, 0xff, 0, 0, 0, 0};
    GByteArray *b = g_byte_array_new();
    if (!raw)
        g_byte_array_append(b, eth, sizeof(eth));
    g_byte_array_append(b, ip_tcp, sizeof(ip_tcp));
    return b;
}

/* Ethernet on interface 0, raw IP on interface 1 (snaplen 96), DOCSIS on 2:
 * frames carry their interface's link type; the filter is compiled for each
 * decoded link type; DOCSIS (not decoded) passes to the decoder, which counts it. */
static GByteArray *mixed_file(void)
{
    Ng n = {g_byte_array_new(), false};
    shb(&n, false);
    idb(&n, 1, 65535, 9, 0);
    idb(&n, 101, 96, 6, 0);
    idb(&n, 143, 0, 6, 0);
    for (unsigned i = 1; i <= 6; i++) {
        unsigned iface = i % 3;
        g_autoptr(GByteArray) fr = tcp_frame(i, iface != 0);
        epb(&n, iface, iface == 0 ? i * UINT64_C(1000000000) : i * UINT64_C(1000000),
            fr->data, fr->len, fr->len);
    }
    shb(&n, true); /* a second section, the other byte order */
    idb(&n, 101, 0, -1, 0);
    g_autoptr(GByteArray) fr = tcp_frame(7, true);
    epb(&n, 0, 7 * UINT64_C(1000000), fr->data, fr->len, fr->len);
    return n.b;
}

static unsigned read_capture(TfaCapture *cap, TfaFrame *f, uint8_t *tags, unsigned max,
                             GString *msg)
{
    unsigned n = 0;
    for (;;) {
        GError *err = NULL;
        TfaFrame fr;
        TfaCaptureStatus st = tfa_capture_next(cap, &fr, &err);
        if (st == TFA_CAPTURE_FRAME) {
            if (n < max) {
                f[n] = fr;
                tags[n] = fr.caplen >= 40 ? fr.bytes[fr.caplen - 17] : 0;
                f[n].bytes = NULL;
            }
            n++;
        } else if (st == TFA_CAPTURE_DAMAGED) {
            g_string_append_printf(msg, "%s\n", err->message);
            g_error_free(err);
        } else {
            assert_int_equal(st, TFA_CAPTURE_END);
            return n;
        }
    }
}

static char *write_tmp(const GByteArray *b)
{
    char *dir = g_dir_make_tmp("tfa-pcapng-XXXXXX", NULL);
    char *path = g_build_filename(dir, "x.pcapng", NULL);
    g_free(dir);
    assert_true(g_file_set_contents(path, (const char *)b->data, (gssize)b->len, NULL));
    return path;
}

static void remove_tmp(char *path)
{
    char *dir = g_path_get_dirname(path);
    g_unlink(path);
    g_rmdir(dir);
    g_free(dir);
    g_free(path);
}

static void test_capture_mixed_link_types(void **state)
{
    g_autoptr(GByteArray) b = mixed_file();
    char *path = write_tmp(b);
    const char *paths[] = {path, NULL};
    TfaFrame f[8];
    uint8_t tags[8];
    g_autoptr(GString) msg = g_string_new(NULL);

    TfaCapture *cap = tfa_capture_new_files(paths, NULL, NULL);
    assert_int_equal(read_capture(cap, f, tags, 8, msg), 7);
    assert_string_equal(msg->str, "");
    int want_lt[7] = {DLT_RAW, 143, DLT_EN10MB, DLT_RAW, 143, DLT_EN10MB, DLT_RAW};
    for (unsigned i = 0; i < 7; i++) {
        assert_int_equal(f[i].linktype, want_lt[i]);
        assert_int_equal(f[i].frame_no, i + 1);
        assert_int_equal(tags[i], 81 + i);
    }
    assert_int_equal(f[2].ts, 3 * TFA_NSEC_PER_SEC);
    assert_int_equal(f[3].ts, 4 * INT64_C(1000000000));
    assert_int_equal(f[6].ts, 7 * INT64_C(1000000000));
    TfaCaptureStats st;
    tfa_capture_get_stats(cap, &st);
    assert_int_equal(st.files_opened, 1);
    assert_int_equal(st.files_damaged, 0);
    tfa_capture_free(cap);

    /* the filter, compiled for Ethernet and for raw IP, matches on both;
     * DOCSIS frames are not filtered (the decoder counts them) */
    cap = tfa_capture_new_files(paths, "tcp dst port 81 or tcp dst port 83 or dst port 85", NULL);
    unsigned got = read_capture(cap, f, tags, 8, msg);
    assert_string_equal(msg->str, "");
    assert_int_equal(got, 4);
    assert_int_equal(tags[0], 81);
    assert_int_equal(f[0].linktype, DLT_RAW);
    assert_int_equal(tags[1], 82); /* DOCSIS */
    assert_int_equal(tags[2], 83);
    assert_int_equal(f[2].linktype, DLT_EN10MB);
    assert_int_equal(tags[3], 85); /* DOCSIS: 84 and 86 did not pass */
    tfa_capture_free(cap);

    /* a filter that cannot apply to a link type of the file: damaged */
    cap = tfa_capture_new_files(paths, "ether host 02:00:00:00:00:01", NULL);
    assert_int_equal(read_capture(cap, f, tags, 8, msg), 0);
    assert_non_null(strstr(msg->str, "cannot compile filter"));
    assert_non_null(strstr(msg->str, "RAW"));
    tfa_capture_free(cap);
    remove_tmp(path);
}

/* Read from a pipe (sequentially, no seeking), and from memory. */
static void test_capture_pipe_and_memory(void **state)
{
    g_autoptr(GByteArray) b = mixed_file();
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    assert_true(b->len < 65536);
    assert_int_equal(write(pfd[1], b->data, b->len), (ssize_t)b->len);
    close(pfd[1]);
    char path[64];
    g_snprintf(path, sizeof(path), "/proc/self/fd/%d", pfd[0]);
    const char *paths[] = {path, NULL};
    TfaFrame f[8];
    uint8_t tags[8];
    g_autoptr(GString) msg = g_string_new(NULL);
    TfaCapture *cap = tfa_capture_new_files(paths, NULL, NULL);
    assert_int_equal(read_capture(cap, f, tags, 8, msg), 7);
    assert_string_equal(msg->str, "");
    tfa_capture_free(cap);
    close(pfd[0]);

    cap = tfa_capture_new_memory(b->data, b->len, NULL, NULL);
    assert_non_null(cap);
    assert_int_equal(read_capture(cap, f, tags, 8, msg), 7);
    assert_int_equal(f[6].linktype, DLT_RAW);
    tfa_capture_free(cap);
}

/* Damage: the frames before it, then the file's name, the byte offset of
 * the block and the reason; a file with only undecoded link types is
 * skipped at its first packet, as a classic pcap of such a type is. */
static void test_capture_damage_and_skip(void **state)
{
    Ng n = {g_byte_array_new(), false};
    shb(&n, false);
    idb(&n, 1, 0, 9, 0);
    g_autoptr(GByteArray) fr = tcp_frame(1, false);
    epb(&n, 0, 1, fr->data, fr->len, fr->len);
    size_t bad = epb(&n, 0, 2, fr->data, fr->len, fr->len);
    patch32(&n, n.b->len - 4, 12);
    char *path = write_tmp(n.b);
    const char *paths[] = {path, NULL};
    TfaFrame f[2];
    uint8_t tags[2];
    g_autoptr(GString) msg = g_string_new(NULL);
    TfaCapture *cap = tfa_capture_new_files(paths, NULL, NULL);
    assert_int_equal(read_capture(cap, f, tags, 2, msg), 1);
    g_autofree char *want = g_strdup_printf("is damaged at byte offset %zu (after frame 1 of "
                                            "this file)", bad);
    assert_non_null(strstr(msg->str, want));
    assert_non_null(strstr(msg->str, "x.pcapng"));
    assert_non_null(strstr(msg->str, "the rest of the file is not read"));
    TfaCaptureStats st;
    tfa_capture_get_stats(cap, &st);
    assert_int_equal(st.files_damaged, 1);
    tfa_capture_free(cap);
    remove_tmp(path);
    g_byte_array_unref(n.b);

    n.b = g_byte_array_new();
    shb(&n, false);
    idb(&n, 143, 0, -1, 0);
    epb(&n, 0, 1, fr->data, fr->len, fr->len);
    g_string_truncate(msg, 0);
    cap = tfa_capture_new_memory(n.b->data, n.b->len, NULL, NULL);
    assert_int_equal(read_capture(cap, f, tags, 2, msg), 0);
    assert_non_null(strstr(msg->str, "link type DOCSIS (143) is not decoded; file skipped"));
    tfa_capture_free(cap);
    g_byte_array_unref(n.b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sections_and_byte_orders),
        cmocka_unit_test(test_tsresol),
        cmocka_unit_test(test_spb_pb_and_unknown_blocks),
        cmocka_unit_test(test_damage),
        cmocka_unit_test(test_reader_and_memory),
        cmocka_unit_test(test_start),
        cmocka_unit_test(test_capture_mixed_link_types),
        cmocka_unit_test(test_capture_pipe_and_memory),
        cmocka_unit_test(test_capture_damage_and_skip),
    };
    return cmocka_run_group_tests_name("capture/pcapng", tests, NULL, NULL);
}
