/* test-extract.c - the stream extractor: order, overlaps, wrap-around,
 * holes, differing retransmissions, FIN and RST, caps, names, files. */
#include "tfa-test.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tcpflow-audit/conn.h"
#include "tcpflow-audit/extract.h"
#include "tcpflow-audit/options.h"
#include "tcpflow-audit/stats.h"

typedef struct Fx {
    char *dir;
    TfaOptions o;
    TfaExtractBudget b;
    TfaStats st;
    TfaConn *c;
} Fx;

static int setup(void **state)
{
    Fx *f = g_new0(Fx, 1);
    f->dir = g_dir_make_tmp("tfa-extract-XXXXXX", NULL);
    assert_non_null(f->dir);
    tfa_options_init(&f->o);
    f->o.extract_fd = tfa_extract_open_dir(f->dir, NULL);
    assert_true(f->o.extract_fd >= 0);
    f->b.limit = f->o.extract_max_total;
    f->c = g_new0(TfaConn, 1);
    f->c->id = 7;
    f->c->incarnation = 1;
    f->c->client = 0;
    f->c->key.addr[0] = tfa_test_ip4(10, 0, 0, 1);
    f->c->key.addr[1] = tfa_test_ip4(192, 168, 1, 20);
    f->c->key.port[0] = 40000;
    f->c->key.port[1] = 80;
    f->c->ep[0].state = f->c->ep[1].state = TFA_TCP_ESTABLISHED;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fx *f = *state;
    const char *name;
    GDir *d = g_dir_open(f->dir, 0, NULL);
    while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
        char *p = g_build_filename(f->dir, name, NULL);
        g_unlink(p);
        g_free(p);
    }
    if (d != NULL)
        g_dir_close(d);
    g_rmdir(f->dir);
    g_free(f->dir);
    tfa_conn_free(f->c);
    close(f->o.extract_fd);
    f->o.extract_fd = -1;
    tfa_options_clear(&f->o);
    g_free(f);
    return 0;
}

/* Feed one segment of @side: @data (NUL-terminated text) at @seq. */
static void feed(Fx *f, uint8_t side, uint16_t flags, uint32_t seq, uint32_t ack, const char *data)
{
    TfaAddr a = f->c->key.addr[side], b = f->c->key.addr[1 - side];
    uint32_t len = data != NULL ? (uint32_t)strlen(data) : 0;
    TfaSegment s = tfa_test_seg(a, f->c->key.port[side], b, f->c->key.port[1 - side], flags, seq,
                                ack, len, 1, 1);
    s.payload = (const uint8_t *)data;
    tfa_extract_segment(f->c, &f->o, &f->b, &f->st, &s, side);
}

static const TfaExtractDir *dir(Fx *f, uint8_t side)
{
    return &f->c->extract->dir[side];
}

/* The file of @side's stream, as written. */
static GBytes *file_of(Fx *f, uint8_t side)
{
    char name[TFA_EXTRACT_NAME_MAX];
    tfa_extract_name(f->c, side, name, sizeof(name));
    char *p = g_build_filename(f->dir, name, NULL);
    char *buf = NULL;
    gsize len = 0;
    GBytes *out = NULL;
    if (g_file_get_contents(p, &buf, &len, NULL))
        out = g_bytes_new_take(buf, len);
    g_free(p);
    return out;
}

static void assert_file(Fx *f, uint8_t side, const char *want, gsize n)
{
    GBytes *got = file_of(f, side);
    assert_non_null(got);
    gsize len;
    const void *p = g_bytes_get_data(got, &len);
    assert_int_equal(len, n);
    assert_memory_equal(p, want, n);
    char *sha = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)want, n);
    char hex[65];
    tfa_extract_hex(dir(f, side)->sha256, hex);
    assert_string_equal(hex, sha);
    g_free(sha);
    g_bytes_unref(got);
}

