/* test-defrag.c - IP fragment reassembly: fragments in and out of order,
 * duplicates, overlaps with the same and other bytes, the IPv6 fragment
 * header, timeouts, the pool cap, tiny first fragments, datagrams beyond
 * 65535 bytes, identification reuse.  Fragments are built by hand from a TCP
 * segment (decode/build.h); completed datagrams are decoded again to check
 * they are the segment that was cut. */
#include "tfa-test.h"

#include "decode/build.h"
#include "tcpflow-audit/defrag.h"

#define SEC TFA_NSEC_PER_SEC

typedef struct Fix {
    TfaStats stats;
    TfaDefrag *d;
    uint8_t l4[4096];   /* the TCP segment that is cut into fragments */
    size_t l4_len;
    uint8_t pkt[8][4200]; /* fragments built so far (their bytes outlive the call) */
    unsigned n_pkt;
} Fix;

static int setup(void **state)
{
    Fix *f = g_new0(Fix, 1);
    f->d = tfa_defrag_new(1024 * 1024, 30 * SEC, &f->stats);
    /* 10.0.0.1:1234 > 10.0.0.2:80 [P.] seq 1000 with 1000 payload bytes */
    uint8_t payload[1000];
    for (size_t i = 0; i < sizeof(payload); i++)
        payload[i] = (uint8_t)(i * 7 + 3);
    TfaBuildTcp t = tfa_build_tcp_default();
    t.flags = TFA_TH_PSH | TFA_TH_ACK;
    t.ack = 5000;
    t.payload = payload;
    t.payload_len = sizeof(payload);
    f->l4_len = tfa_build_tcp(f->l4, &t);
    TfaBuildIp4 ip = tfa_build_ip4_default();
    tfa_build_tcp_csum4(f->l4, f->l4_len, ip.src, ip.dst);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fix *f = *state;
    tfa_defrag_free(f->d);
    g_free(f);
    return 0;
}

/* An IPv4 fragment of f->l4 (or of @data when not NULL): bytes [off, off+len)
 * with MF @more and identification @id, as frame @frame at @ts. */
static TfaFragment frag4_raw(Fix *f, const uint8_t *bytes, uint16_t id, uint32_t off,
                             uint32_t len, bool more, TfaFrameNo frame, TfaTs ts)
{
    uint8_t *p = f->pkt[f->n_pkt++ % G_N_ELEMENTS(f->pkt)];
    TfaBuildIp4 ip = tfa_build_ip4_default();
    ip.id = id;
    ip.frag = (uint16_t)((more ? 0x2000u : 0) | (off / 8));
    size_t hl = tfa_build_ipv4(p, &ip, len);
    memcpy(p + hl, bytes, len);
    TfaFragment fr = {
        .ip = p,
        .len = (uint32_t)(hl + len),
        .caplen = (uint32_t)(hl + len),
        .frame_no = frame,
        .ts = ts,
    };
    return fr;
}

static TfaFragment frag4_of(Fix *f, const uint8_t *data, uint16_t id, uint32_t off, uint32_t len,
                            bool more, TfaFrameNo frame, TfaTs ts)
{
    return frag4_raw(f, (data != NULL ? data : f->l4) + off, id, off, len, more, frame, ts);
}

static TfaFragment frag4(Fix *f, uint32_t off, uint32_t len, bool more, TfaFrameNo frame)
{
    return frag4_of(f, NULL, 0x4242, off, len, more, frame, (TfaTs)frame * 1000);
}

/* Decode a completed datagram and check it is f->l4 again. */
static void assert_is_segment(Fix *f, const TfaDefragOut *out)
{
    TfaSegment seg;
    TfaDiag why;
    assert_int_equal(TFA_DECODE_TCP, tfa_decode_ip(out->datagram, out->len, out->len, &seg, &why));
    assert_int_equal(0, seg.diags);
    assert_null(seg.frag_ip);
    assert_int_equal(TFA_TH_PSH | TFA_TH_ACK, seg.flags);
    assert_int_equal(1000, seg.seq);
    assert_int_equal(1000, seg.payload_len);
    assert_int_equal(1000, seg.payload_caplen);
    assert_memory_equal(f->l4 + 20, seg.payload, 1000);
    assert_true(tfa_decode_tcp_checksum_ok(&seg));
}

