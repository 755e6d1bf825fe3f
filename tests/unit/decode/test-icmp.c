/* test-icmp.c - ICMP errors quoting a TCP segment (src/decode/icmp.c):
 * the quoted 4-tuple and sequence number, the reporter, the MTU, and every
 * ICMP message that is not such an error left as DECODE_NOT_TCP; Linux's
 * errno table. */
#include "tfa-test.h"

#include "build.h"

#include "tcpflow-audit/icmp.h"

/* An ICMPv4 error from 192.0.2.1 to 10.0.0.1 quoting the TCP segment
 * 10.0.0.1:1234 > 10.0.0.2:80 seq 1000, cut after @tcp_bytes of TCP. */
static size_t icmp4(uint8_t *buf, uint8_t type, uint8_t code, uint16_t mtu, size_t tcp_bytes,
                    uint16_t quoted_frag, uint8_t quoted_proto)
{
    uint8_t q[128];
    TfaBuildIp4 qip = tfa_build_ip4_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    qip.frag = quoted_frag;
    qip.proto = quoted_proto;
    size_t ql = tfa_build_tcp4(q, &qip, &t);
    ql = 20 + tcp_bytes < ql ? 20 + tcp_bytes : ql;

    TfaBuildIp4 ip = tfa_build_ip4_default();
    memcpy(ip.src, (uint8_t[]){192, 0, 2, 1}, 4);
    memcpy(ip.dst, (uint8_t[]){10, 0, 0, 1}, 4);
    ip.proto = 1;
    size_t n = tfa_build_ipv4(buf, &ip, 8 + ql);
    uint8_t *m = buf + n;
    m[0] = type;
    m[1] = code;
    tfa_build_be16(m + 2, 0);
    tfa_build_be16(m + 4, 0);
    tfa_build_be16(m + 6, mtu);
    memcpy(m + 8, q, ql);
    return n + 8 + ql;
}

static TfaDecodeStatus decode(const uint8_t *b, size_t n, TfaSegment *seg, TfaDiag *why)
{
    return tfa_decode_ip(b, (uint32_t)n, (uint32_t)n, seg, why);
}

