/* link.c - link-layer headers: Ethernet (802.1Q/802.1ad, LLC/SNAP, MPLS,
 * PPPoE session, 802.1ah PBB, VN-Tag, 802.1BR E-Tag, Cisco FabricPath),
 * Linux cooked v1/v2, raw IP, BSD NULL and LOOP, PPP and Cisco HDLC, PPI, IP
 * over InfiniBand, Linux NFLOG, ARCNET (RFC 1051 and RFC 1201 framing, BSD
 * and Linux headers), FDDI, Juniper's capture header (on Ethernet, PPPoE,
 * PPP, Cisco HDLC), the Prism and AVS headers before 802.11; the 802.11
 * frames themselves and radiotap are in wlan.c.  Also used for Ethernet frames found inside
 * tunnels (tunnel.c / decode.c). */
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
#define ETHERTYPE_PBB 0x88e7u   /* 802.1ah I-TAG */
#define ETHERTYPE_VNTAG 0x8926u /* Cisco VN-Tag */
#define ETHERTYPE_ETAG 0x893fu  /* 802.1BR E-Tag */
#define ETHERTYPE_FABRICPATH 0x8903u
#define PPP_IPV4 0x0021u
#define PPP_IPV6 0x0057u
#define PPP_MPLS 0x0281u
#define PPP_MPLS_MC 0x0283u
#define NFULA_PAYLOAD 9

/* More tags than this in one frame is not a real network. */
#define MAX_VLAN_TAGS 8
#define MAX_MPLS_LABELS 16
#define MAX_NFLOG_TLVS 64
/* Bridged encapsulations (PBB, FabricPath) nested deeper than this are not
 * real: each one starts a new customer frame. */
#define MAX_MAC_IN_MAC 4

/* ARCNET protocol IDs: RFC 1051 (IP 240, ARP 241), RFC 1201 (IP 212, ARP
 * 213, RARP 214), IPv6 (RFC 2497) 196; diagnostics 0x80 have no split flag. */
#define ARC_IP_RFC1051 240u
#define ARC_ARP_RFC1051 241u
#define ARC_IP_RFC1201 212u
#define ARC_IPV6 196u
#define ARC_DIAGNOSE 0x80u
/* Juniper capture header: "MGC", flags; extensions; no layer 2 header. */
#define JUNIPER_MAGIC 0x4d4743u
#define JUNIPER_FLAG_EXT 0x80u
#define JUNIPER_FLAG_NO_L2 0x02u

/* libpcap's LINKTYPE_RAW (101) in case a DLT value is passed unmapped. */
#define LINKTYPE_RAW_VALUE 101
/* The FCS-length and flag bits of a pcap file's link-type field. */
#define LINKTYPE_MASK 0x03ffffff

/* A short read is DECODE_TRUNCATED when the snaplen cut the frame, else the
 * header itself is malformed. */
static TfaDiag short_read(bool cut, TfaDiag otherwise)
{
    return cut ? TFA_DIAG_DECODE_TRUNCATED : otherwise;
}

static void found_ip(const uint8_t *base, const TfaCursor *c, uint8_t hint, TfaLinkResult *res)
{
    res->ip_hint = hint;
    res->offset = (uint32_t)(c->p - base);
}

static bool follow_ethertype(const uint8_t *base, TfaCursor *c, bool cut, uint16_t type,
                             TfaSegment *seg, TfaLinkResult *res, TfaDiag *diag);

/* PPP protocol field, with or without the HDLC address/control bytes and
 * with protocol-field compression (a 1-byte odd protocol, RFC 1661 §6.5). */