static void test_in_order(void **state)
{
    Fix *f = *state;
    TfaDefragOut out;
    TfaFragment a = frag4(f, 0, 480, true, 3);
    TfaFragment b = frag4(f, 480, 480, true, 4);
    TfaFragment c = frag4(f, 960, (uint32_t)f->l4_len - 960, false, 6);
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &a, &out));
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &b, &out));
    assert_int_equal(1, tfa_defrag_pending(f->d));
    assert_true(tfa_defrag_bytes_held(f->d) >= 960);
    assert_int_equal(TFA_DEFRAG_DONE, tfa_defrag_fragment(f->d, &c, &out));
    assert_int_equal(20 + f->l4_len, out.len);
    assert_int_equal(3, out.first_frame);
    assert_int_equal(6, out.last_frame);
    assert_int_equal(3, out.fragments);
    assert_false(out.overlap_differs);
    /* the header: total length set, MF and offset cleared, checksum right */
    assert_int_equal(20 + f->l4_len, (out.datagram[2] << 8) | out.datagram[3]);
    assert_int_equal(0, out.datagram[6] & 0x3f);
    assert_int_equal(0, out.datagram[7]);
    assert_int_equal(0, tfa_build_fold(tfa_build_sum(out.datagram, 20, 0)));
    assert_is_segment(f, &out);
    assert_int_equal(0, tfa_defrag_pending(f->d));
    assert_int_equal(0, tfa_defrag_bytes_held(f->d));
    assert_int_equal(1, f->stats.diag[TFA_DIAG_DEFRAG_REASSEMBLED]);
}

static void test_out_of_order(void **state)
{
    Fix *f = *state;
    TfaDefragOut out;
    TfaFragment c = frag4(f, 960, (uint32_t)f->l4_len - 960, false, 2);
    TfaFragment a = frag4(f, 0, 480, true, 5);
    TfaFragment b = frag4(f, 480, 480, true, 9);
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &c, &out));
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &a, &out));
    assert_int_equal(TFA_DEFRAG_DONE, tfa_defrag_fragment(f->d, &b, &out));
    assert_int_equal(2, out.first_frame);
    assert_int_equal(9, out.last_frame);
    assert_is_segment(f, &out);
}

static void test_duplicate_same_bytes(void **state)
{
    Fix *f = *state;
    TfaDefragOut out;
    TfaFragment a = frag4(f, 0, 512, true, 1);
    TfaFragment b = frag4(f, 512, (uint32_t)f->l4_len - 512, false, 3);
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &a, &out));
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &a, &out));
    /* a part of a fragment already held, at an 8-byte boundary inside it */
    TfaFragment part = frag4(f, 8, 64, true, 2);
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &part, &out));
    assert_int_equal(TFA_DEFRAG_DONE, tfa_defrag_fragment(f->d, &b, &out));
    assert_int_equal(2, out.fragments);
    assert_false(out.overlap_differs);
    assert_is_segment(f, &out);
    assert_int_equal(0, f->stats.diag[TFA_DIAG_DEFRAG_OVERLAP_DIFFERS]);
    assert_int_equal(0, f->stats.diag[TFA_DIAG_DEFRAG_OVERLAP_DROPPED]);
}

/* A duplicate with other bytes: the first copy stays (Linux), and it is
 * counted: a receiver that keeps the last copy would see other data. */
static void test_duplicate_other_bytes(void **state)
{
    Fix *f = *state;
    TfaDefragOut out;
    uint8_t evil[4096];
    memcpy(evil, f->l4, f->l4_len);
    evil[100] ^= 0xff;
    TfaFragment a = frag4(f, 0, 512, true, 1);
    TfaFragment a2 = frag4_of(f, evil, 0x4242, 0, 512, true, 2, 2000);
    TfaFragment b = frag4(f, 512, (uint32_t)f->l4_len - 512, false, 3);
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &a, &out));
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &a2, &out));
    assert_int_equal(1, f->stats.diag[TFA_DIAG_DEFRAG_OVERLAP_DIFFERS]);
    assert_int_equal(TFA_DEFRAG_DONE, tfa_defrag_fragment(f->d, &b, &out));
    assert_true(out.overlap_differs);
    assert_is_segment(f, &out); /* the first copy's bytes */
    assert_int_equal(0, f->stats.diag[TFA_DIAG_DEFRAG_OVERLAP_DROPPED]);
}