static void test_port_unreachable(void **state)
{
    (void)state;
    uint8_t b[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag why;
    size_t n = icmp4(b, 3, 3, 0, 20, 0x4000, 6);
    assert_int_equal(decode(b, n, &seg, &why), TFA_DECODE_ICMP_ERROR);
    assert_int_equal(seg.icmp.version, 4);
    assert_int_equal(seg.icmp.type, 3);
    assert_int_equal(seg.icmp.code, 3);
    assert_int_equal(seg.icmp.mtu, 0);
    TfaAddr router = tfa_test_ip4(192, 0, 2, 1), c = tfa_test_ip4(10, 0, 0, 1),
            s = tfa_test_ip4(10, 0, 0, 2);
    assert_int_equal(tfa_addr_cmp(&seg.icmp.reporter, &router), 0);
    /* the quoted segment, as its sender sent it */
    assert_int_equal(tfa_addr_cmp(&seg.src, &c), 0);
    assert_int_equal(tfa_addr_cmp(&seg.dst, &s), 0);
    assert_int_equal(seg.sport, 1234);
    assert_int_equal(seg.dport, 80);
    assert_int_equal(seg.seq, 1000);
    assert_int_equal(seg.flags, 0);
    assert_int_equal(seg.payload_len, 0);
}

static void test_only_eight_bytes_quoted(void **state)
{
    (void)state;
    uint8_t b[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag why;
    /* RFC 792: the IP header and 64 bits of the datagram are enough */
    size_t n = icmp4(b, 11, 0, 0, 8, 0x4000, 6);
    assert_int_equal(decode(b, n, &seg, &why), TFA_DECODE_ICMP_ERROR);
    assert_int_equal(seg.seq, 1000);
    /* seven bytes: no sequence number, not tied to anything */
    n = icmp4(b, 11, 0, 0, 7, 0x4000, 6);
    assert_int_equal(decode(b, n, &seg, &why), TFA_DECODE_SKIP);
    assert_int_equal(why, TFA_DIAG_DECODE_NOT_TCP);
}

static void test_frag_needed_mtu(void **state)
{
    (void)state;
    uint8_t b[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag why;
    size_t n = icmp4(b, 3, 4, 1400, 20, 0x4000, 6);
    assert_int_equal(decode(b, n, &seg, &why), TFA_DECODE_ICMP_ERROR);
    assert_int_equal(seg.icmp.mtu, 1400);
    assert_true(tfa_icmp_is_pmtu(4, 3, 4));
    bool hard = true;
    assert_null(tfa_icmp_errno(4, 3, 4, &hard));
}

static void test_not_errors(void **state)
{
    (void)state;
    uint8_t b[TFA_BUILD_MAX];
    TfaSegment seg;
    TfaDiag why;
    /* echo request, redirect: no error about a segment */
    size_t n = icmp4(b, 8, 0, 0, 20, 0x4000, 6);
    assert_int_equal(decode(b, n, &seg, &why), TFA_DECODE_SKIP);
    assert_int_equal(why, TFA_DIAG_DECODE_NOT_TCP);
    n = icmp4(b, 5, 1, 0, 20, 0x4000, 6);
    assert_int_equal(decode(b, n, &seg, &why), TFA_DECODE_SKIP);
    /* an error about UDP */
    n = icmp4(b, 3, 3, 0, 20, 0x4000, 17);
    assert_int_equal(decode(b, n, &seg, &why), TFA_DECODE_SKIP);
    assert_int_equal(why, TFA_DIAG_DECODE_NOT_TCP);
    /* about a later fragment: it holds no TCP header */
    n = icmp4(b, 3, 1, 0, 20, 0x0010, 6);
    assert_int_equal(decode(b, n, &seg, &why), TFA_DECODE_SKIP);
    /* the outer addresses stay when nothing is tied */
    TfaAddr router = tfa_test_ip4(192, 0, 2, 1);
    assert_int_equal(tfa_addr_cmp(&seg.src, &router), 0);
    /* an ICMP header cut short */
    n = icmp4(b, 3, 1, 0, 20, 0x4000, 6);
    assert_int_equal(decode(b, 20 + 6, &seg, &why), TFA_DECODE_SKIP);
}

/* ICMPv6 packet too big from 2001:db8::ff quoting 2001:db8::1:1234 >
 * [2001:db8::2]:80 behind a destination-options header. */
static void test_icmpv6_packet_too_big(void **state)
{
    (void)state;
    uint8_t b[TFA_BUILD_MAX], q[256];
    TfaBuildIp6 qip = tfa_build_ip6_default();
    TfaBuildTcp t = tfa_build_tcp_default();
    t.seq = 77777;
    qip.nh = 60;
    size_t ql = 40 + tfa_build_ext6(q + 40, 6, 0);
    ql += tfa_build_tcp(q + ql, &t);
    tfa_build_ipv6(q, &qip, ql - 40);

    TfaBuildIp6 ip = tfa_build_ip6_default();
    ip.src[15] = 0xff;
    memcpy(ip.dst, qip.src, 16);
    ip.nh = 58;
    size_t n = tfa_build_ipv6(b, &ip, 8 + ql);
    b[n] = 2;
    b[n + 1] = 0;
    tfa_build_be16(b + n + 2, 0);
    tfa_build_be32(b + n + 4, 1280);
    memcpy(b + n + 8, q, ql);
    n += 8 + ql;

    TfaSegment seg;
    TfaDiag why;
    assert_int_equal(decode(b, n, &seg, &why), TFA_DECODE_ICMP_ERROR);
    assert_int_equal(seg.icmp.version, 6);
    assert_int_equal(seg.icmp.type, 2);
    assert_int_equal(seg.icmp.mtu, 1280);
    assert_int_equal(seg.src.family, 6);
    assert_memory_equal(seg.src.bytes, qip.src, 16);
    assert_memory_equal(seg.dst.bytes, qip.dst, 16);
    assert_int_equal(seg.seq, 77777);
    assert_int_equal(seg.icmp.reporter.bytes[15], 0xff);

    /* ICMPv4's protocol number inside IPv6 is not ICMPv6 */
    b[6] = 1;
    assert_int_equal(decode(b, n, &seg, &why), TFA_DECODE_SKIP);
}

/* Every cut of a valid error: tied only when the quote reaches the
 * sequence number, never a read past the captured bytes. */
static void test_every_cut(void **state)
{
    (void)state;
    uint8_t b[TFA_BUILD_MAX];
    size_t n = icmp4(b, 3, 1, 0, 20, 0x4000, 6);
    for (size_t len = 0; len <= n; len++) {
        uint8_t *copy = g_memdup2(b, len > 0 ? len : 1);
        TfaSegment seg;
        TfaDiag why;
        TfaDecodeStatus st = tfa_decode_ip(copy, (uint32_t)len, (uint32_t)n, &seg, &why);
        /* outer IPv4 20 + ICMP 8 + quoted IPv4 20 + 8 bytes of TCP */
        assert_int_equal(st == TFA_DECODE_ICMP_ERROR, len >= 20 + 8 + 20 + 8);
        g_free(copy);
    }
}

static void test_errno_table(void **state)
{
    (void)state;
    bool hard;
    assert_string_equal(tfa_icmp_errno(4, 3, 0, &hard), "ENETUNREACH");
    assert_false(hard);
    assert_string_equal(tfa_icmp_errno(4, 3, 1, &hard), "EHOSTUNREACH");
    assert_false(hard);
    assert_string_equal(tfa_icmp_errno(4, 3, 3, &hard), "ECONNREFUSED");
    assert_true(hard);
    assert_string_equal(tfa_icmp_errno(4, 3, 13, &hard), "EHOSTUNREACH");
    assert_true(hard);
    assert_null(tfa_icmp_errno(4, 3, 16, &hard)); /* beyond the table: ignored */
    assert_string_equal(tfa_icmp_errno(4, 11, 0, &hard), "EHOSTUNREACH");
    assert_false(hard);
    assert_string_equal(tfa_icmp_errno(4, 12, 0, &hard), "EPROTO");
    assert_string_equal(tfa_icmp_errno(6, 1, 4, &hard), "ECONNREFUSED");
    assert_true(hard);
    assert_string_equal(tfa_icmp_errno(6, 1, 1, &hard), "EACCES");
    assert_string_equal(tfa_icmp_errno(6, 1, 3, &hard), "EHOSTUNREACH");
    assert_false(hard);
    assert_string_equal(tfa_icmp_errno(6, 3, 0, &hard), "EHOSTUNREACH");
    assert_null(tfa_icmp_errno(6, 2, 0, &hard));
    assert_true(tfa_icmp_is_pmtu(6, 2, 0));
    assert_false(tfa_icmp_is_error(4, 8));
    assert_true(tfa_icmp_is_error(6, 4));
    assert_string_equal(tfa_icmp_describe(4, 3, 3), "port unreachable");
    assert_string_equal(tfa_icmp_describe(6, 3, 0), "hop limit exceeded in transit");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_port_unreachable),
        cmocka_unit_test(test_only_eight_bytes_quoted),
        cmocka_unit_test(test_frag_needed_mtu),
        cmocka_unit_test(test_not_errors),
        cmocka_unit_test(test_icmpv6_packet_too_big),
        cmocka_unit_test(test_every_cut),
        cmocka_unit_test(test_errno_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
