/* build.h - byte-level packet builders for the decode unit tests.
 *
 * Every builder writes into a caller buffer (big enough: TFA_BUILD_MAX) and
 * returns the number of bytes written, so a test composes a frame as
 *
 *     n  = tfa_build_eth(buf, 0x0800);
 *     n += tfa_build_tcp4(buf + n, &ip, &tcp);
 *
 * and states only the fields it is about.  Checksums (IPv4 header, TCP over
 * the RFC 793 / RFC 8200 §8.1 pseudo-header) are computed here with a plain
 * RFC 1071 sum, independently of src/decode.  Nothing is allocated.
 * Include after tfa-test.h.
 */
#pragma once

#include <pcap/dlt.h>

#define TFA_BUILD_MAX 2048

#define TFA_BUILD_ETH_IPV4 0x0800u
#define TFA_BUILD_ETH_ARP 0x0806u
#define TFA_BUILD_ETH_VLAN 0x8100u
#define TFA_BUILD_ETH_QINQ 0x88a8u
#define TFA_BUILD_ETH_IPV6 0x86ddu
#define TFA_BUILD_ETH_MPLS 0x8847u
#define TFA_BUILD_ETH_PPPOE 0x8864u

#define TFA_BUILD_DIAG(d) (1u << (unsigned)(TFA_DIAG_##d))

/* ---- byte writers -------------------------------------------------------- */

static inline void tfa_build_be16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void tfa_build_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* RFC 1071 one's-complement sum of @len bytes added to @sum (not folded). */
static inline uint32_t tfa_build_sum(const uint8_t *p, size_t len, uint32_t sum)
{
    for (size_t i = 0; i < len; i++)
        sum += (i % 2 == 0) ? (uint32_t)p[i] << 8 : (uint32_t)p[i];
    return sum;
}

/* Fold and complement: the value to store in a checksum field. */
static inline uint16_t tfa_build_fold(uint32_t sum)
{
    while (sum > 0xffffu)
        sum = (sum & 0xffffu) + (sum >> 16);
    return (uint16_t)~sum;
}

/* ---- link layers --------------------------------------------------------- */

/* Ethernet II: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, @type. 14 bytes. */
static inline size_t tfa_build_eth(uint8_t *out, uint16_t type)
{
    static const uint8_t macs[12] = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01};
    memcpy(out, macs, 12);
    tfa_build_be16(out + 12, type);
    return 14;
}

/* The rest of a VLAN tag whose TPID was the previous type field: TCI and
 * the next type.  4 bytes. */
static inline size_t tfa_build_tag(uint8_t *out, uint16_t tci, uint16_t next_type)
{
    tfa_build_be16(out, tci);
    tfa_build_be16(out + 2, next_type);
    return 4;
}

/* 802.2 LLC + SNAP (AA AA 03, OUI 00 00 00) and @type.  8 bytes. */
static inline size_t tfa_build_snap(uint8_t *out, uint16_t type)
{
    static const uint8_t llc[6] = {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00};
    memcpy(out, llc, 6);
    tfa_build_be16(out + 6, type);
    return 8;
}

/* One MPLS label stack entry: label, TC 0, bottom-of-stack @bos, TTL 64. */
static inline size_t tfa_build_mpls(uint8_t *out, uint32_t label, bool bos)
{
    tfa_build_be32(out, label << 12 | (bos ? 0x100u : 0u) | 64u);
    return 4;
}

/* PPPoE session header (ver 1 type 1, code 0, session 0x1234, @len) and the
 * PPP protocol.  8 bytes. */
static inline size_t tfa_build_pppoe(uint8_t *out, uint16_t ppp_proto, uint16_t len)
{
    out[0] = 0x11;
    out[1] = 0x00;
    tfa_build_be16(out + 2, 0x1234);
    tfa_build_be16(out + 4, len);
    tfa_build_be16(out + 6, ppp_proto);
    return 8;
}

/* Linux cooked v1: packet type 0 (to us), ARPHRD_ETHER, 6-byte address,
 * 8 address bytes, @proto.  16 bytes. */
static inline size_t tfa_build_sll(uint8_t *out, uint16_t proto)
{
    memset(out, 0, 16);
    tfa_build_be16(out + 0, 0);
    tfa_build_be16(out + 2, 1);
    tfa_build_be16(out + 4, 6);
    out[6] = 0x02;
    out[11] = 0x01;
    tfa_build_be16(out + 14, proto);
    return 16;
}

