/* ipcomp.c - RFC 3173 payloads inflated into a buffer set up once (see
 * ipcomp.h). */
#include "config.h"

#include "tcpflow-audit/ipcomp.h"

#include <glib.h>
#include <string.h>

#ifdef HAVE_ZLIB
#include <zlib.h>
#endif

#define IPCOMP_HDR 4u
#define IP_MAXPACKET 65535u
#define CPI_DEFLATE 2u
#define CPI_FIRST_NEGOTIATED 256u

struct TfaIpcomp {
#ifdef HAVE_ZLIB
    z_stream z;
    bool ready;
#endif
    uint8_t out[IP_MAXPACKET];
};

TfaIpcomp *tfa_ipcomp_new(void)
{
    TfaIpcomp *c = g_new0(TfaIpcomp, 1);
#ifdef HAVE_ZLIB
    c->ready = inflateInit2(&c->z, -15) == Z_OK; /* raw DEFLATE (RFC 2394) */
#endif
    return c;
}

void tfa_ipcomp_free(TfaIpcomp *c)
{
    if (c == NULL)
        return;
#ifdef HAVE_ZLIB
    if (c->ready)
        inflateEnd(&c->z);
#endif
    g_free(c);
}

bool tfa_ipcomp_inflate(TfaIpcomp *c, const uint8_t *ip, const uint8_t *comp, uint32_t len,
                        const uint8_t **out, uint32_t *out_len)
{
#ifdef HAVE_ZLIB
    if (!c->ready || len <= IPCOMP_HDR)
        return false;
    uint32_t cpi = (uint32_t)comp[2] << 8 | comp[3];
    if (cpi != CPI_DEFLATE && cpi < CPI_FIRST_NEGOTIATED)
        return false;
    bool v4 = (ip[0] >> 4) == 4;
    uint32_t hl = v4 ? 20 : 40;
    if (inflateReset(&c->z) != Z_OK)
        return false;
    c->z.next_in = (Bytef *)(uintptr_t)(comp + IPCOMP_HDR);
    c->z.avail_in = len - IPCOMP_HDR;
    c->z.next_out = c->out + hl;
    c->z.avail_out = (uInt)(sizeof(c->out) - hl); /* the datagram within 65535 bytes */
    if (inflate(&c->z, Z_FINISH) != Z_STREAM_END)
        return false;
    uint32_t n = (uint32_t)(c->z.next_out - (c->out + hl));
    memcpy(c->out, ip, hl);
    if (v4) {
        uint32_t tot = hl + n;
        c->out[0] = 0x45; /* the options stay behind */
        c->out[2] = (uint8_t)(tot >> 8);
        c->out[3] = (uint8_t)tot;
        c->out[9] = comp[0];
    } else {
        c->out[4] = (uint8_t)(n >> 8);
        c->out[5] = (uint8_t)n;
        c->out[6] = comp[0];
    }
    *out = c->out;
    *out_len = hl + n;
    return true;
#else
    (void)c;
    (void)ip;
    (void)comp;
    (void)len;
    (void)out;
    (void)out_len;
    return false;
#endif
}
