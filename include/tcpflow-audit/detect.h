/* detect.h - the detectors: handshake, teardown and RST diagnosis.
 *
 * Detectors read what the earlier stages wrote into a connection (traffic,
 * endpoint states, the state machine's event for the segment) and write only
 * their own part of it: TfaConn.det (TfaVerdicts), the RSTs' causes, and
 * anomalies through the sink, which enforces the per-connection cap.
 * tfa_detect_segment() runs after tcpsm on every segment; tfa_detect_end()
 * when the connection is reported, after tfa_tcpsm_finish().
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

void tfa_detect_segment(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg, uint8_t side,
                        const TfaSmEvent *ev, const TfaSeqEvent *sq, bool created);
void tfa_detect_end(TfaConn *c, const TfaOptions *opts, TfaTs now);

/* The detectors, one per file (src/detect/). */
void tfa_detect_handshake_segment(const TfaConn *c, TfaVerdicts *d, const TfaSegment *seg,
                                  uint8_t side, const TfaSmEvent *ev, bool created,
                                  TfaAnomalySink *sink);
void tfa_detect_handshake_end(const TfaConn *c, TfaVerdicts *d, TfaTs now, TfaAnomalySink *sink);
void tfa_detect_teardown_segment(const TfaConn *c, TfaVerdicts *d, const TfaSegment *seg,
                                 uint8_t side, const TfaSmEvent *ev, bool created,
                                 TfaAnomalySink *sink);
void tfa_detect_teardown_end(const TfaConn *c, TfaVerdicts *d, const TfaOptions *opts, TfaTs now,
                             TfaAnomalySink *sink);
void tfa_detect_rst_segment(TfaConn *c, TfaVerdicts *d, const TfaSegment *seg, uint8_t side,
                            const TfaSmEvent *ev, TfaAnomalySink *sink);
void tfa_detect_rst_end(TfaConn *c, TfaVerdicts *d, const TfaOptions *opts, TfaAnomalySink *sink);
void tfa_detect_sequence_segment(TfaConn *c, const TfaSegment *seg, uint8_t side,
                                 const TfaSeqEvent *ev, TfaAnomalySink *sink);
void tfa_detect_sequence_end(TfaConn *c, TfaTs now, TfaAnomalySink *sink);
void tfa_detect_ack_segment(TfaConn *c, const TfaSegment *seg, uint8_t side, const TfaSeqEvent *sq,
                            TfaAnomalySink *sink);
void tfa_detect_ack_end(TfaConn *c, TfaAnomalySink *sink);
/* The ICMP errors tied to the connection (detect/icmp.c): one anomaly per
 * endpoint whose segments drew one (ICMP_CONNECT_FAILED, ICMP_ERROR,
 * ICMP_PATH_MTU), from TfaConn.icmp. */
void tfa_detect_icmp_end(TfaConn *c, TfaAnomalySink *sink);

/* Where the capture sits, from the handshake: *to_server is SYN -> SYN-ACK
 * (capture -> server -> capture), *to_client SYN-ACK -> ACK; -1 unknown. */
TfaVantage tfa_ack_vantage(const TfaConn *c, TfaDuration *to_server, TfaDuration *to_client);

/* The @pct percentile of up to TFA_DELAY_SAMPLES durations; -1 when none. */
TfaDuration tfa_ack_percentile(const TfaDuration *ring, uint16_t n, unsigned pct);