/* Linux cooked v2: @proto, reserved, ifindex 2, ARPHRD_ETHER, packet type 0,
 * address length 6, 8 address bytes.  20 bytes. */
static inline size_t tfa_build_sll2(uint8_t *out, uint16_t proto)
{
    memset(out, 0, 20);
    tfa_build_be16(out + 0, proto);
    tfa_build_be32(out + 4, 2);
    tfa_build_be16(out + 8, 1);
    out[10] = 0;
    out[11] = 6;
    out[12] = 0x02;
    out[17] = 0x01;
    return 20;
}

/* BSD NULL written by a little-endian host.  4 bytes. */
static inline size_t tfa_build_null_le(uint8_t *out, uint32_t af)
{
    out[0] = (uint8_t)af;
    out[1] = (uint8_t)(af >> 8);
    out[2] = (uint8_t)(af >> 16);
    out[3] = (uint8_t)(af >> 24);
    return 4;
}

/* BSD NULL from a big-endian host, or DLT_LOOP (always network order). */
static inline size_t tfa_build_null_be(uint8_t *out, uint32_t af)
{
    tfa_build_be32(out, af);
    return 4;
}

/* IEEE 802.11 data frame header: version 0, type data, @subtype (0 data,
 * 8 QoS data...), flags byte @fc1 (To DS 0x01, From DS 0x02, Protected 0x40,
 * Order 0x80), addresses 02:..:0N, sequence control @seqctl (little-endian).
 * Writes the fourth address when To DS and From DS are both set, the QoS
 * control (@qos_ctl) in QoS subtypes and 4 HT control bytes when a QoS
 * frame has Order.  Returns the header length (24 to 36). */
static inline size_t tfa_build_80211(uint8_t *out, uint8_t subtype, uint8_t fc1, uint16_t seqctl,
                                     uint8_t qos_ctl)
{
    size_t n = 24;
    memset(out, 0, 36);
    out[0] = (uint8_t)(subtype << 4 | 2u << 2);
    out[1] = fc1;
    for (int a = 0; a < 3; a++) {
        out[4 + 6 * a] = 0x02;
        out[9 + 6 * a] = (uint8_t)(a + 1);
    }
    out[22] = (uint8_t)seqctl;
    out[23] = (uint8_t)(seqctl >> 8);
    if ((fc1 & 0x03u) == 0x03u) {
        out[24] = 0x02;
        out[29] = 4;
        n += 6;
    }
    if (subtype & 0x08u) {
        out[n] = qos_ctl;
        n += 2;
        if (fc1 & 0x80u)
            n += 4;
    }
    return n;
}

/* A radiotap header of @len bytes (at least 8): version 0, the presence
 * word @present; @flags written where the Flags field falls (after an
 * 8-byte TSFT when present), the rest zero.  Returns @len. */
static inline size_t tfa_build_radiotap(uint8_t *out, uint16_t len, uint32_t present, uint8_t flags)
{
    memset(out, 0, len);
    out[2] = (uint8_t)len;
    out[3] = (uint8_t)(len >> 8);
    out[4] = (uint8_t)present;
    out[5] = (uint8_t)(present >> 8);
    out[6] = (uint8_t)(present >> 16);
    out[7] = (uint8_t)(present >> 24);
    if (present & 0x02u)
        out[(present & 0x01u) ? 16 : 8] = flags;
    return len;
}

/* UDP header @sport > @dport for @payload_len bytes, checksum 0.  8 bytes. */
static inline size_t tfa_build_udp(uint8_t *out, uint16_t sport, uint16_t dport,
                                   size_t payload_len)
{
    tfa_build_be16(out, sport);
    tfa_build_be16(out + 2, dport);
    tfa_build_be16(out + 4, (uint32_t)(8 + payload_len));
    tfa_build_be16(out + 6, 0);
    return 8;
}

/* ---- IP ------------------------------------------------------------------ */

typedef struct TfaBuildIp4 {
    uint8_t src[4], dst[4];
    uint8_t proto;
    uint8_t ttl;
    uint16_t id;
    uint16_t frag;       /* flags and fragment offset, as on the wire */
    const uint8_t *opts; /* IP options, a multiple of 4 bytes, at most 40 */
    size_t opts_len;
    bool set_ihl; /* write @ihl instead of the computed one */
    uint8_t ihl;
    bool set_tot_len; /* write @tot_len instead of the computed one */
    uint16_t tot_len;
} TfaBuildIp4;

