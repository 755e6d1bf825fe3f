/* decode-private.h - the decode stage's internal steps (link.c, wlan.c, ip.c,
 * tunnel.c, tcp.c).
 *
 * Each step reads a bounded range of the frame and fills part of the
 * TfaSegment; a false return means the frame is skipped with *diag saying
 * why.  Non-fatal problems are OR-ed into seg->diags.
 */
#pragma once

#include "tcpflow-audit/decode.h"

#include "cursor.h"

#define TFA_DIAG_BIT(d) (1u << (unsigned)(TFA_DIAG_##d))

/* Where the IP packet starts in a frame, and which version the link says. */
typedef struct TfaLinkResult {
    uint32_t offset;  /* of the IP header in the frame */
    uint8_t ip_hint;  /* 4, 6, or 0 = look at the version nibble */
} TfaLinkResult;

bool tfa_decode_link(const TfaFrame *frame, TfaSegment *seg, TfaLinkResult *res, TfaDiag *diag);

/* An Ethernet frame at @b (also inside GRE, VXLAN, Geneve); @cut: the frame
 * was cut by the snaplen.  res->offset is relative to @b. */
bool tfa_decode_ethernet(const uint8_t *b, uint32_t cap, bool cut, TfaSegment *seg,
                         TfaLinkResult *res, TfaDiag *diag);

/* The ethertype at @b + @off and what follows it (tags, MPLS, PPPoE...) up
 * to IP; res->offset is relative to @b. */
bool tfa_decode_ethertype_at(const uint8_t *b, uint32_t off, uint32_t cap, bool cut,
                             TfaSegment *seg, TfaLinkResult *res, TfaDiag *diag);

/* wlan.c: an 802.11 frame at @b, or a radiotap header and the 802.11 frame
 * after it.  @how: TFA_WLAN_DATAPAD (radiotap says the MAC header is padded
 * to 4 bytes), TFA_WLAN_FC_SWAPPED (the frame control bytes may come
 * swapped: CAPWAP). */
#define TFA_WLAN_DATAPAD 1u
#define TFA_WLAN_FC_SWAPPED 2u
bool tfa_decode_ieee80211(const uint8_t *b, uint32_t cap, bool cut, unsigned how,
                          TfaSegment *seg, TfaLinkResult *res, TfaDiag *diag);
bool tfa_decode_radiotap(const uint8_t *b, uint32_t cap, bool cut, TfaSegment *seg,
                         TfaLinkResult *res, TfaDiag *diag);

/* @cap bytes captured from the IP header on, @wire bytes on the wire.  On
 * success the result describes the TCP segment (header and payload) as the
 * IP layer bounds it. */
typedef struct TfaIpResult {
    uint8_t proto;     /* transport protocol after every extension header */
    const uint8_t *l4;
    uint32_t l4_cap;   /* bytes of the transport segment captured */
    uint32_t l4_len;   /* transport segment length from the IP header */
} TfaIpResult;

bool tfa_decode_ip_layer(const uint8_t *bytes, uint32_t cap, uint32_t wire, uint8_t ip_hint,
                         TfaSegment *seg, TfaIpResult *res, TfaDiag *diag);

/* Tunnels: the payload of GRE (RFC 2784/2890, PPTP's RFC 2637), VXLAN (RFC
 * 7348) and Geneve (RFC 8926), as a link result relative to ip->l4: the
 * inner packet is IP (ip_hint 4/6/0) or Ethernet (*ethernet set). */
bool tfa_decode_tunnel(const TfaIpResult *ip, bool cut, TfaSegment *seg, TfaLinkResult *res,
                       bool *ethernet, TfaDiag *diag);

bool tfa_decode_tcp_layer(const TfaIpResult *ip, bool snaplen_cut, TfaSegment *seg, TfaDiag *diag);

/* An ICMP error (the IP layer's version says v4 or v6) quoting a TCP
 * segment: fills seg->icmp and puts the quoted segment's addresses, ports
 * and sequence number in *seg (src/decode/icmp.c).  False, with *diag =
 * DECODE_NOT_TCP, for any other ICMP message. */
bool tfa_decode_icmp_layer(const TfaIpResult *ip, TfaSegment *seg, TfaDiag *diag);
