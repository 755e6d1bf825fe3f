/* record.h - the finished-connection view every reporter reads.
 *
 * tfa_record_build() fills a TfaConnRecord on the caller's stack from a
 * retired TfaConn, once per connection and without allocating.  The record
 * is the reporters' only input (src/report/: they never read TfaConn): it
 * copies the values the detectors decided (the outcome, the handshake's
 * timing, ACK timing with its percentiles, where the capture sits, Zeek's
 * state) and borrows, through const pointers, what conntrack and tcpsm keep
 * on the connection (traffic, endpoints and their paths, RSTs, ICMP errors,
 * anomalies, counts); borrowed parts are valid until the connection is
 * freed.  tfa_record_build() is the one place that reads TfaConn's fields
 * for the reporters, so a change of TfaConn's layout lands there.
 *
 * Indexing: ip, port and addr are by TfaRole; arrays marked "by side" by
 * the side index of TfaConn (anomalies and RSTs carry sides), translated
 * with side[role] and tfa_record_role_of().
 *
 * Also computed once: first/last frame and time, and the connection's worst
 * anomaly (highest severity; among equals, the lowest code, i.e. the
 * earliest stage of the pipeline).
 */
#pragma once

#include "tcpflow-audit/conn.h"

/* One endpoint's ACK timing (detect/ackdelay.c), summarised: its ACKs of
 * the peer's data, and the round trips of its own data.  Durations are -1
 * when unknown (no sample). */
typedef struct TfaRecordAck {
    guint64 acks, immediate, delayed, over_500ms, piggybacked, stretch;
    guint64 full_acks;             /* pure ACKs of full-sized data ... */
    guint64 full_acks_within_two;  /* ... covering at most two segments */
    TfaDuration delay_p50, delay_p90, delay_max;
    guint stalls;                  /* Nagle + delayed-ACK stalls */
    TfaDuration stall_time;
    guint64 rtt_samples;
    TfaDuration rtt_min, rtt_p50, rtt_max;
} TfaRecordAck;

/* The handshake as the capture shows it (detect/handshake.c). */
typedef struct TfaRecordHandshake {
    TfaTs syn_ts, synack_ts, ack_ts;      /* the answered SYN, the first SYN-ACK, the third
                                           * ACK (0: not captured) */
    uint8_t syn_count, synack_count;
    uint8_t n_syn_frames, n_synack_frames;
    TfaFrameNo syn_frames[TFA_MAX_HS_FRAMES], synack_frames[TFA_MAX_HS_FRAMES];
    TfaFrameNo ack_frame;
    int8_t syn_data_acked;                /* SYN payload acknowledged: 1, 0, -1 unknown */
    uint8_t third_ack_repeats;            /* SYN-ACKs repeated after the client's ACK */
    TfaFrameNo done_frame;                /* the client's segment that completed the server's
                                           * side after them (0: none) */
    TfaTs done_ts;
    bool done_data;                       /* ... carried data */
    TfaFrameNo data_frame;                /* without: the client's first data after it */
    TfaFrameNo reset_frame;               /* or the server's RST that ended it (0: none) */
} TfaRecordHandshake;

/* How the connection ended up (decided by the detectors at its end). */
typedef struct TfaRecordOutcome {
    uint8_t handshake;                    /* TfaHandshake */
    uint8_t close_kind;                   /* TfaCloseKind */
    uint8_t close_initiator;              /* TfaInitiator */
    uint8_t verdict;                      /* TfaVerdict */
    TfaFrameNo close_frame;               /* the first FIN or the RST that ended it (0: none) */
} TfaRecordOutcome;

/* Each side's FIN (detect/teardown.c, detect/rst.c), by side. */
typedef struct TfaRecordFin {
    TfaTs first_ts;                       /* its first FIN (0: none) */
    TfaTs last_ts;                        /* its latest copy of it */
    bool peer_fin_acked;                  /* this side acknowledged the peer's FIN */
} TfaRecordFin;

