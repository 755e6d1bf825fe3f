/* icmp.c - ICMPv4 (RFC 792) and ICMPv6 (RFC 4443) errors that quote a TCP
 * segment: the quoted IP header (RFC 791 / RFC 8200, extension headers
 * walked) and the first 8 bytes of TCP (ports and sequence number), and the
 * errno table Linux applies to them (see tcpflow-audit/icmp.h). */
#include "config.h"

#include "tcpflow-audit/icmp.h"

#include "decode-private.h"

#include <string.h>

#define IPPROTO_TCP_VALUE 6
#define ICMP4_UNREACH 3
#define ICMP4_TIME_EXCEEDED 11
#define ICMP4_PARAM_PROBLEM 12
#define ICMP4_FRAG_NEEDED 4
#define ICMP6_UNREACH 1
#define ICMP6_PACKET_TOO_BIG 2
#define ICMP6_TIME_EXCEEDED 3
#define ICMP6_PARAM_PROBLEM 4

/* A quoted IPv6 header chain longer than this is not real. */
#define MAX_QUOTED_EXT 8

bool tfa_icmp_is_error(uint8_t version, uint8_t type)
{
    if (version == 4)
        return type == ICMP4_UNREACH || type == ICMP4_TIME_EXCEEDED || type == ICMP4_PARAM_PROBLEM;
    if (version == 6)
        return type >= ICMP6_UNREACH && type <= ICMP6_PARAM_PROBLEM;
    return false;
}

bool tfa_icmp_is_pmtu(uint8_t version, uint8_t type, uint8_t code)
{
    return (version == 4 && type == ICMP4_UNREACH && code == ICMP4_FRAG_NEEDED) ||
           (version == 6 && type == ICMP6_PACKET_TOO_BIG);
}

/* Linux's icmp_err_convert[] (net/ipv4/icmp.c), by destination-unreachable
 * code: the errno and whether it is fatal. */
static const struct {
    const char *err;
    bool hard;
    const char *what;
} unreach4[16] = {
    {"ENETUNREACH", false, "net unreachable"},
    {"EHOSTUNREACH", false, "host unreachable"},
    {"ENOPROTOOPT", true, "protocol unreachable"},
    {"ECONNREFUSED", true, "port unreachable"},
    {"EMSGSIZE", false, "fragmentation needed"},
    {"EOPNOTSUPP", false, "source route failed"},
    {"ENETUNREACH", true, "destination network unknown"},
    {"EHOSTDOWN", true, "destination host unknown"},
    {"ENONET", true, "source host isolated"},
    {"ENETUNREACH", true, "network administratively prohibited"},
    {"EHOSTUNREACH", true, "host administratively prohibited"},
    {"ENETUNREACH", false, "network unreachable for the type of service"},
    {"EHOSTUNREACH", false, "host unreachable for the type of service"},
    {"EHOSTUNREACH", true, "communication administratively prohibited"},
    {"EHOSTUNREACH", true, "host precedence violation"},
    {"EHOSTUNREACH", true, "precedence cutoff in effect"},
};

/* icmpv6_err_convert()'s tab_unreach (net/ipv6/icmp.c). */
static const struct {
    const char *err;
    bool hard;
    const char *what;
} unreach6[7] = {
    {"ENETUNREACH", false, "no route to destination"},
    {"EACCES", true, "communication administratively prohibited"},
    {"EHOSTUNREACH", false, "beyond the scope of the source address"},
    {"EHOSTUNREACH", false, "address unreachable"},
    {"ECONNREFUSED", true, "port unreachable"},
    {"EACCES", true, "source address failed ingress/egress policy"},
    {"EACCES", true, "reject route to destination"},
};

const char *tfa_icmp_errno(uint8_t version, uint8_t type, uint8_t code, bool *hard)
{
    *hard = false;
    if (tfa_icmp_is_pmtu(version, type, code))
        return NULL;
    if (version == 4) {
        switch (type) {
        case ICMP4_UNREACH:
            if (code >= G_N_ELEMENTS(unreach4))
                return NULL; /* tcp_v4_err ignores codes beyond the table */
            *hard = unreach4[code].hard;
            return unreach4[code].err;
        case ICMP4_TIME_EXCEEDED:
            return "EHOSTUNREACH";
        case ICMP4_PARAM_PROBLEM:
            *hard = true;
            return "EPROTO";
        default:
            return NULL;
        }
    }
    if (version == 6) {
        switch (type) {
        case ICMP6_UNREACH:
            if (code >= G_N_ELEMENTS(unreach6))
                return "EPROTO";
            *hard = unreach6[code].hard;
            return unreach6[code].err;
        case ICMP6_TIME_EXCEEDED:
            return "EHOSTUNREACH";
        case ICMP6_PARAM_PROBLEM:
            *hard = true;
            return "EPROTO";
        default:
            return NULL;
        }
    }
    return NULL;
}

