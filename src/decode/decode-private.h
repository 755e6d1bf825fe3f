/* decode-private.h - the decode stage's internal steps (link.c, ip.c, tcp.c).
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

/* @cap bytes captured from the IP header on, @wire bytes on the wire.  On
 * success the result describes the TCP segment (header and payload) as the
 * IP layer bounds it. */
typedef struct TfaIpResult {
    const uint8_t *l4;
    uint32_t l4_cap;   /* bytes of the transport segment captured */
    uint32_t l4_len;   /* transport segment length from the IP header */
} TfaIpResult;

bool tfa_decode_ip_layer(const uint8_t *bytes, uint32_t cap, uint32_t wire, uint8_t ip_hint,
                         TfaSegment *seg, TfaIpResult *res, TfaDiag *diag);

bool tfa_decode_tcp_layer(const TfaIpResult *ip, bool snaplen_cut, TfaSegment *seg, TfaDiag *diag);
