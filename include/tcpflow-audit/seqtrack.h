/* seqtrack.h - per-direction sequence tracking: what each side sent and
 * acknowledged, the holes, and what every segment is with respect to them.
 *
 * Writes only TfaConn.half[] (conn.h), the TfaSeqEvent it returns and the
 * connection's count of the capture diagnostic CAPTURE_ACKED_UNSEEN; the
 * sequence detector (detect/sequence.c) turns the facts into anomalies.
 * Wrap-safe 32-bit arithmetic throughout (seqnum.h).  Windows are scaled
 * only when both SYNs carried the window scale option (RFC 7323 §2.2); a
 * side's shift is known only when the capture holds the SYNs that decide
 * it, and the window facts that depend on the scaled size (FULL, SHRUNK,
 * OUT_OF_WINDOW) are not raised without it.
 * Payload of not yet acknowledged bytes is kept, within a per-direction cap
 * and the run's TfaBudget, so a retransmission can be compared with what was
 * first sent; bytes beyond the caps are not kept, and that is counted.
 *
 * Capture effects are told from network events: the same frame captured
 * twice (same IP ID, sequence, acknowledgement, length and flags, among the
 * latest TFA_RECENT_SEGS of its side; or the same packet on both sides of a
 * router, TTL one lower; or the same datagram with bytes damaged) is
 * CAPTURE_DUPLICATE_FRAME and nothing else; bytes never
 * captured that the receiver acknowledges without their ever being resent
 * are capture loss (TFA_SEQ_CAPTURE_LOSS, one per gap and ACK, counted as
 * CAPTURE_ACKED_UNSEEN), never a network loss; a gap filled late by a
 * retransmission is a loss before the capture point (TFA_SEQ_LOST); a gap
 * neither filled nor acknowledged by the end is undecided; a segment
 * captured then sent again is a retransmission (loss after the capture
 * point); GSO/GRO super-segments longer than the MSS are normal.  A stream
 * picked up mid-connection starts at its first segment, or at what the
 * peer had already acknowledged: what came before is not a gap.  When the
 * capture holds none of the peer's bytes (one direction only), SACK blocks
 * and duplicate ACKs still prove the peer's segments lost.
 */
#pragma once

#include "tcpflow-audit/conn.h"
#include "tcpflow-audit/decode.h"
#include "tcpflow-audit/options.h"
#include "tcpflow-audit/stats.h"

/* Byte accounting for retained payload, against --max-buffer-bytes. */
typedef struct TfaBudget {
    guint64 used, limit;
} TfaBudget;

enum {
    TFA_SEQ_DUP_FRAME = 1u << 0,      /* a recent frame of this side, captured again */
    TFA_SEQ_NEW_DATA = 1u << 1,
    TFA_SEQ_LOST = 1u << 2,           /* a gap before this segment: bytes never captured */
    TFA_SEQ_RETRANS = 1u << 3,        /* data already captured, sent again (RTO) */
    TFA_SEQ_FAST_RETRANS = 1u << 4,   /* ... after duplicate ACKs */
    TFA_SEQ_SPURIOUS = 1u << 5,       /* ... which the receiver had already acknowledged */
    TFA_SEQ_OOO = 1u << 6,            /* below the highest sequence, never captured, soon after */
    TFA_SEQ_DATA_DIFFERS = 1u << 7,   /* overlapping bytes differ from the first transmission */
    TFA_SEQ_ACK_UNSEEN = 1u << 8,     /* acknowledges bytes never captured (a content gap) */
    TFA_SEQ_ACK_INVALID = 1u << 9,    /* acknowledges far beyond, or far behind */
    TFA_SEQ_DUP_ACK = 1u << 10,
    TFA_SEQ_KEEPALIVE = 1u << 11,     /* a keep-alive probe */
    TFA_SEQ_ZW_PROBE = 1u << 12,      /* a probe into a zero window */
    TFA_SEQ_ZERO_START = 1u << 13,    /* this side's window closed */
    TFA_SEQ_ZERO_END = 1u << 14,      /* ... and reopened */
    TFA_SEQ_WINDOW_FULL = 1u << 15,
    TFA_SEQ_WINDOW_SHRUNK = 1u << 16,
    TFA_SEQ_OUT_OF_WINDOW = 1u << 17, /* beyond the receiver's advertised right edge */
    TFA_SEQ_TS_REGRESSION = 1u << 18, /* the sender's clock went back: see ts_frame */
    TFA_SEQ_STALE = 1u << 19,         /* belongs to the previous incarnation */
    TFA_SEQ_ZERO_SEGMENT = 1u << 20,  /* it advertises a zero window */
    TFA_SEQ_PROBE_ACK = 1u << 21,     /* it answers this side's peer's probe */
    TFA_SEQ_UNTRIGGERED = 1u << 22,   /* resent at once, nothing from the peer asked for it */
    TFA_SEQ_CAPTURE_LOSS = 1u << 23,  /* bytes acknowledged, never captured nor resent:
                                       * decided at this segment (see missed[]) */
    TFA_SEQ_ACK_BEYOND_SENT = 1u << 24, /* an earlier ACK covered bytes the peer had
                                         * not sent: this pure ACK's seq shows it */
};

