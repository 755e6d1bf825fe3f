/* test-ip.c - the IP layer of the decoder: IPv4 header, options, lengths and
 * fragments; IPv6 extension-header walk, fragments and jumbograms. */
#include "tfa-test.h"

#include "decode/build.h"

#define BIT(d) TFA_BUILD_DIAG(d)

/* 16 payload bytes "0123456789abcdef" */
static const uint8_t payload16[16] = {'0', '1', '2', '3', '4', '5', '6', '7',
                                      '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

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

/* tfa_decode_ip() on @n bytes, all captured. */
static TfaDecodeStatus dec(const uint8_t *b, size_t n, TfaSegment *seg, TfaDiag *diag)
{
    *diag = TFA_DIAG_N;
    return tfa_decode_ip(b, (uint32_t)n, (uint32_t)n, seg, diag);
}

static void assert_skip(const uint8_t *b, uint32_t caplen, uint32_t wirelen, TfaDiag want)
{
    TfaSegment seg;
    TfaDiag diag = TFA_DIAG_N;
    assert_int_equal(TFA_DECODE_SKIP, tfa_decode_ip(b, caplen, wirelen, &seg, &diag));
    assert_int_equal(want, diag);
}

/* 10.0.0.1:1234 > 10.0.0.2:80 [S] seq 1000 win 65535, with @ip's fields. */
static size_t put_syn4(uint8_t *out, const TfaBuildIp4 *ip)
{
    TfaBuildTcp t = tfa_build_tcp_default();
    return tfa_build_tcp4(out, ip, &t);
}

/* ---- IPv4 ---------------------------------------------------------------- */

static void test_ipv4_plain(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* 192.168.1.10:40000 > 172.16.0.5:443 [P.] seq 1 ack 2 win 500 length 16,
     * ttl 33, id 0xbeef, DF */
    TfaBuildIp4 ip = tfa_build_ip4_default();
    memcpy(ip.src, (const uint8_t[4]){192, 168, 1, 10}, 4);
    memcpy(ip.dst, (const uint8_t[4]){172, 16, 0, 5}, 4);
    ip.ttl = 33;
    ip.id = 0xbeef;
    TfaBuildTcp t = tfa_build_tcp_default();
    t.sport = 40000;
    t.dport = 443;
    t.seq = 1;
    t.ack = 2;
    t.flags = TFA_TH_PSH | TFA_TH_ACK;
    t.window = 500;
    t.payload = payload16;
    t.payload_len = sizeof(payload16);
    size_t n = tfa_build_tcp4(buf, &ip, &t);

    assert_int_equal(TFA_DECODE_TCP, dec(buf, n, &seg, &diag));
    assert_int_equal(4, seg.ip_version);
    assert_addr(tfa_test_ip4(192, 168, 1, 10), seg.src);
    assert_addr(tfa_test_ip4(172, 16, 0, 5), seg.dst);
    assert_int_equal(33, seg.ttl);
    assert_int_equal(0xbeef, seg.ip_id);
    assert_true(seg.ip_df);
    assert_int_equal(40000, seg.sport);
    assert_int_equal(443, seg.dport);
    assert_ptr_equal(buf + 20, seg.tcp_hdr);
    assert_int_equal(16, seg.payload_len);
    assert_int_equal(16, seg.payload_caplen);
    assert_ptr_equal(buf + 40, seg.payload);
    assert_int_equal(0, seg.diags);
}

static void test_ipv4_df_clear(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* 10.0.0.1:1234 > 10.0.0.2:80 [S], no IP flags, id 7 */
    TfaBuildIp4 ip = tfa_build_ip4_default();
    ip.frag = 0;
    ip.id = 7;
    size_t n = put_syn4(buf, &ip);

    assert_int_equal(TFA_DECODE_TCP, dec(buf, n, &seg, &diag));
    assert_false(seg.ip_df);
    assert_int_equal(7, seg.ip_id);
    assert_int_equal(0, seg.diags);
}

/* IHL 6..15: NOP (1) options with a closing EOL, each length in turn. */
static void test_ipv4_options_ihl_6_to_15(void **state)
{
    (void)state;
    uint8_t opts[40];
    memset(opts, 1, sizeof(opts)); /* NOP ... */
    for (size_t words = 1; words <= 10; words++) {
        uint8_t buf[TFA_BUILD_MAX];
        TfaSegment seg;
        TfaDiag diag;
        /* 10.0.0.1:1234 > 10.0.0.2:80 [P.] length 16, IP options nop...,eol */
        TfaBuildIp4 ip = tfa_build_ip4_default();
        opts[words * 4 - 1] = 0; /* ...EOL */
        ip.opts = opts;
        ip.opts_len = words * 4;
        TfaBuildTcp t = tfa_build_tcp_default();
        t.flags = TFA_TH_PSH | TFA_TH_ACK;
        t.payload = payload16;
        t.payload_len = sizeof(payload16);
        size_t n = tfa_build_tcp4(buf, &ip, &t);
        opts[words * 4 - 1] = 1;

        assert_int_equal(TFA_DECODE_TCP, dec(buf, n, &seg, &diag));
        assert_int_equal(words + 5, buf[0] & 0x0f);
        assert_ptr_equal(buf + 20 + words * 4, seg.tcp_hdr);
        assert_int_equal(1234, seg.sport);
        assert_int_equal(TFA_TH_PSH | TFA_TH_ACK, seg.flags);
        assert_int_equal(16, seg.payload_len);
        assert_ptr_equal(buf + 40 + words * 4, seg.payload);
        assert_int_equal(0, seg.diags);
    }
}

static void test_ipv4_ihl_below_5(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    /* IPv4 SYN with IHL 4 (16 bytes: impossible) */
    TfaBuildIp4 ip = tfa_build_ip4_default();
    ip.set_ihl = true;
    ip.ihl = 4;
    size_t n = put_syn4(buf, &ip);
    assert_skip(buf, (uint32_t)n, (uint32_t)n, TFA_DIAG_DECODE_BAD_IP_HEADER);

    /* IHL 0 */
    ip.ihl = 0;
    n = put_syn4(buf, &ip);
    assert_skip(buf, (uint32_t)n, (uint32_t)n, TFA_DIAG_DECODE_BAD_IP_HEADER);
}

static void test_ipv4_ihl_beyond_captured(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    /* IPv4 with IHL 15 (60 bytes) but the packet is a 40-byte SYN */
    TfaBuildIp4 ip = tfa_build_ip4_default();
    ip.set_ihl = true;
    ip.ihl = 15;
    size_t n = put_syn4(buf, &ip);
    assert_int_equal(40, n);
    /* whole packet captured: the header is malformed */
    assert_skip(buf, 40, 40, TFA_DIAG_DECODE_BAD_IP_HEADER);
    /* cut by the snaplen at 40 of 80 bytes: truncated */
    assert_skip(buf, 40, 80, TFA_DIAG_DECODE_TRUNCATED);
}

static void test_ipv4_shorter_than_20(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    /* IPv4 SYN, only 19 bytes */
    TfaBuildIp4 ip = tfa_build_ip4_default();
    put_syn4(buf, &ip);
    assert_skip(buf, 19, 19, TFA_DIAG_DECODE_BAD_IP_HEADER);
    assert_skip(buf, 19, 40, TFA_DIAG_DECODE_TRUNCATED);
}

static void test_ipv4_total_length_below_ihl(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    /* IPv4 SYN with total length 19 < IHL 20 */
    TfaBuildIp4 ip = tfa_build_ip4_default();
    ip.set_tot_len = true;
    ip.tot_len = 19;
    size_t n = put_syn4(buf, &ip);
    assert_skip(buf, (uint32_t)n, (uint32_t)n, TFA_DIAG_DECODE_BAD_IP_LENGTH);
}

static void test_ipv4_total_length_beyond_wire(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* 10.0.0.1:1234 > 10.0.0.2:80 [P.] length 16, IP total length 100 but
     * 56 bytes on the wire */
    TfaBuildIp4 ip = tfa_build_ip4_default();
    ip.set_tot_len = true;
    ip.tot_len = 100;
    TfaBuildTcp t = tfa_build_tcp_default();
    t.flags = TFA_TH_PSH | TFA_TH_ACK;
    t.payload = payload16;
    t.payload_len = sizeof(payload16);
    size_t n = tfa_build_tcp4(buf, &ip, &t);
    assert_int_equal(56, n);

    assert_int_equal(TFA_DECODE_TCP, dec(buf, n, &seg, &diag));
    assert_int_equal(BIT(DECODE_BAD_IP_LENGTH), seg.diags);
    assert_int_equal(16, seg.payload_len);
    assert_int_equal(16, seg.payload_caplen);
}

static void test_ipv4_ethernet_padding(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag = TFA_DIAG_N;
    /* Ethernet, 10.0.0.1:1234 > 10.0.0.2:80 [P.] length 2 "hi", padded with
     * 4 bytes 0xee to the 60-byte Ethernet minimum */
    static const uint8_t hi[2] = {'h', 'i'};
    TfaBuildIp4 ip = tfa_build_ip4_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    t.flags = TFA_TH_PSH | TFA_TH_ACK;
    t.payload = hi;
    t.payload_len = 2;
    size_t n = tfa_build_eth(buf, TFA_BUILD_ETH_IPV4);
    n += tfa_build_tcp4(buf + n, &ip, &t);
    memset(buf + n, 0xee, 4);
    n += 4;
    assert_int_equal(60, n);
    TfaFrame f = tfa_build_frame(DLT_EN10MB, buf, 60, 60);

    assert_int_equal(TFA_DECODE_TCP, tfa_decode_frame(&f, &seg, &diag));
    assert_int_equal(2, seg.payload_len);
    assert_int_equal(2, seg.payload_caplen);
    assert_ptr_equal(buf + 54, seg.payload);
    assert_int_equal(0, seg.diags);
    assert_true(tfa_decode_tcp_checksum_ok(&seg));
}

static void test_ipv4_total_length_zero_gso(void **state)
{
    (void)state;
    static uint8_t buf[40 + 1000];
    TfaSegment seg;
    TfaDiag diag;
    /* 10.0.0.1:1234 > 10.0.0.2:80 [.] length 1000, IP total length 0 (GSO) */
    uint8_t data[1000];
    memset(data, 'x', sizeof(data));
    TfaBuildIp4 ip = tfa_build_ip4_default();
    ip.set_tot_len = true;
    ip.tot_len = 0;
    TfaBuildTcp t = tfa_build_tcp_default();
    t.flags = TFA_TH_ACK;
    t.payload = data;
    t.payload_len = sizeof(data);
    size_t n = tfa_build_tcp4(buf, &ip, &t);

    assert_int_equal(TFA_DECODE_TCP, dec(buf, n, &seg, &diag));
    assert_int_equal(BIT(DECODE_JUMBO), seg.diags);
    assert_int_equal(1000, seg.payload_len);
    assert_int_equal(1000, seg.payload_caplen);
    assert_ptr_equal(buf + 40, seg.payload);
}

static void test_ipv4_not_tcp(void **state)
{
    (void)state;
    /* 10.0.0.1.5353 > 10.0.0.2.53: UDP, length 4, ttl 17 */
    static const uint8_t udp[32] = {
        0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x11, 0x11, 0x00,
        0x00, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x14, 0xe9,
        0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef,
    };
    /* 10.0.0.3 > 10.0.0.4: ICMP echo request, id 1, seq 1, ttl 64 */
    static const uint8_t icmp[28] = {
        0x45, 0x00, 0x00, 0x1c, 0x00, 0x02, 0x40, 0x00, 0x40, 0x01, 0x00, 0x00, 0x0a, 0x00,
        0x00, 0x03, 0x0a, 0x00, 0x00, 0x04, 0x08, 0x00, 0xf7, 0xfd, 0x00, 0x01, 0x00, 0x01,
    };
    TfaSegment seg;
    TfaDiag diag;

    assert_int_equal(TFA_DECODE_SKIP, dec(udp, sizeof(udp), &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_NOT_TCP, diag);
    assert_int_equal(4, seg.ip_version);
    assert_addr(tfa_test_ip4(10, 0, 0, 1), seg.src);
    assert_addr(tfa_test_ip4(10, 0, 0, 2), seg.dst);
    assert_int_equal(17, seg.ttl);

    assert_int_equal(TFA_DECODE_SKIP, dec(icmp, sizeof(icmp), &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_NOT_TCP, diag);
    assert_addr(tfa_test_ip4(10, 0, 0, 3), seg.src);
    assert_addr(tfa_test_ip4(10, 0, 0, 4), seg.dst);
    assert_true(seg.ip_df);
}

static void test_ipv4_first_fragment(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* 10.0.0.1:1234 > 10.0.0.2:80 [P.] with 16 bytes in this fragment,
     * IP flags MF, offset 0, id 0x4242 */
    TfaBuildIp4 ip = tfa_build_ip4_default();
    ip.frag = 0x2000;
    ip.id = 0x4242;
    TfaBuildTcp t = tfa_build_tcp_default();
    t.flags = TFA_TH_PSH | TFA_TH_ACK;
    t.payload = payload16;
    t.payload_len = sizeof(payload16);
    size_t n = tfa_build_tcp4(buf, &ip, &t);

    assert_int_equal(TFA_DECODE_TCP, dec(buf, n, &seg, &diag));
    assert_int_equal(BIT(DECODE_IP_FRAGMENT), seg.diags);
    assert_false(seg.ip_df);
    assert_int_equal(0x4242, seg.ip_id);
    assert_int_equal(1234, seg.sport);
    assert_int_equal(16, seg.payload_len);
}

static void test_ipv4_first_fragment_tcp_header_incomplete(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* IPv4 MF offset 0 carrying only the first 8 bytes of a TCP header
     * (RFC 1858 tiny fragment) */
    TfaBuildIp4 ip = tfa_build_ip4_default();
    ip.frag = 0x2000;
    TfaBuildTcp t = tfa_build_tcp_default();
    tfa_build_tcp(buf + 20, &t);
    tfa_build_ipv4(buf, &ip, 8);

    assert_int_equal(TFA_DECODE_SKIP, dec(buf, 28, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_BAD_TCP_HEADER, diag);
    assert_int_equal(BIT(DECODE_IP_FRAGMENT), seg.diags);
}

static void test_ipv4_later_fragment(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* IPv4 fragment, MF, offset 3 (24 bytes), 24 bytes of data */
    TfaBuildIp4 ip = tfa_build_ip4_default();
    ip.frag = 0x2003;
    memset(buf + 20, 0x55, 24);
    tfa_build_ipv4(buf, &ip, 24);

    assert_int_equal(TFA_DECODE_SKIP, dec(buf, 44, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_IP_FRAGMENT, diag);
    assert_int_equal(BIT(DECODE_IP_FRAGMENT), seg.diags);

    /* last fragment: no MF, offset 5 (40 bytes) */
    ip.frag = 0x0005;
    tfa_build_ipv4(buf, &ip, 24);
    assert_int_equal(TFA_DECODE_SKIP, dec(buf, 44, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_IP_FRAGMENT, diag);
}

static void test_version_not_4_or_6(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag = TFA_DIAG_N;
    /* IPv4 SYN with the version nibble changed to 5 */
    TfaBuildIp4 ip = tfa_build_ip4_default();
    size_t n = put_syn4(buf, &ip);
    buf[0] = 0x55;
    TfaFrame f = tfa_build_frame(DLT_RAW, buf, (uint32_t)n, (uint32_t)n);

    assert_int_equal(TFA_DECODE_SKIP, tfa_decode_frame(&f, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_NOT_IP, diag);
    assert_skip(buf, (uint32_t)n, (uint32_t)n, TFA_DIAG_DECODE_NOT_IP);
}

static void test_ethertype_ipv4_version_5(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag = TFA_DIAG_N;
    /* Ethernet type IPv4, but the version nibble says 5 */
    TfaBuildIp4 ip = tfa_build_ip4_default();
    size_t n = tfa_build_eth(buf, TFA_BUILD_ETH_IPV4);
    n += put_syn4(buf + n, &ip);
    buf[14] = 0x55;
    TfaFrame f = tfa_build_frame(DLT_EN10MB, buf, (uint32_t)n, (uint32_t)n);

    assert_int_equal(TFA_DECODE_SKIP, tfa_decode_frame(&f, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_BAD_IP_HEADER, diag);
}

/* ---- IPv6 ---------------------------------------------------------------- */

static void test_ipv6_plain(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* [2001:db8::1]:1234 > [2001:db8::2]:80 [P.] length 16, hlim 7 */
    TfaBuildIp6 ip = tfa_build_ip6_default();
    ip.hlim = 7;
    TfaBuildTcp t = tfa_build_tcp_default();
    t.flags = TFA_TH_PSH | TFA_TH_ACK;
    t.payload = payload16;
    t.payload_len = sizeof(payload16);
    size_t n = tfa_build_tcp6(buf, &ip, &t);

    assert_int_equal(TFA_DECODE_TCP, dec(buf, n, &seg, &diag));
    assert_int_equal(6, seg.ip_version);
    assert_addr(addr6(1), seg.src);
    assert_addr(addr6(2), seg.dst);
    assert_int_equal(7, seg.ttl);
    assert_int_equal(0, seg.ip_id);
    assert_true(seg.ip_df);
    assert_int_equal(1234, seg.sport);
    assert_ptr_equal(buf + 40, seg.tcp_hdr);
    assert_int_equal(16, seg.payload_len);
    assert_int_equal(16, seg.payload_caplen);
    assert_ptr_equal(buf + 60, seg.payload);
    assert_int_equal(0, seg.diags);
}

/* IPv6 header, the extension headers the caller wrote at buf+40 (@ext
 * bytes, first next-header @nh), then a [P.] segment with 16 bytes. */
static size_t finish6(uint8_t *buf, uint8_t nh, size_t ext)
{
    TfaBuildIp6 ip = tfa_build_ip6_default();
    ip.nh = nh;
    TfaBuildTcp t = tfa_build_tcp_default();
    t.flags = TFA_TH_PSH | TFA_TH_ACK;
    t.payload = payload16;
    t.payload_len = sizeof(payload16);
    size_t tl = tfa_build_tcp(buf + 40 + ext, &t);
    tfa_build_tcp_csum6(buf + 40 + ext, tl, ip.src, ip.dst);
    tfa_build_ipv6(buf, &ip, ext + tl);
    return 40 + ext + tl;
}

static void test_ipv6_ext_chain(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* IPv6, hop-by-hop (8 bytes, PadN), destination options (16 bytes),
     * routing (8 bytes), TCP [P.] length 16 */
    size_t e = tfa_build_ext6(buf + 40, 60, 0);
    e += tfa_build_ext6(buf + 40 + e, 43, 1);
    e += tfa_build_ext6(buf + 40 + e, 6, 0);
    size_t n = finish6(buf, 0, e);

    assert_int_equal(TFA_DECODE_TCP, dec(buf, n, &seg, &diag));
    assert_ptr_equal(buf + 40 + 32, seg.tcp_hdr);
    assert_int_equal(1234, seg.sport);
    assert_int_equal(80, seg.dport);
    assert_int_equal(16, seg.payload_len);
    assert_ptr_equal(buf + 40 + 32 + 20, seg.payload);
    assert_int_equal(0, seg.diags);
    assert_true(tfa_decode_tcp_checksum_ok(&seg));
}

static void test_ipv6_fragment_offset_0(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* IPv6, fragment header offset 0 M=1 id 0xcafe0001, TCP [P.] length 16 */
    size_t e = tfa_build_frag6(buf + 40, 6, 0, true);
    size_t n = finish6(buf, 44, e);

    assert_int_equal(TFA_DECODE_TCP, dec(buf, n, &seg, &diag));
    assert_int_equal(BIT(DECODE_IP_FRAGMENT), seg.diags);
    assert_ptr_equal(buf + 48, seg.tcp_hdr);
    assert_int_equal(16, seg.payload_len);
}

static void test_ipv6_fragment_offset_nonzero(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* IPv6, fragment header offset 185 (1480 bytes) M=0, next header TCP */
    size_t e = tfa_build_frag6(buf + 40, 6, 185, false);
    size_t n = finish6(buf, 44, e);

    assert_int_equal(TFA_DECODE_SKIP, dec(buf, n, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_IP_FRAGMENT, diag);
    assert_int_equal(BIT(DECODE_IP_FRAGMENT), seg.diags);
}

static void test_ipv6_ah(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* IPv6, AH (next TCP, payload len 4 = 24 bytes, SPI 0x100, seq 1,
     * 12-byte ICV), TCP [P.] length 16 */
    static const uint8_t ah[24] = {
        0x06, 0x04, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01,
        0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac,
    };
    memcpy(buf + 40, ah, sizeof(ah));
    size_t n = finish6(buf, 51, sizeof(ah));

    assert_int_equal(TFA_DECODE_TCP, dec(buf, n, &seg, &diag));
    assert_ptr_equal(buf + 64, seg.tcp_hdr);
    assert_int_equal(16, seg.payload_len);
    assert_int_equal(0, seg.diags);
}

static void test_ipv6_not_tcp(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* IPv6, ESP SPI 0x100 seq 1, 16 bytes of ciphertext */
    TfaBuildIp6 ip = tfa_build_ip6_default();
    ip.nh = 50;
    tfa_build_ipv6(buf, &ip, 24);
    memset(buf + 40, 0x77, 24);
    assert_int_equal(TFA_DECODE_SKIP, dec(buf, 64, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_NOT_TCP, diag);
    assert_addr(addr6(1), seg.src);
    assert_addr(addr6(2), seg.dst);

    /* IPv6, no next header (59) after a destination-options header */
    ip.nh = 60;
    tfa_build_ipv6(buf, &ip, 8);
    tfa_build_ext6(buf + 40, 59, 0);
    assert_int_equal(TFA_DECODE_SKIP, dec(buf, 48, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_NOT_TCP, diag);

    /* IPv6 UDP (17) */
    ip.nh = 17;
    tfa_build_ipv6(buf, &ip, 8);
    assert_int_equal(TFA_DECODE_SKIP, dec(buf, 48, &seg, &diag));
    assert_int_equal(TFA_DIAG_DECODE_NOT_TCP, diag);
}

static void test_ipv6_ext_chain_cut(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    /* IPv6 payload length 36, hop-by-hop header declaring 16 bytes, only 8
     * of them present */
    TfaBuildIp6 ip = tfa_build_ip6_default();
    ip.nh = 0;
    tfa_build_ipv6(buf, &ip, 36);
    tfa_build_ext6(buf + 40, 6, 1);
    /* nothing more on the wire: malformed */
    assert_skip(buf, 48, 48, TFA_DIAG_DECODE_BAD_IPV6_EXT);
    /* 76 bytes on the wire, 48 captured: truncated */
    assert_skip(buf, 48, 76, TFA_DIAG_DECODE_TRUNCATED);
    /* not even the first two bytes of the extension header */
    assert_skip(buf, 41, 41, TFA_DIAG_DECODE_BAD_IPV6_EXT);
}

/* @count destination-options headers (8 bytes each) before TCP. */
static size_t put_dstopts_chain(uint8_t *buf, unsigned count)
{
    size_t e = 0;
    for (unsigned i = 0; i + 1 < count; i++)
        e += tfa_build_ext6(buf + 40 + e, 60, 0);
    e += tfa_build_ext6(buf + 40 + e, 6, 0);
    return finish6(buf, 60, e);
}

static void test_ipv6_sixteen_ext_headers_decode(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    size_t n = put_dstopts_chain(buf, 16);

    assert_int_equal(TFA_DECODE_TCP, dec(buf, n, &seg, &diag));
    assert_ptr_equal(buf + 40 + 128, seg.tcp_hdr);
    assert_int_equal(16, seg.payload_len);
}

static void test_ipv6_seventeen_ext_headers(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    size_t n = put_dstopts_chain(buf, 17);
    assert_skip(buf, (uint32_t)n, (uint32_t)n, TFA_DIAG_DECODE_BAD_IPV6_EXT);
    n = put_dstopts_chain(buf, 40);
    assert_skip(buf, (uint32_t)n, (uint32_t)n, TFA_DIAG_DECODE_BAD_IPV6_EXT);
}

#define JUMBO_DATA 70000u

static void test_ipv6_jumbogram(void **state)
{
    (void)state;
    static uint8_t buf[40 + 8 + 20 + JUMBO_DATA + 6];
    TfaSegment seg;
    TfaDiag diag;
    /* IPv6 payload length 0, hop-by-hop <jumbo 70028> (C2 04 00 01 11 8c),
     * TCP [.] length 70000, then 6 bytes of link padding not counted */
    static const uint8_t hbh[8] = {0x06, 0x00, 0xc2, 0x04, 0x00, 0x01, 0x11, 0x8c};
    TfaBuildIp6 ip = tfa_build_ip6_default();
    ip.nh = 0;
    ip.set_plen = true;
    ip.plen = 0;
    tfa_build_ipv6(buf, &ip, 0);
    memcpy(buf + 40, hbh, sizeof(hbh));
    TfaBuildTcp t = tfa_build_tcp_default();
    t.flags = TFA_TH_ACK;
    size_t tl = tfa_build_tcp(buf + 48, &t);
    memset(buf + 48 + tl, 'j', JUMBO_DATA);
    memset(buf + 48 + tl + JUMBO_DATA, 0xee, 6);

    assert_int_equal(TFA_DECODE_TCP, dec(buf, sizeof(buf), &seg, &diag));
    assert_int_equal(BIT(DECODE_JUMBO), seg.diags);
    assert_ptr_equal(buf + 48, seg.tcp_hdr);
    assert_int_equal(JUMBO_DATA, seg.payload_len);
    assert_int_equal(JUMBO_DATA, seg.payload_caplen);
    assert_ptr_equal(buf + 68, seg.payload);
}

static void test_ipv6_jumbo_beyond_wire(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* IPv6 payload length 0, hop-by-hop <jumbo 100000>, TCP [.] length 16
     * (the option claims far more than the 84 bytes on the wire) */
    static const uint8_t hbh[8] = {0x06, 0x00, 0xc2, 0x04, 0x00, 0x01, 0x86, 0xa0};
    memcpy(buf + 40, hbh, sizeof(hbh));
    size_t n = finish6(buf, 0, sizeof(hbh));
    buf[4] = 0;
    buf[5] = 0;

    assert_int_equal(TFA_DECODE_TCP, dec(buf, n, &seg, &diag));
    assert_int_equal(BIT(DECODE_JUMBO) | BIT(DECODE_BAD_IP_LENGTH), seg.diags);
    assert_int_equal(16, seg.payload_len);
}

static void test_ipv6_length_zero_big_tcp(void **state)
{
    (void)state;
    static uint8_t buf[40 + 20 + JUMBO_DATA];
    TfaSegment seg;
    TfaDiag diag;
    /* IPv6 payload length 0, next header TCP (BIG TCP, hop-by-hop removed by
     * the kernel), TCP [.] length 70000 */
    TfaBuildIp6 ip = tfa_build_ip6_default();
    ip.set_plen = true;
    ip.plen = 0;
    tfa_build_ipv6(buf, &ip, 0);
    TfaBuildTcp t = tfa_build_tcp_default();
    t.flags = TFA_TH_ACK;
    size_t tl = tfa_build_tcp(buf + 40, &t);
    memset(buf + 40 + tl, 'b', JUMBO_DATA);

    assert_int_equal(TFA_DECODE_TCP, dec(buf, sizeof(buf), &seg, &diag));
    assert_int_equal(BIT(DECODE_JUMBO), seg.diags);
    assert_int_equal(JUMBO_DATA, seg.payload_len);
    assert_int_equal(JUMBO_DATA, seg.payload_caplen);
}

static void test_ipv6_payload_length_beyond_wire(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag diag;
    /* [2001:db8::1]:1234 > [2001:db8::2]:80 [P.] length 16, IPv6 payload
     * length 200 but 36 bytes on the wire */
    size_t n = finish6(buf, 6, 0);
    buf[4] = 0;
    buf[5] = 200;

    assert_int_equal(TFA_DECODE_TCP, dec(buf, n, &seg, &diag));
    assert_int_equal(BIT(DECODE_BAD_IP_LENGTH), seg.diags);
    assert_int_equal(16, seg.payload_len);
}

static void test_ipv6_ext_beyond_payload_length(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    /* IPv6 payload length 8, destination options (16 bytes), TCP, 16 bytes
     * data: the extension headers alone exceed the payload length */
    size_t e = tfa_build_ext6(buf + 40, 6, 1);
    size_t n = finish6(buf, 60, e);
    buf[4] = 0;
    buf[5] = 8;
    assert_skip(buf, (uint32_t)n, (uint32_t)n, TFA_DIAG_DECODE_BAD_IP_LENGTH);
}

static void test_ipv6_header_cut(void **state)
{
    (void)state;
    uint8_t buf[TFA_BUILD_MAX];
    /* IPv6 SYN, only 39 bytes */
    TfaBuildIp6 ip = tfa_build_ip6_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    tfa_build_tcp6(buf, &ip, &t);
    assert_skip(buf, 39, 39, TFA_DIAG_DECODE_BAD_IP_HEADER);
    assert_skip(buf, 39, 60, TFA_DIAG_DECODE_TRUNCATED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4_plain),
        cmocka_unit_test(test_ipv4_df_clear),
        cmocka_unit_test(test_ipv4_options_ihl_6_to_15),
        cmocka_unit_test(test_ipv4_ihl_below_5),
        cmocka_unit_test(test_ipv4_ihl_beyond_captured),
        cmocka_unit_test(test_ipv4_shorter_than_20),
        cmocka_unit_test(test_ipv4_total_length_below_ihl),
        cmocka_unit_test(test_ipv4_total_length_beyond_wire),
        cmocka_unit_test(test_ipv4_ethernet_padding),
        cmocka_unit_test(test_ipv4_total_length_zero_gso),
        cmocka_unit_test(test_ipv4_not_tcp),
        cmocka_unit_test(test_ipv4_first_fragment),
        cmocka_unit_test(test_ipv4_first_fragment_tcp_header_incomplete),
        cmocka_unit_test(test_ipv4_later_fragment),
        cmocka_unit_test(test_version_not_4_or_6),
        cmocka_unit_test(test_ethertype_ipv4_version_5),
        cmocka_unit_test(test_ipv6_plain),
        cmocka_unit_test(test_ipv6_ext_chain),
        cmocka_unit_test(test_ipv6_fragment_offset_0),
        cmocka_unit_test(test_ipv6_fragment_offset_nonzero),
        cmocka_unit_test(test_ipv6_ah),
        cmocka_unit_test(test_ipv6_not_tcp),
        cmocka_unit_test(test_ipv6_ext_chain_cut),
        cmocka_unit_test(test_ipv6_sixteen_ext_headers_decode),
        cmocka_unit_test(test_ipv6_seventeen_ext_headers),
        cmocka_unit_test(test_ipv6_jumbogram),
        cmocka_unit_test(test_ipv6_jumbo_beyond_wire),
        cmocka_unit_test(test_ipv6_length_zero_big_tcp),
        cmocka_unit_test(test_ipv6_payload_length_beyond_wire),
        cmocka_unit_test(test_ipv6_ext_beyond_payload_length),
        cmocka_unit_test(test_ipv6_header_cut),
    };
    return cmocka_run_group_tests_name("decode/ip", tests, NULL, NULL);
}
