/* test-engine.c - when records come out: the engine driven frame by frame
 * with a fake clock, as the live loop drives it (tfa_engine_tick is the
 * read timeout).  A closed connection is written once --close-linger has
 * passed, an open one after --idle-timeout, the clock never runs
 * backwards, frames from the past do not split their connection, and the
 * rest are written at the end.  IP fragments are reassembled into one
 * segment of the frame that completes them, decoded here or ahead. */
#include "tfa-test.h"

#include "../decode/build.h"

#include "tcpflow-audit/engine.h"

#include <stdio.h>

#define SEC TFA_NSEC_PER_SEC
#define T0 (INT64_C(1800000000) * SEC)
#define CLIENT_ISS 1000u
#define SERVER_ISS 5000u

typedef struct Fx {
    TfaOptions opts;
    char *text;
    size_t len;
    FILE *out;
    TfaEngine *e;
    TfaFrameNo frame_no;
    uint16_t sport;
} Fx;

static int setup(void **state)
{
    Fx *f = g_new0(Fx, 1);
    tfa_options_init(&f->opts);
    f->opts.close_linger = 3 * SEC;
    f->opts.idle_timeout = 60 * SEC;
    f->out = open_memstream(&f->text, &f->len);
    TfaReporter *rep = tfa_reporter_new(TFA_FORMAT_JSONL, f->out, &f->opts);
    f->e = tfa_engine_new(&f->opts, NULL, rep);
    f->sport = 40000;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fx *f = *state;
    tfa_engine_free(f->e);
    fclose(f->out);
    free(f->text);
    tfa_options_clear(&f->opts);
    g_free(f);
    return 0;
}

/* One Ethernet/IPv4/TCP frame, client 10.0.0.1:sport <-> server 10.0.0.2:80. */
static void frame(Fx *f, TfaTs ts, bool from_client, uint16_t flags, uint32_t seq, uint32_t ack)
{
    uint8_t buf[128];
    TfaBuildIp4 ip = tfa_build_ip4_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    ip.id = (uint16_t)(0x1000 + f->frame_no); /* each datagram its own ID, as a stack numbers them */
    if (!from_client) {
        memcpy(ip.src, (uint8_t[]){10, 0, 0, 2}, 4);
        memcpy(ip.dst, (uint8_t[]){10, 0, 0, 1}, 4);
    }
    t.sport = from_client ? f->sport : 80;
    t.dport = from_client ? 80 : f->sport;
    t.flags = flags;
    t.seq = seq;
    t.ack = ack;
    size_t n = tfa_build_eth(buf, 0x0800);
    size_t ihl = tfa_build_ipv4(buf + n, &ip, 20);
    n += ihl + tfa_build_tcp(buf + n + ihl, &t);
    TfaFrame fr = {.frame_no = ++f->frame_no, .ts = ts, .caplen = (uint32_t)n,
                   .wirelen = (uint32_t)n, .linktype = 1, .bytes = buf};
    assert_true(tfa_engine_frame(f->e, &fr, NULL));
}

static void handshake(Fx *f, TfaTs t)
{
    frame(f, t, true, TFA_TH_SYN, CLIENT_ISS, 0);
    frame(f, t + 1000, false, TFA_TH_SYN | TFA_TH_ACK, SERVER_ISS, CLIENT_ISS + 1);
    frame(f, t + 2000, true, TFA_TH_ACK, CLIENT_ISS + 1, SERVER_ISS + 1);
}

/* FIN each way, the last ACK at t + 3000 ns. */
static void close_both(Fx *f, TfaTs t)
{
    frame(f, t, true, TFA_TH_FIN | TFA_TH_ACK, CLIENT_ISS + 1, SERVER_ISS + 1);
    frame(f, t + 1000, false, TFA_TH_FIN | TFA_TH_ACK, SERVER_ISS + 1, CLIENT_ISS + 2);
    frame(f, t + 2000, true, TFA_TH_ACK, CLIENT_ISS + 2, SERVER_ISS + 2);
}

static unsigned records(Fx *f, const char *what)
{
    fflush(f->out);
    unsigned n = 0;
    for (const char *p = f->text; p != NULL && (p = strstr(p, what)) != NULL; p++)
        n++;
    return n;
}