static bool follow_ppp(const uint8_t *base, TfaCursor *c, bool cut, TfaSegment *seg,
                       TfaLinkResult *res, TfaDiag *diag)
{
    uint8_t b0;
    uint16_t proto;

    if (c->left >= 2 && c->p[0] == 0xff && c->p[1] == 0x03)
        tfa_rd_skip(c, 2);
    if (!tfa_rd_u8(c, &b0)) {
        *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
        return false;
    }
    if (b0 & 1u) {
        proto = b0;
    } else {
        uint8_t b1;
        if (!tfa_rd_u8(c, &b1)) {
            *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
            return false;
        }
        proto = (uint16_t)((uint16_t)b0 << 8 | b1);
    }
    switch (proto) {
    case PPP_IPV4:
        return follow_ethertype(base, c, cut, ETHERTYPE_IPV4, seg, res, diag);
    case PPP_IPV6:
        return follow_ethertype(base, c, cut, ETHERTYPE_IPV6, seg, res, diag);
    case PPP_MPLS:
        return follow_ethertype(base, c, cut, ETHERTYPE_MPLS, seg, res, diag);
    case PPP_MPLS_MC:
        return follow_ethertype(base, c, cut, ETHERTYPE_MPLS_MC, seg, res, diag);
    default:
        *diag = TFA_DIAG_DECODE_NOT_IP;
        return false;
    }
}

