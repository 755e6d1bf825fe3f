/* test-link.c - link layers of tfa_decode_frame(): Ethernet and its tags and
 * encapsulations, Linux cooked v1/v2, raw IP, BSD NULL/LOOP. */
#include "tfa-test.h"

#include "decode/build.h"

/* The IPv4 SYN every test carries unless it says otherwise:
 * 10.0.0.1:1234 > 10.0.0.2:80 [S] seq 1000 win 65535, ttl 64, id 0x1234, DF */
static size_t put_syn4(uint8_t *out)
{
    TfaBuildIp4 ip = tfa_build_ip4_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    return tfa_build_tcp4(out, &ip, &t);
}

/* [2001:db8::1]:1234 > [2001:db8::2]:80 [S] seq 1000 win 65535, hlim 64 */
static size_t put_syn6(uint8_t *out)
{
    TfaBuildIp6 ip = tfa_build_ip6_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    return tfa_build_tcp6(out, &ip, &t);
}

static TfaAddr addr6(uint8_t last)
{
    TfaAddr a = {.family = 6, .bytes = {0x20, 0x01, 0x0d, 0xb8}};
    a.bytes[15] = last;
    return a;
}

static void assert_addr(TfaAddr want, TfaAddr got)
{
    assert_int_equal(want.family, got.family);
    assert_memory_equal(want.bytes, got.bytes, sizeof(want.bytes));
}

static void assert_syn4(const TfaSegment *seg)
{
    assert_int_equal(4, seg->ip_version);
    assert_addr(tfa_test_ip4(10, 0, 0, 1), seg->src);
    assert_addr(tfa_test_ip4(10, 0, 0, 2), seg->dst);
    assert_int_equal(1234, seg->sport);
    assert_int_equal(80, seg->dport);
    assert_int_equal(1000, seg->seq);
    assert_int_equal(TFA_TH_SYN, seg->flags);
    assert_int_equal(20, seg->th_len);
    assert_int_equal(0, seg->payload_len);
    assert_int_equal(0, seg->diags);
}

static void assert_syn6(const TfaSegment *seg)
{
    assert_int_equal(6, seg->ip_version);
    assert_addr(addr6(1), seg->src);
    assert_addr(addr6(2), seg->dst);
    assert_int_equal(1234, seg->sport);
    assert_int_equal(80, seg->dport);
    assert_int_equal(1000, seg->seq);
    assert_int_equal(TFA_TH_SYN, seg->flags);
    assert_int_equal(0, seg->payload_len);
    assert_int_equal(0, seg->diags);
}

/* Decode @n bytes, all captured. */
static TfaDecodeStatus decode(int linktype, const uint8_t *b, size_t n, TfaSegment *seg,
                              TfaDiag *diag)
{
    TfaFrame f = tfa_build_frame(linktype, b, (uint32_t)n, (uint32_t)n);
    *diag = TFA_DIAG_N;
    return tfa_decode_frame(&f, seg, diag);
}

static void assert_skip(int linktype, const uint8_t *b, size_t n, TfaDiag want)
{
    TfaSegment seg;
    TfaDiag diag;
    assert_int_equal(TFA_DECODE_SKIP, decode(linktype, b, n, &seg, &diag));
    assert_int_equal(want, diag);
}

/* Ethernet II 02:00:00:00:00:01 > 02:00:00:00:00:02, IPv4,
 * 10.0.0.1:1234 > 10.0.0.2:80 [S] seq 1000 win 65535
 * <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>, ttl 64, id 0x1234, DF */
static const uint8_t eth_syn4[74] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45,
    0x00, 0x00, 0x3c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x14, 0x86, 0x0a, 0x00, 0x00, 0x01,
    0x0a, 0x00, 0x00, 0x02, 0x04, 0xd2, 0x00, 0x50, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00,
    0x00, 0xa0, 0x02, 0xff, 0xff, 0x2a, 0xf3, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02,
    0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
};

static void test_eth_ipv4_handwritten(void **state)
{
    (void)state;
    TfaFrame f = tfa_build_frame(DLT_EN10MB, eth_syn4, sizeof(eth_syn4), sizeof(eth_syn4));
    TfaSegment seg;
    TfaDiag diag = TFA_DIAG_N;

    assert_int_equal(TFA_DECODE_TCP, tfa_decode_frame(&f, &seg, &diag));
    assert_int_equal(7, seg.frame_no);
    assert_int_equal(INT64_C(1700000000123456789), seg.ts);
    assert_int_equal(0, seg.vlan[0]);
    assert_int_equal(0, seg.vlan[1]);
    assert_int_equal(4, seg.ip_version);
    assert_addr(tfa_test_ip4(10, 0, 0, 1), seg.src);
    assert_addr(tfa_test_ip4(10, 0, 0, 2), seg.dst);
    assert_int_equal(64, seg.ttl);
    assert_int_equal(0x1234, seg.ip_id);
    assert_true(seg.ip_df);
    assert_int_equal(1234, seg.sport);
    assert_int_equal(80, seg.dport);
    assert_int_equal(1000, seg.seq);
    assert_int_equal(TFA_TH_SYN, seg.flags);
    assert_int_equal(65535, seg.window);
    assert_int_equal(0x2af3, seg.checksum);
    assert_int_equal(40, seg.th_len);
    assert_true(seg.opt.has_mss);
    assert_int_equal(1460, seg.opt.mss);
    assert_true(seg.opt.sack_permitted);
    assert_true(seg.opt.has_ts);
    assert_int_equal(1, seg.opt.tsval);
    assert_int_equal(0, seg.opt.tsecr);
    assert_true(seg.opt.has_wscale);
    assert_int_equal(7, seg.opt.wscale);
    assert_ptr_equal(eth_syn4 + 34, seg.tcp_hdr);
    assert_int_equal(0, seg.payload_len);
    assert_int_equal(0, seg.diags);
    assert_true(tfa_decode_tcp_checksum_ok(&seg));
}

/* The builders reproduce the hand-written frame byte for byte (so their
 * checksums are right too). */
static void test_builder_matches_handwritten(void **state)
{
    (void)state;
    /* mss 1460, sackOK, TS val 1 ecr 0, nop, wscale 7 */
    static const uint8_t opts[] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0,
                                   0, 1, 0,    0,    0, 0, 1, 3,  3, 7};
    uint8_t buf[TFA_BUILD_MAX];
    TfaBuildIp4 ip = tfa_build_ip4_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    t.opts = opts;
    t.opts_len = sizeof(opts);

    size_t n = tfa_build_eth(buf, TFA_BUILD_ETH_IPV4);
    n += tfa_build_tcp4(buf + n, &ip, &t);
    assert_int_equal(sizeof(eth_syn4), n);
    assert_memory_equal(eth_syn4, buf, n);
}

