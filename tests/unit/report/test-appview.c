/* test-appview.c - the application's view (record/appview.c) and the ICMP
 * errors tied to their connection (decode/icmp.c, conntrack lookup,
 * detect/icmp.c), driven through the engine frame by frame: the JSON Lines
 * record must name the call, its result, the errno and the frame. */
#include "tfa-test.h"

#include "../decode/build.h"

#include "tcpflow-audit/engine.h"

#include <stdio.h>

#define SEC TFA_NSEC_PER_SEC
#define MS (SEC / 1000)
#define T0 (INT64_C(1800000000) * SEC)
#define C_ISS 1000u
#define S_ISS 5000u

typedef struct Fx {
    TfaOptions opts;
    char *text;
    size_t len;
    FILE *out;
    TfaEngine *e;
    TfaFrameNo frame_no;
} Fx;

static int setup(void **state)
{
    Fx *f = g_new0(Fx, 1);
    tfa_options_init(&f->opts);
    f->out = open_memstream(&f->text, &f->len);
    f->e = tfa_engine_new(&f->opts, NULL, tfa_reporter_new(TFA_FORMAT_JSONL, f->out, &f->opts));
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

static void put(Fx *f, TfaTs ts, const uint8_t *buf, size_t n)
{
    TfaFrame fr = {.frame_no = ++f->frame_no, .ts = ts, .caplen = (uint32_t)n,
                   .wirelen = (uint32_t)n, .linktype = 1, .bytes = buf};
    assert_true(tfa_engine_frame(f->e, &fr, NULL));
}

/* client 10.0.0.1:40000 <-> server 10.0.0.2:80 */
static void tcp(Fx *f, TfaTs ts, bool from_client, uint16_t flags, uint32_t seq, uint32_t ack,
                size_t len)
{
    uint8_t buf[256], data[64] = {0};
    TfaBuildIp4 ip = tfa_build_ip4_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    ip.id = (uint16_t)(0x1000 + f->frame_no);
    if (!from_client) {
        memcpy(ip.src, (uint8_t[]){10, 0, 0, 2}, 4);
        memcpy(ip.dst, (uint8_t[]){10, 0, 0, 1}, 4);
    }
    t.sport = from_client ? 40000 : 80;
    t.dport = from_client ? 80 : 40000;
    t.flags = flags;
    t.seq = seq;
    t.ack = ack;
    t.payload = data;
    t.payload_len = len;
    size_t n = tfa_build_eth(buf, 0x0800);
    n += tfa_build_tcp4(buf + n, &ip, &t);
    put(f, ts, buf, n);
}

/* An ICMPv4 error from @from to the client quoting its segment at @seq. */
static void icmp(Fx *f, TfaTs ts, const uint8_t from[4], uint8_t type, uint8_t code,
                 uint16_t mtu, uint32_t seq, uint16_t sport)
{
    uint8_t buf[256], q[64];
    TfaBuildIp4 qip = tfa_build_ip4_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    t.sport = sport;
    t.seq = seq;
    size_t ql = tfa_build_tcp4(q, &qip, &t);
    TfaBuildIp4 ip = tfa_build_ip4_default();
    memcpy(ip.src, from, 4);
    memcpy(ip.dst, (uint8_t[]){10, 0, 0, 1}, 4);
    ip.proto = 1;
    size_t n = tfa_build_eth(buf, 0x0800);
    n += tfa_build_ipv4(buf + n, &ip, 8 + ql);
    memset(buf + n, 0, 8);
    buf[n] = type;
    buf[n + 1] = code;
    tfa_build_be16(buf + n + 6, mtu);
    memcpy(buf + n + 8, q, ql);
    put(f, ts, buf, n + 8 + ql);
}

static const uint8_t ROUTER[4] = {192, 0, 2, 1};

static void handshake(Fx *f, TfaTs t)
{
    tcp(f, t, true, TFA_TH_SYN, C_ISS, 0, 0);
    tcp(f, t + MS, false, TFA_TH_SYN | TFA_TH_ACK, S_ISS, C_ISS + 1, 0);
    tcp(f, t + 2 * MS, true, TFA_TH_ACK, C_ISS + 1, S_ISS + 1, 0);
}

static const char *finish(Fx *f)
{
    assert_true(tfa_engine_tick(f->e, T0 + 3600 * SEC, NULL));
    fflush(f->out);
    return f->text;
}

static void has(const char *text, const char *needle)
{
    if (strstr(text, needle) == NULL)
        fail_msg("missing %s in\n%s", needle, text);
}

static void test_connect_failed_by_icmp(void **state)
{
    Fx *f = *state;
    tcp(f, T0, true, TFA_TH_SYN, C_ISS, 0, 0);
    icmp(f, T0 + 5 * MS, ROUTER, 3, 1, 0, C_ISS, 40000);
    const char *out = finish(f);
    has(out, "\"call\":\"connect\",\"result\":\"failed\",\"errno\":\"EHOSTUNREACH\","
             "\"story\":\"icmp_connect\",\"frame\":2");
    has(out, "\"code\":\"ICMP_CONNECT_FAILED\",\"severity\":\"error\"");
    has(out, "ICMP host unreachable from 192.0.2.1");
    has(out, "\"verdict\":\"failed\"");
    /* the state machine takes the error in: the client's socket is closed
     * at it, and the SYN never made the server SYN_RECEIVED */
    has(out, "{\"state\":\"CLOSED\",\"frame\":2,");
    if (strstr(out, "\"final_state\":\"SYN_RECEIVED\"") != NULL ||
        strstr(out, "HANDSHAKE_SYN_UNANSWERED") != NULL)
        fail_msg("the ICMP error left a SYN_RECEIVED server or an unanswered SYN:\n%s", out);
}

static void test_connect_retried_after_icmp(void **state)
{
    Fx *f = *state;
    tcp(f, T0, true, TFA_TH_SYN, C_ISS, 0, 0);
    icmp(f, T0 + MS / 10, ROUTER, 3, 1, 0, C_ISS, 40000);
    tcp(f, T0 + SEC, true, TFA_TH_SYN, C_ISS, 0, 0);
    const char *out = finish(f);
    /* the SYN went again: a soft error kept for later; the retries then
     * stopped long before the end, so connect() gave up with that errno */
    has(out, "\"call\":\"connect\",\"result\":\"failed\",\"errno\":\"EHOSTUNREACH\"");
    has(out, "\"code\":\"ICMP_ERROR\",\"severity\":\"warning\"");
}

static void test_path_mtu_is_no_error(void **state)
{
    Fx *f = *state;
    handshake(f, T0);
    tcp(f, T0 + 10 * MS, true, TFA_TH_ACK | TFA_TH_PSH, C_ISS + 1, S_ISS + 1, 40);
    icmp(f, T0 + 11 * MS, ROUTER, 3, 4, 1400, C_ISS + 1, 40000);
    const char *out = finish(f);
    has(out, "\"story\":\"icmp_pmtu\"");
    has(out, "path MTU 1400, no errno");
    has(out, "\"code\":\"ICMP_PATH_MTU\",\"severity\":\"info\"");
    has(out, "\"call\":\"connect\",\"result\":\"returned\",\"errno\":null,\"story\":\"synack\","
             "\"frame\":2");
    has(out, "\"call\":\"accept\",\"result\":\"returned\",\"errno\":null,\"story\":\"third_ack\","
             "\"frame\":3");
}

static void test_icmp_out_of_window_ignored(void **state)
{
    Fx *f = *state;
    handshake(f, T0);
    tcp(f, T0 + 10 * MS, true, TFA_TH_ACK | TFA_TH_PSH, C_ISS + 1, S_ISS + 1, 40);
    /* quotes a sequence number far beyond what the client sent */
    icmp(f, T0 + 11 * MS, ROUTER, 3, 1, 0, C_ISS + 900000, 40000);
    const char *out = finish(f);
    has(out, "\"story\":\"icmp_ignored\"");
    has(out, "\"code\":\"ICMP_ERROR\",\"severity\":\"notice\",\"possible\":true");
}

static void test_icmp_for_no_connection(void **state)
{
    Fx *f = *state;
    /* an error about another client port creates nothing and touches no
     * connection (the summary counts it: ICMP_ERROR_NO_CONN) */
    icmp(f, T0, ROUTER, 3, 3, 0, C_ISS, 41234);
    handshake(f, T0 + SEC);
    icmp(f, T0 + SEC + 5 * MS, ROUTER, 3, 3, 0, C_ISS + 1, 41234);
    const char *out = finish(f);
    has(out, "\"id\":1,");
    assert_null(strstr(out, "\"id\":2,"));
    assert_null(strstr(out, "ICMP"));
}

static void test_reset_in_close_wait_is_epipe(void **state)
{
    Fx *f = *state;
    handshake(f, T0);
    /* the server closes; the client takes the FIN, writes, draws an RST */
    tcp(f, T0 + 10 * MS, false, TFA_TH_FIN | TFA_TH_ACK, S_ISS + 1, C_ISS + 1, 0);
    tcp(f, T0 + 11 * MS, true, TFA_TH_ACK, C_ISS + 1, S_ISS + 2, 0);
    tcp(f, T0 + 20 * MS, true, TFA_TH_ACK | TFA_TH_PSH, C_ISS + 1, S_ISS + 2, 30);
    tcp(f, T0 + 21 * MS, false, TFA_TH_RST, S_ISS + 2, 0, 0);
    const char *out = finish(f);
    has(out, "\"call\":\"read\",\"result\":\"eof\",\"errno\":null,\"story\":\"peer_fin\","
             "\"frame\":4");
    has(out, "\"call\":\"send\",\"result\":\"failed\",\"errno\":\"EPIPE\","
             "\"story\":\"reset_close_wait\",\"frame\":7");
    has(out, "\"use\":\"MSG_NOSIGNAL / SIGPIPE ignored\"");
}

static void test_reset_established_is_econnreset(void **state)
{
    Fx *f = *state;
    handshake(f, T0);
    tcp(f, T0 + 10 * MS, true, TFA_TH_ACK | TFA_TH_PSH, C_ISS + 1, S_ISS + 1, 30);
    tcp(f, T0 + 11 * MS, false, TFA_TH_RST | TFA_TH_ACK, S_ISS + 1, C_ISS + 31, 0);
    const char *out = finish(f);
    has(out, "\"call\":\"recv\",\"result\":\"failed\",\"errno\":\"ECONNRESET\","
             "\"story\":\"reset\",\"frame\":5");
}

static void test_refused(void **state)
{
    Fx *f = *state;
    tcp(f, T0, true, TFA_TH_SYN, C_ISS, 0, 0);
    tcp(f, T0 + MS, false, TFA_TH_RST | TFA_TH_ACK, 0, C_ISS + 1, 0);
    const char *out = finish(f);
    has(out, "\"call\":\"connect\",\"result\":\"failed\",\"errno\":\"ECONNREFUSED\","
             "\"story\":\"refused\",\"frame\":2,");
    has(out, "\"call\":\"listen\",\"result\":\"no_error\"");
}

static void test_third_ack_missing(void **state)
{
    Fx *f = *state;
    /* the client's ACK never reaches the server: it repeats its SYN-ACK */
    tcp(f, T0, true, TFA_TH_SYN, C_ISS, 0, 0);
    tcp(f, T0 + MS, false, TFA_TH_SYN | TFA_TH_ACK, S_ISS, C_ISS + 1, 0);
    tcp(f, T0 + 2 * MS, true, TFA_TH_ACK, C_ISS + 1, S_ISS + 1, 0);
    tcp(f, T0 + SEC, false, TFA_TH_SYN | TFA_TH_ACK, S_ISS, C_ISS + 1, 0);
    tcp(f, T0 + 3 * SEC, false, TFA_TH_SYN | TFA_TH_ACK, S_ISS, C_ISS + 1, 0);
    const char *out = finish(f);
    has(out, "\"call\":\"connect\",\"result\":\"returned\"");
    has(out, "\"call\":\"accept\",\"result\":\"not_returned\"");
}

static void test_data_never_acknowledged(void **state)
{
    Fx *f = *state;
    handshake(f, T0);
    /* the server vanished: the client's data goes out four times unanswered */
    for (int k = 0; k < 4; k++)
        tcp(f, T0 + 10 * MS + ((TfaTs)200 * MS << k), true, TFA_TH_ACK | TFA_TH_PSH, C_ISS + 1,
            S_ISS + 1, 30);
    const char *out = finish(f);
    has(out, "\"call\":\"send\",\"result\":\"would_fail\",\"errno\":\"ETIMEDOUT\","
             "\"story\":\"data_timeout\",\"frame\":7");
}

static void test_data_timeout_with_soft_icmp(void **state)
{
    Fx *f = *state;
    handshake(f, T0);
    tcp(f, T0 + 10 * MS, true, TFA_TH_ACK | TFA_TH_PSH, C_ISS + 1, S_ISS + 1, 30);
    icmp(f, T0 + 12 * MS, ROUTER, 3, 1, 0, C_ISS + 1, 40000);
    for (int k = 1; k < 4; k++)
        tcp(f, T0 + 10 * MS + ((TfaTs)200 * MS << k), true, TFA_TH_ACK | TFA_TH_PSH, C_ISS + 1,
            S_ISS + 1, 30);
    const char *out = finish(f);
    has(out, "\"story\":\"icmp_soft\"");
    has(out, "\"result\":\"would_fail\",\"errno\":\"EHOSTUNREACH\",\"story\":\"data_timeout\"");
    has(out, "\"code\":\"ICMP_ERROR\",\"severity\":\"warning\"");
}

static void test_keepalive_unanswered(void **state)
{
    Fx *f = *state;
    handshake(f, T0);
    tcp(f, T0 + 10 * MS, true, TFA_TH_ACK | TFA_TH_PSH, C_ISS + 1, S_ISS + 1, 30);
    tcp(f, T0 + 11 * MS, false, TFA_TH_ACK, S_ISS + 1, C_ISS + 31, 0);
    /* probes one below what it sent, everything acknowledged */
    for (int k = 0; k < 3; k++)
        tcp(f, T0 + (10 + k) * SEC, true, TFA_TH_ACK, C_ISS + 30, S_ISS + 1, 0);
    const char *out = finish(f);
    has(out, "\"call\":\"recv\",\"result\":\"would_fail\",\"errno\":\"ETIMEDOUT\","
             "\"story\":\"keepalive_timeout\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_connect_failed_by_icmp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connect_retried_after_icmp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_path_mtu_is_no_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_icmp_out_of_window_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_icmp_for_no_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_in_close_wait_is_epipe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_established_is_econnreset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_third_ack_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_data_never_acknowledged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_data_timeout_with_soft_icmp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keepalive_unanswered, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
