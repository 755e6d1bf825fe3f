/* ip.c - IPv4 (RFC 791, options skipped by IHL, fragments per RFC 791 §3.2)
 * and IPv6 (RFC 8200 extension-header walk, RFC 2675 jumbo payload). */
#include "config.h"

#include "decode-private.h"

#include <glib.h>
#include <string.h>

#define IP6_HOPOPTS 0
#define IP6_ROUTING 43
#define IP6_FRAGMENT 44
#define IP6_AH 51
#define IP6_DSTOPTS 60
#define IP6_MOBILITY 135
#define IP6_HIP 139
#define IP6_SHIM6 140
#define IP6_OPT_JUMBO 0xc2

/* A chain longer than this is hostile, not real. */
#define MAX_IPV6_EXT_HEADERS 16

static TfaDiag cut(uint32_t cap, uint32_t wire, TfaDiag otherwise)
{
    return cap < wire ? TFA_DIAG_DECODE_TRUNCATED : otherwise;
}

static bool decode_ipv4(const uint8_t *b, uint32_t cap, uint32_t wire, TfaSegment *seg,
                        TfaIpResult *res, TfaDiag *diag)
{
    if (cap < 20) {
        *diag = cut(cap, wire, TFA_DIAG_DECODE_BAD_IP_HEADER);
        return false;
    }
    uint32_t ihl = (uint32_t)(b[0] & 0x0fu) * 4;
    if (ihl < 20) {
        *diag = TFA_DIAG_DECODE_BAD_IP_HEADER;
        return false;
    }
    if (ihl > cap) {
        *diag = cut(cap, wire, TFA_DIAG_DECODE_BAD_IP_HEADER);
        return false;
    }
    uint32_t tot = tfa_get_be16(b + 2);
    if (tot == 0) {
        /* GSO / BIG TCP for IPv4: the kernel leaves tot_len 0 on super-packets
         * above 64 KiB; the frame's wire length is all there is. */
        tot = wire;
        seg->diags |= TFA_DIAG_BIT(DECODE_JUMBO);
    } else if (tot < ihl) {
        *diag = TFA_DIAG_DECODE_BAD_IP_LENGTH;
        return false;
    } else if (tot > wire) {
        /* Claims more than was on the wire: use what was there. */
        seg->diags |= TFA_DIAG_BIT(DECODE_BAD_IP_LENGTH);
        tot = wire;
    }

    seg->ip_version = 4;
    seg->ip_id = tfa_get_be16(b + 4);
    uint16_t frag = tfa_get_be16(b + 6);
    seg->ip_df = (frag & 0x4000u) != 0;
    seg->ttl = b[8];
    seg->src.family = 4;
    seg->dst.family = 4;
    memcpy(seg->src.bytes, b + 12, 4);
    memcpy(seg->dst.bytes, b + 16, 4);

    if ((frag & 0x3fffu) != 0) {
        /* MF set or a non-zero offset: a fragment.  Only a first fragment
         * carries the TCP header; its payload length is this fragment's. */
        seg->diags |= TFA_DIAG_BIT(DECODE_IP_FRAGMENT);
        if (seg->frag_ip == NULL) { /* for reassembly (defrag.h) */
            /* the length the header claims: a fragment longer than the
             * frame is not all there and is not reassembled */
            uint32_t claimed = tfa_get_be16(b + 2);
            seg->frag_ip = b;
            seg->frag_len = claimed > tot ? claimed : tot;
            seg->frag_caplen = cap < tot ? cap : tot;
            seg->frag_hdr = 0;
        }
        if ((frag & 0x1fffu) != 0) {
            *diag = TFA_DIAG_DECODE_IP_FRAGMENT;
            return false;
        }
    }
    res->proto = b[9];
    res->l4 = b + ihl;
    res->l4_len = tot - ihl;
    res->l4_cap = (cap < tot ? cap : tot) - ihl;
    if (res->proto == IP6_AH) {
        /* IPv4 AH (RFC 4302): next header, length in 4-byte units minus 2 */
        if (res->l4_cap < 2) {
            *diag = cut(cap, wire, TFA_DIAG_DECODE_BAD_IP_HEADER);
            return false;
        }
        uint32_t ah = ((uint32_t)res->l4[1] + 2) * 4;
        if (ah > res->l4_cap || ah > res->l4_len) {
            *diag = cut(cap, wire, TFA_DIAG_DECODE_BAD_IP_HEADER);
            return false;
        }
        res->proto = res->l4[0];
        res->l4 += ah;
        res->l4_len -= ah;
        res->l4_cap -= ah;
    }
    return true;
}

/* Hop-by-hop options: look for the jumbo payload option (RFC 2675). */
static bool hbh_jumbo(const uint8_t *opt, uint32_t len, uint32_t *jumbo)
{
    uint32_t i = 2;
    while (i < len) {
        uint8_t type = opt[i];
        if (type == 0) { /* Pad1 */
            i++;
            continue;
        }
        if (i + 1 >= len)
            return false;
        uint8_t olen = opt[i + 1];
        if (i + 2 + olen > len)
            return false;
        if (type == IP6_OPT_JUMBO && olen == 4) {
            *jumbo = tfa_get_be32(opt + i + 2);
            return true;
        }
        i += 2u + olen;
    }
    return false;
}

static bool ext_header(uint8_t nh)
{
    switch (nh) {
    case IP6_HOPOPTS:
    case IP6_ROUTING:
    case IP6_DSTOPTS:
    case IP6_MOBILITY:
    case IP6_HIP:
    case IP6_SHIM6:
    case IP6_FRAGMENT:
    case IP6_AH:
        return true;
    default:
        return false;
    }
}

