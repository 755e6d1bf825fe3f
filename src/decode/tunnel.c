/* tunnel.c - what a tunnel carries: GRE (RFC 2784, keys and sequence numbers
 * of RFC 2890, PPTP's enhanced GRE of RFC 2637, WCCP redirection, ERSPAN
 * type II), VXLAN (RFC 7348) and Geneve (RFC 8926).  The inner packet is
 * then decoded like any other: its addresses and ports key the connection. */
#include "config.h"

#include "decode-private.h"

#define IPPROTO_UDP_VALUE 17
#define IPPROTO_GRE_VALUE 47
#define UDP_PORT_VXLAN 4789
#define UDP_PORT_GENEVE 6081
#define GRE_C 0x8000u
#define GRE_K 0x2000u
#define GRE_S 0x1000u
#define GRE_A 0x0080u /* PPTP acknowledgement number present */
#define GRE_VERSION 0x0007u
#define ETHERTYPE_IPV4 0x0800u
#define ETHERTYPE_IPV6 0x86ddu
#define ETHERTYPE_TEB 0x6558u   /* transparent Ethernet bridging */
#define ETHERTYPE_PPP 0x880bu
#define ETHERTYPE_WCCP 0x883eu
#define ETHERTYPE_ERSPAN2 0x88beu
#define PPP_IPV4 0x0021u
#define PPP_IPV6 0x0057u

static TfaDiag short_read(bool cut)
{
    return cut ? TFA_DIAG_DECODE_TRUNCATED : TFA_DIAG_DECODE_BAD_IP_HEADER;
}

/* Where a protocol type says the inner packet starts at @off. */
static bool inner_by_type(uint16_t type, uint32_t off, TfaLinkResult *res, bool *ethernet,
                          TfaDiag *diag)
{
    res->offset = off;
    switch (type) {
    case ETHERTYPE_IPV4:
        res->ip_hint = 4;
        return true;
    case ETHERTYPE_IPV6:
        res->ip_hint = 6;
        return true;
    case ETHERTYPE_TEB:
        *ethernet = true;
        return true;
    default:
        *diag = TFA_DIAG_DECODE_NOT_TCP;
        return false;
    }
}

static bool decode_gre(const TfaIpResult *ip, bool cut, TfaLinkResult *res, bool *ethernet,
                       TfaDiag *diag)
{
    TfaCursor c;
    uint16_t flags, type;

    tfa_cursor_init(&c, ip->l4, ip->l4_cap);
    if (!tfa_rd_be16(&c, &flags) || !tfa_rd_be16(&c, &type)) {
        *diag = short_read(cut);
        return false;
    }
    uint32_t opt = 0;
    if ((flags & GRE_VERSION) == 1) {
        /* PPTP: key (payload length, call id) always, then sequence and
         * acknowledgement numbers when flagged; payload is PPP */
        opt = 4 + ((flags & GRE_S) ? 4u : 0u) + ((flags & GRE_A) ? 4u : 0u);
        if (type != ETHERTYPE_PPP || !tfa_rd_skip(&c, opt)) {
            *diag = type != ETHERTYPE_PPP ? TFA_DIAG_DECODE_NOT_TCP : short_read(cut);
            return false;
        }
        uint8_t ppp[4];
        uint32_t hdr = 0;
        if (c.left >= 2 && c.p[0] == 0xff && c.p[1] == 0x03)
            hdr = 2;
        if (!tfa_rd_skip(&c, hdr) || c.left < 1) {
            *diag = short_read(cut);
            return false;
        }
        uint16_t proto;
        if (c.p[0] & 1u) {
            proto = c.p[0];
            hdr = 1;
        } else {
            if (!tfa_rd_bytes(&c, ppp, 2)) {
                *diag = short_read(cut);
                return false;
            }
            proto = (uint16_t)((uint16_t)ppp[0] << 8 | ppp[1]);
            hdr = 0;
        }
        tfa_rd_skip(&c, hdr);
        if (proto != PPP_IPV4 && proto != PPP_IPV6) {
            *diag = TFA_DIAG_DECODE_NOT_TCP;
            return false;
        }
        res->offset = (uint32_t)(c.p - ip->l4);
        res->ip_hint = proto == PPP_IPV4 ? 4 : 6;
        return true;
    }
    if ((flags & GRE_VERSION) != 0) {
        *diag = TFA_DIAG_DECODE_NOT_TCP;
        return false;
    }
    opt = ((flags & GRE_C) ? 4u : 0u) + ((flags & GRE_K) ? 4u : 0u) + ((flags & GRE_S) ? 4u : 0u);
    if (!tfa_rd_skip(&c, opt)) {
        *diag = short_read(cut);
        return false;
    }
    uint32_t off = (uint32_t)(c.p - ip->l4);
    if (type == ETHERTYPE_WCCP) {
        /* a 4-byte WCCP redirect header, then the redirected IPv4 packet */
        res->offset = off + 4;
        res->ip_hint = 4;
        return true;
    }
    if (type == ETHERTYPE_ERSPAN2) {
        /* an 8-byte ERSPAN type II header (with the sequence number), then Ethernet */
        res->offset = off + 8;
        *ethernet = true;
        return true;
    }
    return inner_by_type(type, off, res, ethernet, diag);
}