static void test_in_order_from_syn(void **state)
{
    Fx *f = *state;
    feed(f, 0, TFA_TH_SYN, 1000, 0, NULL);
    feed(f, 1, TFA_TH_SYN | TFA_TH_ACK, 5000, 1001, NULL);
    feed(f, 0, TFA_TH_ACK, 1001, 5001, "hello");
    feed(f, 0, TFA_TH_ACK, 1006, 5001, " world");
    feed(f, 1, TFA_TH_ACK, 5001, 1012, "ok");
    feed(f, 0, TFA_TH_ACK | TFA_TH_FIN, 1012, 5003, NULL);
    tfa_extract_finish(f->c, &f->o, &f->b, &f->st);
    assert_file(f, 0, "hello world", 11);
    assert_file(f, 1, "ok", 2);
    assert_int_equal(dir(f, 0)->bytes, 11);
    assert_int_equal(dir(f, 0)->holes_total, 0);
    assert_int_equal(dir(f, 0)->differs_total, 0);
    assert_int_equal(f->b.held, 0); /* released */
}

static void test_out_of_order_and_overlap(void **state)
{
    Fx *f = *state;
    feed(f, 0, TFA_TH_SYN, 0, 0, NULL);
    feed(f, 0, TFA_TH_ACK, 11, 1, "KLMNOPQRST");  /* [10,20) first */
    feed(f, 0, TFA_TH_ACK, 1, 1, "ABCDEFGHIJ");   /* [0,10) fills in */
    feed(f, 0, TFA_TH_ACK, 6, 1, "FGHIJKLMNO");   /* [5,15) the same bytes again */
    tfa_extract_finish(f->c, &f->o, &f->b, &f->st);
    assert_file(f, 0, "ABCDEFGHIJKLMNOPQRST", 20);
    assert_int_equal(dir(f, 0)->differs_total, 0);
}

static void test_differing_retransmission(void **state)
{
    Fx *f = *state;
    feed(f, 0, TFA_TH_SYN, 0, 0, NULL);
    feed(f, 0, TFA_TH_ACK, 1, 1, "ABCDEFGHIJ");
    feed(f, 0, TFA_TH_ACK, 3, 1, "CDxyGHIJKL"); /* [2,12): offsets 4-5 differ, 10-11 new */
    tfa_extract_finish(f->c, &f->o, &f->b, &f->st);
    assert_file(f, 0, "ABCDEFGHIJKL", 12); /* the first copy wins */
    const TfaExtractDir *d = dir(f, 0);
    assert_int_equal(d->differs_total, 1);
    assert_int_equal(d->differs[0].from, 4);
    assert_int_equal(d->differs[0].to, 6);
    char *first = g_compute_checksum_for_string(G_CHECKSUM_SHA256, "EF", 2);
    char *later = g_compute_checksum_for_string(G_CHECKSUM_SHA256, "xy", 2);
    char hex[65];
    tfa_extract_hex(d->differs[0].first_sha256, hex);
    assert_string_equal(hex, first);
    tfa_extract_hex(d->differs[0].later_sha256, hex);
    assert_string_equal(hex, later);
    g_free(first);
    g_free(later);
}

static void test_wrap_around(void **state)
{
    Fx *f = *state;
    feed(f, 0, TFA_TH_SYN, 0xfffffff8u, 0, NULL);         /* data from 0xfffffff9 */
    feed(f, 0, TFA_TH_ACK, 0xfffffff9u, 1, "0123456789"); /* crosses 2^32 */
    feed(f, 0, TFA_TH_ACK, 0x00000003u, 1, "abcdef");     /* offset 10 */
    feed(f, 0, TFA_TH_ACK, 0xfffffffdu, 1, "4567");       /* an old copy */
    tfa_extract_finish(f->c, &f->o, &f->b, &f->st);
    assert_file(f, 0, "0123456789abcdef", 16);
    assert_int_equal(dir(f, 0)->before_start, 0);
    assert_int_equal(dir(f, 0)->differs_total, 0);
}

static void test_mid_stream_before_start(void **state)
{
    Fx *f = *state;
    feed(f, 0, TFA_TH_ACK, 100, 1, "later");  /* no SYN: offset 0 is seq 100 */
    feed(f, 0, TFA_TH_ACK, 97, 1, "abclat"); /* 3 bytes before the start */
    tfa_extract_finish(f->c, &f->o, &f->b, &f->st);
    assert_file(f, 0, "later", 5);
    assert_int_equal(dir(f, 0)->before_start, 3);
}