static bool decode_ipv6(const uint8_t *b, uint32_t cap, uint32_t wire, TfaSegment *seg,
                        TfaIpResult *res, TfaDiag *diag)
{
    if (cap < 40) {
        *diag = cut(cap, wire, TFA_DIAG_DECODE_BAD_IP_HEADER);
        return false;
    }
    seg->ip_version = 6;
    seg->ip_id = 0;
    seg->ip_df = true;
    seg->ttl = b[7];
    seg->src.family = 6;
    seg->dst.family = 6;
    memcpy(seg->src.bytes, b + 8, 16);
    memcpy(seg->dst.bytes, b + 24, 16);

    uint32_t plen = tfa_get_be16(b + 4);
    uint8_t nh = b[6];
    uint32_t off = 40;
    uint32_t jumbo = 0;
    bool have_jumbo = false;

    for (unsigned n = 0;; n++) {
        if (!ext_header(nh))
            break;
        if (n >= MAX_IPV6_EXT_HEADERS) {
            *diag = TFA_DIAG_DECODE_BAD_IPV6_EXT;
            return false;
        }
        uint32_t hlen;
        switch (nh) {
        case IP6_HOPOPTS:
        case IP6_ROUTING:
        case IP6_DSTOPTS:
        case IP6_MOBILITY:
        case IP6_HIP:
        case IP6_SHIM6:
            if (off + 2 > cap) {
                *diag = cut(cap, wire, TFA_DIAG_DECODE_BAD_IPV6_EXT);
                return false;
            }
            hlen = ((uint32_t)b[off + 1] + 1) * 8;
            if (off + hlen > cap) {
                *diag = cut(cap, wire, TFA_DIAG_DECODE_BAD_IPV6_EXT);
                return false;
            }
            if (nh == IP6_HOPOPTS && n == 0)
                have_jumbo = hbh_jumbo(b + off, hlen, &jumbo);
            break;
        case IP6_FRAGMENT: {
            if (off + 8 > cap) {
                *diag = cut(cap, wire, TFA_DIAG_DECODE_BAD_IPV6_EXT);
                return false;
            }
            uint16_t fo = tfa_get_be16(b + off + 2);
            seg->diags |= TFA_DIAG_BIT(DECODE_IP_FRAGMENT);
            /* for reassembly (defrag.h), unless atomic (offset 0 and M
             * clear, RFC 6946) or a jumbogram (RFC 2675 forbids fragments) */
            if ((fo & 0xfff9u) != 0 && seg->frag_ip == NULL && plen != 0) {
                /* as for IPv4, the length the header claims */
                uint32_t len = 40 + plen;
                seg->frag_ip = b;
                seg->frag_len = len;
                seg->frag_caplen = cap < len ? cap : len;
                if (seg->frag_caplen > wire)
                    seg->frag_caplen = wire;
                seg->frag_hdr = (uint16_t)off;
            }
            if ((fo & 0xfff8u) != 0) {
                *diag = TFA_DIAG_DECODE_IP_FRAGMENT;
                return false;
            }
            hlen = 8;
            break;
        }
        case IP6_AH:
            if (off + 2 > cap) {
                *diag = cut(cap, wire, TFA_DIAG_DECODE_BAD_IPV6_EXT);
                return false;
            }
            hlen = ((uint32_t)b[off + 1] + 2) * 4;
            if (off + hlen > cap) {
                *diag = cut(cap, wire, TFA_DIAG_DECODE_BAD_IPV6_EXT);
                return false;
            }
            break;
        default:
            g_assert_not_reached();
        }
        nh = b[off];
        off += hlen;
    }

    uint32_t tot; /* bytes after the fixed header */
    if (plen == 0) {
        /* RFC 2675 jumbogram, or a BIG TCP packet whose hop-by-hop header the
         * kernel removed before the capture point: length from the frame. */
        seg->diags |= TFA_DIAG_BIT(DECODE_JUMBO);
        tot = have_jumbo ? jumbo : wire - 40;
        if (tot > wire - 40) {
            seg->diags |= TFA_DIAG_BIT(DECODE_BAD_IP_LENGTH);
            tot = wire - 40;
        }
    } else {
        tot = plen;
        if (40 + tot > wire) {
            seg->diags |= TFA_DIAG_BIT(DECODE_BAD_IP_LENGTH);
            tot = wire - 40;
        }
    }
    if (off - 40 > tot) {
        *diag = TFA_DIAG_DECODE_BAD_IP_LENGTH;
        return false;
    }
    res->proto = nh;
    res->l4 = b + off;
    res->l4_len = tot - (off - 40);
    uint32_t capped = cap < 40 + tot ? cap : 40 + tot;
    res->l4_cap = capped - off;
    return true;
}

bool tfa_decode_ip_layer(const uint8_t *b, uint32_t cap, uint32_t wire, uint8_t ip_hint,
                         TfaSegment *seg, TfaIpResult *res, TfaDiag *diag)
{
    if (wire < cap)
        wire = cap;
    if (cap < 1) {
        *diag = cut(cap, wire, TFA_DIAG_DECODE_BAD_IP_HEADER);
        return false;
    }
    uint8_t version = b[0] >> 4;
    if (ip_hint != 0 && version != ip_hint) {
        *diag = TFA_DIAG_DECODE_BAD_IP_HEADER;
        return false;
    }
    if (version == 4)
        return decode_ipv4(b, cap, wire, seg, res, diag);
    if (version == 6)
        return decode_ipv6(b, cap, wire, seg, res, diag);
    *diag = ip_hint == 0 ? TFA_DIAG_DECODE_NOT_IP : TFA_DIAG_DECODE_BAD_IP_HEADER;
    return false;
}
