/* common.h - basic types shared by every stage of tcpflow-audit.
 *
 * Owns nothing.  Defines plain value types only: capture time (TfaTs, int64
 * nanoseconds since the epoch, as libpcap delivers it when opened with
 * PCAP_TSTAMP_PRECISION_NANO), durations (int64 ns), frame numbers (1-based,
 * continuing across the files of one run), IP addresses, the side of a
 * connection and the direction of a segment.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TFA_NSEC_PER_SEC  INT64_C(1000000000)
#define TFA_NSEC_PER_MSEC INT64_C(1000000)
#define TFA_NSEC_PER_USEC INT64_C(1000)

/* Capture time: nanoseconds since 1970-01-01T00:00:00Z. */
typedef int64_t TfaTs;
/* A duration in nanoseconds. */
typedef int64_t TfaDuration;
/* Frame number: 1-based, continuing across the files of one capture. */
typedef uint64_t TfaFrameNo;

/* One IPv4 or IPv6 address; IPv4 uses the first four bytes, rest zero. */
typedef struct TfaAddr {
    uint8_t family; /* 4 or 6 */
    uint8_t bytes[16];
} TfaAddr;

/* Longest text form of an address ("ffff:...:ffff" is 39 characters). */
#define TFA_ADDR_STRLEN 46

/* The two endpoints of a connection.  A connection's sides are fixed when it
 * is created (side 0 is the endpoint with the lower address/port); which side
 * is the client (the originator) is a property of the connection that may be
 * revised while evidence arrives (e.g. a SYN-ACK captured before its SYN). */
typedef enum TfaSide {
    TFA_SIDE_0 = 0,
    TFA_SIDE_1 = 1,
} TfaSide;

/* Reporting roles: the client is the originator (sender of the first SYN). */
typedef enum TfaRole {
    TFA_ROLE_CLIENT = 0,
    TFA_ROLE_SERVER = 1,
} TfaRole;

static inline int tfa_addr_cmp(const TfaAddr *a, const TfaAddr *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    for (size_t i = 0; i < 16; i++) {
        if (a->bytes[i] != b->bytes[i])
            return a->bytes[i] < b->bytes[i] ? -1 : 1;
    }
    return 0;
}

/* Text form of @a into @buf (at least TFA_ADDR_STRLEN bytes); returns @buf. */
const char *tfa_addr_to_string(const TfaAddr *a, char *buf, size_t len);