/* A fragment across the edge of bytes held: the datagram is dropped (RFC
 * 5722; Linux for IPv4 too); counted as differing only when bytes differ. */
static void test_partial_overlap(void **state)
{
    Fix *f = *state;
    TfaDefragOut out;
    TfaFragment a = frag4(f, 0, 512, true, 1);
    TfaFragment across = frag4(f, 496, 64, true, 2);
    TfaFragment b = frag4(f, 512, (uint32_t)f->l4_len - 512, false, 3);
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &a, &out));
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &across, &out));
    assert_int_equal(1, f->stats.diag[TFA_DIAG_DEFRAG_OVERLAP_DROPPED]);
    assert_int_equal(0, f->stats.diag[TFA_DIAG_DEFRAG_OVERLAP_DIFFERS]);
    assert_int_equal(0, tfa_defrag_pending(f->d));
    /* the rest starts a datagram of its own, which never completes */
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &b, &out));
    assert_int_equal(1, tfa_defrag_pending(f->d));

    /* the RFC 1858 overwrite: offset 8 rewriting the TCP flags */
    uint8_t evil[4096];
    memcpy(evil, f->l4, f->l4_len);
    evil[13] = TFA_TH_SYN;
    TfaFragment a1 = frag4_of(f, NULL, 7, 0, 16, true, 4, 4000);
    TfaFragment over = frag4_of(f, evil, 7, 8, 64, true, 5, 5000);
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &a1, &out));
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &over, &out));
    assert_int_equal(2, f->stats.diag[TFA_DIAG_DEFRAG_OVERLAP_DROPPED]);
    assert_int_equal(1, f->stats.diag[TFA_DIAG_DEFRAG_OVERLAP_DIFFERS]);
    assert_int_equal(0, f->stats.diag[TFA_DIAG_DEFRAG_REASSEMBLED]);
}

/* IPv6 with a hop-by-hop header before the fragment header: the datagram
 * keeps it and names TCP after it (RFC 8200 §4.5). */
static void test_ipv6_fragment_header(void **state)
{
    Fix *f = *state;
    TfaDefragOut out;
    TfaBuildIp6 ip6 = tfa_build_ip6_default();
    uint8_t l4[4096];
    memcpy(l4, f->l4, f->l4_len);
    tfa_build_tcp_csum6(l4, f->l4_len, ip6.src, ip6.dst);
    uint8_t p[2][2048];
    TfaFragment fr[2];
    uint32_t cut = 504;
    for (int k = 0; k < 2; k++) {
        uint32_t off = k == 0 ? 0 : cut;
        uint32_t len = k == 0 ? cut : (uint32_t)f->l4_len - cut;
        ip6.nh = 0; /* hop-by-hop */
        size_t n = tfa_build_ipv6(p[k], &ip6, 8 + 8 + len);
        n += tfa_build_ext6(p[k] + n, 44, 0);
        uint32_t fh = (uint32_t)n;
        n += tfa_build_frag6(p[k] + n, 6, (uint16_t)(off / 8), k == 0);
        memcpy(p[k] + n, l4 + off, len);
        n += len;
        fr[k] = (TfaFragment){.ip = p[k], .len = (uint32_t)n, .caplen = (uint32_t)n,
                              .frag_hdr = (uint16_t)fh, .frame_no = 10 + (TfaFrameNo)k};
    }
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &fr[1], &out));
    assert_int_equal(TFA_DEFRAG_DONE, tfa_defrag_fragment(f->d, &fr[0], &out));
    assert_int_equal(40 + 8 + f->l4_len, out.len);
    assert_int_equal(8 + f->l4_len, (out.datagram[4] << 8) | out.datagram[5]);
    assert_int_equal(0, out.datagram[6]);  /* hop-by-hop still first */
    assert_int_equal(6, out.datagram[40]); /* and it now names TCP */
    TfaSegment seg;
    TfaDiag why;
    assert_int_equal(TFA_DECODE_TCP, tfa_decode_ip(out.datagram, out.len, out.len, &seg, &why));
    assert_int_equal(6, seg.ip_version);
    assert_int_equal(0, seg.diags);
    assert_int_equal(1000, seg.payload_len);
    assert_memory_equal(l4 + 20, seg.payload, 1000);
    assert_true(tfa_decode_tcp_checksum_ok(&seg));
}

