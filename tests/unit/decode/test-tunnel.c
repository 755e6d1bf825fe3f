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

/* ---- ERSPAN, Aruba --------------------------------------------------------- */

/* outer IPv4 + GRE @flags/@type + @hl bytes of @hdr + @in */
static size_t put_gre(uint8_t *buf, uint16_t flags, uint16_t type, const uint8_t *hdr, size_t hl,
                      const uint8_t *in, size_t il)
{
    size_t n = put_outer4(buf, 47, 4 + hl + il);
    tfa_build_be16(buf + n, flags);
    tfa_build_be16(buf + n + 2, type);
    n += 4;
    if (hl > 0) /* ERSPAN type I has no header of its own: hdr may be NULL */
        memcpy(buf + n, hdr, hl);
    if (il > 0)
        memcpy(buf + n + hl, in, il);
    return n + hl + il;
}

/* Ethernet + the inner SYN */
static size_t put_eth_syn4(uint8_t *out)
{
    size_t n = tfa_build_eth(out, 0x0800);
    return n + put_syn4(out + n);
}

/* ERSPAN type I (0x88be, no sequence number: no header) and type II (S set,
 * sequence number, 8-byte header of version 1) */
static void test_erspan_1_2(void **state)
{
    uint8_t buf[TFA_BUILD_MAX], in[160];
    TfaSegment seg;
    TfaDiag diag;
    size_t il = put_eth_syn4(in);
    size_t n = put_gre(buf, 0, 0x88be, NULL, 0, in, il);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_RAW, buf, n, &seg, &diag));
    assert_inner_syn(&seg);
    static const uint8_t t2[12] = {0, 0, 0, 9, 0x10, 0x64, 0x00, 0x2a, 0, 0, 0, 0};
    n = put_gre(buf, 0x1000, 0x88be, t2, 12, in, il);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_RAW, buf, n, &seg, &diag));
    assert_inner_syn(&seg);
    buf[20 + 8] = 0x20; /* version 2 in a type II header */
    assert_int_equal(TFA_DECODE_SKIP, decode(DLT_RAW, buf, n, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_NOT_TCP, diag);
    assert_int_equal(TFA_DECODE_SKIP, decode(DLT_RAW, buf, 20 + 8 + 4, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_BAD_IP_HEADER, diag);
}

/* ERSPAN type III (0x22eb): 12 bytes, frame type 0 (Ethernet); with the O
 * flag and its 8-byte subheader; frame type 2 (IP) */
static void test_erspan_3(void **state)
{
    uint8_t buf[TFA_BUILD_MAX], in[160];
    TfaSegment seg;
    TfaDiag diag;
    size_t il = put_eth_syn4(in);
    uint8_t t3[24] = {0, 0, 0, 5, 0x20, 0x64, 0x00, 0x2a, 1, 2, 3, 4, 0, 0, 0x00, 0x00};
    size_t n = put_gre(buf, 0x1000, 0x22eb, t3, 16, in, il);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_RAW, buf, n, &seg, &diag));
    assert_inner_syn(&seg);
    t3[4 + 11] = 0x01; /* O: a platform-specific subheader follows */
    n = put_gre(buf, 0x1000, 0x22eb, t3, 24, in, il);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_RAW, buf, n, &seg, &diag));
    assert_inner_syn(&seg);
    t3[4 + 11] = 0x00;
    t3[4 + 10] = 0x08; /* frame type 2: IP */
    il = put_syn4(in);
    n = put_gre(buf, 0x1000, 0x22eb, t3, 16, in, il);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_RAW, buf, n, &seg, &diag));
    assert_inner_syn(&seg);
    t3[4 + 10] = 0x04; /* frame type 1: not decoded */
    n = put_gre(buf, 0x1000, 0x22eb, t3, 16, in, il);
    assert_int_equal(TFA_DECODE_SKIP, decode(DLT_RAW, buf, n, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_NOT_TCP, diag);
    t3[4 + 10] = 0;
    t3[4] = 0x10; /* version 1 in a type III header */
    n = put_gre(buf, 0x1000, 0x22eb, t3, 16, in, il);
    assert_int_equal(TFA_DECODE_SKIP, decode(DLT_RAW, buf, n, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_NOT_TCP, diag);
    n = put_gre(buf, 0x1000, 0x22eb, t3, 10, NULL, 0);
    TfaFrame f = tfa_build_frame(DLT_RAW, buf, (uint32_t)n, (uint32_t)n + 100);
    assert_int_equal(TFA_DECODE_SKIP, tfa_decode_frame(&f, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_TRUNCATED, diag);
}

/* An 802.11 QoS data frame (To DS), SNAP and the inner SYN */
static size_t put_80211_syn4(uint8_t *out)
{
    size_t n = tfa_build_80211(out, 8, 0x01, 0, 0);
    n += tfa_build_snap(out + n, 0x0800);
    return n + put_syn4(out + n);
}

/* Aruba GRE (0x8210, 0x9000): an 802.11 frame; 0x8211 is not Aruba's */
static void test_aruba_gre(void **state)
{
    uint8_t buf[TFA_BUILD_MAX], in[200];
    TfaSegment seg;
    TfaDiag diag;
    size_t il = put_80211_syn4(in);
    size_t n = put_gre(buf, 0, 0x8210, NULL, 0, in, il);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_RAW, buf, n, &seg, &diag));
    assert_inner_syn(&seg);
    n = put_gre(buf, 0, 0x9000, NULL, 0, in, il);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_RAW, buf, n, &seg, &diag));
    n = put_gre(buf, 0, 0x8211, NULL, 0, in, il);
    assert_int_equal(TFA_DECODE_SKIP, decode(DLT_RAW, buf, n, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_NOT_TCP, diag);
    in[1] |= 0x40; /* protected */
    n = put_gre(buf, 0, 0x8200, NULL, 0, in, il);
    assert_int_equal(TFA_DECODE_SKIP, decode(DLT_RAW, buf, n, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_ENCRYPTED, diag);
}

/* ---- UDP tunnels ------------------------------------------------------------ */

/* outer IPv4 + UDP @sport > @dport + @hl bytes of @hdr + @in */
static size_t put_udp(uint8_t *buf, uint16_t sport, uint16_t dport, const uint8_t *hdr, size_t hl,
                      const uint8_t *in, size_t il)
{
    size_t n = put_outer4(buf, 17, 8 + hl + il);
    n += tfa_build_udp(buf + n, sport, dport, hl + il);
    if (hl > 0) /* hdr or in may be NULL with no bytes */
        memcpy(buf + n, hdr, hl);
    if (il > 0)
        memcpy(buf + n + hl, in, il);
    return n + hl + il;
}

static void assert_udp_not_tcp(const uint8_t *buf, size_t n)
{
    TfaSegment seg;
    TfaDiag diag;
    assert_int_equal(TFA_DECODE_SKIP, decode(DLT_RAW, buf, n, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_NOT_TCP, diag);
}

static void assert_udp_tcp(const uint8_t *buf, size_t n)
{
    TfaSegment seg;
    TfaDiag diag;
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_RAW, buf, n, &seg, &diag));
    assert_inner_syn(&seg);
}

