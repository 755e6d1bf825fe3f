/* tunnel.c - what a tunnel carries.
 *
 * GRE (RFC 2784, keys and sequence numbers of RFC 2890, PPTP's enhanced GRE
 * of RFC 2637, WCCP redirection, ERSPAN types I, II and III, Aruba's 802.11
 * in GRE), and in UDP: VXLAN (RFC 7348), VXLAN-GPE (UDP 4790,
 * draft-ietf-nvo3-vxlan-gpe), Geneve (RFC 8926), GRE-in-UDP (RFC 8086, UDP
 * 4754), GTP-U (3GPP TS 29.281, UDP 2152, with its extension headers),
 * Teredo (RFC 4380, UDP 3544, with the authentication and origin
 * indicators), AYIYA (UDP 5072) and CAPWAP data (RFC 5415/5416, UDP 5247).
 * The inner packet is then decoded like any other: its addresses and ports
 * key the connection.
 *
 * UDP tunnels are recognised by port, so ordinary UDP traffic on those ports
 * must not be taken for them: each header is validated (version bits,
 * message types, lengths) before it is followed, and a datagram that fails
 * is counted DECODE_NOT_TCP like any other UDP, never as a damaged frame.
 */
#include "config.h"

#include "decode-private.h"

#define IPPROTO_IPIP_VALUE 4
#define IPPROTO_UDP_VALUE 17
#define IPPROTO_IPV6_VALUE 41
#define IPPROTO_GRE_VALUE 47
#define UDP_PORT_GTPU 2152
#define UDP_PORT_TEREDO 3544
#define UDP_PORT_GRE 4754
#define UDP_PORT_VXLAN 4789
#define UDP_PORT_VXLAN_GPE 4790
#define UDP_PORT_AYIYA 5072
#define UDP_PORT_CAPWAP_DATA 5247
#define UDP_PORT_GENEVE 6081
#define GRE_C 0x8000u
#define GRE_K 0x2000u
#define GRE_S 0x1000u
#define GRE_A 0x0080u /* PPTP acknowledgement number present */
#define GRE_VERSION 0x0007u
#define GRE_RESERVED0 0x4ff8u /* routing, strict route, recursion, flags */
#define ETHERTYPE_IPV4 0x0800u
#define ETHERTYPE_IPV6 0x86ddu
#define ETHERTYPE_TEB 0x6558u /* transparent Ethernet bridging */
#define ETHERTYPE_PPP 0x880bu
#define ETHERTYPE_WCCP 0x883eu
#define ETHERTYPE_ERSPAN2 0x88beu /* type I without a sequence number, else II */
#define ETHERTYPE_ERSPAN3 0x22ebu
#define ETHERTYPE_ARUBA_FIRST 0x8200u
#define ETHERTYPE_ARUBA_LAST 0x8370u
#define ETHERTYPE_ARUBA_9000 0x9000u
#define PPP_IPV4 0x0021u
#define PPP_IPV6 0x0057u
#define GTP_G_PDU 0xffu
/* More GTP-U extension headers than this is not real traffic. */
#define MAX_GTP_EXT_HEADERS 16

static TfaDiag short_read(bool cut)
{
    return cut ? TFA_DIAG_DECODE_TRUNCATED : TFA_DIAG_DECODE_BAD_IP_HEADER;
}

/* An 802.11 frame at @t + @off (CAPWAP, Aruba GRE); @how as for
 * tfa_decode_ieee80211(). */