/* The same identification from another source, or on another VLAN, is
 * another datagram. */
static void test_key(void **state)
{
    Fix *f = *state;
    TfaDefragOut out;
    TfaFragment a = frag4(f, 0, 512, true, 1);
    TfaFragment b = frag4(f, 512, (uint32_t)f->l4_len - 512, false, 2);
    b.vlan[0] = 100;
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &a, &out));
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &b, &out));
    assert_int_equal(2, tfa_defrag_pending(f->d));
    b.vlan[0] = 0;
    ((uint8_t *)b.ip)[15] = 9; /* 10.0.0.9: checksum not checked */
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &b, &out));
    assert_int_equal(3, tfa_defrag_pending(f->d));
    ((uint8_t *)b.ip)[15] = 1;
    assert_int_equal(TFA_DEFRAG_DONE, tfa_defrag_fragment(f->d, &b, &out));
    assert_is_segment(f, &out);
}

static void test_timeout(void **state)
{
    Fix *f = *state;
    TfaDefragOut out;
    TfaFragment a = frag4_of(f, NULL, 1, 0, 512, true, 1, 100 * SEC);
    TfaFragment b = frag4_of(f, NULL, 1, 512, (uint32_t)f->l4_len - 512, false, 2, 131 * SEC);
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &a, &out));
    tfa_defrag_expire(f->d, 130 * SEC); /* 30 s: not yet */
    assert_int_equal(1, tfa_defrag_pending(f->d));
    tfa_defrag_expire(f->d, 131 * SEC);
    assert_int_equal(0, tfa_defrag_pending(f->d));
    assert_int_equal(0, tfa_defrag_bytes_held(f->d));
    assert_int_equal(1, f->stats.diag[TFA_DIAG_DEFRAG_INCOMPLETE]);
    /* the late fragment alone completes nothing */
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &b, &out));
    tfa_defrag_finish(f->d);
    assert_int_equal(2, f->stats.diag[TFA_DIAG_DEFRAG_INCOMPLETE]);
    assert_int_equal(0, f->stats.diag[TFA_DIAG_DEFRAG_REASSEMBLED]);
}

/* A pool of two 2 KiB chunks: a third datagram is not held, nor a fragment
 * needing a chunk that is not free; freed chunks are used again. */
static void test_cap(void **state)
{
    Fix *f = *state;
    TfaDefragOut out;
    TfaStats st = {0};
    TfaDefrag *d = tfa_defrag_new(2 * TFA_DEFRAG_CHUNK + 100, 30 * SEC, &st);
    TfaFragment x = frag4_of(f, NULL, 1, 0, 512, true, 1, 0);
    TfaFragment y = frag4_of(f, NULL, 2, 0, 512, true, 2, 0);
    TfaFragment z = frag4_of(f, NULL, 3, 0, 512, true, 3, 0);
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(d, &x, &out));
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(d, &y, &out));
    assert_int_equal(TFA_DEFRAG_NOT_HELD, tfa_defrag_fragment(d, &z, &out));
    assert_int_equal(1, st.diag[TFA_DIAG_DEFRAG_CAP_HIT]);
    assert_int_equal(2 * TFA_DEFRAG_CHUNK, tfa_defrag_bytes_held(d));
    /* id 1's data beyond the first chunk needs a third */
    TfaFragment far = frag4_of(f, NULL, 1, 2048, 512, true, 4, 0);
    assert_int_equal(TFA_DEFRAG_NOT_HELD, tfa_defrag_fragment(d, &far, &out));
    assert_int_equal(2, st.diag[TFA_DIAG_DEFRAG_CAP_HIT]);
    /* completing id 1 frees its chunk for id 3 */
    TfaFragment x2 = frag4_of(f, NULL, 1, 512, (uint32_t)f->l4_len - 512, false, 5, 0);
    assert_int_equal(TFA_DEFRAG_DONE, tfa_defrag_fragment(d, &x2, &out));
    assert_is_segment(f, &out);
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(d, &z, &out));
    assert_int_equal(2, tfa_defrag_pending(d));
    tfa_defrag_free(d);
    assert_null(tfa_defrag_new(TFA_DEFRAG_CHUNK - 1, 30 * SEC, &st)); /* 0: no reassembly */
}

