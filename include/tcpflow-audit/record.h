/* record.h - the finished-connection view every reporter reads.
 *
 * tfa_record_build() fills a TfaConnRecord on the caller's stack from a
 * retired TfaConn; the record borrows the connection (valid until the
 * connection is freed) and adds what is computed once for all reporters:
 * sides by role, text addresses, first/last frame and time, and the
 * connection's worst anomaly (highest severity; among equals, the lowest
 * code, i.e. the earliest stage of the pipeline).
 */
#pragma once

#include "tcpflow-audit/conn.h"

typedef struct TfaConnRecord {
    const TfaConn *conn;               /* borrowed */
    uint8_t side[2];                   /* by TfaRole: the side index in conn */
    char ip[2][TFA_ADDR_STRLEN];       /* by TfaRole */
    uint16_t port[2];                  /* by TfaRole */
    TfaFrameNo first_frame, last_frame;
    TfaTs first_ts, last_ts;
    int worst_severity;                /* TfaSeverity, or -1 without anomalies */
    int worst_code;                    /* TfaAnomalyCode, or -1 */
    guint64 code_count[TFA_ANOMALY_N]; /* per anomaly code, client + server */
} TfaConnRecord;

void tfa_record_build(const TfaConn *c, TfaConnRecord *rec);

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
    return &rec->conn->side[rec->side[role]];
}
