/* decode.c - one frame to one TfaSegment: link, then IP, then TCP. */
#include "config.h"

#include "tcpflow-audit/decode.h"

#include "decode-private.h"

#include <string.h>

static TfaDecodeStatus decode_from_ip(const uint8_t *b, uint32_t cap, uint32_t wire,
                                      uint8_t ip_hint, TfaSegment *seg, TfaDiag *diag)
{
    TfaIpResult ip;

    if (!tfa_decode_ip_layer(b, cap, wire, ip_hint, seg, &ip, diag))
        return TFA_DECODE_SKIP;
    if (!tfa_decode_tcp_layer(&ip, cap < wire, seg, diag))
        return TFA_DECODE_SKIP;
    return TFA_DECODE_TCP;
}

TfaDecodeStatus tfa_decode_frame(const TfaFrame *frame, TfaSegment *seg, TfaDiag *diag)
{
    TfaLinkResult link;

    memset(seg, 0, sizeof(*seg));
    seg->frame_no = frame->frame_no;
    seg->ts = frame->ts;
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
