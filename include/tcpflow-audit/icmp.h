/* icmp.h - ICMP errors about TCP segments, tied to their connection.
 *
 * An ICMP error (RFC 792: type 3 destination unreachable, 11 time exceeded,
 * 12 parameter problem; RFC 4443: type 1 destination unreachable, 2 packet
 * too big, 3 time exceeded, 4 parameter problem) quotes the IP header and at
 * least the first 8 bytes of the datagram that drew it (RFC 792, RFC 1812
 * §4.3.2.3, RFC 4443 §2.4).  For a TCP segment those 8 bytes are its ports
 * and sequence number: enough to find the connection and the endpoint whose
 * segment it was - the endpoint whose kernel receives the error.
 *
 * Decoding (src/decode/icmp.c) owns nothing and allocates nothing: it fills
 * TfaSegment.icmp and the segment's addresses, ports and sequence number
 * with those of the quoted segment.  Recording (tfa_icmp_record) writes only
 * TfaConn.icmp, a fixed-size record per endpoint (the first error in full,
 * the latest one's type and frame, and a count): no allocation on the
 * per-packet path.
 *
 * How an endpoint reacts follows Linux (net/ipv4/tcp_ipv4.c tcp_v4_err,
 * net/ipv6/tcp_ipv6.c tcp_v6_err, icmp_err_convert / icmpv6_err_convert):
 * an error whose quoted sequence number is outside SND.UNA..SND.NXT is
 * dropped; fragmentation needed / packet too big lower the path MTU and are
 * no error; the rest map to an errno, "hard" (fatal) or "soft".  In
 * SYN_SENT a hard error fails connect() at once; a soft one (net or host
 * unreachable, time exceeded) lets the SYN retries go on (Linux 6.5 and
 * later, RFC 1122 §4.2.3.9; earlier kernels failed connect() at once) and
 * becomes connect()'s errno when they run out.  On a synchronized
 * connection every error is soft unless the socket set IP_RECVERR: it is
 * reported only if the connection later times out, in place of ETIMEDOUT.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "tcpflow-audit/common.h"

/* What the decoder found in an ICMP error frame (TfaSegment.icmp). */
typedef struct TfaIcmpInfo {
    uint8_t version;   /* 4: ICMPv4, 6: ICMPv6; 0: the frame is no such error */
    uint8_t type, code;
    uint32_t mtu;      /* fragmentation needed / packet too big: the MTU it announces (0: none) */
    TfaAddr reporter;  /* the router or host that sent it (the outer source) */
} TfaIcmpInfo;

/* The ICMP errors one endpoint's segments drew (TfaConn.icmp, by side). */
typedef struct TfaIcmpSeen {
    uint32_t count;          /* every one tied to the connection */
    /* the first one */
    TfaFrameNo frame;
    TfaTs ts;
    uint8_t version, type, code;
    uint8_t state;           /* TfaTcpState of the endpoint when it came */
    bool window_known;       /* the endpoint's SND.UNA..SND.NXT was known ... */
    bool in_window;          /* ... and the quoted sequence number lies in it */
    uint32_t seq;            /* the quoted segment's sequence number */
    uint32_t mtu;
    TfaAddr reporter;
    /* the latest one */
    TfaFrameNo last_frame;
    TfaTs last_ts;
    uint8_t last_type, last_code;
} TfaIcmpSeen;

/* Whether ICMP @type/@code of @version is an error the decoder ties to a
 * connection (destination unreachable, packet too big, time exceeded,
 * parameter problem). */
bool tfa_icmp_is_error(uint8_t version, uint8_t type);

/* The errno Linux gives a TCP socket for this error (a name such as
 * "EHOSTUNREACH"), or NULL when it is no error for the socket (a path MTU
 * update); *hard says whether it is fatal (icmp_err_convert's "fatal"). */
const char *tfa_icmp_errno(uint8_t version, uint8_t type, uint8_t code, bool *hard);

/* Whether the error lowers the path MTU (v4 fragmentation needed, v6 packet
 * too big) rather than reporting a failure. */
bool tfa_icmp_is_pmtu(uint8_t version, uint8_t type, uint8_t code);

/* "host unreachable", "port unreachable", "TTL exceeded in transit"... */
const char *tfa_icmp_describe(uint8_t version, uint8_t type, uint8_t code);