static void test_eth_ipv6(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* Ethernet, IPv6 [2001:db8::1]:1234 > [2001:db8::2]:80 [S] */
    size_t n = tfa_build_eth(buf, TFA_BUILD_ETH_IPV6);
    n += put_syn6(buf + n);

    assert_int_equal(TFA_DECODE_TCP, decode(DLT_EN10MB, buf, n, &seg, &diag));
    assert_syn6(&seg);
    assert_int_equal(64, seg.ttl);
    assert_int_equal(0, seg.vlan[0]);
    assert_ptr_equal(buf + 14 + 40, seg.tcp_hdr);
}

static void test_vlan_one_tag(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* Ethernet, 802.1Q vlan 100 pcp 5, IPv4 SYN */
    size_t n = tfa_build_eth(buf, TFA_BUILD_ETH_VLAN);
    n += tfa_build_tag(buf + n, 0xa064, TFA_BUILD_ETH_IPV4);
    n += put_syn4(buf + n);

    assert_int_equal(TFA_DECODE_TCP, decode(DLT_EN10MB, buf, n, &seg, &diag));
    assert_int_equal(100, seg.vlan[0]);
    assert_int_equal(0, seg.vlan[1]);
    assert_syn4(&seg);
    assert_ptr_equal(buf + 18 + 20, seg.tcp_hdr);
}

static void test_qinq(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* Ethernet, 802.1ad vlan 300, 802.1Q vlan 42, IPv4 SYN */
    size_t n = tfa_build_eth(buf, TFA_BUILD_ETH_QINQ);
    n += tfa_build_tag(buf + n, 300, TFA_BUILD_ETH_VLAN);
    n += tfa_build_tag(buf + n, 42, TFA_BUILD_ETH_IPV4);
    n += put_syn4(buf + n);

    assert_int_equal(TFA_DECODE_TCP, decode(DLT_EN10MB, buf, n, &seg, &diag));
    assert_int_equal(300, seg.vlan[0]);
    assert_int_equal(42, seg.vlan[1]);
    assert_syn4(&seg);
}

static void test_three_tags(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* Ethernet, 802.1ad vlan 1, 802.1Q vlan 2, 802.1Q vlan 3, IPv6 SYN */
    size_t n = tfa_build_eth(buf, TFA_BUILD_ETH_QINQ);
    n += tfa_build_tag(buf + n, 1, TFA_BUILD_ETH_VLAN);
    n += tfa_build_tag(buf + n, 2, TFA_BUILD_ETH_VLAN);
    n += tfa_build_tag(buf + n, 3, TFA_BUILD_ETH_IPV6);
    n += put_syn6(buf + n);

    assert_int_equal(TFA_DECODE_TCP, decode(DLT_EN10MB, buf, n, &seg, &diag));
    assert_int_equal(1, seg.vlan[0]);
    assert_int_equal(2, seg.vlan[1]);
    assert_syn6(&seg);
}

/* Ethernet, @ntags 802.1Q tags (vlan 10, 11, ...), IPv4 SYN. */
static size_t put_tagged(uint8_t *buf, unsigned ntags)
{
    size_t n = tfa_build_eth(buf, TFA_BUILD_ETH_VLAN);
    for (unsigned i = 0; i + 1 < ntags; i++)
        n += tfa_build_tag(buf + n, (uint16_t)(10 + i), TFA_BUILD_ETH_VLAN);
    n += tfa_build_tag(buf + n, (uint16_t)(10 + ntags - 1), TFA_BUILD_ETH_IPV4);
    return n + put_syn4(buf + n);
}

static void test_eight_tags_decode(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    size_t n = put_tagged(buf, 8);

    assert_int_equal(TFA_DECODE_TCP, decode(DLT_EN10MB, buf, n, &seg, &diag));
    assert_int_equal(10, seg.vlan[0]);
    assert_int_equal(11, seg.vlan[1]);
    assert_syn4(&seg);
}

static void test_nine_tags_rejected(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    size_t n = put_tagged(buf, 9);
    assert_skip(DLT_EN10MB, buf, n, TFA_DIAG_DECODE_BAD_LINK_HEADER);
}

static void test_vlan_tag_cut_by_snaplen(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag = TFA_DIAG_N;
    /* Ethernet, 802.1Q vlan 5, IPv4 SYN; only 16 bytes captured (tag cut) */
    size_t n = tfa_build_eth(buf, TFA_BUILD_ETH_VLAN);
    n += tfa_build_tag(buf + n, 5, TFA_BUILD_ETH_IPV4);
    n += put_syn4(buf + n);
    TfaFrame f = tfa_build_frame(DLT_EN10MB, buf, 16, (uint32_t)n);

    assert_int_equal(TFA_DECODE_SKIP, tfa_decode_frame(&f, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_TRUNCATED, diag);
}

static void test_llc_snap_ipv4(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* IEEE 802.3, length 48, LLC AA AA 03 SNAP OUI 000000 type 0x0800, IPv4 SYN */
    size_t n = tfa_build_eth(buf, 48);
    n += tfa_build_snap(buf + n, TFA_BUILD_ETH_IPV4);
    n += put_syn4(buf + n);

    assert_int_equal(TFA_DECODE_TCP, decode(DLT_EN10MB, buf, n, &seg, &diag));
    assert_syn4(&seg);
    assert_ptr_equal(buf + 22 + 20, seg.tcp_hdr);
}

static void test_llc_not_snap(void **state)
{
    (void)state;
    /* IEEE 802.3, length 38, LLC 42 42 03 (spanning tree BPDU) */
    static const uint8_t stp[24] = {
        0x01, 0x80, 0xc2, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x26, 0x42, 0x42, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    };
    assert_skip(DLT_EN10MB, stp, sizeof(stp), TFA_DIAG_DECODE_NOT_IP);
}

static void test_arp_not_ip(void **state)
{
    (void)state;
    /* Ethernet, ARP request who-has 10.0.0.2 tell 10.0.0.1 */
    static const uint8_t arp[42] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x0a, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x02,
    };
    assert_skip(DLT_EN10MB, arp, sizeof(arp), TFA_DIAG_DECODE_NOT_IP);
}

static void test_mpls_one_label(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* Ethernet, MPLS label 16 (bottom), IPv4 SYN */
    size_t n = tfa_build_eth(buf, TFA_BUILD_ETH_MPLS);
    n += tfa_build_mpls(buf + n, 16, true);
    n += put_syn4(buf + n);

    assert_int_equal(TFA_DECODE_TCP, decode(DLT_EN10MB, buf, n, &seg, &diag));
    assert_syn4(&seg);
    assert_ptr_equal(buf + 18 + 20, seg.tcp_hdr);
}