/* 10.0.0.1 > 10.0.0.2, TCP, ttl 64, id 0x1234, DF. */
static inline TfaBuildIp4 tfa_build_ip4_default(void)
{
    TfaBuildIp4 ip = {
        .src = {10, 0, 0, 1},
        .dst = {10, 0, 0, 2},
        .proto = 6,
        .ttl = 64,
        .id = 0x1234,
        .frag = 0x4000,
    };
    return ip;
}

/* IPv4 header (with options) for @l4_len bytes that follow; correct header
 * checksum over what was written.  Returns the header length. */
static inline size_t tfa_build_ipv4(uint8_t *out, const TfaBuildIp4 *ip, size_t l4_len)
{
    size_t hl = 20 + ip->opts_len;
    uint8_t ihl = ip->set_ihl ? ip->ihl : (uint8_t)(hl / 4);
    out[0] = (uint8_t)(0x40u | (ihl & 0x0fu));
    out[1] = 0;
    tfa_build_be16(out + 2, ip->set_tot_len ? ip->tot_len : (uint32_t)(hl + l4_len));
    tfa_build_be16(out + 4, ip->id);
    tfa_build_be16(out + 6, ip->frag);
    out[8] = ip->ttl;
    out[9] = ip->proto;
    tfa_build_be16(out + 10, 0);
    memcpy(out + 12, ip->src, 4);
    memcpy(out + 16, ip->dst, 4);
    if (ip->opts_len > 0)
        memcpy(out + 20, ip->opts, ip->opts_len);
    tfa_build_be16(out + 10, tfa_build_fold(tfa_build_sum(out, hl, 0)));
    return hl;
}

typedef struct TfaBuildIp6 {
    uint8_t src[16], dst[16];
    uint8_t nh;
    uint8_t hlim;
    bool set_plen; /* write @plen instead of the computed one */
    uint16_t plen;
} TfaBuildIp6;

/* 2001:db8::1 > 2001:db8::2, next header TCP, hop limit 64. */
static inline TfaBuildIp6 tfa_build_ip6_default(void)
{
    TfaBuildIp6 ip = {
        .src = {0x20, 0x01, 0x0d, 0xb8, [15] = 1},
        .dst = {0x20, 0x01, 0x0d, 0xb8, [15] = 2},
        .nh = 6,
        .hlim = 64,
    };
    return ip;
}

/* IPv6 fixed header for @plen bytes that follow.  40 bytes. */
static inline size_t tfa_build_ipv6(uint8_t *out, const TfaBuildIp6 *ip, size_t plen)
{
    tfa_build_be32(out, 0x60000000u);
    tfa_build_be16(out + 4, ip->set_plen ? ip->plen : (uint32_t)plen);
    out[6] = ip->nh;
    out[7] = ip->hlim;
    memcpy(out + 8, ip->src, 16);
    memcpy(out + 24, ip->dst, 16);
    return 40;
}

/* A generic IPv6 extension header (hop-by-hop, routing, destination
 * options): next header @nh, 8 * (@units + 1) bytes, body padded with PadN
 * / zeros.  Returns its length. */
static inline size_t tfa_build_ext6(uint8_t *out, uint8_t nh, uint8_t units)
{
    size_t len = 8u * ((size_t)units + 1);
    memset(out, 0, len);
    out[0] = nh;
    out[1] = units;
    out[2] = 1; /* PadN covering the rest */
    out[3] = (uint8_t)(len - 4);
    return len;
}

/* IPv6 fragment header: next header @nh, offset in 8-byte units, M flag. */
static inline size_t tfa_build_frag6(uint8_t *out, uint8_t nh, uint16_t offset, bool more)
{
    out[0] = nh;
    out[1] = 0;
    tfa_build_be16(out + 2, (uint32_t)(offset << 3) | (more ? 1u : 0u));
    tfa_build_be32(out + 4, 0xcafe0001u);
    return 8;
}

/* ---- TCP ----------------------------------------------------------------- */

