/* test-tunnel.c - tunnels (IP-in-IP, GRE with its variants, VXLAN, Geneve,
 * IPv4 AH) and the link types beyond Ethernet/cooked/raw (PPP, Cisco HDLC,
 * IP over InfiniBand, NFLOG, PPI).  The inner packet is always the IPv4 SYN
 * 10.0.0.1:1234 > 10.0.0.2:80 [S] seq 1000, unless said otherwise. */
#include "tfa-test.h"

#include "build.h"

#include <pcap/dlt.h>

static size_t put_syn4(uint8_t *out)
{
    TfaBuildIp4 ip = tfa_build_ip4_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    return tfa_build_tcp4(out, &ip, &t);
}

/* An outer IPv4 header 192.0.2.1 > 192.0.2.2 with @proto around @inner_len
 * bytes that the caller writes after it. */
static size_t put_outer4(uint8_t *out, uint8_t proto, size_t inner_len)
{
    TfaBuildIp4 ip = tfa_build_ip4_default();
    ip.src[0] = 192, ip.src[1] = 0, ip.src[2] = 2, ip.src[3] = 1;
    ip.dst[0] = 192, ip.dst[1] = 0, ip.dst[2] = 2, ip.dst[3] = 2;
    ip.proto = proto;
    return tfa_build_ipv4(out, &ip, inner_len);
}

static TfaDecodeStatus decode(int linktype, const uint8_t *b, size_t n, TfaSegment *seg,
                              TfaDiag *diag)
{
    TfaFrame f = tfa_build_frame(linktype, b, (uint32_t)n, (uint32_t)n);
    *diag = TFA_DIAG_N;
    return tfa_decode_frame(&f, seg, diag);
}

/* The inner SYN's fields came through. */
static void assert_inner_syn(const TfaSegment *seg)
{
    TfaAddr src = tfa_test_ip4(10, 0, 0, 1);
    assert_memory_equal(&src, &seg->src, sizeof(src));
    assert_int_equal(1234, seg->sport);
    assert_int_equal(80, seg->dport);
    assert_int_equal(1000, seg->seq);
    assert_int_equal(TFA_TH_SYN, seg->flags);
    assert_int_equal(0, seg->payload_len);
}

/* raw: IPv4 192.0.2.1 > 192.0.2.2 proto 4 (IP-in-IP), inner SYN */
static void test_ipip(void **state)
{
    uint8_t buf[TFA_BUILD_MAX], in[128];
    TfaSegment seg;
    TfaDiag diag;
    size_t il = put_syn4(in);
    size_t n = put_outer4(buf, 4, il);
    memcpy(buf + n, in, il);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_RAW, buf, n + il, &seg, &diag));
    assert_inner_syn(&seg);
}

/* raw: IPv4 proto 47, GRE flags 0 type 0x0800, inner SYN */
static void test_gre_ipv4(void **state)
{
    uint8_t buf[TFA_BUILD_MAX], in[128];
    TfaSegment seg;
    TfaDiag diag;
    size_t il = put_syn4(in);
    size_t n = put_outer4(buf, 47, 4 + il);
    static const uint8_t gre[4] = {0x00, 0x00, 0x08, 0x00};
    memcpy(buf + n, gre, 4);
    memcpy(buf + n + 4, in, il);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_RAW, buf, n + 4 + il, &seg, &diag));
    assert_inner_syn(&seg);
}

/* GRE with checksum, key and sequence number (C|K|S = 0xb000): 12 extra bytes */
static void test_gre_options(void **state)
{
    uint8_t buf[TFA_BUILD_MAX], in[128];
    TfaSegment seg;
    TfaDiag diag;
    size_t il = put_syn4(in);
    size_t n = put_outer4(buf, 47, 16 + il);
    static const uint8_t gre[16] = {0xb0, 0x00, 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 1};
    memcpy(buf + n, gre, 16);
    memcpy(buf + n + 16, in, il);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_RAW, buf, n + 16 + il, &seg, &diag));
    assert_inner_syn(&seg);
}

/* GRE type 0x6558 (transparent Ethernet bridging) with a VLAN-tagged inner
 * Ethernet frame: the inner VLAN ID is kept */
