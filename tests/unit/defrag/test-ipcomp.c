/* test-ipcomp.c - RFC 3173 payloads inflated: IPv4 and IPv6 tunnel and
 * transport modes, the CPIs decoded and refused, corrupt, cut and
 * oversized streams.  The payloads are deflated here with zlib (raw
 * DEFLATE, RFC 2394). */
#include "tfa-test.h"

#include "decode/build.h"
#include "tcpflow-audit/ipcomp.h"

#ifdef HAVE_ZLIB
#include <zlib.h>

/* Raw-deflate @len bytes into @out (IPComp header first: @nh, CPI @cpi);
 * returns the IPComp payload's length. */
static uint32_t compress_into(uint8_t *out, size_t room, uint8_t nh, uint16_t cpi,
                              const uint8_t *in, size_t len)
{
    z_stream z = {0};
    assert_int_equal(Z_OK, deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY));
    out[0] = nh;
    out[1] = 0;
    tfa_build_be16(out + 2, cpi);
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    z.next_out = out + 4;
    z.avail_out = (uInt)(room - 4);
    assert_int_equal(Z_STREAM_END, deflate(&z, Z_FINISH));
    uint32_t n = (uint32_t)(room - 4 - z.avail_out);
    deflateEnd(&z);
    return 4 + n;
}

/* A TCP segment 10.0.0.1:1234 > 10.0.0.2:80 [P.] with @plen payload bytes. */
static size_t segment4(uint8_t *out, size_t plen)
{
    static uint8_t payload[70000];
    for (size_t i = 0; i < plen; i++)
        payload[i] = (uint8_t)"compressible text "[i % 18];
    TfaBuildTcp t = tfa_build_tcp_default();
    t.flags = TFA_TH_PSH | TFA_TH_ACK;
    t.payload = payload;
    t.payload_len = plen;
    size_t n = tfa_build_tcp(out, &t);
    TfaBuildIp4 ip = tfa_build_ip4_default();
    tfa_build_tcp_csum4(out, n, ip.src, ip.dst);
    return n;
}

/* Transport mode: IPv4 / IPComp (next header TCP) / deflated TCP. */
static void test_ipv4_transport(void **state)
{
    (void)state;
    uint8_t tcp[2048], pkt[4096];
    size_t tl = segment4(tcp, 1000);
    TfaBuildIp4 ip = tfa_build_ip4_default();
    ip.proto = 108;
    uint32_t cl = compress_into(pkt + 20, sizeof(pkt) - 20, 6, 2, tcp, tl);
    assert_true(cl < tl); /* it did compress */
    tfa_build_ipv4(pkt, &ip, cl);

    /* decode finds it and leaves it to the engine */
    TfaSegment seg;
    TfaDiag why;
    assert_int_equal(TFA_DECODE_SKIP, tfa_decode_ip(pkt, 20 + cl, 20 + cl, &seg, &why));
    assert_int_equal(TFA_DIAG_DECODE_NOT_TCP, why);
    assert_ptr_equal(pkt, seg.comp_ip);
    assert_ptr_equal(pkt + 20, seg.comp);
    assert_int_equal(cl, seg.comp_len);
    assert_int_equal(cl, seg.comp_caplen);

    TfaIpcomp *c = tfa_ipcomp_new();
    const uint8_t *dg;
    uint32_t len;
    assert_true(tfa_ipcomp_inflate(c, seg.comp_ip, seg.comp, seg.comp_len, &dg, &len));
    assert_int_equal(20 + tl, len);
    assert_int_equal(6, dg[9]);
    assert_int_equal(20 + tl, (dg[2] << 8) | dg[3]);
    assert_int_equal(TFA_DECODE_TCP, tfa_decode_ip(dg, len, len, &seg, &why));
    assert_int_equal(1000, seg.payload_len);
    assert_memory_equal(tcp + 20, seg.payload, 1000);
    assert_true(tfa_decode_tcp_checksum_ok(&seg));
    tfa_ipcomp_free(c);
}

/* Tunnel mode over IPv6 with a negotiated CPI, as the libpcap test traces:
 * IPv6 / IPComp (next header IPv6) / deflated IPv6 + TCP. */
