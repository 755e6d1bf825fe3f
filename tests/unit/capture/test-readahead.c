/* test-readahead.c - the reader thread hands back every result in order,
 * whole: frames of every size (one larger than a chunk), damaged-file
 * messages, the final status; and it stops cleanly when asked. */
#include "config.h"

#include "tfa-test.h"

#include "capture/readahead.h"

#include <string.h>

/* A fake capture: frame i has i*37 % 3000 bytes (every 1000th one is
 * bigger than a chunk), every 5000th result is a damaged-file message. */
typedef struct Fake {
    guint64 total;     /* results before END */
    guint64 produced;
    uint8_t *buf;
    gint calls;        /* reads done, for the stop test */
} Fake;

#define BIG_FRAME (TFA_READAHEAD_CHUNK_BYTES + 4096u)

static uint32_t frame_len(guint64 i)
{
    return i % 1000 == 999 ? BIG_FRAME : (uint32_t)(i * 37 % 3000);
}

static uint8_t frame_byte(guint64 i, uint32_t k)
{
    return (uint8_t)(i * 131 + k);
}

static TfaCaptureStatus fake_read(void *ctx, TfaFrame *frame, TfaReadPos *pos, GError **error)
{
    Fake *f = ctx;
    g_atomic_int_inc(&f->calls);
    guint64 i = f->produced++;
    pos->name = "fake";
    pos->done_bytes = i;
    pos->files_damaged = i / 5000;
    if (i == f->total)
        return TFA_CAPTURE_END;
    if (i % 5000 == 4999) {
        g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_DAMAGED,
                    "damaged at result %" G_GUINT64_FORMAT, i);
        return TFA_CAPTURE_DAMAGED;
    }
    uint32_t len = frame_len(i);
    for (uint32_t k = 0; k < len; k++)
        f->buf[k] = frame_byte(i, k);
    frame->frame_no = i + 1;
    frame->ts = (TfaTs)i * 1000;
    frame->caplen = len;
    frame->wirelen = len + 1;
    frame->linktype = 1;
    frame->bytes = f->buf;
    return TFA_CAPTURE_FRAME;
}

/* What the reader thread works out for each frame. */
typedef struct Prepared {
    const uint8_t *bytes;
    TfaFrameNo frame_no;
    uint8_t first;
} Prepared;

static void fake_prepare(const TfaFrame *frame, void *out)
{
    Prepared *p = out;
    p->bytes = frame->bytes;
    p->frame_no = frame->frame_no;
    p->first = frame->caplen > 0 ? frame->bytes[0] : 0;
}

static void test_every_result_in_order(void **state)
{
    (void)state;
    Fake f = {.total = 12000, .buf = g_malloc(BIG_FRAME)};
    TfaReadAhead *ra = tfa_readahead_new(fake_read, fake_prepare, sizeof(Prepared), &f);
    guint64 damaged = 0;

    for (guint64 i = 0; i < f.total; i++) {
        TfaFrame fr;
        TfaReadPos pos;
        GError *error = NULL;
        const void *prep;
        TfaCaptureStatus st = tfa_readahead_next(ra, &fr, &prep, &pos, &error);
        assert_int_equal(pos.done_bytes, i);
        assert_string_equal(pos.name, "fake");
        if (i % 5000 == 4999) {
            assert_int_equal(st, TFA_CAPTURE_DAMAGED);
            assert_true(g_error_matches(error, TFA_CAPTURE_ERROR_DOMAIN,
                                        TFA_CAPTURE_ERROR_DAMAGED));
            g_autofree char *want = g_strdup_printf("damaged at result %" G_GUINT64_FORMAT, i);
            assert_string_equal(error->message, want);
            g_clear_error(&error);
            damaged++;
            continue;
        }
        assert_int_equal(st, TFA_CAPTURE_FRAME);
        assert_null(error);
        assert_int_equal(fr.frame_no, i + 1);
        assert_int_equal(fr.ts, (TfaTs)i * 1000);
        assert_int_equal(fr.caplen, frame_len(i));
        assert_int_equal(fr.wirelen, frame_len(i) + 1);
        /* prepared on the reader thread, from the copy in the chunk */
        const Prepared *p = prep;
        assert_non_null(p);
        assert_ptr_equal(p->bytes, fr.bytes);
        assert_int_equal(p->frame_no, fr.frame_no);
        assert_int_equal(p->first, fr.caplen > 0 ? fr.bytes[0] : 0);
        for (uint32_t k = 0; k < fr.caplen; k++) {
            if (fr.bytes[k] != frame_byte(i, k))
                fail_msg("frame %" G_GUINT64_FORMAT " byte %u differs", i, k);
        }
    }
    assert_int_equal(damaged, 2);
    TfaFrame fr;
    TfaReadPos pos;
    const void *prep;
    assert_int_equal(tfa_readahead_next(ra, &fr, &prep, &pos, NULL), TFA_CAPTURE_END);
    /* the final status stays */
    assert_int_equal(tfa_readahead_next(ra, &fr, &prep, &pos, NULL), TFA_CAPTURE_END);
    tfa_readahead_free(ra);
    g_free(f.buf);
}

