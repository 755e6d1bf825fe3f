/* link.c - link-layer headers: Ethernet (802.1Q/802.1ad, LLC/SNAP, MPLS,
 * PPPoE session), Linux cooked v1/v2, raw IP, BSD NULL and LOOP. */
#include "config.h"

#include "decode-private.h"

#include <pcap/pcap.h>

#define ETHERTYPE_IPV4 0x0800u
#define ETHERTYPE_IPV6 0x86ddu
#define ETHERTYPE_VLAN 0x8100u
#define ETHERTYPE_QINQ 0x88a8u
#define ETHERTYPE_QINQ_OLD1 0x9100u
#define ETHERTYPE_QINQ_OLD2 0x9200u
#define ETHERTYPE_MPLS 0x8847u
#define ETHERTYPE_MPLS_MC 0x8848u
#define ETHERTYPE_PPPOE_SESSION 0x8864u
#define PPP_IPV4 0x0021u
#define PPP_IPV6 0x0057u

/* More tags than this in one frame is not a real network. */
#define MAX_VLAN_TAGS 8
#define MAX_MPLS_LABELS 16

/* libpcap's LINKTYPE_RAW (101) in case a DLT value is passed unmapped. */
#define LINKTYPE_RAW_VALUE 101
/* The FCS-length and flag bits of a pcap file's link-type field. */
#define LINKTYPE_MASK 0x03ffffff

/* Whether the frame was cut short by the snaplen (then a short read is
 * DECODE_TRUNCATED rather than a malformed header). */
static TfaDiag short_read(const TfaFrame *f, TfaDiag otherwise)
{
    return f->caplen < f->wirelen ? TFA_DIAG_DECODE_TRUNCATED : otherwise;
}

/* Follow an ethertype (and any tags / encapsulation after it) to IP. */
static bool follow_ethertype(const TfaFrame *f, TfaCursor *c, uint16_t type, TfaSegment *seg,
                             TfaLinkResult *res, TfaDiag *diag)
{
    unsigned tags = 0;

    for (;;) {
        switch (type) {
        case ETHERTYPE_IPV4:
            res->ip_hint = 4;
            res->offset = (uint32_t)(c->p - f->bytes);
            return true;
        case ETHERTYPE_IPV6:
            res->ip_hint = 6;
            res->offset = (uint32_t)(c->p - f->bytes);
            return true;
        case ETHERTYPE_VLAN:
        case ETHERTYPE_QINQ:
        case ETHERTYPE_QINQ_OLD1:
        case ETHERTYPE_QINQ_OLD2: {
            uint16_t tci;
            if (tags >= MAX_VLAN_TAGS) {
                *diag = TFA_DIAG_DECODE_BAD_LINK_HEADER;
                return false;
            }
            if (!tfa_rd_be16(c, &tci) || !tfa_rd_be16(c, &type)) {
                *diag = short_read(f, TFA_DIAG_DECODE_BAD_LINK_HEADER);
                return false;
            }
            if (tags < 2)
                seg->vlan[tags] = tci & 0x0fffu;
            tags++;
            break;
        }
        case ETHERTYPE_MPLS:
        case ETHERTYPE_MPLS_MC: {
            uint32_t label = 0;
            unsigned n = 0;
            do {
                if (n++ >= MAX_MPLS_LABELS || !tfa_rd_be32(c, &label)) {
                    *diag = n > MAX_MPLS_LABELS ? TFA_DIAG_DECODE_BAD_LINK_HEADER
                                                : short_read(f, TFA_DIAG_DECODE_BAD_LINK_HEADER);
                    return false;
                }
            } while ((label & 0x100u) == 0); /* bottom-of-stack bit */
            res->ip_hint = 0;
            res->offset = (uint32_t)(c->p - f->bytes);
            return true;
        }
        case ETHERTYPE_PPPOE_SESSION: {
            uint16_t proto;
            /* ver/type, code, session id, length, then the PPP protocol */
            if (!tfa_rd_skip(c, 6) || !tfa_rd_be16(c, &proto)) {
                *diag = short_read(f, TFA_DIAG_DECODE_BAD_LINK_HEADER);
                return false;
            }
            if (proto == PPP_IPV4)
                type = ETHERTYPE_IPV4;
            else if (proto == PPP_IPV6)
                type = ETHERTYPE_IPV6;
            else {
                *diag = TFA_DIAG_DECODE_NOT_IP;
                return false;
            }
            break;
        }
        default:
            if (type <= 1500) {
                /* IEEE 802.3 length field: only LLC/SNAP can carry IP. */
                uint8_t llc[6];
                if (!tfa_rd_bytes(c, llc, 6) || llc[0] != 0xaa || llc[1] != 0xaa ||
                    llc[2] != 0x03 || !tfa_rd_be16(c, &type)) {
                    *diag = TFA_DIAG_DECODE_NOT_IP;
                    return false;
                }
                if (type <= 1500) {
                    *diag = TFA_DIAG_DECODE_NOT_IP;
                    return false;
                }
                break;
            }
            *diag = TFA_DIAG_DECODE_NOT_IP;
            return false;
        }
    }
}