static void test_ipv6_tunnel_negotiated_cpi(void **state)
{
    (void)state;
    uint8_t inner[2048], pkt[4096];
    TfaBuildIp6 ip6 = tfa_build_ip6_default();
    uint8_t tcp[2048];
    size_t tl = segment4(tcp, 300);
    tfa_build_tcp_csum6(tcp, tl, ip6.src, ip6.dst);
    size_t il = tfa_build_ipv6(inner, &ip6, tl);
    memcpy(inner + il, tcp, tl);
    il += tl;
    TfaBuildIp6 outer = tfa_build_ip6_default();
    outer.nh = 108;
    outer.src[15] = 9;
    uint32_t cl = compress_into(pkt + 40, sizeof(pkt) - 40, 41, 0xe3de, inner, il);
    tfa_build_ipv6(pkt, &outer, cl);

    TfaSegment seg;
    TfaDiag why;
    assert_int_equal(TFA_DECODE_SKIP, tfa_decode_ip(pkt, 40 + cl, 40 + cl, &seg, &why));
    TfaIpcomp *c = tfa_ipcomp_new();
    const uint8_t *dg;
    uint32_t len;
    assert_true(tfa_ipcomp_inflate(c, seg.comp_ip, seg.comp, seg.comp_len, &dg, &len));
    assert_int_equal(40 + il, len);
    assert_int_equal(TFA_DECODE_TCP, tfa_decode_ip(dg, len, len, &seg, &why));
    assert_int_equal(1, seg.src.bytes[15]); /* the inner source, 2001:db8::1 */
    assert_int_equal(300, seg.payload_len);
    assert_true(tfa_decode_tcp_checksum_ok(&seg));
    tfa_ipcomp_free(c);
}

static void test_refused(void **state)
{
    (void)state;
    uint8_t tcp[2048], pkt[4096];
    size_t tl = segment4(tcp, 500);
    TfaBuildIp4 ip = tfa_build_ip4_default();
    ip.proto = 108;
    TfaIpcomp *c = tfa_ipcomp_new();
    const uint8_t *dg;
    uint32_t len;
    /* LZS (3), OUI (1), LZJH (4): not decoded */
    for (uint16_t cpi = 1; cpi <= 4; cpi++) {
        uint32_t cl = compress_into(pkt + 20, sizeof(pkt) - 20, 6, cpi, tcp, tl);
        tfa_build_ipv4(pkt, &ip, cl);
        assert_int_equal(cpi == 2, tfa_ipcomp_inflate(c, pkt, pkt + 20, cl, &dg, &len));
    }
    /* corrupt: a block type 3 (reserved) at the start */
    uint32_t cl = compress_into(pkt + 20, sizeof(pkt) - 20, 6, 2, tcp, tl);
    pkt[24] = 0x07;
    assert_false(tfa_ipcomp_inflate(c, pkt, pkt + 20, cl, &dg, &len));
    /* cut: the stream does not end */
    cl = compress_into(pkt + 20, sizeof(pkt) - 20, 6, 2, tcp, tl);
    assert_false(tfa_ipcomp_inflate(c, pkt, pkt + 20, cl - 4, &dg, &len));
    assert_false(tfa_ipcomp_inflate(c, pkt, pkt + 20, 4, &dg, &len)); /* header only */
    /* the same stream whole still inflates: the cut one left nothing behind */
    assert_true(tfa_ipcomp_inflate(c, pkt, pkt + 20, cl, &dg, &len));
    assert_int_equal(20 + tl, len);
    tfa_ipcomp_free(c);
}

/* A stream that inflates beyond 65535 bytes of datagram (a decompression
 * bomb) is refused; the largest that fits is not. */
static void test_too_big(void **state)
{
    (void)state;
    static uint8_t big[70000], pkt[8192];
    memset(big, 'a', sizeof(big));
    TfaIpcomp *c = tfa_ipcomp_new();
    const uint8_t *dg;
    uint32_t len;
    TfaBuildIp4 ip = tfa_build_ip4_default();
    ip.proto = 108;
    uint32_t cl = compress_into(pkt + 20, sizeof(pkt) - 20, 6, 2, big, 65535 - 20 + 1);
    tfa_build_ipv4(pkt, &ip, cl);
    assert_false(tfa_ipcomp_inflate(c, pkt, pkt + 20, cl, &dg, &len));
    cl = compress_into(pkt + 20, sizeof(pkt) - 20, 6, 2, big, 65535 - 20);
    assert_true(tfa_ipcomp_inflate(c, pkt, pkt + 20, cl, &dg, &len));
    assert_int_equal(65535, len);
    tfa_ipcomp_free(c);
}
#endif

int main(void)
{
#ifdef HAVE_ZLIB
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4_transport),
        cmocka_unit_test(test_ipv6_tunnel_negotiated_cpi),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_too_big),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
#else
    printf("1..0 # SKIP built without zlib\n");
    return 0;
#endif
}