/* GTP-U G-PDU: 8 bytes; with a sequence number (S); with two extension
 * headers (E: a PDU session container, then a 2-word one) */
static void test_gtpu(void **state)
{
    uint8_t buf[TFA_BUILD_MAX], in[128];
    size_t il = put_syn4(in);
    uint8_t g[24] = {0x30, 0xff, 0, 0, 0x00, 0x00, 0x00, 0x01};
    tfa_build_be16(g + 2, (uint32_t)il);
    assert_udp_tcp(buf, put_udp(buf, 2152, 2152, g, 8, in, il));
    /* only the source port is 2152 */
    assert_udp_tcp(buf, put_udp(buf, 2152, 40000, g, 8, in, il));
    g[0] = 0x32; /* S */
    assert_udp_tcp(buf, put_udp(buf, 2152, 2152, g, 12, in, il));
    g[0] = 0x34; /* E: next extension type 0x85 */
    g[11] = 0x85;
    static const uint8_t one[4] = {1, 0x10, 0x09, 0x00}; /* 4 bytes, last */
    memcpy(g + 12, one, 4);
    assert_udp_tcp(buf, put_udp(buf, 2152, 2152, g, 16, in, il));
    static const uint8_t two[12] = {1, 0x10, 0x09, 0x01, 2, 0, 0, 0, 0, 0, 0, 0};
    memcpy(g + 12, two, 12); /* 4 bytes, next 0x01; 8 bytes, last */
    assert_udp_tcp(buf, put_udp(buf, 2152, 2152, g, 24, in, il));
}