static void hole_stream(Fx *f, bool acked)
{
    feed(f, 0, TFA_TH_SYN, 0, 0, NULL);
    feed(f, 0, TFA_TH_ACK, 1, 1, "AAAAA");   /* [0,5) */
    feed(f, 0, TFA_TH_ACK, 11, 1, "CCCCC");  /* [10,15): [5,10) never captured */
    if (acked)
        feed(f, 1, TFA_TH_ACK, 1, 16, NULL); /* the receiver has everything */
    tfa_extract_finish(f->c, &f->o, &f->b, &f->st);
}

static void test_hole_left_out(void **state)
{
    Fx *f = *state;
    hole_stream(f, true);
    assert_file(f, 0, "AAAAACCCCC", 10);
    const TfaExtractDir *d = dir(f, 0);
    assert_int_equal(d->holes_total, 1);
    assert_int_equal(d->hole_bytes, 5);
    assert_int_equal(d->holes[0].from, 5);
    assert_int_equal(d->holes[0].to, 10);
    assert_true(d->holes[0].acked); /* capture loss */
    assert_int_equal(f->c->extract->fill, -1);
}

static void test_hole_not_acked_filled(void **state)
{
    Fx *f = *state;
    f->o.extract_fill = '?';
    hole_stream(f, false);
    assert_file(f, 0, "AAAAA?????CCCCC", 15);
    assert_false(dir(f, 0)->holes[0].acked);
    assert_int_equal(f->c->extract->fill, '?');
}

static void test_acked_tail_is_a_hole(void **state)
{
    Fx *f = *state;
    feed(f, 0, TFA_TH_SYN, 0, 0, NULL);
    feed(f, 0, TFA_TH_ACK, 1, 1, "AAAA");
    feed(f, 1, TFA_TH_ACK, 1, 9, NULL); /* acknowledges 4 bytes never captured */
    tfa_extract_finish(f->c, &f->o, &f->b, &f->st);
    const TfaExtractDir *d = dir(f, 0);
    assert_int_equal(d->holes_total, 1);
    assert_int_equal(d->holes[0].from, 4);
    assert_int_equal(d->holes[0].to, 8);
    assert_true(d->holes[0].acked);
}

static void test_snap_length_cut_is_a_hole(void **state)
{
    Fx *f = *state;
    feed(f, 0, TFA_TH_SYN, 0, 0, NULL);
    TfaSegment s = tfa_test_seg(f->c->key.addr[0], 40000, f->c->key.addr[1], 80, TFA_TH_ACK, 1, 1,
                                10, 2, 2);
    s.payload = (const uint8_t *)"ABCD";
    s.payload_caplen = 4;
    tfa_extract_segment(f->c, &f->o, &f->b, &f->st, &s, 0);
    feed(f, 0, TFA_TH_ACK | TFA_TH_FIN, 11, 1, "Z");
    tfa_extract_finish(f->c, &f->o, &f->b, &f->st);
    assert_file(f, 0, "ABCDZ", 5);
    assert_int_equal(dir(f, 0)->holes[0].from, 4);
    assert_int_equal(dir(f, 0)->holes[0].to, 10);
}

static void test_fin_with_data_then_beyond(void **state)
{
    Fx *f = *state;
    feed(f, 0, TFA_TH_SYN, 0, 0, NULL);
    feed(f, 0, TFA_TH_ACK | TFA_TH_FIN, 1, 1, "last");
    feed(f, 0, TFA_TH_ACK, 5, 1, "more");  /* after the FIN: ignored */
    feed(f, 0, TFA_TH_ACK, 3, 1, "stXY");  /* straddles it: 2 bytes beyond */
    feed(f, 1, TFA_TH_ACK, 1, 6, NULL);    /* ACK of the FIN is no hole */
    tfa_extract_finish(f->c, &f->o, &f->b, &f->st);
    assert_file(f, 0, "last", 4);
    assert_int_equal(dir(f, 0)->after_fin, 6);
    assert_int_equal(dir(f, 0)->holes_total, 0);
}

