/* test-capture.c - file list, stdin, pcapng, nanosecond precision, damaged
 * and missing files, per-file filters, memory input. */
#include "tfa-test.h"

#include "tcpflow-audit/capture.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <pcap/pcap.h>
#include <unistd.h>

/* A minimal Ethernet/IPv4/TCP frame: 10.0.0.1:1000 > 10.0.0.2:80 [S] seq 0;
 * the last byte of the TCP destination port is patched per frame. */
static const uint8_t frame_bytes[54] = {
    0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,      /* Ethernet, IPv4 */
    0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0,                /* IPv4, TTL 64, TCP */
    10, 0, 0, 1, 10, 0, 0, 2,                                  /* addresses */
    0x03, 0xe8, 0x00, 0x50, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x02, /* ports, seq, ack, doff 5, SYN */
    0xff, 0xff, 0, 0, 0, 0,                                    /* window, checksum, urgent */
};

static void put32le(GByteArray *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    g_byte_array_append(b, x, 4);
}

static void put16le(GByteArray *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    g_byte_array_append(b, x, 2);
}

/* Classic pcap: @nano selects the nanosecond magic; frame i has ts i s +
 * (i * 1001) sub-second units and dport 80 + i. */
static GByteArray *make_pcap(unsigned n, bool nano, uint32_t linktype)
{
    GByteArray *b = g_byte_array_new();
    put32le(b, nano ? 0xa1b23c4du : 0xa1b2c3d4u);
    put16le(b, 2);
    put16le(b, 4);
    put32le(b, 0);
    put32le(b, 0);
    put32le(b, 65535);
    put32le(b, linktype);
    for (unsigned i = 1; i <= n; i++) {
        uint8_t f[sizeof(frame_bytes)];
        memcpy(f, frame_bytes, sizeof(f));
        f[37] = (uint8_t)(80 + i);
        put32le(b, 1000 + i);
        put32le(b, i * 1001);
        put32le(b, sizeof(f));
        put32le(b, sizeof(f));
        g_byte_array_append(b, f, sizeof(f));
    }
    return b;
}

