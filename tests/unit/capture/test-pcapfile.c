/* test-pcapfile.c - our classic pcap reader on hand-built files: records
 * point into the caller's memory (no copy); read through a read function,
 * a record is handed out before any byte past it is asked for (a pipe's
 * frames come out as they arrive); a record larger than a block and
 * records cut across many short reads; Kuznetzov's records; a byte-swapped
 * NFLOG record put into host order in a copy, the file's bytes untouched;
 * and the damage libpcap reports, with its offset.  fuzz-pcapfile compares
 * the reader with libpcap itself on any bytes. */
#include "tfa-test.h"

#include "capture/pcapfile.h"

#include <string.h>

static void put32(GByteArray *b, uint32_t v, bool be)
{
    uint8_t x[4];
    for (int i = 0; i < 4; i++)
        x[be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
    g_byte_array_append(b, x, 4);
}

static void put16(GByteArray *b, uint16_t v, bool be)
{
    uint8_t x[2] = {be ? (uint8_t)(v >> 8) : (uint8_t)v, be ? (uint8_t)v : (uint8_t)(v >> 8)};
    g_byte_array_append(b, x, 2);
}

static GByteArray *file_header(uint32_t magic, uint32_t snaplen, uint32_t linktype, bool be)
{
    GByteArray *b = g_byte_array_new();
    put32(b, magic, be);
    put16(b, 2, be);
    put16(b, 4, be);
    put32(b, 0, be);
    put32(b, 0, be);
    put32(b, snaplen, be);
    put32(b, linktype, be);
    return b;
}

static void record(GByteArray *b, uint32_t sec, uint32_t frac, const uint8_t *data,
                   uint32_t caplen, uint32_t len, bool be)
{
    put32(b, sec, be);
    put32(b, frac, be);
    put32(b, caplen, be);
    put32(b, len, be);
    g_byte_array_append(b, data, caplen);
}

typedef struct Feed {
    const uint8_t *data;
    size_t len, pos;
    size_t piece;      /* largest read handed over */
    size_t limit;      /* bytes the source has so far (a pipe not yet written further) */
    bool asked_beyond; /* a read came when the source had nothing more yet */
} Feed;

static ssize_t feed_read(void *ctx, void *buf, size_t len)
{
    Feed *f = ctx;
    if (f->pos >= f->limit) {
        if (f->limit < f->len)
            f->asked_beyond = true;
        return 0;
    }
    size_t n = MIN(MIN(len, f->piece), f->limit - f->pos);
    memcpy(buf, f->data + f->pos, n);
    f->pos += n;
    return (ssize_t)n;
}

static void test_memory_in_place(void **state)
{
    (void)state;
    uint8_t a[60], b[1500];
    memset(a, 0xaa, sizeof(a));
    memset(b, 0xbb, sizeof(b));
    GByteArray *f = file_header(0xa1b2c3d4u, 65535, 1, false);
    record(f, 1000, 250000, a, sizeof(a), 60, false);
    record(f, 1001, 999999, b, sizeof(b), 1514, false);
    g_autoptr(GError) err = NULL;
    TfaPcapFile *r = tfa_pcapfile_new_memory(f->data, f->len, &err);
    assert_non_null(r);
    assert_int_equal(tfa_pcapfile_linktype(r), 1);
    assert_int_equal(tfa_pcapfile_snapshot(r), 65535);
    struct pcap_pkthdr h;
    const uint8_t *d;
    assert_int_equal(tfa_pcapfile_next(r, &h, &d), TFA_PCAPFILE_PACKET);
    assert_ptr_equal(d, f->data + 24 + 16); /* in place */
    assert_int_equal(h.ts.tv_sec, 1000);
    assert_int_equal(h.ts.tv_usec, 250000000); /* nanoseconds */
    assert_int_equal(tfa_pcapfile_next(r, &h, &d), TFA_PCAPFILE_PACKET);
    assert_ptr_equal(d, f->data + 24 + 16 + 60 + 16);
    assert_int_equal(h.caplen, 1500);
    assert_int_equal(h.len, 1514);
    assert_int_equal(tfa_pcapfile_next(r, &h, &d), TFA_PCAPFILE_END);
    assert_int_equal(tfa_pcapfile_offset(r), f->len);
    tfa_pcapfile_free(r);
    g_byte_array_unref(f);
}

static void test_reader_hands_out_what_arrived(void **state)
{
    (void)state;
    uint8_t p[100];
    memset(p, 0x11, sizeof(p));
    GByteArray *f = file_header(0xa1b23c4du, 65535, 1, true); /* big-endian, nanoseconds */
    record(f, 7, 123456789, p, sizeof(p), 100, true);
    size_t first = f->len;
    record(f, 8, 5, p, sizeof(p), 100, true);
    /* the source has the header and the first record only, so far */
    Feed feed = {.data = f->data, .len = f->len, .piece = 7, .limit = first};
    TfaPcapFile *r = tfa_pcapfile_new_reader(feed_read, &feed, NULL);
    assert_non_null(r);
    struct pcap_pkthdr h;
    const uint8_t *d;
    assert_int_equal(tfa_pcapfile_next(r, &h, &d), TFA_PCAPFILE_PACKET);
    assert_false(feed.asked_beyond); /* the first record did not wait for more */
    assert_int_equal(h.ts.tv_sec, 7);
    assert_int_equal(h.ts.tv_usec, 123456789);
    assert_memory_equal(d, p, sizeof(p));
    feed.limit = feed.len; /* the rest arrives */
    assert_int_equal(tfa_pcapfile_next(r, &h, &d), TFA_PCAPFILE_PACKET);
    assert_int_equal(h.ts.tv_usec, 5);
    assert_int_equal(tfa_pcapfile_next(r, &h, &d), TFA_PCAPFILE_END);
    tfa_pcapfile_free(r);
    g_byte_array_unref(f);
}

static void test_records_across_blocks(void **state)
{
    (void)state;
    /* a record larger than a block (DBUS: libpcap's maximum is 128 MiB),
     * then many small ones cut across reads and across the buffer's end */
    size_t big = TFA_PCAPFILE_BLOCK + 1000;
    uint8_t *data = g_malloc(big);
    for (size_t i = 0; i < big; i++)
        data[i] = (uint8_t)(i * 7);
    GByteArray *f = file_header(0xa1b2c3d4u, 0, 231, false);
    record(f, 1, 0, data, (uint32_t)big, (uint32_t)big, false);
    for (uint32_t i = 0; i < 3000; i++)
        record(f, 2 + i, i, data + i, 100 + i % 200, 100 + i % 200, false);
    Feed feed = {.data = f->data, .len = f->len, .piece = 65521, .limit = f->len};
    TfaPcapFile *r = tfa_pcapfile_new_reader(feed_read, &feed, NULL);
    assert_non_null(r);
    struct pcap_pkthdr h;
    const uint8_t *d;
    assert_int_equal(tfa_pcapfile_next(r, &h, &d), TFA_PCAPFILE_PACKET);
    assert_int_equal(h.caplen, big);
    assert_memory_equal(d, data, big);
    for (uint32_t i = 0; i < 3000; i++) {
        assert_int_equal(tfa_pcapfile_next(r, &h, &d), TFA_PCAPFILE_PACKET);
        assert_int_equal(h.ts.tv_sec, 2 + i);
        assert_int_equal(h.caplen, 100 + i % 200);
        assert_memory_equal(d, data + i, h.caplen);
    }
    assert_int_equal(tfa_pcapfile_next(r, &h, &d), TFA_PCAPFILE_END);
    assert_int_equal(tfa_pcapfile_offset(r), f->len);
    tfa_pcapfile_free(r);
    g_byte_array_unref(f);
    g_free(data);
}

static void test_kuznetzov_and_nflog(void **state)
{
    (void)state;
    /* Kuznetzov: 24-byte record headers, Ethernet snapshot + 14 */
    uint8_t p[64];
    memset(p, 0x22, sizeof(p));
    GByteArray *f = file_header(0xa1b2cd34u, 50, 1, false);
    put32(f, 3, false);
    put32(f, 4, false);
    put32(f, sizeof(p), false);
    put32(f, 64, false);
    g_byte_array_append(f, (const uint8_t *)"\1\0\0\0\0\x08\0\0", 8); /* ifindex ... */
    g_byte_array_append(f, p, sizeof(p));
    TfaPcapFile *r = tfa_pcapfile_new_memory(f->data, f->len, NULL);
    assert_non_null(r);
    assert_int_equal(tfa_pcapfile_snapshot(r), 64);
    struct pcap_pkthdr h;
    const uint8_t *d;
    assert_int_equal(tfa_pcapfile_next(r, &h, &d), TFA_PCAPFILE_PACKET);
    assert_int_equal(h.caplen, 64);
    assert_ptr_equal(d, f->data + 24 + 24);
    tfa_pcapfile_free(r);
    g_byte_array_unref(f);

    /* NFLOG written in the other byte order: TLV lengths and types come
     * out in host order, in a copy; the file's bytes stay as they were */
    bool other = G_BYTE_ORDER == G_LITTLE_ENDIAN;
    GByteArray *n = g_byte_array_new();
    g_byte_array_append(n, (const uint8_t *)"\2\0\0\0", 4);
    put16(n, 8, other);
    put16(n, 1, other);
    g_byte_array_append(n, (const uint8_t *)"\x08\0\0\0", 4);
    put16(n, 8, other);
    put16(n, 9, other);
    g_byte_array_append(n, (const uint8_t *)"\x45\0\0\x14", 4);
    uint8_t nf[20];
    assert_int_equal(n->len, sizeof(nf));
    memcpy(nf, n->data, sizeof(nf));
    g_byte_array_unref(n);
    f = file_header(0xa1b2c3d4u, 65535, 239, other);
    record(f, 1, 0, nf, sizeof(nf), sizeof(nf), other);
    r = tfa_pcapfile_new_memory(f->data, f->len, NULL);
    assert_non_null(r);
    assert_int_equal(tfa_pcapfile_next(r, &h, &d), TFA_PCAPFILE_PACKET);
    assert_ptr_not_equal(d, f->data + 40);
    uint16_t v;
    memcpy(&v, d + 4, 2);
    assert_int_equal(v, 8);
    memcpy(&v, d + 14, 2);
    assert_int_equal(v, 9);
    assert_memory_equal(f->data + 40, nf, sizeof(nf));
    tfa_pcapfile_free(r);
    g_byte_array_unref(f);
}

static void test_damage(void **state)
{
    (void)state;
    uint8_t p[40] = {0};
    GByteArray *f = file_header(0xa1b2c3d4u, 65535, 1, false);
    record(f, 1, 0, p, sizeof(p), 40, false);
    struct pcap_pkthdr h;
    const uint8_t *d;
    g_autoptr(GError) err = NULL;

    assert_null(tfa_pcapfile_new_memory(f->data, 3, &err));
    assert_string_equal(err->message,
                        "truncated dump file; tried to read 4 file header bytes, only got 3");
    g_clear_error(&err);
    assert_null(tfa_pcapfile_new_memory(f->data, 10, &err));
    assert_string_equal(err->message,
                        "truncated dump file; tried to read 24 file header bytes, only got 6");
    g_clear_error(&err);
    assert_null(tfa_pcapfile_new_memory((const uint8_t *)"GET / HTTP/1.1\r\n\r\n", 18, &err));
    assert_string_equal(err->message, "unknown file format");
    g_clear_error(&err);

    /* cut inside the record's data: where reading stopped */
    TfaPcapFile *r = tfa_pcapfile_new_memory(f->data, f->len - 5, NULL);
    assert_int_equal(tfa_pcapfile_next(r, &h, &d), TFA_PCAPFILE_DAMAGED);
    assert_string_equal(tfa_pcapfile_error(r),
                        "truncated dump file; tried to read 40 captured bytes, only got 35");
    assert_int_equal(tfa_pcapfile_offset(r), f->len - 5);
    assert_int_equal(tfa_pcapfile_record_offset(r), 24); /* the damaged record */
    assert_int_equal(tfa_pcapfile_next(r, &h, &d), TFA_PCAPFILE_DAMAGED); /* and stays so */
    tfa_pcapfile_free(r);

    /* cut inside the record header */
    r = tfa_pcapfile_new_memory(f->data, 24 + 9, NULL);
    assert_int_equal(tfa_pcapfile_next(r, &h, &d), TFA_PCAPFILE_DAMAGED);
    assert_string_equal(tfa_pcapfile_error(r),
                        "truncated dump file; tried to read 16 header bytes, only got 9");
    tfa_pcapfile_free(r);

    /* a caplen above libpcap's maximum: stopped after the record header */
    f->data[24 + 8] = 0x01;
    f->data[24 + 10] = 0x10;
    r = tfa_pcapfile_new_memory(f->data, f->len, NULL);
    assert_int_equal(tfa_pcapfile_next(r, &h, &d), TFA_PCAPFILE_DAMAGED);
    assert_string_equal(tfa_pcapfile_error(r), "invalid packet capture length 1048577, bigger "
                                               "than snaplen of 65535");
    assert_int_equal(tfa_pcapfile_offset(r), 24 + 16);
    tfa_pcapfile_free(r);
    g_byte_array_unref(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_in_place),
        cmocka_unit_test(test_reader_hands_out_what_arrived),
        cmocka_unit_test(test_records_across_blocks),
        cmocka_unit_test(test_kuznetzov_and_nflog),
        cmocka_unit_test(test_damage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