/* GTP-U that is not a user packet, or not GTP-U at all: ordinary UDP */
static void test_gtpu_not_tunnel(void **state)
{
    uint8_t buf[TFA_BUILD_MAX], in[128];
    TfaSegment seg;
    TfaDiag diag;
    size_t il = put_syn4(in);
    uint8_t g[16] = {0x32, 0x01, 0, 4, 0, 0, 0, 0, 0, 1, 0, 0}; /* echo request */
    assert_udp_not_tcp(buf, put_udp(buf, 2152, 2152, g, 12, NULL, 0));
    g[1] = 0xff;
    g[0] = 0x48; /* version 2 (GTPv2-C) */
    assert_udp_not_tcp(buf, put_udp(buf, 2152, 2152, g, 12, in, il));
    g[0] = 0x20; /* GTP' (protocol type 0) */
    assert_udp_not_tcp(buf, put_udp(buf, 2152, 2152, g, 8, in, il));
    g[0] = 0x30;
    static const uint8_t ppp[4] = {0xff, 0x03, 0x00, 0x21}; /* not IP inside */
    assert_udp_not_tcp(buf, put_udp(buf, 2152, 2152, g, 8, ppp, 4));
    /* a DNS query that happens to use port 2152 */
    static const uint8_t dns[12] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    assert_udp_not_tcp(buf, put_udp(buf, 53, 2152, dns, 12, NULL, 0));
    /* malformed extension headers: length 0, and running off the frame */
    uint8_t e[16] = {0x34, 0xff, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0x85, 0, 0, 0, 0};
    size_t n = put_udp(buf, 2152, 2152, e, 16, in, il);
    assert_int_equal(TFA_DECODE_SKIP, decode(DLT_RAW, buf, n, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_BAD_IP_HEADER, diag);
    e[12] = 60;
    n = put_udp(buf, 2152, 2152, e, 16, NULL, 0);
    assert_int_equal(TFA_DECODE_SKIP, decode(DLT_RAW, buf, n, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_BAD_IP_HEADER, diag);
    TfaFrame f = tfa_build_frame(DLT_RAW, buf, (uint32_t)n, (uint32_t)n + 300);
    assert_int_equal(TFA_DECODE_SKIP, tfa_decode_frame(&f, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_TRUNCATED, diag);
    /* seventeen extension headers of 4 bytes: beyond the limit */
    uint8_t many[12 + 17 * 4];
    memcpy(many, e, 12);
    for (int i = 0; i < 17; i++) {
        uint8_t *x = many + 12 + 4 * i;
        x[0] = 1, x[1] = 0, x[2] = 0, x[3] = 0x85;
    }
    n = put_udp(buf, 2152, 2152, many, sizeof(many), in, il);
    assert_int_equal(TFA_DECODE_SKIP, decode(DLT_RAW, buf, n, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_BAD_IP_HEADER, diag);
}

static size_t put_syn6(uint8_t *out)
{
    TfaBuildIp6 ip = tfa_build_ip6_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    return tfa_build_tcp6(out, &ip, &t);
}

/* Teredo: IPv6 directly; after an origin indicator; after an
 * authentication indicator (id 3 bytes, auth 2) and an origin indicator */
static void test_teredo(void **state)
{
    uint8_t buf[TFA_BUILD_MAX], in[128];
    TfaSegment seg;
    TfaDiag diag;
    size_t il = put_syn6(in);
    size_t n = put_udp(buf, 3544, 50000, NULL, 0, in, il);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_RAW, buf, n, &seg, &diag));
    assert_int_equal(6, seg.ip_version);
    assert_int_equal(1234, seg.sport);
    static const uint8_t origin[8] = {0, 0, 0xf2, 0x3f, 0x3f, 0xff, 0xfd, 0xfe};
    n = put_udp(buf, 50000, 3544, origin, 8, in, il);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_RAW, buf, n, &seg, &diag));
    assert_int_equal(1234, seg.sport);
    static const uint8_t both[26] = {0, 1, 3, 2, 'a', 'b', 'c', 9, 9, 1, 2, 3, 4, 5, 6, 7, 8, 0,
                                     0, 0, 0xf2, 0x3f, 0x3f, 0xff, 0xfd, 0xfe};
    n = put_udp(buf, 50000, 3544, both, 26, in, il);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_RAW, buf, n, &seg, &diag));
    assert_int_equal(1234, seg.sport);
    /* IPv4 on port 3544, an IPv6 header whose payload overruns the
     * datagram, a bare bubble-sized header cut: ordinary UDP */
    size_t il4 = put_syn4(in);
    assert_udp_not_tcp(buf, put_udp(buf, 3544, 3544, NULL, 0, in, il4));
    il = put_syn6(in);
    n = put_udp(buf, 3544, 3544, NULL, 0, in, il);
    buf[20 + 8 + 4] = 0x7f;
    assert_udp_not_tcp(buf, n);
    assert_udp_not_tcp(buf, put_udp(buf, 3544, 3544, NULL, 0, in, 30));
    /* the snaplen cut the inner TCP header: decoded as far as captured */
    n = put_udp(buf, 3544, 3544, NULL, 0, in, il);
    TfaFrame f = tfa_build_frame(DLT_RAW, buf, (uint32_t)n - 10, (uint32_t)n);
    assert_int_equal(TFA_DECODE_SKIP, tfa_decode_frame(&f, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_TRUNCATED, diag);
}