/* BSD NULL (host byte order of the capturing machine) and LOOP (network
 * order): a 4-byte address family.  AF_INET is 2 everywhere; AF_INET6 is 10
 * on Linux, 24 on NetBSD/OpenBSD, 28 on FreeBSD/DragonFly, 30 on macOS. */
static bool null_family(uint32_t af, TfaLinkResult *res)
{
    switch (af) {
    case 2:
        res->ip_hint = 4;
        return true;
    case 10:
    case 24:
    case 28:
    case 30:
        res->ip_hint = 6;
        return true;
    default:
        return false;
    }
}

bool tfa_decode_link(const TfaFrame *f, TfaSegment *seg, TfaLinkResult *res, TfaDiag *diag)
{
    TfaCursor c;
    int lt = f->linktype & LINKTYPE_MASK;

    tfa_cursor_init(&c, f->bytes, f->caplen);
    res->offset = 0;
    res->ip_hint = 0;

    switch (lt) {
    case DLT_EN10MB: {
        uint16_t type;
        if (!tfa_rd_skip(&c, 12) || !tfa_rd_be16(&c, &type)) {
            *diag = short_read(f, TFA_DIAG_DECODE_BAD_LINK_HEADER);
            return false;
        }
        return follow_ethertype(f, &c, type, seg, res, diag);
    }
    case DLT_LINUX_SLL: {
        /* packet type, ARPHRD type, address length, 8 address bytes, protocol */
        uint16_t type;
        if (!tfa_rd_skip(&c, 14) || !tfa_rd_be16(&c, &type)) {
            *diag = short_read(f, TFA_DIAG_DECODE_BAD_LINK_HEADER);
            return false;
        }
        return follow_ethertype(f, &c, type, seg, res, diag);
    }
    case DLT_LINUX_SLL2: {
        /* protocol, reserved, interface index, ARPHRD type, packet type,
         * address length, 8 address bytes */
        uint16_t type;
        if (!tfa_rd_be16(&c, &type) || !tfa_rd_skip(&c, 18)) {
            *diag = short_read(f, TFA_DIAG_DECODE_BAD_LINK_HEADER);
            return false;
        }
        return follow_ethertype(f, &c, type, seg, res, diag);
    }
    case DLT_NULL: {
        uint8_t b[4];
        if (!tfa_rd_bytes(&c, b, 4)) {
            *diag = short_read(f, TFA_DIAG_DECODE_BAD_LINK_HEADER);
            return false;
        }
        /* Host order of the writer: try little-endian, then big-endian. */
        uint32_t le = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                      (uint32_t)b[3] << 24;
        uint32_t be = tfa_get_be32(b);
        if (!null_family(le, res) && !null_family(be, res)) {
            *diag = TFA_DIAG_DECODE_NOT_IP;
            return false;
        }
        res->offset = 4;
        return true;
    }
    case DLT_LOOP: {
        uint32_t af;
        if (!tfa_rd_be32(&c, &af)) {
            *diag = short_read(f, TFA_DIAG_DECODE_BAD_LINK_HEADER);
            return false;
        }
        if (!null_family(af, res)) {
            *diag = TFA_DIAG_DECODE_NOT_IP;
            return false;
        }
        res->offset = 4;
        return true;
    }
    case DLT_RAW:
    case LINKTYPE_RAW_VALUE:
        res->ip_hint = 0;
        return true;
#ifdef DLT_IPV4
    case DLT_IPV4:
        res->ip_hint = 4;
        return true;
#endif
#ifdef DLT_IPV6
    case DLT_IPV6:
        res->ip_hint = 6;
        return true;
#endif
    default:
        *diag = TFA_DIAG_DECODE_UNKNOWN_LINKTYPE;
        return false;
    }
}
