/* flow.h - one connection's pipeline: the stages every segment goes
 * through, and those that run once when the connection is reported.
 *
 * The engine and the detector tests both call these, so a test replays
 * exactly what the program runs.  Per segment, in this order: tcpsm_init
 * (the connection's first segment), seqtrack (the byte streams), the Zeek
 * tracker, tcpsm (the endpoints' state machine), --extract, the detectors,
 * then tcpsm's history of what each side sent (after the detectors, so
 * that they see it as of the segment before).  A frame seqtrack recognises
 * as the capture's own copy of an earlier one is no new event: tcpsm,
 * --extract, the history and most detectors skip it.  At the end:
 * tcpsm_finish (states as of @now, given the handshake detector's counts),
 * then the detectors' end, which fills the connection's outcome (TfaConn.out)
 * and verdict and releases their states.
 *
 * Borrows everything it is given; owns nothing.  Per-segment path: no
 * allocation beyond what the stages themselves do.
 */
#pragma once

#include "tcpflow-audit/conn.h"
#include "tcpflow-audit/decode.h"
#include "tcpflow-audit/extract.h"
#include "tcpflow-audit/options.h"
#include "tcpflow-audit/seqtrack.h"
#include "tcpflow-audit/stats.h"
#include "tcpflow-audit/tcpsm.h"

/* What the stages share across connections (borrowed from the engine). */
typedef struct TfaFlowEnv {
    const TfaOptions *opts;
    TfaBudget *budget;         /* retained payload (seqtrack) */
    TfaExtractBudget *xbudget; /* --extract */
    TfaStats *stats;
} TfaFlowEnv;

/* What one segment did, for callers that look (tests). */
typedef struct TfaFlowEvents {
    TfaSeqEvent sq;
    TfaSmEvent sm;
} TfaFlowEvents;

/* Run @seg (from @side) through the connection's per-segment stages;
 * @created: it is the connection's first segment.  @out may be NULL. */
void tfa_flow_segment(TfaConn *c, const TfaFlowEnv *env, const TfaSegment *seg, uint8_t side,
                      bool created, TfaFlowEvents *out);

/* The connection is being reported at @now: the end-of-connection stages.
 * The detectors' states are released; TfaConn.out holds their outcome. */
void tfa_flow_end(TfaConn *c, const TfaOptions *opts, TfaTs now);

/* Release what the stages hold for a connection that is freed without
 * being reported (an aborted run); nothing after tfa_flow_end(). */
void tfa_flow_release(TfaConn *c);
