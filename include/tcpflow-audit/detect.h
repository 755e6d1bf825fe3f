/* detect.h - the detectors: handshake, teardown and RST diagnosis.
 *
 * Detectors read what the earlier stages wrote into a connection (traffic,
 * endpoint states, the byte streams, what each side sent, the state
 * machine's event for the segment) and write only their own private state
 * (TfaDetector.state_size bytes each, laid out by detect.c in
 * TfaConn.det_live), anomalies and counts through the sink, which enforces
 * the per-connection cap, and at the end their part of the outcome
 * (TfaConn.out) and the RSTs' causes.  tfa_detect_segment() runs after
 * tcpsm on every segment; tfa_detect_end() when the connection is reported,
 * after tfa_tcpsm_finish() (flow.c).
 *
 * The evidence rules of every code are in tcpflow-audit-records(5) and
 * ANOMALIES.md; RFC 9293 §3.5 (handshake), §3.6 (closing), §3.10.7 and
 * RFC 5961 (resets), RFC 1337 (TIME_WAIT assassination).
 */
#pragma once

#include "tcpflow-audit/conn.h"
#include "tcpflow-audit/decode.h"
#include "tcpflow-audit/options.h"
#include "tcpflow-audit/seqtrack.h"
#include "tcpflow-audit/tcpsm.h"

typedef struct TfaAnomalySink {
    TfaConn *conn;
    guint cap;
} TfaAnomalySink;

/* Add an anomaly of @code about @side (-1: both) shown by @seg's frame, at
 * the code's own severity: the capture holds all the evidence it needs. */
void tfa_sink_add(TfaAnomalySink *sink, TfaAnomalyCode code, int side, TfaFrameNo frame, TfaTs ts,
                  int64_t arg0, int64_t arg1);

/* The same for a finding whose evidence the capture holds only in part: it
 * is recorded at @sev (lower than the code's own) and reported as
 * "possible".  tcpflow-audit-records(5) says, code by code, when. */
void tfa_sink_add_possible(TfaAnomalySink *sink, TfaAnomalyCode code, TfaSeverity sev, int side,
                           TfaFrameNo frame, TfaTs ts, int64_t arg0, int64_t arg1);

/* One segment as the detectors see it. */
typedef struct TfaDetectSeg {
    const TfaOptions *opts;
    const TfaSegment *seg;
    uint8_t side;          /* its sender */
    const TfaSmEvent *ev;  /* what tcpsm made of it (zero for a copy) */
    const TfaSeqEvent *sq; /* what seqtrack made of it */
    bool created;          /* the connection's first segment */
    const void *hs;        /* the handshake detector's state: tfa_handshake_times_of() */
} TfaDetectSeg;

/* The end of a connection as the detectors see it. */
typedef struct TfaDetectEnd {
    const TfaOptions *opts;
    TfaTs now;
    const void *hs;  /* as in TfaDetectSeg */
    TfaOutcome *out; /* the outcome being filled (earlier detectors' parts already) */
    GArray *rsts;    /* the connection's RSTs: the RST detector writes their causes */
} TfaDetectEnd;

/* One detector: its private state (state_size bytes, zero at the
 * connection's first segment, kept in TfaConn.det_live while it is live),
 * what it does with each segment and at the end.  Its state's layout is
 * its own file's; nothing else reads or writes it. */
typedef struct TfaDetector {
    const char *name;
    size_t state_size;
    bool sees_copies; /* also judges a frame the capture holds twice */
    void (*on_segment)(const TfaConn *c, void *state, const TfaDetectSeg *x, TfaAnomalySink *sink);
    void (*on_end)(const TfaConn *c, void *state, const TfaDetectEnd *x, TfaAnomalySink *sink);
    void (*release)(void *state); /* frees what the state holds (NULL: nothing) */
} TfaDetector;

/* The detectors, one per file (src/detect/), in the order they see a
 * segment; detect.c's table runs them. */
extern const TfaDetector tfa_detector_sequence, tfa_detector_ackdelay, tfa_detector_handshake,
    tfa_detector_teardown, tfa_detector_rst, tfa_detector_icmp;

/* Count one diagnostic occurrence (never capped). */
void tfa_sink_count(TfaAnomalySink *sink, uint16_t code, uint8_t side);

/* Run every detector on one segment from @side. */
void tfa_detect_segment(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg, uint8_t side,
                        const TfaSmEvent *ev, const TfaSeqEvent *sq, bool created);

/* The handshake's times and counts so far (zero before the first segment). */
TfaHandshakeTimes tfa_detect_handshake_times(const TfaConn *c);

/* The connection is reported at @now: every detector's end, in the order
 * of their findings, fills TfaConn.out (and the verdict) and sets
 * out_ready; the detectors' states are released. */
void tfa_detect_end(TfaConn *c, const TfaOptions *opts, TfaTs now);

/* Release the detectors' states of a connection that is freed without
 * being reported (an aborted run); nothing once tfa_detect_end() ran. */
void tfa_detect_release(TfaConn *c);

/* The bytes the detectors' states take together (at most
 * sizeof(TfaConn.det_live)). */
size_t tfa_detect_state_size(void);

/* The handshake detector's times (@hs: TfaDetectSeg.hs). */
TfaHandshakeTimes tfa_handshake_times_of(const void *hs);

/* Where the capture sits, from the handshake's times @t (see
 * tfa_ack_vantage). */
TfaVantage tfa_vantage_of(const TfaHandshakeTimes *t, TfaDuration *to_server,
                          TfaDuration *to_client);

/* Where the capture sits, from the handshake: *to_server is SYN -> SYN-ACK
 * (capture -> server -> capture), *to_client SYN-ACK -> ACK; -1 unknown.
 * From the outcome: call it once the connection has been reported. */
TfaVantage tfa_ack_vantage(const TfaConn *c, TfaDuration *to_server, TfaDuration *to_client);

/* The @pct percentile of up to TFA_DELAY_SAMPLES durations; -1 when none. */
TfaDuration tfa_ack_percentile(const TfaDuration *ring, uint16_t n, unsigned pct);