static void test_mpls_two_labels(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* Ethernet, MPLS label 1000, MPLS label 17 (bottom), IPv4 SYN */
    size_t n = tfa_build_eth(buf, TFA_BUILD_ETH_MPLS);
    n += tfa_build_mpls(buf + n, 1000, false);
    n += tfa_build_mpls(buf + n, 17, true);
    n += put_syn4(buf + n);

    assert_int_equal(TFA_DECODE_TCP, decode(DLT_EN10MB, buf, n, &seg, &diag));
    assert_syn4(&seg);
    assert_ptr_equal(buf + 22 + 20, seg.tcp_hdr);
}

static void test_mpls_too_many_labels(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    /* Ethernet, 17 MPLS labels (100..116, the last one bottom), IPv4 SYN */
    size_t n = tfa_build_eth(buf, TFA_BUILD_ETH_MPLS);
    for (uint32_t i = 0; i < 16; i++)
        n += tfa_build_mpls(buf + n, 100 + i, false);
    n += tfa_build_mpls(buf + n, 116, true);
    n += put_syn4(buf + n);
    assert_skip(DLT_EN10MB, buf, n, TFA_DIAG_DECODE_BAD_LINK_HEADER);
}

static void test_mpls_label_stack_cut(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    /* Ethernet, MPLS label 1000 (not bottom), then the frame ends */
    size_t n = tfa_build_eth(buf, TFA_BUILD_ETH_MPLS);
    n += tfa_build_mpls(buf + n, 1000, false);
    assert_skip(DLT_EN10MB, buf, n, TFA_DIAG_DECODE_BAD_LINK_HEADER);
}

static void test_pppoe_ipv4(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* Ethernet, PPPoE session 0x1234 length 42, PPP IPv4 (0x0021), IPv4 SYN */
    size_t n = tfa_build_eth(buf, TFA_BUILD_ETH_PPPOE);
    n += tfa_build_pppoe(buf + n, 0x0021, 42);
    n += put_syn4(buf + n);

    assert_int_equal(TFA_DECODE_TCP, decode(DLT_EN10MB, buf, n, &seg, &diag));
    assert_syn4(&seg);
    assert_ptr_equal(buf + 22 + 20, seg.tcp_hdr);
}

static void test_pppoe_ipv6(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* Ethernet, PPPoE session 0x1234 length 62, PPP IPv6 (0x0057), IPv6 SYN */
    size_t n = tfa_build_eth(buf, TFA_BUILD_ETH_PPPOE);
    n += tfa_build_pppoe(buf + n, 0x0057, 62);
    n += put_syn6(buf + n);

    assert_int_equal(TFA_DECODE_TCP, decode(DLT_EN10MB, buf, n, &seg, &diag));
    assert_syn6(&seg);
}

static void test_pppoe_lcp_not_ip(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    /* Ethernet, PPPoE session, PPP LCP (0xc021) echo-request */
    size_t n = tfa_build_eth(buf, TFA_BUILD_ETH_PPPOE);
    n += tfa_build_pppoe(buf + n, 0xc021, 10);
    memset(buf + n, 0x09, 8);
    n += 8;
    assert_skip(DLT_EN10MB, buf, n, TFA_DIAG_DECODE_NOT_IP);
}

static void test_linux_sll(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* Linux cooked v1, to us, ARPHRD_ETHER, proto 0x0800, IPv4 SYN */
    size_t n = tfa_build_sll(buf, TFA_BUILD_ETH_IPV4);
    n += put_syn4(buf + n);

    assert_int_equal(TFA_DECODE_TCP, decode(DLT_LINUX_SLL, buf, n, &seg, &diag));
    assert_syn4(&seg);
    assert_ptr_equal(buf + 16 + 20, seg.tcp_hdr);
}

static void test_linux_sll2(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* Linux cooked v2, proto 0x86dd, ifindex 2, ARPHRD_ETHER, IPv6 SYN */
    size_t n = tfa_build_sll2(buf, TFA_BUILD_ETH_IPV6);
    n += put_syn6(buf + n);

    assert_int_equal(TFA_DECODE_TCP, decode(DLT_LINUX_SLL2, buf, n, &seg, &diag));
    assert_syn6(&seg);
    assert_ptr_equal(buf + 20 + 40, seg.tcp_hdr);
}

static void test_raw_ipv4(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* raw IP, IPv4 SYN */
    size_t n = put_syn4(buf);

    assert_int_equal(TFA_DECODE_TCP, decode(DLT_RAW, buf, n, &seg, &diag));
    assert_syn4(&seg);
    assert_ptr_equal(buf + 20, seg.tcp_hdr);
}

static void test_raw_ipv6(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* raw IP, IPv6 SYN */
    size_t n = put_syn6(buf);

    assert_int_equal(TFA_DECODE_TCP, decode(DLT_RAW, buf, n, &seg, &diag));
    assert_syn6(&seg);
}

static void test_linktype_raw_101(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* LINKTYPE_RAW (101) passed unmapped, IPv6 SYN */
    size_t n = put_syn6(buf);

    assert_int_equal(TFA_DECODE_TCP, decode(101, buf, n, &seg, &diag));
    assert_syn6(&seg);
}

static void test_dlt_ipv4(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* DLT_IPV4, IPv4 SYN */
    size_t n = put_syn4(buf);

    assert_int_equal(TFA_DECODE_TCP, decode(DLT_IPV4, buf, n, &seg, &diag));
    assert_syn4(&seg);
}

static void test_dlt_ipv6(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* DLT_IPV6, IPv6 SYN */
    size_t n = put_syn6(buf);

    assert_int_equal(TFA_DECODE_TCP, decode(DLT_IPV6, buf, n, &seg, &diag));
    assert_syn6(&seg);
}

static void test_dlt_ipv4_carrying_ipv6(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    /* DLT_IPV4, but an IPv6 SYN */
    size_t n = put_syn6(buf);
    assert_skip(DLT_IPV4, buf, n, TFA_DIAG_DECODE_BAD_IP_HEADER);
}

static void test_dlt_ipv6_carrying_ipv4(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    /* DLT_IPV6, but an IPv4 SYN */
    size_t n = put_syn4(buf);
    assert_skip(DLT_IPV6, buf, n, TFA_DIAG_DECODE_BAD_IP_HEADER);
}

static void test_null_af_inet_le(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* BSD NULL, family 2 little-endian (02 00 00 00), IPv4 SYN */
    size_t n = tfa_build_null_le(buf, 2);
    n += put_syn4(buf + n);

    assert_int_equal(TFA_DECODE_TCP, decode(DLT_NULL, buf, n, &seg, &diag));
    assert_syn4(&seg);
    assert_ptr_equal(buf + 4 + 20, seg.tcp_hdr);
}

static void test_null_af_inet_be(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* BSD NULL, family 2 big-endian (00 00 00 02), IPv4 SYN */
    size_t n = tfa_build_null_be(buf, 2);
    n += put_syn4(buf + n);

    assert_int_equal(TFA_DECODE_TCP, decode(DLT_NULL, buf, n, &seg, &diag));
    assert_syn4(&seg);
}