static void test_gre_ethernet(void **state)
{
    uint8_t buf[TFA_BUILD_MAX], in[160];
    TfaSegment seg;
    TfaDiag diag;
    size_t il = tfa_build_eth(in, TFA_BUILD_ETH_VLAN);
    il += tfa_build_tag(in + il, 55, 0x0800);
    il += put_syn4(in + il);
    size_t n = put_outer4(buf, 47, 4 + il);
    static const uint8_t gre[4] = {0x00, 0x00, 0x65, 0x58};
    memcpy(buf + n, gre, 4);
    memcpy(buf + n + 4, in, il);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_RAW, buf, n + 4 + il, &seg, &diag));
    assert_inner_syn(&seg);
    assert_int_equal(55, seg.vlan[0]);
}

/* PPTP enhanced GRE (version 1, K|S, type 0x880b), PPP ff 03 00 21, inner SYN */
static void test_gre_pptp(void **state)
{
    uint8_t buf[TFA_BUILD_MAX], in[128];
    TfaSegment seg;
    TfaDiag diag;
    size_t il = put_syn4(in);
    static const uint8_t gre[16] = {0x30, 0x01, 0x88, 0x0b, 0, 44, 0, 9, 0, 0, 0, 3,
                                    0xff, 0x03, 0x00, 0x21};
    size_t n = put_outer4(buf, 47, 16 + il);
    memcpy(buf + n, gre, 16);
    memcpy(buf + n + 16, in, il);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_RAW, buf, n + 16 + il, &seg, &diag));
    assert_inner_syn(&seg);
}

/* GRE type 0x883e: a 4-byte WCCP redirect header, then the IPv4 packet */
static void test_gre_wccp(void **state)
{
    uint8_t buf[TFA_BUILD_MAX], in[128];
    TfaSegment seg;
    TfaDiag diag;
    size_t il = put_syn4(in);
    static const uint8_t gre[8] = {0x00, 0x00, 0x88, 0x3e, 0, 0, 0, 0};
    size_t n = put_outer4(buf, 47, 8 + il);
    memcpy(buf + n, gre, 8);
    memcpy(buf + n + 8, in, il);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_RAW, buf, n + 8 + il, &seg, &diag));
    assert_inner_syn(&seg);
}

/* GRE version 2 and an unknown protocol type are not followed */
static void test_gre_unknown(void **state)
{
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    static const uint8_t v2[4] = {0x00, 0x02, 0x08, 0x00};
    static const uint8_t odd[4] = {0x00, 0x00, 0x12, 0x34};
    size_t n = put_outer4(buf, 47, 4);
    memcpy(buf + n, v2, 4);
    assert_int_equal(TFA_DECODE_SKIP, decode(DLT_RAW, buf, n + 4, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_NOT_TCP, diag);
    memcpy(buf + n, odd, 4);
    assert_int_equal(TFA_DECODE_SKIP, decode(DLT_RAW, buf, n + 4, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_NOT_TCP, diag);
}

/* UDP 4789 VXLAN (flags 0x08, VNI 77), inner Ethernet + SYN */
static void test_vxlan(void **state)
{
    uint8_t buf[TFA_BUILD_MAX], in[160];
    TfaSegment seg;
    TfaDiag diag;
    size_t il = tfa_build_eth(in, 0x0800);
    il += put_syn4(in + il);
    uint8_t hdr[16] = {0x30, 0x39, 0x12, 0xb5, 0, 0, 0, 0, /* UDP 12345 > 4789 */
                       0x08, 0, 0, 0, 0, 0, 77, 0};       /* VXLAN, VNI 77 */
    tfa_build_be16(hdr + 4, (uint32_t)(16 + il));
    size_t n = put_outer4(buf, 17, 16 + il);
    memcpy(buf + n, hdr, 16);
    memcpy(buf + n + 16, in, il);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_RAW, buf, n + 16 + il, &seg, &diag));
    assert_inner_syn(&seg);
    /* the VXLAN I flag clear: not VXLAN */
    buf[n + 8] = 0;
    assert_int_equal(TFA_DECODE_SKIP, decode(DLT_RAW, buf, n + 16 + il, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_NOT_TCP, diag);
}

/* UDP 6081 Geneve with 8 bytes of options, protocol 0x6558, inner Ethernet */
static void test_geneve(void **state)
{
    uint8_t buf[TFA_BUILD_MAX], in[160];
    TfaSegment seg;
    TfaDiag diag;
    size_t il = tfa_build_eth(in, 0x0800);
    il += put_syn4(in + il);
    uint8_t hdr[24] = {0x30, 0x39, 0x17, 0xc1, 0, 0, 0, 0, /* UDP 12345 > 6081 */
                       0x02, 0x00, 0x65, 0x58, 0, 0, 9, 0, /* opt len 2 words, TEB, VNI 9 */
                       0x01, 0x02, 0x80, 0x01, 0, 0, 0, 0}; /* one option */
    size_t n = put_outer4(buf, 17, 24 + il);
    memcpy(buf + n, hdr, 24);
    memcpy(buf + n + 24, in, il);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_RAW, buf, n + 24 + il, &seg, &diag));
    assert_inner_syn(&seg);
}