static void test_closed_after_linger(void **state)
{
    Fx *f = *state;
    handshake(f, T0);
    close_both(f, T0 + SEC);
    assert_int_equal(records(f, "\"type\":\"connection\""), 0);
    /* the wall clock moves on without packets */
    assert_true(tfa_engine_tick(f->e, T0 + SEC + 2 * SEC, NULL));
    assert_int_equal(records(f, "\"type\":\"connection\""), 0); /* linger not over */
    assert_true(tfa_engine_tick(f->e, T0 + SEC + 2000 + 3 * SEC, NULL));
    assert_int_equal(records(f, "\"type\":\"connection\""), 1);
    assert_int_equal(records(f, "\"end_reason\":\"closed\""), 1);
    assert_int_equal(records(f, "\"kind\":\"graceful\""), 1);
}

static void test_idle_timeout(void **state)
{
    Fx *f = *state;
    handshake(f, T0);
    assert_true(tfa_engine_tick(f->e, T0 + 2000 + 60 * SEC - 1, NULL));
    assert_int_equal(records(f, "\"type\":\"connection\""), 0);
    assert_true(tfa_engine_tick(f->e, T0 + 2000 + 60 * SEC, NULL));
    assert_int_equal(records(f, "\"end_reason\":\"idle_timeout\""), 1);
}

/* A wall clock behind capture time (a stepped clock, or timestamps from
 * the NIC) does not move capture time back, and a later packet still
 * counts from its own time. */
static void test_clock_never_backwards(void **state)
{
    Fx *f = *state;
    handshake(f, T0);
    close_both(f, T0 + SEC);
    assert_true(tfa_engine_tick(f->e, T0 - 3600 * SEC, NULL));
    assert_int_equal(records(f, "\"type\":\"connection\""), 0);
    /* packets of another connection 4 s later: capture time moves, the first
     * is written */
    f->sport = 40001;
    handshake(f, T0 + 5 * SEC);
    assert_int_equal(records(f, "\"type\":\"connection\""), 1);
}

/* Frames an hour behind capture time (a file given after a later one, or a
 * damaged record's time) still make one connection each: idle time counts up
 * to each frame's own time, so they do not find their own connection idle. */
static void test_frames_from_the_past_stay_one_connection(void **state)
{
    Fx *f = *state;
    f->sport = 40001;
    handshake(f, T0 + 3600 * SEC);
    close_both(f, T0 + 3600 * SEC + SEC);
    f->sport = 40000;
    handshake(f, T0);
    close_both(f, T0 + SEC);
    assert_int_equal(records(f, "\"type\":\"connection\""), 0);
    /* capture time moves on: both closed connections have lingered out */
    assert_true(tfa_engine_tick(f->e, T0 + 3600 * SEC + 5 * SEC, NULL));
    assert_int_equal(records(f, "\"type\":\"connection\""), 2);
    assert_int_equal(records(f, "\"end_reason\":\"closed\""), 2);
    assert_int_equal(records(f, "\"kind\":\"graceful\""), 2);
}

/* CAPTURE_TIME_WENT_BACKWARDS counts each frame earlier than the one before
 * it: a single record whose time jumped an hour ahead is one step back, not
 * one per frame that follows it. */
static void test_time_backwards_counted_per_step(void **state)
{
    Fx *f = *state;
    /* a pcap file header (Ethernet) and no records: the run only ends */
    static const uint8_t empty_pcap[24] = {
        0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0,
    };
    TfaCapture *cap = tfa_capture_new_memory(empty_pcap, sizeof(empty_pcap), NULL, NULL);
    assert_non_null(cap);
    tfa_engine_free(f->e);
    f->e = tfa_engine_new(&f->opts, cap, tfa_reporter_new(TFA_FORMAT_JSONL, f->out, &f->opts));
    handshake(f, T0);
    frame(f, T0 + 3600 * SEC, true, TFA_TH_ACK, CLIENT_ISS + 1, SERVER_ISS + 1);
    close_both(f, T0 + SEC);
    assert_int_equal(tfa_engine_run(f->e, NULL), TFA_RUN_OK);
    assert_int_equal(records(f, "\"CAPTURE_TIME_WENT_BACKWARDS\":1}"), 1);
}