/* BSD NULL with the AF_INET6 value of Linux (10), NetBSD/OpenBSD (24),
 * FreeBSD (28) and macOS (30), in either byte order; IPv6 SYN. */
static void test_null_af_inet6_values(void **state)
{
    (void)state;
    static const uint32_t afs[] = {10, 24, 28, 30};
    uint8_t buf[TFA_BUILD_MAX];

    for (size_t i = 0; i < sizeof(afs) / sizeof(afs[0]); i++) {
        TfaSegment seg;
        TfaDiag diag;
        size_t n = tfa_build_null_le(buf, afs[i]);
        n += put_syn6(buf + n);
        assert_int_equal(TFA_DECODE_TCP, decode(DLT_NULL, buf, n, &seg, &diag));
        assert_syn6(&seg);

        n = tfa_build_null_be(buf, afs[i]);
        n += put_syn6(buf + n);
        assert_int_equal(TFA_DECODE_TCP, decode(DLT_NULL, buf, n, &seg, &diag));
        assert_syn6(&seg);
    }
}

static void test_null_unknown_family(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    /* BSD NULL, family 7 (AF_IMPLINK), then 20 bytes */
    size_t n = tfa_build_null_le(buf, 7);
    memset(buf + n, 0x45, 20);
    assert_skip(DLT_NULL, buf, n + 20, TFA_DIAG_DECODE_NOT_IP);
}

static void test_loop_af_inet(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* OpenBSD LOOP, family 2 network order, IPv4 SYN */
    size_t n = tfa_build_null_be(buf, 2);
    n += put_syn4(buf + n);

    assert_int_equal(TFA_DECODE_TCP, decode(DLT_LOOP, buf, n, &seg, &diag));
    assert_syn4(&seg);
}

static void test_loop_af_inet6(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* LOOP, family 30 network order, IPv6 SYN */
    size_t n = tfa_build_null_be(buf, 30);
    n += put_syn6(buf + n);

    assert_int_equal(TFA_DECODE_TCP, decode(DLT_LOOP, buf, n, &seg, &diag));
    assert_syn6(&seg);
}

static void test_loop_little_endian_not_ip(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    /* LOOP is network order: 02 00 00 00 is family 0x02000000, not AF_INET */
    size_t n = tfa_build_null_le(buf, 2);
    n += put_syn4(buf + n);
    assert_skip(DLT_LOOP, buf, n, TFA_DIAG_DECODE_NOT_IP);
}

static void test_linktype_fcs_bits_masked(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* link type Ethernet with FCS-length bits (0x10000000), Ethernet IPv4 SYN */
    size_t n = tfa_build_eth(buf, TFA_BUILD_ETH_IPV4);
    n += put_syn4(buf + n);

    assert_int_equal(TFA_DECODE_TCP, decode(DLT_EN10MB | 0x10000000, buf, n, &seg, &diag));
    assert_syn4(&seg);
}

static void test_unknown_linktype(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    /* link type 143 (DOCSIS), an Ethernet IPv4 SYN that must not be looked at */
    size_t n = tfa_build_eth(buf, TFA_BUILD_ETH_IPV4);
    n += put_syn4(buf + n);
    assert_skip(143, buf, n, TFA_DIAG_DECODE_UNKNOWN_LINKTYPE);
}

static void test_eth_header_cut_malformed(void **state)
{
    (void)state;
    /* 10 bytes on the wire, 10 captured: no room for an Ethernet header */
    static const uint8_t b[10] = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0};
    assert_skip(DLT_EN10MB, b, sizeof(b), TFA_DIAG_DECODE_BAD_LINK_HEADER);
}

static void test_eth_header_cut_by_snaplen(void **state)
{
    (void)state;
    /* 60 bytes on the wire, only 10 captured */
    static const uint8_t b[10] = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0};
    TfaFrame f = tfa_build_frame(DLT_EN10MB, b, 10, 60);
    TfaSegment seg;
    TfaDiag diag = TFA_DIAG_N;

    assert_int_equal(TFA_DECODE_SKIP, tfa_decode_frame(&f, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_TRUNCATED, diag);
}

static void test_zero_length_frame(void **state)
{
    (void)state;
    static const uint8_t b[1] = {0};
    /* nothing captured, nothing on the wire */
    assert_skip(DLT_EN10MB, b, 0, TFA_DIAG_DECODE_BAD_LINK_HEADER);
    assert_skip(DLT_LINUX_SLL, b, 0, TFA_DIAG_DECODE_BAD_LINK_HEADER);
    assert_skip(DLT_LINUX_SLL2, b, 0, TFA_DIAG_DECODE_BAD_LINK_HEADER);
    assert_skip(DLT_NULL, b, 0, TFA_DIAG_DECODE_BAD_LINK_HEADER);
    assert_skip(DLT_LOOP, b, 0, TFA_DIAG_DECODE_BAD_LINK_HEADER);
    assert_skip(DLT_RAW, b, 0, TFA_DIAG_DECODE_BAD_IP_HEADER);
}

/* A record header claiming 54 bytes captured of a 20-byte packet (no capture
 * tool writes that): the segment is decoded from what was captured, and the
 * impossible record is counted. */
static void test_caplen_above_wirelen(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    size_t n = tfa_build_eth(buf, TFA_BUILD_ETH_IPV4);
    n += put_syn4(buf + n);
    TfaFrame f = tfa_build_frame(DLT_EN10MB, buf, (uint32_t)n, 20);
    TfaSegment seg;
    TfaDiag diag = TFA_DIAG_N;

    assert_int_equal(TFA_DECODE_TCP, tfa_decode_frame(&f, &seg, &diag));
    assert_int_equal(1000, seg.seq);
    assert_int_equal(0, seg.payload_len);
    assert_int_equal(TFA_BUILD_DIAG(CAPTURE_CAPLEN_ABOVE_WIRELEN), seg.diags);

    /* counted too when the frame is not analysed: 10 bytes of a 0-byte packet */
    f = tfa_build_frame(DLT_EN10MB, buf, 10, 0);
    assert_int_equal(TFA_DECODE_SKIP, tfa_decode_frame(&f, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_BAD_LINK_HEADER, diag);
    assert_int_equal(TFA_BUILD_DIAG(CAPTURE_CAPLEN_ABOVE_WIRELEN), seg.diags);
}

/* ---- 802.11 ---------------------------------------------------------------- */

/* An 802.11 data frame (@subtype, @fc1) with SNAP and the IPv4 SYN.  Returns
 * the length; *hl gets the MAC header length. */
static size_t put_80211_syn4(uint8_t *buf, uint8_t subtype, uint8_t fc1, size_t *hl)
{
    size_t n = tfa_build_80211(buf, subtype, fc1, 0x0120, 0);
    if (hl != NULL)
        *hl = n;
    n += tfa_build_snap(buf + n, TFA_BUILD_ETH_IPV4);
    return n + put_syn4(buf + n);
}

/* data, To DS: 24-byte header, SNAP, IPv4 */
static void test_80211_data(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    size_t n = put_80211_syn4(buf, 0, 0x01, NULL);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_IEEE802_11, buf, n, &seg, &diag));
    assert_syn4(&seg);
}

