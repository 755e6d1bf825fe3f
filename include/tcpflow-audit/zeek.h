/* zeek.h - Zeek's conn_state and history for every connection, so that Zeek
 * users can join and compare (ORACLES.md part 2; Zeek's
 * scripts/base/protocols/conn/main.zeek and its TCP analyzer).
 *
 * Zeek keeps one coarse state per endpoint, moved by what that endpoint
 * sends; the history is one letter per packet kind, upper case for the
 * originator (our client), with Zeek's repetition rules.  Written only by
 * tfa_zeek_segment() into TfaConn.zeek; read at report time.
 *
 * Deliberate differences, documented in tcpflow-audit-records(5): the
 * originator is ours (Zeek flips by its list of likely server ports, we by
 * the rules of the originator field; a flip of ours is marked '^' as
 * Zeek's, and a connection first seen through a responder's packet other
 * than a pure SYN starts with '^', as Zeek's flip at creation or at the
 * ACK after a SYN-ACK writes it); and a record covers what our lifecycle
 * calls one connection, where Zeek also splits rows on its own timers (5 s
 * after a close, 5 min idle).  Measured against Zeek's own output on its
 * test traces by tests/oracle/zeek-conn.py.
 */
#pragma once

#include "tcpflow-audit/conn.h"
#include "tcpflow-audit/decode.h"

/* Zeek's endpoint states (TCP_INACTIVE ... TCP_RESET). */
enum {
    TFA_Z_INACTIVE = 0,
    TFA_Z_SYN_SENT,
    TFA_Z_SYN_ACK_SENT,
    TFA_Z_PARTIAL,
    TFA_Z_ESTABLISHED,
    TFA_Z_CLOSED,
    TFA_Z_RESET,
};

/* Zeek's conn_state values. */
#define TFA_ZEEK_STATE_LIST(X)                                                 \
    X(S0) X(S1) X(SF) X(REJ) X(S2) X(S3) X(RSTO) X(RSTR) X(RSTOS0) X(RSTRH)   \
    X(SH) X(SHR) X(OTH)

typedef enum TfaZeekState {
#define X(name) TFA_ZEEK_##name,
    TFA_ZEEK_STATE_LIST(X)
#undef X
    TFA_ZEEK_N
} TfaZeekState;

/* Facts from seqtrack the history needs, per segment. */
typedef struct TfaZeekFacts {
    bool content_gap;      /* the peer acknowledged bytes of this side never captured */
    int gap_side;          /* whose stream has the gap */
    bool bad_checksum;
} TfaZeekFacts;

void tfa_zeek_segment(TfaConn *c, const TfaSegment *seg, uint8_t side, const TfaZeekFacts *facts);

/* conn_state from the final endpoint states, payload sizes and history. */
TfaZeekState tfa_zeek_conn_state(const TfaConn *c);
const char *tfa_zeek_state_name(TfaZeekState s);