typedef struct TfaConnRecord {
    const TfaConn *conn;               /* borrowed; for the record stage (appview, extract,
                                        * summary), never read by src/report/ */
    /* identity */
    guint64 id;
    guint32 incarnation;
    uint16_t vlan[2];                  /* outer, inner; 0: none */
    TfaOriginator originator;
    uint8_t side[2];                   /* by TfaRole: the side index in conn */
    char ip[2][TFA_ADDR_STRLEN];       /* by TfaRole */
    uint16_t port[2];                  /* by TfaRole */
    TfaAddr addr[2];                   /* by TfaRole */
    /* traffic */
    const TfaSideStats *stats[2];      /* by side */
    TfaFrameNo first_frame, last_frame;
    TfaTs first_ts, last_ts;
    TfaEndReason end_reason;
    bool mid_stream;
    bool drops_during;                 /* live: the capture dropped packets meanwhile */
    guint64 continues_id;              /* the earlier record this one continues (0: none) */
    TfaDuration continues_after;       /* ... after this much silence */
    TfaFragEvidence frag_first, frag_overlap;
    /* the endpoints (tcpsm), by side */
    const TfaEndpoint *ep[2];
    const TfaTransition *path[2];
    guint n_path[2];
    const TfaIcmpSeen *icmp[2];
    const TfaRstInfo *rsts;            /* n_rsts of them, at most TFA_MAX_RSTS_KEPT */
    guint n_rsts, rsts_total;
    /* what the detectors decided */
    TfaRecordOutcome outcome;
    TfaRecordHandshake hs;
    TfaRecordFin fin[2];               /* by side */
    TfaVantage vantage;                /* where the capture sits, from the handshake */
    TfaDuration to_server_rtt, to_client_rtt; /* -1: unknown */
    TfaRecordAck ack[2];               /* by side */
    uint8_t zeek_state;                /* TfaZeekState */
    char zeek_history[TFA_ZEEK_HISTORY_MAX + 1];
    /* findings */
    const TfaAnomaly *anomalies;       /* n_anomalies of them, in the order recorded */
    guint n_anomalies, anomalies_dropped;
    guint anomalies_total;             /* kept + dropped, once one was kept (CSV "anomalies") */
    const TfaCount *counts;            /* n_counts of them, one per code seen */
    guint n_counts;
    int worst_severity;                /* TfaSeverity, or -1 without anomalies */
    int worst_code;                    /* TfaAnomalyCode, or -1 */
    guint64 code_count[TFA_ANOMALY_N]; /* per anomaly code, client + server */
    int8_t code_severity[TFA_ANOMALY_N]; /* the highest severity recorded per code, -1: none */
    /* the segments kept for --ladder and -f html (NULL without) */
    const TfaLadderRow *ladder;        /* n_ladder of them, in capture order */
    guint n_ladder;
    guint64 ladder_dropped;
    /* the gaps in each side's byte stream (seqtrack), by side */
    const TfaHole *holes[2];           /* n_holes of them, oldest first */
    uint8_t n_holes[2];
} TfaConnRecord;

void tfa_record_build(const TfaConn *c, TfaConnRecord *rec);

/* The role of side index @side. */
static inline TfaRole tfa_record_role_of(const TfaConnRecord *rec, uint8_t side)
{
    return side == rec->side[TFA_ROLE_CLIENT] ? TFA_ROLE_CLIENT : TFA_ROLE_SERVER;
}

/* The count of @code (TFA_COUNT_ANOMALY() or TFA_COUNT_DIAG()) for @side. */
guint32 tfa_record_count(const TfaConnRecord *rec, uint16_t code, uint8_t side);

/* Whether the final state of @role's endpoint is proven by its own packets
 * (its last transition is certain). */
bool tfa_record_state_certain(const TfaConnRecord *rec, TfaRole role);

/* How the reports qualify @role's final state: "" when certain, " (not
 * confirmed)" when inferred from what it was sent, and, when the endpoint
 * sent nothing at all (a SYN never answered, connect() given up, an ICMP
 * error from a router), that its state is unknown: the LISTEN or CLOSED
 * the record gives is the state machine's assumption. */
const char *tfa_record_state_note(const TfaConnRecord *rec, TfaRole role);

/* "handshake H; close K (initiator: I); client ended in S, server in S"
 * with tfa_record_state_note()'s qualifiers, into @buf: the outcome line
 * of the text and html explanations. */
const char *tfa_record_outcome_text(const TfaConnRecord *rec, char *buf, size_t len);

/* The per-role traffic of a record. */
static inline const TfaSideStats *tfa_record_stats(const TfaConnRecord *rec, TfaRole role)
{
    return rec->stats[rec->side[role]];
}

/* The final state (TfaTcpState) of @role's endpoint. */
static inline uint8_t tfa_record_final_state(const TfaConnRecord *rec, TfaRole role)
{
    return rec->ep[rec->side[role]]->state;
}
/* The @pct[i] percentiles (nearest rank) of @n durations into @out[i], for
 * @k percentiles at once; every @out is -1 when @n is 0.  At most
 * TFA_DELAY_SAMPLES values. */
void tfa_record_percentiles(const TfaDuration *v, uint16_t n, const unsigned *pct, unsigned k,
                            TfaDuration *out);
