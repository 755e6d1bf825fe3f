/* ipcomp.h - IP payload compression (RFC 3173) undone, between decode and
 * conntrack, as a receiver's ipcomp_input() does.
 *
 * Owns: TfaIpcomp, one zlib inflate stream and one output buffer of 65535
 * bytes, set up once (tfa_ipcomp_new); nothing is allocated per packet.
 * Borrows: the packet for the call.  Lends: the inflated datagram, valid
 * until the next call.
 *
 * The IPComp header (next header, flags, CPI) is dropped and the IP header
 * that carried it is rebuilt in front of the inflated bytes with the next
 * header and length of what they are (RFC 3173 §3.3): IPv4 as a 20-byte
 * header without options, IPv6 as the fixed header (extension headers
 * before IPComp have been processed).  The algorithm is DEFLATE (RFC 2394,
 * raw deflate without zlib header) for the well-known CPI 2 and for the CPIs
 * from 256 up that IKE negotiates (DEFLATE is the one every implementation
 * has); OUI (1), LZS (3) and LZJH (4) are not decoded.  A datagram that does
 * not inflate to a complete DEFLATE stream within 65535 bytes is refused.
 * Without zlib at build time nothing is inflated.
 */
#pragma once

#include "tcpflow-audit/common.h"

typedef struct TfaIpcomp TfaIpcomp;

TfaIpcomp *tfa_ipcomp_new(void);
void tfa_ipcomp_free(TfaIpcomp *c);

/* @ip: the IP header (version 4 or 6) whose payload, at @comp, is the IPComp
 * header and @len bytes from it (all captured).  On success *out and
 * *out_len are the rebuilt datagram. */
bool tfa_ipcomp_inflate(TfaIpcomp *c, const uint8_t *ip, const uint8_t *comp, uint32_t len,
                        const uint8_t **out, uint32_t *out_len);
