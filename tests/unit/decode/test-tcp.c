/* test-tcp.c - the TCP layer of the decoder: header fields, data offset,
 * truncation, every option and its malformed forms, payload bounds, illegal
 * flags, the checksum check and the flags string. */
#include "tfa-test.h"

#include "decode/build.h"

#define BIT(d) TFA_BUILD_DIAG(d)

/* 16 payload bytes "0123456789abcdef" */
static const uint8_t payload16[16] = {'0', '1', '2', '3', '4', '5', '6', '7',
                                      '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

/* tfa_decode_ip() on @n bytes, all captured. */
static TfaDecodeStatus dec(const uint8_t *b, size_t n, TfaSegment *seg, TfaDiag *diag)
{
    *diag = TFA_DIAG_N;
    return tfa_decode_ip(b, (uint32_t)n, (uint32_t)n, seg, diag);
}

/* 10.0.0.1:1234 > 10.0.0.2:80 [S] seq 1000 win 65535 <@opts>, decoded. */
static void decode_opts(const uint8_t *opts, size_t len, TfaSegment *seg)
{
    uint8_t buf[TFA_BUILD_MAX];
    TfaDiag diag;
    TfaBuildIp4 ip = tfa_build_ip4_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    t.opts = opts;
    t.opts_len = len;
    size_t n = tfa_build_tcp4(buf, &ip, &t);

    assert_int_equal(TFA_DECODE_TCP, dec(buf, n, seg, &diag));
    assert_int_equal(1234, seg->sport);
    assert_int_equal(80, seg->dport);
    assert_int_equal(1000, seg->seq);
    assert_int_equal(TFA_TH_SYN, seg->flags);
    assert_int_equal(20 + (len + 3) / 4 * 4, seg->th_len);
    /* the decoder keeps no pointer into buf past this point */
    seg->tcp_hdr = NULL;
    seg->payload = NULL;
}

/* A malformed option list: flagged, header still decoded. */
static void assert_bad_option(const uint8_t *opts, size_t len)
{
    TfaSegment seg;
    decode_opts(opts, len, &seg);
    assert_int_equal(BIT(DECODE_BAD_OPTION), seg.diags);
}

/* Flags of a segment with @flags: whether DECODE_ILLEGAL_FLAGS is set. */
static uint32_t diags_for_flags(uint16_t flags)
{
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    TfaBuildIp4 ip = tfa_build_ip4_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    t.flags = flags;
    size_t n = tfa_build_tcp4(buf, &ip, &t);

    assert_int_equal(TFA_DECODE_TCP, dec(buf, n, &seg, &diag));
    assert_int_equal(flags, seg.flags);
    return seg.diags;
}

/* ---- header -------------------------------------------------------------- */

static void test_minimal_header_fields(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* 10.0.0.1:43981 > 10.0.0.2:4660 [AE,CWR,ECE,URG,P.] seq 3735928559
     * ack 16909060 win 32767 urg 258 */
    TfaBuildIp4 ip = tfa_build_ip4_default();
    TfaBuildTcp t = {
        .sport = 0xabcd,
        .dport = 0x1234,
        .seq = 0xdeadbeef,
        .ack = 0x01020304,
        .flags = TFA_TH_AE | TFA_TH_CWR | TFA_TH_ECE | TFA_TH_URG | TFA_TH_PSH | TFA_TH_ACK,
        .window = 0x7fff,
        .urg = 0x0102,
    };
    size_t n = tfa_build_tcp4(buf, &ip, &t);
    assert_int_equal(40, n);
    assert_int_equal(0x51, buf[32]); /* data offset 5, AE bit */
    assert_int_equal(0xf8, buf[33]);

    assert_int_equal(TFA_DECODE_TCP, dec(buf, n, &seg, &diag));
    assert_int_equal(0xabcd, seg.sport);
    assert_int_equal(0x1234, seg.dport);
    assert_int_equal(0xdeadbeefu, seg.seq);
    assert_int_equal(0x01020304u, seg.ack);
    assert_int_equal(0x1f8, seg.flags);
    assert_int_equal(0x7fff, seg.window);
    assert_int_equal(0x0102, seg.urg_ptr);
    assert_int_equal((uint16_t)(buf[36] << 8 | buf[37]), seg.checksum);
    assert_int_equal(20, seg.th_len);
    assert_ptr_equal(buf + 20, seg.tcp_hdr);
    assert_int_equal(0, seg.payload_len);
    assert_int_equal(0, seg.payload_caplen);
    assert_null(seg.payload);
    assert_false(seg.opt.has_mss);
    assert_false(seg.opt.has_wscale);
    assert_false(seg.opt.sack_permitted);
    assert_false(seg.opt.has_ts);
    assert_int_equal(0, seg.opt.n_sack);
    assert_int_equal(0, seg.opt.n_unknown);
    assert_int_equal(0, seg.diags);
}

static void test_data_offset_below_5(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* 10.0.0.1:1234 > 10.0.0.2:80 [S], TCP data offset 4 */
    TfaBuildIp4 ip = tfa_build_ip4_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    t.set_doff = true;
    t.doff = 4;
    size_t n = tfa_build_tcp4(buf, &ip, &t);
    assert_int_equal(TFA_DECODE_SKIP, dec(buf, n, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_BAD_TCP_HEADER, diag);

    /* data offset 0 */
    t.doff = 0;
    n = tfa_build_tcp4(buf, &ip, &t);
    assert_int_equal(TFA_DECODE_SKIP, dec(buf, n, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_BAD_TCP_HEADER, diag);
}

static void test_data_offset_beyond_ip_payload(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* 10.0.0.1:1234 > 10.0.0.2:80 [P.] length 16, data offset 15 (60 bytes)
     * but only 36 bytes of TCP in the IP packet */
    TfaBuildIp4 ip = tfa_build_ip4_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    t.flags = TFA_TH_PSH | TFA_TH_ACK;
    t.set_doff = true;
    t.doff = 15;
    t.payload = payload16;
    t.payload_len = sizeof(payload16);
    size_t n = tfa_build_tcp4(buf, &ip, &t);

    assert_int_equal(TFA_DECODE_SKIP, dec(buf, n, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_BAD_TCP_HEADER, diag);
}

static void test_ip_payload_shorter_than_tcp_header(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* IPv4 total length 32: 12 bytes of a TCP header, nothing more on the wire */
    TfaBuildIp4 ip = tfa_build_ip4_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    tfa_build_tcp(buf + 20, &t);
    tfa_build_ipv4(buf, &ip, 12);

    assert_int_equal(TFA_DECODE_SKIP, dec(buf, 32, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_BAD_TCP_HEADER, diag);
}

static void test_header_cut_by_snaplen(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag = TFA_DIAG_N;
    /* 10.0.0.1:1234 > 10.0.0.2:80 [S], 40 bytes on the wire, 30 captured */
    TfaBuildIp4 ip = tfa_build_ip4_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    size_t n = tfa_build_tcp4(buf, &ip, &t);

    assert_int_equal(TFA_DECODE_SKIP, tfa_decode_ip(buf, 30, (uint32_t)n, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_TRUNCATED, diag);

    /* the same through Ethernet: 54 bytes on the wire, 44 captured */
    uint8_t frame[TFA_BUILD_MAX];
    size_t fl = tfa_build_eth(frame, TFA_BUILD_ETH_IPV4);
    fl += tfa_build_tcp4(frame + fl, &ip, &t);
    TfaFrame f = tfa_build_frame(DLT_EN10MB, frame, 44, (uint32_t)fl);
    diag = TFA_DIAG_N;
    assert_int_equal(TFA_DECODE_SKIP, tfa_decode_frame(&f, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_TRUNCATED, diag);
}

/* mss 1460, sackOK, TS val 16909060 ecr 84281096, nop, wscale 7 */
static const uint8_t syn_opts[20] = {
    0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x01, 0x02,
    0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x01, 0x03, 0x03, 0x07,
};

static void test_options_cut_by_snaplen(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag = TFA_DIAG_N;
    /* 10.0.0.1:1234 > 10.0.0.2:80 [S] <mss 1460,sackOK,TS val 16909060
     * ecr 84281096,nop,wscale 7>; 60 bytes on the wire, 47 captured: the cut
     * falls right after the timestamps' kind byte */
    TfaBuildIp4 ip = tfa_build_ip4_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    t.opts = syn_opts;
    t.opts_len = sizeof(syn_opts);
    size_t n = tfa_build_tcp4(buf, &ip, &t);
    assert_int_equal(60, n);

    assert_int_equal(TFA_DECODE_TCP, tfa_decode_ip(buf, 47, 60, &seg, &diag));
    assert_int_equal(BIT(DECODE_TRUNCATED), seg.diags);
    assert_int_equal(40, seg.th_len);
    assert_int_equal(1234, seg.sport);
    assert_true(seg.opt.has_mss);
    assert_int_equal(1460, seg.opt.mss);
    assert_true(seg.opt.sack_permitted);
    assert_false(seg.opt.has_ts);
    assert_false(seg.opt.has_wscale);
    assert_int_equal(0, seg.payload_len);
    assert_int_equal(0, seg.payload_caplen);

    /* cut right before the timestamps option (46 captured) */
    assert_int_equal(TFA_DECODE_TCP, tfa_decode_ip(buf, 47 - 1, 60, &seg, &diag));
    assert_int_equal(BIT(DECODE_TRUNCATED), seg.diags);
    assert_false(seg.opt.has_ts);

    /* cut after the timestamps' kind and length bytes, before the value */
    assert_int_equal(TFA_DECODE_TCP, tfa_decode_ip(buf, 48, 60, &seg, &diag));
    assert_int_equal(BIT(DECODE_TRUNCATED), seg.diags);
    assert_true(seg.opt.sack_permitted);
    assert_false(seg.opt.has_ts);
}

/* ---- options ------------------------------------------------------------- */

static void test_opt_syn_set(void **state)
{
    (void)state;
    TfaSegment seg;
    decode_opts(syn_opts, sizeof(syn_opts), &seg);
    assert_true(seg.opt.has_mss);
    assert_int_equal(1460, seg.opt.mss);
    assert_true(seg.opt.sack_permitted);
    assert_true(seg.opt.has_ts);
    assert_int_equal(0x01020304u, seg.opt.tsval);
    assert_int_equal(0x05060708u, seg.opt.tsecr);
    assert_true(seg.opt.has_wscale);
    assert_int_equal(7, seg.opt.wscale);
    assert_int_equal(0, seg.opt.n_unknown);
    assert_int_equal(0, seg.diags);
}

static void test_opt_mss(void **state)
{
    (void)state;
    TfaSegment seg;
    /* mss 65495 */
    static const uint8_t o[] = {0x02, 0x04, 0xff, 0xd7};
    decode_opts(o, sizeof(o), &seg);
    assert_true(seg.opt.has_mss);
    assert_int_equal(65495, seg.opt.mss);
    assert_false(seg.opt.has_wscale);
    assert_int_equal(0, seg.diags);
}

static void test_opt_wscale(void **state)
{
    (void)state;
    TfaSegment seg;
    /* nop, wscale 14 */
    static const uint8_t o[] = {0x01, 0x03, 0x03, 0x0e};
    decode_opts(o, sizeof(o), &seg);
    assert_true(seg.opt.has_wscale);
    assert_int_equal(14, seg.opt.wscale);
    assert_int_equal(0, seg.diags);

    /* nop, wscale 15: kept as sent (receivers clamp) */
    static const uint8_t o15[] = {0x01, 0x03, 0x03, 0x0f};
    decode_opts(o15, sizeof(o15), &seg);
    assert_int_equal(15, seg.opt.wscale);
}

static void test_opt_sack_permitted(void **state)
{
    (void)state;
    TfaSegment seg;
    /* nop, nop, sackOK */
    static const uint8_t o[] = {0x01, 0x01, 0x04, 0x02};
    decode_opts(o, sizeof(o), &seg);
    assert_true(seg.opt.sack_permitted);
    assert_int_equal(0, seg.opt.n_sack);
    assert_int_equal(0, seg.diags);
}

static void test_opt_sack_blocks(void **state)
{
    (void)state;
    /* nop, nop, sack N {1000:2000}{3000:4000}{0xfffffff0:0x10}{7:8} */
    uint8_t o[36] = {0x01, 0x01, 0x05};
    static const uint32_t edges[8] = {1000, 2000, 3000, 4000, 0xfffffff0u, 0x10, 7, 8};
    for (size_t i = 0; i < 8; i++)
        tfa_build_be32(o + 4 + 4 * i, edges[i]);

    for (unsigned nb = 1; nb <= 4; nb++) {
        TfaSegment seg;
        o[3] = (uint8_t)(2 + 8 * nb);
        decode_opts(o, 4 + 8 * nb, &seg);
        assert_int_equal(nb, seg.opt.n_sack);
        for (unsigned k = 0; k < nb; k++) {
            assert_int_equal(edges[2 * k], seg.opt.sack[k].left);
            assert_int_equal(edges[2 * k + 1], seg.opt.sack[k].right);
        }
        assert_int_equal(0, seg.diags);
    }
}

static void test_opt_timestamps(void **state)
{
    (void)state;
    TfaSegment seg;
    /* nop, nop, TS val 4294967295 ecr 123456789 */
    static const uint8_t o[] = {0x01, 0x01, 0x08, 0x0a, 0xff, 0xff,
                                0xff, 0xff, 0x07, 0x5b, 0xcd, 0x15};
    decode_opts(o, sizeof(o), &seg);
    assert_true(seg.opt.has_ts);
    assert_int_equal(0xffffffffu, seg.opt.tsval);
    assert_int_equal(123456789u, seg.opt.tsecr);
    assert_int_equal(0, seg.diags);
}

static void test_opt_eol_ends_list(void **state)
{
    (void)state;
    TfaSegment seg;
    /* nop, eol, then bytes that would be "mss 1460" and a zero-length option */
    static const uint8_t o[] = {0x01, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x09, 0x00};
    decode_opts(o, sizeof(o), &seg);
    assert_false(seg.opt.has_mss);
    assert_int_equal(0, seg.opt.n_unknown);
    assert_int_equal(0, seg.diags);
}

static void test_opt_nops_only(void **state)
{
    (void)state;
    TfaSegment seg;
    /* nop x 8 */
    static const uint8_t o[] = {1, 1, 1, 1, 1, 1, 1, 1};
    decode_opts(o, sizeof(o), &seg);
    assert_int_equal(28, seg.th_len);
    assert_false(seg.opt.has_mss);
    assert_int_equal(0, seg.opt.n_unknown);
    assert_int_equal(0, seg.diags);
}

static void test_opt_tfo(void **state)
{
    (void)state;
    TfaSegment seg;
    /* tfo (34) cookie request: empty, nop, nop */
    static const uint8_t empty[] = {0x22, 0x02, 0x01, 0x01};
    decode_opts(empty, sizeof(empty), &seg);
    assert_true(seg.opt.has_tfo);
    assert_int_equal(0, seg.opt.n_unknown);
    assert_int_equal(0, seg.diags);

    /* tfo (34) cookie 0102030405060708, nop, nop */
    static const uint8_t cookie[] = {0x22, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8, 0x01, 0x01};
    decode_opts(cookie, sizeof(cookie), &seg);
    assert_true(seg.opt.has_tfo);
    assert_int_equal(0, seg.diags);

    /* experimental 254, magic f989, cookie a1a2a3a4 */
    static const uint8_t exp[] = {0xfe, 0x08, 0xf9, 0x89, 0xa1, 0xa2, 0xa3, 0xa4};
    decode_opts(exp, sizeof(exp), &seg);
    assert_true(seg.opt.has_tfo);
    assert_int_equal(0, seg.opt.n_unknown);
    assert_int_equal(0, seg.diags);
}

static void test_opt_experimental_other_magic(void **state)
{
    (void)state;
    TfaSegment seg;
    /* experimental 254, magic 1234 (not TFO), nop, nop */
    static const uint8_t o[] = {0xfe, 0x06, 0x12, 0x34, 0x00, 0x00, 0x01, 0x01};
    decode_opts(o, sizeof(o), &seg);
    assert_false(seg.opt.has_tfo);
    assert_int_equal(1, seg.opt.n_unknown);
    assert_int_equal(0, seg.diags);
}

static void test_opt_mptcp(void **state)
{
    (void)state;
    TfaSegment seg;
    /* mptcp (30) MP_CAPABLE v1 flags 0x81, key 0102030405060708 */
    static const uint8_t o[] = {0x1e, 0x0c, 0x01, 0x81, 1, 2, 3, 4, 5, 6, 7, 8};
    decode_opts(o, sizeof(o), &seg);
    assert_true(seg.opt.has_mptcp);
    assert_int_equal(0, seg.opt.n_unknown);
    assert_int_equal(0, seg.diags);
}

static void test_opt_md5(void **state)
{
    (void)state;
    TfaSegment seg;
    /* nop, nop, md5 (19) digest 00112233445566778899aabbccddeeff */
    static const uint8_t o[] = {0x01, 0x01, 0x13, 0x12, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
                                0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
    decode_opts(o, sizeof(o), &seg);
    assert_true(seg.opt.has_md5);
    assert_int_equal(0, seg.diags);
}

static void test_opt_unknown_skipped(void **state)
{
    (void)state;
    TfaSegment seg;
    /* unknown 99 len 6 (00 00 00 00), unknown 200 len 2, mss 1200, nop, nop */
    static const uint8_t o[] = {0x63, 0x06, 0x00, 0x00, 0x00, 0x00, 0xc8,
                                0x02, 0x02, 0x04, 0x04, 0xb0, 0x01, 0x01};
    decode_opts(o, sizeof(o), &seg);
    assert_int_equal(2, seg.opt.n_unknown);
    assert_true(seg.opt.has_mss);
    assert_int_equal(1200, seg.opt.mss);
    assert_int_equal(0, seg.diags);
}

/* ---- malformed options --------------------------------------------------- */

static void test_opt_length_0(void **state)
{
    (void)state;
    /* mss 1460, kind 99 with length 0 */
    static const uint8_t o[] = {0x02, 0x04, 0x05, 0xb4, 0x63, 0x00, 0x00, 0x00};
    TfaSegment seg;
    decode_opts(o, sizeof(o), &seg);
    assert_int_equal(BIT(DECODE_BAD_OPTION), seg.diags);
    assert_true(seg.opt.has_mss);
}

static void test_opt_length_1(void **state)
{
    (void)state;
    /* kind 99 with length 1, nop, nop */
    static const uint8_t o[] = {0x63, 0x01, 0x01, 0x01};
    assert_bad_option(o, sizeof(o));
}

static void test_opt_length_beyond_header(void **state)
{
    (void)state;
    /* nop, nop, TS with length 10 but only 6 bytes left in the header */
    static const uint8_t o[] = {0x01, 0x01, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01};
    TfaSegment seg;
    decode_opts(o, sizeof(o), &seg);
    assert_int_equal(BIT(DECODE_BAD_OPTION), seg.diags);
    assert_false(seg.opt.has_ts);
}

static void test_opt_kind_without_length_byte(void **state)
{
    (void)state;
    /* nop, nop, nop, mss kind as the header's last byte */
    static const uint8_t o[] = {0x01, 0x01, 0x01, 0x02};
    assert_bad_option(o, sizeof(o));
}

static void test_opt_mss_length_3(void **state)
{
    (void)state;
    /* mss with length 3 (05), nop */
    static const uint8_t o[] = {0x02, 0x03, 0x05, 0x01};
    TfaSegment seg;
    decode_opts(o, sizeof(o), &seg);
    assert_int_equal(BIT(DECODE_BAD_OPTION), seg.diags);
    assert_false(seg.opt.has_mss);
}

static void test_opt_wscale_length_4(void **state)
{
    (void)state;
    /* wscale with length 4 (07 00) */
    static const uint8_t o[] = {0x03, 0x04, 0x07, 0x00};
    TfaSegment seg;
    decode_opts(o, sizeof(o), &seg);
    assert_int_equal(BIT(DECODE_BAD_OPTION), seg.diags);
    assert_false(seg.opt.has_wscale);
}

static void test_opt_ts_length_8(void **state)
{
    (void)state;
    /* TS with length 8 (00000001 0000), nop, nop, nop, nop */
    static const uint8_t o[] = {0x08, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 1, 1, 1, 1};
    TfaSegment seg;
    decode_opts(o, sizeof(o), &seg);
    assert_int_equal(BIT(DECODE_BAD_OPTION), seg.diags);
    assert_false(seg.opt.has_ts);
}

static void test_opt_sack_length_9(void **state)
{
    (void)state;
    /* sack with length 9 (7 bytes of edges), nop, nop, nop */
    static const uint8_t o[] = {0x05, 0x09, 0, 0, 0x03, 0xe8, 0, 0, 0x07, 1, 1, 1};
    TfaSegment seg;
    decode_opts(o, sizeof(o), &seg);
    assert_int_equal(BIT(DECODE_BAD_OPTION), seg.diags);
    assert_int_equal(0, seg.opt.n_sack);
}

static void test_opt_duplicate_mss(void **state)
{
    (void)state;
    /* mss 1460, mss 536 */
    static const uint8_t o[] = {0x02, 0x04, 0x05, 0xb4, 0x02, 0x04, 0x02, 0x18};
    TfaSegment seg;
    decode_opts(o, sizeof(o), &seg);
    assert_int_equal(BIT(DECODE_BAD_OPTION), seg.diags);
    assert_true(seg.opt.has_mss);
    assert_int_equal(1460, seg.opt.mss);
}

/* ---- payload ------------------------------------------------------------- */

static void test_payload_pointer_and_length(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* 10.0.0.1:1234 > 10.0.0.2:80 [P.] <nop,nop,TS val 1 ecr 2> length 16 */
    static const uint8_t o[] = {0x01, 0x01, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 2};
    TfaBuildIp4 ip = tfa_build_ip4_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    t.flags = TFA_TH_PSH | TFA_TH_ACK;
    t.opts = o;
    t.opts_len = sizeof(o);
    t.payload = payload16;
    t.payload_len = sizeof(payload16);
    size_t n = tfa_build_tcp4(buf, &ip, &t);

    assert_int_equal(TFA_DECODE_TCP, dec(buf, n, &seg, &diag));
    assert_int_equal(32, seg.th_len);
    assert_int_equal(16, seg.payload_len);
    assert_int_equal(16, seg.payload_caplen);
    assert_ptr_equal(buf + 52, seg.payload);
    assert_memory_equal(payload16, seg.payload, 16);
    assert_int_equal(0, seg.diags);
}

static void test_payload_cut_by_snaplen(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    uint8_t data[100];
    TfaSegment seg;
    TfaDiag diag = TFA_DIAG_N;
    /* 10.0.0.1:1234 > 10.0.0.2:80 [.] length 100; 140 bytes on the wire,
     * 90 captured (50 bytes of payload) */
    memset(data, 'p', sizeof(data));
    TfaBuildIp4 ip = tfa_build_ip4_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    t.flags = TFA_TH_ACK;
    t.payload = data;
    t.payload_len = sizeof(data);
    size_t n = tfa_build_tcp4(buf, &ip, &t);
    assert_int_equal(140, n);

    assert_int_equal(TFA_DECODE_TCP, tfa_decode_ip(buf, 90, 140, &seg, &diag));
    assert_int_equal(100, seg.payload_len);
    assert_int_equal(50, seg.payload_caplen);
    assert_ptr_equal(buf + 40, seg.payload);
    assert_int_equal(BIT(DECODE_TRUNCATED), seg.diags);
}

/* ---- flags --------------------------------------------------------------- */

static void test_illegal_flags(void **state)
{
    (void)state;
    static const uint16_t bad[] = {
        TFA_TH_SYN | TFA_TH_FIN,
        TFA_TH_SYN | TFA_TH_RST,
        TFA_TH_RST | TFA_TH_FIN,
        TFA_TH_SYN | TFA_TH_FIN | TFA_TH_PSH | TFA_TH_URG, /* "christmas" without ACK */
        0,
        TFA_TH_PSH,
        TFA_TH_URG | TFA_TH_PSH,
        TFA_TH_ECE | TFA_TH_CWR | TFA_TH_AE,
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_true(tfa_decode_flags_illegal(bad[i]));
        assert_int_equal(BIT(DECODE_ILLEGAL_FLAGS), diags_for_flags(bad[i]));
    }
}

static void test_legal_flags(void **state)
{
    (void)state;
    static const uint16_t good[] = {
        TFA_TH_SYN,
        TFA_TH_SYN | TFA_TH_ACK,
        TFA_TH_SYN | TFA_TH_ECE | TFA_TH_CWR,
        TFA_TH_SYN | TFA_TH_ACK | TFA_TH_ECE,
        TFA_TH_FIN | TFA_TH_ACK,
        TFA_TH_FIN | TFA_TH_PSH | TFA_TH_ACK,
        TFA_TH_RST,
        TFA_TH_RST | TFA_TH_ACK,
        TFA_TH_PSH | TFA_TH_ACK,
        TFA_TH_ACK,
        TFA_TH_ACK | TFA_TH_URG,
        TFA_TH_ACK | TFA_TH_AE,
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_false(tfa_decode_flags_illegal(good[i]));
        assert_int_equal(0, diags_for_flags(good[i]));
    }
}

static void test_flags_string(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal("SYN|ACK",
                        tfa_decode_flags_string(TFA_TH_SYN | TFA_TH_ACK, buf, sizeof(buf)));
    assert_string_equal("none", tfa_decode_flags_string(0, buf, sizeof(buf)));
    assert_string_equal("FIN|PSH|ACK", tfa_decode_flags_string(TFA_TH_FIN | TFA_TH_PSH | TFA_TH_ACK,
                                                               buf, sizeof(buf)));
    assert_string_equal("RST", tfa_decode_flags_string(TFA_TH_RST, buf, sizeof(buf)));
    assert_string_equal("SYN|FIN|RST|PSH|ACK|URG|ECE|CWR|AE",
                        tfa_decode_flags_string(0x1ff, buf, sizeof(buf)));
    assert_ptr_equal(buf, tfa_decode_flags_string(TFA_TH_ACK, buf, sizeof(buf)));
}

static void test_flags_string_short_buffer(void **state)
{
    (void)state;
    char buf[8];
    /* "SYN|ACK" needs 8 bytes: fits exactly */
    assert_string_equal("SYN|ACK", tfa_decode_flags_string(TFA_TH_SYN | TFA_TH_ACK, buf, 8));
    /* 7 bytes: the names that fit whole */
    assert_string_equal("SYN", tfa_decode_flags_string(TFA_TH_SYN | TFA_TH_ACK, buf, 7));
    /* "SYN" needs 4 bytes: fits exactly */
    assert_string_equal("SYN", tfa_decode_flags_string(TFA_TH_SYN, buf, 4));
}

/* ---- checksum ------------------------------------------------------------ */

static void test_checksum_ipv4(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* 10.0.0.1:1234 > 10.0.0.2:80 [P.] <mss 1460,...> length 16, correct sum */
    TfaBuildIp4 ip = tfa_build_ip4_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    t.flags = TFA_TH_PSH | TFA_TH_ACK;
    t.opts = syn_opts;
    t.opts_len = sizeof(syn_opts);
    t.payload = payload16;
    t.payload_len = sizeof(payload16);
    size_t n = tfa_build_tcp4(buf, &ip, &t);

    assert_int_equal(TFA_DECODE_TCP, dec(buf, n, &seg, &diag));
    assert_true(tfa_decode_tcp_checksum_ok(&seg));

    /* one payload byte flipped */
    buf[n - 1] ^= 0x01;
    assert_int_equal(TFA_DECODE_TCP, dec(buf, n, &seg, &diag));
    assert_false(tfa_decode_tcp_checksum_ok(&seg));
}

static void test_checksum_ipv4_odd_length(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* 10.0.0.1:1234 > 10.0.0.2:80 [P.] length 3 "abc", correct sum */
    static const uint8_t abc[3] = {'a', 'b', 'c'};
    TfaBuildIp4 ip = tfa_build_ip4_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    t.flags = TFA_TH_PSH | TFA_TH_ACK;
    t.payload = abc;
    t.payload_len = 3;
    size_t n = tfa_build_tcp4(buf, &ip, &t);

    assert_int_equal(TFA_DECODE_TCP, dec(buf, n, &seg, &diag));
    assert_true(tfa_decode_tcp_checksum_ok(&seg));
    buf[n - 1] = 'd';
    assert_int_equal(TFA_DECODE_TCP, dec(buf, n, &seg, &diag));
    assert_false(tfa_decode_tcp_checksum_ok(&seg));
}

static void test_checksum_ipv6(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* [2001:db8::1]:1234 > [2001:db8::2]:80 [P.] length 16, correct sum */
    TfaBuildIp6 ip = tfa_build_ip6_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    t.flags = TFA_TH_PSH | TFA_TH_ACK;
    t.payload = payload16;
    t.payload_len = sizeof(payload16);
    size_t n = tfa_build_tcp6(buf, &ip, &t);

    assert_int_equal(TFA_DECODE_TCP, dec(buf, n, &seg, &diag));
    assert_true(tfa_decode_tcp_checksum_ok(&seg));

    buf[n - 5] ^= 0x80;
    assert_int_equal(TFA_DECODE_TCP, dec(buf, n, &seg, &diag));
    assert_false(tfa_decode_tcp_checksum_ok(&seg));
}

static void test_checksum_undecided_when_payload_cut(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* 10.0.0.1:1234 > 10.0.0.2:80 [P.] length 16 with a wrong checksum
     * (last byte flipped), 56 bytes on the wire, 50 captured */
    TfaBuildIp4 ip = tfa_build_ip4_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    t.flags = TFA_TH_PSH | TFA_TH_ACK;
    t.payload = payload16;
    t.payload_len = sizeof(payload16);
    size_t n = tfa_build_tcp4(buf, &ip, &t);
    buf[n - 1] ^= 0x01;

    assert_int_equal(TFA_DECODE_TCP, tfa_decode_ip(buf, 50, (uint32_t)n, &seg, &diag));
    assert_int_equal(10, seg.payload_caplen);
    assert_true(tfa_decode_tcp_checksum_ok(&seg));
}

/* Options cut by the snaplen and no payload: payload_caplen == payload_len
 * == 0, but the header itself was not wholly captured, so the checksum
 * cannot be decided (and must not be computed over uncaptured bytes). */
static void test_checksum_undecided_when_options_cut(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* 10.0.0.1:1234 > 10.0.0.2:80 [S] <mss 1460,sackOK,TS val 16909060
     * ecr 84281096,nop,wscale 7>; 60 bytes on the wire, 47 captured; the
     * uncaptured wscale byte in the buffer is altered so a sum over it fails */
    TfaBuildIp4 ip = tfa_build_ip4_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    t.opts = syn_opts;
    t.opts_len = sizeof(syn_opts);
    size_t n = tfa_build_tcp4(buf, &ip, &t);
    buf[n - 1] ^= 0x01;

    assert_int_equal(TFA_DECODE_TCP, tfa_decode_ip(buf, 47, (uint32_t)n, &seg, &diag));
    assert_int_equal(BIT(DECODE_TRUNCATED), seg.diags);
    assert_true(tfa_decode_tcp_checksum_ok(&seg));
}

/* A first IPv4 fragment holds only part of the segment the checksum covers:
 * a correct segment must not be reported as a bad checksum. */
static void test_checksum_undecided_on_first_fragment(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    uint8_t data[60];
    TfaSegment seg;
    TfaDiag diag;
    /* 10.0.0.1:1234 > 10.0.0.2:80 [P.] length 60 with a correct checksum,
     * sent as a first fragment (MF, offset 0) of 40 TCP bytes: header + 20 */
    memset(data, 'f', sizeof(data));
    TfaBuildIp4 ip = tfa_build_ip4_default();
    ip.frag = 0x2000;
    TfaBuildTcp t = tfa_build_tcp_default();
    t.flags = TFA_TH_PSH | TFA_TH_ACK;
    t.payload = data;
    t.payload_len = sizeof(data);
    size_t tl = tfa_build_tcp(buf + 20, &t);
    tfa_build_tcp_csum4(buf + 20, tl, ip.src, ip.dst);
    tfa_build_ipv4(buf, &ip, 40);

    assert_int_equal(TFA_DECODE_TCP, dec(buf, 60, &seg, &diag));
    assert_int_equal(BIT(DECODE_IP_FRAGMENT), seg.diags);
    assert_int_equal(20, seg.payload_len);
    assert_true(tfa_decode_tcp_checksum_ok(&seg));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_header_fields),
        cmocka_unit_test(test_data_offset_below_5),
        cmocka_unit_test(test_data_offset_beyond_ip_payload),
        cmocka_unit_test(test_ip_payload_shorter_than_tcp_header),
        cmocka_unit_test(test_header_cut_by_snaplen),
        cmocka_unit_test(test_options_cut_by_snaplen),
        cmocka_unit_test(test_opt_syn_set),
        cmocka_unit_test(test_opt_mss),
        cmocka_unit_test(test_opt_wscale),
        cmocka_unit_test(test_opt_sack_permitted),
        cmocka_unit_test(test_opt_sack_blocks),
        cmocka_unit_test(test_opt_timestamps),
        cmocka_unit_test(test_opt_eol_ends_list),
        cmocka_unit_test(test_opt_nops_only),
        cmocka_unit_test(test_opt_tfo),
        cmocka_unit_test(test_opt_experimental_other_magic),
        cmocka_unit_test(test_opt_mptcp),
        cmocka_unit_test(test_opt_md5),
        cmocka_unit_test(test_opt_unknown_skipped),
        cmocka_unit_test(test_opt_length_0),
        cmocka_unit_test(test_opt_length_1),
        cmocka_unit_test(test_opt_length_beyond_header),
        cmocka_unit_test(test_opt_kind_without_length_byte),
        cmocka_unit_test(test_opt_mss_length_3),
        cmocka_unit_test(test_opt_wscale_length_4),
        cmocka_unit_test(test_opt_ts_length_8),
        cmocka_unit_test(test_opt_sack_length_9),
        cmocka_unit_test(test_opt_duplicate_mss),
        cmocka_unit_test(test_payload_pointer_and_length),
        cmocka_unit_test(test_payload_cut_by_snaplen),
        cmocka_unit_test(test_illegal_flags),
        cmocka_unit_test(test_legal_flags),
        cmocka_unit_test(test_flags_string),
        cmocka_unit_test(test_flags_string_short_buffer),
        cmocka_unit_test(test_checksum_ipv4),
        cmocka_unit_test(test_checksum_ipv4_odd_length),
        cmocka_unit_test(test_checksum_ipv6),
        cmocka_unit_test(test_checksum_undecided_when_payload_cut),
        cmocka_unit_test(test_checksum_undecided_when_options_cut),
        cmocka_unit_test(test_checksum_undecided_on_first_fragment),
    };
    return cmocka_run_group_tests_name("decode/tcp", tests, NULL, NULL);
}