const char *tfa_icmp_describe(uint8_t version, uint8_t type, uint8_t code)
{
    if (version == 4) {
        switch (type) {
        case ICMP4_UNREACH:
            return code < G_N_ELEMENTS(unreach4) ? unreach4[code].what
                                                 : "destination unreachable (unknown code)";
        case ICMP4_TIME_EXCEEDED:
            return code == 1 ? "fragment reassembly time exceeded" : "TTL exceeded in transit";
        case ICMP4_PARAM_PROBLEM:
            return "parameter problem";
        default:
            return "ICMP error";
        }
    }
    switch (type) {
    case ICMP6_UNREACH:
        return code < G_N_ELEMENTS(unreach6) ? unreach6[code].what
                                             : "destination unreachable (unknown code)";
    case ICMP6_PACKET_TOO_BIG:
        return "packet too big";
    case ICMP6_TIME_EXCEEDED:
        return code == 1 ? "fragment reassembly time exceeded" : "hop limit exceeded in transit";
    case ICMP6_PARAM_PROBLEM:
        return "parameter problem";
    default:
        return "ICMPv6 error";
    }
}

/* The quoted IPv4 header: addresses, and where its TCP header starts. */
static bool quoted_ipv4(const uint8_t *q, uint32_t cap, TfaSegment *seg, uint32_t *l4)
{
    if (cap < 20 || q[0] >> 4 != 4)
        return false;
    uint32_t ihl = (uint32_t)(q[0] & 0x0fu) * 4;
    if (ihl < 20 || ihl > cap)
        return false;
    if ((tfa_get_be16(q + 6) & 0x1fffu) != 0 || q[9] != IPPROTO_TCP_VALUE)
        return false; /* a later fragment quotes no TCP header */
    seg->src.family = 4;
    seg->dst.family = 4;
    memset(seg->src.bytes, 0, sizeof(seg->src.bytes));
    memset(seg->dst.bytes, 0, sizeof(seg->dst.bytes));
    memcpy(seg->src.bytes, q + 12, 4);
    memcpy(seg->dst.bytes, q + 16, 4);
    *l4 = ihl;
    return true;
}

/* The quoted IPv6 header and its extension headers (RFC 8200 §4). */
static bool quoted_ipv6(const uint8_t *q, uint32_t cap, TfaSegment *seg, uint32_t *l4)
{
    if (cap < 40 || q[0] >> 4 != 6)
        return false;
    uint8_t nh = q[6];
    uint32_t off = 40;
    for (unsigned n = 0; nh != IPPROTO_TCP_VALUE; n++) {
        uint32_t hlen;
        if (n >= MAX_QUOTED_EXT || off + 8 > cap)
            return false;
        switch (nh) {
        case 0:   /* hop-by-hop */
        case 43:  /* routing */
        case 60:  /* destination options */
            hlen = ((uint32_t)q[off + 1] + 1) * 8;
            break;
        case 44:  /* fragment: only the first one holds the TCP header */
            if ((tfa_get_be16(q + off + 2) & 0xfff8u) != 0)
                return false;
            hlen = 8;
            break;
        case 51:  /* AH */
            hlen = ((uint32_t)q[off + 1] + 2) * 4;
            break;
        default:
            return false;
        }
        nh = q[off];
        off += hlen;
    }
    seg->src.family = 6;
    seg->dst.family = 6;
    memcpy(seg->src.bytes, q + 8, 16);
    memcpy(seg->dst.bytes, q + 24, 16);
    *l4 = off;
    return true;
}

bool tfa_decode_icmp_layer(const TfaIpResult *ip, TfaSegment *seg, TfaDiag *diag)
{
    const uint8_t *b = ip->l4;
    uint8_t version = seg->ip_version;

    *diag = TFA_DIAG_DECODE_NOT_TCP;
    if (ip->l4_cap < 8 || !tfa_icmp_is_error(version, b[0]))
        return false;
    TfaIcmpInfo info = {
        .version = version,
        .type = b[0],
        .code = b[1],
        .reporter = seg->src,
    };
    if (version == 4 && info.type == ICMP4_UNREACH && info.code == ICMP4_FRAG_NEEDED)
        info.mtu = tfa_get_be16(b + 6); /* RFC 1191 §4: next-hop MTU */
    else if (version == 6 && info.type == ICMP6_PACKET_TOO_BIG)
        info.mtu = tfa_get_be32(b + 4);

    const uint8_t *q = b + 8;
    uint32_t qcap = ip->l4_cap - 8, l4 = 0;
    TfaAddr src = seg->src, dst = seg->dst;
    bool ok = version == 4 ? quoted_ipv4(q, qcap, seg, &l4) : quoted_ipv6(q, qcap, seg, &l4);
    if (!ok || l4 + 8 > qcap) {
        seg->src = src;
        seg->dst = dst;
        return false;
    }
    /* the quoted segment's ports and sequence number (RFC 9293 §3.1) */
    seg->sport = tfa_get_be16(q + l4);
    seg->dport = tfa_get_be16(q + l4 + 2);
    seg->seq = tfa_get_be32(q + l4 + 4);
    seg->icmp = info;
    return true;
}
