/* conn.h - one TCP connection (one incarnation of a 4-tuple): data only.
 *
 * A TfaConn is created and owned by the conntrack stage while it is live;
 * once retired it is handed to the engine, which reports and frees it.
 * Fields are readable by every stage, but each group is written only by the
 * stage named on it.  Everything that grows (anomalies, counts) has a cap
 * from TfaOptions, and hitting it is counted on the connection.
 *
 * Sides: side 0 is the endpoint with the lower (address, port); `client`
 * says which side is the originator (DESIGN.md §6: client = originator),
 * and may be revised while evidence arrives (a SYN-ACK captured before its
 * SYN).  Reporters translate sides into client/server.
 */
#pragma once

#include <glib.h>

#include "tcpflow-audit/codes.h"
#include "tcpflow-audit/common.h"

/* Canonical connection key: endpoint 0 < endpoint 1, plus the VLAN IDs. */
typedef struct TfaConnKey {
    TfaAddr addr[2];
    uint16_t port[2];
    uint16_t vlan[2];
    uint32_t hash; /* computed once with the table's seed */
} TfaConnKey;

/* What one side sent (written by conntrack). */
typedef struct TfaSideStats {
    guint64 packets;
    guint64 bytes;        /* TCP payload bytes (from the IP header) */
    guint64 bytes_captured; /* of which actually captured */
    uint16_t flags_seen;  /* OR of TFA_TH_* */
    TfaFrameNo first_frame, last_frame;
    TfaTs first_ts, last_ts;
} TfaSideStats;

/* The opening and closing facts conntrack uses to tell incarnations apart
 * and to decide that a connection has ended (written by conntrack): each
 * side's ISN, FIN position and whether the peer acknowledged it, the RST. */
typedef struct TfaLifecycle {
    bool syn_seen[2];     /* a SYN without ACK from this side */
    bool synack_seen[2];  /* a SYN+ACK from this side */
    uint32_t isn[2];      /* sequence number of this side's SYN */
    bool fin_seen[2];
    bool fin_acked[2];    /* the peer acknowledged this side's FIN */
    bool rst_seen;
    bool closed;          /* an RST, or both FINs acknowledged */
    uint32_t fin_end[2];  /* sequence number just after this side's FIN */
    TfaFrameNo closed_frame; /* the frame that closed it */
} TfaLifecycle;

/* One anomaly: numbers only; the text is made when reporting. */
typedef struct TfaAnomaly {
    uint16_t code;       /* TfaAnomalyCode */
    int8_t side;         /* 0, 1, or -1 for both */
    TfaFrameNo frame_no;
    TfaTs ts;
    int64_t arg[4];      /* code-specific evidence (see report/detail.c) */
} TfaAnomaly;

/* Per-code counters by side: anomaly codes first, then diagnostics. */
#define TFA_COUNT_ANOMALY(code) ((uint16_t)(code))
#define TFA_COUNT_DIAG(diag) ((uint16_t)(TFA_ANOMALY_N + (diag)))
#define TFA_COUNT_N (TFA_ANOMALY_N + TFA_DIAG_N)

typedef struct TfaCount {
    uint16_t code;   /* TFA_COUNT_ANOMALY() or TFA_COUNT_DIAG() */
    uint32_t n[2];   /* by side */
} TfaCount;

typedef struct TfaConn TfaConn;

struct TfaConn {
    /* identity (conntrack) */
    TfaConnKey key;
    guint64 id;                /* unique in the run, in order of first frame */
    guint32 incarnation;       /* 1 for the first connection on this key */
    GList age_link;            /* link in conntrack's activity-ordered queue */
    uint8_t client;            /* side of the originator */
    TfaOriginator originator;  /* how the client was decided */
    bool retired;

    /* traffic (conntrack) */
    TfaSideStats side[2];
    TfaLifecycle life;
    TfaEndReason end_reason;

    /* findings (the sink, see conntrack.h) */
    GArray *anomalies;         /* of TfaAnomaly, capped */
    GArray *counts;            /* of TfaCount, one per code seen */
    guint anomalies_dropped;   /* beyond the cap */
};

static inline uint8_t tfa_conn_side_of(const TfaConn *c, TfaRole role)
{
    return role == TFA_ROLE_CLIENT ? c->client : (uint8_t)(1 - c->client);
}

static inline TfaRole tfa_conn_role_of(const TfaConn *c, uint8_t side)
{
    return side == c->client ? TFA_ROLE_CLIENT : TFA_ROLE_SERVER;
}

/* Count one occurrence of @code for @side (never capped: counts are exact). */
void tfa_conn_count(TfaConn *c, uint16_t code, uint8_t side);

/* Record an anomaly and count it; beyond @cap anomalies only the count grows
 * and anomalies_dropped says how many were not kept. */
void tfa_conn_add_anomaly(TfaConn *c, const TfaAnomaly *a, guint cap);

/* Count of @code for @side (0 when never seen). */
guint32 tfa_conn_get_count(const TfaConn *c, uint16_t code, uint8_t side);

void tfa_conn_free(TfaConn *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TfaConn, tfa_conn_free)