/* The client's SYN (with 32 bytes of data) cut into IPv4 fragments of 8 and
 * 44 TCP bytes, given last first; decoded here or, as the reader thread does,
 * ahead (TfaFrame.decoded). */
static void fragmented_syn(Fx *f, TfaTs ts, bool ahead)
{
    uint8_t tcp[64], data[32];
    memset(data, 'd', sizeof(data));
    TfaBuildIp4 ip = tfa_build_ip4_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    t.sport = f->sport;
    t.seq = CLIENT_ISS;
    t.payload = data;
    t.payload_len = sizeof(data);
    size_t tl = tfa_build_tcp(tcp, &t);
    tfa_build_tcp_csum4(tcp, tl, ip.src, ip.dst);
    for (int k = 1; k >= 0; k--) {
        uint8_t buf[128];
        uint32_t off = k == 0 ? 0 : 8, len = k == 0 ? 8 : (uint32_t)tl - 8;
        ip.id = 0x7777;
        ip.frag = (uint16_t)((k == 0 ? 0x2000u : 0) | (off / 8));
        size_t n = tfa_build_eth(buf, 0x0800);
        n += tfa_build_ipv4(buf + n, &ip, len);
        memcpy(buf + n, tcp + off, len);
        n += len;
        TfaFrame fr = {.frame_no = ++f->frame_no, .ts = ts, .caplen = (uint32_t)n,
                       .wirelen = (uint32_t)n, .linktype = 1, .bytes = buf};
        TfaDecoded dec;
        if (ahead) {
            dec.status = tfa_decode_frame(&fr, &dec.seg, &dec.why);
            fr.decoded = &dec;
        }
        assert_true(tfa_engine_frame(f->e, &fr, NULL));
        memset(buf, 0xee, sizeof(buf)); /* the frame's bytes are gone */
    }
}

static void test_fragments_reassembled(void **state)
{
    Fx *f = *state;
    for (int ahead = 0; ahead < 2; ahead++) {
        f->sport = (uint16_t)(40000 + ahead);
        fragmented_syn(f, T0 + ahead * SEC, ahead);
        frame(f, T0 + ahead * SEC + 1000, false, TFA_TH_SYN | TFA_TH_ACK, SERVER_ISS,
              CLIENT_ISS + 33);
        frame(f, T0 + ahead * SEC + 2000, true, TFA_TH_ACK, CLIENT_ISS + 33, SERVER_ISS + 1);
    }
    assert_true(tfa_engine_tick(f->e, T0 + 3600 * SEC, NULL));
    assert_int_equal(records(f, "\"type\":\"connection\""), 2);
    /* the SYN is the frame that completed it, with its 32 bytes */
    assert_int_equal(records(f, "\"syn_frames\":[2]"), 1);
    assert_int_equal(records(f, "\"syn_frames\":[6]"), 1);
    assert_int_equal(records(f, "\"outcome\":\"complete\""), 2);
    assert_int_equal(records(f, "\"bytes\":{\"client\":32,\"server\":0}"), 2);
    assert_int_equal(records(f, "\"DEFRAG_REASSEMBLED\":{\"client\":1,\"server\":0}"), 2);
    assert_int_equal(records(f, "\"code\":\"HANDSHAKE_SYN_WITH_DATA\""), 2);
}

/* Each record is whole when written (one line per connection). */
static void test_record_per_line(void **state)
{
    Fx *f = *state;
    for (unsigned i = 0; i < 3; i++) {
        f->sport = (uint16_t)(40000 + i);
        handshake(f, T0 + i * SEC);
        close_both(f, T0 + i * SEC + 1000000);
    }
    assert_true(tfa_engine_tick(f->e, T0 + 10 * SEC, NULL));
    assert_int_equal(records(f, "\"type\":\"connection\""), 3);
    assert_int_equal(records(f, "\n"), 3);
    assert_int_equal(records(f, "\"type\":\"summary\""), 0); /* only at the end */
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_closed_after_linger),
        T(test_idle_timeout),
        T(test_clock_never_backwards),
        T(test_frames_from_the_past_stay_one_connection),
        T(test_time_backwards_counted_per_step),
        T(test_record_per_line),
        T(test_fragments_reassembled),
    };
    return cmocka_run_group_tests_name("engine/engine", tests, NULL, NULL);
}