/* More holes than a datagram may have: the fragment is not held. */
static void test_too_many_holes(void **state)
{
    Fix *f = *state;
    TfaDefragOut out;
    uint8_t data[TFA_DEFRAG_MAX_RUNS * 32 + 64] = {0};
    for (uint32_t k = 0; k < TFA_DEFRAG_MAX_RUNS; k++) {
        TfaFragment h = frag4_of(f, data, 9, k * 32, 16, true, k + 1, 0);
        assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &h, &out));
    }
    TfaFragment h = frag4_of(f, data, 9, TFA_DEFRAG_MAX_RUNS * 32, 16, true, 99, 0);
    assert_int_equal(TFA_DEFRAG_NOT_HELD, tfa_defrag_fragment(f->d, &h, &out));
    assert_int_equal(1, f->stats.diag[TFA_DIAG_DEFRAG_CAP_HIT]);
    /* one that fills a hole merges two runs and is held */
    TfaFragment fill = frag4_of(f, data, 9, 16, 16, true, 100, 0);
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &fill, &out));
    assert_int_equal(1, f->stats.diag[TFA_DIAG_DEFRAG_CAP_HIT]);
}

/* RFC 1858's tiny first fragment (8 bytes: no flags, no data offset): the
 * receiver reassembles it, so do we. */
static void test_tiny_first_fragment(void **state)
{
    Fix *f = *state;
    TfaDefragOut out;
    TfaFragment a = frag4(f, 0, 8, true, 1);
    TfaFragment b = frag4(f, 8, (uint32_t)f->l4_len - 8, false, 2);
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &a, &out));
    assert_int_equal(TFA_DEFRAG_DONE, tfa_defrag_fragment(f->d, &b, &out));
    assert_is_segment(f, &out);
}

static void test_bad_fragments(void **state)
{
    Fix *f = *state;
    TfaDefragOut out;
    uint8_t data[128] = {0};
    /* ending beyond 65535 bytes of datagram (the ping of death) */
    TfaFragment big = frag4_raw(f, data, 5, 65512, 32, false, 1, 0);
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &big, &out));
    assert_int_equal(1, f->stats.diag[TFA_DIAG_DEFRAG_BAD_FRAGMENT]);
    assert_int_equal(0, tfa_defrag_pending(f->d));
    /* the largest that fits is fine: 20 + 65512 + 3 = 65535 */
    TfaFragment edge = frag4_raw(f, data, 5, 65512, 3, false, 2, 0);
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &edge, &out));
    assert_int_equal(1, f->stats.diag[TFA_DIAG_DEFRAG_BAD_FRAGMENT]);
    assert_int_equal(1, tfa_defrag_pending(f->d));
    /* MF with a length not a multiple of 8 */
    TfaFragment odd = frag4_of(f, data, 6, 0, 13, true, 3, 0);
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &odd, &out));
    assert_int_equal(2, f->stats.diag[TFA_DIAG_DEFRAG_BAD_FRAGMENT]);
    /* empty */
    TfaFragment empty = frag4_of(f, data, 6, 8, 0, true, 4, 0);
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &empty, &out));
    assert_int_equal(3, f->stats.diag[TFA_DIAG_DEFRAG_BAD_FRAGMENT]);
    /* a second last fragment with another end drops the datagram */
    TfaFragment end1 = frag4_of(f, data, 7, 64, 16, false, 5, 0);
    TfaFragment end2 = frag4_of(f, data, 7, 64, 24, false, 6, 0);
    uint32_t before = tfa_defrag_pending(f->d);
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &end1, &out));
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &end2, &out));
    assert_int_equal(4, f->stats.diag[TFA_DIAG_DEFRAG_BAD_FRAGMENT]);
    assert_int_equal(before, tfa_defrag_pending(f->d));
    /* and so does data beyond the end */
    TfaFragment e3 = frag4_of(f, data, 8, 64, 16, false, 7, 0);
    TfaFragment beyond = frag4_of(f, data, 8, 80, 16, true, 8, 0);
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &e3, &out));
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &beyond, &out));
    assert_int_equal(5, f->stats.diag[TFA_DIAG_DEFRAG_BAD_FRAGMENT]);
    assert_int_equal(before, tfa_defrag_pending(f->d));
    /* a fragment cut by the snaplen is not taken at all */
    TfaFragment cut = frag4(f, 0, 512, true, 9);
    cut.caplen = 100;
    assert_int_equal(TFA_DEFRAG_NOT_HELD, tfa_defrag_fragment(f->d, &cut, &out));
    assert_int_equal(0, f->stats.diag[TFA_DIAG_DEFRAG_REASSEMBLED]);
    assert_int_equal(0, f->stats.diag[TFA_DIAG_DEFRAG_CAP_HIT]);
}

