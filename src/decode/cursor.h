/* cursor.h - bounded big-endian reads over captured bytes (private to decode).
 *
 * A TfaCursor borrows a byte range; every read checks the remaining length
 * first and returns false instead of reading past it.  Nothing is ever cast
 * to a struct.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef struct TfaCursor {
    const uint8_t *p;
    uint32_t left;
} TfaCursor;

static inline void tfa_cursor_init(TfaCursor *c, const uint8_t *p, uint32_t len)
{
    c->p = p;
    c->left = len;
}

static inline bool tfa_rd_skip(TfaCursor *c, uint32_t n)
{
    if (c->left < n)
        return false;
    c->p += n;
    c->left -= n;
    return true;
}

static inline bool tfa_rd_u8(TfaCursor *c, uint8_t *v)
{
    if (c->left < 1)
        return false;
    *v = c->p[0];
    c->p++;
    c->left--;
    return true;
}

static inline bool tfa_rd_be16(TfaCursor *c, uint16_t *v)
{
    if (c->left < 2)
        return false;
    *v = (uint16_t)((uint16_t)c->p[0] << 8 | c->p[1]);
    c->p += 2;
    c->left -= 2;
    return true;
}

static inline bool tfa_rd_be32(TfaCursor *c, uint32_t *v)
{
    if (c->left < 4)
        return false;
    *v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 | (uint32_t)c->p[2] << 8 | c->p[3];
    c->p += 4;
    c->left -= 4;
    return true;
}

static inline bool tfa_rd_bytes(TfaCursor *c, uint8_t *out, uint32_t n)
{
    if (c->left < n)
        return false;
    for (uint32_t i = 0; i < n; i++)
        out[i] = c->p[i];
    c->p += n;
    c->left -= n;
    return true;
}

/* Unchecked peeks for callers that have already checked the length. */
static inline uint16_t tfa_get_be16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t tfa_get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
