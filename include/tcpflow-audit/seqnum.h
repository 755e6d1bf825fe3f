/* seqnum.h - wrap-safe 32-bit TCP sequence arithmetic (RFC 9293 §3.4, RFC 1982).
 *
 * Every comparison of sequence or acknowledgement numbers in tcpflow-audit
 * goes through these helpers; no raw < or > on them anywhere else.  The
 * comparisons are written on unsigned differences, so no conversion of an
 * out-of-range value to a signed type is involved.  As in RFC 1982, the
 * order of two numbers exactly 2^31 apart is undefined: tfa_seq_lt(a, b) and
 * tfa_seq_lt(b, a) are then both true.  Owns nothing; all static inline.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* a < b in sequence space */
static inline bool tfa_seq_lt(uint32_t a, uint32_t b)
{
    return ((uint32_t)(a - b) & 0x80000000u) != 0;
}

static inline bool tfa_seq_le(uint32_t a, uint32_t b)
{
    return a == b || tfa_seq_lt(a, b);
}

static inline bool tfa_seq_gt(uint32_t a, uint32_t b)
{
    return tfa_seq_lt(b, a);
}

static inline bool tfa_seq_ge(uint32_t a, uint32_t b)
{
    return a == b || tfa_seq_lt(b, a);
}

/* Forward distance from @from to @to (to - from modulo 2^32). */
static inline uint32_t tfa_seq_diff(uint32_t to, uint32_t from)
{
    return (uint32_t)(to - from);
}

/* Signed distance from @from to @to, in the range [-2^31, 2^31). */
static inline int64_t tfa_seq_delta(uint32_t to, uint32_t from)
{
    uint32_t d = (uint32_t)(to - from);
    return (d & 0x80000000u) ? -(int64_t)(uint32_t)(0u - d) : (int64_t)d;
}

/* left <= seq < left + len (RFC 9293 §3.4 acceptability, one bound each side). */
static inline bool tfa_seq_in_window(uint32_t seq, uint32_t left, uint32_t len)
{
    return (uint32_t)(seq - left) < len;
}

static inline uint32_t tfa_seq_max(uint32_t a, uint32_t b)
{
    return tfa_seq_lt(a, b) ? b : a;
}

static inline uint32_t tfa_seq_min(uint32_t a, uint32_t b)
{
    return tfa_seq_lt(a, b) ? a : b;
}