/* plain UDP is not TCP */
static void test_udp_not_tunnel(void **state)
{
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    static const uint8_t udp[8] = {0x00, 0x35, 0x00, 0x35, 0, 8, 0, 0};
    size_t n = put_outer4(buf, 17, 8);
    memcpy(buf + n, udp, 8);
    assert_int_equal(TFA_DECODE_SKIP, decode(DLT_RAW, buf, n + 8, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_NOT_TCP, diag);
}

/* IPv4 AH (next header 6, 4-word payload = 24 bytes), then TCP */
static void test_ipv4_ah(void **state)
{
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    TfaBuildIp4 ip = tfa_build_ip4_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    uint8_t tcp[64];
    size_t tl = tfa_build_tcp(tcp, &t);
    ip.proto = 51;
    size_t n = tfa_build_ipv4(buf, &ip, 24 + tl);
    uint8_t ah[24] = {6, 4};
    memcpy(buf + n, ah, 24);
    memcpy(buf + n + 24, tcp, tl);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_RAW, buf, n + 24 + tl, &seg, &diag));
    assert_inner_syn(&seg);
}

/* Five IP-in-IP layers: beyond the encapsulation limit */
static void test_too_deep(void **state)
{
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    uint8_t in[128];
    size_t il = put_syn4(in);
    size_t hdr = 20 * 5;
    for (int i = 0; i < 5; i++)
        put_outer4(buf + 20 * i, 4, hdr - 20 * (size_t)i - 20 + il);
    memcpy(buf + hdr, in, il);
    assert_int_equal(TFA_DECODE_SKIP, decode(DLT_RAW, buf, hdr + il, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_NOT_TCP, diag);
}

/* GRE header cut short: malformed, or truncated when the snaplen cut it */
static void test_gre_cut(void **state)
{
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    size_t n = put_outer4(buf, 47, 2);
    buf[n] = 0;
    buf[n + 1] = 0;
    assert_int_equal(TFA_DECODE_SKIP, decode(DLT_RAW, buf, n + 2, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_BAD_IP_HEADER, diag);
    TfaFrame f = tfa_build_frame(DLT_RAW, buf, (uint32_t)n + 2, (uint32_t)n + 60);
    assert_int_equal(TFA_DECODE_SKIP, tfa_decode_frame(&f, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_TRUNCATED, diag);
}

/* DLT_PPP: ff 03 00 21 then IPv4; and with protocol-field compression (21) */
static void test_ppp(void **state)
{
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    static const uint8_t hdr[4] = {0xff, 0x03, 0x00, 0x21};
    memcpy(buf, hdr, 4);
    size_t n = 4 + put_syn4(buf + 4);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_PPP, buf, n, &seg, &diag));
    assert_inner_syn(&seg);
    buf[2] = 0x21; /* ff 03 21: compressed protocol */
    n = 3 + put_syn4(buf + 3);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_PPP, buf, n, &seg, &diag));
    assert_inner_syn(&seg);
    /* ff 03 02 81: MPLS, one label with bottom of stack, then IPv4 */
    static const uint8_t mpls[8] = {0xff, 0x03, 0x02, 0x81, 0x00, 0x01, 0x41, 0x40};
    memcpy(buf, mpls, 8);
    n = 8 + put_syn4(buf + 8);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_PPP, buf, n, &seg, &diag));
    assert_inner_syn(&seg);
    buf[2] = 0xc0; /* LCP: not IP */
    buf[3] = 0x21;
    assert_int_equal(TFA_DECODE_SKIP, decode(DLT_PPP, buf, n, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_NOT_IP, diag);
}