static void test_rst_with_data(void **state)
{
    Fx *f = *state;
    feed(f, 0, TFA_TH_SYN, 0, 0, NULL);
    feed(f, 0, TFA_TH_ACK, 1, 1, "data");
    feed(f, 0, TFA_TH_RST | TFA_TH_ACK, 5, 1, "diag"); /* RST text is not stream data */
    f->c->ep[1].state = TFA_TCP_CLOSED;               /* tcpsm: the receiver accepted it */
    feed(f, 0, TFA_TH_ACK, 5, 1, "gone");             /* reaches a closed endpoint */
    tfa_extract_finish(f->c, &f->o, &f->b, &f->st);
    assert_file(f, 0, "data", 4);
    assert_int_equal(dir(f, 0)->after_rst, 8);
}

static void test_challenged_rst_changes_nothing(void **state)
{
    Fx *f = *state;
    feed(f, 0, TFA_TH_SYN, 0, 0, NULL);
    feed(f, 0, TFA_TH_ACK, 1, 1, "data");
    feed(f, 1, TFA_TH_RST, 77, 0, NULL); /* the receiver stays ESTABLISHED */
    feed(f, 0, TFA_TH_ACK, 5, 1, "more");
    tfa_extract_finish(f->c, &f->o, &f->b, &f->st);
    assert_file(f, 0, "datamore", 8);
    assert_int_equal(dir(f, 0)->after_rst, 0);
}

static void test_cap_per_direction(void **state)
{
    Fx *f = *state;
    f->o.extract_max_bytes = 8;
    feed(f, 0, TFA_TH_SYN, 0, 0, NULL);
    feed(f, 0, TFA_TH_ACK, 1, 1, "0123456789");
    feed(f, 0, TFA_TH_ACK, 11, 1, "abcdefghij");
    tfa_extract_finish(f->c, &f->o, &f->b, &f->st);
    assert_file(f, 0, "01234567", 8);
    assert_int_equal(dir(f, 0)->over_cap, 12);
    assert_int_equal(dir(f, 0)->holes_total, 0); /* cut bytes are no holes */
    assert_int_equal(f->st.diag[TFA_DIAG_EXTRACT_CAP_HIT], 1); /* counted once */
    assert_int_equal(tfa_conn_get_count(f->c, TFA_COUNT_DIAG(TFA_DIAG_EXTRACT_CAP_HIT), 0), 1);
}

static void test_cap_total(void **state)
{
    Fx *f = *state;
    f->b.limit = 6;
    feed(f, 0, TFA_TH_SYN, 0, 0, NULL);
    feed(f, 1, TFA_TH_SYN | TFA_TH_ACK, 0, 1, NULL);
    feed(f, 0, TFA_TH_ACK, 1, 1, "0123");
    feed(f, 1, TFA_TH_ACK, 1, 5, "abcd"); /* only 2 bytes of budget left */
    assert_int_equal(f->b.held, 6);
    tfa_extract_finish(f->c, &f->o, &f->b, &f->st);
    assert_file(f, 0, "0123", 4);
    assert_file(f, 1, "ab", 2);
    assert_int_equal(dir(f, 1)->over_cap, 2);
    assert_int_equal(f->b.held, 0);
}

static void test_names(void **state)
{
    Fx *f = *state;
    char name[TFA_EXTRACT_NAME_MAX];
    tfa_extract_name(f->c, 0, name, sizeof(name));
    assert_string_equal(name, "000000000007-1-c-010.000.000.001.40000-192.168.001.020.00080");
    tfa_extract_name(f->c, 1, name, sizeof(name));
    assert_string_equal(name, "000000000007-1-s-192.168.001.020.00080-010.000.000.001.40000");
    TfaAddr v6 = {.family = 6};
    v6.bytes[0] = 0x20;
    v6.bytes[1] = 0x01;
    v6.bytes[2] = 0x0d;
    v6.bytes[3] = 0xb8;
    v6.bytes[15] = 0x01;
    f->c->key.addr[1] = v6;
    f->c->key.addr[0] = v6;
    f->c->key.addr[0].bytes[15] = 0xff;
    f->c->client = 1;
    f->c->incarnation = 2;
    tfa_extract_name(f->c, 1, name, sizeof(name));
    assert_string_equal(name, "000000000007-2-c-2001.0db8.0000.0000.0000.0000.0000.0001.00080-"
                              "2001.0db8.0000.0000.0000.0000.0000.00ff.40000");
    assert_null(strchr(name, ':'));
    assert_null(strchr(name, '/'));
}