/* After a datagram completes, its identification may come again (16 bits
 * wrap): that is a new datagram, not an overlap with the old one. */
static void test_id_wrap(void **state)
{
    Fix *f = *state;
    TfaDefragOut out;
    TfaFragment a = frag4(f, 0, 512, true, 1);
    TfaFragment b = frag4(f, 512, (uint32_t)f->l4_len - 512, false, 2);
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &a, &out));
    assert_int_equal(TFA_DEFRAG_DONE, tfa_defrag_fragment(f->d, &b, &out));
    uint8_t other[4096];
    memcpy(other, f->l4, f->l4_len);
    other[100] ^= 0x55;
    TfaFragment a2 = frag4_of(f, other, 0x4242, 0, 512, true, 70001, 70001);
    TfaFragment b2 = frag4_of(f, other, 0x4242, 512, (uint32_t)f->l4_len - 512, false, 70002,
                              70002);
    assert_int_equal(TFA_DEFRAG_HELD, tfa_defrag_fragment(f->d, &a2, &out));
    assert_int_equal(TFA_DEFRAG_DONE, tfa_defrag_fragment(f->d, &b2, &out));
    assert_false(out.overlap_differs);
    assert_int_equal(70001, out.first_frame);
    assert_memory_equal(other, out.datagram + 20, f->l4_len);
    assert_int_equal(0, f->stats.diag[TFA_DIAG_DEFRAG_OVERLAP_DIFFERS]);
    assert_int_equal(2, f->stats.diag[TFA_DIAG_DEFRAG_REASSEMBLED]);
}

/* Decode locates fragments for the engine: the outer IP header, its length
 * and (IPv6) the fragment header; not an atomic fragment. */
static void test_decode_locates_fragments(void **state)
{
    Fix *f = *state;
    TfaSegment seg;
    TfaDiag why;
    TfaFragment a = frag4(f, 0, 512, true, 1);
    TfaFragment b = frag4(f, 512, 64, true, 2);
    assert_int_equal(TFA_DECODE_TCP, tfa_decode_ip(a.ip, a.len, a.len, &seg, &why));
    assert_ptr_equal(a.ip, seg.frag_ip);
    assert_int_equal(a.len, seg.frag_len);
    assert_int_equal(a.len, seg.frag_caplen);
    assert_int_equal(TFA_DECODE_SKIP, tfa_decode_ip(b.ip, b.len - 10, b.len, &seg, &why));
    assert_int_equal(TFA_DIAG_DECODE_IP_FRAGMENT, why);
    assert_ptr_equal(b.ip, seg.frag_ip);
    assert_int_equal(b.len, seg.frag_len);
    assert_int_equal(b.len - 10, seg.frag_caplen);

    uint8_t p[256];
    TfaBuildIp6 ip6 = tfa_build_ip6_default();
    ip6.nh = 44;
    TfaBuildTcp t = tfa_build_tcp_default();
    size_t n = tfa_build_ipv6(p, &ip6, 8 + 20);
    n += tfa_build_frag6(p + n, 6, 0, false); /* atomic */
    n += tfa_build_tcp(p + n, &t);
    assert_int_equal(TFA_DECODE_TCP, tfa_decode_ip(p, (uint32_t)n, (uint32_t)n, &seg, &why));
    assert_null(seg.frag_ip);
    tfa_build_frag6(p + 40, 6, 0, true);
    assert_int_equal(TFA_DECODE_TCP, tfa_decode_ip(p, (uint32_t)n, (uint32_t)n, &seg, &why));
    assert_ptr_equal(p, seg.frag_ip);
    assert_int_equal(40, seg.frag_hdr);
    assert_int_equal(n, seg.frag_len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_same_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_other_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_overlap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv6_fragment_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_many_holes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tiny_first_fragment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_fragments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_id_wrap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decode_locates_fragments, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