/* QoS data in a four-address (WDS) frame with +HTC: 24 + 6 + 2 + 4 bytes */
static void test_80211_qos_four_address_htc(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    size_t hl;
    size_t n = put_80211_syn4(buf, 8, 0x83, &hl);
    assert_int_equal(36, hl);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_IEEE802_11, buf, n, &seg, &diag));
    assert_syn4(&seg);
    /* QoS data, From DS only: 26 bytes */
    n = put_80211_syn4(buf, 8, 0x02, &hl);
    assert_int_equal(26, hl);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_IEEE802_11, buf, n, &seg, &diag));
    assert_syn4(&seg);
}

/* IPv6 behind an 802.1H (OUI 00 00 f8) SNAP header */
static void test_80211_ipv6_8021h(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    size_t n = tfa_build_80211(buf, 0, 0x02, 0, 0);
    size_t s = n;
    n += tfa_build_snap(buf + n, TFA_BUILD_ETH_IPV6);
    buf[s + 5] = 0xf8;
    n += put_syn6(buf + n);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_IEEE802_11, buf, n, &seg, &diag));
    assert_syn6(&seg);
}

/* Protected frames are counted, not decoded */
static void test_80211_protected(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    size_t n = put_80211_syn4(buf, 8, 0x41, NULL);
    assert_skip(DLT_IEEE802_11, buf, n, TFA_DIAG_DECODE_ENCRYPTED);
}

/* Frames that carry no IP packet: management, control, null data, QoS null,
 * a later fragment, an A-MSDU, an LLC that is not SNAP */
static void test_80211_not_ip(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    size_t n = put_80211_syn4(buf, 0, 0x01, NULL);
    buf[0] = 0x80; /* beacon: type management */
    assert_skip(DLT_IEEE802_11, buf, n, TFA_DIAG_DECODE_NOT_IP);
    buf[0] = 0xd4; /* ACK: type control */
    assert_skip(DLT_IEEE802_11, buf, n, TFA_DIAG_DECODE_NOT_IP);
    buf[0] = 0x48; /* null data */
    assert_skip(DLT_IEEE802_11, buf, n, TFA_DIAG_DECODE_NOT_IP);
    n = put_80211_syn4(buf, 12, 0x01, NULL); /* QoS null */
    assert_skip(DLT_IEEE802_11, buf, n, TFA_DIAG_DECODE_NOT_IP);
    n = put_80211_syn4(buf, 0, 0x01, NULL);
    buf[22] = 0x21; /* fragment number 1 */
    assert_skip(DLT_IEEE802_11, buf, n, TFA_DIAG_DECODE_NOT_IP);
    n = put_80211_syn4(buf, 8, 0x01, NULL);
    buf[24] = 0x80; /* QoS control: A-MSDU present */
    assert_skip(DLT_IEEE802_11, buf, n, TFA_DIAG_DECODE_NOT_IP);
    n = put_80211_syn4(buf, 0, 0x01, NULL);
    buf[24 + 5] = 0x0c; /* SNAP with a Cisco OUI */
    assert_skip(DLT_IEEE802_11, buf, n, TFA_DIAG_DECODE_NOT_IP);
    buf[24 + 5] = 0;
    buf[24] = 0x42; /* LLC, not SNAP */
    assert_skip(DLT_IEEE802_11, buf, n, TFA_DIAG_DECODE_NOT_IP);
}

/* Malformed: protocol version 1; a header cut short, with and without a
 * snaplen cut */
static void test_80211_malformed(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    size_t n = put_80211_syn4(buf, 8, 0x03, NULL);
    buf[0] |= 0x01;
    assert_skip(DLT_IEEE802_11, buf, n, TFA_DIAG_DECODE_BAD_LINK_HEADER);
    buf[0] &= (uint8_t)~0x01u;
    assert_skip(DLT_IEEE802_11, buf, 1, TFA_DIAG_DECODE_BAD_LINK_HEADER);
    assert_skip(DLT_IEEE802_11, buf, 29, TFA_DIAG_DECODE_BAD_LINK_HEADER);
    TfaFrame f = tfa_build_frame(DLT_IEEE802_11, buf, 29, (uint32_t)n);
    assert_int_equal(TFA_DECODE_SKIP, tfa_decode_frame(&f, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_TRUNCATED, diag);
    /* SNAP cut: not IP when whole, truncated when the snaplen cut it */
    assert_skip(DLT_IEEE802_11, buf, 32 + 4, TFA_DIAG_DECODE_NOT_IP);
    f = tfa_build_frame(DLT_IEEE802_11, buf, 36, (uint32_t)n);
    assert_int_equal(TFA_DECODE_SKIP, tfa_decode_frame(&f, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_TRUNCATED, diag);
}

/* radiotap: an 8-byte header; then TSFT + Flags with the data-pad flag
 * before a 26-byte QoS header (padded to 28) */
static void test_radiotap(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    size_t n = tfa_build_radiotap(buf, 8, 0, 0);
    n += put_80211_syn4(buf + n, 0, 0x01, NULL);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_IEEE802_11_RADIO, buf, n, &seg, &diag));
    assert_syn4(&seg);

    n = tfa_build_radiotap(buf, 20, 0x03, 0x20 | 0x10);
    size_t h = tfa_build_80211(buf + n, 8, 0x01, 0, 0);
    assert_int_equal(26, h);
    n += h;
    buf[n] = buf[n + 1] = 0xee; /* the pad */
    n += 2;
    n += tfa_build_snap(buf + n, TFA_BUILD_ETH_IPV4);
    n += put_syn4(buf + n);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_IEEE802_11_RADIO, buf, n, &seg, &diag));
    assert_syn4(&seg);
    /* without the flag the pad is taken for the LLC header */
    buf[16] = 0;
    assert_skip(DLT_IEEE802_11_RADIO, buf, n, TFA_DIAG_DECODE_NOT_IP);
}

/* radiotap malformed: version 1, length below 8 or beyond the frame, a
 * chain of extended presence words running off the header */
