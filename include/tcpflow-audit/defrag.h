/* defrag.h - IPv4 and IPv6 fragment reassembly, between decode and conntrack.
 *
 * Owns: TfaDefrag, a bounded pool set up once (tfa_defrag_new): the bytes of
 * the fragments held, in 2 KiB chunks up to the --max-frag-bytes cap, a table
 * of datagrams in progress (at most one per chunk) and one output buffer.
 * Nothing is allocated per packet.  Borrows: the fragment's bytes only for
 * the call (they are copied); the TfaStats it counts into (DEFRAG_*).
 * Lends: a completed datagram (TfaDefragOut.datagram) is valid until the next
 * call on the same TfaDefrag: long enough to decode and analyse it.
 *
 * What a receiving stack does (RFC 791 §3.2, RFC 815, RFC 8200 §4.5, and
 * Linux's inet_frag_queue_insert()/ip_frag_queue()/ipv6_frag_queue(), which
 * treat IPv4 and IPv6 alike since 2018):
 *   - fragments are keyed by (source, destination, protocol, identification)
 *     for IPv4 and (source, destination, identification) for IPv6, plus the
 *     VLAN tags of the frame;
 *   - a fragment lying wholly inside bytes already held is a duplicate and is
 *     dropped, the first copy kept; a fragment overlapping held bytes only in
 *     part drops the whole datagram (RFC 5722 for IPv6; Linux does the same
 *     for IPv4).  Either way, overlapping bytes that differ are counted
 *     (DEFRAG_OVERLAP_DIFFERS): stacks disagree on which copy wins, so the
 *     bytes an IDS sees need not be those the receiver got (the classic
 *     evasion, Ptacek & Newsham 1998);
 *   - a fragment with more fragments to follow whose length is not a multiple
 *     of 8, one ending beyond 65535 bytes of datagram, or a last fragment that
 *     disagrees with the end already known is rejected (DEFRAG_BAD_FRAGMENT);
 *     an inconsistent end drops the datagram, as Linux does;
 *   - a datagram not complete within the timeout (--frag-timeout, default
 *     30 s of capture time, Linux's ipfrag_time), counted from its first
 *     fragment, is given up (DEFRAG_INCOMPLETE), as are those still
 *     incomplete at the end of the capture (tfa_defrag_finish);
 *   - when the pool is full a new fragment is not held (DEFRAG_CAP_HIT), as
 *     Linux refuses fragments above ipfrag_high_thresh (4 MiB) rather than
 *     evicting older datagrams; default cap 4 MiB (--max-frag-bytes).
 * The completed datagram is the first fragment's header (IPv4: total length
 * set, MF and offset cleared; IPv6: the unfragmentable part, the fragment
 * header removed and the payload length set) followed by the data, as
 * Linux's ip_frag_reasm()/ip6_frag_reasm() build it.  An IPv6 atomic
 * fragment (offset 0, M clear, RFC 6946) is no fragment: decode does not
 * send it here.
 */
#pragma once

#include "tcpflow-audit/common.h"
#include "tcpflow-audit/stats.h"

/* Bytes of pool per chunk; the cap is rounded down to whole chunks. */
#define TFA_DEFRAG_CHUNK 2048u
/* Header bytes kept from a first fragment (IPv4: up to 60; IPv6: the fixed
 * header and the extension headers before the fragment header). */
#define TFA_DEFRAG_MAX_HDR 128u
/* Disjoint runs of bytes (holes + 1) one datagram may have at a time. */
#define TFA_DEFRAG_MAX_RUNS 32u

typedef struct TfaDefrag TfaDefrag;

/* One fragment as decode found it: the IP header of the fragmented packet
 * (borrowed), how many bytes of the packet were captured (at most its IP
 * length), and for IPv6 where its fragment header starts. */
typedef struct TfaFragment {
    const uint8_t *ip;
    uint32_t len;         /* the packet, IP header included, as its IP length gives */
    uint32_t caplen;      /* bytes of it captured; < len: cut, not held */
    uint16_t frag_hdr;    /* IPv6: offset of the fragment header from ip; IPv4: 0 */
    uint16_t vlan[2];
    TfaFrameNo frame_no;
    TfaTs ts;
} TfaFragment;

typedef enum TfaDefragResult {
    TFA_DEFRAG_HELD = 0,  /* taken (held, a duplicate, or rejected and counted) */
    TFA_DEFRAG_DONE,      /* it completed a datagram: *out filled */
    TFA_DEFRAG_NOT_HELD,  /* not taken (cut by the snaplen, pool full, header
                           * too long): analyse the frame as it is */
} TfaDefragResult;

typedef struct TfaDefragOut {
    const uint8_t *datagram; /* the whole IP packet; valid until the next call */
    uint32_t len;
    TfaFrameNo first_frame;  /* lowest frame number among its fragments */
    TfaFrameNo last_frame;   /* highest (normally the one that completed it) */
    uint32_t fragments;      /* fragments that went into it */
    bool overlap_differs;    /* a duplicate with other bytes was dropped */
} TfaDefragOut;

/* @max_bytes: the pool (0: no reassembly; tfa_defrag_new returns NULL). */
TfaDefrag *tfa_defrag_new(guint64 max_bytes, TfaDuration timeout, TfaStats *stats);
void tfa_defrag_free(TfaDefrag *d);

TfaDefragResult tfa_defrag_fragment(TfaDefrag *d, const TfaFragment *f, TfaDefragOut *out);

/* Give up the datagrams whose first fragment came more than the timeout
 * before @now (DEFRAG_INCOMPLETE).  Cheap when there is nothing to do. */
void tfa_defrag_expire(TfaDefrag *d, TfaTs now);

/* End of the capture: give up every datagram still incomplete. */
void tfa_defrag_finish(TfaDefrag *d);

/* Datagrams in progress and pool bytes in use (tests). */
guint tfa_defrag_pending(const TfaDefrag *d);
guint64 tfa_defrag_bytes_held(const TfaDefrag *d);