/* VXLAN-GPE: next protocol IPv4 (1), Ethernet (3), and IPv6 (2); version
 * bits, a clear I flag, NSH (4): not followed */
static void test_vxlan_gpe(void **state)
{
    uint8_t buf[TFA_BUILD_MAX], in[160];
    size_t il = put_syn4(in);
    uint8_t h[8] = {0x0c, 0, 0, 1, 0, 0, 42, 0};
    assert_udp_tcp(buf, put_udp(buf, 40000, 4790, h, 8, in, il));
    h[3] = 3;
    size_t el = put_eth_syn4(in);
    assert_udp_tcp(buf, put_udp(buf, 40000, 4790, h, 8, in, el));
    h[0] = 0x08; /* no P flag: Ethernet */
    assert_udp_tcp(buf, put_udp(buf, 40000, 4790, h, 8, in, el));
    h[0] = 0x0c;
    h[3] = 2;
    TfaSegment seg;
    TfaDiag diag;
    size_t l6 = put_syn6(in);
    size_t n = put_udp(buf, 40000, 4790, h, 8, in, l6);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_RAW, buf, n, &seg, &diag));
    assert_int_equal(6, seg.ip_version);
    il = put_syn4(in);
    h[3] = 1;
    h[0] = 0x2c; /* version 2 */
    assert_udp_not_tcp(buf, put_udp(buf, 40000, 4790, h, 8, in, il));
    h[0] = 0x04; /* I clear */
    assert_udp_not_tcp(buf, put_udp(buf, 40000, 4790, h, 8, in, il));
    h[0] = 0x0c;
    h[3] = 4;
    assert_udp_not_tcp(buf, put_udp(buf, 40000, 4790, h, 8, in, il));
    assert_udp_not_tcp(buf, put_udp(buf, 40000, 4790, h, 5, NULL, 0));
}