static void test_radiotap_malformed(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    size_t n = tfa_build_radiotap(buf, 8, 0, 0);
    n += put_80211_syn4(buf + n, 0, 0x01, NULL);
    buf[0] = 1;
    assert_skip(DLT_IEEE802_11_RADIO, buf, n, TFA_DIAG_DECODE_BAD_LINK_HEADER);
    buf[0] = 0;
    buf[2] = 4;
    assert_skip(DLT_IEEE802_11_RADIO, buf, n, TFA_DIAG_DECODE_BAD_LINK_HEADER);
    buf[2] = 0xff;
    buf[3] = 0x0f;
    assert_skip(DLT_IEEE802_11_RADIO, buf, n, TFA_DIAG_DECODE_BAD_LINK_HEADER);
    TfaFrame f = tfa_build_frame(DLT_IEEE802_11_RADIO, buf, (uint32_t)n, 5000);
    assert_int_equal(TFA_DECODE_SKIP, tfa_decode_frame(&f, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_TRUNCATED, diag);
    assert_skip(DLT_IEEE802_11_RADIO, buf, 7, TFA_DIAG_DECODE_BAD_LINK_HEADER);
    /* every presence word says another follows */
    memset(buf, 0xff, 64);
    buf[0] = 0;
    buf[2] = 64;
    buf[3] = 0;
    assert_skip(DLT_IEEE802_11_RADIO, buf, 100, TFA_DIAG_DECODE_BAD_LINK_HEADER);
}

/* PPI carrying 802.11 (DLT 105) and radiotap (DLT 127) */
static void test_ppi_80211(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    static const uint8_t hdr[8] = {0, 0, 8, 0, 105, 0, 0, 0};
    memcpy(buf, hdr, 8);
    size_t n = 8 + put_80211_syn4(buf + 8, 8, 0x01, NULL);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_PPI, buf, n, &seg, &diag));
    assert_syn4(&seg);
    buf[4] = 127;
    n = 8 + tfa_build_radiotap(buf + 8, 8, 0, 0);
    n += put_80211_syn4(buf + n, 0, 0x01, NULL);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_PPI, buf, n, &seg, &diag));
    assert_syn4(&seg);
}

/* ---- ARCNET, FDDI, Juniper -------------------------------------------------- */

/* BSD header, RFC 1051: source, destination, protocol 240 */
static void test_arcnet_rfc1051(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    static const uint8_t bsd[3] = {0x50, 0xbe, 240};
    memcpy(buf, bsd, 3);
    size_t n = 3 + put_syn4(buf + 3);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_ARCNET, buf, n, &seg, &diag));
    assert_syn4(&seg);
    static const uint8_t lnx[5] = {0x50, 0xbe, 0xab, 0x08, 240};
    memcpy(buf, lnx, 5);
    n = 5 + put_syn4(buf + 5);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_ARCNET_LINUX, buf, n, &seg, &diag));
    assert_syn4(&seg);
    buf[4] = 241; /* ARP */
    assert_skip(DLT_ARCNET_LINUX, buf, n, TFA_DIAG_DECODE_NOT_IP);
    assert_skip(DLT_ARCNET_LINUX, buf, 4, TFA_DIAG_DECODE_BAD_LINK_HEADER);
}

/* RFC 1201: protocol 212, split flag, sequence number; an exception packet;
 * IPv6 (196); a later fragment */
static void test_arcnet_rfc1201(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    static const uint8_t lnx[8] = {0xbe, 0x50, 0xa8, 0xe7, 212, 0, 0x01, 0x66};
    memcpy(buf, lnx, 8);
    size_t n = 8 + put_syn4(buf + 8);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_ARCNET_LINUX, buf, n, &seg, &diag));
    assert_syn4(&seg);
    buf[5] = 3; /* first fragment of three: the IP header is here */
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_ARCNET_LINUX, buf, n, &seg, &diag));
    buf[5] = 2; /* a later fragment */
    assert_skip(DLT_ARCNET_LINUX, buf, n, TFA_DIAG_DECODE_NOT_IP);
    assert_skip(DLT_ARCNET_LINUX, buf, 7, TFA_DIAG_DECODE_BAD_LINK_HEADER);

    static const uint8_t exc[10] = {0xbe, 0x50, 212, 0xff, 0xff, 0xff, 212, 0, 0, 1};
    memcpy(buf, exc, 10);
    n = 10 + put_syn4(buf + 10);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_ARCNET, buf, n, &seg, &diag));
    assert_syn4(&seg);
    assert_skip(DLT_ARCNET, buf, 9, TFA_DIAG_DECODE_BAD_LINK_HEADER);

    static const uint8_t v6[6] = {0xbe, 0x50, 196, 0, 0, 1};
    memcpy(buf, v6, 6);
    n = 6 + put_syn6(buf + 6);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_ARCNET, buf, n, &seg, &diag));
    assert_syn6(&seg);
}

/* FDDI: frame control 0x50 (async LLC), MACs, SNAP, IPv4; SMT and a cut */
static void test_fddi(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    memset(buf, 0x02, 13);
    buf[0] = 0x50;
    size_t n = 13 + tfa_build_snap(buf + 13, TFA_BUILD_ETH_IPV4);
    n += put_syn4(buf + n);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_FDDI, buf, n, &seg, &diag));
    assert_syn4(&seg);
    buf[0] = 0x41; /* SMT frame */
    assert_skip(DLT_FDDI, buf, n, TFA_DIAG_DECODE_NOT_IP);
    buf[0] = 0x50;
    assert_skip(DLT_FDDI, buf, 18, TFA_DIAG_DECODE_BAD_LINK_HEADER);
    TfaFrame f = tfa_build_frame(DLT_FDDI, buf, 20, (uint32_t)n);
    assert_int_equal(TFA_DECODE_SKIP, tfa_decode_frame(&f, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_TRUNCATED, diag);
}

/* Juniper Ethernet: "MGC", flags 0x80, 16 bytes of extension TLVs, then the
 * Ethernet frame (as JUNOS writes it); and with no layer 2 header */
static void test_juniper_ether(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    static const uint8_t hdr[22] = {0x4d, 0x47, 0x43, 0x80, 0x00, 0x10, 3, 1, 1, 6, 1,
                                    14, 1, 2, 0x8c, 0, 4, 4, 0x4c, 1, 0, 0};
    memcpy(buf, hdr, 22);
    size_t n = 22 + tfa_build_eth(buf + 22, TFA_BUILD_ETH_IPV4);
    n += put_syn4(buf + n);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_JUNIPER_ETHER, buf, n, &seg, &diag));
    assert_syn4(&seg);
    /* extension length beyond the frame */
    buf[4] = 0x7f;
    assert_skip(DLT_JUNIPER_ETHER, buf, n, TFA_DIAG_DECODE_BAD_LINK_HEADER);
    buf[4] = 0;
    /* bad magic */
    buf[0] = 0x4e;
    assert_skip(DLT_JUNIPER_ETHER, buf, n, TFA_DIAG_DECODE_BAD_LINK_HEADER);
    assert_skip(DLT_JUNIPER_ETHER, buf, 3, TFA_DIAG_DECODE_BAD_LINK_HEADER);
    assert_skip(DLT_JUNIPER_ETHER, hdr, 5, TFA_DIAG_DECODE_BAD_LINK_HEADER);
    /* no layer 2: magic, flags 0x02, a 4-byte word, IPv4 */
    static const uint8_t nol2[8] = {0x4d, 0x47, 0x43, 0x02, 2, 0, 0, 0}; /* protocol 2: IPv4 */
    memcpy(buf, nol2, 8);
    n = 8 + put_syn4(buf + 8);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_JUNIPER_ETHER, buf, n, &seg, &diag));
    assert_syn4(&seg);
    assert_skip(DLT_JUNIPER_ETHER, buf, 7, TFA_DIAG_DECODE_BAD_LINK_HEADER);
}