static bool decode_udp_tunnel(const TfaIpResult *ip, bool cut, TfaLinkResult *res, bool *ethernet,
                              TfaDiag *diag)
{
    if (ip->l4_cap < 8) {
        *diag = cut ? TFA_DIAG_DECODE_TRUNCATED : TFA_DIAG_DECODE_NOT_TCP;
        return false;
    }
    uint16_t dport = tfa_get_be16(ip->l4 + 2);
    uint16_t sport = tfa_get_be16(ip->l4);
    const uint8_t *t = ip->l4 + 8;
    uint32_t left = ip->l4_cap - 8;
    if (dport == UDP_PORT_VXLAN || (sport == UDP_PORT_VXLAN && dport != UDP_PORT_GENEVE)) {
        /* flags (I bit), reserved, VNI, reserved: then Ethernet */
        if (left < 8 || (t[0] & 0x08u) == 0) {
            *diag = left < 8 && cut ? TFA_DIAG_DECODE_TRUNCATED : TFA_DIAG_DECODE_NOT_TCP;
            return false;
        }
        res->offset = 16;
        *ethernet = true;
        return true;
    }
    if (dport == UDP_PORT_GENEVE || sport == UDP_PORT_GENEVE) {
        /* version and option length (4-byte units), flags, protocol type, VNI */
        if (left < 8 || (t[0] >> 6) != 0) {
            *diag = left < 8 && cut ? TFA_DIAG_DECODE_TRUNCATED : TFA_DIAG_DECODE_NOT_TCP;
            return false;
        }
        uint32_t optlen = (uint32_t)(t[0] & 0x3fu) * 4;
        return inner_by_type(tfa_get_be16(t + 2), 16 + optlen, res, ethernet, diag);
    }
    *diag = TFA_DIAG_DECODE_NOT_TCP;
    return false;
}

bool tfa_decode_tunnel(const TfaIpResult *ip, bool cut, TfaSegment *seg, TfaLinkResult *res,
                       bool *ethernet, TfaDiag *diag)
{
    (void)seg;
    *ethernet = false;
    res->ip_hint = 0;
    res->offset = 0;
    switch (ip->proto) {
    case IPPROTO_GRE_VALUE:
        return decode_gre(ip, cut, res, ethernet, diag);
    case IPPROTO_UDP_VALUE:
        return decode_udp_tunnel(ip, cut, res, ethernet, diag);
    default:
        *diag = TFA_DIAG_DECODE_NOT_TCP;
        return false;
    }
}