static void test_existing_file_and_symlink_refused(void **state)
{
    Fx *f = *state;
    char name[TFA_EXTRACT_NAME_MAX];
    char *target = g_build_filename(f->dir, "target", NULL);
    assert_true(g_file_set_contents(target, "keep", 4, NULL));
    tfa_extract_name(f->c, 0, name, sizeof(name));
    char *link = g_build_filename(f->dir, name, NULL);
    assert_int_equal(symlink(target, link), 0);
    tfa_extract_name(f->c, 1, name, sizeof(name));
    char *plain = g_build_filename(f->dir, name, NULL);
    assert_true(g_file_set_contents(plain, "old", 3, NULL));
    feed(f, 0, TFA_TH_SYN, 0, 0, NULL);
    feed(f, 1, TFA_TH_SYN | TFA_TH_ACK, 0, 1, NULL);
    feed(f, 0, TFA_TH_ACK, 1, 1, "new");
    feed(f, 1, TFA_TH_ACK, 1, 4, "new");
    tfa_extract_finish(f->c, &f->o, &f->b, &f->st);
    assert_int_equal(dir(f, 0)->err, EEXIST); /* O_EXCL: the link is never followed */
    assert_int_equal(dir(f, 1)->err, EEXIST);
    assert_string_equal(dir(f, 0)->name, "");
    assert_int_equal(f->st.diag[TFA_DIAG_EXTRACT_WRITE_FAILED], 2);
    char *buf = NULL;
    assert_true(g_file_get_contents(target, &buf, NULL, NULL));
    assert_string_equal(buf, "keep");
    g_free(buf);
    assert_true(g_file_get_contents(plain, &buf, NULL, NULL));
    assert_string_equal(buf, "old");
    g_free(buf);
    g_free(target);
    g_free(link);
    g_free(plain);
}

static void test_open_dir_errors(void **state)
{
    Fx *f = *state;
    GError *err = NULL;
    char *missing = g_build_filename(f->dir, "missing", NULL);
    assert_int_equal(tfa_extract_open_dir(missing, &err), -1);
    assert_non_null(err);
    assert_non_null(strstr(err->message, "cannot open directory"));
    g_clear_error(&err);
    char *file = g_build_filename(f->dir, "file", NULL);
    assert_true(g_file_set_contents(file, "x", 1, NULL));
    assert_int_equal(tfa_extract_open_dir(file, &err), -1);
    assert_non_null(err);
    g_clear_error(&err);
    g_free(missing);
    g_free(file);
}

static void test_off_without_option(void **state)
{
    Fx *f = *state;
    int fd = f->o.extract_fd;
    f->o.extract_fd = -1;
    feed(f, 0, TFA_TH_SYN, 0, 0, NULL);
    feed(f, 0, TFA_TH_ACK, 1, 1, "x");
    assert_null(f->c->extract); /* nothing allocated on the default path */
    f->o.extract_fd = fd;
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_in_order_from_syn),
        T(test_out_of_order_and_overlap),
        T(test_differing_retransmission),
        T(test_wrap_around),
        T(test_mid_stream_before_start),
        T(test_hole_left_out),
        T(test_hole_not_acked_filled),
        T(test_acked_tail_is_a_hole),
        T(test_snap_length_cut_is_a_hole),
        T(test_fin_with_data_then_beyond),
        T(test_rst_with_data),
        T(test_challenged_rst_changes_nothing),
        T(test_cap_per_direction),
        T(test_cap_total),
        T(test_names),
        T(test_existing_file_and_symlink_refused),
        T(test_open_dir_errors),
        T(test_off_without_option),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