/* Juniper PPPoE (an Ethernet frame with a PPPoE session), PPP (HDLC
 * framing) and Cisco HDLC after the bare 4-byte header */
static void test_juniper_others(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    static const uint8_t mgc[4] = {0x4d, 0x47, 0x43, 0x00};
    memcpy(buf, mgc, 4);
    size_t n = 4 + tfa_build_eth(buf + 4, TFA_BUILD_ETH_PPPOE);
    n += tfa_build_pppoe(buf + n, 0x0021, 2 + 40);
    n += put_syn4(buf + n);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_JUNIPER_PPPOE, buf, n, &seg, &diag));
    assert_syn4(&seg);
    static const uint8_t ppp[4] = {0xff, 0x03, 0x00, 0x21};
    memcpy(buf + 4, ppp, 4);
    n = 8 + put_syn4(buf + 8);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_JUNIPER_PPP, buf, n, &seg, &diag));
    assert_syn4(&seg);
    buf[6] = 0xc0; /* LCP */
    assert_skip(DLT_JUNIPER_PPP, buf, n, TFA_DIAG_DECODE_NOT_IP);
    static const uint8_t chdlc[4] = {0x0f, 0x00, 0x86, 0xdd};
    memcpy(buf + 4, chdlc, 4);
    n = 8 + put_syn6(buf + 8);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_JUNIPER_CHDLC, buf, n, &seg, &diag));
    assert_syn6(&seg);
    assert_skip(DLT_JUNIPER_CHDLC, buf, 7, TFA_DIAG_DECODE_BAD_LINK_HEADER);
}

/* Prism (144-byte header, its length little-endian), an AVS header under
 * the Prism link type, and LINKTYPE_IEEE802_11_RADIO_AVS (64 bytes) */
static void test_prism_avs(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    memset(buf, 0, 144);
    buf[0] = 0x44;
    buf[4] = 144;
    size_t n = 144 + put_80211_syn4(buf + 144, 0, 0x01, NULL);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_PRISM_HEADER, buf, n, &seg, &diag));
    assert_syn4(&seg);
    buf[5] = 0x10; /* 4240 bytes: beyond the frame */
    assert_skip(DLT_PRISM_HEADER, buf, n, TFA_DIAG_DECODE_BAD_LINK_HEADER);
    buf[4] = 4;
    buf[5] = 0; /* shorter than its own fields */
    assert_skip(DLT_PRISM_HEADER, buf, n, TFA_DIAG_DECODE_BAD_LINK_HEADER);

    memset(buf, 0, 64);
    tfa_build_be32(buf, 0x80211001);
    tfa_build_be32(buf + 4, 64);
    n = 64 + put_80211_syn4(buf + 64, 8, 0x02, NULL);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_IEEE802_11_RADIO_AVS, buf, n, &seg, &diag));
    assert_syn4(&seg);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_PRISM_HEADER, buf, n, &seg, &diag));
    assert_syn4(&seg);
    buf[3] = 0x02; /* not the AVS magic */
    assert_skip(DLT_IEEE802_11_RADIO_AVS, buf, n, TFA_DIAG_DECODE_BAD_LINK_HEADER);
    assert_skip(DLT_IEEE802_11_RADIO_AVS, buf, 7, TFA_DIAG_DECODE_BAD_LINK_HEADER);
}

/* ---- bridged encapsulations ----------------------------------------------- */

/* 802.1ah: B-TAG (0x88a8, VLAN 100), I-TAG (0x88e7, I-SID 0x12345), the
 * customer MACs, then a C-tag 0x8100 VLAN 7 and IPv4 */
static void test_pbb(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    size_t n = tfa_build_eth(buf, TFA_BUILD_ETH_QINQ);
    n += tfa_build_tag(buf + n, 100, 0x88e7);
    tfa_build_be32(buf + n, 0x00012345);
    n += 4;
    n += tfa_build_eth(buf + n, TFA_BUILD_ETH_VLAN);
    n += tfa_build_tag(buf + n, 7, TFA_BUILD_ETH_IPV4);
    size_t cut_at = n - 3;
    n += put_syn4(buf + n);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_EN10MB, buf, n, &seg, &diag));
    assert_int_equal(100, seg.vlan[0]);
    assert_int_equal(7, seg.vlan[1]);
    assert_syn4(&seg);
    assert_skip(DLT_EN10MB, buf, cut_at, TFA_DIAG_DECODE_BAD_LINK_HEADER);
    assert_skip(DLT_EN10MB, buf, 22, TFA_DIAG_DECODE_BAD_LINK_HEADER);
}

/* Five I-TAGs nested: beyond the limit of 4 */
static void test_pbb_nested_limit(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    size_t n = 12;
    memset(buf, 0x02, 12);
    for (int i = 0; i < 4; i++) {
        tfa_build_be16(buf + n, 0x88e7);
        n += 2 + 4;
        memset(buf + n, 0x02, 12);
        n += 12;
    }
    size_t four = n;
    tfa_build_be16(buf + four, TFA_BUILD_ETH_IPV4);
    size_t m = four + 2 + put_syn4(buf + four + 2);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_EN10MB, buf, m, &seg, &diag));
    assert_syn4(&seg);
    tfa_build_be16(buf + n, 0x88e7);
    n += 2 + 4;
    memset(buf + n, 0x02, 12);
    n += 12;
    tfa_build_be16(buf + n, TFA_BUILD_ETH_IPV4);
    n += 2;
    n += put_syn4(buf + n);
    assert_skip(DLT_EN10MB, buf, n, TFA_DIAG_DECODE_BAD_LINK_HEADER);
}

/* VN-Tag (0x8926, 4 bytes) and 802.1BR E-Tag (0x893f, 6 bytes) */
static void test_vntag_etag(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    size_t n = tfa_build_eth(buf, 0x8926);
    tfa_build_be32(buf + n, 0x80010002);
    tfa_build_be16(buf + n + 4, TFA_BUILD_ETH_IPV4);
    n += 6;
    n += put_syn4(buf + n);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_EN10MB, buf, n, &seg, &diag));
    assert_syn4(&seg);
    assert_skip(DLT_EN10MB, buf, 19, TFA_DIAG_DECODE_BAD_LINK_HEADER);

    n = tfa_build_eth(buf, 0x893f);
    memset(buf + n, 0, 6);
    buf[n + 3] = 0x05;
    tfa_build_be16(buf + n + 6, TFA_BUILD_ETH_VLAN);
    n += 8;
    n += tfa_build_tag(buf + n, 12, TFA_BUILD_ETH_IPV6);
    n += put_syn6(buf + n);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_EN10MB, buf, n, &seg, &diag));
    assert_syn6(&seg);
    assert_int_equal(12, seg.vlan[0]);
    assert_skip(DLT_EN10MB, buf, 21, TFA_DIAG_DECODE_BAD_LINK_HEADER);
}