/* Cisco HDLC (0f 00 08 00), also on a DLT_PPP_SERIAL link */
static void test_c_hdlc(void **state)
{
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    static const uint8_t hdr[4] = {0x0f, 0x00, 0x08, 0x00};
    memcpy(buf, hdr, 4);
    size_t n = 4 + put_syn4(buf + 4);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_C_HDLC, buf, n, &seg, &diag));
    assert_inner_syn(&seg);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_PPP_SERIAL, buf, n, &seg, &diag));
    assert_inner_syn(&seg);
}

/* IP over InfiniBand: two 20-byte hardware addresses, ethertype 0800,
 * 2 reserved bytes */
static void test_ipoib(void **state)
{
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    memset(buf, 0x11, 40);
    static const uint8_t hdr[4] = {0x08, 0x00, 0x00, 0x00};
    memcpy(buf + 40, hdr, 4);
    size_t n = 44 + put_syn4(buf + 44);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_IPOIB, buf, n, &seg, &diag));
    assert_inner_syn(&seg);
    /* cut inside the addresses */
    assert_int_equal(TFA_DECODE_SKIP, decode(DLT_IPOIB, buf, 30, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_BAD_LINK_HEADER, diag);
}

/* NFLOG: AF_INET, version 0, resource 0; a prefix TLV (len 8, type 10),
 * then the payload TLV (type 9) */
static void test_nflog(void **state)
{
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    static const uint8_t hdr[16] = {2, 0, 0, 0, 8, 0, 10, 0, 'a', 'b', 'c', 0, 44, 0, 9, 0};
    memcpy(buf, hdr, 16);
    size_t n = 16 + put_syn4(buf + 16);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_NFLOG, buf, n, &seg, &diag));
    assert_inner_syn(&seg);
    buf[4] = 2; /* a TLV shorter than its own header */
    assert_int_equal(TFA_DECODE_SKIP, decode(DLT_NFLOG, buf, n, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_BAD_LINK_HEADER, diag);
}

/* PPI: version 0, flags 0, length 8, inner DLT 1 (Ethernet) */
static void test_ppi(void **state)
{
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    static const uint8_t hdr[8] = {0, 0, 8, 0, 1, 0, 0, 0};
    memcpy(buf, hdr, 8);
    size_t n = 8 + tfa_build_eth(buf + 8, 0x0800);
    n += put_syn4(buf + n);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_PPI, buf, n, &seg, &diag));
    assert_inner_syn(&seg);
    buf[2] = 200; /* header longer than the frame */
    assert_int_equal(TFA_DECODE_SKIP, decode(DLT_PPI, buf, n, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_BAD_LINK_HEADER, diag);
    buf[2] = 8;
    buf[4] = 143; /* DOCSIS inside: not decoded */
    assert_int_equal(TFA_DECODE_SKIP, decode(DLT_PPI, buf, n, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_UNKNOWN_LINKTYPE, diag);
}

static void test_supported_linktypes(void **state)
{
    assert_true(tfa_decode_linktype_supported(DLT_EN10MB));
    assert_true(tfa_decode_linktype_supported(DLT_NFLOG));
    assert_true(tfa_decode_linktype_supported(DLT_EN10MB | 0x10000000)); /* FCS bits */
    assert_false(tfa_decode_linktype_supported(143)); /* DOCSIS */
    assert_false(tfa_decode_linktype_supported(DLT_IEEE802_11_RADIO_AVS));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipip),          cmocka_unit_test(test_gre_ipv4),
        cmocka_unit_test(test_gre_options),   cmocka_unit_test(test_gre_ethernet),
        cmocka_unit_test(test_gre_pptp),      cmocka_unit_test(test_gre_wccp),
        cmocka_unit_test(test_gre_unknown),   cmocka_unit_test(test_vxlan),
        cmocka_unit_test(test_geneve),        cmocka_unit_test(test_udp_not_tunnel),
        cmocka_unit_test(test_ipv4_ah),       cmocka_unit_test(test_too_deep),
        cmocka_unit_test(test_gre_cut),       cmocka_unit_test(test_ppp),
        cmocka_unit_test(test_c_hdlc),        cmocka_unit_test(test_ipoib),
        cmocka_unit_test(test_nflog),         cmocka_unit_test(test_ppi),
        cmocka_unit_test(test_supported_linktypes),
    };
    return cmocka_run_group_tests_name("decode/tunnel", tests, NULL, NULL);
}