typedef struct TfaBuildTcp {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint16_t flags; /* TFA_TH_*, including the AE bit 0x100 */
    uint16_t window;
    uint16_t urg;
    const uint8_t *opts; /* option bytes; padded with zeros (EOL) to 4 */
    size_t opts_len;
    bool set_doff; /* write @doff (in 32-bit words) instead */
    uint8_t doff;
    const uint8_t *payload;
    size_t payload_len;
} TfaBuildTcp;

/* 1234 > 80 [S] seq 1000 win 65535, no options, no payload. */
static inline TfaBuildTcp tfa_build_tcp_default(void)
{
    TfaBuildTcp t = {
        .sport = 1234,
        .dport = 80,
        .seq = 1000,
        .flags = TFA_TH_SYN,
        .window = 65535,
    };
    return t;
}

/* TCP header, options and payload; checksum field 0.  Returns the length. */
static inline size_t tfa_build_tcp(uint8_t *out, const TfaBuildTcp *t)
{
    size_t hl = 20 + (t->opts_len + 3) / 4 * 4;
    uint8_t doff = t->set_doff ? t->doff : (uint8_t)(hl / 4);
    tfa_build_be16(out, t->sport);
    tfa_build_be16(out + 2, t->dport);
    tfa_build_be32(out + 4, t->seq);
    tfa_build_be32(out + 8, t->ack);
    out[12] = (uint8_t)((doff & 0x0fu) << 4 | ((t->flags >> 8) & 0x01u));
    out[13] = (uint8_t)t->flags;
    tfa_build_be16(out + 14, t->window);
    tfa_build_be16(out + 16, 0);
    tfa_build_be16(out + 18, t->urg);
    memset(out + 20, 0, hl - 20);
    if (t->opts_len > 0)
        memcpy(out + 20, t->opts, t->opts_len);
    if (t->payload_len > 0)
        memcpy(out + hl, t->payload, t->payload_len);
    return hl + t->payload_len;
}

/* Store the TCP checksum of the @len-byte segment at @tcp (IPv4). */
static inline void tfa_build_tcp_csum4(uint8_t *tcp, size_t len, const uint8_t src[4],
                                       const uint8_t dst[4])
{
    uint32_t sum = tfa_build_sum(src, 4, 0);
    sum = tfa_build_sum(dst, 4, sum);
    sum += 6;
    sum += (uint32_t)len;
    tfa_build_be16(tcp + 16, 0);
    sum = tfa_build_sum(tcp, len, sum);
    tfa_build_be16(tcp + 16, tfa_build_fold(sum));
}

/* Same for IPv6 (upper-layer length 32 bits, next header 6). */
static inline void tfa_build_tcp_csum6(uint8_t *tcp, size_t len, const uint8_t src[16],
                                       const uint8_t dst[16])
{
    uint32_t sum = tfa_build_sum(src, 16, 0);
    sum = tfa_build_sum(dst, 16, sum);
    sum += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffffu);
    sum += 6;
    tfa_build_be16(tcp + 16, 0);
    sum = tfa_build_sum(tcp, len, sum);
    tfa_build_be16(tcp + 16, tfa_build_fold(sum));
}

/* IPv4 header + TCP segment with correct checksums.  Returns the length. */
static inline size_t tfa_build_tcp4(uint8_t *out, const TfaBuildIp4 *ip, const TfaBuildTcp *t)
{
    size_t hl = 20 + ip->opts_len;
    size_t tl = tfa_build_tcp(out + hl, t);
    tfa_build_tcp_csum4(out + hl, tl, ip->src, ip->dst);
    return tfa_build_ipv4(out, ip, tl) + tl;
}

/* IPv6 header (no extension headers) + TCP segment, correct checksum. */
static inline size_t tfa_build_tcp6(uint8_t *out, const TfaBuildIp6 *ip, const TfaBuildTcp *t)
{
    size_t tl = tfa_build_tcp(out + 40, t);
    tfa_build_tcp_csum6(out + 40, tl, ip->src, ip->dst);
    return tfa_build_ipv6(out, ip, tl) + tl;
}

/* ---- frames -------------------------------------------------------------- */

static inline TfaFrame tfa_build_frame(int linktype, const uint8_t *bytes, uint32_t caplen,
                                       uint32_t wirelen)
{
    TfaFrame f = {
        .frame_no = 7,
        .ts = INT64_C(1700000000123456789),
        .caplen = caplen,
        .wirelen = wirelen,
        .linktype = linktype,
        .bytes = bytes,
    };
    return f;
}