static char *write_tmp(const GByteArray *b, const char *name)
{
    char *dir = g_dir_make_tmp("tfa-capture-XXXXXX", NULL);
    assert_non_null(dir);
    char *path = g_build_filename(dir, name, NULL);
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

/* Read everything; frames[i].bytes is cleared (it is only valid until the
 * next read), and tag[i] keeps the frame's TCP destination port low byte. */
static unsigned read_all(TfaCapture *cap, TfaFrame *frames, uint8_t *tags, unsigned max,
                         unsigned *damaged, GString *messages)
{
    unsigned n = 0;
    for (;;) {
        GError *err = NULL;
        TfaFrame f;
        TfaCaptureStatus st = tfa_capture_next(cap, &f, &err);
        if (st == TFA_CAPTURE_FRAME) {
            if (n < max) {
                frames[n] = f;
                frames[n].bytes = NULL;
                tags[n] = f.caplen > 37 ? f.bytes[37] : 0;
            }
            n++;
        } else if (st == TFA_CAPTURE_DAMAGED) {
            (*damaged)++;
            g_string_append_printf(messages, "%s\n", err->message);
            g_error_free(err);
        } else {
            assert_int_equal(st, TFA_CAPTURE_END);
            assert_null(err);
            return n;
        }
    }
}

static void test_microsecond_file(void **state)
{
    g_autoptr(GByteArray) b = make_pcap(3, false, DLT_EN10MB);
    char *path = write_tmp(b, "us.pcap");
    const char *paths[] = {path, NULL};
    g_autoptr(TfaCapture) cap = tfa_capture_new_files(paths, NULL, NULL);
    TfaFrame f[4];
    uint8_t tags[8];
    unsigned damaged = 0;
    g_autoptr(GString) msg = g_string_new(NULL);

    assert_int_equal(read_all(cap, f, tags, 4, &damaged, msg), 3);
    assert_int_equal(damaged, 0);
    assert_int_equal(f[0].frame_no, 1);
    assert_int_equal(f[2].frame_no, 3);
    /* microseconds become nanoseconds */
    assert_int_equal(f[1].ts, INT64_C(1002) * TFA_NSEC_PER_SEC + 2002 * 1000);
    assert_int_equal(f[0].caplen, 54);
    assert_int_equal(f[0].linktype, DLT_EN10MB);
    remove_tmp(path);
}

static void test_nanosecond_file(void **state)
{
    g_autoptr(GByteArray) b = make_pcap(2, true, DLT_EN10MB);
    char *path = write_tmp(b, "ns.pcap");
    const char *paths[] = {path, NULL};
    g_autoptr(TfaCapture) cap = tfa_capture_new_files(paths, NULL, NULL);
    TfaFrame f[2];
    uint8_t tags[8];
    unsigned damaged = 0;
    g_autoptr(GString) msg = g_string_new(NULL);

    assert_int_equal(read_all(cap, f, tags, 2, &damaged, msg), 2);
    assert_int_equal(f[1].ts, INT64_C(1002) * TFA_NSEC_PER_SEC + 2002);
    remove_tmp(path);
}

/* Several files are one capture: frame numbers continue. */
static void test_file_list_continues(void **state)
{
    g_autoptr(GByteArray) a = make_pcap(2, false, DLT_EN10MB);
    g_autoptr(GByteArray) b = make_pcap(3, true, DLT_EN10MB);
    char *pa = write_tmp(a, "a.pcap");
    char *pb = write_tmp(b, "b.pcap");
    const char *paths[] = {pa, pb, NULL};
    g_autoptr(TfaCapture) cap = tfa_capture_new_files(paths, NULL, NULL);
    TfaFrame f[5];
    uint8_t tags[8];
    unsigned damaged = 0;
    g_autoptr(GString) msg = g_string_new(NULL);
    TfaCaptureStats st;

    assert_int_equal(read_all(cap, f, tags, 5, &damaged, msg), 5);
    assert_int_equal(f[2].frame_no, 3);
    assert_int_equal(f[4].frame_no, 5);
    assert_int_equal(tags[2], 81); /* first frame of the second file */
    tfa_capture_get_stats(cap, &st);
    assert_int_equal(st.files_opened, 2);
    assert_int_equal(st.frames, 5);
    remove_tmp(pa);
    remove_tmp(pb);
}

/* A truncated file: frames before the damage, then DAMAGED naming the file
 * and the byte offset of the damaged record, then the next file. */
static void test_truncated_file(void **state)
{
    g_autoptr(GByteArray) a = make_pcap(3, false, DLT_EN10MB);
    g_byte_array_set_size(a, a->len - 10); /* cut the third frame */
    g_autoptr(GByteArray) b = make_pcap(1, false, DLT_EN10MB);
    char *pa = write_tmp(a, "cut.pcap");
    char *pb = write_tmp(b, "next.pcap");
    const char *paths[] = {pa, pb, NULL};
    g_autoptr(TfaCapture) cap = tfa_capture_new_files(paths, NULL, NULL);
    TfaFrame f[4];
    uint8_t tags[8];
    unsigned damaged = 0;
    g_autoptr(GString) msg = g_string_new(NULL);

    assert_int_equal(read_all(cap, f, tags, 4, &damaged, msg), 3);
    assert_int_equal(damaged, 1);
    assert_int_equal(f[2].frame_no, 3); /* the next file's frame goes on */
    /* 24-byte file header + 2 records of 16 + 54 bytes */
    assert_non_null(strstr(msg->str, "byte offset 164"));
    assert_non_null(strstr(msg->str, "cut.pcap"));
    assert_non_null(strstr(msg->str, "after frame 2"));
    remove_tmp(pa);
    remove_tmp(pb);
}

/* A record header claiming an absurd caplen is damage, not a crash. */
static void test_bad_record_length(void **state)
{
    g_autoptr(GByteArray) a = make_pcap(2, false, DLT_EN10MB);
    /* second record's caplen field: 24 + 70 + 8 */
    a->data[24 + 70 + 8] = 0xff;
    a->data[24 + 70 + 9] = 0xff;
    a->data[24 + 70 + 10] = 0xff;
    a->data[24 + 70 + 11] = 0x7f;
    char *pa = write_tmp(a, "bad.pcap");
    const char *paths[] = {pa, NULL};
    g_autoptr(TfaCapture) cap = tfa_capture_new_files(paths, NULL, NULL);
    TfaFrame f[2];
    uint8_t tags[8];
    unsigned damaged = 0;
    g_autoptr(GString) msg = g_string_new(NULL);

    assert_int_equal(read_all(cap, f, tags, 2, &damaged, msg), 1);
    assert_int_equal(damaged, 1);
    assert_non_null(strstr(msg->str, "byte offset 94"));
    remove_tmp(pa);
}

static void test_missing_and_unknown_files(void **state)
{
    g_autoptr(GByteArray) arc = make_pcap(1, false, 143 /* DOCSIS: not decoded */);
    g_autoptr(GByteArray) ok = make_pcap(2, false, DLT_EN10MB);
    char *parc = write_tmp(arc, "docsis.pcap");
    char *pok = write_tmp(ok, "ok.pcap");
    const char *paths[] = {"/nonexistent/missing.pcap", parc, pok, NULL};
    g_autoptr(TfaCapture) cap = tfa_capture_new_files(paths, NULL, NULL);
    TfaFrame f[2];
    uint8_t tags[8];
    unsigned damaged = 0;
    g_autoptr(GString) msg = g_string_new(NULL);

    assert_non_null(cap);
    assert_int_equal(read_all(cap, f, tags, 2, &damaged, msg), 2);
    assert_int_equal(damaged, 2);
    assert_non_null(strstr(msg->str, "missing.pcap"));
    assert_non_null(strstr(msg->str, "link type"));
    assert_int_equal(f[0].frame_no, 1);
    /* the DOCSIS file was opened and not read: one of the two opened is damaged */
    TfaCaptureStats st;
    tfa_capture_get_stats(cap, &st);
    assert_int_equal(st.files_opened, 2);
    assert_int_equal(st.files_damaged, 1);
    remove_tmp(parc);
    remove_tmp(pok);
}

static void test_not_a_capture(void **state)
{
    g_autoptr(GByteArray) junk = g_byte_array_new();
    g_byte_array_append(junk, (const guint8 *)"hello, this is not a capture file", 33);
    char *p = write_tmp(junk, "junk.pcap");
    const char *paths[] = {p, NULL};
    g_autoptr(TfaCapture) cap = tfa_capture_new_files(paths, NULL, NULL);
    TfaFrame f[1];
    uint8_t tags[8];
    unsigned damaged = 0;
    g_autoptr(GString) msg = g_string_new(NULL);

    assert_int_equal(read_all(cap, f, tags, 1, &damaged, msg), 0);
    assert_int_equal(damaged, 1);
    assert_non_null(strstr(msg->str, "junk.pcap"));
    remove_tmp(p);
}

/* The filter is compiled for each file; a syntax error fails at once. */
static void test_filter(void **state)
{
    g_autoptr(GByteArray) a = make_pcap(4, false, DLT_EN10MB);
    char *pa = write_tmp(a, "f.pcap");
    const char *paths[] = {pa, NULL};
    GError *err = NULL;
    TfaCapture *bad = tfa_capture_new_files(paths, "tcp port and and", &err);
    assert_null(bad);
    assert_true(g_error_matches(err, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_FILTER));
    g_error_free(err);

    g_autoptr(TfaCapture) cap = tfa_capture_new_files(paths, "tcp dst port 82 or dst port 84", NULL);
    TfaFrame f[4];
    uint8_t tags[8];
    unsigned damaged = 0;
    g_autoptr(GString) msg = g_string_new(NULL);
    assert_int_equal(read_all(cap, f, tags, 4, &damaged, msg), 2);
    /* frame numbers count what the filter passed */
    assert_int_equal(tags[0], 82);
    assert_int_equal(tags[1], 84);
    remove_tmp(pa);
}

/* pcapng: SHB, IDB (Ethernet, if_tsresol 9 = ns), two EPBs. */
static void test_pcapng(void **state)
{
    g_autoptr(GByteArray) b = g_byte_array_new();
    /* Section Header Block: type, length 28, byte-order magic, v1.0, section length -1 */
    put32le(b, 0x0a0d0d0a);
    put32le(b, 28);
    put32le(b, 0x1a2b3c4d);
    put16le(b, 1);
    put16le(b, 0);
    put32le(b, 0xffffffff);
    put32le(b, 0xffffffff);
    put32le(b, 28);
    /* Interface Description Block with if_tsresol = 9: length 20 + 8 + 4 */
    put32le(b, 1);
    put32le(b, 32);
    put16le(b, DLT_EN10MB);
    put16le(b, 0);
    put32le(b, 65535);
    put16le(b, 9); /* if_tsresol */
    put16le(b, 1);
    uint8_t res[4] = {9, 0, 0, 0};
    g_byte_array_append(b, res, 4);
    put32le(b, 0); /* opt_endofopt */
    put32le(b, 32);
    for (uint32_t i = 1; i <= 2; i++) {
        uint64_t ts = UINT64_C(1700000000) * 1000000000u + i * 7u; /* ns */
        put32le(b, 6);
        put32le(b, 32 + 56);
        put32le(b, 0);
        put32le(b, (uint32_t)(ts >> 32));
        put32le(b, (uint32_t)ts);
        put32le(b, sizeof(frame_bytes));
        put32le(b, sizeof(frame_bytes));
        g_byte_array_append(b, frame_bytes, sizeof(frame_bytes));
        uint8_t pad[2] = {0, 0};
        g_byte_array_append(b, pad, 2);
        put32le(b, 32 + 56);
    }
    char *p = write_tmp(b, "x.pcapng");
    const char *paths[] = {p, NULL};
    g_autoptr(TfaCapture) cap = tfa_capture_new_files(paths, NULL, NULL);
    TfaFrame f[2];
    uint8_t tags[8];
    unsigned damaged = 0;
    g_autoptr(GString) msg = g_string_new(NULL);
    assert_int_equal(read_all(cap, f, tags, 2, &damaged, msg), 2);
    assert_int_equal(damaged, 0);
    assert_int_equal(f[1].ts, INT64_C(1700000000) * TFA_NSEC_PER_SEC + 14);
    remove_tmp(p);
}

/* "-" reads standard input. */
static void test_stdin(void **state)
{
    g_autoptr(GByteArray) b = make_pcap(2, false, DLT_EN10MB);
    char *p = write_tmp(b, "stdin.pcap");
    int saved = dup(0);
    int fd = open(p, O_RDONLY);
    assert_true(fd >= 0);
    assert_true(dup2(fd, 0) == 0);
    close(fd);
    const char *paths[] = {"-", NULL};
    TfaCapture *cap = tfa_capture_new_files(paths, NULL, NULL);
    TfaFrame f[2];
    uint8_t tags[8];
    unsigned damaged = 0;
    g_autoptr(GString) msg = g_string_new(NULL);
    assert_int_equal(read_all(cap, f, tags, 2, &damaged, msg), 2);
    tfa_capture_free(cap);
    assert_true(dup2(saved, 0) == 0);
    close(saved);
    remove_tmp(p);
}

static void test_memory(void **state)
{
    g_autoptr(GByteArray) b = make_pcap(3, false, DLT_EN10MB);
    g_autoptr(TfaCapture) cap = tfa_capture_new_memory(b->data, b->len, NULL, NULL);
    TfaFrame f[3];
    uint8_t tags[8];
    unsigned damaged = 0;
    g_autoptr(GString) msg = g_string_new(NULL);
    assert_non_null(cap);
    assert_int_equal(read_all(cap, f, tags, 3, &damaged, msg), 3);

    GError *err = NULL;
    assert_null(tfa_capture_new_memory(b->data, 0, NULL, &err));
    assert_non_null(err);
    g_error_free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_microsecond_file),
        cmocka_unit_test(test_nanosecond_file),
        cmocka_unit_test(test_file_list_continues),
        cmocka_unit_test(test_truncated_file),
        cmocka_unit_test(test_bad_record_length),
        cmocka_unit_test(test_missing_and_unknown_files),
        cmocka_unit_test(test_not_a_capture),
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_pcapng),
        cmocka_unit_test(test_stdin),
        cmocka_unit_test(test_memory),
    };
    return cmocka_run_group_tests_name("capture/capture", tests, NULL, NULL);
}
