/* decode.c - one frame to one TfaSegment: link, then IP (through any
 * IP-in-IP, GRE, VXLAN or Geneve tunnels), then TCP. */
#include "config.h"

#include "tcpflow-audit/decode.h"

#include "decode-private.h"

#include <string.h>

#define IPPROTO_IPIP_VALUE 4
#define IPPROTO_TCP_VALUE 6
#define IPPROTO_IPV6_VALUE 41
#define IPPROTO_COMP_VALUE 108
#define IPPROTO_ICMP_VALUE 1
#define IPPROTO_ICMPV6_VALUE 58

/* Tunnels inside tunnels beyond this are not real traffic. */
#define MAX_ENCAP_DEPTH 4

static TfaDecodeStatus decode_from_ip(const uint8_t *b, uint32_t cap, uint32_t wire,
                                      uint8_t ip_hint, TfaSegment *seg, TfaDiag *diag)
{
    bool cut = cap < wire;

    for (unsigned depth = 0;; depth++) {
        TfaIpResult ip;
        TfaLinkResult inner;
        bool ethernet = false;

        if (!tfa_decode_ip_layer(b, cap, wire, ip_hint, seg, &ip, diag))
            return TFA_DECODE_SKIP;
        if (ip.proto == IPPROTO_TCP_VALUE)
            return tfa_decode_tcp_layer(&ip, cut, seg, diag) ? TFA_DECODE_TCP : TFA_DECODE_SKIP;
        if (ip.proto == IPPROTO_COMP_VALUE && seg->comp == NULL) {
            /* compressed (RFC 3173): inflated by the engine (ipcomp.h) */
            seg->comp_ip = b;
            seg->comp = ip.l4;
            seg->comp_len = ip.l4_len;
            seg->comp_caplen = ip.l4_cap;
            *diag = TFA_DIAG_DECODE_NOT_TCP;
            return TFA_DECODE_SKIP;
        }
        if ((ip.proto == IPPROTO_ICMP_VALUE && seg->ip_version == 4) ||
            (ip.proto == IPPROTO_ICMPV6_VALUE && seg->ip_version == 6))
            return tfa_decode_icmp_layer(&ip, seg, diag) ? TFA_DECODE_ICMP_ERROR : TFA_DECODE_SKIP;
        if (depth >= MAX_ENCAP_DEPTH) {
            *diag = TFA_DIAG_DECODE_NOT_TCP;
            return TFA_DECODE_SKIP;
        }
        if (ip.proto == IPPROTO_IPIP_VALUE || ip.proto == IPPROTO_IPV6_VALUE) {
            inner.offset = 0;
            inner.ip_hint = ip.proto == IPPROTO_IPIP_VALUE ? 4 : 6;
        } else if (!tfa_decode_tunnel(&ip, cut, seg, &inner, &ethernet, diag)) {
            return TFA_DECODE_SKIP;
        }
        if (inner.offset > ip.l4_cap) {
            *diag = cut ? TFA_DIAG_DECODE_TRUNCATED : TFA_DIAG_DECODE_BAD_IP_LENGTH;
            return TFA_DECODE_SKIP;
        }
        b = ip.l4 + inner.offset;
        cap = ip.l4_cap - inner.offset;
        wire = ip.l4_len > inner.offset ? ip.l4_len - inner.offset : cap;
        if (wire < cap)
            wire = cap;
        if (cut && wire == cap)
            wire = cap + 1; /* keep "cut by the snaplen" through the tunnel */
        ip_hint = inner.ip_hint;
        if (ethernet) {
            TfaLinkResult eth;
            if (!tfa_decode_ethernet(b, cap, cut, seg, &eth, diag))
                return TFA_DECODE_SKIP;
            b += eth.offset;
            cap -= eth.offset;
            wire -= eth.offset;
            ip_hint = eth.ip_hint;
        }
    }
}

TfaDecodeStatus tfa_decode_frame(const TfaFrame *frame, TfaSegment *seg, TfaDiag *diag)
{
    TfaLinkResult link;

    memset(seg, 0, sizeof(*seg));
    seg->frame_no = frame->frame_no;
    seg->ts = frame->ts;
    /* a record header no capture tool writes: caplen above the wire length */
    if (frame->caplen > frame->wirelen)
        seg->diags |= TFA_DIAG_BIT(CAPTURE_CAPLEN_ABOVE_WIRELEN);
    if (!tfa_decode_link(frame, seg, &link, diag))
        return TFA_DECODE_SKIP;
    uint32_t wire = frame->wirelen > frame->caplen ? frame->wirelen : frame->caplen;
    return decode_from_ip(frame->bytes + link.offset, frame->caplen - link.offset,
                          wire - link.offset, link.ip_hint, seg, diag);
}

TfaDecodeStatus tfa_decode_ip(const uint8_t *bytes, uint32_t caplen, uint32_t wirelen,
                              TfaSegment *seg, TfaDiag *diag)
{
    memset(seg, 0, sizeof(*seg));
    return decode_from_ip(bytes, caplen, wirelen, 0, seg, diag);
}