/* An endless fake capture read ahead (the stop tests). */
typedef struct Endless {
    Fake f;
    TfaReadAhead *ra;
} Endless;

static int endless_setup(void **state)
{
    Endless *e = g_new0(Endless, 1);
    e->f.total = G_MAXUINT64;
    e->f.buf = g_malloc(BIG_FRAME);
    e->ra = tfa_readahead_new(fake_read, fake_prepare, sizeof(Prepared), &e->f);
    *state = e;
    return 0;
}

/* Freeing must wake a blocked reader, stop and join it, with nothing
 * leaked (ASan in CI). */
static int endless_teardown(void **state)
{
    Endless *e = *state;
    tfa_readahead_free(e->ra);
    g_free(e->f.buf);
    g_free(e);
    return 0;
}

/* Freed after a few results while the reader is blocked on full chunks. */
static void test_stop_early(void **state)
{
    Endless *e = *state;
    TfaFrame fr;
    TfaReadPos pos;
    const void *prep;
    for (int i = 0; i < 10; i++)
        assert_int_equal(tfa_readahead_next(e->ra, &fr, &prep, &pos, NULL), TFA_CAPTURE_FRAME);
    /* let it fill every chunk and block: the count of reads stops growing,
     * and stays within what four chunks hold */
    gint before;
    do {
        before = g_atomic_int_get(&e->f.calls);
        g_usleep(50 * 1000);
    } while (g_atomic_int_get(&e->f.calls) != before);
    assert_true(before < 4 * 1000 + 10);
}

/* A stop request (Ctrl-C) ends the results with BREAK. */
static void test_stop_gives_break(void **state)
{
    Endless *e = *state;
    TfaReadAhead *ra = e->ra;
    TfaFrame fr;
    TfaReadPos pos;
    const void *prep;
    tfa_readahead_stop(ra);
    TfaCaptureStatus st;
    guint64 results = 0;
    GError *error = NULL;
    while ((st = tfa_readahead_next(ra, &fr, &prep, &pos, &error)) == TFA_CAPTURE_FRAME ||
           st == TFA_CAPTURE_DAMAGED) {
        g_clear_error(&error);
        results++;
    }
    assert_int_equal(st, TFA_CAPTURE_BREAK);
    /* every read done before the stop was seen is delivered, then BREAK */
    assert_int_equal(results, (guint64)g_atomic_int_get(&e->f.calls));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_result_in_order),
        cmocka_unit_test_setup_teardown(test_stop_early, endless_setup, endless_teardown),
        cmocka_unit_test_setup_teardown(test_stop_gives_break, endless_setup, endless_teardown),
    };
    return cmocka_run_group_tests_name("capture/readahead", tests, NULL, NULL);
}