typedef struct TfaSeqEvent {
    uint32_t facts;
    uint32_t gap;            /* TFA_SEQ_LOST: bytes missing ... */
    TfaFrameNo lost_frame;   /* ... before this frame (this one, or an earlier one) */
    TfaTs lost_ts;
    uint32_t unseen;         /* TFA_SEQ_ACK_UNSEEN: bytes acknowledged but never captured */
    uint32_t dupacks;        /* TFA_SEQ_DUP_ACK: its number in the run */
    TfaDuration zero_for;    /* TFA_SEQ_ZERO_END: how long the window stayed shut */
    TfaFrameNo zero_frame;   /* ... since this frame */
    bool zero_probed;        /* ... and the peer probed it meanwhile */
    TfaFrameNo probe_frame;  /* TFA_SEQ_PROBE_ACK: the probe it answers */
    uint32_t shrunk_by;      /* TFA_SEQ_WINDOW_SHRUNK: bytes the right edge moved back */
    /* TFA_SEQ_TS_REGRESSION: the segment whose TSval went back (this one or
     * an earlier one, confirmed by this one), its TSval and the TS.Recent */
    TfaFrameNo ts_frame;
    TfaTs ts_ts;
    uint32_t ts_val, ts_recent;
    uint32_t differ_at;      /* TFA_SEQ_DATA_DIFFERS: first differing sequence number */
    TfaDuration since;       /* retransmissions: since the data was first captured/expected */
    uint8_t copy_kind;       /* TFA_SEQ_DUP_FRAME: TFA_SEQ_COPY_* ... */
    TfaFrameNo copy_of;      /* ... of this earlier frame */
    uint8_t lost_side;       /* TFA_SEQ_LOST: whose bytes ... */
    uint8_t lost_how;        /* ... TFA_LOST_FILLED, _SACK or _DUPACKS */
    /* TFA_SEQ_CAPTURE_LOSS, by the side whose bytes the capture missed:
     * how many (0: none), and the peer's ACK that covered them */
    uint32_t missed[2];
    TfaFrameNo missed_frame[2];
    TfaTs missed_ts[2];
    uint32_t missed_ack[2];
    TfaFrameNo beyond_frame; /* TFA_SEQ_ACK_BEYOND_SENT: the ACK ... */
    TfaTs beyond_ts;
    uint32_t beyond_ack;     /* ... its value ... */
    uint32_t beyond_next;    /* ... and this side's SND.NXT (this segment's seq) */
} TfaSeqEvent;

/* How a frame repeats an earlier one of its side (TFA_SEQ_DUP_FRAME). */
enum {
    TFA_SEQ_COPY_NONE,
    TFA_SEQ_COPY_SAME,    /* the same frame again, other frames possibly between */
    TFA_SEQ_COPY_ROUTER,  /* the same packet one hop later (TTL one lower) */
    TFA_SEQ_COPY_ALTERED, /* the same datagram (IP ID, seq, ack), other bytes: damaged */
};

/* How a loss before the capture point was proven. */
enum {
    TFA_LOST_FILLED = 0, /* the gap was filled late by a retransmission */
    TFA_LOST_SACK,       /* the peer's SACK blocks, repeated: bytes below them missing */
    TFA_LOST_DUPACKS,    /* the peer's duplicate ACKs, then an ACK past the hole */
};

/* Analyse @seg sent by @side; the state machine has not seen it yet. */
void tfa_seqtrack_segment(TfaConn *c, const TfaOptions *opts, TfaBudget *budget, TfaStats *stats,
                          const TfaSegment *seg, uint8_t side, TfaSeqEvent *ev);

/* Give back the retained payload of @c to @budget (before freeing it). */
void tfa_seqtrack_release(TfaConn *c, TfaBudget *budget);