/* GRE-in-UDP: a GRE header with a key, IPv4; reserved bits or version 1
 * set: ordinary UDP */
static void test_gre_in_udp(void **state)
{
    uint8_t buf[TFA_BUILD_MAX], in[128];
    size_t il = put_syn4(in);
    uint8_t g[8] = {0x20, 0x00, 0x08, 0x00, 0, 0, 0, 7};
    assert_udp_tcp(buf, put_udp(buf, 40000, 4754, g, 8, in, il));
    g[0] = 0x40; /* routing present: reserved in RFC 2784 */
    assert_udp_not_tcp(buf, put_udp(buf, 40000, 4754, g, 8, in, il));
    g[0] = 0x20;
    g[1] = 0x01; /* version 1 */
    assert_udp_not_tcp(buf, put_udp(buf, 40000, 4754, g, 8, in, il));
    assert_udp_not_tcp(buf, put_udp(buf, 40000, 4754, g, 3, NULL, 0));
}

/* AYIYA: identity 2^4 = 16 bytes, signature 5 words = 20 bytes, opcode 1
 * (forward), next header 4 (IPv4); opcode 0 (no-op) and a mismatched next
 * header: ordinary UDP */
static void test_ayiya(void **state)
{
    uint8_t buf[TFA_BUILD_MAX], in[128];
    size_t il = put_syn4(in);
    uint8_t h[44] = {0x41, 0x52, 0x11, 4, 0x60, 0, 0, 0};
    assert_udp_tcp(buf, put_udp(buf, 5072, 5072, h, 44, in, il));
    h[2] = 0x10;
    assert_udp_not_tcp(buf, put_udp(buf, 5072, 5072, h, 44, in, il));
    h[2] = 0x11;
    h[3] = 41; /* says IPv6, carries IPv4 */
    assert_udp_not_tcp(buf, put_udp(buf, 5072, 5072, h, 44, in, il));
    h[3] = 4;
    assert_udp_not_tcp(buf, put_udp(buf, 5072, 5072, h, 40, NULL, 0));
}

/* CAPWAP data: HLEN 2 with an 802.3 frame (T = 0); T = 1 with binding 1
 * (802.11); DTLS; keep-alive; a later fragment; binding 3 */