/* Cisco FabricPath: outer MACs, 0x8903, FTag/TTL, then the original frame */
static void test_fabricpath(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    size_t n = tfa_build_eth(buf, 0x8903);
    tfa_build_be16(buf + n, 0x003f);
    n += 2;
    n += tfa_build_eth(buf + n, TFA_BUILD_ETH_IPV4);
    n += put_syn4(buf + n);
    assert_int_equal(TFA_DECODE_TCP, decode(DLT_EN10MB, buf, n, &seg, &diag));
    assert_syn4(&seg);
    assert_skip(DLT_EN10MB, buf, 29, TFA_DIAG_DECODE_BAD_LINK_HEADER);
    TfaFrame f = tfa_build_frame(DLT_EN10MB, buf, 29, (uint32_t)n);
    assert_int_equal(TFA_DECODE_SKIP, tfa_decode_frame(&f, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_TRUNCATED, diag);
}

/* tfa_decode_linktype_supported() says yes exactly for the link types the
 * decoder knows: an empty frame of any other type is UNKNOWN_LINKTYPE. */
static void test_supported_matches_decoder(void **state)
{
    (void)state;
    static const uint8_t none[1] = {0};
    unsigned supported = 0;
    for (int lt = 0; lt < 320; lt++) {
        TfaSegment seg;
        TfaDiag diag;
        assert_int_equal(TFA_DECODE_SKIP, decode(lt, none, 0, &seg, &diag));
        if (tfa_decode_linktype_supported(lt)) {
            supported++;
            assert_int_not_equal(TFA_DIAG_DECODE_UNKNOWN_LINKTYPE, diag);
        } else {
            assert_int_equal(TFA_DIAG_DECODE_UNKNOWN_LINKTYPE, diag);
        }
    }
    assert_int_equal(26, supported); /* the man page lists each of them */
    assert_true(tfa_decode_linktype_supported(DLT_IEEE802_11));
    assert_true(tfa_decode_linktype_supported(DLT_IEEE802_11_RADIO));
    assert_true(tfa_decode_linktype_supported(DLT_ARCNET));
    assert_true(tfa_decode_linktype_supported(DLT_ARCNET_LINUX));
    assert_true(tfa_decode_linktype_supported(DLT_FDDI));
    assert_true(tfa_decode_linktype_supported(DLT_JUNIPER_ETHER));
    assert_true(tfa_decode_linktype_supported(DLT_JUNIPER_PPP));
    assert_true(tfa_decode_linktype_supported(DLT_PRISM_HEADER));
    assert_true(tfa_decode_linktype_supported(DLT_IEEE802_11_RADIO_AVS));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eth_ipv4_handwritten),
        cmocka_unit_test(test_builder_matches_handwritten),
        cmocka_unit_test(test_eth_ipv6),
        cmocka_unit_test(test_vlan_one_tag),
        cmocka_unit_test(test_qinq),
        cmocka_unit_test(test_three_tags),
        cmocka_unit_test(test_eight_tags_decode),
        cmocka_unit_test(test_nine_tags_rejected),
        cmocka_unit_test(test_vlan_tag_cut_by_snaplen),
        cmocka_unit_test(test_llc_snap_ipv4),
        cmocka_unit_test(test_llc_not_snap),
        cmocka_unit_test(test_arp_not_ip),
        cmocka_unit_test(test_mpls_one_label),
        cmocka_unit_test(test_mpls_two_labels),
        cmocka_unit_test(test_mpls_too_many_labels),
        cmocka_unit_test(test_mpls_label_stack_cut),
        cmocka_unit_test(test_pppoe_ipv4),
        cmocka_unit_test(test_pppoe_ipv6),
        cmocka_unit_test(test_pppoe_lcp_not_ip),
        cmocka_unit_test(test_linux_sll),
        cmocka_unit_test(test_linux_sll2),
        cmocka_unit_test(test_raw_ipv4),
        cmocka_unit_test(test_raw_ipv6),
        cmocka_unit_test(test_linktype_raw_101),
        cmocka_unit_test(test_dlt_ipv4),
        cmocka_unit_test(test_dlt_ipv6),
        cmocka_unit_test(test_dlt_ipv4_carrying_ipv6),
        cmocka_unit_test(test_dlt_ipv6_carrying_ipv4),
        cmocka_unit_test(test_null_af_inet_le),
        cmocka_unit_test(test_null_af_inet_be),
        cmocka_unit_test(test_null_af_inet6_values),
        cmocka_unit_test(test_null_unknown_family),
        cmocka_unit_test(test_loop_af_inet),
        cmocka_unit_test(test_loop_af_inet6),
        cmocka_unit_test(test_loop_little_endian_not_ip),
        cmocka_unit_test(test_linktype_fcs_bits_masked),
        cmocka_unit_test(test_unknown_linktype),
        cmocka_unit_test(test_eth_header_cut_malformed),
        cmocka_unit_test(test_eth_header_cut_by_snaplen),
        cmocka_unit_test(test_zero_length_frame),
        cmocka_unit_test(test_caplen_above_wirelen),
        cmocka_unit_test(test_80211_data),
        cmocka_unit_test(test_80211_qos_four_address_htc),
        cmocka_unit_test(test_80211_ipv6_8021h),
        cmocka_unit_test(test_80211_protected),
        cmocka_unit_test(test_80211_not_ip),
        cmocka_unit_test(test_80211_malformed),
        cmocka_unit_test(test_radiotap),
        cmocka_unit_test(test_radiotap_malformed),
        cmocka_unit_test(test_ppi_80211),
        cmocka_unit_test(test_arcnet_rfc1051),
        cmocka_unit_test(test_arcnet_rfc1201),
        cmocka_unit_test(test_fddi),
        cmocka_unit_test(test_juniper_ether),
        cmocka_unit_test(test_juniper_others),
        cmocka_unit_test(test_prism_avs),
        cmocka_unit_test(test_pbb),
        cmocka_unit_test(test_pbb_nested_limit),
        cmocka_unit_test(test_vntag_etag),
        cmocka_unit_test(test_fabricpath),
        cmocka_unit_test(test_supported_matches_decoder),
    };
    return cmocka_run_group_tests_name("decode/link", tests, NULL, NULL);
}