/* Follow an ethertype (and any tags / encapsulation after it) to IP. */
static bool follow_ethertype(const uint8_t *base, TfaCursor *c, bool cut, uint16_t type,
                             TfaSegment *seg, TfaLinkResult *res, TfaDiag *diag)
{
    unsigned tags = 0, bridged = 0;
    unsigned slot = seg->vlan[0] == 0 ? 0 : seg->vlan[1] == 0 ? 1 : 2;

    for (;;) {
        switch (type) {
        case ETHERTYPE_IPV4:
            found_ip(base, c, 4, res);
            return true;
        case ETHERTYPE_IPV6:
            found_ip(base, c, 6, res);
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
                *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
                return false;
            }
            if (slot < 2)
                seg->vlan[slot++] = tci & 0x0fffu;
            tags++;
            break;
        }
        case ETHERTYPE_MPLS:
        case ETHERTYPE_MPLS_MC: {
            uint32_t label = 0;
            unsigned n = 0;
            do {
                if (n++ >= MAX_MPLS_LABELS) {
                    *diag = TFA_DIAG_DECODE_BAD_LINK_HEADER;
                    return false;
                }
                if (!tfa_rd_be32(c, &label)) {
                    *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
                    return false;
                }
            } while ((label & 0x100u) == 0); /* bottom-of-stack bit */
            found_ip(base, c, 0, res);
            return true;
        }
        case ETHERTYPE_PBB:
        case ETHERTYPE_FABRICPATH:
            /* 802.1ah: the I-TAG (priority, flags, 24-bit service ID), then
             * the customer's destination and source MACs and type.  Cisco
             * FabricPath: forwarding tag and TTL, then the original frame's
             * MACs and type.  Either way 4 or 2 bytes, 12, then a type. */
            if (bridged++ >= MAX_MAC_IN_MAC) {
                *diag = TFA_DIAG_DECODE_BAD_LINK_HEADER;
                return false;
            }
            if (!tfa_rd_skip(c, (type == ETHERTYPE_PBB ? 4u : 2u) + 12u) ||
                !tfa_rd_be16(c, &type)) {
                *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
                return false;
            }
            break;
        case ETHERTYPE_VNTAG:
        case ETHERTYPE_ETAG:
            /* VN-Tag: 4 bytes (direction, pointer, virtual interfaces);
             * 802.1BR E-Tag: 6 bytes (PCP/DEI, E-CIDs); then a type.  They
             * count against the tag limit with the VLAN tags. */
            if (tags++ >= MAX_VLAN_TAGS) {
                *diag = TFA_DIAG_DECODE_BAD_LINK_HEADER;
                return false;
            }
            if (!tfa_rd_skip(c, type == ETHERTYPE_VNTAG ? 4u : 6u) || !tfa_rd_be16(c, &type)) {
                *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
                return false;
            }
            break;
        case ETHERTYPE_PPPOE_SESSION:
            /* version/type, code, session id, length; then PPP */
            if (!tfa_rd_skip(c, 6)) {
                *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
                return false;
            }
            return follow_ppp(base, c, cut, seg, res, diag);
        default:
            if (type <= 1500) {
                /* IEEE 802.3 length field: only LLC/SNAP with an Ethernet
                 * OUI (RFC 1042's 000000, or 802.1H's 0000f8) carries IP. */
                uint8_t llc[6];
                if (!tfa_rd_bytes(c, llc, 6) || llc[0] != 0xaa || llc[1] != 0xaa ||
                    llc[2] != 0x03 || llc[3] != 0 || llc[4] != 0 ||
                    (llc[5] != 0 && llc[5] != 0xf8) || !tfa_rd_be16(c, &type) || type <= 1500) {
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

bool tfa_decode_ethertype_at(const uint8_t *b, uint32_t off, uint32_t cap, bool cut,
                             TfaSegment *seg, TfaLinkResult *res, TfaDiag *diag)
{
    TfaCursor c;
    uint16_t type;

    tfa_cursor_init(&c, b, cap);
    if (!tfa_rd_skip(&c, off) || !tfa_rd_be16(&c, &type)) {
        *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
        return false;
    }
    return follow_ethertype(b, &c, cut, type, seg, res, diag);
}

bool tfa_decode_ethernet(const uint8_t *b, uint32_t cap, bool cut, TfaSegment *seg,
                         TfaLinkResult *res, TfaDiag *diag)
{
    TfaCursor c;
    uint16_t type;

    tfa_cursor_init(&c, b, cap);
    if (!tfa_rd_skip(&c, 12) || !tfa_rd_be16(&c, &type)) {
        *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
        return false;
    }
    return follow_ethertype(b, &c, cut, type, seg, res, diag);
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

/* Linux NFLOG: family, version, resource id, then TLVs (little-endian length
 * and type, padded to 4 bytes); the packet is the NFULA_PAYLOAD TLV. */
static bool decode_nflog(const uint8_t *b, uint32_t cap, bool cut, TfaLinkResult *res,
                         TfaDiag *diag)
{
    if (cap < 4) {
        *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
        return false;
    }
    uint8_t family = b[0];
    uint32_t off = 4;
    for (unsigned n = 0; n < MAX_NFLOG_TLVS; n++) {
        if (off + 4 > cap) {
            *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
            return false;
        }
        uint32_t len = (uint32_t)b[off] | (uint32_t)b[off + 1] << 8;
        uint32_t type = (uint32_t)b[off + 2] | (uint32_t)b[off + 3] << 8;
        if (len < 4) {
            *diag = TFA_DIAG_DECODE_BAD_LINK_HEADER;
            return false;
        }
        if (type == NFULA_PAYLOAD) {
            res->offset = off + 4;
            res->ip_hint = family == 2 ? 4 : family == 10 ? 6 : 0;
            return true;
        }
        off += (len + 3u) & ~3u;
    }
    *diag = TFA_DIAG_DECODE_BAD_LINK_HEADER;
    return false;
}

/* ARCNET: source and destination station IDs, on Linux (DLT_ARCNET_LINUX)
 * a 2-byte offset, then the protocol ID.  RFC 1051 framing ends there; RFC
 * 1201 framing adds a split flag and a 2-byte sequence number, and an
 * exception packet (flag 0xff) repeats protocol ID and split flag after 2
 * padding bytes.  A split flag that is even and not 0 is a later fragment,
 * which holds no IP header. */
static bool decode_arcnet(const uint8_t *b, uint32_t cap, bool cut, bool linux_hdr,
                          TfaLinkResult *res, TfaDiag *diag)
{
    uint32_t t = linux_hdr ? 4 : 2; /* offset of the protocol ID */
    if (cap < t + 1) {
        *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
        return false;
    }
    uint8_t proto = b[t];
    uint32_t off = t + 1;
    if (proto != ARC_IP_RFC1051 && proto != ARC_ARP_RFC1051 && proto != ARC_DIAGNOSE) {
        if (cap < t + 4) {
            *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
            return false;
        }
        uint8_t split = b[t + 1];
        off = t + 4;
        if (split == 0xff) {
            if (cap < t + 8) {
                *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
                return false;
            }
            proto = b[t + 4];
            split = b[t + 5];
            off = t + 8;
        }
        if (split != 0 && (split & 1u) == 0) {
            *diag = TFA_DIAG_DECODE_NOT_IP;
            return false;
        }
    }
    res->offset = off;
    switch (proto) {
    case ARC_IP_RFC1051:
    case ARC_IP_RFC1201:
        res->ip_hint = 4;
        return true;
    case ARC_IPV6:
        res->ip_hint = 6;
        return true;
    default:
        *diag = TFA_DIAG_DECODE_NOT_IP;
        return false;
    }
}

/* FDDI: frame control, destination and source MACs, then an LLC frame
 * (frame control format bits 01) with a SNAP header. */
static bool decode_fddi(const uint8_t *b, uint32_t cap, bool cut, TfaSegment *seg,
                        TfaLinkResult *res, TfaDiag *diag)
{
    if (cap < 13 + 6) {
        *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
        return false;
    }
    const uint8_t *llc = b + 13;
    if ((b[0] & 0x30u) != 0x10u || llc[0] != 0xaa || llc[1] != 0xaa || llc[2] != 0x03 ||
        llc[3] != 0 || llc[4] != 0 || (llc[5] != 0 && llc[5] != 0xf8)) {
        *diag = TFA_DIAG_DECODE_NOT_IP; /* SMT, MAC frames, other LLC */
        return false;
    }
    return tfa_decode_ethertype_at(b, 19, cap, cut, seg, res, diag);
}

/* Cisco HDLC: address, control, then an ethertype. */
static bool decode_c_hdlc(const uint8_t *b, uint32_t cap, bool cut, TfaSegment *seg,
                          TfaLinkResult *res, TfaDiag *diag)
{
    return tfa_decode_ethertype_at(b, 2, cap, cut, seg, res, diag);
}

/* Juniper's capture header (JUNOS "monitor traffic"): the magic "MGC", a
 * flags byte, with the extension flag a 2-byte length and that many bytes
 * of TLVs.  With the no-layer-2 flag a 4-byte protocol word and the IP
 * packet follow (the IP version is read from the packet); otherwise the
 * frame of the link type: Ethernet (JUNIPER_ETHER, and JUNIPER_PPPOE, whose
 * PPPoE frames keep their Ethernet header), PPP in HDLC framing
 * (JUNIPER_PPP) or Cisco HDLC (JUNIPER_CHDLC).  These carry no cookie
 * between the header and the frame. */
static bool decode_juniper(int lt, const uint8_t *b, uint32_t cap, bool cut, TfaSegment *seg,
                           TfaLinkResult *res, TfaDiag *diag)
{
    if (cap < 4) {
        *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
        return false;
    }
    if ((tfa_get_be32(b) >> 8) != JUNIPER_MAGIC) {
        *diag = TFA_DIAG_DECODE_BAD_LINK_HEADER;
        return false;
    }
    uint8_t flags = b[3];
    uint32_t off = 4;
    if (flags & JUNIPER_FLAG_EXT) {
        if (cap < 6) {
            *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
            return false;
        }
        off = 6 + tfa_get_be16(b + 4);
    }
    if (flags & JUNIPER_FLAG_NO_L2) {
        off += 4;
        if (off > cap) {
            *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
            return false;
        }
        res->offset = off;
        res->ip_hint = 0;
        return true;
    }
    if (off > cap) {
        *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
        return false;
    }
    bool ok;
    if (lt == DLT_JUNIPER_PPP) {
        TfaCursor c;
        tfa_cursor_init(&c, b + off, cap - off);
        ok = follow_ppp(b + off, &c, cut, seg, res, diag);
    } else if (lt == DLT_JUNIPER_CHDLC) {
        ok = decode_c_hdlc(b + off, cap - off, cut, seg, res, diag);
    } else {
        ok = tfa_decode_ethernet(b + off, cap - off, cut, seg, res, diag);
    }
    if (!ok)
        return false;
    res->offset += off;
    return true;
}

/* Prism monitor header (LINKTYPE_PRISM_HEADER): a message code and a
 * little-endian message length, the header's size.  Some drivers write an
 * AVS header under this link type instead, known by its magic. */
#define AVS_MAGIC 0x80211001u
static bool decode_wlan_header(const uint8_t *b, uint32_t cap, bool cut, bool prism,
                               TfaSegment *seg, TfaLinkResult *res, TfaDiag *diag)
{
    if (cap < 8) {
        *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
        return false;
    }
    uint32_t hlen;
    if (tfa_get_be32(b) == AVS_MAGIC) {
        /* AVS: magic (version), header length, both big-endian */
        hlen = tfa_get_be32(b + 4);
    } else if (prism) {
        hlen = (uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 | (uint32_t)b[7] << 24;
    } else {
        *diag = TFA_DIAG_DECODE_BAD_LINK_HEADER;
        return false;
    }
    if (hlen < 8) {
        *diag = TFA_DIAG_DECODE_BAD_LINK_HEADER;
        return false;
    }
    if (hlen > cap) {
        *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
        return false;
    }
    if (!tfa_decode_ieee80211(b + hlen, cap - hlen, cut, 0, seg, res, diag))
        return false;
    res->offset += hlen;
    return true;
}

bool tfa_decode_link(const TfaFrame *f, TfaSegment *seg, TfaLinkResult *res, TfaDiag *diag)
{
    TfaCursor c;
    int lt = f->linktype & LINKTYPE_MASK;
    bool cut = f->caplen < f->wirelen;

    tfa_cursor_init(&c, f->bytes, f->caplen);
    res->offset = 0;
    res->ip_hint = 0;

    switch (lt) {
    case DLT_EN10MB:
        return tfa_decode_ethernet(f->bytes, f->caplen, cut, seg, res, diag);
    case DLT_LINUX_SLL: {
        /* packet type, ARPHRD type, address length, 8 address bytes, protocol */
        uint16_t type;
        if (!tfa_rd_skip(&c, 14) || !tfa_rd_be16(&c, &type)) {
            *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
            return false;
        }
        return follow_ethertype(f->bytes, &c, cut, type, seg, res, diag);
    }
    case DLT_LINUX_SLL2: {
        /* protocol, reserved, interface index, ARPHRD type, packet type,
         * address length, 8 address bytes */
        uint16_t type;
        if (!tfa_rd_be16(&c, &type) || !tfa_rd_skip(&c, 18)) {
            *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
            return false;
        }
        return follow_ethertype(f->bytes, &c, cut, type, seg, res, diag);
    }
    case DLT_NULL: {
        uint8_t b[4];
        if (!tfa_rd_bytes(&c, b, 4)) {
            *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
            return false;
        }
        /* Host order of the writer: try little-endian, then big-endian. */
        uint32_t le =
            (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        if (!null_family(le, res) && !null_family(tfa_get_be32(b), res)) {
            *diag = TFA_DIAG_DECODE_NOT_IP;
            return false;
        }
        res->offset = 4;
        return true;
    }
    case DLT_LOOP: {
        uint32_t af;
        if (!tfa_rd_be32(&c, &af)) {
            *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
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
        return true;
    case DLT_IPV4:
        res->ip_hint = 4;
        return true;
    case DLT_IPV6:
        res->ip_hint = 6;
        return true;
    case DLT_PPP_SERIAL:
        /* RFC 1662 framing, or Cisco HDLC (address 0x0f or 0x8f) on the same link */
        if (f->caplen >= 1 && (f->bytes[0] == 0x0f || f->bytes[0] == 0x8f))
            return decode_c_hdlc(f->bytes, f->caplen, cut, seg, res, diag);
        return follow_ppp(f->bytes, &c, cut, seg, res, diag);
    case DLT_PPP:
        return follow_ppp(f->bytes, &c, cut, seg, res, diag);
    case DLT_C_HDLC:
        return decode_c_hdlc(f->bytes, f->caplen, cut, seg, res, diag);
    case DLT_IPOIB: {
        /* LINKTYPE_IPOIB: destination and source hardware addresses (20
         * bytes each), then RFC 4391 §6's ethertype and 2 reserved bytes */
        uint16_t type;
        if (!tfa_rd_skip(&c, 40) || !tfa_rd_be16(&c, &type) || !tfa_rd_skip(&c, 2)) {
            *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
            return false;
        }
        return follow_ethertype(f->bytes, &c, cut, type, seg, res, diag);
    }
    case DLT_NFLOG:
        return decode_nflog(f->bytes, f->caplen, cut, res, diag);
    case DLT_PPI: {
        /* version, flags, header length and inner DLT (little-endian); only
         * Ethernet inside is decoded, which is what capture tools write */
        if (f->caplen < 8) {
            *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
            return false;
        }
        uint32_t hlen = (uint32_t)f->bytes[2] | (uint32_t)f->bytes[3] << 8;
        uint32_t inner = (uint32_t)f->bytes[4] | (uint32_t)f->bytes[5] << 8 |
                         (uint32_t)f->bytes[6] << 16 | (uint32_t)f->bytes[7] << 24;
        if (hlen < 8 || hlen > f->caplen) {
            *diag = short_read(cut, TFA_DIAG_DECODE_BAD_LINK_HEADER);
            return false;
        }
        bool ok;
        if (inner == DLT_EN10MB)
            ok = tfa_decode_ethernet(f->bytes + hlen, f->caplen - hlen, cut, seg, res, diag);
        else if (inner == DLT_IEEE802_11)
            ok = tfa_decode_ieee80211(f->bytes + hlen, f->caplen - hlen, cut, 0, seg, res, diag);
        else if (inner == DLT_IEEE802_11_RADIO)
            ok = tfa_decode_radiotap(f->bytes + hlen, f->caplen - hlen, cut, seg, res, diag);
        else {
            *diag = TFA_DIAG_DECODE_UNKNOWN_LINKTYPE;
            return false;
        }
        if (!ok)
            return false;
        res->offset += hlen;
        return true;
    }
    case DLT_IEEE802_11:
        return tfa_decode_ieee80211(f->bytes, f->caplen, cut, 0, seg, res, diag);
    case DLT_IEEE802_11_RADIO:
        return tfa_decode_radiotap(f->bytes, f->caplen, cut, seg, res, diag);
    case DLT_ARCNET:
        return decode_arcnet(f->bytes, f->caplen, cut, false, res, diag);
    case DLT_ARCNET_LINUX:
        return decode_arcnet(f->bytes, f->caplen, cut, true, res, diag);
    case DLT_FDDI:
        return decode_fddi(f->bytes, f->caplen, cut, seg, res, diag);
    case DLT_JUNIPER_ETHER:
    case DLT_JUNIPER_PPPOE:
    case DLT_JUNIPER_PPP:
    case DLT_JUNIPER_CHDLC:
        return decode_juniper(lt, f->bytes, f->caplen, cut, seg, res, diag);
    case DLT_PRISM_HEADER:
        return decode_wlan_header(f->bytes, f->caplen, cut, true, seg, res, diag);
    case DLT_IEEE802_11_RADIO_AVS:
        return decode_wlan_header(f->bytes, f->caplen, cut, false, seg, res, diag);
    default:
        *diag = TFA_DIAG_DECODE_UNKNOWN_LINKTYPE;
        return false;
    }
}

bool tfa_decode_linktype_supported(int linktype)
{
    switch (linktype & LINKTYPE_MASK) {
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
    case DLT_NULL:
    case DLT_LOOP:
    case DLT_RAW:
    case LINKTYPE_RAW_VALUE:
    case DLT_IPV4:
    case DLT_IPV6:
    case DLT_PPP:
    case DLT_PPP_SERIAL:
    case DLT_C_HDLC:
    case DLT_IPOIB:
    case DLT_NFLOG:
    case DLT_PPI:
    case DLT_IEEE802_11:
    case DLT_IEEE802_11_RADIO:
    case DLT_ARCNET:
    case DLT_ARCNET_LINUX:
    case DLT_FDDI:
    case DLT_JUNIPER_ETHER:
    case DLT_JUNIPER_PPPOE:
    case DLT_JUNIPER_PPP:
    case DLT_JUNIPER_CHDLC:
    case DLT_PRISM_HEADER:
    case DLT_IEEE802_11_RADIO_AVS:
        return true;
    default:
        return false;
    }
}
