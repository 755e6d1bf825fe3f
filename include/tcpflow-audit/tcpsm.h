/* tcpsm.h - the reference RFC 9293 state machine, kept for both endpoints of
 * a connection as seen from the capture point.
 *
 * Owns nothing beyond what it writes into each TfaConn (conn.h): the
 * TfaEndpoint pair (state, TCB fields and the path of transitions, each
 * with the frame that evidenced it), the RSTs (TfaRstInfo, all but their
 * cause) and what each side sent (TfaSentHistory, history.c).  Borrows the
 * segment for one call.
 *
 * A segment from A to B is a *send* event for A and a *receive* event for B
 * (RFC 9293 §3.10.7 "SEGMENT ARRIVES").  What A sends proves A's state:
 * those transitions are certain.  Whether B received the segment is only
 * probable at the capture point, so B's transitions are probable until B's
 * own behaviour confirms them (B acknowledges what it received, or sends
 * what only the new state allows) - or contradicts them (B repeats its
 * SYN-ACK or FIN: what it was sent never arrived; or its own ACK, sent
 * after the peer repeated its FIN, still stops short of it), which revokes
 * them.  A bare RST (no ACK) from a passive opener shows it had no
 * connection: its pending open is revoked.
 *
 * RST acceptability follows RFC 9293 §3.10.7.3 and RFC 5961 §3.2: in
 * SYN_SENT an RST must acknowledge the SYN; elsewhere only an RST whose
 * sequence number is exactly RCV.NXT resets, one merely in the window draws
 * a challenge ACK, and one outside it is dropped.  An unacceptable RST leaves
 * the receiver's state alone and is recorded.
 *
 * TIME_WAIT lasts 2*MSL (TfaOptions.msl) of capture time.
 */
#pragma once

#include "tcpflow-audit/conn.h"
#include "tcpflow-audit/decode.h"
#include "tcpflow-audit/options.h"

/* What tcpsm says about one segment (for the detectors and the ladder). */
typedef struct TfaSmEvent {
    uint8_t before[2];      /* each side's state before the segment */
    uint8_t after[2];       /* and after it */
    bool rst;               /* the segment is an RST ... */
    TfaRstAccept rst_accept; /* ... judged so by its receiver */
    bool syn_inside;        /* a SYN inside a synchronized connection */
    bool revoked;           /* a probable transition of the sender was revoked */
} TfaSmEvent;

/* Start both endpoints of a new connection from its first segment, sent by
 * @side: a SYN opens from CLOSED (client) and LISTEN (server); anything else
 * means the capture started mid-connection. */
void tfa_tcpsm_init(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg, uint8_t side);

/* Replay one segment sent by @side. */
void tfa_tcpsm_segment(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg, uint8_t side,
                       TfaSmEvent *ev);

/* After the detectors have judged @seg (flow.c): add it to what each side
 * sent (TfaConn.hist) and complete the evidence of an RST (TfaRstInfo) that
 * tfa_tcpsm_segment() recorded for it (tcpsm/history.c). */
void tfa_tcpsm_history_segment(TfaConn *c, const TfaSegment *seg, uint8_t side,
                               const TfaSmEvent *ev);

/* Whether @seg, a SYN from @side, is a SYN inside the synchronized
 * connection (another ISN: no opening of it), judged from the endpoints'
 * states before it (TfaSmEvent.syn_inside; reads only). */
bool tfa_tcpsm_syn_inside(const TfaConn *c, const TfaOptions *opts, const TfaSegment *seg,
                          uint8_t side);

/* Let TIME_WAIT expire at capture time @now (2*MSL after it began). */
void tfa_tcpsm_advance(TfaConn *c, const TfaOptions *opts, TfaTs now);

/* The connection is being reported at capture time @now: settle what the
 * capture can still say - TIME_WAIT taken over by a new incarnation or run
 * out, received transitions whose cause was sent repeatedly to an endpoint
 * that never answered (they most likely never arrived; so too the last ACK
 * of its SYN-ACK to a passive opener that had let two go), and a client
 * whose SYN retries stopped long before @now (its connect() gave up: CLOSED
 * by its timer), and a listener that never repeated its one SYN-ACK (it
 * kept no request, a SYN cookie: LISTEN again; @hs: the handshake's SYNs
 * and SYN-ACKs as the handshake detector counted them). */
void tfa_tcpsm_finish(TfaConn *c, const TfaOptions *opts, TfaTs now, const TfaHandshakeTimes *hs);

/* The state of endpoint @side at capture time @t, from its path. */
TfaTcpState tfa_tcpsm_state_at(const TfaConn *c, uint8_t side, TfaTs t);

/* Whether the connection has ended for both endpoints as far as the capture
 * shows (both CLOSED or TIME_WAIT, or an accepted RST). */
bool tfa_tcpsm_finished(const TfaConn *c);