static void test_capwap(void **state)
{
    uint8_t buf[TFA_BUILD_MAX], in[200];
    TfaSegment seg;
    TfaDiag diag;
    size_t el = put_eth_syn4(in);
    uint8_t h[8] = {0x00, 0x10, 0x00, 0x00, 0, 0, 0, 0}; /* HLEN 2 */
    assert_udp_tcp(buf, put_udp(buf, 40000, 5247, h, 8, in, el));
    size_t wl = put_80211_syn4(in);
    h[2] = 0x03; /* WBID 1, T */
    assert_udp_tcp(buf, put_udp(buf, 5247, 40000, h, 8, in, wl));
    uint8_t t = in[0]; /* the frame control's bytes swapped (Cisco) */
    in[0] = in[1];
    in[1] = t;
    assert_udp_tcp(buf, put_udp(buf, 5247, 40000, h, 8, in, wl));
    in[1] = in[0];
    in[0] = t;
    h[2] = 0x07; /* WBID 3 */
    assert_udp_not_tcp(buf, put_udp(buf, 5247, 40000, h, 8, in, wl));
    h[2] = 0x03;
    h[3] = 0x08; /* K: keep-alive */
    assert_udp_not_tcp(buf, put_udp(buf, 5247, 40000, h, 8, in, wl));
    h[3] = 0x80; /* F, offset 8 */
    h[7] = 0x08;
    assert_udp_not_tcp(buf, put_udp(buf, 5247, 40000, h, 8, in, wl));
    h[3] = 0;
    h[7] = 0;
    h[1] = 0x08; /* HLEN 1: shorter than the header */
    assert_udp_not_tcp(buf, put_udp(buf, 5247, 40000, h, 8, in, wl));
    h[0] = 0x01; /* a DTLS record */
    size_t n = put_udp(buf, 5247, 40000, h, 8, in, wl);
    assert_int_equal(TFA_DECODE_SKIP, decode(DLT_RAW, buf, n, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_ENCRYPTED, diag);
    h[0] = 0x10; /* version 1 */
    assert_udp_not_tcp(buf, put_udp(buf, 5247, 40000, h, 8, in, wl));
}

/* Ordinary UDP on every tunnel port is ordinary UDP: a payload of DNS-like
 * bytes, and an empty one */
static void test_udp_ports_plain_traffic(void **state)
{
    uint8_t buf[TFA_BUILD_MAX];
    static const uint16_t ports[] = {2152, 3544, 4754, 4789, 4790, 5072, 5247, 6081};
    static const uint8_t junk[20] = {0xab, 0xcd, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
                                     3,    'w',  'w',  'w',  0, 0, 1, 0};
    for (size_t i = 0; i < G_N_ELEMENTS(ports); i++) {
        assert_udp_not_tcp(buf, put_udp(buf, 33333, ports[i], junk, sizeof(junk), NULL, 0));
        assert_udp_not_tcp(buf, put_udp(buf, ports[i], 33333, NULL, 0, NULL, 0));
    }
}

/* Nested GTP-U: four tunnels are followed, a fifth is beyond the limit */
static void test_gtpu_depth(void **state)
{
    uint8_t a[TFA_BUILD_MAX], b[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    static const uint8_t g[8] = {0x30, 0xff, 0, 0, 0, 0, 0, 1};
    size_t n = put_syn4(a);
    uint8_t *cur = a, *other = b;
    for (int depth = 1; depth <= 5; depth++) {
        size_t m = put_udp(other, 2152, 2152, g, 8, cur, n);
        uint8_t *t = cur;
        cur = other;
        other = t;
        n = m;
        TfaDecodeStatus st = decode(DLT_RAW, cur, n, &seg, &diag);
        if (depth <= 4) {
            assert_int_equal(TFA_DECODE_TCP, st);
            assert_inner_syn(&seg);
        } else {
            assert_int_equal(TFA_DECODE_SKIP, st);
            assert_int_equal(TFA_DIAG_DECODE_NOT_TCP, diag);
        }
    }
}

static void test_supported_linktypes(void **state)
{
    assert_true(tfa_decode_linktype_supported(DLT_EN10MB));
    assert_true(tfa_decode_linktype_supported(DLT_NFLOG));
    assert_true(tfa_decode_linktype_supported(DLT_EN10MB | 0x10000000)); /* FCS bits */
    assert_false(tfa_decode_linktype_supported(143)); /* DOCSIS */
    assert_false(tfa_decode_linktype_supported(DLT_JUNIPER_ATM2));
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
        cmocka_unit_test(test_erspan_1_2),
        cmocka_unit_test(test_erspan_3),
        cmocka_unit_test(test_aruba_gre),
        cmocka_unit_test(test_gtpu),
        cmocka_unit_test(test_gtpu_not_tunnel),
        cmocka_unit_test(test_teredo),
        cmocka_unit_test(test_vxlan_gpe),
        cmocka_unit_test(test_gre_in_udp),
        cmocka_unit_test(test_ayiya),
        cmocka_unit_test(test_capwap),
        cmocka_unit_test(test_udp_ports_plain_traffic),
        cmocka_unit_test(test_gtpu_depth),
        cmocka_unit_test(test_supported_linktypes),
    };
    return cmocka_run_group_tests_name("decode/tunnel", tests, NULL, NULL);
}