static bool inner_80211(const uint8_t *t, uint32_t cap, uint32_t off, bool cut, unsigned how,
                        TfaSegment *seg, TfaLinkResult *res, TfaDiag *diag)
{
    TfaLinkResult w;
    if (off > cap) {
        *diag = short_read(cut);
        return false;
    }
    if (!tfa_decode_ieee80211(t + off, cap - off, cut, how, seg, &w, diag))
        return false;
    res->offset = off + w.offset;
    res->ip_hint = w.ip_hint;
    return true;
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

/* PPTP: key (payload length, call id) always, then sequence and
 * acknowledgement numbers when flagged; the payload is PPP. */
static bool decode_gre_pptp(TfaCursor *c, const uint8_t *g, uint16_t flags, uint16_t type, bool cut,
                            TfaLinkResult *res, TfaDiag *diag)
{
    uint32_t opt = 4 + ((flags & GRE_S) ? 4u : 0u) + ((flags & GRE_A) ? 4u : 0u);
    if (type != ETHERTYPE_PPP) {
        *diag = TFA_DIAG_DECODE_NOT_TCP;
        return false;
    }
    if (!tfa_rd_skip(c, opt)) {
        *diag = short_read(cut);
        return false;
    }
    if (c->left >= 2 && c->p[0] == 0xff && c->p[1] == 0x03)
        tfa_rd_skip(c, 2);
    uint8_t b0, b1;
    uint16_t proto;
    if (!tfa_rd_u8(c, &b0)) {
        *diag = short_read(cut);
        return false;
    }
    if (b0 & 1u) {
        proto = b0; /* protocol-field compression */
    } else {
        if (!tfa_rd_u8(c, &b1)) {
            *diag = short_read(cut);
            return false;
        }
        proto = (uint16_t)((uint16_t)b0 << 8 | b1);
    }
    if (proto != PPP_IPV4 && proto != PPP_IPV6) {
        *diag = TFA_DIAG_DECODE_NOT_TCP;
        return false;
    }
    res->offset = (uint32_t)(c->p - g);
    res->ip_hint = proto == PPP_IPV4 ? 4 : 6;
    return true;
}

/* A GRE header at @g (@cap bytes captured); offsets in @res relative to @g.
 * @strict: reserved bits must be 0 (GRE-in-UDP, where the port alone is
 * not proof). */
static bool decode_gre(const uint8_t *g, uint32_t cap, bool cut, bool strict, TfaSegment *seg,
                       TfaLinkResult *res, bool *ethernet, TfaDiag *diag)
{
    TfaCursor c;
    uint16_t flags, type;

    tfa_cursor_init(&c, g, cap);
    if (!tfa_rd_be16(&c, &flags) || !tfa_rd_be16(&c, &type)) {
        *diag = strict ? TFA_DIAG_DECODE_NOT_TCP : short_read(cut);
        return false;
    }
    if (strict && ((flags & GRE_RESERVED0) != 0 || (flags & GRE_VERSION) != 0)) {
        *diag = TFA_DIAG_DECODE_NOT_TCP;
        return false;
    }
    if ((flags & GRE_VERSION) == 1)
        return decode_gre_pptp(&c, g, flags, type, cut, res, diag);
    if ((flags & GRE_VERSION) != 0) {
        *diag = TFA_DIAG_DECODE_NOT_TCP;
        return false;
    }
    uint32_t opt =
        ((flags & GRE_C) ? 4u : 0u) + ((flags & GRE_K) ? 4u : 0u) + ((flags & GRE_S) ? 4u : 0u);
    if (!tfa_rd_skip(&c, opt)) {
        *diag = short_read(cut);
        return false;
    }
    uint32_t off = (uint32_t)(c.p - g);
    if (type == ETHERTYPE_WCCP) {
        /* a 4-byte WCCP redirect header, then the redirected IPv4 packet */
        res->offset = off + 4;
        res->ip_hint = 4;
        return true;
    }
    if (type == ETHERTYPE_ERSPAN2) {
        if ((flags & GRE_S) == 0) {
            /* ERSPAN type I: no header of its own, the mirrored frame follows */
            res->offset = off;
            *ethernet = true;
            return true;
        }
        /* type II: 8 bytes (version 1, VLAN, session, index), then Ethernet */
        if (c.left < 8) {
            *diag = short_read(cut);
            return false;
        }
        if ((c.p[0] >> 4) != 1) {
            *diag = TFA_DIAG_DECODE_NOT_TCP;
            return false;
        }
        res->offset = off + 8;
        *ethernet = true;
        return true;
    }
    if (type == ETHERTYPE_ERSPAN3) {
        /* type III: 12 bytes (version 2, VLAN, session, timestamp, SGT,
         * frame type, hardware ID, O flag) and an 8-byte platform-specific
         * subheader when O is set; frame type 0 is Ethernet, 2 is IP */
        if (c.left < 12) {
            *diag = short_read(cut);
            return false;
        }
        if ((c.p[0] >> 4) != 2) {
            *diag = TFA_DIAG_DECODE_NOT_TCP;
            return false;
        }
        uint16_t w3 = tfa_get_be16(c.p + 10);
        uint32_t hlen = 12 + ((w3 & 0x0001u) ? 8u : 0u);
        unsigned ft = (w3 >> 10) & 0x1fu;
        res->offset = off + hlen;
        if (ft == 0) {
            *ethernet = true;
            return true;
        }
        if (ft == 2) {
            res->ip_hint = 0;
            return true;
        }
        *diag = TFA_DIAG_DECODE_NOT_TCP;
        return false;
    }
    if ((type >= ETHERTYPE_ARUBA_FIRST && type <= ETHERTYPE_ARUBA_LAST && (type & 0x0fu) == 0) ||
        type == ETHERTYPE_ARUBA_9000)
        return inner_80211(g, cap, off, cut, 0, seg, res, diag);
    return inner_by_type(type, off, res, ethernet, diag);
}

/* Whether @t (@left bytes) starts like an IP packet of the version @v. */
static bool looks_like_ip(const uint8_t *t, uint32_t left, unsigned v)
{
    if (left < 1 || (t[0] >> 4) != v)
        return false;
    return v == 4 ? (t[0] & 0x0fu) >= 5 : true;
}

/* GTP-U (TS 29.281 §5): version 1 with protocol type 1, message type 255
 * (G-PDU: a user packet follows); the sequence number, N-PDU number and
 * next-extension fields when any of E, S, PN is set; then a chain of
 * extension headers, each its length in 4-byte units first and the next
 * type last.  The user packet is IPv4 or IPv6. */
static bool decode_gtpu(const uint8_t *t, uint32_t left, bool cut, TfaLinkResult *res,
                        TfaDiag *diag)
{
    if (left < 8 || (t[0] >> 5) != 1 || (t[0] & 0x10u) == 0 || t[1] != GTP_G_PDU) {
        *diag = TFA_DIAG_DECODE_NOT_TCP; /* echo, error indication, GTP', not GTP */
        return false;
    }
    uint32_t off = 8;
    if (t[0] & 0x07u) {
        if (left < 12) {
            *diag = cut ? TFA_DIAG_DECODE_TRUNCATED : TFA_DIAG_DECODE_NOT_TCP;
            return false;
        }
        uint8_t next = (t[0] & 0x04u) ? t[11] : 0;
        off = 12;
        for (unsigned n = 0; next != 0; n++) {
            if (n >= MAX_GTP_EXT_HEADERS || off >= left) {
                *diag = n < MAX_GTP_EXT_HEADERS && cut ? TFA_DIAG_DECODE_TRUNCATED
                                                       : TFA_DIAG_DECODE_BAD_IP_HEADER;
                return false;
            }
            uint32_t len = (uint32_t)t[off] * 4;
            if (len == 0) {
                *diag = TFA_DIAG_DECODE_BAD_IP_HEADER;
                return false;
            }
            if (off + len > left) {
                *diag = short_read(cut);
                return false;
            }
            next = t[off + len - 1];
            off += len;
        }
    }
    if (off >= left && cut) {
        *diag = TFA_DIAG_DECODE_TRUNCATED;
        return false;
    }
    if (!looks_like_ip(t + off, left - off, 4) && !looks_like_ip(t + off, left - off, 6)) {
        *diag = TFA_DIAG_DECODE_NOT_TCP; /* a non-IP PDU session, or empty */
        return false;
    }
    res->offset = off;
    res->ip_hint = 0;
    return true;
}

/* Teredo (RFC 4380 §5.1.1): an optional authentication indicator (0x0001,
 * client identifier and authentication value lengths, both values, an
 * 8-byte nonce and the confirmation byte), an optional origin indicator
 * (0x0000, obfuscated port and address), then an IPv6 packet. */
static bool decode_teredo(const uint8_t *t, uint32_t left, uint32_t wire, TfaLinkResult *res,
                          TfaDiag *diag)
{
    uint32_t off = 0;
    if (left >= 4 && t[0] == 0x00 && t[1] == 0x01)
        off = 4u + t[2] + t[3] + 9u;
    if (off + 2 <= left && t[off] == 0x00 && t[off + 1] == 0x00)
        off += 8;
    /* an IPv6 header whose payload fits in the datagram (@wire bytes) */
    if (off + 40 > left || (t[off] >> 4) != 6 || off + 40 + tfa_get_be16(t + off + 4) > wire) {
        *diag = TFA_DIAG_DECODE_NOT_TCP;
        return false;
    }
    res->offset = off;
    res->ip_hint = 6;
    return true;
}

/* AYIYA (draft-massar-v6ops-ayiya): identity length (a power of two) and
 * type, signature length (4-byte units) and hash method, authentication
 * method and opcode, next header, epoch time; the identity and signature;
 * then the packet when the opcode is 1 (forward). */
static bool decode_ayiya(const uint8_t *t, uint32_t left, bool cut, TfaLinkResult *res,
                         TfaDiag *diag)
{
    if (left < 8 || (t[2] & 0x0fu) != 1 ||
        (t[3] != IPPROTO_IPV6_VALUE && t[3] != IPPROTO_IPIP_VALUE)) {
        *diag = TFA_DIAG_DECODE_NOT_TCP;
        return false;
    }
    uint32_t off = 8 + (1u << (t[0] >> 4)) + (uint32_t)(t[1] >> 4) * 4;
    unsigned v = t[3] == IPPROTO_IPV6_VALUE ? 6 : 4;
    if (off >= left) {
        *diag = cut ? TFA_DIAG_DECODE_TRUNCATED : TFA_DIAG_DECODE_NOT_TCP;
        return false;
    }
    if (!looks_like_ip(t + off, left - off, v)) {
        *diag = TFA_DIAG_DECODE_NOT_TCP;
        return false;
    }
    res->offset = off;
    res->ip_hint = (uint8_t)v;
    return true;
}

/* CAPWAP data channel (RFC 5415 §4.3): the preamble (version 0; type 1 is
 * a DTLS record), then HLEN (header length in 4-byte words), radio ID,
 * wireless binding ID, the T flag (native frame: 802.11 for binding 1; else
 * an 802.3 frame), the fragment, keep-alive and other flags.  Only whole
 * packets and first fragments are followed.  Some access points send the
 * 802.11 frame control with its bytes swapped (Wireshark's capwap.swap_fc,
 * on by default); both orders are recognised. */
static bool decode_capwap(const uint8_t *t, uint32_t left, bool cut, TfaSegment *seg,
                          TfaLinkResult *res, bool *ethernet, TfaDiag *diag)
{
    if (left < 1 || (t[0] >> 4) != 0 || (t[0] & 0x0fu) > 1) {
        *diag = TFA_DIAG_DECODE_NOT_TCP;
        return false;
    }
    if ((t[0] & 0x0fu) == 1) {
        *diag = TFA_DIAG_DECODE_ENCRYPTED;
        return false;
    }
    if (left < 8) {
        *diag = cut ? TFA_DIAG_DECODE_TRUNCATED : TFA_DIAG_DECODE_NOT_TCP;
        return false;
    }
    uint32_t bits = tfa_get_be32(t);
    uint32_t hlen = ((bits >> 19) & 0x1fu) * 4;
    unsigned wbid = (bits >> 9) & 0x1fu;
    bool native = (bits >> 8) & 1u, frag = (bits >> 7) & 1u, keepalive = (bits >> 3) & 1u;
    uint16_t frag_off = tfa_get_be16(t + 6) >> 3;
    if (hlen < 8 || keepalive || (frag && frag_off != 0)) {
        *diag = TFA_DIAG_DECODE_NOT_TCP;
        return false;
    }
    if (!native) {
        res->offset = hlen;
        *ethernet = true;
        return true;
    }
    if (wbid != 1) {
        *diag = TFA_DIAG_DECODE_NOT_TCP;
        return false;
    }
    return inner_80211(t, left, hlen, cut, TFA_WLAN_FC_SWAPPED, seg, res, diag);
}

/* VXLAN-GPE: flags (version 0, I, P = next protocol present, B, O),
 * reserved, next protocol (1 IPv4, 2 IPv6, 3 Ethernet), VNI, reserved. */
static bool decode_vxlan_gpe(const uint8_t *t, uint32_t left, bool cut, TfaLinkResult *res,
                             bool *ethernet, TfaDiag *diag)
{
    if (left < 8 || (t[0] & 0x30u) != 0 || (t[0] & 0x08u) == 0) {
        *diag = left < 8 && cut ? TFA_DIAG_DECODE_TRUNCATED : TFA_DIAG_DECODE_NOT_TCP;
        return false;
    }
    res->offset = 8;
    uint8_t np = (t[0] & 0x04u) ? t[3] : 3;
    switch (np) {
    case 1:
        res->ip_hint = 4;
        return true;
    case 2:
        res->ip_hint = 6;
        return true;
    case 3:
        *ethernet = true;
        return true;
    default:
        *diag = TFA_DIAG_DECODE_NOT_TCP; /* NSH, MPLS */
        return false;
    }
}

static bool port_is(uint16_t sport, uint16_t dport, uint16_t port)
{
    return sport == port || dport == port;
}

static bool decode_udp_tunnel(const TfaIpResult *ip, bool cut, TfaSegment *seg, TfaLinkResult *res,
                              bool *ethernet, TfaDiag *diag)
{
    if (ip->l4_cap < 8) {
        *diag = cut ? TFA_DIAG_DECODE_TRUNCATED : TFA_DIAG_DECODE_NOT_TCP;
        return false;
    }
    uint16_t dport = tfa_get_be16(ip->l4 + 2);
    uint16_t sport = tfa_get_be16(ip->l4);
    const uint8_t *t = ip->l4 + 8;
    uint32_t left = ip->l4_cap - 8;
    bool ok;
    if (dport == UDP_PORT_VXLAN || (sport == UDP_PORT_VXLAN && dport != UDP_PORT_GENEVE)) {
        /* flags (I set; the reserved bits clear but for VXLAN-GBP's G),
         * reserved, VNI, reserved: then Ethernet */
        if (left < 8 || (t[0] & 0x08u) == 0 || (t[0] & 0x77u) != 0) {
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
    if (port_is(sport, dport, UDP_PORT_VXLAN_GPE))
        ok = decode_vxlan_gpe(t, left, cut, res, ethernet, diag);
    else if (port_is(sport, dport, UDP_PORT_GTPU))
        ok = decode_gtpu(t, left, cut, res, diag);
    else if (port_is(sport, dport, UDP_PORT_TEREDO))
        ok = decode_teredo(t, left, ip->l4_len > 8 ? ip->l4_len - 8 : left, res, diag);
    else if (port_is(sport, dport, UDP_PORT_GRE))
        ok = decode_gre(t, left, cut, true, seg, res, ethernet, diag);
    else if (port_is(sport, dport, UDP_PORT_AYIYA))
        ok = decode_ayiya(t, left, cut, res, diag);
    else if (port_is(sport, dport, UDP_PORT_CAPWAP_DATA))
        ok = decode_capwap(t, left, cut, seg, res, ethernet, diag);
    else {
        *diag = TFA_DIAG_DECODE_NOT_TCP;
        return false;
    }
    if (ok)
        res->offset += 8;
    return ok;
}

bool tfa_decode_tunnel(const TfaIpResult *ip, bool cut, TfaSegment *seg, TfaLinkResult *res,
                       bool *ethernet, TfaDiag *diag)
{
    *ethernet = false;
    res->ip_hint = 0;
    res->offset = 0;
    switch (ip->proto) {
    case IPPROTO_GRE_VALUE:
        return decode_gre(ip->l4, ip->l4_cap, cut, false, seg, res, ethernet, diag);
    case IPPROTO_UDP_VALUE:
        return decode_udp_tunnel(ip, cut, seg, res, ethernet, diag);
    default:
        *diag = TFA_DIAG_DECODE_NOT_TCP;
        return false;
    }
}
